/* Path MTU discovery in the endpoints' TCP (model/apps/tcp_input.c tcp_conn_err,
 * tcp_output.c tcp_sync_mss, tcp_cong.c tcp_simple_retransmit; app_stack.c's ICMP
 * dispatch) on topo3, client -- router -- server, over IPv4 (10.0.1.2 to 10.0.2.2) and
 * IPv6 (2001:db8:1::2 to 2001:db8:2::2). The router's link to the server takes 1400
 * bytes: the client's full-sized segments get fragmentation needed (ip_forward) or a
 * Packet Too Big (ip6_forward) with MTU 1400, and the client resends in segments of
 * the new MSS as Linux 6.1 does (tcp_v4_mtu_reduced, tcp_v6_mtu_reduced). */
#include <string.h>
#include "model/apps/tcp_conn_internal.h"
#include "model/ipv4/icmp.h"
#include "model/ipv6/ipv6.h"
#include "model/net.h"
#include "model/profile.h"
#include "sim/in6.h"
#include "sim/in6_key.h"
#include "sim/netdev.h"
#include "sim/sim.h"
#include "tests/testutil.h"
#include "tests/topo.h"

#define MAX_SEGS 64

/* A data segment the client sent, and its connection's state when it went. */
struct sent {
    uint32_t seq, len;
    uint16_t mss;
    uint32_t pmtu, cwnd, ssthresh;
    uint8_t ca_state;
};

struct pw {
    struct topo3 t;
    struct app_stack *cst, *sst;
    struct tcp_listener l;
    struct tcp_conn *cc;
    uint32_t request;               /* bytes the client sends once established */
    uint64_t received;              /* bytes the server read */
    int done;
    enum tcp_done why;
    struct sent s[MAX_SEGS];
    int n;
};

static void hook(void *ctx, const struct tcp_conn *c, bool out, uint8_t flags, uint32_t seq,
                 uint32_t ack, uint32_t len)
{
    (void)flags;
    (void)ack;
    struct pw *w = ctx;
    if (!out || !len || !c || w->n == MAX_SEGS)
        return;
    w->s[w->n++] = (struct sent){ .seq = seq - c->iss - 1, .len = len, .mss = c->mss,
                                  .pmtu = c->pmtu_cookie, .cwnd = c->snd_cwnd,
                                  .ssthresh = c->snd_ssthresh, .ca_state = c->ca_state };
}

static void c_established(struct tcp_conn *c)
{
    struct pw *w = c->ctx;
    if (w->request) {
        tcp_conn_send(c, w->request);
        tcp_conn_close(c);
    }
}

static void c_done(struct tcp_conn *c, enum tcp_done why)
{
    struct pw *w = c->ctx;
    w->done++;
    w->why = why;
    w->cc = NULL;
}

static const struct tcp_conn_ops client_ops = { .established = c_established, .done = c_done };

static void s_data(struct tcp_conn *c, uint32_t bytes, bool psh)
{
    (void)psh;
    struct pw *w = c->ctx;
    w->received += bytes;
}

static void s_peer_fin(struct tcp_conn *c)
{
    tcp_conn_close(c);
}

static void s_done(struct tcp_conn *c, enum tcp_done why)
{
    (void)c;
    (void)why;
}

static const struct tcp_conn_ops server_ops = { .data = s_data, .peer_fin = s_peer_fin,
                                                .done = s_done };

static bool l_syn(struct tcp_listener *l, const struct sk_buff *skb)
{
    (void)l;
    (void)skb;
    return true;
}

static void l_accept(struct tcp_listener *l, struct tcp_conn *c)
{
    tcp_conn_set_owner(c, &server_ops, l->ctx);
}

static const struct tcp_listen_ops listen_ops = { .syn = l_syn, .accept = l_accept };

static be32 K(const char *s)
{
    struct in6_addr a;
    CU_ASSERT_FATAL(in6_pton(s, &a, NULL, NULL));
    return in6_key_get(&a);
}

static void add6(struct host *h, const char *dev, const char *addr)
{
    struct in6_addr a;
    CU_ASSERT_FATAL(in6_pton(addr, &a, NULL, NULL));
    CU_ASSERT_FATAL(ipv6_add_addr(host_net(h), host_dev(h, dev), &a, 64));
}

