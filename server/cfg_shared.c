/*
 * shared-networks[] (ARM §9.4, spec kea-dhcp4.md §1.6): named groups of
 * subnets on one link. A network holds the network parameters of
 * cfg_net.c, an interface, a relay, option-data and class names, and its
 * subnet4 list. Values resolve global -> network -> subnet at load: the
 * network's own values over the global ones are the parent of its subnets.
 * A network's client-class guard applies to each of its subnets on top of
 * the subnet's own (Kea: a subnet of a network supports a client only if
 * the network does too); its evaluate-additional-classes list comes after
 * the pool's and the subnet's.
 * The subnets go into the one cfg->subnets array (after the top-level
 * ones), each pointing back at its network, so subnet selection and the
 * lookups by id need no second code path.
 */
#include "server/cfg_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct cfg_key network_keys[] = {
    USE("name"), USE("subnet4"), USE("interface"), USE("relay"), USE("option-data"),
    USE("client-class"), USE("client-classes"),
    USE("require-client-classes"), USE("evaluate-additional-classes"),
    { NULL, CK_END }
};

void cfg_path_subnet_src(struct cfg_ctx *ctx, const struct cfg_subnet_src *src)
{
    if (src->net != SIZE_MAX) {
        cfg_path_key(ctx, "shared-networks");
        cfg_path_idx(ctx, src->net);
    }
    cfg_path_key(ctx, "subnet4");
    cfg_path_idx(ctx, src->idx);
}

/* The network's name: present, non-empty, not used by an earlier one. */
static int check_name(struct cfg_ctx *ctx, struct json_object *nets, size_t k,
                      struct json_object *o)
{
    const char *name;
    bool set;

    if (cfg_get_str(ctx, o, "name", &name, &set) < 0)
        return -1;
    if (!set)
        return cfg_fail(ctx, "missing parameter 'name'");
    if (name[0] == '\0')
        return cfg_fail_key(ctx, "name", "the shared network name must not be empty");
    for (size_t i = 0; i < k; i++) {
        struct json_object *other = cfg_member(json_object_array_get_idx(nets, i), "name", NULL);
        if (other != NULL && strcmp(json_object_get_string(other), name) == 0)
            return cfg_fail_key(ctx, "name", "shared network '%s' is already defined in "
                                "shared-networks[%zu]", name, i);
    }
    return 0;
}

int cfg_shared_sources(struct cfg_ctx *ctx, struct json_object *dhcp4,
                       struct json_object **nets, struct cfg_subnet_src *src,
                       size_t *count)
{
    size_t n = 0, total = 0, old = ctx->plen;

    if (cfg_get_array(ctx, dhcp4, "shared-networks", nets) < 0)
        return -1;
    if (*nets != NULL)
        n = json_object_array_length(*nets);
    for (size_t k = 0; k < n; k++) {
        struct json_object *o = json_object_array_get_idx(*nets, k), *list;
        cfg_path_key(ctx, "shared-networks");
        cfg_path_idx(ctx, k);
        if (src == NULL &&
            (cfg_expect_type(ctx, NULL, o, json_type_object) < 0 ||
             cfg_check_keys(ctx, o, network_keys, cfg_net_keys) < 0 ||
             check_name(ctx, *nets, k, o) < 0))
            return -1;
        if (cfg_get_array(ctx, o, "subnet4", &list) < 0)
            return -1;
        size_t m = list ? json_object_array_length(list) : 0;
        for (size_t j = 0; src != NULL && j < m; j++)
            src[total + j] = (struct cfg_subnet_src){ json_object_array_get_idx(list, j), k, j };
        total += m;
        cfg_path_pop(ctx, old);
    }
    if (count != NULL)
        *count = total;
    return 0;
}

/* Kea: the subnets of a network share its link, so an interface named on
 * a subnet must be the network's (or, without one there, its siblings'). */
