/*
 * Text for the lease store result codes (backends/lease_store.h), shared by
 * memfile and the SQL modules so that log lines read the same everywhere.
 */
#include "backends/lease_store.h"

#include <string.h>

const char *lease_strerror(int err)
{
    switch (err) {
    case LEASE_OK:          return "success";
    case LEASE_E_NOT_FOUND: return "lease not found";
    case LEASE_E_CONFLICT:  return "lease conflict (address taken or lease changed)";
    case LEASE_E_IO:        return "lease storage I/O error (change not durable)";
    case LEASE_E_NOMEM:     return "out of memory";
    case LEASE_E_INVALID:   return "invalid lease or request";
    case LEASE_E_CLOSED:    return "lease store closed";
    default:                return "unknown lease store error";
    }
}

static bool lease_valid(const struct lease4 *l)
{
    return l->addr != 0 && l->hwaddr_len <= LEASE_HWADDR_MAX &&
           l->state <= LEASE_STATE_RELEASED &&
           memchr(l->hostname, '\0', sizeof(l->hostname)) != NULL &&
           /* keeps cltt + valid_lft (and a stored expire) from overflowing */
           l->cltt >= 0 && l->cltt <= INT64_MAX - (int64_t)UINT32_MAX;
}

int lease_submit_check(enum lease_op op, const struct lease4 *lease,
                       const struct lease4 *old, const struct lease4 **expected)
{
    *expected = NULL;
    if (lease == NULL || !lease_valid(lease))
        return LEASE_E_INVALID;
    switch (op) {
    case LEASE_OP_ADD:
        return LEASE_OK;
    case LEASE_OP_UPDATE:
        if (old == NULL || old->addr != lease->addr)
            return LEASE_E_INVALID;
        *expected = old;
        return LEASE_OK;
    case LEASE_OP_DELETE:
        /* `old` is the version expected in the store; without it, `lease`
         * itself is (both describe the same lease for a plain delete). */
        if (old != NULL && old->addr != lease->addr)
            return LEASE_E_INVALID;
        *expected = old != NULL ? old : lease;
        return LEASE_OK;
    default:
        return LEASE_E_INVALID;
    }
}
