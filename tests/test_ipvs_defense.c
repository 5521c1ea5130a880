/* The defense strategies under a SYN flood that eats the director's memory. */
#include "model/ip.h"
#include "model/ipvs/ip_vs_conn.h"
#include "model/ipvs/ip_vs_ctl.h"
#include "model/ipvs/ip_vs_defense.h"
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

IPVSIM_SUITE(ipvs_defense)
{
    CU_pSuite s = CU_add_suite("ipvs_defense", NULL, NULL);
    ADD_TEST(s, test_no_memory_limit_never_defends);
    ADD_TEST(s, test_flood_turns_automatic_defenses_on_then_off);
    ADD_TEST(s, test_drop_packet_always_uses_am_droprate);
}
