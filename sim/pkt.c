/* Building IPv4 and IPv6 packets (TCP, UDP, ICMP, ICMPv6, SCTP) into skbs, and parsing
 * frames off the wire.
 *
 * The builders write real header bytes with valid checksums; virtual payload only
 * counts in the lengths (it reads as zeros, so it adds nothing to a sum). The parser
 * treats every byte as hostile: it reads through a bounds-checked view that answers
 * zero for the virtual bytes between len and wire_len, and never touches memory at or
 * after len. */
#include "sim/pkt.h"

#include <stddef.h>
#include <string.h>
#include "sim/crc32c.h"
#include "sim/csum.h"

#define IP4_HLEN      20u
#define TCP_HLEN      20u
#define TCP_MSS_LEN   4u            /* kind 2, length 4, 16-bit MSS */
#define UDP_HLEN      8u
#define ICMP_HLEN     8u
#define IP_MAX_LEN    65535u

/* ---- building ------------------------------------------------------------------ */

/* Can a packet with real bytes 'real' and virtual bytes 'virt' be written at data? */
static bool pkt_fits(const struct sk_buff *skb, uint32_t real, uint32_t virt)
{
    if (real > SKB_BUF_SIZE - skb_headroom(skb))
        return false;
    return (uint64_t)real + virt <= IP_MAX_LEN;
}

/* Write the IPv4 header at p (20 bytes) with its checksum, as five 32-bit words; the
 * checksum is summed from the values, not read back. Why: every packet's header is
 * checksummed again at once (__ip_local_out's ip_send_check), and a load that spans
 * several narrower stores still in flight waits until they complete, where a load
 * that matches one store takes its value at once. */
static void put_ip4(uint8_t *p, const struct ip4_spec *ip, uint8_t proto, uint32_t tot_len)
{
    uint16_t ver_tos = mem_u16(0x40 | (IP4_HLEN / 4), ip->tos);
    be16 len = htons((uint16_t)tot_len);
    be16 frag = ip->df ? htons(IP_DF) : 0;
    uint16_t ttl_proto = mem_u16(ip->ttl ? ip->ttl : 64, proto);
    sum16 check = csum_fold64((uint64_t)ver_tos + len + ip->id + frag + ttl_proto + ip->saddr +
                              ip->daddr);
    uint32_t w0 = mem_u32(ver_tos, len), w1 = mem_u32(ip->id, frag);
    uint32_t w2 = mem_u32(ttl_proto, check);
    memcpy(p, &w0, 4);
    memcpy(p + 4, &w1, 4);
    memcpy(p + 8, &w2, 4);
    memcpy(p + 12, &ip->saddr, 4);
    memcpy(p + 16, &ip->daddr, 4);
}

/* Set the metadata once a packet with 'real' bytes at data is written. */
static void pkt_finish(struct sk_buff *skb, uint32_t real, uint32_t virt)
{
    skb->len = real;
    skb->data_len = virt;
    skb_reset_network_header(skb);
    skb->transport_header = (uint16_t)(skb->network_header + IP4_HLEN);
    skb->protocol = ETH_P_IP;
}

/* The L4 checksum over l4_real real bytes at l4 (check field zero) of an L4 segment
 * l4_len bytes long; the rest are virtual zeros. */
static sum16 l4_csum(const struct iphdr *iph, uint8_t proto, const uint8_t *l4, uint32_t l4_real,
                     uint32_t l4_len)
{
    wsum s = csum_partial(l4, l4_real, 0);
    if (proto == IPPROTO_ICMP)
        return csum_fold(s);
    sum16 c = csum_tcpudp_magic(iph->saddr, iph->daddr, l4_len, proto, s);
    if (proto == IPPROTO_UDP && c == 0)
        c = CSUM_MANGLED_0;
    return c;
}

/* The sum of the TCP header put_tcp writes (check field zero), taken from the values
 * (see put_ip4 for why not from memory). */
static wsum tcp_hdr_sum(const struct tcp_spec *tcp, uint32_t thl)
{
    uint64_t acc = (uint64_t)tcp->sport + tcp->dport + htonl(tcp->seq) + htonl(tcp->ack) +
                   mem_u16((uint8_t)((thl / 4) << 4), tcp->flags) + htons(tcp->window);
    if (tcp->mss)
        acc += mem_u16(TCPOPT_MSS, TCP_MSS_LEN) + htons(tcp->mss);
    return csum_partial(tcp->opts, tcp->opt_len, csum_reduce64(acc));
}

