/*
 * Latency histogram for dora-perf: fixed log-linear buckets (1 µs wide up
 * to 1024 µs, then 64 buckets per power of two, i.e. under 1.6 % relative
 * width), plus exact count, min, max, sum and sum of squares so the
 * perfdhcp figures (min/avg/max/std-dev) are exact and only percentiles are
 * bucketed. No allocation; recording is a few loads and stores.
 *
 * Concurrency: one writer thread records; any thread may read at any time
 * (every field is an atomic accessed with relaxed order, and the writer
 * never needs a locked instruction because it is the only writer). A reader
 * racing the writer may see a sample counted in one field and not yet in
 * another; the final report reads after the writer has stopped.
 */
#ifndef DORA_PERF_HIST_H
#define DORA_PERF_HIST_H

#include <stdint.h>
#ifndef __cplusplus
#include <stdatomic.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define PERF_HIST_LINEAR   1024u   /* 0..1023 µs, one bucket per µs */
#define PERF_HIST_SUB_BITS 6u      /* 64 buckets per octave above that */
#define PERF_HIST_MAX_EXP  40u     /* values >= 2^40 µs (12.7 days) share the last octave */
#define PERF_HIST_BUCKETS  (PERF_HIST_LINEAR + (PERF_HIST_MAX_EXP - 10u + 1u) * (1u << PERF_HIST_SUB_BITS))

struct perf_hist;

/* The layout uses C11 atomics, which C++17 cannot spell; C++ (the unit
 * tests) sees an opaque type and uses perf_hist_new/perf_hist_free. */
#ifndef __cplusplus
struct perf_hist {
    _Atomic uint64_t count;
    _Atomic uint64_t min_ns;     /* UINT64_MAX while empty */
    _Atomic uint64_t max_ns;
    _Atomic uint64_t sum_ns;
    _Atomic double   sumsq_ms;   /* sum of squares in ms², for the std deviation */
    _Atomic uint64_t bucket[PERF_HIST_BUCKETS];
};
#endif

/* A zeroed, initialised histogram on the heap (NULL when out of memory). */
struct perf_hist *perf_hist_new(void);
void perf_hist_free(struct perf_hist *h);

void perf_hist_init(struct perf_hist *h);

/* Record one latency (nanoseconds). Single writer only. */
void perf_hist_add(struct perf_hist *h, uint64_t ns);

/* Bucket index of a value in µs, and the [lo, hi) µs range of a bucket. */
unsigned perf_hist_bucket_of(uint64_t us);
void     perf_hist_bucket_range(unsigned b, uint64_t *lo_us, uint64_t *hi_us);

/* Summary in milliseconds; all zero when empty. std-dev is
 * sqrt(E[d²] - E[d]²) like perfdhcp. */
struct perf_hist_summary {
    uint64_t count;
    double min_ms, avg_ms, max_ms, stddev_ms;
};
void perf_hist_summary(const struct perf_hist *h, struct perf_hist_summary *s);

/* The q-quantile (0 < q <= 1) in ms: the middle of the bucket holding the
 * ceil(q * count)-th smallest sample, clamped to [min, max]; exactly the
 * minimum or maximum when that sample is the first or the last. 0 when
 * empty. */
double perf_hist_quantile_ms(const struct perf_hist *h, double q);

#ifdef __cplusplus
}
#endif
#endif
