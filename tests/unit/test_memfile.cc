// Unit tests for the memfile lease store (backends/memfile/memfile.h):
// the lease_store operations, persistence, compaction, group commit,
// crash safety (fork + SIGKILL) and concurrency.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backends/lease_store.h"
#include "backends/memfile/lease_csv.h"
#include "backends/memfile/memfile.h"
#include "backends/memfile/memfile_priv.h"

namespace {

using Clock = std::chrono::steady_clock;

int rm_entry(const char *p, const struct stat *, int, struct FTW *)
{
    return remove(p);
}

lease4 make_lease(uint32_t addr, uint8_t hwlast, int64_t cltt, uint32_t valid = 3600,
                  uint32_t subnet = 1, uint8_t state = LEASE_STATE_DEFAULT)
{
    lease4 l;
    memset(&l, 0, sizeof(l));
    l.addr = addr;
    l.subnet_id = subnet;
    l.valid_lft = valid;
    l.cltt = cltt;
    l.state = state;
    l.hwaddr_len = 6;
    const uint8_t hw[6] = { 0x02, 0x00, 0x5e, 0x00, 0x53, hwlast };
    memcpy(l.hwaddr, hw, 6);
    l.client_id_len = 7;
    l.client_id[0] = 0x01;
    memcpy(l.client_id + 1, hw, 6);
    snprintf(l.hostname, sizeof(l.hostname), "host-%u,%u", addr & 0xff, hwlast);
    return l;
}

bool same_lease(const lease4 &a, const lease4 &b)
{
    return a.addr == b.addr && a.subnet_id == b.subnet_id && a.pool_id == b.pool_id &&
           a.valid_lft == b.valid_lft && a.cltt == b.cltt && a.state == b.state &&
           a.fqdn_fwd == b.fqdn_fwd && a.fqdn_rev == b.fqdn_rev &&
           a.hwaddr_len == b.hwaddr_len && memcmp(a.hwaddr, b.hwaddr, a.hwaddr_len) == 0 &&
           a.client_id_len == b.client_id_len &&
           memcmp(a.client_id, b.client_id, a.client_id_len) == 0 &&
           strcmp(a.hostname, b.hostname) == 0;
}

std::string describe(const lease4 &l)
{
    std::ostringstream o;
    o << "addr=" << l.addr << " subnet=" << l.subnet_id << " cltt=" << l.cltt
      << " valid=" << l.valid_lft << " state=" << int(l.state) << " host=" << l.hostname;
    return o.str();
}

std::map<uint32_t, lease4> dump(lease_store *s)
{
    std::map<uint32_t, lease4> m;
    s->ops->foreach(s, [](const lease4 *l, void *ctx) {
        auto *mm = static_cast<std::map<uint32_t, lease4> *>(ctx);
        EXPECT_EQ(0u, mm->count(l->addr)) << "address visited twice";
        (*mm)[l->addr] = *l;
        return 0;
    }, &m);
    return m;
}

void expect_same_dump(const std::map<uint32_t, lease4> &a, const std::map<uint32_t, lease4> &b)
{
    ASSERT_EQ(a.size(), b.size());
    for (const auto &kv : a) {
        auto it = b.find(kv.first);
        ASSERT_NE(b.end(), it) << describe(kv.second);
        EXPECT_TRUE(same_lease(kv.second, it->second))
            << describe(kv.second) << " vs " << describe(it->second);
    }
}

// Completion bookkeeping: counts per result, and a "called twice" check.
struct Done {
    std::atomic<int> ok{0}, io{0}, other{0};
    void record(int result)
    {
        if (result == LEASE_OK)
            ok++;
        else if (result == LEASE_E_IO)
            io++;
        else
            other++;
    }
    static void cb(void *ctx, int result) { static_cast<Done *>(ctx)->record(result); }
};

class Memfile : public ::testing::Test {
protected:
    void SetUp() override
    {
        char tmpl[] = "/tmp/dora-memfile-XXXXXX";
        ASSERT_NE(nullptr, mkdtemp(tmpl));
        dir = tmpl;
        path = dir + "/leases4.csv";
        now = time(nullptr);
    }
    void TearDown() override
    {
        if (s != nullptr)
            s->ops->close(s);
        nftw(dir.c_str(), rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    }
    void open_store(bool persist = true, uint32_t lfc = 0)
    {
        memfile_params p = { path.c_str(), persist, lfc, 0 };
        char err[256];
        ASSERT_EQ(0, memfile_open(&p, &s, &stats, err, sizeof(err))) << err;
    }
    void reopen()
    {
        s->ops->close(s);
        s = nullptr;
        open_store();
    }
    int submit(lease_op op, const lease4 &l, const lease4 *old = nullptr)
    {
        return s->ops->submit(s, op, &l, old, Done::cb, &done);
    }
    off_t file_size()
    {
        struct stat st;
        return stat(path.c_str(), &st) == 0 ? st.st_size : -1;
    }
    std::string read_file()
    {
        std::ifstream f(path, std::ios::binary);
        std::stringstream ss;
        ss << f.rdbuf();
        return ss.str();
    }

    std::string dir, path;
    lease_store *s = nullptr;
    memfile_load_stats stats;
    Done done;
    int64_t now;
};

const uint32_t NET = 0xc0000200;   // 192.0.2.0/24

}  // namespace

TEST_F(Memfile, AddGetUpdateDelete)
{
    open_store();
    lease4 a = make_lease(NET + 1, 1, now), got;
    EXPECT_EQ(LEASE_E_NOT_FOUND, s->ops->get_by_addr(s, a.addr, &got));
    ASSERT_EQ(LEASE_OK, submit(LEASE_OP_ADD, a));
    ASSERT_EQ(0, s->ops->get_by_addr(s, a.addr, &got));   // visible at once
    EXPECT_TRUE(same_lease(a, got)) << describe(got);

    lease4 b = a;
    b.cltt = now + 100;
    b.valid_lft = 7200;
    b.state = LEASE_STATE_DECLINED;
    strcpy(b.hostname, "renamed");
    ASSERT_EQ(LEASE_OK, submit(LEASE_OP_UPDATE, b, &a));
    ASSERT_EQ(0, s->ops->get_by_addr(s, a.addr, &got));
    EXPECT_TRUE(same_lease(b, got)) << describe(got);

    // `a` is stale now (its expire differs from the stored one).
    lease4 c = b;
    c.cltt = now + 200;
    EXPECT_EQ(LEASE_E_CONFLICT, submit(LEASE_OP_UPDATE, c, &a));
    EXPECT_EQ(LEASE_E_CONFLICT, s->ops->submit(s, LEASE_OP_DELETE, &a, &a, Done::cb, &done));
    ASSERT_EQ(0, s->ops->get_by_addr(s, a.addr, &got));
    EXPECT_TRUE(same_lease(b, got));

    ASSERT_EQ(LEASE_OK, s->ops->submit(s, LEASE_OP_DELETE, &b, &b, Done::cb, &done));
    EXPECT_EQ(LEASE_E_NOT_FOUND, s->ops->get_by_addr(s, a.addr, &got));
    EXPECT_EQ(LEASE_E_NOT_FOUND, submit(LEASE_OP_UPDATE, c, &b));
    EXPECT_EQ(LEASE_E_NOT_FOUND, s->ops->submit(s, LEASE_OP_DELETE, &b, nullptr, Done::cb, &done));

    ASSERT_EQ(0, s->ops->flush(s));
    // One completion per accepted change, none for the rejected ones.
    EXPECT_EQ(3, done.ok.load());
    EXPECT_EQ(0, done.io.load() + done.other.load());
}

TEST_F(Memfile, AddConflictsOnlyWithLiveLeases)
{
    open_store();
    struct Case {
        uint8_t state;
        int64_t cltt;
        int expect;
    } cases[] = {
        { LEASE_STATE_DEFAULT, now, LEASE_E_CONFLICT },                 // active
        { LEASE_STATE_DEFAULT, now - 7200, LEASE_OK },                  // expired
        { LEASE_STATE_DECLINED, now, LEASE_E_CONFLICT },                // in probation
        { LEASE_STATE_DECLINED, now - 7200, LEASE_OK },                 // probation over
        { LEASE_STATE_RELEASED, now, LEASE_OK },
        { LEASE_STATE_EXPIRED_RECLAIMED, now, LEASE_OK },
    };
    uint32_t addr = NET + 10;
    for (const Case &c : cases) {
        lease4 old = make_lease(addr, 1, c.cltt, 3600, 1, c.state);
        ASSERT_EQ(LEASE_OK, submit(LEASE_OP_ADD, old));
        lease4 nw = make_lease(addr, 2, now);
        EXPECT_EQ(c.expect, submit(LEASE_OP_ADD, nw)) << "state " << int(c.state);
        lease4 got;
        ASSERT_EQ(0, s->ops->get_by_addr(s, addr, &got));
        EXPECT_TRUE(same_lease(c.expect == LEASE_OK ? nw : old, got));
        addr++;
    }
    // An infinite (BOOTP) lease never expires.
    lease4 inf = make_lease(addr, 3, now - 1000000000, LEASE_INFINITE);
    ASSERT_EQ(LEASE_OK, submit(LEASE_OP_ADD, inf));
    EXPECT_EQ(LEASE_E_CONFLICT, submit(LEASE_OP_ADD, make_lease(addr, 4, now)));
    ASSERT_EQ(0, s->ops->flush(s));
    EXPECT_EQ(6 + 4 + 1, done.ok.load());
}

TEST_F(Memfile, InvalidRequestsRejected)
{
    open_store();
    lease4 l = make_lease(NET + 1, 1, now), got;
    lease4 bad = l;
    bad.hwaddr_len = LEASE_HWADDR_MAX + 1;
    EXPECT_EQ(LEASE_E_INVALID, submit(LEASE_OP_ADD, bad));
    bad = l;
    bad.state = 9;
    EXPECT_EQ(LEASE_E_INVALID, submit(LEASE_OP_ADD, bad));
    bad = l;
    memset(bad.hostname, 'x', sizeof(bad.hostname));   // not NUL-terminated
    EXPECT_EQ(LEASE_E_INVALID, submit(LEASE_OP_ADD, bad));
    bad = l;
    bad.addr = 0;
    EXPECT_EQ(LEASE_E_INVALID, submit(LEASE_OP_ADD, bad));
    bad = l;
    bad.cltt = -1;
    EXPECT_EQ(LEASE_E_INVALID, submit(LEASE_OP_ADD, bad));
    ASSERT_EQ(LEASE_OK, submit(LEASE_OP_ADD, l));
    EXPECT_EQ(LEASE_E_INVALID, submit(LEASE_OP_UPDATE, l, nullptr));
    lease4 other = make_lease(NET + 2, 1, now);
    EXPECT_EQ(LEASE_E_INVALID, submit(LEASE_OP_UPDATE, l, &other));
    EXPECT_EQ(LEASE_E_INVALID, submit((lease_op)42, l));
    ASSERT_EQ(0, s->ops->get_by_addr(s, l.addr, &got));
    EXPECT_TRUE(same_lease(l, got));
    ASSERT_EQ(0, s->ops->flush(s));
    EXPECT_EQ(1, done.ok.load());
}

namespace {
struct Seen {
    std::set<uint32_t> addrs;
    int stop_after = 0;
};
int collect(const lease4 *l, void *ctx)
{
    auto *seen = static_cast<Seen *>(ctx);
    seen->addrs.insert(l->addr);
    return seen->stop_after != 0 && (int)seen->addrs.size() >= seen->stop_after;
}
}  // namespace

TEST_F(Memfile, ForeachByHwaddrAndClientId)
{
    open_store();
    // Client 7 has leases in subnets 1, 2 and 3; client 8 one in subnet 1.
    lease4 a1 = make_lease(NET + 1, 7, now, 3600, 1);
    lease4 a2 = make_lease(NET + 2, 7, now, 3600, 2);
    lease4 a3 = make_lease(NET + 3, 7, now, 3600, 3);
    lease4 b1 = make_lease(NET + 4, 8, now, 3600, 1);
    lease4 nocid = make_lease(NET + 5, 9, now, 3600, 1);
    nocid.client_id_len = 0;
    for (const lease4 *l : { &a1, &a2, &a3, &b1, &nocid })
        ASSERT_EQ(LEASE_OK, submit(LEASE_OP_ADD, *l));

    Seen seen;
    EXPECT_EQ(1, s->ops->foreach_by_hwaddr(s, 2, a1.hwaddr, 6, collect, &seen));
    EXPECT_EQ(std::set<uint32_t>{ NET + 2 }, seen.addrs);
    seen = Seen();
    EXPECT_EQ(3, s->ops->foreach_by_hwaddr(s, 0, a1.hwaddr, 6, collect, &seen));
    EXPECT_EQ((std::set<uint32_t>{ NET + 1, NET + 2, NET + 3 }), seen.addrs);
    seen = Seen();
    EXPECT_EQ(0, s->ops->foreach_by_hwaddr(s, 4, a1.hwaddr, 6, collect, &seen));
    EXPECT_EQ(0, s->ops->foreach_by_hwaddr(s, 0, a1.hwaddr, 5, collect, &seen));  // prefix only
    seen = Seen();
    seen.stop_after = 1;
    EXPECT_EQ(1, s->ops->foreach_by_hwaddr(s, 0, a1.hwaddr, 6, collect, &seen));

    seen = Seen();
    EXPECT_EQ(3, s->ops->foreach_by_client_id(s, 0, a1.client_id, 7, collect, &seen));
    seen = Seen();
    EXPECT_EQ(1, s->ops->foreach_by_client_id(s, 1, b1.client_id, 7, collect, &seen));
    EXPECT_EQ(std::set<uint32_t>{ NET + 4 }, seen.addrs);
    EXPECT_EQ(0, s->ops->foreach_by_client_id(s, 0, nullptr, 0, collect, &seen));
    seen = Seen();
    EXPECT_EQ(1, s->ops->foreach_by_hwaddr(s, 0, nocid.hwaddr, 6, collect, &seen));

    // Move a2 to client 8's identifiers: the indexes follow.
    lease4 a2b = a2;
    memcpy(a2b.hwaddr, b1.hwaddr, 6);
    memcpy(a2b.client_id, b1.client_id, 7);
    ASSERT_EQ(LEASE_OK, submit(LEASE_OP_UPDATE, a2b, &a2));
    seen = Seen();
    EXPECT_EQ(2, s->ops->foreach_by_hwaddr(s, 0, a1.hwaddr, 6, collect, &seen));
    EXPECT_EQ((std::set<uint32_t>{ NET + 1, NET + 3 }), seen.addrs);
    seen = Seen();
    EXPECT_EQ(2, s->ops->foreach_by_client_id(s, 0, b1.client_id, 7, collect, &seen));
    EXPECT_EQ((std::set<uint32_t>{ NET + 2, NET + 4 }), seen.addrs);
    // Deleting removes from every index.
    ASSERT_EQ(LEASE_OK, submit(LEASE_OP_DELETE, a1, &a1));
    seen = Seen();
    EXPECT_EQ(1, s->ops->foreach_by_hwaddr(s, 0, a1.hwaddr, 6, collect, &seen));
    EXPECT_EQ(std::set<uint32_t>{ NET + 3 }, seen.addrs);
}

// Many leases sharing one hw-address (more than the visit's stack buffer).
TEST_F(Memfile, ForeachByHwaddrManyLeases)
{
    open_store(false);
    for (uint32_t i = 0; i < 300; i++)
        ASSERT_EQ(LEASE_OK, submit(LEASE_OP_ADD, make_lease(NET + i + 1, 5, now, 3600, 1 + i % 3)));
    Seen seen;
    EXPECT_EQ(300, s->ops->foreach_by_hwaddr(s, 0, make_lease(0, 5, 0).hwaddr, 6, collect, &seen));
    EXPECT_EQ(300u, seen.addrs.size());
    seen = Seen();
    EXPECT_EQ(100, s->ops->foreach_by_client_id(s, 2, make_lease(0, 5, 0).client_id, 7, collect, &seen));
    for (uint32_t a : seen.addrs)
        EXPECT_EQ(1u, (a - NET - 1) % 3);
}

TEST_F(Memfile, GetExpiredOldestFirstWithLimit)
{
    open_store();
    std::mt19937 rng(1234);
    std::vector<std::pair<int64_t, uint32_t>> expect;   // (expire, addr) of candidates
    for (uint32_t i = 0; i < 200; i++) {
        uint8_t state = (uint8_t)(rng() % 4);
        int64_t expire = now - 100000 + (int64_t)i * 997 % 150000;   // distinct, some in future
        uint32_t valid = 600 + rng() % 1000;
        lease4 l = make_lease(0x0a000000 + i, (uint8_t)i, expire - valid, valid, 1, state);
        ASSERT_EQ(LEASE_OK, submit(LEASE_OP_ADD, l));
        if ((state == LEASE_STATE_DEFAULT || state == LEASE_STATE_DECLINED) && expire <= now)
            expect.emplace_back(expire, l.addr);
    }
    // Infinite leases are never reclamation candidates.
    ASSERT_EQ(LEASE_OK, submit(LEASE_OP_ADD, make_lease(0x0b000001, 1, 0, LEASE_INFINITE)));
    std::sort(expect.begin(), expect.end());
    ASSERT_GT(expect.size(), 20u);

    std::vector<lease4> out(expect.size() + 10);
    int n = s->ops->get_expired(s, now, out.data(), 10);
    ASSERT_EQ(10, n);
    for (int i = 0; i < n; i++) {
        EXPECT_EQ(expect[i].second, out[i].addr) << i;
        EXPECT_EQ(expect[i].first, lease4_expire(&out[i])) << i;
    }
    n = s->ops->get_expired(s, now, out.data(), out.size());
    ASSERT_EQ((int)expect.size(), n);
    for (int i = 0; i < n; i++)
        EXPECT_EQ(expect[i].second, out[i].addr) << i;
    EXPECT_EQ(0, s->ops->get_expired(s, now, out.data(), 0));
    EXPECT_EQ(0, s->ops->get_expired(s, expect[0].first - 1, out.data(), out.size()));

    // Reclaiming the oldest removes it from the candidates; the rest move up.
    lease4 oldest;
    ASSERT_EQ(0, s->ops->get_by_addr(s, expect[0].second, &oldest));
    lease4 reclaimed = oldest;
    reclaimed.state = LEASE_STATE_EXPIRED_RECLAIMED;
    ASSERT_EQ(LEASE_OK, submit(LEASE_OP_UPDATE, reclaimed, &oldest));
    // Renewing the second oldest into the future removes it too.
    lease4 second;
    ASSERT_EQ(0, s->ops->get_by_addr(s, expect[1].second, &second));
    lease4 renewed = second;
    renewed.cltt = now;
    ASSERT_EQ(LEASE_OK, submit(LEASE_OP_UPDATE, renewed, &second));
    n = s->ops->get_expired(s, now, out.data(), 3);
    ASSERT_EQ(3, n);
    EXPECT_EQ(expect[2].second, out[0].addr);
    EXPECT_EQ(expect[3].second, out[1].addr);
    EXPECT_EQ(expect[4].second, out[2].addr);
}

namespace {
// Every secondary lookup agrees with a model: by hw-address and client-id
// (all subnets and per subnet), and the reclamation candidates in order.
void check_indexes(lease_store *s, const std::map<uint32_t, lease4> &model, int64_t at)
{
    std::map<std::string, std::set<uint32_t>> by_hw, by_cid;
    std::vector<std::pair<int64_t, uint32_t>> cands;
    for (const auto &kv : model) {
        const lease4 &l = kv.second;
        if (l.hwaddr_len > 0)
            by_hw[std::string((const char *)l.hwaddr, l.hwaddr_len)].insert(l.addr);
        if (l.client_id_len > 0)
            by_cid[std::string((const char *)l.client_id, l.client_id_len)].insert(l.addr);
        if ((l.state == LEASE_STATE_DEFAULT || l.state == LEASE_STATE_DECLINED) &&
            l.valid_lft != LEASE_INFINITE && lease4_expire(&l) <= at)
            cands.emplace_back(lease4_expire(&l), l.addr);
    }
    for (const auto &kv : by_hw) {
        Seen seen;
        s->ops->foreach_by_hwaddr(s, 0, (const uint8_t *)kv.first.data(), kv.first.size(), collect, &seen);
        EXPECT_EQ(kv.second, seen.addrs);
        for (uint32_t subnet = 1; subnet <= 3; subnet++) {
            std::set<uint32_t> want;
            for (uint32_t a : kv.second)
                if (model.at(a).subnet_id == subnet)
                    want.insert(a);
            seen = Seen();
            s->ops->foreach_by_hwaddr(s, subnet, (const uint8_t *)kv.first.data(), kv.first.size(),
                                      collect, &seen);
            EXPECT_EQ(want, seen.addrs);
        }
    }
    for (const auto &kv : by_cid) {
        Seen seen;
        s->ops->foreach_by_client_id(s, 0, (const uint8_t *)kv.first.data(), kv.first.size(), collect, &seen);
        EXPECT_EQ(kv.second, seen.addrs);
    }
    std::sort(cands.begin(), cands.end());
    std::vector<lease4> out(cands.size() + 1);
    int n = s->ops->get_expired(s, at, out.data(), out.size());
    ASSERT_EQ((int)cands.size(), n);
    for (int i = 0; i < n; i++)
        EXPECT_EQ(cands[i].first, lease4_expire(&out[i])) << i;
}
}  // namespace

// Loading rebuilds the hw/client-id indexes and the expiry heap in bulk;
// they must be exact, and later changes must keep them exact.
TEST_F(Memfile, IndexesExactAfterReload)
{
    open_store();
    std::mt19937 rng(7);
    std::map<uint32_t, lease4> model;
    auto random_lease = [&](uint32_t addr, int64_t base) {
        lease4 l = make_lease(addr, (uint8_t)(rng() % 40), base - (int64_t)(rng() % 20000),
                              600 + rng() % 9000, 1 + rng() % 3, (uint8_t)(rng() % 4));
        if (rng() % 6 == 0)
            l.client_id_len = 0;
        if (rng() % 9 == 0)
            l.hwaddr_len = 0;
        if (rng() % 25 == 0)
            l.valid_lft = LEASE_INFINITE;
        return l;
    };
    for (uint32_t i = 0; i < 3000; i++) {
        lease4 l = random_lease(0x0a000000 + i, now);
        ASSERT_EQ(LEASE_OK, submit(LEASE_OP_ADD, l));
        model[l.addr] = l;
    }
    check_indexes(s, model, now);
    reopen();
    ASSERT_EQ(model.size(), stats.leases);
    check_indexes(s, model, now);
    // Update and delete a third of them: moves every kind of heap entry.
    for (uint32_t i = 0; i < 3000; i += 3) {
        lease4 &cur = model[0x0a000000 + i];
        if (i % 2 == 0) {
            lease4 l = random_lease(cur.addr, now);
            ASSERT_EQ(LEASE_OK, submit(LEASE_OP_UPDATE, l, &cur));
            cur = l;
        } else {
            ASSERT_EQ(LEASE_OK, submit(LEASE_OP_DELETE, cur, &cur));
            model.erase(cur.addr);
        }
    }
    check_indexes(s, model, now);
    check_indexes(s, model, now + 5000);
}

TEST_F(Memfile, ReopenShowsSameLeases)
{
    open_store();
    std::mt19937 rng(99);
    std::map<uint32_t, lease4> cur;
    for (uint32_t i = 0; i < 300; i++) {
        lease4 l = make_lease(NET + (i % 250) + 1, (uint8_t)rng(), now + (int64_t)i, 60 + rng() % 5000,
                              1 + rng() % 4, (uint8_t)(rng() % 4));
        l.pool_id = rng() % 3;
        l.fqdn_fwd = rng() & 1;
        l.fqdn_rev = rng() & 1;
        if (i % 7 == 0)
            l.client_id_len = 0;
        if (i % 11 == 0)
            snprintf(l.hostname, sizeof(l.hostname), "a,b&c%u", i);
        auto it = cur.find(l.addr);
        if (it == cur.end()) {
            ASSERT_EQ(LEASE_OK, submit(LEASE_OP_ADD, l));
        } else {
            ASSERT_EQ(LEASE_OK, submit(LEASE_OP_UPDATE, l, &it->second));
        }
        cur[l.addr] = l;
    }
    for (uint32_t a = NET + 1; a <= NET + 250; a += 9) {
        ASSERT_EQ(LEASE_OK, submit(LEASE_OP_DELETE, cur[a], &cur[a]));
        cur.erase(a);
    }
    expect_same_dump(cur, dump(s));
    reopen();
    EXPECT_EQ(cur.size(), stats.leases);
    EXPECT_EQ(0u, stats.skipped);
    expect_same_dump(cur, dump(s));
    EXPECT_EQ(300 + 28, done.ok.load());
}

TEST_F(Memfile, CompactionKeepsEveryLeaseAndShrinksFile)
{
    open_store();
    std::map<uint32_t, lease4> cur;
    for (int round = 0; round < 5; round++) {
        for (uint32_t i = 1; i <= 200; i++) {
            lease4 l = make_lease(NET + i, (uint8_t)(i + round), now + round);
            auto it = cur.find(l.addr);
            ASSERT_EQ(LEASE_OK, it == cur.end() ? submit(LEASE_OP_ADD, l)
                                                : submit(LEASE_OP_UPDATE, l, &it->second));
            cur[l.addr] = l;
        }
    }
    // A released lease with valid_lifetime 0 (Kea's affinity release) is
    // "deleted" on reload anyway; compaction leaves it out.
    lease4 rel = cur[NET + 1];
    rel.valid_lft = 0;
    rel.state = LEASE_STATE_RELEASED;
    ASSERT_EQ(LEASE_OK, submit(LEASE_OP_UPDATE, rel, &cur[NET + 1]));
    cur.erase(NET + 1);
    ASSERT_EQ(0, s->ops->flush(s));
    off_t before = file_size();

    ASSERT_EQ(0, memfile_compact(s));
    EXPECT_EQ(1u, memfile_compaction_count(s));
    off_t after = file_size();
    EXPECT_LT(after * 4, before);
    std::string text = read_file();
    EXPECT_EQ(200, std::count(text.begin(), text.end(), '\n'));   // header + 199 rows
    EXPECT_EQ(0u, text.find(std::string(LEASE_CSV_HEADER "\n")));

    // Appends after the compaction go to the new file.
    lease4 extra = make_lease(NET + 201, 1, now);
    ASSERT_EQ(LEASE_OK, submit(LEASE_OP_ADD, extra));
    cur[extra.addr] = extra;
    reopen();
    EXPECT_EQ(0u, stats.skipped);
    expect_same_dump(cur, dump(s));
}

// Submits keep arriving while compactions run: nothing may be lost. Most
// changes add a fresh address, so a change lost anywhere (before, during or
// after a compaction) shows up as a missing or stale lease on reload.
TEST_F(Memfile, CompactionConcurrentWithSubmits)
{
    open_store();
    std::atomic<bool> stop{ false };
    std::atomic<long> nops{ 0 };
    std::vector<std::map<uint32_t, lease4>> models(3);
    std::vector<std::thread> th;
    for (int t = 0; t < 3; t++) {
        th.emplace_back([&, t] {
            std::mt19937 rng(t);
            auto &m = models[t];
            std::vector<uint32_t> live;
            uint32_t next = 0x0a000000 + (uint32_t)t * 0x100000;
            for (int i = 0; i < 300000 && !stop; i++) {
                unsigned dice = rng() % 10;
                if (dice < 7 || live.empty()) {
                    lease4 l = make_lease(next, (uint8_t)rng(), now + i);
                    ASSERT_EQ(LEASE_OK, submit(LEASE_OP_ADD, l));
                    m[next] = l;
                    live.push_back(next++);
                    continue;
                }
                size_t k = rng() % live.size();
                lease4 &cur = m[live[k]];
                if (dice == 9) {
                    ASSERT_EQ(LEASE_OK, submit(LEASE_OP_DELETE, cur, &cur));
                    m.erase(live[k]);
                    live[k] = live.back();
                    live.pop_back();
                } else {
                    lease4 l = cur;
                    l.cltt = now + i;
                    l.hwaddr[5] = (uint8_t)rng();
                    ASSERT_EQ(LEASE_OK, submit(LEASE_OP_UPDATE, l, &cur));
                    cur = l;
                }
                nops++;
            }
        });
    }
    int compactions = 0;
    auto deadline = Clock::now() + std::chrono::milliseconds(1000);
    while (compactions < 10 && Clock::now() < deadline) {
        ASSERT_EQ(0, memfile_compact(s));
        compactions++;
    }
    stop = true;
    for (auto &t : th)
        t.join();
    ASSERT_EQ(0, s->ops->flush(s));
    EXPECT_GE(memfile_compaction_count(s), (uint64_t)compactions);
    std::map<uint32_t, lease4> all;
    for (auto &m : models)
        all.insert(m.begin(), m.end());
    expect_same_dump(all, dump(s));
    reopen();
    EXPECT_EQ(0u, stats.skipped);
    expect_same_dump(all, dump(s));
    EXPECT_EQ(0, done.io.load() + done.other.load());
    std::printf("[ info     ] %d compactions while %zu leases were written\n", compactions, all.size());
}

TEST_F(Memfile, LfcIntervalCompactsPeriodically)
{
    open_store(true, 1);
    lease4 l = make_lease(NET + 1, 1, now);
    for (int i = 0; i < 50; i++) {
        lease4 n = l;
        n.cltt = now + i + 1;
        ASSERT_EQ(LEASE_OK, i == 0 ? submit(LEASE_OP_ADD, n) : submit(LEASE_OP_UPDATE, n, &l));
        l = n;
    }
    ASSERT_EQ(0, s->ops->flush(s));
    // Wait (bounded) for a timed compaction that starts after the flush.
    uint64_t c0 = memfile_compaction_count(s);
    auto deadline = Clock::now() + std::chrono::seconds(4);
    while (memfile_compaction_count(s) <= c0 && Clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ASSERT_GT(memfile_compaction_count(s), c0);
    std::string text = read_file();
    EXPECT_EQ(2, std::count(text.begin(), text.end(), '\n'));
    reopen();
    lease4 got;
    ASSERT_EQ(0, s->ops->get_by_addr(s, l.addr, &got));
    EXPECT_TRUE(same_lease(l, got));
}

TEST_F(Memfile, PersistFalseCompletesWithoutFile)
{
    open_store(false);
    std::atomic<int> calls{ 0 };
    std::atomic<bool> other_thread{ true };
    struct Ctx {
        std::atomic<int> *calls;
        std::atomic<bool> *other;
        std::thread::id main;
    } ctx{ &calls, &other_thread, std::this_thread::get_id() };
    auto cb = [](void *p, int result) {
        auto *c = static_cast<Ctx *>(p);
        EXPECT_EQ(LEASE_OK, result);
        if (std::this_thread::get_id() == c->main)
            *c->other = false;
        (*c->calls)++;
    };
    for (uint32_t i = 1; i <= 100; i++) {
        lease4 l = make_lease(NET + i, (uint8_t)i, now);
        ASSERT_EQ(LEASE_OK, s->ops->submit(s, LEASE_OP_ADD, &l, nullptr, cb, &ctx));
    }
    ASSERT_EQ(0, s->ops->flush(s));
    EXPECT_EQ(100, calls.load());
    EXPECT_TRUE(other_thread.load());    // completions run on the commit thread
    EXPECT_EQ(0, memfile_compact(s));
    EXPECT_EQ(0u, memfile_sync_count(s));
    EXPECT_EQ(100u, dump(s).size());
    EXPECT_EQ(-1, file_size());          // nothing was written
}

TEST_F(Memfile, CreatesMissingDirectories)
{
    path = dir + "/a/b/c/leases4.csv";
    open_store();
    ASSERT_EQ(LEASE_OK, submit(LEASE_OP_ADD, make_lease(NET + 1, 1, now)));
    ASSERT_EQ(0, s->ops->flush(s));
    EXPECT_GT(file_size(), 0);
}

TEST_F(Memfile, ImpossibleDirectoryFailsClearly)
{
    std::ofstream(dir + "/plainfile") << "x";
    std::string p = dir + "/plainfile/sub/leases4.csv";
    memfile_params mp = { p.c_str(), true, 0, 0 };
    char err[256] = "";
    lease_store *st = nullptr;
    EXPECT_EQ(LEASE_E_IO, memfile_open(&mp, &st, &stats, err, sizeof(err)));
    EXPECT_NE(nullptr, strstr(err, "directory")) << err;
    EXPECT_NE(nullptr, strstr(err, "plainfile")) << err;
}

// ---- durability ----------------------------------------------------------

namespace {
struct DurabilityProbe {
    lease_store *s;
    std::string path;
    std::string needle;     // the row's text, as formatted by a test-side rule
    uint64_t syncs_at_submit;
    bool in_file = false, synced = false;
    int result = 99;
    static void cb(void *p, int result)
    {
        auto *d = static_cast<DurabilityProbe *>(p);
        d->result = result;
        d->synced = memfile_sync_count(d->s) > d->syncs_at_submit;
        // Read the file through a separate descriptor, as a restarted server would.
        int fd = open(d->path.c_str(), O_RDONLY);
        std::string text;
        char buf[4096];
        ssize_t n;
        while (fd >= 0 && (n = read(fd, buf, sizeof(buf))) > 0)
            text.append(buf, (size_t)n);
        if (fd >= 0)
            close(fd);
        d->in_file = text.find(d->needle) != std::string::npos;
    }
};
}  // namespace

TEST_F(Memfile, CompletionRunsOnlyAfterRowIsSynced)
{
    open_store();
    std::vector<DurabilityProbe> probes(50);
    for (uint32_t i = 0; i < probes.size(); i++) {
        lease4 l = make_lease(NET + i + 1, 0xa0, now);
        auto &p = probes[i];
        p.s = s;
        p.path = path;
        char needle[64];
        snprintf(needle, sizeof(needle), "\n192.0.2.%u,02:00:5e:00:53:a0,", i + 1);
        p.needle = needle;
        p.syncs_at_submit = memfile_sync_count(s);
        ASSERT_EQ(LEASE_OK, s->ops->submit(s, LEASE_OP_ADD, &l, nullptr, DurabilityProbe::cb, &p));
    }
    ASSERT_EQ(0, s->ops->flush(s));
    for (auto &p : probes) {
        EXPECT_EQ(LEASE_OK, p.result);
        EXPECT_TRUE(p.in_file) << p.needle;
        EXPECT_TRUE(p.synced) << p.needle;
    }
}

TEST_F(Memfile, GroupCommitUsesFewerSyncsThanChanges)
{
    open_store();
    const int threads = 4, per = 250;
    std::vector<std::thread> th;
    for (int t = 0; t < threads; t++) {
        th.emplace_back([&, t] {
            for (int i = 0; i < per; i++) {
                lease4 l = make_lease(0x0a000000 + (uint32_t)(t * per + i), (uint8_t)i, now);
                ASSERT_EQ(LEASE_OK, submit(LEASE_OP_ADD, l));
            }
        });
    }
    for (auto &t : th)
        t.join();
    ASSERT_EQ(0, s->ops->flush(s));
    EXPECT_EQ(threads * per, done.ok.load());
    uint64_t syncs = memfile_sync_count(s);
    EXPECT_GE(syncs, 1u);
    EXPECT_LT(syncs, (uint64_t)(threads * per));
    std::printf("[ info     ] %d changes made durable with %llu fdatasync calls\n",
                threads * per, (unsigned long long)syncs);
}

TEST_F(Memfile, CompletionsRunInSubmissionOrder)
{
    open_store();
    struct Order {
        std::mutex mu;
        std::vector<int> seen;
    } order;
    struct Item {
        Order *o;
        int idx;
    };
    std::vector<Item> items(500);
    for (int i = 0; i < 500; i++) {
        items[i] = { &order, i };
        lease4 l = make_lease(0x0a000000 + (uint32_t)i, 1, now);
        ASSERT_EQ(LEASE_OK, s->ops->submit(s, LEASE_OP_ADD, &l, nullptr, [](void *p, int r) {
            auto *it = static_cast<Item *>(p);
            EXPECT_EQ(LEASE_OK, r);
            std::lock_guard<std::mutex> g(it->o->mu);
            it->o->seen.push_back(it->idx);
        }, &items[i]));
    }
    ASSERT_EQ(0, s->ops->flush(s));
    ASSERT_EQ(500u, order.seen.size());
    for (int i = 0; i < 500; i++)
        EXPECT_EQ(i, order.seen[i]);
}

TEST_F(Memfile, FlushAndCompactFromCompletionRejected)
{
    open_store();
    struct Ctx {
        lease_store *s;
        int flush_rc = 0, compact_rc = 0;
    } ctx{ s };
    lease4 l = make_lease(NET + 1, 1, now);
    ASSERT_EQ(LEASE_OK, s->ops->submit(s, LEASE_OP_ADD, &l, nullptr, [](void *p, int) {
        auto *c = static_cast<Ctx *>(p);
        c->flush_rc = c->s->ops->flush(c->s);     // would wait for itself
        c->compact_rc = memfile_compact(c->s);
    }, &ctx));
    ASSERT_EQ(0, s->ops->flush(s));
    EXPECT_EQ(LEASE_E_INVALID, ctx.flush_rc);
    EXPECT_EQ(LEASE_E_INVALID, ctx.compact_rc);
}

// A write that fails (file size limit) completes its group with LEASE_E_IO;
// later groups are acknowledged only after the file was rewritten from
// memory, and the reloaded file holds everything that was in memory.
// Runs in a child process because it lowers RLIMIT_FSIZE.
TEST_F(Memfile, WriteFailureReportsIoThenRecovers)
{
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        signal(SIGXFSZ, SIG_IGN);       // EFBIG instead of a signal
        memfile_params p = { path.c_str(), true, 0, 0 };
        lease_store *st;
        memfile_load_stats ls;
        char err[256];
        if (memfile_open(&p, &st, &ls, err, sizeof(err)) != 0)
            _exit(10);
        Done d;
        lease4 l = make_lease(NET + 1, 1, now);
        if (st->ops->submit(st, LEASE_OP_ADD, &l, nullptr, Done::cb, &d) != 0 || st->ops->flush(st) != 0)
            _exit(11);
        struct stat sb;
        stat(path.c_str(), &sb);
        struct rlimit rl;
        getrlimit(RLIMIT_FSIZE, &rl);
        struct rlimit low = { (rlim_t)sb.st_size + 10, rl.rlim_max };
        setrlimit(RLIMIT_FSIZE, &low);
        lease4 l2 = make_lease(NET + 2, 2, now);
        if (st->ops->submit(st, LEASE_OP_ADD, &l2, nullptr, Done::cb, &d) != 0)
            _exit(12);
        if (st->ops->flush(st) != LEASE_E_IO || d.io.load() != 1)
            _exit(13);
        setrlimit(RLIMIT_FSIZE, &rl);
        // Keep submitting until a group is acknowledged again (the rewrite
        // is retried at most once a second); bounded to 5 s.
        int ok_before = d.ok.load();
        auto deadline = Clock::now() + std::chrono::seconds(5);
        for (uint32_t i = 3; d.ok.load() == ok_before && Clock::now() < deadline; i++) {
            lease4 n = make_lease(NET + i, (uint8_t)i, now);
            if (st->ops->submit(st, LEASE_OP_ADD, &n, nullptr, Done::cb, &d) != 0)
                _exit(14);
            st->ops->flush(st);
            if (d.ok.load() == ok_before)
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        if (d.ok.load() == ok_before)
            _exit(15);
        st->ops->close(st);
        _exit(0);
    }
    int status = 0;
    ASSERT_EQ(pid, waitpid(pid, &status, 0));
    ASSERT_TRUE(WIFEXITED(status));
    ASSERT_EQ(0, WEXITSTATUS(status));
    // The failed group's lease (NET+2) was in memory, so the rewrite made it
    // durable as well: everything submitted is in the file.
    open_store();
    EXPECT_EQ(0u, stats.skipped);
    lease4 got;
    EXPECT_EQ(0, s->ops->get_by_addr(s, NET + 1, &got));
    EXPECT_EQ(0, s->ops->get_by_addr(s, NET + 2, &got));
    EXPECT_EQ(0, s->ops->get_by_addr(s, NET + 3, &got));
}

// ---- crash safety --------------------------------------------------------

namespace {

// One record on the child -> parent pipe (24 bytes: atomic on a pipe).
struct CrashRec {
    uint8_t kind;       // 'S' submitted (written before submit), 'A' acknowledged
    uint8_t op;
    uint8_t hw[6];
    uint32_t addr;
    uint32_t seq;
    int64_t cltt;
};
static_assert(sizeof(CrashRec) == 24, "pipe record size");

struct CrashAck {
    int fd;
    CrashRec rec;
};

void crash_ack(void *p, int result)
{
    auto *a = static_cast<CrashAck *>(p);
    if (result == LEASE_OK) {
        CrashRec r = a->rec;
        r.kind = 'A';
        ssize_t n = write(a->fd, &r, sizeof(r));
        (void)n;
    }
    delete a;
}

// The child: open the store and change leases until killed (or 3 s pass).
[[noreturn]] void crash_child(const std::string &path, int fd, int iter, bool compacting)
{
    memfile_params p = { path.c_str(), true, 0, 0 };
    lease_store *s;
    memfile_load_stats st;
    char err[256];
    if (memfile_open(&p, &s, &st, err, sizeof(err)) != 0)
        _exit(3);
    std::atomic<bool> stop{ false };
    std::thread compactor;
    if (compacting) {
        compactor = std::thread([&] {
            while (!stop) {
                memfile_compact(s);
                std::this_thread::sleep_for(std::chrono::milliseconds(3));
            }
        });
    }
    std::mt19937 rng(iter * 7919 + 1);
    int64_t base = 1700000000 + (int64_t)iter * 10000000;
    auto deadline = Clock::now() + std::chrono::seconds(3);
    for (uint32_t seq = 1; seq < 2000000 && Clock::now() < deadline; seq++) {
        uint32_t addr = 0xc6120000 + rng() % 400;   // 198.18.0.0/15
        lease4 cur, nl;
        bool have = s->ops->get_by_addr(s, addr, &cur) == 0;
        CrashRec r;
        memset(&r, 0, sizeof(r));
        r.kind = 'S';
        r.addr = addr;
        r.seq = seq;
        if (have && rng() % 8 == 0) {
            r.op = LEASE_OP_DELETE;
            nl = cur;
        } else {
            r.op = have ? LEASE_OP_UPDATE : LEASE_OP_ADD;
            nl = make_lease(addr, (uint8_t)rng(), base + seq);
            nl.valid_lft = 3600;
        }
        memcpy(r.hw, nl.hwaddr, 6);
        r.cltt = nl.cltt;
        if (write(fd, &r, sizeof(r)) != (ssize_t)sizeof(r))
            _exit(4);
        auto *ack = new CrashAck{ fd, r };
        int rc = s->ops->submit(s, (lease_op)r.op, &nl, have ? &cur : nullptr, crash_ack, ack);
        if (rc != LEASE_OK)
            _exit(5);
    }
    stop = true;
    if (compactor.joinable())
        compactor.join();
    s->ops->close(s);
    _exit(0);
}

}  // namespace

TEST_F(Memfile, CrashKeepsEveryAcknowledgedChange)
{
    std::mt19937 rng(20240601);
    const int iterations = 24;
    size_t total_acks = 0;
    auto test_deadline = Clock::now() + std::chrono::seconds(20);
    for (int iter = 0; iter < iterations && Clock::now() < test_deadline; iter++) {
        int pfd[2];
        ASSERT_EQ(0, pipe(pfd));
        pid_t pid = fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
            close(pfd[0]);
            crash_child(path, pfd[1], iter, iter % 2 == 1);
        }
        close(pfd[1]);

        // Collect records while the child runs, then kill it at a random moment.
        std::vector<CrashRec> recs;
        std::string carry;
        auto read_some = [&](int timeout_ms) {
            pollfd pf = { pfd[0], POLLIN, 0 };
            if (poll(&pf, 1, timeout_ms) <= 0)
                return false;
            CrashRec buf[256];
            ssize_t n = read(pfd[0], buf, sizeof(buf));
            if (n <= 0)
                return false;
            // Records are written whole (24 <= PIPE_BUF bytes, so atomically);
            // keep any partial tail of a read for the next one anyway.
            carry.append(reinterpret_cast<char *>(buf), (size_t)n);
            size_t whole = carry.size() / sizeof(CrashRec);
            for (size_t i = 0; i < whole; i++) {
                CrashRec r;
                memcpy(&r, carry.data() + i * sizeof(CrashRec), sizeof(r));
                recs.push_back(r);
            }
            carry.erase(0, whole * sizeof(CrashRec));
            return true;
        };
        int delay_ms = 15 + (int)(rng() % 150);
        auto kill_at = Clock::now() + std::chrono::milliseconds(delay_ms);
        while (Clock::now() < kill_at) {
            int left = (int)std::chrono::duration_cast<std::chrono::milliseconds>(kill_at - Clock::now()).count();
            read_some(std::max(left, 1));
        }
        kill(pid, SIGKILL);
        int status = 0;
        ASSERT_EQ(pid, waitpid(pid, &status, 0));
        ASSERT_TRUE(WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) == 0))
            << "child failed with " << status;
        auto drain_deadline = Clock::now() + std::chrono::seconds(2);
        while (read_some(50) && Clock::now() < drain_deadline) {
        }
        close(pfd[0]);

