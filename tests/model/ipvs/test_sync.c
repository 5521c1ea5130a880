/* The IPVS sync daemon, keepalived's VRRP and director failover.
 *
 *  - the larger packet buffer class (sim/skb.h) a sync message travels in;
 *  - the kernel's rule for when a connection is sent (ip_vs_sync_conn_needed), alone
 *    and through ip_vs_in on the LVS test topology: a scripted connection of N client
 *    packets at two sync thresholds gives the predicted number of entries, messages
 *    and bytes, in version 1 and version 0, and in 2.6.34's form; the router "gw"
 *    acts as the backup and must hold the same connection afterwards;
 *  - message processing on a backup: creation, update, the checks that drop a message;
 *  - whole runs of scenarios/failover-sync.json and failover-nosync.json: the VIP moves
 *    after the master down interval, long-lived connections survive with the sync
 *    daemon and do not without it;
 *  - the loader: director.backup keys against the schema, its errors, the events. */
#include <stdio.h>
#include <string.h>
#include "app/run/run_ha.h"
#include "app/run/run_world.h"
#include "app/scenario/scenario.h"
#include "app/scenario/scenario_internal.h"
#include "model/apps/vrrp.h"
#include "model/ipv4/ip.h"
#include "model/ipvs/ip_vs_conn.h"
#include "model/ipvs/ip_vs_core.h"
#include "model/ipvs/ip_vs_ctl.h"
#include "model/ipvs/ip_vs_proto.h"
#include "model/ipvs/ip_vs_sync.h"
#include "model/user/ipvsadm/ipvsadm.h"
#include "model/ipv4/sock.h"
#include "sim/in6.h"
#include "sim/in6_key.h"
#include "sim/sim.h"
#include "tests/testutil.h"
#include "tests/topo_lvs.h"

/* ---- the larger buffer class ------------------------------------------------------------ */

static void test_skb_big_class(void)
{
    struct skb_pool p;
    skb_pool_init(&p);
    struct sk_buff *s = skb_alloc(&p, 0);
    struct sk_buff *b = skb_alloc_big(&p, 0);
    CU_ASSERT_FALSE(s->big);
    CU_ASSERT_TRUE(b->big);
    CU_ASSERT_EQUAL(skb_tailroom(s), SKB_BUF_SIZE - SKB_HEADROOM);
    CU_ASSERT_EQUAL(skb_tailroom(b), SKB_BIG_BUF_SIZE - SKB_HEADROOM);
    CU_ASSERT_PTR_NULL(skb_put(s, 1500));
    uint8_t *d = skb_put(b, 1500);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    for (int i = 0; i < 1500; i++)
        d[i] = (uint8_t)i;
    CU_ASSERT_PTR_NOT_NULL(skb_push(b, ETH_HLEN));
    struct sk_buff *c = skb_clone(&p, b, 5);
    CU_ASSERT_TRUE_FATAL(c->big);
    CU_ASSERT_EQUAL(c->len, 1514);
    CU_ASSERT_EQUAL(memcmp(c->data, b->data, 1514), 0);
    CU_ASSERT_NOT_EQUAL(c->id, b->id);
    uint8_t wire[2000];
    CU_ASSERT_EQUAL(skb_copy_wire(c, wire, sizeof wire), 1514);
    CU_ASSERT_EQUAL(wire[ETH_HLEN + 1499], (uint8_t)1499);
    CU_ASSERT_EQUAL(p.in_use, 3);
    skb_free(&p, b);
    skb_free(&p, c);
    skb_free(&p, s);
    CU_ASSERT_EQUAL(p.in_use, 0);
    /* Recycled buffers keep their class. */
    struct sk_buff *b2 = skb_alloc_big(&p, 1), *s2 = skb_alloc(&p, 1);
    CU_ASSERT_TRUE(b2->big);
    CU_ASSERT_FALSE(s2->big);
    CU_ASSERT_EQUAL(b2->len, 0);
    skb_free(&p, b2);
    skb_free(&p, s2);
    skb_pool_destroy(&p);
}

/* ---- the rule -------------------------------------------------------------------------- */

/* A director with one NAT service, no traffic: connections made by hand. */
struct rule_case {
    struct topo_lvs t;
    struct netns_ipvs *ipvs;
};

static const char *const nat_cfg[] = {
    "-A -t 203.0.113.10:80 -s rr", "-a -t 203.0.113.10:80 -r 192.0.2.11:80 -m", NULL,
};

static void rule_case_init(struct rule_case *c, const char *era)
{
    memset(c, 0, sizeof *c);
    topo_lvs_init(&c->t, TOPO_NAT, era);
    topo_lvs_ipvsadm(&c->t, nat_cfg);
    c->ipvs = ip_vs_net(host_net(c->t.lvs));
}

static struct ip_vs_conn *hand_conn(struct rule_case *c, uint16_t protocol, uint16_t cport)
{
    struct ip_vs_conn_param p = { .protocol = protocol, .caddr = topo_ip("10.0.1.2"),
                                  .cport = htons(cport), .vaddr = topo_ip(TOPO_VIP),
                                  .vport = htons(80) };
    return ip_vs_conn_new(c->ipvs, &p, topo_ip("192.0.2.11"), htons(80), 0, NULL, 0);
}

/* How many of pkts 1..n the rule sends for an ESTABLISHED connection. */
static int count_sent(struct rule_case *c, struct ip_vs_conn *cp, int n)
{
    int sent = 0;
    for (int k = 1; k <= n; k++)
        sent += ip_vs_sync_conn_needed(c->ipvs, cp, k);
    return sent;
}

static int predicted(int n, int threshold, int period)
{
    int m = 0;
    for (int k = 1; k <= n; k++)
        m += period > 0 ? k % period == threshold : k == threshold;
    return m;
}

