/*
 * The server's own control commands (Kea ARM §19.4): list-commands,
 * version-get, build-report, status-get, config-get/-test/-set/-reload/
 * -write, shutdown, dhcp-disable/-enable, leases-reclaim. They act on the
 * server only through struct ctrl_env; config-write is in cmd_config_write.c.
 */
#include "server/ctrl_cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc/alloc_engine.h"
#include "server/cmd_server.h"
#include "server/version.h"

static void list_commands(struct ctrl_env *env, struct json_object *args, struct ctrl_answer *ans)
{
    (void)env;
    (void)args;
    struct json_object *a = json_object_new_array();
    for (const struct ctrl_cmd *const *t = ctrl_cmd_tables; *t; t++)
        for (const struct ctrl_cmd *c = *t; c->name; c++)
            json_object_array_add(a, json_object_new_string(c->name));
    ans->args = a;
    ctrl_answer_set(ans, CTRL_SUCCESS, "%zu commands supported", json_object_array_length(a));
}

static void version_get(struct ctrl_env *env, struct json_object *args, struct ctrl_answer *ans)
{
    (void)env;
    (void)args;
    ans->args = json_object_new_object();
    json_object_object_add(ans->args, "extended", json_object_new_string(dora_version_extended()));
    ctrl_answer_set(ans, CTRL_SUCCESS, "%s", dora_version());
}

static void build_report(struct ctrl_env *env, struct json_object *args, struct ctrl_answer *ans)
{
    (void)env;
    (void)args;
    ctrl_answer_set(ans, CTRL_SUCCESS, "%s", dora_build_report());
}

static void status_get(struct ctrl_env *env, struct json_object *args, struct ctrl_answer *ans)
{
    (void)args;
    void *ref;
    const struct cfg4 *cfg = env->cfg_acquire(env, &ref);
    time_t now = time(NULL);
    struct json_object *a = json_object_new_object();
    json_object_object_add(a, "pid", json_object_new_int64(getpid()));
    json_object_object_add(a, "uptime", json_object_new_int64(now - env->started));
    json_object_object_add(a, "reload",
                           json_object_new_int64(now - __atomic_load_n(&env->reloaded, __ATOMIC_ACQUIRE)));
    json_object_object_add(a, "multi-threading-enabled", json_object_new_boolean(cfg->mt.enable));
    if (cfg->mt.enable) {
        json_object_object_add(a, "thread-pool-size", json_object_new_int64(env->thread_pool_size));
        json_object_object_add(a, "packet-queue-size", json_object_new_int64((int64_t)env->packet_queue_size));
    }
    env->cfg_release(env, ref);
    bool disabled = env->dhcp_disabled && __atomic_load_n(env->dhcp_disabled, __ATOMIC_ACQUIRE);
    time_t until = __atomic_load_n(&env->dhcp_enable_at, __ATOMIC_ACQUIRE);
    struct json_object *st = json_object_new_object();
    json_object_object_add(st, "globally-disabled", json_object_new_boolean(disabled));
    if (disabled && until)
        json_object_object_add(st, "disabled-for", json_object_new_int64(until > now ? until - now : 0));
    json_object_object_add(a, "dhcp-state", st);
    struct json_object *so = json_object_new_object();
    json_object_object_add(so, "status", json_object_new_string("ready"));
    json_object_object_add(a, "sockets", so);
    ans->args = a;
    ctrl_answer_set(ans, CTRL_SUCCESS, "%s", "");
}

/* Kea's redaction: any member named like a password or secret. */
static void redact(struct json_object *o)
{
    if (json_object_is_type(o, json_type_array)) {
        for (size_t i = 0; i < json_object_array_length(o); i++)
            redact(json_object_array_get_idx(o, i));
        return;
    }
    if (!json_object_is_type(o, json_type_object))
        return;
    json_object_object_foreach(o, key, val) {
        if ((strstr(key, "password") || strstr(key, "secret")) &&
            json_object_is_type(val, json_type_string))
            json_object_object_add(o, key, json_object_new_string("*****"));
        else
            redact(val);
    }
}

