// Unit tests for the standard dhcp4 option definitions, option-data
// encoding (csv-format true and false) and the hex helpers
// (wire/option_defs.h). Expected bytes are worked out by hand from the
// RFCs and the Kea ARM, not produced by the code under test.

#include <gtest/gtest.h>

#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "wire/option_defs.h"

namespace {

using Bytes = std::vector<uint8_t>;

// ---- Definitions --------------------------------------------------------

const opt_def *def(const char *name)
{
    const opt_def *d = opt_def_std_by_name(name);
    EXPECT_NE(nullptr, d) << name;
    return d;
}

TEST(OptionDefs, EveryDefinitionIsFoundByNameAndCode)
{
    std::set<std::string> names;
    int count = 0;
    for (int code = 0; code < 256; code++) {
        const opt_def *d = opt_def_std_by_code(uint8_t(code));
        if (d == nullptr)
            continue;
        count++;
        EXPECT_EQ(code, d->code);
        EXPECT_STREQ("dhcp4", d->space);
        EXPECT_EQ(d, opt_def_std_by_name(d->name)) << d->name;
        EXPECT_TRUE(names.insert(d->name).second) << "duplicate name " << d->name;
        EXPECT_NE(OT_NONE, d->type) << d->name;
        if (d->type == OT_RECORD) {
            EXPECT_NE(OT_NONE, d->fields[0]) << d->name;
        }
    }
    // The Kea 3.0 ARM tables 1 and 2 list well over a hundred options.
    EXPECT_GE(count, 120);
    EXPECT_EQ(nullptr, opt_def_std_by_code(0));
    EXPECT_EQ(nullptr, opt_def_std_by_code(255));
    EXPECT_EQ(nullptr, opt_def_std_by_code(84));   // unassigned in Kea
    EXPECT_EQ(nullptr, opt_def_std_by_code(224)); // site-specific range
    EXPECT_EQ(nullptr, opt_def_std_by_name("no-such-option"));
    EXPECT_EQ(nullptr, opt_def_std_by_name(""));
    EXPECT_EQ(nullptr, opt_def_std_by_name(nullptr));
}

struct Expect {
    const char *name;
    int code;
    opt_type type;
    bool array;
};

TEST(OptionDefs, MatchesKeaTable)
{
    // Rows copied from the Kea ARM §9.2.10 tables.
    const Expect rows[] = {
        {"subnet-mask", 1, OT_IPV4, false},
        {"time-offset", 2, OT_INT32, false},
        {"routers", 3, OT_IPV4, true},
        {"domain-name-servers", 6, OT_IPV4, true},
        {"host-name", 12, OT_STRING, false},
        {"boot-size", 13, OT_UINT16, false},
        {"domain-name", 15, OT_FQDN, false},
        {"ip-forwarding", 19, OT_BOOLEAN, false},
        {"default-ip-ttl", 23, OT_UINT8, false},
        {"path-mtu-plateau-table", 25, OT_UINT16, true},
        {"broadcast-address", 28, OT_IPV4, false},
        {"static-routes", 33, OT_IPV4, true},
        {"ntp-servers", 42, OT_IPV4, true},
        {"vendor-encapsulated-options", 43, OT_EMPTY, false},
        {"netbios-node-type", 46, OT_UINT8, false},
        {"dhcp-requested-address", 50, OT_IPV4, false},
        {"dhcp-lease-time", 51, OT_UINT32, false},
        {"dhcp-message-type", 53, OT_UINT8, false},
        {"dhcp-server-identifier", 54, OT_IPV4, false},
        {"dhcp-parameter-request-list", 55, OT_UINT8, true},
        {"dhcp-max-message-size", 57, OT_UINT16, false},
        {"dhcp-renewal-time", 58, OT_UINT32, false},
        {"dhcp-rebinding-time", 59, OT_UINT32, false},
        {"vendor-class-identifier", 60, OT_STRING, false},
        {"dhcp-client-identifier", 61, OT_BINARY, false},
        {"tftp-server-name", 66, OT_STRING, false},
        {"boot-file-name", 67, OT_STRING, false},
        {"user-class", 77, OT_BINARY, false},
        {"slp-directory-agent", 78, OT_RECORD, true},
        {"fqdn", 81, OT_RECORD, false},
        {"dhcp-agent-options", 82, OT_EMPTY, false},
        {"bcms-controller-names", 88, OT_FQDN, true},
        {"client-system", 93, OT_UINT16, true},
        {"client-ndi", 94, OT_RECORD, false},
        {"uuid-guid", 97, OT_RECORD, false},
        {"v6-only-preferred", 108, OT_UINT32, false},
        {"v4-captive-portal", 114, OT_STRING, false},
        {"subnet-selection", 118, OT_IPV4, false},
        {"domain-search", 119, OT_FQDN, true},
        {"classless-static-route", 121, OT_INTERNAL, false},
        {"vivco-suboptions", 124, OT_RECORD, false},
        {"vivso-suboptions", 125, OT_UINT32, false},
        {"v4-sztp-redirect", 143, OT_TUPLE, true},
        {"rdnss-selection", 146, OT_RECORD, true},
        {"v4-portparams", 159, OT_RECORD, false},
        {"v4-dnr", 162, OT_RECORD, false},
        {"option-6rd", 212, OT_RECORD, true},
        {"v4-access-domain", 213, OT_FQDN, false},
    };
    for (const auto &r : rows) {
        const opt_def *d = def(r.name);
        ASSERT_NE(nullptr, d);
        EXPECT_EQ(r.code, d->code) << r.name;
        EXPECT_EQ(r.type, d->type) << r.name;
        EXPECT_EQ(r.array, d->array) << r.name;
        EXPECT_EQ(d, opt_def_std_by_code(uint8_t(r.code))) << r.name;
    }
}

TEST(OptionDefs, RecordFieldsAndEncapsulation)
{
    const opt_def *d = def("slp-directory-agent");
    EXPECT_EQ(OT_BOOLEAN, d->fields[0]);
    EXPECT_EQ(OT_IPV4, d->fields[1]);
    EXPECT_EQ(OT_NONE, d->fields[2]);

    d = def("fqdn");
    const opt_type fqdn[] = {OT_UINT8, OT_UINT8, OT_UINT8, OT_FQDN, OT_NONE};
    for (int i = 0; i < 5; i++)
        EXPECT_EQ(fqdn[i], d->fields[i]) << i;

    d = def("option-6rd");
    const opt_type sixrd[] = {OT_UINT8, OT_UINT8, OT_IPV6, OT_IPV4, OT_NONE};
    for (int i = 0; i < 5; i++)
        EXPECT_EQ(sixrd[i], d->fields[i]) << i;

    d = def("v4-portparams");
    EXPECT_EQ(OT_UINT8, d->fields[0]);
    EXPECT_EQ(OT_PSID, d->fields[1]);

    EXPECT_STREQ("dhcp-agent-options-space", def("dhcp-agent-options")->encapsulate);
    EXPECT_STREQ("vendor-encapsulated-options-space",
                 def("vendor-encapsulated-options")->encapsulate);
    EXPECT_STREQ("", def("routers")->encapsulate);
}

TEST(OptionDefs, TypeNames)
{
    const struct { opt_type t; const char *name; } names[] = {
        {OT_EMPTY, "empty"}, {OT_BINARY, "binary"}, {OT_BOOLEAN, "boolean"},
        {OT_UINT8, "uint8"}, {OT_UINT16, "uint16"}, {OT_UINT32, "uint32"},
        {OT_INT8, "int8"}, {OT_INT16, "int16"}, {OT_INT32, "int32"},
        {OT_IPV4, "ipv4-address"}, {OT_IPV6, "ipv6-address"},
        {OT_IPV6_PREFIX, "ipv6-prefix"}, {OT_PSID, "psid"}, {OT_STRING, "string"},
        {OT_FQDN, "fqdn"}, {OT_TUPLE, "tuple"}, {OT_RECORD, "record"},
        {OT_INTERNAL, "internal"},
    };
    for (const auto &n : names) {
        EXPECT_STREQ(n.name, opt_type_name(n.t));
        EXPECT_EQ(n.t, opt_type_from_name(n.name)) << n.name;
    }
    EXPECT_EQ(OT_NONE, opt_type_from_name("ipv4"));
    EXPECT_EQ(OT_NONE, opt_type_from_name("UINT8"));
    EXPECT_EQ(OT_NONE, opt_type_from_name(""));
    EXPECT_EQ(OT_NONE, opt_type_from_name("none"));
    EXPECT_EQ(OT_NONE, opt_type_from_name(nullptr));
}

// ---- csv-format true ----------------------------------------------------

struct Result {
    int rc;
    Bytes data;
    std::string err;
};

Result csv(const opt_def *d, const char *text, size_t cap = 1024)
{
    Result r;
    std::vector<uint8_t> out(cap + 1, 0xEE);
    size_t len = 12345;
    char err[256] = "untouched";
    r.rc = opt_encode_csv(d, text, out.data(), cap, &len, err, sizeof(err));
    if (r.rc == 0) {
        EXPECT_LE(len, cap);
        r.data.assign(out.begin(), out.begin() + long(len));
    } else {
        EXPECT_EQ(0u, len);
        r.err = err;
    }
    EXPECT_EQ(0xEE, out[cap]) << "wrote past cap";
    return r;
}

Result csv(const char *name, const char *text, size_t cap = 1024)
{
    return csv(def(name), text, cap);
}

// A custom definition, as option-def would create it.
opt_def custom(opt_type t, bool array = false, std::vector<opt_type> fields = {})
{
    opt_def d;
    memset(&d, 0, sizeof(d));
    d.code = 222;
    strcpy(d.name, "foo");
    strcpy(d.space, "dhcp4");
    d.type = t;
    d.array = array;
    for (size_t i = 0; i < fields.size(); i++)
        d.fields[i] = fields[i];
    return d;
}

void expect_ok(const Result &r, const Bytes &want, const char *what)
{
    EXPECT_EQ(0, r.rc) << what << ": " << r.err;
    EXPECT_EQ(want, r.data) << what;
}

void expect_err(const Result &r, const char *needle, const char *what)
{
    EXPECT_EQ(-1, r.rc) << what;
    EXPECT_NE(std::string::npos, r.err.find(needle))
        << what << ": error '" << r.err << "' should mention '" << needle << "'";
}

TEST(OptionEncode, Ipv4)
{
    expect_ok(csv("subnet-mask", "255.255.255.0"), {255, 255, 255, 0}, "mask");
    expect_ok(csv("routers", "192.0.2.1"), {192, 0, 2, 1}, "one router");
    expect_ok(csv("domain-name-servers", "192.0.2.53, 198.51.100.53 ,203.0.113.1"),
              {192, 0, 2, 53, 198, 51, 100, 53, 203, 0, 113, 1}, "array");
    expect_ok(csv("routers", ""), {}, "empty array");
    Result r = csv("routers", "1.2.3");
    EXPECT_EQ(-1, r.rc);
    EXPECT_EQ("'1.2.3' is not an IPv4 address", r.err);
    expect_err(csv("routers", "192.0.2.1, 256.1.1.1"), "'256.1.1.1'", "bad second");
    expect_err(csv("routers", "192.0.2.1,"), "''", "trailing comma");
    expect_err(csv("subnet-mask", ""), "needs", "scalar without value");
    expect_err(csv("subnet-mask", "255.0.0.0, 255.0.0.0"), "one", "two values for a scalar");
}

TEST(OptionEncode, UnsignedIntegers)
{
    expect_ok(csv("default-ip-ttl", "64"), {64}, "uint8");
    expect_ok(csv("default-ip-ttl", "255"), {255}, "uint8 max");
    expect_ok(csv("default-ip-ttl", "0x1f"), {0x1f}, "uint8 hex");
    expect_ok(csv("interface-mtu", "1500"), {0x05, 0xdc}, "uint16");
    expect_ok(csv("interface-mtu", "abcd"), {0xab, 0xcd}, "uint16 plain hex");
    expect_ok(csv("dhcp-lease-time", "4294967295"), {0xff, 0xff, 0xff, 0xff}, "uint32 max");
    expect_ok(csv("dhcp-lease-time", "3600"), {0, 0, 0x0e, 0x10}, "uint32");
    expect_ok(csv("path-mtu-plateau-table", "68, 296, 1500"),
              {0, 68, 0x01, 0x28, 0x05, 0xdc}, "uint16 array");
    expect_ok(csv("dhcp-parameter-request-list", "1,3,6"), {1, 3, 6}, "uint8 array");

    expect_err(csv("default-ip-ttl", "256"), "'256'", "uint8 over");
    expect_err(csv("default-ip-ttl", "-1"), "'-1'", "uint8 negative");
    expect_err(csv("interface-mtu", "65536"), "'65536'", "uint16 over");
    expect_err(csv("dhcp-lease-time", "4294967296"), "'4294967296'", "uint32 over");
    expect_err(csv("dhcp-lease-time", "99999999999999999999"), "out of range", "huge");
    expect_err(csv("default-ip-ttl", "12x"), "'12x'", "junk");
    expect_err(csv("default-ip-ttl", "0x"), "'0x'", "bare prefix");
    expect_err(csv("default-ip-ttl", "1.5"), "'1.5'", "fraction");
}

TEST(OptionEncode, SignedIntegers)
{
    expect_ok(csv("time-offset", "-18000"), {0xff, 0xff, 0xb9, 0xb0}, "int32 negative");
    expect_ok(csv("time-offset", "3600"), {0, 0, 0x0e, 0x10}, "int32 positive");
    expect_ok(csv("time-offset", "-2147483648"), {0x80, 0, 0, 0}, "int32 min");
    expect_ok(csv("time-offset", "2147483647"), {0x7f, 0xff, 0xff, 0xff}, "int32 max");
    expect_err(csv("time-offset", "2147483648"), "'2147483648'", "int32 over");
    expect_err(csv("time-offset", "-2147483649"), "'-2147483649'", "int32 under");

    opt_def i8 = custom(OT_INT8), i16 = custom(OT_INT16, true);
    expect_ok(csv(&i8, "-128"), {0x80}, "int8 min");
    expect_ok(csv(&i8, "127"), {0x7f}, "int8 max");
    expect_err(csv(&i8, "128"), "'128'", "int8 over");
    expect_err(csv(&i8, "-129"), "'-129'", "int8 under");
    expect_ok(csv(&i16, "-2, 300"), {0xff, 0xfe, 0x01, 0x2c}, "int16 array");
    expect_err(csv(&i16, "-32769"), "'-32769'", "int16 under");
}

TEST(OptionEncode, Boolean)
{
    expect_ok(csv("ip-forwarding", "true"), {1}, "true");
    expect_ok(csv("ip-forwarding", "false"), {0}, "false");
    expect_ok(csv("ip-forwarding", " 1 "), {1}, "1");
    expect_ok(csv("ip-forwarding", "0"), {0}, "0");
    expect_err(csv("ip-forwarding", "yes"), "'yes'", "yes");
    expect_err(csv("ip-forwarding", "2"), "'2'", "2");
}

TEST(OptionEncode, Strings)
{
    auto s = [](const char *t) { return Bytes(t, t + strlen(t)); };
    expect_ok(csv("host-name", "client-1"), s("client-1"), "plain");
    // One string option is the whole text, commas included.
    expect_ok(csv("root-path", "nfs:192.0.2.5:/srv, ro"), s("nfs:192.0.2.5:/srv, ro"), "comma");
    expect_ok(csv("boot-file-name", "a\\,b"), s("a,b"), "escaped comma");
    expect_ok(csv("vendor-class-identifier", "  spaced  "), s("spaced"), "trimmed");
    expect_err(csv("host-name", ""), "non-empty", "empty string");
    expect_err(csv("host-name", "   "), "non-empty", "blank string");
}

TEST(OptionEncode, DomainNamesAsFqdn)
{
    // RFC 1035 §3.1 labels, uncompressed, root terminated.
    Bytes one = {7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0};
    expect_ok(csv("v4-access-domain", "example.com"), one, "fqdn");
    expect_ok(csv("v4-access-domain", "example.com."), one, "trailing dot");
    Bytes two = one;
    Bytes second = {1, 'a', 3, 'o', 'r', 'g', 0};
    two.insert(two.end(), second.begin(), second.end());
    expect_ok(csv("domain-search", "example.com, a.org"), two, "fqdn list");
    expect_ok(csv("v4-access-domain", "."), {0}, "root");

    expect_err(csv("v4-access-domain", "a..b"), "'a..b'", "empty label");
    expect_err(csv("v4-access-domain", ".a"), "'.a'", "leading dot");
    expect_err(csv("v4-access-domain", "a b.com"), "'a b.com'", "space");
    std::string long_label(64, 'x');
    expect_err(csv("v4-access-domain", (long_label + ".com").c_str()), "not a valid domain",
               "64-byte label");
    std::string label63(63, 'x');
    expect_ok(csv("v4-access-domain", label63.c_str()),
              [&] { Bytes b = {63}; b.insert(b.end(), 63, 'x'); b.push_back(0); return b; }(),
              "63-byte label");
    // Longer than 255 bytes on the wire.
    std::string too_long;
    for (int i = 0; i < 5; i++)
        too_long += label63 + ".";
    expect_err(csv("v4-access-domain", too_long.c_str()), "not a valid domain", "name > 255");
}

TEST(OptionEncode, DomainNameOption15IsText)
{
    // RFC 2132 §3.17: the client's DNS domain as plain characters.
    expect_ok(csv("domain-name", "example.org"),
              Bytes({'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'o', 'r', 'g'}), "text");
    expect_ok(csv("domain-name", "example.org."),
              Bytes({'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'o', 'r', 'g'}), "trailing dot");
    expect_err(csv("domain-name", "bad..name"), "'bad..name'", "validated as a name");
}

TEST(OptionEncode, Binary)
{
    expect_ok(csv("user-class", "0a:0b:0c"), {0x0a, 0x0b, 0x0c}, "colons");
    expect_ok(csv("user-class", "0x0A0B"), {0x0a, 0x0b}, "0x");
    expect_ok(csv("user-class", "abc"), {0x0a, 0xbc}, "odd digits get a leading zero");
    expect_ok(csv("user-class", ""), {}, "empty");
    expect_err(csv("user-class", "xyz"), "'xyz'", "not hex");
}

TEST(OptionEncode, Empty)
{
    expect_ok(csv("vendor-encapsulated-options", ""), {}, "no data");
    expect_ok(csv("dhcp-agent-options", "  "), {}, "blank");
    expect_err(csv("vendor-encapsulated-options", "01"), "empty", "data given");
}

TEST(OptionEncode, Records)
{
    expect_ok(csv("slp-directory-agent", "true, 192.0.2.1, 192.0.2.2"),
              {1, 192, 0, 2, 1, 192, 0, 2, 2}, "last field repeats");
    expect_ok(csv("client-ndi", "1, 2, 16"), {1, 2, 16}, "three uint8");
    expect_err(csv("client-ndi", "1, 2"), "needs 3", "too few");
    expect_err(csv("client-ndi", "1, 2, 3, 4"), "'4'", "too many");
    expect_err(csv("client-ndi", "1, 2, 300"), "'300'", "field out of range");
    expect_ok(csv("uuid-guid", "0, 00112233445566778899aabbccddeeff"),
              {0, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc,
               0xdd, 0xee, 0xff},
              "uint8 + binary");
    expect_ok(csv("vivco-suboptions", "4491, 0x0401020304"),
              {0, 0, 0x11, 0x8b, 4, 1, 2, 3, 4}, "uint32 + binary");
    // A trailing string field keeps the rest of the text, and may be left out.
    expect_ok(csv("slp-service-scope", "false, scope-a,scope-b"),
              {0, 's', 'c', 'o', 'p', 'e', '-', 'a', ',', 's', 'c', 'o', 'p', 'e', '-', 'b'},
              "string tail");
    expect_ok(csv("slp-service-scope", "true"), {1}, "optional tail");
    expect_ok(csv("option-6rd", "0, 32, 2001:db8::, 192.0.2.1, 192.0.2.2"),
              {0, 32, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
               192, 0, 2, 1, 192, 0, 2, 2},
              "6rd");
    expect_ok(csv("rdnss-selection", "1, 192.0.2.53, 0.0.0.0, example.com"),
              {1, 192, 0, 2, 53, 0, 0, 0, 0, 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o',
               'm', 0},
              "with fqdn");
}

TEST(OptionEncode, Psid)
{
    // ARM table 3: "3/4" is PSID-len 4 and the PSID in the top bits: 0x3000.
    expect_ok(csv("v4-portparams", "2, 3/4"), {2, 4, 0x30, 0x00}, "3/4");
    expect_ok(csv("v4-portparams", "0, 0/0"), {0, 0, 0, 0}, "zero length");
    expect_ok(csv("v4-portparams", "0, 65535/16"), {0, 16, 0xff, 0xff}, "full length");
    expect_err(csv("v4-portparams", "0, 16/4"), "16", "psid too wide");
    expect_err(csv("v4-portparams", "0, 1/17"), "'1/17'", "length > 16");
    expect_err(csv("v4-portparams", "0, 3"), "'3'", "no slash");
}

TEST(OptionEncode, Ipv6AndPrefix)
{
    opt_def v6 = custom(OT_IPV6, true);
    expect_ok(csv(&v6, "2001:db8::1"),
              {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, "ipv6");
    expect_err(csv(&v6, "2001:db8::g"), "'2001:db8::g' is not an IPv6 address", "bad ipv6");
    expect_err(csv(&v6, "192.0.2.1"), "IPv6", "v4 for v6");

    opt_def pfx = custom(OT_IPV6_PREFIX);
    expect_ok(csv(&pfx, "2001:db8:1::/48"), {48, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01}, "/48");
    expect_ok(csv(&pfx, "2001:db8:ffff::/36"), {36, 0x20, 0x01, 0x0d, 0xb8, 0xf0}, "/36 masked");
    expect_ok(csv(&pfx, "::/0"), {0}, "/0");
    expect_err(csv(&pfx, "2001:db8::/129"), "'2001:db8::/129'", "too long");
    expect_err(csv(&pfx, "2001:db8::"), "prefix", "no length");
}

TEST(OptionEncode, Tuples)
{
    // v4-sztp-redirect carries 16-bit URI lengths (RFC 8572 §8.2).
    expect_ok(csv("v4-sztp-redirect", "https://a, http://bc"),
              {0, 9, 'h', 't', 't', 'p', 's', ':', '/', '/', 'a',
               0, 9, 'h', 't', 't', 'p', ':', '/', '/', 'b', 'c'},
              "16-bit tuples");
    opt_def t = custom(OT_TUPLE);
    expect_ok(csv(&t, "abc"), {3, 'a', 'b', 'c'}, "8-bit tuple");
    std::string big(256, 'q');
    expect_err(csv(&t, big.c_str()), "too long", "tuple > 255");
}

TEST(OptionEncode, ClasslessStaticRoute)
{
    // RFC 3442 §5 encoding of Kea's textual format.
    expect_ok(csv("classless-static-route",
                  "10.229.0.128/25 - 10.229.0.1, 10.27.129.0/24 - 10.27.129.1"),
              {25, 10, 229, 0, 128, 10, 229, 0, 1, 24, 10, 27, 129, 10, 27, 129, 1}, "two routes");
    expect_ok(csv("classless-static-route", "0.0.0.0/0 - 192.0.2.1"),
              {0, 192, 0, 2, 1}, "default route");
    expect_ok(csv("classless-static-route", "198.18.0.0/15-198.51.100.1"),
              {15, 198, 18, 198, 51, 100, 1}, "no spaces");
    expect_err(csv("classless-static-route", "10.0.0.0/8"), "'10.0.0.0/8'", "no router");
    expect_err(csv("classless-static-route", "10.0.0.0/33 - 192.0.2.1"), "10.0.0.0/33",
               "bad width");
    expect_err(csv("classless-static-route", ""), "at least one", "empty");
}

TEST(OptionEncode, VivsoCarriesDataLength)
{
    // RFC 3925 §4: enterprise-number, then data-len (0: no sub-options).
    expect_ok(csv("vivso-suboptions", "4491"), {0, 0, 0x11, 0x8b, 0}, "cablelabs");
}

TEST(OptionEncode, CapacityAndArguments)
{
    expect_ok(csv("routers", "192.0.2.1, 192.0.2.2", 8), {192, 0, 2, 1, 192, 0, 2, 2}, "exact fit");
    expect_err(csv("routers", "192.0.2.1, 192.0.2.2, 192.0.2.3", 8), "longer than 8", "over cap");
    expect_err(csv("host-name", "abcdef", 5), "longer", "string over cap");
    expect_err(csv(static_cast<const opt_def *>(nullptr), "1"), "definition", "null def");
    opt_def bad = custom(OT_RECORD, false, {OT_UINT8, OT_RECORD});
    expect_err(csv(&bad, "1, 2"), "record", "record inside record");
    opt_def strarr = custom(OT_STRING, true);
    expect_err(csv(&strarr, "a, b"), "array", "array of strings");

    // A NULL error buffer is allowed.
    uint8_t out[4];
    size_t len = 7;
    EXPECT_EQ(-1, opt_encode_csv(def("routers"), "x", out, sizeof(out), &len, nullptr, 0));
    EXPECT_EQ(0u, len);
}

// ---- csv-format false ---------------------------------------------------

Result hex(const char *text, size_t cap = 64)
{
    Result r;
    std::vector<uint8_t> out(cap + 1, 0xEE);
    size_t len = 999;
    char err[128] = "";
    r.rc = opt_encode_hex(text, out.data(), cap, &len, err, sizeof(err));
    if (r.rc == 0)
        r.data.assign(out.begin(), out.begin() + long(len));
    else
        r.err = err;
    EXPECT_EQ(0xEE, out[cap]) << "wrote past cap";
    return r;
}

TEST(OptionEncode, HexForms)
{
    const Bytes abcdef = {0xab, 0xcd, 0xef};
    expect_ok(hex("ab:cd:ef"), abcdef, "colons");
    expect_ok(hex("ab cd ef"), abcdef, "spaces");
    expect_ok(hex("0xabcdef"), abcdef, "0x");
    expect_ok(hex("abcdef"), abcdef, "plain");
    expect_ok(hex("ABCDEF"), abcdef, "upper case");
    expect_ok(hex("a:b:c"), {0x0a, 0x0b, 0x0c}, "single digits");
    expect_ok(hex("'hi, there'"), {'h', 'i', ',', ' ', 't', 'h', 'e', 'r', 'e'}, "quoted text");
    expect_ok(hex(""), {}, "empty");
    expect_ok(hex("  "), {}, "blank");
    expect_ok(hex("0x1"), {0x01}, "one digit");

    expect_err(hex("zz"), "'zz'", "not hex");
    expect_err(hex("ab::cd"), "'ab::cd'", "empty group");
    expect_err(hex("abc:d"), "'abc:d'", "three digits in a group");
    expect_err(hex("ab:cd ef"), "not valid hex", "mixed separators");
    expect_err(hex("0x"), "'0x'", "bare prefix");
    expect_err(hex("abcdef", 2), "longer than 2", "over cap");
}

// ---- hex helpers --------------------------------------------------------

TEST(Hex, Format)
{
    const uint8_t mac[] = {0x00, 0x0c, 0x29, 0xab, 0xCD, 0xff};
    char out[3 * sizeof(mac)];
    EXPECT_EQ(17u, hex_format(mac, sizeof(mac), ':', out));
    EXPECT_STREQ("00:0c:29:ab:cd:ff", out);
    EXPECT_EQ(12u, hex_format(mac, sizeof(mac), 0, out));
    EXPECT_STREQ("000c29abcdff", out);
    EXPECT_EQ(2u, hex_format(mac + 5, 1, ':', out));
    EXPECT_STREQ("ff", out);
    char empty[4] = "xyz";
    EXPECT_EQ(0u, hex_format(mac, 0, ':', empty));
    EXPECT_STREQ("", empty);
}

TEST(Hex, Parse)
{
    uint8_t out[8];
    const uint8_t want[] = {0x00, 0x0c, 0x29, 0xab, 0xcd, 0xff};
    for (const char *t : {"00:0c:29:ab:cd:ff", "000c29ABCDFF", "00-0c-29-ab-cd-ff", "0:c:29:ab:cd:ff"}) {
        memset(out, 0xEE, sizeof(out));
        ASSERT_EQ(6, hex_parse(t, out, sizeof(out))) << t;
        EXPECT_EQ(0, memcmp(out, want, 6)) << t;
        EXPECT_EQ(0xEE, out[6]) << t;
    }
    EXPECT_EQ(0, hex_parse("", out, sizeof(out)));
    EXPECT_EQ(-1, hex_parse("abc", out, sizeof(out)));         // odd digit count
    EXPECT_EQ(-1, hex_parse("ab:cd-ef", out, sizeof(out)));    // mixed separators
    EXPECT_EQ(-1, hex_parse("ab::cd", out, sizeof(out)));      // empty group
    EXPECT_EQ(-1, hex_parse(":ab", out, sizeof(out)));
    EXPECT_EQ(-1, hex_parse("ab:", out, sizeof(out)));
    EXPECT_EQ(-1, hex_parse("abc:de", out, sizeof(out)));      // 3 digits
    EXPECT_EQ(-1, hex_parse("gg", out, sizeof(out)));
    EXPECT_EQ(-1, hex_parse("ab cd", out, sizeof(out)));
    EXPECT_EQ(-1, hex_parse(nullptr, out, sizeof(out)));
    EXPECT_EQ(-1, hex_parse("010203", out, 2));                // over capacity
    EXPECT_EQ(-1, hex_parse("01:02:03", out, 2));
    EXPECT_EQ(2, hex_parse("01:02", out, 2));
}

TEST(Hex, RoundTrip)
{
    uint8_t in[64], back[64];
    char text[3 * 64];
    for (int n = 1; n <= 64; n++) {
        for (int i = 0; i < n; i++)
            in[i] = uint8_t(i * 37 + n);
        for (char sep : {':', '\0'}) {
            hex_format(in, size_t(n), sep, text);
            ASSERT_EQ(n, hex_parse(text, back, sizeof(back))) << text;
            ASSERT_EQ(0, memcmp(in, back, size_t(n)));
        }
    }
}

}  // namespace
