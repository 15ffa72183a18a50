/* The address statistics kept in step with the lease store; see stats.h
 * (stats_lease_changed, stats_lease_reclaimed, stats_recount). */
#include "server/stats.h"

#include <string.h>

static bool counts_assigned(const struct lease4 *l)
{
    return l && (l->state == LEASE_STATE_DEFAULT || l->state == LEASE_STATE_DECLINED);
}

static bool same_client(const struct lease4 *a, const struct lease4 *b)
{
    if (a->client_id_len || b->client_id_len)
        return a->client_id_len == b->client_id_len &&
               !memcmp(a->client_id, b->client_id, a->client_id_len);
    return a->hwaddr_len == b->hwaddr_len && !memcmp(a->hwaddr, b->hwaddr, a->hwaddr_len);
}

/* Add sign x the lease's contribution to its subnet's and pool's gauges. */
static void contribute(const struct lease4 *l, int64_t sign)
{
    if (!counts_assigned(l))
        return;
    bool in_pool = stats_pool_holds(l->subnet_id, l->addr);
    stats_subnet_add(l->subnet_id, STATS_NO_POOL, SSTAT_ASSIGNED_ADDRESSES, sign);
    if (in_pool)
        stats_subnet_add(l->subnet_id, l->pool_id, SSTAT_ASSIGNED_ADDRESSES, sign);
    if (l->state == LEASE_STATE_DECLINED) {
        stats_add(STAT_DECLINED_ADDRESSES, sign);
        stats_subnet_add(l->subnet_id, STATS_NO_POOL, SSTAT_DECLINED_ADDRESSES, sign);
        if (in_pool)
            stats_subnet_add(l->subnet_id, l->pool_id, SSTAT_DECLINED_ADDRESSES, sign);
    }
}

void stats_lease_changed(const struct lease4 *old, const struct lease4 *cur)
{
    /* A renewal (same subnet, pool and state) changes no gauge. */
    bool same = old && cur && old->subnet_id == cur->subnet_id && old->pool_id == cur->pool_id &&
                old->state == cur->state;
    if (!same) {
        contribute(old, -1);
        contribute(cur, 1);
    }
    bool fresh = cur && cur->state == LEASE_STATE_DEFAULT &&
                 !(old && old->state == LEASE_STATE_DEFAULT && same_client(old, cur));
    if (fresh) {
        stats_add(STAT_CUMULATIVE_ASSIGNED_ADDRESSES, 1);
        stats_subnet_add(cur->subnet_id, STATS_NO_POOL, SSTAT_CUMULATIVE_ASSIGNED_ADDRESSES, 1);
        if (stats_pool_holds(cur->subnet_id, cur->addr))
            stats_subnet_add(cur->subnet_id, cur->pool_id, SSTAT_CUMULATIVE_ASSIGNED_ADDRESSES, 1);
    }
}

void stats_lease_reclaimed(const struct lease4 *l)
{
    stats_add(STAT_RECLAIMED_LEASES, 1);
    bool in_pool = stats_pool_holds(l->subnet_id, l->addr);
    stats_subnet_add(l->subnet_id, STATS_NO_POOL, SSTAT_RECLAIMED_LEASES, 1);
    if (in_pool)
        stats_subnet_add(l->subnet_id, l->pool_id, SSTAT_RECLAIMED_LEASES, 1);
    if (l->state == LEASE_STATE_DECLINED) {
        stats_add(STAT_RECLAIMED_DECLINED_ADDRESSES, 1);
        stats_subnet_add(l->subnet_id, STATS_NO_POOL, SSTAT_RECLAIMED_DECLINED_ADDRESSES, 1);
        if (in_pool)
            stats_subnet_add(l->subnet_id, l->pool_id, SSTAT_RECLAIMED_DECLINED_ADDRESSES, 1);
    }
}

static int count_lease(const struct lease4 *l, void *ctx)
{
    (*(int *)ctx)++;
    contribute(l, 1);
    return 0;
}

int stats_recount(struct lease_store *store)
{
    int n = 0;
    store->ops->foreach(store, count_lease, &n);
    return n;
}
