/*
 * DHCPv4 message processing (spec kea-dhcp4.md §3): the accept filter, then
 * DISCOVER -> OFFER, REQUEST -> ACK/NAK, RELEASE, DECLINE, INFORM -> ACK.
 * Runs on a worker with an already parsed packet; sends the reply itself, or,
 * when a lease was written, from the lease store's completion once the lease
 * is durable.
 */
#ifndef DORA_SERVER_DHCP4_SRV_H
#define DORA_SERVER_DHCP4_SRV_H

#include "backends/lease_store.h"
#include "classify/classify.h"
#include "server/cfg.h"
#include "server/client_handler.h"
#include "server/host_mgr.h"
#include "server/io.h"
#include "wire/pkt4.h"

#ifdef __cplusplus
extern "C" {
#endif

struct dhcp4_srv {
    struct io_ctx      *io;
    struct lease_store *store;
    volatile int        dhcp_disabled;  /* dhcp-disable (control channel, later) */
    struct host_mgr    *hosts;          /* hosts-databases; NULL when none */
};

/* Per-worker scratch space: big buffers are reused, never per packet. */
struct dhcp4_worker {
    struct dhcp4_srv *srv;
    unsigned          id;
    struct pkt4       req;
    struct pkt4_out   out;
    struct host_db_worker *hdb;         /* scratch for hosts-databases; NULL when none */
    struct class_state cls;   /* the packet's classes (used only when the config has some) */
};

/* The serialization key of a parsed packet: client-id, else hw-address.
 * Returns false when the packet has neither (it will be dropped). */
bool dhcp4_client_key(const struct pkt4 *req, struct client_key *key);

/* Process w->req (parsed from rx) under cfg. */
void dhcp4_handle(struct dhcp4_worker *w, const struct cfg4 *cfg, const struct rx_pkt *rx);

#ifdef __cplusplus
}
#endif
#endif
