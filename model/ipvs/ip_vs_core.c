/* The IPVS hook functions and their registration per kernel era (ip_vs_core.c).
 * Kernel: net/netfilter/ipvs/ip_vs_core.c (ip_vs_ops, ip_vs_register_hooks). */
#include "model/ipvs/ip_vs_core.h"

#include <glib.h>
#include "model/ipv4/icmp.h"
#include "model/ipv4/ip.h"
#include "model/ipv6/ipv6.h"
#include "model/ipvs/ip_vs_conn.h"
#include "model/ipvs/ip_vs_ctl.h"
#include "model/ipvs/ip_vs_defense.h"
#include "model/ipvs/ip_vs_sync.h"
#include "model/net.h"
#include "model/netfilter/nf_conntrack.h"
#include "model/netfilter/netfilter_ipv6.h"
#include "sim/csum.h"
#include "sim/in6_key.h"
#include "sim/pkt.h"

sim_time_t ip_vs_now(const struct netns_ipvs *ipvs)
{
    return net_now(ipvs->net);
}

bool ip_vs_fill_iph(const struct sk_buff *skb, struct ip_vs_iphdr *iph)
{
    if (skb->len < sizeof(struct iphdr))
        return false;
    const struct iphdr *ip = (const struct iphdr *)skb->data;
    if (ip_hdrlen(ip) < 20 || skb->len < ip_hdrlen(ip))
        return false;
    iph->len = ip_hdrlen(ip);
    iph->protocol = ip->protocol;
    iph->saddr = ip->saddr;
    iph->daddr = ip->daddr;
    return true;
}

/* ipv6_find_hdr as IPVS calls it: the upper-layer header past the extension
 * headers the kernel walks. AH and ESP are not modelled (they end the walk as an
 * upper layer IPVS does not balance). */
bool ip_vs_fill_iph_v6(const struct sk_buff *skb, struct ip_vs_iphdr *iph)
{
    if (skb->len < sizeof(struct ipv6hdr))
        return false;
    const struct ipv6hdr *h = (const struct ipv6hdr *)skb->data;
    uint8_t nexthdr = h->nexthdr;
    uint32_t off = sizeof *h;
    for (;;) {
        if (nexthdr == NEXTHDR_HOP || nexthdr == NEXTHDR_ROUTING || nexthdr == NEXTHDR_DEST) {
            if (skb->len < off + 8)
                return false;
            nexthdr = skb->data[off];
            off += (skb->data[off + 1] + 1u) * 8u;
        } else if (nexthdr == NEXTHDR_FRAGMENT) {
            if (skb->len < off + sizeof(struct frag_hdr))
                return false;
            const struct frag_hdr *fh = (const struct frag_hdr *)(skb->data + off);
            /* iph->fragoffs: a later fragment carries no ports; without IPv6
             * defragmentation in front (nf_defrag_ipv6 is not modelled) IPVS lets
             * it pass. */
            if (ntohs(fh->frag_off) & IP6_OFFSET)
                return false;
            nexthdr = fh->nexthdr;
            off += sizeof *fh;
        } else {
            break;
        }
    }
    if (off > skb->len)
        return false;
    iph->len = off;
    iph->protocol = nexthdr;
    const struct in6_addr saddr = h->saddr, daddr = h->daddr;   /* h is packed */
    iph->saddr = in6_key_get(&saddr);
    iph->daddr = in6_key_get(&daddr);
    return true;
}

void ip_vs_notrack(const struct net *net, struct sk_buff *skb)
{
    if (net->prof->ipvs_notrack)
        nf_ct_set(skb, NULL, IP_CT_UNTRACKED);
}

bool ip_vs_get_ports(const struct sk_buff *skb, const struct ip_vs_iphdr *iph, be16 ports[2])
{
    if (skb->len < iph->len + 4)
        return false;
    memcpy(ports, skb->data + iph->len, 4);
    return true;
}

static struct netns_ipvs *hook_ipvs(void *priv)
{
    return priv;
}

/* ---- statistics (ip_vs_in_stats, ip_vs_out_stats, ip_vs_conn_stats) ------------ */

