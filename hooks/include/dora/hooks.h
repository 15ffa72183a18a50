/*
 * dora hook library ABI (installed as <dora/hooks.h>).
 *
 * A hook library is a shared object loaded by dorad from the configuration's
 * "hooks-libraries" list, in list order. It exports exactly one symbol,
 * DORA_HOOK_LIBRARY_SYMBOL ("dora_hook_library"), a const struct
 * dora_hook_library whose first member is the ABI version it was built
 * against. dorad refuses a library whose abi_version differs from its own
 * DORA_HOOKS_ABI_VERSION, a library without the symbol, and one that is not
 * multi-threading compatible while multi-threading is enabled.
 *
 * Callouts are registered per hook point in the descriptor's callout table.
 * A callout receives an opaque context and reads or changes its arguments
 * with the dora_hook_* accessors below (they are exported by dorad; a
 * library links against nothing). Each accessor documents at which hook
 * points it applies; elsewhere it returns 0 / NULL / -1.
 *
 * Threads: load() and unload() run on the main thread; packet callouts run
 * on worker threads concurrently (the library must be thread safe unless it
 * declares multi_threading_compatible = 0); lease4_expire/lease4_recover run
 * on the main thread; leases4_committed may be unparked from any thread.
 *
 * Reload: on every reconfiguration the new list is loaded (load() called)
 * before the old one is unloaded, so a library may briefly have two live
 * instances: keep state in the pointer load() returns, not in globals.
 *
 * Any change to this file's types or functions bumps DORA_HOOKS_ABI_VERSION.
 */
#ifndef DORA_HOOKS_H
#define DORA_HOOKS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef DORA_HOOKS_ABI_VERSION
#define DORA_HOOKS_ABI_VERSION 1
#endif
#define DORA_HOOK_LIBRARY_SYMBOL "dora_hook_library"

/* Hook points, Kea's names and meaning (processing order). */
enum dora_hook_point {
    DORA_HOOK_BUFFER4_RECEIVE = 0, /* raw query before parsing; DROP drops it, SKIP =
                                      the callout parsed it (dora: treated as CONTINUE) */
    DORA_HOOK_PKT4_RECEIVE,        /* parsed query; SKIP or DROP drops it */
    DORA_HOOK_SUBNET4_SELECT,      /* subnet chosen (may be changed); SKIP = no subnet,
                                      DROP drops */
    DORA_HOOK_HOST4_IDENTIFIER,    /* flex-id in host-reservation-identifiers: the callout
                                      sets the identifier; not CONTINUE = not used */
    DORA_HOOK_LEASE4_SELECT,       /* new lease chosen (fake_allocation on DISCOVER);
                                      SKIP = nothing assigned (NAK / no offer) */
    DORA_HOOK_LEASE4_RENEW,        /* a client's own lease extended; SKIP = not extended */
    DORA_HOOK_LEASE4_RELEASE,      /* SKIP or DROP = not released */
    DORA_HOOK_LEASE4_DECLINE,      /* SKIP or DROP = not declined */
    DORA_HOOK_LEASES4_COMMITTED,   /* REQUEST/RELEASE/DECLINE processed; DROP drops the
                                      reply, PARK holds it until unparked */
    DORA_HOOK_PKT4_SEND,           /* response built (options may be changed); SKIP or
                                      DROP drops it */
    DORA_HOOK_BUFFER4_SEND,        /* response packed; SKIP or DROP drops it */
    DORA_HOOK_LEASE4_EXPIRE,       /* reclamation; SKIP = the callout reclaimed it */
    DORA_HOOK_LEASE4_RECOVER,      /* declined lease out of probation; SKIP = not yet */
    DORA_HOOK_COMMAND_PROCESSED,   /* after each control command; status ignored */
    DORA_HOOK_POINTS
};

/* Next-step status a callout returns. An unsupported status at a hook point
 * is treated as CONTINUE (Kea). */
enum dora_hook_status {
    DORA_HOOK_CONTINUE = 0,
    DORA_HOOK_SKIP = 1,
    DORA_HOOK_DROP = 2,
    DORA_HOOK_PARK = 3,
};

struct dora_hook_ctx;      /* a hook point's arguments, valid during the callout */
struct dora_hook_params;   /* the library's "parameters" map */
struct dora_parked;        /* a parked packet (see dora_hook_park) */

