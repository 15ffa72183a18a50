/*
 * DHCPv4 packet parser: the one place that reads a datagram off the wire.
 *
 * RFC 2131 §2 (BOOTP header and magic cookie), RFC 2132 §9.3 (option
 * overload), RFC 3396 (long options: every instance of a code is joined, in
 * the order options field, file, sname). Strict: a malformed packet is
 * rejected whole, never half-parsed; no byte outside buf is ever read.
 *
 * Options are walked twice: the first pass validates and sizes every code,
 * the second copies the values into p->data, so each merged value is
 * contiguous without a per-instance table on the stack.
 */
#include "wire/pkt4.h"

#include <string.h>

/* BOOTP header offsets (RFC 2131 §2, figure 1). */
enum {
    OFF_OP = 0, OFF_HTYPE = 1, OFF_HLEN = 2, OFF_HOPS = 3, OFF_XID = 4,
    OFF_SECS = 8, OFF_FLAGS = 10, OFF_CIADDR = 12, OFF_YIADDR = 16,
    OFF_SIADDR = 20, OFF_GIADDR = 24, OFF_CHADDR = 28, OFF_SNAME = 44,
    OFF_FILE = 108, OFF_COOKIE = 236, OFF_OPTIONS = 240
};

static const char *const err_names[] = {
    "ok", "truncated", "too-long", "bad-cookie", "option-overrun",
    "no-end-option", "bad-overload", "bad-option-length", "bad-client-id",
    "bad-hlen", "bad-op",
};

const char *pkt4_strerror(int err)
{
    if (err > 0 || (size_t)-err >= sizeof(err_names) / sizeof(err_names[0]))
        return "unknown";
    return err_names[-err];
}

static uint16_t rd16(const uint8_t *b)
{
    return (uint16_t)(b[0] << 8 | b[1]);
}

