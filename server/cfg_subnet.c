/*
 * subnet4 entries (ARM §9.2.6-9.2.8, spec §1.5): prefix, id, pools,
 * relay addresses, interface, options and reservations, plus the network
 * parameters resolved subnet -> global -> Kea default so the packet path
 * reads final values.
 */
#include "server/cfg_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#define SUBNET_ID_MAX 4294967294u   /* 0 and 2^32-1 are reserved (spec §1.5) */

static const struct cfg_key subnet_keys[] = {
    USE("id"), USE("subnet"), USE("pools"), USE("option-data"), USE("reservations"),
    USE("interface"), USE("relay"), USE("client-class"), USE("client-classes"),
    USE("require-client-classes"), USE("evaluate-additional-classes"),
    IGN("4o6-interface"), IGN("4o6-interface-id"), IGN("4o6-subnet"),
    { NULL, CK_END }
};

static const struct cfg_key pool_keys[] = {
    USE("pool"), USE("pool-id"), USE("option-data"), USE("client-class"),
    USE("client-classes"),
    USE("require-client-classes"), USE("evaluate-additional-classes"),
    CFG_DDNS_KEYS,
    { NULL, CK_END }
};

static const struct cfg_key relay_keys[] = {
    USE("ip-addresses"), USE("ip-address"),
    { NULL, CK_END }
};

static uint32_t mask_of(unsigned plen)
{
    return plen == 0 ? 0 : 0xffffffffu << (32 - plen);
}

/* "a.b.c.d/len"; the address is returned as written (Kea accepts
 * non-canonical prefixes, ARM §9.2.7). */
static int parse_prefix(const char *s, uint32_t *addr, unsigned *plen)
{
    const char *slash = strchr(s, '/');
    char a[16];
    unsigned len = 0;

    if (slash == NULL || (size_t)(slash - s) >= sizeof(a) || slash[1] == '\0')
        return -1;
    memcpy(a, s, (size_t)(slash - s));
    a[slash - s] = '\0';
    for (const char *p = slash + 1; *p; p++) {
        if (*p < '0' || *p > '9' || p - slash > 2)
            return -1;
        len = len * 10 + (unsigned)(*p - '0');
    }
    if (len > 32 || cfg_parse_ipv4(a, addr) < 0)
        return -1;
    *plen = len;
    return 0;
}

static const char *skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* "first - last" (spaces optional) or "prefix/len", which includes the
 * network and broadcast addresses (ARM §9.2.8). */
static int parse_pool_text(const char *s, uint32_t *first, uint32_t *last)
{
    const char *dash = strchr(s, '-');
    char a[32], b[32];

    if (dash != NULL) {
        const char *p = skip_ws(s), *e = dash;
        while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
            e--;
        if ((size_t)(e - p) >= sizeof(a))
            return -1;
        memcpy(a, p, (size_t)(e - p));
        a[e - p] = '\0';
        p = skip_ws(dash + 1);
        e = p + strlen(p);
        while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
            e--;
        if ((size_t)(e - p) >= sizeof(b))
            return -1;
        memcpy(b, p, (size_t)(e - p));
        b[e - p] = '\0';
        return cfg_parse_ipv4(a, first) == 0 && cfg_parse_ipv4(b, last) == 0 ? 0 : -1;
    }
    unsigned plen;
    uint32_t addr;
    const char *p = skip_ws(s), *e = p + strlen(p);
    while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
        e--;
    if ((size_t)(e - p) >= sizeof(a))
        return -1;
    memcpy(a, p, (size_t)(e - p));
    a[e - p] = '\0';
    if (parse_prefix(a, &addr, &plen) < 0)
        return -1;
    *first = addr & mask_of(plen);
    *last = *first | ~mask_of(plen);
    return 0;
}

static void fmt_pool(const struct cfg_pool *p, char out[40])
{
    char a[16], b[16];

    cfg_fmt_ipv4(p->first, a);
    cfg_fmt_ipv4(p->last, b);
    snprintf(out, 40, "%s - %s", a, b);
}

static int parse_pool(struct cfg_ctx *ctx, struct json_object *o, const struct cfg_subnet4 *s,
                      struct cfg_pool *pool)
{
    const char *text;
    bool set;
    char p[16], r[40];

