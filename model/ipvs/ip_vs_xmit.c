/* The IPVS transmitters (ip_vs_xmit.c): NAT, DR, TUN (IPIP), local node and bypass.
 * A packet bound for a remote real server is rewritten as its method demands,
 * re-enters the stack at LOCAL_OUT marked as IPVS's, and the hook that called the
 * transmitter gets NF_STOLEN; for a real server on this host it continues with
 * NF_ACCEPT. Kernel: net/netfilter/ipvs/ip_vs_xmit.c. */
#include <glib.h>
#include <netinet/in.h>
#include <string.h>
#include "model/ipv4/icmp.h"
#include "model/ipv4/ip_ident.h"
#include "model/ipv4/ip.h"
#include "model/ipv4/ipip.h"
#include "model/ipv6/ipv6.h"
#include "model/ipvs/ip_vs_conn.h"
#include "model/ipvs/ip_vs_core.h"
#include "model/ipvs/siphash.h"
#include "model/net.h"
#include "model/netfilter/nf_conntrack.h"
#include "sim/csum.h"
#include "sim/in6.h"
#include "sim/in6_key.h"
#include "sim/pkt.h"


static struct net *cp_net(const struct ip_vs_conn *cp)
{
    return cp->ipvs->net;
}

/* The dest's cached route (__ip_vs_get_out_rt with a known next hop: the real
 * server itself, so DR can send a frame for the VIP to the server's MAC). */
static struct rtable *ip_vs_dest_route(struct ip_vs_conn *cp, be32 daddr, bool *local)
{
    struct net *net = cp_net(cp);
    struct ip_vs_dest *d = cp->dest;
    struct rtable *rt;
    if (d) {
        if (!d->dest_dst_ok) {
            struct rtable *found = ip_route_output(net, d->addr);
            if (!found)
                return NULL;
            d->dest_dst = *found;
            if (found->type == RTN_UNICAST && !found->gateway)
                d->dest_dst.gateway = d->addr;
            d->dest_dst_ok = true;
        }
        rt = &d->dest_dst;
    } else {
        rt = ip_route_output(net, daddr);
        if (!rt)
            return NULL;
    }
    *local = rt->type == RTN_LOCAL;
    return rt;
}

/* A transmit error: the packet is freed here and the hook reports it stolen, as
 * the kernel's tx_error path does. */
static int tx_error(struct sk_buff *skb, struct ip_vs_conn *cp, const char *why)
{
    kfree_skb_reason(cp_net(cp), skb, "ip_vs_xmit", why);
    return NF_STOLEN;
}

/* TTL and MTU checks for a packet leaving towards a remote server (decrement_ttl and
 * the MTU test of __ip_vs_get_out_rt); overhead is what encapsulation adds. */
/* What the MTU check of a transmitter must skip (ensure_mtu_is_adequate). */
enum xmit_mtu {
    XMIT_MTU_CHECK,
    XMIT_MTU_TUNNEL,                /* checked only with pmtu_disc (else fragmented later) */
    XMIT_MTU_ICMP,                  /* forwarded ICMP errors are never refused */
};

static const char *ip_vs_out_checks(struct net *net, struct sk_buff *skb, struct rtable *rt,
                                    unsigned overhead, enum xmit_mtu how)
{
    struct iphdr *iph = (struct iphdr *)skb->data;
    skb->network_header = skb_offset(skb, skb->data);
    /* decrement_ttl (5.3+): before that IPVS forwarded with the TTL untouched. */
    if (net->prof->ipvs_decrement_ttl) {
        if (iph->ttl <= 1) {
            net->mib.in_hdr_errors++;
            icmp_send(net, skb, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, 0);
            return "TTL expired";
        }
        ip_decrease_ttl(iph);
    }
    /* A tunnel's packet is checked only with pmtu_disc; 2.6.34, before the sysctl,
     * always checked it. */
    bool tun_check = net->ipvs->sysctl.pmtu_disc || !net->prof->ipvs_tun_pmtu_disc;
    bool check = how == XMIT_MTU_CHECK || (how == XMIT_MTU_TUNNEL && tun_check);
    uint32_t mtu = rt->dev->mtu - overhead;
    if (check && (ntohs(iph->frag_off) & IP_DF) && ntohs(iph->tot_len) > mtu) {
        icmp_send(net, skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, mtu);
        return "too big with DF (frag needed sent)";
    }
    return NULL;
}

/* The function that hands IPVS's packet to LOCAL_OUT, by era: 2.6.34's
 * transmitters did it themselves through their IP_VS_XMIT macro; 2.6.37 brought
 * ip_vs_nat_send_or_cont / ip_vs_send_or_cont (with ip_vs_notrack). */
