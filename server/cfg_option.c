/*
 * option-def and option-data (ARM §9.2.10-9.2.14, spec §1.7): custom
 * definitions in the dhcp4 space and in sub-option spaces, and option
 * values encoded to wire bytes at load time (csv-format through the option
 * definition, or raw hex) so the packet path only copies bytes; sub-options
 * then go into their containers (cfg_option_encap.c). Options the server computes itself
 * are refused here instead of being silently overridden later.
 */
#include "server/cfg_internal.h"
#include "wire/pkt4.h"

#include <stdlib.h>
#include <string.h>


static const struct cfg_key optdef_keys[] = {
    USE("name"), USE("code"), USE("type"), USE("record-types"), USE("space"),
    USE("encapsulate"), USE("array"),
    { NULL, CK_END }
};

static const struct cfg_key optdata_keys[] = {
    USE("name"), USE("data"), USE("code"), USE("space"), USE("csv-format"),
    USE("always-send"), USE("never-send"), USE("client-classes"),
    { NULL, CK_END }
};

static const char DHCP4[] = "dhcp4";

static const struct opt_def *custom_by_name(const struct cfg4 *cfg, const char *space,
                                            const char *name)
{
    for (size_t i = 0; i < cfg->n_option_defs; i++)
        if (strcmp(cfg->option_defs[i].name, name) == 0 &&
            strcmp(cfg->option_defs[i].space, space) == 0)
            return &cfg->option_defs[i];
    return NULL;
}

static const struct opt_def *custom_by_code(const struct cfg4 *cfg, const char *space,
                                            unsigned code)
{
    for (size_t i = 0; i < cfg->n_option_defs; i++)
        if (cfg->option_defs[i].code == code && strcmp(cfg->option_defs[i].space, space) == 0)
            return &cfg->option_defs[i];
    return NULL;
}

const struct opt_def *cfg4_opt_def(const struct cfg4 *cfg, uint8_t code)
{
    const struct opt_def *d = cfg ? custom_by_code(cfg, DHCP4, code) : NULL;

    return d ? d : opt_def_std_by_code(code);
}

/* Codes 0 (pad) and 255 (end) carry no data (RFC 2132 §3.1, §3.2). */
static int get_code(struct cfg_ctx *ctx, struct json_object *o, int64_t *code, bool *set)
{
    return cfg_get_int(ctx, o, "code", 0, 65535, code, set);
}

static int check_dhcp4_code(struct cfg_ctx *ctx, int64_t code)
{
    if (code < 1 || code > 254)
        return cfg_fail_key(ctx, "code", "option code %lld is out of range 1..254",
                            (long long)code);
    return 0;
}

/* Kea's option names: letters, digits, '-' and '_'. */
static bool valid_name(const char *s)
{
    if (*s == '\0')
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
            return false;
    return true;
}

static int parse_record_types(struct cfg_ctx *ctx, const char *text, struct opt_def *def)
{
    size_t n = 0;
    const char *p = text;

    while (*p) {
        while (*p == ' ' || *p == '\t')
            p++;
        const char *start = p;
        while (*p && *p != ',')
            p++;
        const char *end = p;
        while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
        char word[32];
        size_t len = (size_t)(end - start);
        if (len == 0 || len >= sizeof(word))
            return cfg_fail_key(ctx, "record-types", "'%s' is not a list of field types", text);
        memcpy(word, start, len);
        word[len] = '\0';
        enum opt_type t = opt_type_from_name(word);
        if (t == OT_NONE || t == OT_RECORD || t == OT_EMPTY || t == OT_INTERNAL)
            return cfg_fail_key(ctx, "record-types", "'%s' is not a record field type", word);
        /* Keep one slot for the OT_NONE terminator. */
        if (n + 1 >= OPT_DEF_MAX_FIELDS)
            return cfg_fail_key(ctx, "record-types", "a record has at most %d fields",
                                OPT_DEF_MAX_FIELDS - 1);
        def->fields[n++] = t;
        if (*p == ',')
            p++;
    }
    if (n == 0)
        return cfg_fail_key(ctx, "record-types", "a record needs at least one field type");
    def->fields[n] = OT_NONE;
    return 0;
}

/* Option space names: Kea's option name characters. */
static int check_space(struct cfg_ctx *ctx, const char *space, size_t cap)
{
    if (!valid_name(space) || strlen(space) >= cap)
        return cfg_fail_key(ctx, "space", "'%s' is not a valid option space name", space);
    return 0;
}

