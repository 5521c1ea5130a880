/* The IPv4 path: forwarding, local delivery, local output, with checks on the bytes. */
#include <string.h>
#include "model/ipv4/ip.h"
#include "model/net.h"
#include "model/ipv4/sock.h"
#include "sim/csum.h"
#include "tests/testutil.h"
#include "model/profile.h"
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

/* What a test socket saw of the last ICMP message. */
struct seen_icmp {
    int count;
    uint8_t type, code;
    be32 from;
    uint16_t quoted_len;            /* tot_len of the quoted header */
    uint32_t mtu;
    bool csum_ok;
};

static void record_icmp(struct net *net, struct sk_buff *skb, void *ctx)
{
    struct seen_icmp *s = ctx;
    const struct icmphdr *ic = (const struct icmphdr *)skb->data;
    const struct iphdr *quoted = (const struct iphdr *)(skb->data + sizeof *ic);
    s->count++;
    s->type = ic->type;
    s->code = ic->code;
    s->from = ip_hdr(skb)->saddr;
    s->quoted_len = ntohs(quoted->tot_len);
    s->mtu = ntohs(ic->un.frag.mtu);
    s->csum_ok = ip_fast_csum(ip_hdr(skb), 5) == 0;
    consume_skb(net, skb);
}

static void test_ttl_one_not_forwarded(void)
{
    struct topo3 t;
    topo3_init(&t);
    struct seen s = {0};
    struct seen_icmp e = {0};
    sock_bind(host_net(t.server), IPPROTO_UDP, htons(53), record_udp, &s);
    sock_bind(host_net(t.client), IPPROTO_ICMP, 0, record_icmp, &e);
    topo_send_udp(t.client, "10.0.2.2", 40000, 53, 10, 1);
    topo_send_udp(t.client, "10.0.2.2", 40001, 53, 10, 2);
    sim_run_until(&t.w.sim, 1 * SEC);
    CU_ASSERT_EQUAL(s.count, 1);                /* only the TTL 2 one, arriving with 1 */
    CU_ASSERT_EQUAL(s.ttl, 1);
    CU_ASSERT_EQUAL(host_net(t.router)->mib.in_hdr_errors, 1);
    /* The sender hears time exceeded from the router's address facing it. */
    CU_ASSERT_EQUAL(e.count, 1);
    CU_ASSERT_EQUAL(e.type, ICMP_TIME_EXCEEDED);
    CU_ASSERT_EQUAL(e.code, ICMP_EXC_TTL);
    CU_ASSERT_EQUAL(e.from, topo_ip("10.0.1.1"));
    CU_ASSERT_EQUAL(e.quoted_len, 20 + 8 + 10);
    CU_ASSERT_TRUE(e.csum_ok);
    CU_ASSERT_EQUAL(host_net(t.client)->socks->stats.csum_errors, 0);
    world_destroy(&t.w);
}

static void test_frag_needed_with_df(void)
{
    struct topo3 t;
    topo3_init(&t);
    struct seen_icmp e = {0};
    sock_bind(host_net(t.client), IPPROTO_ICMP, 0, record_icmp, &e);
    host_dev(t.router, "eth1")->mtu = 1000;
    /* 28 + 1200 bytes with DF set (topo_send_udp sets no DF: build it here). */
    struct net *net = host_net(t.client);
    struct rtable *rt = ip_route_output(net, topo_ip("10.0.2.2"));
    struct ip4_spec ip = { .saddr = rt->prefsrc, .daddr = topo_ip("10.0.2.2"), .ttl = 64, .df = true };
    struct sk_buff *skb = skb_alloc(net_pool(net), 0);
    CU_ASSERT_TRUE(pkt_build_udp(skb, &ip, htons(1), htons(2), 1200));
    skb->dst = rt;
    ip_local_out(net, skb);
    sim_run_until(&t.w.sim, 1 * SEC);
    CU_ASSERT_EQUAL(e.count, 1);
    CU_ASSERT_EQUAL(e.type, ICMP_DEST_UNREACH);
    CU_ASSERT_EQUAL(e.code, ICMP_FRAG_NEEDED);
    CU_ASSERT_EQUAL(e.mtu, 1000);
    CU_ASSERT_EQUAL(e.quoted_len, 1228);
    CU_ASSERT_EQUAL(host_net(t.client)->socks->stats.csum_errors, 0);
    CU_ASSERT_EQUAL(t.w.pool.in_use, 0);
    world_destroy(&t.w);
}

