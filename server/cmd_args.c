/* Argument helpers of the command modules; see cmd_args.h. */
#include "server/cmd_args.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

int cmd_args_map(struct json_object *args, struct ctrl_answer *ans)
{
    if (args == NULL) {
        ctrl_answer_set(ans, CTRL_ERROR, "no parameters specified for the command");
        return -1;
    }
    if (!json_object_is_type(args, json_type_object)) {
        ctrl_answer_set(ans, CTRL_ERROR, "parameters must be a map");
        return -1;
    }
    return 0;
}

/* The member, or NULL; the error for a required one that is missing. */
static struct json_object *member(struct json_object *args, const char *name, bool required,
                                  bool *present, struct ctrl_answer *ans, int *rc)
{
    struct json_object *v = NULL;

    *rc = 0;
    if (args == NULL || !json_object_object_get_ex(args, name, &v))
        v = NULL;
    if (present != NULL)
        *present = v != NULL;
    if (v == NULL && required) {
        ctrl_answer_set(ans, CTRL_ERROR, "missing parameter '%s'", name);
        *rc = -1;
    }
    return v;
}

static int wrong_type(struct ctrl_answer *ans, const char *name, const char *what)
{
    ctrl_answer_set(ans, CTRL_ERROR, "'%s' is not %s", name, what);
    return -1;
}

int cmd_arg_str(struct json_object *args, const char *name, bool required,
                const char **out, bool *present, struct ctrl_answer *ans)
{
    int rc;
    struct json_object *v = member(args, name, required, present, ans, &rc);
    if (v == NULL)
        return rc;
    if (!json_object_is_type(v, json_type_string))
        return wrong_type(ans, name, "a string");
    *out = json_object_get_string(v);
    return 0;
}

int cmd_arg_i64(struct json_object *args, const char *name, bool required,
                int64_t *out, bool *present, struct ctrl_answer *ans)
{
    int rc;
    struct json_object *v = member(args, name, required, present, ans, &rc);
    if (v == NULL)
        return rc;
    if (!json_object_is_type(v, json_type_int))
        return wrong_type(ans, name, "an integer");
    *out = json_object_get_int64(v);
    return 0;
}

int cmd_arg_u32(struct json_object *args, const char *name, bool required,
                uint32_t *out, bool *present, struct ctrl_answer *ans)
{
    int64_t x = 0;
    bool here = false;

    if (cmd_arg_i64(args, name, required, &x, &here, ans) != 0)
        return -1;
    if (present != NULL)
        *present = here;
    if (!here)
        return 0;
    if (x < 0 || x > UINT32_MAX) {
        ctrl_answer_set(ans, CTRL_ERROR, "'%s' is out of range (0 .. 4294967295)", name);
        return -1;
    }
    *out = (uint32_t)x;
    return 0;
}

int cmd_arg_bool(struct json_object *args, const char *name, bool *out,
                 bool *present, struct ctrl_answer *ans)
{
    int rc;
    struct json_object *v = member(args, name, false, present, ans, &rc);
    if (v == NULL)
        return rc;
    if (!json_object_is_type(v, json_type_boolean))
        return wrong_type(ans, name, "a boolean");
    *out = json_object_get_boolean(v);
    return 0;
}

int cmd_parse_ipv4(const char *s, uint32_t *out)
{
    struct in_addr a;
    if (inet_pton(AF_INET, s, &a) != 1)
        return -1;
    *out = ntohl(a.s_addr);
    return 0;
}

void cmd_format_ipv4(uint32_t addr, char out[16])
{
    snprintf(out, 16, "%u.%u.%u.%u", addr >> 24, addr >> 16 & 255, addr >> 8 & 255, addr & 255);
}

int cmd_arg_ipv4(struct json_object *args, const char *name, bool required,
                 uint32_t *out, bool *present, struct ctrl_answer *ans)
{
    const char *s = NULL;
    bool here = false;

    if (cmd_arg_str(args, name, required, &s, &here, ans) != 0)
        return -1;
    if (present != NULL)
        *present = here;
    if (here && cmd_parse_ipv4(s, out) != 0) {
        ctrl_answer_set(ans, CTRL_ERROR, "'%s' is not a valid IPv4 address: '%s'", name, s);
        return -1;
    }
    return 0;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int cmd_parse_hex(const char *s, uint8_t *out, size_t max, size_t *len)
{
    size_t n = 0;
    bool sep = strchr(s, ':') != NULL || strchr(s, '-') != NULL;

    while (*s != '\0') {
        int hi = hexval((unsigned char)s[0]), lo;
        if (hi < 0 || n == max)
            return -1;
        if (sep && (s[1] == '\0' || s[1] == ':' || s[1] == '-')) {
            lo = hi;        /* "1:2:3": one digit per byte */
            hi = 0;
            s += 1;
        } else {
            if ((lo = hexval((unsigned char)s[1])) < 0)
                return -1;
            s += 2;
        }
        out[n++] = (uint8_t)(hi << 4 | lo);
        if (sep && *s != '\0') {
            if (*s != ':' && *s != '-')
                return -1;
            if (*++s == '\0')
                return -1;
        }
    }
    if (n == 0)
        return -1;
    *len = n;
    return 0;
}

void cmd_format_hex(const uint8_t *p, size_t len, char *out, size_t cap)
{
    size_t o = 0;
    if (cap == 0)
        return;
    out[0] = '\0';
    for (size_t i = 0; i < len && o + 4 <= cap; i++)
        o += (size_t)snprintf(out + o, cap - o, i ? ":%02x" : "%02x", p[i]);
}

int cmd_arg_hex(struct json_object *args, const char *name, bool required,
                uint8_t *out, size_t max, size_t *len, bool *present,
                struct ctrl_answer *ans)
{
    const char *s = NULL;
    bool here = false;

    if (cmd_arg_str(args, name, required, &s, &here, ans) != 0)
        return -1;
    if (present != NULL)
        *present = here;
    if (here && cmd_parse_hex(s, out, max, len) != 0) {
        ctrl_answer_set(ans, CTRL_ERROR, "'%s' is not valid hexadecimal bytes (at most %zu): '%s'",
                        name, max, s);
        return -1;
    }
    return 0;
}
