// The lease commands (server/cmd_lease.c) with a real ctrl_env and a real
// lease store: memfile always, MariaDB / PostgreSQL when DORA_TEST_MYSQL /
// DORA_TEST_PGSQL are set (tests/system/test_sql_backends.sh sets them with
// real servers; without them those instances are skipped, never faked).
#include <gtest/gtest.h>

#include <cstdlib>
#include <set>
#include <string>
#include <unistd.h>

#include "cmd_env.h"
#include "server/stats.h"

namespace {

const Backend kBackends[] = {
    { "memfile", nullptr },
    { "mysql", "DORA_TEST_MYSQL" },
    { "postgresql", "DORA_TEST_PGSQL" },
};

class CmdLease : public ::testing::TestWithParam<Backend> {
protected:
    CmdEnv *e_ = nullptr;
    std::string dir_, db_;

    void SetUp() override
    {
        const Backend &b = GetParam();
        if (getenv("DORA_MODULE_DIR") == nullptr)
            setenv("DORA_MODULE_DIR", DORA_ABS_BUILDDIR "/backends", 0);
        if (b.env == nullptr) {
            char tmpl[] = "/tmp/dora-cmdlease-XXXXXX";
            ASSERT_NE(nullptr, mkdtemp(tmpl));
            dir_ = tmpl;
            db_ = "{ \"type\": \"memfile\", \"name\": \"" + dir_ + "/leases4.csv\", \"lfc-interval\": 0 }";
        } else {
            const char *spec = getenv(b.env);
            if (spec == nullptr || spec[0] == '\0')
                GTEST_SKIP() << b.env << " not set: no " << b.type << " server to test against";
            db_ = std::string("{ \"type\": \"") + b.type + "\"" + conn_members(spec) + " }";
        }
        open();
        wipe_all();
    }

    void open()
    {
        e_ = new CmdEnv();
        std::string cfg = "{ \"Dhcp4\": { \"valid-lifetime\": 3600, \"lease-database\": " + db_ +
                          ", \"subnet4\": ["
                          "{ \"id\": 1, \"subnet\": \"192.0.2.0/24\", \"pools\": "
                          "[ { \"pool\": \"192.0.2.10 - 192.0.2.200\", \"pool-id\": 5 } ] },"
                          "{ \"id\": 2, \"subnet\": \"198.51.100.0/24\", \"valid-lifetime\": 7200 } ] } }";
        ASSERT_TRUE(e_->open(cfg));
    }

    void wipe_all()
    {
        if (e_ != nullptr && e_->env.store != nullptr) {
            ASSERT_GE(e_->env.store->ops->wipe(e_->env.store, 0), 0);
        }
    }

    void TearDown() override
    {
        wipe_all();
        delete e_;
        if (!dir_.empty()) {
            unlink((dir_ + "/leases4.csv").c_str());
            rmdir(dir_.c_str());
        }
    }

    Answer run(const char *name, const std::string &args)
    {
        return Answer(e_->run(ctrl_cmds_lease, name, args.empty() ? nullptr : args.c_str()));
    }

    void add(const std::string &ip, const std::string &hw, const std::string &extra = "")
    {
        Answer a = run("lease4-add", "{ \"ip-address\": \"" + ip + "\", \"hw-address\": \"" + hw + "\"" +
                                         extra + " }");
        ASSERT_EQ(CTRL_SUCCESS, a.a.result) << ip << ": " << a.a.text;
    }
};

TEST_P(CmdLease, AddThenGetPrintsTheLeaseAsKea)
{
    Answer a = run("lease4-add", R"({ "ip-address": "192.0.2.20", "hw-address": "1A:1b:1c:1d:1e:1f",
        "client-id": "01:1a:1b:1c:1d:1e:1f", "expire": 2000003600, "hostname": "myhost.example.org.",
        "fqdn-fwd": true, "state": 0 })");
    ASSERT_EQ(CTRL_SUCCESS, a.a.result) << a.a.text;
    EXPECT_STREQ("Lease added.", a.a.text);

