/*
 * Private to the server/cfg_*.c files: the parse context that carries the
 * JSON path of the element being read (for "PATH: reason" errors), the
 * warning list, typed getters over json-c objects, and the entry points the
 * config files call on each other. Nothing outside server/cfg_*.c includes
 * this; the public contract is server/cfg.h.
 */
#ifndef DORA_SERVER_CFG_INTERNAL_H
#define DORA_SERVER_CFG_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "server/cfg.h"

#define CFG_PATH_MAX 512
/* Largest option payload accepted from option-data (RFC 3396 lets long
 * options be split on the wire; cfg_option.len is 16 bits). */
#define CFG_OPT_MAX 65535
#define CFG_SNAME_MAX 63   /* RFC 2131 sname: 64 bytes with the NUL */
#define CFG_FILE_MAX 127   /* RFC 2131 file: 128 bytes with the NUL */

struct cfg_strbuf {
    char  *s;
    size_t len, cap;
};

struct cfg_ctx {
    struct cfg4 *cfg;
    char   path[CFG_PATH_MAX];
    size_t plen;
    char  *err;
    size_t errlen;
    struct cfg_strbuf warnings;
    bool   ip_reservations_unique;
    uint8_t *optbuf;            /* CFG_OPT_MAX bytes, scratch for encoding */
};

/* ---- strings and messages (cfg_util.c) ---- */
int  cfg_strbuf_add(struct cfg_strbuf *b, const char *s, size_t n);
void cfg_strbuf_free(struct cfg_strbuf *b);

/* Path building: each push returns the previous length to pop back to. */
size_t cfg_path_key(struct cfg_ctx *ctx, const char *key);
size_t cfg_path_idx(struct cfg_ctx *ctx, size_t i);
void   cfg_path_pop(struct cfg_ctx *ctx, size_t len);

