// Unit tests for dora-perf's request templates (bench/dora-perf/tmpl.c):
// every packet dora-perf sends is read back with the wire codec's parser
// and must say what RFC 2131 §4.4.1 (table 5) asks of that message.

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <vector>

extern "C" {
#include "bench/dora-perf/opts.h"
#include "bench/dora-perf/tmpl.h"
#include "wire/pkt4.h"
}

namespace {

const uint8_t MAC[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};

perf_opts relayed_opts()
{
    perf_opts o;
    perf_opts_defaults(&o);
    o.mode = PERF_MODE_RELAY;
    o.server_addr = 0xc0000201;
    return o;
}

// Build kind from o, write one packet with f, parse it.
std::unique_ptr<pkt4> roundtrip(const perf_opts &o, perf_tmpl_kind kind, const perf_tmpl_fill &f)
{
    auto t = std::make_unique<perf_tmpl>();
    char err[256];
    EXPECT_EQ(0, perf_tmpl_build(t.get(), kind, &o, err, sizeof(err))) << err;
    std::vector<uint8_t> buf(PERF_TMPL_MAX);
    size_t len = perf_tmpl_write(t.get(), buf.data(), buf.size(), &f);
    EXPECT_GE(len, (size_t)PKT4_BOOTP_MIN_LEN);
    auto p = std::make_unique<pkt4>();
    EXPECT_EQ(PKT4_OK, pkt4_parse(p.get(), buf.data(), len));
    return p;
}

uint32_t opt32(const pkt4 &p, uint8_t code)
{
    size_t len = 0;
    const uint8_t *v = pkt4_opt(&p, code, &len);
    if (!v || len != 4)
        return 0xdeadbeef;
    return (uint32_t)v[0] << 24 | (uint32_t)v[1] << 16 | (uint32_t)v[2] << 8 | v[3];
}

void expect_client_id(const pkt4 &p, const uint8_t mac[6])
{
    size_t len = 0;
    const uint8_t *v = pkt4_opt(&p, OPT_CLIENT_ID, &len);
    ASSERT_NE(nullptr, v);
    ASSERT_EQ(7u, len);
    EXPECT_EQ(1, v[0]);                      // hardware type Ethernet
    EXPECT_EQ(0, memcmp(mac, v + 1, 6));
}

TEST(PerfTmpl, DiscoverFromARelay)
{
    perf_tmpl_fill f = {};
    f.xid = 0x01020304;
    f.mac = MAC;
    f.giaddr = 0xc6336401;
    auto p = roundtrip(relayed_opts(), PT_DISCOVER, f);
    EXPECT_EQ(BOOTREQUEST, p->op);
    EXPECT_EQ(1, p->htype);
    EXPECT_EQ(6, p->hlen);
    EXPECT_EQ(1, p->hops);                   // relayed once: by us
    EXPECT_EQ(0x01020304u, p->xid);
    EXPECT_EQ(0xc6336401u, p->giaddr);
    EXPECT_EQ(0u, p->ciaddr);
    EXPECT_EQ(0, p->flags);
    EXPECT_EQ(0, memcmp(MAC, p->chaddr, 6));
    EXPECT_EQ(DHCPDISCOVER, p->msg_type);
    expect_client_id(*p, MAC);
    EXPECT_TRUE(pkt4_has(p.get(), OPT_PARAM_REQUEST_LIST));
    EXPECT_FALSE(pkt4_has(p.get(), OPT_REQUESTED_ADDRESS));
    EXPECT_FALSE(pkt4_has(p.get(), OPT_SERVER_ID));
}

TEST(PerfTmpl, SelectingRequestNamesAddressAndServer)
{
    perf_tmpl_fill f = {};
    f.xid = 0xfeedf00d;
    f.mac = MAC;
    f.reqip = 0xc0000264;
    f.srvid = 0xc0000201;
    auto p = roundtrip(relayed_opts(), PT_REQUEST, f);
    EXPECT_EQ(DHCPREQUEST, p->msg_type);
    EXPECT_EQ(0xfeedf00du, p->xid);
    EXPECT_EQ(0u, p->ciaddr);                // RFC 2131 4.3.2: SELECTING, ciaddr zero
    EXPECT_EQ(0xc0000264u, opt32(*p, OPT_REQUESTED_ADDRESS));
    EXPECT_EQ(0xc0000201u, opt32(*p, OPT_SERVER_ID));
    expect_client_id(*p, MAC);
}

TEST(PerfTmpl, RenewingRequestCarriesCiaddrOnly)
{
    perf_tmpl_fill f = {};
    f.xid = 7;
    f.mac = MAC;
    f.ciaddr = 0xc0000265;
    f.srvid = 0xc0000201;                     // must not appear
    auto p = roundtrip(relayed_opts(), PT_RENEW, f);
    EXPECT_EQ(DHCPREQUEST, p->msg_type);
    EXPECT_EQ(0xc0000265u, p->ciaddr);
    EXPECT_FALSE(pkt4_has(p.get(), OPT_REQUESTED_ADDRESS));
    EXPECT_FALSE(pkt4_has(p.get(), OPT_SERVER_ID));
}

TEST(PerfTmpl, ReleaseNamesTheServerAndNothingElse)
{
    perf_opts o = relayed_opts();
    o.extra[0].code = 60;
    o.extra[0].len = 3;
    memcpy(o.extra[0].data, "abc", 3);
    o.n_extra = 1;
    perf_tmpl_fill f = {};
    f.xid = 9;
    f.mac = MAC;
    f.ciaddr = 0xc0000266;
    f.srvid = 0xc0000201;
    auto p = roundtrip(o, PT_RELEASE, f);
    EXPECT_EQ(DHCPRELEASE, p->msg_type);
    EXPECT_EQ(0xc0000266u, p->ciaddr);
    EXPECT_EQ(0xc0000201u, opt32(*p, OPT_SERVER_ID));
    EXPECT_FALSE(pkt4_has(p.get(), OPT_REQUESTED_ADDRESS));
    EXPECT_FALSE(pkt4_has(p.get(), OPT_PARAM_REQUEST_LIST));
    EXPECT_FALSE(pkt4_has(p.get(), 60));    // table 5: other options MUST NOT
}

TEST(PerfTmpl, BroadcastModeAndFlag)
{
    perf_opts o = relayed_opts();
    o.mode = PERF_MODE_BROADCAST;
    o.broadcast_flag = true;
    perf_tmpl_fill f = {};
    f.mac = MAC;
    auto p = roundtrip(o, PT_DISCOVER, f);
    EXPECT_EQ(0, p->hops);
    EXPECT_EQ(PKT4_FLAG_BROADCAST, p->flags);
    EXPECT_EQ(0u, p->giaddr);
}

TEST(PerfTmpl, ExtraOptionsAreAddedAndReplaceGeneratedOnes)
{
    perf_opts o = relayed_opts();
    o.extra[0] = {60, 6, {}};
    memcpy(o.extra[0].data, "docsis", 6);
    o.extra[1] = {61, 4, {0xff, 1, 2, 3}};   // the user's own client identifier
    o.n_extra = 2;
    perf_tmpl_fill f = {};
    f.mac = MAC;
    f.reqip = 1;
    f.srvid = 2;
    auto p = roundtrip(o, PT_REQUEST, f);
    size_t len = 0;
    const uint8_t *v = pkt4_opt(p.get(), 60, &len);
    ASSERT_NE(nullptr, v);
    EXPECT_EQ(std::string("docsis"), std::string((const char *)v, len));
    v = pkt4_opt(p.get(), OPT_CLIENT_ID, &len);
    ASSERT_NE(nullptr, v);
    ASSERT_EQ(4u, len);                      // not patched with the MAC
    EXPECT_EQ(0xff, v[0]);
    EXPECT_EQ(3, v[3]);
    EXPECT_EQ(1u, opt32(*p, OPT_REQUESTED_ADDRESS));
}

TEST(PerfTmpl, OptionsThatDoNotFitAreAnError)
{
    perf_opts o = relayed_opts();
    for (int i = 0; i < 8; i++) {
        o.extra[i].code = (uint8_t)(200 + i);
        o.extra[i].len = 255;
        memset(o.extra[i].data, 0xab, 255);
    }
    o.n_extra = 8;                            // ~2 KiB of options
    auto t = std::make_unique<perf_tmpl>();
    char err[256] = "";
    EXPECT_EQ(-1, perf_tmpl_build(t.get(), PT_DISCOVER, &o, err, sizeof(err)));
    EXPECT_NE(std::string::npos, std::string(err).find("-o")) << err;
}

TEST(PerfTmpl, WriteRefusesASmallBuffer)
{
    auto t = std::make_unique<perf_tmpl>();
    perf_opts o = relayed_opts();
    char err[256];
    ASSERT_EQ(0, perf_tmpl_build(t.get(), PT_DISCOVER, &o, err, sizeof(err)));
    perf_tmpl_fill f = {};
    f.mac = MAC;
    uint8_t small[100];
    EXPECT_EQ(0u, perf_tmpl_write(t.get(), small, sizeof(small), &f));
}

}  // namespace
