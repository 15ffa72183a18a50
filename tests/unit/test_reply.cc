// Reply assembly: option precedence (host > pool > subnet > global), the
// parameter request list, always-send / never-send, basic options, T1/T2,
// fixed fields and the echoes of client-id and relay agent information.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

extern "C" {
#include "server/cfg.h"
#include "server/reply.h"
#include "wire/pkt4.h"
}

static const char *kConfig = R"({"Dhcp4": {
  "option-data": [ { "name": "domain-name-servers", "data": "192.0.2.53" },
                   { "name": "ntp-servers", "data": "192.0.2.123" },
                   { "name": "domain-name", "data": "global.example" },
                   { "name": "time-offset", "data": "3600", "always-send": true },
                   { "name": "log-servers", "data": "192.0.2.7", "never-send": true } ],
  "subnet4": [ {
    "id": 1, "subnet": "192.0.2.0/24", "next-server": "192.0.2.9", "boot-file-name": "subnet.bin",
    "renew-timer": 100, "rebind-timer": 200, "valid-lifetime": 400,
    "option-data": [ { "name": "routers", "data": "192.0.2.1" },
                     { "name": "ntp-servers", "data": "192.0.2.124" } ],
    "pools": [ { "pool": "192.0.2.10 - 192.0.2.20",
                 "option-data": [ { "name": "domain-name", "data": "pool.example" } ] } ],
    "reservations": [ { "hw-address": "02:00:00:00:00:01", "ip-address": "192.0.2.30",
                        "hostname": "host-one", "boot-file-name": "host.bin",
                        "option-data": [ { "name": "ntp-servers", "data": "192.0.2.125" } ] } ]
  } ]
}})";

class Reply : public ::testing::Test {
protected:
    struct cfg4 *cfg = nullptr;
    struct pkt4 req;
    struct pkt4_out out;

    void SetUp() override
    {
        char err[512];
        ASSERT_EQ(0, cfg4_parse(kConfig, "test", &cfg, err, sizeof(err))) << err;
    }
    void TearDown() override { cfg4_free(cfg); }

    // A REQUEST from 02:..:01 asking for the given options.
    void make_request(std::vector<uint8_t> prl, bool with_rai)
    {
        struct pkt4_out o;
        pkt4_out_init(&o, BOOTREQUEST);
        o.htype = 1;
        o.hlen = 6;
        o.xid = 0x1234;
        uint8_t mac[6] = {2, 0, 0, 0, 0, 1};
        memcpy(o.chaddr, mac, 6);
        uint8_t type = DHCPREQUEST;
        pkt4_out_put(&o, OPT_MESSAGE_TYPE, &type, 1);
        uint8_t cid[] = {1, 2, 0, 0, 0, 0, 1};
        pkt4_out_put(&o, OPT_CLIENT_ID, cid, sizeof(cid));
        pkt4_out_put(&o, OPT_PARAM_REQUEST_LIST, prl.data(), prl.size());
        if (with_rai) {
            uint8_t rai[] = {1, 3, 'a', 'b', 'c', 2, 2, 'x', 'y'};
            pkt4_out_put(&o, OPT_RELAY_AGENT_INFO, rai, sizeof(rai));
            o.giaddr = 0xc0000201;
        }
        ASSERT_GE(pkt4_out_finish(&o, 576), 0);
        ASSERT_EQ(PKT4_OK, pkt4_parse(&req, o.buf, o.len));
    }
    struct pkt4 parsed;
    void build(uint8_t type, const struct cfg_host *host)
    {
        struct reply_params rp = {};
        rp.cfg = cfg;
        rp.subnet = &cfg->subnets[0];
        rp.pool = &cfg->subnets[0].pools[0];
        rp.host = host;
        rp.req = &req;
        rp.msg_type = type;
        rp.yiaddr = 0xc000020a;
        rp.server_id = 0xc0000201;
        rp.send_lease_time = type != DHCPNAK;
        rp.lease_time = 400;
        ASSERT_EQ(0, reply_build(&out, &rp));
        ASSERT_EQ(PKT4_OK, pkt4_parse(&parsed, out.buf, out.len));
    }
    std::vector<uint8_t> opt(uint8_t code)
    {
        size_t len;
        const uint8_t *v = pkt4_opt(&parsed, code, &len);
        return v ? std::vector<uint8_t>(v, v + len) : std::vector<uint8_t>();
    }
};

