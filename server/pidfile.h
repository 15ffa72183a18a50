/*
 * PID file: $DORA_PIDFILE_DIR (default /run/dora) / <config name>.dorad.pid,
 * like Kea's <conf-name>.kea-dhcp4.pid. The file stays locked (flock) while
 * the server runs, so a second instance on the same config refuses to start
 * even if the first one's PID was reused.
 */
#ifndef DORA_SERVER_PIDFILE_H
#define DORA_SERVER_PIDFILE_H

#include <stddef.h>

struct pidfile {
    int  fd;
    char path[4096];
};

/* Create and lock the PID file for config_path. Returns 0, or -1 with a
 * message in err ("dorad is already running as PID N (FILE)"). */
int  pidfile_acquire(struct pidfile *pf, const char *config_path, char *err, size_t errlen);
void pidfile_release(struct pidfile *pf);

#endif
