/*
 * The test hook library: registers a callout on every hook point and writes
 * one line per call to the file named by parameter "log":
 *
 *   <hook point> mac=<query chaddr> type=<query msg type> xid=<hex> subnet=<id>
 *                lease=<addr> fake=<0|1> remove=<0|1> committed=<n> deleted=<n> ...
 *
 * Behaviour on demand, for packets whose chaddr (or lease hw-address) equals
 * parameter "match-mac" (every packet when absent):
 *   "skip": "p1,p2"   return SKIP at those hook points
 *   "drop": "p1,p2"   return DROP
 *   "park": "p1"      park (leases4_committed) and unpark after "park-ms" ms
 *                     from the library's own thread
 *   "option-send": n  add option 224 with text "hooked" to responses at pkt4_send
 */
#include <dora/hooks.h>

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_PARKED 1024

struct parked_entry {
    struct dora_parked *p;
    struct timespec due;
};

struct state {
    FILE *log;
    pthread_mutex_t lock;
    char skip[512], drop[512], park[512];
    uint8_t mac[16];
    size_t maclen;
    int64_t park_ms;
    bool option_send;
    /* unparker */
    pthread_t thread;
    pthread_cond_t cond;
    bool stopping, thread_started;
    struct parked_entry parked[MAX_PARKED];
    size_t n_parked;
};

static bool listed(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; (p = strstr(p, name)); p += n)
        if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
            return true;
    return false;
}

