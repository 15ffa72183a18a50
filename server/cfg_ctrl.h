/* The control socket settings of the configuration; see cfg_ctrl.c. */
#ifndef DORA_SERVER_CFG_CTRL_H
#define DORA_SERVER_CFG_CTRL_H

#ifdef __cplusplus
extern "C" {
#endif

/* Kea's default socket name, and where bare socket names are placed:
 * $DORA_CONTROL_SOCKET_DIR, else LOCALSTATEDIR/run/dora. */
#define CFG_CTRL_DEFAULT_NAME "dora4-ctrl-socket"
const char *cfg_ctrl_socket_dir(void);

#ifdef __cplusplus
}
#endif
#endif
