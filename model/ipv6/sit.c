/* The receiving end of an IPv6-in-IPv4 tunnel (net/ipv6/sit.c ipip6_rcv, IP protocol
 * 41): how an LVS-TUN real server reached over IPv4 takes in what the director of an
 * IPv6 service encapsulated for it (ip_vs_tunnel_xmit with cp->af AF_INET6, 3.18+).
 * The fallback device sit0 (`modprobe sit`, `ip link set sit0 up`) is the wildcard
 * tunnel (ipip6_tunnel_lookup's tunnels_wc[0]): it takes protocol 41 from any
 * source to any local address, and the inner IPv6 packet is received on it as if it
 * had arrived there. The 6rd/6to4 anti-spoofing test (packet_is_spoofed) only
 * concerns inner addresses in 2002::/16, which the model's scenarios never give. */
#include <string.h>
#include "model/ipv6/ipv6.h"
#include "model/net.h"

bool ipip6_rcv(struct net *net, struct sk_buff *skb)
{
    struct net_device *dev = host_dev(net->host, SIT_DEVICE);
    if (!dev)
        return false;
    if (skb->len < sizeof(struct ipv6hdr) || (skb->data[0] >> 4) != 6) {
        /* iptunnel_pull_header / the inner header's version: counted, dropped */
        dev->stats.rx_errors++;
        kfree_skb_reason(net, skb, __func__, "not an IPv6 packet inside");
        return true;
    }
    trace_note(net, skb, __func__, "decapsulated on " SIT_DEVICE);
    skb_reset_network_header(skb);
    skb->dst = NULL;
    memset(skb->cb, 0, sizeof skb->cb);
    skb->dev = dev;
    skb->in_dev = dev;
    skb->pkt_type = PACKET_HOST;
    skb->protocol = ETH_P_IPV6;
    dev->stats.rx_packets++;
    dev->stats.rx_bytes += skb_wire_len(skb);
    ipv6_rcv(net, skb, dev);
    return true;
}