        // Per address: the submitted ops in order, and the last acknowledged one.
        std::map<uint32_t, std::vector<CrashRec>> submitted;
        std::map<uint32_t, uint32_t> last_ack;
        for (const CrashRec &r : recs) {
            if (r.kind == 'S')
                submitted[r.addr].push_back(r);
            else if (r.kind == 'A')
                last_ack[r.addr] = r.seq;
        }
        total_acks += last_ack.size();

        memfile_params p = { path.c_str(), true, 0, 0 };
        char err[256];
        lease_store *st = nullptr;
        memfile_load_stats ls;
        ASSERT_EQ(0, memfile_open(&p, &st, &ls, err, sizeof(err))) << "iteration " << iter << ": " << err;
        EXPECT_LE(ls.skipped, 1u) << "only a torn last line may be bad";
        for (const auto &kv : last_ack) {
            // The file must hold the acknowledged state or that of a later
            // submission for the address (durable but not yet acknowledged).
            const auto &ops = submitted[kv.first];
            auto it = std::find_if(ops.begin(), ops.end(),
                                   [&](const CrashRec &r) { return r.seq == kv.second; });
            ASSERT_NE(ops.end(), it);
            lease4 got;
            bool present = st->ops->get_by_addr(st, kv.first, &got) == 0;
            bool match = false;
            for (; it != ops.end() && !match; ++it) {
                if (it->op == LEASE_OP_DELETE)
                    match = !present;
                else
                    match = present && got.cltt == it->cltt && memcmp(got.hwaddr, it->hw, 6) == 0 &&
                            lease4_expire(&got) == it->cltt + 3600;
            }
            EXPECT_TRUE(match) << "iteration " << iter << " address " << kv.first
                               << " acknowledged seq " << kv.second << " present " << present
                               << (present ? " " + describe(got) : "");
        }
        st->ops->close(st);
        if (HasFailure())
            break;
    }
    EXPECT_GT(total_acks, 0u);
}

