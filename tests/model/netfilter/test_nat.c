/* The NAT core across the topo3 router: DNAT that turns forwarding into local
 * delivery and back, SNAT and MASQUERADE at POST_ROUTING, DNAT of local output
 * (rerouted), ICMP errors translated, checksums after every rewrite, and how each
 * era orders and consults nat chains. The nat chains here are test hooks that call
 * nf_nat_setup_info, registered with nf_nat_ipv4_register_fn as a nat table's
 * chains are. */
#include <string.h>
#include "app/report/trace_text.h"
#include "model/ipv4/ip.h"
#include "model/net.h"
#include "model/netfilter/nf_conntrack_internal.h"
#include "model/ipv4/sock.h"
#include "sim/csum.h"
#include "sim/sim.h"
#include "tests/testutil.h"
#include "tests/topo.h"

/* ---- a nat chain with one rule ----------------------------------------------------- */

struct nat_rule {
    struct nf_hook_ops ops;
    uint8_t proto;                      /* match: 0 any */
    be32 daddr;                         /* match: 0 any */
    be16 dport;                         /* match: 0 any */
    bool bind;                          /* false: a chain that never binds */
    bool masquerade;
    enum nf_nat_manip_type manip;
    struct nf_nat_range range;
    int calls, binds;
};

static unsigned nat_rule_fn(void *priv, struct sk_buff *skb, const struct nf_hook_state *st)
{
    struct nat_rule *r = priv;
    r->calls++;
    const struct iphdr *iph = ip_hdr(skb);
    be16 dport;
    memcpy(&dport, (const uint8_t *)iph + ip_hdrlen(iph) + 2, 2);
    struct nf_conn *ct = nf_ct_get(skb, NULL);
    if (!r->bind || !ct || (r->proto && iph->protocol != r->proto) ||
        (r->daddr && iph->daddr != r->daddr) || (r->dport && dport != r->dport))
        return NF_ACCEPT;
    r->binds++;
    if (r->masquerade)
        return nf_nat_masquerade_ipv4(skb, st->hook, NULL, st->out);
    return nf_nat_setup_info(ct, &r->range, r->manip);
}

static void rule_init(struct nat_rule *r, const char *name, const char *owner, unsigned hook,
                      int prio)
{
    memset(r, 0, sizeof *r);
    r->ops = (struct nf_hook_ops){ nat_rule_fn, name, owner, r, NFPROTO_IPV4, hook, prio };
}

/* DNAT (or SNAT) to one address and port (port 0: keep it). */
static void rule_to(struct nat_rule *r, enum nf_nat_manip_type m, const char *addr, uint16_t port)
{
    r->bind = true;
    r->manip = m;
    r->range.flags = NF_NAT_RANGE_MAP_IPS | (port ? NF_NAT_RANGE_PROTO_SPECIFIED : 0);
    r->range.min_addr = r->range.max_addr = topo_ip(addr);
    r->range.min_proto = r->range.max_proto = port;
}

static void rule_match(struct nat_rule *r, uint8_t proto, const char *daddr, uint16_t dport)
{
    r->proto = proto;
    r->daddr = daddr ? topo_ip(daddr) : 0;
    r->dport = htons(dport);
}

/* ---- receivers that check what arrives --------------------------------------------- */

struct rx {
    int n;
    be32 saddr, daddr;
    be16 sport, dport;
    sum16 ip_check, l4_check;           /* 0 when valid */
    bool echo;                          /* answer UDP datagrams to their sender */
    /* ICMP errors: the quoted packet */
    be32 q_saddr, q_daddr;
    be16 q_sport, q_dport;
    sum16 q_ip_check, q_l4_check;
};

/* Verify the L4 checksum of a segment at data (len real bytes, the rest virtual
 * zeros) against its pseudo-header. */
static sum16 l4_check(be32 s, be32 d, uint8_t proto, const uint8_t *l4, uint32_t real,
                      uint32_t l4len)
{
    wsum sum = csum_partial(l4, real, 0);
    return proto == IPPROTO_ICMP ? csum_fold(sum) : csum_tcpudp_magic(s, d, l4len, proto, sum);
}

static void record_quote(struct rx *r, const uint8_t *icmp, uint32_t real)
{
    const struct iphdr *q = (const struct iphdr *)(icmp + sizeof(struct icmphdr));
    r->q_saddr = q->saddr;
    r->q_daddr = q->daddr;
    const uint8_t *ql4 = (const uint8_t *)q + ip_hdrlen(q);
    memcpy(&r->q_sport, ql4, 2);
    memcpy(&r->q_dport, ql4 + 2, 2);
    r->q_ip_check = ip_fast_csum(q, ip_hdrlen(q) / 4);
    /* The quoted UDP header is whole; its payload is virtual zeros. */
    uint32_t qlen = ntohs(q->tot_len) - ip_hdrlen(q);
    uint32_t have = real - (uint32_t)(ql4 - icmp);
    r->q_l4_check = l4_check(q->saddr, q->daddr, q->protocol, ql4, MIN(have, qlen), qlen);
}

