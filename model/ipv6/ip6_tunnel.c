/* The receiving end of an IPv6 tunnel (net/ipv6/ip6_tunnel.c ip6_tnl_rcv, through
 * ip6ip6_rcv and ip4ip6_rcv): how an LVS-TUN real server reached over IPv6 takes in
 * what the director encapsulated. The fallback device ip6tnl0 (`modprobe ip6_tunnel`)
 * accepts a tunnel packet to any local address, as tunl0 does for IPIP; the inner
 * packet is then received on it as if it had arrived there. IPv4-in-IPv6 (ip4ip6)
 * only once its mode is "any". */
#include <string.h>
#include "model/ipv4/ip.h"
#include "model/ipv6/ipv6.h"
#include "model/net.h"

bool ip6_tnl_rcv(struct net *net, struct sk_buff *skb, uint8_t nexthdr)
{
    struct net_device *dev = host_dev(net->host, IP6_TNL_DEVICE);
    if (!dev || (nexthdr != NEXTHDR_IPV6 && nexthdr != IPPROTO_IPIP_))
        return false;
    bool inner6 = nexthdr == NEXTHDR_IPV6;
    /* ipxip6_rcv: the tunnel's proto must be the packet's or 0 ("any"). The fallback
     * is made IPPROTO_IPV6 (ip6_fb_tnl_dev_init); only its mode may be changed
     * (ip6_tnl0_update), which a real server taking IPv4-in-IPv6 needs. */
    if (!inner6 && !net->ip6tnl0_mode_any) {
        dev->stats.rx_dropped++;
        kfree_skb_reason(net, skb, "ipxip6_rcv", IP6_TNL_DEVICE " is in mode ip6ip6, not any");
        return true;
    }
    trace_note(net, skb, inner6 ? "ip6ip6_rcv" : "ip4ip6_rcv", "decapsulated on " IP6_TNL_DEVICE);
    skb_reset_network_header(skb);
    skb->dst = NULL;
    memset(skb->cb, 0, sizeof skb->cb);
    skb->dev = dev;
    skb->in_dev = dev;
    skb->pkt_type = PACKET_HOST;
    dev->stats.rx_packets++;
    dev->stats.rx_bytes += skb_wire_len(skb);
    if (inner6) {
        skb->protocol = ETH_P_IPV6;
        ipv6_rcv(net, skb, dev);
    } else {
        skb->protocol = ETH_P_IP;
        ip_rcv(net, skb, dev);
    }
    return true;
}
