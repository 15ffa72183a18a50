/*
 * DHCPv4 message processing; see dhcp4_srv.h. The flow is one way:
 * accept filter -> subnet selection -> host reservation -> allocation engine
 * -> reply assembly -> send (directly, or after the lease is durable).
 */
#include "server/dhcp4_srv.h"
#include "server/dhcp4_network.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alloc/alloc_engine.h"
#include "hooks/hooks_mgr.h"
#include "server/log.h"
#include "server/reply.h"
#include "server/stats.h"
#include "server/subnet_select.h"

#define REPLY_CAP 1500

/* ---- identity and logging helpers ---------------------------------- */

static uint8_t chaddr_len(const struct pkt4 *req)
{
    return req->hlen > 16 ? 16 : req->hlen;
}

static bool chaddr_empty(const struct pkt4 *req)
{
    for (uint8_t i = 0; i < chaddr_len(req); i++)
        if (req->chaddr[i])
            return false;
    return true;
}

bool dhcp4_client_key(const struct pkt4 *req, struct client_key *key)
{
    size_t len;
    const uint8_t *cid = pkt4_opt(req, OPT_CLIENT_ID, &len);
    if (cid && len && len <= sizeof(key->id)) {
        key->type = 1;
        key->len = (uint8_t)len;
        memcpy(key->id, cid, len);
        return true;
    }
    if (chaddr_empty(req))
        return false;
    key->type = 2;
    key->len = chaddr_len(req);
    memcpy(key->id, req->chaddr, key->len);
    return true;
}

static void hex(const uint8_t *p, size_t n, char *out, size_t cap)
{
    size_t k = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && k + 4 < cap; i++)
        k += (size_t)snprintf(out + k, cap - k, i ? ":%02x" : "%02x", p[i]);
}

/* "[hwtype=1 aa:bb:..], cid=[..], tid=0x.." as Kea prints a client. */
static const char *client_str(const struct pkt4 *req, char *buf, size_t cap)
{
    char hw[64], cid[128] = "no info";
    size_t len;
    hex(req->chaddr, chaddr_len(req), hw, sizeof(hw));
    const uint8_t *c = pkt4_opt(req, OPT_CLIENT_ID, &len);
    if (c)
        hex(c, len, cid, sizeof(cid));
    snprintf(buf, cap, "[hwtype=%u %s], cid=[%s], tid=0x%x", req->htype, hw, cid, req->xid);
    return buf;
}

