/*
 * Sub-options into their container options, at load time, one option-data
 * scope at a time (Kea's CfgOption::encapsulate works on one scope too):
 *
 *   - an option whose definition names an "encapsulate" space (43's
 *     last-resort definition: "vendor-encapsulated-options-space", or a
 *     custom dhcp4 option-def) gets its own data followed by the options of
 *     that space as code/length/value (RFC 2132 §8.4);
 *   - vivso-suboptions (125) entries give enterprise numbers; each becomes
 *     enterprise-number, data-len, then the options of space
 *     "vendor-<number>" (RFC 3925 §4); all of them form one option 125,
 *     sent always when one of its sub-options is always-send (ARM §9.2.14).
 *
 * Sub-options are not themselves containers (one level of encapsulation).
 */
#include "server/cfg_internal.h"
#include "wire/pkt4.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ENTERPRISE_SPACE_MAX 32

static bool is_dhcp4(const char *space)
{
    return strcmp(space, "dhcp4") == 0;
}

static int fail_at(struct cfg_ctx *ctx, size_t where, const char *what)
{
    size_t old = cfg_path_key(ctx, "option-data");
    cfg_path_idx(ctx, where);
    cfg_fail(ctx, "%s", what);
    cfg_path_pop(ctx, old);
    return -1;
}

/* Append the options of space to buf[*len..cap). Returns 0, or -1 when
 * they do not fit; *any_always is set when one of them is always-send. */
static int append_space(const struct cfg_options *opts, const char **spaces, const char *space,
                        bool *used, uint8_t *buf, size_t cap, size_t *len, bool *any_always)
{
    for (size_t j = 0; j < opts->n; j++) {
        const struct cfg_option *sub = &opts->v[j];
        if (strcmp(spaces[j], space) != 0)
            continue;
        used[j] = true;
        if (sub->len > 255 || *len + 2 + sub->len > cap)
            return -1;
        buf[(*len)++] = sub->code;
        buf[(*len)++] = (uint8_t)sub->len;
        memcpy(buf + *len, sub->data, sub->len);
        *len += sub->len;
        if (sub->always_send && any_always)
            *any_always = true;
    }
    return 0;
}

static int set_payload(struct cfg_ctx *ctx, struct cfg_option *o, const uint8_t *buf, size_t len)
{
    uint8_t *d = malloc(len ? len : 1);

    if (d == NULL)
        return cfg_oom(ctx);
    memcpy(d, buf, len);
    free(o->data);
    o->data = d;
    o->len = (uint16_t)len;
    return 0;
}

static int encapsulate_one(struct cfg_ctx *ctx, struct cfg_options *opts, const char **spaces,
                           size_t i, const char *space, bool *used, size_t where)
{
    struct cfg_option *o = &opts->v[i];
    uint8_t *buf = ctx->optbuf;   /* CFG_OPT_MAX bytes, allocated by the encoder */
    size_t len = o->len;

    memcpy(buf, o->data, o->len);
    if (append_space(opts, spaces, space, used, buf, CFG_OPT_MAX, &len, NULL) < 0)
        return fail_at(ctx, where, "the option and its sub-options are longer than the "
                       "option can carry (sub-options at most 255 bytes each)");
    return set_payload(ctx, o, buf, len);
}

/* All vivso entries of the scope into the first: one block per enterprise. */
static int build_vivso(struct cfg_ctx *ctx, struct cfg_options *opts, const char **spaces,
                       size_t first, bool *used, bool *drop, const size_t *where)
{
    uint8_t *buf = ctx->optbuf;
    size_t len = 0;
    bool always = false;

    for (size_t i = first; i < opts->n; i++) {
        struct cfg_option *o = &opts->v[i];
        if (o->code != OPT_VIVSO || !is_dhcp4(spaces[i]))
            continue;
        if (o->len < 4)
            return fail_at(ctx, where[i], "vivso-suboptions needs an enterprise number");
        uint32_t ent = (uint32_t)o->data[0] << 24 | (uint32_t)o->data[1] << 16 |
                       (uint32_t)o->data[2] << 8 | o->data[3];
        char space[ENTERPRISE_SPACE_MAX];
        snprintf(space, sizeof(space), "vendor-%u", ent);
        if (len + 5 > CFG_OPT_MAX)
            return fail_at(ctx, where[i], "option 125 is too long");
        size_t head = len;
        memcpy(buf + len, o->data, 4);
        len += 5;
        /* Data written raw (csv-format false) after the number is kept. */
        size_t own = o->len > 5 ? (size_t)o->len - 5 : 0;
        if (own > 0) {
            if (len + own > CFG_OPT_MAX)
                return fail_at(ctx, where[i], "option 125 is too long");
            memcpy(buf + len, o->data + 5, own);
            len += own;
        }
        if (append_space(opts, spaces, space, used, buf, CFG_OPT_MAX, &len, &always) < 0 ||
            len - head - 5 > 255)
            return fail_at(ctx, where[i], "the sub-options of one enterprise number are "
                           "longer than 255 bytes (RFC 3925 data-len)");
        buf[head + 4] = (uint8_t)(len - head - 5);
        always = always || o->always_send;
        if (i != first)
            drop[i] = true;
    }
    opts->v[first].always_send = always;
    return set_payload(ctx, &opts->v[first], buf, len);
}

int cfg_options_encapsulate(struct cfg_ctx *ctx, struct cfg_options *opts,
                            const char **spaces, const size_t *where)
{
    bool *used = calloc(opts->n ? opts->n : 1, sizeof(*used));
    bool *drop = calloc(opts->n ? opts->n : 1, sizeof(*drop));
    bool vivso_done = false;
    int rc = -1;

    if (used == NULL || drop == NULL) {
        cfg_oom(ctx);
        goto out;
    }
    for (size_t i = 0; i < opts->n; i++) {
        if (!is_dhcp4(spaces[i]))
            continue;
        if (opts->v[i].code == OPT_VIVSO) {
            if (!vivso_done && build_vivso(ctx, opts, spaces, i, used, drop, where) < 0)
                goto out;
            vivso_done = true;
            continue;
        }
        const struct opt_def *def = cfg4_opt_def(ctx->cfg, opts->v[i].code);
        if (def != NULL && def->encapsulate[0] != '\0' &&
            encapsulate_one(ctx, opts, spaces, i, def->encapsulate, used, where[i]) < 0)
            goto out;
    }
    /* Keep the dhcp4 options; a sub-option no container took is unused. */
    size_t keep = 0;
    for (size_t i = 0; i < opts->n; i++) {
        if (is_dhcp4(spaces[i]) && !drop[i]) {
            opts->v[keep++] = opts->v[i];
            continue;
        }
        if (!is_dhcp4(spaces[i]) && !used[i]) {
            size_t old = cfg_path_key(ctx, "option-data");
            cfg_path_idx(ctx, where[i]);
            int w = cfg_warn(ctx, "space", "ignored: no option in this scope encapsulates "
                             "space '%s'", spaces[i]);
            cfg_path_pop(ctx, old);
            if (w < 0) {
                free(opts->v[i].data);
                for (size_t j = i + 1; j < opts->n; j++)
                    opts->v[keep++] = opts->v[j];
                opts->n = keep;
                goto out;
            }
        }
        free(opts->v[i].data);
    }
    opts->n = keep;
    rc = 0;
out:
    free(used);
    free(drop);
    return rc;
}
