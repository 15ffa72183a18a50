// Unit tests for the configuration parser (server/cfg.h): Kea Dhcp4 JSON
// with comments, resolved defaults and inheritance, every refusal with its
// exact JSON path, options, reservations and their lookup tables, and the
// example configs under tests/configs and doc/examples.
//
// Expected values come from the Kea ARM / spec (defaults, wire bytes of
// options per RFC 2132) and from the configs written in each test.

#include <gtest/gtest.h>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "server/cfg.h"

namespace {

using Bytes = std::vector<uint8_t>;

struct Parsed {
    cfg4 *c = nullptr;
    std::string err;
    int rc = -1;
    Parsed() = default;
    Parsed(const Parsed &) = delete;
    Parsed &operator=(const Parsed &) = delete;
    ~Parsed() { cfg4_free(c); }
};

void parse_into(Parsed &p, const std::string &text)
{
    char err[2048];
    std::memset(err, 'x', sizeof(err));
    p.rc = cfg4_parse(text.c_str(), "test.json", &p.c, err, sizeof(err));
    p.err = err;
}

// A config whose Dhcp4 map holds `body`.
std::string dhcp4(const std::string &body)
{
    return "{ \"Dhcp4\": { " + body + " } }";
}

// `subnet_body` inside one subnet 192.0.2.0/24 with id 1.
std::string subnet(const std::string &subnet_body, const std::string &global = "")
{
    return dhcp4(global + (global.empty() ? "" : ", ") +
                 "\"subnet4\": [ { \"id\": 1, \"subnet\": \"192.0.2.0/24\"" +
                 (subnet_body.empty() ? "" : ", ") + subnet_body + " } ]");
}

// Parse text that must load; fails the test with the error otherwise.
#define PARSE_OK(p, text)                                  \
    do {                                                   \
        parse_into(p, text);                               \
        ASSERT_EQ(0, (p).rc) << (p).err;                   \
        ASSERT_NE(nullptr, (p).c);                         \
    } while (0)

std::string error_of(const std::string &text)
{
    Parsed p;
    parse_into(p, text);
    EXPECT_EQ(-1, p.rc) << "unexpectedly accepted: " << text;
    EXPECT_EQ(nullptr, p.c);
    return p.err;
}

bool starts_with(const std::string &s, const std::string &prefix)
{
    return s.compare(0, prefix.size(), prefix) == 0;
}

uint32_t ip(const char *s)
{
    unsigned a, b, c, d;
    EXPECT_EQ(4, std::sscanf(s, "%u.%u.%u.%u", &a, &b, &c, &d)) << s;
    return a << 24 | b << 16 | c << 8 | d;
}

Bytes option_bytes(const cfg_options &o, uint8_t code)
{
    for (size_t i = 0; i < o.n; i++)
        if (o.v[i].code == code)
            return Bytes(o.v[i].data, o.v[i].data + o.v[i].len);
    ADD_FAILURE() << "option " << int(code) << " not found";
    return {};
}

bool has_warning(const cfg4 *c, const std::string &line)
{
    if (c->warnings == nullptr)
        return false;
    std::istringstream in(c->warnings);
    for (std::string l; std::getline(in, l);)
        if (l == line)
            return true;
    return false;
}

// ---- Syntax: comments, positions, duplicates --------------------------

TEST(CfgSyntax, AllThreeCommentKindsAreStripped)
{
    Parsed p;
    PARSE_OK(p, "# shell comment\n"
                "{ // line comment\n"
                "  \"Dhcp4\": { /* block\n"
                "     comment */ \"valid-lifetime\": 1234, # trailing\n"
                "    \"decline-probation-period\": /* inline */ 77 // end\n"
                "  }\n"
                "}\n");
    EXPECT_EQ(77u, p.c->decline_probation_period);
    Parsed q;
    PARSE_OK(q, subnet(""));
    EXPECT_EQ(7200u, q.c->subnets[0].valid_lft);
}

TEST(CfgSyntax, CommentMarkersInsideStringsAreData)
{
    Parsed p;
    PARSE_OK(p, subnet("\"boot-file-name\": \"http://boot/#x/*y*/\", "
                       "\"server-hostname\": \"a//b#c\""));
    EXPECT_STREQ("http://boot/#x/*y*/", p.c->subnets[0].boot_file_name);
    EXPECT_STREQ("a//b#c", p.c->subnets[0].server_hostname);
}

TEST(CfgSyntax, ErrorNamesLineAndColumnOfTheOffendingCharacter)
{
    // Line 3, the second number "00" starts at column 26.
    std::string e = error_of("{\n  \"Dhcp4\": {\n    \"valid-lifetime\": 36 00\n  }\n}\n");
    EXPECT_TRUE(starts_with(e, "test.json:3:26: ")) << e;
    EXPECT_GT(e.size(), std::strlen("test.json:3:26: ")) << "json-c's reason is missing";
}

TEST(CfgSyntax, CommentsDoNotShiftPositions)
{
    // A multi-line block comment and a # comment before the error: the
    // missing comma is detected at line 5, column 5.
    std::string e = error_of("{ /* one\n two\n three */ \"Dhcp4\": { # x\n"
                             "  \"valid-lifetime\": 1\n"
                             "    \"renew-timer\": 2 } }");
    EXPECT_TRUE(starts_with(e, "test.json:5:5: ")) << e;
}

TEST(CfgSyntax, DuplicateKeyIsAnErrorWithItsPosition)
{
    std::string e = error_of("{\"Dhcp4\": {\n \"valid-lifetime\": 1,\n \"valid-lifetime\": 2 } }");
    EXPECT_EQ("test.json:3:2: duplicate key 'valid-lifetime'", e);
    e = error_of(subnet("\"pools\": [ { \"pool\": \"192.0.2.10 - 192.0.2.20\", "
                        "\"pool\": \"192.0.2.30 - 192.0.2.40\" } ]"));
    EXPECT_NE(std::string::npos, e.find("duplicate key 'pool'")) << e;
    e = error_of("{ \"Dhcp4\": {}, \"Dhcp4\": {} }");
    EXPECT_EQ("test.json:1:16: duplicate key 'Dhcp4'", e);
}

TEST(CfgSyntax, SameKeyInSiblingMapsIsNotADuplicate)
{
    Parsed p;
    PARSE_OK(p, dhcp4("\"subnet4\": [ { \"id\": 1, \"subnet\": \"192.0.2.0/24\" }, "
                      "{ \"id\": 2, \"subnet\": \"198.51.100.0/24\" } ]"));
    EXPECT_EQ(2u, p.c->n_subnets);
}

TEST(CfgSyntax, TrailingCommasAreAcceptedWithAWarning)
{
    Parsed p;
    PARSE_OK(p, "{ \"Dhcp4\": { \"interfaces-config\": { \"interfaces\": [ \"eth0\", ], }, }, }");
    ASSERT_EQ(1u, p.c->n_ifaces);
    EXPECT_STREQ("eth0", p.c->ifaces[0].name);
    EXPECT_TRUE(has_warning(p.c, "test.json:1:59: trailing comma ignored")) << p.c->warnings;
    // A comma with nothing before it is still an error.
    error_of("{ \"Dhcp4\": { \"option-data\": [ , ] } }");
}

TEST(CfgSyntax, NonStandardJsonIsRejected)
{
    error_of(dhcp4("\"valid-lifetime\": 0x1c20"));          // hex integers
    error_of(dhcp4("\"echo-client-id\": TRUE"));            // Kea booleans are lowercase
    error_of(dhcp4("\"server-hostname\": 'x'"));            // single quotes
    error_of(dhcp4("\"valid-lifetime\": 0100"));            // leading zero
    error_of("{ \"Dhcp4\": { } } trailing");
    std::string e = error_of("{ \"Dhcp4\": {\n /* never closed \n } }");
    EXPECT_EQ("test.json:2:2: unterminated comment", e);
}

TEST(CfgSyntax, TopLevelShape)
{
    EXPECT_EQ("Dhcp4: not found in the top-level map", error_of("{ \"Dhcp6\": {} }"));
    EXPECT_TRUE(starts_with(error_of("[ 1, 2 ]"), "test.json:1:1: the top level must be a map"));
    EXPECT_EQ("Dhcp4: expected a map, got a list", error_of("{ \"Dhcp4\": [] }"));
    Parsed p;
    PARSE_OK(p, "{ \"Dhcp6\": { \"anything\": 1 }, \"Logging\": {}, \"Dhcp4\": {} }");
    Parsed bom;   // a UTF-8 byte order mark some editors write
    PARSE_OK(bom, "\xef\xbb\xbf{ \"Dhcp4\": { \"valid-lifetime\": 5 } }");
}

// ---- Defaults and inheritance -------------------------------------------

TEST(CfgDefaults, GlobalDefaultsFollowKea)
{
    Parsed p;
    PARSE_OK(p, dhcp4(""));
    const cfg4 *c = p.c;
    EXPECT_EQ(0u, c->n_subnets);
    EXPECT_EQ(CFG_SOCKET_RAW, c->socket_type);
    EXPECT_FALSE(c->all_ifaces);
    EXPECT_EQ(86400u, c->decline_probation_period);
    EXPECT_TRUE(c->echo_client_id);
    EXPECT_FALSE(c->authoritative);
    EXPECT_EQ(10u, c->expired.reclaim_timer_wait_time);
    EXPECT_EQ(25u, c->expired.flush_reclaimed_timer_wait_time);
    EXPECT_EQ(3600u, c->expired.hold_reclaimed_time);
    EXPECT_EQ(100u, c->expired.max_reclaim_leases);
    EXPECT_EQ(250u, c->expired.max_reclaim_time);
    EXPECT_EQ(5u, c->expired.unwarned_reclaim_cycles);
    EXPECT_STREQ("memfile", c->lease_db.type);
    EXPECT_STREQ("/var/lib/dora/dora-leases4.csv", c->lease_db.name);
    EXPECT_TRUE(c->lease_db.persist);
    EXPECT_EQ(3600u, c->lease_db.lfc_interval);
    EXPECT_EQ(0u, c->lease_db.max_row_errors);
    EXPECT_EQ(0u, c->n_hosts_dbs);
    EXPECT_TRUE(c->mt.enable);
    EXPECT_EQ(0u, c->mt.thread_pool_size);
    EXPECT_EQ(64u, c->mt.packet_queue_size);
    EXPECT_EQ(LOG_SEV_INFO, c->logging.severity);
    EXPECT_STREQ("stdout", c->logging.output);
    ASSERT_EQ(4u, c->n_host_ids);
    EXPECT_EQ(HOST_ID_HWADDR, c->host_ids[0]);
    EXPECT_EQ(HOST_ID_DUID, c->host_ids[1]);
    EXPECT_EQ(HOST_ID_CIRCUIT_ID, c->host_ids[2]);
    EXPECT_EQ(HOST_ID_CLIENT_ID, c->host_ids[3]);
    EXPECT_EQ(nullptr, c->warnings);
    EXPECT_EQ(nullptr, c->source_path);
}

TEST(CfgDefaults, SubnetDefaultsFollowKea)
{
    Parsed p;
    PARSE_OK(p, subnet(""));
    const cfg_subnet4 &s = p.c->subnets[0];
    EXPECT_EQ(1u, s.id);
    EXPECT_EQ(ip("192.0.2.0"), s.prefix);
    EXPECT_EQ(0xffffff00u, s.mask);
    EXPECT_EQ(24, s.plen);
    EXPECT_EQ(7200u, s.valid_lft);
    EXPECT_EQ(7200u, s.min_valid_lft);
    EXPECT_EQ(7200u, s.max_valid_lft);
    EXPECT_FALSE(s.has_renew_timer);
    EXPECT_FALSE(s.has_rebind_timer);
    EXPECT_FALSE(s.calculate_tee_times);
    EXPECT_DOUBLE_EQ(0.5, s.t1_percent);
    EXPECT_DOUBLE_EQ(0.875, s.t2_percent);
    EXPECT_TRUE(s.match_client_id);
    EXPECT_FALSE(s.authoritative);
    EXPECT_FALSE(s.reservations_global);
    EXPECT_TRUE(s.reservations_in_subnet);
    EXPECT_FALSE(s.reservations_out_of_pool);
    EXPECT_FALSE(s.has_next_server);
    EXPECT_STREQ("", s.server_hostname);
    EXPECT_STREQ("", s.boot_file_name);
    EXPECT_EQ(CFG_ALLOC_ITERATIVE, s.allocator);
    EXPECT_EQ(nullptr, s.interface);
    EXPECT_EQ(0u, s.n_relay);
    EXPECT_EQ(0u, s.n_pools);
    EXPECT_EQ(0u, s.total_addresses);
}

TEST(CfgInherit, GlobalValuesReachSubnetsThatDoNotSetThem)
{
    Parsed p;
    PARSE_OK(p, dhcp4("\"valid-lifetime\": 4000, \"renew-timer\": 1000, \"rebind-timer\": 2000, "
                      "\"calculate-tee-times\": true, \"t1-percent\": 0.4, \"t2-percent\": 0.7, "
                      "\"match-client-id\": false, \"authoritative\": true, "
                      "\"reservations-global\": true, \"reservations-in-subnet\": false, "
                      "\"reservations-out-of-pool\": true, \"next-server\": \"192.0.2.2\", "
                      "\"server-hostname\": \"srv\", \"boot-file-name\": \"boot.bin\", "
                      "\"allocator\": \"random\", "
                      "\"subnet4\": [ { \"id\": 5, \"subnet\": \"192.0.2.0/24\" } ]"));
    const cfg_subnet4 &s = p.c->subnets[0];
    EXPECT_EQ(4000u, s.valid_lft);
    EXPECT_EQ(4000u, s.min_valid_lft);
    EXPECT_EQ(4000u, s.max_valid_lft);
    EXPECT_TRUE(s.has_renew_timer);
    EXPECT_EQ(1000u, s.renew_timer);
    EXPECT_TRUE(s.has_rebind_timer);
    EXPECT_EQ(2000u, s.rebind_timer);
    EXPECT_TRUE(s.calculate_tee_times);
    EXPECT_DOUBLE_EQ(0.4, s.t1_percent);
    EXPECT_DOUBLE_EQ(0.7, s.t2_percent);
    EXPECT_FALSE(s.match_client_id);
    EXPECT_TRUE(s.authoritative);
    EXPECT_TRUE(p.c->authoritative);
    EXPECT_TRUE(s.reservations_global);
    EXPECT_FALSE(s.reservations_in_subnet);
    EXPECT_TRUE(s.reservations_out_of_pool);
    EXPECT_TRUE(s.has_next_server);
    EXPECT_EQ(ip("192.0.2.2"), s.next_server);
    EXPECT_STREQ("srv", s.server_hostname);
    EXPECT_STREQ("boot.bin", s.boot_file_name);
    EXPECT_EQ(CFG_ALLOC_RANDOM, s.allocator);
}

TEST(CfgInherit, SubnetValuesOverrideGlobalOnes)
{
    Parsed p;
    PARSE_OK(p, subnet("\"valid-lifetime\": 600, \"renew-timer\": 100, \"match-client-id\": true, "
                       "\"authoritative\": false, \"next-server\": \"0.0.0.0\", "
                       "\"boot-file-name\": \"other\", \"allocator\": \"iterative\", "
                       "\"t2-percent\": 0.9",
                       "\"valid-lifetime\": 4000, \"renew-timer\": 1000, \"rebind-timer\": 2000, "
                       "\"match-client-id\": false, \"authoritative\": true, "
                       "\"next-server\": \"192.0.2.2\", \"boot-file-name\": \"boot.bin\", "
                       "\"allocator\": \"random\""));
    const cfg_subnet4 &s = p.c->subnets[0];
    EXPECT_EQ(600u, s.valid_lft);
    EXPECT_EQ(100u, s.renew_timer);
    EXPECT_EQ(2000u, s.rebind_timer);   // inherited
    EXPECT_TRUE(s.match_client_id);
    EXPECT_FALSE(s.authoritative);
    EXPECT_TRUE(p.c->authoritative);
    // "0.0.0.0" at subnet level means "no next-server" there.
    EXPECT_FALSE(s.has_next_server);
    EXPECT_STREQ("other", s.boot_file_name);
    EXPECT_EQ(CFG_ALLOC_ITERATIVE, s.allocator);
    EXPECT_DOUBLE_EQ(0.5, s.t1_percent);
    EXPECT_DOUBLE_EQ(0.9, s.t2_percent);
}

TEST(CfgInherit, LifetimeTripletIsResolvedPerScope)
{
    Parsed p;
    PARSE_OK(p, dhcp4("\"valid-lifetime\": 3600, \"min-valid-lifetime\": 1800, "
                      "\"max-valid-lifetime\": 7200, \"subnet4\": [ "
                      "{ \"id\": 1, \"subnet\": \"192.0.2.0/24\" }, "
                      "{ \"id\": 2, \"subnet\": \"198.51.100.0/24\", \"valid-lifetime\": 1000 }, "
                      "{ \"id\": 3, \"subnet\": \"198.18.0.0/24\", \"min-valid-lifetime\": 50, "
                      "  \"valid-lifetime\": 100 }, "
                      "{ \"id\": 4, \"subnet\": \"198.18.1.0/24\", \"max-valid-lifetime\": 900 } ]"));
    const cfg_subnet4 *s = p.c->subnets;
    EXPECT_EQ(1800u, s[0].min_valid_lft);
    EXPECT_EQ(3600u, s[0].valid_lft);
    EXPECT_EQ(7200u, s[0].max_valid_lft);
    // A subnet that sets only the default gets it as min and max too
    // (Kea replaces the whole triplet), so the global min 1800 does not
    // conflict with its 1000.
    EXPECT_EQ(1000u, s[1].min_valid_lft);
    EXPECT_EQ(1000u, s[1].valid_lft);
    EXPECT_EQ(1000u, s[1].max_valid_lft);
    EXPECT_EQ(50u, s[2].min_valid_lft);
    EXPECT_EQ(100u, s[2].valid_lft);
    EXPECT_EQ(100u, s[2].max_valid_lft);
    EXPECT_EQ(900u, s[3].min_valid_lft);
    EXPECT_EQ(900u, s[3].valid_lft);
    EXPECT_EQ(900u, s[3].max_valid_lft);
}

TEST(CfgInherit, LegacyReservationModeMapsToTheThreeFlags)
{
    struct { const char *mode; bool global, in_subnet, oop; } cases[] = {
        { "disabled", false, false, false },
        { "global", true, false, false },
        { "out-of-pool", false, true, true },
        { "all", false, true, false },
    };
    for (const auto &c : cases) {
        Parsed p;
        PARSE_OK(p, subnet(std::string("\"reservation-mode\": \"") + c.mode + "\""));
        const cfg_subnet4 &s = p.c->subnets[0];
        EXPECT_EQ(c.global, s.reservations_global) << c.mode;
        EXPECT_EQ(c.in_subnet, s.reservations_in_subnet) << c.mode;
        EXPECT_EQ(c.oop, s.reservations_out_of_pool) << c.mode;
    }
    std::string e = error_of(subnet("\"reservation-mode\": \"all\", \"reservations-global\": true"));
    EXPECT_TRUE(starts_with(e, "Dhcp4.subnet4[0].reservation-mode: cannot be combined")) << e;
}

TEST(CfgInherit, MissingSubnetIdsAreAssignedFromTheLowestFree)
{
    Parsed p;
    PARSE_OK(p, dhcp4("\"subnet4\": [ { \"subnet\": \"192.0.2.0/24\" }, "
                      "{ \"id\": 1, \"subnet\": \"198.51.100.0/24\" }, "
                      "{ \"subnet\": \"198.18.0.0/24\" }, { \"id\": 3, \"subnet\": \"198.18.1.0/24\" }, "
                      "{ \"subnet\": \"198.18.2.0/24\" } ]"));
    EXPECT_EQ(2u, p.c->subnets[0].id);
    EXPECT_EQ(1u, p.c->subnets[1].id);
    EXPECT_EQ(4u, p.c->subnets[2].id);
    EXPECT_EQ(3u, p.c->subnets[3].id);
    EXPECT_EQ(5u, p.c->subnets[4].id);
}

TEST(CfgSubnet, NonCanonicalPrefixIsMasked)
{
    Parsed p;
    PARSE_OK(p, dhcp4("\"subnet4\": [ { \"id\": 9, \"subnet\": \"192.0.2.77/26\" } ]"));
    EXPECT_EQ(ip("192.0.2.64"), p.c->subnets[0].prefix);
    EXPECT_EQ(0xffffffc0u, p.c->subnets[0].mask);
    EXPECT_EQ(26, p.c->subnets[0].plen);
}

TEST(CfgSubnet, RelayListLegacyFormAndInterface)
{
    Parsed p;
    PARSE_OK(p, dhcp4("\"subnet4\": [ "
                      "{ \"id\": 1, \"subnet\": \"192.0.2.0/24\", \"interface\": \"eth1\", "
                      "  \"relay\": { \"ip-addresses\": [ \"198.51.100.1\", \"198.51.100.2\" ] } }, "
                      "{ \"id\": 2, \"subnet\": \"198.18.0.0/24\", "
                      "  \"relay\": { \"ip-address\": \"198.18.0.1\" } } ]"));
    const cfg_subnet4 *s = p.c->subnets;
    EXPECT_STREQ("eth1", s[0].interface);
    ASSERT_EQ(2u, s[0].n_relay);
    EXPECT_EQ(ip("198.51.100.1"), s[0].relay_addrs[0]);
    EXPECT_EQ(ip("198.51.100.2"), s[0].relay_addrs[1]);
    ASSERT_EQ(1u, s[1].n_relay);
    EXPECT_EQ(ip("198.18.0.1"), s[1].relay_addrs[0]);
}

TEST(CfgSubnet, PoolsInBothFormsAndTheirSizes)
{
    Parsed p;
    PARSE_OK(p, subnet("\"pools\": [ { \"pool\": \"192.0.2.10 - 192.0.2.19\" }, "
                       "{ \"pool\": \"192.0.2.20-192.0.2.20\", \"pool-id\": 7 }, "
                       "{ \"pool\": \"  192.0.2.64/26 \" } ]"));
    const cfg_subnet4 &s = p.c->subnets[0];
    ASSERT_EQ(3u, s.n_pools);
    EXPECT_EQ(ip("192.0.2.10"), s.pools[0].first);
    EXPECT_EQ(ip("192.0.2.19"), s.pools[0].last);
    EXPECT_EQ(0u, s.pools[0].pool_id);
    EXPECT_EQ(ip("192.0.2.20"), s.pools[1].first);
    EXPECT_EQ(ip("192.0.2.20"), s.pools[1].last);
    EXPECT_EQ(7u, s.pools[1].pool_id);
    // A prefix pool includes the network and broadcast addresses.
    EXPECT_EQ(ip("192.0.2.64"), s.pools[2].first);
    EXPECT_EQ(ip("192.0.2.127"), s.pools[2].last);
    EXPECT_EQ(10u + 1u + 64u, s.total_addresses);
}

TEST(CfgSubnet, SamePoolInTwoSubnetsAndTouchingPoolsAreFine)
{
    Parsed p;
    PARSE_OK(p, dhcp4("\"subnet4\": [ "
                      "{ \"id\": 1, \"subnet\": \"192.0.2.0/24\", \"pools\": [ "
                      "  { \"pool\": \"192.0.2.10 - 192.0.2.20\" }, { \"pool\": \"192.0.2.21 - 192.0.2.30\" } ] }, "
                      "{ \"id\": 2, \"subnet\": \"192.0.2.0/25\", \"pools\": [ "
                      "  { \"pool\": \"192.0.2.10 - 192.0.2.20\" } ] } ]"));
    EXPECT_EQ(21u, p.c->subnets[0].total_addresses);
}

TEST(CfgServer, InterfacesConfig)
{
    Parsed p;
    PARSE_OK(p, dhcp4("\"interfaces-config\": { \"interfaces\": [ \"*\", \"eth0\", "
                      "\"eth1/192.0.2.1\", \"eth1/192.0.2.2\" ], \"dhcp-socket-type\": \"udp\", "
                      "\"re-detect\": false, \"service-sockets-max-retries\": 3 }"));
    const cfg4 *c = p.c;
    EXPECT_TRUE(c->all_ifaces);
    EXPECT_EQ(CFG_SOCKET_UDP, c->socket_type);
    ASSERT_EQ(3u, c->n_ifaces);
    EXPECT_STREQ("eth0", c->ifaces[0].name);
    EXPECT_EQ(0u, c->ifaces[0].addr);
    EXPECT_STREQ("eth1", c->ifaces[1].name);
    EXPECT_EQ(ip("192.0.2.1"), c->ifaces[1].addr);
    EXPECT_EQ(ip("192.0.2.2"), c->ifaces[2].addr);
}

TEST(CfgServer, SectionsAreRead)
{
    Parsed p;
    PARSE_OK(p, dhcp4("\"lease-database\": { \"type\": \"memfile\", \"name\": \"/tmp/l.csv\", "
                      "\"persist\": false, \"lfc-interval\": 0, \"max-row-errors\": 3 }, "
                      "\"multi-threading\": { \"enable-multi-threading\": false, "
                      "\"thread-pool-size\": 4, \"packet-queue-size\": 28 }, "
                      "\"expired-leases-processing\": { \"reclaim-timer-wait-time\": 1, "
                      "\"flush-reclaimed-timer-wait-time\": 2, \"hold-reclaimed-time\": 3, "
                      "\"max-reclaim-leases\": 4, \"max-reclaim-time\": 5, "
                      "\"unwarned-reclaim-cycles\": 6 }, "
                      "\"decline-probation-period\": 60, \"echo-client-id\": false, "
                      "\"host-reservation-identifiers\": [ \"flex-id\", \"client-id\" ], "
                      "\"loggers\": [ { \"name\": \"kea-dhcp4\", \"severity\": \"debug\", "
                      "\"debuglevel\": 40, \"output-options\": [ { \"output\": \"/tmp/d.log\", "
                      "\"maxsize\": 1048576, \"maxver\": 4, \"flush\": true }, "
                      "{ \"output\": \"syslog\" } ] }, "
                      "{ \"name\": \"kea-dhcp4.leases\", \"severity\": \"ERROR\" } ]"));
    const cfg4 *c = p.c;
    EXPECT_STREQ("/tmp/l.csv", c->lease_db.name);
    EXPECT_FALSE(c->lease_db.persist);
    EXPECT_EQ(0u, c->lease_db.lfc_interval);
    EXPECT_EQ(3u, c->lease_db.max_row_errors);
    EXPECT_FALSE(c->mt.enable);
    EXPECT_EQ(4u, c->mt.thread_pool_size);
    EXPECT_EQ(28u, c->mt.packet_queue_size);
    EXPECT_EQ(1u, c->expired.reclaim_timer_wait_time);
    EXPECT_EQ(2u, c->expired.flush_reclaimed_timer_wait_time);
    EXPECT_EQ(3u, c->expired.hold_reclaimed_time);
    EXPECT_EQ(4u, c->expired.max_reclaim_leases);
    EXPECT_EQ(5u, c->expired.max_reclaim_time);
    EXPECT_EQ(6u, c->expired.unwarned_reclaim_cycles);
    EXPECT_EQ(60u, c->decline_probation_period);
    EXPECT_FALSE(c->echo_client_id);
    ASSERT_EQ(2u, c->n_host_ids);
    EXPECT_EQ(HOST_ID_FLEX_ID, c->host_ids[0]);
    EXPECT_EQ(HOST_ID_CLIENT_ID, c->host_ids[1]);
    // The first logger and its first output win.
    EXPECT_EQ(LOG_SEV_DEBUG, c->logging.severity);
    EXPECT_EQ(40u, c->logging.debuglevel);
    EXPECT_STREQ("/tmp/d.log", c->logging.output);
}

TEST(CfgServer, SqlDatabasesKeepTypeAndName)
{
    Parsed p;
    PARSE_OK(p, dhcp4("\"lease-database\": { \"type\": \"postgresql\", \"name\": \"kea\", "
                      "\"host\": \"192.0.2.7\", \"port\": 5432, \"user\": \"u\", "
                      "\"password\": \"p\", \"connect-timeout\": 5, \"on-fail\": \"serve-retry-continue\", "
                      "\"retry-on-startup\": true, \"tcp-user-timeout\": 3 }, "
                      "\"hosts-database\": { \"type\": \"mysql\", \"name\": \"hosts\", \"readonly\": true }"));
    EXPECT_STREQ("postgresql", p.c->lease_db.type);
    EXPECT_STREQ("kea", p.c->lease_db.name);
    ASSERT_EQ(1u, p.c->n_hosts_dbs);
    EXPECT_STREQ("mysql", p.c->hosts_dbs[0].type);
    EXPECT_STREQ("hosts", p.c->hosts_dbs[0].name);
    EXPECT_TRUE(p.c->hosts_dbs[0].readonly);

    Parsed q;
    PARSE_OK(q, dhcp4("\"hosts-databases\": [ { \"type\": \"mysql\", \"name\": \"a\" }, "
                      "{ \"type\": \"postgresql\", \"name\": \"b\" } ]"));
    ASSERT_EQ(2u, q.c->n_hosts_dbs);
    EXPECT_STREQ("postgresql", q.c->hosts_dbs[1].type);
    EXPECT_STREQ("b", q.c->hosts_dbs[1].name);
    EXPECT_FALSE(q.c->hosts_dbs[1].readonly);
}

TEST(CfgWarnings, UnsupportedKeysWarnAndUserContextIsSilent)
{
    Parsed p;
    PARSE_OK(p, subnet("\"ddns-qualifying-suffix\": \"example.org\", \"comment\": \"c\", "
                       "\"user-context\": { \"x\": [ 1, 2 ] }, "
                       "\"pools\": [ { \"pool\": \"192.0.2.10 - 192.0.2.20\", "
                       "\"ddns-send-updates\": true, \"comment\": \"p\" } ]",
                       "\"ddns-send-updates\": true, \"dhcp-ddns\": {}, "
                       "\"user-context\": { \"a\": 1 }, \"comment\": \"top\""));
    EXPECT_TRUE(has_warning(p.c, "Dhcp4.ddns-send-updates: ignored: not supported yet"))
        << p.c->warnings;
    EXPECT_TRUE(has_warning(p.c, "Dhcp4.dhcp-ddns: ignored: not supported yet"));
    EXPECT_TRUE(has_warning(p.c, "Dhcp4.subnet4[0].ddns-qualifying-suffix: ignored: not supported yet"));
    EXPECT_TRUE(has_warning(p.c, "Dhcp4.subnet4[0].pools[0].ddns-send-updates: ignored: not supported yet"));
    EXPECT_EQ(std::string::npos, std::string(p.c->warnings).find("user-context"));
    EXPECT_EQ(std::string::npos, std::string(p.c->warnings).find("comment"));
    // Their types are still checked.
    EXPECT_EQ("Dhcp4.comment: expected a string, got an integer", error_of(dhcp4("\"comment\": 5")));
    EXPECT_EQ("Dhcp4.user-context: expected a map, got a string",
              error_of(dhcp4("\"user-context\": \"x\"")));
}

// ---- Refusals: every one names its exact place ---------------------------

struct ErrorCase {
    std::string config;
    const char *expected;   // exact start of the message: "PATH: reason"
};

void expect_errors(const std::vector<ErrorCase> &cases)
{
    for (const auto &c : cases) {
        std::string e = error_of(c.config);
        EXPECT_TRUE(starts_with(e, c.expected)) << "config: " << c.config << "\n  got:  " << e
                                                << "\n  want: " << c.expected;
    }
}

TEST(CfgErrors, UnknownKeysAnywhere)
{
    expect_errors({
        { "{ \"Dhcp4\": { \"valid-lifetme\": 1 } }", "Dhcp4.valid-lifetme: unknown parameter" },
        { subnet("\"vaild-lifetime\": 3600"), "Dhcp4.subnet4[0].vaild-lifetime: unknown parameter" },
        { subnet("\"pools\": [ { \"pool\": \"192.0.2.1 - 192.0.2.2\", \"size\": 2 } ]"),
          "Dhcp4.subnet4[0].pools[0].size: unknown parameter" },
        { subnet("\"reservations\": [ { \"hw-address\": \"02:00:00:00:00:01\", \"ip\": \"192.0.2.5\" } ]"),
          "Dhcp4.subnet4[0].reservations[0].ip: unknown parameter" },
        { dhcp4("\"option-data\": [ { \"name\": \"routers\", \"value\": \"1.2.3.4\" } ]"),
          "Dhcp4.option-data[0].value: unknown parameter" },
        { dhcp4("\"interfaces-config\": { \"interface\": [ \"eth0\" ] }"),
          "Dhcp4.interfaces-config.interface: unknown parameter" },
        { dhcp4("\"lease-database\": { \"type\": \"memfile\", \"file\": \"x\" }"),
          "Dhcp4.lease-database.file: unknown parameter" },
        { dhcp4("\"multi-threading\": { \"threads\": 4 }"),
          "Dhcp4.multi-threading.threads: unknown parameter" },
        { dhcp4("\"expired-leases-processing\": { \"max-reclaim\": 4 }"),
          "Dhcp4.expired-leases-processing.max-reclaim: unknown parameter" },
        { dhcp4("\"loggers\": [ { \"name\": \"x\", \"output-options\": [ { \"out\": \"stdout\" } ] } ]"),
          "Dhcp4.loggers[0].output-options[0].out: unknown parameter" },
        { subnet("\"relay\": { \"ip-addresses\": [], \"port\": 67 }"),
          "Dhcp4.subnet4[0].relay.port: unknown parameter" },
        { dhcp4("\"option-def\": [ { \"name\": \"a\", \"code\": 224, \"type\": \"uint8\", \"arr\": true } ]"),
          "Dhcp4.option-def[0].arr: unknown parameter" },
    });
}

TEST(CfgErrors, WrongJsonTypes)
{
    expect_errors({
        { dhcp4("\"valid-lifetime\": \"3600\""), "Dhcp4.valid-lifetime: expected an integer, got a string" },
        { dhcp4("\"valid-lifetime\": 36.5"), "Dhcp4.valid-lifetime: expected an integer, got a real number" },
        { dhcp4("\"valid-lifetime\": -5"), "Dhcp4.valid-lifetime: expected a non-negative integer, got -5" },
        { dhcp4("\"valid-lifetime\": 4294967296"), "Dhcp4.valid-lifetime: 4294967296 is out of range" },
        { dhcp4("\"echo-client-id\": \"true\""), "Dhcp4.echo-client-id: expected a boolean" },
        { dhcp4("\"t1-percent\": \"0.5\""), "Dhcp4.t1-percent: expected a real number, got a string" },
        { dhcp4("\"t1-percent\": 1.5"), "Dhcp4.t1-percent: 1.5 is invalid" },
        { dhcp4("\"subnet4\": { }"), "Dhcp4.subnet4: expected a list, got a map" },
        { dhcp4("\"subnet4\": [ 5 ]"), "Dhcp4.subnet4[0]: expected a map, got an integer" },
        { dhcp4("\"interfaces-config\": { \"interfaces\": [ \"eth0\", 3 ] }"),
          "Dhcp4.interfaces-config.interfaces[1]: expected a string, got an integer" },
        { dhcp4("\"next-server\": null"), "Dhcp4.next-server: expected a string, got null" },
        { subnet("\"pools\": [ { \"pool\": \"192.0.2.1 - 192.0.2.2\", \"pool-id\": -1 } ]"),
          "Dhcp4.subnet4[0].pools[0].pool-id: expected a non-negative integer, got -1" },
        { dhcp4("\"lease-database\": { \"type\": \"mysql\", \"name\": \"k\", \"port\": 70000 }"),
          "Dhcp4.lease-database.port: 70000 is out of range 0..65535" },
        { dhcp4("\"hosts-database\": { \"type\": \"mysql\", \"name\": \"k\", \"readonly\": \"yes\" }"),
          "Dhcp4.hosts-database.readonly: expected a boolean" },
        { dhcp4("\"loggers\": [ { \"name\": \"x\", \"debuglevel\": 100 } ]"),
          "Dhcp4.loggers[0].debuglevel: 100 is out of range 0..99" },
        { dhcp4("\"server-hostname\": \"a\\u0000b\""),
          "Dhcp4.server-hostname: the string contains a NUL character" },
    });
}

TEST(CfgErrors, Subnets)
{
    expect_errors({
        { dhcp4("\"subnet4\": [ { \"id\": 1, \"subnet\": \"192.0.2.0/33\" } ]"),
          "Dhcp4.subnet4[0].subnet: '192.0.2.0/33' is not a prefix" },
        { dhcp4("\"subnet4\": [ { \"id\": 1, \"subnet\": \"192.0.2.0\" } ]"),
          "Dhcp4.subnet4[0].subnet: '192.0.2.0' is not a prefix" },
        { dhcp4("\"subnet4\": [ { \"id\": 1, \"subnet\": \"192.0.2/24\" } ]"),
          "Dhcp4.subnet4[0].subnet: '192.0.2/24' is not a prefix" },
        { dhcp4("\"subnet4\": [ { \"id\": 1 } ]"),
          "Dhcp4.subnet4[0]: missing parameter 'subnet'" },
        { dhcp4("\"subnet4\": [ { \"id\": 1, \"subnet\": \"192.0.2.0/24\" }, "
                "{ \"id\": 0, \"subnet\": \"198.51.100.0/24\" } ]"),
          "Dhcp4.subnet4[1].id: subnet id 0 is invalid" },
        { dhcp4("\"subnet4\": [ { \"id\": 4294967295, \"subnet\": \"192.0.2.0/24\" } ]"),
          "Dhcp4.subnet4[0].id: subnet id 4294967295 is invalid" },
        { dhcp4("\"subnet4\": [ { \"id\": 7, \"subnet\": \"192.0.2.0/24\" }, "
                "{ \"id\": 8, \"subnet\": \"198.51.100.0/24\" }, "
                "{ \"id\": 7, \"subnet\": \"198.18.0.0/24\" } ]"),
          "Dhcp4.subnet4[2].id: subnet id 7 is already used by subnet4[0]" },
        { dhcp4("\"subnet4\": [ { \"id\": 1, \"subnet\": \"192.0.2.0/24\" }, "
                "{ \"id\": 2, \"subnet\": \"192.0.2.0/24\" } ]"),
          "Dhcp4.subnet4[1].subnet: subnet 192.0.2.0/24 is already defined in subnet4[0]" },
        { subnet("\"interface\": \"a-very-long-interface-name\""),
          "Dhcp4.subnet4[0].interface: bad interface 'a-very-long-interface-name'" },
        { subnet("\"relay\": { \"ip-addresses\": [ \"198.51.100.1\", \"x\" ] }"),
          "Dhcp4.subnet4[0].relay.ip-addresses[1]: 'x' is not an IPv4 address" },
        { subnet("\"relay\": { }"), "Dhcp4.subnet4[0].relay: missing parameter 'ip-addresses'" },
        { subnet("\"relay\": { \"ip-address\": \"198.51.100.1\", \"ip-addresses\": [] }"),
          "Dhcp4.subnet4[0].relay: use either ip-addresses or ip-address" },
        { subnet("\"client-class\": \"a\", \"client-classes\": [ \"b\" ]"),
          "Dhcp4.subnet4[0]: client-class and client-classes cannot both be set" },
        { subnet("\"client-classes\": [ \"a\", 7 ]"),
          "Dhcp4.subnet4[0].client-classes[1]: " },
        { subnet("\"next-server\": \"192.0.2.300\""),
          "Dhcp4.subnet4[0].next-server: '192.0.2.300' is not an IPv4 address" },
        { subnet("\"server-hostname\": \"" + std::string(64, 'a') + "\""),
          "Dhcp4.subnet4[0].server-hostname: must be at most 63 bytes long" },
        { dhcp4("\"boot-file-name\": \"" + std::string(128, 'b') + "\""),
          "Dhcp4.boot-file-name: must be at most 127 bytes long" },
    });
}

TEST(CfgErrors, Pools)
{
    expect_errors({
        { subnet("\"pools\": [ { \"pool\": \"192.0.2.10 to 192.0.2.20\" } ]"),
          "Dhcp4.subnet4[0].pools[0]: pool '192.0.2.10 to 192.0.2.20' is not a range" },
        { subnet("\"pools\": [ { \"pool\": \"192.0.2.10 - \" } ]"),
          "Dhcp4.subnet4[0].pools[0]: pool '192.0.2.10 - ' is not a range" },
        { subnet("\"pools\": [ { \"pool\": \"192.0.2.0/40\" } ]"),
          "Dhcp4.subnet4[0].pools[0]: pool '192.0.2.0/40' is not a range" },
        { subnet("\"pools\": [ { \"pool-id\": 1 } ]"),
          "Dhcp4.subnet4[0].pools[0]: missing parameter 'pool'" },
        { subnet("\"pools\": [ { \"pool\": \"192.0.2.1 - 192.0.2.2\" }, "
                 "{ \"pool\": \"192.0.2.20 - 192.0.2.10\" } ]"),
          "Dhcp4.subnet4[0].pools[1]: pool 192.0.2.20 - 192.0.2.10: the first address is greater than the last" },
        { subnet("\"pools\": [ { \"pool\": \"192.0.2.10 - 192.0.2.100\" }, "
                 "{ \"pool\": \"192.0.2.100 - 192.0.2.110\" } ]"),
          "Dhcp4.subnet4[0].pools[1]: pool 192.0.2.100 - 192.0.2.110 overlaps pool 192.0.2.10 - 192.0.2.100 (pools[0])" },
        { subnet("\"pools\": [ { \"pool\": \"192.0.2.50 - 192.0.2.60\" }, "
                 "{ \"pool\": \"192.0.2.0/25\" } ]"),
          "Dhcp4.subnet4[0].pools[1]: pool 192.0.2.0 - 192.0.2.127 overlaps pool 192.0.2.50 - 192.0.2.60 (pools[0])" },
        { subnet("\"pools\": [ { \"pool\": \"198.51.100.1 - 198.51.100.9\" } ]"),
          "Dhcp4.subnet4[0].pools[0]: pool 198.51.100.1 - 198.51.100.9 is outside subnet 192.0.2.0/24" },
        { subnet("\"pools\": [ { \"pool\": \"192.0.2.0/23\" } ]"),
          "Dhcp4.subnet4[0].pools[0]: pool 192.0.2.0 - 192.0.3.255 is outside subnet 192.0.2.0/24" },
        { subnet("\"pools\": [ { \"pool\": \"192.0.2.1 - 192.0.2.9\", \"client-classes\": [ \"\" ] } ]"),
          "Dhcp4.subnet4[0].pools[0].client-classes[0]: a class name must not be empty" },
        { subnet("\"pools\": [ { \"pool\": \"192.0.2.1 - 192.0.2.9\", \"require-client-classes\": [ \"a\" ], "
                 "\"evaluate-additional-classes\": [ \"b\" ] } ]"),
          "Dhcp4.subnet4[0].pools[0]: require-client-classes and evaluate-additional-classes cannot both be set" },
    });
}

TEST(CfgErrors, Reservations)
{
    const std::string hw = "\"hw-address\": \"02:00:00:00:00:01\"";
    expect_errors({
        { subnet("\"reservations\": [ { " + hw + ", \"ip-address\": \"198.51.100.5\" } ]"),
          "Dhcp4.subnet4[0].reservations[0].ip-address: address 198.51.100.5 is outside subnet 192.0.2.0/24" },
        { subnet("\"reservations\": [ { \"ip-address\": \"192.0.2.5\", \"hostname\": \"h\" } ]"),
          "Dhcp4.subnet4[0].reservations[0]: the reservation has no identifier" },
        { subnet("\"reservations\": [ { " + hw + ", \"duid\": \"01:02:03\" } ]"),
          "Dhcp4.subnet4[0].reservations[0]: the reservation has more than one identifier (hw-address and duid)" },
        { subnet("\"reservations\": [ { \"hw-address\": \"02:00:00:00:00:01\" }, "
                 "{ \"hw-address\": \"02-00-00-00-00-01\" } ]"),
          "Dhcp4.subnet4[0].reservations[1].hw-address: another reservation for hw-address 02:00:00:00:00:01 exists in this subnet (reservations[0])" },
        { dhcp4("\"reservations\": [ { \"circuit-id\": \"'abc'\" }, { \"circuit-id\": \"616263\" } ]"),
          "Dhcp4.reservations[1].circuit-id: another reservation for circuit-id 61:62:63 exists among the global reservations (reservations[0])" },
        { subnet("\"reservations\": [ { " + hw + ", \"ip-address\": \"192.0.2.9\" }, "
                 "{ \"client-id\": \"01:02\", \"ip-address\": \"192.0.2.9\" } ]"),
          "Dhcp4.subnet4[0].reservations[1].ip-address: address 192.0.2.9 is already reserved in this subnet (reservations[0])" },
        { subnet("\"reservations\": [ { \"hw-address\": \"02:00:zz:00:00:01\" } ]"),
          "Dhcp4.subnet4[0].reservations[0].hw-address: '02:00:zz:00:00:01' is not a hardware address" },
        { subnet("\"reservations\": [ { \"hw-address\": \"\" } ]"),
          "Dhcp4.subnet4[0].reservations[0].hw-address: '' is not a hardware address" },
        { subnet("\"reservations\": [ { \"hw-address\": \"" + std::string(21 * 3 - 1, '1') + "\" } ]"),
          "Dhcp4.subnet4[0].reservations[0].hw-address: '" },
        { subnet("\"reservations\": [ { \"hw-address\": \"'text'\" } ]"),
          "Dhcp4.subnet4[0].reservations[0].hw-address: ''text'' is not a hardware address" },
        { subnet("\"reservations\": [ { \"client-id\": \"01:0g\" } ]"),
          "Dhcp4.subnet4[0].reservations[0].client-id: '01:0g' is not a client-id" },
        { subnet("\"reservations\": [ { \"flex-id\": \"''\" } ]"),
          "Dhcp4.subnet4[0].reservations[0].flex-id: the identifier is empty" },
        { subnet("\"reservations\": [ { " + hw + ", \"next-server\": \"boot\" } ]"),
          "Dhcp4.subnet4[0].reservations[0].next-server: 'boot' is not an IPv4 address" },
        { subnet("\"reservations\": [ { " + hw + ", \"ip-address\": \"192.0.2.256\" } ]"),
          "Dhcp4.subnet4[0].reservations[0].ip-address: '192.0.2.256' is not an IPv4 address" },
    });
}

TEST(CfgErrors, Options)
{
    expect_errors({
        { dhcp4("\"option-data\": [ { \"name\": \"routerz\", \"data\": \"192.0.2.1\" } ]"),
          "Dhcp4.option-data[0].name: unknown option name 'routerz'" },
        { subnet("\"option-data\": [ { \"name\": \"routers\", \"data\": \"192.0.2\" } ]"),
          "Dhcp4.subnet4[0].option-data[0].data: " },
        { dhcp4("\"option-data\": [ { \"name\": \"routers\", \"code\": 4, \"data\": \"192.0.2.1\" } ]"),
          "Dhcp4.option-data[0].code: option 'routers' has code 3, not 4" },
        { dhcp4("\"option-data\": [ { \"code\": 255, \"csv-format\": false, \"data\": \"01\" } ]"),
          "Dhcp4.option-data[0].code: option code 255 is out of range 1..254" },
        { dhcp4("\"option-data\": [ { \"code\": 0, \"csv-format\": false, \"data\": \"01\" } ]"),
          "Dhcp4.option-data[0].code: option code 0 is out of range 1..254" },
        { dhcp4("\"option-data\": [ { \"code\": 300, \"csv-format\": false, \"data\": \"01\" } ]"),
          "Dhcp4.option-data[0].code: option code 300 is out of range 1..254" },
        { dhcp4("\"option-data\": [ { \"data\": \"01\" } ]"),
          "Dhcp4.option-data[0]: an option needs a name or a code" },
        { dhcp4("\"option-data\": [ { \"code\": 222, \"data\": \"01:02\" } ]"),
          "Dhcp4.option-data[0]: no definition for option code 222; use csv-format false" },
        { dhcp4("\"option-data\": [ { \"code\": 222, \"csv-format\": false, \"data\": \"0g\" } ]"),
          "Dhcp4.option-data[0].data: " },
        { dhcp4("\"option-data\": [ { \"name\": \"dhcp-message-type\", \"data\": \"1\" } ]"),
          "Dhcp4.option-data[0]: option 53 (dhcp-message-type) is managed by the server" },
        { subnet("\"pools\": [ { \"pool\": \"192.0.2.1 - 192.0.2.9\", \"option-data\": "
                 "[ { \"code\": 58, \"data\": \"100\" } ] } ]"),
          "Dhcp4.subnet4[0].pools[0].option-data[0]: option 58 (dhcp-renewal-time) is managed by the server" },
        { dhcp4("\"option-data\": [ { \"code\": 82, \"csv-format\": false, \"data\": \"0101\" } ]"),
          "Dhcp4.option-data[0]: option 82 (dhcp-agent-options) is managed by the server" },
        { dhcp4("\"option-data\": [ { \"name\": \"routers\", \"data\": \"192.0.2.1\", "
                "\"client-classes\": [ \"a\", \"\" ] } ]"),
          "Dhcp4.option-data[0].client-classes[1]: a class name must not be empty" },
        { dhcp4("\"option-def\": [ { \"name\": \"my-routers\", \"code\": 3, \"type\": \"ipv4-address\" } ]"),
          "Dhcp4.option-def[0].code: option code 3 is standard option 'routers' and cannot be redefined" },
        { dhcp4("\"option-def\": [ { \"name\": \"routers\", \"code\": 224, \"type\": \"ipv4-address\" } ]"),
          "Dhcp4.option-def[0].name: 'routers' is the name of standard option 3" },
        { dhcp4("\"option-def\": [ { \"name\": \"a\", \"code\": 224, \"type\": \"uint8\" }, "
                "{ \"name\": \"b\", \"code\": 224, \"type\": \"uint8\" } ]"),
          "Dhcp4.option-def[1].code: option code 224 is already defined" },
        { dhcp4("\"option-def\": [ { \"name\": \"a\", \"code\": 224, \"type\": \"uint9\" } ]"),
          "Dhcp4.option-def[0].type: 'uint9' is not an option type" },
        { dhcp4("\"option-def\": [ { \"name\": \"a b\", \"code\": 224, \"type\": \"uint8\" } ]"),
          "Dhcp4.option-def[0].name: 'a b' is not a valid option name" },
        { dhcp4("\"option-def\": [ { \"name\": \"a\", \"code\": 224, \"type\": \"record\" } ]"),
          "Dhcp4.option-def[0].record-types: a record needs at least one field type" },
        { dhcp4("\"option-def\": [ { \"name\": \"a\", \"code\": 224, \"type\": \"record\", "
                "\"record-types\": \"uint8, bogus\" } ]"),
          "Dhcp4.option-def[0].record-types: 'bogus' is not a record field type" },
        { dhcp4("\"option-def\": [ { \"name\": \"a\", \"code\": 224, \"type\": \"string\", \"array\": true } ]"),
          "Dhcp4.option-def[0].array: an option of type string cannot be an array" },
        { dhcp4("\"option-def\": [ { \"name\": \"a\", \"type\": \"uint8\" } ]"),
          "Dhcp4.option-def[0]: missing parameter 'code'" },
    });
}

TEST(CfgErrors, ServerSections)
{
    expect_errors({
        { dhcp4("\"interfaces-config\": { \"interfaces\": [ \"eth0/192.0.2.300\" ] }"),
          "Dhcp4.interfaces-config.interfaces[0]: bad interface 'eth0/192.0.2.300'" },
        { dhcp4("\"interfaces-config\": { \"interfaces\": [ \"/192.0.2.1\" ] }"),
          "Dhcp4.interfaces-config.interfaces[0]: bad interface '/192.0.2.1'" },
        { dhcp4("\"interfaces-config\": { \"interfaces\": [ \"eth 0\" ] }"),
          "Dhcp4.interfaces-config.interfaces[0]: bad interface 'eth 0'" },
        { dhcp4("\"interfaces-config\": { \"interfaces\": [ \"*/192.0.2.1\" ] }"),
          "Dhcp4.interfaces-config.interfaces[0]: bad interface '*/192.0.2.1'" },
        { dhcp4("\"interfaces-config\": { \"dhcp-socket-type\": \"tcp\" }"),
          "Dhcp4.interfaces-config.dhcp-socket-type: 'tcp' is not a socket type (expected raw or udp)" },
        { dhcp4("\"interfaces-config\": { \"outbound-interface\": \"any\" }"),
          "Dhcp4.interfaces-config.outbound-interface: 'any' is not valid" },
        { dhcp4("\"lease-database\": { \"type\": \"cassandra\" }"),
          "Dhcp4.lease-database.type: unknown database type 'cassandra'" },
        { dhcp4("\"lease-database\": { \"type\": \"mysql\" }"),
          "Dhcp4.lease-database: missing parameter 'name'" },
        { dhcp4("\"lease-database\": { \"type\": \"mysql\", \"name\": \"k\", \"on-fail\": \"panic\" }"),
          "Dhcp4.lease-database.on-fail: 'panic' is not valid" },
        { dhcp4("\"hosts-database\": { \"type\": \"memfile\", \"name\": \"h\" }"),
          "Dhcp4.hosts-database.type: memfile cannot store hosts" },
        { dhcp4("\"hosts-databases\": [ { \"type\": \"mysql\", \"name\": \"a\" }, { \"name\": \"b\" } ]"),
          "Dhcp4.hosts-databases[1]: missing parameter 'type'" },
        { dhcp4("\"hosts-database\": { \"type\": \"mysql\", \"name\": \"a\" }, "
                "\"hosts-databases\": [ ]"),
          "Dhcp4.hosts-databases: cannot be used together with hosts-database" },
        { dhcp4("\"allocator\": \"flq\""), "Dhcp4.allocator: the flq allocator is not supported yet" },
        { dhcp4("\"allocator\": \"round-robin\""), "Dhcp4.allocator: unknown allocator 'round-robin'" },
        { dhcp4("\"client-classes\": [ { \"name\": \"pxe\", \"test\": \"option[60].hex ==\" } ]"),
          "Dhcp4.client-classes[0].test: column 18: expected a value, found the end of the expression" },
        { dhcp4("\"shared-networks\": [ { \"subnet4\": [ ] } ]"),
          "Dhcp4.shared-networks[0]: missing parameter 'name'" },
        { dhcp4("\"loggers\": [ { \"name\": \"x\", \"severity\": \"LOUD\" } ]"),
          "Dhcp4.loggers[0].severity: unknown severity 'LOUD'" },
        { dhcp4("\"loggers\": [ { \"name\": \"x\" }, { \"name\": \"y\", \"severity\": \"trace\" } ]"),
          "Dhcp4.loggers[1].severity: unknown severity 'trace'" },
        { dhcp4("\"loggers\": [ { \"severity\": \"INFO\" } ]"),
          "Dhcp4.loggers[0]: missing parameter 'name'" },
        { dhcp4("\"host-reservation-identifiers\": [ \"hw-address\", \"mac\" ]"),
          "Dhcp4.host-reservation-identifiers[1]: unknown identifier type 'mac'" },
        { dhcp4("\"host-reservation-identifiers\": [ \"duid\", \"duid\" ]"),
          "Dhcp4.host-reservation-identifiers[1]: identifier type 'duid' is listed twice" },
    });
}

TEST(CfgErrors, LifetimesAndTimers)
{
    expect_errors({
        { dhcp4("\"valid-lifetime\": 3600, \"min-valid-lifetime\": 5000"),
          "Dhcp4.min-valid-lifetime: min-valid-lifetime (5000) is greater than valid-lifetime (3600)" },
        { dhcp4("\"min-valid-lifetime\": 5000, \"max-valid-lifetime\": 4000"),
          "Dhcp4.min-valid-lifetime: min-valid-lifetime (5000) is greater than max-valid-lifetime (4000)" },
        { subnet("\"valid-lifetime\": 8000, \"max-valid-lifetime\": 7200"),
          "Dhcp4.subnet4[0].max-valid-lifetime: valid-lifetime (8000) is greater than max-valid-lifetime (7200)" },
        { dhcp4("\"renew-timer\": 2000, \"rebind-timer\": 1000"),
          "Dhcp4.renew-timer: renew-timer (2000) is greater than rebind-timer (1000)" },
        { subnet("\"renew-timer\": 2000", "\"rebind-timer\": 1000"),
          "Dhcp4.subnet4[0].renew-timer: renew-timer (2000) is greater than rebind-timer (1000)" },
        { subnet("\"rebind-timer\": 500", "\"renew-timer\": 1000"),
          "Dhcp4.subnet4[0].rebind-timer: renew-timer (1000) is greater than rebind-timer (500)" },
        { dhcp4("\"t1-percent\": 0.9, \"t2-percent\": 0.8"),
          "Dhcp4.t1-percent: t1-percent (0.9) must be less than t2-percent (0.8)" },
        { dhcp4("\"t1-percent\": 0.9"),
          "Dhcp4.t1-percent: t1-percent (0.9) must be less than t2-percent (0.875)" },
        { subnet("\"t2-percent\": 0.3", "\"t1-percent\": 0.4"),
          "Dhcp4.subnet4[0].t2-percent: t1-percent (0.4) must be less than t2-percent (0.3)" },
        { dhcp4("\"t2-percent\": 0"), "Dhcp4.t2-percent: 0 is invalid" },
    });
    // Equal renew and rebind are allowed.
    Parsed p;
    PARSE_OK(p, dhcp4("\"renew-timer\": 1000, \"rebind-timer\": 1000"));
}

// ---- Options ------------------------------------------------------------

TEST(CfgOptions, EncodedToWireBytes)
{
    Parsed p;
    PARSE_OK(p, subnet("\"option-data\": [ { \"name\": \"routers\", \"data\": \"192.0.2.1\" }, "
                       "{ \"code\": 6, \"data\": \"192.0.2.53, 198.51.100.53\", \"always-send\": true }, "
                       "{ \"name\": \"interface-mtu\", \"code\": 26, \"data\": \"1500\", \"never-send\": true }, "
                       "{ \"code\": 252, \"csv-format\": false, \"data\": \"01:02:0a\" }, "
                       "{ \"code\": 253, \"csv-format\": false, \"data\": \"'hi'\" } ]"));
    const cfg_options &o = p.c->subnets[0].options;
    ASSERT_EQ(5u, o.n);
    // RFC 2132 §3.5/§3.8: addresses in network order; §5.1: MTU is 16 bits.
    EXPECT_EQ(Bytes({ 192, 0, 2, 1 }), option_bytes(o, 3));
    EXPECT_EQ(Bytes({ 192, 0, 2, 53, 198, 51, 100, 53 }), option_bytes(o, 6));
    EXPECT_EQ(Bytes({ 0x05, 0xdc }), option_bytes(o, 26));
    EXPECT_EQ(Bytes({ 1, 2, 10 }), option_bytes(o, 252));
    EXPECT_EQ(Bytes({ 'h', 'i' }), option_bytes(o, 253));
    EXPECT_EQ(3, o.v[0].code);   // config order kept
    EXPECT_FALSE(o.v[0].always_send);
    EXPECT_TRUE(o.v[1].always_send);
    EXPECT_FALSE(o.v[1].never_send);
    EXPECT_TRUE(o.v[2].never_send);
}

TEST(CfgOptions, EveryScopeHasItsOwnOptions)
{
    Parsed p;
    PARSE_OK(p, subnet("\"option-data\": [ { \"name\": \"routers\", \"data\": \"192.0.2.1\" } ], "
                       "\"pools\": [ { \"pool\": \"192.0.2.10 - 192.0.2.20\", \"option-data\": "
                       "[ { \"name\": \"routers\", \"data\": \"192.0.2.2\" } ] } ], "
                       "\"reservations\": [ { \"hw-address\": \"02:00:00:00:00:01\", \"option-data\": "
                       "[ { \"name\": \"routers\", \"data\": \"192.0.2.3\" } ] } ]",
                       "\"option-data\": [ { \"name\": \"routers\", \"data\": \"192.0.2.4\" } ]"));
    EXPECT_EQ(Bytes({ 192, 0, 2, 4 }), option_bytes(p.c->options, 3));
    EXPECT_EQ(Bytes({ 192, 0, 2, 1 }), option_bytes(p.c->subnets[0].options, 3));
    EXPECT_EQ(Bytes({ 192, 0, 2, 2 }), option_bytes(p.c->subnets[0].pools[0].options, 3));
    EXPECT_EQ(Bytes({ 192, 0, 2, 3 }), option_bytes(p.c->subnets[0].hosts[0].options, 3));
}

TEST(CfgOptions, CustomDefinitionsEncodeAndAreFound)
{
    Parsed p;
    PARSE_OK(p, dhcp4("\"option-def\": [ "
                      "{ \"name\": \"site-info\", \"code\": 224, \"type\": \"record\", "
                      "  \"record-types\": \"uint16, ipv4-address\" }, "
                      "{ \"name\": \"tftp-list\", \"code\": 150, \"type\": \"ipv4-address\", \"array\": true } ], "
                      "\"option-data\": [ { \"name\": \"site-info\", \"data\": \"7, 192.0.2.9\" }, "
                      "{ \"code\": 150, \"data\": \"192.0.2.1, 192.0.2.2\" } ]"));
    ASSERT_EQ(2u, p.c->n_option_defs);
    EXPECT_EQ(Bytes({ 0, 7, 192, 0, 2, 9 }), option_bytes(p.c->options, 224));
    EXPECT_EQ(Bytes({ 192, 0, 2, 1, 192, 0, 2, 2 }), option_bytes(p.c->options, 150));

    const opt_def *d = cfg4_opt_def(p.c, 224);
    ASSERT_NE(nullptr, d);
    EXPECT_STREQ("site-info", d->name);
    EXPECT_EQ(OT_RECORD, d->type);
    EXPECT_EQ(OT_UINT16, d->fields[0]);
    EXPECT_EQ(OT_IPV4, d->fields[1]);
    EXPECT_EQ(OT_NONE, d->fields[2]);
    d = cfg4_opt_def(p.c, 150);
    ASSERT_NE(nullptr, d);
    EXPECT_TRUE(d->array);
    // Standard codes still come from the standard table.
    d = cfg4_opt_def(p.c, 3);
    ASSERT_NE(nullptr, d);
    EXPECT_STREQ("routers", d->name);
    EXPECT_EQ(nullptr, cfg4_opt_def(p.c, 230));
}

TEST(CfgOptions, OtherSpacesAndRepeatsWarn)
{
    Parsed p;
    PARSE_OK(p, dhcp4("\"option-data\": [ { \"name\": \"routers\", \"data\": \"192.0.2.1\" }, "
                      "{ \"code\": 1, \"space\": \"vendor-4491\", \"csv-format\": false, \"data\": \"01\" }, "
                      "{ \"code\": 3, \"data\": \"192.0.2.2\" } ]"));
    ASSERT_EQ(1u, p.c->options.n);
    EXPECT_EQ(Bytes({ 192, 0, 2, 1 }), option_bytes(p.c->options, 3));
    EXPECT_TRUE(has_warning(p.c, "Dhcp4.option-data[1].space: ignored: no option in this "
                                 "scope encapsulates space 'vendor-4491'")) << p.c->warnings;
    EXPECT_TRUE(has_warning(p.c, "Dhcp4.option-data[2]: option 3 is configured more than once "
                                 "in this scope; the first one is used")) << p.c->warnings;
}

TEST(CfgOptions, ServerIdentifierMayBeConfigured)
{
    Parsed p;
    PARSE_OK(p, dhcp4("\"option-data\": [ { \"code\": 54, \"data\": \"192.0.2.1\" } ]"));
    EXPECT_EQ(Bytes({ 192, 0, 2, 1 }), option_bytes(p.c->options, 54));
}

// ---- Reservations and lookups ---------------------------------------------

TEST(CfgHosts, EveryIdentifierKindIsFound)
{
    Parsed p;
    PARSE_OK(p, subnet("\"reservations\": [ "
                       "{ \"hw-address\": \"1a:1b:1c:1d:1e:1f\", \"ip-address\": \"192.0.2.202\", "
                       "  \"hostname\": \"printer\", \"next-server\": \"192.0.2.5\", "
                       "  \"server-hostname\": \"tftp\", \"boot-file-name\": \"f.bin\" }, "
                       "{ \"duid\": \"0x000102\", \"ip-address\": \"192.0.2.100\" }, "
                       "{ \"circuit-id\": \"'charter950'\" }, "
                       "{ \"client-id\": \"01-11-22-33-44-55-66\", \"ip-address\": \"192.0.2.204\" }, "
                       "{ \"flex-id\": \"a:b:c\" } ]",
                       "\"reservations\": [ { \"hw-address\": \"1a:1b:1c:1d:1e:1f\", \"hostname\": \"g\" } ]"));
    const cfg4 *c = p.c;
    const uint8_t hw[] = { 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f };
    const cfg_host *h = cfg4_host_find(c, 1, HOST_ID_HWADDR, hw, sizeof(hw));
    ASSERT_NE(nullptr, h);
    EXPECT_EQ(1u, h->subnet_id);
    EXPECT_EQ(ip("192.0.2.202"), h->ip);
    EXPECT_STREQ("printer", h->hostname);
    EXPECT_TRUE(h->has_next_server);
    EXPECT_EQ(ip("192.0.2.5"), h->next_server);
    EXPECT_STREQ("tftp", h->server_hostname);
    EXPECT_STREQ("f.bin", h->boot_file_name);

    // The same hardware address has its own global reservation.
    const cfg_host *g = cfg4_host_find(c, 0, HOST_ID_HWADDR, hw, sizeof(hw));
    ASSERT_NE(nullptr, g);
    EXPECT_NE(h, g);
    EXPECT_EQ(0u, g->subnet_id);
    EXPECT_STREQ("g", g->hostname);
    EXPECT_EQ(0u, g->ip);
    EXPECT_EQ(nullptr, g->server_hostname);

    const uint8_t duid[] = { 0, 1, 2 };
    h = cfg4_host_find(c, 1, HOST_ID_DUID, duid, sizeof(duid));
    ASSERT_NE(nullptr, h);
    EXPECT_EQ(ip("192.0.2.100"), h->ip);
    EXPECT_EQ(nullptr, h->hostname);
    EXPECT_FALSE(h->has_next_server);

    const char *circuit = "charter950";
    h = cfg4_host_find(c, 1, HOST_ID_CIRCUIT_ID, (const uint8_t *)circuit, std::strlen(circuit));
    ASSERT_NE(nullptr, h);
    EXPECT_EQ(0u, h->ip);

    const uint8_t cid[] = { 0x01, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66 };
    h = cfg4_host_find(c, 1, HOST_ID_CLIENT_ID, cid, sizeof(cid));
    ASSERT_NE(nullptr, h);
    EXPECT_EQ(ip("192.0.2.204"), h->ip);

    const uint8_t flex[] = { 0x0a, 0x0b, 0x0c };
    EXPECT_NE(nullptr, cfg4_host_find(c, 1, HOST_ID_FLEX_ID, flex, sizeof(flex)));

    // Misses: other type, other subnet, other bytes, a prefix of the id.
    EXPECT_EQ(nullptr, cfg4_host_find(c, 1, HOST_ID_CLIENT_ID, hw, sizeof(hw)));
    EXPECT_EQ(nullptr, cfg4_host_find(c, 2, HOST_ID_HWADDR, hw, sizeof(hw)));
    EXPECT_EQ(nullptr, cfg4_host_find(c, 1, HOST_ID_HWADDR, hw, sizeof(hw) - 1));
    const uint8_t other[] = { 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x20 };
    EXPECT_EQ(nullptr, cfg4_host_find(c, 1, HOST_ID_HWADDR, other, sizeof(other)));

    // By address.
    h = cfg4_host_by_addr(c, 1, ip("192.0.2.204"));
    ASSERT_NE(nullptr, h);
    EXPECT_EQ(HOST_ID_CLIENT_ID, h->id_type);
    EXPECT_EQ(nullptr, cfg4_host_by_addr(c, 1, ip("192.0.2.205")));
    EXPECT_EQ(nullptr, cfg4_host_by_addr(c, 0, ip("192.0.2.204")));
}

TEST(CfgHosts, ReservationClientClassesAreKept)
{
    Parsed p;
    PARSE_OK(p, subnet("\"reservations\": [ { \"hw-address\": \"02:00:00:00:00:01\", "
                       "\"client-classes\": [ \"gold\", \"KNOWN\" ] } ]"));
    ASSERT_EQ(1u, p.c->subnets[0].n_hosts);
    const struct class_guard &g = p.c->subnets[0].hosts[0].classes;
    ASSERT_EQ(2, g.n);
    EXPECT_STREQ("gold", p.c->classes[g.idx[0]].name);
    EXPECT_FALSE(p.c->classes[g.idx[0]].defined);
    EXPECT_EQ(CLASS_KNOWN, g.idx[1]);
}

TEST(CfgHosts, DuplicateAddressesAllowedWhenNotUnique)
{
    Parsed p;
    PARSE_OK(p, subnet("\"reservations\": [ "
                       "{ \"hw-address\": \"02:00:00:00:00:01\", \"ip-address\": \"192.0.2.9\" }, "
                       "{ \"hw-address\": \"02:00:00:00:00:02\", \"ip-address\": \"192.0.2.9\" } ]",
                       "\"ip-reservations-unique\": false"));
    const cfg_host *h = cfg4_host_by_addr(p.c, 1, ip("192.0.2.9"));
    ASSERT_NE(nullptr, h);
    EXPECT_EQ(&p.c->subnets[0].hosts[0], h);   // the first one answers
}

TEST(CfgHosts, SameAddressInDifferentSubnetsIsFine)
{
    Parsed p;
    PARSE_OK(p, dhcp4("\"subnet4\": [ "
                      "{ \"id\": 1, \"subnet\": \"192.0.2.0/24\", \"reservations\": [ "
                      "  { \"hw-address\": \"02:00:00:00:00:01\", \"ip-address\": \"192.0.2.9\" } ] }, "
                      "{ \"id\": 2, \"subnet\": \"192.0.2.0/25\", \"reservations\": [ "
                      "  { \"hw-address\": \"02:00:00:00:00:01\", \"ip-address\": \"192.0.2.9\" } ] } ]"));
    EXPECT_EQ(&p.c->subnets[0].hosts[0], cfg4_host_by_addr(p.c, 1, ip("192.0.2.9")));
    EXPECT_EQ(&p.c->subnets[1].hosts[0], cfg4_host_by_addr(p.c, 2, ip("192.0.2.9")));
}

TEST(CfgHosts, SubnetById)
{
    std::string subnets;
    for (int i = 0; i < 300; i++) {
        char buf[128];
        // ids in a scrambled order, so the lookup cannot rely on config order
        std::snprintf(buf, sizeof(buf), "%s{ \"id\": %d, \"subnet\": \"10.%d.%d.0/24\" }",
                      i ? ", " : "", (i * 7919) % 1000 + 1, i / 256, i % 256);
        subnets += buf;
    }
    Parsed p;
    PARSE_OK(p, dhcp4("\"subnet4\": [ " + subnets + " ]"));
    for (int i = 0; i < 300; i++) {
        uint32_t id = uint32_t((i * 7919) % 1000 + 1);
        const cfg_subnet4 *s = cfg4_subnet_by_id(p.c, id);
        ASSERT_NE(nullptr, s) << id;
        EXPECT_EQ(&p.c->subnets[i], s);
        EXPECT_EQ(id, s->id);
    }
    EXPECT_EQ(nullptr, cfg4_subnet_by_id(p.c, 0));
    EXPECT_EQ(nullptr, cfg4_subnet_by_id(p.c, 1001));
    EXPECT_EQ(nullptr, cfg4_subnet_by_id(nullptr, 1));
}

TEST(CfgHosts, HundredThousandReservationsLoadFastAndAreIndexed)
{
    const int n = 100000;
    std::string r;
    r.reserve(size_t(n) * 80);
    char buf[160];
    for (int i = 0; i < n; i++) {
        std::snprintf(buf, sizeof(buf),
                      "%s{ \"hw-address\": \"02:00:00:%02x:%02x:%02x\", \"ip-address\": \"10.%d.%d.%d\" }",
                      i ? ",\n" : "", (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff,
                      (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff);
        r += buf;
    }
    std::string text = dhcp4("\"subnet4\": [ { \"id\": 1, \"subnet\": \"10.0.0.0/8\", "
                             "\"reservations\": [ " + r + " ] } ]");
    Parsed p;
    auto t0 = std::chrono::steady_clock::now();
    PARSE_OK(p, text);
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    // Well under a second in a plain build; the bound leaves room for
    // sanitizer builds but still catches quadratic behaviour.
    EXPECT_LT(secs, 5.0);
    ASSERT_EQ(size_t(n), p.c->subnets[0].n_hosts);

    t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < n; i++) {
        const uint8_t hw[] = { 2, 0, 0, uint8_t(i >> 16), uint8_t(i >> 8), uint8_t(i) };
        const cfg_host *h = cfg4_host_find(p.c, 1, HOST_ID_HWADDR, hw, sizeof(hw));
        ASSERT_NE(nullptr, h) << i;
        uint32_t a = uint32_t(10) << 24 | uint32_t(i);
        ASSERT_EQ(a, h->ip);
        ASSERT_EQ(h, cfg4_host_by_addr(p.c, 1, a));
    }
    // Misses too: addresses and identifiers that are not reserved.
    for (int i = n; i < 2 * n; i++) {
        const uint8_t hw[] = { 2, 0, 0, uint8_t(i >> 16), uint8_t(i >> 8), uint8_t(i) };
        ASSERT_EQ(nullptr, cfg4_host_find(p.c, 1, HOST_ID_HWADDR, hw, sizeof(hw)));
        ASSERT_EQ(nullptr, cfg4_host_by_addr(p.c, 1, uint32_t(10) << 24 | uint32_t(i)));
    }
    secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_LT(secs, 2.0);   // 400k lookups; a linear scan would take minutes
}

// ---- Files ----------------------------------------------------------------

std::string source_dir()
{
    if (const char *env = std::getenv("DORA_SRCDIR"))
        return env;
    // __FILE__ is .../tests/unit/test_cfg.cc, absolute for out-of-tree
    // builds and relative to the build directory in-tree.
    std::string f = __FILE__;
    size_t pos = f.rfind("tests/unit/test_cfg.cc");
    std::string dir = pos == std::string::npos ? std::string() : f.substr(0, pos);
    return dir.empty() ? "." : dir;
}

std::vector<std::string> files_in(const std::string &dir, const std::string &suffix)
{
    std::vector<std::string> out;
    DIR *d = opendir(dir.c_str());
    if (d == nullptr)
        return out;
    while (struct dirent *e = readdir(d)) {
        std::string name = e->d_name;
        if (name.size() > suffix.size() &&
            name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
            out.push_back(dir + "/" + name);
    }
    closedir(d);
    return out;
}

std::string first_line(const std::string &path)
{
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    return line;
}

TEST(CfgFiles, EveryGoodConfigAndExampleLoads)
{
    std::string src = source_dir();
    auto files = files_in(src + "/tests/configs/good", ".json");
    auto examples = files_in(src + "/doc/examples", ".json");
    ASSERT_GE(files.size(), 5u) << "no good configs found under " << src;
    ASSERT_GE(examples.size(), 2u) << "no examples found under " << src;
    files.insert(files.end(), examples.begin(), examples.end());
    for (const auto &f : files) {
        char err[2048] = "";
        cfg4 *c = nullptr;
        EXPECT_EQ(0, cfg4_load_file(f.c_str(), &c, err, sizeof(err))) << f << ": " << err;
        if (c != nullptr) {
            EXPECT_STREQ(f.c_str(), c->source_path);
        }
        cfg4_free(c);
    }
}

TEST(CfgFiles, EveryBadConfigFailsWithItsExpectedMessage)
{
    std::string src = source_dir();
    auto files = files_in(src + "/tests/configs/bad", ".json");
    ASSERT_GE(files.size(), 20u) << "too few bad configs under " << src;
    for (const auto &f : files) {
        std::string expect = first_line(f.substr(0, f.size() - 5) + ".expect");
        ASSERT_FALSE(expect.empty()) << f << " has no .expect";
        char err[2048] = "";
        cfg4 *c = nullptr;
        EXPECT_EQ(-1, cfg4_load_file(f.c_str(), &c, err, sizeof(err))) << f;
        EXPECT_EQ(nullptr, c);
        EXPECT_NE(std::string::npos, std::string(err).find(expect))
            << f << "\n  got:  " << err << "\n  want: " << expect;
        cfg4_free(c);
    }
}

TEST(CfgFiles, TheShippedExampleHasWhatItPromises)
{
    std::string path = source_dir() + "/doc/examples/dorad.json";
    char err[2048] = "";
    cfg4 *c = nullptr;
    ASSERT_EQ(0, cfg4_load_file(path.c_str(), &c, err, sizeof(err))) << err;
    ASSERT_EQ(1u, c->n_ifaces);
    EXPECT_STREQ("dora0", c->ifaces[0].name);
    EXPECT_EQ(CFG_SOCKET_RAW, c->socket_type);
    ASSERT_EQ(1u, c->n_subnets);
    const cfg_subnet4 &s = c->subnets[0];
    EXPECT_EQ(1u, s.id);
    EXPECT_EQ(3600u, s.valid_lft);
    ASSERT_EQ(1u, s.n_pools);
    EXPECT_EQ(ip("192.0.2.100"), s.pools[0].first);
    EXPECT_EQ(ip("192.0.2.199"), s.pools[0].last);
    EXPECT_EQ(Bytes({ 192, 0, 2, 1 }), option_bytes(s.options, 3));
    EXPECT_EQ(Bytes({ 192, 0, 2, 1 }), option_bytes(s.options, 6));
    ASSERT_EQ(1u, s.n_hosts);
    EXPECT_NE(nullptr, s.hosts[0].hostname);
    EXPECT_STREQ("memfile", c->lease_db.type);
    EXPECT_STREQ("/var/lib/dora/dora-leases4.csv", c->lease_db.name);
    cfg4_free(c);
}

class CfgTempFile : public ::testing::Test {
protected:
    std::string path;
    void SetUp() override
    {
        char tmpl[] = "/tmp/dora-cfg-test-XXXXXX";
        int fd = mkstemp(tmpl);
        ASSERT_GE(fd, 0);
        close(fd);
        path = tmpl;
    }
    void TearDown() override { unlink(path.c_str()); }
    void write(const std::string &s)
    {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out << s;
    }
};

TEST_F(CfgTempFile, OriginOfSyntaxErrorsIsTheFileName)
{
    write("{\n\"Dhcp4\": { \"valid-lifetime\": }\n}");
    char err[2048] = "";
    cfg4 *c = nullptr;
    ASSERT_EQ(-1, cfg4_load_file(path.c_str(), &c, err, sizeof(err)));
    EXPECT_TRUE(starts_with(err, path + ":2:30: ")) << err;
}

TEST_F(CfgTempFile, NulByteAndOversizeAreRefused)
{
    write(std::string("{ \"Dhcp4\": {} }\0 junk", 21));
    char err[2048] = "";
    cfg4 *c = nullptr;
    ASSERT_EQ(-1, cfg4_load_file(path.c_str(), &c, err, sizeof(err)));
    EXPECT_EQ(path + ": the file contains a NUL byte", err);

    // A sparse file just over 64 MiB: refused before it is read.
    ASSERT_EQ(0, truncate(path.c_str(), (off_t(64) << 20) + 1));
    ASSERT_EQ(-1, cfg4_load_file(path.c_str(), &c, err, sizeof(err)));
    EXPECT_EQ(path + ": the file is larger than 64 MiB", err);
    EXPECT_EQ(nullptr, c);
}

TEST(CfgFilesMissing, MissingFileIsReported)
{
    char err[2048] = "";
    cfg4 *c = nullptr;
    ASSERT_EQ(-1, cfg4_load_file("/nonexistent/dora.json", &c, err, sizeof(err)));
    EXPECT_TRUE(starts_with(err, "/nonexistent/dora.json: cannot open: ")) << err;
    EXPECT_EQ(nullptr, c);
    cfg4_free(nullptr);   // allowed
}

TEST(CfgFilesMissing, TinyErrorBufferIsSafe)
{
    char err[8];
    cfg4 *c = nullptr;
    EXPECT_EQ(-1, cfg4_parse(dhcp4("\"valid-lifetime\": \"x\"").c_str(), "t", &c, err, sizeof(err)));
    EXPECT_EQ(std::string("Dhcp4.v"), err);   // truncated, still terminated
    EXPECT_EQ(-1, cfg4_parse("{", "t", &c, nullptr, 0));
}

// ---- SQL connection parameters (lease-database / hosts-database) ---------

TEST(CfgSqlConnection, KeaParametersAreKeptWithTheirDefaults)
{
    Parsed p;
    PARSE_OK(p, dhcp4("\"lease-database\": { \"type\": \"mysql\", \"name\": \"kea\", "
                      "\"host\": \"192.0.2.7\", \"port\": 3307, \"user\": \"u\", \"password\": \"p,w\", "
                      "\"connect-timeout\": 9, \"read-timeout\": 11, \"write-timeout\": 12, "
                      "\"max-reconnect-tries\": 3, \"reconnect-wait-time\": 1500, "
                      "\"on-fail\": \"serve-retry-exit\", \"retry-on-startup\": true, "
                      "\"trust-anchor\": \"/ca.pem\", \"cert-file\": \"/c.pem\", "
                      "\"key-file\": \"/k.pem\", \"cipher-list\": \"AES256-SHA\" }, "
                      "\"hosts-databases\": [ { \"type\": \"postgresql\", \"name\": \"h\", "
                      "\"tcp-user-timeout\": 4, \"readonly\": true } ]"));
    const cfg_db_conn &c = p.c->lease_db.conn;
    EXPECT_STREQ("192.0.2.7", c.host);
    EXPECT_EQ(3307, c.port);
    EXPECT_STREQ("u", c.user);
    EXPECT_STREQ("p,w", c.password);
    EXPECT_EQ(9u, c.connect_timeout);
    EXPECT_EQ(11u, c.read_timeout);
    EXPECT_EQ(12u, c.write_timeout);
    EXPECT_EQ(3u, c.max_reconnect_tries);
    EXPECT_EQ(1500u, c.reconnect_wait_time);
    EXPECT_EQ(CFG_ON_FAIL_SERVE_RETRY_EXIT, c.on_fail);
    EXPECT_TRUE(c.retry_on_startup);
    EXPECT_STREQ("/ca.pem", c.trust_anchor);
    EXPECT_STREQ("/c.pem", c.cert_file);
    EXPECT_STREQ("/k.pem", c.key_file);
    EXPECT_STREQ("AES256-SHA", c.cipher_list);

    // Kea's defaults where nothing is given (spec 2.2).
    ASSERT_EQ(1u, p.c->n_hosts_dbs);
    const cfg_db_conn &h = p.c->hosts_dbs[0].conn;
    EXPECT_EQ(4u, h.tcp_user_timeout);
    EXPECT_EQ(5u, h.connect_timeout);
    EXPECT_EQ(0u, h.max_reconnect_tries);
    EXPECT_EQ(0u, h.reconnect_wait_time);
    EXPECT_EQ(CFG_ON_FAIL_STOP_RETRY_EXIT, h.on_fail);
    EXPECT_FALSE(h.retry_on_startup);
    EXPECT_STREQ("", h.host);
    EXPECT_EQ(0, h.port);
    EXPECT_TRUE(p.c->hosts_dbs[0].readonly);
}

TEST(CfgSqlConnection, BackendSpecificAndInvalidValuesAreRefused)
{
    std::string longhost(300, 'h');
    expect_errors({
        { dhcp4("\"lease-database\": { \"type\": \"postgresql\", \"name\": \"d\", \"read-timeout\": 5 }"),
          "Dhcp4.lease-database.read-timeout: is supported by the mysql backend only" },
        { dhcp4("\"lease-database\": { \"type\": \"mysql\", \"name\": \"d\", \"tcp-user-timeout\": 5 }"),
          "Dhcp4.lease-database.tcp-user-timeout: is supported by the postgresql backend only" },
        { dhcp4("\"lease-database\": { \"type\": \"mysql\", \"name\": \"d\", \"connect-timeout\": 0 }"),
          "Dhcp4.lease-database.connect-timeout: must be greater than 0" },
        { dhcp4("\"lease-database\": { \"type\": \"mysql\", \"name\": \"d\", \"host\": \"" + longhost + "\" }"),
          "Dhcp4.lease-database.host: is too long" },
        { dhcp4("\"lease-database\": { \"type\": \"mysql\", \"name\": \"d\", \"port\": 70000 }"),
          "Dhcp4.lease-database.port: " },
        { dhcp4("\"hosts-databases\": [ { \"type\": \"mysql\", \"name\": \"a\" }, "
                "{ \"type\": \"mysql\", \"name\": \"b\", \"on-fail\": \"retry\" } ]"),
          "Dhcp4.hosts-databases[1].on-fail: 'retry' is not valid" },
    });
}

} // namespace
