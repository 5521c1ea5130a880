/* ICMP errors about IPVS connections (ip_vs_in_icmp, ip_vs_out_icmp,
 * ip_vs_forward_icmp in ip_vs_core.c). Only destination unreachable, source quench
 * and time exceeded are looked at; the connection is found from the header quoted
 * inside the error, and for NAT connections the error is rewritten so that each
 * side sees the addresses it knows. As in the kernel, the quoted L4 header keeps its
 * checksum: only the port changes, and the ICMP checksum is computed again. */
#include <string.h>
#include "model/ipv4/icmp.h"
#include "model/ipv4/ip.h"
#include "model/ipv4/ipip.h"
#include "model/ipvs/ip_vs_conn.h"
#include "model/ipvs/ip_vs_core.h"
#include "model/net.h"
#include "model/netfilter/nf_conntrack.h"
#include "sim/csum.h"
#include "sim/in6_key.h"
#include "sim/proto6.h"

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
    if (!ip_vs_proto_get(e->quoted->protocol))
        return false;               /* not a protocol IPVS balances */
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

/* ---- errors about the director's own tunnel packets (LVS-TUN's path MTU) -------------- */

/* ip_vs_find_tunnel (5.2+): a TUN dest at addr with that tunnel port (0 for IPIP and
 * GRE), among the dests in rs_table (all of them since ~5.2). */
static struct ip_vs_dest *ip_vs_find_tunnel(struct netns_ipvs *ipvs, be32 addr, be16 tun_port)
{
    struct ip_vs_service *svc;
    list_for_each_entry(svc, &ipvs->services, s_list) {
        struct ip_vs_dest *d;
        list_for_each_entry(d, &svc->destinations, n_list)
            if (d->addr == addr && d->tun_port == tun_port &&
                (d->conn_flags & IP_VS_CONN_F_FWD_MASK) == IP_VS_CONN_F_TUNNEL)
                return d;
    }
    return NULL;
}

static bool is_tunnel_dest(struct netns_ipvs *ipvs, be32 addr, be16 tun_port, uint16_t type)
{
    const struct ip_vs_dest *d = ip_vs_find_tunnel(ipvs, addr, tun_port);
    return d && d->tun_type == type;
}

/* ipvs_udp_decap / ipvs_gre_decap: the length of a GUE (version 0, no control
 * message, carrying IPIP) or GRE (version 0, at most the C flag, carrying IPv4)
 * header at off, for a dest of that type; 0 when it is not one. */
static uint32_t tunnel_encap_len(struct netns_ipvs *ipvs, const struct sk_buff *skb,
                                 const struct iphdr *cih, uint32_t off)
{
    const uint8_t *h = skb->data + off;
    if (cih->protocol == IPPROTO_UDP) {
        if (skb->len < off + sizeof(struct udphdr) + GUE_HLEN ||
            !is_tunnel_dest(ipvs, cih->daddr, ((const struct udphdr *)h)->dest,
                            IP_VS_CONN_F_TUNNEL_TYPE_GUE))
            return 0;
        const uint8_t *gue = h + sizeof(struct udphdr);   /* version:2 control:1 hlen:5 */
        if ((gue[0] & 0xe0) != 0 || gue[1] != IPPROTO_IPIP_)
            return 0;
        return sizeof(struct udphdr) + GUE_HLEN + (gue[0] & 0x1fu) * 4;
    }
    if (skb->len < off + GRE_HLEN || !is_tunnel_dest(ipvs, cih->daddr, 0, IP_VS_CONN_F_TUNNEL_TYPE_GRE))
        return 0;
    be16 flags, proto;
    memcpy(&flags, h, 2);
    memcpy(&proto, h + 2, 2);
    if ((ntohs(flags) & ~GRE_F_CSUM) != 0 || proto != htons(ETH_P_IP))
        return 0;
    return GRE_HLEN + (ntohs(flags) & GRE_F_CSUM ? GRE_CSUM_LEN : 0);
}

