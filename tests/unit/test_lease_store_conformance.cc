// One lease store conformance suite, run unchanged against every backend:
// memfile always; MariaDB when DORA_TEST_MYSQL is set and PostgreSQL when
// DORA_TEST_PGSQL is set ("host=127.0.0.1 port=3306 user=u password=p
// name=db", the database initialised with dora-admin db-init). Without the
// variable the SQL instances are skipped, never faked.
// tests/system/test_sql_backends.sh starts the servers and sets them.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

extern "C" {
#include "backends/lease_store.h"
#include "backends/store_factory.h"
#include "server/cfg.h"
}

namespace {

struct Backend {
    const char *type;    // lease-database.type
    const char *env;     // connection variable, NULL for memfile
};

void PrintTo(const Backend &b, std::ostream *os) { *os << b.type; }

const Backend kBackends[] = {
    { "memfile", nullptr },
    { "mysql", "DORA_TEST_MYSQL" },
    { "postgresql", "DORA_TEST_PGSQL" },
};

std::string json_escape(const std::string &s)
{
    std::string o;
    for (char c : s) {
        if (c == '"' || c == '\\')
            o += '\\';
        o += c;
    }
    return o;
}

// "k=v k=v" -> lease-database JSON members.
std::string conn_members(const char *spec)
{
    std::istringstream in(spec);
    std::string kv, out;
    while (in >> kv) {
        size_t eq = kv.find('=');
        if (eq == std::string::npos)
            continue;
        std::string k = kv.substr(0, eq), v = kv.substr(eq + 1);
        if (k == "port")
            out += ", \"port\": " + v;
        else
            out += ", \"" + k + "\": \"" + json_escape(v) + "\"";
    }
    return out;
}

// Completion recorder.
struct Done {
    std::mutex mu;
    std::vector<int> results;   // in completion order
    std::vector<int> tags;
    static void fn(void *ctx, int result);
};

struct DoneCtx {
    Done *d;
    int tag;
};

void Done::fn(void *ctx, int result)
{
    DoneCtx *c = static_cast<DoneCtx *>(ctx);
    std::lock_guard<std::mutex> g(c->d->mu);
    c->d->results.push_back(result);
    c->d->tags.push_back(c->tag);
    delete c;
}

lease4 make_lease(uint32_t addr, uint8_t hwlast, uint32_t subnet, int64_t cltt, uint32_t valid)
{
    lease4 l;
    memset(&l, 0, sizeof(l));
    l.addr = addr;
    l.subnet_id = subnet;
    l.pool_id = 1;
    l.valid_lft = valid;
    l.cltt = cltt;
    l.state = LEASE_STATE_DEFAULT;
    l.hwaddr_len = 6;
    const uint8_t hw[6] = { 0x02, 0x00, 0x5e, 0x10, 0x20, hwlast };
    memcpy(l.hwaddr, hw, 6);
    l.client_id_len = 7;
    l.client_id[0] = 1;
    memcpy(l.client_id + 1, hw, 6);
    snprintf(l.hostname, sizeof(l.hostname), "host-%u", addr & 0xff);
    l.fqdn_fwd = true;
    return l;
}

int64_t now_s() { return (int64_t)time(nullptr); }

class Conformance : public ::testing::TestWithParam<Backend> {
protected:
    std::string cfg_text_;
    std::string memfile_path_;
    lease_store *s_ = nullptr;

    void SetUp() override
    {
        const Backend &b = GetParam();
        if (getenv("DORA_MODULE_DIR") == nullptr)
            setenv("DORA_MODULE_DIR", DORA_ABS_BUILDDIR "/backends", 0);
        if (b.env == nullptr) {
            char tmpl[] = "/tmp/dora-conf-XXXXXX";
            ASSERT_NE(nullptr, mkdtemp(tmpl));
            memfile_path_ = std::string(tmpl) + "/leases4.csv";
            cfg_text_ = "{ \"Dhcp4\": { \"lease-database\": { \"type\": \"memfile\", \"name\": \"" +
                        memfile_path_ + "\", \"lfc-interval\": 0 } } }";
        } else {
            const char *spec = getenv(b.env);
            if (spec == nullptr || spec[0] == '\0')
                GTEST_SKIP() << b.env << " not set: no " << b.type << " server to test against";
            cfg_text_ = std::string("{ \"Dhcp4\": { \"lease-database\": { \"type\": \"") + b.type +
                        "\"" + conn_members(spec) + " } } }";
        }
        s_ = open_store();
        ASSERT_NE(nullptr, s_);
        clear(s_);
    }

    void TearDown() override
    {
        if (s_ != nullptr) {
            clear(s_);
            s_->ops->close(s_);
        }
        if (!memfile_path_.empty()) {
            unlink(memfile_path_.c_str());
            rmdir(memfile_path_.substr(0, memfile_path_.rfind('/')).c_str());
        }
    }

    bool shared_db() const { return GetParam().env != nullptr; }

