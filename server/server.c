/*
 * The dorad process lifecycle; see server.h.
 *
 * Configuration is an immutable snapshot. Workers take a reference for the
 * length of one packet; a reload builds a new snapshot and swaps the pointer,
 * the old one is freed when its last packet is done. An invalid new config
 * is refused and the running one kept.
 */
#include "server/server.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "alloc/alloc_engine.h"
#include "backends/store_factory.h"
#include "hooks/hooks_mgr.h"
#include "server/client_handler.h"
#include "server/ctrl.h"
#include "server/dhcp4_srv.h"
#include "server/log.h"
#include "server/metrics.h"
#include "server/pidfile.h"
#include "server/pkt_queue.h"
#include "server/stats.h"
#include "server/stats_registry.h"

#define RX_BATCH 64

struct cfg_ref {
    struct cfg4 *cfg;
    int refs;
};

struct server {
    const struct server_opts *opts;
    pthread_mutex_t cfg_lock;
    struct cfg_ref *current;
    unsigned cfg_generation;   /* bumped on every install; workers compare it per packet */
    struct dhcp4_srv srv;
    struct io_ctx io;
    struct pkt_queue queue;
    struct client_handler clients;
    volatile int stopping;
    unsigned n_workers;
    bool db_stopped_service;   /* on-fail stop-retry-exit took service down */
    pthread_mutex_t apply_lock;/* one configuration change at a time (SIGHUP, commands) */
    struct ctrl_env env;       /* what control commands act on */
    struct ctrl_server *ctrl;  /* the control socket, NULL when not configured */
    int shutdown_status;       /* exit status asked for by the shutdown command, or -1 */
    struct metrics_server *metrics;  /* Dhcp4.metrics endpoint, or NULL */
    struct cfg_metrics metrics_cfg;  /* what it was started with */
    struct host_mgr hosts;     /* hosts-databases (empty when none) */
};

/* ---- configuration snapshot ------------------------------------------ */

static struct cfg_ref *cfg_acquire(struct server *s)
{
    pthread_mutex_lock(&s->cfg_lock);
    struct cfg_ref *r = s->current;
    r->refs++;
    pthread_mutex_unlock(&s->cfg_lock);
    return r;
}

static void cfg_release(struct server *s, struct cfg_ref *r)
{
    pthread_mutex_lock(&s->cfg_lock);
    bool last = --r->refs == 0;
    pthread_mutex_unlock(&s->cfg_lock);
    if (last) {
        hooks_release(r->cfg->hooks);   /* unloads the libraries of an old snapshot */
        cfg4_free(r->cfg);
        free(r);
    }
}

static void cfg_install(struct server *s, struct cfg4 *cfg)
{
    struct cfg_ref *r = malloc(sizeof(*r));
    if (!r) {
        hooks_release(cfg->hooks);
        cfg4_free(cfg);
        LOG_ERROR("DHCP4_CONFIG_LOAD_FAIL", "out of memory; keeping the running configuration");
        return;
    }
    r->cfg = cfg;
    r->refs = 1; /* the server's own reference */
    stats_config_applied(cfg); /* subnet statistics before any packet sees cfg */
    pthread_mutex_lock(&s->cfg_lock);
    struct cfg_ref *old = s->current;
    s->current = r;
    __atomic_add_fetch(&s->cfg_generation, 1, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&s->cfg_lock);
    if (old)
        cfg_release(s, old);
}

static void apply_logging(const struct cfg4 *cfg, bool debug)
{
    if (log_set_output(cfg->logging.output) < 0)
        LOG_ERROR("DHCP4_LOG_OUTPUT_FAIL", "cannot open log output %s: %s", cfg->logging.output,
                  strerror(errno));
    log_set_severity(debug ? LOG_SEV_DEBUG : cfg->logging.severity);
}

static void log_warnings(const struct cfg4 *cfg)
{
    if (!cfg->warnings)
        return;
    const char *p = cfg->warnings;
    while (*p) {
        const char *nl = strchr(p, '\n');
        int n = nl ? (int)(nl - p) : (int)strlen(p);
        if (n)
            LOG_WARN("DHCP4_CONFIG_WARNING", "%.*s", n, p);
        p += n + (nl ? 1 : 0);
    }
}

