/*
 * One dora-perf run: everything the sending threads, the receiving thread
 * and the main (control and report) thread share. Counters are atomics
 * added to with relaxed order; configuration fields are written before the
 * threads start and only read afterwards.
 *
 * Threads:
 *   senders (--senders, default 1): pace and send DISCOVERs; sender 0 also
 *     sends renewals (-f) and releases (-F). Each owns one transaction ring.
 *   receiver: reads replies, matches them, records latency, answers OFFERs
 *     with REQUESTs (its own ring) and ARP requests for held addresses.
 *   main: exit conditions, live progress line, final report.
 */
#ifndef DORA_PERF_RUN_H
#define DORA_PERF_RUN_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "bench/dora-perf/addrmap.h"
#include "bench/dora-perf/clients.h"
#include "bench/dora-perf/hist.h"
#include "bench/dora-perf/net.h"
#include "bench/dora-perf/opts.h"
#include "bench/dora-perf/tmpl.h"
#include "bench/dora-perf/xring.h"

enum perf_phase { PERF_PHASE_RUN = 0, PERF_PHASE_DRAIN, PERF_PHASE_STOP };

/* Per exchange type. */
struct perf_xcount {
    _Atomic uint64_t sent;       /* requests the kernel accepted */
    _Atomic uint64_t rcvd;       /* matching replies within the drop time */
    _Atomic uint64_t orphans;    /* replies matching nothing outstanding (late, duplicate, foreign) */
    _Atomic uint64_t rejected;   /* NAKs, and OFFERs/ACKs without an address */
    _Atomic uint64_t nonunique;  /* -u: address held by another client */
    _Atomic uint64_t collected;  /* requests ended by their drop time */
    _Atomic uint64_t late;       /* of those, answered after the drop time */
};

struct perf_run {
    const struct perf_opts *o;
    struct perf_net net;
    struct perf_tmpl tmpl[PT_N];
    struct perf_clients *clients;
    struct perf_xring *ring[PERF_XRING_MAX];
    unsigned n_rings;                 /* senders + 1; the last one is the receiver's */
    uint32_t key;                     /* xid XOR key */
    uint64_t drop_ns[PX_N];
    bool     track_bound;             /* -f or -F: keep the bound queue */

    struct perf_xcount cnt[PX_N];
    struct perf_hist *hist[PX_N];     /* written by the receiver only */
    _Atomic uint64_t malformed;       /* replies that do not parse */
    _Atomic uint64_t locallimit;      /* requests the kernel refused */
    _Atomic uint64_t evicted;         /* requests ended early: ring full */
    _Atomic uint64_t initiated;       /* DISCOVERs claimed against -n */
    _Atomic uint64_t requests;        /* REQUESTs claimed against the second -n */
    _Atomic uint64_t next_client;
    _Atomic uint64_t t_last_rcvd[PX_N];
    _Atomic int phase;                /* enum perf_phase */
    uint64_t t_start;                 /* monotonic ns when sending began */

    pthread_mutex_t uniq_lock;        /* -u: guards uniq */
    bool     lock_ready;              /* uniq_lock was initialised */
    struct perf_addrmap *uniq;
    struct perf_addrmap *arp;         /* broadcast mode; receiver thread only */
};

uint64_t perf_now_ns(void);
void perf_sleep_until(uint64_t t_ns);

/* Set up everything but the threads. Returns 0 or -1 with err (general
 * error, exit 1). */
int  perf_run_init(struct perf_run *r, const struct perf_opts *o, char *err, size_t errlen);
void perf_run_free(struct perf_run *r);

/* Claim up to want new DISCOVERs against -n; returns how many may go. */
uint64_t perf_run_claim(struct perf_run *r, uint64_t want);

/* Publish a request in ring (owned by the caller) and count it against
 * its client; a request evicted to make room is accounted as collected.
 * Returns the xid. */
uint32_t perf_run_post(struct perf_run *r, struct perf_xring *ring, enum perf_xtype type,
                       uint32_t client, uint32_t giaddr, uint64_t now);

/* Withdraw a request that could not be sent (counted as locallimit). */
void perf_run_cancel(struct perf_run *r, struct perf_xring *ring, uint32_t xid);

/* A reply ended request x (claimed): the client is one request less busy. */
void perf_run_ended(struct perf_run *r, const struct perf_xinfo *x);

/* Next client for a new exchange: round robin over -R, skipping clients
 * with a request in flight when a few tries find an idle one. */
uint32_t perf_run_next_client(struct perf_run *r);

/* The giaddr of a new exchange: a random -J address, else the local
 * address (relayed), 0 in broadcast mode. */
uint32_t perf_run_giaddr(struct perf_run *r, uint64_t *rng);

/* Account a request ended without a reply (drop time or ring eviction);
 * usable as a perf_xring_collect callback (ctx = the run). */
void perf_run_collected(void *ctx, const struct perf_xinfo *x);

/* -u bookkeeping (no-ops without -u). check: is addr held by a client other
 * than client? hold: client now holds addr (and no longer old_addr).
 * release: client gave addr up. */
bool perf_run_uniq_check(struct perf_run *r, uint32_t addr, uint32_t client);
bool perf_run_uniq_hold(struct perf_run *r, uint32_t addr, uint32_t client, uint32_t old_addr);
void perf_run_uniq_release(struct perf_run *r, uint32_t addr, uint32_t client);

/* Outstanding requests of type t by the counters (may be briefly negative
 * while a reply is counted before its send). */
int64_t perf_run_outstanding(struct perf_run *r, enum perf_xtype t);

/* xorshift64*: per-thread randomness (relay choice, release xids). */
uint64_t perf_rand(uint64_t *state);

/* Threads (sender.c, receiver.c). */
struct perf_sender;
struct perf_receiver;
struct perf_sender   *perf_sender_start(struct perf_run *r, unsigned id, char *err, size_t errlen);
void                  perf_sender_join(struct perf_sender *s);
struct perf_receiver *perf_receiver_start(struct perf_run *r, char *err, size_t errlen);
void                  perf_receiver_join(struct perf_receiver *v);

/* Reports (report.c). */
enum perf_exit_reason {
    PERF_EXIT_NONE = 0, PERF_EXIT_PERIOD, PERF_EXIT_NUM_REQUEST, PERF_EXIT_MAX_DROP,
    PERF_EXIT_SIGNAL
};
const char *perf_exit_reason_name(enum perf_exit_reason e);
void perf_report_progress(struct perf_run *r, uint64_t now_ns, FILE *out);
void perf_report_final(struct perf_run *r, uint64_t t_end_ns, enum perf_exit_reason why, FILE *out);
int  perf_report_json(struct perf_run *r, uint64_t t_end_ns, enum perf_exit_reason why, FILE *out);
/* perfdhcp's exit status for the finished run: 0, or 3 when exchanges failed. */
int  perf_run_status(struct perf_run *r);

#endif