    if (cfg_expect_type(ctx, NULL, o, json_type_object) < 0 ||
        cfg_check_keys(ctx, o, pool_keys, NULL) < 0 ||
        cfg_class_guard_parse(ctx, o, &pool->guard, &pool->additional) < 0 ||
        cfg_get_str(ctx, o, "pool", &text, &set) < 0 ||
        cfg_get_u32(ctx, o, "pool-id", &pool->pool_id, NULL) < 0)
        return -1;
    if (!set)
        return cfg_fail(ctx, "missing parameter 'pool'");
    if (parse_pool_text(text, &pool->first, &pool->last) < 0)
        return cfg_fail(ctx, "pool '%s' is not a range 'first - last' or a prefix "
                        "'address/length'", text);
    fmt_pool(pool, r);
    if (pool->first > pool->last)
        return cfg_fail(ctx, "pool %s: the first address is greater than the last", r);
    if ((pool->first & s->mask) != s->prefix || (pool->last & s->mask) != s->prefix) {
        cfg_fmt_ipv4(s->prefix, p);
        return cfg_fail(ctx, "pool %s is outside subnet %s/%u", r, p, s->plen);
    }
    pool->cursor = 0; /* iterative allocator offset from first */
    return cfg_options_parse(ctx, o, &pool->options);
}

struct pool_ref {
    uint32_t first, last;
    size_t   idx;
};

static int pool_ref_cmp(const void *a, const void *b)
{
    const struct pool_ref *x = a, *y = b;

    if (x->first != y->first)
        return x->first < y->first ? -1 : 1;
    return x->idx < y->idx ? -1 : (x->idx > y->idx);
}

/* Pools of one subnet must not overlap (ARM §9.2.8 table). Sorting makes
 * this O(n log n); the pool reported is the later one in the config. */
static int check_overlaps(struct cfg_ctx *ctx, struct cfg_subnet4 *s)
{
    struct pool_ref *v;
    size_t bad = SIZE_MAX, other = 0;

    if (s->n_pools < 2)
        return 0;
    v = malloc(s->n_pools * sizeof(*v));
    if (v == NULL)
        return cfg_oom(ctx);
    for (size_t i = 0; i < s->n_pools; i++)
        v[i] = (struct pool_ref){ s->pools[i].first, s->pools[i].last, i };
    qsort(v, s->n_pools, sizeof(*v), pool_ref_cmp);
    /* Track the pool reaching furthest so far: any later start at or
     * below its end overlaps it. */
    size_t far = 0;
    for (size_t i = 1; i < s->n_pools; i++) {
        if (v[i].first <= v[far].last) {
            size_t later = v[i].idx > v[far].idx ? v[i].idx : v[far].idx;
            if (later < bad) {
                bad = later;
                other = v[i].idx > v[far].idx ? v[far].idx : v[i].idx;
            }
        }
        if (v[i].last > v[far].last)
            far = i;
    }
    free(v);
    if (bad == SIZE_MAX)
        return 0;
    char a[40], b[40];
    fmt_pool(&s->pools[bad], a);
    fmt_pool(&s->pools[other], b);
    size_t old = cfg_path_key(ctx, "pools");
    cfg_path_idx(ctx, bad);
    cfg_fail(ctx, "pool %s overlaps pool %s (pools[%zu])", a, b, other);
    cfg_path_pop(ctx, old);
    return -1;
}

static int parse_pools(struct cfg_ctx *ctx, struct json_object *o, struct cfg_subnet4 *s)
{
    struct json_object *list;

    if (cfg_get_array(ctx, o, "pools", &list) < 0)
        return -1;
    size_t n = list ? json_object_array_length(list) : 0;
    if (n == 0)
        return 0;
    s->pools = calloc(n, sizeof(*s->pools));
    if (s->pools == NULL)
        return cfg_oom(ctx);
    size_t old = cfg_path_key(ctx, "pools");
    for (size_t i = 0; i < n; i++) {
        size_t o2 = cfg_path_idx(ctx, i);
        s->n_pools++;   /* counted first so its options are freed on error */
        if (parse_pool(ctx, json_object_array_get_idx(list, i), s, &s->pools[i]) < 0)
            return -1;
        s->total_addresses += (uint64_t)(s->pools[i].last - s->pools[i].first) + 1;
        cfg_path_pop(ctx, o2);
    }
    cfg_path_pop(ctx, old);
    return check_overlaps(ctx, s);
}