/* The IP datagram's length (the kernel counts skb->len at the network header). */
static uint64_t skb_ip_len(const struct sk_buff *skb)
{
    if (skb->protocol == ETH_P_IPV6)
        return sizeof(struct ipv6hdr) + ntohs(((const struct ipv6hdr *)skb->data)->payload_len);
    return ntohs(((const struct iphdr *)skb->data)->tot_len);
}

static void count_in(struct ip_vs_stats *s, uint64_t bytes)
{
    s->c.inpkts++;
    s->c.inbytes += bytes;
}

static void count_out(struct ip_vs_stats *s, uint64_t bytes)
{
    s->c.outpkts++;
    s->c.outbytes += bytes;
}

/* Counted only while the connection's dest is still in its service. */
void ip_vs_in_stats(struct ip_vs_conn *cp, const struct sk_buff *skb)
{
    struct ip_vs_dest *d = cp->dest;
    if (!d || !(d->flags & IP_VS_DEST_F_AVAILABLE))
        return;
    uint64_t len = skb_ip_len(skb);
    count_in(&d->stats, len);
    count_in(&d->svc->stats, len);
    count_in(&cp->ipvs->tot_stats, len);
}

void ip_vs_out_stats(struct ip_vs_conn *cp, const struct sk_buff *skb)
{
    struct ip_vs_dest *d = cp->dest;
    if (!d || !(d->flags & IP_VS_DEST_F_AVAILABLE))
        return;
    uint64_t len = skb_ip_len(skb);
    count_out(&d->stats, len);
    count_out(&d->svc->stats, len);
    count_out(&cp->ipvs->tot_stats, len);
}

void ip_vs_conn_stats(struct ip_vs_conn *cp, struct ip_vs_service *svc)
{
    if (cp->dest)
        cp->dest->stats.c.conns++;
    svc->stats.c.conns++;
    cp->ipvs->tot_stats.c.conns++;
}

/* ---- the request path: ip_vs_in ------------------------------------------------ */

/* A new SYN on an old connection's key: expire the old one and schedule afresh
 * when the era's rules say so. IPVS conntrack mode is not modelled, so the
 * "old conntrack" cases (which drop the SYN) never arise. */
static struct ip_vs_conn *ip_vs_reuse(struct netns_ipvs *ipvs, struct ip_vs_conn *cp,
                                      const struct sk_buff *skb, const struct ip_vs_protocol *pp,
                                      const struct ip_vs_iphdr *iph)
{
    const struct kernel_profile *p = ipvs->net->prof;
    int mode = ipvs->sysctl.conn_reuse_mode;
    /* Before conn_reuse_mode (~4.2) a new SYN simply reuses the old connection;
     * until 5.x the whole block depended on the sysctl, later only the
     * "expected new connection" rule does. */
    if (!p->ipvs_conn_reuse || !cp || !pp->is_new_conn || !pp->is_new_conn(skb, iph))
        return cp;
    if (!mode && p->ipvs != IPVS_ERA_NEW)
        return cp;
    bool resched = false;
    if (ipvs->sysctl.expire_nodest_conn && cp->dest && cp->dest->weight == 0)
        resched = true;
    else if (mode && pp->conn_expected(cp, mode))
        resched = true;     /* with n_control > 0 only an old conntrack would keep it */
    if (!resched)
        return cp;
    trace_note(ipvs->net, skb, "ip_vs_in", "conn_reuse_mode: old connection expired, rescheduling");
    if (cp->n_control == 0)
        ip_vs_conn_expire_now(cp);
    return NULL;
}

/* The connection's dest was deleted (ip_vs_in: !IP_VS_DEST_F_AVAILABLE). Returns
 * the connection to use (NULL: schedule a new one) or sets *drop. */
