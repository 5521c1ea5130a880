/* The multiport match (net/netfilter/xt_multiport.c, revision 1: multiport_mt,
 * ports_match_v1): up to 15 source, destination or either ports, a range taking two
 * slots. The kernel's multiport_mt_check wants -p tcp, udp, udplite, sctp or dccp,
 * not inverted; libxt_multiport refuses anything else before a rule gets here. */
#include "model/netfilter/xt/xt.h"

static bool port_in(const struct xt_multiport_v1 *info, unsigned i, uint16_t port, unsigned *next)
{
    *next = i + 1;
    if (!info->pflags[i])
        return port == info->ports[i];
    *next = i + 2;                      /* a range: ports[i]..ports[i + 1] */
    return i + 1 < info->count && port >= info->ports[i] && port <= info->ports[i + 1];
}

/* ports_match_v1: the first slot that matches decides. */
static bool ports_match_v1(const struct xt_multiport_v1 *info, uint16_t src, uint16_t dst)
{
    for (unsigned i = 0, next; i < info->count; i = next) {
        bool s = port_in(info, i, src, &next), d = port_in(info, i, dst, &next);
        bool hit = info->flags == XT_MULTIPORT_SOURCE        ? s
                   : info->flags == XT_MULTIPORT_DESTINATION ? d
                                                             : s || d;
        if (hit)
            return !info->invert;
    }
    return info->invert;
}

static bool multiport_mt(const struct sk_buff *skb, struct xt_action_param *par)
{
    const struct xt_multiport_v1 *info = par->matchinfo;
    if (par->fragoff != 0)
        return false;
    if (par->l4_len < 4) {
        par->hotdrop = true;            /* asked to look at the ports and cannot: drop */
        return false;
    }
    /* the two ports lead every protocol multiport takes (TCP, UDP, SCTP...) */
    uint16_t src = (uint16_t)(par->l4[0] << 8 | par->l4[1]);
    uint16_t dst = (uint16_t)(par->l4[2] << 8 | par->l4[3]);
    return ports_match_v1(info, src, dst);
}

const struct xt_match xt_multiport_match = {
    .name = "multiport", .match = multiport_mt,
};
