/* The netfilter hook core: traversal order per path, priorities, the eras' tie
 * rules, and what each verdict does in each era. */
#include <errno.h>
#include "app/report/trace_text.h"
#include "model/ipv4/ip.h"
#include "model/netfilter/core.h"
#include "model/netfilter/user_hook.h"
#include "model/ipv4/sock.h"
#include "sim/csum.h"
#include "tests/golden.h"
#include "tests/testutil.h"
#include "tests/topo.h"

/* Observers at every hook point of a host, at priorities chosen so that order
 * within a point is visible: they must be called lowest first. */
static void add_observers(struct host *h)
{
    static const int prios[] = { 50, -300, 0 };
    struct net *net = host_net(h);
    for (unsigned hook = 0; hook < NF_INET_NUMHOOKS; hook++)
        for (unsigned i = 0; i < G_N_ELEMENTS(prios); i++) {
            char name[USER_HOOK_NAMSIZ];
            g_snprintf(name, sizeof name, "obs_%s_%d", nf_hook_name(hook), prios[i]);
            int err;
            CU_ASSERT_PTR_NOT_NULL(nf_user_hook_add(net, name, hook, prios[i], NF_ACCEPT, &err));
        }
}

static void sink_udp(struct net *net, struct sk_buff *skb, void *ctx)
{
    (*(int *)ctx)++;
    consume_skb(net, skb);
}

/* Send one UDP datagram from `from` to `to`, tracing the router only, and compare
 * the router's trace with a golden file. */
static void path_case(const char *from, const char *to, const char *golden)
{
    struct topo3 t;
    topo3_init(&t);
    add_observers(t.router);
    struct trace_text_sink ts;
    trace_text_sink_init(&ts);
    host_net(t.router)->trace = &ts.sink;
    int got = 0;
    sock_bind(host_net(t.router), IPPROTO_UDP, htons(53), sink_udp, &got);
    sock_bind(host_net(t.server), IPPROTO_UDP, htons(53), sink_udp, &got);
    sock_bind(host_net(t.client), IPPROTO_UDP, htons(53), sink_udp, &got);
    CU_ASSERT_EQUAL(topo_send_udp(world_host(&t.w, from), to, 40000, 53, 20, 64), 0);
    sim_run_until(&t.w.sim, 1 * SEC);
    CU_ASSERT_EQUAL(got, 1);
    CU_ASSERT_TRUE(golden_check(golden, ts.text->str));
    trace_text_sink_free(&ts);
    world_destroy(&t.w);
}

static void test_path_forwarded(void)
{
    path_case("client", "10.0.2.2", "path_forward.txt");
}

static void test_path_local_in(void)
{
    path_case("client", "10.0.2.1", "path_local_in.txt");
}

static void test_path_local_out(void)
{
    path_case("router", "10.0.2.2", "path_local_out.txt");
}

/* TTL per hook point, and whether the IP header checksum was valid there. */
struct ttl_sink {
    struct trace_sink sink;
    int ttl[NF_INET_NUMHOOKS];
};

static void ttl_emit(void *ctx, const struct trace_event *ev)
{
    struct ttl_sink *s = ctx;
    if (ev->kind == TRACE_HOOK)
        s->ttl[ev->hook] = ev->before.ttl;
}

static unsigned csum_check_hook(void *priv, struct sk_buff *skb, const struct nf_hook_state *st)
{
    int *bad = priv;
    const struct iphdr *iph = ip_hdr(skb);
    if (ip_fast_csum(iph, ip_hdrlen(iph) / 4) != 0)
        (*bad)++;
    return NF_ACCEPT;
}

