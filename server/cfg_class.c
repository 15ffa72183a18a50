/*
 * client-classes[] (ARM §16.4, spec §1.8) and the class lists that point at
 * them: subnet and pool guards (client-class, client-classes), the
 * evaluate-additional-classes lists, reservations' client-classes.
 *
 * Every class name the config uses gets an index into cfg4.classes, the
 * built-ins first (ALL, KNOWN, UNKNOWN, BOOTP), so the packet path works on
 * a bit set. Tests are compiled here; a class may only use classes defined
 * before it, or built-in ones, like Kea.
 */
#include "server/cfg_internal.h"

#include <stdlib.h>
#include <string.h>

#include "classify/expr.h"

static const struct cfg_key class_keys[] = {
    USE("name"), USE("test"), USE("template-test"), USE("only-if-required"),
    USE("only-in-additional-list"), USE("option-data"), USE("option-def"),
    USE("next-server"), USE("server-hostname"), USE("boot-file-name"),
    USE("valid-lifetime"), USE("min-valid-lifetime"), USE("max-valid-lifetime"),
    IGN("offer-lifetime"),
    { NULL, CK_END }
};

static const char *const builtin_names[CLASS_BUILTINS] = {
    [CLASS_ALL] = "ALL", [CLASS_KNOWN] = "KNOWN", [CLASS_UNKNOWN] = "UNKNOWN", [CLASS_BOOTP] = "BOOTP",
};

/* Names any test may use without a definition (ARM §16.2). */
static bool builtin_prefix(const char *name)
{
    static const char *const prefixes[] = { "VENDOR_CLASS_", "HA_", "AFTER_", "EXTERNAL_", "SKIP_DDNS" };
    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
        if (!strncmp(name, prefixes[i], strlen(prefixes[i])))
            return true;
    return false;
}

static int find_class(const struct cfg4 *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->n_classes; i++)
        if (!strcmp(cfg->classes[i].name, name))
            return (int)i;
    return -1;
}

static int add_entry(struct cfg_ctx *ctx, const char *name)
{
    struct cfg4 *cfg = ctx->cfg;
    if (cfg->n_classes >= CLASS_MAX)
        return cfg_fail(ctx, "more than %d client class names are used", CLASS_MAX);
    if ((cfg->n_classes & 15) == 0) {
        struct cfg_class *v = realloc(cfg->classes, (cfg->n_classes + 16) * sizeof(*v));
        if (!v)
            return cfg_oom(ctx);
        cfg->classes = v;
    }
    struct cfg_class *c = &cfg->classes[cfg->n_classes];
    memset(c, 0, sizeof(*c));
    c->name = cfg_strdup(ctx, name);
    if (!c->name)
        return -1;
    if (!strncmp(name, "VENDOR_CLASS_", 13))
        cfg->class_vendor = true;
    if (!strcmp(name, "DROP"))
        cfg->class_drop = (int)cfg->n_classes;
    return (int)cfg->n_classes++;
}

/* Index of name, registering it (and, on first use, the built-ins). */
static int class_ref(struct cfg_ctx *ctx, const char *name)
{
    if (ctx->cfg->n_classes == 0)
        for (int i = 0; i < CLASS_BUILTINS; i++)
            if (add_entry(ctx, builtin_names[i]) < 0)
                return -1;
    int i = find_class(ctx->cfg, name);
    return i >= 0 ? i : add_entry(ctx, name);
}

/* ---- class lists ------------------------------------------------------- */

static int list_add(struct cfg_ctx *ctx, struct class_guard *g, const char *key, const char *name)
{
    if (name[0] == '\0')
        return cfg_fail_key(ctx, key, "a class name must not be empty");
    int idx = class_ref(ctx, name);
    if (idx < 0)
        return -1;
    for (uint16_t i = 0; i < g->n; i++)
        if (g->idx[i] == idx)
            return 0;
    uint16_t *v = realloc(g->idx, (g->n + 1u) * sizeof(*v));
    if (!v)
        return cfg_oom(ctx);
    g->idx = v;
    g->idx[g->n++] = (uint16_t)idx;
    return 0;
}

