/*
 * Formatting helpers shared by the shipped hook libraries (compiled into
 * each; they link against nothing of dorad but <dora/hooks.h>).
 */
#ifndef DORA_HOOKS_LIB_UTIL_H
#define DORA_HOOKS_LIB_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include <dora/hooks.h>

/* "192.0.2.1" into out[16]. */
void lib_fmt_ip(uint32_t a, char out[16]);
/* "aa:bb:cc" into out (cap bytes). */
void lib_fmt_hex(const uint8_t *p, size_t n, char *out, size_t cap);
/* Kea's message type name: "DHCPREQUEST", or "UNKNOWN". */
const char *lib_msg_type_name(uint8_t t);
/* Kea's lease state name: "default", "declined", "expired-reclaimed", "released". */
const char *lib_lease_state_name(uint32_t s);

#endif
