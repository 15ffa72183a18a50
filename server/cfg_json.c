/*
 * From config text to a json-c tree, with Kea's extended JSON (ARM §6.1.1):
 * '#', '//' and block comments, trailing commas (accepted with a warning)
 * and duplicate keys (a syntax error since Kea 1.9; json-c would keep the
 * last one silently).
 *
 * One pass over a private copy of the text blanks comments and trailing
 * commas with spaces, so every byte keeps its offset and json-c's error
 * offsets still give the right line and column. The same pass follows the
 * object nesting and collects each object's keys to find duplicates. The
 * cleaned text is then parsed by json-c in strict mode (no single quotes,
 * no "TRUE", no leading zeros; Kea's booleans are lowercase only).
 */
#include "server/cfg_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSON_DEPTH 64

struct scan_key {
    const char *p;      /* first byte after the opening quote */
    size_t      len;    /* raw bytes up to the closing quote */
};

struct scan_level {
    bool             is_obj;
    bool             expect_key;
    struct scan_key *keys;
    size_t           n, cap;
};

struct scan {
    char             *buf;
    size_t            len;
    struct scan_level stack[JSON_DEPTH];
    size_t            depth;      /* levels in use; deeper nesting is not tracked */
    size_t            overflow;   /* levels opened beyond JSON_DEPTH */
    const char       *dup;        /* earliest second occurrence of a key, or NULL */
    size_t            dup_len;
};

static void pos_of(const char *buf, size_t off, unsigned *line, unsigned *col)
{
    unsigned l = 1;
    size_t bol = 0;

    for (size_t i = 0; i < off; i++)
        if (buf[i] == '\n') {
            l++;
            bol = i + 1;
        }
    *line = l;
    *col = (unsigned)(off - bol + 1);
}

static int syntax_error(struct cfg_ctx *ctx, const char *origin, const char *buf,
                        size_t off, const char *fmt, const char *arg)
{
    unsigned line, col;
    int n;

    pos_of(buf, off, &line, &col);
    n = snprintf(ctx->err, ctx->errlen, "%s:%u:%u: ", origin, line, col);
    if (n >= 0 && (size_t)n < ctx->errlen)
        snprintf(ctx->err + n, ctx->errlen - (size_t)n, fmt, arg);
    return -1;
}

/* Keys compare by their raw bytes: Kea configs never escape key names, and
 * "a" vs "\u0061" is not worth a decoder here. */
static int key_cmp(const void *a, const void *b)
{
    const struct scan_key *x = a, *y = b;

    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    int c = memcmp(x->p, y->p, x->len);
    if (c != 0)
        return c;
    return x->p < y->p ? -1 : (x->p > y->p ? 1 : 0);
}

static void check_dups(struct scan *sc, struct scan_level *lv)
{
    if (lv->n < 2)
        return;
    qsort(lv->keys, lv->n, sizeof(lv->keys[0]), key_cmp);
    for (size_t i = 1; i < lv->n; i++) {
        const struct scan_key *a = &lv->keys[i - 1], *b = &lv->keys[i];
        /* Sorted by position within equal keys, so b is the later one. */
        if (a->len == b->len && memcmp(a->p, b->p, a->len) == 0 &&
            (sc->dup == NULL || b->p < sc->dup)) {
            sc->dup = b->p;
            sc->dup_len = b->len;
        }
    }
}

static int add_key(struct scan_level *lv, const char *p, size_t len)
{
    if (lv->n == lv->cap) {
        size_t cap = lv->cap ? lv->cap * 2 : 16;
        struct scan_key *k = realloc(lv->keys, cap * sizeof(*k));
        if (k == NULL)
            return -1;
        lv->keys = k;
        lv->cap = cap;
    }
    lv->keys[lv->n].p = p;
    lv->keys[lv->n].len = len;
    lv->n++;
    return 0;
}

static void blank(char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != '\n')
            p[i] = ' ';
}

static bool ends_value(char c)
{
    return c != 0 && c != '{' && c != '[' && c != ',' && c != ':';
}

static int trailing_comma(struct cfg_ctx *ctx, const char *origin, struct scan *sc, size_t off)
{
    char line[600];
    unsigned l, c;

    pos_of(sc->buf, off, &l, &c);
    snprintf(line, sizeof(line), "%s:%u:%u: trailing comma ignored", origin, l, c);
    if (cfg_strbuf_add(&ctx->warnings, line, strlen(line)) < 0)
        return -1;
    return cfg_strbuf_add(&ctx->warnings, "\n", 1);
}

/* Blank comments and trailing commas, collect keys. Structural mistakes
 * are left for json-c to report; this pass only has to stay in bounds. */
