/*
 * dora_pgsql.so: the PostgreSQL lease store (libpq), a driver for
 * backends/sql/sql_core.c. Statements are prepared once per connection;
 * results come in binary format (no text parsing of integers).
 *
 * Batch (apply_batch): BEGIN, one conditional statement per change and
 * COMMIT, sent in libpq pipeline mode, so a batch costs a few round trips
 * however many changes it holds, and the COMMIT is its one WAL flush
 * (synchronous_commit=on).
 *  - ADD: INSERT ... ON CONFLICT (address) DO UPDATE ... WHERE the stored
 *    lease has expired: 0 rows = the address is taken = conflict. No error
 *    is raised, so the transaction goes on. Consecutive ADDs of distinct
 *    addresses go as one multi-row INSERT (pgsql_multi.c).
 *  - UPDATE / DELETE: ... WHERE address = $ AND expire = <expire last seen>.
 * Serialization failure (40001) and deadlock (40P01) roll back and rerun.
 */
#include <arpa/inet.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/module.h"
#include "backends/sql/schema_version.h"
#include "backends/sql/sql_core.h"
#include "backends/pgsql/pgsql_int.h"

#define COLS "address, hwaddr, client_id, valid_lifetime, expire, subnet_id, pool_id, " \
             "fqdn_fwd, fqdn_rev, hostname, state"
#define NCOLS 11
#define PIPE_CHUNK 256   /* statements per pipeline sync: bounds unread results */
#define ON_CONFLICT_EXPIRED \
    "ON CONFLICT (address) DO UPDATE SET hwaddr = EXCLUDED.hwaddr, client_id = EXCLUDED.client_id, " \
    "valid_lifetime = EXCLUDED.valid_lifetime, expire = EXCLUDED.expire, " \
    "subnet_id = EXCLUDED.subnet_id, pool_id = EXCLUDED.pool_id, fqdn_fwd = EXCLUDED.fqdn_fwd, " \
    "fqdn_rev = EXCLUDED.fqdn_rev, hostname = EXCLUDED.hostname, state = EXCLUDED.state " \
    "WHERE lease4.expire <= $12 AND lease4.valid_lifetime <> 4294967295"

enum stmt_id {
    S_GET_ADDR, S_GET_HW, S_GET_HW_SUBNET, S_GET_CID, S_GET_CID_SUBNET, S_GET_EXPIRED, S_GET_ALL,
    S_ADD, S_ADD_RUN, S_UPDATE, S_DELETE, S_COUNT
};

static const struct {
    const char *name, *sql;
    int nparams;
} stmts[S_COUNT] = {
    [S_GET_ADDR] = { "get_addr", "SELECT " COLS " FROM lease4 WHERE address = $1", 1 },
    [S_GET_HW] = { "get_hw", "SELECT " COLS " FROM lease4 WHERE hwaddr = $1", 1 },
    [S_GET_HW_SUBNET] = { "get_hw_subnet", "SELECT " COLS " FROM lease4 WHERE hwaddr = $1 AND subnet_id = $2", 2 },
    [S_GET_CID] = { "get_cid", "SELECT " COLS " FROM lease4 WHERE client_id = $1", 1 },
    [S_GET_CID_SUBNET] = { "get_cid_subnet", "SELECT " COLS " FROM lease4 WHERE client_id = $1 AND subnet_id = $2", 2 },
    [S_GET_EXPIRED] = { "get_expired", "SELECT " COLS " FROM lease4 WHERE state IN (0, 1) AND expire <= $1 "
                        "AND valid_lifetime <> 4294967295 ORDER BY expire LIMIT $2", 2 },
    [S_GET_ALL] = { "get_all", "SELECT " COLS " FROM lease4 ORDER BY address", 0 },
    [S_ADD] = { "add", "INSERT INTO lease4 (" COLS ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) "
                ON_CONFLICT_EXPIRED, 12 },
    /* pgsql_multi.c: a run of inserts, one array per column. */
    [S_ADD_RUN] = { "add_run", "INSERT INTO lease4 (" COLS ") SELECT * FROM unnest($1::bigint[], "
                    "$2::bytea[], $3::bytea[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[], "
                    "$8::boolean[], $9::boolean[], $10::bytea[], $11::smallint[]) "
                    ON_CONFLICT_EXPIRED " RETURNING address", 12 },
    [S_UPDATE] = { "update", "UPDATE lease4 SET hwaddr = $2, client_id = $3, valid_lifetime = $4, expire = $5, "
                   "subnet_id = $6, pool_id = $7, fqdn_fwd = $8, fqdn_rev = $9, hostname = $10, state = $11 "
                   "WHERE address = $1 AND expire = $12", 12 },
    [S_DELETE] = { "delete", "DELETE FROM lease4 WHERE address = $1 AND expire = $2", 2 },
};

