/* What IPVS and the director's stack do differently per kernel era, end to end on
 * the LVS topology (tests/topo_lvs.h): 2.6.34's reply lookup for a local client,
 * the IP ids and DF bits of the packets the director builds itself (tunnel outer
 * headers, resets, ICMP errors), and nat_icmp_send (SCTP ABORT, rs_table per era). */
#include <string.h>
#include "model/ip.h"
#include "model/ipvs/ip_vs.h"
#include "model/ipvs/ip_vs_ctl.h"
#include "model/ipip.h"
#include "model/netfilter/core.h"
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

/* ==== item: IP ids and DF of what the director builds ============================= */

/* What a host receives of one IP protocol (to one address), read at PRE_ROUTING:
 * the DF bit and the id of each packet, in order. */
struct rec {
    uint8_t protocol;
    be32 daddr;                     /* 0: any */
    int n;
    bool df[16];
    uint16_t id[16];
    struct nf_hook_ops ops;
};

static unsigned rec_hook(void *priv, struct sk_buff *skb, const struct nf_hook_state *st)
{
    struct rec *r = priv;
    const struct iphdr *iph = (const struct iphdr *)skb->data;
    if (iph->protocol == r->protocol && (!r->daddr || iph->daddr == r->daddr) && r->n < 16) {
        r->df[r->n] = (ntohs(iph->frag_off) & IP_DF) != 0;
        r->id[r->n] = ntohs(iph->id);
        r->n++;
    }
    return NF_ACCEPT;
}

static void rec_attach(struct rec *r, struct host *h, uint8_t protocol)
{
    memset(r, 0, sizeof *r);
    r->protocol = protocol;
    r->ops = (struct nf_hook_ops){ .hook = rec_hook, .name = "rec", .owner = "test", .priv = r,
                                   .pf = NFPROTO_IPV4, .hooknum = NF_INET_PRE_ROUTING,
                                   .priority = -1000 };
    nf_register_net_hook(host_net(h), &r->ops);
}

/* n UDP datagrams client -> VIP:53 at once, with or without DF (inner ids 1, 2...). */
static void send_udp(struct topo_lvs *t, int n, bool df)
{
    struct net *net = host_net(t->client);
    for (int i = 0; i < n; i++) {
        struct rtable *rt = ip_route_output(net, topo_ip(TOPO_VIP));
        struct ip4_spec ip = { .saddr = rt->prefsrc, .daddr = topo_ip(TOPO_VIP), .ttl = 64,
                               .df = df, .id = htons((uint16_t)(i + 1)) };
        struct sk_buff *skb = skb_alloc(net_pool(net), net_now(net));
        CU_ASSERT_TRUE_FATAL(pkt_build_udp(skb, &ip, htons((uint16_t)(40000 + i)), htons(53), 20));
        skb->dst = rt;
        ip_local_out(net, skb);
    }
    sim_run_until(&t->w.sim, t->w.sim.now + 1 * SEC);
}

/* The outer headers rs1 receives from a one-dest TUN service. */
static void tun_outer(const char *era, const char *opts, int pmtu_disc, bool inner_df,
                      struct rec *r)
{
    struct topo_lvs t;
    topo_lvs_init(&t, TOPO_TUN, era);
    host_net(t.rs[0])->fou_gue_port = htons(6080);
    netdev_add_addr(host_add_dev(t.rs[0], GRE_DEVICE, 1476), topo_ip(TOPO_VIP), 32);
    char line[128];
    snprintf(line, sizeof line, "-a -u 203.0.113.10:53 -r 192.0.2.11 -i %s", opts);
    const char *const cfg[] = { "-A -u 203.0.113.10:53 -s rr", line, NULL };
    topo_lvs_ipvsadm(&t, cfg);
    ip_vs_net(host_net(t.lvs))->sysctl.pmtu_disc = pmtu_disc;
    uint8_t proto = strstr(opts, "gue") ? IPPROTO_UDP : strstr(opts, "gre") ? IPPROTO_GRE
                                                                            : IPPROTO_IPIP_;
    rec_attach(r, t.rs[0], proto);
    r->daddr = topo_ip("192.0.2.11");     /* the outer header, not the unwrapped packet */
    send_udp(&t, 3, inner_df);
    world_destroy(&t.w);
}

/* Three ids that count up by one from somewhere other than the inner ids 1, 2, 3. */
static bool counting(const struct rec *r)
{
    return r->n == 3 && r->id[1] == (uint16_t)(r->id[0] + 1) &&
           r->id[2] == (uint16_t)(r->id[1] + 1) && r->id[0] != 1;
}

/* 6.x (and 4.9): with pmtu_disc (the default) the outer header takes the inner DF
 * and, having no socket, id 0 on every packet; with pmtu_disc 0 no DF, and ids
 * from the host's generator, counting up from a seeded random start (the same on
 * every run). Without DF inside, no DF outside either way. GUE and GRE alike. */
