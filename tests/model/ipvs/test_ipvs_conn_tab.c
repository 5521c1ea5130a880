/* The connection table's machinery: hash chains keyed by the client side (newest
 * first, an older entry found again once the newer is gone, nothing lost when the
 * buckets grow), creation order for listings, the timer lists (a connection
 * expires exactly at now + timeout of its last put, whatever list it moved through),
 * and deletion: templates going with their connections, flushes, the 5.9+
 * deferred work for connections of deleted dests. */
#include <string.h>
#include "model/ipvs/ip_vs_conn.h"
#include "model/ipvs/ip_vs_ctl.h"
#include "model/ipvs/ip_vs_proto.h"
#include "sim/pkt.h"
#include "tests/testutil.h"
#include "tests/topo_lvs.h"

#define RS "192.0.2.11"

struct tab_case {
    struct topo_lvs t;
    struct netns_ipvs *ipvs;
    struct ip_vs_service *svc;
    struct ip_vs_dest *nat;
};

static void tab_case_init_era(struct tab_case *c, const char *era)
{
    static const char *const cfg[] = {
        "-A -u 203.0.113.10:53 -s rr", "-a -u 203.0.113.10:53 -r 192.0.2.11:5353 -m", NULL,
    };
    memset(c, 0, sizeof *c);
    topo_lvs_init(&c->t, TOPO_NAT, era);
    topo_lvs_ipvsadm(&c->t, cfg);
    c->ipvs = ip_vs_net(host_net(c->t.lvs));
    c->svc = ip_vs_service_get(c->ipvs, IPPROTO_UDP, topo_ip(TOPO_VIP), htons(53), 0);
    c->nat = ip_vs_lookup_dest(c->svc, topo_ip(RS), htons(5353));
}

static void tab_case_init(struct tab_case *c)
{
    tab_case_init_era(c, "6.x");
}

/* Client i: addresses 10.0.x.y and ports spread so that chains and buckets mix. */
static be32 client_addr(uint32_t i) { return htonl(0x0a000000u + (i % 251u) * 3u); }
static be16 client_port(uint32_t i) { return htons((uint16_t)(1024u + i / 251u)); }

static struct ip_vs_conn *new_conn(struct tab_case *c, be32 caddr, be16 cport)
{
    struct ip_vs_conn_param p = { .protocol = IPPROTO_UDP, .caddr = caddr, .cport = cport,
                                  .vaddr = topo_ip(TOPO_VIP), .vport = htons(53) };
    return ip_vs_conn_new(c->ipvs, &p, topo_ip(RS), htons(5353), 0, c->nat, 0);
}

static struct ip_vs_conn *in_get(struct tab_case *c, be32 caddr, be16 cport)
{
    return ip_vs_conn_in_get(c->ipvs, IPPROTO_UDP, caddr, cport, topo_ip(TOPO_VIP), htons(53));
}

static struct ip_vs_conn *out_get(struct tab_case *c, be32 caddr, be16 cport)
{
    return ip_vs_conn_out_get(c->ipvs, IPPROTO_UDP, topo_ip(RS), htons(5353), caddr, cport);
}

static void run_for(struct tab_case *c, sim_time_t d)
{
    sim_run_until(&c->t.w.sim, c->t.w.sim.now + d);
}

/* Two entries with one key (an old one still expiring, as conn_reuse_mode leaves
 * it): lookups find the newer; when it goes first, the older is found again, as
 * with the kernel's one chain per bucket. */
static void test_equal_keys_newest_first(void)
{
    struct tab_case c;
    tab_case_init(&c);
    be32 a = topo_ip("10.0.1.2");
    struct ip_vs_conn *old = new_conn(&c, a, htons(40000));
    struct ip_vs_conn *young = new_conn(&c, a, htons(40000));
    CU_ASSERT_PTR_EQUAL(in_get(&c, a, htons(40000)), young);
    CU_ASSERT_PTR_EQUAL(out_get(&c, a, htons(40000)), young);
    old->timeout = 60 * SEC;
    ip_vs_conn_put(old);
    ip_vs_conn_expire_now(young);
    run_for(&c, MSEC);
    CU_ASSERT_EQUAL(ip_vs_conn_count(c.ipvs), 1);
    CU_ASSERT_PTR_EQUAL(in_get(&c, a, htons(40000)), old);
    CU_ASSERT_PTR_EQUAL(out_get(&c, a, htons(40000)), old);
    world_destroy(&c.t.w);
}

