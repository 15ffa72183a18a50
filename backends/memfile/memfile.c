/*
 * memfile: the built-in lease store (backends/memfile/memfile.h).
 *
 * Write path. submit() validates the change and applies it to the in-memory
 * table; in the same critical section (the address's stripe lock) it appends
 * the change's CSV row and its completion to the pending group, so the file
 * order of one address's rows is the order its changes were made. The one
 * commit thread then swaps the pending group for the empty one (double
 * buffering: submissions made while it writes go to the next group),
 * write()s the whole group, fdatasync()s once, and runs the group's
 * completions in submission order. A completion therefore runs only after
 * its row is on stable storage, and a group costs one sync however many
 * changes it carries (group commit).
 *
 * I/O errors. If a write or fdatasync of a group fails, its completions get
 * LEASE_E_IO and the group's rows are dropped, not retried: after a failed
 * fsync Linux may already have thrown the dirty pages away and a second
 * fsync can report success without the data being there. The changes stay in
 * memory (the engine does not answer the client, so the extra lease state is
 * harmless, like an offer). The file is marked suspect and the next group is
 * committed by rewriting the whole file from memory (compaction), which
 * makes the file equal to memory again, including the failed group's
 * changes; until such a rewrite succeeds every group fails with
 * LEASE_E_IO (rewrites are retried at most once a second). Each completion
 * runs exactly once either way.
 *
 * Compaction runs on the commit thread every lfc_interval seconds and on
 * memfile_compact(); see mf_lfc.c for why it cannot lose a change.
 */
#include "backends/memfile/memfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backends/memfile/lease_csv.h"
#include "backends/memfile/memfile_int.h"
#include "backends/memfile/memfile_priv.h"

#define RECOVERY_RETRY_MS 1000
#define GROUP_KEEP_BYTES  (1u << 20)

static const struct lease_store_ops memfile_ops;

static inline struct memfile *to_mf(struct lease_store *s)
{
    return (struct memfile *)s;
}

/* ---- lookups ----------------------------------------------------------- */

static int mf_get_by_addr(struct lease_store *s, uint32_t addr, struct lease4 *out)
{
    return mf_table_get(to_mf(s)->table, addr, out);
}

static int mf_foreach_by_hwaddr(struct lease_store *s, uint32_t subnet_id,
                                const uint8_t *hw, size_t hwlen, lease_visit_fn fn, void *ctx)
{
    return mf_table_foreach_hwaddr(to_mf(s)->table, subnet_id, hw, hwlen, fn, ctx);
}

static int mf_foreach_by_client_id(struct lease_store *s, uint32_t subnet_id,
                                   const uint8_t *cid, size_t cidlen, lease_visit_fn fn, void *ctx)
{
    return mf_table_foreach_client_id(to_mf(s)->table, subnet_id, cid, cidlen, fn, ctx);
}

static int mf_get_expired(struct lease_store *s, int64_t now, struct lease4 *out, size_t max)
{
    return mf_table_get_expired(to_mf(s)->table, now, out, max);
}

static int mf_foreach(struct lease_store *s, lease_visit_fn fn, void *ctx)
{
    return mf_table_foreach(to_mf(s)->table, fn, ctx);
}

static int mf_get_page(struct lease_store *s, uint32_t after, struct lease4 *out, size_t max)
{
    return mf_table_get_page(to_mf(s)->table, after, out, max);
}

static int mf_foreach_by_subnet(struct lease_store *s, uint32_t subnet_id,
                                lease_visit_fn fn, void *ctx)
{
    return mf_table_foreach_subnet(to_mf(s)->table, subnet_id, fn, ctx);
}

static int mf_foreach_by_hostname(struct lease_store *s, const char *hostname,
                                  lease_visit_fn fn, void *ctx)
{
    return mf_table_foreach_hostname(to_mf(s)->table, hostname, fn, ctx);
}

/* ---- submit ------------------------------------------------------------ */

static int group_reserve(struct mf_group *g, size_t rowlen)
{
    if (g->len + rowlen > g->cap) {
        size_t nc = g->cap ? g->cap * 2 : 64 * 1024;
        while (nc < g->len + rowlen)
            nc *= 2;
        char *nb = realloc(g->buf, nc);
        if (nb == NULL)
            return LEASE_E_NOMEM;
        g->buf = nb;
        g->cap = nc;
    }
    if (g->n + 1 > g->ccap) {
        size_t nc = g->ccap ? g->ccap * 2 : 1024;
        struct mf_completion *nbuf = realloc(g->c, nc * sizeof(*nbuf));
        if (nbuf == NULL)
            return LEASE_E_NOMEM;
        g->c = nbuf;
        g->ccap = nc;
    }
    return 0;
}

