/*
 * The PostgreSQL host reservation store (hosts-database), Kea's hosts table
 * layout. One connection guarded by a mutex, reopened after it breaks;
 * statements prepared once per connection; a readonly store sets
 * default_transaction_read_only so that the server refuses writes too.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>

#include "backends/pgsql/pgsql_int.h"
#include "backends/sql/sql_core.h"

#define HCOLS_HOST "h.dhcp4_subnet_id, h.dhcp_identifier_type, h.dhcp_identifier, " \
                   "COALESCE(h.ipv4_address, 0), COALESCE(h.dhcp4_next_server, 0), h.hostname, " \
                   "h.dhcp4_client_classes, h.dhcp4_server_hostname, h.dhcp4_boot_file_name"
#define HCOLS HCOLS_HOST ", o.code, o.value, o.formatted_value, o.persistent"
/* A reservation and its dhcp4 options in one round trip (one row per option). */
#define HFROM " FROM hosts h LEFT JOIN dhcp4_options o ON o.host_id = h.host_id AND o.space = 'dhcp4' "
#define NCOLS 13

static const struct {
    const char *name, *sql;
} hst[] = {
    { "h_get", "SELECT " HCOLS HFROM "WHERE h.dhcp_identifier = $1 AND h.dhcp_identifier_type = $2 "
               "AND h.dhcp4_subnet_id = $3 ORDER BY o.option_id" },
    { "h_get_addr", "SELECT " HCOLS HFROM "WHERE h.ipv4_address = $1 AND h.dhcp4_subnet_id = $2 "
                    "ORDER BY o.option_id" },
    { "h_add", "INSERT INTO hosts (dhcp4_subnet_id, dhcp_identifier_type, dhcp_identifier, ipv4_address, "
               "dhcp4_next_server, hostname, dhcp4_client_classes, dhcp4_server_hostname, "
               "dhcp4_boot_file_name) VALUES ($1, $2, $3, NULLIF($4::bigint, 0), NULLIF($5::bigint, 0), "
               "$6, $7, $8, $9)" },
    { "h_del", "DELETE FROM hosts WHERE dhcp_identifier = $1 AND dhcp_identifier_type = $2 "
               "AND dhcp4_subnet_id = $3" },
    /* Pages list reservations without options (NULL option columns, so the
     * row decodes like a lookup's), host_id last. */
    { "h_page", "SELECT " HCOLS_HOST ", NULL, NULL, NULL, NULL, h.host_id FROM hosts h "
                "WHERE h.host_id > $1 AND ($2::int <> 0 OR h.dhcp4_subnet_id = $3) "
                "ORDER BY h.host_id LIMIT $4" },
};
enum { H_GET, H_GET_ADDR, H_ADD, H_DEL, H_PAGE, H_COUNT };

struct pg_hosts {
    struct be_host_store base;
    pthread_mutex_t mu;
    struct sql_params_copy params;
    PGconn *db;
};

static int hdb_open(struct pg_hosts *h, char *err, size_t errlen)
{
    if (h->db != NULL && PQstatus(h->db) == CONNECTION_OK)
        return 0;
    PQfinish(h->db);
    if ((h->db = pg_db_open(&h->params.p, err, errlen)) == NULL)
        return LEASE_E_IO;
    if (h->params.p.readonly)
        PQclear(PQexec(h->db, "SET default_transaction_read_only = on"));
    for (int i = 0; i < H_COUNT; i++) {
        PGresult *r = PQprepare(h->db, hst[i].name, hst[i].sql, 0, NULL);
        bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        PQclear(r);
        if (!ok) {
            snprintf(err, errlen, "cannot prepare %s: %s", hst[i].name, PQerrorMessage(h->db));
            PQfinish(h->db);
            h->db = NULL;
            return LEASE_E_IO;
        }
    }
    return 0;
}

/* Integers as text, the identifier binary. */
struct hpar {
    char num[9][24];
    const char *v[9];
    int len[9], fmt[9];
    int n;
};

static void h_int(struct hpar *p, int64_t x)
{
    snprintf(p->num[p->n], sizeof(p->num[p->n]), "%lld", (long long)x);
    p->v[p->n] = p->num[p->n];
    p->len[p->n] = 0;
    p->fmt[p->n] = 0;
    p->n++;
}

static void h_bytes(struct hpar *p, const void *b, size_t len)
{
    p->v[p->n] = len ? (const char *)b : "";
    p->len[p->n] = (int)len;
    p->fmt[p->n] = 1;
    p->n++;
}

static void h_text(struct hpar *p, const char *s)
{
    p->v[p->n] = s;
    p->len[p->n] = 0;
    p->fmt[p->n] = 0;
    p->n++;
}

static void copy_field(char *dst, size_t cap, const PGresult *r, int row, int col)
{
    size_t n = (size_t)PQgetlength(r, row, col);
    if (n > cap - 1)
        n = cap - 1;
    memcpy(dst, PQgetvalue(r, row, col), n);
    dst[n] = '\0';
}

/* bytea in text format is "\x" followed by hex digits. Returns the length,
 * or -1 when it is not that or longer than cap. */
