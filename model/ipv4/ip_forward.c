/* Forwarding (net/ipv4/ip_forward.c). */
#include <errno.h>
#include "model/ipv4/icmp.h"
#include "model/ipv4/ip.h"
#include "model/net.h"
#include "model/netfilter/core.h"
#include "sim/csum.h"

void ip_decrease_ttl(struct iphdr *iph)
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
    if (skb->pkt_type != PACKET_HOST) {
        kfree_skb_reason(net, skb, __func__, "not PACKET_HOST");
        return -EINVAL;
    }
    /* The TTL is checked before it is decremented: a packet arriving with TTL 1
     * may not be forwarded. */
    if (iph->ttl <= 1) {
        net->mib.in_hdr_errors++;
        icmp_send(net, skb, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, 0);
        kfree_skb_reason(net, skb, __func__, "TTL expired");
        return -EINVAL;
    }
    IPCB(skb)->flags |= IPSKB_FORWARDED;
    if (ntohs(iph->tot_len) > rt->dev->mtu && (ntohs(iph->frag_off) & IP_DF)) {
        net->mib.frag_fails++;
        icmp_send(net, skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, rt->dev->mtu);
        kfree_skb_reason(net, skb, __func__, "too big with DF");
        return -EMSGSIZE;
    }
    ip_decrease_ttl(iph);
    if (IPCB(skb)->flags & IPSKB_DOREDIRECT)
        ip_rt_send_redirect(net, skb);
    return NF_HOOK(NF_INET_FORWARD, net, skb, skb->dev, rt->dev, ip_forward_finish);
}

int ip_forward_finish(struct net *net, struct sk_buff *skb)
{
    trace_func(net, skb, __func__);
    net->mib.forw_datagrams++;
    return dst_output(net, skb);
}
