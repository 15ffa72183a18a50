/*
 * The server-wide sections of Dhcp4: interfaces-config (ARM §9.2.4),
 * lease-database and hosts-database(s) (§9.2.2-9.2.3, spec §2.2),
 * expired-leases-processing (§12.2), multi-threading (§9.2.30), loggers
 * (§20.1) and host-reservation-identifiers (§9.3.8).
 */
#include "server/cfg_internal.h"
#include <stddef.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>


#define DEFAULT_LEASE_FILE "/var/lib/dora/dora-leases4.csv"

/* ---- interfaces-config ---- */

static const struct cfg_key iface_keys[] = {
    USE("interfaces"), USE("dhcp-socket-type"), USE("outbound-interface"),
    USE("re-detect"), USE("service-sockets-require-all"),
    USE("service-sockets-retry-wait-time"), USE("service-sockets-max-retries"),
    { NULL, CK_END }
};

/* Linux accepts any name up to IFNAMSIZ-1 bytes except "." and "..",
 * and without '/', ':' or white space (dev_valid_name); '*' is Kea's
 * "every interface" and cannot be part of a name. */
const char *cfg_iface_name_problem(const char *name, size_t len)
{
    if (len == 0)
        return "the interface name is empty";
    if (len > 15)
        return "the interface name is longer than 15 bytes";
    if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
        return "'.' and '..' are not interface names";
    for (size_t i = 0; i < len; i++)
        if (name[i] == '/' || name[i] == ':' || name[i] == '*' || name[i] == ' ' ||
            name[i] == '\t' || name[i] == '\n' || name[i] == '\r')
            return "the interface name contains '/', ':', '*' or white space";
    return NULL;
}

static int parse_iface(struct cfg_ctx *ctx, const char *spec, struct cfg_iface *out)
{
    const char *slash = strchr(spec, '/');
    size_t nlen = slash ? (size_t)(slash - spec) : strlen(spec);
    const char *why = cfg_iface_name_problem(spec, nlen);

    if (why != NULL)
        return cfg_fail(ctx, "bad interface '%s': %s", spec, why);
    memset(out, 0, sizeof(*out));
    memcpy(out->name, spec, nlen);
    if (slash != NULL) {
        if (cfg_parse_ipv4(slash + 1, &out->addr) < 0 || out->addr == 0)
            return cfg_fail(ctx, "bad interface '%s': '%s' is not an IPv4 address",
                            spec, slash + 1);
    }
    return 0;
}

int cfg_interfaces_parse(struct cfg_ctx *ctx, struct json_object *dhcp4)
{
    struct cfg4 *cfg = ctx->cfg;
    struct json_object *ic, *list;
    const char *s;
    bool set, b;
    uint32_t u;
    int rc = -1;

    if (cfg_get_object(ctx, dhcp4, "interfaces-config", &ic) < 0)
        return -1;
    if (ic == NULL)
        return 0;
    size_t old = cfg_path_key(ctx, "interfaces-config");
    if (cfg_check_keys(ctx, ic, iface_keys, NULL) < 0 ||
        cfg_get_str_list(ctx, ic, "interfaces", &list) < 0)
        goto out;
    if (list != NULL) {
        size_t n = json_object_array_length(list);
        cfg->ifaces = calloc(n ? n : 1, sizeof(*cfg->ifaces));
        if (cfg->ifaces == NULL) {
            cfg_oom(ctx);
            goto out;
        }
        size_t o2 = cfg_path_key(ctx, "interfaces");
        for (size_t i = 0; i < n; i++) {
            const char *spec = json_object_get_string(json_object_array_get_idx(list, i));
            size_t o3 = cfg_path_idx(ctx, i);
            if (strcmp(spec, "*") == 0) {
                cfg->all_ifaces = true;
            } else if (parse_iface(ctx, spec, &cfg->ifaces[cfg->n_ifaces]) < 0) {
                goto out;
            } else {
                cfg->n_ifaces++;
            }
            cfg_path_pop(ctx, o3);
        }
        cfg_path_pop(ctx, o2);
    }
    if (cfg_get_str(ctx, ic, "dhcp-socket-type", &s, &set) < 0)
        goto out;
    if (set) {
        if (strcmp(s, "raw") == 0) {
            cfg->socket_type = CFG_SOCKET_RAW;
        } else if (strcmp(s, "udp") == 0) {
            cfg->socket_type = CFG_SOCKET_UDP;
        } else {
            cfg_fail_key(ctx, "dhcp-socket-type", "'%s' is not a socket type (expected raw or udp)", s);
            goto out;
        }
    }
    if (cfg_get_str(ctx, ic, "outbound-interface", &s, &set) < 0)
        goto out;
    if (set) {
        if (strcmp(s, "use-routing") == 0) {
            if (cfg_warn(ctx, "outbound-interface", "ignored: use-routing is not supported yet") < 0)
                goto out;
        } else if (strcmp(s, "same-as-inbound") != 0) {
            cfg_fail_key(ctx, "outbound-interface",
                         "'%s' is not valid (expected same-as-inbound or use-routing)", s);
            goto out;
        }
    }
    /* Accepted for compatibility: dora opens its sockets once at start. */
    if (cfg_get_bool(ctx, ic, "re-detect", &b, NULL) < 0 ||
        cfg_get_bool(ctx, ic, "service-sockets-require-all", &b, NULL) < 0 ||
        cfg_get_u32(ctx, ic, "service-sockets-retry-wait-time", &u, NULL) < 0 ||
        cfg_get_u32(ctx, ic, "service-sockets-max-retries", &u, NULL) < 0)
        goto out;
    rc = 0;
out:
    cfg_path_pop(ctx, old);
    return rc;
}

