/*
 * DHCPv4 wire codec (RFC 2131, RFC 2132, RFC 3396): one place that reads a
 * packet off the wire and one place that writes one. Pure functions over byte
 * buffers, shared by dorad, dora-perf and the tests.
 *
 * Byte order: every integer field of struct pkt4 / struct pkt4_out is in HOST
 * order (addresses included); option payloads are raw wire bytes.
 */
#ifndef DORA_WIRE_PKT4_H
#define DORA_WIRE_PKT4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PKT4_HDR_LEN        236   /* BOOTP fixed header, up to the magic cookie */
#define PKT4_MIN_LEN        240   /* header + magic cookie */
#define PKT4_BOOTP_MIN_LEN  300   /* RFC 951/1542: replies are padded to this */
#define PKT4_DEFAULT_MAX    576   /* RFC 2131: max message size when 57 absent */
#define PKT4_MAX_LEN        8192  /* larger datagrams are dropped */
#define PKT4_MAGIC_COOKIE   0x63825363u
#define PKT4_FLAG_BROADCAST 0x8000u

enum bootp_op { BOOTREQUEST = 1, BOOTREPLY = 2 };

enum dhcp4_msg_type {
    DHCPDISCOVER = 1, DHCPOFFER = 2, DHCPREQUEST = 3, DHCPDECLINE = 4,
    DHCPACK = 5, DHCPNAK = 6, DHCPRELEASE = 7, DHCPINFORM = 8,
    DHCP_MSG_TYPE_MAX = 18 /* RFC 6926 etc.; > this is "unknown" */
};

/* Option codes the codec and the server treat specially. */
enum dhcp4_opt_code {
    OPT_PAD = 0, OPT_SUBNET_MASK = 1, OPT_ROUTERS = 3, OPT_DNS_SERVERS = 6,
    OPT_HOST_NAME = 12, OPT_DOMAIN_NAME = 15, OPT_VENDOR_SPECIFIC = 43,
    OPT_REQUESTED_ADDRESS = 50, OPT_LEASE_TIME = 51, OPT_OVERLOAD = 52,
    OPT_MESSAGE_TYPE = 53, OPT_SERVER_ID = 54, OPT_PARAM_REQUEST_LIST = 55,
    OPT_MESSAGE = 56, OPT_MAX_MESSAGE_SIZE = 57, OPT_RENEWAL_TIME = 58,
    OPT_REBINDING_TIME = 59, OPT_VENDOR_CLASS_ID = 60, OPT_CLIENT_ID = 61,
    OPT_TFTP_SERVER_NAME = 66, OPT_BOOT_FILE_NAME = 67, OPT_FQDN = 81,
    OPT_RELAY_AGENT_INFO = 82, OPT_SUBNET_SELECTION = 118, OPT_VIVCO = 124,
    OPT_VIVSO = 125, OPT_END = 255
};

/* Relay agent information (82) sub-options (RFC 3046, 3527, 5107, 8357). */
enum rai_subopt {
    RAI_CIRCUIT_ID = 1, RAI_REMOTE_ID = 2, RAI_LINK_SELECTION = 5,
    RAI_SUBSCRIBER_ID = 6, RAI_SERVER_ID_OVERRIDE = 11, RAI_RELAY_PORT = 19
};

/* Overload (52) values. */
enum { OVERLOAD_FILE = 1, OVERLOAD_SNAME = 2, OVERLOAD_BOTH = 3 };

/* A parsed packet. Options are stored merged (RFC 3396: every instance of a
 * code concatenated, in the order options field, file, sname). */
struct pkt4 {
    uint8_t  op, htype, hlen, hops;
    uint32_t xid;
    uint16_t secs, flags;
    uint32_t ciaddr, yiaddr, siaddr, giaddr;
    uint8_t  chaddr[16];
    uint8_t  sname[64];   /* raw field; meaningful only if !(overload & SNAME) */
    uint8_t  file[128];   /* raw field; meaningful only if !(overload & FILE) */
    uint8_t  overload;    /* option 52 value, 0 when absent */
    uint8_t  msg_type;    /* option 53 value, 0 when absent (BOOTP) */
    uint16_t wire_len;    /* length of the datagram that was parsed */

    uint16_t n_codes;         /* distinct option codes present */
    uint8_t  codes[256];      /* those codes, in order of first appearance */
    uint8_t  present[32];     /* bitmap by code */
    uint16_t opt_off[256];    /* offset of the merged value in data[] */
    uint16_t opt_len[256];    /* merged length (may exceed 255) */
    uint16_t data_len;
    uint8_t  data[PKT4_MAX_LEN];
};