/* Where the client's request starts inside an error quoting one of our tunnel
 * packets (from skb->data), or 0. Such an error must be for us (LOCAL_IN). *ours
 * tells the caller the error was about a tunnel packet even when no request could be
 * read (then it is accepted as it is, never looked at as a reply's error). */
static uint32_t tunnel_request_off(struct netns_ipvs *ipvs, const struct sk_buff *skb,
                                   uint32_t qoff, bool *ours)
{
    const struct kernel_profile *prof = ipvs->net->prof;
    const struct iphdr *cih = (const struct iphdr *)(skb->data + qoff);
    *ours = false;
    bool tun_types = prof->ipvs_tun_types;
    if (cih->protocol != IPPROTO_IPIP_ &&
        !(tun_types && (cih->protocol == IPPROTO_UDP || cih->protocol == IPPROTO_GRE)))
        return 0;
    if (!skb->dst || skb_rtable(skb)->type != RTN_LOCAL)
        return 0;                   /* RTCF_LOCAL: an error for our tunnel comes to us */
    if (ntohs(cih->frag_off) & IP_OFFSET)
        return 0;                   /* a later fragment holds no inner header */
    uint32_t off = qoff + ip_hdrlen(cih);
    if (cih->protocol == IPPROTO_IPIP_) {
        /* 4.9 takes any IPIP error; 5.2+ only one for a known IPIP dest */
        *ours = !tun_types || is_tunnel_dest(ipvs, cih->daddr, 0, IP_VS_CONN_F_TUNNEL_TYPE_IPIP);
        if (!*ours)
            return 0;
    } else {
        uint32_t n = tunnel_encap_len(ipvs, skb, cih, off);
        if (!n)
            return 0;               /* an ordinary UDP error, or not our GRE */
        *ours = true;
        off += n;
    }
    const struct iphdr *req = (const struct iphdr *)(skb->data + off);
    if (skb->len < off + sizeof(struct iphdr) || ip_version(req) != 4 || ip_hdrlen(req) < 20 ||
        skb->len < off + ip_hdrlen(req) + 4)
        return 0;
    if (!ip_vs_proto_get(req->protocol))
        return 0;
    return off;
}

/* The MTU the client is told for a frag-needed about our tunnel packet: the dest's
 * route MTU ("prefer the resulting PMTU"), less the outer IP header (only it, for
 * GUE and GRE too), when above 68 + 20. ipv4_update_pmtu is not modelled: the
 * director keeps no PMTU exception, and the cached route of the dest, which the
 * kernel reads here, does not carry the new one anyway (it is marked obsolete
 * and looked up again for the next packet). */
static uint32_t tunnel_client_mtu(const struct ip_vs_conn *cp, uint32_t reported)
{
    uint32_t mtu = reported;
    if (cp->dest && cp->dest->dest_dst_ok)
        mtu = cp->dest->dest_dst.dev->mtu;
    if (mtu > 68 + sizeof(struct iphdr))
        mtu -= sizeof(struct iphdr);
    return mtu;
}

/* ip_vs_in_icmp's tunnel case: an error about a client's request that went to a real
 * server in our tunnel is told to the client (the same type and code; frag-needed
 * with the MTU above, and only when the client set DF), then freed. Returns false
 * when the error is not about one of our tunnel packets. */