static void test_tun_outer_df_and_id(void)
{
    static const char *const types[] = { "--tun-type ipip", "--tun-type gue --tun-port 6080",
                                         "--tun-type gre" };
    for (size_t i = 0; i < G_N_ELEMENTS(types); i++) {
        struct rec r, again;
        tun_outer("6.x", types[i], 1, true, &r);
        CU_ASSERT_EQUAL(r.n, 3);
        for (int k = 0; k < r.n; k++) {
            CU_ASSERT_TRUE(r.df[k]);
            CU_ASSERT_EQUAL(r.id[k], 0);
        }
        tun_outer("6.x", types[i], 0, true, &r);
        CU_ASSERT_TRUE(counting(&r));
        CU_ASSERT_FALSE(r.df[0] || r.df[1] || r.df[2]);
        tun_outer("6.x", types[i], 0, true, &again);
        CU_ASSERT_EQUAL(again.id[0], r.id[0]);             /* seeded: reproducible */
        tun_outer("6.x", types[i], 1, false, &r);
        CU_ASSERT_TRUE(counting(&r));
        CU_ASSERT_FALSE(r.df[0] || r.df[1] || r.df[2]);
    }
    struct rec r;
    tun_outer("4.9", "--tun-type ipip", 1, true, &r);
    CU_ASSERT_TRUE(r.n == 3 && r.df[0] && r.id[0] == 0 && r.id[2] == 0);
}

/* 2.6.34 has no pmtu_disc: the outer header copies the inner frag_off (DF and id 0
 * even with the sysctl set to 0); without DF the ids count up per destination. */
static void test_tun_outer_2_6_34(void)
{
    struct rec r;
    tun_outer("2.6.34", "", 0, true, &r);
    CU_ASSERT_EQUAL(r.n, 3);
    CU_ASSERT_TRUE(r.df[0] && r.df[1] && r.df[2]);
    CU_ASSERT_TRUE(r.id[0] == 0 && r.id[1] == 0 && r.id[2] == 0);
    tun_outer("2.6.34", "", 1, false, &r);
    CU_ASSERT_TRUE(counting(&r));
    CU_ASSERT_FALSE(r.df[0] || r.df[1] || r.df[2]);
}

/* The director's own RST (a SYN to a VIP port no service has) goes out through the
 * TCP control socket: DF set and id 0, in every era. */
static void test_director_rst_df_id0(void)
{
    static const char *const eras[] = { "2.6.34", "4.9", "6.x" };
    static const char *const cfg[] = {
        "-A -u 203.0.113.10:53 -s rr", "-a -u 203.0.113.10:53 -r 192.0.2.11:53 -m", NULL,
    };
    for (size_t i = 0; i < G_N_ELEMENTS(eras); i++) {
        struct topo_lvs t;
        topo_lvs_init(&t, TOPO_NAT, eras[i]);
        topo_lvs_ipvsadm(&t, cfg);
        struct rec r;
        rec_attach(&r, t.client, IPPROTO_TCP);
        struct net *c = host_net(t.client);
        send_tcp_from(c, topo_ip("10.0.1.2"), topo_ip(TOPO_VIP), htons(41000), htons(81), TCPH_SYN);
        sim_run_until(&t.w.sim, 1 * SEC);
        CU_ASSERT_EQUAL(r.n, 1);
        CU_ASSERT_TRUE(r.df[0]);
        CU_ASSERT_EQUAL(r.id[0], 0);
        world_destroy(&t.w);
    }
}

/* ICMP errors come from a socket without path MTU discovery: no DF, and ids from
 * the generator (consecutive for two errors to one peer within a jiffy), in both
 * generator eras. */
static void test_icmp_error_ids(void)
{
    static const char *const eras[] = { "2.6.34", "6.x" };
    for (size_t i = 0; i < G_N_ELEMENTS(eras); i++) {
        struct topo_lvs t;
        topo_lvs_init(&t, TOPO_NAT, eras[i]);
        struct rec r;
        rec_attach(&r, t.client, IPPROTO_ICMP);
        topo_send_udp(t.client, "192.0.2.1", 40000, 9999, 20, 64);
        topo_send_udp(t.client, "192.0.2.1", 40001, 9999, 20, 64);
        sim_run_until(&t.w.sim, 1 * SEC);
        CU_ASSERT_EQUAL(r.n, 2);
        CU_ASSERT_FALSE(r.df[0] || r.df[1]);
        CU_ASSERT_EQUAL(r.id[1], (uint16_t)(r.id[0] + 1));
        CU_ASSERT_NOT_EQUAL(r.id[0], 1);    /* not the old host-wide counter from 1 */
        world_destroy(&t.w);
    }
}

/* ==== item: nat_icmp_send ========================================================== */

