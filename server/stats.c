/* Per-thread statistic counters and the (subnet, pool) -> slot index; see
 * stats.h. */
#include "server/stats.h"

#include <pthread.h>

#include "server/stats_registry.h"
#include <stdlib.h>

/* One cache-line-aligned row of global counters per thread. */
struct stats_row {
    int64_t v[STAT_COUNT];
} __attribute__((aligned(64)));

/* Keyed counters: per thread, chunks of CHUNK_SLOTS slots allocated by the
 * first thread that touches them (published with a CAS: row 0 is shared by
 * unbound threads). */
#define CHUNK_SLOTS 256u
#define MAX_CHUNKS (STATS_MAX_SLOTS / CHUNK_SLOTS)

struct stats_chunk {
    int64_t v[CHUNK_SLOTS][SSTAT_COUNT];
};

static struct stats_row rows[STATS_MAX_THREADS];
static struct stats_chunk *chunks[STATS_MAX_THREADS][MAX_CHUNKS];
static unsigned max_bound;          /* highest row bound so far */
static _Thread_local unsigned my_slot;

static const char *const names[STAT_COUNT] = {
#define STAT_NAME(id, name) [STAT_##id] = name,
    STATS_LIST(STAT_NAME)
#undef STAT_NAME
};

static const struct {
    const char *name;
    bool gauge, pool;
} snames[SSTAT_COUNT] = {
#define SSTAT_NAME(id, name, gauge, pool) [SSTAT_##id] = { name, gauge, pool },
    SUBNET_STATS_LIST(SSTAT_NAME)
#undef SSTAT_NAME
};

void stats_bind_thread(unsigned slot)
{
    my_slot = slot < STATS_MAX_THREADS ? slot : STATS_MAX_THREADS - 1;
    unsigned cur = __atomic_load_n(&max_bound, __ATOMIC_RELAXED);
    while (cur < my_slot &&
           !__atomic_compare_exchange_n(&max_bound, &cur, my_slot, false, __ATOMIC_RELAXED,
                                        __ATOMIC_RELAXED))
        ;
}

static unsigned rows_in_use(void)
{
    return __atomic_load_n(&max_bound, __ATOMIC_RELAXED) + 1;
}

void stats_add(enum stat_id id, int64_t delta)
{
    /* Relaxed atomics: only this thread writes its row, readers may race. */
    __atomic_fetch_add(&rows[my_slot].v[id], delta, __ATOMIC_RELAXED);
}

int64_t stats_get(enum stat_id id)
{
    int64_t sum = 0;
    unsigned n = rows_in_use();
    for (unsigned i = 0; i < n; i++)
        sum += __atomic_load_n(&rows[i].v[id], __ATOMIC_RELAXED);
    return sum;
}

const char *stats_name(enum stat_id id)
{
    return names[id];
}

const char *stats_subnet_name(enum sstat_id id)
{
    return snames[id].name;
}

bool stats_subnet_is_gauge(enum sstat_id id)
{
    return snames[id].gauge;
}

bool stats_subnet_has_pool(enum sstat_id id)
{
    return snames[id].pool;
}

/* ---- the slot index ------------------------------------------------------
 * Open addressing over 64-bit keys, read without a lock: a writer (under
 * key_lock) stores the key, then the slot+1 with release; a reader that sees
 * 0 treats the entry as empty and falls back to the locked path. A full
 * table is copied into one twice its size and the pointer swapped; old
 * tables are kept (readers may still be probing them) until exit. */

struct key_entry {
    uint64_t key;
    uint32_t slot1;    /* slot + 1; 0 = empty */
};

struct key_table {
    size_t mask;
    struct key_table *older;
    struct key_entry e[];
};

struct slot_meta {
    uint32_t subnet_id, pool_id;
    bool configured;
    int64_t total;     /* total-addresses */
};

static pthread_mutex_t key_lock = PTHREAD_MUTEX_INITIALIZER;
static struct key_table *table;
static unsigned n_slots;
static struct slot_meta *meta;      /* n_slots entries, grown under key_lock */
static size_t meta_cap;

static uint64_t key_of(uint32_t subnet_id, uint32_t pool_id)
{
    return (uint64_t)subnet_id << 32 | pool_id;
}

static size_t hash_key(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    return (size_t)k;
}

static int table_find(const struct key_table *t, uint64_t key)
{
    if (!t)
        return -1;
    for (size_t i = hash_key(key) & t->mask, n = 0; n <= t->mask; i = (i + 1) & t->mask, n++) {
        uint32_t s1 = __atomic_load_n(&t->e[i].slot1, __ATOMIC_ACQUIRE);
        if (!s1)
            return -1;
        if (t->e[i].key == key)
            return (int)(s1 - 1);
    }
    return -1;
}

static void table_put(struct key_table *t, uint64_t key, uint32_t slot)
{
    size_t i = hash_key(key) & t->mask;
    while (t->e[i].slot1)
        i = (i + 1) & t->mask;
    t->e[i].key = key;
    __atomic_store_n(&t->e[i].slot1, slot + 1, __ATOMIC_RELEASE);
}

