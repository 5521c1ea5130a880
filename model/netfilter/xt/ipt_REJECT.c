/* The REJECT target (net/ipv4/netfilter/ipt_REJECT.c: reject_tg, reject_tg_check):
 * an ICMP error or a TCP reset for the packet, which is dropped. */
#include "model/netfilter/xt/xt.h"

#include "model/ipv4/ip.h"
#include "model/netfilter/nf_reject.h"

/* A reset answers TCP only: the kernel refuses the rule unless it says -p tcp. */
static const char *reject_tg_check(const struct ipt_entry *e)
{
    if (e->target.data.reject.with == IPT_TCP_RESET &&
        (e->ip.proto != IPPROTO_TCP || (e->ip.invflags & XT_INV_PROTO)))
        return "ipt_REJECT: TCP_RESET invalid for non-tcp";
    return NULL;
}

static unsigned reject_tg(struct sk_buff *skb, const struct xt_action_param *par)
{
    static const uint8_t codes[] = {
        [IPT_ICMP_NET_UNREACHABLE] = 0, [IPT_ICMP_HOST_UNREACHABLE] = 1,
        [IPT_ICMP_PROT_UNREACHABLE] = 2, [IPT_ICMP_PORT_UNREACHABLE] = 3,
        [IPT_ICMP_NET_PROHIBITED] = 9, [IPT_ICMP_HOST_PROHIBITED] = 10,
        [IPT_ICMP_ADMIN_PROHIBITED] = ICMP_PKT_FILTERED,
    };
    const struct ipt_reject_info *reject = par->targinfo;
    struct net *net = par->state->net;
    if (reject->with == IPT_TCP_RESET)
        nf_send_reset(net, skb, par->state->hook);
    else if (reject->with != IPT_ICMP_ECHOREPLY)
        nf_send_unreach(net, skb, codes[reject->with], par->state->hook);
    return NF_DROP;
}

const struct xt_target ipt_reject_target = {
    .name = "REJECT", .table = "filter",
    .hooks = (1 << NF_INET_LOCAL_IN) | (1 << NF_INET_FORWARD) | (1 << NF_INET_LOCAL_OUT),
    .checkentry = reject_tg_check, .target = reject_tg,
};
