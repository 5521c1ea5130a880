/* Internet checksums: RFC 1071 sums, RFC 1624 incremental updates.
 *
 * Every word is loaded from memory in the machine's own byte order and summed as it
 * is. One's complement addition does not care about byte order (RFC 1071, 2.B), so a
 * folded result written back the same way (native store) lands in the header with
 * the right bytes on little- and big-endian machines alike. Loads go through memcpy:
 * buffers and header fields may sit at any address. */
#include "sim/csum.h"

#include <string.h>

wsum csum_partial(const void *buf, uint32_t len, wsum sum)
{
    const uint8_t *p = buf;
    uint64_t acc = sum;
    /* A 32-bit word equals the sum of its two 16-bit halves modulo 0xffff. */
    while (len >= 16) {
        acc += (uint64_t)csum_load32(p) + csum_load32(p + 4) + csum_load32(p + 8) +
               csum_load32(p + 12);
        p += 16;
        len -= 16;
    }
    while (len >= 4) {
        acc += csum_load32(p);
        p += 4;
        len -= 4;
    }
    if (len >= 2) {
        uint16_t w;
        memcpy(&w, p, sizeof w);
        acc += w;
        p += 2;
        len -= 2;
    }
    if (len)
        acc += mem_u16(p[0], 0);
    return csum_reduce64(acc);
}

wsum csum_add(wsum a, wsum b)
{
    wsum s = a + b;
    return s + (s < a);
}

wsum csum_sub(wsum a, wsum b)
{
    return csum_add(a, ~b);
}

sum16 csum_fold(wsum sum)
{
    uint32_t s = (sum & 0xffffu) + (sum >> 16);
    s = (s & 0xffffu) + (s >> 16);
    return (sum16)~s;
}

sum16 ip_fast_csum_slow(const void *iph, unsigned ihl)
{
    return csum_fold(csum_partial(iph, ihl * 4u, 0));
}

wsum csum_tcpudp_nofold(be32 saddr, be32 daddr, uint32_t len, uint8_t proto, wsum sum)
{
    uint64_t acc = sum;
    acc += saddr;
    acc += daddr;
    /* The pseudo-header's third word: zero, protocol, 16-bit length. A length above
     * 16 bits (never for IPv4) adds its high half as one more word. */
    acc += mem_u16(0, proto);
    acc += mem_u16((uint8_t)(len >> 8), (uint8_t)len);
    acc += mem_u16((uint8_t)(len >> 24), (uint8_t)(len >> 16));
    return csum_reduce64(acc);
}

sum16 csum_tcpudp_magic(be32 saddr, be32 daddr, uint32_t len, uint8_t proto, wsum sum)
{
    return csum_fold(csum_tcpudp_nofold(saddr, daddr, len, proto, sum));
}

sum16 csum_ipv6_magic(const struct in6_addr *saddr, const struct in6_addr *daddr, uint32_t len,
                      uint8_t proto, wsum sum)
{
    wsum s = csum_partial(saddr->s6_addr, sizeof saddr->s6_addr, sum);
    s = csum_partial(daddr->s6_addr, sizeof daddr->s6_addr, s);
    const uint8_t tail[8] = {
        (uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8), (uint8_t)len,
        0, 0, 0, proto,
    };
    return csum_fold(csum_partial(tail, sizeof tail, s));
}

static inline uint16_t load16(const void *p)
{
    uint16_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline void store16(void *p, uint16_t v)
{
    memcpy(p, &v, sizeof v);
}

void csum_replace2(void *check, be16 from, be16 to)
{
    /* ~HC + ~m + m' (three 16-bit terms: no overflow in 32 bits), folded, complemented. */
    wsum s = (uint16_t)~load16(check);
    s += (uint16_t)~from;
    s += to;
    store16(check, csum_fold(s));
}

void csum_replace4(void *check, be32 from, be32 to)
{
    /* The 32-bit complement of m is -m modulo 0xffff just as the 16-bit one is. */
    wsum s = (uint16_t)~load16(check);
    s = csum_add(s, ~from);
    s = csum_add(s, to);
    store16(check, csum_fold(s));
}

void inet_proto_csum_replace2(void *check, be16 from, be16 to, int pseudohdr)
{
    (void)pseudohdr;
    csum_replace2(check, from, to);
}

void inet_proto_csum_replace4(void *check, be32 from, be32 to, int pseudohdr)
{
    (void)pseudohdr;
    csum_replace4(check, from, to);
}

