/*
 * Helpers for the config parser: the JSON path kept while walking the tree
 * (every error names the exact element, "Dhcp4.subnet4[2].pools[0]: ..."),
 * the warning list, the unknown-key check, and type-checked getters that
 * turn json-c values into C values with a plain-sentence reason on failure.
 */
#include "server/cfg_internal.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cfg_strbuf_add(struct cfg_strbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->s, cap);
        if (p == NULL)
            return -1;
        b->s = p;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
    return 0;
}

void cfg_strbuf_free(struct cfg_strbuf *b)
{
    free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
}

/* Appends as much as fits; a path that overflows is shown truncated but
 * popping still restores the exact earlier prefix. */
static size_t path_append(struct cfg_ctx *ctx, const char *s)
{
    size_t old = ctx->plen;
    size_t room = sizeof(ctx->path) - 1 - ctx->plen;
    size_t n = strlen(s);

    if (n > room)
        n = room;
    memcpy(ctx->path + ctx->plen, s, n);
    ctx->plen += n;
    ctx->path[ctx->plen] = '\0';
    return old;
}

size_t cfg_path_key(struct cfg_ctx *ctx, const char *key)
{
    size_t old = ctx->plen;

    if (ctx->plen > 0)
        path_append(ctx, ".");
    path_append(ctx, key);
    return old;
}

size_t cfg_path_idx(struct cfg_ctx *ctx, size_t i)
{
    char buf[32];

    snprintf(buf, sizeof(buf), "[%zu]", i);
    return path_append(ctx, buf);
}

void cfg_path_pop(struct cfg_ctx *ctx, size_t len)
{
    if (len <= ctx->plen) {
        ctx->plen = len;
        ctx->path[len] = '\0';
    }
}

static int vfail(struct cfg_ctx *ctx, const char *key, const char *fmt, va_list ap)
{
    size_t old = key ? cfg_path_key(ctx, key) : ctx->plen;
    int n = snprintf(ctx->err, ctx->errlen, "%s: ", ctx->path);

    if (n >= 0 && (size_t)n < ctx->errlen)
        vsnprintf(ctx->err + n, ctx->errlen - (size_t)n, fmt, ap);
    cfg_path_pop(ctx, old);
    return -1;
}

int cfg_fail(struct cfg_ctx *ctx, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vfail(ctx, NULL, fmt, ap);
    va_end(ap);
    return -1;
}

int cfg_fail_key(struct cfg_ctx *ctx, const char *key, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vfail(ctx, key, fmt, ap);
    va_end(ap);
    return -1;
}

int cfg_oom(struct cfg_ctx *ctx)
{
    return cfg_fail(ctx, "out of memory");
}

int cfg_warn(struct cfg_ctx *ctx, const char *key, const char *fmt, ...)
{
    char line[1024];
    size_t old = key ? cfg_path_key(ctx, key) : ctx->plen;
    int n = snprintf(line, sizeof(line), "%s: ", ctx->path);
    va_list ap;

    cfg_path_pop(ctx, old);
    if (n < 0 || (size_t)n >= sizeof(line))
        n = 0;
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
    va_end(ap);
    if (cfg_strbuf_add(&ctx->warnings, line, strlen(line)) < 0 ||
        cfg_strbuf_add(&ctx->warnings, "\n", 1) < 0)
        return cfg_oom(ctx);
    return 0;
}

static const char *type_word(struct json_object *v)
{
    switch (json_object_get_type(v)) {
    case json_type_null:    return "null";
    case json_type_boolean: return "a boolean";
    case json_type_double:  return "a real number";
    case json_type_int:     return "an integer";
    case json_type_object:  return "a map";
    case json_type_array:   return "a list";
    case json_type_string:  return "a string";
    }
    return "an unknown type";
}

static const char *want_word(enum json_type t)
{
    switch (t) {
    case json_type_boolean: return "a boolean (true or false)";
    case json_type_double:  return "a real number";
    case json_type_int:     return "an integer";
    case json_type_object:  return "a map";
    case json_type_array:   return "a list";
    case json_type_string:  return "a string";
    default:                return "a value";
    }
}

