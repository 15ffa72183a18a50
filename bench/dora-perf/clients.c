/*
 * Simulated clients: a flat array indexed by client number, so a reply's
 * client is found by arithmetic on its chaddr, never by a search.
 */
#include "bench/dora-perf/clients.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#define MAC_SPACE (1ull << 48)

struct perf_client {
    _Atomic uint64_t lease;     /* addr << 32 | server id; 0 = none */
    _Atomic uint64_t srv_mac;   /* 1 << 48 | MAC once known; 0 = unknown */
    _Atomic uint32_t inflight;  /* requests outstanding */
};

struct perf_clients {
    uint32_t n;
    uint64_t base;
    struct perf_client *c;
    pthread_mutex_t lock;
    uint32_t *q;                /* ring of client numbers */
    size_t q_head, q_len;       /* guarded by lock */
};

static uint64_t mac_to_u64(const uint8_t m[6])
{
    uint64_t v = 0;
    for (int i = 0; i < 6; i++)
        v = v << 8 | m[i];
    return v;
}

static void u64_to_mac(uint64_t v, uint8_t m[6])
{
    for (int i = 5; i >= 0; i--) {
        m[i] = (uint8_t)v;
        v >>= 8;
    }
}

struct perf_clients *perf_clients_new(uint32_t n, const uint8_t base_mac[6])
{
    if (n == 0)
        return NULL;
    struct perf_clients *cl = calloc(1, sizeof(*cl));
    if (!cl)
        return NULL;
    cl->c = calloc(n, sizeof(*cl->c));
    cl->q = calloc(n, sizeof(*cl->q));
    if (!cl->c || !cl->q || pthread_mutex_init(&cl->lock, NULL) != 0) {
        free(cl->c);
        free(cl->q);
        free(cl);
        return NULL;
    }
    cl->n = n;
    cl->base = mac_to_u64(base_mac);
    return cl;
}

void perf_clients_free(struct perf_clients *cl)
{
    if (!cl)
        return;
    pthread_mutex_destroy(&cl->lock);
    free(cl->c);
    free(cl->q);
    free(cl);
}

uint32_t perf_clients_count(const struct perf_clients *cl)
{
    return cl->n;
}

void perf_client_mac(const struct perf_clients *cl, uint32_t idx, uint8_t mac[6])
{
    u64_to_mac((cl->base + idx) % MAC_SPACE, mac);
}

int64_t perf_client_of_mac(const struct perf_clients *cl, const uint8_t mac[6])
{
    uint64_t off = (mac_to_u64(mac) + MAC_SPACE - cl->base) % MAC_SPACE;
    return off < cl->n ? (int64_t)off : -1;
}

void perf_client_set_lease(struct perf_clients *cl, uint32_t idx, uint32_t addr, uint32_t srvid)
{
    if (idx < cl->n)
        atomic_store_explicit(&cl->c[idx].lease, (uint64_t)addr << 32 | srvid, memory_order_relaxed);
}

bool perf_client_lease(const struct perf_clients *cl, uint32_t idx, uint32_t *addr, uint32_t *srvid)
{
    if (idx >= cl->n)
        return false;
    uint64_t v = atomic_load_explicit(&cl->c[idx].lease, memory_order_relaxed);
    *addr = (uint32_t)(v >> 32);
    *srvid = (uint32_t)v;
    return v != 0;
}

bool perf_client_drop_lease(struct perf_clients *cl, uint32_t idx, uint32_t addr, uint32_t srvid)
{
    if (idx >= cl->n)
        return false;
    uint64_t expect = (uint64_t)addr << 32 | srvid;
    return expect != 0 &&
           atomic_compare_exchange_strong_explicit(&cl->c[idx].lease, &expect, 0,
                                                   memory_order_relaxed, memory_order_relaxed);
}

void perf_client_set_server_mac(struct perf_clients *cl, uint32_t idx, const uint8_t mac[6])
{
    if (idx < cl->n)
        atomic_store_explicit(&cl->c[idx].srv_mac, MAC_SPACE | mac_to_u64(mac), memory_order_relaxed);
}

bool perf_client_server_mac(const struct perf_clients *cl, uint32_t idx, uint8_t mac[6])
{
    if (idx >= cl->n)
        return false;
    uint64_t v = atomic_load_explicit(&cl->c[idx].srv_mac, memory_order_relaxed);
    if (!(v & MAC_SPACE))
        return false;
    u64_to_mac(v, mac);
    return true;
}

void perf_client_busy_add(struct perf_clients *cl, uint32_t idx, int delta)
{
    if (idx < cl->n)
        atomic_fetch_add_explicit(&cl->c[idx].inflight, (uint32_t)delta, memory_order_relaxed);
}

uint32_t perf_client_busy(const struct perf_clients *cl, uint32_t idx)
{
    if (idx >= cl->n)
        return 0;
    return atomic_load_explicit(&cl->c[idx].inflight, memory_order_relaxed);
}

int perf_clients_push_bound(struct perf_clients *cl, uint32_t idx)
{
    int rc = -1;
    pthread_mutex_lock(&cl->lock);
    if (cl->q_len < cl->n) {
        cl->q[(cl->q_head + cl->q_len) % cl->n] = idx;
        cl->q_len++;
        rc = 0;
    }
    pthread_mutex_unlock(&cl->lock);
    return rc;
}

int64_t perf_clients_pop_bound(struct perf_clients *cl)
{
    int64_t idx = -1;
    pthread_mutex_lock(&cl->lock);
    if (cl->q_len > 0) {
        idx = cl->q[cl->q_head];
        cl->q_head = (cl->q_head + 1) % cl->n;
        cl->q_len--;
    }
    pthread_mutex_unlock(&cl->lock);
    return idx;
}