static struct ip_vs_conn *ip_vs_nodest(struct netns_ipvs *ipvs, struct ip_vs_conn *cp,
                                       const struct sk_buff *skb, bool *drop)
{
    *drop = false;
    if (!cp || !cp->dest || (cp->dest->flags & IP_VS_DEST_F_AVAILABLE))
        return cp;
    ipvs->core->drops_nodest++;
    if (ipvs->sysctl.expire_nodest_conn) {
        ip_vs_conn_expire_now(cp);
        /* Until 5.9 the packet was dropped too; with the deferred work came its
         * rescheduling (the same change). */
        *drop = !ipvs->net->prof->ipvs_expire_nodest_work;
        trace_note(ipvs->net, skb, "ip_vs_in", "dest deleted: connection expired (expire_nodest_conn)");
        return NULL;
    }
    trace_note(ipvs->net, skb, "ip_vs_in", "dest deleted: packet dropped");
    *drop = true;
    return NULL;
}

static unsigned handle_response(struct netns_ipvs *ipvs, struct sk_buff *skb,
                                const struct ip_vs_protocol *pp, const struct ip_vs_iphdr *iph,
                                struct ip_vs_conn *cp, unsigned hook);

/* Should ip_vs_in look at this packet at all? */
static bool ip_vs_in_wants(struct netns_ipvs *ipvs, const struct sk_buff *skb, unsigned hook)
{
    /* The 2.6.2x-2.6.35 ip_vs_in tested only the packet type (loopback included,
     * for a local client); the ipvs_property test came later. */
    if (ipvs->net->prof->ipvs == IPVS_ERA_OLD)
        return skb->pkt_type == PACKET_HOST;
    if (skb->flags & SKB_F_IPVS_PROPERTY)
        return false;
    if ((skb->pkt_type != PACKET_HOST && hook != NF_INET_LOCAL_OUT) || !skb->dst)
        return false;
    if (ip_vs_sync_backup_only(ipvs))
        return false;               /* backup_only: a backup director does not balance */
    return true;
}

/* The family's header and its ICMP errors: ip_vs_fill_iph_skb(af, ...), then
 * ip_vs_in_icmp or ip_vs_in_icmp_v6. Returns false when the packet is done with
 * (*verdict set). */
static bool ip_vs_in_header(struct netns_ipvs *ipvs, struct sk_buff *skb, unsigned hook, int af,
                            struct ip_vs_iphdr *iph, unsigned *verdict)
{
    bool related;
    *verdict = NF_ACCEPT;
    if (af == AF_INET6) {
        if (!ip_vs_fill_iph_v6(skb, iph))
            return false;
        if (iph->protocol != IPPROTO_ICMPV6)
            return true;
        unsigned v = ip_vs_in_icmp_v6(ipvs, skb, iph, hook, &related);
        *verdict = related ? v : NF_ACCEPT;
        return false;
    }
    if (!ip_vs_fill_iph(skb, iph))
        return false;
    if (iph->protocol != IPPROTO_ICMP)
        return true;
    unsigned v = ip_vs_in_icmp(ipvs, skb, iph, hook, &related);
    *verdict = related ? v : NF_ACCEPT;
    return false;
}

