// statistic-* command handlers, called as the control channel's dispatcher
// will: through ctrl_cmds_stats, with a real ctrl_env (memfile store on a
// temporary file, a configuration parsed by cfg4_parse) and JSON arguments.
#include <gtest/gtest.h>

#include <json-c/json.h>
#include <string>
#include <unistd.h>

extern "C" {
#include "alloc/alloc_engine.h"
#include "backends/memfile/memfile.h"
#include "server/ctrl_cmd.h"
#include "server/stats.h"
#include "server/stats_registry.h"
}

static const char *kConfig = R"({"Dhcp4": { "valid-lifetime": 600,
  "subnet4": [ { "id": 8801, "subnet": "192.0.2.0/24",
                 "pools": [ { "pool": "192.0.2.10 - 192.0.2.19" },
                            { "pool": "192.0.2.40 - 192.0.2.44", "pool-id": 2 } ] } ] }})";

static const struct cfg4 *acquire(struct ctrl_env *env, void **ref)
{
    *ref = nullptr;
    return static_cast<const struct cfg4 *>(env->server);
}
static void release(struct ctrl_env *, void *) {}

class CmdStats : public ::testing::Test {
protected:
    struct cfg4 *cfg = nullptr;
    struct ctrl_env env = {};
    char path[64] = "/tmp/dora-cmd-stats-XXXXXX";

    void SetUp() override
    {
        char err[512];
        ASSERT_EQ(0, cfg4_parse(kConfig, "test", &cfg, err, sizeof(err))) << err;
        stats_config_applied(cfg);
        int fd = mkstemp(path);
        ASSERT_GE(fd, 0);
        close(fd);
        struct memfile_params mp = {};
        mp.path = path;
        mp.persist = true;
        struct memfile_load_stats ls;
        ASSERT_EQ(0, memfile_open(&mp, &env.store, &ls, err, sizeof(err))) << err;
        env.started = time(nullptr);
        env.server = cfg;
        env.cfg_acquire = acquire;
        env.cfg_release = release;
    }
    void TearDown() override
    {
        if (env.store)
            env.store->ops->close(env.store);
        unlink(path);
        cfg4_free(cfg);
    }
    // Run a command; returns the result code, the answer in *ans.
    int run(const char *cmd, const char *args_json, struct ctrl_answer *ans)
    {
        *ans = {};
        struct json_object *args = args_json ? json_tokener_parse(args_json) : nullptr;
        if (args_json) {
            EXPECT_NE(nullptr, args) << args_json;
        }
        for (const struct ctrl_cmd *c = ctrl_cmds_stats; c->name; c++)
            if (!strcmp(c->name, cmd)) {
                c->fn(&env, args, ans);
                json_object_put(args);
                return ans->result;
            }
        json_object_put(args);
        ADD_FAILURE() << "no handler for " << cmd;
        return -1;
    }
    void lease(uint8_t i)
    {
        uint8_t hw[6] = {2, 0, 0, 0, 0x88, i};
        struct alloc_req r = {};
        r.cfg = cfg;
        r.subnet = &cfg->subnets[0];
        r.client.hw = hw;
        r.client.hwlen = 6;
        r.valid_lft = 600;
        r.now = time(nullptr);
        struct lease4 l;
        ASSERT_EQ(ALLOC_OK, alloc_request(env.store, &r, nullptr, nullptr, &l));
        env.store->ops->flush(env.store);
    }
};

static int64_t newest(struct json_object *args, const char *name, size_t *n_samples = nullptr)
{
    struct json_object *s;
    if (!args || !json_object_object_get_ex(args, name, &s))
        return INT64_MIN;
    if (n_samples)
        *n_samples = json_object_array_length(s);
    return json_object_get_int64(json_object_array_get_idx(json_object_array_get_idx(s, 0), 0));
}

TEST_F(CmdStats, TableHasKeasCommands)
{
    const char *want[] = {"statistic-get", "statistic-get-all", "statistic-reset",
                          "statistic-reset-all", "statistic-remove", "statistic-remove-all",
                          "statistic-sample-age-set", "statistic-sample-age-set-all",
                          "statistic-sample-count-set", "statistic-sample-count-set-all"};
    for (const char *w : want) {
        bool found = false;
        for (const struct ctrl_cmd *c = ctrl_cmds_stats; c->name; c++)
            found |= !strcmp(c->name, w);
        EXPECT_TRUE(found) << w;
    }
}

TEST_F(CmdStats, GetReportsLeasesAndPools)
{
    struct ctrl_answer a;
    lease(1);
    lease(2);
    lease(3);
    ASSERT_EQ(0, run("statistic-get", R"({"name": "subnet[8801].assigned-addresses"})", &a));
    EXPECT_EQ(3, newest(a.args, "subnet[8801].assigned-addresses"));
    json_object_put(a.args);
    ASSERT_EQ(0, run("statistic-get", R"({"name": "subnet[8801].total-addresses"})", &a));
    EXPECT_EQ(15, newest(a.args, "subnet[8801].total-addresses"));
    json_object_put(a.args);
    ASSERT_EQ(0, run("statistic-get", R"({"name": "subnet[8801].pool[2].total-addresses"})", &a));
    EXPECT_EQ(5, newest(a.args, "subnet[8801].pool[2].total-addresses"));
    json_object_put(a.args);

    ASSERT_EQ(0, run("statistic-get-all", nullptr, &a));
    EXPECT_EQ(3, newest(a.args, "subnet[8801].pool[0].assigned-addresses"));
    EXPECT_EQ(3, newest(a.args, "subnet[8801].pool[0].cumulative-assigned-addresses"));
    EXPECT_NE(INT64_MIN, newest(a.args, "pkt4-received"));
    EXPECT_NE(INT64_MIN, newest(a.args, "pkt4-receive-drop"));
    EXPECT_NE(INT64_MIN, newest(a.args, "pkt4-parse-failed"));
    json_object_put(a.args);
}

