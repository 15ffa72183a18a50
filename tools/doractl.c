/*
 * doractl: send one command to dorad's control socket and print the answer.
 *
 *   doractl [-s SOCKET] [--json] [-w SECONDS] COMMAND [JSON-ARGS | @FILE]
 *
 * The request is Kea's {"command": COMMAND, "arguments": JSON-ARGS}; the
 * answer {"result": N, "text": ..., "arguments": ...} is printed as its text
 * and then its arguments, pretty (or raw with --json). The exit status is
 * the result code, or one of the transport codes of usage() below.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "server/cfg_ctrl.h"

enum { EX_USAGE_ = 10, EX_CONNECT = 11, EX_IO = 12, EX_BADANSWER = 13 };
#define ANSWER_MAX (256u << 20)

static void usage(FILE *out)
{
    fprintf(out,
            "usage: doractl [-s SOCKET] [--json] [-w SECONDS] COMMAND [JSON-ARGS | @FILE]\n"
            "  Sends {\"command\": COMMAND, \"arguments\": JSON-ARGS} to dorad's control socket.\n"
            "  JSON-ARGS is a JSON map; @FILE reads it from FILE (- for stdin).\n"
            "  -s SOCKET   socket path (default: $DORA_CONTROL_SOCKET, else\n"
            "              $DORA_CONTROL_SOCKET_DIR/%s, else %s/%s)\n"
            "  --json      print the answer as received instead of text + pretty arguments\n"
            "  -w SECONDS  give up after this long (default 30)\n"
            "exit status: the answer's result (0 success, 1 error, 2 unsupported command,\n"
            "  3 empty/not found, 4 conflict; other results give 1), or\n"
            "  10 usage error, 11 cannot connect, 12 send/receive failure or timeout,\n"
            "  13 the answer is not a JSON map with an integer result\n",
            CFG_CTRL_DEFAULT_NAME, cfg_ctrl_socket_dir(), CFG_CTRL_DEFAULT_NAME);
}

static char *read_file(const char *path)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (!f)
        return NULL;
    size_t cap = 65536, len = 0;
    char *buf = malloc(cap);
    size_t n;
    while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len - 1 == 0) {
            char *p = cap < ANSWER_MAX ? realloc(buf, cap * 2) : NULL;
            if (!p) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = p;
            cap *= 2;
        }
    }
    if (f != stdin)
        fclose(f);
    if (buf)
        buf[len] = '\0';
    return buf;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for fd to be ready for events before the deadline. */
static int wait_fd(int fd, short events, int64_t deadline)
{
    for (;;) {
        int64_t left = deadline - now_ms();
        if (left <= 0)
            return -1;
        struct pollfd p = { .fd = fd, .events = events };
        int r = poll(&p, 1, (int)left);
        if (r > 0)
            return 0;
        if (r < 0 && errno != EINTR)
            return -1;
    }
}

