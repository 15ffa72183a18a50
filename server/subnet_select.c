/* Subnet selection; see subnet_select.h. */
#include "server/subnet_select.h"

#include <string.h>

static uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

const struct cfg_subnet4 *subnet_containing(const struct cfg4 *cfg, uint32_t addr)
{
    for (size_t i = 0; i < cfg->n_subnets; i++)
        if ((addr & cfg->subnets[i].mask) == cfg->subnets[i].prefix)
            return &cfg->subnets[i];
    return NULL;
}

/* Kea skips a subnet whose client-class guard (or whose network's) the
 * packet does not pass and goes on to the next candidate. */
static bool allowed(const struct cfg_subnet4 *sn, const uint64_t *classes)
{
    return subnet_allows(sn, classes);
}

static const struct cfg_subnet4 *containing_allowed(const struct cfg4 *cfg, uint32_t addr,
                                                    const uint64_t *classes)
{
    for (size_t i = 0; i < cfg->n_subnets; i++)
        if ((addr & cfg->subnets[i].mask) == cfg->subnets[i].prefix && allowed(&cfg->subnets[i], classes))
            return &cfg->subnets[i];
    return NULL;
}

static const struct cfg_subnet4 *subnet_by_relay(const struct cfg4 *cfg, uint32_t giaddr,
                                                 const uint64_t *classes)
{
    for (size_t i = 0; i < cfg->n_subnets; i++)
        for (size_t j = 0; j < cfg->subnets[i].n_relay; j++)
            if (cfg->subnets[i].relay_addrs[j] == giaddr && allowed(&cfg->subnets[i], classes))
                return &cfg->subnets[i];
    return NULL;
}

static const struct cfg_subnet4 *subnet_by_iface(const struct cfg4 *cfg, const struct io_iface *iface,
                                                 const uint64_t *classes)
{
    for (size_t i = 0; i < cfg->n_subnets; i++)
        if (cfg->subnets[i].interface && !strcmp(cfg->subnets[i].interface, iface->name) &&
            allowed(&cfg->subnets[i], classes))
            return &cfg->subnets[i];
    return iface->addr ? containing_allowed(cfg, iface->addr, classes) : NULL;
}

const struct cfg_subnet4 *subnet_select(const struct cfg4 *cfg, const struct pkt4 *req,
                                        const struct rx_pkt *rx, const struct io_iface *iface,
                                        const uint64_t *classes)
{
    size_t len;
    /* RFC 3527 link selection, then RFC 3011 subnet selection: when present,
     * they alone decide, even if nothing matches. */
    const uint8_t *ls = pkt4_rai_sub(req, RAI_LINK_SELECTION, &len);
    if (ls && len == 4)
        return containing_allowed(cfg, get_be32(ls), classes);
    const uint8_t *sel = pkt4_opt(req, OPT_SUBNET_SELECTION, &len);
    if (sel && len == 4)
        return containing_allowed(cfg, get_be32(sel), classes);

    if (req->giaddr) {
        const struct cfg_subnet4 *sn = subnet_by_relay(cfg, req->giaddr, classes);
        if (sn)
            return sn;
        return containing_allowed(cfg, req->giaddr, classes);
    }
    if (req->ciaddr && rx && !rx->dst_broadcast)
        return containing_allowed(cfg, req->ciaddr, classes);
    if (rx && rx->src_ip && !rx->dst_broadcast)
        return containing_allowed(cfg, rx->src_ip, classes);
    return iface ? subnet_by_iface(cfg, iface, classes) : NULL;
}
