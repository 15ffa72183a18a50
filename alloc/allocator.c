/* Iterative and random allocators; see allocator.h. */
#include "alloc/allocator.h"

#include <stdint.h>
#include <time.h>

/* The cursor is the one mutable field of the config snapshot (see cfg.h). */
static uint64_t pool_size(const struct cfg_pool *p)
{
    return (uint64_t)p->last - p->first + 1;
}

static uint32_t iterate_pool(struct lease_store *s, const struct alloc_req *r,
                             const struct cfg_pool *p, alloc_usable_fn usable)
{
    uint64_t size = pool_size(p);
    uint32_t *cursor = (uint32_t *)&p->cursor;
    for (uint64_t i = 0; i < size; i++) {
        uint32_t off = __atomic_fetch_add(cursor, 1, __ATOMIC_RELAXED);
        uint32_t addr = p->first + (uint32_t)(off % size);
        if (usable(s, r, addr))
            return addr;
    }
    return 0;
}

/* xorshift64*: per-thread, seeded from the clock and the thread's stack. */
static uint64_t next_random(void)
{
    static _Thread_local uint64_t state;
    if (!state) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        state = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)(uintptr_t)&ts ^ (uint64_t)ts.tv_sec;
        if (!state)
            state = 0x9e3779b97f4a7c15ull;
    }
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 0x2545f4914f6cdd1dull;
}

static uint32_t random_pool(struct lease_store *s, const struct alloc_req *r,
                            const struct cfg_pool *p, alloc_usable_fn usable)
{
    enum { PROBES = 32 };
    uint64_t size = pool_size(p);
    for (int i = 0; i < PROBES; i++) {
        uint32_t addr = p->first + (uint32_t)(next_random() % size);
        if (usable(s, r, addr))
            return addr;
    }
    return iterate_pool(s, r, p, usable);
}

uint32_t allocator_pick(struct lease_store *s, const struct alloc_req *r, alloc_usable_fn usable)
{
    const struct cfg_subnet4 *sn = r->subnet;
    for (size_t i = 0; i < sn->n_pools; i++) {
        const struct cfg_pool *p = &sn->pools[i];
        if (!class_guard_allows(&p->guard, r->classes))
            continue;
        uint32_t addr = sn->allocator == CFG_ALLOC_RANDOM ? random_pool(s, r, p, usable)
                                                          : iterate_pool(s, r, p, usable);
        if (addr)
            return addr;
    }
    return 0;
}
