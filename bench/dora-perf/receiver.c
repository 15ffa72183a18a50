/*
 * dora-perf receiving thread: reads replies in batches, matches each to its
 * request by xid (one slot lookup), validates it (chaddr, message type),
 * records the round trip, and moves the client along: an OFFER is answered
 * with a REQUEST at once (RFC 2131 §4.4.1, SELECTING), an ACK binds the
 * client, a NAK counts as a rejected lease. In broadcast mode it also
 * answers ARP for the addresses the simulated clients hold, as real
 * clients would (RFC 2131 §4.4.1 has them probe and then own the address).
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/dora-perf/run.h"
#include "wire/pkt4.h"

#define ADD(x, v)   atomic_fetch_add_explicit(&(x), (v), memory_order_relaxed)
#define LOAD(x)     atomic_load_explicit(&(x), memory_order_relaxed)
#define WAIT_MS     2          /* poll timeout: phase changes seen quickly */
#define MAX_BATCHES 16         /* reads per wake-up before other duties */
#define COLLECT_MAX 4096

struct perf_receiver {
    struct perf_run *run;
    pthread_t th;
    struct perf_xring *ring;   /* REQUESTs sent in answer to OFFERs */
    struct perf_rxq *rxq;
    struct perf_txq *txq;
    struct rx_pkt *rx;
    struct pkt4 *pkt;
};

static void flush(struct perf_receiver *v)
{
    struct perf_run *r = v->run;
    uint64_t sent = 0;

    if (v->txq->n == 0)
        return;
    /* Latency counts from here, not from when the OFFER came in. */
    uint64_t t = perf_now_ns();
    for (size_t i = 0; i < v->txq->n; i++)
        if (v->txq->kind[i] == PX_RA)
            perf_xring_restamp(v->ring, v->txq->cookie[i], t);
    perf_net_flush(&r->net, v->txq);
    for (size_t i = 0; i < v->txq->n; i++) {
        if (v->txq->kind[i] != PX_RA)
            continue;           /* ARP replies */
        if (v->txq->failed[i])
            perf_run_cancel(r, v->ring, v->txq->cookie[i]);
        else
            sent++;
    }
    if (sent)
        ADD(r->cnt[PX_RA].sent, sent);
    v->txq->n = 0;
}

static uint32_t server_id(const struct pkt4 *p, uint32_t fallback)
{
    size_t len;
    const uint8_t *v = pkt4_opt(p, OPT_SERVER_ID, &len);
    if (!v || len != 4)
        return fallback;
    return (uint32_t)v[0] << 24 | (uint32_t)v[1] << 16 | (uint32_t)v[2] << 8 | v[3];
}

static void send_request(struct perf_receiver *v, const struct perf_xinfo *x, const uint8_t mac[6],
                         uint32_t yiaddr, uint32_t srvid, uint64_t now)
{
    struct perf_run *r = v->run;

    uint64_t limit = r->o->num_request[1];
    if (limit && LOAD(r->requests) >= limit)
        return;
    ADD(r->requests, 1);
    if (v->txq->n >= PERF_BATCH)
        flush(v);
    uint8_t *p = perf_txq_payload(&r->net, v->txq);
    uint32_t xid = perf_run_post(r, v->ring, PX_RA, x->client, x->giaddr, now);
    /* The REQUEST goes the way the DISCOVER went: through the same relay,
     * or broadcast (RFC 2131 §4.4.1: SELECTING clients broadcast). */
    struct perf_tmpl_fill f = { .xid = xid, .mac = mac, .giaddr = x->giaddr, .reqip = yiaddr,
                                .srvid = srvid };
    size_t len = perf_tmpl_write(&r->tmpl[PT_REQUEST], p, PERF_TMPL_MAX, &f);
    struct perf_l2 l2 = { .src_mac = mac };
    if (len == 0 || perf_txq_commit(&r->net, v->txq, len, &l2, xid, PX_RA) < 0)
        perf_run_cancel(r, v->ring, xid);
}

