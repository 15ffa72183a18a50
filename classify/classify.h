/*
 * Per-packet classification (ARM §16.1.1, spec §3.4), in Kea's order:
 *
 *   classify_begin      ALL, VENDOR_CLASS_<option 60>, BOOTP, then the tests
 *                       that do not depend on KNOWN/UNKNOWN (config order)
 *   (DROP check, subnet selection with guards, host reservation lookup)
 *   classify_host       the reservation's classes, KNOWN or UNKNOWN, then the
 *                       tests that depend on them
 *   (DROP check, allocation with pool guards)
 *   classify_additional the evaluate-additional-classes lists: pool, subnet
 *
 * Only called when the config has classes (cfg4.n_classes > 0); otherwise
 * the packet path does not touch any of this.
 */
#ifndef DORA_CLASSIFY_CLASSIFY_H
#define DORA_CLASSIFY_CLASSIFY_H

#include "classify/expr.h"
#include "server/cfg.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One packet's classes. Kept in the worker and reused, never allocated. */
struct class_state {
    uint64_t bits[CLASS_WORDS];    /* membership by class index */
    uint16_t order[CLASS_MAX];     /* classes in the order they were assigned */
    uint16_t n_order;
    struct expr_input in;
};

/* Start classifying req (received on iface, from src to dst, len bytes). */
void classify_begin(struct class_state *st, const struct cfg4 *cfg, const struct pkt4 *req,
                    const char *iface, uint32_t src, uint32_t dst, uint32_t len);

/* After the host lookup: host (may be NULL) makes the packet KNOWN and adds
 * its classes, else UNKNOWN; then the KNOWN-dependent tests. */
void classify_host(struct class_state *st, const struct cfg4 *cfg, const struct cfg_host *host);

/* Evaluate the classes of an additional list (a class without a test
 * joins unconditionally). */
void classify_additional(struct class_state *st, const struct cfg4 *cfg, const struct class_guard *list);

/* Whether the packet is in the DROP class. */
static inline bool classify_drop(const struct class_state *st, const struct cfg4 *cfg)
{
    return cfg->class_drop >= 0 && class_member(st->bits, (unsigned)cfg->class_drop);
}

/* The first of the packet's classes (in assignment order) that sets
 * next-server / server-hostname / boot-file-name / valid-lifetime, or NULL. */
enum class_field { CLASS_F_NEXT_SERVER, CLASS_F_SNAME, CLASS_F_FILE, CLASS_F_LIFETIME };
const struct cfg_class *classify_first_with(const struct class_state *st, const struct cfg4 *cfg,
                                            enum class_field f);

/* Append the option-data lists of the packet's classes, in assignment
 * order, to v (at most cap); returns the number appended. */
size_t classify_options(const struct class_state *st, const struct cfg4 *cfg,
                        const struct cfg_options **v, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
