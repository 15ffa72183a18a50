/*
 * Class lists as the config stores them: a subnet's or pool's guard
 * (client-class / client-classes), a reservation's classes, an
 * evaluate-additional-classes list. Each holds class indices into
 * cfg4.classes; a packet's membership is a bit set over the same indices.
 */
#ifndef DORA_CLASSIFY_CLASS_GUARD_H
#define DORA_CLASSIFY_CLASS_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct class_guard {
    uint16_t *idx;   /* class indices, config order */
    uint16_t  n;     /* 0: no guard (everybody allowed) */
};

static inline bool class_member(const uint64_t *classes, unsigned idx)
{
    return classes && ((classes[idx / 64] >> (idx % 64)) & 1);
}

/* A guard allows a packet in any one of its classes (Kea 3.0 client-classes;
 * the 2.x client-class is the one-element case); no guard allows all.
 * classes may be NULL (the packet is in no class). */
static inline bool class_guard_allows(const struct class_guard *g, const uint64_t *classes)
{
    if (!g->n)
        return true;
    for (uint16_t i = 0; i < g->n; i++)
        if (class_member(classes, g->idx[i]))
            return true;
    return false;
}

#ifdef __cplusplus
}
#endif
#endif