static void udp_reply(struct net *net, const struct iphdr *iph, const struct udphdr *uh)
{
    struct rtable *rt = ip_route_output(net, iph->saddr);
    struct ip4_spec ip = { .saddr = iph->daddr, .daddr = iph->saddr, .id = htons(net->ip_id++) };
    struct sk_buff *skb = skb_alloc(net_pool(net), net_now(net));
    pkt_build_udp(skb, &ip, uh->dest, uh->source, 10);
    skb->dst = rt;
    ip_local_out(net, skb);
}

static void rx_fn(struct net *net, struct sk_buff *skb, void *ctx)
{
    struct rx *r = ctx;
    const struct iphdr *iph = ip_hdr(skb);
    r->n++;
    r->saddr = iph->saddr;
    r->daddr = iph->daddr;
    memcpy(&r->sport, skb->data, 2);
    memcpy(&r->dport, skb->data + 2, 2);
    r->ip_check = ip_fast_csum(iph, ip_hdrlen(iph) / 4);
    uint32_t l4len = ntohs(iph->tot_len) - ip_hdrlen(iph);
    r->l4_check = l4_check(iph->saddr, iph->daddr, iph->protocol, skb->data,
                           MIN(skb->len, l4len), l4len);
    if (iph->protocol == IPPROTO_ICMP && skb->data[0] == ICMP_DEST_UNREACH)
        record_quote(r, skb->data, MIN(skb->len, l4len));
    if (r->echo && iph->protocol == IPPROTO_UDP)
        udp_reply(net, iph, (const struct udphdr *)skb->data);
    consume_skb(net, skb);
}

static void setup(struct topo3 *t, const char *era)
{
    topo3_init(t);
    host_net(t->router)->prof = kernel_profile_find(era ? era : "6.x");
}

static void settle(struct topo3 *t)
{
    sim_run_until(&t->w.sim, t->w.sim.now + 10 * MSEC);
}

static int send_tcp_syn(struct host *h, const char *daddr, uint16_t sport, uint16_t dport)
{
    struct net *net = host_net(h);
    be32 d = topo_ip(daddr);
    struct rtable *rt = ip_route_output(net, d);
    struct ip4_spec ip = { .saddr = rt->prefsrc, .daddr = d, .id = htons(net->ip_id++) };
    struct tcp_spec tcp = { .sport = htons(sport), .dport = htons(dport), .seq = 1000,
                            .flags = TCPH_SYN, .window = 65535, .mss = 1460 };
    struct sk_buff *skb = skb_alloc(net_pool(net), net_now(net));
    pkt_build_tcp(skb, &ip, &tcp, 0);
    skb->dst = rt;
    return ip_local_out(net, skb);
}

/* 4.9's nat chains are hooks of their own: replies are only translated where some
 * nat chain is registered, so that era gets empty chains at the other points (as
 * an nft user had to create them). */
static void empty_chains_for_4_9(struct net *net, struct nat_rule empty[4])
{
    static const unsigned hooks[4] = { NF_INET_PRE_ROUTING, NF_INET_LOCAL_IN, NF_INET_LOCAL_OUT,
                                       NF_INET_POST_ROUTING };
    static const int prios[4] = { NF_IP_PRI_NAT_DST, NF_IP_PRI_NAT_SRC, NF_IP_PRI_NAT_DST,
                                  NF_IP_PRI_NAT_SRC };
    for (int i = 0; i < 4; i++) {
        rule_init(&empty[i], "empty", "test", hooks[i], prios[i] + 1);
        if (strcmp(net->prof->name, "4.9") == 0)
            CU_ASSERT_EQUAL(nf_nat_ipv4_register_fn(net, &empty[i].ops), 0);
    }
}

static const char *const ERAS[] = { "6.x", "5.10", "4.9", "2.6.34" };

/* ---- DNAT: forwarding into local delivery, local delivery into forwarding ---------- */

