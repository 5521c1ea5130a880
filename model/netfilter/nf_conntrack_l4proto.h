/* A protocol tracker of conntrack (include/net/netfilter/nf_conntrack_l4proto.h):
 * how a protocol's packets become tuples, how a tuple is inverted, what the
 * protocol checks before a packet is tracked, and its state machine and timeouts.
 * One file per protocol: nf_conntrack_proto_{tcp,udp,icmp,generic}.c.
 *
 * The ops are the 4.x kernel's (pkt_to_tuple, invert_tuple, error, packet,
 * print_tuple, print_conntrack in struct nf_conntrack_l4proto up to 4.19). Since
 * 5.0 the kernel calls the same per-protocol functions through switches on the
 * protocol number (nf_conntrack_core.c: nf_ct_get_tuple, nf_ct_invert_tuple,
 * nf_conntrack_handle_packet) and keeps only netlink and timeout members in the
 * struct; what each protocol does is the same either way. nf_ct_l4proto_find
 * keeps its 5.x name and its fallback to the generic tracker. SCTP, DCCP, GRE and
 * UDP-Lite are not tracked on their own here: their packets take the generic
 * tracker, as with their modules not loaded. */
#ifndef IPVSIM_MODEL_NF_CONNTRACK_L4PROTO_H
#define IPVSIM_MODEL_NF_CONNTRACK_L4PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "model/netfilter/nf_conntrack.h"
#include "sim/proto6.h"

struct net;
struct nf_ct_timeouts;

struct nf_conntrack_l4proto {
    uint8_t l4proto;                    /* IPPROTO_*; 255 for the generic tracker */
    /* The protocol's part of the tuple from its header at l4 (avail readable
     * bytes); false when the header is too short for it. */
    bool (*pkt_to_tuple)(const uint8_t *l4, uint32_t avail, struct nf_conntrack_tuple *tuple);
    /* The protocol's part of the reply tuple; false when the packet has no reply
     * (an ICMP type without a response type). */
    bool (*invert_tuple)(struct nf_conntrack_tuple *inverse, const struct nf_conntrack_tuple *orig);
    /* Checks before lookup (NULL: none). NF_ACCEPT: go on, unless the tracker
     * attached an entry to skb itself (ICMP errors, as RELATED); -NF_ACCEPT:
     * invalid, already counted and noted (nf_l4proto_log_invalid). */
    int (*error)(struct net *net, struct sk_buff *skb, unsigned dataoff);
    /* The state machine and timeout for a packet of ct. NF_ACCEPT, -NF_ACCEPT
     * (invalid: the packet loses its entry) or -NF_REPEAT (the entry was killed
     * to reopen the connection: look up again). */
    int (*packet)(struct nf_conn *ct, struct sk_buff *skb, unsigned dataoff,
                  enum ip_conntrack_info ctinfo);
    /* "tcp 10.0.1.2:40000 -> 10.0.2.2:80" for traces, given the addresses' text. */
    void (*print_tuple)(char *buf, size_t len, const struct nf_conntrack_tuple *tuple,
                        const char *src, const char *dst);
    /* The tracker's own state for a trace note (NULL: none), with the state
     * before the packet ("[SYN_SENT -> ESTABLISHED]"). */
    void (*print_conntrack)(char *buf, size_t len, const struct nf_conn *ct, unsigned old_state);
};

extern const struct nf_conntrack_l4proto nf_conntrack_l4proto_tcp;
extern const struct nf_conntrack_l4proto nf_conntrack_l4proto_udp;
extern const struct nf_conntrack_l4proto nf_conntrack_l4proto_icmp;
extern const struct nf_conntrack_l4proto nf_conntrack_l4proto_icmpv6;
extern const struct nf_conntrack_l4proto nf_conntrack_l4proto_generic;

/* The tracker of a protocol: the generic one for any protocol without its own
 * (nf_conntrack_proto.c, nf_ct_l4proto_find: a switch in 5.x+; 4.x kept an array
 * filled with the generic tracker). Inline: it runs for every packet. */
static inline const struct nf_conntrack_l4proto *nf_ct_l4proto_find(uint8_t l4proto)
{
    switch (l4proto) {
    case IPPROTO_UDP: return &nf_conntrack_l4proto_udp;
    case IPPROTO_TCP: return &nf_conntrack_l4proto_tcp;
    case IPPROTO_ICMP: return &nf_conntrack_l4proto_icmp;
    case NEXTHDR_ICMP: return &nf_conntrack_l4proto_icmpv6;
    default: return &nf_conntrack_l4proto_generic;
    }
}

/* The port pair of TCP and UDP: the first 4 bytes of the header, 8 readable as
 * an ICMP quote carries at least 8 (nf_conntrack_core.c, nf_ct_get_tuple_ports),
 * and their swap in the reply. */
bool nf_ct_get_tuple_ports(const uint8_t *l4, uint32_t avail, struct nf_conntrack_tuple *tuple);
bool nf_ct_invert_tuple_ports(struct nf_conntrack_tuple *inverse,
                              const struct nf_conntrack_tuple *orig);

/* Is the protocol's tuple a port pair (the trackers whose pkt_to_tuple is
 * nf_ct_get_tuple_ports: TCP, UDP)? Traces show ADDR:PORT for those. */
static inline bool nf_ct_l4proto_has_ports(const struct nf_conntrack_l4proto *l4proto)
{
    return l4proto->pkt_to_tuple == nf_ct_get_tuple_ports;
}

/* A packet found invalid by its tracker: counted and noted (nf_conntrack_proto.c,
 * nf_l4proto_log_invalid). */
void nf_l4proto_log_invalid(struct net *net, const struct sk_buff *skb, const char *why);

/* Each tracker's default timeouts into the per-net table
 * (nf_conntrack_{tcp,udp,icmp,generic}_init_net). */
void nf_conntrack_tcp_init_net(struct nf_ct_timeouts *t);
void nf_conntrack_udp_init_net(struct nf_ct_timeouts *t);
void nf_conntrack_icmp_init_net(struct nf_ct_timeouts *t);
void nf_conntrack_icmpv6_init_net(struct nf_ct_timeouts *t);
void nf_conntrack_generic_init_net(struct nf_ct_timeouts *t);

#endif
