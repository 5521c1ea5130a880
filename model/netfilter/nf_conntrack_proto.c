/* What the protocol trackers share (net/netfilter/nf_conntrack_proto.c): the
 * port pair of TCP and UDP, the invalid-packet log, and the default timeouts.
 * The trackers themselves are in nf_conntrack_proto_{tcp,udp,icmp,generic}.c;
 * the lookup, nf_ct_l4proto_find, is inline in nf_conntrack_l4proto.h, and the
 * tuple functions are in nf_conntrack.c as in nf_conntrack_core.c. */
#include "model/netfilter/nf_conntrack_internal.h"

#include "model/ipv4/ip.h"
#include "model/net.h"
#include "model/trace.h"

/* ---- ports ---------------------------------------------------------------------- */

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
    nf_conntrack_icmpv6_init_net(t);
}
