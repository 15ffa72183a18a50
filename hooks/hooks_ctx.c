/*
 * The accessors a callout reads and changes its arguments with
 * (<dora/hooks.h>); dorad exports them (hooks/dora_hooks.dyn). Each checks
 * that its argument exists at the running hook point.
 */
#include "hooks/hook_ctx.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/log.h"
#include "server/reply.h"

static const char *const point_names[DORA_HOOK_POINTS] = {
    [DORA_HOOK_BUFFER4_RECEIVE] = "buffer4_receive", [DORA_HOOK_PKT4_RECEIVE] = "pkt4_receive",
    [DORA_HOOK_SUBNET4_SELECT] = "subnet4_select", [DORA_HOOK_HOST4_IDENTIFIER] = "host4_identifier",
    [DORA_HOOK_LEASE4_SELECT] = "lease4_select", [DORA_HOOK_LEASE4_RENEW] = "lease4_renew",
    [DORA_HOOK_LEASE4_RELEASE] = "lease4_release", [DORA_HOOK_LEASE4_DECLINE] = "lease4_decline",
    [DORA_HOOK_LEASES4_COMMITTED] = "leases4_committed", [DORA_HOOK_PKT4_SEND] = "pkt4_send",
    [DORA_HOOK_BUFFER4_SEND] = "buffer4_send", [DORA_HOOK_LEASE4_EXPIRE] = "lease4_expire",
    [DORA_HOOK_LEASE4_RECOVER] = "lease4_recover",
    [DORA_HOOK_COMMAND_PROCESSED] = "command_processed",
};

const char *dora_hook_point_name(enum dora_hook_point p)
{
    return (unsigned)p < DORA_HOOK_POINTS ? point_names[p] : "unknown";
}

enum dora_hook_point dora_hook_point(const struct dora_hook_ctx *ctx)
{
    return ctx->point;
}

void *dora_hook_user(const struct dora_hook_ctx *ctx)
{
    return ctx->user;
}

/* ---- packets ---------------------------------------------------------------- */

static const struct pkt4 *query(const struct dora_hook_ctx *ctx)
{
    return ctx->q && ctx->point != DORA_HOOK_BUFFER4_RECEIVE ? ctx->q->pkt : NULL;
}

static const struct pkt4_out *resp(const struct dora_hook_ctx *ctx)
{
    return ctx->resp_ro;
}

int dora_pkt_present(const struct dora_hook_ctx *ctx, enum dora_pkt which)
{
    return which == DORA_PKT_QUERY ? query(ctx) != NULL : resp(ctx) != NULL;
}

uint8_t dora_pkt_msg_type(const struct dora_hook_ctx *ctx, enum dora_pkt which)
{
    if (which == DORA_PKT_QUERY)
        return query(ctx) ? query(ctx)->msg_type : 0;
    const struct pkt4_out *o = resp(ctx);
    return o && o->n_opts && o->opt_code[0] == OPT_MESSAGE_TYPE ? o->stage[o->opt_off[0]] : 0;
}

uint32_t dora_pkt_xid(const struct dora_hook_ctx *ctx, enum dora_pkt which)
{
    if (which == DORA_PKT_QUERY)
        return query(ctx) ? query(ctx)->xid : 0;
    return resp(ctx) ? resp(ctx)->xid : 0;
}

uint32_t dora_pkt_addr(const struct dora_hook_ctx *ctx, enum dora_pkt which, enum dora_pkt_addr f)
{
    uint32_t v[4] = { 0 };
    if (which == DORA_PKT_QUERY && query(ctx)) {
        const struct pkt4 *p = query(ctx);
        v[0] = p->ciaddr, v[1] = p->yiaddr, v[2] = p->siaddr, v[3] = p->giaddr;
    } else if (which == DORA_PKT_RESPONSE && resp(ctx)) {
        const struct pkt4_out *o = resp(ctx);
        v[0] = o->ciaddr, v[1] = o->yiaddr, v[2] = o->siaddr, v[3] = o->giaddr;
    }
    return (unsigned)f < 4 ? v[f] : 0;
}

