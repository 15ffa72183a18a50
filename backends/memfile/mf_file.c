/*
 * Small file-system helpers for memfile: mkdir -p for the lease file's
 * directory, a write() loop, a monotonic clock and the log line format.
 */
#include "backends/memfile/memfile_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int mf_mkdir_p(const char *dir, char *err, size_t errlen)
{
    size_t len = strlen(dir);
    char *p = malloc(len + 1);
    struct stat st;

    if (p == NULL) {
        snprintf(err, errlen, "out of memory");
        return LEASE_E_NOMEM;
    }
    memcpy(p, dir, len + 1);
    /* Create each prefix ending before a '/', then the whole path. */
    for (size_t i = 1; i <= len; i++) {
        if (i < len && p[i] != '/')
            continue;
        char saved = p[i];
        p[i] = '\0';
        if (mkdir(p, 0755) != 0 && errno != EEXIST) {
            snprintf(err, errlen, "cannot create directory %s: %s", p, strerror(errno));
            free(p);
            return LEASE_E_IO;
        }
        p[i] = saved;
    }
    free(p);
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "lease file directory %s is not a directory", dir);
        return LEASE_E_IO;
    }
    return 0;
}

int mf_write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;

    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (n == 0)
            return -EIO;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int64_t mf_mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void mf_log(const char *id, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    /* One fprintf per line so concurrent lines do not interleave. */
    fprintf(stderr, "%s %s\n", id, msg);
}
