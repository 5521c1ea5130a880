/* IPVS behaviours on the LVS topology: TCP state and ActiveConn/InActConn through a
 * handshake and close, persistence, deleted and quiesced dests, one-packet
 * scheduling. Packets are scripted; the real servers answer like a TCP stack
 * would for these few segments. */
#include <string.h>
#include "model/ipv4/ip.h"
#include "model/ipvs/ip_vs_conn.h"
#include "model/ipvs/ip_vs_core.h"
#include "model/ipvs/ip_vs_ctl.h"
#include "model/user/ipvsadm/ipvsadm.h"
#include "model/ipv4/sock.h"
#include "tests/testutil.h"
#include "tests/topo_lvs.h"


static void client_tcp_sink(struct net *net, struct sk_buff *skb, void *ctx)
{
    (*(int *)ctx)++;
    consume_skb(net, skb);
}

struct tcp_case {
    struct topo_lvs t;
    struct rs_tcp rs[2];
    int client_got;
    struct netns_ipvs *ipvs;
};

static void tcp_case_init_era(struct tcp_case *c, enum topo_fwd fwd, const char *era,
                              const char *const *cfg)
{
    memset(c, 0, sizeof *c);
    topo_lvs_init(&c->t, fwd, era);
    for (int i = 0; i < 2; i++)
        sock_bind(host_net(c->t.rs[i]), IPPROTO_TCP, 0, rs_tcp_rx, &c->rs[i]);
    sock_bind(host_net(c->t.client), IPPROTO_TCP, 0, client_tcp_sink, &c->client_got);
    topo_lvs_ipvsadm(&c->t, cfg);
    c->ipvs = ip_vs_net(host_net(c->t.lvs));
}

static void tcp_case_init(struct tcp_case *c, enum topo_fwd fwd, const char *const *cfg)
{
    tcp_case_init_era(c, fwd, "6.x", cfg);
}

static void client_seg(struct tcp_case *c, uint16_t sport, uint8_t flags, sim_time_t run_for)
{
    send_tcp_from(host_net(c->t.client), 0, topo_ip(TOPO_VIP), htons(sport), htons(80), flags);
    sim_run_until(&c->t.w.sim, c->t.w.sim.now + run_for);
}

static struct ip_vs_dest *dest_of(struct tcp_case *c, const char *rs)
{
    struct ip_vs_service *svc = ip_vs_service_get(c->ipvs, IPPROTO_TCP, topo_ip(TOPO_VIP), htons(80), 0);
    return ip_vs_lookup_dest(svc, topo_ip(rs), htons(80));
}

static struct ip_vs_conn *conn_of(struct tcp_case *c, uint16_t sport)
{
    return ip_vs_conn_in_get(c->ipvs, IPPROTO_TCP, topo_ip("10.0.1.2"), htons(sport),
                             topo_ip(TOPO_VIP), htons(80));
}

/* The handshake's ActiveConn: 2.6.34 counts SYN_RECV in InActConn, 4.8+ in
 * ActiveConn (tcp_state_active_table). */
