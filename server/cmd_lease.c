/*
 * The lease commands (Kea's lease_cmds, spec kea-hooks-api-ha-tools.md §4):
 * lease4-get, -get-all, -get-page, -get-by-hw-address, -get-by-client-id,
 * -get-by-hostname, -add, -update, -del, -wipe, on whatever lease store the
 * server runs (memfile, MariaDB, PostgreSQL). Leases print as Kea prints
 * them (lease_json.c). Every write waits until the change is durable before
 * the answer is built, like an ACK.
 */
#include "server/ctrl_cmd.h"
#include "server/stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/cmd_args.h"
#include "server/lease_json.h"

#define PAGE_CHUNK 4096     /* leases copied from the store per get_page call */

static bool have_store(struct ctrl_env *env, struct ctrl_answer *ans)
{
    if (env->store != NULL)
        return true;
    ctrl_answer_set(ans, CTRL_ERROR, "no lease database is open");
    return false;
}

/* The one place a command changes a lease: submit, wait until durable. */
static int apply_change(struct ctrl_env *env, enum lease_op op, const struct lease4 *lease,
                        const struct lease4 *old)
{
    int rc = lease_store_submit_wait(env->store, op, lease, old);
    /* The address gauges follow every lease change (stats.h). */
    if (rc == LEASE_OK)
        stats_lease_changed(op == LEASE_OP_ADD ? NULL : old ? old : lease,
                            op == LEASE_OP_DELETE ? NULL : lease);
    return rc;
}

/* ---- answers made of leases ------------------------------------------- */

static int collect(const struct lease4 *l, void *ctx)
{
    json_object_array_add(ctx, lease_to_json(l));
    return 0;
}

/* {"leases": [...]} with Kea's text; result 3 when there are none. */
static void answer_list(struct ctrl_answer *ans, struct json_object *list)
{
    size_t n = json_object_array_length(list);
    struct json_object *args = json_object_new_object();
    json_object_object_add(args, "leases", list);
    ans->args = args;
    ctrl_answer_set(ans, n ? CTRL_SUCCESS : CTRL_EMPTY, "%zu IPv4 lease(s) found.", n);
}

static void answer_one(struct ctrl_answer *ans, int rc, const struct lease4 *l)
{
    if (rc == LEASE_OK) {
        ans->args = lease_to_json(l);
        ctrl_answer_set(ans, CTRL_SUCCESS, "IPv4 lease found.");
    } else if (rc == LEASE_E_NOT_FOUND) {
        ctrl_answer_set(ans, CTRL_EMPTY, "IPv4 lease not found.");
    } else {
        ctrl_answer_set(ans, CTRL_ERROR, "lease lookup failed: %s", lease_strerror(rc));
    }
}

/* ---- the lease a get/del names: by address or by identifier --------------- */

struct first_ctx {
    struct lease4 *out;
    bool found;
};

static int take_first(const struct lease4 *l, void *ctx)
{
    struct first_ctx *f = ctx;
    *f->out = *l;
    f->found = true;
    return 1;
}

/* 0 with *out, LEASE_E_NOT_FOUND, or ARGS_BAD with the answer set. */
#define ARGS_BAD 1
static int find_named(struct ctrl_env *env, struct json_object *args, struct lease4 *out,
                      struct ctrl_answer *ans)
{
    uint32_t addr = 0, subnet_id = 0;
    bool by_addr = false;
    const char *type = NULL;
    uint8_t id[LEASE_CLIENT_ID_MAX];
    size_t len = 0;

    if (cmd_args_map(args, ans) != 0 || cmd_arg_ipv4(args, "ip-address", false, &addr, &by_addr, ans) != 0)
        return ARGS_BAD;
    if (by_addr)
        return env->store->ops->get_by_addr(env->store, addr, out);
    if (cmd_arg_str(args, "identifier-type", true, &type, NULL, ans) != 0)
        return ARGS_BAD;
    bool hw = strcmp(type, "hw-address") == 0;
    if (!hw && strcmp(type, "client-id") != 0) {
        ctrl_answer_set(ans, CTRL_ERROR, "Incorrect identifier type: %s, the only supported values "
                        "are: address, hw-address, client-id", type);
        return ARGS_BAD;
    }
    if (cmd_arg_hex(args, "identifier", true, id, hw ? LEASE_HWADDR_MAX : LEASE_CLIENT_ID_MAX,
                    &len, NULL, ans) != 0 ||
        cmd_arg_u32(args, "subnet-id", true, &subnet_id, NULL, ans) != 0)
        return ARGS_BAD;
    struct first_ctx f = { out, false };
    if (hw)
        env->store->ops->foreach_by_hwaddr(env->store, subnet_id, id, len, take_first, &f);
    else
        env->store->ops->foreach_by_client_id(env->store, subnet_id, id, len, take_first, &f);
    return f.found ? 0 : LEASE_E_NOT_FOUND;
}

