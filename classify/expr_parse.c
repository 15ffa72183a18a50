/*
 * The expression compiler (Kea ARM §16.3): a hand-written lexer and a
 * recursive-descent parser that build a typed tree at config load. Types are
 * checked here (a test must be boolean, `and` takes booleans, `==` takes
 * strings, ...) so that the evaluator never meets a malformed tree. Errors
 * say the column (1-based) and a plain reason.
 *
 * Precedence, lowest first: or, and, not, ==, + (concat).
 */
#include "classify/expr_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire/option_defs.h"

#define EXPR_TEXT_MAX   8192   /* longer expressions are refused */
#define EXPR_DEPTH_MAX  64     /* nesting limit: the parser recurses */

enum tok {
    T_EOF, T_STR, T_HEX, T_IP, T_INT, T_IDENT,
    T_LBRACK, T_RBRACK, T_LPAREN, T_RPAREN, T_DOT, T_COMMA, T_EQ, T_PLUS, T_STAR, T_BAD
};

struct parser {
    const char *s;
    size_t      pos;      /* next unread byte */
    enum tok    tok;      /* current token */
    size_t      tpos;     /* its offset */
    size_t      tlen;     /* its length in the text */
    int         depth;
    const struct expr_resolver *r;
    char       *err;
    size_t      errlen;
    bool        failed;
};

static void fail_at(struct parser *p, size_t pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fail_at(struct parser *p, size_t pos, const char *fmt, ...)
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

static void next(struct parser *p)
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
            fail_at(p, i, "unterminated string literal");
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
        fail_at(p, i, "unexpected character '%c'", c);
}

static bool tok_is(const struct parser *p, const char *word)
{
    return p->tok == T_IDENT && strlen(word) == p->tlen && !memcmp(p->s + p->tpos, word, p->tlen);
}

static const char *tok_desc(const struct parser *p, char *buf, size_t cap)
{
    if (p->tok == T_EOF)
        return "the end of the expression";
    size_t n = p->tlen > 24 ? 24 : p->tlen;
    snprintf(buf, cap, "'%.*s%s'", (int)n, p->s + p->tpos, p->tlen > n ? "..." : "");
    return buf;
}

static bool expect(struct parser *p, enum tok t, const char *what)
{
    if (p->failed)
        return false;
    if (p->tok != t) {
        char b[40];
        fail_at(p, p->tpos, "expected %s, found %s", what, tok_desc(p, b, sizeof(b)));
        return false;
    }
    next(p);
    return !p->failed;
}

static bool expect_word(struct parser *p, const char *word)
{
    if (p->failed)
        return false;
    if (!tok_is(p, word)) {
        char b[40], w[32];
        snprintf(w, sizeof(w), "'%s'", word);
        fail_at(p, p->tpos, "expected %s, found %s", w, tok_desc(p, b, sizeof(b)));
        return false;
    }
    next(p);
    return true;
}

/* ---- nodes ------------------------------------------------------------- */

static struct expr *node(struct parser *p, enum expr_op op, enum expr_type type)
{
    struct expr *e = calloc(1, sizeof(*e));
    if (!e)
        fail_at(p, p->tpos, "out of memory");
    else {
        e->op = op;
        e->type = type;
        e->sub = -1;
    }
    return e;
}

void expr_free(struct expr *e)
{
    if (!e)
        return;
    expr_free(e->a);
    expr_free(e->b);
    expr_free(e->c);
    free(e->lit);
    if (e->re) {
        regfree(e->re);
        free(e->re);
    }
    free(e);
}

static struct expr *literal(struct parser *p, const uint8_t *v, size_t n)
{
    struct expr *e = node(p, EO_LITERAL, ET_STRING);
    if (!e)
        return NULL;
    e->lit = malloc(n ? n : 1);
    if (!e->lit) {
        free(e);
        fail_at(p, p->tpos, "out of memory");
        return NULL;
    }
    memcpy(e->lit, v, n);
    e->lit_len = (uint32_t)n;
    return e;
}

static int hexval(char c)
{
    return is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10;
}

