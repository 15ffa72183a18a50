/*
 * memfile load benchmark: generate a Kea-format lease4 file of N rows, open
 * it with memfile_open() and report the load time and the process RSS, then
 * the time of one compaction and of a burst of group-committed updates.
 * Prints figures only; it asserts nothing about timing.
 *
 *   bench/memfile_load [rows (default 1000000)] [path (default /tmp/memfile-bench/leases4.csv)]
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "backends/memfile/memfile.h"
#include "backends/memfile/memfile_priv.h"

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* VmRSS / VmHWM from /proc/self/status, in KiB. */
static long proc_kib(const char *key)
{
    char line[256];
    long v = -1;
    size_t kl = strlen(key);
    FILE *f = fopen("/proc/self/status", "r");

    if (f == NULL)
        return -1;
    while (fgets(line, sizeof(line), f) != NULL) {
        if (strncmp(line, key, kl) == 0 && line[kl] == ':') {
            v = strtol(line + kl + 1, NULL, 10);
            break;
        }
    }
    fclose(f);
    return v;
}

/* mkdir -p of the directory part of path. */
static int make_parent_dirs(const char *path)
{
    char dir[4096];
    size_t n = strlen(path);

    if (n >= sizeof(dir))
        return -1;
    memcpy(dir, path, n + 1);
    for (size_t i = 1; i < n; i++) {
        if (dir[i] != '/')
            continue;
        dir[i] = '\0';
        if (mkdir(dir, 0755) != 0 && errno != EEXIST)
            return -1;
        dir[i] = '/';
    }
    return 0;
}

static int generate(const char *path, long rows, int64_t now)
{
    FILE *f = fopen(path, "w");

    if (f == NULL) {
        fprintf(stderr, "cannot create %s: %s\n", path, strerror(errno));
        return -1;
    }
    fputs("address,hwaddr,client_id,valid_lifetime,expire,subnet_id,"
          "fqdn_fwd,fqdn_rev,hostname,state,user_context,pool_id\n", f);
    for (long i = 0; i < rows; i++) {
        uint32_t a = 0x0a000001u + (uint32_t)i;          /* 10.0.0.1 upwards */
        unsigned h[6] = { 0x02, 0x00, (unsigned)(i >> 24) & 255, (unsigned)(i >> 16) & 255,
                          (unsigned)(i >> 8) & 255, (unsigned)i & 255 };
        fprintf(f, "%u.%u.%u.%u,%02x:%02x:%02x:%02x:%02x:%02x,"
                   "01:%02x:%02x:%02x:%02x:%02x:%02x,3600,%" PRId64 ",%ld,0,0,host-%ld,0,,0\n",
                a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255,
                h[0], h[1], h[2], h[3], h[4], h[5], h[0], h[1], h[2], h[3], h[4], h[5],
                now + 60 + i % 3600, 1 + i / 65536, i);
    }
    if (fclose(f) != 0) {
        fprintf(stderr, "cannot write %s\n", path);
        return -1;
    }
    return 0;
}

struct upd_arg {
    struct lease_store *s;
    long rows, first, count;
    atomic_long *done;
};

static void on_done(void *ctx, int result)
{
    if (result == 0)
        atomic_fetch_add((atomic_long *)ctx, 1);
}

static void *updater(void *p)
{
    struct upd_arg *a = p;
    struct lease4 cur, next;

    for (long i = 0; i < a->count; i++) {
        uint32_t addr = 0x0a000001u + (uint32_t)((a->first + i * 7919) % a->rows);
        if (a->s->ops->get_by_addr(a->s, addr, &cur) != 0)
            continue;
        next = cur;
        next.cltt += 1;
        a->s->ops->submit(a->s, LEASE_OP_UPDATE, &next, &cur, on_done, a->done);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    long rows = argc > 1 ? strtol(argv[1], NULL, 10) : 1000000;
    const char *path = argc > 2 ? argv[2] : "/tmp/memfile-bench/leases4.csv";
    struct memfile_params p = { path, true, 0, 0 };
    struct memfile_load_stats st;
    struct lease_store *s;
    char err[256];
    double t0, t1;

    if (rows <= 0 || rows > 16000000) {
        fprintf(stderr, "rows must be 1..16000000\n");
        return 2;
    }
    if (make_parent_dirs(path) != 0) {
        fprintf(stderr, "cannot create the directory of %s: %s\n", path, strerror(errno));
        return 1;
    }
    long rss0 = proc_kib("VmRSS");
    t0 = now_s();
    if (generate(path, rows, (int64_t)time(NULL)) != 0)
        return 1;
    printf("generated %ld rows in %.2f s\n", rows, now_s() - t0);

    t0 = now_s();
    if (memfile_open(&p, &s, &st, err, sizeof(err)) != 0) {
        fprintf(stderr, "open: %s\n", err);
        return 1;
    }
    t1 = now_s();
    long rss = proc_kib("VmRSS"), hwm = proc_kib("VmHWM");
    printf("load: %zu rows, %zu leases, %zu skipped in %.3f s (%.0f rows/s)\n",
           st.rows, st.leases, st.skipped, t1 - t0, (double)st.rows / (t1 - t0));
    printf("RSS after load: %.1f MB (before: %.1f MB, peak: %.1f MB); %.0f bytes/lease\n",
           rss / 1024.0, rss0 / 1024.0, hwm / 1024.0,
           (double)(rss - rss0) * 1024.0 / (double)st.leases);

    t0 = now_s();
    int rc = memfile_compact(s);
    printf("compaction: rc=%d in %.3f s\n", rc, now_s() - t0);

    atomic_long done = 0;
    struct upd_arg a[4];
    pthread_t th[4];
    uint64_t syncs0 = memfile_sync_count(s);
    t0 = now_s();
    for (int i = 0; i < 4; i++) {
        a[i] = (struct upd_arg){ s, rows, i * 1000003L, 50000, &done };
        pthread_create(&th[i], NULL, updater, &a[i]);
    }
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    s->ops->flush(s);
    t1 = now_s();
    printf("updates: %ld durable from 4 threads in %.3f s (%.0f/s), %" PRIu64 " fdatasyncs\n",
           (long)atomic_load(&done), t1 - t0, (double)atomic_load(&done) / (t1 - t0),
           memfile_sync_count(s) - syncs0);
    printf("RSS at end: %.1f MB\n", proc_kib("VmRSS") / 1024.0);
    s->ops->close(s);
    return 0;
}
