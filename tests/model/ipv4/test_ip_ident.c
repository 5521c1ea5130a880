/* The IP id generators of each era (ip_ident.c): DF packets carry 0; 2.6.34 counts per
 * destination (inet_peer), 3.16+ per hashed (daddr, saddr, protocol) bucket; both +1 per
 * packet within a jiffy, and the same seed gives the same ids. */
#include <arpa/inet.h>
#include "model/ipv4/ip_ident.h"
#include "model/net.h"
#include "model/profile.h"
#include "sim/proto.h"
#include "tests/testutil.h"
#include "tests/topo.h"

static struct net *era_net(struct topo3 *t, const char *era)
{
    topo3_init(t);
    struct net *net = host_net(t->client);
    net->prof = kernel_profile_find(era);
    CU_ASSERT_PTR_NOT_NULL_FATAL(net->prof);
    return net;
}

static uint16_t id(struct net *net, const char *daddr, uint8_t protocol)
{
    return ntohs(ip_select_ident(net, topo_ip("10.0.1.2"), topo_ip(daddr), protocol, false));
}

static void test_df_is_zero_in_every_era(void)
{
    const char *eras[] = { "2.6.34", "4.9", "6.x" };
    for (unsigned i = 0; i < sizeof eras / sizeof eras[0]; i++) {
        struct topo3 t;
        struct net *net = era_net(&t, eras[i]);
        for (int n = 0; n < 3; n++)
            CU_ASSERT_EQUAL(ip_select_ident(net, topo_ip("10.0.1.2"), topo_ip("10.0.2.2"),
                                            IPPROTO_UDP, true), 0);
        world_destroy(&t.w);
    }
}

/* 2.6.34: one counter per destination, whatever the protocol. */
static void test_inet_peer_counts_per_destination(void)
{
    struct topo3 t;
    struct net *net = era_net(&t, "2.6.34");
    CU_ASSERT_EQUAL(net->prof->ip_ident, IP_IDENT_INETPEER);
    uint16_t a = id(net, "10.0.2.2", IPPROTO_UDP);
    uint16_t b = id(net, "10.0.2.3", IPPROTO_UDP);
    CU_ASSERT_EQUAL(id(net, "10.0.2.2", IPPROTO_TCP), (uint16_t)(a + 1));
    CU_ASSERT_EQUAL(id(net, "10.0.2.2", IPPROTO_UDP), (uint16_t)(a + 2));
    CU_ASSERT_EQUAL(id(net, "10.0.2.3", IPPROTO_UDP), (uint16_t)(b + 1));
    world_destroy(&t.w);
}

/* 3.16+: within one jiffy a flow's bucket counts +1; the same seed, the same ids. */
static void test_idents_count_within_a_jiffy_and_repeat(void)
{
    uint16_t first[2];
    for (int run = 0; run < 2; run++) {
        struct topo3 t;
        struct net *net = era_net(&t, "6.x");
        CU_ASSERT_EQUAL(net->prof->ip_ident, IP_IDENT_IDENTS);
        first[run] = id(net, "10.0.2.2", IPPROTO_UDP);
        CU_ASSERT_EQUAL(id(net, "10.0.2.2", IPPROTO_UDP), (uint16_t)(first[run] + 1));
        CU_ASSERT_EQUAL(id(net, "10.0.2.2", IPPROTO_UDP), (uint16_t)(first[run] + 2));
        world_destroy(&t.w);
    }
    CU_ASSERT_EQUAL(first[0], first[1]);
}

IPVSIM_SUITE(ip_ident)
{
    CU_pSuite s = CU_add_suite("ip_ident", NULL, NULL);
    ADD_TEST(s, test_df_is_zero_in_every_era);
    ADD_TEST(s, test_inet_peer_counts_per_destination);
    ADD_TEST(s, test_idents_count_within_a_jiffy_and_repeat);
}
