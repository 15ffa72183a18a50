/* The statistics in Prometheus' text exposition format; see metrics.h.
 * Families are grouped as the format requires: every sample of one metric
 * name follows its single # TYPE line. */
#include "server/metrics.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/stats_registry.h"

struct view_list {
    struct stats_view *v;
    size_t n, cap;
    int oom;
};

static void collect(const struct stats_view *v, void *ctx)
{
    struct view_list *l = ctx;
    if (l->n == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 128;
        struct stats_view *nv = realloc(l->v, ncap * sizeof(*nv));
        if (!nv) {
            l->oom = 1;
            return;
        }
        l->v = nv;
        l->cap = ncap;
    }
    l->v[l->n++] = *v;
}

struct text {
    char *s;
    size_t len, cap;
    int oom;
};

static void put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct text *t, const char *fmt, ...)
{
    for (int tries = 0; tries < 2 && !t->oom; tries++) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(t->s ? t->s + t->len : NULL, t->s ? t->cap - t->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            t->oom = 1;
            return;
        }
        if (t->s && t->len + (size_t)n < t->cap) {
            t->len += (size_t)n;
            return;
        }
        size_t ncap = (t->cap + (size_t)n + 1) * 2;
        char *s = realloc(t->s, ncap);
        if (!s) {
            t->oom = 1;
            return;
        }
        t->s = s;
        t->cap = ncap;
    }
}

/* "assigned-addresses" -> "assigned_addresses" */
static void metric_name(const char *base, char *out, size_t cap)
{
    size_t i = 0;
    for (; base[i] && i + 1 < cap; i++)
        out[i] = base[i] == '-' ? '_' : base[i];
    out[i] = '\0';
}

/* One family: the views matching (keyed, pool-or-subnet, base). */
static void family(struct text *t, const struct view_list *l, const char *prefix,
                   const char *base, bool keyed, bool pools)
{
    bool typed = false;
    char m[96];
    metric_name(base, m, sizeof(m));
    for (size_t i = 0; i < l->n; i++) {
        const struct stats_view *v = &l->v[i];
        if (v->keyed != keyed || strcmp(v->base, base) ||
            (keyed && (v->pool_id != STATS_NO_POOL) != pools))
            continue;
        if (!typed) {
            put(t, "# TYPE %s%s %s\n", prefix, m, v->gauge ? "gauge" : "counter");
            typed = true;
        }
        if (!keyed)
            put(t, "%s%s %lld\n", prefix, m, (long long)v->value);
        else if (!pools)
            put(t, "%s%s{subnet_id=\"%u\"} %lld\n", prefix, m, v->subnet_id, (long long)v->value);
        else
            put(t, "%s%s{subnet_id=\"%u\",pool_id=\"%u\"} %lld\n", prefix, m, v->subnet_id,
                v->pool_id, (long long)v->value);
    }
}

char *metrics_render(size_t *len)
{
    struct view_list l = { 0 };
    struct text t = { 0 };
    stats_reg_foreach(collect, &l);
    if (!l.oom) {
        put(&t, "%s", "");
        for (unsigned i = 0; i < STAT_COUNT; i++)
            family(&t, &l, "dora_", stats_name((enum stat_id)i), false, false);
        for (unsigned i = 0; i < SSTAT_COUNT; i++)
            family(&t, &l, "dora_subnet_", stats_subnet_name((enum sstat_id)i), true, false);
        for (unsigned i = 0; i < SSTAT_COUNT; i++)
            family(&t, &l, "dora_pool_", stats_subnet_name((enum sstat_id)i), true, true);
    }
    free(l.v);
    if (l.oom || t.oom) {
        free(t.s);
        return NULL;
    }
    *len = t.len;
    return t.s;
}