typedef enum dora_hook_status (*dora_callout_fn)(struct dora_hook_ctx *ctx);

struct dora_hook_callout {
    enum dora_hook_point point;
    dora_callout_fn      fn;
};

struct dora_hook_library {
    uint32_t    abi_version;                /* DORA_HOOKS_ABI_VERSION: first, always */
    const char *name;
    int         multi_threading_compatible; /* 0: refused while multi-threading is on */
    /* Called once per load with the "parameters" map (never NULL; empty when
     * absent). Return 0 and optionally set *user (given back to every
     * callout via dora_hook_user); non-zero refuses the configuration, with
     * err (errlen bytes) saying why. May be NULL. */
    int  (*load)(const struct dora_hook_params *params, void **user, char *err, size_t errlen);
    void (*unload)(void *user);             /* may be NULL */
    const struct dora_hook_callout *callouts; /* terminated by { 0, NULL } */
};

/* Declare the library's descriptor: DORA_HOOK_LIBRARY(.name = "x", ...). */
#define DORA_HOOK_LIBRARY(...)                                                   \
    __attribute__((visibility("default"))) const struct dora_hook_library       \
        dora_hook_library = { .abi_version = DORA_HOOKS_ABI_VERSION, __VA_ARGS__ }

/* ---- parameters ----------------------------------------------------------- */

/* The value of key in the parameters map. Strings stay valid until unload.
 * Return NULL / the fallback when the key is absent or of another type. */
const char *dora_hook_param_string(const struct dora_hook_params *p, const char *key);
int64_t     dora_hook_param_int(const struct dora_hook_params *p, const char *key, int64_t fallback);
int         dora_hook_param_bool(const struct dora_hook_params *p, const char *key, int fallback);
/* The whole map as JSON text (for nested values). */
const char *dora_hook_param_json(const struct dora_hook_params *p);

/* ---- every hook point ------------------------------------------------------ */

enum dora_hook_point dora_hook_point(const struct dora_hook_ctx *ctx);
const char *dora_hook_point_name(enum dora_hook_point p);  /* "pkt4_receive", ... */
void       *dora_hook_user(const struct dora_hook_ctx *ctx);

/* ---- packets: query (client's) and response (ours) ------------------------ */

enum dora_pkt { DORA_PKT_QUERY = 0, DORA_PKT_RESPONSE = 1 };
enum dora_pkt_addr { DORA_CIADDR = 0, DORA_YIADDR, DORA_SIADDR, DORA_GIADDR };

/* 1 when the packet exists at this hook point (the query is absent at
 * lease4_expire/recover, the response exists from pkt4_send on and at
 * leases4_committed). Header fields are host byte order; the packet
 * accessors need the parsed packet (not buffer4_receive / buffer4_send). */
int      dora_pkt_present(const struct dora_hook_ctx *ctx, enum dora_pkt which);
uint8_t  dora_pkt_msg_type(const struct dora_hook_ctx *ctx, enum dora_pkt which);
uint32_t dora_pkt_xid(const struct dora_hook_ctx *ctx, enum dora_pkt which);
uint32_t dora_pkt_addr(const struct dora_hook_ctx *ctx, enum dora_pkt which, enum dora_pkt_addr f);
uint8_t  dora_pkt_htype(const struct dora_hook_ctx *ctx, enum dora_pkt which);
/* Copies chaddr (up to cap bytes); returns hlen. */
size_t   dora_pkt_chaddr(const struct dora_hook_ctx *ctx, enum dora_pkt which, uint8_t *out, size_t cap);
/* The value of option code (merged, RFC 3396) or NULL. */
const uint8_t *dora_pkt_option(const struct dora_hook_ctx *ctx, enum dora_pkt which,
                               uint8_t code, size_t *len);
/* Add or replace / remove an option. On the response only at pkt4_send.
 * Returns 0, or -1 (not here, no room). */
int dora_pkt_option_set(struct dora_hook_ctx *ctx, enum dora_pkt which, uint8_t code,
                        const uint8_t *data, size_t len);
int dora_pkt_option_remove(struct dora_hook_ctx *ctx, enum dora_pkt which, uint8_t code);

/* Raw datagram (buffer4_receive: the query; buffer4_send: the response). */
const uint8_t *dora_pkt_buffer(const struct dora_hook_ctx *ctx, enum dora_pkt which, size_t *len);
/* Where the query came from: source address/port and the interface name
 * ("" when unknown). Query side only. */
