/* Reservations as JSON, and the config's reservations; see host_json.h. */
#include "server/host_json.h"

#include <stdio.h>
#include <string.h>

#include "server/cmd_args.h"

static const char *const id_names[] = {
    [BE_HOST_ID_HWADDR] = "hw-address", [BE_HOST_ID_DUID] = "duid",
    [BE_HOST_ID_CIRCUIT_ID] = "circuit-id", [BE_HOST_ID_CLIENT_ID] = "client-id",
    [BE_HOST_ID_FLEX_ID] = "flex-id",
};
#define N_ID_TYPES (sizeof(id_names) / sizeof(id_names[0]))

int host_id_type(const char *name)
{
    for (size_t i = 0; i < N_ID_TYPES; i++)
        if (strcmp(name, id_names[i]) == 0)
            return (int)i;
    return -1;
}

int host_id_parse(int type, const char *text, uint8_t *out, size_t *len)
{
    size_t tl = strlen(text);
    size_t max = type == BE_HOST_ID_HWADDR ? LEASE_HWADDR_MAX : BE_HOST_ID_MAX;

    if ((type == BE_HOST_ID_CIRCUIT_ID || type == BE_HOST_ID_FLEX_ID) && tl >= 3 &&
        text[0] == '\'' && text[tl - 1] == '\'') {
        if (tl - 2 > max)
            return -1;
        memcpy(out, text + 1, tl - 2);
        *len = tl - 2;
        return 0;
    }
    if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
        text += 2;
    return cmd_parse_hex(text, out, max, len);
}

int host_json_identifier(struct json_object *res, int *type, uint8_t *id, size_t *len)
{
    struct json_object *v;
    for (size_t i = 0; i < N_ID_TYPES; i++) {
        if (json_object_object_get_ex(res, id_names[i], &v) &&
            json_object_is_type(v, json_type_string)) {
            *type = (int)i;
            return host_id_parse((int)i, json_object_get_string(v), id, len);
        }
    }
    return -1;
}

static void add_str(struct json_object *o, const char *k, const char *v)
{
    json_object_object_add(o, k, json_object_new_string(v));
}

static void add_ip(struct json_object *o, const char *k, uint32_t a)
{
    char s[16];
    cmd_format_ipv4(a, s);
    add_str(o, k, s);
}

struct json_object *host_json_from_be(const struct be_host *h)
{
    struct json_object *o = json_object_new_object(), *cl = json_object_new_array();
    char buf[3 * BE_HOST_ID_MAX + 1], classes[BE_HOST_CLASSES_MAX + 1];

    add_str(o, "boot-file-name", h->boot_file_name);
    snprintf(classes, sizeof(classes), "%s", h->client_classes);
    for (char *save = NULL, *c = strtok_r(classes, ",", &save); c; c = strtok_r(NULL, ",", &save))
        json_object_array_add(cl, json_object_new_string(c));
    json_object_object_add(o, "client-classes", cl);
    add_str(o, "hostname", h->hostname);
    cmd_format_hex(h->id, h->id_len, buf, sizeof(buf));
    add_str(o, h->id_type < N_ID_TYPES ? id_names[h->id_type] : "flex-id", buf);
    if (h->ipv4_address != 0)
        add_ip(o, "ip-address", h->ipv4_address);
    add_ip(o, "next-server", h->next_server);
    json_object_object_add(o, "option-data", json_object_new_array());
    add_str(o, "server-hostname", h->server_hostname);
    json_object_object_add(o, "subnet-id", json_object_new_int64(h->subnet_id));
    return o;
}

/* member of res, or a fresh default */
static struct json_object *copy_or(struct json_object *res, const char *k, struct json_object *dflt)
{
    struct json_object *v;
    if (json_object_object_get_ex(res, k, &v)) {
        json_object_put(dflt);
        struct json_object *c = NULL;
        json_object_deep_copy(v, &c, NULL);
        return c;
    }
    return dflt;
}

struct json_object *host_json_from_cfg(struct json_object *res, uint32_t subnet_id)
{
    struct json_object *o = json_object_new_object(), *ip;
    uint8_t id[BE_HOST_ID_MAX];
    size_t len = 0;
    int type = -1;
    char buf[3 * BE_HOST_ID_MAX + 1];

    json_object_object_add(o, "boot-file-name", copy_or(res, "boot-file-name", json_object_new_string("")));
    json_object_object_add(o, "client-classes", copy_or(res, "client-classes", json_object_new_array()));
    json_object_object_add(o, "hostname", copy_or(res, "hostname", json_object_new_string("")));
    if (host_json_identifier(res, &type, id, &len) == 0) {
        cmd_format_hex(id, len, buf, sizeof(buf));
        add_str(o, id_names[type], buf);
    }
    if (json_object_object_get_ex(res, "ip-address", &ip))
        json_object_object_add(o, "ip-address", copy_or(res, "ip-address", NULL));
    json_object_object_add(o, "next-server", copy_or(res, "next-server", json_object_new_string("0.0.0.0")));
    json_object_object_add(o, "option-data", copy_or(res, "option-data", json_object_new_array()));
    json_object_object_add(o, "server-hostname", copy_or(res, "server-hostname", json_object_new_string("")));
    json_object_object_add(o, "subnet-id", json_object_new_int64(subnet_id));
    return o;
}

static int copy_field(struct json_object *res, const char *k, char *dst, size_t cap,
                      struct ctrl_answer *ans)
{
    const char *s = "";
    if (cmd_arg_str(res, k, false, &s, NULL, ans) != 0)
        return -1;
    if (strlen(s) >= cap) {
        ctrl_answer_set(ans, CTRL_ERROR, "'%s' is longer than %zu characters", k, cap - 1);
        return -1;
    }
    memcpy(dst, s, strlen(s) + 1);
    return 0;
}

