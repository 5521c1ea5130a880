/* IPVS for IPv6 on hand-built worlds: client -- director -- real server (tests/topo.c's
 * topo3, the router as director) with IPv6 addresses, a service on the VIP
 * [2001:db8:1::10] and its dest [2001:db8:2::2]. What is pinned: the IPv6 hook ops
 * of each era (names, hook points, NF_IP6_PRI_* priorities; ip_vs_ops6 registered
 * with the first IPv6 service from 5.9), ip_vs_fill_iph_v6 over extension headers,
 * NAT (request DNATed to the real server, reply SNATed back, checksums good over
 * the IPv6 pseudo-header), DR (the IPv6 header untouched, the frame to the server's
 * MAC), TUN as ip6ip6 (decapsulated on the server's ip6tnl0) and its Packet Too Big,
 * a persistence template keyed by the client's /64, ip_vs_leave's ICMPv6 port
 * unreachable, and an ICMPv6 error from the real server translated back to the VIP.
 * The files under test:
 * model/ipvs/ip_vs_core.c, ip_vs_xmit.c, ip_vs_icmp.c, ip_vs_schedule.c,
 * ip_vs_proto*.c, model/ipv6/ip6_tunnel.c. */
#include <string.h>
#include "model/ipv6/ipv6.h"
#include "model/ipvs/ip_vs_conn.h"
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

/* ---- the hook ops per era ------------------------------------------------------------ */

struct want_op {
    const char *name;
    unsigned hook;
    int priority;
};

static void check_ops6(const char *era, const struct want_op *want, unsigned n, bool lazy)
{
    struct world w;
    world_init(&w, 1);
    const char *const ifs[] = { "eth0=10.0.0.1/24", NULL };
    struct host *h = topo_host(&w, "d", ifs);
    host_net(h)->prof = kernel_profile_find(era);
    CU_ASSERT_PTR_NOT_NULL_FATAL(host_net(h)->prof);
    struct netns_ipvs *ipvs = ip_vs_net(host_net(h));
    CU_ASSERT_EQUAL(ipvs->core->nops6, n);
    /* lazy (5.9+): nothing in the IPv6 table before the first IPv6 service, and an
     * IPv4 service does not bring it */
    struct ip_vs_service_user u4 = { .protocol = IPPROTO_TCP, .addr = topo_ip("10.0.0.10"),
                                     .port = htons(80), .netmask = 0xffffffff };
    g_strlcpy(u4.sched_name, "rr", sizeof u4.sched_name);
    CU_ASSERT_EQUAL(ip_vs_add_service(ipvs, &u4, NULL), 0);
    CU_ASSERT_EQUAL(ipvs->core->registered6, !lazy);
    struct ip_vs_service_user u6 = { .af = AF_INET6, .protocol = IPPROTO_TCP, .addr = K(VIP6),
                                     .port = htons(80), .netmask = 128 };
    g_strlcpy(u6.sched_name, "rr", sizeof u6.sched_name);
    struct ip_vs_service *svc6;
    CU_ASSERT_EQUAL(ip_vs_add_service(ipvs, &u6, &svc6), 0);
    CU_ASSERT_TRUE(ipvs->core->registered6);
    for (unsigned i = 0; i < n; i++) {
        const struct nf_hook_entries *e = nf_hook_entries_of_pf(host_net(h), NFPROTO_IPV6,
                                                                want[i].hook);
        bool found = false;
        for (unsigned j = 0; j < e->num; j++)
            if (strcmp(e->ops[j]->name, want[i].name) == 0 &&
                e->ops[j]->priority == want[i].priority)
                found = true;
        if (!found)
            fprintf(stderr, "\n%s: %s at %s %d missing\n", era, want[i].name,
                    nf_hook_name(want[i].hook), want[i].priority);
        CU_ASSERT_TRUE(found);
    }
    /* the IPv6 service gone, its family's ops go with it in lazy eras */
    CU_ASSERT_EQUAL(ip_vs_del_service(svc6), 0);
    CU_ASSERT_EQUAL(ipvs->core->registered6, !lazy);
    CU_ASSERT_TRUE(ipvs->core->registered);
    world_destroy(&w);
}

