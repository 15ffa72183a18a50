// Kea's classification expression language (ARM §16.3): every operator and
// accessor evaluated over real packets built with the wire codec, and
// malformed expressions refused at compile time with the column.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

extern "C" {
#include "classify/expr.h"
#include "wire/pkt4.h"
}

namespace {

// Classes known to the resolver: index = position. "LATER" is not visible.
const char *kClasses[] = { "ALL", "KNOWN", "UNKNOWN", "gold", "silver" };

int class_index(void *, const char *name)
{
    for (size_t i = 0; i < sizeof(kClasses) / sizeof(kClasses[0]); i++)
        if (!strcmp(kClasses[i], name))
            return (int)i;
    return -1;
}

int option_code(void *, const char *name)
{
    return !strcmp(name, "my-custom") ? 224 : -1;
}

const struct expr_resolver kResolver = { class_index, option_code, nullptr };

struct Opt {
    uint8_t code;
    std::vector<uint8_t> v;
};

std::vector<uint8_t> S(const char *s)
{
    return std::vector<uint8_t>(s, s + strlen(s));
}

class Expr : public ::testing::Test {
protected:
    struct pkt4 pkt;
    uint64_t classes[1] = { 0 };
    struct expr_input in;

    void SetUp() override { Build({}); }

    void Build(const std::vector<Opt> &opts, uint8_t msg = DHCPDISCOVER)
    {
        struct pkt4_out o;
        pkt4_out_init(&o, BOOTREQUEST);
        o.htype = 1;
        o.hlen = 6;
        o.xid = 0x01020304;
        o.ciaddr = 0xc0000201;  // 192.0.2.1
        o.giaddr = 0xc6336401;  // 198.51.100.1
        o.yiaddr = 0xc0000202;
        o.siaddr = 0xc0000203;
        const uint8_t mac[6] = { 0x02, 0x00, 0x00, 0xaa, 0xbb, 0xcc };
        memcpy(o.chaddr, mac, 6);
        if (msg)
            pkt4_out_put(&o, OPT_MESSAGE_TYPE, &msg, 1);
        for (const auto &op : opts)
            pkt4_out_put(&o, op.code, op.v.data(), op.v.size());
        ASSERT_GE(pkt4_out_finish(&o, 1500), 0);
        ASSERT_EQ(pkt4_parse(&pkt, o.buf, o.len), PKT4_OK);
        in = {};
        in.pkt = &pkt;
        in.iface = "veth-test";
        in.src = 0xc6336401;
        in.dst = 0xc0000205;
        in.len = (uint32_t)o.len;
        in.classes = classes;
        in.n_class_words = 1;
    }

    struct expr *Compile(const std::string &text)
    {
        struct expr *e = nullptr;
        char err[256];
        EXPECT_EQ(expr_compile(text.c_str(), &kResolver, &e, err, sizeof(err)), 0)
            << text << ": " << err;
        return e;
    }

    bool Eval(const std::string &text)
    {
        struct expr *e = Compile(text);
        if (!e)
            return false;
        bool r = expr_eval_bool(e, &in);
        expr_free(e);
        return r;
    }

    // The value of a string expression, or "<error>".
    std::string Str(const std::string &text)
    {
        struct expr *e = nullptr;
        char err[256];
        EXPECT_EQ(expr_compile_string(text.c_str(), &kResolver, &e, err, sizeof(err)), 0)
            << text << ": " << err;
        if (!e)
            return "<compile error>";
        uint8_t buf[4096];
        int n = expr_eval_string(e, &in, buf, sizeof(buf));
        expr_free(e);
        return n < 0 ? "<error>" : std::string((const char *)buf, (size_t)n);
    }