static const char *ip_str(uint32_t a, char *buf)
{
    snprintf(buf, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
    return buf;
}

static uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void drop(const struct pkt4 *req, const char *id, const char *why)
{
    char who[256];
    stats_inc(STAT_PKT4_RECEIVE_DROP);
    LOG_DEBUG(id, "%s: dropped: %s", client_str(req, who, sizeof(who)), why);
}

/* ---- accept filter (spec §3.1) -------------------------------------- */

static void count_received(uint8_t type)
{
    static const enum stat_id by_type[] = {
        [DHCPDISCOVER] = STAT_PKT4_DISCOVER_RECEIVED, [DHCPOFFER] = STAT_PKT4_OFFER_RECEIVED,
        [DHCPREQUEST] = STAT_PKT4_REQUEST_RECEIVED, [DHCPDECLINE] = STAT_PKT4_DECLINE_RECEIVED,
        [DHCPACK] = STAT_PKT4_ACK_RECEIVED, [DHCPNAK] = STAT_PKT4_NAK_RECEIVED,
        [DHCPRELEASE] = STAT_PKT4_RELEASE_RECEIVED, [DHCPINFORM] = STAT_PKT4_INFORM_RECEIVED,
    };
    if (type >= 1 && type <= DHCPINFORM)
        stats_inc(by_type[type]);
    else
        stats_inc(STAT_PKT4_UNKNOWN_RECEIVED);
}

static bool configured_server_id(const struct cfg_options *opts, uint32_t sid)
{
    for (size_t i = 0; i < opts->n; i++)
        if (opts->v[i].code == OPT_SERVER_ID && opts->v[i].len == 4 &&
            get_be32(opts->v[i].data) == sid)
            return true;
    return false;
}

/* Option 54 names us: an address we listen on, or a configured identifier. */
static bool is_our_server_id(const struct dhcp4_srv *srv, const struct cfg4 *cfg, uint32_t sid)
{
    for (size_t i = 0; i < srv->io->n_ifaces; i++)
        if (srv->io->ifaces[i].addr == sid)
            return true;
    if (configured_server_id(&cfg->options, sid))
        return true;
    for (size_t i = 0; i < cfg->n_subnets; i++)
        if (configured_server_id(&cfg->subnets[i].options, sid))
            return true;
    for (size_t i = 0; i < cfg->n_networks; i++)
        if (configured_server_id(&cfg->networks[i].options, sid))
            return true;
    return false;
}

static bool accept_packet(struct dhcp4_worker *w, const struct cfg4 *cfg, const struct rx_pkt *rx)
{
    const struct pkt4 *req = &w->req;
    (void)rx;
    if (req->op != BOOTREQUEST) {
        drop(req, "DHCP4_PACKET_DROP_0006", "not a BOOTREQUEST");
        return false;
    }
    switch (req->msg_type) {
    case 0: /* BOOTP (RFC 951): no option 53 */
    case DHCPDISCOVER: case DHCPREQUEST: case DHCPDECLINE: case DHCPRELEASE: case DHCPINFORM:
        break;
    default:
        drop(req, "DHCP4_PACKET_DROP_0006", "unsupported message type");
        return false;
    }
    if (w->srv->dhcp_disabled) {
        drop(req, "DHCP4_PACKET_DROP_0008", "DHCP service disabled");
        return false;
    }
    size_t len;
    if (chaddr_empty(req) && !pkt4_opt(req, OPT_CLIENT_ID, &len)) {
        drop(req, "DHCP4_PACKET_DROP_0004", "neither hw-address nor client-id");
        return false;
    }
    const uint8_t *sid = pkt4_opt(req, OPT_SERVER_ID, &len);
    if (req->msg_type == DHCPDISCOVER && sid) {
        drop(req, "DHCP4_PACKET_DROP_0004", "DISCOVER with a server identifier");
        return false;
    }
    if (sid && !is_our_server_id(w->srv, cfg, get_be32(sid))) {
        drop(req, "DHCP4_PACKET_DROP_0003", "foreign server identifier");
        return false;
    }
    if (req->msg_type == DHCPINFORM && !req->ciaddr && !rx->src_ip && !req->giaddr) {
        drop(req, "DHCP4_PACKET_DROP_0004", "INFORM without ciaddr or source address");
        return false;
    }
    return true;
}

/* ---- the client, its reservation, its lifetime ----------------------- */

static void client_of(const struct pkt4 *req, bool use_cid, struct alloc_client *c)
{
    size_t len;
    c->query = NULL;
    const uint8_t *cid = pkt4_opt(req, OPT_CLIENT_ID, &len);
    c->hw = req->chaddr;
    c->hwlen = chaddr_len(req);
    c->cid = use_cid && cid && len <= LEASE_CLIENT_ID_MAX ? cid : NULL;
    c->cidlen = c->cid ? (uint8_t)len : 0;
}

/* A flex-id computed by a host4_identifier callout. */
struct flex_id {
    size_t  len;
    uint8_t v[HOST_ID_MAX];
};

/* One identifier type's value in this packet, or NULL. */
static const uint8_t *identifier(const struct pkt4 *req, enum host_id_type t,
                                 const struct flex_id *flex, size_t *len)
{
    switch (t) {
    case HOST_ID_FLEX_ID:
        *len = flex ? flex->len : 0;
        return *len ? flex->v : NULL;
    case HOST_ID_HWADDR:
        *len = chaddr_len(req);
        return *len ? req->chaddr : NULL;
    case HOST_ID_CLIENT_ID:
        return pkt4_opt(req, OPT_CLIENT_ID, len);
    case HOST_ID_CIRCUIT_ID:
        return pkt4_rai_sub(req, RAI_CIRCUIT_ID, len);
    case HOST_ID_DUID: {
        /* RFC 4361: client-id = 0xff, IAID (4 bytes), DUID. */
        const uint8_t *cid = pkt4_opt(req, OPT_CLIENT_ID, len);
        if (!cid || *len < 6 || cid[0] != 0xff)
            return NULL;
        *len -= 5;
        return cid + 5;
    }
    default:
        return NULL;
    }
}

/* Spec §3.5: identifier types in configured order, first hit wins; for
 * each type the configuration file first, then the hosts-databases in
 * order (Kea's HostMgr). */
static const struct cfg_host *find_host_in(struct dhcp4_worker *w, const struct cfg4 *cfg,
                                           uint32_t scope, const struct pkt4 *req,
                                           const struct flex_id *flex)
{
    for (size_t i = 0; i < cfg->n_host_ids && i < HOST_ID_TYPES; i++) {
        size_t len = 0;
        const uint8_t *id = identifier(req, cfg->host_ids[i], flex, &len);
        if (!id || !len)
            continue;
        const struct cfg_host *h = cfg4_host_find(cfg, scope, cfg->host_ids[i], id, len);
        if (!h && w->hdb && host_mgr_get(w->srv->hosts, w->id, cfg, scope, cfg->host_ids[i],
                                         id, len, w->hdb, &h) == LEASE_E_IO)
            return NULL;
        if (h)
            return h;
    }
    return NULL;
}

/* The subnet's reservations before the global ones. */
static const struct cfg_host *find_host(struct dhcp4_worker *w, const struct cfg4 *cfg,
                                        const struct cfg_subnet4 *sn, const struct pkt4 *req,
                                        const struct flex_id *flex)
{
    const struct cfg_host *h = NULL;
    if (w->hdb)
        w->hdb->failed = false;
    if (sn && sn->reservations_in_subnet)
        h = find_host_in(w, cfg, sn->id, req, flex);
    if (!h && (!sn || sn->reservations_global) && !(w->hdb && w->hdb->failed))
        h = find_host_in(w, cfg, 0, req, flex);
    return h;
}

/* alloc_req.db_reserved: a reverse lookup in the hosts-databases; after a
 * failure every address counts as reserved and nothing more is asked. */
static int db_reserved(void *ctx, uint32_t subnet_id, uint32_t addr)
{
    struct dhcp4_worker *w = ctx;
    if (w->hdb->failed)
        return 1;
    return host_mgr_addr_reserved(w->srv->hosts, w->id, subnet_id, addr, w->hdb);
}

/* A hosts-database failed during this packet: Kea drops the packet. */
static bool hosts_db_failed(const struct dhcp4_worker *w)
{
    return w->hdb && w->hdb->failed;
}

/* Lifetime: the client's option 51 clamped to [min, max], else the default. */
static uint32_t lifetime_clamp(const struct pkt4 *req, uint32_t valid, uint32_t min, uint32_t max)
{
    size_t len;
    const uint8_t *v = pkt4_opt(req, OPT_LEASE_TIME, &len);
    if (!v || len != 4)
        return valid;
    uint32_t asked = get_be32(v);
    if (asked < min)
        return min;
    if (asked > max)
        return max;
    return asked;
}

static uint32_t lifetime_for(const struct cfg_subnet4 *sn, const struct pkt4 *req)
{
    return lifetime_clamp(req, sn->valid_lft, sn->min_valid_lft, sn->max_valid_lft);
}

static const char *reply_hostname(const struct cfg_host *host)
{
    return host && host->hostname ? host->hostname : NULL;
}

/* ---- addressing and sending (spec §3.11) ---------------------------- */

static uint32_t receiving_address(const struct dhcp4_srv *srv, const struct rx_pkt *rx)
{
    const struct io_iface *ifc = io_iface_by_index(srv->io, rx->ifindex);
    if (ifc && ifc->addr)
        return ifc->addr;
    return rx->dst_ip != 0xffffffffu ? rx->dst_ip : 0;
}

static void reply_destination(const struct dhcp4_srv *srv, const struct rx_pkt *rx,
                              const struct pkt4_out *o, struct tx_dest *d)
{
    const struct io_ctx *io = srv->io;
    /* Option 53 is staged first; a BOOTREPLY has none. */
    uint8_t type = o->n_opts && o->opt_code[0] == OPT_MESSAGE_TYPE ? o->stage[o->opt_off[0]] : 0;
    memset(d, 0, sizeof(*d));
    d->ifindex = rx->ifindex;
    d->src_ip = receiving_address(srv, rx);
    if (o->giaddr) {
        d->dst_ip = o->giaddr;
        d->dst_port = io->server_port;
    } else if (o->ciaddr && type != DHCPNAK) {
        d->dst_ip = o->ciaddr;
        d->dst_port = io->client_port;
    } else if (type == DHCPNAK || !o->yiaddr || (o->flags & PKT4_FLAG_BROADCAST) || !io->raw ||
               o->htype != 1 || o->hlen != 6) {
        d->dst_ip = 0xffffffffu;
        d->dst_port = io->client_port;
    } else {
        /* RFC 2131 §4.1: unicast to yiaddr at chaddr, the client has no ARP yet. */
        d->dst_ip = o->yiaddr;
        d->dst_port = io->client_port;
        d->l2_unicast = true;
        memcpy(d->dst_mac, o->chaddr, 6);
    }
}

static void count_sent(uint8_t type)
{
    stats_inc(STAT_PKT4_SENT);
    if (type == DHCPOFFER)
        stats_inc(STAT_PKT4_OFFER_SENT);
    else if (type == DHCPACK)
        stats_inc(STAT_PKT4_ACK_SENT);
    else if (type == DHCPNAK)
        stats_inc(STAT_PKT4_NAK_SENT);
}

static void send_now(struct dhcp4_srv *srv, const struct tx_dest *d, const uint8_t *buf,
                     size_t len, uint8_t type)
{
    if (io_send(srv->io, d, buf, len) == 0)
        count_sent(type);
    else
        stats_inc(STAT_PKT4_SEND_FAILED);
}

static void send_reply(struct dhcp4_worker *w, const struct rx_pkt *rx, uint8_t type)
{
    struct tx_dest d;
    reply_destination(w->srv, rx, &w->out, &d);
    send_now(w->srv, &d, w->out.buf, w->out.len, type);
}

/* A reply that waits for its lease to be durable. Two parties arrive: the
 * worker once the reply is built, the store once the lease is synced; the
 * second one sends (or discards, on a store error) and frees. */
struct pending_reply {
    struct dhcp4_srv *srv;
    int      arrived;
    int      result;
    struct tx_dest dst;
    uint8_t  type;
    size_t   len;
    uint8_t  data[REPLY_CAP];
};

static void pending_arrive(struct pending_reply *pr)
{
    if (__atomic_fetch_add(&pr->arrived, 1, __ATOMIC_ACQ_REL) == 0)
        return;
    int result = __atomic_load_n(&pr->result, __ATOMIC_ACQUIRE);
    if (result == LEASE_OK && pr->len)
        send_now(pr->srv, &pr->dst, pr->data, pr->len, pr->type);
    else if (result == LEASE_E_CONFLICT) {
        /* A shared database: another server committed this address first.
         * The store now holds the winner's lease; the client's retry gets
         * another address (lease_store.h, submit). */
        stats_inc(STAT_V4_LEASE_CONFLICTS);
        LOG_INFO("DHCP4_LEASE_CONFLICT", "address taken by another server meanwhile: no ACK");
    } else if (result != LEASE_OK) {
        stats_inc(STAT_LEASE_WRITE_FAILED);
        LOG_ERROR("DHCP4_LEASE_WRITE_FAILED", "lease not durable (%s): reply withheld",
                  lease_strerror(result));
    }
    free(pr);
}

static void pending_done(void *ctx, int result)
{
    struct pending_reply *pr = ctx;
    __atomic_store_n(&pr->result, result, __ATOMIC_RELEASE);
    pending_arrive(pr);
}

/* ---- hook points (hooks/hooks_mgr.h); each call site is guarded by hooks_on ---- */

/* pkt4_send + buffer4_send: false when a callout dropped the response. */
#define SEND_HOOKS(m) (!(hooks_on((m)->cfg->hooks, DORA_HOOK_PKT4_SEND) ||                   \
                         hooks_on((m)->cfg->hooks, DORA_HOOK_BUFFER4_SEND)) ||                \
                       hooks_send((m)->cfg, (m)->hq, &(m)->w->out))

