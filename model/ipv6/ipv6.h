/* The IPv6 path, with the kernel's function names so a trace maps to net/ipv6/.
 *
 *   netif_receive_skb -> ipv6_rcv -> PRE_ROUTING -> ip6_rcv_finish -> dst input:
 *       ip6_input -> LOCAL_IN -> ip6_input_finish -> ICMPv6 (ndisc_rcv), UDP, TCP
 *       ip6_mc_input -> ip6_input (a group this host listens to: ND's solicited-node)
 *       ip6_forward -> FORWARD -> ip6_forward_finish -> dst output
 *       ip6_pkt_discard (no route: ICMPv6 no route)
 *   ip6_local_out -> __ip6_local_out -> LOCAL_OUT -> dst output
 *   dst output = ip6_output -> POST_ROUTING -> ip6_finish_output -> ip6_finish_output2
 *       (the neighbour: model/ipv6/ndisc.c; a group's Ethernet address) -> host_xmit
 *
 * The hook points are netfilter's five, in the IPv6 table (NFPROTO_IPV6, struct
 * netns_nf hooks_ipv6). A packet is IPv6 when skb->protocol is ETH_P_IPV6 (set by
 * eth_type_trans on receive, by the builders and __ip6_local_out on output); its
 * skb->dst is then a struct rt6_info. Every function returns 0 when the packet was
 * passed on or consumed as intended, a negative errno when it was dropped. */
#ifndef IPVSIM_MODEL_IPV6_IPV6_H
#define IPVSIM_MODEL_IPV6_IPV6_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include "model/ipv6/route.h"
#include "model/net.h"
#include "sim/host.h"
#include "sim/in6.h"
#include "sim/proto6.h"
#include "sim/skb.h"

struct net;
struct net_device;
struct neighbour;

/* The IPv6 control block in skb->cb (include/linux/ipv6.h struct inet6_skb_parm). */
struct inet6_skb_parm {
    uint16_t flags;
    uint16_t nhoff;                 /* offset of the next-header byte naming the upper
                                       layer, from the network header */
    int iif;                        /* the input device's ifindex */
};

#define IP6SKB_FORWARDED 2
#define IP6SKB_REROUTED  4

static inline struct inet6_skb_parm *IP6CB(struct sk_buff *skb) { return (struct inet6_skb_parm *)skb->cb; }
static inline struct ipv6hdr *ipv6_hdr(const struct sk_buff *skb) { return (struct ipv6hdr *)skb_network_header(skb); }

/* The counters of /proc/net/snmp6 the model keeps (Ip6*, Icmp6*). */
struct ipv6_mib {
    uint64_t in_receives, in_hdr_errors, in_addr_errors, in_no_routes, in_discards;
    uint64_t in_truncated_pkts, in_unknown_protos, in_too_big_errors, in_delivers;
    uint64_t out_forw_datagrams, out_requests, out_discards, out_no_routes, frag_fails;
    uint64_t in_mcast_pkts;
    uint64_t icmp6_in_msgs, icmp6_in_errors, icmp6_in_csum_errors, icmp6_out_msgs;
    uint64_t icmp6_ratelimited;
    uint64_t ndisc_ns_out, ndisc_ns_in, ndisc_na_out, ndisc_na_in, ndisc_bad;
    uint64_t neigh_failed, neigh_queue_drops;
};

/* One address (include/net/if_inet6.h struct inet6_ifaddr). Duplicate address
 * detection is not modelled: an address is usable at once (as with accept_dad 0). */
struct inet6_ifaddr {
    struct net_device *dev;
    struct in6_addr addr;
    uint8_t prefix_len;
};

#define IPV6_MAX_ADDRS 32

/* A device's IPv6 state (include/net/if_inet6.h struct inet6_dev), by ifindex. */
struct inet6_dev {
    bool enabled;                   /* the device has IPv6 (an address was added) */
};

/* net.ipv6.* (include/net/netns/ipv6.h, struct ipv6_devconf of "all"). */
struct ipv6_devconf {
    int forwarding;                 /* net.ipv6.conf.all.forwarding, 0 */
    int hop_limit;                  /* net.ipv6.conf.all.hop_limit, 64 */
};