/* ---- handlers ------------------------------------------------------------ */

static void cmd_get(struct ctrl_env *env, struct json_object *args, struct ctrl_answer *ans)
{
    struct lease4 l;
    if (!have_store(env, ans))
        return;
    int rc = find_named(env, args, &l, ans);
    if (rc != ARGS_BAD)
        answer_one(ans, rc, &l);
}

static void cmd_get_all(struct ctrl_env *env, struct json_object *args, struct ctrl_answer *ans)
{
    struct json_object *subnets = NULL;

    if (!have_store(env, ans))
        return;
    if (args != NULL && !json_object_is_type(args, json_type_object)) {
        ctrl_answer_set(ans, CTRL_ERROR, "parameters must be a map");
        return;
    }
    if (args != NULL && json_object_object_get_ex(args, "subnets", &subnets)) {
        if (!json_object_is_type(subnets, json_type_array)) {
            ctrl_answer_set(ans, CTRL_ERROR, "'subnets' parameter must be a list");
            return;
        }
        for (size_t i = 0; i < json_object_array_length(subnets); i++) {
            struct json_object *v = json_object_array_get_idx(subnets, i);
            int64_t id = json_object_get_int64(v);
            if (!json_object_is_type(v, json_type_int) || id <= 0 || id > UINT32_MAX) {
                ctrl_answer_set(ans, CTRL_ERROR, "listed subnet identifiers must be positive integers "
                                "('subnets'[%zu])", i);
                return;
            }
        }
    }
    struct json_object *list = json_object_new_array();
    if (subnets == NULL) {
        env->store->ops->foreach(env->store, collect, list);
    } else {
        for (size_t i = 0; i < json_object_array_length(subnets); i++) {
            uint32_t id = (uint32_t)json_object_get_int64(json_object_array_get_idx(subnets, i));
            env->store->ops->foreach_by_subnet(env->store, id, collect, list);
        }
    }
    answer_list(ans, list);
}

static void cmd_get_page(struct ctrl_env *env, struct json_object *args, struct ctrl_answer *ans)
{
    const char *from = NULL;
    int64_t limit = 0;
    uint32_t after = 0;

    if (!have_store(env, ans) || cmd_args_map(args, ans) != 0 ||
        cmd_arg_str(args, "from", true, &from, NULL, ans) != 0 ||
        cmd_arg_i64(args, "limit", true, &limit, NULL, ans) != 0)
        return;
    if (strcmp(from, "start") != 0 && cmd_parse_ipv4(from, &after) != 0) {
        ctrl_answer_set(ans, CTRL_ERROR, "'from' parameter value %s is neither 'start' keyword "
                        "nor a valid IPv4 address", from);
        return;
    }
    if (limit <= 0 || limit > UINT32_MAX) {
        ctrl_answer_set(ans, CTRL_ERROR, "page size of the retrieved leases must be a positive "
                        "number ('limit')");
        return;
    }
    struct lease4 *buf = malloc(PAGE_CHUNK * sizeof(*buf));
    if (buf == NULL) {
        ctrl_answer_set(ans, CTRL_ERROR, "out of memory");
        return;
    }
    struct json_object *list = json_object_new_array();
    size_t left = (size_t)limit;
    while (left > 0) {
        size_t want = left < PAGE_CHUNK ? left : PAGE_CHUNK;
        int n = env->store->ops->get_page(env->store, after, buf, want);
        if (n <= 0)
            break;
        for (int i = 0; i < n; i++)
            json_object_array_add(list, lease_to_json(&buf[i]));
        after = buf[n - 1].addr;
        left -= (size_t)n;
        if ((size_t)n < want)
            break;
    }
    free(buf);
    size_t count = json_object_array_length(list);
    answer_list(ans, list);
    json_object_object_add(ans->args, "count", json_object_new_int64((int64_t)count));
}

