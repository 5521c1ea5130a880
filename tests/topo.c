/* Small topologies for model tests. */
#include "tests/topo.h"

#include <glib.h>
#include <stdlib.h>
#include "model/ipv4/ip.h"
#include "model/ipv6/ipv6.h"
#include "model/profile.h"
#include "sim/in6.h"
#include "tests/testutil.h"

be32 topo_ip(const char *dotted)
{
    struct in_addr a;
    inet_pton(AF_INET, dotted, &a);
    return a.s_addr;
}

struct host *topo_host(struct world *w, const char *name, const char *const *ifaces)
{
    struct host *h = host_new(w, name);
    for (int i = 0; ifaces[i]; i++) {
        char **kv = g_strsplit(ifaces[i], "=", 2);
        char **ap = g_strsplit(kv[1], "/", 2);
        struct net_device *dev = host_add_dev(h, kv[0], 1500);
        netdev_add_addr(dev, topo_ip(ap[0]), (uint8_t)atoi(ap[1]));
        g_strfreev(ap);
        g_strfreev(kv);
    }
    net_new(h, NULL);
    return h;
}

static struct net_device *dev_of(struct world *w, const char *spec)
{
    char **hd = g_strsplit(spec, ":", 2);
    struct net_device *dev = host_dev(world_host(w, hd[0]), hd[1]);
    g_strfreev(hd);
    return dev;
}

struct link *topo_link(struct world *w, const char *name, const char *a, const char *b,
                       sim_time_t latency, uint64_t bps)
{
    struct link_params p = { .latency = latency, .bandwidth_bps = bps };
    struct link *l = link_new(w, name, &p);
    link_attach(l, dev_of(w, a));
    link_attach(l, dev_of(w, b));
    return l;
}

void topo3_init(struct topo3 *t)
{
    world_init(&t->w, 7);
    static const char *const c[] = { "eth0=10.0.1.2/24", NULL };
    static const char *const r[] = { "eth0=10.0.1.1/24", "eth1=10.0.2.1/24", NULL };
    static const char *const s[] = { "eth0=10.0.2.2/24", NULL };
    t->client = topo_host(&t->w, "client", c);
    t->router = topo_host(&t->w, "router", r);
    t->server = topo_host(&t->w, "server", s);
    host_net(t->router)->ipv4.ip_forward = 1;
    fib_add(host_net(t->client), 0, 0, topo_ip("10.0.1.1"), NULL);
    fib_add(host_net(t->server), 0, 0, topo_ip("10.0.2.1"), NULL);
    topo_link(&t->w, "clients", "client:eth0", "router:eth0", 1 * MSEC, 1000000000ull);
    topo_link(&t->w, "servers", "router:eth1", "server:eth0", 50 * USEC, 10000000000ull);
}

int topo_send_udp(struct host *h, const char *daddr, uint16_t sport, uint16_t dport,
                  uint32_t payload, uint8_t ttl)
{
    struct net *net = host_net(h);
    be32 d = topo_ip(daddr);
    struct rtable *rt = ip_route_output(net, d);
    if (!rt)
        return -1;
    struct ip4_spec ip = { .saddr = rt->type == RTN_LOCAL ? d : rt->prefsrc, .daddr = d,
                           .ttl = ttl, .id = htons(net->ip_id++) };
    struct sk_buff *skb = skb_alloc(net_pool(net), net_now(net));
    if (!skb || !pkt_build_udp(skb, &ip, htons(sport), htons(dport), payload)) {
        skb_free(net_pool(net), skb);
        return -1;
    }
    skb->dst = rt;
    return ip_local_out(net, skb);
}

struct in6_addr topo_in6(const char *s)
{
    struct in6_addr a;
    CU_ASSERT_FATAL(in6_pton(s, &a, NULL, NULL));
    return a;
}

static void add6(struct host *h, const char *dev, const char *addr)
{
    struct in6_addr a = topo_in6(addr);
    CU_ASSERT_FATAL(ipv6_add_addr(host_net(h), host_dev(h, dev), &a, 64));
}

void topo3_init6(struct topo3 *t, const char *era)
{
    topo3_init(t);
    if (era) {
        const struct kernel_profile *prof = kernel_profile_find(era);
        CU_ASSERT_PTR_NOT_NULL_FATAL(prof);
        struct host *hosts[3] = { t->client, t->router, t->server };
        for (int i = 0; i < 3; i++)
            host_net(hosts[i])->prof = prof;
    }
    add6(t->client, "eth0", "2001:db8:1::2");
    add6(t->router, "eth0", "2001:db8:1::1");
    add6(t->router, "eth1", "2001:db8:2::1");
    add6(t->server, "eth0", "2001:db8:2::2");
    struct in6_addr any = {0}, gw = topo_in6("2001:db8:1::1");
    CU_ASSERT_FATAL(ip6_route_add(host_net(t->client), &any, 0, &gw, NULL));
    gw = topo_in6("2001:db8:2::1");
    CU_ASSERT_FATAL(ip6_route_add(host_net(t->server), &any, 0, &gw, NULL));
    ipv6_set_forwarding(host_net(t->router), 1);
}
