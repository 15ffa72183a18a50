/*
 * libFuzzer target for the DHCPv4 wire codec (wire/pkt4.h).
 *
 * Any input that parses is answered the way the server would: a reply is
 * started from it, a few options are staged (echoed client-id and relay
 * info, server-id, lease time, and one option per requested code, some
 * longer than 255 bytes), and it is laid out under the client's maximum
 * message size. The reply must parse again, stay within the limit, and
 * give back exactly what was staged when nothing was dropped. Any
 * violation aborts, which libFuzzer reports as a crash.
 *
 * Build and run with tests/fuzz/run.sh. With FUZZ_PKT4_REQUIRE_VALID set,
 * an input that does not parse is an error too (used to vet the seeds).
 */
#include "wire/pkt4.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Large; static so each run reuses them, as the server's workers do. */
static struct pkt4 req, back;
static struct pkt4_out out;

#define CHECK(cond)                                                     \
    do {                                                                \
        if (!(cond)) {                                                  \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__,      \
                    __LINE__, #cond);                                   \
            abort();                                                    \
        }                                                               \
    } while (0)

/* The parser's own promises about a packet it accepted. */
static void check_parsed(const struct pkt4 *p, size_t size)
{
    size_t total = 0;

    CHECK(p->wire_len == size);
    CHECK(p->op == BOOTREQUEST || p->op == BOOTREPLY);
    CHECK(p->hlen <= 16);
    CHECK(p->data_len <= size);
    for (size_t i = 0; i < p->n_codes; i++) {
        uint8_t c = p->codes[i];
        size_t len;
        CHECK(pkt4_has(p, c));
        CHECK(c != OPT_PAD && c != OPT_END);
        CHECK((size_t)p->opt_off[c] + p->opt_len[c] <= p->data_len);
        CHECK(pkt4_opt(p, c, &len) != NULL && len == p->opt_len[c]);
        total += p->opt_len[c];
    }
    CHECK(total == p->data_len);
    if (pkt4_has(p, OPT_CLIENT_ID))
        CHECK(p->opt_len[OPT_CLIENT_ID] >= 2);
    if (pkt4_has(p, OPT_MESSAGE_TYPE))
        CHECK(p->opt_len[OPT_MESSAGE_TYPE] == 1);
    CHECK(p->overload <= OVERLOAD_BOTH);
}

/* Codes the parser holds to a fixed length (or treats specially): staged
 * only with a valid value, so the reply is meant to parse. */
static size_t fixed_len(uint8_t code)
{
    switch (code) {
    case OPT_SUBNET_MASK: case OPT_REQUESTED_ADDRESS: case OPT_LEASE_TIME:
    case OPT_SERVER_ID: case OPT_RENEWAL_TIME: case OPT_REBINDING_TIME:
    case OPT_SUBNET_SELECTION:
        return 4;
    case OPT_MAX_MESSAGE_SIZE:
        return 2;
    default:
        return 0;
    }
}

static void stage_requested(const struct pkt4 *p, const uint8_t *data, size_t size)
{
    size_t prl_len;
    const uint8_t *prl = pkt4_opt(p, OPT_PARAM_REQUEST_LIST, &prl_len);

    for (size_t i = 0; prl != NULL && i < prl_len; i++) {
        uint8_t code = prl[i];
        size_t len;

        /* A PRL may repeat a code; like the server, answer it once (two
         * instances of a fixed-size option would merge to a bad length). */
        if (code == OPT_PAD || code == OPT_END || code == OPT_OVERLOAD ||
            pkt4_out_has(&out, code))
            continue;
        len = fixed_len(code);
        if (len == 0)
            len = (size_t)code * 3 % 400;   /* some > 255: split on the wire */
        if (code == OPT_CLIENT_ID && len < 2)
            len = 2;
        if (len > size)
            continue;
        /* Payload bytes are taken from the input so they vary too. */
        (void)pkt4_out_put(&out, code, data + (size - len), len);
    }
}

