/* The IPVS packet path end to end on the LVS topology: NAT, DR and TUN, checked on
 * the bytes the real servers and the client receive. */
#include <string.h>
#include "app/report/trace_text.h"
#include "model/ipv4/ip.h"
#include "model/ipvs/ip_vs_conn.h"
#include "model/ipvs/ip_vs_core.h"
#include "model/ipvs/ip_vs_ctl.h"
#include "model/ipv4/sock.h"
#include "sim/csum.h"
#include "tests/golden.h"
#include "tests/testutil.h"
#include "tests/topo_lvs.h"

/* A real server's UDP echo: it answers from the address the datagram was sent to
 * (the VIP for DR and TUN, its own address for NAT). */
struct echo {
    int got;
    be32 saw_daddr;                 /* daddr as the server saw it */
    be16 saw_dport;
    uint8_t saw_ttl;
    bool csum_ok;
};

static void rs_echo(struct net *net, struct sk_buff *skb, void *ctx)
{
    struct echo *e = ctx;
    const struct iphdr *iph = ip_hdr(skb);
    const struct udphdr *uh = (const struct udphdr *)skb->data;
    e->got++;
    e->saw_daddr = iph->daddr;
    e->saw_dport = uh->dest;
    e->saw_ttl = iph->ttl;
    e->csum_ok = ip_fast_csum(iph, ip_hdrlen(iph) / 4) == 0;
    be32 to = iph->saddr, from = iph->daddr;
    be16 sport = uh->dest, dport = uh->source;
    consume_skb(net, skb);
    struct rtable *rt = ip_route_output(net, to);
    struct ip4_spec ip = { .saddr = from, .daddr = to, .ttl = 64 };
    struct sk_buff *r = skb_alloc(net_pool(net), net_now(net));
    pkt_build_udp(r, &ip, sport, dport, 30);
    r->dst = rt;
    ip_local_out(net, r);
}

struct reply {
    int got;
    be32 from;
    be16 sport;
};

static void client_rx(struct net *net, struct sk_buff *skb, void *ctx)
{
    struct reply *r = ctx;
    r->got++;
    r->from = ip_hdr(skb)->saddr;
    r->sport = ((const struct udphdr *)skb->data)->source;
    consume_skb(net, skb);
}

struct lvs_case {
    struct topo_lvs t;
    struct echo echo[2];
    struct reply reply;
};

static void lvs_case_init(struct lvs_case *c, enum topo_fwd fwd, const char *era,
                          const char *const *ipvsadm)
{
    memset(c, 0, sizeof *c);
    topo_lvs_init(&c->t, fwd, era);
    for (int i = 0; i < 2; i++)
        sock_bind(host_net(c->t.rs[i]), IPPROTO_UDP, 0, rs_echo, &c->echo[i]);
    sock_bind(host_net(c->t.client), IPPROTO_UDP, 0, client_rx, &c->reply);
    topo_lvs_ipvsadm(&c->t, ipvsadm);
}

static void send_queries(struct lvs_case *c, int n)
{
    for (int i = 0; i < n; i++)
        topo_send_udp(c->t.client, TOPO_VIP, (uint16_t)(40000 + i), 53, 20, 64);
    sim_run_until(&c->t.w.sim, 1 * SEC);
}