static int unhex_bytea(const char *text, uint8_t *out, size_t cap)
{
    size_t n = strlen(text);
    if (n < 2 || text[0] != '\\' || text[1] != 'x' || (n - 2) % 2 || (n - 2) / 2 > cap)
        return -1;
    for (size_t i = 0; i < (n - 2) / 2; i++) {
        unsigned b;
        if (sscanf(text + 2 + 2 * i, "%2x", &b) != 1)
            return -1;
        out[i] = (uint8_t)b;
    }
    return (int)((n - 2) / 2);
}

/* The host columns of one row (no options); false when it does not fit. */
static bool host_row(const PGresult *r, int row, struct be_host *out)
{
    int idl;

    memset(out, 0, offsetof(struct be_host, options));
    if ((idl = unhex_bytea(PQgetvalue(r, row, 2), out->id, BE_HOST_ID_MAX)) <= 0)
        return false;
    out->id_len = (uint8_t)idl;
    out->subnet_id = (uint32_t)strtoul(PQgetvalue(r, row, 0), NULL, 10);
    out->id_type = (uint8_t)atoi(PQgetvalue(r, row, 1));
    out->ipv4_address = (uint32_t)strtoul(PQgetvalue(r, row, 3), NULL, 10);
    out->next_server = (uint32_t)strtoul(PQgetvalue(r, row, 4), NULL, 10);
    copy_field(out->hostname, sizeof(out->hostname), r, row, 5);
    copy_field(out->client_classes, sizeof(out->client_classes), r, row, 6);
    copy_field(out->server_hostname, sizeof(out->server_hostname), r, row, 7);
    copy_field(out->boot_file_name, sizeof(out->boot_file_name), r, row, 8);
    out->n_options = 0;
    return true;
}

/* The host from row 0, one option per row (LEFT JOIN: code NULL = none). */
static int host_from_result(const PGresult *r, struct be_host *out)
{
    if (PQntuples(r) == 0 || PQnfields(r) != NCOLS || !host_row(r, 0, out))
        return LEASE_E_NOT_FOUND;
    for (int row = 0; row < PQntuples(r) && out->n_options < BE_HOST_OPTIONS_MAX; row++) {
        if (PQgetisnull(r, row, 9) || PQgetlength(r, row, 11) > BE_HOST_OPT_TEXT_MAX)
            continue;
        struct be_host_option *o = &out->options[out->n_options];
        int vl = 0;
        if (!PQgetisnull(r, row, 10) &&
            (vl = unhex_bytea(PQgetvalue(r, row, 10), o->value, sizeof(o->value))) < 0)
            continue;
        o->code = (uint8_t)atoi(PQgetvalue(r, row, 9));
        o->value_len = (uint8_t)vl;
        o->persistent = PQgetvalue(r, row, 12)[0] == 't';
        copy_field(o->formatted, sizeof(o->formatted), r, row, 11);
        out->n_options++;
    }
    return 0;
}

/* Run statement id with h->mu held. Lookups fill out from the first row. */
static int run(struct pg_hosts *h, int id, const struct hpar *p, struct be_host *out)
{
    char err[256];

    if (hdb_open(h, err, sizeof(err)) != 0) {
        fprintf(stderr, "PGSQL_HOSTS_CONNECT_FAIL %s\n", err);
        return LEASE_E_IO;
    }
    /* Lookups in text format: every column is a short string or a number. */
    PGresult *r = PQexecPrepared(h->db, hst[id].name, p->n, p->v, p->len, p->fmt, 0);
    ExecStatusType s = PQresultStatus(r);
    int rc = 0;

    if (s == PGRES_TUPLES_OK) {
        rc = host_from_result(r, out);
    } else if (s == PGRES_COMMAND_OK) {
        rc = id == H_DEL && strcmp(PQcmdTuples(r), "0") == 0 ? LEASE_E_NOT_FOUND : 0;
    } else {
        const char *st = PQresultErrorField(r, PG_DIAG_SQLSTATE);
        rc = st && strcmp(st, "23505") == 0 ? LEASE_E_CONFLICT : LEASE_E_IO;
        if (rc == LEASE_E_IO)
            fprintf(stderr, "PGSQL_HOSTS_FAIL %s", PQerrorMessage(h->db));
    }
    PQclear(r);
    return rc;
}

/* A statement keyed on (identifier, type, subnet): the lookup and the delete. */
static int run_keyed(struct pg_hosts *h, int stmt, uint32_t subnet_id, uint8_t id_type,
                     const uint8_t *id, size_t id_len, struct be_host *out)
{
    struct hpar p = { .n = 0 };

    if (id_len == 0 || id_len > BE_HOST_ID_MAX)
        return LEASE_E_NOT_FOUND;
    h_bytes(&p, id, id_len);
    h_int(&p, id_type);
    h_int(&p, subnet_id);
    pthread_mutex_lock(&h->mu);
    int rc = run(h, stmt, &p, out);
    pthread_mutex_unlock(&h->mu);
    return rc;
}