/* 0xABC -> 0x0a 0xbc: an odd digit count gets a leading 0 (ARM §16.3). */
static struct expr *hex_literal(struct parser *p)
{
    const char *h = p->s + p->tpos + 2;
    size_t nd = p->tlen - 2, n = (nd + 1) / 2;
    uint8_t *b = malloc(n);
    if (!b) {
        fail_at(p, p->tpos, "out of memory");
        return NULL;
    }
    size_t k = 0, i = 0;
    if (nd % 2)
        b[k++] = (uint8_t)hexval(h[i++]);
    for (; i < nd; i += 2)
        b[k++] = (uint8_t)(hexval(h[i]) << 4 | hexval(h[i + 1]));
    struct expr *e = literal(p, b, n);
    free(b);
    return e;
}

static bool parse_ip(const char *s, size_t n, uint8_t out[4])
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
static bool int_value(struct parser *p, long long min, long long max, long long *out, const char *what)
{
    if (p->tok != T_INT) {
        char b[40];
        fail_at(p, p->tpos, "expected %s (an integer), found %s", what, tok_desc(p, b, sizeof(b)));
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
        fail_at(p, p->tpos, "%s %.*s is out of range %lld..%lld", what, (int)p->tlen, s, min, max);
        return false;
    }
    *out = v;
    next(p);
    return !p->failed;
}

/* ---- grammar ----------------------------------------------------------- */

static struct expr *parse_or(struct parser *p);
static struct expr *parse_concat(struct parser *p);

static bool want_type(struct parser *p, const struct expr *e, size_t pos, enum expr_type t,
                      const char *ctx)
{
    if (!e)
        return false;
    if (e->type != t) {
        fail_at(p, pos, "%s needs a %s, not a %s", ctx, t == ET_BOOL ? "condition" : "string value",
                e->type == ET_BOOL ? "condition" : "string value");
        return false;
    }
    return true;
}

/* A string argument of a function. */
static struct expr *string_arg(struct parser *p, const char *fn)
{
    size_t pos = p->tpos;
    struct expr *e = parse_or(p);
    if (e && !want_type(p, e, pos, ET_STRING, fn)) {
        expr_free(e);
        return NULL;
    }
    return e;
}

/* "[N]" with N in 0..255, or a name resolved to a code when names is set. */
static bool code_index(struct parser *p, int *code, bool names, const char *what)
{
    if (!expect(p, T_LBRACK, "'['"))
        return false;
    if (names && p->tok == T_IDENT) {
        char name[64];
        size_t n = p->tlen < sizeof(name) ? p->tlen : sizeof(name) - 1;
        memcpy(name, p->s + p->tpos, n);
        name[n] = '\0';
        int c = p->r && p->r->option_code ? p->r->option_code(p->r->ctx, name) : -1;
        if (c < 0) {
            const struct opt_def *d = opt_def_std_by_name(name);
            c = d ? d->code : -1;
        }
        if (c < 0) {
            fail_at(p, p->tpos, "unknown option name '%s'", name);
            return false;
        }
        *code = c;
        next(p);
    } else {
        long long v;
        if (!int_value(p, 0, 255, &v, what))
            return false;
        *code = (int)v;
    }
    return expect(p, T_RBRACK, "']'");
}

/* .hex / .exists / .text after an option-like accessor. */
static struct expr *option_repr(struct parser *p, enum expr_op hex, enum expr_op exists,
                                bool has_text, int code, int sub)
{
    if (!expect(p, T_DOT, "'.'"))
        return NULL;
    struct expr *e = NULL;
    if (tok_is(p, "hex"))
        e = node(p, hex, ET_STRING);
    else if (tok_is(p, "exists"))
        e = node(p, exists, ET_BOOL);
    else if (tok_is(p, "text") && has_text)
        e = node(p, EO_OPTION_TEXT, ET_STRING);
    else {
        char b[40];
        fail_at(p, p->tpos, "expected %s, found %s",
 has_text ? "'hex', 'text' or 'exists'" : "'hex' or 'exists'",
                tok_desc(p, b, sizeof(b)));
        return NULL;
    }
    if (!e)
        return NULL;
    e->code = code;
    e->sub = sub;
    if (e->op == EO_OPTION_TEXT) {
        const struct opt_def *d = opt_def_std_by_code((uint8_t)code);
        e->fmt = d && !d->array ? (uint8_t)d->type : OT_BINARY;
    }
    next(p);
    return e;
}