    // The compile error for text ("" if it compiled).
    std::string Err(const std::string &text)
    {
        struct expr *e = nullptr;
        char err[256] = "";
        if (expr_compile(text.c_str(), &kResolver, &e, err, sizeof(err)) == 0) {
            expr_free(e);
            return "";
        }
        EXPECT_EQ(e, nullptr);
        return err;
    }
};

TEST_F(Expr, Literals)
{
    EXPECT_EQ(Str("'example'"), "example");
    EXPECT_EQ(Str("0x5a7d"), "Z}");
    EXPECT_EQ(Str("0x5"), std::string("\x05", 1));
    EXPECT_EQ(Str("0X414"), std::string("\x04\x14", 2));
    EXPECT_EQ(Str("10.0.0.1"), std::string("\x0a\x00\x00\x01", 4));
    EXPECT_EQ(Str("123"), std::string("\x00\x00\x00\x7b", 4));
    EXPECT_EQ(Str("4294967295"), std::string("\xff\xff\xff\xff", 4));
    EXPECT_EQ(Str("''"), "");
    EXPECT_TRUE(Eval("'abc' == 'abc'"));
    EXPECT_FALSE(Eval("'abc' == 'abd'"));
    EXPECT_FALSE(Eval("'abc' == 'abcd'"));
    EXPECT_TRUE(Eval("0x616263 == 'abc'"));
    EXPECT_TRUE(Eval("1 == 0x00000001"));
    EXPECT_FALSE(Eval("1 == 0x01"));
}

TEST_F(Expr, OptionHexTextExists)
{
    Build({ { OPT_VENDOR_CLASS_ID, S("PXEClient:Arch:00000") }, { OPT_HOST_NAME, S("box") },
            { 51, { 0, 0, 0x0e, 0x10 } }, { 28, { 192, 0, 2, 255 } }, { 224, S("custom") } });
    EXPECT_EQ(Str("option[60].hex"), "PXEClient:Arch:00000");
    EXPECT_EQ(Str("option[vendor-class-identifier].hex"), "PXEClient:Arch:00000");
    EXPECT_EQ(Str("option[host-name].text"), "box");
    EXPECT_EQ(Str("option[51].text"), "3600");
    EXPECT_EQ(Str("option[28].text"), "192.0.2.255");
    EXPECT_EQ(Str("option[my-custom].hex"), "custom");
    EXPECT_EQ(Str("option[77].hex"), "");
    EXPECT_TRUE(Eval("option[60].exists"));
    EXPECT_TRUE(Eval("option[my-custom].exists"));
    EXPECT_FALSE(Eval("option[77].exists"));
    EXPECT_TRUE(Eval("substring(option[60].hex, 0, 9) == 'PXEClient'"));
    EXPECT_TRUE(Eval("option[77].hex == ''"));
}

TEST_F(Expr, EmptyOptionExists)
{
    Build({ { 80, {} } });
    EXPECT_TRUE(Eval("option[80].exists"));
    EXPECT_EQ(Str("option[80].hex"), "");
}

TEST_F(Expr, SubOptions)
{
    // Option 82: circuit-id "eth0/7", remote-id 0xaabb; option 43: sub 1 "pxe", sub 6 empty.
    Build({ { OPT_RELAY_AGENT_INFO, { 1, 6, 'e', 't', 'h', '0', '/', '7', 2, 2, 0xaa, 0xbb } },
            { OPT_VENDOR_SPECIFIC, { 1, 3, 'p', 'x', 'e', 6, 0 } } });
    EXPECT_EQ(Str("option[82].option[1].hex"), "eth0/7");
    EXPECT_EQ(Str("relay4[1].hex"), "eth0/7");
    EXPECT_EQ(Str("relay4[2].hex"), "\xaa\xbb");
    EXPECT_EQ(Str("relay4[5].hex"), "");
    EXPECT_TRUE(Eval("relay4[2].exists"));
    EXPECT_FALSE(Eval("relay4[5].exists"));
    EXPECT_TRUE(Eval("option[82].option[2].exists"));
    EXPECT_FALSE(Eval("option[82].option[9].exists"));
    EXPECT_EQ(Str("option[43].option[1].hex"), "pxe");
    EXPECT_TRUE(Eval("option[43].option[6].exists"));
    EXPECT_FALSE(Eval("option[43].option[7].exists"));
    EXPECT_FALSE(Eval("option[44].option[1].exists"));
}

TEST_F(Expr, RelayWithoutOption82)
{
    EXPECT_FALSE(Eval("relay4[1].exists"));
    EXPECT_EQ(Str("relay4[1].hex"), "");
}

TEST_F(Expr, Pkt4Fields)
{
    EXPECT_EQ(Str("pkt4.mac"), std::string("\x02\x00\x00\xaa\xbb\xcc", 6));
    EXPECT_TRUE(Eval("pkt4.hlen == 6"));
    EXPECT_TRUE(Eval("pkt4.htype == 1"));
    EXPECT_TRUE(Eval("pkt4.ciaddr == 192.0.2.1"));
    EXPECT_TRUE(Eval("pkt4.giaddr == 198.51.100.1"));
    EXPECT_TRUE(Eval("pkt4.yiaddr == 192.0.2.2"));
    EXPECT_TRUE(Eval("pkt4.siaddr == 192.0.2.3"));
    EXPECT_TRUE(Eval("pkt4.msgtype == 1"));
    EXPECT_TRUE(Eval("pkt4.transid == 0x01020304"));
    EXPECT_TRUE(Eval("pkt4.transid == 16909060"));
    EXPECT_FALSE(Eval("pkt4.msgtype == 3"));
    EXPECT_EQ(Str("hexstring(pkt4.mac, ':')"), "02:00:00:aa:bb:cc");
}

TEST_F(Expr, PktFields)
{
    EXPECT_EQ(Str("pkt.iface"), "veth-test");
    EXPECT_TRUE(Eval("pkt.src == 198.51.100.1"));
    EXPECT_TRUE(Eval("pkt.dst == 192.0.2.5"));
    EXPECT_EQ(Str("uint32totext(pkt.len)"), std::to_string(in.len));
    in.iface = nullptr;
    EXPECT_EQ(Str("pkt.iface"), "");
}

TEST_F(Expr, Vendor)
{
    // 125: enterprise 4491, sub 1 "docsis3.0"; enterprise 9, sub 2 "x".
    std::vector<uint8_t> vivso = { 0, 0, 0x11, 0x8b, 11, 1, 9 };
    for (char c : std::string("docsis3.0"))
        vivso.push_back((uint8_t)c);
    for (uint8_t b : std::vector<uint8_t>{ 0, 0, 0, 9, 3, 2, 1, 'x' })
        vivso.push_back(b);
    // 124: enterprise 4491 with chunks "alpha", "beta".
    std::vector<uint8_t> vivco = { 0, 0, 0x11, 0x8b, 11, 5, 'a', 'l', 'p', 'h', 'a', 4, 'b', 'e', 't', 'a' };
    Build({ { 125, vivso }, { 124, vivco } });
    EXPECT_TRUE(Eval("vendor[*].exists"));
    EXPECT_TRUE(Eval("vendor[0].exists"));
    EXPECT_TRUE(Eval("vendor[4491].exists"));
    EXPECT_TRUE(Eval("vendor[9].exists"));
    EXPECT_FALSE(Eval("vendor[311].exists"));
    EXPECT_EQ(Str("vendor[4491].option[1].hex"), "docsis3.0");
    EXPECT_EQ(Str("vendor[9].option[2].hex"), "x");
    EXPECT_EQ(Str("vendor[9].option[1].hex"), "");
    EXPECT_TRUE(Eval("vendor[4491].option[1].exists"));
    EXPECT_FALSE(Eval("vendor[4491].option[2].exists"));
    EXPECT_TRUE(Eval("vendor.enterprise == 4491"));
    EXPECT_TRUE(Eval("vendor-class[*].exists"));
    EXPECT_TRUE(Eval("vendor-class[4491].exists"));
    EXPECT_FALSE(Eval("vendor-class[9].exists"));
    EXPECT_EQ(Str("vendor-class[4491].data"), "alpha");
    EXPECT_EQ(Str("vendor-class[4491].data[0]"), "alpha");
    EXPECT_EQ(Str("vendor-class[4491].data[1]"), "beta");
    EXPECT_EQ(Str("vendor-class[4491].data[2]"), "");
    EXPECT_EQ(Str("vendor-class[9].data"), "");
    EXPECT_TRUE(Eval("vendor-class.enterprise == 4491"));
}

TEST_F(Expr, VendorAbsentOrTruncated)
{
    EXPECT_FALSE(Eval("vendor[*].exists"));
    EXPECT_FALSE(Eval("vendor-class[*].exists"));
    EXPECT_EQ(Str("vendor.enterprise"), "");
    Build({ { 125, { 0, 0, 0x11, 0x8b, 40, 1, 1 } } });  // data length runs past the option
    EXPECT_FALSE(Eval("vendor[4491].exists"));
    EXPECT_EQ(Str("vendor[4491].option[1].hex"), "");
}

TEST_F(Expr, Substring)
{
    EXPECT_EQ(Str("substring('foobar', 0, 6)"), "foobar");
    EXPECT_EQ(Str("substring('foobar', 3, 3)"), "bar");
    EXPECT_EQ(Str("substring('foobar', 3, all)"), "bar");
    EXPECT_EQ(Str("substring('foobar', 3, 'all')"), "bar");
    EXPECT_EQ(Str("substring('foobar', 1, 4)"), "ooba");
    EXPECT_EQ(Str("substring('foobar', -5, 4)"), "ooba");
    EXPECT_EQ(Str("substring('foobar', -1, -3)"), "oba");
    EXPECT_EQ(Str("substring('foobar', 4, -2)"), "ob");
    EXPECT_EQ(Str("substring('foobar', 10, 2)"), "");
    EXPECT_EQ(Str("substring('foobar', -7, 2)"), "");
    EXPECT_EQ(Str("substring('foobar', 2, -5)"), "fo");
    EXPECT_EQ(Str("substring('foobar', 5, 100)"), "r");
    EXPECT_EQ(Str("substring('', 0, 1)"), "");
}

TEST_F(Expr, ConcatAndPlus)
{
    EXPECT_EQ(Str("concat('foo', 'bar')"), "foobar");
    EXPECT_EQ(Str("'abc' + 'def' + 'ghi'"), "abcdefghi");
    EXPECT_TRUE(Eval("concat('foo', 'bar') == 'foo' + 'bar'"));
    EXPECT_EQ(Str("concat('', '')"), "");
}

TEST_F(Expr, HexstringCase)
{
    EXPECT_EQ(Str("hexstring('foo', '-')"), "66-6f-6f");
    EXPECT_EQ(Str("hexstring(0x0a0b, '')"), "0a0b");
    EXPECT_EQ(Str("hexstring(0x0a0b, '::')"), "0a::0b");
    EXPECT_EQ(Str("hexstring('', ':')"), "");
    EXPECT_EQ(Str("lcase('LoWeR')"), "lower");
    EXPECT_EQ(Str("ucase('uPpEr-1')"), "UPPER-1");
}

TEST_F(Expr, Split)
{
    EXPECT_EQ(Str("split('one.two..four', '.', 1)"), "one");
    EXPECT_EQ(Str("split('one.two..four', '.', 2)"), "two");
    EXPECT_EQ(Str("split('one.two..four', '.', 3)"), "");
    EXPECT_EQ(Str("split('one.two..four', '.', 4)"), "four");
    EXPECT_EQ(Str("split('one.two..four', '.', 5)"), "");
    EXPECT_EQ(Str("split('one.two', '.', 0)"), "");
    EXPECT_EQ(Str("split('a:b.c', '.:', 2)"), "b");
    EXPECT_EQ(Str("split('a.b', '', 1)"), "a.b");
    EXPECT_EQ(Str("split('', '.', 1)"), "");
    EXPECT_EQ(Str("split('it' + 0x27 + 's', 0x27, 2)"), "s");
}

TEST_F(Expr, Ifelse)
{
    EXPECT_EQ(Str("ifelse('a' == 'a', 'us', 'them')"), "us");
    EXPECT_EQ(Str("ifelse('a' == 'b', 'us', 'them')"), "them");
    EXPECT_EQ(Str("ifelse(option[77].exists, option[77].hex, 'none')"), "none");
}

TEST_F(Expr, ToText)
{
    EXPECT_EQ(Str("addrtotext(192.0.2.1)"), "192.0.2.1");
    EXPECT_EQ(Str("addrtotext(0x20010db8000000000000000000000001)"), "2001:db8::1");
    EXPECT_EQ(Str("addrtotext('')"), "");
    EXPECT_EQ(Str("addrtotext('abc')"), "<error>");
    EXPECT_EQ(Str("int8totext(0xff)"), "-1");
    EXPECT_EQ(Str("int16totext(0xfffe)"), "-2");
    EXPECT_EQ(Str("int32totext(0xfffffffd)"), "-3");
    EXPECT_EQ(Str("uint8totext(0xff)"), "255");
    EXPECT_EQ(Str("uint16totext(0xffff)"), "65535");
    EXPECT_EQ(Str("uint32totext(4294967295)"), "4294967295");
    EXPECT_EQ(Str("uint8totext('')"), "");
    EXPECT_EQ(Str("uint8totext(0xffff)"), "<error>");
    EXPECT_EQ(Str("int16totext(1)"), "<error>");
    EXPECT_EQ(Str("int8totext(substring(pkt4.yiaddr, 3, 1))"), "2");
    // A failed conversion makes a test false, also under not.
    EXPECT_FALSE(Eval("not (uint8totext(0xffff) == '1')"));
}

TEST_F(Expr, Match)
{
    EXPECT_TRUE(Eval("match('foo.*', 'foobar')"));
    EXPECT_FALSE(Eval("match('foo', 'foobar')")) << "the whole value must match";
    EXPECT_TRUE(Eval("match('.*foo.*', 'is it foo or bar')"));
    EXPECT_TRUE(Eval("match('^.*foo.*$', 'is it foo or bar')"));
    EXPECT_TRUE(Eval("match('foo.*', lcase('FooBar'))"));
    EXPECT_FALSE(Eval("match('a.*', 0x6100)")) << "a NUL inside never matches";
    // Bounded repetition, escaped and bracketed quantifier characters are fine.
    EXPECT_TRUE(Eval("match('PXE[+*?]{2,3}', 'PXE+*')"));
    EXPECT_TRUE(Eval("match('a\\+b{1,100}', 'a+bbb')"));
    EXPECT_FALSE(Eval("match('a\\+b{1,100}', 'aab')"));
}

TEST_F(Expr, Logic)
{
    EXPECT_TRUE(Eval("not ('foo' == 'bar')"));
    EXPECT_FALSE(Eval("not not ('foo' == 'bar')"));
    EXPECT_TRUE(Eval("('a' == 'a') and ('b' == 'b')"));
    EXPECT_FALSE(Eval("('a' == 'a') and ('b' == 'c')"));
    EXPECT_TRUE(Eval("('a' == 'b') or ('b' == 'b')"));
    EXPECT_FALSE(Eval("('a' == 'b') or ('b' == 'c')"));
    // and binds tighter than or; not tighter than and.
    EXPECT_TRUE(Eval("'a' == 'a' or 'a' == 'b' and 'a' == 'c'"));
    EXPECT_FALSE(Eval("('a' == 'a' or 'a' == 'b') and 'a' == 'c'"));
    EXPECT_TRUE(Eval("not 'a' == 'b' and 'c' == 'c'"));
    EXPECT_FALSE(Eval("not ('a' == 'a' and 'c' == 'c')"));
}

TEST_F(Expr, Member)
{
    EXPECT_FALSE(Eval("member('gold')"));
    classes[0] |= 1u << 3;  // gold
    EXPECT_TRUE(Eval("member('gold')"));
    EXPECT_FALSE(Eval("member('silver')"));
    EXPECT_TRUE(Eval("member('gold') and not member('silver')"));
    EXPECT_FALSE(Eval("known"));
    EXPECT_TRUE(Eval("unknown"));
    classes[0] |= 1u << 1;  // KNOWN
    EXPECT_TRUE(Eval("known"));
    EXPECT_FALSE(Eval("unknown"));
    in.classes = nullptr;
    EXPECT_FALSE(Eval("member('gold')"));
}

TEST_F(Expr, UsesClass)
{
    struct expr *e = Compile("member('gold') or (unknown and 'a' == 'a')");
    ASSERT_NE(e, nullptr);
    auto is_known = [](void *, int idx) { return idx == 1; };
    auto is_silver = [](void *, int idx) { return idx == 4; };
    EXPECT_TRUE(expr_uses_class(e, is_known, nullptr));
    EXPECT_FALSE(expr_uses_class(e, is_silver, nullptr));
    expr_free(e);
}

TEST_F(Expr, StringResultOfBoolIsRefused)
{
    struct expr *e = nullptr;
    char err[256];
    EXPECT_EQ(expr_compile_string("'a' == 'b'", &kResolver, &e, err, sizeof(err)), -1);
    EXPECT_NE(std::string(err).find("condition"), std::string::npos) << err;
    EXPECT_EQ(expr_compile_string("'a'", &kResolver, &e, err, sizeof(err)), 0);
    // A string expression does not evaluate as a test and vice versa.
    EXPECT_FALSE(expr_eval_bool(e, &in));
    expr_free(e);
    ASSERT_EQ(expr_compile("'a' == 'a'", &kResolver, &e, err, sizeof(err)), 0);
    uint8_t buf[8];
    EXPECT_EQ(expr_eval_string(e, &in, buf, sizeof(buf)), -1);
    expr_free(e);
}

TEST_F(Expr, ScratchOverflowIsFalse)
{
    // 8 doublings of a 16-byte string: 4 KB at the top, and the halves
    // before it: more than the scratch space.
    std::string s = "'0123456789abcdef'";
    for (int i = 0; i < 8; i++)
        s = "concat(" + s + ", " + s + ")";
    EXPECT_FALSE(Eval("substring(" + s + ", 0, 1) == '0'"));
    EXPECT_TRUE(Eval("substring(concat('0123456789abcdef', 'x'), 0, 1) == '0'"));
}

TEST_F(Expr, StringFitsBuffer)
{
    struct expr *e = nullptr;
    char err[128];
    ASSERT_EQ(expr_compile_string("'abcdef'", &kResolver, &e, err, sizeof(err)), 0);
    uint8_t buf[4];
    EXPECT_EQ(expr_eval_string(e, &in, buf, sizeof(buf)), -1);
    uint8_t big[8];
    EXPECT_EQ(expr_eval_string(e, &in, big, sizeof(big)), 6);
    expr_free(e);
}

// Each malformed expression is refused, with the column where it goes wrong.
struct Bad {
    const char *text;
    const char *want;  // part of the message
};

TEST_F(Expr, MalformedAreRefused)
{
    const Bad cases[] = {
        { "", "column 1: the expression is empty" },
        { "   ", "the expression is empty" },
        { "'abc'", "column 1: the expression is a string value, not a condition" },
        { "option[60].hex", "not a condition" },
        { "'abc' ==", "column 9: expected a value, found the end" },
        { "== 'a'", "column 1: expected a value" },
        { "'abc == 'x'", "column 10: unexpected 'x' after a complete expression" },
        { "'unterminated", "column 1: unterminated string literal" },
        { "option[60].hex = 'x'", "column 16: unexpected character '='" },
        { "option[256].exists", "column 8: option code 256 is out of range 0..255" },
        { "option[-1].exists", "option code -1 is out of range" },
        { "option[no-such-option].exists", "column 8: unknown option name 'no-such-option'" },
        { "option[60].exist", "column 12: expected 'hex', 'text' or 'exists'" },
        { "option[60.exists", "expected ']'" },
        { "option 60].exists", "column 8: expected '['" },
        { "option[82].option[1].text == 'x'", "expected 'hex' or 'exists'" },
        { "relay4[1].text == 'x'", "expected 'hex' or 'exists'" },
        { "relay4[300].exists", "relay sub-option code 300 is out of range" },
        { "pkt4.foo == 1", "column 6: unknown pkt4 field 'foo'" },
        { "pkt.mac == 1", "unknown pkt field 'mac'" },
        { "member('LATER')", "column 8: class 'LATER' is not defined before this one" },
        { "member(gold)", "member needs a quoted class name" },
        { "member('')", "class name of 1 to" },
        { "member('gold'", "expected ')'" },
        { "substring('abc', 0)", "column 19: expected ','" },
        { "substring('abc', 'x', 1) == 'a'", "expected start (an integer)" },
        { "substring('abc', 0, x) == 'a'", "expected length (an integer)" },
        { "substring('a' == 'a', 0, 1) == 'a'", "substring needs a string value, not a condition" },
        { "concat('a') == 'a'", "expected ','" },
        { "concat('a', 'b', 'c') == 'a'", "expected ')'" },
        { "ifelse('a', 'b', 'c') == 'a'", "the first argument of ifelse needs a condition" },
        { "split('a.b', '.') == 'a'", "expected ','" },
        { "split('a.b', '.', 'x') == 'a'", "expected field number (an integer)" },
        { "hexstring('a') == 'a'", "expected ','" },
        { "lcase() == 'a'", "expected a value, found ')'" },
        { "'a' and 'b'", "'and' needs a condition, not a string value" },
        { "member('gold') or 'b'", "'or' needs a condition" },
        { "not 'a'", "'not' needs a condition" },
        { "member('gold') == 'true'", "'==' needs a string value, not a condition" },
        { "'a' == member('gold')", "'==' needs a string value" },
        { "'a' + member('gold') == 'a'", "'+' needs a string value" },
        { "('a' == 'a'", "expected ')'" },
        { "'a' == 'a')", "column 11: unexpected ')' after a complete expression" },
        { "'a' == 'a' 'b'", "unexpected ''b'' after a complete expression" },
        { "foo('a') == 'a'", "column 1: unknown name 'foo'" },
        { "option[60].hex == 1.2.3", "column 19: '1.2.3' is not an IPv4 address" },
        { "1.2.3.400 == 'a'", "'1.2.3.400' is not an IPv4 address" },
        { "4294967296 == 'a'", "integer 4294967296 is out of range" },
        { "match('(', 'x')", "invalid regular expression" },
        // Patterns that would make regcomp expand without bound (found by the fuzzer).
        { "match('PXE++++', 'x')", "a quantifier may not follow another quantifier" },
        { "match('a*?', 'x')", "a quantifier may not follow another quantifier" },
        { "match('a{10}{10}', 'x')", "a quantifier may not follow another quantifier" },
        { "match('a{101}', 'x')", "repetition count above 100" },
        { "match('a{1,1000}', 'x')", "repetition count above 100" },
        { "match(option[60].hex, 'x')", "match needs a literal regular expression" },
        { "vendor[*].option[1].text == 'x'", "expected 'hex' or 'exists'" },
        { "vendor[x].exists", "expected enterprise-id (an integer)" },
        { "vendor[4491].data == 'x'", "expected 'exists' or 'option'" },
        { "vendor-class[4491].option[1].exists", "expected 'exists' or 'data'" },
        { "vendor-class[4491].data[256] == 'x'", "data index 256 is out of range" },
        { "vendor.foo == 1", "expected 'enterprise'" },
        { "0x == 'a'", "unexpected" },
        { "'a' == 'a' and", "expected a value, found the end" },
        { "not", "expected a value, found the end" },
        { "#", "column 1: unexpected character '#'" },
    };
    for (const auto &c : cases) {
        std::string err = Err(c.text);
        EXPECT_NE(err, "") << c.text << " compiled";
        EXPECT_NE(err.find(c.want), std::string::npos) << c.text << " -> " << err << " (want " << c.want << ")";
    }
}

TEST_F(Expr, NestingLimit)
{
    std::string deep;
    for (int i = 0; i < 100; i++)
        deep += "(";
    deep += "'a' == 'a'";
    for (int i = 0; i < 100; i++)
        deep += ")";
    EXPECT_NE(Err(deep).find("nested too deeply"), std::string::npos);
    std::string nots;
    for (int i = 0; i < 100; i++)
        nots += "not ";
    EXPECT_NE(Err(nots + "'a' == 'a'").find("nested too deeply"), std::string::npos);
    std::string ok;
    for (int i = 0; i < 20; i++)
        ok += "(";
    ok += "'a' == 'a'";
    for (int i = 0; i < 20; i++)
        ok += ")";
    EXPECT_TRUE(Eval(ok));
}

TEST_F(Expr, TooLong)
{
    std::string s = "'" + std::string(9000, 'x') + "' == 'x'";
    EXPECT_NE(Err(s).find("longer than"), std::string::npos);
}

TEST_F(Expr, NoResolverMeansNoClassesOrCustomNames)
{
    struct expr *e = nullptr;
    char err[128];
    EXPECT_EQ(expr_compile("member('gold')", nullptr, &e, err, sizeof(err)), -1);
    EXPECT_EQ(expr_compile("option[my-custom].exists", nullptr, &e, err, sizeof(err)), -1);
    ASSERT_EQ(expr_compile("option[routers].exists", nullptr, &e, err, sizeof(err)), 0);
    expr_free(e);
}

TEST_F(Expr, WhitespaceAndNewlines)
{
    EXPECT_TRUE(Eval("  substring( 'foobar' ,\n 0 ,\t3 )   ==\r\n'foo'  "));
}

}  // namespace
