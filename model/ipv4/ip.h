/* The IPv4 path, with the kernel's function names so a trace maps to net/ipv4/.
 *
 *   netif_receive_skb -> ip_rcv -> PRE_ROUTING -> ip_rcv_finish -> dst_input:
 *       ip_local_deliver -> LOCAL_IN -> ip_local_deliver_finish -> L4 handler
 *       ip_forward -> FORWARD -> ip_forward_finish -> dst_output
 *   ip_local_out -> __ip_local_out -> LOCAL_OUT -> dst_output
 *   dst_output = ip_output -> POST_ROUTING (unless rerouted) -> ip_finish_output
 *       -> ip_finish_output2 (neighbour, Ethernet header) -> host_xmit
 *   dst_output = ip_mc_output (a multicast route, ip_mc_route_init) -> POST_ROUTING
 *       -> the group's Ethernet address -> host_xmit
 *
 * Every function takes the packet and returns 0 when it was passed on or consumed
 * as intended, a negative errno when it was dropped. */
#ifndef IPVSIM_MODEL_IPV4_IP_H
#define IPVSIM_MODEL_IPV4_IP_H

#include <stdint.h>
#include "sim/proto.h"
#include "sim/skb.h"

struct net;
struct net_device;

/* The IP control block kept in skb->cb (the kernel's IPCB). */
struct inet_skb_parm {
    uint16_t flags;
};

#define IPSKB_FORWARDED 0x01
#define IPSKB_REROUTED  0x10
#define IPSKB_DOREDIRECT 0x20      /* ip_forward sends a redirect (ip_redirect.c) */

static inline struct inet_skb_parm *IPCB(struct sk_buff *skb) { return (struct inet_skb_parm *)skb->cb; }
static inline struct iphdr *ip_hdr(const struct sk_buff *skb) { return (struct iphdr *)skb_network_header(skb); }

int ip_rcv(struct net *net, struct sk_buff *skb, struct net_device *dev);
int ip_rcv_finish(struct net *net, struct sk_buff *skb);
int ip_local_deliver(struct net *net, struct sk_buff *skb);
int ip_local_deliver_finish(struct net *net, struct sk_buff *skb);
int ip_forward(struct net *net, struct sk_buff *skb);
int ip_forward_finish(struct net *net, struct sk_buff *skb);

/* Send a locally built IPv4 packet (data at the IP header, skb->dst set). */
int ip_local_out(struct net *net, struct sk_buff *skb);
int __ip_local_out(struct net *net, struct sk_buff *skb);
int ip_output(struct net *net, struct sk_buff *skb);
int ip_finish_output(struct net *net, struct sk_buff *skb);
int ip_finish_output2(struct net *net, struct sk_buff *skb);
/* The output of a multicast route (net/ipv4/ip_output.c ip_mc_output): POST_ROUTING,
 * then ip_finish_output's MTU check and ip_finish_output2's tail with the group's
 * Ethernet address, no neighbour lookup. No multicast loopback: the model's senders
 * (the IPVS sync daemon, VRRP) do not read their own groups. */
int ip_mc_output(struct net *net, struct sk_buff *skb);

/* The Ethernet address of an IPv4 group: 01:00:5e and the group's low 23 bits
 * (include/net/ip.h ip_eth_mc_map). */
static inline void ip_eth_mc_map(be32 group, uint8_t mac[ETH_ALEN])
{
    uint32_t g = ntohl(group);
    mac[0] = 0x01;
    mac[1] = 0x00;
    mac[2] = 0x5e;
    mac[3] = (uint8_t)((g >> 16) & 0x7f);
    mac[4] = (uint8_t)(g >> 8);
    mac[5] = (uint8_t)g;
}

int dst_input(struct net *net, struct sk_buff *skb);
/* One less TTL, with the header checksum fixed incrementally (ip_decrease_ttl). */
void ip_decrease_ttl(struct iphdr *iph);
int dst_output(struct net *net, struct sk_buff *skb);

#endif
