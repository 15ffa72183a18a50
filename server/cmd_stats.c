/*
 * statistic-* commands (spec kea-hooks-api-ha-tools.md §14, Kea's stats_mgr
 * answers): get, get-all, reset(-all), remove(-all), sample-age-set(-all),
 * sample-count-set(-all). Missing or mistyped arguments -> result 1; an
 * unknown name -> result 1 "No 'NAME' statistic found", except statistic-get
 * which answers 0 with an empty map, as Kea does.
 */
#include "server/ctrl_cmd.h"

#include <stdint.h>

#include "server/stats_registry.h"

/* The mandatory string "name"; false (and the answer set) when absent. */
static bool get_name(struct json_object *args, struct ctrl_answer *ans, const char **name)
{
    struct json_object *v;
    if (!args || !json_object_is_type(args, json_type_object) ||
        !json_object_object_get_ex(args, "name", &v)) {
        ctrl_answer_set(ans, CTRL_ERROR, "Missing mandatory 'name' parameter.");
        return false;
    }
    if (!json_object_is_type(v, json_type_string)) {
        ctrl_answer_set(ans, CTRL_ERROR, "'name' parameter expected to be a string.");
        return false;
    }
    *name = json_object_get_string(v);
    return true;
}

/* The mandatory non-negative integer key (uint32 range). */
static bool get_u32(struct json_object *args, const char *key, struct ctrl_answer *ans,
                    uint32_t *out)
{
    struct json_object *v;
    if (!args || !json_object_is_type(args, json_type_object) ||
        !json_object_object_get_ex(args, key, &v)) {
        ctrl_answer_set(ans, CTRL_ERROR, "Missing mandatory '%s' parameter.", key);
        return false;
    }
    if (!json_object_is_type(v, json_type_int)) {
        ctrl_answer_set(ans, CTRL_ERROR, "'%s' parameter expected to be an integer.", key);
        return false;
    }
    int64_t x = json_object_get_int64(v);
    if (x < 0 || x > UINT32_MAX) {
        ctrl_answer_set(ans, CTRL_ERROR, "'%s' parameter is out of range 0..%u.", key, UINT32_MAX);
        return false;
    }
    *out = (uint32_t)x;
    return true;
}

static void not_found(struct ctrl_answer *ans, const char *name)
{
    ctrl_answer_set(ans, CTRL_ERROR, "No '%s' statistic found", name);
}

static void cmd_get(struct ctrl_env *env, struct json_object *args, struct ctrl_answer *ans)
{
    (void)env;
    const char *name;
    if (!get_name(args, ans, &name))
        return;
    stats_reg_get(name, &ans->args);
    ctrl_answer_set(ans, CTRL_SUCCESS, "%s", "");
}

static void cmd_get_all(struct ctrl_env *env, struct json_object *args, struct ctrl_answer *ans)
{
    (void)env;
    (void)args;
    ans->args = stats_reg_get_all();
    ctrl_answer_set(ans, CTRL_SUCCESS, "%s", "");
}

static void cmd_reset(struct ctrl_env *env, struct json_object *args, struct ctrl_answer *ans)
{
    (void)env;
    const char *name;
    if (!get_name(args, ans, &name))
        return;
    if (stats_reg_reset(name) < 0)
        not_found(ans, name);
    else
        ctrl_answer_set(ans, CTRL_SUCCESS, "Statistic '%s' reset.", name);
}

static void cmd_remove(struct ctrl_env *env, struct json_object *args, struct ctrl_answer *ans)
{
    (void)env;
    const char *name;
    if (!get_name(args, ans, &name))
        return;
    if (stats_reg_remove(name) < 0)
        not_found(ans, name);
    else
        ctrl_answer_set(ans, CTRL_SUCCESS, "Statistic '%s' removed.", name);
}

static void cmd_reset_all(struct ctrl_env *env, struct json_object *args, struct ctrl_answer *ans)
{
    (void)env;
    (void)args;
    stats_reg_reset_all();
    ctrl_answer_set(ans, CTRL_SUCCESS, "All statistics reset to neutral values.");
}

static void cmd_remove_all(struct ctrl_env *env, struct json_object *args, struct ctrl_answer *ans)
{
    (void)env;
    (void)args;
    stats_reg_remove_all();
    ctrl_answer_set(ans, CTRL_SUCCESS, "All statistics removed.");
}

static void cmd_age_set(struct ctrl_env *env, struct json_object *args, struct ctrl_answer *ans)
{
    (void)env;
    const char *name;
    uint32_t age;
    if (!get_name(args, ans, &name) || !get_u32(args, "duration", ans, &age))
        return;
    if (stats_reg_set_max_age(name, age) < 0)
        not_found(ans, name);
    else
        ctrl_answer_set(ans, CTRL_SUCCESS, "Statistic '%s' duration limit is set.", name);
}

static void cmd_age_set_all(struct ctrl_env *env, struct json_object *args, struct ctrl_answer *ans)
{
    (void)env;
    uint32_t age;
    if (!get_u32(args, "duration", ans, &age))
        return;
    stats_reg_set_max_age_all(age);
    ctrl_answer_set(ans, CTRL_SUCCESS, "All statistics duration limit are set.");
}

static bool get_count(struct json_object *args, struct ctrl_answer *ans, uint32_t *count)
{
    if (!get_u32(args, "max-samples", ans, count))
        return false;
    if (*count == 0) {
        ctrl_answer_set(ans, CTRL_ERROR, "'max-samples' parameter must not be zero");
        return false;
    }
    return true;
}

static void cmd_count_set(struct ctrl_env *env, struct json_object *args, struct ctrl_answer *ans)
{
    (void)env;
    const char *name;
    uint32_t count;
    if (!get_name(args, ans, &name) || !get_count(args, ans, &count))
        return;
    if (stats_reg_set_max_count(name, count) < 0)
        not_found(ans, name);
    else
        ctrl_answer_set(ans, CTRL_SUCCESS, "Statistic '%s' samples limit is set.", name);
}

static void cmd_count_set_all(struct ctrl_env *env, struct json_object *args,
                              struct ctrl_answer *ans)
{
    (void)env;
    uint32_t count;
    if (!get_count(args, ans, &count))
        return;
    stats_reg_set_max_count_all(count);
    ctrl_answer_set(ans, CTRL_SUCCESS, "All statistics count limit are set.");
}

const struct ctrl_cmd ctrl_cmds_stats[] = {
    { "statistic-get", cmd_get },
    { "statistic-get-all", cmd_get_all },
    { "statistic-reset", cmd_reset },
    { "statistic-reset-all", cmd_reset_all },
    { "statistic-remove", cmd_remove },
    { "statistic-remove-all", cmd_remove_all },
    { "statistic-sample-age-set", cmd_age_set },
    { "statistic-sample-age-set-all", cmd_age_set_all },
    { "statistic-sample-count-set", cmd_count_set },
    { "statistic-sample-count-set-all", cmd_count_set_all },
    { NULL, NULL },
};