/* Codes 1..254 in dhcp4; a sub-option space may use 0 and 255 too (ARM
 * §9.2.13: they are then no longer PAD and END). */
static int check_code_in(struct cfg_ctx *ctx, const char *space, int64_t code)
{
    if (strcmp(space, DHCP4) == 0)
        return check_dhcp4_code(ctx, code);
    if (code < 0 || code > 255)
        return cfg_fail_key(ctx, "code", "option code %lld is out of range 0..255",
                            (long long)code);
    return 0;
}

/* One option-def entry, in dhcp4 or in a sub-option space. */
static int parse_def(struct cfg_ctx *ctx, struct json_object *o, struct opt_def *def)
{
    const struct cfg4 *cfg = ctx->cfg;
    const char *name, *type, *space = "dhcp4", *rec = "", *encap = "";
    int64_t code;
    bool has_name, has_code, has_type;

    memset(def, 0, sizeof(*def));
    if (cfg_expect_type(ctx, NULL, o, json_type_object) < 0 ||
        cfg_check_keys(ctx, o, optdef_keys, NULL) < 0 ||
        cfg_get_str(ctx, o, "name", &name, &has_name) < 0 ||
        get_code(ctx, o, &code, &has_code) < 0 ||
        cfg_get_str(ctx, o, "type", &type, &has_type) < 0 ||
        cfg_get_str(ctx, o, "space", &space, NULL) < 0 ||
        cfg_get_str(ctx, o, "record-types", &rec, NULL) < 0 ||
        cfg_get_str(ctx, o, "encapsulate", &encap, NULL) < 0 ||
        cfg_get_bool(ctx, o, "array", &def->array, NULL) < 0)
        return -1;
    if (!has_name)
        return cfg_fail(ctx, "missing parameter 'name'");
    if (!has_code)
        return cfg_fail(ctx, "missing parameter 'code'");
    if (!has_type)
        return cfg_fail(ctx, "missing parameter 'type'");
    if (check_space(ctx, space, sizeof(def->space)) < 0)
        return -1;
    if (!valid_name(name) || strlen(name) >= sizeof(def->name))
        return cfg_fail_key(ctx, "name", "'%s' is not a valid option name", name);
    if (check_code_in(ctx, space, code) < 0)
        return -1;
    bool dhcp4 = strcmp(space, DHCP4) == 0;
    /* Option 43's standard definition is only a last resort (ARM §9.2.13):
     * a global option-def of 43 replaces it. */
    const struct opt_def *std = dhcp4 ? opt_def_std_by_code((uint8_t)code) : NULL;
    if (std != NULL && code != OPT_VENDOR_SPECIFIC)
        return cfg_fail_key(ctx, "code", "option code %lld is standard option '%s' and "
                            "cannot be redefined", (long long)code, std->name);
    std = dhcp4 ? opt_def_std_by_name(name) : NULL;
    if (std != NULL && !(std->code == OPT_VENDOR_SPECIFIC && code == OPT_VENDOR_SPECIFIC))
        return cfg_fail_key(ctx, "name", "'%s' is the name of standard option %u and "
                            "cannot be redefined", name, std->code);
    if (custom_by_code(cfg, space, (unsigned)code) != NULL)
        return cfg_fail_key(ctx, "code", "option code %lld is already defined in space '%s'",
                            (long long)code, space);
    if (custom_by_name(cfg, space, name) != NULL)
        return cfg_fail_key(ctx, "name", "option '%s' is already defined in space '%s'",
                            name, space);

    def->code = (uint8_t)code;
    strcpy(def->name, name);   /* lengths checked above */
    strcpy(def->space, space);
    def->type = opt_type_from_name(type);
    if (def->type == OT_NONE || def->type == OT_INTERNAL)
        return cfg_fail_key(ctx, "type", "'%s' is not an option type", type);
    if (def->array && (def->type == OT_EMPTY || def->type == OT_BINARY ||
                       def->type == OT_STRING))
        return cfg_fail_key(ctx, "array", "an option of type %s cannot be an array", type);
    if (def->type == OT_RECORD) {
        if (parse_record_types(ctx, rec, def) < 0)
            return -1;
    } else if (rec[0] != '\0') {
        return cfg_fail_key(ctx, "record-types", "only an option of type record has record-types");
    }
    if (encap[0] != '\0' && (!valid_name(encap) || strlen(encap) >= sizeof(def->encapsulate)))
        return cfg_fail_key(ctx, "encapsulate", "'%s' is not a valid option space name", encap);
    if (encap[0] != '\0' && strcmp(encap, space) == 0)
        return cfg_fail_key(ctx, "encapsulate", "an option cannot encapsulate its own space");
    strcpy(def->encapsulate, encap);
    return 0;
}