static void test_rule_threshold_period(void)
{
    struct rule_case c;
    rule_case_init(&c, "6.x");
    static const int thr[][2] = { { 3, 50 }, { 3, 10 }, { 0, 7 }, { 5, 0 }, { 1, 2 } };
    for (size_t i = 0; i < G_N_ELEMENTS(thr); i++) {
        c.ipvs->sysctl.sync_threshold[0] = thr[i][0];
        c.ipvs->sysctl.sync_threshold[1] = thr[i][1];
        struct ip_vs_conn *cp = hand_conn(&c, IPPROTO_TCP, (uint16_t)(1000 + i));
        cp->state = cp->old_state = IP_VS_TCP_S_ESTABLISHED;
        cp->timeout = 900 * SEC;
        CU_ASSERT_EQUAL(count_sent(&c, cp, 500), predicted(500, thr[i][0], thr[i][1]));
        /* UDP: one state, the same count */
        struct ip_vs_conn *u = hand_conn(&c, IPPROTO_UDP, (uint16_t)(2000 + i));
        u->state = IP_VS_UDP_S_NORMAL;
        CU_ASSERT_EQUAL(count_sent(&c, u, 500), predicted(500, thr[i][0], thr[i][1]));
    }
    /* the defaults: 3 50 */
    CU_ASSERT_EQUAL(predicted(500, 3, 50), 10);
    world_destroy(&c.t.w);
}

static void test_rule_states(void)
{
    struct rule_case c;
    rule_case_init(&c, "6.x");
    struct ip_vs_conn *cp = hand_conn(&c, IPPROTO_TCP, 3000);
    /* SYN_RECV and the other opening states are never sent */
    cp->state = IP_VS_TCP_S_SYN_RECV;
    CU_ASSERT_EQUAL(count_sent(&c, cp, 200), 0);
    /* into ESTABLISHED: not forced, it waits for the threshold (and old_state with it) */
    cp->state = IP_VS_TCP_S_ESTABLISHED;
    CU_ASSERT_FALSE(ip_vs_sync_conn_needed(c.ipvs, cp, 2));
    CU_ASSERT_NOT_EQUAL(cp->old_state, IP_VS_TCP_S_ESTABLISHED);
    CU_ASSERT_TRUE(ip_vs_sync_conn_needed(c.ipvs, cp, 3));
    CU_ASSERT_EQUAL(cp->old_state, IP_VS_TCP_S_ESTABLISHED);
    /* a change into a closing state is sent at once, whatever the count, once */
    static const int closing[] = { IP_VS_TCP_S_CLOSE_WAIT, IP_VS_TCP_S_FIN_WAIT,
                                   IP_VS_TCP_S_TIME_WAIT, IP_VS_TCP_S_CLOSE };
    for (size_t i = 0; i < G_N_ELEMENTS(closing); i++) {
        cp->state = closing[i];
        CU_ASSERT_TRUE(ip_vs_sync_conn_needed(c.ipvs, cp, 17));
        CU_ASSERT_FALSE(ip_vs_sync_conn_needed(c.ipvs, cp, 18));
    }
    cp->state = IP_VS_TCP_S_LAST_ACK;             /* not a state that is synced */
    CU_ASSERT_FALSE(ip_vs_sync_conn_needed(c.ipvs, cp, 53));
    /* a template follows its connection whatever its own count (period > 0) */
    struct ip_vs_conn *t = hand_conn(&c, IPPROTO_TCP, 0);
    t->flags |= IP_VS_CONN_F_TEMPLATE;
    CU_ASSERT_TRUE(ip_vs_sync_conn_needed(c.ipvs, t, 1));
    CU_ASSERT_TRUE(ip_vs_sync_conn_needed(c.ipvs, t, 2));
    /* period 0: only pkts == threshold */
    c.ipvs->sysctl.sync_threshold[1] = 0;
    CU_ASSERT_FALSE(ip_vs_sync_conn_needed(c.ipvs, t, 2));
    CU_ASSERT_TRUE(ip_vs_sync_conn_needed(c.ipvs, t, 3));
    world_destroy(&c.t.w);
}

static void test_rule_refresh_period(void)
{
    struct rule_case c;
    rule_case_init(&c, "6.x");
    c.ipvs->sysctl.sync_refresh_period = 60;          /* seconds */
    c.ipvs->sysctl.sync_threshold[1] = 0;             /* period 0: refresh decides */
    struct ip_vs_conn *cp = hand_conn(&c, IPPROTO_TCP, 4000);
    cp->state = cp->old_state = IP_VS_TCP_S_ESTABLISHED;
    cp->timeout = 900 * SEC;
    /* The first packet: the backup knows no deadline yet, so it is sent. */
    CU_ASSERT_TRUE(ip_vs_sync_conn_needed(c.ipvs, cp, 1));
    /* Soon after: the deadline moved less than min(60 s, 450 s): held back. */
    sim_run_until(&c.t.w.sim, 30 * SEC);
    CU_ASSERT_FALSE(ip_vs_sync_conn_needed(c.ipvs, cp, 2));
    /* A minute later it moved 60 s: sent again. */
    sim_run_until(&c.t.w.sim, 61 * SEC);
    CU_ASSERT_TRUE(ip_vs_sync_conn_needed(c.ipvs, cp, 3));
    world_destroy(&c.t.w);
}

/* ---- through ip_vs_in, with a backup ------------------------------------------------------ */


static void sink(struct net *net, struct sk_buff *skb, void *ctx)
{
    consume_skb(net, skb);
}

struct e2e {
    struct topo_lvs t;
    struct rs_tcp rs;
    struct netns_ipvs *master, *backup;
};

/* lvs: the master (its daemon on eth0, the LAN); gw: the backup (on eth1, the LAN),
 * with the same service. */
