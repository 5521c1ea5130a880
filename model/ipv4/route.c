/* Routing tables and lookups (net/ipv4/fib_frontend.c, fib_trie.c reduced to an
 * ordered list; net/ipv4/route.c ip_route_input_noref, ip_route_output_key,
 * __mkroute_output; net/ipv4/netfilter.c ip_route_me_harder). */
#include "model/ipv4/route.h"

#include <errno.h>
#include <string.h>
#include "model/ipv4/ip.h"
#include "model/net.h"

static void fib_init(struct net *net)
{
    struct fib_table *t = &net->fib;
    memset(t, 0, sizeof *t);
    t->local.type = RTN_LOCAL;
    t->local.dev = host_dev(net->host, "lo");
    t->local.input = ip_local_deliver;
    t->local.output = ip_output;
}

static bool on_subnet(be32 addr, be32 net_addr, uint8_t len)
{
    return ((addr ^ net_addr) & inet_mask(len)) == 0;
}

/* The device whose subnet holds addr (the first one, in ifindex order). */
static struct net_device *dev_for_gateway(struct net *net, be32 gw)
{
    struct host *h = net->host;
    for (unsigned i = 0; i < h->ndevs; i++)
        if (!h->devs[i]->loopback && netdev_on_subnet(h->devs[i], gw))
            return h->devs[i];
    return NULL;
}

/* The preferred source on dev for reaching dst: an address whose subnet holds dst,
 * else the device's primary address. */
static be32 pick_prefsrc(const struct net_device *dev, be32 dst)
{
    for (unsigned i = 0; i < dev->naddrs; i++)
        if (on_subnet(dst, dev->addrs[i].addr, dev->addrs[i].prefixlen))
            return dev->addrs[i].addr;
    return dev->naddrs ? dev->addrs[0].addr : 0;
}

bool fib_add(struct net *net, be32 dst, uint8_t dst_len, be32 gateway, struct net_device *dev)
{
    struct fib_table *t = &net->fib;
    if (t->n == FIB_MAX_ROUTES || dst_len > 32)
        return false;
    if (!dev)
        dev = gateway ? dev_for_gateway(net, gateway) : NULL;
    if (!dev)
        return false;
    /* Keep the table sorted by prefix length, longest first; a new route goes after
     * existing routes of the same length, so the earlier one wins a tie. */
    unsigned pos = t->n;
    while (pos > 0 && t->routes[pos - 1].dst_len < dst_len)
        pos--;
    memmove(&t->routes[pos + 1], &t->routes[pos], (t->n - pos) * sizeof t->routes[0]);
    struct rtable *rt = &t->routes[pos];
    memset(rt, 0, sizeof *rt);
    rt->dst = dst & inet_mask(dst_len);
    rt->dst_len = dst_len;
    rt->type = RTN_UNICAST;
    rt->dev = dev;
    rt->gateway = gateway;
    rt->prefsrc = pick_prefsrc(dev, gateway ? gateway : dst);
    rt->input = ip_forward;
    rt->output = ip_output;
    t->n++;
    return true;
}

void fib_add_connected(struct net *net)
{
    struct host *h = net->host;
    for (unsigned i = 0; i < h->ndevs; i++) {
        struct net_device *dev = h->devs[i];
        if (dev->loopback)
            continue;
        for (unsigned a = 0; a < dev->naddrs; a++)
            fib_add(net, dev->addrs[a].addr, dev->addrs[a].prefixlen, 0, dev);
    }
}

void fib_net_init(struct net *net)
{
    fib_init(net);
    fib_add_connected(net);
}

bool fib_add_local_prefix(struct net *net, be32 prefix, uint8_t len)
{
    struct fib_table *t = &net->fib;
    if (t->nlocal == FIB_MAX_LOCAL_PREFIXES || len > 32)
        return false;
    t->local_prefixes[t->nlocal].prefix = prefix & inet_mask(len);
    t->local_prefixes[t->nlocal].len = len;
    t->nlocal++;
    return true;
}

bool inet_addr_local(const struct net *net, be32 addr)
{
    if ((ntohl(addr) >> 24) == 127)
        return true;
    for (unsigned i = 0; i < net->fib.nlocal; i++)
        if (on_subnet(addr, net->fib.local_prefixes[i].prefix, net->fib.local_prefixes[i].len))
            return true;
    return host_dev_by_addr(net->host, addr) != NULL;
}

static struct rtable *fib_lookup(struct net *net, be32 daddr)
{
    struct fib_table *t = &net->fib;
    for (unsigned i = 0; i < t->n; i++)
        if (on_subnet(daddr, t->routes[i].dst, t->routes[i].dst_len))
            return &t->routes[i];
    return NULL;
}

static bool ipv4_is_martian_source(be32 saddr)
{
    uint32_t a = ntohl(saddr);
    return (a >> 28) == 0xe || a == 0xffffffffu || (a >> 24) == 127 || a == 0;
}

int ip_route_input(struct net *net, struct sk_buff *skb, be32 daddr, be32 saddr)
{
    if (ipv4_is_martian_source(saddr))
        return -EINVAL;
    if (inet_addr_local(net, daddr)) {
        skb->dst = &net->fib.local;
        return 0;
    }
    /* With forwarding off the kernel installs an unreachable route whose input
     * (ip_error) drops silently: no ICMP, InAddrErrors counted. */
    if (!net->ipv4.ip_forward)
        return -EHOSTUNREACH;
    struct rtable *rt = fib_lookup(net, daddr);
    if (!rt)
        return -ENETUNREACH;
    skb->dst = rt;
    ip_route_mark_redirect(net, skb, rt, saddr);
    return 0;
}

struct rtable *ip_route_output(struct net *net, be32 daddr)
{
    if (inet_addr_local(net, daddr))
        return &net->fib.local;
    /* A next hop learned from a redirect wins over the table (fib_nh_exception). */
    struct rtable *ex = ip_route_redirected(net, daddr);
    return ex ? ex : fib_lookup(net, daddr);
}

void ip_mc_route_init(struct net *net, struct rtable *rt, struct net_device *dev, be32 group)
{
    memset(rt, 0, sizeof *rt);
    rt->dst = group;
    rt->dst_len = 32;
    rt->type = RTN_UNICAST;
    rt->dev = dev;
    rt->prefsrc = dev->naddrs ? dev->addrs[0].addr : 0;
    rt->input = ip_local_deliver;
    rt->output = ip_mc_output;
    (void)net;
}

int ip_route_me_harder(struct net *net, struct sk_buff *skb)
{
    struct rtable *rt = ip_route_output(net, ip_hdr(skb)->daddr);
    if (!rt)
        return -ENETUNREACH;
    skb->dst = rt;
    return 0;
}
