/*
 * Statistics with Kea's names (spec kea-dhcp4.md §4). Two kinds of counters:
 *
 *  - global ones (STATS_LIST: pkt4-*, v4-allocation-fail, ...), and
 *  - keyed ones (SUBNET_STATS_LIST), one row per subnet ID and one per
 *    (subnet ID, pool-id): "subnet[1].assigned-addresses",
 *    "subnet[1].pool[0].assigned-addresses".
 *
 * Both are per thread: each worker, the receiver and the commit thread own a
 * row and add to it with an uncontended relaxed atomic; readers sum the rows.
 * The packet path never writes a shared cache line. Keyed rows are found
 * through a read-mostly hash (subnet ID, pool-id) -> slot; slots are created
 * when a configuration is applied (stats_config_applied) and live as long as
 * the process, so a subnet that leaves the config and comes back finds its
 * counts again (Kea keeps statistics by subnet ID too). Only subnets of the
 * running configuration are listed.
 *
 * The address gauges (assigned-addresses, declined-addresses) are exact:
 * counted once from the lease store at startup (stats_recount) and then
 * maintained at every lease change (stats_lease_changed). Every code path
 * that changes a lease must call it: the allocation engine does for
 * allocate, renew, release, decline, reclaim; lease commands (lease4-add,
 * -update, -del, -wipe) must too.
 *
 * Reset, remove and sampling (Kea's time series) live in stats_registry.h.
 */
#ifndef DORA_SERVER_STATS_H
#define DORA_SERVER_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backends/lease_store.h"
#include "server/cfg.h"

