// Unit tests for the DHCPv4 wire codec (wire/pkt4.h): parsing of
// hand-written packets, each rejection reason, and build -> parse round
// trips including RFC 3396 long options and option overload.

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "wire/pkt4.h"

namespace {

using Bytes = std::vector<uint8_t>;

// The structs are large (tens of KiB): keep them off the test's stack.
std::unique_ptr<pkt4> new_pkt() { return std::make_unique<pkt4>(); }
std::unique_ptr<pkt4_out> new_out() { return std::make_unique<pkt4_out>(); }

// A BOOTP header written out byte by byte (RFC 2131 §2, figure 1), up to and
// including the magic cookie. sname and file are given as raw 64/128-byte
// fields (zero-filled when shorter).
Bytes header(uint8_t op, const Bytes &sname = {}, const Bytes &file = {})
{
    Bytes b = {
        op,   0x01, 0x06, 0x00,             // op, htype=ethernet, hlen=6, hops
        0x39, 0x03, 0xF3, 0x26,             // xid
        0x00, 0x05, 0x80, 0x00,             // secs=5, flags=broadcast
        0x00, 0x00, 0x00, 0x00,             // ciaddr
        0x00, 0x00, 0x00, 0x00,             // yiaddr
        0x00, 0x00, 0x00, 0x00,             // siaddr
        0x00, 0x00, 0x00, 0x00,             // giaddr
        0x00, 0x0c, 0x29, 0x3e, 0x5c, 0x11, // chaddr (6 bytes used)
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0,       // chaddr padding
    };
    Bytes s = sname, f = file;
    s.resize(64, 0);
    f.resize(128, 0);
    b.insert(b.end(), s.begin(), s.end());
    b.insert(b.end(), f.begin(), f.end());
    Bytes cookie = {0x63, 0x82, 0x53, 0x63};
    b.insert(b.end(), cookie.begin(), cookie.end());
    return b;
}

Bytes packet(const Bytes &options, uint8_t op = BOOTREQUEST,
             const Bytes &sname = {}, const Bytes &file = {})
{
    Bytes b = header(op, sname, file);
    b.insert(b.end(), options.begin(), options.end());
    return b;
}

int parse(pkt4 *p, const Bytes &b) { return pkt4_parse(p, b.data(), b.size()); }

Bytes opt_value(const pkt4 *p, uint8_t code)
{
    size_t len = 0;
    const uint8_t *v = pkt4_opt(p, code, &len);
    if (v == nullptr)
        return {};
    return Bytes(v, v + len);
}

Bytes str_bytes(const std::string &s) { return Bytes(s.begin(), s.end()); }

// ---- Parsing hand-written packets ---------------------------------------

TEST(Pkt4Parse, RealLookingDiscover)
{
    Bytes opts = {
        53, 1, 1,                                    // DHCPDISCOVER
        61, 7, 0x01, 0x00, 0x0c, 0x29, 0x3e, 0x5c, 0x11, // client-id
        57, 2, 0x05, 0xdc,                           // max message size 1500
        55, 4, 1, 3, 6, 15,                          // PRL
        12, 4, 'h', 'o', 's', 't',                   // host-name
        60, 8, 'M', 'S', 'F', 'T', ' ', '5', '.', '0', // vendor class
        255,
        0, 0, 0,                                     // trailing pad
    };
    Bytes b = packet(opts);
    auto p = new_pkt();
    ASSERT_EQ(PKT4_OK, parse(p.get(), b));

    EXPECT_EQ(BOOTREQUEST, p->op);
    EXPECT_EQ(1, p->htype);
    EXPECT_EQ(6, p->hlen);
    EXPECT_EQ(0, p->hops);
    EXPECT_EQ(0x3903F326u, p->xid);
    EXPECT_EQ(5, p->secs);
    EXPECT_EQ(PKT4_FLAG_BROADCAST, p->flags);
    EXPECT_EQ(0u, p->ciaddr);
    EXPECT_EQ(0u, p->yiaddr);
    EXPECT_EQ(0u, p->siaddr);
    EXPECT_EQ(0u, p->giaddr);
    const uint8_t mac[6] = {0x00, 0x0c, 0x29, 0x3e, 0x5c, 0x11};
    EXPECT_EQ(0, memcmp(p->chaddr, mac, 6));
    for (int i = 6; i < 16; i++)
        EXPECT_EQ(0, p->chaddr[i]);
    EXPECT_EQ(0, p->sname[0]);
    EXPECT_EQ(0, p->file[0]);
    EXPECT_EQ(0, p->overload);
    EXPECT_EQ(DHCPDISCOVER, p->msg_type);
    EXPECT_EQ(b.size(), p->wire_len);

    ASSERT_EQ(6, p->n_codes);
    const uint8_t order[] = {53, 61, 57, 55, 12, 60};
    for (int i = 0; i < 6; i++)
        EXPECT_EQ(order[i], p->codes[i]) << "position " << i;

    EXPECT_EQ((Bytes{0x01, 0x00, 0x0c, 0x29, 0x3e, 0x5c, 0x11}), opt_value(p.get(), 61));
    EXPECT_EQ((Bytes{0x05, 0xdc}), opt_value(p.get(), 57));
    EXPECT_EQ((Bytes{1, 3, 6, 15}), opt_value(p.get(), 55));
    EXPECT_EQ(str_bytes("host"), opt_value(p.get(), 12));
    EXPECT_EQ(str_bytes("MSFT 5.0"), opt_value(p.get(), 60));

    EXPECT_TRUE(pkt4_has(p.get(), 53));
    EXPECT_FALSE(pkt4_has(p.get(), 50));
    EXPECT_FALSE(pkt4_has(p.get(), 0));
    EXPECT_FALSE(pkt4_has(p.get(), 255));
    size_t len = 99;
    EXPECT_EQ(nullptr, pkt4_opt(p.get(), 50, &len));
    EXPECT_EQ(0u, len);
}

TEST(Pkt4Parse, ReplyWithAddressesAndZeroLengthOption)
{
    Bytes b = header(BOOTREPLY);
    // ciaddr..giaddr: 192.0.2.1, 192.0.2.10, 198.51.100.1, 198.51.100.254
    const uint8_t addrs[16] = {192, 0, 2, 1, 192, 0, 2, 10, 198, 51, 100, 1, 198, 51, 100, 254};
    memcpy(b.data() + 12, addrs, 16);
    Bytes opts = {53, 1, 5, 54, 4, 192, 0, 2, 1, 80, 0, 255};
    b.insert(b.end(), opts.begin(), opts.end());
    auto p = new_pkt();
    ASSERT_EQ(PKT4_OK, parse(p.get(), b));
    EXPECT_EQ(BOOTREPLY, p->op);
    EXPECT_EQ(0xC0000201u, p->ciaddr);
    EXPECT_EQ(0xC000020Au, p->yiaddr);
    EXPECT_EQ(0xC6336401u, p->siaddr);
    EXPECT_EQ(0xC63364FEu, p->giaddr);
    EXPECT_EQ(DHCPACK, p->msg_type);
    // A present zero-length option is distinguishable from an absent one.
    size_t len = 99;
    EXPECT_NE(nullptr, pkt4_opt(p.get(), 80, &len));
    EXPECT_EQ(0u, len);
    EXPECT_TRUE(pkt4_has(p.get(), 80));
}

TEST(Pkt4Parse, BootpWithoutOptionsOrMessageType)
{
    auto p = new_pkt();
    ASSERT_EQ(PKT4_OK, parse(p.get(), packet({255})));
    EXPECT_EQ(0, p->msg_type);
    EXPECT_EQ(0, p->n_codes);
}

TEST(Pkt4Parse, TruncatedHeader)
{
    Bytes b = packet({53, 1, 1, 255});
    auto p = new_pkt();
    EXPECT_EQ(PKT4_E_TRUNCATED, pkt4_parse(p.get(), b.data(), 239));
    EXPECT_EQ(PKT4_E_TRUNCATED, pkt4_parse(p.get(), b.data(), 100));
    EXPECT_EQ(PKT4_E_TRUNCATED, pkt4_parse(p.get(), b.data(), 0));
    // Exactly header + cookie but no options: the end option is missing.
    EXPECT_EQ(PKT4_E_NO_END, pkt4_parse(p.get(), b.data(), 240));
}

TEST(Pkt4Parse, TooLong)
{
    Bytes b = packet({53, 1, 1, 255});
    b.resize(PKT4_MAX_LEN + 1, 0);
    auto p = new_pkt();
    EXPECT_EQ(PKT4_E_TOO_LONG, parse(p.get(), b));
    b.resize(PKT4_MAX_LEN);
    EXPECT_EQ(PKT4_OK, parse(p.get(), b));  // trailing zeros after END are padding
}

TEST(Pkt4Parse, OptionLengthPastEnd)
{
    auto p = new_pkt();
    // host-name claims 10 bytes, 2 remain.
    EXPECT_EQ(PKT4_E_OPT_OVERRUN, parse(p.get(), packet({53, 1, 1, 12, 10, 'a', 'b'})));
    // A code byte with no length byte after it.
    EXPECT_EQ(PKT4_E_OPT_OVERRUN, parse(p.get(), packet({53, 1, 1, 12})));
    // Length runs exactly one byte past.
    EXPECT_EQ(PKT4_E_OPT_OVERRUN, parse(p.get(), packet({53, 1, 1, 12, 2, 'a'})));
}

TEST(Pkt4Parse, OverloadLoopInFile)
{
    // Option 52 says "file holds options", and file itself carries 52 again.
    Bytes file = {52, 1, 2, 12, 1, 'x', 255};
    auto p = new_pkt();
    EXPECT_EQ(PKT4_E_OVERLOAD, parse(p.get(), packet({53, 1, 1, 52, 1, 1, 255}, BOOTREQUEST, {}, file)));
    // And the same inside sname.
    Bytes sname = {52, 1, 1, 255};
    EXPECT_EQ(PKT4_E_OVERLOAD, parse(p.get(), packet({53, 1, 1, 52, 1, 2, 255}, BOOTREQUEST, sname)));
}

TEST(Pkt4Parse, BadOverloadValues)
{
    auto p = new_pkt();
    EXPECT_EQ(PKT4_E_OVERLOAD, parse(p.get(), packet({53, 1, 1, 52, 2, 1, 1, 255})));
    EXPECT_EQ(PKT4_E_OVERLOAD, parse(p.get(), packet({53, 1, 1, 52, 0, 255})));
    EXPECT_EQ(PKT4_E_OVERLOAD, parse(p.get(), packet({53, 1, 1, 52, 1, 0, 255})));
    EXPECT_EQ(PKT4_E_OVERLOAD, parse(p.get(), packet({53, 1, 1, 52, 1, 4, 255})));
    // Two instances merge into two bytes: no longer a valid overload.
    EXPECT_EQ(PKT4_E_OVERLOAD, parse(p.get(), packet({53, 1, 1, 52, 1, 1, 52, 1, 1, 255})));
}

TEST(Pkt4Parse, ZeroLengthClientId)
{
    auto p = new_pkt();
    EXPECT_EQ(PKT4_E_CLIENT_ID, parse(p.get(), packet({53, 1, 1, 61, 0, 255})));
    EXPECT_EQ(PKT4_E_CLIENT_ID, parse(p.get(), packet({53, 1, 1, 61, 1, 0x01, 255})));
    EXPECT_EQ(PKT4_OK, parse(p.get(), packet({53, 1, 1, 61, 2, 0x00, 'a', 255})));
}

TEST(Pkt4Parse, MissingEndOption)
{
    auto p = new_pkt();
    EXPECT_EQ(PKT4_E_NO_END, parse(p.get(), packet({53, 1, 1, 61, 2, 0x00, 'a'})));
    EXPECT_EQ(PKT4_E_NO_END, parse(p.get(), packet({53, 1, 1, 0, 0, 0})));
}

TEST(Pkt4Parse, BadCookie)
{
    Bytes b = packet({53, 1, 1, 255});
    b[239] = 0x64;
    auto p = new_pkt();
    EXPECT_EQ(PKT4_E_COOKIE, parse(p.get(), b));
    b[239] = 0x63;
    b[236] = 0x00;
    EXPECT_EQ(PKT4_E_COOKIE, parse(p.get(), b));
}

TEST(Pkt4Parse, WrongMessageTypeLength)
{
    auto p = new_pkt();
    EXPECT_EQ(PKT4_E_BAD_OPT_LEN, parse(p.get(), packet({53, 2, 1, 1, 255})));
    EXPECT_EQ(PKT4_E_BAD_OPT_LEN, parse(p.get(), packet({53, 0, 255})));
    // Split across two instances it merges to two bytes, still wrong.
    EXPECT_EQ(PKT4_E_BAD_OPT_LEN, parse(p.get(), packet({53, 1, 1, 53, 1, 1, 255})));
}

TEST(Pkt4Parse, FixedLengthOptions)
{
    struct { uint8_t code, good; } fixed[] = {
        {1, 4}, {50, 4}, {51, 4}, {54, 4}, {57, 2}, {58, 4}, {59, 4}, {118, 4},
    };
    auto p = new_pkt();
    for (auto f : fixed) {
        for (uint8_t len : {uint8_t(f.good - 1), f.good, uint8_t(f.good + 1)}) {
            Bytes opts = {53, 1, 3, f.code, len};
            opts.insert(opts.end(), len, 0x42);
            opts.push_back(255);
            int want = len == f.good ? PKT4_OK : PKT4_E_BAD_OPT_LEN;
            EXPECT_EQ(want, parse(p.get(), packet(opts)))
                << "option " << int(f.code) << " length " << int(len);
        }
    }
}

TEST(Pkt4Parse, MessageTypeValueNotValidated)
{
    auto p = new_pkt();
    ASSERT_EQ(PKT4_OK, parse(p.get(), packet({53, 1, 200, 255})));
    EXPECT_EQ(200, p->msg_type);
}

TEST(Pkt4Parse, BadHlenAndOp)
{
    auto p = new_pkt();
    Bytes b = packet({53, 1, 1, 255});
    b[2] = 17;
    EXPECT_EQ(PKT4_E_HLEN, parse(p.get(), b));
    b[2] = 16;
    EXPECT_EQ(PKT4_OK, parse(p.get(), b));
    for (uint8_t op : {0, 3, 255}) {
        Bytes c = packet({53, 1, 1, 255}, op);
        EXPECT_EQ(PKT4_E_BAD_OP, parse(p.get(), c)) << "op " << int(op);
    }
}

TEST(Pkt4Parse, RepeatedOptionsAreConcatenated)
{
    // RFC 3396: instances joined in order; order of first appearance kept.
    Bytes opts = {60, 3, 'a', 'b', 'c', 53, 1, 3, 0, 60, 2, 'd', 'e', 55, 1, 6, 55, 1, 3, 255};
    auto p = new_pkt();
    ASSERT_EQ(PKT4_OK, parse(p.get(), packet(opts)));
    EXPECT_EQ(str_bytes("abcde"), opt_value(p.get(), 60));
    EXPECT_EQ((Bytes{6, 3}), opt_value(p.get(), 55));
    ASSERT_EQ(3, p->n_codes);
    EXPECT_EQ(60, p->codes[0]);
    EXPECT_EQ(53, p->codes[1]);
    EXPECT_EQ(55, p->codes[2]);
}

TEST(Pkt4Parse, OverloadFileThenSname)
{
    // Options field, then file, then sname (RFC 3396 §7 order). sname has no
    // end option: its last option runs exactly to the end of the field.
    Bytes file = {12, 3, 'f', 'o', 'o', 60, 2, 'x', 'y', 255};
    Bytes sname = {60, 1, 'z', 15, 59};
    sname.insert(sname.end(), 59, 'd');
    ASSERT_EQ(64u, sname.size());
    Bytes opts = {53, 1, 1, 60, 1, 'w', 52, 1, 3, 255};
    auto p = new_pkt();
    ASSERT_EQ(PKT4_OK, parse(p.get(), packet(opts, BOOTREQUEST, sname, file)));
    EXPECT_EQ(OVERLOAD_BOTH, p->overload);
    EXPECT_EQ(str_bytes("wxyz"), opt_value(p.get(), 60));
    EXPECT_EQ(str_bytes("foo"), opt_value(p.get(), 12));
    EXPECT_EQ(Bytes(59, 'd'), opt_value(p.get(), 15));
    const uint8_t order[] = {53, 60, 52, 12, 15};
    ASSERT_EQ(5, p->n_codes);
    for (int i = 0; i < 5; i++)
        EXPECT_EQ(order[i], p->codes[i]);
}

TEST(Pkt4Parse, OverloadFileOnlyLeavesSnameAlone)
{
    // With overload=1 the sname field is text and must not be parsed even
    // if its bytes would be a broken option.
    Bytes sname = {12, 200, 'x'};
    Bytes file = {66, 3, 't', 'f', 't', 255};
    auto p = new_pkt();
    ASSERT_EQ(PKT4_OK, parse(p.get(), packet({53, 1, 1, 52, 1, 1, 255}, BOOTREQUEST, sname, file)));
    EXPECT_EQ(OVERLOAD_FILE, p->overload);
    EXPECT_EQ(str_bytes("tft"), opt_value(p.get(), 66));
    EXPECT_FALSE(pkt4_has(p.get(), 12));
    EXPECT_EQ(12, p->sname[0]);
}

TEST(Pkt4Parse, OverrunInsideFile)
{
    Bytes file(128, 0);
    file[126] = 12;   // host-name at the last two bytes, claiming 5
    file[127] = 5;
    auto p = new_pkt();
    EXPECT_EQ(PKT4_E_OPT_OVERRUN, parse(p.get(), packet({53, 1, 1, 52, 1, 1, 255}, BOOTREQUEST, {}, file)));
}

TEST(Pkt4Parse, EveryTruncationOfAValidPacketIsRejected)
{
    Bytes opts = {53, 1, 3, 61, 7, 1, 0, 0x0c, 0x29, 0x3e, 0x5c, 0x11,
                  50, 4, 192, 0, 2, 10, 54, 4, 192, 0, 2, 1, 255};
    Bytes b = packet(opts);
    auto p = new_pkt();
    ASSERT_EQ(PKT4_OK, parse(p.get(), b));
    for (size_t n = 0; n < b.size(); n++)
        EXPECT_NE(PKT4_OK, pkt4_parse(p.get(), b.data(), n)) << "length " << n;
}

TEST(Pkt4Parse, StructIsReusable)
{
    auto p = new_pkt();
    ASSERT_EQ(PKT4_OK, parse(p.get(), packet({53, 1, 1, 12, 1, 'a', 60, 1, 'b', 255})));
    ASSERT_EQ(PKT4_OK, parse(p.get(), packet({53, 1, 3, 255})));
    EXPECT_EQ(1, p->n_codes);
    EXPECT_FALSE(pkt4_has(p.get(), 12));
    EXPECT_FALSE(pkt4_has(p.get(), 60));
    EXPECT_EQ(DHCPREQUEST, p->msg_type);
}

TEST(Pkt4Parse, StrErrorNamesEveryError)
{
    std::map<std::string, int> seen;
    for (int e = PKT4_OK; e >= PKT4_E_BAD_OP; e--) {
        std::string s = pkt4_strerror(e);
        EXPECT_NE("unknown", s) << e;
        EXPECT_EQ(std::string::npos, s.find(' ')) << "short token expected: " << s;
        seen[s]++;
    }
    EXPECT_EQ(11u, seen.size());  // all distinct
    EXPECT_STREQ("unknown", pkt4_strerror(-999));
    EXPECT_STREQ("unknown", pkt4_strerror(5));
}

TEST(Pkt4Parse, TlvFind)
{
    const uint8_t sub[] = {1, 3, 'e', 't', '0', 0, 2, 2, 0xab, 0xcd, 1, 1, 'x'};
    size_t len = 0;
    const uint8_t *v = tlv_find(sub, sizeof(sub), 1, &len);
    ASSERT_NE(nullptr, v);
    EXPECT_EQ(3u, len);
    EXPECT_EQ(0, memcmp(v, "et0", 3));  // first instance
    v = tlv_find(sub, sizeof(sub), 2, &len);
    ASSERT_NE(nullptr, v);
    EXPECT_EQ((Bytes{0xab, 0xcd}), Bytes(v, v + len));
    EXPECT_EQ(nullptr, tlv_find(sub, sizeof(sub), 5, &len));
    EXPECT_EQ(0u, len);
    // Malformed anywhere: nothing is trusted, even a well-formed first entry.
    const uint8_t bad[] = {1, 1, 'a', 2, 9, 'b'};
    EXPECT_EQ(nullptr, tlv_find(bad, sizeof(bad), 1, &len));
    const uint8_t lone_code[] = {1, 1, 'a', 2};
    EXPECT_EQ(nullptr, tlv_find(lone_code, sizeof(lone_code), 1, &len));
    // Bytes after END are not looked at.
    const uint8_t ended[] = {1, 1, 'a', 255, 2, 9};
    EXPECT_NE(nullptr, tlv_find(ended, sizeof(ended), 1, &len));
    EXPECT_EQ(nullptr, tlv_find(ended, sizeof(ended), 2, &len));
    EXPECT_EQ(nullptr, tlv_find(nullptr, 0, 1, &len));
}

TEST(Pkt4Parse, RelayAgentSubOptions)
{
    Bytes opts = {53, 1, 1,
                  82, 17, 1, 4, 'p', 'o', 'r', 't', 2, 3, 'r', 'i', 'd', 5, 4, 192, 0, 2, 0,
                  255};
    auto p = new_pkt();
    ASSERT_EQ(PKT4_OK, parse(p.get(), packet(opts)));
    size_t len;
    const uint8_t *v = pkt4_rai_sub(p.get(), RAI_CIRCUIT_ID, &len);
    ASSERT_NE(nullptr, v);
    EXPECT_EQ(str_bytes("port"), Bytes(v, v + len));
    v = pkt4_rai_sub(p.get(), RAI_REMOTE_ID, &len);
    ASSERT_NE(nullptr, v);
    EXPECT_EQ(str_bytes("rid"), Bytes(v, v + len));
    v = pkt4_rai_sub(p.get(), RAI_LINK_SELECTION, &len);
    ASSERT_NE(nullptr, v);
    EXPECT_EQ((Bytes{192, 0, 2, 0}), Bytes(v, v + len));
    EXPECT_EQ(nullptr, pkt4_rai_sub(p.get(), RAI_SUBSCRIBER_ID, &len));

    ASSERT_EQ(PKT4_OK, parse(p.get(), packet({53, 1, 1, 255})));
    EXPECT_EQ(nullptr, pkt4_rai_sub(p.get(), RAI_CIRCUIT_ID, &len));
    EXPECT_EQ(0u, len);
}

// ---- Building -----------------------------------------------------------

// Expected merged value per code from a list of staged (code, value) pairs.
std::map<uint8_t, Bytes> merged(const std::vector<std::pair<uint8_t, Bytes>> &staged)
{
    std::map<uint8_t, Bytes> m;
    for (auto &s : staged)
        m[s.first].insert(m[s.first].end(), s.second.begin(), s.second.end());
    return m;
}

void stage_all(pkt4_out *o, const std::vector<std::pair<uint8_t, Bytes>> &staged)
{
    for (auto &s : staged)
        ASSERT_EQ(0, pkt4_out_put(o, s.first, s.second.data(), s.second.size()));
}

TEST(Pkt4Build, HeaderIsNetworkOrder)
{
    auto o = new_out();
    pkt4_out_init(o.get(), BOOTREPLY);
    o->htype = 1;
    o->hlen = 6;
    o->hops = 2;
    o->xid = 0x01020304;
    o->secs = 0x0506;
    o->flags = PKT4_FLAG_BROADCAST;
    o->ciaddr = 0xC0000201;   // 192.0.2.1
    o->yiaddr = 0xC000020A;
    o->siaddr = 0xC6336401;
    o->giaddr = 0xC63364FE;
    const uint8_t mac[6] = {0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};
    memcpy(o->chaddr, mac, 6);
    strcpy(o->sname, "srv");
    strcpy(o->file, "pxelinux.0");
    ASSERT_EQ(0, pkt4_out_finish(o.get(), 0));

    const uint8_t want[] = {2, 1, 6, 2, 1, 2, 3, 4, 5, 6, 0x80, 0,
                            192, 0, 2, 1, 192, 0, 2, 10, 198, 51, 100, 1, 198, 51, 100, 254,
                            0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};
    ASSERT_GE(o->len, sizeof(want));
    EXPECT_EQ(0, memcmp(o->buf, want, sizeof(want)));
    EXPECT_EQ(0, memcmp(o->buf + 44, "srv\0", 4));
    EXPECT_EQ(0, memcmp(o->buf + 108, "pxelinux.0\0", 11));
    const uint8_t cookie[] = {0x63, 0x82, 0x53, 0x63};
    EXPECT_EQ(0, memcmp(o->buf + 236, cookie, 4));
    EXPECT_EQ(255, o->buf[240]);  // nothing staged: END right away
}

TEST(Pkt4Build, PadsToBootpMinimum)
{
    auto o = new_out();
    pkt4_out_init(o.get(), BOOTREPLY);
    const uint8_t t = DHCPOFFER;
    ASSERT_EQ(0, pkt4_out_put(o.get(), 53, &t, 1));
    ASSERT_EQ(0, pkt4_out_finish(o.get(), 576));
    EXPECT_EQ(size_t(PKT4_BOOTP_MIN_LEN), o->len);
    EXPECT_EQ(53, o->buf[240]);
    EXPECT_EQ(1, o->buf[241]);
    EXPECT_EQ(DHCPOFFER, o->buf[242]);
    EXPECT_EQ(255, o->buf[243]);
    for (size_t i = 244; i < o->len; i++)
        ASSERT_EQ(0, o->buf[i]) << "offset " << i;
}

TEST(Pkt4Build, ReplyCopiesRequestFields)
{
    Bytes req = header(BOOTREQUEST);
    req[3] = 1;                                   // hops
    const uint8_t giaddr[4] = {198, 51, 100, 1};
    memcpy(req.data() + 24, giaddr, 4);
    Bytes opts = {53, 1, 1, 61, 3, 0, 'i', 'd', 255};
    req.insert(req.end(), opts.begin(), opts.end());
    auto p = new_pkt();
    ASSERT_EQ(PKT4_OK, parse(p.get(), req));

    auto o = new_out();
    pkt4_out_reply(o.get(), p.get(), DHCPOFFER);
    EXPECT_EQ(BOOTREPLY, o->op);
    EXPECT_TRUE(pkt4_out_has(o.get(), 53));
    EXPECT_FALSE(pkt4_out_has(o.get(), 54));
    ASSERT_EQ(0, pkt4_out_finish(o.get(), 0));

    auto r = new_pkt();
    ASSERT_EQ(PKT4_OK, pkt4_parse(r.get(), o->buf, o->len));
    EXPECT_EQ(BOOTREPLY, r->op);
    EXPECT_EQ(DHCPOFFER, r->msg_type);
    EXPECT_EQ(53, r->codes[0]);                   // staged first
    EXPECT_EQ(p->xid, r->xid);
    EXPECT_EQ(p->htype, r->htype);
    EXPECT_EQ(p->hlen, r->hlen);
    EXPECT_EQ(1, r->hops);
    EXPECT_EQ(PKT4_FLAG_BROADCAST, r->flags);
    EXPECT_EQ(0xC6336401u, r->giaddr);
    EXPECT_EQ(0, memcmp(p->chaddr, r->chaddr, 16));
    EXPECT_EQ(0u, r->yiaddr);
    EXPECT_EQ(0, r->secs);
}

TEST(Pkt4Build, PutRejectsPadEndAndOverflow)
{
    auto o = new_out();
    pkt4_out_init(o.get(), BOOTREPLY);
    uint8_t x = 0;
    EXPECT_EQ(-1, pkt4_out_put(o.get(), OPT_PAD, &x, 1));
    EXPECT_EQ(-1, pkt4_out_put(o.get(), OPT_END, &x, 1));
    EXPECT_EQ(-1, pkt4_out_put(o.get(), 12, nullptr, 3));
    EXPECT_EQ(0, pkt4_out_put(o.get(), 80, nullptr, 0));  // empty option is fine
    Bytes big(sizeof(o->stage) + 1, 0x11);
    EXPECT_EQ(-1, pkt4_out_put(o.get(), 43, big.data(), big.size()));
    EXPECT_EQ(0, pkt4_out_put(o.get(), 43, big.data(), big.size() - 11));
    EXPECT_EQ(-1, pkt4_out_put(o.get(), 43, big.data(), 11));
    EXPECT_EQ(0, pkt4_out_put(o.get(), 43, big.data(), 10));

    pkt4_out_init(o.get(), BOOTREPLY);
    for (int i = 0; i < PKT4_OUT_MAX_OPTS; i++)
        ASSERT_EQ(0, pkt4_out_put(o.get(), 224, &x, 1));
    EXPECT_EQ(-1, pkt4_out_put(o.get(), 224, &x, 1));
}

TEST(Pkt4Build, RoundTripRandomOptionSets)
{
    // Codes the parser checks for a fixed length or treats specially are
    // staged with valid values only.
    std::mt19937 rng(20240229);
    for (int round = 0; round < 300; round++) {
        std::vector<std::pair<uint8_t, Bytes>> staged;
        staged.push_back({53, {uint8_t(1 + rng() % 8)}});
        size_t n = rng() % 20;
        for (size_t i = 0; i < n; i++) {
            uint8_t code;
            do {
                code = uint8_t(rng());
            } while (code == 0 || code == 255 || code == 52 || code == 53 || code == 1 ||
                     code == 50 || code == 51 || code == 54 || code == 57 || code == 58 ||
                     code == 59 || code == 118 || code == 61);
            Bytes v(rng() % 40);
            for (auto &c : v)
                c = uint8_t(rng());
            staged.push_back({code, v});
        }
        if (rng() % 2)
            staged.push_back({61, {1, 2, 3, 4, 5, 6, 7}});
        auto o = new_out();
        pkt4_out_init(o.get(), BOOTREPLY);
        o->xid = uint32_t(rng());
        stage_all(o.get(), staged);
        ASSERT_EQ(0, pkt4_out_finish(o.get(), 1500));
        ASSERT_LE(o->len, 1500u);

        auto p = new_pkt();
        ASSERT_EQ(PKT4_OK, pkt4_parse(p.get(), o->buf, o->len)) << "round " << round;
        auto want = merged(staged);
        EXPECT_EQ(want.size(), size_t(p->n_codes));
        for (auto &w : want)
            EXPECT_EQ(w.second, opt_value(p.get(), w.first)) << "code " << int(w.first);
        EXPECT_EQ(o->xid, p->xid);
        EXPECT_EQ(0, p->overload);
    }
}

TEST(Pkt4Build, LongOptionIsSplitAndRejoined)
{
    Bytes big(600);
    for (size_t i = 0; i < big.size(); i++)
        big[i] = uint8_t(i * 7);
    auto o = new_out();
    pkt4_out_init(o.get(), BOOTREPLY);
    const uint8_t t = DHCPACK;
    ASSERT_EQ(0, pkt4_out_put(o.get(), 53, &t, 1));
    ASSERT_EQ(0, pkt4_out_put(o.get(), 43, big.data(), big.size()));
    ASSERT_EQ(0, pkt4_out_finish(o.get(), 1500));

    // On the wire: 43/255, 43/255, 43/90 back to back after option 53.
    size_t pos = 243;
    size_t lens[] = {255, 255, 90};
    for (size_t l : lens) {
        ASSERT_EQ(43, o->buf[pos]);
        ASSERT_EQ(l, o->buf[pos + 1]);
        pos += 2 + l;
    }
    EXPECT_EQ(255, o->buf[pos]);

    auto p = new_pkt();
    ASSERT_EQ(PKT4_OK, pkt4_parse(p.get(), o->buf, o->len));
    EXPECT_EQ(big, opt_value(p.get(), 43));
}

TEST(Pkt4Build, ExactMultipleOf255)
{
    Bytes v(510, 0x5a);
    auto o = new_out();
    pkt4_out_init(o.get(), BOOTREPLY);
    ASSERT_EQ(0, pkt4_out_put(o.get(), 125, v.data(), v.size()));
    ASSERT_EQ(0, pkt4_out_finish(o.get(), 1500));
    EXPECT_EQ(255, o->buf[240 + 2 + 255 + 1]);
    EXPECT_EQ(255, o->buf[240 + 2 * (2 + 255)]);  // END, no empty third instance
    auto p = new_pkt();
    ASSERT_EQ(PKT4_OK, pkt4_parse(p.get(), o->buf, o->len));
    EXPECT_EQ(v, opt_value(p.get(), 125));
}

// Enough data that the default 576-byte limit cannot hold it in the options
// field alone, but options field + file + sname can.
std::vector<std::pair<uint8_t, Bytes>> overflowing_set()
{
    std::vector<std::pair<uint8_t, Bytes>> s;
    s.push_back({53, {DHCPACK}});
    s.push_back({54, {192, 0, 2, 1}});
    s.push_back({51, {0, 0, 0x0e, 0x10}});
    for (uint8_t code = 224; code < 232; code++)
        s.push_back({code, Bytes(40, code)});   // 8 x 42 = 336 bytes
    s.push_back({15, str_bytes("example.org")});
    return s;
}

size_t wire_bytes(const std::vector<std::pair<uint8_t, Bytes>> &s)
{
    size_t n = 0;
    for (auto &x : s)
        n += 2 + x.second.size();
    return n;
}

TEST(Pkt4Build, OverloadIntoFileAndSname)
{
    // 39 options of 12 wire bytes plus 53/54/51: more than the options
    // field and file together can hold at 576, less than all three areas.
    auto staged = overflowing_set();
    staged.resize(3);
    for (uint8_t code = 200; code < 239; code++)
        staged.push_back({code, Bytes(10, code)});
    ASSERT_GT(wire_bytes(staged), (576u - 240u) + 128u);
    auto o = new_out();
    pkt4_out_init(o.get(), BOOTREPLY);
    stage_all(o.get(), staged);
    ASSERT_EQ(0, pkt4_out_finish(o.get(), 576));
    EXPECT_LE(o->len, 576u);

    auto p = new_pkt();
    ASSERT_EQ(PKT4_OK, pkt4_parse(p.get(), o->buf, o->len));
    EXPECT_EQ(OVERLOAD_BOTH, p->overload);
    EXPECT_TRUE(pkt4_has(p.get(), 52));
    auto want = merged(staged);
    for (auto &w : want)
        EXPECT_EQ(w.second, opt_value(p.get(), w.first)) << "code " << int(w.first);
    // The fixed fields really carry options now.
    EXPECT_GE(o->buf[108], 200);
    EXPECT_GE(o->buf[44], 200);
}

TEST(Pkt4Build, OverloadUsesSnameWhenFileIsTaken)
{
    auto staged = overflowing_set();
    staged.resize(3 + 7);                       // 53, 54, 51 and seven 42-byte options
    staged.push_back({240, Bytes(20, 1)});
    staged.push_back({241, Bytes(10, 2)});
    ASSERT_GT(wire_bytes(staged), 576u - 240u);
    auto o = new_out();
    pkt4_out_init(o.get(), BOOTREPLY);
    strcpy(o->file, "boot/pxelinux.0");
    stage_all(o.get(), staged);
    ASSERT_EQ(0, pkt4_out_finish(o.get(), 576));
    EXPECT_LE(o->len, 576u);

    auto p = new_pkt();
    ASSERT_EQ(PKT4_OK, pkt4_parse(p.get(), o->buf, o->len));
    EXPECT_EQ(OVERLOAD_SNAME, p->overload);
    EXPECT_STREQ("boot/pxelinux.0", reinterpret_cast<const char *>(p->file));
    auto want = merged(staged);
    for (auto &w : want)
        EXPECT_EQ(w.second, opt_value(p.get(), w.first)) << "code " << int(w.first);
}

TEST(Pkt4Build, DropsLaterOptionsWhenNothingIsFree)
{
    auto staged = overflowing_set();
    auto o = new_out();
    pkt4_out_init(o.get(), BOOTREPLY);
    strcpy(o->file, "f");
    strcpy(o->sname, "s");
    stage_all(o.get(), staged);
    int dropped = pkt4_out_finish(o.get(), 576);
    ASSERT_GT(dropped, 0);
    EXPECT_LE(o->len, 576u);

    auto p = new_pkt();
    ASSERT_EQ(PKT4_OK, pkt4_parse(p.get(), o->buf, o->len));
    EXPECT_EQ(0, p->overload);
    EXPECT_STREQ("f", reinterpret_cast<const char *>(p->file));
    EXPECT_STREQ("s", reinterpret_cast<const char *>(p->sname));
    // Every option that did go out is intact and the number missing is
    // what finish reported.
    int missing = 0;
    for (auto &s : staged) {
        if (pkt4_has(p.get(), s.first)) {
            EXPECT_EQ(s.second, opt_value(p.get(), s.first));
        } else {
            missing++;
        }
    }
    EXPECT_EQ(dropped, missing);
    // Earlier options keep their place: the essentials survive, and among
    // the equal-sized options it is the later ones that are missing.
    EXPECT_TRUE(pkt4_has(p.get(), 53));
    EXPECT_TRUE(pkt4_has(p.get(), 54));
    EXPECT_TRUE(pkt4_has(p.get(), 51));
    bool gone = false;
    for (uint8_t code = 224; code < 232; code++) {
        if (!pkt4_has(p.get(), code)) {
            gone = true;
        } else {
            EXPECT_FALSE(gone) << "code " << int(code) << " kept after an earlier one was dropped";
        }
    }
    EXPECT_TRUE(gone);
    // A small option staged last still goes out where it fits.
    EXPECT_TRUE(pkt4_has(p.get(), 15));
}

TEST(Pkt4Build, MaxLenHonoured)
{
    for (size_t max : {0, 100, 576, 600, 777, 1000, 1500, 9000}) {
        auto o = new_out();
        pkt4_out_init(o.get(), BOOTREPLY);
        const uint8_t t = DHCPACK;
        ASSERT_EQ(0, pkt4_out_put(o.get(), 53, &t, 1));
        for (int i = 0; i < 40; i++) {
            Bytes v(50, uint8_t(i));
            ASSERT_EQ(0, pkt4_out_put(o.get(), uint8_t(200 + i), v.data(), v.size()));
        }
        int dropped = pkt4_out_finish(o.get(), max);
        ASSERT_GE(dropped, 0);
        // Below 576 the RFC 2132 §9.10 minimum applies; above 8192 the
        // codec's own maximum.
        size_t limit = max < 576 ? 576 : max;
        if (limit > PKT4_MAX_LEN)
            limit = PKT4_MAX_LEN;
        EXPECT_LE(o->len, limit) << "max_len " << max;
        EXPECT_GE(o->len, size_t(PKT4_BOOTP_MIN_LEN));
        auto p = new_pkt();
        ASSERT_EQ(PKT4_OK, pkt4_parse(p.get(), o->buf, o->len)) << "max_len " << max;
        // Option 52, when used, is one more code on the wire.
        int overload_code = pkt4_has(p.get(), OPT_OVERLOAD) ? 1 : 0;
        EXPECT_EQ(41 - dropped + overload_code, p->n_codes) << "max_len " << max;
        if (max >= 3000) {
            EXPECT_EQ(0, dropped);
        }
    }
}

TEST(Pkt4Build, RepeatedCodeKeepsOrderAcrossAreas)
{
    // The first instance of 60 only fits in file; the second would fit in
    // the options field, but there it would be joined before the first one
    // (RFC 3396 §7 order: options, file, sname). It must follow it instead.
    Bytes big(250, 'x'), a(100, 'A'), b(10, 'B');
    auto o = new_out();
    pkt4_out_init(o.get(), BOOTREPLY);
    ASSERT_EQ(0, pkt4_out_put(o.get(), 224, big.data(), big.size()));
    ASSERT_EQ(0, pkt4_out_put(o.get(), 60, a.data(), a.size()));
    ASSERT_EQ(0, pkt4_out_put(o.get(), 60, b.data(), b.size()));
    ASSERT_EQ(0, pkt4_out_finish(o.get(), 576));
    auto p = new_pkt();
    ASSERT_EQ(PKT4_OK, pkt4_parse(p.get(), o->buf, o->len));
    EXPECT_NE(0, p->overload);
    Bytes want = a;
    want.insert(want.end(), b.begin(), b.end());
    EXPECT_EQ(want, opt_value(p.get(), 60));
    EXPECT_EQ(big, opt_value(p.get(), 224));
}

TEST(Pkt4Build, RelayInfoClientIdAndPrlRoundTrip)
{
    Bytes rai = {1, 4, 'p', 'o', 'r', 't', 2, 6, 0, 1, 2, 3, 4, 5, 11, 4, 192, 0, 2, 1};
    Bytes cid = {0xff, 0, 0, 0, 1, 0, 1, 0, 1, 0x2a};
    Bytes prl = {1, 3, 6, 15, 28, 42, 119, 121};
    auto o = new_out();
    pkt4_out_init(o.get(), BOOTREQUEST);
    o->giaddr = 0xC6336401;
    const uint8_t t = DHCPREQUEST;
    ASSERT_EQ(0, pkt4_out_put(o.get(), 53, &t, 1));
    ASSERT_EQ(0, pkt4_out_put(o.get(), 61, cid.data(), cid.size()));
    ASSERT_EQ(0, pkt4_out_put(o.get(), 55, prl.data(), prl.size()));
    ASSERT_EQ(0, pkt4_out_put(o.get(), 82, rai.data(), rai.size()));
    ASSERT_EQ(0, pkt4_out_finish(o.get(), 0));

    auto p = new_pkt();
    ASSERT_EQ(PKT4_OK, pkt4_parse(p.get(), o->buf, o->len));
    EXPECT_EQ(cid, opt_value(p.get(), 61));
    EXPECT_EQ(prl, opt_value(p.get(), 55));
    size_t len;
    const uint8_t *v = pkt4_rai_sub(p.get(), RAI_SERVER_ID_OVERRIDE, &len);
    ASSERT_NE(nullptr, v);
    EXPECT_EQ((Bytes{192, 0, 2, 1}), Bytes(v, v + len));
    v = pkt4_rai_sub(p.get(), RAI_REMOTE_ID, &len);
    ASSERT_NE(nullptr, v);
    EXPECT_EQ((Bytes{0, 1, 2, 3, 4, 5}), Bytes(v, v + len));
}

TEST(Pkt4Build, ManyRandomSizesUnderSmallLimitsAlwaysParse)
{
    // Whatever is staged, the result parses and is within the limit, and
    // every option present carries exactly what was staged for it.
    std::mt19937 rng(7);
    for (int round = 0; round < 300; round++) {
        std::vector<std::pair<uint8_t, Bytes>> staged;
        size_t n = 1 + rng() % 30;
        for (size_t i = 0; i < n; i++) {
            uint8_t code = uint8_t(128 + rng() % 100);  // no special codes
            staged.push_back({code, Bytes(rng() % 250, uint8_t(i))});  // < stage size in total
        }
        auto o = new_out();
        pkt4_out_init(o.get(), BOOTREPLY);
        if (rng() % 3 == 0)
            strcpy(o->file, "x");
        if (rng() % 3 == 0)
            strcpy(o->sname, "y");
        stage_all(o.get(), staged);
        size_t max = 576 + rng() % 600;
        int dropped = pkt4_out_finish(o.get(), max);
        ASSERT_GE(dropped, 0);
        ASSERT_LE(o->len, max);
        auto p = new_pkt();
        ASSERT_EQ(PKT4_OK, pkt4_parse(p.get(), o->buf, o->len)) << "round " << round;
        // A code appears iff at least one of its instances went out; when
        // nothing was dropped, every value is complete.
        if (dropped == 0) {
            auto want = merged(staged);
            for (auto &w : want)
                EXPECT_EQ(w.second, opt_value(p.get(), w.first));
        }
    }
}

}  // namespace
