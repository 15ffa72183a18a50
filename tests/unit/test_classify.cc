// Client classes end to end below the daemon: client-classes[] parsed from
// Kea JSON, the per-packet pipeline (built-ins, tests, KNOWN/UNKNOWN, DROP,
// additional lists), subnet and pool guards, and what classes put into a
// reply (options after subnet/pool, fixed fields and lifetimes over the
// subnet's, reservation over all).
#include <gtest/gtest.h>

#include <cstring>
#include <ctime>
#include <string>
#include <vector>

extern "C" {
#include "alloc/alloc_engine.h"
#include "backends/memfile/memfile.h"
#include "classify/classify.h"
#include "server/cfg.h"
#include "server/dhcp4_network.h"
#include "server/reply.h"
#include "server/subnet_select.h"
#include "wire/pkt4.h"
}

namespace {

uint32_t ip(const char *s)
{
    unsigned a, b, c, d;
    EXPECT_EQ(4, sscanf(s, "%u.%u.%u.%u", &a, &b, &c, &d));
    return a << 24 | b << 16 | c << 8 | d;
}

// A request from 02:00:00:00:00:<last> (msg 0: BOOTP) with the given option
// 60, PRL and relayed circuit-id, parsed into *req and classified up to the
// host lookup (classify_begin) as received on eth9.
void ClassifyRequest(const struct cfg4 *cfg, struct pkt4 *req, struct class_state *st, uint8_t last,
                     const char *vendor, uint8_t msg, const char *circuit = nullptr,
                     const std::vector<uint8_t> &prl = {})
{
    struct pkt4_out o;
    pkt4_out_init(&o, BOOTREQUEST);
    o.htype = 1;
    o.hlen = 6;
    uint8_t mac[6] = { 2, 0, 0, 0, 0, last };
    memcpy(o.chaddr, mac, 6);
    if (msg)
        pkt4_out_put(&o, OPT_MESSAGE_TYPE, &msg, 1);
    if (vendor)
        pkt4_out_put(&o, OPT_VENDOR_CLASS_ID, vendor, strlen(vendor));
    if (!prl.empty())
        pkt4_out_put(&o, OPT_PARAM_REQUEST_LIST, prl.data(), prl.size());
    if (circuit) {
        std::vector<uint8_t> rai = { 1, (uint8_t)strlen(circuit) };
        rai.insert(rai.end(), circuit, circuit + strlen(circuit));
        pkt4_out_put(&o, OPT_RELAY_AGENT_INFO, rai.data(), rai.size());
        o.giaddr = ip("192.0.2.1");
    }
    ASSERT_GE(pkt4_out_finish(&o, 1500), 0);
    ASSERT_EQ(PKT4_OK, pkt4_parse(req, o.buf, o.len));
    classify_begin(st, cfg, req, "eth9", 0, 0xffffffff, (uint32_t)o.len);
}

const char *kConfig = R"J({"Dhcp4": {
  "valid-lifetime": 1000,
  "option-data": [ { "name": "domain-name", "data": "global.example" },
                   { "name": "ntp-servers", "data": "192.0.2.123" },
                   { "name": "nis-servers", "data": "192.0.2.41", "client-classes": [ "relayed" ] },
                   { "name": "nis-servers", "data": "192.0.2.42", "client-classes": [ "pxe", "gold" ] },
                   { "name": "nis-servers", "data": "192.0.2.43" },
                   { "name": "nisplus-servers", "data": "192.0.2.44", "client-classes": [ "gold" ],
                     "always-send": true } ],
  "client-classes": [
    { "name": "pxe", "test": "substring(option[60].hex, 0, 9) == 'PXEClient'",
      "next-server": "192.0.2.9", "server-hostname": "tftp-a", "boot-file-name": "pxelinux.0",
      "option-data": [ { "name": "domain-name", "data": "pxe.example" },
                       { "name": "log-servers", "data": "192.0.2.77" } ] },
    { "name": "VENDOR_CLASS_docsis3.0", "option-data": [ { "name": "cookie-servers", "data": "192.0.2.66" } ] },
    { "name": "relayed", "test": "relay4[1].hex == 'port-7'", "valid-lifetime": 300,
      "min-valid-lifetime": 200, "max-valid-lifetime": 400 },
    { "name": "gold" },
    { "name": "gold-known", "test": "member('KNOWN') and member('gold')", "boot-file-name": "gold.bin" },
    { "name": "after-pxe", "test": "member('pxe') and not member('relayed')" },
    { "name": "late", "test": "'a' == 'a'", "only-if-required": true,
      "option-data": [ { "name": "time-offset", "data": "60" } ] },
    { "name": "tagged-later", "only-in-additional-list": true,
      "option-data": [ { "name": "impress-servers", "data": "192.0.2.88" } ] },
    { "name": "DROP", "test": "option[60].hex == 'evil'" }
  ],
  "subnet4": [
    { "id": 1, "subnet": "198.51.100.0/24", "client-class": "nobody-is-in-this", "interface": "eth9",
      "pools": [ { "pool": "198.51.100.10 - 198.51.100.19" } ] },
    { "id": 2, "subnet": "192.0.2.0/24", "interface": "eth9",
      "require-client-classes": [ "late" ],
      "option-data": [ { "name": "ntp-servers", "data": "192.0.2.124" } ],
      "pools": [ { "pool": "192.0.2.100 - 192.0.2.109", "client-classes": [ "KNOWN" ],
                   "evaluate-additional-classes": [ "tagged-later" ] },
                 { "pool": "192.0.2.110 - 192.0.2.119", "client-class": "UNKNOWN" } ],
      "reservations": [ { "hw-address": "02:00:00:00:00:01", "client-classes": [ "gold", "tag-only" ] },
                        { "hw-address": "02:00:00:00:00:02", "boot-file-name": "host.bin" } ] }
  ]
}})J";