struct json_object *cmd_running_config(struct ctrl_env *env)
{
    void *ref;
    const struct cfg4 *cfg = env->cfg_acquire(env, &ref);
    struct json_object *c = json_tokener_parse(cfg->json_text);
    env->cfg_release(env, ref);
    return c;
}

static void config_get(struct ctrl_env *env, struct json_object *args, struct ctrl_answer *ans)
{
    (void)args;
    struct json_object *c = cmd_running_config(env);
    if (!c) {
        ctrl_answer_set(ans, CTRL_ERROR, "cannot render the running configuration");
        return;
    }
    redact(c);
    ans->args = c;
    ctrl_answer_set(ans, CTRL_SUCCESS, "%s", "");
}

/* The arguments of config-test / config-set: a map holding "Dhcp4". */
static const char *config_text(struct json_object *args, struct ctrl_answer *ans)
{
    struct json_object *d;
    if (!args) {
        ctrl_answer_set(ans, CTRL_ERROR, "missing mandatory 'arguments' parameter");
        return NULL;
    }
    if (!json_object_object_get_ex(args, "Dhcp4", &d)) {
        ctrl_answer_set(ans, CTRL_ERROR, "missing mandatory 'Dhcp4' parameter");
        return NULL;
    }
    if (!json_object_is_type(d, json_type_object)) {
        ctrl_answer_set(ans, CTRL_ERROR, "'Dhcp4' parameter expected to be a map");
        return NULL;
    }
    return json_object_to_json_string_ext(args, JSON_C_TO_STRING_PLAIN);
}

static void config_test(struct ctrl_env *env, struct json_object *args, struct ctrl_answer *ans)
{
    (void)env;
    char err[CTRL_TEXT_MAX];
    struct cfg4 *cfg;
    const char *text = config_text(args, ans);
    if (!text)
        return;
    if (cfg4_parse(text, "<config-test>", &cfg, err, sizeof(err)) != 0) {
        ctrl_answer_set(ans, CTRL_ERROR, "%s", err);
        return;
    }
    cfg4_free(cfg);
    ctrl_answer_set(ans, CTRL_SUCCESS, "Configuration seems sane.");
}

static void config_set(struct ctrl_env *env, struct json_object *args, struct ctrl_answer *ans)
{
    char err[CTRL_TEXT_MAX];
    const char *text = config_text(args, ans);
    if (!text)
        return;
    if (env->cfg_apply(env, text, err, sizeof(err)) != 0) {
        ctrl_answer_set(ans, CTRL_ERROR, "%s", err);
        return;
    }
    ctrl_answer_set(ans, CTRL_SUCCESS, "Configuration successful.");
}

static void config_reload(struct ctrl_env *env, struct json_object *args, struct ctrl_answer *ans)
{
    (void)args;
    char err[CTRL_TEXT_MAX];
    if (env->cfg_reload(env, err, sizeof(err)) != 0) {
        ctrl_answer_set(ans, CTRL_ERROR, "%s", err);
        return;
    }
    ctrl_answer_set(ans, CTRL_SUCCESS, "Configuration successful.");
}

static void shutdown_cmd(struct ctrl_env *env, struct json_object *args, struct ctrl_answer *ans)
{
    struct json_object *v;
    int status = 0;
    if (args && json_object_object_get_ex(args, "exit-value", &v)) {
        if (!json_object_is_type(v, json_type_int)) {
            ctrl_answer_set(ans, CTRL_ERROR, "parameter 'exit-value' is not an integer");
            return;
        }
        int64_t x = json_object_get_int64(v);
        if (x < 0 || x > 255) {
            ctrl_answer_set(ans, CTRL_ERROR, "parameter 'exit-value' must be 0 to 255");
            return;
        }
        status = (int)x;
    }
    env->shutdown(env, status);
    ctrl_answer_set(ans, CTRL_SUCCESS, "Shutting down.");
}