static void test_hook_ops6_per_era(void)
{
    const struct want_op old[] = {
        { "ip_vs_in", NF_INET_LOCAL_IN, 100 },
        { "ip_vs_out", NF_INET_FORWARD, 100 },
        { "ip_vs_forward_icmp_v6", NF_INET_FORWARD, 99 },
        { "ip_vs_post_routing", NF_INET_POST_ROUTING, NF_IP6_PRI_NAT_SRC - 1 },
    };
    const struct want_op middle[] = {
        { "ip_vs_reply6", NF_INET_LOCAL_IN, NF_IP6_PRI_NAT_SRC - 2 },
        { "ip_vs_remote_request6", NF_INET_LOCAL_IN, NF_IP6_PRI_NAT_SRC - 1 },
        { "ip_vs_local_reply6", NF_INET_LOCAL_OUT, NF_IP6_PRI_NAT_DST + 1 },
        { "ip_vs_local_request6", NF_INET_LOCAL_OUT, NF_IP6_PRI_NAT_DST + 2 },
        { "ip_vs_forward_icmp_v6", NF_INET_FORWARD, 99 },
        { "ip_vs_reply6", NF_INET_FORWARD, 100 },
    };
    const struct want_op new_[] = {
        { "ip_vs_out_hook", NF_INET_LOCAL_IN, 98 },
        { "ip_vs_in_hook", NF_INET_LOCAL_IN, 99 },
        { "ip_vs_out_hook", NF_INET_LOCAL_OUT, -99 },
        { "ip_vs_in_hook", NF_INET_LOCAL_OUT, -98 },
        { "ip_vs_forward_icmp", NF_INET_FORWARD, 99 },
        { "ip_vs_out_hook", NF_INET_FORWARD, 100 },
    };
    check_ops6("2.6.34", old, G_N_ELEMENTS(old), false);
    check_ops6("4.9", middle, G_N_ELEMENTS(middle), false);
    check_ops6("5.10", middle, G_N_ELEMENTS(middle), true);
    check_ops6("6.x", new_, G_N_ELEMENTS(new_), true);
}

/* ---- ip_vs_fill_iph_v6 --------------------------------------------------------------- */

static void test_fill_iph_v6_ext_headers(void)
{
    uint8_t buf[40 + 8 + 8 + 8];
    memset(buf, 0, sizeof buf);
    struct ipv6hdr *h = (struct ipv6hdr *)buf;
    h->priority_version = 0x60;
    h->nexthdr = NEXTHDR_HOP;
    h->saddr = A(CLIENT6);
    h->daddr = A(VIP6);
    buf[40] = NEXTHDR_FRAGMENT;     /* hop-by-hop, 8 bytes */
    buf[48] = NEXTHDR_UDP;          /* a first fragment: offset 0, M set */
    buf[51] = 1;
    struct sk_buff skb = { .data = buf, .len = sizeof buf };
    struct ip_vs_iphdr iph;
    CU_ASSERT_TRUE_FATAL(ip_vs_fill_iph_v6(&skb, &iph));
    CU_ASSERT_EQUAL(iph.len, 56);
    CU_ASSERT_EQUAL(iph.protocol, IPPROTO_UDP);
    CU_ASSERT_EQUAL(iph.saddr, K(CLIENT6));
    CU_ASSERT_EQUAL(iph.daddr, K(VIP6));
    /* a later fragment has no ports: IPVS leaves it alone */
    buf[50] = 0x05;
    buf[51] = 0x00;
    CU_ASSERT_FALSE(ip_vs_fill_iph_v6(&skb, &iph));
    /* a truncated extension header */
    skb.len = 44;
    CU_ASSERT_FALSE(ip_vs_fill_iph_v6(&skb, &iph));
}

/* ---- the worlds ------------------------------------------------------------------------ */