uint8_t dora_pkt_htype(const struct dora_hook_ctx *ctx, enum dora_pkt which)
{
    if (which == DORA_PKT_QUERY)
        return query(ctx) ? query(ctx)->htype : 0;
    return resp(ctx) ? resp(ctx)->htype : 0;
}

size_t dora_pkt_chaddr(const struct dora_hook_ctx *ctx, enum dora_pkt which, uint8_t *out, size_t cap)
{
    const uint8_t *hw = NULL;
    size_t n = 0;
    if (which == DORA_PKT_QUERY && query(ctx))
        hw = query(ctx)->chaddr, n = query(ctx)->hlen;
    else if (which == DORA_PKT_RESPONSE && resp(ctx))
        hw = resp(ctx)->chaddr, n = resp(ctx)->hlen;
    if (n > 16)
        n = 16;
    if (hw && out)
        memcpy(out, hw, n < cap ? n : cap);
    return n;
}

static const uint8_t *out_option(const struct pkt4_out *o, uint8_t code, size_t *len)
{
    for (size_t i = 0; i < o->n_opts; i++)
        if (o->opt_code[i] == code) {
            *len = o->opt_len[i];
            return o->stage + o->opt_off[i];
        }
    return NULL;
}

const uint8_t *dora_pkt_option(const struct dora_hook_ctx *ctx, enum dora_pkt which,
                               uint8_t code, size_t *len)
{
    size_t dummy;
    if (!len)
        len = &dummy;
    *len = 0;
    if (which == DORA_PKT_QUERY)
        return query(ctx) ? pkt4_opt(query(ctx), code, len) : NULL;
    return resp(ctx) ? out_option(resp(ctx), code, len) : NULL;
}

/* Remove code from the parsed query: its value bytes stay, unreachable. */
static void query_remove(struct pkt4 *p, uint8_t code)
{
    if (!pkt4_has(p, code))
        return;
    p->present[code >> 3] &= (uint8_t)~(1u << (code & 7));
    for (uint16_t i = 0; i < p->n_codes; i++)
        if (p->codes[i] == code) {
            memmove(&p->codes[i], &p->codes[i + 1], (size_t)(p->n_codes - i - 1));
            p->n_codes--;
            break;
        }
    p->opt_len[code] = 0;
    if (code == OPT_MESSAGE_TYPE)
        p->msg_type = 0;
}

static int query_set(struct pkt4 *p, uint8_t code, const uint8_t *data, size_t len)
{
    if (code == OPT_PAD || code == OPT_END || len > UINT16_MAX ||
        (size_t)p->data_len + len > sizeof(p->data))
        return -1;
    query_remove(p, code);
    memcpy(p->data + p->data_len, data, len);
    p->opt_off[code] = p->data_len;
    p->opt_len[code] = (uint16_t)len;
    p->data_len = (uint16_t)(p->data_len + len);
    p->present[code >> 3] |= (uint8_t)(1u << (code & 7));
    p->codes[p->n_codes++] = code;
    if (code == OPT_MESSAGE_TYPE && len == 1)
        p->msg_type = data[0];
    return 0;
}

static void out_remove(struct pkt4_out *o, uint8_t code)
{
    size_t k = 0;
    for (size_t i = 0; i < o->n_opts; i++)
        if (o->opt_code[i] != code) {
            o->opt_code[k] = o->opt_code[i];
            o->opt_off[k] = o->opt_off[i];
            o->opt_len[k] = o->opt_len[i];
            k++;
        }
    o->n_opts = (uint16_t)k;
    o->present[code >> 3] &= (uint8_t)~(1u << (code & 7));
}

