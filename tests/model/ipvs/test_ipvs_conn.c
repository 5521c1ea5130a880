/* The connection table's lookups in both directions (ip_vs_conn_in_get,
 * ip_vs_conn_out_get, ip_vs_ct_in_get) for each forwarding method's keys, a key
 * reused after expiry, conn_reuse_mode on the LVS topology, and cache_bypass
 * (ip_vs_leave's BYPASS connections). */
#include <string.h>
#include "model/ipv4/ip.h"
#include "model/ipvs/ip_vs_conn.h"
#include "model/ipvs/ip_vs_core.h"
#include "model/ipvs/ip_vs_ctl.h"
#include "model/ipv4/sock.h"
#include "tests/testutil.h"
#include "tests/topo_lvs.h"

#define CIP "10.0.1.2"
#define RS1 "192.0.2.11"
#define RS2 "192.0.2.12"

/* ---- lookups ------------------------------------------------------------------------ */

struct table_case {
    struct topo_lvs t;
    struct netns_ipvs *ipvs;
    struct ip_vs_service *svc;
    struct ip_vs_dest *nat, *dr, *tun;
};

static void table_case_init(struct table_case *c)
{
    static const char *const cfg[] = {
        "-A -t 203.0.113.10:80 -s rr",
        "-a -t 203.0.113.10:80 -r 192.0.2.11:8080 -m",
        "-a -t 203.0.113.10:80 -r 192.0.2.12 -g",
        "-a -t 203.0.113.10:80 -r 192.0.2.13 -i",
        NULL,
    };
    memset(c, 0, sizeof *c);
    topo_lvs_init(&c->t, TOPO_NAT, "6.x");
    topo_lvs_ipvsadm(&c->t, cfg);
    c->ipvs = ip_vs_net(host_net(c->t.lvs));
    c->svc = ip_vs_service_get(c->ipvs, IPPROTO_TCP, topo_ip(TOPO_VIP), htons(80), 0);
    c->nat = ip_vs_lookup_dest(c->svc, topo_ip(RS1), htons(8080));
    c->dr = ip_vs_lookup_dest(c->svc, topo_ip(RS2), htons(80));
    c->tun = ip_vs_lookup_dest(c->svc, topo_ip("192.0.2.13"), htons(80));
}

static struct ip_vs_conn_param param(uint16_t proto, uint16_t cport)
{
    struct ip_vs_conn_param p = { .protocol = proto, .caddr = topo_ip(CIP), .cport = htons(cport),
                                  .vaddr = topo_ip(TOPO_VIP), .vport = htons(80) };
    return p;
}

static struct ip_vs_conn *in_get(struct table_case *c, uint16_t proto, uint16_t cport)
{
    return ip_vs_conn_in_get(c->ipvs, proto, topo_ip(CIP), htons(cport), topo_ip(TOPO_VIP),
                             htons(80));
}

/* A reply from (saddr, sport) to the client's port. */
static struct ip_vs_conn *out_get(struct table_case *c, uint16_t proto, const char *saddr,
                                  uint16_t sport, uint16_t cport)
{
    return ip_vs_conn_out_get(c->ipvs, proto, topo_ip(saddr), htons(sport), topo_ip(CIP),
                              htons(cport));
}

