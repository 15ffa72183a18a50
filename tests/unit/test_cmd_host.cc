// The reservation commands (server/cmd_host.c) with a real ctrl_env:
// operation-target "memory" edits the running config through cfg_apply
// (the reload path) and is checked with cfg4_host_find; "database" uses
// real hosts-databases on MariaDB / PostgreSQL when DORA_TEST_MYSQL /
// DORA_TEST_PGSQL are set (tests/system/test_sql_backends.sh), else skipped.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "cmd_env.h"

namespace {

const char *kSubnets =
    "\"subnet4\": [ { \"id\": 1, \"subnet\": \"192.0.2.0/24\", \"pools\": "
    "[ { \"pool\": \"192.0.2.100 - 192.0.2.200\" } ], \"reservations\": ["
    "  { \"hw-address\": \"02:00:00:00:00:01\", \"ip-address\": \"192.0.2.11\", \"hostname\": \"one\" } ] },"
    "{ \"id\": 2, \"subnet\": \"198.51.100.0/24\" } ]";

Answer run(CmdEnv &e, const char *name, const std::string &args)
{
    return Answer(e.run(ctrl_cmds_host, name, args.empty() ? nullptr : args.c_str()));
}

const uint8_t kHw2[6] = { 2, 0, 0, 0, 0, 2 };

class CmdHostMemory : public ::testing::Test {
protected:
    CmdEnv e_;
    void SetUp() override
    {
        ASSERT_TRUE(e_.open(std::string("{ \"Dhcp4\": { ") + kSubnets + " } }", false));
    }
};

TEST_F(CmdHostMemory, AddedReservationIsHonouredByTheRunningConfig)
{
    ASSERT_EQ(nullptr, cfg4_host_find(e_.cfg, 1, HOST_ID_HWADDR, kHw2, 6));
    Answer a = run(e_, "reservation-add", R"({ "reservation": { "subnet-id": 1,
        "hw-address": "02:00:00:00:00:02", "ip-address": "192.0.2.12", "hostname": "two",
        "option-data": [ { "name": "domain-name-servers", "data": "192.0.2.53" } ] },
        "operation-target": "memory" })");
    ASSERT_EQ(CTRL_SUCCESS, a.a.result) << a.a.text;
    EXPECT_STREQ("Host added.", a.a.text);
    EXPECT_EQ(1, e_.applies);
    const cfg_host *h = cfg4_host_find(e_.cfg, 1, HOST_ID_HWADDR, kHw2, 6);
    ASSERT_NE(nullptr, h);
    EXPECT_EQ(0xc000020cu, h->ip);
    EXPECT_STREQ("two", h->hostname);
    EXPECT_EQ(1u, h->options.n);
    EXPECT_NE(nullptr, cfg4_host_by_addr(e_.cfg, 1, 0xc000020b));   // the old one stays

    Answer g = run(e_, "reservation-get", R"({ "subnet-id": 1, "identifier-type": "hw-address",
        "identifier": "02:00:00:00:00:02" })");
    ASSERT_EQ(CTRL_SUCCESS, g.a.result);
    EXPECT_STREQ("Host found.", g.a.text);
    EXPECT_EQ("192.0.2.12", g.str("ip-address"));
    EXPECT_EQ("02:00:00:00:00:02", g.str("hw-address"));
    EXPECT_EQ("two", g.str("hostname"));
    EXPECT_EQ("1", g.str("subnet-id"));
    EXPECT_EQ("0.0.0.0", g.str("next-server"));
    EXPECT_EQ("", g.str("boot-file-name"));
    EXPECT_EQ(1u, json_object_array_length(g.arg("option-data")));
    Answer b = run(e_, "reservation-get", R"({ "subnet-id": 1, "ip-address": "192.0.2.11" })");
    EXPECT_EQ("one", b.str("hostname"));

    Answer all = run(e_, "reservation-get-all", R"({ "subnet-id": 1 })");
    EXPECT_STREQ("2 IPv4 host(s) found.", all.a.text);
    EXPECT_EQ(2u, json_object_array_length(all.arg("hosts")));
}

