/*
 * Statistics with Kea's names. Counters are per thread (each worker, the
 * receiver and the commit thread own a slot) and summed on read, so the hot
 * path never writes a shared cache line.
 */
#ifndef DORA_SERVER_STATS_H
#define DORA_SERVER_STATS_H

#include <stddef.h>
#include <stdint.h>

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
    X(V4_ALLOCATION_FAIL_NO_POOLS, "v4-allocation-fail-no-pools") \
    X(V4_ALLOCATION_FAIL_SUBNET, "v4-allocation-fail-subnet") \
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

#define STATS_MAX_THREADS 256

/* The calling thread's slot; set once per thread with stats_bind_thread(). */
void stats_bind_thread(unsigned slot);

/* Add to a counter from the bound thread (slot 0 when unbound). Signed so
 * gauges like declined-addresses can go down. */
void stats_add(enum stat_id id, int64_t delta);
static inline void stats_inc(enum stat_id id) { stats_add(id, 1); }

/* Sum over all threads. */
int64_t stats_get(enum stat_id id);
const char *stats_name(enum stat_id id);

/* Write all counters as a flat JSON object into buf; returns the length. */
size_t stats_format_json(char *buf, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