struct pg_unit;
struct pg_conn {
    PGconn *db;
    struct pg_unit *units;   /* apply_batch's statement plan, reused */
    size_t ucap;
};

/* Parameters of one statement: integers as text, byte strings binary. */
struct pg_params {
    char num[12][24];
    const char *values[12];
    int lengths[12];
    int formats[12];
    int n;
};

static void p_int(struct pg_params *p, int64_t v)
{
    snprintf(p->num[p->n], sizeof(p->num[p->n]), "%lld", (long long)v);
    p->values[p->n] = p->num[p->n];
    p->lengths[p->n] = 0;
    p->formats[p->n] = 0;
    p->n++;
}

static void p_bytes(struct pg_params *p, const void *b, size_t len)
{
    p->values[p->n] = len ? (const char *)b : "";
    p->lengths[p->n] = (int)len;
    p->formats[p->n] = 1;
    p->n++;
}

static void p_bool(struct pg_params *p, bool v)
{
    p->values[p->n] = v ? "t" : "f";
    p->lengths[p->n] = 0;
    p->formats[p->n] = 0;
    p->n++;
}

/* $1..$11 = the lease's columns. */
static void p_lease(struct pg_params *p, const struct lease4 *l)
{
    p_int(p, l->addr);
    p_bytes(p, l->hwaddr, l->hwaddr_len);
    p_bytes(p, l->client_id, l->client_id_len);
    p_int(p, l->valid_lft);
    p_int(p, sql_expire(l));
    p_int(p, l->subnet_id);
    p_int(p, l->pool_id);
    p_bool(p, l->fqdn_fwd);
    p_bool(p, l->fqdn_rev);
    p_bytes(p, l->hostname, strnlen(l->hostname, LEASE_HOSTNAME_MAX));
    p_int(p, l->state);
}

static int64_t get_int(const PGresult *r, int row, int col, bool *ok)
{
    const unsigned char *v = (const unsigned char *)PQgetvalue(r, row, col);
    int len = PQgetlength(r, row, col);
    int64_t x = 0;

    if (PQgetisnull(r, row, col) || (len != 2 && len != 4 && len != 8)) {
        *ok = false;
        return 0;
    }
    for (int i = 0; i < len; i++)
        x = (int64_t)((uint64_t)x << 8 | v[i]);
    if (len == 2)
        x = (int16_t)x;
    else if (len == 4)
        x = (int32_t)x;
    return x;
}

/* Every length from the server is checked against our buffers. */
static int lease_from_result(const PGresult *r, int row, struct lease4 *l)
{
    bool ok = true;
    int hl = PQgetlength(r, row, 1), cl = PQgetlength(r, row, 2), nl = PQgetlength(r, row, 9);

    if (PQnfields(r) != NCOLS || hl > LEASE_HWADDR_MAX || cl > LEASE_CLIENT_ID_MAX ||
        nl > LEASE_HOSTNAME_MAX || PQgetlength(r, row, 7) != 1 || PQgetlength(r, row, 8) != 1)
        return LEASE_E_INVALID;
    memset(l, 0, sizeof(*l));
    int64_t addr = get_int(r, row, 0, &ok), valid = get_int(r, row, 3, &ok);
    int64_t expire = get_int(r, row, 4, &ok), subnet = get_int(r, row, 5, &ok);
    int64_t pool = get_int(r, row, 6, &ok), state = get_int(r, row, 10, &ok);
    if (!ok || addr < 0 || addr > UINT32_MAX || valid < 0 || valid > UINT32_MAX ||
        subnet < 0 || subnet > UINT32_MAX || pool < 0 || pool > UINT32_MAX ||
        state < 0 || state > LEASE_STATE_RELEASED)
        return LEASE_E_INVALID;
    l->addr = (uint32_t)addr;
    l->valid_lft = (uint32_t)valid;
    l->cltt = expire - valid;
    l->subnet_id = (uint32_t)subnet;
    l->pool_id = (uint32_t)pool;
    l->state = (uint8_t)state;
    l->hwaddr_len = (uint8_t)hl;
    memcpy(l->hwaddr, PQgetvalue(r, row, 1), (size_t)hl);
    l->client_id_len = (uint8_t)cl;
    memcpy(l->client_id, PQgetvalue(r, row, 2), (size_t)cl);
    l->fqdn_fwd = PQgetvalue(r, row, 7)[0] != 0;
    l->fqdn_rev = PQgetvalue(r, row, 8)[0] != 0;
    memcpy(l->hostname, PQgetvalue(r, row, 9), (size_t)nl);
    l->hostname[nl] = '\0';
    return 0;
}

