// Statistics: per-thread counters summed across threads, the address gauges
// kept by the allocation engine against a real memfile store, the startup
// recount, and the registry's reset / remove / sampling semantics. Stats are
// process-wide, so every test uses its own subnet IDs and compares deltas.
#include <gtest/gtest.h>

#include <cctype>
#include <cstring>
#include <json-c/json.h>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

extern "C" {
#include "alloc/alloc_engine.h"
#include "backends/memfile/memfile.h"
#include "server/cfg.h"
#include "server/stats.h"
#include "server/stats_registry.h"
}

static struct cfg4 *parse(const std::string &text)
{
    char err[512];
    struct cfg4 *cfg = nullptr;
    EXPECT_EQ(0, cfg4_parse(text.c_str(), "test", &cfg, err, sizeof(err))) << err;
    return cfg;
}

static std::string subnet_cfg(unsigned id, const char *net, const char *pool)
{
    return std::string(R"({"Dhcp4": { "valid-lifetime": 600, "decline-probation-period": 100,
        "statistic-default-sample-count": 5,
        "subnet4": [ { "id": )") + std::to_string(id) + R"(, "subnet": ")" + net +
           R"(", "pools": [ { "pool": ")" + pool + R"(", "pool-id": 3 } ] } ] }})";
}

// The newest value of a statistic through the registry (as statistic-get
// reports it); INT64_MIN when it does not exist.
static int64_t value(const std::string &name)
{
    struct json_object *o;
    bool found = stats_reg_get(name.c_str(), &o);
    int64_t v = INT64_MIN;
    struct json_object *samples;
    if (found && json_object_object_get_ex(o, name.c_str(), &samples))
        v = json_object_get_int64(json_object_array_get_idx(json_object_array_get_idx(samples, 0), 0));
    json_object_put(o);
    return v;
}

// "YYYY-MM-DD HH:MM:SS.ffffff", as Kea prints sample times.
static bool timestamp_ok(const char *t)
{
    const char *shape = "dddd-dd-dd dd:dd:dd.dddddd";
    for (size_t i = 0; shape[i]; i++)
        if (shape[i] == 'd' ? !isdigit((unsigned char)t[i]) : t[i] != shape[i])
            return false;
    return strlen(t) == strlen(shape);
}

TEST(Stats, CountersSumAcrossThreads)
{
    struct cfg4 *cfg = parse(subnet_cfg(9001, "198.51.100.0/24", "198.51.100.10 - 198.51.100.20"));
    stats_config_applied(cfg);
    int64_t before = stats_get(STAT_PKT4_OFFER_RECEIVED);
    std::vector<std::thread> ts;
    for (unsigned t = 0; t < 8; t++)
        ts.emplace_back([t] {
            stats_bind_thread(100 + t);
            for (int i = 0; i < 10000; i++) {
                stats_inc(STAT_PKT4_OFFER_RECEIVED);
                stats_subnet_add(9001, STATS_NO_POOL, SSTAT_V4_RESERVATION_CONFLICTS, 1);
                stats_subnet_add(9001, 3, SSTAT_CUMULATIVE_ASSIGNED_ADDRESSES, 2);
            }
        });
    for (auto &t : ts)
        t.join();
    EXPECT_EQ(80000, stats_get(STAT_PKT4_OFFER_RECEIVED) - before);
    EXPECT_EQ(80000, value("subnet[9001].v4-reservation-conflicts"));
    EXPECT_EQ(160000, value("subnet[9001].pool[3].cumulative-assigned-addresses"));
    EXPECT_EQ(11, value("subnet[9001].total-addresses"));
    EXPECT_EQ(11, value("subnet[9001].pool[3].total-addresses"));
    // No pool variant of a subnet-only statistic, no unknown pool.
    EXPECT_EQ(INT64_MIN, value("subnet[9001].pool[3].v4-reservation-conflicts"));
    EXPECT_EQ(INT64_MIN, value("subnet[9001].pool[4].assigned-addresses"));
    cfg4_free(cfg);
}

class StatsLeases : public ::testing::Test {
protected:
    struct cfg4 *cfg = nullptr;
    struct lease_store *store = nullptr;
    int64_t now = 1700000000;
    uint8_t hw[32][6];