int cfg_option_defs_parse(struct cfg_ctx *ctx, struct json_object *scope)
{
    struct cfg4 *cfg = ctx->cfg;
    struct json_object *list;

    if (cfg_get_array(ctx, scope, "option-def", &list) < 0)
        return -1;
    if (list == NULL)
        return 0;
    size_t n = json_object_array_length(list);
    cfg->option_defs = calloc(n ? n : 1, sizeof(*cfg->option_defs));
    if (cfg->option_defs == NULL)
        return cfg_oom(ctx);
    size_t old = cfg_path_key(ctx, "option-def");
    for (size_t i = 0; i < n; i++) {
        struct opt_def def;
        size_t o2 = cfg_path_idx(ctx, i);
        if (parse_def(ctx, json_object_array_get_idx(list, i), &def) < 0)
            return -1;
        cfg->option_defs[cfg->n_option_defs++] = def;
        cfg_path_pop(ctx, o2);
    }
    cfg_path_pop(ctx, old);
    return 0;
}

/* Options the server computes per packet (ARM §9.2.10, "options that
 * cannot be configured"); configuring them would fight the server. */
const char *cfg4_option_managed(unsigned code)
{
    switch (code) {
    case 50: return "it is sent by clients only";
    case 51: return "set valid-lifetime instead";
    case 52: return "the server decides on overloading";
    case 53: return "the server sets the message type";
    case 55: return "it is sent by clients only";
    case 57: return "it is sent by clients only";
    case 58: return "set renew-timer instead";
    case 59: return "set rebind-timer instead";
    case 61: return "the client identifier comes from the client";
    case 82: return "relay agents insert it";
    default: return NULL;
    }
}

static int encode(struct cfg_ctx *ctx, const struct opt_def *def, unsigned code, bool csv,
                  const char *data, size_t *len)
{
    char why[256] = "";

    if (ctx->optbuf == NULL) {
        ctx->optbuf = malloc(CFG_OPT_MAX);
        if (ctx->optbuf == NULL)
            return cfg_oom(ctx);
    }
    if (csv) {
        if (def == NULL)
            return cfg_fail(ctx, "no definition for option code %u; use csv-format false", code);
        if (opt_encode_csv(def, data, ctx->optbuf, CFG_OPT_MAX, len, why, sizeof(why)) < 0)
            return cfg_fail_key(ctx, "data", "%s", why[0] ? why : "cannot be encoded");
    } else if (opt_encode_hex(data, ctx->optbuf, CFG_OPT_MAX, len, why, sizeof(why)) < 0) {
        return cfg_fail_key(ctx, "data", "%s", why[0] ? why : "is not valid hex");
    }
    if (*len > CFG_OPT_MAX)
        return cfg_fail_key(ctx, "data", "the option is longer than %d bytes", CFG_OPT_MAX);
    return 0;
}

/* The definition option-data names: by name or code in its space (custom
 * definitions first in dhcp4, then the standard table). */
static int find_def(struct cfg_ctx *ctx, const char *space, const char *name, bool has_name,
                    int64_t *code, bool has_code, const struct opt_def **def)
{
    bool dhcp4 = strcmp(space, DHCP4) == 0;

    if (!has_name) {
        *def = dhcp4 ? cfg4_opt_def(ctx->cfg, (uint8_t)*code)
                     : custom_by_code(ctx->cfg, space, (unsigned)*code);
        return 0;
    }
    *def = custom_by_name(ctx->cfg, space, name);
    if (*def == NULL && dhcp4)
        *def = opt_def_std_by_name(name);
    if (*def == NULL)
        return dhcp4 ? cfg_fail_key(ctx, "name", "unknown option name '%s'", name)
                     : cfg_fail_key(ctx, "name", "unknown option name '%s' in space '%s'",
                                    name, space);
    if (has_code && (*def)->code != *code)
        return cfg_fail_key(ctx, "code", "option '%s' has code %u, not %lld",
                            name, (*def)->code, (long long)*code);
    *code = (*def)->code;
    return 0;
}

