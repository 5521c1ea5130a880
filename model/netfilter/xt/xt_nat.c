/* The SNAT and DNAT targets (net/netfilter/xt_nat.c: xt_snat_target_v0,
 * xt_dnat_target_v0): bind the conntrack's NAT for the range. */
#include "model/netfilter/xt/xt.h"

#include "model/netfilter/nf_conntrack.h"
#include "model/netfilter/nf_nat.h"

/* The nat table sees only tracked packets; without a conntrack there is nothing
 * to bind (the kernel would warn). */
static unsigned nat_tg(const struct sk_buff *skb, const struct xt_action_param *par,
                       enum nf_nat_manip_type manip)
{
    const struct xt_nat_info *info = par->targinfo;
    enum ip_conntrack_info ctinfo;
    struct nf_conn *ct = nf_ct_get(skb, &ctinfo);
    if (!ct)
        return NF_ACCEPT;
    return nf_nat_setup_info(ct, &info->range, manip);
}

static unsigned xt_snat_target_v0(struct sk_buff *skb, const struct xt_action_param *par)
{
    return nat_tg(skb, par, NF_NAT_MANIP_SRC);
}

static unsigned xt_dnat_target_v0(struct sk_buff *skb, const struct xt_action_param *par)
{
    return nat_tg(skb, par, NF_NAT_MANIP_DST);
}

const struct xt_target xt_snat_target = {
    .name = "SNAT", .table = "nat",
    .hooks = (1 << NF_INET_POST_ROUTING) | (1 << NF_INET_LOCAL_IN),
    .conntrack = true, .target = xt_snat_target_v0,
};

const struct xt_target xt_dnat_target = {
    .name = "DNAT", .table = "nat",
    .hooks = (1 << NF_INET_PRE_ROUTING) | (1 << NF_INET_LOCAL_OUT),
    .conntrack = true, .target = xt_dnat_target_v0,
};
