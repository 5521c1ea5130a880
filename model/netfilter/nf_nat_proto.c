/* NAT on the packet and the NAT hook functions (net/netfilter/nf_nat_proto.c;
 * net/ipv4/netfilter/nf_nat_standalone.c in 2.6.34, nf_nat_l3proto_ipv4.c and
 * iptable_nat.c in 4.9): each protocol's NAT part (struct nf_nat_l4proto: its
 * manip, range and search; nf_nat_proto_{tcp,udp,icmp,unknown}.c and
 * nf_nat_proto_common.c up to 5.0), rewriting addresses, ports and ICMP ids with
 * incremental checksum updates, translating the packet quoted in an ICMP error,
 * and each era's hook functions with their side effects on routing. */
#include "model/netfilter/nf_conntrack_internal.h"
#include "model/netfilter/nf_nat_l4proto.h"

#include "model/ipv4/ip.h"
#include "model/net.h"
#include "model/ipv4/route.h"
#include "model/ipv6/ipv6.h"
#include "model/netfilter/netfilter_ipv6.h"
#include "sim/csum.h"
#include "sim/in6_key.h"

/* ---- each protocol's manip -------------------------------------------------------- */

/* Where a header field lies in the packet (headers are packed: fields are read
 * and written through memcpy, checksums through the void * helpers). */
static inline be16 get16(const uint8_t *p) { be16 v; memcpy(&v, p, 2); return v; }
static inline void put16(uint8_t *p, be16 v) { memcpy(p, &v, 2); }

/* The pseudo-header's part of a transport checksum when the manip's address
 * changes (nf_csum_update: nf_nat_ipv4_csum_update, and for the IPv6 header at l3
 * nf_nat_ipv6_csum_update's inet_proto_csum_replace16, word by word). Called
 * before the network header is rewritten. */
static void nf_csum_update(uint8_t *check, const uint8_t *l3, const struct nf_conntrack_tuple *t,
                           enum nf_nat_manip_type m)
{
    bool src = m == NF_NAT_MANIP_SRC;
    if ((l3[0] >> 4) == 6) {
        const uint8_t *old = l3 + (src ? offsetof(struct ipv6hdr, saddr) : offsetof(struct ipv6hdr, daddr));
        const struct in6_addr *new = in6_key_addr(src ? t->src : t->dst);
        for (int i = 0; i < 4; i++) {
            be32 o;
            memcpy(&o, old + 4 * i, 4);
            inet_proto_csum_replace4(check, o, new->s6_addr32[i], 1);
        }
        return;
    }
    const struct iphdr *iph = (const struct iphdr *)l3;
    inet_proto_csum_replace4(check, src ? iph->saddr : iph->daddr, src ? t->src : t->dst, 1);
}

/* TCP and UDP: the port, and the checksum for the port and (pseudo-header) the
 * address (__udp_manip_pkt, tcp_manip_pkt). A header quoted in an ICMP error may
 * be cut after 8 bytes: then TCP's checksum is not there, and only the port
 * changes. */
static bool ports_manip_pkt(struct sk_buff *skb, unsigned iphdroff, unsigned hdroff,
                            const struct nf_conntrack_tuple *tuple, enum nf_nat_manip_type m,
                            unsigned check_off, bool udp)
{
    uint8_t *nh = skb_network_header(skb);
    uint32_t l4avail = nf_ct_l3_avail(skb) - hdroff;
    if (l4avail < 8)
        return false;
    uint8_t *l4 = nh + hdroff;
    bool src = m == NF_NAT_MANIP_SRC;
    be16 newport = src ? tuple->sport : tuple->dport;
    uint8_t *portp = l4 + (src ? 0 : 2);
    be16 oldport = get16(portp);
    put16(portp, newport);
    if (l4avail < check_off + 2)
        return true;
    uint8_t *check = l4 + check_off;
    if (udp && get16(check) == 0)
        return true;                    /* UDP without a checksum stays without */
    nf_csum_update(check, nh + iphdroff, tuple, m);
    inet_proto_csum_replace2(check, oldport, newport, 0);
    if (udp && get16(check) == 0)
        put16(check, CSUM_MANGLED_0);
    return true;
}