TEST_F(CmdStats, Errors)
{
    struct ctrl_answer a;
    EXPECT_EQ(1, run("statistic-get", nullptr, &a));
    EXPECT_STREQ("Missing mandatory 'name' parameter.", a.text);
    EXPECT_EQ(1, run("statistic-get", R"({"name": 5})", &a));
    EXPECT_STREQ("'name' parameter expected to be a string.", a.text);
    EXPECT_EQ(1, run("statistic-reset", R"({})", &a));
    EXPECT_EQ(1, run("statistic-remove", R"([1, 2])", &a));
    // Kea: an unknown name is an empty answer for get, an error otherwise.
    ASSERT_EQ(0, run("statistic-get", R"({"name": "foo"})", &a));
    ASSERT_NE(nullptr, a.args);
    EXPECT_EQ(0, json_object_object_length(a.args));
    json_object_put(a.args);
    EXPECT_EQ(1, run("statistic-reset", R"({"name": "foo"})", &a));
    EXPECT_STREQ("No 'foo' statistic found", a.text);
    EXPECT_EQ(1, run("statistic-remove", R"({"name": "subnet[4242].assigned-addresses"})", &a));
    EXPECT_EQ(1, run("statistic-sample-count-set", R"({"name": "pkt4-received"})", &a));
    EXPECT_STREQ("Missing mandatory 'max-samples' parameter.", a.text);
    EXPECT_EQ(1, run("statistic-sample-count-set", R"({"name": "pkt4-received", "max-samples": 0})", &a));
    EXPECT_EQ(1, run("statistic-sample-count-set", R"({"name": "pkt4-received", "max-samples": "3"})", &a));
    EXPECT_EQ(1, run("statistic-sample-age-set", R"({"name": "pkt4-received", "duration": -1})", &a));
    EXPECT_EQ(1, run("statistic-sample-age-set", R"({"name": "nope", "duration": 5})", &a));
    EXPECT_EQ(1, run("statistic-sample-age-set-all", R"({"duration": true})", &a));
    EXPECT_EQ(1, run("statistic-sample-count-set-all", nullptr, &a));
}

TEST_F(CmdStats, ResetRemoveAndLimits)
{
    struct ctrl_answer a;
    lease(10);
    ASSERT_EQ(0, run("statistic-reset", R"({"name": "subnet[8801].cumulative-assigned-addresses"})", &a));
    EXPECT_STREQ("Statistic 'subnet[8801].cumulative-assigned-addresses' reset.", a.text);
    lease(11);
    ASSERT_EQ(0, run("statistic-get", R"({"name": "subnet[8801].cumulative-assigned-addresses"})", &a));
    EXPECT_EQ(1, newest(a.args, "subnet[8801].cumulative-assigned-addresses"));
    json_object_put(a.args);

    ASSERT_EQ(0, run("statistic-sample-count-set", R"({"name": "pkt4-ack-sent", "max-samples": 2})", &a));
    for (int i = 0; i < 4; i++) {
        stats_inc(STAT_PKT4_ACK_SENT);
        stats_reg_tick();
    }
    size_t n = 0;
    ASSERT_EQ(0, run("statistic-get", R"({"name": "pkt4-ack-sent"})", &a));
    newest(a.args, "pkt4-ack-sent", &n);
    EXPECT_EQ(2u, n);
    json_object_put(a.args);

    ASSERT_EQ(0, run("statistic-reset-all", nullptr, &a));
    ASSERT_EQ(0, run("statistic-get", R"({"name": "subnet[8801].assigned-addresses"})", &a));
    EXPECT_EQ(0, newest(a.args, "subnet[8801].assigned-addresses"));
    json_object_put(a.args);

    ASSERT_EQ(0, run("statistic-remove-all", nullptr, &a));
    ASSERT_EQ(0, run("statistic-get-all", nullptr, &a));
    EXPECT_EQ(INT64_MIN, newest(a.args, "pkt4-ack-sent"));
    json_object_put(a.args);
    ASSERT_EQ(0, run("statistic-sample-count-set-all", R"({"max-samples": 20})", &a));
    ASSERT_EQ(0, run("statistic-sample-age-set-all", R"({"duration": 0})", &a));
    ASSERT_EQ(0, run("statistic-sample-count-set-all", R"({"max-samples": 20})", &a));
    // Everything comes back on its next update.
    lease(12);
    ASSERT_EQ(0, run("statistic-get", R"({"name": "subnet[8801].pool[0].assigned-addresses"})", &a));
    EXPECT_EQ(1, newest(a.args, "subnet[8801].pool[0].assigned-addresses"));
    json_object_put(a.args);
}