static void dnat_to_local(const char *era)
{
    struct topo3 t;
    setup(&t, era);
    struct net *rnet = host_net(t.router);
    struct nat_rule dnat, empty[4];
    rule_init(&dnat, "dnat", "test", NF_INET_PRE_ROUTING, NF_IP_PRI_NAT_DST);
    rule_match(&dnat, IPPROTO_UDP, "10.0.2.2", 53);
    rule_to(&dnat, NF_NAT_MANIP_DST, "10.0.1.1", 5353);
    CU_ASSERT_EQUAL(nf_nat_ipv4_register_fn(rnet, &dnat.ops), 0);
    empty_chains_for_4_9(rnet, empty);
    struct rx local = { .echo = true }, server = {0}, client = {0};
    sock_bind(rnet, IPPROTO_UDP, htons(5353), rx_fn, &local);
    sock_bind(host_net(t.server), IPPROTO_UDP, 0, rx_fn, &server);
    sock_bind(host_net(t.client), IPPROTO_UDP, htons(40000), rx_fn, &client);
    for (int i = 0; i < 3; i++) {
        topo_send_udp(t.client, "10.0.2.2", 40000, 53, 20, 64);
        settle(&t);
    }
    /* The router took the datagrams for itself, at the new address and port. */
    CU_ASSERT_EQUAL(local.n, 3);
    CU_ASSERT_EQUAL(server.n, 0);
    CU_ASSERT_EQUAL(rnet->mib.forw_datagrams, 0);
    CU_ASSERT_EQUAL(local.daddr, topo_ip("10.0.1.1"));
    CU_ASSERT_EQUAL(local.dport, htons(5353));
    CU_ASSERT_EQUAL(local.ip_check, 0);
    CU_ASSERT_EQUAL(local.l4_check, 0);
    /* Its answers left looking like the server's. */
    CU_ASSERT_EQUAL(client.n, 3);
    CU_ASSERT_EQUAL(client.saddr, topo_ip("10.0.2.2"));
    CU_ASSERT_EQUAL(client.sport, htons(53));
    CU_ASSERT_EQUAL(client.ip_check, 0);
    CU_ASSERT_EQUAL(client.l4_check, 0);
    /* Only the first packet consulted the chain. */
    CU_ASSERT_EQUAL(dnat.calls, 1);
    CU_ASSERT_EQUAL(nf_conntrack_count(rnet), 1);
    world_destroy(&t.w);
}

static void test_dnat_turns_forwarding_into_local_delivery(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(ERAS); i++)
        dnat_to_local(ERAS[i]);
}

static void dnat_to_forward(const char *era)
{
    struct topo3 t;
    setup(&t, era);
    struct net *rnet = host_net(t.router);
    struct nat_rule dnat, empty[4];
    rule_init(&dnat, "dnat", "test", NF_INET_PRE_ROUTING, NF_IP_PRI_NAT_DST);
    rule_match(&dnat, 0, "10.0.1.1", 80);
    rule_to(&dnat, NF_NAT_MANIP_DST, "10.0.2.2", 8080);
    CU_ASSERT_EQUAL(nf_nat_ipv4_register_fn(rnet, &dnat.ops), 0);
    empty_chains_for_4_9(rnet, empty);
    struct rx local = {0}, server = { .echo = true }, client = {0}, server_tcp = {0};
    sock_bind(rnet, IPPROTO_UDP, 0, rx_fn, &local);
    sock_bind(host_net(t.server), IPPROTO_UDP, htons(8080), rx_fn, &server);
    sock_bind(host_net(t.server), IPPROTO_TCP, htons(8080), rx_fn, &server_tcp);
    sock_bind(host_net(t.client), IPPROTO_UDP, htons(40000), rx_fn, &client);
    topo_send_udp(t.client, "10.0.1.1", 40000, 80, 20, 64);
    settle(&t);
    CU_ASSERT_EQUAL(local.n, 0);
    CU_ASSERT_EQUAL(server.n, 1);
    CU_ASSERT_EQUAL(server.saddr, topo_ip("10.0.1.2"));
    CU_ASSERT_EQUAL(server.daddr, topo_ip("10.0.2.2"));
    CU_ASSERT_EQUAL(server.dport, htons(8080));
    CU_ASSERT_EQUAL(server.ip_check, 0);
    CU_ASSERT_EQUAL(server.l4_check, 0);
    CU_ASSERT_EQUAL(client.n, 1);
    CU_ASSERT_EQUAL(client.saddr, topo_ip("10.0.1.1"));
    CU_ASSERT_EQUAL(client.sport, htons(80));
    CU_ASSERT_EQUAL(client.l4_check, 0);
    CU_ASSERT_EQUAL(rnet->mib.forw_datagrams, 2);
    /* TCP takes the same path, its checksum updated the same way. */
    send_tcp_syn(t.client, "10.0.1.1", 40001, 80);
    settle(&t);
    CU_ASSERT_EQUAL(server_tcp.n, 1);
    CU_ASSERT_EQUAL(server_tcp.dport, htons(8080));
    CU_ASSERT_EQUAL(server_tcp.ip_check, 0);
    CU_ASSERT_EQUAL(server_tcp.l4_check, 0);
    world_destroy(&t.w);
}

static void test_dnat_turns_local_delivery_into_forwarding(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(ERAS); i++)
        dnat_to_forward(ERAS[i]);
}

