/* The defense strategies under a SYN flood that eats the director's memory. */
#include "model/ipv4/ip.h"
#include "model/ipvs/ip_vs_conn.h"
#include "model/ipvs/ip_vs_ctl.h"
#include "model/ipvs/ip_vs_defense.h"
#include "model/ipvs/ip_vs_proto.h"
#include "tests/testutil.h"
#include "tests/topo_lvs.h"

static uint16_t next_port = 1024;

/* One SYN from the client, from a new source port. */
static void syn(struct sim *s, void *obj, uint64_t arg)
{
    struct net *net = obj;
    struct rtable *rt = ip_route_output(net, topo_ip(TOPO_VIP));
    struct ip4_spec ip = { .saddr = rt->prefsrc, .daddr = topo_ip(TOPO_VIP), .ttl = 64 };
    struct tcp_spec th = { .sport = htons(next_port++), .dport = htons(80), .seq = 1,
                           .flags = TCPH_SYN, .window = 1000 };
    struct sk_buff *skb = skb_alloc(net_pool(net), net_now(net));
    pkt_build_tcp(skb, &ip, &th, 0);
    skb->dst = rt;
    ip_local_out(net, skb);
}

/* n SYNs, 2 us apart (the client's link keeps up: no drop-tail losses). */
static void flood(struct topo_lvs *t, int n)
{
    next_port = next_port < 1024 ? 1024 : next_port;
    for (int i = 0; i < n; i++)
        sim_after(&t->w.sim, (sim_time_t)i * 2 * USEC, syn, host_net(t->client), 0);
}

static struct netns_ipvs *setup(struct topo_lvs *t, uint64_t mem)
{
    static const char *const cfg[] = {
        "-A -t 203.0.113.10:80 -s rr", "-a -t 203.0.113.10:80 -r 192.0.2.11:80 -g", NULL,
    };
    topo_lvs_init(t, TOPO_DR, "6.x");
    topo_lvs_ipvsadm(t, cfg);
    struct netns_ipvs *ipvs = ip_vs_net(host_net(t->lvs));
    ip_vs_defense_set_memory(ipvs, mem);
    return ipvs;
}

static void test_no_memory_limit_never_defends(void)
{
    struct topo_lvs t;
    next_port = 1024;
    struct netns_ipvs *ipvs = setup(&t, 0);
    ipvs->sysctl.drop_packet = 1;
    ipvs->sysctl.secure_tcp = 1;
    flood(&t, 2000);
    sim_run_until(&t.w.sim, 3 * SEC);
    CU_ASSERT_EQUAL(ipvs->sysctl.drop_packet, 1);
    CU_ASSERT_EQUAL(ipvs->sysctl.secure_tcp, 1);
    CU_ASSERT_EQUAL(ip_vs_conn_count(ipvs), 2000);
    world_destroy(&t.w);
}

static void test_flood_turns_automatic_defenses_on_then_off(void)
{
    struct topo_lvs t;
    /* 8 MB: 20000 entries of 320 bytes leave 1.6 MB = 390 pages < amemthresh 1024. */
    next_port = 1024;
    struct netns_ipvs *ipvs = setup(&t, 8000000);
    ipvs->sysctl.drop_packet = 1;
    ipvs->sysctl.secure_tcp = 1;
    ipvs->sysctl.drop_entry = 1;
    flood(&t, 20000);                               /* 40 ms of SYNs */
    sim_run_until(&t.w.sim, 1500 * MSEC);
    CU_ASSERT_TRUE(ip_vs_defense_availmem(ipvs) < 1024);
    CU_ASSERT_EQUAL(ipvs->sysctl.drop_packet, 2);        /* automatic, now on */
    CU_ASSERT_EQUAL(ipvs->sysctl.secure_tcp, 2);
    CU_ASSERT_EQUAL(ipvs->sysctl.drop_entry, 2);
    /* rate = amemthresh / (amemthresh - availmem) = 1024 / (1024 - 390): 1, so every
     * new connection's first packet is dropped now. */
    uint64_t conns = ip_vs_conn_count(ipvs);
    flood(&t, 10);
    sim_run_until(&t.w.sim, 1600 * MSEC);
    CU_ASSERT_EQUAL(ipvs->defense->packets_dropped, 10);
    CU_ASSERT_TRUE(ip_vs_conn_count(ipvs) <= conns);
    /* drop_entry scans 128 of 4096 buckets a second: half-open entries go. */
    CU_ASSERT_TRUE(ipvs->defense->entries_dropped > 0);
    /* SYN_RECV entries time out after 60 s: memory comes back, defenses switch off. */
    sim_run_until(&t.w.sim, 70 * SEC);
    CU_ASSERT_EQUAL(ip_vs_conn_count(ipvs), 0);
    CU_ASSERT_EQUAL(ipvs->sysctl.drop_packet, 1);
    CU_ASSERT_EQUAL(ipvs->sysctl.secure_tcp, 1);
    CU_ASSERT_EQUAL(ipvs->sysctl.drop_entry, 1);
    world_destroy(&t.w);
}

