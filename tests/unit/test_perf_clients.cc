// Unit tests for dora-perf's client population and address map
// (bench/dora-perf/clients.c, addrmap.c): MAC arithmetic, lease words,
// the bound queue, and the address map against a reference std::map.

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <random>

extern "C" {
#include "bench/dora-perf/addrmap.h"
#include "bench/dora-perf/clients.h"
}

namespace {

TEST(PerfClients, MacsAreBasePlusIndexAndBack)
{
    const uint8_t base[6] = {0x02, 0x00, 0x00, 0x00, 0xff, 0xfe};
    perf_clients *cl = perf_clients_new(1000, base);
    ASSERT_NE(nullptr, cl);
    uint8_t mac[6];
    perf_client_mac(cl, 0, mac);
    EXPECT_EQ(0, memcmp(base, mac, 6));
    perf_client_mac(cl, 3, mac);               // carries into the next octet
    const uint8_t want[6] = {0x02, 0x00, 0x00, 0x01, 0x00, 0x01};
    EXPECT_EQ(0, memcmp(want, mac, 6));
    for (uint32_t i = 0; i < 1000; i += 37) {
        perf_client_mac(cl, i, mac);
        EXPECT_EQ((int64_t)i, perf_client_of_mac(cl, mac));
    }
    const uint8_t below[6] = {0x02, 0x00, 0x00, 0x00, 0xff, 0xfd};
    EXPECT_EQ(-1, perf_client_of_mac(cl, below));
    perf_client_mac(cl, 999, mac);
    mac[5]++;
    EXPECT_EQ(-1, perf_client_of_mac(cl, mac)); // one past the last client
    perf_clients_free(cl);

    const uint8_t top[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    cl = perf_clients_new(4, top);             // wraps around 2^48
    ASSERT_NE(nullptr, cl);
    perf_client_mac(cl, 2, mac);
    const uint8_t wrapped[6] = {0, 0, 0, 0, 0, 1};
    EXPECT_EQ(0, memcmp(wrapped, mac, 6));
    EXPECT_EQ(2, perf_client_of_mac(cl, wrapped));
    perf_clients_free(cl);
}

TEST(PerfClients, LeaseWordsAndConditionalDrop)
{
    const uint8_t base[6] = {2, 0, 0, 0, 0, 0};
    perf_clients *cl = perf_clients_new(10, base);
    ASSERT_NE(nullptr, cl);
    uint32_t a, s;
    EXPECT_FALSE(perf_client_lease(cl, 3, &a, &s));
    perf_client_set_lease(cl, 3, 0xc0000205, 0xc0000201);
    ASSERT_TRUE(perf_client_lease(cl, 3, &a, &s));
    EXPECT_EQ(0xc0000205u, a);
    EXPECT_EQ(0xc0000201u, s);
    EXPECT_FALSE(perf_client_drop_lease(cl, 3, 0xc0000206, 0xc0000201));  // not its lease
    EXPECT_TRUE(perf_client_drop_lease(cl, 3, 0xc0000205, 0xc0000201));
    EXPECT_FALSE(perf_client_lease(cl, 3, &a, &s));
    EXPECT_FALSE(perf_client_lease(cl, 10, &a, &s));                      // out of range

    uint8_t mac[6];
    EXPECT_FALSE(perf_client_server_mac(cl, 1, mac));
    const uint8_t smac[6] = {0, 0, 0, 0, 0, 0};                          // all-zero is a value too
    perf_client_set_server_mac(cl, 1, smac);
    ASSERT_TRUE(perf_client_server_mac(cl, 1, mac));
    EXPECT_EQ(0, memcmp(smac, mac, 6));

    EXPECT_EQ(0u, perf_client_busy(cl, 4));
    perf_client_busy_add(cl, 4, 1);
    perf_client_busy_add(cl, 4, 1);
    perf_client_busy_add(cl, 4, -1);
    EXPECT_EQ(1u, perf_client_busy(cl, 4));
    perf_clients_free(cl);
}

TEST(PerfClients, BoundQueueIsFifoAndBounded)
{
    const uint8_t base[6] = {2, 0, 0, 0, 0, 0};
    perf_clients *cl = perf_clients_new(3, base);
    ASSERT_NE(nullptr, cl);
    EXPECT_EQ(-1, perf_clients_pop_bound(cl));
    EXPECT_EQ(0, perf_clients_push_bound(cl, 2));
    EXPECT_EQ(0, perf_clients_push_bound(cl, 0));
    EXPECT_EQ(0, perf_clients_push_bound(cl, 1));
    EXPECT_EQ(-1, perf_clients_push_bound(cl, 1));      // full
    EXPECT_EQ(2, perf_clients_pop_bound(cl));
    EXPECT_EQ(0, perf_clients_push_bound(cl, 2));       // wraps around
    EXPECT_EQ(0, perf_clients_pop_bound(cl));
    EXPECT_EQ(1, perf_clients_pop_bound(cl));
    EXPECT_EQ(2, perf_clients_pop_bound(cl));
    EXPECT_EQ(-1, perf_clients_pop_bound(cl));
    perf_clients_free(cl);
}

TEST(PerfAddrmap, BehavesLikeAMapUnderRandomOperations)
{
    perf_addrmap *m = perf_addrmap_new(500);
    ASSERT_NE(nullptr, m);
    std::map<uint32_t, uint32_t> ref;
    std::mt19937 rng(11);
    for (int i = 0; i < 200000; i++) {
        // Few distinct addresses, consecutive like a pool, so runs collide.
        uint32_t addr = 0xc0000200 + rng() % 600;
        uint32_t client = rng() % 50;
        switch (rng() % 3) {
        case 0:
            if (ref.size() < 500 || ref.count(addr)) {
                ASSERT_EQ(0, perf_addrmap_set(m, addr, client));
                ref[addr] = client;
            }
            break;
        case 1: {
            auto it = ref.find(addr);
            bool want = it != ref.end() && it->second == client;
            ASSERT_EQ(want, perf_addrmap_del(m, addr, client));
            if (want)
                ref.erase(it);
            break;
        }
        default: {
            auto it = ref.find(addr);
            ASSERT_EQ(it == ref.end() ? -1 : (int64_t)it->second, perf_addrmap_get(m, addr));
        }
        }
        ASSERT_EQ(ref.size(), perf_addrmap_count(m));
    }
    for (auto &kv : ref)
        EXPECT_EQ((int64_t)kv.second, perf_addrmap_get(m, kv.first));
    EXPECT_EQ(-1, perf_addrmap_set(m, 0, 1));   // 0 is "no address"
    perf_addrmap_free(m);
}

TEST(PerfAddrmap, RefusesInsertsBeyondItsCapacity)
{
    perf_addrmap *m = perf_addrmap_new(4);
    ASSERT_NE(nullptr, m);
    int ok = 0;
    for (uint32_t a = 1; a <= 100; a++)
        ok += perf_addrmap_set(m, a, a) == 0;
    EXPECT_GE(ok, 4);
    EXPECT_LT(ok, 100);
    EXPECT_EQ((size_t)ok, perf_addrmap_count(m));
    perf_addrmap_free(m);
}

}  // namespace
