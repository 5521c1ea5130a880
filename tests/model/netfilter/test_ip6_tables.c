/* ip6_tables: the IPv6 tables on the IPv6 hook table at the NF_IP6_PRI_* priorities
 * with each era's hook function names (ip6table_*_hook up to 5.x, ip6t_do_table in
 * 6.x, ip6table_mangle_hook always; the raw table at NF_IP6_PRI_FIRST before 3.10),
 * nothing on IPv4's; ip6t_do_table on a router of
 * client -- router -- server with IPv6 addresses (a forwarded UDP datagram dropped or
 * let through by prefix and port, ICMPv6 neighbour solicitations counted by
 * --icmpv6-type at INPUT), and ipv6_find_hdr's walk past a hop-by-hop header and a
 * later fragment. The files under test: model/netfilter/ip_tables.c (ip6t_do_table,
 * ip6_packet_match, icmp6_match), iptable_tables.c (the ip6table_* registrations). */
#include <string.h>
#include "model/ipv6/ipv6.h"
#include "model/net.h"
#include "model/netfilter/core.h"
#include "model/netfilter/netfilter_ipv6.h"
#include "model/netfilter/x_tables.h"
#include "model/profile.h"
#include "model/user/iptables/iptables_parse.h"
#include "sim/in6.h"
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

static void apply_ok(struct net *net, const char *line)
{
    struct xt_error err;
    int r = iptables_apply(net, line, &err);
    if (r)
        fprintf(stderr, "\n  %s: %s\n", line, err.msg);
    CU_ASSERT_EQUAL_FATAL(r, 0);
}

/* ---- the hook table per family -------------------------------------------------------- */

struct want_op {
    const char *name, *owner;
    int priority;
};

static void check_point(const struct net *net, unsigned hook, const struct want_op *want,
                        unsigned n)
{
    const struct nf_hook_entries *e = nf_hook_entries_of_pf(net, NFPROTO_IPV6, hook);
    CU_ASSERT_EQUAL_FATAL(e->num, n);
    for (unsigned i = 0; i < n; i++) {
        CU_ASSERT_STRING_EQUAL(e->ops[i]->name, want[i].name);
        CU_ASSERT_STRING_EQUAL(e->ops[i]->owner, want[i].owner);
        CU_ASSERT_EQUAL(e->ops[i]->priority, want[i].priority);
        CU_ASSERT_EQUAL(e->ops[i]->pf, NFPROTO_IPV6);
    }
    CU_ASSERT_EQUAL(nf_hook_entries_of(net, hook)->num, 0);     /* IPv4's: untouched */
}

static void load_four(struct net *net)
{
    apply_ok(net, "ip6tables -t raw -A PREROUTING -j ACCEPT");
    apply_ok(net, "ip6tables -t mangle -A PREROUTING -j ACCEPT");
    apply_ok(net, "ip6tables -A INPUT -j ACCEPT");
    apply_ok(net, "ip6tables -t security -A INPUT -j ACCEPT");
}

static void test_hook_table_5_10(void)
{
    struct world w;
    world_init(&w, 1);
    struct net *net = net_new(host_new(&w, "fw"), kernel_profile_find("5.10"));
    load_four(net);
    static const struct want_op pre[] = {
        { "ip6table_raw_hook", "ip6table_raw", NF_IP6_PRI_RAW },
        { "ip6table_mangle_hook", "ip6table_mangle", NF_IP6_PRI_MANGLE },
    };
    static const struct want_op in[] = {
        { "ip6table_mangle_hook", "ip6table_mangle", NF_IP6_PRI_MANGLE },
        { "ip6table_filter_hook", "ip6table_filter", NF_IP6_PRI_FILTER },
        { "ip6table_security_hook", "ip6table_security", NF_IP6_PRI_SECURITY },
    };
    static const struct want_op post[] = {
        { "ip6table_mangle_hook", "ip6table_mangle", NF_IP6_PRI_MANGLE },
    };
    check_point(net, NF_INET_PRE_ROUTING, pre, 2);
    check_point(net, NF_INET_LOCAL_IN, in, 3);
    check_point(net, NF_INET_POST_ROUTING, post, 1);
    CU_ASSERT_EQUAL(NF_IP6_PRI_RAW, -300);
    CU_ASSERT_EQUAL(NF_IP6_PRI_SECURITY, 50);
    world_destroy(&w);
}