/* The ICMPv6 rate limits (net/ipv6/icmp.c). */
struct icmpv6_state {
    unsigned icmpv6_time_ms;        /* net.ipv6.icmp.ratelimit, 1000 */
    GHashTable *peers;              /* daddr (16 bytes) -> token bucket (inet_peer) */
};

/* The neighbour table of ND (net/ipv6/ndisc.c nd_tbl), an ordered list: a handful
 * of neighbours per host, searched linearly (no iteration order decides anything). */
struct neigh_table {
    GPtrArray *entries;             /* struct neighbour *, creation order */
};

/* A host's IPv6 (include/net/netns/ipv6.h struct netns_ipv6). */
struct netns_ipv6 {
    struct ipv6_devconf devconf_all;
    struct inet6_dev idev[HOST_MAX_DEVS + 1];   /* by ifindex */
    struct inet6_ifaddr addrs[IPV6_MAX_ADDRS];  /* in the order they were added */
    unsigned naddrs;
    struct fib6_table fib;
    /* ND's own route out of each device, by ifindex (ndisc_send_skb's
     * icmp6_dst_alloc): on-link, to whatever address the message goes to. */
    struct rt6_info nd_route[HOST_MAX_DEVS + 1];
    struct neigh_table nd_tbl;
    struct icmpv6_state icmp;
    struct ipv6_mib mib;
};

/* ---- the path (ip6_input.c, ip6_output.c) -------------------------------------- */

int ipv6_rcv(struct net *net, struct sk_buff *skb, struct net_device *dev);
int ip6_rcv_finish(struct net *net, struct sk_buff *skb);
int ip6_input(struct net *net, struct sk_buff *skb);
int ip6_input_finish(struct net *net, struct sk_buff *skb);
int ip6_mc_input(struct net *net, struct sk_buff *skb);
int ip6_forward(struct net *net, struct sk_buff *skb);
int ip6_forward_finish(struct net *net, struct sk_buff *skb);
/* Send a locally built IPv6 packet (data at the IPv6 header, skb->dst a route of
 * ip6_route_output). */
int ip6_local_out(struct net *net, struct sk_buff *skb);
int __ip6_local_out(struct net *net, struct sk_buff *skb);
int ip6_output(struct net *net, struct sk_buff *skb);
int ip6_finish_output(struct net *net, struct sk_buff *skb);
int ip6_finish_output2(struct net *net, struct sk_buff *skb);
/* ip6_finish_output2's tail once the next hop's MAC is known: the Ethernet header,
 * then the wire (neigh_output -> dev_queue_xmit); the neighbour layer calls it for
 * the packets it queued. */
int ip6_neigh_output(struct net *net, struct sk_buff *skb, const uint8_t mac[ETH_ALEN]);

/* ---- addresses (addrconf.c) ---------------------------------------------------- */

/* Give dev an address (`ip -6 addr add ADDR/LEN dev DEV`): the host's IPv6 comes
 * up if it was not, the device gets its EUI-64 link-local address first
 * (addrconf_dev_config; not lo, which has ::1 and may hold more addresses, as a DR
 * real server's VIP), and the routes: a local one for each address, a connected
 * one for each prefix (fe80::/64 for the link-local one). False when the table is
 * full, the address is multicast or unspecified, or the device's MTU is below 1280
 * (the kernel keeps IPv6 off such a device). */
bool ipv6_add_addr(struct net *net, struct net_device *dev, const struct in6_addr *addr,
                   uint8_t prefix_len);
/* The host's IPv6 state; NULL when IPv6 is not up on it. */
static inline struct netns_ipv6 *net_ipv6(const struct net *net) { return net->ipv6; }
/* Is addr one of the host's addresses (on dev only, when dev is not NULL)? */
bool ipv6_chk_addr(const struct net *net, const struct in6_addr *addr, const struct net_device *dev);
/* Does dev listen to group (all-nodes ff02::1, all-routers ff02::2 when forwarding,
 * the solicited-node group of each of its addresses)? */