TEST_F(CmdHostMemory, InvalidReservationIsRefusedWithTheParserMessageAndNothingChanges)
{
    Answer dup = run(e_, "reservation-add", R"({ "reservation": { "subnet-id": 1,
        "hw-address": "02:00:00:00:00:02", "ip-address": "192.0.2.11" }, "operation-target": "memory" })");
    EXPECT_EQ(CTRL_ERROR, dup.a.result);
    EXPECT_NE(nullptr, strstr(dup.a.text, "Dhcp4.subnet4[0].reservations[1].ip-address")) << dup.a.text;
    EXPECT_NE(nullptr, strstr(dup.a.text, "already reserved")) << dup.a.text;
    Answer out = run(e_, "reservation-add", R"({ "reservation": { "subnet-id": 1,
        "hw-address": "02:00:00:00:00:02", "ip-address": "198.51.100.5" }, "operation-target": "memory" })");
    EXPECT_EQ(CTRL_ERROR, out.a.result);
    EXPECT_NE(nullptr, strstr(out.a.text, "outside subnet")) << out.a.text;
    Answer nosub = run(e_, "reservation-add", R"({ "reservation": { "subnet-id": 7,
        "hw-address": "02:00:00:00:00:02" }, "operation-target": "memory" })");
    EXPECT_EQ(CTRL_ERROR, nosub.a.result);
    EXPECT_NE(nullptr, strstr(nosub.a.text, "subnet-id")) << nosub.a.text;
    EXPECT_EQ(0, e_.applies);
    EXPECT_EQ(nullptr, cfg4_host_find(e_.cfg, 1, HOST_ID_HWADDR, kHw2, 6));
}

TEST_F(CmdHostMemory, NotFoundAnswersAndDelete)
{
    Answer g = run(e_, "reservation-get", R"({ "subnet-id": 2, "ip-address": "198.51.100.9" })");
    EXPECT_EQ(CTRL_SUCCESS, g.a.result);          // Kea: 0 for get
    EXPECT_STREQ("Host not found.", g.a.text);
    EXPECT_EQ(nullptr, g.a.args);
    Answer none = run(e_, "reservation-get-all", R"({ "subnet-id": 2 })");
    EXPECT_EQ(CTRL_EMPTY, none.a.result);

    Answer d = run(e_, "reservation-del", R"({ "subnet-id": 1, "identifier-type": "hw-address",
        "identifier": "02:00:00:00:00:01", "operation-target": "memory" })");
    ASSERT_EQ(CTRL_SUCCESS, d.a.result) << d.a.text;
    EXPECT_STREQ("Host deleted.", d.a.text);
    const uint8_t hw1[6] = { 2, 0, 0, 0, 0, 1 };
    EXPECT_EQ(nullptr, cfg4_host_find(e_.cfg, 1, HOST_ID_HWADDR, hw1, 6));
    Answer d2 = run(e_, "reservation-del", R"({ "subnet-id": 1, "identifier-type": "hw-address",
        "identifier": "02:00:00:00:00:01", "operation-target": "memory" })");
    EXPECT_EQ(CTRL_ERROR, d2.a.result);           // Kea: 1 for del
    EXPECT_STREQ("Host not deleted (not found).", d2.a.text);
}

