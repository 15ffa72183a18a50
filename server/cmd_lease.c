/* Control commands: see ctrl_cmd.h. (Table filled by its module's work.) */
#include "server/ctrl_cmd.h"

const struct ctrl_cmd ctrl_cmds_lease[] = {
    { NULL, NULL },
};
