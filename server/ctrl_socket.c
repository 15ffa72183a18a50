/*
 * The control socket server; see ctrl.h. One thread, one epoll set: the
 * listening UNIX socket, an eventfd that asks the thread to stop, and every
 * connection. Everything is non-blocking, so a slow or silent client costs
 * one slot and its buffer, never the thread; each connection has a deadline
 * (CTRL_TIMEOUT_MS from accept) after which it is closed, answered or not.
 *
 * Packet processing never waits on this thread: commands touch the server
 * only through struct ctrl_env (config snapshots by reference count, atomic
 * flags, the lease store's own locking).
 */
#include "server/ctrl.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "server/log.h"

#define READ_CHUNK 65536

struct conn {
    int fd;
    int64_t deadline;           /* monotonic ms */
    struct ctrl_reader reader;
    char *out;                  /* the answer being written, NULL while reading */
    size_t out_len, out_off;
    size_t slot;
};

struct ctrl_server {
    struct ctrl_env *env;
    char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
    int lfd, efd, stopfd;
    pthread_t thread;
    struct conn *conns[CTRL_MAX_CONNS];
    size_t n_conns;
    char *buf;                  /* READ_CHUNK, shared by all reads */
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void conn_close(struct ctrl_server *cs, struct conn *c)
{
    epoll_ctl(cs->efd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    ctrl_reader_free(&c->reader);
    free(c->out);
    cs->conns[c->slot] = NULL;
    cs->n_conns--;
    free(c);
}

/* Try to write the rest of the answer; close when done or broken. */
static void conn_flush(struct ctrl_server *cs, struct conn *c)
{
    while (c->out_off < c->out_len) {
        ssize_t w = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return; /* EPOLLOUT brings us back */
        if (w <= 0)
            break;
        c->out_off += (size_t)w;
    }
    conn_close(cs, c);
}

/* Queue an answer (consumed) and start writing it. */
static void conn_answer(struct ctrl_server *cs, struct conn *c, struct json_object *ans)
{
    const char *s = ans ? json_object_to_json_string_ext(ans, JSON_C_TO_STRING_PLAIN) : NULL;
    c->out = s ? strdup(s) : NULL;
    json_object_put(ans);
    ctrl_reader_free(&c->reader);
    if (!c->out) {
        conn_close(cs, c);
        return;
    }
    c->out_len = strlen(c->out);
    c->out_off = 0;
    struct epoll_event ev = { .events = EPOLLOUT, .data.ptr = c };
    epoll_ctl(cs->efd, EPOLL_CTL_MOD, c->fd, &ev);
    conn_flush(cs, c);
}

static void conn_read(struct ctrl_server *cs, struct conn *c)
{
    for (;;) {
        ssize_t n = recv(c->fd, cs->buf, READ_CHUNK, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n < 0) {
            conn_close(cs, c);
            return;
        }
        if (n == 0) {
            /* The peer shut its side: a partial request is answered (it
             * may still read), an empty one just closed. */
            if (c->reader.total == 0)
                conn_close(cs, c);
            else
                conn_answer(cs, c, ctrl_reader_eof(&c->reader));
            return;
        }
        struct json_object *obj;
        switch (ctrl_reader_feed(&c->reader, cs->buf, (size_t)n, &obj)) {
        case CTRL_READ_MORE:
            continue;
        case CTRL_READ_ERROR:
            LOG_INFO("COMMAND_SOCKET_READ_FAIL", "control connection refused: %s",
                     json_object_get_string(json_object_object_get(obj, "text")));
            conn_answer(cs, c, obj);
            return;
        case CTRL_READ_DONE: {
            struct json_object *ans = ctrl_dispatch(cs->env, obj);
            json_object_put(obj);
            conn_answer(cs, c, ans);
            return;
        }
        }
    }
}

static void accept_all(struct ctrl_server *cs)
{
    for (;;) {
        int fd = accept4(cs->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                LOG_ERROR("COMMAND_ACCEPTOR_FAIL", "accept on %s: %s", cs->path, strerror(errno));
            return;
        }
        if (cs->n_conns == CTRL_MAX_CONNS) {
            static const char busy[] =
                "{\"result\":1,\"text\":\"too many control connections open\"}";
            if (send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
                (void)0; /* best effort: the client is told or just closed */
            close(fd);
            continue;
        }
        struct conn *c = calloc(1, sizeof(*c));
        if (!c || ctrl_reader_init(&c->reader) < 0) {
            free(c);
            close(fd);
            continue;
        }
        c->fd = fd;
        c->deadline = now_ms() + CTRL_TIMEOUT_MS;
        size_t slot = 0;
        while (cs->conns[slot])
            slot++;
        c->slot = slot;
        cs->conns[slot] = c;
        cs->n_conns++;
        struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP, .data.ptr = c };
        if (epoll_ctl(cs->efd, EPOLL_CTL_ADD, fd, &ev) < 0)
            conn_close(cs, c);
    }
}

static void expire_conns(struct ctrl_server *cs, int64_t now)
{
    for (size_t i = 0; i < CTRL_MAX_CONNS && cs->n_conns; i++) {
        struct conn *c = cs->conns[i];
        if (c && c->deadline <= now) {
            LOG_DEBUG("COMMAND_SOCKET_TIMEOUT", "control connection closed after %d ms",
                      CTRL_TIMEOUT_MS);
            conn_close(cs, c);
        }
    }
}

static void *ctrl_main(void *arg)
{
    struct ctrl_server *cs = arg;
    struct epoll_event evs[64];
    int64_t next_scan = now_ms() + 250;

    for (;;) {
        int n = epoll_wait(cs->efd, evs, 64, 250);
        if (n < 0 && errno != EINTR) {
            LOG_ERROR("COMMAND_SOCKET_FAIL", "epoll_wait: %s", strerror(errno));
            break;
        }
        bool stop = false;
        for (int i = 0; i < n; i++) {
            void *p = evs[i].data.ptr;
            if (p == &cs->stopfd) {
                stop = true;
            } else if (p == &cs->lfd) {
                accept_all(cs);
            } else {
                struct conn *c = p;
                /* A connection closed earlier in this batch cannot show up
                 * here: it was removed from the set before its memory went. */
                if (c->out)
                    conn_flush(cs, c);
                else
                    conn_read(cs, c);
            }
        }
        if (stop)
            break;
        int64_t now = now_ms();
        if (now >= next_scan) {
            expire_conns(cs, now);
            next_scan = now + 250;
        }
    }
    return NULL;
}

static int bind_socket(struct ctrl_server *cs, char *err, size_t errlen)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    struct stat st;

    if (strlen(cs->path) >= sizeof(sa.sun_path)) {
        snprintf(err, errlen, "%s: path too long for a UNIX socket", cs->path);
        return -1;
    }
    memcpy(sa.sun_path, cs->path, strlen(cs->path) + 1);
    cs->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (cs->lfd < 0) {
        snprintf(err, errlen, "socket: %s", strerror(errno));
        return -1;
    }
    /* A socket file left by a dead server is replaced; anything else that
     * is not a socket is left alone. */
    if (lstat(cs->path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            snprintf(err, errlen, "%s exists and is not a socket", cs->path);
            return -1;
        }
        if (connect(cs->lfd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
            snprintf(err, errlen, "%s: another server is listening on it", cs->path);
            return -1;
        }
        unlink(cs->path);
    }
    /* Created 0600 from the start: no window with a wider mode. */
    mode_t old = umask(0177);
    int rc = bind(cs->lfd, (struct sockaddr *)&sa, sizeof(sa));
    umask(old);
    if (rc < 0) {
        snprintf(err, errlen, "%s: bind: %s", cs->path, strerror(errno));
        return -1;
    }
    if (chmod(cs->path, 0600) < 0 || listen(cs->lfd, 128) < 0) {
        snprintf(err, errlen, "%s: %s", cs->path, strerror(errno));
        unlink(cs->path);
        return -1;
    }
    return 0;
}

int ctrl_server_start(struct ctrl_server **out, const char *path, struct ctrl_env *env,
                      char *err, size_t errlen)
{
    struct ctrl_server *cs = calloc(1, sizeof(*cs));
    *out = NULL;
    if (!cs || !(cs->buf = malloc(READ_CHUNK))) {
        free(cs);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    cs->env = env;
    cs->lfd = cs->efd = cs->stopfd = -1;
    snprintf(cs->path, sizeof(cs->path), "%s", path);
    bool bound = false;
    if (strlen(path) >= sizeof(cs->path)) {
        snprintf(err, errlen, "%s: path too long for a UNIX socket", path);
        goto fail;
    }
    if (bind_socket(cs, err, errlen) < 0)
        goto fail;
    bound = true;
    cs->efd = epoll_create1(EPOLL_CLOEXEC);
    cs->stopfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    struct epoll_event el = { .events = EPOLLIN, .data.ptr = &cs->lfd };
    struct epoll_event es = { .events = EPOLLIN, .data.ptr = &cs->stopfd };
    if (cs->efd < 0 || cs->stopfd < 0 || epoll_ctl(cs->efd, EPOLL_CTL_ADD, cs->lfd, &el) < 0 ||
        epoll_ctl(cs->efd, EPOLL_CTL_ADD, cs->stopfd, &es) < 0) {
        snprintf(err, errlen, "epoll: %s", strerror(errno));
        goto fail;
    }
    if (pthread_create(&cs->thread, NULL, ctrl_main, cs) != 0) {
        snprintf(err, errlen, "cannot start the control thread");
        goto fail;
    }
    *out = cs;
    return 0;
fail:
    if (bound)
        unlink(cs->path);
    if (cs->lfd >= 0)
        close(cs->lfd);
    if (cs->efd >= 0)
        close(cs->efd);
    if (cs->stopfd >= 0)
        close(cs->stopfd);
    free(cs->buf);
    free(cs);
    return -1;
}

void ctrl_server_stop(struct ctrl_server *cs)
{
    if (!cs)
        return;
    uint64_t one = 1;
    if (write(cs->stopfd, &one, sizeof(one)) != sizeof(one))
        LOG_ERROR("COMMAND_SOCKET_FAIL", "cannot wake the control thread: %s", strerror(errno));
    pthread_join(cs->thread, NULL);
    for (size_t i = 0; i < CTRL_MAX_CONNS; i++)
        if (cs->conns[i])
            conn_close(cs, cs->conns[i]);
    close(cs->lfd);
    unlink(cs->path);
    close(cs->efd);
    close(cs->stopfd);
    free(cs->buf);
    free(cs);
}

const char *ctrl_server_path(const struct ctrl_server *cs)
{
    return cs->path;
}
