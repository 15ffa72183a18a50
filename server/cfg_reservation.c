/*
 * Host reservations from the config file (ARM §9.3, spec §1.5): global
 * "reservations" and each subnet's list. Each entry has exactly one
 * identifier; the address, when given, must be inside the subnet.
 * Duplicate identifiers and addresses are found when cfg_hosts.c indexes
 * the result.
 */
#include "server/cfg_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static const struct cfg_key host_keys[] = {
    USE("hw-address"), USE("duid"), USE("client-id"), USE("circuit-id"), USE("flex-id"),
    USE("ip-address"), USE("hostname"), USE("option-data"), USE("next-server"),
    USE("server-hostname"), USE("boot-file-name"), USE("client-classes"),
    { NULL, CK_END }
};

/* Indexed by enum host_id_type (Kea's dhcp_identifier_type numbers). */
const char *const cfg_host_id_names[HOST_ID_TYPES] = {
    [HOST_ID_HWADDR] = "hw-address",
    [HOST_ID_DUID] = "duid",
    [HOST_ID_CIRCUIT_ID] = "circuit-id",
    [HOST_ID_CLIENT_ID] = "client-id",
    [HOST_ID_FLEX_ID] = "flex-id",
};

#define HWADDR_MAX 20   /* Kea's HWAddr::MAX_HWADDR_LEN */

/* Hex "01:02:03", "01-02-03", "010203" or "0x010203"; circuit-id and
 * flex-id may also be 'quoted text' (as Kea's Host::setIdentifier). */
static int parse_identifier(struct cfg_ctx *ctx, enum host_id_type t, const char *text,
                            struct cfg_host *h)
{
    const char *key = cfg_host_id_names[t];
    size_t max = t == HOST_ID_HWADDR ? HWADDR_MAX : HOST_ID_MAX;
    size_t tl = strlen(text);
    int n;

    if ((t == HOST_ID_CIRCUIT_ID || t == HOST_ID_FLEX_ID) && tl >= 2 &&
        text[0] == '\'' && text[tl - 1] == '\'') {
        n = (int)(tl - 2);
        if (n == 0)
            return cfg_fail_key(ctx, key, "the identifier is empty");
        if ((size_t)n > max)
            return cfg_fail_key(ctx, key, "the identifier is longer than %zu bytes", max);
        memcpy(h->id, text + 1, (size_t)n);
    } else {
        const char *hex = text;
        if (hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X'))
            hex += 2;
        n = hex[0] == '\0' ? -1 : hex_parse(hex, h->id, max);
        if (n <= 0) {
            if (t == HOST_ID_HWADDR)
                return cfg_fail_key(ctx, key, "'%s' is not a hardware address "
                                    "(1 to %d hex bytes like 1a:2b:3c:4d:5e:6f)", text, HWADDR_MAX);
            return cfg_fail_key(ctx, key, "'%s' is not a %s (1 to %d hex bytes like 01:02:03%s)",
                                text, key, HOST_ID_MAX,
                                (t == HOST_ID_CIRCUIT_ID || t == HOST_ID_FLEX_ID)
                                    ? " or 'quoted text'" : "");
        }
    }
    h->id_type = t;
    h->id_len = (uint8_t)n;
    return 0;
}

static int parse_host(struct cfg_ctx *ctx, struct json_object *o,
                      const struct cfg_subnet4 *subnet, struct cfg_host *h)
{
    const char *found[HOST_ID_TYPES];
    size_t nfound = 0;
    enum host_id_type first = HOST_ID_HWADDR;
    bool set;

    if (cfg_expect_type(ctx, NULL, o, json_type_object) < 0 ||
        cfg_check_keys(ctx, o, host_keys, NULL) < 0)
        return -1;
    for (int t = 0; t < HOST_ID_TYPES; t++) {
        const char *s;
        if (cfg_get_str(ctx, o, cfg_host_id_names[t], &s, &set) < 0)
            return -1;
        if (set) {
            if (nfound == 0)
                first = (enum host_id_type)t;
            found[nfound++] = cfg_host_id_names[t];
        }
    }
    if (nfound == 0)
        return cfg_fail(ctx, "the reservation has no identifier (one of hw-address, duid, "
                        "circuit-id, client-id or flex-id is needed)");
    if (nfound > 1)
        return cfg_fail(ctx, "the reservation has more than one identifier (%s and %s); "
                        "exactly one is allowed", found[0], found[1]);
    const char *idtext = json_object_get_string(cfg_member(o, cfg_host_id_names[first], NULL));
    if (parse_identifier(ctx, first, idtext, h) < 0)
        return -1;

    if (cfg_get_ipv4(ctx, o, "ip-address", &h->ip, &set) < 0)
        return -1;
    if (set && subnet != NULL && h->ip != 0 &&
        (h->ip & subnet->mask) != (subnet->prefix & subnet->mask)) {
        char a[16], p[16];
        cfg_fmt_ipv4(h->ip, a);
        cfg_fmt_ipv4(subnet->prefix, p);
        return cfg_fail_key(ctx, "ip-address", "address %s is outside subnet %s/%u",
                            a, p, subnet->plen);
    }
    if (cfg_get_str_dup(ctx, o, "hostname", 255, &h->hostname) < 0 ||
        cfg_get_str_dup(ctx, o, "server-hostname", CFG_SNAME_MAX, &h->server_hostname) < 0 ||
        cfg_get_str_dup(ctx, o, "boot-file-name", CFG_FILE_MAX, &h->boot_file_name) < 0)
        return -1;
    const char *ns;
    if (cfg_get_str(ctx, o, "next-server", &ns, &set) < 0)
        return -1;
    if (set && ns[0] != '\0') {
        if (cfg_parse_ipv4(ns, &h->next_server) < 0)
            return cfg_fail_key(ctx, "next-server", "'%s' is not an IPv4 address", ns);
        h->has_next_server = h->next_server != 0;
    }
    if (cfg_options_parse(ctx, o, &h->options) < 0)
        return -1;
    return cfg_class_list_parse(ctx, o, "client-classes", &h->classes);
}

int cfg_reservations_parse(struct cfg_ctx *ctx, struct json_object *scope,
                           const struct cfg_subnet4 *subnet,
                           struct cfg_host **out, size_t *n)
{
    struct json_object *list;

    *out = NULL;
    *n = 0;
    if (cfg_get_array(ctx, scope, "reservations", &list) < 0)
        return -1;
    if (list == NULL)
        return 0;
    size_t cnt = json_object_array_length(list);
    if (cnt == 0)
        return 0;
    *out = calloc(cnt, sizeof(**out));
    if (*out == NULL)
        return cfg_oom(ctx);
    size_t old = cfg_path_key(ctx, "reservations");
    for (size_t i = 0; i < cnt; i++) {
        size_t o2 = cfg_path_idx(ctx, i);
        struct cfg_host *h = &(*out)[i];
        /* Counted first so a failure still frees this entry's strings. */
        (*n)++;
        h->subnet_id = subnet ? subnet->id : 0;
        if (parse_host(ctx, json_object_array_get_idx(list, i), subnet, h) < 0)
            return -1;
        cfg_path_pop(ctx, o2);
    }
    cfg_path_pop(ctx, old);
    return 0;
}