static void route6(struct host *h, const char *gw)
{
    struct in6_addr any = { 0 }, g;
    CU_ASSERT_FATAL(in6_pton(gw, &g, NULL, NULL));
    CU_ASSERT_FATAL(ip6_route_add(host_net(h), &any, 0, &g, NULL));
}

/* topo3 with both families, every host of the era named; the router's eth1 (towards
 * the server) takes link_mtu bytes; a listener on the server's port 80. */
static void pw_init(struct pw *w, const char *era, uint32_t link_mtu)
{
    memset(w, 0, sizeof *w);
    struct topo3 *t = &w->t;
    topo3_init(t);
    const struct kernel_profile *prof = kernel_profile_find(era);
    CU_ASSERT_PTR_NOT_NULL_FATAL(prof);
    struct host *hosts[3] = { t->client, t->router, t->server };
    for (int i = 0; i < 3; i++)
        host_net(hosts[i])->prof = prof;
    add6(t->client, "eth0", "2001:db8:1::2");
    add6(t->router, "eth0", "2001:db8:1::1");
    add6(t->router, "eth1", "2001:db8:2::1");
    add6(t->server, "eth0", "2001:db8:2::2");
    route6(t->client, "2001:db8:1::1");
    route6(t->server, "2001:db8:2::1");
    ipv6_set_forwarding(host_net(t->router), 1);
    host_dev(t->router, "eth1")->mtu = link_mtu;
    w->cst = app_stack_get(host_net(t->client));
    w->sst = app_stack_get(host_net(t->server));
    app_stack_set_seg_hook(w->cst, hook, w);
    w->l.port = htons(80);
    w->l.ops = &listen_ops;
    w->l.ctx = w;
    CU_ASSERT_FATAL(tcp_listen(w->sst, &w->l));
}

/* Connect from laddr to raddr:80 and send request bytes once established; run until. */
static void pw_connect(struct pw *w, be32 laddr, be32 raddr, uint32_t request, sim_time_t until)
{
    struct rng r;
    rng_init(&r, 7, "pmtu");
    w->request = request;
    be16 port = app_port_alloc(w->cst, IPPROTO_TCP, laddr, &r);
    w->cc = tcp_connect(w->cst, laddr, port, raddr, htons(80), 1000, 42, &client_ops, w);
    CU_ASSERT_PTR_NOT_NULL_FATAL(w->cc);
    sim_run_until(&w->t.w.sim, until);
}

static void pw_free(struct pw *w)
{
    if (w->cc)
        tcp_conn_abort(w->cc, false);
    tcp_unlisten(w->sst, &w->l);
    app_stack_put(w->cst);
    app_stack_put(w->sst);
    world_destroy(&w->t.w);
}

/* The first data segment sent again (a retransmission), or -1. */
static int first_resent(const struct pw *w)
{
    uint32_t max = 0;
    for (int i = 0; i < w->n; i++) {
        if (w->s[i].seq < max)
            return i;
        max = MAX(max, w->s[i].seq + w->s[i].len);
    }
    return -1;
}

/* A 4000-byte request: segments of old_mss, then the error, then everything resent in
 * segments of new_mss from the first byte, in Loss with the window untouched. */
static void check_resegmented(const struct pw *w, uint32_t old_mss, uint32_t new_mss,
                              uint32_t pmtu)
{
    CU_ASSERT_EQUAL(w->s[0].len, old_mss);
    CU_ASSERT_EQUAL(w->s[1].len, old_mss);
    CU_ASSERT_EQUAL(w->s[2].len, 4000 - 2 * old_mss);
    int k = first_resent(w);
    CU_ASSERT_EQUAL_FATAL(k, 3);
    const struct sent *r = &w->s[k];
    CU_ASSERT_EQUAL(r->seq, 0);
    CU_ASSERT_EQUAL(r->len, new_mss);
    CU_ASSERT_EQUAL(r->mss, new_mss);
    CU_ASSERT_EQUAL(r->pmtu, pmtu);
    CU_ASSERT_EQUAL(r->ca_state, TCP_CA_Loss);
    CU_ASSERT_EQUAL(r->cwnd, TCP_INIT_CWND);        /* tcp_simple_retransmit: untouched */
    CU_ASSERT_EQUAL(r->ssthresh, TCP_INFINITE_SSTHRESH);  /* tcp_current_ssthresh */
    CU_ASSERT_EQUAL(w->s[k + 1].seq, new_mss);
    CU_ASSERT_EQUAL(w->s[k + 1].len, new_mss);
    for (int i = k; i < w->n; i++)
        CU_ASSERT(w->s[i].len <= new_mss);
    CU_ASSERT_EQUAL(w->received, 4000);
    CU_ASSERT_EQUAL(w->done, 1);
    CU_ASSERT_EQUAL(w->why, TCP_DONE_OK);
}

