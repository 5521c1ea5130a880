/* Tunnel decapsulation on a host (net/ipv4/ipip.c, ip_gre.c, fou.c): how an LVS-TUN
 * real server receives what the director encapsulated, as IPIP, as GRE, or as GUE
 * (IPIP inside UDP, to the port of `ip fou add port N gue`). */
#ifndef IPVSIM_MODEL_IPV4_IPIP_H
#define IPVSIM_MODEL_IPV4_IPIP_H

#include <stdbool.h>
#include "sim/proto.h"
#include "sim/skb.h"

struct net;

#define IPIP_DEVICE "tunl0"
#define GRE_DEVICE "gre0"

/* The headers between the outer IP header and the inner packet (LVS-TUN's GUE and
 * GRE, ip_vs_xmit.c, and their receivers here). */
#define GUE_HLEN 4                  /* version 0, no options (struct guehdr) */
#define GRE_HLEN 4                  /* flags and version, protocol */
#define GRE_CSUM_LEN 4              /* checksum and reserved1, with the C flag */
#define GRE_F_CSUM 0x8000

/* An IPIP packet delivered locally (skb->data at the inner IPv4 header). Returns
 * false when this host has no tunnel device: the caller answers as for an unknown
 * protocol. Otherwise the inner packet is received on the tunnel device. */
bool ipip_rcv(struct net *net, struct sk_buff *skb);
/* A GRE packet delivered locally (skb->data at the GRE header): decapsulated on
 * gre0 when the host has it (false otherwise, as ipip_rcv). A packet with a bad
 * checksum, flags the model does not know or another payload is dropped (true). */
bool gre_rcv(struct net *net, struct sk_buff *skb);
/* A UDP datagram to the host's fou port (skb->data at the UDP header, its
 * checksum verified): GUE carrying IPIP goes to ipip_rcv; anything else is
 * dropped. Always consumes the packet. */
void gue_rcv(struct net *net, struct sk_buff *skb);

#endif