/* Parts of the config that are bound at startup: changing them needs a restart. */
static bool same_startup_settings(const struct cfg4 *a, const struct cfg4 *b)
{
    if (a->socket_type != b->socket_type || a->n_ifaces != b->n_ifaces ||
        a->all_ifaces != b->all_ifaces || a->lease_db.persist != b->lease_db.persist ||
        strcmp(a->lease_db.type, b->lease_db.type) ||
        strcmp(a->lease_db.name ? a->lease_db.name : "", b->lease_db.name ? b->lease_db.name : ""))
        return false;
    for (size_t i = 0; i < a->n_ifaces; i++)
        if (strcmp(a->ifaces[i].name, b->ifaces[i].name) || a->ifaces[i].addr != b->ifaces[i].addr)
            return false;
    return true;
}

/* hosts-databases are bound at startup like the lease database. */
static bool same_hosts_dbs(const struct cfg4 *a, const struct cfg4 *b)
{
    if (a->n_hosts_dbs != b->n_hosts_dbs)
        return false;
    for (size_t i = 0; i < a->n_hosts_dbs; i++) {
        const struct cfg_hosts_db *x = &a->hosts_dbs[i], *y = &b->hosts_dbs[i];
        if (strcmp(x->type, y->type) || strcmp(x->name ? x->name : "", y->name ? y->name : "") ||
            x->readonly != y->readonly || memcmp(&x->conn, &y->conn, sizeof(x->conn)))
            return false;
    }
    return true;
}

/* ---- the metrics endpoint (Dhcp4.metrics) --------------------------------- */

static void metrics_begin(struct server *s, const struct cfg4 *cfg)
{
    char err[256];
    s->metrics_cfg = cfg->metrics;
    if (!cfg->metrics.enabled)
        return;
    uint32_t h = cfg->metrics.http_host;
    if (metrics_start(h, cfg->metrics.http_port, &s->metrics, err, sizeof(err)) != 0)
        LOG_ERROR("DHCP4_METRICS_FAIL", "%s; serving DHCP without it", err);
    else
        LOG_INFO("DHCP4_METRICS_LISTEN", "metrics on http://%u.%u.%u.%u:%u/metrics", h >> 24,
                 (h >> 16) & 255, (h >> 8) & 255, h & 255, metrics_port(s->metrics));
}

static void metrics_check_reload(struct server *s, const struct cfg4 *cfg)
{
    const struct cfg_metrics *a = &s->metrics_cfg, *b = &cfg->metrics;
    if (a->enabled != b->enabled || a->http_host != b->http_host || a->http_port != b->http_port)
        LOG_WARN("DHCP4_CONFIG_RESTART_NEEDED", "metrics changes take effect after a restart");
}

static int load_hooks(struct cfg4 *cfg, char *err, size_t errlen)
{
    struct hooks_set *h;
    if (hooks_load(cfg, &h, err, errlen) != 0)
        return -1;
    cfg->hooks = h;
    return 0;
}

/* The one path every configuration change takes (SIGHUP, config-set,
 * config-reload): cfg is already parsed and valid. Its hook libraries are
 * loaded first (Kea reloads them on every reconfiguration; the new set loads
 * while the old one still serves packets in flight) - a refused library
 * refuses the whole change: cfg is freed, the running one kept, -1. Then
 * settings bound at startup are reported, logging applied, the snapshot
 * swapped. */
static int apply_config(struct server *s, struct cfg4 *cfg, const char *origin,
                        char *err, size_t errlen)
{
    if (load_hooks(cfg, err, errlen) != 0) {
        LOG_ERROR("DHCP4_CONFIG_LOAD_FAIL", "%s: %s; keeping the running configuration", origin, err);
        cfg4_free(cfg);
        return -1;
    }
    struct cfg_ref *cur = cfg_acquire(s);
    bool same = same_startup_settings(cur->cfg, cfg) && same_hosts_dbs(cur->cfg, cfg);
    cfg_release(s, cur);
    if (!same)
        LOG_WARN("DHCP4_CONFIG_RESTART_NEEDED",
                 "interfaces-config, lease-database and hosts-databases changes take effect "
                 "after a restart");
    log_warnings(cfg);
    apply_logging(cfg, s->opts->debug);
    metrics_check_reload(s, cfg);
    cfg_install(s, cfg);
    __atomic_store_n(&s->env.reloaded, time(NULL), __ATOMIC_RELEASE);
    LOG_INFO("DHCP4_CONFIG_COMPLETE", "configuration loaded from %s", origin);
    return 0;
}