/* The TCP header (thl bytes) at th, its options included, with checksum check. */
static void put_tcp(struct tcphdr *th, const struct tcp_spec *tcp, uint32_t thl, sum16 check)
{
    th->source = tcp->sport;
    th->dest = tcp->dport;
    th->seq = htonl(tcp->seq);
    th->ack_seq = htonl(tcp->ack);
    th->doff_res = (uint8_t)((thl / 4) << 4);
    th->flags = tcp->flags;
    th->window = htons(tcp->window);
    th->check = check;
    th->urg_ptr = 0;
    uint8_t *opt = (uint8_t *)th + TCP_HLEN;
    if (tcp->mss) {
        opt[0] = TCPOPT_MSS;
        opt[1] = TCP_MSS_LEN;
        opt[2] = (uint8_t)(tcp->mss >> 8);
        opt[3] = (uint8_t)tcp->mss;
        opt += TCP_MSS_LEN;
    }
    if (tcp->opt_len)
        memcpy(opt, tcp->opts, tcp->opt_len);
}

bool pkt_build_tcp(struct sk_buff *skb, const struct ip4_spec *ip, const struct tcp_spec *tcp,
                   uint32_t payload_len)
{
    uint32_t mss_len = tcp->mss ? TCP_MSS_LEN : 0;
    uint32_t thl = TCP_HLEN + mss_len + tcp->opt_len;
    if (tcp->opt_len % 4 || thl > 60)
        return false;
    uint32_t real = IP4_HLEN + thl;
    if (!pkt_fits(skb, real, payload_len))
        return false;
    uint8_t *p = skb->data;
    put_ip4(p, ip, IPPROTO_TCP, real + payload_len);
    sum16 check = csum_tcpudp_magic(ip->saddr, ip->daddr, thl + payload_len, IPPROTO_TCP,
                                    tcp_hdr_sum(tcp, thl));
    put_tcp((struct tcphdr *)(p + IP4_HLEN), tcp, thl, check);
    pkt_finish(skb, real, payload_len);
    return true;
}

/* UDP with 'data_real' real payload bytes (from data, or zeros when data is NULL)
 * followed by 'virt' virtual ones. */
static bool build_udp(struct sk_buff *skb, const struct ip4_spec *ip, be16 sport, be16 dport,
                      const void *data, uint32_t data_real, uint32_t virt)
{
    uint32_t real = IP4_HLEN + UDP_HLEN + data_real;
    if (data_real > IP_MAX_LEN || !pkt_fits(skb, real, virt))
        return false;
    uint8_t *p = skb->data;
    memset(p, 0, IP4_HLEN + UDP_HLEN);
    if (data_real) {
        if (data)
            memcpy(p + IP4_HLEN + UDP_HLEN, data, data_real);
        else
            memset(p + IP4_HLEN + UDP_HLEN, 0, data_real);
    }
    uint32_t ulen = UDP_HLEN + data_real + virt;
    put_ip4(p, ip, IPPROTO_UDP, IP4_HLEN + ulen);

    struct udphdr *uh = (struct udphdr *)(p + IP4_HLEN);
    uh->source = sport;
    uh->dest = dport;
    uh->len = htons((uint16_t)ulen);
    uh->check = l4_csum((const struct iphdr *)p, IPPROTO_UDP, (const uint8_t *)uh,
                        UDP_HLEN + data_real, ulen);
    pkt_finish(skb, real, virt);
    return true;
}

bool pkt_build_udp(struct sk_buff *skb, const struct ip4_spec *ip, be16 sport, be16 dport,
                   uint32_t payload_len)
{
    return build_udp(skb, ip, sport, dport, NULL, 0, payload_len);
}

bool pkt_build_udp_data(struct sk_buff *skb, const struct ip4_spec *ip, be16 sport, be16 dport,
                        const void *payload, uint32_t payload_len)
{
    return build_udp(skb, ip, sport, dport, payload, payload_len, 0);
}

bool pkt_build_icmp(struct sk_buff *skb, const struct ip4_spec *ip, uint8_t type, uint8_t code,
                    be32 rest, const void *body, uint32_t body_len)
{
    if (body_len > IP_MAX_LEN)
        return false;
    uint32_t real = IP4_HLEN + ICMP_HLEN + body_len;
    if (!pkt_fits(skb, real, 0))
        return false;
    uint8_t *p = skb->data;
    memset(p, 0, IP4_HLEN + ICMP_HLEN);
    if (body_len) {
        if (body)
            memcpy(p + IP4_HLEN + ICMP_HLEN, body, body_len);
        else
            memset(p + IP4_HLEN + ICMP_HLEN, 0, body_len);
    }
    put_ip4(p, ip, IPPROTO_ICMP, real);

    struct icmphdr *ih = (struct icmphdr *)(p + IP4_HLEN);
    ih->type = type;
    ih->code = code;
    ih->un.gateway = rest;
    ih->checksum = l4_csum((const struct iphdr *)p, IPPROTO_ICMP, (const uint8_t *)ih,
                           ICMP_HLEN + body_len, ICMP_HLEN + body_len);
    pkt_finish(skb, real, 0);
    return true;
}