static int inherit_link(struct cfg_ctx *ctx, const struct cfg_shared_network *net,
                        struct cfg_subnet4 *s, const char **iface_seen)
{
    if (s->interface && net->interface && strcmp(s->interface, net->interface) != 0)
        return cfg_fail_key(ctx, "interface", "interface '%s' differs from the shared "
                            "network's interface '%s'", s->interface, net->interface);
    if (s->interface && *iface_seen && strcmp(s->interface, *iface_seen) != 0)
        return cfg_fail_key(ctx, "interface", "interface '%s' differs from interface '%s' "
                            "of another subnet in this shared network", s->interface,
                            *iface_seen);
    if (s->interface == NULL && net->interface) {
        s->interface = cfg_strdup(ctx, net->interface);
        if (s->interface == NULL)
            return -1;
    }
    if (s->interface)
        *iface_seen = s->interface;
    if (s->n_relay == 0 && net->n_relay > 0) {
        s->relay_addrs = calloc(net->n_relay, sizeof(*s->relay_addrs));
        if (s->relay_addrs == NULL)
            return cfg_oom(ctx);
        memcpy(s->relay_addrs, net->relay_addrs, net->n_relay * sizeof(*s->relay_addrs));
        s->n_relay = net->n_relay;
    }
    return 0;
}

static int parse_network(struct cfg_ctx *ctx, struct json_object *o, size_t k,
                         const struct cfg_net *global, const uint32_t *ids, size_t *next_id)
{
    struct cfg4 *cfg = ctx->cfg;
    struct cfg_shared_network *net = &cfg->networks[k];
    struct json_object *list;
    struct cfg_net own, merged;
    const char *iface_seen = NULL;

    net->name = cfg_strdup(ctx, json_object_get_string(cfg_member(o, "name", NULL)));
    if (net->name == NULL || cfg_class_guard_parse(ctx, o, &net->guard, &net->additional) < 0 ||
        cfg_net_parse(ctx, o, &own, global) < 0 ||
        cfg_interface_parse(ctx, o, &net->interface) < 0 ||
        cfg_relay_parse(ctx, o, &net->relay_addrs, &net->n_relay) < 0 ||
        cfg_options_parse(ctx, o, &net->options) < 0 ||
        cfg_get_array(ctx, o, "subnet4", &list) < 0)
        return -1;
    cfg_net_merge(&own, global, &merged);
    net->first_subnet = cfg->n_subnets;
    size_t m = list ? json_object_array_length(list) : 0;
    size_t old = cfg_path_key(ctx, "subnet4");
    for (size_t j = 0; j < m; j++) {
        struct cfg_subnet4 *s = &cfg->subnets[cfg->n_subnets];
        size_t o2 = cfg_path_idx(ctx, j);
        cfg->n_subnets++;   /* counted first so a half-built subnet is freed */
        s->network = net;
        if (cfg_subnet_parse_one(ctx, json_object_array_get_idx(list, j), ids[(*next_id)++],
                                 &merged, s) < 0 ||
            inherit_link(ctx, net, s, &iface_seen) < 0)
            return -1;
        /* §9.2.25: one link, one answer to a client it does not know. */
        if (j > 0 && s->authoritative != cfg->subnets[net->first_subnet].authoritative)
            return cfg_fail_key(ctx, "authoritative", "all subnets of shared network '%s' "
                                "must have the same authoritative value", net->name);
        cfg_path_pop(ctx, o2);
    }
    cfg_path_pop(ctx, old);
    net->n_subnets = m;
    return 0;
}

int cfg_shared_parse(struct cfg_ctx *ctx, struct json_object *nets,
                     const struct cfg_net *global, const uint32_t *ids)
{
    struct cfg4 *cfg = ctx->cfg;
    size_t n = nets ? json_object_array_length(nets) : 0, next_id = 0, old = ctx->plen;

    if (n == 0)
        return 0;
    cfg->networks = calloc(n, sizeof(*cfg->networks));
    if (cfg->networks == NULL)
        return cfg_oom(ctx);
    for (size_t k = 0; k < n; k++) {
        cfg_path_key(ctx, "shared-networks");
        cfg_path_idx(ctx, k);
        cfg->n_networks++;   /* counted first so a half-built network is freed */
        if (parse_network(ctx, json_object_array_get_idx(nets, k), k, global, ids, &next_id) < 0)
            return -1;
        cfg_path_pop(ctx, old);
    }
    return 0;
}

void cfg_shared_free(struct cfg_shared_network *n)
{
    free(n->name);
    free(n->interface);
    free(n->relay_addrs);
    cfg_options_free(&n->options);
    cfg_class_list_free(&n->guard);
    cfg_class_list_free(&n->additional);
}