static const char *send_func(const struct ip_vs_conn *cp)
{
    if (!cp_net(cp)->prof->ipvs_notrack)
        return "IP_VS_XMIT";
    return (cp->flags & IP_VS_CONN_F_FWD_MASK) == IP_VS_CONN_F_MASQ ? "ip_vs_nat_send_or_cont"
                                                                   : "ip_vs_send_or_cont";
}

/* Mark the packet as IPVS's and re-inject it at LOCAL_OUT (ip_vs_send_or_cont). */
static int ip_vs_send_or_cont(struct sk_buff *skb, struct ip_vs_conn *cp, struct rtable *rt,
                              bool local)
{
    skb->flags |= SKB_F_IPVS_PROPERTY;
    /* 2.6.34 left the packet its conntrack entry, which LOCAL_OUT's conntrack then
     * ignores and ip_vs_post_routing's NF_STOP keeps from being confirmed. */
    ip_vs_notrack(cp_net(cp), skb);
    if (local)
        return NF_ACCEPT;
    if (cp_net(cp)->trace)
        trace_func(cp_net(cp), skb, send_func(cp));
    skb->dst = rt;
    NF_HOOK(NF_INET_LOCAL_OUT, cp_net(cp), skb, NULL, rt->dev, dst_output);
    return NF_STOLEN;
}

/* ---- header rewriting ------------------------------------------------------------- */

/* The protocols' handlers rewrite the L4 header (ip_vs_proto_*.c); the IP header
 * is rewritten here, after them, as ip_vs_nat_xmit does. */

static void ip_vs_dnat(struct sk_buff *skb, const struct ip_vs_protocol *pp,
                       const struct ip_vs_iphdr *iph, struct ip_vs_conn *cp)
{
    struct iphdr *ip = (struct iphdr *)skb->data;
    pp->dnat_handler(skb, pp, cp, iph);
    ip->daddr = cp->daddr;
    ip_send_check(ip);
}

/* FULLNAT (ipvsim extra): both ends rewritten at once, source first. Without a
 * protocol (an ICMP error about the connection), only the two port fields move. */
static void ip_vs_fnat_rewrite(struct sk_buff *skb, const struct ip_vs_protocol *pp,
                               const struct ip_vs_iphdr *iph, be32 saddr, be16 sport,
                               be32 daddr, be16 dport)
{
    struct iphdr *ip = (struct iphdr *)skb->data;
    if (pp) {
        pp->fnat_handler(skb, iph, saddr, sport, daddr, dport);
    } else {
        ip_vs_proto_mangle(skb, iph, -1, false, ip->saddr, saddr, 0, sport);
        ip_vs_proto_mangle(skb, iph, -1, false, ip->daddr, daddr, 2, dport);
    }
    ip->saddr = saddr;
    ip->daddr = daddr;
    ip_send_check(ip);
}

/* ---- the transmitters --------------------------------------------------------------- */

int ip_vs_nat_xmit(struct sk_buff *skb, struct ip_vs_conn *cp, const struct ip_vs_protocol *pp,
                   const struct ip_vs_iphdr *iph, unsigned hooknum)
{
    bool local;
    struct rtable *rt = ip_vs_dest_route(cp, cp->daddr, &local);
    if (!rt)
        return tx_error(skb, cp, "no route to the real server");
    if (!local) {
        const char *why = ip_vs_out_checks(cp_net(cp), skb, rt, 0, XMIT_MTU_CHECK);
        if (why)
            return tx_error(skb, cp, why);
    }
    ip_vs_dnat(skb, pp, iph, cp);
    if (cp_net(cp)->trace) {
        char a[INET_KEY_STRLEN];
        trace_notef(cp_net(cp), skb, "ip_vs_nat_xmit", "DNAT to %s:%u, %s", trace_ip(cp->daddr, a),
                    ntohs(cp->dport), local ? "a local real server" : "re-injected at LOCAL_OUT");
    }
    return ip_vs_send_or_cont(skb, cp, rt, local);
}

int ip_vs_dr_xmit(struct sk_buff *skb, struct ip_vs_conn *cp, const struct ip_vs_protocol *pp,
                  const struct ip_vs_iphdr *iph, unsigned hooknum)
{
    bool local;
    struct rtable *rt = ip_vs_dest_route(cp, cp->daddr, &local);
    if (!rt)
        return tx_error(skb, cp, "no route to the real server");
    if (!local) {
        const char *why = ip_vs_out_checks(cp_net(cp), skb, rt, 0, XMIT_MTU_CHECK);
        if (why)
            return tx_error(skb, cp, why);
    }
    if (cp_net(cp)->trace) {
        char a[INET_KEY_STRLEN];
        trace_notef(cp_net(cp), skb, "ip_vs_dr_xmit", "to %s %s", trace_ip(cp->daddr, a),
                    local ? "(a local real server)"
                          : "by its MAC, IP header unchanged, re-injected at LOCAL_OUT");
    }
    return ip_vs_send_or_cont(skb, cp, rt, local);
}

