/*
 * The reservation commands (Kea's host_cmds, spec kea-hooks-api-ha-tools.md
 * §5): reservation-add, -get, -get-all, -get-page, -del, with Kea's
 * "operation-target": "memory" (the config file's reservations), "database"
 * (the hosts-databases), "all", or "default" (reads: all; writes:
 * database).
 *
 * A memory change edits a copy of the running config's JSON and installs
 * it with env->cfg_apply(): the same validate-and-swap path as a reload, so
 * a reservation the config parser refuses (duplicate, outside the subnet)
 * changes nothing and its message is the answer. Such changes are volatile
 * until config-write, as in Kea.
 */
#include "server/ctrl_cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/cmd_args.h"
#include "server/host_json.h"

enum target { T_MEMORY = 1, T_DATABASE = 2, T_ALL = 3 };

/* operation-target; reads default to all, writes to database. */
static int get_target(struct json_object *args, bool write, enum target *t, struct ctrl_answer *ans)
{
    const char *s = "default";
    if (cmd_arg_str(args, "operation-target", false, &s, NULL, ans) != 0)
        return -1;
    if (strcmp(s, "memory") == 0)
        *t = T_MEMORY;
    else if (strcmp(s, "database") == 0)
        *t = T_DATABASE;
    else if (strcmp(s, "all") == 0)
        *t = T_ALL;
    else if (strcmp(s, "default") == 0)
        *t = write ? T_DATABASE : T_ALL;
    else {
        ctrl_answer_set(ans, CTRL_ERROR, "'operation-target' must be memory, database, all or "
                        "default, not '%s'", s);
        return -1;
    }
    return 0;
}

static int get_subnet_id(struct json_object *o, bool required, uint32_t *id, struct ctrl_answer *ans)
{
    bool here = false;
    if (cmd_arg_u32(o, "subnet-id", false, id, &here, ans) != 0)
        return -1;
    if (!here && required) {
        ctrl_answer_set(ans, CTRL_ERROR, "Mandatory 'subnet-id' parameter missing.");
        return -1;
    }
    return 0;
}

/* The running config and its JSON, parsed (a private copy to edit). */
struct cfg_copy {
    struct ctrl_env *env;
    void *ref;
    const struct cfg4 *cfg;
    struct json_object *root;
};

static int cfg_open(struct ctrl_env *env, struct cfg_copy *c, struct ctrl_answer *ans)
{
    c->env = env;
    c->cfg = env->cfg_acquire(env, &c->ref);
    c->root = c->cfg && c->cfg->json_text ? json_tokener_parse(c->cfg->json_text) : NULL;
    if (c->root == NULL) {
        if (c->cfg)
            env->cfg_release(env, c->ref);
        ctrl_answer_set(ans, CTRL_ERROR, "the running configuration is not available");
        return -1;
    }
    return 0;
}

static void cfg_close(struct cfg_copy *c)
{
    json_object_put(c->root);
    c->env->cfg_release(c->env, c->ref);
}

/* Install the edited copy. 0, or -1 with the parser's reason in ans. */
static int cfg_commit(struct cfg_copy *c, struct ctrl_answer *ans)
{
    char err[CTRL_TEXT_MAX - 64] = "";
    const char *text = json_object_to_json_string_ext(c->root, JSON_C_TO_STRING_PLAIN);
    if (c->env->cfg_apply(c->env, text, err, sizeof(err)) != 0) {
        ctrl_answer_set(ans, CTRL_ERROR, "reservation refused by the configuration: %s", err);
        return -1;
    }
    return 0;
}

/* ---- selecting one reservation: (subnet, identifier) or (subnet, address) */

struct selector {
    uint32_t subnet_id;
    bool by_addr;
    uint32_t addr;
    int type;
    uint8_t id[BE_HOST_ID_MAX];
    size_t len;
};

static int get_selector(struct json_object *args, struct selector *s, struct ctrl_answer *ans)
{
    const char *type = NULL, *ident = NULL;

    memset(s, 0, sizeof(*s));
    if (get_subnet_id(args, true, &s->subnet_id, ans) != 0 ||
        cmd_arg_ipv4(args, "ip-address", false, &s->addr, &s->by_addr, ans) != 0)
        return -1;
    if (s->by_addr)
        return 0;
    if (cmd_arg_str(args, "identifier-type", true, &type, NULL, ans) != 0 ||
        cmd_arg_str(args, "identifier", true, &ident, NULL, ans) != 0)
        return -1;
    if ((s->type = host_id_type(type)) < 0) {
        ctrl_answer_set(ans, CTRL_ERROR, "invalid 'identifier-type' '%s' (hw-address, duid, "
                        "circuit-id, client-id or flex-id)", type);
        return -1;
    }
    if (host_id_parse(s->type, ident, s->id, &s->len) != 0) {
        ctrl_answer_set(ans, CTRL_ERROR, "invalid 'identifier' '%s'", ident);
        return -1;
    }
    return 0;
}

