/*
 * The expression evaluator: walks a tree built by expr_parse.c over one
 * packet. Values are byte strings that point into the packet or into a
 * fixed scratch buffer on the caller's stack; nothing is allocated. A missing
 * option or field is the empty string (ARM §16.3); a failed conversion makes
 * the whole evaluation false, as an exception does in Kea.
 */
#include "classify/expr_int.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "wire/option_defs.h"

struct val {
    const uint8_t *p;
    uint32_t n;
};

struct ev {
    const struct expr_input *in;
    uint8_t  buf[EXPR_EVAL_SCRATCH];
    size_t   used;
    bool     error;
};

static const struct val empty = { (const uint8_t *)"", 0 };

static uint8_t *scratch(struct ev *ev, size_t n)
{
    if (n > sizeof(ev->buf) - ev->used) {
        ev->error = true;
        return NULL;
    }
    uint8_t *p = ev->buf + ev->used;
    ev->used += n;
    return p;
}

static struct val copy_val(struct ev *ev, const void *p, size_t n)
{
    uint8_t *d = scratch(ev, n);
    if (!d)
        return empty;
    memcpy(d, p, n);
    return (struct val){ d, (uint32_t)n };
}

static struct val u32_val(struct ev *ev, uint32_t v)
{
    uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
    return copy_val(ev, b, 4);
}

static struct val text_val(struct ev *ev, const char *s)
{
    return copy_val(ev, s, strlen(s));
}

