/* TCP over IPv6 (net/ipv6/tcp_ipv6.c: tcp_v6_rcv, tcp_v6_send_reset; 
 * inet6_connection_sock.c inet6_csk_xmit; route.c ip6_default_advmss): the
 * checksum, the hand-off to the socket of the port, the reset when there is none,
 * and the sending side of the applications' endpoints. */
#include <errno.h>
#include "model/ipv4/sock.h"
#include "model/ipv6/ipv6.h"
#include "model/ipv6/transp_v6.h"
#include "model/net.h"
#include "model/trace.h"
#include "sim/csum.h"
#include "sim/in6_key.h"
#include "sim/pkt.h"

uint32_t ipv6_addr_digest(const struct in6_addr *a)
{
    uint64_t x = 0;
    for (int i = 0; i < 16; i++)
        x = (x ^ a->s6_addr[i]) * 0x100000001b3ull;     /* FNV-1a, 64 bits */
    x ^= x >> 29;
    x *= 0xbf58476d1ce4e5b9ull;
    return (uint32_t)(x ^ (x >> 32));
}

bool ip6_route_ok(struct net *net, be32 daddr)
{
    return net->ipv6 && ip6_route_output(net, in6_key_addr(daddr)) != NULL;
}

bool ip6_route_saddr(struct net *net, be32 daddr, be32 *saddr)
{
    const struct in6_addr *d = in6_key_addr(daddr);
    struct rt6_info *rt = net->ipv6 ? ip6_route_output(net, d) : NULL;
    struct in6_addr s;
    if (!rt || !ipv6_dev_get_saddr(net, rt->dev, d, &s))
        return false;
    *saddr = in6_key_get(&s);
    return true;
}

uint16_t tcp_v6_route_mss(struct net *net, be32 daddr)
{
    struct rt6_info *rt = net->ipv6 ? ip6_route_output(net, in6_key_addr(daddr)) : NULL;
    uint32_t mtu = rt && rt->dev ? rt->dev->mtu : ETH_DATA_LEN;
    uint32_t hdrs = sizeof(struct ipv6hdr) + sizeof(struct tcphdr);
    uint32_t mss = mtu > hdrs ? mtu - hdrs : 0;
    if (mss < IPV6_MIN_MTU - hdrs)  /* net.ipv6.route.min_adv_mss: 1220 */
        mss = IPV6_MIN_MTU - hdrs;
    return (uint16_t)MIN(mss, 65535u - sizeof(struct tcphdr));  /* IPV6_MAXPLEN - tcp header */
}

/* Build an IPv6 TCP segment from the key saddr to the key daddr and send it. */
static bool tcp_v6_send(struct net *net, const struct in6_addr *saddr, const struct in6_addr *daddr,
                        const struct tcp_spec *t, uint32_t len, uint64_t flow)
{
    struct rt6_info *rt = net->ipv6 ? ip6_route_output(net, daddr) : NULL;
    if (!rt) {
        if (net->ipv6)
            net->ipv6->mib.out_no_routes++;
        return false;
    }
    struct ip6_spec ip = { .saddr = *saddr, .daddr = *daddr,
                           .hop_limit = (uint8_t)net->ipv6->devconf_all.hop_limit };
    struct sk_buff *skb = skb_alloc(net_pool(net), net_now(net));
    if (!skb)
        return false;
    if (!pkt_build_tcp6(skb, &ip, t, len)) {
        skb_free(net_pool(net), skb);
        return false;
    }
    skb->dst = rt;
    skb->flow = flow;
    ip6_local_out(net, skb);
    return true;
}

bool tcp_v6_xmit(struct net *net, be32 saddr, be32 daddr, const struct tcp_spec *t, uint32_t len,
                 uint64_t flow)
{
    return tcp_v6_send(net, in6_key_addr(saddr), in6_key_addr(daddr), t, len, flow);
}

void tcp_v6_send_reset(struct net *net, const struct sk_buff *oldskb)
{
    const struct tcphdr *oth = (const struct tcphdr *)oldskb->data;
    if (oldskb->len < sizeof *oth || (oth->flags & TCPH_RST))
        return;                     /* never answer a reset with a reset */
    const struct ipv6hdr *hdr = ipv6_hdr(oldskb);
    uint32_t hl = tcp_hdrlen(oth);
    uint32_t l4 = skb_wire_len(oldskb);
    uint32_t seglen = l4 > hl ? l4 - hl : 0;
    /* The RFC 793 rules of tcp_v6_send_reset, as tcp_v4_send_reset's. */
    struct tcp_spec t = { .sport = oth->dest, .dport = oth->source };
    if (oth->flags & TCPH_ACK) {
        t.seq = ntohl(oth->ack_seq);
        t.flags = TCPH_RST;
    } else {
        t.ack = ntohl(oth->seq) + seglen + !!(oth->flags & TCPH_SYN) + !!(oth->flags & TCPH_FIN);
        t.flags = TCPH_RST | TCPH_ACK;
    }
    const struct in6_addr s = hdr->daddr, d = hdr->saddr;
    if (tcp_v6_send(net, &s, &d, &t, 0, oldskb->flow))
        trace_note(net, oldskb, __func__, "RST sent");
}

/* The pseudo-header checksum of a TCP or UDP packet (virtual bytes are zeros). */
static bool l4_csum6_ok(const struct sk_buff *skb, uint8_t proto)
{
    const struct ipv6hdr *hdr = ipv6_hdr(skb);
    const struct in6_addr s = hdr->saddr, d = hdr->daddr;
    return csum_ipv6_magic(&s, &d, skb_wire_len(skb), proto,
                           csum_partial(skb->data, skb->len, 0)) == 0;
}

bool transp_v6_rcv_check(struct net *net, struct sk_buff *skb, uint8_t proto, uint32_t hlen,
                         const char *fn)
{
    if (skb->len < hlen || !l4_csum6_ok(skb, proto)) {
        net->socks->stats.csum_errors++;
        kfree_skb_reason(net, skb, fn, "L4 checksum error");
        return false;
    }
    const struct ipv6hdr *hdr = ipv6_hdr(skb);
    const struct in6_addr s = hdr->saddr, d = hdr->daddr;
    sock_skb_set_addrs(skb, in6_key_get(&s), in6_key_get(&d));
    return true;
}

int tcp_v6_rcv(struct net *net, struct sk_buff *skb)
{
    trace_func(net, skb, __func__);
    if (!transp_v6_rcv_check(net, skb, IPPROTO_TCP, sizeof(struct tcphdr), __func__))
        return -EINVAL;
    const struct tcphdr *th = (const struct tcphdr *)skb->data;
    const struct sock_bind *b = sock_lookup_port(net, IPPROTO_TCP, th->dest);
    net->socks->stats.tcp_in++;
    if (!b) {
        /* no_tcp_socket: a reset, unless the segment was one */
        net->socks->stats.no_socket++;
        tcp_v6_send_reset(net, skb);
        kfree_skb_reason(net, skb, __func__, "no socket");
        return -ENOENT;
    }
    b->fn(net, skb, b->ctx);
    return 0;
}
