/* What IPVS and the director's stack do differently per kernel era, end to end on
 * the LVS topology (tests/topo_lvs.h): 2.6.34's reply lookup for a local client,
 * the IP ids and DF bits of the packets the director builds itself (tunnel outer
 * headers, resets, ICMP errors), nat_icmp_send (SCTP ABORT, rs_table per era), and
 * 2.6.34's SCTP state machine. */
#include <string.h>
#include "model/ipv4/ip.h"
#include "model/ipvs/ip_vs.h"
#include "model/ipvs/ip_vs_conn.h"
#include "model/ipvs/ip_vs_ctl.h"
#include "model/ipvs/ip_vs_proto.h"
#include "model/ipv4/ipip.h"
#include "model/netfilter/core.h"
#include "model/ipv4/sock.h"
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

/* ==== item: 2.6.34's SCTP state machine ============================================ */

/* An SCTP packet's bytes: the common header, then one or two bare chunks (length 4). */
static uint32_t sctp_bytes(uint8_t *buf, uint8_t first, uint8_t second)
{
    memset(buf, 0, 64);
    buf[SCTP_HLEN] = first;
    buf[SCTP_HLEN + 3] = 4;                      /* length 4, big-endian */
    if (!second)
        return SCTP_HLEN + 4;
    buf[SCTP_HLEN + 4] = second;
    buf[SCTP_HLEN + 7] = 4;
    return SCTP_HLEN + 8;
}

static int old_step(int state, enum ip_vs_dir dir, uint8_t chunk)
{
    uint8_t buf[64];
    uint32_t len = sctp_bytes(buf, chunk, 0);
    return ip_vs_sctp_old_next_state(state, dir, buf, len);
}

/* A NAT association walks INIT_CLI, INIT_ACK_SER, COOKIE_ECHO_CLI, ESTABLISHED, and
 * on a client's shutdown SHUTDOWN_CLI, SHUTDOWN_ACK_SER, CLOSED. ERROR counts as
 * DATA. DR and TUN have no input-only table: the client's COOKIE-ECHO after its
 * INIT (no INIT-ACK seen) closes the entry. */
static void test_sctp_2_6_34_walk(void)
{
    static const struct { enum ip_vs_dir dir; uint8_t chunk; int want; } nat[] = {
        { IP_VS_DIR_INPUT, SCTP_CID_INIT, IP_VS_SCTP_OLD_S_INIT_CLI },
        { IP_VS_DIR_OUTPUT, SCTP_CID_INIT_ACK, IP_VS_SCTP_OLD_S_INIT_ACK_SER },
        { IP_VS_DIR_INPUT, SCTP_CID_COOKIE_ECHO, IP_VS_SCTP_OLD_S_ECHO_CLI },
        { IP_VS_DIR_OUTPUT, SCTP_CID_COOKIE_ACK, IP_VS_SCTP_OLD_S_ESTABLISHED },
        { IP_VS_DIR_INPUT, SCTP_CID_DATA, IP_VS_SCTP_OLD_S_ESTABLISHED },
        { IP_VS_DIR_OUTPUT, SCTP_CID_ERROR, IP_VS_SCTP_OLD_S_ESTABLISHED },
        { IP_VS_DIR_INPUT, SCTP_CID_SHUTDOWN, IP_VS_SCTP_OLD_S_SHUT_CLI },
        { IP_VS_DIR_OUTPUT, SCTP_CID_SHUTDOWN_ACK, IP_VS_SCTP_OLD_S_SHUT_ACK_SER },
        { IP_VS_DIR_INPUT, SCTP_CID_SHUTDOWN_COMPLETE, IP_VS_SCTP_OLD_S_CLOSED },
    };
    int st = IP_VS_SCTP_OLD_S_NONE;
    for (size_t i = 0; i < G_N_ELEMENTS(nat); i++) {
        st = old_step(st, nat[i].dir, nat[i].chunk);
        CU_ASSERT_EQUAL(st, nat[i].want);
    }
    st = old_step(IP_VS_SCTP_OLD_S_NONE, IP_VS_DIR_INPUT_ONLY, SCTP_CID_INIT);
    CU_ASSERT_EQUAL(st, IP_VS_SCTP_OLD_S_INIT_CLI);
    CU_ASSERT_EQUAL(old_step(st, IP_VS_DIR_INPUT_ONLY, SCTP_CID_COOKIE_ECHO),
                    IP_VS_SCTP_OLD_S_CLOSED);
    /* DATA with no state yet closes; an ABORT from either side closes. */
    CU_ASSERT_EQUAL(old_step(IP_VS_SCTP_OLD_S_NONE, IP_VS_DIR_INPUT, SCTP_CID_DATA),
                    IP_VS_SCTP_OLD_S_CLOSED);
    CU_ASSERT_EQUAL(old_step(IP_VS_SCTP_OLD_S_ESTABLISHED, IP_VS_DIR_OUTPUT, SCTP_CID_ABORT),
                    IP_VS_SCTP_OLD_S_CLOSED);
}

