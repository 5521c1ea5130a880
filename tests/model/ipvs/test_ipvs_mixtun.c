/* Mixed-family LVS-TUN (3.18+, a dest of the other family than its service's) on a
 * hand-built dual-stack world: client -- director -- real server (tests/topo.c's topo3,
 * the router as director), IPv4 10.0.1.0/24 and 10.0.2.0/24 beside IPv6
 * 2001:db8:1::/64 and 2001:db8:2::/64. What is pinned: an IPv6 service's packet to an
 * IPv4 dest leaves as IPv6-in-IPv4 (ip_vs_tunnel_xmit: protocol 41, outer TTL the hop
 * limit, no DF, a good header checksum) and is unwrapped on the server's sit0
 * (ipip6_rcv); one that does not fit the tunnel gets Packet Too Big with the MTU less
 * 20; a server without sit0 answers protocol unreachable. An IPv4 service's packet to an
 * IPv6 dest leaves as IPv4-in-IPv6 (ip_vs_tunnel_xmit_v6: next header 4), which
 * ip6tnl0 takes only in mode any (ipxip6_rcv); with DF and pmtu_disc one too big for
 * the tunnel gets frag needed with the MTU less 40. FULLNAT is refused for an IPv6
 * service. The files under test: model/ipvs/ip_vs_xmit.c, ip_vs_ctl.c,
 * model/ipv6/sit.c, ip6_tunnel.c, model/ipv4/sock.c. */
#include <string.h>
#include "model/ipv4/icmp.h"
#include "model/ipv4/ip.h"
#include "model/ipv6/ipv6.h"
#include "model/ipv6/route.h"
#include "model/ipvs/ip_vs_core.h"
#include "model/ipvs/ip_vs_ctl.h"
#include "model/net.h"
#include "model/netfilter/core.h"
#include "model/netfilter/netfilter_ipv6.h"
#include "model/profile.h"
#include "sim/csum.h"
#include "sim/in6.h"
#include "sim/in6_key.h"
#include "sim/pkt.h"
#include "sim/sim.h"
#include "tests/testutil.h"
#include "tests/topo.h"

#define VIP6 "2001:db8:1::10"
#define CLIENT6 "2001:db8:1::2"
#define RS6 "2001:db8:2::2"
#define VIP4 "10.0.1.10"
#define RS4 "10.0.2.2"

static struct in6_addr A(const char *s)
{
    struct in6_addr a;
    CU_ASSERT_FATAL(in6_pton(s, &a, NULL, NULL));
    return a;
}

static be32 K(const char *s)
{
    struct in6_addr a = A(s);
    return in6_key_get(&a);
}

static bool addr_is(const struct in6_addr *a, const char *s)
{
    struct in6_addr b = A(s);
    return memcmp(a, &b, sizeof b) == 0;
}

/* What a watch hook at LOCAL_IN saw, for either family. */
struct seen {
    unsigned n;                     /* packets of the protocol watched */
    unsigned tunnelled;             /* outer packets (IPv4 protocol 41, IPv6 next header 4) */
    uint8_t want;
    /* the last tunnel packet's outer header (IPv4) */
    be32 outer_saddr, outer_daddr;
    uint8_t outer_ttl, outer_tos;
    be16 outer_frag_off;
    bool outer_csum_ok;
    /* the last packet of the protocol watched */
    struct in6_addr saddr6, daddr6;
    be32 daddr4;
    uint8_t hop;                    /* hop limit or TTL */
    uint8_t icmp_type, icmp_code;
    uint32_t mtu;                   /* Packet Too Big's MTU, frag needed's next-hop MTU */
};

