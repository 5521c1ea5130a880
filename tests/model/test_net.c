/* A host's kernel instance (model/net.c, model/subsys.c): net_new runs every
 * subsystem's pernet init, and the host's destruction runs every exit, in reverse,
 * with every subsystem loaded (AddressSanitizer's leak check sees what an exit
 * left). */
#include <string.h>
#include "model/ipv4/icmp.h"
#include "model/ipv4/route.h"
#include "model/ipv4/sock.h"
#include "model/ipvs/ip_vs_ctl.h"
#include "model/net.h"
#include "model/netfilter/core.h"
#include "model/netfilter/user_hook.h"
#include "model/user/iptables/iptables_parse.h"
#include "sim/world.h"
#include "tests/testutil.h"
#include "tests/topo.h"

static void test_setup_net_runs_every_init(void)
{
    struct world w;
    world_init(&w, 1);
    static const char *const ifs[] = { "eth0=10.0.0.1/24", "eth1=10.0.1.1/24", NULL };
    struct host *h = topo_host(&w, "h", ifs);
    struct net *net = host_net(h);
    CU_ASSERT_PTR_EQUAL(h->model, net);
    CU_ASSERT_PTR_NOT_NULL(net->socks);                         /* sock_net_init */
    CU_ASSERT_EQUAL(net->socks->n, 0);
    CU_ASSERT_EQUAL(net->fib.local.dev, host_dev(h, "lo"));     /* fib_net_init */
    CU_ASSERT_EQUAL(net->fib.n, 2);                             /* the connected routes */
    CU_ASSERT_PTR_EQUAL(ip_route_output(net, topo_ip("10.0.1.9"))->dev, host_dev(h, "eth1"));
    CU_ASSERT_EQUAL(net->icmp.ratelimit_ms, 1000);              /* icmp_init */
    CU_ASSERT_EQUAL(net->icmp.msgs_burst, 50);
    /* What loads on first use is not there yet. */
    CU_ASSERT_PTR_NULL(net->ct);
    CU_ASSERT_PTR_NULL(net->nat);
    CU_ASSERT_PTR_NULL(net->xt);
    CU_ASSERT_PTR_NULL(net->ipvs);
    world_destroy(&w);
}

/* Every subsystem loaded on the server, and state in each: the host's destruction
 * must free it all (the leak check runs at exit) without touching what an earlier
 * exit freed (the address sanitizer). */
static void test_cleanup_net_with_everything_loaded(void)
{
    struct topo3 t;
    topo3_init(&t);
    struct net *net = host_net(t.server);
    static const char *const rules[] = {
        "-t nat -A POSTROUTING -o eth0 -j MASQUERADE",
        "-A INPUT -m state --state ESTABLISHED -j ACCEPT",
        "-t mangle -A PREROUTING -j MARK --set-mark 1",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(rules); i++)
        CU_ASSERT_EQUAL(iptables_apply(net, rules[i], NULL), 0);
    int err = 0;
    CU_ASSERT_PTR_NOT_NULL(nf_user_hook_add(net, "drop-in", NF_INET_LOCAL_IN, 10, NF_DROP, &err));
    struct ip_vs_service_user u = { .protocol = IPPROTO_TCP, .addr = topo_ip("10.0.2.2"),
                                    .port = htons(80), .netmask = 0xffffffffu };
    g_strlcpy(u.sched_name, "rr", sizeof u.sched_name);
    struct ip_vs_service *svc = NULL;
    CU_ASSERT_EQUAL(ip_vs_add_service(ip_vs_net(net), &u, &svc), 0);
    /* A datagram tracked by conntrack, then dropped at LOCAL_IN: a conntrack entry
     * and a drop statistic. */
    CU_ASSERT_EQUAL(topo_send_udp(t.client, "10.0.2.2", 40000, 53, 10, 64), 0);
    sim_run_until(&t.w.sim, 1 * SEC);
    CU_ASSERT_PTR_NOT_NULL(net->ct);
    CU_ASSERT_PTR_NOT_NULL(net->nat);
    CU_ASSERT_PTR_NOT_NULL(net->xt);
    CU_ASSERT_PTR_NOT_NULL(net->user_hooks);
    CU_ASSERT_PTR_NOT_NULL(net->ipvs);
    CU_ASSERT_PTR_NOT_NULL(net->nf_drops);
    CU_ASSERT_EQUAL(net->nf_drops ? net->nf_drops->len : 0, 1);
    t.server->ops->destroy(t.server);           /* what world_destroy does first */
    CU_ASSERT_PTR_NULL(t.server->model);
    t.server->ops->destroy(t.server);           /* a second time: nothing left to do */
    world_destroy(&t.w);
}

IPVSIM_SUITE(net)
{
    CU_pSuite s = CU_add_suite("net", NULL, NULL);
    ADD_TEST(s, test_setup_net_runs_every_init);
    ADD_TEST(s, test_cleanup_net_with_everything_loaded);
}
