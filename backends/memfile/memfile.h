/*
 * memfile: the built-in lease store. All leases live in memory (indexed by
 * address, by hw-address + subnet and by client-id + subnet); every change is
 * appended to a Kea-format lease4 CSV file and fdatasync'd before its
 * completion runs (group commit: one sync for all changes submitted while the
 * previous sync was in progress). Compaction (Kea's LFC) runs in-process on
 * the commit thread: write a new file, fsync, rename over the old one.
 */
#ifndef DORA_BACKENDS_MEMFILE_H
#define DORA_BACKENDS_MEMFILE_H

#include "backends/lease_store.h"

#ifdef __cplusplus
extern "C" {
#endif

struct memfile_params {
    const char *path;          /* lease file; ignored when persist is false */
    bool        persist;       /* false: memory only (perf tests) */
    uint32_t    lfc_interval;  /* seconds between compactions; 0 = never */
    uint32_t    max_row_errors;/* bad rows tolerated at load; 0 = unlimited */
};

struct memfile_load_stats {
    size_t rows;        /* data rows read */
    size_t skipped;     /* malformed rows skipped (torn last line included) */
    size_t leases;      /* leases in memory after the load */
};

/* Open (creating the file if needed) and load it; the last row for an address
 * wins, a row with valid_lifetime 0 deletes the address. A torn last line is
 * skipped with a warning on stderr. Returns 0 or a negative lease_err with a
 * message in err. */
int memfile_open(const struct memfile_params *p, struct lease_store **out,
                 struct memfile_load_stats *stats, char *err, size_t errlen);

/* Compact now (also runs every lfc_interval). Returns 0 or a lease_err. */
int memfile_compact(struct lease_store *s);

#ifdef __cplusplus
}
#endif
#endif
