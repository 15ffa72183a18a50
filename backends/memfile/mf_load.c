/*
 * Loading the memfile lease file at open (Kea's LeaseFileLoader semantics):
 * rows are applied in file order, so the last row for an address wins, and a
 * row with valid_lifetime 0 removes the address (that is how a deletion is
 * recorded in an append-only file).
 *
 * Crash artefacts: the commit thread writes whole rows and runs a
 * completion only after fdatasync, so a last line without its newline
 * belongs to a group whose sync never finished; no client was told about it.
 * It is skipped (and counted) even if it happens to parse, and the file is
 * never truncated here: memfile_open rewrites it from what was loaded (so
 * every complete row's effect is kept), or, if that rewrite fails, appends
 * after it starting with a newline (need_newline) so the next row cannot be
 * glued to the fragment.
 */
#include "backends/memfile/memfile_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backends/memfile/lease_csv.h"

#define READ_CHUNK (4u << 20)
#define MAX_WARNINGS 10

struct loader {
    struct memfile *m;
    struct memfile_load_stats *st;
    struct lease_csv_layout lay;
    bool have_header;
    size_t line_no;
    size_t warned;
    int rc;                     /* fatal error (out of memory) */
    struct lease4 lease;        /* scratch, 560 bytes: keep it off the stack */
};

static void bad_row(struct loader *ld, const char *why)
{
    ld->st->skipped++;
    if (ld->warned++ < MAX_WARNINGS)
        mf_log("MEMFILE_LOAD_BAD_ROW", "%s line %zu skipped: %s", ld->m->path, ld->line_no, why);
    else if (ld->warned == MAX_WARNINGS + 1)
        mf_log("MEMFILE_LOAD_BAD_ROW", "%s: further bad rows are not reported one by one",
               ld->m->path);
}

static void data_line(struct loader *ld, const char *line, size_t len)
{
    const char *why = NULL;

    if (len == 0 || (len == 1 && line[0] == '\r'))
        return;     /* blank lines carry nothing */
    ld->st->rows++;
    if (len > LEASE_CSV_LINE_MAX) {
        bad_row(ld, "line too long");
        return;
    }
    if (lease_csv_parse_row(&ld->lay, line, len, &ld->lease, &why) != 0) {
        bad_row(ld, why);
        return;
    }
    if (ld->lease.valid_lft == 0) {
        mf_table_remove(ld->m->table, ld->lease.addr);
    } else if (mf_table_put(ld->m->table, &ld->lease) != 0) {
        ld->rc = LEASE_E_NOMEM;
    }
}

int mf_load(struct memfile *m, uint32_t max_row_errors,
            struct memfile_load_stats *stats, bool *rewrite, char *err, size_t errlen)
{
    struct loader *ld = calloc(1, sizeof(*ld));
    char *buf = malloc(READ_CHUNK);
    size_t len = 0;             /* bytes in buf, all of them one partial line */
    bool skipping = false;      /* inside an over-long line: drop until '\n' */
    bool eof = false;
    int fd = -1, rc = 0;

    *rewrite = false;
    if (ld == NULL || buf == NULL) {
        snprintf(err, errlen, "out of memory");
        rc = LEASE_E_NOMEM;
        goto out;
    }
    ld->m = m;
    ld->st = stats;
    mf_table_begin_load(m->table);

    fd = open(m->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            goto out;           /* a new file: memfile_open creates it */
        snprintf(err, errlen, "cannot open lease file %s: %s", m->path, strerror(errno));
        rc = LEASE_E_IO;
        goto out;
    }

    while (!eof && ld->rc == 0) {
        ssize_t n = read(fd, buf + len, READ_CHUNK - len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            snprintf(err, errlen, "cannot read lease file %s: %s", m->path, strerror(errno));
            rc = LEASE_E_IO;
            goto out;
        }
        if (n == 0) {
            eof = true;
            break;
        }
        size_t end = len + (size_t)n, start = 0;
        const char *nl;
        while (ld->rc == 0 && (nl = memchr(buf + start, '\n', end - start)) != NULL) {
            size_t ll = (size_t)(nl - (buf + start));
            ld->line_no++;
            if (skipping && !ld->have_header) {
                snprintf(err, errlen, "lease file %s: header line too long", m->path);
                rc = LEASE_E_INVALID;
                goto out;
            } else if (skipping) {
                skipping = false;
                ld->st->rows++;
                bad_row(ld, "line too long");
            } else if (!ld->have_header) {
                const char *why = NULL;
                if (lease_csv_parse_header(buf + start, ll, &ld->lay, &why) != 0) {
                    snprintf(err, errlen, "lease file %s: bad header: %s", m->path, why);
                    rc = LEASE_E_INVALID;
                    goto out;
                }
                ld->have_header = true;
                /* An older or foreign layout: rewrite it in ours before we
                 * append rows that would not match its header (Kea too
                 * converts the file on a schema mismatch). */
                if (!ld->lay.current)
                    *rewrite = true;
            } else {
                data_line(ld, buf + start, ll);
            }
            start += ll + 1;
        }
        len = end - start;
        if (skipping || len > LEASE_CSV_LINE_MAX) {
            skipping = true;    /* the line is already too long: drop its bytes */
            len = 0;
        } else {
            memmove(buf, buf + start, len);
        }
    }
    if (ld->rc != 0) {
        snprintf(err, errlen, "out of memory loading %s", m->path);
        rc = ld->rc;
        goto out;
    }

    if (!ld->have_header) {
        /* No complete first line. If it is a prefix of our header, the file
         * was torn while being created: nothing was ever acknowledged from
         * it, so start afresh. Anything else is not ours to overwrite. */
        if (skipping || len > LEASE_CSV_HEADER_LEN ||
            memcmp(buf, lease_csv_header, len) != 0) {
            snprintf(err, errlen, "lease file %s has no valid header line", m->path);
            rc = LEASE_E_INVALID;
            goto out;
        }
        if (len > 0)
            *rewrite = true;
        goto out;
    }
    if (len > 0 || skipping) {
        ld->line_no++;
        ld->st->rows++;
        bad_row(ld, "torn last line (no newline)");
        m->need_newline = true;
    }
    if (max_row_errors > 0 && stats->skipped > max_row_errors) {
        snprintf(err, errlen, "lease file %s: %zu bad rows, more than max-row-errors %u",
                 m->path, stats->skipped, max_row_errors);
        rc = LEASE_E_INVALID;
        goto out;
    }
    if (stats->skipped > 0)
        mf_log("MEMFILE_LOAD_SKIPPED", "%s: %zu of %zu rows skipped", m->path,
               stats->skipped, stats->rows);

out:
    if (fd >= 0)
        close(fd);
    free(buf);
    free(ld);
    if (mf_table_end_load(m->table) != 0 && rc == 0) {
        snprintf(err, errlen, "out of memory indexing %s", m->path);
        rc = LEASE_E_NOMEM;
    }
    stats->leases = mf_table_count(m->table);
    return rc;
}