/* ---- IPv6 ------------------------------------------------------------------------ */

/* Can an IPv6 packet with 'real' bytes (its fixed header included) and 'virt'
 * virtual ones be written at data? */
static bool pkt6_fits(const struct sk_buff *skb, uint32_t real, uint32_t virt)
{
    if (real > skb_buf_size(skb) - skb_headroom(skb))
        return false;
    return (uint64_t)real + virt - IPV6_HLEN <= IPV6_MAXPLEN;
}

/* Write the fixed header at p (40 bytes). */
static void put_ip6(uint8_t *p, const struct ip6_spec *ip, uint8_t nexthdr, uint32_t payload_len)
{
    struct ipv6hdr *h = (struct ipv6hdr *)p;
    uint32_t fl = ip->flowlabel & 0xfffffu;
    h->priority_version = (uint8_t)(0x60 | ip->tclass >> 4);
    h->flow_lbl[0] = (uint8_t)((ip->tclass & 0x0f) << 4 | fl >> 16);
    h->flow_lbl[1] = (uint8_t)(fl >> 8);
    h->flow_lbl[2] = (uint8_t)fl;
    h->payload_len = htons((uint16_t)payload_len);
    h->nexthdr = nexthdr;
    h->hop_limit = ip->hop_limit ? ip->hop_limit : 64;
    h->saddr = ip->saddr;
    h->daddr = ip->daddr;
}

static void pkt_finish6(struct sk_buff *skb, uint32_t real, uint32_t virt)
{
    skb->len = real;
    skb->data_len = virt;
    skb_reset_network_header(skb);
    skb->transport_header = (uint16_t)(skb->network_header + IPV6_HLEN);
    skb->protocol = ETH_P_IPV6;
}

/* The checksum of an upper-layer segment over IPv6 (TCP, UDP, ICMPv6 alike): l4_real
 * real bytes at l4 (check field zero) of a segment l4_len bytes long. */
static sum16 l4_csum6(const struct ip6_spec *ip, uint8_t proto, const uint8_t *l4,
                      uint32_t l4_real, uint32_t l4_len)
{
    sum16 c = csum_ipv6_magic(&ip->saddr, &ip->daddr, l4_len, proto, csum_partial(l4, l4_real, 0));
    if (proto == IPPROTO_UDP && c == 0)
        c = CSUM_MANGLED_0;
    return c;
}

bool pkt_build_tcp6(struct sk_buff *skb, const struct ip6_spec *ip, const struct tcp_spec *tcp,
                    uint32_t payload_len)
{
    uint32_t thl = TCP_HLEN + (tcp->mss ? TCP_MSS_LEN : 0) + tcp->opt_len;
    if (tcp->opt_len % 4 || thl > 60)
        return false;
    uint32_t real = IPV6_HLEN + thl;
    if (!pkt6_fits(skb, real, payload_len))
        return false;
    uint8_t *p = skb->data;
    put_ip6(p, ip, IPPROTO_TCP, thl + payload_len);
    sum16 check = csum_ipv6_magic(&ip->saddr, &ip->daddr, thl + payload_len, IPPROTO_TCP,
                                  tcp_hdr_sum(tcp, thl));
    put_tcp((struct tcphdr *)(p + IPV6_HLEN), tcp, thl, check);
    pkt_finish6(skb, real, payload_len);
    return true;
}

bool pkt_build_udp6(struct sk_buff *skb, const struct ip6_spec *ip, be16 sport, be16 dport,
                    uint32_t payload_len)
{
    uint32_t real = IPV6_HLEN + UDP_HLEN;
    if (!pkt6_fits(skb, real, payload_len))
        return false;
    uint8_t *p = skb->data;
    memset(p, 0, real);
    uint32_t ulen = UDP_HLEN + payload_len;
    put_ip6(p, ip, IPPROTO_UDP, ulen);
    struct udphdr *uh = (struct udphdr *)(p + IPV6_HLEN);
    uh->source = sport;
    uh->dest = dport;
    uh->len = htons((uint16_t)ulen);
    uh->check = l4_csum6(ip, IPPROTO_UDP, (const uint8_t *)uh, UDP_HLEN, ulen);
    pkt_finish6(skb, real, payload_len);
    return true;
}

