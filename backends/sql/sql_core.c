/*
 * The database-independent half of the SQL lease stores (see sql_core.h for
 * the write path). Leases are cached in memory (memfile's lease table,
 * backends/memfile/mf_table.c, compiled into the module), loaded from the
 * database at open: lookups never wait for the database, and the workers'
 * only cost per change is queueing it. Locks: the table's own stripe locks;
 * st->mu guards the queue, the refresh list and the counters and is never
 * held across a database round trip.
 */
#include "backends/sql/sql_core.h"
#include "backends/memfile/mf_table.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RETRY_MAX 8            /* deadlock / serialization reruns of one batch */
#define BATCH_MAX 4096         /* ops per transaction */

struct sql_store {
    struct lease_store base;
    const struct sql_driver *drv;
    struct sql_params_copy params;

    struct mf_table *table;             /* the cache: what this server knows */

    pthread_mutex_t mu;
    pthread_cond_t work_cv, done_cv;
    uint32_t *refresh;                  /* addresses to re-read from the database */
    size_t n_refresh, refresh_cap;
    struct sql_op *q, *batch;           /* double buffer */
    size_t qn, qcap, bcap;
    uint64_t submitted, completed, failed_upto;
    bool stop;
    atomic_bool closing;

    pthread_t thread;
    bool thread_started;
    void *commit_conn;
    atomic_int health;                  /* enum be_db_health */
    uint32_t reconnect_tries;
    struct timespec last_attempt;
};

static inline struct sql_store *to_st(struct lease_store *s)
{
    return (struct sql_store *)s;
}

static void sql_log(const char *id, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sql_log(const char *id, const char *fmt, ...)
{
    va_list ap;
    char buf[512];

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s %s\n", id, buf);
}

static int64_t mono_ms(const struct timespec *t)
{
    return (int64_t)t->tv_sec * 1000 + t->tv_nsec / 1000000;
}

/* ---- parameters -------------------------------------------------------- */

int sql_params_copy(struct sql_params_copy *dst, const struct be_db_params *src)
{
    const char *const *in[] = {
        &src->name, &src->host, &src->user, &src->password, &src->trust_anchor,
        &src->cert_file, &src->key_file, &src->cipher_list,
    };
    const char **outp[] = {
        &dst->p.name, &dst->p.host, &dst->p.user, &dst->p.password, &dst->p.trust_anchor,
        &dst->p.cert_file, &dst->p.key_file, &dst->p.cipher_list,
    };

    memset(dst, 0, sizeof(*dst));
    dst->p = *src;
    for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
        dst->strs[i] = strdup(*in[i] ? *in[i] : "");
        if (dst->strs[i] == NULL) {
            sql_params_free(dst);
            return LEASE_E_NOMEM;
        }
        *outp[i] = dst->strs[i];
    }
    return 0;
}

void sql_params_free(struct sql_params_copy *c)
{
    for (size_t i = 0; i < sizeof(c->strs) / sizeof(c->strs[0]); i++) {
        if (c->strs[i] != NULL && i == 3)
            explicit_bzero(c->strs[i], strlen(c->strs[i]));   /* the password */
        free(c->strs[i]);
        c->strs[i] = NULL;
    }
}

/* ---- lookups: the cache ---------------------------------------------------- */

int sql_get_by_addr(struct lease_store *s, uint32_t addr, struct lease4 *out)
{
    return mf_table_get(to_st(s)->table, addr, out);
}

int sql_foreach_by_hwaddr(struct lease_store *s, uint32_t subnet_id, const uint8_t *hw,
                          size_t hwlen, lease_visit_fn fn, void *ctx)
{
    return mf_table_foreach_hwaddr(to_st(s)->table, subnet_id, hw, hwlen, fn, ctx);
}

int sql_foreach_by_client_id(struct lease_store *s, uint32_t subnet_id, const uint8_t *cid,
                             size_t cidlen, lease_visit_fn fn, void *ctx)
{
    return mf_table_foreach_client_id(to_st(s)->table, subnet_id, cid, cidlen, fn, ctx);
}