TEST_F(CmdHostMemory, DatabaseTargetWithoutHostsDatabaseAndBadArguments)
{
    Answer a = run(e_, "reservation-add", R"({ "reservation": { "subnet-id": 1, "hw-address": "01:02" } })");
    EXPECT_EQ(CTRL_ERROR, a.a.result);
    EXPECT_NE(nullptr, strstr(a.a.text, "no hosts-database")) << a.a.text;
    Answer d = run(e_, "reservation-del", R"({ "subnet-id": 1, "ip-address": "192.0.2.11" })");
    EXPECT_EQ(CTRL_ERROR, d.a.result);
    EXPECT_NE(nullptr, strstr(d.a.text, "no hosts-database")) << d.a.text;
    struct {
        const char *cmd, *args, *needle;
    } cases[] = {
        { "reservation-add", R"({ "reservation": { "hw-address": "01:02" }, "operation-target": "memory" })", "'subnet-id'" },
        { "reservation-add", R"({ "operation-target": "memory" })", "'reservation'" },
        { "reservation-add", R"({ "reservation": { "subnet-id": 1 }, "operation-target": "cache" })", "'operation-target'" },
        { "reservation-get", R"({ "identifier-type": "hw-address", "identifier": "01:02" })", "'subnet-id'" },
        { "reservation-get", R"({ "subnet-id": 1, "identifier-type": "mac", "identifier": "01:02" })", "'identifier-type'" },
        { "reservation-get", R"({ "subnet-id": 1, "identifier-type": "hw-address", "identifier": "x" })", "'identifier'" },
        { "reservation-get", R"({ "subnet-id": 1, "identifier-type": "hw-address" })", "'identifier'" },
        { "reservation-get", R"({ "subnet-id": 1, "ip-address": "1.2.3" })", "'ip-address'" },
        { "reservation-get-all", R"({ })", "'subnet-id'" },
        { "reservation-get-page", R"({ "subnet-id": 1 })", "'limit'" },
        { "reservation-get-page", R"({ "limit": 0 })", "'limit'" },
        { "reservation-get-page", R"({ "limit": 5, "source-index": 3 })", "'source-index'" },
        { "reservation-del", R"({ "subnet-id": -1, "ip-address": "192.0.2.11" })", "'subnet-id'" },
    };
    for (const auto &c : cases) {
        Answer x(e_.run(ctrl_cmds_host, c.cmd, c.args));
        EXPECT_EQ(CTRL_ERROR, x.a.result) << c.cmd << " " << c.args << ": " << x.a.text;
        EXPECT_NE(nullptr, strstr(x.a.text, c.needle)) << c.cmd << ": '" << x.a.text << "' lacks " << c.needle;
    }
    EXPECT_EQ(0, e_.applies);
}

// Walk reservation-get-page from the start; returns the hostnames in order.
std::vector<std::string> walk_pages(CmdEnv &e, const std::string &subnet, int limit, int *pages)
{
    std::vector<std::string> names;
    std::string cursor;
    *pages = 0;
    for (int guard = 0; guard < 50; guard++) {
        Answer p = run(e, "reservation-get-page", "{ " + subnet + "\"limit\": " + std::to_string(limit) +
                                                      cursor + " }");
        json_object *hosts = p.arg("hosts");
        EXPECT_NE(nullptr, hosts) << p.a.text;
        if (hosts == nullptr)
            break;
        size_t n = json_object_array_length(hosts);
        EXPECT_EQ((int64_t)n, json_object_get_int64(p.arg("count")));
        if (n == 0) {
            EXPECT_EQ(CTRL_EMPTY, p.a.result);
            EXPECT_EQ(nullptr, p.arg("next"));
            break;
        }
        (*pages)++;
        EXPECT_EQ(CTRL_SUCCESS, p.a.result);
        for (size_t i = 0; i < n; i++)
            names.push_back(json_object_get_string(
                json_object_object_get(json_object_array_get_idx(hosts, i), "hostname")));
        json_object *next = p.arg("next");
        EXPECT_NE(nullptr, next);
        if (next == nullptr)
            break;
        cursor = std::string(", \"from\": ") + json_object_get_string(json_object_object_get(next, "from")) +
                 ", \"source-index\": " + json_object_get_string(json_object_object_get(next, "source-index"));
    }
    return names;
}

TEST_F(CmdHostMemory, PagingWalksTheConfigReservations)
{
    for (int i = 2; i <= 5; i++) {
        char args[256];
        snprintf(args, sizeof(args), R"({ "reservation": { "subnet-id": 1, "hw-address": "02:00:00:00:00:%02x",
            "hostname": "h%d" }, "operation-target": "memory" })", i, i);
        ASSERT_EQ(CTRL_SUCCESS, run(e_, "reservation-add", args).a.result);
    }
    int pages = 0;
    std::vector<std::string> got = walk_pages(e_, "\"subnet-id\": 1, ", 2, &pages);
    EXPECT_EQ((std::vector<std::string>{ "one", "h2", "h3", "h4", "h5" }), got);
    EXPECT_EQ(3, pages);
    got = walk_pages(e_, "\"subnet-id\": 2, ", 2, &pages);
    EXPECT_EQ(0u, got.size());
    got = walk_pages(e_, "", 10, &pages);   // every subnet
    EXPECT_EQ(5u, got.size());
}

