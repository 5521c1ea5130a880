/* The mark match and the MARK target (net/netfilter/xt_mark.c: mark_mt, mark_tg). */
#include "model/netfilter/xt/xt.h"

static bool mark_mt(const struct sk_buff *skb, struct xt_action_param *par)
{
    const struct xt_mark_mtinfo1 *info = par->matchinfo;
    return ((skb->mark & info->mask) == info->mark) ^ info->invert;
}

/* skb->mark = (skb->mark & ~mask) ^ mark */
static unsigned mark_tg(struct sk_buff *skb, const struct xt_action_param *par)
{
    const struct xt_mark_tginfo2 *info = par->targinfo;
    skb->mark = (skb->mark & ~info->mask) ^ info->mark;
    return XT_CONTINUE;
}

const struct xt_match xt_mark_match = {
    .name = "mark", .match = mark_mt,
};

const struct xt_target xt_mark_target = {
    .name = "MARK", .target = mark_tg,
};
