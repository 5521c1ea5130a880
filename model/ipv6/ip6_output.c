/* Sending and forwarding IPv6 (net/ipv6/ip6_output.c: ip6_forward,
 * ip6_forward_finish, ip6_output, ip6_finish_output, ip6_finish_output2; 
 * net/ipv6/output_core.c: ip6_local_out, __ip6_local_out). Routers never fragment
 * in IPv6: a packet larger than the next link's MTU is dropped with a Packet Too
 * Big. A host's own packets larger than the MTU would be fragmented (ip6_fragment),
 * which is not modelled: they are dropped and counted. */
#include <errno.h>
#include "model/ipv6/ipv6.h"
#include "model/net.h"
#include "model/netfilter/core.h"
#include "sim/pkt.h"

/* ip6_forward's source checks (the "security critical" one of the kernel): no
 * forwarding from an unspecified, multicast or loopback source; a link-local source
 * gets Destination Unreachable, beyond scope. Returns NULL or why. */
static const char *ip6_forward_source(struct net *net, struct sk_buff *skb)
{
    const struct in6_addr saddr = ipv6_hdr(skb)->saddr;
    if (ipv6_addr_any(&saddr) || ipv6_addr_is_multicast(&saddr) || ipv6_addr_loopback(&saddr))
        return "bad source address";
    if (ipv6_addr_linklocal(&saddr)) {
        icmpv6_send(net, skb, ICMPV6_DEST_UNREACH, ICMPV6_NOT_NEIGHBOUR, 0);
        return "link-local source";
    }
    return NULL;
}

int ip6_forward(struct net *net, struct sk_buff *skb)
{
    trace_func(net, skb, __func__);
    struct netns_ipv6 *n = net->ipv6;
    struct rt6_info *rt = skb_rt6_info(skb);
    struct ipv6hdr *hdr = ipv6_hdr(skb);
    const char *why = NULL;
    if (!n->devconf_all.forwarding)
        why = "not for us, forwarding off";
    else if (skb->pkt_type != PACKET_HOST) {
        kfree_skb_reason(net, skb, __func__, "not PACKET_HOST");
        return -EINVAL;
    }
    if (why) {
        n->mib.in_addr_errors++;
        kfree_skb_reason(net, skb, __func__, why);
        return -EINVAL;
    }
    /* The hop limit is checked before it is decremented: a packet arriving with 1
     * may not be forwarded. */
    if (hdr->hop_limit <= 1) {
        icmpv6_send(net, skb, ICMPV6_TIME_EXCEED, ICMPV6_EXC_HOPLIMIT, 0);
        n->mib.in_hdr_errors++;
        kfree_skb_reason(net, skb, __func__, "hop limit expired");
        return -ETIMEDOUT;
    }
    /* Redirects (the packet leaving by the device it came in on) are not modelled;
     * every other packet passes the source checks. */
    why = ip6_forward_source(net, skb);
    if (why) {
        n->mib.in_addr_errors++;
        kfree_skb_reason(net, skb, __func__, why);
        return -EINVAL;
    }
    uint32_t mtu = rt->dev->mtu < IPV6_MIN_MTU ? IPV6_MIN_MTU : rt->dev->mtu;
    if (skb_wire_len(skb) > mtu) {
        /* ip6_pkt_too_big: the error's source is the output device's address */
        skb->dev = rt->dev;
        icmpv6_send(net, skb, ICMPV6_PKT_TOOBIG, 0, mtu);
        n->mib.in_too_big_errors++;
        n->mib.frag_fails++;
        kfree_skb_reason(net, skb, __func__, "packet too big");
        return -EMSGSIZE;
    }
    IP6CB(skb)->flags |= IP6SKB_FORWARDED;
    hdr->hop_limit--;               /* no header checksum in IPv6 */
    return NF_HOOK_PF(NFPROTO_IPV6, NF_INET_FORWARD, net, skb, skb->dev, rt->dev, ip6_forward_finish);
}