static bool tcp_manip_pkt(struct sk_buff *skb, unsigned iphdroff, unsigned hdroff,
                          const struct nf_conntrack_tuple *tuple, enum nf_nat_manip_type m)
{
    return ports_manip_pkt(skb, iphdroff, hdroff, tuple, m, offsetof(struct tcphdr, check), false);
}

static bool udp_manip_pkt(struct sk_buff *skb, unsigned iphdroff, unsigned hdroff,
                          const struct nf_conntrack_tuple *tuple, enum nf_nat_manip_type m)
{
    return ports_manip_pkt(skb, iphdroff, hdroff, tuple, m, offsetof(struct udphdr, check), true);
}

/* icmp_manip_pkt: ICMP queries carry the id both ways; errors are left alone
 * here. */
static bool icmp_manip_pkt(struct sk_buff *skb, unsigned iphdroff, unsigned hdroff,
                           const struct nf_conntrack_tuple *tuple, enum nf_nat_manip_type m)
{
    uint8_t *l4 = skb_network_header(skb) + hdroff;
    if (nf_ct_l3_avail(skb) - hdroff < sizeof(struct icmphdr))
        return false;
    uint8_t type = l4[0];
    if (!(type == ICMP_ECHO || type == ICMP_ECHOREPLY || (type >= 13 && type <= 18)))
        return true;
    uint8_t *id = l4 + offsetof(struct icmphdr, un.echo.id);
    inet_proto_csum_replace2(l4 + offsetof(struct icmphdr, checksum), get16(id), tuple->sport, 0);
    put16(id, tuple->sport);
    return true;
}

/* icmpv6_manip_pkt: ICMPv6's checksum covers the pseudo-header, so an address
 * change updates it; echo request and reply carry the id both ways. */
static bool icmpv6_manip_pkt(struct sk_buff *skb, unsigned iphdroff, unsigned hdroff,
                             const struct nf_conntrack_tuple *tuple, enum nf_nat_manip_type m)
{
    uint8_t *nh = skb_network_header(skb);
    uint8_t *l4 = nh + hdroff;
    if (nf_ct_l3_avail(skb) - hdroff < ICMPV6_HLEN)
        return false;
    uint8_t *check = l4 + offsetof(struct icmp6hdr, icmp6_cksum);
    nf_csum_update(check, nh + iphdroff, tuple, m);
    if (l4[0] == ICMPV6_ECHO_REQUEST || l4[0] == ICMPV6_ECHO_REPLY) {
        uint8_t *id = l4 + 4;
        inet_proto_csum_replace2(check, get16(id), tuple->sport, 0);
        put16(id, tuple->sport);
    }
    return true;
}

/* 4.x nf_nat_proto_unknown.c: only the addresses change. */
static bool unknown_manip_pkt(struct sk_buff *skb, unsigned iphdroff, unsigned hdroff,
                              const struct nf_conntrack_tuple *tuple, enum nf_nat_manip_type m)
{
    return true;
}

/* ---- each protocol's range and search ------------------------------------------------ */

/* A key (port, ICMP id) against the range's protocol part, in host order. */
static bool key_in_range(be16 key, const struct nf_nat_range *r)
{
    return ntohs(key) >= r->min_proto && ntohs(key) <= r->max_proto;
}

/* Ports: the source port for a source manip, the destination port for a
 * destination manip (4.x nf_nat_l4proto_in_range in nf_nat_proto_common.c). */
static bool ports_in_range(const struct nf_conntrack_tuple *t, enum nf_nat_manip_type m,
                           const struct nf_nat_range *r)
{
    return key_in_range(m == NF_NAT_MANIP_SRC ? t->sport : t->dport, r);
}

/* The ICMP id, whichever the manip (4.x icmp_in_range). */
static bool icmp_in_range(const struct nf_conntrack_tuple *t, enum nf_nat_manip_type m,
                          const struct nf_nat_range *r)
{
    return key_in_range(t->sport, r);
}

static bool unknown_in_range(const struct nf_conntrack_tuple *t, enum nf_nat_manip_type m,
                             const struct nf_nat_range *r)
{
    return true;
}

/* The search itself (nf_nat_core.c, nf_nat_l4proto_unique_tuple from its
 * find_free_id label, 5.x+): start at an offset drawn from the host's NAT stream,
 * walk the range, and if 128 tries find nothing, retry from new offsets with ever
 * fewer tries. */