    lease_store *open_store()
    {
        cfg4 *cfg = nullptr;
        char err[1024] = "";
        if (cfg4_parse(cfg_text_.c_str(), "conformance", &cfg, err, sizeof(err)) != 0) {
            ADD_FAILURE() << "config: " << err;
            return nullptr;
        }
        lease_store *s = nullptr;
        int rc = lease_store_open(cfg, &s, err, sizeof(err));
        cfg4_free(cfg);
        if (rc != 0)
            ADD_FAILURE() << "open " << GetParam().type << ": " << err;
        return s;
    }

    static int collect(const lease4 *l, void *ctx)
    {
        static_cast<std::vector<lease4> *>(ctx)->push_back(*l);
        return 0;
    }

    static std::vector<lease4> all(lease_store *s)
    {
        std::vector<lease4> v;
        s->ops->foreach(s, collect, &v);
        return v;
    }

    static void clear(lease_store *s)
    {
        for (const lease4 &l : all(s))
            s->ops->submit(s, LEASE_OP_DELETE, &l, &l, nullptr, nullptr);
        ASSERT_EQ(LEASE_OK, s->ops->flush(s));
        ASSERT_EQ(0u, all(s).size());
    }

    // Submit and wait; the result is the synchronous error, or the
    // completion's (a SQL store may only learn of a conflict at commit).
    static int submit_wait(lease_store *s, lease_op op, const lease4 &l, const lease4 *old)
    {
        Done d;
        DoneCtx *ctx = new DoneCtx{ &d, 0 };
        int rc = s->ops->submit(s, op, &l, old, Done::fn, ctx);
        if (rc != LEASE_OK) {
            delete ctx;   // refused synchronously: the completion never runs
            return rc;
        }
        EXPECT_EQ(LEASE_OK, s->ops->flush(s));
        std::lock_guard<std::mutex> g(d.mu);
        EXPECT_EQ(1u, d.results.size());
        return d.results.empty() ? -999 : d.results[0];
    }
};

void expect_same(const lease4 &a, const lease4 &b)
{
    EXPECT_EQ(a.addr, b.addr);
    EXPECT_EQ(a.subnet_id, b.subnet_id);
    EXPECT_EQ(a.pool_id, b.pool_id);
    EXPECT_EQ(a.valid_lft, b.valid_lft);
    EXPECT_EQ(a.cltt, b.cltt);
    EXPECT_EQ(a.state, b.state);
    EXPECT_EQ(a.fqdn_fwd, b.fqdn_fwd);
    EXPECT_EQ(a.fqdn_rev, b.fqdn_rev);
    ASSERT_EQ(a.hwaddr_len, b.hwaddr_len);
    EXPECT_EQ(0, memcmp(a.hwaddr, b.hwaddr, a.hwaddr_len));
    ASSERT_EQ(a.client_id_len, b.client_id_len);
    EXPECT_EQ(0, memcmp(a.client_id, b.client_id, a.client_id_len));
    EXPECT_STREQ(a.hostname, b.hostname);
}

const uint32_t kBase = 0xc0000200;   // 192.0.2.0

TEST_P(Conformance, AddIsVisibleAtOnceAndDurableAfterCompletion)
{
    lease4 l = make_lease(kBase + 10, 10, 1, now_s(), 3600);
    Done d;
    ASSERT_EQ(LEASE_OK, s_->ops->submit(s_, LEASE_OP_ADD, &l, nullptr, Done::fn, new DoneCtx{ &d, 1 }));
    lease4 got;
    ASSERT_EQ(LEASE_OK, s_->ops->get_by_addr(s_, l.addr, &got));   // before the commit
    expect_same(l, got);
    ASSERT_EQ(LEASE_OK, s_->ops->flush(s_));
    ASSERT_EQ(1u, d.results.size());
    EXPECT_EQ(LEASE_OK, d.results[0]);

    // Durable: a store opened afresh (memfile: after this one is closed)
    // reads it back with every field intact.
    if (!shared_db()) {
        s_->ops->close(s_);
        s_ = open_store();
        ASSERT_NE(nullptr, s_);
    }
    lease_store *s2 = shared_db() ? open_store() : s_;
    ASSERT_NE(nullptr, s2);
    memset(&got, 0, sizeof(got));
    ASSERT_EQ(LEASE_OK, s2->ops->get_by_addr(s2, l.addr, &got));
    expect_same(l, got);
    if (s2 != s_)
        s2->ops->close(s2);
}

TEST_P(Conformance, AddOfAnUnexpiredAddressConflicts)
{
    lease4 a = make_lease(kBase + 11, 11, 1, now_s(), 3600);
    lease4 b = make_lease(kBase + 11, 12, 1, now_s(), 3600);
    ASSERT_EQ(LEASE_OK, submit_wait(s_, LEASE_OP_ADD, a, nullptr));
    EXPECT_EQ(LEASE_E_CONFLICT, submit_wait(s_, LEASE_OP_ADD, b, nullptr));
    lease4 got;
    ASSERT_EQ(LEASE_OK, s_->ops->get_by_addr(s_, a.addr, &got));
    EXPECT_EQ(11, got.hwaddr[5]);   // the first one stays
}

TEST_P(Conformance, AddReplacesAnExpiredLease)
{
    lease4 old = make_lease(kBase + 12, 1, 1, now_s() - 7200, 3600);
    lease4 nw = make_lease(kBase + 12, 2, 1, now_s(), 3600);
    ASSERT_EQ(LEASE_OK, submit_wait(s_, LEASE_OP_ADD, old, nullptr));
    EXPECT_EQ(LEASE_OK, submit_wait(s_, LEASE_OP_ADD, nw, nullptr));
    lease4 got;
    ASSERT_EQ(LEASE_OK, s_->ops->get_by_addr(s_, nw.addr, &got));
    expect_same(nw, got);
}

TEST_P(Conformance, UpdateAndDeleteAreConditionalOnTheVersionSeen)
{
    lease4 v1 = make_lease(kBase + 13, 13, 1, now_s() - 100, 3600);
    ASSERT_EQ(LEASE_OK, submit_wait(s_, LEASE_OP_ADD, v1, nullptr));
    lease4 v2 = v1;
    v2.cltt = now_s();
    v2.valid_lft = 7200;
    ASSERT_EQ(LEASE_OK, submit_wait(s_, LEASE_OP_UPDATE, v2, &v1));

    // Someone holding v1 is too late now.
    lease4 v3 = v1;
    v3.state = LEASE_STATE_RELEASED;
    EXPECT_EQ(LEASE_E_CONFLICT, submit_wait(s_, LEASE_OP_UPDATE, v3, &v1));
    EXPECT_EQ(LEASE_E_CONFLICT, submit_wait(s_, LEASE_OP_DELETE, v1, &v1));
    lease4 got;
    ASSERT_EQ(LEASE_OK, s_->ops->get_by_addr(s_, v1.addr, &got));
    expect_same(v2, got);

    ASSERT_EQ(LEASE_OK, submit_wait(s_, LEASE_OP_DELETE, v2, &v2));
    EXPECT_EQ(LEASE_E_NOT_FOUND, s_->ops->get_by_addr(s_, v1.addr, &got));
}

TEST_P(Conformance, LookupsByHwaddrAndClientIdHonourTheSubnet)
{
    lease4 a = make_lease(kBase + 20, 0x20, 1, now_s(), 3600);
    lease4 b = make_lease(kBase + 21, 0x20, 2, now_s(), 3600);   // same client, subnet 2
    lease4 c = make_lease(kBase + 22, 0x22, 1, now_s(), 3600);
    for (const lease4 *l : { &a, &b, &c })
        ASSERT_EQ(LEASE_OK, s_->ops->submit(s_, LEASE_OP_ADD, l, nullptr, nullptr, nullptr));
    ASSERT_EQ(LEASE_OK, s_->ops->flush(s_));

    std::vector<lease4> v;
    EXPECT_EQ(1, s_->ops->foreach_by_hwaddr(s_, 1, a.hwaddr, a.hwaddr_len, collect, &v));
    ASSERT_EQ(1u, v.size());
    EXPECT_EQ(a.addr, v[0].addr);
    v.clear();
    EXPECT_EQ(2, s_->ops->foreach_by_hwaddr(s_, 0, a.hwaddr, a.hwaddr_len, collect, &v));
    v.clear();
    EXPECT_EQ(1, s_->ops->foreach_by_client_id(s_, 2, b.client_id, b.client_id_len, collect, &v));
    ASSERT_EQ(1u, v.size());
    EXPECT_EQ(b.addr, v[0].addr);
    v.clear();
    uint8_t other[6] = { 9, 9, 9, 9, 9, 9 };
    EXPECT_EQ(0, s_->ops->foreach_by_hwaddr(s_, 0, other, 6, collect, &v));

    // A change not yet committed is what lookups see.
    lease4 moved = a;
    moved.hwaddr[5] = 0x99;
    ASSERT_EQ(LEASE_OK, s_->ops->submit(s_, LEASE_OP_UPDATE, &moved, &a, nullptr, nullptr));
    v.clear();
    EXPECT_EQ(1, s_->ops->foreach_by_hwaddr(s_, 0, a.hwaddr, a.hwaddr_len, collect, &v));
    v.clear();
    EXPECT_EQ(1, s_->ops->foreach_by_hwaddr(s_, 1, moved.hwaddr, 6, collect, &v));
    ASSERT_EQ(LEASE_OK, s_->ops->flush(s_));
    v.clear();
    EXPECT_EQ(1, s_->ops->foreach_by_hwaddr(s_, 1, moved.hwaddr, 6, collect, &v));
}

TEST_P(Conformance, ReclamationQueryReturnsExpiredOldestFirst)
{
    int64_t now = now_s();
    std::vector<lease4> ls = {
        make_lease(kBase + 30, 30, 1, now - 5000, 1000),   // expired 4000 s ago
        make_lease(kBase + 31, 31, 1, now - 3000, 1000),   // expired 2000 s ago
        make_lease(kBase + 32, 32, 1, now, 1000),          // live
        make_lease(kBase + 33, 33, 1, now - 9000, 1000),   // released: not a candidate
        make_lease(kBase + 34, 34, 1, now - 9000, LEASE_INFINITE),  // never expires
        make_lease(kBase + 35, 35, 1, now - 8000, 1000),   // declined, expired 7000 s ago
    };
    ls[3].state = LEASE_STATE_RELEASED;
    ls[5].state = LEASE_STATE_DECLINED;
    for (const lease4 &l : ls)
        ASSERT_EQ(LEASE_OK, s_->ops->submit(s_, LEASE_OP_ADD, &l, nullptr, nullptr, nullptr));
    ASSERT_EQ(LEASE_OK, s_->ops->flush(s_));

    lease4 out[8];
    int n = s_->ops->get_expired(s_, now, out, 8);
    ASSERT_EQ(3, n);
    EXPECT_EQ(kBase + 35, out[0].addr);
    EXPECT_EQ(kBase + 30, out[1].addr);
    EXPECT_EQ(kBase + 31, out[2].addr);
    EXPECT_EQ(1, s_->ops->get_expired(s_, now, out, 1));
    EXPECT_EQ(kBase + 35, out[0].addr);
}

TEST_P(Conformance, PagingThroughExpiredLeasesReclaimsThemAll)
{
    int64_t now = now_s();
    const int total = 250;
    for (int i = 0; i < total; i++) {
        lease4 l = make_lease(kBase + 0x100 + i, (uint8_t)i, 1, now - 10000 + i, 100);
        ASSERT_EQ(LEASE_OK, s_->ops->submit(s_, LEASE_OP_ADD, &l, nullptr, nullptr, nullptr));
    }
    ASSERT_EQ(LEASE_OK, s_->ops->flush(s_));
    int pages = 0, seen = 0;
    lease4 page[40];
    for (int guard = 0; guard < 100; guard++) {
        int n = s_->ops->get_expired(s_, now, page, 40);
        ASSERT_GE(n, 0);
        if (n == 0)
            break;
        ASSERT_LE(n, 40);
        pages++;
        for (int i = 0; i < n; i++) {
            lease4 r = page[i];
            r.state = LEASE_STATE_EXPIRED_RECLAIMED;
            ASSERT_EQ(LEASE_OK, s_->ops->submit(s_, LEASE_OP_UPDATE, &r, &page[i], nullptr, nullptr));
            seen++;
        }
        ASSERT_EQ(LEASE_OK, s_->ops->flush(s_));
    }
    EXPECT_EQ(total, seen);
    EXPECT_EQ((total + 39) / 40, pages);
    EXPECT_EQ((size_t)total, all(s_).size());   // reclaimed, still stored
}

TEST_P(Conformance, ForeachVisitsEveryLeaseAndStops)
{
    for (int i = 0; i < 120; i++) {
        lease4 l = make_lease(kBase + 0x400 + i, (uint8_t)i, 1 + i % 3, now_s(), 3600);
        ASSERT_EQ(LEASE_OK, s_->ops->submit(s_, LEASE_OP_ADD, &l, nullptr, nullptr, nullptr));
    }
    ASSERT_EQ(LEASE_OK, s_->ops->flush(s_));
    std::vector<lease4> v = all(s_);
    ASSERT_EQ(120u, v.size());
    std::map<uint32_t, int> seen;
    for (const lease4 &l : v)
        seen[l.addr]++;
    EXPECT_EQ(120u, seen.size());
    int calls = 0;
    s_->ops->foreach(s_, [](const lease4 *, void *c) { return ++*static_cast<int *>(c) >= 5 ? 1 : 0; }, &calls);
    EXPECT_EQ(5, calls);
}

TEST_P(Conformance, CompletionsRunInSubmissionOrder)
{
    Done d;
    for (int i = 0; i < 200; i++) {
        lease4 l = make_lease(kBase + 0x600 + i, (uint8_t)i, 1, now_s(), 3600);
        ASSERT_EQ(LEASE_OK, s_->ops->submit(s_, LEASE_OP_ADD, &l, nullptr, Done::fn, new DoneCtx{ &d, i }));
    }
    ASSERT_EQ(LEASE_OK, s_->ops->flush(s_));
    ASSERT_EQ(200u, d.tags.size());
    for (int i = 0; i < 200; i++) {
        EXPECT_EQ(i, d.tags[i]);
        EXPECT_EQ(LEASE_OK, d.results[i]);
    }
}

// Many workers racing for the same addresses: each address has exactly one
// winner, and what the store holds is the winner's lease.
TEST_P(Conformance, ConcurrentAddsHaveOneWinnerPerAddress)
{
    const int threads = 4, addrs = 60;
    std::vector<std::atomic<int>> wins(addrs);
    std::vector<std::atomic<int>> winner(addrs);
    for (auto &w : wins)
        w = 0;
    struct Ctx {
        std::atomic<int> *wins, *winner;
        int idx, who;
    };
    auto done = [](void *c, int r) {
        Ctx *x = static_cast<Ctx *>(c);
        if (r == LEASE_OK) {
            x->wins[x->idx]++;
            x->winner[x->idx] = x->who;
        }
        delete x;
    };
    std::vector<lease_store *> stores(threads, s_);
    if (shared_db())   // two stores on one database: the database arbitrates
        for (int t = 1; t < threads; t += 2)
            stores[t] = open_store();
    std::vector<std::thread> th;
    for (int t = 0; t < threads; t++) {
        th.emplace_back([&, t] {
            for (int i = 0; i < addrs; i++) {
                lease4 l = make_lease(kBase + 0x800 + i, (uint8_t)(0x40 + t), 1, now_s(), 3600);
                Ctx *c = new Ctx{ wins.data(), winner.data(), i, t };
                if (stores[t]->ops->submit(stores[t], LEASE_OP_ADD, &l, nullptr, done, c) != LEASE_OK)
                    delete c;
            }
        });
    }
    for (auto &x : th)
        x.join();
    for (int t = 0; t < threads; t++)
        EXPECT_EQ(LEASE_OK, stores[t]->ops->flush(stores[t]));
    for (int i = 0; i < addrs; i++) {
        EXPECT_EQ(1, wins[i].load()) << "address index " << i;
        lease4 got;
        ASSERT_EQ(LEASE_OK, s_->ops->get_by_addr(s_, kBase + 0x800 + i, &got));
        EXPECT_EQ(0x40 + winner[i].load(), got.hwaddr[5]);
    }
    for (int t = 0; t < threads; t++)
        if (stores[t] != s_)
            stores[t]->ops->close(stores[t]);
}

// Two servers on one database: the second one's view is learned from the
// database's verdict. (memfile has no shared database: skipped there.)
TEST_P(Conformance, ConflictFromAnotherServerIsAsynchronousAndTeaches)
{
    if (!shared_db())
        GTEST_SKIP() << "memfile is not shared";
    lease_store *other = open_store();   // opened before the lease exists
    ASSERT_NE(nullptr, other);
    lease4 mine = make_lease(kBase + 60, 0x60, 1, now_s(), 3600);
    ASSERT_EQ(LEASE_OK, submit_wait(s_, LEASE_OP_ADD, mine, nullptr));

    lease4 theirs = make_lease(kBase + 60, 0x61, 1, now_s(), 3600);
    lease4 got;
    EXPECT_EQ(LEASE_E_NOT_FOUND, other->ops->get_by_addr(other, mine.addr, &got));  // not known yet
    EXPECT_EQ(LEASE_E_CONFLICT, submit_wait(other, LEASE_OP_ADD, theirs, nullptr));
    ASSERT_EQ(LEASE_OK, other->ops->get_by_addr(other, mine.addr, &got));           // learned
    expect_same(mine, got);
    // A second try is now refused at once, without a round trip.
    EXPECT_EQ(LEASE_E_CONFLICT, other->ops->submit(other, LEASE_OP_ADD, &theirs, nullptr, nullptr, nullptr));

    // An update based on a version the database no longer has conflicts too.
    lease4 renewed = mine;
    renewed.cltt += 10;
    ASSERT_EQ(LEASE_OK, submit_wait(s_, LEASE_OP_UPDATE, renewed, &mine));
    lease4 stale = mine;
    stale.state = LEASE_STATE_RELEASED;
    EXPECT_EQ(LEASE_E_CONFLICT, submit_wait(other, LEASE_OP_UPDATE, stale, &got));
    ASSERT_EQ(LEASE_OK, other->ops->get_by_addr(other, mine.addr, &got));
    expect_same(renewed, got);
    other->ops->close(other);
}

TEST_P(Conformance, PagesComeInAddressOrderWithoutGapsOrRepeats)
{
    const int64_t now = now_s();
    // Added out of order, over two subnets.
    std::vector<uint32_t> want;
    for (int i = 0; i < 23; i++) {
        uint32_t a = kBase + 100 + (uint32_t)((i * 7) % 23);
        lease4 l = make_lease(a, (uint8_t)i, 1 + (i & 1), now, 3600);
        ASSERT_EQ(LEASE_OK, s_->ops->submit(s_, LEASE_OP_ADD, &l, nullptr, nullptr, nullptr));
        want.push_back(a);
    }
    ASSERT_EQ(LEASE_OK, s_->ops->flush(s_));
    std::sort(want.begin(), want.end());
    std::vector<uint32_t> got;
    lease4 page[5];
    uint32_t after = 0;
    int pages = 0, n;
    while ((n = s_->ops->get_page(s_, after, page, 5)) > 0 && pages < 100) {
        pages++;
        for (int i = 0; i < n; i++)
            got.push_back(page[i].addr);
        after = page[n - 1].addr;
    }
    EXPECT_EQ(want, got);
    EXPECT_EQ(5, pages);   // 5 + 5 + 5 + 5 + 3
    EXPECT_EQ(0, s_->ops->get_page(s_, want.back(), page, 5));
    // A page after an address that holds no lease starts at the next one.
    ASSERT_EQ(2, s_->ops->get_page(s_, kBase + 110 - 1, page, 2));
    EXPECT_EQ(kBase + 110, page[0].addr);
    EXPECT_EQ(kBase + 111, page[1].addr);
}

TEST_P(Conformance, LookupsBySubnetAndHostnameAndWipe)
{
    const int64_t now = now_s();
    for (int i = 0; i < 6; i++) {
        lease4 l = make_lease(kBase + 150 + i, (uint8_t)(0x40 + i), i < 4 ? 7 : 8, now, 3600);
        snprintf(l.hostname, sizeof(l.hostname), i == 2 ? "Printer.Example.ORG" : "h%d.example.org", i);
        ASSERT_EQ(LEASE_OK, submit_wait(s_, LEASE_OP_ADD, l, nullptr));
    }
    std::vector<lease4> v;
    EXPECT_EQ(4, s_->ops->foreach_by_subnet(s_, 7, collect, &v));
    for (const lease4 &l : v)
        EXPECT_EQ(7u, l.subnet_id);
    v.clear();
    EXPECT_EQ(6, s_->ops->foreach_by_subnet(s_, 0, collect, &v));
    v.clear();
    EXPECT_EQ(1, s_->ops->foreach_by_hostname(s_, "printer.example.org", collect, &v));
    ASSERT_EQ(1u, v.size());
    EXPECT_EQ(kBase + 152, v[0].addr);
    EXPECT_EQ(0, s_->ops->foreach_by_hostname(s_, "printer", collect, &v));
    EXPECT_EQ(0, s_->ops->foreach_by_hostname(s_, "", collect, &v));

    // Wipe one subnet: durable on return, the other subnet untouched.
    EXPECT_EQ(4, s_->ops->wipe(s_, 7));
    EXPECT_EQ(0, s_->ops->wipe(s_, 7));
    lease4 got;
    EXPECT_EQ(LEASE_E_NOT_FOUND, s_->ops->get_by_addr(s_, kBase + 150, &got));
    EXPECT_EQ(LEASE_OK, s_->ops->get_by_addr(s_, kBase + 155, &got));
    // Reopened (memfile reloads its file, SQL its cache): the wipe stayed.
    s_->ops->close(s_);
    s_ = open_store();
    ASSERT_NE(nullptr, s_);
    v.clear();
    s_->ops->foreach(s_, collect, &v);
    ASSERT_EQ(2u, v.size());
    for (const lease4 &l : v)
        EXPECT_EQ(8u, l.subnet_id);
    EXPECT_EQ(2, s_->ops->wipe(s_, 0));
    EXPECT_EQ(0u, all(s_).size());
}

TEST_P(Conformance, InvalidRequestsAreRefused)
{
    lease4 l = make_lease(0, 1, 1, now_s(), 3600);   // address 0
    EXPECT_EQ(LEASE_E_INVALID, s_->ops->submit(s_, LEASE_OP_ADD, &l, nullptr, nullptr, nullptr));
    l.addr = kBase + 40;
    EXPECT_EQ(LEASE_E_INVALID, s_->ops->submit(s_, LEASE_OP_UPDATE, &l, nullptr, nullptr, nullptr));
    lease4 other = make_lease(kBase + 41, 1, 1, now_s(), 3600);
    EXPECT_EQ(LEASE_E_INVALID, s_->ops->submit(s_, LEASE_OP_UPDATE, &l, &other, nullptr, nullptr));
    l.hwaddr_len = LEASE_HWADDR_MAX + 1;
    EXPECT_EQ(LEASE_E_INVALID, s_->ops->submit(s_, LEASE_OP_ADD, &l, nullptr, nullptr, nullptr));
}

INSTANTIATE_TEST_SUITE_P(Backends, Conformance, ::testing::ValuesIn(kBackends),
                         [](const ::testing::TestParamInfo<Backend> &i) { return std::string(i.param.type); });

// A database at an older schema version is refused with the operator's
// next step (set by test_sql_backends.sh to a database made with only the
// first schema script).
TEST(SqlSchema, OldSchemaIsRefusedWithUpgradeAdvice)
{
    int tried = 0;
    for (const Backend &b : kBackends) {
        if (b.env == nullptr)
            continue;
        std::string var = std::string(b.env) + "_OLD";
        const char *spec = getenv(var.c_str());
        if (spec == nullptr || spec[0] == '\0')
            continue;
        tried++;
        if (getenv("DORA_MODULE_DIR") == nullptr)
            setenv("DORA_MODULE_DIR", DORA_ABS_BUILDDIR "/backends", 0);
        std::string text = std::string("{ \"Dhcp4\": { \"lease-database\": { \"type\": \"") + b.type +
                           "\"" + conn_members(spec) + " } } }";
        cfg4 *cfg = nullptr;
        char err[1024] = "";
        ASSERT_EQ(0, cfg4_parse(text.c_str(), "t", &cfg, err, sizeof(err))) << err;
        lease_store *s = nullptr;
        EXPECT_NE(0, lease_store_open(cfg, &s, err, sizeof(err))) << b.type;
        EXPECT_EQ(nullptr, s);
        std::string e(err);
        EXPECT_NE(std::string::npos, e.find("schema version 1.0")) << e;
        EXPECT_NE(std::string::npos, e.find("dora-admin db-upgrade")) << e;
        cfg4_free(cfg);
    }
    if (tried == 0)
        GTEST_SKIP() << "DORA_TEST_MYSQL_OLD / DORA_TEST_PGSQL_OLD not set";
}

// ---- host reservations (hosts-database), the SQL backends only -------------

const Backend kHostBackends[] = {
    { "mysql", "DORA_TEST_MYSQL" },
    { "postgresql", "DORA_TEST_PGSQL" },
};

class HostConformance : public ::testing::TestWithParam<Backend> {
protected:
    be_host_store *h_ = nullptr;

