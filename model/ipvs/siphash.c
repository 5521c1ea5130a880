/* SipHash-c-d (Aumasson & Bernstein), the kernel's lib/siphash.c (siphash,
 * hsiphash), written from the paper's description: four
 * 64-bit words of state keyed from the constants "somepseudorandomlygeneratedbytes",
 * c rounds per 8-byte block, the length in the top byte of the last block, 0xff into
 * v2, d finalisation rounds, and the xor of the four words as the result. */
#include "model/ipvs/siphash.h"

#define SIP_C0 0x736f6d6570736575ULL
#define SIP_C1 0x646f72616e646f6dULL
#define SIP_C2 0x6c7967656e657261ULL
#define SIP_C3 0x7465646279746573ULL

static inline uint64_t rotl64(uint64_t x, unsigned b)
{
    return (x << b) | (x >> (64 - b));
}

struct sipstate {
    uint64_t v0, v1, v2, v3;
};

static inline void sip_round(struct sipstate *s)
{
    s->v0 += s->v1;
    s->v1 = rotl64(s->v1, 13);
    s->v1 ^= s->v0;
    s->v0 = rotl64(s->v0, 32);
    s->v2 += s->v3;
    s->v3 = rotl64(s->v3, 16);
    s->v3 ^= s->v2;
    s->v0 += s->v3;
    s->v3 = rotl64(s->v3, 21);
    s->v3 ^= s->v0;
    s->v2 += s->v1;
    s->v1 = rotl64(s->v1, 17);
    s->v1 ^= s->v2;
    s->v2 = rotl64(s->v2, 32);
}

static inline uint64_t load_le64(const uint8_t *p, size_t n)
{
    uint64_t m = 0;
    for (size_t i = 0; i < n; i++)
        m |= (uint64_t)p[i] << (8 * i);
    return m;
}

static inline void sip_absorb(struct sipstate *s, uint64_t m, int c)
{
    s->v3 ^= m;
    for (int i = 0; i < c; i++)
        sip_round(s);
    s->v0 ^= m;
}

uint64_t siphash_cd(const void *data, size_t len, const siphash_key_t *key, int c, int d)
{
    const uint8_t *p = data;
    struct sipstate s = {
        SIP_C0 ^ key->key[0], SIP_C1 ^ key->key[1], SIP_C2 ^ key->key[0], SIP_C3 ^ key->key[1],
    };
    size_t full = len & ~(size_t)7;
    for (size_t i = 0; i < full; i += 8)
        sip_absorb(&s, load_le64(p + i, 8), c);
    uint64_t last = ((uint64_t)(len & 0xff) << 56) | load_le64(p + full, len - full);
    sip_absorb(&s, last, c);
    s.v2 ^= 0xff;
    for (int i = 0; i < d; i++)
        sip_round(&s);
    return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

uint64_t siphash(const void *data, size_t len, const siphash_key_t *key)
{
    return siphash_cd(data, len, key, 2, 4);
}

uint32_t hsiphash(const void *data, size_t len, const hsiphash_key_t *key)
{
    return (uint32_t)siphash_cd(data, len, key, 1, 3);
}

uint32_t hsiphash_u32(uint32_t v, const hsiphash_key_t *key)
{
    /* One partial block of 4 bytes: the value itself (little-endian) under the length
     * byte; no full block to absorb first. */
    struct sipstate s = {
        SIP_C0 ^ key->key[0], SIP_C1 ^ key->key[1], SIP_C2 ^ key->key[0], SIP_C3 ^ key->key[1],
    };
    sip_absorb(&s, ((uint64_t)4 << 56) | v, 1);
    s.v2 ^= 0xff;
    sip_round(&s);
    sip_round(&s);
    sip_round(&s);
    return (uint32_t)(s.v0 ^ s.v1 ^ s.v2 ^ s.v3);
}
