// Bounded packet queue: FIFO order, drop-oldest when full (counted), buffer
// pool accounting, close semantics.
#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

extern "C" {
#include "server/pkt_queue.h"
#include "server/stats.h"
}

static struct rx_pkt *tagged(struct pkt_queue *q, uint8_t tag)
{
    struct rx_pkt *p = pkt_queue_get_buffer(q);
    if (p) {
        p->len = 1;
        p->data[0] = tag;
    }
    return p;
}

TEST(PktQueue, FifoOrder)
{
    struct pkt_queue q;
    ASSERT_EQ(0, pkt_queue_init(&q, 4, 2));
    for (uint8_t i = 1; i <= 3; i++)
        EXPECT_FALSE(pkt_queue_push(&q, tagged(&q, i)));
    for (uint8_t i = 1; i <= 3; i++) {
        struct rx_pkt *p = pkt_queue_pop(&q);
        ASSERT_NE(nullptr, p);
        EXPECT_EQ(i, p->data[0]);
        pkt_queue_put_buffer(&q, p);
    }
    pkt_queue_destroy(&q);
}

TEST(PktQueue, FullQueueDropsOldestAndCountsIt)
{
    struct pkt_queue q;
    ASSERT_EQ(0, pkt_queue_init(&q, 3, 4));
    int64_t drops_before = stats_get(STAT_PKT4_QUEUE_FULL_DROP);
    int64_t recv_drop_before = stats_get(STAT_PKT4_RECEIVE_DROP);
    for (uint8_t i = 1; i <= 3; i++)
        EXPECT_FALSE(pkt_queue_push(&q, tagged(&q, i)));
    // Queue is full: pushing 4 and 5 must evict 1 then 2.
    EXPECT_TRUE(pkt_queue_push(&q, tagged(&q, 4)));
    EXPECT_TRUE(pkt_queue_push(&q, tagged(&q, 5)));
    EXPECT_EQ(2u, q.dropped);
    EXPECT_EQ(2, stats_get(STAT_PKT4_QUEUE_FULL_DROP) - drops_before);
    EXPECT_EQ(2, stats_get(STAT_PKT4_RECEIVE_DROP) - recv_drop_before);
    for (uint8_t want : {3, 4, 5}) {
        struct rx_pkt *p = pkt_queue_pop(&q);
        ASSERT_NE(nullptr, p);
        EXPECT_EQ(want, p->data[0]);
        pkt_queue_put_buffer(&q, p);
    }
    // Every buffer is back in the pool.
    EXPECT_EQ(q.n_bufs, q.n_free);
    pkt_queue_destroy(&q);
}

TEST(PktQueue, ExhaustedPoolRecyclesOldestQueued)
{
    struct pkt_queue q;
    ASSERT_EQ(0, pkt_queue_init(&q, 2, 0));  // exactly two buffers
    EXPECT_FALSE(pkt_queue_push(&q, tagged(&q, 1)));
    EXPECT_FALSE(pkt_queue_push(&q, tagged(&q, 2)));
    // No free buffer left: getting one drops packet 1.
    struct rx_pkt *p = tagged(&q, 3);
    ASSERT_NE(nullptr, p);
    EXPECT_EQ(1u, q.dropped);
    EXPECT_FALSE(pkt_queue_push(&q, p));
    struct rx_pkt *a = pkt_queue_pop(&q);
    struct rx_pkt *b = pkt_queue_pop(&q);
    EXPECT_EQ(2, a->data[0]);
    EXPECT_EQ(3, b->data[0]);
    pkt_queue_put_buffer(&q, a);
    pkt_queue_put_buffer(&q, b);
    pkt_queue_destroy(&q);
}

TEST(PktQueue, CloseWakesConsumersAfterDrain)
{
    struct pkt_queue q;
    ASSERT_EQ(0, pkt_queue_init(&q, 8, 2));
    std::vector<int> got;
    std::mutex m;
    std::vector<std::thread> consumers;
    for (int i = 0; i < 3; i++)
        consumers.emplace_back([&] {
            struct rx_pkt *p;
            while ((p = pkt_queue_pop(&q))) {
                {
                    std::lock_guard<std::mutex> g(m);
                    got.push_back(p->data[0]);
                }
                pkt_queue_put_buffer(&q, p);
            }
        });
    for (uint8_t i = 0; i < 5; i++)
        pkt_queue_push(&q, tagged(&q, i));
    pkt_queue_close(&q);
    for (auto &t : consumers)
        t.join();
    EXPECT_EQ(5u, got.size());
    pkt_queue_destroy(&q);
}

TEST(PktQueue, BatchPushKeepsNewestAndCountsEvictions)
{
    struct pkt_queue q;
    ASSERT_EQ(0, pkt_queue_init(&q, 4, 2));
    std::vector<struct rx_pkt> batch(6);
    for (uint8_t i = 0; i < 6; i++) {
        batch[i].len = 1;
        batch[i].data[0] = (uint8_t)(10 + i);
    }
    int64_t before = stats_get(STAT_PKT4_QUEUE_FULL_DROP);
    // Six packets into a queue of four: the two oldest (10, 11) are dropped.
    EXPECT_EQ(2u, pkt_queue_push_copies(&q, batch.data(), batch.size()));
    EXPECT_EQ(2, stats_get(STAT_PKT4_QUEUE_FULL_DROP) - before);
    for (uint8_t want = 12; want < 16; want++) {
        struct rx_pkt *p = pkt_queue_pop(&q);
        ASSERT_NE(nullptr, p);
        EXPECT_EQ(want, p->data[0]);
        pkt_queue_put_buffer(&q, p);
    }
    pkt_queue_destroy(&q);
}

// Workers wait with a timeout so that an idle one lets go of an old config
// snapshot: an empty queue times out, a filled one hands the packet over.
TEST(PktQueue, TimedPopTimesOutWhenEmptyAndReturnsAPacketOtherwise)
{
    struct pkt_queue q;
    ASSERT_EQ(0, pkt_queue_init(&q, 4, 2));
    bool timed_out = false;
    auto t0 = std::chrono::steady_clock::now();
    EXPECT_EQ(nullptr, pkt_queue_pop_timed(&q, 50, &timed_out));
    EXPECT_TRUE(timed_out);
    EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(45));

    EXPECT_FALSE(pkt_queue_push(&q, tagged(&q, 7)));
    struct rx_pkt *p = pkt_queue_pop_timed(&q, 50, &timed_out);
    ASSERT_NE(nullptr, p);
    EXPECT_EQ(7, p->data[0]);
    EXPECT_FALSE(timed_out);
    pkt_queue_put_buffer(&q, p);

    // A packet pushed while a worker waits wakes it before the timeout.
    std::thread pusher([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        pkt_queue_push(&q, tagged(&q, 8));
    });
    p = pkt_queue_pop_timed(&q, 5000, &timed_out);
    pusher.join();
    ASSERT_NE(nullptr, p);
    EXPECT_EQ(8, p->data[0]);
    EXPECT_FALSE(timed_out);
    pkt_queue_put_buffer(&q, p);
    pkt_queue_destroy(&q);
}