TEST_F(Reply, PrecedenceAndRequestList)
{
    const uint8_t mac[6] = {2, 0, 0, 0, 0, 1};
    const struct cfg_host *host = cfg4_host_find(cfg, 1, HOST_ID_HWADDR, mac, 6);
    ASSERT_NE(nullptr, host);
    make_request({OPT_ROUTERS, 42 /* ntp */, OPT_DOMAIN_NAME, 7 /* log-servers */}, false);
    build(DHCPACK, host);
    EXPECT_EQ(BOOTREPLY, parsed.op);
    EXPECT_EQ(DHCPACK, parsed.msg_type);
    EXPECT_EQ(0xc000020au, parsed.yiaddr);
    EXPECT_EQ((std::vector<uint8_t>{192, 0, 2, 1}), opt(OPT_ROUTERS));      // subnet
    EXPECT_EQ((std::vector<uint8_t>{192, 0, 2, 125}), opt(42));             // host wins
    std::vector<uint8_t> dn = opt(OPT_DOMAIN_NAME);                         // pool wins over global
    EXPECT_EQ("pool.example", std::string(dn.begin(), dn.end()));
    EXPECT_FALSE(pkt4_has(&parsed, 7));                                     // never-send
    EXPECT_TRUE(pkt4_has(&parsed, 2));                                      // always-send time-offset
    EXPECT_EQ((std::vector<uint8_t>{192, 0, 2, 53}), opt(OPT_DNS_SERVERS)); // basic, unrequested
    EXPECT_EQ((std::vector<uint8_t>{255, 255, 255, 0}), opt(OPT_SUBNET_MASK));
    EXPECT_EQ((std::vector<uint8_t>{0, 0, 1, 144}), opt(OPT_LEASE_TIME));
    EXPECT_EQ((std::vector<uint8_t>{0, 0, 0, 100}), opt(OPT_RENEWAL_TIME));
    EXPECT_EQ((std::vector<uint8_t>{0, 0, 0, 200}), opt(OPT_REBINDING_TIME));
    EXPECT_EQ((std::vector<uint8_t>{192, 0, 2, 1}), opt(OPT_SERVER_ID));
    std::vector<uint8_t> hn = opt(OPT_HOST_NAME);
    EXPECT_EQ("host-one", std::string(hn.begin(), hn.end()));
    EXPECT_EQ((std::vector<uint8_t>{1, 2, 0, 0, 0, 0, 1}), opt(OPT_CLIENT_ID));  // RFC 6842 echo
    EXPECT_EQ(0xc0000209u, parsed.siaddr);
    EXPECT_STREQ("host.bin", (const char *)parsed.file);  // host wins over subnet
    EXPECT_GE(out.len, (size_t)PKT4_BOOTP_MIN_LEN);
}

TEST_F(Reply, WithoutRequestListOnlyBasicOptions)
{
    make_request({}, false);
    build(DHCPOFFER, nullptr);
    EXPECT_TRUE(pkt4_has(&parsed, OPT_ROUTERS));
    EXPECT_TRUE(pkt4_has(&parsed, OPT_DNS_SERVERS));
    EXPECT_FALSE(pkt4_has(&parsed, 42));
    EXPECT_FALSE(pkt4_has(&parsed, OPT_HOST_NAME));
    EXPECT_STREQ("subnet.bin", (const char *)parsed.file);
}

TEST_F(Reply, NakCarriesNoAddressAndEchoesRelayInfoLast)
{
    make_request({OPT_ROUTERS}, true);
    build(DHCPNAK, nullptr);
    EXPECT_EQ(DHCPNAK, parsed.msg_type);
    EXPECT_EQ(0u, parsed.yiaddr);
    EXPECT_FALSE(pkt4_has(&parsed, OPT_LEASE_TIME));
    EXPECT_FALSE(pkt4_has(&parsed, OPT_ROUTERS));
    EXPECT_EQ((std::vector<uint8_t>{1, 3, 'a', 'b', 'c', 2, 2, 'x', 'y'}), opt(OPT_RELAY_AGENT_INFO));
    EXPECT_EQ(OPT_RELAY_AGENT_INFO, parsed.codes[parsed.n_codes - 1]);
    EXPECT_EQ(0xc0000201u, parsed.giaddr);
}