static unsigned watch6(void *priv, struct sk_buff *skb, const struct nf_hook_state *st)
{
    struct seen *s = priv;
    const struct ipv6hdr *h = ipv6_hdr(skb);
    const uint8_t *l4 = (const uint8_t *)h + sizeof *h;
    if (h->nexthdr == IPPROTO_IPIP_)
        s->tunnelled++;
    if (h->nexthdr != s->want || (h->nexthdr == NEXTHDR_ICMP && (l4[0] & ICMPV6_INFOMSG_MASK)))
        return NF_ACCEPT;           /* ND's messages pass */
    s->n++;
    s->saddr6 = h->saddr;
    s->daddr6 = h->daddr;
    s->hop = h->hop_limit;
    if (h->nexthdr == NEXTHDR_ICMP) {
        s->icmp_type = l4[0];
        s->mtu = (uint32_t)l4[4] << 24 | (uint32_t)l4[5] << 16 | (uint32_t)l4[6] << 8 | l4[7];
    }
    return NF_DROP;
}

static unsigned watch4(void *priv, struct sk_buff *skb, const struct nf_hook_state *st)
{
    struct seen *s = priv;
    const struct iphdr *h = ip_hdr(skb);
    const uint8_t *l4 = (const uint8_t *)h + ip_hdrlen(h);
    if (h->protocol == NEXTHDR_IPV6) {
        s->tunnelled++;
        s->outer_saddr = h->saddr;
        s->outer_daddr = h->daddr;
        s->outer_ttl = h->ttl;
        s->outer_tos = h->tos;
        s->outer_frag_off = h->frag_off;
        s->outer_csum_ok = ip_fast_csum(h, h->ihl_version & 0x0fu) == 0;
        return NF_ACCEPT;
    }
    if (h->protocol != s->want)
        return NF_ACCEPT;
    s->n++;
    s->daddr4 = h->daddr;
    s->hop = h->ttl;
    if (h->protocol == IPPROTO_ICMP) {
        s->icmp_type = l4[0];
        s->icmp_code = l4[1];
        s->mtu = (uint32_t)l4[6] << 8 | l4[7];
    }
    return NF_DROP;
}

static struct nf_hook_ops watch_ops(struct seen *s, uint8_t pf, uint8_t proto)
{
    s->want = proto;
    return (struct nf_hook_ops){ .hook = pf == NFPROTO_IPV6 ? watch6 : watch4, .name = "watch",
                                 .owner = "test", .priv = s, .pf = pf,
                                 .hooknum = NF_INET_LOCAL_IN,
                                 .priority = pf == NFPROTO_IPV6 ? NF_IP6_PRI_FILTER
                                                                : NF_IP_PRI_FILTER };
}

struct mworld {
    struct topo3 t;
    struct netns_ipvs *ipvs;
    struct ip_vs_service *svc;
};

static void add6(struct host *h, const char *dev, const char *addr, uint8_t len)
{
    struct in6_addr a = A(addr);
    CU_ASSERT_FATAL(ipv6_add_addr(host_net(h), host_dev(h, dev), &a, len));
}

/* topo3 (IPv4) with IPv6 beside it; the VIPs on the director's eth0. */
static void world_init_mixed(struct mworld *w)
{
    memset(w, 0, sizeof *w);
    struct topo3 *t = &w->t;
    topo3_init(t);
    add6(t->client, "eth0", CLIENT6, 64);
    add6(t->router, "eth0", "2001:db8:1::1", 64);
    add6(t->router, "eth0", VIP6, 64);
    add6(t->router, "eth1", "2001:db8:2::1", 64);
    add6(t->server, "eth0", RS6, 64);
    netdev_add_addr(host_dev(t->router, "eth0"), topo_ip(VIP4), 32);
    struct in6_addr any = {0}, gw = A("2001:db8:1::1");
    CU_ASSERT_FATAL(ip6_route_add(host_net(t->client), &any, 0, &gw, NULL));
    gw = A("2001:db8:2::1");
    CU_ASSERT_FATAL(ip6_route_add(host_net(t->server), &any, 0, &gw, NULL));
    ipv6_set_forwarding(host_net(t->router), 1);
    w->ipvs = ip_vs_net(host_net(t->router));
}

