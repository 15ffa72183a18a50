/*
 * Broadcast-mode internals of the dora-perf transport (see net.h): packet
 * sockets with BPF filters, Ethernet/IPv4/UDP framing through
 * frame_build/frame_parse, and destination link addresses. Private to
 * net.c and net_raw.c.
 */
#ifndef DORA_PERF_NET_RAW_H
#define DORA_PERF_NET_RAW_H

#include "bench/dora-perf/net.h"

int  perf_raw_open(struct perf_net *n, const struct perf_opts *o, char *err, size_t errlen);
int  perf_raw_frame(struct perf_net *n, uint8_t *out, size_t cap, const struct perf_l2 *l2,
                    const uint8_t *payload, size_t len);
void perf_raw_dest(struct perf_net *n, struct sockaddr_ll *sll, const uint8_t *dst_mac);
const uint8_t *perf_raw_payload(struct perf_net *n, struct perf_rxq *q, size_t i, size_t got,
                                struct rx_pkt *rx, size_t *len);

/* Shared with net.c: enlarge a socket's buffers (best effort). */
void perf_net_grow_buffers(int fd);

#endif
