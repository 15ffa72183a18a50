/*
 * faulty_responder: a deliberately broken DHCPv4 server for the dora-perf
 * system test. It answers relayed DISCOVERs and REQUESTs over UDP but
 *   - hands every address to --share consecutive new clients (default 2),
 *     so a uniqueness check has duplicates to find;
 *   - ignores every --drop-discover'th DISCOVER and every --drop-request'th
 *     REQUEST it receives, so the number of lost requests is known exactly;
 *   - sends every --dup-offer'th OFFER it answers twice, so the duplicates
 *     are orphans;
 *   - delays every --late-offer'th OFFER by --late-ms, past the client's
 *     drop time.
 * Counting is by arrival order, so the expected figures follow from the
 * options alone. Replies go to giaddr:PORT (a relay listens on the server
 * port), or to the source address and port for unrelayed requests.
 *
 * Bounded: exits after --timeout seconds (default 60), or on SIGTERM/SIGINT,
 * and then prints its own counters on stderr.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "wire/pkt4.h"

#define MAX_CLIENTS 65536
#define MAX_LATE    1024

struct client {
    uint8_t  mac[6];
    uint32_t addr;
};

struct late {
    uint64_t due_ns;
    struct sockaddr_in to;
    size_t len;
    uint8_t buf[PKT4_MAX_LEN];
};

static struct {
    uint32_t addr, pool;
    uint16_t port;
    unsigned share, drop_discover, drop_request, dup_offer, late_offer, late_ms, timeout_s;
    struct client clients[MAX_CLIENTS];
    unsigned n_clients;
    unsigned long discovers, requests, releases, offers, acks, ignored_discover, ignored_request,
        dup_sent, late_sent;
    struct late late[MAX_LATE];
    unsigned n_late;
    uint32_t giaddrs[16];       /* distinct relay addresses seen (up to 16) */
    unsigned n_giaddrs;
} g;

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The address of this client; a new client gets the next address, shared
 * with the previous share-1 new clients. 0 when the table is full. */
static uint32_t address_of(const uint8_t mac[6])
{
    for (unsigned i = 0; i < g.n_clients; i++)
        if (memcmp(g.clients[i].mac, mac, 6) == 0)
            return g.clients[i].addr;
    if (g.n_clients >= MAX_CLIENTS)
        return 0;
    struct client *c = &g.clients[g.n_clients];
    memcpy(c->mac, mac, 6);
    c->addr = g.pool + g.n_clients / g.share;
    g.n_clients++;
    return c->addr;
}

static void put32(struct pkt4_out *o, uint8_t code, uint32_t v)
{
    uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
    (void)pkt4_out_put(o, code, b, 4);
}

static void send_reply(int fd, const struct pkt4_out *o, const struct sockaddr_in *to)
{
    if (sendto(fd, o->buf, o->len, 0, (const struct sockaddr *)to, sizeof(*to)) < 0)
        fprintf(stderr, "faulty_responder: sendto: %s\n", strerror(errno));
}

static void handle(int fd, const struct pkt4 *req, const struct sockaddr_in *from, struct pkt4_out *o)
{
    struct sockaddr_in to = *from;
    if (req->giaddr) {
        to.sin_addr.s_addr = htonl(req->giaddr);
        to.sin_port = htons(g.port);
    }
    if (req->hlen != 6)
        return;
    if (req->giaddr) {
        unsigned i = 0;
        while (i < g.n_giaddrs && g.giaddrs[i] != req->giaddr)
            i++;
        if (i == g.n_giaddrs && g.n_giaddrs < 16)
            g.giaddrs[g.n_giaddrs++] = req->giaddr;
    }

    if (req->msg_type == DHCPDISCOVER) {
        g.discovers++;
        if (g.drop_discover && g.discovers % g.drop_discover == 0) {
            g.ignored_discover++;
            return;
        }
        uint32_t a = address_of(req->chaddr);
        if (a == 0)
            return;
        pkt4_out_reply(o, req, DHCPOFFER);
        o->yiaddr = a;
        put32(o, OPT_SERVER_ID, g.addr);
        put32(o, OPT_LEASE_TIME, 3600);
        put32(o, OPT_SUBNET_MASK, 0xffffff00u);
        if (pkt4_out_finish(o, 0) < 0)
            return;
        g.offers++;
        if (g.late_offer && g.offers % g.late_offer == 0 && g.n_late < MAX_LATE) {
            struct late *l = &g.late[g.n_late++];
            l->due_ns = now_ns() + (uint64_t)g.late_ms * 1000000ull;
            l->to = to;
            l->len = o->len;
            memcpy(l->buf, o->buf, o->len);
            return;
        }
        send_reply(fd, o, &to);
        if (g.dup_offer && g.offers % g.dup_offer == 0) {
            send_reply(fd, o, &to);
            g.dup_sent++;
        }
    } else if (req->msg_type == DHCPREQUEST) {
        g.requests++;
        if (g.drop_request && g.requests % g.drop_request == 0) {
            g.ignored_request++;
            return;
        }
        uint32_t a = req->ciaddr ? req->ciaddr : address_of(req->chaddr);
        if (a == 0)
            return;
        pkt4_out_reply(o, req, DHCPACK);
        o->yiaddr = a;
        o->ciaddr = req->ciaddr;
        put32(o, OPT_SERVER_ID, g.addr);
        put32(o, OPT_LEASE_TIME, 3600);
        if (pkt4_out_finish(o, 0) < 0)
            return;
        g.acks++;
        send_reply(fd, o, &to);
    } else if (req->msg_type == DHCPRELEASE) {
        g.releases++;
    }
}