static void pending_resume(void *arg, bool drop)
{
    struct pending_reply *pr = arg;
    if (drop)
        pr->len = 0;   /* discarded; the lease stays committed (Kea) */
    pending_arrive(pr);
}

struct msg_ctx;
static bool leases_committed(struct msg_ctx *m, struct pending_reply *pr);

/* ---- message handlers ------------------------------------------------ */

struct msg_ctx {
    struct dhcp4_worker      *w;
    const struct cfg4        *cfg;
    const struct rx_pkt      *rx;
    const struct pkt4        *req;
    const struct cfg_subnet4 *subnet;
    const struct cfg_host    *host;
    bool bootp;     /* a BOOTREQUEST without option 53 */
    struct hooks_query       *hq;  /* NULL when no hook library is loaded */
    const struct flex_id     *flex; /* host4_identifier's flex-id, or NULL */
    struct class_state       *cls;      /* NULL when the config has no classes */
    const uint64_t           *classes;  /* cls->bits, or NULL */
    char who[256];  /* client identity for logs, formatted on first use */
};

static const char *who(struct msg_ctx *m)
{
    if (!m->who[0])
        client_str(m->req, m->who, sizeof(m->who));
    return m->who;
}

/* ---- classification (classify/classify.h) ---------------------------- */

static bool classified_drop(struct msg_ctx *m)
{
    if (!classify_drop(m->cls, m->cfg))
        return false;
    drop(m->req, "DHCP4_PACKET_DROP_0010", "classified as DROP");
    return true;
}