    Answer g = run("lease4-get", R"({ "ip-address": "192.0.2.20" })");
    ASSERT_EQ(CTRL_SUCCESS, g.a.result) << g.a.text;
    EXPECT_STREQ("IPv4 lease found.", g.a.text);
    EXPECT_EQ("192.0.2.20", g.str("ip-address"));
    EXPECT_EQ("1a:1b:1c:1d:1e:1f", g.str("hw-address"));
    EXPECT_EQ("01:1a:1b:1c:1d:1e:1f", g.str("client-id"));
    EXPECT_EQ("1", g.str("subnet-id"));                 // found by subnet selection
    EXPECT_EQ("5", g.str("pool-id"));                   // the pool holding the address
    EXPECT_EQ("3600", g.str("valid-lft"));              // the subnet's lifetime
    EXPECT_EQ("2000000000", g.str("cltt"));             // expire - valid-lft
    EXPECT_EQ("true", g.str("fqdn-fwd"));
    EXPECT_EQ("false", g.str("fqdn-rev"));
    EXPECT_EQ("myhost.example.org.", g.str("hostname"));
    EXPECT_EQ("0", g.str("state"));
    EXPECT_EQ(11u, (size_t)json_object_object_length(g.a.args));

    // By identifier and subnet; no client-id printed when there is none.
    Answer h = run("lease4-get", R"({ "identifier-type": "hw-address",
        "identifier": "1a:1b:1c:1d:1e:1f", "subnet-id": 1 })");
    EXPECT_EQ(CTRL_SUCCESS, h.a.result) << h.a.text;
    EXPECT_EQ("192.0.2.20", h.str("ip-address"));
    Answer c = run("lease4-get", R"({ "identifier-type": "client-id",
        "identifier": "01:1a:1b:1c:1d:1e:1f", "subnet-id": 1 })");
    EXPECT_EQ(CTRL_SUCCESS, c.a.result) << c.a.text;
    add("198.51.100.7", "02:00:00:00:00:07");
    Answer n = run("lease4-get", R"({ "ip-address": "198.51.100.7" })");
    EXPECT_EQ("<absent>", n.str("client-id"));
    EXPECT_EQ("<absent>", n.str("pool-id"));
    EXPECT_EQ("7200", n.str("valid-lft"));
    EXPECT_EQ("2", n.str("subnet-id"));
}

TEST_P(CmdLease, NotFoundIsResultThree)
{
    Answer a = run("lease4-get", R"({ "ip-address": "192.0.2.99" })");
    EXPECT_EQ(CTRL_EMPTY, a.a.result);
    EXPECT_STREQ("IPv4 lease not found.", a.a.text);
    EXPECT_EQ(nullptr, a.a.args);
    add("192.0.2.21", "02:00:00:00:00:21");
    Answer w = run("lease4-get", R"({ "identifier-type": "hw-address",
        "identifier": "02:00:00:00:00:21", "subnet-id": 2 })");   // other subnet
    EXPECT_EQ(CTRL_EMPTY, w.a.result);
    Answer d = run("lease4-del", R"({ "ip-address": "192.0.2.99" })");
    EXPECT_EQ(CTRL_EMPTY, d.a.result);
    Answer u = run("lease4-update", R"({ "ip-address": "192.0.2.99", "hw-address": "02:00:00:00:00:99" })");
    EXPECT_EQ(CTRL_EMPTY, u.a.result) << u.a.text;
    EXPECT_EQ(CTRL_EMPTY, run("lease4-get-by-hw-address", R"({ "hw-address": "0a:0b:0c:0d:0e:0f" })").a.result);
    EXPECT_EQ(CTRL_EMPTY, run("lease4-get-by-client-id", R"({ "client-id": "01:02" })").a.result);
    EXPECT_EQ(CTRL_EMPTY, run("lease4-get-by-hostname", R"({ "hostname": "nobody" })").a.result);
    EXPECT_EQ(CTRL_EMPTY, run("lease4-get-all", R"({ "subnets": [ 2 ] })").a.result);
    EXPECT_EQ(CTRL_EMPTY, run("lease4-wipe", R"({ "subnet-id": 2 })").a.result);
}

