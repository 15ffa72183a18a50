/*
 * Kea lease4 CSV rows: header mapping, row parsing and formatting, and Kea's
 * "&#xHH" field escaping. See lease_csv.h for the format decisions.
 *
 * Everything here reads untrusted text (a lease file may have been edited by
 * hand or torn by a crash), so every field is length-checked and fully
 * consumed; a row that does not parse cleanly is rejected as a whole.
 * The parsers are hand-written (no sscanf/strtol) because loading a
 * million-row file has to take well under two seconds.
 */
#include "backends/memfile/lease_csv.h"

#include <string.h>

const char lease_csv_header[] = LEASE_CSV_HEADER;

const char *const lease_csv_col_name[LEASE_CSV_NCOLS] = {
    "address", "hwaddr", "client_id", "valid_lifetime", "expire", "subnet_id",
    "fqdn_fwd", "fqdn_rev", "hostname", "state", "user_context", "pool_id",
};

/* More columns than this in a header is not a lease file we understand. */
#define CSV_MAX_FIELDS 64

/* Columns that schema 1.0 already had; a file without them is invalid. */
#define CSV_REQUIRED_COLS (LEASE_CSV_HOSTNAME + 1)

static const char hexdig[] = "0123456789abcdef";

/* ---- small scanners ---------------------------------------------------- */

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decimal, digits only, must fit in max. */
static bool scan_u64(const char *s, size_t len, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;

    if (len == 0 || len > 20)
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned d = (unsigned char)s[i] - '0';
        if (d > 9)
            return false;
        if (v > (max - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

static bool scan_u32(const char *s, size_t len, uint32_t *out)
{
    uint64_t v;

    if (!scan_u64(s, len, UINT32_MAX, &v))
        return false;
    *out = (uint32_t)v;
    return true;
}

/* Dotted quad, 1-3 digits per octet, nothing else. */
static bool scan_ipv4(const char *s, size_t len, uint32_t *out)
{
    uint32_t addr = 0;
    size_t i = 0;

    for (int part = 0; part < 4; part++) {
        unsigned v = 0, nd = 0;
        while (i < len && s[i] >= '0' && s[i] <= '9' && nd < 3) {
            v = v * 10 + (unsigned)(s[i] - '0');
            i++;
            nd++;
        }
        if (nd == 0 || v > 255)
            return false;
        addr = (addr << 8) | v;
        if (part < 3) {
            if (i >= len || s[i] != '.')
                return false;
            i++;
        }
    }
    if (i != len)
        return false;
    *out = addr;
    return true;
}

/* Hex octets: "aa:bb:c" (1-2 digits per octet) or "aabbcc". Empty is a
 * zero-length value. Fails if more than max octets. */
static bool scan_hex(const char *s, size_t len, uint8_t *out, size_t max, size_t *outlen)
{
    size_t n = 0;

    if (len == 0) {
        *outlen = 0;
        return true;
    }
    if (memchr(s, ':', len) != NULL) {
        size_t i = 0;
        for (;;) {
            int hi = -1, lo;
            if (i >= len || (lo = hexval((unsigned char)s[i])) < 0)
                return false;
            i++;
            if (i < len && s[i] != ':') {
                hi = lo;
                if ((lo = hexval((unsigned char)s[i])) < 0)
                    return false;
                i++;
            }
            if (n >= max)
                return false;
            out[n++] = (uint8_t)((hi < 0 ? 0 : hi << 4) | lo);
            if (i == len)
                break;
            if (s[i] != ':')
                return false;
            i++;            /* a trailing ':' fails on the next octet */
        }
    } else {
        if (len % 2 != 0 || len / 2 > max)
            return false;
        for (size_t i = 0; i < len; i += 2) {
            int hi = hexval((unsigned char)s[i]), lo = hexval((unsigned char)s[i + 1]);
            if (hi < 0 || lo < 0)
                return false;
            out[n++] = (uint8_t)(hi << 4 | lo);
        }
    }
    *outlen = n;
    return true;
}

static bool scan_bool(const char *s, size_t len, bool *out)
{
    if (len == 1 && (s[0] == '0' || s[0] == '1')) {
        *out = s[0] == '1';
        return true;
    }
    /* Kea writes 0/1; accept the spelled-out form a hand edit may use. */
    if (len == 4 && memcmp(s, "true", 4) == 0) {
        *out = true;
        return true;
    }
    if (len == 5 && memcmp(s, "false", 5) == 0) {
        *out = false;
        return true;
    }
    return false;
}

/* ---- escaping ---------------------------------------------------------- */

static bool needs_escape(unsigned char c)
{
    return c < 0x20 || c >= 0x7f || c == ',' || c == '&';
}

size_t lease_csv_escape(const char *in, size_t len, char *out, size_t cap)
{
    size_t o = 0;

    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)in[i];
        if (needs_escape(c)) {
            if (o + 5 >= cap)
                return 0;
            out[o++] = '&';
            out[o++] = '#';
            out[o++] = 'x';
            out[o++] = hexdig[c >> 4];
            out[o++] = hexdig[c & 15];
        } else {
            if (o + 1 >= cap)
                return 0;
            out[o++] = (char)c;
        }
    }
    if (o >= cap)
        return 0;
    out[o] = '\0';
    return o;
}

long lease_csv_unescape(const char *in, size_t len, char *out, size_t cap)
{
    size_t o = 0;

    for (size_t i = 0; i < len;) {
        char c = in[i];
        if (c == '&' && i + 5 <= len && in[i + 1] == '#' && in[i + 2] == 'x') {
            int hi = hexval((unsigned char)in[i + 3]), lo = hexval((unsigned char)in[i + 4]);
            if (hi >= 0 && lo >= 0) {
                c = (char)(hi << 4 | lo);
                i += 5;
                goto put;
            }
        }
        i++;
put:
        if (o >= cap)
            return -1;
        out[o++] = c;
    }
    return (long)o;
}

/* ---- header ------------------------------------------------------------ */

int lease_csv_parse_header(const char *line, size_t len,
                           struct lease_csv_layout *lay, const char **why)
{
    size_t start = 0;
    unsigned nf = 0;

    if (len > 0 && line[len - 1] == '\r')
        len--;
    for (int c = 0; c < LEASE_CSV_NCOLS; c++)
        lay->pos[c] = -1;

    for (size_t i = 0; i <= len; i++) {
        if (i < len && line[i] != ',')
            continue;
        if (nf >= CSV_MAX_FIELDS) {
            *why = "too many columns in header";
            return LEASE_E_INVALID;
        }
        size_t flen = i - start;
        for (int c = 0; c < LEASE_CSV_NCOLS; c++) {
            if (strlen(lease_csv_col_name[c]) == flen &&
                memcmp(lease_csv_col_name[c], line + start, flen) == 0) {
                if (lay->pos[c] >= 0) {
                    *why = "duplicate column in header";
                    return LEASE_E_INVALID;
                }
                lay->pos[c] = (int16_t)nf;
            }
        }
        nf++;
        start = i + 1;
    }
    for (int c = 0; c < CSV_REQUIRED_COLS; c++) {
        if (lay->pos[c] < 0) {
            *why = "header lacks a required column (address .. hostname)";
            return LEASE_E_INVALID;
        }
    }
    lay->ncols = (uint16_t)nf;
    lay->current = len == LEASE_CSV_HEADER_LEN &&
                   memcmp(line, lease_csv_header, len) == 0;
    return 0;
}

/* ---- rows -------------------------------------------------------------- */

int lease_csv_parse_row(const struct lease_csv_layout *lay,
                        const char *line, size_t len,
                        struct lease4 *out, const char **why)
{
    const char *fs[CSV_MAX_FIELDS];
    size_t fl[CSV_MAX_FIELDS];
    unsigned nf = 0;
    size_t start = 0, n;
    uint64_t expire;

    if (len > 0 && line[len - 1] == '\r')
        len--;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && line[i] != ',')
            continue;
        if (nf >= lay->ncols) {
            *why = "more fields than header columns";
            return LEASE_E_INVALID;
        }
        fs[nf] = line + start;
        fl[nf] = i - start;
        nf++;
        start = i + 1;
    }
    if (nf != lay->ncols) {
        *why = "fewer fields than header columns";
        return LEASE_E_INVALID;
    }