class Classify : public ::testing::Test {
protected:
    struct cfg4 *cfg = nullptr;
    struct pkt4 req;
    struct class_state st;

    void SetUp() override
    {
        char err[512];
        ASSERT_EQ(0, cfg4_parse(kConfig, "test", &cfg, err, sizeof(err))) << err;
    }
    void TearDown() override { cfg4_free(cfg); }

    int idx(const char *name)
    {
        for (size_t i = 0; i < cfg->n_classes; i++)
            if (!strcmp(cfg->classes[i].name, name))
                return (int)i;
        ADD_FAILURE() << "no class " << name;
        return 0;
    }
    bool in(const char *name) { return class_member(st.bits, (unsigned)idx(name)); }

    void Packet(uint8_t last, const char *vendor, const char *circuit, uint8_t msg = DHCPDISCOVER,
                std::vector<uint8_t> prl = {})
    {
        ClassifyRequest(cfg, &req, &st, last, vendor, msg, circuit, prl);
    }
    const struct cfg_host *Host(uint8_t last)
    {
        uint8_t mac[6] = { 2, 0, 0, 0, 0, last };
        return cfg4_host_find(cfg, 2, HOST_ID_HWADDR, mac, 6);
    }
};

TEST_F(Classify, ConfigRegistersBuiltinsAndDefinedClassesInOrder)
{
    ASSERT_GE(cfg->n_classes, (size_t)CLASS_BUILTINS + 9);
    EXPECT_STREQ("ALL", cfg->classes[CLASS_ALL].name);
    EXPECT_STREQ("KNOWN", cfg->classes[CLASS_KNOWN].name);
    EXPECT_STREQ("UNKNOWN", cfg->classes[CLASS_UNKNOWN].name);
    EXPECT_STREQ("BOOTP", cfg->classes[CLASS_BOOTP].name);
    // "relayed" got its index first, from a global option's client-classes;
    // evaluation still follows the definitions.
    EXPECT_STREQ("relayed", cfg->classes[CLASS_BUILTINS].name);
    ASSERT_GE(cfg->n_class_defs, 2u);
    EXPECT_STREQ("pxe", cfg->classes[cfg->class_defs[0]].name);
    EXPECT_STREQ("VENDOR_CLASS_docsis3.0", cfg->classes[cfg->class_defs[1]].name);
    EXPECT_TRUE(cfg->classes[idx("pxe")].defined);
    EXPECT_FALSE(cfg->classes[idx("pxe")].depends_known);
    EXPECT_TRUE(cfg->classes[idx("gold-known")].depends_known);
    EXPECT_TRUE(cfg->classes[idx("gold")].defined);
    EXPECT_FALSE(cfg->classes[idx("tag-only")].defined) << "only named by a reservation";
    EXPECT_TRUE(cfg->classes[idx("late")].additional);
    EXPECT_TRUE(cfg->classes[idx("tagged-later")].additional);
    EXPECT_EQ(idx("DROP"), cfg->class_drop);
    EXPECT_TRUE(cfg->class_vendor);
    const struct cfg_class &r = cfg->classes[idx("relayed")];
    EXPECT_TRUE(r.has_valid);
    EXPECT_EQ(300u, r.valid_lft);
    EXPECT_EQ(200u, r.min_valid_lft);
    EXPECT_EQ(400u, r.max_valid_lft);
    EXPECT_EQ(1, cfg->subnets[0].guard.n);
    EXPECT_EQ(CLASS_KNOWN, cfg->subnets[1].pools[0].guard.idx[0]);
    EXPECT_EQ(CLASS_UNKNOWN, cfg->subnets[1].pools[1].guard.idx[0]);
    EXPECT_EQ(idx("late"), cfg->subnets[1].additional.idx[0]);
}

TEST_F(Classify, NoClassesNoClassTable)
{
    struct cfg4 *c = nullptr;
    char err[256];
    ASSERT_EQ(0, cfg4_parse(R"J({"Dhcp4": {"subnet4": [ {"id": 1, "subnet": "192.0.2.0/24"} ]}})J", "t",
                            &c, err, sizeof(err)));
    EXPECT_EQ(0u, c->n_classes) << "the packet path skips classification entirely";
    EXPECT_EQ(-1, c->class_drop);
    cfg4_free(c);
}