/* relay: {"ip-addresses": [...]} or the pre-1.7 {"ip-address": "..."}. */
int cfg_relay_parse(struct cfg_ctx *ctx, struct json_object *o, uint32_t **addrs, size_t *n_addrs)
{
    struct json_object *relay, *list;
    uint32_t one;
    bool has_one;
    int rc = -1;

    if (cfg_get_object(ctx, o, "relay", &relay) < 0)
        return -1;
    if (relay == NULL)
        return 0;
    size_t old = cfg_path_key(ctx, "relay");
    if (cfg_check_keys(ctx, relay, relay_keys, NULL) < 0 ||
        cfg_get_str_list(ctx, relay, "ip-addresses", &list) < 0 ||
        cfg_get_ipv4(ctx, relay, "ip-address", &one, &has_one) < 0)
        goto out;
    if (list != NULL && has_one) {
        cfg_fail(ctx, "use either ip-addresses or ip-address, not both");
        goto out;
    }
    if (list == NULL && !has_one) {
        cfg_fail(ctx, "missing parameter 'ip-addresses'");
        goto out;
    }
    size_t n = has_one ? 1 : json_object_array_length(list);
    *addrs = calloc(n ? n : 1, sizeof(**addrs));
    if (*addrs == NULL) {
        cfg_oom(ctx);
        goto out;
    }
    if (has_one) {
        (*addrs)[(*n_addrs)++] = one;
    } else {
        size_t o2 = cfg_path_key(ctx, "ip-addresses");
        for (size_t i = 0; i < n; i++) {
            const char *a = json_object_get_string(json_object_array_get_idx(list, i));
            if (cfg_parse_ipv4(a, &(*addrs)[*n_addrs]) < 0) {
                cfg_path_idx(ctx, i);
                cfg_fail(ctx, "'%s' is not an IPv4 address", a);
                goto out;
            }
            (*n_addrs)++;
        }
        cfg_path_pop(ctx, o2);
    }
    rc = 0;
out:
    cfg_path_pop(ctx, old);
    return rc;
}

int cfg_interface_parse(struct cfg_ctx *ctx, struct json_object *o, char **out)
{
    const char *name, *why;
    bool set;

    if (cfg_get_str(ctx, o, "interface", &name, &set) < 0)
        return -1;
    if (!set)
        return 0;
    why = cfg_iface_name_problem(name, strlen(name));
    if (why != NULL)
        return cfg_fail_key(ctx, "interface", "bad interface '%s': %s", name, why);
    *out = cfg_strdup(ctx, name);
    return *out ? 0 : -1;
}

/* Subnet value, else global value, else Kea's default (spec §1.3). */
static int resolve(struct cfg_ctx *ctx, struct cfg_subnet4 *s, const struct cfg_net *sn,
                   const struct cfg_net *g)
{
#define PICK(field, has, dflt) \
    (sn->has ? sn->field : (g->has ? g->field : (dflt)))
    if (sn->has_triplet) {
        s->valid_lft = sn->valid, s->min_valid_lft = sn->min_valid, s->max_valid_lft = sn->max_valid;
    } else if (g->has_triplet) {
        s->valid_lft = g->valid, s->min_valid_lft = g->min_valid, s->max_valid_lft = g->max_valid;
    } else {
        s->valid_lft = s->min_valid_lft = s->max_valid_lft = 7200;
    }
    s->has_renew_timer = sn->has_renew || g->has_renew;
    s->renew_timer = PICK(renew, has_renew, 0);
    s->has_rebind_timer = sn->has_rebind || g->has_rebind;
    s->rebind_timer = PICK(rebind, has_rebind, 0);
    s->calculate_tee_times = PICK(calc_tee, has_calc_tee, false);
    s->t1_percent = PICK(t1, has_t1, 0.5);
    s->t2_percent = PICK(t2, has_t2, 0.875);
    s->match_client_id = PICK(match_client_id, has_match_client_id, true);
    s->authoritative = PICK(authoritative, has_authoritative, false);
    s->reservations_global = PICK(res_global, has_res_global, false);
    s->reservations_in_subnet = PICK(res_in_subnet, has_res_in_subnet, true);
    s->reservations_out_of_pool = PICK(res_oop, has_res_oop, false);
    s->next_server = PICK(next_server, has_next_server, 0);
    s->has_next_server = s->next_server != 0;
    s->allocator = PICK(allocator, has_allocator, CFG_ALLOC_ITERATIVE);
#undef PICK
    const char *sh = sn->server_hostname ? sn->server_hostname : g->server_hostname;
    const char *bf = sn->boot_file_name ? sn->boot_file_name : g->boot_file_name;
    s->server_hostname = cfg_strdup(ctx, sh ? sh : "");
    s->boot_file_name = cfg_strdup(ctx, bf ? bf : "");
    return s->server_hostname && s->boot_file_name ? 0 : -1;
}