/* A UDP service on port 80 of vip (either family) with one TUN dest. */
static void world_tun(struct mworld *w, be32 vip, be32 dest)
{
    struct ip_vs_service_user u = { .af = in6_is_key(vip) ? AF_INET6 : AF_INET,
                                    .protocol = IPPROTO_UDP, .addr = vip, .port = htons(80),
                                    .netmask = in6_is_key(vip) ? 128 : 0xffffffff };
    g_strlcpy(u.sched_name, "rr", sizeof u.sched_name);
    CU_ASSERT_EQUAL_FATAL(ip_vs_add_service(w->ipvs, &u, &w->svc), 0);
    struct ip_vs_dest_user d = { .addr = dest, .port = htons(80),
                                 .conn_flags = IP_VS_CONN_F_TUNNEL, .weight = 1 };
    CU_ASSERT_EQUAL_FATAL(ip_vs_add_dest(w->svc, &d), 0);
}

static void send_udp6(struct host *h, uint32_t payload)
{
    struct net *net = host_net(h);
    struct ip6_spec ip = { .saddr = A(CLIENT6), .daddr = A(VIP6), .hop_limit = 64 };
    struct rt6_info *rt = ip6_route_output(net, &ip.daddr);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rt);
    struct sk_buff *skb = skb_alloc(net_pool(net), net_now(net));
    CU_ASSERT_PTR_NOT_NULL_FATAL(skb);
    CU_ASSERT_FATAL(pkt_build_udp6(skb, &ip, htons(40000), htons(80), payload));
    skb->dst = rt;
    ip6_local_out(net, skb);
}

static void send_udp4(struct host *h, uint32_t payload, bool df)
{
    struct net *net = host_net(h);
    struct rtable *rt = ip_route_output(net, topo_ip(VIP4));
    CU_ASSERT_PTR_NOT_NULL_FATAL(rt);
    struct ip4_spec ip = { .saddr = rt->prefsrc, .daddr = topo_ip(VIP4), .ttl = 64,
                           .id = htons(net->ip_id++), .df = df };
    struct sk_buff *skb = skb_alloc(net_pool(net), net_now(net));
    CU_ASSERT_PTR_NOT_NULL_FATAL(skb);
    CU_ASSERT_FATAL(pkt_build_udp(skb, &ip, htons(40000), htons(80), payload));
    skb->dst = rt;
    ip_local_out(net, skb);
}

/* An IPv6 service, an IPv4 dest: IPv6-in-IPv4 to the server's sit0. */
static void test_6in4_to_sit0(void)
{
    struct mworld w;
    world_init_mixed(&w);
    struct in6_addr vip = A(VIP6);
    CU_ASSERT_FATAL(ipv6_add_addr(host_net(w.t.server), host_add_dev(w.t.server, SIT_DEVICE, 1480),
                                  &vip, 128));
    world_tun(&w, K(VIP6), topo_ip(RS4));
    struct seen rs4 = {0}, rs6 = {0}, c6 = {0};
    struct nf_hook_ops o4 = watch_ops(&rs4, NFPROTO_IPV4, IPPROTO_UDP);
    struct nf_hook_ops o6 = watch_ops(&rs6, NFPROTO_IPV6, IPPROTO_UDP);
    struct nf_hook_ops oc = watch_ops(&c6, NFPROTO_IPV6, NEXTHDR_ICMP);
    CU_ASSERT_EQUAL(nf_register_net_hook(host_net(w.t.server), &o4), 0);
    CU_ASSERT_EQUAL(nf_register_net_hook(host_net(w.t.server), &o6), 0);
    CU_ASSERT_EQUAL(nf_register_net_hook(host_net(w.t.client), &oc), 0);
    send_udp6(w.t.client, 100);
    sim_run_until(&w.t.w.sim, 1 * SEC);
    /* the outer IPv4 header: director to server, protocol 41, TTL the inner hop limit
     * (63 after decrement_ttl), no DF (ip_vs_prepare_tunneled_skb gives IPv6 none) */
    CU_ASSERT_EQUAL(rs4.tunnelled, 1);
    CU_ASSERT_EQUAL(rs4.outer_saddr, topo_ip("10.0.2.1"));
    CU_ASSERT_EQUAL(rs4.outer_daddr, topo_ip(RS4));
    CU_ASSERT_EQUAL(rs4.outer_ttl, 63);
    CU_ASSERT_EQUAL(rs4.outer_frag_off & htons(IP_DF), 0);
    CU_ASSERT_TRUE(rs4.outer_csum_ok);
    /* unwrapped on sit0: the inner datagram to the VIP */
    CU_ASSERT_EQUAL(host_dev(w.t.server, SIT_DEVICE)->stats.rx_packets, 1);
    CU_ASSERT_EQUAL(rs6.n, 1);
    CU_ASSERT_TRUE(addr_is(&rs6.daddr6, VIP6));
    CU_ASSERT_TRUE(addr_is(&rs6.saddr6, CLIENT6));
    CU_ASSERT_EQUAL(rs6.hop, 63);

    /* 1500 - 40 - 8 = 1452 bytes fill the link; with the outer 20 they do not: Packet
     * Too Big with 1480, whatever pmtu_disc says (IPv6 is never fragmented on the way) */
    send_udp6(w.t.client, 1452);
    sim_run_until(&w.t.w.sim, 2 * SEC);
    CU_ASSERT_EQUAL(rs6.n, 1);
    CU_ASSERT_EQUAL(c6.n, 1);
    CU_ASSERT_EQUAL(c6.icmp_type, ICMPV6_PKT_TOOBIG);
    CU_ASSERT_EQUAL(c6.mtu, 1480);
    send_udp6(w.t.client, 1432);            /* 1480 with its IPv6 header: fits */
    sim_run_until(&w.t.w.sim, 3 * SEC);
    CU_ASSERT_EQUAL(rs6.n, 2);
    world_destroy(&w.t.w);
}

