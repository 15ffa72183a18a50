/*
 * The expression compiler (Kea ARM §16.3): a recursive-descent parser over
 * the tokens of expr_lex.c that build a typed tree at config load. Types are
 * checked here (a test must be boolean, `and` takes booleans, `==` takes
 * strings, ...) so that the evaluator never meets a malformed tree. Errors
 * say the column (1-based) and a plain reason.
 *
 * Precedence, lowest first: or, and, not, ==, + (concat).
 */
#include "classify/expr_int.h"
#include "classify/expr_lex.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire/option_defs.h"

#define EXPR_TEXT_MAX   8192   /* longer expressions are refused */
#define EXPR_DEPTH_MAX  64     /* nesting limit: the parser recurses */

/* ---- nodes ------------------------------------------------------------- */

static struct expr *node(struct parser *p, enum expr_op op, enum expr_type type)
{
    struct expr *e = calloc(1, sizeof(*e));
    if (!e)
        lex_fail(p, p->tpos, "out of memory");
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
        lex_fail(p, p->tpos, "out of memory");
        return NULL;
    }
    memcpy(e->lit, v, n);
    e->lit_len = (uint32_t)n;
    return e;
}

static struct expr *hex_literal(struct parser *p)
{
    const char *h = p->s + p->tpos + 2;
    size_t nd = p->tlen - 2, n = (nd + 1) / 2;
    uint8_t *b = malloc(n);
    if (!b) {
        lex_fail(p, p->tpos, "out of memory");
        return NULL;
    }
    size_t k = 0, i = 0;
    if (nd % 2)
        b[k++] = (uint8_t)lex_hexval(h[i++]);
    for (; i < nd; i += 2)
        b[k++] = (uint8_t)(lex_hexval(h[i]) << 4 | lex_hexval(h[i + 1]));
    struct expr *e = literal(p, b, n);
    free(b);
    return e;
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
        lex_fail(p, pos, "%s needs a %s, not a %s", ctx, t == ET_BOOL ? "condition" : "string value",
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
    if (!lex_expect(p, T_LBRACK, "'['"))
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
            lex_fail(p, p->tpos, "unknown option name '%s'", name);
            return false;
        }
        *code = c;
        lex_next(p);
    } else {
        long long v;
        if (!lex_int(p, 0, 255, &v, what))
            return false;
        *code = (int)v;
    }
    return lex_expect(p, T_RBRACK, "']'");
}

