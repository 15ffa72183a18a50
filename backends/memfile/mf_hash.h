/*
 * Keyed hashing for memfile's in-memory indexes. hw-addresses and client-ids
 * come from the network, so a fixed hash would let a client flood one bucket
 * with colliding identifiers; SipHash-1-3 under a per-table random key
 * prevents that. Addresses are chosen by the server, so a cheap keyed integer
 * mixer is enough for them.
 */
#ifndef DORA_BACKENDS_MEMFILE_MF_HASH_H
#define DORA_BACKENDS_MEMFILE_MF_HASH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* SipHash-1-3 (Aumasson & Bernstein) of data under the 128-bit key k. */
uint64_t mf_siphash13(const uint64_t k[2], const void *data, size_t len);

/* Keyed 64-bit finaliser (splitmix64) for 32-bit keys. */
static inline uint64_t mf_hash_u32(uint32_t x, uint64_t seed)
{
    uint64_t z = (uint64_t)x ^ seed;

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Fill k with random key material (getrandom; falls back to a weaker
 * time/address mix if the kernel has no entropy source for us). */
void mf_hash_seed(uint64_t *k, size_t n);

#ifdef __cplusplus
}
#endif
#endif