TEST_P(CmdLease, BadArgumentsAreErrorsThatNameTheArgument)
{
    struct {
        const char *cmd, *args, *needle;
    } cases[] = {
        { "lease4-get", nullptr, "no parameters" },
        { "lease4-get", "[ 1 ]", "map" },
        { "lease4-get", R"({ "ip-address": "192.0.2.300" })", "'ip-address'" },
        { "lease4-get", R"({ "ip-address": 7 })", "'ip-address'" },
        { "lease4-get", R"({ "identifier-type": "duid", "identifier": "01", "subnet-id": 1 })", "duid" },
        { "lease4-get", R"({ "identifier-type": "hw-address", "identifier": "zz", "subnet-id": 1 })", "'identifier'" },
        { "lease4-get", R"({ "identifier-type": "hw-address", "identifier": "01:02" })", "'subnet-id'" },
        { "lease4-add", R"({ "hw-address": "01:02:03:04:05:06" })", "'ip-address'" },
        { "lease4-add", R"({ "ip-address": "192.0.2.30" })", "'hw-address'" },
        { "lease4-add", R"({ "ip-address": "203.0.113.1", "hw-address": "01:02" })", "failed to find a subnet" },
        { "lease4-add", R"({ "ip-address": "192.0.2.30", "hw-address": "01:02", "subnet-id": 9 })", "subnet-id=9" },
        { "lease4-add", R"({ "ip-address": "192.0.2.30", "hw-address": "01:02", "subnet-id": 2 })", "does not belong" },
        { "lease4-add", R"({ "ip-address": "192.0.2.30", "hw-address": "01:02", "state": 4 })", "state" },
        { "lease4-add", R"({ "ip-address": "192.0.2.30", "hw-address": "01:02", "fqdn-rev": true })", "hostname" },
        { "lease4-add", R"({ "ip-address": "192.0.2.30", "hw-address": "01:02", "valid-lft": -1 })", "'valid-lft'" },
        { "lease4-add", R"({ "ip-address": "192.0.2.30", "hw-address": "01:02", "fqdn-fwd": "yes" })", "'fqdn-fwd'" },
        { "lease4-get-page", R"({ "limit": 5 })", "'from'" },
        { "lease4-get-page", R"({ "from": "start" })", "'limit'" },
        { "lease4-get-page", R"({ "from": "nowhere", "limit": 5 })", "'from'" },
        { "lease4-get-page", R"({ "from": "start", "limit": 0 })", "'limit'" },
        { "lease4-get-all", R"({ "subnets": 1 })", "'subnets'" },
        { "lease4-get-all", R"({ "subnets": [ "a" ] })", "'subnets'" },
        { "lease4-get-by-hw-address", R"({ })", "'hw-address'" },
        { "lease4-get-by-client-id", R"({ "client-id": "" })", "'client-id'" },
        { "lease4-get-by-hostname", R"({ "hostname": "" })", "'hostname'" },
        { "lease4-update", R"({ "ip-address": "192.0.2.30", "hw-address": "01:02", "force-create": 1 })", "'force-create'" },
        { "lease4-wipe", R"({ "subnet-id": "1" })", "'subnet-id'" },
    };
    for (const auto &c : cases) {
        Answer a(e_->run(ctrl_cmds_lease, c.cmd, c.args));
        EXPECT_EQ(CTRL_ERROR, a.a.result) << c.cmd << " " << (c.args ? c.args : "") << ": " << a.a.text;
        EXPECT_NE(nullptr, strstr(a.a.text, c.needle)) << c.cmd << ": '" << a.a.text << "' lacks " << c.needle;
    }
    // user-context is not stored by these stores: refused, not dropped.
    Answer uc = run("lease4-add", R"({ "ip-address": "192.0.2.30", "hw-address": "01:02", "user-context": { "a": 1 } })");
    EXPECT_EQ(CTRL_UNSUPPORTED, uc.a.result);
    // Nothing of the above was stored.
    EXPECT_EQ(CTRL_EMPTY, run("lease4-get-all", "").a.result);
}

