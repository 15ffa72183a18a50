/*
 * The backend module ABI: what a dlopen()ed storage module (dora_mysql.so,
 * dora_pgsql.so) exports and what dorad expects of it.
 *
 * A module exports exactly one symbol, BE_MODULE_SYMBOL, a const struct
 * be_module. The loader (backends/store_factory.c) reads abi_version first
 * and refuses the module unless it equals BE_MODULE_ABI_VERSION, so any
 * change to this header, to lease_store.h or to struct lease4 MUST bump the
 * version: a module built against another layout is never called.
 *
 * Modules stay loaded for the life of the process (no dlclose): a store's
 * commit thread may still be unwinding when close() returns.
 */
#ifndef DORA_BACKENDS_MODULE_H
#define DORA_BACKENDS_MODULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backends/lease_store.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifndef BE_MODULE_ABI_VERSION
#define BE_MODULE_ABI_VERSION 3
#endif
#define BE_MODULE_SYMBOL "dora_backend_module"

/* on-fail modes (same order as enum cfg_on_fail, Kea §11). */
enum be_on_fail {
    BE_ON_FAIL_STOP_RETRY_EXIT = 0,
    BE_ON_FAIL_SERVE_RETRY_EXIT,
    BE_ON_FAIL_SERVE_RETRY_CONTINUE,
};

/* Connection parameters, copied from the config (Kea names in comments).
 * Strings are never NULL; "" means not set. */
struct be_db_params {
    const char *name;            /* name: the database */
    const char *host;            /* host: "" = localhost */
    uint16_t    port;            /* port: 0 = client default */
    const char *user, *password;
    uint32_t    connect_timeout; /* s */
    uint32_t    read_timeout, write_timeout;  /* s, MySQL */
    uint32_t    tcp_user_timeout;             /* s, PostgreSQL */
    uint32_t    max_reconnect_tries;
    uint32_t    reconnect_wait_time;          /* ms */
    enum be_on_fail on_fail;
    bool        retry_on_startup;
    bool        readonly;        /* hosts only */
    const char *trust_anchor, *cert_file, *key_file, *cipher_list;
};

/* Health of a store's database connection, for on-fail decisions by the
 * server: BE_DB_LOST means the reconnect attempts are exhausted. */
enum be_db_health {
    BE_DB_OK = 0,
    BE_DB_RECONNECTING = 1,  /* lost; retrying per max-reconnect-tries */
    BE_DB_LOST = 2,          /* retries exhausted */
};

/* ---- host reservations (hosts-database) -------------------------------- */

#define BE_HOST_ID_MAX      128
#define BE_HOST_NAME_MAX    255
#define BE_HOST_CLASSES_MAX 255
#define BE_HOST_OPTIONS_MAX 16     /* per-host options read with a reservation */
#define BE_HOST_OPT_TEXT_MAX 511   /* formatted_value */

/* Identifier types, as in Kea's hosts table (dhcp_identifier_type). */
enum be_host_id_type {
    BE_HOST_ID_HWADDR = 0,
    BE_HOST_ID_DUID = 1,
    BE_HOST_ID_CIRCUIT_ID = 2,
    BE_HOST_ID_CLIENT_ID = 3,
    BE_HOST_ID_FLEX_ID = 4,
};

/* One row of dhcp4_options for a host (Kea's columns). The server encodes
 * it: formatted_value (text, csv-format) when not empty, else value (wire
 * bytes). Options of another space than dhcp4 are skipped by the module. */
struct be_host_option {
    uint8_t  code;
    bool     persistent;            /* always-send */
    uint8_t  value_len;
    uint8_t  value[255];
    char     formatted[BE_HOST_OPT_TEXT_MAX + 1];  /* "" = use value */
};

struct be_host {
    uint32_t subnet_id;             /* 0 = global reservation */
    uint8_t  id_type;               /* enum be_host_id_type */
    uint8_t  id_len;
    uint8_t  id[BE_HOST_ID_MAX];
    uint32_t ipv4_address;          /* host order; 0 = none */
    uint32_t next_server;           /* host order; 0 = none */
    char     hostname[BE_HOST_NAME_MAX + 1];
    char     client_classes[BE_HOST_CLASSES_MAX + 1];  /* comma separated */
    char     server_hostname[65];
    char     boot_file_name[129];
    uint8_t  n_options;             /* filled by get/get_by_addr; add ignores them */
    struct be_host_option options[BE_HOST_OPTIONS_MAX];
};

struct be_host_store;

/* Callback for reservation listings; return non-zero to stop. */
typedef int (*be_host_visit_fn)(const struct be_host *h, void *ctx);

struct be_host_ops {
    /* Reservation of (type, id) in subnet_id. 0, LEASE_E_NOT_FOUND or
     * LEASE_E_IO. */
    int (*get)(struct be_host_store *s, uint32_t subnet_id, uint8_t id_type,
               const uint8_t *id, size_t id_len, struct be_host *out);
    /* Reservation of address addr in subnet_id. */
    int (*get_by_addr)(struct be_host_store *s, uint32_t subnet_id, uint32_t addr,
                       struct be_host *out);
    /* Add (LEASE_E_CONFLICT if the identifier or the address is reserved in
     * that subnet already; LEASE_E_INVALID on a readonly store). */
    int (*add)(struct be_host_store *s, const struct be_host *h);
    /* Delete the reservation of (type, id) in subnet_id. */
    int (*del)(struct be_host_store *s, uint32_t subnet_id, uint8_t id_type,
               const uint8_t *id, size_t id_len);
    /* Reservations of subnet_id (of every subnet when all_subnets) whose
     * database id is above *from (0 = from the first), in id order, at most
     * max, to fn (reservation-get-all, reservation-get-page); *from is set
     * to the id of the last one visited, the "from" of the next page.
     * Returns the number visited, or LEASE_E_IO. */
    int (*get_page)(struct be_host_store *s, bool all_subnets, uint32_t subnet_id,
                    uint64_t *from, size_t max, be_host_visit_fn fn, void *ctx);
    void (*close)(struct be_host_store *s);
};

struct be_host_store {
    const struct be_host_ops *ops;
};

/* ---- the descriptor ---------------------------------------------------- */

struct be_module {
    uint32_t    abi_version;     /* BE_MODULE_ABI_VERSION of the module's build; first member */
    const char *name;            /* the lease-database type it serves: "mysql", "postgresql" */
    const char *description;
    uint32_t    schema_major, schema_minor;  /* schema version it needs */
    /* Open a lease store (connects, checks the schema version). */
    int (*lease_open)(const struct be_db_params *p, struct lease_store **out,
                      char *err, size_t errlen);
    /* Database health of a store this module opened. */
    enum be_db_health (*lease_health)(struct lease_store *s);
    /* Open a host store; NULL when the module stores no hosts. */
    int (*host_open)(const struct be_db_params *p, struct be_host_store **out,
                     char *err, size_t errlen);
};

/* Emit the descriptor; use once per module. */
#define BE_MODULE_DECLARE(...) \
    __attribute__((visibility("default"))) \
    const struct be_module dora_backend_module = { __VA_ARGS__ }

#ifdef __cplusplus
}
#endif
#endif