/* ---- lease-database / hosts-database(s) ---- */

static const struct cfg_key db_keys[] = {
    USE("type"), USE("user"), USE("password"), USE("host"), USE("port"), USE("name"),
    USE("persist"), USE("lfc-interval"), USE("readonly"), USE("connect-timeout"),
    USE("read-timeout"), USE("write-timeout"), USE("tcp-user-timeout"),
    USE("max-reconnect-tries"), USE("reconnect-wait-time"), USE("on-fail"),
    USE("retry-on-startup"), USE("max-row-errors"), USE("trust-anchor"),
    USE("cert-file"), USE("key-file"), USE("cipher-list"),
    { NULL, CK_END }
};

struct db_params {
    const char *type, *name;
    bool        persist, readonly;
    uint32_t    lfc_interval, max_row_errors;
    struct cfg_db_conn *conn;
};

/* A string parameter copied into its inline buffer; too long is an error,
 * never a silent cut (a cut password or path would fail obscurely later). */
static int get_conn_str(struct cfg_ctx *ctx, struct json_object *db, const char *key,
                        char *dst, size_t cap)
{
    const char *s;
    bool set;

    if (cfg_get_str(ctx, db, key, &s, &set) < 0)
        return -1;
    if (!set)
        return 0;
    if (strlen(s) >= cap)
        return cfg_fail_key(ctx, key, "is too long (at most %zu characters)", cap - 1);
    memcpy(dst, s, strlen(s) + 1);
    return 0;
}

/* Kea's connection parameters (spec §2.2) with their backend restrictions:
 * read-/write-timeout are MySQL only, tcp-user-timeout PostgreSQL only,
 * connect-timeout must be positive. */
static int parse_conn(struct cfg_ctx *ctx, struct json_object *db, const char *type,
                      struct cfg_db_conn *c)
{
    static const struct { const char *key; size_t off; } u32s[] = {
        { "connect-timeout", offsetof(struct cfg_db_conn, connect_timeout) },
        { "read-timeout", offsetof(struct cfg_db_conn, read_timeout) },
        { "write-timeout", offsetof(struct cfg_db_conn, write_timeout) },
        { "tcp-user-timeout", offsetof(struct cfg_db_conn, tcp_user_timeout) },
        { "max-reconnect-tries", offsetof(struct cfg_db_conn, max_reconnect_tries) },
        { "reconnect-wait-time", offsetof(struct cfg_db_conn, reconnect_wait_time) },
    };
    bool mysql = strcmp(type, "mysql") == 0, pgsql = strcmp(type, "postgresql") == 0;
    const char *s;
    int64_t i64;
    bool set;