int sql_get_expired(struct lease_store *s, int64_t now, struct lease4 *out, size_t max)
{
    return mf_table_get_expired(to_st(s)->table, now, out, max);
}

int sql_foreach(struct lease_store *s, lease_visit_fn fn, void *ctx)
{
    return mf_table_foreach(to_st(s)->table, fn, ctx);
}

int sql_get_page(struct lease_store *s, uint32_t after, struct lease4 *out, size_t max)
{
    return mf_table_get_page(to_st(s)->table, after, out, max);
}

int sql_foreach_by_subnet(struct lease_store *s, uint32_t subnet_id, lease_visit_fn fn, void *ctx)
{
    return mf_table_foreach_subnet(to_st(s)->table, subnet_id, fn, ctx);
}

int sql_foreach_by_hostname(struct lease_store *s, const char *hostname, lease_visit_fn fn, void *ctx)
{
    return mf_table_foreach_hostname(to_st(s)->table, hostname, fn, ctx);
}

/* Re-read addresses from the database into the cache: after a conflict
 * (another server changed the row: learn its lease) or after a failed batch
 * (the cache holds changes the database may not have). Commit thread only.
 * A change submitted meanwhile for the same address may be overwritten in
 * the cache; its own statement then conflicts and refreshes it again. */
static void refresh_addrs(struct sql_store *st)
{
    pthread_mutex_lock(&st->mu);
    size_t n = st->n_refresh;
    uint32_t *list = st->refresh;
    st->refresh = NULL;
    st->n_refresh = st->refresh_cap = 0;
    pthread_mutex_unlock(&st->mu);

    size_t done = 0;
    for (; done < n && st->commit_conn != NULL; done++) {
        struct lease4 l;
        int rc = st->drv->get_by_addr(st->commit_conn, list[done], &l);
        if (rc == LEASE_OK)
            mf_table_put(st->table, &l);
        else if (rc == LEASE_E_NOT_FOUND)
            mf_table_remove(st->table, list[done]);
        else
            break;
    }
    if (done < n) {
        /* The connection broke: keep the rest for later. */
        pthread_mutex_lock(&st->mu);
        for (size_t i = done; i < n; i++) {
            if (st->n_refresh == st->refresh_cap) {
                size_t nc = st->refresh_cap ? st->refresh_cap * 2 : 256;
                uint32_t *nr = realloc(st->refresh, nc * sizeof(*nr));
                if (nr == NULL)
                    break;
                st->refresh = nr;
                st->refresh_cap = nc;
            }
            st->refresh[st->n_refresh++] = list[i];
        }
        pthread_mutex_unlock(&st->mu);
    }
    free(list);
}

static void want_refresh(struct sql_store *st, uint32_t addr)
{
    pthread_mutex_lock(&st->mu);
    if (st->n_refresh == st->refresh_cap) {
        size_t nc = st->refresh_cap ? st->refresh_cap * 2 : 256;
        uint32_t *nr = realloc(st->refresh, nc * sizeof(*nr));
        if (nr == NULL) {
            pthread_mutex_unlock(&st->mu);
            sql_log("SQL_REFRESH_DROPPED", "out of memory: the cached lease of %u.%u.%u.%u may be stale",
                    addr >> 24, addr >> 16 & 255, addr >> 8 & 255, addr & 255);
            return;
        }
        st->refresh = nr;
        st->refresh_cap = nc;
    }
    st->refresh[st->n_refresh++] = addr;
    pthread_mutex_unlock(&st->mu);
}

/* ---- submit ------------------------------------------------------------ */

struct submit_hook {
    struct sql_store *st;
    struct sql_op op;
};

/* Runs under the address's stripe lock once the cache validated the
 * change: queue it, so one address's changes reach the database in the
 * order the cache applied them. */
