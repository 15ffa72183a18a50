/*
 * dora-perf command-line parsing: perfdhcp's letters and rules for DHCPv4
 * (perfdhcp(8), Kea ARM §25.10), checked the way perfdhcp checks them so a
 * command line that works with one tool works with the other. perfdhcp
 * options that make no sense for this tool (DHCPv6, templates) are refused
 * by name rather than silently ignored.
 */
#include "bench/dora-perf/opts.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire/option_defs.h"

static const char synopsis[] =
    "dora-perf [-4] [-b mac=BASE] [-B] [-d drop-time] [-D max-drop] [-f renew-rate]\n"
    "          [-F release-rate] [-h] [-i] [-J relay-address-list] [-l local-address|interface]\n"
    "          [-L local-port] [-n num-request] [-N remote-port] [-o code,hexstring]\n"
    "          [-p test-period] [-P preload] [-r rate] [-R num-clients] [-s seed]\n"
    "          [-t report-interval] [-u] [-v] [-W exit-wait-time] [--json] [--senders N]\n"
    "          [server]\n";

static const char help_text[] =
    "dora-perf: a perfdhcp-compatible DHCPv4 load generator.\n"
    "\n"
    "The server argument is an IPv4 address: exchanges are relayed (giaddr is\n"
    "the local address or a -J address; the server answers giaddr:67) over UDP.\n"
    "'all' or 255.255.255.255 instead broadcasts from a population of clients\n"
    "on the -l interface through a raw socket, like real clients on a LAN; with\n"
    "-l INTERFACE and no server, 'all' is the default.\n"
    "\n"
    "Without -r, exchanges are initiated as fast as possible; without -r, -n\n"
    "and -p, one exchange is made and awaited (a \"ping\").\n"
    "\n"
    "Options:\n"
    "-4: DHCPv4 operation (the default and only mode).\n"
    "-b mac=BASE: base MAC address of the simulated clients (also ether=BASE),\n"
    "    default mac=00:0c:01:02:03:04. Client n uses BASE + n.\n"
    "-B: set the broadcast flag in every request.\n"
    "-d drop-time: seconds (fractions allowed) after which a request without a\n"
    "    reply counts as lost; default 1. Given twice: DISCOVER, then REQUEST.\n"
    "-D max-drop: abort once this many requests were lost, or with a % suffix\n"
    "    this percentage (checked after 10 answers were due). Given twice: the\n"
    "    first limits DISCOVER-OFFER, the second REQUEST-ACK.\n"
    "-f renew-rate: renewing DHCPREQUESTs per second (needs -r; f + F <= r).\n"
    "-F release-rate: DHCPRELEASEs per second (needs -r; f + F <= r).\n"
    "-h, --help: print this help.\n"
    "-i: initial exchange only: DISCOVER-OFFER.\n"
    "-J relay-address-list: file with one relay address per line (or a\n"
    "    comma-separated list); each exchange uses a random one as giaddr.\n"
    "-l local-address|interface: address to send from (relayed mode), or the\n"
    "    interface to use (its address when relayed; required for broadcast).\n"
    "-L local-port: local port; 0 = default (67 relayed, 68 broadcast).\n"
    "-n num-request: initiate this many exchanges, then stop. Given twice: the\n"
    "    second limits the REQUESTs sent.\n"
    "-N remote-port: server port; 0 = default (67).\n"
    "-o code,hexstring: add option code with this content to every DISCOVER\n"
    "    and REQUEST; repeatable. It replaces the generated option with the\n"
    "    same code.\n"
    "-p test-period: seconds (fractions allowed) to send for.\n"
    "-P preload: initiate this many exchanges back to back at start.\n"
    "-r rate: initiate this many DORA (DO with -i) exchanges per second.\n"
    "-R num-clients: number of simulated clients (distinct MACs), default 1.\n"
    "-s seed: seed for transaction ids and relay choice; 0 = random.\n"
    "-t report-interval: print a live progress line every this many seconds.\n"
    "-u: check address uniqueness: count addresses offered or acknowledged to\n"
    "    a client while another client holds them.\n"
    "-v, --version: print the version.\n"
    "-W exit-wait-time: microseconds to keep receiving after the exit\n"
    "    condition (replies to outstanding requests; no new exchanges).\n"
    "--json: print the final report as one JSON object on stdout.\n"
    "--senders N: sending threads (1-7), default 1; a receiving thread always\n"
    "    runs besides them.\n"
    "\n"
    "Exit status: 0 success, 1 general error, 2 bad arguments, 3 some\n"
    "exchanges failed (lost, rejected, or non-unique addresses with -u).\n";