struct submit_ctx {
    struct memfile *m;
    const char *row;
    size_t rowlen;
    lease_done_fn done;
    void *ctx;
};

/* Runs under the address's stripe lock, after validation, before the change
 * becomes visible (mf_table_change): queue the row and the completion. */
static int submit_hook(void *p)
{
    struct submit_ctx *h = p;
    struct memfile *m = h->m;
    struct mf_group *g;
    int rc;

    pthread_mutex_lock(&m->mu);
    if (m->stop) {
        pthread_mutex_unlock(&m->mu);
        return LEASE_E_CLOSED;
    }
    g = &m->group[m->pending];
    rc = group_reserve(g, h->rowlen);
    if (rc == 0) {
        if (h->rowlen > 0) {    /* persist=false queues completions only */
            memcpy(g->buf + g->len, h->row, h->rowlen);
            g->len += h->rowlen;
        }
        g->c[g->n++] = (struct mf_completion){ h->done, h->ctx };
        g->last_seq = ++m->submitted;
        if (m->idle)
            pthread_cond_signal(&m->work_cv);
    }
    pthread_mutex_unlock(&m->mu);
    return rc;
}

static int mf_submit(struct lease_store *s, enum lease_op op,
                     const struct lease4 *lease, const struct lease4 *old,
                     lease_done_fn done, void *ctx)
{
    struct memfile *m = to_mf(s);
    char row[LEASE_CSV_ROW_MAX];
    struct submit_ctx h = { m, row, 0, done, ctx };
    const struct lease4 *expected;

    if (atomic_load(&m->closing))
        return LEASE_E_CLOSED;
    if (lease_submit_check(op, lease, old, &expected) != LEASE_OK)
        return LEASE_E_INVALID;
    int64_t old_expire = expected ? lease4_expire(expected) : 0;

    if (m->persist) {
        /* Formatted before any lock is taken. A deletion is recorded, as in
         * Kea, as the lease's row with valid_lifetime 0. */
        if (op == LEASE_OP_DELETE) {
            struct lease4 del = *lease;
            del.valid_lft = 0;
            h.rowlen = lease_csv_format_row(&del, row, sizeof(row));
        } else {
            h.rowlen = lease_csv_format_row(lease, row, sizeof(row));
        }
        if (h.rowlen == 0)
            return LEASE_E_INVALID;
    }
    return mf_table_change(m->table, op, lease, old_expire, (int64_t)time(NULL),
                           submit_hook, &h);
}

/* ---- commit thread ----------------------------------------------------- */

/* Make one group durable. Returns LEASE_OK or LEASE_E_IO. */
static int commit_group(struct memfile *m, struct mf_group *g)
{
    if (!m->persist)
        return LEASE_OK;

    if (m->suspect || m->fd < 0) {
        /* The file may be missing acknowledged-looking data; only a full
         * rewrite from memory (which includes this group's changes, applied
         * before the group was taken) can make it trustworthy again. */
        int64_t now = mf_mono_ms();
        if (m->last_recovery_ms != 0 && now - m->last_recovery_ms < RECOVERY_RETRY_MS)
            return LEASE_E_IO;
        m->last_recovery_ms = now;
        if (mf_compact_now(m) != 0)
            return LEASE_E_IO;
        mf_log("MEMFILE_RECOVERED", "%s rewritten from memory after an I/O error", m->path);
        return LEASE_OK;
    }

    /* After a torn tail the first row must start on a line of its own,
     * otherwise it would be glued to the fragment and lost on reload. */
    int r = 0, e;
    if (m->need_newline)
        r = mf_write_all(m->fd, "\n", 1);
    if (r == 0)
        r = mf_write_all(m->fd, g->buf, g->len);
    e = -r;
    if (e != 0) {
        mf_log("MEMFILE_WRITE_FAIL", "write to %s failed: %s; %zu changes not durable",
               m->path, strerror(e), g->n);
        m->suspect = true;
        return LEASE_E_IO;
    }
    if (fdatasync(m->fd) != 0) {
        mf_log("MEMFILE_SYNC_FAIL", "fdatasync of %s failed: %s; %zu changes not durable",
               m->path, strerror(errno), g->n);
        m->suspect = true;
        return LEASE_E_IO;
    }
    m->need_newline = false;
    atomic_fetch_add(&m->syncs, 1);
    return LEASE_OK;
}