/* What a watch hook saw of the last IPv6 packet of a protocol. */
struct seen {
    unsigned n;
    struct in6_addr saddr, daddr;
    uint8_t nexthdr, hop_limit;
    be16 sport, dport;
    bool csum_ok;
    uint8_t icmp_type;
    struct in6_addr quoted_daddr;
    be16 quoted_dport;
    uint32_t mtu;
    unsigned tunnelled;             /* packets with next header 41 */
    uint8_t want;                   /* the protocol watched */
    unsigned verdict;
};

/* Is the transport checksum right over the IPv6 pseudo-header? */
static bool l4_csum_ok(const struct sk_buff *skb, const struct ipv6hdr *h, uint8_t proto)
{
    const struct in6_addr s = h->saddr, d = h->daddr;
    uint32_t off = (uint32_t)((const uint8_t *)h - skb->data) + sizeof *h;
    uint32_t len = skb_wire_len(skb) - (uint32_t)((const uint8_t *)h - skb->data) - sizeof *h;
    wsum sum = csum_partial((const uint8_t *)h + sizeof *h, skb->len - off, 0);
    return csum_ipv6_magic(&s, &d, len, proto, sum) == 0;
}

static unsigned watch(void *priv, struct sk_buff *skb, const struct nf_hook_state *st)
{
    struct seen *s = priv;
    const struct ipv6hdr *h = ipv6_hdr(skb);
    if (h->nexthdr == NEXTHDR_IPV6)
        s->tunnelled++;
    const uint8_t *l4 = (const uint8_t *)h + sizeof *h;
    if (h->nexthdr != s->want || (h->nexthdr == NEXTHDR_ICMP && (l4[0] & ICMPV6_INFOMSG_MASK)))
        return NF_ACCEPT;           /* ND's messages pass */
    s->n++;
    s->saddr = h->saddr;
    s->daddr = h->daddr;
    s->nexthdr = h->nexthdr;
    s->hop_limit = h->hop_limit;
    memcpy(&s->sport, l4, 2);
    memcpy(&s->dport, l4 + 2, 2);
    s->csum_ok = l4_csum_ok(skb, h, h->nexthdr);
    if (h->nexthdr == NEXTHDR_ICMP) {
        s->icmp_type = l4[0];
        s->mtu = (uint32_t)l4[4] << 24 | (uint32_t)l4[5] << 16 | (uint32_t)l4[6] << 8 | l4[7];
        const struct ipv6hdr *q = (const struct ipv6hdr *)(l4 + ICMPV6_HLEN);
        if (skb->len >= (uint32_t)(l4 - skb->data) + ICMPV6_HLEN + sizeof *q + 4) {
            s->quoted_daddr = q->daddr;
            memcpy(&s->quoted_dport, (const uint8_t *)q + sizeof *q + 2, 2);
        }
    }
    return s->verdict;
}

static struct nf_hook_ops watch_ops(struct seen *s, uint8_t proto, unsigned verdict)
{
    s->want = proto;
    s->verdict = verdict;
    return (struct nf_hook_ops){ .hook = watch, .name = "watch6", .owner = "test", .priv = s,
                                 .pf = NFPROTO_IPV6, .hooknum = NF_INET_LOCAL_IN,
                                 .priority = NF_IP6_PRI_FILTER };
}

struct world6 {
    struct topo3 t;
    struct netns_ipvs *ipvs;
    struct ip_vs_service *svc;
};

/* topo3 with IPv6: the client's link 2001:db8:1::/64 (the VIP on the director's
 * eth0), the server's 2001:db8:2::/64, the server's default route through the
 * director (NAT needs it; DR and TUN do not mind), forwarding on. */
