/* The MASQUERADE target (net/netfilter/xt_MASQUERADE.c in 5.x, ipt_MASQUERADE.c
 * before): SNAT to the outgoing device's address (nf_nat_masquerade_ipv4). */
#include "model/netfilter/xt/xt.h"

#include "model/netfilter/nf_nat.h"

static unsigned masquerade_tg(struct sk_buff *skb, const struct xt_action_param *par)
{
    const struct xt_nat_info *info = par->targinfo;
    if (par->state->pf == NFPROTO_IPV6)      /* masquerade_tg6 */
        return nf_nat_masquerade_ipv6(skb, &info->range, par->state->out);
    return nf_nat_masquerade_ipv4(skb, par->state->hook, &info->range, par->state->out);
}

const struct xt_target xt_masquerade_target = {
    .name = "MASQUERADE", .table = "nat", .hooks = 1 << NF_INET_POST_ROUTING,
    .conntrack = true, .target = masquerade_tg,
};