static void e2e_init(struct e2e *c, const char *era, int threshold, int period, int version)
{
    memset(c, 0, sizeof *c);
    topo_lvs_init(&c->t, TOPO_NAT, era);
    topo_lvs_ipvsadm(&c->t, nat_cfg);
    for (int i = 0; nat_cfg[i]; i++) {
        struct ipvsadm_error err = {0};
        CU_ASSERT_EQUAL(ipvsadm_apply(host_net(c->t.gw), nat_cfg[i], &err), 0);
    }
    sock_bind(host_net(c->t.rs[0]), IPPROTO_TCP, 0, rs_tcp_rx, &c->rs);
    sock_bind(host_net(c->t.client), IPPROTO_TCP, 0, sink, NULL);
    c->master = ip_vs_net(host_net(c->t.lvs));
    c->backup = ip_vs_net(host_net(c->t.gw));
    for (int i = 0; i < 2; i++) {
        struct netns_ipvs *ipvs = i ? c->backup : c->master;
        ipvs->sysctl.sync_threshold[0] = threshold;
        ipvs->sysctl.sync_threshold[1] = period;
        ipvs->sysctl.sync_version = version;
    }
    struct ip_vs_sync_daemon_cfg m = { .mcast_ifn = "eth0" }, b = { .mcast_ifn = "eth1" };
    CU_ASSERT_EQUAL(ip_vs_start_sync_thread(c->master, &m, IP_VS_STATE_MASTER), 0);
    CU_ASSERT_EQUAL(ip_vs_start_sync_thread(c->backup, &b, IP_VS_STATE_BACKUP), 0);
    CU_ASSERT_EQUAL(ip_vs_start_sync_thread(c->master, &m, IP_VS_STATE_MASTER), -EEXIST);
}

/* A connection of n client packets: SYN, ACK, n - 3 ACKs, FIN|ACK; 1 ms apart. */
static void e2e_conn(struct e2e *c, uint16_t sport, int n)
{
    struct net *cl = host_net(c->t.client);
    for (int k = 1; k <= n; k++) {
        uint8_t f = k == 1 ? TCPH_SYN : k == n ? TCPH_FIN | TCPH_ACK : TCPH_ACK;
        send_tcp_from(cl, 0, topo_ip(TOPO_VIP), htons(sport), htons(80), f);
        sim_run_until(&c->t.w.sim, c->t.w.sim.now + MSEC);
    }
    sim_run_until(&c->t.w.sim, c->t.w.sim.now + 10 * MSEC);   /* the last one arrives */
}

/* Entries the kernel's rule sends for such a connection: the count matches on
 * pkts 3 .. n - 1 (ESTABLISHED), and the FIN (into CLOSE_WAIT) is forced. */
static int e2e_entries(int n, int threshold, int period)
{
    int m = 0;
    for (int k = 3; k <= n - 1; k++)
        m += k % period == threshold;
    return m + 1;
}

static void check_e2e(const char *era, int threshold, int period, int version, unsigned hlen,
                      unsigned entry)
{
    struct e2e c;
    e2e_init(&c, era, threshold, period, version);
    const int n = 300;
    e2e_conn(&c, 41000, n);
    const struct ip_vs_sync_stats *ms = ip_vs_sync_stats(c.master);
    const struct ip_vs_sync_stats *bs = ip_vs_sync_stats(c.backup);
    int want = e2e_entries(n, threshold, period);
    CU_ASSERT_EQUAL(ms->conns_queued, (uint64_t)want);
    if (ms->conns_queued != (uint64_t)want)
        fprintf(stderr, "\n  %s %d %d: queued %llu, want %d\n", era, threshold, period,
                (unsigned long long)ms->conns_queued, want);
    CU_ASSERT_EQUAL(ms->msgs_sent, 0);              /* still in the current buffer */
    /* The thread sends a buffer 2 s old at its next look (2.6.34: at once). */
    sim_run_until(&c.t.w.sim, c.t.w.sim.now + 3 * SEC + 100 * MSEC);
    CU_ASSERT_EQUAL(ms->msgs_sent, 1);
    CU_ASSERT_EQUAL(ms->conns_sent, (uint64_t)want);
    CU_ASSERT_EQUAL(ms->bytes_sent, hlen + (uint64_t)want * entry);
    CU_ASSERT_EQUAL(ms->wire_bytes_sent, 14 + 20 + 8 + hlen + (uint64_t)want * entry);
    CU_ASSERT_EQUAL(bs->msgs_rcvd, 1);
    CU_ASSERT_EQUAL(bs->msgs_bad, 0);
    CU_ASSERT_EQUAL(bs->conns_rcvd, (uint64_t)want);
    CU_ASSERT_EQUAL(bs->conns_created, 1);
    CU_ASSERT_EQUAL(bs->conns_updated, (uint64_t)want - 1);
    /* The backup's copy: the last state sent, SYNC set, bound to the same dest. */
    struct ip_vs_conn *cp = ip_vs_conn_in_get(c.backup, IPPROTO_TCP, topo_ip("10.0.1.2"),
                                              htons(41000), topo_ip(TOPO_VIP), htons(80));
    CU_ASSERT_PTR_NOT_NULL_FATAL(cp);
    CU_ASSERT_TRUE(cp->flags & IP_VS_CONN_F_SYNC);
    CU_ASSERT_EQUAL(cp->flags & IP_VS_CONN_F_FWD_MASK, IP_VS_CONN_F_MASQ);
    CU_ASSERT_EQUAL(cp->state, IP_VS_TCP_S_CLOSE_WAIT);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cp->dest);
    CU_ASSERT_EQUAL(cp->dest->addr, topo_ip("192.0.2.11"));
    CU_ASSERT_EQUAL(cp->daddr, topo_ip("192.0.2.11"));
    CU_ASSERT_EQUAL(cp->in_pkts, (uint32_t)threshold);
    /* CLOSE_WAIT: 60 s, from the message (v1) or the backup's own table (v0) */
    CU_ASSERT_EQUAL(cp->timeout, 60 * SEC);
    CU_ASSERT_EQUAL(cp->dest->inactconns, 1);
    world_destroy(&c.t.w);
}

static void test_e2e_v1_thresholds(void)
{
    /* 300 packets: 6 entries + the FIN at 3 50, 30 + 1 at 3 10 */
    CU_ASSERT_EQUAL(e2e_entries(300, 3, 50), 7);
    CU_ASSERT_EQUAL(e2e_entries(300, 3, 10), 31);
    check_e2e("6.x", 3, 50, 1, IP_VS_SYNC_MESG_HLEN, IP_VS_SYNC_V4_SIZE);
    check_e2e("6.x", 3, 10, 1, IP_VS_SYNC_MESG_HLEN, IP_VS_SYNC_V4_SIZE);
    check_e2e("5.10", 3, 10, 1, IP_VS_SYNC_MESG_HLEN, IP_VS_SYNC_V4_SIZE);
}