// ---- hosts-database -------------------------------------------------------

const Backend kHostBackends[] = {
    { "mysql", "DORA_TEST_MYSQL" },
    { "postgresql", "DORA_TEST_PGSQL" },
};

class CmdHostDb : public ::testing::TestWithParam<Backend> {
protected:
    CmdEnv e_;
    std::string conn_;

    void SetUp() override
    {
        const char *spec = getenv(GetParam().env);
        if (spec == nullptr || spec[0] == '\0')
            GTEST_SKIP() << GetParam().env << " not set";
        if (getenv("DORA_MODULE_DIR") == nullptr)
            setenv("DORA_MODULE_DIR", DORA_ABS_BUILDDIR "/backends", 0);
        conn_ = std::string("\"type\": \"") + GetParam().type + "\"" + conn_members(spec);
        ASSERT_TRUE(e_.open(std::string("{ \"Dhcp4\": { \"hosts-database\": { ") + conn_ + " }, " +
                            kSubnets + " } }", false));
        clean();
    }
    void TearDown() override
    {
        if (e_.env.n_host_stores > 0)
            clean();
    }
    // Every database reservation of subnets 1 and 2 (other suites share
    // the database and leave theirs), listed with get_page and deleted.
    static int collect(const be_host *h, void *ctx)
    {
        static_cast<std::vector<be_host> *>(ctx)->push_back(*h);
        return 0;
    }
    void clean()
    {
        be_host_store *h = e_.hosts[0];
        for (uint32_t subnet : { 1u, 2u }) {
            std::vector<be_host> v;
            uint64_t from = 0;
            ASSERT_GE(h->ops->get_page(h, false, subnet, &from, 100000, collect, &v), 0);
            for (const be_host &x : v)
                ASSERT_EQ(0, h->ops->del(h, x.subnet_id, x.id_type, x.id, x.id_len));
        }
    }
    static std::string res(int last, const std::string &ip, const std::string &extra = "")
    {
        char buf[512];
        snprintf(buf, sizeof(buf), R"({ "reservation": { "subnet-id": 1, "hw-address": "0e:00:00:00:00:%02x",
            "ip-address": "%s", "hostname": "db%d", "next-server": "192.0.2.1",
            "client-classes": [ "gold", "silver" ], "boot-file-name": "pxe.0"%s } })",
                 last, ip.c_str(), last, extra.c_str());
        return buf;
    }
};

TEST_P(CmdHostDb, AddGetListDeleteInTheDatabase)
{
    Answer a = run(e_, "reservation-add", res(1, "192.0.2.21"));
    ASSERT_EQ(CTRL_SUCCESS, a.a.result) << a.a.text;
    EXPECT_EQ(0, e_.applies);   // the config is not touched
    Answer g = run(e_, "reservation-get", R"({ "subnet-id": 1, "identifier-type": "hw-address",
        "identifier": "0e:00:00:00:00:01" })");
    ASSERT_EQ(CTRL_SUCCESS, g.a.result);
    EXPECT_STREQ("Host found.", g.a.text);
    EXPECT_EQ("192.0.2.21", g.str("ip-address"));
    EXPECT_EQ("db1", g.str("hostname"));
    EXPECT_EQ("192.0.2.1", g.str("next-server"));
    EXPECT_EQ("pxe.0", g.str("boot-file-name"));
    EXPECT_EQ(2u, json_object_array_length(g.arg("client-classes")));
    EXPECT_EQ("1", g.str("subnet-id"));
    Answer m = run(e_, "reservation-get", R"({ "subnet-id": 1, "ip-address": "192.0.2.21",
        "operation-target": "memory" })");
    EXPECT_STREQ("Host not found.", m.a.text);   // not in the config

    Answer dup = run(e_, "reservation-add", res(1, "192.0.2.22"));
    EXPECT_EQ(CTRL_ERROR, dup.a.result);
    Answer same_ip = run(e_, "reservation-add", res(2, "192.0.2.21"));
    EXPECT_EQ(CTRL_ERROR, same_ip.a.result);
    Answer opt = run(e_, "reservation-add", res(3, "192.0.2.23",
                                                R"(, "option-data": [ { "name": "routers", "data": "198.51.100.1" } ])"));
    EXPECT_EQ(CTRL_UNSUPPORTED, opt.a.result);

    for (int i = 4; i < 9; i++)
        ASSERT_EQ(CTRL_SUCCESS, run(e_, "reservation-add", res(i, "192.0.2." + std::to_string(20 + i))).a.result);
    Answer all = run(e_, "reservation-get-all", R"({ "subnet-id": 1 })");
    EXPECT_STREQ("7 IPv4 host(s) found.", all.a.text);
    // Pages: the config's reservation (source 0), then the database (source 1).
    int pages = 0;
    std::vector<std::string> names = walk_pages(e_, "\"subnet-id\": 1, ", 4, &pages);
    EXPECT_EQ((std::vector<std::string>{ "one", "db1", "db4", "db5", "db6", "db7", "db8" }), names);
    EXPECT_EQ(3, pages);   // [one] [db1 db4 db5 db6] [db7 db8]

    Answer d = run(e_, "reservation-del", R"({ "subnet-id": 1, "ip-address": "192.0.2.21" })");
    EXPECT_EQ(CTRL_SUCCESS, d.a.result) << d.a.text;
    Answer d2 = run(e_, "reservation-del", R"({ "subnet-id": 1, "ip-address": "192.0.2.21" })");
    EXPECT_EQ(CTRL_ERROR, d2.a.result);
    EXPECT_STREQ("Host not deleted (not found).", d2.a.text);
    Answer gone = run(e_, "reservation-get", R"({ "subnet-id": 1, "ip-address": "192.0.2.21" })");
    EXPECT_STREQ("Host not found.", gone.a.text);
}

