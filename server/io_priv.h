/*
 * Private to the packet I/O module (server/io*.c, server/frame.c): the frame
 * parser with the knobs the raw receive path needs, and the bits io.c shares
 * with io_recv.c. Everyone else uses server/io.h.
 */
#ifndef DORA_SERVER_IO_PRIV_H
#define DORA_SERVER_IO_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "server/io.h"

#define ETH_HDR_LEN     14
#define VLAN_TAG_LEN    4
#define IPV4_HDR_MIN    20
#define IPV4_HDR_MAX    60
#define UDP_HDR_LEN     8

/* Largest frame io reads or builds: Ethernet + one VLAN tag + the longest
 * IPv4 header + UDP + the longest DHCP payload we accept. */
#define FRAME_MAX_LEN (ETH_HDR_LEN + VLAN_TAG_LEN + IPV4_HDR_MAX + UDP_HDR_LEN + PKT4_MAX_LEN)

/* frame_parse() with control over the UDP checksum check. check_udp_csum is
 * false when the kernel reports the checksum as not yet filled in (offloaded
 * transmit seen on the same host / a veth peer): the field then holds only
 * the pseudo-header sum and would look wrong. */
int frame_parse_opt(const uint8_t *frame, size_t len, struct rx_pkt *out,
                    bool check_udp_csum);

/* Bumped by every io_open(), so per-thread caches keyed by an io_ctx know
 * when a context at the same address may describe different sockets. */
extern unsigned long io_open_generation;

#endif
