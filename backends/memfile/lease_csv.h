/*
 * Kea's lease4 CSV row format (memfile lease file), read and written.
 *
 * Columns (Kea 3.0, csv_lease_file4): address, hwaddr, client_id,
 * valid_lifetime, expire, subnet_id, fqdn_fwd, fqdn_rev, hostname, state,
 * user_context, pool_id. Older files stop after hostname (schema 1.0), state
 * (2.0) or user_context (2.1); missing state and pool_id read as 0. Columns
 * are mapped by their header name, so any order and unknown extra columns are
 * accepted on read; we always write the full current header.
 *
 * Field encodings:
 *  - hwaddr and client_id: hex octets joined by ':' ("aa:bb:cc"); client_id
 *    may be empty. On read, 1- or 2-digit octets and plain even-length hex
 *    without separators are accepted as well.
 *  - expire = cltt + valid_lifetime as a 64-bit decimal; cltt is derived on
 *    read. An infinite lifetime (0xffffffff) is written the same way, i.e.
 *    expire = cltt + 4294967295 (what Kea's memfile writes: it adds the two as
 *    64-bit values). It never overflows and reads back to the same cltt.
 *  - hostname: Kea's CSV escaping: ',' , '&', control characters and bytes
 *    >= 0x7f are written as "&#x" + two hex digits; on read any "&#xHH" is
 *    decoded and a "&#x" not followed by two hex digits is kept literally.
 *  - user_context: always written empty; ignored on read (dora keeps no user
 *    context on memfile leases).
 *
 * Pure functions over byte buffers; thread-safe.
 */
#ifndef DORA_BACKENDS_MEMFILE_LEASE_CSV_H
#define DORA_BACKENDS_MEMFILE_LEASE_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backends/lease_store.h"

#ifdef __cplusplus
extern "C" {
#endif

enum lease_csv_col {
    LEASE_CSV_ADDRESS,
    LEASE_CSV_HWADDR,
    LEASE_CSV_CLIENT_ID,
    LEASE_CSV_VALID_LIFETIME,
    LEASE_CSV_EXPIRE,
    LEASE_CSV_SUBNET_ID,
    LEASE_CSV_FQDN_FWD,
    LEASE_CSV_FQDN_REV,
    LEASE_CSV_HOSTNAME,
    LEASE_CSV_STATE,
    LEASE_CSV_USER_CONTEXT,
    LEASE_CSV_POOL_ID,
    LEASE_CSV_NCOLS
};

/* The header we write (no trailing newline). */
#define LEASE_CSV_HEADER                                                \
    "address,hwaddr,client_id,valid_lifetime,expire,subnet_id,"         \
    "fqdn_fwd,fqdn_rev,hostname,state,user_context,pool_id"
#define LEASE_CSV_HEADER_LEN (sizeof(LEASE_CSV_HEADER) - 1)
extern const char lease_csv_header[];

/* Column names, indexed by enum lease_csv_col. */
extern const char *const lease_csv_col_name[LEASE_CSV_NCOLS];

/* Longest row lease_csv_format_row() can produce, newline included. */
#define LEASE_CSV_ROW_MAX 4096

/* Longest line the reader accepts (Kea rows with a large user_context can be
 * much longer than ours). */
#define LEASE_CSV_LINE_MAX (64 * 1024)

/* Where each known column sits in the rows of one file. */
struct lease_csv_layout {
    int16_t  pos[LEASE_CSV_NCOLS]; /* field index, -1 when the column is absent */
    uint16_t ncols;                /* fields per row (the header's count) */
    bool     current;              /* header is exactly lease_csv_header */
};

/* Parse a header line (without its newline; a trailing '\r' is ignored).
 * Every column of schema 1.0 (address .. hostname) must be present; state,
 * user_context and pool_id are optional; unknown names are tolerated (their
 * fields are skipped). Returns 0 or LEASE_E_INVALID with *why set. */
int lease_csv_parse_header(const char *line, size_t len,
                           struct lease_csv_layout *lay, const char **why);

/* Parse one data row (without its newline) laid out as `lay` says.
 * Fills every field of *out (client_id and hostname only up to their
 * lengths; hostname is NUL-terminated). Returns 0 or LEASE_E_INVALID with
 * *why set to a static reason. */
int lease_csv_parse_row(const struct lease_csv_layout *lay,
                        const char *line, size_t len,
                        struct lease4 *out, const char **why);

/* Format a lease as one row of the current layout, '\n' included.
 * Returns the length, or 0 if cap is too small (LEASE_CSV_ROW_MAX always
 * suffices) or the lease cannot be represented (hwaddr too long, or
 * cltt + valid_lft negative). */
size_t lease_csv_format_row(const struct lease4 *l, char *buf, size_t cap);

/* Kea CSV escaping of a text field. Returns the escaped length (0 for an
 * empty input), or 0 when cap is too small (5 * len + 1 always suffices);
 * out is NUL-terminated. */
size_t lease_csv_escape(const char *in, size_t len, char *out, size_t cap);

/* Inverse of lease_csv_escape. Returns the decoded length, or -1 when it
 * would exceed cap; out is NOT NUL-terminated. */
long lease_csv_unescape(const char *in, size_t len, char *out, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