uint32_t    dora_pkt_remote_addr(const struct dora_hook_ctx *ctx);
uint16_t    dora_pkt_remote_port(const struct dora_hook_ctx *ctx);
const char *dora_pkt_iface(const struct dora_hook_ctx *ctx);

/* ---- subnet ------------------------------------------------------------------ */

/* The selected subnet: returns 0 and fills what is asked, -1 when none. */
int dora_hook_subnet(const struct dora_hook_ctx *ctx, uint32_t *id, uint32_t *prefix, uint8_t *plen);
/* subnet4_select: select another configured subnet by id. 0, or -1. */
int dora_hook_subnet_set(struct dora_hook_ctx *ctx, uint32_t id);

/* ---- leases ------------------------------------------------------------------- */

enum dora_lease_state { DORA_LEASE_DEFAULT = 0, DORA_LEASE_DECLINED = 1,
                        DORA_LEASE_EXPIRED_RECLAIMED = 2, DORA_LEASE_RELEASED = 3 };

struct dora_lease4 {
    uint32_t addr;            /* host byte order */
    uint32_t subnet_id;
    uint32_t valid_lft;       /* seconds; 0xffffffff = infinite */
    int64_t  cltt;            /* client last transmission time (unix) */
    uint32_t state;           /* enum dora_lease_state */
    uint8_t  hwaddr_len, client_id_len;
    uint8_t  hwaddr[20];
    uint8_t  client_id[255];
    char     hostname[256];
};

/* The lease argument (lease4_select/renew/release/decline/expire/recover).
 * Returns 0 and *out, or -1. */
int dora_hook_lease(const struct dora_hook_ctx *ctx, struct dora_lease4 *out);
/* lease4_select / lease4_renew (in/out): change valid_lft and hostname of
 * the lease about to be committed. Returns 0, or -1. */
int dora_hook_lease_update(struct dora_hook_ctx *ctx, const struct dora_lease4 *l);
/* leases4_committed: the committed (deleted = 0) or deleted (1) leases. */
size_t dora_hook_leases_count(const struct dora_hook_ctx *ctx, int deleted);
int    dora_hook_leases_at(const struct dora_hook_ctx *ctx, int deleted, size_t i,
                           struct dora_lease4 *out);
/* lease4_select: 1 for a DISCOVER (nothing written). lease4_expire: 1 when the
 * lease will be removed (no lease affinity). Else 0. */
int dora_hook_fake_allocation(const struct dora_hook_ctx *ctx);
int dora_hook_remove_lease(const struct dora_hook_ctx *ctx);

/* host4_identifier: set the flex-id identifier value. 0, or -1. */
int dora_hook_set_identifier(struct dora_hook_ctx *ctx, const uint8_t *id, size_t len);

/* ---- command_processed ------------------------------------------------------ */

const char *dora_hook_command_name(const struct dora_hook_ctx *ctx);
const char *dora_hook_command_arguments(const struct dora_hook_ctx *ctx);  /* JSON or NULL */
const char *dora_hook_command_response(const struct dora_hook_ctx *ctx);   /* JSON */
/* Replace the response (JSON text, copied). 0, or -1. */
int dora_hook_command_set_response(struct dora_hook_ctx *ctx, const char *json);

/* ---- parking (leases4_committed) ------------------------------------------------ */

/* Take a reference on the packet being processed so that the callout may
 * finish later from any thread; then return DORA_HOOK_PARK. Every callout
 * that took a reference must call dora_hook_unpark once: when the last
 * reference goes, processing continues (the reply is sent once its lease is
 * durable) unless one of them asked to drop it. Returns NULL when this
 * hook point cannot park. */
struct dora_parked *dora_hook_park(struct dora_hook_ctx *ctx);
/* Release a reference: drop != 0 discards the reply. Any thread. */
void dora_hook_unpark(struct dora_parked *p, int drop);

/* ---- logging ----------------------------------------------------------------- */

enum dora_hook_log { DORA_HOOK_LOG_DEBUG = 0, DORA_HOOK_LOG_INFO, DORA_HOOK_LOG_WARN,
                     DORA_HOOK_LOG_ERROR };
/* One line in dorad's log with the given stable message ID. */
void dora_hook_log(enum dora_hook_log sev, const char *id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#ifdef __cplusplus
}
#endif
#endif