static void world6_init(struct world6 *w, const char *era)
{
    memset(w, 0, sizeof *w);
    struct topo3 *t = &w->t;
    topo3_init(t);
    const struct kernel_profile *prof = kernel_profile_find(era);
    CU_ASSERT_PTR_NOT_NULL_FATAL(prof);
    host_net(t->client)->prof = prof;
    host_net(t->router)->prof = prof;
    host_net(t->server)->prof = prof;
    struct in6_addr a;
    a = A(CLIENT6);
    CU_ASSERT_FATAL(ipv6_add_addr(host_net(t->client), host_dev(t->client, "eth0"), &a, 64));
    a = A("2001:db8:1::3");
    CU_ASSERT_FATAL(ipv6_add_addr(host_net(t->client), host_dev(t->client, "eth0"), &a, 64));
    a = A("2001:db8:1::1");
    CU_ASSERT_FATAL(ipv6_add_addr(host_net(t->router), host_dev(t->router, "eth0"), &a, 64));
    a = A(VIP6);
    CU_ASSERT_FATAL(ipv6_add_addr(host_net(t->router), host_dev(t->router, "eth0"), &a, 64));
    a = A("2001:db8:2::1");
    CU_ASSERT_FATAL(ipv6_add_addr(host_net(t->router), host_dev(t->router, "eth1"), &a, 64));
    a = A(RS6);
    CU_ASSERT_FATAL(ipv6_add_addr(host_net(t->server), host_dev(t->server, "eth0"), &a, 64));
    struct in6_addr any = {0}, gw = A("2001:db8:1::1");
    CU_ASSERT_FATAL(ip6_route_add(host_net(t->client), &any, 0, &gw, NULL));
    gw = A("2001:db8:2::1");
    CU_ASSERT_FATAL(ip6_route_add(host_net(t->server), &any, 0, &gw, NULL));
    ipv6_set_forwarding(host_net(t->router), 1);
    w->ipvs = ip_vs_net(host_net(t->router));
}

static void world6_service(struct world6 *w, uint16_t proto, unsigned flags, unsigned netmask)
{
    struct ip_vs_service_user u = { .af = AF_INET6, .protocol = proto, .addr = K(VIP6),
                                    .port = htons(80), .flags = flags, .timeout = 300,
                                    .netmask = netmask };
    g_strlcpy(u.sched_name, "rr", sizeof u.sched_name);
    CU_ASSERT_EQUAL_FATAL(ip_vs_add_service(w->ipvs, &u, &w->svc), 0);
}

static void world6_dest(struct world6 *w, const char *addr, uint16_t port, unsigned method)
{
    struct ip_vs_dest_user d = { .addr = K(addr), .port = htons(port), .conn_flags = method,
                                 .weight = 1 };
    CU_ASSERT_EQUAL_FATAL(ip_vs_add_dest(w->svc, &d), 0);
}

/* A UDP datagram of payload bytes from h, saddr:sport -> daddr:dport. */
static void send_udp6(struct host *h, const char *saddr, uint16_t sport, const char *daddr,
                      uint16_t dport, uint32_t payload)
{
    struct net *net = host_net(h);
    struct ip6_spec ip = { .saddr = A(saddr), .daddr = A(daddr), .hop_limit = 64 };
    struct rt6_info *rt = ip6_route_output(net, &ip.daddr);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rt);
    struct sk_buff *skb = skb_alloc(net_pool(net), net_now(net));
    CU_ASSERT_PTR_NOT_NULL_FATAL(skb);
    CU_ASSERT_FATAL(pkt_build_udp6(skb, &ip, htons(sport), htons(dport), payload));
    skb->dst = rt;
    ip6_local_out(net, skb);
}

static bool addr_is(const struct in6_addr *a, const char *s)
{
    struct in6_addr b = A(s);
    return memcmp(a, &b, sizeof b) == 0;
}

