/* Names, reset baselines, removal and samples of the statistics; see
 * stats_registry.h. */
#include "server/stats_registry.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

struct sample {
    int64_t v;
    int64_t ts_us;
};

struct entry {
    int64_t baseline;        /* raw value at the last reset */
    bool removed;
    bool own_limit;          /* statistic-sample-*-set on this one */
    bool by_age;
    uint32_t max_count, max_age;
    struct sample *s;        /* oldest first */
    uint32_t n, cap;
};

/* A statistic: a global counter, or a keyed one in a slot. */
struct ref {
    bool keyed;
    unsigned id;
    unsigned slot;
};

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct entry globals[STAT_COUNT];
static struct entry **keyed;     /* per slot: SSTAT_COUNT entries, lazily */
static size_t keyed_cap;
static bool def_by_age;
static uint32_t def_count = 20, def_age;

/* ---- lookup ------------------------------------------------------------ */

static struct entry *entry_of(const struct ref *r)
{
    if (!r->keyed)
        return &globals[r->id];
    if (r->slot >= keyed_cap) {
        size_t ncap = keyed_cap ? keyed_cap : 64;
        while (ncap <= r->slot)
            ncap *= 2;
        struct entry **k = realloc(keyed, ncap * sizeof(*k));
        if (!k)
            return NULL;
        memset(k + keyed_cap, 0, (ncap - keyed_cap) * sizeof(*k));
        keyed = k;
        keyed_cap = ncap;
    }
    if (!keyed[r->slot])
        keyed[r->slot] = calloc(SSTAT_COUNT, sizeof(struct entry));
    return keyed[r->slot] ? &keyed[r->slot][r->id] : NULL;
}

static int64_t raw_of(const struct ref *r)
{
    return r->keyed ? stats_slot_get(r->slot, (enum sstat_id)r->id)
                    : stats_get((enum stat_id)r->id);
}

/* Strict decimal: digits only, no overflow. Advances *p. */
static bool parse_u32(const char **p, uint32_t *out)
{
    const char *s = *p;
    uint64_t v = 0;
    if (*s < '0' || *s > '9')
        return false;
    while (*s >= '0' && *s <= '9') {
        v = v * 10 + (uint64_t)(*s++ - '0');
        if (v > UINT32_MAX)
            return false;
    }
    *out = (uint32_t)v;
    *p = s;
    return true;
}

/* The statistic named name, if it exists now. */
static bool resolve(const char *name, struct ref *r)
{
    if (strncmp(name, "subnet[", 7)) {
        for (unsigned i = 0; i < STAT_COUNT; i++)
            if (!strcmp(name, stats_name((enum stat_id)i))) {
                *r = (struct ref){ .keyed = false, .id = i };
                return true;
            }
        return false;
    }
    const char *p = name + 7;
    uint32_t sid, pid = STATS_NO_POOL;
    if (!parse_u32(&p, &sid) || strncmp(p, "].", 2))
        return false;
    p += 2;
    if (!strncmp(p, "pool[", 5)) {
        p += 5;
        if (!parse_u32(&p, &pid) || pid == STATS_NO_POOL || strncmp(p, "].", 2))
            return false;
        p += 2;
    }
    for (unsigned i = 0; i < SSTAT_COUNT; i++) {
        if (strcmp(p, stats_subnet_name((enum sstat_id)i)))
            continue;
        if (pid != STATS_NO_POOL && !stats_subnet_has_pool((enum sstat_id)i))
            return false;
        int slot = stats_slot_find(sid, pid);
        struct stats_slot_info info;
        if (slot < 0)
            return false;
        stats_slot_info((unsigned)slot, &info);
        if (!info.configured)
            return false;
        *r = (struct ref){ .keyed = true, .id = i, .slot = (unsigned)slot };
        return true;
    }
    return false;
}

static void ref_name(const struct ref *r, char *buf, size_t cap)
{
    if (!r->keyed) {
        snprintf(buf, cap, "%s", stats_name((enum stat_id)r->id));
        return;
    }
    struct stats_slot_info info;
    stats_slot_info(r->slot, &info);
    struct stats_view v = { .base = stats_subnet_name((enum sstat_id)r->id), .keyed = true,
                            .subnet_id = info.subnet_id, .pool_id = info.pool_id };
    stats_view_name(&v, buf, cap);
}

