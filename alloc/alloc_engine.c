/*
 * Allocation engine: DISCOVER/REQUEST/RELEASE/DECLINE decisions and
 * reclamation (spec kea-dhcp4.md §3.6–3.9, §3.13, §3.14).
 *
 * Concurrency: two workers may pick the same free address at once; the lease
 * store's ADD is the arbiter (LEASE_E_CONFLICT for the loser, who then tries
 * the next candidate). Per-client serialization (server/client_handler.c)
 * keeps one client's packets from racing each other.
 */
#include "alloc/alloc_engine.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "alloc/allocator.h"
#include "hooks/hooks_mgr.h"
#include "server/log.h"
#include "server/stats.h"

#define ALLOC_COMMIT_RETRIES 8

const char *const alloc_result_name[] = {
    [ALLOC_OK] = "ok", [ALLOC_NAK] = "nak", [ALLOC_NAK_WRONG_NET] = "nak-wrong-network",
    [ALLOC_DROP] = "drop", [ALLOC_EXHAUSTED] = "exhausted", [ALLOC_ERROR] = "error",
};

bool alloc_lease_belongs(const struct lease4 *l, const struct alloc_client *c)
{
    if (l->client_id_len && c->cid)
        return l->client_id_len == c->cidlen && !memcmp(l->client_id, c->cid, c->cidlen);
    return c->hwlen && l->hwaddr_len == c->hwlen && !memcmp(l->hwaddr, c->hw, c->hwlen);
}

struct find_ctx {
    const struct alloc_client *client;
    struct lease4 *out;
    bool found;
};

/* Prefer an active lease, then the most recent one. */
static int visit_client_lease(const struct lease4 *l, void *arg)
{
    struct find_ctx *f = arg;
    if (!alloc_lease_belongs(l, f->client))
        return 0;
    if (l->state == LEASE_STATE_DECLINED)
        return 0;
    bool better = !f->found ||
                  (l->state == LEASE_STATE_DEFAULT && f->out->state != LEASE_STATE_DEFAULT) ||
                  (l->state == f->out->state && l->cltt > f->out->cltt);
    if (better) {
        *f->out = *l;
        f->found = true;
    }
    return 0;
}

int alloc_find_client_lease(struct lease_store *s, uint32_t subnet_id,
                            const struct alloc_client *c, struct lease4 *out)
{
    struct find_ctx f = { .client = c, .out = out, .found = false };
    if (c->cid && c->cidlen)
        s->ops->foreach_by_client_id(s, subnet_id, c->cid, c->cidlen, visit_client_lease, &f);
    if (!f.found && c->hwlen)
        s->ops->foreach_by_hwaddr(s, subnet_id, c->hw, c->hwlen, visit_client_lease, &f);
    return f.found ? 0 : LEASE_E_NOT_FOUND;
}

const struct cfg_pool *alloc_pool_of(const struct cfg_subnet4 *subnet, uint32_t addr)
{
    for (size_t i = 0; i < subnet->n_pools; i++)
        if (addr >= subnet->pools[i].first && addr <= subnet->pools[i].last)
            return &subnet->pools[i];
    return NULL;
}

bool alloc_in_allowed_pool(const struct alloc_req *r, uint32_t addr)
{
    const struct cfg_pool *p = alloc_pool_of(r->subnet, addr);
    return p && class_guard_allows(&p->guard, r->classes);
}

static bool in_subnet(const struct cfg_subnet4 *subnet, uint32_t addr)
{
    return (addr & subnet->mask) == subnet->prefix;
}

/* The reservation holding addr, in the subnet or globally, per the flags. */
static const struct cfg_host *reservation_of(const struct alloc_req *r, uint32_t addr)
{
    const struct cfg_subnet4 *sn = r->subnet;
    const struct cfg_host *h = NULL;
    if (sn->reservations_in_subnet)
        h = cfg4_host_by_addr(r->cfg, sn->id, addr);
    if (!h && sn->reservations_global)
        h = cfg4_host_by_addr(r->cfg, 0, addr);
    return h;
}

/* Whether addr is reserved in a hosts-database to a client other than this
 * one (Kea checks the address against the host backends before handing it
 * out dynamically). A database error counts as reserved. */
