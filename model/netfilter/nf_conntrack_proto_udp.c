/* The UDP tracker (net/netfilter/nf_conntrack_proto_udp.c): ports as the tuple,
 * a short timeout until the other side answers, a long one for a stream. */
#include "model/netfilter/nf_conntrack_internal.h"

#include <stdio.h>
#include "model/net.h"
#include "model/ipv4/ip.h"

/* nf_conntrack_udp_packet (4.x udp_packet). Unreplied: the short timeout. Once
 * the other side has answered (a packet after the first reply), a stream: the
 * long one, and ASSURED. */
static int udp_packet(struct nf_conn *ct, struct sk_buff *skb, unsigned dataoff,
                      enum ip_conntrack_info ctinfo)
{
    const struct nf_ct_timeouts *to = &ct->net->ct->timeouts;
    if (ct->status & IPS_SEEN_REPLY) {
        nf_ct_refresh(ct, to->udp_replied);
        ct->status |= IPS_ASSURED;
    } else {
        nf_ct_refresh(ct, to->udp_unreplied);
    }
    return NF_ACCEPT;
}

static void udp_print_tuple(char *buf, size_t len, const struct nf_conntrack_tuple *t,
                            const char *src, const char *dst)
{
    snprintf(buf, len, "udp %s:%u -> %s:%u", src, ntohs(t->sport), dst, ntohs(t->dport));
}

/* udp_timeouts[] (nf_conntrack_udp_timeout[_stream]). The stream timeout is
 * 120 s as in 5.19+; 2.6 to 5.18 used 180 s, and 6.x only counts a flow as a
 * stream once it has lived for 2 s (neither is modelled). */
void nf_conntrack_udp_init_net(struct nf_ct_timeouts *t)
{
    t->udp_unreplied = 30 * SEC;
    t->udp_replied = 120 * SEC;
}

const struct nf_conntrack_l4proto nf_conntrack_l4proto_udp = {
    .l4proto = IPPROTO_UDP,
    .pkt_to_tuple = nf_ct_get_tuple_ports,
    .invert_tuple = nf_ct_invert_tuple_ports,
    .packet = udp_packet,
    .print_tuple = udp_print_tuple,
};
