/* ICMP redirects: a router forwarding back out of the input interface tells the
 * sender about the better next hop (rate limited: at most 9, each twice as late as
 * the last; per sender, or per sender and destination in 2.6); a 2.6 sender
 * applies the advice itself (6.x leaves it to the socket of the quoted packet),
 * when it accepts redirects, its neighbour entry for the new gateway is resolved
 * and, off shared media, the gateway is on the link (and one of its gateways with
 * secure_redirects); an accepted one routes the destination's next packets
 * straight to the new gateway. */
#include <string.h>
#include "model/ipv4/ip.h"
#include "model/profile.h"
#include "model/ipv4/sock.h"
#include "tests/testutil.h"
#include "tests/topo.h"

/* client 10.0.1.2 and other 10.0.1.3 share the router's eth0 LAN; the router
 * reaches 10.0.9.0/24 through other, the client goes through the router. */
struct lan {
    struct world w;
    struct host *client, *router, *other;
    struct link *l;
};

static void lan_init(struct lan *t, const char *era)
{
    world_init(&t->w, 5);
    static const char *const c[] = { "eth0=10.0.1.2/24", NULL };
    static const char *const r[] = { "eth0=10.0.1.1/24", NULL };
    static const char *const o[] = { "eth0=10.0.1.3/24", NULL };
    t->client = topo_host(&t->w, "client", c);
    t->router = topo_host(&t->w, "router", r);
    t->other = topo_host(&t->w, "other", o);
    host_net(t->router)->prof = kernel_profile_find(era);
    host_net(t->router)->ipv4.ip_forward = 1;
    fib_add(host_net(t->client), 0, 0, topo_ip("10.0.1.1"), NULL);
    fib_add(host_net(t->router), topo_ip("10.0.9.0"), 24, topo_ip("10.0.1.3"), NULL);
    t->l = topo_link(&t->w, "lan", "client:eth0", "router:eth0", 10 * USEC, 1000000000ull);
    link_attach(t->l, host_dev(t->other, "eth0"));
}

struct redirects_seen {
    unsigned count;
    be32 gateway;
};

static void record_redirect(struct net *net, struct sk_buff *skb, void *ctx)
{
    struct redirects_seen *r = ctx;
    const struct icmphdr *ic = (const struct icmphdr *)skb->data;
    if (ic->type == ICMP_REDIRECT) {
        r->count++;
        r->gateway = ic->un.gateway;
    }
    consume_skb(net, skb);
}

/* One datagram from the client to 10.0.9.x every `gap`, n of them. */
static void send_every(struct lan *t, const char *dst, unsigned n, sim_time_t gap)
{
    for (unsigned i = 0; i < n; i++) {
        topo_send_udp(t->client, dst, (uint16_t)(40000 + i), 53, 10, 64);
        sim_run_until(&t->w.sim, t->w.sim.now + gap);
    }
}

static void test_redirect_sent_and_backed_off(void)
{
    struct lan t;
    lan_init(&t, "6.x");
    struct redirects_seen r = {0};
    sock_bind(host_net(t.client), IPPROTO_ICMP, 0, record_redirect, &r);
    /* One packet every 10 ms for 30 s: the n-th redirect waits 20 ms << n after
     * the previous (20, 40, ..., 5120 ms), so the 9th comes after ~10.2 s; then
     * nothing, as the sender never pauses for 20 s. */
    send_every(&t, "10.0.9.9", 3000, 10 * MSEC);
    CU_ASSERT_EQUAL(r.count, 9);
    CU_ASSERT_EQUAL(r.gateway, topo_ip("10.0.1.3"));
    CU_ASSERT_EQUAL(host_net(t.router)->redirect_stats.sent, 9);
    CU_ASSERT_EQUAL(host_net(t.router)->redirect_stats.suppressed, 3000 - 9);
    /* 6.x hands a redirect to the socket of the quoted packet: these datagrams have
     * none, so nothing changes. */
    CU_ASSERT_EQUAL(host_net(t.client)->redirect_stats.received, 9);
    CU_ASSERT_EQUAL(host_net(t.client)->redirect_stats.accepted, 0);
    CU_ASSERT_EQUAL(host_net(t.router)->mib.forw_datagrams, 3000);
    world_destroy(&t.w);
}

/* 2.6 kept the budget in the routing cache entry: each destination has its own. */
static void test_redirect_budget_per_destination_in_2_6(void)
{
    unsigned counts[2];
    const char *eras[2] = { "6.x", "2.6.34" };
    for (int e = 0; e < 2; e++) {
        struct lan t;
        lan_init(&t, eras[e]);
        struct redirects_seen r = {0};
        sock_bind(host_net(t.client), IPPROTO_ICMP, 0, record_redirect, &r);
        topo_send_udp(t.client, "10.0.9.9", 40000, 53, 10, 64);
        topo_send_udp(t.client, "10.0.9.10", 40001, 53, 10, 64);
        sim_run_until(&t.w.sim, 10 * MSEC);
        counts[e] = r.count;
        world_destroy(&t.w);
    }
    CU_ASSERT_EQUAL(counts[0], 1);      /* the second waits 40 ms (same sender) */
    CU_ASSERT_EQUAL(counts[1], 2);
}

