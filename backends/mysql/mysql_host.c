/*
 * The MariaDB/MySQL host reservation store (hosts-database): reservations
 * by identifier or by address, per subnet (0 = global), in Kea's hosts
 * table layout. One connection guarded by a mutex, reopened after an
 * error; a readonly store also sets its session READ ONLY (as Kea does) so
 * that the database itself refuses writes.
 */
#include <errmsg.h>
#include <mysqld_error.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/mysql/mysql_int.h"
#include "backends/sql/sql_core.h"

#define HCOLS_HOST "h.dhcp4_subnet_id, h.dhcp_identifier_type, h.dhcp_identifier, " \
                   "COALESCE(h.ipv4_address, 0), COALESCE(h.dhcp4_next_server, 0), h.hostname, " \
                   "h.dhcp4_client_classes, h.dhcp4_server_hostname, h.dhcp4_boot_file_name"
#define HCOLS HCOLS_HOST ", o.code, o.value, o.formatted_value, o.persistent"
/* A reservation and its dhcp4 options in one round trip (one row per option). */
#define HFROM " FROM hosts h LEFT JOIN dhcp4_options o ON o.host_id = h.host_id AND o.space = 'dhcp4' "
#define NCOLS 13

enum { H_GET, H_GET_ADDR, H_ADD, H_DEL, H_PAGE, H_COUNT };
static const char *const hsql[H_COUNT] = {
    [H_GET] = "SELECT " HCOLS HFROM "WHERE h.dhcp_identifier = ? AND h.dhcp_identifier_type = ? "
              "AND h.dhcp4_subnet_id = ? ORDER BY o.option_id",
    [H_GET_ADDR] = "SELECT " HCOLS HFROM "WHERE h.ipv4_address = ? AND h.dhcp4_subnet_id = ? "
                   "ORDER BY o.option_id",
    [H_ADD] = "INSERT INTO hosts (dhcp4_subnet_id, dhcp_identifier_type, dhcp_identifier, ipv4_address, "
              "dhcp4_next_server, hostname, dhcp4_client_classes, dhcp4_server_hostname, "
              "dhcp4_boot_file_name) VALUES (?, ?, ?, NULLIF(?, 0), NULLIF(?, 0), ?, ?, ?, ?)",
    [H_DEL] = "DELETE FROM hosts WHERE dhcp_identifier = ? AND dhcp_identifier_type = ? "
              "AND dhcp4_subnet_id = ?",
    /* Pages list reservations without their options (the option columns are
     * NULL so the row binds like the lookups'), host_id last. */
    [H_PAGE] = "SELECT " HCOLS_HOST ", NULL, NULL, NULL, NULL, h.host_id FROM hosts h "
               "WHERE h.host_id > ? AND (? <> 0 OR h.dhcp4_subnet_id = ?) ORDER BY h.host_id LIMIT ?",
};

/* Row buffers, bound as parameters and results in HCOLS order. */
struct hrow {
    uint32_t subnet_id;
    uint8_t id_type;
    uint8_t id[BE_HOST_ID_MAX];
    unsigned long id_len;
    uint32_t addr, next_server;
    char hostname[BE_HOST_NAME_MAX];
    unsigned long hostname_len;
    char classes[BE_HOST_CLASSES_MAX];
    unsigned long classes_len;
    char sname[64];
    unsigned long sname_len;
    char file[128];
    unsigned long file_len;
    uint8_t opt_code;
    uint8_t opt_value[255];
    unsigned long opt_value_len;
    char opt_text[BE_HOST_OPT_TEXT_MAX];
    unsigned long opt_text_len;
    int8_t opt_persistent;
    my_bool is_null[NCOLS];
};

struct my_hosts {
    struct be_host_store base;
    pthread_mutex_t mu;
    struct sql_params_copy params;
    MYSQL *db;
    MYSQL_STMT *st[H_COUNT];
    struct hrow row;
    MYSQL_BIND b[NCOLS];
};

static void hdb_close(struct my_hosts *h)
{
    for (int i = 0; i < H_COUNT; i++) {
        if (h->st[i])
            mysql_stmt_close(h->st[i]);
        h->st[i] = NULL;
    }
    if (h->db)
        mysql_close(h->db);
    h->db = NULL;
}

