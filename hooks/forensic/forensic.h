/*
 * dora_forensic.so: forensic lease logging, like Kea's legal_log
 * (spec kea-hooks-api-ha-tools.md §17.17). One line per lease event,
 *   <timestamp> Address: <a> has been assigned|renewed for <d> to a device with
 *   hardware address: hwtype=<t> <hw>[, client-id: <id>][ connected via relay at
 *   address: <giaddr>[, identified by circuit-id: <c>][ and remote-id: <r>]]
 * and "has been released" / "has been declined" lines, appended to
 *   <path>/<base-name>.<CCYYMMDD>.txt    (time-unit day, month or year)
 *   <path>/<base-name>.T<epoch>.txt      (time-unit second)
 * starting a new file every `count` units. Parameters: path, base-name
 * (default "kea-legal"), time-unit (default "day"), count (default 1).
 */
#ifndef DORA_HOOKS_FORENSIC_H
#define DORA_HOOKS_FORENSIC_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>

enum fl_unit { FL_SECOND, FL_DAY, FL_MONTH, FL_YEAR };

struct fl_file {
    pthread_mutex_t lock;
    char   dir[512], base[128];
    enum fl_unit unit;
    uint32_t count;      /* units per file; 0 = never rotate */
    int    fd;           /* -1 until the first line */
    long   period;       /* the period the open file belongs to */
    char   name[768];
};

/* 0, or -1 with err set (bad parameter). */
int  fl_file_init(struct fl_file *f, const char *dir, const char *base, const char *unit,
                  int64_t count, char *err, size_t errlen);
/* Append one line (a newline is added), rotating first if its period ended. */
int  fl_file_write(struct fl_file *f, time_t now, const char *line);
void fl_file_close(struct fl_file *f);

#endif