/* .hex / .exists / .text after an option-like accessor. */
static struct expr *option_repr(struct parser *p, enum expr_op hex, enum expr_op exists,
                                bool has_text, int code, int sub)
{
    if (!lex_expect(p, T_DOT, "'.'"))
        return NULL;
    struct expr *e = NULL;
    if (lex_is(p, "hex"))
        e = node(p, hex, ET_STRING);
    else if (lex_is(p, "exists"))
        e = node(p, exists, ET_BOOL);
    else if (lex_is(p, "text") && has_text)
        e = node(p, EO_OPTION_TEXT, ET_STRING);
    else {
        char b[40];
        lex_fail(p, p->tpos, "expected %s, found %s",
 has_text ? "'hex', 'text' or 'exists'" : "'hex' or 'exists'",
                lex_desc(p, b, sizeof(b)));
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
    lex_next(p);
    return e;
}

static struct expr *parse_option(struct parser *p)
{
    int code;
    if (!code_index(p, &code, true, "option code"))
        return NULL;
    /* option[c].option[s].hex|exists: a sub-option (82, 43, ...). */
    if (p->tok == T_DOT && !strncmp(p->s + p->pos, "option", 6)) {
        lex_next(p);
        lex_next(p);
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
    if (!lex_expect(p, T_LBRACK, "'['"))
        return false;
    if (p->tok == T_STAR) {
        *ent = 0;
        lex_next(p);
    } else {
        long long v;
        if (!lex_int(p, 0, 0xffffffffLL, &v, "enterprise-id"))
            return false;
        *ent = (uint32_t)v;
    }
    return lex_expect(p, T_RBRACK, "']'");
}

static struct expr *parse_vendor(struct parser *p, bool vclass)
{
    uint32_t ent;
    if (p->tok == T_DOT) { /* vendor.enterprise, vendor-class.enterprise */
        lex_next(p);
        if (!lex_expect_word(p, "enterprise"))
            return NULL;
        return node(p, vclass ? EO_VCLASS_ENTERPRISE : EO_VENDOR_ENTERPRISE, ET_STRING);
    }
    if (!enterprise_index(p, &ent) || !lex_expect(p, T_DOT, "'.'"))
        return NULL;
    struct expr *e = NULL;
    if (lex_is(p, "exists")) {
        lex_next(p);
        e = node(p, vclass ? EO_VCLASS_EXISTS : EO_VENDOR_EXISTS, ET_BOOL);
    } else if (vclass && lex_is(p, "data")) {
        lex_next(p);
        long long idx = 0;
        if (p->tok == T_LBRACK) {
            lex_next(p);
            if (!lex_int(p, 0, 255, &idx, "data index") || !lex_expect(p, T_RBRACK, "']'"))
                return NULL;
        }
        e = node(p, EO_VCLASS_DATA, ET_STRING);
        if (e)
            e->index = (int32_t)idx;
    } else if (!vclass && lex_is(p, "option")) {
        lex_next(p);
        int sub;
        if (!code_index(p, &sub, false, "vendor sub-option code"))
            return NULL;
        e = option_repr(p, EO_VENDOR_OPTION_HEX, EO_VENDOR_OPTION_EXISTS, false, 0, sub);
    } else {
        char b[40];
        lex_fail(p, p->tpos, "expected %s, found %s", vclass ? "'exists' or 'data'" : "'exists' or 'option'",
                lex_desc(p, b, sizeof(b)));
        return NULL;
    }
    if (e)
        e->ent = ent;
    return e;
}

struct field { const char *name; enum expr_op op; };

static struct expr *parse_field(struct parser *p, const struct field *fields, const char *what)
{
    if (!lex_expect(p, T_DOT, "'.'"))
        return NULL;
    for (const struct field *f = fields; f->name; f++)
        if (lex_is(p, f->name)) {
            lex_next(p);
            return node(p, f->op, ET_STRING);
        }
    char b[40];
    lex_fail(p, p->tpos, "unknown %s field %s", what, lex_desc(p, b, sizeof(b)));
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
            lex_fail(p, p->tpos, "class 'KNOWN' cannot be used here");
            return NULL;
        }
    } else {
        if (!lex_expect(p, T_LPAREN, "'('"))
            return NULL;
        if (p->tok != T_STR) {
            char b[40];
            lex_fail(p, p->tpos, "member needs a quoted class name, found %s", lex_desc(p, b, sizeof(b)));
            return NULL;
        }
        char name[128];
        size_t n = p->tlen - 2;
        if (n == 0 || n >= sizeof(name)) {
            lex_fail(p, p->tpos, "member needs a class name of 1 to %zu characters", sizeof(name) - 1);
            return NULL;
        }
        memcpy(name, p->s + p->tpos + 1, n);
        name[n] = '\0';
        idx = p->r && p->r->class_index ? p->r->class_index(p->r->ctx, name) : -1;
        if (idx < 0) {
            lex_fail(p, p->tpos, "class '%s' is not defined before this one and is not built in", name);
            return NULL;
        }
        lex_next(p);
        if (!lex_expect(p, T_RPAREN, "')'"))
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
    if (!lex_expect(p, T_LPAREN, "'('") || !(e->a = string_arg(p, "substring")) ||
        !lex_expect(p, T_COMMA, "','") || !lex_int(p, -0x7fffffffLL, 0x7fffffffLL, &v, "start"))
        goto bad;
    e->start = (int32_t)v;
    if (!lex_expect(p, T_COMMA, "','"))
        goto bad;
    if (lex_is(p, "all") || (p->tok == T_STR && p->tlen == 5 && !memcmp(p->s + p->tpos, "'all'", 5))) {
        e->len_all = true;
        lex_next(p);
    } else if (!lex_int(p, -0x7fffffffLL, 0x7fffffffLL, &v, "length")) {
        goto bad;
    } else {
        e->len = (int32_t)v;
    }
    if (!lex_expect(p, T_RPAREN, "')'"))
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
    if (!e || !lex_expect(p, T_LPAREN, "'('"))
        goto bad;
    if (op == EO_IFELSE) {
        size_t pos = p->tpos;
        e->a = parse_or(p);
        if (!want_type(p, e->a, pos, ET_BOOL, "the first argument of ifelse"))
            goto bad;
    } else if (!(e->a = string_arg(p, fn))) {
        goto bad;
    }
    if (nargs >= 2 && (!lex_expect(p, T_COMMA, "','") || !(e->b = string_arg(p, fn))))
        goto bad;
    if (op == EO_IFELSE && (!lex_expect(p, T_COMMA, "','") || !(e->c = string_arg(p, fn))))
        goto bad;
    if (op == EO_SPLIT) {
        long long v;
        if (!lex_expect(p, T_COMMA, "','") || !lex_int(p, -0x7fffffffLL, 0x7fffffffLL, &v, "field number"))
            goto bad;
        e->index = (int32_t)v;
    }
    if (!lex_expect(p, T_RPAREN, "')'"))
        goto bad;
    return e;
bad:
    expr_free(e);
    return NULL;
}

#define REGEX_MAX_LEN 256
#define REGEX_MAX_QUANTIFIERS 32
#define REGEX_MAX_COUNT 100

/* Patterns glibc's regcomp would expand beyond reason: it copies the tree
 * of a repeated item for every quantifier and bound, so "a++++..." or
 * "a{1000}{1000}" exhausts memory at config load. Kea's ECMAScript regex
 * refuses a quantifier after a quantifier too. NULL when acceptable. */
static const char *regex_too_complex(const char *re, size_t len)
{
    size_t quantifiers = 0;
    bool after_quantifier = false;

    if (len > REGEX_MAX_LEN)
        return "regular expression longer than 256 characters";
    for (size_t i = 0; i < len; i++) {
        char c = re[i];
        if (c == '\\') {            /* an escaped character is a literal */
            i++;
            after_quantifier = false;
            continue;
        }
        if (c == '[') {              /* a bracket expression: its ']' may come first */
            size_t j = i + 1;
            if (j < len && re[j] == '^')
                j++;
            if (j < len && re[j] == ']')
                j++;
            while (j < len && re[j] != ']')
                j++;
            i = j;
            after_quantifier = false;
            continue;
        }
        if (c == '*' || c == '+' || c == '?' || c == '{') {
            if (after_quantifier)
                return "a quantifier may not follow another quantifier";
            if (++quantifiers > REGEX_MAX_QUANTIFIERS)
                return "regular expression with more than 32 quantifiers";
            if (c == '{') {
                unsigned long n = 0;
                for (i++; i < len && re[i] != '}'; i++)
                    if (re[i] >= '0' && re[i] <= '9') {
                        n = n * 10 + (unsigned long)(re[i] - '0');
                        if (n > REGEX_MAX_COUNT)
                            return "repetition count above 100";
                    } else {
                        n = 0;  /* the ',' between the bounds */
                    }
            }
            after_quantifier = true;
            continue;
        }
        after_quantifier = false;
    }
    return NULL;
}

/* match('regex', value): the pattern must be a literal, compiled here. */
static struct expr *parse_match(struct parser *p, size_t pos)
{
    struct expr *e = parse_call(p, EO_MATCH, 2, "match");
    if (!e)
        return NULL;
    if (e->a->op != EO_LITERAL) {
        lex_fail(p, pos, "match needs a literal regular expression as its first argument");
        expr_free(e);
        return NULL;
    }
    const char *why = regex_too_complex((const char *)e->a->lit, e->a->lit_len);
    if (why) {
        lex_fail(p, pos, "%s", why);
        expr_free(e);
        return NULL;
    }
    /* Kea matches the whole value (std::regex_match): anchor both ends. */
    char *pat = malloc(e->a->lit_len + 5);
    e->re = calloc(1, sizeof(*e->re));
    if (!pat || !e->re) {
        free(pat);
        lex_fail(p, pos, "out of memory");
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
        lex_fail(p, pos, "invalid regular expression");
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
    if (lex_is(p, "option")) {
        lex_next(p);
        return parse_option(p);
    }
    if (lex_is(p, "relay4")) {
        lex_next(p);
        int sub;
        if (!code_index(p, &sub, false, "relay sub-option code"))
            return NULL;
        return option_repr(p, EO_RELAY4_HEX, EO_RELAY4_EXISTS, false, OPT_RELAY_AGENT_INFO, sub);
    }
    if (lex_is(p, "pkt4")) {
        lex_next(p);
        return parse_field(p, pkt4_fields, "pkt4");
    }
    if (lex_is(p, "pkt")) {
        lex_next(p);
        return parse_field(p, pkt_fields, "pkt");
    }
    if (lex_is(p, "vendor") || lex_is(p, "vendor-class")) {
        bool vc = p->tlen > 6;
        lex_next(p);
        return parse_vendor(p, vc);
    }
    if (lex_is(p, "member")) {
        lex_next(p);
        return parse_member(p, false, false);
    }
    if (lex_is(p, "known") || lex_is(p, "unknown")) {
        bool neg = p->tlen == 7;
        struct expr *e = parse_member(p, true, neg);
        if (e)
            lex_next(p);
        return e;
    }
    if (lex_is(p, "substring")) {
        lex_next(p);
        return parse_substring(p);
    }
    if (lex_is(p, "match")) {
        lex_next(p);
        return parse_match(p, pos);
    }
    for (const struct func *f = funcs; f->name; f++)
        if (lex_is(p, f->name)) {
            lex_next(p);
            return parse_call(p, f->op, f->nargs, f->name);
        }
    char b[40];
    lex_fail(p, pos, "unknown name %s", lex_desc(p, b, sizeof(b)));
    return NULL;
}

static struct expr *parse_primary(struct parser *p)
{
    if (p->failed)
        return NULL;
    if (++p->depth > EXPR_DEPTH_MAX) {
        lex_fail(p, p->tpos, "the expression is nested too deeply (more than %d levels)", EXPR_DEPTH_MAX);
        return NULL;
    }
    struct expr *e = NULL;
    switch (p->tok) {
    case T_LPAREN:
        lex_next(p);
        e = parse_or(p);
        if (e && !lex_expect(p, T_RPAREN, "')'")) {
            expr_free(e);
            e = NULL;
        }
        break;
    case T_STR:
        e = literal(p, (const uint8_t *)p->s + p->tpos + 1, p->tlen - 2);
        lex_next(p);
        break;
    case T_HEX:
        e = hex_literal(p);
        lex_next(p);
        break;
    case T_IP: {
        uint8_t a[4];
        if (!lex_ip(p->s + p->tpos, p->tlen, a)) {
            lex_fail(p, p->tpos, "'%.*s' is not an IPv4 address", (int)p->tlen, p->s + p->tpos);
            break;
        }
        e = literal(p, a, 4);
        lex_next(p);
        break;
    }
    case T_INT: {
        /* Integers are 4-byte big-endian strings (ARM §16.3 notes). */
        long long v;
        if (lex_int(p, 0, 0xffffffffLL, &v, "integer")) {
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
        lex_fail(p, p->tpos, "expected a value, found %s", lex_desc(p, b, sizeof(b)));
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

/* A left-associative chain `sub OP sub OP ...` whose operands and result
 * all have type t: '+' (concat), 'and', 'or'. */
static struct expr *parse_chain(struct parser *p, const char *word, enum expr_op op,
                                enum expr_type t, struct expr *(*sub)(struct parser *))
{
    char what[8];
    snprintf(what, sizeof(what), "'%s'", word);
    size_t pos = p->tpos;
    struct expr *e = sub(p);
    while (e && (word[0] == '+' ? p->tok == T_PLUS : lex_is(p, word))) {
        if (!want_type(p, e, pos, t, what))
            goto bad;
        lex_next(p);
        pos = p->tpos;
        struct expr *r = sub(p);
        if (!want_type(p, r, pos, t, what)) {
            expr_free(r);
            goto bad;
        }
        e = binary(p, op, t, e, r);
    }
    return e;
bad:
    expr_free(e);
    return NULL;
}

static struct expr *parse_concat(struct parser *p)
{
    return parse_chain(p, "+", EO_CONCAT, ET_STRING, parse_primary);
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
    lex_next(p);
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
    if (!lex_is(p, "not"))
        return parse_cmp(p);
    if (++p->depth > EXPR_DEPTH_MAX) {
        lex_fail(p, p->tpos, "the expression is nested too deeply (more than %d levels)", EXPR_DEPTH_MAX);
        return NULL;
    }
    lex_next(p);
    size_t pos = p->tpos;
    struct expr *a = parse_not(p);
    p->depth--;
    if (!want_type(p, a, pos, ET_BOOL, "'not'")) {
        expr_free(a);
        return NULL;
    }
    return binary(p, EO_NOT, ET_BOOL, a, NULL);
}

static struct expr *parse_and(struct parser *p)
{
    return parse_chain(p, "and", EO_AND, ET_BOOL, parse_not);
}

static struct expr *parse_or(struct parser *p)
{
    return parse_chain(p, "or", EO_OR, ET_BOOL, parse_and);
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
    lex_next(&p);
    if (p.tok == T_EOF) {
        lex_fail(&p, 0, "the expression is empty");
        return -1;
    }
    struct expr *e = parse_or(&p);
    if (e && p.tok != T_EOF) {
        char b[40];
        lex_fail(&p, p.tpos, "unexpected %s after a complete expression", lex_desc(&p, b, sizeof(b)));
    }
    if (e && !p.failed && e->type != want)
        lex_fail(&p, 0, want == ET_BOOL ? "the expression is a string value, not a condition "
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
