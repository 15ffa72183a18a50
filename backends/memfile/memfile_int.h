/*
 * memfile internals shared by memfile.c (the store and its commit thread),
 * mf_load.c (reading the lease file at open), mf_lfc.c (compaction) and
 * mf_file.c (file helpers). Not for use outside backends/memfile/.
 */
#ifndef DORA_BACKENDS_MEMFILE_MEMFILE_INT_H
#define DORA_BACKENDS_MEMFILE_MEMFILE_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "backends/memfile/memfile.h"
#include "backends/memfile/mf_table.h"

struct mf_completion {
    lease_done_fn fn;
    void *ctx;
};

/* One commit group: the CSV rows of its changes and their completions, in
 * submission order. Two of them alternate (double buffering): workers fill
 * one while the commit thread writes and syncs the other. */
struct mf_group {
    char *buf;
    size_t len, cap;
    struct mf_completion *c;
    size_t n, ccap;
    uint64_t last_seq;          /* sequence number of its last submission */
};

struct memfile {
    struct lease_store base;    /* first: a struct lease_store * is a struct memfile * */
    struct mf_table *table;
    bool persist;
    uint32_t lfc_interval;
    char *path, *tmp_path, *dir;

    /* Owned by the commit thread once it runs (by memfile_open before). */
    int fd;                     /* lease file, O_APPEND; -1 if unusable */
    int dirfd;                  /* its directory, for fsync after rename */
    bool need_newline;          /* the file does not end in '\n' (torn tail) */
    bool suspect;               /* a write/sync failed: the file may have lost
                                   data, rewrite it from memory before
                                   acknowledging anything else */
    int64_t last_recovery_ms;   /* monotonic time of the last rewrite attempt */
    struct timespec next_lfc;   /* CLOCK_MONOTONIC */

    /* Guarded by mu. */
    pthread_mutex_t mu;
    pthread_cond_t work_cv;     /* commit thread: work arrived */
    pthread_cond_t done_cv;     /* flush/compact waiters: progress */
    struct mf_group group[2];
    int pending;                /* index of the group being filled */
    uint64_t submitted;         /* last sequence number handed out */
    uint64_t completed;         /* every submission <= this has completed */
    uint64_t failed_upto;       /* last sequence number of a failed group */
    uint64_t flush_mark;        /* submissions covered by earlier flush() calls */
    uint64_t compact_req, compact_done;
    int compact_rc;
    bool idle;                  /* commit thread is waiting on work_cv */
    bool stop;

    pthread_t thread;
    bool thread_started;
    atomic_bool closing;
    atomic_uint_fast64_t syncs;         /* successful fdatasync() of groups */
    atomic_uint_fast64_t compactions;   /* successful compactions */
};

/* mf_file.c */
int  mf_mkdir_p(const char *dir, char *err, size_t errlen);
/* write() all of it (EINTR and short writes handled); 0 or -errno. */
int  mf_write_all(int fd, const void *buf, size_t len);
int64_t mf_mono_ms(void);
void mf_log(const char *id, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* mf_load.c: read m->path into m->table (the file may be missing), using
 * the table's bulk-load mode (only valid before the store is published).
 * *rewrite is set when the file must be rewritten before appending to it
 * (old or foreign header, or a torn header); m->need_newline is set when
 * the file ends in a torn line. 0 or a lease_err with err filled in. */
int mf_load(struct memfile *m, uint32_t max_row_errors,
            struct memfile_load_stats *stats, bool *rewrite, char *err, size_t errlen);

/* mf_lfc.c: write every lease in memory to <path>.tmp, fsync it, rename it
 * over <path>, fsync the directory and reopen <path> for appending. Runs on
 * the commit thread (or in memfile_open before it starts). 0 or LEASE_E_IO /
 * LEASE_E_NOMEM; on failure before the rename the old file is untouched. */
int mf_compact_now(struct memfile *m);

#endif