struct order_walk {
    uint64_t last_id, seen;
    bool increasing;
};

static void check_order(struct ip_vs_conn *cp, void *ctx)
{
    struct order_walk *w = ctx;
    if (cp->id <= w->last_id)
        w->increasing = false;
    w->last_id = cp->id;
    w->seen++;
}

/* 5000 entries (the buckets double five times on the way) plus a second entry on
 * every 7th key: every lookup still finds the newest entry of its key, in both
 * directions; freed entries are reused and listings stay in creation order. */
static void test_growth_keeps_every_entry(void)
{
    struct tab_case c;
    tab_case_init(&c);
    enum { N = 5000 };
    static struct ip_vs_conn *want[N];
    for (uint32_t i = 0; i < N; i++)
        want[i] = new_conn(&c, client_addr(i), client_port(i));
    for (uint32_t i = 0; i < N; i += 7)
        want[i] = new_conn(&c, client_addr(i), client_port(i));
    unsigned wrong = 0;
    for (uint32_t i = 0; i < N; i++) {
        if (in_get(&c, client_addr(i), client_port(i)) != want[i] ||
            out_get(&c, client_addr(i), client_port(i)) != want[i])
            wrong++;
    }
    CU_ASSERT_EQUAL(wrong, 0);
    CU_ASSERT_PTR_NULL(in_get(&c, client_addr(N), client_port(N)));
    /* Expire the first thousand keys' newest entries, make 500 new ones: the freed
     * slots are reused, the listing order is still creation order. */
    for (uint32_t i = 0; i < 1000; i++)
        ip_vs_conn_expire_now(want[i]);
    run_for(&c, MSEC);
    for (uint32_t i = 0; i < 500; i++)
        new_conn(&c, client_addr(N + i), client_port(N + i));
    struct order_walk w = { .increasing = true };
    ip_vs_conn_for_each(c.ipvs, check_order, &w);
    CU_ASSERT_TRUE(w.increasing);
    CU_ASSERT_EQUAL(w.seen, N + (N + 6) / 7 - 1000 + 500);
    CU_ASSERT_EQUAL(w.seen, ip_vs_conn_count(c.ipvs));
    world_destroy(&c.t.w);
}

/* Present just before its deadline, gone at it. */
static void assert_expires_at(struct tab_case *c, struct ip_vs_conn *cp, sim_time_t at)
{
    be32 a = cp->caddr;
    be16 p = cp->cport;
    sim_run_until(&c->t.w.sim, at - 1);
    CU_ASSERT_PTR_EQUAL(in_get(c, a, p), cp);
    sim_run_until(&c->t.w.sim, at);
    CU_ASSERT_PTR_NULL(in_get(c, a, p));
}

/* Each put moves the deadline to now + timeout, longer or shorter, across lists. */
static void test_deadline_of_last_put(void)
{
    struct tab_case c;
    tab_case_init(&c);
    sim_time_t t0 = c.t.w.sim.now;
    struct ip_vs_conn *a = new_conn(&c, topo_ip("10.0.1.2"), htons(40001));
    struct ip_vs_conn *b = new_conn(&c, topo_ip("10.0.1.2"), htons(40002));
    run_for(&c, 2 * SEC);
    a->timeout = 900 * SEC;             /* longer: a leaves the 3 s list */
    ip_vs_conn_put(a);
    run_for(&c, 500 * MSEC);
    a->timeout = 10 * SEC;              /* shorter than what is pending for it */
    ip_vs_conn_put(a);
    CU_ASSERT_EQUAL(ip_vs_conn_expires_in(a), 10);
    assert_expires_at(&c, b, t0 + 3 * SEC);
    assert_expires_at(&c, a, t0 + 2500 * MSEC + 10 * SEC);
    world_destroy(&c.t.w);
}

/* An emptied list is reused for another timeout while its event is still pending
 * for a later time: the new member must not wait for that event. */
static void test_reused_list_not_late(void)
{
    struct tab_case c;
    tab_case_init(&c);
    sim_time_t t0 = c.t.w.sim.now;
    struct ip_vs_conn *a = new_conn(&c, topo_ip("10.0.1.2"), htons(40003));
    new_conn(&c, topo_ip("10.0.1.2"), htons(40004));   /* keeps the 3 s list busy */
    a->timeout = 100 * SEC;
    ip_vs_conn_put(a);                  /* a new list, its event at t0 + 100 s */
    a->timeout = 5 * SEC;
    ip_vs_conn_put(a);                  /* the 100 s list is empty: reused for 5 s */
    assert_expires_at(&c, a, t0 + 5 * SEC);
    world_destroy(&c.t.w);
}

