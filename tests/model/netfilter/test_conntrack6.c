/* Conntrack for IPv6 on a router of client -- router -- server with IPv6 addresses:
 * ipv6_conntrack_ops and nf_defrag_ipv6 at their NF_IP6_PRI_* priorities per era,
 * tuples holding address keys, a TCP handshake NEW / ESTABLISHED as ip6tables'
 * -m conntrack sees it, UDP answered by an ICMPv6 port unreachable RELATED to it,
 * echo request and reply (nf_conntrack_proto_icmpv6.c), neighbour discovery
 * untracked, and CT --notrack. NAT66 (suite nat66): a DNAT of a TCP SYN and its
 * reply un-NATed, MASQUERADE out of the router with the server's ICMPv6 error
 * translated back, every checksum good over the IPv6 pseudo-header, and the nat
 * hooks per era. The files under test: model/netfilter/nf_conntrack.c
 * (ipv6_conntrack_*, ipv6_get_l4proto), nf_conntrack_proto_icmpv6.c,
 * nf_defrag_ipv6.c, nf_nat_proto.c (nf_nat_ipv6_*, icmpv6_manip_pkt,
 * nf_nat_icmpv6_reply_translation), nf_nat_core.c (nf_nat_ipv6_register_fn,
 * nf_nat_masquerade_ipv6), iptable_tables.c (ip6table_nat). */
#include <string.h>
#include "model/ipv6/ipv6.h"
#include "model/net.h"
#include "model/netfilter/core.h"
#include "model/netfilter/netfilter_ipv6.h"
#include "model/netfilter/nf_conntrack_internal.h"
#include "model/netfilter/x_tables.h"
#include "model/profile.h"
#include "model/user/iptables/iptables_parse.h"
#include "sim/in6.h"
#include "sim/csum.h"
#include "sim/in6_key.h"
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


static void run_a_second(struct topo3 *t)
{
    sim_run_until(&t->w.sim, t->w.sim.now + 1 * SEC);
}

/* A TCP segment from h (source: h's address towards daddr). */
static int send_tcp6(struct host *h, const char *daddr, uint16_t sport, uint16_t dport,
                     uint8_t flags, uint32_t seq, uint32_t ack)
{
    struct net *net = host_net(h);
    struct ip6_spec ip = { .daddr = A(daddr), .hop_limit = 64 };
    struct rt6_info *rt = ip6_route_output(net, &ip.daddr);
    if (!rt || !ipv6_dev_get_saddr(net, rt->dev, &ip.daddr, &ip.saddr))
        return -1;
    struct tcp_spec tcp = { .sport = htons(sport), .dport = htons(dport), .seq = seq, .ack = ack,
                            .flags = flags, .window = 65535 };
    struct sk_buff *skb = skb_alloc(net_pool(net), net_now(net));
    if (!skb || !pkt_build_tcp6(skb, &ip, &tcp, 0)) {
        skb_free(net_pool(net), skb);
        return -1;
    }
    skb->dst = rt;
    return ip6_local_out(net, skb);
}

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

static int send_icmp6(struct host *h, const char *daddr, uint8_t type, uint16_t id)
{
    struct net *net = host_net(h);
    struct ip6_spec ip = { .daddr = A(daddr), .hop_limit = 64 };
    struct rt6_info *rt = ip6_route_output(net, &ip.daddr);
    if (!rt || !ipv6_dev_get_saddr(net, rt->dev, &ip.daddr, &ip.saddr))
        return -1;
    be32 rest = htonl((uint32_t)id << 16 | 1);     /* id, sequence 1 */
    struct sk_buff *skb = skb_alloc(net_pool(net), net_now(net));
    if (!skb || !pkt_build_icmp6(skb, &ip, type, 0, rest, NULL, 0, 0)) {
        skb_free(net_pool(net), skb);
        return -1;
    }
    skb->dst = rt;
    return ip6_local_out(net, skb);
}

/* ---- what the router's FORWARD saw ---------------------------------------------------- */

#define MAX_SEEN 16