/* Send req, read the answer until the server closes. */
static int exchange(const char *path, const char *req, int timeout_s, char **answer)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    if (strlen(path) >= sizeof(sa.sun_path)) {
        fprintf(stderr, "doractl: %s: path too long for a UNIX socket\n", path);
        return EX_CONNECT;
    }
    memcpy(sa.sun_path, path, strlen(path) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        fprintf(stderr, "doractl: cannot connect to %s: %s\n", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return EX_CONNECT;
    }
    int64_t deadline = now_ms() + (int64_t)timeout_s * 1000;
    size_t len = strlen(req), off = 0;
    while (off < len) {
        ssize_t w = send(fd, req + off, len - off, MSG_NOSIGNAL);
        if (w > 0) {
            off += (size_t)w;
        } else if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
            if (wait_fd(fd, POLLOUT, deadline) < 0)
                break;
        } else {
            break; /* the server may have answered early (e.g. too big): read it */
        }
    }
    shutdown(fd, SHUT_WR);
    size_t cap = 65536, got = 0;
    char *buf = malloc(cap);
    int rc = EX_IO;
    while (buf) {
        if (got + 1 == cap) {
            char *p = cap < ANSWER_MAX ? realloc(buf, cap * 2) : NULL;
            if (!p)
                break;
            buf = p;
            cap *= 2;
        }
        ssize_t r = recv(fd, buf + got, cap - got - 1, 0);
        if (r > 0) {
            got += (size_t)r;
        } else if (r == 0) {
            rc = 0;
            break;
        } else if (errno == EAGAIN || errno == EINTR) {
            if (wait_fd(fd, POLLIN, deadline) < 0) {
                fprintf(stderr, "doractl: no answer from %s within %d s\n", path, timeout_s);
                break;
            }
        } else {
            fprintf(stderr, "doractl: receive from %s: %s\n", path, strerror(errno));
            break;
        }
    }
    close(fd);
    if (rc != 0 || !buf) {
        free(buf);
        return EX_IO;
    }
    buf[got] = '\0';
    *answer = buf;
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "json", no_argument, NULL, 'j' }, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
    };
    const char *path = getenv("DORA_CONTROL_SOCKET");
    char defpath[512];
    bool raw = false;
    int timeout_s = 30, c;

    while ((c = getopt_long(argc, argv, "+s:w:jh", longopts, NULL)) != -1) {
        switch (c) {
        case 's': path = optarg; break;
        case 'j': raw = true; break;
        case 'w': timeout_s = atoi(optarg); break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return EX_USAGE_;
        }
    }
    if (optind >= argc || argc - optind > 2 || timeout_s <= 0) {
        usage(stderr);
        return EX_USAGE_;
    }
    if (!path || !*path) {
        snprintf(defpath, sizeof(defpath), "%s/%s", cfg_ctrl_socket_dir(), CFG_CTRL_DEFAULT_NAME);
        path = defpath;
    }
    struct json_object *req = json_object_new_object();
    json_object_object_add(req, "command", json_object_new_string(argv[optind]));
    if (argc - optind == 2) {
        const char *a = argv[optind + 1];
        char *text = a[0] == '@' ? read_file(a + 1) : strdup(a);
        if (!text) {
            fprintf(stderr, "doractl: cannot read %s\n", a + 1);
            return EX_USAGE_;
        }
        struct json_object *args = json_tokener_parse(text);
        free(text);
        if (!args || !json_object_is_type(args, json_type_object)) {
            fprintf(stderr, "doractl: the arguments must be a JSON map\n");
            json_object_put(args);
            return EX_USAGE_;
        }
        json_object_object_add(req, "arguments", args);
    }
    char *answer = NULL;
    int rc = exchange(path, json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN), timeout_s,
                      &answer);
    json_object_put(req);
    if (rc)
        return rc;
    struct json_object *ans = json_tokener_parse(answer), *res, *text, *args;
    if (!ans || !json_object_is_type(ans, json_type_object) ||
        !json_object_object_get_ex(ans, "result", &res) || !json_object_is_type(res, json_type_int)) {
        fprintf(stderr, "doractl: the answer is not a control-channel answer: %.200s\n", answer);
        json_object_put(ans);
        free(answer);
        return EX_BADANSWER;
    }
    if (raw) {
        printf("%s\n", answer);
    } else {
        if (json_object_object_get_ex(ans, "text", &text) && *json_object_get_string(text))
            printf("%s\n", json_object_get_string(text));
        if (json_object_object_get_ex(ans, "arguments", &args))
            printf("%s\n", json_object_to_json_string_ext(args, JSON_C_TO_STRING_PRETTY |
                                                                    JSON_C_TO_STRING_SPACED |
                                                                    JSON_C_TO_STRING_NOSLASHESCAPE));
    }
    int64_t r = json_object_get_int64(res);
    json_object_put(ans);
    free(answer);
    return r >= 0 && r <= 9 ? (int)r : 1;
}
