/*
 * The hook manager (Kea's HooksManager): loads the configured hook libraries
 * into a hook set, and calls their callouts at the server's hook points.
 *
 * A hook set belongs to one configuration snapshot (cfg4.hooks): it is built
 * before the snapshot is installed and released with it, so a callout in
 * flight on a worker keeps its libraries loaded while a reload installs new
 * ones (the refcount is the snapshot's). Parked packets and durable-reply
 * completions take their own reference.
 *
 * Cost when unused: every call site is guarded by hooks_on(), one load and a
 * predictable branch on a per-point bit.
 */
#ifndef DORA_HOOKS_MGR_H
#define DORA_HOOKS_MGR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backends/lease_store.h"
#include "hooks/include/dora/hooks.h"
#include "server/cfg.h"
#include "server/io.h"
#include "wire/pkt4.h"

#ifdef __cplusplus
extern "C" {
#endif

struct hook_lib;

struct hooks_set {
    uint32_t mask;                         /* bit p: hook point p has callouts */
    int      refs;
    uint32_t parked_limit;                 /* parked-packet-limit, 0 = none */
    struct hook_callout {
        dora_callout_fn fn;
        void           *user;
    } *callouts[DORA_HOOK_POINTS];
    size_t   n_callouts[DORA_HOOK_POINTS];
    struct hook_lib *libs;
    size_t   n_libs;
};

static inline bool hooks_on(const void *set, enum dora_hook_point p)
{
    const struct hooks_set *h = (const struct hooks_set *)set;
    return h && (h->mask >> p & 1u);
}

/* ---- loading ------------------------------------------------------------- */

/* Load cfg's hooks-libraries in order (dlopen, descriptor, ABI version,
 * multi-threading, load()). Returns 0 and *out (NULL when the list is
 * empty), or -1 with "Dhcp4.hooks-libraries[i]: ..." in err and nothing left
 * loaded. */
int  hooks_load(const struct cfg4 *cfg, struct hooks_set **out, char *err, size_t errlen);
/* dorad -t: the same checks without calling load(). */
int  hooks_validate(const struct cfg4 *cfg, char *err, size_t errlen);
void hooks_acquire(struct hooks_set *h);
/* The last release calls every unload() (reverse order) and dlcloses. */
void hooks_release(struct hooks_set *h);

/* ---- the query, as the hook points see it -------------------------------- */

/* Per-packet hook state, on the worker's stack: the query and what the
 * allocation engine did with it (for leases4_committed). */
struct hooks_query {
    struct pkt4         *pkt;
    const struct rx_pkt *rx;
    const char          *iface;
    const struct cfg_subnet4 *subnet;
    struct lease4 committed, deleted;
    bool has_committed, has_deleted;
};

/* The allocation engine records what it committed (deleted = the lease
 * removed or released) for leases4_committed. */
static inline void hooks_note_lease(struct hooks_query *q, const struct lease4 *l, bool deleted)
{
    if (deleted) {
        q->deleted = *l;
        q->has_deleted = true;
    } else {
        q->committed = *l;
        q->has_committed = true;
    }
}

/* ---- hook points (call only when hooks_on(set, point)) --------------------- */

/* buffer4_receive: the raw datagram. Returns the status (DROP drops). */
enum dora_hook_status hooks_buffer4_receive(const struct cfg4 *cfg, const struct rx_pkt *rx);
/* pkt4_receive. */
enum dora_hook_status hooks_pkt4_receive(const struct cfg4 *cfg, struct hooks_query *q);
/* subnet4_select: *subnet in/out (a configured subnet or NULL). */
enum dora_hook_status hooks_subnet4_select(const struct cfg4 *cfg, struct hooks_query *q,
                                           const struct cfg_subnet4 **subnet);
/* host4_identifier: fills id (cap bytes) and *len; CONTINUE with *len > 0 =
 * use it. */
enum dora_hook_status hooks_host4_identifier(const struct cfg4 *cfg, struct hooks_query *q,
                                             uint8_t *id, size_t cap, size_t *len);
/* lease4_select (flag = fake_allocation), lease4_renew, lease4_release,
 * lease4_decline: lease in/out where the hook point allows it. q may be
 * NULL (no packet). */
enum dora_hook_status hooks_lease4(const struct cfg4 *cfg, enum dora_hook_point p,
                                   struct hooks_query *q, const struct cfg_subnet4 *subnet,
                                   struct lease4 *lease, bool flag);
/* lease4_expire (flag = remove_lease), lease4_recover: no packet. */
enum dora_hook_status hooks_reclaim(const struct cfg4 *cfg, enum dora_hook_point p,
                                    struct lease4 *lease, bool flag);

/* leases4_committed. resp may be NULL (RELEASE, DECLINE). When a callout
 * parks, returns PARK and resume(arg, drop) is called once, from whichever
 * thread releases the last reference; otherwise returns CONTINUE or DROP and
 * resume is not called. With the parked-packet limit reached, returns DROP
 * without calling any callout (Kea: new responses are dropped). */
enum dora_hook_status hooks_leases4_committed(const struct cfg4 *cfg, struct hooks_query *q,
                                              const struct pkt4_out *resp,
                                              void (*resume)(void *arg, bool drop), void *arg);

/* pkt4_send then buffer4_send on a built response (o->buf/o->len). Options
 * changed by pkt4_send callouts are re-laid out. Returns false when the
 * response must not be sent. Call when either point is on. */
bool hooks_send(const struct cfg4 *cfg, struct hooks_query *q, struct pkt4_out *o);

/* command_processed: after each control command (the control channel calls
 * it). *response is JSON text the caller owns; a callout may replace it (the
 * old string is freed, the new one malloc'd). */
void hooks_command_processed(const struct cfg4 *cfg, const char *name, const char *args_json,
                             char **response);

/* Packets currently parked (all hook sets). */
size_t hooks_parked_count(void);

#ifdef __cplusplus
}
#endif
#endif
