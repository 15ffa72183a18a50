/*
 * The database schema version this build of the SQL modules reads and
 * writes (schema/mysql, schema/pgsql; the table schema_version holds the
 * database's). dora-admin db-upgrade brings an older database to it.
 */
#ifndef DORA_BACKENDS_SQL_SCHEMA_VERSION_H
#define DORA_BACKENDS_SQL_SCHEMA_VERSION_H

#define SQL_SCHEMA_MAJOR 2
#define SQL_SCHEMA_MINOR 0

/* The operator message for a database at version (major, minor), or NULL
 * when it is the version this build knows. */
static inline const char *sql_schema_advice(int major, int minor)
{
    if (major == SQL_SCHEMA_MAJOR && minor == SQL_SCHEMA_MINOR)
        return (const char *)0;
    if (major < SQL_SCHEMA_MAJOR || (major == SQL_SCHEMA_MAJOR && minor < SQL_SCHEMA_MINOR))
        return "older than this dorad supports: run dora-admin db-upgrade";
    return "newer than this dorad supports: upgrade dorad";
}

#endif
