/* Routing: the local table (every address of the host) and the main table
 * (connected routes, host routes, a default route), longest prefix first and, for
 * equal prefixes, the earlier route first. A route entry doubles as the dst an skb
 * carries (skb->dst), so routing allocates nothing per packet. */
#ifndef IPVSIM_MODEL_IPV4_ROUTE_H
#define IPVSIM_MODEL_IPV4_ROUTE_H

#include <stdbool.h>
#include <stdint.h>
#include "sim/netdev.h"
#include "sim/proto.h"
#include "sim/skb.h"

struct net;
struct sk_buff;

/* Route types, as rtnetlink's RTN_* */
enum rtn_type {
    RTN_UNICAST = 1,
    RTN_LOCAL = 2,
    RTN_BROADCAST = 3,
    RTN_UNREACHABLE = 7,
};

struct rtable {
    be32 dst;                       /* prefix */
    uint8_t dst_len;
    enum rtn_type type;
    struct net_device *dev;         /* output device (lo for local) */
    be32 gateway;                   /* 0: destination is on-link */
    be32 prefsrc;                   /* source for locally generated packets */
    /* What dst_input does with a packet routed here (ip_local_deliver or
     * ip_forward) and what dst_output does (ip_output). */
    int (*input)(struct net *net, struct sk_buff *skb);
    int (*output)(struct net *net, struct sk_buff *skb);
};

#define FIB_MAX_ROUTES 64

#define FIB_MAX_LOCAL_PREFIXES 16

struct fib_table {
    struct rtable routes[FIB_MAX_ROUTES];
    unsigned n;
    /* Whole prefixes that are local (AnyIP: `ip route add local P dev lo`), so a
     * client host can own a group's many addresses without listing each. */
    struct { be32 prefix; uint8_t len; } local_prefixes[FIB_MAX_LOCAL_PREFIXES];
    unsigned nlocal;
    struct rtable local;            /* the dst of packets for this host */
};

/* The host's tables (net/ipv4/fib_frontend.c fib_net_ops): the local route and the
 * connected routes of the addresses its devices have when its kernel is created. */
void fib_net_init(struct net *net);
/* Add a route; dev NULL means: the device whose subnet holds the gateway. Returns
 * false when the table is full or no device reaches the gateway. */
bool fib_add(struct net *net, be32 dst, uint8_t dst_len, be32 gateway, struct net_device *dev);
/* Connected routes for every address of every device. */
void fib_add_connected(struct net *net);

/* Make every address of prefix/len local to this host; false when full. */
bool fib_add_local_prefix(struct net *net, be32 prefix, uint8_t len);

/* Is addr one of this host's addresses (on any device, or in a local prefix)? */
bool inet_addr_local(const struct net *net, be32 addr);

/* Input route of a received packet (ip_route_input_noref): sets skb->dst. Returns 0
 * or a negative errno (-EHOSTUNREACH, -EINVAL for martians). */
int ip_route_input(struct net *net, struct sk_buff *skb, be32 daddr, be32 saddr);
/* Output route for a locally generated packet to daddr; NULL when unreachable. */
struct rtable *ip_route_output(struct net *net, be32 daddr);

/* The route of a kernel sender that multicasts through its own interface (the IPVS
 * sync daemon's and keepalived's VRRP socket, IP_MULTICAST_IF): what
 * net/ipv4/route.c __mkroute_output builds for a local multicast destination, an
 * entry on dev to the group whose output is ip_mc_output (POST_ROUTING, the group's
 * Ethernet address, no neighbour lookup). The caller keeps it and uses it as
 * skb->dst before ip_local_out. */
void ip_mc_route_init(struct net *net, struct rtable *rt, struct net_device *dev, be32 group);

/* Route a locally generated packet again after its destination changed (NAT at
 * LOCAL_OUT, mangle): an output lookup for the current daddr replaces skb->dst.
 * Returns 0, or -ENETUNREACH (skb->dst unchanged). */
int ip_route_me_harder(struct net *net, struct sk_buff *skb);

static inline struct rtable *skb_rtable(const struct sk_buff *skb) { return (struct rtable *)skb->dst; }

#endif
