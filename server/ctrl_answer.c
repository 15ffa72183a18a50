/* Answers and the command tables of the control channel; see ctrl_cmd.h. */
#include "server/ctrl_cmd.h"

#include <stdarg.h>
#include <stdio.h>

void ctrl_answer_set(struct ctrl_answer *a, int result, const char *fmt, ...)
{
    va_list ap;
    a->result = result;
    va_start(ap, fmt);
    vsnprintf(a->text, sizeof(a->text), fmt, ap);
    va_end(ap);
}

const struct ctrl_cmd *const ctrl_cmd_tables[] = {
    ctrl_cmds_server, ctrl_cmds_stats, ctrl_cmds_lease, ctrl_cmds_host, NULL,
};