    void open(unsigned id)
    {
        cfg = parse(subnet_cfg(id, "192.0.2.0/24", "192.0.2.10 - 192.0.2.29"));
        stats_config_applied(cfg);
        char err[512];
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
    struct alloc_client client(int i)
    {
        uint8_t mac[6] = {2, 0, 0, 0, 0x51, (uint8_t)i};
        memcpy(hw[i], mac, 6);
        struct alloc_client c = {};
        c.hw = hw[i];
        c.hwlen = 6;
        return c;
    }
    uint32_t allocate(int i)
    {
        struct alloc_req r = {};
        r.cfg = cfg;
        r.subnet = &cfg->subnets[0];
        r.client = client(i);
        r.valid_lft = 600;
        r.now = now;
        struct lease4 l;
        EXPECT_EQ(ALLOC_OK, alloc_request(store, &r, nullptr, nullptr, &l));
        return l.addr;
    }
};

TEST_F(StatsLeases, AllocateReleaseDeclineReclaim)
{
    open(9101);
    int64_t cum0 = stats_get(STAT_CUMULATIVE_ASSIGNED_ADDRESSES);
    int64_t decl0 = stats_get(STAT_DECLINED_ADDRESSES);
    const int N = 7, M = 2, K = 3;
    uint32_t addr[N];
    for (int i = 0; i < N; i++)
        addr[i] = allocate(i);
    allocate(0);   // a renewal is not a new assignment
    for (int i = 0; i < M; i++) {
        struct alloc_client c = client(i);
        ASSERT_EQ(ALLOC_OK, alloc_release(store, cfg, &c, addr[i], now));
    }
    for (int i = M; i < M + K; i++) {
        struct alloc_client c = client(i);
        ASSERT_EQ(ALLOC_OK, alloc_decline(store, cfg, &c, addr[i], now));
    }
    // Kea: a declined address still counts as assigned until reclaimed.
    EXPECT_EQ(N - M, value("subnet[9101].assigned-addresses"));
    EXPECT_EQ(N - M, value("subnet[9101].pool[3].assigned-addresses"));
    EXPECT_EQ(K, value("subnet[9101].declined-addresses"));
    EXPECT_EQ(K, value("subnet[9101].pool[3].declined-addresses"));
    EXPECT_EQ(N, value("subnet[9101].cumulative-assigned-addresses"));
    EXPECT_EQ(N, stats_get(STAT_CUMULATIVE_ASSIGNED_ADDRESSES) - cum0);
    EXPECT_EQ(K, stats_get(STAT_DECLINED_ADDRESSES) - decl0);
    EXPECT_EQ(20, value("subnet[9101].total-addresses"));

    // After the probation period the declined leases are reclaimed.
    ASSERT_EQ(K, alloc_reclaim(store, cfg, now + 101, 0, 0));
    EXPECT_EQ(N - M - K, value("subnet[9101].assigned-addresses"));
    EXPECT_EQ(0, value("subnet[9101].declined-addresses"));
    EXPECT_EQ(K, value("subnet[9101].reclaimed-declined-addresses"));
    EXPECT_EQ(K, value("subnet[9101].reclaimed-leases"));
    EXPECT_EQ(0, stats_get(STAT_DECLINED_ADDRESSES) - decl0);

    // The rest expire and are reclaimed too.
    ASSERT_EQ(N - M - K, alloc_reclaim(store, cfg, now + 601, 0, 0));
    EXPECT_EQ(0, value("subnet[9101].assigned-addresses"));
    EXPECT_EQ(N - M, value("subnet[9101].pool[3].reclaimed-leases"));
}

TEST_F(StatsLeases, ExpiredLeaseTakenByAnotherClientIsReclaimed)
{
    open(9102);
    cfg->subnets[0].pools[0].last = cfg->subnets[0].pools[0].first; // one address
    allocate(1);
    now += 700;    // expired, not reclaimed
    allocate(2);   // gets the same address
    EXPECT_EQ(1, value("subnet[9102].assigned-addresses"));
    EXPECT_EQ(2, value("subnet[9102].cumulative-assigned-addresses"));
    EXPECT_EQ(1, value("subnet[9102].reclaimed-leases"));
}

TEST(StatsRecount, CountsStoreAtStartup)
{
    char path[] = "/tmp/dora-stats-recount-XXXXXX";
    int fd = mkstemp(path);
    ASSERT_GE(fd, 0);
    close(fd);
    struct cfg4 *cfg = parse(subnet_cfg(9201, "192.0.2.0/24", "192.0.2.10 - 192.0.2.29"));
    stats_config_applied(cfg);
    char err[512];
    struct memfile_params mp = {};
    mp.path = path;
    mp.persist = true;
    struct memfile_load_stats ls;
    struct lease_store *s = nullptr;
    ASSERT_EQ(0, memfile_open(&mp, &s, &ls, err, sizeof(err))) << err;
    for (int i = 0; i < 5; i++) {
        struct lease4 l = {};
        l.addr = 0xc0000200u + 10 + (uint32_t)i;
        l.subnet_id = 9201;
        l.pool_id = 3;
        l.valid_lft = 600;
        l.cltt = 1700000000;
        l.state = i < 2 ? LEASE_STATE_DECLINED : i < 4 ? LEASE_STATE_DEFAULT : LEASE_STATE_RELEASED;
        l.hwaddr_len = 6;
        l.hwaddr[5] = (uint8_t)i;
        ASSERT_EQ(LEASE_OK, s->ops->submit(s, LEASE_OP_ADD, &l, nullptr, nullptr, nullptr));
    }
    s->ops->close(s);
    ASSERT_EQ(0, memfile_open(&mp, &s, &ls, err, sizeof(err))) << err;
    EXPECT_EQ(5, stats_recount(s));
    EXPECT_EQ(4, value("subnet[9201].assigned-addresses"));
    EXPECT_EQ(2, value("subnet[9201].declined-addresses"));
    EXPECT_EQ(4, value("subnet[9201].pool[3].assigned-addresses"));
    s->ops->close(s);
    unlink(path);
    cfg4_free(cfg);
}

TEST(StatsRegistry, SamplesNewestFirstAndBounded)
{
    struct cfg4 *cfg = parse(subnet_cfg(9301, "198.18.0.0/24", "198.18.0.10 - 198.18.0.20"));
    stats_config_applied(cfg);
    const char *name = "subnet[9301].v4-allocation-fail";
    ASSERT_EQ(0, stats_reg_set_max_count(name, 3));
    for (int i = 1; i <= 6; i++) {
        stats_subnet_add(9301, STATS_NO_POOL, SSTAT_V4_ALLOCATION_FAIL, 1);
        stats_reg_tick();
    }
    struct json_object *o;
    ASSERT_TRUE(stats_reg_get(name, &o));
    struct json_object *samples;
    ASSERT_TRUE(json_object_object_get_ex(o, name, &samples));
    ASSERT_EQ(3u, json_object_array_length(samples));
    for (int i = 0; i < 3; i++) {
        struct json_object *pair = json_object_array_get_idx(samples, (size_t)i);
        EXPECT_EQ(6 - i, json_object_get_int64(json_object_array_get_idx(pair, 0)));
        EXPECT_TRUE(timestamp_ok(json_object_get_string(json_object_array_get_idx(pair, 1))));
    }
    json_object_put(o);

    // The config's default (5) holds for the others.
    for (int i = 1; i <= 8; i++) {
        stats_subnet_add(9301, STATS_NO_POOL, SSTAT_V4_ALLOCATION_FAIL_SUBNET, 1);
        stats_reg_tick();
    }
    ASSERT_TRUE(stats_reg_get("subnet[9301].v4-allocation-fail-subnet", &o));
    ASSERT_TRUE(json_object_object_get_ex(o, "subnet[9301].v4-allocation-fail-subnet", &samples));
    EXPECT_EQ(5u, json_object_array_length(samples));
    json_object_put(o);

    // By age: samples older than the limit go, the newest stays.
    ASSERT_EQ(0, stats_reg_set_max_age(name, 1));
    usleep(1100 * 1000);
    stats_subnet_add(9301, STATS_NO_POOL, SSTAT_V4_ALLOCATION_FAIL, 1);
    ASSERT_TRUE(stats_reg_get(name, &o));
    ASSERT_TRUE(json_object_object_get_ex(o, name, &samples));
    ASSERT_EQ(1u, json_object_array_length(samples));
    EXPECT_EQ(7, json_object_get_int64(json_object_array_get_idx(json_object_array_get_idx(samples, 0), 0)));
    json_object_put(o);
    cfg4_free(cfg);
}

TEST(StatsRegistry, ResetAndRemove)
{
    struct cfg4 *cfg = parse(subnet_cfg(9401, "198.18.1.0/24", "198.18.1.10 - 198.18.1.20"));
    stats_config_applied(cfg);
    stats_inc(STAT_PKT4_NAK_RECEIVED);
    ASSERT_GT(value("pkt4-nak-received"), 0);
    ASSERT_EQ(0, stats_reg_reset("pkt4-nak-received"));
    EXPECT_EQ(0, value("pkt4-nak-received"));
    stats_inc(STAT_PKT4_NAK_RECEIVED);
    stats_inc(STAT_PKT4_NAK_RECEIVED);
    EXPECT_EQ(2, value("pkt4-nak-received"));

    // A gauge resets to 0 and then follows the changes.
    stats_subnet_add(9401, STATS_NO_POOL, SSTAT_ASSIGNED_ADDRESSES, 5);
    EXPECT_EQ(5, value("subnet[9401].assigned-addresses"));
    ASSERT_EQ(0, stats_reg_reset("subnet[9401].assigned-addresses"));
    stats_subnet_add(9401, STATS_NO_POOL, SSTAT_ASSIGNED_ADDRESSES, -1);
    EXPECT_EQ(-1, value("subnet[9401].assigned-addresses"));

    // Removed: gone until its next update, which re-creates it from 0.
    ASSERT_EQ(0, stats_reg_remove("pkt4-nak-received"));
    EXPECT_EQ(INT64_MIN, value("pkt4-nak-received"));
    EXPECT_EQ(-1, stats_reg_remove("pkt4-nak-received"));
    EXPECT_EQ(-1, stats_reg_reset("pkt4-nak-received"));
    struct json_object *all = stats_reg_get_all();
    EXPECT_FALSE(json_object_object_get_ex(all, "pkt4-nak-received", nullptr));
    EXPECT_TRUE(json_object_object_get_ex(all, "subnet[9401].pool[3].total-addresses", nullptr));
    json_object_put(all);
    stats_inc(STAT_PKT4_NAK_RECEIVED);
    EXPECT_EQ(1, value("pkt4-nak-received"));

    EXPECT_EQ(-1, stats_reg_reset("no-such-statistic"));
    EXPECT_EQ(-1, stats_reg_reset("subnet[abc].assigned-addresses"));
    EXPECT_EQ(-1, stats_reg_reset("subnet[99999999999].assigned-addresses"));
    EXPECT_EQ(-1, stats_reg_reset("subnet[9401]assigned-addresses"));
    cfg4_free(cfg);
}

TEST(StatsRegistry, SubnetsFollowTheConfiguration)
{
    struct cfg4 *a = parse(subnet_cfg(9501, "198.18.2.0/24", "198.18.2.10 - 198.18.2.20"));
    struct cfg4 *b = parse(subnet_cfg(9502, "198.18.3.0/24", "198.18.3.10 - 198.18.3.14"));
    stats_config_applied(a);
    stats_subnet_add(9501, 3, SSTAT_ASSIGNED_ADDRESSES, 4);
    stats_subnet_add(9501, STATS_NO_POOL, SSTAT_ASSIGNED_ADDRESSES, 4);
    EXPECT_EQ(4, value("subnet[9501].assigned-addresses"));
    stats_config_applied(b);   // 9501 leaves the configuration
    EXPECT_EQ(INT64_MIN, value("subnet[9501].assigned-addresses"));
    EXPECT_EQ(5, value("subnet[9502].total-addresses"));
    char *flat = stats_json_flat();
    ASSERT_NE(nullptr, flat);
    EXPECT_EQ(nullptr, strstr(flat, "subnet[9501]"));
    EXPECT_NE(nullptr, strstr(flat, "\"subnet[9502].total-addresses\": 5"));
    free(flat);
    stats_config_applied(a);   // and comes back with its counts
    EXPECT_EQ(4, value("subnet[9501].pool[3].assigned-addresses"));
    cfg4_free(a);
    cfg4_free(b);
}

TEST(StatsConfig, SampleDefaultsAndMetricsAreParsed)
{
    char err[512];
    struct cfg4 *cfg = nullptr;
    ASSERT_EQ(0, cfg4_parse(R"({"Dhcp4": {"statistic-default-sample-count": 0,
        "statistic-default-sample-age": 60, "metrics": {"http-port": 9600}}})", "t", &cfg, err,
                            sizeof(err))) << err;
    EXPECT_EQ(0u, cfg->stat_sample_count);
    EXPECT_EQ(60u, cfg->stat_sample_age);
    EXPECT_TRUE(cfg->metrics.enabled);
    EXPECT_EQ(0x7f000001u, cfg->metrics.http_host);
    EXPECT_EQ(9600, cfg->metrics.http_port);
    cfg4_free(cfg);
    ASSERT_EQ(0, cfg4_parse(R"({"Dhcp4": {}})", "t", &cfg, err, sizeof(err))) << err;
    EXPECT_FALSE(cfg->metrics.enabled);
    EXPECT_EQ(20u, cfg->stat_sample_count);
    cfg4_free(cfg);
    EXPECT_NE(0, cfg4_parse(R"({"Dhcp4": {"metrics": {"http-port": 70000}}})", "t", &cfg, err,
                            sizeof(err)));
    EXPECT_NE(nullptr, strstr(err, "Dhcp4.metrics.http-port")) << err;
    EXPECT_NE(0, cfg4_parse(R"({"Dhcp4": {"metrics": {"http-host": "localhost"}}})", "t", &cfg,
                            err, sizeof(err)));
    EXPECT_NE(nullptr, strstr(err, "Dhcp4.metrics.http-host")) << err;
    EXPECT_NE(0, cfg4_parse(R"({"Dhcp4": {"metrics": {"port": 1}}})", "t", &cfg, err, sizeof(err)));
    EXPECT_NE(nullptr, strstr(err, "Dhcp4.metrics")) << err;
    EXPECT_NE(0, cfg4_parse(R"({"Dhcp4": {"statistic-default-sample-count": -1}})", "t", &cfg,
                            err, sizeof(err)));
    EXPECT_NE(nullptr, strstr(err, "statistic-default-sample-count")) << err;
}