struct seen {
    int n;
    uint8_t proto[MAX_SEEN];
    const char *state[MAX_SEEN];
    enum ip_conntrack_info info[MAX_SEEN];
    struct nf_conn *ct[MAX_SEEN];
};

static unsigned record(void *priv, struct sk_buff *skb, const struct nf_hook_state *st)
{
    struct seen *s = priv;
    (void)st;
    if (s->n == MAX_SEEN)
        return NF_ACCEPT;
    int i = s->n++;
    s->proto[i] = ipv6_hdr(skb)->nexthdr;
    s->state[i] = nf_ct_state_name(skb);
    s->ct[i] = nf_ct_get(skb, &s->info[i]);
    return NF_ACCEPT;
}

static struct nf_hook_ops recorder(struct seen *s)
{
    return (struct nf_hook_ops){ .hook = record, .name = "ct6_recorder", .owner = "test",
                                 .priv = s, .pf = NFPROTO_IPV6, .hooknum = NF_INET_FORWARD,
                                 .priority = NF_IP6_PRI_FILTER + 1 };
}

/* The ends' TCP does not answer (the test plays both ends). */
static unsigned drop_tcp(void *priv, struct sk_buff *skb, const struct nf_hook_state *st)
{
    (void)priv, (void)st;
    return ipv6_hdr(skb)->nexthdr == NEXTHDR_TCP ? NF_DROP : NF_ACCEPT;
}

static const struct ipt_entry *rule(struct net *net, const char *table, const char *chain,
                                    unsigned n)
{
    return xt_chain_rule(xt_chain_find(xt_table_find_af(net, NFPROTO_IPV6, table), chain), n);
}

/* ---- the hook table per era ------------------------------------------------------------ */

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
    }
}

/* ipv6_conntrack_ops: in at -200 on PRE_ROUTING and LOCAL_OUT after ipv6_defrag at
 * -400; confirmation at NF_IP6_PRI_LAST (POST_ROUTING) and NF_IP6_PRI_LAST - 1
 * (LOCAL_IN); ipv6_helper at 300 in 3.4 .. 5.0 only. IPv4's table stays empty. */
static void test_hooks_per_era(void)
{
    static const char *const eras[] = { "2.6.34", "4.9", "6.x" };
    for (size_t k = 0; k < G_N_ELEMENTS(eras); k++) {
        struct world w;
        world_init(&w, 1);
        struct net *net = net_new(host_new(&w, "fw"), kernel_profile_find(eras[k]));
        CU_ASSERT_EQUAL_FATAL(nf_ct_netns_get(net, NFPROTO_IPV6), 0);
        bool helper = net->prof->conntrack_helper_hook;
        CU_ASSERT_EQUAL(helper, strcmp(eras[k], "4.9") == 0);
        static const struct want_op pre[] = {
            { "ipv6_defrag", "nf_defrag_ipv6", NF_IP6_PRI_CONNTRACK_DEFRAG },
            { "ipv6_conntrack_in", "nf_conntrack", NF_IP6_PRI_CONNTRACK },
        };
        static const struct want_op out[] = {
            { "ipv6_defrag", "nf_defrag_ipv6", NF_IP6_PRI_CONNTRACK_DEFRAG },
            { "ipv6_conntrack_local", "nf_conntrack", NF_IP6_PRI_CONNTRACK },
        };
        static const struct want_op post_h[] = {
            { "ipv6_helper", "nf_conntrack", NF_IP6_PRI_CONNTRACK_HELPER },
            { "ipv6_confirm", "nf_conntrack", NF_IP6_PRI_LAST },
        };
        static const struct want_op in_h[] = {
            { "ipv6_helper", "nf_conntrack", NF_IP6_PRI_CONNTRACK_HELPER },
            { "ipv6_confirm", "nf_conntrack", NF_IP6_PRI_LAST - 1 },
        };
        check_point(net, NF_INET_PRE_ROUTING, pre, 2);
        check_point(net, NF_INET_LOCAL_OUT, out, 2);
        check_point(net, NF_INET_POST_ROUTING, helper ? post_h : post_h + 1, helper ? 2 : 1);
        check_point(net, NF_INET_LOCAL_IN, helper ? in_h : in_h + 1, helper ? 2 : 1);
        check_point(net, NF_INET_FORWARD, NULL, 0);
        for (unsigned h = 0; h < NF_INET_NUMHOOKS; h++)
            CU_ASSERT_EQUAL(nf_hook_entries_of(net, h)->num, 0);
        /* IPv4's own user adds IPv4's ops, not a second set of IPv6's */
        CU_ASSERT_EQUAL_FATAL(nf_ct_netns_get(net, NFPROTO_IPV4), 0);
        CU_ASSERT_STRING_EQUAL(nf_hook_entries_of(net, NF_INET_PRE_ROUTING)->ops[1]->name,
                               "ipv4_conntrack_in");
        check_point(net, NF_INET_PRE_ROUTING, pre, 2);
        /* lazy eras (6.x) take a family's hooks away with its last user */
        nf_ct_netns_put(net, NFPROTO_IPV6);
        CU_ASSERT_EQUAL(nf_hook_entries_of_pf(net, NFPROTO_IPV6, NF_INET_PRE_ROUTING)->num,
                        net->prof->lazy_conntrack ? 0u : 2u);
        CU_ASSERT_EQUAL(nf_hook_entries_of(net, NF_INET_PRE_ROUTING)->num, 2);
        world_destroy(&w);
    }
}

