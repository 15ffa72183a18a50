/*
 * Parking (Kea's ParkingLot, spec §3): a callout at leases4_committed takes a
 * reference on the packet and returns PARK; the reply waits, no worker is
 * held. The dispatcher holds one reference while the callouts run, so the
 * packet resumes exactly once: synchronously if every reference was dropped
 * before the callouts returned, else from the thread that drops the last.
 */
#include "hooks/hook_ctx.h"

#include <stdlib.h>

static size_t parked_now;   /* packets parked, all hook sets (atomic) */

size_t hooks_parked_count(void)
{
    return __atomic_load_n(&parked_now, __ATOMIC_ACQUIRE);
}

struct dora_parked *hooks_park_new(void (*resume)(void *, bool), void *arg)
{
    struct dora_parked *p = calloc(1, sizeof(*p));
    if (!p)
        return NULL;
    p->refs = 1;    /* the dispatcher's */
    p->resume = resume;
    p->arg = arg;
    __atomic_add_fetch(&parked_now, 1, __ATOMIC_ACQ_REL);
    return p;
}

static bool drop_ref(struct dora_parked *p, bool drop)
{
    if (drop)
        __atomic_store_n(&p->drop, 1, __ATOMIC_RELEASE);
    return __atomic_sub_fetch(&p->refs, 1, __ATOMIC_ACQ_REL) == 0;
}

static void finish(struct dora_parked *p)
{
    __atomic_sub_fetch(&parked_now, 1, __ATOMIC_ACQ_REL);
    free(p);
}

bool hooks_park_settle(struct dora_parked *p, bool drop, bool *dropped)
{
    if (!drop_ref(p, drop))
        return false;
    *dropped = __atomic_load_n(&p->drop, __ATOMIC_ACQUIRE);
    finish(p);
    return true;
}

struct dora_parked *dora_hook_park(struct dora_hook_ctx *ctx)
{
    if (!ctx || ctx->point != DORA_HOOK_LEASES4_COMMITTED)
        return NULL;
    if (!ctx->parked && !(ctx->parked = hooks_park_new(ctx->resume, ctx->resume_arg)))
        return NULL;
    __atomic_add_fetch(&ctx->parked->refs, 1, __ATOMIC_ACQ_REL);
    return ctx->parked;
}

void dora_hook_unpark(struct dora_parked *p, int drop)
{
    if (!p || !drop_ref(p, drop != 0))
        return;
    bool dropped = __atomic_load_n(&p->drop, __ATOMIC_ACQUIRE);
    void (*resume)(void *, bool) = p->resume;
    void *arg = p->arg;
    finish(p);
    if (resume)
        resume(arg, dropped);
}
