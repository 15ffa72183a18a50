/*
 * Entry points of the configuration module: cfg4_parse turns Kea Dhcp4
 * JSON text into an immutable struct cfg4 snapshot, cfg4_load_file reads a
 * file first, cfg4_free releases a snapshot. This file walks the global
 * scope; subnets, options, reservations and the server sections live in
 * the other server/cfg_*.c files, the lookup tables in cfg_hosts.c.
 */
#include "server/cfg_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CFG_FILE_LIMIT (64u << 20)


/* Global keys of Kea 3.0's Dhcp4 grammar (ARM §29.1) besides the network
 * parameters of cfg_net_keys. */
static const struct cfg_key global_keys[] = {
    USE("subnet4"), USE("interfaces-config"), USE("lease-database"),
    USE("hosts-database"), USE("hosts-databases"),
    USE("host-reservation-identifiers"), USE("option-data"), USE("option-def"),
    USE("reservations"), USE("decline-probation-period"), USE("echo-client-id"),
    USE("expired-leases-processing"), USE("multi-threading"), USE("loggers"),
    USE("ip-reservations-unique"), USE("client-classes"), USE("shared-networks"),
    USE("control-socket"), USE("control-sockets"), USE("hooks-libraries"),
    IGN("dhcp-ddns"), IGN("sanity-checks"), IGN("dhcp4o6-port"), IGN("server-tag"),
    IGN("config-control"), USE("statistic-default-sample-count"),
    USE("statistic-default-sample-age"), USE("metrics"), IGN("compatibility"),
    IGN("reservations-lookup-first"), IGN("early-global-reservations-lookup"),
    USE("parked-packet-limit"), IGN("dhcp-queue-control"), IGN("stash-agent-options"),
    { NULL, CK_END }
};

static void set_defaults(struct cfg4 *cfg)
{
    static const enum host_id_type ids[] = {
        HOST_ID_HWADDR, HOST_ID_DUID, HOST_ID_CIRCUIT_ID, HOST_ID_CLIENT_ID
    };

    cfg->socket_type = CFG_SOCKET_RAW;
    memcpy(cfg->host_ids, ids, sizeof(ids));
    cfg->n_host_ids = sizeof(ids) / sizeof(ids[0]);
    cfg->authoritative = false;
    cfg->decline_probation_period = 86400;
    cfg->echo_client_id = true;
    cfg->expired = (struct cfg_expired_leases){
        .reclaim_timer_wait_time = 10,
        .flush_reclaimed_timer_wait_time = 25,
        .hold_reclaimed_time = 3600,
        .max_reclaim_leases = 100,
        .max_reclaim_time = 250,
        .unwarned_reclaim_cycles = 5,
    };
    cfg->lease_db.persist = true;
    cfg->lease_db.lfc_interval = 3600;
    cfg->lease_db.max_row_errors = 0;
    cfg->mt = (struct cfg_mt){ .enable = true, .thread_pool_size = 0, .packet_queue_size = 64 };
    cfg->logging.severity = LOG_SEV_INFO;
    cfg->logging.debuglevel = 0;
    cfg->class_drop = -1;
}

