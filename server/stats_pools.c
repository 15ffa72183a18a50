/* Which configured pool holds an address, for the pool gauges (stats.h).
 *
 * Kea finds a lease's pool by its address: a lease inside the subnet but
 * outside every pool (an out-of-pool reservation, a lease4-add) counts in
 * subnet[id].assigned-addresses and in no pool[...] statistic. The pools of
 * the running configuration are kept as one immutable table sorted by first
 * address, published with an atomic store; a replaced table is kept (a
 * reader may still be searching it) until exit, like the key tables. */
#include "server/stats.h"

#include <stdlib.h>

#include "server/cfg.h"

struct pool_range {
    uint32_t first, last, subnet_id;
};

struct pool_map {
    struct pool_map *older;
    size_t n;
    struct pool_range r[];
};

static struct pool_map *current;

static int by_first(const void *a, const void *b)
{
    const struct pool_range *x = a, *y = b;
    return x->first < y->first ? -1 : x->first > y->first;
}

void stats_pools_applied(const struct cfg4 *cfg)
{
    size_t n = 0;
    for (size_t i = 0; i < cfg->n_subnets; i++)
        n += cfg->subnets[i].n_pools;
    struct pool_map *m = malloc(sizeof(*m) + n * sizeof(m->r[0]));
    if (m == NULL)
        return;     /* the previous table stays: gauges may misplace a lease */
    m->n = 0;
    for (size_t i = 0; i < cfg->n_subnets; i++)
        for (size_t p = 0; p < cfg->subnets[i].n_pools; p++)
            m->r[m->n++] = (struct pool_range){ cfg->subnets[i].pools[p].first,
                                                cfg->subnets[i].pools[p].last, cfg->subnets[i].id };
    qsort(m->r, m->n, sizeof(m->r[0]), by_first);
    m->older = __atomic_load_n(&current, __ATOMIC_ACQUIRE);
    __atomic_store_n(&current, m, __ATOMIC_RELEASE);
}

bool stats_pool_holds(uint32_t subnet_id, uint32_t addr)
{
    const struct pool_map *m = __atomic_load_n(&current, __ATOMIC_ACQUIRE);
    if (m == NULL)
        return true;    /* no configuration yet: trust the lease's pool */
    size_t lo = 0, hi = m->n;   /* the last range with first <= addr */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->r[mid].first <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo > 0 && addr <= m->r[lo - 1].last && m->r[lo - 1].subnet_id == subnet_id;
}
