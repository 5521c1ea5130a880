/* NAT on the packet and the NAT hook functions (net/netfilter/nf_nat_proto.c;
 * net/ipv4/netfilter/nf_nat_standalone.c in 2.6.34, nf_nat_l3proto_ipv4.c and
 * iptable_nat.c in 4.9): rewriting addresses, ports and ICMP ids with incremental
 * checksum updates, translating the packet quoted in an ICMP error, and each era's
 * hook functions with their side effects on routing. */
#include "model/netfilter/nf_conntrack_internal.h"

#include "model/ipv4/ip.h"
#include "model/net.h"
#include "model/ipv4/route.h"
#include "sim/csum.h"

/* ---- the manip ------------------------------------------------------------------ */

/* Where a header field lies in the packet (headers are packed: fields are read
 * and written through memcpy, checksums through the void * helpers). */
static inline be16 get16(const uint8_t *p) { be16 v; memcpy(&v, p, 2); return v; }
static inline void put16(uint8_t *p, be16 v) { memcpy(p, &v, 2); }

struct manip_ctx {
    uint8_t *l3;                        /* the IPv4 header being rewritten */
    uint8_t *l4;
    uint32_t l4avail;                   /* readable bytes from l4 */
    const struct nf_conntrack_tuple *target;
    enum nf_nat_manip_type m;
};

/* TCP and UDP: the port, and the checksum for the port and (pseudo-header) the
 * address. A header quoted in an ICMP error may be cut after 8 bytes: then TCP's
 * checksum is not there, and only the port changes. */
static bool ports_manip(const struct manip_ctx *c, unsigned check_off, bool udp)
{
    if (c->l4avail < 8)
        return false;
    const struct iphdr *iph = (const struct iphdr *)c->l3;
    bool src = c->m == NF_NAT_MANIP_SRC;
    be32 oldip = src ? iph->saddr : iph->daddr;
    be32 newip = src ? c->target->src : c->target->dst;
    be16 newport = src ? c->target->sport : c->target->dport;
    uint8_t *portp = c->l4 + (src ? 0 : 2);
    be16 oldport = get16(portp);
    put16(portp, newport);
    if (c->l4avail < check_off + 2)
        return true;
    uint8_t *check = c->l4 + check_off;
    if (udp && get16(check) == 0)
        return true;                    /* UDP without a checksum stays without */
    inet_proto_csum_replace4(check, oldip, newip, 1);
    inet_proto_csum_replace2(check, oldport, newport, 0);
    if (udp && get16(check) == 0)
        put16(check, CSUM_MANGLED_0);
    return true;
}

/* ICMP queries carry the id both ways; errors are left alone here. */
static bool icmp_manip(const struct manip_ctx *c)
{
    if (c->l4avail < sizeof(struct icmphdr))
        return false;
    uint8_t type = c->l4[0];
    if (!(type == ICMP_ECHO || type == ICMP_ECHOREPLY || (type >= 13 && type <= 18)))
        return true;
    uint8_t *id = c->l4 + offsetof(struct icmphdr, un.echo.id);
    inet_proto_csum_replace2(c->l4 + offsetof(struct icmphdr, checksum), get16(id),
                             c->target->sport, 0);
    put16(id, c->target->sport);
    return true;
}

static bool l4proto_manip_pkt(const struct manip_ctx *c)
{
    switch (c->target->protonum) {
    case IPPROTO_TCP:
        return ports_manip(c, offsetof(struct tcphdr, check), false);
    case IPPROTO_UDP:
        return ports_manip(c, offsetof(struct udphdr, check), true);
    case IPPROTO_ICMP:
        return icmp_manip(c);
    default:
        return true;
    }
}

/* Rewrite the IPv4 header at iphdroff from the network header (0: the packet,
 * beyond: a quoted one) and its transport header for one manip. */
