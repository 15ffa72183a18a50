/*
 * option-data text -> option payload bytes, following Kea's rules
 * (ARM §9.2.10 "List of standard DHCP option types", §9.2.12 custom options):
 * csv-format true text is split on commas ("\," is a literal comma), each
 * value is trimmed and encoded by its type; csv-format false text is hex.
 *
 * Runs at configuration time only, so clarity beats speed here; the one
 * allocation is a scratch copy of the text that tokenising edits in place.
 */
#include "wire/option_defs.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Output cursor plus error sink for one encode call. */
struct enc {
    uint8_t *out;
    size_t   cap;
    size_t   len;
    char    *err;
    size_t   errlen;
};

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static int fail(struct enc *e, const char *fmt, ...)
{
    if (e->err != NULL && e->errlen > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->err, e->errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* Quote a value in an error without letting a long one crowd out the
 * reason: "'%.*s%s'" with QV(v) prints at most QMAX chars and "...". */
#define QMAX 60
#define QV(v) (int)(strlen(v) > QMAX ? QMAX : strlen(v)), (v), (strlen(v) > QMAX ? "..." : "")

static int put(struct enc *e, const void *p, size_t n)
{
    if (n > e->cap - e->len)
        return fail(e, "option data is longer than %zu bytes", e->cap);
    if (n > 0)
        memcpy(e->out + e->len, p, n);
    e->len += n;
    return 0;
}

static int put_u8(struct enc *e, unsigned v)
{
    uint8_t b = (uint8_t)v;
    return put(e, &b, 1);
}

static int put_be(struct enc *e, uint32_t v, size_t n)
{
    uint8_t b[4];
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
    return put(e, b, n);
}

/* ---- text helpers ----------------------------------------------------- */

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* "\," -> "," in place. */
static void unescape_commas(char *s)
{
    char *w = s;
    for (const char *r = s; *r; ) {
        if (r[0] == '\\' && r[1] == ',') {
            *w++ = ',';
            r += 2;
        } else {
            *w++ = *r++;
        }
    }
    *w = '\0';
}

/* Comma tokenizer over a private copy of the text; each token is returned
 * trimmed with "\," unescaped. Writes only behind the read cursor, so the
 * unread remainder (rest) is still the original text. */
struct toks {
    char *rest;
    bool  done;
};

static char *tok_next(struct toks *t)
{
    if (t->done)
        return NULL;
    char *start = t->rest, *w = t->rest, *r = t->rest;
    for (;;) {
        if (r[0] == '\\' && r[1] == ',') {
            *w++ = ',';
            r += 2;
        } else if (*r == ',') {
            *w = '\0';
            t->rest = r + 1;
            break;
        } else if (*r == '\0') {
            *w = '\0';
            t->done = true;
            break;
        } else {
            *w++ = *r++;
        }
    }
    return trim(start);
}

static int hex_val(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* ---- scalar encoders -------------------------------------------------- */

/* Kea accepts decimal, 0x-prefixed hex, and plain hex such as "abcd" (ARM
 * §9.2.12 note); a string of decimal digits is always read as decimal. */
static int parse_int(const char *v, int64_t *out)
{
    const char *p = v;
    bool neg = false, hex = false;
    uint64_t acc = 0;

    if (*p == '-') {
        neg = true;
        p++;
    }
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        hex = true;
        p += 2;
    } else {
        for (const char *q = p; *q; q++)
            if (!isdigit((unsigned char)*q))
                hex = true;
    }
    if (*p == '\0')
        return -1;
    for (; *p; p++) {
        int d = hex ? hex_val(*p) : (isdigit((unsigned char)*p) ? *p - '0' : -1);
        if (d < 0)
            return -1;
        acc = acc * (hex ? 16 : 10) + (uint64_t)d;
        if (acc > 0xffffffffull + 1)   /* beyond any type we store */
            return -2;
    }
    *out = neg ? -(int64_t)acc : (int64_t)acc;
    return 0;
}

static int enc_int(struct enc *e, enum opt_type t, const char *v)
{
    int64_t lo, hi, x;
    size_t n;

    switch (t) {
    case OT_UINT8:  lo = 0; hi = UINT8_MAX; n = 1; break;
    case OT_UINT16: lo = 0; hi = UINT16_MAX; n = 2; break;
    case OT_UINT32: lo = 0; hi = UINT32_MAX; n = 4; break;
    case OT_INT8:   lo = INT8_MIN; hi = INT8_MAX; n = 1; break;
    case OT_INT16:  lo = INT16_MIN; hi = INT16_MAX; n = 2; break;
    default:        lo = INT32_MIN; hi = INT32_MAX; n = 4; break;
    }
    int rc = parse_int(v, &x);
    if (rc == -1)
        return fail(e, "'%.*s%s' is not a valid %s value", QV(v), opt_type_name(t));
    if (rc == -2 || x < lo || x > hi)
        return fail(e, "'%.*s%s' is out of range for %s (%lld..%lld)", QV(v),
                    opt_type_name(t), (long long)lo, (long long)hi);
    /* Two's complement for the signed types, big-endian on the wire. */
    return put_be(e, (uint32_t)x, n);
}

static int enc_bool(struct enc *e, const char *v)
{
    if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
        return put_u8(e, 1);
    if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
        return put_u8(e, 0);
    return fail(e, "'%.*s%s' is not a boolean (use true or false)", QV(v));
}

static int enc_ipv4(struct enc *e, const char *v)
{
    struct in_addr a;
    if (inet_pton(AF_INET, v, &a) != 1)
        return fail(e, "'%.*s%s' is not an IPv4 address", QV(v));
    return put(e, &a, 4);
}

static int enc_ipv6(struct enc *e, const char *v)
{
    struct in6_addr a;
    if (inet_pton(AF_INET6, v, &a) != 1)
        return fail(e, "'%.*s%s' is not an IPv6 address", QV(v));
    return put(e, &a, 16);
}

/* Decimal 0..max after a '/', nothing else. */
static int parse_len_after_slash(const char *s, unsigned max, unsigned *out)
{
    unsigned v = 0;
    if (*s == '\0' || strlen(s) > 3)
        return -1;
    for (; *s; s++) {
        if (!isdigit((unsigned char)*s))
            return -1;
        v = v * 10 + (unsigned)(*s - '0');
    }
    if (v > max)
        return -1;
    *out = v;
    return 0;
}

/* "2001:db8::/48": prefix length, then only the octets the length covers
 * (bits past the length zeroed), as Kea writes ipv6-prefix. */
static int enc_ipv6_prefix(struct enc *e, const char *v)
{
    char buf[INET6_ADDRSTRLEN + 8];
    struct in6_addr a;
    unsigned plen;

    const char *slash = strchr(v, '/');
    size_t alen = slash ? (size_t)(slash - v) : 0;
    if (slash == NULL || alen >= INET6_ADDRSTRLEN ||
        parse_len_after_slash(slash + 1, 128, &plen) < 0)
        return fail(e, "'%.*s%s' is not an IPv6 prefix (like 2001:db8::/48)", QV(v));
    memcpy(buf, v, alen);
    buf[alen] = '\0';
    if (inet_pton(AF_INET6, trim(buf), &a) != 1)
        return fail(e, "'%.*s%s' is not an IPv6 prefix (like 2001:db8::/48)", QV(v));
    size_t nbytes = (plen + 7) / 8;
    if (plen % 8)
        a.s6_addr[nbytes - 1] &= (uint8_t)(0xff << (8 - plen % 8));
    if (put_u8(e, plen) < 0)
        return -1;
    return put(e, a.s6_addr, nbytes);
}

/* "PSID/PSID-length" (RFC 7597 §5.1; ARM table 3): the length octet, then
 * the PSID left-aligned in 16 bits, so 3/4 is 04 30 00. */
static int enc_psid(struct enc *e, const char *v)
{
    char buf[32];
    int64_t psid;
    unsigned plen;
    const char *slash = strchr(v, '/');
    size_t n = slash ? (size_t)(slash - v) : 0;

    if (slash == NULL || n == 0 || n >= sizeof(buf))
        return fail(e, "'%.*s%s' is not a PSID (like 3/4)", QV(v));
    memcpy(buf, v, n);
    buf[n] = '\0';
    if (parse_int(trim(buf), &psid) < 0 || psid < 0 ||
        parse_len_after_slash(slash + 1, 16, &plen) < 0)
        return fail(e, "'%.*s%s' is not a PSID (like 3/4)", QV(v));
    if ((uint64_t)psid >= (1ull << plen))
        return fail(e, "PSID %lld in '%.*s%s' does not fit in %u bits",
                    (long long)psid, QV(v), plen);
    if (put_u8(e, plen) < 0)
        return -1;
    return put_be(e, plen == 0 ? 0 : (uint32_t)(psid << (16 - plen)), 2);
}

/* Domain name in RFC 1035 §3.1 wire form, uncompressed and absolute.
 * Returns the wire length in wire[256] or -1. */
static int fqdn_wire(const char *v, uint8_t wire[256])
{
    size_t n = strlen(v), w = 0;

    if (n == 0)
        return -1;
    if (strcmp(v, ".") == 0) {
        wire[0] = 0;
        return 1;
    }
    if (v[n - 1] == '.')
        n--;
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && v[j] != '.') {
            unsigned char c = (unsigned char)v[j];
            if (c <= ' ' || c >= 0x7f)
                return -1;
            j++;
        }
        size_t lab = j - i;
        if (lab == 0 || lab > 63 || w + 1 + lab + 1 > 255)
            return -1;
        wire[w++] = (uint8_t)lab;
        memcpy(wire + w, v + i, lab);
        w += lab;
        i = j + 1;
        if (j < n && i == n)
            return -1; /* "a..": the kept dot left an empty label */
    }
    wire[w++] = 0;
    return (int)w;
}

