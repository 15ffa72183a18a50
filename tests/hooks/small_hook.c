/*
 * A minimal hook library for the loader's refusal tests: built once with a
 * foreign ABI version (-DDORA_HOOKS_ABI_VERSION=99) and once declaring
 * itself not multi-threading compatible (-DSMALL_HOOK_MT=0). Its load()
 * must never run in either case.
 */
#include <dora/hooks.h>

#ifndef SMALL_HOOK_MT
#define SMALL_HOOK_MT 1
#endif

static int load(const struct dora_hook_params *params, void **user, char *err, size_t errlen)
{
    (void)params; (void)user; (void)err; (void)errlen;
    __builtin_trap();   /* reaching this is the bug the tests look for */
}

DORA_HOOK_LIBRARY(.name = "dora-small-hook", .multi_threading_compatible = SMALL_HOOK_MT,
                  .load = load, .callouts = 0);
