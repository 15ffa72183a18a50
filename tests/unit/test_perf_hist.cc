// Unit tests for dora-perf's latency histogram (bench/dora-perf/hist.c):
// bucket geometry (1 µs up to 1 ms, < 1.6 % relative width above),
// exact moments, and percentiles checked against a sorted copy of the
// samples.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

extern "C" {
#include "bench/dora-perf/hist.h"
}

namespace {

TEST(PerfHist, EveryValueFallsInsideItsBucket)
{
    std::vector<uint64_t> values;
    for (uint64_t v = 0; v < 5000; v++)
        values.push_back(v);
    for (uint64_t p = 1; p < 60; p++)
        for (int64_t d = -2; d <= 2; d++)
            values.push_back((uint64_t)((int64_t)(1ull << p) + d));
    unsigned prev_b = 0;
    uint64_t prev_v = 0;
    std::sort(values.begin(), values.end());
    for (uint64_t v : values) {
        unsigned b = perf_hist_bucket_of(v);
        ASSERT_LT(b, PERF_HIST_BUCKETS);
        ASSERT_GE(b, prev_b) << "buckets must follow value order at " << v << " after " << prev_v;
        prev_b = b;
        prev_v = v;
        if (b == PERF_HIST_BUCKETS - 1 && v >= (1ull << (PERF_HIST_MAX_EXP + 1)))
            continue;   // the overflow bucket holds everything beyond
        uint64_t lo, hi;
        perf_hist_bucket_range(b, &lo, &hi);
        EXPECT_LE(lo, v) << v;
        EXPECT_LT(v, hi) << v;
        if (v < 1024)
            EXPECT_EQ(1u, hi - lo) << "1 us resolution below 1 ms, at " << v;
        else
            EXPECT_LE((double)(hi - lo) / (double)lo, 1.0 / 64 + 1e-12) << v;
    }
}

TEST(PerfHist, MomentsAreExact)
{
    perf_hist *h = perf_hist_new();
    ASSERT_NE(nullptr, h);
    struct perf_hist_summary s;
    perf_hist_summary(h, &s);
    EXPECT_EQ(0u, s.count);
    EXPECT_EQ(0.0, perf_hist_quantile_ms(h, 0.5));

    // 1, 2, 3, 4 ms and one 10.5 ms: mean 4.1, population variance
    // (1+4+9+16+110.25)/5 - 4.1^2 = 28.05 - 16.81 = 11.24.
    for (uint64_t ns : {1000000ull, 2000000ull, 3000000ull, 4000000ull, 10500000ull})
        perf_hist_add(h, ns);
    perf_hist_summary(h, &s);
    EXPECT_EQ(5u, s.count);
    EXPECT_DOUBLE_EQ(1.0, s.min_ms);
    EXPECT_DOUBLE_EQ(10.5, s.max_ms);
    EXPECT_NEAR(4.1, s.avg_ms, 1e-12);
    EXPECT_NEAR(std::sqrt(11.24), s.stddev_ms, 1e-9);
    perf_hist_free(h);
}

TEST(PerfHist, QuantilesMatchSortedSamplesWithinResolution)
{
    perf_hist *h = perf_hist_new();
    ASSERT_NE(nullptr, h);
    std::mt19937_64 rng(7);
    // Log-normal-ish latencies from ~20 us to ~50 ms.
    std::lognormal_distribution<double> dist(std::log(300e3), 1.2);
    std::vector<uint64_t> ns;
    for (int i = 0; i < 200000; i++) {
        uint64_t v = (uint64_t)dist(rng);
        ns.push_back(v);
        perf_hist_add(h, v);
    }
    std::sort(ns.begin(), ns.end());
    for (double q : {0.01, 0.5, 0.9, 0.99, 0.999, 1.0}) {
        size_t rank = (size_t)std::ceil(q * (double)ns.size());
        double exact_ms = (double)ns[rank - 1] / 1e6;
        double got = perf_hist_quantile_ms(h, q);
        // Within one bucket: 1 us absolute below 1 ms, 1/64 relative above.
        double tol = exact_ms < 1.0 ? 0.001 : exact_ms / 64;
        EXPECT_NEAR(exact_ms, got, tol) << "q=" << q;
    }
    EXPECT_DOUBLE_EQ((double)ns.back() / 1e6, perf_hist_quantile_ms(h, 1.0));
    perf_hist_free(h);
}

TEST(PerfHist, QuantileOfASingleValueIsThatValue)
{
    perf_hist *h = perf_hist_new();
    ASSERT_NE(nullptr, h);
    for (int i = 0; i < 10; i++)
        perf_hist_add(h, 123456);     // 123.456 us
    // Clamped to [min, max], so the bucket midpoint cannot move it.
    EXPECT_DOUBLE_EQ(0.123456, perf_hist_quantile_ms(h, 0.5));
    EXPECT_DOUBLE_EQ(0.123456, perf_hist_quantile_ms(h, 0.999));
    perf_hist_free(h);
}

}  // namespace