/* ---- SNAT, MASQUERADE ---------------------------------------------------------------- */

static void test_snat_at_post_routing(void)
{
    struct topo3 t;
    setup(&t, NULL);
    struct net *rnet = host_net(t.router);
    struct nat_rule snat;
    rule_init(&snat, "snat", "test", NF_INET_POST_ROUTING, NF_IP_PRI_NAT_SRC);
    rule_match(&snat, IPPROTO_UDP, "10.0.2.2", 0);
    rule_to(&snat, NF_NAT_MANIP_SRC, "10.0.2.1", 0);
    snat.range.flags |= NF_NAT_RANGE_PROTO_SPECIFIED;
    snat.range.min_proto = 20000;
    snat.range.max_proto = 20001;
    CU_ASSERT_EQUAL(nf_nat_ipv4_register_fn(rnet, &snat.ops), 0);
    struct rx server = { .echo = true }, client = {0};
    sock_bind(host_net(t.server), IPPROTO_UDP, htons(53), rx_fn, &server);
    sock_bind(host_net(t.client), IPPROTO_UDP, 0, rx_fn, &client);
    topo_send_udp(t.client, "10.0.2.2", 40000, 53, 20, 64);
    settle(&t);
    CU_ASSERT_EQUAL(server.n, 1);
    CU_ASSERT_EQUAL(server.saddr, topo_ip("10.0.2.1"));
    uint16_t first = ntohs(server.sport);
    CU_ASSERT(first == 20000 || first == 20001);
    CU_ASSERT_EQUAL(server.ip_check, 0);
    CU_ASSERT_EQUAL(server.l4_check, 0);
    CU_ASSERT_EQUAL(client.n, 1);
    CU_ASSERT_EQUAL(client.daddr, topo_ip("10.0.1.2"));
    CU_ASSERT_EQUAL(client.dport, htons(40000));
    CU_ASSERT_EQUAL(client.l4_check, 0);
    /* A second flow cannot take the same port: it gets the other one. */
    topo_send_udp(t.client, "10.0.2.2", 40001, 53, 20, 64);
    settle(&t);
    CU_ASSERT_EQUAL(server.n, 2);
    CU_ASSERT_EQUAL(ntohs(server.sport), first == 20000 ? 20001 : 20000);
    CU_ASSERT_EQUAL(client.dport, htons(40001));
    /* A third finds the range full: its entry clashes and the packet is dropped. */
    topo_send_udp(t.client, "10.0.2.2", 40002, 53, 20, 64);
    settle(&t);
    CU_ASSERT_EQUAL(server.n, 2);
    CU_ASSERT_EQUAL(rnet->ct->stat.insert_failed, 1);
    CU_ASSERT_EQUAL(nf_conntrack_count(rnet), 2);
    world_destroy(&t.w);
}

static void test_masquerade(void)
{
    struct topo3 t;
    setup(&t, NULL);
    struct net *rnet = host_net(t.router);
    struct nat_rule masq;
    rule_init(&masq, "masq", "test", NF_INET_POST_ROUTING, NF_IP_PRI_NAT_SRC);
    rule_match(&masq, 0, "10.0.2.2", 0);
    masq.bind = masq.masquerade = true;
    CU_ASSERT_EQUAL(nf_nat_ipv4_register_fn(rnet, &masq.ops), 0);
    struct rx server = { .echo = true }, client = {0};
    sock_bind(host_net(t.server), IPPROTO_UDP, htons(53), rx_fn, &server);
    sock_bind(host_net(t.client), IPPROTO_UDP, 0, rx_fn, &client);
    topo_send_udp(t.client, "10.0.2.2", 40000, 53, 20, 64);
    settle(&t);
    CU_ASSERT_EQUAL(server.saddr, topo_ip("10.0.2.1"));     /* eth1's address */
    CU_ASSERT_EQUAL(server.sport, htons(40000));            /* free: kept */
    CU_ASSERT_EQUAL(server.l4_check, 0);
    CU_ASSERT_EQUAL(client.n, 1);
    CU_ASSERT_EQUAL(client.daddr, topo_ip("10.0.1.2"));
    struct nf_conntrack_tuple tu = { topo_ip("10.0.1.2"), topo_ip("10.0.2.2"), htons(40000),
                                     htons(53), IPPROTO_UDP };
    struct nf_conn *ct = nf_conntrack_find(rnet, &tu, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ct);
    CU_ASSERT_EQUAL(ct->masq_index, host_dev(t.router, "eth1")->ifindex);
    CU_ASSERT_TRUE(nf_ct_status(ct) & IPS_SRC_NAT);
    world_destroy(&t.w);
}

/* ---- DNAT of local output ------------------------------------------------------------- */