static void fmt_ip(uint32_t a, char *out)
{
    snprintf(out, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

static void fmt_hex(const uint8_t *p, size_t n, char *out, size_t cap)
{
    size_t k = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && k + 4 < cap; i++)
        k += (size_t)snprintf(out + k, cap - k, i ? ":%02x" : "%02x", p[i]);
}

static bool matches(struct state *st, struct dora_hook_ctx *ctx)
{
    if (!st->maclen)
        return true;
    uint8_t hw[16];
    size_t n = dora_pkt_chaddr(ctx, DORA_PKT_QUERY, hw, sizeof(hw));
    if (n == st->maclen && !memcmp(hw, st->mac, n))
        return true;
    struct dora_lease4 l;
    return dora_hook_lease(ctx, &l) == 0 && l.hwaddr_len == st->maclen &&
           !memcmp(l.hwaddr, st->mac, st->maclen);
}

static void record(struct state *st, struct dora_hook_ctx *ctx)
{
    char line[1024], mac[64] = "-", ip[16], hx[64];
    size_t k = 0;
    enum dora_hook_point p = dora_hook_point(ctx);
    k += (size_t)snprintf(line + k, sizeof(line) - k, "%s", dora_hook_point_name(p));
    if (dora_pkt_present(ctx, DORA_PKT_QUERY)) {
        uint8_t hw[16];
        size_t n = dora_pkt_chaddr(ctx, DORA_PKT_QUERY, hw, sizeof(hw));
        fmt_hex(hw, n, mac, sizeof(mac));
        fmt_ip(dora_pkt_addr(ctx, DORA_PKT_QUERY, DORA_GIADDR), ip);
        k += (size_t)snprintf(line + k, sizeof(line) - k, " mac=%s type=%u xid=%x giaddr=%s iface=%s",
                              mac, dora_pkt_msg_type(ctx, DORA_PKT_QUERY),
                              dora_pkt_xid(ctx, DORA_PKT_QUERY), ip, dora_pkt_iface(ctx));
    }
    size_t blen;
    if (dora_pkt_buffer(ctx, DORA_PKT_QUERY, &blen) && p == DORA_HOOK_BUFFER4_RECEIVE)
        k += (size_t)snprintf(line + k, sizeof(line) - k, " qbuf=%zu", blen);
    if (dora_pkt_buffer(ctx, DORA_PKT_RESPONSE, &blen))
        k += (size_t)snprintf(line + k, sizeof(line) - k, " rbuf=%zu", blen);
    if (dora_pkt_present(ctx, DORA_PKT_RESPONSE))
        k += (size_t)snprintf(line + k, sizeof(line) - k, " rtype=%u",
                              dora_pkt_msg_type(ctx, DORA_PKT_RESPONSE));
    uint32_t sid, prefix;
    uint8_t plen;
    if (dora_hook_subnet(ctx, &sid, &prefix, &plen) == 0) {
        fmt_ip(prefix, ip);
        k += (size_t)snprintf(line + k, sizeof(line) - k, " subnet=%u/%s/%u", sid, ip, plen);
    }
    struct dora_lease4 l;
    if (dora_hook_lease(ctx, &l) == 0) {
        fmt_ip(l.addr, ip);
        fmt_hex(l.hwaddr, l.hwaddr_len, hx, sizeof(hx));
        k += (size_t)snprintf(line + k, sizeof(line) - k, " lease=%s hw=%s lft=%u state=%u", ip, hx,
                              l.valid_lft, l.state);
    }
    if (p == DORA_HOOK_LEASE4_SELECT)
        k += (size_t)snprintf(line + k, sizeof(line) - k, " fake=%d", dora_hook_fake_allocation(ctx));
    if (p == DORA_HOOK_LEASE4_EXPIRE)
        k += (size_t)snprintf(line + k, sizeof(line) - k, " remove=%d", dora_hook_remove_lease(ctx));
    if (p == DORA_HOOK_LEASES4_COMMITTED) {
        size_t nc = dora_hook_leases_count(ctx, 0), nd = dora_hook_leases_count(ctx, 1);
        k += (size_t)snprintf(line + k, sizeof(line) - k, " committed=%zu deleted=%zu", nc, nd);
        if (nc && dora_hook_leases_at(ctx, 0, 0, &l) == 0) {
            fmt_ip(l.addr, ip);
            k += (size_t)snprintf(line + k, sizeof(line) - k, " c0=%s", ip);
        }
        if (nd && dora_hook_leases_at(ctx, 1, 0, &l) == 0) {
            fmt_ip(l.addr, ip);
            k += (size_t)snprintf(line + k, sizeof(line) - k, " d0=%s", ip);
        }
    }
    if (p == DORA_HOOK_COMMAND_PROCESSED)
        k += (size_t)snprintf(line + k, sizeof(line) - k, " command=%s", dora_hook_command_name(ctx));
    pthread_mutex_lock(&st->lock);
    fprintf(st->log, "%s\n", line);
    fflush(st->log);
    pthread_mutex_unlock(&st->lock);
}

static void *unparker(void *arg)
{
    struct state *st = arg;
    pthread_mutex_lock(&st->lock);
    while (!st->stopping || st->n_parked) {
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        size_t i = 0;
        while (i < st->n_parked) {
            struct parked_entry *e = &st->parked[i];
            bool due = st->stopping || e->due.tv_sec < now.tv_sec ||
                       (e->due.tv_sec == now.tv_sec && e->due.tv_nsec <= now.tv_nsec);
            if (!due) {
                i++;
                continue;
            }
            struct dora_parked *p = e->p;
            st->parked[i] = st->parked[--st->n_parked];
            fprintf(st->log, "unpark\n");
            fflush(st->log);
            pthread_mutex_unlock(&st->lock);
            dora_hook_unpark(p, 0);
            pthread_mutex_lock(&st->lock);
        }
        if (st->stopping)
            continue;
        struct timespec wait = now;
        wait.tv_nsec += 20 * 1000000;
        if (wait.tv_nsec >= 1000000000) {
            wait.tv_sec++;
            wait.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&st->cond, &st->lock, &wait);
    }
    pthread_mutex_unlock(&st->lock);
    return NULL;
}

static enum dora_hook_status callout(struct dora_hook_ctx *ctx)
{
    struct state *st = dora_hook_user(ctx);
    const char *name = dora_hook_point_name(dora_hook_point(ctx));
    record(st, ctx);
    if (!matches(st, ctx))
        return DORA_HOOK_CONTINUE;
    if (listed(st->drop, name))
        return DORA_HOOK_DROP;
    if (listed(st->skip, name))
        return DORA_HOOK_SKIP;
    if (st->option_send && dora_hook_point(ctx) == DORA_HOOK_PKT4_SEND)
        dora_pkt_option_set(ctx, DORA_PKT_RESPONSE, 224, (const uint8_t *)"hooked", 6);
    if (listed(st->park, name)) {
        struct dora_parked *p = dora_hook_park(ctx);
        if (!p)
            return DORA_HOOK_CONTINUE;
        pthread_mutex_lock(&st->lock);
        if (st->n_parked == MAX_PARKED) {
            pthread_mutex_unlock(&st->lock);
            dora_hook_unpark(p, 0);
            return DORA_HOOK_CONTINUE;
        }
        struct parked_entry *e = &st->parked[st->n_parked++];
        e->p = p;
        clock_gettime(CLOCK_REALTIME, &e->due);
        e->due.tv_sec += st->park_ms / 1000;
        e->due.tv_nsec += (st->park_ms % 1000) * 1000000;
        if (e->due.tv_nsec >= 1000000000) {
            e->due.tv_sec++;
            e->due.tv_nsec -= 1000000000;
        }
        fprintf(st->log, "parked\n");
        fflush(st->log);
        pthread_cond_signal(&st->cond);
        pthread_mutex_unlock(&st->lock);
        return DORA_HOOK_PARK;
    }
    return DORA_HOOK_CONTINUE;
}

static void copy_param(const struct dora_hook_params *p, const char *key, char *out, size_t cap)
{
    const char *v = dora_hook_param_string(p, key);
    snprintf(out, cap, "%s", v ? v : "");
}

static int load(const struct dora_hook_params *params, void **user, char *err, size_t errlen)
{
    const char *path = dora_hook_param_string(params, "log");
    if (!path) {
        snprintf(err, errlen, "parameter 'log' (a file path) is required");
        return -1;
    }
    struct state *st = calloc(1, sizeof(*st));
    if (!st || !(st->log = fopen(path, "a"))) {
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        free(st);
        return -1;
    }
    pthread_mutex_init(&st->lock, NULL);
    pthread_cond_init(&st->cond, NULL);
    copy_param(params, "skip", st->skip, sizeof(st->skip));
    copy_param(params, "drop", st->drop, sizeof(st->drop));
    copy_param(params, "park", st->park, sizeof(st->park));
    st->park_ms = dora_hook_param_int(params, "park-ms", 500);
    st->option_send = dora_hook_param_bool(params, "option-send", 0);
    const char *mac = dora_hook_param_string(params, "match-mac");
    for (const char *m = mac; m && *m && st->maclen < sizeof(st->mac);) {
        unsigned v;
        if (sscanf(m, "%2x", &v) != 1)
            break;
        st->mac[st->maclen++] = (uint8_t)v;
        m += 2;
        if (*m == ':')
            m++;
    }
    st->thread_started = pthread_create(&st->thread, NULL, unparker, st) == 0;
    fprintf(st->log, "load\n");
    fflush(st->log);
    *user = st;
    return 0;
}

static void unload(void *user)
{
    struct state *st = user;
    pthread_mutex_lock(&st->lock);
    st->stopping = true;
    pthread_cond_signal(&st->cond);
    pthread_mutex_unlock(&st->lock);
    if (st->thread_started)
        pthread_join(st->thread, NULL);
    fprintf(st->log, "unload\n");
    fclose(st->log);
    pthread_cond_destroy(&st->cond);
    pthread_mutex_destroy(&st->lock);
    free(st);
}

static const struct dora_hook_callout callouts[] = {
    { DORA_HOOK_BUFFER4_RECEIVE, callout }, { DORA_HOOK_PKT4_RECEIVE, callout },
    { DORA_HOOK_SUBNET4_SELECT, callout },  { DORA_HOOK_HOST4_IDENTIFIER, callout },
    { DORA_HOOK_LEASE4_SELECT, callout },   { DORA_HOOK_LEASE4_RENEW, callout },
    { DORA_HOOK_LEASE4_RELEASE, callout },  { DORA_HOOK_LEASE4_DECLINE, callout },
    { DORA_HOOK_LEASES4_COMMITTED, callout }, { DORA_HOOK_PKT4_SEND, callout },
    { DORA_HOOK_BUFFER4_SEND, callout },    { DORA_HOOK_LEASE4_EXPIRE, callout },
    { DORA_HOOK_LEASE4_RECOVER, callout },  { DORA_HOOK_COMMAND_PROCESSED, callout },
    { 0, NULL }
};

DORA_HOOK_LIBRARY(.name = "dora-test-hook", .multi_threading_compatible = 1, .load = load,
                  .unload = unload, .callouts = callouts);
