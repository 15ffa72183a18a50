/*
 * dora-perf: a perfdhcp-style DHCPv4 load generator (perfdhcp's options and
 * report, plus latency percentiles and --json). This file wires the parts
 * together and runs the control loop on the main thread: start the
 * receiver and the senders, watch the exit conditions (-p, -n, -D, a
 * signal), print the live line every -t seconds, drain for -W, stop, and
 * report. Exit status as perfdhcp: 0 ok, 1 error, 2 bad arguments, 3 some
 * exchanges failed.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "bench/dora-perf/run.h"

#define LOAD(x)     atomic_load_explicit(&(x), memory_order_relaxed)
#define TICK_NS     10000000ull   /* control loop period: 10 ms */

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
    (void)sig;
    got_signal = 1;
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
}

/* -D: requests already past their drop time, as a count or a share of the
 * answers that were due (perfdhcp: checked after 10 were due). */
static bool max_drop_exceeded(struct perf_run *r)
{
    static const enum perf_xtype which[2] = { PX_DO, PX_RA };
    for (int i = 0; i < 2; i++) {
        const struct perf_max_drop *d = &r->o->max_drop[i];
        if (!d->set)
            continue;
        double lost = (double)LOAD(r->cnt[which[i]].collected);
        double due = lost + (double)LOAD(r->cnt[which[i]].rcvd);
        if (!d->percent && lost >= d->value)
            return true;
        if (d->percent && due >= 10 && 100.0 * lost / due > d->value)
            return true;
    }
    return false;
}

static enum perf_exit_reason exit_condition(struct perf_run *r, uint64_t now)
{
    const struct perf_opts *o = r->o;

    if (got_signal)
        return PERF_EXIT_SIGNAL;
    if (o->test_period > 0 && (double)(now - r->t_start) >= o->test_period * 1e9)
        return PERF_EXIT_PERIOD;
    /* All DISCOVERs claimed and handed to the kernel (or refused by it). */
    if (o->num_request[0] && LOAD(r->initiated) >= o->num_request[0] &&
        LOAD(r->cnt[PX_DO].sent) + LOAD(r->locallimit) >= o->num_request[0])
        return PERF_EXIT_NUM_REQUEST;
    if (o->num_request[1] && LOAD(r->cnt[PX_RA].sent) >= o->num_request[1])
        return PERF_EXIT_NUM_REQUEST;
    if (max_drop_exceeded(r))
        return PERF_EXIT_MAX_DROP;
    return PERF_EXIT_NONE;
}

static bool nothing_outstanding(struct perf_run *r)
{
    return perf_run_outstanding(r, PX_DO) <= 0 && perf_run_outstanding(r, PX_RA) <= 0 &&
           perf_run_outstanding(r, PX_RENEW) <= 0;
}

struct ticker {
    FILE *out;
    uint64_t every, next;
};

static void tick(struct perf_run *r, struct ticker *t, uint64_t now)
{
    if (t->every && now >= t->next) {
        perf_report_progress(r, now, t->out);
        t->next += t->every;
        if (t->next < now)
            t->next = now + t->every;
    }
}

static enum perf_exit_reason control_loop(struct perf_run *r, struct ticker *t)
{
    enum perf_exit_reason why;
    uint64_t now;

    for (;;) {
        now = perf_now_ns();
        why = exit_condition(r, now);
        if (why != PERF_EXIT_NONE)
            break;
        tick(r, t, now);
        perf_sleep_until(now + TICK_NS);
    }
    atomic_store(&r->phase, PERF_PHASE_DRAIN);
    if (why == PERF_EXIT_SIGNAL)
        return why;

    /* -W: keep receiving (and answering OFFERs) without new exchanges for
     * the wait time, as perfdhcp does. Only the implicit single-exchange
     * "ping" stops as soon as nothing is outstanding (twice in a row: a
     * sender may still be flushing its last batch at the first look). */
    uint64_t deadline = now + r->o->exit_wait_us * 1000ull;
    int idle = 0;
    while ((now = perf_now_ns()) < deadline && !got_signal) {
        idle = nothing_outstanding(r) ? idle + 1 : 0;
        if (r->o->ping && idle >= 2)
            break;
        tick(r, t, now);
        uint64_t next = now + TICK_NS;
        perf_sleep_until(next < deadline ? next : deadline);
    }
    return why;
}

static void print_running(FILE *out, int argc, char **argv)
{
    fprintf(out, "Running:");
    for (int i = 0; i < argc; i++)
        fprintf(out, " %s", argv[i]);
    fprintf(out, "\nScenario: basic.\n");
    fflush(out);
}

int main(int argc, char **argv)
{
    static struct perf_opts o;
    static struct perf_run r;
    char err[512];
    struct perf_sender *senders[PERF_MAX_SENDERS] = { NULL };
    struct perf_receiver *receiver = NULL;
    int status = 1;

    switch (perf_opts_parse(&o, argc, argv, err, sizeof(err))) {
    case PERF_OPTS_HELP:
        printf("%s\n%s", perf_opts_synopsis(), perf_opts_help());
        return 0;
    case PERF_OPTS_VERSION:
        printf("dora-perf %s\n", PACKAGE_VERSION);
        return 0;
    case PERF_OPTS_RUN:
        break;
    default:
        fprintf(stderr, "dora-perf: %s\n%sTry 'dora-perf -h' for more information.\n", err,
                perf_opts_synopsis());
        return 2;
    }
    FILE *info = o.json ? stderr : stdout;
    if (perf_run_init(&r, &o, err, sizeof(err)) < 0) {
        fprintf(stderr, "dora-perf: %s\n", err);
        perf_run_free(&r);
        return 1;
    }
    install_signals();
    print_running(info, argc, argv);

    r.t_start = perf_now_ns();
    receiver = perf_receiver_start(&r, err, sizeof(err));
    for (unsigned i = 0; receiver && i < o.senders; i++) {
        senders[i] = perf_sender_start(&r, i, err, sizeof(err));
        if (!senders[i])
            break;
    }
    bool started = receiver && senders[o.senders - 1];
    enum perf_exit_reason why = PERF_EXIT_NONE;
    if (started) {
        struct ticker t = { .out = info, .every = (uint64_t)(o.report_interval * 1e9) };
        t.next = r.t_start + t.every;
        why = control_loop(&r, &t);
    } else {
        fprintf(stderr, "dora-perf: %s\n", err);
    }
    atomic_store(&r.phase, PERF_PHASE_STOP);
    for (unsigned i = 0; i < o.senders; i++)
        perf_sender_join(senders[i]);
    perf_receiver_join(receiver);
    uint64_t t_end = perf_now_ns();

    if (started) {
        if (o.json)
            perf_report_json(&r, t_end, why, stdout);
        else
            perf_report_final(&r, t_end, why, stdout);
        status = perf_run_status(&r);
    }
    perf_run_free(&r);
    return status;
}