TEST(ReplyTeeTimes, ExplicitCalculatedAndSuppressed)
{
    struct cfg_subnet4 sn = {};
    uint32_t t1, t2;
    reply_tee_times(&sn, 1000, &t1, &t2);  // nothing configured: none sent
    EXPECT_EQ(0u, t1);
    EXPECT_EQ(0u, t2);
    sn.calculate_tee_times = true;
    sn.t1_percent = 0.5;
    sn.t2_percent = 0.875;
    reply_tee_times(&sn, 1000, &t1, &t2);
    EXPECT_EQ(500u, t1);
    EXPECT_EQ(875u, t2);
    sn.has_renew_timer = true;  // explicit wins over calculated
    sn.renew_timer = 300;
    reply_tee_times(&sn, 1000, &t1, &t2);
    EXPECT_EQ(300u, t1);
    EXPECT_EQ(875u, t2);
    sn.calculate_tee_times = false;
    sn.has_rebind_timer = true;
    sn.rebind_timer = 2000;  // T2 >= valid: not sent; T1 < valid still sent
    reply_tee_times(&sn, 1000, &t1, &t2);
    EXPECT_EQ(300u, t1);
    EXPECT_EQ(0u, t2);
    sn.rebind_timer = 200;  // T1 >= T2: T1 not sent
    reply_tee_times(&sn, 1000, &t1, &t2);
    EXPECT_EQ(0u, t1);
    EXPECT_EQ(200u, t2);
}

// A BOOTREPLY (Kea's BOOTP hook): no option 53 nor any other DHCP-only
// option (50-59, 61), RFC 1497 options and fixed fields kept, padded.
TEST_F(Reply, BootpReplyCarriesNoDhcpOnlyOptions)
{
    make_request({OPT_ROUTERS, 42}, false);
    struct reply_params rp = {};
    rp.cfg = cfg;
    rp.subnet = &cfg->subnets[0];
    rp.req = &req;
    rp.msg_type = DHCPACK;
    rp.yiaddr = 0xc000020a;
    rp.server_id = 0xc0000201;
    rp.send_lease_time = false;
    rp.lease_time = 0xffffffffu;
    rp.bootp = true;
    ASSERT_EQ(0, reply_build(&out, &rp));
    ASSERT_EQ(PKT4_OK, pkt4_parse(&parsed, out.buf, out.len));
    EXPECT_EQ(BOOTREPLY, parsed.op);
    EXPECT_EQ(0, parsed.msg_type);
    for (uint8_t code : {50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 61})
        EXPECT_FALSE(pkt4_has(&parsed, code)) << "option " << (int)code;
    EXPECT_EQ((std::vector<uint8_t>{255, 255, 255, 0}), opt(OPT_SUBNET_MASK));
    EXPECT_EQ((std::vector<uint8_t>{192, 0, 2, 1}), opt(OPT_ROUTERS));
    EXPECT_EQ(0xc0000209u, parsed.siaddr);
    EXPECT_STREQ("subnet.bin", (const char *)parsed.file);
    EXPECT_EQ(0xc000020au, parsed.yiaddr);
    EXPECT_GE(out.len, (size_t)PKT4_BOOTP_MIN_LEN);
}

TEST(Pkt4Out, DropUnstagesEveryInstanceOfACode)
{
    struct pkt4_out o;
    pkt4_out_init(&o, BOOTREPLY);
    uint8_t a = 1, b[2] = {2, 3}, c = 4;
    pkt4_out_put(&o, OPT_MESSAGE_TYPE, &a, 1);
    pkt4_out_put(&o, OPT_ROUTERS, b, 2);
    pkt4_out_put(&o, OPT_MESSAGE_TYPE, &c, 1);
    EXPECT_EQ(2, pkt4_out_drop(&o, OPT_MESSAGE_TYPE));
    EXPECT_EQ(0, pkt4_out_drop(&o, OPT_MESSAGE_TYPE));
    EXPECT_FALSE(pkt4_out_has(&o, OPT_MESSAGE_TYPE));
    ASSERT_EQ(1, o.n_opts);
    EXPECT_EQ(OPT_ROUTERS, o.opt_code[0]);
    ASSERT_GE(pkt4_out_finish(&o, 576), 0);
    struct pkt4 p;
    ASSERT_EQ(PKT4_OK, pkt4_parse(&p, o.buf, o.len));
    EXPECT_FALSE(pkt4_has(&p, OPT_MESSAGE_TYPE));
    size_t len;
    const uint8_t *v = pkt4_opt(&p, OPT_ROUTERS, &len);
    ASSERT_NE(nullptr, v);
    EXPECT_EQ(2u, len);
}