static void test_ttl_and_checksum_at_each_hook(void)
{
    struct topo3 t;
    topo3_init(&t);
    add_observers(t.router);
    int bad = 0;
    struct nf_hook_ops checks[NF_INET_NUMHOOKS];
    for (unsigned h = 0; h < NF_INET_NUMHOOKS; h++) {
        checks[h] = (struct nf_hook_ops){ .hook = csum_check_hook, .name = "csum_check",
                                          .owner = "test", .priv = &bad, .hooknum = h,
                                          .priority = 1000 };
        nf_register_net_hook(host_net(t.router), &checks[h]);
    }
    struct ttl_sink ts = { .sink = { ttl_emit, &ts } };
    host_net(t.router)->trace = &ts.sink;
    int got = 0;
    sock_bind(host_net(t.server), IPPROTO_UDP, htons(53), sink_udp, &got);
    topo_send_udp(t.client, "10.0.2.2", 40000, 53, 20, 64);
    sim_run_until(&t.w.sim, 1 * SEC);
    CU_ASSERT_EQUAL(ts.ttl[NF_INET_PRE_ROUTING], 64);
    CU_ASSERT_EQUAL(ts.ttl[NF_INET_FORWARD], 63);
    CU_ASSERT_EQUAL(ts.ttl[NF_INET_POST_ROUTING], 63);
    CU_ASSERT_EQUAL(bad, 0);
    /* Three observers and the checker, once each: nothing came back. */
    CU_ASSERT_EQUAL(host_net(t.router)->nf_verdicts[NF_INET_FORWARD][NF_ACCEPT], 4);
    world_destroy(&t.w);
}

/* ---- ordering ---------------------------------------------------------------- */

static struct world tie_w;

static struct net *single_host(const char *era)
{
    world_init(&tie_w, 1);
    static const char *const ifs[] = { "eth0=10.0.0.1/24", NULL };
    struct host *h = host_new(&tie_w, "h");
    netdev_add_addr(host_add_dev(h, "eth0", 1500), topo_ip("10.0.0.1"), 24);
    (void)ifs;
    return net_new(h, kernel_profile_find(era));
}

/* The names at a hook point, in traversal order, joined by spaces. */
static char *order_of(struct net *net, unsigned hook)
{
    GString *s = g_string_new(NULL);
    const struct nf_hook_entries *e = nf_hook_entries_of(net, hook);
    for (unsigned i = 0; i < e->num; i++)
        g_string_append_printf(s, "%s%s", i ? " " : "", e->ops[i]->name);
    return g_string_free(s, FALSE);
}

static void tie_case(const char *era, const char *expect, const char *after_rereg)
{
    struct net *net = single_host(era);
    int err;
    nf_user_hook_add(net, "low", NF_INET_LOCAL_IN, -5, NF_ACCEPT, &err);
    struct nf_user_hook *a = nf_user_hook_add(net, "A", NF_INET_LOCAL_IN, 10, NF_ACCEPT, &err);
    nf_user_hook_add(net, "B", NF_INET_LOCAL_IN, 10, NF_ACCEPT, &err);
    nf_user_hook_add(net, "high", NF_INET_LOCAL_IN, 11, NF_ACCEPT, &err);
    char *order = order_of(net, NF_INET_LOCAL_IN);
    CU_ASSERT_STRING_EQUAL(order, expect);
    g_free(order);
    nf_user_hook_unregister(net, a);
    CU_ASSERT_EQUAL(nf_user_hook_register(net, a), 0);
    order = order_of(net, NF_INET_LOCAL_IN);
    CU_ASSERT_STRING_EQUAL(order, after_rereg);
    g_free(order);
    world_destroy(&tie_w);
}

static void test_tie_rule_fifo_2_6_34(void)
{
    /* Equal priorities: first registered runs first; re-registering A puts it last
     * of its priority. */
    tie_case("2.6.34", "low A B high", "low B A high");
    tie_case("4.9", "low A B high", "low B A high");
}

static void test_tie_rule_lifo_6_x(void)
{
    /* Equal priorities: last registered runs first; re-registering A puts it first. */
    tie_case("6.x", "low B A high", "low A B high");
    tie_case("5.10", "low B A high", "low A B high");
}

static void test_priority_order_random(void)
{
    struct net *net = single_host("6.x");
    GRand *r = g_rand_new_with_seed(3);
    int err;
    for (int i = 0; i < 200; i++) {
        char name[32];
        g_snprintf(name, sizeof name, "h%d", i);
        nf_user_hook_add(net, name, NF_INET_FORWARD, g_rand_int_range(r, -50, 50), NF_ACCEPT, &err);
    }
    const struct nf_hook_entries *e = nf_hook_entries_of(net, NF_INET_FORWARD);
    CU_ASSERT_EQUAL(e->num, 200);
    for (unsigned i = 1; i < e->num; i++)
        CU_ASSERT_TRUE(e->ops[i - 1]->priority <= e->ops[i]->priority);
    g_rand_free(r);
    world_destroy(&tie_w);
}

