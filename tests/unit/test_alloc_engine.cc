// Allocation engine against a real (memory-only) memfile store and a config
// parsed from Kea JSON: discover/request/renew/release/decline, reservations,
// exhaustion and wrap, reclamation.
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <string>

extern "C" {
#include "alloc/alloc_engine.h"
#include "backends/memfile/memfile.h"
#include "server/cfg.h"
}

static uint32_t ip(const char *s)
{
    unsigned a, b, c, d;
    EXPECT_EQ(4, sscanf(s, "%u.%u.%u.%u", &a, &b, &c, &d));
    return a << 24 | b << 16 | c << 8 | d;
}

static const char *kConfig = R"({"Dhcp4": {
  "valid-lifetime": 600,
  "decline-probation-period": 3000,
  "subnet4": [ {
    "id": 7, "subnet": "192.0.2.0/24",
    "pools": [ { "pool": "192.0.2.10 - 192.0.2.12" } ],
    "reservations": [ { "hw-address": "02:00:00:00:00:99", "ip-address": "192.0.2.50" },
                      { "hw-address": "02:00:00:00:00:98", "ip-address": "192.0.2.11" } ]
  } ]
}})";

static std::atomic<int> g_done{0};
static void count_done(void *, int result)
{
    if (result == LEASE_OK)
        g_done++;
}

class AllocEngine : public ::testing::Test {
protected:
    struct cfg4 *cfg = nullptr;
    struct lease_store *store = nullptr;
    int64_t now = 1700000000;

    void SetUp() override
    {
        char err[512];
        ASSERT_EQ(0, cfg4_parse(kConfig, "test", &cfg, err, sizeof(err))) << err;
        struct memfile_params mp = {};
        mp.persist = false;
        struct memfile_load_stats ls;
        ASSERT_EQ(0, memfile_open(&mp, &store, &ls, err, sizeof(err))) << err;
    }
    void TearDown() override
    {
        if (store)
            store->ops->close(store);
        cfg4_free(cfg);
    }
    void client(uint8_t last, uint8_t hw[6], struct alloc_req *r)
    {
        uint8_t mac[6] = {2, 0, 0, 0, 0, last};
        memcpy(hw, mac, 6);
        memset(r, 0, sizeof(*r));
        r->cfg = cfg;
        r->subnet = &cfg->subnets[0];
        r->client.hw = hw;
        r->client.hwlen = 6;
        r->host = cfg4_host_find(cfg, 7, HOST_ID_HWADDR, hw, 6);
        r->valid_lft = 600;
        r->now = now;
    }
    enum alloc_result request(struct alloc_req *r, uint32_t hint, struct lease4 *l)
    {
        r->hint = hint;
        enum alloc_result res = alloc_request(store, r, count_done, nullptr, l);
        store->ops->flush(store);
        return res;
    }
};

TEST_F(AllocEngine, DiscoverThenRequestCommitsAndSkipsReservedAddress)
{
    uint8_t hw[6];
    struct alloc_req r;
    struct lease4 offer, lease;
    client(1, hw, &r);
    ASSERT_EQ(ALLOC_OK, alloc_discover(store, &r, &offer));
    EXPECT_EQ(ip("192.0.2.10"), offer.addr);
    int before = g_done;
    ASSERT_EQ(ALLOC_OK, request(&r, offer.addr, &lease));
    EXPECT_EQ(before + 1, g_done.load());  // completion ran once durable
    struct lease4 stored;
    ASSERT_EQ(0, store->ops->get_by_addr(store, offer.addr, &stored));
    EXPECT_EQ(0, memcmp(stored.hwaddr, hw, 6));
    EXPECT_EQ(7u, stored.subnet_id);
    EXPECT_EQ(600u, stored.valid_lft);

    // .11 is reserved for ...:98, so the next client gets .12.
    uint8_t hw2[6];
    client(2, hw2, &r);
    ASSERT_EQ(ALLOC_OK, alloc_discover(store, &r, &offer));
    EXPECT_EQ(ip("192.0.2.12"), offer.addr);
}

TEST_F(AllocEngine, ReservationOutsidePoolIsOffered)
{
    uint8_t hw[6];
    struct alloc_req r;
    struct lease4 offer, lease;
    client(0x99, hw, &r);
    ASSERT_NE(nullptr, r.host);
    ASSERT_EQ(ALLOC_OK, alloc_discover(store, &r, &offer));
    EXPECT_EQ(ip("192.0.2.50"), offer.addr);
    EXPECT_EQ(ALLOC_OK, request(&r, offer.addr, &lease));
}