int cfg_class_list_parse(struct cfg_ctx *ctx, struct json_object *obj, const char *key,
                         struct class_guard *out)
{
    struct json_object *list;
    if (cfg_get_str_list(ctx, obj, key, &list) < 0)
        return -1;
    size_t n = list ? json_object_array_length(list) : 0;
    for (size_t i = 0; i < n; i++) {
        size_t old = cfg_path_key(ctx, key);
        cfg_path_idx(ctx, i);
        int rc = list_add(ctx, out, NULL, json_object_get_string(json_object_array_get_idx(list, i)));
        cfg_path_pop(ctx, old);
        if (rc < 0)
            return -1;
    }
    return 0;
}

int cfg_class_guard_parse(struct cfg_ctx *ctx, struct json_object *obj, struct class_guard *guard,
                          struct class_guard *additional)
{
    const char *one;
    bool set;
    struct json_object *list;
    if (cfg_get_str(ctx, obj, "client-class", &one, &set) < 0 ||
        cfg_get_str_list(ctx, obj, "client-classes", &list) < 0)
        return -1;
    if (set && one[0] && list && json_object_array_length(list))
        return cfg_fail(ctx, "client-class and client-classes cannot both be set");
    if (set && one[0] && list_add(ctx, guard, "client-class", one) < 0)
        return -1;
    if (cfg_class_list_parse(ctx, obj, "client-classes", guard) < 0)
        return -1;
    if (cfg_member(obj, "require-client-classes", NULL) && cfg_member(obj, "evaluate-additional-classes", NULL))
        return cfg_fail(ctx, "require-client-classes and evaluate-additional-classes cannot both be set");
    return cfg_class_list_parse(ctx, obj, "require-client-classes", additional) < 0 ||
           cfg_class_list_parse(ctx, obj, "evaluate-additional-classes", additional) < 0 ? -1 : 0;
}

void cfg_class_list_free(struct class_guard *g)
{
    free(g->idx);
    g->idx = NULL;
    g->n = 0;
}

/* ---- client-classes[] -------------------------------------------------- */

struct resolve_ctx {
    struct cfg_ctx *ctx;
};

static int resolve_class(void *p, const char *name)
{
    struct cfg_ctx *ctx = ((struct resolve_ctx *)p)->ctx;
    for (int i = 0; i < CLASS_BUILTINS; i++)
        if (!strcmp(name, builtin_names[i]))
            return class_ref(ctx, name);
    if (builtin_prefix(name))
        return class_ref(ctx, name);
    int i = find_class(ctx->cfg, name);
    return i >= 0 && ctx->cfg->classes[i].defined ? i : -1;
}

static int resolve_option(void *p, const char *name)
{
    const struct cfg4 *cfg = ((struct resolve_ctx *)p)->ctx->cfg;
    for (size_t i = 0; i < cfg->n_option_defs; i++)
        if (!strcmp(cfg->option_defs[i].name, name) && !strcmp(cfg->option_defs[i].space, "dhcp4"))
            return cfg->option_defs[i].code;
    return -1;
}

static bool known_dependent(void *p, int idx)
{
    const struct cfg4 *cfg = p;
    return idx == CLASS_KNOWN || idx == CLASS_UNKNOWN || cfg->classes[idx].depends_known;
}

static int parse_fields(struct cfg_ctx *ctx, struct json_object *o, struct cfg_class *c)
{
    const char *s;
    bool set;
    if (cfg_get_str(ctx, o, "next-server", &s, &set) < 0)
        return -1;
    if (set && s[0]) {
        if (cfg_parse_ipv4(s, &c->next_server) < 0)
            return cfg_fail_key(ctx, "next-server", "'%s' is not an IPv4 address", s);
        c->has_next_server = true;
    }
    if (cfg_get_str_dup(ctx, o, "server-hostname", CFG_SNAME_MAX, &c->server_hostname) < 0 ||
        cfg_get_str_dup(ctx, o, "boot-file-name", CFG_FILE_MAX, &c->boot_file_name) < 0)
        return -1;
    return cfg_valid_triplet_parse(ctx, o, &c->has_valid, &c->valid_lft, &c->min_valid_lft,
                                   &c->max_valid_lft);
}