/* Built-ins and the tests that need no host lookup; false: dropped. */
static bool classify_early(struct msg_ctx *m)
{
    const struct io_iface *ifc = io_iface_by_index(m->w->srv->io, m->rx->ifindex);
    m->cls = &m->w->cls;
    m->classes = m->cls->bits;
    classify_begin(m->cls, m->cfg, m->req, ifc ? ifc->name : "", m->rx->src_ip, m->rx->dst_ip,
                   m->rx->len);
    return !classified_drop(m);
}

/* KNOWN/UNKNOWN, the reservation's classes and the tests that need them. */
static bool classify_late(struct msg_ctx *m)
{
    classify_host(m->cls, m->cfg, m->host);
    return !classified_drop(m);
}

/* The additional lists of the lease's pool, then of the subnet, then of
 * its shared network (spec §3.4 step 12). */
static void classify_for_reply(struct msg_ctx *m, const struct cfg_pool *pool)
{
    if (!m->cls)
        return;
    if (pool)
        classify_additional(m->cls, m->cfg, &pool->additional);
    if (m->subnet)
        classify_additional(m->cls, m->cfg, &m->subnet->additional);
    if (m->subnet && m->subnet->network)
        classify_additional(m->cls, m->cfg, &m->subnet->network->additional);
}

/* The first class with a valid-lifetime overrides the subnet's (ARM §16.8). */
static uint32_t lease_lifetime(const struct msg_ctx *m)
{
    const struct cfg_class *c = m->cls ? classify_first_with(m->cls, m->cfg, CLASS_F_LIFETIME) : NULL;
    if (c)
        return lifetime_clamp(m->req, c->valid_lft, c->min_valid_lft, c->max_valid_lft);
    return lifetime_for(m->subnet, m->req);
}