static int queue_op(void *p)
{
    struct submit_hook *h = p;
    struct sql_store *st = h->st;
    int rc = 0;

    pthread_mutex_lock(&st->mu);
    if (st->stop) {
        rc = LEASE_E_CLOSED;
    } else if (st->qn == st->qcap) {
        size_t nc = st->qcap ? st->qcap * 2 : 256;
        struct sql_op *nq = realloc(st->q, nc * sizeof(*nq));
        if (nq == NULL) {
            rc = LEASE_E_NOMEM;
        } else {
            st->q = nq;
            st->qcap = nc;
        }
    }
    if (rc == 0) {
        st->q[st->qn++] = h->op;
        st->submitted++;
        pthread_cond_signal(&st->work_cv);
    }
    pthread_mutex_unlock(&st->mu);
    return rc;
}

int sql_submit(struct lease_store *s, enum lease_op op, const struct lease4 *lease,
               const struct lease4 *old, lease_done_fn done, void *ctx)
{
    struct sql_store *st = to_st(s);
    const struct lease4 *seen;

    if (atomic_load(&st->closing))
        return LEASE_E_CLOSED;
    if (lease_submit_check(op, lease, old, &seen) != LEASE_OK)
        return LEASE_E_INVALID;
    struct submit_hook h = {
        st, { op, *lease, seen ? sql_expire(seen) : 0, done, ctx, LEASE_OK }
    };
    /* The cache validates what this server knows (synchronous conflicts);
     * the database's conditional statement decides the rest. */
    return mf_table_change(st->table, op, lease, seen ? lease4_expire(seen) : 0,
                           (int64_t)time(NULL), queue_op, &h);
}

/* ---- commit thread ----------------------------------------------------- */

/* Connect the commit connection if it is down, at most once per
 * reconnect-wait-time; counts attempts against max-reconnect-tries (Kea §11:
 * past that the database is "lost" and the server acts per on-fail). */
static bool ensure_commit_conn(struct sql_store *st)
{
    struct timespec now;
    char err[256];

    if (st->commit_conn != NULL)
        return true;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (st->last_attempt.tv_sec != 0 &&
        mono_ms(&now) - mono_ms(&st->last_attempt) < (int64_t)st->params.p.reconnect_wait_time)
        return false;
    st->last_attempt = now;
    st->commit_conn = st->drv->connect(&st->params.p, err, sizeof(err));
    if (st->commit_conn != NULL) {
        if (atomic_load(&st->health) != BE_DB_OK)
            sql_log("SQL_DB_RECONNECTED", "%s: database connection recovered", st->drv->type);
        st->reconnect_tries = 0;
        atomic_store(&st->health, BE_DB_OK);
        return true;
    }
    st->reconnect_tries++;
    if (st->reconnect_tries > st->params.p.max_reconnect_tries) {
        if (atomic_exchange(&st->health, BE_DB_LOST) != BE_DB_LOST)
            sql_log("SQL_DB_LOST", "%s: cannot reconnect after %u tries: %s", st->drv->type,
                    (unsigned)st->params.p.max_reconnect_tries, err);
    } else {
        atomic_store(&st->health, BE_DB_RECONNECTING);
        sql_log("SQL_DB_RECONNECT_FAIL", "%s: reconnect attempt %u of %u failed: %s",
                st->drv->type, (unsigned)st->reconnect_tries,
                (unsigned)st->params.p.max_reconnect_tries, err);
    }
    return false;
}

static void fail_commit_conn(struct sql_store *st)
{
    if (st->commit_conn != NULL)
        st->drv->disconnect(st->commit_conn);
    st->commit_conn = NULL;
    st->last_attempt = (struct timespec){ 0, 0 };   /* first reconnect at once */
    if (atomic_load(&st->health) == BE_DB_OK)
        atomic_store(&st->health, BE_DB_RECONNECTING);
    /* Lookup connections are probably dead too; they are replaced as they fail. */
}

static int commit_batch(struct sql_store *st, struct sql_op *ops, size_t n)
{
    for (int attempt = 0; attempt <= RETRY_MAX; attempt++) {
        if (!ensure_commit_conn(st))
            return LEASE_E_IO;
        for (size_t i = 0; i < n; i++)
            ops[i].result = LEASE_OK;
        int rc = st->drv->apply_batch(st->commit_conn, ops, n, (int64_t)time(NULL));
        if (rc == 0)
            return LEASE_OK;
        if (rc == SQL_E_RETRY) {
            /* Deadlock / certification failure: the transaction was rolled
             * back as a whole, so running it again is safe. Back off a bit,
             * growing, so that two servers do not collide again at once. */
            struct timespec ts = { 0, (long)(1 + attempt) * 2 * 1000 * 1000 };
            nanosleep(&ts, NULL);
            continue;
        }
        /* The outcome of the COMMIT may be unknown: not retried (a rerun
         * could turn our own committed insert into a conflict). */
        fail_commit_conn(st);
        return LEASE_E_IO;
    }
    return LEASE_E_IO;
}