const char *perf_opts_synopsis(void) { return synopsis; }
const char *perf_opts_help(void) { return help_text; }

const char *perf_xtype_name(enum perf_xtype t)
{
    static const char *const names[PX_N] = {
        [PX_DO] = "DISCOVER-OFFER",
        [PX_RA] = "REQUEST-ACK",
        [PX_RENEW] = "REQUEST-ACK (renewal)",
        [PX_RELEASE] = "RELEASE",
    };
    return (unsigned)t < PX_N ? names[t] : "?";
}

void perf_opts_defaults(struct perf_opts *o)
{
    static const uint8_t base[6] = { 0x00, 0x0c, 0x01, 0x02, 0x03, 0x04 };

    memset(o, 0, sizeof(*o));
    o->num_clients = 1;
    o->drop_time[0] = 1.0;
    o->drop_time[1] = 1.0;
    memcpy(o->base_mac, base, sizeof(base));
    o->senders = 1;
    o->mode = PERF_MODE_RELAY;
}

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return PERF_OPTS_BAD;
}

/* Decimal digits only (no sign, no spaces), at most max. */
static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    if (!s || !isdigit((unsigned char)*s))
        return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end != '\0' || v > max)
        return -1;
    *out = v;
    return 0;
}

/* A finite number > 0 (or >= 0 with allow_zero), plain decimal notation. */
static int parse_num(const char *s, bool allow_zero, double *out)
{
    if (!s || !(isdigit((unsigned char)*s) || *s == '.'))
        return -1;
    errno = 0;
    char *end;
    double v = strtod(s, &end);
    if (errno || *end != '\0' || !isfinite(v) || v < 0 || (!allow_zero && v == 0))
        return -1;
    *out = v;
    return 0;
}

static int parse_ipv4(const char *s, uint32_t *out)
{
    struct in_addr a;
    if (inet_pton(AF_INET, s, &a) != 1)
        return -1;
    *out = ntohl(a.s_addr);
    return 0;
}

/* -b mac=aa:bb:cc:dd:ee:ff (also ether=, single or double colons). */
static int parse_base(struct perf_opts *o, const char *arg, char *err, size_t errlen)
{
    const char *eq = strchr(arg, '=');
    if (!eq)
        return fail(err, errlen, "-b %s: expected mac=BASE", arg);
    size_t klen = (size_t)(eq - arg);
    if (klen == 4 && strncasecmp(arg, "duid", 4) == 0)
        return fail(err, errlen, "-b duid=...: a DUID base is DHCPv6 only; use mac=");
    if (!((klen == 3 && strncasecmp(arg, "mac", 3) == 0) ||
          (klen == 5 && strncasecmp(arg, "ether", 5) == 0)))
        return fail(err, errlen, "-b %s: base type must be mac or ether", arg);

    /* perfdhcp allows "::" between octets; hex_parse wants one separator. */
    char norm[64];
    size_t n = 0;
    for (const char *p = eq + 1; *p; p++) {
        if (p[0] == ':' && p[1] == ':')
            continue;
        if (n + 1 >= sizeof(norm))
            return fail(err, errlen, "-b %s: MAC address too long", arg);
        norm[n++] = *p;
    }
    norm[n] = '\0';
    uint8_t mac[8];
    if (hex_parse(norm, mac, sizeof(mac)) != 6 || strchr(norm, ':') == NULL)
        return fail(err, errlen, "-b %s: MAC address must be six octets separated by colons", arg);
    memcpy(o->base_mac, mac, 6);
    return PERF_OPTS_RUN;
}