/* Without sit0 (no `modprobe sit`) the server has no handler for protocol 41. */
static void test_6in4_without_sit0(void)
{
    struct mworld w;
    world_init_mixed(&w);
    world_tun(&w, K(VIP6), topo_ip(RS4));
    struct seen rs6 = {0};
    struct nf_hook_ops o6 = watch_ops(&rs6, NFPROTO_IPV6, IPPROTO_UDP);
    CU_ASSERT_EQUAL(nf_register_net_hook(host_net(w.t.server), &o6), 0);
    send_udp6(w.t.client, 100);
    sim_run_until(&w.t.w.sim, 1 * SEC);
    CU_ASSERT_EQUAL(rs6.n, 0);
    CU_ASSERT_EQUAL(host_net(w.t.server)->mib.in_unknown_protos, 1);
    world_destroy(&w.t.w);
}

/* An IPv4 service, an IPv6 dest: IPv4-in-IPv6 to ip6tnl0, taken only in mode any. */
static void test_4in6_to_ip6tnl0_mode_any(void)
{
    struct mworld w;
    world_init_mixed(&w);
    netdev_add_addr(host_add_dev(w.t.server, IP6_TNL_DEVICE, 1452), topo_ip(VIP4), 32);
    world_tun(&w, topo_ip(VIP4), K(RS6));
    struct seen rs4 = {0}, rs6 = {0};
    struct nf_hook_ops o4 = watch_ops(&rs4, NFPROTO_IPV4, IPPROTO_UDP);
    struct nf_hook_ops o6 = watch_ops(&rs6, NFPROTO_IPV6, IPPROTO_UDP);
    CU_ASSERT_EQUAL(nf_register_net_hook(host_net(w.t.server), &o4), 0);
    CU_ASSERT_EQUAL(nf_register_net_hook(host_net(w.t.server), &o6), 0);
    send_udp4(w.t.client, 100, false);
    sim_run_until(&w.t.w.sim, 1 * SEC);
    /* the fallback is made ip6ip6 (ip6_fb_tnl_dev_init): dropped by ipxip6_rcv */
    CU_ASSERT_EQUAL(rs6.tunnelled, 1);
    CU_ASSERT_EQUAL(host_dev(w.t.server, IP6_TNL_DEVICE)->stats.rx_dropped, 1);
    CU_ASSERT_EQUAL(rs4.n, 0);

    host_net(w.t.server)->ip6tnl0_mode_any = true;  /* ip -6 tunnel change ip6tnl0 mode any */
    send_udp4(w.t.client, 100, false);
    sim_run_until(&w.t.w.sim, 2 * SEC);
    CU_ASSERT_EQUAL(rs6.tunnelled, 2);
    CU_ASSERT_EQUAL(host_dev(w.t.server, IP6_TNL_DEVICE)->stats.rx_packets, 1);
    CU_ASSERT_EQUAL(rs4.n, 1);
    CU_ASSERT_EQUAL(rs4.daddr4, topo_ip(VIP4));
    CU_ASSERT_EQUAL(rs4.hop, 63);
    world_destroy(&w.t.w);
}