static unsigned ip_vs_in(struct netns_ipvs *ipvs, struct sk_buff *skb, unsigned hook, int af)
{
    struct ip_vs_iphdr iph;
    be16 ports[2];
    unsigned hv;
    if (!ip_vs_in_wants(ipvs, skb, hook))
        return NF_ACCEPT;
    if (!ip_vs_in_header(ipvs, skb, hook, af, &iph, &hv))
        return hv;
    /* the protocol, looked up once for the whole path (pd/pp in the kernel) */
    const struct ip_vs_protocol *pp = ip_vs_proto_get(iph.protocol);
    if (!pp) {
        /* ignore_tunneled: mark what IPVS cannot handle so nothing of IPVS's
         * touches it later (tunnelled traffic on its way in). */
        if (ipvs->sysctl.ignore_tunneled)
            skb->flags |= SKB_F_IPVS_PROPERTY;
        return NF_ACCEPT;
    }
    if (!ip_vs_get_ports(skb, &iph, ports))
        return NF_ACCEPT;
    struct ip_vs_conn *cp = ip_vs_conn_in_get(ipvs, iph.protocol, iph.saddr, ports[0],
                                              iph.daddr, ports[1]);
    if (!cp && ipvs->net->prof->ipvs == IPVS_ERA_OLD) {
        /* 2.6.34 has no ip_vs_out on LOCAL_IN: a packet for a local client may be
         * the answer of a real server, so ip_vs_in looks for it as a reply too. */
        cp = ip_vs_conn_out_get(ipvs, iph.protocol, iph.saddr, ports[0], iph.daddr, ports[1]);
        if (cp) {
            trace_note(ipvs->net, skb, "ip_vs_in", "found as a reply (local client)");
            return handle_response(ipvs, skb, pp, &iph, cp, hook);
        }
    }
    cp = ip_vs_reuse(ipvs, cp, skb, pp, &iph);
    bool drop;
    cp = ip_vs_nodest(ipvs, cp, skb, &drop);
    if (drop)
        return nf_drop_reason(skb, NF_DROP, "ip_vs_in: dest deleted");
    if (!cp) {
        unsigned verdict;
        if (!pp->conn_schedule(ipvs, skb, pp, &iph, &verdict, &cp))
            return verdict;
        if (!cp)
            return NF_ACCEPT;       /* not for IPVS: the packet goes on as normal */
    } else {
        if (ipvs->net->trace) {
            char a[TRACE_IP_PORT_STRLEN];
            trace_notef(ipvs->net, skb, "ip_vs_in", "conn hit -> %s", trace_ip_port(cp->daddr, cp->dport, a));
        }
    }
    ip_vs_in_stats(cp, skb);
    ip_vs_set_state(cp, IP_VS_DIR_INPUT, skb, pp, &iph);
    cp->in_pkts++;
    ip_vs_xmit_fn xmit = ip_vs_conn_xmit(cp);
    unsigned verdict = xmit ? (unsigned)xmit(skb, cp, pp, &iph, hook) : NF_ACCEPT;
    ip_vs_sync_in(ipvs, cp);        /* the sync daemon's rule (ip_vs_sync.c) */
    ip_vs_conn_put(cp);
    return verdict;
}

/* ---- the reply path: ip_vs_out ---------------------------------------------------- */

static unsigned handle_response(struct netns_ipvs *ipvs, struct sk_buff *skb,
                                const struct ip_vs_protocol *pp, const struct ip_vs_iphdr *iph,
                                struct ip_vs_conn *cp, unsigned hook)
{
    if ((cp->flags & IP_VS_CONN_F_FWD_MASK) == IP_VS_CONN_F_FULLNAT) {
        /* ipvsim extra: the reply came to the local address; it leaves for the
         * client from here (NF_STOLEN), so count and step the state first. */
        ip_vs_out_stats(cp, skb);
        ip_vs_set_state(cp, IP_VS_DIR_OUTPUT, skb, pp, iph);
        unsigned v = (unsigned)ip_vs_fnat_response_xmit(skb, cp, pp, iph, hook);
        ip_vs_conn_put(cp);
        return v;
    }
    if ((cp->flags & IP_VS_CONN_F_FWD_MASK) == IP_VS_CONN_F_MASQ) {
        if (!pp->snat_handler(skb, pp, cp, iph)) {
            ip_vs_conn_put(cp);
            return nf_drop_reason(skb, NF_DROP, "handle_response: SNAT failed");
        }
        if (skb->protocol == ETH_P_IPV6) {
            ((struct ipv6hdr *)skb->data)->saddr = *in6_key_addr(cp->vaddr);
        } else {
            struct iphdr *ip = (struct iphdr *)skb->data;
            ip->saddr = cp->vaddr;
            ip_send_check(ip);
        }
        trace_note(ipvs->net, skb, "handle_response", "SNAT back to the virtual address");
        /* snat_reroute: route the rewritten reply again (its source changed), except
         * on LOCAL_IN where it is delivered here anyway. IPv6 (ip6_route_me_harder):
         * the model's IPv6 routes depend on the destination alone, so the route
         * the reply has stays right. */
        if (ipvs->sysctl.snat_reroute && hook != NF_INET_LOCAL_IN && skb->protocol != ETH_P_IPV6)
            ip_route_me_harder(ipvs->net, skb);
    }
    ip_vs_out_stats(cp, skb);
    ip_vs_set_state(cp, IP_VS_DIR_OUTPUT, skb, pp, iph);
    skb->flags |= SKB_F_IPVS_PROPERTY;
    ip_vs_notrack(ipvs->net, skb);
    ip_vs_conn_put(cp);
    return NF_ACCEPT;
}