static struct pkt4 *writable_query(struct dora_hook_ctx *ctx)
{
    /* The query is read-only once the reply exists. */
    if (ctx->resp_ro || ctx->lease || ctx->point == DORA_HOOK_BUFFER4_RECEIVE || !ctx->q)
        return NULL;
    return ctx->q->pkt;
}

int dora_pkt_option_set(struct dora_hook_ctx *ctx, enum dora_pkt which, uint8_t code,
                        const uint8_t *data, size_t len)
{
    if (!data && len)
        return -1;
    if (which == DORA_PKT_QUERY) {
        struct pkt4 *p = writable_query(ctx);
        return p ? query_set(p, code, data, len) : -1;
    }
    if (!ctx->resp || code == OPT_MESSAGE_TYPE || code == OPT_PAD || code == OPT_END)
        return -1;
    out_remove(ctx->resp, code);
    if (pkt4_out_put(ctx->resp, code, data, len) < 0)
        return -1;
    ctx->resp_changed = true;
    return 0;
}

int dora_pkt_option_remove(struct dora_hook_ctx *ctx, enum dora_pkt which, uint8_t code)
{
    if (which == DORA_PKT_QUERY) {
        struct pkt4 *p = writable_query(ctx);
        if (!p)
            return -1;
        query_remove(p, code);
        return 0;
    }
    if (!ctx->resp || code == OPT_MESSAGE_TYPE)
        return -1;
    out_remove(ctx->resp, code);
    ctx->resp_changed = true;
    return 0;
}

int hooks_relayout(struct pkt4_out *o, const struct pkt4 *req)
{
    return pkt4_out_finish(o, reply_max_size(req)) < 0 ? -1 : 0;
}

const uint8_t *dora_pkt_buffer(const struct dora_hook_ctx *ctx, enum dora_pkt which, size_t *len)
{
    size_t dummy;
    if (!len)
        len = &dummy;
    *len = 0;
    if (which == DORA_PKT_QUERY && ctx->rx) {
        *len = ctx->rx->len;
        return ctx->rx->data;
    }
    if (which == DORA_PKT_RESPONSE && ctx->point == DORA_HOOK_BUFFER4_SEND && ctx->resp_ro) {
        *len = ctx->resp_ro->len;
        return ctx->resp_ro->buf;
    }
    return NULL;
}

uint32_t dora_pkt_remote_addr(const struct dora_hook_ctx *ctx)
{
    return ctx->rx ? ctx->rx->src_ip : 0;
}

uint16_t dora_pkt_remote_port(const struct dora_hook_ctx *ctx)
{
    return ctx->rx ? ctx->rx->src_port : 0;
}

const char *dora_pkt_iface(const struct dora_hook_ctx *ctx)
{
    return ctx->q && ctx->q->iface ? ctx->q->iface : "";
}

/* ---- subnet --------------------------------------------------------------------- */

int dora_hook_subnet(const struct dora_hook_ctx *ctx, uint32_t *id, uint32_t *prefix, uint8_t *plen)
{
    const struct cfg_subnet4 *s = ctx->subnet;
    if (!s)
        return -1;
    if (id)
        *id = s->id;
    if (prefix)
        *prefix = s->prefix;
    if (plen)
        *plen = s->plen;
    return 0;
}

int dora_hook_subnet_set(struct dora_hook_ctx *ctx, uint32_t id)
{
    if (ctx->point != DORA_HOOK_SUBNET4_SELECT)
        return -1;
    const struct cfg_subnet4 *s = cfg4_subnet_by_id(ctx->cfg, id);
    if (!s)
        return -1;   /* only a configured subnet (Kea) */
    ctx->subnet = s;
    return 0;
}

/* ---- leases ------------------------------------------------------------------- */

