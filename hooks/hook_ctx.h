/*
 * Private to the hooks/ sources: the argument context a callout receives, the loaded
 * library record and the parking record. Libraries see only the opaque
 * struct dora_hook_ctx and the accessors in <dora/hooks.h>.
 */
#ifndef DORA_HOOKS_HOOK_CTX_H
#define DORA_HOOKS_HOOK_CTX_H

#include <json-c/json.h>

#include "hooks/hooks_mgr.h"

struct dora_hook_params {
    struct json_object *root;   /* a map */
    char *json;
};

struct hook_lib {
    void *dl;
    const struct dora_hook_library *desc;
    void *user;
    bool loaded;                /* load() succeeded: unload() is due */
    struct dora_hook_params params;
};

struct dora_parked {
    int   refs;                 /* callouts' references + the dispatcher's */
    int   drop;
    void (*resume)(void *arg, bool drop);
    void *arg;
};

struct dora_hook_ctx {
    enum dora_hook_point point;
    void *user;                              /* the running callout's library */
    const struct cfg4 *cfg;
    struct hooks_query *q;                   /* NULL: no query */
    const struct rx_pkt *rx;                 /* buffer4_receive */
    struct pkt4_out *resp;                   /* pkt4_send (writable) */
    const struct pkt4_out *resp_ro;          /* leases4_committed, buffer4_send */
    const struct cfg_subnet4 *subnet;
    struct lease4 *lease;
    bool lease_writable;
    bool flag;                               /* fake_allocation / remove_lease */
    uint8_t *id; size_t id_cap, id_len;      /* host4_identifier */
    const char *cmd_name, *cmd_args;
    char **cmd_response;
    struct dora_parked *parked;              /* leases4_committed, created on demand */
    void (*resume)(void *arg, bool drop);
    void *resume_arg;
    bool resp_changed;
};

/* Re-lay out a response whose options a pkt4_send callout changed. */
int hooks_relayout(struct pkt4_out *o, const struct pkt4 *req);

/* Run p's callouts in library order; the first non-CONTINUE status (by
 * Kea's rules, a later callout still runs after SKIP; DROP stops) wins. */
enum dora_hook_status hooks_run(const struct hooks_set *h, struct dora_hook_ctx *ctx);

/* Parameters (hooks_params.c). */
int  hooks_params_init(struct dora_hook_params *p, const char *json);
void hooks_params_fini(struct dora_hook_params *p);

/* Parking (hooks_park.c). */
struct dora_parked *hooks_park_new(void (*resume)(void *, bool), void *arg);
/* Drop the dispatcher's reference: true when it was the last (the packet
 * is not parked; *dropped says whether a callout dropped it; no resume call). */
bool hooks_park_settle(struct dora_parked *p, bool drop, bool *dropped);

#endif
