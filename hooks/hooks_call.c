/*
 * Hook point dispatch: one function per hook point builds the argument
 * context and runs the callouts (Kea's CalloutManager::callCallouts). The
 * server calls these only when hooks_on() says the point has callouts.
 */
#include "hooks/hook_ctx.h"

#include <stdlib.h>
#include <string.h>

#include "server/log.h"
#include "server/stats.h"

/* Every callout runs, in library order (Kea); the strongest status wins:
 * DROP > SKIP > PARK > CONTINUE. Unknown values count as CONTINUE. */
static int strength(enum dora_hook_status s)
{
    switch (s) {
    case DORA_HOOK_DROP: return 3;
    case DORA_HOOK_SKIP: return 2;
    case DORA_HOOK_PARK: return 1;
    default:             return 0;
    }
}

enum dora_hook_status hooks_run(const struct hooks_set *h, struct dora_hook_ctx *ctx)
{
    enum dora_hook_status st = DORA_HOOK_CONTINUE;
    const struct hook_callout *c = h->callouts[ctx->point];
    for (size_t i = 0; i < h->n_callouts[ctx->point]; i++) {
        ctx->user = c[i].user;
        enum dora_hook_status r = c[i].fn(ctx);
        if (strength(r) > strength(st))
            st = r;
    }
    return st;
}

static enum dora_hook_status run(const struct cfg4 *cfg, struct dora_hook_ctx *ctx)
{
    ctx->cfg = cfg;
    return hooks_run(cfg->hooks, ctx);
}

enum dora_hook_status hooks_buffer4_receive(const struct cfg4 *cfg, const struct rx_pkt *rx)
{
    struct dora_hook_ctx ctx = { .point = DORA_HOOK_BUFFER4_RECEIVE, .rx = rx };
    enum dora_hook_status st = run(cfg, &ctx);
    return st == DORA_HOOK_DROP ? st : DORA_HOOK_CONTINUE;
}

enum dora_hook_status hooks_pkt4_receive(const struct cfg4 *cfg, struct hooks_query *q)
{
    struct dora_hook_ctx ctx = { .point = DORA_HOOK_PKT4_RECEIVE, .q = q, .rx = q->rx };
    enum dora_hook_status st = run(cfg, &ctx);
    return st == DORA_HOOK_SKIP ? DORA_HOOK_DROP : st == DORA_HOOK_DROP ? st : DORA_HOOK_CONTINUE;
}

enum dora_hook_status hooks_subnet4_select(const struct cfg4 *cfg, struct hooks_query *q,
                                           const struct cfg_subnet4 **subnet)
{
    struct dora_hook_ctx ctx = { .point = DORA_HOOK_SUBNET4_SELECT, .q = q, .rx = q->rx,
                                 .subnet = *subnet };
    enum dora_hook_status st = run(cfg, &ctx);
    if (st == DORA_HOOK_SKIP)
        *subnet = NULL;
    else if (st != DORA_HOOK_DROP)
        *subnet = ctx.subnet;
    return st == DORA_HOOK_PARK ? DORA_HOOK_CONTINUE : st;
}

enum dora_hook_status hooks_host4_identifier(const struct cfg4 *cfg, struct hooks_query *q,
                                             uint8_t *id, size_t cap, size_t *len)
{
    struct dora_hook_ctx ctx = { .point = DORA_HOOK_HOST4_IDENTIFIER, .q = q, .rx = q->rx,
                                 .subnet = q->subnet, .id = id, .id_cap = cap };
    enum dora_hook_status st = run(cfg, &ctx);
    *len = st == DORA_HOOK_CONTINUE ? ctx.id_len : 0;
    return st;
}

