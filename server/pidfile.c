/* PID file with an advisory lock; see pidfile.h. */
#include "server/pidfile.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static int mkdir_p(const char *dir)
{
    char tmp[4096];
    snprintf(tmp, sizeof(tmp), "%s", dir);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(tmp, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

int pidfile_acquire(struct pidfile *pf, const char *config_path, char *err, size_t errlen)
{
    const char *dir = getenv("DORA_PIDFILE_DIR");
    if (!dir || !*dir)
        dir = "/run/dora";
    char name[4096];
    snprintf(name, sizeof(name), "%s", config_path);
    char *base = basename(name);
    char *dot = strrchr(base, '.');
    if (dot && dot != base)
        *dot = '\0';
    pf->fd = -1;
    snprintf(pf->path, sizeof(pf->path), "%s/%s.dorad.pid", dir, base);
    if (mkdir_p(dir) < 0) {
        snprintf(err, errlen, "cannot create PID file directory %s: %s", dir, strerror(errno));
        return -1;
    }
    int fd = open(pf->path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open PID file %s: %s", pf->path, strerror(errno));
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        char buf[32] = "";
        ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
        buf[n > 0 ? n : 0] = '\0';
        snprintf(err, errlen, "dorad is already running as PID %ld (%s)", strtol(buf, NULL, 10),
                 pf->path);
        close(fd);
        return -1;
    }
    char buf[32];
    int len = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)len, 0) != len) {
        snprintf(err, errlen, "cannot write PID file %s: %s", pf->path, strerror(errno));
        close(fd);
        return -1;
    }
    pf->fd = fd;
    return 0;
}

void pidfile_release(struct pidfile *pf)
{
    if (pf->fd < 0)
        return;
    unlink(pf->path);
    close(pf->fd);
    pf->fd = -1;
}
