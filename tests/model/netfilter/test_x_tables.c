/* The x_tables extension registry (x_tables.c) and the kernel halves in xt/: every
 * extension is found by its own name, a rule keeps the pointers found when it
 * arrived, and a kernel half works from its match or target data alone (no
 * userspace involved). */
#include <string.h>
#include "model/ipv4/ip.h"
#include "model/net.h"
#include "model/netfilter/x_tables.h"
#include "model/user/iptables/iptables_parse.h"
#include "sim/pkt.h"
#include "tests/testutil.h"
#include "tests/topo.h"

static void test_registry_finds_every_extension(void)
{
    size_t n;
    const struct xt_match *const *matches = xt_registered_matches(&n);
    CU_ASSERT_TRUE(n >= 7);
    for (size_t i = 0; i < n; i++) {
        CU_ASSERT_PTR_EQUAL(xt_find_match(matches[i]->name), matches[i]);
        CU_ASSERT_PTR_NOT_NULL(matches[i]->match);
    }
    const struct xt_target *const *targets = xt_registered_targets(&n);
    CU_ASSERT_TRUE(n >= 8);
    for (size_t i = 0; i < n; i++) {
        CU_ASSERT_PTR_EQUAL(xt_find_target(targets[i]->name), targets[i]);
        /* only the standard target is acted on by ipt_do_table itself */
        CU_ASSERT_EQUAL(targets[i]->target == NULL, targets[i] == &xt_standard_target);
    }
    CU_ASSERT_PTR_EQUAL(xt_find_match("icmp"), &ipt_icmp_match);
    /* ACCEPT is userspace's name for the standard target; -j NOTRACK arrives as CT */
    CU_ASSERT_PTR_NULL(xt_find_target("ACCEPT"));
    CU_ASSERT_PTR_NULL(xt_find_target("NOTRACK"));
    CU_ASSERT_PTR_NULL(xt_find_match("set"));        /* ipset: out of scope */
}

static struct net *fw_new(struct world *w)
{
    world_init(w, 1);
    struct host *h = host_new(w, "fw");
    netdev_add_addr(host_add_dev(h, "eth0", 1500), topo_ip("10.0.0.1"), 24);
    return net_new(h, NULL);
}

static const struct ipt_entry *first_rule(struct net *net, const char *table, const char *chain)
{
    const struct xt_table *t = xt_table_find(net, table);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    return xt_chain_rule(xt_chain_find(t, chain), 1);
}

/* The pointers are the registry's, found once when the rule arrived. */
static void test_rule_keeps_its_extensions(void)
{
    struct world w;
    struct net *net = fw_new(&w);
    CU_ASSERT_EQUAL(iptables_apply(net, "-t mangle -A FORWARD -p tcp --dport 80 -m mark --mark 1 "
                                        "-j MARK --set-mark 2", NULL), 0);
    CU_ASSERT_EQUAL(iptables_apply(net, "-t raw -A PREROUTING -j NOTRACK", NULL), 0);
    const struct ipt_entry *e = first_rule(net, "mangle", "FORWARD");
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL_FATAL(e->nmatches, 2);
    CU_ASSERT_PTR_EQUAL(e->matches[0].match, xt_find_match("tcp"));
    CU_ASSERT_EQUAL(e->matches[0].data.tcp.dpts[0], 80);
    CU_ASSERT_PTR_EQUAL(e->matches[1].match, xt_find_match("mark"));
    CU_ASSERT_PTR_EQUAL(e->target.target, xt_find_target("MARK"));
    CU_ASSERT_EQUAL(e->target.data.mark.mark, 2);
    /* NOTRACK fills the kernel's CT target with --notrack */
    e = first_rule(net, "raw", "PREROUTING");
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_PTR_EQUAL(e->target.target, xt_find_target("CT"));
    CU_ASSERT_TRUE(e->target.data.ct.flags & XT_CT_NOTRACK);
    world_destroy(&w);
}

