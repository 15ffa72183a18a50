/*
 * Internals shared by the files of dora_pgsql.so (hidden: the module is
 * built with -fvisibility=hidden).
 */
#ifndef DORA_BACKENDS_PGSQL_INT_H
#define DORA_BACKENDS_PGSQL_INT_H

#include <libpq-fe.h>

#include "backends/module.h"
#include "backends/sql/sql_core.h"

/* Connect with Kea's parameters and check the schema version. NULL with
 * the reason in err. */
PGconn *pg_db_open(const struct be_db_params *p, char *err, size_t errlen);

/* Multi-row ADD (pgsql_multi.c). A run is at most PG_ADD_RUN_MAX ADD ops
 * with distinct addresses; pg_add_run() is the length of the run that
 * starts at ops (0 when ops[0] is no ADD). */
#define PG_ADD_RUN_MAX 256
size_t pg_add_run(const struct sql_op *ops, size_t n);
/* Send the run as one INSERT of the prepared multi-row statement stmt
 * ($1..$11 column arrays, $12 = now) in pipeline mode. */
bool pg_send_add_run(PGconn *db, const char *stmt, const struct sql_op *ops, size_t n, int64_t now);
/* From its result (the addresses RETURNING gave), set each op's result. */
void pg_mark_add_run(const PGresult *r, struct sql_op *ops, size_t n);

int pgsql_host_open(const struct be_db_params *p, struct be_host_store **out,
                    char *err, size_t errlen);

#endif
