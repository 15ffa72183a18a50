/*
 * Leases as the lease commands print and read them (Kea's Lease4 JSON):
 * {"ip-address", "hw-address", "client-id" (omitted when empty),
 *  "valid-lft", "cltt", "subnet-id", "pool-id" (omitted when 0), "fqdn-fwd",
 *  "fqdn-rev", "hostname", "state"}.
 */
#ifndef DORA_SERVER_LEASE_JSON_H
#define DORA_SERVER_LEASE_JSON_H

#include <stdint.h>

#include "server/ctrl_cmd.h"

struct json_object *lease_to_json(const struct lease4 *l);

/* The lease of a lease4-add / lease4-update request (Kea §17.15.1):
 * ip-address and hw-address required; subnet-id 0/absent = the configured
 * subnet holding the address, else it must be configured and hold it;
 * valid-lft defaults to the subnet's; expire (unix s) defaults to now +
 * valid-lft; hostname required when fqdn-fwd/-rev is true; state 0..3;
 * pool-id defaults to the pool holding the address. 0, or -1 with the
 * answer set to an error naming the argument. */
int lease_from_json(const struct cfg4 *cfg, struct json_object *args, int64_t now,
                    struct lease4 *out, struct ctrl_answer *ans);

#endif
