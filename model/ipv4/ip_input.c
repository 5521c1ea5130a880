/* Receiving: from the wire to local delivery or forwarding (net/ipv4/ip_input.c). */
#include <errno.h>
#include "model/ipv4/icmp.h"
#include "model/ipv4/ip.h"
#include "model/net.h"
#include "model/netfilter/core.h"
#include "model/ipv4/sock.h"
#include "model/ipv6/ipv6.h"
#include "sim/csum.h"
#include "sim/pkt.h"

/* eth_type_trans: classify by destination MAC and pull the Ethernet header. */
static void eth_type_trans(struct sk_buff *skb, struct net_device *dev)
{
    skb_reset_mac_header(skb);
    const struct ethhdr *eth = (const struct ethhdr *)skb->data;
    if (eth->h_dest[0] & 1)
        skb->pkt_type = memcmp(eth->h_dest, "\xff\xff\xff\xff\xff\xff", ETH_ALEN) == 0
                            ? PACKET_BROADCAST : PACKET_MULTICAST;
    else if (memcmp(eth->h_dest, dev->dev_addr, ETH_ALEN) != 0)
        skb->pkt_type = PACKET_OTHERHOST;
    else
        skb->pkt_type = PACKET_HOST;
    skb->protocol = ntohs(eth->h_proto);
    skb_pull(skb, ETH_HLEN);
    skb_reset_network_header(skb);
}

void netif_receive_skb(struct host *h, struct net_device *dev, struct sk_buff *skb)
{
    struct net *net = host_net(h);
    if (net->down) {
        kfree_skb_reason(net, skb, __func__, "host down");
        return;
    }
    if (skb->len < ETH_HLEN) {
        dev->stats.rx_dropped++;
        kfree_skb_reason(net, skb, __func__, "runt frame");
        return;
    }
    skb->dev = dev;
    skb->in_dev = dev;
    eth_type_trans(skb, dev);
    if (skb->protocol == ETH_P_IP) {
        if (net->rx_prefetch)
            net->rx_prefetch(net, skb);
        ip_rcv(net, skb, dev);
    }
    else if (skb->protocol == ETH_P_IPV6)
        ipv6_rcv(net, skb, dev);
    else
        kfree_skb_reason(net, skb, __func__, "neither IPv4 nor IPv6");  /* ARP is not on the wire */
}

/* ip_rcv_core: the header checks, in the kernel's order. Returns NULL or why the
 * packet is dropped. */
static const char *ip_rcv_core(struct net *net, struct sk_buff *skb)
{
    if (skb->pkt_type == PACKET_OTHERHOST)
        return "PACKET_OTHERHOST";  /* not counted: a frame for another host */
    net->mib.in_receives++;
    const char *why = NULL;
    const struct iphdr *iph = ip_hdr(skb);
    if (skb->len < sizeof(struct iphdr))
        why = "header truncated";
    else if (ip_hdrlen(iph) < 20 || ip_version(iph) != 4)
        why = "bad version or ihl";
    else if (skb->len < ip_hdrlen(iph))
        why = "header truncated";
    else if (ip_fast_csum(iph, ip_hdrlen(iph) / 4) != 0) {
        net->mib.in_csum_errors++;     /* InCsumErrors, and InHdrErrors too */
        why = "bad header checksum";
    } else if (ntohs(iph->tot_len) > skb_wire_len(skb)) {
        net->mib.in_truncated_pkts++;  /* InTruncatedPkts only, not a header error */
        return "truncated (tot_len beyond the frame)";
    } else if (ntohs(iph->tot_len) < ip_hdrlen(iph))
        why = "bad tot_len";
    if (why) {
        net->mib.in_hdr_errors++;
        return why;
    }
    /* Trim Ethernet padding: virtual payload first, then real bytes. */
    uint32_t excess = skb_wire_len(skb) - ntohs(iph->tot_len);
    uint32_t from_virtual = excess < skb->data_len ? excess : skb->data_len;
    skb->data_len -= from_virtual;
    skb->len -= excess - from_virtual;
    skb->transport_header = (uint16_t)(skb->network_header + ip_hdrlen(iph));
    return NULL;
}

int ip_rcv(struct net *net, struct sk_buff *skb, struct net_device *dev)
{
    trace_func(net, skb, __func__);
    const char *why = ip_rcv_core(net, skb);
    if (why) {
        kfree_skb_reason(net, skb, "ip_rcv_core", why);
        return -EINVAL;
    }
    return NF_HOOK(NF_INET_PRE_ROUTING, net, skb, dev, NULL, ip_rcv_finish);
}

/* ip_error: the input route said no. With forwarding off the kernel drops
 * silently (InAddrErrors); with no route it answers net unreachable. */
static int ip_error(struct net *net, struct sk_buff *skb, int err)
{
    if (err == -ENETUNREACH) {
        net->mib.in_no_routes++;
        icmp_send(net, skb, ICMP_DEST_UNREACH, ICMP_NET_UNREACH, 0);
        kfree_skb_reason(net, skb, __func__, "no route");
    } else {
        net->mib.in_addr_errors++;
        kfree_skb_reason(net, skb, __func__,
                         err == -EINVAL ? "martian source" : "not for us, forwarding off");
    }
    return err;
}

int ip_rcv_finish(struct net *net, struct sk_buff *skb)
{
    trace_func(net, skb, __func__);
    const struct iphdr *iph = ip_hdr(skb);
    /* A packet arrives without a route; a PRE_ROUTING hook may have set one, and a
     * DNAT there drops it again so that the lookup uses the new destination. */
    if (!skb->dst) {
        int err = ip_route_input(net, skb, iph->daddr, iph->saddr);
        if (err)
            return ip_error(net, skb, err);
    }
    return dst_input(net, skb);
}

int dst_input(struct net *net, struct sk_buff *skb)
{
    return skb_rtable(skb)->input(net, skb);
}

int ip_local_deliver(struct net *net, struct sk_buff *skb)
{
    trace_func(net, skb, __func__);
    const struct iphdr *iph = ip_hdr(skb);
    if (ntohs(iph->frag_off) & (IP_MF | IP_OFFSET)) {
        /* Reassembly is not modelled: the simulated stacks never fragment
         * locally delivered traffic. Counted as a discard. */
        net->mib.in_discards++;
        kfree_skb_reason(net, skb, __func__, "fragment (reassembly not modelled)");
        return -EINVAL;
    }
    return NF_HOOK(NF_INET_LOCAL_IN, net, skb, skb->dev, NULL, ip_local_deliver_finish);
}

int ip_local_deliver_finish(struct net *net, struct sk_buff *skb)
{
    trace_func(net, skb, __func__);
    skb_pull(skb, ip_hdrlen(ip_hdr(skb)));
    net->mib.in_delivers++;
    return sock_deliver(net, skb);
}