TEST_F(Classify, BuiltinsAndEarlyTests)
{
    Packet(1, "PXEClient:Arch:00000", nullptr);
    EXPECT_TRUE(class_member(st.bits, CLASS_ALL));
    EXPECT_TRUE(in("pxe"));
    EXPECT_TRUE(in("after-pxe")) << "a class sees the classes before it";
    EXPECT_FALSE(in("relayed"));
    EXPECT_FALSE(in("late")) << "only-if-required is not evaluated early";
    EXPECT_FALSE(class_member(st.bits, CLASS_KNOWN));
    EXPECT_FALSE(class_member(st.bits, CLASS_UNKNOWN));
    EXPECT_FALSE(class_member(st.bits, CLASS_BOOTP));
    EXPECT_FALSE(classify_drop(&st, cfg));
    EXPECT_EQ(CLASS_ALL, st.order[0]);
}

TEST_F(Classify, VendorClassBootpAndDrop)
{
    Packet(1, "docsis3.0", nullptr);
    EXPECT_TRUE(in("VENDOR_CLASS_docsis3.0"));
    EXPECT_FALSE(in("pxe"));
    Packet(1, "docsis3.", nullptr);
    EXPECT_FALSE(in("VENDOR_CLASS_docsis3.0"));
    Packet(1, nullptr, nullptr, 0);
    EXPECT_TRUE(class_member(st.bits, CLASS_BOOTP));
    Packet(1, "evil", nullptr);
    EXPECT_TRUE(classify_drop(&st, cfg));
}

TEST_F(Classify, RelayCircuitId)
{
    Packet(1, "PXEClient", "port-7");
    EXPECT_TRUE(in("relayed"));
    EXPECT_TRUE(in("pxe"));
    EXPECT_FALSE(in("after-pxe"));
    Packet(1, nullptr, "port-8");
    EXPECT_FALSE(in("relayed"));
}

TEST_F(Classify, KnownDependentTestsWaitForTheHostLookup)
{
    Packet(1, nullptr, nullptr);
    EXPECT_FALSE(in("gold-known"));
    const struct cfg_host *h = Host(1);
    ASSERT_NE(nullptr, h);
    classify_host(&st, cfg, h);
    EXPECT_TRUE(class_member(st.bits, CLASS_KNOWN));
    EXPECT_FALSE(class_member(st.bits, CLASS_UNKNOWN));
    EXPECT_TRUE(in("gold")) << "from the reservation";
    EXPECT_TRUE(in("tag-only"));
    EXPECT_TRUE(in("gold-known"));

    Packet(3, nullptr, nullptr);
    classify_host(&st, cfg, Host(3));
    EXPECT_TRUE(class_member(st.bits, CLASS_UNKNOWN));
    EXPECT_FALSE(class_member(st.bits, CLASS_KNOWN));
    EXPECT_FALSE(in("gold-known"));

    Packet(2, nullptr, nullptr);
    classify_host(&st, cfg, Host(2));
    EXPECT_TRUE(class_member(st.bits, CLASS_KNOWN));
    EXPECT_FALSE(in("gold-known")) << "known but not gold";
}

TEST_F(Classify, AdditionalLists)
{
    Packet(1, nullptr, nullptr);
    classify_host(&st, cfg, Host(1));
    EXPECT_FALSE(in("late"));
    classify_additional(&st, cfg, &cfg->subnets[1].pools[0].additional);
    EXPECT_TRUE(in("tagged-later")) << "no test: joins when listed";
    classify_additional(&st, cfg, &cfg->subnets[1].additional);
    EXPECT_TRUE(in("late"));
}

TEST_F(Classify, SubnetGuardSkipsToTheNextSubnet)
{
    Packet(1, nullptr, nullptr);
    struct io_iface ifc = {};
    strcpy(ifc.name, "eth9");
    // Subnet 1 is guarded by a class nobody is in: selection goes on to 2.
    const struct cfg_subnet4 *sn = subnet_select(cfg, &req, nullptr, &ifc, st.bits);
    ASSERT_NE(nullptr, sn);
    EXPECT_EQ(2u, sn->id);
    // Without classes, only unguarded subnets qualify.
    sn = subnet_select(cfg, &req, nullptr, &ifc, nullptr);
    ASSERT_NE(nullptr, sn);
    EXPECT_EQ(2u, sn->id);
    st.bits[idx("nobody-is-in-this") / 64] |= 1ull << (idx("nobody-is-in-this") % 64);
    sn = subnet_select(cfg, &req, nullptr, &ifc, st.bits);
    ASSERT_NE(nullptr, sn);
    EXPECT_EQ(1u, sn->id);
}

