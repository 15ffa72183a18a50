/*
 * libFuzzer target for the classification expression compiler and
 * evaluator (classify/expr.h).
 *
 * The input is an expression text, optionally followed by a NUL byte and a
 * DHCPv4 packet. The text is compiled both as a test and as a string
 * expression; a refusal must come with a message that names the column (or
 * says what is wrong with the whole text). Whatever compiles is evaluated
 * over the packet (or a fixed DISCOVER when the rest does not parse), with
 * and without class memberships. Any violation aborts.
 *
 * Build and run with tests/fuzz/run.sh.
 */
#include "classify/expr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct pkt4 pkt, fixed;
static bool have_fixed;

#define CHECK(cond)                                                     \
    do {                                                                \
        if (!(cond)) {                                                  \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__,      \
                    __LINE__, #cond);                                   \
            abort();                                                    \
        }                                                               \
    } while (0)

static const char *const classes[] = { "ALL", "KNOWN", "UNKNOWN", "a", "b" };

static int class_index(void *ctx, const char *name)
{
    (void)ctx;
    for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
        if (!strcmp(classes[i], name))
            return (int)i;
    return -1;
}

static int option_code(void *ctx, const char *name)
{
    (void)ctx;
    return !strcmp(name, "custom") ? 224 : -1;
}

static void build_fixed(void)
{
    static struct pkt4_out o;
    pkt4_out_init(&o, BOOTREQUEST);
    o.htype = 1;
    o.hlen = 6;
    o.giaddr = 0xc6336401;
    uint8_t mt = DHCPDISCOVER;
    pkt4_out_put(&o, OPT_MESSAGE_TYPE, &mt, 1);
    pkt4_out_put(&o, OPT_VENDOR_CLASS_ID, "PXEClient:Arch:00000", 20);
    static const uint8_t rai[] = { 1, 3, 'a', 'b', 'c', 2, 1, 9 };
    pkt4_out_put(&o, OPT_RELAY_AGENT_INFO, rai, sizeof(rai));
    static const uint8_t vivso[] = { 0, 0, 0x11, 0x8b, 5, 1, 3, 'x', 'y', 'z' };
    pkt4_out_put(&o, 125, vivso, sizeof(vivso));
    static const uint8_t vivco[] = { 0, 0, 0x11, 0x8b, 4, 3, 'a', 'b', 'c' };
    pkt4_out_put(&o, 124, vivco, sizeof(vivco));
    CHECK(pkt4_out_finish(&o, 1500) >= 0);
    CHECK(pkt4_parse(&fixed, o.buf, o.len) == PKT4_OK);
    have_fixed = true;
}

static void run(const struct expr *e, bool is_bool, const struct pkt4 *p)
{
    uint64_t bits[1] = { 0 };
    struct expr_input in = { .pkt = p, .iface = "eth0", .src = 1, .dst = 2, .len = p->wire_len,
                             .classes = bits, .n_class_words = 1 };
    static uint8_t buf[EXPR_EVAL_SCRATCH];
    for (int round = 0; round < 2; round++) {
        if (is_bool) {
            (void)expr_eval_bool(e, &in);
            CHECK(expr_eval_string(e, &in, buf, sizeof(buf)) == -1);
        } else {
            int n = expr_eval_string(e, &in, buf, sizeof(buf));
            CHECK(n >= -1 && n <= (int)sizeof(buf));
            CHECK(!expr_eval_bool(e, &in));
        }
        bits[0] = ~0ull;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!have_fixed)
        build_fixed();
    const uint8_t *nul = memchr(data, 0, size);
    size_t tlen = nul ? (size_t)(nul - data) : size;
    char *text = malloc(tlen + 1);
    if (!text)
        return 0;
    memcpy(text, data, tlen);
    text[tlen] = '\0';
    const struct pkt4 *p = &fixed;
    if (nul && pkt4_parse(&pkt, nul + 1, size - tlen - 1) == PKT4_OK)
        p = &pkt;

    struct expr_resolver r = { class_index, option_code, NULL };
    for (int as_bool = 0; as_bool < 2; as_bool++) {
        struct expr *e = NULL;
        char err[256];
        memset(err, 'x', sizeof(err));
        int rc = as_bool ? expr_compile(text, &r, &e, err, sizeof(err))
                         : expr_compile_string(text, &r, &e, err, sizeof(err));
        if (rc < 0) {
            CHECK(e == NULL);
            CHECK(memchr(err, 0, sizeof(err)) != NULL);
            CHECK(!strncmp(err, "column ", 7) || !strncmp(err, "the expression", 14));
            continue;
        }
        CHECK(rc == 0 && e != NULL);
        run(e, as_bool, p);
        expr_free(e);
    }
    free(text);
    return 0;
}
