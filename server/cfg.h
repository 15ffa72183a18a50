/*
 * Configuration: Kea's Dhcp4 JSON (with #, // and block comments) parsed into
 * an immutable snapshot. Inheritance (global -> subnet) and defaults are
 * resolved at load time so the packet path only reads final values.
 *
 * Errors name the exact JSON place and a plain reason, e.g.
 *   "Dhcp4.subnet4[2].pools[0]: pool 10.0.0.1 - 10.0.0.9 is outside subnet 192.0.2.0/24"
 * Syntax errors name the file position: "FILE:LINE:COL: reason".
 *
 * All addresses are in host byte order.
 */
#ifndef DORA_SERVER_CFG_H
#define DORA_SERVER_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "classify/class_guard.h"
#include "wire/option_defs.h"

#ifdef __cplusplus
extern "C" {
#endif

enum cfg_socket_type { CFG_SOCKET_RAW = 0, CFG_SOCKET_UDP = 1 };
enum cfg_allocator { CFG_ALLOC_ITERATIVE = 0, CFG_ALLOC_RANDOM = 1 };

/* Kea's host identifier type numbers (also the SQL dhcp_identifier_type). */
enum host_id_type {
    HOST_ID_HWADDR = 0, HOST_ID_DUID = 1, HOST_ID_CIRCUIT_ID = 2,
    HOST_ID_CLIENT_ID = 3, HOST_ID_FLEX_ID = 4, HOST_ID_TYPES = 5
};

enum log_severity { LOG_SEV_DEBUG = 0, LOG_SEV_INFO, LOG_SEV_WARN, LOG_SEV_ERROR, LOG_SEV_FATAL, LOG_SEV_NONE };

struct cfg_option {
    uint8_t  code;
    bool     always_send;
    bool     never_send;
    uint16_t len;
    uint8_t *data;         /* wire bytes (without code/length) */
    struct class_guard classes; /* class-tagging (ARM §16.9): only for these classes; none = all */
};

struct cfg_options {
    struct cfg_option *v;
    size_t n;
};

struct cfg_pool {
    uint32_t first, last;  /* inclusive */
    uint32_t pool_id;      /* default 0 */
    struct cfg_options options;
    uint32_t cursor;       /* iterative allocator: next offset from first (starts at 0); __atomic updates */
    struct class_guard guard;      /* client-class / client-classes */
    struct class_guard additional; /* require-client-classes / evaluate-additional-classes */
};

#define HOST_ID_MAX 128

struct cfg_host {
    enum host_id_type id_type;
    uint8_t  id_len;
    uint8_t  id[HOST_ID_MAX];
    uint32_t subnet_id;    /* 0 = global reservation */
    uint32_t ip;           /* 0 = no address reserved */
    char    *hostname;     /* NULL when unset */
    char    *server_hostname;
    char    *boot_file_name;
    bool     has_next_server;
    uint32_t next_server;
    struct cfg_options options;
    struct class_guard classes;    /* client-classes: added to the packet when found */
};

struct cfg_shared_network;

struct cfg_subnet4 {
    uint32_t id;
    uint32_t prefix;       /* network address */
    uint32_t mask;         /* e.g. 0xffffff00 */
    uint8_t  plen;
    char    *interface;    /* NULL when unset */
    uint32_t *relay_addrs;
    size_t   n_relay;
    struct cfg_pool *pools;
    size_t   n_pools;
    struct cfg_options options;
    struct cfg_host *hosts;  /* this subnet's reservations */
    size_t   n_hosts;

    /* Resolved values: subnet setting, else global, else Kea's default. */
    uint32_t valid_lft, min_valid_lft, max_valid_lft;
    bool     has_renew_timer, has_rebind_timer;
    uint32_t renew_timer, rebind_timer;
    bool     calculate_tee_times;
    double   t1_percent, t2_percent;
    bool     match_client_id;
    bool     authoritative;
    bool     reservations_global, reservations_in_subnet, reservations_out_of_pool;
    bool     has_next_server;
    uint32_t next_server;
    char    *server_hostname;   /* "" when unset */
    char    *boot_file_name;    /* "" when unset */
    enum cfg_allocator allocator;
    uint64_t total_addresses;   /* sum of pool sizes */
    const struct cfg_shared_network *network;  /* NULL when not in a shared network */
    struct class_guard guard;      /* client-class / client-classes */
    struct class_guard additional; /* require-client-classes / evaluate-additional-classes */
};

/* A shared-networks[] entry (ARM §9.4): its subnets sit in cfg4.subnets
 * at [first_subnet, first_subnet + n_subnets), in config order, with the
 * network's parameters, interface and relay already resolved into each. */
struct cfg_shared_network {
    char    *name;
    char    *interface;         /* NULL when unset */
    uint32_t *relay_addrs;
    size_t   n_relay;
    struct cfg_options options; /* between subnet and global in precedence */
    struct class_guard guard;      /* client-class / client-classes: every subnet's too */
    struct class_guard additional; /* evaluate-additional-classes, after the subnet's */
    size_t   first_subnet, n_subnets;
};

/* Built-in classes: always these indices when cfg4.n_classes > 0. */
enum { CLASS_ALL = 0, CLASS_KNOWN = 1, CLASS_UNKNOWN = 2, CLASS_BOOTP = 3, CLASS_BUILTINS = 4 };
#define CLASS_MAX 1024                 /* class names one config may use */
#define CLASS_WORDS (CLASS_MAX / 64)

struct expr;

/* A client class (ARM §16.4): one entry per name the config uses, defined in
 * client-classes[] or only referenced (a guard, a reservation, member()). */
struct cfg_class {
    char    *name;
    bool     defined;          /* from client-classes[] */
    bool     additional;       /* only-if-required / only-in-additional-list */
    bool     depends_known;    /* the test reads KNOWN/UNKNOWN, directly or not */
    struct expr *test;         /* NULL: member only by other means */
    struct cfg_options options;
    bool     has_next_server;
    uint32_t next_server;
    char    *server_hostname;  /* NULL when unset */
    char    *boot_file_name;
    bool     has_valid;
    uint32_t valid_lft, min_valid_lft, max_valid_lft;
};

struct cfg_iface {
    char     name[16];     /* IFNAMSIZ */
    uint32_t addr;         /* "eth0/192.0.2.1" form; 0 = every address */
};

struct cfg_expired_leases {
    uint32_t reclaim_timer_wait_time;        /* s, default 10 */
    uint32_t flush_reclaimed_timer_wait_time;/* s, default 25 */
    uint32_t hold_reclaimed_time;            /* s, default 3600 */
    uint32_t max_reclaim_leases;             /* default 100 */
    uint32_t max_reclaim_time;               /* ms, default 250 */
    uint32_t unwarned_reclaim_cycles;        /* default 5 */
};

/* What the server does when it loses its database (Kea on-fail, §11). */
enum cfg_on_fail {
    CFG_ON_FAIL_STOP_RETRY_EXIT = 0,   /* default: stop serving, retry, exit when out of tries */
    CFG_ON_FAIL_SERVE_RETRY_EXIT,      /* keep serving, retry, exit when out of tries */
    CFG_ON_FAIL_SERVE_RETRY_CONTINUE,  /* keep serving, retry, keep running */
};

#define CFG_DB_STR_MAX 256      /* host, user, password */
#define CFG_DB_PATH_MAX 1024    /* TLS files and cipher list */

/* Kea's SQL connection parameters (spec §2.2). Strings are stored inline
 * ("" = not set) so that the struct needs no freeing beyond type and name. */
struct cfg_db_conn {
    char     host[CFG_DB_STR_MAX];      /* "" = client default (localhost) */
    char     user[CFG_DB_STR_MAX];
    char     password[CFG_DB_STR_MAX];
    uint16_t port;                      /* 0 = client default */
    uint32_t connect_timeout;           /* s, default 5, > 0 */
    uint32_t read_timeout;              /* s, MySQL only, 0 = none */
    uint32_t write_timeout;             /* s, MySQL only, 0 = none */
    uint32_t tcp_user_timeout;          /* s, PostgreSQL only, 0 = none */
    uint32_t max_reconnect_tries;       /* default 0: no automatic recovery */
    uint32_t reconnect_wait_time;       /* ms, default 0 */
    enum cfg_on_fail on_fail;
    bool     retry_on_startup;          /* default false */
    char     trust_anchor[CFG_DB_PATH_MAX];
    char     cert_file[CFG_DB_PATH_MAX];
    char     key_file[CFG_DB_PATH_MAX];
    char     cipher_list[CFG_DB_PATH_MAX];
};

struct cfg_lease_db {
    char    *type;          /* "memfile" (default), "mysql", "postgresql" */
    char    *name;          /* memfile path / database name */
    bool     persist;       /* default true */
    uint32_t lfc_interval;  /* default 3600 */
    uint32_t max_row_errors;/* default 0 */
    struct cfg_db_conn conn;/* SQL types only */
};

/* One hosts-database / hosts-databases entry. */
struct cfg_hosts_db {
    char    *type;          /* "mysql" or "postgresql" */
    char    *name;
    bool     readonly;
    struct cfg_db_conn conn;
};

struct cfg_mt {
    bool     enable;            /* default true */
    uint32_t thread_pool_size;  /* 0 = number of cores */
    uint32_t packet_queue_size; /* default 64; 0 = unlimited */
};

struct cfg_logging {
    enum log_severity severity;   /* default INFO */
    uint32_t debuglevel;
    char    *output;              /* "stdout" (default), "stderr", "syslog", or a file path */
};

/* One hooks-libraries entry (loaded by hooks/hooks_mgr.h, not here). */
struct cfg_hook_lib {
    char *library;          /* path as configured */
    char *params_json;      /* the "parameters" map as JSON text ("{}" when absent) */
};

/* The metrics endpoint (a dora extension: Kea has no such key):
 * "metrics": { "http-host": "127.0.0.1", "http-port": 9547 }. */
struct cfg_metrics {
    bool     enabled;      /* the "metrics" map is present */
    uint32_t http_host;    /* default 127.0.0.1 */
    uint16_t http_port;    /* default 9547 */
};

struct cfg4 {
    struct cfg_iface *ifaces;
    size_t   n_ifaces;
    bool     all_ifaces;         /* "*" was listed */
    enum cfg_socket_type socket_type;

    struct cfg_subnet4 *subnets; /* config order: subnet4[] first, then each
                                    shared network's subnet4[] */
    size_t   n_subnets;
    struct cfg_shared_network *networks;
    size_t   n_networks;

    struct cfg_options options;  /* global option-data */
    struct opt_def *option_defs; /* custom option-def entries */
    size_t   n_option_defs;

    struct cfg_class *classes;   /* built-ins first, then config order; none = no classification */
    size_t   n_classes;
    uint16_t *class_defs;        /* indices of the defined classes in config order (evaluation order) */
    size_t   n_class_defs;
    int      class_drop;         /* index of the class named DROP, or -1 */
    bool     class_vendor;       /* some class name starts with VENDOR_CLASS_ */

    struct cfg_host *hosts;      /* global reservations (subnet_id 0) */
    size_t   n_hosts;
    enum host_id_type host_ids[HOST_ID_TYPES]; /* host-reservation-identifiers order */
    size_t   n_host_ids;

    bool     authoritative;             /* global value, default false (used when no subnet matches) */
    uint32_t decline_probation_period;  /* default 86400 */
    bool     echo_client_id;            /* default true */
    struct cfg_expired_leases expired;
    struct cfg_lease_db lease_db;
    struct cfg_hosts_db *hosts_dbs;     /* in lookup order; none = config-file hosts only */
    size_t   n_hosts_dbs;
    struct cfg_mt mt;
    struct cfg_logging logging;
    char    *ctrl_socket_path;  /* control-socket(s) unix entry, resolved; NULL = none */

    struct cfg_hook_lib *hook_libs;  /* hooks-libraries, config order */
    size_t   n_hook_libs;
    uint32_t parked_packet_limit;    /* default 256, 0 = unlimited */
    void    *hooks;          /* the loaded hook set (struct hooks_set), set by the server
                                before install; NULL = no callouts anywhere */
    uint32_t stat_sample_count;  /* statistic-default-sample-count, default 20; 0 = by age */
    uint32_t stat_sample_age;    /* statistic-default-sample-age (s), default 0 */
    struct cfg_metrics metrics;

    char    *source_path;    /* file the config came from, or NULL */
    char    *warnings;       /* newline-separated warnings (ignored keys), or NULL */
    char    *json_text;      /* the whole config as plain JSON (comments stripped) */
    void    *host_index;     /* private: lookup tables built at load */
};

/* Parse a config from text (the whole file, including the top-level object
 * holding "Dhcp4"). origin names the text in syntax errors (a file name).
 * Returns 0 and *out, or -1 with the message in err. */
int cfg4_parse(const char *text, const char *origin, struct cfg4 **out,
               char *err, size_t errlen);

/* Read and parse a file. */
int cfg4_load_file(const char *path, struct cfg4 **out, char *err, size_t errlen);

void cfg4_free(struct cfg4 *cfg);

/* Lookups (NULL when none). */
const struct cfg_subnet4 *cfg4_subnet_by_id(const struct cfg4 *cfg, uint32_t id);
/* Reservation of the client identified by (type, id) in subnet_id (0 = global). */
const struct cfg_host *cfg4_host_find(const struct cfg4 *cfg, uint32_t subnet_id,
                                      enum host_id_type type, const uint8_t *id, size_t len);
/* Reservation of address addr in subnet_id (0 = global). */
const struct cfg_host *cfg4_host_by_addr(const struct cfg4 *cfg, uint32_t subnet_id, uint32_t addr);

/* The option definition for code in the dhcp4 space: custom option-def first,
 * then the standard table. */
const struct opt_def *cfg4_opt_def(const struct cfg4 *cfg, uint8_t code);

/* Why an option code cannot be configured (the server computes it per
 * packet), or NULL when it can. */
const char *cfg4_option_managed(unsigned code);

#ifdef __cplusplus
}
#endif
#endif