/* tcp_mt and mark_tg read their data through par, as ipt_do_table hands it. */
static void test_kernel_half_reads_its_data(void)
{
    struct world w;
    struct net *net = fw_new(&w);
    struct sk_buff *skb = skb_alloc(net_pool(net), net_now(net));
    struct ip4_spec ip = { .saddr = topo_ip("10.0.0.2"), .daddr = topo_ip("10.0.0.1") };
    struct tcp_spec tcp = { .sport = htons(1234), .dport = htons(80), .flags = TCPH_SYN };
    CU_ASSERT_TRUE_FATAL(pkt_build_tcp(skb, &ip, &tcp, 0));
    const struct iphdr *iph = ip_hdr(skb);
    struct xt_action_param par = {
        .skb = skb, .iph = iph, .l4 = (const uint8_t *)iph + ip_hdrlen(iph),
        .l4_len = sizeof(struct tcphdr),
    };
    struct xt_tcp port80 = { .spts = { 0, 0xffff }, .dpts = { 80, 80 } };
    struct xt_tcp port81 = { .spts = { 0, 0xffff }, .dpts = { 81, 81 } };
    struct xt_tcp syn = { .spts = { 0, 0xffff }, .dpts = { 0, 0xffff }, .flg_mask = 0x17,
                          .flg_cmp = 0x02 };
    const struct xt_match *m = xt_find_match("tcp");
    par.matchinfo = &port80;
    CU_ASSERT_TRUE(m->match(skb, &par));
    par.matchinfo = &port81;
    CU_ASSERT_FALSE(m->match(skb, &par));
    par.matchinfo = &syn;
    CU_ASSERT_TRUE(m->match(skb, &par));
    CU_ASSERT_FALSE(par.hotdrop);

    skb->mark = 0xf0;
    struct xt_mark_tginfo2 set = { .mark = 0x5, .mask = 0xf };
    par.targinfo = &set;
    CU_ASSERT_EQUAL(xt_find_target("MARK")->target(skb, &par), XT_CONTINUE);
    CU_ASSERT_EQUAL(skb->mark, 0xf5);
    consume_skb(net, skb);
    world_destroy(&w);
}

/* icmp_match (net/ipv4/netfilter/ip_tables.c) reads a whole struct icmphdr, 8 bytes,
 * with skb_header_pointer: a shorter ICMP header is dropped (hotdrop), not matched. */
static void test_icmp_match_needs_a_whole_header(void)
{
    uint8_t l4[8] = { 8, 0 };           /* echo request */
    struct ipt_icmp echo = { .type = 8, .code = { 0, 0xff } };
    struct xt_action_param par = { .l4 = l4, .l4_len = 8, .matchinfo = &echo };
    const struct xt_match *m = xt_find_match("icmp");
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_TRUE(m->match(NULL, &par));
    CU_ASSERT_FALSE(par.hotdrop);
    par.l4_len = 7;
    CU_ASSERT_FALSE(m->match(NULL, &par));
    CU_ASSERT_TRUE(par.hotdrop);
}

/* multiport_mt (net/netfilter/xt_multiport.c, ports_match_v1): the first slot that
 * matches decides; a range takes two slots; either port for --ports; fewer than the
 * four bytes of the two ports is a hotdrop; a later fragment never matches. */
static bool multiport_on(const struct xt_multiport_v1 *info, uint16_t sport, uint16_t dport,
                         uint32_t l4_len, unsigned fragoff, bool *hotdrop)
{
    uint8_t l4[8] = { (uint8_t)(sport >> 8), (uint8_t)sport, (uint8_t)(dport >> 8), (uint8_t)dport };
    struct xt_action_param par = { .l4 = l4, .l4_len = l4_len, .matchinfo = info,
                                   .fragoff = fragoff };
    bool r = xt_find_match("multiport")->match(NULL, &par);
    *hotdrop = par.hotdrop;
    return r;
}

