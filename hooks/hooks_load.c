/*
 * Loading hook libraries (Kea's LibraryManager): dlopen with RTLD_NOW |
 * RTLD_LOCAL, one descriptor symbol, its ABI version first, multi-threading
 * compatibility, then load(parameters). Every refusal names the library's
 * place in the config and the file.
 */
#include "hooks/hook_ctx.h"

#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/log.h"

static int fail(char *err, size_t errlen, size_t i, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errlen, size_t i, const char *fmt, ...)
{
    va_list ap;
    int n = snprintf(err, errlen, "Dhcp4.hooks-libraries[%zu]: ", i);
    if (n >= 0 && (size_t)n < errlen) {
        va_start(ap, fmt);
        vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* dlopen and the descriptor checks; on success lib->dl and lib->desc. */
static int open_lib(const struct cfg4 *cfg, size_t i, struct hook_lib *lib, char *err,
                    size_t errlen)
{
    const char *path = cfg->hook_libs[i].library;
    void *dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!dl)
        return fail(err, errlen, i, "cannot load hook library %s: %s", path, dlerror());
    const struct dora_hook_library *d = dlsym(dl, DORA_HOOK_LIBRARY_SYMBOL);
    if (!d) {
        dlclose(dl);
        return fail(err, errlen, i, "%s is not a dora hook library (no symbol %s)", path,
                    DORA_HOOK_LIBRARY_SYMBOL);
    }
    if (d->abi_version != DORA_HOOKS_ABI_VERSION) {
        unsigned v = d->abi_version;
        dlclose(dl);
        return fail(err, errlen, i, "hook library %s has ABI version %u, this dorad needs ABI "
                    "version %u", path, v, (unsigned)DORA_HOOKS_ABI_VERSION);
    }
    if (cfg->mt.enable && !d->multi_threading_compatible) {
        dlclose(dl);
        /* Kea's HOOKS_LIBRARY_MULTI_THREADING_NOT_COMPATIBLE wording. */
        return fail(err, errlen, i, "hooks library %s is not compatible with multi threading. "
                    "Please disable multi threading and restart the server", path);
    }
    for (const struct dora_hook_callout *c = d->callouts; c && c->fn; c++)
        if ((unsigned)c->point >= DORA_HOOK_POINTS) {
            dlclose(dl);
            return fail(err, errlen, i, "hook library %s registers unknown hook point %u", path,
                        (unsigned)c->point);
        }
    lib->dl = dl;
    lib->desc = d;
    return 0;
}

int hooks_validate(const struct cfg4 *cfg, char *err, size_t errlen)
{
    for (size_t i = 0; i < cfg->n_hook_libs; i++) {
        struct hook_lib lib;
        if (open_lib(cfg, i, &lib, err, errlen) < 0)
            return -1;
        dlclose(lib.dl);
    }
    return 0;
}

static void free_set(struct hooks_set *h)
{
    for (size_t i = h->n_libs; i-- > 0;) {
        struct hook_lib *lib = &h->libs[i];
        if (lib->loaded && lib->desc->unload)
            lib->desc->unload(lib->user);
        hooks_params_fini(&lib->params);
        if (lib->dl)
            dlclose(lib->dl);
    }
    for (int p = 0; p < DORA_HOOK_POINTS; p++)
        free(h->callouts[p]);
    free(h->libs);
    free(h);
}

/* Append lib's callouts to the per-point tables (config order). */
static int register_callouts(struct hooks_set *h, struct hook_lib *lib)
{
    for (const struct dora_hook_callout *c = lib->desc->callouts; c && c->fn; c++) {
        size_t n = h->n_callouts[c->point];
        struct hook_callout *v = realloc(h->callouts[c->point], (n + 1) * sizeof(*v));
        if (!v)
            return -1;
        v[n].fn = c->fn;
        v[n].user = lib->user;
        h->callouts[c->point] = v;
        h->n_callouts[c->point] = n + 1;
        h->mask |= 1u << c->point;
    }
    return 0;
}

int hooks_load(const struct cfg4 *cfg, struct hooks_set **out, char *err, size_t errlen)
{
    *out = NULL;
    if (!cfg->n_hook_libs)
        return 0;
    struct hooks_set *h = calloc(1, sizeof(*h));
    if (!h || !(h->libs = calloc(cfg->n_hook_libs, sizeof(*h->libs)))) {
        free(h);
        return fail(err, errlen, 0, "out of memory");
    }
    h->refs = 1;
    h->parked_limit = cfg->parked_packet_limit;
    for (size_t i = 0; i < cfg->n_hook_libs; i++) {
        struct hook_lib *lib = &h->libs[i];
        h->n_libs = i + 1;
        if (open_lib(cfg, i, lib, err, errlen) < 0)
            goto bad;
        if (hooks_params_init(&lib->params, cfg->hook_libs[i].params_json) < 0) {
            fail(err, errlen, i, "parameters: not a map");
            goto bad;
        }
        char why[512] = "";
        if (lib->desc->load &&
            lib->desc->load(&lib->params, &lib->user, why, sizeof(why)) != 0) {
            fail(err, errlen, i, "hook library %s failed to load: %s",
                 cfg->hook_libs[i].library, why[0] ? why : "load() returned an error");
            goto bad;
        }
        lib->loaded = true;
        if (register_callouts(h, lib) < 0) {
            fail(err, errlen, i, "out of memory");
            goto bad;
        }
        LOG_INFO("HOOKS_LIBRARY_LOADED", "hook library %s (%s) loaded",
                 cfg->hook_libs[i].library, lib->desc->name ? lib->desc->name : "?");
    }
    *out = h;
    return 0;
bad:
    free_set(h);
    return -1;
}

void hooks_acquire(struct hooks_set *h)
{
    if (h)
        __atomic_add_fetch(&h->refs, 1, __ATOMIC_RELAXED);
}

void hooks_release(struct hooks_set *h)
{
    if (h && __atomic_sub_fetch(&h->refs, 1, __ATOMIC_ACQ_REL) == 0)
        free_set(h);
}