bool pkt_build_icmp6(struct sk_buff *skb, const struct ip6_spec *ip, uint8_t type, uint8_t code,
                     be32 rest, const void *body, uint32_t body_len, uint32_t body_virt)
{
    if (body_len > IPV6_MAXPLEN)
        return false;
    uint32_t real = IPV6_HLEN + ICMPV6_HLEN + body_len;
    if (!pkt6_fits(skb, real, body_virt))
        return false;
    uint8_t *p = skb->data;
    memset(p, 0, IPV6_HLEN + ICMPV6_HLEN);
    if (body_len) {
        if (body)
            memmove(p + IPV6_HLEN + ICMPV6_HLEN, body, body_len);
        else
            memset(p + IPV6_HLEN + ICMPV6_HLEN, 0, body_len);
    }
    uint32_t l4_len = ICMPV6_HLEN + body_len + body_virt;
    put_ip6(p, ip, NEXTHDR_ICMP, l4_len);
    struct icmp6hdr *ih = (struct icmp6hdr *)(p + IPV6_HLEN);
    ih->icmp6_type = type;
    ih->icmp6_code = code;
    ih->icmp6_dataun.un_data32[0] = rest;
    ih->icmp6_cksum = l4_csum6(ip, NEXTHDR_ICMP, (const uint8_t *)ih, ICMPV6_HLEN + body_len, l4_len);
    pkt_finish6(skb, real, body_virt);
    return true;
}

/* ---- SCTP ------------------------------------------------------------------------ */

#define SCTP_CSUM_OFF 8u            /* offsetof(struct sctphdr, checksum) */

static uint32_t pad4(uint32_t n)
{
    return (4 - (n & 3)) & 3;
}

uint32_t sctp_crc32c(const uint8_t *sh, uint32_t real, uint32_t total)
{
    static const uint8_t zero4[4];
    if (real > total)
        real = total;
    uint32_t crc = crc32c_init();
    if (real < SCTP_HLEN) {
        /* not even the common header is real: only what lies before the field */
        uint32_t head = real < SCTP_CSUM_OFF ? real : SCTP_CSUM_OFF;
        crc = crc32c_update(crc, sh, head);
        return crc32c_final(crc32c_update_zeros(crc, total - head));
    }
    crc = crc32c_update(crc, sh, SCTP_CSUM_OFF);
    crc = crc32c_update(crc, zero4, 4);
    crc = crc32c_update(crc, sh + SCTP_HLEN, real - SCTP_HLEN);
    crc = crc32c_update_zeros(crc, total - real);
    return crc32c_final(crc);
}

void sctp_set_checksum(uint8_t *sh, uint32_t crc)
{
    for (int i = 0; i < 4; i++)
        sh[SCTP_CSUM_OFF + i] = (uint8_t)(crc >> (8 * i));
}

uint32_t sctp_get_checksum(const uint8_t *sh)
{
    uint32_t crc = 0;
    for (int i = 0; i < 4; i++)
        crc |= (uint32_t)sh[SCTP_CSUM_OFF + i] << (8 * i);
    return crc;
}

bool pkt_build_sctp(struct sk_buff *skb, const struct ip4_spec *ip, const struct sctp_spec *sctp,
                    uint32_t payload_len)
{
    if (!sctp->chunks || sctp->nchunks == 0)
        return false;
    uint32_t real = IP4_HLEN + SCTP_HLEN;
    for (unsigned i = 0; i < sctp->nchunks; i++) {
        uint32_t clen = SCTP_CHUNK_HLEN + sctp->chunks[i].body_len;
        bool last = i + 1 == sctp->nchunks;
        real += clen + ((last && payload_len) ? 0 : pad4(clen));
    }
    const struct sctp_chunk_spec *lastc = &sctp->chunks[sctp->nchunks - 1];
    uint64_t last_len = SCTP_CHUNK_HLEN + (uint64_t)lastc->body_len + payload_len;
    if (last_len > 0xffff)
        return false;
    uint32_t virt = payload_len ? payload_len + pad4((uint32_t)last_len) : 0;
    if (!pkt_fits(skb, real, virt))
        return false;
    uint8_t *p = skb->data;
    memset(p, 0, real);
    put_ip4(p, ip, IPPROTO_SCTP, real + virt);

    uint8_t *sh = p + IP4_HLEN;
    struct sctphdr *h = (struct sctphdr *)sh;
    h->source = sctp->sport;
    h->dest = sctp->dport;
    h->vtag = htonl(sctp->vtag);
    uint8_t *c = sh + SCTP_HLEN;
    for (unsigned i = 0; i < sctp->nchunks; i++) {
        const struct sctp_chunk_spec *cs = &sctp->chunks[i];
        bool last = i + 1 == sctp->nchunks;
        uint32_t clen = SCTP_CHUNK_HLEN + cs->body_len + (last ? payload_len : 0);
        struct sctp_chunkhdr *ch = (struct sctp_chunkhdr *)c;
        ch->type = cs->type;
        ch->flags = cs->flags;
        ch->length = htons((uint16_t)clen);
        if (cs->body && cs->body_len)
            memcpy(c + SCTP_CHUNK_HLEN, cs->body, cs->body_len);
        c += SCTP_CHUNK_HLEN + cs->body_len;
        if (!(last && payload_len))
            c += pad4(clen);            /* already zero */
    }
    uint32_t l4_real = real - IP4_HLEN;
    sctp_set_checksum(sh, sctp_crc32c(sh, l4_real, l4_real + virt));
    pkt_finish(skb, real, virt);
    return true;
}