int cfg_expect_type(struct cfg_ctx *ctx, const char *where, struct json_object *v,
                    enum json_type want)
{
    enum json_type got = json_object_get_type(v);

    /* An integer is a fine real number ("t1-percent": 1 is rejected later
     * by its range, not by its spelling). */
    if (got == want || (want == json_type_double && got == json_type_int))
        return 0;
    return cfg_fail_key(ctx, where, "expected %s, got %s", want_word(want), type_word(v));
}

struct json_object *cfg_member(struct json_object *obj, const char *key, bool *present)
{
    struct json_object *v = NULL;
    bool p = json_object_object_get_ex(obj, key, &v);

    if (present)
        *present = p;
    return v;
}

static const struct cfg_key *find_key(const struct cfg_key *k, const char *name)
{
    for (; k != NULL && k->name != NULL; k++)
        if (strcmp(k->name, name) == 0)
            return k;
    return NULL;
}

int cfg_check_keys(struct cfg_ctx *ctx, struct json_object *obj,
                   const struct cfg_key *keys, const struct cfg_key *more)
{
    json_object_object_foreach(obj, key, val) {
        if (strcmp(key, "user-context") == 0) {
            if (cfg_expect_type(ctx, key, val, json_type_object) < 0)
                return -1;
            continue;
        }
        if (strcmp(key, "comment") == 0) {
            if (cfg_expect_type(ctx, key, val, json_type_string) < 0)
                return -1;
            continue;
        }
        const struct cfg_key *k = find_key(keys, key);
        if (k == NULL)
            k = find_key(more, key);
        if (k == NULL)
            return cfg_fail_key(ctx, key, "unknown parameter");
        if (k->use == CK_IGNORE && cfg_warn(ctx, key, "ignored: not supported yet") < 0)
            return -1;
    }
    return 0;
}

int cfg_get_int(struct cfg_ctx *ctx, struct json_object *obj, const char *key,
                int64_t min, int64_t max, int64_t *out, bool *set)
{
    bool present;
    struct json_object *v = cfg_member(obj, key, &present);

    if (set)
        *set = false;
    if (!present)
        return 0;
    if (cfg_expect_type(ctx, key, v, json_type_int) < 0)
        return -1;
    /* json-c keeps integers above INT64_MAX as uint64; none of our keys
     * accepts one, so the saturated int64 value just fails the range. */
    int64_t x = json_object_get_int64(v);
    if (x < 0 && min >= 0)
        return cfg_fail_key(ctx, key, "expected a non-negative integer, got %" PRId64, x);
    if (x < min || x > max)
        return cfg_fail_key(ctx, key, "%s is out of range %" PRId64 "..%" PRId64,
                            json_object_get_string(v), min, max);
    *out = x;
    if (set)
        *set = true;
    return 0;
}

int cfg_get_u32(struct cfg_ctx *ctx, struct json_object *obj, const char *key,
                uint32_t *out, bool *set)
{
    int64_t x;
    bool s;

    if (cfg_get_int(ctx, obj, key, 0, UINT32_MAX, &x, &s) < 0)
        return -1;
    if (s)
        *out = (uint32_t)x;
    if (set)
        *set = s;
    return 0;
}

int cfg_get_bool(struct cfg_ctx *ctx, struct json_object *obj, const char *key,
                 bool *out, bool *set)
{
    bool present;
    struct json_object *v = cfg_member(obj, key, &present);

    if (set)
        *set = false;
    if (!present)
        return 0;
    if (cfg_expect_type(ctx, key, v, json_type_boolean) < 0)
        return -1;
    *out = json_object_get_boolean(v);
    if (set)
        *set = true;
    return 0;
}

int cfg_get_real(struct cfg_ctx *ctx, struct json_object *obj, const char *key,
                 double *out, bool *set)
{
    bool present;
    struct json_object *v = cfg_member(obj, key, &present);

    if (set)
        *set = false;
    if (!present)
        return 0;
    if (cfg_expect_type(ctx, key, v, json_type_double) < 0)
        return -1;
    double d = json_object_get_double(v);
    if (!isfinite(d))
        return cfg_fail_key(ctx, key, "expected a finite real number");
    *out = d;
    if (set)
        *set = true;
    return 0;
}