/* A template that still controls a connection outlives its timeout: re-armed for
 * 60 s at a time until the last one is gone. */
static void test_template_waits_for_controlled(void)
{
    struct tab_case c;
    tab_case_init(&c);
    sim_time_t t0 = c.t.w.sim.now;
    struct ip_vs_conn_param tp = { .protocol = IPPROTO_UDP, .caddr = topo_ip("10.0.1.2"),
                                   .vaddr = topo_ip(TOPO_VIP), .vport = htons(53) };
    struct ip_vs_conn *ct = ip_vs_conn_new(c.ipvs, &tp, topo_ip(RS), htons(5353),
                                           IP_VS_CONN_F_TEMPLATE, c.nat, 0);
    struct ip_vs_conn *cp = new_conn(&c, topo_ip("10.0.1.2"), htons(40005));
    ip_vs_control_add(cp, ct);
    cp->timeout = 100 * SEC;
    ip_vs_conn_put(cp);
    run_for(&c, 4 * SEC);               /* the template's 3 s are over: retry at 63 s */
    CU_ASSERT_PTR_EQUAL(ip_vs_ct_in_get(c.ipvs, &tp), ct);
    CU_ASSERT_EQUAL(ip_vs_conn_expires_in(ct), 59);
    sim_run_until(&c.t.w.sim, t0 + 100 * SEC);  /* cp gone; the template waits for 123 s */
    CU_ASSERT_EQUAL(ip_vs_conn_count(c.ipvs), 1);
    sim_run_until(&c.t.w.sim, t0 + 123 * SEC - 1);
    CU_ASSERT_PTR_EQUAL(ip_vs_ct_in_get(c.ipvs, &tp), ct);
    sim_run_until(&c.t.w.sim, t0 + 123 * SEC);
    CU_ASSERT_PTR_NULL(ip_vs_ct_in_get(c.ipvs, &tp));
    CU_ASSERT_EQUAL(ip_vs_conn_count(c.ipvs), 0);
    world_destroy(&c.t.w);
}

/* ---- deleting: templates go with the connections they controlled ------------------- */

static struct ip_vs_conn *new_template(struct tab_case *c, be32 caddr)
{
    struct ip_vs_conn_param tp = { .protocol = IPPROTO_UDP, .caddr = caddr,
                                   .vaddr = topo_ip(TOPO_VIP), .vport = htons(53) };
    struct ip_vs_conn *ct = ip_vs_conn_new(c->ipvs, &tp, topo_ip(RS), htons(5353),
                                           IP_VS_CONN_F_TEMPLATE, c->nat, 0);
    ct->timeout = 360 * SEC;
    ip_vs_conn_put(ct);
    return ct;
}

static struct ip_vs_conn *controlled(struct tab_case *c, struct ip_vs_conn *ct, uint16_t cport)
{
    struct ip_vs_conn *cp = new_conn(c, ct->caddr, htons(cport));
    ip_vs_control_add(cp, ct);
    return cp;
}

/* ip_vs_conn_del of the last controlled connection takes a template that never
 * saw an established connection with it; an ASSURED one keeps its persistence. */
static void test_del_drops_unassured_template(void)
{
    struct tab_case c;
    tab_case_init(&c);
    struct ip_vs_conn *fresh = new_template(&c, topo_ip("10.0.1.2"));
    struct ip_vs_conn *a = controlled(&c, fresh, 40010);
    struct ip_vs_conn *b = controlled(&c, fresh, 40011);
    struct ip_vs_conn *assured = new_template(&c, topo_ip("10.0.1.3"));
    assured->state |= IP_VS_CTPL_S_ASSURED;
    struct ip_vs_conn *d = controlled(&c, assured, 40012);
    CU_ASSERT_EQUAL(ip_vs_conn_count(c.ipvs), 5);
    ip_vs_conn_del(a);
    CU_ASSERT_EQUAL(ip_vs_conn_count(c.ipvs), 4);      /* fresh still controls b */
    CU_ASSERT_EQUAL(fresh->n_control, 1);
    ip_vs_conn_del(b);
    CU_ASSERT_EQUAL(ip_vs_conn_count(c.ipvs), 2);      /* b and fresh, at once */
    ip_vs_conn_del(d);
    CU_ASSERT_EQUAL(ip_vs_conn_count(c.ipvs), 1);      /* the ASSURED template stays */
    CU_ASSERT_EQUAL(assured->n_control, 0);
    CU_ASSERT_EQUAL(ip_vs_conn_expires_in(assured), 360);
    world_destroy(&c.t.w);
}