static void pg_disconnect(void *p)
{
    struct pg_conn *c = p;
    if (c == NULL)
        return;
    PQfinish(c->db);
    free(c->units);
    free(c);
}

static int check_schema(PGconn *db, const char *name, char *err, size_t errlen)
{
    PGresult *r = PQexec(db, "SELECT version, minor FROM schema_version");
    int rc = -1;

    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
        if (state && strcmp(state, "42P01") == 0)
            snprintf(err, errlen, "database '%s' has no dora schema: run dora-admin db-init", name);
        else
            snprintf(err, errlen, "cannot read the schema version: %s", PQerrorMessage(db));
    } else if (PQntuples(r) != 1) {
        snprintf(err, errlen, "database '%s': schema_version is empty: run dora-admin db-init", name);
    } else {
        int major = atoi(PQgetvalue(r, 0, 0)), minor = atoi(PQgetvalue(r, 0, 1));
        const char *advice = sql_schema_advice(major, minor);
        if (advice != NULL)
            snprintf(err, errlen, "database '%s' has schema version %d.%d, this dorad needs %d.%d: "
                     "the database is %s", name, major, minor, SQL_SCHEMA_MAJOR, SQL_SCHEMA_MINOR, advice);
        else
            rc = 0;
    }
    PQclear(r);
    return rc;
}

PGconn *pg_db_open(const struct be_db_params *p, char *err, size_t errlen)
{
    const char *keys[16], *vals[16];
    char port[8], ct[16], tut[16];
    int n = 0;
#define KV(k, v) do { keys[n] = (k); vals[n] = (v); n++; } while (0)
    KV("dbname", p->name);
    if (p->host[0])
        KV("host", p->host);
    if (p->port) {
        snprintf(port, sizeof(port), "%u", (unsigned)p->port);
        KV("port", port);
    }
    if (p->user[0])
        KV("user", p->user);
    if (p->password[0])
        KV("password", p->password);
    snprintf(ct, sizeof(ct), "%u", (unsigned)p->connect_timeout);
    KV("connect_timeout", ct);
    if (p->tcp_user_timeout) {
        /* libpq takes milliseconds, Kea's parameter is seconds. */
        snprintf(tut, sizeof(tut), "%llu", (unsigned long long)p->tcp_user_timeout * 1000);
        KV("tcp_user_timeout", tut);
    }
    /* Kea §11: with PostgreSQL the TLS parameters switch SSL on. */
    if (p->trust_anchor[0] || p->cert_file[0] || p->key_file[0]) {
        KV("sslmode", p->trust_anchor[0] ? "verify-ca" : "require");
        if (p->trust_anchor[0])
            KV("sslrootcert", p->trust_anchor);
        if (p->cert_file[0])
            KV("sslcert", p->cert_file);
        if (p->key_file[0])
            KV("sslkey", p->key_file);
    }
    KV(NULL, NULL);
#undef KV
    PGconn *db = PQconnectdbParams(keys, vals, 0);
    if (db == NULL || PQstatus(db) != CONNECTION_OK) {
        snprintf(err, errlen, "cannot connect to PostgreSQL database '%s' on %s: %s", p->name,
                 p->host[0] ? p->host : "localhost", db ? PQerrorMessage(db) : "out of memory");
        PQfinish(db);
        return NULL;
    }
    if (check_schema(db, p->name, err, errlen) < 0) {
        PQfinish(db);
        return NULL;
    }
    return db;
}

static void *pg_connect(const struct be_db_params *p, char *err, size_t errlen)
{
    struct pg_conn *c = calloc(1, sizeof(*c));

    if (c == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if ((c->db = pg_db_open(p, err, errlen)) == NULL) {
        free(c);
        return NULL;
    }
    for (int i = 0; i < S_COUNT; i++) {
        PGresult *r = PQprepare(c->db, stmts[i].name, stmts[i].sql, stmts[i].nparams, NULL);
        bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        PQclear(r);
        if (!ok) {
            snprintf(err, errlen, "cannot prepare %s: %s", stmts[i].name, PQerrorMessage(c->db));
            pg_disconnect(c);
            return NULL;
        }
    }
    return c;
}

static PGresult *exec_stmt(struct pg_conn *c, enum stmt_id id, const struct pg_params *p)
{
    return PQexecPrepared(c->db, stmts[id].name, p ? p->n : 0, p ? p->values : NULL,
                          p ? p->lengths : NULL, p ? p->formats : NULL, 1);
}

static int rows_to(struct pg_conn *c, PGresult *r, sql_row_fn fn, void *ctx)
{
    struct lease4 l;
    int n = 0;

    (void)c;
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        PQclear(r);
        return LEASE_E_IO;
    }
    for (int i = 0; i < PQntuples(r); i++) {
        if (lease_from_result(r, i, &l) != 0)
            continue;   /* a row outside our limits is skipped */
        n++;
        if (fn(&l, ctx) != 0)
            break;
    }
    PQclear(r);
    return n;
}