static void test_e2e_v0_and_old_era(void)
{
    check_e2e("6.x", 3, 10, 0, IP_VS_SYNC_MESG_V0_HLEN, IP_VS_SYNC_CONN_V0_SIZE);
    check_e2e("2.6.34", 3, 10, 1, IP_VS_SYNC_MESG_V0_HLEN, IP_VS_SYNC_CONN_V0_SIZE);
}

/* Many connections: messages fill up (40 entries in 1472 bytes) and the queue wakes
 * the thread; the backup holds every one of them. */
static void test_e2e_full_messages(void)
{
    struct e2e c;
    e2e_init(&c, "6.x", 3, 50, 1);
    struct net *cl = host_net(c.t.client);
    for (int i = 0; i < 100; i++)
        for (int k = 1; k <= 3; k++) {
            send_tcp_from(cl, 0, topo_ip(TOPO_VIP), htons((uint16_t)(20000 + i)), htons(80),
                          k == 1 ? TCPH_SYN : TCPH_ACK);
            sim_run_until(&c.t.w.sim, c.t.w.sim.now + 100 * USEC);
        }
    sim_run_until(&c.t.w.sim, c.t.w.sim.now + 5 * MSEC);
    const struct ip_vs_sync_stats *ms = ip_vs_sync_stats(c.master);
    CU_ASSERT_EQUAL(ms->conns_queued, 100);
    /* two full buffers went out after IPVS_SYNC_SEND_DELAY, the third waits */
    sim_run_until(&c.t.w.sim, c.t.w.sim.now + 100 * MSEC);
    CU_ASSERT_EQUAL(ms->msgs_sent, 2);
    CU_ASSERT_EQUAL(ms->bytes_sent, 2 * (8 + 40 * 36));
    CU_ASSERT_EQUAL(ip_vs_sync_pending(c.master), 1);
    sim_run_until(&c.t.w.sim, c.t.w.sim.now + 3 * SEC);
    CU_ASSERT_EQUAL(ms->msgs_sent, 3);
    CU_ASSERT_EQUAL(ms->conns_sent, 100);
    CU_ASSERT_EQUAL(ip_vs_sync_stats(c.backup)->conns_created, 100);
    CU_ASSERT_EQUAL(ip_vs_conn_count(c.backup), 100);
    /* established: active on the backup's dest too */
    struct ip_vs_service *svc = ip_vs_service_get(c.backup, IPPROTO_TCP, topo_ip(TOPO_VIP),
                                                  htons(80), 0);
    CU_ASSERT_EQUAL(ip_vs_lookup_dest(svc, topo_ip("192.0.2.11"), htons(80))->activeconns, 100);
    /* stopping the master drops what it had not sent */
    CU_ASSERT_EQUAL(ip_vs_stop_sync_thread(c.master, IP_VS_STATE_MASTER), 0);
    CU_ASSERT_EQUAL(ip_vs_stop_sync_thread(c.master, IP_VS_STATE_MASTER), -ESRCH);
    world_destroy(&c.t.w);
}

/* ---- messages on a backup ------------------------------------------------------------------ */

static size_t v1_message(uint8_t *m, uint8_t syncid, unsigned n, unsigned flags, unsigned state,
                         uint32_t timeout, uint16_t cport)
{
    memset(m, 0, 8 + 36 * n);
    m[1] = syncid;
    m[4] = (uint8_t)n;
    m[5] = 1;
    size_t len = 8 + 36 * n;
    m[2] = (uint8_t)(len >> 8);
    m[3] = (uint8_t)len;
    for (unsigned i = 0; i < n; i++) {
        uint8_t *e = m + 8 + 36 * i;
        e[1] = IPPROTO_TCP;
        e[3] = 36;
        e[6] = (uint8_t)(flags >> 8);
        e[7] = (uint8_t)flags;
        e[9] = (uint8_t)state;
        be16 cp = htons((uint16_t)(cport + i)), vp = htons(80), dp = htons(80);
        memcpy(e + 10, &cp, 2);
        memcpy(e + 12, &vp, 2);
        memcpy(e + 14, &dp, 2);
        e[20] = (uint8_t)(timeout >> 24);
        e[21] = (uint8_t)(timeout >> 16);
        e[22] = (uint8_t)(timeout >> 8);
        e[23] = (uint8_t)timeout;
        be32 ca = topo_ip("10.0.1.2"), va = topo_ip(TOPO_VIP), da = topo_ip("192.0.2.11");
        memcpy(e + 24, &ca, 4);
        memcpy(e + 28, &va, 4);
        memcpy(e + 32, &da, 4);
    }
    return len;
}