static void nat_tcp_states_and_counters(const char *era, bool handshake_active)
{
    static const char *const cfg[] = {
        "-A -t 203.0.113.10:80 -s rr", "-a -t 203.0.113.10:80 -r 192.0.2.11:80 -m", NULL,
    };
    struct tcp_case c;
    tcp_case_init_era(&c, TOPO_NAT, era, cfg);
    struct ip_vs_dest *d = dest_of(&c, "192.0.2.11");
    client_seg(&c, 41000, TCPH_SYN, 100 * MSEC);
    /* SYN in -> SYN_RECV, SYN|ACK out keeps SYN_RECV. */
    struct ip_vs_conn *cp = conn_of(&c, 41000);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cp);
    CU_ASSERT_EQUAL(cp->state, IP_VS_TCP_S_SYN_RECV);
    CU_ASSERT_EQUAL(d->activeconns, handshake_active ? 1 : 0);
    CU_ASSERT_EQUAL(d->inactconns, handshake_active ? 0 : 1);
    CU_ASSERT_EQUAL(c.client_got, 1);                    /* the SYN|ACK came back */
    client_seg(&c, 41000, TCPH_ACK, 100 * MSEC);
    CU_ASSERT_EQUAL(cp->state, IP_VS_TCP_S_ESTABLISHED);
    CU_ASSERT_EQUAL(d->activeconns, 1);
    CU_ASSERT_EQUAL(d->inactconns, 0);
    CU_ASSERT_EQUAL(ip_vs_conn_expires_in(cp), 899);     /* 900 s, 0.1 s gone */
    /* Client FIN -> CLOSE_WAIT, server FIN out -> TIME_WAIT: inactive again. */
    client_seg(&c, 41000, TCPH_FIN | TCPH_ACK, 100 * MSEC);
    CU_ASSERT_EQUAL(cp->state, IP_VS_TCP_S_TIME_WAIT);
    CU_ASSERT_EQUAL(d->activeconns, 0);
    CU_ASSERT_EQUAL(d->inactconns, 1);
    /* TIME_WAIT lasts 120 s, then the connection is gone and counted nowhere. */
    sim_run_until(&c.t.w.sim, c.t.w.sim.now + 121 * SEC);
    CU_ASSERT_PTR_NULL(conn_of(&c, 41000));
    CU_ASSERT_EQUAL(d->inactconns, 0);
    CU_ASSERT_EQUAL(ip_vs_conn_count(c.ipvs), 0);
    world_destroy(&c.t.w);
}

static void test_nat_tcp_states_and_counters(void)
{
    nat_tcp_states_and_counters("2.6.34", false);
    nat_tcp_states_and_counters("4.9", true);
    nat_tcp_states_and_counters("6.x", true);
}

static void test_dr_tcp_input_only(void)
{
    static const char *const cfg[] = {
        "-A -t 203.0.113.10:80 -s rr", "-a -t 203.0.113.10:80 -r 192.0.2.11 -g", NULL,
    };
    struct tcp_case c;
    tcp_case_init(&c, TOPO_DR, cfg);
    client_seg(&c, 41000, TCPH_SYN, 100 * MSEC);
    struct ip_vs_conn *cp = conn_of(&c, 41000);
    CU_ASSERT_EQUAL(cp->state, IP_VS_TCP_S_SYN_RECV);
    client_seg(&c, 41000, TCPH_ACK, 100 * MSEC);
    CU_ASSERT_EQUAL(cp->state, IP_VS_TCP_S_ESTABLISHED);
    client_seg(&c, 41000, TCPH_FIN | TCPH_ACK, 100 * MSEC);
    /* Input only: the client's FIN takes it to FIN_WAIT (120 s), inactive. */
    CU_ASSERT_EQUAL(cp->state, IP_VS_TCP_S_FIN_WAIT);
    CU_ASSERT_TRUE(cp->flags & IP_VS_CONN_F_NOOUTPUT);
    CU_ASSERT_EQUAL(dest_of(&c, "192.0.2.11")->inactconns, 1);
    CU_ASSERT_EQUAL(c.client_got, 2);                    /* replies went around the director */
    world_destroy(&c.t.w);
}

static void test_non_syn_not_scheduled(void)
{
    static const char *const cfg[] = {
        "-A -t 203.0.113.10:80 -s rr", "-a -t 203.0.113.10:80 -r 192.0.2.11:80 -m", NULL,
    };
    struct tcp_case c;
    tcp_case_init(&c, TOPO_NAT, cfg);
    client_seg(&c, 41000, TCPH_ACK, 100 * MSEC);
    CU_ASSERT_PTR_NULL(conn_of(&c, 41000));
    /* ...unless sloppy_tcp. */
    c.ipvs->sysctl.sloppy_tcp = 1;
    client_seg(&c, 41001, TCPH_ACK, 100 * MSEC);
    CU_ASSERT_PTR_NOT_NULL(conn_of(&c, 41001));
    world_destroy(&c.t.w);
}