/* An ip6tables line with -m conntrack loads IPv6's ops only. */
static void test_rules_load_ipv6_conntrack(void)
{
    struct world w;
    world_init(&w, 1);
    struct net *net = net_new(host_new(&w, "fw"), kernel_profile_find("6.x"));
    apply_ok(net, "ip6tables -A FORWARD -m conntrack --ctstate NEW -j ACCEPT");
    CU_ASSERT_EQUAL(nf_hook_entries_of_pf(net, NFPROTO_IPV6, NF_INET_PRE_ROUTING)->num, 2);
    CU_ASSERT_EQUAL(nf_hook_entries_of(net, NF_INET_PRE_ROUTING)->num, 0);
    apply_ok(net, "ip6tables -D FORWARD 1");
    CU_ASSERT_EQUAL(nf_hook_entries_of_pf(net, NFPROTO_IPV6, NF_INET_PRE_ROUTING)->num, 0);
    world_destroy(&w);
}

/* ---- tracking through the router ----------------------------------------------------- */

/* A handshake played by both ends: the SYN NEW, the SYN-ACK and the ACK
 * ESTABLISHED, one entry whose tuples hold the addresses' keys; rules with
 * -m conntrack and -m state count them so. */
static void test_tcp_new_established(void)
{
    struct topo3 t;
    topo3_init6(&t, "6.x");
    struct net *r = host_net(t.router);
    apply_ok(r, "ip6tables -A FORWARD -m conntrack --ctstate NEW -p tcp --dport 80 -j ACCEPT");
    apply_ok(r, "ip6tables -A FORWARD -m state --state ESTABLISHED -j ACCEPT");
    apply_ok(r, "ip6tables -P FORWARD DROP");
    struct seen s = {0};
    struct nf_hook_ops rec = recorder(&s);
    CU_ASSERT_EQUAL(nf_register_net_hook(r, &rec), 0);
    struct nf_hook_ops drop = { .hook = drop_tcp, .name = "drop_tcp", .owner = "test",
                                .pf = NFPROTO_IPV6, .hooknum = NF_INET_LOCAL_IN, .priority = 0 };
    CU_ASSERT_EQUAL(nf_register_net_hook(host_net(t.server), &drop), 0);
    CU_ASSERT_EQUAL(nf_register_net_hook(host_net(t.client), &drop), 0);

    CU_ASSERT_EQUAL(send_tcp6(t.client, "2001:db8:2::2", 40000, 80, TCPH_SYN, 1000, 0), 0);
    run_a_second(&t);
    CU_ASSERT_EQUAL(send_tcp6(t.server, "2001:db8:1::2", 80, 40000, TCPH_SYN | TCPH_ACK, 5000, 1001), 0);
    run_a_second(&t);
    CU_ASSERT_EQUAL(send_tcp6(t.client, "2001:db8:2::2", 40000, 80, TCPH_ACK, 1001, 5001), 0);
    run_a_second(&t);

    int tcp[3], n = 0;
    for (int i = 0; i < s.n && n < 3; i++)
        if (s.proto[i] == NEXTHDR_TCP)
            tcp[n++] = i;
    CU_ASSERT_EQUAL_FATAL(n, 3);
    CU_ASSERT_STRING_EQUAL(s.state[tcp[0]], "NEW");
    CU_ASSERT_EQUAL(s.info[tcp[0]], IP_CT_NEW);
    CU_ASSERT_STRING_EQUAL(s.state[tcp[1]], "ESTABLISHED");
    CU_ASSERT_EQUAL(s.info[tcp[1]], IP_CT_ESTABLISHED_REPLY);
    CU_ASSERT_STRING_EQUAL(s.state[tcp[2]], "ESTABLISHED");
    CU_ASSERT_EQUAL(s.info[tcp[2]], IP_CT_ESTABLISHED);
    struct nf_conn *ct = s.ct[tcp[0]];
    CU_ASSERT_PTR_NOT_NULL_FATAL(ct);
    CU_ASSERT(s.ct[tcp[1]] == ct && s.ct[tcp[2]] == ct);
    CU_ASSERT_EQUAL(nf_ct_tcp_state(ct), TCP_CONNTRACK_ESTABLISHED);
    const struct nf_conntrack_tuple *o = nf_ct_tuple(ct, IP_CT_DIR_ORIGINAL);
    struct in6_addr c = A("2001:db8:1::2"), sv = A("2001:db8:2::2");
    CU_ASSERT(in6_is_key(o->src) && in6_is_key(o->dst));
    CU_ASSERT(ipv6_addr_equal(in6_key_addr(o->src), &c));
    CU_ASSERT(ipv6_addr_equal(in6_key_addr(o->dst), &sv));
    CU_ASSERT_EQUAL(ntohs(o->dport), 80);
    CU_ASSERT_EQUAL(nf_conntrack_count(r), 1);
    char buf[128];
    nf_ct_tuple_str(o, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "tcp [2001:db8:1::2]:40000 -> [2001:db8:2::2]:80");
    CU_ASSERT_EQUAL(rule(r, "filter", "FORWARD", 1)->counters.pcnt, 1);
    CU_ASSERT_EQUAL(rule(r, "filter", "FORWARD", 2)->counters.pcnt, 2);
    world_destroy(&t.w);
}

