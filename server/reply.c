/* Reply assembly; see reply.h. */
#include "server/reply.h"

#include <string.h>

#include "backends/lease_store.h"

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* The first option code of a scope that the packet's classes may have
 * (class-tagging, ARM §16.9; classes NULL: untagged options only). */
static const struct cfg_option *find_in(const struct cfg_options *opts, uint8_t code,
                                        const uint64_t *classes)
{
    for (size_t i = 0; opts && i < opts->n; i++)
        if (opts->v[i].code == code && class_guard_allows(&opts->v[i].classes, classes))
            return &opts->v[i];
    return NULL;
}

/* Option lists of at most this many of the packet's classes take part. */
#define REPLY_CLASS_SCOPES 64

/* The option scopes, most specific first. */
struct scopes {
    const struct cfg_options *v[5 + REPLY_CLASS_SCOPES];
    int n;
    const uint64_t *classes;   /* the packet's classes, NULL when none */
};

static void scopes_init(struct scopes *s, const struct reply_params *rp)
{
    s->n = 0;
    s->classes = rp->classes ? rp->classes->bits : NULL;
    if (rp->host)
        s->v[s->n++] = &rp->host->options;
    if (rp->pool)
        s->v[s->n++] = &rp->pool->options;
    if (rp->subnet)
        s->v[s->n++] = &rp->subnet->options;
    if (rp->subnet && rp->subnet->network)
        s->v[s->n++] = &rp->subnet->network->options;
    /* ARM §16.8: class options come after subnet and pool, before global. */
    if (rp->classes)
        s->n += (int)classify_options(rp->classes, rp->cfg, &s->v[s->n], REPLY_CLASS_SCOPES);
    s->v[s->n++] = &rp->cfg->options;
}

/* never-send anywhere in the chain wins (spec §1.7). */
static bool never_send(const struct scopes *s, uint8_t code)
{
    for (int i = 0; i < s->n; i++) {
        const struct cfg_option *o = find_in(s->v[i], code, s->classes);
        if (o && o->never_send)
            return true;
    }
    return false;
}

static const struct cfg_option *lookup(const struct scopes *s, uint8_t code)
{
    for (int i = 0; i < s->n; i++) {
        const struct cfg_option *o = find_in(s->v[i], code, s->classes);
        if (o)
            return o;
    }
    return NULL;
}

/* Options the server sets itself; configured values are never copied. */
static bool server_managed(uint8_t code)
{
    switch (code) {
    case OPT_SUBNET_MASK: case OPT_HOST_NAME: case OPT_REQUESTED_ADDRESS: case OPT_LEASE_TIME:
    case OPT_OVERLOAD: case OPT_MESSAGE_TYPE: case OPT_SERVER_ID: case OPT_PARAM_REQUEST_LIST:
    case OPT_MAX_MESSAGE_SIZE: case OPT_RENEWAL_TIME: case OPT_REBINDING_TIME:
    case OPT_CLIENT_ID: case OPT_RELAY_AGENT_INFO: case OPT_PAD: case OPT_END:
        return true;
    default:
        return false;
    }
}

static void put_configured(struct pkt4_out *o, const struct scopes *s, uint8_t code)
{
    if (server_managed(code) || pkt4_out_has(o, code) || never_send(s, code))
        return;
    const struct cfg_option *opt = lookup(s, code);
    if (opt)
        pkt4_out_put(o, code, opt->data, opt->len);
}

uint32_t reply_server_id(const struct cfg4 *cfg, const struct cfg_subnet4 *subnet, uint32_t fallback)
{
    const struct cfg_option *o = subnet ? find_in(&subnet->options, OPT_SERVER_ID, NULL) : NULL;
    if (!o && subnet && subnet->network)
        o = find_in(&subnet->network->options, OPT_SERVER_ID, NULL);
    if (!o)
        o = find_in(&cfg->options, OPT_SERVER_ID, NULL);
    if (o && o->len == 4)
        return (uint32_t)o->data[0] << 24 | (uint32_t)o->data[1] << 16 |
               (uint32_t)o->data[2] << 8 | o->data[3];
    return fallback;
}

void reply_tee_times(const struct cfg_subnet4 *sn, uint32_t valid, uint32_t *t1, uint32_t *t2)
{
    *t1 = *t2 = 0;
    if (valid == LEASE_INFINITE)
        return;
    bool has1 = sn->has_renew_timer, has2 = sn->has_rebind_timer;
    uint32_t v1 = sn->renew_timer, v2 = sn->rebind_timer;
    /* Explicit values win over calculated ones (spec §3.16). */
    if (!has1 && sn->calculate_tee_times) {
        v1 = (uint32_t)(sn->t1_percent * valid);
        has1 = true;
    }
    if (!has2 && sn->calculate_tee_times) {
        v2 = (uint32_t)(sn->t2_percent * valid);
        has2 = true;
    }
    if (has2 && v2 < valid)
        *t2 = v2;
    if (has1 && (*t2 ? v1 < *t2 : v1 < valid))
        *t1 = v1;
}

/* A BOOTP name field: NUL-padded, not necessarily NUL-terminated when full. */
static void copy_field(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n > cap)
        n = cap;
    memset(dst, 0, cap);
    memcpy(dst, src, n);
}

/* The first of the packet's classes that sets field f, or NULL. */
static const struct cfg_class *class_with(const struct reply_params *rp, enum class_field f)
{
    return rp->classes ? classify_first_with(rp->classes, rp->cfg, f) : NULL;
}