static bool nf_nat_ipv4_manip_pkt(struct sk_buff *skb, unsigned iphdroff,
                                  const struct nf_conntrack_tuple *target,
                                  enum nf_nat_manip_type m)
{
    uint8_t *nh = skb_network_header(skb);
    uint32_t avail = nf_ct_l3_avail(skb);
    if (avail < iphdroff + sizeof(struct iphdr))
        return false;
    struct iphdr *iph = (struct iphdr *)(nh + iphdroff);
    unsigned hdroff = iphdroff + ip_hdrlen(iph);
    if (avail < hdroff)
        return false;
    struct manip_ctx c = { nh + iphdroff, nh + hdroff, avail - hdroff, target, m };
    /* A later fragment has no transport header to rewrite. */
    if (!(ntohs(iph->frag_off) & IP_OFFSET) && !l4proto_manip_pkt(&c))
        return false;
    if (m == NF_NAT_MANIP_SRC) {
        csum_replace4(&iph->check, iph->saddr, target->src);
        iph->saddr = target->src;
    } else {
        csum_replace4(&iph->check, iph->daddr, target->dst);
        iph->daddr = target->dst;
    }
    return true;
}

bool nf_nat_manip_pkt(struct sk_buff *skb, struct nf_conn *ct, enum nf_nat_manip_type mtype,
                      enum ip_conntrack_dir dir)
{
    /* The packet is made to look like the inverse of the other direction. */
    struct nf_conntrack_tuple target;
    nf_ct_invert_tuple(&target, &ct->tuplehash[!dir].tuple);
    return nf_nat_ipv4_manip_pkt(skb, 0, &target, mtype);
}

/* ---- ICMP errors about a NATed connection ------------------------------------------- */

/* The error quotes the packet as it left (or arrived at) the other side, so the
 * quote gets the opposite manip of this hook, and the outer header the manip a
 * reply would get. The ICMP checksum is then recomputed over the message. */
static bool nf_nat_icmp_reply_translation(struct sk_buff *skb, struct nf_conn *ct,
                                          enum ip_conntrack_info ctinfo, unsigned hooknum)
{
    uint8_t *nh = skb_network_header(skb);
    uint32_t avail = nf_ct_l3_avail(skb);
    unsigned hdrlen = ip_hdrlen((const struct iphdr *)nh);
    if (avail < hdrlen + sizeof(struct icmphdr) + sizeof(struct iphdr))
        return false;
    struct icmphdr *icmp = (struct icmphdr *)(nh + hdrlen);
    enum nf_nat_manip_type m = HOOK2MANIP(hooknum);
    enum ip_conntrack_dir dir = CTINFO2DIR(ctinfo);
    /* A redirect would teach the two ends to bypass us: only for un-NATed flows. */
    if (icmp->type == 5 && ((ct->status & IPS_NAT_DONE_MASK) != IPS_NAT_DONE_MASK ||
                            (ct->status & IPS_NAT_MASK)))
        return false;
    uint32_t statusbit = m == NF_NAT_MANIP_SRC ? IPS_SRC_NAT : IPS_DST_NAT;
    if (dir == IP_CT_DIR_REPLY)
        statusbit ^= IPS_NAT_MASK;
    if (!(ct->status & statusbit))
        return true;
    enum nf_nat_manip_type inner_m = m == NF_NAT_MANIP_SRC ? NF_NAT_MANIP_DST : NF_NAT_MANIP_SRC;
    if (!nf_nat_ipv4_manip_pkt(skb, hdrlen + (unsigned)sizeof(struct icmphdr),
                               &ct->tuplehash[!dir].tuple, inner_m))
        return false;
    uint32_t icmp_len = ntohs(((const struct iphdr *)nh)->tot_len) - hdrlen;
    uint32_t real = MIN(icmp_len, avail - hdrlen);  /* virtual bytes are zeros */
    icmp->checksum = 0;
    icmp->checksum = csum_fold(csum_partial(icmp, real, 0));
    struct nf_conntrack_tuple target;
    nf_ct_invert_tuple(&target, &ct->tuplehash[!dir].tuple);
    target.protonum = IPPROTO_ICMP;
    return nf_nat_ipv4_manip_pkt(skb, 0, &target, m);
}

/* ---- the hook functions ----------------------------------------------------------- */