/* Push the outer IPv4 header of a tunnel (IPIP, or UDP for GUE, GRE). The inner
 * packet is IPv4, or IPv6 for a mixed-family dest (ip_vs_prepare_tunneled_skb: the
 * outer TOS is the traffic class, the TTL the hop limit, and no DF). */
static bool ipip_push(struct netns_ipvs *ipvs, struct sk_buff *skb, struct rtable *rt, be32 daddr,
                      uint8_t protocol, bool inner6)
{
    struct net *net = ipvs->net;
    uint8_t tos, ttl;
    be16 df = 0;
    if (inner6) {
        const struct ipv6hdr *in = (const struct ipv6hdr *)skb->data;
        tos = (uint8_t)((in->priority_version & 0x0f) << 4 | in->flow_lbl[0] >> 4);
        ttl = in->hop_limit;
    } else {
        const struct iphdr *inner = (const struct iphdr *)skb_network_header(skb);
        tos = inner->tos;
        ttl = inner->ttl;
        /* The outer DF: the inner one with pmtu_disc, none without (~3.7+); 2.6.34
         * copied the inner frag_off whole. */
        df = inner->frag_off;
        if (net->prof->ipvs_tun_pmtu_disc)
            df = ipvs->sysctl.pmtu_disc ? (inner->frag_off & htons(IP_DF)) : 0;
    }
    struct iphdr *outer = (struct iphdr *)skb_push(skb, sizeof *outer);
    if (!outer)
        return false;
    skb->transport_header = skb_offset(skb, skb->data + sizeof *outer);
    skb->network_header = skb_offset(skb, skb->data);
    memset(outer, 0, sizeof *outer);
    outer->ihl_version = 0x45;
    outer->tos = tos;
    outer->frag_off = df;
    outer->ttl = ttl;
    outer->protocol = protocol;
    outer->saddr = rt->prefsrc;
    outer->daddr = daddr;
    /* ip_select_ident without a socket: 0 under DF, else the host's generator. */
    outer->id = ip_select_ident(net, outer->saddr, daddr, protocol, df & htons(IP_DF));
    return true;
}

/* ---- GUE and GRE (5.2/5.3+): what goes between the outer IP header and the inner
 * packet --------------------------------------------------------------------------- */


/* The dest's tunnel type, where the kernel has it (older kernels ignore the
 * attributes: every tunnel is IPIP; 5.2 has GUE but not yet GRE). */
static int tun_type(const struct ip_vs_conn *cp)
{
    const struct kernel_profile *prof = cp_net(cp)->prof;
    if (!cp->dest || !prof->ipvs_tun_types ||
        (cp->dest->tun_type == IP_VS_CONN_F_TUNNEL_TYPE_GRE && !prof->ipvs_tun_gre))
        return IP_VS_CONN_F_TUNNEL_TYPE_IPIP;
    return cp->dest->tun_type;
}

/* Bytes between the outer IP header and the inner packet. GUE's remote checksum
 * option is only used for packets whose checksum is left to the hardware
 * (CHECKSUM_PARTIAL), which forwarded packets never are. */
static unsigned tun_encap_len(const struct ip_vs_conn *cp)
{
    switch (tun_type(cp)) {
    case IP_VS_CONN_F_TUNNEL_TYPE_GUE: return sizeof(struct udphdr) + GUE_HLEN;
    case IP_VS_CONN_F_TUNNEL_TYPE_GRE:
        return GRE_HLEN + (cp->dest->tun_flags & IP_VS_TUNNEL_ENCAP_FLAG_CSUM ? GRE_CSUM_LEN : 0);
    default: return 0;
    }
}

/* udp_flow_src_port: a source port from the inner flow's hash, in the local port
 * range, so that the network can spread flows. The kernel's flow hash has a seed
 * drawn at boot; this one has a fixed key. */
static be16 gue_src_port(const struct iphdr *inner)
{
    static const siphash_key_t key = { { 0x69707673696d2d67ull, 0x75652d736f75726eull } };
    const uint8_t *l4 = (const uint8_t *)inner + ip_hdrlen(inner);
    uint32_t words[4] = { inner->saddr, inner->daddr, inner->protocol, 0 };
    bool fragment = ntohs(inner->frag_off) & (IP_MF | IP_OFFSET);
    if (!fragment && (inner->protocol == IPPROTO_TCP || inner->protocol == IPPROTO_UDP ||
                      inner->protocol == IPPROTO_SCTP))
        memcpy(&words[3], l4, 4);       /* both ports; never for fragments */
    uint32_t hash = hsiphash(words, sizeof words, &key);
    hash ^= hash << 16;
    return htons((uint16_t)((((uint64_t)hash * (60999 - 32768)) >> 32) + 32768));
}

/* ipvs_gue_encap + udp_set_csum: UDP to the dest's tun_port, a GUE header whose
 * protocol is IPIP; a UDP checksum only with --tun-csum. */
