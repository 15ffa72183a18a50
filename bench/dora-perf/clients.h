/*
 * The simulated client population of dora-perf: client n has MAC
 * base + n (48-bit arithmetic), a lease word (address and server
 * identifier of its current lease, 0 when it holds none), the server's
 * MAC in broadcast mode, and a queue of bound clients from which renewals
 * (-f) and releases (-F) are drawn, oldest lease first.
 *
 * Thread safety: lease words and server MACs are atomics any thread may
 * read or write; the bound queue has its own mutex.
 */
#ifndef DORA_PERF_CLIENTS_H
#define DORA_PERF_CLIENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct perf_clients;

/* n clients from base_mac; the bound queue holds up to n entries.
 * NULL when out of memory or n is 0. */
struct perf_clients *perf_clients_new(uint32_t n, const uint8_t base_mac[6]);
void perf_clients_free(struct perf_clients *cl);
uint32_t perf_clients_count(const struct perf_clients *cl);

void perf_client_mac(const struct perf_clients *cl, uint32_t idx, uint8_t mac[6]);
/* The client whose MAC this is, or -1. */
int64_t perf_client_of_mac(const struct perf_clients *cl, const uint8_t mac[6]);

/* Lease: address and server identifier (host order); both 0 = none. */
void perf_client_set_lease(struct perf_clients *cl, uint32_t idx, uint32_t addr, uint32_t srvid);
bool perf_client_lease(const struct perf_clients *cl, uint32_t idx, uint32_t *addr, uint32_t *srvid);
/* Drop the lease only if it is still (addr, srvid); true when dropped. */
bool perf_client_drop_lease(struct perf_clients *cl, uint32_t idx, uint32_t addr, uint32_t srvid);

/* Broadcast mode: the server's MAC as seen in its last reply (false if none yet). */
void perf_client_set_server_mac(struct perf_clients *cl, uint32_t idx, const uint8_t mac[6]);
bool perf_client_server_mac(const struct perf_clients *cl, uint32_t idx, uint8_t mac[6]);

/* Requests of this client in flight: a client does one thing at a time
 * when it can (new exchanges, renewals and releases skip busy clients
 * while others are free), since servers serialise, or drop, concurrent
 * requests from one client. */
void     perf_client_busy_add(struct perf_clients *cl, uint32_t idx, int delta);
uint32_t perf_client_busy(const struct perf_clients *cl, uint32_t idx);

/* Bound queue. push returns -1 when full; pop returns the oldest client
 * or -1 when empty. */
int     perf_clients_push_bound(struct perf_clients *cl, uint32_t idx);
int64_t perf_clients_pop_bound(struct perf_clients *cl);

#ifdef __cplusplus
}
#endif
#endif