TEST_P(CmdLease, AddOfAHeldAddressIsRefusedAndChangesNothing)
{
    add("192.0.2.40", "02:00:00:00:00:40", R"(, "hostname": "first")");
    Answer a = run("lease4-add", R"({ "ip-address": "192.0.2.40", "hw-address": "02:00:00:00:00:41" })");
    EXPECT_EQ(CTRL_ERROR, a.a.result);
    EXPECT_STREQ("IPv4 lease already exists.", a.a.text);
    Answer g = run("lease4-get", R"({ "ip-address": "192.0.2.40" })");
    EXPECT_EQ("02:00:00:00:00:40", g.str("hw-address"));
    EXPECT_EQ("first", g.str("hostname"));
}

TEST_P(CmdLease, UpdateReplacesTheWholeLeaseAndForceCreateCreates)
{
    add("192.0.2.50", "02:00:00:00:00:50", R"(, "hostname": "old", "client-id": "01:02")");
    Answer u = run("lease4-update", R"({ "ip-address": "192.0.2.50", "hw-address": "02:00:00:00:00:51",
        "hostname": "new.example.org", "valid-lft": 600, "expire": 2000000600, "subnet-id": 1 })");
    ASSERT_EQ(CTRL_SUCCESS, u.a.result) << u.a.text;
    EXPECT_STREQ("IPv4 lease updated.", u.a.text);
    Answer g = run("lease4-get", R"({ "ip-address": "192.0.2.50" })");
    EXPECT_EQ("02:00:00:00:00:51", g.str("hw-address"));
    EXPECT_EQ("new.example.org", g.str("hostname"));
    EXPECT_EQ("<absent>", g.str("client-id"));   // the whole lease is replaced
    EXPECT_EQ("600", g.str("valid-lft"));
    EXPECT_EQ("2000000000", g.str("cltt"));

    Answer f = run("lease4-update", R"({ "ip-address": "192.0.2.51", "hw-address": "02:00:00:00:00:52",
        "force-create": true })");
    EXPECT_EQ(CTRL_SUCCESS, f.a.result) << f.a.text;
    EXPECT_EQ(CTRL_SUCCESS, run("lease4-get", R"({ "ip-address": "192.0.2.51" })").a.result);
}

TEST_P(CmdLease, DeleteByAddressAndByIdentifier)
{
    add("192.0.2.60", "02:00:00:00:00:60");
    add("192.0.2.61", "02:00:00:00:00:61", R"(, "client-id": "01:02:00:00:00:00:61")");
    Answer d = run("lease4-del", R"({ "ip-address": "192.0.2.60" })");
    EXPECT_EQ(CTRL_SUCCESS, d.a.result) << d.a.text;
    EXPECT_STREQ("IPv4 lease deleted.", d.a.text);
    EXPECT_EQ(CTRL_EMPTY, run("lease4-get", R"({ "ip-address": "192.0.2.60" })").a.result);
    Answer w = run("lease4-del", R"({ "identifier-type": "client-id", "identifier": "01:02:00:00:00:00:61",
        "subnet-id": 2 })");
    EXPECT_EQ(CTRL_EMPTY, w.a.result);           // wrong subnet
    Answer i = run("lease4-del", R"({ "identifier-type": "client-id", "identifier": "01:02:00:00:00:00:61",
        "subnet-id": 1 })");
    EXPECT_EQ(CTRL_SUCCESS, i.a.result) << i.a.text;
    EXPECT_EQ(CTRL_EMPTY, run("lease4-get-all", "").a.result);
}