int ip6_forward_finish(struct net *net, struct sk_buff *skb)
{
    trace_func(net, skb, __func__);
    net->ipv6->mib.out_forw_datagrams++;
    return skb_rt6_info(skb)->output(net, skb);
}

int ip6_local_out(struct net *net, struct sk_buff *skb)
{
    if (net->down) {
        kfree_skb_reason(net, skb, __func__, "host down");
        return -ENETDOWN;
    }
    trace_func(net, skb, __func__);
    int r = __ip6_local_out(net, skb);
    return r == 1 ? skb_rt6_info(skb)->output(net, skb) : r;
}

int __ip6_local_out(struct net *net, struct sk_buff *skb)
{
    trace_func(net, skb, __func__);
    uint32_t len = skb_wire_len(skb) - (uint32_t)sizeof(struct ipv6hdr);
    ipv6_hdr(skb)->payload_len = htons((uint16_t)(len > IPV6_MAXPLEN ? 0 : len));
    IP6CB(skb)->nhoff = offsetof(struct ipv6hdr, nexthdr);
    skb->protocol = ETH_P_IPV6;
    net->ipv6->mib.out_requests++;
    return nf_hook_pf(NFPROTO_IPV6, NF_INET_LOCAL_OUT, net, skb, NULL, skb_rt6_info(skb)->dev,
                      ip6_output);
}

int ip6_output(struct net *net, struct sk_buff *skb)
{
    trace_func(net, skb, __func__);
    struct net_device *dev = skb_rt6_info(skb)->dev, *indev = skb->in_dev;
    skb->protocol = ETH_P_IPV6;
    skb->dev = dev;
    return NF_HOOK_COND_PF(NFPROTO_IPV6, NF_INET_POST_ROUTING, net, skb, indev, dev,
                           ip6_finish_output, !(IP6CB(skb)->flags & IP6SKB_REROUTED));
}

int ip6_finish_output(struct net *net, struct sk_buff *skb)
{
    trace_func(net, skb, __func__);
    if (skb_wire_len(skb) > skb->dev->mtu) {
        /* ip6_fragment: a local sender's packet above the MTU */
        net->ipv6->mib.frag_fails++;
        net->ipv6->mib.out_discards++;
        kfree_skb_reason(net, skb, __func__, "larger than the MTU (fragmentation not modelled)");
        return -EMSGSIZE;
    }
    return ip6_finish_output2(net, skb);
}

int ip6_neigh_output(struct net *net, struct sk_buff *skb, const uint8_t mac[ETH_ALEN])
{
    struct net_device *dev = skb->dev;
    if (!eth_push(skb, dev->dev_addr, mac, ETH_P_IPV6)) {
        net->ipv6->mib.out_discards++;
        kfree_skb_reason(net, skb, "ip6_finish_output2", "no headroom");
        return -ENOBUFS;
    }
    trace_note(net, skb, "dev_queue_xmit", dev->name);
    /* The packet leaves this host: its route and IPv6 state were this host's. */
    skb->dst = NULL;
    skb->in_dev = NULL;
    memset(skb->cb, 0, sizeof skb->cb);
    host_xmit(net->host, dev, skb);
    return 0;
}

/* The neighbour: a group's Ethernet address (ndisc_mc_map: no solicitation), the
 * loopback's none, else neighbour discovery (ndisc.c). */
int ip6_finish_output2(struct net *net, struct sk_buff *skb)
{
    trace_func(net, skb, __func__);
    struct net_device *dev = skb->dev;
    const struct in6_addr daddr = ipv6_hdr(skb)->daddr;
    if (dev->loopback) {
        static const uint8_t zero[ETH_ALEN];
        return ip6_neigh_output(net, skb, zero);
    }
    if (ipv6_addr_is_multicast(&daddr)) {
        uint8_t mac[ETH_ALEN];
        ipv6_eth_mc_map(&daddr, mac);
        return ip6_neigh_output(net, skb, mac);
    }
    struct in6_addr nexthop = *rt6_nexthop(skb_rt6_info(skb), &daddr);
    return ip6_neigh_resolve_output(net, skb, &nexthop);
}