/* Is addr:port a NAT real server of some service (ip_vs_has_real_service; 2.6.34:
 * ip_vs_lookup_real_service)? Since ~5.2 the lookup checks the dest's method; before,
 * rs_table held only dests made or edited NAT, and kept them after an edit. */
static bool is_nat_real_server(struct netns_ipvs *ipvs, uint16_t proto, be32 addr, be16 port)
{
    bool check_now = ipvs->net->prof->ipvs_rs_table_all;
    struct ip_vs_service *svc;
    list_for_each_entry(svc, &ipvs->services, s_list) {
        if (svc->protocol != proto && !svc->fwmark)
            continue;
        struct ip_vs_dest *d;
        list_for_each_entry(d, &svc->destinations, n_list) {
            bool nat = check_now ? (d->conn_flags & IP_VS_CONN_F_FWD_MASK) == IP_VS_CONN_F_MASQ
                                 : d->in_rs_table;
            if (d->addr == addr && d->port == port && nat)
                return true;
        }
    }
    return false;
}

/* is_tcp_reset / is_sctp_abort: the answers nat_icmp_send never answers. */
static bool is_reset_or_abort(const struct sk_buff *skb, const struct ip_vs_iphdr *iph)
{
    if (iph->protocol == IPPROTO_TCP && skb->len >= iph->len + sizeof(struct tcphdr))
        return ((const struct tcphdr *)(skb->data + iph->len))->flags & TCPH_RST;
    if (iph->protocol == IPPROTO_SCTP && skb->len >= iph->len + SCTP_HLEN + SCTP_CHUNK_HLEN)
        return skb->data[iph->len + SCTP_HLEN] == SCTP_CID_ABORT;
    return false;
}

/* A reply with no connection. nat_icmp_send: when it comes from a NAT real server
 * (a connection the director has forgotten), tell the server with a port
 * unreachable and drop it; never for a TCP RST or an SCTP ABORT. */
static unsigned ip_vs_out_nomatch(struct netns_ipvs *ipvs, struct sk_buff *skb,
                                  const struct ip_vs_iphdr *iph, const be16 ports[2])
{
    if (!ipvs->sysctl.nat_icmp_send ||
        !is_nat_real_server(ipvs, iph->protocol, iph->saddr, ports[0]))
        return NF_ACCEPT;
    if (is_reset_or_abort(skb, iph))
        return NF_ACCEPT;
    skb->network_header = skb_offset(skb, skb->data);
    if (skb->protocol == ETH_P_IPV6)
        icmpv6_send(ipvs->net, skb, ICMPV6_DEST_UNREACH, ICMPV6_PORT_UNREACH, 0);
    else
        icmp_send(ipvs->net, skb, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0);
    trace_note(ipvs->net, skb, "ip_vs_out", "nat_icmp_send: no connection, port unreachable to the real server");
    return nf_drop_reason(skb, NF_DROP, "ip_vs_out: reply without connection (nat_icmp_send)");
}

static unsigned ip_vs_out(struct netns_ipvs *ipvs, struct sk_buff *skb, unsigned hook, int af)
{
    struct ip_vs_iphdr iph;
    be16 ports[2];
    if ((skb->flags & SKB_F_IPVS_PROPERTY) || !skb->dst)
        return NF_ACCEPT;
    if (af == AF_INET6) {
        if (!ip_vs_fill_iph_v6(skb, &iph))
            return NF_ACCEPT;
        if (iph.protocol == IPPROTO_ICMPV6)
            return ip_vs_out_icmp_v6(ipvs, skb, &iph);
    } else {
        if (!ip_vs_fill_iph(skb, &iph))
            return NF_ACCEPT;
        if (iph.protocol == IPPROTO_ICMP)
            return ip_vs_out_icmp(ipvs, skb, &iph);
    }
    const struct ip_vs_protocol *pp = ip_vs_proto_get(iph.protocol);
    if (!pp || !ip_vs_get_ports(skb, &iph, ports))
        return NF_ACCEPT;
    struct ip_vs_conn *cp = ip_vs_conn_out_get(ipvs, iph.protocol, iph.saddr, ports[0],
                                               iph.daddr, ports[1]);
    if (!cp)
        return ip_vs_out_nomatch(ipvs, skb, &iph, ports);
    return handle_response(ipvs, skb, pp, &iph, cp, hook);
}