/* UDP to a port with no socket: the datagram NEW, the server's ICMPv6 port
 * unreachable RELATED to its entry (nf_conntrack_icmpv6_error); echo request NEW,
 * its reply ESTABLISHED; the router's neighbour solicitations untracked. */
static void test_udp_icmpv6_related_and_echo(void)
{
    struct topo3 t;
    topo3_init6(&t, "6.x");
    struct net *r = host_net(t.router);
    CU_ASSERT_EQUAL_FATAL(nf_ct_netns_get(r, NFPROTO_IPV6), 0);
    struct seen s = {0};
    struct nf_hook_ops rec = recorder(&s);
    CU_ASSERT_EQUAL(nf_register_net_hook(r, &rec), 0);
    CU_ASSERT_EQUAL(send_udp6(t.client, "2001:db8:2::2", 53), 0);
    run_a_second(&t);
    CU_ASSERT_EQUAL_FATAL(s.n, 2);
    CU_ASSERT_EQUAL(s.proto[0], NEXTHDR_UDP);
    CU_ASSERT_STRING_EQUAL(s.state[0], "NEW");
    CU_ASSERT_EQUAL(s.proto[1], NEXTHDR_ICMP);
    CU_ASSERT_STRING_EQUAL(s.state[1], "RELATED");
    CU_ASSERT_EQUAL(s.info[1], IP_CT_RELATED_REPLY);
    CU_ASSERT(s.ct[1] == s.ct[0]);

    CU_ASSERT_EQUAL(send_icmp6(t.client, "2001:db8:2::2", ICMPV6_ECHO_REQUEST, 7), 0);
    run_a_second(&t);
    CU_ASSERT_EQUAL_FATAL(s.n, 4);
    CU_ASSERT_STRING_EQUAL(s.state[2], "NEW");
    CU_ASSERT_STRING_EQUAL(s.state[3], "ESTABLISHED");
    CU_ASSERT_EQUAL(s.info[3], IP_CT_ESTABLISHED_REPLY);
    char buf[128];
    nf_ct_tuple_str(nf_ct_tuple(s.ct[2], IP_CT_DIR_ORIGINAL), buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "icmpv6 2001:db8:1::2 -> 2001:db8:2::2 id 7 type 128");
    CU_ASSERT_EQUAL(nf_conntrack_count(r), 2);
    /* neither the neighbour discovery nor the errors were invalid */
    CU_ASSERT_EQUAL(r->ct->stat.invalid, 0);
    world_destroy(&t.w);
}