static void test_dnat_at_local_out_reroutes(void)
{
    struct topo3 t;
    setup(&t, NULL);
    struct net *rnet = host_net(t.router);
    struct nat_rule dnat;
    rule_init(&dnat, "dnat_out", "test", NF_INET_LOCAL_OUT, NF_IP_PRI_NAT_DST);
    rule_match(&dnat, IPPROTO_UDP, "10.0.1.99", 53);
    rule_to(&dnat, NF_NAT_MANIP_DST, "10.0.2.2", 0);
    CU_ASSERT_EQUAL(nf_nat_ipv4_register_fn(rnet, &dnat.ops), 0);
    struct rx server = { .echo = true }, local = {0};
    sock_bind(host_net(t.server), IPPROTO_UDP, htons(53), rx_fn, &server);
    sock_bind(rnet, IPPROTO_UDP, htons(41000), rx_fn, &local);
    /* Routed out of eth0 towards 10.0.1.99, which does not exist: only the reroute
     * after the DNAT gets it to the server behind eth1. */
    CU_ASSERT_EQUAL(topo_send_udp(t.router, "10.0.1.99", 41000, 53, 20, 64), 0);
    settle(&t);
    CU_ASSERT_EQUAL(server.n, 1);
    CU_ASSERT_EQUAL(server.daddr, topo_ip("10.0.2.2"));
    CU_ASSERT_EQUAL(server.saddr, topo_ip("10.0.1.1"));
    CU_ASSERT_EQUAL(server.l4_check, 0);
    CU_ASSERT_EQUAL(local.n, 1);
    CU_ASSERT_EQUAL(local.saddr, topo_ip("10.0.1.99"));
    CU_ASSERT_EQUAL(local.l4_check, 0);
    CU_ASSERT_EQUAL(host_dev(t.router, "eth0")->stats.tx_packets, 0);
    world_destroy(&t.w);
}

/* ---- ICMP errors ------------------------------------------------------------------------- */

static void test_icmp_error_translated(void)
{
    struct topo3 t;
    setup(&t, NULL);
    struct net *rnet = host_net(t.router);
    struct nat_rule dnat;
    rule_init(&dnat, "dnat", "test", NF_INET_PRE_ROUTING, NF_IP_PRI_NAT_DST);
    rule_match(&dnat, IPPROTO_UDP, "10.0.1.1", 80);
    rule_to(&dnat, NF_NAT_MANIP_DST, "10.0.2.2", 9999);
    CU_ASSERT_EQUAL(nf_nat_ipv4_register_fn(rnet, &dnat.ops), 0);
    struct rx client = {0};
    sock_bind(host_net(t.client), IPPROTO_ICMP, 0, rx_fn, &client);
    /* Nobody listens on the server's 9999: it answers port unreachable, quoting the
     * datagram as it arrived (to 10.0.2.2:9999). The client must see an error from
     * the address it used, quoting what it sent. */
    topo_send_udp(t.client, "10.0.1.1", 40000, 80, 20, 64);
    settle(&t);
    CU_ASSERT_EQUAL_FATAL(client.n, 1);
    CU_ASSERT_EQUAL(client.saddr, topo_ip("10.0.1.1"));
    CU_ASSERT_EQUAL(client.ip_check, 0);
    CU_ASSERT_EQUAL(client.l4_check, 0);
    CU_ASSERT_EQUAL(client.q_saddr, topo_ip("10.0.1.2"));
    CU_ASSERT_EQUAL(client.q_daddr, topo_ip("10.0.1.1"));
    CU_ASSERT_EQUAL(client.q_sport, htons(40000));
    CU_ASSERT_EQUAL(client.q_dport, htons(80));
    CU_ASSERT_EQUAL(client.q_ip_check, 0);
    CU_ASSERT_EQUAL(client.q_l4_check, 0);
    world_destroy(&t.w);
}

/* ---- how eras order and consult nat chains --------------------------------------------- */

struct two_chains {
    struct topo3 t;
    struct nat_rule a, b, empty[4];
    struct rx s53, s1111, s2222;
};

/* Chains a (to port 1111) and b (to 2222) at PRE_ROUTING -100, a registered first
 * unless b_first; a binds unless a_passes. Returns the server port that got the
 * datagram. */
