/*
 * Rate pacing: packet k (0-based) of a stream at rate r is due at
 * t0 + k / r seconds. Everything derives from that schedule, so batching
 * and late wake-ups change when packets leave, never how many leave.
 */
#include "bench/dora-perf/pace.h"

#include <math.h>

#define NS_MILLI 1000000000000ull   /* ns per second x milli-packets per packet */

void perf_pace_init(struct perf_pace *p, double rate, uint64_t t0_ns, uint32_t index,
                    uint32_t shares)
{
    if (!(rate > 0))
        rate = 0;
    if (rate > 1e9)
        rate = 1e9;
    p->rate_milli = (uint64_t)llround(rate * 1000.0);
    p->t0_ns = t0_ns;
    p->shares = shares ? shares : 1;
    p->index = index < p->shares ? index : 0;
    p->issued = 0;
}

/* Packets of the whole stream due at now: floor((now - t0) * r) + 1. The
 * product needs more than 64 bits after a few hours at high rates. */
static uint64_t stream_due(const struct perf_pace *p, uint64_t now_ns)
{
    unsigned __int128 x = (unsigned __int128)(now_ns - p->t0_ns) * p->rate_milli;
    return (uint64_t)(x / NS_MILLI) + 1;
}

uint64_t perf_pace_due(const struct perf_pace *p, uint64_t now_ns, uint64_t max)
{
    if (p->rate_milli == 0)
        return max;
    if (now_ns < p->t0_ns)
        return 0;
    uint64_t total = stream_due(p, now_ns);
    /* Of packets 0..total-1, those numbered index modulo shares. */
    uint64_t mine = total > p->index ? (total - p->index + p->shares - 1) / p->shares : 0;
    if (mine <= p->issued)
        return 0;
    uint64_t due = mine - p->issued;
    return due < max ? due : max;
}

void perf_pace_issue(struct perf_pace *p, uint64_t n)
{
    p->issued += n;
}

uint64_t perf_pace_next_ns(const struct perf_pace *p)
{
    if (p->rate_milli == 0)
        return p->t0_ns;
    /* Packet number k of the stream is due at t0 + ceil(k * 1e12 / rate_milli). */
    unsigned __int128 k = (unsigned __int128)p->issued * p->shares + p->index;
    unsigned __int128 t = (k * NS_MILLI + p->rate_milli - 1) / p->rate_milli;
    return p->t0_ns + (uint64_t)t;
}