static int parse_global(struct cfg_ctx *ctx, struct json_object *dhcp4)
{
    struct cfg4 *cfg = ctx->cfg;
    struct cfg_net global;

    if (cfg_check_keys(ctx, dhcp4, global_keys, cfg_net_keys) < 0)
        return -1;
    ctx->ip_reservations_unique = true;
    if (cfg_get_bool(ctx, dhcp4, "ip-reservations-unique", &ctx->ip_reservations_unique, NULL) < 0 ||
        cfg_get_u32(ctx, dhcp4, "decline-probation-period", &cfg->decline_probation_period, NULL) < 0 ||
        cfg_get_bool(ctx, dhcp4, "echo-client-id", &cfg->echo_client_id, NULL) < 0)
        return -1;
    if (cfg_interfaces_parse(ctx, dhcp4) < 0 || cfg_lease_db_parse(ctx, dhcp4) < 0 ||
        cfg_hosts_db_parse(ctx, dhcp4) < 0 || cfg_expired_parse(ctx, dhcp4) < 0 ||
        cfg_mt_parse(ctx, dhcp4) < 0 || cfg_loggers_parse(ctx, dhcp4) < 0 ||
        cfg_host_ids_parse(ctx, dhcp4) < 0 || cfg_ctrl_parse(ctx, dhcp4) < 0 ||
        cfg_hooks_parse(ctx, dhcp4) < 0 || cfg_stats_parse(ctx, dhcp4) < 0)
        return -1;
    if (cfg_net_parse(ctx, dhcp4, &global, NULL) < 0)
        return -1;
    /* Kept globally too: it decides NAKs when no subnet matches. */
    cfg->authoritative = global.has_authoritative && global.authoritative;
    /* Definitions first: option-data anywhere may use them by name. */
    if (cfg_option_defs_parse(ctx, dhcp4) < 0 ||
        cfg_options_parse(ctx, dhcp4, &cfg->options) < 0)
        return -1;
    /* Classes before reservations and subnets, whose lists name them. */
    if (cfg_classes_parse(ctx, dhcp4) < 0)
        return -1;
    if (cfg_reservations_parse(ctx, dhcp4, NULL, &cfg->hosts, &cfg->n_hosts) < 0)
        return -1;
    return cfg_subnets_parse(ctx, dhcp4, &global);
}

static void set_error(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_error(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

int cfg4_parse(const char *text, const char *origin, struct cfg4 **out,
               char *err, size_t errlen)
{
    struct cfg_ctx ctx;
    struct json_object *root = NULL, *dhcp4;
    char dummy[1];
    int rc = -1;

    if (out != NULL)
        *out = NULL;
    if (err == NULL || errlen == 0) {
        err = dummy;
        errlen = sizeof(dummy);
    }
    err[0] = '\0';
    if (text == NULL || out == NULL) {
        set_error(err, errlen, "invalid arguments");
        return -1;
    }
    if (origin == NULL)
        origin = "<config>";
    memset(&ctx, 0, sizeof(ctx));
    ctx.err = err;
    ctx.errlen = errlen;

    if (cfg_json_load(&ctx, text, origin, &root) < 0)
        goto out;
    if (!json_object_is_type(root, json_type_object)) {
        set_error(err, errlen, "%s:1:1: the top level must be a map holding \"Dhcp4\"", origin);
        goto out;
    }
    if (!json_object_object_get_ex(root, "Dhcp4", &dhcp4)) {
        set_error(err, errlen, "Dhcp4: not found in the top-level map");
        goto out;
    }
    ctx.cfg = calloc(1, sizeof(*ctx.cfg));
    if (ctx.cfg == NULL) {
        set_error(err, errlen, "%s: out of memory", origin);
        goto out;
    }
    set_defaults(ctx.cfg);
    cfg_path_key(&ctx, "Dhcp4");
    if (cfg_expect_type(&ctx, NULL, dhcp4, json_type_object) < 0 ||
        parse_global(&ctx, dhcp4) < 0 || cfg_index_build(&ctx) < 0)
        goto out;
    ctx.cfg->warnings = ctx.warnings.s;
    ctx.warnings.s = NULL;
    /* The config as JSON (comments gone) for config-get, config-write and
     * changes made through the control channel. */
    ctx.cfg->json_text = strdup(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN));
    if (ctx.cfg->json_text == NULL) {
        set_error(err, errlen, "%s: out of memory", origin);
        goto out;
    }
    *out = ctx.cfg;
    ctx.cfg = NULL;
    rc = 0;
out:
    cfg4_free(ctx.cfg);
    cfg_strbuf_free(&ctx.warnings);
    free(ctx.optbuf);
    json_object_put(root);
    return rc;
}

int cfg4_load_file(const char *path, struct cfg4 **out, char *err, size_t errlen)
{
    char dummy[1];
    struct stat st;
    char *buf = NULL;
    size_t got = 0;
    int fd, rc = -1;

    if (out != NULL)
        *out = NULL;
    if (err == NULL || errlen == 0) {
        err = dummy;
        errlen = sizeof(dummy);
    }
    if (path == NULL || out == NULL) {
        set_error(err, errlen, "invalid arguments");
        return -1;
    }
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        set_error(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) < 0) {
        set_error(err, errlen, "%s: cannot stat: %s", path, strerror(errno));
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        set_error(err, errlen, "%s: %s", path, "not a regular file");
        goto out;
    }
    if ((uint64_t)st.st_size > CFG_FILE_LIMIT) {
        set_error(err, errlen, "%s: %s", path, "the file is larger than 64 MiB");
        goto out;
    }
    buf = malloc((size_t)st.st_size + 1);
    if (buf == NULL) {
        set_error(err, errlen, "%s: %s", path, "out of memory");
        goto out;
    }
    /* Read to EOF but never past the size checked above (the file may grow
     * while we read it). */
    while (got < (size_t)st.st_size) {
        ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            set_error(err, errlen, "%s: read error: %s", path, strerror(errno));
            goto out;
        }
        if (r == 0)
            break;
        got += (size_t)r;
    }
    buf[got] = '\0';
    if (memchr(buf, '\0', got) != NULL) {
        set_error(err, errlen, "%s: %s", path, "the file contains a NUL byte");
        goto out;
    }
    if (cfg4_parse(buf, path, out, err, errlen) < 0)
        goto out;
    (*out)->source_path = strdup(path);
    if ((*out)->source_path == NULL) {
        cfg4_free(*out);
        *out = NULL;
        set_error(err, errlen, "%s: %s", path, "out of memory");
        goto out;
    }
    rc = 0;