static bool db_reserved_other(const struct alloc_req *r, uint32_t addr)
{
    const struct cfg_subnet4 *sn = r->subnet;
    if (!r->db_reserved || sn->reservations_out_of_pool || (r->host && r->host->ip == addr))
        return false;
    if (sn->reservations_in_subnet && r->db_reserved(r->db_ctx, sn->id, addr) != 0)
        return true;
    return sn->reservations_global && r->db_reserved(r->db_ctx, 0, addr) != 0;
}

enum addr_status { ADDR_FREE, ADDR_OWN, ADDR_TAKEN };

/* Whether addr can go to this client. *cur receives the stored lease and
 * *have_cur says whether there is one. */
static enum addr_status addr_status(struct lease_store *s, const struct alloc_req *r,
                                    uint32_t addr, struct lease4 *cur, bool *have_cur)
{
    *have_cur = false;
    const struct cfg_host *h = reservation_of(r, addr);
    if (h && h != r->host && !r->subnet->reservations_out_of_pool)
        return ADDR_TAKEN;
    if (!h && db_reserved_other(r, addr))
        return ADDR_TAKEN;
    if (s->ops->get_by_addr(s, addr, cur) != LEASE_OK)
        return ADDR_FREE;
    *have_cur = true;
    if (alloc_lease_belongs(cur, &r->client) && cur->state != LEASE_STATE_DECLINED)
        return ADDR_OWN;
    if ((cur->state == LEASE_STATE_DEFAULT || cur->state == LEASE_STATE_DECLINED) &&
        !lease4_expired(cur, r->now))
        return ADDR_TAKEN;
    return ADDR_FREE;
}

static bool addr_usable(struct lease_store *s, const struct alloc_req *r, uint32_t addr)
{
    struct lease4 cur;
    bool have;
    return addr_status(s, r, addr, &cur, &have) != ADDR_TAKEN;
}

static void make_lease(const struct alloc_req *r, uint32_t addr, struct lease4 *l)
{
    memset(l, 0, sizeof(*l));
    l->addr = addr;
    l->subnet_id = r->subnet->id;
    const struct cfg_pool *p = alloc_pool_of(r->subnet, addr);
    l->pool_id = p ? p->pool_id : 0;
    l->valid_lft = r->valid_lft;
    l->cltt = r->now;
    l->state = LEASE_STATE_DEFAULT;
    l->hwaddr_len = r->client.hwlen > LEASE_HWADDR_MAX ? LEASE_HWADDR_MAX : r->client.hwlen;
    memcpy(l->hwaddr, r->client.hw, l->hwaddr_len);
    if (r->client.cid) {
        l->client_id_len = r->client.cidlen;
        memcpy(l->client_id, r->client.cid, r->client.cidlen);
    }
    if (r->hostname)
        snprintf(l->hostname, sizeof(l->hostname), "%s", r->hostname);
}

/* The address a DISCOVER would get (spec §3.6), or 0. */
static uint32_t choose_address(struct lease_store *s, const struct alloc_req *r)
{
    const struct cfg_subnet4 *sn = r->subnet;

    /* 1. This client's reserved address, unless another client holds it. */
    if (r->host && r->host->ip && in_subnet(sn, r->host->ip)) {
        if (addr_usable(s, r, r->host->ip))
            return r->host->ip;
        stats_inc_both(STAT_V4_RESERVATION_CONFLICTS, sn->id, SSTAT_V4_RESERVATION_CONFLICTS);
    }
    /* 2. The client's existing lease, unless no longer in a pool or now
     * reserved for someone else. */
    struct lease4 existing;
    if (alloc_find_client_lease(s, sn->id, &r->client, &existing) == LEASE_OK &&
        alloc_in_allowed_pool(r, existing.addr) && addr_usable(s, r, existing.addr))
        return existing.addr;
    /* 3. The requested address, if free and in a pool. */
    if (r->hint && in_subnet(sn, r->hint) && alloc_in_allowed_pool(r, r->hint) &&
        addr_usable(s, r, r->hint))
        return r->hint;
    /* 4. The allocator. */
    return allocator_pick(s, r, addr_usable);
}

/* v4-allocation-fail and the reason, global and for the subnet. */
static void count_alloc_fail(uint32_t subnet_id, enum stat_id why, enum sstat_id swhy)
{
    stats_inc_both(STAT_V4_ALLOCATION_FAIL, subnet_id, SSTAT_V4_ALLOCATION_FAIL);
    stats_inc_both(why, subnet_id, swhy);
}

