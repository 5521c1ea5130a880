/* The NAT core's part of a protocol (include/net/netfilter/nf_nat_l4proto.h up to
 * 5.0): rewriting the protocol's header for a manip, whether a tuple's
 * protocol part is inside a range, and the search for a free one. The instances
 * (TCP, UDP, ICMP and the "unknown" protocol) are in nf_nat_proto.c.
 *
 * 5.1 folded these ops into switches on the protocol number: l4proto_manip_pkt
 * in nf_nat_proto.c calling tcp_manip_pkt, udp_manip_pkt, icmp_manip_pkt;
 * l4proto_in_range and nf_nat_l4proto_unique_tuple in nf_nat_core.c. The work
 * per protocol is the same; the model keeps the ops and the 5.x behaviour. */
#ifndef IPVSIM_MODEL_NF_NAT_L4PROTO_H
#define IPVSIM_MODEL_NF_NAT_L4PROTO_H

#include <stdbool.h>
#include <stdint.h>
#include "model/netfilter/nf_conntrack.h"
#include "model/netfilter/nf_nat.h"

struct nf_nat_l4proto {
    uint8_t l4proto;                    /* IPPROTO_*; 0 for the unknown protocol */
    /* Rewrite the header at hdroff (the IPv4 header at iphdroff, both from the
     * network header) so this manip's half looks like tuple: ports, ICMP id,
     * checksums. False when the header is not there. */
    bool (*manip_pkt)(struct sk_buff *skb, unsigned iphdroff, unsigned hdroff,
                      const struct nf_conntrack_tuple *tuple, enum nf_nat_manip_type maniptype);
    /* Is the part of the tuple this manip may change (port, ICMP id) inside the
     * range's protocol part (host order)? */
    bool (*in_range)(const struct nf_conntrack_tuple *tuple, enum nf_nat_manip_type maniptype,
                     const struct nf_nat_range *range);
    /* Change that part until the tuple is free (or give up: confirmation will
     * refuse the clash). */
    void (*unique_tuple)(struct nf_conntrack_tuple *tuple, const struct nf_nat_range *range,
                         enum nf_nat_manip_type maniptype, const struct nf_conn *ct);
};

extern const struct nf_nat_l4proto nf_nat_l4proto_tcp;
extern const struct nf_nat_l4proto nf_nat_l4proto_udp;
extern const struct nf_nat_l4proto nf_nat_l4proto_icmp;
extern const struct nf_nat_l4proto nf_nat_l4proto_icmpv6;
extern const struct nf_nat_l4proto nf_nat_l4proto_unknown;

/* The NAT part of a protocol; nf_nat_l4proto_unknown for any protocol without
 * one (nf_nat_core.c, __nf_nat_l4proto_find, 4.x: an array filled with the
 * unknown protocol; 5.x+ switch in each function instead). Inline: it runs for
 * every manip. */
static inline const struct nf_nat_l4proto *__nf_nat_l4proto_find(uint8_t protonum)
{
    switch (protonum) {
    case IPPROTO_TCP: return &nf_nat_l4proto_tcp;
    case IPPROTO_UDP: return &nf_nat_l4proto_udp;
    case IPPROTO_ICMP: return &nf_nat_l4proto_icmp;
    case 58: return &nf_nat_l4proto_icmpv6;    /* IPPROTO_ICMPV6 */
    default: return &nf_nat_l4proto_unknown;
    }
}

/* Would a connection leaving as tuple clash with one in the table?
 * (nf_nat_core.c, nf_nat_used_tuple) */
bool nf_nat_used_tuple(const struct nf_conntrack_tuple *tuple, const struct nf_conn *ct);

#endif