static void test_nat_udp_roundtrip(void)
{
    static const char *const cfg[] = {
        "-A -u 203.0.113.10:53 -s rr",
        "-a -u 203.0.113.10:53 -r 192.0.2.11:5353 -m",
        "-a -u 203.0.113.10:53 -r 192.0.2.12:5353 -m",
        NULL,
    };
    struct lvs_case c;
    lvs_case_init(&c, TOPO_NAT, "6.x", cfg);
    send_queries(&c, 4);
    /* rr over the list rs2, rs1 (newest first): two each. */
    CU_ASSERT_EQUAL(c.echo[0].got, 2);
    CU_ASSERT_EQUAL(c.echo[1].got, 2);
    /* NAT rewrote destination address and port; checksums stayed valid (the
     * server's socket layer checks the UDP checksum). */
    CU_ASSERT_EQUAL(c.echo[0].saw_daddr, topo_ip("192.0.2.11"));
    CU_ASSERT_EQUAL(c.echo[0].saw_dport, htons(5353));
    CU_ASSERT_TRUE(c.echo[0].csum_ok);
    CU_ASSERT_EQUAL(host_net(c.t.rs[0])->socks->stats.csum_errors, 0);
    /* Two routers on the way: 64 - gw - director. */
    CU_ASSERT_EQUAL(c.echo[0].saw_ttl, 62);
    /* Replies were SNATed back to VIP:53 by the director. */
    CU_ASSERT_EQUAL(c.reply.got, 4);
    CU_ASSERT_EQUAL(c.reply.from, topo_ip(TOPO_VIP));
    CU_ASSERT_EQUAL(c.reply.sport, htons(53));
    CU_ASSERT_EQUAL(host_net(c.t.client)->socks->stats.csum_errors, 0);
    struct netns_ipvs *ipvs = ip_vs_net(host_net(c.t.lvs));
    CU_ASSERT_EQUAL(ipvs->tot_stats.c.conns, 4);
    CU_ASSERT_EQUAL(ipvs->tot_stats.c.inpkts, 4);
    CU_ASSERT_EQUAL(ipvs->tot_stats.c.outpkts, 4);
    /* UDP connections are never active. */
    struct ip_vs_service *svc = ip_vs_service_get(ipvs, IPPROTO_UDP, topo_ip(TOPO_VIP), htons(53), 0);
    struct ip_vs_dest *d = ip_vs_lookup_dest(svc, topo_ip("192.0.2.11"), htons(5353));
    CU_ASSERT_EQUAL(d->activeconns, 0);
    CU_ASSERT_EQUAL(d->inactconns, 2);
    world_destroy(&c.t.w);
}

static void test_dr_udp(void)
{
    static const char *const cfg[] = {
        "-A -u 203.0.113.10:53 -s rr",
        "-a -u 203.0.113.10:53 -r 192.0.2.11 -g",
        "-a -u 203.0.113.10:53 -r 192.0.2.12 -g",
        NULL,
    };
    struct lvs_case c;
    lvs_case_init(&c, TOPO_DR, "6.x", cfg);
    send_queries(&c, 2);
    CU_ASSERT_EQUAL(c.echo[0].got + c.echo[1].got, 2);
    /* DR leaves the IP header alone: the server sees the VIP. */
    CU_ASSERT_EQUAL(c.echo[0].saw_daddr, topo_ip(TOPO_VIP));
    CU_ASSERT_EQUAL(c.echo[0].saw_dport, htons(53));
    /* Replies go straight back through the router, from the VIP. */
    CU_ASSERT_EQUAL(c.reply.got, 2);
    CU_ASSERT_EQUAL(c.reply.from, topo_ip(TOPO_VIP));
    struct netns_ipvs *ipvs = ip_vs_net(host_net(c.t.lvs));
    CU_ASSERT_EQUAL(ipvs->tot_stats.c.outpkts, 0);      /* never saw the replies */
    CU_ASSERT_EQUAL(host_net(c.t.lvs)->mib.forw_datagrams, 0);
    world_destroy(&c.t.w);
}

static void test_tun_udp(void)
{
    static const char *const cfg[] = {
        "-A -u 203.0.113.10:53 -s rr",
        "-a -u 203.0.113.10:53 -r 192.0.2.11 -i",
        NULL,
    };
    struct lvs_case c;
    lvs_case_init(&c, TOPO_TUN, "6.x", cfg);
    send_queries(&c, 3);
    CU_ASSERT_EQUAL(c.echo[0].got, 3);
    CU_ASSERT_EQUAL(c.echo[0].saw_daddr, topo_ip(TOPO_VIP));     /* inner packet intact */
    CU_ASSERT_EQUAL(c.reply.got, 3);
    CU_ASSERT_EQUAL(c.reply.from, topo_ip(TOPO_VIP));
    CU_ASSERT_EQUAL(host_dev(c.t.rs[0], "tunl0")->stats.rx_packets, 3);
    world_destroy(&c.t.w);
}

static void test_no_dest_port_unreachable(void)
{
    static const char *const cfg[] = { "-A -t 203.0.113.10:80 -s rr", NULL };
    struct lvs_case c;
    lvs_case_init(&c, TOPO_NAT, "6.x", cfg);
    /* A TCP SYN to a service without dests gets ICMP port unreachable, not a RST. */
    struct net *net = host_net(c.t.client);
    struct rtable *rt = ip_route_output(net, topo_ip(TOPO_VIP));
    struct ip4_spec ip = { .saddr = rt->prefsrc, .daddr = topo_ip(TOPO_VIP), .ttl = 64 };
    struct tcp_spec th = { .sport = htons(40000), .dport = htons(80), .seq = 1, .flags = TCPH_SYN };
    struct sk_buff *skb = skb_alloc(net_pool(net), 0);
    pkt_build_tcp(skb, &ip, &th, 0);
    skb->dst = rt;
    ip_local_out(net, skb);
    sim_run_until(&c.t.w.sim, 1 * SEC);
    CU_ASSERT_EQUAL(ip_vs_net(host_net(c.t.lvs))->core->leave_icmp, 1);
    CU_ASSERT_EQUAL(host_net(c.t.client)->socks->stats.icmp_in, 1);
    CU_ASSERT_EQUAL(host_net(c.t.client)->socks->stats.tcp_in, 0);
    world_destroy(&c.t.w);
}