static bool ip_vs_in_icmp_tunnel(struct netns_ipvs *ipvs, struct sk_buff *skb,
                                 const struct ip_vs_iphdr *iph, unsigned *verdict)
{
    uint32_t qoff = iph->len + sizeof(struct icmphdr);
    if (!ipvs->net->prof->ipvs_icmp_tunnel || skb->len < qoff + sizeof(struct iphdr))
        return false;
    struct icmphdr *ic = (struct icmphdr *)(skb->data + iph->len);
    if (ic->type != ICMP_DEST_UNREACH && ic->type != ICMP_SOURCE_QUENCH &&
        ic->type != ICMP_TIME_EXCEEDED)
        return false;
    bool ours;
    uint32_t roff = tunnel_request_off(ipvs, skb, qoff, &ours);
    *verdict = NF_ACCEPT;
    if (!roff)
        return ours;
    const struct iphdr *req = (const struct iphdr *)(skb->data + roff);
    const be16 *ports = (const be16 *)((const uint8_t *)req + ip_hdrlen(req));
    /* the error is about a request: looked up as one, never scheduled */
    struct ip_vs_conn *cp = ip_vs_conn_in_get(ipvs, req->protocol, req->saddr, ports[0],
                                              req->daddr, ports[1]);
    if (!cp)
        return true;
    uint8_t type = ic->type, code = ic->code;
    uint32_t info = 0;
    bool tell = true;
    if (type == ICMP_DEST_UNREACH && code == ICMP_FRAG_NEEDED) {
        tell = ntohs(req->frag_off) & IP_DF;            /* does the client use PMTUD? */
        info = tunnel_client_mtu(cp, ntohs(ic->un.frag.mtu));
    }
    skb_pull(skb, roff);            /* to the client's request */
    skb_reset_network_header(skb);
    if (tell) {
        if (ipvs->net->trace)
            trace_notef(ipvs->net, skb, "ip_vs_in_icmp", "error about our tunnel packet: "
                        "ICMP %u/%u to the client (mtu %u)", type, code, info);
        icmp_send(ipvs->net, skb, type, code, info);
        ip_vs_out_stats(cp, skb);   /* "ICMP can be shorter but anyways, account it" */
    }
    consume_skb(ipvs->net, skb);
    *verdict = NF_STOLEN;
    return true;
}

/* ip_vs_in_icmp: an error from the client side about a reply of ours, or (3.10+) from
 * the path to a real server about our tunnel packet. *related is set when the error
 * belongs to an IPVS connection (then the verdict is final). */
unsigned ip_vs_in_icmp(struct netns_ipvs *ipvs, struct sk_buff *skb, const struct ip_vs_iphdr *iph,
                       unsigned hooknum, bool *related)
{
    struct icmp_err e;
    *related = false;
    unsigned v;
    if (ip_vs_in_icmp_tunnel(ipvs, skb, iph, &v)) {
        *related = true;
        return v;
    }
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
        /* no L4 protocol: the packet is the ICMP error itself */
        verdict = xmit ? (unsigned)xmit(skb, cp, NULL, iph, hooknum) : NF_ACCEPT;
    }
    return verdict;                 /* no timer restart, as above */
}

/* ---- ICMPv6 (ip_vs_in_icmp_v6, ip_vs_out_icmp_v6) -------------------------------------- */

/* An ICMPv6 error (type below 128: destination unreachable, packet too big, time
 * exceeded, parameter problem) quoting a packet of a protocol IPVS balances, its
 * transport header right after the quoted IPv6 header. */
struct icmp6_err {
    struct icmp6hdr *ic;
    struct ipv6hdr *quoted;
    be16 *qports;
    uint32_t icmp_off;
};

static bool icmp6_error_parse(struct sk_buff *skb, const struct ip_vs_iphdr *iph,
                              struct icmp6_err *e)
{
    uint32_t off = iph->len;
    if (skb->len < off + ICMPV6_HLEN + sizeof(struct ipv6hdr) + 4)
        return false;
    e->icmp_off = off;
    e->ic = (struct icmp6hdr *)(skb->data + off);
    if (e->ic->icmp6_type & ICMPV6_INFOMSG_MASK)
        return false;               /* informational: not about a connection */
    e->quoted = (struct ipv6hdr *)(skb->data + off + ICMPV6_HLEN);
    if (!ip_vs_proto_get(e->quoted->nexthdr))
        return false;
    e->qports = (be16 *)((uint8_t *)e->quoted + sizeof(struct ipv6hdr));
    return true;
}