static void test_persistence_netmask(void)
{
    static const char *const cfg[] = {
        "-A -t 203.0.113.10:80 -s rr -p 60 -M 255.255.255.0",
        "-a -t 203.0.113.10:80 -r 192.0.2.11:80 -m",
        "-a -t 203.0.113.10:80 -r 192.0.2.12:80 -m",
        NULL,
    };
    struct tcp_case c;
    tcp_case_init(&c, TOPO_NAT, cfg);
    /* Without persistence rr would alternate; the template holds the client. */
    for (int i = 0; i < 4; i++)
        client_seg(&c, (uint16_t)(42000 + i), TCPH_SYN, 10 * MSEC);
    CU_ASSERT_TRUE(c.rs[0].syns == 4 || c.rs[1].syns == 4);
    int first = c.rs[0].syns == 4 ? 0 : 1;
    /* 4 connections bound plus one template in PersistConn. */
    struct ip_vs_dest *d = dest_of(&c, first == 0 ? "192.0.2.11" : "192.0.2.12");
    CU_ASSERT_EQUAL(d->persistconns, 1);
    /* Connections in SYN_RECV die after 60 s; the template 60 s after its last
     * use, then rr picks afresh (the other server). */
    sim_run_until(&c.t.w.sim, c.t.w.sim.now + 200 * SEC);
    CU_ASSERT_EQUAL(ip_vs_conn_count(c.ipvs), 0);
    client_seg(&c, 42100, TCPH_SYN, 10 * MSEC);
    CU_ASSERT_EQUAL(c.rs[1 - first].syns, 1);
    world_destroy(&c.t.w);
}

static void delete_dest_case(int expire_nodest, int *syns_after, bool *old_conn_alive)
{
    static const char *const cfg[] = {
        "-A -t 203.0.113.10:80 -s rr",
        "-a -t 203.0.113.10:80 -r 192.0.2.11:80 -m",
        "-a -t 203.0.113.10:80 -r 192.0.2.12:80 -m",
        NULL,
    };
    struct tcp_case c;
    tcp_case_init(&c, TOPO_NAT, cfg);
    c.ipvs->sysctl.expire_nodest_conn = expire_nodest;
    client_seg(&c, 43000, TCPH_SYN, 10 * MSEC);          /* -> rs2 (list head) */
    client_seg(&c, 43000, TCPH_ACK, 10 * MSEC);
    CU_ASSERT_EQUAL(c.rs[1].segs, 2);
    static const char *const del[] = { "-d -t 203.0.113.10:80 -r 192.0.2.12:80", NULL };
    topo_lvs_ipvsadm(&c.t, del);
    sim_run_until(&c.t.w.sim, c.t.w.sim.now + 10 * MSEC);
    /* More data on the old connection. */
    client_seg(&c, 43000, TCPH_ACK | TCPH_PSH, 10 * MSEC);
    *syns_after = c.rs[0].segs;
    *old_conn_alive = conn_of(&c, 43000) != NULL;
    CU_ASSERT_EQUAL(c.rs[1].segs, 2);                    /* nothing more reached rs2 */
    world_destroy(&c.t.w);
}

static void test_deleted_dest_with_and_without_expire_nodest(void)
{
    int segs;
    bool alive;
    /* Off: the packets of the old connection are dropped, the conn lingers. */
    delete_dest_case(0, &segs, &alive);
    CU_ASSERT_EQUAL(segs, 0);
    CU_ASSERT_TRUE(alive);
    /* On: the conn was expired; the non-SYN packet is not rescheduled (it is no
     * SYN), so nothing reaches rs1 either, and the old conn is gone. */
    delete_dest_case(1, &segs, &alive);
    CU_ASSERT_EQUAL(segs, 0);
    CU_ASSERT_FALSE(alive);
}

/* A SYN retransmitted on a connection whose dest was deleted, expire_nodest_conn on:
 * until 5.9 the connection is expired and the packet dropped (the client's next
 * retransmission gets a new one); from 5.9 the deferred work has already deleted
 * it and the SYN is scheduled to rs1 at once. */