enum alloc_result alloc_discover(struct lease_store *s, const struct alloc_req *r,
                                 struct lease4 *offer)
{
    if (!r->subnet->n_pools && !(r->host && r->host->ip)) {
        count_alloc_fail(r->subnet->id, STAT_V4_ALLOCATION_FAIL_NO_POOLS,
                         SSTAT_V4_ALLOCATION_FAIL_NO_POOLS);
        return ALLOC_EXHAUSTED;
    }
    uint32_t addr = choose_address(s, r);
    if (!addr) {
        count_alloc_fail(r->subnet->id, STAT_V4_ALLOCATION_FAIL_SUBNET,
                         SSTAT_V4_ALLOCATION_FAIL_SUBNET);
        return ALLOC_EXHAUSTED;
    }
    make_lease(r, addr, offer);
    if (hooks_on(r->cfg->hooks, DORA_HOOK_LEASE4_SELECT) &&
        hooks_lease4(r->cfg, DORA_HOOK_LEASE4_SELECT, r->client.query, r->subnet, offer, true) ==
            DORA_HOOK_SKIP)
        return ALLOC_EXHAUSTED;   /* the callout assigned nothing: no offer */
    return ALLOC_OK;
}

/* Decide the address for a REQUEST with a hint (spec §3.7). */
static enum alloc_result check_requested(struct lease_store *s, const struct alloc_req *r)
{
    const struct cfg_subnet4 *sn = r->subnet;
    if (!in_subnet(sn, r->hint))
        return ALLOC_NAK_WRONG_NET;
    /* A reservation for a different, free address: NAK so the client comes
     * back with a DISCOVER and gets it (spec §3.7 conflict resolution). */
    if (r->host && r->host->ip && r->host->ip != r->hint && in_subnet(sn, r->host->ip) &&
        addr_usable(s, r, r->host->ip))
        return ALLOC_NAK;
    struct lease4 cur;
    bool have;
    if (addr_status(s, r, r->hint, &cur, &have) == ADDR_TAKEN)
        return ALLOC_NAK;
    bool reserved_here = r->host && r->host->ip == r->hint;
    if (!reserved_here && !alloc_pool_of(sn, r->hint))
        return ALLOC_DROP;
    /* In a pool the client's classes do not allow (a KNOWN-only pool for
     * an unknown client): no, so it comes back with a DISCOVER. */
    if (!reserved_here && !alloc_in_allowed_pool(r, r->hint))
        return ALLOC_NAK;
    return ALLOC_OK;
}

/* lease4_select (a new lease) or lease4_renew (cur: the client's own lease
 * being extended) on the lease about to be submitted. Returns -1 to go on,
 * or the result to return: SKIP of a select assigns nothing (NAK); SKIP of
 * a renew keeps the stored lease as it is, already durable. */
static int lease_hooks(struct lease_store *s, const struct alloc_req *r, struct lease4 *lease,
                       const struct lease4 *cur, lease_done_fn done, void *ctx)
{
    enum dora_hook_point p = cur ? DORA_HOOK_LEASE4_RENEW : DORA_HOOK_LEASE4_SELECT;
    if (!hooks_on(r->cfg->hooks, p) ||
        hooks_lease4(r->cfg, p, r->client.query, r->subnet, lease, false) != DORA_HOOK_SKIP)
        return -1;
    if (!cur)
        return ALLOC_NAK;
    (void)s;
    *lease = *cur;
    if (r->client.query)
        hooks_note_lease(r->client.query, lease, false);
    if (done)
        done(ctx, LEASE_OK);
    return ALLOC_OK;
}