static void test_drop_packet_always_uses_am_droprate(void)
{
    struct topo_lvs t;
    next_port = 1024;
    struct netns_ipvs *ipvs = setup(&t, 0);
    ipvs->sysctl.drop_packet = 3;
    ipvs->sysctl.am_droprate = 10;
    sim_run_until(&t.w.sim, 1500 * MSEC);        /* one defense tick */
    flood(&t, 100);
    sim_run_until(&t.w.sim, 1600 * MSEC);
    CU_ASSERT_EQUAL(ipvs->defense->packets_dropped, 10);  /* 1 in 10 */
    CU_ASSERT_EQUAL(ip_vs_conn_count(ipvs), 90);
    world_destroy(&t.w);
}

/* ---- drop_entry's choice, entry by entry --------------------------------------------- */

static struct netns_ipvs *setup_era(struct topo_lvs *t, const char *era)
{
    static const char *const cfg[] = {
        "-A -t 203.0.113.10:80 -s rr", "-a -t 203.0.113.10:80 -r 192.0.2.11:80 -g", NULL,
    };
    topo_lvs_init(t, TOPO_DR, era);
    topo_lvs_ipvsadm(t, cfg);
    return ip_vs_net(host_net(t->lvs));
}

/* An entry idle long enough for todrop_entry: the given state and packet count,
 * 900 s timeout, created at 0 and looked at from 61 s on. */
static struct ip_vs_conn *idle_conn(struct netns_ipvs *ipvs, uint16_t proto, uint16_t port,
                                    unsigned flags, int state, unsigned in_pkts)
{
    struct ip_vs_service *svc = list_entry(ipvs->services.next, struct ip_vs_service, s_list);
    struct ip_vs_dest *d = list_entry(svc->destinations.next, struct ip_vs_dest, n_list);
    struct ip_vs_conn_param p = { .protocol = proto, .caddr = topo_ip("198.51.100.7"),
                                  .cport = htons(port), .vaddr = svc->addr, .vport = svc->port };
    struct ip_vs_conn *cp = ip_vs_conn_new(ipvs, &p, d->addr, d->port, flags, d, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cp);
    cp->state = (uint8_t)state;
    cp->in_pkts = in_pkts;
    cp->timeout = 900 * SEC;
    ip_vs_conn_put(cp);
    return cp;
}

/* drop_entry always on, run often enough that every bucket has been scanned many
 * times over (128 of 4096 a run): an entry still not dropped never will be. */
static void scan_often(struct topo_lvs *t, struct netns_ipvs *ipvs)
{
    sim_run_until(&t->w.sim, 61 * SEC);
    ipvs->sysctl.drop_entry = 3;
    for (int i = 0; i < 600; i++)
        ip_vs_update_defense_level(ipvs);
}

static bool dropped(const struct ip_vs_conn *cp)
{
    return cp->timeout == 0;
}

/* todrop_rate is {0, 1, ..., 8}: an idle ESTABLISHED entry with 1 to 8 incoming
 * packets goes (its n-th chance), with 0 or more than 8 it stays. */