static void test_hook_count_limit(void)
{
    struct net *net = single_host("6.x");
    int err = 0;
    for (int i = 0; i < NF_MAX_HOOK_ENTRIES; i++) {
        char name[32];
        g_snprintf(name, sizeof name, "h%d", i);
        CU_ASSERT_PTR_NOT_NULL_FATAL(nf_user_hook_add(net, name, NF_INET_PRE_ROUTING, i, NF_ACCEPT, &err));
    }
    CU_ASSERT_PTR_NULL(nf_user_hook_add(net, "one-more", NF_INET_PRE_ROUTING, 0, NF_ACCEPT, &err));
    CU_ASSERT_EQUAL(err, -E2BIG);
    /* Other hook points are not affected. */
    CU_ASSERT_PTR_NOT_NULL(nf_user_hook_add(net, "elsewhere", NF_INET_LOCAL_IN, 0, NF_ACCEPT, &err));
    world_destroy(&tie_w);
}

/* ---- verdicts ---------------------------------------------------------------- */

struct verdict_run {
    int ret;                        /* what nf_hook returned */
    uint64_t before_calls, after_calls;
    uint64_t leaked;
    uint64_t in_use;                /* packets still allocated afterwards */
};

static int okfn_never(struct net *net, struct sk_buff *skb)
{
    return 0;
}

/* Hooks "first" (prio -10, accept), "v" (prio 0, the verdict), "last" (prio 10,
 * accept) at LOCAL_IN; run nf_hook once on a fresh packet. */
static struct verdict_run run_verdict(const char *era, unsigned verdict)
{
    struct net *net = single_host(era);
    int err;
    struct nf_user_hook *first = nf_user_hook_add(net, "first", NF_INET_LOCAL_IN, -10, NF_ACCEPT, &err);
    nf_user_hook_add(net, "v", NF_INET_LOCAL_IN, 0, verdict, &err);
    struct nf_user_hook *last = nf_user_hook_add(net, "last", NF_INET_LOCAL_IN, 10, NF_ACCEPT, &err);
    struct sk_buff *skb = skb_alloc(&tie_w.pool, 0);
    struct ip4_spec ip = { .saddr = topo_ip("10.0.0.2"), .daddr = topo_ip("10.0.0.1"), .ttl = 64 };
    pkt_build_udp(skb, &ip, htons(1), htons(2), 0);
    struct verdict_run r;
    r.ret = nf_hook(NF_INET_LOCAL_IN, net, skb, NULL, NULL, okfn_never);
    if (r.ret == 1)
        skb_free(&tie_w.pool, skb);         /* the caller's to pass on */
    r.before_calls = first->calls;
    r.after_calls = last->calls;
    r.leaked = net->nf_leaked;
    r.in_use = tie_w.pool.in_use;
    world_destroy(&tie_w);
    return r;
}

static void test_verdict_accept_and_drop(void)
{
    struct verdict_run r = run_verdict("6.x", NF_ACCEPT);
    CU_ASSERT_EQUAL(r.ret, 1);
    CU_ASSERT_EQUAL(r.after_calls, 1);
    r = run_verdict("6.x", NF_DROP);
    CU_ASSERT_EQUAL(r.ret, -EPERM);
    CU_ASSERT_EQUAL(r.before_calls, 1);
    CU_ASSERT_EQUAL(r.after_calls, 0);      /* nothing after a drop runs */
    CU_ASSERT_EQUAL(r.in_use, 0);
    r = run_verdict("6.x", NF_DROP_ERR(-EHOSTUNREACH));
    CU_ASSERT_EQUAL(r.ret, -EHOSTUNREACH);
    /* 2.6.34 had no NF_DROP_ERR: that value is not NF_DROP there, and its core
     * returns 0 for it as for any unknown verdict (the packet is lost). */
    r = run_verdict("2.6.34", NF_DROP_ERR(-EHOSTUNREACH));
    CU_ASSERT_EQUAL(r.ret, 0);
    CU_ASSERT_EQUAL(r.leaked, 1);
    CU_ASSERT_EQUAL(r.after_calls, 0);
    r = run_verdict("2.6.34", NF_DROP);
    CU_ASSERT_EQUAL(r.ret, -EPERM);
}