static unsigned nf_nat_ipv4_fn(void *priv, struct sk_buff *skb, const struct nf_hook_state *state,
                               nf_nat_do_chain_fn do_chain)
{
    enum ip_conntrack_info ctinfo;
    struct nf_conn *ct = nf_ct_get(skb, &ctinfo);
    if (!ct)
        return NF_ACCEPT;
    if ((ctinfo == IP_CT_RELATED || ctinfo == IP_CT_RELATED_REPLY) &&
        ip_hdr(skb)->protocol == IPPROTO_ICMP)
        return nf_nat_icmp_reply_translation(skb, ct, ctinfo, state->hook)
                   ? NF_ACCEPT
                   : nf_drop_reason(skb, NF_DROP, "nf_nat_icmp_reply_translation: failed");
    return nf_nat_inet_fn(priv, skb, state, do_chain);
}

/* 2.6.34 let any verdict but DROP and STOLEN through to the side effects; later
 * kernels only ACCEPT. */
static bool nat_passed(unsigned ret, bool legacy)
{
    return legacy ? ret != NF_DROP && ret != NF_STOLEN : ret == NF_ACCEPT;
}

/* PRE_ROUTING: a new destination invalidates the route the packet may carry, so
 * ip_rcv_finish routes it again (a DNAT can turn FORWARD into INPUT). */
static unsigned nat_pre(void *priv, struct sk_buff *skb, const struct nf_hook_state *state,
                        nf_nat_do_chain_fn do_chain, bool legacy)
{
    be32 daddr = ip_hdr(skb)->daddr;
    unsigned ret = nf_nat_ipv4_fn(priv, skb, state, do_chain);
    if (nat_passed(ret, legacy) && daddr != ip_hdr(skb)->daddr)
        skb->dst = NULL;
    return ret;
}

/* LOCAL_OUT: a connection whose destination was translated is routed again for
 * the new destination (ip_route_me_harder). */
static unsigned nat_local_out(void *priv, struct sk_buff *skb, const struct nf_hook_state *state,
                              nf_nat_do_chain_fn do_chain, bool legacy)
{
    unsigned ret = nf_nat_ipv4_fn(priv, skb, state, do_chain);
    if (!nat_passed(ret, legacy))
        return ret;
    enum ip_conntrack_info ctinfo;
    const struct nf_conn *ct = nf_ct_get(skb, &ctinfo);
    if (!ct)
        return ret;
    enum ip_conntrack_dir dir = CTINFO2DIR(ctinfo);
    if (ct->tuplehash[dir].tuple.dst != ct->tuplehash[!dir].tuple.src) {
        int err = ip_route_me_harder(state->net, skb);
        if (err < 0)
            ret = nf_drop_reason(skb, legacy ? NF_DROP : NF_DROP_ERR(err),
                                 "ip_route_me_harder: no route");
    }
    return ret;
}

/* 4.18+: the NAT core's hooks, consulting their private lists; these names since
 * 5.12 (6.x), the first ones below. */
static unsigned nf_nat_ipv4_pre_routing(void *priv, struct sk_buff *skb,
                                        const struct nf_hook_state *state)
{
    return nat_pre(priv, skb, state, nf_nat_private_chains, false);
}

static unsigned nf_nat_ipv4_out(void *priv, struct sk_buff *skb, const struct nf_hook_state *state)
{
    return nf_nat_ipv4_fn(priv, skb, state, nf_nat_private_chains);
}

static unsigned nf_nat_ipv4_local_fn(void *priv, struct sk_buff *skb,
                                     const struct nf_hook_state *state)
{
    return nat_local_out(priv, skb, state, nf_nat_private_chains, false);
}

static unsigned nf_nat_ipv4_local_in(void *priv, struct sk_buff *skb,
                                     const struct nf_hook_state *state)
{
    return nf_nat_ipv4_fn(priv, skb, state, nf_nat_private_chains);
}

