/* What the protocol trackers share (net/netfilter/nf_conntrack_proto.c, and the
 * tuple functions of nf_conntrack_core.c): finding a protocol's tracker, the
 * IPv4 part of tuples and their inversion, the port pair of TCP and UDP, the
 * invalid-packet log, and the default timeouts. The trackers themselves are in
 * nf_conntrack_proto_{tcp,udp,icmp,generic}.c. */
#include "model/netfilter/nf_conntrack_internal.h"

#include "model/ipv4/ip.h"
#include "model/net.h"
#include "model/trace.h"

/* 5.x+ look the tracker up with a switch; 4.x kept an array filled with the
 * generic tracker: either way every protocol without its own gets generic. */
const struct nf_conntrack_l4proto *nf_ct_l4proto_find(uint8_t l4proto)
{
    switch (l4proto) {
    case IPPROTO_UDP: return &nf_conntrack_l4proto_udp;
    case IPPROTO_TCP: return &nf_conntrack_l4proto_tcp;
    case IPPROTO_ICMP: return &nf_conntrack_l4proto_icmp;
    default: return &nf_conntrack_l4proto_generic;
    }
}

/* ---- tuples -------------------------------------------------------------------- */

/* nf_conntrack_core.c, get_l4proto (4.x: ipv4_get_l4proto in
 * nf_conntrack_l3proto_ipv4.c). */
int ipv4_get_l4proto(const uint8_t *l3, uint32_t avail, uint8_t *protonum)
{
    if (avail < sizeof(struct iphdr))
        return -1;
    const struct iphdr *iph = (const struct iphdr *)l3;
    unsigned ihl = ip_hdrlen(iph);
    if (ihl < sizeof(struct iphdr) || avail < ihl || (ntohs(iph->frag_off) & IP_OFFSET))
        return -1;
    *protonum = iph->protocol;
    return (int)ihl;
}

/* nf_conntrack_core.c, nf_ct_get_tuple: the addresses here, the rest by the
 * protocol (ipv4_pkt_to_tuple then l4proto->pkt_to_tuple in 4.x). */
bool nf_ct_get_tuple(const uint8_t *l3, uint32_t avail, unsigned dataoff,
                     const struct nf_conntrack_l4proto *l4proto, struct nf_conntrack_tuple *t)
{
    const struct iphdr *iph = (const struct iphdr *)l3;
    memset(t, 0, sizeof *t);
    t->src = iph->saddr;
    t->dst = iph->daddr;
    t->protonum = iph->protocol;
    return l4proto->pkt_to_tuple(l3 + dataoff, avail - dataoff, t);
}

/* 4.x nf_ct_invert_tuple, which took the tracker as an argument; the callers
 * that have it (the packet's own lookup) pass it on. */
bool nf_ct_invert_tuple_l4proto(struct nf_conntrack_tuple *inverse,
                                const struct nf_conntrack_tuple *orig,
                                const struct nf_conntrack_l4proto *l4proto)
{
    memset(inverse, 0, sizeof *inverse);
    inverse->src = orig->dst;
    inverse->dst = orig->src;
    inverse->protonum = orig->protonum;
    return l4proto->invert_tuple(inverse, orig);
}

/* nf_conntrack_core.c, nf_ct_invert_tuple (5.x+; 4.x nf_ct_invert_tuplepr). */
bool nf_ct_invert_tuple(struct nf_conntrack_tuple *inverse, const struct nf_conntrack_tuple *orig)
{
    return nf_ct_invert_tuple_l4proto(inverse, orig, nf_ct_l4proto_find(orig->protonum));
}

bool nf_ct_get_tuple_ports(const uint8_t *l4, uint32_t avail, struct nf_conntrack_tuple *tuple)
{
    if (avail < 8)
        return false;
    memcpy(&tuple->sport, l4, 2);
    memcpy(&tuple->dport, l4 + 2, 2);
    return true;
}

/* nf_conntrack_core.c, nf_ct_invert_tuple's default case (4.x tcp_invert_tuple,
 * udp_invert_tuple). */
bool nf_ct_invert_tuple_ports(struct nf_conntrack_tuple *inverse,
                              const struct nf_conntrack_tuple *orig)
{
    inverse->sport = orig->dport;
    inverse->dport = orig->sport;
    return true;
}

/* ---- invalid packets, timeouts ---------------------------------------------------- */

void nf_l4proto_log_invalid(struct net *net, const struct sk_buff *skb, const char *why)
{
    net->ct->stat.invalid++;
    trace_note(net, skb, "nf_conntrack_in", why);
}

/* nf_conntrack_proto.c, nf_conntrack_proto_pernet_init. */
void nf_conntrack_proto_pernet_init(struct nf_ct_timeouts *t)
{
    memset(t, 0, sizeof *t);
    nf_conntrack_generic_init_net(t);
    nf_conntrack_tcp_init_net(t);
    nf_conntrack_udp_init_net(t);
    nf_conntrack_icmp_init_net(t);
}