static bool lfc_enabled(const struct memfile *m)
{
    return m->persist && m->lfc_interval > 0;
}

static void schedule_lfc(struct memfile *m)
{
    clock_gettime(CLOCK_MONOTONIC, &m->next_lfc);
    m->next_lfc.tv_sec += m->lfc_interval;
}

static bool lfc_due(const struct memfile *m)
{
    struct timespec now;

    if (!lfc_enabled(m))
        return false;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec > m->next_lfc.tv_sec ||
           (now.tv_sec == m->next_lfc.tv_sec && now.tv_nsec >= m->next_lfc.tv_nsec);
}

static void *commit_main(void *arg)
{
    struct memfile *m = arg;

    pthread_mutex_lock(&m->mu);
    for (;;) {
        bool timed;
        /* Sleep until there is something to do: no polling, no fixed delay. */
        for (;;) {
            timed = lfc_due(m);
            if (timed || m->stop || m->group[m->pending].n > 0 ||
                m->compact_req != m->compact_done)
                break;
            m->idle = true;
            if (lfc_enabled(m))
                pthread_cond_timedwait(&m->work_cv, &m->mu, &m->next_lfc);
            else
                pthread_cond_wait(&m->work_cv, &m->mu);
            m->idle = false;
        }
        struct mf_group *g = &m->group[m->pending];
        m->pending ^= 1;
        uint64_t creq = m->compact_req;
        bool want_compact = timed || creq != m->compact_done;
        bool stopping = m->stop;
        pthread_mutex_unlock(&m->mu);

        if (g->n > 0) {
            int rc = commit_group(m, g);
            for (size_t i = 0; i < g->n; i++)
                if (g->c[i].fn != NULL)
                    g->c[i].fn(g->c[i].ctx, rc);
            pthread_mutex_lock(&m->mu);
            m->completed = g->last_seq;
            if (rc != LEASE_OK)
                m->failed_upto = g->last_seq;
            pthread_cond_broadcast(&m->done_cv);    /* flush() waiters */
            pthread_mutex_unlock(&m->mu);
        }
        /* Between two groups: every earlier row is in the file, later ones
         * accumulate in the pending group (see mf_lfc.c). */
        int crc = 0;
        if (want_compact) {
            crc = m->persist ? mf_compact_now(m) : 0;
            if (lfc_enabled(m))
                schedule_lfc(m);
        }

        pthread_mutex_lock(&m->mu);
        g->len = 0;
        g->n = 0;
        if (g->cap > GROUP_KEEP_BYTES || g->ccap > GROUP_KEEP_BYTES / sizeof(*g->c)) {
            /* A burst (e.g. during a long compaction) grew this group; do
             * not keep megabytes around for the usual small groups. */
            free(g->buf);
            free(g->c);
            g->buf = NULL;
            g->c = NULL;
            g->cap = g->ccap = 0;
        }
        if (want_compact && creq != m->compact_done) {
            m->compact_done = creq;
            m->compact_rc = crc;
            pthread_cond_broadcast(&m->done_cv);    /* memfile_compact() waiters */
        }
        if (stopping && m->group[m->pending].n == 0)
            break;
    }
    pthread_mutex_unlock(&m->mu);
    return NULL;
}

/* ---- flush / compact / close ------------------------------------------- */

static int mf_flush(struct lease_store *s)
{
    struct memfile *m = to_mf(s);
    int rc = LEASE_OK;

    /* From a completion this would wait for itself. */
    if (m->thread_started && pthread_equal(pthread_self(), m->thread))
        return LEASE_E_INVALID;
    pthread_mutex_lock(&m->mu);
    uint64_t target = m->submitted;
    while (m->completed < target)
        pthread_cond_wait(&m->done_cv, &m->mu);
    /* Completions carry each change's own result; flush() summarises: did
     * any change submitted since the previous flush fail? */
    if (m->failed_upto > m->flush_mark)
        rc = LEASE_E_IO;
    if (target > m->flush_mark)
        m->flush_mark = target;
    pthread_mutex_unlock(&m->mu);
    return rc;
}

