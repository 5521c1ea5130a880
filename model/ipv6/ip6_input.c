/* Receiving IPv6 (net/ipv6/ip6_input.c: ipv6_rcv, ip6_rcv_core, ip6_rcv_finish,
 * ip6_input, ip6_input_finish, ip6_protocol_deliver_rcu, ip6_mc_input); the upper
 * layers are icmpv6_rcv (icmp.c), tcp_v6_rcv (tcp_ipv6.c) and udpv6_rcv (udp.c). The
 * hop-by-hop and destination options headers are stepped over (their options are not
 * acted on: no router alert, no jumbogram); a routing header is an unknown next
 * header (no segment routing). */
#include <errno.h>
#include "model/ipv6/ipv6.h"
#include "model/ipv6/transp_v6.h"
#include "model/net.h"
#include "model/netfilter/core.h"
#include "sim/pkt.h"

/* IPV6_ADDR_MC_SCOPE: the low nibble of a group's second byte. */
static unsigned mc_scope(const struct in6_addr *a)
{
    return a->s6_addr[1] & 0x0f;
}

/* ip6_rcv_core: the header checks, in the kernel's order. Returns NULL or why the
 * packet is dropped. */
static const char *ip6_rcv_core(struct net *net, struct sk_buff *skb, struct net_device *dev)
{
    if (skb->pkt_type == PACKET_OTHERHOST)
        return "PACKET_OTHERHOST";
    struct netns_ipv6 *n = net->ipv6;
    if (!n || !n->idev[dev->ifindex].enabled)
        return "IPv6 disabled on the device";      /* no inet6_dev: SKB_DROP_REASON_IPV6DISABLED */
    n->mib.in_receives++;
    const char *why = NULL;
    const struct ipv6hdr *hdr = ipv6_hdr(skb);
    struct in6_addr hs = {{{0}}}, hd = {{{0}}};
    if (skb->len >= sizeof(struct ipv6hdr)) {
        hs = hdr->saddr;
        hd = hdr->daddr;
    }
    if (skb->len < sizeof(struct ipv6hdr))
        why = "header truncated";
    else if (ipv6_version(hdr) != 6)
        why = "IP version is not 6";
    else if ((ipv6_addr_loopback(&hs) || ipv6_addr_loopback(&hd)) && !dev->loopback)
        why = "loopback address on the wire";      /* RFC 4291 2.5.3 */
    else if (ipv6_addr_is_multicast(&hd) && mc_scope(&hd) == 0)
        why = "multicast scope 0";                  /* RFC 4291 2.7 */
    else if (ipv6_addr_is_multicast(&hd) && mc_scope(&hd) == 1 && !dev->loopback)
        why = "interface-local multicast on the wire";
    else if (ipv6_addr_is_multicast(&hs))
        why = "multicast source";
    if (why) {
        n->mib.in_hdr_errors++;
        return why;
    }
    uint32_t pkt_len = ntohs(hdr->payload_len);
    if (pkt_len + sizeof(struct ipv6hdr) > skb_wire_len(skb)) {
        n->mib.in_truncated_pkts++;
        return "truncated (payload length beyond the frame)";
    }
    /* pskb_trim_rcsum: Ethernet padding off, virtual bytes first. */
    uint32_t excess = skb_wire_len(skb) - (pkt_len + (uint32_t)sizeof(struct ipv6hdr));
    uint32_t from_virtual = excess < skb->data_len ? excess : skb->data_len;
    skb->data_len -= from_virtual;
    skb->len -= excess - from_virtual;
    skb->transport_header = (uint16_t)(skb->network_header + sizeof(struct ipv6hdr));
    IP6CB(skb)->nhoff = offsetof(struct ipv6hdr, nexthdr);
    IP6CB(skb)->iif = dev->ifindex;
    if (hdr->nexthdr == NEXTHDR_HOP) {
        /* ipv6_parse_hopopts, reduced to stepping over the header. */
        uint32_t off = sizeof(struct ipv6hdr);
        if (skb->len < off + 2 || skb->len < off + (skb->data[off + 1] + 1u) * 8u) {
            n->mib.in_hdr_errors++;
            return "hop-by-hop header truncated";
        }
        IP6CB(skb)->nhoff = (uint16_t)off;
        skb->transport_header = (uint16_t)(skb->network_header + off + (skb->data[off + 1] + 1u) * 8u);
    }
    return NULL;
}

