/*
 * dora-perf reports: perfdhcp's final report (rate line, then per exchange
 * sent / received / drops / drops ratio / orphans / rejected leases / non
 * unique addresses / min, avg, max delay / std deviation / collected
 * packets) with p50, p99 and p99.9 added; the live -t line; --json; and the
 * exit status.
 *
 * Definitions (as perfdhcp's): drops = sent - received when positive, drops
 * ratio = 100 * drops / sent, delay = send-to-receive time of a matched
 * reply. "collected packets" are requests ended by their drop time.
 */
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>

#include "bench/dora-perf/run.h"

#define LOAD(x) atomic_load_explicit(&(x), memory_order_relaxed)

const char *perf_exit_reason_name(enum perf_exit_reason e)
{
    switch (e) {
    case PERF_EXIT_PERIOD: return "test period reached";
    case PERF_EXIT_NUM_REQUEST: return "number of requests reached";
    case PERF_EXIT_MAX_DROP: return "maximum drops exceeded";
    case PERF_EXIT_SIGNAL: return "interrupted";
    default: return "none";
    }
}

struct xsnap {
    uint64_t sent, rcvd, drops, orphans, rejected, nonunique, collected, late;
    double drops_ratio;
};

static void snap(struct perf_run *r, enum perf_xtype t, struct xsnap *s)
{
    struct perf_xcount *c = &r->cnt[t];
    s->sent = LOAD(c->sent);
    s->rcvd = LOAD(c->rcvd);
    /* A RELEASE has no reply (RFC 2131 §4.4.6), so none is missing. */
    s->drops = t != PX_RELEASE && s->sent > s->rcvd ? s->sent - s->rcvd : 0;
    s->orphans = LOAD(c->orphans);
    s->rejected = LOAD(c->rejected);
    s->nonunique = LOAD(c->nonunique);
    s->collected = LOAD(c->collected);
    s->late = LOAD(c->late);
    s->drops_ratio = s->sent ? 100.0 * (double)s->drops / (double)s->sent : 0;
}

/* Which exchanges this run reports, in perfdhcp's order. */
static bool reported(const struct perf_run *r, enum perf_xtype t)
{
    switch (t) {
    case PX_DO: return true;
    case PX_RA: return !r->o->initial_only;
    case PX_RENEW: return r->o->renew_rate > 0;
    case PX_RELEASE: return r->o->release_rate > 0;
    default: return false;
    }
}

/* The exchange the rate line counts: complete DORAs, or DOs with -i. */
static enum perf_xtype rate_type(const struct perf_run *r)
{
    return r->o->initial_only ? PX_DO : PX_RA;
}

/* Replies per second over the test: from the first request to the last
 * counted reply (or to the end when none came). */
static double achieved_rate(struct perf_run *r, uint64_t t_end)
{
    enum perf_xtype t = rate_type(r);
    uint64_t n = LOAD(r->cnt[t].rcvd);
    uint64_t last = LOAD(r->t_last_rcvd[t]);
    uint64_t end = last > r->t_start ? last : t_end;
    if (n == 0 || end <= r->t_start)
        return 0;
    return (double)n / ((double)(end - r->t_start) / 1e9);
}

