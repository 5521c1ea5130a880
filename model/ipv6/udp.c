/* UDP over IPv6 (net/ipv6/udp.c: udpv6_rcv / __udp6_lib_rcv, udpv6_sendmsg). The
 * checksum is mandatory over IPv6 (RFC 8200 8.1): a datagram carrying 0 is dropped
 * (udp6_csum_init; the zero_csum6 exceptions of tunnels are not modelled), and every
 * datagram sent has one. */
#include <errno.h>
#include "model/ipv4/sock.h"
#include "model/ipv6/ipv6.h"
#include "model/ipv6/transp_v6.h"
#include "model/net.h"
#include "sim/in6_key.h"
#include "sim/pkt.h"

int udpv6_rcv(struct net *net, struct sk_buff *skb)
{
    trace_func(net, skb, __func__);
    const struct udphdr *uh = (const struct udphdr *)skb->data;
    if (skb->len >= sizeof *uh && uh->check == 0) {
        net->socks->stats.csum_errors++;
        kfree_skb_reason(net, skb, __func__, "UDP checksum 0 over IPv6");
        return -EINVAL;
    }
    if (!transp_v6_rcv_check(net, skb, IPPROTO_UDP, sizeof *uh, __func__))
        return -EINVAL;
    net->socks->stats.udp_in++;
    const struct sock_bind *b = sock_lookup_port(net, IPPROTO_UDP, uh->dest);
    if (!b) {
        net->socks->stats.no_socket++;
        icmpv6_send(net, skb, ICMPV6_DEST_UNREACH, ICMPV6_PORT_UNREACH, 0);
        kfree_skb_reason(net, skb, __func__, "no socket");
        return -ENOENT;
    }
    b->fn(net, skb, b->ctx);
    return 0;
}

int udp_v6_send(struct net *net, be32 saddr, be16 sport, be32 daddr, be16 dport, uint32_t payload,
                uint64_t flow)
{
    struct rt6_info *rt = net->ipv6 ? ip6_route_output(net, in6_key_addr(daddr)) : NULL;
    if (!rt) {
        if (net->ipv6)
            net->ipv6->mib.out_no_routes++;
        return -ENETUNREACH;
    }
    struct ip6_spec ip = { .saddr = *in6_key_addr(saddr), .daddr = *in6_key_addr(daddr),
                           .hop_limit = (uint8_t)net->ipv6->devconf_all.hop_limit };
    struct sk_buff *skb = skb_alloc(net_pool(net), net_now(net));
    if (!skb)
        return -ENOBUFS;
    if (!pkt_build_udp6(skb, &ip, sport, dport, payload)) {
        skb_free(net_pool(net), skb);
        return -EMSGSIZE;
    }
    skb->dst = rt;
    skb->flow = flow;
    return ip6_local_out(net, skb);
}