/* 4.18 .. 5.11: the same hooks under their first names; 5.12 ("netfilter: nf_nat:
 * undo erroneous tcp edemux lookup", 03a3ca37e4c6) renamed the PRE_ROUTING one and
 * gave LOCAL_IN its own, which only orphans a packet TCP early demux matched to
 * the wrong socket (early demux is not modelled: the same work here). At LOCAL_IN
 * the hook was nf_nat_ipv4_fn itself; the C name differs only because this file's
 * nf_nat_ipv4_fn is the shared body. */
static unsigned nf_nat_ipv4_in(void *priv, struct sk_buff *skb, const struct nf_hook_state *state)
{
    return nat_pre(priv, skb, state, nf_nat_private_chains, false);
}

static unsigned nf_nat_ipv4_fn_hook(void *priv, struct sk_buff *skb,
                                    const struct nf_hook_state *state)
{
    return nf_nat_ipv4_fn(priv, skb, state, nf_nat_private_chains);
}

/* 2.6.34 (nf_nat_standalone): the same four places; the nat table is consulted
 * from inside, except at LOCAL_IN where it had no chain. */
static unsigned nf_nat_in(void *priv, struct sk_buff *skb, const struct nf_hook_state *state)
{
    return nat_pre(priv, skb, state, nf_nat_private_chains, true);
}

static unsigned nf_nat_out(void *priv, struct sk_buff *skb, const struct nf_hook_state *state)
{
    return nf_nat_ipv4_fn(priv, skb, state, nf_nat_private_chains);
}

static unsigned nf_nat_local_fn(void *priv, struct sk_buff *skb, const struct nf_hook_state *state)
{
    return nat_local_out(priv, skb, state, nf_nat_private_chains, true);
}

static unsigned nf_nat_fn(void *priv, struct sk_buff *skb, const struct nf_hook_state *state)
{
    return nf_nat_ipv4_fn(priv, skb, state, NULL);
}

void nf_nat_core_ops(const struct kernel_profile *prof, struct nf_hook_ops ops[4])
{
    static const struct nf_hook_ops modern[4] = {
        { nf_nat_ipv4_pre_routing, "nf_nat_ipv4_pre_routing", "nf_nat", NULL, NFPROTO_IPV4,
          NF_INET_PRE_ROUTING, NF_IP_PRI_NAT_DST },
        { nf_nat_ipv4_out, "nf_nat_ipv4_out", "nf_nat", NULL, NFPROTO_IPV4,
          NF_INET_POST_ROUTING, NF_IP_PRI_NAT_SRC },
        { nf_nat_ipv4_local_fn, "nf_nat_ipv4_local_fn", "nf_nat", NULL, NFPROTO_IPV4,
          NF_INET_LOCAL_OUT, NF_IP_PRI_NAT_DST },
        { nf_nat_ipv4_local_in, "nf_nat_ipv4_local_in", "nf_nat", NULL, NFPROTO_IPV4,
          NF_INET_LOCAL_IN, NF_IP_PRI_NAT_SRC },
    };
    static const struct nf_hook_ops standalone[4] = {
        { nf_nat_in, "nf_nat_in", "nf_nat", NULL, NFPROTO_IPV4,
          NF_INET_PRE_ROUTING, NF_IP_PRI_NAT_DST },
        { nf_nat_out, "nf_nat_out", "nf_nat", NULL, NFPROTO_IPV4,
          NF_INET_POST_ROUTING, NF_IP_PRI_NAT_SRC },
        { nf_nat_local_fn, "nf_nat_local_fn", "nf_nat", NULL, NFPROTO_IPV4,
          NF_INET_LOCAL_OUT, NF_IP_PRI_NAT_DST },
        { nf_nat_fn, "nf_nat_fn", "nf_nat", NULL, NFPROTO_IPV4,
          NF_INET_LOCAL_IN, NF_IP_PRI_NAT_SRC },
    };
    static const struct nf_hook_ops before_edemux[4] = {
        { nf_nat_ipv4_in, "nf_nat_ipv4_in", "nf_nat", NULL, NFPROTO_IPV4,
          NF_INET_PRE_ROUTING, NF_IP_PRI_NAT_DST },
        { nf_nat_ipv4_out, "nf_nat_ipv4_out", "nf_nat", NULL, NFPROTO_IPV4,
          NF_INET_POST_ROUTING, NF_IP_PRI_NAT_SRC },
        { nf_nat_ipv4_local_fn, "nf_nat_ipv4_local_fn", "nf_nat", NULL, NFPROTO_IPV4,
          NF_INET_LOCAL_OUT, NF_IP_PRI_NAT_DST },
        { nf_nat_ipv4_fn_hook, "nf_nat_ipv4_fn", "nf_nat", NULL, NFPROTO_IPV4,
          NF_INET_LOCAL_IN, NF_IP_PRI_NAT_SRC },
    };
    const struct nf_hook_ops *src = standalone;
    if (prof->nat_core_private_list)
        src = prof->nat_edemux_hooks ? modern : before_edemux;
    memcpy(ops, src, sizeof modern);
}

