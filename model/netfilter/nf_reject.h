/* What the REJECT target sends (net/ipv4/netfilter/nf_reject_ipv4.c). */
#ifndef IPVSIM_MODEL_NF_REJECT_H
#define IPVSIM_MODEL_NF_REJECT_H

#include <stdint.h>
#include "sim/skb.h"

struct net;

/* A TCP RST answering oldskb (never for a RST; sequence numbers as the kernel sets
 * them), sent as a locally generated packet. */
void nf_send_reset(struct net *net, const struct sk_buff *oldskb, unsigned hook);
/* An ICMP destination unreachable with the given code about skb_in. */
void nf_send_unreach(struct net *net, const struct sk_buff *skb_in, uint8_t code, unsigned hook);

#endif
