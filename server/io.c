/*
 * Packet I/O setup: which interfaces dorad serves (interfaces-config), the
 * sockets opened on them, and the epoll set the receiver waits on.
 *
 * Raw mode opens one AF_PACKET socket per interface (with a classic BPF
 * filter so only IPv4 UDP to the server port reaches user space) plus the
 * UDP socket on 0.0.0.0:server_port; UDP mode opens only the latter. Receive
 * lives in io_recv.c, transmit in io_send.c, framing in frame.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server/cfg.h"
#include "server/io.h"
#include "server/io_priv.h"

#define IO_RCVBUF (8 * 1024 * 1024)

unsigned long io_open_generation;

/* Per-interface facts gathered from getifaddrs() before anything is opened. */
struct if_info {
    bool     found;
    bool     up, loopback;
    unsigned short hatype;
    uint8_t  mac[6];
    uint32_t addr, netmask;    /* first IPv4 address */
    bool     has_cfg_addr;     /* the configured address was seen */
};

static void io_reset(struct io_ctx *io)
{
    memset(io, 0, sizeof(*io));
    io->udp_fd = -1;
    io->epoll_fd = -1;
    for (size_t i = 0; i < IO_MAX_IFACES; i++)
        io->ifaces[i].raw_fd = -1;
}

/* Device name of an address entry: secondary addresses may carry a label
 * such as "eth0:1", which is not a device name. */
static void ifa_device(const char *label, char dev[IF_NAMESIZE])
{
    size_t n = strcspn(label, ":");
    if (n >= IF_NAMESIZE)
        n = IF_NAMESIZE - 1;
    memcpy(dev, label, n);
    dev[n] = '\0';
}

/* Collect MAC, flags and addresses of device name. want_addr != 0 also
 * checks that this address is configured on it. */
static void if_lookup(const struct ifaddrs *list, const char *name,
                      uint32_t want_addr, struct if_info *inf)
{
    memset(inf, 0, sizeof(*inf));
    for (const struct ifaddrs *a = list; a; a = a->ifa_next) {
        char dev[IF_NAMESIZE];
        ifa_device(a->ifa_name, dev);
        if (strcmp(dev, name) != 0 || !a->ifa_addr)
            continue;
        if (a->ifa_addr->sa_family == AF_PACKET) {
            const struct sockaddr_ll *ll = (const struct sockaddr_ll *)a->ifa_addr;
            inf->found = true;
            inf->up = a->ifa_flags & IFF_UP;
            inf->loopback = a->ifa_flags & IFF_LOOPBACK;
            inf->hatype = ll->sll_hatype;
            if (ll->sll_halen == 6)
                memcpy(inf->mac, ll->sll_addr, 6);
        } else if (a->ifa_addr->sa_family == AF_INET) {
            uint32_t ip = ntohl(((const struct sockaddr_in *)a->ifa_addr)->sin_addr.s_addr);
            uint32_t mask = a->ifa_netmask
                ? ntohl(((const struct sockaddr_in *)a->ifa_netmask)->sin_addr.s_addr) : 0;
            inf->found = true;
            if (!inf->addr) {
                inf->addr = ip;
                inf->netmask = mask;
            }
            if (want_addr && ip == want_addr) {
                inf->has_cfg_addr = true;
                inf->netmask = mask;
            }
        }
    }
}

/* Raw frames carry an Ethernet header; loopback devices use one too. */
static bool hatype_ok(unsigned short hatype)
{
    return hatype == ARPHRD_ETHER || hatype == ARPHRD_LOOPBACK;
}

static struct io_iface *iface_find(struct io_ctx *io, int ifindex)
{
    for (size_t i = 0; i < io->n_ifaces; i++)
        if (io->ifaces[i].ifindex == ifindex)
            return &io->ifaces[i];
    return NULL;
}

/* Add (or find) the interface name. cfg_addr != 0 pins its address. */
static int iface_add(struct io_ctx *io, const struct ifaddrs *list,
                     const char *name, uint32_t cfg_addr, bool *addr_pinned,
                     char *err, size_t errlen)
{
    int ifindex = (int)if_nametoindex(name);
    if (ifindex <= 0) {
        snprintf(err, errlen, "interface '%s' does not exist", name);
        return -1;
    }
    struct if_info inf;
    if_lookup(list, name, cfg_addr, &inf);
    if (io->raw && !hatype_ok(inf.hatype)) {
        snprintf(err, errlen, "interface '%s': not an Ethernet device (ARP type %u); "
                 "use dhcp-socket-type \"udp\"", name, inf.hatype);
        return -1;
    }
    if (cfg_addr && !inf.has_cfg_addr) {
        char a[INET_ADDRSTRLEN];
        struct in_addr in = { .s_addr = htonl(cfg_addr) };
        inet_ntop(AF_INET, &in, a, sizeof(a));
        snprintf(err, errlen, "interface '%s' does not have address %s", name, a);
        return -1;
    }

    struct io_iface *ifc = iface_find(io, ifindex);
    if (!ifc) {
        if (io->n_ifaces >= IO_MAX_IFACES) {
            snprintf(err, errlen, "interface '%s': too many interfaces (at most %d)",
                     name, IO_MAX_IFACES);
            return -1;
        }
        addr_pinned[io->n_ifaces] = false;
        ifc = &io->ifaces[io->n_ifaces++];
        snprintf(ifc->name, sizeof(ifc->name), "%s", name);
        ifc->ifindex = ifindex;
        memcpy(ifc->mac, inf.mac, 6);
        ifc->addr = inf.addr;
        ifc->netmask = inf.netmask;
        ifc->raw_fd = -1;
    }
    /* "eth0/192.0.2.1": the first configured address wins over the one the
     * interface happens to list first. */
    size_t idx = (size_t)(ifc - io->ifaces);
    if (cfg_addr && !addr_pinned[idx]) {
        ifc->addr = cfg_addr;
        ifc->netmask = inf.netmask;
        addr_pinned[idx] = true;
    }
    return 0;
}