static uint32_t be(const uint8_t *p, size_t n)
{
    uint32_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

static struct val opt_val(const struct pkt4 *pkt, int code)
{
    size_t len;
    const uint8_t *v = pkt4_opt(pkt, (uint8_t)code, &len);
    return v ? (struct val){ v, (uint32_t)len } : empty;
}

/* Option code, or its sub-option sub (TLV encapsulation: 82, 43, ...).
 * *found says whether it is present (an empty option exists). */
static struct val option_sub(const struct pkt4 *pkt, int code, int sub, bool *found)
{
    *found = pkt4_has(pkt, (uint8_t)code);
    if (!*found)
        return empty;
    struct val o = opt_val(pkt, code);
    if (sub < 0)
        return o;
    size_t len;
    const uint8_t *v = tlv_find(o.p, o.n, (uint8_t)sub, &len);
    *found = v != NULL;
    return v ? (struct val){ v, (uint32_t)len } : empty;
}

/* RFC 3925 option 124/125: blocks of enterprise-id (4), data-len (1), data.
 * The data of the first block of enterprise ent (0 = any). */
static bool vendor_block(const struct pkt4 *pkt, uint8_t code, uint32_t ent, struct val *data,
                         uint32_t *found_ent)
{
    struct val o = opt_val(pkt, code);
    size_t i = 0;
    while (i + 5 <= o.n) {
        uint32_t e = be(o.p + i, 4);
        size_t dl = o.p[i + 4];
        if (i + 5 + dl > o.n)
            return false;
        if (!ent || e == ent) {
            *data = (struct val){ o.p + i + 5, (uint32_t)dl };
            *found_ent = e;
            return true;
        }
        i += 5 + dl;
    }
    return false;
}

/* Data chunk idx of a vendor-class block: length-prefixed opaque strings. */
static struct val vclass_chunk(struct val d, int idx)
{
    size_t i = 0;
    for (int k = 0; i < d.n; k++) {
        size_t l = d.p[i];
        if (i + 1 + l > d.n)
            break;
        if (k == idx)
            return (struct val){ d.p + i + 1, (uint32_t)l };
        i += 1 + l;
    }
    return empty;
}

static struct val eval_str(struct ev *ev, const struct expr *e);
static bool eval_bool(struct ev *ev, const struct expr *e);

/* Kea's TokenSubstring: negative start counts from the end, negative length
 * takes bytes before start. */
static struct val substring(struct val s, int32_t start, int32_t len, bool all)
{
    int64_t n = s.n, st = start, ln = all ? n : len;
    if (st < -n || st >= n)
        return empty;
    if (st < 0)
        st += n;
    if (ln < 0) {
        ln = -ln;
        if (ln <= st) {
            st -= ln;
        } else {
            ln = st;
            st = 0;
        }
    }
    if (ln > n - st)
        ln = n - st;
    return (struct val){ s.p + st, (uint32_t)ln };
}

/* Field `field` (1-based) of s split at any byte of delims (ARM §16.3.5). */
static struct val split(struct val s, struct val delims, int32_t field)
{
    if (!s.n)
        return empty;
    if (!delims.n)
        return s;
    if (field < 1)
        return empty;
    uint32_t begin = 0;
    int32_t k = 1;
    for (uint32_t i = 0; i <= s.n; i++) {
        if (i < s.n && !memchr(delims.p, s.p[i], delims.n))
            continue;
        if (k == field)
            return (struct val){ s.p + begin, i - begin };
        k++;
        begin = i + 1;
    }
    return empty;
}

static struct val hexstring(struct ev *ev, struct val v, struct val sep)
{
    static const char digits[] = "0123456789abcdef";
    size_t n = v.n ? v.n * 2 + (v.n - 1) * (size_t)sep.n : 0;
    uint8_t *d = scratch(ev, n);
    if (!d)
        return empty;
    uint8_t *q = d;
    for (uint32_t i = 0; i < v.n; i++) {
        if (i) {
            memcpy(q, sep.p, sep.n);
            q += sep.n;
        }
        *q++ = (uint8_t)digits[v.p[i] >> 4];
        *q++ = (uint8_t)digits[v.p[i] & 15];
    }
    return (struct val){ d, (uint32_t)n };
}

static struct val change_case(struct ev *ev, struct val v, bool upper)
{
    uint8_t *d = scratch(ev, v.n);
    if (!d)
        return empty;
    for (uint32_t i = 0; i < v.n; i++) {
        uint8_t c = v.p[i];
        if (upper && c >= 'a' && c <= 'z')
            c = (uint8_t)(c - 32);
        else if (!upper && c >= 'A' && c <= 'Z')
            c = (uint8_t)(c + 32);
        d[i] = c;
    }
    return (struct val){ d, v.n };
}

static struct val addrtotext(struct ev *ev, struct val v)
{
    char t[INET6_ADDRSTRLEN];
    if (!v.n)
        return empty;
    if ((v.n != 4 && v.n != 16) || !inet_ntop(v.n == 4 ? AF_INET : AF_INET6, v.p, t, sizeof(t))) {
        ev->error = true;
        return empty;
    }
    return text_val(ev, t);
}

/* intNtotext / uintNtotext: exactly `bytes` bytes in network order. */
static struct val inttotext(struct ev *ev, struct val v, unsigned bytes, bool is_signed)
{
    char t[16];
    if (!v.n)
        return empty;
    if (v.n != bytes) {
        ev->error = true;
        return empty;
    }
    uint32_t u = be(v.p, bytes);
    if (!is_signed) {
        snprintf(t, sizeof(t), "%u", u);
    } else {
        long long s = bytes == 1 ? (int8_t)u : bytes == 2 ? (int16_t)u : (int32_t)u;
        snprintf(t, sizeof(t), "%lld", s);
    }
    return text_val(ev, t);
}

/* option[code].text: the value as Kea's definition would print it for the
 * simple types; strings and everything else as the raw bytes. */
static struct val option_text(struct ev *ev, const struct expr *e)
{
    bool found;
    struct val v = option_sub(ev->in->pkt, e->code, -1, &found);
    switch (e->fmt) {
    case OT_IPV4:
        return v.n == 4 ? addrtotext(ev, v) : v;
    case OT_UINT8: case OT_UINT16: case OT_UINT32:
    case OT_INT8: case OT_INT16: case OT_INT32: {
        unsigned w = e->fmt == OT_UINT8 || e->fmt == OT_INT8 ? 1 : e->fmt == OT_UINT16 || e->fmt == OT_INT16 ? 2 : 4;
        if (v.n != w)
            return v;
        return inttotext(ev, v, w, e->fmt == OT_INT8 || e->fmt == OT_INT16 || e->fmt == OT_INT32);
    }
    case OT_BOOLEAN:
        return v.n == 1 ? text_val(ev, v.p[0] ? "true" : "false") : v;
    default:
        return v;
    }
}

static struct val concat(struct ev *ev, struct val a, struct val b)
{
    uint8_t *d = scratch(ev, (size_t)a.n + b.n);
    if (!d)
        return empty;
    memcpy(d, a.p, a.n);
    memcpy(d + a.n, b.p, b.n);
    return (struct val){ d, a.n + b.n };
}

static struct val pkt_field(struct ev *ev, const struct expr *e)
{
    const struct expr_input *in = ev->in;
    const struct pkt4 *p = in->pkt;
    switch (e->op) {
    case EO_PKT4_MAC: return (struct val){ p->chaddr, p->hlen > 16 ? 16 : p->hlen };
    case EO_PKT4_HLEN: return u32_val(ev, p->hlen);
    case EO_PKT4_HTYPE: return u32_val(ev, p->htype);
    case EO_PKT4_CIADDR: return u32_val(ev, p->ciaddr);
    case EO_PKT4_GIADDR: return u32_val(ev, p->giaddr);
    case EO_PKT4_YIADDR: return u32_val(ev, p->yiaddr);
    case EO_PKT4_SIADDR: return u32_val(ev, p->siaddr);
    case EO_PKT4_MSGTYPE: return u32_val(ev, p->msg_type);
    case EO_PKT4_TRANSID: return u32_val(ev, p->xid);
    case EO_PKT_IFACE: return in->iface ? text_val(ev, in->iface) : empty;
    case EO_PKT_SRC: return u32_val(ev, in->src);
    case EO_PKT_DST: return u32_val(ev, in->dst);
    case EO_PKT_LEN: return u32_val(ev, in->len);
    default: return empty;
    }
}

static struct val eval_str(struct ev *ev, const struct expr *e)
{
    const struct pkt4 *pkt = ev->in->pkt;
    bool found;
    struct val d;
    uint32_t ent;
    switch (e->op) {
    case EO_LITERAL:
        return (struct val){ e->lit, e->lit_len };
    case EO_OPTION_HEX:
    case EO_RELAY4_HEX:
        return option_sub(pkt, e->code, e->sub, &found);
    case EO_OPTION_TEXT:
        return option_text(ev, e);
    case EO_VENDOR_ENTERPRISE:
    case EO_VCLASS_ENTERPRISE:
        if (!vendor_block(pkt, e->op == EO_VENDOR_ENTERPRISE ? 125 : 124, 0, &d, &ent))
            return empty;
        return u32_val(ev, ent);
    case EO_VENDOR_OPTION_HEX: {
        size_t len;
        if (!vendor_block(pkt, 125, e->ent, &d, &ent))
            return empty;
        const uint8_t *v = tlv_find(d.p, d.n, (uint8_t)e->sub, &len);
        return v ? (struct val){ v, (uint32_t)len } : empty;
    }
    case EO_VCLASS_DATA:
        if (!vendor_block(pkt, 124, e->ent, &d, &ent))
            return empty;
        return vclass_chunk(d, e->index);
    case EO_SUBSTRING:
        return substring(eval_str(ev, e->a), e->start, e->len, e->len_all);
    case EO_CONCAT: {
        struct val a = eval_str(ev, e->a);
        return concat(ev, a, eval_str(ev, e->b));
    }
    case EO_HEXSTRING: {
        struct val a = eval_str(ev, e->a);
        return hexstring(ev, a, eval_str(ev, e->b));
    }
    case EO_IFELSE:
        return eval_bool(ev, e->a) ? eval_str(ev, e->b) : eval_str(ev, e->c);
    case EO_SPLIT: {
        struct val a = eval_str(ev, e->a);
        return split(a, eval_str(ev, e->b), e->index);
    }
    case EO_LCASE:
    case EO_UCASE:
        return change_case(ev, eval_str(ev, e->a), e->op == EO_UCASE);
    case EO_ADDRTOTEXT:
        return addrtotext(ev, eval_str(ev, e->a));
    case EO_INT8TOTEXT: return inttotext(ev, eval_str(ev, e->a), 1, true);
    case EO_INT16TOTEXT: return inttotext(ev, eval_str(ev, e->a), 2, true);
    case EO_INT32TOTEXT: return inttotext(ev, eval_str(ev, e->a), 4, true);
    case EO_UINT8TOTEXT: return inttotext(ev, eval_str(ev, e->a), 1, false);
    case EO_UINT16TOTEXT: return inttotext(ev, eval_str(ev, e->a), 2, false);
    case EO_UINT32TOTEXT: return inttotext(ev, eval_str(ev, e->a), 4, false);
    default:
        return pkt_field(ev, e);
    }
}

static bool regex_match(struct ev *ev, const regex_t *re, struct val v)
{
    /* regexec wants a NUL-terminated string; a value with a NUL inside
     * cannot match a text pattern as a whole. */
    if (memchr(v.p, 0, v.n))
        return false;
    size_t mark = ev->used;
    uint8_t *s = scratch(ev, (size_t)v.n + 1);
    if (!s)
        return false;
    memcpy(s, v.p, v.n);
    s[v.n] = 0;
    bool ok = regexec(re, (const char *)s, 0, NULL, 0) == 0;
    ev->used = mark;
    return ok;
}

static bool eval_bool(struct ev *ev, const struct expr *e)
{
    const struct pkt4 *pkt = ev->in->pkt;
    bool found;
    struct val d;
    uint32_t ent;
    switch (e->op) {
    case EO_EQUAL: {
        size_t mark = ev->used;
        struct val a = eval_str(ev, e->a), b = eval_str(ev, e->b);
        bool eq = a.n == b.n && !memcmp(a.p, b.p, a.n);
        ev->used = mark;
        return eq;
    }
    case EO_MATCH: {
        size_t mark = ev->used;
        bool m = regex_match(ev, e->re, eval_str(ev, e->a));
        ev->used = mark;
        return m;
    }
    case EO_NOT:
        return !eval_bool(ev, e->a);
    case EO_AND:
        return eval_bool(ev, e->a) && eval_bool(ev, e->b);
    case EO_OR:
        return eval_bool(ev, e->a) || eval_bool(ev, e->b);
    case EO_OPTION_EXISTS:
    case EO_RELAY4_EXISTS:
        option_sub(pkt, e->code, e->sub, &found);
        return found;
    case EO_VENDOR_EXISTS:
        return vendor_block(pkt, 125, e->ent, &d, &ent);
    case EO_VCLASS_EXISTS:
        return vendor_block(pkt, 124, e->ent, &d, &ent);
    case EO_VENDOR_OPTION_EXISTS: {
        size_t len;
        return vendor_block(pkt, 125, e->ent, &d, &ent) && tlv_find(d.p, d.n, (uint8_t)e->sub, &len);
    }
    case EO_MEMBER: {
        size_t w = (size_t)e->index / 64;
        return ev->in->classes && w < ev->in->n_class_words &&
               ((ev->in->classes[w] >> (e->index % 64)) & 1);
    }
    default:
        return false;
    }
}

bool expr_eval_bool(const struct expr *e, const struct expr_input *in)
{
    struct ev ev;
    if (!e || !in || !in->pkt || e->type != ET_BOOL)
        return false;
    ev.in = in;
    ev.used = 0;
    ev.error = false;
    bool r = eval_bool(&ev, e);
    return r && !ev.error;
}

int expr_eval_string(const struct expr *e, const struct expr_input *in, uint8_t *buf, size_t cap)
{
    struct ev ev;
    if (!e || !in || !in->pkt || e->type != ET_STRING)
        return -1;
    ev.in = in;
    ev.used = 0;
    ev.error = false;
    struct val v = eval_str(&ev, e);
    if (ev.error || v.n > cap)
        return -1;
    memcpy(buf, v.p, v.n);
    return (int)v.n;
}
