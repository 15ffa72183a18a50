/*
 * Host reservations from hosts-databases; see host_mgr.h.
 */
#include "server/host_mgr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/store_factory.h"
#include "server/log.h"

int host_mgr_open(struct host_mgr *m, const struct cfg4 *cfg, unsigned n_workers,
                  char *err, size_t errlen)
{
    memset(m, 0, sizeof(*m));
    if (cfg->n_hosts_dbs == 0 || n_workers == 0)
        return 0;
    m->st = calloc(cfg->n_hosts_dbs * n_workers, sizeof(*m->st));
    if (m->st == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    m->n_dbs = cfg->n_hosts_dbs;
    m->n_workers = n_workers;
    for (unsigned w = 0; w < n_workers; w++) {
        for (size_t d = 0; d < m->n_dbs; d++) {
            char why[512];
            if (host_store_open(cfg, d, &m->st[w * m->n_dbs + d], why, sizeof(why)) != 0) {
                snprintf(err, errlen, "Dhcp4.hosts-databases[%zu]: cannot open the %s host "
                         "database %s: %s", d, cfg->hosts_dbs[d].type,
                         cfg->hosts_dbs[d].name ? cfg->hosts_dbs[d].name : "", why);
                host_mgr_close(m);
                return -1;
            }
        }
    }
    return 0;
}

void host_mgr_close(struct host_mgr *m)
{
    for (size_t i = 0; m->st != NULL && i < m->n_dbs * m->n_workers; i++)
        if (m->st[i] != NULL)
            m->st[i]->ops->close(m->st[i]);
    free(m->st);
    memset(m, 0, sizeof(*m));
}

static struct be_host_store *store_of(const struct host_mgr *m, unsigned worker, size_t db)
{
    return m->st[(worker % m->n_workers) * m->n_dbs + db];
}

/* Encode one dhcp4_options row: formatted_value by the option's definition
 * (csv-format), else the binary value. Returns the length or -1. */
static int encode_option(const struct cfg4 *cfg, const struct be_host_option *o,
                         uint8_t *out, size_t cap)
{
    char why[256];
    size_t len = 0;

    if (o->code == 0 || o->code == 255 || cfg4_option_managed(o->code) != NULL)
        return -1;
    if (o->formatted[0] == '\0') {
        memcpy(out, o->value, o->value_len);
        return o->value_len;
    }
    const struct opt_def *def = cfg4_opt_def(cfg, o->code);
    if (def == NULL || opt_encode_csv(def, o->formatted, out, cap, &len, why, sizeof(why)) < 0 ||
        len > cap)
        return -1;
    return (int)len;
}

/* hw->raw as a cfg_host in hw->host. Options that cannot be encoded are
 * skipped and logged: the rest of the reservation still applies. */
static void to_cfg_host(const struct cfg4 *cfg, struct host_db_worker *hw)
{
    const struct be_host *b = &hw->raw;
    struct cfg_host *h = &hw->host;

    memset(h, 0, sizeof(*h));
    h->id_type = (enum host_id_type)b->id_type;
    h->id_len = b->id_len <= HOST_ID_MAX ? b->id_len : HOST_ID_MAX;
    memcpy(h->id, b->id, h->id_len);
    h->subnet_id = b->subnet_id;
    h->ip = b->ipv4_address;
    h->hostname = b->hostname[0] ? hw->raw.hostname : NULL;
    h->server_hostname = b->server_hostname[0] ? hw->raw.server_hostname : NULL;
    h->boot_file_name = b->boot_file_name[0] ? hw->raw.boot_file_name : NULL;
    h->has_next_server = b->next_server != 0;
    h->next_server = b->next_server;
    h->options.v = hw->opts;
    for (size_t i = 0; i < b->n_options && i < BE_HOST_OPTIONS_MAX; i++) {
        const struct be_host_option *o = &b->options[i];
        int len = encode_option(cfg, o, hw->optdata[h->options.n], sizeof(hw->optdata[0]));
        if (len < 0) {
            LOG_WARN("DHCP4_HOST_OPTION_BAD", "host reservation in subnet %u: option %u from the "
                     "database cannot be used (unknown, managed or bad formatted_value '%s')",
                     b->subnet_id, o->code, o->formatted);
            continue;
        }
        struct cfg_option *co = &hw->opts[h->options.n++];
        co->code = o->code;
        co->always_send = o->persistent;
        co->never_send = false;
        co->len = (uint16_t)len;
        co->data = hw->optdata[h->options.n - 1];
    }
}

static void log_failure(size_t db, const char *what, uint32_t subnet_id)
{
    LOG_ERROR("DHCP4_HOSTS_DB_LOOKUP_FAIL", "hosts-databases[%zu]: %s in subnet %u failed: "
              "packet dropped", db, what, subnet_id);
}

int host_mgr_get(const struct host_mgr *m, unsigned worker, const struct cfg4 *cfg,
                 uint32_t subnet_id, enum host_id_type type, const uint8_t *id, size_t len,
                 struct host_db_worker *hw, const struct cfg_host **out)
{
    *out = NULL;
    for (size_t d = 0; d < m->n_dbs; d++) {
        struct be_host_store *s = store_of(m, worker, d);
        int rc = s->ops->get(s, subnet_id, (uint8_t)type, id, len, &hw->raw);
        if (rc == 0) {
            to_cfg_host(cfg, hw);
            *out = &hw->host;
            return 0;
        }
        if (rc != LEASE_E_NOT_FOUND) {
            hw->failed = true;
            log_failure(d, "reservation lookup", subnet_id);
            return LEASE_E_IO;
        }
    }
    return LEASE_E_NOT_FOUND;
}

int host_mgr_addr_reserved(const struct host_mgr *m, unsigned worker, uint32_t subnet_id,
                           uint32_t addr, struct host_db_worker *hw)
{
    for (size_t d = 0; d < m->n_dbs; d++) {
        struct be_host_store *s = store_of(m, worker, d);
        int rc = s->ops->get_by_addr(s, subnet_id, addr, &hw->probe);
        if (rc == 0)
            return 1;
        if (rc != LEASE_E_NOT_FOUND) {
            hw->failed = true;
            log_failure(d, "reservation-by-address lookup", subnet_id);
            return LEASE_E_IO;
        }
    }
    return 0;
}