static void test_nat_keys(void)
{
    struct table_case c;
    table_case_init(&c);
    struct ip_vs_conn_param p = param(IPPROTO_TCP, 50000);
    struct ip_vs_conn *cp = ip_vs_conn_new(c.ipvs, &p, topo_ip(RS1), htons(8080), 0, c.nat, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cp);
    CU_ASSERT_EQUAL(cp->flags & IP_VS_CONN_F_FWD_MASK, IP_VS_CONN_F_MASQ);
    CU_ASSERT_TRUE(cp->flags & IP_VS_CONN_F_HASHED);
    /* In: client -> VIP:vport. */
    CU_ASSERT_PTR_EQUAL(in_get(&c, IPPROTO_TCP, 50000), cp);
    CU_ASSERT_PTR_NULL(in_get(&c, IPPROTO_TCP, 50001));
    CU_ASSERT_PTR_NULL(in_get(&c, IPPROTO_UDP, 50000));
    CU_ASSERT_PTR_NULL(ip_vs_conn_in_get(c.ipvs, IPPROTO_TCP, topo_ip(CIP), htons(50000),
                                         topo_ip(TOPO_VIP), htons(81)));
    /* Out: the real server's own address and port, to the client. */
    CU_ASSERT_PTR_EQUAL(out_get(&c, IPPROTO_TCP, RS1, 8080, 50000), cp);
    CU_ASSERT_PTR_NULL(out_get(&c, IPPROTO_TCP, TOPO_VIP, 80, 50000));
    CU_ASSERT_PTR_NULL(out_get(&c, IPPROTO_TCP, RS1, 80, 50000));
    CU_ASSERT_PTR_NULL(out_get(&c, IPPROTO_TCP, RS1, 8080, 50001));
    /* An out-lookup is no in-lookup, nor the other way round. */
    CU_ASSERT_PTR_NULL(ip_vs_conn_in_get(c.ipvs, IPPROTO_TCP, topo_ip(RS1), htons(8080),
                                         topo_ip(CIP), htons(50000)));
    CU_ASSERT_PTR_NULL(ip_vs_conn_out_get(c.ipvs, IPPROTO_TCP, topo_ip(CIP), htons(50000),
                                          topo_ip(TOPO_VIP), htons(80)));
    /* Not a template. */
    CU_ASSERT_PTR_NULL(ip_vs_ct_in_get(c.ipvs, &p));
    world_destroy(&c.t.w);
}