TEST_F(Classify, PoolGuards)
{
    struct alloc_req r = {};
    r.cfg = cfg;
    r.subnet = &cfg->subnets[1];
    Packet(1, nullptr, nullptr);
    classify_host(&st, cfg, Host(1));
    r.classes = st.bits;
    EXPECT_TRUE(alloc_in_allowed_pool(&r, ip("192.0.2.105")));
    EXPECT_FALSE(alloc_in_allowed_pool(&r, ip("192.0.2.115")));
    EXPECT_FALSE(alloc_in_allowed_pool(&r, ip("192.0.2.50"))) << "in no pool";
    Packet(4, nullptr, nullptr);
    classify_host(&st, cfg, nullptr);
    EXPECT_FALSE(alloc_in_allowed_pool(&r, ip("192.0.2.105")));
    EXPECT_TRUE(alloc_in_allowed_pool(&r, ip("192.0.2.115")));
    r.classes = nullptr;
    EXPECT_FALSE(alloc_in_allowed_pool(&r, ip("192.0.2.115")));
}

TEST_F(Classify, GuardFunction)
{
    uint16_t idxs[2] = { 5, 70 };
    struct class_guard g = { idxs, 2 };
    struct class_guard none = { nullptr, 0 };
    uint64_t bits[2] = { 0, 0 };
    EXPECT_TRUE(class_guard_allows(&none, bits));
    EXPECT_TRUE(class_guard_allows(&none, nullptr));
    EXPECT_FALSE(class_guard_allows(&g, bits));
    EXPECT_FALSE(class_guard_allows(&g, nullptr));
    bits[1] = 1ull << 6;
    EXPECT_TRUE(class_guard_allows(&g, bits)) << "any one class of the list";
}

// What a reply carries for a classified packet.
class ClassReply : public Classify {
protected:
    struct pkt4_out out;
    struct pkt4 parsed;

    void Build(const struct cfg_host *host, const struct cfg_pool *pool)
    {
        struct reply_params rp = {};
        rp.cfg = cfg;
        rp.subnet = &cfg->subnets[1];
        rp.pool = pool;
        rp.host = host;
        rp.req = &req;
        rp.msg_type = DHCPOFFER;
        rp.yiaddr = ip("192.0.2.105");
        rp.server_id = ip("192.0.2.1");
        rp.send_lease_time = true;
        rp.lease_time = 1000;
        rp.classes = &st;
        ASSERT_EQ(0, reply_build(&out, &rp));
        ASSERT_EQ(PKT4_OK, pkt4_parse(&parsed, out.buf, out.len));
    }
    std::string Opt(uint8_t code)
    {
        size_t len;
        const uint8_t *v = pkt4_opt(&parsed, code, &len);
        return v ? std::string((const char *)v, len) : "<none>";
    }
};

TEST_F(ClassReply, ClassOptionsAndFields)
{
    // Requests domain-name (15), ntp (42), log-servers (7), time-offset (2), impress (10), cookie (8).
    Packet(3, "PXEClient:Arch:00000", nullptr, DHCPDISCOVER, { 15, 42, 7, 2, 10, 8 });
    classify_host(&st, cfg, nullptr);
    Build(nullptr, &cfg->subnets[1].pools[1]);
    EXPECT_EQ("pxe.example", Opt(15)) << "class over global";
    EXPECT_EQ(std::string("\xc0\x00\x02\x7c", 4), Opt(42)) << "subnet over class and global";
    EXPECT_EQ(std::string("\xc0\x00\x02\x4d", 4), Opt(7)) << "only the class has it";
    EXPECT_EQ("<none>", Opt(2)) << "additional class not evaluated yet";
    EXPECT_EQ("<none>", Opt(8)) << "not in VENDOR_CLASS_docsis3.0";
    EXPECT_EQ(ip("192.0.2.9"), parsed.siaddr);
    EXPECT_STREQ("tftp-a", (const char *)parsed.sname);
    EXPECT_STREQ("pxelinux.0", (const char *)parsed.file);
}

TEST_F(ClassReply, AdditionalClassOptionsAndReservationWins)
{
    Packet(2, "PXEClient", nullptr, DHCPDISCOVER, { 2, 10 });
    classify_host(&st, cfg, Host(2));
    classify_additional(&st, cfg, &cfg->subnets[1].pools[0].additional);
    classify_additional(&st, cfg, &cfg->subnets[1].additional);
    Build(Host(2), &cfg->subnets[1].pools[0]);
    EXPECT_EQ(std::string("\x00\x00\x00\x3c", 4), Opt(2));
    EXPECT_EQ(std::string("\xc0\x00\x02\x58", 4), Opt(10));
    EXPECT_STREQ("host.bin", (const char *)parsed.file) << "reservation over class";
    EXPECT_EQ(ip("192.0.2.9"), parsed.siaddr) << "class next-server, the host sets none";
}