static void test_hooks_registered_lazily_6x(void)
{
    struct lvs_case c;
    static const char *const none[] = { NULL };
    lvs_case_init(&c, TOPO_NAT, "6.x", none);
    struct net *net = host_net(c.t.lvs);
    ip_vs_net(net);
    CU_ASSERT_EQUAL(nf_hook_entries_of(net, NF_INET_LOCAL_IN)->num, 0);
    static const char *const add[] = { "-A -u 203.0.113.10:53", NULL };
    topo_lvs_ipvsadm(&c.t, add);
    CU_ASSERT_EQUAL(nf_hook_entries_of(net, NF_INET_LOCAL_IN)->num, 2);
    CU_ASSERT_EQUAL(nf_hook_entries_of(net, NF_INET_LOCAL_OUT)->num, 2);
    static const char *const del[] = { "-D -u 203.0.113.10:53", NULL };
    topo_lvs_ipvsadm(&c.t, del);
    CU_ASSERT_EQUAL(nf_hook_entries_of(net, NF_INET_LOCAL_IN)->num, 0);
    world_destroy(&c.t.w);
}

static void test_nat_udp_2_6_34(void)
{
    static const char *const cfg[] = {
        "-A -u 203.0.113.10:53 -s rr",
        "-a -u 203.0.113.10:53 -r 192.0.2.11:53 -m",
        NULL,
    };
    struct lvs_case c;
    lvs_case_init(&c, TOPO_NAT, "2.6.34", cfg);
    struct trace_text_sink ts;
    trace_text_sink_init(&ts);
    host_net(c.t.lvs)->trace = &ts.sink;
    send_queries(&c, 1);
    CU_ASSERT_EQUAL(c.echo[0].got, 1);
    CU_ASSERT_EQUAL(c.reply.got, 1);
    CU_ASSERT_EQUAL(c.reply.from, topo_ip(TOPO_VIP));
    /* The 2.6 POST_ROUTING shortcut: ip_vs_post_routing stops the walk for IPVS's
     * packets (NF_STOP: accept, skip the rest). */
    CU_ASSERT_PTR_NOT_NULL(strstr(ts.text->str, "POST_ROUTING 99 ip_vs_post_routing [ip_vs] STOP"));
    trace_text_sink_free(&ts);
    world_destroy(&c.t.w);
}

/* What the client saw of an ICMP error. */
struct seen_err {
    int got;
    be32 from, quoted_daddr;
    be16 quoted_dport;
};

static void client_icmp(struct net *net, struct sk_buff *skb, void *ctx)
{
    struct seen_err *e = ctx;
    const struct iphdr *q = (const struct iphdr *)(skb->data + sizeof(struct icmphdr));
    e->got++;
    e->from = ip_hdr(skb)->saddr;
    e->quoted_daddr = q->daddr;
    memcpy(&e->quoted_dport, (const uint8_t *)q + ip_hdrlen(q) + 2, 2);
    consume_skb(net, skb);
}

static void test_nat_icmp_error_rewritten(void)
{
    /* The real server has no UDP socket: its port unreachable goes back through the
     * director, which makes it come from VIP:53 (ip_vs_out_icmp). */
    static const char *const cfg[] = {
        "-A -u 203.0.113.10:53 -s rr", "-a -u 203.0.113.10:53 -r 192.0.2.11:5353 -m", NULL,
    };
    struct topo_lvs t;
    topo_lvs_init(&t, TOPO_NAT, "6.x");
    topo_lvs_ipvsadm(&t, cfg);
    struct seen_err e = {0};
    sock_bind(host_net(t.client), IPPROTO_ICMP, 0, client_icmp, &e);
    topo_send_udp(t.client, TOPO_VIP, 40000, 53, 20, 64);
    sim_run_until(&t.w.sim, 1 * SEC);
    CU_ASSERT_EQUAL(e.got, 1);
    CU_ASSERT_EQUAL(e.from, topo_ip(TOPO_VIP));
    CU_ASSERT_EQUAL(e.quoted_daddr, topo_ip(TOPO_VIP));
    CU_ASSERT_EQUAL(e.quoted_dport, htons(53));
    CU_ASSERT_EQUAL(host_net(t.client)->socks->stats.csum_errors, 0);
    world_destroy(&t.w);
}

