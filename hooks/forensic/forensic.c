/*
 * dora_forensic.so callouts (see forensic.h): leases4_committed logs the
 * assigned or renewed lease of a REQUEST, lease4_release and lease4_decline
 * the lease given up. Kea's legal_log hook points and sentence shapes.
 */
#include "hooks/forensic/forensic.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hooks/lib_util.h"

struct forensic {
    struct fl_file file;
    char ts_format[64];
};

/* "1 days 2 hrs 3 mins 4 secs", Kea's duration wording. */
static void fmt_duration(uint32_t s, char *out, size_t cap)
{
    if (s == 0xffffffffu) {
        snprintf(out, cap, "infinite duration");
        return;
    }
    uint32_t d = s / 86400, h = s / 3600 % 24, m = s / 60 % 60, sec = s % 60;
    if (d)
        snprintf(out, cap, "%u days %u hrs %u mins %u secs", d, h, m, sec);
    else if (h)
        snprintf(out, cap, "%u hrs %u mins %u secs", h, m, sec);
    else if (m)
        snprintf(out, cap, "%u mins %u secs", m, sec);
    else
        snprintf(out, cap, "%u secs", sec);
}

/* Relay information from the query: giaddr, option 82 circuit-id / remote-id. */
static size_t relay_info(struct dora_hook_ctx *ctx, char *out, size_t cap)
{
    char ip[16], hex[256];
    uint32_t gi = dora_pkt_addr(ctx, DORA_PKT_QUERY, DORA_GIADDR);
    size_t k = 0;
    out[0] = '\0';
    if (!gi)
        return 0;
    lib_fmt_ip(gi, ip);
    k += (size_t)snprintf(out + k, cap - k, " connected via relay at address: %s", ip);
    size_t len;
    const uint8_t *rai = dora_pkt_option(ctx, DORA_PKT_QUERY, 82, &len);
    const char *sep = ", identified by ";
    for (size_t i = 0; rai && i + 2 <= len && k < cap;) {
        uint8_t code = rai[i], sl = rai[i + 1];
        if (i + 2 + sl > len)
            break;
        if (code == 1 || code == 2) {
            lib_fmt_hex(rai + i + 2, sl, hex, sizeof(hex));
            k += (size_t)snprintf(out + k, cap - k, "%s%s: %s", sep,
                                  code == 1 ? "circuit-id" : "remote-id", hex);
            sep = " and ";
        }
        i += 2 + (size_t)sl;
    }
    return k;
}

static void log_lease(struct dora_hook_ctx *ctx, const struct dora_lease4 *l, const char *what,
                      bool with_duration)
{
    struct forensic *f = dora_hook_user(ctx);
    char ip[16], hw[64], cid[800], dur[64] = "", relay[1024], ts[64], line[2048];
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(ts, sizeof(ts), f->ts_format, &tm);
    lib_fmt_ip(l->addr, ip);
    lib_fmt_hex(l->hwaddr, l->hwaddr_len, hw, sizeof(hw));
    if (with_duration) {
        char d[48];
        fmt_duration(l->valid_lft, d, sizeof(d));
        snprintf(dur, sizeof(dur), " for %s", d);
    }
    cid[0] = '\0';
    if (l->client_id_len) {
        char hex[780];
        lib_fmt_hex(l->client_id, l->client_id_len, hex, sizeof(hex));
        snprintf(cid, sizeof(cid), ", client-id: %s", hex);
    }
    relay_info(ctx, relay, sizeof(relay));
    snprintf(line, sizeof(line),
             "%s Address: %s has been %s%s to a device with hardware address: hwtype=%u %s%s%s",
             ts, ip, what, dur, dora_pkt_htype(ctx, DORA_PKT_QUERY), hw, cid, relay);
    if (fl_file_write(&f->file, now, line) < 0)
        dora_hook_log(DORA_HOOK_LOG_ERROR, "LEGAL_LOG_WRITE_FAIL", "cannot write %s",
                      f->file.name);
}

static enum dora_hook_status committed(struct dora_hook_ctx *ctx)
{
    struct dora_lease4 l;
    if (dora_pkt_msg_type(ctx, DORA_PKT_QUERY) != 3 /* DHCPREQUEST */ ||
        dora_hook_leases_at(ctx, 0, 0, &l) != 0)
        return DORA_HOOK_CONTINUE;
    /* A client in RENEWING/REBINDING names its address in ciaddr. */
    bool renew = dora_pkt_addr(ctx, DORA_PKT_QUERY, DORA_CIADDR) == l.addr;
    log_lease(ctx, &l, renew ? "renewed" : "assigned", true);
    return DORA_HOOK_CONTINUE;
}

static enum dora_hook_status released(struct dora_hook_ctx *ctx)
{
    struct dora_lease4 l;
    if (dora_hook_lease(ctx, &l) == 0)
        log_lease(ctx, &l, dora_hook_point(ctx) == DORA_HOOK_LEASE4_RELEASE ? "released"
                                                                          : "declined", false);
    return DORA_HOOK_CONTINUE;
}

static int load(const struct dora_hook_params *p, void **user, char *err, size_t errlen)
{
    struct forensic *f = calloc(1, sizeof(*f));
    if (!f) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (fl_file_init(&f->file, dora_hook_param_string(p, "path"),
                     dora_hook_param_string(p, "base-name"), dora_hook_param_string(p, "time-unit"),
                     dora_hook_param_int(p, "count", 1), err, errlen) < 0) {
        free(f);
        return -1;
    }
    const char *ts = dora_hook_param_string(p, "timestamp-format");
    snprintf(f->ts_format, sizeof(f->ts_format), "%s", ts ? ts : "%Y-%m-%d %H:%M:%S %Z");
    *user = f;
    return 0;
}

static void unload(void *user)
{
    struct forensic *f = user;
    fl_file_close(&f->file);
    free(f);
}

static const struct dora_hook_callout callouts[] = {
    { DORA_HOOK_LEASES4_COMMITTED, committed },
    { DORA_HOOK_LEASE4_RELEASE, released },
    { DORA_HOOK_LEASE4_DECLINE, released },
    { 0, NULL }
};

DORA_HOOK_LIBRARY(.name = "forensic", .multi_threading_compatible = 1, .load = load,
                  .unload = unload, .callouts = callouts);