static struct expr *parse_option(struct parser *p)
{
    int code;
    if (!code_index(p, &code, true, "option code"))
        return NULL;
    /* option[c].option[s].hex|exists: a sub-option (82, 43, ...). */
    if (p->tok == T_DOT && !strncmp(p->s + p->pos, "option", 6)) {
        next(p);
        next(p);
        int sub;
        if (!code_index(p, &sub, false, "sub-option code"))
            return NULL;
        return option_repr(p, EO_OPTION_HEX, EO_OPTION_EXISTS, false, code, sub);
    }
    return option_repr(p, EO_OPTION_HEX, EO_OPTION_EXISTS, true, code, -1);
}

/* "[*]" or "[N]" enterprise id; * and 0 both mean any (ARM §16.3). */
static bool enterprise_index(struct parser *p, uint32_t *ent)
{
    if (!expect(p, T_LBRACK, "'['"))
        return false;
    if (p->tok == T_STAR) {
        *ent = 0;
        next(p);
    } else {
        long long v;
        if (!int_value(p, 0, 0xffffffffLL, &v, "enterprise-id"))
            return false;
        *ent = (uint32_t)v;
    }
    return expect(p, T_RBRACK, "']'");
}

static struct expr *parse_vendor(struct parser *p, bool vclass)
{
    uint32_t ent;
    if (p->tok == T_DOT) { /* vendor.enterprise, vendor-class.enterprise */
        next(p);
        if (!expect_word(p, "enterprise"))
            return NULL;
        return node(p, vclass ? EO_VCLASS_ENTERPRISE : EO_VENDOR_ENTERPRISE, ET_STRING);
    }
    if (!enterprise_index(p, &ent) || !expect(p, T_DOT, "'.'"))
        return NULL;
    struct expr *e = NULL;
    if (tok_is(p, "exists")) {
        next(p);
        e = node(p, vclass ? EO_VCLASS_EXISTS : EO_VENDOR_EXISTS, ET_BOOL);
    } else if (vclass && tok_is(p, "data")) {
        next(p);
        long long idx = 0;
        if (p->tok == T_LBRACK) {
            next(p);
            if (!int_value(p, 0, 255, &idx, "data index") || !expect(p, T_RBRACK, "']'"))
                return NULL;
        }
        e = node(p, EO_VCLASS_DATA, ET_STRING);
        if (e)
            e->index = (int32_t)idx;
    } else if (!vclass && tok_is(p, "option")) {
        next(p);
        int sub;
        if (!code_index(p, &sub, false, "vendor sub-option code"))
            return NULL;
        e = option_repr(p, EO_VENDOR_OPTION_HEX, EO_VENDOR_OPTION_EXISTS, false, 0, sub);
    } else {
        char b[40];
        fail_at(p, p->tpos, "expected %s, found %s", vclass ? "'exists' or 'data'" : "'exists' or 'option'",
                tok_desc(p, b, sizeof(b)));
        return NULL;
    }
    if (e)
        e->ent = ent;
    return e;
}

struct field { const char *name; enum expr_op op; };

static struct expr *parse_field(struct parser *p, const struct field *fields, const char *what)
{
    if (!expect(p, T_DOT, "'.'"))
        return NULL;
    for (const struct field *f = fields; f->name; f++)
        if (tok_is(p, f->name)) {
            next(p);
            return node(p, f->op, ET_STRING);
        }
    char b[40];
    fail_at(p, p->tpos, "unknown %s field %s", what, tok_desc(p, b, sizeof(b)));
    return NULL;
}

