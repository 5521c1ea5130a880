/* The ICMPv6 tracker (net/netfilter/nf_conntrack_proto_icmpv6.c; 4.x
 * net/ipv6/netfilter/nf_conntrack_proto_icmpv6.c): echo and node information
 * queries and their replies are tracked by id, type and code; an error is RELATED
 * to the entry of the packet it quotes; neighbour discovery and multicast
 * listener messages are left untracked. */
#include "model/netfilter/nf_conntrack_internal.h"

#include <stdio.h>
#include "model/net.h"
#include "sim/in6_key.h"

#define ICMPV6_NI_QUERY 139
#define ICMPV6_NI_REPLY 140

/* The tuple keeps the id in sport, and type << 8 | code in dport (as ICMP's). */
static inline uint8_t icmpv6_type_of(const struct nf_conntrack_tuple *t)
{
    return (uint8_t)(ntohs(t->dport) >> 8);
}

/* icmpv6_pkt_to_tuple */
static bool icmpv6_pkt_to_tuple(const uint8_t *l4, uint32_t avail, struct nf_conntrack_tuple *tuple)
{
    if (avail < ICMPV6_HLEN)
        return false;
    memcpy(&tuple->sport, l4 + 4, 2);                      /* echo id */
    tuple->dport = htons((uint16_t)(l4[0] << 8 | l4[1]));  /* type, code */
    return true;
}

/* invmap[]: the reply type of each query type, + 1 (0: none). */
static uint8_t icmpv6_reply_type(uint8_t type)
{
    switch (type) {
    case ICMPV6_ECHO_REQUEST: return ICMPV6_ECHO_REPLY + 1;
    case ICMPV6_ECHO_REPLY: return ICMPV6_ECHO_REQUEST + 1;
    case ICMPV6_NI_QUERY: return ICMPV6_NI_REPLY + 1;
    case ICMPV6_NI_REPLY: return ICMPV6_NI_QUERY + 1;
    default: return 0;
    }
}

/* nf_conntrack_invert_icmpv6_tuple (4.x icmpv6_invert_tuple). */
static bool icmpv6_invert_tuple(struct nf_conntrack_tuple *inverse,
                                const struct nf_conntrack_tuple *orig)
{
    uint8_t inv = icmpv6_reply_type(icmpv6_type_of(orig));
    if (!inv)
        return false;
    inverse->sport = orig->sport;
    inverse->dport = htons((uint16_t)((inv - 1) << 8 | (ntohs(orig->dport) & 0xff)));
    return true;
}

/* noct_valid_new[]: multicast listener queries, reports and done, router and
 * neighbour solicitations and advertisements, MLDv2 reports: never tracked. */
static bool icmpv6_noct(uint8_t type)
{
    return (type >= 130 && type <= NDISC_NEIGHBOUR_ADVERTISEMENT) || type == 143;
}

/* nf_conntrack_inet_error for ICMPv6: the quoted packet's tuple, inverted, names
 * the entry the error is about; the error must go where that entry's direction
 * goes. True when an entry was attached to skb. */
static bool icmpv6_error_message(struct net *net, struct sk_buff *skb, unsigned dataoff)
{
    const uint8_t *l3 = skb_network_header(skb);
    uint32_t avail = nf_ct_l3_avail(skb);
    unsigned inner_off = dataoff + ICMPV6_HLEN;
    if (avail < inner_off)
        return false;
    const uint8_t *inner = l3 + inner_off;
    uint32_t inner_avail = avail - inner_off;
    uint8_t protonum;
    if (inner_avail < sizeof(struct ipv6hdr) || (inner[0] >> 4) != 6)
        return false;
    int inner_dataoff = ipv6_get_l4proto(inner, inner_avail, &protonum);
    if (inner_dataoff < 0)
        return false;
    const struct nf_conntrack_l4proto *inproto = nf_ct_l4proto_find(protonum);
    struct nf_conntrack_tuple orig, target;
    if (!nf_ct_get_tuple(inner, inner_avail, (unsigned)inner_dataoff, inproto, &orig) ||
        !nf_ct_invert_tuple_l4proto(&target, &orig, inproto))
        return false;
    struct nf_conntrack_tuple_hash *h = nf_conntrack_find_hash(net, &target);
    if (!h)
        return false;
    struct nf_conn *ct = nf_ct_tuplehash_to_ctrack(h);
    struct in6_addr daddr;
    be32 outer_daddr;
    memcpy(&daddr, l3 + offsetof(struct ipv6hdr, daddr), sizeof daddr);
    if (!in6_key_find(&daddr, &outer_daddr) ||
        ct->tuplehash[h->dir].tuple.dst != outer_daddr)
        return false;
    nf_ct_set(skb, ct, h->dir == IP_CT_DIR_REPLY ? IP_CT_RELATED_REPLY : IP_CT_RELATED);
    return true;
}

/* nf_conntrack_icmpv6_error (4.x icmpv6_error): neighbour discovery goes
 * untracked, queries go on to the lookup, an error finds the entry it is about
 * or is invalid. */
static int nf_conntrack_icmpv6_error(struct net *net, struct sk_buff *skb, unsigned dataoff)
{
    uint8_t type = skb_network_header(skb)[dataoff];
    if (icmpv6_noct(type)) {
        nf_ct_set(skb, NULL, IP_CT_UNTRACKED);
        return -NF_ACCEPT;              /* done with: no lookup, nothing counted */
    }
    if (type & ICMPV6_INFOMSG_MASK)
        return NF_ACCEPT;
    if (icmpv6_error_message(net, skb, dataoff))
        return NF_ACCEPT;
    nf_l4proto_log_invalid(net, skb, "INVALID: ICMPv6 error about no known connection");
    return -NF_ACCEPT;
}

/* nf_conntrack_icmpv6_packet (4.x icmpv6_packet and icmpv6_new): only an echo
 * request or a node information query may start an entry. */
static int icmpv6_packet(struct nf_conn *ct, struct sk_buff *skb, unsigned dataoff,
                         enum ip_conntrack_info ctinfo)
{
    uint8_t type = icmpv6_type_of(&ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple);
    if (!nf_ct_is_confirmed(ct) && !(type == ICMPV6_ECHO_REQUEST || type == ICMPV6_NI_QUERY))
        return -NF_ACCEPT;
    nf_ct_refresh(ct, ct->net->ct->timeouts.icmpv6);
    return NF_ACCEPT;
}

static void icmpv6_print_tuple(char *buf, size_t len, const struct nf_conntrack_tuple *t,
                               const char *src, const char *dst)
{
    snprintf(buf, len, "icmpv6 %s -> %s id %u type %u", src, dst, ntohs(t->sport),
             icmpv6_type_of(t));
}

/* nf_ct_icmpv6_timeout (nf_conntrack_icmpv6_timeout). */
void nf_conntrack_icmpv6_init_net(struct nf_ct_timeouts *t)
{
    t->icmpv6 = 30 * SEC;
}

const struct nf_conntrack_l4proto nf_conntrack_l4proto_icmpv6 = {
    .l4proto = NEXTHDR_ICMP,
    .pkt_to_tuple = icmpv6_pkt_to_tuple,
    .invert_tuple = icmpv6_invert_tuple,
    .error = nf_conntrack_icmpv6_error,
    .packet = icmpv6_packet,
    .print_tuple = icmpv6_print_tuple,
};