#define F(c) fs[lay->pos[c]], fl[lay->pos[c]]
    if (!scan_ipv4(F(LEASE_CSV_ADDRESS), &out->addr)) {
        *why = "bad address";
        return LEASE_E_INVALID;
    }
    if (!scan_hex(F(LEASE_CSV_HWADDR), out->hwaddr, LEASE_HWADDR_MAX, &n)) {
        *why = "bad hwaddr";
        return LEASE_E_INVALID;
    }
    out->hwaddr_len = (uint8_t)n;
    if (!scan_hex(F(LEASE_CSV_CLIENT_ID), out->client_id, LEASE_CLIENT_ID_MAX, &n)) {
        *why = "bad client_id";
        return LEASE_E_INVALID;
    }
    out->client_id_len = (uint8_t)n;
    if (!scan_u32(F(LEASE_CSV_VALID_LIFETIME), &out->valid_lft)) {
        *why = "bad valid_lifetime";
        return LEASE_E_INVALID;
    }
    if (!scan_u64(F(LEASE_CSV_EXPIRE), INT64_MAX, &expire)) {
        *why = "bad expire";
        return LEASE_E_INVALID;
    }
    /* expire is stored; cltt is derived (Kea: cltt = expire - valid). */
    out->cltt = (int64_t)expire - (int64_t)out->valid_lft;
    if (!scan_u32(F(LEASE_CSV_SUBNET_ID), &out->subnet_id)) {
        *why = "bad subnet_id";
        return LEASE_E_INVALID;
    }
    if (!scan_bool(F(LEASE_CSV_FQDN_FWD), &out->fqdn_fwd) ||
        !scan_bool(F(LEASE_CSV_FQDN_REV), &out->fqdn_rev)) {
        *why = "bad fqdn_fwd/fqdn_rev";
        return LEASE_E_INVALID;
    }
    long hl = lease_csv_unescape(F(LEASE_CSV_HOSTNAME), out->hostname, LEASE_HOSTNAME_MAX);
    if (hl < 0) {
        *why = "hostname too long";
        return LEASE_E_INVALID;
    }
    if (memchr(out->hostname, '\0', (size_t)hl) != NULL) {
        *why = "hostname contains NUL";
        return LEASE_E_INVALID;
    }
    out->hostname[hl] = '\0';

    uint32_t v = 0;
    if (lay->pos[LEASE_CSV_STATE] >= 0 &&
        (!scan_u32(F(LEASE_CSV_STATE), &v) || v > LEASE_STATE_RELEASED)) {
        *why = "bad state";
        return LEASE_E_INVALID;
    }
    out->state = (uint8_t)v;
    v = 0;
    if (lay->pos[LEASE_CSV_POOL_ID] >= 0 && !scan_u32(F(LEASE_CSV_POOL_ID), &v)) {
        *why = "bad pool_id";
        return LEASE_E_INVALID;
    }
    out->pool_id = v;
