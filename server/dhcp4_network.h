/*
 * Shared networks on the packet path (ARM §9.4, spec kea-dhcp4.md §1.6):
 * once subnet selection has picked a subnet that belongs to a shared
 * network, the client may be served from any subnet of that network. This
 * module decides which one, Kea's way: the subnet of the client's
 * reservation, else of its existing lease, else of the address it asks for
 * (a REQUEST for an address in a sibling subnet is valid), else the
 * selected one; when that one is full the caller moves on with
 * network_next(). Nothing here runs for subnets outside shared networks.
 *
 * Class guards (the network's and each subnet's, subnet_allows) filter
 * every candidate: a sibling the packet's classes do not allow is never
 * picked nor moved on to. network_pick runs at subnet selection time, with
 * the classes known before the host lookup (Kea: KNOWN/UNKNOWN cannot
 * select a subnet); network_next runs during allocation, after the
 * KNOWN-dependent classes (Kea's Subnet4::getNextSubnet with the query's
 * classes).
 */
#ifndef DORA_SERVER_DHCP4_NETWORK_H
#define DORA_SERVER_DHCP4_NETWORK_H

#include "alloc/alloc_engine.h"
#include "backends/lease_store.h"
#include "server/cfg.h"
#include "wire/pkt4.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The reservation lookup of dhcp4_srv.c (subnet scope, then global); arg
 * is network_choice.host_arg. */
typedef const struct cfg_host *(*network_host_fn)(const struct cfg4 *cfg,
                                                  const struct cfg_subnet4 *sn,
                                                  const struct pkt4 *req, const void *arg);

struct network_choice {
    const struct cfg_subnet4 *subnet;
    const struct cfg_host    *host;
    const void               *host_arg;  /* passed to network_host_fn */
    const uint64_t           *classes;   /* the packet's classes; NULL = none */
};

/* For c->subnet in a shared network, move c to the sibling subnet the
 * client should be served from. hint is the requested address (0 = none);
 * hint_first makes an in-network hint win over the existing lease (a
 * REQUEST), otherwise reservation > lease > hint (a DISCOVER). */
void network_pick(struct lease_store *st, const struct cfg4 *cfg, const struct pkt4 *req,
                  const struct alloc_client *client, uint32_t hint, bool hint_first,
                  network_host_fn find_host, struct network_choice *c);

/* The first subnet after cur in start's network (wrapping around) that
 * classes allow; NULL once every subnet has been visited (or start is not
 * in a network). */
const struct cfg_subnet4 *network_next(const struct cfg4 *cfg, const struct cfg_subnet4 *start,
                                       const struct cfg_subnet4 *cur, const uint64_t *classes);

#ifdef __cplusplus
}
#endif
#endif
