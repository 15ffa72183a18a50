/*
 * Host reservations from hosts-databases; see host_mgr.h.
 */
#include "server/host_mgr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backends/store_factory.h"
#include "server/log.h"

int host_mgr_open(struct host_mgr *m, const struct cfg4 *cfg, unsigned n_workers,
                  char *err, size_t errlen)
{
    memset(m, 0, sizeof(*m));
    if (cfg->n_hosts_dbs == 0 || n_workers == 0)
        return 0;
    m->st = calloc(cfg->n_hosts_dbs * (n_workers + 1), sizeof(*m->st));
    m->db = calloc(cfg->n_hosts_dbs, sizeof(*m->db));
    if (m->st == NULL || m->db == NULL) {
        free(m->st);
        free(m->db);
        m->st = NULL;
        m->db = NULL;
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    m->n_dbs = cfg->n_hosts_dbs;
    m->n_workers = n_workers;
    for (size_t d = 0; d < m->n_dbs; d++) {
        const struct cfg_db_conn *c = &cfg->hosts_dbs[d].conn;
        m->db[d].max_reconnect_tries = c->max_reconnect_tries;
        m->db[d].reconnect_wait_time = c->reconnect_wait_time;
        m->db[d].on_fail = c->on_fail;
    }
    for (unsigned w = 0; w <= n_workers; w++) {   /* w == n_workers: the probe */
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
    for (size_t i = 0; m->st != NULL && i < m->n_dbs * (m->n_workers + 1); i++)
        if (m->st[i] != NULL)
            m->st[i]->ops->close(m->st[i]);
    free(m->st);
    free(m->db);
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

static void log_failure(const struct host_mgr *m, size_t db, const char *what, uint32_t subnet_id)
{
    __atomic_store_n(&m->db[db].lost, 1, __ATOMIC_RELEASE);
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
        if (rc != 0 && rc != LEASE_E_NOT_FOUND)   /* once more, reconnected */
            rc = s->ops->get(s, subnet_id, (uint8_t)type, id, len, &hw->raw);
        if (rc == 0) {
            to_cfg_host(cfg, hw);
            *out = &hw->host;
            return 0;
        }
        if (rc != LEASE_E_NOT_FOUND) {
            hw->failed = true;
            log_failure(m, d, "reservation lookup", subnet_id);
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
        if (rc != 0 && rc != LEASE_E_NOT_FOUND)
            rc = s->ops->get_by_addr(s, subnet_id, addr, &hw->probe);
        if (rc == 0)
            return 1;
        if (rc != LEASE_E_NOT_FOUND) {
            hw->failed = true;
            log_failure(m, d, "reservation-by-address lookup", subnet_id);
            return LEASE_E_IO;
        }
    }
    return 0;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One database's part of the verdict; probes it when it is due. */
static enum host_mgr_verdict check_db(struct host_mgr *m, size_t d)
{
    struct host_mgr_db *db = &m->db[d];
    struct be_host_store *probe = m->st[m->n_workers * m->n_dbs + d];

    if (!__atomic_load_n(&db->lost, __ATOMIC_ACQUIRE))
        return HOST_MGR_SERVE;
    int64_t now = now_ms();
    if (db->tries == 0 || now - db->last_probe_ms >= (int64_t)db->reconnect_wait_time) {
        db->last_probe_ms = now;
        int rc = probe->ops->get_by_addr(probe, 0, 0, &m->probe_buf);
        if (rc == 0 || rc == LEASE_E_NOT_FOUND) {
            __atomic_store_n(&db->lost, 0, __ATOMIC_RELEASE);
            if (db->tries)
                LOG_INFO("DHCP4_HOSTS_DB_RECONNECTED", "hosts-databases[%zu]: connection back", d);
            db->tries = 0;
            return HOST_MGR_SERVE;
        }
        if (db->tries++ == 0)
            LOG_WARN("DHCP4_HOSTS_DB_RECONNECT", "hosts-databases[%zu]: connection lost; retrying "
                     "(on-fail %s)", d, db->on_fail == CFG_ON_FAIL_STOP_RETRY_EXIT ? "stop-retry-exit"
                     : db->on_fail == CFG_ON_FAIL_SERVE_RETRY_EXIT ? "serve-retry-exit"
                     : "serve-retry-continue");
    }
    if (db->tries > db->max_reconnect_tries && db->on_fail != CFG_ON_FAIL_SERVE_RETRY_CONTINUE) {
        LOG_ERROR("DHCP4_HOSTS_DB_LOST", "hosts-databases[%zu]: reconnect attempts exhausted", d);
        return HOST_MGR_EXIT;
    }
    return db->on_fail == CFG_ON_FAIL_STOP_RETRY_EXIT ? HOST_MGR_STOP : HOST_MGR_SERVE;
}

enum host_mgr_verdict host_mgr_check(struct host_mgr *m)
{
    enum host_mgr_verdict v = HOST_MGR_SERVE;
    for (size_t d = 0; d < m->n_dbs; d++) {
        enum host_mgr_verdict x = check_db(m, d);
        if (x > v)
            v = x;
    }
    return v;
}
