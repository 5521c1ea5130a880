/* The protocol ops of conntrack and the NAT core: which tracker (and NAT part)
 * each protocol gets, with the generic / unknown one for the rest as in the
 * kernel; tuples from headers, tuple inversion and NAT ranges per protocol. */
#include <string.h>
#include "app/report/trace_text.h"
#include "model/ipv4/ip.h"
#include "model/ipv4/route.h"
#include "model/ipv4/sock.h"
#include "model/net.h"
#include "model/netfilter/nf_conntrack_internal.h"
#include "model/netfilter/nf_nat_l4proto.h"
#include "sim/sim.h"
#include "tests/testutil.h"
#include "tests/topo.h"

static void test_l4proto_find_known(void)
{
    CU_ASSERT_PTR_EQUAL(nf_ct_l4proto_find(IPPROTO_TCP), &nf_conntrack_l4proto_tcp);
    CU_ASSERT_PTR_EQUAL(nf_ct_l4proto_find(IPPROTO_UDP), &nf_conntrack_l4proto_udp);
    CU_ASSERT_PTR_EQUAL(nf_ct_l4proto_find(IPPROTO_ICMP), &nf_conntrack_l4proto_icmp);
    CU_ASSERT_EQUAL(nf_conntrack_l4proto_tcp.l4proto, IPPROTO_TCP);
    CU_ASSERT_EQUAL(nf_conntrack_l4proto_udp.l4proto, IPPROTO_UDP);
    CU_ASSERT_EQUAL(nf_conntrack_l4proto_icmp.l4proto, IPPROTO_ICMP);
    /* Only TCP checks its header before the lookup, only ICMP has errors about
     * other entries; only TCP has a state of its own to show. */
    CU_ASSERT_PTR_NOT_NULL(nf_conntrack_l4proto_tcp.error);
    CU_ASSERT_PTR_NOT_NULL(nf_conntrack_l4proto_icmp.error);
    CU_ASSERT_PTR_NULL(nf_conntrack_l4proto_udp.error);
    CU_ASSERT_PTR_NOT_NULL(nf_conntrack_l4proto_tcp.print_conntrack);
    CU_ASSERT_PTR_NULL(nf_conntrack_l4proto_udp.print_conntrack);
    /* Port pairs, shown as ADDR:PORT in traces. */
    CU_ASSERT_TRUE(nf_ct_l4proto_has_ports(&nf_conntrack_l4proto_tcp));
    CU_ASSERT_TRUE(nf_ct_l4proto_has_ports(&nf_conntrack_l4proto_udp));
    CU_ASSERT_FALSE(nf_ct_l4proto_has_ports(&nf_conntrack_l4proto_icmp));
    CU_ASSERT_FALSE(nf_ct_l4proto_has_ports(&nf_conntrack_l4proto_generic));
}

/* Every protocol without a tracker of its own (SCTP included: the model does not
 * track it) falls back to the generic one, numbered 255 as the kernel's. */
static void test_l4proto_find_unknown_is_generic(void)
{
    const uint8_t others[] = { 0, IPPROTO_IPIP, IPPROTO_GRE, IPPROTO_SCTP, 200, 255 };
    for (size_t i = 0; i < sizeof others; i++)
        CU_ASSERT_PTR_EQUAL(nf_ct_l4proto_find(others[i]), &nf_conntrack_l4proto_generic);
    CU_ASSERT_EQUAL(nf_conntrack_l4proto_generic.l4proto, 255);
    CU_ASSERT_PTR_NULL(nf_conntrack_l4proto_generic.error);
    for (unsigned p = 0; p < 256; p++) {
        const struct nf_conntrack_l4proto *l4 = nf_ct_l4proto_find((uint8_t)p);
        CU_ASSERT_PTR_NOT_NULL_FATAL(l4);
        CU_ASSERT_PTR_NOT_NULL(l4->pkt_to_tuple);
        CU_ASSERT_PTR_NOT_NULL(l4->invert_tuple);
        CU_ASSERT_PTR_NOT_NULL(l4->packet);
        CU_ASSERT_PTR_NOT_NULL(l4->print_tuple);
    }
}

static void test_nat_l4proto_find(void)
{
    CU_ASSERT_PTR_EQUAL(__nf_nat_l4proto_find(IPPROTO_TCP), &nf_nat_l4proto_tcp);
    CU_ASSERT_PTR_EQUAL(__nf_nat_l4proto_find(IPPROTO_UDP), &nf_nat_l4proto_udp);
    CU_ASSERT_PTR_EQUAL(__nf_nat_l4proto_find(IPPROTO_ICMP), &nf_nat_l4proto_icmp);
    CU_ASSERT_PTR_EQUAL(__nf_nat_l4proto_find(IPPROTO_SCTP), &nf_nat_l4proto_unknown);
    CU_ASSERT_PTR_EQUAL(__nf_nat_l4proto_find(IPPROTO_GRE), &nf_nat_l4proto_unknown);
    CU_ASSERT_PTR_EQUAL(__nf_nat_l4proto_find(0), &nf_nat_l4proto_unknown);
}