TEST_P(CmdLease, ListsByIdentifierHostnameAndSubnet)
{
    add("192.0.2.70", "02:00:00:00:00:70", R"(, "hostname": "Laptop.example.org")");
    add("198.51.100.70", "02:00:00:00:00:70", R"(, "client-id": "ff:01")");
    add("198.51.100.71", "02:00:00:00:00:71", R"(, "client-id": "ff:01")");
    Answer hw = run("lease4-get-by-hw-address", R"({ "hw-address": "02:00:00:00:00:70" })");
    ASSERT_EQ(CTRL_SUCCESS, hw.a.result);
    EXPECT_STREQ("2 IPv4 lease(s) found.", hw.a.text);
    EXPECT_EQ(2u, json_object_array_length(hw.arg("leases")));
    Answer cid = run("lease4-get-by-client-id", R"({ "client-id": "FF:01" })");
    EXPECT_EQ(2u, json_object_array_length(cid.arg("leases")));
    Answer hn = run("lease4-get-by-hostname", R"({ "hostname": "laptop.example.org" })");
    ASSERT_EQ(CTRL_SUCCESS, hn.a.result);
    ASSERT_EQ(1u, json_object_array_length(hn.arg("leases")));
    EXPECT_STREQ("192.0.2.70", json_object_get_string(json_object_object_get(
                                   json_object_array_get_idx(hn.arg("leases"), 0), "ip-address")));
    Answer all = run("lease4-get-all", "");
    EXPECT_STREQ("3 IPv4 lease(s) found.", all.a.text);
    Answer s2 = run("lease4-get-all", R"({ "subnets": [ 2 ] })");
    EXPECT_STREQ("2 IPv4 lease(s) found.", s2.a.text);
    Answer s12 = run("lease4-get-all", R"({ "subnets": [ 1, 2 ] })");
    EXPECT_EQ(3u, json_object_array_length(s12.arg("leases")));
}

TEST_P(CmdLease, PagingWalksEveryLeaseOnceOverSeveralPages)
{
    std::set<std::string> want;
    for (int i = 0; i < 25; i++) {
        std::string ip = "192.0.2." + std::to_string(100 + (i * 11) % 25);
        char hw[32];
        snprintf(hw, sizeof(hw), "02:00:00:00:01:%02x", i);
        add(ip, hw);
        want.insert(ip);
    }
    std::set<std::string> got;
    std::string from = "start";
    int pages = 0;
    for (;;) {
        Answer p = run("lease4-get-page", "{ \"from\": \"" + from + "\", \"limit\": 10 }");
        ASSERT_LT(++pages, 10);
        int64_t count = json_object_get_int64(p.arg("count"));
        json_object *leases = p.arg("leases");
        ASSERT_NE(nullptr, leases);
        ASSERT_EQ((size_t)count, json_object_array_length(leases));
        if (count == 0) {
            EXPECT_EQ(CTRL_EMPTY, p.a.result);
            break;
        }
        EXPECT_EQ(CTRL_SUCCESS, p.a.result);
        for (size_t i = 0; i < (size_t)count; i++) {
            std::string ip = json_object_get_string(
                json_object_object_get(json_object_array_get_idx(leases, i), "ip-address"));
            EXPECT_TRUE(got.insert(ip).second) << ip << " came twice";
            from = ip;
        }
        if (count < 10)
            break;
    }
    EXPECT_EQ(3, pages);   // 10 + 10 + 5
    EXPECT_EQ(want, got);
}

TEST_P(CmdLease, WipeASubnetOrAllDurably)
{
    add("192.0.2.80", "02:00:00:00:00:80");
    add("192.0.2.81", "02:00:00:00:00:81");
    add("198.51.100.80", "02:00:00:00:00:82");
    Answer w = run("lease4-wipe", R"({ "subnet-id": 1 })");
    EXPECT_EQ(CTRL_SUCCESS, w.a.result);
    EXPECT_STREQ("Deleted 2 IPv4 lease(s) from subnet(s) 1", w.a.text);
    // Reopen the store: what the answer said is what is on disk / in the DB.
    delete e_;
    e_ = nullptr;
    open();
    Answer all = run("lease4-get-all", "");
    ASSERT_EQ(CTRL_SUCCESS, all.a.result);
    ASSERT_EQ(1u, json_object_array_length(all.arg("leases")));
    Answer w2 = run("lease4-wipe", "");
    EXPECT_STREQ("Deleted 1 IPv4 lease(s) from all subnets", w2.a.text);
}

