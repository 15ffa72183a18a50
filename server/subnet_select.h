/*
 * Subnet selection (spec kea-dhcp4.md §3.3, Kea's CfgSubnets4::selectSubnet):
 * RAI link-selection / option 118 short-circuit everything; then relay
 * addresses; then giaddr, ciaddr or source address; then the receiving
 * interface. Config order decides between candidates.
 */
#ifndef DORA_SERVER_SUBNET_SELECT_H
#define DORA_SERVER_SUBNET_SELECT_H

#include "server/cfg.h"
#include "server/io.h"
#include "wire/pkt4.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Whether a packet in classes (NULL = none) may be served from sn: the
 * subnet's client-class guard and, for a subnet of a shared network, the
 * network's guard both let it in (Kea's Subnet4::clientSupported). Two
 * length tests when no guard is configured. */
static inline bool subnet_allows(const struct cfg_subnet4 *sn, const uint64_t *classes)
{
    return class_guard_allows(&sn->guard, classes) &&
           (sn->network == NULL || class_guard_allows(&sn->network->guard, classes));
}

/* The first subnet whose prefix contains addr, or NULL. */
const struct cfg_subnet4 *subnet_containing(const struct cfg4 *cfg, uint32_t addr);

/* iface is the receiving interface (may be NULL). classes is the packet's
 * class bit set (NULL = none): subnets it is not allowed in (subnet_allows)
 * are skipped (spec §3.4 step 7). */
const struct cfg_subnet4 *subnet_select(const struct cfg4 *cfg, const struct pkt4 *req,
                                        const struct rx_pkt *rx, const struct io_iface *iface,
                                        const uint64_t *classes);

#ifdef __cplusplus
}
#endif
#endif