/* An ICMPv6 error quoting nothing the router tracks is INVALID; an echo reply
 * that answers nothing starts no entry. CT --notrack in raw leaves a packet
 * UNTRACKED. */
static void test_invalid_and_notrack(void)
{
    struct topo3 t;
    topo3_init6(&t, "6.x");
    struct net *r = host_net(t.router);
    apply_ok(r, "ip6tables -t raw -A PREROUTING -p udp --dport 54 -j CT --notrack");
    apply_ok(r, "ip6tables -A FORWARD -m conntrack --ctstate INVALID -j DROP");
    apply_ok(r, "ip6tables -A FORWARD -m conntrack --ctstate UNTRACKED -j ACCEPT");
    struct seen s = {0};
    struct nf_hook_ops rec = recorder(&s);
    CU_ASSERT_EQUAL(nf_register_net_hook(r, &rec), 0);
    CU_ASSERT_EQUAL(send_icmp6(t.client, "2001:db8:2::2", ICMPV6_ECHO_REPLY, 9), 0);
    run_a_second(&t);
    CU_ASSERT_EQUAL(rule(r, "filter", "FORWARD", 1)->counters.pcnt, 1);
    CU_ASSERT_EQUAL(s.n, 0);                    /* dropped before the recorder */
    CU_ASSERT_EQUAL(send_udp6(t.client, "2001:db8:2::2", 54), 0);
    run_a_second(&t);
    CU_ASSERT_EQUAL(rule(r, "filter", "FORWARD", 2)->counters.pcnt, 1);
    CU_ASSERT_EQUAL(nf_conntrack_count(r), 0);
    /* the server's port unreachable quotes an untracked datagram: INVALID, dropped */
    CU_ASSERT_EQUAL(rule(r, "filter", "FORWARD", 1)->counters.pcnt, 2);
    world_destroy(&t.w);
}

IPVSIM_SUITE(conntrack6)
{
    CU_pSuite s = CU_add_suite("conntrack6", NULL, NULL);
    ADD_TEST(s, test_hooks_per_era);
    ADD_TEST(s, test_rules_load_ipv6_conntrack);
    ADD_TEST(s, test_tcp_new_established);
    ADD_TEST(s, test_udp_icmpv6_related_and_echo);
    ADD_TEST(s, test_invalid_and_notrack);
}

/* ---- NAT66 -------------------------------------------------------------------------- */

/* The last IPv6 packet but neighbour discovery an end host's LOCAL_IN saw, whole. */
struct capture {
    int n;
    uint8_t buf[2048];
    uint32_t len;
};

static unsigned capture_fn(void *priv, struct sk_buff *skb, const struct nf_hook_state *st)
{
    struct capture *c = priv;
    (void)st;
    const uint8_t *nh = skb_network_header(skb);
    if (nh[offsetof(struct ipv6hdr, nexthdr)] == NEXTHDR_ICMP && nh[sizeof(struct ipv6hdr)] >= 133)
        return NF_ACCEPT;                   /* neighbour discovery: not what is looked at */
    uint32_t len = (uint32_t)(skb->data + skb->len - nh);
    if (len > sizeof c->buf)
        len = sizeof c->buf;
    memcpy(c->buf, nh, len);
    c->len = len;
    c->n++;
    return NF_ACCEPT;
}

