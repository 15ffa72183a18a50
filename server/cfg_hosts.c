/*
 * Lookup tables over the loaded configuration: reservations by (subnet,
 * identifier) and by (subnet, address) in open-addressing hash tables, and
 * subnets by id in a sorted array. Built once at load, read-only after, so
 * lookups from any number of worker threads need no locking. Building the
 * tables is also where duplicate reservations are found: two for one
 * identifier in a scope, or (with ip-reservations-unique, ARM §9.3.12) two
 * for one address in a subnet.
 */
#include "server/cfg_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct subnet_ref {
    uint32_t id;
    size_t   idx;
};

struct cfg_index {
    const struct cfg_host **by_id;     /* NULL = empty slot */
    const struct cfg_host **by_addr;
    size_t                  mask;      /* both tables have mask + 1 slots */
    struct subnet_ref      *subnets;   /* sorted by id */
    size_t                  n_subnets;
};

/* splitmix64's finaliser: cheap and mixes every input bit. */
static uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    x ^= x >> 31;
    return x;
}

static uint64_t hash_id(uint32_t subnet_id, enum host_id_type t, const uint8_t *id, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ull;   /* FNV-1a over the identifier */

    for (size_t i = 0; i < len; i++) {
        h ^= id[i];
        h *= 0x100000001b3ull;
    }
    return mix64(h ^ ((uint64_t)subnet_id << 8) ^ (uint64_t)t ^ ((uint64_t)len << 40));
}

static uint64_t hash_addr(uint32_t subnet_id, uint32_t addr)
{
    return mix64((uint64_t)subnet_id << 32 | addr);
}

static bool same_id(const struct cfg_host *h, uint32_t subnet_id, enum host_id_type t,
                    const uint8_t *id, size_t len)
{
    return h->subnet_id == subnet_id && h->id_type == t && h->id_len == len &&
           memcmp(h->id, id, len) == 0;
}

/* Insert h; returns the host already holding the key, or NULL. */
static const struct cfg_host *put_id(struct cfg_index *ix, const struct cfg_host *h)
{
    size_t i = hash_id(h->subnet_id, h->id_type, h->id, h->id_len) & ix->mask;

    while (ix->by_id[i] != NULL) {
        if (same_id(ix->by_id[i], h->subnet_id, h->id_type, h->id, h->id_len))
            return ix->by_id[i];
        i = (i + 1) & ix->mask;
    }
    ix->by_id[i] = h;
    return NULL;
}

static const struct cfg_host *put_addr(struct cfg_index *ix, const struct cfg_host *h)
{
    size_t i = hash_addr(h->subnet_id, h->ip) & ix->mask;

    while (ix->by_addr[i] != NULL) {
        const struct cfg_host *o = ix->by_addr[i];
        if (o->subnet_id == h->subnet_id && o->ip == h->ip)
            return o;
        i = (i + 1) & ix->mask;
    }
    ix->by_addr[i] = h;
    return NULL;
}

static int dup_error(struct cfg_ctx *ctx, const struct cfg_host *hosts, size_t j,
                     const struct cfg_host *prev, bool by_addr, bool global)
{
    const struct cfg_host *h = &hosts[j];
    size_t k = (size_t)(prev - hosts);
    const char *scope = global ? "among the global reservations" : "in this subnet";

    cfg_path_key(ctx, "reservations");
    cfg_path_idx(ctx, j);
    if (by_addr) {
        char a[16];
        cfg_fmt_ipv4(h->ip, a);
        return cfg_fail_key(ctx, "ip-address", "address %s is already reserved %s "
                            "(reservations[%zu])", a, scope, k);
    }
    char hex[3 * HOST_ID_MAX + 1];
    hex_format(h->id, h->id_len, ':', hex);
    return cfg_fail_key(ctx, cfg_host_id_names[h->id_type], "another reservation for %s %s "
                        "exists %s (reservations[%zu])", cfg_host_id_names[h->id_type], hex,
                        scope, k);
}

static int index_hosts(struct cfg_ctx *ctx, struct cfg_index *ix, const struct cfg_host *hosts,
                       size_t n, bool global)
{
    for (size_t j = 0; j < n; j++) {
        const struct cfg_host *prev = put_id(ix, &hosts[j]);
        if (prev != NULL)
            return dup_error(ctx, hosts, j, prev, false, global);
        if (hosts[j].ip == 0)
            continue;
        prev = put_addr(ix, &hosts[j]);
        /* With ip-reservations-unique false the first one stays the
         * answer of cfg4_host_by_addr. */
        if (prev != NULL && ctx->ip_reservations_unique)
            return dup_error(ctx, hosts, j, prev, true, global);
    }
    return 0;
}

static int subnet_ref_cmp(const void *a, const void *b)
{
    const struct subnet_ref *x = a, *y = b;

    return x->id < y->id ? -1 : (x->id > y->id);
}

void cfg_index_free(void *index)
{
    struct cfg_index *ix = index;

    if (ix == NULL)
        return;
    free(ix->by_id);
    free(ix->by_addr);
    free(ix->subnets);
    free(ix);
}