static void test_icmp_errors_rate_limited_per_peer(void)
{
    struct topo3 t;
    topo3_init(&t);
    struct seen_icmp e = {0};
    sock_bind(host_net(t.client), IPPROTO_ICMP, 0, record_icmp, &e);
    /* Ten expiring packets at once: a burst of 6 errors passes, then one per
     * second (icmp_ratelimit 1000 ms, burst factor 6). */
    for (int i = 0; i < 10; i++)
        topo_send_udp(t.client, "10.0.2.2", (uint16_t)(40000 + i), 53, 10, 1);
    sim_run_until(&t.w.sim, 1 * SEC);
    CU_ASSERT_EQUAL(e.count, 6);
    CU_ASSERT_EQUAL(host_net(t.router)->icmp.ratelimited, 4);
    world_destroy(&t.w);
}

/* The host-wide limit alone (the per-peer one off): errors sent for 100 expiring
 * packets at once, then for 100 more 100 ms later, under the router's era. */
static void global_limit_case(const char *era, unsigned *first, unsigned *second)
{
    struct topo3 t;
    topo3_init(&t);
    /* Only the ICMP code reads these fields, at each error: switching the profile of
     * the built router is enough here. */
    host_net(t.router)->prof = kernel_profile_find(era);
    host_net(t.router)->icmp.ratelimit_ms = 0;
    struct seen_icmp e = {0};
    sock_bind(host_net(t.client), IPPROTO_ICMP, 0, record_icmp, &e);
    for (int i = 0; i < 100; i++)
        topo_send_udp(t.client, "10.0.2.2", (uint16_t)(40000 + i), 53, 10, 1);
    sim_run_until(&t.w.sim, 100 * MSEC);
    *first = e.count;
    for (int i = 0; i < 100; i++)
        topo_send_udp(t.client, "10.0.2.2", (uint16_t)(41000 + i), 53, 10, 1);
    sim_run_until(&t.w.sim, 200 * MSEC);
    *second = e.count - *first;
    world_destroy(&t.w);
}

