/* LVS-TUN's tunnel types: IPIP, GUE (UDP to the dest's port, 5.2+) and GRE (5.3+),
 * each with its own header size for the MTU the director checks; the real server
 * unwraps GUE through its fou port onto tunl0 and GRE on gre0. Before 5.2 the
 * kernel ignores the type: every tunnel is IPIP. */
#include <string.h>
#include "model/ipv4/ip.h"
#include "model/ipv4/icmp.h"
#include "model/ipv4/ipip.h"
#include "model/netfilter/core.h"
#include "model/ipv4/sock.h"
#include "tests/testutil.h"
#include "tests/topo_lvs.h"

struct tun_case {
    struct topo_lvs t;
    unsigned echoed[2];
    unsigned frag_needed;
    uint16_t mtu;
};

static void rs_count(struct net *net, struct sk_buff *skb, void *ctx)
{
    unsigned *n = ctx;
    (*n)++;
    consume_skb(net, skb);
}

static void client_icmp(struct net *net, struct sk_buff *skb, void *ctx)
{
    struct tun_case *c = ctx;
    const struct icmphdr *ic = (const struct icmphdr *)skb->data;
    if (ic->type == ICMP_DEST_UNREACH && ic->code == ICMP_FRAG_NEEDED) {
        c->frag_needed++;
        c->mtu = ntohs(ic->un.frag.mtu);
    }
    consume_skb(net, skb);
}

/* Both real servers can unwrap every type: IPIP and GUE (fou port 6080) on tunl0,
 * GRE on gre0. */
static void tun_case_init(struct tun_case *c, const char *era, const char *rs1_opts,
                          const char *rs2_opts)
{
    memset(c, 0, sizeof *c);
    topo_lvs_init(&c->t, TOPO_TUN, era);
    for (int i = 0; i < 2; i++) {
        struct host *rs = c->t.rs[i];
        host_net(rs)->fou_gue_port = htons(6080);
        netdev_add_addr(host_add_dev(rs, GRE_DEVICE, 1476), topo_ip(TOPO_VIP), 32);
        sock_bind(host_net(rs), IPPROTO_UDP, htons(53), rs_count, &c->echoed[i]);
    }
    sock_bind(host_net(c->t.client), IPPROTO_ICMP, 0, client_icmp, c);
    char l1[128], l2[128];
    snprintf(l1, sizeof l1, "-a -u 203.0.113.10:53 -r 192.0.2.11 -i %s", rs1_opts);
    snprintf(l2, sizeof l2, "-a -u 203.0.113.10:53 -r 192.0.2.12 -i %s", rs2_opts);
    const char *const cfg[] = { "-A -u 203.0.113.10:53 -s rr", l1, l2, NULL };
    topo_lvs_ipvsadm(&c->t, cfg);
}

/* n datagrams of tot_len bytes (DF set) from the client to the VIP, one second. */
static void send_df(struct tun_case *c, unsigned n, uint16_t tot_len)
{
    struct net *net = host_net(c->t.client);
    for (unsigned i = 0; i < n; i++) {
        struct rtable *rt = ip_route_output(net, topo_ip(TOPO_VIP));
        struct ip4_spec ip = { .saddr = rt->prefsrc, .daddr = topo_ip(TOPO_VIP), .ttl = 64,
                               .df = true, .id = htons(net->ip_id++) };
        struct sk_buff *skb = skb_alloc(net_pool(net), net_now(net));
        CU_ASSERT_TRUE_FATAL(pkt_build_udp(skb, &ip, htons((uint16_t)(40000 + i)), htons(53),
                                           tot_len - 28u));
        skb->dst = rt;
        ip_local_out(net, skb);
    }
    sim_run_until(&c->t.w.sim, c->t.w.sim.now + 1 * SEC);
}

static void test_gue_and_gre_delivered(void)
{
    struct tun_case c;
    tun_case_init(&c, "6.x", "--tun-type gue --tun-port 6080 --tun-csum", "--tun-type gre");
    send_df(&c, 4, 100);
    CU_ASSERT_EQUAL(c.echoed[0], 2);
    CU_ASSERT_EQUAL(c.echoed[1], 2);
    CU_ASSERT_EQUAL(host_dev(c.t.rs[0], IPIP_DEVICE)->stats.rx_packets, 2);
    CU_ASSERT_EQUAL(host_dev(c.t.rs[1], GRE_DEVICE)->stats.rx_packets, 2);
    CU_ASSERT_EQUAL(host_dev(c.t.rs[1], GRE_DEVICE)->stats.rx_dropped, 0);
    CU_ASSERT_EQUAL(host_net(c.t.rs[0])->socks->stats.csum_errors, 0);      /* UDP checksums good */
    CU_ASSERT_EQUAL(c.t.w.pool.in_use, 0);
    world_destroy(&c.t.w);
}

