/*
 * sql_load: drive a lease store (any type, opened through the backend
 * factory from a Kea config) with concurrent ADDs for a fixed time, and log
 * every address whose completion reported success, i.e. every lease the
 * server would have ACKed. test_sql_backends.sh kills the database under it
 * and checks that every logged lease is in the database afterwards and that
 * the store recovered by itself.
 *
 *   sql_load CONFIG SECONDS ACKED_FILE [THREADS [TAG]]
 * TAG (0-255, default 0) goes into the second byte of every hw-address, so
 * that two drivers racing for the same addresses on one database can tell
 * whose lease the database kept. ACKED_FILE lines: "a.b.c.d TAG".
 * Prints "acked N io_errors N conflicts N lost_health N recovered N
 *   acked_after_recovery N rate N/s".
 * Addresses come from 198.18.0.0/15 (data only; no packet is sent).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backends/store_factory.h"
#include "server/cfg.h"

#define MAX_INFLIGHT 2000   /* per process: bounds memory while the DB is down */
#define ADDR_BASE 0xc6120000u   /* 198.18.0.0 */
#define ADDR_COUNT 131072u

static struct lease_store *store;
static atomic_uint next_addr;
static atomic_long acked, io_errors, conflicts, inflight;
static atomic_bool stop;
static pthread_mutex_t out_mu = PTHREAD_MUTEX_INITIALIZER;
static FILE *out;
static unsigned tag;

static void done(void *ctx, int result)
{
    uint32_t addr = (uint32_t)(uintptr_t)ctx;

    if (result == LEASE_OK) {
        pthread_mutex_lock(&out_mu);
        fprintf(out, "%u.%u.%u.%u %u\n", addr >> 24, addr >> 16 & 255, addr >> 8 & 255, addr & 255, tag);
        pthread_mutex_unlock(&out_mu);
        atomic_fetch_add(&acked, 1);
    } else if (result == LEASE_E_CONFLICT) {
        atomic_fetch_add(&conflicts, 1);
    } else {
        atomic_fetch_add(&io_errors, 1);
    }
    atomic_fetch_sub(&inflight, 1);
}

static void *worker(void *arg)
{
    (void)arg;
    while (!atomic_load(&stop)) {
        if (atomic_load(&inflight) >= MAX_INFLIGHT) {
            usleep(1000);
            continue;
        }
        uint32_t i = atomic_fetch_add(&next_addr, 1);
        if (i >= ADDR_COUNT)
            break;
        struct lease4 l;
        memset(&l, 0, sizeof(l));
        l.addr = ADDR_BASE + i;
        l.subnet_id = 1;
        l.valid_lft = 3600;
        l.cltt = (int64_t)time(NULL);
        l.hwaddr_len = 6;
        l.hwaddr[0] = 2;
        l.hwaddr[1] = (uint8_t)tag;
        memcpy(l.hwaddr + 2, &i, 4);
        /* At most ~2000 submissions/s per thread, so that an outage (fast
         * failures) does not use up the address range. */
        usleep(500);
        atomic_fetch_add(&inflight, 1);
        int rc = store->ops->submit(store, LEASE_OP_ADD, &l, NULL, done, (void *)(uintptr_t)l.addr);
        if (rc != LEASE_OK) {
            atomic_fetch_sub(&inflight, 1);
            if (rc == LEASE_E_CONFLICT)
                atomic_fetch_add(&conflicts, 1);
            else
                atomic_fetch_add(&io_errors, 1);
        }
    }
    return NULL;
}

int main(int argc, char **argv)
{
    struct cfg4 *cfg;
    char err[1024];

    if (argc < 4) {
        fprintf(stderr, "usage: sql_load CONFIG SECONDS ACKED_FILE [THREADS]\n");
        return 2;
    }
    int secs = atoi(argv[2]), nthreads = argc > 4 ? atoi(argv[4]) : 4;
    tag = argc > 5 ? (unsigned)atoi(argv[5]) & 255 : 0;
    if (secs <= 0 || secs > 600 || nthreads <= 0 || nthreads > 64) {
        fprintf(stderr, "sql_load: SECONDS in 1..600, THREADS in 1..64\n");
        return 2;
    }
    if (cfg4_load_file(argv[1], &cfg, err, sizeof(err)) != 0) {
        fprintf(stderr, "sql_load: %s\n", err);
        return 1;
    }
    if (lease_store_open(cfg, &store, err, sizeof(err)) != 0) {
        fprintf(stderr, "sql_load: %s\n", err);
        return 1;
    }
    if ((out = fopen(argv[3], "w")) == NULL) {
        perror(argv[3]);
        return 1;
    }
    pthread_t th[64];
    for (int i = 0; i < nthreads; i++)
        pthread_create(&th[i], NULL, worker, NULL);

    /* Watch the database health: lost and recovered without a restart. */
    long lost = 0, recovered = 0, acked_at_recovery = -1;
    enum be_db_health prev = BE_DB_OK;
    for (int t = 0; t < secs * 10; t++) {
        usleep(100 * 1000);
        enum be_db_health h = lease_store_health(store);
        if (h != BE_DB_OK && prev == BE_DB_OK)
            lost++;
        if (h == BE_DB_OK && prev != BE_DB_OK) {
            recovered++;
            acked_at_recovery = atomic_load(&acked);
        }
        prev = h;
    }
    atomic_store(&stop, true);
    for (int i = 0; i < nthreads; i++)
        pthread_join(th[i], NULL);
    store->ops->flush(store);
    store->ops->close(store);
    fclose(out);
    cfg4_free(cfg);
    printf("acked %ld io_errors %ld conflicts %ld lost_health %ld recovered %ld "
           "acked_after_recovery %ld rate %ld/s\n",
           atomic_load(&acked), atomic_load(&io_errors), atomic_load(&conflicts), lost, recovered,
           acked_at_recovery < 0 ? 0 : atomic_load(&acked) - acked_at_recovery,
           atomic_load(&acked) / secs);
    return 0;
}