/* Re-read the -c file (SIGHUP, config-reload). An invalid file is refused
 * and the running configuration kept. */
static int reload(struct server *s, char *err, size_t errlen)
{
    struct cfg4 *cfg;
    pthread_mutex_lock(&s->apply_lock);
    int rc = cfg4_load_file(s->opts->config_path, &cfg, err, errlen);
    if (rc != 0)
        LOG_ERROR("DHCP4_CONFIG_LOAD_FAIL", "%s; keeping the running configuration", err);
    else
        rc = apply_config(s, cfg, s->opts->config_path, err, errlen);
    pthread_mutex_unlock(&s->apply_lock);
    return rc;
}

/* ---- the control channel's view of the server ------------------------ */

static const struct cfg4 *env_cfg_acquire(struct ctrl_env *env, void **ref)
{
    struct cfg_ref *r = cfg_acquire(env->server);
    *ref = r;
    return r->cfg;
}

static void env_cfg_release(struct ctrl_env *env, void *ref)
{
    cfg_release(env->server, ref);
}

static int env_cfg_apply(struct ctrl_env *env, const char *json_text, char *err, size_t errlen)
{
    struct server *s = env->server;
    struct cfg4 *cfg;
    pthread_mutex_lock(&s->apply_lock);
    int rc = cfg4_parse(json_text, "<config-set>", &cfg, err, errlen);
    if (rc != 0)
        LOG_ERROR("DHCP4_CONFIG_LOAD_FAIL", "config-set: %s; keeping the running configuration", err);
    else
        rc = apply_config(s, cfg, "config-set", err, errlen);
    pthread_mutex_unlock(&s->apply_lock);
    return rc;
}

static int env_cfg_reload(struct ctrl_env *env, char *err, size_t errlen)
{
    return reload(env->server, err, errlen);
}

static void env_shutdown(struct ctrl_env *env, int status)
{
    struct server *s = env->server;
    __atomic_store_n(&s->shutdown_status, status, __ATOMIC_RELEASE);
    /* Blocked in every thread: the main loop's sigtimedwait takes it. */
    kill(getpid(), SIGTERM);
}

/* Open, move or close the control socket to match the configuration (at
 * start and after every reload). The old socket stays until the new one
 * is listening; a failure keeps what runs. */
static int sync_ctrl_socket(struct server *s, const struct cfg4 *cfg)
{
    const char *want = cfg->ctrl_socket_path;
    const char *have = s->ctrl ? ctrl_server_path(s->ctrl) : NULL;
    if ((!want && !have) || (want && have && strcmp(want, have) == 0))
        return 0;
    struct ctrl_server *n = NULL;
    if (want) {
        char err[512];
        if (ctrl_server_start(&n, want, &s->env, err, sizeof(err)) != 0) {
            LOG_ERROR("COMMAND_SOCKET_FAIL", "cannot open the control socket: %s", err);
            return -1;
        }
        LOG_INFO("COMMAND_SOCKET_OPEN", "control socket %s open", want);
    }
    if (s->ctrl) {
        LOG_INFO("COMMAND_SOCKET_CLOSED", "control socket %s closed", have);
        ctrl_server_stop(s->ctrl);
    }
    s->ctrl = n;
    return 0;
}

/* ---- threads ----------------------------------------------------------- */

struct worker_arg {
    struct server *s;
    struct dhcp4_worker w;
    pthread_t thread;
    struct cfg_ref *cfg;       /* the snapshot this worker holds between packets */
    unsigned cfg_generation;
};

/* The current snapshot without a lock per packet: a worker keeps its
 * reference and swaps it only when the generation moved (a reload). An old
 * snapshot is freed once every worker has moved on. */
static const struct cfg4 *worker_cfg(struct worker_arg *wa)
{
    unsigned gen = __atomic_load_n(&wa->s->cfg_generation, __ATOMIC_ACQUIRE);
    if (!wa->cfg || wa->cfg_generation != gen) {
        if (wa->cfg)
            cfg_release(wa->s, wa->cfg);
        wa->cfg = cfg_acquire(wa->s);
        wa->cfg_generation = gen;
    }
    return wa->cfg->cfg;
}

