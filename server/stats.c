/* Per-thread statistic counters; see stats.h. */
#include "server/stats.h"

#include <stdio.h>

/* One cache-line-aligned row per thread: no false sharing between workers. */
struct stats_row {
    int64_t v[STAT_COUNT];
} __attribute__((aligned(64)));

static struct stats_row rows[STATS_MAX_THREADS];
static _Thread_local unsigned my_slot;

static const char *const names[STAT_COUNT] = {
#define STAT_NAME(id, name) [STAT_##id] = name,
    STATS_LIST(STAT_NAME)
#undef STAT_NAME
};

void stats_bind_thread(unsigned slot)
{
    my_slot = slot < STATS_MAX_THREADS ? slot : STATS_MAX_THREADS - 1;
}

void stats_add(enum stat_id id, int64_t delta)
{
    /* Relaxed atomics: only this thread writes its row, readers may race. */
    __atomic_fetch_add(&rows[my_slot].v[id], delta, __ATOMIC_RELAXED);
}

int64_t stats_get(enum stat_id id)
{
    int64_t sum = 0;
    for (unsigned i = 0; i < STATS_MAX_THREADS; i++)
        sum += __atomic_load_n(&rows[i].v[id], __ATOMIC_RELAXED);
    return sum;
}

const char *stats_name(enum stat_id id)
{
    return names[id];
}

size_t stats_format_json(char *buf, size_t cap)
{
    size_t n = 0;
    for (int i = 0; i < STAT_COUNT && n < cap; i++)
        n += (size_t)snprintf(buf + n, cap - n, "%s\"%s\": %lld", i ? ", " : "{",
                              names[i], (long long)stats_get((enum stat_id)i));
    if (n < cap)
        n += (size_t)snprintf(buf + n, cap - n, "}");
    return n < cap ? n : cap - 1;
}
