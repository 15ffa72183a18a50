/* The metrics endpoint's HTTP server; see metrics.h. One thread, poll(),
 * non-blocking sockets, one request per connection. */
#include "server/metrics.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>


struct conn {
    int fd;                  /* -1 = free */
    int64_t deadline;        /* monotonic ms */
    size_t in_len;
    char in[METRICS_REQ_MAX];
    char *out;               /* the answer being written, or NULL while reading */
    size_t out_len, out_off;
};

struct metrics_server {
    int lfd;
    uint16_t port;
    pthread_t thread;
    volatile int stopping;
    struct conn conns[METRICS_MAX_CONNS];
};

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void conn_close(struct conn *c)
{
    if (c->fd >= 0)
        close(c->fd);
    free(c->out);
    c->fd = -1;
    c->out = NULL;
    c->in_len = c->out_len = c->out_off = 0;
}

static void respond(struct conn *c, int code, const char *reason, const char *ctype,
                    const char *body, size_t blen)
{
    char head[256];
    int hn = snprintf(head, sizeof(head),
                      "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
                      "Connection: close\r\n\r\n", code, reason, ctype, blen);
    c->out = malloc((size_t)hn + blen);
    if (!c->out) {
        conn_close(c);
        return;
    }
    memcpy(c->out, head, (size_t)hn);
    memcpy(c->out + hn, body, blen);
    c->out_len = (size_t)hn + blen;
    c->out_off = 0;
}

static void respond_text(struct conn *c, int code, const char *reason)
{
    char body[64];
    int n = snprintf(body, sizeof(body), "%d %s\n", code, reason);
    respond(c, code, reason, "text/plain; charset=utf-8", body, (size_t)n);
}

/* Request line "METHOD SP TARGET SP HTTP/1.x"; headers are not needed. */
static void handle_request(struct conn *c, size_t head_len)
{
    for (size_t i = 0; i < head_len; i++) {
        unsigned char ch = (unsigned char)c->in[i];
        if ((ch < 0x20 && ch != '\r' && ch != '\n' && ch != '\t') || ch >= 0x7f) {
            respond_text(c, 400, "Bad Request");
            return;
        }
    }
    char *eol = memchr(c->in, '\n', head_len);
    size_t llen = (size_t)(eol - c->in);
    if (llen && c->in[llen - 1] == '\r')
        llen--;
    char line[METRICS_REQ_MAX + 1];
    memcpy(line, c->in, llen);
    line[llen] = '\0';
    char *sp1 = strchr(line, ' ');
    char *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
    if (!sp1 || !sp2 || sp1 == line || sp2 == sp1 + 1 || sp1[1] != '/' || strchr(sp2 + 1, ' ') ||
        (strcmp(sp2 + 1, "HTTP/1.1") && strcmp(sp2 + 1, "HTTP/1.0"))) {
        respond_text(c, 400, "Bad Request");
        return;
    }
    *sp1 = *sp2 = '\0';
    for (const char *m = line; *m; m++)
        if (*m < 'A' || *m > 'Z') {
            respond_text(c, 400, "Bad Request");
            return;
        }
    const char *target = sp1 + 1;
    size_t plen = strcspn(target, "?");
    if (plen != 8 || strncmp(target, "/metrics", 8)) {
        respond_text(c, 404, "Not Found");
        return;
    }
    if (strcmp(line, "GET")) {
        respond_text(c, 405, "Method Not Allowed");
        return;
    }
    size_t blen;
    char *body = metrics_render(&blen);
    if (!body) {
        respond_text(c, 500, "Internal Server Error");
        return;
    }
    respond(c, 200, "OK", "text/plain; version=0.0.4; charset=utf-8", body, blen);
    free(body);
}

/* The end of the request head ("\r\n\r\n" or "\n\n"), or 0. */
static size_t head_end(const char *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i++) {
        if (p[i] == '\n' && p[i + 1] == '\n')
            return i + 2;
        if (i + 3 < n && !memcmp(p + i, "\r\n\r\n", 4))
            return i + 4;
    }
    return 0;
}

