/*
 * dora-perf transports: socket setup for relayed mode, and the batched
 * send/receive paths shared by both modes. The link-layer half of broadcast
 * mode (packet sockets, BPF, frames, ARP) lives in net_raw.c.
 */
#include "bench/dora-perf/net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "bench/dora-perf/net_raw.h"
#include "bench/dora-perf/tmpl.h"

#define SOCK_BUF_BYTES (8 << 20)

/* Large buffers absorb bursts from batching; as root the FORCE variants
 * pass net.core.[rw]mem_max. Failure only costs headroom. */
void perf_net_grow_buffers(int fd)
{
    int v = SOCK_BUF_BYTES;
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof(v)) < 0)
        (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
    v = SOCK_BUF_BYTES / 2;
    if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &v, sizeof(v)) < 0)
        (void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v));
}

/* The address of an interface (its first IPv4 address). */
static int iface_addr(const char *name, uint32_t *out)
{
    struct ifreq ifr;
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    memset(&ifr, 0, sizeof(ifr));
    if (strlen(name) >= sizeof(ifr.ifr_name)) {
        close(fd);
        return -1;
    }
    memcpy(ifr.ifr_name, name, strlen(name));
    int rc = ioctl(fd, SIOCGIFADDR, &ifr);
    close(fd);
    if (rc < 0)
        return -1;
    struct sockaddr_in sin;
    memcpy(&sin, &ifr.ifr_addr, sizeof(sin));
    *out = ntohl(sin.sin_addr.s_addr);
    return 0;
}

/* The source address the kernel would use towards the server (what
 * perfdhcp uses when -l is not given). */
static int route_source(uint32_t server, uint16_t port, uint32_t *out)
{
    struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(port),
                              .sin_addr.s_addr = htonl(server) };
    struct sockaddr_in me;
    socklen_t ml = sizeof(me);
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int rc = connect(fd, (struct sockaddr *)&to, sizeof(to));
    if (rc == 0)
        rc = getsockname(fd, (struct sockaddr *)&me, &ml);
    close(fd);
    if (rc < 0)
        return -1;
    *out = ntohl(me.sin_addr.s_addr);
    return 0;
}

