/* Seeded random streams, one per named entity.
 *
 * A stream's state is derived from (run seed, stream name) alone, so adding a
 * client group or a server to a scenario never reshuffles the draws of the others
 * ("common random numbers"). The generator is xoshiro256**, seeded through
 * splitmix64 from a 64-bit FNV-1a hash of the name; every draw is integer
 * arithmetic, identical on every machine. */
#ifndef IPVSIM_SIM_RNG_H
#define IPVSIM_SIM_RNG_H

#include <stdbool.h>
#include <stdint.h>

struct rng {
    uint64_t s[4];
};

/* Stream for (seed, name). */
void rng_init(struct rng *r, uint64_t seed, const char *name);

uint64_t rng_u64(struct rng *r);
/* Uniform in [0, n) without modulo bias; n > 0. */
uint64_t rng_below(struct rng *r, uint64_t n);
/* Uniform double in [0, 1), 53 random bits. */
double rng_unit(struct rng *r);
/* Uniform double in (0, 1]: safe for log(). */
double rng_unit_open0(struct rng *r);
/* Exponential with the given mean. */
double rng_exp(struct rng *r, double mean);
/* Standard normal (Box-Muller, no cached spare: one call, two uniforms). */
double rng_normal(struct rng *r);
/* True with probability p (p <= 0: never; p >= 1: always, without a draw). */
bool rng_bernoulli(struct rng *r, double p);

/* 64-bit FNV-1a of a string (also useful for stable names -> numbers). */
uint64_t rng_hash_name(const char *name);

#endif