static bool gue_push(struct sk_buff *skb, const struct ip_vs_conn *cp, be32 saddr)
{
    const struct iphdr *inner = (const struct iphdr *)skb->data;
    be16 sport = gue_src_port(inner);
    uint8_t *gue = skb_push(skb, GUE_HLEN);
    struct udphdr *uh = gue ? (struct udphdr *)skb_push(skb, sizeof *uh) : NULL;
    if (!uh)
        return false;
    memset(gue, 0, GUE_HLEN);
    gue[1] = IPPROTO_IPIP_;             /* proto_ctype; version, C, hlen and flags 0 */
    uh->source = sport;
    uh->dest = cp->dest->tun_port;
    uh->len = htons((uint16_t)skb_wire_len(skb));
    uh->check = 0;
    /* --tun-remcsum asks for the UDP checksum too (the offload itself never applies). */
    if (cp->dest->tun_flags & (IP_VS_TUNNEL_ENCAP_FLAG_CSUM | IP_VS_TUNNEL_ENCAP_FLAG_REMCSUM)) {
        wsum sum = csum_partial(skb->data, skb->len, 0);    /* virtual bytes are zeros */
        uh->check = csum_tcpudp_magic(saddr, cp->daddr, skb_wire_len(skb), IPPROTO_UDP, sum);
        if (uh->check == 0)
            uh->check = 0xffff;
    }
    return true;
}

/* ipvs_gre_encap: protocol ETH_P_IP, and a checksum over the GRE packet with
 * --tun-csum. */
static bool gre_push(struct sk_buff *skb, const struct ip_vs_conn *cp)
{
    bool csum = cp->dest->tun_flags & IP_VS_TUNNEL_ENCAP_FLAG_CSUM;
    unsigned len = GRE_HLEN + (csum ? GRE_CSUM_LEN : 0);
    uint8_t *gre = skb_push(skb, len);
    if (!gre)
        return false;
    memset(gre, 0, len);
    be16 flags = htons(csum ? GRE_F_CSUM : 0), proto = htons(ETH_P_IP);
    memcpy(gre, &flags, 2);
    memcpy(gre + 2, &proto, 2);
    if (csum) {
        uint16_t sum = csum_fold(csum_partial(skb->data, skb->len, 0));
        memcpy(gre + 4, &sum, 2);
    }
    return true;
}

/* Encapsulate for the dest's tunnel type; returns the outer IP protocol, 0 when
 * there is no room. */
static uint8_t tun_encap(struct sk_buff *skb, const struct ip_vs_conn *cp, be32 saddr)
{
    switch (tun_type(cp)) {
    case IP_VS_CONN_F_TUNNEL_TYPE_GUE: return gue_push(skb, cp, saddr) ? IPPROTO_UDP : 0;
    case IP_VS_CONN_F_TUNNEL_TYPE_GRE: return gre_push(skb, cp) ? IPPROTO_GRE : 0;
    default: return IPPROTO_IPIP_;
    }
}

static const char *const tun_names[] = { "IPIP", "GUE", "GRE" };

static const char *ip_vs_out_checks_v6(struct net *net, struct sk_buff *skb,
                                       const struct net_device *dev, unsigned overhead, bool icmp);

/* ip_vs_tunnel_xmit: an outer IPv4 header to the real server. The inner packet is
 * IPv4 (IPIP, GUE or GRE), or IPv6 for an IPv6 service's IPv4 dest (3.18+, cp->daf
 * AF_INET: IPPROTO_IPV6, 41, as sit carries it). An IPv6 packet gets IPv6's checks
 * against the tunnel's MTU (decrement_ttl and ensure_mtu_is_adequate for skb_af
 * AF_INET6: Packet Too Big whatever pmtu_disc says). */
