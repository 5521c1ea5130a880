/* Sending: local output and the output path shared with forwarding
 * (net/ipv4/ip_output.c), down to the neighbour layer and the wire. */
#include <errno.h>
#include "model/ipv4/ip.h"
#include "model/net.h"
#include "model/netfilter/core.h"
#include "sim/csum.h"
#include "sim/link.h"
#include "sim/pkt.h"

int ip_local_out(struct net *net, struct sk_buff *skb)
{
    if (net->down) {
        kfree_skb_reason(net, skb, __func__, "host down");
        return -ENETDOWN;
    }
    trace_func(net, skb, __func__);
    int r = __ip_local_out(net, skb);
    return r == 1 ? dst_output(net, skb) : r;
}

int __ip_local_out(struct net *net, struct sk_buff *skb)
{
    trace_func(net, skb, __func__);
    struct iphdr *iph = ip_hdr(skb);
    be16 tot_len = htons((uint16_t)(skb_wire_len(skb)));
    /* Stored only when it changes (a builder has mostly set it already), so that the
     * checksum's load of this word is not held up by a store still in flight. */
    if (iph->tot_len != tot_len)
        iph->tot_len = tot_len;
    ip_send_check(iph);             /* a full recompute, not an incremental one */
    skb->protocol = ETH_P_IP;
    net->mib.out_requests++;
    return nf_hook(NF_INET_LOCAL_OUT, net, skb, NULL, skb_rtable(skb)->dev, dst_output);
}

int dst_output(struct net *net, struct sk_buff *skb)
{
    return skb_rtable(skb)->output(net, skb);
}

int ip_output(struct net *net, struct sk_buff *skb)
{
    trace_func(net, skb, __func__);
    struct net_device *dev = skb_rtable(skb)->dev;
    skb->dev = dev;
    skb->protocol = ETH_P_IP;
    return NF_HOOK_COND(NF_INET_POST_ROUTING, net, skb, skb->in_dev, dev, ip_finish_output,
                        !(IPCB(skb)->flags & IPSKB_REROUTED));
}

/* ip_finish_output's check before ip_finish_output2. Fragmentation is not modelled;
 * forwarded DF packets never get here (ip_forward checks first) and the simulated
 * stacks respect the MTU. False when the packet was dropped. */
static bool ip_finish_output_fits(struct net *net, struct sk_buff *skb)
{
    if (ntohs(ip_hdr(skb)->tot_len) <= skb->dev->mtu)
        return true;
    net->mib.out_discards++;
    kfree_skb_reason(net, skb, "ip_finish_output", "larger than the MTU (fragmentation not modelled)");
    return false;
}

/* ip_finish_output2's tail once the neighbour is known (neigh_output ->
 * dev_queue_xmit): the Ethernet header, then the wire. Inlined into both callers,
 * so that sharing it costs the unicast path no call (about 8 instructions a packet
 * otherwise). */
static inline __attribute__((always_inline)) int ip_neigh_output(struct net *net, struct sk_buff *skb, const uint8_t dst_mac[ETH_ALEN])
{
    struct net_device *dev = skb->dev;
    if (!eth_push(skb, dev->dev_addr, dst_mac, ETH_P_IP)) {
        net->mib.out_discards++;
        kfree_skb_reason(net, skb, "ip_finish_output2", "no headroom");
        return -ENOBUFS;
    }
    trace_note(net, skb, "dev_queue_xmit", dev->name);
    /* The packet leaves this host: its route and IP state were this host's. */
    skb->dst = NULL;
    skb->in_dev = NULL;
    memset(skb->cb, 0, sizeof skb->cb);
    host_xmit(net->host, dev, skb);
    return 0;
}

int ip_finish_output(struct net *net, struct sk_buff *skb)
{
    trace_func(net, skb, __func__);
    if (!ip_finish_output_fits(net, skb))
        return -EMSGSIZE;
    return ip_finish_output2(net, skb);
}

/* The neighbour layer: the next hop's MAC, then the Ethernet header. ARP itself is
 * not on the wire: a link answers from the addresses plugged into it. */
int ip_finish_output2(struct net *net, struct sk_buff *skb)
{
    trace_func(net, skb, __func__);
    struct net_device *dev = skb->dev;
    struct rtable *rt = skb_rtable(skb);
    uint8_t dst_mac[ETH_ALEN] = {0};
    if (!dev->loopback) {
        be32 nexthop = rt->gateway ? rt->gateway : ip_hdr(skb)->daddr;
        if (!dev->link || !link_resolve(dev->link, nexthop, dst_mac)) {
            net->mib.neigh_failed++;
            kfree_skb_reason(net, skb, __func__, "neighbour unresolved");
            return -EHOSTUNREACH;
        }
    }
    return ip_neigh_output(net, skb, dst_mac);
}

/* ip_mc_output's okfn: ip_finish_output and ip_finish_output2 for a group, whose
 * neighbour needs no lookup (arp_constructor: NUD_NOARP, the address from
 * arp_mc_map -> ip_eth_mc_map). The trace shows ip_mc_output and POST_ROUTING only. */
static int ip_mc_finish_output(struct net *net, struct sk_buff *skb)
{
    if (!ip_finish_output_fits(net, skb))
        return -EMSGSIZE;
    uint8_t dst_mac[ETH_ALEN];
    ip_eth_mc_map(ip_hdr(skb)->daddr, dst_mac);
    return ip_neigh_output(net, skb, dst_mac);
}

int ip_mc_output(struct net *net, struct sk_buff *skb)
{
    trace_func(net, skb, __func__);
    struct net_device *dev = skb_rtable(skb)->dev;
    skb->dev = dev;
    skb->protocol = ETH_P_IP;
    return NF_HOOK(NF_INET_POST_ROUTING, net, skb, NULL, dev, ip_mc_finish_output);
}