static uint16_t two_chains_run(struct two_chains *c, const char *era, bool b_first, bool a_passes)
{
    setup(&c->t, era);
    struct net *rnet = host_net(c->t.router);
    rule_init(&c->a, "chain_a", "test", NF_INET_PRE_ROUTING, NF_IP_PRI_NAT_DST);
    rule_init(&c->b, "chain_b", "test", NF_INET_PRE_ROUTING, NF_IP_PRI_NAT_DST);
    rule_to(&c->a, NF_NAT_MANIP_DST, "10.0.2.2", 1111);
    rule_to(&c->b, NF_NAT_MANIP_DST, "10.0.2.2", 2222);
    c->a.bind = !a_passes;
    nf_nat_ipv4_register_fn(rnet, b_first ? &c->b.ops : &c->a.ops);
    nf_nat_ipv4_register_fn(rnet, b_first ? &c->a.ops : &c->b.ops);
    memset(&c->s53, 0, sizeof c->s53);
    memset(&c->s1111, 0, sizeof c->s1111);
    memset(&c->s2222, 0, sizeof c->s2222);
    struct net *snet = host_net(c->t.server);
    sock_bind(snet, IPPROTO_UDP, htons(53), rx_fn, &c->s53);
    sock_bind(snet, IPPROTO_UDP, htons(1111), rx_fn, &c->s1111);
    sock_bind(snet, IPPROTO_UDP, htons(2222), rx_fn, &c->s2222);
    topo_send_udp(c->t.client, "10.0.2.2", 40000, 53, 20, 64);
    settle(&c->t);
    uint16_t port = c->s53.n ? 53 : c->s1111.n ? 1111 : c->s2222.n ? 2222 : 0;
    world_destroy(&c->t.w);
    return port;
}

static void test_equal_priority_chains_per_era(void)
{
    struct two_chains c;
    /* 6.x: the later registration runs first and binds; a is never asked. */
    CU_ASSERT_EQUAL(two_chains_run(&c, "6.x", false, false), 2222);
    CU_ASSERT_EQUAL(c.a.calls, 0);
    CU_ASSERT_EQUAL(c.b.calls, 1);
    /* 2.6.34 and 4.9: the first registration runs first and binds; b is never asked
     * (4.9 calls b's hook, which finds the connection bound). */
    CU_ASSERT_EQUAL(two_chains_run(&c, "2.6.34", false, false), 1111);
    CU_ASSERT_EQUAL(c.b.calls, 0);
    CU_ASSERT_EQUAL(two_chains_run(&c, "4.9", false, false), 1111);
    CU_ASSERT_EQUAL(c.b.calls, 0);
}

static void test_a_chain_that_does_not_bind(void)
{
    struct two_chains c;
    /* Inside the NAT core the walk goes on to the next chain. */
    CU_ASSERT_EQUAL(two_chains_run(&c, "6.x", true, true), 2222);
    CU_ASSERT_EQUAL(c.a.calls, 1);
    CU_ASSERT_EQUAL(two_chains_run(&c, "2.6.34", false, true), 2222);
    CU_ASSERT_EQUAL(c.a.calls, 1);
    /* 4.9: a's own hook null-binds the connection, so b never binds it. */
    CU_ASSERT_EQUAL(two_chains_run(&c, "4.9", false, true), 53);
    CU_ASSERT_EQUAL(c.a.calls, 1);
    CU_ASSERT_EQUAL(c.b.calls, 0);
}

/* "name:prio[owner]" at a hook point. */
static char *hooks_at(struct net *net, unsigned hook)
{
    GString *s = g_string_new(NULL);
    const struct nf_hook_entries *e = nf_hook_entries_of(net, hook);
    for (unsigned i = 0; i < e->num; i++)
        g_string_append_printf(s, "%s%s:%d[%s]", i ? " " : "", e->ops[i]->name,
                               e->ops[i]->priority, e->ops[i]->owner);
    return g_string_free(s, FALSE);
}

static void expect_hooks(struct net *net, unsigned hook, const char *want)
{
    char *got = hooks_at(net, hook);
    CU_ASSERT_STRING_EQUAL(got, want);
    if (strcmp(got, want) != 0)
        fprintf(stderr, "\n  %s: got \"%s\"\n  want \"%s\"\n", nf_hook_name(hook), got, want);
    g_free(got);
}

static struct net *era_host(struct world *w, const char *era)
{
    world_init(w, 1);
    struct host *h = host_new(w, "h");
    netdev_add_addr(host_add_dev(h, "eth0", 1500), topo_ip("10.0.0.1"), 24);
    return net_new(h, kernel_profile_find(era));
}

#define CT_PRE "ipv4_conntrack_defrag:-400[nf_defrag_ipv4] ipv4_conntrack_in:-200[nf_conntrack]"
#define CONFIRM "ipv4_confirm:2147483647[nf_conntrack]"