static int hdb_open(struct my_hosts *h, char *err, size_t errlen)
{
    if (h->db != NULL)
        return 0;
    if ((h->db = my_db_open(&h->params.p, err, errlen)) == NULL)
        return LEASE_E_IO;
    if (h->params.p.readonly && mysql_query(h->db, "SET SESSION TRANSACTION READ ONLY") != 0) {
        snprintf(err, errlen, "cannot make the session read-only: %s", mysql_error(h->db));
        hdb_close(h);
        return LEASE_E_IO;
    }
    for (int i = 0; i < H_COUNT; i++) {
        /* A read-only session cannot even prepare writes; they are refused
         * before they get here anyway. */
        if (h->params.p.readonly && (i == H_ADD || i == H_DEL))
            continue;
        if ((h->st[i] = mysql_stmt_init(h->db)) == NULL ||
            mysql_stmt_prepare(h->st[i], hsql[i], (unsigned long)strlen(hsql[i])) != 0) {
            snprintf(err, errlen, "cannot prepare host statement %d: %s", i, mysql_error(h->db));
            hdb_close(h);
            return LEASE_E_IO;
        }
    }
    return 0;
}

static void bind_row(struct my_hosts *h)
{
    struct hrow *r = &h->row;
    MYSQL_BIND *b = h->b;

    memset(b, 0, sizeof(h->b));
    b[0] = (MYSQL_BIND){ .buffer_type = MYSQL_TYPE_LONG, .buffer = &r->subnet_id, .is_unsigned = 1 };
    b[1] = (MYSQL_BIND){ .buffer_type = MYSQL_TYPE_TINY, .buffer = &r->id_type, .is_unsigned = 1 };
    b[2] = (MYSQL_BIND){ .buffer_type = MYSQL_TYPE_BLOB, .buffer = r->id, .buffer_length = sizeof(r->id),
                         .length = &r->id_len };
    b[3] = (MYSQL_BIND){ .buffer_type = MYSQL_TYPE_LONG, .buffer = &r->addr, .is_unsigned = 1 };
    b[4] = (MYSQL_BIND){ .buffer_type = MYSQL_TYPE_LONG, .buffer = &r->next_server, .is_unsigned = 1 };
    b[5] = (MYSQL_BIND){ .buffer_type = MYSQL_TYPE_STRING, .buffer = r->hostname,
                         .buffer_length = sizeof(r->hostname), .length = &r->hostname_len };
    b[6] = (MYSQL_BIND){ .buffer_type = MYSQL_TYPE_STRING, .buffer = r->classes,
                         .buffer_length = sizeof(r->classes), .length = &r->classes_len };
    b[7] = (MYSQL_BIND){ .buffer_type = MYSQL_TYPE_STRING, .buffer = r->sname,
                         .buffer_length = sizeof(r->sname), .length = &r->sname_len };
    b[8] = (MYSQL_BIND){ .buffer_type = MYSQL_TYPE_STRING, .buffer = r->file,
                         .buffer_length = sizeof(r->file), .length = &r->file_len };
    b[9] = (MYSQL_BIND){ .buffer_type = MYSQL_TYPE_TINY, .buffer = &r->opt_code, .is_unsigned = 1 };
    b[10] = (MYSQL_BIND){ .buffer_type = MYSQL_TYPE_BLOB, .buffer = r->opt_value,
                          .buffer_length = sizeof(r->opt_value), .length = &r->opt_value_len };
    b[11] = (MYSQL_BIND){ .buffer_type = MYSQL_TYPE_STRING, .buffer = r->opt_text,
                          .buffer_length = sizeof(r->opt_text), .length = &r->opt_text_len };
    b[12] = (MYSQL_BIND){ .buffer_type = MYSQL_TYPE_TINY, .buffer = &r->opt_persistent };
    for (int i = 0; i < NCOLS; i++)
        b[i].is_null = &r->is_null[i];
}

