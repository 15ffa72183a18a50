/*
 * DHCPv4 option definitions: the standard "dhcp4" space with Kea's names,
 * codes and types (Kea ARM §9.2.10 / spec kea-dhcp4.md §1.7), custom
 * definitions from option-def, and the conversion of option-data text
 * (csv-format true) or hex (csv-format false) into wire bytes.
 */
#ifndef DORA_WIRE_OPTION_DEFS_H
#define DORA_WIRE_OPTION_DEFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum opt_type {
    OT_NONE = 0,   /* terminator of a record field list */
    OT_EMPTY, OT_BINARY, OT_BOOLEAN,
    OT_UINT8, OT_UINT16, OT_UINT32, OT_INT8, OT_INT16, OT_INT32,
    OT_IPV4, OT_IPV6, OT_IPV6_PREFIX, OT_PSID,
    OT_STRING, OT_FQDN, OT_TUPLE, OT_RECORD,
    OT_INTERNAL    /* managed by the server itself; not configurable */
};

#define OPT_DEF_MAX_FIELDS 8

struct opt_def {
    uint8_t        code;
    char           name[64];
    char           space[64];        /* "dhcp4" for the standard space; 64 so
                                        "vendor-encapsulated-options-space" fits */
    enum opt_type  type;
    bool           array;            /* an array of `type` (or of the last record field) */
    enum opt_type  fields[OPT_DEF_MAX_FIELDS]; /* record types, OT_NONE-terminated */
    char           encapsulate[64];  /* "" when none */
};

/* Type name as in Kea's option-def ("uint8", "ipv4-address", ...), and back.
 * opt_type_from_name returns OT_NONE for an unknown name. */
const char   *opt_type_name(enum opt_type t);
enum opt_type opt_type_from_name(const char *name);

/* The standard dhcp4 space. NULL when not defined. */
const struct opt_def *opt_def_std_by_code(uint8_t code);
const struct opt_def *opt_def_std_by_name(const char *name);

/* Encode option-data "data" with csv-format true according to def (comma
 * separated values; "\\," is a literal comma inside a string value).
 * Writes at most cap bytes to out and the length to *len.
 * Returns 0, or -1 with a plain reason in err (e.g. "'1.2.3' is not an IPv4
 * address"). */
int opt_encode_csv(const struct opt_def *def, const char *text,
                   uint8_t *out, size_t cap, size_t *len,
                   char *err, size_t errlen);

/* Encode csv-format false data: "ab:cd:ef", "ab cd ef", "0xabcdef",
 * "abcdef" or 'quoted text'. Empty string gives length 0.
 * Returns 0 or -1 with a reason in err. */
int opt_encode_hex(const char *text, uint8_t *out, size_t cap, size_t *len,
                   char *err, size_t errlen);

/* Hex helpers shared by the lease file, logs and config.
 * hex_format writes "aa:bb:cc" (sep ':'), or "aabbcc" (sep 0); out needs
 * 3*len bytes; returns the string length. hex_parse accepts "aa:bb:cc",
 * "aabbcc" and "aa-bb-cc"; returns the byte count or -1. */
size_t hex_format(const uint8_t *in, size_t len, char sep, char *out);
int    hex_parse(const char *text, uint8_t *out, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