static void test_nat_hooks_modern(void)
{
    struct world w;
    struct net *net = era_host(&w, "6.x");
    struct nat_rule r;
    rule_init(&r, "chain", "test", NF_INET_PRE_ROUTING, -100);
    CU_ASSERT_EQUAL(nf_nat_ipv4_register_fn(net, &r.ops), 0);
    /* All four NAT core hooks come with the first chain; the chain is not a hook. */
    expect_hooks(net, NF_INET_PRE_ROUTING, CT_PRE " nf_nat_ipv4_pre_routing:-100[nf_nat]");
    expect_hooks(net, NF_INET_LOCAL_OUT, "ipv4_conntrack_defrag:-400[nf_defrag_ipv4] "
                 "ipv4_conntrack_local:-200[nf_conntrack] nf_nat_ipv4_local_fn:-100[nf_nat]");
    expect_hooks(net, NF_INET_POST_ROUTING, "nf_nat_ipv4_out:100[nf_nat] " CONFIRM);
    expect_hooks(net, NF_INET_LOCAL_IN, "nf_nat_ipv4_local_in:100[nf_nat] " CONFIRM);
    CU_ASSERT_EQUAL(nf_nat_ipv4_register_fn(net, &r.ops), -EEXIST);
    nf_nat_ipv4_unregister_fn(net, &r.ops);
    /* Lazy: with the last chain, NAT and (its only user gone) conntrack leave. */
    for (unsigned h = 0; h < NF_INET_NUMHOOKS; h++)
        CU_ASSERT_EQUAL(nf_hook_entries_of(net, h)->num, 0);
    world_destroy(&w);
}

/* 5.10.0 has the NAT core's first names at PRE_ROUTING and LOCAL_IN; 5.12 renamed
 * them ("netfilter: nf_nat: undo erroneous tcp edemux lookup"). */
static void test_nat_hooks_5_10(void)
{
    struct world w;
    struct net *net = era_host(&w, "5.10");
    struct nat_rule r;
    rule_init(&r, "chain", "test", NF_INET_PRE_ROUTING, -100);
    CU_ASSERT_EQUAL(nf_nat_ipv4_register_fn(net, &r.ops), 0);
    expect_hooks(net, NF_INET_PRE_ROUTING, CT_PRE " nf_nat_ipv4_in:-100[nf_nat]");
    expect_hooks(net, NF_INET_LOCAL_OUT, "ipv4_conntrack_defrag:-400[nf_defrag_ipv4] "
                 "ipv4_conntrack_local:-200[nf_conntrack] nf_nat_ipv4_local_fn:-100[nf_nat]");
    expect_hooks(net, NF_INET_POST_ROUTING, "nf_nat_ipv4_out:100[nf_nat] " CONFIRM);
    expect_hooks(net, NF_INET_LOCAL_IN, "nf_nat_ipv4_fn:100[nf_nat] " CONFIRM);
    nf_nat_ipv4_unregister_fn(net, &r.ops);
    world_destroy(&w);
}

static void test_nat_hooks_2_6_34(void)
{
    struct world w;
    struct net *net = era_host(&w, "2.6.34");
    struct nat_rule r, in;
    rule_init(&r, "chain", "iptable_nat", NF_INET_POST_ROUTING, 100);
    rule_init(&in, "input", "iptable_nat", NF_INET_LOCAL_IN, 100);
    CU_ASSERT_EQUAL(nf_nat_ipv4_register_fn(net, &in.ops), -EOPNOTSUPP);
    CU_ASSERT_EQUAL(nf_nat_ipv4_register_fn(net, &r.ops), 0);
    expect_hooks(net, NF_INET_PRE_ROUTING, CT_PRE " nf_nat_in:-100[nf_nat]");
    expect_hooks(net, NF_INET_POST_ROUTING, "nf_nat_out:100[nf_nat] " CONFIRM);
    expect_hooks(net, NF_INET_LOCAL_OUT, "ipv4_conntrack_defrag:-400[nf_defrag_ipv4] "
                 "ipv4_conntrack_local:-200[nf_conntrack] nf_nat_local_fn:-100[nf_nat]");
    expect_hooks(net, NF_INET_LOCAL_IN, "nf_nat_fn:100[nf_nat] " CONFIRM);
    nf_nat_ipv4_unregister_fn(net, &r.ops);
    /* Loaded once, kept. */
    CU_ASSERT_EQUAL(nf_hook_entries_of(net, NF_INET_PRE_ROUTING)->num, 3);
    world_destroy(&w);
}

static void test_nat_hooks_4_9(void)
{
    struct world w;
    struct net *net = era_host(&w, "4.9");
    struct nat_rule ipt, nft;
    rule_init(&ipt, "nat_prerouting", "iptable_nat", NF_INET_PRE_ROUTING, -100);
    rule_init(&nft, "nft_post", "test", NF_INET_POST_ROUTING, 90);
    CU_ASSERT_EQUAL(nf_nat_ipv4_register_fn(net, &ipt.ops), 0);
    CU_ASSERT_EQUAL(nf_nat_ipv4_register_fn(net, &nft.ops), 0);
    /* Each chain is a hook of its own, at its own priority. */
    expect_hooks(net, NF_INET_PRE_ROUTING, CT_PRE " iptable_nat_ipv4_in:-100[iptable_nat]");
    expect_hooks(net, NF_INET_POST_ROUTING, "nft_nat_ipv4_out:90[test] "
                 "ipv4_helper:300[nf_conntrack] " CONFIRM);
    expect_hooks(net, NF_INET_LOCAL_IN, "ipv4_helper:300[nf_conntrack] " CONFIRM);
    nf_nat_ipv4_unregister_fn(net, &ipt.ops);
    nf_nat_ipv4_unregister_fn(net, &nft.ops);
    expect_hooks(net, NF_INET_PRE_ROUTING, CT_PRE);
    world_destroy(&w);
}

