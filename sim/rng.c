/* Named random streams: xoshiro256** seeded through splitmix64.
 *
 * Seeding: the stream key is  k = mix64(seed + GOLDEN) ^ fnv1a(name),  passed once
 * more through mix64 (the splitmix64 finaliser) so that every bit of the seed and of
 * the name reaches every bit of the key. The four state words are then the next four
 * outputs of a splitmix64 generator started at that key. Two (seed, name) pairs share
 * a stream only if their keys collide (or land a few multiples of GOLDEN apart, which
 * would shift one stream by a few words): chance about 2^-60 per pair, the same as
 * for independently drawn random keys. Plain seed ^ fnv1a(name) would not do: FNV-1a's
 * low bits depend only on the low bits of the input bytes, and small seeds and names
 * that differ in one character would then give related keys.
 *
 * All arithmetic is on uint64_t; doubles are made from the top 53 bits, so every
 * draw is the same on every machine. */
#include "sim/rng.h"

#include <math.h>

#define GOLDEN 0x9e3779b97f4a7c15ULL
#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

__extension__ typedef unsigned __int128 rng_u128;

/* The splitmix64 output function (Stafford's variant 13). */
static inline uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline uint64_t splitmix64_next(uint64_t *x)
{
    *x += GOLDEN;
    return mix64(*x);
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t rng_hash_name(const char *name)
{
    uint64_t h = FNV_OFFSET;
    if (name)
        for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
            h ^= *p;
            h *= FNV_PRIME;
        }
    return h;
}

void rng_init(struct rng *r, uint64_t seed, const char *name)
{
    uint64_t x = mix64(mix64(seed + GOLDEN) ^ rng_hash_name(name));
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64_next(&x);
    /* xoshiro's one forbidden state; splitmix64 cannot produce four zero words in a
     * row, but the guard costs nothing. */
    if ((r->s[0] | r->s[1] | r->s[2] | r->s[3]) == 0)
        r->s[0] = GOLDEN;
}

uint64_t rng_u64(struct rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Lemire, "Fast random integer generation in an interval" (2019): multiply and keep
 * the high word; reject the few low words that would bias the result. */
uint64_t rng_below(struct rng *r, uint64_t n)
{
    if (n == 0)
        return 0;                   /* contract says n > 0; be harmless anyway */
    rng_u128 m = (rng_u128)rng_u64(r) * n;
    uint64_t lo = (uint64_t)m;
    if (lo < n) {
        uint64_t t = (0 - n) % n;   /* 2^64 mod n */
        while (lo < t) {
            m = (rng_u128)rng_u64(r) * n;
            lo = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

double rng_unit(struct rng *r)
{
    return (double)(rng_u64(r) >> 11) * 0x1.0p-53;
}

double rng_unit_open0(struct rng *r)
{
    return (double)((rng_u64(r) >> 11) + 1) * 0x1.0p-53;
}

double rng_exp(struct rng *r, double mean)
{
    return -mean * log(rng_unit_open0(r));
}

double rng_normal(struct rng *r)
{
    double u1 = rng_unit_open0(r);
    double u2 = rng_unit(r);
    return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

bool rng_bernoulli(struct rng *r, double p)
{
    if (!(p > 0.0))                 /* p <= 0 and NaN: never, no draw */
        return false;
    if (p >= 1.0)
        return true;
    return rng_unit(r) < p;
}
