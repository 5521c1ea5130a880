/* Multicast output (model/ipv4/ip_output.c ip_mc_output, model/ipv4/route.c
 * ip_mc_route_init): a kernel sender's packet to a group passes POST_ROUTING and
 * leaves with the group's Ethernet address, without a neighbour lookup; one larger
 * than the MTU is dropped as ip_finish_output drops it. */
#include <errno.h>
#include <string.h>
#include "model/ipv4/ip.h"
#include "model/ipv4/route.h"
#include "model/net.h"
#include "model/netfilter/core.h"
#include "sim/pkt.h"
#include "tests/testutil.h"
#include "tests/topo.h"

/* What the client's trace saw: the stack functions in order, the hook points passed,
 * the frame handed to the device, the drop. */
struct mc_seen {
    char funcs[256];
    int post_routing;
    int xmits;
    uint8_t h_dest[ETH_ALEN], h_source[ETH_ALEN];
    const char *drop_func;
};

static void mc_emit(void *ctx, const struct trace_event *ev)
{
    struct mc_seen *s = ctx;
    if (ev->kind == TRACE_FUNC) {
        g_strlcat(s->funcs, ev->func, sizeof s->funcs);
        g_strlcat(s->funcs, " ", sizeof s->funcs);
    } else if (ev->kind == TRACE_HOOK_EMPTY && ev->hook == NF_INET_POST_ROUTING) {
        s->post_routing++;
    } else if (ev->kind == TRACE_NOTE && strcmp(ev->func, "dev_queue_xmit") == 0) {
        s->xmits++;
        CU_ASSERT_TRUE(ev->before.has_mac);
        memcpy(s->h_dest, ev->before.h_dest, ETH_ALEN);
        memcpy(s->h_source, ev->before.h_source, ETH_ALEN);
    } else if (ev->kind == TRACE_DROP) {
        s->drop_func = ev->func;
    }
}

/* Send a UDP datagram of payload bytes from the client to group through a multicast
 * route on eth0; the result of ip_local_out. */
static int mc_send(struct topo3 *t, struct rtable *rt, const char *group, uint32_t payload)
{
    struct net *net = host_net(t->client);
    ip_mc_route_init(net, rt, host_dev(t->client, "eth0"), topo_ip(group));
    struct ip4_spec ip = { .saddr = rt->prefsrc, .daddr = topo_ip(group), .ttl = 1 };
    struct sk_buff *skb = skb_alloc(net_pool(net), 0);
    CU_ASSERT_TRUE(pkt_build_udp(skb, &ip, htons(8848), htons(8848), payload));
    skb->dst = rt;
    return ip_local_out(net, skb);
}

static void test_mc_output_group_address(void)
{
    static const struct { const char *group; uint8_t mac[ETH_ALEN]; } cases[] = {
        { "224.0.0.81", { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x51 } },      /* IPVS sync */
        { "224.0.0.18", { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x12 } },      /* VRRP */
        { "239.129.2.3", { 0x01, 0x00, 0x5e, 0x01, 0x02, 0x03 } },     /* bit 23 dropped */
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        struct topo3 t;
        topo3_init(&t);
        struct mc_seen s = {0};
        struct trace_sink sink = { mc_emit, &s };
        struct net *net = host_net(t.client);
        net->trace = &sink;
        struct rtable rt;
        CU_ASSERT_EQUAL(mc_send(&t, &rt, cases[i].group, 100), 0);
        CU_ASSERT_EQUAL(rt.prefsrc, topo_ip("10.0.1.2"));       /* the interface's address */
        CU_ASSERT_STRING_EQUAL(s.funcs, "ip_local_out __ip_local_out ip_mc_output ");
        CU_ASSERT_EQUAL(s.post_routing, 1);
        CU_ASSERT_EQUAL(s.xmits, 1);
        CU_ASSERT_EQUAL(memcmp(s.h_dest, cases[i].mac, ETH_ALEN), 0);
        CU_ASSERT_EQUAL(memcmp(s.h_source, host_dev(t.client, "eth0")->dev_addr, ETH_ALEN), 0);
        CU_ASSERT_EQUAL(net->mib.neigh_failed, 0);   /* no neighbour was looked up */
        CU_ASSERT_PTR_NULL(s.drop_func);
        net->trace = NULL;
        sim_run_until(&t.w.sim, 1 * SEC);
        CU_ASSERT_EQUAL(t.w.pool.in_use, 0);
        world_destroy(&t.w);
    }
}

static void test_mc_output_larger_than_mtu(void)
{
    struct topo3 t;
    topo3_init(&t);
    struct mc_seen s = {0};
    struct trace_sink sink = { mc_emit, &s };
    struct net *net = host_net(t.client);
    net->trace = &sink;
    host_dev(t.client, "eth0")->mtu = 100;
    struct rtable rt;
    CU_ASSERT_EQUAL(mc_send(&t, &rt, "224.0.0.81", 100), -EMSGSIZE);
    CU_ASSERT_EQUAL(s.post_routing, 1);
    CU_ASSERT_EQUAL(s.xmits, 0);
    CU_ASSERT_STRING_EQUAL(s.drop_func, "ip_finish_output");
    CU_ASSERT_EQUAL(net->mib.out_discards, 1);
    CU_ASSERT_EQUAL(t.w.pool.in_use, 0);
    net->trace = NULL;
    world_destroy(&t.w);
}

static void test_ip_eth_mc_map(void)
{
    uint8_t mac[ETH_ALEN];
    ip_eth_mc_map(topo_ip("239.255.255.250"), mac);
    static const uint8_t want[ETH_ALEN] = { 0x01, 0x00, 0x5e, 0x7f, 0xff, 0xfa };
    CU_ASSERT_EQUAL(memcmp(mac, want, ETH_ALEN), 0);
}

IPVSIM_SUITE(ip_output)
{
    CU_pSuite s = CU_add_suite("ip_output", NULL, NULL);
    ADD_TEST(s, test_mc_output_group_address);
    ADD_TEST(s, test_mc_output_larger_than_mtu);
    ADD_TEST(s, test_ip_eth_mc_map);
}
