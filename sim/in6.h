/* IPv6 addresses: parsing, printing as the kernel's %pI6c prints (RFC 5952: lower
 * case, no leading zeros, the longest run of two or more zero groups, the first of
 * equal ones, shortened to "::"; ::ffff:a.b.c.d and ISATAP with a dotted tail),
 * prefixes, and the kernel's small predicates (include/net/ipv6.h,
 * include/net/addrconf.h, lib/vsprintf.c ip6_compressed_string). */
#ifndef IPVSIM_SIM_IN6_H
#define IPVSIM_SIM_IN6_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "sim/proto6.h"

/* The longest text in6_ntop writes, its NUL included (INET6_ADDRSTRLEN). */
#define IN6_ADDRSTRLEN 46

/* Parse an address: hexadecimal groups of 1 to 4 digits separated by ':', at most one
 * "::" standing for one or more zero groups, optionally a dotted IPv4 address as the
 * last 32 bits. Nothing else (no zone, no prefix, no brackets, no spaces). Returns
 * true and the address in *out, or false (*out untouched) with *err_off the offset of
 * the first character that cannot be right (the length when the text ends too soon)
 * and *what (may be NULL) what was expected there. */
bool in6_pton(const char *s, struct in6_addr *out, size_t *err_off, const char **what);
/* "ADDR/LEN" (LEN 0..128, decimal, no sign or leading zero unless it is 0); the bits
 * after the prefix must be zero when strict, else they are cleared. The same error
 * convention. */
bool in6_pton_prefix(const char *s, struct in6_addr *out, uint8_t *plen, bool strict,
                     size_t *err_off, const char **what);
/* The address in RFC 5952 form, as %pI6c prints it, into buf (IN6_ADDRSTRLEN bytes);
 * returns buf. */
const char *in6_ntop(const struct in6_addr *a, char *buf);

static inline bool ipv6_addr_equal(const struct in6_addr *a, const struct in6_addr *b)
{
    return memcmp(a, b, sizeof *a) == 0;
}

static inline bool ipv6_addr_any(const struct in6_addr *a)
{
    static const struct in6_addr any;
    return ipv6_addr_equal(a, &any);
}

static inline bool ipv6_addr_is_multicast(const struct in6_addr *a)
{
    return a->s6_addr[0] == 0xff;
}

static inline bool ipv6_addr_loopback(const struct in6_addr *a)
{
    static const struct in6_addr lo = { .s6_addr = { [15] = 1 } };
    return ipv6_addr_equal(a, &lo);
}

/* fe80::/10 */
static inline bool ipv6_addr_linklocal(const struct in6_addr *a)
{
    return a->s6_addr[0] == 0xfe && (a->s6_addr[1] & 0xc0) == 0x80;
}

/* ::ffff:0:0/96 */
static inline bool ipv6_addr_v4mapped(const struct in6_addr *a)
{
    static const uint8_t pfx[12] = { [10] = 0xff, [11] = 0xff };
    return memcmp(a->s6_addr, pfx, sizeof pfx) == 0;
}

/* Keep the first plen bits of a, clear the rest (ipv6_addr_prefix). */
void ipv6_addr_prefix(struct in6_addr *out, const struct in6_addr *a, unsigned plen);
/* Do a and b agree on their first plen bits (ipv6_prefix_equal)? */
bool ipv6_prefix_equal(const struct in6_addr *a, const struct in6_addr *b, unsigned plen);

/* The solicited-node multicast address of a: ff02::1:ffXX:XXXX with a's low 24 bits
 * (addrconf_addr_solict_mult, RFC 4291 section 2.7.1). */
void addrconf_addr_solict_mult(const struct in6_addr *a, struct in6_addr *out);
/* The Ethernet address of an IPv6 group: 33:33 and the group's low 32 bits
 * (ipv6_eth_mc_map, RFC 2464 section 7). */
void ipv6_eth_mc_map(const struct in6_addr *group, uint8_t mac[ETH_ALEN]);
/* The modified EUI-64 link-local address of a MAC: fe80::, the MAC with ff:fe in
 * the middle and the universal/local bit flipped (addrconf_ifid_eui48). */
void ipv6_addr_linklocal_of(const uint8_t mac[ETH_ALEN], struct in6_addr *out);

#endif