enum alloc_result alloc_request(struct lease_store *s, const struct alloc_req *r,
                                lease_done_fn done, void *ctx, struct lease4 *lease)
{
    struct lease4 existing;
    bool have_existing =
        alloc_find_client_lease(s, r->subnet->id, &r->client, &existing) == LEASE_OK;

    for (int attempt = 0; attempt < ALLOC_COMMIT_RETRIES; attempt++) {
        uint32_t addr;
        if (r->hint) {
            enum alloc_result res = check_requested(s, r);
            if (res != ALLOC_OK)
                return res;
            addr = r->hint;
        } else {
            /* No address requested (a broken client): allocate any and ACK,
             * like Kea (spec §3.17). */
            addr = choose_address(s, r);
            if (!addr) {
                count_alloc_fail(r->subnet->id, STAT_V4_ALLOCATION_FAIL_SUBNET,
                                 SSTAT_V4_ALLOCATION_FAIL_SUBNET);
                return ALLOC_EXHAUSTED;
            }
        }
        struct lease4 cur;
        bool have_cur;
        enum addr_status st = addr_status(s, r, addr, &cur, &have_cur);
        if (st == ADDR_TAKEN)
            continue; /* raced: re-evaluate */
        make_lease(r, addr, lease);
        if (r->cfg->hooks) {
            int hk = lease_hooks(s, r, lease, have_cur && st == ADDR_OWN ? &cur : NULL, done, ctx);
            if (hk >= 0)
                return (enum alloc_result)hk;
        }
        int rc;
        if (have_cur && st == ADDR_OWN)
            rc = s->ops->submit(s, LEASE_OP_UPDATE, lease, &cur, done, ctx);
        else
            rc = s->ops->submit(s, LEASE_OP_ADD, lease, NULL, done, ctx);
        if (rc == LEASE_E_CONFLICT || rc == LEASE_E_NOT_FOUND)
            continue;
        if (rc != LEASE_OK) {
            LOG_ERROR("DHCP4_LEASE_STORE_ERROR", "lease store refused %u.%u.%u.%u: %s",
                      addr >> 24, (addr >> 16) & 255, (addr >> 8) & 255, addr & 255,
                      lease_strerror(rc));
            return ALLOC_ERROR;
        }
        /* An expired lease of another client replaced: Kea reclaims it first. */
        if (have_cur && st != ADDR_OWN && (cur.state == LEASE_STATE_DEFAULT ||
                                           cur.state == LEASE_STATE_DECLINED))
            stats_lease_reclaimed(&cur);
        stats_lease_changed(have_cur ? &cur : NULL, lease);
        /* The client moved to another address: its old lease goes. */
        if (have_existing && existing.addr != addr &&
            s->ops->submit(s, LEASE_OP_DELETE, &existing, &existing, NULL, NULL) == LEASE_OK) {
            stats_lease_changed(&existing, NULL);
            if (r->client.query)
                hooks_note_lease(r->client.query, &existing, true);
        }
        if (r->client.query)
            hooks_note_lease(r->client.query, lease, false);
        return ALLOC_OK;
    }
    return r->hint ? ALLOC_NAK : ALLOC_EXHAUSTED;
}

static bool affinity_enabled(const struct cfg4 *cfg)
{
    return cfg->expired.flush_reclaimed_timer_wait_time > 0 && cfg->expired.hold_reclaimed_time > 0;
}

enum alloc_result alloc_release(struct lease_store *s, const struct cfg4 *cfg,
                                const struct alloc_client *c, uint32_t addr, int64_t now)
{
    struct lease4 cur;
    if (s->ops->get_by_addr(s, addr, &cur) != LEASE_OK || !alloc_lease_belongs(&cur, c) ||
        cur.state != LEASE_STATE_DEFAULT)
        return ALLOC_DROP;
    if (hooks_on(cfg->hooks, DORA_HOOK_LEASE4_RELEASE) &&
        hooks_lease4(cfg, DORA_HOOK_LEASE4_RELEASE, c->query, cfg4_subnet_by_id(cfg, cur.subnet_id),
                     &cur, false) != DORA_HOOK_CONTINUE)
        return ALLOC_DROP;   /* SKIP or DROP: not released, normal expiry applies */
    int rc;
    if (affinity_enabled(cfg) && cur.valid_lft != LEASE_INFINITE) {
        /* Keep the row so the client gets the same address back (spec §3.8). */
        struct lease4 upd = cur;
        upd.valid_lft = 0;
        upd.cltt = now;
        upd.state = LEASE_STATE_RELEASED;
        rc = s->ops->submit(s, LEASE_OP_UPDATE, &upd, &cur, NULL, NULL);
        if (rc == LEASE_OK)
            stats_lease_changed(&cur, &upd);
    } else {
        rc = s->ops->submit(s, LEASE_OP_DELETE, &cur, &cur, NULL, NULL);
        if (rc == LEASE_OK)
            stats_lease_changed(&cur, NULL);
    }
    if (rc == LEASE_OK && c->query)
        hooks_note_lease(c->query, &cur, true);
    return rc == LEASE_OK ? ALLOC_OK : ALLOC_DROP;
}

