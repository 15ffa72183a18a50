/*
 * Hex text <-> bytes, as used for hardware addresses and client ids in the
 * memfile lease CSV ("aa:bb:cc"), in logs, and in option-data.
 */
#include "wire/option_defs.h"

static const char hex_digits[] = "0123456789abcdef";

size_t hex_format(const uint8_t *in, size_t len, char sep, char *out)
{
    size_t n = 0;

    for (size_t i = 0; i < len; i++) {
        if (sep != 0 && i > 0)
            out[n++] = sep;
        out[n++] = hex_digits[in[i] >> 4];
        out[n++] = hex_digits[in[i] & 0x0f];
    }
    out[n] = '\0';
    return n;
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

/* "aa:bb:cc" / "aa-bb-cc" (one or two digits per octet, as Kea's hardware
 * address parser accepts "1:2:3") or plain "aabbcc" (even length). One kind
 * of separator per string. */
int hex_parse(const char *text, uint8_t *out, size_t cap)
{
    char sep = 0;
    size_t n = 0;
    const char *p = text;

    if (text == NULL)
        return -1;
    for (const char *q = text; *q; q++) {
        if (*q == ':' || *q == '-') {
            if (sep != 0 && *q != sep)
                return -1;
            sep = *q;
        } else if (hex_val(*q) < 0) {
            return -1;
        }
    }
    if (*p == '\0')
        return 0;

    if (sep == 0) {
        while (*p) {
            if (p[1] == '\0')
                return -1; /* odd digit count */
            if (n >= cap)
                return -1;
            out[n++] = (uint8_t)(hex_val(p[0]) << 4 | hex_val(p[1]));
            p += 2;
        }
        return n > (size_t)INT32_MAX ? -1 : (int)n;
    }

    for (;;) {
        int digits = 0, v = 0;
        while (*p && *p != sep) {
            if (++digits > 2)
                return -1;
            v = v << 4 | hex_val(*p);
            p++;
        }
        if (digits == 0)
            return -1; /* empty group: "aa::bb", leading or trailing sep */
        if (n >= cap)
            return -1;
        out[n++] = (uint8_t)v;
        if (*p == '\0')
            break;
        p++; /* skip sep */
    }
    return n > (size_t)INT32_MAX ? -1 : (int)n;
}