int cfg_index_build(struct cfg_ctx *ctx)
{
    struct cfg4 *cfg = ctx->cfg;
    struct cfg_index *ix = calloc(1, sizeof(*ix));
    size_t total = cfg->n_hosts, slots = 16;

    if (ix == NULL)
        return cfg_oom(ctx);
    cfg->host_index = ix;   /* freed with cfg on any error below */
    for (size_t i = 0; i < cfg->n_subnets; i++)
        total += cfg->subnets[i].n_hosts;
    /* Load factor at most 1/2 keeps linear probing short. */
    while (slots < 2 * total)
        slots *= 2;
    ix->mask = slots - 1;
    ix->by_id = calloc(slots, sizeof(*ix->by_id));
    ix->by_addr = calloc(slots, sizeof(*ix->by_addr));
    ix->subnets = calloc(cfg->n_subnets ? cfg->n_subnets : 1, sizeof(*ix->subnets));
    if (ix->by_id == NULL || ix->by_addr == NULL || ix->subnets == NULL)
        return cfg_oom(ctx);

    size_t old = ctx->plen;
    if (index_hosts(ctx, ix, cfg->hosts, cfg->n_hosts, true) < 0)
        return -1;
    for (size_t i = 0; i < cfg->n_subnets; i++) {
        const struct cfg_subnet4 *s = &cfg->subnets[i];
        struct cfg_subnet_src src = { NULL, SIZE_MAX, i };
        if (s->network != NULL) {
            src.net = (size_t)(s->network - cfg->networks);
            src.idx = i - s->network->first_subnet;
        }
        cfg_path_subnet_src(ctx, &src);
        if (index_hosts(ctx, ix, s->hosts, s->n_hosts, false) < 0)
            return -1;
        cfg_path_pop(ctx, old);
        ix->subnets[i] = (struct subnet_ref){ s->id, i };
    }
    ix->n_subnets = cfg->n_subnets;
    qsort(ix->subnets, ix->n_subnets, sizeof(*ix->subnets), subnet_ref_cmp);
    return 0;
}

const struct cfg_subnet4 *cfg4_subnet_by_id(const struct cfg4 *cfg, uint32_t id)
{
    const struct cfg_index *ix;

    if (cfg == NULL)
        return NULL;
    ix = cfg->host_index;
    if (ix == NULL) {
        /* A cfg4 built by hand (tests of other modules) has no index. */
        for (size_t i = 0; i < cfg->n_subnets; i++)
            if (cfg->subnets[i].id == id)
                return &cfg->subnets[i];
        return NULL;
    }
    size_t lo = 0, hi = ix->n_subnets;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ix->subnets[mid].id == id)
            return &cfg->subnets[ix->subnets[mid].idx];
        if (ix->subnets[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* The reservations of one scope, for the index-less fallback. */
static const struct cfg_host *scope_hosts(const struct cfg4 *cfg, uint32_t subnet_id, size_t *n)
{
    if (subnet_id == 0) {
        *n = cfg->n_hosts;
        return cfg->hosts;
    }
    const struct cfg_subnet4 *s = cfg4_subnet_by_id(cfg, subnet_id);
    *n = s ? s->n_hosts : 0;
    return s ? s->hosts : NULL;
}

const struct cfg_host *cfg4_host_find(const struct cfg4 *cfg, uint32_t subnet_id,
                                      enum host_id_type type, const uint8_t *id, size_t len)
{
    const struct cfg_index *ix;

    if (cfg == NULL || id == NULL || len == 0 || len > HOST_ID_MAX)
        return NULL;
    ix = cfg->host_index;
    if (ix == NULL) {
        size_t n;
        const struct cfg_host *h = scope_hosts(cfg, subnet_id, &n);
        for (size_t i = 0; i < n; i++)
            if (same_id(&h[i], subnet_id, type, id, len))
                return &h[i];
        return NULL;
    }
    for (size_t i = hash_id(subnet_id, type, id, len) & ix->mask; ix->by_id[i] != NULL;
         i = (i + 1) & ix->mask)
        if (same_id(ix->by_id[i], subnet_id, type, id, len))
            return ix->by_id[i];
    return NULL;
}

const struct cfg_host *cfg4_host_by_addr(const struct cfg4 *cfg, uint32_t subnet_id,
                                         uint32_t addr)
{
    const struct cfg_index *ix;

    if (cfg == NULL || addr == 0)
        return NULL;
    ix = cfg->host_index;
    if (ix == NULL) {
        size_t n;
        const struct cfg_host *h = scope_hosts(cfg, subnet_id, &n);
        for (size_t i = 0; i < n; i++)
            if (h[i].ip == addr)
                return &h[i];
        return NULL;
    }
    for (size_t i = hash_addr(subnet_id, addr) & ix->mask; ix->by_addr[i] != NULL;
         i = (i + 1) & ix->mask) {
        const struct cfg_host *h = ix->by_addr[i];
        if (h->subnet_id == subnet_id && h->ip == addr)
            return h;
    }
    return NULL;
}