bool ipv6_chk_mcast_addr(const struct net *net, const struct net_device *dev,
                         const struct in6_addr *group);
/* The source address for daddr out of dev (ipv6_dev_get_saddr, reduced to RFC 6724's
 * first rules: the same scope first, link-local for a link-local or multicast
 * destination, else dev's first global address, else any global one); false when
 * there is none. */
bool ipv6_dev_get_saddr(const struct net *net, const struct net_device *dev,
                        const struct in6_addr *daddr, struct in6_addr *saddr);
/* Forwarding on or off (net.ipv6.conf.all.forwarding); ignored while IPv6 is down. */
void ipv6_set_forwarding(struct net *net, int on);
/* The teardown (the pernet exit of net/ipv6/af_inet6.c inet6_net_ops). */
void ipv6_net_exit(struct net *net);
void ndisc_net_exit(struct net *net);

/* ---- ICMPv6 (icmp.c) ----------------------------------------------------------- */

/* Send an error about skb_in (net/ipv6/icmp.c icmp6_send): info is the MTU of a
 * Packet Too Big, the pointer of a Parameter Problem, else 0 (host order). Follows
 * the kernel's rules for when none may be sent (about an ICMPv6 error, to a
 * multicast or unspecified source, a multicast destination but for Packet Too Big
 * and Parameter Problem code 2) and the rate limits. skb_in is not consumed. */
void icmpv6_send(struct net *net, const struct sk_buff *skb_in, uint8_t type, uint8_t code,
                 uint32_t info);
/* Hand an ICMPv6 error (data at its header) to the socket bound to ICMPv6, which
 * tells the endpoint of the quoted packet (icmpv6_notify); false, skb untouched,
 * when no socket is bound. */
bool icmpv6_notify(struct net *net, struct sk_buff *skb);
/* A received ICMPv6 message (icmpv6_rcv); consumes skb (data at the ICMPv6 header). */
int icmpv6_rcv(struct net *net, struct sk_buff *skb);

/* ---- tunnels (ip6_tunnel.c) ---------------------------------------------------- */

#define IP6_TNL_DEVICE "ip6tnl0"
/* A tunnel packet delivered locally (skb->data at the inner header; nexthdr 41 for
 * ip6ip6, 4 for IPv4-in-IPv6): received again on ip6tnl0 when the host has it.
 * False when it has not (the caller answers as for an unknown next header). */
bool ip6_tnl_rcv(struct net *net, struct sk_buff *skb, uint8_t nexthdr);

#define SIT_DEVICE "sit0"
/* An IPv4 packet of protocol 41 (IPv6-in-IPv4) delivered locally (skb->data at the
 * inner IPv6 header): received again on sit0 when the host has it (sit.c). False
 * when it has not (the caller answers as for an unknown protocol); a packet whose
 * inside is no IPv6 header is dropped (true). */
bool ipip6_rcv(struct net *net, struct sk_buff *skb);

/* ---- neighbour discovery (ndisc.c) ---------------------------------------------- */

/* A received NS or NA (ndisc_rcv); consumes skb (data at the ICMPv6 header). */
int ndisc_rcv(struct net *net, struct sk_buff *skb);
/* The next hop's MAC for skb (out of skb->dev to nexthop): ip6_neigh_output at once
 * when the neighbour is known, else the packet waits in the neighbour's queue while
 * NS go out (__neigh_event_send). Consumes skb. */
int ip6_neigh_resolve_output(struct net *net, struct sk_buff *skb, const struct in6_addr *nexthop);
/* NUD states (include/uapi/linux/neighbour.h) the model uses. */
enum {
    NUD_INCOMPLETE = 0x01,
    NUD_REACHABLE = 0x02,
    NUD_STALE = 0x04,
    NUD_FAILED = 0x20,
};
/* A neighbour's state on dev, 0 when there is no entry; mac filled when known. */
unsigned ndisc_neigh_state(const struct net *net, const struct net_device *dev,
                           const struct in6_addr *addr, uint8_t mac[ETH_ALEN]);

#endif
