/*
 * The per-network parameters that Kea lets both the global scope and each
 * subnet4 entry set (ARM §9.2, spec kea-dhcp4.md §1.2-1.5): the lifetime
 * triplet, T1/T2, client-id matching, authoritative, the reservation flags,
 * the fixed BOOTP fields and the allocator. cfg_subnet.c resolves them
 * subnet -> global -> default.
 */
#include "server/cfg_internal.h"

#include <string.h>


const struct cfg_key cfg_net_keys[] = {
    USE("valid-lifetime"), USE("min-valid-lifetime"), USE("max-valid-lifetime"),
    USE("renew-timer"), USE("rebind-timer"), USE("calculate-tee-times"),
    USE("t1-percent"), USE("t2-percent"),
    USE("match-client-id"), USE("authoritative"),
    USE("reservations-global"), USE("reservations-in-subnet"),
    USE("reservations-out-of-pool"), USE("reservation-mode"),
    USE("next-server"), USE("server-hostname"), USE("boot-file-name"),
    USE("allocator"),
    /* Known to Kea at global and subnet level, not implemented by dora. */
    IGN("cache-threshold"), IGN("cache-max-age"), IGN("offer-lifetime"),
    IGN("store-extended-info"),
    CFG_DDNS_KEYS,
    { NULL, CK_END }
};

/* Kea resolves the (min, default, max) valid-lifetime triplet per scope:
 * a scope that sets any of the three replaces the inherited triplet, and
 * the bounds it leaves out equal its default. A scope setting only min or
 * only max uses that value as the default. */
static int parse_triplet(struct cfg_ctx *ctx, struct json_object *obj, struct cfg_net *net)
{
    uint32_t v = 0, mn = 0, mx = 0;
    bool hv, hmin, hmax;

    if (cfg_get_u32(ctx, obj, "valid-lifetime", &v, &hv) < 0 ||
        cfg_get_u32(ctx, obj, "min-valid-lifetime", &mn, &hmin) < 0 ||
        cfg_get_u32(ctx, obj, "max-valid-lifetime", &mx, &hmax) < 0)
        return -1;
    if (!hv && !hmin && !hmax)
        return 0;
    if (hmin && hmax && mn > mx)
        return cfg_fail_key(ctx, "min-valid-lifetime",
                            "min-valid-lifetime (%u) is greater than max-valid-lifetime (%u)",
                            mn, mx);
    if (!hv)
        v = hmin ? mn : mx;
    if (!hmin)
        mn = v;
    if (!hmax)
        mx = v;
    if (mn > v)
        return cfg_fail_key(ctx, "min-valid-lifetime",
                            "min-valid-lifetime (%u) is greater than valid-lifetime (%u)",
                            mn, v);
    if (v > mx)
        return cfg_fail_key(ctx, "max-valid-lifetime",
                            "valid-lifetime (%u) is greater than max-valid-lifetime (%u)",
                            v, mx);
    net->has_triplet = true;
    net->valid = v;
    net->min_valid = mn;
    net->max_valid = mx;
    return 0;
}

int cfg_valid_triplet_parse(struct cfg_ctx *ctx, struct json_object *obj, bool *has,
                            uint32_t *valid, uint32_t *min, uint32_t *max)
{
    struct cfg_net net;

    memset(&net, 0, sizeof(net));
    if (parse_triplet(ctx, obj, &net) < 0)
        return -1;
    *has = net.has_triplet;
    *valid = net.valid;
    *min = net.min_valid;
    *max = net.max_valid;
    return 0;
}

/* renew-timer (T1) must not exceed rebind-timer (T2) once inherited values
 * are filled in; only checked where this scope sets one of them, so the
 * error names the key actually written here. */
static int check_timers(struct cfg_ctx *ctx, const struct cfg_net *net,
                        const struct cfg_net *parent)
{
    bool hr = net->has_renew || (parent && parent->has_renew);
    bool hb = net->has_rebind || (parent && parent->has_rebind);
    uint32_t r = net->has_renew ? net->renew : (parent ? parent->renew : 0);
    uint32_t b = net->has_rebind ? net->rebind : (parent ? parent->rebind : 0);

    if (!(net->has_renew || net->has_rebind) || !hr || !hb || r <= b)
        return 0;
    return cfg_fail_key(ctx, net->has_renew ? "renew-timer" : "rebind-timer",
                        "renew-timer (%u) is greater than rebind-timer (%u)", r, b);
}