static void test_icmp_global_limit_per_era(void)
{
    unsigned a, b, a2, b2;
    global_limit_case("2.6.34", &a, &b);       /* no host-wide limit yet */
    CU_ASSERT_EQUAL(a, 100);
    CU_ASSERT_EQUAL(b, 100);
    global_limit_case("4.9", &a, &b);          /* burst 50, one credit each; 100 ms
                                                  refill 100 credits, capped at 50 */
    CU_ASSERT_EQUAL(a, 50);
    CU_ASSERT_EQUAL(b, 50);
    global_limit_case("6.x", &a, &b);          /* 0-2 credits each: 1 on average */
    CU_ASSERT_TRUE(a >= 35 && a <= 75 && a != 50);
    CU_ASSERT_TRUE(b >= 35 && b <= 75);
    global_limit_case("6.x", &a2, &b2);        /* the same seed, the same draws */
    CU_ASSERT_EQUAL(a, a2);
    CU_ASSERT_EQUAL(b, b2);
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

struct seen_tcp {
    int count;
    uint8_t flags;
    uint32_t seq, ack;
};

static void record_tcp(struct net *net, struct sk_buff *skb, void *ctx)
{
    struct seen_tcp *s = ctx;
    const struct tcphdr *th = (const struct tcphdr *)skb->data;
    s->count++;
    s->flags = th->flags;
    s->seq = ntohl(th->seq);
    s->ack = ntohl(th->ack_seq);
    consume_skb(net, skb);
}

static void send_syn(struct host *h, const char *daddr, uint16_t dport, uint32_t seq)
{
    struct net *net = host_net(h);
    struct rtable *rt = ip_route_output(net, topo_ip(daddr));
    struct ip4_spec ip = { .saddr = rt->prefsrc, .daddr = topo_ip(daddr), .ttl = 64 };
    struct tcp_spec tcp = { .sport = htons(40000), .dport = htons(dport), .seq = seq,
                            .flags = TCPH_SYN, .window = 1000 };
    struct sk_buff *skb = skb_alloc(net_pool(net), net_now(net));
    pkt_build_tcp(skb, &ip, &tcp, 0);
    skb->dst = rt;
    ip_local_out(net, skb);
}

static void test_closed_ports_answer(void)
{
    struct topo3 t;
    topo3_init(&t);
    struct seen_icmp e = {0};
    struct seen_tcp r = {0};
    sock_bind(host_net(t.client), IPPROTO_ICMP, 0, record_icmp, &e);
    sock_bind(host_net(t.client), IPPROTO_TCP, 0, record_tcp, &r);
    topo_send_udp(t.client, "10.0.2.2", 40000, 9999, 10, 64);
    send_syn(t.client, "10.0.2.2", 81, 5000);
    sim_run_until(&t.w.sim, 1 * SEC);
    CU_ASSERT_EQUAL(e.count, 1);                 /* UDP: port unreachable */
    CU_ASSERT_EQUAL(e.type, ICMP_DEST_UNREACH);
    CU_ASSERT_EQUAL(e.code, ICMP_PORT_UNREACH);
    CU_ASSERT_EQUAL(e.from, topo_ip("10.0.2.2"));
    CU_ASSERT_EQUAL(r.count, 1);                 /* TCP: RST|ACK acking the SYN */
    CU_ASSERT_EQUAL(r.flags, TCPH_RST | TCPH_ACK);
    CU_ASSERT_EQUAL(r.seq, 0);
    CU_ASSERT_EQUAL(r.ack, 5001);
    CU_ASSERT_EQUAL(host_net(t.client)->socks->stats.csum_errors, 0);
    CU_ASSERT_EQUAL(t.w.pool.in_use, 0);
    world_destroy(&t.w);
}

/* ip_rcv_core's counters: a bad checksum counts InCsumErrors and InHdrErrors; a
 * tot_len beyond the frame counts InTruncatedPkts only. */
static void test_rcv_core_counters(void)
{
    struct topo3 t;
    topo3_init(&t);
    struct net *r = host_net(t.router);
    struct net_device *eth0 = host_dev(t.router, "eth0");
    for (int k = 0; k < 2; k++) {
        struct sk_buff *skb = skb_alloc(&t.w.pool, 0);
        struct ip4_spec ip = { .saddr = topo_ip("10.0.1.2"), .daddr = topo_ip("10.0.1.1"), .ttl = 64 };
        pkt_build_udp(skb, &ip, htons(1), htons(2), 10);
        struct iphdr *iph = ip_hdr(skb);
        if (k == 0)
            iph->check ^= 0x1;                      /* corrupt the checksum */
        else {
            iph->tot_len = htons(ntohs(iph->tot_len) + 100);
            ip_send_check(iph);                     /* valid header, frame too short */
        }
        eth_push(skb, host_dev(t.client, "eth0")->dev_addr, eth0->dev_addr, ETH_P_IP);
        netif_receive_skb(t.router, eth0, skb);
    }
    CU_ASSERT_EQUAL(r->mib.in_csum_errors, 1);
    CU_ASSERT_EQUAL(r->mib.in_hdr_errors, 1);
    CU_ASSERT_EQUAL(r->mib.in_truncated_pkts, 1);
    CU_ASSERT_EQUAL(t.w.pool.in_use, 0);
    world_destroy(&t.w);
}

IPVSIM_SUITE(ipv4)
{
    CU_pSuite s = CU_add_suite("ipv4", NULL, NULL);
    ADD_TEST(s, test_forwarded_ttl_and_checksum);
    ADD_TEST(s, test_forwarding_off_drops);
    ADD_TEST(s, test_ttl_one_not_forwarded);
    ADD_TEST(s, test_frag_needed_with_df);
    ADD_TEST(s, test_icmp_errors_rate_limited_per_peer);
    ADD_TEST(s, test_icmp_global_limit_per_era);
    ADD_TEST(s, test_local_delivery_on_router);
    ADD_TEST(s, test_loopback_to_own_address);
    ADD_TEST(s, test_arrival_time_is_latency_plus_serialisation);
    ADD_TEST(s, test_no_socket_counted);
    ADD_TEST(s, test_closed_ports_answer);
    ADD_TEST(s, test_rcv_core_counters);
}
