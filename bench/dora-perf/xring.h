/*
 * Outstanding requests of dora-perf: one ring of transaction slots per
 * sending thread, indexed by the transaction id itself, so matching a reply
 * is one array lookup and one compare-and-swap, with no allocation and no
 * lock.
 *
 * xid layout (before XOR with a per-run key, which makes ids look random to
 * the server and to other runs): ring number in the top 3 bits, a 29-bit
 * per-ring sequence number below; the low bits of the sequence pick the
 * slot. A slot's tag holds the full xid and the exchange type, so a reply
 * with a stale or foreign xid never matches.
 *
 * Concurrency: each ring has one owner thread that posts requests and
 * collects (times out) old ones; any thread may claim a slot when a reply
 * arrives. Post publishes with a release store, claim and collect race
 * through compare-and-swap, so every request ends exactly once: answered,
 * or collected.
 */
#ifndef DORA_PERF_XRING_H
#define DORA_PERF_XRING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#ifndef __cplusplus
#include <stdatomic.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define PERF_XRING_MAX      8u
#define PERF_XRING_SEQ_BITS 29u
#define PERF_XRING_MAX_SLOTS (1u << 22)

struct perf_xring;

#ifndef __cplusplus
struct perf_xslot {
    _Atomic uint64_t tag;     /* 0 = free; else 1<<63 | type<<32 | xid */
    _Atomic uint64_t t_sent;  /* monotonic ns */
    _Atomic uint64_t meta;    /* giaddr<<32 | client */
};

struct perf_xring {
    unsigned id;
    uint32_t key;             /* XOR key shared by all rings of a run */
    uint32_t mask;            /* slots - 1 */
    uint64_t head;            /* next sequence to post (owner only) */
    uint64_t tail;            /* oldest sequence not yet known to be finished (owner only) */
    struct perf_xslot *slots;
};
#endif

/* What a claim or a collection hands back. */
struct perf_xinfo {
    uint32_t xid;
    uint8_t  type;            /* enum perf_xtype */
    uint32_t client;
    uint32_t giaddr;
    uint64_t t_sent;
    uint64_t tag;             /* internal: the slot tag that was seen */
};

/* A ring with at least min_slots slots (rounded up to a power of two,
 * capped at PERF_XRING_MAX_SLOTS). Returns NULL on bad id or no memory. */
struct perf_xring *perf_xring_new(unsigned id, size_t min_slots, uint32_t key);
void perf_xring_free(struct perf_xring *r);
size_t perf_xring_slots(const struct perf_xring *r);

/* Owner: take the next slot and publish a request in it; returns its xid.
 * If that slot still holds an unanswered request (the ring is smaller than
 * the requests in flight), that request is ended first and described in
 * *evicted with the return of *had_evicted = true. */
uint32_t perf_xring_post(struct perf_xring *r, uint8_t type, uint32_t client, uint32_t giaddr,
                         uint64_t t_sent, struct perf_xinfo *evicted, bool *had_evicted);

/* Owner: withdraw a request that could not be sent; *out (may be NULL)
 * describes it. Returns 0, or -1 if the xid is not outstanding here. */
int perf_xring_cancel(struct perf_xring *r, uint32_t xid, struct perf_xinfo *out);

/* Owner: set the send time of an outstanding request to t_sent, just
 * before it actually leaves (batches are built ahead of the send). */
void perf_xring_restamp(struct perf_xring *r, uint32_t xid, uint64_t t_sent);

/* Owner: end every request older than its drop time (drop_ns indexed by
 * type), oldest first, at most max of them; each is passed to cb. Returns
 * how many were collected. Stops at the first request still in time. */
size_t perf_xring_collect(struct perf_xring *r, uint64_t now_ns, const uint64_t *drop_ns,
                          size_t max, void (*cb)(void *ctx, const struct perf_xinfo *), void *ctx);

/* Any thread: the ring a (keyed) xid belongs to, from the top bits. */
unsigned perf_xring_id_of(uint32_t xid, uint32_t key);

/* Any thread: look up an outstanding request without ending it, so the
 * reply can be validated first. Returns true and fills *out when xid is
 * outstanding in r (the ring perf_xring_id_of() names). */
bool perf_xring_peek(struct perf_xring *r, uint32_t xid, struct perf_xinfo *out);

/* Any thread: end the request seen by perf_xring_peek(). Returns true when
 * this call ended it; false when it was ended meanwhile (collected, or a
 * duplicate reply claimed it first). What *seen says is valid exactly when
 * this returns true. */
bool perf_xring_claim(struct perf_xring *r, const struct perf_xinfo *seen);

#ifdef __cplusplus
}
#endif
#endif
