/*
 * Control commands (Kea's command set, spec kea-hooks-api-ha-tools.md ch. 19):
 * the seam between the control channel (socket, framing, dispatch) and the
 * modules that implement commands. A command module exports a table of
 * handlers; the dispatcher looks the name up and calls the handler with the
 * request's "arguments" (NULL when absent) and an answer to fill.
 *
 * Handlers run on the control thread, never on a packet worker: they may
 * block on the lease store or a database, packets keep flowing meanwhile.
 */
#ifndef DORA_SERVER_CTRL_CMD_H
#define DORA_SERVER_CTRL_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <json-c/json.h>

#include "backends/lease_store.h"
#include "backends/module.h"
#include "server/cfg.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Kea's result codes. */
enum ctrl_result {
    CTRL_SUCCESS = 0,
    CTRL_ERROR = 1,
    CTRL_UNSUPPORTED = 2,
    CTRL_EMPTY = 3,        /* empty result / not found */
    CTRL_CONFLICT = 4,
};

#define CTRL_TEXT_MAX 1024

/* What a handler fills: result code, text, and optional arguments (a JSON
 * object or array the answer takes ownership of). */
struct ctrl_answer {
    int result;
    char text[CTRL_TEXT_MAX];
    struct json_object *args;
};

/* Set result and text (printf style). */
void ctrl_answer_set(struct ctrl_answer *a, int result, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* What commands act on; owned by the server, valid while the control
 * channel runs. */
struct ctrl_env {
    struct lease_store *store;
    struct be_host_store **host_stores;   /* hosts-databases in lookup order */
    size_t n_host_stores;
    volatile int *dhcp_disabled;          /* dhcp-disable / dhcp-enable */
    time_t started;                       /* process start, for status-get */
    const char *config_path;              /* -c file (config-reload, config-write default) */

    /* The running configuration: a counted reference; release it after use. */
    const struct cfg4 *(*cfg_acquire)(struct ctrl_env *env, void **ref);
    void (*cfg_release)(struct ctrl_env *env, void *ref);
    /* Parse and install a new configuration from JSON text (the whole
     * config, holding "Dhcp4"), exactly as SIGHUP would: an invalid one is
     * refused with the reason in err and the running one kept. */
    int (*cfg_apply)(struct ctrl_env *env, const char *json_text, char *err, size_t errlen);
    /* Ask the main loop to exit with this status. */
    void (*shutdown)(struct ctrl_env *env, int exit_status);
    /* Re-read and install config_path exactly as SIGHUP does (config-reload). */
    int (*cfg_reload)(struct ctrl_env *env, char *err, size_t errlen);
    time_t reloaded;                      /* last install (status-get); __atomic access */
    time_t dhcp_enable_at;                /* dhcp-disable max-period end, 0 = none; __atomic;
                                           * the main loop re-enables when it passes */
    unsigned thread_pool_size;            /* workers running (status-get) */
    size_t packet_queue_size;
    void *server;                         /* private to the server */
};

typedef void (*ctrl_cmd_fn)(struct ctrl_env *env, struct json_object *args,
                            struct ctrl_answer *ans);

struct ctrl_cmd {
    const char *name;
    ctrl_cmd_fn fn;
};

/* Command tables, each ended by { NULL, NULL }. */
extern const struct ctrl_cmd ctrl_cmds_server[];   /* cmd_server.c: config, status, stats, dhcp-*, shutdown */
extern const struct ctrl_cmd ctrl_cmds_stats[];    /* cmd_stats.c: statistic-* */
extern const struct ctrl_cmd ctrl_cmds_lease[];    /* cmd_lease.c: lease4-* */
extern const struct ctrl_cmd ctrl_cmds_host[];     /* cmd_host.c: reservation-* */

/* Every table above, ended by NULL: what the dispatcher searches. */
extern const struct ctrl_cmd *const ctrl_cmd_tables[];

#ifdef __cplusplus
}
#endif
#endif