static void nat6_case(const char *era)
{
    struct world6 w;
    world6_init(&w, era);
    world6_service(&w, IPPROTO_UDP, 0, 128);
    world6_dest(&w, RS6, 8080, IP_VS_CONN_F_MASQ);
    struct seen at_rs = {0}, at_client = {0};
    struct nf_hook_ops rs_ops = watch_ops(&at_rs, IPPROTO_UDP, NF_DROP);
    struct nf_hook_ops c_ops = watch_ops(&at_client, IPPROTO_UDP, NF_DROP);
    CU_ASSERT_EQUAL(nf_register_net_hook(host_net(w.t.server), &rs_ops), 0);
    CU_ASSERT_EQUAL(nf_register_net_hook(host_net(w.t.client), &c_ops), 0);

    send_udp6(w.t.client, CLIENT6, 40000, VIP6, 80, 100);
    sim_run_until(&w.t.w.sim, 1 * SEC);
    /* DNAT: to the real server's address and port, the UDP checksum still good */
    CU_ASSERT_EQUAL(at_rs.n, 1);
    CU_ASSERT_TRUE(addr_is(&at_rs.daddr, RS6));
    CU_ASSERT_TRUE(addr_is(&at_rs.saddr, CLIENT6));
    CU_ASSERT_EQUAL(ntohs(at_rs.dport), 8080);
    CU_ASSERT_TRUE(at_rs.csum_ok);
    CU_ASSERT_EQUAL(ip_vs_conn_count(w.ipvs), 1);

    /* the answer, from the real server's port to the client: SNAT back to the VIP */
    send_udp6(w.t.server, RS6, 8080, CLIENT6, 40000, 60);
    sim_run_until(&w.t.w.sim, 2 * SEC);
    CU_ASSERT_EQUAL(at_client.n, 1);
    CU_ASSERT_TRUE(addr_is(&at_client.saddr, VIP6));
    CU_ASSERT_EQUAL(ntohs(at_client.sport), 80);
    CU_ASSERT_EQUAL(ntohs(at_client.dport), 40000);
    CU_ASSERT_TRUE(at_client.csum_ok);
    /* counted in the dest's statistics: one in, one out, IPv6 datagram lengths */
    struct ip_vs_dest *d = ip_vs_lookup_dest(w.svc, K(RS6), htons(8080));
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(d->stats.c.inpkts, 1);
    CU_ASSERT_EQUAL(d->stats.c.outpkts, 1);
    CU_ASSERT_EQUAL(d->stats.c.inbytes, 40 + 8 + 100);
    CU_ASSERT_EQUAL(d->stats.c.outbytes, 40 + 8 + 60);
    world_destroy(&w.t.w);
}

/* Through each era's IPv6 hooks: 2.6.34's ip_vs_in at LOCAL_IN and ip_vs_out at
 * FORWARD, 4.9's ip_vs_remote_request6 / ip_vs_reply6, 6.x's ip_vs_in_hook /
 * ip_vs_out_hook. */
static void test_nat6_request_and_reply(void)
{
    nat6_case("2.6.34");
    nat6_case("4.9");
    nat6_case("6.x");
}

/* The real server has no socket: its port unreachable about the DNATed request goes
 * through the director, which makes it come from the VIP and quote VIP:80. */
static void test_nat6_icmp_error_translated(void)
{
    struct world6 w;
    world6_init(&w, "6.x");
    world6_service(&w, IPPROTO_UDP, 0, 128);
    world6_dest(&w, RS6, 8080, IP_VS_CONN_F_MASQ);
    struct seen at_client = {0};
    struct nf_hook_ops c_ops = watch_ops(&at_client, NEXTHDR_ICMP, NF_DROP);
    CU_ASSERT_EQUAL(nf_register_net_hook(host_net(w.t.client), &c_ops), 0);
    send_udp6(w.t.client, CLIENT6, 40000, VIP6, 80, 100);
    sim_run_until(&w.t.w.sim, 1 * SEC);
    CU_ASSERT_EQUAL(at_client.icmp_type, ICMPV6_DEST_UNREACH);
    CU_ASSERT_TRUE(addr_is(&at_client.saddr, VIP6));
    CU_ASSERT_TRUE(addr_is(&at_client.quoted_daddr, VIP6));
    CU_ASSERT_EQUAL(ntohs(at_client.quoted_dport), 80);
    CU_ASSERT_TRUE(at_client.csum_ok);
    world_destroy(&w.t.w);
}

/* DR: the real server has the VIP on a dummy device and gets the client's packet as it was (the
 * VIP, port 80, the same checksum), sent to its MAC; the director's route to the
 * server is on-link. */
