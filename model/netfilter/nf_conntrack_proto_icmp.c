/* The ICMP tracker (net/netfilter/nf_conntrack_proto_icmp.c): queries and their
 * replies are tracked by id, type and code; an error is RELATED to the entry of
 * the packet it quotes. */
#include "model/netfilter/nf_conntrack_internal.h"

#include <stdio.h>
#include "model/net.h"
#include "model/ipv4/ip.h"

/* The tuple keeps the id in sport, and type << 8 | code in dport. */
static inline uint8_t icmp_type_of(const struct nf_conntrack_tuple *t)
{
    return (uint8_t)(ntohs(t->dport) >> 8);
}

/* icmp_pkt_to_tuple */
static bool icmp_pkt_to_tuple(const uint8_t *l4, uint32_t avail, struct nf_conntrack_tuple *tuple)
{
    if (avail < 8)
        return false;
    memcpy(&tuple->sport, l4 + 4, 2);                      /* echo id */
    tuple->dport = htons((uint16_t)(l4[0] << 8 | l4[1]));  /* type, code */
    return true;
}

/* The reply type of each ICMP query type, + 1 (0: none), as invmap[]. */
static uint8_t icmp_reply_type(uint8_t type)
{
    switch (type) {
    case ICMP_ECHO: return ICMP_ECHOREPLY + 1;
    case ICMP_ECHOREPLY: return ICMP_ECHO + 1;
    case 13: return 14 + 1;                  /* timestamp */
    case 14: return 13 + 1;
    case 15: return 16 + 1;                  /* information request */
    case 16: return 15 + 1;
    case 17: return 18 + 1;                  /* address mask */
    case 18: return 17 + 1;
    default: return 0;
    }
}

/* nf_conntrack_invert_icmp_tuple (4.x icmp_invert_tuple). */
static bool icmp_invert_tuple(struct nf_conntrack_tuple *inverse,
                              const struct nf_conntrack_tuple *orig)
{
    uint8_t inv = icmp_reply_type(icmp_type_of(orig));
    if (!inv)
        return false;
    inverse->sport = orig->sport;            /* the id is the same both ways */
    inverse->dport = htons((uint16_t)((inv - 1) << 8 | (ntohs(orig->dport) & 0xff)));
    return true;
}

/* Dest unreachable, source quench, redirect, time exceeded, parameter problem
 * (icmp_is_err). */
static bool icmp_is_err(uint8_t type)
{
    return type == ICMP_DEST_UNREACH || type == 4 /* source quench */ || type == 5 /* redirect */ ||
           type == ICMP_TIME_EXCEEDED || type == 12 /* parameter problem */;
}

/* icmp_error_message: the quoted packet's tuple, inverted, names the entry the
 * error is about. The error must be addressed where that entry's direction goes
 * (an error whose outer destination differs is a forgery: INVALID, as in 5.x+).
 * True when an entry was attached to skb. */
static bool icmp_error_message(struct net *net, struct sk_buff *skb, unsigned dataoff)
{
    const uint8_t *l3 = skb_network_header(skb);
    uint32_t avail = nf_ct_l3_avail(skb);
    unsigned inner_off = dataoff + (unsigned)sizeof(struct icmphdr);
    if (avail < inner_off)
        return false;
    const uint8_t *inner = l3 + inner_off;
    uint32_t inner_avail = avail - inner_off;
    uint8_t protonum;
    int inner_dataoff = ipv4_get_l4proto(inner, inner_avail, &protonum);
    if (inner_dataoff < 0)
        return false;
    /* The quoted packet's own tracker. */
    const struct nf_conntrack_l4proto *inproto = nf_ct_l4proto_find(protonum);
    struct nf_conntrack_tuple orig, target;
    if (!nf_ct_get_tuple(inner, inner_avail, (unsigned)inner_dataoff, inproto, &orig) ||
        !nf_ct_invert_tuple_l4proto(&target, &orig, inproto))
        return false;
    struct nf_conntrack_tuple_hash *h = nf_conntrack_find_hash(net, &target);
    if (!h)
        return false;
    struct nf_conn *ct = nf_ct_tuplehash_to_ctrack(h);
    if (ct->tuplehash[h->dir].tuple.dst != ip_hdr(skb)->daddr)
        return false;
    enum ip_conntrack_info ctinfo = IP_CT_RELATED;
    if (h->dir == IP_CT_DIR_REPLY)
        ctinfo = IP_CT_RELATED_REPLY;
    nf_ct_set(skb, ct, ctinfo);
    return true;
}

/* nf_conntrack_icmpv4_error (4.x icmp_error): queries go on to the lookup; an
 * error either finds the entry it is about or is invalid. The header is there:
 * the tuple was taken first. */
static int nf_conntrack_icmpv4_error(struct net *net, struct sk_buff *skb, unsigned dataoff)
{
    uint8_t type = skb_network_header(skb)[dataoff];
    if (!icmp_is_err(type))
        return NF_ACCEPT;
    if (icmp_error_message(net, skb, dataoff))
        return NF_ACCEPT;
    nf_l4proto_log_invalid(net, skb, "INVALID: ICMP error about no known connection");
    return -NF_ACCEPT;
}

/* nf_conntrack_icmp_packet (4.x icmp_packet and icmp_new): only a query (echo,
 * timestamp, information, address mask) may start an entry. */
static int icmp_packet(struct nf_conn *ct, struct sk_buff *skb, unsigned dataoff,
                       enum ip_conntrack_info ctinfo)
{
    uint8_t type = icmp_type_of(&ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple);
    if (!nf_ct_is_confirmed(ct) &&
        !(type == ICMP_ECHO || type == 13 || type == 15 || type == 17))
        return -NF_ACCEPT;
    nf_ct_refresh(ct, ct->net->ct->timeouts.icmp);
    return NF_ACCEPT;
}

static void icmp_print_tuple(char *buf, size_t len, const struct nf_conntrack_tuple *t,
                             const char *src, const char *dst)
{
    snprintf(buf, len, "icmp %s -> %s id %u type %u", src, dst, ntohs(t->sport),
             icmp_type_of(t));
}

/* nf_ct_icmp_timeout (nf_conntrack_icmp_timeout). */
void nf_conntrack_icmp_init_net(struct nf_ct_timeouts *t)
{
    t->icmp = 30 * SEC;
}

const struct nf_conntrack_l4proto nf_conntrack_l4proto_icmp = {
    .l4proto = IPPROTO_ICMP,
    .pkt_to_tuple = icmp_pkt_to_tuple,
    .invert_tuple = icmp_invert_tuple,
    .error = nf_conntrack_icmpv4_error,
    .packet = icmp_packet,
    .print_tuple = icmp_print_tuple,
};
