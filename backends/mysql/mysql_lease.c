/*
 * dora_mysql.so: the MariaDB/MySQL lease store (libmariadb), a driver for
 * backends/sql/sql_core.c. Every statement is prepared once per connection.
 *
 * Batch (apply_batch): START TRANSACTION; per change one conditional
 * statement; COMMIT. With innodb_flush_log_at_trx_commit=1 the COMMIT is
 * the one log flush of the whole batch.
 *  - ADD: INSERT; on a duplicate key (1062, which rolls back only that
 *    statement in InnoDB) delete the row if it has expired and insert again,
 *    otherwise the change is a conflict.
 *  - UPDATE / DELETE: ... WHERE address = ? AND expire = <expire last seen>;
 *    0 rows matched is a conflict (CLIENT_FOUND_ROWS makes "matched" count,
 *    not "changed").
 * Deadlock (1213, also Galera's certification failure) and lock wait
 * timeout (1205) roll back and rerun the batch (SQL_E_RETRY).
 */
#include <mysql.h>
#include <mysqld_error.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/module.h"
#include "backends/sql/schema_version.h"
#include "backends/sql/sql_core.h"
#include "backends/mysql/mysql_int.h"

#define COLS "address, hwaddr, client_id, valid_lifetime, expire, subnet_id, pool_id, " \
             "fqdn_fwd, fqdn_rev, hostname, state"
#define NCOLS 11

enum stmt_id {
    S_GET_ADDR, S_GET_HW, S_GET_HW_SUBNET, S_GET_CID, S_GET_CID_SUBNET, S_GET_EXPIRED, S_GET_ALL,
    S_INSERT, S_DELETE_EXPIRED, S_UPDATE, S_DELETE, S_COUNT
};

static const char *const stmt_sql[S_COUNT] = {
    [S_GET_ADDR] = "SELECT " COLS " FROM lease4 WHERE address = ?",
    [S_GET_HW] = "SELECT " COLS " FROM lease4 WHERE hwaddr = ?",
    [S_GET_HW_SUBNET] = "SELECT " COLS " FROM lease4 WHERE hwaddr = ? AND subnet_id = ?",
    [S_GET_CID] = "SELECT " COLS " FROM lease4 WHERE client_id = ?",
    [S_GET_CID_SUBNET] = "SELECT " COLS " FROM lease4 WHERE client_id = ? AND subnet_id = ?",
    [S_GET_EXPIRED] = "SELECT " COLS " FROM lease4 WHERE state IN (0, 1) AND expire <= ? "
                      "AND valid_lifetime <> 4294967295 ORDER BY expire LIMIT ?",
    [S_GET_ALL] = "SELECT " COLS " FROM lease4 ORDER BY address",
    [S_INSERT] = "INSERT INTO lease4 (" COLS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [S_DELETE_EXPIRED] = "DELETE FROM lease4 WHERE address = ? AND expire <= ? "
                         "AND valid_lifetime <> 4294967295",
    [S_UPDATE] = "UPDATE lease4 SET hwaddr = ?, client_id = ?, valid_lifetime = ?, expire = ?, "
                 "subnet_id = ?, pool_id = ?, fqdn_fwd = ?, fqdn_rev = ?, hostname = ?, state = ? "
                 "WHERE address = ? AND expire = ?",
    [S_DELETE] = "DELETE FROM lease4 WHERE address = ? AND expire = ?",
};

/* One row's buffers, bound as parameters and as results. */
struct my_row {
    uint32_t address;
    uint8_t hwaddr[LEASE_HWADDR_MAX];
    unsigned long hwaddr_len;
    uint8_t client_id[LEASE_CLIENT_ID_MAX];
    unsigned long client_id_len;
    uint32_t valid_lifetime;
    int64_t expire;
    uint32_t subnet_id, pool_id;
    int8_t fqdn_fwd, fqdn_rev;
    char hostname[LEASE_HOSTNAME_MAX];
    unsigned long hostname_len;
    uint8_t state;
    my_bool is_null[NCOLS];
    /* extra parameters */
    int64_t cond_expire;
    uint32_t key_subnet;
    uint64_t limit;
};

struct my_conn {
    MYSQL *db;
    MYSQL_STMT *st[S_COUNT];
    struct my_row row;
    MYSQL_BIND cols[NCOLS];     /* the row, column order */
};

static pthread_once_t lib_once = PTHREAD_ONCE_INIT;
static void lib_init(void)
{
    mysql_library_init(0, NULL, NULL);
}