/* IPv4 with DF into an IPv6 tunnel: frag needed with the link MTU less 40 when
 * pmtu_disc is on (its default); without it, the packet goes (fragmented later). */
static void test_4in6_frag_needed(void)
{
    struct mworld w;
    world_init_mixed(&w);
    host_net(w.t.server)->ip6tnl0_mode_any = true;
    netdev_add_addr(host_add_dev(w.t.server, IP6_TNL_DEVICE, 1452), topo_ip(VIP4), 32);
    world_tun(&w, topo_ip(VIP4), K(RS6));
    struct seen c4 = {0};
    struct nf_hook_ops oc = watch_ops(&c4, NFPROTO_IPV4, IPPROTO_ICMP);
    CU_ASSERT_EQUAL(nf_register_net_hook(host_net(w.t.client), &oc), 0);
    send_udp4(w.t.client, 1472, true);      /* 1500 bytes with DF */
    sim_run_until(&w.t.w.sim, 1 * SEC);
    CU_ASSERT_EQUAL(c4.n, 1);
    CU_ASSERT_EQUAL(c4.icmp_type, ICMP_DEST_UNREACH);
    CU_ASSERT_EQUAL(c4.icmp_code, ICMP_FRAG_NEEDED);
    CU_ASSERT_EQUAL(c4.mtu, 1460);
    world_destroy(&w.t.w);
}

/* FULLNAT (ipvsim's extra) rewrites IPv4 only: an IPv6 service refuses it. */
static void test_fullnat_refused_for_ipv6(void)
{
    struct mworld w;
    world_init_mixed(&w);
    struct ip_vs_service_user u = { .af = AF_INET6, .protocol = IPPROTO_TCP, .addr = K(VIP6),
                                    .port = htons(80), .netmask = 128 };
    g_strlcpy(u.sched_name, "rr", sizeof u.sched_name);
    struct ip_vs_service *svc;
    CU_ASSERT_EQUAL_FATAL(ip_vs_add_service(w.ipvs, &u, &svc), 0);
    struct ip_vs_dest_user d = { .addr = K(RS6), .port = htons(80),
                                 .conn_flags = IP_VS_CONN_F_FULLNAT, .weight = 1 };
    CU_ASSERT_EQUAL(ip_vs_add_dest(svc, &d), -EAFNOSUPPORT);
    d.conn_flags = IP_VS_CONN_F_TUNNEL;
    CU_ASSERT_EQUAL(ip_vs_add_dest(svc, &d), 0);
    d.conn_flags = IP_VS_CONN_F_FULLNAT;
    CU_ASSERT_EQUAL(ip_vs_edit_dest(svc, &d), -EAFNOSUPPORT);
    world_destroy(&w.t.w);
}

IPVSIM_SUITE(ipvs_mixtun)
{
    CU_pSuite s = CU_add_suite("ipvs_mixtun", NULL, NULL);
    ADD_TEST(s, test_6in4_to_sit0);
    ADD_TEST(s, test_6in4_without_sit0);
    ADD_TEST(s, test_4in6_to_ip6tnl0_mode_any);
    ADD_TEST(s, test_4in6_frag_needed);
    ADD_TEST(s, test_fullnat_refused_for_ipv6);
}
