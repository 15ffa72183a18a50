/*
 * Argument helpers shared by the command modules (cmd_lease.c, cmd_host.c):
 * read a typed member of a command's "arguments" map, and on a missing or
 * mistyped one set the answer to CTRL_ERROR with a message that names the
 * argument (Kea: "missing parameter 'ip-address'"). Each returns 0, or -1
 * with the answer set.
 */
#ifndef DORA_SERVER_CMD_ARGS_H
#define DORA_SERVER_CMD_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "server/ctrl_cmd.h"

/* args must be a map (commands that need arguments). */
int cmd_args_map(struct json_object *args, struct ctrl_answer *ans);

/* *present (may be NULL) tells whether the member was there; when it is
 * absent and required, that is the error. */
int cmd_arg_str(struct json_object *args, const char *name, bool required,
                const char **out, bool *present, struct ctrl_answer *ans);
int cmd_arg_u32(struct json_object *args, const char *name, bool required,
                uint32_t *out, bool *present, struct ctrl_answer *ans);
int cmd_arg_i64(struct json_object *args, const char *name, bool required,
                int64_t *out, bool *present, struct ctrl_answer *ans);
int cmd_arg_bool(struct json_object *args, const char *name, bool *out,
                 bool *present, struct ctrl_answer *ans);
/* A dotted-quad IPv4 address, host byte order. */
int cmd_arg_ipv4(struct json_object *args, const char *name, bool required,
                 uint32_t *out, bool *present, struct ctrl_answer *ans);
/* Hex bytes "01:aa:bb", "01aabb" or "01-aa-bb"; at most max bytes, at least 1. */
int cmd_arg_hex(struct json_object *args, const char *name, bool required,
                uint8_t *out, size_t max, size_t *len, bool *present,
                struct ctrl_answer *ans);

/* Parse hex bytes as above: 0 or -1. */
int cmd_parse_hex(const char *s, uint8_t *out, size_t max, size_t *len);
/* "aa:bb:cc" (lowercase) into out (cap >= 3 * len + 1). */
void cmd_format_hex(const uint8_t *p, size_t len, char *out, size_t cap);
/* Dotted quad of a host-order address. */
void cmd_format_ipv4(uint32_t addr, char out[16]);
int cmd_parse_ipv4(const char *s, uint32_t *out);

#endif