static void find_free_id(struct nf_conntrack_tuple *t, be16 *keyptr, unsigned min,
                         unsigned range_size, const struct nf_conn *ct)
{
    struct rng *rng = &ct->net->nat->rng;
    uint16_t off = (uint16_t)rng_below(rng, 65536);
    unsigned attempts = MIN(range_size, 128u);
    for (;;) {
        for (unsigned i = 0; i < attempts; i++, off++) {
            *keyptr = htons((uint16_t)(min + off % range_size));
            if (!nf_nat_used_tuple(t, ct))
                return;
        }
        if (attempts >= range_size || attempts < 16)
            return;                     /* give up: confirmation will refuse the clash */
        attempts /= 2;
        off = (uint16_t)rng_below(rng, 65536);
    }
}

/* Ports (nf_nat_l4proto_unique_tuple's TCP and UDP case): the range asked for,
 * else a source port of the same class (privileged ports stay privileged); a
 * destination port is never changed unasked. */
static void ports_unique_tuple(struct nf_conntrack_tuple *t, const struct nf_nat_range *r,
                               enum nf_nat_manip_type m, const struct nf_conn *ct)
{
    be16 *keyptr = m == NF_NAT_MANIP_SRC ? &t->sport : &t->dport;
    unsigned min, range_size;
    if (r->flags & NF_NAT_RANGE_PROTO_SPECIFIED) {
        unsigned lo = MIN(r->min_proto, r->max_proto), hi = MAX(r->min_proto, r->max_proto);
        min = lo;
        range_size = hi - lo + 1;
    } else if (m == NF_NAT_MANIP_DST) {
        return;
    } else if (ntohs(*keyptr) < 512) {
        min = 1, range_size = 511;
    } else if (ntohs(*keyptr) < 1024) {
        min = 600, range_size = 1023 - 600 + 1;
    } else {
        min = 1024, range_size = 65535 - 1024 + 1;
    }
    find_free_id(t, keyptr, min, range_size, ct);
}

/* The ICMP id (nf_nat_l4proto_unique_tuple's ICMP case): the range asked for,
 * else any id, for either manip. */
static void icmp_unique_tuple(struct nf_conntrack_tuple *t, const struct nf_nat_range *r,
                              enum nf_nat_manip_type m, const struct nf_conn *ct)
{
    bool specified = r->flags & NF_NAT_RANGE_PROTO_SPECIFIED;
    unsigned min = specified ? r->min_proto : 0;
    unsigned range_size = specified ? r->max_proto - r->min_proto + 1u : 65536;
    find_free_id(t, &t->sport, min, range_size, ct);
}

/* Nothing beyond the addresses to change (4.x unknown_unique_tuple). */
static void unknown_unique_tuple(struct nf_conntrack_tuple *t, const struct nf_nat_range *r,
                                 enum nf_nat_manip_type m, const struct nf_conn *ct)
{
}

/* ---- the protocols ------------------------------------------------------------------- */

const struct nf_nat_l4proto nf_nat_l4proto_tcp = {
    .l4proto = IPPROTO_TCP,
    .manip_pkt = tcp_manip_pkt,
    .in_range = ports_in_range,
    .unique_tuple = ports_unique_tuple,
};

const struct nf_nat_l4proto nf_nat_l4proto_udp = {
    .l4proto = IPPROTO_UDP,
    .manip_pkt = udp_manip_pkt,
    .in_range = ports_in_range,
    .unique_tuple = ports_unique_tuple,
};

const struct nf_nat_l4proto nf_nat_l4proto_icmp = {
    .l4proto = IPPROTO_ICMP,
    .manip_pkt = icmp_manip_pkt,
    .in_range = icmp_in_range,
    .unique_tuple = icmp_unique_tuple,
};

const struct nf_nat_l4proto nf_nat_l4proto_icmpv6 = {
    .l4proto = NEXTHDR_ICMP,
    .manip_pkt = icmpv6_manip_pkt,
    .in_range = icmp_in_range,
    .unique_tuple = icmp_unique_tuple,
};

/* 4.x nf_nat_l4proto_unknown (nf_nat_proto_unknown.c). */
const struct nf_nat_l4proto nf_nat_l4proto_unknown = {
    .l4proto = 0,
    .manip_pkt = unknown_manip_pkt,
    .in_range = unknown_in_range,
    .unique_tuple = unknown_unique_tuple,
};