static struct nf_hook_ops capture_ops(struct capture *c)
{
    return (struct nf_hook_ops){ .hook = capture_fn, .name = "capture", .owner = "test", .priv = c,
                                 .pf = NFPROTO_IPV6, .hooknum = NF_INET_LOCAL_IN,
                                 .priority = NF_IP6_PRI_FIRST };
}

static void addr_at(const uint8_t *pkt, size_t off, char *buf)
{
    struct in6_addr a;
    memcpy(&a, pkt + off, sizeof a);
    in6_ntop(&a, buf);
}

/* The transport checksum of the captured packet (no extension headers) verifies
 * over the pseudo-header: the sum comes out 0. */
static bool l4_csum_ok(const struct capture *c)
{
    struct in6_addr sa, da;
    memcpy(&sa, c->buf + offsetof(struct ipv6hdr, saddr), sizeof sa);
    memcpy(&da, c->buf + offsetof(struct ipv6hdr, daddr), sizeof da);
    /* the payload length counts bytes the buffer may only hold virtually (zeros) */
    uint32_t l4len = (uint32_t)(c->buf[4] << 8 | c->buf[5]);
    uint32_t real = MIN(l4len, c->len - (uint32_t)sizeof(struct ipv6hdr));
    uint8_t proto = c->buf[offsetof(struct ipv6hdr, nexthdr)];
    return csum_ipv6_magic(&sa, &da, l4len, proto,
                           csum_partial(c->buf + sizeof(struct ipv6hdr), real, 0)) == 0;
}

static uint16_t port_at(const struct capture *c, unsigned off)
{
    return (uint16_t)(c->buf[sizeof(struct ipv6hdr) + off] << 8 | c->buf[sizeof(struct ipv6hdr) + off + 1]);
}

/* DNAT of a SYN to the router's own address to the server's 8080; the server's
 * SYN-ACK comes back to the client from [2001:db8:1::1]:80. */
static void test_dnat_syn_and_reply(void)
{
    struct topo3 t;
    topo3_init6(&t, "6.x");
    struct net *r = host_net(t.router);
    apply_ok(r, "ip6tables -t nat -A PREROUTING -d 2001:db8:1::1 -p tcp --dport 80 -j DNAT "
                "--to-destination [2001:db8:2::2]:8080");
    struct capture at_server = {0}, at_client = {0};
    struct nf_hook_ops cs = capture_ops(&at_server), cc = capture_ops(&at_client);
    CU_ASSERT_EQUAL(nf_register_net_hook(host_net(t.server), &cs), 0);
    CU_ASSERT_EQUAL(nf_register_net_hook(host_net(t.client), &cc), 0);
    struct nf_hook_ops drop = { .hook = drop_tcp, .name = "drop_tcp", .owner = "test",
                                .pf = NFPROTO_IPV6, .hooknum = NF_INET_LOCAL_IN, .priority = 0 };
    CU_ASSERT_EQUAL(nf_register_net_hook(host_net(t.server), &drop), 0);
    CU_ASSERT_EQUAL(nf_register_net_hook(host_net(t.client), &drop), 0);

    CU_ASSERT_EQUAL(send_tcp6(t.client, "2001:db8:1::1", 40000, 80, TCPH_SYN, 1000, 0), 0);
    run_a_second(&t);
    CU_ASSERT_EQUAL_FATAL(at_server.n, 1);
    char a[INET6_ADDRSTRLEN];
    addr_at(at_server.buf, offsetof(struct ipv6hdr, daddr), a);
    CU_ASSERT_STRING_EQUAL(a, "2001:db8:2::2");
    addr_at(at_server.buf, offsetof(struct ipv6hdr, saddr), a);
    CU_ASSERT_STRING_EQUAL(a, "2001:db8:1::2");
    CU_ASSERT_EQUAL(port_at(&at_server, 2), 8080);
    CU_ASSERT(l4_csum_ok(&at_server));

    CU_ASSERT_EQUAL(send_tcp6(t.server, "2001:db8:1::2", 8080, 40000, TCPH_SYN | TCPH_ACK, 5000, 1001), 0);
    run_a_second(&t);
    CU_ASSERT_EQUAL_FATAL(at_client.n, 1);
    CU_ASSERT_EQUAL(at_client.buf[offsetof(struct ipv6hdr, nexthdr)], NEXTHDR_TCP);
    addr_at(at_client.buf, offsetof(struct ipv6hdr, saddr), a);
    CU_ASSERT_STRING_EQUAL(a, "2001:db8:1::1");
    CU_ASSERT_EQUAL(port_at(&at_client, 0), 80);
    CU_ASSERT(l4_csum_ok(&at_client));
    CU_ASSERT_EQUAL(r->nat->bindings, 1);       /* the DNAT; the SNAT null-bound */
    world_destroy(&t.w);
}

