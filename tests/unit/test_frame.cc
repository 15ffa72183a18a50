// Unit tests for packet I/O (server/io.h): Ethernet/IPv4/UDP framing
// (suite Frame), real raw and UDP sockets inside two network namespaces
// joined by a veth pair (suite IoNetns, root only), and the UDP socket type
// on loopback (suite IoLoopback).
//
// Checksums are verified with the test's own routine, written independently
// of server/frame.c.

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

extern "C" {
#include "server/cfg.h"
#include "server/io.h"
}

namespace {

// ---- independent helpers ----------------------------------------------

// Internet checksum (RFC 1071) written the plain way: sum big-endian 16-bit
// words into 32 bits, fold the carries, complement.
uint16_t ref_checksum(const std::vector<uint8_t> &bytes)
{
    uint32_t sum = 0;
    for (size_t i = 0; i < bytes.size(); i += 2) {
        uint16_t word = (uint16_t)(bytes[i] << 8);
        if (i + 1 < bytes.size())
            word |= bytes[i + 1];
        sum += word;
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return (uint16_t)~sum;
}

uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }
void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }

// Recompute the IPv4 header checksum of a frame after a test mutated the
// header, so the frame is rejected for the mutation and not the checksum.
void fix_ip_csum(std::vector<uint8_t> &f, size_t ip_off = 14)
{
    size_t ihl = (size_t)(f[ip_off] & 0x0f) * 4;
    put16(&f[ip_off + 10], 0);
    std::vector<uint8_t> hdr(f.begin() + (long)ip_off, f.begin() + (long)(ip_off + ihl));
    put16(&f[ip_off + 10], ref_checksum(hdr));
}

// Recompute the UDP checksum over the RFC 768 pseudo-header.
void fix_udp_csum(std::vector<uint8_t> &f, size_t ip_off = 14)
{
    size_t ihl = (size_t)(f[ip_off] & 0x0f) * 4;
    size_t udp = ip_off + ihl;
    uint16_t ulen = be16(&f[udp + 4]);
    put16(&f[udp + 6], 0);
    std::vector<uint8_t> ph;
    ph.insert(ph.end(), f.begin() + (long)(ip_off + 12), f.begin() + (long)(ip_off + 20));
    ph.push_back(0);
    ph.push_back(17);
    ph.push_back((uint8_t)(ulen >> 8));
    ph.push_back((uint8_t)ulen);
    // A mutated UDP length may claim more than the frame holds: sum what is there.
    size_t have = std::min((size_t)ulen, f.size() - udp);
    ph.insert(ph.end(), f.begin() + (long)udp, f.begin() + (long)(udp + have));
    uint16_t ck = ref_checksum(ph);
    put16(&f[udp + 6], ck ? ck : 0xffff);
}

const uint8_t kSrcMac[6] = { 0x02, 0x00, 0x5e, 0x10, 0x20, 0x30 };
const uint8_t kDstMac[6] = { 0x02, 0x00, 0x5e, 0xa0, 0xb0, 0xc0 };
const uint32_t kSrcIp = 0xc0000201;  // 192.0.2.1
const uint32_t kDstIp = 0xc0000263;  // 192.0.2.99

std::vector<uint8_t> make_payload(size_t n, uint8_t seed)
{
    std::vector<uint8_t> p(n);
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(seed + i * 7);
    return p;
}

std::vector<uint8_t> build(const std::vector<uint8_t> &payload,
                           uint32_t src_ip = kSrcIp, uint32_t dst_ip = kDstIp)
{
    std::vector<uint8_t> f(14 + 20 + 8 + payload.size());
    int n = frame_build(f.data(), f.size(), kSrcMac, kDstMac, src_ip, dst_ip, 67, 68,
                        payload.data(), payload.size());
    EXPECT_EQ(n, (int)f.size());
    return f;
}

// frame_parse on an exact-size heap copy so ASan catches any overread.
int parse(const std::vector<uint8_t> &f, rx_pkt *out)
{
    std::unique_ptr<uint8_t[]> copy(new uint8_t[f.size() ? f.size() : 1]);
    if (!f.empty())
        memcpy(copy.get(), f.data(), f.size());
    return frame_parse(copy.get(), f.size(), out);
}

// ---- Frame ------------------------------------------------------------

TEST(Frame, BuildLayoutAndChecksums)
{
    auto payload = make_payload(301, 1);   // odd length: checksum pads a byte
    auto f = build(payload);
    ASSERT_EQ(f.size(), 14u + 20 + 8 + 301);

    EXPECT_EQ(0, memcmp(&f[0], kDstMac, 6));
    EXPECT_EQ(0, memcmp(&f[6], kSrcMac, 6));
    EXPECT_EQ(be16(&f[12]), 0x0800);

    const uint8_t *ip = &f[14];
    EXPECT_EQ(ip[0], 0x45);
    EXPECT_EQ(be16(ip + 2), 20 + 8 + 301);
    EXPECT_EQ(be16(ip + 6), 0) << "no DF, not a fragment";
    EXPECT_EQ(ip[8], 64) << "TTL";
    EXPECT_EQ(ip[9], 17);
    EXPECT_EQ(be32(ip + 12), kSrcIp);
    EXPECT_EQ(be32(ip + 16), kDstIp);

    const uint8_t *udp = ip + 20;
    EXPECT_EQ(be16(udp), 67);
    EXPECT_EQ(be16(udp + 2), 68);
    EXPECT_EQ(be16(udp + 4), 8 + 301);
    EXPECT_EQ(0, memcmp(udp + 8, payload.data(), payload.size()));

    // Recompute both checksums independently and compare with the frame's.
    auto ref = f;
    fix_ip_csum(ref);
    fix_udp_csum(ref);
    EXPECT_EQ(be16(&f[14 + 10]), be16(&ref[14 + 10])) << "IP header checksum";
    EXPECT_EQ(be16(&f[34 + 6]), be16(&ref[34 + 6])) << "UDP checksum";
    EXPECT_NE(be16(&f[34 + 6]), 0) << "UDP checksum must be filled in";
}

