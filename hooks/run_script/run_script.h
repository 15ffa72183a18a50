/*
 * dora_run_script.so: runs an external program on lease events, like Kea's
 * run_script (spec kea-hooks-api-ha-tools.md §17.25). The program gets one
 * argument, the hook point name, and the event in Kea's environment
 * variables (QUERY4_*, SUBNET4_*, PKT4_*, LEASE4_*, LEASES4_*, ...).
 *
 * Workers never wait for it: a callout copies the environment into a job on
 * a bounded queue ("queue-size", default 1024; when full the event is
 * dropped and logged) and one thread per library runs the jobs in order,
 * each to completion. Parameters: "name" (the program), "sync" (must be
 * false: Kea does not support synchronous calls either).
 */
#ifndef DORA_HOOKS_RUN_SCRIPT_H
#define DORA_HOOKS_RUN_SCRIPT_H

#include <stddef.h>

#include <dora/hooks.h>

#define RS_ENV_MAX   96      /* variables per job */
#define RS_ENV_BYTES 8192    /* their text */

struct rs_env {
    size_t n, used;
    char  *v[RS_ENV_MAX + 1];   /* NULL-terminated, pointing into text */
    char   text[RS_ENV_BYTES];
};

/* Add NAME=value (silently dropped when full). */
void rs_env_add(struct rs_env *e, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Fill e for the running hook point (Kea's variable set for it). */
void rs_env_build(struct dora_hook_ctx *ctx, struct rs_env *e);

#endif