static int get_percent(struct cfg_ctx *ctx, struct json_object *obj, const char *key,
                       double *out, bool *set)
{
    if (cfg_get_real(ctx, obj, key, out, set) < 0)
        return -1;
    if (*set && !(*out > 0.0 && *out < 1.0))
        return cfg_fail_key(ctx, key, "%g is invalid; it must be greater than 0 and less than 1",
                            *out);
    return 0;
}

static int check_percents(struct cfg_ctx *ctx, const struct cfg_net *net,
                          const struct cfg_net *parent)
{
    double t1 = net->has_t1 ? net->t1 : (parent && parent->has_t1 ? parent->t1 : 0.5);
    double t2 = net->has_t2 ? net->t2 : (parent && parent->has_t2 ? parent->t2 : 0.875);

    if (!(net->has_t1 || net->has_t2) || t1 < t2)
        return 0;
    return cfg_fail_key(ctx, net->has_t1 ? "t1-percent" : "t2-percent",
                        "t1-percent (%g) must be less than t2-percent (%g)", t1, t2);
}

/* The pre-1.9.1 reservation-mode string, mapped onto the three flags as
 * ARM §9.3.8 describes. */
static int parse_reservation_mode(struct cfg_ctx *ctx, struct json_object *obj,
                                  struct cfg_net *net)
{
    const char *m;
    bool set;

    if (cfg_get_str(ctx, obj, "reservation-mode", &m, &set) < 0)
        return -1;
    if (!set)
        return 0;
    if (net->has_res_global || net->has_res_in_subnet || net->has_res_oop)
        return cfg_fail_key(ctx, "reservation-mode",
                            "cannot be combined with reservations-global, "
                            "reservations-in-subnet or reservations-out-of-pool");
    bool g = false, in = false, oop = false;
    if (strcmp(m, "disabled") == 0) {
        /* all false */
    } else if (strcmp(m, "global") == 0) {
        g = true;
    } else if (strcmp(m, "out-of-pool") == 0) {
        in = oop = true;
    } else if (strcmp(m, "all") == 0) {
        in = true;
    } else {
        return cfg_fail_key(ctx, "reservation-mode",
                            "unknown mode '%s' (expected disabled, global, out-of-pool or all)", m);
    }
    net->has_res_global = net->has_res_in_subnet = net->has_res_oop = true;
    net->res_global = g;
    net->res_in_subnet = in;
    net->res_oop = oop;
    return 0;
}

static int parse_fixed_fields(struct cfg_ctx *ctx, struct json_object *obj, struct cfg_net *net)
{
    const char *s;
    bool set;

    if (cfg_get_str(ctx, obj, "next-server", &s, &set) < 0)
        return -1;
    if (set) {
        net->has_next_server = true;
        net->next_server = 0;
        /* Kea writes an unset next-server as "" or "0.0.0.0". */
        if (s[0] != '\0' && cfg_parse_ipv4(s, &net->next_server) < 0)
            return cfg_fail_key(ctx, "next-server", "'%s' is not an IPv4 address", s);
    }
    if (cfg_get_str(ctx, obj, "server-hostname", &net->server_hostname, NULL) < 0 ||
        cfg_get_str(ctx, obj, "boot-file-name", &net->boot_file_name, NULL) < 0)
        return -1;
    /* RFC 2131 §2: sname is 64 and file 128 octets, NUL-terminated. */
    if (net->server_hostname && strlen(net->server_hostname) > CFG_SNAME_MAX)
        return cfg_fail_key(ctx, "server-hostname", "must be at most %d bytes long",
                            CFG_SNAME_MAX);
    if (net->boot_file_name && strlen(net->boot_file_name) > CFG_FILE_MAX)
        return cfg_fail_key(ctx, "boot-file-name", "must be at most %d bytes long",
                            CFG_FILE_MAX);
    return 0;
}