static void check_reply(int dropped, size_t max_len)
{
    size_t limit = max_len < PKT4_DEFAULT_MAX ? PKT4_DEFAULT_MAX : max_len;
    if (limit > PKT4_MAX_LEN)
        limit = PKT4_MAX_LEN;

    CHECK(dropped >= 0);
    CHECK(out.len >= PKT4_BOOTP_MIN_LEN && out.len <= limit);
    CHECK(pkt4_parse(&back, out.buf, out.len) == PKT4_OK);
    CHECK(back.op == BOOTREPLY);
    CHECK(back.xid == req.xid);
    CHECK(memcmp(back.chaddr, req.chaddr, sizeof(back.chaddr)) == 0);
    CHECK(back.msg_type == DHCPOFFER);

    /* Each code that came back carries its staged instances, joined in
     * staging order (RFC 3396), unless some were dropped. */
    for (size_t i = 0; i < back.n_codes; i++) {
        uint8_t c = back.codes[i];
        size_t len, off = 0;
        const uint8_t *v = pkt4_opt(&back, c, &len);

        if (c == OPT_OVERLOAD)
            continue;
        CHECK(pkt4_out_has(&out, c));
        if (dropped > 0)
            continue;
        for (size_t k = 0; k < out.n_opts; k++) {
            if (out.opt_code[k] != c)
                continue;
            CHECK(off + out.opt_len[k] <= len);
            CHECK(memcmp(v + off, out.stage + out.opt_off[k], out.opt_len[k]) == 0);
            off += out.opt_len[k];
        }
        CHECK(off == len);
    }
    if (dropped == 0)
        for (size_t k = 0; k < out.n_opts; k++)
            CHECK(pkt4_has(&back, out.opt_code[k]));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t len, max_len = 0;
    const uint8_t *v;

    int rc = pkt4_parse(&req, data, size);
    if (rc != PKT4_OK) {
        /* run.sh sets this while checking that every seed is a packet. */
        if (getenv("FUZZ_PKT4_REQUIRE_VALID") != NULL) {
            fprintf(stderr, "input is not a valid packet: %s\n", pkt4_strerror(rc));
            abort();
        }
        return 0;
    }
    check_parsed(&req, size);

    pkt4_out_reply(&out, &req, DHCPOFFER);
    out.yiaddr = 0xC0000264;                       /* 192.0.2.100 */
    /* Let the input decide whether file/sname are free for overload. */
    if (data[size - 1] & 1)
        memcpy(out.file, "pxelinux.0", sizeof("pxelinux.0"));
    if (data[size - 1] & 2)
        memcpy(out.sname, "boot.example", sizeof("boot.example"));

    static const uint8_t server_id[4] = {192, 0, 2, 1};
    static const uint8_t lease[4] = {0, 0, 0x0e, 0x10};
    (void)pkt4_out_put(&out, OPT_SERVER_ID, server_id, 4);
    (void)pkt4_out_put(&out, OPT_LEASE_TIME, lease, 4);
    if ((v = pkt4_opt(&req, OPT_CLIENT_ID, &len)) != NULL)
        (void)pkt4_out_put(&out, OPT_CLIENT_ID, v, len);
    stage_requested(&req, data, size);
    /* RFC 3046 §2.2: relay information is echoed last. */
    if ((v = pkt4_opt(&req, OPT_RELAY_AGENT_INFO, &len)) != NULL)
        (void)pkt4_out_put(&out, OPT_RELAY_AGENT_INFO, v, len);

    if ((v = pkt4_opt(&req, OPT_MAX_MESSAGE_SIZE, &len)) != NULL)
        max_len = (size_t)v[0] << 8 | v[1];

    int dropped = pkt4_out_finish(&out, max_len);
    check_reply(dropped, max_len);

    /* Walk the relay info too: tlv_find must cope with anything. */
    (void)pkt4_rai_sub(&req, RAI_CIRCUIT_ID, &len);
    (void)pkt4_rai_sub(&req, RAI_RELAY_PORT, &len);
    return 0;
}