/* IPv4: 1448-byte segments (1500 on the wire) draw fragmentation needed, MTU 1400,
 * from the router: tcp_v4_mtu_reduced, mss 1400 - 20 - 20 - 12 = 1348. */
static void test_v4_frag_needed_resegments(void)
{
    struct pw w;
    pw_init(&w, "6.x", 1400);
    pw_connect(&w, topo_ip("10.0.1.2"), topo_ip("10.0.2.2"), 4000, 2 * SEC);
    check_resegmented(&w, 1448, 1348, 1400);
    pw_free(&w);
}

/* IPv6: 1428-byte segments draw a Packet Too Big, MTU 1400: tcp_v6_mtu_reduced, mss
 * 1400 - 40 - 20 - 12 = 1328. */
static void test_v6_packet_too_big_resegments(void)
{
    struct pw w;
    pw_init(&w, "6.x", 1400);
    pw_connect(&w, K("2001:db8:1::2"), K("2001:db8:2::2"), 4000, 2 * SEC);
    check_resegmented(&w, 1428, 1328, 1400);
    pw_free(&w);
}

/* Without the error the path carries the request as sent: nothing resent. */
static void test_no_error_no_change(void)
{
    struct pw w;
    pw_init(&w, "6.x", 1500);
    pw_connect(&w, K("2001:db8:1::2"), K("2001:db8:2::2"), 4000, 2 * SEC);
    CU_ASSERT_EQUAL(w.n, 3);
    CU_ASSERT_EQUAL(first_resent(&w), -1);
    CU_ASSERT_EQUAL(w.received, 4000);
    pw_free(&w);
}

/* An established connection with nothing in flight, told an MTU directly (the ICMP
 * error's info, as the stack passes it). */
static struct tcp_conn *idle_conn(struct pw *w, const char *era, bool v6)
{
    pw_init(w, era, 1500);
    if (v6)
        pw_connect(w, K("2001:db8:1::2"), K("2001:db8:2::2"), 0, 100 * MSEC);
    else
        pw_connect(w, topo_ip("10.0.1.2"), topo_ip("10.0.2.2"), 0, 100 * MSEC);
    CU_ASSERT_PTR_NOT_NULL_FATAL(w->cc);
    CU_ASSERT_EQUAL_FATAL(w->cc->state, TCPS_ESTABLISHED);
    return w->cc;
}

static void tell_mtu(struct tcp_conn *c, uint32_t mtu)
{
    c->ep.err(&c->ep, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, mtu);
}

/* An MTU at or above the path's changes nothing (tcp_v6_mtu_reduced: it would not
 * lower the MSS; tcp_v4_mtu_reduced: __ip_rt_update_pmtu keeps the lower MTU). */
static void test_mtu_above_path_ignored(void)
{
    struct pw w;
    struct tcp_conn *c = idle_conn(&w, "6.x", true);
    CU_ASSERT_EQUAL(c->mss, 1428);
    CU_ASSERT_EQUAL(c->pmtu_cookie, 1500);
    tell_mtu(c, 9000);
    tell_mtu(c, 1500);
    CU_ASSERT_EQUAL(c->mss, 1428);
    CU_ASSERT_EQUAL(c->pmtu_cookie, 1500);
    tell_mtu(c, 1460);                  /* lower: taken; nothing in flight to resend */
    CU_ASSERT_EQUAL(c->mss, 1388);      /* 1460 - 40 - 20 - 12 */
    CU_ASSERT_EQUAL(c->pmtu_cookie, 1460);
    CU_ASSERT_EQUAL(c->ca_state, TCP_CA_Open);
    tell_mtu(c, 1480);                  /* above the path's now */
    CU_ASSERT_EQUAL(c->mss, 1388);
    CU_ASSERT_EQUAL(c->pmtu_cookie, 1460);
    pw_free(&w);

    c = idle_conn(&w, "6.x", false);
    CU_ASSERT_EQUAL(c->mss, 1448);
    tell_mtu(c, 1600);
    CU_ASSERT_EQUAL(c->mss, 1448);
    CU_ASSERT_EQUAL(c->pmtu_cookie, 1500);
    pw_free(&w);
}

