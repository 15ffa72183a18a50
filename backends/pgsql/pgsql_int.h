/*
 * Internals shared by the files of dora_pgsql.so (hidden: the module is
 * built with -fvisibility=hidden).
 */
#ifndef DORA_BACKENDS_PGSQL_INT_H
#define DORA_BACKENDS_PGSQL_INT_H

#include <libpq-fe.h>

#include "backends/module.h"

/* Connect with Kea's parameters and check the schema version. NULL with
 * the reason in err. */
PGconn *pg_db_open(const struct be_db_params *p, char *err, size_t errlen);

int pgsql_host_open(const struct be_db_params *p, struct be_host_store **out,
                    char *err, size_t errlen);

#endif