int ip_vs_tunnel_xmit(struct sk_buff *skb, struct ip_vs_conn *cp, const struct ip_vs_protocol *pp,
                      const struct ip_vs_iphdr *iph, unsigned hooknum)
{
    struct net *net = cp_net(cp);
    bool local;
    struct rtable *rt = ip_vs_dest_route(cp, cp->daddr, &local);
    if (!rt)
        return tx_error(skb, cp, "no route to the real server");
    if (local)
        return ip_vs_send_or_cont(skb, cp, rt, true);
    bool inner6 = in6_is_key(cp->vaddr);        /* cp->af: the service's family */
    /* GUE's flow hash and GRE's protocol for an IPv6 packet are not modelled. */
    if (inner6 && tun_type(cp) != IP_VS_CONN_F_TUNNEL_TYPE_IPIP)
        return tx_error(skb, cp, "GUE or GRE with an IPv6 packet (not modelled)");
    unsigned overhead = sizeof(struct iphdr) + tun_encap_len(cp);
    const char *why = inner6 ? ip_vs_out_checks_v6(net, skb, rt->dev, overhead, !pp)
                             : ip_vs_out_checks(net, skb, rt, overhead, XMIT_MTU_TUNNEL);
    if (why)
        return tx_error(skb, cp, why);
    uint8_t protocol = inner6 ? NEXTHDR_IPV6 : tun_encap(skb, cp, rt->prefsrc);
    if (!protocol || !ipip_push(cp->ipvs, skb, rt, cp->daddr, protocol, inner6))
        return tx_error(skb, cp, "no headroom for the tunnel header");
    if (net->trace) {
        char a[INET_KEY_STRLEN], b[INET_KEY_STRLEN];
        trace_notef(net, skb, "ip_vs_tunnel_xmit", "%s %s > %s pushed, sent by ip_local_out",
                    inner6 ? "IPv6-in-IPv4" : tun_names[tun_type(cp)], trace_ip(rt->prefsrc, a),
                    trace_ip(cp->daddr, b));
    }
    if (inner6)
        skb->protocol = ETH_P_IP;   /* now an IPv4 packet */
    skb->flags |= SKB_F_IPVS_PROPERTY;
    /* nf_reset_ct: the outer packet is new to conntrack (NAT and DR mark theirs
     * untracked instead). 2.6.34 sent it with the inner packet's entry. */
    if (net->prof->ipvs_notrack)
        skb->nfct = NULL;
    skb->dst = rt;
    ip_local_out(net, skb);
    return NF_STOLEN;
}

int ip_vs_icmp_xmit(struct sk_buff *skb, struct ip_vs_conn *cp, unsigned hooknum)
{
    struct iphdr *ip = (struct iphdr *)skb->data;
    bool local;
    struct rtable *rt = ip_vs_dest_route(cp, cp->daddr, &local);
    if (!rt)
        return tx_error(skb, cp, "no route to the real server");
    if (!local) {
        const char *why = ip_vs_out_checks(cp_net(cp), skb, rt, 0, XMIT_MTU_ICMP);
        if (why)
            return tx_error(skb, cp, why);
    }
    ip->daddr = cp->daddr;
    ip_send_check(ip);
    return ip_vs_send_or_cont(skb, cp, rt, local);
}

int ip_vs_null_xmit(struct sk_buff *skb, struct ip_vs_conn *cp, const struct ip_vs_protocol *pp,
                    const struct ip_vs_iphdr *iph, unsigned hooknum)
{
    return NF_ACCEPT;
}

int ip_vs_bypass_xmit(struct sk_buff *skb, struct ip_vs_conn *cp, const struct ip_vs_protocol *pp,
                      const struct ip_vs_iphdr *iph, unsigned hooknum)
{
    const struct iphdr *ip = (const struct iphdr *)skb->data;
    bool local;
    struct rtable *rt = ip_vs_dest_route(cp, ip->daddr, &local);
    if (!rt || local)
        return tx_error(skb, cp, "bypass: no route");
    const char *why = ip_vs_out_checks(cp_net(cp), skb, rt, 0, XMIT_MTU_CHECK);
    if (why)
        return tx_error(skb, cp, why);
    return ip_vs_send_or_cont(skb, cp, rt, false);
}

/* FULLNAT, NOT mainline Linux (as DPVS and Alibaba's LVS do it): client ->
 * VIP:vport becomes laddr:lport -> RS:dport, so the real server answers the
 * director's local address and needs no route back through it. */
int ip_vs_fnat_xmit(struct sk_buff *skb, struct ip_vs_conn *cp, const struct ip_vs_protocol *pp,
                    const struct ip_vs_iphdr *iph, unsigned hooknum)
{
    bool local;
    struct rtable *rt = ip_vs_dest_route(cp, cp->daddr, &local);
    if (!rt)
        return tx_error(skb, cp, "no route to the real server");
    if (local)
        return tx_error(skb, cp, "fullnat: the real server is local");
    if (skb->len < iph->len + 4)
        return tx_error(skb, cp, "fullnat: no ports");
    const char *why = ip_vs_out_checks(cp_net(cp), skb, rt, 0, XMIT_MTU_CHECK);
    if (why)
        return tx_error(skb, cp, why);
    ip_vs_fnat_rewrite(skb, pp, iph, cp->laddr, cp->lport, cp->daddr, cp->dport);
    if (cp_net(cp)->trace) {
        char a[INET_KEY_STRLEN], b[INET_KEY_STRLEN];
        trace_notef(cp_net(cp), skb, "ip_vs_fnat_xmit", "FULLNAT %s:%u > %s:%u (ipvsim extra)",
                    trace_ip(cp->laddr, a), ntohs(cp->lport), trace_ip(cp->daddr, b),
                    ntohs(cp->dport));
    }
    return ip_vs_send_or_cont(skb, cp, rt, false);
}

/* A FULLNAT reply (RS:dport -> laddr:lport, delivered to this host) leaves as
 * VIP:vport -> client:cport, routed towards the client. */