static int resent_syn_reaches_rs1(const char *era)
{
    static const char *const cfg[] = {
        "-A -t 203.0.113.10:80 -s rr",
        "-a -t 203.0.113.10:80 -r 192.0.2.11:80 -m",
        "-a -t 203.0.113.10:80 -r 192.0.2.12:80 -m",
        NULL,
    };
    struct tcp_case c;
    tcp_case_init_era(&c, TOPO_NAT, era, cfg);
    c.ipvs->sysctl.expire_nodest_conn = 1;
    client_seg(&c, 43100, TCPH_SYN, 10 * MSEC);          /* -> rs2 (list head) */
    static const char *const del[] = { "-d -t 203.0.113.10:80 -r 192.0.2.12:80", NULL };
    topo_lvs_ipvsadm(&c.t, del);
    sim_run_until(&c.t.w.sim, c.t.w.sim.now + 10 * MSEC);
    client_seg(&c, 43100, TCPH_SYN, 10 * MSEC);
    int got = c.rs[0].syns;
    /* Either way no entry of the deleted dest is left (expired, or deleted). */
    const struct ip_vs_conn *cp = conn_of(&c, 43100);
    CU_ASSERT_TRUE(!cp || cp->dest == dest_of(&c, "192.0.2.11"));
    world_destroy(&c.t.w);
    return got;
}

static void test_nodest_resent_syn_per_era(void)
{
    CU_ASSERT_EQUAL(resent_syn_reaches_rs1("4.9"), 0);
    CU_ASSERT_EQUAL(resent_syn_reaches_rs1("2.6.34"), 0);
    CU_ASSERT_EQUAL(resent_syn_reaches_rs1("5.10"), 1);
    CU_ASSERT_EQUAL(resent_syn_reaches_rs1("6.x"), 1);
}

static void test_quiesced_dest(void)
{
    static const char *const cfg[] = {
        "-A -t 203.0.113.10:80 -s wlc",
        "-a -t 203.0.113.10:80 -r 192.0.2.11:80 -m",
        "-a -t 203.0.113.10:80 -r 192.0.2.12:80 -m",
        NULL,
    };
    struct tcp_case c;
    tcp_case_init(&c, TOPO_NAT, cfg);
    client_seg(&c, 44000, TCPH_SYN, 10 * MSEC);          /* -> rs2 */
    static const char *const q[] = { "-e -t 203.0.113.10:80 -r 192.0.2.12:80 -m -w 0", NULL };
    topo_lvs_ipvsadm(&c.t, q);
    client_seg(&c, 44000, TCPH_ACK, 10 * MSEC);          /* the old conn continues */
    for (int i = 1; i <= 3; i++)
        client_seg(&c, (uint16_t)(44000 + i), TCPH_SYN, 10 * MSEC);
    CU_ASSERT_EQUAL(c.rs[1].segs, 2);
    CU_ASSERT_EQUAL(c.rs[0].syns, 3);                    /* new ones avoid the quiesced */
    world_destroy(&c.t.w);
}

static void test_one_packet_scheduling(void)
{
    static const char *const cfg[] = {
        "-A -u 203.0.113.10:53 -s rr -o",
        "-a -u 203.0.113.10:53 -r 192.0.2.11 -g",
        "-a -u 203.0.113.10:53 -r 192.0.2.12 -g",
        NULL,
    };
    struct topo_lvs t;
    topo_lvs_init(&t, TOPO_DR, "6.x");
    topo_lvs_ipvsadm(&t, cfg);
    /* The same client port four times: with -o each datagram is scheduled on its
     * own, so rr alternates, and no connection stays behind. */
    for (int i = 0; i < 4; i++)
        topo_send_udp(t.client, TOPO_VIP, 40000, 53, 10, 64);
    sim_run_until(&t.w.sim, 1 * SEC);
    CU_ASSERT_EQUAL(host_net(t.rs[0])->mib.in_delivers, 2);
    CU_ASSERT_EQUAL(host_net(t.rs[1])->mib.in_delivers, 2);
    CU_ASSERT_EQUAL(ip_vs_conn_count(ip_vs_net(host_net(t.lvs))), 0);
    world_destroy(&t.w);
}

IPVSIM_SUITE(ipvs_behaviour)
{
    CU_pSuite s = CU_add_suite("ipvs_behaviour", NULL, NULL);
    ADD_TEST(s, test_nat_tcp_states_and_counters);
    ADD_TEST(s, test_dr_tcp_input_only);
    ADD_TEST(s, test_non_syn_not_scheduled);
    ADD_TEST(s, test_persistence_netmask);
    ADD_TEST(s, test_deleted_dest_with_and_without_expire_nodest);
    ADD_TEST(s, test_nodest_resent_syn_per_era);
    ADD_TEST(s, test_quiesced_dest);
    ADD_TEST(s, test_one_packet_scheduling);
}
