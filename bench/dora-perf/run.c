/*
 * dora-perf run state: setup and teardown, and the small shared helpers
 * the threads use (budget, client choice, relay choice, drop accounting,
 * the -u address table).
 */
#include "bench/dora-perf/run.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#define ADD(x, v) atomic_fetch_add_explicit(&(x), (v), memory_order_relaxed)
#define LOAD(x)   atomic_load_explicit(&(x), memory_order_relaxed)

uint64_t perf_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void perf_sleep_until(uint64_t t_ns)
{
    struct timespec ts = { .tv_sec = (time_t)(t_ns / 1000000000ull),
                           .tv_nsec = (long)(t_ns % 1000000000ull) };
    /* An early return on a signal is fine: every caller loops. */
    (void)clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

static uint64_t splitmix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

uint64_t perf_rand(uint64_t *state)
{
    uint64_t x = *state;
    if (x == 0)
        x = 0x2545f4914f6cdd1dull;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545f4914f6cdd1dull;
}

/* Slots a ring needs: everything that can be in flight within the longest
 * drop time at the ring's rate, twice over; unpaced runs get a large ring. */
static size_t ring_slots(double rate, double drop_s)
{
    if (rate <= 0)
        return 1u << 20;
    double n = rate * drop_s * 2 + 4 * PERF_BATCH;
    return n > PERF_XRING_MAX_SLOTS ? PERF_XRING_MAX_SLOTS : (size_t)n;
}

int perf_run_init(struct perf_run *r, const struct perf_opts *o, char *err, size_t errlen)
{
    memset(r, 0, sizeof(*r));
    r->o = o;
    r->net.fd = r->net.arp_fd = -1;
    if (pthread_mutex_init(&r->uniq_lock, NULL) != 0) {
        snprintf(err, errlen, "mutex: out of resources");
        return -1;
    }
    r->lock_ready = true;

    uint64_t seed = o->seed;
    if (seed == 0 && getrandom(&seed, sizeof(seed), 0) != (ssize_t)sizeof(seed))
        seed = perf_now_ns();
    r->key = (uint32_t)splitmix64(seed);

    r->drop_ns[PX_DO] = (uint64_t)(o->drop_time[0] * 1e9);
    r->drop_ns[PX_RA] = r->drop_ns[PX_RENEW] = (uint64_t)(o->drop_time[1] * 1e9);
    r->drop_ns[PX_RELEASE] = r->drop_ns[PX_RA];
    r->track_bound = o->renew_rate > 0 || o->release_rate > 0;

    for (int k = 0; k < PT_N; k++)
        if (perf_tmpl_build(&r->tmpl[k], (enum perf_tmpl_kind)k, o, err, errlen) < 0)
            return -1;

    r->clients = perf_clients_new(o->num_clients, o->base_mac);
    for (int t = 0; t < PX_N; t++)
        r->hist[t] = perf_hist_new();
    if (o->unique)
        r->uniq = perf_addrmap_new(o->num_clients);
    if (o->mode == PERF_MODE_BROADCAST)
        r->arp = perf_addrmap_new(o->num_clients);
    if (!r->clients || !r->hist[0] || !r->hist[1] || !r->hist[2] || !r->hist[3] ||
        (o->unique && !r->uniq) || (o->mode == PERF_MODE_BROADCAST && !r->arp)) {
        snprintf(err, errlen, "out of memory for %u clients", o->num_clients);
        return -1;
    }

    double drop_s = o->drop_time[0] > o->drop_time[1] ? o->drop_time[0] : o->drop_time[1];
    r->n_rings = o->senders + 1;
    for (unsigned i = 0; i < r->n_rings; i++) {
        bool is_receiver = i == o->senders;
        double rate = o->rate > 0 ? o->rate / (is_receiver ? 1 : o->senders) : 0;
        if (i == 0 && !is_receiver)
            rate += o->renew_rate;
        r->ring[i] = perf_xring_new(i, ring_slots(rate, drop_s), r->key);
        if (!r->ring[i]) {
            snprintf(err, errlen, "out of memory for the transaction rings");
            return -1;
        }
    }

    return perf_net_open(&r->net, o, err, errlen);
}

void perf_run_free(struct perf_run *r)
{
    perf_net_close(&r->net);
    for (unsigned i = 0; i < PERF_XRING_MAX; i++)
        perf_xring_free(r->ring[i]);
    for (int t = 0; t < PX_N; t++)
        perf_hist_free(r->hist[t]);
    perf_addrmap_free(r->uniq);
    perf_addrmap_free(r->arp);
    perf_clients_free(r->clients);
    if (r->lock_ready)
        pthread_mutex_destroy(&r->uniq_lock);
}

uint64_t perf_run_claim(struct perf_run *r, uint64_t want)
{
    uint64_t limit = r->o->num_request[0];
    if (limit == 0) {
        ADD(r->initiated, want);
        return want;
    }
    uint64_t cur = LOAD(r->initiated), take;
    do {
        if (cur >= limit)
            return 0;
        take = want < limit - cur ? want : limit - cur;
    } while (!atomic_compare_exchange_weak_explicit(&r->initiated, &cur, cur + take,
                                                    memory_order_relaxed, memory_order_relaxed));
    return take;
}

#define IDLE_TRIES 64

uint32_t perf_run_next_client(struct perf_run *r)
{
    uint32_t c = 0;
    uint32_t tries = r->o->num_clients < IDLE_TRIES ? r->o->num_clients : IDLE_TRIES;
    for (uint32_t i = 0; i < tries; i++) {
        c = (uint32_t)(ADD(r->next_client, 1) % r->o->num_clients);
        if (perf_client_busy(r->clients, c) == 0)
            break;
    }
    return c;
}

uint32_t perf_run_post(struct perf_run *r, struct perf_xring *ring, enum perf_xtype type,
                       uint32_t client, uint32_t giaddr, uint64_t now)
{
    struct perf_xinfo ev;
    bool had;

    perf_client_busy_add(r->clients, client, 1);
    uint32_t xid = perf_xring_post(ring, (uint8_t)type, client, giaddr, now, &ev, &had);
    if (had) {
        ADD(r->evicted, 1);
        perf_run_collected(r, &ev);
    }
    return xid;
}

void perf_run_cancel(struct perf_run *r, struct perf_xring *ring, uint32_t xid)
{
    struct perf_xinfo x;
    ADD(r->locallimit, 1);
    if (perf_xring_cancel(ring, xid, &x) == 0)
        perf_client_busy_add(r->clients, x.client, -1);
}

void perf_run_ended(struct perf_run *r, const struct perf_xinfo *x)
{
    perf_client_busy_add(r->clients, x->client, -1);
}

uint32_t perf_run_giaddr(struct perf_run *r, uint64_t *rng)
{
    if (r->o->mode == PERF_MODE_BROADCAST)
        return 0;
    if (r->o->n_relays)
        return r->o->relays[perf_rand(rng) % r->o->n_relays];
    return r->net.local_addr;
}

void perf_run_collected(void *ctx, const struct perf_xinfo *x)
{
    struct perf_run *r = ctx;
    if (x->type >= PX_N)
        return;
    perf_client_busy_add(r->clients, x->client, -1);
    if (x->type == PX_RELEASE)
        return;            /* no reply was expected: nothing was lost */
    ADD(r->cnt[x->type].collected, 1);
    /* A renewal that went unanswered leaves the lease in place: the client
     * stays eligible for another renewal or a release. */
    if (x->type == PX_RENEW && r->track_bound)
        (void)perf_clients_push_bound(r->clients, x->client);
}

bool perf_run_uniq_check(struct perf_run *r, uint32_t addr, uint32_t client)
{
    if (!r->uniq)
        return false;
    pthread_mutex_lock(&r->uniq_lock);
    int64_t holder = perf_addrmap_get(r->uniq, addr);
    pthread_mutex_unlock(&r->uniq_lock);
    return holder >= 0 && (uint32_t)holder != client;
}

bool perf_run_uniq_hold(struct perf_run *r, uint32_t addr, uint32_t client, uint32_t old_addr)
{
    if (!r->uniq)
        return false;
    pthread_mutex_lock(&r->uniq_lock);
    int64_t holder = perf_addrmap_get(r->uniq, addr);
    if (old_addr && old_addr != addr)
        (void)perf_addrmap_del(r->uniq, old_addr, client);
    /* The latest grant wins the entry, so each duplicate grant is counted
     * once, by the client that received it second. */
    (void)perf_addrmap_set(r->uniq, addr, client);
    pthread_mutex_unlock(&r->uniq_lock);
    return holder >= 0 && (uint32_t)holder != client;
}

void perf_run_uniq_release(struct perf_run *r, uint32_t addr, uint32_t client)
{
    if (!r->uniq)
        return;
    pthread_mutex_lock(&r->uniq_lock);
    (void)perf_addrmap_del(r->uniq, addr, client);
    pthread_mutex_unlock(&r->uniq_lock);
}

int64_t perf_run_outstanding(struct perf_run *r, enum perf_xtype t)
{
    struct perf_xcount *c = &r->cnt[t];
    /* Every sent request ends once: answered in time (rcvd) or collected
     * (timed out, evicted, or answered late). */
    return (int64_t)LOAD(c->sent) - (int64_t)LOAD(c->rcvd) - (int64_t)LOAD(c->collected);
}