/* ---- the hook functions, with each era's names ----------------------------------- */

static unsigned hook_in(void *priv, struct sk_buff *skb, const struct nf_hook_state *st)
{
    return ip_vs_in(hook_ipvs(priv), skb, st->hook, AF_INET);
}

static unsigned hook_out(void *priv, struct sk_buff *skb, const struct nf_hook_state *st)
{
    return ip_vs_out(hook_ipvs(priv), skb, st->hook, AF_INET);
}

static unsigned hook_in6(void *priv, struct sk_buff *skb, const struct nf_hook_state *st)
{
    return ip_vs_in(hook_ipvs(priv), skb, st->hook, AF_INET6);
}

static unsigned hook_out6(void *priv, struct sk_buff *skb, const struct nf_hook_state *st)
{
    return ip_vs_out(hook_ipvs(priv), skb, st->hook, AF_INET6);
}

/* ICMP errors being forwarded (about a service whose VIP is not local, such as a
 * fwmark service) go to ip_vs_in_icmp before ip_vs_out_hook sees them. */
static unsigned hook_forward_icmp(void *priv, struct sk_buff *skb, const struct nf_hook_state *st)
{
    struct netns_ipvs *ipvs = hook_ipvs(priv);
    struct ip_vs_iphdr iph;
    if ((skb->flags & SKB_F_IPVS_PROPERTY) || !ip_vs_fill_iph(skb, &iph) ||
        iph.protocol != IPPROTO_ICMP)
        return NF_ACCEPT;
    bool related;
    unsigned v = ip_vs_in_icmp(ipvs, skb, &iph, st->hook, &related);
    return related ? v : NF_ACCEPT;
}

/* ip_vs_forward_icmp_v6 (merged into ip_vs_forward_icmp with 5.16's hooks). */
static unsigned hook_forward_icmp6(void *priv, struct sk_buff *skb, const struct nf_hook_state *st)
{
    struct netns_ipvs *ipvs = hook_ipvs(priv);
    struct ip_vs_iphdr iph;
    if ((skb->flags & SKB_F_IPVS_PROPERTY) || !ip_vs_fill_iph_v6(skb, &iph) ||
        iph.protocol != IPPROTO_ICMPV6)
        return NF_ACCEPT;
    bool related;
    unsigned v = ip_vs_in_icmp_v6(ipvs, skb, &iph, st->hook, &related);
    return related ? v : NF_ACCEPT;
}

/* 2.6: packets IPVS produced skip the rest of POST_ROUTING (iptables SNAT, conntrack
 * confirm). */
static unsigned hook_post_routing(void *priv, struct sk_buff *skb, const struct nf_hook_state *st)
{
    /* NF_STOP: accept and skip the remaining POST_ROUTING hooks (that era's core
     * honours it), so iptables SNAT and conntrack confirm never see the packet. */
    return (skb->flags & SKB_F_IPVS_PROPERTY) ? NF_STOP : NF_ACCEPT;
}

struct ipvs_hook_spec {
    const char *name;
    nf_hookfn fn;
    unsigned hook;
    int priority;
};

static const struct ipvs_hook_spec hooks_old[] = {
    { "ip_vs_in", hook_in, NF_INET_LOCAL_IN, 100 },
    { "ip_vs_out", hook_out, NF_INET_FORWARD, 100 },
    { "ip_vs_forward_icmp", hook_forward_icmp, NF_INET_FORWARD, 99 },
    { "ip_vs_post_routing", hook_post_routing, NF_INET_POST_ROUTING, NF_IP_PRI_NAT_SRC - 1 },
};