static void bind_cols(struct my_conn *c)
{
    struct my_row *r = &c->row;
    MYSQL_BIND *b = c->cols;

    memset(b, 0, sizeof(c->cols));
    b[0] = (MYSQL_BIND){ .buffer_type = MYSQL_TYPE_LONG, .buffer = &r->address, .is_unsigned = 1 };
    b[1] = (MYSQL_BIND){ .buffer_type = MYSQL_TYPE_BLOB, .buffer = r->hwaddr,
                         .buffer_length = sizeof(r->hwaddr), .length = &r->hwaddr_len };
    b[2] = (MYSQL_BIND){ .buffer_type = MYSQL_TYPE_BLOB, .buffer = r->client_id,
                         .buffer_length = sizeof(r->client_id), .length = &r->client_id_len };
    b[3] = (MYSQL_BIND){ .buffer_type = MYSQL_TYPE_LONG, .buffer = &r->valid_lifetime, .is_unsigned = 1 };
    b[4] = (MYSQL_BIND){ .buffer_type = MYSQL_TYPE_LONGLONG, .buffer = &r->expire };
    b[5] = (MYSQL_BIND){ .buffer_type = MYSQL_TYPE_LONG, .buffer = &r->subnet_id, .is_unsigned = 1 };
    b[6] = (MYSQL_BIND){ .buffer_type = MYSQL_TYPE_LONG, .buffer = &r->pool_id, .is_unsigned = 1 };
    b[7] = (MYSQL_BIND){ .buffer_type = MYSQL_TYPE_TINY, .buffer = &r->fqdn_fwd };
    b[8] = (MYSQL_BIND){ .buffer_type = MYSQL_TYPE_TINY, .buffer = &r->fqdn_rev };
    b[9] = (MYSQL_BIND){ .buffer_type = MYSQL_TYPE_BLOB, .buffer = r->hostname,
                         .buffer_length = sizeof(r->hostname), .length = &r->hostname_len };
    b[10] = (MYSQL_BIND){ .buffer_type = MYSQL_TYPE_TINY, .buffer = &r->state, .is_unsigned = 1 };
    for (int i = 0; i < NCOLS; i++)
        b[i].is_null = &r->is_null[i];
}

static void row_from_lease(struct my_row *r, const struct lease4 *l)
{
    r->address = l->addr;
    memcpy(r->hwaddr, l->hwaddr, l->hwaddr_len);
    r->hwaddr_len = l->hwaddr_len;
    memcpy(r->client_id, l->client_id, l->client_id_len);
    r->client_id_len = l->client_id_len;
    r->valid_lifetime = l->valid_lft;
    r->expire = sql_expire(l);
    r->subnet_id = l->subnet_id;
    r->pool_id = l->pool_id;
    r->fqdn_fwd = l->fqdn_fwd;
    r->fqdn_rev = l->fqdn_rev;
    r->hostname_len = strnlen(l->hostname, LEASE_HOSTNAME_MAX);
    memcpy(r->hostname, l->hostname, r->hostname_len);
    r->state = l->state;
    memset(r->is_null, 0, sizeof(r->is_null));
}

/* Lengths from the server are bounds-checked: a longer value (a schema
 * changed by hand) is cut by libmariadb to the buffer and flagged here. */
static int lease_from_row(const struct my_row *r, struct lease4 *l)
{
    if (r->hwaddr_len > LEASE_HWADDR_MAX || r->client_id_len > LEASE_CLIENT_ID_MAX ||
        r->hostname_len > LEASE_HOSTNAME_MAX || r->state > LEASE_STATE_RELEASED)
        return LEASE_E_INVALID;
    memset(l, 0, sizeof(*l));
    l->addr = r->address;
    l->hwaddr_len = r->is_null[1] ? 0 : (uint8_t)r->hwaddr_len;
    memcpy(l->hwaddr, r->hwaddr, l->hwaddr_len);
    l->client_id_len = r->is_null[2] ? 0 : (uint8_t)r->client_id_len;
    memcpy(l->client_id, r->client_id, l->client_id_len);
    l->valid_lft = r->valid_lifetime;
    l->cltt = r->expire - (int64_t)r->valid_lifetime;
    l->subnet_id = r->subnet_id;
    l->pool_id = r->pool_id;
    l->fqdn_fwd = r->fqdn_fwd != 0;
    l->fqdn_rev = r->fqdn_rev != 0;
    size_t hl = r->is_null[9] ? 0 : r->hostname_len;
    memcpy(l->hostname, r->hostname, hl);
    l->hostname[hl] = '\0';
    l->state = r->state;
    return 0;
}