static void test_process_message(void)
{
    struct rule_case c;
    rule_case_init(&c, "6.x");
    struct ip_vs_sync_daemon_cfg b = { .mcast_ifn = "eth0", .syncid = 7 };
    CU_ASSERT_EQUAL(ip_vs_start_sync_thread(c.ipvs, &b, IP_VS_STATE_BACKUP), 0);
    const struct ip_vs_sync_stats *st = ip_vs_sync_stats(c.ipvs);
    uint8_t m[8 + 36 * 4];
    size_t len = v1_message(m, 7, 3, 0, IP_VS_TCP_S_ESTABLISHED, 1000, 5000);
    ip_vs_process_message(c.ipvs, m, len);
    CU_ASSERT_EQUAL(st->conns_created, 3);
    struct ip_vs_conn *cp = ip_vs_conn_in_get(c.ipvs, IPPROTO_TCP, topo_ip("10.0.1.2"),
                                              htons(5001), topo_ip(TOPO_VIP), htons(80));
    CU_ASSERT_PTR_NOT_NULL_FATAL(cp);
    CU_ASSERT_EQUAL(cp->timeout, 1000 * SEC);
    CU_ASSERT_EQUAL(ip_vs_conn_expires_in(cp), 1000);
    CU_ASSERT_EQUAL(cp->state, IP_VS_TCP_S_ESTABLISHED);
    CU_ASSERT_TRUE(cp->flags & IP_VS_CONN_F_SYNC);
    CU_ASSERT_PTR_NOT_NULL(cp->dest);
    CU_ASSERT_EQUAL(cp->dest->activeconns, 3);
    /* an update: only INACTIVE (and the sequence flags) change; the counters follow */
    len = v1_message(m, 7, 1, IP_VS_CONN_F_INACTIVE | IP_VS_CONN_F_NOOUTPUT,
                     IP_VS_TCP_S_TIME_WAIT, 0, 5001);
    ip_vs_process_message(c.ipvs, m, len);
    CU_ASSERT_EQUAL(st->conns_updated, 1);
    CU_ASSERT_TRUE(cp->flags & IP_VS_CONN_F_INACTIVE);
    CU_ASSERT_FALSE(cp->flags & IP_VS_CONN_F_NOOUTPUT);
    CU_ASSERT_EQUAL(cp->dest->activeconns, 2);
    CU_ASSERT_EQUAL(cp->dest->inactconns, 1);
    CU_ASSERT_EQUAL(cp->state, IP_VS_TCP_S_TIME_WAIT);
    CU_ASSERT_EQUAL(cp->timeout, 120 * SEC);           /* timeout 0: the state's */
    /* another syncid: ignored */
    len = v1_message(m, 8, 1, 0, IP_VS_TCP_S_ESTABLISHED, 900, 6000);
    ip_vs_process_message(c.ipvs, m, len);
    CU_ASSERT_EQUAL(st->msgs_other_syncid, 1);
    /* a size field that is not the length: dropped */
    len = v1_message(m, 7, 1, 0, IP_VS_TCP_S_ESTABLISHED, 900, 6000);
    ip_vs_process_message(c.ipvs, m, len - 4);
    /* an entry with a version in its top bits: the rest of the message is dropped */
    len = v1_message(m, 7, 2, 0, IP_VS_TCP_S_ESTABLISHED, 900, 6000);
    m[8 + 2] = 0x10;
    ip_vs_process_message(c.ipvs, m, len);
    CU_ASSERT_EQUAL(st->msgs_bad, 2);
    /* an invalid state: the entry is skipped, the next one taken */
    len = v1_message(m, 7, 2, 0, IP_VS_TCP_S_ESTABLISHED, 900, 7000);
    m[8 + 9] = IP_VS_TCP_S_LAST;
    ip_vs_process_message(c.ipvs, m, len);
    CU_ASSERT_EQUAL(st->conns_skipped, 1);
    CU_ASSERT_PTR_NOT_NULL(ip_vs_conn_in_get(c.ipvs, IPPROTO_TCP, topo_ip("10.0.1.2"), htons(7001),
                                             topo_ip(TOPO_VIP), htons(80)));
    CU_ASSERT_EQUAL(st->conns_created, 4);
    /* version 0: 4-byte header, 24-byte entries, the backup's own timeouts */
    uint8_t v0[4 + 24];
    memset(v0, 0, sizeof v0);
    v0[0] = 1;
    v0[1] = 7;
    v0[3] = sizeof v0;
    v0[5] = IPPROTO_TCP;
    be16 cport = htons(8000), p80 = htons(80);
    memcpy(v0 + 4 + 2, &cport, 2);
    memcpy(v0 + 4 + 4, &p80, 2);
    memcpy(v0 + 4 + 6, &p80, 2);
    be32 ca = topo_ip("10.0.1.2"), va = topo_ip(TOPO_VIP), da = topo_ip("192.0.2.11");
    memcpy(v0 + 4 + 8, &ca, 4);
    memcpy(v0 + 4 + 12, &va, 4);
    memcpy(v0 + 4 + 16, &da, 4);
    v0[4 + 23] = IP_VS_TCP_S_ESTABLISHED;
    ip_vs_process_message(c.ipvs, v0, sizeof v0);
    cp = ip_vs_conn_in_get(c.ipvs, IPPROTO_TCP, ca, cport, va, p80);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cp);
    CU_ASSERT_EQUAL(cp->timeout, 900 * SEC);
    /* backup_only: ip_vs_in leaves packets alone while the backup daemon runs */
    CU_ASSERT_FALSE(ip_vs_sync_backup_only(c.ipvs));
    c.ipvs->sysctl.backup_only = 1;
    CU_ASSERT_TRUE(ip_vs_sync_backup_only(c.ipvs));
    ip_vs_stop_sync_thread(c.ipvs, IP_VS_STATE_BACKUP);
    CU_ASSERT_FALSE(ip_vs_sync_backup_only(c.ipvs));
    world_destroy(&c.t.w);
}

/* ---- IPv6 connections ------------------------------------------------------------------- */

static be32 k6(const char *s)
{
    struct in6_addr a;
    size_t off;
    CU_ASSERT_FATAL(in6_pton(s, &a, &off, NULL));
    return in6_key_get(&a);
}

static const char *const nat6_cfg[] = {
    "-A -t [2001:db8::10]:80 -s rr", "-a -t [2001:db8::10]:80 -r [2001:db8:1::11]:80 -m", NULL,
};

/* An IPv6 connection made by hand on the master and handed to the daemon as ip_vs_in
 * would: version 1 sends it in a 72-byte entry (type STYPE_F_INET6) that the backup
 * turns into the same connection, bound to its IPv6 dest; version 0 (and 2.6.34)
 * sends nothing. */