// The address gauges follow the commands (stats.h: every lease change).
static int64_t subnet_stat(uint32_t subnet, enum sstat_id id)
{
    int slot = stats_slot(subnet, STATS_NO_POOL);
    return slot < 0 ? -1 : stats_slot_get((unsigned)slot, id);
}
static int64_t assigned(uint32_t subnet) { return subnet_stat(subnet, SSTAT_ASSIGNED_ADDRESSES); }
static int64_t declined(uint32_t subnet) { return subnet_stat(subnet, SSTAT_DECLINED_ADDRESSES); }

TEST_P(CmdLease, AssignedAddressesFollowAddDeleteAndWipe)
{
    int64_t base1 = assigned(1), base2 = assigned(2), dbase1 = declined(1);
    add("192.0.2.60", "02:00:00:00:00:60");
    add("192.0.2.61", "02:00:00:00:00:61");
    add("198.51.100.60", "02:00:00:00:00:62");
    EXPECT_EQ(base1 + 2, assigned(1));
    EXPECT_EQ(base2 + 1, assigned(2));
    Answer d = run("lease4-del", R"({ "ip-address": "192.0.2.60" })");
    ASSERT_EQ(CTRL_SUCCESS, d.a.result) << d.a.text;
    EXPECT_EQ(base1 + 1, assigned(1));
    Answer u = run("lease4-update", R"({ "ip-address": "192.0.2.61", "hw-address": "02:00:00:00:00:61",
        "subnet-id": 1, "state": 1 })");
    ASSERT_EQ(CTRL_SUCCESS, u.a.result) << u.a.text;
    // Kea's rule: a declined address stays assigned until it is reclaimed.
    EXPECT_EQ(base1 + 1, assigned(1));
    EXPECT_EQ(dbase1 + 1, declined(1));
    Answer w = run("lease4-wipe", "");
    ASSERT_EQ(CTRL_SUCCESS, w.a.result) << w.a.text;
    EXPECT_EQ(base1, assigned(1));
    EXPECT_EQ(base2, assigned(2));
    EXPECT_EQ(dbase1, declined(1));
}

TEST_P(CmdLease, CommandWritesAreDurableBeforeTheAnswer)
{
    add("192.0.2.90", "02:00:00:00:00:90", R"(, "hostname": "durable")");
    ASSERT_EQ(CTRL_SUCCESS, run("lease4-update", R"({ "ip-address": "192.0.2.90",
        "hw-address": "02:00:00:00:00:91", "hostname": "changed" })").a.result);
    ASSERT_EQ(CTRL_SUCCESS, run("lease4-del", R"({ "ip-address": "192.0.2.90" })").a.result);
    add("192.0.2.91", "02:00:00:00:00:92");
    // A second store opened on the same file/database sees exactly this.
    CmdEnv other;
    std::string cfg = "{ \"Dhcp4\": { \"lease-database\": " + db_ +
                      ", \"subnet4\": [ { \"id\": 1, \"subnet\": \"192.0.2.0/24\" } ] } }";
    ASSERT_TRUE(other.open(cfg));   // memfile: reads the file as it is now
    Answer g = Answer(other.run(ctrl_cmds_lease, "lease4-get-all", nullptr));
    ASSERT_EQ(CTRL_SUCCESS, g.a.result) << g.a.text;
    ASSERT_EQ(1u, json_object_array_length(g.arg("leases")));
    EXPECT_STREQ("192.0.2.91", json_object_get_string(json_object_object_get(
                                   json_object_array_get_idx(g.arg("leases"), 0), "ip-address")));
}

INSTANTIATE_TEST_SUITE_P(Backends, CmdLease, ::testing::ValuesIn(kBackends),
                         [](const ::testing::TestParamInfo<Backend> &i) { return std::string(i.param.type); });

} // namespace