struct cfg_find {
    const struct selector *sel;
    struct json_object *res, *list;
    size_t idx;
};

static int cfg_match(struct json_object *res, uint32_t subnet_id, struct json_object *list,
                     size_t idx, void *ctx)
{
    struct cfg_find *f = ctx;
    const struct selector *s = f->sel;
    (void)subnet_id;
    if (s->by_addr) {
        struct json_object *ip;
        uint32_t a;
        if (!json_object_object_get_ex(res, "ip-address", &ip) ||
            cmd_parse_ipv4(json_object_get_string(ip), &a) != 0 || a != s->addr)
            return 0;
    } else {
        uint8_t id[BE_HOST_ID_MAX];
        size_t len = 0;
        int type = -1;
        if (host_json_identifier(res, &type, id, &len) != 0 || type != s->type ||
            len != s->len || memcmp(id, s->id, len) != 0)
            return 0;
    }
    f->res = res;
    f->list = list;
    f->idx = idx;
    return 1;
}

static bool cfg_find(struct cfg_copy *c, const struct selector *s, struct cfg_find *f)
{
    memset(f, 0, sizeof(*f));
    f->sel = s;
    host_cfg_walk(c->root, c->cfg, false, s->subnet_id, cfg_match, f);
    return f->res != NULL;
}

/* In a hosts-database: 0 with *out, LEASE_E_NOT_FOUND or LEASE_E_IO. */
static int db_find(struct be_host_store *h, const struct selector *s, struct be_host *out)
{
    if (s->by_addr)
        return h->ops->get_by_addr(h, s->subnet_id, s->addr, out);
    return h->ops->get(h, s->subnet_id, (uint8_t)s->type, s->id, s->len, out);
}

/* ---- handlers ------------------------------------------------------------ */

static void cmd_add(struct ctrl_env *env, struct json_object *args, struct ctrl_answer *ans)
{
    struct json_object *res;
    enum target t;
    uint32_t subnet_id = 0;
    struct be_host h;
    struct cfg_copy c;

    if (cmd_args_map(args, ans) != 0 || get_target(args, true, &t, ans) != 0)
        return;
    if (!json_object_object_get_ex(args, "reservation", &res) ||
        !json_object_is_type(res, json_type_object)) {
        ctrl_answer_set(ans, CTRL_ERROR, "missing parameter 'reservation' (a map)");
        return;
    }
    if (get_subnet_id(res, true, &subnet_id, ans) != 0)
        return;
    if ((t & T_DATABASE) && env->n_host_stores == 0) {
        ctrl_answer_set(ans, CTRL_ERROR, "Unable to add new host because there is no "
                        "hosts-database configured.");
        return;
    }
    if ((t & T_DATABASE) && host_from_json(res, subnet_id, &h, ans) != 0)
        return;
    if (t & T_DATABASE) {
        struct be_host_store *hs = env->host_stores[0];
        int rc = hs->ops->add(hs, &h);
        if (rc != 0) {
            ctrl_answer_set(ans, CTRL_ERROR, "%s",
                            rc == LEASE_E_CONFLICT ? "Database duplicate entry error: the identifier or "
                                                     "the address is already reserved in this subnet"
                            : rc == LEASE_E_INVALID ? "the hosts-database is read-only"
                                                    : "hosts-database error");
            return;
        }
    }
    if (t & T_MEMORY) {
        struct json_object *copy = NULL, *list;
        if (cfg_open(env, &c, ans) != 0)
            goto undo;
        if ((list = host_cfg_list(c.root, c.cfg, subnet_id)) == NULL) {
            ctrl_answer_set(ans, CTRL_ERROR, "subnet-id %u is not configured ('subnet-id')", subnet_id);
            cfg_close(&c);
            goto undo;
        }
        json_object_deep_copy(res, &copy, NULL);
        json_object_object_del(copy, "subnet-id");   /* implied by where it goes */
        json_object_array_add(list, copy);
        int rc = cfg_commit(&c, ans);
        cfg_close(&c);
        if (rc != 0)
            goto undo;
    }
    ctrl_answer_set(ans, CTRL_SUCCESS, "Host added.");
    return;
undo:
    /* "all": the database half must not stay when the memory half failed. */
    if (t & T_DATABASE)
        env->host_stores[0]->ops->del(env->host_stores[0], h.subnet_id, h.id_type, h.id, h.id_len);
}

