/*
 * hooks-libraries and parked-packet-limit (spec kea-hooks-api-ha-tools.md
 * §17.3, §17.3.3). The config only records each library's path and its
 * "parameters" map as JSON text; loading (dlopen, descriptor and version
 * checks) is the hook manager's job (hooks/hooks_mgr.h), done by the server
 * before the snapshot is installed so a bad library refuses the config.
 */
#include "server/cfg_internal.h"

#include <stdlib.h>
#include <string.h>

static const struct cfg_key hook_lib_keys[] = {
    USE("library"), USE("parameters"),
    { NULL, CK_END }
};

static int add_hook_lib(struct cfg_ctx *ctx, struct json_object *o)
{
    struct cfg4 *cfg = ctx->cfg;
    struct cfg_hook_lib *h = &cfg->hook_libs[cfg->n_hook_libs];
    struct json_object *params;
    const char *lib = NULL;
    bool set = false;

    if (cfg_expect_type(ctx, NULL, o, json_type_object) < 0 ||
        cfg_check_keys(ctx, o, hook_lib_keys, NULL) < 0 ||
        cfg_get_str(ctx, o, "library", &lib, &set) < 0 ||
        cfg_get_object(ctx, o, "parameters", &params) < 0)
        return -1;
    if (!set || !lib[0])
        return cfg_fail_key(ctx, "library", "a library path is required");
    cfg->n_hook_libs++;   /* counted first so cfg4_free frees what follows */
    h->library = cfg_strdup(ctx, lib);
    h->params_json = cfg_strdup(ctx, params ? json_object_to_json_string_ext(params,
                                                  JSON_C_TO_STRING_PLAIN) : "{}");
    return h->library && h->params_json ? 0 : -1;
}

int cfg_hooks_parse(struct cfg_ctx *ctx, struct json_object *dhcp4)
{
    struct cfg4 *cfg = ctx->cfg;
    struct json_object *list;
    int rc = 0;

    cfg->parked_packet_limit = 256;
    if (cfg_get_u32(ctx, dhcp4, "parked-packet-limit", &cfg->parked_packet_limit, NULL) < 0 ||
        cfg_get_array(ctx, dhcp4, "hooks-libraries", &list) < 0)
        return -1;
    size_t n = list ? json_object_array_length(list) : 0;
    if (n == 0)
        return 0;
    cfg->hook_libs = calloc(n, sizeof(*cfg->hook_libs));
    if (cfg->hook_libs == NULL)
        return cfg_oom(ctx);
    size_t old = cfg_path_key(ctx, "hooks-libraries");
    for (size_t i = 0; i < n && rc == 0; i++) {
        size_t o2 = cfg_path_idx(ctx, i);
        rc = add_hook_lib(ctx, json_object_array_get_idx(list, i));
        if (rc == 0)
            cfg_path_pop(ctx, o2);
    }
    if (rc == 0)
        cfg_path_pop(ctx, old);
    return rc;
}

void cfg_hooks_free(struct cfg4 *cfg)
{
    for (size_t i = 0; i < cfg->n_hook_libs; i++) {
        free(cfg->hook_libs[i].library);
        free(cfg->hook_libs[i].params_json);
    }
    free(cfg->hook_libs);
}
