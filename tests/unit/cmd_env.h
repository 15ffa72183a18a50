// A real ctrl_env for the command tests: the running config (parsed from
// JSON, swapped by cfg_apply exactly as a reload would: an invalid config
// is refused and the old one kept), a real lease store opened from it
// through the factory, and the hosts-databases it names.
#ifndef DORA_TESTS_UNIT_CMD_ENV_H
#define DORA_TESTS_UNIT_CMD_ENV_H

#include <gtest/gtest.h>

#include <cstring>
#include <ostream>
#include <sstream>
#include <string>

extern "C" {
#include "backends/store_factory.h"
#include "server/ctrl_cmd.h"
}

struct CmdEnv {
    ctrl_env env{};
    cfg4 *cfg = nullptr;
    be_host_store *hosts[4] = {};
    int applies = 0;

    static const cfg4 *acquire(ctrl_env *e, void **ref)
    {
        *ref = nullptr;
        return static_cast<CmdEnv *>(e->server)->cfg;
    }
    static void release(ctrl_env *, void *) {}
    static int apply(ctrl_env *e, const char *text, char *err, size_t errlen)
    {
        CmdEnv *self = static_cast<CmdEnv *>(e->server);
        cfg4 *n = nullptr;
        if (cfg4_parse(text, "config-set", &n, err, errlen) != 0)
            return -1;
        cfg4_free(self->cfg);
        self->cfg = n;
        self->applies++;
        return 0;
    }

    // Parse the config and open its stores; false with a test failure.
    bool open(const std::string &text, bool with_lease_store = true)
    {
        char err[1024] = "";
        if (cfg4_parse(text.c_str(), "test", &cfg, err, sizeof(err)) != 0) {
            ADD_FAILURE() << "config: " << err;
            return false;
        }
        env.server = this;
        env.cfg_acquire = acquire;
        env.cfg_release = release;
        env.cfg_apply = apply;
        if (with_lease_store && lease_store_open(cfg, &env.store, err, sizeof(err)) != 0) {
            ADD_FAILURE() << "lease store: " << err;
            return false;
        }
        for (size_t i = 0; i < cfg->n_hosts_dbs && i < 4; i++) {
            if (host_store_open(cfg, i, &hosts[i], err, sizeof(err)) != 0) {
                ADD_FAILURE() << "hosts-database " << i << ": " << err;
                return false;
            }
            env.n_host_stores = i + 1;
        }
        env.host_stores = hosts;
        return true;
    }

    ~CmdEnv()
    {
        if (env.store != nullptr)
            env.store->ops->close(env.store);
        for (size_t i = 0; i < env.n_host_stores; i++)
            hosts[i]->ops->close(hosts[i]);
        cfg4_free(cfg);
    }

    // Run a command from the named table; the answer's args are owned by
    // the caller (json_object_put), as the dispatcher would.
    ctrl_answer run(const ctrl_cmd *table, const char *name, const char *args_json)
    {
        ctrl_answer a;
        memset(&a, 0, sizeof(a));
        a.result = -1;
        json_object *args = args_json ? json_tokener_parse(args_json) : nullptr;
        if (args_json != nullptr && args == nullptr)
            ADD_FAILURE() << "test JSON does not parse: " << args_json;
        for (const ctrl_cmd *c = table; c->name != nullptr; c++)
            if (strcmp(c->name, name) == 0)
                c->fn(&env, args, &a);
        json_object_put(args);
        EXPECT_NE(-1, a.result) << name << " is not in the table";
        return a;
    }
};

// A database the command suites run against: type, and the variable holding
// its connection ("host=.. port=.. user=.. password=.. name=..").
struct Backend {
    const char *type;
    const char *env;
};

inline void PrintTo(const Backend &b, std::ostream *os) { *os << b.type; }

// "k=v k=v" -> lease-database / hosts-database JSON members.
inline std::string conn_members(const char *spec)
{
    std::istringstream in(spec);
    std::string kv, out;
    while (in >> kv) {
        size_t eq = kv.find('=');
        if (eq == std::string::npos)
            continue;
        std::string k = kv.substr(0, eq), v = kv.substr(eq + 1);
        out += k == "port" ? ", \"port\": " + v : ", \"" + k + "\": \"" + v + "\"";
    }
    return out;
}

// Owns an answer's args for the test's scope.
struct Answer {
    ctrl_answer a;
    explicit Answer(const ctrl_answer &x) : a(x) {}
    ~Answer() { json_object_put(a.args); }
    json_object *arg(const char *k) const
    {
        json_object *v = nullptr;
        return a.args && json_object_object_get_ex(a.args, k, &v) ? v : nullptr;
    }
    std::string str(const char *k) const
    {
        json_object *v = arg(k);
        return v ? json_object_get_string(v) : "<absent>";
    }
};

#endif