static void *commit_main(void *arg)
{
    struct sql_store *st = arg;

    pthread_mutex_lock(&st->mu);
    for (;;) {
        while (!st->stop && st->qn == 0) {
            if (atomic_load(&st->health) != BE_DB_OK) {
                /* Keep trying to get the database back while idle, so that
                 * health recovers without traffic. */
                struct timespec ts;
                uint32_t wait = st->params.p.reconnect_wait_time;
                clock_gettime(CLOCK_REALTIME, &ts);
                wait = wait < 100 ? 100 : wait;
                ts.tv_sec += wait / 1000;
                ts.tv_nsec += (long)(wait % 1000) * 1000000;
                if (ts.tv_nsec >= 1000000000) {
                    ts.tv_sec++;
                    ts.tv_nsec -= 1000000000;
                }
                if (pthread_cond_timedwait(&st->work_cv, &st->mu, &ts) == ETIMEDOUT &&
                    st->qn == 0 && !st->stop) {
                    pthread_mutex_unlock(&st->mu);
                    if (ensure_commit_conn(st))
                        refresh_addrs(st);
                    pthread_mutex_lock(&st->mu);
                }
            } else {
                pthread_cond_wait(&st->work_cv, &st->mu);
            }
        }
        if (st->qn == 0 && st->stop)
            break;
        /* Take up to BATCH_MAX of the queue, leaving the rest in order. */
        size_t n = st->qn < BATCH_MAX ? st->qn : BATCH_MAX;
        if (st->bcap < n) {
            struct sql_op *nb = realloc(st->batch, n * sizeof(*nb));
            if (nb == NULL) {
                n = st->bcap;   /* use what we have; never 0 after the first */
                if (n == 0) {
                    pthread_mutex_unlock(&st->mu);
                    struct timespec ts = { 0, 10 * 1000 * 1000 };
                    nanosleep(&ts, NULL);
                    pthread_mutex_lock(&st->mu);
                    continue;
                }
            } else {
                st->batch = nb;
                st->bcap = n;
            }
        }
        memcpy(st->batch, st->q, n * sizeof(*st->batch));
        memmove(st->q, st->q + n, (st->qn - n) * sizeof(*st->q));
        st->qn -= n;
        uint64_t last = st->completed + n;
        pthread_mutex_unlock(&st->mu);

        int rc = commit_batch(st, st->batch, n);

        /* Learn from the database: a conflicting row is someone else's
         * lease; after a failure the cache may hold what never got in. */
        for (size_t i = 0; i < n; i++)
            if (rc != LEASE_OK || st->batch[i].result == LEASE_E_CONFLICT)
                want_refresh(st, st->batch[i].lease.addr);
        if (st->commit_conn != NULL)
            refresh_addrs(st);

        for (size_t i = 0; i < n; i++)
            if (st->batch[i].done != NULL)
                st->batch[i].done(st->batch[i].ctx, rc != LEASE_OK ? rc : st->batch[i].result);

        pthread_mutex_lock(&st->mu);
        st->completed = last;
        if (rc != LEASE_OK)
            st->failed_upto = last;
        pthread_cond_broadcast(&st->done_cv);
    }
    pthread_mutex_unlock(&st->mu);
    return NULL;
}

/* ---- open / flush / close ------------------------------------------------ */

int sql_flush(struct lease_store *s)
{
    struct sql_store *st = to_st(s);
    int rc = LEASE_OK;

    if (st->thread_started && pthread_equal(pthread_self(), st->thread))
        return LEASE_E_INVALID;   /* from a completion: would wait for itself */
    pthread_mutex_lock(&st->mu);
    uint64_t target = st->submitted, before = st->completed;
    while (st->completed < target)
        pthread_cond_wait(&st->done_cv, &st->mu);
    if (st->failed_upto > before)
        rc = LEASE_E_IO;
    pthread_mutex_unlock(&st->mu);
    return rc;
}

