/*
 * The lease store interface (Kea's lease_mgr). memfile implements it built in;
 * the SQL modules implement the same operations behind a dlopen descriptor.
 *
 * The write path is asynchronous by design: a worker *submits* a change with a
 * completion and goes on serving packets; the store groups submissions into
 * one fdatasync (memfile) or one transaction (SQL) and then runs every
 * completion of the group, in submission order. A reply is sent from its
 * completion, so it never leaves before its lease is durable.
 *
 * Thread safety: every operation may be called from any worker concurrently.
 * Completions run on the store's commit thread; they must be quick.
 */
#ifndef DORA_BACKENDS_LEASE_STORE_H
#define DORA_BACKENDS_LEASE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum lease_state {
    LEASE_STATE_DEFAULT = 0,           /* assigned */
    LEASE_STATE_DECLINED = 1,
    LEASE_STATE_EXPIRED_RECLAIMED = 2,
    LEASE_STATE_RELEASED = 3
};

#define LEASE_HWADDR_MAX    20
#define LEASE_CLIENT_ID_MAX 255
#define LEASE_HOSTNAME_MAX  255
#define LEASE_INFINITE      0xffffffffu

struct lease4 {
    uint32_t addr;          /* host byte order */
    uint32_t subnet_id;
    uint32_t pool_id;
    uint32_t valid_lft;     /* seconds; LEASE_INFINITE for BOOTP */
    int64_t  cltt;          /* client last transmission time, unix seconds */
    uint8_t  state;         /* enum lease_state */
    uint8_t  hwaddr_len;
    uint8_t  client_id_len;
    bool     fqdn_fwd, fqdn_rev;
    uint8_t  hwaddr[LEASE_HWADDR_MAX];
    uint8_t  client_id[LEASE_CLIENT_ID_MAX];
    char     hostname[LEASE_HOSTNAME_MAX + 1];
};

/* expire = cltt + valid_lft (an infinite lease never expires). */
static inline int64_t lease4_expire(const struct lease4 *l)
{
    return l->valid_lft == LEASE_INFINITE ? INT64_MAX : l->cltt + (int64_t)l->valid_lft;
}

static inline bool lease4_expired(const struct lease4 *l, int64_t now)
{
    return lease4_expire(l) <= now;
}

/* Result codes (0 = success). */
enum lease_err {
    LEASE_OK = 0,
    LEASE_E_NOT_FOUND = -1,
    LEASE_E_CONFLICT = -2,   /* insert of an existing address, or the row changed */
    LEASE_E_IO = -3,         /* write or sync failed: the change is NOT durable */
    LEASE_E_NOMEM = -4,
    LEASE_E_INVALID = -5,
    LEASE_E_CLOSED = -6,
};

const char *lease_strerror(int err);

enum lease_op {
    LEASE_OP_ADD,     /* insert; conflict if an unexpired lease holds the address
                         (an expired one is replaced) */
    LEASE_OP_UPDATE,  /* replace; conflict unless the stored lease's expire equals
                         the expire of `old` (optimistic concurrency) */
    LEASE_OP_DELETE,  /* remove; same condition as UPDATE */
};

/* Completion: result is LEASE_OK once the change is durable, or an error. */
typedef void (*lease_done_fn)(void *ctx, int result);

/* Callback for iteration; return non-zero to stop. */
typedef int (*lease_visit_fn)(const struct lease4 *lease, void *ctx);

struct lease_store;

struct lease_store_ops {
    const char *type;  /* "memfile", "mysql", "postgresql" */

