/*
 * Packet I/O receive path: wait on the epoll set, then drain the ready
 * sockets without blocking into the caller's rx_pkt array.
 *
 * Raw sockets are read frame by frame (each frame is validated by
 * frame_parse). The UDP socket is read with recvmmsg. In raw mode the UDP
 * socket also receives every broadcast and unicast the raw sockets already
 * delivered; those copies (ifindex of a raw interface) are dropped, and only
 * what the raw sockets cannot see is kept: datagrams from other interfaces,
 * and datagrams a local process sent to one of our addresses (they travel
 * over `lo`, yet IP_PKTINFO names the interface owning the address).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <netinet/in.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>

#include "server/io.h"
#include "server/io_priv.h"

/* recvmmsg batch per system call, and how many full batches of discarded
 * duplicates one call may drain before yielding to the caller. */
#define UDP_BATCH       64
#define UDP_MAX_ROUNDS  16
/* Frames a raw socket may skip (ours, other hosts', malformed) per call on
 * top of the ones stored. */
#define RAW_EXTRA_READS 256
/* Empty wake-ups (only duplicates or junk) io_recv_batch sits through
 * before returning 0 early. */
#define WAIT_MAX_ROUNDS 1024

#define LOCAL_ADDR_MAX      1024
#define LOCAL_REFRESH_SEC   1

static void now_mono(struct timespec *ts)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
}

/* The host's IPv4 addresses, as seen from the UDP socket's network
 * namespace, cached per receiver thread and refreshed at most once a second
 * (only when a lookup misses). */
static _Thread_local struct {
    const struct io_ctx *io;
    unsigned long gen;
    int      fd;
    bool     valid;
    time_t   at;
    size_t   n;
    uint32_t addr[LOCAL_ADDR_MAX];
} local_cache;

static void local_refresh(const struct io_ctx *io, unsigned long gen, time_t now)
{
    local_cache.io = io;
    local_cache.gen = gen;
    local_cache.fd = io->udp_fd;
    local_cache.valid = true;
    local_cache.at = now;
    local_cache.n = 0;

    /* SIOCGIFCONF with a NULL buffer reports the size it needs; the ioctl
     * runs in the namespace of the socket, not of the calling thread. */
    struct ifconf ifc = { .ifc_len = 0, .ifc_buf = NULL };
    if (ioctl(io->udp_fd, SIOCGIFCONF, &ifc) < 0 || ifc.ifc_len <= 0)
        return;
    size_t cap = (size_t)ifc.ifc_len / sizeof(struct ifreq);
    if (cap > LOCAL_ADDR_MAX)
        cap = LOCAL_ADDR_MAX;
    struct ifreq *req = calloc(cap, sizeof(*req));
    if (!req)
        return;
    ifc.ifc_len = (int)(cap * sizeof(*req));
    ifc.ifc_req = req;
    if (ioctl(io->udp_fd, SIOCGIFCONF, &ifc) == 0) {
        size_t n = (size_t)ifc.ifc_len / sizeof(*req);
        for (size_t i = 0; i < n && i < cap; i++) {
            if (req[i].ifr_addr.sa_family != AF_INET)
                continue;
            struct sockaddr_in sin;
            memcpy(&sin, &req[i].ifr_addr, sizeof(sin));
            local_cache.addr[local_cache.n++] = ntohl(sin.sin_addr.s_addr);
        }
    }
    free(req);
}

static bool local_find(uint32_t ip)
{
    for (size_t i = 0; i < local_cache.n; i++)
        if (local_cache.addr[i] == ip)
            return true;
    return false;
}

/* Did this datagram come from a process on this host? The kernel drops
 * datagrams from the wire whose source is one of its own addresses (martian
 * source), so a local source address proves a local sender. */
static bool is_local_source(const struct io_ctx *io, uint32_t src)
{
    if (src == 0)
        return false;
    if ((src >> 24) == 127)
        return true;
    struct timespec ts;
    now_mono(&ts);
    unsigned long gen = __atomic_load_n(&io_open_generation, __ATOMIC_RELAXED);
    bool same = local_cache.valid && local_cache.io == io && local_cache.gen == gen &&
                local_cache.fd == io->udp_fd;
    if (same && local_find(src))
        return true;
    if (same && ts.tv_sec - local_cache.at < LOCAL_REFRESH_SEC)
        return false;
    local_refresh(io, gen, ts.tv_sec);
    return local_find(src);
}

/* Directed (subnet) broadcast of the receiving interface. RFC 3021: /31 and
 * /32 have no broadcast address. */