static int enc_fqdn(struct enc *e, const char *v)
{
    uint8_t wire[256];
    int n = fqdn_wire(v, wire);
    if (n < 0)
        return fail(e, "'%.*s%s' is not a valid domain name", QV(v));
    return put(e, wire, (size_t)n);
}

/* Hex for binary values and csv-format false: "ab:cd", "ab cd", "0xabcd",
 * "abcd" (odd digit counts get a leading zero, as Kea does), or 'text'. */
static int enc_hex(struct enc *e, const char *v)
{
    size_t n = strlen(v);

    if (n >= 2 && v[0] == '\'' && v[n - 1] == '\'')
        return put(e, v + 1, n - 2);

    bool colon = strchr(v, ':') != NULL;
    bool space = strpbrk(v, " \t") != NULL;
    if (colon && space)
        return fail(e, "'%.*s%s' is not valid hex data", QV(v));

    if (colon || space) {
        const char *p = v;
        for (;;) {
            int digits = 0, x = 0;
            while (*p && *p != ':' && *p != ' ' && *p != '\t') {
                int d = hex_val(*p++);
                if (d < 0 || ++digits > 2)
                    return fail(e, "'%.*s%s' is not valid hex data", QV(v));
                x = x << 4 | d;
            }
            if (digits == 0)
                return fail(e, "'%.*s%s' is not valid hex data", QV(v));
            if (put_u8(e, (unsigned)x) < 0)
                return -1;
            if (*p == '\0')
                return 0;
            if (space)
                while (*p == ' ' || *p == '\t')
                    p++;
            else
                p++;
        }
    }

    const char *p = v;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
        p += 2;
    size_t digits = strlen(p);
    if (p != v && digits == 0)
        return fail(e, "'%.*s%s' is not valid hex data", QV(v));
    for (size_t i = 0; i < digits; i++)
        if (hex_val(p[i]) < 0)
            return fail(e, "'%.*s%s' is not valid hex data", QV(v));
    if (digits % 2) {
        if (put_u8(e, (unsigned)hex_val(*p++)) < 0)
            return -1;
        digits--;
    }
    for (size_t i = 0; i < digits; i += 2)
        if (put_u8(e, (unsigned)(hex_val(p[i]) << 4 | hex_val(p[i + 1]))) < 0)
            return -1;
    return 0;
}

