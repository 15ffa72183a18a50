/*
 * Allocators (Kea §9.16): which free address of a subnet's pools to try next.
 * iterative: a per-pool cursor walks the pool (fast at low utilisation);
 * random: uniform random probes, then a scan so a nearly full pool still
 * finds its last free address.
 */
#ifndef DORA_ALLOC_ALLOCATOR_H
#define DORA_ALLOC_ALLOCATOR_H

#include "alloc/alloc_engine.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef bool (*alloc_usable_fn)(struct lease_store *s, const struct alloc_req *r, uint32_t addr);

/* A usable address from r->subnet's pools (r->subnet->allocator decides the
 * order), or 0 when every address was tried. */
uint32_t allocator_pick(struct lease_store *s, const struct alloc_req *r, alloc_usable_fn usable);

#ifdef __cplusplus
}
#endif
#endif
