/*
 * Packet I/O transmit path. Chooses between a hand-built Ethernet frame on
 * the interface's raw socket (clients without an address: broadcast, or
 * unicast to chaddr without ARP, RFC 2131 4.1) and the UDP socket (relays,
 * renewing clients, and everything in udp mode).
 *
 * Thread safe: the only state is the caller's stack and the sockets, and
 * concurrent sendto/sendmsg on one socket is fine.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "server/io.h"
#include "server/io_priv.h"

static int send_raw(const struct io_ctx *io, const struct io_iface *ifc,
                    const struct tx_dest *dst, const uint8_t *payload, size_t len)
{
    static const uint8_t bcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    const uint8_t *dmac = dst->dst_ip == 0xffffffffu ? bcast_mac : dst->dst_mac;
    uint32_t src_ip = dst->src_ip ? dst->src_ip : ifc->addr;
    uint8_t frame[FRAME_MAX_LEN];

    int flen = frame_build(frame, sizeof(frame), ifc->mac, dmac, src_ip, dst->dst_ip,
                           io->server_port, dst->dst_port, payload, len);
    if (flen < 0) {
        errno = EMSGSIZE;
        return -1;
    }
    struct sockaddr_ll sll = {
        .sll_family = AF_PACKET,
        .sll_protocol = htons(ETH_P_IP),
        .sll_ifindex = ifc->ifindex,
        .sll_halen = 6,
    };
    memcpy(sll.sll_addr, dmac, 6);
    ssize_t r;
    do {
        r = sendto(ifc->raw_fd, frame, (size_t)flen, 0, (struct sockaddr *)&sll, sizeof(sll));
    } while (r < 0 && errno == EINTR);
    if (r < 0)
        return -1;
    if (r != flen) {
        errno = EIO;
        return -1;
    }
    return 0;
}

static ssize_t udp_sendmsg(int fd, const struct sockaddr_in *to, const uint8_t *payload,
                           size_t len, bool with_pktinfo, int ifindex, uint32_t src_ip)
{
    struct iovec iov = { .iov_base = (void *)payload, .iov_len = len };
    union {
        struct cmsghdr align;
        uint8_t buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
    } ctl;
    struct msghdr mh = {
        .msg_name = (void *)to, .msg_namelen = sizeof(*to),
        .msg_iov = &iov, .msg_iovlen = 1,
    };
    if (with_pktinfo) {
        memset(&ctl, 0, sizeof(ctl));
        mh.msg_control = ctl.buf;
        mh.msg_controllen = sizeof(ctl.buf);
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = IPPROTO_IP;
        c->cmsg_type = IP_PKTINFO;
        c->cmsg_len = CMSG_LEN(sizeof(struct in_pktinfo));
        struct in_pktinfo pi = {
            .ipi_ifindex = ifindex,
            .ipi_spec_dst.s_addr = htonl(src_ip),
        };
        memcpy(CMSG_DATA(c), &pi, sizeof(pi));
    }
    ssize_t r;
    do {
        r = sendmsg(fd, &mh, 0);
    } while (r < 0 && errno == EINTR);
    return r;
}

static int send_udp(const struct io_ctx *io, const struct tx_dest *dst,
                    const uint8_t *payload, size_t len)
{
    if (io->udp_fd < 0) {
        errno = EBADF;
        return -1;
    }
    bool bcast = dst->dst_ip == 0xffffffffu;
    struct sockaddr_in to = {
        .sin_family = AF_INET,
        .sin_port = htons(dst->dst_port),
        .sin_addr.s_addr = htonl(dst->dst_ip),
    };
    /* A broadcast goes out of the receiving interface (it has no route of
     * its own); a unicast follows routing. The source address is the server
     * identifier when given, so clients see replies from the address they
     * will unicast to (RFC 2131 4.3.1). */
    int ifindex = bcast ? dst->ifindex : 0;
    bool pktinfo = ifindex != 0 || dst->src_ip != 0;
    ssize_t r = udp_sendmsg(io->udp_fd, &to, payload, len, pktinfo, ifindex, dst->src_ip);
    /* A server identifier that is not a local address (configured override)
     * cannot be a source here (the route lookup fails with ENETUNREACH or
     * EINVAL); fall back to the kernel's choice. */
    if (r < 0 && dst->src_ip &&
        (errno == ENETUNREACH || errno == EINVAL || errno == EADDRNOTAVAIL))
        r = udp_sendmsg(io->udp_fd, &to, payload, len, ifindex != 0, ifindex, 0);
    if (r < 0)
        return -1;
    if ((size_t)r != len) {
        errno = EIO;
        return -1;
    }
    return 0;
}

int io_send(struct io_ctx *io, const struct tx_dest *dst, const uint8_t *payload, size_t len)
{
    if (!io || !dst || (!payload && len)) {
        errno = EINVAL;
        return -1;
    }
    const struct io_iface *ifc = io->raw ? io_iface_by_index(io, dst->ifindex) : NULL;
    if (ifc && ifc->raw_fd >= 0 && (dst->dst_ip == 0xffffffffu || dst->l2_unicast))
        return send_raw(io, ifc, dst, payload, len);
    return send_udp(io, dst, payload, len);
}