static void sync6_case(const char *era, int version, unsigned want_bytes)
{
    struct e2e c;
    e2e_init(&c, era, 3, 50, version);
    for (int i = 0; nat6_cfg[i]; i++) {
        struct ipvsadm_error err = {0};
        CU_ASSERT_EQUAL(ipvsadm_apply(host_net(c.t.lvs), nat6_cfg[i], &err), 0);
        CU_ASSERT_EQUAL(ipvsadm_apply(host_net(c.t.gw), nat6_cfg[i], &err), 0);
    }
    be32 ca = k6("2001:db8:2::5"), va = k6("2001:db8::10"), da = k6("2001:db8:1::11");
    struct ip_vs_service *svc = ip_vs_service_get(c.master, IPPROTO_TCP, va, htons(80), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(svc);
    struct ip_vs_dest *dest = ip_vs_lookup_dest(svc, da, htons(80));
    struct ip_vs_conn_param p = { .protocol = IPPROTO_TCP, .caddr = ca, .cport = htons(40000),
                                  .vaddr = va, .vport = htons(80) };
    struct ip_vs_conn *cp = ip_vs_conn_new(c.master, &p, da, htons(80), 0, dest, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cp);
    cp->state = IP_VS_TCP_S_ESTABLISHED;
    cp->timeout = 900 * SEC;
    ip_vs_sync_conn(c.master, cp, 3);
    sim_run_until(&c.t.w.sim, c.t.w.sim.now + 3 * SEC + 100 * MSEC);
    const struct ip_vs_sync_stats *ms = ip_vs_sync_stats(c.master);
    const struct ip_vs_sync_stats *bs = ip_vs_sync_stats(c.backup);
    CU_ASSERT_EQUAL(ms->bytes_sent, want_bytes);
    struct ip_vs_conn *bp = ip_vs_conn_in_get(c.backup, IPPROTO_TCP, ca, htons(40000), va,
                                              htons(80));
    if (!want_bytes) {
        CU_ASSERT_EQUAL(ms->conns_queued, 0);
        CU_ASSERT_PTR_NULL(bp);
    } else {
        CU_ASSERT_EQUAL(ms->conns_sent, 1);
        CU_ASSERT_EQUAL(bs->msgs_bad, 0);
        CU_ASSERT_EQUAL(bs->conns_created, 1);
        CU_ASSERT_PTR_NOT_NULL_FATAL(bp);
        CU_ASSERT_EQUAL(bp->daddr, da);
        CU_ASSERT_EQUAL(bp->state, IP_VS_TCP_S_ESTABLISHED);
        CU_ASSERT_EQUAL(bp->timeout, 900 * SEC);
        CU_ASSERT_TRUE(bp->flags & IP_VS_CONN_F_SYNC);
        CU_ASSERT_PTR_NOT_NULL_FATAL(bp->dest);
        CU_ASSERT_EQUAL(bp->dest->addr, da);
        /* made by hand, the connection kept the dest's INACTIVE: so does the copy */
        CU_ASSERT_EQUAL(bp->flags & IP_VS_CONN_F_INACTIVE, cp->flags & IP_VS_CONN_F_INACTIVE);
        CU_ASSERT_EQUAL(bp->dest->activeconns + bp->dest->inactconns, 1);
    }
    world_destroy(&c.t.w);
}

static void test_sync_ipv6(void)
{
    sync6_case("6.x", 1, 8 + 72);
    sync6_case("6.x", 0, 0);
    sync6_case("2.6.34", 0, 0);
}

/* 3.18+: no daemon while a dest of the other family exists, and no such dest while a
 * daemon runs (-EINVAL both ways). */
static void test_sync_mixed_families(void)
{
    struct rule_case c;
    rule_case_init(&c, "6.x");
    struct net *net = host_net(c.t.lvs);
    struct ipvsadm_error err = {0};
    CU_ASSERT_EQUAL(ipvsadm_apply(net, "-A -t [2001:db8::10]:80", &err), 0);
    CU_ASSERT_EQUAL(ipvsadm_apply(net, "-a -t [2001:db8::10]:80 -r 192.0.2.11 -i", &err), 0);
    struct ip_vs_sync_daemon_cfg m = { .mcast_ifn = "eth0" };
    CU_ASSERT_EQUAL(ip_vs_start_sync_thread(c.ipvs, &m, IP_VS_STATE_MASTER), -EINVAL);
    CU_ASSERT_EQUAL(ipvsadm_apply(net, "-d -t [2001:db8::10]:80 -r 192.0.2.11", &err), 0);
    CU_ASSERT_EQUAL(ip_vs_start_sync_thread(c.ipvs, &m, IP_VS_STATE_MASTER), 0);
    CU_ASSERT_EQUAL(ipvsadm_apply(net, "-a -t [2001:db8::10]:80 -r 192.0.2.12 -i", &err), -1);
    CU_ASSERT_STRING_EQUAL(err.message, "Invalid operation.  Possibly wrong module version, "
                                        "address not unicast, ... (a real server of the other "
                                        "family than its service's: not while the sync daemon "
                                        "runs (its messages have one family per connection))");
    world_destroy(&c.t.w);
}

/* A hand-made version 1 message with one IPv6 entry, its bytes laid out here from
 * struct ip_vs_sync_v6 (and one IPv4 entry after it, 4-byte aligned). */
static void test_process_message_ipv6(void)
{
    struct rule_case c;
    rule_case_init(&c, "6.x");
    for (int i = 0; nat6_cfg[i]; i++) {
        struct ipvsadm_error err = {0};
        CU_ASSERT_EQUAL(ipvsadm_apply(host_net(c.t.lvs), nat6_cfg[i], &err), 0);
    }
    struct ip_vs_sync_daemon_cfg b = { .mcast_ifn = "eth0" };
    CU_ASSERT_EQUAL(ip_vs_start_sync_thread(c.ipvs, &b, IP_VS_STATE_BACKUP), 0);
    uint8_t m[8 + 72 + 36];
    memset(m, 0, sizeof m);
    m[3] = sizeof m;
    m[4] = 2;
    m[5] = 1;
    uint8_t *e = m + 8;
    e[0] = 1;                                   /* STYPE_F_INET6 */
    e[1] = IPPROTO_TCP;
    e[3] = 72;
    e[9] = IP_VS_TCP_S_ESTABLISHED;
    be16 cport = htons(41000), p80 = htons(80);
    memcpy(e + 10, &cport, 2);
    memcpy(e + 12, &p80, 2);
    memcpy(e + 14, &p80, 2);
    e[22] = 0x01;                               /* timeout 300 s */
    e[23] = 0x2c;
    static const uint8_t c6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 2, [15] = 5 };
    static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x10 };
    static const uint8_t d6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 0x11 };
    memcpy(e + 24, c6, 16);
    memcpy(e + 40, v6, 16);
    memcpy(e + 56, d6, 16);
    e = m + 8 + 72;                             /* an IPv4 entry follows */
    e[1] = IPPROTO_TCP;
    e[3] = 36;
    e[9] = IP_VS_TCP_S_ESTABLISHED;
    memcpy(e + 10, &cport, 2);
    memcpy(e + 12, &p80, 2);
    memcpy(e + 14, &p80, 2);
    be32 ca = topo_ip("10.0.1.2"), va = topo_ip(TOPO_VIP), da = topo_ip("192.0.2.11");
    memcpy(e + 24, &ca, 4);
    memcpy(e + 28, &va, 4);
    memcpy(e + 32, &da, 4);
    ip_vs_process_message(c.ipvs, m, sizeof m);
    const struct ip_vs_sync_stats *st = ip_vs_sync_stats(c.ipvs);
    CU_ASSERT_EQUAL(st->msgs_bad, 0);
    CU_ASSERT_EQUAL(st->conns_created, 2);
    struct ip_vs_conn *cp = ip_vs_conn_in_get(c.ipvs, IPPROTO_TCP, k6("2001:db8:2::5"),
                                              cport, k6("2001:db8::10"), p80);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cp);
    CU_ASSERT_EQUAL(cp->daddr, k6("2001:db8:1::11"));
    CU_ASSERT_EQUAL(cp->timeout, 300 * SEC);
    CU_ASSERT_PTR_NOT_NULL(cp->dest);
    CU_ASSERT_PTR_NOT_NULL(ip_vs_conn_in_get(c.ipvs, IPPROTO_TCP, ca, cport, va, p80));
    /* an IPv6 entry whose size field is that of an IPv4 one: the message is bad */
    m[8 + 3] = 36;
    m[8 + 10] = 0x99;
    ip_vs_process_message(c.ipvs, m, sizeof m);
    CU_ASSERT_EQUAL(st->msgs_bad, 1);
    world_destroy(&c.t.w);
}