#undef F
    return 0;
}

/* ---- formatting -------------------------------------------------------- */

static char *put_u64(char *p, uint64_t v)
{
    char tmp[20];
    int n = 0;

    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    while (n > 0)
        *p++ = tmp[--n];
    return p;
}

static char *put_hex(char *p, const uint8_t *b, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (i > 0)
            *p++ = ':';
        *p++ = hexdig[b[i] >> 4];
        *p++ = hexdig[b[i] & 15];
    }
    return p;
}

size_t lease_csv_format_row(const struct lease4 *l, char *buf, size_t cap)
{
    /* Worst case: 15 + 59 + 764 + 10 + 20 + 10 + 2 + 1275 + 1 + 10 + 11
     * separators + newline, about 2.2 KB. */
    char host[LEASE_HOSTNAME_MAX * 5 + 1];
    size_t hlen = strnlen(l->hostname, LEASE_HOSTNAME_MAX);
    size_t elen;
    char *p = buf;

    if (l->hwaddr_len > LEASE_HWADDR_MAX)
        return 0;
    elen = lease_csv_escape(l->hostname, hlen, host, sizeof(host));
    if (elen == 0 && hlen != 0)
        return 0;
    if (cap < 160 + 3u * l->hwaddr_len + 3u * l->client_id_len + elen)
        return 0;

    p = put_u64(p, l->addr >> 24);
    *p++ = '.';
    p = put_u64(p, (l->addr >> 16) & 255);
    *p++ = '.';
    p = put_u64(p, (l->addr >> 8) & 255);
    *p++ = '.';
    p = put_u64(p, l->addr & 255);
    *p++ = ',';
    p = put_hex(p, l->hwaddr, l->hwaddr_len);
    *p++ = ',';
    p = put_hex(p, l->client_id, l->client_id_len);
    *p++ = ',';
    p = put_u64(p, l->valid_lft);
    *p++ = ',';
    /* 64-bit sum: an infinite lifetime stays representable (see header). */
    int64_t expire = l->cltt + (int64_t)l->valid_lft;
    if (expire < 0)
        return 0;   /* Kea's expire column is unsigned */
    p = put_u64(p, (uint64_t)expire);
    *p++ = ',';
    p = put_u64(p, l->subnet_id);
    *p++ = ',';
    *p++ = l->fqdn_fwd ? '1' : '0';
    *p++ = ',';
    *p++ = l->fqdn_rev ? '1' : '0';
    *p++ = ',';
    memcpy(p, host, elen);
    p += elen;
    *p++ = ',';
    p = put_u64(p, l->state);
    *p++ = ',';
    /* user_context: always empty */
    *p++ = ',';
    p = put_u64(p, l->pool_id);
    *p++ = '\n';
    return (size_t)(p - buf);
}