/* ---- the manip ----------------------------------------------------------------------- */

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
    /* The protocol's part: l4proto_manip_pkt's dispatch (5.x+), the l4proto
     * argument of 4.x. A later fragment has no transport header to rewrite. */
    const struct nf_nat_l4proto *l4proto = __nf_nat_l4proto_find(target->protonum);
    if (!(ntohs(iph->frag_off) & IP_OFFSET) &&
        !l4proto->manip_pkt(skb, iphdroff, hdroff, target, m))
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

/* nf_nat_ipv6_manip_pkt: the IPv6 header at iphdroff (its transport header past
 * the extension headers) and its transport header; no header checksum. */
static bool nf_nat_ipv6_manip_pkt(struct sk_buff *skb, unsigned iphdroff,
                                  const struct nf_conntrack_tuple *target,
                                  enum nf_nat_manip_type m)
{
    uint8_t *nh = skb_network_header(skb);
    uint32_t avail = nf_ct_l3_avail(skb);
    if (avail < iphdroff + sizeof(struct ipv6hdr))
        return false;
    uint8_t protonum;
    int off = ipv6_get_l4proto(nh + iphdroff, avail - iphdroff, &protonum);
    const struct nf_nat_l4proto *l4proto = __nf_nat_l4proto_find(target->protonum);
    /* a later fragment (off < 0) has no transport header to rewrite */
    if (off >= 0 && !l4proto->manip_pkt(skb, iphdroff, iphdroff + (unsigned)off, target, m))
        return false;
    bool src = m == NF_NAT_MANIP_SRC;
    memcpy(nh + iphdroff + (src ? offsetof(struct ipv6hdr, saddr) : offsetof(struct ipv6hdr, daddr)),
           in6_key_addr(src ? target->src : target->dst), sizeof(struct in6_addr));
    return true;
}