void perf_report_progress(struct perf_run *r, uint64_t now_ns, FILE *out)
{
    const char *sep = "";
    struct xsnap s[PX_N];
    struct perf_hist_summary h[PX_N];
    int types[PX_N], n = 0;

    for (int t = PX_DO; t <= PX_RA; t++)
        if (reported(r, (enum perf_xtype)t)) {
            types[n++] = t;
            snap(r, (enum perf_xtype)t, &s[t]);
            perf_hist_summary(r->hist[t], &h[t]);
        }
    /* perfdhcp's live line, one value per exchange (DO/RA); "drops" here
     * are requests already past their drop time. */
    fprintf(out, "sent: ");
    for (int i = 0; i < n; i++, sep = "/")
        fprintf(out, "%s%llu", sep, (unsigned long long)s[types[i]].sent);
    fprintf(out, "; received: ");
    sep = "";
    for (int i = 0; i < n; i++, sep = "/")
        fprintf(out, "%s%llu", sep, (unsigned long long)s[types[i]].rcvd);
    fprintf(out, "; drops: ");
    sep = "";
    for (int i = 0; i < n; i++, sep = "/")
        fprintf(out, "%s%llu", sep, (unsigned long long)s[types[i]].collected);
    fprintf(out, "; rejected: ");
    sep = "";
    for (int i = 0; i < n; i++, sep = "/")
        fprintf(out, "%s%llu", sep, (unsigned long long)s[types[i]].rejected);
    fprintf(out, "; avg delay: ");
    sep = "";
    for (int i = 0; i < n; i++, sep = "/")
        fprintf(out, "%s%.3f", sep, h[types[i]].avg_ms);
    fprintf(out, " ms; p99: ");
    sep = "";
    for (int i = 0; i < n; i++, sep = "/")
        fprintf(out, "%s%.3f", sep, perf_hist_quantile_ms(r->hist[types[i]], 0.99));
    fprintf(out, " ms; rate: %.1f/s\n", achieved_rate(r, now_ns));
    fflush(out);
}

static void print_delay(FILE *out, const char *what, uint64_t count, double ms)
{
    if (count)
        fprintf(out, "%s: %.3f ms\n", what, ms);
    else
        fprintf(out, "%s: n/a\n", what);
}

void perf_report_final(struct perf_run *r, uint64_t t_end_ns, enum perf_exit_reason why, FILE *out)
{
    const struct perf_opts *o = r->o;

    fprintf(out, "***Rate statistics***\n");
    fprintf(out, "Rate: %g %s/second", achieved_rate(r, t_end_ns),
            o->initial_only ? "2-way exchanges" : "4-way exchanges");
    if (o->rate > 0)
        fprintf(out, ", expected rate: %g", o->rate);
    fprintf(out, "\n\n***Malformed Packets***\nMalformed packets: %llu\n",
            (unsigned long long)LOAD(r->malformed));
    fprintf(out, "locallimit: %llu\n", (unsigned long long)(LOAD(r->locallimit) + LOAD(r->evicted)));

    for (int t = 0; t < PX_N; t++) {
        if (!reported(r, (enum perf_xtype)t))
            continue;
        struct xsnap s;
        struct perf_hist_summary h;
        snap(r, (enum perf_xtype)t, &s);
        perf_hist_summary(r->hist[t], &h);
        fprintf(out, "***Statistics for: %s***\n", perf_xtype_name((enum perf_xtype)t));
        fprintf(out, "sent packets: %llu\n", (unsigned long long)s.sent);
        fprintf(out, "received packets: %llu\n", (unsigned long long)s.rcvd);
        fprintf(out, "drops: %llu\n", (unsigned long long)s.drops);
        fprintf(out, "drops ratio: %g %%\n", s.drops_ratio);
        fprintf(out, "orphans: %llu\n", (unsigned long long)s.orphans);
        fprintf(out, "rejected leases: %llu\n", (unsigned long long)s.rejected);
        fprintf(out, "non unique addresses: %llu\n\n", (unsigned long long)s.nonunique);
        print_delay(out, "min delay", h.count, h.min_ms);
        print_delay(out, "avg delay", h.count, h.avg_ms);
        print_delay(out, "max delay", h.count, h.max_ms);
        print_delay(out, "std deviation", h.count, h.stddev_ms);
        print_delay(out, "p50 delay", h.count, perf_hist_quantile_ms(r->hist[t], 0.50));
        print_delay(out, "p99 delay", h.count, perf_hist_quantile_ms(r->hist[t], 0.99));
        print_delay(out, "p99.9 delay", h.count, perf_hist_quantile_ms(r->hist[t], 0.999));
        fprintf(out, "collected packets: %llu\n\n", (unsigned long long)s.collected);
    }
    fprintf(out, "Exit reason: %s\n", perf_exit_reason_name(why));
    fflush(out);
}

static json_object *jdelay(uint64_t count, double ms)
{
    return count ? json_object_new_double(ms) : NULL;
}