/* siaddr, sname, file: reservation > class > subnet (ARM §16.8, §9.2.20.1). */
static void set_fixed_fields(struct pkt4_out *o, const struct reply_params *rp)
{
    const struct cfg_host *h = rp->host;
    const struct cfg_subnet4 *sn = rp->subnet;
    const struct cfg_class *cn = class_with(rp, CLASS_F_NEXT_SERVER);
    const struct cfg_class *cs = class_with(rp, CLASS_F_SNAME);
    const struct cfg_class *cf = class_with(rp, CLASS_F_FILE);
    if (h && h->has_next_server)
        o->siaddr = h->next_server;
    else if (cn)
        o->siaddr = cn->next_server;
    else if (sn && sn->has_next_server)
        o->siaddr = sn->next_server;
    const char *sname = h && h->server_hostname ? h->server_hostname
                        : cs ? cs->server_hostname
                        : sn && sn->server_hostname ? sn->server_hostname : "";
    const char *file = h && h->boot_file_name ? h->boot_file_name
                       : cf ? cf->boot_file_name
                       : sn && sn->boot_file_name ? sn->boot_file_name : "";
    copy_field(o->sname, sizeof(o->sname), sname);
    copy_field(o->file, sizeof(o->file), file);
}

size_t reply_max_size(const struct pkt4 *req)
{
    size_t len;
    const uint8_t *v = pkt4_opt(req, OPT_MAX_MESSAGE_SIZE, &len);
    size_t max = PKT4_DEFAULT_MAX;
    if (v && len == 2) {
        size_t asked = (size_t)v[0] << 8 | v[1];
        if (asked > max)
            max = asked; /* RFC 2132 §9.10: never below 576 */
    }
    /* Option 57 counts the whole IP datagram (RFC 2132 §9.10), as does
     * pkt4_out_finish; stay within one Ethernet frame. */
    return max > 1500 ? 1500 : max;
}

/* A BOOTREPLY carries RFC 1497 vendor extensions only: the DHCP options
 * of RFC 2132 §9 (50-59 and 61; Kea's BOOTP hook removes the same set)
 * mean nothing to a BOOTP client, and 53 would make it a DHCP message. */
static void strip_dhcp_only(struct pkt4_out *o)
{
    for (uint8_t code = OPT_REQUESTED_ADDRESS; code <= OPT_REBINDING_TIME; code++)
        pkt4_out_drop(o, code);
    pkt4_out_drop(o, OPT_CLIENT_ID);
}

int reply_build(struct pkt4_out *o, const struct reply_params *rp)
{
    const struct pkt4 *req = rp->req;
    uint8_t be[4];
    pkt4_out_reply(o, req, rp->msg_type);

    put_be32(be, reply_server_id(rp->cfg, rp->subnet, rp->server_id));
    pkt4_out_put(o, OPT_SERVER_ID, be, 4);

    if (rp->msg_type != DHCPNAK) {
        o->yiaddr = rp->yiaddr;
        if (rp->msg_type == DHCPACK)
            o->ciaddr = req->ciaddr; /* RFC 2131 table 3 */
        struct scopes s;
        scopes_init(&s, rp);
        if (rp->send_lease_time) {
            put_be32(be, rp->lease_time);
            pkt4_out_put(o, OPT_LEASE_TIME, be, 4);
            uint32_t t1, t2;
            reply_tee_times(rp->subnet, rp->lease_time, &t1, &t2);
            if (t1) {
                put_be32(be, t1);
                pkt4_out_put(o, OPT_RENEWAL_TIME, be, 4);
            }
            if (t2) {
                put_be32(be, t2);
                pkt4_out_put(o, OPT_REBINDING_TIME, be, 4);
            }
        }
        if (rp->subnet && !never_send(&s, OPT_SUBNET_MASK)) {
            put_be32(be, rp->subnet->mask);
            pkt4_out_put(o, OPT_SUBNET_MASK, be, 4);
        }
        if (rp->host && rp->host->hostname && rp->host->hostname[0] && !never_send(&s, OPT_HOST_NAME))
            pkt4_out_put(o, OPT_HOST_NAME, rp->host->hostname, strlen(rp->host->hostname));

        /* Requested options in the client's order (RFC 2132 §9.8). */
        size_t prl_len;
        const uint8_t *prl = pkt4_opt(req, OPT_PARAM_REQUEST_LIST, &prl_len);
        for (size_t i = 0; prl && i < prl_len; i++)
            put_configured(o, &s, prl[i]);
        /* ARM §9.2.14: vivso goes to a client that sent vendor options. */
        if (pkt4_has(req, OPT_VIVCO) || pkt4_has(req, OPT_VIVSO))
            put_configured(o, &s, OPT_VIVSO);
        /* always-send options, then the ones sent even unrequested. */
        for (int i = 0; i < s.n; i++)
            for (size_t j = 0; j < s.v[i]->n; j++)
                if (s.v[i]->v[j].always_send && class_guard_allows(&s.v[i]->v[j].classes, s.classes))
                    put_configured(o, &s, s.v[i]->v[j].code);
        static const uint8_t basic[] = { OPT_ROUTERS, OPT_DNS_SERVERS, OPT_DOMAIN_NAME };
        for (size_t i = 0; i < sizeof(basic); i++)
            put_configured(o, &s, basic[i]);
        set_fixed_fields(o, rp);
    }

    size_t len;
    const uint8_t *v;
    if (rp->cfg->echo_client_id && (v = pkt4_opt(req, OPT_CLIENT_ID, &len)))
        pkt4_out_put(o, OPT_CLIENT_ID, v, len);
    /* RFC 3046 §2.2: the relay agent information goes back last, unchanged. */
    if ((v = pkt4_opt(req, OPT_RELAY_AGENT_INFO, &len)))
        pkt4_out_put(o, OPT_RELAY_AGENT_INFO, v, len);
    if (rp->bootp)
        strip_dhcp_only(o);
    return pkt4_out_finish(o, reply_max_size(req)) < 0 ? -1 : 0;
}
