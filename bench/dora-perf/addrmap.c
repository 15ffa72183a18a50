/*
 * Address map: open addressing, linear probing, deletion by backward shift
 * (Knuth 6.4 algorithm R) so lookups never wade through tombstones.
 */
#include "bench/dora-perf/addrmap.h"

#include <stdlib.h>

struct perf_addrmap {
    size_t    mask;        /* capacity - 1, capacity a power of two */
    size_t    count;
    size_t    max;         /* refuse inserts beyond this (half the capacity) */
    uint32_t *addr;        /* 0 = empty */
    uint32_t *client;
};

static size_t slot_of(const struct perf_addrmap *m, uint32_t addr)
{
    /* Fibonacci hashing: consecutive pool addresses spread out. */
    return (size_t)(((uint64_t)addr * 0x9e3779b97f4a7c15ull) >> 32) & m->mask;
}

struct perf_addrmap *perf_addrmap_new(size_t max_entries)
{
    size_t cap = 16;
    while (cap < 2 * max_entries + 2 && cap < ((size_t)1 << 40))
        cap <<= 1;
    struct perf_addrmap *m = calloc(1, sizeof(*m));
    if (!m)
        return NULL;
    m->addr = calloc(cap, sizeof(*m->addr));
    m->client = calloc(cap, sizeof(*m->client));
    if (!m->addr || !m->client) {
        perf_addrmap_free(m);
        return NULL;
    }
    m->mask = cap - 1;
    m->max = cap / 2;
    return m;
}

void perf_addrmap_free(struct perf_addrmap *m)
{
    if (!m)
        return;
    free(m->addr);
    free(m->client);
    free(m);
}

static bool find(const struct perf_addrmap *m, uint32_t addr, size_t *pos)
{
    size_t i = slot_of(m, addr);
    /* At most half full, so an empty slot always ends the probe. */
    for (size_t n = 0; n <= m->mask; n++, i = (i + 1) & m->mask) {
        if (m->addr[i] == 0) {
            *pos = i;
            return false;
        }
        if (m->addr[i] == addr) {
            *pos = i;
            return true;
        }
    }
    *pos = m->mask + 1;
    return false;
}

int64_t perf_addrmap_get(const struct perf_addrmap *m, uint32_t addr)
{
    size_t pos;
    if (addr == 0 || !find(m, addr, &pos))
        return -1;
    return m->client[pos];
}

int perf_addrmap_set(struct perf_addrmap *m, uint32_t addr, uint32_t client)
{
    size_t pos;
    if (addr == 0)
        return -1;
    if (find(m, addr, &pos)) {
        m->client[pos] = client;
        return 0;
    }
    if (m->count >= m->max || pos > m->mask)
        return -1;
    m->addr[pos] = addr;
    m->client[pos] = client;
    m->count++;
    return 0;
}

bool perf_addrmap_del(struct perf_addrmap *m, uint32_t addr, uint32_t client)
{
    size_t i;
    if (addr == 0 || !find(m, addr, &i) || m->client[i] != client)
        return false;
    /* Backward shift: pull later members of the probe run into the hole
     * when their home slot is not between the hole and themselves. */
    size_t j = i;
    for (;;) {
        j = (j + 1) & m->mask;
        if (m->addr[j] == 0)
            break;
        size_t home = slot_of(m, m->addr[j]);
        bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
        if (stays)
            continue;
        m->addr[i] = m->addr[j];
        m->client[i] = m->client[j];
        i = j;
    }
    m->addr[i] = 0;
    m->client[i] = 0;
    m->count--;
    return true;
}

size_t perf_addrmap_count(const struct perf_addrmap *m)
{
    return m->count;
}