/* ---- whole runs ---------------------------------------------------------------------------- */

struct ha_result {
    cJSON *failover;                /* summary's "failover" */
    uint64_t survived, running, lost;
    uint64_t sync_bytes;
    double dark_s;
};

static bool run_failover(const char *path, const char *const *sets, struct ha_result *r)
{
    struct scn_error err;
    struct scenario *s = scenario_load(path, sets, &err);
    if (!s) {
        fprintf(stderr, "\n  %s:%d:%d: %s\n", err.file, err.pos.line, err.pos.col, err.msg);
        return false;
    }
    struct run_world rw;
    if (!run_world_build(&rw, s, NULL, &err)) {
        fprintf(stderr, "\n  %s:%d:%d: %s\n", err.file, err.pos.line, err.pos.col, err.msg);
        scenario_free(s);
        return false;
    }
    sim_run_until(&rw.w.sim, s->duration);
    conv_log_close(&rw.log, rw.w.sim.now);
    r->failover = run_ha_json(&rw);
    const cJSON *conns = cJSON_GetObjectItem(r->failover, "connections");
    r->running = (uint64_t)cJSON_GetObjectItem(conns, "running")->valuedouble;
    r->survived = (uint64_t)cJSON_GetObjectItem(conns, "survived")->valuedouble;
    r->lost = r->running - r->survived;
    r->sync_bytes = (uint64_t)cJSON_GetObjectItem(cJSON_GetObjectItem(r->failover, "sync"),
                                                  "bytes")->valuedouble;
    r->dark_s = cJSON_GetObjectItem(r->failover, "vip_dark_s")->valuedouble;
    run_world_free(&rw);
    scenario_free(s);
    return true;
}

static void test_failover_runs(void)
{
    struct ha_result on, off;
    CU_ASSERT_TRUE_FATAL(run_failover("scenarios/failover-sync.json", NULL, &on));
    CU_ASSERT_TRUE_FATAL(run_failover("scenarios/failover-nosync.json", NULL, &off));
    /* The same traffic up to the crash at 20 s: the same connections were running. */
    CU_ASSERT(on.running >= 40);
    CU_ASSERT_EQUAL(on.running, off.running);
    /* The VIP is back 3 x 1 s + 156/256 s after lvs1's last advert (at 19 s), one
     * link latency (100 us) later: 2.6095 s after the crash, in both runs. */
    CU_ASSERT_DOUBLE_EQUAL(on.dark_s, 2.609475, 1e-5);
    CU_ASSERT_DOUBLE_EQUAL(off.dark_s, on.dark_s, 1e-9);
    /* With the sync daemon most survive (those not yet sent when lvs1 died do not);
     * without it none does. */
    CU_ASSERT(on.survived * 4 >= on.running * 3);
    CU_ASSERT_EQUAL(off.survived, 0);
    CU_ASSERT(on.sync_bytes > 0);
    CU_ASSERT_EQUAL(off.sync_bytes, 0);
    /* The failover record */
    const cJSON *f = cJSON_GetArrayItem(cJSON_GetObjectItem(on.failover, "failovers"), 0);
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(f, "director")->valuestring, "lvs1");
    CU_ASSERT_DOUBLE_EQUAL(cJSON_GetObjectItem(f, "at_s")->valuedouble, 20.0, 1e-9);
    const cJSON *d1 = cJSON_GetArrayItem(cJSON_GetObjectItem(on.failover, "directors"), 1);
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(d1, "vrrp_state")->valuestring, "MASTER");
    CU_ASSERT_EQUAL(cJSON_GetObjectItem(d1, "garps_sent")->valueint, 20);     /* 2 x 5, twice */
    cJSON_Delete(on.failover);
    cJSON_Delete(off.failover);
}

/* A graceful stop: the priority-0 advert cuts the wait to the skew time. Then the
 * director comes back and, with preempt, takes the VIP again. */
static void test_graceful_stop_and_preempt(void)
{
    static const char *const sets[] = {
        "events=[{\"at\": \"20s\", \"do\": \"director_down\", \"director\": \"lvs1\", "
        "\"graceful\": true}, {\"at\": \"30s\", \"do\": \"director_up\"}]",
        NULL,
    };
    struct ha_result r;
    CU_ASSERT_TRUE_FATAL(run_failover("scenarios/failover-sync.json", sets, &r));
    /* dark for skew_time = 156/256 s, plus the advert's trip over the sync link */
    CU_ASSERT_DOUBLE_EQUAL(r.dark_s, 0.609375 + 0.0001, 1e-5);
    const cJSON *d0 = cJSON_GetArrayItem(cJSON_GetObjectItem(r.failover, "directors"), 0);
    const cJSON *d1 = cJSON_GetArrayItem(cJSON_GetObjectItem(r.failover, "directors"), 1);
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(d0, "vrrp_state")->valuestring, "MASTER");
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(d1, "vrrp_state")->valuestring, "BACKUP");
    CU_ASSERT_EQUAL(cJSON_GetObjectItem(d0, "became_master")->valueint, 1);
    /* a graceful stop loses no connection table: what lvs2 knew came from sync */
    CU_ASSERT(r.survived > 0);
    cJSON_Delete(r.failover);
}