static void test_dr6_mac_only(void)
{
    struct world6 w;
    world6_init(&w, "6.x");
    struct in6_addr vip = A(VIP6);
    CU_ASSERT_FATAL(ipv6_add_addr(host_net(w.t.server), host_add_dev(w.t.server, "dummy0", 1500),
                                  &vip, 128));
    world6_service(&w, IPPROTO_UDP, 0, 128);
    world6_dest(&w, RS6, 80, IP_VS_CONN_F_DROUTE);
    struct seen at_rs = {0};
    struct nf_hook_ops rs_ops = watch_ops(&at_rs, IPPROTO_UDP, NF_DROP);
    CU_ASSERT_EQUAL(nf_register_net_hook(host_net(w.t.server), &rs_ops), 0);
    send_udp6(w.t.client, CLIENT6, 40000, VIP6, 80, 100);
    sim_run_until(&w.t.w.sim, 1 * SEC);
    CU_ASSERT_EQUAL(at_rs.n, 1);
    CU_ASSERT_TRUE(addr_is(&at_rs.daddr, VIP6));
    CU_ASSERT_TRUE(addr_is(&at_rs.saddr, CLIENT6));
    CU_ASSERT_EQUAL(ntohs(at_rs.dport), 80);
    CU_ASSERT_TRUE(at_rs.csum_ok);
    CU_ASSERT_EQUAL(at_rs.hop_limit, 63);   /* decrement_ttl (5.3+) */
    world_destroy(&w.t.w);
}

/* TUN: ip6ip6 to the real server, which unwraps it on ip6tnl0 and takes the inner
 * packet for its VIP there. A datagram that no longer fits with the outer 40 bytes
 * gets Packet Too Big with the link MTU less 40. */
static void test_tun6_ip6ip6_and_too_big(void)
{
    struct world6 w;
    world6_init(&w, "6.x");
    struct in6_addr vip = A(VIP6);
    CU_ASSERT_FATAL(ipv6_add_addr(host_net(w.t.server),
                                  host_add_dev(w.t.server, IP6_TNL_DEVICE, 1452), &vip, 128));
    world6_service(&w, IPPROTO_UDP, 0, 128);
    world6_dest(&w, RS6, 80, IP_VS_CONN_F_TUNNEL);
    struct seen at_rs = {0}, at_client = {0};
    struct nf_hook_ops rs_ops = watch_ops(&at_rs, IPPROTO_UDP, NF_DROP);
    struct nf_hook_ops c_ops = watch_ops(&at_client, NEXTHDR_ICMP, NF_DROP);
    CU_ASSERT_EQUAL(nf_register_net_hook(host_net(w.t.server), &rs_ops), 0);
    CU_ASSERT_EQUAL(nf_register_net_hook(host_net(w.t.client), &c_ops), 0);
    send_udp6(w.t.client, CLIENT6, 40000, VIP6, 80, 100);
    sim_run_until(&w.t.w.sim, 1 * SEC);
    CU_ASSERT_EQUAL(at_rs.tunnelled, 1);    /* the outer packet, next header 41 */
    CU_ASSERT_EQUAL(at_rs.n, 1);            /* the inner one, after ip6ip6_rcv */
    CU_ASSERT_TRUE(addr_is(&at_rs.daddr, VIP6));
    CU_ASSERT_TRUE(addr_is(&at_rs.saddr, CLIENT6));
    CU_ASSERT_TRUE(at_rs.csum_ok);
    CU_ASSERT_EQUAL(host_dev(w.t.server, IP6_TNL_DEVICE)->stats.rx_packets, 1);

    /* 1500 - 40 - 8 = 1452 bytes of payload fill the link; with the tunnel's 40 they
     * do not */
    send_udp6(w.t.client, CLIENT6, 40000, VIP6, 80, 1452);
    sim_run_until(&w.t.w.sim, 2 * SEC);
    CU_ASSERT_EQUAL(at_rs.n, 1);
    CU_ASSERT_EQUAL(at_client.icmp_type, ICMPV6_PKT_TOOBIG);
    CU_ASSERT_EQUAL(at_client.mtu, 1460);
    CU_ASSERT_TRUE(at_client.csum_ok);
    world_destroy(&w.t.w);
}

/* Persistence for IPv6: netmask is a prefix length; two clients of the same /64 get
 * one template keyed by the prefix, hence the same real server (with two dests and
 * rr, the second client would otherwise get the other one). */