/* A 2.6 client applies redirects itself. With the defaults (shared media) any
 * unicast gateway is accepted, but only once its neighbour entry is resolved: the
 * first redirect just probes, the next one (40 ms later) takes. Then the packets to
 * that destination go to 10.0.1.3 directly, for 300 s; other destinations do not. */
static struct lan *lan_2_6(struct lan *t)
{
    lan_init(t, "2.6.34");
    host_net(t->client)->prof = kernel_profile_find("2.6.34");
    return t;
}

static void test_redirect_accepted_reroutes(void)
{
    struct lan t;
    lan_2_6(&t);
    send_every(&t, "10.0.9.9", 10, 10 * MSEC);
    struct ip_redirect_stats *cs = &host_net(t.client)->redirect_stats;
    CU_ASSERT_EQUAL(cs->received, 2);
    CU_ASSERT_EQUAL(cs->rejected, 1);   /* the neighbour probe */
    CU_ASSERT_EQUAL(cs->accepted, 1);
    uint64_t forwarded = host_net(t.router)->mib.forw_datagrams;
    CU_ASSERT_TRUE(forwarded >= 5 && forwarded < 10);
    struct rtable *rt = ip_route_output(host_net(t.client), topo_ip("10.0.9.9"));
    CU_ASSERT_EQUAL(rt->gateway, topo_ip("10.0.1.3"));
    rt = ip_route_output(host_net(t.client), topo_ip("10.0.9.10"));
    CU_ASSERT_EQUAL(rt->gateway, topo_ip("10.0.1.1"));
    sim_run_until(&t.w.sim, 301 * SEC);
    rt = ip_route_output(host_net(t.client), topo_ip("10.0.9.9"));
    CU_ASSERT_EQUAL(rt->gateway, topo_ip("10.0.1.1"));
    world_destroy(&t.w);
}

/* Accepted (probe, then advice) or refused, depending on the receiver's settings. */
static uint64_t accepted_with(int accept, int shared, int secure)
{
    struct lan t;
    lan_2_6(&t);
    host_net(t.client)->ipv4.accept_redirects = accept;
    host_net(t.client)->ipv4.shared_media = shared;
    host_net(t.client)->ipv4.secure_redirects = secure;
    send_every(&t, "10.0.9.9", 10, 10 * MSEC);
    uint64_t n = host_net(t.client)->redirect_stats.accepted;
    world_destroy(&t.w);
    return n;
}

static void test_redirect_switches(void)
{
    CU_ASSERT_EQUAL(accepted_with(1, 1, 1), 1);     /* the defaults */
    CU_ASSERT_EQUAL(accepted_with(0, 1, 1), 0);     /* accept_redirects off */
    CU_ASSERT_EQUAL(accepted_with(1, 0, 1), 0);     /* 10.0.1.3 is none of our gateways */
    CU_ASSERT_EQUAL(accepted_with(1, 0, 0), 1);     /* on the link: enough */

    struct lan t;                       /* send_redirects off: none sent */
    lan_init(&t, "6.x");
    host_net(t.router)->ipv4.send_redirects = 0;
    send_every(&t, "10.0.9.9", 3, 10 * MSEC);
    CU_ASSERT_EQUAL(host_net(t.router)->redirect_stats.sent, 0);
    world_destroy(&t.w);

    struct topo3 t3;                    /* in on eth0, out on eth1: no redirect */
    topo3_init(&t3);
    topo_send_udp(t3.client, "10.0.2.2", 40000, 53, 10, 64);
    sim_run_until(&t3.w.sim, 10 * MSEC);
    /* The datagram, and the server's port unreachable on its way back. */
    CU_ASSERT_EQUAL(host_net(t3.router)->mib.forw_datagrams, 2);
    CU_ASSERT_EQUAL(host_net(t3.router)->redirect_stats.sent, 0);
    world_destroy(&t3.w);
}

IPVSIM_SUITE(redirect)
{
    CU_pSuite s = CU_add_suite("redirect", NULL, NULL);
    ADD_TEST(s, test_redirect_sent_and_backed_off);
    ADD_TEST(s, test_redirect_budget_per_destination_in_2_6);
    ADD_TEST(s, test_redirect_accepted_reroutes);
    ADD_TEST(s, test_redirect_switches);
}