static const struct field pkt4_fields[] = {
    { "mac", EO_PKT4_MAC }, { "hlen", EO_PKT4_HLEN }, { "htype", EO_PKT4_HTYPE },
    { "ciaddr", EO_PKT4_CIADDR }, { "giaddr", EO_PKT4_GIADDR }, { "yiaddr", EO_PKT4_YIADDR },
    { "siaddr", EO_PKT4_SIADDR }, { "msgtype", EO_PKT4_MSGTYPE }, { "transid", EO_PKT4_TRANSID },
    { NULL, EO_LITERAL }
};

static const struct field pkt_fields[] = {
    { "iface", EO_PKT_IFACE }, { "src", EO_PKT_SRC }, { "dst", EO_PKT_DST }, { "len", EO_PKT_LEN },
    { NULL, EO_LITERAL }
};

static struct expr *parse_member(struct parser *p, bool known, bool negate)
{
    int idx;
    if (known) {
        idx = p->r && p->r->class_index ? p->r->class_index(p->r->ctx, "KNOWN") : -1;
        if (idx < 0) {
            fail_at(p, p->tpos, "class 'KNOWN' cannot be used here");
            return NULL;
        }
    } else {
        if (!expect(p, T_LPAREN, "'('"))
            return NULL;
        if (p->tok != T_STR) {
            char b[40];
            fail_at(p, p->tpos, "member needs a quoted class name, found %s", tok_desc(p, b, sizeof(b)));
            return NULL;
        }
        char name[128];
        size_t n = p->tlen - 2;
        if (n == 0 || n >= sizeof(name)) {
            fail_at(p, p->tpos, "member needs a class name of 1 to %zu characters", sizeof(name) - 1);
            return NULL;
        }
        memcpy(name, p->s + p->tpos + 1, n);
        name[n] = '\0';
        idx = p->r && p->r->class_index ? p->r->class_index(p->r->ctx, name) : -1;
        if (idx < 0) {
            fail_at(p, p->tpos, "class '%s' is not defined before this one and is not built in", name);
            return NULL;
        }
        next(p);
        if (!expect(p, T_RPAREN, "')'"))
            return NULL;
    }
    struct expr *m = node(p, EO_MEMBER, ET_BOOL);
    if (!m)
        return NULL;
    m->index = idx;
    if (!negate)
        return m;
    struct expr *n = node(p, EO_NOT, ET_BOOL);
    if (!n) {
        expr_free(m);
        return NULL;
    }
    n->a = m;
    return n;
}

/* substring(x, start, len|all) */
static struct expr *parse_substring(struct parser *p)
{
    struct expr *e = node(p, EO_SUBSTRING, ET_STRING);
    long long v;
    if (!e)
        return NULL;
    if (!expect(p, T_LPAREN, "'('") || !(e->a = string_arg(p, "substring")) ||
        !expect(p, T_COMMA, "','") || !int_value(p, -0x7fffffffLL, 0x7fffffffLL, &v, "start"))
        goto bad;
    e->start = (int32_t)v;
    if (!expect(p, T_COMMA, "','"))
        goto bad;
    if (tok_is(p, "all") || (p->tok == T_STR && p->tlen == 5 && !memcmp(p->s + p->tpos, "'all'", 5))) {
        e->len_all = true;
        next(p);
    } else if (!int_value(p, -0x7fffffffLL, 0x7fffffffLL, &v, "length")) {
        goto bad;
    } else {
        e->len = (int32_t)v;
    }
    if (!expect(p, T_RPAREN, "')'"))
        goto bad;
    return e;
bad:
    expr_free(e);
    return NULL;
}

