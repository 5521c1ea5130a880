/* IPIP decapsulation on a host with a tunnel device (net/ipv4/ipip.c): how an LVS-TUN
 * real server receives what the director encapsulated. */
#ifndef IPVSIM_MODEL_IPIP_H
#define IPVSIM_MODEL_IPIP_H

#include "sim/skb.h"

struct net;

#define IPIP_DEVICE "tunl0"

/* An IPIP packet delivered locally (skb->data at the inner IPv4 header). Returns
 * false when this host has no tunnel device: the caller answers as for an unknown
 * protocol. Otherwise the inner packet is received on the tunnel device. */
bool ipip_rcv(struct net *net, struct sk_buff *skb);

#endif