/* 6.x: ip6t_do_table is the hook function of raw, filter and security. */
static void test_hook_table_6x(void)
{
    struct world w;
    world_init(&w, 1);
    struct net *net = net_new(host_new(&w, "fw"), kernel_profile_find("6.x"));
    load_four(net);
    static const struct want_op out[] = {
        { "ip6t_do_table", "ip6table_raw", NF_IP6_PRI_RAW },
        { "ip6table_mangle_hook", "ip6table_mangle", NF_IP6_PRI_MANGLE },
        { "ip6t_do_table", "ip6table_filter", NF_IP6_PRI_FILTER },
        { "ip6t_do_table", "ip6table_security", NF_IP6_PRI_SECURITY },
    };
    check_point(net, NF_INET_LOCAL_OUT, out, 4);
    /* an IPv4 table loaded later goes on IPv4's table only */
    apply_ok(net, "iptables -A INPUT -j ACCEPT");
    CU_ASSERT_EQUAL(nf_hook_entries_of(net, NF_INET_LOCAL_IN)->num, 1);
    CU_ASSERT_EQUAL(nf_hook_entries_of_pf(net, NFPROTO_IPV6, NF_INET_LOCAL_IN)->num, 3);
    world_destroy(&w);
}

/* 2.6.34: the raw table first of all (NF_IP6_PRI_FIRST), 3.10 on at -300. */
static void test_hook_table_raw_first(void)
{
    static const struct { const char *era; int prio; } cases[] = {
        { "2.6.34", NF_IP6_PRI_FIRST }, { "3.9", NF_IP6_PRI_FIRST }, { "3.10", NF_IP6_PRI_RAW },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        struct world w;
        world_init(&w, 1);
        const struct kernel_profile *prof = kernel_profile_find(cases[i].era);
        CU_ASSERT_PTR_NOT_NULL_FATAL(prof);
        struct net *net = net_new(host_new(&w, "fw"), prof);
        load_four(net);
        const struct want_op pre[] = {
            { "ip6table_raw_hook", "ip6table_raw", cases[i].prio },
            { "ip6table_mangle_hook", "ip6table_mangle", NF_IP6_PRI_MANGLE },
        };
        check_point(net, NF_INET_PRE_ROUTING, pre, 2);
        world_destroy(&w);
    }
}

/* ---- ip6t_do_table on a router ---------------------------------------------------------- */


static int send_udp6(struct host *h, const char *daddr, uint16_t dport)
{
    struct net *net = host_net(h);
    struct ip6_spec ip = { .daddr = A(daddr), .hop_limit = 64 };
    struct rt6_info *rt = ip6_route_output(net, &ip.daddr);
    if (!rt || !ipv6_dev_get_saddr(net, rt->dev, &ip.daddr, &ip.saddr))
        return -1;
    struct sk_buff *skb = skb_alloc(net_pool(net), net_now(net));
    if (!skb || !pkt_build_udp6(skb, &ip, htons(40000), htons(dport), 100)) {
        skb_free(net_pool(net), skb);
        return -1;
    }
    skb->dst = rt;
    return ip6_local_out(net, skb);
}

static void run_a_second(struct topo3 *t)
{
    sim_run_until(&t->w.sim, t->w.sim.now + 1 * SEC);
}

static unsigned count_udp(void *priv, struct sk_buff *skb, const struct nf_hook_state *st)
{
    (void)st;
    if (ipv6_hdr(skb)->nexthdr == NEXTHDR_UDP)
        (*(int *)priv)++;
    return NF_ACCEPT;
}

