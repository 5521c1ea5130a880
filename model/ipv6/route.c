/* IPv6 routing (net/ipv6/route.c: ip6_route_input, ip6_route_output, ip6_pkt_discard,
 * rt6_nexthop; net/ipv6/ip6_fib.c, as an ordered list searched for the longest
 * prefix). Local routes are /128 entries of type RT6_LOCAL on the device of the
 * address, delivering through ip6_input; groups the host listens to use one shared
 * multicast entry (ip6_mc_input). Nothing is allocated per packet. */
#include "model/ipv6/route.h"

#include <errno.h>
#include "model/ipv6/ipv6.h"
#include "model/net.h"

/* ip6_pkt_discard: the input of ip6_null_entry. */
static int ip6_pkt_discard(struct net *net, struct sk_buff *skb)
{
    trace_func(net, skb, __func__);
    net->ipv6->mib.in_no_routes++;
    icmpv6_send(net, skb, ICMPV6_DEST_UNREACH, ICMPV6_NOROUTE, 0);
    kfree_skb_reason(net, skb, __func__, "no route");
    return -ENETUNREACH;
}

void fib6_table_init(struct fib6_table *t)
{
    t->null_entry = (struct rt6_info){ .type = RT6_UNREACHABLE, .input = ip6_pkt_discard };
    /* input only: what this host sends to a group leaves by a route of its device */
    t->mcast = (struct rt6_info){ .type = RT6_MULTICAST, .input = ip6_mc_input };
}

/* Insert keeping the longest prefixes first, equal prefixes in insertion order. */
static bool fib6_insert(struct fib6_table *t, const struct rt6_info *rt)
{
    if (t->n == FIB6_MAX_ROUTES)
        return false;
    unsigned pos = 0;
    while (pos < t->n && t->routes[pos].dst_len >= rt->dst_len)
        pos++;
    memmove(&t->routes[pos + 1], &t->routes[pos], (t->n - pos) * sizeof t->routes[0]);
    t->routes[pos] = *rt;
    t->n++;
    return true;
}

bool fib6_add_local(struct net *net, const struct in6_addr *addr)
{
    /* A local route's packets leave through the loopback device, whichever device
     * has the address (the dst of an RTF_LOCAL route: net->loopback_dev). */
    struct rt6_info rt = { .dst = *addr, .dst_len = 128, .type = RT6_LOCAL,
                           .dev = host_dev(net->host, "lo"), .input = ip6_input,
                           .output = ip6_output };
    return fib6_insert(&net->ipv6->fib, &rt);
}

bool ip6_route_add_local(struct net *net, const struct in6_addr *dst, uint8_t dst_len)
{
    if (!net->ipv6 || dst_len > 128)
        return false;
    struct rt6_info rt = { .dst_len = dst_len, .type = RT6_LOCAL,
                           .dev = host_dev(net->host, "lo"), .input = ip6_input,
                           .output = ip6_output };
    ipv6_addr_prefix(&rt.dst, dst, dst_len);
    return fib6_insert(&net->ipv6->fib, &rt);
}

bool fib6_add_connected(struct net *net, const struct in6_addr *prefix, uint8_t len,
                        struct net_device *dev)
{
    struct fib6_table *t = &net->ipv6->fib;
    for (unsigned i = 0; i < t->n; i++)
        if (t->routes[i].dev == dev && t->routes[i].dst_len == len &&
            t->routes[i].type == RT6_UNICAST && ipv6_addr_equal(&t->routes[i].dst, prefix))
            return true;            /* a second address in the same prefix */
    struct rt6_info rt = { .dst_len = len, .type = RT6_UNICAST, .dev = dev,
                           .input = ip6_forward, .output = ip6_output };
    ipv6_addr_prefix(&rt.dst, prefix, len);
    return fib6_insert(t, &rt);
}

bool ip6_route_add(struct net *net, const struct in6_addr *dst, uint8_t dst_len,
                   const struct in6_addr *gateway, struct net_device *dev)
{
    if (!net->ipv6 || dst_len > 128)
        return false;
    if (!dev && gateway) {
        struct rt6_info *via = ip6_route_output(net, gateway);
        if (!via || via->type != RT6_UNICAST || !ipv6_addr_any(&via->gateway))
            return false;
        dev = via->dev;
    }
    if (!dev)
        return false;
    struct rt6_info rt = { .dst_len = dst_len, .type = RT6_UNICAST, .dev = dev,
                           .input = ip6_forward, .output = ip6_output };
    ipv6_addr_prefix(&rt.dst, dst, dst_len);
    if (gateway)
        rt.gateway = *gateway;
    return fib6_insert(&net->ipv6->fib, &rt);
}

/* The longest prefix holding daddr, local routes first among /128s (they are
 * inserted before any other /128 of the same address only by being added first:
 * addresses come before static routes). */
static struct rt6_info *fib6_lookup(struct fib6_table *t, const struct in6_addr *daddr)
{
    for (unsigned i = 0; i < t->n; i++)
        if (ipv6_prefix_equal(&t->routes[i].dst, daddr, t->routes[i].dst_len))
            return &t->routes[i];
    return NULL;
}

void ip6_route_input(struct net *net, struct sk_buff *skb)
{
    struct fib6_table *t = &net->ipv6->fib;
    const struct in6_addr daddr = ipv6_hdr(skb)->daddr;
    if (ipv6_addr_is_multicast(&daddr)) {
        skb->dst = &t->mcast;
        return;
    }
    struct rt6_info *rt = fib6_lookup(t, &daddr);
    skb->dst = rt ? rt : &t->null_entry;
}

struct rt6_info *ip6_route_output(struct net *net, const struct in6_addr *daddr)
{
    if (!net->ipv6)
        return NULL;
    return fib6_lookup(&net->ipv6->fib, daddr);
}

const struct in6_addr *rt6_nexthop(const struct rt6_info *rt, const struct in6_addr *daddr)
{
    return ipv6_addr_any(&rt->gateway) ? daddr : &rt->gateway;
}