/* Before 4.19 a template is never ASSURED and outlives a deleted connection. */
static void test_del_keeps_template_before_4_19(void)
{
    static const char *const eras[] = { "2.6.34", "4.9" };
    for (int e = 0; e < 2; e++) {
        struct tab_case c;
        tab_case_init_era(&c, eras[e]);
        struct ip_vs_conn *ct = new_template(&c, topo_ip("10.0.1.2"));
        struct ip_vs_conn *a = controlled(&c, ct, 40021);
        ip_vs_control_assure_ct(a);
        CU_ASSERT_EQUAL(ct->state, IP_VS_CTPL_S_NONE);
        ip_vs_conn_del(a);
        CU_ASSERT_EQUAL(ip_vs_conn_count(c.ipvs), 1);
        CU_ASSERT_EQUAL(ip_vs_conn_expires_in(ct), 360);
        world_destroy(&c.t.w);
    }
}

/* One TCP segment from the client through the state machine of cp. */
static void tcp_segment(struct tab_case *c, struct ip_vs_conn *cp, uint8_t flags)
{
    struct net *net = host_net(c->t.lvs);
    struct ip4_spec ip = { .saddr = cp->caddr, .daddr = cp->vaddr, .ttl = 64 };
    struct tcp_spec th = { .sport = cp->cport, .dport = cp->vport, .seq = 1, .flags = flags,
                           .window = 1000 };
    struct sk_buff *skb = skb_alloc(net_pool(net), net_now(net));
    pkt_build_tcp(skb, &ip, &th, 0);
    struct ip_vs_iphdr iph;
    CU_ASSERT_TRUE_FATAL(ip_vs_fill_iph(skb, &iph));
    ip_vs_set_state(cp, IP_VS_DIR_INPUT, skb, &ip_vs_protocol_tcp, &iph);
    skb_free(net_pool(net), skb);
}

/* set_tcp_state assures the template on the move into ESTABLISHED only: a
 * connection already ESTABLISHED (as the sync daemon creates them on a backup)
 * leaves its template as it is, packet after packet; the next handshake to
 * ESTABLISHED assures it. */
static void test_template_assured_on_transition(void)
{
    struct tab_case c;
    tab_case_init_era(&c, "5.10");
    struct ip_vs_conn *ct = new_template(&c, topo_ip("10.0.1.2"));
    struct ip_vs_conn_param p = { .protocol = IPPROTO_TCP, .caddr = ct->caddr,
                                  .cport = htons(40030), .vaddr = topo_ip(TOPO_VIP),
                                  .vport = htons(53) };
    struct ip_vs_conn *cp = ip_vs_conn_new(c.ipvs, &p, topo_ip(RS), htons(5353), 0, c.nat, 0);
    ip_vs_control_add(cp, ct);
    ip_vs_conn_set_state(cp, IP_VS_TCP_S_ESTABLISHED, true);
    tcp_segment(&c, cp, TCPH_ACK);
    tcp_segment(&c, cp, TCPH_ACK | TCPH_PSH);
    CU_ASSERT_EQUAL(cp->state, IP_VS_TCP_S_ESTABLISHED);
    CU_ASSERT_EQUAL(ct->state, IP_VS_CTPL_S_NONE);
    p.cport = htons(40031);
    struct ip_vs_conn *cq = ip_vs_conn_new(c.ipvs, &p, topo_ip(RS), htons(5353), 0, c.nat, 0);
    ip_vs_control_add(cq, ct);
    tcp_segment(&c, cq, TCPH_SYN);
    CU_ASSERT_EQUAL(ct->state, IP_VS_CTPL_S_NONE);      /* SYN_RECV */
    tcp_segment(&c, cq, TCPH_ACK);
    CU_ASSERT_EQUAL(cq->state, IP_VS_TCP_S_ESTABLISHED);
    CU_ASSERT_EQUAL(ct->state, IP_VS_CTPL_S_ASSURED);
    world_destroy(&c.t.w);
}

/* A connection expiring on its own leaves its template to its own timeout; one
 * expired at once (expire_now) keeps its timeout, so it does not count as deleted. */
