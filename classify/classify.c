/* Per-packet classification; see classify.h. */
#include "classify/classify.h"

#include <string.h>

static void add(struct class_state *st, unsigned idx)
{
    if (class_member(st->bits, idx))
        return;
    st->bits[idx / 64] |= 1ull << (idx % 64);
    st->order[st->n_order++] = (uint16_t)idx;
}

/* VENDOR_CLASS_<option 60 content> when the config names such a class. */
static void add_vendor_class(struct class_state *st, const struct cfg4 *cfg, const struct pkt4 *req)
{
    size_t len;
    const uint8_t *v = pkt4_opt(req, OPT_VENDOR_CLASS_ID, &len);
    if (!v)
        return;
    for (size_t i = CLASS_BUILTINS; i < cfg->n_classes; i++) {
        const char *n = cfg->classes[i].name;
        if (!strncmp(n, "VENDOR_CLASS_", 13) && strlen(n + 13) == len && !memcmp(n + 13, v, len)) {
            add(st, (unsigned)i);
            return;
        }
    }
}

/* One evaluation pass over the defined classes in config order (a name
 * may have got its index earlier, from an option's client-classes). */
static void evaluate(struct class_state *st, const struct cfg4 *cfg, bool known_phase)
{
    for (size_t k = 0; k < cfg->n_class_defs; k++) {
        unsigned i = cfg->class_defs[k];
        const struct cfg_class *c = &cfg->classes[i];
        if (!c->test || c->additional || c->depends_known != known_phase)
            continue;
        if (expr_eval_bool(c->test, &st->in))
            add(st, i);
    }
}

void classify_begin(struct class_state *st, const struct cfg4 *cfg, const struct pkt4 *req,
                    const char *iface, uint32_t src, uint32_t dst, uint32_t len)
{
    size_t words = (cfg->n_classes + 63) / 64;
    memset(st->bits, 0, words * sizeof(st->bits[0]));
    st->n_order = 0;
    st->in = (struct expr_input){
        .pkt = req, .iface = iface ? iface : "", .src = src, .dst = dst, .len = len,
        .classes = st->bits, .n_class_words = words,
    };
    add(st, CLASS_ALL);
    if (cfg->class_vendor)
        add_vendor_class(st, cfg, req);
    if (!req->msg_type)
        add(st, CLASS_BOOTP);
    evaluate(st, cfg, false);
}

void classify_host(struct class_state *st, const struct cfg4 *cfg, const struct cfg_host *host)
{
    if (host)
        for (uint16_t i = 0; i < host->classes.n; i++)
            add(st, host->classes.idx[i]);
    add(st, host ? CLASS_KNOWN : CLASS_UNKNOWN);
    evaluate(st, cfg, true);
}

void classify_additional(struct class_state *st, const struct cfg4 *cfg, const struct class_guard *list)
{
    for (uint16_t i = 0; i < list->n; i++) {
        unsigned idx = list->idx[i];
        const struct cfg_class *c = &cfg->classes[idx];
        if (class_member(st->bits, idx) || !c->defined)
            continue;
        if (!c->test || expr_eval_bool(c->test, &st->in))
            add(st, idx);
    }
}

const struct cfg_class *classify_first_with(const struct class_state *st, const struct cfg4 *cfg,
                                            enum class_field f)
{
    for (uint16_t i = 0; i < st->n_order; i++) {
        const struct cfg_class *c = &cfg->classes[st->order[i]];
        bool has = f == CLASS_F_NEXT_SERVER ? c->has_next_server
                 : f == CLASS_F_SNAME ? c->server_hostname != NULL
                 : f == CLASS_F_FILE ? c->boot_file_name != NULL
                 : c->has_valid;
        if (has)
            return c;
    }
    return NULL;
}

size_t classify_options(const struct class_state *st, const struct cfg4 *cfg,
                        const struct cfg_options **v, size_t cap)
{
    size_t n = 0;
    for (uint16_t i = 0; i < st->n_order && n < cap; i++) {
        const struct cfg_class *c = &cfg->classes[st->order[i]];
        if (c->options.n)
            v[n++] = &c->options;
    }
    return n;
}
