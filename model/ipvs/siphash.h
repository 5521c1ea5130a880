/* SipHash, as the kernel's lib/siphash.c offers it: SipHash-2-4 (siphash) and the
 * "insecure but fast" hsiphash, which on 64-bit kernels is SipHash-1-3 with two
 * 64-bit key words and a 32-bit result (32-bit kernels use HalfSipHash-1-3 instead,
 * with different values; the simulator models a 64-bit director). The mh scheduler
 * hashes with hsiphash, so its table matches a real x86_64 director bit for bit.
 *
 * Messages are read little-endian, as on x86. */
#ifndef IPVSIM_MODEL_IPVS_SIPHASH_H
#define IPVSIM_MODEL_IPVS_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t key[2];
} siphash_key_t;

/* On a 64-bit kernel hsiphash_key_t is two unsigned longs: the same layout. */
typedef siphash_key_t hsiphash_key_t;

/* Generic SipHash-c-d with a 64-bit result. */
uint64_t siphash_cd(const void *data, size_t len, const siphash_key_t *key, int c, int d);

/* SipHash-2-4, 64-bit result (the kernel's siphash()). */
uint64_t siphash(const void *data, size_t len, const siphash_key_t *key);

/* SipHash-1-3 with the result truncated to 32 bits (the kernel's hsiphash() on a
 * 64-bit build). */
uint32_t hsiphash(const void *data, size_t len, const hsiphash_key_t *key);

/* hsiphash of one u32 as it lies in memory on a little-endian machine: what
 * hsiphash(&v, sizeof(v), key) gives on x86_64. */
uint32_t hsiphash_u32(uint32_t v, const hsiphash_key_t *key);

#endif