#ifdef __cplusplus
extern "C" {
#endif

#define STATS_LIST(X) \
    X(PKT4_RECEIVED, "pkt4-received") \
    X(PKT4_DISCOVER_RECEIVED, "pkt4-discover-received") \
    X(PKT4_OFFER_RECEIVED, "pkt4-offer-received") \
    X(PKT4_REQUEST_RECEIVED, "pkt4-request-received") \
    X(PKT4_ACK_RECEIVED, "pkt4-ack-received") \
    X(PKT4_NAK_RECEIVED, "pkt4-nak-received") \
    X(PKT4_RELEASE_RECEIVED, "pkt4-release-received") \
    X(PKT4_DECLINE_RECEIVED, "pkt4-decline-received") \
    X(PKT4_INFORM_RECEIVED, "pkt4-inform-received") \
    X(PKT4_UNKNOWN_RECEIVED, "pkt4-unknown-received") \
    X(PKT4_SENT, "pkt4-sent") \
    X(PKT4_OFFER_SENT, "pkt4-offer-sent") \
    X(PKT4_ACK_SENT, "pkt4-ack-sent") \
    X(PKT4_NAK_SENT, "pkt4-nak-sent") \
    X(PKT4_PARSE_FAILED, "pkt4-parse-failed") \
    X(PKT4_RECEIVE_DROP, "pkt4-receive-drop") \
    X(PKT4_QUEUE_FULL_DROP, "pkt4-queue-full-drop") \
    X(PKT4_SEND_FAILED, "pkt4-send-failed") \
    X(V4_ALLOCATION_FAIL, "v4-allocation-fail") \
    X(V4_ALLOCATION_FAIL_SHARED_NETWORK, "v4-allocation-fail-shared-network") \
    X(V4_ALLOCATION_FAIL_SUBNET, "v4-allocation-fail-subnet") \
    X(V4_ALLOCATION_FAIL_NO_POOLS, "v4-allocation-fail-no-pools") \
    X(V4_ALLOCATION_FAIL_CLASSES, "v4-allocation-fail-classes") \
    X(V4_RESERVATION_CONFLICTS, "v4-reservation-conflicts") \
    X(CUMULATIVE_ASSIGNED_ADDRESSES, "cumulative-assigned-addresses") \
    X(DECLINED_ADDRESSES, "declined-addresses") \
    X(RECLAIMED_LEASES, "reclaimed-leases") \
    X(RECLAIMED_DECLINED_ADDRESSES, "reclaimed-declined-addresses") \
    X(V4_LEASE_CONFLICTS, "v4-lease-conflicts") \
    X(LEASE_WRITE_FAILED, "lease-write-failed")

enum stat_id {
#define STAT_ENUM(id, name) STAT_##id,
    STATS_LIST(STAT_ENUM)
#undef STAT_ENUM
    STAT_COUNT
};

/* Per subnet and per pool counters: X(id, name, gauge, pool) where gauge
 * says whether the value can go down (Prometheus type) and pool whether a
 * subnet[ID].pool[PID]. variant exists. total-addresses comes from the
 * configuration, not from the per-thread rows. */
#define SUBNET_STATS_LIST(X) \
    X(TOTAL_ADDRESSES, "total-addresses", true, true) \
    X(ASSIGNED_ADDRESSES, "assigned-addresses", true, true) \
    X(DECLINED_ADDRESSES, "declined-addresses", true, true) \
    X(CUMULATIVE_ASSIGNED_ADDRESSES, "cumulative-assigned-addresses", false, true) \
    X(RECLAIMED_LEASES, "reclaimed-leases", false, true) \
    X(RECLAIMED_DECLINED_ADDRESSES, "reclaimed-declined-addresses", false, true) \
    X(V4_ALLOCATION_FAIL, "v4-allocation-fail", false, false) \
    X(V4_ALLOCATION_FAIL_SHARED_NETWORK, "v4-allocation-fail-shared-network", false, false) \
    X(V4_ALLOCATION_FAIL_SUBNET, "v4-allocation-fail-subnet", false, false) \
    X(V4_ALLOCATION_FAIL_NO_POOLS, "v4-allocation-fail-no-pools", false, false) \
    X(V4_ALLOCATION_FAIL_CLASSES, "v4-allocation-fail-classes", false, false) \
    X(V4_RESERVATION_CONFLICTS, "v4-reservation-conflicts", false, false)

enum sstat_id {
#define SSTAT_ENUM(id, name, gauge, pool) SSTAT_##id,
    SUBNET_STATS_LIST(SSTAT_ENUM)
#undef SSTAT_ENUM
    SSTAT_COUNT
};

#define STATS_MAX_THREADS 256
/* Keyed rows: subnets plus distinct pool-ids, over the life of the process. */
#define STATS_MAX_SLOTS (1u << 20)
#define STATS_NO_POOL UINT32_MAX

/* The calling thread's row; set once per thread. Unbound threads share row 0
 * (still correct: every add is an atomic read-modify-write). */
void stats_bind_thread(unsigned slot);

/* Add to a global counter from the calling thread. Signed: gauges go down. */
void stats_add(enum stat_id id, int64_t delta);
static inline void stats_inc(enum stat_id id) { stats_add(id, 1); }

/* Whether addr lies in a pool of subnet_id in the last configuration given
 * to stats_config_applied (true before any): the pool gauges count only such
 * leases, as Kea's do (stats_pools.c). Lock-free, O(log pools). */
bool stats_pool_holds(uint32_t subnet_id, uint32_t addr);
void stats_pools_applied(const struct cfg4 *cfg);

/* Add to subnet_id's counter (pool_id STATS_NO_POOL) or to its pool's. */
void stats_subnet_add(uint32_t subnet_id, uint32_t pool_id, enum sstat_id id, int64_t delta);

/* The global counter and its subnet[ID] variant at once (allocation
 * failures, reservation conflicts). */
void stats_inc_both(enum stat_id global, uint32_t subnet_id, enum sstat_id id);

/* Raw sums over all threads (no reset baseline applied: see
 * stats_registry.h for what the commands report). */
int64_t stats_get(enum stat_id id);
const char *stats_name(enum stat_id id);
const char *stats_subnet_name(enum sstat_id id);
bool stats_subnet_is_gauge(enum sstat_id id);
bool stats_subnet_has_pool(enum sstat_id id);

/* The keyed row of (subnet_id, pool_id): its slot number, created on first
 * use; -1 when STATS_MAX_SLOTS are used up. */
int stats_slot(uint32_t subnet_id, uint32_t pool_id);
/* The slot of (subnet_id, pool_id) if it exists, else -1 (never creates). */
int stats_slot_find(uint32_t subnet_id, uint32_t pool_id);
/* Raw sum of a keyed counter; total-addresses comes from the config. */
int64_t stats_slot_get(unsigned slot, enum sstat_id id);

/* What the registry enumerates: the keys of every slot created so far and
 * whether the running configuration has it. */
struct stats_slot_info {
    uint32_t subnet_id;
    uint32_t pool_id;      /* STATS_NO_POOL for the subnet row */
    bool configured;
};
unsigned stats_slot_count(void);
void stats_slot_info(unsigned slot, struct stats_slot_info *out);

/* A configuration is being installed: create the rows of its subnets and
 * pools, set total-addresses (a subnet's: its pool sizes; a pool-id's: the
 * pools with that id), and list only these subnets from now on. Call it
 * before the packet path sees cfg (server.c cfg_install). */
void stats_config_applied(const struct cfg4 *cfg);

/*
 * Lease changes: the single place that keeps the address gauges exact.
 * old is the stored lease before the change (NULL when none), cur the
 * stored lease after it (NULL when deleted). A lease counts as assigned in
 * state default or declined (Kea: a DECLINE does not decrement
 * assigned-addresses; reclaiming the declined lease does), as declined in
 * state declined. cumulative-assigned-addresses grows when cur is an
 * assigned lease that old was not (a new client, or a released / reclaimed
 * / declined address given out again). Thread-safe, no lock.
 */
void stats_lease_changed(const struct lease4 *old, const struct lease4 *cur);

/* An expired lease was reclaimed (by the reclamation pass, or by giving its
 * address to another client): reclaimed-leases, and for a declined one
 * reclaimed-declined-addresses, global, per subnet and per pool. Call it in
 * addition to stats_lease_changed. */
void stats_lease_reclaimed(const struct lease4 *l);

/* Count the assigned and declined leases of the store into the gauges. Call
 * once at startup, before the workers run. Returns the number of leases seen. */
int stats_recount(struct lease_store *store);

/* Write the current values (global and of configured subnets, reset
 * baselines applied) as a flat JSON object into buf; returns the length
 * (truncated JSON when cap is too small: see stats_json_flat). */
size_t stats_format_json(char *buf, size_t cap);
/* The same, malloc'd (the caller frees); NULL when out of memory. */
char *stats_json_flat(void);

#ifdef __cplusplus
}
#endif
#endif
