/*
 * The bounded packet queue between the receiver thread and the worker pool,
 * and the pool of packet buffers that travel through it.
 *
 * Kea's semantics (spec kea-dhcp4.md §6.1): when the queue is full the OLDEST
 * queued packet is dropped to make room, and counted; the receiver never
 * blocks on the workers.
 */
#ifndef DORA_SERVER_PKT_QUEUE_H
#define DORA_SERVER_PKT_QUEUE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "server/io.h"

#ifdef __cplusplus
extern "C" {
#endif

struct pkt_queue {
    pthread_mutex_t lock;
    pthread_cond_t  nonempty;
    struct rx_pkt **ring;
    size_t cap, head, count;
    struct rx_pkt **free_list;   /* buffers not in use */
    size_t n_free, n_bufs;
    size_t dropped;              /* oldest-dropped count */
    unsigned waiters;            /* consumers blocked in pop: signal only if any */
    bool   closed;
};

/* cap: queue capacity (packets waiting); extra: buffers beyond cap for the
 * receiver's batch and the packets being processed. */
int  pkt_queue_init(struct pkt_queue *q, size_t cap, size_t extra);
void pkt_queue_destroy(struct pkt_queue *q);

/* A free buffer for the receiver. When none is free, the oldest queued
 * packet is dropped (counted) and its buffer returned. NULL only if every
 * buffer is held by a worker. */
struct rx_pkt *pkt_queue_get_buffer(struct pkt_queue *q);

/* Queue a filled buffer. If the queue is full, drops the oldest queued packet
 * (returning its buffer to the pool) and counts it. Returns true if a packet
 * was dropped. */
bool pkt_queue_push(struct pkt_queue *q, struct rx_pkt *p);

/* Queue copies of n received packets under one lock and one wake-up: each
 * takes a free buffer, or the oldest queued packet's buffer when none is free
 * or the queue is full (that packet is dropped and counted). Returns the
 * number of packets dropped to make room. */
size_t pkt_queue_push_copies(struct pkt_queue *q, const struct rx_pkt *pkts, size_t n);

/* Wait for a packet; NULL once the queue is closed and empty. */
struct rx_pkt *pkt_queue_pop(struct pkt_queue *q);

/* Return a buffer to the pool. */
void pkt_queue_put_buffer(struct pkt_queue *q, struct rx_pkt *p);

/* pkt_queue_pop, waiting at most timeout_ms: NULL with *timed_out set when
 * nothing came (an idle worker then lets go of an old config snapshot). */
struct rx_pkt *pkt_queue_pop_timed(struct pkt_queue *q, int timeout_ms, bool *timed_out);

/* Wake every waiting worker; pop returns NULL once drained. */
void pkt_queue_close(struct pkt_queue *q);

#ifdef __cplusplus
}
#endif
#endif