static void cmd_get(struct ctrl_env *env, struct json_object *args, struct ctrl_answer *ans)
{
    struct selector s;
    enum target t;
    struct cfg_copy c;
    struct cfg_find f;

    if (cmd_args_map(args, ans) != 0 || get_target(args, false, &t, ans) != 0 ||
        get_selector(args, &s, ans) != 0)
        return;
    if (t & T_MEMORY) {
        if (cfg_open(env, &c, ans) != 0)
            return;
        if (cfg_find(&c, &s, &f))
            ans->args = host_json_from_cfg(f.res, s.subnet_id);
        cfg_close(&c);
    }
    for (size_t i = 0; ans->args == NULL && (t & T_DATABASE) && i < env->n_host_stores; i++) {
        struct be_host h;
        int rc = db_find(env->host_stores[i], &s, &h);
        if (rc == 0) {
            ans->args = host_json_from_be(&h);
        } else if (rc != LEASE_E_NOT_FOUND) {
            ctrl_answer_set(ans, CTRL_ERROR, "hosts-database error");
            return;
        }
    }
    /* Kea: not found is result 0 for reservation-get (spec §19.1). */
    ctrl_answer_set(ans, CTRL_SUCCESS, ans->args ? "Host found." : "Host not found.");
}

/* ---- listings ------------------------------------------------------------ */

struct lister {
    struct json_object *hosts;
    uint64_t pos, from;      /* config source: position of the last one visited */
    size_t max;
};

static int list_cfg(struct json_object *res, uint32_t subnet_id, struct json_object *list,
                    size_t idx, void *ctx)
{
    struct lister *l = ctx;
    (void)list;
    (void)idx;
    if (++l->pos <= l->from)
        return 0;
    json_object_array_add(l->hosts, host_json_from_cfg(res, subnet_id));
    return json_object_array_length(l->hosts) >= l->max;
}

static int list_db(const struct be_host *h, void *ctx)
{
    json_object_array_add(((struct lister *)ctx)->hosts, host_json_from_be(h));
    return 0;
}

static void cmd_get_all(struct ctrl_env *env, struct json_object *args, struct ctrl_answer *ans)
{
    uint32_t subnet_id = 0;
    enum target t;
    struct cfg_copy c;
    struct lister l = { json_object_new_array(), 0, 0, SIZE_MAX };

    if (cmd_args_map(args, ans) != 0 || get_target(args, false, &t, ans) != 0 ||
        get_subnet_id(args, true, &subnet_id, ans) != 0)
        goto out;
    if (t & T_MEMORY) {
        if (cfg_open(env, &c, ans) != 0)
            goto out;
        host_cfg_walk(c.root, c.cfg, false, subnet_id, list_cfg, &l);
        cfg_close(&c);
    }
    for (size_t i = 0; (t & T_DATABASE) && i < env->n_host_stores; i++) {
        uint64_t from = 0;
        struct be_host_store *hs = env->host_stores[i];
        if (hs->ops->get_page(hs, false, subnet_id, &from, SIZE_MAX, list_db, &l) < 0) {
            ctrl_answer_set(ans, CTRL_ERROR, "hosts-database error");
            goto out;
        }
    }
    size_t n = json_object_array_length(l.hosts);
    ans->args = json_object_new_object();
    json_object_object_add(ans->args, "hosts", l.hosts);
    ctrl_answer_set(ans, n ? CTRL_SUCCESS : CTRL_EMPTY, "%zu IPv4 host(s) found.", n);
    return;
out:
    json_object_put(l.hosts);
}

/* Sources: 0 = the config file, 1.. = the hosts-databases in order. "from"
 * is the position (config) or host id (database) of the last host of the
 * previous page. */