static void serve_client(struct worker_arg *wa, struct rx_pkt *rx)
{
    struct server *s = wa->s;
    struct dhcp4_worker *w = &wa->w;
    const struct cfg4 *cfg = worker_cfg(wa);
    if (hooks_on(cfg->hooks, DORA_HOOK_BUFFER4_RECEIVE) &&
        hooks_buffer4_receive(cfg, rx) == DORA_HOOK_DROP) {
        stats_inc(STAT_PKT4_RECEIVE_DROP);
        LOG_DEBUG("DHCP4_HOOK_BUFFER_RCVD_DROP", "packet dropped by a buffer4_receive callout");
        pkt_queue_put_buffer(&s->queue, rx);
        return;
    }
    int rc = pkt4_parse(&w->req, rx->data, rx->len);
    if (rc != PKT4_OK) {
        stats_inc(STAT_PKT4_RECEIVED);
        stats_inc(STAT_PKT4_PARSE_FAILED);
        stats_inc(STAT_PKT4_RECEIVE_DROP);
        LOG_DEBUG("DHCP4_PACKET_PARSE_FAIL", "malformed packet of %u bytes dropped: %s",
                  rx->len, pkt4_strerror(rc));
        pkt_queue_put_buffer(&s->queue, rx);
        return;
    }
    struct client_key key;
    if (!dhcp4_client_key(&w->req, &key)) {
        dhcp4_handle(w, worker_cfg(wa), rx); /* counts and drops it */
        pkt_queue_put_buffer(&s->queue, rx);
        return;
    }
    struct rx_pkt *dropped;
    if (!client_handler_acquire(&s->clients, &key, rx, &dropped)) {
        if (dropped) {
            stats_inc(STAT_PKT4_RECEIVE_DROP);
            LOG_DEBUG("DHCP4_PACKET_DROP_0011", "older packet of a busy client replaced");
            pkt_queue_put_buffer(&s->queue, dropped);
        }
        return;
    }
    /* Serve this client's packets, including any parked meanwhile. */
    for (;;) {
        dhcp4_handle(w, worker_cfg(wa), rx);
        pkt_queue_put_buffer(&s->queue, rx);
        rx = client_handler_release(&s->clients, &key);
        if (!rx)
            return;
        if (pkt4_parse(&w->req, rx->data, rx->len) != PKT4_OK) {
            /* Cannot happen: it parsed when it was parked. Release the key. */
            pkt_queue_put_buffer(&s->queue, rx);
            while ((rx = client_handler_release(&s->clients, &key)))
                pkt_queue_put_buffer(&s->queue, rx);
            return;
        }
    }
}

static void *worker_main(void *arg)
{
    struct worker_arg *wa = arg;
    stats_bind_thread(2 + wa->w.id);
    struct rx_pkt *rx;
    bool idle;
    while ((rx = pkt_queue_pop_timed(&wa->s->queue, 1000, &idle)) || idle) {
        if (rx) {
            serve_client(wa, rx);
        } else if (wa->cfg && wa->cfg_generation !=
                              __atomic_load_n(&wa->s->cfg_generation, __ATOMIC_ACQUIRE)) {
            /* Idle after a reload: let the old snapshot (and the hook
             * libraries it holds) go without waiting for a packet. */
            cfg_release(wa->s, wa->cfg);
            wa->cfg = NULL;
        }
    }
    if (wa->cfg)
        cfg_release(wa->s, wa->cfg);
    return NULL;
}

static void *receiver_main(void *arg)
{
    struct server *s = arg;
    stats_bind_thread(1);
    struct rx_pkt *batch = malloc(RX_BATCH * sizeof(*batch));
    if (!batch) {
        LOG_ERROR("DHCP4_RECEIVER_FAIL", "out of memory");
        return NULL;
    }
    while (!__atomic_load_n(&s->stopping, __ATOMIC_ACQUIRE)) {
        size_t bad = 0;
        int n = io_recv_batch(&s->io, batch, RX_BATCH, 100, &bad);
        if (bad)
            stats_add(STAT_PKT4_RECEIVE_DROP, (int64_t)bad);
        if (n < 0) {
            LOG_ERROR("DHCP4_RECEIVE_FAIL", "receive failed: %s", strerror(errno));
            struct timespec ts = { 0, 100 * 1000 * 1000 };
            nanosleep(&ts, NULL);
            continue;
        }
        if (n > 0)
            pkt_queue_push_copies(&s->queue, batch, (size_t)n);
    }
    free(batch);
    return NULL;
}