bool eth_push(struct sk_buff *skb, const uint8_t src[ETH_ALEN], const uint8_t dst[ETH_ALEN],
              uint16_t ethertype)
{
    uint8_t *p = skb_push(skb, ETH_HLEN);
    if (!p)
        return false;
    struct ethhdr *eh = (struct ethhdr *)p;
    memcpy(eh->h_dest, dst, ETH_ALEN);
    memcpy(eh->h_source, src, ETH_ALEN);
    eh->h_proto = htons(ethertype);
    skb_reset_mac_header(skb);
    skb->protocol = ethertype;
    return true;
}

/* pkt_l4_checksum of an IPv6 packet at nh: the upper layer right after the fixed
 * header (a packet with extension headers is left alone). */
static bool l4_checksum6(struct sk_buff *skb, uint32_t nh, uint32_t real_end, uint64_t wire_end)
{
    if (nh + IPV6_HLEN > real_end)
        return false;
    const struct ipv6hdr *h = (const struct ipv6hdr *)(skb->head + nh);
    uint32_t l4_len = ntohs(h->payload_len);
    uint32_t l4 = nh + IPV6_HLEN;
    if (ipv6_version(h) != 6 || (uint64_t)l4 + l4_len > wire_end)
        return false;
    uint32_t avail = l4 < real_end ? real_end - l4 : 0;
    uint32_t l4_real = l4_len < avail ? l4_len : avail;
    uint8_t *p = skb->head + l4;
    uint32_t check_off, min_hdr;
    switch (h->nexthdr) {
    case IPPROTO_SCTP:
        if (l4_real < SCTP_HLEN)
            return false;
        sctp_set_checksum(p, sctp_crc32c(p, l4_real, l4_len));
        return true;
    case IPPROTO_TCP:
        check_off = offsetof(struct tcphdr, check);
        min_hdr = TCP_HLEN;
        break;
    case IPPROTO_UDP:
        check_off = offsetof(struct udphdr, check);
        min_hdr = UDP_HLEN;
        if (l4_real >= UDP_HLEN) {
            uint32_t ulen = ntohs(((const struct udphdr *)p)->len);
            if (ulen >= UDP_HLEN && ulen <= l4_len) {
                l4_len = ulen;
                if (l4_real > ulen)
                    l4_real = ulen;
            }
        }
        break;
    case NEXTHDR_ICMP:
        check_off = offsetof(struct icmp6hdr, icmp6_cksum);
        min_hdr = ICMPV6_HLEN;
        break;
    default:
        return false;
    }
    if (l4_real < min_hdr)
        return false;
    memset(p + check_off, 0, sizeof(sum16));
    struct in6_addr saddr = h->saddr, daddr = h->daddr;
    sum16 c = csum_ipv6_magic(&saddr, &daddr, l4_len, h->nexthdr, csum_partial(p, l4_real, 0));
    if (h->nexthdr == IPPROTO_UDP && c == 0)
        c = CSUM_MANGLED_0;
    memcpy(p + check_off, &c, sizeof c);
    return true;
}

