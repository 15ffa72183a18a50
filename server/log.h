/*
 * Logging: one line per event, each with a stable message ID operators can
 * grep (DHCP4_LEASE_ALLOC, DHCP4_PACKET_DROP, ...). A line is written with a
 * single write() so lines from several threads never interleave.
 */
#ifndef DORA_SERVER_LOG_H
#define DORA_SERVER_LOG_H

#include "server/cfg.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Direct output to "stdout", "stderr" or a file path (appended). Returns 0 or
 * -1 (the previous output is kept). Thread safe against concurrent logging. */
int  log_set_output(const char *output);
void log_set_severity(enum log_severity sev);
bool log_enabled(enum log_severity sev);

void log_msg(enum log_severity sev, const char *id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Whatever the severity setting (statistics dumps asked for by a signal). */
void log_always(const char *id, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define LOG_DEBUG(id, ...) LOG_AT(LOG_SEV_DEBUG, id, __VA_ARGS__)
/* The arguments are evaluated only when the message will be written. */
#define LOG_AT(sev, id, ...) do { if (log_enabled(sev)) log_msg(sev, id, __VA_ARGS__); } while (0)
#define LOG_INFO(id, ...)  LOG_AT(LOG_SEV_INFO, id, __VA_ARGS__)
#define LOG_WARN(id, ...)  LOG_AT(LOG_SEV_WARN, id, __VA_ARGS__)
#define LOG_ERROR(id, ...) LOG_AT(LOG_SEV_ERROR, id, __VA_ARGS__)

#ifdef __cplusplus
}
#endif
#endif
