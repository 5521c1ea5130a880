/* IPv6 routing: the local routes (one per address) and the main table (connected
 * prefixes, static routes, a default route), longest prefix first and, for equal
 * prefixes, the earlier route first, as model/ipv4/route.h keeps IPv4's. A route
 * doubles as the dst an skb carries. (net/ipv6/route.c, ip6_fib.c) */
#ifndef IPVSIM_MODEL_IPV6_ROUTE_H
#define IPVSIM_MODEL_IPV6_ROUTE_H

#include <stdbool.h>
#include <stdint.h>
#include "sim/netdev.h"
#include "sim/proto6.h"
#include "sim/skb.h"

struct net;

enum rt6_type {
    RT6_UNICAST = 1,
    RT6_LOCAL = 2,
    RT6_MULTICAST = 5,
    RT6_UNREACHABLE = 7,
};

/* A route (include/net/ip6_fib.h struct rt6_info / fib6_info in one). */
struct rt6_info {
    struct in6_addr dst;            /* prefix */
    uint8_t dst_len;
    enum rt6_type type;
    struct net_device *dev;
    struct in6_addr gateway;        /* :: when the destination is on-link */
    int (*input)(struct net *net, struct sk_buff *skb);
    int (*output)(struct net *net, struct sk_buff *skb);
};

#define FIB6_MAX_ROUTES 64

struct fib6_table {
    struct rt6_info routes[FIB6_MAX_ROUTES];
    unsigned n;
    struct rt6_info null_entry;     /* ip6_null_entry: no route (ip6_pkt_discard) */
    struct rt6_info mcast;          /* received for a group (ip6_mc_input): input only */
};

/* Add a route (`ip -6 route add DST/LEN [via GW] [dev DEV]`); dev NULL: the device
 * whose connected prefix holds the gateway (a link-local gateway needs its dev: every
 * device has fe80::/64, and the first one's would be taken; the model has no scope
 * ids). False when the table is full, IPv6 is
 * not up on the host, or no device reaches the gateway. */
bool ip6_route_add(struct net *net, const struct in6_addr *dst, uint8_t dst_len,
                   const struct in6_addr *gateway, struct net_device *dev);
/* `ip -6 route add local DST/LEN dev lo`: every address of the prefix is the host's
 * (a local route of any length, "AnyIP"), as a client group's addresses are on its
 * host. False when the table is full or IPv6 is not up on the host. */
bool ip6_route_add_local(struct net *net, const struct in6_addr *dst, uint8_t dst_len);
/* The input route of a received packet (ip6_route_input): sets skb->dst, to
 * ip6_null_entry when there is none. */
void ip6_route_input(struct net *net, struct sk_buff *skb);
/* The output route to daddr (ip6_route_output); NULL when unreachable. */
struct rt6_info *ip6_route_output(struct net *net, const struct in6_addr *daddr);
/* The next hop: the gateway, or the destination itself (rt6_nexthop). */
const struct in6_addr *rt6_nexthop(const struct rt6_info *rt, const struct in6_addr *daddr);
/* Used by addrconf: the route table entries of an address. */
bool fib6_add_local(struct net *net, const struct in6_addr *addr);
bool fib6_add_connected(struct net *net, const struct in6_addr *prefix, uint8_t len,
                        struct net_device *dev);
void fib6_table_init(struct fib6_table *t);

static inline struct rt6_info *skb_rt6_info(const struct sk_buff *skb) { return (struct rt6_info *)skb->dst; }

#endif
