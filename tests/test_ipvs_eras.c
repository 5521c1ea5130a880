/* What IPVS and the director's stack do differently per kernel era, end to end on
 * the LVS topology (tests/topo_lvs.h): 2.6.34's reply lookup for a local client,
 * the IP ids and DF bits of the packets the director builds itself (tunnel outer
 * headers, resets, ICMP errors), and nat_icmp_send. */
#include <string.h>
#include "model/ip.h"
#include "model/ipvs/ip_vs.h"
#include "model/ipvs/ip_vs_ctl.h"
#include "model/sock.h"
#include "tests/testutil.h"
#include "tests/topo_lvs.h"

/* A real server's UDP echo: it answers from the address the datagram was sent to. */
static void rs_echo(struct net *net, struct sk_buff *skb, void *ctx)
{
    int *got = ctx;
    const struct iphdr *iph = ip_hdr(skb);
    const struct udphdr *uh = (const struct udphdr *)skb->data;
    (*got)++;
    be32 to = iph->saddr, from = iph->daddr;
    be16 sport = uh->dest, dport = uh->source;
    consume_skb(net, skb);
    struct ip4_spec ip = { .saddr = from, .daddr = to, .ttl = 64 };
    struct sk_buff *r = skb_alloc(net_pool(net), net_now(net));
    pkt_build_udp(r, &ip, sport, dport, 30);
    r->dst = ip_route_output(net, to);
    ip_local_out(net, r);
}

struct seen {
    int got;
    be32 from;
    be16 sport;
};

static void local_rx(struct net *net, struct sk_buff *skb, void *ctx)
{
    struct seen *s = ctx;
    s->got++;
    s->from = ip_hdr(skb)->saddr;
    s->sport = ((const struct udphdr *)skb->data)->source;
    consume_skb(net, skb);
}

/* ==== item: 2.6.34's local client ==================================================== */

/* A process on the director sends to VIP:53 (NAT). 2.6.34 has no IPVS hook at
 * LOCAL_OUT: the datagram loops through lo and ip_vs_in schedules it at LOCAL_IN.
 * The real server answers the director's address; with no ip_vs_out at LOCAL_IN,
 * ip_vs_in itself finds the connection as a reply and de-NATs the answer, which
 * reaches the process from VIP:53 (as on 6.x, through ip_vs_out_hook). */
static void local_client_case(const char *era, struct seen *s, int *rs_got)
{
    static const char *const cfg[] = {
        "-A -u 203.0.113.10:53 -s rr", "-a -u 203.0.113.10:53 -r 192.0.2.11:5353 -m", NULL,
    };
    struct topo_lvs t;
    topo_lvs_init(&t, TOPO_NAT, era);
    topo_lvs_ipvsadm(&t, cfg);
    *rs_got = 0;
    memset(s, 0, sizeof *s);
    sock_bind(host_net(t.rs[0]), IPPROTO_UDP, 0, rs_echo, rs_got);
    sock_bind(host_net(t.lvs), IPPROTO_UDP, htons(40000), local_rx, s);
    topo_send_udp(t.lvs, TOPO_VIP, 40000, 53, 20, 64);
    sim_run_until(&t.w.sim, 1 * SEC);
    world_destroy(&t.w);
}

static void test_local_client_reply(void)
{
    static const char *const eras[] = { "2.6.34", "6.x" };
    for (size_t i = 0; i < G_N_ELEMENTS(eras); i++) {
        struct seen s;
        int rs_got;
        local_client_case(eras[i], &s, &rs_got);
        CU_ASSERT_EQUAL(rs_got, 1);
        CU_ASSERT_EQUAL(s.got, 1);
        CU_ASSERT_EQUAL(s.from, topo_ip(TOPO_VIP));
        CU_ASSERT_EQUAL(s.sport, htons(53));
    }
}

IPVSIM_SUITE(ipvs_eras)
{
    CU_pSuite s = CU_add_suite("ipvs_eras", NULL, NULL);
    ADD_TEST(s, test_local_client_reply);
}