/* Tuple: length then text; 8-bit length in DHCPv4 except where the option
 * says otherwise (v4-sztp-redirect, RFC 8572 §8.2: 16-bit URI-length). */
static int enc_tuple(struct enc *e, const char *v, bool len16)
{
    size_t n = strlen(v);
    if (n > (len16 ? 0xffffu : 0xffu))
        return fail(e, "'%.*s%s' is too long for a tuple", QV(v));
    if (put_be(e, (uint32_t)n, len16 ? 2 : 1) < 0)
        return -1;
    return put(e, v, n);
}

static int enc_value(struct enc *e, enum opt_type t, const char *v, bool tuple16)
{
    switch (t) {
    case OT_BINARY:      return enc_hex(e, v);
    case OT_BOOLEAN:     return enc_bool(e, v);
    case OT_UINT8: case OT_UINT16: case OT_UINT32:
    case OT_INT8:  case OT_INT16:  case OT_INT32:
                         return enc_int(e, t, v);
    case OT_IPV4:        return enc_ipv4(e, v);
    case OT_IPV6:        return enc_ipv6(e, v);
    case OT_IPV6_PREFIX: return enc_ipv6_prefix(e, v);
    case OT_PSID:        return enc_psid(e, v);
    case OT_STRING:      return put(e, v, strlen(v));
    case OT_FQDN:        return enc_fqdn(e, v);
    case OT_TUPLE:       return enc_tuple(e, v, tuple16);
    default:
        return fail(e, "a value of type %s cannot be given here", opt_type_name(t));
    }
}

