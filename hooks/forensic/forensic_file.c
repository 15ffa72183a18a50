/*
 * The forensic log file: naming and rotation per Kea's legal log (see
 * forensic.h). Lines go out with one write() on an O_APPEND descriptor, so
 * concurrent workers never interleave inside a line.
 */
#include "hooks/forensic/forensic.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int fl_file_init(struct fl_file *f, const char *dir, const char *base, const char *unit,
                 int64_t count, char *err, size_t errlen)
{
    memset(f, 0, sizeof(*f));
    f->fd = -1;
    if (!dir || !dir[0]) {
        snprintf(err, errlen, "parameter 'path' (the log directory) is required");
        return -1;
    }
    if (!unit || !strcmp(unit, "day"))
        f->unit = FL_DAY;
    else if (!strcmp(unit, "second"))
        f->unit = FL_SECOND;
    else if (!strcmp(unit, "month"))
        f->unit = FL_MONTH;
    else if (!strcmp(unit, "year"))
        f->unit = FL_YEAR;
    else {
        snprintf(err, errlen, "time-unit '%s': expected second, day, month or year", unit);
        return -1;
    }
    if (count < 0 || count > 1000000) {
        snprintf(err, errlen, "count %lld: expected 0 to 1000000", (long long)count);
        return -1;
    }
    f->count = (uint32_t)count;
    if ((size_t)snprintf(f->dir, sizeof(f->dir), "%s", dir) >= sizeof(f->dir) ||
        (size_t)snprintf(f->base, sizeof(f->base), "%s", base ? base : "kea-legal") >=
            sizeof(f->base)) {
        snprintf(err, errlen, "path or base-name too long");
        return -1;
    }
    pthread_mutex_init(&f->lock, NULL);
    return 0;
}

/* The period number of now: seconds, days, months or years since the epoch (UTC). */
static long period_of(const struct fl_file *f, time_t now, struct tm *tm)
{
    gmtime_r(&now, tm);
    switch (f->unit) {
    case FL_SECOND: return (long)now;
    case FL_DAY:    return (long)(now / 86400);
    case FL_MONTH:  return (long)tm->tm_year * 12 + tm->tm_mon;
    default:        return (long)tm->tm_year;
    }
}

static int open_for(struct fl_file *f, time_t now, long period, const struct tm *tm)
{
    if (f->unit == FL_SECOND)
        snprintf(f->name, sizeof(f->name), "%s/%s.T%lld.txt", f->dir, f->base, (long long)now);
    else
        snprintf(f->name, sizeof(f->name), "%s/%s.%04d%02d%02d.txt", f->dir, f->base,
                 tm->tm_year + 1900, tm->tm_mon + 1, tm->tm_mday);
    int fd = open(f->name, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (fd < 0)
        return -1;
    if (f->fd >= 0)
        close(f->fd);
    f->fd = fd;
    f->period = period;
    return 0;
}

int fl_file_write(struct fl_file *f, time_t now, const char *line)
{
    char buf[2048];
    struct tm tm;
    int n = snprintf(buf, sizeof(buf), "%s\n", line);
    if (n < 0)
        return -1;
    if ((size_t)n >= sizeof(buf)) {
        n = (int)sizeof(buf) - 1;
        buf[n - 1] = '\n';
    }
    pthread_mutex_lock(&f->lock);
    long period = period_of(f, now, &tm);
    int rc = 0;
    bool rotate = f->fd < 0 || (f->count && period - f->period >= (long)f->count);
    if (rotate && open_for(f, now, period, &tm) < 0)
        rc = -1;
    if (rc == 0 && write(f->fd, buf, (size_t)n) != n)
        rc = -1;
    pthread_mutex_unlock(&f->lock);
    return rc;
}

void fl_file_close(struct fl_file *f)
{
    if (f->fd >= 0)
        close(f->fd);
    f->fd = -1;
    pthread_mutex_destroy(&f->lock);
}