/* -o code,hexstring */
static int parse_extra(struct perf_opts *o, const char *arg, char *err, size_t errlen)
{
    const char *comma = strchr(arg, ',');
    if (!comma)
        return fail(err, errlen, "-o %s: expected code,hexstring", arg);
    if (o->n_extra >= PERF_MAX_EXTRA_OPTS)
        return fail(err, errlen, "-o: at most %d options", PERF_MAX_EXTRA_OPTS);
    char code_s[8];
    size_t cl = (size_t)(comma - arg);
    if (cl == 0 || cl >= sizeof(code_s))
        return fail(err, errlen, "-o %s: bad option code", arg);
    memcpy(code_s, arg, cl);
    code_s[cl] = '\0';
    uint64_t code;
    if (parse_u64(code_s, 254, &code) < 0 || code == 0)
        return fail(err, errlen, "-o %s: option code must be 1-254", arg);
    if (code == 53)
        return fail(err, errlen, "-o %s: the message type (53) is set by dora-perf", arg);
    struct perf_extra_opt *e = &o->extra[o->n_extra];
    int len = hex_parse(comma + 1, e->data, sizeof(e->data));
    if (len < 0)
        return fail(err, errlen, "-o %s: bad hexstring (at most 255 bytes)", arg);
    e->code = (uint8_t)code;
    e->len = (uint8_t)len;
    o->n_extra++;
    return PERF_OPTS_RUN;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

static int add_relay(struct perf_opts *o, char *tok, const char *src, char *err, size_t errlen)
{
    uint32_t a;
    tok = trim(tok);
    if (*tok == '\0' || *tok == '#')
        return PERF_OPTS_RUN;
    if (parse_ipv4(tok, &a) < 0 || a == 0 || a == 0xffffffffu)
        return fail(err, errlen, "-J %s: '%s' is not a unicast IPv4 address", src, tok);
    if (o->n_relays >= PERF_MAX_RELAYS)
        return fail(err, errlen, "-J %s: more than %d addresses", src, PERF_MAX_RELAYS);
    o->relays[o->n_relays++] = a;
    return PERF_OPTS_RUN;
}

/* -J FILE (one address per line, # comments), or an inline a,b,c list. */
static int parse_relays(struct perf_opts *o, const char *arg, char *err, size_t errlen)
{
    char line[256];
    o->n_relays = 0;
    FILE *f = fopen(arg, "r");
    if (f) {
        unsigned lines = 0;
        while (fgets(line, sizeof(line), f)) {
            if (++lines > 100000) {
                fclose(f);
                return fail(err, errlen, "-J %s: too many lines", arg);
            }
            char *hash = strchr(line, '#');
            if (hash)
                *hash = '\0';
            if (add_relay(o, line, arg, err, errlen) < 0) {
                fclose(f);
                return PERF_OPTS_BAD;
            }
        }
        fclose(f);
    } else {
        if (strlen(arg) >= sizeof(line) || !strchr("0123456789", arg[0]))
            return fail(err, errlen, "-J %s: cannot read the file (%s)", arg, strerror(errno));
        snprintf(line, sizeof(line), "%s", arg);
        char *save = NULL;
        for (char *t = strtok_r(line, ",", &save); t; t = strtok_r(NULL, ",", &save))
            if (add_relay(o, t, arg, err, errlen) < 0)
                return PERF_OPTS_BAD;
    }
    if (o->n_relays == 0)
        return fail(err, errlen, "-J %s: no relay address", arg);
    return PERF_OPTS_RUN;
}

static int parse_max_drop(struct perf_max_drop *d, const char *arg, char *err, size_t errlen)
{
    size_t n = strlen(arg);
    if (n > 0 && arg[n - 1] == '%') {
        char buf[32];
        if (n - 1 >= sizeof(buf))
            return fail(err, errlen, "-D %s: bad percentage", arg);
        memcpy(buf, arg, n - 1);
        buf[n - 1] = '\0';
        if (parse_num(buf, false, &d->value) < 0 || d->value > 100)
            return fail(err, errlen, "-D %s: percentage must be > 0 and <= 100", arg);
        d->percent = true;
    } else {
        uint64_t v;
        if (parse_u64(arg, UINT32_MAX, &v) < 0 || v == 0)
            return fail(err, errlen, "-D %s: max-drop must be a positive integer or N%%", arg);
        d->value = (double)v;
        d->percent = false;
    }
    d->set = true;
    return PERF_OPTS_RUN;
}

enum { LOPT_JSON = 1000, LOPT_SENDERS, LOPT_SCENARIO };

static const struct option long_opts[] = {
    { "json", no_argument, NULL, LOPT_JSON },
    { "senders", required_argument, NULL, LOPT_SENDERS },
    { "scenario", required_argument, NULL, LOPT_SCENARIO },
    { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, 'v' },
    { NULL, 0, NULL, 0 },
};

/* Letters perfdhcp has that dora-perf refuses by name (DHCPv6, templates,
 * diagnostics, scripts): accepting and ignoring them would mislead. */
static const char unsupported[] = "16AcCEIMOSTwxXyY";

/* Checks that need the whole command line. */
static int check_combination(struct perf_opts *o, int n_d, char *err, size_t errlen)
{
    if ((o->renew_rate > 0 || o->release_rate > 0) && o->rate == 0)
        return fail(err, errlen, "-f and -F need an exchange rate (-r)");
    if (o->renew_rate + o->release_rate > o->rate)
        return fail(err, errlen, "renew rate (-f) plus release rate (-F) must not exceed the rate (-r)");
    if (o->initial_only && (o->renew_rate > 0 || o->release_rate > 0))
        return fail(err, errlen, "-i (DISCOVER-OFFER only) leaves no lease to renew or release (-f, -F)");
    if (o->initial_only && (o->num_request[1] || o->max_drop[1].set))
        return fail(err, errlen, "-i has no REQUEST-ACK exchange to limit (second -n or -D)");
    if (n_d == 1)
        o->drop_time[1] = o->drop_time[0];
    /* perfdhcp: with no -r, -n or -p, one exchange "pings" the server. We
     * also give it its drop times to be answered unless -W says otherwise. */
    if (o->rate == 0 && o->num_request[0] == 0 && o->test_period == 0) {
        o->num_request[0] = 1;
        o->ping = true;
        if (!o->exit_wait_set)
            o->exit_wait_us = (uint64_t)((o->drop_time[0] + o->drop_time[1]) * 1e6);
    }

    if (o->mode == PERF_MODE_BROADCAST) {
        if (!o->local_is_iface)
            return fail(err, errlen, "broadcast mode ('%s') needs -l INTERFACE", o->server);
        if (o->n_relays)
            return fail(err, errlen, "-J (relay addresses) needs a server address, not broadcast");
    }
    return PERF_OPTS_RUN;
}

int perf_opts_parse(struct perf_opts *o, int argc, char **argv, char *err, size_t errlen)
{
    int n_n = 0, n_d = 0, n_D = 0, c;
    uint64_t v;
    double d;

    perf_opts_defaults(o);
    if (errlen)
        err[0] = '\0';
    optind = 0;      /* GNU: full re-initialisation, so repeated calls work */
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":46b:Bd:D:e:f:F:g:hiJ:l:L:n:N:o:p:P:r:R:s:t:uvW:"
                            "1A:cC:E:I:M:O:S:T:w:x:X:y:Y:", long_opts, NULL)) != -1) {
        if (c != ':' && c != '?' && c < 256 && strchr(unsupported, c))
            return fail(err, errlen, "-%c: not supported by dora-perf (DHCPv4 only, no templates, "
                        "diagnostics or scripts)", c);
        switch (c) {
        case '4':
            break;
        case 'b':
            if (parse_base(o, optarg, err, errlen) < 0)
                return PERF_OPTS_BAD;
            break;
        case 'B':
            o->broadcast_flag = true;
            break;
        case 'd':
            if (n_d >= 2)
                return fail(err, errlen, "-d: given more than twice");
            if (parse_num(optarg, false, &o->drop_time[n_d]) < 0)
                return fail(err, errlen, "-d %s: drop-time must be a positive number of seconds", optarg);
            n_d++;
            break;
        case 'D':
            if (n_D >= 2)
                return fail(err, errlen, "-D: given more than twice");
            if (parse_max_drop(&o->max_drop[n_D++], optarg, err, errlen) < 0)
                return PERF_OPTS_BAD;
            break;
        case 'e':
            if (strcmp(optarg, "address-only") != 0)
                return fail(err, errlen, "-e %s: only address-only is valid for DHCPv4", optarg);
            break;
        case 'f':
        case 'F':
            if (parse_num(optarg, false, &d) < 0)
                return fail(err, errlen, "-%c %s: rate must be a positive number", c, optarg);
            *(c == 'f' ? &o->renew_rate : &o->release_rate) = d;
            break;
        case 'g':
            if (strcmp(optarg, "multi") != 0)
                return fail(err, errlen, "-g %s: dora-perf always receives on its own thread (multi)", optarg);
            break;
        case 'h':
            return PERF_OPTS_HELP;
        case 'i':
            o->initial_only = true;
            break;
        case 'J':
            if (parse_relays(o, optarg, err, errlen) < 0)
                return PERF_OPTS_BAD;
            break;
        case 'l':
            if (strlen(optarg) == 0 || strlen(optarg) >= sizeof(o->local))
                return fail(err, errlen, "-l '%s': bad local address or interface", optarg);
            snprintf(o->local, sizeof(o->local), "%s", optarg);
            if (parse_ipv4(optarg, &o->local_addr) == 0) {
                o->local_is_iface = false;
            } else {
                if (strlen(optarg) >= IF_NAMESIZE || if_nametoindex(optarg) == 0)
                    return fail(err, errlen, "-l %s: neither an IPv4 address nor an interface", optarg);
                o->local_is_iface = true;
                o->local_addr = 0;
            }
            break;
        case 'L':
        case 'N':
            if (parse_u64(optarg, 65535, &v) < 0)
                return fail(err, errlen, "-%c %s: port must be 0-65535", c, optarg);
            *(c == 'L' ? &o->local_port : &o->remote_port) = (uint16_t)v;
            break;
        case 'n':
            if (n_n >= 2)
                return fail(err, errlen, "-n: given more than twice");
            if (parse_u64(optarg, UINT64_MAX / 2, &v) < 0 || v == 0)
                return fail(err, errlen, "-n %s: num-request must be a positive integer", optarg);
            o->num_request[n_n++] = v;
            break;
        case 'o':
            if (parse_extra(o, optarg, err, errlen) < 0)
                return PERF_OPTS_BAD;
            break;
        case 'p':
            if (parse_num(optarg, false, &o->test_period) < 0)
                return fail(err, errlen, "-p %s: test-period must be a positive number of seconds", optarg);
            break;
        case 'P':
            if (parse_u64(optarg, 1u << 24, &o->preload) < 0)
                return fail(err, errlen, "-P %s: preload must be an integer 0-%u", optarg, 1u << 24);
            break;
        case 'r':
            if (parse_num(optarg, false, &o->rate) < 0 || o->rate > 1e8)
                return fail(err, errlen, "-r %s: rate must be a positive number", optarg);
            break;
        case 'R':
            if (parse_u64(optarg, PERF_MAX_CLIENTS, &v) < 0 || v == 0)
                return fail(err, errlen, "-R %s: num-clients must be 1-%u", optarg, PERF_MAX_CLIENTS);
            o->num_clients = (uint32_t)v;
            break;
        case 's':
            if (parse_u64(optarg, UINT64_MAX, &o->seed) < 0)
                return fail(err, errlen, "-s %s: seed must be a non-negative integer", optarg);
            break;
        case 't':
            if (parse_num(optarg, false, &o->report_interval) < 0)
                return fail(err, errlen, "-t %s: report interval must be a positive number", optarg);
            break;
        case 'u':
            o->unique = true;
            break;
        case 'v':
            return PERF_OPTS_VERSION;
        case 'W':
            if (parse_u64(optarg, 3600ull * 1000000ull, &o->exit_wait_us) < 0)
                return fail(err, errlen, "-W %s: exit-wait-time must be 0-3600000000 microseconds", optarg);
            o->exit_wait_set = true;
            break;
        case LOPT_JSON:
            o->json = true;
            break;
        case LOPT_SENDERS:
            if (parse_u64(optarg, PERF_MAX_SENDERS, &v) < 0 || v == 0)
                return fail(err, errlen, "--senders %s: must be 1-%d", optarg, PERF_MAX_SENDERS);
            o->senders = (unsigned)v;
            break;
        case LOPT_SCENARIO:
            if (strcmp(optarg, "basic") != 0)
                return fail(err, errlen, "--scenario %s: only the basic scenario is supported", optarg);
            break;
        case ':':
            if (optopt >= LOPT_JSON)
                return fail(err, errlen, "option %s needs an argument", argv[optind - 1]);
            return fail(err, errlen, "option -%c needs an argument", optopt);
        default:
            if (optopt && optopt < 256)
                return fail(err, errlen, "invalid option -%c", optopt);
            return fail(err, errlen, "invalid option %s", argv[optind - 1]);
        }
    }

    if (argc - optind > 1)
        return fail(err, errlen, "more than one server argument ('%s', '%s')", argv[optind], argv[optind + 1]);
    if (argc - optind == 1) {
        const char *s = argv[optind];
        if (strlen(s) >= sizeof(o->server))
            return fail(err, errlen, "server '%.40s...' is too long", s);
        snprintf(o->server, sizeof(o->server), "%s", s);
        if (strcmp(s, "all") == 0 || strcmp(s, "255.255.255.255") == 0) {
            o->mode = PERF_MODE_BROADCAST;
            o->server_addr = 0xffffffffu;
        } else if (parse_ipv4(s, &o->server_addr) < 0 || o->server_addr == 0) {
            return fail(err, errlen, "server '%s' is not an IPv4 address, 'all' or 255.255.255.255", s);
        }
    } else if (o->local_is_iface) {
        /* perfdhcp: the server defaults to 'all' when -l names an interface. */
        snprintf(o->server, sizeof(o->server), "all");
        o->mode = PERF_MODE_BROADCAST;
        o->server_addr = 0xffffffffu;
    } else {
        return fail(err, errlen, "a server address is required (or -l INTERFACE to broadcast)");
    }
    return check_combination(o, n_d, err, errlen);
}
