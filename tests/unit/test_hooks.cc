// Hook manager: loader refusals (missing file, foreign ABI, MT-incompatible),
// load/unload with parameters, command_processed dispatch and parking.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>

extern "C" {
#include "hooks/hooks_mgr.h"
#include "server/cfg.h"
}

namespace {

std::string lib(const char *name)
{
    return std::string(DORA_ABS_BUILDDIR) + "/tests/hooks/" + name;
}

struct Cfg {
    cfg4 *cfg = nullptr;
    char err[1024] = "";
    explicit Cfg(const std::string &hooks, const std::string &extra = "")
    {
        std::string text = "{ \"Dhcp4\": { " + extra + " \"hooks-libraries\": " + hooks +
                           ", \"subnet4\": [ { \"id\": 1, \"subnet\": \"192.0.2.0/24\" } ] } }";
        if (cfg4_parse(text.c_str(), "test", &cfg, err, sizeof(err)) != 0)
            cfg = nullptr;
    }
    ~Cfg() { cfg4_free(cfg); }
};

std::string slurp(const std::string &path)
{
    std::ifstream f(path);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

TEST(Hooks, ConfigParsesLibrariesAndLimit)
{
    Cfg c("[ { \"library\": \"/x/a.so\", \"parameters\": { \"k\": [1, 2] } }, { \"library\": \"b.so\" } ]",
          "\"parked-packet-limit\": 3,");
    ASSERT_NE(c.cfg, nullptr) << c.err;
    ASSERT_EQ(c.cfg->n_hook_libs, 2u);
    EXPECT_STREQ(c.cfg->hook_libs[0].library, "/x/a.so");
    EXPECT_STREQ(c.cfg->hook_libs[0].params_json, "{\"k\":[1,2]}");
    EXPECT_STREQ(c.cfg->hook_libs[1].params_json, "{}");
    EXPECT_EQ(c.cfg->parked_packet_limit, 3u);
    Cfg d("[]");
    ASSERT_NE(d.cfg, nullptr);
    EXPECT_EQ(d.cfg->parked_packet_limit, 256u);   // Kea's default
}

TEST(Hooks, ConfigErrorsCarryTheJsonPath)
{
    Cfg a("[ { \"library\": \"a.so\" }, { \"library\": 5 } ]");
    EXPECT_EQ(a.cfg, nullptr);
    EXPECT_NE(strstr(a.err, "Dhcp4.hooks-libraries[1].library"), nullptr) << a.err;
    Cfg b("[ { \"library\": \"a.so\", \"parameters\": [] } ]");
    EXPECT_EQ(b.cfg, nullptr);
    EXPECT_NE(strstr(b.err, "Dhcp4.hooks-libraries[0].parameters"), nullptr) << b.err;
    Cfg c("[ { \"library\": \"a.so\", \"libary\": \"typo\" } ]");
    EXPECT_EQ(c.cfg, nullptr);
    EXPECT_NE(strstr(c.err, "Dhcp4.hooks-libraries[0]"), nullptr) << c.err;
}

TEST(Hooks, MissingLibraryIsRefusedWithDlerror)
{
    Cfg c("[ { \"library\": \"/nonexistent/none.so\" } ]");
    ASSERT_NE(c.cfg, nullptr) << c.err;
    hooks_set *h = reinterpret_cast<hooks_set *>(1);
    char err[1024];
    EXPECT_EQ(hooks_load(c.cfg, &h, err, sizeof(err)), -1);
    EXPECT_EQ(h, nullptr);
    EXPECT_NE(strstr(err, "Dhcp4.hooks-libraries[0]: cannot load hook library /nonexistent/none.so: "),
              nullptr) << err;
    EXPECT_NE(strstr(err, "No such file"), nullptr) << err;
    EXPECT_EQ(hooks_validate(c.cfg, err, sizeof(err)), -1);
}

TEST(Hooks, ForeignAbiVersionIsRefusedWithoutLoading)
{
    Cfg c("[ { \"library\": \"" + lib("dora_test_badabi.so") + "\" } ]");
    ASSERT_NE(c.cfg, nullptr) << c.err;
    hooks_set *h;
    char err[1024];
    EXPECT_EQ(hooks_load(c.cfg, &h, err, sizeof(err)), -1);   // load() would trap
    std::string want = "hook library " + lib("dora_test_badabi.so") +
                       " has ABI version 99, this dorad needs ABI version " +
                       std::to_string(DORA_HOOKS_ABI_VERSION);
    EXPECT_NE(strstr(err, want.c_str()), nullptr) << err;
}

TEST(Hooks, MtIncompatibleRefusedOnlyWithMultiThreading)
{
    std::string hooks = "[ { \"library\": \"" + lib("dora_test_mtunsafe.so") + "\" } ]";
    Cfg on(hooks);
    ASSERT_NE(on.cfg, nullptr) << on.err;
    char err[1024];
    EXPECT_EQ(hooks_validate(on.cfg, err, sizeof(err)), -1);
    EXPECT_NE(strstr(err, "is not compatible with multi threading"), nullptr) << err;
    Cfg off(hooks, "\"multi-threading\": { \"enable-multi-threading\": false },");
    ASSERT_NE(off.cfg, nullptr) << off.err;
    EXPECT_EQ(hooks_validate(off.cfg, err, sizeof(err)), 0) << err;
}

TEST(Hooks, LoadRegistersCalloutsAndUnloadRunsOnLastRelease)
{
    char path[] = "/tmp/dora-unit-hooks-XXXXXX";
    int fd = mkstemp(path);
    ASSERT_GE(fd, 0);
    close(fd);
    Cfg c("[ { \"library\": \"" + lib("dora_test_hook.so") + "\", \"parameters\": { \"log\": \"" +
          path + "\" } } ]");
    ASSERT_NE(c.cfg, nullptr) << c.err;
    hooks_set *h = nullptr;
    char err[1024];
    ASSERT_EQ(hooks_load(c.cfg, &h, err, sizeof(err)), 0) << err;
    ASSERT_NE(h, nullptr);
    for (int p = 0; p < DORA_HOOK_POINTS; p++)
        EXPECT_TRUE(hooks_on(h, (enum dora_hook_point)p)) << p;
    EXPECT_FALSE(hooks_on(nullptr, DORA_HOOK_PKT4_RECEIVE));
    c.cfg->hooks = h;

    char *resp = strdup("{\"result\":0}");
    hooks_command_processed(c.cfg, "status-get", "{}", &resp);
    EXPECT_STREQ(resp, "{\"result\":0}");
    free(resp);

    hooks_acquire(h);
    hooks_release(h);
    EXPECT_EQ(slurp(path).find("unload"), std::string::npos);   // still referenced
    hooks_release(h);
    c.cfg->hooks = nullptr;
    std::string log = slurp(path);
    EXPECT_NE(log.find("load\n"), std::string::npos) << log;
    EXPECT_NE(log.find("command_processed command=status-get"), std::string::npos) << log;
    EXPECT_NE(log.find("unload\n"), std::string::npos) << log;
    unlink(path);
}

TEST(Hooks, LoadFailureNamesTheLibraryAndUnloadsEarlierOnes)
{
    char path[] = "/tmp/dora-unit-hooks-XXXXXX";
    int fd = mkstemp(path);
    ASSERT_GE(fd, 0);
    close(fd);
    // The second library's load() fails: no "log" parameter.
    Cfg c("[ { \"library\": \"" + lib("dora_test_hook.so") + "\", \"parameters\": { \"log\": \"" +
          path + "\" } }, { \"library\": \"" + lib("dora_test_hook.so") + "\" } ]");
    ASSERT_NE(c.cfg, nullptr) << c.err;
    hooks_set *h;
    char err[1024];
    EXPECT_EQ(hooks_load(c.cfg, &h, err, sizeof(err)), -1);
    EXPECT_NE(strstr(err, "Dhcp4.hooks-libraries[1]: hook library"), nullptr) << err;
    EXPECT_NE(strstr(err, "parameter 'log'"), nullptr) << err;
    std::string log = slurp(path);
    EXPECT_NE(log.find("unload"), std::string::npos) << log;   // the first one was unloaded
    unlink(path);
}

}  // namespace