    memset(c, 0, sizeof(*c));
    c->connect_timeout = 5;
    c->on_fail = CFG_ON_FAIL_STOP_RETRY_EXIT;
    if (get_conn_str(ctx, db, "host", c->host, sizeof(c->host)) < 0 ||
        get_conn_str(ctx, db, "user", c->user, sizeof(c->user)) < 0 ||
        get_conn_str(ctx, db, "password", c->password, sizeof(c->password)) < 0 ||
        get_conn_str(ctx, db, "trust-anchor", c->trust_anchor, sizeof(c->trust_anchor)) < 0 ||
        get_conn_str(ctx, db, "cert-file", c->cert_file, sizeof(c->cert_file)) < 0 ||
        get_conn_str(ctx, db, "key-file", c->key_file, sizeof(c->key_file)) < 0 ||
        get_conn_str(ctx, db, "cipher-list", c->cipher_list, sizeof(c->cipher_list)) < 0)
        return -1;
    for (size_t i = 0; i < sizeof(u32s) / sizeof(u32s[0]); i++) {
        uint32_t *dst = (uint32_t *)((char *)c + u32s[i].off);
        if (cfg_get_u32(ctx, db, u32s[i].key, dst, &set) < 0)
            return -1;
        if (!set)
            continue;
        if ((i == 1 || i == 2) && !mysql)
            return cfg_fail_key(ctx, u32s[i].key, "is supported by the mysql backend only");
        if (i == 3 && !pgsql)
            return cfg_fail_key(ctx, u32s[i].key, "is supported by the postgresql backend only");
    }
    if (c->connect_timeout == 0)
        return cfg_fail_key(ctx, "connect-timeout", "must be greater than 0");
    if (cfg_get_int(ctx, db, "port", 0, 65535, &i64, &set) < 0 ||
        cfg_get_bool(ctx, db, "retry-on-startup", &c->retry_on_startup, NULL) < 0)
        return -1;
    if (set)
        c->port = (uint16_t)i64;
    if (cfg_get_str(ctx, db, "on-fail", &s, &set) < 0)
        return -1;
    if (!set)
        return 0;
    if (strcmp(s, "stop-retry-exit") == 0)
        c->on_fail = CFG_ON_FAIL_STOP_RETRY_EXIT;
    else if (strcmp(s, "serve-retry-exit") == 0)
        c->on_fail = CFG_ON_FAIL_SERVE_RETRY_EXIT;
    else if (strcmp(s, "serve-retry-continue") == 0)
        c->on_fail = CFG_ON_FAIL_SERVE_RETRY_CONTINUE;
    else
        return cfg_fail_key(ctx, "on-fail", "'%s' is not valid (expected stop-retry-exit, "
                            "serve-retry-exit or serve-retry-continue)", s);
    return 0;
}

static int parse_db(struct cfg_ctx *ctx, struct json_object *db, bool hosts,
                    struct db_params *p)
{
    bool set;

    if (cfg_check_keys(ctx, db, db_keys, NULL) < 0)
        return -1;
    if (cfg_get_str(ctx, db, "type", &p->type, &set) < 0)
        return -1;
    if (!set && hosts)
        return cfg_fail(ctx, "missing parameter 'type'");
    if (strcmp(p->type, "memfile") == 0 && hosts)
        return cfg_fail_key(ctx, "type", "memfile cannot store hosts "
                            "(expected mysql or postgresql)");
    if (strcmp(p->type, "memfile") != 0 && strcmp(p->type, "mysql") != 0 &&
        strcmp(p->type, "postgresql") != 0)
        return cfg_fail_key(ctx, "type", "unknown database type '%s' (expected %s)", p->type,
                            hosts ? "mysql or postgresql" : "memfile, mysql or postgresql");
    if (parse_conn(ctx, db, p->type, p->conn) < 0)
        return -1;
    if (cfg_get_bool(ctx, db, "readonly", &p->readonly, NULL) < 0 ||
        cfg_get_bool(ctx, db, "persist", &p->persist, NULL) < 0 ||
        cfg_get_u32(ctx, db, "lfc-interval", &p->lfc_interval, NULL) < 0 ||
        cfg_get_u32(ctx, db, "max-row-errors", &p->max_row_errors, NULL) < 0)
        return -1;
    if (cfg_get_str(ctx, db, "name", &p->name, &set) < 0)
        return -1;
    if (!set && strcmp(p->type, "memfile") != 0)
        return cfg_fail(ctx, "missing parameter 'name' (the %s database name)", p->type);
    if (set && p->name[0] == '\0')
        return cfg_fail_key(ctx, "name", "must not be empty");
    return 0;
}