TEST(Frame, RoundTrip)
{
    for (size_t len : { (size_t)0, (size_t)1, (size_t)300, (size_t)576, (size_t)1473 }) {
        auto payload = make_payload(len, (uint8_t)len);
        auto f = build(payload);
        rx_pkt p;
        memset(&p, 0xaa, sizeof(p));
        ASSERT_EQ(parse(f, &p), 0) << "len " << len;
        EXPECT_EQ(p.len, len);
        EXPECT_TRUE(std::equal(payload.begin(), payload.end(), p.data));
        EXPECT_EQ(p.src_ip, kSrcIp);
        EXPECT_EQ(p.dst_ip, kDstIp);
        EXPECT_EQ(p.src_port, 67);
        EXPECT_EQ(p.dst_port, 68);
        EXPECT_EQ(0, memcmp(p.src_mac, kSrcMac, 6));
        EXPECT_FALSE(p.dst_broadcast);
    }
}

TEST(Frame, BroadcastDestinationIsFlagged)
{
    auto f = build(make_payload(300, 3), kSrcIp, 0xffffffffu);
    rx_pkt p;
    ASSERT_EQ(parse(f, &p), 0);
    EXPECT_TRUE(p.dst_broadcast);
    EXPECT_EQ(p.dst_ip, 0xffffffffu);
}

TEST(Frame, BuildRefusesWhatDoesNotFit)
{
    auto payload = make_payload(100, 0);
    std::vector<uint8_t> out(14 + 20 + 8 + 99);
    EXPECT_EQ(frame_build(out.data(), out.size(), kSrcMac, kDstMac, kSrcIp, kDstIp, 67, 68,
                          payload.data(), payload.size()), -1);
    out.resize(14 + 20 + 8 + 100);
    EXPECT_EQ(frame_build(out.data(), out.size(), kSrcMac, kDstMac, kSrcIp, kDstIp, 67, 68,
                          payload.data(), payload.size()), (int)out.size());
    // The IPv4 total length is 16 bits: 65536 - 28 bytes of payload cannot be sent.
    std::vector<uint8_t> big(65536 - 28), huge(70000);
    EXPECT_EQ(frame_build(huge.data(), huge.size(), kSrcMac, kDstMac, kSrcIp, kDstIp, 67, 68,
                          big.data(), big.size()), -1);
}

TEST(Frame, AcceptsEthernetPaddingAndZeroUdpChecksum)
{
    auto payload = make_payload(300, 9);
    auto f = build(payload);
    f.insert(f.end(), 20, 0);           // trailer beyond the IP datagram
    rx_pkt p;
    ASSERT_EQ(parse(f, &p), 0);
    EXPECT_EQ(p.len, 300);
    EXPECT_EQ(0, memcmp(p.data, payload.data(), 300));

    // RFC 768: checksum 0 means "not computed"; the datagram must be accepted
    // even though the payload no longer matches any checksum.
    auto z = build(payload);
    put16(&z[34 + 6], 0);
    z[50] ^= 0xff;
    ASSERT_EQ(parse(z, &p), 0);
    EXPECT_EQ(p.data[50 - 42], (uint8_t)(payload[50 - 42] ^ 0xff));
}

TEST(Frame, AcceptsOneVlanTag)
{
    auto payload = make_payload(300, 5);
    auto f = build(payload);
    const uint8_t tag[4] = { 0x81, 0x00, 0x00, 0x64 };   // 802.1Q, VID 100
    f.insert(f.begin() + 12, tag, tag + 4);
    rx_pkt p;
    ASSERT_EQ(parse(f, &p), 0);
    EXPECT_EQ(p.len, 300);
    EXPECT_EQ(0, memcmp(p.data, payload.data(), 300));
}

TEST(Frame, AcceptsIpOptions)
{
    // IHL 6: one 4-byte option word (NOPs and an end-of-options) between
    // the IPv4 header and UDP.
    auto payload = make_payload(300, 6);
    auto f = build(payload);
    const uint8_t opts[4] = { 1, 1, 1, 0 };
    f.insert(f.begin() + 34, opts, opts + 4);
    f[14] = 0x46;
    put16(&f[16], (uint16_t)(be16(&f[16]) + 4));
    fix_ip_csum(f);
    fix_udp_csum(f);
    rx_pkt p;
    ASSERT_EQ(parse(f, &p), 0);
    EXPECT_EQ(p.len, 300);
    EXPECT_EQ(0, memcmp(p.data, payload.data(), 300));
}

TEST(Frame, RejectsEveryTruncation)
{
    auto f = build(make_payload(300, 2));
    rx_pkt p;
    for (size_t n = 0; n < f.size(); n++) {
        std::vector<uint8_t> t(f.begin(), f.begin() + (long)n);
        EXPECT_EQ(parse(t, &p), -1) << "truncated to " << n;
    }
}

