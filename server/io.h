/*
 * Packet I/O: the sockets dorad listens and answers on.
 *
 * Socket type "raw" (default): one AF_PACKET socket per configured interface
 * with a BPF filter for UDP to the server port, so directly attached clients
 * without an address can be heard and answered (replies are built as
 * Ethernet/IPv4/UDP frames, unicast to chaddr or broadcast). A UDP socket bound
 * to the server port is opened too: replies to relays (giaddr:67) go through
 * it, and it keeps the kernel from answering ICMP port-unreachable; what it
 * receives is discarded because the raw socket already saw the packet.
 *
 * Socket type "udp": only the UDP socket (relayed and unicast traffic); it is
 * read with recvmmsg.
 *
 * All addresses in host byte order.
 */
#ifndef DORA_SERVER_IO_H
#define DORA_SERVER_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "wire/pkt4.h"

#ifdef __cplusplus
extern "C" {
#endif

struct cfg4;

#define IO_MAX_IFACES 64

/* One received DHCP payload with where it came from. */
struct rx_pkt {
    uint16_t len;
    bool     via_raw;       /* read from an AF_PACKET socket */
    bool     dst_broadcast; /* IPv4 destination was 255.255.255.255 (or L2 broadcast) */
    int      ifindex;       /* receiving interface */
    uint32_t src_ip, dst_ip;
    uint16_t src_port, dst_port;
    uint8_t  src_mac[6];
    struct timespec rx_time;/* CLOCK_MONOTONIC */
    uint8_t  data[PKT4_MAX_LEN];
};

/* Where a reply goes. */
struct tx_dest {
    int      ifindex;       /* interface to send on (the receiving one); 0 = routing */
    uint32_t dst_ip;        /* 0xffffffff for broadcast */
    uint16_t dst_port;
    bool     l2_unicast;    /* raw only: send to dst_mac although dst_ip has no ARP entry */
    uint8_t  dst_mac[6];
    uint32_t src_ip;        /* source address to use (the server identifier); 0 = interface address */
};

struct io_iface {
    char     name[16];
    int      ifindex;
    uint8_t  mac[6];
    uint32_t addr;          /* first IPv4 address (or the configured one), 0 if none */
    uint32_t netmask;
    int      raw_fd;        /* -1 in udp mode */
};

struct io_ctx {
    struct io_iface ifaces[IO_MAX_IFACES];
    size_t   n_ifaces;
    int      udp_fd;        /* bound to 0.0.0.0:server_port */
    bool     raw;           /* socket type raw */
    uint16_t server_port, client_port;
    int      epoll_fd;
};

/* Open the sockets the config asks for (interfaces-config). Interface names
 * that do not exist are an error naming them. Returns 0 or -1 with err. */
int io_open(struct io_ctx *io, const struct cfg4 *cfg, uint16_t server_port,
            uint16_t client_port, char *err, size_t errlen);

/* Wait up to timeout_ms for packets and read up to max of them (batched:
 * recvmmsg on UDP, several reads per raw socket). Frames that are not IPv4/UDP
 * to the server port, or whose IP/UDP headers are malformed, are skipped and
 * counted in *bad (may be NULL). Returns the number of packets stored, 0 on
 * timeout, -1 on a fatal error. EINTR returns 0. */
int io_recv_batch(struct io_ctx *io, struct rx_pkt *out, size_t max, int timeout_ms, size_t *bad);

/* Send one DHCP payload. Returns 0 or -1 (errno set). Thread safe. */
int io_send(struct io_ctx *io, const struct tx_dest *dst, const uint8_t *payload, size_t len);

/* The interface with this index, or NULL. */
const struct io_iface *io_iface_by_index(const struct io_ctx *io, int ifindex);

void io_close(struct io_ctx *io);

/* ---- Frame helpers (exposed for unit tests and dora-perf) ------------- */

/* Build an Ethernet II + IPv4 + UDP frame around payload into out (cap bytes).
 * Returns the frame length or -1 if it does not fit. Checksums are computed. */
int frame_build(uint8_t *out, size_t cap,
                const uint8_t src_mac[6], const uint8_t dst_mac[6],
                uint32_t src_ip, uint32_t dst_ip,
                uint16_t src_port, uint16_t dst_port,
                const uint8_t *payload, size_t len);

/* Parse an Ethernet frame carrying IPv4/UDP: fills the rx_pkt address fields
 * and copies the UDP payload. Returns 0, or -1 for anything that is not a
 * well-formed IPv4 UDP datagram (bad lengths, fragments, bad IP checksum). */
int frame_parse(const uint8_t *frame, size_t len, struct rx_pkt *out);

#ifdef __cplusplus
}
#endif
#endif