int ip_vs_fnat_response_xmit(struct sk_buff *skb, struct ip_vs_conn *cp,
                             const struct ip_vs_protocol *pp, const struct ip_vs_iphdr *iph,
                             unsigned hooknum)
{
    struct net *net = cp_net(cp);
    struct rtable *rt = ip_route_output(net, cp->caddr);
    if (!rt || rt->type != RTN_UNICAST)
        return tx_error(skb, cp, "fullnat: no route to the client");
    if (skb->len < iph->len + 4)
        return tx_error(skb, cp, "fullnat: no ports");
    const char *why = ip_vs_out_checks(net, skb, rt, 0, XMIT_MTU_CHECK);
    if (why)
        return tx_error(skb, cp, why);
    ip_vs_fnat_rewrite(skb, pp, iph, cp->vaddr, cp->vport, cp->caddr, cp->cport);
    if (net->trace) {
        char a[INET_KEY_STRLEN], b[INET_KEY_STRLEN];
        trace_notef(net, skb, "ip_vs_fnat_response_xmit", "FULLNAT back to %s:%u > %s:%u",
                    trace_ip(cp->vaddr, a), ntohs(cp->vport), trace_ip(cp->caddr, b),
                    ntohs(cp->cport));
    }
    return ip_vs_send_or_cont(skb, cp, rt, false);
}

ip_vs_xmit_fn ip_vs_xmit_for(unsigned conn_flags)
{
    switch (conn_flags & IP_VS_CONN_F_FWD_MASK) {
    case IP_VS_CONN_F_FULLNAT: return ip_vs_fnat_xmit;
    case IP_VS_CONN_F_MASQ: return ip_vs_nat_xmit;
    case IP_VS_CONN_F_TUNNEL: return ip_vs_tunnel_xmit;
    case IP_VS_CONN_F_DROUTE: return ip_vs_dr_xmit;
    case IP_VS_CONN_F_LOCALNODE: return ip_vs_null_xmit;
    case IP_VS_CONN_F_BYPASS: return ip_vs_bypass_xmit;
    default: return NULL;
    }
}

/* ---- IPv6 (CONFIG_IP_VS_IPV6): the *_v6 transmitters -------------------------------- */

/* __ip_vs_get_out_rt_v6: the dest's cached route, whose next hop is the real server
 * itself (so DR sends the frame for the VIP to the server's MAC), as
 * ip_vs_dest_route does for IPv4. */
static struct rt6_info *ip_vs_dest_route_v6(struct ip_vs_conn *cp, be32 daddr, bool *local)
{
    struct ip_vs_dest *d = cp->dest;
    struct rt6_info *rt;
    if (d) {
        if (!d->dest_dst_ok) {
            struct rt6_info *found = ip6_route_output(cp_net(cp), in6_key_addr(d->addr));
            if (!found || (found->type != RT6_UNICAST && found->type != RT6_LOCAL))
                return NULL;
            d->dest_dst6 = *found;
            if (found->type == RT6_UNICAST && ipv6_addr_any(&found->gateway))
                d->dest_dst6.gateway = *in6_key_addr(d->addr);
            d->dest_dst_ok = true;
        }
        rt = &d->dest_dst6;
    } else {
        rt = ip6_route_output(cp_net(cp), in6_key_addr(daddr));
        if (!rt || (rt->type != RT6_UNICAST && rt->type != RT6_LOCAL))
            return NULL;
    }
    *local = rt->type == RT6_LOCAL;
    return rt;
}

/* decrement_ttl and ensure_mtu_is_adequate for AF_INET6: the hop limit (5.3+), then
 * the MTU, which IPv6 checks for every method, tunnels included (no DF, no
 * pmtu_disc): Packet Too Big, never for an ICMPv6 error itself (ip_vs_iph_icmp),
 * which is dropped silently. overhead is what encapsulation adds. */
static const char *ip_vs_out_checks_v6(struct net *net, struct sk_buff *skb,
                                       const struct net_device *dev, unsigned overhead, bool icmp)
{
    struct ipv6hdr *h = (struct ipv6hdr *)skb->data;
    skb->network_header = skb_offset(skb, skb->data);
    if (net->prof->ipvs_decrement_ttl) {
        if (h->hop_limit <= 1) {
            icmpv6_send(net, skb, ICMPV6_TIME_EXCEED, ICMPV6_EXC_HOPLIMIT, 0);
            return "hop limit expired";
        }
        h->hop_limit--;
    }
    uint32_t mtu = dev->mtu - overhead;
    if (mtu < IPV6_MIN_MTU)
        mtu = IPV6_MIN_MTU;
    if (skb_wire_len(skb) > mtu) {
        if (!icmp)
            icmpv6_send(net, skb, ICMPV6_PKT_TOOBIG, 0, mtu);
        return "too big (Packet Too Big sent)";
    }
    return NULL;
}