TEST(Frame, RejectsMalformed)
{
    const auto good = build(make_payload(300, 4));
    rx_pkt p;
    ASSERT_EQ(parse(good, &p), 0) << "control frame must parse";

    struct Case {
        const char *name;
        void (*mutate)(std::vector<uint8_t> &);
    };
    const Case cases[] = {
        { "truncated ethernet header", [](std::vector<uint8_t> &f) { f.resize(13); } },
        { "ARP ethertype", [](std::vector<uint8_t> &f) { put16(&f[12], 0x0806); } },
        { "IPv6 ethertype", [](std::vector<uint8_t> &f) { put16(&f[12], 0x86dd); } },
        { "IP version 6", [](std::vector<uint8_t> &f) { f[14] = 0x65; fix_ip_csum(f); } },
        { "IHL 4", [](std::vector<uint8_t> &f) {
              // IHL below the minimum, with a checksum that is right for the
              // 16 bytes it claims, so only the IHL check can reject it.
              f[14] = 0x44;
              put16(&f[24], 0);
              std::vector<uint8_t> h(f.begin() + 14, f.begin() + 30);
              put16(&f[24], ref_checksum(h));
          } },
        { "IHL past the frame", [](std::vector<uint8_t> &f) {
              f.resize(14 + 24);
              f[14] = 0x4f;   // 60-byte header, only 24 bytes present
          } },
        { "total length past the frame", [](std::vector<uint8_t> &f) {
              put16(&f[16], (uint16_t)(be16(&f[16]) + 1));
              put16(&f[38], (uint16_t)(be16(&f[38]) + 1));
              fix_ip_csum(f);
          } },
        { "total length shorter than headers", [](std::vector<uint8_t> &f) {
              put16(&f[16], 20 + 7);
              fix_ip_csum(f);
          } },
        { "more-fragments flag", [](std::vector<uint8_t> &f) { put16(&f[20], 0x2000); fix_ip_csum(f); } },
        { "fragment offset", [](std::vector<uint8_t> &f) { put16(&f[20], 0x0001); fix_ip_csum(f); } },
        { "TCP protocol", [](std::vector<uint8_t> &f) { f[23] = 6; fix_ip_csum(f); } },
        { "bad IP checksum", [](std::vector<uint8_t> &f) { f[24] ^= 0x01; } },
        { "bad UDP checksum", [](std::vector<uint8_t> &f) { f[42 + 10] ^= 0x40; } },
        { "UDP length longer than IP payload", [](std::vector<uint8_t> &f) {
              put16(&f[38], (uint16_t)(be16(&f[38]) + 2));
              fix_udp_csum(f);
          } },
        { "UDP length shorter than IP payload", [](std::vector<uint8_t> &f) {
              put16(&f[38], (uint16_t)(be16(&f[38]) - 2));
              fix_udp_csum(f);
          } },
        { "UDP length below header size", [](std::vector<uint8_t> &f) { put16(&f[38], 4); put16(&f[40], 0); } },
    };
    for (const Case &c : cases) {
        auto f = good;
        c.mutate(f);
        EXPECT_EQ(parse(f, &p), -1) << c.name;
    }
}

TEST(Frame, RejectsPayloadLargerThanPkt4Max)
{
    auto payload = make_payload(PKT4_MAX_LEN + 1, 0);
    std::vector<uint8_t> f(14 + 28 + payload.size());
    ASSERT_GT(frame_build(f.data(), f.size(), kSrcMac, kDstMac, kSrcIp, kDstIp, 67, 68,
                          payload.data(), payload.size()), 0);
    rx_pkt p;
    EXPECT_EQ(parse(f, &p), -1);
    payload.resize(PKT4_MAX_LEN);
    f.resize(14 + 28 + payload.size());
    ASSERT_GT(frame_build(f.data(), f.size(), kSrcMac, kDstMac, kSrcIp, kDstIp, 67, 68,
                          payload.data(), payload.size()), 0);
    EXPECT_EQ(parse(f, &p), 0);
    EXPECT_EQ(p.len, PKT4_MAX_LEN);
}

// ---- socket helpers -----------------------------------------------------

struct Fd {
    int fd = -1;
    Fd() = default;
    explicit Fd(int f) : fd(f) {}
    Fd(const Fd &) = delete;
    Fd &operator=(const Fd &) = delete;
    ~Fd() { if (fd >= 0) close(fd); }
};

sockaddr_in sin4(uint32_t ip, uint16_t port)
{
    sockaddr_in s{};
    s.sin_family = AF_INET;
    s.sin_port = htons(port);
    s.sin_addr.s_addr = htonl(ip);
    return s;
}

// UDP socket bound to addr:port (0.0.0.0 when ip is 0), optionally tied to a
// device, with IP_PKTINFO so the test can see the destination of what it gets.
int udp_socket(uint32_t ip, uint16_t port, const char *dev)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one));
    setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
    if (dev && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, dev, (socklen_t)strlen(dev)) < 0) {
        close(fd);
        return -1;
    }
    sockaddr_in s = sin4(ip, port);
    if (bind(fd, (sockaddr *)&s, sizeof(s)) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

struct Got {
    std::vector<uint8_t> data;
    uint32_t src_ip = 0, dst_ip = 0;
    uint16_t src_port = 0;
};

// One datagram within timeout_ms, or false.
bool udp_recv(int fd, int timeout_ms, Got *g)
{
    pollfd pfd{ fd, POLLIN, 0 };
    if (poll(&pfd, 1, timeout_ms) != 1)
        return false;
    uint8_t buf[9000];
    sockaddr_in from{};
    alignas(cmsghdr) uint8_t ctl[CMSG_SPACE(sizeof(in_pktinfo))];
    iovec iov{ buf, sizeof(buf) };
    msghdr mh{};
    mh.msg_name = &from;
    mh.msg_namelen = sizeof(from);
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    mh.msg_control = ctl;
    mh.msg_controllen = sizeof(ctl);
    ssize_t r = recvmsg(fd, &mh, MSG_DONTWAIT);
    if (r < 0)
        return false;
    g->data.assign(buf, buf + r);
    g->src_ip = ntohl(from.sin_addr.s_addr);
    g->src_port = ntohs(from.sin_port);
    for (cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
            in_pktinfo pi;
            memcpy(&pi, CMSG_DATA(c), sizeof(pi));
            g->dst_ip = ntohl(pi.ipi_addr.s_addr);
        }
    }
    return true;
}