/* ---- startup and the main loop ---------------------------------------- */

static int open_lease_store(const struct cfg4 *cfg, struct lease_store **out)
{
    char err[1024];
    if (lease_store_open(cfg, out, err, sizeof(err)) != 0) {
        LOG_ERROR("DHCP4_LEASE_DB_FAIL", "cannot open the %s lease database: %s",
                  cfg->lease_db.type, err);
        return -1;
    }
    LOG_INFO("DHCP4_LEASE_DB_OPEN", "%s lease database %s opened", cfg->lease_db.type,
             cfg->lease_db.persist || strcmp(cfg->lease_db.type, "memfile") ? cfg->lease_db.name
                                                                           : "(not persisted)");
    return 0;
}

/* hosts-databases: one connection per worker and database (host_mgr.h),
 * and each worker's scratch for the reservation it found. Nothing is
 * allocated when none is configured. */
static int open_host_dbs(struct server *s, const struct cfg4 *cfg, struct worker_arg *workers)
{
    char err[1024];
    if (!cfg->n_hosts_dbs)
        return 0;
    if (host_mgr_open(&s->hosts, cfg, s->n_workers, err, sizeof(err)) != 0) {
        LOG_ERROR("DHCP4_HOSTS_DB_FAIL", "%s", err);
        return -1;
    }
    for (unsigned i = 0; i < s->n_workers; i++)
        if (!(workers[i].w.hdb = calloc(1, sizeof(*workers[i].w.hdb)))) {
            LOG_ERROR("DHCP4_HOSTS_DB_FAIL", "out of memory");
            return -1;
        }
    s->srv.hosts = &s->hosts;
    LOG_INFO("DHCP4_HOSTS_DB_OPEN", "%zu hosts-database(s) opened, %u connection(s) each",
             cfg->n_hosts_dbs, s->n_workers);
    return 0;
}

static void close_host_dbs(struct server *s, struct worker_arg *workers)
{
    for (unsigned i = 0; workers && i < s->n_workers; i++)
        free(workers[i].w.hdb);
    host_mgr_close(&s->hosts);
    s->srv.hosts = NULL;
}

/* Kea's on-fail (spec §2.2): while the lease database is lost,
 * stop-retry-exit stops serving; when the reconnect attempts are exhausted,
 * the *-retry-exit modes end the process. Returns false to exit. */
static bool check_database(struct server *s, const struct cfg4 *cfg)
{
    enum be_db_health h = lease_store_health(s->srv.store);
    enum cfg_on_fail mode = cfg->lease_db.conn.on_fail;
    if (h == BE_DB_LOST && mode != CFG_ON_FAIL_SERVE_RETRY_CONTINUE) {
        LOG_ERROR("DHCP4_DB_LOST", "lease database lost and reconnect attempts exhausted; exiting");
        return false;
    }
    bool stop = h != BE_DB_OK && mode == CFG_ON_FAIL_STOP_RETRY_EXIT;
    /* The hosts-databases follow their own on-fail (host_mgr_check). */
    enum host_mgr_verdict hv = s->srv.hosts ? host_mgr_check(s->srv.hosts) : HOST_MGR_SERVE;
    if (hv == HOST_MGR_EXIT) {
        LOG_ERROR("DHCP4_DB_LOST", "hosts-database lost and reconnect attempts exhausted; exiting");
        return false;
    }
    stop = stop || hv == HOST_MGR_STOP;
    if (stop != s->db_stopped_service) {
        s->db_stopped_service = stop;
        __atomic_store_n(&s->srv.dhcp_disabled, stop, __ATOMIC_RELEASE);
        if (stop)
            LOG_WARN("DHCP4_DB_RECONNECT", "database connection lost: not serving until it is back");
        else
            LOG_INFO("DHCP4_DB_RECONNECTED", "database connection back: serving again");
    }
    return true;
}