static int copy_first(const struct lease4 *l, void *ctx)
{
    *(struct lease4 *)ctx = *l;
    return 1;
}

static int pg_get_by_addr(void *p, uint32_t addr, struct lease4 *out)
{
    struct pg_conn *c = p;
    struct pg_params par = { .n = 0 };

    p_int(&par, addr);
    int n = rows_to(c, exec_stmt(c, S_GET_ADDR, &par), copy_first, out);
    return n < 0 ? n : n == 0 ? LEASE_E_NOT_FOUND : 0;
}

static int pg_query(void *p, const struct sql_query *q, sql_row_fn fn, void *ctx)
{
    struct pg_conn *c = p;
    struct pg_params par = { .n = 0 };
    enum stmt_id id;

    switch (q->kind) {
    case SQL_Q_HWADDR:
    case SQL_Q_CLIENT_ID:
        p_bytes(&par, q->key, q->key_len);
        if (q->subnet_id)
            p_int(&par, q->subnet_id);
        id = q->kind == SQL_Q_HWADDR ? (q->subnet_id ? S_GET_HW_SUBNET : S_GET_HW)
                                     : (q->subnet_id ? S_GET_CID_SUBNET : S_GET_CID);
        break;
    case SQL_Q_EXPIRED:
        p_int(&par, q->now);
        p_int(&par, (int64_t)q->max);
        id = S_GET_EXPIRED;
        break;
    default:
        id = S_GET_ALL;
        break;
    }
    return rows_to(c, exec_stmt(c, id, &par), fn, ctx);
}

/* Outcome of a failed batch from the first error's SQLSTATE. */
static int classify(const PGresult *r)
{
    const char *st = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    if (st && (strcmp(st, "40001") == 0 || strcmp(st, "40P01") == 0))
        return SQL_E_RETRY;
    return LEASE_E_IO;
}

static bool send_op(struct pg_conn *c, const struct sql_op *op, int64_t now)
{
    struct pg_params par = { .n = 0 };
    enum stmt_id id;

    switch (op->op) {
    case LEASE_OP_ADD:
        p_lease(&par, &op->lease);
        p_int(&par, now);
        id = S_ADD;
        break;
    case LEASE_OP_UPDATE:
        p_lease(&par, &op->lease);
        p_int(&par, op->old_expire);
        id = S_UPDATE;
        break;
    default:
        p_int(&par, op->lease.addr);
        p_int(&par, op->old_expire);
        id = S_DELETE;
        break;
    }
    return PQsendQueryPrepared(c->db, stmts[id].name, par.n, par.values, par.lengths,
                               par.formats, 1) == 1;
}

static bool send_plain(struct pg_conn *c, const char *sql)
{
    return PQsendQueryParams(c->db, sql, 0, NULL, NULL, NULL, NULL, 0) == 1;
}

/* Read the result of one pipelined statement (and its NULL terminator):
 * a single op (run == 0; op may be NULL for BEGIN/COMMIT) or a multi-row
 * ADD of run ops. Returns 0, or the batch outcome on an error. */
static int read_one(struct pg_conn *c, struct sql_op *op, size_t run, int *first_err)
{
    PGresult *r = PQgetResult(c->db);
    int rc = 0;

    if (r == NULL)
        return LEASE_E_IO;
    ExecStatusType s = PQresultStatus(r);
    if (run > 0 && s == PGRES_TUPLES_OK) {
        pg_mark_add_run(r, op, run);
    } else if (run == 0 && s == PGRES_COMMAND_OK) {
        if (op != NULL && strcmp(PQcmdTuples(r), "0") == 0)
            op->result = LEASE_E_CONFLICT;
    } else {
        if (*first_err == 0) {
            *first_err = s == PGRES_PIPELINE_ABORTED ? LEASE_E_IO : classify(r);
            /* Deadlocks and serialization failures are rerun, not failures. */
            if (s != PGRES_PIPELINE_ABORTED && *first_err != SQL_E_RETRY)
                fprintf(stderr, "PGSQL_BATCH_FAIL batch failed: %s", PQresultErrorMessage(r));
        }
        rc = *first_err;
    }
    PQclear(r);
    r = PQgetResult(c->db);   /* the NULL that ends this statement's results */
    if (r != NULL) {
        PQclear(r);
        return LEASE_E_IO;
    }
    return rc;
}