/* Parse results: 0 or one of these (negative). */
enum pkt4_err {
    PKT4_OK = 0,
    PKT4_E_TRUNCATED = -1,    /* shorter than header + cookie */
    PKT4_E_TOO_LONG = -2,     /* longer than PKT4_MAX_LEN */
    PKT4_E_COOKIE = -3,       /* magic cookie missing */
    PKT4_E_OPT_OVERRUN = -4,  /* an option's length runs past its field */
    PKT4_E_NO_END = -5,       /* options field without the end option */
    PKT4_E_OVERLOAD = -6,     /* bad option 52 (length, value, or inside file/sname) */
    PKT4_E_BAD_OPT_LEN = -7,  /* fixed-size option with the wrong length */
    PKT4_E_CLIENT_ID = -8,    /* client identifier shorter than 2 bytes */
    PKT4_E_HLEN = -9,         /* hlen > 16 */
    PKT4_E_BAD_OP = -10,      /* op is neither BOOTREQUEST nor BOOTREPLY */
};

/* Stable short reason for logs and drop counters, e.g. "option-overrun". */
const char *pkt4_strerror(int err);

/* Parse len bytes into *p. Returns PKT4_OK or a negative enum pkt4_err; on
 * error *p is unspecified and must not be used. Never reads outside buf. */
int pkt4_parse(struct pkt4 *p, const uint8_t *buf, size_t len);

static inline bool pkt4_has(const struct pkt4 *p, uint8_t code)
{
    return (p->present[code >> 3] >> (code & 7)) & 1;
}

/* Merged value of option code, or NULL when absent (*len set to 0). */
const uint8_t *pkt4_opt(const struct pkt4 *p, uint8_t code, size_t *len);

/* Sub-option sub of option 82 (relay agent information), or NULL. */
const uint8_t *pkt4_rai_sub(const struct pkt4 *p, uint8_t sub, size_t *len);

/* Walk the sub-options of a TLV-encoded buffer (82, 43, ...). Returns the
 * value of sub-option code in buf, or NULL (also when buf is malformed). */
const uint8_t *tlv_find(const uint8_t *buf, size_t len, uint8_t code, size_t *out_len);

/* ---- Building ---------------------------------------------------------- */

#define PKT4_OUT_MAX_OPTS 256

/* An outgoing packet. Set the header fields, add options with pkt4_out_put()
 * (in the order they should appear), then pkt4_out_finish() lays them out:
 * options field first, then file and sname via overload (52) if the options
 * do not fit and those fields are unused, long options split per RFC 3396,
 * end option, pad to 300 bytes. */
struct pkt4_out {
    uint8_t  op, htype, hlen, hops;
    uint32_t xid;
    uint16_t secs, flags;
    uint32_t ciaddr, yiaddr, siaddr, giaddr;
    uint8_t  chaddr[16];
    char     sname[64];   /* NUL-terminated unless 64 chars long */
    char     file[128];

    /* staged options */
    uint16_t n_opts;
    uint8_t  opt_code[PKT4_OUT_MAX_OPTS];
    uint16_t opt_off[PKT4_OUT_MAX_OPTS];
    uint16_t opt_len[PKT4_OUT_MAX_OPTS];
    uint8_t  present[32];
    uint16_t stage_len;
    uint8_t  stage[PKT4_MAX_LEN];

    /* result of pkt4_out_finish() */
    size_t   len;
    uint8_t  buf[PKT4_MAX_LEN];
};

/* Zero the packet and set op. */
void pkt4_out_init(struct pkt4_out *o, uint8_t op);

/* Start a reply to req: op = BOOTREPLY, htype/hlen/chaddr/xid/flags/giaddr/hops
 * copied, option 53 = msg_type staged first. */
void pkt4_out_reply(struct pkt4_out *o, const struct pkt4 *req, uint8_t msg_type);

/* Stage an option (any length up to the staging space; long values are split
 * into several instances at finish). Returns 0, or -1 when the staging area is
 * full or code is PAD/END. Staging the same code twice appends a second
 * instance (its bytes are concatenated by the receiver, RFC 3396). */
int pkt4_out_put(struct pkt4_out *o, uint8_t code, const void *data, size_t len);

/* Unstage every instance of code (its bytes stay unused in the staging
 * area). Returns the number of instances removed. */
int pkt4_out_drop(struct pkt4_out *o, uint8_t code);

static inline bool pkt4_out_has(const struct pkt4_out *o, uint8_t code)
{
    return (o->present[code >> 3] >> (code & 7)) & 1;
}

/* Lay the packet out into o->buf/o->len, honouring max_len (the client's
 * option 57, at least 576; 0 means 576). Options that fit nowhere are left
 * out, last staged first dropped; returns the number of options dropped (0
 * when all fit) or -1 on an internal error. */
int pkt4_out_finish(struct pkt4_out *o, size_t max_len);

#ifdef __cplusplus
}
#endif
#endif