bool pkt_l4_checksum(struct sk_buff *skb)
{
    if (skb->network_header == SKB_NO_HDR)
        return false;
    /* Offsets from head: real bytes end at real_end, the wire at wire_end. */
    uint32_t nh = skb->network_header;
    uint32_t real_end = skb_headroom(skb) + skb->len;
    uint64_t wire_end = (uint64_t)real_end + skb->data_len;
    if (nh < real_end && (skb->head[nh] >> 4) == 6)
        return l4_checksum6(skb, nh, real_end, wire_end);
    if (nh + IP4_HLEN > real_end)
        return false;
    const struct iphdr *iph = (const struct iphdr *)(skb->head + nh);
    uint32_t hl = ip_hdrlen(iph);
    uint32_t tot = ntohs(iph->tot_len);
    if (ip_version(iph) != 4 || hl < IP4_HLEN || tot < hl || nh + tot > wire_end)
        return false;
    if (ntohs(iph->frag_off) & (IP_MF | IP_OFFSET))
        return false;

    uint32_t l4 = nh + hl;
    uint32_t l4_len = tot - hl;
    uint32_t avail = l4 < real_end ? real_end - l4 : 0;
    uint32_t l4_real = l4_len < avail ? l4_len : avail;
    uint8_t *p = skb->head + l4;
    if (iph->protocol == IPPROTO_SCTP) {
        if (l4_real < SCTP_HLEN)
            return false;
        sctp_set_checksum(p, sctp_crc32c(p, l4_real, l4_len));
        return true;
    }
    uint32_t check_off, min_hdr;
    switch (iph->protocol) {
    case IPPROTO_TCP:
        check_off = offsetof(struct tcphdr, check);
        min_hdr = TCP_HLEN;
        break;
    case IPPROTO_UDP: {
        check_off = offsetof(struct udphdr, check);
        min_hdr = UDP_HLEN;
        if (l4_real < min_hdr)
            return false;
        /* Sum the UDP datagram as its own length field says, when that is sane. */
        uint32_t ulen = ntohs(((const struct udphdr *)p)->len);
        if (ulen >= UDP_HLEN && ulen <= l4_len) {
            l4_len = ulen;
            if (l4_real > ulen)
                l4_real = ulen;
        }
        break;
    }
    case IPPROTO_ICMP:
        check_off = offsetof(struct icmphdr, checksum);
        min_hdr = ICMP_HLEN;
        break;
    default:
        return false;
    }
    if (l4_real < min_hdr)
        return false;
    memset(p + check_off, 0, sizeof(sum16));
    sum16 c = l4_csum(iph, iph->protocol, p, l4_real, l4_len);
    memcpy(p + check_off, &c, sizeof c);
    return true;
}

/* ---- parsing ------------------------------------------------------------------- */

/* A frame: len real bytes at p, then virtual zeros up to wire. */
struct view {
    const uint8_t *p;
    uint32_t len;
    uint32_t wire;
};

static uint8_t v8(const struct view *v, uint32_t off)
{
    return off < v->len ? v->p[off] : 0;
}

/* A 16-bit field in host order. */
static uint16_t v16(const struct view *v, uint32_t off)
{
    return (uint16_t)(v8(v, off) << 8 | v8(v, off + 1));
}

/* n bytes as they lie (network order kept). */
static void vraw(const struct view *v, uint32_t off, void *dst, uint32_t n)
{
    uint8_t *d = dst;
    for (uint32_t i = 0; i < n; i++)
        d[i] = v8(v, off + i);
}

/* The CRC32c of n bytes from off with the 4 bytes at csum_off taken as zero. */
static uint32_t vcrc32c(const struct view *v, uint32_t off, uint32_t n, uint32_t csum_off)
{
    uint32_t crc = crc32c_init();
    for (uint32_t i = 0; i < n; i++) {
        uint32_t at = off + i;
        if (at >= v->len) {
            crc = crc32c_update_zeros(crc, n - i);
            break;
        }
        uint8_t b = (at >= csum_off && at < csum_off + 4) ? 0 : v->p[at];
        crc = crc32c_update(crc, &b, 1);
    }
    return crc32c_final(crc);
}

/* Add n bytes from off to sum; the virtual ones are zeros and add nothing. The real
 * part is the last piece summed, so an odd length there is padded correctly. */
static wsum vsum(const struct view *v, uint32_t off, uint32_t n, wsum sum)
{
    if (off >= v->len)
        return sum;
    uint32_t real = v->len - off;
    if (real > n)
        real = n;
    return csum_partial(v->p + off, real, sum);
}

/* The pseudo-header checksum of the upper-layer segment being parsed, by family. */
static sum16 parse_pseudo(const struct pkt_info *out, uint32_t len, uint8_t proto, wsum s)
{
    if (out->ethertype == ETH_P_IPV6)
        return csum_ipv6_magic(&out->saddr6, &out->daddr6, len, proto, s);
    return csum_tcpudp_magic(out->saddr, out->daddr, len, proto, s);
}