/* nat_icmp_send: a NAT real server's packet with no connection is answered with a
 * port unreachable and dropped; without the sysctl it is forwarded unchanged. */
static void nat_icmp_case(int sysctl_on, int *client_got, uint64_t *rs_icmp)
{
    static const char *const cfg[] = {
        "-A -u 203.0.113.10:53 -s rr", "-a -u 203.0.113.10:53 -r 192.0.2.11:5353 -m", NULL,
    };
    struct topo_lvs t;
    topo_lvs_init(&t, TOPO_NAT, "6.x");
    topo_lvs_ipvsadm(&t, cfg);
    ip_vs_net(host_net(t.lvs))->sysctl.nat_icmp_send = sysctl_on;
    struct reply r = {0};
    sock_bind(host_net(t.client), IPPROTO_UDP, 0, client_rx, &r);
    struct net *rs = host_net(t.rs[0]);
    struct rtable *rt = ip_route_output(rs, topo_ip("10.0.1.2"));
    struct ip4_spec ip = { .saddr = topo_ip("192.0.2.11"), .daddr = topo_ip("10.0.1.2"), .ttl = 64 };
    struct sk_buff *skb = skb_alloc(net_pool(rs), 0);
    pkt_build_udp(skb, &ip, htons(5353), htons(40000), 10);
    skb->dst = rt;
    ip_local_out(rs, skb);
    sim_run_until(&t.w.sim, 1 * SEC);
    *client_got = r.got;
    *rs_icmp = rs->socks->stats.icmp_in;
    world_destroy(&t.w);
}

static void test_nat_icmp_send(void)
{
    int got;
    uint64_t icmp;
    nat_icmp_case(0, &got, &icmp);
    CU_ASSERT_EQUAL(got, 1);            /* forwarded as it was */
    CU_ASSERT_EQUAL(icmp, 0);
    nat_icmp_case(1, &got, &icmp);
    CU_ASSERT_EQUAL(got, 0);            /* dropped at the director */
    CU_ASSERT_EQUAL(icmp, 1);           /* the server heard port unreachable */
}

/* The director's view of one NAT request and its reply, pinned as a golden trace. */
static void golden_director_trace(enum topo_fwd fwd, const char *const *cfg, const char *golden)
{
    struct lvs_case c;
    lvs_case_init(&c, fwd, "6.x", cfg);
    struct trace_text_sink ts;
    trace_text_sink_init(&ts);
    host_net(c.t.lvs)->trace = &ts.sink;
    send_queries(&c, 1);
    CU_ASSERT_EQUAL(c.reply.got, 1);
    CU_ASSERT_TRUE(golden_check(golden, ts.text->str));
    trace_text_sink_free(&ts);
    world_destroy(&c.t.w);
}

static void test_golden_nat_trace(void)
{
    static const char *const cfg[] = {
        "-A -u 203.0.113.10:53 -s rr",
        "-a -u 203.0.113.10:53 -r 192.0.2.11:5353 -m",
        NULL,
    };
    golden_director_trace(TOPO_NAT, cfg, "ipvs_nat_udp.txt");
}

static void test_golden_tun_trace(void)
{
    static const char *const cfg[] = {
        "-A -u 203.0.113.10:53 -s rr",
        "-a -u 203.0.113.10:53 -r 192.0.2.11 -i",
        NULL,
    };
    golden_director_trace(TOPO_TUN, cfg, "ipvs_tun_udp.txt");
}

IPVSIM_SUITE(ipvs_core)
{
    CU_pSuite s = CU_add_suite("ipvs_core", NULL, NULL);
    ADD_TEST(s, test_nat_udp_roundtrip);
    ADD_TEST(s, test_dr_udp);
    ADD_TEST(s, test_tun_udp);
    ADD_TEST(s, test_no_dest_port_unreachable);
    ADD_TEST(s, test_hooks_registered_lazily_6x);
    ADD_TEST(s, test_nat_udp_2_6_34);
    ADD_TEST(s, test_nat_icmp_error_rewritten);
    ADD_TEST(s, test_nat_icmp_send);
    ADD_TEST(s, test_golden_nat_trace);
    ADD_TEST(s, test_golden_tun_trace);
}