static const struct ipt_entry *rule(struct net *net, const char *table, const char *chain,
                                    unsigned n)
{
    return xt_chain_rule(xt_chain_find(xt_table_find_af(net, NFPROTO_IPV6, table), chain), n);
}

static void test_forward_filter(void)
{
    struct topo3 t;
    topo3_init6(&t, NULL);
    struct net *r = host_net(t.router);
    int at_server = 0;
    struct nf_hook_ops watch = { .hook = count_udp, .name = "udp_watch", .owner = "test",
                                 .priv = &at_server, .pf = NFPROTO_IPV6,
                                 .hooknum = NF_INET_PRE_ROUTING, .priority = NF_IP6_PRI_FIRST };
    CU_ASSERT_EQUAL(nf_register_net_hook(host_net(t.server), &watch), 0);
    apply_ok(r, "ip6tables -A FORWARD -s 2001:db8:1::/64 -p udp --dport 53 -j DROP");
    apply_ok(r, "ip6tables -A FORWARD -s 2001:db8:9::/64 -j DROP");      /* never hit */
    CU_ASSERT_EQUAL(send_udp6(t.client, "2001:db8:2::2", 53), 0);
    run_a_second(&t);
    CU_ASSERT_EQUAL(at_server, 0);
    CU_ASSERT_EQUAL(rule(r, "filter", "FORWARD", 1)->counters.pcnt, 1);
    CU_ASSERT_EQUAL(rule(r, "filter", "FORWARD", 1)->counters.bcnt, 40 + 8 + 100);
    /* another port passes the first rule, misses the second, leaves by the policy */
    CU_ASSERT_EQUAL(send_udp6(t.client, "2001:db8:2::2", 54), 0);
    run_a_second(&t);
    CU_ASSERT_EQUAL(at_server, 1);
    CU_ASSERT_EQUAL(rule(r, "filter", "FORWARD", 1)->counters.pcnt, 1);
    CU_ASSERT_EQUAL(rule(r, "filter", "FORWARD", 2)->counters.pcnt, 0);
    /* an ACCEPT inserted first lets port 53 through */
    apply_ok(r, "ip6tables -I FORWARD -d 2001:db8:2::2/128 -j ACCEPT");
    CU_ASSERT_EQUAL(send_udp6(t.client, "2001:db8:2::2", 53), 0);
    run_a_second(&t);
    CU_ASSERT_EQUAL(at_server, 2);
    CU_ASSERT_EQUAL(rule(r, "filter", "FORWARD", 1)->counters.pcnt, 1);
    /* the IPv4 table saw nothing and exists not */
    CU_ASSERT_PTR_NULL(xt_table_find(r, "filter"));
    world_destroy(&t.w);
}

/* The client's neighbour solicitation for the router reaches the router's INPUT;
 * --icmpv6-type counts it, echo-request does not match it. */
static void test_icmp6_type(void)
{
    struct topo3 t;
    topo3_init6(&t, NULL);
    struct net *r = host_net(t.router);
    apply_ok(r, "ip6tables -A INPUT -p icmpv6 --icmpv6-type echo-request");
    apply_ok(r, "ip6tables -A INPUT -p ipv6-icmp --icmpv6-type neighbour-solicitation");
    apply_ok(r, "ip6tables -A INPUT -p ipv6-icmp ! --icmpv6-type neighbour-solicitation");
    CU_ASSERT_EQUAL(send_udp6(t.client, "2001:db8:2::2", 53), 0);
    run_a_second(&t);
    CU_ASSERT_EQUAL(rule(r, "filter", "INPUT", 1)->counters.pcnt, 0);
    CU_ASSERT_TRUE(rule(r, "filter", "INPUT", 2)->counters.pcnt >= 1);
    /* the router's other ICMPv6 at INPUT: the server's neighbour advertisement */
    CU_ASSERT_TRUE(rule(r, "filter", "INPUT", 3)->counters.pcnt >= 1);
    world_destroy(&t.w);
}