TEST_F(ClassReply, FirstClassWithAFieldWins)
{
    Packet(1, "PXEClient", nullptr);
    classify_host(&st, cfg, Host(1));
    ASSERT_TRUE(in("gold-known"));
    Build(nullptr, nullptr);
    EXPECT_STREQ("pxelinux.0", (const char *)parsed.file) << "pxe joined before gold-known";
    const struct cfg_class *c = classify_first_with(&st, cfg, CLASS_F_LIFETIME);
    EXPECT_EQ(nullptr, c);
    Packet(1, nullptr, "port-7");
    c = classify_first_with(&st, cfg, CLASS_F_LIFETIME);
    ASSERT_NE(nullptr, c);
    EXPECT_STREQ("relayed", c->name);
}

TEST_F(ClassReply, ClassTaggedOptions)
{
    // nis-servers (41) three times in the global scope: tagged relayed,
    // tagged pxe|gold, untagged; nisplus-servers (65) tagged gold, always sent.
    Packet(3, "PXEClient", nullptr, DHCPDISCOVER, { 41 });
    classify_host(&st, cfg, nullptr);
    Build(nullptr, nullptr);
    EXPECT_EQ(std::string("\xc0\x00\x02\x2a", 4), Opt(41)) << "pxe: the second instance";
    EXPECT_EQ("<none>", Opt(65)) << "tagged gold, not sent to others even with always-send";
    Packet(3, nullptr, nullptr, DHCPDISCOVER, { 41 });
    classify_host(&st, cfg, nullptr);
    Build(nullptr, nullptr);
    EXPECT_EQ(std::string("\xc0\x00\x02\x2b", 4), Opt(41)) << "no class: the untagged one";
    Packet(1, nullptr, "port-7", DHCPDISCOVER, { 41 });
    classify_host(&st, cfg, Host(1));
    Build(nullptr, nullptr);
    EXPECT_EQ(std::string("\xc0\x00\x02\x29", 4), Opt(41)) << "relayed: the first instance";
    EXPECT_EQ(std::string("\xc0\x00\x02\x2c", 4), Opt(65)) << "gold, always-send";
}

// Config refusals, each with its JSON path.
struct Bad {
    const char *classes;
    const char *want;
};

TEST(ClassConfig, Refusals)
{
    const Bad cases[] = {
        { R"J([ { "test": "'a' == 'a'" } ])J", "Dhcp4.client-classes[0]: a client class needs a non-empty 'name'" },
        { R"J([ { "name": "" } ])J", "Dhcp4.client-classes[0]: a client class needs a non-empty 'name'" },
        { R"J([ { "name": "a" }, { "name": "a" } ])J", "Dhcp4.client-classes[1].name: class 'a' is defined more than once" },
        { R"J([ { "name": "KNOWN" } ])J", "Dhcp4.client-classes[0].name: 'KNOWN' is a built-in class" },
        { R"J([ { "name": "a", "test": "member('b')" }, { "name": "b" } ])J",
          "Dhcp4.client-classes[0].test: column 8: class 'b' is not defined before this one" },
        { R"J([ { "name": "a", "test": "member('a')" } ])J", "Dhcp4.client-classes[0].test: column 8: class 'a'" },
        { R"J([ { "name": "a" }, { "name": "b", "test": "option[60].hex" } ])J",
          "Dhcp4.client-classes[1].test: column 1: the expression is a string value, not a condition" },
        { R"J([ { "name": "a", "template-test": "option[60].hex" } ])J",
          "Dhcp4.client-classes[0].template-test: template classes (SPAWN_) are not supported yet" },
        { R"J([ { "name": "a", "option-def": [ { "name": "x", "code": 224, "type": "string" } ] } ])J",
          "Dhcp4.client-classes[0].option-def: option definitions inside a client class are not supported yet" },
        { R"J([ { "name": "a", "next-server": "x" } ])J", "Dhcp4.client-classes[0].next-server: 'x' is not an IPv4 address" },
        { R"J([ { "name": "a", "valid-lifetime": 10, "max-valid-lifetime": 5 } ])J",
          "Dhcp4.client-classes[0].max-valid-lifetime: valid-lifetime (10) is greater than max-valid-lifetime (5)" },
        { R"J([ { "name": "a", "only-if-required": true, "only-in-additional-list": false } ])J",
          "Dhcp4.client-classes[0]: only-if-required and only-in-additional-list disagree" },
        { R"J([ { "name": "a", "option-data": [ { "name": "routers", "data": "x" } ] } ])J",
          "Dhcp4.client-classes[0].option-data[0].data: " },
        { R"J([ { "name": "a", "boot-file-name": 5 } ])J", "Dhcp4.client-classes[0].boot-file-name: expected a string" },
        { R"J([ { "name": "a", "bogus": 1 } ])J", "Dhcp4.client-classes[0]" },
        { R"J({ "name": "a" })J", "Dhcp4.client-classes: expected" },
    };
    for (const auto &c : cases) {
        std::string text = std::string("{\"Dhcp4\": {\"client-classes\": ") + c.classes + "}}";
        struct cfg4 *cfg = nullptr;
        char err[512] = "";
        EXPECT_EQ(-1, cfg4_parse(text.c_str(), "t", &cfg, err, sizeof(err))) << text;
        EXPECT_EQ(nullptr, cfg);
        EXPECT_EQ(0, strncmp(err, c.want, strlen(c.want))) << text << "\n got:  " << err << "\n want: " << c.want;
    }
}

