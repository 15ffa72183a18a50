/*
 * Text for the lease store result codes (backends/lease_store.h), shared by
 * memfile and the SQL modules so that log lines read the same everywhere.
 */
#include "backends/lease_store.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

const char *lease_strerror(int err)
{
    switch (err) {
    case LEASE_OK:          return "success";
    case LEASE_E_NOT_FOUND: return "lease not found";
    case LEASE_E_CONFLICT:  return "lease conflict (address taken or lease changed)";
    case LEASE_E_IO:        return "lease storage I/O error (change not durable)";
    case LEASE_E_NOMEM:     return "out of memory";
    case LEASE_E_INVALID:   return "invalid lease or request";
    case LEASE_E_CLOSED:    return "lease store closed";
    default:                return "unknown lease store error";
    }
}

static bool lease_valid(const struct lease4 *l)
{
    return l->addr != 0 && l->hwaddr_len <= LEASE_HWADDR_MAX &&
           l->state <= LEASE_STATE_RELEASED &&
           memchr(l->hostname, '\0', sizeof(l->hostname)) != NULL &&
           /* keeps cltt + valid_lft (and a stored expire) from overflowing */
           l->cltt >= 0 && l->cltt <= INT64_MAX - (int64_t)UINT32_MAX;
}

int lease_submit_check(enum lease_op op, const struct lease4 *lease,
                       const struct lease4 *old, const struct lease4 **expected)
{
    *expected = NULL;
    if (lease == NULL || !lease_valid(lease))
        return LEASE_E_INVALID;
    switch (op) {
    case LEASE_OP_ADD:
        return LEASE_OK;
    case LEASE_OP_UPDATE:
        if (old == NULL || old->addr != lease->addr)
            return LEASE_E_INVALID;
        *expected = old;
        return LEASE_OK;
    case LEASE_OP_DELETE:
        /* `old` is the version expected in the store; without it, `lease`
         * itself is (both describe the same lease for a plain delete). */
        if (old != NULL && old->addr != lease->addr)
            return LEASE_E_INVALID;
        *expected = old != NULL ? old : lease;
        return LEASE_OK;
    default:
        return LEASE_E_INVALID;
    }
}

/* ---- helpers for the control commands ------------------------------------ */

struct wait_one {
    pthread_mutex_t mu;
    int result;
    bool done;
};

static void wait_one_done(void *ctx, int result)
{
    struct wait_one *w = ctx;
    pthread_mutex_lock(&w->mu);
    w->result = result;
    w->done = true;
    pthread_mutex_unlock(&w->mu);
}

int lease_store_submit_wait(struct lease_store *s, enum lease_op op,
                            const struct lease4 *lease, const struct lease4 *old)
{
    struct wait_one w = { PTHREAD_MUTEX_INITIALIZER, LEASE_OK, false };
    int rc = s->ops->submit(s, op, lease, old, wait_one_done, &w);

    if (rc != LEASE_OK)
        return rc;          /* refused synchronously: the completion never runs */
    /* flush() returns once every completion submitted before it ran. */
    int frc = s->ops->flush(s);
    pthread_mutex_lock(&w.mu);
    rc = w.done ? w.result : (frc != LEASE_OK ? frc : LEASE_E_IO);
    pthread_mutex_unlock(&w.mu);
    pthread_mutex_destroy(&w.mu);
    return rc;
}

struct wipe_ctx {
    struct lease_store *s;
    atomic_int submitted;
    atomic_int refused;     /* conflicts reported by the completion */
};

static void wipe_done(void *ctx, int result)
{
    struct wipe_ctx *w = ctx;
    if (result != LEASE_OK)
        atomic_fetch_add(&w->refused, 1);
}

static int wipe_one(const struct lease4 *l, void *ctx)
{
    struct wipe_ctx *w = ctx;
    /* Conditional on the version just read: a lease a worker changed
     * in between is a conflict and stays. */
    if (w->s->ops->submit(w->s, LEASE_OP_DELETE, l, l, wipe_done, w) == LEASE_OK)
        atomic_fetch_add(&w->submitted, 1);
    return 0;
}

int lease_store_wipe_by_submit(struct lease_store *s, uint32_t subnet_id)
{
    struct wipe_ctx w = { s, 0, 0 };
    int rc = s->ops->foreach_by_subnet(s, subnet_id, wipe_one, &w);

    if (rc < 0)
        return rc;
    /* The completions point at w: wait for all of them even on error. */
    rc = s->ops->flush(s);
    if (rc != LEASE_OK)
        return rc;
    return atomic_load(&w.submitted) - atomic_load(&w.refused);
}
