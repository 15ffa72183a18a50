/*
 * Kea's classification expression language (manual ch. 16.2, spec
 * kea-dhcp4.md §1.6): compiled once at config load into a small tree, then
 * evaluated per packet without any string parsing.
 *
 *   option[61].hex == 0x0102  and  not member('KNOWN')
 *   substring(option[60].hex, 0, 9) == 'PXEClient'
 *   relay4[1].hex == 'circuit-7'
 *
 * Class membership is by index: member('NAME') is resolved at compile time
 * through the caller's resolver, and at run time reads a bit set the caller
 * keeps per packet (bit i set = the packet is in class i).
 */
#ifndef DORA_CLASSIFY_EXPR_H
#define DORA_CLASSIFY_EXPR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/pkt4.h"

#ifdef __cplusplus
extern "C" {
#endif

struct expr;

#define EXPR_EVAL_SCRATCH 4096

/* Names the compiler needs resolved. */
struct expr_resolver {
    /* Index of a client class that may be referenced here, or -1 when the
     * name is unknown (the compile error then names it). */
    int (*class_index)(void *ctx, const char *name);
    /* Code of an option by name in the dhcp4 space (standard or option-def),
     * or -1. */
    int (*option_code)(void *ctx, const char *name);
    void *ctx;
};

/* What one evaluation reads: the parsed packet and its receive context. */
struct expr_input {
    const struct pkt4 *pkt;
    const char *iface;          /* receiving interface name ("" when unknown) */
    uint32_t src, dst;          /* IP source / destination, host order */
    uint32_t len;               /* packet length in bytes */
    const uint64_t *classes;    /* membership bits so far, indexed by class_index */
    size_t n_class_words;
};

/* Compile text. Returns 0 and *out, or -1 with a message in err that says
 * what is wrong and where (the column). */
int expr_compile(const char *text, const struct expr_resolver *r, struct expr **out,
                 char *err, size_t errlen);

/* Compile a string-valued expression (flex-id, hostname-expr style uses). */
int expr_compile_string(const char *text, const struct expr_resolver *r, struct expr **out,
                        char *err, size_t errlen);

/* Whether e reads member(i) for some class index i with pred(ctx, i) true
 * (used to find the classes that depend on KNOWN/UNKNOWN). */
bool expr_uses_class(const struct expr *e, bool (*pred)(void *ctx, int idx), void *ctx);

/* Evaluate a boolean expression (a class test): false when the expression
 * is not boolean-valued at the top, or when the evaluation fails (a
 * conversion given the wrong number of bytes, values too large for the
 * evaluation scratch space of EXPR_EVAL_SCRATCH bytes). */
bool expr_eval_bool(const struct expr *e, const struct expr_input *in);

/* Evaluate a string-valued expression into buf (for flex-id style uses);
 * returns the length, or -1 when it does not fit. */
int expr_eval_string(const struct expr *e, const struct expr_input *in, uint8_t *buf, size_t cap);

void expr_free(struct expr *e);

#ifdef __cplusplus
}
#endif
#endif