/* A COOKIE-ECHO bundled with an ABORT: the later kernels see the ABORT; 2.6.34
 * looks for it at the byte-swapped length (0x0400 here), past the packet, and takes
 * the COOKIE-ECHO. */
static void test_sctp_2_6_34_bundled_abort(void)
{
    uint8_t buf[64];
    uint32_t len = sctp_bytes(buf, SCTP_CID_COOKIE_ECHO, SCTP_CID_ABORT);
    CU_ASSERT_EQUAL(ip_vs_sctp_packet_event(buf, len), IP_VS_SCTP_ABORT);
    CU_ASSERT_EQUAL(ip_vs_sctp_old_next_state(IP_VS_SCTP_OLD_S_INIT_ACK_SER, IP_VS_DIR_INPUT, buf,
                                              len), IP_VS_SCTP_OLD_S_ECHO_CLI);
}

/* The era's names, timeouts and ESTABLISHED. */
static void test_sctp_2_6_34_names_timeouts(void)
{
    CU_ASSERT_STRING_EQUAL(ip_vs_sctp_state_name_era(true, IP_VS_SCTP_OLD_S_ESTABLISHED),
                           "ESTABISHED");
    CU_ASSERT_STRING_EQUAL(ip_vs_sctp_state_name_era(true, IP_VS_SCTP_OLD_S_ECHO_SER),
                           "COOKIE_ECHO_SER");
    CU_ASSERT_STRING_EQUAL(ip_vs_sctp_state_name_era(false, IP_VS_SCTP_S_ESTABLISHED),
                           "ESTABLISHED");
    CU_ASSERT_EQUAL(ip_vs_sctp_timeout_era(true, IP_VS_SCTP_OLD_S_NONE), 2);
    CU_ASSERT_EQUAL(ip_vs_sctp_timeout_era(true, IP_VS_SCTP_OLD_S_INIT_CLI), 60);
    CU_ASSERT_EQUAL(ip_vs_sctp_timeout_era(true, IP_VS_SCTP_OLD_S_ESTABLISHED), 900);
    CU_ASSERT_EQUAL(ip_vs_sctp_timeout_era(true, IP_VS_SCTP_OLD_S_CLOSED), 10);
    CU_ASSERT_EQUAL(ip_vs_sctp_timeout_era(false, IP_VS_SCTP_S_CLOSED), 61);
    CU_ASSERT_EQUAL(ip_vs_sctp_established_era(true), IP_VS_SCTP_OLD_S_ESTABLISHED);
    CU_ASSERT_EQUAL(ip_vs_sctp_established_era(false), IP_VS_SCTP_S_ESTABLISHED);
}

/* End to end on a 2.6.34 NAT director: the real server answers INIT and
 * COOKIE-ECHO; the connection ends ESTABLISHED ("ESTABISHED"), counted active. */
