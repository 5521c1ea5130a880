/* The world of a mixed-family LVS-TUN scenario (scenarios/tun-mixed.json; app/run/
 * run_world.c build_mixed_tun_end, run_world6.c run_world6_mixed_tun): the real server
 * an IPv4 service tunnels to by its IPv6 address holds the IPv4 VIP on ip6tnl0 in mode
 * any, and no tunl0 or sit0; the one an IPv6 service tunnels to by its IPv4 address
 * holds the IPv6 VIP on sit0, and no tunl0 or ip6tnl0; each keeps both families'
 * default routes through the router (it answers the client directly). */
#include <glib.h>
#include <string.h>
#include "app/run/run_world.h"
#include "app/run/run_world6.h"
#include "app/scenario/scenario.h"
#include "model/ipv4/ip.h"
#include "model/ipv4/ipip.h"
#include "model/ipv4/route.h"
#include "model/ipv6/ipv6.h"
#include "model/ipv6/route.h"
#include "model/net.h"
#include "sim/in6.h"
#include "tests/testutil.h"

static bool has6(struct host *h, const char *dev, const char *addr)
{
    struct in6_addr a;
    CU_ASSERT_FATAL(in6_pton(addr, &a, NULL, NULL));
    return ipv6_chk_addr(host_net(h), &a, host_dev(h, dev));
}

static void test_world_mixed_tun_ends(void)
{
    struct scn_error err;
    struct scenario *s = scenario_load("scenarios/tun-mixed.json", NULL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    struct run_world rw;
    CU_ASSERT_TRUE_FATAL(run_world_build(&rw, s, NULL, &err));
    struct host *rs1 = world_host(&rw.w, "rs1"), *rs2 = world_host(&rw.w, "rs2");
    CU_ASSERT_PTR_NOT_NULL_FATAL(rs1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rs2);
    be32 vip4 = htonl(0xcb00710a);          /* 203.0.113.10 */
    /* rs1: -a -t 203.0.113.10:80 -r [2001:db8:2::11]:80 -i */
    struct net_device *tnl = host_dev(rs1, IP6_TNL_DEVICE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(tnl);
    CU_ASSERT_EQUAL(host_dev_by_addr(rs1, vip4), tnl);
    CU_ASSERT_TRUE(host_net(rs1)->ip6tnl0_mode_any);
    CU_ASSERT_PTR_NULL(host_dev(rs1, SIT_DEVICE));
    CU_ASSERT_PTR_NULL(host_dev(rs1, IPIP_DEVICE));
    CU_ASSERT_FALSE(has6(rs1, IP6_TNL_DEVICE, "2001:db8:10::10"));
    /* rs2: -a -t [2001:db8:10::10]:80 -r 192.0.2.12:80 -i */
    CU_ASSERT_PTR_NOT_NULL_FATAL(host_dev(rs2, SIT_DEVICE));
    CU_ASSERT_EQUAL(host_dev(rs2, SIT_DEVICE)->mtu, 1480);
    CU_ASSERT_TRUE(has6(rs2, SIT_DEVICE, "2001:db8:10::10"));
    CU_ASSERT_PTR_NULL(host_dev(rs2, IP6_TNL_DEVICE));
    CU_ASSERT_PTR_NULL(host_dev(rs2, IPIP_DEVICE));
    CU_ASSERT_PTR_NULL(host_dev_by_addr(rs2, vip4));
    CU_ASSERT_FALSE(host_net(rs2)->ip6tnl0_mode_any);
    /* both answer in either family through the router */
    struct in6_addr c6;
    CU_ASSERT_FATAL(in6_pton("2001:db8:c::1", &c6, NULL, NULL));
    for (int i = 0; i < 2; i++) {
        struct host *h = i ? rs2 : rs1;
        struct rtable *rt = ip_route_output(host_net(h), htonl(0xc6336401));  /* 198.51.100.1 */
        CU_ASSERT_PTR_NOT_NULL(rt);
        CU_ASSERT_EQUAL(rt ? rt->gateway : 0, rw.gw_lan);
        struct rt6_info *rt6 = ip6_route_output(host_net(h), &c6);
        CU_ASSERT_PTR_NOT_NULL(rt6);
        CU_ASSERT_TRUE(rt6 && ipv6_addr_equal(&rt6->gateway, in6_key_addr(rw.gw_lan6)));
    }
    run_world_free(&rw);
    scenario_free(s);
}

IPVSIM_SUITE(world_mixtun)
{
    CU_pSuite s = CU_add_suite("world_mixtun", NULL, NULL);
    ADD_TEST(s, test_world_mixed_tun_ends);
}
