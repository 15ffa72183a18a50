/*
 * Broadcast mode of the dora-perf transport: a population of clients on a
 * LAN. Every request is a whole Ethernet frame from the simulated client's
 * own MAC (so the server, and any switch, sees distinct clients); replies
 * are taken off the interface by a packet socket whose BPF filter keeps
 * only IPv4/UDP to the client port, and ARP requests by a second socket so
 * the clients can answer for the addresses they hold.
 */
#include "bench/dora-perf/net_raw.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <net/if_arp.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define ETHERTYPE_ARP_NUM 0x0806
#define ARP_FRAME_LEN     42    /* Ethernet 14 + ARP for IPv4 over Ethernet 28 */

static const uint8_t bcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* Create an AF_PACKET socket that receives nothing until bound, attach the
 * filter, then bind: no unfiltered packet can slip in between. */
static int packet_socket(int ifindex, uint16_t proto, struct sock_filter *code, unsigned short len,
                         char *err, size_t errlen)
{
    struct sock_fprog prog = { .len = len, .filter = code };
    int one = 1;
    int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, errlen, "packet socket: %s (broadcast mode needs root)", strerror(errno));
        return -1;
    }
    if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0) {
        snprintf(err, errlen, "attach BPF filter: %s", strerror(errno));
        close(fd);
        return -1;
    }
    /* Tells us when a frame from a local virtual link carries a UDP
     * checksum the kernel never computed (TP_STATUS_CSUMNOTREADY). */
    (void)setsockopt(fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof(one));
    /* Kernel receive times, so latency excludes our own wake-up. */
    (void)setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
    /* Our frames are complete; the qdisc would only add a lock per packet. */
    (void)setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
    perf_net_grow_buffers(fd);
    struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(proto),
                               .sll_ifindex = ifindex };
    if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
        snprintf(err, errlen, "bind packet socket: %s", strerror(errno));
        close(fd);
        return -1;
    }
    /* Replies are unicast to the simulated clients' MACs, which are not the
     * interface's: a real NIC would filter them out. */
    struct packet_mreq mr = { .mr_ifindex = ifindex, .mr_type = PACKET_MR_PROMISC };
    if (setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)) < 0) {
        snprintf(err, errlen, "promiscuous mode: %s", strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

int perf_raw_open(struct perf_net *n, const struct perf_opts *o, char *err, size_t errlen)
{
    struct ifreq ifr;

    n->local_port = o->local_port ? o->local_port : 68;
    n->ifindex = (int)if_nametoindex(o->local);
    if (n->ifindex == 0) {
        snprintf(err, errlen, "-l %s: no such interface", o->local);
        return -1;
    }
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) {
        snprintf(err, errlen, "socket: %s", strerror(errno));
        return -1;
    }
    memset(&ifr, 0, sizeof(ifr));
    if (strlen(o->local) >= sizeof(ifr.ifr_name)) {
        close(s);
        snprintf(err, errlen, "-l %s: interface name too long", o->local);
        return -1;
    }
    memcpy(ifr.ifr_name, o->local, strlen(o->local));
    int rc = ioctl(s, SIOCGIFHWADDR, &ifr);
    if (rc == 0 && ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER) {
        close(s);
        snprintf(err, errlen, "-l %s: not an Ethernet interface", o->local);
        return -1;
    }
    if (rc == 0)
        memcpy(n->if_mac, ifr.ifr_hwaddr.sa_data, 6);
    int rc2 = ioctl(s, SIOCGIFFLAGS, &ifr);
    close(s);
    if (rc < 0 || rc2 < 0) {
        snprintf(err, errlen, "-l %s: %s", o->local, strerror(errno));
        return -1;
    }
    if (!(ifr.ifr_flags & IFF_UP)) {
        snprintf(err, errlen, "-l %s: the interface is down", o->local);
        return -1;
    }

    /* IPv4, UDP, not a fragment, destination port = the client port. */
    struct sock_filter ip_code[] = {
        { 0x28, 0, 0, 12 },                 /* ldh [12]            ethertype */
        { 0x15, 0, 8, ETHERTYPE_IP },       /* jne IPv4 -> drop */
        { 0x30, 0, 0, 23 },                 /* ldb [23]            protocol */
        { 0x15, 0, 6, IPPROTO_UDP },        /* jne UDP -> drop */
        { 0x28, 0, 0, 20 },                 /* ldh [20]            flags/offset */
        { 0x45, 4, 0, 0x1fff },             /* jset offset -> drop */
        { 0xb1, 0, 0, 14 },                 /* ldxb 4*([14]&0xf)   IP header length */
        { 0x48, 0, 0, 16 },                 /* ldh [x+16]          UDP dst port */
        { 0x15, 0, 1, n->local_port },      /* jne port -> drop */
        { 0x06, 0, 0, 0x40000 },            /* accept */
        { 0x06, 0, 0, 0 },                  /* drop */
    };
    /* ARP requests (opcode 1) only. */
    struct sock_filter arp_code[] = {
        { 0x28, 0, 0, 12 },
        { 0x15, 0, 3, ETHERTYPE_ARP_NUM },
        { 0x28, 0, 0, 20 },                 /* ldh [20]            opcode */
        { 0x15, 0, 1, 1 },
        { 0x06, 0, 0, 0x40000 },
        { 0x06, 0, 0, 0 },
    };
    n->fd = packet_socket(n->ifindex, ETH_P_IP, ip_code,
                          (unsigned short)(sizeof(ip_code) / sizeof(ip_code[0])), err, errlen);
    if (n->fd < 0)
        return -1;
    n->arp_fd = packet_socket(n->ifindex, ETH_P_ARP, arp_code,
                              (unsigned short)(sizeof(arp_code) / sizeof(arp_code[0])), err, errlen);
    return n->arp_fd < 0 ? -1 : 0;
}

int perf_raw_frame(struct perf_net *n, uint8_t *out, size_t cap, const struct perf_l2 *l2,
                   const uint8_t *payload, size_t len)
{
    const uint8_t *src = l2 && l2->src_mac ? l2->src_mac : n->if_mac;
    const uint8_t *dst = l2 && l2->dst_mac ? l2->dst_mac : bcast_mac;
    uint32_t sip = l2 ? l2->src_ip : 0;
    uint32_t dip = l2 && l2->dst_ip ? l2->dst_ip : 0xffffffffu;
    return frame_build(out, cap, src, dst, sip, dip, n->local_port, n->remote_port, payload, len);
}

void perf_raw_dest(struct perf_net *n, struct sockaddr_ll *sll, const uint8_t *dst_mac)
{
    memset(sll, 0, sizeof(*sll));
    sll->sll_family = AF_PACKET;
    sll->sll_ifindex = n->ifindex;
    sll->sll_protocol = htons(ETH_P_IP);
    sll->sll_halen = 6;
    memcpy(sll->sll_addr, dst_mac ? dst_mac : bcast_mac, 6);
}

/* TP_STATUS_CSUMNOTREADY: the sender was on this host (veth) and the UDP
 * checksum field holds only the pseudo-header sum. Zero means "no checksum"
 * (RFC 768), which frame_parse then accepts. */
static void clear_unready_csum(struct msghdr *mh, uint8_t *frame, size_t len)
{
    for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
        if (c->cmsg_level != SOL_PACKET || c->cmsg_type != PACKET_AUXDATA ||
            c->cmsg_len < CMSG_LEN(sizeof(struct tpacket_auxdata)))
            continue;
        struct tpacket_auxdata aux;
        memcpy(&aux, CMSG_DATA(c), sizeof(aux));
        if (!(aux.tp_status & TP_STATUS_CSUMNOTREADY))
            return;
        if (len < 14 + 20)
            return;
        size_t ihl = (size_t)(frame[14] & 0x0f) * 4;
        if (ihl < 20 || 14 + ihl + 8 > len)
            return;
        frame[14 + ihl + 6] = 0;
        frame[14 + ihl + 7] = 0;
        return;
    }
}