static const struct ipvs_hook_spec hooks_middle[] = {
    { "ip_vs_reply4", hook_out, NF_INET_LOCAL_IN, NF_IP_PRI_NAT_SRC - 2 },
    { "ip_vs_remote_request4", hook_in, NF_INET_LOCAL_IN, NF_IP_PRI_NAT_SRC - 1 },
    { "ip_vs_local_reply4", hook_out, NF_INET_LOCAL_OUT, NF_IP_PRI_NAT_DST + 1 },
    { "ip_vs_local_request4", hook_in, NF_INET_LOCAL_OUT, NF_IP_PRI_NAT_DST + 2 },
    { "ip_vs_forward_icmp", hook_forward_icmp, NF_INET_FORWARD, 99 },
    { "ip_vs_reply4", hook_out, NF_INET_FORWARD, 100 },
};

static const struct ipvs_hook_spec hooks_new[] = {
    { "ip_vs_out_hook", hook_out, NF_INET_LOCAL_IN, NF_IP_PRI_NAT_SRC - 2 },
    { "ip_vs_in_hook", hook_in, NF_INET_LOCAL_IN, NF_IP_PRI_NAT_SRC - 1 },
    { "ip_vs_out_hook", hook_out, NF_INET_LOCAL_OUT, NF_IP_PRI_NAT_DST + 1 },
    { "ip_vs_in_hook", hook_in, NF_INET_LOCAL_OUT, NF_IP_PRI_NAT_DST + 2 },
    { "ip_vs_forward_icmp", hook_forward_icmp, NF_INET_FORWARD, 99 },
    { "ip_vs_out_hook", hook_out, NF_INET_FORWARD, 100 },
};

/* The IPv6 entries of each era (CONFIG_IP_VS_IPV6): 2.6.34's ip_vs_ops has the
 * same four hooks as for IPv4 with ip_vs_forward_icmp_v6 and NF_IP6_PRI_NAT_SRC - 1;
 * 2.6.37 .. 5.15 the *6 functions at the NF_IP6_PRI_* of their *4 twins; 5.16+
 * ip_vs_ops6, the family-independent ip_vs_in_hook / ip_vs_out_hook /
 * ip_vs_forward_icmp again (net/netfilter/ipvs/ip_vs_core.c). */
static const struct ipvs_hook_spec hooks6_old[] = {
    { "ip_vs_in", hook_in6, NF_INET_LOCAL_IN, 100 },
    { "ip_vs_out", hook_out6, NF_INET_FORWARD, 100 },
    { "ip_vs_forward_icmp_v6", hook_forward_icmp6, NF_INET_FORWARD, 99 },
    { "ip_vs_post_routing", hook_post_routing, NF_INET_POST_ROUTING, NF_IP6_PRI_NAT_SRC - 1 },
};

static const struct ipvs_hook_spec hooks6_middle[] = {
    { "ip_vs_reply6", hook_out6, NF_INET_LOCAL_IN, NF_IP6_PRI_NAT_SRC - 2 },
    { "ip_vs_remote_request6", hook_in6, NF_INET_LOCAL_IN, NF_IP6_PRI_NAT_SRC - 1 },
    { "ip_vs_local_reply6", hook_out6, NF_INET_LOCAL_OUT, NF_IP6_PRI_NAT_DST + 1 },
    { "ip_vs_local_request6", hook_in6, NF_INET_LOCAL_OUT, NF_IP6_PRI_NAT_DST + 2 },
    { "ip_vs_forward_icmp_v6", hook_forward_icmp6, NF_INET_FORWARD, 99 },
    { "ip_vs_reply6", hook_out6, NF_INET_FORWARD, 100 },
};

