/* Building the TCP RST that answers a segment: shared by the TCP receive path
 * (tcp_v4_send_reset, for a segment no socket wants) and the REJECT target
 * (nf_send_reset), which apply the same sequence-number rules. */
#ifndef IPVSIM_MODEL_IPV4_TCP_RESET_H
#define IPVSIM_MODEL_IPV4_TCP_RESET_H

#include "sim/skb.h"

struct net;

/* The RST for oldskb (its IPv4 header at network_header), addressed back to its
 * sender and routed (skb->dst set), or NULL when none may be sent: oldskb is a
 * RST, a fragment, truncated, or has no route back. */
struct sk_buff *tcp_reset_build(struct net *net, const struct sk_buff *oldskb, bool df);

/* tcp_v4_send_reset: answer a segment that found no socket. */
void tcp_v4_send_reset(struct net *net, const struct sk_buff *oldskb);

#endif
