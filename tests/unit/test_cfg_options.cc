// Unit tests for custom option definitions in any space and for the
// encapsulation of sub-options at load (server/cfg_option.c,
// server/cfg_option_encap.c): every Kea type through option-def and
// option-data, the ARM's option 43 example, vivso (125) per enterprise,
// a custom dhcp4 option encapsulating a custom space, and mistakes refused
// with their JSON path.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "server/cfg.h"

namespace {

using Bytes = std::vector<uint8_t>;

struct Cfg {
    cfg4 *c = nullptr;
    std::string err;
    int rc = -1;
    explicit Cfg(const std::string &dhcp4_body)
    {
        char e[1024] = "";
        std::string text = "{ \"Dhcp4\": { " + dhcp4_body + " } }";
        rc = cfg4_parse(text.c_str(), "t.json", &c, e, sizeof(e));
        err = e;
    }
    ~Cfg() { cfg4_free(c); }
    Cfg(const Cfg &) = delete;
    Cfg &operator=(const Cfg &) = delete;
};

const cfg_option *find(const cfg_options &o, uint8_t code)
{
    for (size_t i = 0; i < o.n; i++)
        if (o.v[i].code == code)
            return &o.v[i];
    return nullptr;
}

Bytes bytes_of(const cfg_options &o, uint8_t code)
{
    const cfg_option *x = find(o, code);
    return x ? Bytes(x->data, x->data + x->len) : Bytes{ 0xde, 0xad };
}

Bytes text(const char *s)
{
    return Bytes(s, s + std::strlen(s));
}

Bytes cat(std::initializer_list<Bytes> parts)
{
    Bytes out;
    for (const Bytes &p : parts)
        out.insert(out.end(), p.begin(), p.end());
    return out;
}

struct TypeCase {
    const char *type;
    const char *extra;   // more option-def keys
    const char *data;
    Bytes want;
};

// Each Kea option type defined as private option 224 and given a value.
TEST(CfgOptionDefs, EveryTypeEncodesThroughTheConfig)
{
    const TypeCase cases[] = {
        { "binary", "", "01:02:ff", { 1, 2, 255 } },
        { "boolean", "", "true", { 1 } },
        { "empty", "", "", {} },
        { "fqdn", "", "a.example.", { 1, 'a', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0 } },
        { "ipv4-address", "", "192.0.2.7", { 192, 0, 2, 7 } },
        { "ipv6-address", "", "2001:db8::1",
          { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 } },
        { "ipv6-prefix", "", "2001:db8::/32", { 32, 0x20, 0x01, 0x0d, 0xb8 } },
        { "psid", "", "3/4", { 4, 0x30, 0 } },
        { "string", "", "hello, world", text("hello, world") },
        { "tuple", "", "abc", { 3, 'a', 'b', 'c' } },
        { "uint8", "", "200", { 200 } },
        { "uint16", "", "0x1234", { 0x12, 0x34 } },
        { "uint32", "", "4294967295", { 255, 255, 255, 255 } },
        { "int8", "", "-1", { 0xff } },
        { "int16", "", "-2", { 0xff, 0xfe } },
        { "int32", "", "-3", { 0xff, 0xff, 0xff, 0xfd } },
        { "uint16", ", \"array\": true", "1, 2, 3", { 0, 1, 0, 2, 0, 3 } },
        { "ipv4-address", ", \"array\": true", "192.0.2.1, 192.0.2.2", { 192, 0, 2, 1, 192, 0, 2, 2 } },
        { "record", ", \"record-types\": \"uint8, ipv4-address, string\"", "7, 192.0.2.1, x y",
          { 7, 192, 0, 2, 1, 'x', ' ', 'y' } },
        // Only the last record field repeats in an array.
        { "record", ", \"record-types\": \"uint8, uint16\", \"array\": true", "1, 2, 3",
          { 1, 0, 2, 0, 3 } },
    };
    for (const TypeCase &c : cases) {
        std::string body = std::string("\"option-def\": [ { \"name\": \"priv\", \"code\": 224, "
                                       "\"type\": \"") + c.type + "\"" + c.extra + " } ], "
                           "\"option-data\": [ { \"name\": \"priv\", \"data\": \"" + c.data + "\" } ]";
        Cfg p(body);
        ASSERT_EQ(0, p.rc) << c.type << ": " << p.err;
        EXPECT_EQ(c.want, bytes_of(p.c->options, 224)) << c.type << " " << c.extra;
    }
}

// ARM §9.2.14: sub-option foo of option 43 defined in
// vendor-encapsulated-options-space, with 43 itself configured empty.
TEST(CfgOptionDefs, VendorEncapsulatedOptionsCarryTheirSubOptions)
{
    Cfg p("\"option-def\": [ { \"name\": \"foo\", \"code\": 1, "
          "  \"space\": \"vendor-encapsulated-options-space\", \"type\": \"record\", "
          "  \"array\": false, \"record-types\": \"ipv4-address, uint16, string\", "
          "  \"encapsulate\": \"\" } ], "
          "\"option-data\": [ "
          "  { \"name\": \"foo\", \"space\": \"vendor-encapsulated-options-space\", "
          "    \"data\": \"192.0.2.3, 123, Hello World\" }, "
          "  { \"name\": \"vendor-encapsulated-options\", \"code\": 43 } ]");
    ASSERT_EQ(0, p.rc) << p.err;
    ASSERT_EQ(1u, p.c->options.n);   // the sub-option is not a top-level option
    EXPECT_EQ(cat({ { 1, 17, 192, 0, 2, 3, 0, 123 }, text("Hello World") }),
              bytes_of(p.c->options, 43));
}

TEST(CfgOptionDefs, VivsoCarriesEachEnterpriseWithItsSubOptions)
{
    Cfg p("\"option-def\": [ "
          "  { \"code\": 22, \"name\": \"tag\", \"space\": \"vendor-2234\", \"type\": \"string\" }, "
          "  { \"code\": 2, \"name\": \"url\", \"space\": \"vendor-3561\", \"type\": \"string\" } ], "
          "\"option-data\": [ "
          "  { \"name\": \"vivso-suboptions\", \"space\": \"dhcp4\", \"data\": \"2234\" }, "
          "  { \"name\": \"vivso-suboptions\", \"space\": \"dhcp4\", \"data\": \"3561\" }, "
          "  { \"always-send\": true, \"data\": \"tagged\", \"name\": \"tag\", \"space\": \"vendor-2234\" }, "
          "  { \"data\": \"https://x\", \"name\": \"url\", \"space\": \"vendor-3561\" } ]");
    ASSERT_EQ(0, p.rc) << p.err;
    ASSERT_EQ(1u, p.c->options.n);
    EXPECT_EQ(cat({ { 0, 0, 0x08, 0xba, 8, 22, 6 }, text("tagged"),
                    { 0, 0, 0x0d, 0xe9, 11, 2, 9 }, text("https://x") }),
              bytes_of(p.c->options, 125));
    // A sub-option with always-send makes the whole option always-send.
    EXPECT_TRUE(find(p.c->options, 125)->always_send);
}

TEST(CfgOptionDefs, CustomOptionEncapsulatesACustomSpaceInEveryScope)
{
    Cfg p("\"option-def\": [ "
          "  { \"name\": \"boot-cfg\", \"code\": 225, \"type\": \"uint8\", \"encapsulate\": \"bootsp\" }, "
          "  { \"name\": \"server\", \"code\": 1, \"space\": \"bootsp\", \"type\": \"ipv4-address\" }, "
          "  { \"name\": \"port\", \"code\": 2, \"space\": \"bootsp\", \"type\": \"uint16\" } ], "
          "\"subnet4\": [ { \"id\": 1, \"subnet\": \"192.0.2.0/24\", \"option-data\": [ "
          "  { \"name\": \"port\", \"space\": \"bootsp\", \"data\": \"69\" }, "
          "  { \"name\": \"boot-cfg\", \"data\": \"5\" }, "
          "  { \"code\": 1, \"space\": \"bootsp\", \"data\": \"192.0.2.9\" } ] } ]");
    ASSERT_EQ(0, p.rc) << p.err;
    ASSERT_EQ(1u, p.c->subnets[0].options.n);
    // Own data first, then the sub-options in config order.
    EXPECT_EQ(Bytes({ 5, 2, 2, 0, 69, 1, 4, 192, 0, 2, 9 }),
              bytes_of(p.c->subnets[0].options, 225));
}

TEST(CfgOptionDefs, Option43MayBeRedefinedGlobally)
{
    Cfg p("\"option-def\": [ { \"name\": \"vendor-encapsulated-options\", \"code\": 43, "
          "\"type\": \"binary\" } ], "
          "\"option-data\": [ { \"code\": 43, \"data\": \"0a0b\" } ]");
    ASSERT_EQ(0, p.rc) << p.err;
    EXPECT_EQ(Bytes({ 0x0a, 0x0b }), bytes_of(p.c->options, 43));
}

struct BadCase {
    std::string body;
    const char *error;
};

TEST(CfgOptionDefs, MalformedDefinitionsAndDataAreRefusedWithTheirPath)
{
    const BadCase cases[] = {
        { "\"option-def\": [ { \"name\": \"a\", \"code\": 1, \"space\": \"s p\", \"type\": \"uint8\" } ]",
          "Dhcp4.option-def[0].space: 's p' is not a valid option space name" },
        { "\"option-def\": [ { \"name\": \"a\", \"code\": 300, \"space\": \"x\", \"type\": \"uint8\" } ]",
          "Dhcp4.option-def[0].code: option code 300 is out of range 0..255" },
        { "\"option-def\": [ { \"name\": \"a\", \"code\": 1, \"space\": \"x\", \"type\": \"uint8\" }, "
          "{ \"name\": \"b\", \"code\": 1, \"space\": \"x\", \"type\": \"uint8\" } ]",
          "Dhcp4.option-def[1].code: option code 1 is already defined in space 'x'" },
        { "\"option-def\": [ { \"name\": \"a\", \"code\": 224, \"type\": \"int64\" } ]",
          "Dhcp4.option-def[0].type: 'int64' is not an option type" },
        { "\"option-def\": [ { \"name\": \"a\", \"code\": 224, \"type\": \"record\", "
          "\"record-types\": \"uint8, bogus\" } ]",
          "Dhcp4.option-def[0].record-types: 'bogus' is not a record field type" },
        { "\"option-def\": [ { \"name\": \"a\", \"code\": 224, \"type\": \"uint8\", "
          "\"encapsulate\": \"bad space\" } ]",
          "Dhcp4.option-def[0].encapsulate: 'bad space' is not a valid option space name" },
        { "\"option-def\": [ { \"name\": \"a\", \"code\": 1, \"space\": \"x\", \"type\": \"uint8\" } ], "
          "\"subnet4\": [ { \"id\": 1, \"subnet\": \"192.0.2.0/24\", \"option-data\": [ "
          "{ \"name\": \"a\", \"space\": \"x\", \"data\": \"256\" } ] } ]",
          "Dhcp4.subnet4[0].option-data[0].data: '256' is out of range for uint8" },
        { "\"option-data\": [ { \"name\": \"nope\", \"space\": \"vendor-9\", \"data\": \"1\" } ]",
          "Dhcp4.option-data[0].name: unknown option name 'nope' in space 'vendor-9'" },
        { "\"option-data\": [ { \"code\": 5, \"space\": \"vendor-9\", \"data\": \"1\" } ]",
          "Dhcp4.option-data[0]: no definition for option code 5; use csv-format false" },
        { "\"option-def\": [ { \"name\": \"big\", \"code\": 1, \"space\": \"vendor-encapsulated-options-space\", "
          "\"type\": \"binary\" } ], \"option-data\": [ { \"name\": \"vendor-encapsulated-options\" }, "
          "{ \"name\": \"big\", \"space\": \"vendor-encapsulated-options-space\", \"data\": \"" +
          std::string(600, 'a') + "\" } ]",
          "Dhcp4.option-data[0]: the option and its sub-options are longer than" },
        { "\"option-data\": [ { \"name\": \"vivso-suboptions\", \"csv-format\": false, \"data\": \"01\" } ]",
          "Dhcp4.option-data[0]: vivso-suboptions needs an enterprise number" },
    };
    for (const BadCase &c : cases) {
        Cfg p(c.body);
        EXPECT_EQ(-1, p.rc) << c.body;
        EXPECT_EQ(0u, p.err.rfind(c.error, 0)) << "got: " << p.err << "\nwant: " << c.error;
    }
}

} // namespace