/* GRE with --tun-csum onto the fallback gre0, which has no icsum: ip_tunnel_rcv drops
 * every packet as a checksum-flag mismatch, an RX CRC error (seen on Debian's 6.1). The
 * checksum itself is good: a bad one would be counted as rx_dropped before. */
static void test_gre_csum_dropped_by_gre0(void)
{
    struct tun_case c;
    tun_case_init(&c, "6.x", "--tun-type gre --tun-csum", "--tun-type gre --tun-csum");
    send_df(&c, 4, 100);
    for (int i = 0; i < 2; i++) {
        struct net_device *gre = host_dev(c.t.rs[i], GRE_DEVICE);
        CU_ASSERT_EQUAL(c.echoed[i], 0);
        CU_ASSERT_EQUAL(gre->stats.rx_packets, 0);
        CU_ASSERT_EQUAL(gre->stats.rx_crc_errors, 2);
        CU_ASSERT_EQUAL(gre->stats.rx_errors, 2);
        CU_ASSERT_EQUAL(gre->stats.rx_dropped, 0);
    }
    CU_ASSERT_EQUAL(c.t.w.pool.in_use, 0);
    world_destroy(&c.t.w);
}

/* The largest datagram that passes is 1500 - 20 - the type's header: IPIP 1480,
 * GUE 1468 (UDP 8 + GUE 4), GRE 1476, GRE with checksum 1472. */
static void mtu_case(const char *opts, uint16_t mtu)
{
    struct tun_case c;
    tun_case_init(&c, "6.x", opts, opts);
    send_df(&c, 2, mtu);
    /* Checksummed GRE reaches the real servers and dies on gre0 (no icsum): it counts
     * as arrived all the same, for the director's MTU is what is measured here. */
    uint64_t crc = host_dev(c.t.rs[0], GRE_DEVICE)->stats.rx_crc_errors +
                   host_dev(c.t.rs[1], GRE_DEVICE)->stats.rx_crc_errors;
    CU_ASSERT_EQUAL(c.echoed[0] + c.echoed[1] + crc, 2);
    CU_ASSERT_EQUAL(c.frag_needed, 0);
    send_df(&c, 1, (uint16_t)(mtu + 1));
    CU_ASSERT_EQUAL(c.frag_needed, 1);
    CU_ASSERT_EQUAL(c.mtu, mtu);
    world_destroy(&c.t.w);
}

static void test_mtu_per_tunnel_type(void)
{
    mtu_case("--tun-type ipip", 1480);
    mtu_case("--tun-type gue --tun-port 6080", 1468);
    mtu_case("--tun-type gre", 1476);
    mtu_case("--tun-type gre --tun-csum", 1472);
}

/* 4.9 sends IPIP whatever the type: both arrive on tunl0, none as UDP or GRE (a
 * real server set up for GRE only would answer protocol unreachable). */
static void test_old_kernel_sends_ipip(void)
{
    struct tun_case c;
    tun_case_init(&c, "4.9", "--tun-type gue --tun-port 6080", "--tun-type gre");
    send_df(&c, 4, 100);
    CU_ASSERT_EQUAL(c.echoed[0] + c.echoed[1], 4);
    for (int i = 0; i < 2; i++) {
        CU_ASSERT_EQUAL(host_dev(c.t.rs[i], IPIP_DEVICE)->stats.rx_packets, 2);
        CU_ASSERT_EQUAL(host_dev(c.t.rs[i], GRE_DEVICE)->stats.rx_packets, 0);
        CU_ASSERT_EQUAL(host_net(c.t.rs[i])->socks->stats.udp_in, 2);   /* the inner ones */
    }
    world_destroy(&c.t.w);
}

/* ---- ICMP errors about the tunnel packets (ip_vs_in_icmp's tunnel case) ---------------- */

/* A router in front of the real servers whose next link is narrower: it refuses
 * every tunnel packet from the director with frag-needed (MTU 1300), as
 * ip_forward would, quoting the whole outer packet. */
static unsigned narrow_link(void *priv, struct sk_buff *skb, const struct nf_hook_state *st)
{
    unsigned *refused = priv;
    const struct iphdr *iph = ip_hdr(skb);
    if (iph->saddr != topo_ip("192.0.2.1") || iph->protocol == IPPROTO_ICMP)
        return NF_ACCEPT;
    (*refused)++;
    icmp_send(st->net, skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, 1300);
    return NF_DROP;
}