static void test_verdict_queue(void)
{
    /* No listener: dropped (nf_hook returns 0), later hooks not called. */
    struct verdict_run r = run_verdict("6.x", NF_QUEUE_NR(5));
    CU_ASSERT_EQUAL(r.ret, 0);
    CU_ASSERT_EQUAL(r.after_calls, 0);
    CU_ASSERT_EQUAL(r.in_use, 0);
    CU_ASSERT_EQUAL(r.leaked, 0);
    /* With the bypass flag the packet goes on to the next hook. */
    r = run_verdict("6.x", NF_QUEUE_NR(5) | NF_VERDICT_FLAG_QUEUE_BYPASS);
    CU_ASSERT_EQUAL(r.ret, 1);
    CU_ASSERT_EQUAL(r.after_calls, 1);
    /* 2.6.34: no bypass flag; plain QUEUE without a handler means DROP. */
    r = run_verdict("2.6.34", NF_QUEUE_NR(5));
    CU_ASSERT_EQUAL(r.ret, 0);
    CU_ASSERT_EQUAL(r.after_calls, 0);
    CU_ASSERT_EQUAL(r.in_use, 0);
}

static void test_verdict_stolen(void)
{
    struct verdict_run r = run_verdict("6.x", NF_STOLEN);
    CU_ASSERT_EQUAL(r.ret, 0);
    CU_ASSERT_EQUAL(r.after_calls, 0);
    CU_ASSERT_EQUAL(r.leaked, 0);
    CU_ASSERT_EQUAL(r.in_use, 0);           /* the stealing hook freed it */
}

static void test_verdict_stop_and_repeat_by_era(void)
{
    /* 2.6.34 and 4.9: STOP accepts and skips the remaining hooks. */
    struct verdict_run r = run_verdict("2.6.34", NF_STOP);
    CU_ASSERT_EQUAL(r.ret, 1);
    CU_ASSERT_EQUAL(r.after_calls, 0);
    r = run_verdict("4.9", NF_STOP);
    CU_ASSERT_EQUAL(r.ret, 1);
    /* 6.x: the core does not handle STOP; the packet is lost (kernel: WARN). */
    r = run_verdict("6.x", NF_STOP);
    CU_ASSERT_EQUAL(r.ret, 0);
    CU_ASSERT_EQUAL(r.leaked, 1);
    CU_ASSERT_EQUAL(r.in_use, 0);
    /* REPEAT: 2.6.34 calls the same hook again (a fixed REPEAT never ends; the
     * model gives up after NF_REPEAT_LIMIT calls); 6.x loses the packet. */
    r = run_verdict("2.6.34", NF_REPEAT);
    CU_ASSERT_EQUAL(r.ret, 0);
    CU_ASSERT_EQUAL(r.leaked, 1);
    CU_ASSERT_EQUAL(r.after_calls, 0);
    r = run_verdict("6.x", NF_REPEAT);
    CU_ASSERT_EQUAL(r.ret, 0);
    CU_ASSERT_EQUAL(r.leaked, 1);
}

static void test_user_verdict_parse(void)
{
    unsigned v;
    CU_ASSERT_TRUE(nf_user_verdict_parse("accept", &v) && v == NF_ACCEPT);
    CU_ASSERT_TRUE(nf_user_verdict_parse("DROP", &v) && v == NF_DROP);
    CU_ASSERT_TRUE(nf_user_verdict_parse("drop:EHOSTUNREACH", &v) && v == 0x00710000);
    CU_ASSERT_TRUE(nf_user_verdict_parse("drop:-113", &v) && v == 0x00710000);
    CU_ASSERT_TRUE(nf_user_verdict_parse("queue:5", &v) && v == 0x00050003);
    CU_ASSERT_TRUE(nf_user_verdict_parse("queue:5:bypass", &v) && v == 0x00058003);
    CU_ASSERT_TRUE(nf_user_verdict_parse("queue", &v) && v == NF_QUEUE);
    CU_ASSERT_FALSE(nf_user_verdict_parse("queue:70000", &v));
    CU_ASSERT_FALSE(nf_user_verdict_parse("queue:5:fast", &v));
    CU_ASSERT_FALSE(nf_user_verdict_parse("drop:113", &v));
    CU_ASSERT_FALSE(nf_user_verdict_parse("maybe", &v));
}