/* The upper layer at l4, out->l4_len bytes, of either family. */
static enum pkt_err parse_l4(const struct view *vp, uint32_t l4, struct pkt_info *out)
{
    const uint32_t l4_len = out->l4_len;
    const bool v6 = out->ethertype == ETH_P_IPV6;
    wsum s;
    switch (out->proto) {
    case IPPROTO_TCP: {
        if (l4_len < TCP_HLEN)
            return PKT_L4_SHORT;
        uint32_t doff = (v8(vp, l4 + 12) >> 4) * 4u;
        if (doff < TCP_HLEN || doff > l4_len)
            return PKT_L4_SHORT;
        vraw(vp, l4, &out->sport, sizeof out->sport);
        vraw(vp, l4 + 2, &out->dport, sizeof out->dport);
        out->tcp_flags = v8(vp, l4 + 13);
        s = vsum(vp, l4, l4_len, 0);
        if (parse_pseudo(out, l4_len, IPPROTO_TCP, s) != 0)
            return PKT_L4_CSUM;
        return PKT_OK;
    }
    case IPPROTO_UDP: {
        if (l4_len < UDP_HLEN)
            return PKT_L4_SHORT;
        uint32_t ulen = v16(vp, l4 + 4);
        if (ulen < UDP_HLEN || ulen > l4_len)
            return PKT_L4_SHORT;
        vraw(vp, l4, &out->sport, sizeof out->sport);
        vraw(vp, l4 + 2, &out->dport, sizeof out->dport);
        if (v16(vp, l4 + 6) == 0)
            return v6 ? PKT_L4_CSUM : PKT_OK;   /* IPv4: the sender computed none */
        s = vsum(vp, l4, ulen, 0);
        if (parse_pseudo(out, ulen, IPPROTO_UDP, s) != 0)
            return PKT_L4_CSUM;
        return PKT_OK;
    }
    case IPPROTO_ICMP: {
        if (v6 || l4_len < ICMP_HLEN)
            return v6 ? PKT_OK : PKT_L4_SHORT;  /* IPv6 next header 1: not looked into */
        uint8_t type = v8(vp, l4);
        if (type == ICMP_ECHO || type == ICMP_ECHOREPLY)
            vraw(vp, l4 + 4, &out->sport, sizeof out->sport);
        if (csum_fold(vsum(vp, l4, l4_len, 0)) != 0)
            return PKT_L4_CSUM;
        return PKT_OK;
    }
    case NEXTHDR_ICMP: {
        if (!v6)
            return PKT_OK;
        if (l4_len < ICMPV6_HLEN)
            return PKT_L4_SHORT;
        uint8_t type = v8(vp, l4);
        if (type == ICMPV6_ECHO_REQUEST || type == ICMPV6_ECHO_REPLY)
            vraw(vp, l4 + 4, &out->sport, sizeof out->sport);
        if (parse_pseudo(out, l4_len, NEXTHDR_ICMP, vsum(vp, l4, l4_len, 0)) != 0)
            return PKT_L4_CSUM;
        return PKT_OK;
    }
    case IPPROTO_SCTP: {
        if (l4_len < SCTP_HLEN)
            return PKT_L4_SHORT;
        vraw(vp, l4, &out->sport, sizeof out->sport);
        vraw(vp, l4 + 2, &out->dport, sizeof out->dport);
        if (l4_len >= SCTP_HLEN + SCTP_CHUNK_HLEN)
            out->sctp_chunk = v8(vp, l4 + SCTP_HLEN);
        uint32_t stored = 0;
        for (int i = 0; i < 4; i++)
            stored |= (uint32_t)v8(vp, l4 + SCTP_CSUM_OFF + (uint32_t)i) << (8 * i);
        if (vcrc32c(vp, l4, l4_len, l4 + SCTP_CSUM_OFF) != stored)
            return PKT_L4_CSUM;
        return PKT_OK;
    }
    default:
        return PKT_OK;              /* other protocols (IPIP...) are not looked into */
    }
}

/* The IPv4 header at l3, room bytes to the end of the frame, then the upper layer. */
static enum pkt_err parse_ip4(const struct view *vp, uint32_t l3, uint32_t room, struct pkt_info *out)
{
    if (room < IP4_HLEN)
        return PKT_IP_SHORT;
    uint8_t vihl = v8(vp, l3);
    if ((vihl >> 4) != 4)
        return PKT_IP_VERSION;
    uint32_t hl = (vihl & 0x0fu) * 4u;
    if (hl < IP4_HLEN || hl > room)
        return PKT_IP_IHL;
    uint32_t tot = v16(vp, l3 + 2);
    if (tot < hl || tot > room)
        return PKT_IP_TOTLEN;