bool nf_nat_manip_pkt(struct sk_buff *skb, struct nf_conn *ct, enum nf_nat_manip_type mtype,
                      enum ip_conntrack_dir dir)
{
    /* The packet is made to look like the inverse of the other direction. */
    struct nf_conntrack_tuple target;
    nf_ct_invert_tuple(&target, &ct->tuplehash[!dir].tuple);
    if (in6_is_key(target.src))
        return nf_nat_ipv6_manip_pkt(skb, 0, &target, mtype);
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

/* ---- NAT66: the IPv6 hook functions (net/netfilter/nf_nat_proto.c nf_nat_ipv6_*,
 * 4.x nf_nat_l3proto_ipv6.c and ip6table_nat.c) ----------------------------------- */

/* nf_nat_icmpv6_reply_translation: as IPv4's, the quote gets the opposite manip;
 * the ICMPv6 checksum is then recomputed over the pseudo-header and message, and
 * the outer manip updates it for the address it changes. */
static bool nf_nat_icmpv6_reply_translation(struct sk_buff *skb, struct nf_conn *ct,
                                            enum ip_conntrack_info ctinfo, unsigned hooknum,
                                            unsigned hdrlen)
{
    uint8_t *nh = skb_network_header(skb);
    uint32_t avail = nf_ct_l3_avail(skb);
    if (avail < hdrlen + ICMPV6_HLEN + sizeof(struct ipv6hdr))
        return false;
    enum nf_nat_manip_type m = HOOK2MANIP(hooknum);
    enum ip_conntrack_dir dir = CTINFO2DIR(ctinfo);
    uint32_t statusbit = m == NF_NAT_MANIP_SRC ? IPS_SRC_NAT : IPS_DST_NAT;
    if (dir == IP_CT_DIR_REPLY)
        statusbit ^= IPS_NAT_MASK;
    if (!(ct->status & statusbit))
        return true;
    enum nf_nat_manip_type inner_m = m == NF_NAT_MANIP_SRC ? NF_NAT_MANIP_DST : NF_NAT_MANIP_SRC;
    if (!nf_nat_ipv6_manip_pkt(skb, hdrlen + ICMPV6_HLEN, &ct->tuplehash[!dir].tuple, inner_m))
        return false;
    struct ipv6hdr *ip6h = (struct ipv6hdr *)nh;
    uint32_t icmp_len = ntohs(ip6h->payload_len) + (uint32_t)sizeof(struct ipv6hdr) - hdrlen;
    uint32_t real = MIN(icmp_len, avail - hdrlen);  /* virtual bytes are zeros */
    uint8_t *icmp6 = nh + hdrlen;
    struct in6_addr sa, da;
    memcpy(&sa, nh + offsetof(struct ipv6hdr, saddr), sizeof sa);
    memcpy(&da, nh + offsetof(struct ipv6hdr, daddr), sizeof da);
    put16(icmp6 + offsetof(struct icmp6hdr, icmp6_cksum), 0);
    put16(icmp6 + offsetof(struct icmp6hdr, icmp6_cksum),
          csum_ipv6_magic(&sa, &da, icmp_len, NEXTHDR_ICMP, csum_partial(icmp6, real, 0)));
    struct nf_conntrack_tuple target;
    nf_ct_invert_tuple(&target, &ct->tuplehash[!dir].tuple);
    target.protonum = NEXTHDR_ICMP;
    return nf_nat_ipv6_manip_pkt(skb, 0, &target, m);
}

/* nf_nat_ipv6_fn: ICMPv6 errors RELATED to a connection are translated, the rest
 * go through the common part. */
static unsigned nf_nat_ipv6_fn_common(void *priv, struct sk_buff *skb,
                                      const struct nf_hook_state *state, nf_nat_do_chain_fn do_chain)
{
    enum ip_conntrack_info ctinfo;
    struct nf_conn *ct = nf_ct_get(skb, &ctinfo);
    if (!ct)
        return NF_ACCEPT;
    if (ctinfo == IP_CT_RELATED || ctinfo == IP_CT_RELATED_REPLY) {
        uint8_t protonum;
        int off = ipv6_get_l4proto(skb_network_header(skb), nf_ct_l3_avail(skb), &protonum);
        if (off >= 0 && protonum == NEXTHDR_ICMP)
            return nf_nat_icmpv6_reply_translation(skb, ct, ctinfo, state->hook, (unsigned)off)
                       ? NF_ACCEPT
                       : nf_drop_reason(skb, NF_DROP, "nf_nat_icmpv6_reply_translation: failed");
    }
    return nf_nat_inet_fn(priv, skb, state, do_chain);
}

static bool ipv6_daddr_changed(const struct sk_buff *skb, const struct in6_addr *before)
{
    return memcmp(skb_network_header(skb) + offsetof(struct ipv6hdr, daddr), before,
                  sizeof *before) != 0;
}

/* nf_nat_ipv6_in: a new destination drops the route the packet carries. */
static unsigned nat6_pre(void *priv, struct sk_buff *skb, const struct nf_hook_state *state,
                         nf_nat_do_chain_fn do_chain)
{
    struct in6_addr daddr;
    memcpy(&daddr, skb_network_header(skb) + offsetof(struct ipv6hdr, daddr), sizeof daddr);
    unsigned ret = nf_nat_ipv6_fn_common(priv, skb, state, do_chain);
    if (ret == NF_ACCEPT && ipv6_daddr_changed(skb, &daddr))
        skb->dst = NULL;
    return ret;
}

/* nf_nat_ipv6_local_fn: a local packet whose destination changed is routed again
 * (nf_ip6_route_me_harder). */
static unsigned nat6_local_out(void *priv, struct sk_buff *skb, const struct nf_hook_state *state,
                               nf_nat_do_chain_fn do_chain)
{
    struct in6_addr daddr;
    memcpy(&daddr, skb_network_header(skb) + offsetof(struct ipv6hdr, daddr), sizeof daddr);
    unsigned ret = nf_nat_ipv6_fn_common(priv, skb, state, do_chain);
    if (ret != NF_ACCEPT || !ipv6_daddr_changed(skb, &daddr))
        return ret;
    struct in6_addr nd;
    memcpy(&nd, skb_network_header(skb) + offsetof(struct ipv6hdr, daddr), sizeof nd);
    struct rt6_info *rt = ip6_route_output(state->net, &nd);
    if (!rt)
        return nf_drop_reason(skb, NF_DROP_ERR(-EHOSTUNREACH), "ip6_route_me_harder: no route");
    skb->dst = rt;
    return ret;
}

static unsigned nf_nat_ipv6_in(void *priv, struct sk_buff *skb, const struct nf_hook_state *state)
{
    return nat6_pre(priv, skb, state, nf_nat_private_chains);
}

static unsigned nf_nat_ipv6_out(void *priv, struct sk_buff *skb, const struct nf_hook_state *state)
{
    return nf_nat_ipv6_fn_common(priv, skb, state, nf_nat_private_chains);
}

static unsigned nf_nat_ipv6_local_fn(void *priv, struct sk_buff *skb,
                                     const struct nf_hook_state *state)
{
    return nat6_local_out(priv, skb, state, nf_nat_private_chains);
}

static unsigned nf_nat_ipv6_fn(void *priv, struct sk_buff *skb, const struct nf_hook_state *state)
{
    return nf_nat_ipv6_fn_common(priv, skb, state, nf_nat_private_chains);
}

/* nf_nat_ipv6_ops (4.18+; one set of names in every era that has them). */
void nf_nat_core_ops6(const struct kernel_profile *prof, struct nf_hook_ops ops[4])
{
    static const struct nf_hook_ops v6[4] = {
        { nf_nat_ipv6_in, "nf_nat_ipv6_in", "nf_nat", NULL, NFPROTO_IPV6,
          NF_INET_PRE_ROUTING, NF_IP6_PRI_NAT_DST },
        { nf_nat_ipv6_out, "nf_nat_ipv6_out", "nf_nat", NULL, NFPROTO_IPV6,
          NF_INET_POST_ROUTING, NF_IP6_PRI_NAT_SRC },
        { nf_nat_ipv6_local_fn, "nf_nat_ipv6_local_fn", "nf_nat", NULL, NFPROTO_IPV6,
          NF_INET_LOCAL_OUT, NF_IP6_PRI_NAT_DST },
        { nf_nat_ipv6_fn, "nf_nat_ipv6_fn", "nf_nat", NULL, NFPROTO_IPV6,
          NF_INET_LOCAL_IN, NF_IP6_PRI_NAT_SRC },
    };
    (void)prof;
    memcpy(ops, v6, sizeof v6);
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

/* 3.7 .. 4.17: ip6table_nat's own hook functions (ip6table_nat_in ...). */
static unsigned ip6table_nat_in(void *priv, struct sk_buff *skb, const struct nf_hook_state *state)
{
    return nat6_pre(priv, skb, state, wrap_do_chain);
}

static unsigned ip6table_nat_out(void *priv, struct sk_buff *skb, const struct nf_hook_state *state)
{
    return nf_nat_ipv6_fn_common(priv, skb, state, wrap_do_chain);
}

static unsigned ip6table_nat_local_fn(void *priv, struct sk_buff *skb,
                                      const struct nf_hook_state *state)
{
    return nat6_local_out(priv, skb, state, wrap_do_chain);
}

static unsigned ip6table_nat_fn(void *priv, struct sk_buff *skb, const struct nf_hook_state *state)
{
    return nf_nat_ipv6_fn_common(priv, skb, state, wrap_do_chain);
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
    static const nf_hookfn fns6[NF_INET_NUMHOOKS] = {
        [NF_INET_PRE_ROUTING] = ip6table_nat_in,
        [NF_INET_LOCAL_IN] = ip6table_nat_fn,
        [NF_INET_LOCAL_OUT] = ip6table_nat_local_fn,
        [NF_INET_POST_ROUTING] = ip6table_nat_out,
    };
    static const char *const ip6t[NF_INET_NUMHOOKS] = {
        "ip6table_nat_in", "ip6table_nat_fn", NULL, "ip6table_nat_local_fn", "ip6table_nat_out",
    };
    const struct nf_hook_ops *c = w->chain;
    if (c->pf == NFPROTO_IPV6) {
        w->ops = (struct nf_hook_ops){
            .hook = fns6[c->hooknum], .name = ip6t[c->hooknum], .owner = c->owner,
            .priv = w, .pf = NFPROTO_IPV6, .hooknum = c->hooknum, .priority = c->priority,
        };
        return;
    }
    bool is_ipt = c->owner && strcmp(c->owner, "iptable_nat") == 0;
    w->ops = (struct nf_hook_ops){
        .hook = fns[c->hooknum], .name = (is_ipt ? ipt : nft)[c->hooknum], .owner = c->owner,
        .priv = w, .pf = NFPROTO_IPV4, .hooknum = c->hooknum, .priority = c->priority,
    };
}