int cfg_subnet_parse_one(struct cfg_ctx *ctx, struct json_object *o, uint32_t id,
                         const struct cfg_net *global, struct cfg_subnet4 *s)
{
    struct cfg_net net;
    const char *text;
    uint32_t addr;
    unsigned plen;
    bool set;

    /* Keys and id were checked by the first pass. */
    if (cfg_get_str(ctx, o, "subnet", &text, &set) < 0)
        return -1;
    if (!set)
        return cfg_fail(ctx, "missing parameter 'subnet'");
    if (parse_prefix(text, &addr, &plen) < 0)
        return cfg_fail_key(ctx, "subnet", "'%s' is not a prefix 'address/length' "
                            "(like 192.0.2.0/24)", text);
    s->id = id;
    s->plen = (uint8_t)plen;
    s->mask = mask_of(plen);
    s->prefix = addr & s->mask;
    if (cfg_class_guard_parse(ctx, o, &s->guard, &s->additional) < 0 ||
        cfg_net_parse(ctx, o, &net, global) < 0 ||
        cfg_interface_parse(ctx, o, &s->interface) < 0 ||
        cfg_relay_parse(ctx, o, &s->relay_addrs, &s->n_relay) < 0 ||
        cfg_options_parse(ctx, o, &s->options) < 0 || parse_pools(ctx, o, s) < 0 ||
        cfg_reservations_parse(ctx, o, s, &s->hosts, &s->n_hosts) < 0)
        return -1;
    return resolve(ctx, s, &net, global);
}

struct id_ref {
    uint32_t id;
    uint32_t extra;   /* plen for prefix duplicates */
    size_t   idx;
};

static int id_ref_cmp(const void *a, const void *b)
{
    const struct id_ref *x = a, *y = b;

    if (x->id != y->id)
        return x->id < y->id ? -1 : 1;
    if (x->extra != y->extra)
        return x->extra < y->extra ? -1 : 1;
    return x->idx < y->idx ? -1 : (x->idx > y->idx);
}

/* Sort refs and return the config index of the first entry that repeats
 * an earlier one (SIZE_MAX when none); *earlier gets the first holder. */
static size_t first_repeat(struct id_ref *v, size_t n, size_t *earlier)
{
    size_t bad = SIZE_MAX, run = 0;

    qsort(v, n, sizeof(*v), id_ref_cmp);
    for (size_t i = 1; i < n; i++) {
        if (v[i].id != v[run].id || v[i].extra != v[run].extra) {
            run = i;
        } else if (v[i].idx < bad) {
            bad = v[i].idx;
            *earlier = v[run].idx;   /* runs are sorted by index too */
        }
    }
    return bad;
}

/* Where a subnet came from, for messages naming another subnet. */
static void src_name(const struct cfg_subnet_src *src, char *out, size_t cap)
{
    if (src->net == SIZE_MAX)
        snprintf(out, cap, "subnet4[%zu]", src->idx);
    else
        snprintf(out, cap, "shared-networks[%zu].subnet4[%zu]", src->net, src->idx);
}

/* First pass: keys, ids (explicit ones checked and unique across the
 * top level and every shared network; missing ones assigned like Kea, the
 * lowest unused from 1 in config order). */
static int assign_ids(struct cfg_ctx *ctx, const struct cfg_subnet_src *src, size_t n,
                      uint32_t *ids)
{
    struct id_ref *v = calloc(n ? n : 1, sizeof(*v));
    size_t nv = 0, earlier = 0, old = ctx->plen;
    int rc = -1;

    if (v == NULL)
        return cfg_oom(ctx);
    for (size_t i = 0; i < n; i++) {
        struct json_object *o = src[i].obj;
        int64_t id;
        bool set;
        cfg_path_subnet_src(ctx, &src[i]);
        if (cfg_expect_type(ctx, NULL, o, json_type_object) < 0 ||
            cfg_check_keys(ctx, o, subnet_keys, cfg_net_keys) < 0 ||
            cfg_get_int(ctx, o, "id", 0, INT64_MAX, &id, &set) < 0)
            goto out;
        if (set && (id < 1 || id > SUBNET_ID_MAX)) {
            cfg_fail_key(ctx, "id", "subnet id %lld is invalid; it must be between 1 and %u",
                         (long long)id, SUBNET_ID_MAX);
            goto out;
        }
        ids[i] = set ? (uint32_t)id : 0;
        if (set)
            v[nv++] = (struct id_ref){ (uint32_t)id, 0, i };
        cfg_path_pop(ctx, old);
    }
    size_t bad = first_repeat(v, nv, &earlier);
    if (bad != SIZE_MAX) {
        char other[64];
        src_name(&src[earlier], other, sizeof(other));
        cfg_path_subnet_src(ctx, &src[bad]);
        cfg_fail_key(ctx, "id", "subnet id %u is already used by %s", ids[bad], other);
        goto out;
    }
    /* v is sorted by id now: walk it alongside the candidate. */
    uint32_t next = 1;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (ids[i] != 0)
            continue;
        while (k < nv && v[k].id < next)
            k++;
        while (k < nv && v[k].id == next) {
            next++;
            k++;
        }
        if (next > SUBNET_ID_MAX) {
            cfg_path_subnet_src(ctx, &src[i]);
            cfg_fail(ctx, "no free subnet id left to assign");
            goto out;
        }
        ids[i] = next++;
    }
    rc = 0;
