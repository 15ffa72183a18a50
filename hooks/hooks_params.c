/*
 * A hook library's "parameters" map and the accessors libraries read it
 * with (<dora/hooks.h>, exported by dorad).
 */
#include "hooks/hook_ctx.h"

#include <stdlib.h>
#include <string.h>

int hooks_params_init(struct dora_hook_params *p, const char *json)
{
    p->root = json_tokener_parse(json ? json : "{}");
    p->json = strdup(json ? json : "{}");
    if (!p->root || !json_object_is_type(p->root, json_type_object) || !p->json) {
        hooks_params_fini(p);
        return -1;
    }
    return 0;
}

void hooks_params_fini(struct dora_hook_params *p)
{
    json_object_put(p->root);
    free(p->json);
    p->root = NULL;
    p->json = NULL;
}

static struct json_object *member(const struct dora_hook_params *p, const char *key,
                                  enum json_type t)
{
    struct json_object *v;
    if (!p || !p->root || !key || !json_object_object_get_ex(p->root, key, &v) ||
        !json_object_is_type(v, t))
        return NULL;
    return v;
}

const char *dora_hook_param_string(const struct dora_hook_params *p, const char *key)
{
    struct json_object *v = member(p, key, json_type_string);
    return v ? json_object_get_string(v) : NULL;
}

int64_t dora_hook_param_int(const struct dora_hook_params *p, const char *key, int64_t fallback)
{
    struct json_object *v = member(p, key, json_type_int);
    return v ? json_object_get_int64(v) : fallback;
}

int dora_hook_param_bool(const struct dora_hook_params *p, const char *key, int fallback)
{
    struct json_object *v = member(p, key, json_type_boolean);
    return v ? json_object_get_boolean(v) : fallback;
}

const char *dora_hook_param_json(const struct dora_hook_params *p)
{
    return p && p->json ? p->json : "{}";
}