int memfile_compact(struct lease_store *s)
{
    struct memfile *m = to_mf(s);
    int rc;

    if (s == NULL || s->ops != &memfile_ops)
        return LEASE_E_INVALID;
    if (!m->persist)
        return LEASE_OK;
    if (pthread_equal(pthread_self(), m->thread))
        return LEASE_E_INVALID;
    pthread_mutex_lock(&m->mu);
    uint64_t my = ++m->compact_req;
    if (m->idle)
        pthread_cond_signal(&m->work_cv);
    while (m->compact_done < my)
        pthread_cond_wait(&m->done_cv, &m->mu);
    rc = m->compact_rc;
    pthread_mutex_unlock(&m->mu);
    return rc;
}

static void mf_free(struct memfile *m)
{
    if (m->fd >= 0)
        close(m->fd);
    if (m->dirfd >= 0)
        close(m->dirfd);
    mf_table_destroy(m->table);
    for (int i = 0; i < 2; i++) {
        free(m->group[i].buf);
        free(m->group[i].c);
    }
    pthread_mutex_destroy(&m->mu);
    pthread_cond_destroy(&m->work_cv);
    pthread_cond_destroy(&m->done_cv);
    free(m->path);
    free(m->tmp_path);
    free(m->dir);
    free(m);
}

static void mf_close(struct lease_store *s)
{
    struct memfile *m = to_mf(s);

    if (s == NULL)
        return;
    if (pthread_equal(pthread_self(), m->thread)) {
        /* Impossible to honour (the thread cannot join itself). */
        mf_log("MEMFILE_CLOSE", "%s", "close() called from a completion; aborting");
        abort();
    }
    atomic_store(&m->closing, true);
    pthread_mutex_lock(&m->mu);
    m->stop = true;     /* the thread drains every pending group first */
    pthread_cond_signal(&m->work_cv);
    pthread_mutex_unlock(&m->mu);
    pthread_join(m->thread, NULL);
    mf_free(m);
}

static const struct lease_store_ops memfile_ops = {
    .type = "memfile",
    .get_by_addr = mf_get_by_addr,
    .foreach_by_hwaddr = mf_foreach_by_hwaddr,
    .foreach_by_client_id = mf_foreach_by_client_id,
    .get_expired = mf_get_expired,
    .foreach = mf_foreach,
    .get_page = mf_get_page,
    .foreach_by_subnet = mf_foreach_by_subnet,
    .foreach_by_hostname = mf_foreach_by_hostname,
    .wipe = lease_store_wipe_by_submit,
    .submit = mf_submit,
    .flush = mf_flush,
    .close = mf_close,
};

/* ---- open -------------------------------------------------------------- */

static char *str_cat(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    char *p = malloc(la + lb + 1);

    if (p != NULL) {
        memcpy(p, a, la);
        memcpy(p + la, b, lb + 1);
    }
    return p;
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');

    if (slash == NULL)
        return str_cat(".", "");
    if (slash == path)
        return str_cat("/", "");
    char *d = malloc((size_t)(slash - path) + 1);
    if (d != NULL) {
        memcpy(d, path, (size_t)(slash - path));
        d[slash - path] = '\0';
    }
    return d;
}

/* Open the lease file for appending; a new or empty file gets the header
 * (synced, and the directory too, so the file's existence is durable). */