enum dora_hook_status hooks_lease4(const struct cfg4 *cfg, enum dora_hook_point p,
                                   struct hooks_query *q, const struct cfg_subnet4 *subnet,
                                   struct lease4 *lease, bool flag)
{
    struct dora_hook_ctx ctx = {
        .point = p, .q = q, .rx = q ? q->rx : NULL, .subnet = subnet, .lease = lease,
        .lease_writable = p == DORA_HOOK_LEASE4_SELECT || p == DORA_HOOK_LEASE4_RENEW,
        .flag = flag,
    };
    enum dora_hook_status st = run(cfg, &ctx);
    return st == DORA_HOOK_PARK ? DORA_HOOK_CONTINUE : st;
}

enum dora_hook_status hooks_reclaim(const struct cfg4 *cfg, enum dora_hook_point p,
                                    struct lease4 *lease, bool flag)
{
    struct dora_hook_ctx ctx = { .point = p, .lease = lease, .flag = flag,
                                 .subnet = cfg4_subnet_by_id(cfg, lease->subnet_id) };
    enum dora_hook_status st = run(cfg, &ctx);
    return st == DORA_HOOK_SKIP ? st : DORA_HOOK_CONTINUE;
}

enum dora_hook_status hooks_leases4_committed(const struct cfg4 *cfg, struct hooks_query *q,
                                              const struct pkt4_out *resp,
                                              void (*resume)(void *arg, bool drop), void *arg)
{
    const struct hooks_set *h = cfg->hooks;
    if (h->parked_limit && hooks_parked_count() >= h->parked_limit) {
        stats_inc(STAT_PKT4_RECEIVE_DROP);
        LOG_DEBUG("DHCP4_HOOK_LEASES4_COMMITTED_PARKING_LOT_FULL",
                  "the parked-packet limit %u is reached: packet (tid=0x%x) dropped",
                  h->parked_limit, q->pkt->xid);
        return DORA_HOOK_DROP;
    }
    struct dora_hook_ctx ctx = { .point = DORA_HOOK_LEASES4_COMMITTED, .q = q, .rx = q->rx,
                                 .resp_ro = resp, .subnet = q->subnet, .resume = resume,
                                 .resume_arg = arg };
    enum dora_hook_status st = run(cfg, &ctx);
    bool drop = st == DORA_HOOK_DROP;
    if (!ctx.parked)
        return drop ? DORA_HOOK_DROP : DORA_HOOK_CONTINUE;
    bool dropped;
    if (hooks_park_settle(ctx.parked, drop, &dropped))
        return dropped ? DORA_HOOK_DROP : DORA_HOOK_CONTINUE;
    return DORA_HOOK_PARK;
}

bool hooks_send(const struct cfg4 *cfg, struct hooks_query *q, struct pkt4_out *o)
{
    if (hooks_on(cfg->hooks, DORA_HOOK_PKT4_SEND)) {
        struct dora_hook_ctx ctx = { .point = DORA_HOOK_PKT4_SEND, .q = q, .rx = q->rx,
                                     .resp = o, .resp_ro = o, .subnet = q->subnet };
        enum dora_hook_status st = run(cfg, &ctx);
        if (st == DORA_HOOK_SKIP || st == DORA_HOOK_DROP)
            return false;
        if (ctx.resp_changed && hooks_relayout(o, q->pkt) < 0)
            return false;
    }
    if (hooks_on(cfg->hooks, DORA_HOOK_BUFFER4_SEND)) {
        struct dora_hook_ctx ctx = { .point = DORA_HOOK_BUFFER4_SEND, .q = q, .rx = q->rx,
                                     .resp_ro = o, .subnet = q->subnet };
        enum dora_hook_status st = run(cfg, &ctx);
        if (st == DORA_HOOK_SKIP || st == DORA_HOOK_DROP)
            return false;
    }
    return true;
}

void hooks_command_processed(const struct cfg4 *cfg, const char *name, const char *args_json,
                             char **response)
{
    if (!hooks_on(cfg->hooks, DORA_HOOK_COMMAND_PROCESSED))
        return;
    struct dora_hook_ctx ctx = { .point = DORA_HOOK_COMMAND_PROCESSED, .cmd_name = name,
                                 .cmd_args = args_json, .cmd_response = response };
    (void)run(cfg, &ctx);   /* status ignored (Kea) */
}