    const uint32_t l4 = l3 + hl;
    out->l4_off = (uint16_t)l4;
    out->proto = v8(vp, l3 + 9);
    out->ip_len = tot;
    out->l4_len = tot - hl;
    out->fragment = (v16(vp, l3 + 6) & (IP_MF | IP_OFFSET)) != 0;
    vraw(vp, l3 + 12, &out->saddr, sizeof out->saddr);
    vraw(vp, l3 + 16, &out->daddr, sizeof out->daddr);
    if (csum_fold(vsum(vp, l3, hl, 0)) != 0)
        return PKT_IP_CSUM;
    if (out->fragment)
        return PKT_OK;
    return parse_l4(vp, l4, out);
}

/* At most this many extension headers are walked (the kernel's ipv6_skip_exthdr
 * walks any number; a frame of ipvsim's never has more than two). */
#define IPV6_MAX_EXTHDRS 8

/* The IPv6 header at l3: the fixed header, the extension headers (RFC 8200 section
 * 4: hop-by-hop, routing and destination options by their length field, the fragment
 * header's 8 bytes), then the upper layer. */
static enum pkt_err parse_ip6(const struct view *vp, uint32_t l3, uint32_t room, struct pkt_info *out)
{
    if (room < IPV6_HLEN)
        return PKT_IP_SHORT;
    if ((v8(vp, l3) >> 4) != 6)
        return PKT_IP_VERSION;
    uint32_t plen = v16(vp, l3 + 4);
    if (IPV6_HLEN + plen > room)
        return PKT_IP_TOTLEN;
    out->ip_len = IPV6_HLEN + plen;
    out->hop_limit = v8(vp, l3 + 7);
    vraw(vp, l3 + 8, &out->saddr6, sizeof out->saddr6);
    vraw(vp, l3 + 24, &out->daddr6, sizeof out->daddr6);
    uint8_t nh = v8(vp, l3 + 6);
    uint32_t off = l3 + IPV6_HLEN, end = l3 + IPV6_HLEN + plen;
    for (int n = 0; n < IPV6_MAX_EXTHDRS; n++) {
        uint32_t hlen;
        if (nh == NEXTHDR_HOP || nh == NEXTHDR_ROUTING || nh == NEXTHDR_DEST) {
            if (off + 2 > end)
                return PKT_L4_SHORT;
            hlen = (v8(vp, off + 1) + 1u) * 8u;
        } else if (nh == NEXTHDR_FRAGMENT) {
            hlen = sizeof(struct frag_hdr);
            if (off + hlen <= end && (v16(vp, off + 2) & (IP6_OFFSET | IP6_MF)))
                out->fragment = true;
        } else {
            break;
        }
        if (off + hlen > end)
            return PKT_L4_SHORT;
        nh = v8(vp, off);
        off += hlen;
    }
    out->proto = nh;
    out->l4_off = (uint16_t)off;
    out->l4_len = end - off;
    if (out->fragment)
        return PKT_OK;
    return parse_l4(vp, off, out);
}

enum pkt_err pkt_parse(const uint8_t *frame, uint32_t len, uint32_t wire_len, struct pkt_info *out)
{
    struct pkt_info scratch;
    if (!out)
        out = &scratch;
    memset(out, 0, sizeof *out);
    if (!frame)
        len = 0;
    if (wire_len < len)
        wire_len = len;
    const struct view v = { frame, len, wire_len };

    if (wire_len < ETH_HLEN)
        return PKT_ETH_SHORT;
    out->ethertype = v16(&v, 12);
    if (out->ethertype != ETH_P_IP && out->ethertype != ETH_P_IPV6)
        return PKT_NOT_IP;
    const uint32_t l3 = ETH_HLEN;
    out->l3_off = (uint16_t)l3;
    if (out->ethertype == ETH_P_IPV6)
        return parse_ip6(&v, l3, wire_len - l3, out);
    return parse_ip4(&v, l3, wire_len - l3, out);
}

enum pkt_err pkt_parse_skb(const struct sk_buff *skb, struct pkt_info *out)
{
    return pkt_parse(skb->data, skb->len, skb_wire_len(skb), out);
}

const char *pkt_err_str(enum pkt_err e)
{
    switch (e) {
    case PKT_OK:         return "ok";
    case PKT_ETH_SHORT:  return "frame shorter than an Ethernet header";
    case PKT_NOT_IP:     return "neither IPv4 nor IPv6";
    case PKT_IP_SHORT:   return "shorter than an IP header";
    case PKT_IP_VERSION: return "IP version is not the ethertype's (4 or 6)";
    case PKT_IP_IHL:     return "bad IP header length";
    case PKT_IP_TOTLEN:  return "bad IP total length";
    case PKT_IP_CSUM:    return "bad IP header checksum";
    case PKT_L4_SHORT:   return "truncated or malformed L4 header";
    case PKT_L4_CSUM:    return "bad L4 checksum";
    }
    return "unknown parse error";
}