static void print_stats(void)
{
    char *json = stats_json_flat();
    log_always("DORA_STATS", "%s", json ? json : "{}");
    free(json);
}

static unsigned worker_count(const struct cfg4 *cfg)
{
    if (!cfg->mt.enable)
        return 1;
    if (cfg->mt.thread_pool_size)
        return cfg->mt.thread_pool_size;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1;
}

/* Returns the exit status. */
static int main_loop(struct server *s, const sigset_t *sigs)
{
    time_t next_reclaim = 0;
    for (;;) {
        struct cfg_ref *r = cfg_acquire(s);
        const struct cfg_expired_leases *ex = &r->cfg->expired;
        time_t now = time(NULL);
        if (ex->reclaim_timer_wait_time) {
            if (!next_reclaim)
                next_reclaim = now + ex->reclaim_timer_wait_time;
            if (now >= next_reclaim) {
                int n = alloc_reclaim(s->srv.store, r->cfg, now, ex->max_reclaim_leases,
                                      ex->max_reclaim_time);
                if (n)
                    LOG_DEBUG("DHCP4_RECLAIM", "%d expired leases reclaimed", n);
                next_reclaim = time(NULL) + ex->reclaim_timer_wait_time;
            }
        }
        bool db_ok = check_database(s, r->cfg);
        cfg_release(s, r);
        if (!db_ok)
            return 1;

        struct timespec wait = { 1, 0 };
        int sig = sigtimedwait(sigs, NULL, &wait);
        if (sig == SIGTERM || sig == SIGINT) {
            int st = __atomic_load_n(&s->shutdown_status, __ATOMIC_ACQUIRE);
            if (st >= 0) {
                LOG_INFO("DHCP4_SHUTDOWN", "shutting down on the shutdown command (exit %d)", st);
                return st;
            }
            LOG_INFO("DHCP4_SHUTDOWN", "shutting down on signal %d", sig);
            return 0;
        }
        stats_reg_tick();
        if (sig == SIGHUP) {
            char err[1024];
            reload(s, err, sizeof(err));
        } else if (sig == SIGUSR1) {
            print_stats();
        }
        time_t until = __atomic_load_n(&s->env.dhcp_enable_at, __ATOMIC_ACQUIRE);
        if (until && time(NULL) >= until &&
            __atomic_compare_exchange_n(&s->env.dhcp_enable_at, &until, 0, false,
                                        __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
            __atomic_store_n(&s->srv.dhcp_disabled, 0, __ATOMIC_RELEASE);
            LOG_INFO("DHCP4_DHCP_ENABLED", "dhcp-disable max-period over: DHCP service enabled again");
        }
        r = cfg_acquire(s);
        sync_ctrl_socket(s, r->cfg);
        cfg_release(s, r);
    }
}

int server_run(const struct server_opts *opts)
{
    struct server s = { .opts = opts, .shutdown_status = -1 };
    char err[1024];
    int status = 1;
    struct cfg4 *cfg;

    /* Signals are taken synchronously by the main loop; every thread
     * inherits the mask. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGHUP);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (cfg4_load_file(opts->config_path, &cfg, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    apply_logging(cfg, opts->debug);
    log_warnings(cfg);
    if (load_hooks(cfg, err, sizeof(err)) != 0) {
        LOG_ERROR("DHCP4_CONFIG_LOAD_FAIL", "%s", err);
        fprintf(stderr, "%s\n", err);
        cfg4_free(cfg);
        return 1;
    }

    struct pidfile pf;
    if (pidfile_acquire(&pf, opts->config_path, err, sizeof(err)) != 0) {
        LOG_ERROR("DHCP4_ALREADY_RUNNING", "%s", err);
        fprintf(stderr, "%s\n", err);
        hooks_release(cfg->hooks);
        cfg4_free(cfg);
        return 1;
    }
    pthread_mutex_init(&s.cfg_lock, NULL);
    pthread_mutex_init(&s.apply_lock, NULL);
    cfg_install(&s, cfg);

    struct lease_store *store = NULL;
    if (open_lease_store(cfg, &store) != 0)
        goto out_cfg;
    if (io_open(&s.io, cfg, opts->server_port, opts->client_port, err, sizeof(err)) != 0) {
        LOG_ERROR("DHCP4_OPEN_SOCKET_FAIL", "%s", err);
        goto out_store;
    }
    s.srv.io = &s.io;
    s.srv.store = store;
    stats_recount(store); /* the address gauges, before any worker changes a lease */
    s.n_workers = worker_count(cfg);
    size_t qcap = cfg->mt.packet_queue_size ? cfg->mt.packet_queue_size : 4096;
    if (pkt_queue_init(&s.queue, qcap, s.n_workers * 2 + RX_BATCH) != 0 ||
        client_handler_init(&s.clients, s.n_workers) != 0) {
        LOG_ERROR("DHCP4_INIT_FAIL", "out of memory");
        goto out_io;
    }

    struct worker_arg *workers = calloc(s.n_workers, sizeof(*workers));
    pthread_t receiver;
    unsigned started = 0;
    if (!workers)
        goto out_queue;
    if (open_host_dbs(&s, cfg, workers) != 0) {
        close_host_dbs(&s, workers);
        free(workers);
        goto out_queue;
    }
    for (; started < s.n_workers; started++) {
        workers[started].s = &s;
        workers[started].w.srv = &s.srv;
        workers[started].w.id = started;
        if (pthread_create(&workers[started].thread, NULL, worker_main, &workers[started]) != 0)
            break;
    }
    bool receiving = started == s.n_workers &&
                     pthread_create(&receiver, NULL, receiver_main, &s) == 0;
    s.env = (struct ctrl_env){
        .store = store, .dhcp_disabled = &s.srv.dhcp_disabled, .started = time(NULL),
        /* Commands use the probe connections (the row after the workers'):
         * each store serializes its own calls, workers keep theirs. */
        .host_stores = s.hosts.n_dbs ? &s.hosts.st[(size_t)s.hosts.n_workers * s.hosts.n_dbs] : NULL,
        .n_host_stores = s.hosts.n_dbs,
        .reloaded = time(NULL), .config_path = opts->config_path,
        .cfg_acquire = env_cfg_acquire, .cfg_release = env_cfg_release,
        .cfg_apply = env_cfg_apply, .cfg_reload = env_cfg_reload, .shutdown = env_shutdown,
        .thread_pool_size = s.n_workers, .packet_queue_size = qcap, .server = &s,
    };
    if (!receiving) {
        LOG_ERROR("DHCP4_INIT_FAIL", "cannot start threads");
    } else {
        metrics_begin(&s, cfg);
        if (sync_ctrl_socket(&s, cfg) == 0) {
            LOG_INFO("DHCP4_STARTED", "dorad serving on %zu interface(s), %s sockets, %u workers, queue %zu",
                     s.io.n_ifaces, s.io.raw ? "raw" : "udp", s.n_workers, qcap);
            status = main_loop(&s, &sigs);
        }
        /* No command runs past this point: the store and config stay valid
         * for as long as the control thread lives. */
        if (s.ctrl)
            ctrl_server_stop(s.ctrl);
        s.ctrl = NULL;
        metrics_stop(s.metrics);
        __atomic_store_n(&s.stopping, 1, __ATOMIC_RELEASE);
        pthread_join(receiver, NULL);
    }
    pkt_queue_close(&s.queue);
    for (unsigned i = 0; i < started; i++)
        pthread_join(workers[i].thread, NULL);
    close_host_dbs(&s, workers);
    free(workers);
    /* Unload the libraries while the store and sockets are still open: a
     * library's unload() may unpark replies that then go out. */
    hooks_release(s.current->cfg->hooks);
    s.current->cfg->hooks = NULL;
out_queue:
    /* Replies still waiting for the disk go out before the sockets close. */
    store->ops->flush(store);
    client_handler_destroy(&s.clients);
    pkt_queue_destroy(&s.queue);
out_io:
    store->ops->flush(store);
    io_close(&s.io);
out_store:
    store->ops->close(store);
out_cfg:
    print_stats();
    cfg_release(&s, s.current);
    pidfile_release(&pf);
    pthread_mutex_destroy(&s.cfg_lock);
    pthread_mutex_destroy(&s.apply_lock);
    return status;
}