// Kea finds a lease's pool by its address: a lease in the subnet but outside
// every pool (out-of-pool reservation, lease4-add) moves the subnet's gauges
// only, whatever pool-id it carries (found by test_commands.sh).
TEST(Stats, LeaseOutsideEveryPoolCountsInTheSubnetOnly)
{
    struct cfg4 *cfg = parse(subnet_cfg(9601, "192.0.2.0/24", "192.0.2.10 - 192.0.2.29"));
    stats_config_applied(cfg);
    struct lease4 in = {}, out = {};
    in.addr = 0xc000020c;   // 192.0.2.12
    out.addr = 0xc0000232;  // 192.0.2.50
    in.subnet_id = out.subnet_id = 9601;
    in.pool_id = out.pool_id = 3;
    in.valid_lft = out.valid_lft = 600;
    in.hwaddr_len = out.hwaddr_len = 6;
    out.hwaddr[5] = 1;
    EXPECT_TRUE(stats_pool_holds(9601, in.addr));
    EXPECT_FALSE(stats_pool_holds(9601, out.addr));
    EXPECT_FALSE(stats_pool_holds(9602, in.addr));
    stats_lease_changed(nullptr, &in);
    stats_lease_changed(nullptr, &out);
    EXPECT_EQ(2, value("subnet[9601].assigned-addresses"));
    EXPECT_EQ(1, value("subnet[9601].pool[3].assigned-addresses"));
    EXPECT_EQ(2, value("subnet[9601].cumulative-assigned-addresses"));
    EXPECT_EQ(1, value("subnet[9601].pool[3].cumulative-assigned-addresses"));
    struct lease4 declined = out;
    declined.state = LEASE_STATE_DECLINED;
    stats_lease_changed(&out, &declined);
    EXPECT_EQ(1, value("subnet[9601].declined-addresses"));
    EXPECT_EQ(0, value("subnet[9601].pool[3].declined-addresses"));
    stats_lease_changed(&declined, nullptr);
    stats_lease_changed(&in, nullptr);
    EXPECT_EQ(0, value("subnet[9601].assigned-addresses"));
    EXPECT_EQ(0, value("subnet[9601].pool[3].assigned-addresses"));
    cfg4_free(cfg);
}
