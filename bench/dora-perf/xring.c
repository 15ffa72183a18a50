/*
 * Transaction slot rings: where dora-perf remembers each request until its
 * reply arrives or its drop time passes. See xring.h for the xid layout and
 * the ownership rules.
 */
#include "bench/dora-perf/xring.h"

#include <stdlib.h>

#define SEQ_MASK  ((1u << PERF_XRING_SEQ_BITS) - 1u)
#define TAG_BUSY  (1ull << 63)

static uint64_t make_tag(uint8_t type, uint32_t xid)
{
    return TAG_BUSY | ((uint64_t)type << 32) | xid;
}

static void read_slot(struct perf_xslot *s, uint64_t tag, struct perf_xinfo *out)
{
    uint64_t meta = atomic_load_explicit(&s->meta, memory_order_relaxed);
    out->tag = tag;
    out->xid = (uint32_t)tag;
    out->type = (uint8_t)(tag >> 32);
    out->client = (uint32_t)meta;
    out->giaddr = (uint32_t)(meta >> 32);
    out->t_sent = atomic_load_explicit(&s->t_sent, memory_order_relaxed);
}

struct perf_xring *perf_xring_new(unsigned id, size_t min_slots, uint32_t key)
{
    if (id >= PERF_XRING_MAX)
        return NULL;
    size_t n = 64;
    while (n < min_slots && n < PERF_XRING_MAX_SLOTS)
        n <<= 1;
    struct perf_xring *r = calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    /* calloc gives all-zero slots, which is the "free" tag. */
    r->slots = calloc(n, sizeof(*r->slots));
    if (!r->slots) {
        free(r);
        return NULL;
    }
    r->id = id;
    r->key = key;
    r->mask = (uint32_t)(n - 1);
    return r;
}

void perf_xring_free(struct perf_xring *r)
{
    if (!r)
        return;
    free(r->slots);
    free(r);
}

size_t perf_xring_slots(const struct perf_xring *r)
{
    return (size_t)r->mask + 1;
}

unsigned perf_xring_id_of(uint32_t xid, uint32_t key)
{
    return (xid ^ key) >> PERF_XRING_SEQ_BITS;
}

uint32_t perf_xring_post(struct perf_xring *r, uint8_t type, uint32_t client, uint32_t giaddr,
                         uint64_t t_sent, struct perf_xinfo *evicted, bool *had_evicted)
{
    struct perf_xslot *s = &r->slots[r->head & r->mask];
    uint64_t old = atomic_load_explicit(&s->tag, memory_order_acquire);

    *had_evicted = false;
    if (old != 0) {
        /* The ring went all the way round while this request was still
         * outstanding: end it here so the slot can be reused. A reply
         * racing us wins or loses the CAS, never both. */
        struct perf_xinfo info;
        read_slot(s, old, &info);
        if (atomic_compare_exchange_strong_explicit(&s->tag, &old, 0, memory_order_acq_rel,
                                                    memory_order_acquire)) {
            if (evicted)
                *evicted = info;
            *had_evicted = true;
        }
    }

    uint32_t seq = (uint32_t)(r->head & SEQ_MASK);
    uint32_t xid = (((uint32_t)r->id << PERF_XRING_SEQ_BITS) | seq) ^ r->key;
    atomic_store_explicit(&s->meta, ((uint64_t)giaddr << 32) | client, memory_order_relaxed);
    atomic_store_explicit(&s->t_sent, t_sent, memory_order_relaxed);
    /* Release: a thread that sees this tag also sees meta and t_sent. */
    atomic_store_explicit(&s->tag, make_tag(type, xid), memory_order_release);

    r->head++;
    if (r->head - r->tail > (uint64_t)r->mask + 1)
        r->tail = r->head - ((uint64_t)r->mask + 1);
    return xid;
}

int perf_xring_cancel(struct perf_xring *r, uint32_t xid, struct perf_xinfo *out)
{
    struct perf_xinfo info;
    if (!perf_xring_peek(r, xid, &info) || !perf_xring_claim(r, &info))
        return -1;
    if (out)
        *out = info;
    return 0;
}

void perf_xring_restamp(struct perf_xring *r, uint32_t xid, uint64_t t_sent)
{
    struct perf_xslot *s = &r->slots[(xid ^ r->key) & SEQ_MASK & r->mask];
    uint64_t tag = atomic_load_explicit(&s->tag, memory_order_acquire);

    if ((tag & TAG_BUSY) && (uint32_t)tag == xid)
        atomic_store_explicit(&s->t_sent, t_sent, memory_order_release);
}

size_t perf_xring_collect(struct perf_xring *r, uint64_t now_ns, const uint64_t *drop_ns,
                          size_t max, void (*cb)(void *ctx, const struct perf_xinfo *), void *ctx)
{
    size_t collected = 0, scanned = 0;

    while (r->tail < r->head && scanned < max) {
        struct perf_xslot *s = &r->slots[r->tail & r->mask];
        uint64_t tag = atomic_load_explicit(&s->tag, memory_order_acquire);
        scanned++;
        if (tag == 0) {           /* answered (or cancelled) already */
            r->tail++;
            continue;
        }
        struct perf_xinfo info;
        read_slot(s, tag, &info);
        if (now_ns < info.t_sent || now_ns - info.t_sent < drop_ns[info.type])
            break;                /* the oldest outstanding request is still in time */
        if (atomic_compare_exchange_strong_explicit(&s->tag, &tag, 0, memory_order_acq_rel,
                                                    memory_order_acquire)) {
            collected++;
            if (cb)
                cb(ctx, &info);
        }
        r->tail++;
    }
    return collected;
}

bool perf_xring_peek(struct perf_xring *r, uint32_t xid, struct perf_xinfo *out)
{
    struct perf_xslot *s = &r->slots[(xid ^ r->key) & SEQ_MASK & r->mask];
    uint64_t tag = atomic_load_explicit(&s->tag, memory_order_acquire);

    if (!(tag & TAG_BUSY) || (uint32_t)tag != xid)
        return false;
    read_slot(s, tag, out);
    return true;
}

bool perf_xring_claim(struct perf_xring *r, const struct perf_xinfo *seen)
{
    struct perf_xslot *s = &r->slots[(seen->xid ^ r->key) & SEQ_MASK & r->mask];
    uint64_t expect = seen->tag;

    return atomic_compare_exchange_strong_explicit(&s->tag, &expect, 0, memory_order_acq_rel,
                                                   memory_order_acquire);
}
