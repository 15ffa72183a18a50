/*
 * The control channel of dorad (Kea's management API, spec
 * kea-hooks-api-ha-tools.md ch. 19): a UNIX stream socket served by one
 * control thread (ctrl_socket.c) and the dispatcher that turns one request
 * object into one answer object (ctrl_dispatch.c). The commands themselves
 * live in the cmd_*.c tables (ctrl_cmd.h).
 *
 * Wire format: the client writes one JSON map
 *   {"command": "name", "arguments": {...}}
 * and the server answers {"result": N, "text": "...", "arguments": ...}
 * and closes the connection.
 */
#ifndef DORA_SERVER_CTRL_H
#define DORA_SERVER_CTRL_H

#include <stddef.h>

#include <json-c/json.h>

#include "server/ctrl_cmd.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CTRL_REQUEST_MAX   (1u << 20)  /* bytes: a larger request gets an error answer */
#define CTRL_TIMEOUT_MS    10000       /* Kea's 10 s: a connection lives at most this long */
#define CTRL_MAX_CONNS     1024        /* open connections; more are answered with an error */
#define CTRL_JSON_DEPTH    64          /* nesting limit of a request */

/* {"result": result, "text": text, "arguments": args} (args owned, may be NULL). */
struct json_object *ctrl_answer_json(int result, const char *text, struct json_object *args);

/* The command of that name in ctrl_cmd_tables, or NULL. */
const struct ctrl_cmd *ctrl_cmd_find(const char *name);

/* Check one parsed request and run its command. Returns the answer (a new
 * reference); never NULL except when out of memory. */
struct json_object *ctrl_dispatch(struct ctrl_env *env, struct json_object *request);

/* Incremental request reader: bytes as they arrive, until a whole JSON
 * value is read, the request is too big, or it cannot be JSON. */
struct ctrl_reader {
    struct json_tokener *tok;
    size_t total;
};
enum ctrl_read { CTRL_READ_MORE, CTRL_READ_DONE, CTRL_READ_ERROR };

int  ctrl_reader_init(struct ctrl_reader *r);
void ctrl_reader_free(struct ctrl_reader *r);
/* On DONE *out is the request (a new reference); on ERROR *out is the
 * error answer to send. */
enum ctrl_read ctrl_reader_feed(struct ctrl_reader *r, const char *buf, size_t n,
                                struct json_object **out);
/* The peer closed before a whole request: the error answer. */
struct json_object *ctrl_reader_eof(struct ctrl_reader *r);

/* A whole request text in, the answer text out (malloc'd): what one
 * connection does, without the socket. */
char *ctrl_handle_text(struct ctrl_env *env, const char *text, size_t len);

/* The socket server. start binds path (a stale socket file is replaced;
 * mode 0600) and starts the control thread; stop ends it, closes every
 * connection and removes the socket file. */
struct ctrl_server;
int  ctrl_server_start(struct ctrl_server **out, const char *path, struct ctrl_env *env,
                       char *err, size_t errlen);
void ctrl_server_stop(struct ctrl_server *cs);
const char *ctrl_server_path(const struct ctrl_server *cs);

#ifdef __cplusplus
}
#endif
#endif