static void on_offer(struct perf_receiver *v, const struct perf_xinfo *x, const uint8_t mac[6],
                     uint64_t now)
{
    struct perf_run *r = v->run;
    const struct pkt4 *p = v->pkt;

    if (p->yiaddr == 0) {
        ADD(r->cnt[PX_DO].rejected, 1);
        return;
    }
    if (perf_run_uniq_check(r, p->yiaddr, x->client))
        ADD(r->cnt[PX_DO].nonunique, 1);
    if (r->o->initial_only)
        return;
    send_request(v, x, mac, p->yiaddr, server_id(p, v->rx->src_ip), now);
}

static void on_ack(struct perf_receiver *v, const struct perf_xinfo *x)
{
    struct perf_run *r = v->run;
    const struct pkt4 *p = v->pkt;
    uint32_t old = 0, old_srv = 0;
    bool had_lease = perf_client_lease(r->clients, x->client, &old, &old_srv);

    if (p->msg_type == DHCPNAK || p->yiaddr == 0) {
        ADD(r->cnt[x->type].rejected, 1);
        /* A NAKed renewal means the lease is gone (RFC 2131 §4.4.5). */
        if (x->type == PX_RENEW && had_lease &&
            perf_client_drop_lease(r->clients, x->client, old, old_srv))
            perf_run_uniq_release(r, old, x->client);
        return;
    }
    uint32_t srvid = server_id(p, v->rx->src_ip);
    if (perf_run_uniq_hold(r, p->yiaddr, x->client, had_lease ? old : 0))
        ADD(r->cnt[x->type].nonunique, 1);
    perf_client_set_lease(r->clients, x->client, p->yiaddr, srvid);
    if (r->arp) {
        if (had_lease && old != p->yiaddr)
            (void)perf_addrmap_del(r->arp, old, x->client);
        (void)perf_addrmap_set(r->arp, p->yiaddr, x->client);
        perf_client_set_server_mac(r->clients, x->client, v->rx->src_mac);
    }
    if (r->track_bound)
        (void)perf_clients_push_bound(r->clients, x->client);
}

static void on_reply(struct perf_receiver *v, size_t i, uint64_t now)
{
    struct perf_run *r = v->run;
    struct pkt4 *p = v->pkt;
    struct perf_xinfo x;
    uint8_t mac[6];
    size_t len;

    const uint8_t *data = perf_net_payload(&r->net, v->rxq, i, v->rx, &len);
    if (!data || pkt4_parse(p, data, len) != PKT4_OK || p->op != BOOTREPLY) {
        ADD(r->malformed, 1);
        return;
    }
    /* Unmatched replies are charged to the exchange their type belongs to. */
    enum perf_xtype guess = p->msg_type == DHCPOFFER ? PX_DO : PX_RA;
    unsigned rid = perf_xring_id_of(p->xid, r->key);
    if (rid >= r->n_rings || !perf_xring_peek(r->ring[rid], p->xid, &x) || x.type >= PX_N) {
        ADD(r->cnt[guess].orphans, 1);
        return;
    }
    perf_client_mac(r->clients, x.client, mac);
    /* A RELEASE expects nothing back, so anything "answering" it is an orphan. */
    bool type_ok = x.type == PX_DO ? p->msg_type == DHCPOFFER
                 : x.type == PX_RELEASE ? false
                 : (p->msg_type == DHCPACK || p->msg_type == DHCPNAK);
    if (!type_ok || p->hlen != 6 || memcmp(p->chaddr, mac, 6) != 0 ||
        !perf_xring_claim(r->ring[rid], &x)) {
        ADD(r->cnt[x.type].orphans, 1);
        return;
    }
    uint64_t rtt = now > x.t_sent ? now - x.t_sent : 0;
    if (rtt > r->drop_ns[x.type]) {
        /* Its drop time had passed: the request is lost, the reply is an
         * orphan, whether or not the collector got there first. */
        ADD(r->cnt[x.type].collected, 1);
        ADD(r->cnt[x.type].late, 1);
        ADD(r->cnt[x.type].orphans, 1);
        if (x.type == PX_RENEW && r->track_bound)
            (void)perf_clients_push_bound(r->clients, x.client);
        perf_run_ended(r, &x);
        return;
    }
    perf_hist_add(r->hist[x.type], rtt);
    ADD(r->cnt[x.type].rcvd, 1);
    atomic_store_explicit(&r->t_last_rcvd[x.type], now, memory_order_relaxed);
    if (x.type == PX_DO)
        on_offer(v, &x, mac, now);
    else
        on_ack(v, &x);
    /* After the follow-up REQUEST is posted, so the client never looks idle
     * between the two halves of its DORA. */
    perf_run_ended(r, &x);
}

