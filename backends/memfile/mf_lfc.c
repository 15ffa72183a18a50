/*
 * In-process lease file compaction (Kea's LFC, without the kea-lfc process):
 * write every lease in memory to <path>.tmp, fsync it, rename it over
 * <path>, fsync the directory, and reopen <path> for appending.
 *
 * Why no change is lost. Compaction runs on the commit thread between two
 * groups, so every row of earlier groups is already in the old file and the
 * pending buffer keeps filling meanwhile; its rows are appended to the NEW
 * file afterwards. The snapshot takes one address stripe at a time under its
 * lock; changes are applied to memory and appended to the pending buffer in
 * one critical section of that same lock. Take any address A and let t_A be
 * the moment its stripe is copied:
 *  - every change to A made before t_A is in memory at t_A, so the snapshot
 *    holds A's state after the last of them (or omits A if it was deleted);
 *  - every change to A made after t_A sits in the pending buffer and is
 *    appended after the snapshot, in the order it was made.
 * Rows of A that were pending at t_A but made before it are appended too;
 * they are older than the snapshot row, but they are always followed by the
 * newest change to A (pending rows of one address are a suffix of its
 * history, in order), so with last-row-wins the file still ends with A's
 * newest state. Deletion rows for addresses missing from the snapshot remove
 * nothing. Hence the new file loads to exactly the state in memory once the
 * pending rows are written.
 *
 * Crash safety: before the rename <path> is the old, complete file; <path>.tmp
 * is fsync'd before the rename, so after it <path> is a complete new file.
 * The directory is fsync'd BEFORE anything is appended to the new file, so an
 * acknowledged append can never end up in an inode the directory forgot.
 *
 * Workers are never blocked for long: each stripe (about 1/256 of the
 * leases) is locked only while its rows are formatted into memory; the
 * write() happens after the lock is released.
 */
#include "backends/memfile/memfile_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backends/memfile/lease_csv.h"

#define FLUSH_AT (1u << 20)

struct snap {
    char *buf;
    size_t len, cap;
    int err;
};

static int snap_reserve(struct snap *sn, size_t more)
{
    if (sn->len + more <= sn->cap)
        return 0;
    size_t nc = sn->cap ? sn->cap : FLUSH_AT + LEASE_CSV_ROW_MAX;
    while (nc < sn->len + more)
        nc *= 2;
    char *nb = realloc(sn->buf, nc);
    if (nb == NULL)
        return LEASE_E_NOMEM;
    sn->buf = nb;
    sn->cap = nc;
    return 0;
}

/* Called under the stripe lock: format only. */
static int snap_row(const struct lease4 *l, void *ctx)
{
    struct snap *sn = ctx;

    /* valid_lifetime 0 reads back as "deleted"; writing it is pointless. */
    if (l->valid_lft == 0)
        return 0;
    if (snap_reserve(sn, LEASE_CSV_ROW_MAX) != 0) {
        sn->err = LEASE_E_NOMEM;
        return 1;
    }
    size_t n = lease_csv_format_row(l, sn->buf + sn->len, sn->cap - sn->len);
    if (n == 0) {
        /* Cannot happen for a lease that passed submit's validation. */
        mf_log("MEMFILE_LFC_ROW", "lease %u.%u.%u.%u cannot be formatted; dropped",
               l->addr >> 24, (l->addr >> 16) & 255, (l->addr >> 8) & 255, l->addr & 255);
        return 0;
    }
    sn->len += n;
    return 0;
}

int mf_compact_now(struct memfile *m)
{
    struct snap sn = { NULL, 0, 0, 0 };
    int fd, rc = LEASE_E_IO, e;
    const char *what = "";

    fd = open(m->tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        e = errno;
        what = "open";
        goto fail;
    }
    if (snap_reserve(&sn, LEASE_CSV_HEADER_LEN + 1) != 0) {
        rc = LEASE_E_NOMEM;
        e = ENOMEM;
        what = "buffer";
        goto fail;
    }
    memcpy(sn.buf, lease_csv_header, LEASE_CSV_HEADER_LEN);
    sn.buf[LEASE_CSV_HEADER_LEN] = '\n';
    sn.len = LEASE_CSV_HEADER_LEN + 1;

    for (unsigned i = 0; i < MF_TABLE_STRIPES; i++) {
        mf_table_visit_stripe(m->table, i, snap_row, &sn);
        if (sn.err != 0) {
            rc = sn.err;
            e = ENOMEM;
            what = "buffer";
            goto fail;
        }
        if (sn.len >= FLUSH_AT || i == MF_TABLE_STRIPES - 1) {
            int w = mf_write_all(fd, sn.buf, sn.len);
            if (w != 0) {
                e = -w;
                what = "write";
                goto fail;
            }
            sn.len = 0;
        }
    }
    if (fsync(fd) != 0) {
        e = errno;
        what = "fsync";
        goto fail;
    }
    if (close(fd) != 0) {
        fd = -1;
        e = errno;
        what = "close";
        goto fail;
    }
    fd = -1;
    if (rename(m->tmp_path, m->path) != 0) {
        e = errno;
        what = "rename";
        goto fail;
    }
    free(sn.buf);
    sn.buf = NULL;

    /* The old file is gone now; from here on a failure leaves the store
     * "suspect" so nothing is acknowledged until a rewrite succeeds. */
    bool ok = true;
    if (fsync(m->dirfd) != 0) {
        mf_log("MEMFILE_LFC_FAIL", "fsync of directory %s: %s", m->dir, strerror(errno));
        ok = false;
    }
    int nfd = open(m->path, O_WRONLY | O_APPEND | O_CLOEXEC);
    if (nfd < 0) {
        mf_log("MEMFILE_LFC_FAIL", "reopen %s: %s", m->path, strerror(errno));
        ok = false;
    }
    if (m->fd >= 0)
        close(m->fd);
    m->fd = nfd;
    m->need_newline = false;
    if (!ok) {
        m->suspect = true;
        return LEASE_E_IO;
    }
    /* The file now matches memory, whatever an earlier failure lost. */
    m->suspect = false;
    atomic_fetch_add(&m->compactions, 1);
    return 0;

fail:
    mf_log("MEMFILE_LFC_FAIL", "compaction of %s failed (%s: %s); keeping the old file",
           m->path, what, strerror(e));
    if (fd >= 0)
        close(fd);
    unlink(m->tmp_path);
    free(sn.buf);
    return rc;
}
