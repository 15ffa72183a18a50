/*
 * Ethernet II / IPv4 / UDP framing for the raw socket path: building the
 * frames dorad sends to clients that have no address yet, and validating the
 * frames an AF_PACKET socket hands us before the DHCP payload is looked at.
 *
 * Pure functions over byte buffers; nothing here touches a socket. Every
 * header field read from the frame is checked against the bytes actually
 * present before it is used.
 */
#include <string.h>

#include "server/io.h"
#include "server/io_priv.h"

#define ETHERTYPE_IPV4  0x0800
#define ETHERTYPE_VLAN  0x8100
#define IPPROTO_UDP_NUM 17
#define IP_TTL_DEFAULT  64
#define IP_FLAG_MF      0x2000
#define IP_FRAG_OFFSET  0x1fff

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
           ((uint32_t)p[2] << 8) | p[3];
}

static void wr16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void wr32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* RFC 1071 one's complement sum, not yet folded; an odd trailing byte is
 * padded with zero. The accumulator is 64-bit so any frame we handle cannot
 * overflow it before folding. */
static uint64_t csum_add(uint64_t sum, const uint8_t *p, size_t len)
{
    while (len >= 2) {
        sum += rd16(p);
        p += 2;
        len -= 2;
    }
    if (len)
        sum += (uint32_t)p[0] << 8;
    return sum;
}

static uint16_t csum_fold(uint64_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)sum;
}

/* Sum of the UDP pseudo-header (RFC 768): addresses, protocol, UDP length. */
static uint64_t udp_pseudo_sum(uint32_t src, uint32_t dst, uint16_t udp_len)
{
    return (uint64_t)(src >> 16) + (src & 0xffff) +
           (dst >> 16) + (dst & 0xffff) + IPPROTO_UDP_NUM + udp_len;
}

int frame_build(uint8_t *out, size_t cap,
                const uint8_t src_mac[6], const uint8_t dst_mac[6],
                uint32_t src_ip, uint32_t dst_ip,
                uint16_t src_port, uint16_t dst_port,
                const uint8_t *payload, size_t len)
{
    const size_t hdrs = ETH_HDR_LEN + IPV4_HDR_MIN + UDP_HDR_LEN;

    /* The IPv4 total length field is 16 bits. */
    if (!out || (len && !payload) || len > 0xffff - IPV4_HDR_MIN - UDP_HDR_LEN ||
        cap < hdrs || len > cap - hdrs)
        return -1;

    uint8_t *eth = out;
    memcpy(eth, dst_mac, 6);
    memcpy(eth + 6, src_mac, 6);
    wr16(eth + 12, ETHERTYPE_IPV4);

    uint8_t *ip = eth + ETH_HDR_LEN;
    uint16_t ip_len = (uint16_t)(IPV4_HDR_MIN + UDP_HDR_LEN + len);
    ip[0] = 0x45;                   /* version 4, IHL 5: no options */
    ip[1] = 0;                      /* TOS */
    wr16(ip + 2, ip_len);
    wr16(ip + 4, 0);                /* identification: never fragmented */
    wr16(ip + 6, 0);                /* flags, fragment offset */
    ip[8] = IP_TTL_DEFAULT;
    ip[9] = IPPROTO_UDP_NUM;
    wr16(ip + 10, 0);
    wr32(ip + 12, src_ip);
    wr32(ip + 16, dst_ip);
    wr16(ip + 10, (uint16_t)~csum_fold(csum_add(0, ip, IPV4_HDR_MIN)));

    uint8_t *udp = ip + IPV4_HDR_MIN;
    uint16_t udp_len = (uint16_t)(UDP_HDR_LEN + len);
    wr16(udp, src_port);
    wr16(udp + 2, dst_port);
    wr16(udp + 4, udp_len);
    wr16(udp + 6, 0);
    if (len)
        memcpy(udp + UDP_HDR_LEN, payload, len);
    uint64_t sum = udp_pseudo_sum(src_ip, dst_ip, udp_len);
    uint16_t ck = (uint16_t)~csum_fold(csum_add(sum, udp, udp_len));
    /* RFC 768: a computed zero is sent as all ones; zero means "none". */
    wr16(udp + 6, ck ? ck : 0xffff);

    return (int)(hdrs + len);
}

int frame_parse_opt(const uint8_t *frame, size_t len, struct rx_pkt *out,
                    bool check_udp_csum)
{
    if (!frame || !out || len < ETH_HDR_LEN)
        return -1;

    size_t off = 12;
    uint16_t ethertype = rd16(frame + off);
    off += 2;
    /* One 802.1Q tag is tolerated (the kernel usually strips it already). */
    if (ethertype == ETHERTYPE_VLAN) {
        if (len < ETH_HDR_LEN + VLAN_TAG_LEN)
            return -1;
        ethertype = rd16(frame + off + 2);
        off += VLAN_TAG_LEN;
    }
    if (ethertype != ETHERTYPE_IPV4)
        return -1;

    const uint8_t *ip = frame + off;
    size_t avail = len - off;
    if (avail < IPV4_HDR_MIN || (ip[0] >> 4) != 4)
        return -1;
    size_t ihl = (size_t)(ip[0] & 0x0f) * 4;
    if (ihl < IPV4_HDR_MIN || ihl > avail)
        return -1;
    /* Ethernet pads short frames, so the frame may be longer than the
     * datagram but never shorter. */
    size_t ip_len = rd16(ip + 2);
    if (ip_len < ihl + UDP_HDR_LEN || ip_len > avail)
        return -1;
    /* Fragments are never reassembled here: a DHCP message that needs them
     * is not one we answer. */
    if (rd16(ip + 6) & (IP_FLAG_MF | IP_FRAG_OFFSET))
        return -1;
    if (ip[9] != IPPROTO_UDP_NUM)
        return -1;
    /* RFC 1071: the sum over a header with a correct checksum is all ones. */
    if (csum_fold(csum_add(0, ip, ihl)) != 0xffff)
        return -1;

    const uint8_t *udp = ip + ihl;
    size_t udp_len = rd16(udp + 4);
    if (udp_len != ip_len - ihl)
        return -1;
    size_t plen = udp_len - UDP_HDR_LEN;
    if (plen > PKT4_MAX_LEN)
        return -1;

    uint32_t src_ip = rd32(ip + 12), dst_ip = rd32(ip + 16);
    if (check_udp_csum && rd16(udp + 6) != 0) {
        uint64_t sum = udp_pseudo_sum(src_ip, dst_ip, (uint16_t)udp_len);
        if (csum_fold(csum_add(sum, udp, udp_len)) != 0xffff)
            return -1;
    }

    static const uint8_t bcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    memcpy(out->src_mac, frame + 6, 6);
    out->src_ip = src_ip;
    out->dst_ip = dst_ip;
    out->src_port = rd16(udp);
    out->dst_port = rd16(udp + 2);
    out->dst_broadcast = dst_ip == 0xffffffffu || memcmp(frame, bcast_mac, 6) == 0;
    out->len = (uint16_t)plen;
    memcpy(out->data, udp + UDP_HDR_LEN, plen);
    return 0;
}

int frame_parse(const uint8_t *frame, size_t len, struct rx_pkt *out)
{
    return frame_parse_opt(frame, len, out, true);
}
