/* IPIP decapsulation. */
#include "model/ipip.h"

#include "model/ip.h"
#include "model/net.h"

bool ipip_rcv(struct net *net, struct sk_buff *skb)
{
    struct net_device *tunl = host_dev(net->host, IPIP_DEVICE);
    if (!tunl)
        return false;
    trace_note(net, skb, "ipip_rcv", "decapsulated on " IPIP_DEVICE);
    /* The inner packet starts a new life on the tunnel device: its own header, no
     * route, as if it had arrived there. */
    skb_reset_network_header(skb);
    skb->dst = NULL;
    memset(skb->cb, 0, sizeof skb->cb);
    skb->dev = tunl;
    skb->in_dev = tunl;
    skb->pkt_type = PACKET_HOST;
    tunl->stats.rx_packets++;
    tunl->stats.rx_bytes += skb_wire_len(skb);
    ip_rcv(net, skb, tunl);
    return true;
}