static const struct ipvs_hook_spec hooks6_new[] = {
    { "ip_vs_out_hook", hook_out6, NF_INET_LOCAL_IN, NF_IP6_PRI_NAT_SRC - 2 },
    { "ip_vs_in_hook", hook_in6, NF_INET_LOCAL_IN, NF_IP6_PRI_NAT_SRC - 1 },
    { "ip_vs_out_hook", hook_out6, NF_INET_LOCAL_OUT, NF_IP6_PRI_NAT_DST + 1 },
    { "ip_vs_in_hook", hook_in6, NF_INET_LOCAL_OUT, NF_IP6_PRI_NAT_DST + 2 },
    { "ip_vs_forward_icmp", hook_forward_icmp6, NF_INET_FORWARD, 99 },
    { "ip_vs_out_hook", hook_out6, NF_INET_FORWARD, 100 },
};

static unsigned fill_ops(struct nf_hook_ops *ops, const struct ipvs_hook_spec *spec, size_t n,
                         uint8_t pf, struct netns_ipvs *ipvs)
{
    for (size_t i = 0; i < n; i++)
        ops[i] = (struct nf_hook_ops){
            .hook = spec[i].fn, .name = spec[i].name, .owner = "ip_vs", .priv = ipvs,
            .pf = pf, .hooknum = spec[i].hook, .priority = spec[i].priority,
        };
    return (unsigned)n;
}

#define FILL_OPS(c, field, spec, pf, ipvs) fill_ops((c)->field, spec, G_N_ELEMENTS(spec), pf, ipvs)

void ip_vs_core_init(struct netns_ipvs *ipvs)
{
    struct ip_vs_core *c = g_new0(struct ip_vs_core, 1);
    switch (ipvs->net->prof->ipvs) {
    case IPVS_ERA_OLD:
        c->nops = FILL_OPS(c, ops, hooks_old, NFPROTO_IPV4, ipvs);
        c->nops6 = FILL_OPS(c, ops6, hooks6_old, NFPROTO_IPV6, ipvs);
        break;
    case IPVS_ERA_MIDDLE:
        c->nops = FILL_OPS(c, ops, hooks_middle, NFPROTO_IPV4, ipvs);
        c->nops6 = FILL_OPS(c, ops6, hooks6_middle, NFPROTO_IPV6, ipvs);
        break;
    default:
        c->nops = FILL_OPS(c, ops, hooks_new, NFPROTO_IPV4, ipvs);
        c->nops6 = FILL_OPS(c, ops6, hooks6_new, NFPROTO_IPV6, ipvs);
        break;
    }
    ipvs->core = c;
    ip_vs_defense_init(ipvs);
}

void ip_vs_core_exit(struct netns_ipvs *ipvs)
{
    if (!ipvs->core)
        return;
    ip_vs_unregister_hooks(ipvs, 0);
    ip_vs_defense_exit(ipvs);
    g_free(ipvs->core);
    ipvs->core = NULL;
}

static void register_ops(struct net *net, struct nf_hook_ops *ops, unsigned n, bool *registered)
{
    if (*registered)
        return;
    for (unsigned i = 0; i < n; i++)
        nf_register_net_hook(net, &ops[i]);
    *registered = true;
}

static void unregister_ops(struct net *net, struct nf_hook_ops *ops, unsigned n, bool *registered)
{
    if (!*registered)
        return;
    for (unsigned i = 0; i < n; i++)
        nf_unregister_net_hook(net, &ops[i]);
    *registered = false;
}

void ip_vs_register_hooks(struct netns_ipvs *ipvs, int af)
{
    struct ip_vs_core *c = ipvs->core;
    bool was4 = c->registered, was6 = c->registered6;
    if (af != AF_INET6)
        register_ops(ipvs->net, c->ops, c->nops, &c->registered);
    if (af != AF_INET)
        register_ops(ipvs->net, c->ops6, c->nops6, &c->registered6);
    if (was4 != c->registered || was6 != c->registered6)
        c->registrations++;
}

void ip_vs_unregister_hooks(struct netns_ipvs *ipvs, int af)
{
    struct ip_vs_core *c = ipvs->core;
    if (!c)
        return;
    if (af != AF_INET6)
        unregister_ops(ipvs->net, c->ops, c->nops, &c->registered);
    if (af != AF_INET)
        unregister_ops(ipvs->net, c->ops6, c->nops6, &c->registered6);
}