static void export_lease(const struct lease4 *l, struct dora_lease4 *out)
{
    memset(out, 0, sizeof(*out));
    out->addr = l->addr;
    out->subnet_id = l->subnet_id;
    out->valid_lft = l->valid_lft;
    out->cltt = l->cltt;
    out->state = (uint32_t)l->state;
    out->hwaddr_len = l->hwaddr_len > sizeof(out->hwaddr) ? sizeof(out->hwaddr) : l->hwaddr_len;
    memcpy(out->hwaddr, l->hwaddr, out->hwaddr_len);
    out->client_id_len = l->client_id_len;
    memcpy(out->client_id, l->client_id, l->client_id_len);
    snprintf(out->hostname, sizeof(out->hostname), "%s", l->hostname);
}

int dora_hook_lease(const struct dora_hook_ctx *ctx, struct dora_lease4 *out)
{
    if (!ctx->lease || !out)
        return -1;
    export_lease(ctx->lease, out);
    return 0;
}

int dora_hook_lease_update(struct dora_hook_ctx *ctx, const struct dora_lease4 *l)
{
    if (!ctx->lease || !ctx->lease_writable || !l || l->addr != ctx->lease->addr)
        return -1;
    ctx->lease->valid_lft = l->valid_lft;
    snprintf(ctx->lease->hostname, sizeof(ctx->lease->hostname), "%s", l->hostname);
    return 0;
}

size_t dora_hook_leases_count(const struct dora_hook_ctx *ctx, int deleted)
{
    if (ctx->point != DORA_HOOK_LEASES4_COMMITTED || !ctx->q)
        return 0;
    return deleted ? ctx->q->has_deleted : ctx->q->has_committed;
}

int dora_hook_leases_at(const struct dora_hook_ctx *ctx, int deleted, size_t i,
                        struct dora_lease4 *out)
{
    if (i >= dora_hook_leases_count(ctx, deleted) || !out)
        return -1;
    export_lease(deleted ? &ctx->q->deleted : &ctx->q->committed, out);
    return 0;
}

int dora_hook_fake_allocation(const struct dora_hook_ctx *ctx)
{
    return ctx->point == DORA_HOOK_LEASE4_SELECT && ctx->flag;
}

int dora_hook_remove_lease(const struct dora_hook_ctx *ctx)
{
    return ctx->point == DORA_HOOK_LEASE4_EXPIRE && ctx->flag;
}

int dora_hook_set_identifier(struct dora_hook_ctx *ctx, const uint8_t *id, size_t len)
{
    if (ctx->point != DORA_HOOK_HOST4_IDENTIFIER || !ctx->id || len > ctx->id_cap || (!id && len))
        return -1;
    if (len)
        memcpy(ctx->id, id, len);
    ctx->id_len = len;
    return 0;
}

/* ---- command_processed ---------------------------------------------------------- */

const char *dora_hook_command_name(const struct dora_hook_ctx *ctx)
{
    return ctx->cmd_name;
}

const char *dora_hook_command_arguments(const struct dora_hook_ctx *ctx)
{
    return ctx->cmd_args;
}

const char *dora_hook_command_response(const struct dora_hook_ctx *ctx)
{
    return ctx->cmd_response ? *ctx->cmd_response : NULL;
}

int dora_hook_command_set_response(struct dora_hook_ctx *ctx, const char *json)
{
    if (!ctx->cmd_response || !json)
        return -1;
    char *copy = strdup(json);
    if (!copy)
        return -1;
    free(*ctx->cmd_response);
    *ctx->cmd_response = copy;
    return 0;
}

/* ---- logging ------------------------------------------------------------------- */

void dora_hook_log(enum dora_hook_log sev, const char *id, const char *fmt, ...)
{
    static const enum log_severity map[] = { LOG_SEV_DEBUG, LOG_SEV_INFO, LOG_SEV_WARN,
                                              LOG_SEV_ERROR };
    enum log_severity s = (unsigned)sev <= DORA_HOOK_LOG_ERROR ? map[sev] : LOG_SEV_ERROR;
    if (!log_enabled(s))
        return;
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    log_msg(s, id ? id : "HOOKS_LIBRARY", "%s", line);
}