/* interfaces: ["*"]: every interface that is up, not loopback, and has an
 * IPv4 address (Kea's rule); in raw mode it must also be Ethernet. */
static int add_all(struct io_ctx *io, const struct ifaddrs *list, bool *addr_pinned,
                   char *err, size_t errlen)
{
    for (const struct ifaddrs *a = list; a; a = a->ifa_next) {
        if (!a->ifa_addr || a->ifa_addr->sa_family != AF_PACKET)
            continue;
        struct if_info inf;
        if_lookup(list, a->ifa_name, 0, &inf);
        if (!inf.up || inf.loopback || !inf.addr)
            continue;
        if (io->raw && !hatype_ok(inf.hatype))
            continue;
        if (iface_add(io, list, a->ifa_name, 0, addr_pinned, err, errlen) < 0)
            return -1;
    }
    return 0;
}

static void set_rcvbuf(int fd)
{
    int sz = IO_RCVBUF;
    /* SO_RCVBUFFORCE ignores rmem_max but needs CAP_NET_ADMIN. A smaller
     * buffer only means earlier drops under load, so failure is not fatal. */
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) < 0)
        (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
}

/* Classic BPF: accept unfragmented IPv4 UDP to port, drop everything else,
 * so the socket does not wake us for unrelated traffic. Jump offsets count
 * instructions from the next one; DROP(i) jumps from instruction i to the
 * final "ret 0". */
static int attach_filter(int fd, uint16_t port)
{
#define FILTER_LEN 14
#define DROP(i) (FILTER_LEN - 1 - (i) - 1)
    struct sock_filter prog[FILTER_LEN] = {
        /* 0 */ BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),             /* ethertype */
        /* 1 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETHERTYPE_IP, 0, DROP(1)),
        /* 2 */ BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 14),             /* version/IHL */
        /* 3 */ BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xf0),
        /* 4 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x40, 0, DROP(4)),
        /* 5 */ BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 14 + 9),         /* protocol */
        /* 6 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_UDP, 0, DROP(6)),
        /* 7 */ BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 14 + 6),         /* flags/offset */
        /* 8 */ BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x3fff, DROP(8), 0), /* MF|offset */
        /* 9 */ BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 14),            /* X = IHL * 4 */
        /* 10 */ BPF_STMT(BPF_LD | BPF_H | BPF_IND, 14 + 2),        /* UDP dst port */
        /* 11 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, port, 0, DROP(11)),
        /* 12 */ BPF_STMT(BPF_RET | BPF_K, 0xffffffffu),             /* whole frame */
        /* 13 */ BPF_STMT(BPF_RET | BPF_K, 0),
    };
#undef DROP
#undef FILTER_LEN
    struct sock_fprog fprog = { .len = sizeof(prog) / sizeof(prog[0]), .filter = prog };
    return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fprog, sizeof(fprog));
}

static int open_raw(struct io_iface *ifc, uint16_t port, char *err, size_t errlen)
{
    /* Protocol 0 at creation: the socket sees nothing until bound, so no
     * unfiltered packet from another interface can slip in before the
     * filter is attached. */
    int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, errlen, "interface '%s': socket(AF_PACKET): %s", ifc->name, strerror(errno));
        return -1;
    }
    ifc->raw_fd = fd;
    if (attach_filter(fd, port) < 0) {
        snprintf(err, errlen, "interface '%s': setsockopt(SO_ATTACH_FILTER): %s",
                 ifc->name, strerror(errno));
        return -1;
    }
    /* Auxdata tells us when the UDP checksum is still to be filled in by
     * offload (veth peers, virtual NICs), so we do not reject those. */
    int one = 1;
    if (setsockopt(fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof(one)) < 0) {
        snprintf(err, errlen, "interface '%s': setsockopt(PACKET_AUXDATA): %s",
                 ifc->name, strerror(errno));
        return -1;
    }
    set_rcvbuf(fd);
    struct sockaddr_ll sll = {
        .sll_family = AF_PACKET,
        .sll_protocol = htons(ETH_P_IP),
        .sll_ifindex = ifc->ifindex,
    };
    if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
        snprintf(err, errlen, "interface '%s': bind(AF_PACKET): %s", ifc->name, strerror(errno));
        return -1;
    }
    return 0;
}