static void my_disconnect(void *p)
{
    struct my_conn *c = p;
    if (c == NULL)
        return;
    for (int i = 0; i < S_COUNT; i++)
        if (c->st[i])
            mysql_stmt_close(c->st[i]);
    if (c->db)
        mysql_close(c->db);
    free(c);
}

static int check_schema(MYSQL *db, const char *name, char *err, size_t errlen)
{
    if (mysql_query(db, "SELECT version, minor FROM schema_version") != 0) {
        if (mysql_errno(db) == ER_NO_SUCH_TABLE)
            snprintf(err, errlen, "database '%s' has no dora schema: run dora-admin db-init", name);
        else
            snprintf(err, errlen, "cannot read the schema version: %s", mysql_error(db));
        return -1;
    }
    MYSQL_RES *res = mysql_store_result(db);
    MYSQL_ROW row = res ? mysql_fetch_row(res) : NULL;
    if (row == NULL || row[0] == NULL || row[1] == NULL) {
        snprintf(err, errlen, "database '%s': schema_version is empty: run dora-admin db-init", name);
        mysql_free_result(res);
        return -1;
    }
    int major = atoi(row[0]), minor = atoi(row[1]);
    mysql_free_result(res);
    const char *advice = sql_schema_advice(major, minor);
    if (advice != NULL) {
        snprintf(err, errlen, "database '%s' has schema version %d.%d, this dorad needs %d.%d: "
                 "the database is %s", name, major, minor, SQL_SCHEMA_MAJOR, SQL_SCHEMA_MINOR, advice);
        return -1;
    }
    return 0;
}