/* ---- tuples ------------------------------------------------------------------------ */

static struct nf_conntrack_tuple tuple_of(uint8_t proto, be16 sport, be16 dport)
{
    return (struct nf_conntrack_tuple){ .src = htonl(0x0a000102), .dst = htonl(0x0a000202),
                                        .sport = sport, .dport = dport, .protonum = proto };
}

/* Inverting twice gives the tuple back. */
static void assert_round_trip(const struct nf_conntrack_tuple *t)
{
    struct nf_conntrack_tuple inv, back;
    CU_ASSERT_TRUE_FATAL(nf_ct_invert_tuple(&inv, t));
    CU_ASSERT_TRUE_FATAL(nf_ct_invert_tuple(&back, &inv));
    CU_ASSERT_TRUE(nf_ct_tuple_equal(&back, t));
}

static void test_invert_ports(void)
{
    const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP };
    for (size_t i = 0; i < sizeof protos; i++) {
        struct nf_conntrack_tuple t = tuple_of(protos[i], htons(40000), htons(80)), inv;
        CU_ASSERT_TRUE(nf_ct_invert_tuple(&inv, &t));
        CU_ASSERT_EQUAL(inv.src, t.dst);
        CU_ASSERT_EQUAL(inv.dst, t.src);
        CU_ASSERT_EQUAL(ntohs(inv.sport), 80);
        CU_ASSERT_EQUAL(ntohs(inv.dport), 40000);
        CU_ASSERT_EQUAL(inv.protonum, protos[i]);
        assert_round_trip(&t);
    }
}

static be16 icmp_key(uint8_t type, uint8_t code)
{
    return htons((uint16_t)(type << 8 | code));
}

/* Queries invert to their replies and back, the id unchanged; an error has no
 * reply (invmap of nf_conntrack_proto_icmp.c). */
static void test_invert_icmp(void)
{
    static const uint8_t pairs[][2] = { { 8, 0 }, { 13, 14 }, { 15, 16 }, { 17, 18 } };
    for (size_t i = 0; i < G_N_ELEMENTS(pairs); i++) {
        struct nf_conntrack_tuple t = tuple_of(IPPROTO_ICMP, htons(77), icmp_key(pairs[i][0], 0));
        struct nf_conntrack_tuple inv;
        CU_ASSERT_TRUE(nf_ct_invert_tuple(&inv, &t));
        CU_ASSERT_EQUAL(inv.dport, icmp_key(pairs[i][1], 0));
        CU_ASSERT_EQUAL(ntohs(inv.sport), 77);
        CU_ASSERT_EQUAL(inv.src, t.dst);
        assert_round_trip(&t);
    }
    struct nf_conntrack_tuple inv;
    struct nf_conntrack_tuple unreach = tuple_of(IPPROTO_ICMP, 0, icmp_key(ICMP_DEST_UNREACH, 3));
    CU_ASSERT_FALSE(nf_ct_invert_tuple(&inv, &unreach));
    struct nf_conntrack_tuple ttl = tuple_of(IPPROTO_ICMP, 0, icmp_key(ICMP_TIME_EXCEEDED, 0));
    CU_ASSERT_FALSE(nf_ct_invert_tuple(&inv, &ttl));
}

/* The generic tracker knows addresses only: whatever the tuple carried beyond
 * them is not part of the reply. */
static void test_invert_generic(void)
{
    struct nf_conntrack_tuple t = tuple_of(IPPROTO_SCTP, htons(5000), htons(6000)), inv;
    CU_ASSERT_TRUE(nf_ct_invert_tuple(&inv, &t));
    CU_ASSERT_EQUAL(inv.src, t.dst);
    CU_ASSERT_EQUAL(inv.dst, t.src);
    CU_ASSERT_EQUAL(inv.sport, 0);
    CU_ASSERT_EQUAL(inv.dport, 0);
    CU_ASSERT_EQUAL(inv.protonum, IPPROTO_SCTP);
}