static int parse_class(struct cfg_ctx *ctx, struct json_object *o)
{
    const char *name, *test = NULL;
    bool set, has_test, oir = false, oial = false, oir_set, oial_set;
    struct json_object *defs;
    struct cfg_class c;

    memset(&c, 0, sizeof(c));
    if (cfg_expect_type(ctx, NULL, o, json_type_object) < 0 || cfg_check_keys(ctx, o, class_keys, NULL) < 0 ||
        cfg_get_str(ctx, o, "name", &name, &set) < 0 || cfg_get_str(ctx, o, "test", &test, &has_test) < 0 ||
        cfg_get_bool(ctx, o, "only-if-required", &oir, &oir_set) < 0 ||
        cfg_get_bool(ctx, o, "only-in-additional-list", &oial, &oial_set) < 0 ||
        cfg_get_array(ctx, o, "option-def", &defs) < 0)
        return -1;
    if (!set || name[0] == '\0')
        return cfg_fail(ctx, "a client class needs a non-empty 'name'");
    for (int i = 0; i < CLASS_BUILTINS; i++)
        if (!strcmp(name, builtin_names[i]))
            return cfg_fail_key(ctx, "name", "'%s' is a built-in class and cannot be defined", name);
    int have = find_class(ctx->cfg, name);
    if (have >= 0 && ctx->cfg->classes[have].defined)
        return cfg_fail_key(ctx, "name", "class '%s' is defined more than once", name);
    if (cfg_member(o, "template-test", NULL))
        return cfg_fail_key(ctx, "template-test", "template classes (SPAWN_) are not supported yet");
    if (defs && json_object_array_length(defs))
        return cfg_fail_key(ctx, "option-def", "option definitions inside a client class are not "
                            "supported yet; define the option in the global option-def list");
    if (oir_set && oial_set && oir != oial)
        return cfg_fail(ctx, "only-if-required and only-in-additional-list disagree");
    c.additional = oir || oial;
    if (has_test && test[0]) {
        struct resolve_ctx rc = { ctx };
        struct expr_resolver r = { resolve_class, resolve_option, &rc };
        char why[256];
        if (expr_compile(test, &r, &c.test, why, sizeof(why)) < 0)
            return cfg_fail_key(ctx, "test", "%s", why);
        c.depends_known = expr_uses_class(c.test, known_dependent, ctx->cfg);
    }
    int idx = have >= 0 ? have : class_ref(ctx, name);
    if (idx < 0) {
        expr_free(c.test);
        return -1;
    }
    uint16_t *order = realloc(ctx->cfg->class_defs, (ctx->cfg->n_class_defs + 1) * sizeof(*order));
    if (!order) {
        expr_free(c.test);
        return cfg_oom(ctx);
    }
    ctx->cfg->class_defs = order;
    order[ctx->cfg->n_class_defs++] = (uint16_t)idx;
    c.name = ctx->cfg->classes[idx].name;
    c.defined = true;
    ctx->cfg->classes[idx] = c;   /* owned by the config from here on: freed with it */
    struct cfg_class *cls = &ctx->cfg->classes[idx];
    return parse_fields(ctx, o, cls) < 0 || cfg_options_parse(ctx, o, &cls->options) < 0 ? -1 : 0;
}

int cfg_classes_parse(struct cfg_ctx *ctx, struct json_object *dhcp4)
{
    struct json_object *list;
    if (cfg_get_array(ctx, dhcp4, "client-classes", &list) < 0)
        return -1;
    size_t n = list ? json_object_array_length(list) : 0;
    size_t old = cfg_path_key(ctx, "client-classes");
    for (size_t i = 0; i < n; i++) {
        size_t o2 = cfg_path_idx(ctx, i);
        if (parse_class(ctx, json_object_array_get_idx(list, i)) < 0)
            return -1;
        cfg_path_pop(ctx, o2);
    }
    cfg_path_pop(ctx, old);
    return 0;
}

void cfg_classes_free(struct cfg4 *cfg)
{
    for (size_t i = 0; i < cfg->n_classes; i++) {
        struct cfg_class *c = &cfg->classes[i];
        free(c->name);
        expr_free(c->test);
        cfg_options_free(&c->options);
        free(c->server_hostname);
        free(c->boot_file_name);
    }
    free(cfg->classes);
    cfg->classes = NULL;
    cfg->n_classes = 0;
    free(cfg->class_defs);
    cfg->class_defs = NULL;
    cfg->n_class_defs = 0;
}
