/* Forwarding (net/ipv4/ip_forward.c). */
#include <errno.h>
#include "model/ip.h"
#include "model/net.h"
#include "model/netfilter/core.h"
#include "sim/csum.h"

/* ip_decrease_ttl: one less, with the header checksum fixed incrementally. */
static void ip_decrease_ttl(struct iphdr *iph)
{
    /* TTL is the high byte of the 16-bit word it shares with protocol. */
    be16 before = htons((uint16_t)(iph->ttl << 8 | iph->protocol));
    iph->ttl--;
    be16 after = htons((uint16_t)(iph->ttl << 8 | iph->protocol));
    uint16_t check = iph->check;
    csum_replace2(&check, before, after);
    iph->check = check;
}

int ip_forward(struct net *net, struct sk_buff *skb)
{
    trace_func(net, skb, __func__);
    struct iphdr *iph = ip_hdr(skb);
    struct rtable *rt = skb_rtable(skb);
    const char *why = NULL;
    if (skb->pkt_type != PACKET_HOST)
        why = "not PACKET_HOST";
    /* The TTL is checked before it is decremented. ICMP time exceeded is sent by
     * the ICMP model; until then the packet is only dropped. */
    else if (iph->ttl <= 1)
        why = "TTL expired";
    else if (ntohs(iph->tot_len) > rt->dev->mtu && (ntohs(iph->frag_off) & IP_DF))
        why = "too big with DF";    /* ICMP frag needed: same as above */
    if (why) {
        net->mib.in_discards++;
        kfree_skb_reason(net, skb, __func__, why);
        return -EINVAL;
    }
    IPCB(skb)->flags |= IPSKB_FORWARDED;
    ip_decrease_ttl(iph);
    return NF_HOOK(NF_INET_FORWARD, net, skb, skb->dev, rt->dev, ip_forward_finish);
}

int ip_forward_finish(struct net *net, struct sk_buff *skb)
{
    trace_func(net, skb, __func__);
    net->mib.forw_datagrams++;
    return dst_output(net, skb);
}
