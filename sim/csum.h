/* Internet checksums (RFC 1071) and their incremental updates (RFC 1624), computed
 * the way the kernel does: a 32-bit partial sum folded to 16 bits at the end. All
 * byte buffers are summed as they lie in memory (network order), so results can be
 * stored straight into a header. */
#ifndef IPVSIM_SIM_CSUM_H
#define IPVSIM_SIM_CSUM_H

#include <stdint.h>
#include <string.h>
#include "sim/proto.h"

typedef uint32_t wsum;     /* unfolded 32-bit partial sum */
typedef uint16_t sum16;    /* folded, complemented: what goes into a header */

/* Add len bytes at buf to sum, as 16-bit words in memory order (any alignment). An
 * odd trailing byte counts as the high-order byte of a word padded with a zero, so
 * when a buffer is summed in pieces, every piece but the last must have even length. */
wsum csum_partial(const void *buf, uint32_t len, wsum sum);
/* Fold a partial sum to 16 bits and complement it. */
sum16 csum_fold(wsum sum);
/* IPv4 header checksum over ihl 32-bit words (the check field included: set it to 0
 * first to compute, or leave it to verify: a valid header gives 0). Every hop verifies
 * one and most send one, so the 20-byte header without options is summed inline in
 * five loads, as the kernel's arch ip_fast_csum unrolls it (arch/x86/include/asm/
 * checksum_64.h); other lengths take the generic routine. */
sum16 ip_fast_csum_slow(const void *iph, unsigned ihl);
/* Reduce a 64-bit sum of words to a 32-bit partial sum (2^32 = 1 modulo 0xffff). */
static inline wsum csum_reduce64(uint64_t acc)
{
    acc = (acc & 0xffffffffu) + (acc >> 32);
    acc = (acc & 0xffffffffu) + (acc >> 32);
    return (wsum)acc;
}
/* The 32-bit word at p (any alignment), in memory order. Sums load their words one
 * by one with this: GCC compiles a memcpy of several words into a local array as a
 * vector load spilled to the stack and read back word by word, and each of those
 * reads waits for the spill to complete. */
static inline uint32_t csum_load32(const void *p)
{
    uint32_t w;
    memcpy(&w, p, sizeof w);
    return w;
}
/* The sum of the five words of a 20-byte IPv4 header at p. */
static inline uint64_t csum_ip4_words(const void *p)
{
    const uint8_t *b = p;
    return (uint64_t)csum_load32(b) + csum_load32(b + 4) + csum_load32(b + 8) +
           csum_load32(b + 12) + csum_load32(b + 16);
}
/* Fold a 64-bit sum of 16- and 32-bit words (below 2^35) to 16 bits, complemented. */
static inline sum16 csum_fold64(uint64_t acc)
{
    acc = (acc & 0xffffffffu) + (acc >> 32);          /* at most 2^35: two folds to 16 bits */
    uint32_t s = (uint32_t)(acc & 0xffffu) + (uint32_t)(acc >> 16);
    s = (s & 0xffffu) + (s >> 16);
    s = (s & 0xffffu) + (s >> 16);
    return (sum16)~s;
}
static inline sum16 ip_fast_csum(const void *iph, unsigned ihl)
{
    if (ihl != 5)
        return ip_fast_csum_slow(iph, ihl);
    return csum_fold64(csum_ip4_words(iph));
}
/* Pseudo-header sum for TCP/UDP; len is the L4 length in host order. */
wsum csum_tcpudp_nofold(be32 saddr, be32 daddr, uint32_t len, uint8_t proto, wsum sum);
sum16 csum_tcpudp_magic(be32 saddr, be32 daddr, uint32_t len, uint8_t proto, wsum sum);
/* The IPv6 pseudo-header (RFC 8200 section 8.1: source, destination, a 32-bit
 * upper-layer length, three zero bytes and the next header) added to sum, folded and
 * complemented (net/ipv6/ip6_checksum.c csum_ipv6_magic). For TCP, UDP and ICMPv6
 * alike: ICMPv6, unlike ICMP, covers the pseudo-header. len in host order. */
sum16 csum_ipv6_magic(const struct in6_addr *saddr, const struct in6_addr *daddr, uint32_t len,
                      uint8_t proto, wsum sum);

/* Incremental updates of a stored checksum when a field changes from 'from' to 'to'
 * (both in network order, i.e. read from the header as they lie), after RFC 1624:
 * HC' = ~(~HC + ~m + m'). check points at the 16-bit checksum field; it may be
 * unaligned (it is read and written with memcpy), so &iph->check of a packed header
 * can be passed without -Waddress-of-packed-member. */
void csum_replace2(void *check, be16 from, be16 to);
void csum_replace4(void *check, be32 from, be32 to);
/* Same, for an L4 checksum that also covers a pseudo-header: pseudohdr says whether
 * the changed field is part of the pseudo-header (addresses) or not (ports). No
 * checksum offload is modelled, so both cases update the stored checksum the same way;
 * the flag is kept for the kernel's naming. UDP callers: a result of 0 must be stored
 * as CSUM_MANGLED_0 (0 means "no checksum"), and a stored 0 must not be updated. */
void inet_proto_csum_replace2(void *check, be16 from, be16 to, int pseudohdr);
void inet_proto_csum_replace4(void *check, be32 from, be32 to, int pseudohdr);

/* A UDP checksum that computes to 0 is sent as all ones (RFC 768). */
#define CSUM_MANGLED_0 ((sum16)0xffff)

/* One's complement arithmetic on partial sums (end-around carry). */
wsum csum_add(wsum a, wsum b);
wsum csum_sub(wsum a, wsum b);
/* A stored (folded, complemented) checksum as a partial sum to continue from. */
static inline wsum csum_unfold(sum16 n) { return (wsum)n; }

/* Recompute and store the IPv4 header checksum (the kernel's ip_send_check: a full
 * recompute). The sum is taken over the header as it is, the old checksum included,
 * and the old checksum is then taken out again (adding its complement), instead of
 * zeroing the field first: a load that spans a narrower store still in flight waits
 * for that store to complete, and the field was zeroed just before the sum read it.
 * The result is the same: both sums are positive and equal modulo 0xffff (a header
 * never sums to 0: its version nibble is not 0), and folding maps them alike. */
static inline void ip_send_check(struct iphdr *iph)
{
    unsigned ihl = iph->ihl_version & 0x0fu;
    if (ihl != 5) {
        iph->check = 0;
        iph->check = ip_fast_csum_slow(iph, ihl);
        return;
    }
    uint16_t old = iph->check;
    iph->check = csum_fold64(csum_ip4_words(iph) + (uint16_t)~old);
}

#endif