TEST(ClassConfig, BuiltinAndPrefixNamesNeedNoDefinition)
{
    const char *text = R"J({"Dhcp4": {"client-classes": [
        { "name": "a", "test": "member('ALL') and not member('BOOTP') or member('VENDOR_CLASS_x') or member('EXTERNAL_y') or known or unknown" },
        { "name": "b", "test": "member('a')" } ]}})J";
    struct cfg4 *cfg = nullptr;
    char err[512];
    ASSERT_EQ(0, cfg4_parse(text, "t", &cfg, err, sizeof(err))) << err;
    int found = 0;
    for (size_t i = 0; i < cfg->n_classes; i++)
        if (!strcmp(cfg->classes[i].name, "a") || !strcmp(cfg->classes[i].name, "b")) {
            found++;
            EXPECT_TRUE(cfg->classes[i].defined);
            EXPECT_TRUE(cfg->classes[i].depends_known) << cfg->classes[i].name << " (b through a)";
        }
    EXPECT_EQ(2, found);
    cfg4_free(cfg);
}

}  // namespace

namespace {

// A global option tagged with a class gives that name an index before the
// class is defined: evaluation must still follow the definitions.
TEST(ClassConfig, EvaluationFollowsDefinitionsNotIndices)
{
    const char *text = R"J({"Dhcp4": {
        "option-data": [ { "name": "domain-name", "data": "b.example", "client-classes": [ "b" ] } ],
        "client-classes": [ { "name": "a", "test": "option[60].exists" },
                            { "name": "b", "test": "member('a')" } ]}})J";
    struct cfg4 *cfg = nullptr;
    char err[512];
    ASSERT_EQ(0, cfg4_parse(text, "t", &cfg, err, sizeof(err))) << err;
    ASSERT_STREQ("b", cfg->classes[CLASS_BUILTINS].name);
    struct pkt4_out o;
    pkt4_out_init(&o, BOOTREQUEST);
    o.hlen = 6;
    uint8_t mt = DHCPDISCOVER;
    pkt4_out_put(&o, OPT_MESSAGE_TYPE, &mt, 1);
    pkt4_out_put(&o, OPT_VENDOR_CLASS_ID, "x", 1);
    ASSERT_GE(pkt4_out_finish(&o, 576), 0);
    struct pkt4 req;
    ASSERT_EQ(PKT4_OK, pkt4_parse(&req, o.buf, o.len));
    static struct class_state st;
    classify_begin(&st, cfg, &req, "eth0", 0, 0, (uint32_t)o.len);
    EXPECT_TRUE(class_member(st.bits, CLASS_BUILTINS)) << "b sees a";
    EXPECT_TRUE(class_member(st.bits, CLASS_BUILTINS + 1));
    cfg4_free(cfg);
}

}  // namespace

// ---- class guards in shared networks (server/dhcp4_network.c) -------------

namespace {

const char *kNetConfig = R"J({"Dhcp4": {
  "valid-lifetime": 1000,
  "client-classes": [
    { "name": "gold", "test": "option[60].hex == 'gold'" },
    { "name": "silver", "test": "option[60].hex == 'silver' or option[60].hex == 'gold'" },
    { "name": "net-late", "only-in-additional-list": true }
  ],
  "shared-networks": [
    { "name": "gold-net", "client-class": "gold", "interface": "eth9",
      "evaluate-additional-classes": [ "net-late" ],
      "subnet4": [ { "id": 10, "subnet": "198.51.100.0/26",
                     "pools": [ { "pool": "198.51.100.10 - 198.51.100.11" } ] } ] },
    { "name": "open-net", "interface": "eth9",
      "subnet4": [
        { "id": 20, "subnet": "192.0.2.0/26", "pools": [ { "pool": "192.0.2.10 - 192.0.2.11" } ] },
        { "id": 21, "subnet": "192.0.2.64/26", "client-class": "silver",
          "pools": [ { "pool": "192.0.2.70 - 192.0.2.71" } ],
          "reservations": [ { "hw-address": "02:00:00:00:00:05", "ip-address": "192.0.2.99" } ] },
        { "id": 22, "subnet": "192.0.2.128/26", "pools": [ { "pool": "192.0.2.130 - 192.0.2.131" } ] } ] }
  ]
}})J";

const struct cfg_host *net_host(const struct cfg4 *cfg, const struct cfg_subnet4 *sn,
                                const struct pkt4 *req, const void *)
{
    return cfg4_host_find(cfg, sn->id, HOST_ID_HWADDR, req->chaddr, 6);
}

class NetworkGuard : public ::testing::Test {
protected:
    struct cfg4 *cfg = nullptr;
    struct lease_store *store = nullptr;
    struct pkt4 req;
    struct class_state st;
    struct io_iface ifc = {};

