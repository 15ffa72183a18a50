// Unit tests for dora-perf's transaction rings (bench/dora-perf/xring.c):
// matching by xid, duplicates and stale ids, collection by drop time,
// eviction when the ring is full, and — with real threads — that every
// request ends exactly once when replies race the collector.

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>
#include <vector>

extern "C" {
#include "bench/dora-perf/opts.h"
#include "bench/dora-perf/xring.h"
}

namespace {

const uint32_t KEY = 0x5a5a1234;
const uint64_t MS = 1000000;

struct Collected {
    std::vector<perf_xinfo> items;
    static void cb(void *ctx, const perf_xinfo *x) { static_cast<Collected *>(ctx)->items.push_back(*x); }
};

TEST(PerfXring, ClaimMatchesOnceAndOnlyTheRightXid)
{
    perf_xring *r = perf_xring_new(2, 100, KEY);
    ASSERT_NE(nullptr, r);
    EXPECT_EQ(128u, perf_xring_slots(r));
    perf_xinfo ev;
    bool had;
    uint32_t xid = perf_xring_post(r, PX_RA, 77, 0xc0000201, 5 * MS, &ev, &had);
    EXPECT_FALSE(had);
    EXPECT_EQ(2u, perf_xring_id_of(xid, KEY));

    perf_xinfo x;
    EXPECT_FALSE(perf_xring_peek(r, xid ^ 1, &x));            // a neighbour's id
    EXPECT_FALSE(perf_xring_peek(r, xid + (1u << 7), &x));    // same slot, other sequence
    ASSERT_TRUE(perf_xring_peek(r, xid, &x));
    EXPECT_EQ(xid, x.xid);
    EXPECT_EQ(PX_RA, x.type);
    EXPECT_EQ(77u, x.client);
    EXPECT_EQ(0xc0000201u, x.giaddr);
    EXPECT_EQ(5 * MS, x.t_sent);
    EXPECT_TRUE(perf_xring_claim(r, &x));
    EXPECT_FALSE(perf_xring_claim(r, &x));                    // a duplicate reply
    EXPECT_FALSE(perf_xring_peek(r, xid, &x));
    EXPECT_EQ(-1, perf_xring_cancel(r, xid, nullptr));
    perf_xring_free(r);
}

TEST(PerfXring, RestampMovesTheSendTimeOfThatRequestOnly)
{
    perf_xring *r = perf_xring_new(0, 64, KEY);
    ASSERT_NE(nullptr, r);
    perf_xinfo ev, x;
    bool had;
    uint32_t a = perf_xring_post(r, PX_DO, 1, 0, 100, &ev, &had);
    uint32_t b = perf_xring_post(r, PX_DO, 2, 0, 100, &ev, &had);
    perf_xring_restamp(r, a, 250);
    perf_xring_restamp(r, a ^ 0x10000, 999);     // not outstanding: ignored
    ASSERT_TRUE(perf_xring_peek(r, a, &x));
    EXPECT_EQ(250u, x.t_sent);
    ASSERT_TRUE(perf_xring_peek(r, b, &x));
    EXPECT_EQ(100u, x.t_sent);
    perf_xring_free(r);
}

TEST(PerfXring, XidsAreDistinctAndCarryTheRing)
{
    for (unsigned id = 0; id < PERF_XRING_MAX; id++) {
        perf_xring *r = perf_xring_new(id, 64, KEY);
        ASSERT_NE(nullptr, r);
        std::set<uint32_t> seen;
        perf_xinfo ev, x;
        bool had;
        for (int i = 0; i < 1000; i++) {
            uint32_t xid = perf_xring_post(r, PX_DO, (uint32_t)i, 0, 1, &ev, &had);
            EXPECT_TRUE(seen.insert(xid).second);
            EXPECT_EQ(id, perf_xring_id_of(xid, KEY));
            ASSERT_TRUE(perf_xring_peek(r, xid, &x));
            ASSERT_TRUE(perf_xring_claim(r, &x));
        }
        perf_xring_free(r);
    }
    EXPECT_EQ(nullptr, perf_xring_new(PERF_XRING_MAX, 64, KEY));
}

TEST(PerfXring, CollectEndsOnlyRequestsPastTheirDropTime)
{
    perf_xring *r = perf_xring_new(0, 64, KEY);
    ASSERT_NE(nullptr, r);
    uint64_t drop[PX_N] = {15 * MS, 50 * MS, 50 * MS, 50 * MS};
    perf_xinfo ev, x;
    bool had;
    uint32_t a = perf_xring_post(r, PX_DO, 1, 0, 0 * MS, &ev, &had);
    uint32_t b = perf_xring_post(r, PX_DO, 2, 0, 10 * MS, &ev, &had);
    uint32_t c = perf_xring_post(r, PX_DO, 3, 0, 20 * MS, &ev, &had);
    uint32_t d = perf_xring_post(r, PX_DO, 4, 0, 21 * MS, &ev, &had);
    ASSERT_TRUE(perf_xring_peek(r, b, &x));       // b is answered in time
    ASSERT_TRUE(perf_xring_claim(r, &x));

    Collected col;
    EXPECT_EQ(1u, perf_xring_collect(r, 30 * MS, drop, 100, Collected::cb, &col));
    ASSERT_EQ(1u, col.items.size());
    EXPECT_EQ(a, col.items[0].xid);
    EXPECT_EQ(1u, col.items[0].client);
    EXPECT_FALSE(perf_xring_peek(r, a, &x));      // its late reply will not match
    EXPECT_TRUE(perf_xring_peek(r, c, &x));

    EXPECT_EQ(0, perf_xring_cancel(r, d, &x));    // d could not be sent
    EXPECT_EQ(4u, x.client);
    EXPECT_EQ(1u, perf_xring_collect(r, 40 * MS, drop, 100, Collected::cb, &col));
    ASSERT_EQ(2u, col.items.size());
    EXPECT_EQ(c, col.items[1].xid);
    EXPECT_EQ(0u, perf_xring_collect(r, 1000 * MS, drop, 100, Collected::cb, &col));
    perf_xring_free(r);
}

TEST(PerfXring, AFullRingEvictsTheOldestRequest)
{
    perf_xring *r = perf_xring_new(1, 64, KEY);
    ASSERT_NE(nullptr, r);
    perf_xinfo ev, x;
    bool had;
    std::vector<uint32_t> xids;
    for (uint32_t i = 0; i < 64; i++) {
        xids.push_back(perf_xring_post(r, PX_DO, i, 0, i, &ev, &had));
        ASSERT_FALSE(had);
    }
    uint32_t next = perf_xring_post(r, PX_RA, 64, 0, 64, &ev, &had);
    ASSERT_TRUE(had);
    EXPECT_EQ(xids[0], ev.xid);
    EXPECT_EQ(0u, ev.client);
    EXPECT_EQ(PX_DO, ev.type);
    EXPECT_FALSE(perf_xring_peek(r, xids[0], &x));
    EXPECT_TRUE(perf_xring_peek(r, xids[1], &x));
    EXPECT_TRUE(perf_xring_peek(r, next, &x));
    perf_xring_free(r);
}

// The owner posts and collects while a second thread answers most requests,
// some twice: every request must end exactly once, and duplicates never
// match.
TEST(PerfXring, RepliesRacingTheCollectorEndEachRequestOnce)
{
    const int N = 200000;
    perf_xring *r = perf_xring_new(3, 1024, KEY);
    ASSERT_NE(nullptr, r);
    std::vector<std::atomic<uint32_t>> posted(N);
    std::atomic<int> n_posted{0};
    std::atomic<uint64_t> claimed{0}, dup_matched{0};
    std::atomic<bool> done{false};
    uint64_t drop[PX_N] = {3, 3, 3, 3};     // in "ticks": the owner's clock below

    std::thread replier([&] {
        int next = 0;
        while (!done.load() || next < n_posted.load()) {
            int upto = n_posted.load();
            for (; next < upto; next++) {
                if (next % 5 == 0)
                    continue;                  // never answered
                uint32_t xid = posted[next].load();
                perf_xinfo x;
                if (perf_xring_peek(r, xid, &x) && perf_xring_claim(r, &x)) {
                    claimed++;
                    if (x.client != (uint32_t)next)
                        dup_matched++;         // would be a wrong match
                }
                if (next % 7 == 0 && perf_xring_peek(r, xid, &x) && perf_xring_claim(r, &x))
                    dup_matched++;             // a duplicate must never match
            }
        }
    });

    Collected col;
    perf_xinfo ev;
    bool had;
    uint64_t evicted = 0;
    for (int i = 0; i < N; i++) {
        uint64_t now = (uint64_t)i / 64;       // 64 requests per tick
        posted[i].store(perf_xring_post(r, PX_DO, (uint32_t)i, 0, now, &ev, &had));
        evicted += had;
        n_posted.store(i + 1);
        if (i % 16 == 0)
            perf_xring_collect(r, now, drop, 4096, Collected::cb, &col);
    }
    done.store(true);
    replier.join();
    perf_xring_collect(r, UINT64_MAX / 2, drop, 1u << 20, Collected::cb, &col);
    EXPECT_EQ(0u, dup_matched.load());
    EXPECT_EQ((uint64_t)N, claimed.load() + col.items.size() + evicted);
    EXPECT_GE(col.items.size(), (size_t)N / 5 - evicted);
    perf_xring_free(r);
}

}  // namespace
