/*
 * Internals shared by the files of dora_mysql.so (not exported: the module
 * is built with -fvisibility=hidden).
 */
#ifndef DORA_BACKENDS_MYSQL_INT_H
#define DORA_BACKENDS_MYSQL_INT_H

#include <mysql.h>

#include "backends/module.h"

/* Connect (Kea's parameters, TLS, no silent reconnect), set the session up
 * and check the schema version. NULL with the reason in err. */
MYSQL *my_db_open(const struct be_db_params *p, char *err, size_t errlen);

int mysql_host_open(const struct be_db_params *p, struct be_host_store **out,
                    char *err, size_t errlen);

#endif