int host_from_json(struct json_object *res, uint32_t subnet_id, struct be_host *h,
                   struct ctrl_answer *ans)
{
    struct json_object *v;
    size_t len = 0;
    int type = -1, n_ids = 0;

    memset(h, 0, sizeof(*h));
    h->subnet_id = subnet_id;
    for (size_t i = 0; i < N_ID_TYPES; i++)
        n_ids += json_object_object_get_ex(res, id_names[i], NULL);
    if (n_ids != 1) {
        ctrl_answer_set(ans, CTRL_ERROR, "exactly one identifier (hw-address, duid, circuit-id, "
                        "client-id or flex-id) is required, %d given", n_ids);
        return -1;
    }
    if (host_json_identifier(res, &type, h->id, &len) != 0) {
        for (size_t i = 0; i < N_ID_TYPES; i++)
            if (json_object_object_get_ex(res, id_names[i], NULL))
                ctrl_answer_set(ans, CTRL_ERROR, "'%s' is not a valid identifier", id_names[i]);
        return -1;
    }
    h->id_type = (uint8_t)type;
    h->id_len = (uint8_t)len;
    if (cmd_arg_ipv4(res, "ip-address", false, &h->ipv4_address, NULL, ans) != 0 ||
        cmd_arg_ipv4(res, "next-server", false, &h->next_server, NULL, ans) != 0 ||
        copy_field(res, "hostname", h->hostname, sizeof(h->hostname), ans) != 0 ||
        copy_field(res, "server-hostname", h->server_hostname, sizeof(h->server_hostname), ans) != 0 ||
        copy_field(res, "boot-file-name", h->boot_file_name, sizeof(h->boot_file_name), ans) != 0)
        return -1;
    if (json_object_object_get_ex(res, "client-classes", &v)) {
        size_t o = 0;
        if (!json_object_is_type(v, json_type_array)) {
            ctrl_answer_set(ans, CTRL_ERROR, "'client-classes' is not a list");
            return -1;
        }
        for (size_t i = 0; i < json_object_array_length(v); i++) {
            struct json_object *c = json_object_array_get_idx(v, i);
            const char *s = json_object_get_string(c);
            if (!json_object_is_type(c, json_type_string) || strchr(s, ',') != NULL ||
                o + strlen(s) + 2 > sizeof(h->client_classes)) {
                ctrl_answer_set(ans, CTRL_ERROR, "'client-classes'[%zu] is not a class name that fits", i);
                return -1;
            }
            o += (size_t)snprintf(h->client_classes + o, sizeof(h->client_classes) - o, "%s%s",
                                  o ? "," : "", s);
        }
    }
    if (json_object_object_get_ex(res, "option-data", &v) &&
        (!json_object_is_type(v, json_type_array) || json_object_array_length(v) > 0)) {
        ctrl_answer_set(ans, CTRL_UNSUPPORTED, "'option-data' is not supported in a hosts-database "
                        "reservation (use operation-target \"memory\")");
        return -1;
    }
    return 0;
}

int host_cfg_walk(struct json_object *root, const struct cfg4 *cfg, bool all,
                  uint32_t subnet_id, host_cfg_fn fn, void *ctx)
{
    struct json_object *d4, *list, *subs;
    int n = 0;

    if (!json_object_object_get_ex(root, "Dhcp4", &d4))
        return 0;
    if ((all || subnet_id == 0) && json_object_object_get_ex(d4, "reservations", &list) &&
        json_object_is_type(list, json_type_array))
        for (size_t k = 0; k < json_object_array_length(list); k++) {
            n++;
            if (fn(json_object_array_get_idx(list, k), 0, list, k, ctx) != 0)
                return n;
        }
    if (!json_object_object_get_ex(d4, "subnet4", &subs) || !json_object_is_type(subs, json_type_array))
        return n;
    for (size_t i = 0; i < json_object_array_length(subs) && i < cfg->n_subnets; i++) {
        uint32_t id = cfg->subnets[i].id;
        if (!all && id != subnet_id)
            continue;
        if (!json_object_object_get_ex(json_object_array_get_idx(subs, i), "reservations", &list) ||
            !json_object_is_type(list, json_type_array))
            continue;
        for (size_t k = 0; k < json_object_array_length(list); k++) {
            n++;
            if (fn(json_object_array_get_idx(list, k), id, list, k, ctx) != 0)
                return n;
        }
    }
    return n;
}

struct json_object *host_cfg_list(struct json_object *root, const struct cfg4 *cfg, uint32_t subnet_id)
{
    struct json_object *d4, *scope = NULL, *subs, *list;

    if (!json_object_object_get_ex(root, "Dhcp4", &d4))
        return NULL;
    if (subnet_id == 0) {
        scope = d4;
    } else if (json_object_object_get_ex(d4, "subnet4", &subs) && json_object_is_type(subs, json_type_array)) {
        for (size_t i = 0; i < json_object_array_length(subs) && i < cfg->n_subnets; i++)
            if (cfg->subnets[i].id == subnet_id)
                scope = json_object_array_get_idx(subs, i);
    }
    if (scope == NULL)
        return NULL;
    if (!json_object_object_get_ex(scope, "reservations", &list)) {
        list = json_object_new_array();
        json_object_object_add(scope, "reservations", list);
    }
    return json_object_is_type(list, json_type_array) ? list : NULL;
}