static void send_nak(struct msg_ctx *m, const char *why)
{
    struct reply_params rp = {
        .cfg = m->cfg, .subnet = m->subnet, .req = m->req, .msg_type = DHCPNAK,
        .server_id = receiving_address(m->w->srv, m->rx),
    };
    LOG_INFO("DHCP4_PACKET_NAK", "%s: NAK: %s", who(m), why);
    if (reply_build(&m->w->out, &rp) == 0 && SEND_HOOKS(m))
        send_reply(m->w, m->rx, DHCPNAK);
}

static void build_alloc_req(struct msg_ctx *m, struct alloc_req *ar, uint32_t hint)
{
    memset(ar, 0, sizeof(*ar));
    ar->cfg = m->cfg;
    ar->subnet = m->subnet;
    client_of(m->req, m->subnet->match_client_id, &ar->client);
    ar->client.query = m->hq;
    ar->host = m->host;
    ar->hint = hint;
    /* Spec §1.2: a BOOTP client always gets an infinite lease. */
    ar->valid_lft = m->bootp ? LEASE_INFINITE : lease_lifetime(m);
    ar->classes = m->classes;
    ar->now = time(NULL);
    ar->hostname = reply_hostname(m->host);
    if (m->w->hdb) {
        ar->db_reserved = db_reserved;
        ar->db_ctx = m->w;
    }
}

static int build_lease_reply(struct msg_ctx *m, uint8_t type, const struct lease4 *l)
{
    const struct cfg_pool *pool = alloc_pool_of(m->subnet, l->addr);
    classify_for_reply(m, pool);
    struct reply_params rp = {
        .cfg = m->cfg, .subnet = m->subnet, .pool = pool,
        .host = m->host, .req = m->req, .msg_type = type, .yiaddr = l->addr,
        .server_id = receiving_address(m->w->srv, m->rx), .send_lease_time = !m->bootp,
        .lease_time = l->valid_lft, .bootp = m->bootp, .classes = m->cls,
    };
    return reply_build(&m->w->out, &rp);
}

/* find_host in the shape dhcp4_network.c calls it (arg: the msg_ctx). */
static const struct cfg_host *network_host(const struct cfg4 *cfg, const struct cfg_subnet4 *sn,
                                           const struct pkt4 *req, const void *arg)
{
    const struct msg_ctx *m = arg;
    return find_host(m->w, cfg, sn, req, m->flex);
}

/* Shared networks: the client's reservation, lease or requested address
 * may sit in a sibling subnet of the selected one (dhcp4_network.h). */
static void network_stage(struct msg_ctx *m)
{
    size_t len;
    const uint8_t *opt50 = pkt4_opt(m->req, OPT_REQUESTED_ADDRESS, &len);
    uint32_t hint = opt50 && len == 4 ? get_be32(opt50) : m->req->ciaddr;
    struct alloc_client c;
    /* The classes so far: network_stage is part of subnet selection. */
    struct network_choice nc = { m->subnet, m->host, m, m->classes };

    client_of(m->req, m->subnet->match_client_id, &c);
    network_pick(m->w->srv->store, m->cfg, m->req, &c, hint,
                 m->req->msg_type != DHCPDISCOVER, network_host, &nc);
    m->subnet = nc.subnet;
    m->host = nc.host;
}

/* Kea moves on to the next subnet of a shared network when one is full. */
static enum alloc_result discover_in_network(struct msg_ctx *m, struct alloc_req *ar,
                                             struct lease4 *offer)
{
    const struct cfg_subnet4 *start = m->subnet, *sn = start;
    const struct cfg_host *start_host = m->host;
    uint32_t hint = ar->hint;
    enum alloc_result res;

    while ((res = alloc_discover(m->w->srv->store, ar, offer)) == ALLOC_EXHAUSTED &&
           (sn = network_next(m->cfg, start, sn, m->classes)) != NULL) {
        m->subnet = sn;
        m->host = find_host(m->w, m->cfg, sn, m->req, m->flex);
        build_alloc_req(m, ar, hint);
    }
    if (res != ALLOC_OK) {
        m->subnet = start;
        m->host = start_host;
    }
    return res;
}

/* leases4_committed. Returns false when the reply was parked: the worker
 * must not arrive at pr (the unpark does). */
static bool leases_committed(struct msg_ctx *m, struct pending_reply *pr)
{
    enum dora_hook_status st = hooks_leases4_committed(m->cfg, m->hq, pr ? &m->w->out : NULL,
                                                       pr ? pending_resume : NULL, pr);
    if (st == DORA_HOOK_DROP && pr) {
        pr->len = 0;
        LOG_DEBUG("DHCP4_HOOK_LEASES4_COMMITTED_DROP", "%s: reply dropped by a callout", who(m));
    }
    return st != DORA_HOOK_PARK;
}

