/*
 * IPv4 address -> client number map for dora-perf: which simulated client
 * holds an address (the -u uniqueness check) and whose MAC answers ARP for
 * it (broadcast mode). Open addressing with linear probing and backward
 * shift deletion: fixed capacity chosen at creation, no allocation after.
 *
 * Not thread safe; the caller serialises access.
 */
#ifndef DORA_PERF_ADDRMAP_H
#define DORA_PERF_ADDRMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct perf_addrmap;

/* Room for at least max_entries addresses (table kept at most half full).
 * NULL when out of memory. */
struct perf_addrmap *perf_addrmap_new(size_t max_entries);
void perf_addrmap_free(struct perf_addrmap *m);

/* Owner of addr, or -1 when nobody holds it. addr 0 is never stored. */
int64_t perf_addrmap_get(const struct perf_addrmap *m, uint32_t addr);

/* Make client the holder of addr (replacing any holder). Returns 0, or -1
 * when the map is full or addr is 0. */
int perf_addrmap_set(struct perf_addrmap *m, uint32_t addr, uint32_t client);

/* Forget addr if client holds it. Returns true when removed. */
bool perf_addrmap_del(struct perf_addrmap *m, uint32_t addr, uint32_t client);

size_t perf_addrmap_count(const struct perf_addrmap *m);

#ifdef __cplusplus
}
#endif
#endif
