/*
 * The backend factory (Kea's lease_mgr_factory / host_data_source_factory):
 * opens the store a config names, memfile built in, the SQL types from a
 * dlopen()ed module (backends/module.h).
 */
#ifndef DORA_BACKENDS_STORE_FACTORY_H
#define DORA_BACKENDS_STORE_FACTORY_H

#include <stddef.h>

#include "backends/lease_store.h"
#include "backends/module.h"
#include "server/cfg.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Directory the modules are loaded from: $DORA_MODULE_DIR if set and not
 * empty, else the configure-time DORA_MODULEDIR ($(libdir)/dora). */
const char *be_module_dir(void);

/* File name of the module serving a database type ("mysql" ->
 * "dora_mysql.so", "postgresql" -> "dora_pgsql.so"); NULL for an unknown or
 * built-in type. */
const char *be_module_file(const char *type);

/* Load (once per process) and check the module of a type. Refuses a missing
 * file, a file without the descriptor, an ABI version other than ours (the
 * message names the file and both versions) and a module serving another
 * type. Returns 0 or LEASE_E_INVALID with the reason in err. Thread safe. */
int be_module_load(const char *type, const struct be_module **out, char *err, size_t errlen);

/* Load the module at an explicit path (tests). Same checks as above. */
int be_module_load_path(const char *path, const char *type, const struct be_module **out,
                        char *err, size_t errlen);

/* Connection parameters of a config entry, pointing into conn. */
void be_db_params_from_cfg(struct be_db_params *p, const char *name, bool readonly,
                           const struct cfg_db_conn *conn);

/* Open the lease store of cfg->lease_db: memfile_open() for memfile, else
 * the module's lease_open(). Returns 0 or a negative lease_err, with a
 * message in err. */
int lease_store_open(const struct cfg4 *cfg, struct lease_store **out, char *err, size_t errlen);

/* Open hosts-databases entry i of cfg. */
int host_store_open(const struct cfg4 *cfg, size_t i, struct be_host_store **out,
                    char *err, size_t errlen);

/* Database health of a store opened by lease_store_open (memfile: BE_DB_OK). */
enum be_db_health lease_store_health(struct lease_store *s);

#ifdef __cplusplus
}
#endif
#endif
