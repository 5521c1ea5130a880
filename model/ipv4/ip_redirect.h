/* ICMP redirects (net/ipv4/route.c): a router that forwards a packet back out of
 * the interface it came in on, towards a next hop on the sender's own subnet, tells
 * the sender to use that next hop directly; a host may accept the advice and keep
 * it as a route exception for the destination. The one-arm LVS-NAT director does
 * exactly this with every real server's replies, which is why LVS guides turn
 * send_redirects off on it. */
#ifndef IPVSIM_MODEL_IPV4_IP_REDIRECT_H
#define IPVSIM_MODEL_IPV4_IP_REDIRECT_H

#include <stdbool.h>
#include "sim/proto.h"
#include "sim/skb.h"

struct net;
struct rtable;

/* The redirect counters of one host (Icmp: OutRedirects / InRedirects, and what
 * became of the received ones). */
struct ip_redirect_stats {
    uint64_t sent, suppressed;        /* sent; withheld by the rate limit */
    uint64_t received, accepted, rejected;
};

/* ip_route_input's part: mark a forwarded packet whose route leaves by the input
 * interface towards the sender's subnet (IPSKB_DOREDIRECT). */
void ip_route_mark_redirect(struct net *net, struct sk_buff *skb, const struct rtable *rt,
                            be32 saddr);
/* ip_forward's part (ip_rt_send_redirect): a redirect to the sender, limited per
 * sender (per route cache entry in 2.6) with exponential backoff. */
void ip_rt_send_redirect(struct net *net, struct sk_buff *skb);
/* A received ICMP redirect (icmp_redirect); skb->data at the ICMP header, its
 * checksum verified. 2.6 applies it here; later kernels hand it to the socket of
 * the quoted packet, which calls ip_sk_redirect if it takes it (TCP: a full socket,
 * not a request or TIME_WAIT one, with the quoted sequence in [snd_una, snd_nxt];
 * UDP: a matching socket). Applying checks the sender is the current gateway, and,
 * unless the link is shared media (the default), that the new one is on the link
 * and, with secure_redirects, one of our gateways; and needs the new gateway's
 * neighbour resolved: the first redirect towards it only probes. */
void icmp_redirect(struct net *net, const struct sk_buff *skb);
void ip_sk_redirect(struct net *net, const struct sk_buff *skb);
/* The route exception learned for daddr, or NULL (ip_route_output's first look). */
struct rtable *ip_route_redirected(struct net *net, be32 daddr);
void ip_redirect_exit(struct net *net);

#endif