/* f(a), f(a, b), ifelse(c, a, b), split(a, b, n), match(re, a) */
static struct expr *parse_call(struct parser *p, enum expr_op op, int nargs, const char *fn)
{
    struct expr *e = node(p, op, op == EO_MATCH ? ET_BOOL : ET_STRING);
    if (!e || !expect(p, T_LPAREN, "'('"))
        goto bad;
    if (op == EO_IFELSE) {
        size_t pos = p->tpos;
        e->a = parse_or(p);
        if (!want_type(p, e->a, pos, ET_BOOL, "the first argument of ifelse"))
            goto bad;
    } else if (!(e->a = string_arg(p, fn))) {
        goto bad;
    }
    if (nargs >= 2 && (!expect(p, T_COMMA, "','") || !(e->b = string_arg(p, fn))))
        goto bad;
    if (op == EO_IFELSE && (!expect(p, T_COMMA, "','") || !(e->c = string_arg(p, fn))))
        goto bad;
    if (op == EO_SPLIT) {
        long long v;
        if (!expect(p, T_COMMA, "','") || !int_value(p, -0x7fffffffLL, 0x7fffffffLL, &v, "field number"))
            goto bad;
        e->index = (int32_t)v;
    }
    if (!expect(p, T_RPAREN, "')'"))
        goto bad;
    return e;
bad:
    expr_free(e);
    return NULL;
}

/* match('regex', value): the pattern must be a literal, compiled here. */
static struct expr *parse_match(struct parser *p, size_t pos)
{
    struct expr *e = parse_call(p, EO_MATCH, 2, "match");
    if (!e)
        return NULL;
    if (e->a->op != EO_LITERAL) {
        fail_at(p, pos, "match needs a literal regular expression as its first argument");
        expr_free(e);
        return NULL;
    }
    /* Kea matches the whole value (std::regex_match): anchor both ends. */
    char *pat = malloc(e->a->lit_len + 5);
    e->re = calloc(1, sizeof(*e->re));
    if (!pat || !e->re) {
        free(pat);
        fail_at(p, pos, "out of memory");
        expr_free(e);
        return NULL;
    }
    pat[0] = '^';
    pat[1] = '(';
    memcpy(pat + 2, e->a->lit, e->a->lit_len);
    memcpy(pat + 2 + e->a->lit_len, ")$", 3);
    int rc = memchr(e->a->lit, 0, e->a->lit_len) ? REG_BADPAT : regcomp(e->re, pat, REG_EXTENDED | REG_NOSUB);
    free(pat);
    if (rc != 0) {
        free(e->re);
        e->re = NULL;
        fail_at(p, pos, "invalid regular expression");
        expr_free(e);
        return NULL;
    }
    /* a: the pattern literal is no longer needed; b: the value. */
    expr_free(e->a);
    e->a = e->b;
    e->b = NULL;
    return e;
}

struct func { const char *name; enum expr_op op; int nargs; };

static const struct func funcs[] = {
    { "concat", EO_CONCAT, 2 }, { "hexstring", EO_HEXSTRING, 2 }, { "ifelse", EO_IFELSE, 2 },
    { "split", EO_SPLIT, 2 }, { "lcase", EO_LCASE, 1 }, { "ucase", EO_UCASE, 1 },
    { "addrtotext", EO_ADDRTOTEXT, 1 }, { "int8totext", EO_INT8TOTEXT, 1 },
    { "int16totext", EO_INT16TOTEXT, 1 }, { "int32totext", EO_INT32TOTEXT, 1 },
    { "uint8totext", EO_UINT8TOTEXT, 1 }, { "uint16totext", EO_UINT16TOTEXT, 1 },
    { "uint32totext", EO_UINT32TOTEXT, 1 },
    { NULL, EO_LITERAL, 0 }
};

