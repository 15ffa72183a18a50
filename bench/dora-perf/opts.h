/*
 * dora-perf command line: perfdhcp's option letters and meanings for the
 * DHCPv4 subset (Kea ARM §25.10, perfdhcp(8)), plus --json and --senders.
 *
 * Parsing is a pure step (it reads a -J file and checks that an -l interface
 * exists, nothing else) so the rules can be unit-tested; main() decides what
 * to print and which exit code to use (perfdhcp: 2 for bad arguments).
 */
#ifndef DORA_PERF_OPTS_H
#define DORA_PERF_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PERF_MAX_EXTRA_OPTS 32     /* -o given this many times at most */
#define PERF_MAX_RELAYS     1024   /* addresses in a -J list */
#define PERF_MAX_CLIENTS    (1u << 24)
#define PERF_MAX_SENDERS    7      /* xid carries 3 bits of ring id; one ring is the receiver's */

/* How the server is reached. */
enum perf_mode {
    PERF_MODE_RELAY = 0,   /* UDP unicast to the server, giaddr set, replies to giaddr:67 */
    PERF_MODE_BROADCAST    /* raw frames on an interface, a population of LAN clients */
};

/* Exchange kinds, in report order. */
enum perf_xtype { PX_DO = 0, PX_RA, PX_RENEW, PX_RELEASE, PX_N };

struct perf_extra_opt {
    uint8_t code;
    uint8_t len;
    uint8_t data[255];
};

/* -D: abort after this many (or this percentage of) timed-out requests. */
struct perf_max_drop {
    bool   set;
    bool   percent;
    double value;
};

struct perf_opts {
    double   rate;               /* -r exchanges/s; 0 = as fast as possible */
    uint32_t num_clients;        /* -R, default 1 */
    uint64_t num_request[2];     /* -n: [0] DISCOVERs, [1] REQUESTs; 0 = no limit */
    double   test_period;        /* -p seconds; 0 = no limit */
    struct perf_max_drop max_drop[2]; /* -D: [0] DISCOVER-OFFER, [1] REQUEST-ACK */
    double   drop_time[2];       /* -d seconds: [0] DO, [1] RA and renew; default 1 */
    char     local[64];          /* -l as given ("" = none) */
    bool     local_is_iface;     /* -l named an interface */
    uint32_t local_addr;         /* -l address (host order), 0 = none */
    uint16_t local_port;         /* -L, 0 = default (67 relayed, 68 broadcast) */
    uint16_t remote_port;        /* -N, 0 = default (67) */
    uint8_t  base_mac[6];        /* -b mac=, default 00:0c:01:02:03:04 */
    bool     initial_only;       /* -i: DISCOVER-OFFER only */
    double   report_interval;    /* -t seconds, 0 = no live line */
    uint64_t exit_wait_us;       /* -W microseconds */
    bool     exit_wait_set;      /* -W was given */
    bool     ping;               /* no -r, -n or -p: one exchange, then stop once answered */
    uint64_t seed;               /* -s, 0 = random */
    struct perf_extra_opt extra[PERF_MAX_EXTRA_OPTS]; /* -o */
    size_t   n_extra;
    uint32_t relays[PERF_MAX_RELAYS]; /* -J giaddr list (host order) */
    size_t   n_relays;
    double   renew_rate;         /* -f */
    double   release_rate;       /* -F */
    bool     unique;             /* -u */
    bool     broadcast_flag;     /* -B */
    uint64_t preload;            /* -P */
    bool     json;               /* --json */
    unsigned senders;            /* --senders, default 1 */
    enum perf_mode mode;
    uint32_t server_addr;        /* host order; 0xffffffff in broadcast mode */
    char     server[64];         /* server argument as given */
};

/* What perf_opts_parse found. */
enum perf_opts_result {
    PERF_OPTS_RUN = 0,
    PERF_OPTS_HELP = 1,          /* -h / --help */
    PERF_OPTS_VERSION = 2,       /* -v / --version */
    PERF_OPTS_BAD = -1           /* bad arguments; err says why */
};

/* Fill *o with the defaults, then apply argv. Returns an enum
 * perf_opts_result; on PERF_OPTS_BAD err holds one line without a trailing
 * newline. Resets getopt's state itself, so it may be called repeatedly. */
int perf_opts_parse(struct perf_opts *o, int argc, char **argv, char *err, size_t errlen);

/* Defaults only (what an empty command line gives, minus the server). */
void perf_opts_defaults(struct perf_opts *o);

/* The one-paragraph synopsis printed with usage errors, and the full help
 * text (every option). */
const char *perf_opts_synopsis(void);
const char *perf_opts_help(void);

/* perfdhcp's exchange names: "DISCOVER-OFFER", "REQUEST-ACK",
 * "REQUEST-ACK (renewal)", "RELEASE". */
const char *perf_xtype_name(enum perf_xtype t);

#ifdef __cplusplus
}
#endif
#endif
