/* The IPv6 path on a small world: client -- router -- server with IPv6 addresses
 * (tests/topo.c's topo3 with an IPv6 prefix on each link). Forwarding (hop limit
 * decremented, the trace naming ipv6_rcv .. ip6_finish_output2 and the three hook
 * points of the IPv6 table), neighbour discovery before the first packet (NS to the
 * solicited-node group, NA, the queued packet sent), Packet Too Big, Time Exceeded
 * and its rate limit per era, ND failure, and the IPv6 hook table. With
 * IPVSIM_PCAP6_DIR set, the forwarding test writes the client's and the server's
 * pcaps there for tests/cli/44-ipv6.sh to decode with tshark. The files under test:
 * model/ipv6/ip6_input.c, ip6_output.c, route.c, addrconf.c, ndisc.c, icmp.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model/ipv6/ipv6.h"
#include "model/net.h"
#include "model/netfilter/core.h"
#include "model/netfilter/netfilter_ipv6.h"
#include "model/profile.h"
#include "sim/in6.h"
#include "sim/pcap_tap.h"
#include "sim/pkt.h"
#include "sim/sim.h"
#include "tests/testutil.h"
#include "tests/topo.h"

static struct in6_addr A(const char *s)
{
    struct in6_addr a;
    CU_ASSERT_FATAL(in6_pton(s, &a, NULL, NULL));
    return a;
}


/* A UDP datagram from h to daddr (source: h's address towards it). */
static int send_udp6(struct host *h, const char *daddr, uint32_t payload, uint8_t hop_limit,
                     uint64_t flow)
{
    struct net *net = host_net(h);
    struct ip6_spec ip = { .daddr = A(daddr), .hop_limit = hop_limit };
    struct rt6_info *rt = ip6_route_output(net, &ip.daddr);
    if (!rt || !ipv6_dev_get_saddr(net, rt->dev, &ip.daddr, &ip.saddr))
        return -1;
    struct sk_buff *skb = skb_alloc(net_pool(net), net_now(net));
    if (!skb || !pkt_build_udp6(skb, &ip, htons(40000), htons(53), payload)) {
        skb_free(net_pool(net), skb);
        return -1;
    }
    skb->dst = rt;
    skb->flow = flow;
    return ip6_local_out(net, skb);
}

/* ---- what the trace and an IPv6 LOCAL_IN hook saw --------------------------------- */

struct seen6 {
    GString *path;                  /* the router's trace lines of flow 1 */
    int icmp6[256];                 /* ICMPv6 types at the client's LOCAL_IN */
    uint8_t icmp6_code[256];
    uint32_t ptb_mtu;
    int server_udp;
    uint8_t server_hop_limit;
};

static void emit(void *ctx, const struct trace_event *ev)
{
    struct seen6 *s = ctx;
    if (ev->flow != 1)
        return;
    if (strcmp(ev->host, "server") == 0 && ev->kind == TRACE_FUNC &&
        strcmp(ev->func, "ipv6_rcv") == 0 && ev->before.proto == IPPROTO_UDP) {
        s->server_udp++;
        s->server_hop_limit = ev->before.ttl;
    }
    if (strcmp(ev->host, "router") != 0 || ev->before.proto != IPPROTO_UDP)
        return;
    if (ev->kind == TRACE_FUNC)
        g_string_append_printf(s->path, "%s ", ev->func);
    else if (ev->kind == TRACE_HOOK_EMPTY)
        g_string_append_printf(s->path, "[%s] ", nf_hook_name((unsigned)ev->hook));
}

static unsigned see_icmp6(void *priv, struct sk_buff *skb, const struct nf_hook_state *st)
{
    struct seen6 *s = priv;
    CU_ASSERT_EQUAL(st->pf, NFPROTO_IPV6);
    const struct ipv6hdr *h = ipv6_hdr(skb);
    if (h->nexthdr == NEXTHDR_ICMP) {
        const uint8_t *l4 = (const uint8_t *)h + sizeof *h;
        s->icmp6[l4[0]]++;
        s->icmp6_code[l4[0]] = l4[1];
        if (l4[0] == ICMPV6_PKT_TOOBIG)
            s->ptb_mtu = (uint32_t)l4[4] << 24 | (uint32_t)l4[5] << 16 | (uint32_t)l4[6] << 8 | l4[7];
    }
    return NF_ACCEPT;
}

