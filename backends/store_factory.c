/*
 * The backend factory: memfile is built in; mysql and postgresql come from
 * modules loaded with dlopen(RTLD_NOW | RTLD_LOCAL), one exported descriptor
 * each, checked before anything in the module runs (like Knot's module
 * loader). dorad itself links no SQL client library.
 */
#include "backends/store_factory.h"

#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/memfile/memfile.h"

#ifndef DORA_MODULEDIR
#define DORA_MODULEDIR "/usr/local/lib/dora"
#endif

static const struct {
    const char *type, *file;
} module_files[] = {
    { "mysql", "dora_mysql.so" },
    { "postgresql", "dora_pgsql.so" },
};

/* Loaded modules, by type; never unloaded (see module.h). */
static pthread_mutex_t loaded_mu = PTHREAD_MUTEX_INITIALIZER;
static const struct be_module *loaded[sizeof(module_files) / sizeof(module_files[0])];

const char *be_module_dir(void)
{
    const char *d = getenv("DORA_MODULE_DIR");
    return d != NULL && d[0] != '\0' ? d : DORA_MODULEDIR;
}

static int type_index(const char *type)
{
    for (size_t i = 0; i < sizeof(module_files) / sizeof(module_files[0]); i++)
        if (type != NULL && strcmp(type, module_files[i].type) == 0)
            return (int)i;
    return -1;
}

const char *be_module_file(const char *type)
{
    int i = type_index(type);
    return i < 0 ? NULL : module_files[i].file;
}

int be_module_load_path(const char *path, const char *type, const struct be_module **out,
                        char *err, size_t errlen)
{
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (h == NULL) {
        snprintf(err, errlen, "cannot load backend module %s: %s", path, dlerror());
        return LEASE_E_INVALID;
    }
    const struct be_module *m = dlsym(h, BE_MODULE_SYMBOL);
    if (m == NULL) {
        snprintf(err, errlen, "%s is not a dora backend module (no symbol %s)", path,
                 BE_MODULE_SYMBOL);
        dlclose(h);
        return LEASE_E_INVALID;
    }
    /* abi_version is the first member: readable whatever the rest looks like. */
    if (m->abi_version != BE_MODULE_ABI_VERSION) {
        snprintf(err, errlen, "backend module %s has ABI version %u, this dorad needs ABI "
                 "version %u (rebuild or reinstall the module)", path,
                 (unsigned)m->abi_version, (unsigned)BE_MODULE_ABI_VERSION);
        dlclose(h);
        return LEASE_E_INVALID;
    }
    if (m->name == NULL || type == NULL || strcmp(m->name, type) != 0 || m->lease_open == NULL) {
        snprintf(err, errlen, "backend module %s serves type '%s', expected '%s'", path,
                 m->name ? m->name : "(none)", type ? type : "(none)");
        dlclose(h);
        return LEASE_E_INVALID;
    }
    *out = m;
    return 0;
}

int be_module_load(const char *type, const struct be_module **out, char *err, size_t errlen)
{
    int i = type_index(type);
    char path[PATH_MAX];
    int rc = 0;

    if (i < 0) {
        snprintf(err, errlen, "no backend module serves database type '%s'", type ? type : "");
        return LEASE_E_INVALID;
    }
    if ((size_t)snprintf(path, sizeof(path), "%s/%s", be_module_dir(), module_files[i].file) >=
        sizeof(path)) {
        snprintf(err, errlen, "module directory path too long");
        return LEASE_E_INVALID;
    }
    pthread_mutex_lock(&loaded_mu);
    if (loaded[i] == NULL)
        rc = be_module_load_path(path, type, &loaded[i], err, errlen);
    if (rc == 0)
        *out = loaded[i];
    pthread_mutex_unlock(&loaded_mu);
    return rc;
}

void be_db_params_from_cfg(struct be_db_params *p, const char *name, bool readonly,
                           const struct cfg_db_conn *c)
{
    memset(p, 0, sizeof(*p));
    p->name = name ? name : "";
    p->host = c->host;
    p->port = c->port;
    p->user = c->user;
    p->password = c->password;
    p->connect_timeout = c->connect_timeout;
    p->read_timeout = c->read_timeout;
    p->write_timeout = c->write_timeout;
    p->tcp_user_timeout = c->tcp_user_timeout;
    p->max_reconnect_tries = c->max_reconnect_tries;
    p->reconnect_wait_time = c->reconnect_wait_time;
    p->on_fail = (enum be_on_fail)c->on_fail;
    p->retry_on_startup = c->retry_on_startup;
    p->readonly = readonly;
    p->trust_anchor = c->trust_anchor;
    p->cert_file = c->cert_file;
    p->key_file = c->key_file;
    p->cipher_list = c->cipher_list;
}

int lease_store_open(const struct cfg4 *cfg, struct lease_store **out, char *err, size_t errlen)
{
    const struct cfg_lease_db *db = &cfg->lease_db;
    const struct be_module *m;
    struct be_db_params p;
    int rc;

    if (db->type == NULL || strcmp(db->type, "memfile") == 0) {
        struct memfile_params mp = {
            .path = db->name, .persist = db->persist,
            .lfc_interval = db->lfc_interval, .max_row_errors = db->max_row_errors,
        };
        struct memfile_load_stats ls = { 0 };
        return memfile_open(&mp, out, &ls, err, errlen);
    }
    if ((rc = be_module_load(db->type, &m, err, errlen)) != 0)
        return rc;
    be_db_params_from_cfg(&p, db->name, false, &db->conn);
    return m->lease_open(&p, out, err, errlen);
}

int host_store_open(const struct cfg4 *cfg, size_t i, struct be_host_store **out,
                    char *err, size_t errlen)
{
    const struct be_module *m;
    struct be_db_params p;
    int rc;

    if (i >= cfg->n_hosts_dbs) {
        snprintf(err, errlen, "no hosts-database %zu", i);
        return LEASE_E_INVALID;
    }
    const struct cfg_hosts_db *db = &cfg->hosts_dbs[i];
    if ((rc = be_module_load(db->type, &m, err, errlen)) != 0)
        return rc;
    if (m->host_open == NULL) {
        snprintf(err, errlen, "backend module '%s' cannot store hosts", db->type);
        return LEASE_E_INVALID;
    }
    be_db_params_from_cfg(&p, db->name, db->readonly, &db->conn);
    return m->host_open(&p, out, err, errlen);
}

enum be_db_health lease_store_health(struct lease_store *s)
{
    const struct be_module *m = NULL;
    int i;

    /* A module store's ops name its type; memfile is never "lost". */
    if (s == NULL || (i = type_index(s->ops->type)) < 0)
        return BE_DB_OK;
    pthread_mutex_lock(&loaded_mu);
    m = loaded[i];
    pthread_mutex_unlock(&loaded_mu);
    return m != NULL && m->lease_health != NULL ? m->lease_health(s) : BE_DB_OK;
}
