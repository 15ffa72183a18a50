/* Leases in Kea's JSON form; see lease_json.h. */
#include "server/lease_json.h"

#include <stdio.h>
#include <string.h>

#include "server/cmd_args.h"

struct json_object *lease_to_json(const struct lease4 *l)
{
    struct json_object *o = json_object_new_object();
    char buf[3 * LEASE_CLIENT_ID_MAX + 1], a[16];

    cmd_format_ipv4(l->addr, a);
    json_object_object_add(o, "ip-address", json_object_new_string(a));
    cmd_format_hex(l->hwaddr, l->hwaddr_len, buf, sizeof(buf));
    json_object_object_add(o, "hw-address", json_object_new_string(buf));
    if (l->client_id_len > 0) {
        cmd_format_hex(l->client_id, l->client_id_len, buf, sizeof(buf));
        json_object_object_add(o, "client-id", json_object_new_string(buf));
    }
    json_object_object_add(o, "valid-lft", json_object_new_int64(l->valid_lft));
    json_object_object_add(o, "cltt", json_object_new_int64(l->cltt));
    json_object_object_add(o, "subnet-id", json_object_new_int64(l->subnet_id));
    if (l->pool_id != 0)
        json_object_object_add(o, "pool-id", json_object_new_int64(l->pool_id));
    json_object_object_add(o, "fqdn-fwd", json_object_new_boolean(l->fqdn_fwd));
    json_object_object_add(o, "fqdn-rev", json_object_new_boolean(l->fqdn_rev));
    json_object_object_add(o, "hostname", json_object_new_string(l->hostname));
    json_object_object_add(o, "state", json_object_new_int(l->state));
    return o;
}

static const struct cfg_subnet4 *subnet_holding(const struct cfg4 *cfg, uint32_t addr)
{
    for (size_t i = 0; i < cfg->n_subnets; i++)
        if ((addr & cfg->subnets[i].mask) == cfg->subnets[i].prefix)
            return &cfg->subnets[i];
    return NULL;
}

static int subnet_of(const struct cfg4 *cfg, struct json_object *args, uint32_t addr,
                     const struct cfg_subnet4 **out, struct ctrl_answer *ans)
{
    uint32_t id = 0;
    char a[16], p[16];

    if (cmd_arg_u32(args, "subnet-id", false, &id, NULL, ans) != 0)
        return -1;
    cmd_format_ipv4(addr, a);
    if (id == 0) {
        if ((*out = subnet_holding(cfg, addr)) == NULL) {
            ctrl_answer_set(ans, CTRL_ERROR, "subnet-id not specified and failed to find a subnet "
                            "for address %s", a);
            return -1;
        }
        return 0;
    }
    if ((*out = cfg4_subnet_by_id(cfg, id)) == NULL) {
        ctrl_answer_set(ans, CTRL_ERROR, "Invalid subnet-id: No IPv4 subnet with subnet-id=%u "
                        "currently configured.", id);
        return -1;
    }
    if ((addr & (*out)->mask) != (*out)->prefix) {
        cmd_format_ipv4((*out)->prefix, p);
        ctrl_answer_set(ans, CTRL_ERROR, "The address %s does not belong to subnet %s/%u, "
                        "subnet-id=%u", a, p, (*out)->plen, id);
        return -1;
    }
    return 0;
}

int lease_from_json(const struct cfg4 *cfg, struct json_object *args, int64_t now,
                    struct lease4 *l, struct ctrl_answer *ans)
{
    const struct cfg_subnet4 *sn = NULL;
    const char *host = "";
    size_t len = 0;
    int64_t expire = 0;
    bool has_expire = false, has_valid = false, has_pool = false;
    struct json_object *uc;

    memset(l, 0, sizeof(*l));
    if (cmd_arg_ipv4(args, "ip-address", true, &l->addr, NULL, ans) != 0 ||
        subnet_of(cfg, args, l->addr, &sn, ans) != 0 ||
        cmd_arg_hex(args, "hw-address", true, l->hwaddr, LEASE_HWADDR_MAX, &len, NULL, ans) != 0)
        return -1;
    l->hwaddr_len = (uint8_t)len;
    len = 0;
    if (cmd_arg_hex(args, "client-id", false, l->client_id, LEASE_CLIENT_ID_MAX, &len, NULL, ans) != 0)
        return -1;
    l->client_id_len = (uint8_t)len;
    l->subnet_id = sn->id;
    if (cmd_arg_u32(args, "valid-lft", false, &l->valid_lft, &has_valid, ans) != 0 ||
        cmd_arg_i64(args, "expire", false, &expire, &has_expire, ans) != 0 ||
        cmd_arg_u32(args, "pool-id", false, &l->pool_id, &has_pool, ans) != 0 ||
        cmd_arg_str(args, "hostname", false, &host, NULL, ans) != 0 ||
        cmd_arg_bool(args, "fqdn-fwd", &l->fqdn_fwd, NULL, ans) != 0 ||
        cmd_arg_bool(args, "fqdn-rev", &l->fqdn_rev, NULL, ans) != 0)
        return -1;
    if (!has_valid)
        l->valid_lft = sn->valid_lft;
    if (has_expire) {
        if (expire <= 0 || expire < (int64_t)l->valid_lft) {
            ctrl_answer_set(ans, CTRL_ERROR, "expiration time must be positive and not before "
                            "valid-lft seconds after the epoch ('expire')");
            return -1;
        }
        l->cltt = l->valid_lft == LEASE_INFINITE ? expire : expire - (int64_t)l->valid_lft;
    } else {
        l->cltt = now;
    }
    if (strlen(host) > LEASE_HOSTNAME_MAX) {
        ctrl_answer_set(ans, CTRL_ERROR, "'hostname' is longer than %d characters", LEASE_HOSTNAME_MAX);
        return -1;
    }
    memcpy(l->hostname, host, strlen(host) + 1);
    if ((l->fqdn_fwd || l->fqdn_rev) && host[0] == '\0') {
        ctrl_answer_set(ans, CTRL_ERROR, "No hostname specified and either forward or reverse "
                        "fqdn was set to true ('hostname')");
        return -1;
    }
    int64_t state = 0;
    if (cmd_arg_i64(args, "state", false, &state, NULL, ans) != 0)
        return -1;
    if (state < LEASE_STATE_DEFAULT || state > LEASE_STATE_RELEASED) {
        ctrl_answer_set(ans, CTRL_ERROR, "Invalid state value: %lld, supported values are: "
                        "0 (default), 1 (declined), 2 (expired-reclaimed) and 3 (released)",
                        (long long)state);
        return -1;
    }
    l->state = (uint8_t)state;
    if (json_object_object_get_ex(args, "user-context", &uc)) {
        /* Leases carry no user context in this server's stores (no column
         * is read back): refusing beats dropping it silently. */
        ctrl_answer_set(ans, CTRL_UNSUPPORTED, "'user-context' is not supported: leases do not "
                        "store a user context");
        return -1;
    }
    if (!has_pool)
        for (size_t i = 0; i < sn->n_pools; i++)
            if (l->addr >= sn->pools[i].first && l->addr <= sn->pools[i].last)
                l->pool_id = sn->pools[i].pool_id;
    return 0;
}