static int read_sync(struct pg_conn *c)
{
    PGresult *r = PQgetResult(c->db);
    int ok = r != NULL && PQresultStatus(r) == PGRES_PIPELINE_SYNC;
    PQclear(r);
    return ok ? 0 : LEASE_E_IO;
}

/* The batch as statements: runs of inserts (pgsql_multi.c) and single ops. */
struct pg_unit {
    size_t at, n;
    bool run;
};

static int pg_apply_batch(void *p, struct sql_op *ops, size_t n, int64_t now)
{
    struct pg_conn *c = p;
    int first_err = 0;
    size_t nu = 0;

    if (c->ucap < n) {
        struct pg_unit *u = realloc(c->units, n * sizeof(*u));
        if (u == NULL)
            return LEASE_E_NOMEM;
        c->units = u;
        c->ucap = n;
    }
    for (size_t i = 0; i < n; nu++) {
        size_t k = pg_add_run(ops + i, n - i);
        c->units[nu] = (struct pg_unit){ .at = i, .n = k > 1 ? k : 1, .run = k > 1 };
        i += c->units[nu].n;
    }
    if (PQenterPipelineMode(c->db) != 1)
        return LEASE_E_IO;
    /* Chunks of PIPE_CHUNK statements, each followed by a sync whose
     * results are read before the next chunk is sent: the results the
     * server writes back can never fill the socket while we only write.
     * The chunks share one transaction (BEGIN ... COMMIT). */
    for (size_t at = 0; at <= nu && first_err == 0; at += PIPE_CHUNK) {
        size_t end = at + PIPE_CHUNK < nu ? at + PIPE_CHUNK : nu;
        bool last = end == nu;
        bool sent = at == 0 ? send_plain(c, "BEGIN") : true;
        for (size_t u = at; u < end && sent; u++) {
            const struct pg_unit *un = &c->units[u];
            sent = un->run ? pg_send_add_run(c->db, stmts[S_ADD_RUN].name, ops + un->at, un->n, now)
                           : send_op(c, &ops[un->at], now);
        }
        if (sent && last)
            sent = send_plain(c, "COMMIT");
        if (!sent || PQpipelineSync(c->db) != 1) {
            first_err = LEASE_E_IO;
            break;
        }
        if (at == 0)
            read_one(c, NULL, 0, &first_err);
        for (size_t u = at; u < end; u++)
            read_one(c, &ops[c->units[u].at], c->units[u].run ? c->units[u].n : 0, &first_err);
        if (last)
            read_one(c, NULL, 0, &first_err);
        if (read_sync(c) != 0 && first_err == 0)
            first_err = LEASE_E_IO;
        if (last)
            break;
    }
    if (PQexitPipelineMode(c->db) != 1)
        return LEASE_E_IO;   /* results left unread: the connection is unusable */
    if (first_err != 0) {
        if (PQstatus(c->db) == CONNECTION_OK)
            PQclear(PQexec(c->db, "ROLLBACK"));
        return first_err;
    }
    return 0;
}

static const struct sql_driver pg_driver = {
    .type = "postgresql",
    .connect = pg_connect,
    .disconnect = pg_disconnect,
    .get_by_addr = pg_get_by_addr,
    .query = pg_query,
    .apply_batch = pg_apply_batch,
};

static const struct lease_store_ops pg_ops = SQL_STORE_OPS("postgresql");

static int pg_lease_open(const struct be_db_params *p, struct lease_store **out,
                         char *err, size_t errlen)
{
    return sql_store_open(&pg_driver, &pg_ops, p, out, err, errlen);
}

BE_MODULE_DECLARE(
    .abi_version = BE_MODULE_ABI_VERSION,
    .name = "postgresql",
    .description = "PostgreSQL lease store (libpq, pipeline mode)",
    .schema_major = SQL_SCHEMA_MAJOR,
    .schema_minor = SQL_SCHEMA_MINOR,
    .lease_open = pg_lease_open,
    .lease_health = sql_store_health,
    .host_open = pgsql_host_open,
);
