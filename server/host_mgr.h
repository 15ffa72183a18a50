/*
 * Host reservations from hosts-databases (Kea's HostMgr alternate sources).
 *
 * Lookup order (Kea ARM §9.2.3): the configuration file first, then the
 * databases in the order hosts-databases lists them; the first hit wins.
 * The config-file part stays in cfg4_host_find(); this module asks the
 * databases.
 *
 * Threads: libmariadb and libpq connections are not thread safe, so every
 * worker has its own host store (connection) per database: n_workers x
 * n_dbs connections, opened at startup. A worker only ever waits for its
 * own lookup; no lock is shared between workers. The packet path pays
 * nothing when no hosts-database is configured (dhcp4_srv.hosts is NULL).
 *
 * A database reservation becomes a struct cfg_host in the worker's scratch
 * (struct host_db_worker) so that it feeds exactly the code paths of a
 * config-file reservation (address, hostname, next-server, server-hostname,
 * boot-file-name, per-host options).
 */
#ifndef DORA_SERVER_HOST_MGR_H
#define DORA_SERVER_HOST_MGR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backends/module.h"
#include "server/cfg.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Per database: what on-fail needs (Kea §11: on-fail applies to the host
 * backend too). lost is set by a worker whose lookup failed twice, cleared
 * by the main thread's probe. */
struct host_mgr_db {
    int      lost;                    /* __atomic */
    uint32_t tries;                   /* probes since the loss (main thread) */
    int64_t  last_probe_ms;
    uint32_t max_reconnect_tries, reconnect_wait_time;
    enum cfg_on_fail on_fail;
};

struct host_mgr {
    size_t   n_dbs;
    unsigned n_workers;
    struct be_host_store **st;   /* [worker * n_dbs + db]; worker n_workers = the probe */
    struct host_mgr_db *db;
    struct be_host probe_buf;    /* main thread's probe result */
};

/* What the databases' state asks of the server (main loop, once a second). */
enum host_mgr_verdict {
    HOST_MGR_SERVE = 0,   /* all up, or lost with a serve-* on-fail */
    HOST_MGR_STOP,        /* lost, stop-retry-exit: do not serve until back */
    HOST_MGR_EXIT,        /* lost, reconnect attempts spent, *-retry-exit */
};

/* One worker's scratch: the reservation found for the current packet (as
 * a cfg_host pointing into raw) and a buffer for reverse lookups. */
struct host_db_worker {
    struct be_host    raw;
    struct cfg_host   host;
    struct cfg_option opts[BE_HOST_OPTIONS_MAX];
    uint8_t           optdata[BE_HOST_OPTIONS_MAX][255];
    struct be_host    probe;
    bool              failed;    /* a lookup of the current packet failed */
};

/* Open every hosts-databases entry of cfg once per worker. Returns 0, or
 * -1 with the reason (naming the entry) in err; nothing stays open then. */
int host_mgr_open(struct host_mgr *m, const struct cfg4 *cfg, unsigned n_workers,
                  char *err, size_t errlen);

void host_mgr_close(struct host_mgr *m);

/* Main thread: probe every database a lookup found lost (one attempt per
 * reconnect-wait-time, on the probe connection) and apply its on-fail.
 * Logs the loss, each recovery and an exit decision. */
enum host_mgr_verdict host_mgr_check(struct host_mgr *m);

/* The reservation of (type, id) in subnet_id (0 = global) from the
 * databases in order. Returns 0 with *out = &hw->host, LEASE_E_NOT_FOUND,
 * or LEASE_E_IO when a database failed (hw->failed is set; the packet must
 * be dropped, as Kea drops a packet whose processing throws). A failed
 * lookup is tried once more (the store reconnects: a connection left stale
 * by a database restart costs nothing); a second failure marks the
 * database lost for host_mgr_check(). */
int host_mgr_get(const struct host_mgr *m, unsigned worker, const struct cfg4 *cfg,
                 uint32_t subnet_id, enum host_id_type type, const uint8_t *id, size_t len,
                 struct host_db_worker *hw, const struct cfg_host **out);

/* Whether addr is reserved in subnet_id in a database: 1 yes, 0 no,
 * LEASE_E_IO on a database failure (hw->failed is set). */
int host_mgr_addr_reserved(const struct host_mgr *m, unsigned worker, uint32_t subnet_id,
                           uint32_t addr, struct host_db_worker *hw);

#ifdef __cplusplus
}
#endif
#endif
