/* ICMP errors about IPVS connections (ip_vs_in_icmp, ip_vs_out_icmp,
 * ip_vs_forward_icmp in ip_vs_core.c). Only destination unreachable, source quench
 * and time exceeded are looked at; the connection is found from the header quoted
 * inside the error, and for NAT connections the error is rewritten so that each
 * side sees the addresses it knows. As in the kernel, the quoted L4 header keeps its
 * checksum: only the port changes, and the ICMP checksum is computed again. */
#include "model/ip.h"
#include "model/ipvs/ip_vs_conn.h"
#include "model/ipvs/ip_vs_core.h"
#include "model/net.h"
#include "model/netfilter/nf_conntrack.h"
#include "sim/csum.h"

#define ICMP_SOURCE_QUENCH 4

/* The parts of an ICMP error the handlers need. */
struct icmp_err {
    struct icmphdr *ic;
    struct iphdr *quoted;            /* the offending packet's IP header */
    be16 *qports;                    /* its source and destination ports */
    uint32_t icmp_off;               /* from skb->data */
};

static bool icmp_error_parse(struct sk_buff *skb, const struct ip_vs_iphdr *iph, struct icmp_err *e)
{
    uint32_t off = iph->len;
    if (skb->len < off + sizeof(struct icmphdr) + sizeof(struct iphdr))
        return false;
    e->icmp_off = off;
    e->ic = (struct icmphdr *)(skb->data + off);
    if (e->ic->type != ICMP_DEST_UNREACH && e->ic->type != ICMP_SOURCE_QUENCH &&
        e->ic->type != ICMP_TIME_EXCEEDED)
        return false;
    e->quoted = (struct iphdr *)(skb->data + off + sizeof(struct icmphdr));
    uint32_t qlen = ip_hdrlen(e->quoted);
    if (qlen < 20 || skb->len < off + sizeof(struct icmphdr) + qlen + 4)
        return false;
    if (e->quoted->protocol != IPPROTO_TCP && e->quoted->protocol != IPPROTO_UDP &&
        e->quoted->protocol != IPPROTO_SCTP)
        return false;
    e->qports = (be16 *)((uint8_t *)e->quoted + qlen);
    return true;
}

/* The ICMP checksum over the message (virtual quoted bytes are zeros). */
static void icmp_recompute(struct sk_buff *skb, struct icmp_err *e)
{
    e->ic->checksum = 0;
    uint16_t c = csum_fold(csum_partial(e->ic, skb->len - e->icmp_off, 0));
    e->ic->checksum = c;
}

/* ip_vs_out_icmp: an error from a real server about a client's packet. */
unsigned ip_vs_out_icmp(struct netns_ipvs *ipvs, struct sk_buff *skb, const struct ip_vs_iphdr *iph)
{
    struct icmp_err e;
    if (!icmp_error_parse(skb, iph, &e))
        return NF_ACCEPT;
    /* The quoted packet went client -> server: look it up as a reply would be. */
    struct ip_vs_conn *cp = ip_vs_conn_out_get(ipvs, e.quoted->protocol, e.quoted->daddr,
                                               e.qports[1], e.quoted->saddr, e.qports[0]);
    if (!cp)
        return NF_ACCEPT;
    if ((cp->flags & IP_VS_CONN_F_FWD_MASK) == IP_VS_CONN_F_MASQ) {
        struct iphdr *outer = (struct iphdr *)skb->data;
        outer->saddr = cp->vaddr;
        ip_send_check(outer);
        e.quoted->daddr = cp->vaddr;
        ip_send_check(e.quoted);
        e.qports[1] = cp->vport;
        icmp_recompute(skb, &e);
        trace_note(ipvs->net, skb, "ip_vs_out_icmp", "ICMP error rewritten to come from the virtual address");
    }
    ip_vs_out_stats(cp, skb);
    skb->flags |= SKB_F_IPVS_PROPERTY;
    ip_vs_notrack(ipvs->net, skb);
    /* Only the reference is dropped (__ip_vs_conn_put): an error does not keep a
     * connection alive. */
    return NF_ACCEPT;
}

/* ip_vs_in_icmp: an error from the client side about a reply of ours. *related is
 * set when the error belongs to an IPVS connection (then the verdict is final). */
unsigned ip_vs_in_icmp(struct netns_ipvs *ipvs, struct sk_buff *skb, const struct ip_vs_iphdr *iph,
                       unsigned hooknum, bool *related)
{
    struct icmp_err e;
    *related = false;
    if (!icmp_error_parse(skb, iph, &e))
        return NF_ACCEPT;
    /* The quoted packet went VIP -> client: look it up as the request would be. */
    struct ip_vs_conn *cp = ip_vs_conn_in_get(ipvs, e.quoted->protocol, e.quoted->daddr,
                                              e.qports[1], e.quoted->saddr, e.qports[0]);
    if (!cp)
        return NF_ACCEPT;
    *related = true;
    ip_vs_in_stats(cp, skb);
    unsigned verdict;
    if ((cp->flags & IP_VS_CONN_F_FWD_MASK) == IP_VS_CONN_F_MASQ) {
        /* ip_vs_icmp_xmit: to the real server, which must recognise its own reply. */
        e.quoted->saddr = cp->daddr;
        ip_send_check(e.quoted);
        e.qports[0] = cp->dport;
        icmp_recompute(skb, &e);
        trace_note(ipvs->net, skb, "ip_vs_in_icmp", "ICMP error forwarded to the real server");
        verdict = ip_vs_icmp_xmit(skb, cp, hooknum);
    } else {
        ip_vs_xmit_fn xmit = ip_vs_conn_xmit(cp);
        verdict = xmit ? (unsigned)xmit(skb, cp, hooknum) : NF_ACCEPT;
    }
    return verdict;                 /* no timer restart, as above */
}