static void handle_discover(struct msg_ctx *m)
{
    if (!m->subnet) {
        drop(m->req, "DHCP4_PACKET_DROP_0002", "no suitable subnet for the client");
        return;
    }
    struct alloc_req ar;
    struct lease4 offer;
    char ip[16];
    build_alloc_req(m, &ar, 0);
    size_t len;
    const uint8_t *hint = pkt4_opt(m->req, OPT_REQUESTED_ADDRESS, &len);
    if (hint && len == 4)
        ar.hint = get_be32(hint);
    enum alloc_result res = discover_in_network(m, &ar, &offer);
    if (hosts_db_failed(m->w)) {
        drop(m->req, "DHCP4_PACKET_DROP_HOSTS_DB", "hosts-database lookup failed");
        return;
    }
    if (res != ALLOC_OK) {
        LOG_WARN("DHCP4_ALLOC_FAIL", "%s: no address available in subnet %u",
                 who(m), m->subnet->id);
        stats_inc(STAT_PKT4_RECEIVE_DROP);
        return;
    }
    LOG_DEBUG("DHCP4_LEASE_OFFER", "%s: offering %s", who(m), ip_str(offer.addr, ip));
    if (build_lease_reply(m, DHCPOFFER, &offer) == 0 && SEND_HOOKS(m))
        send_reply(m->w, m->rx, DHCPOFFER);
}

/* Allocate or renew, and send the ACK (or BOOTREPLY) once the lease is
 * durable. Without a requested address a full subnet of a shared network
 * hands over to the next one. */
static enum alloc_result commit_and_reply(struct msg_ctx *m, struct alloc_req *ar)
{
    struct pending_reply *pr = malloc(sizeof(*pr));
    char ip[16];

    if (!pr) {
        drop(m->req, "DHCP4_PACKET_DROP_NOMEM", "out of memory");
        return ALLOC_ERROR;
    }
    pr->srv = m->w->srv;
    pr->arrived = 0;
    pr->result = LEASE_OK;
    pr->type = m->bootp ? 0 : DHCPACK;
    pr->len = 0;

    struct lease4 lease;
    const struct cfg_subnet4 *start = m->subnet, *sn = start;
    enum alloc_result res;
    while ((res = alloc_request(m->w->srv->store, ar, pending_done, pr, &lease)) ==
               ALLOC_EXHAUSTED && !ar->hint &&
           (sn = network_next(m->cfg, start, sn, m->classes)) != NULL) {
        m->subnet = sn;
        m->host = find_host(m->w, m->cfg, sn, m->req, m->flex);
        build_alloc_req(m, ar, 0);
    }
    if (res != ALLOC_OK) {
        free(pr);
        return res;
    }
    if (build_lease_reply(m, DHCPACK, &lease) == 0 && m->w->out.len <= REPLY_CAP &&
        SEND_HOOKS(m)) {
        reply_destination(m->w->srv, m->rx, &m->w->out, &pr->dst);
        memcpy(pr->data, m->w->out.buf, m->w->out.len);
        pr->len = m->w->out.len;
    }
    LOG_INFO("DHCP4_LEASE_ALLOC", "%s: lease %s has been allocated for %u seconds%s",
             who(m), ip_str(lease.addr, ip), lease.valid_lft, m->bootp ? " (BOOTP)" : "");
    if (hooks_on(m->cfg->hooks, DORA_HOOK_LEASES4_COMMITTED) && !leases_committed(m, pr))
        return ALLOC_OK; /* parked: the unpark arrives for the worker */
    pending_arrive(pr);
    return ALLOC_OK;
}

static void handle_request(struct msg_ctx *m)
{
    const struct pkt4 *req = m->req;
    size_t len;
    const uint8_t *opt50 = pkt4_opt(req, OPT_REQUESTED_ADDRESS, &len);
    uint32_t requested = opt50 && len == 4 ? get_be32(opt50) : 0;
    bool init_reboot = !pkt4_has(req, OPT_SERVER_ID) && requested && !req->ciaddr;
    uint32_t hint = requested ? requested : req->ciaddr;

    if (!m->subnet) {
        if (init_reboot && !m->cfg->authoritative) {
            drop(req, "DHCP4_NO_SUBNET_INIT_REBOOT", "INIT-REBOOT from an unknown network");
            return;
        }
        send_nak(m, "no subnet for the client");
        return;
    }
    struct alloc_req ar;
    build_alloc_req(m, &ar, hint);

    /* INIT-REBOOT (spec §3.7): only a client we know gets an answer unless
     * we are authoritative; a known client asking for another address is
     * NAKed. */
    if (init_reboot) {
        struct lease4 own;
        if (alloc_find_client_lease(m->w->srv->store, m->subnet->id, &ar.client, &own) != LEASE_OK ||
            own.state != LEASE_STATE_DEFAULT) {
            if (!m->subnet->authoritative) {
                drop(req, "DHCP4_NO_LEASE_INIT_REBOOT", "INIT-REBOOT of a client without a lease");
                return;
            }
            send_nak(m, "INIT-REBOOT of a client without a lease");
            return;
        }
        if (own.addr != requested) {
            send_nak(m, "INIT-REBOOT for an address that is not the client's");
            return;
        }
    }

    enum alloc_result res = commit_and_reply(m, &ar);
    if (res != ALLOC_OK && hosts_db_failed(m->w)) {
        drop(req, "DHCP4_PACKET_DROP_HOSTS_DB", "hosts-database lookup failed");
        return;
    }
    switch (res) {
    case ALLOC_OK:
        break;
    case ALLOC_NAK:
        send_nak(m, "requested address is not available to the client");
        break;
    case ALLOC_NAK_WRONG_NET:
        if (m->subnet->authoritative)
            send_nak(m, "requested address is not on the client's network");
        else
            drop(req, "DHCP4_PACKET_DROP_WRONG_NET", "address on another network, not authoritative");
        break;
    case ALLOC_DROP:
        drop(req, "DHCP4_UNKNOWN_ADDRESS_REQUESTED", "requested address outside every pool");
        break;
    default:
        LOG_WARN("DHCP4_ALLOC_FAIL", "%s: allocation failed: %s", who(m), alloc_result_name[res]);
        stats_inc(STAT_PKT4_RECEIVE_DROP);
        break;
    }
}