/* 4.9 without a nat chain at POST_ROUTING: the reply of a DNATed flow is never
 * translated back (what nft users of that era ran into). */
static void test_4_9_needs_a_postrouting_chain(void)
{
    struct topo3 t;
    setup(&t, "4.9");
    struct nat_rule dnat;
    rule_init(&dnat, "dnat", "test", NF_INET_PRE_ROUTING, NF_IP_PRI_NAT_DST);
    rule_match(&dnat, IPPROTO_UDP, "10.0.1.1", 80);
    rule_to(&dnat, NF_NAT_MANIP_DST, "10.0.2.2", 8080);
    nf_nat_ipv4_register_fn(host_net(t.router), &dnat.ops);
    struct rx server = { .echo = true }, client = {0};
    sock_bind(host_net(t.server), IPPROTO_UDP, htons(8080), rx_fn, &server);
    sock_bind(host_net(t.client), IPPROTO_UDP, htons(40000), rx_fn, &client);
    topo_send_udp(t.client, "10.0.1.1", 40000, 80, 20, 64);
    settle(&t);
    CU_ASSERT_EQUAL(server.n, 1);
    CU_ASSERT_EQUAL(client.n, 1);
    CU_ASSERT_EQUAL(client.saddr, topo_ip("10.0.2.2"));     /* not 10.0.1.1 */
    world_destroy(&t.w);
}

/* ---- traces ---------------------------------------------------------------------------- */

static void test_nat_trace_notes(void)
{
    struct topo3 t;
    setup(&t, NULL);
    struct net *rnet = host_net(t.router);
    struct nat_rule dnat;
    rule_init(&dnat, "dnat", "test", NF_INET_PRE_ROUTING, NF_IP_PRI_NAT_DST);
    rule_match(&dnat, IPPROTO_UDP, "10.0.2.2", 53);
    rule_to(&dnat, NF_NAT_MANIP_DST, "10.0.1.1", 5353);
    nf_nat_ipv4_register_fn(rnet, &dnat.ops);
    struct rx local = {0};
    sock_bind(rnet, IPPROTO_UDP, htons(5353), rx_fn, &local);
    struct trace_text_sink ts;
    trace_text_sink_init(&ts);
    rnet->trace = &ts.sink;
    topo_send_udp(t.client, "10.0.2.2", 40000, 53, 20, 64);
    settle(&t);
    const char *txt = ts.text->str;
    CU_ASSERT_PTR_NOT_NULL(strstr(txt, "nf_nat_inet_fn: nat chain dnat (-100) [test]: ACCEPT, bound"));
    CU_ASSERT_PTR_NOT_NULL(strstr(txt, "nf_nat_setup_info: DNAT 10.0.2.2:53 -> 10.0.1.1:5353"));
    CU_ASSERT_PTR_NOT_NULL(strstr(txt, "nf_nat_setup_info: null binding (SNAT)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(txt, "PRE_ROUTING -100 nf_nat_ipv4_pre_routing [nf_nat] ACCEPT"));
    rnet->trace = NULL;
    trace_text_sink_free(&ts);
    world_destroy(&t.w);
}

IPVSIM_SUITE(nat)
{
    CU_pSuite s = CU_add_suite("nat", NULL, NULL);
    ADD_TEST(s, test_dnat_turns_forwarding_into_local_delivery);
    ADD_TEST(s, test_dnat_turns_local_delivery_into_forwarding);
    ADD_TEST(s, test_snat_at_post_routing);
    ADD_TEST(s, test_masquerade);
    ADD_TEST(s, test_dnat_at_local_out_reroutes);
    ADD_TEST(s, test_icmp_error_translated);
    ADD_TEST(s, test_equal_priority_chains_per_era);
    ADD_TEST(s, test_a_chain_that_does_not_bind);
    ADD_TEST(s, test_nat_hooks_modern);
    ADD_TEST(s, test_nat_hooks_5_10);
    ADD_TEST(s, test_nat_hooks_2_6_34);
    ADD_TEST(s, test_nat_hooks_4_9);
    ADD_TEST(s, test_4_9_needs_a_postrouting_chain);
    ADD_TEST(s, test_nat_trace_notes);
}
