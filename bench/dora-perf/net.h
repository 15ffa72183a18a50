/*
 * dora-perf transports. Relayed mode: one UDP socket bound to the relay
 * address and port 67 (where servers send relayed replies), requests
 * unicast to the server. Broadcast mode: an AF_PACKET socket on the
 * interface that sends whole Ethernet frames from each simulated client's
 * own MAC and hears replies to the client port, plus a second one that
 * hears ARP requests so the simulated clients can answer for the addresses
 * they hold (a server unicasting to a renewing client ARPs for it).
 *
 * Batches: requests are queued into a perf_txq and leave with one
 * sendmmsg(); replies arrive with recvmmsg() into a perf_rxq.
 */
#ifndef DORA_PERF_NET_H
#define DORA_PERF_NET_H

#include <linux/if_packet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "bench/dora-perf/opts.h"
#include "server/io.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PERF_BATCH      64
#define PERF_FRAME_MAX  1536   /* Ethernet header + 1500-byte MTU, rounded */
#define PERF_RX_MAX     2048
#define PERF_ETH_HDRS   42     /* Ethernet 14 + IPv4 20 + UDP 8 */

struct perf_net {
    enum perf_mode mode;
    int      fd;               /* UDP socket, or AF_PACKET socket for IPv4 */
    int      arp_fd;           /* broadcast mode: AF_PACKET socket for ARP; else -1 */
    int      ifindex;          /* broadcast mode */
    uint8_t  if_mac[6];
    uint32_t local_addr;       /* relayed mode: bound address, default giaddr */
    uint16_t local_port;       /* where replies arrive */
    uint16_t remote_port;      /* where requests go */
    uint32_t server_addr;      /* relayed: the server; broadcast: 255.255.255.255 */
};

/* Link-level addressing of one request (broadcast mode; ignored when
 * relayed). NULL dst_mac and dst_ip 0 mean broadcast. */
struct perf_l2 {
    const uint8_t *src_mac;    /* the simulated client */
    const uint8_t *dst_mac;
    uint32_t src_ip;           /* 0 before the client has an address */
    uint32_t dst_ip;
};

struct perf_txq {
    size_t   n;
    uint8_t  scratch[PERF_FRAME_MAX];   /* broadcast mode: payload before framing */
    uint32_t cookie[PERF_BATCH];        /* caller's per-message value (an xid) */
    uint8_t  kind[PERF_BATCH];          /* caller's per-message value (a type) */
    bool     failed[PERF_BATCH];        /* set by perf_net_flush */
    struct mmsghdr msg[PERF_BATCH];
    struct iovec   iov[PERF_BATCH];
    union {
        struct sockaddr_in in;
        struct sockaddr_ll ll;
    } dst[PERF_BATCH];
    uint8_t  buf[PERF_BATCH][PERF_FRAME_MAX];
};

struct perf_rxq {
    size_t   n;
    struct mmsghdr msg[PERF_BATCH];
    struct iovec   iov[PERF_BATCH];
    union {
        struct sockaddr_in in;
        struct sockaddr_ll ll;
    } from[PERF_BATCH];
    uint8_t  ctl[PERF_BATCH][128];      /* aux data and kernel receive time */
    uint8_t  buf[PERF_BATCH][PERF_RX_MAX];
};

/* Open the sockets the options ask for. Returns 0 or -1 with err. */
int  perf_net_open(struct perf_net *n, const struct perf_opts *o, char *err, size_t errlen);
void perf_net_close(struct perf_net *n);

/* Where to write the next request's DHCP payload (PERF_TMPL_MAX bytes of
 * room), or NULL when the queue is full. */
uint8_t *perf_txq_payload(struct perf_net *n, struct perf_txq *q);

/* Queue the payload just written (len bytes) with its addressing and the
 * caller's cookie/kind. Returns 0, or -1 if it cannot be framed. */
int perf_txq_commit(struct perf_net *n, struct perf_txq *q, size_t len, const struct perf_l2 *l2,
                    uint32_t cookie, uint8_t kind);

/* Queue a ready Ethernet frame (broadcast mode only; ARP replies). */
int perf_txq_frame(struct perf_net *n, struct perf_txq *q, const uint8_t *frame, size_t len);

/* Send everything queued (sendmmsg, retried past a failing message).
 * Marks q->failed[i] for messages the kernel refused; returns how many
 * failed. The caller resets q->n afterwards. */
size_t perf_net_flush(struct perf_net *n, struct perf_txq *q);

/* Wait up to timeout_ms. Returns a bit mask: 1 = replies readable,
 * 2 = ARP readable; 0 on timeout or EINTR. */
int perf_net_wait(struct perf_net *n, int timeout_ms);

/* Read a batch without blocking from the reply socket (arp = false) or the
 * ARP socket. Returns the count (q->n), 0 if nothing, -1 on error. */
int perf_net_recv(struct perf_net *n, struct perf_rxq *q, bool arp);

/* The DHCP payload of reply i, with its addressing in *rx (src_ip,
 * src_mac in broadcast mode, ports). Returns NULL for anything that is not a
 * well-formed IPv4/UDP datagram to our port. */
const uint8_t *perf_net_payload(struct perf_net *n, struct perf_rxq *q, size_t i,
                                struct rx_pkt *rx, size_t *len);

/* When the kernel received reply i (SO_TIMESTAMPNS), as CLOCK_MONOTONIC
 * nanoseconds: the latency then excludes our own wake-up. real_minus_mono
 * is CLOCK_REALTIME - CLOCK_MONOTONIC now; fallback_ns (the time the batch
 * was read) is returned when there is no usable stamp. */
uint64_t perf_net_rx_time(const struct perf_rxq *q, size_t i, int64_t real_minus_mono,
                          uint64_t fallback_ns);

/* An ARP request in ARP batch entry i: who asks (MAC, IPv4) for which
 * address. Returns 0, or -1 if it is not an Ethernet/IPv4 ARP request. */
int perf_net_arp_request(const struct perf_rxq *q, size_t i, uint8_t asker_mac[6],
                         uint32_t *asker_ip, uint32_t *target_ip);

/* Build the ARP reply "target_ip is at mac" to the asker into frame (42
 * bytes); returns its length. */
size_t perf_net_arp_reply(uint8_t *frame, size_t cap, const uint8_t mac[6], uint32_t ip,
                          const uint8_t asker_mac[6], uint32_t asker_ip);

#ifdef __cplusplus
}
#endif
#endif