bool send_to(int fd, uint32_t ip, uint16_t port, const std::vector<uint8_t> &data)
{
    sockaddr_in to = sin4(ip, port);
    return sendto(fd, data.data(), data.size(), 0, (sockaddr *)&to, sizeof(to)) == (ssize_t)data.size();
}

// Collect packets from io for up to ms milliseconds (bounded), stopping early
// once want packets arrived (want 0: run the full time).
std::vector<rx_pkt> collect(io_ctx *io, size_t want, int ms, size_t *bad_total = nullptr)
{
    std::vector<rx_pkt> got;
    std::vector<rx_pkt> buf(8);
    auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    for (int iter = 0; iter < 1000; iter++) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            end - std::chrono::steady_clock::now()).count();
        if (left <= 0 || (want && got.size() >= want))
            break;
        size_t bad = 0;
        int n = io_recv_batch(io, buf.data(), buf.size(), (int)left, &bad);
        EXPECT_GE(n, 0);
        if (n < 0)
            break;
        EXPECT_LE((size_t)n, buf.size());
        if (bad_total)
            *bad_total += bad;
        got.insert(got.end(), buf.begin(), buf.begin() + n);
    }
    return got;
}

bool get_mac(const char *dev, uint8_t mac[6])
{
    Fd s(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    ifreq ifr{};
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
    if (s.fd < 0 || ioctl(s.fd, SIOCGIFHWADDR, &ifr) < 0)
        return false;
    memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
    return true;
}

int sh(const std::string &cmd)
{
    std::string full = cmd + " >/dev/null 2>&1";
    return system(full.c_str());
}

// Run f on a fresh thread that has joined network namespace ns; sockets f
// creates stay in ns after the thread ends.
template <class F>
void in_netns(const std::string &ns, F f)
{
    std::thread t([&] {
        std::string path = "/run/netns/" + ns;
        int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
        ASSERT_GE(fd, 0) << "open " << path;
        int rc = setns(fd, CLONE_NEWNET);
        close(fd);
        ASSERT_EQ(rc, 0) << "setns " << ns << ": " << strerror(errno);
        f();
    });
    t.join();
}

// ---- IoNetns: raw sockets on a veth pair between two namespaces --------
//
//   namespace "server"  VA 198.51.100.1/24  <-veth->  VB 198.51.100.2/24  namespace "client"

constexpr uint16_t kServerPort = 10067, kClientPort = 10068;
constexpr uint32_t kServerIp = 0xc6336401;   // 198.51.100.1
constexpr uint32_t kClientIp = 0xc6336402;   // 198.51.100.2
constexpr uint32_t kSecondIp = 0xc6336403;   // 198.51.100.3, second address on VA
constexpr uint32_t kSpoofIp  = 0xc633644d;   // 198.51.100.77, on no interface

class IoNetns : public ::testing::Test {
protected:
    std::string ns_srv, ns_cli, va, vb;
    io_ctx io{};
    bool io_open_ok = false;
    bool created = false;
    int va_index = 0, lo_index = 0;
    uint8_t va_mac[6]{}, vb_mac[6]{};

    void SetUp() override
    {
        if (geteuid() != 0)
            GTEST_SKIP() << "needs root for network namespaces and raw sockets";
        if (sh("command -v ip") != 0)
            GTEST_SKIP() << "iproute2 'ip' not installed";
        std::string id = std::to_string(getpid());
        ns_srv = "dtios" + id;
        ns_cli = "dtioc" + id;
        va = "dtva" + id;
        vb = "dtvb" + id;
        Cleanup();   // leftovers of a crashed run with the same pid
        if (sh("ip netns add " + ns_srv) != 0)
            GTEST_SKIP() << "cannot create network namespaces here";
        created = true;
        ASSERT_EQ(sh("ip netns add " + ns_cli), 0);
        ASSERT_EQ(sh("ip link add " + va + " netns " + ns_srv + " type veth peer name " + vb +
                     " netns " + ns_cli), 0);
        ASSERT_EQ(sh("ip -n " + ns_srv + " addr add 198.51.100.1/24 dev " + va), 0);
        ASSERT_EQ(sh("ip -n " + ns_srv + " addr add 198.51.100.3/24 dev " + va), 0);
        ASSERT_EQ(sh("ip -n " + ns_cli + " addr add 198.51.100.2/24 dev " + vb), 0);
        for (const auto &c : { "ip -n " + ns_srv + " link set lo up", "ip -n " + ns_srv + " link set " + va + " up",
                               "ip -n " + ns_cli + " link set lo up", "ip -n " + ns_cli + " link set " + vb + " up" })
            ASSERT_EQ(sh(c), 0) << c;
        // Wait (bounded) for the veth carrier on both ends.
        bool up = false;
        for (int i = 0; i < 100 && !up; i++) {
            up = sh("ip -n " + ns_srv + " link show " + va + " | grep -q LOWER_UP") == 0 &&
                 sh("ip -n " + ns_cli + " link show " + vb + " | grep -q LOWER_UP") == 0;
            if (!up)
                usleep(20000);
        }
        ASSERT_TRUE(up) << "veth did not come up";
        in_netns(ns_srv, [&] {
            va_index = (int)if_nametoindex(va.c_str());
            lo_index = (int)if_nametoindex("lo");
            ASSERT_TRUE(get_mac(va.c_str(), va_mac));
        });
        in_netns(ns_cli, [&] { ASSERT_TRUE(get_mac(vb.c_str(), vb_mac)); });
        ASSERT_GT(va_index, 0);
    }

    void TearDown() override
    {
        if (io_open_ok)
            io_close(&io);
        if (created)
            Cleanup();
    }

    void Cleanup()
    {
        if (ns_srv.empty())
            return;
        sh("ip netns del " + ns_srv);
        sh("ip netns del " + ns_cli);
    }

    // io_open inside the server namespace.
    int OpenIo(const std::vector<cfg_iface> &ifaces, bool all, cfg_socket_type type, std::string *err_out)
    {
        cfg4 cfg{};
        std::vector<cfg_iface> v = ifaces;
        cfg.ifaces = v.data();
        cfg.n_ifaces = v.size();
        cfg.all_ifaces = all;
        cfg.socket_type = type;
        int rc = -2;
        char err[256] = "";
        in_netns(ns_srv, [&] { rc = io_open(&io, &cfg, kServerPort, kClientPort, err, sizeof(err)); });
        if (err_out)
            *err_out = err;
        io_open_ok = rc == 0;
        return rc;
    }

    cfg_iface Iface(const std::string &name, uint32_t addr = 0)
    {
        cfg_iface c{};
        snprintf(c.name, sizeof(c.name), "%s", name.c_str());
        c.addr = addr;
        return c;
    }

    // UDP socket in the client namespace on VB, port kClientPort.
    int ClientSocket()
    {
        int fd = -1;
        in_netns(ns_cli, [&] { fd = udp_socket(0, kClientPort, vb.c_str()); });
        return fd;
    }
};

TEST_F(IoNetns, OpenRecordsInterface)
{
    std::string err;
    ASSERT_EQ(OpenIo({ Iface(va) }, false, CFG_SOCKET_RAW, &err), 0) << err;
    ASSERT_EQ(io.n_ifaces, 1u);
    EXPECT_STREQ(io.ifaces[0].name, va.c_str());
    EXPECT_EQ(io.ifaces[0].ifindex, va_index);
    EXPECT_EQ(0, memcmp(io.ifaces[0].mac, va_mac, 6));
    EXPECT_EQ(io.ifaces[0].addr, kServerIp);
    EXPECT_EQ(io.ifaces[0].netmask, 0xffffff00u);
    EXPECT_GE(io.ifaces[0].raw_fd, 0);
    EXPECT_GE(io.udp_fd, 0);
    EXPECT_GE(io.epoll_fd, 0);
    EXPECT_TRUE(io.raw);
    EXPECT_EQ(io_iface_by_index(&io, va_index), &io.ifaces[0]);
    EXPECT_EQ(io_iface_by_index(&io, lo_index), nullptr);

    // Nothing was sent: a short wait returns no packets.
    std::vector<rx_pkt> buf(4);
    size_t bad = 99;
    EXPECT_EQ(io_recv_batch(&io, buf.data(), buf.size(), 50, &bad), 0);
    EXPECT_EQ(bad, 0u);
}

TEST_F(IoNetns, WildcardPicksUpNonLoopbackInterfaces)
{
    std::string err;
    ASSERT_EQ(OpenIo({}, true, CFG_SOCKET_RAW, &err), 0) << err;
    ASSERT_EQ(io.n_ifaces, 1u) << "only the veth: lo is loopback";
    EXPECT_STREQ(io.ifaces[0].name, va.c_str());
}

TEST_F(IoNetns, ConfiguredAddressAndErrors)
{
    std::string err;
    ASSERT_EQ(OpenIo({ Iface(va, kSecondIp) }, false, CFG_SOCKET_RAW, &err), 0) << err;
    EXPECT_EQ(io.ifaces[0].addr, kSecondIp);
    io_close(&io);
    io_open_ok = false;

    EXPECT_EQ(OpenIo({ Iface(va, kSpoofIp) }, false, CFG_SOCKET_RAW, &err), -1);
    EXPECT_NE(err.find(va), std::string::npos) << err;
    EXPECT_NE(err.find("198.51.100.77"), std::string::npos) << err;

    EXPECT_EQ(OpenIo({ Iface(va), Iface("dtnope0") }, false, CFG_SOCKET_RAW, &err), -1);
    EXPECT_EQ(err, "interface 'dtnope0' does not exist");
    // A failed open leaves a closed context behind.
    EXPECT_EQ(io.n_ifaces, 0u);
    EXPECT_EQ(io.udp_fd, -1);
    EXPECT_EQ(io.epoll_fd, -1);
}

TEST_F(IoNetns, ReceiveBroadcastOnceAndReply)
{
    std::string err;
    ASSERT_EQ(OpenIo({ Iface(va) }, false, CFG_SOCKET_RAW, &err), 0) << err;
    Fd cli(ClientSocket());
    ASSERT_GE(cli.fd, 0);

    auto req = make_payload(300, 0x41);
    ASSERT_TRUE(send_to(cli.fd, 0xffffffffu, kServerPort, req));

    // The broadcast reaches both the raw and the UDP socket; io must hand
    // it over exactly once, from the raw socket.
    auto got = collect(&io, 0, 400);
    ASSERT_EQ(got.size(), 1u);
    const rx_pkt &p = got[0];
    EXPECT_TRUE(p.via_raw);
    EXPECT_TRUE(p.dst_broadcast);
    EXPECT_EQ(p.ifindex, va_index);
    EXPECT_EQ(p.src_ip, kClientIp);
    EXPECT_EQ(p.dst_ip, 0xffffffffu);
    EXPECT_EQ(p.src_port, kClientPort);
    EXPECT_EQ(p.dst_port, kServerPort);
    EXPECT_EQ(0, memcmp(p.src_mac, vb_mac, 6));
    ASSERT_EQ(p.len, req.size());
    EXPECT_EQ(0, memcmp(p.data, req.data(), req.size()));
    timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double age = (double)(now.tv_sec - p.rx_time.tv_sec) + (double)(now.tv_nsec - p.rx_time.tv_nsec) / 1e9;
    EXPECT_GE(age, 0.0);
    EXPECT_LT(age, 5.0);

    // Broadcast reply: L2 and IP broadcast from the interface address.
    auto offer = make_payload(320, 0x52);
    tx_dest d{};
    d.ifindex = p.ifindex;
    d.dst_ip = 0xffffffffu;
    d.dst_port = kClientPort;
    ASSERT_EQ(io_send(&io, &d, offer.data(), offer.size()), 0) << strerror(errno);
    Got g;
    ASSERT_TRUE(udp_recv(cli.fd, 2000, &g)) << "broadcast reply not received";
    EXPECT_EQ(g.data, offer);
    EXPECT_EQ(g.src_ip, kServerIp);
    EXPECT_EQ(g.src_port, kServerPort);
    EXPECT_EQ(g.dst_ip, 0xffffffffu);

    // L2 unicast to the client's MAC. The source address is one no socket
    // could use (it is on no interface), so its arrival proves the reply was
    // built as a raw frame rather than routed through the UDP socket.
    auto ack = make_payload(333, 0x63);
    tx_dest u{};
    u.ifindex = p.ifindex;
    u.dst_ip = kClientIp;
    u.dst_port = kClientPort;
    u.l2_unicast = true;
    memcpy(u.dst_mac, p.src_mac, 6);
    u.src_ip = kSpoofIp;
    ASSERT_EQ(io_send(&io, &u, ack.data(), ack.size()), 0) << strerror(errno);
    ASSERT_TRUE(udp_recv(cli.fd, 2000, &g)) << "l2 unicast reply not received";
    EXPECT_EQ(g.data, ack);
    EXPECT_EQ(g.src_ip, kSpoofIp);
    EXPECT_EQ(g.src_port, kServerPort);
    EXPECT_EQ(g.dst_ip, kClientIp);

    // No stray copies on the client side either.
    EXPECT_FALSE(udp_recv(cli.fd, 100, &g));
}

TEST_F(IoNetns, UnicastAndRoutedReply)
{
    std::string err;
    ASSERT_EQ(OpenIo({ Iface(va) }, false, CFG_SOCKET_RAW, &err), 0) << err;
    Fd cli(ClientSocket());
    ASSERT_GE(cli.fd, 0);

    auto req = make_payload(300, 0x11);
    ASSERT_TRUE(send_to(cli.fd, kServerIp, kServerPort, req));
    auto got = collect(&io, 0, 400);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_TRUE(got[0].via_raw);
    EXPECT_FALSE(got[0].dst_broadcast);
    EXPECT_EQ(got[0].dst_ip, kServerIp);
    EXPECT_EQ(got[0].src_ip, kClientIp);
    EXPECT_EQ(got[0].ifindex, va_index);

    // A plain unicast (no l2_unicast) goes through the UDP socket and the
    // kernel's routing/ARP; with src_ip set to the second local address the
    // source follows it.
    auto ack = make_payload(300, 0x22);
    tx_dest u{};
    u.ifindex = va_index;
    u.dst_ip = kClientIp;
    u.dst_port = kClientPort;
    u.src_ip = kSecondIp;
    ASSERT_EQ(io_send(&io, &u, ack.data(), ack.size()), 0) << strerror(errno);
    Got g;
    ASSERT_TRUE(udp_recv(cli.fd, 2000, &g));
    EXPECT_EQ(g.data, ack);
    EXPECT_EQ(g.src_ip, kSecondIp);
    EXPECT_EQ(g.src_port, kServerPort);

    // A non-local src_ip cannot be used by the UDP socket: io falls back to
    // the kernel's choice instead of failing.
    u.src_ip = kSpoofIp;
    ASSERT_EQ(io_send(&io, &u, ack.data(), ack.size()), 0) << strerror(errno);
    ASSERT_TRUE(udp_recv(cli.fd, 2000, &g));
    EXPECT_EQ(g.data, ack);
    EXPECT_EQ(g.src_ip, kServerIp);
}

TEST_F(IoNetns, LoopbackUnicastComesFromUdpSocket)
{
    std::string err;
    ASSERT_EQ(OpenIo({ Iface(va) }, false, CFG_SOCKET_RAW, &err), 0) << err;
    // A local process sending to our own address: the packet travels over
    // lo, which has no raw socket, so only the UDP socket sees it. The kernel
    // reports the interface owning the address (the veth), which would make
    // io take it for a copy of a raw packet; the local source must keep it.
    struct Sender {
        uint32_t bind_ip, dst_ip;
        uint8_t seed;
    };
    const Sender senders[] = {
        { 0, kServerIp, 0x31 },                              // source chosen by the kernel
        { kSecondIp, kServerIp, 0x32 },                      // another local address
        { INADDR_LOOPBACK, INADDR_LOOPBACK, 0x33 },          // plain loopback
    };
    for (const Sender &snd : senders) {
        SCOPED_TRACE(snd.seed);
        Fd local;
        in_netns(ns_srv, [&] { local.fd = udp_socket(snd.bind_ip, 0, nullptr); });
        ASSERT_GE(local.fd, 0);
        auto req = make_payload(300, snd.seed);
        ASSERT_TRUE(send_to(local.fd, snd.dst_ip, kServerPort, req));
        auto got = collect(&io, 0, 300);
        ASSERT_EQ(got.size(), 1u);
        const rx_pkt &p = got[0];
        EXPECT_FALSE(p.via_raw);
        EXPECT_EQ(p.ifindex, snd.dst_ip == kServerIp ? va_index : lo_index);
        EXPECT_EQ(p.src_ip, snd.bind_ip ? snd.bind_ip : kServerIp);
        EXPECT_EQ(p.dst_ip, snd.dst_ip);
        EXPECT_EQ(p.dst_port, kServerPort);
        EXPECT_FALSE(p.dst_broadcast);
        ASSERT_EQ(p.len, req.size());
        EXPECT_EQ(0, memcmp(p.data, req.data(), req.size()));
    }
}

TEST_F(IoNetns, MalformedFramesAreCounted)
{
    std::string err;
    ASSERT_EQ(OpenIo({ Iface(va) }, false, CFG_SOCKET_RAW, &err), 0) << err;

    // Inject hand-made frames from the client side with a packet socket.
    Fd pkt;
    int vb_index = 0;
    in_netns(ns_cli, [&] {
        pkt.fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
        vb_index = (int)if_nametoindex(vb.c_str());
    });
    ASSERT_GE(pkt.fd, 0);
    auto inject = [&](const std::vector<uint8_t> &f) {
        sockaddr_ll sll{};
        sll.sll_family = AF_PACKET;
        sll.sll_ifindex = vb_index;
        sll.sll_halen = 6;
        memcpy(sll.sll_addr, va_mac, 6);
        return sendto(pkt.fd, f.data(), f.size(), 0, (sockaddr *)&sll, sizeof(sll)) == (ssize_t)f.size();
    };
    auto payload = make_payload(300, 0x77);
    auto frame = [&](uint16_t dport) {
        std::vector<uint8_t> f(14 + 28 + payload.size());
        int n = frame_build(f.data(), f.size(), vb_mac, va_mac, kClientIp, kServerIp,
                            kClientPort, dport, payload.data(), payload.size());
        EXPECT_EQ(n, (int)f.size());
        return f;
    };

    auto bad_ip = frame(kServerPort);
    bad_ip[24] ^= 0x10;             // IP header checksum
    auto bad_udp = frame(kServerPort);
    bad_udp[42 + 100] ^= 0x01;      // payload no longer matches UDP checksum
    auto other_port = frame(kServerPort + 5);
    auto good = frame(kServerPort);
    ASSERT_TRUE(inject(bad_ip));
    ASSERT_TRUE(inject(bad_udp));
    ASSERT_TRUE(inject(other_port));
    ASSERT_TRUE(inject(good));

    size_t bad = 0;
    auto got = collect(&io, 0, 400, &bad);
    EXPECT_EQ(bad, 2u) << "bad IP checksum and bad UDP checksum";
    ASSERT_EQ(got.size(), 1u) << "the good frame; the other port is filtered out";
    EXPECT_TRUE(got[0].via_raw);
    EXPECT_FALSE(got[0].dst_broadcast);
    ASSERT_EQ(got[0].len, payload.size());
    EXPECT_EQ(0, memcmp(got[0].data, payload.data(), payload.size()));
}

TEST_F(IoNetns, UdpModeBroadcastOnInterface)
{
    std::string err;
    ASSERT_EQ(OpenIo({ Iface(va) }, false, CFG_SOCKET_UDP, &err), 0) << err;
    EXPECT_FALSE(io.raw);
    ASSERT_EQ(io.n_ifaces, 1u);
    EXPECT_EQ(io.ifaces[0].raw_fd, -1);
    Fd cli(ClientSocket());
    ASSERT_GE(cli.fd, 0);

    auto req = make_payload(300, 0x44);
    ASSERT_TRUE(send_to(cli.fd, 0xffffffffu, kServerPort, req));
    auto got = collect(&io, 0, 400);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_FALSE(got[0].via_raw);
    EXPECT_TRUE(got[0].dst_broadcast);
    EXPECT_EQ(got[0].ifindex, va_index);
    EXPECT_EQ(got[0].src_ip, kClientIp);
    EXPECT_EQ(got[0].src_port, kClientPort);

    // Directed broadcast to the subnet counts as broadcast too.
    ASSERT_TRUE(send_to(cli.fd, 0xc63364ffu, kServerPort, req));   // 198.51.100.255
    got = collect(&io, 1, 2000);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_TRUE(got[0].dst_broadcast);
    EXPECT_EQ(got[0].dst_ip, 0xc63364ffu);

    // Broadcast reply through the UDP socket, out of the receiving interface.
    auto offer = make_payload(300, 0x55);
    tx_dest d{};
    d.ifindex = va_index;
    d.dst_ip = 0xffffffffu;
    d.dst_port = kClientPort;
    ASSERT_EQ(io_send(&io, &d, offer.data(), offer.size()), 0) << strerror(errno);
    Got g;
    ASSERT_TRUE(udp_recv(cli.fd, 2000, &g));
    EXPECT_EQ(g.data, offer);
    EXPECT_EQ(g.dst_ip, 0xffffffffu);
    EXPECT_EQ(g.src_port, kServerPort);
}

// ---- IoLoopback: the udp socket type on 127.0.0.1 ----------------------

// A free high UDP port on loopback (bound then released).
uint16_t free_port()
{
    Fd s(udp_socket(INADDR_LOOPBACK, 0, nullptr));
    if (s.fd < 0)
        return 0;
    sockaddr_in a{};
    socklen_t l = sizeof(a);
    getsockname(s.fd, (sockaddr *)&a, &l);
    return ntohs(a.sin_port);
}

TEST(IoLoopback, UnknownInterfaceIsNamed)
{
    cfg_iface c{};
    snprintf(c.name, sizeof(c.name), "%s", "dtnosuch0");
    cfg4 cfg{};
    cfg.ifaces = &c;
    cfg.n_ifaces = 1;
    cfg.socket_type = CFG_SOCKET_UDP;
    io_ctx io{};
    char err[256] = "";
    EXPECT_EQ(io_open(&io, &cfg, 0, 0, err, sizeof(err)), -1);
    EXPECT_STREQ(err, "interface 'dtnosuch0' does not exist");
    io_close(&io);   // harmless after a failed open
}

TEST(IoLoopback, UdpModeReceiveBatchAndReply)
{
    uint16_t sport = free_port(), cport = free_port();
    ASSERT_NE(sport, 0);
    ASSERT_NE(cport, 0);
    ASSERT_NE(sport, cport);

    cfg_iface c{};
    snprintf(c.name, sizeof(c.name), "%s", "lo");
    cfg4 cfg{};
    cfg.ifaces = &c;
    cfg.n_ifaces = 1;
    cfg.socket_type = CFG_SOCKET_UDP;
    io_ctx io{};
    char err[256] = "";
    ASSERT_EQ(io_open(&io, &cfg, sport, cport, err, sizeof(err)), 0) << err;
    int lo = (int)if_nametoindex("lo");
    ASSERT_EQ(io.n_ifaces, 1u);
    EXPECT_EQ(io.ifaces[0].ifindex, lo);
    EXPECT_EQ(io.ifaces[0].addr, (uint32_t)INADDR_LOOPBACK);
    EXPECT_EQ(io.ifaces[0].raw_fd, -1);

    Fd cli(udp_socket(INADDR_LOOPBACK, cport, nullptr));
    ASSERT_GE(cli.fd, 0);

    // 20 datagrams, read with max 8 per call: every one arrives, in order,
    // and no call returns more than asked.
    const int kCount = 20;
    for (int i = 0; i < kCount; i++)
        ASSERT_TRUE(send_to(cli.fd, INADDR_LOOPBACK, sport, make_payload(240 + (size_t)i, (uint8_t)i)));
    auto got = collect(&io, kCount, 3000);
    ASSERT_EQ(got.size(), (size_t)kCount);
    for (int i = 0; i < kCount; i++) {
        auto want = make_payload(240 + (size_t)i, (uint8_t)i);
        const rx_pkt &p = got[(size_t)i];
        EXPECT_FALSE(p.via_raw);
        EXPECT_FALSE(p.dst_broadcast);
        EXPECT_EQ(p.ifindex, lo);
        EXPECT_EQ(p.src_ip, (uint32_t)INADDR_LOOPBACK);
        EXPECT_EQ(p.dst_ip, (uint32_t)INADDR_LOOPBACK);
        EXPECT_EQ(p.src_port, cport);
        EXPECT_EQ(p.dst_port, sport);
        ASSERT_EQ(p.len, want.size()) << i;
        EXPECT_EQ(0, memcmp(p.data, want.data(), want.size())) << i;
    }

    // A datagram longer than PKT4_MAX_LEN is counted as bad, not delivered.
    std::vector<uint8_t> big(PKT4_MAX_LEN + 100, 0x5a);
    ASSERT_TRUE(send_to(cli.fd, INADDR_LOOPBACK, sport, big));
    size_t bad = 0;
    got = collect(&io, 0, 300, &bad);
    EXPECT_EQ(got.size(), 0u);
    EXPECT_EQ(bad, 1u);

    // Unicast reply.
    auto ack = make_payload(300, 0x99);
    tx_dest d{};
    d.ifindex = lo;
    d.dst_ip = INADDR_LOOPBACK;
    d.dst_port = cport;
    ASSERT_EQ(io_send(&io, &d, ack.data(), ack.size()), 0) << strerror(errno);
    Got g;
    ASSERT_TRUE(udp_recv(cli.fd, 2000, &g));
    EXPECT_EQ(g.data, ack);
    EXPECT_EQ(g.src_port, sport);
    EXPECT_EQ(g.src_ip, (uint32_t)INADDR_LOOPBACK);

    // Timeout with nothing pending returns 0 within the bound.
    std::vector<rx_pkt> buf(2);
    auto t0 = std::chrono::steady_clock::now();
    EXPECT_EQ(io_recv_batch(&io, buf.data(), buf.size(), 50, nullptr), 0);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));

    io_close(&io);
    EXPECT_EQ(io.udp_fd, -1);
    io_close(&io);   // idempotent
}