static int h_get(struct be_host_store *s, uint32_t subnet_id, uint8_t id_type,
                 const uint8_t *id, size_t id_len, struct be_host *out)
{
    return run_keyed((struct pg_hosts *)s, H_GET, subnet_id, id_type, id, id_len, out);
}

static int h_get_by_addr(struct be_host_store *s, uint32_t subnet_id, uint32_t addr, struct be_host *out)
{
    struct pg_hosts *h = (struct pg_hosts *)s;
    struct hpar p = { .n = 0 };

    h_int(&p, addr);
    h_int(&p, subnet_id);
    pthread_mutex_lock(&h->mu);
    int rc = run(h, H_GET_ADDR, &p, out);
    pthread_mutex_unlock(&h->mu);
    return rc;
}

static int h_add(struct be_host_store *s, const struct be_host *in)
{
    struct pg_hosts *h = (struct pg_hosts *)s;
    struct hpar p = { .n = 0 };

    if (h->params.p.readonly)
        return LEASE_E_INVALID;
    if (in->id_len == 0 || in->id_len > BE_HOST_ID_MAX ||
        !memchr(in->hostname, 0, sizeof(in->hostname)) ||
        !memchr(in->client_classes, 0, sizeof(in->client_classes)) ||
        !memchr(in->server_hostname, 0, sizeof(in->server_hostname)) ||
        !memchr(in->boot_file_name, 0, sizeof(in->boot_file_name)))
        return LEASE_E_INVALID;
    h_int(&p, in->subnet_id);
    h_int(&p, in->id_type);
    h_bytes(&p, in->id, in->id_len);
    h_int(&p, in->ipv4_address);
    h_int(&p, in->next_server);
    h_text(&p, in->hostname);
    h_text(&p, in->client_classes);
    h_text(&p, in->server_hostname);
    h_text(&p, in->boot_file_name);
    pthread_mutex_lock(&h->mu);
    int rc = run(h, H_ADD, &p, NULL);
    pthread_mutex_unlock(&h->mu);
    return rc;
}

static int h_del(struct be_host_store *s, uint32_t subnet_id, uint8_t id_type,
                 const uint8_t *id, size_t id_len)
{
    struct pg_hosts *h = (struct pg_hosts *)s;

    if (h->params.p.readonly)
        return LEASE_E_INVALID;
    return run_keyed(h, H_DEL, subnet_id, id_type, id, id_len, NULL);
}

static void h_close(struct be_host_store *s)
{
    struct pg_hosts *h = (struct pg_hosts *)s;
    if (h == NULL)
        return;
    PQfinish(h->db);
    sql_params_free(&h->params);
    pthread_mutex_destroy(&h->mu);
    free(h);
}

static int h_get_page(struct be_host_store *s, bool all_subnets, uint32_t subnet_id,
                      uint64_t *from, size_t max, be_host_visit_fn fn, void *ctx)
{
    struct pg_hosts *h = (struct pg_hosts *)s;
    struct hpar p = { .n = 0 };
    char err[256];
    int n = 0;

    if (max > INT32_MAX)
        max = INT32_MAX;
    h_int(&p, (int64_t)(*from > INT64_MAX ? INT64_MAX : *from));
    h_int(&p, all_subnets);
    h_int(&p, subnet_id);
    h_int(&p, (int64_t)max);
    pthread_mutex_lock(&h->mu);
    if (hdb_open(h, err, sizeof(err)) != 0) {
        pthread_mutex_unlock(&h->mu);
        fprintf(stderr, "PGSQL_HOSTS_CONNECT_FAIL %s\n", err);
        return LEASE_E_IO;
    }
    PGresult *r = PQexecPrepared(h->db, hst[H_PAGE].name, p.n, p.v, p.len, p.fmt, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQnfields(r) != NCOLS + 1) {
        fprintf(stderr, "PGSQL_HOSTS_FAIL %s", PQerrorMessage(h->db));
        n = LEASE_E_IO;
    } else {
        for (int i = 0; i < PQntuples(r); i++) {
            struct be_host host;
            if (!host_row(r, i, &host))
                continue;
            *from = strtoull(PQgetvalue(r, i, NCOLS), NULL, 10);
            n++;
            if (fn(&host, ctx) != 0)
                break;
        }
    }
    PQclear(r);
    pthread_mutex_unlock(&h->mu);
    return n;
}

static const struct be_host_ops pg_host_ops = {
    .get = h_get, .get_by_addr = h_get_by_addr, .add = h_add, .del = h_del,
    .get_page = h_get_page, .close = h_close,
};

int pgsql_host_open(const struct be_db_params *p, struct be_host_store **out,
                    char *err, size_t errlen)
{
    struct pg_hosts *h = calloc(1, sizeof(*h));

    if (h == NULL || sql_params_copy(&h->params, p) != 0) {
        free(h);
        snprintf(err, errlen, "out of memory");
        return LEASE_E_NOMEM;
    }
    h->base.ops = &pg_host_ops;
    pthread_mutex_init(&h->mu, NULL);
    if (hdb_open(h, err, errlen) != 0) {
        h_close(&h->base);
        return LEASE_E_IO;
    }
    *out = &h->base;
    return 0;
}