    be_host_store *open_hosts(bool readonly)
    {
        const char *spec = getenv(GetParam().env);
        if (getenv("DORA_MODULE_DIR") == nullptr)
            setenv("DORA_MODULE_DIR", DORA_ABS_BUILDDIR "/backends", 0);
        std::string text = std::string("{ \"Dhcp4\": { \"hosts-database\": { \"type\": \"") +
                           GetParam().type + "\"" + conn_members(spec) +
                           (readonly ? ", \"readonly\": true" : "") + " } } }";
        cfg4 *cfg = nullptr;
        char err[1024] = "";
        if (cfg4_parse(text.c_str(), "hosts", &cfg, err, sizeof(err)) != 0) {
            ADD_FAILURE() << err;
            return nullptr;
        }
        be_host_store *h = nullptr;
        if (host_store_open(cfg, 0, &h, err, sizeof(err)) != 0)
            ADD_FAILURE() << "open hosts: " << err;
        cfg4_free(cfg);
        return h;
    }

    void SetUp() override
    {
        const char *spec = getenv(GetParam().env);
        if (spec == nullptr || spec[0] == '\0')
            GTEST_SKIP() << GetParam().env << " not set";
        h_ = open_hosts(false);
        ASSERT_NE(nullptr, h_);
        for (uint32_t subnet : { 0u, 1u, 2u })
            for (uint8_t last = 0; last < 8; last++) {
                uint8_t id[6] = { 2, 0, 0x5e, 0x30, 0, last };
                h_->ops->del(h_, subnet, BE_HOST_ID_HWADDR, id, 6);
            }
    }

