// Unit tests for dora-perf's command line (bench/dora-perf/opts.c): the
// perfdhcp option letters and their checks, with the values each option
// must produce and the combinations that must be refused.

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <string>
#include <unistd.h>
#include <vector>

extern "C" {
#include "bench/dora-perf/opts.h"
}

namespace {

struct Parsed {
    int rc;
    perf_opts o;
    std::string err;
};

Parsed parse(std::initializer_list<const char *> args)
{
    std::vector<std::string> store{"dora-perf"};
    for (const char *a : args)
        store.emplace_back(a);
    std::vector<char *> argv;
    for (auto &s : store)
        argv.push_back(&s[0]);
    argv.push_back(nullptr);
    Parsed p;
    char err[256];
    p.rc = perf_opts_parse(&p.o, (int)store.size(), argv.data(), err, sizeof(err));
    p.err = err;
    return p;
}

uint32_t ip(const char *s)
{
    unsigned a, b, c, d;
    EXPECT_EQ(4, sscanf(s, "%u.%u.%u.%u", &a, &b, &c, &d));
    return a << 24 | b << 16 | c << 8 | d;
}

TEST(PerfOpts, DefaultsAreOneRelayedExchange)
{
    Parsed p = parse({"192.0.2.1"});
    ASSERT_EQ(PERF_OPTS_RUN, p.rc) << p.err;
    EXPECT_EQ(PERF_MODE_RELAY, p.o.mode);
    EXPECT_EQ(ip("192.0.2.1"), p.o.server_addr);
    EXPECT_EQ(1u, p.o.num_clients);
    EXPECT_DOUBLE_EQ(1.0, p.o.drop_time[0]);
    EXPECT_DOUBLE_EQ(1.0, p.o.drop_time[1]);
    const uint8_t base[6] = {0x00, 0x0c, 0x01, 0x02, 0x03, 0x04};  // perfdhcp's default
    EXPECT_EQ(0, memcmp(base, p.o.base_mac, 6));
    EXPECT_EQ(0, p.o.rate);
    // perfdhcp without -r/-n/-p performs a single exchange; we also wait for it.
    EXPECT_TRUE(p.o.ping);
    EXPECT_EQ(1u, p.o.num_request[0]);
    EXPECT_EQ(2000000u, p.o.exit_wait_us);
    EXPECT_EQ(1u, p.o.senders);
}

TEST(PerfOpts, EveryOptionLandsInItsField)
{
    Parsed p = parse({"-4", "-r", "100", "-R", "50", "-n", "10", "-n", "5", "-p", "2.5", "-D", "3",
                      "-D", "10%", "-d", "0.5", "-d", "2", "-l", "127.0.0.1", "-L", "1067", "-N",
                      "1068", "-b", "mac=02::00::00::00::00::01", "-t", "1.5", "-W", "5000", "-s",
                      "42", "-o", "60,646f63736973", "-o", "77,01:02", "-f", "10", "-F", "5", "-u",
                      "-B", "-P", "3", "--json", "--senders", "2", "192.0.2.9"});
    ASSERT_EQ(PERF_OPTS_RUN, p.rc) << p.err;
    const perf_opts &o = p.o;
    EXPECT_DOUBLE_EQ(100, o.rate);
    EXPECT_EQ(50u, o.num_clients);
    EXPECT_EQ(10u, o.num_request[0]);
    EXPECT_EQ(5u, o.num_request[1]);
    EXPECT_DOUBLE_EQ(2.5, o.test_period);
    EXPECT_TRUE(o.max_drop[0].set);
    EXPECT_FALSE(o.max_drop[0].percent);
    EXPECT_DOUBLE_EQ(3, o.max_drop[0].value);
    EXPECT_TRUE(o.max_drop[1].percent);
    EXPECT_DOUBLE_EQ(10, o.max_drop[1].value);
    EXPECT_DOUBLE_EQ(0.5, o.drop_time[0]);
    EXPECT_DOUBLE_EQ(2, o.drop_time[1]);
    EXPECT_FALSE(o.local_is_iface);
    EXPECT_EQ(ip("127.0.0.1"), o.local_addr);
    EXPECT_EQ(1067, o.local_port);
    EXPECT_EQ(1068, o.remote_port);
    const uint8_t mac[6] = {2, 0, 0, 0, 0, 1};
    EXPECT_EQ(0, memcmp(mac, o.base_mac, 6));
    EXPECT_DOUBLE_EQ(1.5, o.report_interval);
    EXPECT_EQ(5000u, o.exit_wait_us);
    EXPECT_EQ(42u, o.seed);
    ASSERT_EQ(2u, o.n_extra);
    EXPECT_EQ(60, o.extra[0].code);
    ASSERT_EQ(6, o.extra[0].len);
    EXPECT_EQ(0, memcmp("docsis", o.extra[0].data, 6));
    EXPECT_EQ(77, o.extra[1].code);
    EXPECT_EQ(2, o.extra[1].len);
    EXPECT_DOUBLE_EQ(10, o.renew_rate);
    EXPECT_DOUBLE_EQ(5, o.release_rate);
    EXPECT_TRUE(o.unique);
    EXPECT_TRUE(o.broadcast_flag);
    EXPECT_EQ(3u, o.preload);
    EXPECT_TRUE(o.json);
    EXPECT_EQ(2u, o.senders);
    EXPECT_FALSE(o.ping);
}

TEST(PerfOpts, OneDropTimeAppliesToBothExchanges)
{
    Parsed p = parse({"-r", "10", "-d", "0.25", "192.0.2.1"});
    ASSERT_EQ(PERF_OPTS_RUN, p.rc) << p.err;
    EXPECT_DOUBLE_EQ(0.25, p.o.drop_time[0]);
    EXPECT_DOUBLE_EQ(0.25, p.o.drop_time[1]);
}

TEST(PerfOpts, BroadcastNeedsAnInterface)
{
    Parsed p = parse({"-l", "lo", "-r", "5", "all"});
    ASSERT_EQ(PERF_OPTS_RUN, p.rc) << p.err;
    EXPECT_EQ(PERF_MODE_BROADCAST, p.o.mode);
    EXPECT_TRUE(p.o.local_is_iface);
    EXPECT_EQ(0xffffffffu, p.o.server_addr);

    // perfdhcp: with -l INTERFACE the server defaults to "all".
    p = parse({"-l", "lo", "-r", "5"});
    ASSERT_EQ(PERF_OPTS_RUN, p.rc) << p.err;
    EXPECT_EQ(PERF_MODE_BROADCAST, p.o.mode);

    p = parse({"-r", "5", "255.255.255.255"});
    EXPECT_EQ(PERF_OPTS_BAD, p.rc);
    EXPECT_NE(std::string::npos, p.err.find("-l INTERFACE")) << p.err;

    // An interface with a server address means "relay from its address".
    p = parse({"-l", "lo", "-r", "5", "192.0.2.1"});
    ASSERT_EQ(PERF_OPTS_RUN, p.rc) << p.err;
    EXPECT_EQ(PERF_MODE_RELAY, p.o.mode);
}

TEST(PerfOpts, RelayListInlineAndFromFile)
{
    Parsed p = parse({"-J", "198.51.100.1,198.51.100.2", "-r", "5", "192.0.2.1"});
    ASSERT_EQ(PERF_OPTS_RUN, p.rc) << p.err;
    ASSERT_EQ(2u, p.o.n_relays);
    EXPECT_EQ(ip("198.51.100.1"), p.o.relays[0]);
    EXPECT_EQ(ip("198.51.100.2"), p.o.relays[1]);

    char path[] = "/tmp/perf-relays-XXXXXX";
    int fd = mkstemp(path);
    ASSERT_GE(fd, 0);
    const char text[] = "# relays\n198.51.100.7\n\n  198.51.100.8  # second\n";
    ASSERT_EQ((ssize_t)strlen(text), write(fd, text, strlen(text)));
    close(fd);
    p = parse({"-J", path, "-r", "5", "192.0.2.1"});
    unlink(path);
    ASSERT_EQ(PERF_OPTS_RUN, p.rc) << p.err;
    ASSERT_EQ(2u, p.o.n_relays);
    EXPECT_EQ(ip("198.51.100.7"), p.o.relays[0]);
    EXPECT_EQ(ip("198.51.100.8"), p.o.relays[1]);
}

TEST(PerfOpts, HelpAndVersion)
{
    EXPECT_EQ(PERF_OPTS_HELP, parse({"-h"}).rc);
    EXPECT_EQ(PERF_OPTS_HELP, parse({"--help"}).rc);
    EXPECT_EQ(PERF_OPTS_VERSION, parse({"-v"}).rc);
    // The help names every option it accepts.
    std::string help = perf_opts_help();
    for (const char *opt : {"-4", "-b", "-B", "-d", "-D", "-f", "-F", "-h", "-i", "-J", "-l", "-L",
                            "-n", "-N", "-o", "-p", "-P", "-r", "-R", "-s", "-t", "-u", "-v", "-W",
                            "--json", "--senders"})
        EXPECT_NE(std::string::npos, help.find(std::string("\n") + opt)) << opt;
}

struct BadCase {
    std::vector<const char *> args;
    const char *mentions;
};

TEST(PerfOpts, BadArgumentsAreRefusedWithAReason)
{
    const std::vector<BadCase> cases = {
        {{"-r", "abc", "192.0.2.1"}, "-r"},
        {{"-r", "-5", "192.0.2.1"}, "-r"},
        {{"-R", "0", "192.0.2.1"}, "-R"},
        {{"-R", "99999999999", "192.0.2.1"}, "-R"},
        {{"-n", "0", "192.0.2.1"}, "-n"},
        {{"-n", "1", "-n", "2", "-n", "3", "192.0.2.1"}, "-n"},
        {{"-p", "0", "192.0.2.1"}, "-p"},
        {{"-D", "0", "192.0.2.1"}, "-D"},
        {{"-D", "150%", "192.0.2.1"}, "-D"},
        {{"-d", "x", "192.0.2.1"}, "-d"},
        {{"-L", "65536", "192.0.2.1"}, "-L"},
        {{"-N", "-1", "192.0.2.1"}, "-N"},
        {{"-b", "mac=00:11:22", "192.0.2.1"}, "-b"},
        {{"-b", "duid=000102030405", "192.0.2.1"}, "DUID"},
        {{"-b", "ip=1.2.3.4", "192.0.2.1"}, "-b"},
        {{"-o", "60", "192.0.2.1"}, "-o"},
        {{"-o", "0,00", "192.0.2.1"}, "-o"},
        {{"-o", "53,01", "192.0.2.1"}, "53"},
        {{"-o", "60,xyz", "192.0.2.1"}, "-o"},
        {{"-f", "5", "192.0.2.1"}, "-r"},
        {{"-r", "10", "-f", "6", "-F", "5", "192.0.2.1"}, "exceed"},
        {{"-i", "-r", "10", "-f", "1", "192.0.2.1"}, "-i"},
        {{"-6", "192.0.2.1"}, "-6"},
        {{"-T", "file", "192.0.2.1"}, "-T"},
        {{"-x", "i", "192.0.2.1"}, "-x"},
        {{"-g", "single", "192.0.2.1"}, "-g"},
        {{"-e", "prefix-only", "192.0.2.1"}, "-e"},
        {{"--scenario", "avalanche", "192.0.2.1"}, "avalanche"},
        {{"--senders", "9", "192.0.2.1"}, "--senders"},
        {{"-l", "no-such-if0", "192.0.2.1"}, "no-such-if0"},
        {{"-J", "/nonexistent/relays", "192.0.2.1"}, "-J"},
        {{"-J", "198.51.100.1", "-l", "lo", "all"}, "-J"},
        {{"-W", "x", "192.0.2.1"}, "-W"},
        {{"-Z", "192.0.2.1"}, "-Z"},
        {{"--bogus", "192.0.2.1"}, "--bogus"},
        {{"-r"}, "-r"},
        {{"-r", "10"}, "server"},
        {{"192.0.2.1", "192.0.2.2"}, "more than one"},
        {{"not-an-address"}, "not-an-address"},
    };
    for (const auto &c : cases) {
        std::vector<std::string> store{"dora-perf"};
        for (const char *a : c.args)
            store.emplace_back(a);
        std::vector<char *> argv;
        for (auto &s : store)
            argv.push_back(&s[0]);
        argv.push_back(nullptr);
        perf_opts o;
        char err[256];
        int rc = perf_opts_parse(&o, (int)store.size(), argv.data(), err, sizeof(err));
        std::string joined;
        for (const char *a : c.args)
            joined += std::string(a) + " ";
        EXPECT_EQ(PERF_OPTS_BAD, rc) << joined;
        EXPECT_NE(std::string::npos, std::string(err).find(c.mentions)) << joined << "-> " << err;
    }
}

TEST(PerfOpts, ExchangeNamesArePerfdhcps)
{
    EXPECT_STREQ("DISCOVER-OFFER", perf_xtype_name(PX_DO));
    EXPECT_STREQ("REQUEST-ACK", perf_xtype_name(PX_RA));
    EXPECT_STREQ("REQUEST-ACK (renewal)", perf_xtype_name(PX_RENEW));
    EXPECT_STREQ("RELEASE", perf_xtype_name(PX_RELEASE));
}

}  // namespace