int perf_report_json(struct perf_run *r, uint64_t t_end_ns, enum perf_exit_reason why, FILE *out)
{
    const struct perf_opts *o = r->o;
    json_object *root = json_object_new_object();
    json_object *xs = json_object_new_object();
    if (!root || !xs) {
        json_object_put(root);
        json_object_put(xs);
        return -1;
    }
    json_object_object_add(root, "rate", json_object_new_double(achieved_rate(r, t_end_ns)));
    json_object_object_add(root, "expected_rate", o->rate > 0 ? json_object_new_double(o->rate) : NULL);
    json_object_object_add(root, "rate_exchange",
                           json_object_new_string(perf_xtype_name(rate_type(r))));
    json_object_object_add(root, "duration_s",
                           json_object_new_double((double)(t_end_ns - r->t_start) / 1e9));
    json_object_object_add(root, "mode", json_object_new_string(
                               o->mode == PERF_MODE_RELAY ? "relayed" : "broadcast"));
    json_object_object_add(root, "clients", json_object_new_int64(o->num_clients));
    json_object_object_add(root, "malformed", json_object_new_int64((int64_t)LOAD(r->malformed)));
    json_object_object_add(root, "locallimit", json_object_new_int64((int64_t)LOAD(r->locallimit)));
    json_object_object_add(root, "evicted", json_object_new_int64((int64_t)LOAD(r->evicted)));
    json_object_object_add(root, "exit_reason", json_object_new_string(perf_exit_reason_name(why)));
    json_object_object_add(root, "exit_status", json_object_new_int(perf_run_status(r)));

    for (int t = 0; t < PX_N; t++) {
        if (!reported(r, (enum perf_xtype)t))
            continue;
        struct xsnap s;
        struct perf_hist_summary h;
        snap(r, (enum perf_xtype)t, &s);
        perf_hist_summary(r->hist[t], &h);
        json_object *x = json_object_new_object();
        if (!x)
            continue;
        json_object_object_add(x, "sent", json_object_new_int64((int64_t)s.sent));
        json_object_object_add(x, "received", json_object_new_int64((int64_t)s.rcvd));
        json_object_object_add(x, "drops", json_object_new_int64((int64_t)s.drops));
        json_object_object_add(x, "drops_ratio", json_object_new_double(s.drops_ratio));
        json_object_object_add(x, "orphans", json_object_new_int64((int64_t)s.orphans));
        json_object_object_add(x, "rejected_leases", json_object_new_int64((int64_t)s.rejected));
        json_object_object_add(x, "non_unique_addresses", json_object_new_int64((int64_t)s.nonunique));
        json_object_object_add(x, "collected", json_object_new_int64((int64_t)s.collected));
        json_object_object_add(x, "late", json_object_new_int64((int64_t)s.late));
        json_object_object_add(x, "min_ms", jdelay(h.count, h.min_ms));
        json_object_object_add(x, "avg_ms", jdelay(h.count, h.avg_ms));
        json_object_object_add(x, "max_ms", jdelay(h.count, h.max_ms));
        json_object_object_add(x, "stddev_ms", jdelay(h.count, h.stddev_ms));
        json_object_object_add(x, "p50_ms", jdelay(h.count, perf_hist_quantile_ms(r->hist[t], 0.50)));
        json_object_object_add(x, "p99_ms", jdelay(h.count, perf_hist_quantile_ms(r->hist[t], 0.99)));
        json_object_object_add(x, "p999_ms", jdelay(h.count, perf_hist_quantile_ms(r->hist[t], 0.999)));
        json_object_object_add(xs, perf_xtype_name((enum perf_xtype)t), x);
    }
    json_object_object_add(root, "exchanges", xs);
    fprintf(out, "%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
                                                              JSON_C_TO_STRING_NOSLASHESCAPE));
    fflush(out);
    json_object_put(root);
    return 0;
}

int perf_run_status(struct perf_run *r)
{
    for (int t = 0; t < PX_N; t++) {
        if (!reported(r, (enum perf_xtype)t))
            continue;
        struct xsnap s;
        snap(r, (enum perf_xtype)t, &s);
        if (s.drops || s.rejected || (r->o->unique && s.nonunique))
            return 3;
    }
    return 0;
}