    void TearDown() override
    {
        if (h_ != nullptr)
            h_->ops->close(h_);
    }

    static be_host make_host(uint32_t subnet, uint8_t last, uint32_t addr)
    {
        be_host h;
        memset(&h, 0, sizeof(h));
        h.subnet_id = subnet;
        h.id_type = BE_HOST_ID_HWADDR;
        h.id_len = 6;
        const uint8_t id[6] = { 2, 0, 0x5e, 0x30, 0, last };
        memcpy(h.id, id, 6);
        h.ipv4_address = addr;
        h.next_server = 0xc0000201;
        snprintf(h.hostname, sizeof(h.hostname), "res-%u", last);
        snprintf(h.client_classes, sizeof(h.client_classes), "gold,silver");
        snprintf(h.boot_file_name, sizeof(h.boot_file_name), "pxelinux.0");
        return h;
    }
};

TEST_P(HostConformance, AddThenFindByIdentifierAndByAddress)
{
    be_host in = make_host(1, 1, kBase + 50);
    ASSERT_EQ(0, h_->ops->add(h_, &in));
    be_host got;
    ASSERT_EQ(0, h_->ops->get(h_, 1, BE_HOST_ID_HWADDR, in.id, in.id_len, &got));
    EXPECT_EQ(in.subnet_id, got.subnet_id);
    EXPECT_EQ(in.ipv4_address, got.ipv4_address);
    EXPECT_EQ(in.next_server, got.next_server);
    EXPECT_STREQ("res-1", got.hostname);
    EXPECT_STREQ("gold,silver", got.client_classes);
    EXPECT_STREQ("pxelinux.0", got.boot_file_name);
    ASSERT_EQ(6, got.id_len);
    EXPECT_EQ(0, memcmp(in.id, got.id, 6));
    memset(&got, 0, sizeof(got));
    ASSERT_EQ(0, h_->ops->get_by_addr(h_, 1, kBase + 50, &got));
    EXPECT_STREQ("res-1", got.hostname);

    // Subnet-scoped: not visible in another subnet or as a global one.
    EXPECT_EQ(LEASE_E_NOT_FOUND, h_->ops->get(h_, 2, BE_HOST_ID_HWADDR, in.id, 6, &got));
    EXPECT_EQ(LEASE_E_NOT_FOUND, h_->ops->get(h_, 0, BE_HOST_ID_HWADDR, in.id, 6, &got));
    EXPECT_EQ(LEASE_E_NOT_FOUND, h_->ops->get(h_, 1, BE_HOST_ID_CLIENT_ID, in.id, 6, &got));
    EXPECT_EQ(LEASE_E_NOT_FOUND, h_->ops->get_by_addr(h_, 1, kBase + 51, &got));
}

TEST_P(HostConformance, DuplicatesAreConflictsAndDeleteRemoves)
{
    be_host a = make_host(1, 2, kBase + 52);
    ASSERT_EQ(0, h_->ops->add(h_, &a));
    be_host same_id = make_host(1, 2, kBase + 53);
    EXPECT_EQ(LEASE_E_CONFLICT, h_->ops->add(h_, &same_id));
    be_host same_addr = make_host(1, 3, kBase + 52);
    EXPECT_EQ(LEASE_E_CONFLICT, h_->ops->add(h_, &same_addr));
    be_host other_subnet = make_host(2, 2, kBase + 52);
    EXPECT_EQ(0, h_->ops->add(h_, &other_subnet));
    be_host no_addr = make_host(0, 4, 0);   // global, no address: allowed more than once
    be_host no_addr2 = make_host(0, 5, 0);
    EXPECT_EQ(0, h_->ops->add(h_, &no_addr));
    EXPECT_EQ(0, h_->ops->add(h_, &no_addr2));
    be_host got;
    ASSERT_EQ(0, h_->ops->get(h_, 0, BE_HOST_ID_HWADDR, no_addr.id, 6, &got));
    EXPECT_EQ(0u, got.ipv4_address);

    EXPECT_EQ(0, h_->ops->del(h_, 1, BE_HOST_ID_HWADDR, a.id, 6));
    EXPECT_EQ(LEASE_E_NOT_FOUND, h_->ops->get(h_, 1, BE_HOST_ID_HWADDR, a.id, 6, &got));
    EXPECT_EQ(LEASE_E_NOT_FOUND, h_->ops->del(h_, 1, BE_HOST_ID_HWADDR, a.id, 6));
    EXPECT_EQ(0, h_->ops->get(h_, 2, BE_HOST_ID_HWADDR, a.id, 6, &got));
}

TEST_P(HostConformance, ReadonlyStoreReadsButNeverWrites)
{
    be_host a = make_host(1, 6, kBase + 56);
    ASSERT_EQ(0, h_->ops->add(h_, &a));
    be_host_store *ro = open_hosts(true);
    ASSERT_NE(nullptr, ro);
    be_host got;
    EXPECT_EQ(0, ro->ops->get(ro, 1, BE_HOST_ID_HWADDR, a.id, 6, &got));
    be_host b = make_host(1, 7, kBase + 57);
    EXPECT_EQ(LEASE_E_INVALID, ro->ops->add(ro, &b));
    EXPECT_EQ(LEASE_E_INVALID, ro->ops->del(ro, 1, BE_HOST_ID_HWADDR, a.id, 6));
    EXPECT_EQ(LEASE_E_NOT_FOUND, h_->ops->get(h_, 1, BE_HOST_ID_HWADDR, b.id, 6, &got));
    ro->ops->close(ro);
}

TEST_P(HostConformance, PagesListASubnetInIdOrder)
{
    for (uint8_t last = 0; last < 5; last++) {
        be_host h = make_host(2, last, kBase + 60 + last);
        ASSERT_EQ(0, h_->ops->add(h_, &h));
    }
    be_host other = make_host(1, 7, kBase + 67);
    ASSERT_EQ(0, h_->ops->add(h_, &other));
    struct Seen {
        std::vector<be_host> v;
        static int add(const be_host *h, void *ctx)
        {
            static_cast<Seen *>(ctx)->v.push_back(*h);
            return 0;
        }
    } seen;
    uint64_t from = 0;
    int pages = 0, n;
    while ((n = h_->ops->get_page(h_, false, 2, &from, 2, Seen::add, &seen)) > 0 && pages < 10)
        pages++;
    EXPECT_EQ(0, n);
    EXPECT_EQ(3, pages);
    ASSERT_EQ(5u, seen.v.size());
    for (uint8_t last = 0; last < 5; last++) {
        EXPECT_EQ(2u, seen.v[last].subnet_id);
        EXPECT_EQ(last, seen.v[last].id[5]);   // insertion (id) order
        EXPECT_EQ(kBase + 60 + last, seen.v[last].ipv4_address);
    }
    seen.v.clear();
    from = 0;
    EXPECT_GE(h_->ops->get_page(h_, true, 0, &from, 1000, Seen::add, &seen), 6);
}

INSTANTIATE_TEST_SUITE_P(Backends, HostConformance, ::testing::ValuesIn(kHostBackends),
                         [](const ::testing::TestParamInfo<Backend> &i) { return std::string(i.param.type); });

} // namespace