static int open_for_append(struct memfile *m, char *err, size_t errlen)
{
    struct stat st;

    m->fd = open(m->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (m->fd < 0 || fstat(m->fd, &st) != 0) {
        snprintf(err, errlen, "cannot open lease file %s for writing: %s", m->path,
                 strerror(errno));
        return LEASE_E_IO;
    }
    if (st.st_size == 0) {
        char hdr[LEASE_CSV_HEADER_LEN + 1];
        memcpy(hdr, lease_csv_header, sizeof(hdr) - 1);
        hdr[sizeof(hdr) - 1] = '\n';
        int w = mf_write_all(m->fd, hdr, sizeof(hdr));
        if (w != 0 || fdatasync(m->fd) != 0 || fsync(m->dirfd) != 0) {
            snprintf(err, errlen, "cannot initialise lease file %s: %s", m->path,
                     strerror(w != 0 ? -w : errno));
            return LEASE_E_IO;
        }
    }
    return 0;
}

int memfile_open(const struct memfile_params *p, struct lease_store **out,
                 struct memfile_load_stats *stats, char *err, size_t errlen)
{
    struct memfile_load_stats dummy;
    char no_err[1];
    struct memfile *m;
    pthread_condattr_t ca;
    bool rewrite = false;
    int rc;

    if (stats == NULL)
        stats = &dummy;
    memset(stats, 0, sizeof(*stats));
    if (err == NULL || errlen == 0) {
        err = no_err;
        errlen = sizeof(no_err);
    }
    err[0] = '\0';
    if (p == NULL || out == NULL || (p->persist && (p->path == NULL || p->path[0] == '\0'))) {
        snprintf(err, errlen, "memfile: a lease file path is required when persist is true");
        return LEASE_E_INVALID;
    }

    m = calloc(1, sizeof(*m));
    if (m == NULL) {
        snprintf(err, errlen, "out of memory");
        return LEASE_E_NOMEM;
    }
    m->base.ops = &memfile_ops;
    m->fd = -1;
    m->dirfd = -1;
    m->persist = p->persist;
    m->lfc_interval = p->lfc_interval;
    atomic_init(&m->closing, false);
    atomic_init(&m->syncs, 0);
    atomic_init(&m->compactions, 0);
    pthread_mutex_init(&m->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);   /* LFC timer immune to clock steps */
    pthread_cond_init(&m->work_cv, &ca);
    pthread_condattr_destroy(&ca);
    pthread_cond_init(&m->done_cv, NULL);

    rc = mf_table_create(&m->table);
    if (rc != 0) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }

    if (m->persist) {
        m->path = str_cat(p->path, "");
        m->tmp_path = str_cat(p->path, ".tmp");
        m->dir = dir_of(p->path);
        if (m->path == NULL || m->tmp_path == NULL || m->dir == NULL) {
            snprintf(err, errlen, "out of memory");
            rc = LEASE_E_NOMEM;
            goto fail;
        }
        rc = mf_mkdir_p(m->dir, err, errlen);
        if (rc != 0)
            goto fail;
        m->dirfd = open(m->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (m->dirfd < 0) {
            snprintf(err, errlen, "cannot open directory %s: %s", m->dir, strerror(errno));
            rc = LEASE_E_IO;
            goto fail;
        }
        /* A leftover of a compaction interrupted before its rename. */
        unlink(m->tmp_path);

        rc = mf_load(m, p->max_row_errors, stats, &rewrite, err, errlen);
        if (rc != 0)
            goto fail;
        if (rewrite || m->need_newline) {
            /* Rewrite an old/foreign layout in ours, and drop a torn last
             * line for good (left in place, it would be warned about at
             * every load, and a fragment torn inside its last field could
             * even parse). The rewrite holds exactly what was loaded. */
            rc = mf_compact_now(m);
            if (rc != 0 && rewrite) {
                snprintf(err, errlen, "cannot rewrite lease file %s in the current format",
                         m->path);
                goto fail;
            }
            if (rc != 0) {
                /* Torn tail only: appending still works; the first append
                 * starts with a newline (need_newline) so no row is lost. */
                mf_log("MEMFILE_OPEN_WARN", "%s: could not rewrite the file after a torn "
                       "last line; appending after it", m->path);
                m->suspect = false;
                if (m->fd >= 0)
                    close(m->fd);
                m->fd = -1;
                rc = open_for_append(m, err, errlen);
                if (rc != 0)
                    goto fail;
            }
        } else {
            rc = open_for_append(m, err, errlen);
            if (rc != 0)
                goto fail;
        }
        if (lfc_enabled(m))
            schedule_lfc(m);
    }

    if (pthread_create(&m->thread, NULL, commit_main, m) != 0) {
        snprintf(err, errlen, "cannot start the memfile commit thread");
        rc = LEASE_E_NOMEM;
        goto fail;
    }
    m->thread_started = true;
    *out = &m->base;
    return 0;

fail:
    mf_free(m);
    return rc;
}

/* ---- test-only accessors (memfile_priv.h) ------------------------------ */

uint64_t memfile_sync_count(struct lease_store *s)
{
    return atomic_load(&to_mf(s)->syncs);
}

uint64_t memfile_compaction_count(struct lease_store *s)
{
    return atomic_load(&to_mf(s)->compactions);
}
