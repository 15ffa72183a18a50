/*
 * Latency histogram: log-linear buckets for percentiles, exact moments for
 * perfdhcp's min/avg/max/std-dev. See hist.h for the concurrency contract
 * (single writer, relaxed readers).
 */
#include "bench/dora-perf/hist.h"

#include <math.h>
#include <stdlib.h>

#define LOAD(x)     atomic_load_explicit(&(x), memory_order_relaxed)
#define STORE(x, v) atomic_store_explicit(&(x), (v), memory_order_relaxed)

void perf_hist_init(struct perf_hist *h)
{
    STORE(h->count, 0);
    STORE(h->min_ns, UINT64_MAX);
    STORE(h->max_ns, 0);
    STORE(h->sum_ns, 0);
    STORE(h->sumsq_ms, 0.0);
    for (unsigned i = 0; i < PERF_HIST_BUCKETS; i++)
        STORE(h->bucket[i], 0);
}

struct perf_hist *perf_hist_new(void)
{
    struct perf_hist *h = malloc(sizeof(*h));
    if (h)
        perf_hist_init(h);
    return h;
}

void perf_hist_free(struct perf_hist *h)
{
    free(h);
}

unsigned perf_hist_bucket_of(uint64_t us)
{
    const unsigned sub_n = 1u << PERF_HIST_SUB_BITS;

    if (us < PERF_HIST_LINEAR)
        return (unsigned)us;
    unsigned e = 63u - (unsigned)__builtin_clzll(us);   /* >= 10 here */
    if (e > PERF_HIST_MAX_EXP)
        return PERF_HIST_BUCKETS - 1;
    unsigned sub = (unsigned)(us >> (e - PERF_HIST_SUB_BITS)) & (sub_n - 1);
    return PERF_HIST_LINEAR + (e - 10u) * sub_n + sub;
}

void perf_hist_bucket_range(unsigned b, uint64_t *lo_us, uint64_t *hi_us)
{
    const unsigned sub_n = 1u << PERF_HIST_SUB_BITS;

    if (b < PERF_HIST_LINEAR) {
        *lo_us = b;
        *hi_us = (uint64_t)b + 1;
        return;
    }
    if (b >= PERF_HIST_BUCKETS)
        b = PERF_HIST_BUCKETS - 1;
    unsigned e = 10u + (b - PERF_HIST_LINEAR) / sub_n;
    uint64_t sub = (b - PERF_HIST_LINEAR) % sub_n;
    *lo_us = (sub_n + sub) << (e - PERF_HIST_SUB_BITS);
    *hi_us = (sub_n + sub + 1) << (e - PERF_HIST_SUB_BITS);
}

void perf_hist_add(struct perf_hist *h, uint64_t ns)
{
    unsigned b = perf_hist_bucket_of(ns / 1000);
    double ms = (double)ns / 1e6;

    /* Single writer: plain load-then-store is exact and needs no lock. */
    STORE(h->bucket[b], LOAD(h->bucket[b]) + 1);
    if (ns < LOAD(h->min_ns))
        STORE(h->min_ns, ns);
    if (ns > LOAD(h->max_ns))
        STORE(h->max_ns, ns);
    STORE(h->sum_ns, LOAD(h->sum_ns) + ns);
    STORE(h->sumsq_ms, LOAD(h->sumsq_ms) + ms * ms);
    STORE(h->count, LOAD(h->count) + 1);
}

void perf_hist_summary(const struct perf_hist *h, struct perf_hist_summary *s)
{
    struct perf_hist *m = (struct perf_hist *)h;   /* atomic loads take non-const */
    uint64_t n = LOAD(m->count);

    s->count = n;
    s->min_ms = s->avg_ms = s->max_ms = s->stddev_ms = 0;
    if (n == 0)
        return;
    s->min_ms = (double)LOAD(m->min_ns) / 1e6;
    s->max_ms = (double)LOAD(m->max_ns) / 1e6;
    s->avg_ms = (double)LOAD(m->sum_ns) / 1e6 / (double)n;
    double var = LOAD(m->sumsq_ms) / (double)n - s->avg_ms * s->avg_ms;
    /* Rounding can make a zero variance slightly negative. */
    s->stddev_ms = var > 0 ? sqrt(var) : 0;
}

double perf_hist_quantile_ms(const struct perf_hist *h, double q)
{
    struct perf_hist *m = (struct perf_hist *)h;
    uint64_t n = LOAD(m->count);

    if (n == 0 || !(q > 0))
        return 0;
    if (q > 1)
        q = 1;
    uint64_t rank = (uint64_t)ceil(q * (double)n);
    if (rank == 0)
        rank = 1;
    /* The extremes are known exactly; no need for a bucket. */
    if (rank >= n)
        return (double)LOAD(m->max_ns) / 1e6;
    if (rank == 1)
        return (double)LOAD(m->min_ns) / 1e6;
    uint64_t cum = 0;
    unsigned b = 0;
    for (; b < PERF_HIST_BUCKETS; b++) {
        cum += LOAD(m->bucket[b]);
        if (cum >= rank)
            break;
    }
    if (b == PERF_HIST_BUCKETS)
        b = PERF_HIST_BUCKETS - 1;   /* racing reader: fall back to the top */
    uint64_t lo, hi;
    perf_hist_bucket_range(b, &lo, &hi);
    double ms = ((double)lo + (double)hi) / 2.0 / 1000.0;
    double min_ms = (double)LOAD(m->min_ns) / 1e6, max_ms = (double)LOAD(m->max_ns) / 1e6;
    if (ms < min_ms)
        ms = min_ms;
    if (ms > max_ms)
        ms = max_ms;
    return ms;
}