/* origin / origin-id (§19.4.11): only the user origin is known to dora. */
static bool check_origin(struct json_object *args, struct ctrl_answer *ans)
{
    struct json_object *v;
    if (!args)
        return true;
    if (json_object_object_get_ex(args, "origin-id", &v)) {
        if (!json_object_is_type(v, json_type_int)) {
            ctrl_answer_set(ans, CTRL_ERROR, "'origin-id' argument must be a number");
            return false;
        }
        return true;
    }
    if (json_object_object_get_ex(args, "origin", &v) &&
        !json_object_is_type(v, json_type_string) && !json_object_is_type(v, json_type_int)) {
        ctrl_answer_set(ans, CTRL_ERROR, "'origin' argument must be a string");
        return false;
    }
    return true;
}

static void dhcp_disable(struct ctrl_env *env, struct json_object *args, struct ctrl_answer *ans)
{
    struct json_object *v;
    int64_t period = 0;
    if (!check_origin(args, ans))
        return;
    if (args && json_object_object_get_ex(args, "max-period", &v)) {
        if (!json_object_is_type(v, json_type_int) || (period = json_object_get_int64(v)) <= 0) {
            ctrl_answer_set(ans, CTRL_ERROR, "'max-period' must be a positive integer");
            return;
        }
    }
    __atomic_store_n(&env->dhcp_enable_at, period ? time(NULL) + (time_t)period : 0, __ATOMIC_RELEASE);
    __atomic_store_n(env->dhcp_disabled, 1, __ATOMIC_RELEASE);
    if (period)
        ctrl_answer_set(ans, CTRL_SUCCESS, "DHCPv4 service disabled for %lld seconds",
                        (long long)period);
    else
        ctrl_answer_set(ans, CTRL_SUCCESS, "DHCPv4 service disabled");
}

static void dhcp_enable(struct ctrl_env *env, struct json_object *args, struct ctrl_answer *ans)
{
    if (!check_origin(args, ans))
        return;
    __atomic_store_n(&env->dhcp_enable_at, 0, __ATOMIC_RELEASE);
    __atomic_store_n(env->dhcp_disabled, 0, __ATOMIC_RELEASE);
    ctrl_answer_set(ans, CTRL_SUCCESS, "DHCP service successfully enabled");
}

static void leases_reclaim(struct ctrl_env *env, struct json_object *args, struct ctrl_answer *ans)
{
    struct json_object *v;
    if (!args || !json_object_object_get_ex(args, "remove", &v)) {
        ctrl_answer_set(ans, CTRL_ERROR, "'remove' parameter is mandatory");
        return;
    }
    if (!json_object_is_type(v, json_type_boolean)) {
        ctrl_answer_set(ans, CTRL_ERROR, "'remove' parameter must be a boolean");
        return;
    }
    void *ref;
    const struct cfg4 *cur = env->cfg_acquire(env, &ref);
    /* The same pass as the reclaim timer, but for every expired lease, and
     * with affinity (keep as expired-reclaimed) chosen by 'remove'. */
    struct cfg4 cfg = *cur;
    if (json_object_get_boolean(v)) {
        cfg.expired.hold_reclaimed_time = 0;
    } else {
        if (!cfg.expired.hold_reclaimed_time)
            cfg.expired.hold_reclaimed_time = 1;
        if (!cfg.expired.flush_reclaimed_timer_wait_time)
            cfg.expired.flush_reclaimed_timer_wait_time = 1;
    }
    int n = alloc_reclaim(env->store, &cfg, time(NULL), 0, 0);
    env->cfg_release(env, ref);
    ans->args = json_object_new_object();
    json_object_object_add(ans->args, "reclaimed", json_object_new_int(n));
    ctrl_answer_set(ans, CTRL_SUCCESS, "Reclamation of expired leases is complete.");
}

const struct ctrl_cmd ctrl_cmds_server[] = {
    { "build-report", build_report },
    { "config-get", config_get },
    { "config-reload", config_reload },
    { "config-set", config_set },
    { "config-test", config_test },
    { "config-write", cmd_config_write },
    { "dhcp-disable", dhcp_disable },
    { "dhcp-enable", dhcp_enable },
    { "leases-reclaim", leases_reclaim },
    { "list-commands", list_commands },
    { "shutdown", shutdown_cmd },
    { "status-get", status_get },
    { "version-get", version_get },
    { NULL, NULL },
};
