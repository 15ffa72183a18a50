// The metrics endpoint over real TCP on 127.0.0.1: GET /metrics in
// Prometheus' text format with values matching the counters, 404 / 405 /
// 400 answers for anything else, oversized and garbage requests, idle
// connections that do not lock a scraper out.
#include <gtest/gtest.h>

#include <json-c/json.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

extern "C" {
#include "server/cfg.h"
#include "server/metrics.h"
#include "server/stats.h"
#include "server/stats_registry.h"
}

static int dial(uint16_t port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(0x7f000001);
    EXPECT_EQ(0, connect(fd, (struct sockaddr *)&sa, sizeof(sa)));
    struct timeval tv = {5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    return fd;
}

// Send req and read the whole answer (the server closes after one).
static std::string http_exchange(uint16_t port, const std::string &req)
{
    int fd = dial(port);
    size_t off = 0;
    while (off < req.size()) {
        ssize_t n = send(fd, req.data() + off, req.size() - off, MSG_NOSIGNAL);
        if (n <= 0)
            break;
        off += (size_t)n;
    }
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = recv(fd, buf, sizeof(buf), 0)) > 0)
        out.append(buf, (size_t)n);
    close(fd);
    return out;
}

class Metrics : public ::testing::Test {
protected:
    struct metrics_server *m = nullptr;
    struct cfg4 *cfg = nullptr;
    void SetUp() override
    {
        char err[256];
        ASSERT_EQ(0, cfg4_parse(R"({"Dhcp4": {"subnet4": [ {"id": 7701, "subnet": "198.18.7.0/24",
            "pools": [ {"pool": "198.18.7.10 - 198.18.7.19", "pool-id": 4} ] } ] }})", "t", &cfg,
                                err, sizeof(err))) << err;
        stats_config_applied(cfg);
        ASSERT_EQ(0, metrics_start(0x7f000001, 0, &m, err, sizeof(err))) << err;
        ASSERT_NE(0, metrics_port(m));
    }
    void TearDown() override
    {
        metrics_stop(m);
        cfg4_free(cfg);
    }
};

TEST_F(Metrics, ExposesCountersGaugesAndLabels)
{
    stats_subnet_add(7701, 4, SSTAT_ASSIGNED_ADDRESSES, 3);
    stats_subnet_add(7701, STATS_NO_POOL, SSTAT_ASSIGNED_ADDRESSES, 3);
    stats_inc(STAT_PKT4_INFORM_RECEIVED);
    stats_inc(STAT_PKT4_RECEIVED);
    // What statistic-get says (other tests may have reset it): the same value.
    struct json_object *o, *samples;
    ASSERT_TRUE(stats_reg_get("pkt4-inform-received", &o));
    ASSERT_TRUE(json_object_object_get_ex(o, "pkt4-inform-received", &samples));
    int64_t informs =
        json_object_get_int64(json_object_array_get_idx(json_object_array_get_idx(samples, 0), 0));
    json_object_put(o);
    ASSERT_GT(informs, 0);
    std::string r = http_exchange(metrics_port(m), "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_EQ(0u, r.find("HTTP/1.1 200 OK\r\n")) << r.substr(0, 200);
    EXPECT_NE(std::string::npos, r.find("Content-Type: text/plain; version=0.0.4"));
    EXPECT_NE(std::string::npos, r.find("# TYPE dora_pkt4_received counter\n"));
    std::string inform = "dora_pkt4_inform_received " + std::to_string(informs) + "\n";
    EXPECT_NE(std::string::npos, r.find(inform)) << inform;
    EXPECT_NE(std::string::npos, r.find("# TYPE dora_subnet_assigned_addresses gauge\n"));
    EXPECT_NE(std::string::npos, r.find("dora_subnet_assigned_addresses{subnet_id=\"7701\"} 3\n"));
    EXPECT_NE(std::string::npos,
              r.find("dora_pool_total_addresses{subnet_id=\"7701\",pool_id=\"4\"} 10\n"));
    // Each family is typed exactly once.
    size_t first = r.find("# TYPE dora_subnet_total_addresses ");
    ASSERT_NE(std::string::npos, first);
    EXPECT_EQ(std::string::npos, r.find("# TYPE dora_subnet_total_addresses ", first + 1));
    // Content-Length matches the body.
    size_t hdr_end = r.find("\r\n\r\n");
    size_t cl = r.find("Content-Length: ");
    ASSERT_NE(std::string::npos, cl);
    EXPECT_EQ(std::stoul(r.substr(cl + 16)), r.size() - hdr_end - 4);
}

TEST_F(Metrics, WrongRequestsGetErrorsAndServingGoesOn)
{
    uint16_t p = metrics_port(m);
    EXPECT_EQ(0u, http_exchange(p, "GET / HTTP/1.1\r\n\r\n").find("HTTP/1.1 404 "));
    EXPECT_EQ(0u, http_exchange(p, "GET /metricsfoo HTTP/1.1\r\n\r\n").find("HTTP/1.1 404 "));
    EXPECT_EQ(0u, http_exchange(p, "POST /metrics HTTP/1.1\r\n\r\n").find("HTTP/1.1 405 "));
    EXPECT_EQ(0u, http_exchange(p, "hello there\r\n\r\n").find("HTTP/1.1 400 "));
    EXPECT_EQ(0u, http_exchange(p, std::string("GET /metrics HTTP/1.1\r\nX: \x01\x02\r\n\r\n")).find("HTTP/1.1 400 "));
    EXPECT_EQ(0u, http_exchange(p, "GET  /metrics HTTP/1.1\r\n\r\n").find("HTTP/1.1 400 "));
    EXPECT_EQ(0u, http_exchange(p, "GET /metrics HTTP/2\r\n\r\n").find("HTTP/1.1 400 "));
    EXPECT_EQ(0u, http_exchange(p, std::string(100000, 'A')).find("HTTP/1.1 400 "));
    EXPECT_EQ(0u, http_exchange(p, "GET /metrics?x=1 HTTP/1.0\n\n").find("HTTP/1.1 200 "));
}

TEST_F(Metrics, IdleConnectionsDoNotLockScrapersOut)
{
    std::vector<int> idle;
    for (int i = 0; i < METRICS_MAX_CONNS + 8; i++)
        idle.push_back(dial(metrics_port(m)));
    usleep(300 * 1000);
    std::string r = http_exchange(metrics_port(m), "GET /metrics HTTP/1.1\r\n\r\n");
    EXPECT_EQ(0u, r.find("HTTP/1.1 200 OK")) << r.substr(0, 100);
    for (int fd : idle)
        close(fd);
}
