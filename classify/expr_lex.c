/* The lexer of the expression language; see expr_lex.h. */
#include "classify/expr_lex.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void lex_fail(struct parser *p, size_t pos, const char *fmt, ...)
{
    if (p->failed)
        return;
    p->failed = true;
    int n = snprintf(p->err, p->errlen, "column %zu: ", pos + 1);
    if (n < 0 || (size_t)n >= p->errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
    va_end(ap);
}

/* ---- lexer ------------------------------------------------------------- */

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_hex(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static size_t lex_number(const char *s, size_t i, enum tok *t)
{
    size_t j = i;
    if (s[j] == '-')
        j++;
    while (is_digit(s[j]))
        j++;
    *t = T_INT;
    if (s[i] != '-' && s[j] == '.' && is_digit(s[j + 1])) {
        while (is_digit(s[j]) || (s[j] == '.' && is_digit(s[j + 1])))
            j++;
        *t = T_IP;
    }
    return j;
}

void lex_next(struct parser *p)
{
    const char *s = p->s;
    size_t i = p->pos;
    while (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')
        i++;
    p->tpos = i;
    size_t j = i + 1;
    char c = s[i];
    switch (c) {
    case '\0': p->tok = T_EOF; j = i; break;
    case '[': p->tok = T_LBRACK; break;
    case ']': p->tok = T_RBRACK; break;
    case '(': p->tok = T_LPAREN; break;
    case ')': p->tok = T_RPAREN; break;
    case '.': p->tok = T_DOT; break;
    case ',': p->tok = T_COMMA; break;
    case '+': p->tok = T_PLUS; break;
    case '*': p->tok = T_STAR; break;
    case '=':
        if (s[i + 1] == '=') {
            p->tok = T_EQ;
            j = i + 2;
        } else {
            p->tok = T_BAD;
        }
        break;
    case '\'':
        while (s[j] && s[j] != '\'' && s[j] != '\n')
            j++;
        if (s[j] != '\'') {
            lex_fail(p, i, "unterminated string literal");
            p->tok = T_BAD;
        } else {
            p->tok = T_STR;
            j++;
        }
        break;
    default:
        if (c == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X') && is_hex(s[i + 2])) {
            j = i + 2;
            while (is_hex(s[j]))
                j++;
            p->tok = T_HEX;
        } else if (is_digit(c) || (c == '-' && is_digit(s[i + 1]))) {
            j = lex_number(s, i, &p->tok);
        } else if (is_alpha(c)) {
            while (is_alpha(s[j]) || is_digit(s[j]) || s[j] == '_' || s[j] == '-')
                j++;
            p->tok = T_IDENT;
        } else {
            p->tok = T_BAD;
        }
    }
    p->tlen = j - i;
    p->pos = j;
    if (p->tok == T_BAD)
        lex_fail(p, i, "unexpected character '%c'", c);
}

bool lex_is(const struct parser *p, const char *word)
{
    return p->tok == T_IDENT && strlen(word) == p->tlen && !memcmp(p->s + p->tpos, word, p->tlen);
}

const char *lex_desc(const struct parser *p, char *buf, size_t cap)
{
    if (p->tok == T_EOF)
        return "the end of the expression";
    size_t n = p->tlen > 24 ? 24 : p->tlen;
    snprintf(buf, cap, "'%.*s%s'", (int)n, p->s + p->tpos, p->tlen > n ? "..." : "");
    return buf;
}

bool lex_expect(struct parser *p, enum tok t, const char *what)
{
    if (p->failed)
        return false;
    if (p->tok != t) {
        char b[40];
        lex_fail(p, p->tpos, "expected %s, found %s", what, lex_desc(p, b, sizeof(b)));
        return false;
    }
    lex_next(p);
    return !p->failed;
}

bool lex_expect_word(struct parser *p, const char *word)
{
    if (p->failed)
        return false;
    if (!lex_is(p, word)) {
        char b[40], w[32];
        snprintf(w, sizeof(w), "'%s'", word);
        lex_fail(p, p->tpos, "expected %s, found %s", w, lex_desc(p, b, sizeof(b)));
        return false;
    }
    lex_next(p);
    return true;
}

int lex_hexval(char c)
{
    return is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10;
}

/* 0xABC -> 0x0a 0xbc: an odd digit count gets a leading 0 (ARM §16.3). */

bool lex_ip(const char *s, size_t n, uint8_t out[4])
{
    unsigned part = 0, val = 0, digits = 0;
    for (size_t i = 0; i <= n; i++) {
        char c = i < n ? s[i] : '.';
        if (is_digit(c)) {
            val = val * 10 + (unsigned)(c - '0');
            if (++digits > 3 || val > 255)
                return false;
        } else if (c == '.') {
            if (!digits || part > 3)
                return false;
            out[part++] = (uint8_t)val;
            val = digits = 0;
        } else {
            return false;
        }
    }
    return part == 4;
}

/* The current T_INT token as a signed value within [min, max]. */
bool lex_int(struct parser *p, long long min, long long max, long long *out, const char *what)
{
    if (p->tok != T_INT) {
        char b[40];
        lex_fail(p, p->tpos, "expected %s (an integer), found %s", what, lex_desc(p, b, sizeof(b)));
        return false;
    }
    const char *s = p->s + p->tpos;
    bool neg = *s == '-';
    long long v = 0;
    for (size_t i = neg; i < p->tlen; i++) {
        v = v * 10 + (s[i] - '0');
        if (v > 0x1ffffffffLL) {
            v = 0x1ffffffffLL;
            break;
        }
    }
    if (neg)
        v = -v;
    if (v < min || v > max) {
        lex_fail(p, p->tpos, "%s %.*s is out of range %lld..%lld", what, (int)p->tlen, s, min, max);
        return false;
    }
    *out = v;
    lex_next(p);
    return !p->failed;
}