/* A director without a backup crashes and comes back: dark for exactly that long. */
static void test_lone_director_crash(void)
{
    static const char *const sets[] = {
        "events=[{\"at\": \"4s\", \"do\": \"director_down\"}, {\"at\": \"6.5s\", \"do\": \"director_up\"}]",
        NULL,
    };
    struct ha_result r;
    CU_ASSERT_TRUE_FATAL(run_failover("scenarios/nat.json", sets, &r));
    CU_ASSERT_DOUBLE_EQUAL(r.dark_s, 2.5, 1e-9);
    CU_ASSERT_EQUAL(r.survived, 0);
    cJSON_Delete(r.failover);
}

/* ---- the loader ------------------------------------------------------------------------------ */

static cJSON *load_schema(void)
{
    char *text = NULL;
    if (!g_file_get_contents("docs/scenario.schema.json", &text, NULL, NULL))
        return NULL;
    cJSON *j = cJSON_Parse(text);
    g_free(text);
    return j;
}

static void test_schema_backup_keys(void)
{
    cJSON *schema = load_schema();
    CU_ASSERT_PTR_NOT_NULL_FATAL(schema);
    const cJSON *props = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(schema, "$defs"),
                                                                 "backup"), "properties");
    CU_ASSERT_PTR_NOT_NULL_FATAL(props);
    const struct scn_section *keys = scn_section_named("backup");
    CU_ASSERT_PTR_NOT_NULL_FATAL(keys);
    for (size_t i = 0; i < keys->n; i++)
        CU_ASSERT_PTR_NOT_NULL(cJSON_GetObjectItemCaseSensitive(props, keys->keys[i].key));
    CU_ASSERT_EQUAL(cJSON_GetArraySize(props), (int)keys->n);
    const cJSON *dprops = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(schema, "$defs"),
                                                                  "director"), "properties");
    CU_ASSERT_PTR_NOT_NULL(cJSON_GetObjectItem(dprops, "backup"));
    cJSON_Delete(schema);
}

static void expect_error(const char *file, const char *set1, const char *needle)
{
    const char *sets[] = { set1, NULL };
    struct scn_error err;
    struct scenario *s = scenario_load(file, sets, &err);
    CU_ASSERT_PTR_NULL(s);
    if (s) {
        scenario_free(s);
        return;
    }
    bool found = strstr(err.msg, needle) != NULL;
    CU_ASSERT(found);
    if (!found)
        fprintf(stderr, "\n  expected '%s' in: %s\n", needle, err.msg);
}

static void test_loader(void)
{
    struct scn_error err;
    struct scenario *s = scenario_load("scenarios/failover-sync.json", NULL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_TRUE(s->backup.enabled);
    CU_ASSERT_STRING_EQUAL(s->backup.name, "lvs2");
    CU_ASSERT_TRUE(s->backup.sync);
    CU_ASSERT_EQUAL(s->backup.sync_threshold[0], 3);
    CU_ASSERT_EQUAL(s->backup.sync_threshold[1], 50);
    CU_ASSERT_EQUAL(s->backup.advert_int, SEC);
    CU_ASSERT_TRUE(s->backup.preempt);
    CU_ASSERT_EQUAL(s->backup.link.latency, 100 * USEC);
    const struct scn_event *e = &g_array_index(s->events, struct scn_event, 0);
    CU_ASSERT_EQUAL(e->kind, EV_DIRECTOR_DOWN);
    CU_ASSERT_STRING_EQUAL(e->server, "lvs1");
    CU_ASSERT_EQUAL(e->value, 0);
    scenario_free(s);
    static const char *const ok_sets[] = { "director.backup.sync_threshold=[3,10]", NULL };
    s = scenario_load("scenarios/failover-sync.json", ok_sets, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL(s->backup.sync_threshold[1], 10);
    scenario_free(s);
    const char *f = "scenarios/failover-sync.json";
    expect_error(f, "director.backup.sync_threshold=[50,3]", "threshold below the period");
    expect_error(f, "director.backup.sync_threshold=[3]", "[threshold, period]");
    expect_error(f, "director.backup.advert_int=1500ms", "whole seconds");
    expect_error(f, "director.backup.name=lvs1", "already taken");
    expect_error(f, "director.backup.syncd=1", "unknown key 'syncd'");
    expect_error(f, "events=[{\"at\": \"1s\", \"do\": \"director_down\", \"director\": \"rs1\"}]",
                 "unknown director 'rs1'");
    expect_error(f, "servers.0.name=lvs2", "already taken");
    expect_error("scenarios/nat.json",
                 "events=[{\"at\": \"1s\", \"do\": \"director_down\", \"graceful\": true}]",
                 "needs director.backup");
}

IPVSIM_SUITE(sync)
{
    CU_pSuite s = CU_add_suite("sync", NULL, NULL);
    ADD_TEST(s, test_skb_big_class);
    ADD_TEST(s, test_rule_threshold_period);
    ADD_TEST(s, test_rule_states);
    ADD_TEST(s, test_rule_refresh_period);
    ADD_TEST(s, test_e2e_v1_thresholds);
    ADD_TEST(s, test_e2e_v0_and_old_era);
    ADD_TEST(s, test_e2e_full_messages);
    ADD_TEST(s, test_process_message);
    ADD_TEST(s, test_sync_ipv6);
    ADD_TEST(s, test_sync_mixed_families);
    ADD_TEST(s, test_process_message_ipv6);
    ADD_TEST(s, test_failover_runs);
    ADD_TEST(s, test_graceful_stop_and_preempt);
    ADD_TEST(s, test_lone_director_crash);
    ADD_TEST(s, test_schema_backup_keys);
    ADD_TEST(s, test_loader);
}
