/* Shared by the server command files (cmd_server.c, cmd_config_write.c). */
#ifndef DORA_SERVER_CMD_SERVER_H
#define DORA_SERVER_CMD_SERVER_H

#include "server/ctrl_cmd.h"

/* The running configuration as a JSON tree (a new reference; NULL on failure). */
struct json_object *cmd_running_config(struct ctrl_env *env);

void cmd_config_write(struct ctrl_env *env, struct json_object *args, struct ctrl_answer *ans);

#endif
