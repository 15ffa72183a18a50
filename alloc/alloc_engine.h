/*
 * The allocation engine (Kea's alloc_engine): decides which address a client
 * gets, renews, releases and declines, reading leases and reservations and
 * submitting changes to the lease store. It owns no packet state: the caller
 * (server/dhcp4_srv.c) selects the subnet, looks up the reservation and turns
 * the result into a reply.
 */
#ifndef DORA_ALLOC_ENGINE_H
#define DORA_ALLOC_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "backends/lease_store.h"
#include "server/cfg.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Who is asking: chaddr and, when present and match-client-id is on, the
 * client identifier (option 61). */
struct hooks_query;

struct alloc_client {
    const uint8_t *hw;
    uint8_t        hwlen;
    const uint8_t *cid;      /* NULL when none */
    uint8_t        cidlen;
    struct hooks_query *query; /* the packet, for hook points; NULL = no hooks */
};

struct alloc_req {
    const struct cfg4        *cfg;
    const struct cfg_subnet4 *subnet;
    struct alloc_client       client;
    const struct cfg_host    *host;     /* the client's reservation, or NULL */
    uint32_t                  hint;     /* requested address (50 or ciaddr), 0 = none */
    uint32_t                  valid_lft;
    int64_t                   now;
    const char               *hostname; /* stored in the lease, may be NULL */
    /* Reservations held in hosts-databases (NULL when none is configured:
     * no cost). Returns 1 when addr is reserved in subnet_id (0 = global),
     * 0 when not, < 0 on a database error (the address counts as taken;
     * the caller learns of the failure through its ctx). */
    int (*db_reserved)(void *db_ctx, uint32_t subnet_id, uint32_t addr);
    void                     *db_ctx;
    const uint64_t           *classes;  /* the packet's classes (pool guards); NULL = none */
};

enum alloc_result {
    ALLOC_OK = 0,            /* lease chosen (and, for requests, submitted) */
    ALLOC_NAK = 1,           /* the client must be told no */
    ALLOC_NAK_WRONG_NET = 2, /* requested address is not in the selected subnet */
    ALLOC_DROP = 3,          /* silently ignore (unknown address requested) */
    ALLOC_EXHAUSTED = 4,     /* no free address */
    ALLOC_ERROR = 5,         /* the lease store failed */
};

extern const char *const alloc_result_name[];

/* Lease ownership (spec §3.2): equal client-ids, or equal hw-addresses when
 * either side has no client-id. */
bool alloc_lease_belongs(const struct lease4 *l, const struct alloc_client *c);

/* The client's lease in subnet_id (0 = any): by client-id first, then by
 * hw-address. Returns 0 and *out, or LEASE_E_NOT_FOUND. */
int alloc_find_client_lease(struct lease_store *s, uint32_t subnet_id,
                            const struct alloc_client *c, struct lease4 *out);

/* The pool of subnet holding addr, or NULL. */
const struct cfg_pool *alloc_pool_of(const struct cfg_subnet4 *subnet, uint32_t addr);

/* Whether addr is in a pool of r->subnet whose class guard lets the client
 * in (Kea's inAllowedPool). */
bool alloc_in_allowed_pool(const struct alloc_req *r, uint32_t addr);

/* DISCOVER: choose the address to offer (nothing is written). */
enum alloc_result alloc_discover(struct lease_store *s, const struct alloc_req *r,
                                 struct lease4 *offer);

/* REQUEST: allocate or renew and submit; done(ctx) runs once durable.
 * *lease is what was committed. On any result other than ALLOC_OK, done is
 * not called. */
enum alloc_result alloc_request(struct lease_store *s, const struct alloc_req *r,
                                lease_done_fn done, void *ctx, struct lease4 *lease);

/* RELEASE of addr: removes (or, with lease affinity, marks released) the
 * client's lease. Returns ALLOC_OK when something was released. */
enum alloc_result alloc_release(struct lease_store *s, const struct cfg4 *cfg,
                                const struct alloc_client *c, uint32_t addr, int64_t now);

/* DECLINE of addr: the lease goes into probation (state declined). */
enum alloc_result alloc_decline(struct lease_store *s, const struct cfg4 *cfg,
                                const struct alloc_client *c, uint32_t addr, int64_t now);

/* One bounded reclamation pass: expired leases become reclaimed (affinity) or
 * are removed. Stops after max_leases (0 = no limit) or max_ms milliseconds
 * (0 = no limit). Returns the number reclaimed. */
int alloc_reclaim(struct lease_store *s, const struct cfg4 *cfg, int64_t now,
                  uint32_t max_leases, uint32_t max_ms);

#ifdef __cplusplus
}
#endif
#endif