static bool is_subnet_bcast(const struct io_ctx *io, int ifindex, uint32_t dst)
{
    const struct io_iface *ifc = io_iface_by_index(io, ifindex);
    if (!ifc || !ifc->addr || ifc->netmask == 0 || ifc->netmask >= 0xfffffffeu)
        return false;
    return dst == (ifc->addr | ~ifc->netmask);
}

/* An error that ends reading this socket for now but is not fatal: the
 * socket is empty, a signal came, or the interface went away. */
static bool soft_error(int e)
{
    return e == EAGAIN || e == EWOULDBLOCK || e == EINTR || e == ENETDOWN ||
           e == ENXIO || e == ENODEV || e == ENOBUFS || e == ENOMEM;
}

/* Read up to max frames from one raw socket. Returns packets stored or -1. */
static int read_raw(struct io_ctx *io, const struct io_iface *ifc,
                    struct rx_pkt *out, size_t max, size_t *bad)
{
    uint8_t frame[FRAME_MAX_LEN];
    union {
        struct cmsghdr align;
        uint8_t buf[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
    } ctl;
    size_t n = 0;
    /* Skipped frames do not fill a slot, so bound the reads too: a flood of
     * junk must not keep the receiver here forever. */
    size_t budget = max + RAW_EXTRA_READS;

    for (size_t reads = 0; n < max && reads < budget; reads++) {
        struct sockaddr_ll from;
        struct iovec iov = { .iov_base = frame, .iov_len = sizeof(frame) };
        struct msghdr mh = {
            .msg_name = &from, .msg_namelen = sizeof(from),
            .msg_iov = &iov, .msg_iovlen = 1,
            .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
        };
        ssize_t r = recvmsg(ifc->raw_fd, &mh, MSG_DONTWAIT | MSG_TRUNC);
        if (r < 0) {
            if (soft_error(errno))
                break;
            return -1;
        }
        /* Our own transmissions, and frames for other stations that a
         * promiscuous interface shows us, are not requests to us. */
        if (from.sll_pkttype == PACKET_OUTGOING || from.sll_pkttype == PACKET_OTHERHOST)
            continue;
        if ((mh.msg_flags & MSG_TRUNC) || (size_t)r > sizeof(frame)) {
            (*bad)++;
            continue;
        }
        bool check_udp = true;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
            if (c->cmsg_level == SOL_PACKET && c->cmsg_type == PACKET_AUXDATA &&
                c->cmsg_len >= CMSG_LEN(sizeof(struct tpacket_auxdata))) {
                struct tpacket_auxdata aux;
                memcpy(&aux, CMSG_DATA(c), sizeof(aux));
                /* Checksum left to offload, or already verified by the NIC. */
                if (aux.tp_status & (TP_STATUS_CSUMNOTREADY | TP_STATUS_CSUM_VALID))
                    check_udp = false;
            }
        }
        struct rx_pkt *p = &out[n];
        if (frame_parse_opt(frame, (size_t)r, p, check_udp) < 0 ||
            p->dst_port != io->server_port) {
            (*bad)++;
            continue;
        }
        p->via_raw = true;
        p->ifindex = ifc->ifindex;
        if (from.sll_pkttype == PACKET_BROADCAST || is_subnet_bcast(io, ifc->ifindex, p->dst_ip))
            p->dst_broadcast = true;
        now_mono(&p->rx_time);
        n++;
    }
    return (int)n;
}

