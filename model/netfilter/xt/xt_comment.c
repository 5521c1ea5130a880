/* The comment match (net/netfilter/xt_comment.c): matches every packet; the text is
 * for the rule listing. */
#include "model/netfilter/xt/xt.h"

static bool comment_mt(const struct sk_buff *skb, struct xt_action_param *par)
{
    return true;
}

const struct xt_match xt_comment_match = {
    .name = "comment", .match = comment_mt,
};
