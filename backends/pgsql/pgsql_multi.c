/*
 * Multi-row ADD for the PostgreSQL batch: a run of inserts becomes ONE
 * statement, INSERT ... SELECT FROM unnest(<one array per column>) ON
 * CONFLICT ... RETURNING address, instead of one statement each. PostgreSQL
 * then plans, starts and finishes an executor once per run rather than once
 * per lease, which is most of its CPU per lease at high rates. The rows it
 * returns are the addresses that went in; any other op of the run lost its
 * address to an unexpired lease (a conflict), exactly as the single-row
 * statement reports 0 rows.
 *
 * A run holds distinct addresses only (ON CONFLICT cannot touch a row twice
 * in one statement), so it never reorders two changes of one address.
 * Arrays are sent as text literals: integers, booleans and bytea in hex
 * ("\\x..."), double-quoted.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/pgsql/pgsql_int.h"

struct sbuf {
    char  *p;
    size_t n, cap;
    bool   oom;
};

static void sb_reserve(struct sbuf *b, size_t more)
{
    if (b->oom || b->n + more + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->n + more + 1)
        cap *= 2;
    char *np = realloc(b->p, cap);
    if (np == NULL) {
        b->oom = true;
        return;
    }
    b->p = np;
    b->cap = cap;
}

static void sb_putc(struct sbuf *b, char c)
{
    sb_reserve(b, 1);
    if (!b->oom) {
        b->p[b->n++] = c;
        b->p[b->n] = '\0';
    }
}

static void sb_int(struct sbuf *b, int64_t v)
{
    char num[24];
    int k = snprintf(num, sizeof(num), "%lld", (long long)v);
    sb_reserve(b, (size_t)k);
    if (!b->oom) {
        memcpy(b->p + b->n, num, (size_t)k + 1);
        b->n += (size_t)k;
    }
}

/* "\\x0a0b": the backslash doubled inside a quoted array element. */
static void sb_bytea(struct sbuf *b, const uint8_t *v, size_t len)
{
    static const char hexd[] = "0123456789abcdef";
    sb_reserve(b, 6 + 2 * len);
    if (b->oom)
        return;
    char *o = b->p + b->n;
    *o++ = '"';
    *o++ = '\\';
    *o++ = '\\';
    *o++ = 'x';
    for (size_t i = 0; i < len; i++) {
        *o++ = hexd[v[i] >> 4];
        *o++ = hexd[v[i] & 15];
    }
    *o++ = '"';
    *o = '\0';
    b->n = (size_t)(o - b->p);
}

size_t pg_add_run(const struct sql_op *ops, size_t n)
{
    size_t k = 0;
    while (k < n && k < PG_ADD_RUN_MAX && ops[k].op == LEASE_OP_ADD) {
        for (size_t j = 0; j < k; j++)
            if (ops[j].lease.addr == ops[k].lease.addr)
                return k;
        k++;
    }
    return k;
}

enum { C_ADDR, C_HW, C_CID, C_VALID, C_EXPIRE, C_SUBNET, C_POOL, C_FWD, C_REV, C_HOST, C_STATE, C_N };

bool pg_send_add_run(PGconn *db, const char *stmt, const struct sql_op *ops, size_t n, int64_t now)
{
    struct sbuf col[C_N + 1];
    const char *values[C_N + 1];
    bool ok = true;

    memset(col, 0, sizeof(col));
    for (int c = 0; c < C_N; c++)
        sb_putc(&col[c], '{');
    for (size_t i = 0; i < n; i++) {
        const struct lease4 *l = &ops[i].lease;
        if (i)
            for (int c = 0; c < C_N; c++)
                sb_putc(&col[c], ',');
        sb_int(&col[C_ADDR], l->addr);
        sb_bytea(&col[C_HW], l->hwaddr, l->hwaddr_len);
        sb_bytea(&col[C_CID], l->client_id, l->client_id_len);
        sb_int(&col[C_VALID], l->valid_lft);
        sb_int(&col[C_EXPIRE], sql_expire(l));
        sb_int(&col[C_SUBNET], l->subnet_id);
        sb_int(&col[C_POOL], l->pool_id);
        sb_putc(&col[C_FWD], l->fqdn_fwd ? 't' : 'f');
        sb_putc(&col[C_REV], l->fqdn_rev ? 't' : 'f');
        sb_bytea(&col[C_HOST], (const uint8_t *)l->hostname, strnlen(l->hostname, LEASE_HOSTNAME_MAX));
        sb_int(&col[C_STATE], l->state);
    }
    for (int c = 0; c < C_N; c++) {
        sb_putc(&col[c], '}');
        ok = ok && !col[c].oom;
        values[c] = col[c].p;
    }
    sb_int(&col[C_N], now);
    ok = ok && !col[C_N].oom;
    values[C_N] = col[C_N].p;
    /* Text parameters; the one result column (address) in binary. libpq
     * copies the parameters into its output buffer here. */
    if (ok)
        ok = PQsendQueryPrepared(db, stmt, C_N + 1, values, NULL, NULL, 1) == 1;
    for (int c = 0; c <= C_N; c++)
        free(col[c].p);
    return ok;
}

void pg_mark_add_run(const PGresult *r, struct sql_op *ops, size_t n)
{
    /* Rows come back in no promised order: mark every op a conflict, then
     * clear the ones whose address was returned. */
    for (size_t i = 0; i < n; i++)
        ops[i].result = LEASE_E_CONFLICT;
    for (int row = 0; row < PQntuples(r); row++) {
        const unsigned char *v = (const unsigned char *)PQgetvalue(r, row, 0);
        if (PQgetlength(r, row, 0) != 8)
            continue;
        uint64_t a = 0;
        for (int b = 0; b < 8; b++)
            a = a << 8 | v[b];
        for (size_t i = 0; i < n; i++)
            if (ops[i].lease.addr == a) {
                ops[i].result = LEASE_OK;
                break;
            }
    }
}