MYSQL *my_db_open(const struct be_db_params *p, char *err, size_t errlen)
{
    MYSQL *db;
    unsigned int u;
    my_bool on = 1, off = 0;

    pthread_once(&lib_once, lib_init);
    if ((db = mysql_init(NULL)) == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    u = p->connect_timeout;
    mysql_options(db, MYSQL_OPT_CONNECT_TIMEOUT, &u);
    if (p->read_timeout) {
        u = p->read_timeout;
        mysql_options(db, MYSQL_OPT_READ_TIMEOUT, &u);
    }
    if (p->write_timeout) {
        u = p->write_timeout;
        mysql_options(db, MYSQL_OPT_WRITE_TIMEOUT, &u);
    }
    /* Reconnects are ours (sql_core), never libmariadb's silent ones: a
     * silent reconnect would lose an open transaction. */
    mysql_options(db, MYSQL_OPT_RECONNECT, &off);
    if (p->trust_anchor[0] || p->cert_file[0] || p->key_file[0] || p->cipher_list[0]) {
        mysql_ssl_set(db, p->key_file[0] ? p->key_file : NULL,
                      p->cert_file[0] ? p->cert_file : NULL,
                      p->trust_anchor[0] ? p->trust_anchor : NULL, NULL,
                      p->cipher_list[0] ? p->cipher_list : NULL);
        mysql_options(db, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &on);
    }
    if (mysql_real_connect(db, p->host[0] ? p->host : NULL, p->user[0] ? p->user : NULL,
                           p->password, p->name, p->port, NULL, CLIENT_FOUND_ROWS) == NULL) {
        snprintf(err, errlen, "cannot connect to MySQL database '%s' on %s: %s", p->name,
                 p->host[0] ? p->host : "localhost", mysql_error(db));
        mysql_close(db);
        return NULL;
    }
    /* READ COMMITTED: no gap locks between servers inserting neighbours. */
    if (mysql_query(db, "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED") != 0 ||
        mysql_autocommit(db, 1) != 0) {
        snprintf(err, errlen, "cannot set up the session: %s", mysql_error(db));
        mysql_close(db);
        return NULL;
    }
    if (check_schema(db, p->name, err, errlen) < 0) {
        mysql_close(db);
        return NULL;
    }
    return db;
}

static void *my_connect(const struct be_db_params *p, char *err, size_t errlen)
{
    struct my_conn *c = calloc(1, sizeof(*c));

    if (c == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if ((c->db = my_db_open(p, err, errlen)) == NULL) {
        free(c);
        return NULL;
    }
    for (int i = 0; i < S_COUNT; i++) {
        c->st[i] = mysql_stmt_init(c->db);
        if (c->st[i] == NULL ||
            mysql_stmt_prepare(c->st[i], stmt_sql[i], (unsigned long)strlen(stmt_sql[i])) != 0) {
            snprintf(err, errlen, "cannot prepare statement %d: %s", i,
                     c->st[i] ? mysql_stmt_error(c->st[i]) : mysql_error(c->db));
            my_disconnect(c);
            return NULL;
        }
    }
    bind_cols(c);
    return c;
}

static bool conn_lost(unsigned e)
{
    /* CR_* client errors (2000-2999): the connection is unusable. */
    return e >= 2000 && e < 3000;
}

/* Execute statement id with params; returns 0 or the MySQL error number. */
static unsigned exec(struct my_conn *c, enum stmt_id id, MYSQL_BIND *params)
{
    MYSQL_STMT *s = c->st[id];
    if ((params && mysql_stmt_bind_param(s, params) != 0) || mysql_stmt_execute(s) != 0)
        return mysql_stmt_errno(s) ? mysql_stmt_errno(s) : 2000;
    return 0;
}

static MYSQL_BIND b_u32(uint32_t *v)
{
    return (MYSQL_BIND){ .buffer_type = MYSQL_TYPE_LONG, .buffer = v, .is_unsigned = 1 };
}
static MYSQL_BIND b_i64(int64_t *v)
{
    return (MYSQL_BIND){ .buffer_type = MYSQL_TYPE_LONGLONG, .buffer = v };
}
static MYSQL_BIND b_blob(uint8_t *v, unsigned long *len)
{
    return (MYSQL_BIND){ .buffer_type = MYSQL_TYPE_BLOB, .buffer = v, .length = len };
}

/* Fetch every row of an executed SELECT into fn. */
static int fetch_rows(struct my_conn *c, MYSQL_STMT *s, sql_row_fn fn, void *ctx)
{
    struct lease4 l;
    int n = 0, rc;
    bool stop = false;

    if (mysql_stmt_bind_result(s, c->cols) != 0)
        goto io;
    while ((rc = mysql_stmt_fetch(s)) == 0 || rc == MYSQL_DATA_TRUNCATED) {
        if (stop)
            continue;   /* drain: the statement must be read to the end */
        if (rc == MYSQL_DATA_TRUNCATED || lease_from_row(&c->row, &l) != 0)
            continue;   /* a row that does not fit our limits is skipped */
        n++;
        if (fn(&l, ctx) != 0)
            stop = true;
    }
    if (rc != MYSQL_NO_DATA)
        goto io;
    mysql_stmt_free_result(s);
    return n;
io:
    mysql_stmt_free_result(s);
    return LEASE_E_IO;
}

static int copy_first(const struct lease4 *l, void *ctx)
{
    *(struct lease4 *)ctx = *l;
    return 1;
}

static int my_get_by_addr(void *p, uint32_t addr, struct lease4 *out)
{
    struct my_conn *c = p;
    MYSQL_BIND par[1] = { b_u32(&addr) };

    if (exec(c, S_GET_ADDR, par) != 0)
        return LEASE_E_IO;
    int n = fetch_rows(c, c->st[S_GET_ADDR], copy_first, out);
    return n < 0 ? n : n == 0 ? LEASE_E_NOT_FOUND : 0;
}

static int my_query(void *p, const struct sql_query *q, sql_row_fn fn, void *ctx)
{
    struct my_conn *c = p;
    struct my_row *r = &c->row;
    MYSQL_BIND par[2];
    enum stmt_id id;
    unsigned long klen = q->key_len;
    uint8_t key[LEASE_CLIENT_ID_MAX];

    memset(par, 0, sizeof(par));
    switch (q->kind) {
    case SQL_Q_HWADDR:
    case SQL_Q_CLIENT_ID:
        if (q->key_len > sizeof(key))
            return 0;
        memcpy(key, q->key, q->key_len);
        par[0] = b_blob(key, &klen);
        r->key_subnet = q->subnet_id;
        par[1] = b_u32(&r->key_subnet);
        id = q->kind == SQL_Q_HWADDR ? (q->subnet_id ? S_GET_HW_SUBNET : S_GET_HW)
                                     : (q->subnet_id ? S_GET_CID_SUBNET : S_GET_CID);
        break;
    case SQL_Q_EXPIRED:
        r->cond_expire = q->now;
        r->limit = q->max;
        par[0] = b_i64(&r->cond_expire);
        par[1] = (MYSQL_BIND){ .buffer_type = MYSQL_TYPE_LONGLONG, .buffer = &r->limit, .is_unsigned = 1 };
        id = S_GET_EXPIRED;
        break;
    default:
        id = S_GET_ALL;
        break;
    }
    if (exec(c, id, id == S_GET_ALL ? NULL : par) != 0)
        return LEASE_E_IO;
    return fetch_rows(c, c->st[id], fn, ctx);
}

/* One change inside the batch transaction: LEASE_OK / LEASE_E_CONFLICT in
 * op->result, or the MySQL error that ends the batch. */
static unsigned apply_one(struct my_conn *c, struct sql_op *op, int64_t now)
{
    struct my_row *r = &c->row;
    MYSQL_BIND par[12];
    unsigned e;

    row_from_lease(r, &op->lease);
    r->cond_expire = op->op == LEASE_OP_ADD ? now : op->old_expire;
    switch (op->op) {
    case LEASE_OP_ADD:
        if ((e = exec(c, S_INSERT, c->cols)) != ER_DUP_ENTRY)
            return e;
        /* Taken: replace it only if it has expired (lease_store.h). */
        par[0] = b_u32(&r->address);
        par[1] = b_i64(&r->cond_expire);
        if ((e = exec(c, S_DELETE_EXPIRED, par)) != 0)
            return e;
        if (mysql_stmt_affected_rows(c->st[S_DELETE_EXPIRED]) == 0) {
            op->result = LEASE_E_CONFLICT;
            return 0;
        }
        if ((e = exec(c, S_INSERT, c->cols)) == ER_DUP_ENTRY) {
            op->result = LEASE_E_CONFLICT;
            return 0;
        }
        return e;
    case LEASE_OP_UPDATE:
        memcpy(par, c->cols + 1, 10 * sizeof(MYSQL_BIND));
        par[10] = b_u32(&r->address);
        par[11] = b_i64(&r->cond_expire);
        if ((e = exec(c, S_UPDATE, par)) != 0)
            return e;
        if (mysql_stmt_affected_rows(c->st[S_UPDATE]) == 0)
            op->result = LEASE_E_CONFLICT;
        return 0;
    case LEASE_OP_DELETE:
        par[0] = b_u32(&r->address);
        par[1] = b_i64(&r->cond_expire);
        if ((e = exec(c, S_DELETE, par)) != 0)
            return e;
        if (mysql_stmt_affected_rows(c->st[S_DELETE]) == 0)
            op->result = LEASE_E_CONFLICT;
        return 0;
    }
    return 0;
}

static int batch_error(struct my_conn *c, unsigned e)
{
    if (!conn_lost(e))
        mysql_query(c->db, "ROLLBACK");
    if (e == ER_LOCK_DEADLOCK || e == ER_LOCK_WAIT_TIMEOUT)
        return SQL_E_RETRY;
    fprintf(stderr, "MYSQL_BATCH_FAIL batch failed: MySQL error %u: %s\n", e, mysql_error(c->db));
    return LEASE_E_IO;
}

static int my_apply_batch(void *p, struct sql_op *ops, size_t n, int64_t now)
{
    struct my_conn *c = p;
    unsigned e;

    if (mysql_query(c->db, "START TRANSACTION") != 0)
        return batch_error(c, mysql_errno(c->db));
    for (size_t i = 0; i < n; i++)
        if ((e = apply_one(c, &ops[i], now)) != 0)
            return batch_error(c, e);
    if (mysql_query(c->db, "COMMIT") != 0)
        return batch_error(c, mysql_errno(c->db));
    return 0;
}

static const struct sql_driver my_driver = {
    .type = "mysql",
    .connect = my_connect,
    .disconnect = my_disconnect,
    .get_by_addr = my_get_by_addr,
    .query = my_query,
    .apply_batch = my_apply_batch,
};

static const struct lease_store_ops my_ops = SQL_STORE_OPS("mysql");

static int my_lease_open(const struct be_db_params *p, struct lease_store **out,
                         char *err, size_t errlen)
{
    return sql_store_open(&my_driver, &my_ops, p, out, err, errlen);
}

BE_MODULE_DECLARE(
    .abi_version = BE_MODULE_ABI_VERSION,
    .name = "mysql",
    .description = "MariaDB/MySQL lease store (libmariadb)",
    .schema_major = SQL_SCHEMA_MAJOR,
    .schema_minor = SQL_SCHEMA_MINOR,
    .lease_open = my_lease_open,
    .lease_health = sql_store_health,
    .host_open = mysql_host_open,
);
