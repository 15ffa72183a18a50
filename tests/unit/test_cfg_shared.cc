// Unit tests for shared-networks[] (server/cfg_shared.c): subnets of a
// network land in cfg4.subnets after the top-level ones and point at their
// network, parameters resolve global -> network -> subnet, interface and
// relay are inherited, and mistakes are refused with their JSON path.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "server/cfg.h"

namespace {

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

const char *kTwoNets =
    "\"valid-lifetime\": 1000, \"renew-timer\": 100, \"boot-file-name\": \"global.img\", "
    "\"subnet4\": [ { \"id\": 1, \"subnet\": \"198.51.100.0/24\" } ], "
    "\"shared-networks\": [ "
    "  { \"name\": \"a\", \"valid-lifetime\": 2000, \"authoritative\": true, "
    "    \"interface\": \"veth-a\", \"relay\": { \"ip-addresses\": [ \"198.18.0.1\" ] }, "
    "    \"next-server\": \"192.0.2.250\", \"match-client-id\": false, "
    "    \"option-data\": [ { \"name\": \"domain-name-servers\", \"data\": \"192.0.2.53\" } ], "
    "    \"subnet4\": [ { \"subnet\": \"192.0.2.0/26\" }, "
    "                   { \"subnet\": \"192.0.2.64/26\", \"valid-lifetime\": 3000, "
    "                     \"boot-file-name\": \"sub.img\" } ] }, "
    "  { \"name\": \"b\", \"subnet4\": [ { \"id\": 9, \"subnet\": \"192.0.2.128/26\" } ] } ]";

TEST(CfgShared, SubnetsFollowTheTopLevelOnesAndPointAtTheirNetwork)
{
    Cfg p(kTwoNets);
    ASSERT_EQ(0, p.rc) << p.err;
    ASSERT_EQ(4u, p.c->n_subnets);
    ASSERT_EQ(2u, p.c->n_networks);
    EXPECT_EQ(nullptr, p.c->subnets[0].network);
    EXPECT_EQ(&p.c->networks[0], p.c->subnets[1].network);
    EXPECT_EQ(&p.c->networks[0], p.c->subnets[2].network);
    EXPECT_EQ(&p.c->networks[1], p.c->subnets[3].network);
    EXPECT_STREQ("a", p.c->networks[0].name);
    EXPECT_EQ(1u, p.c->networks[0].first_subnet);
    EXPECT_EQ(2u, p.c->networks[0].n_subnets);
    EXPECT_EQ(3u, p.c->networks[1].first_subnet);
    // Ids: explicit 1 and 9 kept, the missing ones are the lowest unused.
    EXPECT_EQ(1u, p.c->subnets[0].id);
    EXPECT_EQ(2u, p.c->subnets[1].id);
    EXPECT_EQ(3u, p.c->subnets[2].id);
    EXPECT_EQ(9u, p.c->subnets[3].id);
    EXPECT_EQ(&p.c->subnets[2], cfg4_subnet_by_id(p.c, 3));
    ASSERT_EQ(1u, p.c->networks[0].options.n);
    EXPECT_EQ(6, p.c->networks[0].options.v[0].code);
}

TEST(CfgShared, ParametersResolveGlobalThenNetworkThenSubnet)
{
    Cfg p(kTwoNets);
    ASSERT_EQ(0, p.rc) << p.err;
    const cfg_subnet4 *top = &p.c->subnets[0], *a0 = &p.c->subnets[1], *a1 = &p.c->subnets[2],
                      *b0 = &p.c->subnets[3];
    EXPECT_EQ(1000u, top->valid_lft);
    EXPECT_EQ(2000u, a0->valid_lft);      // network
    EXPECT_EQ(3000u, a1->valid_lft);      // subnet
    EXPECT_EQ(1000u, b0->valid_lft);      // global through a network that sets nothing
    EXPECT_EQ(100u, a0->renew_timer);     // global
    EXPECT_TRUE(a0->authoritative);
    EXPECT_FALSE(b0->authoritative);
    EXPECT_FALSE(a0->match_client_id);
    EXPECT_TRUE(b0->match_client_id);
    EXPECT_TRUE(a1->has_next_server);
    EXPECT_EQ(0xc00002fau, a1->next_server);
    EXPECT_STREQ("global.img", a0->boot_file_name);
    EXPECT_STREQ("sub.img", a1->boot_file_name);
    // interface and relay come from the network.
    ASSERT_NE(nullptr, a1->interface);
    EXPECT_STREQ("veth-a", a1->interface);
    ASSERT_EQ(1u, a1->n_relay);
    EXPECT_EQ(0xc6120001u, a1->relay_addrs[0]);
    EXPECT_EQ(nullptr, b0->interface);
    EXPECT_EQ(0u, b0->n_relay);
}

struct BadCase {
    const char *body;
    const char *error;
};

TEST(CfgShared, MistakesAreRefusedWithTheirPath)
{
    const BadCase cases[] = {
        { "\"shared-networks\": [ { \"name\": \"\" } ]",
          "Dhcp4.shared-networks[0].name: the shared network name must not be empty" },
        { "\"shared-networks\": [ { \"name\": \"x\", \"bogus\": 1 } ]",
          "Dhcp4.shared-networks[0].bogus: unknown parameter" },
        { "\"shared-networks\": [ { \"name\": \"x\", \"subnet4\": [ { \"id\": 1, \"subnet\": \"192.0.2.0/26\" }, "
          "{ \"id\": 1, \"subnet\": \"192.0.2.64/26\" } ] } ]",
          "Dhcp4.shared-networks[0].subnet4[1].id: subnet id 1 is already used by "
          "shared-networks[0].subnet4[0]" },
        // The network's rebind-timer is the parent value the subnet's renew-timer is checked against.
        { "\"shared-networks\": [ { \"name\": \"x\", \"rebind-timer\": 40, \"subnet4\": [ "
          "{ \"subnet\": \"192.0.2.0/26\", \"renew-timer\": 50 } ] } ]",
          "Dhcp4.shared-networks[0].subnet4[0].renew-timer: renew-timer (50) is greater than "
          "rebind-timer (40)" },
        { "\"shared-networks\": [ { \"name\": \"x\", \"subnet4\": [ "
          "{ \"subnet\": \"192.0.2.0/26\", \"authoritative\": true }, { \"subnet\": \"192.0.2.64/26\" } ] } ]",
          "Dhcp4.shared-networks[0].subnet4[1].authoritative: all subnets of shared network 'x' "
          "must have the same authoritative value" },
        { "\"shared-networks\": [ { \"name\": \"x\", \"relay\": { \"ip-addresses\": [ \"nope\" ] } } ]",
          "Dhcp4.shared-networks[0].relay.ip-addresses[0]: 'nope' is not an IPv4 address" },
        { "\"shared-networks\": [ { \"name\": \"x\", \"option-data\": [ { \"name\": \"routers\", "
          "\"data\": \"1.2.3\" } ] } ]",
          "Dhcp4.shared-networks[0].option-data[0].data: '1.2.3' is not an IPv4 address" },
        { "\"shared-networks\": [ { \"name\": \"x\", \"client-class\": \"gold\", "
          "\"client-classes\": [ \"silver\" ] } ]",
          "Dhcp4.shared-networks[0]: client-class and client-classes cannot both be set" },
        { "\"shared-networks\": [ { \"name\": \"x\", \"client-classes\": [ \"\" ] } ]",
          "Dhcp4.shared-networks[0].client-classes[0]: a class name must not be empty" },
        { "\"shared-networks\": [ { \"name\": \"x\", \"client-classes\": \"gold\" } ]",
          "Dhcp4.shared-networks[0].client-classes: " },
        { "\"shared-networks\": [ { \"name\": \"x\", \"require-client-classes\": [ \"a\" ], "
          "\"evaluate-additional-classes\": [ \"b\" ] } ]",
          "Dhcp4.shared-networks[0]: require-client-classes and evaluate-additional-classes cannot "
          "both be set" },
        { "\"shared-networks\": [ { \"name\": \"x\", \"evaluate-additional-classes\": [ 7 ] } ]",
          "Dhcp4.shared-networks[0].evaluate-additional-classes" },
        { "\"shared-networks\": [ { \"name\": \"x\", \"subnet4\": [ { \"subnet\": \"192.0.2.0/26\", "
          "\"reservations\": [ { \"hw-address\": \"02:00:00:00:00:01\" }, "
          "{ \"hw-address\": \"02:00:00:00:00:01\" } ] } ] } ]",
          "Dhcp4.shared-networks[0].subnet4[0].reservations[1]" },
    };
    for (const BadCase &c : cases) {
        Cfg p(c.body);
        EXPECT_EQ(-1, p.rc) << c.body;
        EXPECT_EQ(0u, p.err.rfind(c.error, 0)) << "got: " << p.err << "\nwant: " << c.error;
    }
}

// A network's guard and additional list are class indices like a subnet's
// (classes named only there are registered); the guard is the network's,
// not copied into its subnets, which keep their own.
TEST(CfgShared, ClassGuardAndAdditionalListOfANetwork)
{
    Cfg p("\"client-classes\": [ { \"name\": \"gold\", \"test\": \"option[60].hex == 'g'\" }, "
          "  { \"name\": \"late\", \"only-in-additional-list\": true } ], "
          "\"shared-networks\": [ "
          "  { \"name\": \"a\", \"client-class\": \"gold\", \"require-client-classes\": [ \"late\" ], "
          "    \"subnet4\": [ { \"id\": 1, \"subnet\": \"192.0.2.0/26\", \"client-classes\": [ \"silver\" ] }, "
          "                   { \"id\": 2, \"subnet\": \"192.0.2.64/26\" } ] }, "
          "  { \"name\": \"b\", \"client-classes\": [ \"silver\", \"gold\" ], "
          "    \"evaluate-additional-classes\": [ \"late\", \"other\" ] }, "
          "  { \"name\": \"c\", \"client-class\": \"\" } ]");
    ASSERT_EQ(0, p.rc) << p.err;
    auto idx = [&](const char *name) {
        for (size_t i = 0; i < p.c->n_classes; i++)
            if (!strcmp(p.c->classes[i].name, name))
                return (int)i;
        ADD_FAILURE() << "no class " << name;
        return -1;
    };
    const cfg_shared_network &a = p.c->networks[0], &b = p.c->networks[1], &c = p.c->networks[2];
    ASSERT_EQ(1u, a.guard.n);
    EXPECT_EQ(idx("gold"), a.guard.idx[0]);
    ASSERT_EQ(1u, a.additional.n);
    EXPECT_EQ(idx("late"), a.additional.idx[0]);
    ASSERT_EQ(2u, b.guard.n);
    EXPECT_EQ(idx("silver"), b.guard.idx[0]);
    EXPECT_EQ(idx("gold"), b.guard.idx[1]);
    ASSERT_EQ(2u, b.additional.n);
    EXPECT_EQ(idx("other"), b.additional.idx[1]);
    EXPECT_EQ(0u, c.guard.n) << "an empty client-class is no guard (Kea)";
    ASSERT_EQ(1u, p.c->subnets[0].guard.n);
    EXPECT_EQ(idx("silver"), p.c->subnets[0].guard.idx[0]);
    EXPECT_EQ(0u, p.c->subnets[1].guard.n);
}

TEST(CfgShared, EmptyNetworkIsAccepted)
{
    Cfg p("\"shared-networks\": [ { \"name\": \"later\" } ]");
    ASSERT_EQ(0, p.rc) << p.err;
    EXPECT_EQ(1u, p.c->n_networks);
    EXPECT_EQ(0u, p.c->n_subnets);
}

} // namespace
