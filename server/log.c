/* Logging to stdout, stderr or a file; see log.h. */
#include "server/log.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static const char *const severity_name[] = {
    [LOG_SEV_DEBUG] = "DEBUG", [LOG_SEV_INFO] = "INFO", [LOG_SEV_WARN] = "WARN",
    [LOG_SEV_ERROR] = "ERROR", [LOG_SEV_FATAL] = "FATAL", [LOG_SEV_NONE] = "NONE",
};

static int log_fd = STDOUT_FILENO;
static int log_severity = LOG_SEV_INFO;
/* The file log_fd was opened from; only the thread applying a config
 * (serialized by the server) reads or writes it. */
static char log_path[4096];

/* A thread may have loaded the old descriptor and be about to write to it,
 * so a replaced log file is never closed: closing would let the number be
 * reused by the next open() (a lease file) and a late log line land there.
 * Reloading with the same output keeps the descriptor; only a change of the
 * output path costs one descriptor, for the life of the process. */
int log_set_output(const char *output)
{
    int fd;
    const char *path = "";
    if (!output || !strcmp(output, "stdout"))
        fd = STDOUT_FILENO;
    else if (!strcmp(output, "stderr"))
        fd = STDERR_FILENO;
    else if (!strncmp(output, "syslog", 6))
        fd = STDERR_FILENO; /* no syslog yet: keep the messages visible */
    else if (!strcmp(output, log_path) && __atomic_load_n(&log_fd, __ATOMIC_ACQUIRE) > STDERR_FILENO)
        return 0;           /* the same file: keep writing to it */
    else if ((fd = open(output, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)) < 0)
        return -1;
    else
        path = output;
    snprintf(log_path, sizeof(log_path), "%s", path);
    __atomic_store_n(&log_fd, fd, __ATOMIC_RELEASE);
    return 0;
}

void log_set_severity(enum log_severity sev)
{
    __atomic_store_n(&log_severity, (int)sev, __ATOMIC_RELAXED);
}

bool log_enabled(enum log_severity sev)
{
    return (int)sev >= __atomic_load_n(&log_severity, __ATOMIC_RELAXED);
}

static void log_vmsg(enum log_severity sev, const char *id, const char *fmt, va_list ap)
{
    char line[8192];
    struct timeval tv;
    struct tm tm;
    gettimeofday(&tv, NULL);
    localtime_r(&tv.tv_sec, &tm);
    int n = snprintf(line, sizeof(line), "%04d-%02d-%02d %02d:%02d:%02d.%03ld %-5s %s ",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                     tm.tm_sec, (long)(tv.tv_usec / 1000), severity_name[sev], id);
    int m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
    size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
    if (len > sizeof(line) - 2)
        len = sizeof(line) - 2;
    line[len++] = '\n';
    ssize_t w = write(__atomic_load_n(&log_fd, __ATOMIC_ACQUIRE), line, len);
    (void)w; /* nowhere to report a failing log write */
}

void log_msg(enum log_severity sev, const char *id, const char *fmt, ...)
{
    if (!log_enabled(sev))
        return;
    va_list ap;
    va_start(ap, fmt);
    log_vmsg(sev, id, fmt, ap);
    va_end(ap);
}

void log_always(const char *id, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_vmsg(LOG_SEV_INFO, id, fmt, ap);
    va_end(ap);
}