static int open_relay(struct perf_net *n, const struct perf_opts *o, char *err, size_t errlen)
{
    char a[INET_ADDRSTRLEN];

    n->local_port = o->local_port ? o->local_port : 67;
    if (o->local_addr) {
        n->local_addr = o->local_addr;
    } else if (o->local_is_iface) {
        if (iface_addr(o->local, &n->local_addr) < 0) {
            snprintf(err, errlen, "-l %s: the interface has no IPv4 address", o->local);
            return -1;
        }
    } else if (route_source(n->server_addr, n->remote_port, &n->local_addr) < 0) {
        snprintf(err, errlen, "no route to the server %s: %s", o->server, strerror(errno));
        return -1;
    }

    n->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (n->fd < 0) {
        snprintf(err, errlen, "socket: %s", strerror(errno));
        return -1;
    }
    int one = 1;
    (void)setsockopt(n->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    (void)setsockopt(n->fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
    perf_net_grow_buffers(n->fd);
    /* Replies go to giaddr:67. With a -J list the relay addresses are
     * several local addresses, so listen on all of them. */
    struct sockaddr_in me = { .sin_family = AF_INET, .sin_port = htons(n->local_port),
                              .sin_addr.s_addr = htonl(o->n_relays ? INADDR_ANY : n->local_addr) };
    if (bind(n->fd, (struct sockaddr *)&me, sizeof(me)) < 0) {
        struct in_addr ia = { htonl(o->n_relays ? INADDR_ANY : n->local_addr) };
        snprintf(err, errlen, "bind %s:%u: %s", inet_ntop(AF_INET, &ia, a, sizeof(a)),
                 n->local_port, strerror(errno));
        return -1;
    }
    return 0;
}

int perf_net_open(struct perf_net *n, const struct perf_opts *o, char *err, size_t errlen)
{
    memset(n, 0, sizeof(*n));
    n->fd = -1;
    n->arp_fd = -1;
    n->mode = o->mode;
    n->server_addr = o->server_addr;
    n->remote_port = o->remote_port ? o->remote_port : 67;
    int rc = o->mode == PERF_MODE_RELAY ? open_relay(n, o, err, errlen)
                                        : perf_raw_open(n, o, err, errlen);
    if (rc < 0)
        perf_net_close(n);
    return rc;
}

void perf_net_close(struct perf_net *n)
{
    if (n->fd >= 0)
        close(n->fd);
    if (n->arp_fd >= 0)
        close(n->arp_fd);
    n->fd = n->arp_fd = -1;
}

uint8_t *perf_txq_payload(struct perf_net *n, struct perf_txq *q)
{
    if (q->n >= PERF_BATCH)
        return NULL;
    /* Relayed: the payload is the datagram. Broadcast: it is framed later. */
    return n->mode == PERF_MODE_RELAY ? q->buf[q->n] : q->scratch;
}

static void queue_msg(struct perf_txq *q, size_t len, socklen_t namelen)
{
    size_t i = q->n;
    q->iov[i].iov_base = q->buf[i];
    q->iov[i].iov_len = len;
    memset(&q->msg[i], 0, sizeof(q->msg[i]));
    q->msg[i].msg_hdr.msg_name = &q->dst[i];
    q->msg[i].msg_hdr.msg_namelen = namelen;
    q->msg[i].msg_hdr.msg_iov = &q->iov[i];
    q->msg[i].msg_hdr.msg_iovlen = 1;
    q->failed[i] = false;
    q->n++;
}

int perf_txq_commit(struct perf_net *n, struct perf_txq *q, size_t len, const struct perf_l2 *l2,
                    uint32_t cookie, uint8_t kind)
{
    size_t i = q->n;
    if (i >= PERF_BATCH || len > PERF_TMPL_MAX)
        return -1;
    q->cookie[i] = cookie;
    q->kind[i] = kind;
    if (n->mode == PERF_MODE_RELAY) {
        q->dst[i].in = (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons(n->remote_port),
                                             .sin_addr.s_addr = htonl(n->server_addr) };
        queue_msg(q, len, sizeof(struct sockaddr_in));
        return 0;
    }
    int flen = perf_raw_frame(n, q->buf[i], sizeof(q->buf[i]), l2, q->scratch, len);
    if (flen < 0)
        return -1;
    perf_raw_dest(n, &q->dst[i].ll, l2 ? l2->dst_mac : NULL);
    queue_msg(q, (size_t)flen, sizeof(struct sockaddr_ll));
    return 0;
}

int perf_txq_frame(struct perf_net *n, struct perf_txq *q, const uint8_t *frame, size_t len)
{
    size_t i = q->n;
    if (n->mode != PERF_MODE_BROADCAST || i >= PERF_BATCH || len > sizeof(q->buf[i]) || len < 14)
        return -1;
    memcpy(q->buf[i], frame, len);
    q->cookie[i] = 0;
    q->kind[i] = 0xff;
    perf_raw_dest(n, &q->dst[i].ll, frame);
    /* skb->protocol must say what the frame carries (ARP here). */
    q->dst[i].ll.sll_protocol = htons((uint16_t)(frame[12] << 8 | frame[13]));
    queue_msg(q, len, sizeof(struct sockaddr_ll));
    return 0;
}

size_t perf_net_flush(struct perf_net *n, struct perf_txq *q)
{
    size_t done = 0, failed = 0;

    /* Each round either sends at least one message or marks one failed,
     * so this ends after at most q->n rounds. */
    while (done < q->n) {
        int r = sendmmsg(n->fd, q->msg + done, (unsigned)(q->n - done), 0);
        if (r > 0) {
            done += (size_t)r;
            continue;
        }
        if (r < 0 && errno == EINTR)
            continue;
        /* The message at `done` was refused (no buffer, no route, ...). */
        q->failed[done++] = true;
        failed++;
    }
    return failed;
}

int perf_net_wait(struct perf_net *n, int timeout_ms)
{
    struct pollfd p[2] = { { .fd = n->fd, .events = POLLIN }, { .fd = n->arp_fd, .events = POLLIN } };
    int np = n->arp_fd >= 0 ? 2 : 1;
    int r = poll(p, (nfds_t)np, timeout_ms);
    if (r <= 0)
        return 0;
    return ((p[0].revents & POLLIN) ? 1 : 0) | (np == 2 && (p[1].revents & POLLIN) ? 2 : 0);
}

int perf_net_recv(struct perf_net *n, struct perf_rxq *q, bool arp)
{
    int fd = arp ? n->arp_fd : n->fd;
    q->n = 0;
    if (fd < 0)
        return -1;
    for (size_t i = 0; i < PERF_BATCH; i++) {
        q->iov[i].iov_base = q->buf[i];
        q->iov[i].iov_len = sizeof(q->buf[i]);
        memset(&q->msg[i], 0, sizeof(q->msg[i]));
        q->msg[i].msg_hdr.msg_name = &q->from[i];
        q->msg[i].msg_hdr.msg_namelen = sizeof(q->from[i]);
        q->msg[i].msg_hdr.msg_iov = &q->iov[i];
        q->msg[i].msg_hdr.msg_iovlen = 1;
        q->msg[i].msg_hdr.msg_control = q->ctl[i];
        q->msg[i].msg_hdr.msg_controllen = sizeof(q->ctl[i]);
    }
    int r = recvmmsg(fd, q->msg, PERF_BATCH, MSG_DONTWAIT, NULL);
    if (r < 0)
        return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? 0 : -1;
    q->n = (size_t)r;
    return r;
}

uint64_t perf_net_rx_time(const struct perf_rxq *q, size_t i, int64_t real_minus_mono,
                          uint64_t fallback_ns)
{
    struct msghdr *mh = (struct msghdr *)&q->msg[i].msg_hdr;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_TIMESTAMPNS ||
            c->cmsg_len < CMSG_LEN(sizeof(struct timespec)))
            continue;
        struct timespec ts;
        memcpy(&ts, CMSG_DATA(c), sizeof(ts));
        int64_t real = (int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec;
        int64_t mono = real - real_minus_mono;
        /* A stamp from the future, or older than a second, means the wall
         * clock was stepped meanwhile: trust our own reading instead. */
        if (mono <= 0 || (uint64_t)mono > fallback_ns || fallback_ns - (uint64_t)mono > 1000000000ull)
            return fallback_ns;
        return (uint64_t)mono;
    }
    return fallback_ns;
}

const uint8_t *perf_net_payload(struct perf_net *n, struct perf_rxq *q, size_t i,
                                struct rx_pkt *rx, size_t *len)
{
    if (i >= q->n || (q->msg[i].msg_hdr.msg_flags & MSG_TRUNC))
        return NULL;
    size_t got = q->msg[i].msg_len;
    if (got > sizeof(q->buf[i]))
        return NULL;
    if (n->mode == PERF_MODE_BROADCAST)
        return perf_raw_payload(n, q, i, got, rx, len);

    const struct sockaddr_in *from = &q->from[i].in;
    memset(rx->src_mac, 0, sizeof(rx->src_mac));
    rx->src_ip = ntohl(from->sin_addr.s_addr);
    rx->src_port = ntohs(from->sin_port);
    rx->dst_port = n->local_port;
    rx->len = (uint16_t)got;
    *len = got;
    return q->buf[i];
}
