/*
 * A backend module built with another ABI version (the build sets
 * BE_MODULE_ABI_VERSION=999): the loader must refuse it without calling it.
 */
#include <stddef.h>

#include "backends/module.h"

static int never_open(const struct be_db_params *p, struct lease_store **out,
                      char *err, size_t errlen)
{
    (void)p; (void)out; (void)err; (void)errlen;
    __builtin_trap();   /* reaching this is the bug the test looks for */
}

BE_MODULE_DECLARE(
    .abi_version = BE_MODULE_ABI_VERSION,
    .name = "mysql",
    .description = "test module with a foreign ABI version",
    .lease_open = never_open,
);