int ipv6_rcv(struct net *net, struct sk_buff *skb, struct net_device *dev)
{
    trace_func(net, skb, __func__);
    const char *why = ip6_rcv_core(net, skb, dev);
    if (why) {
        kfree_skb_reason(net, skb, "ip6_rcv_core", why);
        return -EINVAL;
    }
    return NF_HOOK_PF(NFPROTO_IPV6, NF_INET_PRE_ROUTING, net, skb, dev, NULL, ip6_rcv_finish);
}

int ip6_rcv_finish(struct net *net, struct sk_buff *skb)
{
    trace_func(net, skb, __func__);
    /* A PRE_ROUTING hook may have routed the packet already (skb_valid_dst). */
    if (!skb->dst)
        ip6_route_input(net, skb);
    return skb_rt6_info(skb)->input(net, skb);
}

int ip6_mc_input(struct net *net, struct sk_buff *skb)
{
    trace_func(net, skb, __func__);
    net->ipv6->mib.in_mcast_pkts++;
    const struct in6_addr group = ipv6_hdr(skb)->daddr;
    if (!ipv6_chk_mcast_addr(net, skb->dev, &group)) {
        /* no multicast routing: a group nobody here listens to */
        kfree_skb_reason(net, skb, __func__, "not a member of the group");
        return -EINVAL;
    }
    return ip6_input(net, skb);
}

int ip6_input(struct net *net, struct sk_buff *skb)
{
    trace_func(net, skb, __func__);
    return NF_HOOK_PF(NFPROTO_IPV6, NF_INET_LOCAL_IN, net, skb, skb->dev, NULL, ip6_input_finish);
}

/* ip6_protocol_deliver_rcu: the upper layer named by the next-header byte at nhoff. */
int ip6_input_finish(struct net *net, struct sk_buff *skb)
{
    trace_func(net, skb, __func__);
    struct netns_ipv6 *n = net->ipv6;
    uint8_t nexthdr = skb_network_header(skb)[IP6CB(skb)->nhoff];
    /* Destination options (ipv6_destopt_rcv): stepped over, their options not acted
     * on, the upper layer looked up again (the kernel's resubmit). */
    while (nexthdr == NEXTHDR_DEST) {
        uint32_t off = (uint32_t)(skb->transport_header - skb->network_header);
        const uint8_t *h = skb_transport_header(skb);
        if (skb->len < off + 2 || skb->len < off + (h[1] + 1u) * 8u) {
            n->mib.in_hdr_errors++;
            kfree_skb_reason(net, skb, "ipv6_destopt_rcv", "destination options truncated");
            return -EINVAL;
        }
        IP6CB(skb)->nhoff = (uint16_t)off;
        skb->transport_header = (uint16_t)(skb->transport_header + (h[1] + 1u) * 8u);
        nexthdr = h[0];
    }
    if (nexthdr == NEXTHDR_NONE) {
        /* nodata_protocol: nothing follows, the packet is delivered to nobody */
        n->mib.in_delivers++;
        consume_skb(net, skb);
        return 0;
    }
    if (nexthdr == NEXTHDR_FRAGMENT) {
        /* ipv6_frag_rcv: reassembly is not modelled (no sender of ipvsim fragments) */
        n->mib.in_discards++;
        kfree_skb_reason(net, skb, "ipv6_frag_rcv", "fragment (reassembly not modelled)");
        return -EINVAL;
    }
    /* The upper layer sees data at its header, the network header kept behind. */
    skb_pull(skb, (uint32_t)(skb->transport_header - skb->network_header));
    switch (nexthdr) {
    case NEXTHDR_ICMP:
        n->mib.in_delivers++;
        return icmpv6_rcv(net, skb);
    case NEXTHDR_UDP:
        n->mib.in_delivers++;
        return udpv6_rcv(net, skb);
    case NEXTHDR_TCP:
        n->mib.in_delivers++;
        return tcp_v6_rcv(net, skb);
    case NEXTHDR_IPV6:
    case IPPROTO_IPIP_:
        if (ip6_tnl_rcv(net, skb, nexthdr)) {
            n->mib.in_delivers++;
            return 0;
        }
        /* no tunnel device */
        /* fall through */
    default:
        /* No handler: Parameter Problem pointing at the next-header byte. */
        n->mib.in_unknown_protos++;
        skb_push(skb, (uint32_t)(skb->transport_header - skb->network_header));
        icmpv6_send(net, skb, ICMPV6_PARAMPROB, ICMPV6_UNK_NEXTHDR, IP6CB(skb)->nhoff);
        kfree_skb_reason(net, skb, __func__, "unknown next header");
        return -EPROTONOSUPPORT;
    }
}
