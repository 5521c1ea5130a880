/* The RST that answers a segment (net/ipv4/tcp_ipv4.c tcp_v4_send_reset,
 * net/ipv4/netfilter/nf_reject_ipv4.c nf_send_reset). */
#include "model/ipv4/tcp_reset.h"

#include "model/ipv4/ip.h"
#include "model/net.h"
#include "sim/pkt.h"

/* The answer's sequence numbers (RFC 793 reset generation): if the segment
 * acknowledged something, the RST takes that as its sequence number and carries no
 * ACK; otherwise it starts at 0 and acknowledges everything the segment used. */
static void reset_seq(const struct tcphdr *oth, uint32_t seglen, struct tcp_spec *t)
{
    if (oth->flags & TCPH_ACK) {
        t->seq = ntohl(oth->ack_seq);
        t->flags = TCPH_RST;
    } else {
        t->seq = 0;
        t->ack = ntohl(oth->seq) + seglen + !!(oth->flags & TCPH_SYN) + !!(oth->flags & TCPH_FIN);
        t->flags = TCPH_RST | TCPH_ACK;
    }
}

struct sk_buff *tcp_reset_build(struct net *net, const struct sk_buff *oldskb, bool df)
{
    const struct iphdr *iph = ip_hdr(oldskb);
    if (ntohs(iph->frag_off) & (IP_OFFSET | IP_MF) || iph->protocol != IPPROTO_TCP)
        return NULL;
    const uint8_t *l4 = (const uint8_t *)iph + ip_hdrlen(iph);
    if (l4 + sizeof(struct tcphdr) > oldskb->data + oldskb->len)
        return NULL;
    const struct tcphdr *oth = (const struct tcphdr *)l4;
    if (oth->flags & TCPH_RST)
        return NULL;                /* never answer a reset with a reset */
    struct rtable *rt = ip_route_output(net, iph->saddr);
    if (!rt)
        return NULL;
    uint32_t seglen = ntohs(iph->tot_len) - ip_hdrlen(iph) - tcp_hdrlen(oth);
    struct tcp_spec t = { .sport = oth->dest, .dport = oth->source };
    reset_seq(oth, seglen, &t);
    struct ip4_spec ip = { .saddr = iph->daddr, .daddr = iph->saddr,
                           .ttl = (uint8_t)net->ipv4.default_ttl, .df = df };
    struct sk_buff *skb = skb_alloc(net_pool(net), net_now(net));
    if (!skb || !pkt_build_tcp(skb, &ip, &t, 0)) {
        skb_free(net_pool(net), skb);
        return NULL;
    }
    skb->dst = rt;
    skb->flow = oldskb->flow;
    return skb;
}

void tcp_v4_send_reset(struct net *net, const struct sk_buff *oldskb)
{
    /* Sent through the per-netns TCP control socket, which wants path MTU discovery
     * (2.6.34: IP_PMTUDISC_WANT, later DO): DF, and with no connected peer,
     * ip_select_ident gives id 0. */
    struct sk_buff *skb = tcp_reset_build(net, oldskb, true);
    if (!skb)
        return;
    trace_note(net, oldskb, __func__, "RST sent");
    ip_local_out(net, skb);
}