static struct expr *parse_ident(struct parser *p)
{
    size_t pos = p->tpos;
    if (tok_is(p, "option")) {
        next(p);
        return parse_option(p);
    }
    if (tok_is(p, "relay4")) {
        next(p);
        int sub;
        if (!code_index(p, &sub, false, "relay sub-option code"))
            return NULL;
        return option_repr(p, EO_RELAY4_HEX, EO_RELAY4_EXISTS, false, OPT_RELAY_AGENT_INFO, sub);
    }
    if (tok_is(p, "pkt4")) {
        next(p);
        return parse_field(p, pkt4_fields, "pkt4");
    }
    if (tok_is(p, "pkt")) {
        next(p);
        return parse_field(p, pkt_fields, "pkt");
    }
    if (tok_is(p, "vendor") || tok_is(p, "vendor-class")) {
        bool vc = p->tlen > 6;
        next(p);
        return parse_vendor(p, vc);
    }
    if (tok_is(p, "member")) {
        next(p);
        return parse_member(p, false, false);
    }
    if (tok_is(p, "known") || tok_is(p, "unknown")) {
        bool neg = p->tlen == 7;
        struct expr *e = parse_member(p, true, neg);
        if (e)
            next(p);
        return e;
    }
    if (tok_is(p, "substring")) {
        next(p);
        return parse_substring(p);
    }
    if (tok_is(p, "match")) {
        next(p);
        return parse_match(p, pos);
    }
    for (const struct func *f = funcs; f->name; f++)
        if (tok_is(p, f->name)) {
            next(p);
            return parse_call(p, f->op, f->nargs, f->name);
        }
    char b[40];
    fail_at(p, pos, "unknown name %s", tok_desc(p, b, sizeof(b)));
    return NULL;
}

static struct expr *parse_primary(struct parser *p)
{
    if (p->failed)
        return NULL;
    if (++p->depth > EXPR_DEPTH_MAX) {
        fail_at(p, p->tpos, "the expression is nested too deeply (more than %d levels)", EXPR_DEPTH_MAX);
        return NULL;
    }
    struct expr *e = NULL;
    switch (p->tok) {
    case T_LPAREN:
        next(p);
        e = parse_or(p);
        if (e && !expect(p, T_RPAREN, "')'")) {
            expr_free(e);
            e = NULL;
        }
        break;
    case T_STR:
        e = literal(p, (const uint8_t *)p->s + p->tpos + 1, p->tlen - 2);
        next(p);
        break;
    case T_HEX:
        e = hex_literal(p);
        next(p);
        break;
    case T_IP: {
        uint8_t a[4];
        if (!parse_ip(p->s + p->tpos, p->tlen, a)) {
            fail_at(p, p->tpos, "'%.*s' is not an IPv4 address", (int)p->tlen, p->s + p->tpos);
            break;
        }
        e = literal(p, a, 4);
        next(p);
        break;
    }
    case T_INT: {
        /* Integers are 4-byte big-endian strings (ARM §16.3 notes). */
        long long v;
        if (int_value(p, 0, 0xffffffffLL, &v, "integer")) {
            uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
            e = literal(p, b, 4);
        }
        break;
    }
    case T_IDENT:
        e = parse_ident(p);
        break;
    default: {
        char b[40];
        fail_at(p, p->tpos, "expected a value, found %s", tok_desc(p, b, sizeof(b)));
        break;
    }
    }
    p->depth--;
    if (p->failed) {
        expr_free(e);
        return NULL;
    }
    return e;
}

static struct expr *binary(struct parser *p, enum expr_op op, enum expr_type t,
                           struct expr *a, struct expr *b)
{
    struct expr *e = node(p, op, t);
    if (!e) {
        expr_free(a);
        expr_free(b);
        return NULL;
    }
    e->a = a;
    e->b = b;
    return e;
}

/* a + b + c: left-associative concat. */
static struct expr *parse_concat(struct parser *p)
{
    size_t pos = p->tpos;
    struct expr *e = parse_primary(p);
    while (e && p->tok == T_PLUS) {
        if (!want_type(p, e, pos, ET_STRING, "'+'"))
            goto bad;
        next(p);
        pos = p->tpos;
        struct expr *r = parse_primary(p);
        if (!want_type(p, r, pos, ET_STRING, "'+'")) {
            expr_free(r);
            goto bad;
        }
        e = binary(p, EO_CONCAT, ET_STRING, e, r);
    }
    return e;
bad:
    expr_free(e);
    return NULL;
}

static struct expr *parse_cmp(struct parser *p)
{
    size_t pos = p->tpos;
    struct expr *e = parse_concat(p);
    if (!e || p->tok != T_EQ)
        return e;
    if (!want_type(p, e, pos, ET_STRING, "'=='")) {
        expr_free(e);
        return NULL;
    }
    next(p);
    pos = p->tpos;
    struct expr *r = parse_concat(p);
    if (!want_type(p, r, pos, ET_STRING, "'=='")) {
        expr_free(e);
        expr_free(r);
        return NULL;
    }
    return binary(p, EO_EQUAL, ET_BOOL, e, r);
}