/* Under key_lock: make room for one more key (load factor <= 1/2). */
static int table_reserve(void)
{
    size_t cap = table ? table->mask + 1 : 0;
    if (cap && (n_slots + 1) * 2 <= cap)
        return 0;
    size_t ncap = cap ? cap * 2 : 1024;
    struct key_table *t = calloc(1, sizeof(*t) + ncap * sizeof(t->e[0]));
    if (!t)
        return -1;
    t->mask = ncap - 1;
    t->older = table;
    for (unsigned s = 0; s < n_slots; s++)
        table_put(t, key_of(meta[s].subnet_id, meta[s].pool_id), s);
    __atomic_store_n(&table, t, __ATOMIC_RELEASE);
    return 0;
}

static int slot_create_locked(uint32_t subnet_id, uint32_t pool_id)
{
    uint64_t key = key_of(subnet_id, pool_id);
    int s = table_find(table, key);
    if (s >= 0)
        return s;
    if (n_slots >= STATS_MAX_SLOTS || table_reserve() < 0)
        return -1;
    if (n_slots == meta_cap) {
        size_t ncap = meta_cap ? meta_cap * 2 : 256;
        struct slot_meta *m = realloc(meta, ncap * sizeof(*m));
        if (!m)
            return -1;
        meta = m;
        meta_cap = ncap;
    }
    meta[n_slots] = (struct slot_meta){ .subnet_id = subnet_id, .pool_id = pool_id };
    table_put(table, key, n_slots);
    return (int)n_slots++;
}

int stats_slot_find(uint32_t subnet_id, uint32_t pool_id)
{
    return table_find(__atomic_load_n(&table, __ATOMIC_ACQUIRE), key_of(subnet_id, pool_id));
}

int stats_slot(uint32_t subnet_id, uint32_t pool_id)
{
    int s = table_find(__atomic_load_n(&table, __ATOMIC_ACQUIRE), key_of(subnet_id, pool_id));
    if (s >= 0)
        return s;
    pthread_mutex_lock(&key_lock);
    s = slot_create_locked(subnet_id, pool_id);
    pthread_mutex_unlock(&key_lock);
    return s;
}

static int64_t *cell(unsigned row, unsigned slot)
{
    struct stats_chunk **pc = &chunks[row][slot / CHUNK_SLOTS];
    struct stats_chunk *c = __atomic_load_n(pc, __ATOMIC_ACQUIRE);
    if (!c) {
        struct stats_chunk *fresh = calloc(1, sizeof(*fresh));
        if (!fresh)
            return NULL;
        if (__atomic_compare_exchange_n(pc, &c, fresh, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
            c = fresh;
        else
            free(fresh);
    }
    return c->v[slot % CHUNK_SLOTS];
}

void stats_subnet_add(uint32_t subnet_id, uint32_t pool_id, enum sstat_id id, int64_t delta)
{
    int s = stats_slot(subnet_id, pool_id);
    int64_t *v = s >= 0 ? cell(my_slot, (unsigned)s) : NULL;
    if (v)
        __atomic_fetch_add(&v[id], delta, __ATOMIC_RELAXED);
}

void stats_inc_both(enum stat_id global, uint32_t subnet_id, enum sstat_id id)
{
    stats_add(global, 1);
    stats_subnet_add(subnet_id, STATS_NO_POOL, id, 1);
}

int64_t stats_slot_get(unsigned slot, enum sstat_id id)
{
    if (id == SSTAT_TOTAL_ADDRESSES) {
        pthread_mutex_lock(&key_lock);
        int64_t t = slot < n_slots ? meta[slot].total : 0;
        pthread_mutex_unlock(&key_lock);
        return t;
    }
    int64_t sum = 0;
    unsigned n = rows_in_use();
    for (unsigned r = 0; r < n; r++) {
        struct stats_chunk *c = __atomic_load_n(&chunks[r][slot / CHUNK_SLOTS], __ATOMIC_ACQUIRE);
        if (c)
            sum += __atomic_load_n(&c->v[slot % CHUNK_SLOTS][id], __ATOMIC_RELAXED);
    }
    return sum;
}

unsigned stats_slot_count(void)
{
    pthread_mutex_lock(&key_lock);
    unsigned n = n_slots;
    pthread_mutex_unlock(&key_lock);
    return n;
}

void stats_slot_info(unsigned slot, struct stats_slot_info *out)
{
    pthread_mutex_lock(&key_lock);
    if (slot < n_slots)
        *out = (struct stats_slot_info){ meta[slot].subnet_id, meta[slot].pool_id,
                                         meta[slot].configured };
    else
        *out = (struct stats_slot_info){ 0, STATS_NO_POOL, false };
    pthread_mutex_unlock(&key_lock);
}

void stats_config_applied(const struct cfg4 *cfg)
{
    pthread_mutex_lock(&key_lock);
    for (unsigned s = 0; s < n_slots; s++) {
        meta[s].configured = false;
        meta[s].total = 0;
    }
    for (size_t i = 0; i < cfg->n_subnets; i++) {
        const struct cfg_subnet4 *sn = &cfg->subnets[i];
        int s = slot_create_locked(sn->id, STATS_NO_POOL);
        if (s < 0)
            continue;
        meta[s].configured = true;
        meta[s].total = (int64_t)sn->total_addresses;
        for (size_t p = 0; p < sn->n_pools; p++) {
            int ps = slot_create_locked(sn->id, sn->pools[p].pool_id);
            if (ps < 0)
                continue;
            meta[ps].configured = true;
            meta[ps].total += (int64_t)sn->pools[p].last - sn->pools[p].first + 1;
        }
    }
    pthread_mutex_unlock(&key_lock);
    stats_pools_applied(cfg);
    stats_reg_config_applied(cfg);
}