static void copy_str(char *dst, size_t cap, const char *src, unsigned long len)
{
    size_t n = len < cap - 1 ? len : cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static void host_from_row(const struct hrow *r, struct be_host *out)
{
    memset(out, 0, offsetof(struct be_host, options));
    out->subnet_id = r->subnet_id;
    out->id_type = r->id_type;
    out->id_len = (uint8_t)r->id_len;
    memcpy(out->id, r->id, r->id_len);
    out->ipv4_address = r->addr;
    out->next_server = r->next_server;
    copy_str(out->hostname, sizeof(out->hostname), r->hostname, r->hostname_len);
    copy_str(out->client_classes, sizeof(out->client_classes), r->classes, r->classes_len);
    copy_str(out->server_hostname, sizeof(out->server_hostname), r->sname, r->sname_len);
    copy_str(out->boot_file_name, sizeof(out->boot_file_name), r->file, r->file_len);
}

/* The fetched row's host columns as a be_host (no options); false if a
 * length is out of range. */
static bool row_to_host(const struct hrow *r, struct be_host *out)
{
    if (r->id_len > BE_HOST_ID_MAX || r->hostname_len > BE_HOST_NAME_MAX ||
        r->classes_len > BE_HOST_CLASSES_MAX || r->sname_len > 64 || r->file_len > 128)
        return false;
    host_from_row(r, out);
    out->n_options = 0;
    return true;
}

/* The option of the current row, if it has one that fits. */
static void option_from_row(const struct hrow *r, struct be_host *out)
{
    if (r->is_null[9] || out->n_options >= BE_HOST_OPTIONS_MAX ||
        (!r->is_null[10] && r->opt_value_len > sizeof(r->opt_value)) ||
        (!r->is_null[11] && r->opt_text_len > sizeof(r->opt_text)))
        return;
    struct be_host_option *o = &out->options[out->n_options++];
    o->code = r->opt_code;
    o->persistent = !r->is_null[12] && r->opt_persistent != 0;
    o->value_len = r->is_null[10] ? 0 : (uint8_t)r->opt_value_len;
    memcpy(o->value, r->opt_value, o->value_len);
    if (r->is_null[11])
        o->formatted[0] = '\0';
    else
        copy_str(o->formatted, sizeof(o->formatted), r->opt_text, r->opt_text_len);
}

/* Run a lookup (statement already has its parameters bound): the host from
 * the first row, one option per row. */
static int fetch_host(struct my_hosts *h, MYSQL_STMT *s, struct be_host *out)
{
    struct hrow *r = &h->row;
    int rc, result = LEASE_E_NOT_FOUND;

    if (mysql_stmt_execute(s) != 0 || mysql_stmt_bind_result(s, h->b) != 0)
        return LEASE_E_IO;
    while ((rc = mysql_stmt_fetch(s)) == 0 || rc == MYSQL_DATA_TRUNCATED) {
        if (result == LEASE_E_NOT_FOUND) {
            /* A truncated host column means a row we cannot represent. */
            if (!row_to_host(r, out))
                break;
            result = 0;
        }
        option_from_row(r, out);
    }
    if (rc == 1)
        result = LEASE_E_IO;
    while (rc == 0 || rc == MYSQL_DATA_TRUNCATED)
        rc = mysql_stmt_fetch(s);   /* drain after a bad row */
    mysql_stmt_free_result(s);
    return result;
}

/* Execute with h->mu held: (re)connect, bind the key parameters from the
 * row, run, and drop the connection on a connection error. */
static int run(struct my_hosts *h, int id, struct be_host *out)
{
    char err[256];
    MYSQL_BIND par[9];
    int n, rc;

    if (hdb_open(h, err, sizeof(err)) != 0) {
        fprintf(stderr, "MYSQL_HOSTS_CONNECT_FAIL %s\n", err);
        return LEASE_E_IO;
    }
    bind_row(h);
    switch (id) {
    case H_GET:
    case H_DEL:
        par[0] = h->b[2];
        par[1] = h->b[1];
        par[2] = h->b[0];
        n = 3;
        break;
    case H_GET_ADDR:
        par[0] = h->b[3];
        par[1] = h->b[0];
        n = 2;
        break;
    default:
        memcpy(par, h->b, sizeof(par));
        n = 9;
        break;
    }
    for (int i = 0; i < n; i++)
        par[i].is_null = NULL;
    MYSQL_STMT *s = h->st[id];
    if (mysql_stmt_bind_param(s, par) != 0)
        return LEASE_E_IO;
    if (id == H_GET || id == H_GET_ADDR) {
        rc = fetch_host(h, s, out);
    } else if (mysql_stmt_execute(s) != 0) {
        unsigned e = mysql_stmt_errno(s);
        rc = e == ER_DUP_ENTRY ? LEASE_E_CONFLICT : LEASE_E_IO;
    } else {
        rc = id == H_DEL && mysql_stmt_affected_rows(s) == 0 ? LEASE_E_NOT_FOUND : 0;
    }
    if (rc == LEASE_E_IO) {
        unsigned e = mysql_stmt_errno(s) ? mysql_stmt_errno(s) : mysql_errno(h->db);
        if (e >= CR_MIN_ERROR && e <= CR_MAX_ERROR)
            hdb_close(h);
    }
    return rc;
}

static void set_key(struct hrow *r, uint32_t subnet_id, uint8_t type, const uint8_t *id, size_t len)
{
    r->subnet_id = subnet_id;
    r->id_type = type;
    memcpy(r->id, id, len);
    r->id_len = len;
}

static int h_get(struct be_host_store *s, uint32_t subnet_id, uint8_t id_type,
                 const uint8_t *id, size_t id_len, struct be_host *out)
{
    struct my_hosts *h = (struct my_hosts *)s;
    if (id_len == 0 || id_len > BE_HOST_ID_MAX)
        return LEASE_E_NOT_FOUND;
    pthread_mutex_lock(&h->mu);
    set_key(&h->row, subnet_id, id_type, id, id_len);
    int rc = run(h, H_GET, out);
    pthread_mutex_unlock(&h->mu);
    return rc;
}

static int h_get_by_addr(struct be_host_store *s, uint32_t subnet_id, uint32_t addr, struct be_host *out)
{
    struct my_hosts *h = (struct my_hosts *)s;
    pthread_mutex_lock(&h->mu);
    h->row.subnet_id = subnet_id;
    h->row.addr = addr;
    int rc = run(h, H_GET_ADDR, out);
    pthread_mutex_unlock(&h->mu);
    return rc;
}

static int h_add(struct be_host_store *s, const struct be_host *in)
{
    struct my_hosts *h = (struct my_hosts *)s;
    struct hrow *r = &h->row;

    if (h->params.p.readonly)
        return LEASE_E_INVALID;
    if (in->id_len == 0 || in->id_len > BE_HOST_ID_MAX ||
        !memchr(in->hostname, 0, sizeof(in->hostname)) ||
        !memchr(in->client_classes, 0, sizeof(in->client_classes)) ||
        !memchr(in->server_hostname, 0, sizeof(in->server_hostname)) ||
        !memchr(in->boot_file_name, 0, sizeof(in->boot_file_name)))
        return LEASE_E_INVALID;
    pthread_mutex_lock(&h->mu);
    set_key(r, in->subnet_id, in->id_type, in->id, in->id_len);
    r->addr = in->ipv4_address;
    r->next_server = in->next_server;
    r->hostname_len = strlen(in->hostname);
    memcpy(r->hostname, in->hostname, r->hostname_len);
    r->classes_len = strlen(in->client_classes);
    memcpy(r->classes, in->client_classes, r->classes_len);
    r->sname_len = strlen(in->server_hostname);
    memcpy(r->sname, in->server_hostname, r->sname_len);
    r->file_len = strlen(in->boot_file_name);
    memcpy(r->file, in->boot_file_name, r->file_len);
    int rc = run(h, H_ADD, NULL);
    pthread_mutex_unlock(&h->mu);
    return rc;
}

static int h_del(struct be_host_store *s, uint32_t subnet_id, uint8_t id_type,
                 const uint8_t *id, size_t id_len)
{
    struct my_hosts *h = (struct my_hosts *)s;
    if (h->params.p.readonly)
        return LEASE_E_INVALID;
    if (id_len == 0 || id_len > BE_HOST_ID_MAX)
        return LEASE_E_NOT_FOUND;
    pthread_mutex_lock(&h->mu);
    set_key(&h->row, subnet_id, id_type, id, id_len);
    int rc = run(h, H_DEL, NULL);
    pthread_mutex_unlock(&h->mu);
    return rc;
}

static void h_close(struct be_host_store *s)
{
    struct my_hosts *h = (struct my_hosts *)s;
    if (h == NULL)
        return;
    hdb_close(h);
    sql_params_free(&h->params);
    pthread_mutex_destroy(&h->mu);
    free(h);
}

/* One page of reservations, h->mu held. */
static int page_locked(struct my_hosts *h, bool all, uint32_t subnet_id, uint64_t *from,
                       size_t max, be_host_visit_fn fn, void *ctx)
{
    char err[256];
    unsigned long long after = *from, limit = max, host_id = 0;
    my_bool any = all;
    MYSQL_BIND par[4], res[NCOLS + 1];
    int n = 0, rc;

    if (hdb_open(h, err, sizeof(err)) != 0) {
        fprintf(stderr, "MYSQL_HOSTS_CONNECT_FAIL %s\n", err);
        return LEASE_E_IO;
    }
    bind_row(h);
    memset(par, 0, sizeof(par));
    par[0] = (MYSQL_BIND){ .buffer_type = MYSQL_TYPE_LONGLONG, .buffer = &after, .is_unsigned = 1 };
    par[1] = (MYSQL_BIND){ .buffer_type = MYSQL_TYPE_TINY, .buffer = &any };
    par[2] = (MYSQL_BIND){ .buffer_type = MYSQL_TYPE_LONG, .buffer = &subnet_id, .is_unsigned = 1 };
    par[3] = (MYSQL_BIND){ .buffer_type = MYSQL_TYPE_LONGLONG, .buffer = &limit, .is_unsigned = 1 };
    memcpy(res, h->b, sizeof(h->b));
    res[NCOLS] = (MYSQL_BIND){ .buffer_type = MYSQL_TYPE_LONGLONG, .buffer = &host_id, .is_unsigned = 1 };
    MYSQL_STMT *s = h->st[H_PAGE];
    if (mysql_stmt_bind_param(s, par) != 0 || mysql_stmt_execute(s) != 0 ||
        mysql_stmt_bind_result(s, res) != 0) {
        unsigned e = mysql_stmt_errno(s) ? mysql_stmt_errno(s) : mysql_errno(h->db);
        if (e >= CR_MIN_ERROR && e <= CR_MAX_ERROR)
            hdb_close(h);
        return LEASE_E_IO;
    }
    bool stop = false;
    while ((rc = mysql_stmt_fetch(s)) == 0 || rc == MYSQL_DATA_TRUNCATED) {
        struct be_host host;
        if (stop || rc != 0 || !row_to_host(&h->row, &host))
            continue;   /* drain; a row that does not fit is skipped */
        *from = host_id;
        n++;
        if (fn(&host, ctx) != 0)
            stop = true;
    }
    mysql_stmt_free_result(s);
    return rc == 1 ? LEASE_E_IO : n;
}

static int h_get_page(struct be_host_store *s, bool all_subnets, uint32_t subnet_id,
                      uint64_t *from, size_t max, be_host_visit_fn fn, void *ctx)
{
    struct my_hosts *h = (struct my_hosts *)s;
    pthread_mutex_lock(&h->mu);
    int rc = page_locked(h, all_subnets, subnet_id, from, max, fn, ctx);
    pthread_mutex_unlock(&h->mu);
    return rc;
}

static const struct be_host_ops my_host_ops = {
    .get = h_get, .get_by_addr = h_get_by_addr, .add = h_add, .del = h_del,
    .get_page = h_get_page, .close = h_close,
};

int mysql_host_open(const struct be_db_params *p, struct be_host_store **out,
                    char *err, size_t errlen)
{
    struct my_hosts *h = calloc(1, sizeof(*h));

    if (h == NULL || sql_params_copy(&h->params, p) != 0) {
        free(h);
        snprintf(err, errlen, "out of memory");
        return LEASE_E_NOMEM;
    }
    h->base.ops = &my_host_ops;
    pthread_mutex_init(&h->mu, NULL);
    /* Connect now: a bad configuration is reported at startup (Kea §11). */
    if (hdb_open(h, err, errlen) != 0) {
        h_close(&h->base);
        return LEASE_E_IO;
    }
    *out = &h->base;
    return 0;
}