int cfg_lease_db_parse(struct cfg_ctx *ctx, struct json_object *dhcp4)
{
    struct cfg_lease_db *ldb = &ctx->cfg->lease_db;
    struct json_object *db;
    struct db_params p = {
        .type = "memfile", .name = NULL, .persist = ldb->persist,
        .lfc_interval = ldb->lfc_interval, .max_row_errors = ldb->max_row_errors,
        .conn = &ldb->conn,
    };

    if (cfg_get_object(ctx, dhcp4, "lease-database", &db) < 0)
        return -1;
    if (db != NULL) {
        size_t old = cfg_path_key(ctx, "lease-database");
        int rc = parse_db(ctx, db, false, &p);
        cfg_path_pop(ctx, old);
        if (rc < 0)
            return -1;
    }
    ldb->type = cfg_strdup(ctx, p.type);
    ldb->name = cfg_strdup(ctx, p.name ? p.name : DEFAULT_LEASE_FILE);
    if (ldb->type == NULL || ldb->name == NULL)
        return -1;
    ldb->persist = p.persist;
    ldb->lfc_interval = p.lfc_interval;
    ldb->max_row_errors = p.max_row_errors;
    return 0;
}

static int add_hosts_db(struct cfg_ctx *ctx, struct json_object *db)
{
    struct cfg4 *cfg = ctx->cfg;
    struct cfg_hosts_db *h = &cfg->hosts_dbs[cfg->n_hosts_dbs];
    struct db_params p = { .type = "", .name = NULL, .conn = &h->conn };

    if (cfg_expect_type(ctx, NULL, db, json_type_object) < 0 || parse_db(ctx, db, true, &p) < 0)
        return -1;
    h->type = cfg_strdup(ctx, p.type);
    h->name = cfg_strdup(ctx, p.name);
    h->readonly = p.readonly;
    cfg->n_hosts_dbs++;   /* counted before the check so cfg4_free frees both */
    return h->type && h->name ? 0 : -1;
}

int cfg_hosts_db_parse(struct cfg_ctx *ctx, struct json_object *dhcp4)
{
    struct cfg4 *cfg = ctx->cfg;
    struct json_object *one, *list;
    int rc = 0;

    if (cfg_get_object(ctx, dhcp4, "hosts-database", &one) < 0 ||
        cfg_get_array(ctx, dhcp4, "hosts-databases", &list) < 0)
        return -1;
    if (one != NULL && list != NULL)
        return cfg_fail_key(ctx, "hosts-databases",
                            "cannot be used together with hosts-database");
    size_t n = one ? 1 : (list ? json_object_array_length(list) : 0);
    if (n == 0)
        return 0;
    cfg->hosts_dbs = calloc(n, sizeof(*cfg->hosts_dbs));
    if (cfg->hosts_dbs == NULL)
        return cfg_oom(ctx);
    size_t old = cfg_path_key(ctx, one ? "hosts-database" : "hosts-databases");
    if (one != NULL) {
        rc = add_hosts_db(ctx, one);
    } else {
        for (size_t i = 0; i < n && rc == 0; i++) {
            size_t o2 = cfg_path_idx(ctx, i);
            rc = add_hosts_db(ctx, json_object_array_get_idx(list, i));
            if (rc == 0)
                cfg_path_pop(ctx, o2);
        }
    }
    cfg_path_pop(ctx, old);
    return rc;
}

/* ---- expired-leases-processing, multi-threading ---- */

static const struct cfg_key expired_keys[] = {
    USE("reclaim-timer-wait-time"), USE("flush-reclaimed-timer-wait-time"),
    USE("hold-reclaimed-time"), USE("max-reclaim-leases"), USE("max-reclaim-time"),
    USE("unwarned-reclaim-cycles"),
    { NULL, CK_END }
};

