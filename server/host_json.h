/*
 * Reservations for the reservation commands (cmd_host.c): Kea's host JSON
 * (boot-file-name, client-classes, hostname, <identifier>, ip-address,
 * next-server, option-data, server-hostname, subnet-id), conversion to and
 * from a hosts-database row (struct be_host), and the config file's
 * reservations walked in the running config's JSON (Dhcp4.reservations =
 * subnet 0, Dhcp4.subnet4[i].reservations).
 */
#ifndef DORA_SERVER_HOST_JSON_H
#define DORA_SERVER_HOST_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "server/ctrl_cmd.h"

/* Identifier type by its Kea name ("hw-address", ...), or -1. */
int host_id_type(const char *name);
/* Parse an identifier's text: hex ("01:02", "0102", "0x0102"), or
 * 'quoted text' for circuit-id and flex-id. 0 or -1. */
int host_id_parse(int type, const char *text, uint8_t *out, size_t *len);

/* The identifier of a reservation object (its one identifier key). 0/-1. */
int host_json_identifier(struct json_object *res, int *type, uint8_t *id, size_t *len);

/* Kea's output form of a database row and of a config reservation. */
struct json_object *host_json_from_be(const struct be_host *h);
struct json_object *host_json_from_cfg(struct json_object *res, uint32_t subnet_id);

/* A reservation-add "reservation" map as a database row; option-data is
 * refused (the hosts-database stores none here). 0, or -1 with ans set. */
int host_from_json(struct json_object *res, uint32_t subnet_id, struct be_host *out,
                   struct ctrl_answer *ans);

/* Visit the config reservations of subnet_id (of every subnet when all) in
 * config order; `list` is the array holding res, idx its index there.
 * Stops when fn returns non-zero. Returns the number visited. */
typedef int (*host_cfg_fn)(struct json_object *res, uint32_t subnet_id,
                           struct json_object *list, size_t idx, void *ctx);
int host_cfg_walk(struct json_object *root, const struct cfg4 *cfg, bool all,
                  uint32_t subnet_id, host_cfg_fn fn, void *ctx);

/* The reservations array of subnet_id in root (Dhcp4.reservations for 0),
 * created when missing; NULL if no such subnet is configured. */
struct json_object *host_cfg_list(struct json_object *root, const struct cfg4 *cfg,
                                  uint32_t subnet_id);

#endif