static void on_arp(struct perf_receiver *v, size_t i)
{
    struct perf_run *r = v->run;
    uint8_t asker[6], mac[6], frame[64];
    uint32_t asker_ip, target, addr, srvid;

    if (perf_net_arp_request(v->rxq, i, asker, &asker_ip, &target) < 0)
        return;
    int64_t c = perf_addrmap_get(r->arp, target);
    /* Answer only while the client still holds the address. */
    if (c < 0 || !perf_client_lease(r->clients, (uint32_t)c, &addr, &srvid) || addr != target)
        return;
    perf_client_mac(r->clients, (uint32_t)c, mac);
    size_t n = perf_net_arp_reply(frame, sizeof(frame), mac, target, asker, asker_ip);
    if (v->txq->n >= PERF_BATCH)
        flush(v);
    if (n)
        (void)perf_txq_frame(&r->net, v->txq, frame, n);
}

static void *receiver_main(void *arg)
{
    struct perf_receiver *v = arg;
    struct perf_run *r = v->run;
    sigset_t all;

    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);

    while (atomic_load(&r->phase) != PERF_PHASE_STOP) {
        int ev = perf_net_wait(&r->net, WAIT_MS);
        for (int b = 0; (ev & 1) && b < MAX_BATCHES; b++) {
            if (perf_net_recv(&r->net, v->rxq, false) <= 0)
                break;
            struct timespec real;
            uint64_t now = perf_now_ns();
            clock_gettime(CLOCK_REALTIME, &real);
            int64_t offset = (int64_t)real.tv_sec * 1000000000ll + real.tv_nsec - (int64_t)now;
            for (size_t i = 0; i < v->rxq->n; i++)
                on_reply(v, i, perf_net_rx_time(v->rxq, i, offset, now));
        }
        if ((ev & 2) && r->arp && perf_net_recv(&r->net, v->rxq, true) > 0)
            for (size_t i = 0; i < v->rxq->n; i++)
                on_arp(v, i);
        flush(v);
        perf_xring_collect(v->ring, perf_now_ns(), r->drop_ns, COLLECT_MAX, perf_run_collected, r);
    }
    flush(v);
    return NULL;
}

struct perf_receiver *perf_receiver_start(struct perf_run *r, char *err, size_t errlen)
{
    struct perf_receiver *v = calloc(1, sizeof(*v));
    if (v) {
        v->rxq = calloc(1, sizeof(*v->rxq));
        v->txq = calloc(1, sizeof(*v->txq));
        v->rx = calloc(1, sizeof(*v->rx));
        v->pkt = calloc(1, sizeof(*v->pkt));
    }
    if (!v || !v->rxq || !v->txq || !v->rx || !v->pkt) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    v->run = r;
    v->ring = r->ring[r->n_rings - 1];
    int rc = pthread_create(&v->th, NULL, receiver_main, v);
    if (rc != 0) {
        snprintf(err, errlen, "pthread_create: %s", strerror(rc));
        goto fail;
    }
    return v;
fail:
    if (v) {
        free(v->rxq);
        free(v->txq);
        free(v->rx);
        free(v->pkt);
        free(v);
    }
    return NULL;
}

void perf_receiver_join(struct perf_receiver *v)
{
    if (!v)
        return;
    pthread_join(v->th, NULL);
    free(v->rxq);
    free(v->txq);
    free(v->rx);
    free(v->pkt);
    free(v);
}
