/* The CT target, --notrack only (net/netfilter/xt_CT.c: xt_ct_target): the packet
 * goes untracked. The kernel file also registers a NOTRACK target (notrack_tg); the
 * model has no need of it, since iptables sends -j NOTRACK as CT --notrack (libxt_CT's
 * alias, real_name "CT") and lists it so. */
#include "model/netfilter/xt/xt.h"

#include "model/netfilter/nf_conntrack.h"

/* A packet that already has a conntrack keeps it. */
static unsigned xt_ct_tg(struct sk_buff *skb, const struct xt_action_param *par)
{
    const struct xt_ct_target_info *info = par->targinfo;
    if ((info->flags & XT_CT_NOTRACK) && !skb->nfct)
        nf_ct_set(skb, NULL, IP_CT_UNTRACKED);
    return XT_CONTINUE;
}

const struct xt_target xt_ct_target = {
    .name = "CT", .table = "raw", .target = xt_ct_tg,
};