static void rs_sctp_answer(struct net *net, struct sk_buff *skb, void *ctx)
{
    const struct iphdr *iph = ip_hdr(skb);
    uint8_t chunk = skb->data[SCTP_HLEN];
    be16 sport, dport;
    memcpy(&dport, skb->data, 2);
    memcpy(&sport, skb->data + 2, 2);
    be32 to = iph->saddr, from = iph->daddr;
    consume_skb(net, skb);
    (*(int *)ctx)++;
    uint8_t answer = chunk == SCTP_CID_INIT ? SCTP_CID_INIT_ACK
                   : chunk == SCTP_CID_COOKIE_ECHO ? SCTP_CID_COOKIE_ACK : 0;
    if (!answer)
        return;
    struct sctp_chunk_spec c = { .type = answer, .body_len = answer == SCTP_CID_INIT_ACK ? 16 : 0 };
    struct sctp_spec sp = { .sport = sport, .dport = dport, .vtag = 1, .chunks = &c, .nchunks = 1 };
    struct ip4_spec ip = { .saddr = from, .daddr = to, .ttl = 64 };
    struct sk_buff *r = skb_alloc(net_pool(net), net_now(net));
    pkt_build_sctp(r, &ip, &sp, 0);
    r->dst = ip_route_output(net, to);
    ip_local_out(net, r);
}

static void client_sctp(struct topo_lvs *t, uint8_t chunk)
{
    struct net *net = host_net(t->client);
    struct sctp_chunk_spec c = { .type = chunk, .body_len = chunk == SCTP_CID_INIT ? 16 : 0 };
    struct sctp_spec sp = { .sport = htons(42000), .dport = htons(5060), .vtag = 1, .chunks = &c,
                            .nchunks = 1 };
    struct ip4_spec ip = { .saddr = topo_ip("10.0.1.2"), .daddr = topo_ip(TOPO_VIP), .ttl = 64 };
    struct sk_buff *skb = skb_alloc(net_pool(net), net_now(net));
    CU_ASSERT_TRUE_FATAL(pkt_build_sctp(skb, &ip, &sp, 0));
    skb->dst = ip_route_output(net, topo_ip(TOPO_VIP));
    ip_local_out(net, skb);
    sim_run_until(&t->w.sim, t->w.sim.now + 100 * MSEC);
}

static void test_sctp_2_6_34_nat_association(void)
{
    static const char *const cfg[] = {
        "-A --sctp-service 203.0.113.10:5060 -s rr",
        "-a --sctp-service 203.0.113.10:5060 -r 192.0.2.11:5060 -m", NULL,
    };
    struct topo_lvs t;
    topo_lvs_init(&t, TOPO_NAT, "2.6.34");
    topo_lvs_ipvsadm(&t, cfg);
    int rs_got = 0;
    sock_bind(host_net(t.rs[0]), IPPROTO_SCTP, 0, rs_sctp_answer, &rs_got);
    struct netns_ipvs *ipvs = ip_vs_net(host_net(t.lvs));
    client_sctp(&t, SCTP_CID_INIT);
    struct ip_vs_conn *cp = ip_vs_conn_in_get(ipvs, IPPROTO_SCTP, topo_ip("10.0.1.2"),
                                              htons(42000), topo_ip(TOPO_VIP), htons(5060));
    CU_ASSERT_PTR_NOT_NULL_FATAL(cp);
    CU_ASSERT_EQUAL(cp->state, IP_VS_SCTP_OLD_S_INIT_ACK_SER);
    client_sctp(&t, SCTP_CID_COOKIE_ECHO);
    CU_ASSERT_EQUAL(rs_got, 2);
    CU_ASSERT_EQUAL(cp->state, IP_VS_SCTP_OLD_S_ESTABLISHED);
    CU_ASSERT_EQUAL(cp->dest->activeconns, 1);
    world_destroy(&t.w);
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
    ADD_TEST(s, test_sctp_2_6_34_walk);
    ADD_TEST(s, test_sctp_2_6_34_bundled_abort);
    ADD_TEST(s, test_sctp_2_6_34_names_timeouts);
    ADD_TEST(s, test_sctp_2_6_34_nat_association);
}