void stats_view_name(const struct stats_view *v, char *buf, size_t cap)
{
    if (!v->keyed)
        snprintf(buf, cap, "%s", v->base);
    else if (v->pool_id == STATS_NO_POOL)
        snprintf(buf, cap, "subnet[%u].%s", v->subnet_id, v->base);
    else
        snprintf(buf, cap, "subnet[%u].pool[%u].%s", v->subnet_id, v->pool_id, v->base);
}

/* ---- samples ------------------------------------------------------------ */

static int64_t now_us(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

static void limits(const struct entry *e, bool *by_age, uint32_t *count, uint32_t *age)
{
    *by_age = e->own_limit ? e->by_age : def_by_age;
    *count = e->own_limit ? e->max_count : def_count;
    *age = e->own_limit ? e->max_age : def_age;
}

static void drop_oldest(struct entry *e, uint32_t k)
{
    memmove(e->s, e->s + k, (e->n - k) * sizeof(*e->s));
    e->n -= k;
}

static void prune(struct entry *e, int64_t now)
{
    bool by_age;
    uint32_t count, age;
    limits(e, &by_age, &count, &age);
    uint32_t keep = by_age ? STATS_SAMPLES_HARD_MAX : (count ? count : 1);
    if (e->n > keep)
        drop_oldest(e, e->n - keep);
    if (by_age) {
        uint32_t k = 0;
        while (k + 1 < e->n && e->s[k].ts_us < now - (int64_t)age * 1000000)
            k++;
        if (k)
            drop_oldest(e, k);
    }
}

static void push(struct entry *e, int64_t v, int64_t now)
{
    if (e->n == e->cap) {
        uint32_t ncap = e->cap ? e->cap * 2 : 4;
        struct sample *s = realloc(e->s, ncap * sizeof(*s));
        if (!s)
            return;
        e->s = s;
        e->cap = ncap;
    }
    e->s[e->n++] = (struct sample){ v, now };
    prune(e, now);
    /* Shrink a buffer a smaller limit left mostly empty. */
    if (e->cap > 16 && e->n < e->cap / 4) {
        struct sample *s = realloc(e->s, (e->cap / 2) * sizeof(*s));
        if (s) {
            e->s = s;
            e->cap /= 2;
        }
    }
}

/* The statistic's value now; a sample when it changed. Un-removes a removed
 * statistic whose raw value moved (Kea re-creates it on update). Returns
 * false when it is hidden. */
static bool observe(const struct ref *r, struct entry *e, int64_t now, int64_t *value)
{
    int64_t raw = raw_of(r);
    if (e->removed) {
        if (raw == e->baseline)
            return false;
        e->removed = false;
    }
    *value = raw - e->baseline;
    if (!e->n || e->s[e->n - 1].v != *value)
        push(e, *value, now);
    return true;
}

static void clear_samples(struct entry *e)
{
    free(e->s);
    e->s = NULL;
    e->n = e->cap = 0;
}

static struct json_object *samples_json(const struct entry *e)
{
    struct json_object *a = json_object_new_array();
    for (uint32_t i = e->n; i-- > 0;) {
        char ts[48];
        time_t sec = (time_t)(e->s[i].ts_us / 1000000);
        struct tm tm;
        localtime_r(&sec, &tm);
        size_t k = strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%S", &tm);
        snprintf(ts + k, sizeof(ts) - k, ".%06lld", (long long)(e->s[i].ts_us % 1000000));
        struct json_object *pair = json_object_new_array();
        json_object_array_add(pair, json_object_new_int64(e->s[i].v));
        json_object_array_add(pair, json_object_new_string(ts));
        json_object_array_add(a, pair);
    }
    return a;
}

/* ---- iteration ---------------------------------------------------------- */

/* Every existing statistic (configured subnets only); fn returns nothing. */
static void each_ref(void (*fn)(const struct ref *r, void *ctx), void *ctx)
{
    for (unsigned i = 0; i < STAT_COUNT; i++)
        fn(&(struct ref){ .keyed = false, .id = i }, ctx);
    unsigned n = stats_slot_count();
    for (unsigned s = 0; s < n; s++) {
        struct stats_slot_info info;
        stats_slot_info(s, &info);
        if (!info.configured)
            continue;
        for (unsigned i = 0; i < SSTAT_COUNT; i++)
            if (info.pool_id == STATS_NO_POOL || stats_subnet_has_pool((enum sstat_id)i))
                fn(&(struct ref){ .keyed = true, .id = i, .slot = s }, ctx);
    }
}

struct foreach_ctx {
    void (*fn)(const struct stats_view *v, void *ctx);
    void *ctx;
    int64_t now;
};

static void view_one(const struct ref *r, void *arg)
{
    struct foreach_ctx *f = arg;
    struct entry *e = entry_of(r);
    struct stats_view v;
    if (!e || !observe(r, e, f->now, &v.value))
        return;
    v.keyed = r->keyed;
    if (r->keyed) {
        struct stats_slot_info info;
        stats_slot_info(r->slot, &info);
        v.base = stats_subnet_name((enum sstat_id)r->id);
        v.subnet_id = info.subnet_id;
        v.pool_id = info.pool_id;
        v.gauge = stats_subnet_is_gauge((enum sstat_id)r->id);
    } else {
        v.base = stats_name((enum stat_id)r->id);
        v.subnet_id = 0;
        v.pool_id = STATS_NO_POOL;
        v.gauge = r->id == STAT_DECLINED_ADDRESSES;
    }
    f->fn(&v, f->ctx);
}

/* The ordering of subnets then their pools follows slot creation, which
 * stats_config_applied does subnet by subnet. */
void stats_reg_foreach(void (*fn)(const struct stats_view *v, void *ctx), void *ctx)
{
    struct foreach_ctx f = { fn, ctx, now_us() };
    pthread_mutex_lock(&reg_lock);
    each_ref(view_one, &f);
    pthread_mutex_unlock(&reg_lock);
}

static void tick_one(const struct ref *r, void *arg)
{
    struct entry *e = entry_of(r);
    int64_t v;
    if (e)
        observe(r, e, *(int64_t *)arg, &v);
}

void stats_reg_tick(void)
{
    int64_t now = now_us();
    pthread_mutex_lock(&reg_lock);
    each_ref(tick_one, &now);
    pthread_mutex_unlock(&reg_lock);
}

/* ---- commands ------------------------------------------------------------ */

static void get_one(const struct ref *r, void *arg)
{
    struct json_object *out = arg;
    struct entry *e = entry_of(r);
    int64_t v;
    char name[STATS_NAME_MAX];
    if (!e || !observe(r, e, now_us(), &v))
        return;
    ref_name(r, name, sizeof(name));
    json_object_object_add(out, name, samples_json(e));
}

bool stats_reg_get(const char *name, struct json_object **out)
{
    struct ref r;
    *out = json_object_new_object();
    pthread_mutex_lock(&reg_lock);
    bool found = resolve(name, &r);
    if (found) {
        struct entry *e = entry_of(&r);
        int64_t v;
        found = e && observe(&r, e, now_us(), &v);
        if (found)
            json_object_object_add(*out, name, samples_json(e));
    }
    pthread_mutex_unlock(&reg_lock);
    return found;
}

struct json_object *stats_reg_get_all(void)
{
    struct json_object *out = json_object_new_object();
    pthread_mutex_lock(&reg_lock);
    each_ref(get_one, out);
    pthread_mutex_unlock(&reg_lock);
    return out;
}

static void reset_entry(const struct ref *r, struct entry *e, bool remove)
{
    e->baseline = raw_of(r);
    e->removed = remove;
    clear_samples(e);
    if (!remove)
        push(e, 0, now_us());
}

/* Apply op to the named statistic; -1 when there is none. */
static int with_named(const char *name, void (*op)(const struct ref *r, void *ctx), void *ctx)
{
    struct ref r;
    pthread_mutex_lock(&reg_lock);
    bool found = resolve(name, &r) && entry_of(&r);
    if (found) {
        struct entry *e = entry_of(&r);
        found = !e->removed || raw_of(&r) != e->baseline;
        if (found)
            op(&r, ctx);
    }
    pthread_mutex_unlock(&reg_lock);
    return found ? 0 : -1;
}

static void op_reset(const struct ref *r, void *ctx)
{
    struct entry *e = entry_of(r);
    if (e)
        reset_entry(r, e, ctx != NULL);
}

struct limit_arg {
    bool by_age;
    uint32_t value;
};

static void op_limit(const struct ref *r, void *ctx)
{
    const struct limit_arg *a = ctx;
    struct entry *e = entry_of(r);
    if (!e)
        return;
    e->own_limit = true;
    e->by_age = a->by_age;
    e->max_count = a->by_age ? def_count : a->value;
    e->max_age = a->by_age ? a->value : def_age;
    prune(e, now_us());
}

static void op_clear_limit(const struct ref *r, void *ctx)
{
    struct entry *e = entry_of(r);
    if (e) {
        e->own_limit = false;
        prune(e, *(int64_t *)ctx);
    }
}

int stats_reg_reset(const char *name)
{
    return with_named(name, op_reset, NULL);
}

int stats_reg_remove(const char *name)
{
    static int remove_flag;
    return with_named(name, op_reset, &remove_flag);
}

int stats_reg_set_max_count(const char *name, uint32_t max_samples)
{
    struct limit_arg a = { false, max_samples ? max_samples : 1 };
    return with_named(name, op_limit, &a);
}

int stats_reg_set_max_age(const char *name, uint32_t max_age)
{
    struct limit_arg a = { true, max_age };
    return with_named(name, op_limit, &a);
}

void stats_reg_reset_all(void)
{
    pthread_mutex_lock(&reg_lock);
    each_ref(op_reset, NULL);
    pthread_mutex_unlock(&reg_lock);
}

void stats_reg_remove_all(void)
{
    static int remove_flag;
    pthread_mutex_lock(&reg_lock);
    each_ref(op_reset, &remove_flag);
    pthread_mutex_unlock(&reg_lock);
}

void stats_reg_set_max_count_all(uint32_t max_samples)
{
    int64_t now = now_us();
    pthread_mutex_lock(&reg_lock);
    def_by_age = false;
    def_count = max_samples ? max_samples : 1;
    each_ref(op_clear_limit, &now);
    pthread_mutex_unlock(&reg_lock);
}

void stats_reg_set_max_age_all(uint32_t max_age)
{
    int64_t now = now_us();
    pthread_mutex_lock(&reg_lock);
    def_by_age = true;
    def_age = max_age;
    each_ref(op_clear_limit, &now);
    pthread_mutex_unlock(&reg_lock);
}

static void clear_total(const struct ref *r, void *ctx)
{
    (void)ctx;
    if (!r->keyed || r->id != SSTAT_TOTAL_ADDRESSES)
        return;
    struct entry *e = entry_of(r);
    if (e && (e->baseline || e->removed)) {
        e->baseline = 0;
        e->removed = false;
        clear_samples(e);
    }
}

void stats_reg_config_applied(const struct cfg4 *cfg)
{
    int64_t now = now_us();
    pthread_mutex_lock(&reg_lock);
    /* Kea: a sample count of 0 means "limit by age". */
    def_by_age = cfg->stat_sample_count == 0;
    def_count = cfg->stat_sample_count;
    def_age = cfg->stat_sample_age;
    each_ref(clear_total, NULL);
    for (unsigned i = 0; i < STAT_COUNT; i++)
        if (!globals[i].own_limit)
            prune(&globals[i], now);
    pthread_mutex_unlock(&reg_lock);
}

/* ---- flat JSON (SIGUSR1) ------------------------------------------------ */

struct flat {
    char *buf;
    size_t len, cap;
    bool oom;
};

static void flat_add(const struct stats_view *v, void *ctx)
{
    struct flat *f = ctx;
    char name[STATS_NAME_MAX];
    stats_view_name(v, name, sizeof(name));
    size_t need = strlen(name) + 32;
    if (f->oom)
        return;
    if (f->len + need + 2 > f->cap) {
        size_t ncap = (f->cap + need) * 2;
        char *b = realloc(f->buf, ncap);
        if (!b) {
            f->oom = true;
            return;
        }
        f->buf = b;
        f->cap = ncap;
    }
    f->len += (size_t)snprintf(f->buf + f->len, f->cap - f->len, "%s\"%s\": %lld",
                               f->len ? ", " : "{", name, (long long)v->value);
}

char *stats_json_flat(void)
{
    struct flat f = { 0 };
    stats_reg_foreach(flat_add, &f);
    if (f.oom || !f.buf) {
        free(f.buf);
        return f.oom ? NULL : strdup("{}");
    }
    f.buf[f.len++] = '}';
    f.buf[f.len] = '\0';
    return f.buf;
}

size_t stats_format_json(char *buf, size_t cap)
{
    if (!cap)
        return 0;
    char *s = stats_json_flat();
    size_t n = s ? strlen(s) : 0;
    if (n >= cap)
        n = cap - 1;
    memcpy(buf, s ? s : "", n);
    buf[n] = '\0';
    free(s);
    return n;
}