static void st_free(struct sql_store *st)
{
    if (st->commit_conn)
        st->drv->disconnect(st->commit_conn);
    if (st->table)
        mf_table_destroy(st->table);
    free(st->refresh);
    free(st->q);
    free(st->batch);
    sql_params_free(&st->params);
    pthread_mutex_destroy(&st->mu);
    pthread_cond_destroy(&st->work_cv);
    pthread_cond_destroy(&st->done_cv);
    free(st);
}

void sql_close(struct lease_store *s)
{
    struct sql_store *st = to_st(s);

    if (s == NULL)
        return;
    if (st->thread_started && pthread_equal(pthread_self(), st->thread))
        return;   /* cannot join itself; leaking beats deadlocking */
    atomic_store(&st->closing, true);
    pthread_mutex_lock(&st->mu);
    st->stop = true;
    pthread_cond_signal(&st->work_cv);
    pthread_mutex_unlock(&st->mu);
    if (st->thread_started)
        pthread_join(st->thread, NULL);
    st_free(st);
}

enum be_db_health sql_store_health(struct lease_store *s)
{
    return (enum be_db_health)atomic_load(&to_st(s)->health);
}

static int load_one(const struct lease4 *l, void *ctx)
{
    return mf_table_put(ctx, l) != 0;
}

/* Every lease of the database into the cache (one SELECT). */
static int load_cache(struct sql_store *st, char *err, size_t errlen)
{
    struct sql_query q = { .kind = SQL_Q_ALL };

    if (mf_table_create(&st->table) != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    mf_table_begin_load(st->table);
    int n = st->drv->query(st->commit_conn, &q, load_one, st->table);
    if (mf_table_end_load(st->table) != 0 || n < 0) {
        snprintf(err, errlen, "cannot load the leases from the database");
        return -1;
    }
    return 0;
}

int sql_store_open(const struct sql_driver *drv, const struct lease_store_ops *ops,
                   const struct be_db_params *p, struct lease_store **out,
                   char *err, size_t errlen)
{
    struct sql_store *st = calloc(1, sizeof(*st));
    pthread_condattr_t ca;

    if (st == NULL) {
        snprintf(err, errlen, "out of memory");
        return LEASE_E_NOMEM;
    }
    st->base.ops = ops;
    st->drv = drv;
    pthread_mutex_init(&st->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_cond_init(&st->work_cv, &ca);   /* CLOCK_REALTIME: timedwait above */
    pthread_condattr_destroy(&ca);
    pthread_cond_init(&st->done_cv, NULL);
    if (sql_params_copy(&st->params, p) != 0) {
        snprintf(err, errlen, "out of memory");
        st_free(st);
        return LEASE_E_NOMEM;
    }

    /* Kea §11: without retry-on-startup a failed first connection is fatal;
     * with it, retry max-reconnect-tries times reconnect-wait-time apart. */
    uint32_t tries = p->retry_on_startup ? p->max_reconnect_tries : 0;
    for (uint32_t i = 0;; i++) {
        st->commit_conn = drv->connect(&st->params.p, err, errlen);
        if (st->commit_conn != NULL || i >= tries)
            break;
        struct timespec ts = { p->reconnect_wait_time / 1000,
                               (long)(p->reconnect_wait_time % 1000) * 1000000 };
        nanosleep(&ts, NULL);
    }
    if (st->commit_conn == NULL) {
        st_free(st);
        return LEASE_E_IO;
    }
    if (load_cache(st, err, errlen) != 0) {
        st_free(st);
        return LEASE_E_IO;
    }
    if (pthread_create(&st->thread, NULL, commit_main, st) != 0) {
        snprintf(err, errlen, "cannot start the commit thread");
        st_free(st);
        return LEASE_E_NOMEM;
    }
    st->thread_started = true;
    *out = &st->base;
    return 0;
}
