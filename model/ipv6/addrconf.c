/* IPv6 addresses of a host (net/ipv6/addrconf.c: ipv6_add_addr, addrconf_dev_config,
 * ipv6_chk_addr, ipv6_dev_get_saddr; net/ipv6/mcast.c ipv6_chk_mcast_addr), and
 * the host's IPv6 state, set up with its first address (inet6_net_ops). No DAD, no
 * router advertisements, no privacy addresses: addresses are static and usable at
 * once. */
#include <glib.h>
#include "model/ipv6/ipv6.h"
#include "model/net.h"

/* The host's IPv6 comes up: state, lo with ::1 (loopback_init of addrconf). */
static struct netns_ipv6 *ipv6_net_up(struct net *net)
{
    if (net->ipv6)
        return net->ipv6;
    struct netns_ipv6 *n = g_new0(struct netns_ipv6, 1);
    n->devconf_all.hop_limit = 64;
    n->icmp.icmpv6_time_ms = 1000;      /* net.ipv6.icmp.ratelimit: 1 s (HZ) */
    fib6_table_init(&n->fib);
    net->ipv6 = n;
    struct net_device *lo = host_dev(net->host, "lo");
    if (lo) {
        static const struct in6_addr loopback = { .s6_addr = { [15] = 1 } };
        n->idev[lo->ifindex].enabled = true;
        n->addrs[n->naddrs++] = (struct inet6_ifaddr){ lo, loopback, 128 };
        fib6_add_local(net, &loopback);
    }
    return n;
}

static bool add_one(struct net *net, struct net_device *dev, const struct in6_addr *addr,
                    uint8_t plen)
{
    struct netns_ipv6 *n = net->ipv6;
    for (unsigned i = 0; i < n->naddrs; i++)
        if (n->addrs[i].dev == dev && ipv6_addr_equal(&n->addrs[i].addr, addr))
            return n->addrs[i].prefix_len == plen;
    if (n->naddrs == IPV6_MAX_ADDRS)
        return false;
    n->addrs[n->naddrs++] = (struct inet6_ifaddr){ dev, *addr, plen };
    return fib6_add_local(net, addr) && (plen == 128 || fib6_add_connected(net, addr, plen, dev));
}

bool ipv6_add_addr(struct net *net, struct net_device *dev, const struct in6_addr *addr,
                   uint8_t prefix_len)
{
    if (prefix_len > 128 || ipv6_addr_any(addr) || ipv6_addr_is_multicast(addr) ||
        ipv6_addr_loopback(addr) || (!dev->loopback && dev->mtu < IPV6_MIN_MTU))
        return false;
    struct netns_ipv6 *n = ipv6_net_up(net);
    /* lo is up with ::1 already and gets no link-local address (addrconf_dev_config
     * is for Ethernet-like devices; a DR real server's VIP goes on lo) */
    if (!dev->loopback && !n->idev[dev->ifindex].enabled) {
        /* addrconf_dev_config: the EUI-64 link-local address first */
        struct in6_addr ll;
        ipv6_addr_linklocal_of(dev->dev_addr, &ll);
        n->idev[dev->ifindex].enabled = true;
        n->nd_route[dev->ifindex] = (struct rt6_info){ .dst_len = 128, .type = RT6_UNICAST,
                                                       .dev = dev, .output = ip6_output };
        if (!add_one(net, dev, &ll, 64))
            return false;
    }
    return add_one(net, dev, addr, prefix_len);
}

bool ipv6_chk_addr(const struct net *net, const struct in6_addr *addr, const struct net_device *dev)
{
    const struct netns_ipv6 *n = net->ipv6;
    for (unsigned i = 0; n && i < n->naddrs; i++)
        if ((!dev || n->addrs[i].dev == dev) && ipv6_addr_equal(&n->addrs[i].addr, addr))
            return true;
    return false;
}

bool ipv6_chk_mcast_addr(const struct net *net, const struct net_device *dev,
                         const struct in6_addr *group)
{
    const struct netns_ipv6 *n = net->ipv6;
    if (!n || !n->idev[dev->ifindex].enabled)
        return false;
    static const struct in6_addr all_nodes = { .s6_addr = { 0xff, 0x02, [15] = 1 } };
    static const struct in6_addr all_routers = { .s6_addr = { 0xff, 0x02, [15] = 2 } };
    if (ipv6_addr_equal(group, &all_nodes))
        return true;
    if (ipv6_addr_equal(group, &all_routers))
        return n->devconf_all.forwarding != 0;
    for (unsigned i = 0; i < n->naddrs; i++) {
        if (n->addrs[i].dev != dev)
            continue;
        struct in6_addr sn;
        addrconf_addr_solict_mult(&n->addrs[i].addr, &sn);
        if (ipv6_addr_equal(&sn, group))
            return true;
    }
    return false;
}

bool ipv6_dev_get_saddr(const struct net *net, const struct net_device *dev,
                        const struct in6_addr *daddr, struct in6_addr *saddr)
{
    const struct netns_ipv6 *n = net->ipv6;
    if (!n)
        return false;
    bool want_ll = ipv6_addr_linklocal(daddr) || ipv6_addr_is_multicast(daddr);
    const struct inet6_ifaddr *any_global = NULL;
    for (unsigned i = 0; i < n->naddrs; i++) {
        const struct inet6_ifaddr *a = &n->addrs[i];
        if (ipv6_addr_loopback(&a->addr))
            continue;
        bool ll = ipv6_addr_linklocal(&a->addr);
        if (a->dev == dev && ll == want_ll) {
            *saddr = a->addr;
            return true;
        }
        if (!ll && !any_global)
            any_global = a;
    }
    if (!any_global)
        return false;
    *saddr = any_global->addr;
    return true;
}

void ipv6_set_forwarding(struct net *net, int on)
{
    if (net->ipv6)
        net->ipv6->devconf_all.forwarding = on ? 1 : 0;
}

void ipv6_net_exit(struct net *net)
{
    struct netns_ipv6 *n = net->ipv6;
    if (!n)
        return;
    ndisc_net_exit(net);
    if (n->icmp.peers)
        g_hash_table_destroy(n->icmp.peers);
    g_free(n);
    net->ipv6 = NULL;
}