static int parse_allocator(struct cfg_ctx *ctx, struct json_object *obj, struct cfg_net *net)
{
    const char *a;
    bool set;

    if (cfg_get_str(ctx, obj, "allocator", &a, &set) < 0)
        return -1;
    if (!set)
        return 0;
    if (strcmp(a, "iterative") == 0)
        net->allocator = CFG_ALLOC_ITERATIVE;
    else if (strcmp(a, "random") == 0)
        net->allocator = CFG_ALLOC_RANDOM;
    else if (strcmp(a, "flq") == 0)
        return cfg_fail_key(ctx, "allocator",
                            "the flq allocator is not supported yet (use iterative or random)");
    else
        return cfg_fail_key(ctx, "allocator",
                            "unknown allocator '%s' (expected iterative, random or flq)", a);
    net->has_allocator = true;
    return 0;
}

int cfg_net_parse(struct cfg_ctx *ctx, struct json_object *obj, struct cfg_net *net,
                  const struct cfg_net *parent)
{
    memset(net, 0, sizeof(*net));
    if (parse_triplet(ctx, obj, net) < 0)
        return -1;
    if (cfg_get_u32(ctx, obj, "renew-timer", &net->renew, &net->has_renew) < 0 ||
        cfg_get_u32(ctx, obj, "rebind-timer", &net->rebind, &net->has_rebind) < 0 ||
        check_timers(ctx, net, parent) < 0)
        return -1;
    if (cfg_get_bool(ctx, obj, "calculate-tee-times", &net->calc_tee, &net->has_calc_tee) < 0 ||
        get_percent(ctx, obj, "t1-percent", &net->t1, &net->has_t1) < 0 ||
        get_percent(ctx, obj, "t2-percent", &net->t2, &net->has_t2) < 0 ||
        check_percents(ctx, net, parent) < 0)
        return -1;
    if (cfg_get_bool(ctx, obj, "match-client-id", &net->match_client_id,
                     &net->has_match_client_id) < 0 ||
        cfg_get_bool(ctx, obj, "authoritative", &net->authoritative,
                     &net->has_authoritative) < 0)
        return -1;
    if (cfg_get_bool(ctx, obj, "reservations-global", &net->res_global,
                     &net->has_res_global) < 0 ||
        cfg_get_bool(ctx, obj, "reservations-in-subnet", &net->res_in_subnet,
                     &net->has_res_in_subnet) < 0 ||
        cfg_get_bool(ctx, obj, "reservations-out-of-pool", &net->res_oop,
                     &net->has_res_oop) < 0 ||
        parse_reservation_mode(ctx, obj, net) < 0)
        return -1;
    if (parse_fixed_fields(ctx, obj, net) < 0 || parse_allocator(ctx, obj, net) < 0)
        return -1;
    return 0;
}

void cfg_net_merge(const struct cfg_net *child, const struct cfg_net *parent, struct cfg_net *out)
{
    *out = *child;
#define TAKE(has, ...) \
    do { if (!out->has && parent->has) { out->has = true; __VA_ARGS__; } } while (0)
    TAKE(has_triplet, out->valid = parent->valid, out->min_valid = parent->min_valid,
         out->max_valid = parent->max_valid);
    TAKE(has_renew, out->renew = parent->renew);
    TAKE(has_rebind, out->rebind = parent->rebind);
    TAKE(has_calc_tee, out->calc_tee = parent->calc_tee);
    TAKE(has_t1, out->t1 = parent->t1);
    TAKE(has_t2, out->t2 = parent->t2);
    TAKE(has_match_client_id, out->match_client_id = parent->match_client_id);
    TAKE(has_authoritative, out->authoritative = parent->authoritative);
    TAKE(has_res_global, out->res_global = parent->res_global);
    TAKE(has_res_in_subnet, out->res_in_subnet = parent->res_in_subnet);
    TAKE(has_res_oop, out->res_oop = parent->res_oop);
    TAKE(has_next_server, out->next_server = parent->next_server);
    TAKE(has_allocator, out->allocator = parent->allocator);
#undef TAKE
    if (out->server_hostname == NULL)
        out->server_hostname = parent->server_hostname;
    if (out->boot_file_name == NULL)
        out->boot_file_name = parent->boot_file_name;
}