// ---- concurrency ---------------------------------------------------------

TEST_F(Memfile, ConcurrentMixedOperations)
{
    open_store();
    const int nthreads = 4;
    const uint32_t per = 256;
    std::atomic<bool> failed{ false };
    std::atomic<long> ops{ 0 };
    std::vector<std::map<uint32_t, lease4>> models(nthreads);
    auto deadline = Clock::now() + std::chrono::milliseconds(1000);

    auto worker = [&](int t) {
        std::mt19937 rng(1000 + t);
        auto &m = models[t];
        uint32_t base = 0xc6120000 + (uint32_t)t * per;   // disjoint ranges per thread
        std::vector<lease4> out(16);
        for (long i = 0; i < 400000 && Clock::now() < deadline && !failed; i++) {
            uint32_t addr = base + rng() % per;
            uint8_t hw = (uint8_t)(rng() % 16);          // shared hw/client-id pool
            auto it = m.find(addr);
            lease4 got;
            switch (rng() % 6) {
            case 0: {   // add: must succeed iff the model holds no live lease
                lease4 l = make_lease(addr, hw, now + i % 1000, 3600, 1 + rng() % 3,
                                      (uint8_t)(rng() % 3 == 0 ? LEASE_STATE_RELEASED : LEASE_STATE_DEFAULT));
                bool live = it != m.end() && (it->second.state == LEASE_STATE_DEFAULT ||
                                              it->second.state == LEASE_STATE_DECLINED);
                int rc = submit(LEASE_OP_ADD, l);
                if (rc != (live ? LEASE_E_CONFLICT : LEASE_OK)) {
                    ADD_FAILURE() << "add rc " << rc;
                    failed = true;
                }
                if (rc == LEASE_OK)
                    m[addr] = l;
                break;
            }
            case 1: {   // update with the right and with a stale version
                if (it == m.end())
                    break;
                lease4 l = it->second;
                l.cltt += 1 + rng() % 5;
                l.hwaddr[5] = hw;
                l.state = (uint8_t)(rng() % 4);
                lease4 stale = it->second;
                stale.cltt -= 1;
                if (submit(LEASE_OP_UPDATE, l, &stale) != LEASE_E_CONFLICT ||
                    submit(LEASE_OP_UPDATE, l, &it->second) != LEASE_OK) {
                    ADD_FAILURE() << "update";
                    failed = true;
                }
                it->second = l;
                break;
            }
            case 2:
                if (it == m.end())
                    break;
                if (submit(LEASE_OP_DELETE, it->second, &it->second) != LEASE_OK) {
                    ADD_FAILURE() << "delete";
                    failed = true;
                }
                m.erase(it);
                break;
            case 3: {   // lookup by address
                int rc = s->ops->get_by_addr(s, addr, &got);
                bool ok = it == m.end() ? rc == LEASE_E_NOT_FOUND : rc == 0 && same_lease(it->second, got);
                if (!ok) {
                    ADD_FAILURE() << "get_by_addr";
                    failed = true;
                }
                break;
            }
            case 4: {   // lookup by hw-address: my range's part must match my model
                std::set<uint32_t> seen;
                struct C {
                    std::set<uint32_t> *seen;
                    uint32_t lo, hi;
                } c{ &seen, base, base + per };
                uint8_t key[6] = { 0x02, 0x00, 0x5e, 0x00, 0x53, hw };
                s->ops->foreach_by_hwaddr(s, 0, key, 6, [](const lease4 *l, void *p) {
                    auto *cc = static_cast<C *>(p);
                    if (l->addr >= cc->lo && l->addr < cc->hi)
                        cc->seen->insert(l->addr);
                    return 0;
                }, &c);
                std::set<uint32_t> want;
                for (auto &kv : m)
                    if (kv.second.hwaddr[5] == hw)
                        want.insert(kv.first);
                if (seen != want) {
                    ADD_FAILURE() << "foreach_by_hwaddr";
                    failed = true;
                }
                break;
            }
            default:
                s->ops->get_expired(s, now + 5000, out.data(), out.size());
                break;
            }
            ops++;
        }
    };
    std::vector<std::thread> th;
    for (int t = 0; t < nthreads; t++)
        th.emplace_back(worker, t);
    for (auto &t : th)
        t.join();
    ASSERT_FALSE(failed.load());
    ASSERT_EQ(0, s->ops->flush(s));
    EXPECT_EQ(0, done.io.load() + done.other.load());
    std::map<uint32_t, lease4> all;
    for (auto &m : models)
        all.insert(m.begin(), m.end());
    expect_same_dump(all, dump(s));
    reopen();
    EXPECT_EQ(0u, stats.skipped);
    expect_same_dump(all, dump(s));
    std::printf("[ info     ] %ld operations from %d threads\n", ops.load(), nthreads);
}