/* ip_vs_send_or_cont / ip_vs_nat_send_or_cont for IPv6: to LOCAL_OUT of the IPv6
 * table, then ip6_output (dst_output). */
static int ip_vs_send_or_cont_v6(struct sk_buff *skb, struct ip_vs_conn *cp, struct rt6_info *rt,
                                 bool local)
{
    skb->flags |= SKB_F_IPVS_PROPERTY;
    ip_vs_notrack(cp_net(cp), skb);
    if (local)
        return NF_ACCEPT;
    if (cp_net(cp)->trace)
        trace_func(cp_net(cp), skb, send_func(cp));
    skb->dst = rt;
    NF_HOOK_PF(NFPROTO_IPV6, NF_INET_LOCAL_OUT, cp_net(cp), skb, NULL, rt->dev, ip6_output);
    return NF_STOLEN;
}

/* __ip_vs_get_out_rt_v6 for the methods without encapsulation: the route to the real
 * server and, when it is not local, the hop limit and MTU checks; NULL with *why when
 * the packet cannot go. icmp: the packet is an ICMPv6 error (never answered with one). */
static struct rt6_info *ip_vs_get_out_rt_v6(struct sk_buff *skb, struct ip_vs_conn *cp, bool icmp,
                                            bool *local, const char **why)
{
    struct rt6_info *rt = ip_vs_dest_route_v6(cp, cp->daddr, local);
    if (!rt) {
        *why = "no route to the real server";
        return NULL;
    }
    *why = *local ? NULL : ip_vs_out_checks_v6(cp_net(cp), skb, rt->dev, 0, icmp);
    return *why ? NULL : rt;
}

int ip_vs_nat_xmit_v6(struct sk_buff *skb, struct ip_vs_conn *cp, const struct ip_vs_protocol *pp,
                      const struct ip_vs_iphdr *iph, unsigned hooknum)
{
    bool local;
    const char *why;
    struct rt6_info *rt = ip_vs_get_out_rt_v6(skb, cp, !pp, &local, &why);
    if (!rt)
        return tx_error(skb, cp, why);
    /* the L4 header (pseudo-header checksum with the 16-byte addresses), then
     * ipv6_hdr(skb)->daddr: IPv6 has no header checksum */
    if (pp)
        pp->dnat_handler(skb, pp, cp, iph);
    ((struct ipv6hdr *)skb->data)->daddr = *in6_key_addr(cp->daddr);
    if (cp_net(cp)->trace) {
        char a[TRACE_IP_PORT_STRLEN];
        trace_notef(cp_net(cp), skb, "ip_vs_nat_xmit_v6", "DNAT to %s, %s",
                    trace_ip_port(cp->daddr, cp->dport, a),
                    local ? "a local real server" : "re-injected at LOCAL_OUT");
    }
    return ip_vs_send_or_cont_v6(skb, cp, rt, local);
}

int ip_vs_dr_xmit_v6(struct sk_buff *skb, struct ip_vs_conn *cp, const struct ip_vs_protocol *pp,
                     const struct ip_vs_iphdr *iph, unsigned hooknum)
{
    bool local;
    const char *why;
    struct rt6_info *rt = ip_vs_get_out_rt_v6(skb, cp, !pp, &local, &why);
    if (!rt)
        return tx_error(skb, cp, why);
    if (cp_net(cp)->trace) {
        char a[INET_KEY_STRLEN];
        trace_notef(cp_net(cp), skb, "ip_vs_dr_xmit_v6", "to %s %s", trace_ip(cp->daddr, a),
                    local ? "(a local real server)"
                          : "by its MAC, IPv6 header unchanged, re-injected at LOCAL_OUT");
    }
    return ip_vs_send_or_cont_v6(skb, cp, rt, local);
}

/* ensure_mtu_is_adequate for an IPv4 packet into an IPv6 tunnel: frag needed under
 * DF with pmtu_disc, as for an IPv4 tunnel (the TTL rule of decrement_ttl too). */
static const char *ip_vs_out_checks_4in6(struct net *net, struct sk_buff *skb, struct rt6_info *rt)
{
    struct iphdr *iph = (struct iphdr *)skb->data;
    skb->network_header = skb_offset(skb, skb->data);
    if (net->prof->ipvs_decrement_ttl) {
        if (iph->ttl <= 1) {
            icmp_send(net, skb, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, 0);
            return "TTL expired";
        }
        ip_decrease_ttl(iph);
    }
    uint32_t mtu = rt->dev->mtu - (uint32_t)sizeof(struct ipv6hdr);
    if (net->ipvs->sysctl.pmtu_disc && (ntohs(iph->frag_off) & IP_DF) && ntohs(iph->tot_len) > mtu) {
        icmp_send(net, skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, mtu);
        return "too big with DF (frag needed sent)";
    }
    return NULL;
}