static void cmd_get_by_ident(struct ctrl_env *env, struct json_object *args, struct ctrl_answer *ans,
                             const char *name, bool hw)
{
    uint8_t id[LEASE_CLIENT_ID_MAX];
    size_t len = 0;

    if (!have_store(env, ans) || cmd_args_map(args, ans) != 0 ||
        cmd_arg_hex(args, name, true, id, hw ? LEASE_HWADDR_MAX : LEASE_CLIENT_ID_MAX, &len,
                    NULL, ans) != 0)
        return;
    struct json_object *list = json_object_new_array();
    if (hw)
        env->store->ops->foreach_by_hwaddr(env->store, 0, id, len, collect, list);
    else
        env->store->ops->foreach_by_client_id(env->store, 0, id, len, collect, list);
    answer_list(ans, list);
}

static void cmd_get_by_hw(struct ctrl_env *env, struct json_object *args, struct ctrl_answer *ans)
{
    cmd_get_by_ident(env, args, ans, "hw-address", true);
}

static void cmd_get_by_cid(struct ctrl_env *env, struct json_object *args, struct ctrl_answer *ans)
{
    cmd_get_by_ident(env, args, ans, "client-id", false);
}

static void cmd_get_by_hostname(struct ctrl_env *env, struct json_object *args, struct ctrl_answer *ans)
{
    const char *name = NULL;

    if (!have_store(env, ans) || cmd_args_map(args, ans) != 0 ||
        cmd_arg_str(args, "hostname", true, &name, NULL, ans) != 0)
        return;
    if (name[0] == '\0') {
        ctrl_answer_set(ans, CTRL_ERROR, "'hostname' parameter is empty");
        return;
    }
    struct json_object *list = json_object_new_array();
    env->store->ops->foreach_by_hostname(env->store, name, collect, list);
    answer_list(ans, list);
}

/* Parse the lease of lease4-add / lease4-update against the running config. */
static int parse_lease(struct ctrl_env *env, struct json_object *args, struct lease4 *l,
                       struct ctrl_answer *ans)
{
    void *ref = NULL;
    const struct cfg4 *cfg = env->cfg_acquire(env, &ref);
    int rc = lease_from_json(cfg, args, (int64_t)time(NULL), l, ans);
    env->cfg_release(env, ref);
    return rc;
}

static void cmd_add(struct ctrl_env *env, struct json_object *args, struct ctrl_answer *ans)
{
    struct lease4 l;

    if (!have_store(env, ans) || cmd_args_map(args, ans) != 0 || parse_lease(env, args, &l, ans) != 0)
        return;
    int rc = apply_change(env, LEASE_OP_ADD, &l, NULL);
    if (rc == LEASE_OK)
        ctrl_answer_set(ans, CTRL_SUCCESS, "Lease added.");
    else if (rc == LEASE_E_CONFLICT)
        ctrl_answer_set(ans, CTRL_ERROR, "IPv4 lease already exists.");
    else
        ctrl_answer_set(ans, CTRL_ERROR, "lease not added: %s", lease_strerror(rc));
}

static void cmd_update(struct ctrl_env *env, struct json_object *args, struct ctrl_answer *ans)
{
    struct lease4 l, cur;
    bool force = false;
    char a[16];

    if (!have_store(env, ans) || cmd_args_map(args, ans) != 0 ||
        cmd_arg_bool(args, "force-create", &force, NULL, ans) != 0 ||
        parse_lease(env, args, &l, ans) != 0)
        return;
    cmd_format_ipv4(l.addr, a);
    int rc = env->store->ops->get_by_addr(env->store, l.addr, &cur);
    if (rc == LEASE_E_NOT_FOUND && !force) {
        ctrl_answer_set(ans, CTRL_EMPTY, "failed to update the lease with address %s - no such lease", a);
        return;
    }
    if (rc == LEASE_E_NOT_FOUND) {
        rc = apply_change(env, LEASE_OP_ADD, &l, NULL);
        if (rc == LEASE_OK) {
            ctrl_answer_set(ans, CTRL_SUCCESS, "IPv4 lease added.");
            return;
        }
    } else if (rc == LEASE_OK) {
        rc = apply_change(env, LEASE_OP_UPDATE, &l, &cur);
    }
    if (rc == LEASE_OK)
        ctrl_answer_set(ans, CTRL_SUCCESS, "IPv4 lease updated.");
    else if (rc == LEASE_E_CONFLICT)   /* a packet changed it between our read and write */
        ctrl_answer_set(ans, CTRL_CONFLICT, "lease %s changed while being updated; try again", a);
    else
        ctrl_answer_set(ans, CTRL_ERROR, "lease %s not updated: %s", a, lease_strerror(rc));
}