/* An IPv4 header (20 bytes) for proto, then l4len bytes of l4. */
static uint32_t build_packet(uint8_t *buf, uint8_t proto, const uint8_t *l4, uint32_t l4len,
                             uint16_t frag_off)
{
    memset(buf, 0, 20);
    struct iphdr *iph = (struct iphdr *)buf;
    buf[0] = 0x45;
    iph->protocol = proto;
    iph->frag_off = htons(frag_off);
    iph->saddr = htonl(0x0a000102);
    iph->daddr = htonl(0x0a000202);
    if (l4len)
        memcpy(buf + 20, l4, l4len);
    return 20 + l4len;
}

static bool tuple_from(const uint8_t *pkt, uint32_t len, struct nf_conntrack_tuple *t)
{
    uint8_t protonum;
    int dataoff = ipv4_get_l4proto(pkt, len, &protonum);
    if (dataoff < 0)
        return false;
    return nf_ct_get_tuple(pkt, len, (unsigned)dataoff, nf_ct_l4proto_find(protonum), t);
}

static void test_pkt_to_tuple(void)
{
    uint8_t pkt[64];
    struct nf_conntrack_tuple t;
    const uint8_t ports[8] = { 0x9c, 0x40, 0x00, 0x50 };           /* 40000 -> 80 */
    uint32_t len = build_packet(pkt, IPPROTO_UDP, ports, 8, 0);
    CU_ASSERT_TRUE(tuple_from(pkt, len, &t));
    CU_ASSERT_EQUAL(ntohs(t.sport), 40000);
    CU_ASSERT_EQUAL(ntohs(t.dport), 80);
    CU_ASSERT_EQUAL(t.protonum, IPPROTO_UDP);
    CU_ASSERT_EQUAL(ntohl(t.src), 0x0a000102);
    /* Ports need 8 bytes (what an ICMP error quotes at least). */
    CU_ASSERT_FALSE(tuple_from(pkt, 20 + 7, &t));
    /* Echo request id 0x1234: id in sport, type and code in dport. */
    const uint8_t echo[8] = { 8, 0, 0, 0, 0x12, 0x34, 0, 1 };
    len = build_packet(pkt, IPPROTO_ICMP, echo, 8, 0);
    CU_ASSERT_TRUE(tuple_from(pkt, len, &t));
    CU_ASSERT_EQUAL(ntohs(t.sport), 0x1234);
    CU_ASSERT_EQUAL(t.dport, icmp_key(8, 0));
    /* The generic tracker needs nothing beyond the IP header. */
    len = build_packet(pkt, IPPROTO_GRE, NULL, 0, 0);
    CU_ASSERT_TRUE(tuple_from(pkt, len, &t));
    CU_ASSERT_EQUAL(t.sport, 0);
    CU_ASSERT_EQUAL(t.protonum, IPPROTO_GRE);
    /* A later fragment has no transport header: no tuple. */
    len = build_packet(pkt, IPPROTO_UDP, ports, 8, 185);
    CU_ASSERT_FALSE(tuple_from(pkt, len, &t));
}

/* ---- NAT ranges ------------------------------------------------------------------------ */

static void test_nat_in_range(void)
{
    struct nf_nat_range r = { .flags = NF_NAT_RANGE_PROTO_SPECIFIED,
                              .min_proto = 1000, .max_proto = 2000 };
    struct nf_conntrack_tuple t = tuple_of(IPPROTO_TCP, htons(1500), htons(80));
    /* Ports: the source port for SNAT, the destination port for DNAT. */
    CU_ASSERT_TRUE(nf_nat_l4proto_tcp.in_range(&t, NF_NAT_MANIP_SRC, &r));
    CU_ASSERT_FALSE(nf_nat_l4proto_tcp.in_range(&t, NF_NAT_MANIP_DST, &r));
    t.protonum = IPPROTO_UDP;
    CU_ASSERT_TRUE(nf_nat_l4proto_udp.in_range(&t, NF_NAT_MANIP_SRC, &r));
    CU_ASSERT_FALSE(nf_nat_l4proto_udp.in_range(&t, NF_NAT_MANIP_DST, &r));
    /* ICMP: the id, whichever the manip. */
    struct nf_conntrack_tuple q = tuple_of(IPPROTO_ICMP, htons(1999), icmp_key(8, 0));
    CU_ASSERT_TRUE(nf_nat_l4proto_icmp.in_range(&q, NF_NAT_MANIP_SRC, &r));
    CU_ASSERT_TRUE(nf_nat_l4proto_icmp.in_range(&q, NF_NAT_MANIP_DST, &r));
    q.sport = htons(2001);
    CU_ASSERT_FALSE(nf_nat_l4proto_icmp.in_range(&q, NF_NAT_MANIP_DST, &r));
    /* Nothing to range over: always in range. */
    struct nf_conntrack_tuple g = tuple_of(IPPROTO_GRE, 0, 0);
    CU_ASSERT_TRUE(nf_nat_l4proto_unknown.in_range(&g, NF_NAT_MANIP_SRC, &r));
}