int cfg_get_str(struct cfg_ctx *ctx, struct json_object *obj, const char *key,
                const char **out, bool *set)
{
    bool present;
    struct json_object *v = cfg_member(obj, key, &present);

    if (set)
        *set = false;
    if (!present)
        return 0;
    if (cfg_expect_type(ctx, key, v, json_type_string) < 0)
        return -1;
    const char *s = json_object_get_string(v);
    /* A "\u0000" inside the JSON string would silently cut the C string. */
    if (strlen(s) != (size_t)json_object_get_string_len(v))
        return cfg_fail_key(ctx, key, "the string contains a NUL character");
    *out = s;
    if (set)
        *set = true;
    return 0;
}

int cfg_parse_ipv4(const char *s, uint32_t *out)
{
    struct in_addr a;

    if (inet_pton(AF_INET, s, &a) != 1)
        return -1;
    *out = ntohl(a.s_addr);
    return 0;
}

void cfg_fmt_ipv4(uint32_t a, char out[16])
{
    snprintf(out, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
}

int cfg_get_ipv4(struct cfg_ctx *ctx, struct json_object *obj, const char *key,
                 uint32_t *out, bool *set)
{
    const char *s;
    bool present;

    if (set)
        *set = false;
    if (cfg_get_str(ctx, obj, key, &s, &present) < 0)
        return -1;
    if (!present)
        return 0;
    if (cfg_parse_ipv4(s, out) < 0)
        return cfg_fail_key(ctx, key, "'%s' is not an IPv4 address", s);
    if (set)
        *set = true;
    return 0;
}

static int get_typed(struct cfg_ctx *ctx, struct json_object *obj, const char *key,
                     enum json_type t, struct json_object **out)
{
    bool present;
    struct json_object *v = cfg_member(obj, key, &present);

    *out = NULL;
    if (!present)
        return 0;
    if (cfg_expect_type(ctx, key, v, t) < 0)
        return -1;
    *out = v;
    return 0;
}

int cfg_get_array(struct cfg_ctx *ctx, struct json_object *obj, const char *key,
                  struct json_object **out)
{
    return get_typed(ctx, obj, key, json_type_array, out);
}

int cfg_get_object(struct cfg_ctx *ctx, struct json_object *obj, const char *key,
                   struct json_object **out)
{
    return get_typed(ctx, obj, key, json_type_object, out);
}

int cfg_get_str_list(struct cfg_ctx *ctx, struct json_object *obj, const char *key,
                     struct json_object **out)
{
    if (get_typed(ctx, obj, key, json_type_array, out) < 0)
        return -1;
    if (*out == NULL)
        return 0;
    size_t n = json_object_array_length(*out);
    size_t old = cfg_path_key(ctx, key);
    for (size_t i = 0; i < n; i++) {
        struct json_object *e = json_object_array_get_idx(*out, i);
        size_t o2 = cfg_path_idx(ctx, i);
        int rc = cfg_expect_type(ctx, NULL, e, json_type_string);
        cfg_path_pop(ctx, o2);
        if (rc < 0) {
            cfg_path_pop(ctx, old);
            return -1;
        }
    }
    cfg_path_pop(ctx, old);
    return 0;
}

char *cfg_strdup(struct cfg_ctx *ctx, const char *s)
{
    char *d = strdup(s);

    if (d == NULL)
        cfg_oom(ctx);
    return d;
}

int cfg_get_str_dup(struct cfg_ctx *ctx, struct json_object *obj, const char *key,
                    size_t max, char **out)
{
    const char *s;
    bool set;

    if (cfg_get_str(ctx, obj, key, &s, &set) < 0)
        return -1;
    if (!set || s[0] == '\0')
        return 0;
    if (strlen(s) > max)
        return cfg_fail_key(ctx, key, "must be at most %zu bytes long", max);
    *out = cfg_strdup(ctx, s);
    return *out ? 0 : -1;
}
