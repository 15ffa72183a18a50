/*
 * Request templates for dora-perf. Each kind of request (DISCOVER, REQUEST
 * in SELECTING state, renewing REQUEST, RELEASE) is built once with the
 * wire codec (pkt4_out), then every packet is a copy with the per-client
 * fields patched at known offsets: xid, chaddr, giaddr, ciaddr and the
 * values of options 61, 50 and 54. That keeps the codec the one place that
 * lays out a packet while sending costs a 300-byte copy.
 */
#ifndef DORA_PERF_TMPL_H
#define DORA_PERF_TMPL_H

#include <stddef.h>
#include <stdint.h>

#include "bench/dora-perf/opts.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PERF_TMPL_MAX 1472   /* a 1500-byte IP datagram minus IPv4 and UDP headers */

enum perf_tmpl_kind { PT_DISCOVER = 0, PT_REQUEST, PT_RENEW, PT_RELEASE, PT_N };

struct perf_tmpl {
    uint8_t  buf[PERF_TMPL_MAX];
    uint16_t len;
    int16_t  off_cid;     /* the MAC inside option 61 (after its type byte), -1 = none */
    int16_t  off_reqip;   /* value of option 50, -1 = none */
    int16_t  off_srvid;   /* value of option 54, -1 = none */
};

/* Per-packet values. Addresses in host order. */
struct perf_tmpl_fill {
    uint32_t xid;
    const uint8_t *mac;   /* 6 bytes */
    uint32_t giaddr;
    uint32_t ciaddr;
    uint32_t reqip;       /* option 50 (REQUEST) */
    uint32_t srvid;       /* option 54 (REQUEST, RELEASE) */
};

/* Build the template of one kind for these options: hops 1 when relayed,
 * the broadcast flag with -B, client identifier 01+MAC, the parameter
 * request list perfdhcp sends, then every -o option (an -o option replaces
 * the generated option with the same code). Returns 0 or -1 with err. */
int perf_tmpl_build(struct perf_tmpl *t, enum perf_tmpl_kind kind, const struct perf_opts *o,
                    char *err, size_t errlen);

/* Write one packet into out (cap bytes). Returns its length, 0 if cap is
 * too small. */
size_t perf_tmpl_write(const struct perf_tmpl *t, uint8_t *out, size_t cap,
                       const struct perf_tmpl_fill *f);

#ifdef __cplusplus
}
#endif
#endif