/* A hook function that drops what its priv says, with that reason (NULL: none). */
static unsigned drop_with(void *priv, struct sk_buff *skb, const struct nf_hook_state *st)
{
    return priv ? nf_drop_reason(skb, NF_DROP, priv) : NF_DROP;
}

/* Drops are counted by hook point, hook function and reason; one without a reason
 * counts as "NF_DROP"; the sorted list does not depend on which came first; a reason
 * set by a hook that then accepted does not stick to the packet. */
static void test_drop_reasons(void)
{
    struct net *net = single_host("6.x");
    struct nf_hook_ops a = { .hook = drop_with, .name = "zz_drops", .owner = "t", .priv = "why a",
                             .pf = NFPROTO_IPV4, .hooknum = NF_INET_LOCAL_IN, .priority = 0 };
    struct nf_hook_ops b = { .hook = drop_with, .name = "aa_drops", .owner = "t", .priv = NULL,
                             .pf = NFPROTO_IPV4, .hooknum = NF_INET_PRE_ROUTING, .priority = 0 };
    CU_ASSERT_EQUAL_FATAL(nf_register_net_hook(net, &a), 0);
    for (int i = 0; i < 3; i++) {
        struct sk_buff *skb = skb_alloc(&tie_w.pool, 0);
        struct ip4_spec ip = { .saddr = topo_ip("10.0.0.2"), .daddr = topo_ip("10.0.0.1"), .ttl = 64 };
        pkt_build_udp(skb, &ip, htons(1), htons(2), 0);
        skb->drop_reason = "stale";
        CU_ASSERT_EQUAL(nf_hook(NF_INET_LOCAL_IN, net, skb, NULL, NULL, okfn_never), -EPERM);
    }
    CU_ASSERT_EQUAL_FATAL(nf_register_net_hook(net, &b), 0);
    struct sk_buff *skb = skb_alloc(&tie_w.pool, 0);
    struct ip4_spec ip = { .saddr = topo_ip("10.0.0.2"), .daddr = topo_ip("10.0.0.1"), .ttl = 64 };
    pkt_build_udp(skb, &ip, htons(1), htons(2), 0);
    skb->drop_reason = "stale";
    CU_ASSERT_EQUAL(nf_hook(NF_INET_PRE_ROUTING, net, skb, NULL, NULL, okfn_never), -EPERM);
    guint n;
    const struct nf_drop_stat **d = nf_drop_stats_sorted(net, &n);
    CU_ASSERT_EQUAL_FATAL(n, 2);
    CU_ASSERT_EQUAL(d[0]->hook, NF_INET_PRE_ROUTING);
    CU_ASSERT_STRING_EQUAL(d[0]->func, "aa_drops");
    CU_ASSERT_STRING_EQUAL(d[0]->reason, "NF_DROP");
    CU_ASSERT_EQUAL(d[0]->count, 1);
    CU_ASSERT_EQUAL(d[1]->hook, NF_INET_LOCAL_IN);
    CU_ASSERT_STRING_EQUAL(d[1]->func, "zz_drops");
    CU_ASSERT_STRING_EQUAL(d[1]->reason, "why a");
    CU_ASSERT_EQUAL(d[1]->count, 3);
    CU_ASSERT_EQUAL(net->nf_verdicts[NF_INET_LOCAL_IN][NF_DROP], 3);
    g_free(d);
    world_destroy(&tie_w);
}

IPVSIM_SUITE(nfcore)
{
    CU_pSuite s = CU_add_suite("nfcore", NULL, NULL);
    ADD_TEST(s, test_path_forwarded);
    ADD_TEST(s, test_path_local_in);
    ADD_TEST(s, test_path_local_out);
    ADD_TEST(s, test_ttl_and_checksum_at_each_hook);
    ADD_TEST(s, test_tie_rule_fifo_2_6_34);
    ADD_TEST(s, test_tie_rule_lifo_6_x);
    ADD_TEST(s, test_priority_order_random);
    ADD_TEST(s, test_hook_count_limit);
    ADD_TEST(s, test_verdict_accept_and_drop);
    ADD_TEST(s, test_drop_reasons);
    ADD_TEST(s, test_verdict_queue);
    ADD_TEST(s, test_verdict_stolen);
    ADD_TEST(s, test_verdict_stop_and_repeat_by_era);
    ADD_TEST(s, test_user_verdict_parse);
}