static struct nf_hook_ops watch_ops(struct seen6 *s)
{
    return (struct nf_hook_ops){ .hook = see_icmp6, .name = "icmp6_watch", .owner = "test",
                                 .priv = s, .pf = NFPROTO_IPV6, .hooknum = NF_INET_LOCAL_IN,
                                 .priority = NF_IP6_PRI_FILTER };
}

static void tap(struct host *h, const char *dev, const char *file)
{
    const char *dir = getenv("IPVSIM_PCAP6_DIR");
    if (!dir)
        return;
    char path[512], err[256];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    struct pcap_tap *t = pcap_tap_open(path, 0, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    host_dev(h, dev)->tap = t;
}

static void test_forward_after_nd(void)
{
    struct topo3 t;
    topo3_init6(&t, "6.x");
    struct seen6 s = { .path = g_string_new(NULL) };
    struct trace_sink sink = { emit, &s };
    host_net(t.router)->trace = &sink;
    host_net(t.server)->trace = &sink;
    struct nf_hook_ops w = watch_ops(&s);
    CU_ASSERT_EQUAL(nf_register_net_hook(host_net(t.client), &w), 0);
    tap(t.client, "eth0", "client-eth0.pcap");
    tap(t.server, "eth0", "server-eth0.pcap");

    CU_ASSERT_EQUAL(send_udp6(t.client, "2001:db8:2::2", 100, 64, 1), 0);
    /* The datagram waits for the router's MAC. */
    struct in6_addr r1 = A("2001:db8:1::1"), s2 = A("2001:db8:2::2"), c2 = A("2001:db8:1::2");
    CU_ASSERT_EQUAL(ndisc_neigh_state(host_net(t.client), host_dev(t.client, "eth0"), &r1, NULL),
                    NUD_INCOMPLETE);
    sim_run_until(&t.w.sim, 1 * SEC);

    struct netns_ipv6 *c = net_ipv6(host_net(t.client)), *r = net_ipv6(host_net(t.router)),
                      *sv = net_ipv6(host_net(t.server));
    uint8_t mac[ETH_ALEN];
    CU_ASSERT_EQUAL(ndisc_neigh_state(host_net(t.client), host_dev(t.client, "eth0"), &r1, mac),
                    NUD_REACHABLE);
    CU_ASSERT_EQUAL(memcmp(mac, host_dev(t.router, "eth0")->dev_addr, ETH_ALEN), 0);
    CU_ASSERT_EQUAL(ndisc_neigh_state(host_net(t.router), host_dev(t.router, "eth1"), &s2, NULL),
                    NUD_REACHABLE);
    /* The NS taught each solicited host its solicitor (STALE, from the option). */
    CU_ASSERT_EQUAL(ndisc_neigh_state(host_net(t.router), host_dev(t.router, "eth0"), &c2, NULL),
                    NUD_STALE);
    CU_ASSERT_EQUAL(c->mib.ndisc_ns_out, 1);
    CU_ASSERT_EQUAL(r->mib.ndisc_ns_out, 1);
    CU_ASSERT_EQUAL(sv->mib.ndisc_na_out, 1);
    /* The router solicited from its link-local address (the datagram's source is
     * not its own), so the server, answering through its gateway 2001:db8:2::1,
     * solicits that address in turn: two NA from the router. */
    CU_ASSERT_EQUAL(sv->mib.ndisc_ns_out, 1);
    CU_ASSERT_EQUAL(r->mib.ndisc_na_out, 2);

    /* Forwarded once each way: the datagram, then the server's port unreachable. */
    CU_ASSERT_EQUAL(s.server_udp, 1);
    CU_ASSERT_EQUAL(s.server_hop_limit, 63);
    CU_ASSERT_EQUAL(r->mib.out_forw_datagrams, 2);
    CU_ASSERT_EQUAL(s.icmp6[ICMPV6_DEST_UNREACH], 1);
    CU_ASSERT_EQUAL(s.icmp6_code[ICMPV6_DEST_UNREACH], ICMPV6_PORT_UNREACH);
    CU_ASSERT_EQUAL(s.icmp6[NDISC_NEIGHBOUR_ADVERTISEMENT], 1);
    CU_ASSERT_EQUAL(host_net(t.client)->mib.in_receives, 0);     /* nothing IPv4 */

    const char *want = "ipv6_rcv [PRE_ROUTING] ip6_rcv_finish ip6_forward [FORWARD] "
                       "ip6_forward_finish ip6_output [POST_ROUTING] ip6_finish_output "
                       "ip6_finish_output2 ";
    if (strcmp(s.path->str, want) != 0)
        fprintf(stderr, "\nrouter path: %s\n", s.path->str);
    CU_ASSERT_STRING_EQUAL(s.path->str, want);
    /* The hook points passed were the IPv6 table's: nothing there, nothing in IPv4's. */
    CU_ASSERT_EQUAL(nf_hook_entries_of_pf(host_net(t.client), NFPROTO_IPV6, NF_INET_LOCAL_IN)->num, 1);
    CU_ASSERT_EQUAL(nf_hook_entries_of(host_net(t.client), NF_INET_LOCAL_IN)->num, 0);
    nf_unregister_net_hook(host_net(t.client), &w);
    g_string_free(s.path, TRUE);
    world_destroy(&t.w);
}

static void test_packet_too_big(void)
{
    struct topo3 t;
    topo3_init6(&t, "6.x");
    host_dev(t.router, "eth1")->mtu = 1280;
    struct seen6 s = { .path = g_string_new(NULL) };
    struct nf_hook_ops w = watch_ops(&s);
    nf_register_net_hook(host_net(t.client), &w);
    /* 40 + 8 + 1352 = 1400 bytes: fits the client's link, not the server's. */
    CU_ASSERT_EQUAL(send_udp6(t.client, "2001:db8:2::2", 1352, 64, 1), 0);
    sim_run_until(&t.w.sim, 1 * SEC);
    struct netns_ipv6 *r = net_ipv6(host_net(t.router));
    CU_ASSERT_EQUAL(s.icmp6[ICMPV6_PKT_TOOBIG], 1);
    CU_ASSERT_EQUAL(s.ptb_mtu, 1280);
    CU_ASSERT_EQUAL(r->mib.in_too_big_errors, 1);
    CU_ASSERT_EQUAL(r->mib.out_forw_datagrams, 0);
    CU_ASSERT_EQUAL(r->mib.ndisc_ns_out, 0);       /* dropped before the next hop */
    /* 1280 bytes pass. */
    CU_ASSERT_EQUAL(send_udp6(t.client, "2001:db8:2::2", 1232, 64, 2), 0);
    sim_run_until(&t.w.sim, 2 * SEC);
    CU_ASSERT_EQUAL(r->mib.in_too_big_errors, 1);
    CU_ASSERT_EQUAL(r->mib.out_forw_datagrams, 2);  /* and the port unreachable back */
    nf_unregister_net_hook(host_net(t.client), &w);
    g_string_free(s.path, TRUE);
    world_destroy(&t.w);
}

/* n datagrams with hop limit 1 at once, then one more 300 ms later: how many Time
 * Exceeded come back. */
static void time_exceeded_burst(const char *era, int n, int *first, int *later)
{
    struct topo3 t;
    topo3_init6(&t, era);
    struct seen6 s = { .path = g_string_new(NULL) };
    struct nf_hook_ops w = watch_ops(&s);
    nf_register_net_hook(host_net(t.client), &w);
    /* The router's MAC first: 2.6.34 queues only 3 packets while it resolves. */
    send_udp6(t.client, "2001:db8:2::2", 10, 64, 2);
    sim_run_until(&t.w.sim, 1 * SEC);
    for (int i = 0; i < n; i++)
        send_udp6(t.client, "2001:db8:2::2", 10, 1, 1);
    sim_run_until(&t.w.sim, 1100 * MSEC);
    *first = s.icmp6[ICMPV6_TIME_EXCEED];
    CU_ASSERT_EQUAL(s.icmp6_code[ICMPV6_TIME_EXCEED], ICMPV6_EXC_HOPLIMIT);
    sim_run_until(&t.w.sim, 1400 * MSEC);
    send_udp6(t.client, "2001:db8:2::2", 10, 1, 1);
    sim_run_until(&t.w.sim, 1500 * MSEC);
    *later = s.icmp6[ICMPV6_TIME_EXCEED] - *first;
    CU_ASSERT_EQUAL(net_ipv6(host_net(t.router))->mib.icmp6_ratelimited,
                    (uint64_t)(n - *first + 1 - *later));
    nf_unregister_net_hook(host_net(t.client), &w);
    g_string_free(s.path, TRUE);
    world_destroy(&t.w);
}

static void test_time_exceeded_rate_limit_per_era(void)
{
    int first, later;
    /* A burst of 6 per destination in every era. */
    time_exceeded_burst("6.x", 10, &first, &later);
    CU_ASSERT_EQUAL(first, 6);
    /* 6.x: the route back is a /64, so the bucket refills in 1000 >> 2 = 250 ms. */
    CU_ASSERT_EQUAL(later, 1);
    time_exceeded_burst("4.9", 10, &first, &later);
    CU_ASSERT_EQUAL(first, 6);
    CU_ASSERT_EQUAL(later, 1);
    /* 2.6.34: a /128 cached clone, a whole second per token. */
    time_exceeded_burst("2.6.34", 10, &first, &later);
    CU_ASSERT_EQUAL(first, 6);
    CU_ASSERT_EQUAL(later, 0);
}

static void test_nd_failure_address_unreachable(void)
{
    struct topo3 t;
    topo3_init6(&t, "6.x");
    struct seen6 s = { .path = g_string_new(NULL) };
    struct nf_hook_ops w = watch_ops(&s);
    nf_register_net_hook(host_net(t.client), &w);
    CU_ASSERT_EQUAL(send_udp6(t.client, "2001:db8:1::99", 10, 64, 1), 0);
    struct netns_ipv6 *c = net_ipv6(host_net(t.client));
    sim_run_until(&t.w.sim, 2500 * MSEC);
    CU_ASSERT_EQUAL(c->mib.ndisc_ns_out, 3);        /* at 0, 1 and 2 s */
    CU_ASSERT_EQUAL(s.icmp6[ICMPV6_DEST_UNREACH], 0);
    sim_run_until(&t.w.sim, 3500 * MSEC);
    CU_ASSERT_EQUAL(c->mib.ndisc_ns_out, 3);
    struct in6_addr x = A("2001:db8:1::99");
    CU_ASSERT_EQUAL(ndisc_neigh_state(host_net(t.client), host_dev(t.client, "eth0"), &x, NULL),
                    NUD_FAILED);
    /* The queued datagram's error comes back to its own sender, through lo. */
    CU_ASSERT_EQUAL(s.icmp6[ICMPV6_DEST_UNREACH], 1);
    CU_ASSERT_EQUAL(s.icmp6_code[ICMPV6_DEST_UNREACH], ICMPV6_ADDR_UNREACH);
    nf_unregister_net_hook(host_net(t.client), &w);
    g_string_free(s.path, TRUE);
    world_destroy(&t.w);
}

static void test_nd_first_probe_per_era(void)
{
    /* 2.6.34 sends the first NS a jiffy after the packet; 3.3+ at once. */
    const char *eras[2] = { "2.6.34", "6.x" };
    for (int i = 0; i < 2; i++) {
        struct topo3 t;
        topo3_init6(&t, eras[i]);
        send_udp6(t.client, "2001:db8:2::2", 10, 64, 1);
        struct netns_ipv6 *c = net_ipv6(host_net(t.client));
        CU_ASSERT_EQUAL(c->mib.ndisc_ns_out, i == 0 ? 0u : 1u);
        sim_run_until(&t.w.sim, KERNEL_JIFFY);
        CU_ASSERT_EQUAL(c->mib.ndisc_ns_out, 1);
        world_destroy(&t.w);
    }
}

static void test_ipv6_off_and_bad_frames(void)
{
    struct topo3 t;
    topo3_init(&t);                 /* no IPv6 address anywhere */
    struct net *net = host_net(t.client);
    CU_ASSERT_PTR_NULL(net_ipv6(net));
    /* An IPv6 frame to a host without IPv6 is dropped (no inet6_dev). */
    struct sk_buff *skb = skb_alloc(net_pool(net), 0);
    struct ip6_spec ip = { .saddr = A("2001:db8::1"), .daddr = A("2001:db8::2") };
    CU_ASSERT_FATAL(pkt_build_udp6(skb, &ip, htons(1), htons(2), 0));
    const uint8_t *mac = host_dev(t.client, "eth0")->dev_addr;
    CU_ASSERT_FATAL(eth_push(skb, mac, mac, ETH_P_IPV6));
    netif_receive_skb(t.client, host_dev(t.client, "eth0"), skb);
    CU_ASSERT_EQUAL(net->mib.in_receives, 0);
    /* Addresses refused. */
    struct in6_addr mc = A("ff02::1"), any = {0}, ok = A("2001:db8::5");
    CU_ASSERT_FALSE(ipv6_add_addr(net, host_dev(t.client, "eth0"), &mc, 64));
    CU_ASSERT_FALSE(ipv6_add_addr(net, host_dev(t.client, "eth0"), &any, 64));
    host_dev(t.client, "eth0")->mtu = 1200;
    CU_ASSERT_FALSE(ipv6_add_addr(net, host_dev(t.client, "eth0"), &ok, 64));
    host_dev(t.client, "eth0")->mtu = 1500;
    CU_ASSERT_TRUE(ipv6_add_addr(net, host_dev(t.client, "eth0"), &ok, 64));
    struct in6_addr ll;
    ipv6_addr_linklocal_of(mac, &ll);
    CU_ASSERT_TRUE(ipv6_chk_addr(net, &ll, host_dev(t.client, "eth0")));
    /* Hop limit and header checks on receive. */
    struct netns_ipv6 *c = net_ipv6(net);
    skb = skb_alloc(net_pool(net), 0);
    ip.daddr = ok;
    ip.saddr = A("ff02::9");        /* a multicast source */
    CU_ASSERT_FATAL(pkt_build_udp6(skb, &ip, htons(1), htons(2), 0));
    CU_ASSERT_FATAL(eth_push(skb, mac, mac, ETH_P_IPV6));
    netif_receive_skb(t.client, host_dev(t.client, "eth0"), skb);
    CU_ASSERT_EQUAL(c->mib.in_receives, 1);
    CU_ASSERT_EQUAL(c->mib.in_hdr_errors, 1);
    world_destroy(&t.w);
}

static void test_hook_tables_per_family(void)
{
    struct topo3 t;
    topo3_init(&t);
    struct net *net = host_net(t.router);
    struct seen6 s;
    struct nf_hook_ops a = watch_ops(&s), b = watch_ops(&s), v4 = watch_ops(&s);
    b.priority = NF_IP6_PRI_MANGLE;
    v4.pf = NFPROTO_IPV4;
    CU_ASSERT_EQUAL(nf_register_net_hook(net, &a), 0);
    CU_ASSERT_EQUAL(nf_register_net_hook(net, &b), 0);
    CU_ASSERT_EQUAL(nf_register_net_hook(net, &a), -EEXIST);
    CU_ASSERT_EQUAL(nf_register_net_hook(net, &v4), 0);
    const struct nf_hook_entries *e6 = nf_hook_entries_of_pf(net, NFPROTO_IPV6, NF_INET_LOCAL_IN);
    CU_ASSERT_EQUAL(e6->num, 2);
    CU_ASSERT_PTR_EQUAL(e6->ops[0], &b);            /* -150 before 0 */
    CU_ASSERT_EQUAL(nf_hook_entries_of(net, NF_INET_LOCAL_IN)->num, 1);
    CU_ASSERT_PTR_EQUAL(nf_hook_entries_of_pf(net, NFPROTO_IPV4, NF_INET_LOCAL_IN)->ops[0], &v4);
    nf_unregister_net_hook(net, &b);
    CU_ASSERT_EQUAL(e6->num, 1);
    CU_ASSERT_EQUAL(nf_hook_entries_of(net, NF_INET_LOCAL_IN)->num, 1);
    nf_unregister_net_hook(net, &a);
    nf_unregister_net_hook(net, &v4);
    world_destroy(&t.w);
}

/* ND's own messages pass LOCAL_OUT and POST_ROUTING of the IPv6 table, as
 * ndisc_send_skb sends them (an ip6tables OUTPUT rule sees them in the kernel). */
static void test_nd_messages_pass_the_output_hooks(void)
{
    struct topo3 t;
    topo3_init6(&t, "6.x");
    struct seen6 out = {0}, post = {0};
    struct nf_hook_ops o = watch_ops(&out), p = watch_ops(&post);
    o.hooknum = NF_INET_LOCAL_OUT;
    p.hooknum = NF_INET_POST_ROUTING;
    nf_register_net_hook(host_net(t.client), &o);
    nf_register_net_hook(host_net(t.client), &p);
    send_udp6(t.client, "2001:db8:2::2", 10, 64, 1);
    sim_run_until(&t.w.sim, 1 * SEC);
    CU_ASSERT_EQUAL(out.icmp6[NDISC_NEIGHBOUR_SOLICITATION], 1);
    CU_ASSERT_EQUAL(post.icmp6[NDISC_NEIGHBOUR_SOLICITATION], 1);
    nf_unregister_net_hook(host_net(t.client), &o);
    nf_unregister_net_hook(host_net(t.client), &p);
    world_destroy(&t.w);
}

/* A datagram from the client to the router with one 8-byte extension header of
 * type ext_type (a PadN option filling it) between the fixed header and UDP, whose
 * next header says ul. */
static void send_with_exthdr(struct host *h, uint8_t ext_type, uint8_t ul)
{
    struct net *net = host_net(h);
    struct ip6_spec ip = { .saddr = A("2001:db8:1::2"), .daddr = A("2001:db8:1::1") };
    struct sk_buff *skb = skb_alloc(net_pool(net), 0);
    CU_ASSERT_FATAL(pkt_build_udp6(skb, &ip, htons(40000), htons(53), 0));
    /* 8 bytes of extension header between the fixed header and UDP */
    uint8_t udp[8];
    memcpy(udp, skb->data + 40, 8);
    uint8_t *tail = skb_put(skb, 8);
    CU_ASSERT_PTR_NOT_NULL_FATAL(tail);
    const uint8_t ext[8] = { ul, 0, 1, 4, 0, 0, 0, 0 };     /* PadN over 6 bytes */
    memcpy(skb->data + 40, ext, 8);
    memcpy(skb->data + 48, udp, 8);
    skb->data[6] = ext_type;
    skb->data[5] = 16;
    skb->dst = ip6_route_output(net, &ip.daddr);
    CU_ASSERT_EQUAL(ip6_local_out(net, skb), 0);
}

static void test_extension_headers_at_delivery(void)
{
    struct topo3 t;
    topo3_init6(&t, "6.x");
    struct seen6 s = {0};
    struct nf_hook_ops w = watch_ops(&s);
    nf_register_net_hook(host_net(t.client), &w);
    struct netns_ipv6 *r = net_ipv6(host_net(t.router));
    /* Hop-by-hop, then UDP: stepped over, the port unreachable comes back. */
    send_with_exthdr(t.client, NEXTHDR_HOP, IPPROTO_UDP);
    sim_run_until(&t.w.sim, 1 * SEC);
    CU_ASSERT_EQUAL(s.icmp6[ICMPV6_DEST_UNREACH], 1);
    CU_ASSERT_EQUAL(s.icmp6_code[ICMPV6_DEST_UNREACH], ICMPV6_PORT_UNREACH);
    /* Destination options, then UDP: the same. */
    send_with_exthdr(t.client, NEXTHDR_DEST, IPPROTO_UDP);
    sim_run_until(&t.w.sim, 2 * SEC);
    CU_ASSERT_EQUAL(s.icmp6[ICMPV6_DEST_UNREACH], 2);
    /* Destination options, then no next header: delivered to nobody, no error. */
    uint64_t delivered = r->mib.in_delivers;
    send_with_exthdr(t.client, NEXTHDR_DEST, NEXTHDR_NONE);
    sim_run_until(&t.w.sim, 3 * SEC);
    CU_ASSERT_EQUAL(r->mib.in_delivers, delivered + 1);
    CU_ASSERT_EQUAL(s.icmp6[ICMPV6_PARAMPROB], 0);
    /* A routing header: an unknown next header here, Parameter Problem code 1
     * pointing at the next-header byte that names it (offset 6). */
    send_with_exthdr(t.client, NEXTHDR_ROUTING, IPPROTO_UDP);
    sim_run_until(&t.w.sim, 4 * SEC);
    CU_ASSERT_EQUAL(s.icmp6[ICMPV6_PARAMPROB], 1);
    CU_ASSERT_EQUAL(s.icmp6_code[ICMPV6_PARAMPROB], ICMPV6_UNK_NEXTHDR);
    CU_ASSERT_EQUAL(r->mib.in_unknown_protos, 1);
    nf_unregister_net_hook(host_net(t.client), &w);
    world_destroy(&t.w);
}

static void test_echo_reply(void)
{
    struct topo3 t;
    topo3_init6(&t, "6.x");
    struct seen6 s = { .path = g_string_new(NULL) };
    struct nf_hook_ops w = watch_ops(&s);
    nf_register_net_hook(host_net(t.client), &w);
    struct net *net = host_net(t.client);
    struct ip6_spec ip = { .saddr = A("2001:db8:1::2"), .daddr = A("2001:db8:2::2") };
    struct sk_buff *skb = skb_alloc(net_pool(net), 0);
    CU_ASSERT_FATAL(pkt_build_icmp6(skb, &ip, ICMPV6_ECHO_REQUEST, 0, htonl(0x00010001), "abc", 3, 0));
    skb->dst = ip6_route_output(net, &ip.daddr);
    CU_ASSERT_EQUAL(ip6_local_out(net, skb), 0);
    sim_run_until(&t.w.sim, 1 * SEC);
    CU_ASSERT_EQUAL(s.icmp6[ICMPV6_ECHO_REPLY], 1);
    nf_unregister_net_hook(host_net(t.client), &w);
    g_string_free(s.path, TRUE);
    world_destroy(&t.w);
}

IPVSIM_SUITE(ipv6)
{
    CU_pSuite s = CU_add_suite("ipv6", NULL, NULL);
    ADD_TEST(s, test_forward_after_nd);
    ADD_TEST(s, test_packet_too_big);
    ADD_TEST(s, test_time_exceeded_rate_limit_per_era);
    ADD_TEST(s, test_nd_failure_address_unreachable);
    ADD_TEST(s, test_nd_first_probe_per_era);
    ADD_TEST(s, test_ipv6_off_and_bad_frames);
    ADD_TEST(s, test_hook_tables_per_family);
    ADD_TEST(s, test_nd_messages_pass_the_output_hooks);
    ADD_TEST(s, test_extension_headers_at_delivery);
    ADD_TEST(s, test_echo_reply);
}
