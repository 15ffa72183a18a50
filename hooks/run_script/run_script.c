/*
 * dora_run_script.so (see run_script.h): callouts queue jobs, one thread
 * runs them.
 */
#include "hooks/run_script/run_script.h"

#include <errno.h>
#include <pthread.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

struct rs_job {
    char hook[32];
    struct rs_env env;
};

struct rs {
    char program[1024];
    pthread_mutex_t lock;
    pthread_cond_t cond;
    pthread_t thread;
    bool stopping;
    struct rs_job **queue;     /* ring of cap slots */
    size_t cap, head, n;
    unsigned long dropped;
};

static void run_job(struct rs *rs, struct rs_job *j)
{
    char *argv[] = { rs->program, j->hook, NULL };
    pid_t pid;
    int rc = posix_spawn(&pid, rs->program, NULL, NULL, argv, j->env.v);
    if (rc != 0) {
        dora_hook_log(DORA_HOOK_LOG_ERROR, "RUN_SCRIPT_LOAD_ERROR", "cannot run %s: %s",
                      rs->program, strerror(rc));
        return;
    }
    /* Output and status are ignored (Kea); wait only to reap it. */
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
}

static void *runner(void *arg)
{
    struct rs *rs = arg;
    pthread_mutex_lock(&rs->lock);
    for (;;) {
        while (!rs->n && !rs->stopping)
            pthread_cond_wait(&rs->cond, &rs->lock);
        if (!rs->n)
            break;   /* stopping and drained */
        struct rs_job *j = rs->queue[rs->head];
        rs->head = (rs->head + 1) % rs->cap;
        rs->n--;
        pthread_mutex_unlock(&rs->lock);
        run_job(rs, j);
        free(j);
        pthread_mutex_lock(&rs->lock);
    }
    pthread_mutex_unlock(&rs->lock);
    return NULL;
}

static enum dora_hook_status callout(struct dora_hook_ctx *ctx)
{
    struct rs *rs = dora_hook_user(ctx);
    struct rs_job *j = malloc(sizeof(*j));
    if (!j)
        return DORA_HOOK_CONTINUE;
    snprintf(j->hook, sizeof(j->hook), "%s", dora_hook_point_name(dora_hook_point(ctx)));
    rs_env_build(ctx, &j->env);
    pthread_mutex_lock(&rs->lock);
    bool full = rs->n == rs->cap;
    if (!full) {
        rs->queue[(rs->head + rs->n) % rs->cap] = j;
        rs->n++;
        pthread_cond_signal(&rs->cond);
    } else {
        rs->dropped++;
    }
    pthread_mutex_unlock(&rs->lock);
    if (full) {
        dora_hook_log(DORA_HOOK_LOG_WARN, "RUN_SCRIPT_QUEUE_FULL",
                      "run_script queue full: %s event not passed to %s", j->hook, rs->program);
        free(j);
    }
    return DORA_HOOK_CONTINUE;
}

static int load(const struct dora_hook_params *p, void **user, char *err, size_t errlen)
{
    const char *name = dora_hook_param_string(p, "name");
    int64_t qsize = dora_hook_param_int(p, "queue-size", 1024);
    if (!name || !name[0]) {
        snprintf(err, errlen, "parameter 'name' (the program to run) is required");
        return -1;
    }
    if (dora_hook_param_bool(p, "sync", 0)) {
        snprintf(err, errlen, "'sync': synchronous calls are not supported");
        return -1;
    }
    if (qsize < 1 || qsize > 1000000) {
        snprintf(err, errlen, "'queue-size' %lld: expected 1 to 1000000", (long long)qsize);
        return -1;
    }
    struct rs *rs = calloc(1, sizeof(*rs));
    if (!rs || !(rs->queue = calloc((size_t)qsize, sizeof(*rs->queue)))) {
        free(rs);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    snprintf(rs->program, sizeof(rs->program), "%s", name);
    rs->cap = (size_t)qsize;
    pthread_mutex_init(&rs->lock, NULL);
    pthread_cond_init(&rs->cond, NULL);
    if (pthread_create(&rs->thread, NULL, runner, rs) != 0) {
        free(rs->queue);
        free(rs);
        snprintf(err, errlen, "cannot start the runner thread");
        return -1;
    }
    *user = rs;
    return 0;
}

/* The queued events still run (bounded by the queue size), then the thread ends. */
static void unload(void *user)
{
    struct rs *rs = user;
    pthread_mutex_lock(&rs->lock);
    rs->stopping = true;
    pthread_cond_signal(&rs->cond);
    pthread_mutex_unlock(&rs->lock);
    pthread_join(rs->thread, NULL);
    pthread_cond_destroy(&rs->cond);
    pthread_mutex_destroy(&rs->lock);
    free(rs->queue);
    free(rs);
}

static const struct dora_hook_callout callouts[] = {
    { DORA_HOOK_LEASE4_RENEW, callout },   { DORA_HOOK_LEASE4_EXPIRE, callout },
    { DORA_HOOK_LEASE4_RECOVER, callout }, { DORA_HOOK_LEASES4_COMMITTED, callout },
    { DORA_HOOK_LEASE4_RELEASE, callout }, { DORA_HOOK_LEASE4_DECLINE, callout },
    { 0, NULL }
};

DORA_HOOK_LIBRARY(.name = "run_script", .multi_threading_compatible = 1, .load = load,
                  .unload = unload, .callouts = callouts);