static int open_udp(struct io_ctx *io, char *err, size_t errlen)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, errlen, "udp socket: socket(AF_INET): %s", strerror(errno));
        return -1;
    }
    io->udp_fd = fd;
    int one = 1;
    static const struct { int level, opt; const char *name; } opts[] = {
        { SOL_SOCKET, SO_REUSEADDR, "SO_REUSEADDR" },
        { SOL_SOCKET, SO_BROADCAST, "SO_BROADCAST" },
        { IPPROTO_IP, IP_PKTINFO,   "IP_PKTINFO" },
    };
    for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
        if (setsockopt(fd, opts[i].level, opts[i].opt, &one, sizeof(one)) < 0) {
            snprintf(err, errlen, "udp socket: setsockopt(%s): %s", opts[i].name, strerror(errno));
            return -1;
        }
    }
    set_rcvbuf(fd);
    struct sockaddr_in sin = {
        .sin_family = AF_INET,
        .sin_port = htons(io->server_port),
        .sin_addr.s_addr = htonl(INADDR_ANY),
    };
    if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
        snprintf(err, errlen, "udp socket: bind(0.0.0.0:%u): %s", io->server_port, strerror(errno));
        return -1;
    }
    return 0;
}

static int epoll_add(int epfd, int fd, uint32_t tag)
{
    struct epoll_event ev = { .events = EPOLLIN, .data.u32 = tag };
    return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

int io_open(struct io_ctx *io, const struct cfg4 *cfg, uint16_t server_port,
            uint16_t client_port, char *err, size_t errlen)
{
    char dummy[1];
    if (!err || errlen == 0) {
        err = dummy;
        errlen = sizeof(dummy);
    }
    if (!io || !cfg) {
        snprintf(err, errlen, "io_open: no context or config");
        return -1;
    }
    io_reset(io);
    __atomic_add_fetch(&io_open_generation, 1, __ATOMIC_RELAXED);
    io->raw = cfg->socket_type == CFG_SOCKET_RAW;
    io->server_port = server_port;
    io->client_port = client_port;

    struct ifaddrs *list = NULL;
    if (getifaddrs(&list) < 0) {
        snprintf(err, errlen, "getifaddrs: %s", strerror(errno));
        return -1;
    }
    bool addr_pinned[IO_MAX_IFACES] = { false };
    int rc = 0;
    if (cfg->all_ifaces)
        rc = add_all(io, list, addr_pinned, err, errlen);
    for (size_t i = 0; rc == 0 && i < cfg->n_ifaces; i++) {
        char name[sizeof(cfg->ifaces[i].name) + 1];
        snprintf(name, sizeof(name), "%.*s", (int)sizeof(cfg->ifaces[i].name), cfg->ifaces[i].name);
        if (strcmp(name, "*") == 0)   /* covered by all_ifaces */
            continue;
        rc = iface_add(io, list, name, cfg->ifaces[i].addr, addr_pinned, err, errlen);
    }
    freeifaddrs(list);
    if (rc < 0)
        goto fail;

    for (size_t i = 0; io->raw && i < io->n_ifaces; i++)
        if (open_raw(&io->ifaces[i], server_port, err, errlen) < 0)
            goto fail;
    if (open_udp(io, err, errlen) < 0)
        goto fail;

    io->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    if (io->epoll_fd < 0) {
        snprintf(err, errlen, "epoll_create1: %s", strerror(errno));
        goto fail;
    }
    for (size_t i = 0; i < io->n_ifaces; i++) {
        if (io->ifaces[i].raw_fd >= 0 &&
            epoll_add(io->epoll_fd, io->ifaces[i].raw_fd, (uint32_t)i) < 0) {
            snprintf(err, errlen, "interface '%s': epoll_ctl: %s", io->ifaces[i].name, strerror(errno));
            goto fail;
        }
    }
    if (epoll_add(io->epoll_fd, io->udp_fd, IO_MAX_IFACES) < 0) {
        snprintf(err, errlen, "udp socket: epoll_ctl: %s", strerror(errno));
        goto fail;
    }
    return 0;

fail:
    io_close(io);
    return -1;
}

const struct io_iface *io_iface_by_index(const struct io_ctx *io, int ifindex)
{
    if (!io || ifindex <= 0)
        return NULL;
    for (size_t i = 0; i < io->n_ifaces && i < IO_MAX_IFACES; i++)
        if (io->ifaces[i].ifindex == ifindex)
            return &io->ifaces[i];
    return NULL;
}

void io_close(struct io_ctx *io)
{
    if (!io)
        return;
    for (size_t i = 0; i < io->n_ifaces && i < IO_MAX_IFACES; i++)
        if (io->ifaces[i].raw_fd >= 0)
            close(io->ifaces[i].raw_fd);
    if (io->udp_fd >= 0)
        close(io->udp_fd);
    if (io->epoll_fd >= 0)
        close(io->epoll_fd);
    /* Leave a closed context: a second io_close() is harmless. */
    io_reset(io);
}