static uint32_t rd32(const uint8_t *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static void mark_present(struct pkt4 *p, uint8_t code)
{
    p->present[code >> 3] |= (uint8_t)(1u << (code & 7));
}

/* One option area: [off, end) of buf. The options field must carry the end
 * option; file and sname may simply run out (RFC 2131 §4.1 pads them). */
struct area {
    size_t off, end;
    bool   need_end;
    bool   overflow;  /* file or sname: option 52 not allowed (RFC 2131 §4.1) */
};

/* Walk one area. Without fill (pass 1): validate, record first appearance
 * and add up lengths. With fill (pass 2): copy each instance after the
 * previous ones of its code. */
static int walk_area(struct pkt4 *p, const uint8_t *buf, const struct area *a,
                     uint16_t *fill)
{
    size_t i = a->off;

    while (i < a->end) {
        uint8_t code = buf[i];
        if (code == OPT_PAD) {
            i++;
            continue;
        }
        if (code == OPT_END)
            return PKT4_OK;
        if (a->end - i < 2)
            return PKT4_E_OPT_OVERRUN;       /* code without its length */
        size_t len = buf[i + 1];
        if (len > a->end - i - 2)
            return PKT4_E_OPT_OVERRUN;
        const uint8_t *val = buf + i + 2;

        if (fill == NULL) {
            /* RFC 2131 §4.1: 52 in file/sname would overload again. */
            if (code == OPT_OVERLOAD && a->overflow)
                return PKT4_E_OVERLOAD;
            if (!pkt4_has(p, code)) {
                mark_present(p, code);
                p->codes[p->n_codes++] = code;
                p->opt_len[code] = 0;
            }
            if (code == OPT_OVERLOAD && len >= 1)
                p->overload = val[0];
            p->opt_len[code] = (uint16_t)(p->opt_len[code] + len);
        } else {
            memcpy(p->data + p->opt_off[code] + fill[code], val, len);
            fill[code] = (uint16_t)(fill[code] + len);
        }
        i += 2 + len;
    }
    return a->need_end ? PKT4_E_NO_END : PKT4_OK;
}

static void parse_header(struct pkt4 *p, const uint8_t *buf)
{
    p->op = buf[OFF_OP];
    p->htype = buf[OFF_HTYPE];
    p->hlen = buf[OFF_HLEN];
    p->hops = buf[OFF_HOPS];
    p->xid = rd32(buf + OFF_XID);
    p->secs = rd16(buf + OFF_SECS);
    p->flags = rd16(buf + OFF_FLAGS);
    p->ciaddr = rd32(buf + OFF_CIADDR);
    p->yiaddr = rd32(buf + OFF_YIADDR);
    p->siaddr = rd32(buf + OFF_SIADDR);
    p->giaddr = rd32(buf + OFF_GIADDR);
    memcpy(p->chaddr, buf + OFF_CHADDR, sizeof(p->chaddr));
    memcpy(p->sname, buf + OFF_SNAME, sizeof(p->sname));
    memcpy(p->file, buf + OFF_FILE, sizeof(p->file));
}

/* Options whose length RFC 2132 fixes; a wrong length means a broken or
 * hostile client, and reading them as-is would misread the value. */
static int check_fixed_lengths(const struct pkt4 *p)
{
    static const struct { uint8_t code, len; } fixed[] = {
        { OPT_SUBNET_MASK, 4 },        /* RFC 2132 §3.3 */
        { OPT_REQUESTED_ADDRESS, 4 },  /* §9.1 */
        { OPT_LEASE_TIME, 4 },         /* §9.2 */
        { OPT_MESSAGE_TYPE, 1 },       /* §9.6 */
        { OPT_SERVER_ID, 4 },          /* §9.7 */
        { OPT_MAX_MESSAGE_SIZE, 2 },   /* §9.10 */
        { OPT_RENEWAL_TIME, 4 },       /* §9.11 */
        { OPT_REBINDING_TIME, 4 },     /* §9.12 */
        { OPT_SUBNET_SELECTION, 4 },   /* RFC 3011 §3 */
    };

    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
        if (pkt4_has(p, fixed[i].code) && p->opt_len[fixed[i].code] != fixed[i].len)
            return PKT4_E_BAD_OPT_LEN;
    /* RFC 2132 §9.14: type octet plus at least one octet of identifier. */
    if (pkt4_has(p, OPT_CLIENT_ID) && p->opt_len[OPT_CLIENT_ID] < 2)
        return PKT4_E_CLIENT_ID;
    return PKT4_OK;
}

int pkt4_parse(struct pkt4 *p, const uint8_t *buf, size_t len)
{
    struct area areas[3];
    size_t n_areas = 0;
    uint16_t fill[256];
    int rc;

    if (len < PKT4_MIN_LEN)
        return PKT4_E_TRUNCATED;
    if (len > PKT4_MAX_LEN)
        return PKT4_E_TOO_LONG;
    if (rd32(buf + OFF_COOKIE) != PKT4_MAGIC_COOKIE)
        return PKT4_E_COOKIE;
    if (buf[OFF_OP] != BOOTREQUEST && buf[OFF_OP] != BOOTREPLY)
        return PKT4_E_BAD_OP;
    if (buf[OFF_HLEN] > sizeof(p->chaddr))
        return PKT4_E_HLEN;

    /* Only the small index is reset; data[] is written before it is read. */
    parse_header(p, buf);
    p->wire_len = (uint16_t)len;
    p->overload = 0;
    p->msg_type = 0;
    p->n_codes = 0;
    p->data_len = 0;
    memset(p->present, 0, sizeof(p->present));

    areas[n_areas++] = (struct area){ OFF_OPTIONS, len, true, false };
    rc = walk_area(p, buf, &areas[0], NULL);
    if (rc != PKT4_OK)
        return rc;

    if (pkt4_has(p, OPT_OVERLOAD)) {
        /* RFC 2132 §9.3: one octet, 1 (file), 2 (sname) or 3 (both). */
        if (p->opt_len[OPT_OVERLOAD] != 1 || p->overload < OVERLOAD_FILE ||
            p->overload > OVERLOAD_BOTH)
            return PKT4_E_OVERLOAD;
        /* RFC 3396 §7 / RFC 2131 §4.1: file before sname. */
        if (p->overload & OVERLOAD_FILE)
            areas[n_areas++] = (struct area){ OFF_FILE, OFF_COOKIE, false, true };
        if (p->overload & OVERLOAD_SNAME)
            areas[n_areas++] = (struct area){ OFF_SNAME, OFF_FILE, false, true };
        for (size_t i = 1; i < n_areas; i++) {
            rc = walk_area(p, buf, &areas[i], NULL);
            if (rc != PKT4_OK)
                return rc;
        }
    }

    /* Lay the merged values out in order of first appearance. The values
     * come from at most len - 240 bytes, so they always fit in data[]. */
    size_t off = 0;
    for (size_t i = 0; i < p->n_codes; i++) {
        uint8_t code = p->codes[i];
        p->opt_off[code] = (uint16_t)off;
        fill[code] = 0;
        off += p->opt_len[code];
    }
    p->data_len = (uint16_t)off;
    for (size_t i = 0; i < n_areas; i++)
        (void)walk_area(p, buf, &areas[i], fill); /* validated above */

    rc = check_fixed_lengths(p);
    if (rc != PKT4_OK)
        return rc;
    if (pkt4_has(p, OPT_MESSAGE_TYPE))
        p->msg_type = p->data[p->opt_off[OPT_MESSAGE_TYPE]];
    return PKT4_OK;
}

const uint8_t *pkt4_opt(const struct pkt4 *p, uint8_t code, size_t *len)
{
    if (!pkt4_has(p, code)) {
        *len = 0;
        return NULL;
    }
    *len = p->opt_len[code];
    return p->data + p->opt_off[code];
}

/* Sub-options follow option-field rules (RFC 3046 §2.0 reuses the TLV form;
 * PAD and END are honoured as Kea's unpacker does). The whole buffer must
 * be well formed, otherwise nothing in it is trusted. */
const uint8_t *tlv_find(const uint8_t *buf, size_t len, uint8_t code, size_t *out_len)
{
    const uint8_t *found = NULL;
    size_t found_len = 0, i = 0;

    *out_len = 0;
    if (buf == NULL || code == OPT_PAD || code == OPT_END)
        return NULL;
    while (i < len) {
        uint8_t c = buf[i];
        if (c == OPT_PAD) {
            i++;
            continue;
        }
        if (c == OPT_END)
            break;
        if (len - i < 2 || buf[i + 1] > len - i - 2)
            return NULL;
        if (c == code && found == NULL) {
            found = buf + i + 2;
            found_len = buf[i + 1];
        }
        i += 2 + (size_t)buf[i + 1];
    }
    if (found != NULL)
        *out_len = found_len;
    return found;
}

const uint8_t *pkt4_rai_sub(const struct pkt4 *p, uint8_t sub, size_t *len)
{
    size_t rai_len;
    const uint8_t *rai = pkt4_opt(p, OPT_RELAY_AGENT_INFO, &rai_len);

    if (rai == NULL) {
        *len = 0;
        return NULL;
    }
    return tlv_find(rai, rai_len, sub, len);
}
