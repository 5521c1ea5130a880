/* The IPv4 path: forwarding, local delivery, local output, with checks on the bytes. */
#include <string.h>
#include "model/ip.h"
#include "model/net.h"
#include "model/sock.h"
#include "sim/csum.h"
#include "tests/testutil.h"
#include "tests/topo.h"

/* What a test socket saw of the last datagram. */
struct seen {
    int count;
    uint8_t ttl;
    sum16 ip_csum_check;            /* ip_fast_csum over the header: 0 when valid */
    be32 saddr, daddr;
    sim_time_t at;
};

static void record_udp(struct net *net, struct sk_buff *skb, void *ctx)
{
    struct seen *s = ctx;
    const struct iphdr *iph = ip_hdr(skb);
    s->count++;
    s->ttl = iph->ttl;
    s->ip_csum_check = ip_fast_csum(iph, ip_hdrlen(iph) / 4);
    s->saddr = iph->saddr;
    s->daddr = iph->daddr;
    s->at = net_now(net);
    consume_skb(net, skb);
}

static void test_forwarded_ttl_and_checksum(void)
{
    struct topo3 t;
    topo3_init(&t);
    struct seen s = {0};
    CU_ASSERT_TRUE(sock_bind(host_net(t.server), IPPROTO_UDP, htons(53), record_udp, &s));
    CU_ASSERT_EQUAL(topo_send_udp(t.client, "10.0.2.2", 40000, 53, 100, 64), 0);
    sim_run_until(&t.w.sim, 1 * SEC);
    CU_ASSERT_EQUAL(s.count, 1);
    CU_ASSERT_EQUAL(s.ttl, 63);                 /* one router, one decrement */
    CU_ASSERT_EQUAL(s.ip_csum_check, 0);        /* incremental update kept it valid */
    CU_ASSERT_EQUAL(s.saddr, topo_ip("10.0.1.2"));
    CU_ASSERT_EQUAL(host_net(t.router)->mib.forw_datagrams, 1);
    CU_ASSERT_EQUAL(host_net(t.server)->socks->stats.csum_errors, 0);
    CU_ASSERT_EQUAL(host_net(t.server)->mib.in_delivers, 1);
    world_destroy(&t.w);
}

static void test_forwarding_off_drops(void)
{
    struct topo3 t;
    topo3_init(&t);
    host_net(t.router)->ipv4.ip_forward = 0;
    struct seen s = {0};
    sock_bind(host_net(t.server), IPPROTO_UDP, htons(53), record_udp, &s);
    topo_send_udp(t.client, "10.0.2.2", 40000, 53, 10, 64);
    sim_run_until(&t.w.sim, 1 * SEC);
    CU_ASSERT_EQUAL(s.count, 0);
    CU_ASSERT_EQUAL(host_net(t.router)->mib.in_addr_errors, 1);
    CU_ASSERT_EQUAL(host_net(t.router)->mib.forw_datagrams, 0);
    CU_ASSERT_EQUAL(t.w.pool.in_use, 0);        /* the dropped packet was freed */
    world_destroy(&t.w);
}

static void test_ttl_one_not_forwarded(void)
{
    struct topo3 t;
    topo3_init(&t);
    struct seen s = {0};
    sock_bind(host_net(t.server), IPPROTO_UDP, htons(53), record_udp, &s);
    topo_send_udp(t.client, "10.0.2.2", 40000, 53, 10, 1);
    topo_send_udp(t.client, "10.0.2.2", 40001, 53, 10, 2);
    sim_run_until(&t.w.sim, 1 * SEC);
    CU_ASSERT_EQUAL(s.count, 1);                /* only the TTL 2 one, arriving with 1 */
    CU_ASSERT_EQUAL(s.ttl, 1);
    CU_ASSERT_EQUAL(host_net(t.router)->mib.in_discards, 1);
    world_destroy(&t.w);
}

static void test_local_delivery_on_router(void)
{
    struct topo3 t;
    topo3_init(&t);
    struct seen s = {0};
    sock_bind(host_net(t.router), IPPROTO_UDP, htons(53), record_udp, &s);
    /* The router's address on the far interface is still local to it. */
    topo_send_udp(t.client, "10.0.2.1", 40000, 53, 10, 64);
    sim_run_until(&t.w.sim, 1 * SEC);
    CU_ASSERT_EQUAL(s.count, 1);
    CU_ASSERT_EQUAL(s.ttl, 64);                 /* delivered, not forwarded */
    CU_ASSERT_EQUAL(host_net(t.router)->mib.forw_datagrams, 0);
    world_destroy(&t.w);
}

static void test_loopback_to_own_address(void)
{
    struct topo3 t;
    topo3_init(&t);
    struct seen s = {0};
    sock_bind(host_net(t.client), IPPROTO_UDP, htons(53), record_udp, &s);
    topo_send_udp(t.client, "10.0.1.2", 40000, 53, 10, 64);
    sim_run_until(&t.w.sim, 1 * SEC);
    CU_ASSERT_EQUAL(s.count, 1);
    CU_ASSERT_EQUAL(s.at, 0);                   /* lo: no wire, no delay */
    CU_ASSERT_EQUAL(t.w.links->len, 2);
    CU_ASSERT_EQUAL(((struct link *)g_ptr_array_index(t.w.links, 0))->stats.tx_frames, 0);
    world_destroy(&t.w);
}

static void test_arrival_time_is_latency_plus_serialisation(void)
{
    struct topo3 t;
    topo3_init(&t);
    struct seen s = {0};
    sock_bind(host_net(t.server), IPPROTO_UDP, htons(53), record_udp, &s);
    topo_send_udp(t.client, "10.0.2.2", 40000, 53, 100, 64);
    sim_run_until(&t.w.sim, 1 * SEC);
    /* 14 + 20 + 8 + 100 = 142 bytes on each hop, + 24 bytes of overhead. */
    sim_time_t hop1 = 1 * MSEC + link_tx_time(142, 1000000000ull);
    sim_time_t hop2 = 50 * USEC + link_tx_time(142, 10000000000ull);
    CU_ASSERT_EQUAL(s.at, hop1 + hop2);
    world_destroy(&t.w);
}

static void test_no_socket_counted(void)
{
    struct topo3 t;
    topo3_init(&t);
    topo_send_udp(t.client, "10.0.2.2", 40000, 9999, 10, 64);
    sim_run_until(&t.w.sim, 1 * SEC);
    CU_ASSERT_EQUAL(host_net(t.server)->socks->stats.no_socket, 1);
    CU_ASSERT_EQUAL(t.w.pool.in_use, 0);
    world_destroy(&t.w);
}

IPVSIM_SUITE(ipv4)
{
    CU_pSuite s = CU_add_suite("ipv4", NULL, NULL);
    ADD_TEST(s, test_forwarded_ttl_and_checksum);
    ADD_TEST(s, test_forwarding_off_drops);
    ADD_TEST(s, test_ttl_one_not_forwarded);
    ADD_TEST(s, test_local_delivery_on_router);
    ADD_TEST(s, test_loopback_to_own_address);
    ADD_TEST(s, test_arrival_time_is_latency_plus_serialisation);
    ADD_TEST(s, test_no_socket_counted);
}