TEST_P(CmdHostDb, AllTargetWritesBothAndReadonlyDatabaseRefuses)
{
    Answer a = run(e_, "reservation-add", R"({ "reservation": { "subnet-id": 1, "hw-address": "0e:00:00:00:00:0a",
        "ip-address": "192.0.2.50" }, "operation-target": "all" })");
    ASSERT_EQ(CTRL_SUCCESS, a.a.result) << a.a.text;
    const uint8_t id[6] = { 0x0e, 0, 0, 0, 0, 0x0a };
    EXPECT_NE(nullptr, cfg4_host_find(e_.cfg, 1, HOST_ID_HWADDR, id, 6));
    be_host got;
    EXPECT_EQ(0, e_.hosts[0]->ops->get(e_.hosts[0], 1, BE_HOST_ID_HWADDR, id, 6, &got));
    // The memory half refused (address taken in the config): the database half is undone.
    Answer b = run(e_, "reservation-add", R"({ "reservation": { "subnet-id": 1, "hw-address": "0e:00:00:00:00:0b",
        "ip-address": "192.0.2.11" }, "operation-target": "all" })");
    EXPECT_EQ(CTRL_ERROR, b.a.result);
    const uint8_t idb[6] = { 0x0e, 0, 0, 0, 0, 0x0b };
    EXPECT_EQ(LEASE_E_NOT_FOUND, e_.hosts[0]->ops->get(e_.hosts[0], 1, BE_HOST_ID_HWADDR, idb, 6, &got));
    Answer d = run(e_, "reservation-del", R"({ "subnet-id": 1, "identifier-type": "hw-address",
        "identifier": "0e:00:00:00:00:0a", "operation-target": "all" })");
    EXPECT_EQ(CTRL_SUCCESS, d.a.result);
    EXPECT_EQ(nullptr, cfg4_host_find(e_.cfg, 1, HOST_ID_HWADDR, id, 6));

    CmdEnv ro;
    ASSERT_TRUE(ro.open(std::string("{ \"Dhcp4\": { \"hosts-database\": { ") + conn_ +
                        ", \"readonly\": true }, " + kSubnets + " } }", false));
    Answer r = run(ro, "reservation-add", res(12, "192.0.2.42"));
    EXPECT_EQ(CTRL_ERROR, r.a.result);
    EXPECT_NE(nullptr, strstr(r.a.text, "read-only")) << r.a.text;
}

INSTANTIATE_TEST_SUITE_P(Backends, CmdHostDb, ::testing::ValuesIn(kHostBackends),
                         [](const ::testing::TestParamInfo<Backend> &i) { return std::string(i.param.type); });

} // namespace
