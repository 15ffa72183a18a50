/*
 * DHCPv4 packet builder: the one place that writes a datagram.
 *
 * Options are staged in the order they should appear; pkt4_out_finish()
 * lays them out: the options field first, then, when they do not fit and
 * the fields are free, file and sname through option 52 (RFC 2131 §4.1,
 * RFC 2132 §9.3); values longer than 255 bytes go out as consecutive
 * instances (RFC 3396 §6); the reply is padded to the BOOTP minimum of 300
 * bytes (RFC 1542 §3.1.1).
 */
#include "wire/pkt4.h"

#include <stddef.h>
#include <string.h>

/* RFC 2132 §9.10 and RFC 2131 §2: option 57 and the 576-byte default count
 * the whole IP datagram, so the DHCP message gets that minus IPv4 and UDP
 * headers (576 -> 548, the classic 312-byte options field). */
#define IP_UDP_HDR_LEN 28

enum { AREA_OPTIONS = 0, AREA_FILE = 1, AREA_SNAME = 2, AREA_NONE = 0xff };

void pkt4_out_init(struct pkt4_out *o, uint8_t op)
{
    /* stage[] and buf[] are written before they are read; zeroing their
     * 16 KiB for every reply would be wasted work. */
    memset(o, 0, offsetof(struct pkt4_out, stage));
    o->op = op;
    o->len = 0;
}

void pkt4_out_reply(struct pkt4_out *o, const struct pkt4 *req, uint8_t msg_type)
{
    pkt4_out_init(o, BOOTREPLY);
    /* RFC 2131 §4.3.1, table 3: fields the server copies from the request. */
    o->htype = req->htype;
    o->hlen = req->hlen;
    o->hops = req->hops;
    o->xid = req->xid;
    o->flags = req->flags;
    o->giaddr = req->giaddr;
    memcpy(o->chaddr, req->chaddr, sizeof(o->chaddr));
    (void)pkt4_out_put(o, OPT_MESSAGE_TYPE, &msg_type, 1);
}

int pkt4_out_put(struct pkt4_out *o, uint8_t code, const void *data, size_t len)
{
    if (code == OPT_PAD || code == OPT_END)
        return -1;
    if (o->n_opts >= PKT4_OUT_MAX_OPTS)
        return -1;
    if (len > sizeof(o->stage) - o->stage_len || (len > 0 && data == NULL))
        return -1;
    if (len > 0)
        memcpy(o->stage + o->stage_len, data, len);
    o->opt_code[o->n_opts] = code;
    o->opt_off[o->n_opts] = o->stage_len;
    o->opt_len[o->n_opts] = (uint16_t)len;
    o->n_opts++;
    o->stage_len = (uint16_t)(o->stage_len + len);
    o->present[code >> 3] |= (uint8_t)(1u << (code & 7));
    return 0;
}

int pkt4_out_drop(struct pkt4_out *o, uint8_t code)
{
    uint16_t keep = 0;
    int removed = 0;

    for (uint16_t i = 0; i < o->n_opts; i++) {
        if (o->opt_code[i] == code) {
            removed++;
            continue;
        }
        o->opt_code[keep] = o->opt_code[i];
        o->opt_off[keep] = o->opt_off[i];
        o->opt_len[keep] = o->opt_len[i];
        keep++;
    }
    o->n_opts = keep;
    o->present[code >> 3] &= (uint8_t)~(1u << (code & 7));
    return removed;
}

/* Bytes an option takes on the wire once split into <=255-byte instances. */
static size_t wire_size(size_t len)
{
    size_t instances = len == 0 ? 1 : (len + 254) / 255;
    return 2 * instances + len;
}

/* First fit in staging order over the given areas, so an earlier option
 * never loses its place to a later one. Instances of one code must stay in
 * staging order after the receiver concatenates options, file, sname
 * (RFC 3396 §7), so a code never goes to an area before one it already
 * used. Returns the number of options that fit nowhere. */
static int plan(const struct pkt4_out *o, const uint8_t *area_ids,
                const size_t *cap, size_t n_areas, uint8_t *where, size_t *used)
{
    size_t min_area[256];
    int dropped = 0;

    memset(min_area, 0, sizeof(min_area));
    for (size_t a = 0; a < n_areas; a++)
        used[a] = 0;
    for (size_t i = 0; i < o->n_opts; i++) {
        uint8_t code = o->opt_code[i];
        size_t need = wire_size(o->opt_len[i]);
        size_t a = min_area[code];

        while (a < n_areas && need > cap[a] - used[a])
            a++;
        if (a == n_areas) {
            where[i] = AREA_NONE;
            dropped++;
            continue;
        }
        where[i] = area_ids[a];
        used[a] += need;
        min_area[code] = a;
    }
    return dropped;
}

static size_t emit(const struct pkt4_out *o, size_t i, uint8_t *dst)
{
    const uint8_t *val = o->stage + o->opt_off[i];
    size_t left = o->opt_len[i], n = 0;

    do {
        size_t chunk = left > 255 ? 255 : left;
        dst[n++] = o->opt_code[i];
        dst[n++] = (uint8_t)chunk;
        memcpy(dst + n, val, chunk);
        n += chunk;
        val += chunk;
        left -= chunk;
    } while (left > 0);
    return n;
}

