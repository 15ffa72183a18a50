/*
 * The standard "dhcp4" option space: every option Kea 3.0 defines (ARM
 * §9.2.10 tables 1 and 2, plus the last-resort definition of 43), with
 * Kea's names, codes, types and array flags, and the type-name table used
 * by option-def.
 *
 * The table is sorted by code so lookups by code are a binary search; it is
 * read-only, so every function here is thread-safe.
 */
#include "wire/option_defs.h"

#include <string.h>

static const char *const type_names[] = {
    [OT_NONE] = "none",
    [OT_EMPTY] = "empty",
    [OT_BINARY] = "binary",
    [OT_BOOLEAN] = "boolean",
    [OT_UINT8] = "uint8",
    [OT_UINT16] = "uint16",
    [OT_UINT32] = "uint32",
    [OT_INT8] = "int8",
    [OT_INT16] = "int16",
    [OT_INT32] = "int32",
    [OT_IPV4] = "ipv4-address",
    [OT_IPV6] = "ipv6-address",
    [OT_IPV6_PREFIX] = "ipv6-prefix",
    [OT_PSID] = "psid",
    [OT_STRING] = "string",
    [OT_FQDN] = "fqdn",
    [OT_TUPLE] = "tuple",
    [OT_RECORD] = "record",
    [OT_INTERNAL] = "internal",
};

#define N_TYPES (sizeof(type_names) / sizeof(type_names[0]))

const char *opt_type_name(enum opt_type t)
{
    if ((unsigned)t >= N_TYPES)
        return "unknown";
    return type_names[t];
}

enum opt_type opt_type_from_name(const char *name)
{
    if (name == NULL)
        return OT_NONE;
    /* Start at 1: "none" is not a type a user can name. */
    for (size_t i = 1; i < N_TYPES; i++)
        if (strcmp(name, type_names[i]) == 0)
            return (enum opt_type)i;
    return OT_NONE;
}

/* Shorthands keep the table one line per option. */
#define D(c, n, t, a) \
    { .code = (c), .name = n, .space = "dhcp4", .type = (t), .array = (a) }
#define DE(c, n, t, enc) \
    { .code = (c), .name = n, .space = "dhcp4", .type = (t), .encapsulate = enc }
#define DR(c, n, a, ...) \
    { .code = (c), .name = n, .space = "dhcp4", .type = OT_RECORD, \
      .array = (a), .fields = { __VA_ARGS__, OT_NONE } }

