/* What the REJECT target sends (net/ipv4/netfilter/nf_reject_ipv4.c nf_send_reset,
 * nf_send_unreach). */
#include "model/netfilter/nf_reject.h"

#include "model/ipv4/icmp.h"
#include "model/ipv4/ip.h"
#include "model/net.h"
#include "model/ipv4/tcp_reset.h"

void nf_send_reset(struct net *net, const struct sk_buff *oldskb, unsigned hook)
{
    /* The kernel's reject sets DF on the reset it builds. */
    struct sk_buff *skb = tcp_reset_build(net, oldskb, true);
    if (!skb)
        return;
    trace_note(net, oldskb, __func__, "RST sent");
    ip_local_out(net, skb);
}

void nf_send_unreach(struct net *net, const struct sk_buff *skb_in, uint8_t code, unsigned hook)
{
    icmp_send(net, skb_in, ICMP_DEST_UNREACH, code, 0);
}