enum alloc_result alloc_decline(struct lease_store *s, const struct cfg4 *cfg,
                                const struct alloc_client *c, uint32_t addr, int64_t now)
{
    struct lease4 cur;
    if (s->ops->get_by_addr(s, addr, &cur) != LEASE_OK || !alloc_lease_belongs(&cur, c) ||
        cur.state != LEASE_STATE_DEFAULT || lease4_expired(&cur, now))
        return ALLOC_DROP;
    if (hooks_on(cfg->hooks, DORA_HOOK_LEASE4_DECLINE) &&
        hooks_lease4(cfg, DORA_HOOK_LEASE4_DECLINE, c->query, cfg4_subnet_by_id(cfg, cur.subnet_id),
                     &cur, false) != DORA_HOOK_CONTINUE)
        return ALLOC_DROP;   /* SKIP or DROP: not declined */
    /* Spec §3.9: identity wiped, probation lifetime, state declined. */
    struct lease4 upd = cur;
    upd.hwaddr_len = 0;
    upd.client_id_len = 0;
    upd.hostname[0] = '\0';
    upd.fqdn_fwd = upd.fqdn_rev = false;
    upd.cltt = now;
    upd.valid_lft = cfg->decline_probation_period;
    upd.state = LEASE_STATE_DECLINED;
    if (s->ops->submit(s, LEASE_OP_UPDATE, &upd, &cur, NULL, NULL) != LEASE_OK)
        return ALLOC_DROP;
    if (c->query)
        hooks_note_lease(c->query, &upd, false);
    stats_lease_changed(&cur, &upd);
    return ALLOC_OK;
}

static int64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* lease4_recover for a declined lease past its probation, else lease4_expire. */
static enum dora_hook_status reclaim_hooks(const struct cfg4 *cfg, struct lease4 *l, bool affinity)
{
    enum dora_hook_point p = l->state == LEASE_STATE_DECLINED ? DORA_HOOK_LEASE4_RECOVER
                                                              : DORA_HOOK_LEASE4_EXPIRE;
    if (!hooks_on(cfg->hooks, p))
        return DORA_HOOK_CONTINUE;
    bool remove = !(affinity && l->state == LEASE_STATE_DEFAULT);
    return hooks_reclaim(cfg, p, l, remove);
}

int alloc_reclaim(struct lease_store *s, const struct cfg4 *cfg, int64_t now,
                  uint32_t max_leases, uint32_t max_ms)
{
    enum { BATCH = 64 };
    struct lease4 batch[BATCH];
    int64_t deadline = monotonic_ms() + max_ms;
    uint32_t done = 0;
    bool affinity = affinity_enabled(cfg);

    for (;;) {
        size_t want = BATCH;
        if (max_leases && max_leases - done < want)
            want = max_leases - done;
        if (!want)
            break;
        int n = s->ops->get_expired(s, now, batch, want);
        if (n <= 0)
            break;
        uint32_t progress = 0;
        for (int i = 0; i < n; i++) {
            struct lease4 *l = &batch[i];
            int rc;
            if (cfg->hooks && reclaim_hooks(cfg, l, affinity) == DORA_HOOK_SKIP)
                continue; /* recover: retried next cycle; expire: the callout reclaimed it */
            struct lease4 upd = *l;
            bool keep = affinity && l->state == LEASE_STATE_DEFAULT;
            if (keep) {
                upd.state = LEASE_STATE_EXPIRED_RECLAIMED;
                rc = s->ops->submit(s, LEASE_OP_UPDATE, &upd, l, NULL, NULL);
            } else {
                rc = s->ops->submit(s, LEASE_OP_DELETE, l, l, NULL, NULL);
            }
            if (rc != LEASE_OK)
                continue; /* changed meanwhile (renewed): nothing to reclaim */
            progress++;
            stats_lease_reclaimed(l);
            stats_lease_changed(l, keep ? &upd : NULL);
        }
        done += progress;
        if (!progress || (max_ms && monotonic_ms() >= deadline))
            break;
    }
    return (int)done;
}
