/*
 * Test-only accessors of the memfile store (kept out of memfile.h so that no
 * production caller depends on them). `s` must come from memfile_open().
 */
#ifndef DORA_BACKENDS_MEMFILE_MEMFILE_PRIV_H
#define DORA_BACKENDS_MEMFILE_MEMFILE_PRIV_H

#include <stdint.h>

#include "backends/lease_store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Successful fdatasync() calls that made a commit group durable. */
uint64_t memfile_sync_count(struct lease_store *s);

/* Successful compactions (rewrite + rename) since open. */
uint64_t memfile_compaction_count(struct lease_store *s);

#ifdef __cplusplus
}
#endif
#endif
