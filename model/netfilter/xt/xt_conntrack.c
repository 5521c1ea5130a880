/* The conntrack match, --ctstate only (net/netfilter/xt_conntrack.c: conntrack_mt):
 * the state bits of -m state plus SNAT and DNAT from the conntrack's status. */
#include "model/netfilter/xt/xt.h"

#include "model/netfilter/nf_conntrack.h"

static unsigned ct_statebits(const struct sk_buff *skb)
{
    enum ip_conntrack_info ctinfo = IP_CT_ESTABLISHED;
    struct nf_conn *ct = nf_ct_get(skb, &ctinfo);
    if (!ct)
        return ctinfo == IP_CT_UNTRACKED ? XT_STATE_UNTRACKED : XT_STATE_INVALID;
    unsigned statebit = XT_STATE_BIT(ctinfo);
    uint32_t status = nf_ct_status(ct);
    statebit |= status & IPS_SRC_NAT ? XT_CONNTRACK_STATE_SNAT : 0;
    statebit |= status & IPS_DST_NAT ? XT_CONNTRACK_STATE_DNAT : 0;
    return statebit;
}

static bool conntrack_mt(const struct sk_buff *skb, struct xt_action_param *par)
{
    const struct xt_conntrack_mtinfo *info = par->matchinfo;
    if (!info->has_state)
        return true;
    return !!(info->state_mask & ct_statebits(skb)) ^ info->invert;
}

const struct xt_match xt_conntrack_match = {
    .name = "conntrack", .conntrack = true, .match = conntrack_mt,
};
