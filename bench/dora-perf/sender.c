/*
 * dora-perf sending threads. Each paces its share of the exchange rate
 * against the monotonic clock (pace.h), builds DISCOVERs from the template
 * into a batch and sends the batch with one sendmmsg(). Sender 0 also
 * paces renewals (-f) and releases (-F), drawn from the bound queue.
 *
 * A request's slot is published in the thread's ring before the packet
 * leaves, so a reply can never arrive for a request we do not know yet.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "bench/dora-perf/pace.h"
#include "bench/dora-perf/run.h"

#define ADD(x, v) atomic_fetch_add_explicit(&(x), (v), memory_order_relaxed)
#define IDLE_NS   1000000ull     /* longest sleep: phase changes are seen within 1 ms */
#define COLLECT_MAX 4096
#define GATHER_NS 50000          /* longest a due packet waits for company */

struct perf_sender {
    struct perf_run *run;
    unsigned id;
    pthread_t th;
    struct perf_xring *ring;
    struct perf_txq *q;
    uint64_t rng;
};

static void add_discover(struct perf_sender *s, uint64_t now)
{
    struct perf_run *r = s->run;
    uint8_t *p = perf_txq_payload(&r->net, s->q);
    uint8_t mac[6];

    if (!p)
        return;
    uint32_t client = perf_run_next_client(r);
    uint32_t giaddr = perf_run_giaddr(r, &s->rng);
    perf_client_mac(r->clients, client, mac);
    uint32_t xid = perf_run_post(r, s->ring, PX_DO, client, giaddr, now);
    struct perf_tmpl_fill f = { .xid = xid, .mac = mac, .giaddr = giaddr };
    size_t len = perf_tmpl_write(&r->tmpl[PT_DISCOVER], p, PERF_TMPL_MAX, &f);
    struct perf_l2 l2 = { .src_mac = mac };
    if (len == 0 || perf_txq_commit(&r->net, s->q, len, &l2, xid, PX_DO) < 0)
        perf_run_cancel(r, s->ring, xid);
}

/* A renewing REQUEST (RFC 2131 §4.3.2, RENEWING: ciaddr set, unicast to the
 * server) or a RELEASE (§4.4.6) for the client bound longest ago. Returns
 * false when no client holds a lease. */
static bool add_renew_or_release(struct perf_sender *s, uint64_t now, enum perf_xtype type)
{
    struct perf_run *r = s->run;
    uint32_t addr, srvid;
    uint8_t mac[6], smac[6];
    int64_t c;

    if (perf_txq_payload(&r->net, s->q) == NULL)
        return false;
    /* Bounded: each pass takes one entry off the queue; a client busy with
     * another exchange goes back to the end, at most a few times. */
    for (int busy = 0;;) {
        c = perf_clients_pop_bound(r->clients);
        if (c < 0)
            return false;
        if (!perf_client_lease(r->clients, (uint32_t)c, &addr, &srvid))
            continue;
        if (perf_client_busy(r->clients, (uint32_t)c) == 0)
            break;
        (void)perf_clients_push_bound(r->clients, (uint32_t)c);
        if (++busy >= 8)
            return false;
    }
    uint32_t client = (uint32_t)c;
    uint32_t giaddr = perf_run_giaddr(r, &s->rng);
    uint32_t xid;
    perf_client_mac(r->clients, client, mac);
    if (type == PX_RELEASE) {
        if (!perf_client_drop_lease(r->clients, client, addr, srvid))
            return true;   /* renewed or re-bound meanwhile; skip this one */
        perf_run_uniq_release(r, addr, client);
    }
    /* A RELEASE gets no reply (RFC 2131 §4.4.6), but its slot keeps the
     * client quiet for a drop time, as a client that just let its lease go
     * would be; the collector ends it without counting a loss. */
    xid = perf_run_post(r, s->ring, type, client, giaddr, now);
    struct perf_tmpl_fill f = { .xid = xid, .mac = mac, .giaddr = giaddr, .ciaddr = addr,
                                .srvid = srvid };
    uint8_t *p = perf_txq_payload(&r->net, s->q);
    size_t len = perf_tmpl_write(&r->tmpl[type == PX_RELEASE ? PT_RELEASE : PT_RENEW], p,
                                 PERF_TMPL_MAX, &f);
    bool known = perf_client_server_mac(r->clients, client, smac);
    struct perf_l2 l2 = { .src_mac = mac, .dst_mac = known ? smac : NULL, .src_ip = addr,
                          .dst_ip = srvid };
    if (len == 0 || perf_txq_commit(&r->net, s->q, len, &l2, xid, (uint8_t)type) < 0)
        perf_run_cancel(r, s->ring, xid);
    return true;
}

static void flush(struct perf_sender *s)
{
    struct perf_run *r = s->run;
    uint64_t sent[PX_N] = { 0 };

    if (s->q->n == 0)
        return;
    /* Latency counts from here, not from when the batch was started. */
    uint64_t t = perf_now_ns();
    for (size_t i = 0; i < s->q->n; i++)
        if (s->q->kind[i] < PX_N)
            perf_xring_restamp(s->ring, s->q->cookie[i], t);
    perf_net_flush(&r->net, s->q);
    for (size_t i = 0; i < s->q->n; i++) {
        uint8_t k = s->q->kind[i];
        if (k >= PX_N)
            continue;
        if (s->q->failed[i]) {
            perf_run_cancel(r, s->ring, s->q->cookie[i]);
        } else {
            sent[k]++;
        }
    }
    for (int t = 0; t < PX_N; t++)
        if (sent[t])
            ADD(r->cnt[t].sent, sent[t]);
    s->q->n = 0;
}

