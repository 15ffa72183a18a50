/*
 * Text for the lease store result codes (backends/lease_store.h), shared by
 * memfile and the SQL modules so that log lines read the same everywhere.
 */
#include "backends/lease_store.h"

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