static void conn_read(struct conn *c)
{
    ssize_t n = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len, MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
        conn_close(c);
        return;
    }
    if (n < 0)
        return;
    c->in_len += (size_t)n;
    size_t end = head_end(c->in, c->in_len);
    if (end)
        handle_request(c, end);
    else if (c->in_len == sizeof(c->in))
        respond_text(c, 400, "Bad Request");   /* oversized request head */
}

static void conn_write(struct conn *c)
{
    ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
                     MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n <= 0) {
        conn_close(c);
        return;
    }
    c->out_off += (size_t)n;
    if (c->out_off == c->out_len) {
        shutdown(c->fd, SHUT_WR);
        conn_close(c);
    }
}

static void accept_one(struct metrics_server *m)
{
    int fd = accept4(m->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0)
        return;
    /* A free slot, else the oldest connection makes room: idle clients
     * cannot lock a scraper out for longer than they live. */
    struct conn *c = &m->conns[0];
    for (int i = 0; i < METRICS_MAX_CONNS; i++) {
        if (m->conns[i].fd < 0) {
            c = &m->conns[i];
            break;
        }
        if (m->conns[i].deadline < c->deadline)
            c = &m->conns[i];
    }
    conn_close(c);
    c->fd = fd;
    c->deadline = mono_ms() + METRICS_CONN_TIMEOUT_MS;
}

static void *metrics_main(void *arg)
{
    struct metrics_server *m = arg;
    struct pollfd pfd[METRICS_MAX_CONNS + 1];
    int idx[METRICS_MAX_CONNS + 1];
    while (!__atomic_load_n(&m->stopping, __ATOMIC_ACQUIRE)) {
        int n = 0;
        int64_t now = mono_ms();
        pfd[n] = (struct pollfd){ .fd = m->lfd, .events = POLLIN };
        idx[n++] = -1;
        for (int i = 0; i < METRICS_MAX_CONNS; i++) {
            struct conn *c = &m->conns[i];
            if (c->fd < 0)
                continue;
            if (now >= c->deadline) {
                conn_close(c);
                continue;
            }
            pfd[n] = (struct pollfd){ .fd = c->fd, .events = c->out ? POLLOUT : POLLIN };
            idx[n++] = i;
        }
        if (poll(pfd, (nfds_t)n, 200) <= 0)
            continue;
        for (int k = 0; k < n; k++) {
            if (!pfd[k].revents)
                continue;
            if (idx[k] < 0) {
                accept_one(m);
                continue;
            }
            struct conn *c = &m->conns[idx[k]];
            if (c->out)
                conn_write(c);
            else
                conn_read(c);
            if (c->fd >= 0 && c->out)
                conn_write(c);
        }
    }
    return NULL;
}

int metrics_start(uint32_t host, uint16_t port, struct metrics_server **out,
                  char *err, size_t errlen)
{
    struct metrics_server *m = calloc(1, sizeof(*m));
    if (!m) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (int i = 0; i < METRICS_MAX_CONNS; i++)
        m->conns[i].fd = -1;
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port),
                              .sin_addr.s_addr = htonl(host) };
    socklen_t sl = sizeof(sa);
    int one = 1;
    m->lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (m->lfd < 0 || setsockopt(m->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
        bind(m->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(m->lfd, 64) < 0 ||
        getsockname(m->lfd, (struct sockaddr *)&sa, &sl) < 0) {
        snprintf(err, errlen, "metrics endpoint %u.%u.%u.%u:%u: %s", host >> 24,
                 (host >> 16) & 255, (host >> 8) & 255, host & 255, port, strerror(errno));
        if (m->lfd >= 0)
            close(m->lfd);
        free(m);
        return -1;
    }
    m->port = ntohs(sa.sin_port);
    if (pthread_create(&m->thread, NULL, metrics_main, m) != 0) {
        snprintf(err, errlen, "cannot start the metrics thread");
        close(m->lfd);
        free(m);
        return -1;
    }
    *out = m;
    return 0;
}

uint16_t metrics_port(const struct metrics_server *m)
{
    return m->port;
}

void metrics_stop(struct metrics_server *m)
{
    if (!m)
        return;
    __atomic_store_n(&m->stopping, 1, __ATOMIC_RELEASE);
    pthread_join(m->thread, NULL);
    for (int i = 0; i < METRICS_MAX_CONNS; i++)
        conn_close(&m->conns[i]);
    close(m->lfd);
    free(m);
}