/* Below IPv6's minimum MTU: 6.1's tcp_v6_err drops the Packet Too Big (since 5.14);
 * 5.10 as released raised it to 1280 (__ip6_rt_update_pmtu). */
static void test_v6_below_1280(void)
{
    struct pw w;
    struct tcp_conn *c = idle_conn(&w, "6.x", true);
    tell_mtu(c, 1000);
    CU_ASSERT_EQUAL(c->mss, 1428);
    CU_ASSERT_EQUAL(c->pmtu_cookie, 1500);
    pw_free(&w);

    c = idle_conn(&w, "5.10", true);
    tell_mtu(c, 1000);
    CU_ASSERT_EQUAL(c->pmtu_cookie, IPV6_MIN_MTU);
    CU_ASSERT_EQUAL(c->mss, 1208);      /* 1280 - 40 - 20 - 12 */
    pw_free(&w);
}

/* IPv4 below ip_rt_min_pmtu: the path MTU becomes 552 (mss 552 - 40 - 12 = 500). */
static void test_v4_below_min_pmtu(void)
{
    struct pw w;
    struct tcp_conn *c = idle_conn(&w, "6.x", false);
    tell_mtu(c, 68);
    CU_ASSERT_EQUAL(c->pmtu_cookie, IP_RT_MIN_PMTU);
    CU_ASSERT_EQUAL(c->mss, 500);
    pw_free(&w);
}

/* A Packet Too Big quoting a sequence number the connection has not sent (out of
 * [snd_una, snd_nxt]) is dropped by the stack: tcp_v6_err's OUTOFWINDOWICMPS. */
static void test_v6_out_of_window_dropped(void)
{
    struct pw w;
    pw_init(&w, "6.x", 1500);
    pw_connect(&w, K("2001:db8:1::2"), K("2001:db8:2::2"), 0, 100 * MSEC);
    struct tcp_conn *c = w.cc;
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    struct net *srv = host_net(w.t.server);
    for (int in_window = 0; in_window < 2; in_window++) {
        /* What the client would send, as the server's stack would quote it. */
        struct ip6_spec ip = { .saddr = *in6_key_addr(c->ep.laddr),
                               .daddr = *in6_key_addr(c->ep.raddr), .hop_limit = 64 };
        struct tcp_spec t = { .sport = c->ep.lport, .dport = c->ep.rport,
                              .seq = in_window ? c->snd_nxt : c->snd_nxt + 100000,
                              .ack = c->rcv_nxt, .flags = TCPH_ACK, .window = 500 };
        struct sk_buff *skb = skb_alloc(net_pool(srv), net_now(srv));
        CU_ASSERT_FATAL(pkt_build_tcp6(skb, &ip, &t, 1400));
        icmpv6_send(srv, skb, ICMPV6_PKT_TOOBIG, 0, 1400);
        skb_free(net_pool(srv), skb);
        sim_run_until(&w.t.w.sim, net_now(srv) + 50 * MSEC);
        CU_ASSERT_EQUAL(c->pmtu_cookie, in_window ? 1400u : 1500u);
        CU_ASSERT_EQUAL(c->mss, in_window ? 1328 : 1428);
    }
    pw_free(&w);
}

IPVSIM_SUITE(tcp_pmtu)
{
    CU_pSuite s = CU_add_suite("tcp_pmtu", NULL, NULL);
    ADD_TEST(s, test_v4_frag_needed_resegments);
    ADD_TEST(s, test_v6_packet_too_big_resegments);
    ADD_TEST(s, test_no_error_no_change);
    ADD_TEST(s, test_mtu_above_path_ignored);
    ADD_TEST(s, test_v6_below_1280);
    ADD_TEST(s, test_v4_below_min_pmtu);
    ADD_TEST(s, test_v6_out_of_window_dropped);
}
