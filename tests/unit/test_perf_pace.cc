// Unit tests for dora-perf's rate pacing (bench/dora-perf/pace.c): the
// count of packets due never drifts from rate x elapsed time, whatever the
// wake-up pattern, and the next due time is when one more packet is due.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <algorithm>
#include <random>

extern "C" {
#include "bench/dora-perf/pace.h"
}

namespace {

const uint64_t T0 = 5000000000ull;   // an arbitrary monotonic origin

// Packets that a perfect scheduler has started by time t (packet k is due
// at t0 + k/rate), computed with integers only.
uint64_t ideal(uint64_t rate, uint64_t t)
{
    return t < T0 ? 0 : (t - T0) * rate / 1000000000ull + 1;
}

TEST(PerfPace, IrregularWakeUpsNeverDrift)
{
    for (uint64_t rate : {1ull, 7ull, 1000ull, 150000ull, 3000000ull}) {
        perf_pace p;
        perf_pace_init(&p, (double)rate, T0, 0, 1);
        std::mt19937_64 rng(rate);
        uint64_t t = T0;
        for (int i = 0; i < 20000; i++) {
            t += rng() % 3000000;     // wake 0-3 ms later
            uint64_t due = perf_pace_due(&p, t, UINT64_MAX);
            perf_pace_issue(&p, due);
            ASSERT_EQ(ideal(rate, t), p.issued) << "rate " << rate << " at +" << (t - T0) << " ns";
        }
    }
}

TEST(PerfPace, BatchCapIsRespectedAndCaughtUpLater)
{
    perf_pace p;
    perf_pace_init(&p, 10000, T0, 0, 1);
    uint64_t t = T0 + 100000000;   // 100 ms late: 1001 packets due
    uint64_t total = 0;
    for (int i = 0; i < 100; i++) {
        uint64_t due = perf_pace_due(&p, t, 64);
        ASSERT_LE(due, 64u);
        perf_pace_issue(&p, due);
        total += due;
    }
    EXPECT_EQ(1001u, total);
    EXPECT_EQ(0u, perf_pace_due(&p, t, 64));
}

TEST(PerfPace, NextDueTimeIsExactlyWhenOneMoreIsDue)
{
    perf_pace p;
    perf_pace_init(&p, 333, T0, 0, 1);
    perf_pace_issue(&p, perf_pace_due(&p, T0, 100));
    EXPECT_EQ(1u, p.issued);
    for (int i = 0; i < 1000; i++) {
        uint64_t next = perf_pace_next_ns(&p);
        ASSERT_EQ(0u, perf_pace_due(&p, next - 1, 100)) << i;
        ASSERT_EQ(1u, perf_pace_due(&p, next, 100)) << i;
        perf_pace_issue(&p, 1);
    }
    // 1001 packets at 333/s: the last is due at 1000/333 s.
    EXPECT_NEAR(1000.0 / 333.0, (double)(perf_pace_next_ns(&p) - T0) / 1e9, 1.0 / 333.0 + 1e-9);
}

TEST(PerfPace, SharesAddUpToTheWholeStream)
{
    // Three senders at 1000/s in total, each woken at its own moments.
    perf_pace p[3];
    for (uint32_t i = 0; i < 3; i++)
        perf_pace_init(&p[i], 1000, T0, i, 3);
    std::mt19937_64 rng(3);
    uint64_t t[3] = {T0, T0, T0};
    for (int step = 0; step < 30000; step++) {
        int i = (int)(rng() % 3);
        t[i] += rng() % 2000000;
        perf_pace_issue(&p[i], perf_pace_due(&p[i], t[i], UINT64_MAX));
        // Share i has issued exactly the packets k = i mod 3 due by t[i].
        uint64_t total = ideal(1000, t[i]);
        ASSERT_EQ(total > (uint64_t)i ? (total - i + 2) / 3 : 0, p[i].issued);
    }
    uint64_t now = std::max(t[0], std::max(t[1], t[2]));
    uint64_t sum = 0;
    for (auto &x : p) {
        perf_pace_issue(&x, perf_pace_due(&x, now, UINT64_MAX));
        sum += x.issued;
    }
    EXPECT_EQ(ideal(1000, now), sum);
}

TEST(PerfPace, UnpacedIsAlwaysDueAndNothingBeforeStart)
{
    perf_pace p;
    perf_pace_init(&p, 0, T0, 0, 1);
    EXPECT_EQ(64u, perf_pace_due(&p, T0, 64));
    EXPECT_EQ(64u, perf_pace_due(&p, T0 + 1, 64));
    perf_pace_init(&p, 100, T0, 0, 1);
    EXPECT_EQ(0u, perf_pace_due(&p, T0 - 1, 64));
    EXPECT_EQ(1u, perf_pace_due(&p, T0, 64));
}

}  // namespace