const uint8_t *perf_raw_payload(struct perf_net *n, struct perf_rxq *q, size_t i, size_t got,
                                struct rx_pkt *rx, size_t *len)
{
    if (q->from[i].ll.sll_pkttype == PACKET_OUTGOING)
        return NULL;
    clear_unready_csum(&q->msg[i].msg_hdr, q->buf[i], got);
    if (frame_parse(q->buf[i], got, rx) < 0 || rx->dst_port != n->local_port)
        return NULL;
    *len = rx->len;
    return rx->data;
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void wr32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* RFC 826 over Ethernet: htype 1, ptype 0x0800, hlen 6, plen 4. */
int perf_net_arp_request(const struct perf_rxq *q, size_t i, uint8_t asker_mac[6],
                         uint32_t *asker_ip, uint32_t *target_ip)
{
    static const uint8_t hdr[6] = { 0x00, 0x01, 0x08, 0x00, 6, 4 };
    if (i >= q->n || q->msg[i].msg_len < ARP_FRAME_LEN || q->msg[i].msg_len > sizeof(q->buf[i]))
        return -1;
    const uint8_t *f = q->buf[i];
    const uint8_t *a = f + 14;
    if (f[12] != 0x08 || f[13] != 0x06 || memcmp(a, hdr, sizeof(hdr)) != 0 || a[6] != 0 || a[7] != 1)
        return -1;
    memcpy(asker_mac, a + 8, 6);
    *asker_ip = rd32(a + 14);
    *target_ip = rd32(a + 24);
    return 0;
}

size_t perf_net_arp_reply(uint8_t *frame, size_t cap, const uint8_t mac[6], uint32_t ip,
                          const uint8_t asker_mac[6], uint32_t asker_ip)
{
    if (cap < ARP_FRAME_LEN)
        return 0;
    memcpy(frame, asker_mac, 6);
    memcpy(frame + 6, mac, 6);
    frame[12] = 0x08;
    frame[13] = 0x06;
    uint8_t *a = frame + 14;
    a[0] = 0x00; a[1] = 0x01;       /* Ethernet */
    a[2] = 0x08; a[3] = 0x00;       /* IPv4 */
    a[4] = 6; a[5] = 4;
    a[6] = 0x00; a[7] = 0x02;       /* reply */
    memcpy(a + 8, mac, 6);
    wr32(a + 14, ip);
    memcpy(a + 18, asker_mac, 6);
    wr32(a + 24, asker_ip);
    return ARP_FRAME_LEN;
}
