/*
 * The part of a SQL lease store that does not depend on the database:
 * the connection pool for lookups, the in-flight overlay, the batch queue
 * and the commit thread. A driver (backends/mysql, backends/pgsql) supplies
 * connect, the lookup queries and "apply this batch in one transaction".
 *
 * Leases are cached in memory (memfile's lease table, loaded from the
 * database at open): lookups answer from the cache, never waiting for the
 * database, and so do the control commands' scans (page, subnet, hostname);
 * lease4-wipe deletes through submit() like any change, so the cache and
 * the database stay one. The cache is what THIS server knows; the database is the
 * arbiter between servers.
 *
 * Write path. submit() validates the change against the cache (conflicts
 * this server can see are synchronous), applies it there, so that lookups
 * see it at once, and queues it. The commit thread takes everything queued
 * and applies it in ONE transaction on its own connection (one COMMIT, one
 * log flush, for the whole batch: group commit), then runs the completions
 * in submission order. Every statement is conditional (insert keyed on the
 * address, replacing only an expired row; update/delete WHERE expire = the
 * expire last seen), so a change another server got in first completes
 * with LEASE_E_CONFLICT (asynchronously) and the cache re-reads that
 * address from the database: the server learns the other server's lease.
 * After a failed batch the batch's addresses are re-read the same way.
 */
#ifndef DORA_BACKENDS_SQL_CORE_H
#define DORA_BACKENDS_SQL_CORE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backends/lease_store.h"
#include "backends/module.h"

/* Driver-level results besides the lease_err codes. */
#define SQL_E_RETRY (-100)   /* deadlock / serialization failure: rerun the batch */

/* The value stored in the expire column: always finite (an infinite lease
 * stores cltt + 0xffffffff), so that conditions compare exact integers. */
static inline int64_t sql_expire(const struct lease4 *l)
{
    return l->cltt + (int64_t)l->valid_lft;
}

struct sql_op {
    enum lease_op op;
    struct lease4 lease;
    int64_t old_expire;      /* sql_expire of the version expected (UPDATE/DELETE) */
    lease_done_fn done;
    void *ctx;
    int result;              /* set by the driver: LEASE_OK or LEASE_E_CONFLICT */
};

enum sql_query_kind {
    SQL_Q_HWADDR,     /* key = hw-address, subnet (0 = any) */
    SQL_Q_CLIENT_ID,  /* key = client-id, subnet (0 = any) */
    SQL_Q_EXPIRED,    /* state DEFAULT/DECLINED, expire <= now, oldest first, at most max */
    SQL_Q_ALL,        /* every lease */
};

struct sql_query {
    enum sql_query_kind kind;
    uint32_t subnet_id;
    const uint8_t *key;
    size_t key_len;
    int64_t now;
    size_t max;       /* SQL_Q_EXPIRED */
};

/* Row callback from a driver query: return non-zero to stop. The cache
 * uses SQL_Q_ALL (load) and get_by_addr (refresh); the other queries serve
 * tools and tests that read the database directly. */
typedef int (*sql_row_fn)(const struct lease4 *l, void *ctx);

struct sql_driver {
    const char *type;
    /* Open a connection and check the schema version. NULL with err set. */
    void *(*connect)(const struct be_db_params *p, char *err, size_t errlen);
    void (*disconnect)(void *conn);
    /* 0, LEASE_E_NOT_FOUND or LEASE_E_IO (connection unusable). */
    int (*get_by_addr)(void *conn, uint32_t addr, struct lease4 *out);
    /* Rows of a query, to fn. Number of rows or LEASE_E_IO. */
    int (*query)(void *conn, const struct sql_query *q, sql_row_fn fn, void *ctx);
    /* Apply ops[0..n) in one transaction, setting each result; 0, SQL_E_RETRY
     * (rolled back, run it again) or LEASE_E_IO (rolled back or unknown:
     * the connection is dropped). */
    int (*apply_batch)(void *conn, struct sql_op *ops, size_t n, int64_t now);
};

struct sql_store;

/* Open: connects once (retrying per retry-on-startup) and starts the commit
 * thread. ops->type must be the driver's type. */
int sql_store_open(const struct sql_driver *drv, const struct lease_store_ops *ops,
                   const struct be_db_params *p, struct lease_store **out,
                   char *err, size_t errlen);

enum be_db_health sql_store_health(struct lease_store *s);

/* The lease_store_ops functions every SQL module uses as they are. */
int sql_get_by_addr(struct lease_store *s, uint32_t addr, struct lease4 *out);
int sql_foreach_by_hwaddr(struct lease_store *s, uint32_t subnet_id, const uint8_t *hw,
                          size_t hwlen, lease_visit_fn fn, void *ctx);
int sql_foreach_by_client_id(struct lease_store *s, uint32_t subnet_id, const uint8_t *cid,
                             size_t cidlen, lease_visit_fn fn, void *ctx);
int sql_get_expired(struct lease_store *s, int64_t now, struct lease4 *out, size_t max);
int sql_foreach(struct lease_store *s, lease_visit_fn fn, void *ctx);
int sql_get_page(struct lease_store *s, uint32_t after, struct lease4 *out, size_t max);
int sql_foreach_by_subnet(struct lease_store *s, uint32_t subnet_id, lease_visit_fn fn, void *ctx);
int sql_foreach_by_hostname(struct lease_store *s, const char *hostname, lease_visit_fn fn, void *ctx);
int sql_submit(struct lease_store *s, enum lease_op op, const struct lease4 *lease,
               const struct lease4 *old, lease_done_fn done, void *ctx);
int sql_flush(struct lease_store *s);
void sql_close(struct lease_store *s);

#define SQL_STORE_OPS(typename) {                                   \
    .type = typename, .get_by_addr = sql_get_by_addr,               \
    .foreach_by_hwaddr = sql_foreach_by_hwaddr,                     \
    .foreach_by_client_id = sql_foreach_by_client_id,               \
    .get_expired = sql_get_expired, .foreach = sql_foreach,         \
    .get_page = sql_get_page, .foreach_by_subnet = sql_foreach_by_subnet, \
    .foreach_by_hostname = sql_foreach_by_hostname,                 \
    .wipe = lease_store_wipe_by_submit,                             \
    .submit = sql_submit, .flush = sql_flush, .close = sql_close }

/* Copy of a string parameter, for the store's lifetime. */
struct sql_params_copy {
    struct be_db_params p;
    char *strs[9];
};
int sql_params_copy(struct sql_params_copy *dst, const struct be_db_params *src);
void sql_params_free(struct sql_params_copy *c);

#endif