out:
    free(v);
    return rc;
}

/* Kea refuses a subnet whose text form repeats another (ARM §9.2.7), in
 * or out of shared networks; "192.0.2.1/24" and "192.0.2.0/24" are
 * different texts and both pass. */
static int check_duplicate_prefixes(struct cfg_ctx *ctx, const struct cfg_subnet_src *src)
{
    struct cfg4 *cfg = ctx->cfg;
    struct id_ref *v = calloc(cfg->n_subnets ? cfg->n_subnets : 1, sizeof(*v));
    size_t earlier = 0;

    if (v == NULL)
        return cfg_oom(ctx);
    for (size_t i = 0; i < cfg->n_subnets; i++) {
        const char *text = json_object_get_string(cfg_member(src[i].obj, "subnet", NULL));
        uint32_t addr = 0;
        unsigned plen = 0;
        parse_prefix(text, &addr, &plen);   /* parsed fine by cfg_subnet_parse_one */
        v[i] = (struct id_ref){ addr, plen, i };
    }
    size_t bad = first_repeat(v, cfg->n_subnets, &earlier);
    free(v);
    if (bad == SIZE_MAX)
        return 0;
    struct cfg_subnet4 *s = &cfg->subnets[bad];
    char p[16], other[64];
    cfg_fmt_ipv4(s->prefix, p);
    src_name(&src[earlier], other, sizeof(other));
    cfg_path_subnet_src(ctx, &src[bad]);
    return cfg_fail_key(ctx, "subnet", "subnet %s/%u is already defined in %s",
                        p, s->plen, other);
}

int cfg_subnets_parse(struct cfg_ctx *ctx, struct json_object *dhcp4,
                      const struct cfg_net *global)
{
    struct cfg4 *cfg = ctx->cfg;
    struct json_object *list, *nets;
    struct cfg_subnet_src *src = NULL;
    uint32_t *ids = NULL;
    size_t n_top, n_all = 0, old = ctx->plen;
    int rc = -1;

    if (cfg_get_array(ctx, dhcp4, "subnet4", &list) < 0 ||
        cfg_shared_sources(ctx, dhcp4, &nets, NULL, &n_all) < 0)
        return -1;
    n_top = list ? json_object_array_length(list) : 0;
    n_all += n_top;
    if (n_all == 0 && nets == NULL)
        return 0;
    cfg->subnets = calloc(n_all ? n_all : 1, sizeof(*cfg->subnets));
    src = calloc(n_all ? n_all : 1, sizeof(*src));
    ids = calloc(n_all ? n_all : 1, sizeof(*ids));
    if (cfg->subnets == NULL || ids == NULL || src == NULL) {
        cfg_oom(ctx);
        goto out;
    }
    for (size_t i = 0; i < n_top; i++)
        src[i] = (struct cfg_subnet_src){ json_object_array_get_idx(list, i), SIZE_MAX, i };
    if (cfg_shared_sources(ctx, dhcp4, &nets, src + n_top, NULL) < 0 ||
        assign_ids(ctx, src, n_all, ids) < 0)
        goto out;
    for (size_t i = 0; i < n_top; i++) {
        cfg_path_subnet_src(ctx, &src[i]);
        cfg->n_subnets++;   /* counted first so a half-built subnet is freed */
        if (cfg_subnet_parse_one(ctx, src[i].obj, ids[i], global, &cfg->subnets[i]) < 0)
            goto out;
        cfg_path_pop(ctx, old);
    }
    if (cfg_shared_parse(ctx, nets, global, ids + n_top) < 0 ||
        check_duplicate_prefixes(ctx, src) < 0)
        goto out;
    rc = 0;
out:
    free(ids);
    free(src);
    if (rc == 0)
        cfg_path_pop(ctx, old);
    return rc;
}
