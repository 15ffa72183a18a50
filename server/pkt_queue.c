/* Bounded drop-oldest packet queue with a fixed buffer pool; see pkt_queue.h. */
#include "server/pkt_queue.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/stats.h"

int pkt_queue_init(struct pkt_queue *q, size_t cap, size_t extra)
{
    if (cap == 0)
        return -1;
    *q = (struct pkt_queue){0};
    q->ring = calloc(cap, sizeof(*q->ring));
    q->n_bufs = cap + extra;
    q->free_list = calloc(q->n_bufs, sizeof(*q->free_list));
    if (!q->ring || !q->free_list)
        goto fail;
    q->cap = cap;
    for (size_t i = 0; i < q->n_bufs; i++) {
        struct rx_pkt *p = malloc(sizeof(*p));
        if (!p)
            goto fail;
        q->free_list[q->n_free++] = p;
    }
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->nonempty, NULL);
    return 0;
fail:
    for (size_t i = 0; i < q->n_free; i++)
        free(q->free_list[i]);
    free(q->free_list);
    free(q->ring);
    return -1;
}

void pkt_queue_destroy(struct pkt_queue *q)
{
    /* Every buffer must be back (workers joined); free the queued ones too. */
    for (size_t i = 0; i < q->count; i++)
        free(q->ring[(q->head + i) % q->cap]);
    for (size_t i = 0; i < q->n_free; i++)
        free(q->free_list[i]);
    free(q->free_list);
    free(q->ring);
    pthread_mutex_destroy(&q->lock);
    pthread_cond_destroy(&q->nonempty);
}

/* Caller holds the lock. */
static struct rx_pkt *drop_oldest_locked(struct pkt_queue *q)
{
    struct rx_pkt *old = q->ring[q->head];
    q->head = (q->head + 1) % q->cap;
    q->count--;
    q->dropped++;
    stats_inc(STAT_PKT4_QUEUE_FULL_DROP);
    stats_inc(STAT_PKT4_RECEIVE_DROP);
    return old;
}

struct rx_pkt *pkt_queue_get_buffer(struct pkt_queue *q)
{
    struct rx_pkt *p = NULL;
    pthread_mutex_lock(&q->lock);
    if (q->n_free)
        p = q->free_list[--q->n_free];
    else if (q->count)
        p = drop_oldest_locked(q);
    pthread_mutex_unlock(&q->lock);
    return p;
}

bool pkt_queue_push(struct pkt_queue *q, struct rx_pkt *p)
{
    bool dropped = false;
    pthread_mutex_lock(&q->lock);
    if (q->count == q->cap) {
        q->free_list[q->n_free++] = drop_oldest_locked(q);
        dropped = true;
    }
    q->ring[(q->head + q->count) % q->cap] = p;
    q->count++;
    if (q->waiters)
        pthread_cond_signal(&q->nonempty);
    pthread_mutex_unlock(&q->lock);
    return dropped;
}

size_t pkt_queue_push_copies(struct pkt_queue *q, const struct rx_pkt *pkts, size_t n)
{
    size_t dropped = 0;
    pthread_mutex_lock(&q->lock);
    for (size_t i = 0; i < n; i++) {
        struct rx_pkt *p;
        if (q->count == q->cap || !q->n_free) {
            if (!q->count) {
                /* Every buffer is held by a worker: nothing to evict. */
                stats_add(STAT_PKT4_RECEIVE_DROP, (int64_t)(n - i));
                dropped += n - i;
                break;
            }
            p = drop_oldest_locked(q);
            dropped++;
        } else {
            p = q->free_list[--q->n_free];
        }
        memcpy(p, &pkts[i], offsetof(struct rx_pkt, data) + pkts[i].len);
        q->ring[(q->head + q->count) % q->cap] = p;
        q->count++;
    }
    if (q->waiters) {
        if (n > 1 && q->waiters > 1)
            pthread_cond_broadcast(&q->nonempty);
        else
            pthread_cond_signal(&q->nonempty);
    }
    pthread_mutex_unlock(&q->lock);
    return dropped;
}

struct rx_pkt *pkt_queue_pop(struct pkt_queue *q)
{
    struct rx_pkt *p = NULL;
    pthread_mutex_lock(&q->lock);
    while (!q->count && !q->closed) {
        q->waiters++;
        pthread_cond_wait(&q->nonempty, &q->lock);
        q->waiters--;
    }
    if (q->count) {
        p = q->ring[q->head];
        q->head = (q->head + 1) % q->cap;
        q->count--;
    }
    pthread_mutex_unlock(&q->lock);
    return p;
}

struct rx_pkt *pkt_queue_pop_timed(struct pkt_queue *q, int timeout_ms, bool *timed_out)
{
    struct timespec until;
    bool have_deadline = false;  /* computed only when the queue is empty: not per packet */
    struct rx_pkt *p = NULL;
    *timed_out = false;
    pthread_mutex_lock(&q->lock);
    while (!q->count && !q->closed && !*timed_out) {
        if (!have_deadline) {
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_sec += timeout_ms / 1000;
            until.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
            if (until.tv_nsec >= 1000000000) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000;
            }
            have_deadline = true;
        }
        q->waiters++;
        *timed_out = pthread_cond_timedwait(&q->nonempty, &q->lock, &until) == ETIMEDOUT;
        q->waiters--;
    }
    if (q->count) {
        p = q->ring[q->head];
        q->head = (q->head + 1) % q->cap;
        q->count--;
        *timed_out = false;
    }
    pthread_mutex_unlock(&q->lock);
    return p;
}

void pkt_queue_put_buffer(struct pkt_queue *q, struct rx_pkt *p)
{
    pthread_mutex_lock(&q->lock);
    q->free_list[q->n_free++] = p;
    pthread_mutex_unlock(&q->lock);
}

void pkt_queue_close(struct pkt_queue *q)
{
    pthread_mutex_lock(&q->lock);
    q->closed = true;
    pthread_cond_broadcast(&q->nonempty);
    pthread_mutex_unlock(&q->lock);
}