out:
    free(buf);
    close(fd);
    return rc;
}

void cfg_options_free(struct cfg_options *o)
{
    for (size_t i = 0; i < o->n; i++) {
        free(o->v[i].data);
        cfg_class_list_free(&o->v[i].classes);
    }
    free(o->v);
    o->v = NULL;
    o->n = 0;
}

void cfg_host_free(struct cfg_host *h)
{
    free(h->hostname);
    free(h->server_hostname);
    free(h->boot_file_name);
    cfg_options_free(&h->options);
    cfg_class_list_free(&h->classes);
}

void cfg_subnet_free(struct cfg_subnet4 *s)
{
    free(s->interface);
    free(s->relay_addrs);
    for (size_t i = 0; i < s->n_pools; i++) {
        cfg_options_free(&s->pools[i].options);
        cfg_class_list_free(&s->pools[i].guard);
        cfg_class_list_free(&s->pools[i].additional);
    }
    cfg_class_list_free(&s->guard);
    cfg_class_list_free(&s->additional);
    free(s->pools);
    cfg_options_free(&s->options);
    for (size_t i = 0; i < s->n_hosts; i++)
        cfg_host_free(&s->hosts[i]);
    free(s->hosts);
    free(s->server_hostname);
    free(s->boot_file_name);
}

void cfg4_free(struct cfg4 *cfg)
{
    if (cfg == NULL)
        return;
    cfg_index_free(cfg->host_index);
    free(cfg->ifaces);
    for (size_t i = 0; i < cfg->n_subnets; i++)
        cfg_subnet_free(&cfg->subnets[i]);
    free(cfg->subnets);
    for (size_t i = 0; i < cfg->n_networks; i++)
        cfg_shared_free(&cfg->networks[i]);
    free(cfg->networks);
    cfg_options_free(&cfg->options);
    cfg_classes_free(cfg);
    free(cfg->option_defs);
    for (size_t i = 0; i < cfg->n_hosts; i++)
        cfg_host_free(&cfg->hosts[i]);
    free(cfg->hosts);
    free(cfg->lease_db.type);
    free(cfg->lease_db.name);
    for (size_t i = 0; i < cfg->n_hosts_dbs; i++) {
        free(cfg->hosts_dbs[i].type);
        free(cfg->hosts_dbs[i].name);
    }
    free(cfg->hosts_dbs);
    free(cfg->logging.output);
    free(cfg->ctrl_socket_path);
    free(cfg->source_path);
    free(cfg->warnings);
    free(cfg->json_text);
    cfg_hooks_free(cfg);
    free(cfg);
}
