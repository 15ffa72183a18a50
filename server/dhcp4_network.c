/* Shared networks on the packet path; see dhcp4_network.h. */
#include "server/dhcp4_network.h"

#include "server/subnet_select.h"

static bool in_prefix(const struct cfg_subnet4 *s, uint32_t addr)
{
    return (addr & s->mask) == s->prefix;
}

static const struct cfg_subnet4 *net_begin(const struct cfg4 *cfg,
                                           const struct cfg_shared_network *net)
{
    return &cfg->subnets[net->first_subnet];
}

/* A reservation with an address in one of the network's subnets the
 * client's classes allow. */
static bool by_reservation(const struct cfg4 *cfg, const struct pkt4 *req,
                           network_host_fn find_host, struct network_choice *c)
{
    const struct cfg_shared_network *net = c->subnet->network;
    const struct cfg_subnet4 *s = net_begin(cfg, net);

    for (size_t i = 0; i < net->n_subnets; i++, s++) {
        if (!subnet_allows(s, c->classes))
            continue;
        const struct cfg_host *h = find_host(cfg, s, req, c->host_arg);
        if (h && h->ip && in_prefix(s, h->ip)) {
            c->subnet = s;
            c->host = h;
            return true;
        }
    }
    return false;
}

/* The subnet of the client's lease in the network: an active lease first,
 * then the most recent one. A lease in a subnet the client may no longer
 * use does not hold it there. */
static bool by_lease(struct lease_store *st, const struct cfg4 *cfg, const struct pkt4 *req,
                     const struct alloc_client *client, network_host_fn find_host,
                     struct network_choice *c)
{
    const struct cfg_shared_network *net = c->subnet->network;
    const struct cfg_subnet4 *s = net_begin(cfg, net), *best = NULL;
    struct lease4 l, best_l;

    for (size_t i = 0; i < net->n_subnets; i++, s++) {
        if (!subnet_allows(s, c->classes) ||
            alloc_find_client_lease(st, s->id, client, &l) != LEASE_OK)
            continue;
        bool better = best == NULL ||
                      (l.state == LEASE_STATE_DEFAULT && best_l.state != LEASE_STATE_DEFAULT) ||
                      (l.state == best_l.state && l.cltt > best_l.cltt);
        if (better) {
            best = s;
            best_l = l;
        }
    }
    if (best == NULL)
        return false;
    c->subnet = best;
    c->host = find_host(cfg, best, req, c->host_arg);
    return true;
}

/* The subnet of the requested address; one the client may not use is not a
 * candidate (the request is then judged in the selected subnet: NAK). */
static bool by_hint(const struct cfg4 *cfg, const struct pkt4 *req, uint32_t hint,
                    network_host_fn find_host, struct network_choice *c)
{
    const struct cfg_shared_network *net = c->subnet->network;
    const struct cfg_subnet4 *s = net_begin(cfg, net);

    if (hint == 0 || in_prefix(c->subnet, hint))
        return hint != 0;
    for (size_t i = 0; i < net->n_subnets; i++, s++) {
        if (in_prefix(s, hint) && subnet_allows(s, c->classes)) {
            c->subnet = s;
            c->host = find_host(cfg, s, req, c->host_arg);
            return true;
        }
    }
    return false;
}

void network_pick(struct lease_store *st, const struct cfg4 *cfg, const struct pkt4 *req,
                  const struct alloc_client *client, uint32_t hint, bool hint_first,
                  network_host_fn find_host, struct network_choice *c)
{
    if (c->subnet == NULL || c->subnet->network == NULL)
        return;
    if (hint_first && by_hint(cfg, req, hint, find_host, c))
        return;
    if (by_reservation(cfg, req, find_host, c) ||
        by_lease(st, cfg, req, client, find_host, c))
        return;
    (void)by_hint(cfg, req, hint, find_host, c);
}

const struct cfg_subnet4 *network_next(const struct cfg4 *cfg, const struct cfg_subnet4 *start,
                                       const struct cfg_subnet4 *cur, const uint64_t *classes)
{
    const struct cfg_shared_network *net = start ? start->network : NULL;

    if (net == NULL || net->n_subnets < 2)
        return NULL;
    const struct cfg_subnet4 *first = net_begin(cfg, net), *next = cur;
    /* At most n_subnets - 1 steps: every sibling once, then back at start. */
    for (size_t i = 1; i < net->n_subnets; i++) {
        if (++next == first + net->n_subnets)
            next = first;
        if (next == start)
            return NULL;
        if (subnet_allows(next, classes))
            return next;
    }
    return NULL;
}
