/* Formatting helpers of the shipped hook libraries; see lib_util.h. */
#include "hooks/lib_util.h"

#include <stdio.h>

void lib_fmt_ip(uint32_t a, char out[16])
{
    snprintf(out, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

void lib_fmt_hex(const uint8_t *p, size_t n, char *out, size_t cap)
{
    size_t k = 0;
    if (cap)
        out[0] = '\0';
    for (size_t i = 0; i < n && k + 4 < cap; i++)
        k += (size_t)snprintf(out + k, cap - k, i ? ":%02x" : "%02x", p[i]);
}

const char *lib_msg_type_name(uint8_t t)
{
    static const char *const names[] = { "UNKNOWN", "DHCPDISCOVER", "DHCPOFFER", "DHCPREQUEST",
                                         "DHCPDECLINE", "DHCPACK", "DHCPNAK", "DHCPRELEASE",
                                         "DHCPINFORM" };
    return t < sizeof(names) / sizeof(names[0]) ? names[t] : "UNKNOWN";
}

const char *lib_lease_state_name(uint32_t s)
{
    static const char *const names[] = { "default", "declined", "expired-reclaimed", "released" };
    return s < 4 ? names[s] : "unknown";
}