int cfg_expired_parse(struct cfg_ctx *ctx, struct json_object *dhcp4)
{
    struct cfg_expired_leases *e = &ctx->cfg->expired;
    struct json_object *o;
    int rc = -1;

    if (cfg_get_object(ctx, dhcp4, "expired-leases-processing", &o) < 0)
        return -1;
    if (o == NULL)
        return 0;
    size_t old = cfg_path_key(ctx, "expired-leases-processing");
    if (cfg_check_keys(ctx, o, expired_keys, NULL) == 0 &&
        cfg_get_u32(ctx, o, "reclaim-timer-wait-time", &e->reclaim_timer_wait_time, NULL) == 0 &&
        cfg_get_u32(ctx, o, "flush-reclaimed-timer-wait-time",
                    &e->flush_reclaimed_timer_wait_time, NULL) == 0 &&
        cfg_get_u32(ctx, o, "hold-reclaimed-time", &e->hold_reclaimed_time, NULL) == 0 &&
        cfg_get_u32(ctx, o, "max-reclaim-leases", &e->max_reclaim_leases, NULL) == 0 &&
        cfg_get_u32(ctx, o, "max-reclaim-time", &e->max_reclaim_time, NULL) == 0 &&
        cfg_get_u32(ctx, o, "unwarned-reclaim-cycles", &e->unwarned_reclaim_cycles, NULL) == 0)
        rc = 0;
    cfg_path_pop(ctx, old);
    return rc;
}

static const struct cfg_key mt_keys[] = {
    USE("enable-multi-threading"), USE("thread-pool-size"), USE("packet-queue-size"),
    { NULL, CK_END }
};

int cfg_mt_parse(struct cfg_ctx *ctx, struct json_object *dhcp4)
{
    struct cfg_mt *mt = &ctx->cfg->mt;
    struct json_object *o;
    int rc = -1;

    if (cfg_get_object(ctx, dhcp4, "multi-threading", &o) < 0)
        return -1;
    if (o == NULL)
        return 0;
    size_t old = cfg_path_key(ctx, "multi-threading");
    if (cfg_check_keys(ctx, o, mt_keys, NULL) == 0 &&
        cfg_get_bool(ctx, o, "enable-multi-threading", &mt->enable, NULL) == 0 &&
        cfg_get_u32(ctx, o, "thread-pool-size", &mt->thread_pool_size, NULL) == 0 &&
        cfg_get_u32(ctx, o, "packet-queue-size", &mt->packet_queue_size, NULL) == 0)
        rc = 0;
    cfg_path_pop(ctx, old);
    return rc;
}

/* ---- loggers ---- */

static const struct cfg_key logger_keys[] = {
    USE("name"), USE("output-options"), USE("debuglevel"), USE("severity"),
    { NULL, CK_END }
};

static const struct cfg_key output_keys[] = {
    USE("output"), USE("flush"), USE("maxsize"), USE("maxver"), USE("pattern"),
    { NULL, CK_END }
};

static const char *const severity_names[] = {
    [LOG_SEV_DEBUG] = "DEBUG", [LOG_SEV_INFO] = "INFO", [LOG_SEV_WARN] = "WARN",
    [LOG_SEV_ERROR] = "ERROR", [LOG_SEV_FATAL] = "FATAL", [LOG_SEV_NONE] = "NONE",
};

/* Returns the first output of this logger (NULL when it has none). */
static int parse_outputs(struct cfg_ctx *ctx, struct json_object *lg, const char **first)
{
    struct json_object *list;
    const char *s;
    int64_t i64;
    bool b, set;

    *first = NULL;
    if (cfg_get_array(ctx, lg, "output-options", &list) < 0)
        return -1;
    if (list == NULL)
        return 0;
    size_t old = cfg_path_key(ctx, "output-options");
    for (size_t i = 0; i < json_object_array_length(list); i++) {
        struct json_object *o = json_object_array_get_idx(list, i);
        size_t o2 = cfg_path_idx(ctx, i);
        if (cfg_expect_type(ctx, NULL, o, json_type_object) < 0 ||
            cfg_check_keys(ctx, o, output_keys, NULL) < 0 ||
            cfg_get_bool(ctx, o, "flush", &b, NULL) < 0 ||
            cfg_get_int(ctx, o, "maxsize", 0, INT64_MAX, &i64, NULL) < 0 ||
            cfg_get_int(ctx, o, "maxver", 0, INT32_MAX, &i64, NULL) < 0 ||
            cfg_get_str(ctx, o, "pattern", &s, NULL) < 0 ||
            cfg_get_str(ctx, o, "output", &s, &set) < 0)
            return -1;
        if (!set)
            return cfg_fail(ctx, "missing parameter 'output'");
        if (s[0] == '\0')
            return cfg_fail_key(ctx, "output", "must not be empty");
        if (*first == NULL)
            *first = s;
        cfg_path_pop(ctx, o2);
    }
    cfg_path_pop(ctx, old);
    return 0;
}