/* Read up to max datagrams from the UDP socket. Returns packets stored or -1. */
static int read_udp(struct io_ctx *io, struct rx_pkt *out, size_t max, size_t *bad)
{
    struct mmsghdr msgs[UDP_BATCH];
    struct iovec iov[UDP_BATCH];
    struct sockaddr_in from[UDP_BATCH];
    union {
        struct cmsghdr align;
        uint8_t buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
    } ctl[UDP_BATCH];
    size_t n = 0;

    for (int round = 0; round < UDP_MAX_ROUNDS && n < max; round++) {
        size_t want = max - n < UDP_BATCH ? max - n : UDP_BATCH;
        for (size_t i = 0; i < want; i++) {
            iov[i] = (struct iovec){ .iov_base = out[n + i].data, .iov_len = PKT4_MAX_LEN };
            msgs[i].msg_hdr = (struct msghdr){
                .msg_name = &from[i], .msg_namelen = sizeof(from[i]),
                .msg_iov = &iov[i], .msg_iovlen = 1,
                .msg_control = ctl[i].buf, .msg_controllen = sizeof(ctl[i].buf),
            };
            msgs[i].msg_len = 0;
        }
        int r = recvmmsg(io->udp_fd, msgs, (unsigned)want, MSG_DONTWAIT, NULL);
        if (r < 0) {
            if (soft_error(errno))
                break;
            return -1;
        }
        struct timespec ts;
        now_mono(&ts);
        size_t kept = n;
        for (size_t i = 0; i < (size_t)r; i++) {
            struct msghdr *mh = &msgs[i].msg_hdr;
            int ifindex = 0;
            uint32_t dst = 0;
            for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
                if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO &&
                    c->cmsg_len >= CMSG_LEN(sizeof(struct in_pktinfo))) {
                    struct in_pktinfo pi;
                    memcpy(&pi, CMSG_DATA(c), sizeof(pi));
                    ifindex = pi.ipi_ifindex;
                    dst = ntohl(pi.ipi_addr.s_addr);
                }
            }
            if (io->raw) {
                const struct io_iface *ifc = io_iface_by_index(io, ifindex);
                if (ifc && ifc->raw_fd >= 0 &&
                    !is_local_source(io, ntohl(from[i].sin_addr.s_addr)))
                    continue;   /* the raw socket already delivered it */
            }
            if ((mh->msg_flags & MSG_TRUNC) || msgs[i].msg_len > PKT4_MAX_LEN ||
                mh->msg_namelen < sizeof(struct sockaddr_in)) {
                (*bad)++;
                continue;
            }
            struct rx_pkt *p = &out[kept];
            if (kept != n + i) /* close the gap left by dropped datagrams */
                memcpy(p->data, out[n + i].data, msgs[i].msg_len);
            p->len = (uint16_t)msgs[i].msg_len;
            p->via_raw = false;
            p->ifindex = ifindex;
            p->src_ip = ntohl(from[i].sin_addr.s_addr);
            p->src_port = ntohs(from[i].sin_port);
            p->dst_ip = dst;
            p->dst_port = io->server_port;
            memset(p->src_mac, 0, sizeof(p->src_mac));
            p->dst_broadcast = dst == 0xffffffffu || is_subnet_bcast(io, ifindex, dst);
            p->rx_time = ts;
            kept++;
        }
        n = kept;
        if ((size_t)r < want)
            break;      /* drained */
    }
    return (int)n;
}

/* Read from the sockets epoll reported ready. Returns packets stored or -1. */
static int drain_ready(struct io_ctx *io, const struct epoll_event *ev, int nev,
                       struct rx_pkt *out, size_t max, size_t *bad)
{
    /* Fair share first so one busy interface cannot starve the others,
     * then a second pass hands leftover room to whoever still has data. */
    size_t got = 0;
    for (int pass = 0; pass < 2 && got < max; pass++) {
        for (int i = 0; i < nev && got < max; i++) {
            size_t room = max - got;
            if (pass == 0) {
                size_t share = (max + (size_t)nev - 1) / (size_t)nev;
                if (share < room)
                    room = share;
            }
            uint32_t tag = ev[i].data.u32;
            int r;
            if (tag == IO_MAX_IFACES)
                r = read_udp(io, out + got, room, bad);
            else if (tag < io->n_ifaces)
                r = read_raw(io, &io->ifaces[tag], out + got, room, bad);
            else
                continue;
            if (r < 0)
                return got ? (int)got : -1;
            got += (size_t)r;
        }
    }
    return (int)got;
}

static long ms_since(const struct timespec *t0)
{
    struct timespec now;
    now_mono(&now);
    return (long)(now.tv_sec - t0->tv_sec) * 1000 + (now.tv_nsec - t0->tv_nsec) / 1000000;
}

int io_recv_batch(struct io_ctx *io, struct rx_pkt *out, size_t max, int timeout_ms, size_t *bad)
{
    size_t bad_local = 0;
    if (!bad)
        bad = &bad_local;
    *bad = 0;
    if (!io || !out || io->epoll_fd < 0) {
        errno = EINVAL;
        return -1;
    }
    if (max == 0)
        return 0;

    /* In raw mode most wake-ups of the UDP socket bring only duplicates; keep
     * waiting out the caller's timeout instead of returning an empty batch. */
    struct timespec t0;
    now_mono(&t0);
    for (int round = 0; round < WAIT_MAX_ROUNDS; round++) {
        int wait = timeout_ms;
        if (round > 0 && timeout_ms >= 0) {
            long left = timeout_ms - ms_since(&t0);
            if (left <= 0)
                return 0;
            wait = (int)left;
        }
        struct epoll_event ev[IO_MAX_IFACES + 1];
        int nev = epoll_wait(io->epoll_fd, ev, IO_MAX_IFACES + 1, wait);
        if (nev < 0)
            return errno == EINTR ? 0 : -1;
        if (nev == 0)
            return 0;
        int r = drain_ready(io, ev, nev, out, max, bad);
        if (r != 0)
            return r;
    }
    return 0;
}
