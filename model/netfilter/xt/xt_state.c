/* The state match (net/netfilter/xt_state.c: state_mt): the packet's conntrack state
 * as one bit; no conntrack is INVALID unless the packet was marked untracked. */
#include "model/netfilter/xt/xt.h"

#include "model/netfilter/nf_conntrack.h"

static bool state_mt(const struct sk_buff *skb, struct xt_action_param *par)
{
    const struct xt_state_info *sinfo = par->matchinfo;
    enum ip_conntrack_info ctinfo = IP_CT_ESTABLISHED;
    unsigned statebit;
    if (nf_ct_get(skb, &ctinfo))
        statebit = XT_STATE_BIT(ctinfo);
    else if (ctinfo == IP_CT_UNTRACKED)
        statebit = XT_STATE_UNTRACKED;
    else
        statebit = XT_STATE_INVALID;
    return !!(sinfo->statemask & statebit) ^ sinfo->invert;
}

const struct xt_match xt_state_match = {
    .name = "state", .conntrack = true, .match = state_mt,
};