/* Every logger is checked; the first one sets dora's single log stream. */
static int parse_logger(struct cfg_ctx *ctx, struct json_object *lg, bool first)
{
    struct cfg_logging *l = &ctx->cfg->logging;
    enum log_severity sev = LOG_SEV_INFO;
    const char *name, *s, *out;
    uint32_t dl = 0;
    int64_t i64;
    bool set;

    if (cfg_expect_type(ctx, NULL, lg, json_type_object) < 0 ||
        cfg_check_keys(ctx, lg, logger_keys, NULL) < 0)
        return -1;
    if (cfg_get_str(ctx, lg, "name", &name, &set) < 0)
        return -1;
    if (!set)
        return cfg_fail(ctx, "missing parameter 'name'");
    if (cfg_get_str(ctx, lg, "severity", &s, &set) < 0)
        return -1;
    if (set) {
        size_t k = 0;
        /* Kea upper-cases the severity before matching it. */
        while (k < sizeof(severity_names) / sizeof(severity_names[0]) &&
               strcasecmp(s, severity_names[k]) != 0)
            k++;
        if (k == sizeof(severity_names) / sizeof(severity_names[0]))
            return cfg_fail_key(ctx, "severity", "unknown severity '%s' (expected FATAL, "
                                "ERROR, WARN, INFO, DEBUG or NONE)", s);
        sev = (enum log_severity)k;
    }
    if (cfg_get_int(ctx, lg, "debuglevel", 0, 99, &i64, &set) < 0)
        return -1;
    if (set)
        dl = (uint32_t)i64;
    if (parse_outputs(ctx, lg, &out) < 0)
        return -1;
    if (!first)
        return 0;
    l->severity = sev;
    l->debuglevel = dl;
    free(l->output);
    l->output = cfg_strdup(ctx, out ? out : "stdout");
    return l->output ? 0 : -1;
}

int cfg_loggers_parse(struct cfg_ctx *ctx, struct json_object *dhcp4)
{
    struct json_object *list;

    if (cfg_get_array(ctx, dhcp4, "loggers", &list) < 0)
        return -1;
    if (list != NULL) {
        size_t old = cfg_path_key(ctx, "loggers");
        for (size_t i = 0; i < json_object_array_length(list); i++) {
            size_t o2 = cfg_path_idx(ctx, i);
            if (parse_logger(ctx, json_object_array_get_idx(list, i), i == 0) < 0)
                return -1;
            cfg_path_pop(ctx, o2);
        }
        cfg_path_pop(ctx, old);
    }
    if (ctx->cfg->logging.output == NULL) {
        ctx->cfg->logging.output = cfg_strdup(ctx, "stdout");
        if (ctx->cfg->logging.output == NULL)
            return -1;
    }
    return 0;
}

/* ---- host-reservation-identifiers ---- */

int cfg_host_ids_parse(struct cfg_ctx *ctx, struct json_object *dhcp4)
{
    struct cfg4 *cfg = ctx->cfg;
    struct json_object *list;

    if (cfg_get_str_list(ctx, dhcp4, "host-reservation-identifiers", &list) < 0)
        return -1;
    if (list == NULL)
        return 0;
    size_t n = json_object_array_length(list);
    if (n == 0)
        return cfg_fail_key(ctx, "host-reservation-identifiers", "must not be empty");
    size_t old = cfg_path_key(ctx, "host-reservation-identifiers");
    cfg->n_host_ids = 0;
    for (size_t i = 0; i < n; i++) {
        const char *s = json_object_get_string(json_object_array_get_idx(list, i));
        size_t o2 = cfg_path_idx(ctx, i);
        size_t t = 0;
        while (t < HOST_ID_TYPES && strcmp(s, cfg_host_id_names[t]) != 0)
            t++;
        if (t == HOST_ID_TYPES)
            return cfg_fail(ctx, "unknown identifier type '%s' (expected hw-address, duid, "
                            "circuit-id, client-id or flex-id)", s);
        for (size_t k = 0; k < cfg->n_host_ids; k++)
            if (cfg->host_ids[k] == (enum host_id_type)t)
                return cfg_fail(ctx, "identifier type '%s' is listed twice", s);
        /* n <= HOST_ID_TYPES here: each of the five types appears once. */
        cfg->host_ids[cfg->n_host_ids++] = (enum host_id_type)t;
        cfg_path_pop(ctx, o2);
    }
    cfg_path_pop(ctx, old);
    return 0;
}