static struct expr *parse_not(struct parser *p)
{
    if (!tok_is(p, "not"))
        return parse_cmp(p);
    if (++p->depth > EXPR_DEPTH_MAX) {
        fail_at(p, p->tpos, "the expression is nested too deeply (more than %d levels)", EXPR_DEPTH_MAX);
        return NULL;
    }
    next(p);
    size_t pos = p->tpos;
    struct expr *a = parse_not(p);
    p->depth--;
    if (!want_type(p, a, pos, ET_BOOL, "'not'")) {
        expr_free(a);
        return NULL;
    }
    return binary(p, EO_NOT, ET_BOOL, a, NULL);
}

static struct expr *parse_logic(struct parser *p, const char *word, enum expr_op op,
                                struct expr *(*sub)(struct parser *))
{
    size_t pos = p->tpos;
    struct expr *e = sub(p);
    while (e && tok_is(p, word)) {
        if (!want_type(p, e, pos, ET_BOOL, op == EO_AND ? "'and'" : "'or'"))
            goto bad;
        next(p);
        pos = p->tpos;
        struct expr *r = sub(p);
        if (!want_type(p, r, pos, ET_BOOL, op == EO_AND ? "'and'" : "'or'")) {
            expr_free(r);
            goto bad;
        }
        e = binary(p, op, ET_BOOL, e, r);
    }
    return e;
bad:
    expr_free(e);
    return NULL;
}

static struct expr *parse_and(struct parser *p)
{
    return parse_logic(p, "and", EO_AND, parse_not);
}

static struct expr *parse_or(struct parser *p)
{
    return parse_logic(p, "or", EO_OR, parse_and);
}

static int compile(const char *text, const struct expr_resolver *r, struct expr **out,
                   char *err, size_t errlen, enum expr_type want)
{
    char dummy[1];
    struct parser p = { .s = text, .r = r, .err = err ? err : dummy, .errlen = err ? errlen : 1 };
    if (p.errlen)
        p.err[0] = '\0';
    *out = NULL;
    if (!text) {
        snprintf(p.err, p.errlen, "no expression");
        return -1;
    }
    if (strlen(text) > EXPR_TEXT_MAX) {
        snprintf(p.err, p.errlen, "the expression is longer than %d characters", EXPR_TEXT_MAX);
        return -1;
    }
    next(&p);
    if (p.tok == T_EOF) {
        fail_at(&p, 0, "the expression is empty");
        return -1;
    }
    struct expr *e = parse_or(&p);
    if (e && p.tok != T_EOF) {
        char b[40];
        fail_at(&p, p.tpos, "unexpected %s after a complete expression", tok_desc(&p, b, sizeof(b)));
    }
    if (e && !p.failed && e->type != want)
        fail_at(&p, 0, want == ET_BOOL ? "the expression is a string value, not a condition "
                                         "(compare it with ==)"
                                       : "the expression is a condition, not a string value");
    if (p.failed) {
        expr_free(e);
        return -1;
    }
    *out = e;
    return 0;
}

int expr_compile(const char *text, const struct expr_resolver *r, struct expr **out,
                 char *err, size_t errlen)
{
    return compile(text, r, out, err, errlen, ET_BOOL);
}

int expr_compile_string(const char *text, const struct expr_resolver *r, struct expr **out,
                        char *err, size_t errlen)
{
    return compile(text, r, out, err, errlen, ET_STRING);
}

bool expr_uses_class(const struct expr *e, bool (*pred)(void *ctx, int idx), void *ctx)
{
    if (!e)
        return false;
    if (e->op == EO_MEMBER && pred(ctx, e->index))
        return true;
    return expr_uses_class(e->a, pred, ctx) || expr_uses_class(e->b, pred, ctx) ||
           expr_uses_class(e->c, pred, ctx);
}