/* BOOTREQUEST (RFC 951, RFC 1542; Kea's BOOTP hook): served like a
 * DHCPREQUEST for ciaddr (or any address) with an infinite lease, answered
 * with a BOOTREPLY without the DHCP-only options (reply.c). BOOTP has no
 * NAK: whatever cannot be served is dropped. dhcpd's "deny dynamic bootp
 * clients" is a pool guard the built-in BOOTP class does not pass (e.g. a
 * class tested "not member('BOOTP')"): the allocator's pool filter skips
 * that pool, a full shared-network subnet hands over to an allowed
 * sibling, and a reserved address is served whatever the pool's guard. */
static void handle_bootp(struct msg_ctx *m)
{
    if (!m->subnet) {
        drop(m->req, "DHCP4_PACKET_DROP_0002", "BOOTREQUEST from an unknown network");
        return;
    }
    struct alloc_req ar;
    build_alloc_req(m, &ar, m->req->ciaddr);
    enum alloc_result res = commit_and_reply(m, &ar);
    if (res != ALLOC_OK && res != ALLOC_ERROR) {
        LOG_INFO("DHCP4_BOOTP_FAIL", "%s: BOOTREQUEST not served: %s", who(m),
                 alloc_result_name[res]);
        stats_inc(STAT_PKT4_RECEIVE_DROP);
    }
}

static void handle_release(struct msg_ctx *m)
{
    struct alloc_client c;
    char ip[16];
    /* RELEASE ignores match-client-id and subnet selection (spec §3.2). */
    client_of(m->req, true, &c);
    c.query = m->hq;
    if (alloc_release(m->w->srv->store, m->cfg, &c, m->req->ciaddr, time(NULL)) == ALLOC_OK) {
        LOG_INFO("DHCP4_RELEASE", "%s: address %s was released", who(m), ip_str(m->req->ciaddr, ip));
        if (hooks_on(m->cfg->hooks, DORA_HOOK_LEASES4_COMMITTED))
            leases_committed(m, NULL);
    } else
        LOG_DEBUG("DHCP4_RELEASE_FAIL", "%s: no lease of this client at %s", who(m),
                  ip_str(m->req->ciaddr, ip));
}

static void handle_decline(struct msg_ctx *m)
{
    size_t len;
    char ip[16];
    const uint8_t *opt50 = pkt4_opt(m->req, OPT_REQUESTED_ADDRESS, &len);
    if (!opt50 || len != 4) {
        drop(m->req, "DHCP4_DECLINE_FAIL_NO_ADDRESS", "DECLINE without requested address");
        return;
    }
    uint32_t addr = get_be32(opt50);
    struct alloc_client c;
    client_of(m->req, m->subnet ? m->subnet->match_client_id : true, &c);
    c.query = m->hq;
    if (alloc_decline(m->w->srv->store, m->cfg, &c, addr, time(NULL)) == ALLOC_OK) {
        LOG_INFO("DHCP4_DECLINE_LEASE", "%s: address %s was declined; probation %u s", who(m),
                 ip_str(addr, ip), m->cfg->decline_probation_period);
        if (hooks_on(m->cfg->hooks, DORA_HOOK_LEASES4_COMMITTED))
            leases_committed(m, NULL);
    } else
        LOG_INFO("DHCP4_DECLINE_FAIL", "%s: DECLINE of %s ignored: not the client's lease",
                 who(m), ip_str(addr, ip));
}