/* MASQUERADE out of eth1: the server sees the router's 2001:db8:2::1; its port
 * unreachable comes back translated to the client, the quoted datagram too. */
static void test_masquerade_and_icmpv6_error(void)
{
    struct topo3 t;
    topo3_init6(&t, "6.x");
    struct net *r = host_net(t.router);
    apply_ok(r, "ip6tables -t nat -A POSTROUTING -o eth1 -j MASQUERADE");
    struct capture at_server = {0}, at_client = {0};
    struct nf_hook_ops cs = capture_ops(&at_server), cc = capture_ops(&at_client);
    CU_ASSERT_EQUAL(nf_register_net_hook(host_net(t.server), &cs), 0);
    CU_ASSERT_EQUAL(nf_register_net_hook(host_net(t.client), &cc), 0);
    CU_ASSERT_EQUAL(send_udp6(t.client, "2001:db8:2::2", 53), 0);
    run_a_second(&t);
    char a[INET6_ADDRSTRLEN];
    CU_ASSERT_EQUAL_FATAL(at_server.n, 1);
    CU_ASSERT_EQUAL(at_server.buf[offsetof(struct ipv6hdr, nexthdr)], NEXTHDR_UDP);
    addr_at(at_server.buf, offsetof(struct ipv6hdr, saddr), a);
    CU_ASSERT_STRING_EQUAL(a, "2001:db8:2::1");
    CU_ASSERT(l4_csum_ok(&at_server));
    /* the port unreachable, un-NATed: to the client, quoting the client's datagram */
    CU_ASSERT_EQUAL_FATAL(at_client.buf[offsetof(struct ipv6hdr, nexthdr)], NEXTHDR_ICMP);
    const uint8_t *icmp = at_client.buf + sizeof(struct ipv6hdr);
    CU_ASSERT_EQUAL(icmp[0], ICMPV6_DEST_UNREACH);
    CU_ASSERT_EQUAL(icmp[1], ICMPV6_PORT_UNREACH);
    addr_at(at_client.buf, offsetof(struct ipv6hdr, daddr), a);
    CU_ASSERT_STRING_EQUAL(a, "2001:db8:1::2");
    addr_at(icmp + ICMPV6_HLEN, offsetof(struct ipv6hdr, saddr), a);
    CU_ASSERT_STRING_EQUAL(a, "2001:db8:1::2");
    CU_ASSERT(l4_csum_ok(&at_client));
    const struct nf_conn *ct = r->ct->confirmed;
    CU_ASSERT_PTR_NOT_NULL_FATAL(ct);
    CU_ASSERT(nf_ct_status(ct) & IPS_SRC_NAT);
    world_destroy(&t.w);
}

/* The nat hooks per era: 6.x nf_nat_ipv6_* (the nat chains inside, ip6t_do_table),
 * 4.9 ip6table_nat_* at the chains' own priorities; before 3.7 no ip6table_nat. */