/* Record "PATH: reason" (or "PATH.key: reason") in ctx->err; return -1. */
int cfg_fail(struct cfg_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int cfg_fail_key(struct cfg_ctx *ctx, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int cfg_oom(struct cfg_ctx *ctx);
/* Append a warning line "PATH[.key]: message". */
int cfg_warn(struct cfg_ctx *ctx, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- key tables ---- */
enum cfg_key_use {
    CK_END = 0,
    CK_USE,       /* parsed by the caller */
    CK_IGNORE,    /* Kea knows it, dora does not implement it yet: warn */
};

struct cfg_key {
    const char      *name;
    enum cfg_key_use use;
};

/* Entries of key tables: a key dora reads, a Kea key it accepts with a warning. */
#define USE(k) { k, CK_USE }
#define IGN(k) { k, CK_IGNORE }

/* Kea's DDNS and hostname-sanitising keys, valid at every scope from global
 * to pool; dora accepts them with a warning. */
#define CFG_DDNS_KEYS \
    IGN("ddns-send-updates"), IGN("ddns-override-no-update"), \
    IGN("ddns-override-client-update"), IGN("ddns-replace-client-name"), \
    IGN("ddns-generated-prefix"), IGN("ddns-qualifying-suffix"), \
    IGN("ddns-update-on-renew"), IGN("ddns-use-conflict-resolution"), \
    IGN("ddns-conflict-resolution-mode"), IGN("ddns-ttl-percent"), \
    IGN("ddns-ttl"), IGN("ddns-ttl-min"), IGN("ddns-ttl-max"), \
    IGN("hostname-char-set"), IGN("hostname-char-replacement")

/* Every key of obj must be in keys or in more (both NULL-name terminated;
 * more may be NULL), or be "user-context" (a map) / "comment" (a string),
 * which are accepted silently anywhere. CK_IGNORE keys add a warning. */
int cfg_check_keys(struct cfg_ctx *ctx, struct json_object *obj,
                   const struct cfg_key *keys, const struct cfg_key *more);

/* ---- typed getters: absent key leaves *out alone and *set false ---- */
struct json_object *cfg_member(struct json_object *obj, const char *key, bool *present);
int cfg_get_int(struct cfg_ctx *ctx, struct json_object *obj, const char *key,
                int64_t min, int64_t max, int64_t *out, bool *set);
int cfg_get_u32(struct cfg_ctx *ctx, struct json_object *obj, const char *key,
                uint32_t *out, bool *set);
int cfg_get_bool(struct cfg_ctx *ctx, struct json_object *obj, const char *key,
                 bool *out, bool *set);
int cfg_get_real(struct cfg_ctx *ctx, struct json_object *obj, const char *key,
                 double *out, bool *set);
int cfg_get_str(struct cfg_ctx *ctx, struct json_object *obj, const char *key,
                const char **out, bool *set);
/* A string of at most max bytes, copied into *out; absent or "" leaves
 * *out alone. */
int cfg_get_str_dup(struct cfg_ctx *ctx, struct json_object *obj, const char *key,
                    size_t max, char **out);
int cfg_get_ipv4(struct cfg_ctx *ctx, struct json_object *obj, const char *key,
                 uint32_t *out, bool *set);
/* Arrays and maps: *out is NULL when the key is absent. */
int cfg_get_array(struct cfg_ctx *ctx, struct json_object *obj, const char *key,
                  struct json_object **out);
int cfg_get_object(struct cfg_ctx *ctx, struct json_object *obj, const char *key,
                   struct json_object **out);
/* A list of strings; each element is type-checked. */
int cfg_get_str_list(struct cfg_ctx *ctx, struct json_object *obj, const char *key,
                     struct json_object **out);
/* Type check of a value already fetched; where is the key or NULL for the
 * current path. */
int cfg_expect_type(struct cfg_ctx *ctx, const char *where, struct json_object *v,
                    enum json_type want);

/* Dotted quad, host byte order. 0 or -1. */
int cfg_parse_ipv4(const char *s, uint32_t *out);
void cfg_fmt_ipv4(uint32_t a, char out[16]);
char *cfg_strdup(struct cfg_ctx *ctx, const char *s);

/* ---- JSON text (cfg_json.c) ---- */
/* Strip comments, drop trailing commas, find duplicate keys, run json-c.
 * Syntax errors are "ORIGIN:LINE:COL: reason". */
int cfg_json_load(struct cfg_ctx *ctx, const char *text, const char *origin,
                  struct json_object **root);

/* ---- per-network parameters shared by global and subnet4 scopes ---- */
struct cfg_net {
    bool     has_triplet;
    uint32_t valid, min_valid, max_valid;
    bool     has_renew, has_rebind;
    uint32_t renew, rebind;
    bool     has_calc_tee, calc_tee;
    bool     has_t1, has_t2;
    double   t1, t2;
    bool     has_match_client_id, match_client_id;
    bool     has_authoritative, authoritative;
    bool     has_res_global, res_global;
    bool     has_res_in_subnet, res_in_subnet;
    bool     has_res_oop, res_oop;
    bool     has_next_server;
    uint32_t next_server;
    const char *server_hostname;   /* NULL = not set here (points into the JSON tree) */
    const char *boot_file_name;
    bool     has_allocator;
    enum cfg_allocator allocator;
};

/* The keys cfg_net_parse reads, to merge into a scope's key table. */
extern const struct cfg_key cfg_net_keys[];

/* Read the network keys of one scope; `parent` (NULL at global level)
 * provides inherited values for the cross-key checks. */
int cfg_net_parse(struct cfg_ctx *ctx, struct json_object *obj, struct cfg_net *net,
                  const struct cfg_net *parent);

/* A scope's own values over its parent's: what a shared network's subnets
 * inherit (network over global). */
void cfg_net_merge(const struct cfg_net *child, const struct cfg_net *parent,
                   struct cfg_net *out);

/* A valid-lifetime triplet alone (client classes): *has false when the
 * object sets none of the three keys. Same rules as a network scope. */
int cfg_valid_triplet_parse(struct cfg_ctx *ctx, struct json_object *obj, bool *has,
                            uint32_t *valid, uint32_t *min, uint32_t *max);

/* ---- client classes (cfg_class.c) ---- */
int  cfg_classes_parse(struct cfg_ctx *ctx, struct json_object *dhcp4);
void cfg_classes_free(struct cfg4 *cfg);
/* Append the class names of list key `key` of obj to out. */
int  cfg_class_list_parse(struct cfg_ctx *ctx, struct json_object *obj, const char *key,
                          struct class_guard *out);
/* A subnet's or pool's client-class / client-classes guard and its
 * require-client-classes / evaluate-additional-classes list. */
int  cfg_class_guard_parse(struct cfg_ctx *ctx, struct json_object *obj, struct class_guard *guard,
                           struct class_guard *additional);
void cfg_class_list_free(struct class_guard *g);

/* ---- sections ---- */
int cfg_option_defs_parse(struct cfg_ctx *ctx, struct json_object *scope);
int cfg_options_parse(struct cfg_ctx *ctx, struct json_object *scope,
                      struct cfg_options *out);
void cfg_options_free(struct cfg_options *o);
/* After one scope's option-data is parsed (cfg_option_encap.c): options
 * of other spaces go into the dhcp4 options that encapsulate them (43, a
 * custom option with "encapsulate", 125 per enterprise number from space
 * "vendor-<number>"), then leave the list, which keeps dhcp4 options only.
 * spaces[i] is the space of opts->v[i], where[i] its option-data index. */
int cfg_options_encapsulate(struct cfg_ctx *ctx, struct cfg_options *opts,
                            const char **spaces, const size_t *where);

int cfg_reservations_parse(struct cfg_ctx *ctx, struct json_object *scope,
                           const struct cfg_subnet4 *subnet,
                           struct cfg_host **out, size_t *n);
void cfg_host_free(struct cfg_host *h);

/* Every subnet4 entry of the config: the top-level list, then each shared
 * network's (cfg_shared.c), into one cfg->subnets array. */
int cfg_subnets_parse(struct cfg_ctx *ctx, struct json_object *dhcp4,
                      const struct cfg_net *global);
void cfg_subnet_free(struct cfg_subnet4 *s);
/* One subnet4 entry (the path names it); parent gives inherited values. */
int cfg_subnet_parse_one(struct cfg_ctx *ctx, struct json_object *o, uint32_t id,
                         const struct cfg_net *parent, struct cfg_subnet4 *s);
/* "relay" and "interface" of a subnet or shared network. */
int cfg_relay_parse(struct cfg_ctx *ctx, struct json_object *o, uint32_t **addrs,
                    size_t *n_addrs);
int cfg_interface_parse(struct cfg_ctx *ctx, struct json_object *o, char **out);

/* ---- shared networks (cfg_shared.c) ---- */
/* A subnet4 entry's JSON and place: net is SIZE_MAX at top level, else the
 * shared-networks index; idx is its index in its subnet4 list. */
struct cfg_subnet_src {
    struct json_object *obj;
    size_t net, idx;
};
/* Push "subnet4[i]" or "shared-networks[k].subnet4[j]" (path at Dhcp4). */
void cfg_path_subnet_src(struct cfg_ctx *ctx, const struct cfg_subnet_src *src);
/* Check shared-networks[] shape (list of maps, names, subnet4 lists); *nets
 * gets the list (NULL when absent). With src NULL, *count gets the number
 * of subnets in all networks; else src[] is filled with them. */
int cfg_shared_sources(struct cfg_ctx *ctx, struct json_object *dhcp4,
                       struct json_object **nets, struct cfg_subnet_src *src,
                       size_t *count);
/* Parse the networks into cfg->networks and their subnets into
 * cfg->subnets[cfg->n_subnets...] with the ids assigned by the first pass. */
int cfg_shared_parse(struct cfg_ctx *ctx, struct json_object *nets,
                     const struct cfg_net *global, const uint32_t *ids);
void cfg_shared_free(struct cfg_shared_network *n);

/* Why name[0..len) is not a Linux interface name, or NULL when it is. */
const char *cfg_iface_name_problem(const char *name, size_t len);
int cfg_interfaces_parse(struct cfg_ctx *ctx, struct json_object *dhcp4);
int cfg_lease_db_parse(struct cfg_ctx *ctx, struct json_object *dhcp4);
int cfg_hosts_db_parse(struct cfg_ctx *ctx, struct json_object *dhcp4);
int cfg_expired_parse(struct cfg_ctx *ctx, struct json_object *dhcp4);
int cfg_mt_parse(struct cfg_ctx *ctx, struct json_object *dhcp4);
int cfg_loggers_parse(struct cfg_ctx *ctx, struct json_object *dhcp4);
int cfg_host_ids_parse(struct cfg_ctx *ctx, struct json_object *dhcp4);
int cfg_ctrl_parse(struct cfg_ctx *ctx, struct json_object *dhcp4);
/* hooks-libraries and parked-packet-limit (cfg_hooks.c). */
int  cfg_hooks_parse(struct cfg_ctx *ctx, struct json_object *dhcp4);
void cfg_hooks_free(struct cfg4 *cfg);
/* statistic-default-sample-* and the metrics endpoint (cfg_stats.c). */
int cfg_stats_parse(struct cfg_ctx *ctx, struct json_object *dhcp4);

/* ---- lookup tables (cfg_hosts.c) ---- */
/* Build cfg->host_index; detects two reservations of one identifier in a
 * scope and (when ip_reservations_unique) of one address in a subnet. */
int  cfg_index_build(struct cfg_ctx *ctx);
void cfg_index_free(void *index);

/* Kea's identifier key names, indexed by enum host_id_type. */
extern const char *const cfg_host_id_names[HOST_ID_TYPES];

#endif