    void SetUp() override
    {
        char err[512];
        ASSERT_EQ(0, cfg4_parse(kNetConfig, "test", &cfg, err, sizeof(err))) << err;
        struct memfile_params mp = {};
        mp.persist = false;
        struct memfile_load_stats ls;
        ASSERT_EQ(0, memfile_open(&mp, &store, &ls, err, sizeof(err))) << err;
        strcpy(ifc.name, "eth9");
    }
    void TearDown() override
    {
        if (store)
            store->ops->close(store);
        cfg4_free(cfg);
    }
    // A DISCOVER (or a BOOTREQUEST: msg 0) from 02:..:last with option 60.
    void Packet(uint8_t last, const char *vendor, uint8_t msg = DHCPDISCOVER)
    {
        ClassifyRequest(cfg, &req, &st, last, vendor, msg);
    }
    const struct cfg_subnet4 *Sub(uint32_t id) { return cfg4_subnet_by_id(cfg, id); }
    struct network_choice Pick(uint32_t hint, bool hint_first)
    {
        struct alloc_client c = {};
        c.hw = req.chaddr;
        c.hwlen = 6;
        struct network_choice nc = { Sub(20), nullptr, nullptr, st.bits };
        network_pick(store, cfg, &req, &c, hint, hint_first, net_host, &nc);
        return nc;
    }
};

TEST_F(NetworkGuard, NetworkGuardAppliesToItsSubnets)
{
    Packet(1, nullptr);
    EXPECT_FALSE(subnet_allows(Sub(10), st.bits)) << "not gold: the network refuses";
    EXPECT_TRUE(subnet_allows(Sub(20), st.bits));
    EXPECT_FALSE(subnet_allows(Sub(21), st.bits));
    const struct cfg_subnet4 *sn = subnet_select(cfg, &req, nullptr, &ifc, st.bits);
    ASSERT_NE(nullptr, sn);
    EXPECT_EQ(20u, sn->id) << "the guarded network is skipped for the next interface match";
    EXPECT_EQ(20u, subnet_select(cfg, &req, nullptr, &ifc, nullptr)->id);

    Packet(2, "gold");
    EXPECT_TRUE(subnet_allows(Sub(10), st.bits));
    EXPECT_TRUE(subnet_allows(Sub(21), st.bits));
    sn = subnet_select(cfg, &req, nullptr, &ifc, st.bits);
    ASSERT_NE(nullptr, sn);
    EXPECT_EQ(10u, sn->id);
}

TEST_F(NetworkGuard, NextSkipsSubnetsTheClassesDoNotAllow)
{
    Packet(1, nullptr);
    const struct cfg_subnet4 *s20 = Sub(20);
    const struct cfg_subnet4 *n = network_next(cfg, s20, s20, st.bits);
    ASSERT_NE(nullptr, n);
    EXPECT_EQ(22u, n->id) << "21 is silver only";
    EXPECT_EQ(nullptr, network_next(cfg, s20, n, st.bits)) << "back at the start";
    EXPECT_EQ(22u, network_next(cfg, s20, s20, nullptr)->id);
    // Starting in the last subnet wraps around past the guarded one.
    EXPECT_EQ(20u, network_next(cfg, Sub(22), Sub(22), st.bits)->id);
    EXPECT_EQ(nullptr, network_next(cfg, Sub(22), Sub(20), st.bits));
    EXPECT_EQ(nullptr, network_next(cfg, Sub(10), Sub(10), st.bits)) << "one subnet: nowhere to go";

    Packet(2, "silver");
    n = network_next(cfg, s20, s20, st.bits);
    ASSERT_NE(nullptr, n);
    EXPECT_EQ(21u, n->id);
    n = network_next(cfg, s20, n, st.bits);
    ASSERT_NE(nullptr, n);
    EXPECT_EQ(22u, n->id);
    EXPECT_EQ(nullptr, network_next(cfg, s20, n, st.bits));
}

TEST_F(NetworkGuard, ReservationInAGuardedSiblingNeedsTheClass)
{
    Packet(5, nullptr);
    struct network_choice nc = Pick(0, false);
    EXPECT_EQ(20u, nc.subnet->id) << "the reservation sits in silver-only 21";
    EXPECT_EQ(nullptr, nc.host);
    Packet(5, "silver");
    nc = Pick(0, false);
    EXPECT_EQ(21u, nc.subnet->id);
    ASSERT_NE(nullptr, nc.host);
    EXPECT_EQ(ip("192.0.2.99"), nc.host->ip);
}

TEST_F(NetworkGuard, RequestedAddressInAGuardedSiblingIsNotFollowed)
{
    Packet(6, nullptr, DHCPREQUEST);
    EXPECT_EQ(20u, Pick(ip("192.0.2.70"), true).subnet->id);
    EXPECT_EQ(22u, Pick(ip("192.0.2.130"), true).subnet->id);
    Packet(6, "silver", DHCPREQUEST);
    EXPECT_EQ(21u, Pick(ip("192.0.2.70"), true).subnet->id);
}