/* ---- the trackers at work ---------------------------------------------------------------- */

static void sink(struct net *net, struct sk_buff *skb, void *ctx)
{
    consume_skb(net, skb);
}

static void send_tcp_flags(struct host *h, const char *daddr, uint16_t sport, uint16_t dport,
                           uint8_t flags)
{
    struct net *net = host_net(h);
    be32 d = topo_ip(daddr);
    struct rtable *rt = ip_route_output(net, d);
    struct ip4_spec ip = { .saddr = rt->prefsrc, .daddr = d, .id = htons(net->ip_id++) };
    struct tcp_spec tcp = { .sport = htons(sport), .dport = htons(dport), .seq = 1000,
                            .flags = flags, .window = 65535 };
    struct sk_buff *skb = skb_alloc(net_pool(net), net_now(net));
    CU_ASSERT_TRUE_FATAL(pkt_build_tcp(skb, &ip, &tcp, 0));
    skb->dst = rt;
    ip_local_out(net, skb);
}

/* Each packet reaches its own tracker through the one lookup in nf_conntrack_in:
 * TCP's error check refuses a FIN without ACK, TCP's state shows in the note,
 * UDP gets its unreplied timeout, and ICMP's error step finds the UDP entry a
 * port unreachable is about. */
static void test_trackers_in_nf_conntrack_in(void)
{
    struct topo3 t;
    topo3_init(&t);
    struct net *rnet = host_net(t.router);
    CU_ASSERT_EQUAL_FATAL(nf_ct_netns_get(rnet, NFPROTO_IPV4), 0);
    sock_bind(host_net(t.server), IPPROTO_TCP, 0, sink, NULL);
    sock_bind(host_net(t.client), IPPROTO_ICMP, 0, sink, NULL);
    struct trace_text_sink ts;
    trace_text_sink_init(&ts);
    rnet->trace = &ts.sink;
    send_tcp_flags(t.client, "10.0.2.2", 40001, 80, TCPH_FIN);
    send_tcp_flags(t.client, "10.0.2.2", 40002, 80, TCPH_SYN);
    topo_send_udp(t.client, "10.0.2.2", 40000, 9999, 20, 64);   /* no socket: unreachable */
    sim_run_until(&t.w.sim, t.w.sim.now + 10 * MSEC);
    const char *txt = ts.text->str;
    CU_ASSERT_PTR_NOT_NULL(strstr(txt, "nf_conntrack_in: INVALID: malformed for its protocol"));
    CU_ASSERT_PTR_NOT_NULL(strstr(txt, "nf_conntrack_in: NEW tcp 10.0.1.2:40002 -> 10.0.2.2:80 "
                                       "[NONE -> SYN_SENT]"));
    CU_ASSERT_PTR_NOT_NULL(strstr(txt, "nf_conntrack_in: NEW udp 10.0.1.2:40000 -> 10.0.2.2:9999\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(txt, "nf_conntrack_in: RELATED_REPLY (ICMP error) to udp "
                                       "10.0.1.2:40000 -> 10.0.2.2:9999\n"));
    CU_ASSERT_EQUAL(rnet->ct->stat.invalid, 1);
    struct nf_conntrack_tuple udp = { .src = topo_ip("10.0.1.2"), .dst = topo_ip("10.0.2.2"),
                                      .sport = htons(40000), .dport = htons(9999),
                                      .protonum = IPPROTO_UDP };
    struct nf_conn *ct = nf_conntrack_find(rnet, &udp, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ct);
    /* UDP's unreplied timeout (30 s), started a few milliseconds ago. */
    sim_time_t left = nf_ct_expires(ct) - net_now(rnet);
    CU_ASSERT(left > 29 * SEC && left < 30 * SEC);
    rnet->trace = NULL;
    trace_text_sink_free(&ts);
    world_destroy(&t.w);
}

IPVSIM_SUITE(nf_l4proto)
{
    CU_pSuite s = CU_add_suite("nf_l4proto", NULL, NULL);
    ADD_TEST(s, test_l4proto_find_known);
    ADD_TEST(s, test_l4proto_find_unknown_is_generic);
    ADD_TEST(s, test_nat_l4proto_find);
    ADD_TEST(s, test_invert_ports);
    ADD_TEST(s, test_invert_icmp);
    ADD_TEST(s, test_invert_generic);
    ADD_TEST(s, test_pkt_to_tuple);
    ADD_TEST(s, test_nat_in_range);
    ADD_TEST(s, test_trackers_in_nf_conntrack_in);
}