/* A packet rs1 sends towards the client from port 53 with no connection behind
 * it; returns how many ICMP errors rs1 heard (nat_icmp_send on). edit_to_dr: the
 * dest, made NAT, is edited to DR first. */
static uint64_t nat_icmp_case(const char *era, uint8_t proto, uint8_t chunk, bool edit_to_dr)
{
    const char *const cfg[] = {
        proto == IPPROTO_SCTP ? "-A --sctp-service 203.0.113.10:53 -s rr" : "-A -u 203.0.113.10:53 -s rr",
        proto == IPPROTO_SCTP ? "-a --sctp-service 203.0.113.10:53 -r 192.0.2.11:53 -m"
                              : "-a -u 203.0.113.10:53 -r 192.0.2.11:53 -m",
        NULL,
    };
    struct topo_lvs t;
    topo_lvs_init(&t, TOPO_NAT, era);
    topo_lvs_ipvsadm(&t, cfg);
    if (edit_to_dr) {
        const char *const edit[] = { "-e -u 203.0.113.10:53 -r 192.0.2.11 -g", NULL };
        topo_lvs_ipvsadm(&t, edit);
    }
    ip_vs_net(host_net(t.lvs))->sysctl.nat_icmp_send = 1;
    struct seen sink;
    memset(&sink, 0, sizeof sink);
    /* The client takes what passes, so that only the director could answer. */
    sock_bind(host_net(t.client), IPPROTO_UDP, htons(40000), local_rx, &sink);
    struct net *rs = host_net(t.rs[0]);
    struct ip4_spec ip = { .saddr = topo_ip("192.0.2.11"), .daddr = topo_ip("10.0.1.2"), .ttl = 64 };
    struct sk_buff *skb = skb_alloc(net_pool(rs), 0);
    if (proto == IPPROTO_SCTP) {
        struct sctp_chunk_spec c = { .type = chunk };
        struct sctp_spec sp = { .sport = htons(53), .dport = htons(40000), .vtag = 1,
                                .chunks = &c, .nchunks = 1 };
        CU_ASSERT_TRUE_FATAL(pkt_build_sctp(skb, &ip, &sp, 0));
    } else {
        CU_ASSERT_TRUE_FATAL(pkt_build_udp(skb, &ip, htons(53), htons(40000), 10));
    }
    skb->dst = ip_route_output(rs, topo_ip("10.0.1.2"));
    ip_local_out(rs, skb);
    sim_run_until(&t.w.sim, 1 * SEC);
    uint64_t heard = rs->socks->stats.icmp_in;
    world_destroy(&t.w);
    return heard;
}

/* Never for an SCTP ABORT (is_sctp_abort), as never for a TCP RST; other chunks are
 * answered. In every era. */
static void test_nat_icmp_send_sctp_abort(void)
{
    static const char *const eras[] = { "2.6.34", "6.x" };
    for (size_t i = 0; i < G_N_ELEMENTS(eras); i++) {
        CU_ASSERT_EQUAL(nat_icmp_case(eras[i], IPPROTO_SCTP, SCTP_CID_DATA, false), 1);
        CU_ASSERT_EQUAL(nat_icmp_case(eras[i], IPPROTO_SCTP, SCTP_CID_ABORT, false), 0);
    }
}

/* A NAT dest edited to DR: 2.6.34 and 4.9 keep it in rs_table (hashed when NAT,
 * unhashed only on deletion), so nat_icmp_send still answers for it; 5.10 and 6.x
 * check the method at lookup time and do not. */
static void test_nat_icmp_send_after_edit(void)
{
    CU_ASSERT_EQUAL(nat_icmp_case("2.6.34", IPPROTO_UDP, 0, false), 1);
    CU_ASSERT_EQUAL(nat_icmp_case("2.6.34", IPPROTO_UDP, 0, true), 1);
    CU_ASSERT_EQUAL(nat_icmp_case("4.9", IPPROTO_UDP, 0, true), 1);
    CU_ASSERT_EQUAL(nat_icmp_case("5.10", IPPROTO_UDP, 0, true), 0);
    CU_ASSERT_EQUAL(nat_icmp_case("6.x", IPPROTO_UDP, 0, true), 0);
}

IPVSIM_SUITE(ipvs_eras)
{
    CU_pSuite s = CU_add_suite("ipvs_eras", NULL, NULL);
    ADD_TEST(s, test_local_client_reply);
    ADD_TEST(s, test_tun_outer_df_and_id);
    ADD_TEST(s, test_tun_outer_2_6_34);
    ADD_TEST(s, test_director_rst_df_id0);
    ADD_TEST(s, test_icmp_error_ids);
    ADD_TEST(s, test_nat_icmp_send_sctp_abort);
    ADD_TEST(s, test_nat_icmp_send_after_edit);
}
