/* The LVS test topology. */
#include "tests/topo_lvs.h"

#include <stdio.h>
#include "model/ipv4/ip.h"
#include "model/ipv4/ipip.h"
#include "model/net.h"
#include "model/user/ipvsadm/ipvsadm.h"
#include "tests/testutil.h"

void topo_lvs_init(struct topo_lvs *t, enum topo_fwd fwd, const char *era)
{
    world_init(&t->w, 11);
    const struct kernel_profile *prof = kernel_profile_find(era);
    static const char *const c[] = { "eth0=10.0.1.2/24", NULL };
    static const char *const g[] = { "eth0=10.0.1.1/24", "eth1=192.0.2.254/24", NULL };
    static const char *const r1[] = { "eth0=192.0.2.11/24", NULL };
    static const char *const r2[] = { "eth0=192.0.2.12/24", NULL };
    t->client = topo_host(&t->w, "client", c);
    t->gw = topo_host(&t->w, "gw", g);
    t->lvs = host_new(&t->w, "lvs");
    struct net_device *eth0 = host_add_dev(t->lvs, "eth0", 1500);
    netdev_add_addr(eth0, topo_ip("192.0.2.1"), 24);
    netdev_add_addr(eth0, topo_ip(TOPO_VIP), 32);
    net_new(t->lvs, prof);
    t->rs[0] = topo_host(&t->w, "rs1", r1);
    t->rs[1] = topo_host(&t->w, "rs2", r2);
    host_net(t->gw)->ipv4.ip_forward = 1;
    host_net(t->lvs)->ipv4.ip_forward = 1;
    host_net(t->lvs)->ipv4.send_redirects = 0;     /* as the world builds directors */
    fib_add(host_net(t->client), 0, 0, topo_ip("10.0.1.1"), NULL);
    fib_add(host_net(t->gw), topo_ip(TOPO_VIP), 32, topo_ip("192.0.2.1"), NULL);
    fib_add(host_net(t->lvs), 0, 0, topo_ip("192.0.2.254"), NULL);
    for (int i = 0; i < 2; i++) {
        struct host *rs = t->rs[i];
        const char *gwaddr = fwd == TOPO_NAT ? "192.0.2.1" : "192.0.2.254";
        fib_add(host_net(rs), 0, 0, topo_ip(gwaddr), NULL);
        if (fwd == TOPO_DR)
            netdev_add_addr(host_dev(rs, "lo"), topo_ip(TOPO_VIP), 32);
        if (fwd == TOPO_TUN)
            netdev_add_addr(host_add_dev(rs, IPIP_DEVICE, 1480), topo_ip(TOPO_VIP), 32);
    }
    struct link_params p = { .latency = 100 * USEC, .bandwidth_bps = 1000000000ull };
    struct link *lan = link_new(&t->w, "lan", &p);
    link_attach(lan, host_dev(t->gw, "eth1"));
    link_attach(lan, eth0);
    link_attach(lan, host_dev(t->rs[0], "eth0"));
    link_attach(lan, host_dev(t->rs[1], "eth0"));
    topo_link(&t->w, "clients", "client:eth0", "gw:eth0", 1 * MSEC, 1000000000ull);
}

void topo_lvs_ipvsadm(struct topo_lvs *t, const char *const *lines)
{
    for (int i = 0; lines[i]; i++) {
        struct ipvsadm_error err = {0};
        int rc = ipvsadm_apply(host_net(t->lvs), lines[i], &err);
        if (rc != 0)
            fprintf(stderr, "\nipvsadm '%s': col %d: %s\n", lines[i], err.column, err.message);
        CU_ASSERT_EQUAL(rc, 0);
    }
}

void send_tcp_from(struct net *net, be32 saddr, be32 daddr, be16 sport, be16 dport,
                   uint8_t flags)
{
    struct rtable *rt = ip_route_output(net, daddr);
    struct ip4_spec ip = { .saddr = saddr ? saddr : rt->prefsrc, .daddr = daddr, .ttl = 64 };
    struct tcp_spec th = { .sport = sport, .dport = dport, .seq = 100, .ack = 1, .flags = flags,
                           .window = 1000 };
    struct sk_buff *skb = skb_alloc(net_pool(net), net_now(net));
    pkt_build_tcp(skb, &ip, &th, 0);
    skb->dst = rt;
    ip_local_out(net, skb);
}

void rs_tcp_rx(struct net *net, struct sk_buff *skb, void *ctx)
{
    struct rs_tcp *r = ctx;
    const struct iphdr *iph = ip_hdr(skb);
    const struct tcphdr *th = (const struct tcphdr *)skb->data;
    r->segs++;
    uint8_t answer = 0;
    if (th->flags & TCPH_SYN) {
        r->syns++;
        answer = TCPH_SYN | TCPH_ACK;
    } else if (th->flags & TCPH_FIN) {
        answer = TCPH_FIN | TCPH_ACK;
    }
    be32 to = iph->saddr, from = iph->daddr;
    be16 sport = th->dest, dport = th->source;
    consume_skb(net, skb);
    if (answer)
        send_tcp_from(net, from, to, sport, dport, answer);
}