static void test_nat_hooks_per_era(void)
{
    struct world w;
    world_init(&w, 1);
    struct net *net = net_new(host_new(&w, "fw6x"), kernel_profile_find("6.x"));
    apply_ok(net, "ip6tables -t nat -A POSTROUTING -j MASQUERADE");
    static const struct want_op pre6x[] = {
        { "ipv6_defrag", "nf_defrag_ipv6", NF_IP6_PRI_CONNTRACK_DEFRAG },
        { "ipv6_conntrack_in", "nf_conntrack", NF_IP6_PRI_CONNTRACK },
        { "nf_nat_ipv6_in", "nf_nat", NF_IP6_PRI_NAT_DST },
    };
    static const struct want_op post6x[] = {
        { "nf_nat_ipv6_out", "nf_nat", NF_IP6_PRI_NAT_SRC },
        { "ipv6_confirm", "nf_conntrack", NF_IP6_PRI_LAST },
    };
    static const struct want_op in6x[] = {
        { "nf_nat_ipv6_fn", "nf_nat", NF_IP6_PRI_NAT_SRC },
        { "ipv6_confirm", "nf_conntrack", NF_IP6_PRI_LAST - 1 },
    };
    check_point(net, NF_INET_PRE_ROUTING, pre6x, 3);
    check_point(net, NF_INET_POST_ROUTING, post6x, 2);
    check_point(net, NF_INET_LOCAL_IN, in6x, 2);
    const struct nf_hook_entries *chains = nf_nat_chains_of_pf(net, NFPROTO_IPV6, NF_INET_POST_ROUTING);
    CU_ASSERT_PTR_NOT_NULL_FATAL(chains);
    CU_ASSERT_EQUAL_FATAL(chains->num, 1);
    CU_ASSERT_STRING_EQUAL(chains->ops[0]->name, "ip6t_do_table");
    CU_ASSERT_STRING_EQUAL(chains->ops[0]->owner, "ip6table_nat");
    for (unsigned h = 0; h < NF_INET_NUMHOOKS; h++)
        CU_ASSERT_EQUAL(nf_hook_entries_of(net, h)->num, 0);      /* IPv4's: nothing */

    struct net *n49 = net_new(host_new(&w, "fw49"), kernel_profile_find("4.9"));
    apply_ok(n49, "ip6tables -t nat -A POSTROUTING -j MASQUERADE");
    static const struct want_op post49[] = {
        { "ip6table_nat_out", "ip6table_nat", NF_IP6_PRI_NAT_SRC },
        { "ipv6_helper", "nf_conntrack", NF_IP6_PRI_CONNTRACK_HELPER },
        { "ipv6_confirm", "nf_conntrack", NF_IP6_PRI_LAST },
    };
    static const struct want_op out49[] = {
        { "ipv6_defrag", "nf_defrag_ipv6", NF_IP6_PRI_CONNTRACK_DEFRAG },
        { "ipv6_conntrack_local", "nf_conntrack", NF_IP6_PRI_CONNTRACK },
        { "ip6table_nat_local_fn", "ip6table_nat", NF_IP6_PRI_NAT_DST },
    };
    check_point(n49, NF_INET_POST_ROUTING, post49, 3);
    check_point(n49, NF_INET_LOCAL_OUT, out49, 3);

    struct net *old = net_new(host_new(&w, "fw2634"), kernel_profile_find("2.6.34"));
    struct xt_error err;
    CU_ASSERT_NOT_EQUAL(iptables_apply(old, "ip6tables -t nat -A POSTROUTING -j MASQUERADE", &err), 0);
    CU_ASSERT_STRING_EQUAL(err.msg, "can't initialize ip6tables table `nat': Table does not exist "
                                    "(do you need to insmod?)");
    CU_ASSERT_EQUAL(err.offset, strlen("ip6tables -t "));
    world_destroy(&w);
}

IPVSIM_SUITE(nat66)
{
    CU_pSuite s = CU_add_suite("nat66", NULL, NULL);
    ADD_TEST(s, test_dnat_syn_and_reply);
    ADD_TEST(s, test_masquerade_and_icmpv6_error);
    ADD_TEST(s, test_nat_hooks_per_era);
}