/* ip_vs_tunnel_xmit_v6: an outer IPv6 header to the real server, ip6ip6 (next header
 * 41) for an IPv6 packet, IPv4-in-IPv6 (4) for an IPv4 one (mixed-family dests,
 * 3.18+, which the control plane allows only for tunnels). The outer header takes
 * the inner one's traffic class and hop limit, no flow label; its source is the
 * director's address for the route. Only IPIP encapsulation: GUE and GRE are IPv4
 * tunnels in the kernel too (ipvs_gue_encap for AF_INET6 came later). */
int ip_vs_tunnel_xmit_v6(struct sk_buff *skb, struct ip_vs_conn *cp,
                         const struct ip_vs_protocol *pp, const struct ip_vs_iphdr *iph,
                         unsigned hooknum)
{
    struct net *net = cp_net(cp);
    bool local;
    struct rt6_info *rt = ip_vs_dest_route_v6(cp, cp->daddr, &local);
    if (!rt)
        return tx_error(skb, cp, "no route to the real server");
    if (local)
        return ip_vs_send_or_cont_v6(skb, cp, rt, true);
    bool inner6 = skb->protocol == ETH_P_IPV6;
    const char *why = inner6 ? ip_vs_out_checks_v6(net, skb, rt->dev, sizeof(struct ipv6hdr), !pp)
                             : ip_vs_out_checks_4in6(net, skb, rt);
    if (why)
        return tx_error(skb, cp, why);
    struct in6_addr saddr;
    if (!ipv6_dev_get_saddr(net, rt->dev, in6_key_addr(cp->daddr), &saddr))
        return tx_error(skb, cp, "no source address for the tunnel");
    uint8_t tclass, hop_limit;
    if (inner6) {
        const struct ipv6hdr *in = (const struct ipv6hdr *)skb->data;
        tclass = (uint8_t)((in->priority_version & 0x0f) << 4 | in->flow_lbl[0] >> 4);
        hop_limit = in->hop_limit;
    } else {
        const struct iphdr *in = (const struct iphdr *)skb->data;
        tclass = in->tos;
        hop_limit = in->ttl;
    }
    struct ipv6hdr *outer = (struct ipv6hdr *)skb_push(skb, sizeof *outer);
    if (!outer)
        return tx_error(skb, cp, "no headroom for the tunnel header");
    skb->transport_header = skb_offset(skb, skb->data + sizeof *outer);
    skb->network_header = skb_offset(skb, skb->data);
    memset(outer, 0, sizeof *outer);
    outer->priority_version = (uint8_t)(0x60 | tclass >> 4);
    outer->flow_lbl[0] = (uint8_t)(tclass << 4);
    outer->nexthdr = inner6 ? NEXTHDR_IPV6 : IPPROTO_IPIP_;
    outer->hop_limit = hop_limit;
    outer->saddr = saddr;
    outer->daddr = *in6_key_addr(cp->daddr);
    outer->payload_len = htons((uint16_t)(skb_wire_len(skb) - sizeof *outer));
    skb->protocol = ETH_P_IPV6;
    if (net->trace) {
        char a[INET_KEY_STRLEN];
        trace_notef(net, skb, "ip_vs_tunnel_xmit_v6", "%s > %s pushed, sent by ip6_local_out",
                    inner6 ? "ip6ip6" : "IPv4-in-IPv6", trace_ip(cp->daddr, a));
    }
    skb->flags |= SKB_F_IPVS_PROPERTY;
    if (net->prof->ipvs_notrack)
        skb->nfct = NULL;
    skb->dst = rt;
    ip6_local_out(net, skb);
    return NF_STOLEN;
}

/* ip_vs_icmp_xmit_v6: an ICMPv6 error (already rewritten) to a NAT connection's real
 * server. */
int ip_vs_icmp_xmit_v6(struct sk_buff *skb, struct ip_vs_conn *cp, unsigned hooknum)
{
    bool local;
    const char *why;
    struct rt6_info *rt = ip_vs_get_out_rt_v6(skb, cp, true, &local, &why);
    if (!rt)
        return tx_error(skb, cp, why);
    ((struct ipv6hdr *)skb->data)->daddr = *in6_key_addr(cp->daddr);
    return ip_vs_send_or_cont_v6(skb, cp, rt, local);
}

ip_vs_xmit_fn ip_vs_xmit_for_v6(unsigned conn_flags)
{
    switch (conn_flags & IP_VS_CONN_F_FWD_MASK) {
    case IP_VS_CONN_F_MASQ: return ip_vs_nat_xmit_v6;
    case IP_VS_CONN_F_TUNNEL: return ip_vs_tunnel_xmit_v6;
    case IP_VS_CONN_F_DROUTE: return ip_vs_dr_xmit_v6;
    case IP_VS_CONN_F_LOCALNODE: return ip_vs_null_xmit;
    default: return NULL;           /* no FULLNAT nor bypass for IPv6 in the model */
    }
}