/* ---- ipv6_find_hdr: extension headers before the transport header ------------------- */

/* An IPv6 packet by hand: the fixed header, then ext (its bytes), then a UDP header
 * to port 53. */
static struct sk_buff *hand_packet(struct world *w, struct net *net, const uint8_t *ext,
                                   uint32_t ext_len, uint8_t first_nexthdr)
{
    (void)w;
    struct sk_buff *skb = skb_alloc(net_pool(net), net_now(net));
    CU_ASSERT_PTR_NOT_NULL_FATAL(skb);
    skb_reset_network_header(skb);
    struct ipv6hdr *h = (struct ipv6hdr *)skb_put(skb, sizeof *h);
    memset(h, 0, sizeof *h);
    h->priority_version = 0x60;
    h->payload_len = htons((uint16_t)(ext_len + 8));
    h->nexthdr = first_nexthdr;
    h->hop_limit = 64;
    h->saddr = A("2001:db8:1::2");
    h->daddr = A("2001:db8:2::2");
    memcpy(skb_put(skb, ext_len), ext, ext_len);
    uint8_t *udp = skb_put(skb, 8);
    memset(udp, 0, 8);
    udp[2] = 0;
    udp[3] = 53;
    udp[5] = 8;
    return skb;
}

static void test_find_hdr(void)
{
    struct world w;
    world_init(&w, 1);
    struct net *net = net_new(host_new(&w, "fw"), NULL);
    apply_ok(net, "ip6tables -A INPUT -p udp --dport 53 -j DROP");
    struct xt_table *f = xt_table_find_af(net, NFPROTO_IPV6, "filter");
    struct nf_hook_state st = { .hook = NF_INET_LOCAL_IN, .pf = NFPROTO_IPV6, .net = net };
    /* hop-by-hop (8 bytes: next header UDP, length 0, a PadN option) */
    static const uint8_t hbh[8] = { NEXTHDR_UDP, 0, 1, 4, 0, 0, 0, 0 };
    struct sk_buff *skb = hand_packet(&w, net, hbh, sizeof hbh, NEXTHDR_HOP);
    CU_ASSERT_EQUAL(ip6t_do_table(f, skb, &st), NF_DROP);
    skb_free(net_pool(net), skb);
    /* a later fragment: the protocol its header names, but no ports to match */
    static const uint8_t frag[8] = { NEXTHDR_UDP, 0, 0x00, 0x08, 0, 0, 0, 1 };
    skb = hand_packet(&w, net, frag, sizeof frag, NEXTHDR_FRAGMENT);
    CU_ASSERT_EQUAL(ip6t_do_table(f, skb, &st), NF_ACCEPT);
    skb_free(net_pool(net), skb);
    /* a first fragment (offset 0): the UDP header follows and matches */
    static const uint8_t frag0[8] = { NEXTHDR_UDP, 0, 0x00, 0x01, 0, 0, 0, 2 };
    skb = hand_packet(&w, net, frag0, sizeof frag0, NEXTHDR_FRAGMENT);
    CU_ASSERT_EQUAL(ip6t_do_table(f, skb, &st), NF_DROP);
    skb_free(net_pool(net), skb);
    CU_ASSERT_EQUAL(rule(net, "filter", "INPUT", 1)->counters.pcnt, 2);
    world_destroy(&w);
}

IPVSIM_SUITE(ip6_tables)
{
    CU_pSuite s = CU_add_suite("ip6_tables", NULL, NULL);
    ADD_TEST(s, test_hook_table_5_10);
    ADD_TEST(s, test_hook_table_6x);
    ADD_TEST(s, test_hook_table_raw_first);
    ADD_TEST(s, test_forward_filter);
    ADD_TEST(s, test_icmp6_type);
    ADD_TEST(s, test_find_hdr);
}