/* Write the staged options assigned to area into dst, then END. */
static size_t fill_area(const struct pkt4_out *o, const uint8_t *where,
                        uint8_t area, uint8_t *dst)
{
    size_t n = 0;
    for (size_t i = 0; i < o->n_opts; i++)
        if (where[i] == area)
            n += emit(o, i, dst + n);
    return n;
}

static void wr16(uint8_t *b, uint16_t v)
{
    b[0] = (uint8_t)(v >> 8);
    b[1] = (uint8_t)v;
}

static void wr32(uint8_t *b, uint32_t v)
{
    b[0] = (uint8_t)(v >> 24);
    b[1] = (uint8_t)(v >> 16);
    b[2] = (uint8_t)(v >> 8);
    b[3] = (uint8_t)v;
}

static void write_header(struct pkt4_out *o)
{
    uint8_t *b = o->buf;

    memset(b, 0, PKT4_MIN_LEN);
    b[0] = o->op;
    b[1] = o->htype;
    b[2] = o->hlen;
    b[3] = o->hops;
    wr32(b + 4, o->xid);
    wr16(b + 8, o->secs);
    wr16(b + 10, o->flags);
    wr32(b + 12, o->ciaddr);
    wr32(b + 16, o->yiaddr);
    wr32(b + 20, o->siaddr);
    wr32(b + 24, o->giaddr);
    memcpy(b + 28, o->chaddr, sizeof(o->chaddr));
    memcpy(b + 44, o->sname, strnlen(o->sname, sizeof(o->sname)));
    memcpy(b + 108, o->file, strnlen(o->file, sizeof(o->file)));
    wr32(b + 236, PKT4_MAGIC_COOKIE);
}

int pkt4_out_finish(struct pkt4_out *o, size_t max_len)
{
    uint8_t where_a[PKT4_OUT_MAX_OPTS], where_b[PKT4_OUT_MAX_OPTS];
    uint8_t ids[3];
    size_t cap[3], used[3];
    size_t n_areas = 0;
    int dropped;

    o->len = 0;
    if (o->n_opts > PKT4_OUT_MAX_OPTS || o->stage_len > sizeof(o->stage))
        return -1;
    for (size_t i = 0; i < o->n_opts; i++)
        if ((size_t)o->opt_off[i] + o->opt_len[i] > o->stage_len)
            return -1;

    /* RFC 2132 §9.10: 576 is the smallest legal maximum. */
    if (max_len < PKT4_DEFAULT_MAX)
        max_len = PKT4_DEFAULT_MAX;
    size_t msg_max = max_len - IP_UDP_HDR_LEN;
    if (msg_max > PKT4_MAX_LEN)
        msg_max = PKT4_MAX_LEN;
    size_t opt_room = msg_max - PKT4_MIN_LEN;  /* options field incl. END */

    /* Plan A: everything in the options field. */
    ids[0] = AREA_OPTIONS;
    cap[0] = opt_room - 1;
    dropped = plan(o, ids, cap, 1, where_a, used);
    const uint8_t *where = where_a;
    uint8_t overload = 0;

    /* Plan B: overload into the free fixed fields, file first (RFC 3396
     * §7 order), with room kept for option 52 itself (3 bytes). */
    bool file_free = o->file[0] == '\0';
    bool sname_free = o->sname[0] == '\0';
    if (dropped > 0 && (file_free || sname_free)) {
        ids[n_areas] = AREA_OPTIONS;
        cap[n_areas++] = opt_room - 1 - 3;
        if (file_free) {
            ids[n_areas] = AREA_FILE;
            cap[n_areas++] = sizeof(o->file) - 1;
        }
        if (sname_free) {
            ids[n_areas] = AREA_SNAME;
            cap[n_areas++] = sizeof(o->sname) - 1;
        }
        int dropped_b = plan(o, ids, cap, n_areas, where_b, used);
        if (dropped_b < dropped) {
            dropped = dropped_b;
            where = where_b;
            for (size_t a = 1; a < n_areas; a++)
                if (used[a] > 0)
                    overload |= ids[a] == AREA_FILE ? OVERLOAD_FILE : OVERLOAD_SNAME;
        }
    }

    write_header(o);
    size_t pos = PKT4_MIN_LEN;
    pos += fill_area(o, where, AREA_OPTIONS, o->buf + pos);
    if (overload) {
        o->buf[pos++] = OPT_OVERLOAD;
        o->buf[pos++] = 1;
        o->buf[pos++] = overload;
    }
    o->buf[pos++] = OPT_END;

    /* An overloaded field holds options only; its text was empty anyway. */
    if (overload & OVERLOAD_FILE) {
        size_t n = fill_area(o, where, AREA_FILE, o->buf + 108);
        o->buf[108 + n] = OPT_END;
    }
    if (overload & OVERLOAD_SNAME) {
        size_t n = fill_area(o, where, AREA_SNAME, o->buf + 44);
        o->buf[44 + n] = OPT_END;
    }

    if (pos < PKT4_BOOTP_MIN_LEN) {
        memset(o->buf + pos, 0, PKT4_BOOTP_MIN_LEN - pos);
        pos = PKT4_BOOTP_MIN_LEN;
    }
    o->len = pos;
    return dropped;
}