static void handle_inform(struct msg_ctx *m)
{
    if (!m->subnet) {
        drop(m->req, "DHCP4_PACKET_DROP_0002", "INFORM from an unknown network");
        return;
    }
    classify_for_reply(m, NULL);
    struct reply_params rp = {
        .cfg = m->cfg, .subnet = m->subnet, .host = m->host, .req = m->req,
        .msg_type = DHCPACK, .server_id = receiving_address(m->w->srv, m->rx),
        .classes = m->cls,
    };
    if (reply_build(&m->w->out, &rp) != 0 || !SEND_HOOKS(m))
        return;
    struct tx_dest d;
    reply_destination(m->w->srv, m->rx, &m->w->out, &d);
    if (!m->req->ciaddr && m->req->giaddr) {
        /* RFC 2131 §4.3.5: a relayed INFORM without ciaddr goes to the relay
         * with the broadcast flag, so the relay broadcasts it. */
        m->w->out.buf[10] |= 0x80;
    } else if (!m->req->ciaddr) {
        /* Unicast INFORM without ciaddr: answer its source address. */
        d.dst_ip = m->rx->src_ip;
        d.dst_port = m->w->srv->io->client_port;
        d.l2_unicast = false;
    }
    send_now(m->w->srv, &d, m->w->out.buf, m->w->out.len, DHCPACK);
}

static bool flex_id_wanted(const struct cfg4 *cfg)
{
    for (size_t i = 0; i < cfg->n_host_ids && i < HOST_ID_TYPES; i++)
        if (cfg->host_ids[i] == HOST_ID_FLEX_ID)
            return true;
    return false;
}

/* Only with hook libraries loaded: the per-packet hook state, then
 * pkt4_receive. Returns false when a callout dropped the packet. */
static bool hook_query(struct msg_ctx *m, struct hooks_query *hq)
{
    const struct io_iface *ifc = io_iface_by_index(m->w->srv->io, m->rx->ifindex);
    hq->pkt = &m->w->req;
    hq->rx = m->rx;
    hq->iface = ifc ? ifc->name : "";
    hq->subnet = NULL;
    hq->has_committed = hq->has_deleted = false;
    m->hq = hq;
    if (hooks_on(m->cfg->hooks, DORA_HOOK_PKT4_RECEIVE) &&
        hooks_pkt4_receive(m->cfg, hq) == DORA_HOOK_DROP) {
        drop(m->req, "DHCP4_HOOK_PACKET_RCVD_SKIP", "dropped by a pkt4_receive callout");
        return false;
    }
    return true;
}

/* Subnet (class guards, subnet4_select), reservation (host4_identifier's
 * flex-id, config then hosts-databases), shared-network sibling, then the
 * KNOWN-dependent classes. False when the packet was dropped. */
static bool select_subnet_and_host(struct msg_ctx *m, struct flex_id *flex)
{
    struct dhcp4_worker *w = m->w;
    const struct cfg4 *cfg = m->cfg;
    const struct pkt4 *req = m->req;

    m->subnet = subnet_select(cfg, req, m->rx, io_iface_by_index(w->srv->io, m->rx->ifindex),
                              m->classes);
    if (hooks_on(cfg->hooks, DORA_HOOK_SUBNET4_SELECT) &&
        hooks_subnet4_select(cfg, m->hq, &m->subnet) == DORA_HOOK_DROP) {
        drop(req, "DHCP4_HOOK_SUBNET4_SELECT_DROP", "dropped by a subnet4_select callout");
        return false;
    }
    if (m->hq)
        m->hq->subnet = m->subnet;
    if (hooks_on(cfg->hooks, DORA_HOOK_HOST4_IDENTIFIER) && flex_id_wanted(cfg) &&
        hooks_host4_identifier(cfg, m->hq, flex->v, sizeof(flex->v), &flex->len) ==
            DORA_HOOK_CONTINUE && flex->len)
        m->flex = flex;
    m->host = find_host(w, cfg, m->subnet, req, m->flex);
    if (hosts_db_failed(w)) {
        drop(req, "DHCP4_PACKET_DROP_HOSTS_DB", "hosts-database lookup failed");
        return false;
    }
    if (m->subnet && m->subnet->network && req->msg_type != DHCPDECLINE &&
        req->msg_type != DHCPINFORM)
        network_stage(m);
    return !m->cls || classify_late(m);
}

void dhcp4_handle(struct dhcp4_worker *w, const struct cfg4 *cfg, const struct rx_pkt *rx)
{
    const struct pkt4 *req = &w->req;
    stats_inc(STAT_PKT4_RECEIVED);
    count_received(req->msg_type);
    if (!accept_packet(w, cfg, rx))
        return;

    struct msg_ctx m = { .w = w, .cfg = cfg, .rx = rx, .req = req, .bootp = !req->msg_type };
    struct hooks_query hq;
    struct flex_id flex;
    if (cfg->n_classes && !classify_early(&m))
        return;
    if (cfg->hooks && !hook_query(&m, &hq))
        return;
    if (req->msg_type != DHCPRELEASE && !select_subnet_and_host(&m, &flex))
        return;
    switch (req->msg_type) {
    case 0:            handle_bootp(&m); break;
    case DHCPDISCOVER: handle_discover(&m); break;
    case DHCPREQUEST:  handle_request(&m); break;
    case DHCPRELEASE:  handle_release(&m); break;
    case DHCPDECLINE:  handle_decline(&m); break;
    case DHCPINFORM:   handle_inform(&m); break;
    default: break;
    }
}