struct tpl_seen {
    unsigned templates, conns;
    be32 tpl_caddr;
    be32 daddr[4];
};

static void see_conn(struct ip_vs_conn *cp, void *ctx)
{
    struct tpl_seen *s = ctx;
    if (cp->flags & IP_VS_CONN_F_TEMPLATE) {
        s->templates++;
        s->tpl_caddr = cp->caddr;
    } else if (s->conns < 4) {
        s->daddr[s->conns++] = cp->daddr;
    }
}

static void test_persistence_template_prefix64(void)
{
    struct world6 w;
    world6_init(&w, "6.x");
    struct in6_addr rs2 = A("2001:db8:2::3");
    CU_ASSERT_FATAL(ipv6_add_addr(host_net(w.t.server), host_dev(w.t.server, "eth0"), &rs2, 64));
    world6_service(&w, IPPROTO_UDP, IP_VS_SVC_F_PERSISTENT, 64);
    world6_dest(&w, RS6, 8080, IP_VS_CONN_F_MASQ);
    world6_dest(&w, "2001:db8:2::3", 8080, IP_VS_CONN_F_MASQ);
    struct seen at_rs = {0};
    struct nf_hook_ops rs_ops = watch_ops(&at_rs, IPPROTO_UDP, NF_DROP);
    CU_ASSERT_EQUAL(nf_register_net_hook(host_net(w.t.server), &rs_ops), 0);
    send_udp6(w.t.client, CLIENT6, 40000, VIP6, 80, 10);
    send_udp6(w.t.client, "2001:db8:1::3", 40001, VIP6, 80, 10);
    sim_run_until(&w.t.w.sim, 1 * SEC);
    CU_ASSERT_EQUAL(at_rs.n, 2);
    struct tpl_seen s = {0};
    ip_vs_conn_for_each(w.ipvs, see_conn, &s);
    CU_ASSERT_EQUAL(s.templates, 1);
    CU_ASSERT_EQUAL(s.tpl_caddr, K("2001:db8:1::"));
    CU_ASSERT_EQUAL(s.conns, 2);
    CU_ASSERT_EQUAL(s.daddr[0], s.daddr[1]);
    world_destroy(&w.t.w);
}

/* ip_vs_leave for an IPv6 service with no dest: ICMPv6 port unreachable from the VIP
 * (not an ICMP one the IPv6 client could not read), the request dropped. */
static void test_leave_answers_icmpv6(void)
{
    struct world6 w;
    world6_init(&w, "6.x");
    world6_service(&w, IPPROTO_UDP, 0, 128);
    struct seen at_client = {0};
    struct nf_hook_ops c_ops = watch_ops(&at_client, NEXTHDR_ICMP, NF_DROP);
    CU_ASSERT_EQUAL(nf_register_net_hook(host_net(w.t.client), &c_ops), 0);
    send_udp6(w.t.client, CLIENT6, 40000, VIP6, 80, 10);
    sim_run_until(&w.t.w.sim, 1 * SEC);
    CU_ASSERT_EQUAL(at_client.n, 1);
    CU_ASSERT_EQUAL(at_client.icmp_type, ICMPV6_DEST_UNREACH);
    CU_ASSERT_TRUE(addr_is(&at_client.saddr, VIP6));
    CU_ASSERT_TRUE(at_client.csum_ok);
    CU_ASSERT_EQUAL(w.ipvs->core->leave_icmp, 1);
    world_destroy(&w.t.w);
}

IPVSIM_SUITE(ipvs6)
{
    CU_pSuite s = CU_add_suite("ipvs6", NULL, NULL);
    ADD_TEST(s, test_hook_ops6_per_era);
    ADD_TEST(s, test_fill_iph_v6_ext_headers);
    ADD_TEST(s, test_nat6_request_and_reply);
    ADD_TEST(s, test_nat6_icmp_error_translated);
    ADD_TEST(s, test_dr6_mac_only);
    ADD_TEST(s, test_tun6_ip6ip6_and_too_big);
    ADD_TEST(s, test_persistence_template_prefix64);
    ADD_TEST(s, test_leave_answers_icmpv6);
}