TEST(IoLoopback, ConcurrentSendsAreAllDelivered)
{
    uint16_t sport = free_port(), cport = free_port();
    ASSERT_NE(sport, 0);
    ASSERT_NE(cport, 0);
    cfg4 cfg{};
    cfg.socket_type = CFG_SOCKET_UDP;
    io_ctx io{};
    char err[256] = "";
    ASSERT_EQ(io_open(&io, &cfg, sport, cport, err, sizeof(err)), 0) << err;
    Fd cli(udp_socket(INADDR_LOOPBACK, cport, nullptr));
    ASSERT_GE(cli.fd, 0);
    int rcv = 1 << 20;
    setsockopt(cli.fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));

    const int kThreads = 4, kEach = 25;
    std::vector<std::thread> ts;
    for (int t = 0; t < kThreads; t++) {
        ts.emplace_back([&, t] {
            for (int i = 0; i < kEach; i++) {
                uint8_t msg[2] = { (uint8_t)t, (uint8_t)i };
                tx_dest d{};
                d.dst_ip = INADDR_LOOPBACK;
                d.dst_port = cport;
                EXPECT_EQ(io_send(&io, &d, msg, sizeof(msg)), 0);
            }
        });
    }
    for (auto &t : ts)
        t.join();
    std::vector<int> seen(kThreads * kEach, 0);
    Got g;
    for (int i = 0; i < kThreads * kEach && udp_recv(cli.fd, 1000, &g); i++) {
        ASSERT_EQ(g.data.size(), 2u);
        ASSERT_LT(g.data[0], kThreads);
        ASSERT_LT(g.data[1], kEach);
        seen[(size_t)(g.data[0] * kEach + g.data[1])]++;
    }
    for (size_t i = 0; i < seen.size(); i++)
        EXPECT_EQ(seen[i], 1) << "message " << i;
    io_close(&io);
}

}  // namespace