/* ---- option shapes ---------------------------------------------------- */

/* RFC 3442 §5 from Kea's text "10.229.0.128/25 - 10.229.0.1, ...": per route
 * the width, the significant octets of the destination, then the router. */
static int enc_classless_routes(struct enc *e, struct toks *t)
{
    char *r;
    unsigned routes = 0;

    while ((r = tok_next(t)) != NULL) {
        char orig[96];
        char *dash = strchr(r, '-');
        char *slash = strchr(r, '/');
        struct in_addr dst, gw;
        unsigned width;

        if (*r == '\0' && t->done)
            break; /* blank text, or one trailing comma */
        snprintf(orig, sizeof(orig), "%s", r); /* r is cut up below */
        if (dash == NULL || slash == NULL || slash > dash)
            return fail(e, "'%.*s%s' is not a route (like 10.0.0.0/8 - 192.0.2.1)", QV(orig));
        *dash = '\0';
        *slash = '\0';
        if (inet_pton(AF_INET, trim(r), &dst) != 1 ||
            parse_len_after_slash(trim(slash + 1), 32, &width) < 0 ||
            inet_pton(AF_INET, trim(dash + 1), &gw) != 1)
            return fail(e, "'%.*s%s' is not a route (like 10.0.0.0/8 - 192.0.2.1)", QV(orig));
        uint8_t *d = (uint8_t *)&dst;
        size_t sig = (width + 7) / 8;
        if (width % 8)
            d[sig - 1] &= (uint8_t)(0xff << (8 - width % 8));
        if (put_u8(e, width) < 0 || put(e, d, sig) < 0 || put(e, &gw, 4) < 0)
            return -1;
        routes++;
    }
    if (routes == 0)
        return fail(e, "classless-static-route needs at least one route");
    return 0;
}

static size_t record_nfields(const struct opt_def *def)
{
    size_t n = 0;
    while (n < OPT_DEF_MAX_FIELDS && def->fields[n] != OT_NONE)
        n++;
    return n;
}

static int enc_record(struct enc *e, const struct opt_def *def, struct toks *t,
                      bool tuple16)
{
    size_t nf = record_nfields(def);
    char *v;

    if (nf == 0)
        return fail(e, "option %s is a record without fields", def->name);
    for (size_t i = 0; i < nf; i++) {
        enum opt_type ft = def->fields[i];
        bool last = i + 1 == nf;

        /* A trailing string field takes the rest of the text, commas and
         * all: its value is free text (e.g. an SLP scope list). */
        if (last && !def->array && ft == OT_STRING && !t->done) {
            char *rest = trim(t->rest);
            unescape_commas(rest);
            t->done = true;
            return put(e, rest, strlen(rest));
        }
        v = tok_next(t);
        if (v == NULL) {
            /* Kea lets the final free-form field be omitted (slp-service-
             * scope's scope list is optional). */
            if (last && (ft == OT_STRING || ft == OT_BINARY))
                return 0;
            return fail(e, "option %s needs %zu values but got %zu", def->name, nf, i);
        }
        if (enc_value(e, ft, v, tuple16) < 0)
            return -1;
    }
    /* For arrays only the last field repeats (ARM §9.2.12). */
    while ((v = tok_next(t)) != NULL) {
        if (!def->array)
            return fail(e, "option %s takes %zu values; '%.*s%s' is one too many",
                        def->name, nf, QV(v));
        if (enc_value(e, def->fields[nf - 1], v, tuple16) < 0)
            return -1;
    }
    return 0;
}

static bool is_blank(const char *s)
{
    for (; *s; s++)
        if (!isspace((unsigned char)*s))
            return false;
    return true;
}

