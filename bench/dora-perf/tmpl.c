/*
 * Request templates: built with the wire codec, patched per packet.
 * Option contents follow RFC 2131 §4.4.1 table 5 for each message.
 */
#include "bench/dora-perf/tmpl.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire/pkt4.h"

/* perfdhcp's DHCPv4 parameter request list: subnet mask, broadcast
 * address, time offset, routers, domain name, DNS servers, host name. */
static const uint8_t prl[] = { 1, 28, 2, 3, 15, 6, 12 };

static bool user_has(const struct perf_opts *o, uint8_t code)
{
    for (size_t i = 0; i < o->n_extra; i++)
        if (o->extra[i].code == code)
            return true;
    return false;
}

/* Offset of the value of option code in the options field of our own
 * finished template (trusted input: the codec just wrote it), -1 if
 * absent or of another length. */
static int find_opt(const uint8_t *buf, size_t len, uint8_t code, size_t want_len)
{
    size_t i = PKT4_MIN_LEN;
    while (i < len) {
        uint8_t c = buf[i];
        if (c == OPT_END)
            break;
        if (c == OPT_PAD) {
            i++;
            continue;
        }
        if (i + 1 >= len || i + 2 + buf[i + 1] > len)
            break;
        if (c == code)
            return buf[i + 1] == want_len ? (int)(i + 2) : -1;
        i += 2 + (size_t)buf[i + 1];
    }
    return -1;
}

static void wr32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

int perf_tmpl_build(struct perf_tmpl *t, enum perf_tmpl_kind kind, const struct perf_opts *o,
                    char *err, size_t errlen)
{
    static const uint8_t msg_type[PT_N] = {
        [PT_DISCOVER] = DHCPDISCOVER, [PT_REQUEST] = DHCPREQUEST,
        [PT_RENEW] = DHCPREQUEST, [PT_RELEASE] = DHCPRELEASE,
    };
    static const uint8_t zero_addr[4] = { 0, 0, 0, 0 };
    const uint8_t cid[7] = { 1, 0, 0, 0, 0, 0, 0 };   /* type 1 (Ethernet) + MAC, patched */
    int rc = -1;

    if ((unsigned)kind >= PT_N) {
        snprintf(err, errlen, "unknown template kind %d", (int)kind);
        return -1;
    }
    struct pkt4_out *p = malloc(sizeof(*p));
    if (!p) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    pkt4_out_init(p, BOOTREQUEST);
    p->htype = 1;
    p->hlen = 6;
    /* A relayed request has passed one relay agent: us (RFC 1542 §4.1.1). */
    p->hops = o->mode == PERF_MODE_RELAY ? 1 : 0;
    p->flags = o->broadcast_flag ? PKT4_FLAG_BROADCAST : 0;

    bool ok = pkt4_out_put(p, OPT_MESSAGE_TYPE, &msg_type[kind], 1) == 0;
    if (!user_has(o, OPT_CLIENT_ID))
        ok = ok && pkt4_out_put(p, OPT_CLIENT_ID, cid, sizeof(cid)) == 0;
    /* RFC 2131 §4.3.2: a REQUEST in SELECTING carries the requested address
     * and the chosen server; a renewing one carries neither (ciaddr instead).
     * §4.4.6: a RELEASE names the server. */
    if (kind == PT_REQUEST && !user_has(o, OPT_REQUESTED_ADDRESS))
        ok = ok && pkt4_out_put(p, OPT_REQUESTED_ADDRESS, zero_addr, 4) == 0;
    if ((kind == PT_REQUEST || kind == PT_RELEASE) && !user_has(o, OPT_SERVER_ID))
        ok = ok && pkt4_out_put(p, OPT_SERVER_ID, zero_addr, 4) == 0;
    if (kind != PT_RELEASE) {
        if (!user_has(o, OPT_PARAM_REQUEST_LIST))
            ok = ok && pkt4_out_put(p, OPT_PARAM_REQUEST_LIST, prl, sizeof(prl)) == 0;
        for (size_t i = 0; i < o->n_extra; i++)
            ok = ok && pkt4_out_put(p, o->extra[i].code, o->extra[i].data, o->extra[i].len) == 0;
    }
    if (!ok) {
        snprintf(err, errlen, "too many or too large options (-o)");
        goto out;
    }
    int dropped = pkt4_out_finish(p, PERF_TMPL_MAX + 28);
    if (dropped != 0 || p->len > sizeof(t->buf)) {
        snprintf(err, errlen, "the options (-o) do not fit in a %d-byte request", PERF_TMPL_MAX);
        goto out;
    }
    memcpy(t->buf, p->buf, p->len);
    t->len = (uint16_t)p->len;
    t->off_cid = -1;
    t->off_reqip = -1;
    t->off_srvid = -1;
    int off;
    if (!user_has(o, OPT_CLIENT_ID)) {
        if ((off = find_opt(t->buf, t->len, OPT_CLIENT_ID, sizeof(cid))) < 0)
            goto lost;
        t->off_cid = (int16_t)(off + 1);
    }
    if (kind == PT_REQUEST && !user_has(o, OPT_REQUESTED_ADDRESS)) {
        if ((off = find_opt(t->buf, t->len, OPT_REQUESTED_ADDRESS, 4)) < 0)
            goto lost;
        t->off_reqip = (int16_t)off;
    }
    if ((kind == PT_REQUEST || kind == PT_RELEASE) && !user_has(o, OPT_SERVER_ID)) {
        if ((off = find_opt(t->buf, t->len, OPT_SERVER_ID, 4)) < 0)
            goto lost;
        t->off_srvid = (int16_t)off;
    }
    rc = 0;
    goto out;
lost:
    /* Only possible if the options overflowed into file/sname (option 52). */
    snprintf(err, errlen, "the options (-o) are too large: generated options were moved out of "
             "the options field");
out:
    free(p);
    return rc;
}

size_t perf_tmpl_write(const struct perf_tmpl *t, uint8_t *out, size_t cap,
                       const struct perf_tmpl_fill *f)
{
    if (cap < t->len)
        return 0;
    memcpy(out, t->buf, t->len);
    wr32(out + 4, f->xid);
    wr32(out + 12, f->ciaddr);
    wr32(out + 24, f->giaddr);
    memcpy(out + 28, f->mac, 6);
    if (t->off_cid >= 0)
        memcpy(out + t->off_cid, f->mac, 6);
    if (t->off_reqip >= 0)
        wr32(out + t->off_reqip, f->reqip);
    if (t->off_srvid >= 0)
        wr32(out + t->off_srvid, f->srvid);
    return t->len;
}
