/*
 * control-socket (the legacy single map) and control-sockets (Kea 3.0's
 * list, ARM §9.9): where dorad's management API listens. Only UNIX stream
 * sockets are served; "http"/"https" entries are refused naming their path
 * rather than silently not listening.
 *
 * A socket-name without a '/' is placed in the control socket directory
 * ($DORA_CONTROL_SOCKET_DIR, else LOCALSTATEDIR/run/dora), as Kea places
 * bare names in its run directory; a name with a '/' is used as written.
 */
#include "server/cfg_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "server/cfg_ctrl.h"

static const struct cfg_key unix_keys[] = {
    USE("socket-type"), USE("socket-name"), { NULL, CK_END }
};

const char *cfg_ctrl_socket_dir(void)
{
    const char *d = getenv("DORA_CONTROL_SOCKET_DIR");
    return d && *d ? d : DORA_LOCALSTATEDIR "/run/dora";
}

static int parse_entry(struct cfg_ctx *ctx, struct json_object *e)
{
    const char *type, *name;
    bool set;

    if (cfg_expect_type(ctx, NULL, e, json_type_object) < 0 ||
        cfg_get_str(ctx, e, "socket-type", &type, &set) < 0)
        return -1;
    if (!set)
        return cfg_fail(ctx, "socket-type is missing (expected \"unix\")");
    if (strcmp(type, "http") == 0 || strcmp(type, "https") == 0)
        return cfg_fail_key(ctx, "socket-type", "'%s' control sockets are not supported yet "
                            "(only \"unix\")", type);
    if (strcmp(type, "unix") != 0)
        return cfg_fail_key(ctx, "socket-type", "'%s' is not a control socket type "
                            "(expected unix)", type);
    if (cfg_check_keys(ctx, e, unix_keys, NULL) < 0 ||
        cfg_get_str(ctx, e, "socket-name", &name, &set) < 0)
        return -1;
    if (!set || !*name)
        return cfg_fail(ctx, "socket-name is missing or empty");
    if (ctx->cfg->ctrl_socket_path)
        return cfg_fail(ctx, "only one unix control socket is allowed");

    char path[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
    int n = strchr(name, '/') ? snprintf(path, sizeof(path), "%s", name)
                              : snprintf(path, sizeof(path), "%s/%s", cfg_ctrl_socket_dir(), name);
    if (n < 0 || (size_t)n >= sizeof(path) - 1)
        return cfg_fail_key(ctx, "socket-name", "'%s' is too long for a UNIX socket path "
                            "(at most %zu bytes)", name, sizeof(path) - 2);
    ctx->cfg->ctrl_socket_path = cfg_strdup(ctx, path);
    return ctx->cfg->ctrl_socket_path ? 0 : -1;
}

int cfg_ctrl_parse(struct cfg_ctx *ctx, struct json_object *dhcp4)
{
    struct json_object *one, *list;
    bool has_one;

    cfg_member(dhcp4, "control-socket", &has_one);
    if (cfg_get_array(ctx, dhcp4, "control-sockets", &list) < 0)
        return -1;
    if (has_one && list)
        return cfg_fail_key(ctx, "control-sockets", "control-socket and control-sockets "
                            "cannot both be set");
    if (has_one) {
        if (cfg_get_object(ctx, dhcp4, "control-socket", &one) < 0)
            return -1;
        size_t old = cfg_path_key(ctx, "control-socket");
        int rc = parse_entry(ctx, one);
        cfg_path_pop(ctx, old);
        return rc;
    }
    if (!list)
        return 0;
    size_t old = cfg_path_key(ctx, "control-sockets");
    for (size_t i = 0; i < json_object_array_length(list); i++) {
        size_t o2 = cfg_path_idx(ctx, i);
        if (parse_entry(ctx, json_object_array_get_idx(list, i)) < 0)
            return -1;
        cfg_path_pop(ctx, o2);
    }
    cfg_path_pop(ctx, old);
    return 0;
}