static int scan_text(struct cfg_ctx *ctx, const char *origin, struct scan *sc)
{
    char *b = sc->buf;
    size_t n = sc->len;
    char last = 0, before_last = 0;
    size_t comma_at = 0;

    /* A UTF-8 byte order mark, as some editors write it. */
    if (n >= 3 && (unsigned char)b[0] == 0xef && (unsigned char)b[1] == 0xbb &&
        (unsigned char)b[2] == 0xbf)
        blank(b, 3);
    for (size_t i = 0; i < n; i++) {
        char c = b[i];

        if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
            continue;
        if (c == '#' || (c == '/' && i + 1 < n && b[i + 1] == '/')) {
            size_t j = i;
            while (j < n && b[j] != '\n')
                j++;
            blank(b + i, j - i);
            i = j - (j > i ? 1 : 0);
            continue;
        }
        if (c == '/' && i + 1 < n && b[i + 1] == '*') {
            size_t j = i + 2;
            while (j + 1 < n && !(b[j] == '*' && b[j + 1] == '/'))
                j++;
            if (j + 1 >= n)
                return syntax_error(ctx, origin, b, i, "%s", "unterminated comment");
            blank(b + i, j + 2 - i);
            i = j + 1;
            continue;
        }
        if (c == '"') {
            size_t j = i + 1;
            while (j < n && b[j] != '"') {
                if (b[j] == '\\' && j + 1 < n)
                    j++;
                j++;
            }
            if (j >= n)
                return 0;   /* unterminated string: json-c says where */
            if (sc->overflow == 0 && sc->depth > 0) {
                struct scan_level *lv = &sc->stack[sc->depth - 1];
                if (lv->is_obj && lv->expect_key) {
                    if (add_key(lv, b + i + 1, j - i - 1) < 0)
                        return cfg_oom(ctx);
                    lv->expect_key = false;
                }
            }
            before_last = last;
            last = '"';
            i = j;
            continue;
        }
        if ((c == '}' || c == ']') && last == ',' && ends_value(before_last)) {
            b[comma_at] = ' ';
            if (trailing_comma(ctx, origin, sc, comma_at) < 0)
                return cfg_oom(ctx);
            last = before_last;
        }
        if (c == '{' || c == '[') {
            if (sc->depth < JSON_DEPTH && sc->overflow == 0) {
                struct scan_level *lv = &sc->stack[sc->depth++];
                lv->is_obj = c == '{';
                lv->expect_key = lv->is_obj;
                lv->n = 0;
            } else {
                sc->overflow++;
            }
        } else if (c == '}' || c == ']') {
            if (sc->overflow > 0) {
                sc->overflow--;
            } else if (sc->depth > 0) {
                struct scan_level *lv = &sc->stack[--sc->depth];
                if (lv->is_obj)
                    check_dups(sc, lv);
            }
        } else if (c == ',') {
            if (sc->overflow == 0 && sc->depth > 0 && sc->stack[sc->depth - 1].is_obj)
                sc->stack[sc->depth - 1].expect_key = true;
            comma_at = i;
        }
        before_last = last;
        last = c;
    }
    return 0;
}

int cfg_json_load(struct cfg_ctx *ctx, const char *text, const char *origin,
                  struct json_object **root)
{
    struct scan sc;
    struct json_tokener *tok = NULL;
    struct json_object *obj = NULL;
    int rc = -1;

    *root = NULL;
    if (origin == NULL)
        origin = "<config>";
    memset(&sc, 0, sizeof(sc));
    sc.len = strlen(text);
    if (sc.len > (size_t)INT32_MAX - 1) {
        snprintf(ctx->err, ctx->errlen, "%s: the configuration is too large", origin);
        return -1;
    }
    sc.buf = malloc(sc.len + 1);
    if (sc.buf == NULL) {
        snprintf(ctx->err, ctx->errlen, "%s: out of memory", origin);
        return -1;
    }
    memcpy(sc.buf, text, sc.len + 1);

    if (scan_text(ctx, origin, &sc) < 0)
        goto out;

    tok = json_tokener_new_ex(JSON_DEPTH);
    if (tok == NULL) {
        snprintf(ctx->err, ctx->errlen, "%s: out of memory", origin);
        goto out;
    }
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    /* Include the NUL so a truncated document reports "unexpected end of
     * data" instead of asking for more input. */
    obj = json_tokener_parse_ex(tok, sc.buf, (int)sc.len + 1);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    if (obj == NULL || jerr != json_tokener_success) {
        size_t off = json_tokener_get_parse_end(tok);
        if (off > sc.len)
            off = sc.len;
        syntax_error(ctx, origin, sc.buf, off, "%s",
                     jerr != json_tokener_success ? json_tokener_error_desc(jerr)
                                                  : "no JSON value");
        goto out;
    }
    if (sc.dup != NULL) {
        char name[80];
        size_t k = sc.dup_len < sizeof(name) - 1 ? sc.dup_len : sizeof(name) - 1;
        memcpy(name, sc.dup, k);
        name[k] = '\0';
        /* Point at the opening quote of the second occurrence. */
        syntax_error(ctx, origin, sc.buf, (size_t)(sc.dup - sc.buf) - 1,
                     "duplicate key '%s'", name);
        goto out;
    }
    *root = obj;
    obj = NULL;
    rc = 0;
out:
    json_object_put(obj);
    if (tok != NULL)
        json_tokener_free(tok);
    for (size_t i = 0; i < JSON_DEPTH; i++)
        free(sc.stack[i].keys);
    free(sc.buf);
    return rc;
}