static const struct opt_def std_defs[] = {
    D(1, "subnet-mask", OT_IPV4, false),
    D(2, "time-offset", OT_INT32, false),
    D(3, "routers", OT_IPV4, true),
    D(4, "time-servers", OT_IPV4, true),
    D(5, "name-servers", OT_IPV4, true),
    D(6, "domain-name-servers", OT_IPV4, true),
    D(7, "log-servers", OT_IPV4, true),
    D(8, "cookie-servers", OT_IPV4, true),
    D(9, "lpr-servers", OT_IPV4, true),
    D(10, "impress-servers", OT_IPV4, true),
    D(11, "resource-location-servers", OT_IPV4, true),
    D(12, "host-name", OT_STRING, false),
    D(13, "boot-size", OT_UINT16, false),
    D(14, "merit-dump", OT_STRING, false),
    /* Kea 3.0 types this fqdn, but RFC 2132 §3.17 carries it as ASCII text;
     * opt_encode_csv writes the text form (see option_encode.c). */
    D(15, "domain-name", OT_FQDN, false),
    D(16, "swap-server", OT_IPV4, false),
    D(17, "root-path", OT_STRING, false),
    D(18, "extensions-path", OT_STRING, false),
    D(19, "ip-forwarding", OT_BOOLEAN, false),
    D(20, "non-local-source-routing", OT_BOOLEAN, false),
    D(21, "policy-filter", OT_IPV4, true),
    D(22, "max-dgram-reassembly", OT_UINT16, false),
    D(23, "default-ip-ttl", OT_UINT8, false),
    D(24, "path-mtu-aging-timeout", OT_UINT32, false),
    D(25, "path-mtu-plateau-table", OT_UINT16, true),
    D(26, "interface-mtu", OT_UINT16, false),
    D(27, "all-subnets-local", OT_BOOLEAN, false),
    D(28, "broadcast-address", OT_IPV4, false),
    D(29, "perform-mask-discovery", OT_BOOLEAN, false),
    D(30, "mask-supplier", OT_BOOLEAN, false),
    D(31, "router-discovery", OT_BOOLEAN, false),
    D(32, "router-solicitation-address", OT_IPV4, false),
    D(33, "static-routes", OT_IPV4, true),
    D(34, "trailer-encapsulation", OT_BOOLEAN, false),
    D(35, "arp-cache-timeout", OT_UINT32, false),
    D(36, "ieee802-3-encapsulation", OT_BOOLEAN, false),
    D(37, "default-tcp-ttl", OT_UINT8, false),
    D(38, "tcp-keepalive-interval", OT_UINT32, false),
    D(39, "tcp-keepalive-garbage", OT_BOOLEAN, false),
    D(40, "nis-domain", OT_STRING, false),
    D(41, "nis-servers", OT_IPV4, true),
    D(42, "ntp-servers", OT_IPV4, true),
    /* Kea's last-resort definition; a client class may redefine it. */
    DE(43, "vendor-encapsulated-options", OT_EMPTY, "vendor-encapsulated-options-space"),
    D(44, "netbios-name-servers", OT_IPV4, true),
    D(45, "netbios-dd-server", OT_IPV4, true),
    D(46, "netbios-node-type", OT_UINT8, false),
    D(47, "netbios-scope", OT_STRING, false),
    D(48, "font-servers", OT_IPV4, true),
    D(49, "x-display-manager", OT_IPV4, true),
    D(50, "dhcp-requested-address", OT_IPV4, false),
    D(51, "dhcp-lease-time", OT_UINT32, false),
    D(52, "dhcp-option-overload", OT_UINT8, false),
    D(53, "dhcp-message-type", OT_UINT8, false),
    D(54, "dhcp-server-identifier", OT_IPV4, false),
    D(55, "dhcp-parameter-request-list", OT_UINT8, true),
    D(56, "dhcp-message", OT_STRING, false),
    D(57, "dhcp-max-message-size", OT_UINT16, false),
    D(58, "dhcp-renewal-time", OT_UINT32, false),
    D(59, "dhcp-rebinding-time", OT_UINT32, false),
    D(60, "vendor-class-identifier", OT_STRING, false),
    D(61, "dhcp-client-identifier", OT_BINARY, false),
    D(62, "nwip-domain-name", OT_STRING, false),
    D(63, "nwip-suboptions", OT_BINARY, false),
    D(64, "nisplus-domain-name", OT_STRING, false),
    D(65, "nisplus-servers", OT_IPV4, true),
    D(66, "tftp-server-name", OT_STRING, false),
    D(67, "boot-file-name", OT_STRING, false),
    D(68, "mobile-ip-home-agent", OT_IPV4, true),
    D(69, "smtp-server", OT_IPV4, true),
    D(70, "pop-server", OT_IPV4, true),
    D(71, "nntp-server", OT_IPV4, true),
    D(72, "www-server", OT_IPV4, true),
    D(73, "finger-server", OT_IPV4, true),
    D(74, "irc-server", OT_IPV4, true),
    D(75, "streettalk-server", OT_IPV4, true),
    D(76, "streettalk-directory-assistance-server", OT_IPV4, true),
    D(77, "user-class", OT_BINARY, false),
    DR(78, "slp-directory-agent", true, OT_BOOLEAN, OT_IPV4),
    DR(79, "slp-service-scope", false, OT_BOOLEAN, OT_STRING),
    DR(81, "fqdn", false, OT_UINT8, OT_UINT8, OT_UINT8, OT_FQDN),
    DE(82, "dhcp-agent-options", OT_EMPTY, "dhcp-agent-options-space"),
    D(85, "nds-servers", OT_IPV4, true),
    D(86, "nds-tree-name", OT_STRING, false),
    D(87, "nds-context", OT_STRING, false),
    D(88, "bcms-controller-names", OT_FQDN, true),
    D(89, "bcms-controller-address", OT_IPV4, true),
    D(90, "authenticate", OT_BINARY, false),
    D(91, "client-last-transaction-time", OT_UINT32, false),
    D(92, "associated-ip", OT_IPV4, true),
    D(93, "client-system", OT_UINT16, true),
    DR(94, "client-ndi", false, OT_UINT8, OT_UINT8, OT_UINT8),
    DR(97, "uuid-guid", false, OT_UINT8, OT_BINARY),
    D(98, "uap-servers", OT_STRING, false),
    D(99, "geoconf-civic", OT_BINARY, false),
    D(100, "pcode", OT_STRING, false),
    D(101, "tcode", OT_STRING, false),
    D(108, "v6-only-preferred", OT_UINT32, false),
    D(112, "netinfo-server-address", OT_IPV4, true),
    D(113, "netinfo-server-tag", OT_STRING, false),
    D(114, "v4-captive-portal", OT_STRING, false),
    D(116, "auto-config", OT_UINT8, false),
    D(117, "name-service-search", OT_UINT16, true),
    D(118, "subnet-selection", OT_IPV4, false),
    D(119, "domain-search", OT_FQDN, true),
    /* RFC 3442 routes, written "10.0.0.0/8 - 192.0.2.1, ..." (Kea 2.5+). */
    D(121, "classless-static-route", OT_INTERNAL, false),
    DE(122, "cablelabs-client-conf", OT_EMPTY, "cablelabs-client-conf"),
    DR(124, "vivco-suboptions", false, OT_UINT32, OT_BINARY),
    D(125, "vivso-suboptions", OT_UINT32, false),
    D(136, "pana-agent", OT_IPV4, true),
    D(137, "v4-lost", OT_FQDN, false),
    D(138, "capwap-ac-v4", OT_IPV4, true),
    D(141, "sip-ua-cs-domains", OT_FQDN, true),
    D(143, "v4-sztp-redirect", OT_TUPLE, true),
    DR(146, "rdnss-selection", true, OT_UINT8, OT_IPV4, OT_IPV4, OT_FQDN),
    DR(151, "status-code", false, OT_UINT8, OT_STRING),
    D(152, "base-time", OT_UINT32, false),
    D(153, "start-time-of-state", OT_UINT32, false),
    D(154, "query-start-time", OT_UINT32, false),
    D(155, "query-end-time", OT_UINT32, false),
    D(156, "dhcp-state", OT_UINT8, false),
    D(157, "data-source", OT_UINT8, false),
    DR(159, "v4-portparams", false, OT_UINT8, OT_PSID),
    DR(162, "v4-dnr", false, OT_UINT16, OT_UINT16, OT_UINT8, OT_FQDN, OT_BINARY),
    DR(212, "option-6rd", true, OT_UINT8, OT_UINT8, OT_IPV6, OT_IPV4),
    D(213, "v4-access-domain", OT_FQDN, false),
};

#define N_DEFS (sizeof(std_defs) / sizeof(std_defs[0]))

const struct opt_def *opt_def_std_by_code(uint8_t code)
{
    size_t lo = 0, hi = N_DEFS;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (std_defs[mid].code == code)
            return &std_defs[mid];
        if (std_defs[mid].code < code)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const struct opt_def *opt_def_std_by_name(const char *name)
{
    if (name == NULL)
        return NULL;
    for (size_t i = 0; i < N_DEFS; i++)
        if (strcmp(std_defs[i].name, name) == 0)
            return &std_defs[i];
    return NULL;
}
