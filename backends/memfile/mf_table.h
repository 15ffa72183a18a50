/*
 * memfile's in-memory lease table: compact variable-length lease records,
 * hash indexes by address, by hw-address and by client-id, and an expiration
 * heap for reclamation. Internal to backends/memfile/.
 *
 * Concurrency: each index is split into MF_TABLE_STRIPES independently locked
 * hash tables (chosen by the key's hash), and the heap has its own lock, so
 * lookups never take a global lock. A change holds the lock of its address's
 * stripe from validation to the end, which serialises changes per address;
 * lock order is address stripe -> hw stripe -> client-id stripe -> heap, and
 * at most one stripe of each index is held at a time. Records are immutable
 * once published: a change allocates a new record and swaps it into every
 * index, and the old one is freed only after it was unlinked from all of them,
 * so a reader holding any one index lock may read any record it finds there.
 * Visitors are always called with no lock held (they may call back in).
 *
 * The hw-address index is keyed by the hw-address alone, not by
 * (subnet, hw-address): one index then answers both "in subnet N" and "in any
 * subnet" (subnet 0) without scanning, at the cost of also walking a client's
 * leases in other subnets, which are few. The same holds for client-ids.
 * Leases with an empty hw-address (declined leases) or no client-id are not
 * in those indexes: an empty identifier identifies nobody.
 */
#ifndef DORA_BACKENDS_MEMFILE_MF_TABLE_H
#define DORA_BACKENDS_MEMFILE_MF_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "backends/lease_store.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MF_TABLE_STRIPES 256

struct mf_table;

int  mf_table_create(struct mf_table **out);
void mf_table_destroy(struct mf_table *t);

/* Leases currently held. */
size_t mf_table_count(struct mf_table *t);

/* Called under the address's stripe lock once a change has been validated
 * and before it is made visible; a non-zero return aborts the change and is
 * returned by mf_table_change. Must not call into the table. */
typedef int (*mf_hook_fn)(void *ctx);

/* Validate and apply a change (lease_store.h semantics):
 *  ADD:    conflict if the address is held by a lease in state DEFAULT or
 *          DECLINED whose expire is after `now`; anything else is replaced.
 *  UPDATE: NOT_FOUND if absent, CONFLICT unless the stored expire equals
 *          old_expire; then replaces it with *lease.
 *  DELETE: as UPDATE, then removes it (only lease->addr is used).
 * hook (may be NULL) runs between validation and the change. */
int mf_table_change(struct mf_table *t, enum lease_op op, const struct lease4 *lease,
                    int64_t old_expire, int64_t now, mf_hook_fn hook, void *hctx);

/* Unconditional insert-or-replace and remove (loading the lease file). */
int  mf_table_put(struct mf_table *t, const struct lease4 *lease);
void mf_table_remove(struct mf_table *t, uint32_t addr);

/* Bulk loading, for a table no other thread can see yet: between begin and
 * end only the address index is maintained (last row wins needs it); end
 * then builds the hw-address and client-id indexes at their final size and
 * heapifies the expiry heap in one pass, instead of growing them row by row.
 * Lookups other than by address are wrong until end_load returns 0. */
void mf_table_begin_load(struct mf_table *t);
int  mf_table_end_load(struct mf_table *t);

/* Lookups: see struct lease_store_ops. */
int mf_table_get(struct mf_table *t, uint32_t addr, struct lease4 *out);
int mf_table_foreach_hwaddr(struct mf_table *t, uint32_t subnet_id,
                            const uint8_t *hw, size_t len, lease_visit_fn fn, void *ctx);
int mf_table_foreach_client_id(struct mf_table *t, uint32_t subnet_id,
                               const uint8_t *cid, size_t len, lease_visit_fn fn, void *ctx);
int mf_table_get_expired(struct mf_table *t, int64_t now, struct lease4 *out, size_t max);
int mf_table_foreach(struct mf_table *t, lease_visit_fn fn, void *ctx);

/* Scans for the control commands (no index; see mf_table.c): every lease
 * of subnet_id (0 = any), every lease whose hostname equals hostname ignoring
 * case, and up to max leases with an address above `after`, in address
 * order. Return the number visited / copied, or a lease_err. */
int mf_table_foreach_subnet(struct mf_table *t, uint32_t subnet_id, lease_visit_fn fn, void *ctx);
int mf_table_foreach_hostname(struct mf_table *t, const char *hostname, lease_visit_fn fn, void *ctx);
int mf_table_get_page(struct mf_table *t, uint32_t after, struct lease4 *out, size_t max);

/* Visit the leases of address stripe i (0 .. MF_TABLE_STRIPES-1) WITH its
 * lock held, so the caller sees one consistent state per address while other
 * stripes stay writable (compaction). fn must be quick and must not call into
 * the table. Returns the number visited; a non-zero return from fn stops
 * the walk. */
int mf_table_visit_stripe(struct mf_table *t, unsigned i, lease_visit_fn fn, void *ctx);

#ifdef __cplusplus
}
#endif
#endif