struct icmp_tun_case {
    struct tun_case c;
    struct nf_hook_ops ops[2];
    unsigned refused;
};

static void icmp_tun_init(struct icmp_tun_case *k, const char *era, const char *opts)
{
    tun_case_init(&k->c, era, opts, opts);
    k->refused = 0;
    for (int i = 0; i < 2; i++) {
        k->ops[i] = (struct nf_hook_ops){ .hook = narrow_link, .name = "narrow_link",
                                          .owner = "test", .priv = &k->refused,
                                          .pf = NFPROTO_IPV4, .hooknum = NF_INET_PRE_ROUTING,
                                          .priority = -500 };
        nf_register_net_hook(host_net(k->c.t.rs[i]), &k->ops[i]);
    }
}

/* 6.x: the director takes the error about its IPIP, GUE or GRE packet and tells
 * the client frag-needed with its route's MTU less the outer IP header (1500 - 20:
 * the dest's cached route, as the kernel reads it, not the 1300 reported); the
 * client's datagram never reached a server. */
static void icmp_tunnel_case(const char *era, const char *opts, unsigned told, uint16_t mtu)
{
    struct icmp_tun_case k;
    icmp_tun_init(&k, era, opts);
    send_df(&k.c, 2, 1000);
    CU_ASSERT_EQUAL(k.refused, 2);
    CU_ASSERT_EQUAL(k.c.echoed[0] + k.c.echoed[1], 0);
    CU_ASSERT_EQUAL(k.c.frag_needed, told);
    CU_ASSERT_EQUAL(k.c.mtu, mtu);
    CU_ASSERT_EQUAL(k.c.t.w.pool.in_use, 0);
    world_destroy(&k.c.t.w);
}

static void test_icmp_about_tunnel_told_to_client(void)
{
    icmp_tunnel_case("6.x", "--tun-type ipip", 2, 1480);
    icmp_tunnel_case("6.x", "--tun-type gue --tun-port 6080", 2, 1480);
    icmp_tunnel_case("6.x", "--tun-type gre --tun-csum", 2, 1480);
    icmp_tunnel_case("4.9", "", 2, 1480);           /* IPIP only, no dest check */
    /* 2.6.34's ip_vs_in_icmp looks only at TCP, UDP and SCTP inside: the error goes
     * to the director's own ICMP handling and the client hears nothing */
    icmp_tunnel_case("2.6.34", "", 0, 0);
}

/* A client without DF does not do path MTU discovery: nothing to tell it, and the
 * error is consumed all the same (NF_STOLEN). Another era's GUE is plain UDP: 4.9
 * sends IPIP whatever the type. */
static void test_icmp_about_tunnel_without_df(void)
{
    struct icmp_tun_case k;
    icmp_tun_init(&k, "6.x", "--tun-type gue --tun-port 6080");
    struct net *net = host_net(k.c.t.client);
    struct rtable *rt = ip_route_output(net, topo_ip(TOPO_VIP));
    struct ip4_spec ip = { .saddr = rt->prefsrc, .daddr = topo_ip(TOPO_VIP), .ttl = 64 };
    struct sk_buff *skb = skb_alloc(net_pool(net), net_now(net));
    CU_ASSERT_TRUE_FATAL(pkt_build_udp(skb, &ip, htons(40000), htons(53), 500));
    skb->dst = rt;
    const struct ipstats_mib *lvs = &host_net(k.c.t.lvs)->mib;
    uint64_t delivered = lvs->in_delivers;
    ip_local_out(net, skb);
    sim_run_until(&k.c.t.w.sim, k.c.t.w.sim.now + 1 * SEC);
    CU_ASSERT_EQUAL(k.refused, 1);
    CU_ASSERT_EQUAL(k.c.frag_needed, 0);
    CU_ASSERT_EQUAL(lvs->in_delivers, delivered);       /* stolen by IPVS, not delivered */
    CU_ASSERT_EQUAL(k.c.t.w.pool.in_use, 0);
    world_destroy(&k.c.t.w);
}

IPVSIM_SUITE(ipvs_tunnels)
{
    CU_pSuite s = CU_add_suite("ipvs_tunnels", NULL, NULL);
    ADD_TEST(s, test_gue_and_gre_delivered);
    ADD_TEST(s, test_gre_csum_dropped_by_gre0);
    ADD_TEST(s, test_mtu_per_tunnel_type);
    ADD_TEST(s, test_old_kernel_sends_ipip);
    ADD_TEST(s, test_icmp_about_tunnel_told_to_client);
    ADD_TEST(s, test_icmp_about_tunnel_without_df);
}
