/*
 * SipHash-1-3 and key seeding for the memfile indexes (see mf_hash.h).
 * Written from the SipHash paper's description: 64-bit state v0..v3, one
 * compression round per 8-byte little-endian word, the length in the top
 * byte of the last word, three finalisation rounds.
 */
#include "backends/memfile/mf_hash.h"

#include <string.h>
#include <sys/random.h>
#include <time.h>

static inline uint64_t rotl(uint64_t x, int b)
{
    return (x << b) | (x >> (64 - b));
}

#define SIPROUND(v0, v1, v2, v3)                                    \
    do {                                                            \
        v0 += v1; v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32);   \
        v2 += v3; v3 = rotl(v3, 16); v3 ^= v2;                      \
        v0 += v3; v3 = rotl(v3, 21); v3 ^= v0;                      \
        v2 += v1; v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32);   \
    } while (0)

static inline uint64_t load_le64(const uint8_t *p)
{
    return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
           (uint64_t)p[3] << 24 | (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 |
           (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
}

uint64_t mf_siphash13(const uint64_t k[2], const void *data, size_t len)
{
    const uint8_t *p = data;
    uint64_t v0 = k[0] ^ 0x736f6d6570736575ull;
    uint64_t v1 = k[1] ^ 0x646f72616e646f6dull;
    uint64_t v2 = k[0] ^ 0x6c7967656e657261ull;
    uint64_t v3 = k[1] ^ 0x7465646279746573ull;
    size_t full = len & ~(size_t)7;
    uint64_t m;

    for (size_t i = 0; i < full; i += 8) {
        m = load_le64(p + i);
        v3 ^= m;
        SIPROUND(v0, v1, v2, v3);
        v0 ^= m;
    }
    m = (uint64_t)len << 56;
    for (size_t i = 0; i < (len & 7); i++)
        m |= (uint64_t)p[full + i] << (8 * i);
    v3 ^= m;
    SIPROUND(v0, v1, v2, v3);
    v0 ^= m;

    v2 ^= 0xff;
    SIPROUND(v0, v1, v2, v3);
    SIPROUND(v0, v1, v2, v3);
    SIPROUND(v0, v1, v2, v3);
    return v0 ^ v1 ^ v2 ^ v3;
}

void mf_hash_seed(uint64_t *k, size_t n)
{
    size_t want = n * sizeof(*k);
    ssize_t got = getrandom(k, want, GRND_NONBLOCK);

    if (got != (ssize_t)want) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32) ^ (uintptr_t)k;
        for (size_t i = 0; i < n; i++) {
            x += 0x9e3779b97f4a7c15ull;
            k[i] = mf_hash_u32((uint32_t)i, x);
        }
    }
}