static void cmd_del(struct ctrl_env *env, struct json_object *args, struct ctrl_answer *ans)
{
    struct lease4 l;

    if (!have_store(env, ans))
        return;
    int rc = find_named(env, args, &l, ans);
    if (rc == ARGS_BAD)
        return;
    if (rc == LEASE_OK)
        rc = apply_change(env, LEASE_OP_DELETE, &l, &l);
    if (rc == LEASE_OK)
        ctrl_answer_set(ans, CTRL_SUCCESS, "IPv4 lease deleted.");
    else if (rc == LEASE_E_NOT_FOUND)
        ctrl_answer_set(ans, CTRL_EMPTY, "IPv4 lease not found.");
    else if (rc == LEASE_E_CONFLICT)
        ctrl_answer_set(ans, CTRL_CONFLICT, "the lease changed while being deleted; try again");
    else
        ctrl_answer_set(ans, CTRL_ERROR, "lease not deleted: %s", lease_strerror(rc));
}

struct lease_list {
    struct lease4 *v;
    size_t n, cap;
};

static int list_add(const struct lease4 *l, void *ctx)
{
    struct lease_list *ll = ctx;
    if (ll->n == ll->cap) {
        size_t cap = ll->cap ? ll->cap * 2 : 256;
        struct lease4 *v = realloc(ll->v, cap * sizeof(*v));
        if (!v)
            return 1; /* out of memory: the gauges may drift, the wipe still runs */
        ll->v = v;
        ll->cap = cap;
    }
    ll->v[ll->n++] = *l;
    return 0;
}

/* Kea deprecates lease4-wipe (use lease4-del per lease); it is kept for
 * the scripts that still call it. */
static void cmd_wipe(struct ctrl_env *env, struct json_object *args, struct ctrl_answer *ans)
{
    uint32_t subnet_id = 0;

    if (!have_store(env, ans))
        return;
    if (args != NULL && (cmd_args_map(args, ans) != 0 ||
                         cmd_arg_u32(args, "subnet-id", false, &subnet_id, NULL, ans) != 0))
        return;
    /* The leases before the wipe, so the gauges can follow what it removed. */
    struct lease_list before = { 0 };
    env->store->ops->foreach_by_subnet(env->store, subnet_id, list_add, &before);
    int n = env->store->ops->wipe(env->store, subnet_id);
    struct lease4 now;
    for (size_t i = 0; i < before.n; i++)
        if (env->store->ops->get_by_addr(env->store, before.v[i].addr, &now) == LEASE_E_NOT_FOUND)
            stats_lease_changed(&before.v[i], NULL);
    free(before.v);
    if (n < 0) {
        ctrl_answer_set(ans, CTRL_ERROR, "lease4-wipe failed: %s", lease_strerror(n));
        return;
    }
    if (subnet_id != 0)
        ctrl_answer_set(ans, n ? CTRL_SUCCESS : CTRL_EMPTY,
                        "Deleted %d IPv4 lease(s) from subnet(s) %u", n, subnet_id);
    else
        ctrl_answer_set(ans, n ? CTRL_SUCCESS : CTRL_EMPTY,
                        "Deleted %d IPv4 lease(s) from all subnets", n);
}

const struct ctrl_cmd ctrl_cmds_lease[] = {
    { "lease4-add", cmd_add },
    { "lease4-del", cmd_del },
    { "lease4-get", cmd_get },
    { "lease4-get-all", cmd_get_all },
    { "lease4-get-by-client-id", cmd_get_by_cid },
    { "lease4-get-by-hostname", cmd_get_by_hostname },
    { "lease4-get-by-hw-address", cmd_get_by_hw },
    { "lease4-get-page", cmd_get_page },
    { "lease4-update", cmd_update },
    { "lease4-wipe", cmd_wipe },
    { NULL, NULL },
};