static void preload(struct perf_sender *s)
{
    struct perf_run *r = s->run;
    uint64_t left = r->o->preload;

    while (left > 0 && atomic_load(&r->phase) == PERF_PHASE_RUN) {
        uint64_t k = perf_run_claim(r, left < PERF_BATCH ? left : PERF_BATCH);
        if (k == 0)
            break;
        uint64_t now = perf_now_ns();
        for (uint64_t i = 0; i < k; i++)
            add_discover(s, now);
        flush(s);
        left -= k;
    }
}

static void *sender_main(void *arg)
{
    struct perf_sender *s = arg;
    struct perf_run *r = s->run;
    const struct perf_opts *o = r->o;
    struct perf_pace pd, pf, pF;
    sigset_t all;

    /* Signals are for the main thread; a precise sleep needs little slack. */
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    (void)prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);

    if (s->id == 0)
        preload(s);
    /* One schedule from the run's start for all senders (each takes its
     * share), so the rates add up exactly. */
    uint64_t t0 = r->t_start;
    perf_pace_init(&pd, o->rate, t0, s->id, o->senders);
    perf_pace_init(&pf, s->id == 0 ? o->renew_rate : 0, t0, 0, 1);
    perf_pace_init(&pF, s->id == 0 ? o->release_rate : 0, t0, 0, 1);
    /* At high rates, wake up once a few packets are due rather than for
     * each one: a sleep costs more than a packet. The batch stays within
     * GATHER_NS (so no packet leaves more than that late), at most 32. */
    double share = o->rate / o->senders;
    uint64_t gather = (uint64_t)(share * GATHER_NS / 1e9);
    gather = gather < 1 ? 1 : gather > 32 ? 32 : gather;
    uint64_t gather_ns = share > 0 ? (uint64_t)((double)(gather - 1) * 1e9 / share) : 0;
    bool renews = s->id == 0 && o->renew_rate > 0;
    bool releases = s->id == 0 && o->release_rate > 0;

    /* -p: packets due at or after the end of the period are never sent,
     * however late the main thread notices the end. */
    uint64_t t_end = o->test_period > 0 ? t0 + (uint64_t)(o->test_period * 1e9) : UINT64_MAX;

    for (;;) {
        int phase = atomic_load(&r->phase);
        if (phase == PERF_PHASE_STOP)
            break;
        uint64_t now = perf_now_ns();
        perf_xring_collect(s->ring, now, r->drop_ns, COLLECT_MAX, perf_run_collected, r);
        if (phase == PERF_PHASE_DRAIN || now >= t_end) {
            perf_sleep_until(now + IDLE_NS);
            continue;
        }

        uint64_t want = perf_pace_due(&pd, now, PERF_BATCH);
        uint64_t k = want ? perf_run_claim(r, want) : 0;
        for (uint64_t i = 0; i < k; i++)
            add_discover(s, now);
        perf_pace_issue(&pd, want);
        /* Renewals and releases that find no bound client are skipped, not
         * owed: the schedule moves on as perfdhcp's does. */
        if (renews) {
            uint64_t n = perf_pace_due(&pf, now, PERF_BATCH - s->q->n);
            for (uint64_t i = 0; i < n; i++)
                add_renew_or_release(s, now, PX_RENEW);
            perf_pace_issue(&pf, n);
        }
        if (releases) {
            uint64_t n = perf_pace_due(&pF, now, PERF_BATCH - s->q->n);
            for (uint64_t i = 0; i < n; i++)
                add_renew_or_release(s, now, PX_RELEASE);
            perf_pace_issue(&pF, n);
        }
        if (s->q->n) {
            flush(s);
            continue;
        }
        uint64_t wake = now + IDLE_NS;
        if (want == 0 && o->rate > 0 && perf_pace_next_ns(&pd) + gather_ns < wake)
            wake = perf_pace_next_ns(&pd) + gather_ns;
        if (renews && perf_pace_next_ns(&pf) < wake)
            wake = perf_pace_next_ns(&pf);
        if (releases && perf_pace_next_ns(&pF) < wake)
            wake = perf_pace_next_ns(&pF);
        perf_sleep_until(wake);
    }
    flush(s);
    return NULL;
}

struct perf_sender *perf_sender_start(struct perf_run *r, unsigned id, char *err, size_t errlen)
{
    struct perf_sender *s = calloc(1, sizeof(*s));
    if (s)
        s->q = calloc(1, sizeof(*s->q));
    if (!s || !s->q) {
        if (s)
            free(s);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->run = r;
    s->id = id;
    s->ring = r->ring[id];
    s->rng = (r->o->seed ? r->o->seed : r->key) * 0x9e3779b97f4a7c15ull + id + 1;
    int rc = pthread_create(&s->th, NULL, sender_main, s);
    if (rc != 0) {
        snprintf(err, errlen, "pthread_create: %s", strerror(rc));
        free(s->q);
        free(s);
        return NULL;
    }
    return s;
}

void perf_sender_join(struct perf_sender *s)
{
    if (!s)
        return;
    pthread_join(s->th, NULL);
    free(s->q);
    free(s);
}