static void test_expiry_keeps_template(void)
{
    struct tab_case c;
    tab_case_init(&c);
    struct ip_vs_conn *ct = new_template(&c, topo_ip("10.0.1.2"));
    struct ip_vs_conn *a = controlled(&c, ct, 40013);
    controlled(&c, ct, 40014);
    ip_vs_conn_expire_now(a);
    CU_ASSERT_NOT_EQUAL(a->timeout, 0);
    run_for(&c, 4 * SEC);                               /* a now, b after its 3 s */
    CU_ASSERT_EQUAL(ip_vs_conn_count(c.ipvs), 1);
    CU_ASSERT_PTR_NULL(in_get(&c, topo_ip("10.0.1.2"), htons(40014)));
    CU_ASSERT_PTR_EQUAL(ip_vs_ct_in_get(c.ipvs, &(struct ip_vs_conn_param){
                            .protocol = IPPROTO_UDP, .caddr = topo_ip("10.0.1.2"),
                            .vaddr = topo_ip(TOPO_VIP), .vport = htons(53) }), ct);
    CU_ASSERT_EQUAL(ct->n_control, 0);
    world_destroy(&c.t.w);
}

/* The flush (a director's table lost in a crash) deletes every entry at once,
 * ASSURED templates included, whatever the creation order. */
static void test_flush_deletes_everything(void)
{
    struct tab_case c;
    tab_case_init(&c);
    struct ip_vs_conn *ct = new_template(&c, topo_ip("10.0.1.2"));
    ct->state |= IP_VS_CTPL_S_ASSURED;
    controlled(&c, ct, 40015);
    controlled(&c, ct, 40016);
    new_conn(&c, topo_ip("10.0.1.4"), htons(40017));
    struct ip_vs_conn *late = new_template(&c, topo_ip("10.0.1.5"));
    /* A template made after the connection it controls (as sync messages may). */
    struct ip_vs_conn *early = new_conn(&c, topo_ip("10.0.1.5"), htons(40018));
    ip_vs_control_add(early, late);
    CU_ASSERT_EQUAL(ip_vs_conn_count(c.ipvs), 6);
    ip_vs_conn_flush(c.ipvs);
    CU_ASSERT_EQUAL(ip_vs_conn_count(c.ipvs), 0);
    CU_ASSERT_EQUAL(c.nat->activeconns + c.nat->inactconns + c.nat->persistconns, 0);
    world_destroy(&c.t.w);
}

/* Deleting a dest with expire_nodest_conn = 1: from 5.9 deferred work deletes its
 * connections (and their unused templates) a jiffy later; before, they wait for a
 * packet or their timeout. left: entries 10 ms after the delete. */
static void nodest_case(const char *era, uint64_t left)
{
    struct tab_case c;
    tab_case_init_era(&c, era);
    c.ipvs->sysctl.expire_nodest_conn = 1;
    struct ip_vs_conn *ct = new_template(&c, topo_ip("10.0.1.2"));
    struct ip_vs_conn *cp = controlled(&c, ct, 40019);
    cp->timeout = 300 * SEC;
    ip_vs_conn_put(cp);
    new_conn(&c, topo_ip("10.0.1.3"), htons(40020));
    CU_ASSERT_EQUAL_FATAL(ip_vs_del_dest(c.svc, topo_ip(RS), htons(5353)), 0);
    run_for(&c, 10 * MSEC);                             /* a jiffy is 4 ms (HZ 250) */
    CU_ASSERT_EQUAL(ip_vs_conn_count(c.ipvs), left);
    world_destroy(&c.t.w);
}

static void test_nodest_work_from_5_9(void)
{
    nodest_case("6.x", 0);
    nodest_case("5.10", 0);
    nodest_case("4.9", 3);
    nodest_case("2.6.34", 3);
}

IPVSIM_SUITE(ipvs_conn_tab)
{
    CU_pSuite s = CU_add_suite("ipvs_conn_tab", NULL, NULL);
    ADD_TEST(s, test_equal_keys_newest_first);
    ADD_TEST(s, test_growth_keeps_every_entry);
    ADD_TEST(s, test_deadline_of_last_put);
    ADD_TEST(s, test_reused_list_not_late);
    ADD_TEST(s, test_template_waits_for_controlled);
    ADD_TEST(s, test_del_drops_unassured_template);
    ADD_TEST(s, test_del_keeps_template_before_4_19);
    ADD_TEST(s, test_template_assured_on_transition);
    ADD_TEST(s, test_expiry_keeps_template);
    ADD_TEST(s, test_flush_deletes_everything);
    ADD_TEST(s, test_nodest_work_from_5_9);
}