    /* Lookups copy the lease into *out. 0 or LEASE_E_NOT_FOUND. */
    int (*get_by_addr)(struct lease_store *s, uint32_t addr, struct lease4 *out);
    /* Every lease of subnet_id (0 = any subnet) whose hwaddr / client-id equals
     * the given one; visit order unspecified. Returns the number visited. */
    int (*foreach_by_hwaddr)(struct lease_store *s, uint32_t subnet_id,
                             const uint8_t *hw, size_t hwlen,
                             lease_visit_fn fn, void *ctx);
    int (*foreach_by_client_id)(struct lease_store *s, uint32_t subnet_id,
                                const uint8_t *cid, size_t cidlen,
                                lease_visit_fn fn, void *ctx);
    /* Up to max leases with expire <= now in state DEFAULT or DECLINED
     * (reclamation candidates), oldest first. Returns the count. */
    int (*get_expired)(struct lease_store *s, int64_t now, struct lease4 *out, size_t max);
    /* Every lease (dump, stats recount). */
    int (*foreach)(struct lease_store *s, lease_visit_fn fn, void *ctx);

    /* Control-command lookups (lease4-get-page, -get-all, -get-by-hostname):
     * not for the packet path, they may scan every lease.
     * get_page copies up to max leases whose address is above `after`
     * (0 = from the first) into out, in address order; returns the count. */
    int (*get_page)(struct lease_store *s, uint32_t after, struct lease4 *out, size_t max);
    /* Every lease of subnet_id (0 = every subnet). Returns the number visited. */
    int (*foreach_by_subnet)(struct lease_store *s, uint32_t subnet_id,
                             lease_visit_fn fn, void *ctx);
    /* Every lease whose hostname equals `hostname` ignoring case ("" matches
     * nothing). Returns the number visited. */
    int (*foreach_by_hostname)(struct lease_store *s, const char *hostname,
                               lease_visit_fn fn, void *ctx);
    /* Delete every lease of subnet_id (0 = every subnet) (lease4-wipe) and
     * return once the deletions are durable: the number deleted, or a
     * lease_err. A lease changed meanwhile by a packet is left alone. */
    int (*wipe)(struct lease_store *s, uint32_t subnet_id);

    /* Submit a change. The store validates it at once: a conflict or invalid
     * request returns the error synchronously and done is NOT called.
     * On LEASE_OK the change is visible to lookups immediately and done(ctx,
     * result) runs later, once durable (or with LEASE_E_IO). done may be NULL.
     * For ADD, `old` is NULL.
     *
     * Shared stores (mysql, postgresql): submit validates against what THIS
     * store has in flight; the database is the final arbiter between
     * servers. A change another server made first is therefore reported
     * asynchronously: done(ctx, LEASE_E_CONFLICT), the change is NOT stored
     * and lookups show the database's lease again. The caller must treat it
     * like a synchronous conflict: not answer the client (or NAK) and pick
     * another address / re-read the lease next time. memfile never does
     * this (its conflicts are always synchronous). */
    int (*submit)(struct lease_store *s, enum lease_op op,
                  const struct lease4 *lease, const struct lease4 *old,
                  lease_done_fn done, void *ctx);

    /* Block until everything submitted so far is durable and completed. */
    int (*flush)(struct lease_store *s);

    /* Flush, stop the commit thread, free everything. */
    void (*close)(struct lease_store *s);
};

struct lease_store {
    const struct lease_store_ops *ops;
};

/* The argument rules of submit() shared by every store: a lease with an
 * address, sane lengths and times; UPDATE needs `old` of the same address;
 * DELETE takes `old`, or the lease itself, as the version expected.
 * Returns 0 and sets *expected (NULL for ADD), or LEASE_E_INVALID. */
int lease_submit_check(enum lease_op op, const struct lease4 *lease,
                       const struct lease4 *old, const struct lease4 **expected);

/* wipe() for stores whose deletes go through submit(): a conditional
 * DELETE of every lease of the subnet, then flush(). memfile and the SQL
 * modules use it, so their caches and files stay consistent by
 * construction. */
int lease_store_wipe_by_submit(struct lease_store *s, uint32_t subnet_id);

/* Submit one change and wait until it is durable (control commands; never
 * from a completion or a packet worker). Returns the synchronous error, or
 * the completion's result (LEASE_E_CONFLICT when a shared database refused
 * it). */
int lease_store_submit_wait(struct lease_store *s, enum lease_op op,
                            const struct lease4 *lease, const struct lease4 *old);

#ifdef __cplusplus
}
#endif
#endif