static void send_due_late(int fd, uint64_t now)
{
    unsigned kept = 0;
    for (unsigned i = 0; i < g.n_late; i++) {
        struct late *l = &g.late[i];
        if (l->due_ns <= now) {
            if (sendto(fd, l->buf, l->len, 0, (struct sockaddr *)&l->to, sizeof(l->to)) >= 0)
                g.late_sent++;
            continue;
        }
        if (kept != i)
            g.late[kept] = *l;
        kept++;
    }
    g.n_late = kept;
}

static int parse_uint(const char *s, unsigned max, unsigned *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || *s == '\0' || *end != '\0' || v > max)
        return -1;
    *out = (unsigned)v;
    return 0;
}

static int usage(void)
{
    fprintf(stderr, "usage: faulty_responder -a ADDR [-p PORT] [--pool ADDR] [--share N]\n"
                    "         [--drop-discover K] [--drop-request M] [--dup-offer D]\n"
                    "         [--late-offer L --late-ms MS] [--timeout S]\n");
    return 2;
}

int main(int argc, char **argv)
{
    static const struct option lopts[] = {
        { "pool", required_argument, NULL, 'o' },
        { "share", required_argument, NULL, 's' },
        { "drop-discover", required_argument, NULL, 'D' },
        { "drop-request", required_argument, NULL, 'R' },
        { "dup-offer", required_argument, NULL, 'u' },
        { "late-offer", required_argument, NULL, 'l' },
        { "late-ms", required_argument, NULL, 'm' },
        { "timeout", required_argument, NULL, 't' },
        { NULL, 0, NULL, 0 },
    };
    struct in_addr ia;
    unsigned port = 67;
    int c;

    g.share = 2;
    g.timeout_s = 60;
    g.late_ms = 1500;
    g.pool = 0xc6336400u + 10;    /* 198.51.100.10 */
    while ((c = getopt_long(argc, argv, "a:p:", lopts, NULL)) != -1) {
        int bad = 0;
        switch (c) {
        case 'a': bad = inet_pton(AF_INET, optarg, &ia) != 1; g.addr = ntohl(ia.s_addr); break;
        case 'p': bad = parse_uint(optarg, 65535, &port) < 0 || port == 0; break;
        case 'o': bad = inet_pton(AF_INET, optarg, &ia) != 1; g.pool = ntohl(ia.s_addr); break;
        case 's': bad = parse_uint(optarg, 1000, &g.share) < 0 || g.share == 0; break;
        case 'D': bad = parse_uint(optarg, 1000000, &g.drop_discover) < 0; break;
        case 'R': bad = parse_uint(optarg, 1000000, &g.drop_request) < 0; break;
        case 'u': bad = parse_uint(optarg, 1000000, &g.dup_offer) < 0; break;
        case 'l': bad = parse_uint(optarg, 1000000, &g.late_offer) < 0; break;
        case 'm': bad = parse_uint(optarg, 60000, &g.late_ms) < 0; break;
        case 't': bad = parse_uint(optarg, 3600, &g.timeout_s) < 0 || g.timeout_s == 0; break;
        default: bad = 1;
        }
        if (bad)
            return usage();
    }
    if (g.addr == 0 || optind != argc)
        return usage();
    g.port = (uint16_t)port;

    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    int one = 1;
    struct sockaddr_in me = { .sin_family = AF_INET, .sin_port = htons(g.port),
                              .sin_addr.s_addr = htonl(g.addr) };
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
        bind(fd, (struct sockaddr *)&me, sizeof(me)) < 0) {
        fprintf(stderr, "faulty_responder: socket/bind: %s\n", strerror(errno));
        return 1;
    }
    struct pkt4 *req = malloc(sizeof(*req));
    struct pkt4_out *out = malloc(sizeof(*out));
    uint8_t *buf = malloc(PKT4_MAX_LEN + 1);
    if (!req || !out || !buf)
        return 1;
    fprintf(stderr, "faulty_responder: ready on %s:%u\n", inet_ntoa(me.sin_addr), g.port);

    uint64_t end = now_ns() + (uint64_t)g.timeout_s * 1000000000ull;
    while (!stop && now_ns() < end) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        if (poll(&p, 1, 5) > 0) {
            struct sockaddr_in from;
            socklen_t fl = sizeof(from);
            ssize_t n = recvfrom(fd, buf, PKT4_MAX_LEN + 1, 0, (struct sockaddr *)&from, &fl);
            if (n > 0 && pkt4_parse(req, buf, (size_t)n) == PKT4_OK && req->op == BOOTREQUEST)
                handle(fd, req, &from, out);
        }
        send_due_late(fd, now_ns());
    }
    fprintf(stderr, "faulty_responder: discovers=%lu offers=%lu ignored_discover=%lu dup_offers=%lu "
                    "late_offers=%lu requests=%lu acks=%lu ignored_request=%lu releases=%lu clients=%u "
                    "giaddrs=%u\n",
            g.discovers, g.offers, g.ignored_discover, g.dup_sent, g.late_sent, g.requests, g.acks,
            g.ignored_request, g.releases, g.n_clients, g.n_giaddrs);
    close(fd);
    free(req);
    free(out);
    free(buf);
    return 0;
}