static void test_multiport_match(void)
{
    bool hd;
    struct xt_multiport_v1 web = { .flags = XT_MULTIPORT_DESTINATION, .count = 4,
                                   .ports = { 80, 443, 8000, 8080 }, .pflags = { 0, 0, 1, 0 } };
    CU_ASSERT_PTR_NOT_NULL_FATAL(xt_find_match("multiport"));
    CU_ASSERT_TRUE(multiport_on(&web, 40000, 80, 8, 0, &hd));
    CU_ASSERT_TRUE(multiport_on(&web, 40000, 443, 8, 0, &hd));
    CU_ASSERT_TRUE(multiport_on(&web, 40000, 8000, 8, 0, &hd));
    CU_ASSERT_TRUE(multiport_on(&web, 40000, 8042, 8, 0, &hd));
    CU_ASSERT_TRUE(multiport_on(&web, 40000, 8080, 8, 0, &hd));
    CU_ASSERT_FALSE(multiport_on(&web, 40000, 8081, 8, 0, &hd));
    CU_ASSERT_FALSE(multiport_on(&web, 80, 81, 8, 0, &hd));         /* the source is not looked at */
    CU_ASSERT_FALSE(hd);
    web.flags = XT_MULTIPORT_SOURCE;
    CU_ASSERT_TRUE(multiport_on(&web, 443, 1, 8, 0, &hd));
    CU_ASSERT_FALSE(multiport_on(&web, 1, 443, 8, 0, &hd));
    web.flags = XT_MULTIPORT_EITHER;
    CU_ASSERT_TRUE(multiport_on(&web, 443, 1, 8, 0, &hd));
    CU_ASSERT_TRUE(multiport_on(&web, 1, 8050, 8, 0, &hd));
    CU_ASSERT_FALSE(multiport_on(&web, 1, 2, 8, 0, &hd));
    web.invert = 1;
    CU_ASSERT_FALSE(multiport_on(&web, 1, 8050, 8, 0, &hd));
    CU_ASSERT_TRUE(multiport_on(&web, 1, 2, 8, 0, &hd));
    /* a fragment after the first: no match, no drop; a header under 4 bytes: hotdrop */
    CU_ASSERT_FALSE(multiport_on(&web, 1, 2, 8, 1, &hd));
    CU_ASSERT_FALSE(hd);
    CU_ASSERT_FALSE(multiport_on(&web, 1, 2, 3, 0, &hd));
    CU_ASSERT_TRUE(hd);
}

static void keep_note(void *ctx, const struct trace_event *ev)
{
    if (ev->kind == TRACE_NOTE && ev->detail)
        g_strlcpy(ctx, ev->detail, 256);
}

/* The LOG line as dump_ipv4_packet (nf_log_syslog.c) prints it: the TOS bits and the
 * precedence apart (tos 0xb8, DSCP EF: TOS=0x18 PREC=0xA0). */
static void test_log_line_splits_tos_and_precedence(void)
{
    struct world w;
    struct net *net = fw_new(&w);
    /* a LOG rule loads the x_tables of the net (the target itself is called by hand) */
    CU_ASSERT_EQUAL_FATAL(iptables_apply(net, "-A INPUT -j LOG", NULL), 0);
    struct sk_buff *skb = skb_alloc(net_pool(net), net_now(net));
    struct ip4_spec ip = { .saddr = topo_ip("10.0.0.2"), .daddr = topo_ip("10.0.0.1"),
                           .ttl = 64, .tos = 0xb8 };
    struct tcp_spec tcp = { .sport = htons(1234), .dport = htons(80), .flags = TCPH_SYN };
    CU_ASSERT_TRUE_FATAL(pkt_build_tcp(skb, &ip, &tcp, 0));
    const struct iphdr *iph = ip_hdr(skb);
    struct xt_log_info info = { .level = 4, .prefix = "x: " };
    struct nf_hook_state st = { .hook = NF_INET_LOCAL_IN, .net = net };
    struct xt_action_param par = { .skb = skb, .iph = iph,
                                   .l4 = (const uint8_t *)iph + ip_hdrlen(iph),
                                   .l4_len = sizeof(struct tcphdr), .state = &st,
                                   .targinfo = &info };
    char line[256] = "";
    struct trace_sink sink = { .emit = keep_note, .ctx = line };
    net->trace = &sink;
    CU_ASSERT_EQUAL(xt_find_target("LOG")->target(skb, &par), XT_CONTINUE);
    net->trace = NULL;
    CU_ASSERT_PTR_NOT_NULL(strstr(line, " LEN=40 TOS=0x18 PREC=0xA0 TTL=64 ID="));
    consume_skb(net, skb);
    world_destroy(&w);
}

IPVSIM_SUITE(x_tables)
{
    CU_pSuite s = CU_add_suite("x_tables", NULL, NULL);
    ADD_TEST(s, test_registry_finds_every_extension);
    ADD_TEST(s, test_rule_keeps_its_extensions);
    ADD_TEST(s, test_kernel_half_reads_its_data);
    ADD_TEST(s, test_icmp_match_needs_a_whole_header);
    ADD_TEST(s, test_multiport_match);
    ADD_TEST(s, test_log_line_splits_tos_and_precedence);
}