TEST_F(AllocEngine, RequestRules)
{
    uint8_t a[6], b[6];
    struct alloc_req ra, rb;
    struct lease4 l;
    client(1, a, &ra);
    client(2, b, &rb);
    ASSERT_EQ(ALLOC_OK, request(&ra, ip("192.0.2.10"), &l));
    // Leased to another client.
    EXPECT_EQ(ALLOC_NAK, request(&rb, ip("192.0.2.10"), &l));
    // Reserved for another client.
    EXPECT_EQ(ALLOC_NAK, request(&rb, ip("192.0.2.11"), &l));
    // Another network.
    EXPECT_EQ(ALLOC_NAK_WRONG_NET, request(&rb, ip("198.51.100.5"), &l));
    // In the subnet but in no pool and not reserved: silently dropped.
    EXPECT_EQ(ALLOC_DROP, request(&rb, ip("192.0.2.100"), &l));
    // Renewing its own address works and keeps it.
    ra.now = now + 100;
    ASSERT_EQ(ALLOC_OK, request(&ra, ip("192.0.2.10"), &l));
    struct lease4 stored;
    ASSERT_EQ(0, store->ops->get_by_addr(store, ip("192.0.2.10"), &stored));
    EXPECT_EQ(now + 100, stored.cltt);
    // A client with a reservation for a different free address is NAKed.
    uint8_t c[6];
    struct alloc_req rc;
    client(0x99, c, &rc);
    EXPECT_EQ(ALLOC_NAK, request(&rc, ip("192.0.2.12"), &l));
}

TEST_F(AllocEngine, ExhaustionAndWrapAfterRelease)
{
    uint8_t hw[4][6];
    struct alloc_req r[4];
    struct lease4 offer, l;
    // Pool .10-.12 with .11 reserved: two dynamic addresses.
    for (int i = 0; i < 2; i++) {
        client((uint8_t)(i + 1), hw[i], &r[i]);
        ASSERT_EQ(ALLOC_OK, alloc_discover(store, &r[i], &offer));
        ASSERT_EQ(ALLOC_OK, request(&r[i], offer.addr, &l));
    }
    client(3, hw[2], &r[2]);
    EXPECT_EQ(ALLOC_EXHAUSTED, alloc_discover(store, &r[2], &offer));
    // Client 1 releases .10: the allocator wraps around and finds it.
    struct alloc_client c1 = r[0].client;
    EXPECT_EQ(ALLOC_OK, alloc_release(store, cfg, &c1, ip("192.0.2.10"), now));
    store->ops->flush(store);
    ASSERT_EQ(ALLOC_OK, alloc_discover(store, &r[2], &offer));
    EXPECT_EQ(ip("192.0.2.10"), offer.addr);
    // A release by someone else is ignored.
    struct alloc_client c3 = r[2].client;
    EXPECT_EQ(ALLOC_DROP, alloc_release(store, cfg, &c3, ip("192.0.2.12"), now));
}

TEST_F(AllocEngine, DeclinedAddressIsNotOfferedDuringProbation)
{
    uint8_t a[6], b[6];
    struct alloc_req ra, rb;
    struct lease4 offer, l;
    client(1, a, &ra);
    ASSERT_EQ(ALLOC_OK, request(&ra, ip("192.0.2.10"), &l));
    EXPECT_EQ(ALLOC_OK, alloc_decline(store, cfg, &ra.client, ip("192.0.2.10"), now));
    store->ops->flush(store);
    struct lease4 stored;
    ASSERT_EQ(0, store->ops->get_by_addr(store, ip("192.0.2.10"), &stored));
    EXPECT_EQ(LEASE_STATE_DECLINED, stored.state);
    EXPECT_EQ(0, stored.hwaddr_len);
    EXPECT_EQ(3000u, stored.valid_lft);
    client(2, b, &rb);
    ASSERT_EQ(ALLOC_OK, alloc_discover(store, &rb, &offer));
    EXPECT_NE(ip("192.0.2.10"), offer.addr);
    // After probation it is reclaimed and offered again.
    rb.now = now + 3001;
    EXPECT_GE(alloc_reclaim(store, cfg, now + 3001, 100, 0), 1);
    store->ops->flush(store);
    ASSERT_EQ(ALLOC_OK, request(&rb, ip("192.0.2.12"), &l));
    uint8_t c[6];
    struct alloc_req rc;
    client(3, c, &rc);
    rc.now = now + 3001;
    ASSERT_EQ(ALLOC_OK, alloc_discover(store, &rc, &offer));
    EXPECT_EQ(ip("192.0.2.10"), offer.addr);
}

TEST_F(AllocEngine, ClientIdOwnership)
{
    uint8_t hw[6];
    struct alloc_req r;
    struct lease4 l;
    client(1, hw, &r);
    uint8_t cid1[] = {1, 2, 0, 0, 0, 0, 1};
    r.client.cid = cid1;
    r.client.cidlen = sizeof(cid1);
    ASSERT_EQ(ALLOC_OK, request(&r, ip("192.0.2.10"), &l));
    // Same MAC, different client-id: a different client (spec §3.2).
    uint8_t cid2[] = {1, 9, 9, 9, 9, 9, 9};
    struct alloc_req r2 = r;
    r2.client.cid = cid2;
    EXPECT_EQ(ALLOC_NAK, request(&r2, ip("192.0.2.10"), &l));
    // Same client-id, different MAC: the same client.
    uint8_t other_hw[6] = {2, 0, 0, 0, 0, 0x55};
    struct alloc_req r3 = r;
    r3.client.hw = other_hw;
    EXPECT_EQ(ALLOC_OK, request(&r3, ip("192.0.2.10"), &l));
}