/* The profiles mark 2.6.36+ with nat_input_chain and 4.18+ with
 * nat_core_private_list; in between, the nat table's chains were the hooks. */
bool nf_nat_chains_in_core(const struct kernel_profile *prof)
{
    return prof->nat_core_private_list || !prof->nat_input_chain;
}

/* 4.9: the table's own hook functions, each running its one chain (do_chain) on
 * a connection's first packet, a null binding if it did not bind (so a second
 * nat hook at the same place never gets to bind), then the manip. */
static unsigned wrap_do_chain(void *priv, struct sk_buff *skb, const struct nf_hook_state *state,
                              struct nf_conn *ct)
{
    const struct nf_nat_wrap *w = priv;
    return w->chain->hook(w->chain->priv, skb, state);
}

static unsigned iptable_nat_ipv4_in(void *priv, struct sk_buff *skb,
                                    const struct nf_hook_state *state)
{
    return nat_pre(priv, skb, state, wrap_do_chain, false);
}

static unsigned iptable_nat_ipv4_out(void *priv, struct sk_buff *skb,
                                     const struct nf_hook_state *state)
{
    return nf_nat_ipv4_fn(priv, skb, state, wrap_do_chain);
}

static unsigned iptable_nat_ipv4_local_fn(void *priv, struct sk_buff *skb,
                                          const struct nf_hook_state *state)
{
    return nat_local_out(priv, skb, state, wrap_do_chain, false);
}

static unsigned iptable_nat_ipv4_fn(void *priv, struct sk_buff *skb,
                                    const struct nf_hook_state *state)
{
    return nf_nat_ipv4_fn(priv, skb, state, wrap_do_chain);
}

/* The iptables nat table's chains appear as iptable_nat_ipv4_*, any other nat
 * chain (an nft nat chain then) as nft_nat_ipv4_*. */
void nf_nat_wrap_init(struct nf_nat_wrap *w)
{
    static const nf_hookfn fns[NF_INET_NUMHOOKS] = {
        [NF_INET_PRE_ROUTING] = iptable_nat_ipv4_in,
        [NF_INET_LOCAL_IN] = iptable_nat_ipv4_fn,
        [NF_INET_LOCAL_OUT] = iptable_nat_ipv4_local_fn,
        [NF_INET_POST_ROUTING] = iptable_nat_ipv4_out,
    };
    static const char *const ipt[NF_INET_NUMHOOKS] = {
        "iptable_nat_ipv4_in", "iptable_nat_ipv4_fn", NULL, "iptable_nat_ipv4_local_fn",
        "iptable_nat_ipv4_out",
    };
    static const char *const nft[NF_INET_NUMHOOKS] = {
        "nft_nat_ipv4_in", "nft_nat_ipv4_fn", NULL, "nft_nat_ipv4_local_fn", "nft_nat_ipv4_out",
    };
    const struct nf_hook_ops *c = w->chain;
    bool is_ipt = c->owner && strcmp(c->owner, "iptable_nat") == 0;
    w->ops = (struct nf_hook_ops){
        .hook = fns[c->hooknum], .name = (is_ipt ? ipt : nft)[c->hooknum], .owner = c->owner,
        .priv = w, .pf = NFPROTO_IPV4, .hooknum = c->hooknum, .priority = c->priority,
    };
}
