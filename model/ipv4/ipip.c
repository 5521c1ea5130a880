/* Tunnel decapsulation: IPIP, GRE, GUE (net/ipv4/ipip.c ipip_rcv, ip_gre.c gre_rcv,
 * fou.c gue_udp_recv). */
#include "model/ipv4/ipip.h"

#include <string.h>
#include "model/ipv4/ip.h"
#include "model/net.h"
#include "sim/csum.h"


/* The inner packet starts a new life on the tunnel device: its own header, no
 * route, as if it had arrived there. */
static void tunnel_deliver(struct net *net, struct sk_buff *skb, struct net_device *dev)
{
    skb_reset_network_header(skb);
    skb->dst = NULL;
    memset(skb->cb, 0, sizeof skb->cb);
    skb->dev = dev;
    skb->in_dev = dev;
    skb->pkt_type = PACKET_HOST;
    dev->stats.rx_packets++;
    dev->stats.rx_bytes += skb_wire_len(skb);
    ip_rcv(net, skb, dev);
}

bool ipip_rcv(struct net *net, struct sk_buff *skb)
{
    struct net_device *tunl = host_dev(net->host, IPIP_DEVICE);
    if (!tunl)
        return false;
    trace_note(net, skb, "ipip_rcv", "decapsulated on " IPIP_DEVICE);
    tunnel_deliver(net, skb, tunl);
    return true;
}

bool gre_rcv(struct net *net, struct sk_buff *skb)
{
    struct net_device *gre = host_dev(net->host, GRE_DEVICE);
    if (!gre)
        return false;
    be16 flags, proto;
    if (skb->len < GRE_HLEN) {
        kfree_skb_reason(net, skb, __func__, "truncated GRE header");
        return true;
    }
    memcpy(&flags, skb->data, 2);
    memcpy(&proto, skb->data + 2, 2);
    bool csum = ntohs(flags) & GRE_F_CSUM;
    /* Keys, sequence numbers, routing and other versions belong to tunnels the
     * model does not have: the fallback device takes plain GRE. */
    if ((ntohs(flags) & ~GRE_F_CSUM) != 0 || proto != htons(ETH_P_IP)) {
        kfree_skb_reason(net, skb, __func__, "GRE flags or payload not handled");
        return true;
    }
    unsigned hlen = GRE_HLEN + (csum ? GRE_CSUM_LEN : 0);
    if (skb->len < hlen || (csum && csum_fold(csum_partial(skb->data, skb->len, 0)) != 0)) {
        gre->stats.rx_dropped++;
        kfree_skb_reason(net, skb, __func__, "GRE checksum error");
        return true;
    }
    /* ip_tunnel_rcv (net/ipv4/ip_tunnel.c, 6.1) wants the packet's checksum flag to be
     * the tunnel's own (i_flags, `ip tunnel add ... icsum`), in both directions. The
     * fallback device gre0 is made without icsum, so a checksummed packet (ipvsadm
     * --tun-csum) is counted as an RX CRC error and dropped: seen on Debian's 6.1. */
    if (csum) {
        gre->stats.rx_errors++;
        gre->stats.rx_crc_errors++;
        kfree_skb_reason(net, skb, "ip_tunnel_rcv", "GRE checksum flag but gre0 has no icsum");
        return true;
    }
    skb_pull(skb, hlen);
    trace_note(net, skb, "gre_rcv", "decapsulated on " GRE_DEVICE);
    tunnel_deliver(net, skb, gre);
    return true;
}

void gue_rcv(struct net *net, struct sk_buff *skb)
{
    if (skb->len < sizeof(struct udphdr) + GUE_HLEN) {
        kfree_skb_reason(net, skb, __func__, "truncated GUE header");
        return;
    }
    const uint8_t *gue = skb->data + sizeof(struct udphdr);
    unsigned optlen = (gue[0] & 0x1f) * 4u;
    /* Version 0 data messages (C bit clear) carrying IPIP only. */
    if ((gue[0] & 0xe0) != 0 || gue[1] != IPPROTO_IPIP_ ||
        skb->len < sizeof(struct udphdr) + GUE_HLEN + optlen) {
        kfree_skb_reason(net, skb, __func__, "GUE: not a version 0 IPIP data message");
        return;
    }
    skb_pull(skb, (uint32_t)(sizeof(struct udphdr) + GUE_HLEN + optlen));
    trace_note(net, skb, "gue_udp_recv", "GUE: IPIP inside");
    if (!ipip_rcv(net, skb))
        kfree_skb_reason(net, skb, __func__, "GUE: no " IPIP_DEVICE " for the IPIP inside");
}