static void cmd_get_page(struct ctrl_env *env, struct json_object *args, struct ctrl_answer *ans)
{
    uint32_t subnet_id = 0, source = 0, limit = 0;
    int64_t from = 0;
    bool has_subnet = false, has_from = false;
    struct lister l = { json_object_new_array(), 0, 0, 0 };
    uint64_t next_from = 0;

    if (cmd_args_map(args, ans) != 0 ||
        cmd_arg_u32(args, "subnet-id", false, &subnet_id, &has_subnet, ans) != 0 ||
        cmd_arg_u32(args, "limit", true, &limit, NULL, ans) != 0 ||
        cmd_arg_u32(args, "source-index", false, &source, NULL, ans) != 0 ||
        cmd_arg_i64(args, "from", false, &from, &has_from, ans) != 0)
        goto out;
    if (limit == 0 || from < 0) {
        ctrl_answer_set(ans, CTRL_ERROR, "%s", limit == 0 ? "'limit' must be positive"
                                                          : "'from' must not be negative");
        goto out;
    }
    if (source > env->n_host_stores) {
        ctrl_answer_set(ans, CTRL_ERROR, "'source-index' %u is out of range (0 .. %zu)", source,
                        env->n_host_stores);
        goto out;
    }
    l.max = limit;
    next_from = (uint64_t)from;
    /* A source with nothing (more) to give passes to the next one. */
    for (; source <= env->n_host_stores; source++, next_from = 0) {
        if (source == 0) {
            struct cfg_copy c;
            if (cfg_open(env, &c, ans) != 0)
                goto out;
            l.pos = 0;
            l.from = next_from;
            host_cfg_walk(c.root, c.cfg, !has_subnet, subnet_id, list_cfg, &l);
            cfg_close(&c);
            next_from = l.pos;
        } else {
            struct be_host_store *hs = env->host_stores[source - 1];
            if (hs->ops->get_page(hs, !has_subnet, subnet_id, &next_from, limit, list_db, &l) < 0) {
                ctrl_answer_set(ans, CTRL_ERROR, "hosts-database error");
                goto out;
            }
        }
        if (json_object_array_length(l.hosts) > 0)
            break;
    }
    size_t n = json_object_array_length(l.hosts);
    ans->args = json_object_new_object();
    json_object_object_add(ans->args, "count", json_object_new_int64((int64_t)n));
    json_object_object_add(ans->args, "hosts", l.hosts);
    if (n > 0) {
        struct json_object *next = json_object_new_object();
        json_object_object_add(next, "from", json_object_new_int64((int64_t)next_from));
        json_object_object_add(next, "source-index", json_object_new_int64(source));
        json_object_object_add(ans->args, "next", next);
    }
    ctrl_answer_set(ans, n ? CTRL_SUCCESS : CTRL_EMPTY, "%zu IPv4 host(s) found.", n);
    return;
out:
    json_object_put(l.hosts);
}

static void cmd_del(struct ctrl_env *env, struct json_object *args, struct ctrl_answer *ans)
{
    struct selector s;
    enum target t;
    bool deleted = false;

    if (cmd_args_map(args, ans) != 0 || get_target(args, true, &t, ans) != 0 ||
        get_selector(args, &s, ans) != 0)
        return;
    if ((t & T_DATABASE) && env->n_host_stores == 0) {
        ctrl_answer_set(ans, CTRL_ERROR, "Unable to delete a host because there is no "
                        "hosts-database configured.");
        return;
    }
    for (size_t i = 0; (t & T_DATABASE) && i < env->n_host_stores; i++) {
        struct be_host_store *hs = env->host_stores[i];
        struct be_host h;
        int rc = db_find(hs, &s, &h);
        if (rc == 0)
            rc = hs->ops->del(hs, h.subnet_id, h.id_type, h.id, h.id_len);
        if (rc == 0) {
            deleted = true;
        } else if (rc == LEASE_E_INVALID) {
            ctrl_answer_set(ans, CTRL_ERROR, "the hosts-database is read-only");
            return;
        } else if (rc != LEASE_E_NOT_FOUND) {
            ctrl_answer_set(ans, CTRL_ERROR, "hosts-database error");
            return;
        }
    }
    if (t & T_MEMORY) {
        struct cfg_copy c;
        struct cfg_find f;
        if (cfg_open(env, &c, ans) != 0)
            return;
        if (cfg_find(&c, &s, &f)) {
            json_object_array_del_idx(f.list, f.idx, 1);
            if (cfg_commit(&c, ans) != 0) {
                cfg_close(&c);
                return;
            }
            deleted = true;
        }
        cfg_close(&c);
    }
    /* Kea: not found is result 1 for reservation-del (spec §19.1). */
    ctrl_answer_set(ans, deleted ? CTRL_SUCCESS : CTRL_ERROR,
                    deleted ? "Host deleted." : "Host not deleted (not found).");
}

const struct ctrl_cmd ctrl_cmds_host[] = {
    { "reservation-add", cmd_add },
    { "reservation-del", cmd_del },
    { "reservation-get", cmd_get },
    { "reservation-get-all", cmd_get_all },
    { "reservation-get-page", cmd_get_page },
    { NULL, NULL },
};
