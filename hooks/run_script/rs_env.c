/*
 * Kea's run_script environment for DHCPv4 hook points (§17.25): which
 * variables, their names and value formats.
 */
#include "hooks/run_script/run_script.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hooks/lib_util.h"

void rs_env_add(struct rs_env *e, const char *name, const char *fmt, ...)
{
    if (e->n >= RS_ENV_MAX)
        return;
    size_t room = sizeof(e->text) - e->used;
    int k = snprintf(e->text + e->used, room, "%s=", name);
    if (k < 0 || (size_t)k >= room)
        return;
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(e->text + e->used + k, room - (size_t)k, fmt, ap);
    va_end(ap);
    if (m < 0 || (size_t)(k + m) >= room)
        return;
    e->v[e->n++] = e->text + e->used;
    e->v[e->n] = NULL;
    e->used += (size_t)(k + m) + 1;
}

static void add_query(struct dora_hook_ctx *ctx, struct rs_env *e)
{
    char ip[16], hw[64];
    uint8_t mac[16];
    if (!dora_pkt_present(ctx, DORA_PKT_QUERY))
        return;
    size_t n = dora_pkt_chaddr(ctx, DORA_PKT_QUERY, mac, sizeof(mac));
    lib_fmt_hex(mac, n, hw, sizeof(hw));
    uint32_t gi = dora_pkt_addr(ctx, DORA_PKT_QUERY, DORA_GIADDR);
    rs_env_add(e, "QUERY4_TYPE", "%s", lib_msg_type_name(dora_pkt_msg_type(ctx, DORA_PKT_QUERY)));
    rs_env_add(e, "QUERY4_TXID", "%u", dora_pkt_xid(ctx, DORA_PKT_QUERY));
    lib_fmt_ip(dora_pkt_remote_addr(ctx), ip);
    rs_env_add(e, "QUERY4_REMOTE_ADDR", "%s", ip);
    rs_env_add(e, "QUERY4_REMOTE_PORT", "%u", dora_pkt_remote_port(ctx));
    rs_env_add(e, "QUERY4_IFACE_NAME", "%s", dora_pkt_iface(ctx));
    static const char *const fields[] = { "QUERY4_CIADDR", "QUERY4_YIADDR", "QUERY4_SIADDR",
                                          "QUERY4_GIADDR" };
    for (int f = DORA_CIADDR; f <= DORA_GIADDR; f++) {
        lib_fmt_ip(dora_pkt_addr(ctx, DORA_PKT_QUERY, (enum dora_pkt_addr)f), ip);
        rs_env_add(e, fields[f], "%s", ip);
    }
    rs_env_add(e, "QUERY4_RELAYED", "%s", gi ? "true" : "false");
    rs_env_add(e, "QUERY4_HWADDR", "%s", hw);
    rs_env_add(e, "QUERY4_HWADDR_TYPE", "%u", dora_pkt_htype(ctx, DORA_PKT_QUERY));
    size_t len;
    const uint8_t *v = dora_pkt_option(ctx, DORA_PKT_QUERY, 61, &len);
    char hex[800];
    lib_fmt_hex(v, v ? len : 0, hex, sizeof(hex));
    rs_env_add(e, "PKT4_CLIENT_ID", "%s", hex);
    rs_env_add(e, "PKT4_HWADDR", "%s", hw);
    rs_env_add(e, "PKT4_HWADDR_TYPE", "%u", dora_pkt_htype(ctx, DORA_PKT_QUERY));
    if ((v = dora_pkt_option(ctx, DORA_PKT_QUERY, 82, &len))) {
        lib_fmt_hex(v, len, hex, sizeof(hex));
        rs_env_add(e, "QUERY4_OPTION_82", "0x%s", hex);
    }
}

static void add_subnet(struct dora_hook_ctx *ctx, struct rs_env *e)
{
    uint32_t id, prefix;
    uint8_t plen;
    char ip[16];
    if (dora_hook_subnet(ctx, &id, &prefix, &plen) != 0)
        return;
    lib_fmt_ip(prefix, ip);
    rs_env_add(e, "SUBNET4_ID", "%u", id);
    rs_env_add(e, "SUBNET4_PREFIX", "%s", ip);
    rs_env_add(e, "SUBNET4_PREFIX_LEN", "%u", plen);
}

/* LEASE4_* (prefix "LEASE4") or LEASES4_AT<i>_* / DELETED_LEASES4_AT<i>_*. */
static void add_lease(struct rs_env *e, const char *prefix, const struct dora_lease4 *l)
{
    char name[64], ip[16], hex[800];
#define VAR(suffix) (snprintf(name, sizeof(name), "%s_%s", prefix, suffix), name)
    lib_fmt_ip(l->addr, ip);
    rs_env_add(e, VAR("ADDRESS"), "%s", ip);
    rs_env_add(e, VAR("CLTT"), "%lld", (long long)l->cltt);
    rs_env_add(e, VAR("HOSTNAME"), "%s", l->hostname);
    lib_fmt_hex(l->hwaddr, l->hwaddr_len, hex, sizeof(hex));
    rs_env_add(e, VAR("HWADDR"), "%s", hex);
    rs_env_add(e, VAR("HWADDR_TYPE"), "%u", 1u);
    rs_env_add(e, VAR("STATE"), "%s", lib_lease_state_name(l->state));
    rs_env_add(e, VAR("SUBNET_ID"), "%u", l->subnet_id);
    rs_env_add(e, VAR("VALID_LIFETIME"), "%u", l->valid_lft);
    lib_fmt_hex(l->client_id, l->client_id_len, hex, sizeof(hex));
    rs_env_add(e, VAR("CLIENT_ID"), "%s", hex);
#undef VAR
}

void rs_env_build(struct dora_hook_ctx *ctx, struct rs_env *e)
{
    struct dora_lease4 l;
    e->n = e->used = 0;
    e->v[0] = NULL;
    add_query(ctx, e);
    add_subnet(ctx, e);
    if (dora_hook_lease(ctx, &l) == 0)
        add_lease(e, "LEASE4", &l);
    switch (dora_hook_point(ctx)) {
    case DORA_HOOK_LEASE4_EXPIRE:
        rs_env_add(e, "REMOVE_LEASE", "%s", dora_hook_remove_lease(ctx) ? "true" : "false");
        break;
    case DORA_HOOK_LEASES4_COMMITTED:
        for (int del = 0; del <= 1; del++) {
            size_t n = dora_hook_leases_count(ctx, del);
            rs_env_add(e, del ? "DELETED_LEASES4_SIZE" : "LEASES4_SIZE", "%zu", n);
            for (size_t i = 0; i < n; i++) {
                char prefix[48];
                snprintf(prefix, sizeof(prefix), "%sLEASES4_AT%zu", del ? "DELETED_" : "", i);
                if (dora_hook_leases_at(ctx, del, i, &l) == 0)
                    add_lease(e, prefix, &l);
            }
        }
        break;
    default:
        break;
    }
}
