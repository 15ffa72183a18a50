/*
 * Reply assembly (spec kea-dhcp4.md §3.12, §3.16): the options of an
 * OFFER/ACK/NAK in precedence order host > pool > subnet > shared network >
 * client classes (in the order the packet joined them) > global, filtered by
 * the client's parameter request list (55), plus always-send and the basic
 * options, T1/T2, the fixed fields (siaddr/sname/file: host > class > subnet), and the echoes of
 * client-id (RFC 6842) and relay agent information (RFC 3046).
 */
#ifndef DORA_SERVER_REPLY_H
#define DORA_SERVER_REPLY_H

#include "classify/classify.h"
#include "server/cfg.h"
#include "wire/pkt4.h"

#ifdef __cplusplus
extern "C" {
#endif

struct reply_params {
    const struct cfg4        *cfg;
    const struct cfg_subnet4 *subnet;   /* NULL: a NAK with no subnet */
    const struct cfg_pool    *pool;     /* pool of yiaddr, may be NULL */
    const struct cfg_host    *host;     /* client's reservation, may be NULL */
    const struct pkt4        *req;
    uint8_t  msg_type;                  /* DHCPOFFER, DHCPACK, DHCPNAK */
    uint32_t yiaddr;                    /* 0 for NAK and INFORM */
    uint32_t server_id;                 /* receiving interface address */
    bool     send_lease_time;           /* false for INFORM */
    uint32_t lease_time;
    bool     bootp;                     /* a BOOTREPLY: no DHCP-only options */
    const struct class_state *classes;  /* the packet's classes, NULL when none configured */
};

/* Build the reply into o (staged and laid out). Returns 0, or -1 when the
 * reply could not be laid out. */
int reply_build(struct pkt4_out *o, const struct reply_params *rp);

/* The largest reply req allows (its option 57, at least 576, at most one
 * Ethernet frame): what reply_build lays the reply out for. */
size_t reply_max_size(const struct pkt4 *req);

/* The server identifier to use: a configured option 54 (subnet, shared
 * network, then global),
 * else fallback. */
uint32_t reply_server_id(const struct cfg4 *cfg, const struct cfg_subnet4 *subnet, uint32_t fallback);

/* T1/T2 for a lease of valid seconds (spec §3.16); t1 and t2 are set to 0 when not sent. */
void reply_tee_times(const struct cfg_subnet4 *subnet, uint32_t valid, uint32_t *t1, uint32_t *t2);

#ifdef __cplusplus
}
#endif
#endif