/* text is a scratch copy that tokenising cuts up; orig is the caller's
 * text, for error messages. */
static int encode(struct enc *e, const struct opt_def *def, char *text,
                  const char *orig)
{
    bool dhcp4 = strcmp(def->space, "dhcp4") == 0 || def->space[0] == '\0';
    bool tuple16 = dhcp4 && def->code == 143;
    struct toks t = { .rest = text, .done = false };

    switch (def->type) {
    case OT_EMPTY:
        if (!is_blank(text))
            return fail(e, "option %s is of type empty and takes no data, got '%.*s%s'",
                        def->name, QV(orig));
        return 0;
    case OT_INTERNAL:
        if (dhcp4 && def->code == 121)
            return enc_classless_routes(e, &t);
        return fail(e, "option %s is managed by the server and cannot be configured",
                    def->name);
    case OT_RECORD:
        return enc_record(e, def, &t, tuple16);
    case OT_NONE:
        return fail(e, "option %s has no type", def->name);
    default:
        break;
    }

    if (def->array) {
        if (def->type == OT_STRING || def->type == OT_BINARY)
            return fail(e, "option %s: an array of %s values is not supported",
                        def->name, opt_type_name(def->type));
        if (is_blank(text))
            return 0;
        char *v;
        while ((v = tok_next(&t)) != NULL)
            if (enc_value(e, def->type, v, tuple16) < 0)
                return -1;
        return 0;
    }

    /* A single string is the whole text: commas need no escaping unless
     * written "\," (kept for Kea compatibility). */
    if (def->type == OT_STRING) {
        char *s = trim(text);
        unescape_commas(s);
        if (*s == '\0')
            return fail(e, "option %s needs a non-empty string", def->name);
        return put(e, s, strlen(s));
    }
    if (def->type == OT_BINARY && is_blank(text))
        return 0;

    char *v = tok_next(&t);
    if (!t.done)
        return fail(e, "option %s takes one %s value, got '%.*s%s'", def->name,
                    opt_type_name(def->type), QV(orig));
    if (*v == '\0')
        return fail(e, "option %s needs a %s value", def->name, opt_type_name(def->type));

    /* RFC 2132 §3.17: domain-name carries the name as ASCII text even though
     * Kea 3.0 types it fqdn; validate it as a name, send the text. */
    if (dhcp4 && def->code == 15 && def->type == OT_FQDN) {
        uint8_t wire[256];
        size_t n = strlen(v);
        if (fqdn_wire(v, wire) < 0)
            return fail(e, "'%.*s%s' is not a valid domain name", QV(v));
        if (n > 1 && v[n - 1] == '.')
            n--;
        return put(e, v, n);
    }
    if (enc_value(e, def->type, v, tuple16) < 0)
        return -1;
    /* RFC 3925 §4: vivso carries enterprise-number then data-len; with no
     * sub-options configured the data is empty. */
    if (dhcp4 && def->code == 125 && def->type == OT_UINT32)
        return put_u8(e, 0);
    return 0;
}

int opt_encode_csv(const struct opt_def *def, const char *text,
                   uint8_t *out, size_t cap, size_t *len,
                   char *err, size_t errlen)
{
    struct enc e = { .out = out, .cap = cap, .len = 0, .err = err, .errlen = errlen };
    int rc;

    *len = 0;
    if (err != NULL && errlen > 0)
        err[0] = '\0';
    if (def == NULL)
        return fail(&e, "no option definition");
    char *copy = strdup(text ? text : "");
    if (copy == NULL)
        return fail(&e, "out of memory");
    rc = encode(&e, def, copy, text ? text : "");
    free(copy);
    if (rc == 0)
        *len = e.len;
    return rc;
}

int opt_encode_hex(const char *text, uint8_t *out, size_t cap, size_t *len,
                   char *err, size_t errlen)
{
    struct enc e = { .out = out, .cap = cap, .len = 0, .err = err, .errlen = errlen };
    int rc;

    *len = 0;
    if (err != NULL && errlen > 0)
        err[0] = '\0';
    char *copy = strdup(text ? text : "");
    if (copy == NULL)
        return fail(&e, "out of memory");
    char *v = trim(copy);
    rc = *v == '\0' ? 0 : enc_hex(&e, v);
    free(copy);
    if (rc == 0)
        *len = e.len;
    return rc;
}