static void test_dropentry_todrop_rate(void)
{
    struct topo_lvs t;
    struct netns_ipvs *ipvs = setup_era(&t, "6.x");
    struct ip_vs_conn *cp[10];
    for (unsigned n = 0; n < 10; n++)
        cp[n] = idle_conn(ipvs, IPPROTO_TCP, (uint16_t)(2000 + n), IP_VS_CONN_F_DROUTE,
                          IP_VS_TCP_S_ESTABLISHED, n);
    struct ip_vs_conn *closing = idle_conn(ipvs, IPPROTO_TCP, 2100, IP_VS_CONN_F_DROUTE,
                                           IP_VS_TCP_S_FIN_WAIT, 1);
    scan_often(&t, ipvs);
    CU_ASSERT_FALSE(dropped(cp[0]));
    for (unsigned n = 1; n <= 8; n++)
        CU_ASSERT_TRUE(dropped(cp[n]));
    CU_ASSERT_FALSE(dropped(cp[9]));
    CU_ASSERT_FALSE(dropped(closing));                  /* TCP: not a candidate */
    world_destroy(&t.w);
}

/* SCTP: since 3.11-3.13 by state (INIT1/INIT always, ESTABLISHED by todrop_entry,
 * the rest never); 2.6.34 sends every SCTP entry through todrop_entry. */
static void test_dropentry_sctp_per_era(void)
{
    static const char *const eras[] = { "2.6.34", "6.x" };
    for (int e = 0; e < 2; e++) {
        struct topo_lvs t;
        struct netns_ipvs *ipvs = setup_era(&t, eras[e]);
        bool old = e == 0;
        struct ip_vs_conn *init = idle_conn(ipvs, IPPROTO_SCTP, 3000, IP_VS_CONN_F_DROUTE,
                                            IP_VS_SCTP_S_INIT1, 20);
        struct ip_vs_conn *echoed = idle_conn(ipvs, IPPROTO_SCTP, 3001, IP_VS_CONN_F_DROUTE,
                                              IP_VS_SCTP_S_COOKIE_ECHOED, 2);
        struct ip_vs_conn *est = idle_conn(ipvs, IPPROTO_SCTP, 3002, IP_VS_CONN_F_DROUTE,
                                           IP_VS_SCTP_S_ESTABLISHED, 3);
        scan_often(&t, ipvs);
        CU_ASSERT_EQUAL(dropped(init), !old);            /* 20 packets: todrop_entry says no */
        CU_ASSERT_EQUAL(dropped(echoed), old);
        CU_ASSERT_TRUE(dropped(est));
        world_destroy(&t.w);
    }
}

/* Templates: before 4.19 never a candidate (outside ops services); from 4.19 an
 * unused template that is not ASSURED goes, an ASSURED one stays. */
static void test_dropentry_templates_per_era(void)
{
    static const char *const eras[] = { "4.9", "5.10" };
    for (int e = 0; e < 2; e++) {
        struct topo_lvs t;
        struct netns_ipvs *ipvs = setup_era(&t, eras[e]);
        unsigned tpl = IP_VS_CONN_F_TEMPLATE | IP_VS_CONN_F_DROUTE;
        struct ip_vs_conn *plain = idle_conn(ipvs, IPPROTO_TCP, 0, tpl, IP_VS_CTPL_S_NONE, 0);
        struct ip_vs_conn *assured = idle_conn(ipvs, IPPROTO_UDP, 0, tpl, IP_VS_CTPL_S_ASSURED, 0);
        scan_often(&t, ipvs);
        CU_ASSERT_EQUAL(dropped(plain), e == 1);
        CU_ASSERT_FALSE(dropped(assured));
        world_destroy(&t.w);
    }
}

IPVSIM_SUITE(ipvs_defense)
{
    CU_pSuite s = CU_add_suite("ipvs_defense", NULL, NULL);
    ADD_TEST(s, test_no_memory_limit_never_defends);
    ADD_TEST(s, test_flood_turns_automatic_defenses_on_then_off);
    ADD_TEST(s, test_drop_packet_always_uses_am_droprate);
    ADD_TEST(s, test_dropentry_todrop_rate);
    ADD_TEST(s, test_dropentry_sctp_per_era);
    ADD_TEST(s, test_dropentry_templates_per_era);
}