/* One option-data entry; *space gets its space (points into the JSON). */
static int parse_option(struct cfg_ctx *ctx, struct json_object *o, struct cfg_options *out,
                        const char **space_out)
{
    const char *name = NULL, *space = DHCP4, *data = "";
    struct json_object *classes;
    struct class_guard tags = { NULL, 0 };
    const struct opt_def *def = NULL;
    bool has_name, has_code, csv = true, always = false, never = false;
    int64_t code = 0;
    size_t len = 0;

    if (cfg_expect_type(ctx, NULL, o, json_type_object) < 0 ||
        cfg_check_keys(ctx, o, optdata_keys, NULL) < 0 ||
        cfg_get_str(ctx, o, "name", &name, &has_name) < 0 ||
        get_code(ctx, o, &code, &has_code) < 0 ||
        cfg_get_str(ctx, o, "space", &space, NULL) < 0 ||
        cfg_get_bool(ctx, o, "csv-format", &csv, NULL) < 0 ||
        cfg_get_str(ctx, o, "data", &data, NULL) < 0 ||
        cfg_get_bool(ctx, o, "always-send", &always, NULL) < 0 ||
        cfg_get_bool(ctx, o, "never-send", &never, NULL) < 0 ||
        cfg_get_str_list(ctx, o, "client-classes", &classes) < 0)
        return -1;
    if (check_space(ctx, space, sizeof(((struct opt_def *)0)->space)) < 0)
        return -1;
    bool dhcp4 = strcmp(space, DHCP4) == 0;
    if (!has_name && !has_code)
        return cfg_fail(ctx, "an option needs a name or a code");
    if (has_code && check_code_in(ctx, space, code) < 0)
        return -1;
    if (find_def(ctx, space, name, has_name, &code, has_code, &def) < 0)
        return -1;
    const char *why = dhcp4 ? cfg4_option_managed((unsigned)code) : NULL;
    if (why != NULL)
        return cfg_fail(ctx, "option %lld (%s) is managed by the server and cannot be "
                        "configured; %s", (long long)code, def ? def->name : "?", why);
    if (encode(ctx, def, (unsigned)code, csv, data, &len) < 0)
        return -1;
    /* Class-tagged options go only to class members (ARM §16.9). */
    if (classes != NULL && cfg_class_list_parse(ctx, o, "client-classes", &tags) < 0) {
        cfg_class_list_free(&tags);
        return -1;
    }
    /* Kea keeps both and warns (DHCPSRV_CFGMGR_OPTION_DUPLICATE); a v4
     * reply carries one instance, so keep the first. vivso (125) is keyed
     * by enterprise number too: several vendors go into one option.
     * Differently tagged instances are alternatives and all kept. */
    for (size_t i = 0; i < out->n && !tags.n; i++)
        if (out->v[i].code == code && !out->v[i].classes.n && strcmp(space_out[i], space) == 0 &&
            !(dhcp4 && code == OPT_VIVSO))
            return cfg_warn(ctx, NULL, "option %lld is configured more than once in this "
                            "scope; the first one is used", (long long)code);

    struct cfg_option *opt = &out->v[out->n];
    opt->data = malloc(len ? len : 1);
    if (opt->data == NULL) {
        cfg_class_list_free(&tags);
        return cfg_oom(ctx);
    }
    opt->classes = tags;
    memcpy(opt->data, ctx->optbuf, len);
    opt->code = (uint8_t)code;
    opt->len = (uint16_t)len;
    opt->always_send = always;
    opt->never_send = never;
    space_out[out->n] = space;
    out->n++;
    return 0;
}

int cfg_options_parse(struct cfg_ctx *ctx, struct json_object *scope, struct cfg_options *out)
{
    struct json_object *list;
    const char **spaces;
    size_t *where;
    int rc = -1;

    if (cfg_get_array(ctx, scope, "option-data", &list) < 0)
        return -1;
    if (list == NULL)
        return 0;
    size_t n = json_object_array_length(list);
    if (n == 0)
        return 0;
    out->v = calloc(n, sizeof(*out->v));
    spaces = calloc(n, sizeof(*spaces));
    where = calloc(n, sizeof(*where));
    if (out->v == NULL || spaces == NULL || where == NULL) {
        cfg_oom(ctx);
        goto out;
    }
    size_t old = cfg_path_key(ctx, "option-data");
    for (size_t i = 0; i < n; i++) {
        size_t o2 = cfg_path_idx(ctx, i);
        size_t before = out->n;
        if (parse_option(ctx, json_object_array_get_idx(list, i), out, spaces) < 0)
            goto out;
        if (out->n > before)
            where[before] = i;
        cfg_path_pop(ctx, o2);
    }
    cfg_path_pop(ctx, old);
    rc = cfg_options_encapsulate(ctx, out, spaces, where);
out:
    free(spaces);
    free(where);
    return rc;
}
