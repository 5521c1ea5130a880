/* 32-bit keys for IPv6 addresses, so that the model's compact records (the IPVS
 * connection entry, conntrack tuples, endpoint slots, TIME_WAIT records) hold an
 * address of either family in the 32 bits an IPv4 address takes.
 *
 * The kernel stores a union nf_inet_addr (16 bytes) beside the family; with
 * millions of connections, four of them would add 48 bytes to every IPVS entry
 * (128 -> 176) and 24 to every TIME_WAIT record, IPv4 ones included. Instead an
 * IPv6 address is interned once in a process-wide table and stands in records as
 * its key, a value in 240.0.0.0/4 (class E, which no scenario may use as an IPv4
 * address: app/scenario refuses it). A key is therefore self-identifying: the family
 * of any stored address is in6_is_key(a) ? AF_INET6 : AF_INET, and two addresses of
 * the same family are equal exactly when their 32-bit values are.
 *
 * Keys are handed out in first-use order and never reused; their values never reach
 * an output and decide nothing: whatever hashes or orders an IPv6 address as the
 * kernel does (schedulers, ISNs, listings) reads the address back with in6_key_addr.
 * Runs are single-threaded processes (compare and sweep fork), so the table needs no
 * lock. */
#ifndef IPVSIM_SIM_IN6_KEY_H
#define IPVSIM_SIM_IN6_KEY_H

#include <stdbool.h>
#include <stdint.h>
#include "sim/proto.h"
#include "sim/proto6.h"

#define IN6_KEY_MAX 0x0fffffffu       /* keys 1 .. 2^28 - 1 (0 is never handed out) */

/* Is a (network order) an IPv6 address key rather than an IPv4 address? */
static inline bool in6_is_key(be32 a)
{
    return (ntohl(a) & 0xf0000000u) == 0xf0000000u;
}

/* The family of a stored address: AF_INET6 for a key, else AF_INET. */
static inline int inet_key_family(be32 a)
{
    return in6_is_key(a) ? AF_INET6 : AF_INET;
}

/* The key of an IPv6 address, interning it on first use. A v4-mapped address
 * (::ffff:a.b.c.d) gets a key of its own like any other: it is an IPv6 address on
 * the wire. Aborts past IN6_KEY_MAX addresses (2^28 distinct addresses). */
be32 in6_key_get(const struct in6_addr *a);
/* The key of an address already interned: false (and *key untouched) when it never
 * was (a packet to an address nobody configured or used). */
bool in6_key_find(const struct in6_addr *a, be32 *key);
/* The address of a key (which must be one in6_key_get returned). */
const struct in6_addr *in6_key_addr(be32 key);
/* Distinct addresses interned so far (for tests and memory accounting). */
uint32_t in6_key_count(void);

/* An address of either family as text: dotted quad, or RFC 5952 for a key (as the
 * kernel's %pI4 / %pI6c). buf needs INET_KEY_STRLEN bytes; returns buf. */
#define INET_KEY_STRLEN 46
const char *inet_key_ntop(be32 a, char *buf);

#endif