static void test_dr_tun_keys(void)
{
    struct table_case c;
    table_case_init(&c);
    struct ip_vs_conn_param p = param(IPPROTO_TCP, 50010);
    struct ip_vs_conn *dr = ip_vs_conn_new(c.ipvs, &p, topo_ip(RS2), htons(80), 0, c.dr, 0);
    p = param(IPPROTO_TCP, 50011);
    struct ip_vs_conn *tun = ip_vs_conn_new(c.ipvs, &p, topo_ip("192.0.2.13"), htons(80), 0,
                                            c.tun, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(dr);
    CU_ASSERT_PTR_NOT_NULL_FATAL(tun);
    CU_ASSERT_TRUE(dr->flags & IP_VS_CONN_F_NOOUTPUT);
    CU_ASSERT_TRUE(tun->flags & IP_VS_CONN_F_NOOUTPUT);
    CU_ASSERT_PTR_EQUAL(in_get(&c, IPPROTO_TCP, 50010), dr);
    CU_ASSERT_PTR_EQUAL(in_get(&c, IPPROTO_TCP, 50011), tun);
    /* Replies of DR and TUN keep the VIP as their source. */
    CU_ASSERT_PTR_EQUAL(out_get(&c, IPPROTO_TCP, TOPO_VIP, 80, 50010), dr);
    CU_ASSERT_PTR_EQUAL(out_get(&c, IPPROTO_TCP, TOPO_VIP, 80, 50011), tun);
    CU_ASSERT_PTR_NULL(out_get(&c, IPPROTO_TCP, RS2, 80, 50010));
    CU_ASSERT_PTR_NULL(out_get(&c, IPPROTO_TCP, "192.0.2.13", 80, 50011));
    world_destroy(&c.t.w);
}

static void test_templates(void)
{
    struct table_case c;
    table_case_init(&c);
    /* A persistence template: (proto, client network, cport 0, VIP, vport). */
    struct ip_vs_conn_param tp = { .protocol = IPPROTO_TCP, .caddr = topo_ip("10.0.1.0"),
                                   .vaddr = topo_ip(TOPO_VIP), .vport = htons(80) };
    struct ip_vs_conn *ct = ip_vs_conn_new(c.ipvs, &tp, topo_ip(RS1), htons(8080),
                                           IP_VS_CONN_F_TEMPLATE, c.nat, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ct);
    CU_ASSERT_PTR_EQUAL(ip_vs_ct_in_get(c.ipvs, &tp), ct);
    CU_ASSERT_EQUAL(c.nat->persistconns, 1);
    CU_ASSERT_EQUAL(c.nat->inactconns, 0);
    /* Templates are in neither connection index. */
    CU_ASSERT_PTR_NULL(ip_vs_conn_in_get(c.ipvs, IPPROTO_TCP, topo_ip("10.0.1.0"), 0,
                                         topo_ip(TOPO_VIP), htons(80)));
    CU_ASSERT_PTR_NULL(ip_vs_conn_out_get(c.ipvs, IPPROTO_TCP, topo_ip(RS1), htons(8080),
                                          topo_ip("10.0.1.0"), 0));
    /* Other keys miss: another port, a fwmark template (protocol 0, the mark as
     * address). */
    struct ip_vs_conn_param other = tp;
    other.vport = 0;
    CU_ASSERT_PTR_NULL(ip_vs_ct_in_get(c.ipvs, &other));
    struct ip_vs_conn_param fwm = { .protocol = 0, .caddr = topo_ip("10.0.1.0"),
                                    .vaddr = htonl(7) };
    struct ip_vs_conn *fct = ip_vs_conn_new(c.ipvs, &fwm, topo_ip(RS1), 0,
                                            IP_VS_CONN_F_TEMPLATE, c.nat, 7);
    CU_ASSERT_PTR_EQUAL(ip_vs_ct_in_get(c.ipvs, &fwm), fct);
    CU_ASSERT_PTR_EQUAL(ip_vs_ct_in_get(c.ipvs, &tp), ct);
    /* An invalidated template matches no more; a new one takes its key. */
    ip_vs_conn_invalidate_template(ct);
    CU_ASSERT_PTR_NULL(ip_vs_ct_in_get(c.ipvs, &tp));
    struct ip_vs_conn *ct2 = ip_vs_conn_new(c.ipvs, &tp, topo_ip(RS2), htons(80),
                                            IP_VS_CONN_F_TEMPLATE, c.dr, 0);
    CU_ASSERT_PTR_EQUAL(ip_vs_ct_in_get(c.ipvs, &tp), ct2);
    /* A normal connection with a template's numbers is not found by ct_in_get. */
    struct ip_vs_conn_param np = tp;
    np.caddr = topo_ip(CIP);
    np.cport = htons(50020);
    ip_vs_conn_new(c.ipvs, &np, topo_ip(RS1), htons(8080), 0, c.nat, 0);
    CU_ASSERT_PTR_NULL(ip_vs_ct_in_get(c.ipvs, &np));
    world_destroy(&c.t.w);
}

static void test_key_reused_after_expiry(void)
{
    struct table_case c;
    table_case_init(&c);
    struct ip_vs_conn_param p = param(IPPROTO_UDP, 50030);
    struct ip_vs_conn *a = ip_vs_conn_new(c.ipvs, &p, topo_ip(RS1), htons(8080), 0, c.nat, 0);
    CU_ASSERT_PTR_EQUAL(in_get(&c, IPPROTO_UDP, 50030), a);
    uint64_t id_a = a->id;
    /* It expires (3 s initial timeout): both indexes forget it. */
    sim_run_until(&c.t.w.sim, c.t.w.sim.now + 4 * SEC);
    CU_ASSERT_PTR_NULL(in_get(&c, IPPROTO_UDP, 50030));
    CU_ASSERT_PTR_NULL(out_get(&c, IPPROTO_UDP, RS1, 8080, 50030));
    CU_ASSERT_EQUAL(c.nat->inactconns, 0);
    /* The same key again, now to the DR server: the new connection, with the new
     * method's out key. */
    struct ip_vs_conn *b = ip_vs_conn_new(c.ipvs, &p, topo_ip(RS2), htons(80), 0, c.dr, 0);
    CU_ASSERT_NOT_EQUAL(b->id, id_a);
    CU_ASSERT_PTR_EQUAL(in_get(&c, IPPROTO_UDP, 50030), b);
    CU_ASSERT_PTR_EQUAL(out_get(&c, IPPROTO_UDP, TOPO_VIP, 80, 50030), b);
    CU_ASSERT_PTR_NULL(out_get(&c, IPPROTO_UDP, RS1, 8080, 50030));
    /* A newer connection on a key still held: it takes the key, and the older
     * one's expiry does not take it away. */
    struct ip_vs_conn *n = ip_vs_conn_new(c.ipvs, &p, topo_ip(RS2), htons(80), 0, c.dr, 0);
    CU_ASSERT_PTR_EQUAL(in_get(&c, IPPROTO_UDP, 50030), n);
    ip_vs_conn_expire_now(b);
    sim_run_until(&c.t.w.sim, c.t.w.sim.now + 1 * MSEC);
    CU_ASSERT_PTR_EQUAL(in_get(&c, IPPROTO_UDP, 50030), n);
    CU_ASSERT_PTR_EQUAL(out_get(&c, IPPROTO_UDP, TOPO_VIP, 80, 50030), n);
    CU_ASSERT_EQUAL(ip_vs_conn_count(c.ipvs), 1);
    world_destroy(&c.t.w);
}

static void test_fullnat_keys(void)
{
    static const char *const cfg[] = {
        "-A -u 203.0.113.10:53 -s rr", "-a -u 203.0.113.10:53 -r 192.0.2.11:5353 --fullnat", NULL,
    };
    struct topo_lvs t;
    topo_lvs_init(&t, TOPO_DR, "6.x");
    topo_lvs_ipvsadm(&t, cfg);
    struct netns_ipvs *ipvs = ip_vs_net(host_net(t.lvs));
    struct ip_vs_service *svc = ip_vs_service_get(ipvs, IPPROTO_UDP, topo_ip(TOPO_VIP), htons(53), 0);
    struct ip_vs_dest *d = ip_vs_lookup_dest(svc, topo_ip(RS1), htons(5353));
    struct ip_vs_conn_param p = { .protocol = IPPROTO_UDP, .caddr = topo_ip(CIP),
                                  .cport = htons(50040), .vaddr = topo_ip(TOPO_VIP),
                                  .vport = htons(53), .laddr = topo_ip("192.0.2.1"),
                                  .lport = htons(2000) };
    struct ip_vs_conn *cp = ip_vs_conn_new(ipvs, &p, topo_ip(RS1), htons(5353), 0, d, 0);
    CU_ASSERT_PTR_EQUAL(ip_vs_conn_in_get(ipvs, IPPROTO_UDP, topo_ip(CIP), htons(50040),
                                          topo_ip(TOPO_VIP), htons(53)), cp);
    /* Replies come from the server to the local address and port... */
    CU_ASSERT_PTR_EQUAL(ip_vs_conn_out_get(ipvs, IPPROTO_UDP, topo_ip(RS1), htons(5353),
                                           topo_ip("192.0.2.1"), htons(2000)), cp);
    /* ...never to the client itself. */
    CU_ASSERT_PTR_NULL(ip_vs_conn_out_get(ipvs, IPPROTO_UDP, topo_ip(RS1), htons(5353),
                                          topo_ip(CIP), htons(50040)));
    CU_ASSERT_PTR_NULL(ip_vs_conn_out_get(ipvs, IPPROTO_UDP, topo_ip(RS1), htons(5353),
                                          topo_ip("192.0.2.1"), htons(2001)));
    world_destroy(&t.w);
}

/* ---- conn_reuse_mode on the topology ------------------------------------------------- */


static void sink(struct net *net, struct sk_buff *skb, void *ctx)
{
    (*(int *)ctx)++;
    consume_skb(net, skb);
}

struct reuse_case {
    struct topo_lvs t;
    struct rs_tcp rs[2];
    int client_got;
    struct netns_ipvs *ipvs;
};

static void reuse_case_init(struct reuse_case *c, enum topo_fwd fwd, int mode, bool persistent)
{
    static const char *const nat[] = {
        "-A -t 203.0.113.10:80 -s rr", "-a -t 203.0.113.10:80 -r 192.0.2.11:80 -m",
        "-a -t 203.0.113.10:80 -r 192.0.2.12:80 -m", NULL,
    };
    static const char *const nat_p[] = {
        "-A -t 203.0.113.10:80 -s rr -p 300", "-a -t 203.0.113.10:80 -r 192.0.2.11:80 -m",
        "-a -t 203.0.113.10:80 -r 192.0.2.12:80 -m", NULL,
    };
    static const char *const dr[] = {
        "-A -t 203.0.113.10:80 -s rr", "-a -t 203.0.113.10:80 -r 192.0.2.11 -g",
        "-a -t 203.0.113.10:80 -r 192.0.2.12 -g", NULL,
    };
    memset(c, 0, sizeof *c);
    topo_lvs_init(&c->t, fwd, "6.x");
    for (int i = 0; i < 2; i++)
        sock_bind(host_net(c->t.rs[i]), IPPROTO_TCP, 0, rs_tcp_rx, &c->rs[i]);
    sock_bind(host_net(c->t.client), IPPROTO_TCP, 0, sink, &c->client_got);
    topo_lvs_ipvsadm(&c->t, fwd == TOPO_DR ? dr : persistent ? nat_p : nat);
    c->ipvs = ip_vs_net(host_net(c->t.lvs));
    c->ipvs->sysctl.conn_reuse_mode = mode;
}

static void seg(struct reuse_case *c, uint8_t flags)
{
    send_tcp_from(host_net(c->t.client), 0, topo_ip(TOPO_VIP), htons(51000), htons(80), flags);
    sim_run_until(&c->t.w.sim, c->t.w.sim.now + 100 * MSEC);
}

static struct ip_vs_conn *the_conn(struct reuse_case *c)
{
    return ip_vs_conn_in_get(c->ipvs, IPPROTO_TCP, topo_ip(CIP), htons(51000), topo_ip(TOPO_VIP),
                             htons(80));
}

/* SYN, ACK, FIN: a NAT connection ends in TIME_WAIT, a DR one in FIN_WAIT. Then a
 * new SYN from the same client port. Returns the old connection's id. */
static uint64_t close_then_syn(struct reuse_case *c, int want_state)
{
    seg(c, TCPH_SYN);
    seg(c, TCPH_ACK);
    seg(c, TCPH_FIN | TCPH_ACK);
    struct ip_vs_conn *cp = the_conn(c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cp);
    CU_ASSERT_EQUAL(cp->state, want_state);
    uint64_t id = cp->id;
    seg(c, TCPH_SYN);
    return id;
}

static void test_reuse_mode1_time_wait_rescheduled(void)
{
    struct reuse_case c;
    reuse_case_init(&c, TOPO_NAT, 1, false);
    uint64_t old = close_then_syn(&c, IP_VS_TCP_S_TIME_WAIT);
    struct ip_vs_conn *cp = the_conn(&c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cp);
    CU_ASSERT_NOT_EQUAL(cp->id, old);                       /* a new connection */
    CU_ASSERT_EQUAL(cp->state, IP_VS_TCP_S_SYN_RECV);
    /* rr went on to the other server: rs2 had the first, rs1 the new SYN */
    CU_ASSERT_EQUAL(c.rs[1].syns, 1);
    CU_ASSERT_EQUAL(c.rs[0].syns, 1);
    CU_ASSERT_EQUAL(ip_vs_conn_count(c.ipvs), 1);
    CU_ASSERT_EQUAL(c.ipvs->tot_stats.c.conns, 2);
    world_destroy(&c.t.w);
}

static void test_reuse_mode0_same_conn(void)
{
    struct reuse_case c;
    reuse_case_init(&c, TOPO_NAT, 0, false);
    uint64_t old = close_then_syn(&c, IP_VS_TCP_S_TIME_WAIT);
    struct ip_vs_conn *cp = the_conn(&c);
    CU_ASSERT_EQUAL(cp->id, old);                           /* the old connection... */
    CU_ASSERT_EQUAL(cp->state, IP_VS_TCP_S_SYN_RECV);       /* INPUT syn from TIME_WAIT */
    CU_ASSERT_EQUAL(c.rs[1].syns, 2);                       /* ...and its server */
    CU_ASSERT_EQUAL(c.rs[0].syns, 0);
    CU_ASSERT_EQUAL(c.ipvs->tot_stats.c.conns, 1);
    world_destroy(&c.t.w);
}

static void test_reuse_persistent_kept(void)
{
    /* A connection under a persistence template is never rescheduled this way. */
    struct reuse_case c;
    reuse_case_init(&c, TOPO_NAT, 1, true);
    uint64_t old = close_then_syn(&c, IP_VS_TCP_S_TIME_WAIT);
    CU_ASSERT_EQUAL(the_conn(&c)->id, old);
    CU_ASSERT_EQUAL(c.rs[0].syns + c.rs[1].syns, 2);
    CU_ASSERT_TRUE(c.rs[0].syns == 2 || c.rs[1].syns == 2);
    world_destroy(&c.t.w);
}

static void test_reuse_dr_fin_wait(void)
{
    /* Mode 1: a DR connection in FIN_WAIT is no candidate: reused (IN_ONLY syn from
     * FIN_WAIT: SYN_RECV), same server. */
    struct reuse_case c;
    reuse_case_init(&c, TOPO_DR, 1, false);
    uint64_t old = close_then_syn(&c, IP_VS_TCP_S_FIN_WAIT);
    struct ip_vs_conn *cp = the_conn(&c);
    CU_ASSERT_EQUAL(cp->id, old);
    CU_ASSERT_EQUAL(cp->state, IP_VS_TCP_S_SYN_RECV);
    CU_ASSERT_EQUAL(c.rs[1].syns, 2);
    world_destroy(&c.t.w);
    /* Mode 2: FIN_WAIT on a connection that sees no replies (NOOUTPUT) is. */
    reuse_case_init(&c, TOPO_DR, 2, false);
    old = close_then_syn(&c, IP_VS_TCP_S_FIN_WAIT);
    cp = the_conn(&c);
    CU_ASSERT_NOT_EQUAL(cp->id, old);
    CU_ASSERT_EQUAL(c.rs[1].syns, 1);
    CU_ASSERT_EQUAL(c.rs[0].syns, 1);
    CU_ASSERT_EQUAL(ip_vs_conn_count(c.ipvs), 1);
    world_destroy(&c.t.w);
    /* Mode 2 takes TIME_WAIT too (bit 0 is not needed for it). */
    reuse_case_init(&c, TOPO_NAT, 2, false);
    old = close_then_syn(&c, IP_VS_TCP_S_TIME_WAIT);
    CU_ASSERT_NOT_EQUAL(the_conn(&c)->id, old);
    world_destroy(&c.t.w);
}

/* ---- cache_bypass ---------------------------------------------------------------------- */

struct udp_seen {
    int got;
    uint8_t ttl;
    be32 saddr;
};

static void udp_rx(struct net *net, struct sk_buff *skb, void *ctx)
{
    struct udp_seen *u = ctx;
    const struct iphdr *iph = ip_hdr(skb);
    u->got++;
    u->ttl = iph->ttl;
    u->saddr = iph->saddr;
    const struct udphdr *uh = (const struct udphdr *)skb->data;
    be32 to = iph->saddr, from = iph->daddr;
    be16 sport = uh->dest, dport = uh->source;
    bool echo = ntohs(sport) == 53;
    consume_skb(net, skb);
    if (echo) {
        struct rtable *rt = ip_route_output(net, to);
        struct ip4_spec ip = { .saddr = from, .daddr = to, .ttl = 64 };
        struct sk_buff *r = skb_alloc(net_pool(net), net_now(net));
        pkt_build_udp(r, &ip, sport, dport, 10);
        r->dst = rt;
        ip_local_out(net, r);
    }
}

/* The director sends a marked datagram (SO_MARK) from its own stack: a fwmark
 * service without dests takes it at LOCAL_OUT. */
static void director_send_marked(struct topo_lvs *t, const char *daddr, uint32_t mark)
{
    struct net *net = host_net(t->lvs);
    be32 d = topo_ip(daddr);
    struct rtable *rt = ip_route_output(net, d);
    struct ip4_spec ip = { .saddr = rt->type == RTN_LOCAL ? d : rt->prefsrc, .daddr = d,
                           .ttl = 64 };
    struct sk_buff *skb = skb_alloc(net_pool(net), net_now(net));
    pkt_build_udp(skb, &ip, htons(52000), htons(53), 20);
    skb->mark = mark;
    skb->dst = rt;
    ip_local_out(net, skb);
    sim_run_until(&t->w.sim, t->w.sim.now + 100 * MSEC);
}

static void test_cache_bypass(void)
{
    static const char *const cfg[] = { "-A -f 1 -s rr", NULL };
    struct topo_lvs t;
    topo_lvs_init(&t, TOPO_NAT, "6.x");
    topo_lvs_ipvsadm(&t, cfg);
    struct netns_ipvs *ipvs = ip_vs_net(host_net(t.lvs));
    struct udp_seen client = {0}, director = {0};
    sock_bind(host_net(t.client), IPPROTO_UDP, 0, udp_rx, &client);
    sock_bind(host_net(t.lvs), IPPROTO_UDP, 0, udp_rx, &director);

    /* cache_bypass off: no dest, so ip_vs_leave answers port unreachable. */
    director_send_marked(&t, CIP, 1);
    CU_ASSERT_EQUAL(ipvs->core->leave_icmp, 1);
    CU_ASSERT_EQUAL(client.got, 0);
    CU_ASSERT_EQUAL(ip_vs_conn_count(ipvs), 0);

    /* On: a BYPASS connection forwards it to where it was going. */
    ipvs->sysctl.cache_bypass = 1;
    director_send_marked(&t, CIP, 1);
    CU_ASSERT_EQUAL(client.got, 1);
    CU_ASSERT_EQUAL(client.ttl, 62);                        /* decremented, then gw */
    CU_ASSERT_EQUAL(ipvs->core->leave_icmp, 1);
    struct ip_vs_conn *cp = ip_vs_conn_in_get(ipvs, IPPROTO_UDP, topo_ip("192.0.2.1"), htons(52000),
                                              topo_ip(CIP), htons(53));
    CU_ASSERT_PTR_NOT_NULL_FATAL(cp);
    CU_ASSERT_EQUAL(cp->flags & IP_VS_CONN_F_FWD_MASK, IP_VS_CONN_F_BYPASS);
    CU_ASSERT_PTR_NULL(cp->dest);
    CU_ASSERT_EQUAL(cp->daddr, 0);
    CU_ASSERT_EQUAL(cp->dport, 0);
    CU_ASSERT_EQUAL(cp->fwmark, 1);
    CU_ASSERT_EQUAL(cp->in_pkts, 1);
    /* The client's answer is found by the out key (it keeps the original
     * destination as source) and delivered to the director's socket. */
    CU_ASSERT_EQUAL(director.got, 1);
    CU_ASSERT_EQUAL(director.saddr, topo_ip(CIP));
    CU_ASSERT_PTR_EQUAL(ip_vs_conn_out_get(ipvs, IPPROTO_UDP, topo_ip(CIP), htons(53),
                                           topo_ip("192.0.2.1"), htons(52000)), cp);
    /* The next datagram hits the connection. */
    director_send_marked(&t, CIP, 1);
    CU_ASSERT_EQUAL(client.got, 2);
    CU_ASSERT_EQUAL(cp->in_pkts, 2);
    CU_ASSERT_EQUAL(ip_vs_conn_count(ipvs), 1);

    /* A local destination is no bypass: port unreachable again. */
    director_send_marked(&t, TOPO_VIP, 1);
    CU_ASSERT_EQUAL(ipvs->core->leave_icmp, 2);
    world_destroy(&t.w);
}

static void test_cache_bypass_not_for_plain_services(void)
{
    /* Only fwmark services bypass: a TCP service without dests still answers
     * port unreachable. */
    static const char *const cfg[] = { "-A -t 203.0.113.10:80 -s rr", NULL };
    struct reuse_case c;
    memset(&c, 0, sizeof c);
    topo_lvs_init(&c.t, TOPO_NAT, "6.x");
    topo_lvs_ipvsadm(&c.t, cfg);
    c.ipvs = ip_vs_net(host_net(c.t.lvs));
    c.ipvs->sysctl.cache_bypass = 1;
    seg(&c, TCPH_SYN);
    CU_ASSERT_EQUAL(c.ipvs->core->leave_icmp, 1);
    CU_ASSERT_EQUAL(ip_vs_conn_count(c.ipvs), 0);
    world_destroy(&c.t.w);
}

IPVSIM_SUITE(ipvs_conn)
{
    CU_pSuite s = CU_add_suite("ipvs_conn", NULL, NULL);
    ADD_TEST(s, test_nat_keys);
    ADD_TEST(s, test_dr_tun_keys);
    ADD_TEST(s, test_templates);
    ADD_TEST(s, test_key_reused_after_expiry);
    ADD_TEST(s, test_fullnat_keys);
    ADD_TEST(s, test_reuse_mode1_time_wait_rescheduled);
    ADD_TEST(s, test_reuse_mode0_same_conn);
    ADD_TEST(s, test_reuse_persistent_kept);
    ADD_TEST(s, test_reuse_dr_fin_wait);
    ADD_TEST(s, test_cache_bypass);
    ADD_TEST(s, test_cache_bypass_not_for_plain_services);
}
