/*
 * config-write (Kea ARM §19.4.6): the running configuration, passwords
 * included (the file must load again), written to "filename" or the -c
 * file. As in Kea 3.0 only the directory of the -c file is allowed; a bare
 * name goes there. Atomic: a temporary file in that directory, fsync,
 * rename over the target, fsync of the directory.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "server/cmd_server.h"
#include "server/log.h"

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Write text to dir/base atomically; err set on failure. */
static int write_atomic(const char *dir, const char *path, const char *text, char *err, size_t errlen)
{
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof(tmp), "%s/.dora-config-write.XXXXXX", dir) >= (int)sizeof(tmp)) {
        snprintf(err, errlen, "%.300s: path too long", dir);
        return -1;
    }
    int fd = mkstemp(tmp);
    if (fd < 0) {
        snprintf(err, errlen, "cannot create a file in %.300s: %s", dir, strerror(errno));
        return -1;
    }
    if (fchmod(fd, 0600) < 0 || write_all(fd, text, strlen(text)) < 0 || write_all(fd, "\n", 1) < 0 ||
        fsync(fd) < 0) {
        snprintf(err, errlen, "cannot write %.300s: %s", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        return -1;
    }
    close(fd);
    if (rename(tmp, path) < 0) {
        snprintf(err, errlen, "cannot rename %.300s to %.300s: %s", tmp, path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return 0;
}

/* dirname() of a copy, made absolute. */
static int dir_of(const char *path, char out[PATH_MAX])
{
    char copy[PATH_MAX];
    snprintf(copy, sizeof(copy), "%s", path);
    return realpath(dirname(copy), out) ? 0 : -1;
}

void cmd_config_write(struct ctrl_env *env, struct json_object *args, struct ctrl_answer *ans)
{
    char cfgdir[PATH_MAX], target[PATH_MAX], err[CTRL_TEXT_MAX];
    const char *name = env->config_path;
    struct json_object *v;

    if (args && json_object_object_get_ex(args, "filename", &v)) {
        if (!json_object_is_type(v, json_type_string) || !*json_object_get_string(v)) {
            ctrl_answer_set(ans, CTRL_ERROR, "'filename' parameter must be a non-empty string");
            return;
        }
        name = json_object_get_string(v);
    }
    if (!env->config_path || dir_of(env->config_path, cfgdir) < 0) {
        ctrl_answer_set(ans, CTRL_ERROR, "cannot find the directory of the configuration file");
        return;
    }
    if (strchr(name, '/')) {
        char dir[PATH_MAX], copy[PATH_MAX];
        snprintf(copy, sizeof(copy), "%s", name);
        if (dir_of(name, dir) < 0 || strcmp(dir, cfgdir) != 0) {
            ctrl_answer_set(ans, CTRL_ERROR, "not allowed to write '%s': config-write writes only "
                            "to the directory of the configuration file (%s)", name, cfgdir);
            return;
        }
        name = basename(copy);
        if (snprintf(target, sizeof(target), "%s/%s", cfgdir, name) >= (int)sizeof(target)) {
            ctrl_answer_set(ans, CTRL_ERROR, "file name too long");
            return;
        }
    } else if (!strcmp(name, ".") || !strcmp(name, "..") ||
               snprintf(target, sizeof(target), "%s/%s", cfgdir, name) >= (int)sizeof(target)) {
        ctrl_answer_set(ans, CTRL_ERROR, "'%s' is not a file name", name);
        return;
    }
    struct json_object *c = cmd_running_config(env);
    if (!c) {
        ctrl_answer_set(ans, CTRL_ERROR, "cannot render the running configuration");
        return;
    }
    const char *text = json_object_to_json_string_ext(c, JSON_C_TO_STRING_PRETTY |
                                                          JSON_C_TO_STRING_SPACED);
    size_t size = strlen(text) + 1;
    int rc = write_atomic(cfgdir, target, text, err, sizeof(err));
    json_object_put(c);
    if (rc < 0) {
        LOG_ERROR("DHCP4_CONFIG_WRITE_FAIL", "%s", err);
        ctrl_answer_set(ans, CTRL_ERROR, "%s", err);
        return;
    }
    LOG_INFO("DHCP4_CONFIG_WRITE", "configuration written to %s (%zu bytes)", target, size);
    ans->args = json_object_new_object();
    json_object_object_add(ans->args, "filename", json_object_new_string(target));
    json_object_object_add(ans->args, "size", json_object_new_int64((int64_t)size));
    ctrl_answer_set(ans, CTRL_SUCCESS, "Configuration written to %s successfully", target);
}