TEST_F(NetworkGuard, LeaseInAGuardedSiblingDoesNotHoldTheClient)
{
    // The client got a lease in 21 while it was silver.
    Packet(7, "silver", DHCPREQUEST);
    struct alloc_req r = {};
    r.cfg = cfg;
    r.subnet = Sub(21);
    r.client.hw = req.chaddr;
    r.client.hwlen = 6;
    r.valid_lft = 1000;
    r.classes = st.bits;
    r.now = time(nullptr);
    struct lease4 l;
    ASSERT_EQ(ALLOC_OK, alloc_request(store, &r, nullptr, nullptr, &l));
    store->ops->flush(store);
    EXPECT_EQ(21u, Pick(0, false).subnet->id) << "still silver: sticky";
    Packet(7, nullptr);
    EXPECT_EQ(20u, Pick(0, false).subnet->id) << "no longer silver: not held there";
}

TEST_F(NetworkGuard, NetworkAdditionalListComesAfterTheSubnets)
{
    Packet(2, "gold");
    const struct cfg_shared_network *net = Sub(10)->network;
    ASSERT_NE(nullptr, net);
    int late = -1;
    for (size_t i = 0; i < cfg->n_classes; i++)
        if (!strcmp(cfg->classes[i].name, "net-late"))
            late = (int)i;
    ASSERT_GE(late, 0);
    EXPECT_FALSE(class_member(st.bits, (unsigned)late));
    classify_additional(&st, cfg, &net->additional);
    EXPECT_TRUE(class_member(st.bits, (unsigned)late));
}

// dhcpd's "deny dynamic bootp clients" as a pool guard: BOOTP requests get
// nothing from the pool, DHCP ones do, a reservation is served regardless.
const char *kBootpConfig = R"J({"Dhcp4": {
  "client-classes": [ { "name": "dhcp-only", "test": "not member('BOOTP')" } ],
  "subnet4": [ { "id": 1, "subnet": "192.0.2.0/24",
    "pools": [ { "pool": "192.0.2.10 - 192.0.2.19", "client-class": "dhcp-only" },
               { "pool": "192.0.2.20 - 192.0.2.29", "client-class": "BOOTP" } ],
    "reservations": [ { "hw-address": "02:00:00:00:00:09", "ip-address": "192.0.2.15" } ] } ]
}})J";

TEST(BootpPoolGuard, DynamicBootpDeniedReservedServed)
{
    struct cfg4 *cfg = nullptr;
    struct lease_store *store = nullptr;
    char err[512];
    ASSERT_EQ(0, cfg4_parse(kBootpConfig, "test", &cfg, err, sizeof(err))) << err;
    struct memfile_params mp = {};
    mp.persist = false;
    struct memfile_load_stats ls;
    ASSERT_EQ(0, memfile_open(&mp, &store, &ls, err, sizeof(err))) << err;

    struct class_state st;
    struct pkt4 req;
    auto classify = [&](uint8_t last, uint8_t msg) {
        ClassifyRequest(cfg, &req, &st, last, nullptr, msg);
        classify_host(&st, cfg, cfg4_host_find(cfg, 1, HOST_ID_HWADDR, req.chaddr, 6));
    };
    auto allocate = [&](uint32_t *addr) {
        struct alloc_req r = {};
        r.cfg = cfg;
        r.subnet = &cfg->subnets[0];
        r.client.hw = req.chaddr;
        r.client.hwlen = 6;
        r.host = cfg4_host_find(cfg, 1, HOST_ID_HWADDR, req.chaddr, 6);
        r.valid_lft = LEASE_INFINITE;
        r.classes = st.bits;
        r.now = time(nullptr);
        struct lease4 l;
        enum alloc_result res = alloc_request(store, &r, nullptr, nullptr, &l);
        store->ops->flush(store);
        *addr = res == ALLOC_OK ? l.addr : 0;
        return res;
    };
    uint32_t a;
    classify(1, 0);   // dynamic BOOTP: only the BOOTP pool
    ASSERT_EQ(ALLOC_OK, allocate(&a));
    EXPECT_GE(a, ip("192.0.2.20"));
    EXPECT_LE(a, ip("192.0.2.29"));
    classify(2, DHCPDISCOVER);   // DHCP: only the dhcp-only pool
    ASSERT_EQ(ALLOC_OK, allocate(&a));
    EXPECT_GE(a, ip("192.0.2.10"));
    EXPECT_LE(a, ip("192.0.2.19"));
    classify(9, 0);   // reserved BOOTP client: its address, in the dhcp-only pool
    ASSERT_EQ(ALLOC_OK, allocate(&a));
    EXPECT_EQ(ip("192.0.2.15"), a);
    // Without the BOOTP pool, a dynamic BOOTP client gets nothing at all.
    cfg->subnets[0].n_pools = 1;
    classify(3, 0);
    EXPECT_EQ(ALLOC_EXHAUSTED, allocate(&a));
    cfg->subnets[0].n_pools = 2;   // freed as parsed
    store->ops->close(store);
    cfg4_free(cfg);
}

} // namespace