/* The ICMPv6 checksum, over the pseudo-header of the (rewritten) outer addresses. */
static void icmp6_recompute(struct sk_buff *skb, struct icmp6_err *e)
{
    const struct ipv6hdr *outer = (const struct ipv6hdr *)skb->data;
    const struct in6_addr saddr = outer->saddr, daddr = outer->daddr;
    uint32_t len = skb_wire_len(skb) - e->icmp_off;
    e->ic->icmp6_cksum = 0;
    e->ic->icmp6_cksum = csum_ipv6_magic(&saddr, &daddr, len, IPPROTO_ICMPV6,
                                         csum_partial(e->ic, skb->len - e->icmp_off, 0));
}

unsigned ip_vs_out_icmp_v6(struct netns_ipvs *ipvs, struct sk_buff *skb,
                           const struct ip_vs_iphdr *iph)
{
    struct icmp6_err e;
    if (!icmp6_error_parse(skb, iph, &e))
        return NF_ACCEPT;
    const struct in6_addr qsa = e.quoted->saddr, qda = e.quoted->daddr;
    be32 qs = in6_key_get(&qsa), qd = in6_key_get(&qda);
    struct ip_vs_conn *cp = ip_vs_conn_out_get(ipvs, e.quoted->nexthdr, qd, e.qports[1], qs,
                                               e.qports[0]);
    if (!cp)
        return NF_ACCEPT;
    if ((cp->flags & IP_VS_CONN_F_FWD_MASK) == IP_VS_CONN_F_MASQ) {
        /* ip_vs_nat_icmp_v6: the error seems to come from the virtual address */
        struct ipv6hdr *outer = (struct ipv6hdr *)skb->data;
        outer->saddr = *in6_key_addr(cp->vaddr);
        e.quoted->daddr = *in6_key_addr(cp->vaddr);
        e.qports[1] = cp->vport;
        icmp6_recompute(skb, &e);
        trace_note(ipvs->net, skb, "ip_vs_out_icmp_v6", "ICMPv6 error rewritten to come from the virtual address");
    }
    ip_vs_out_stats(cp, skb);
    skb->flags |= SKB_F_IPVS_PROPERTY;
    ip_vs_notrack(ipvs->net, skb);
    return NF_ACCEPT;
}

unsigned ip_vs_in_icmp_v6(struct netns_ipvs *ipvs, struct sk_buff *skb,
                          const struct ip_vs_iphdr *iph, unsigned hooknum, bool *related)
{
    struct icmp6_err e;
    *related = false;
    if (!icmp6_error_parse(skb, iph, &e))
        return NF_ACCEPT;
    const struct in6_addr qsa = e.quoted->saddr, qda = e.quoted->daddr;
    be32 qs = in6_key_get(&qsa), qd = in6_key_get(&qda);
    /* the quoted packet went VIP -> client: looked up as the request would be */
    struct ip_vs_conn *cp = ip_vs_conn_in_get(ipvs, e.quoted->nexthdr, qd, e.qports[1], qs,
                                              e.qports[0]);
    if (!cp)
        return NF_ACCEPT;
    *related = true;
    ip_vs_in_stats(cp, skb);
    if ((cp->flags & IP_VS_CONN_F_FWD_MASK) == IP_VS_CONN_F_MASQ) {
        /* to the real server, which must recognise its own reply */
        e.quoted->saddr = *in6_key_addr(cp->daddr);
        e.qports[0] = cp->dport;
        ((struct ipv6hdr *)skb->data)->daddr = *in6_key_addr(cp->daddr);
        icmp6_recompute(skb, &e);
        trace_note(ipvs->net, skb, "ip_vs_in_icmp_v6", "ICMPv6 error forwarded to the real server");
        return (unsigned)ip_vs_icmp_xmit_v6(skb, cp, hooknum);
    }
    ip_vs_xmit_fn xmit = ip_vs_conn_xmit(cp);
    return xmit ? (unsigned)xmit(skb, cp, NULL, iph, hooknum) : NF_ACCEPT;
}
