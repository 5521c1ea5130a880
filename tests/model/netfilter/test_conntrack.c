/* Connection tracking across the topo3 router: ctinfo of each packet, TCP states
 * and timeouts through a whole connection, UDP, ICMP errors as RELATED,
 * confirmation, expiry by simulated time, and the hooks each era registers. */
#include <string.h>
#include "app/report/trace_text.h"
#include "model/ipv4/ip.h"
#include "model/net.h"
#include "model/netfilter/nf_conntrack_internal.h"
#include "model/ipv4/sock.h"
#include "sim/sim.h"
#include "tests/testutil.h"
#include "tests/topo.h"

/* ---- helpers --------------------------------------------------------------------- */

#define MAX_SEEN 32

/* What a recorder hook saw of each packet: conntrack's verdict on it. */
struct ct_seen {
    int n;
    enum ip_conntrack_info info[MAX_SEEN];
    const char *state[MAX_SEEN];
    struct nf_conn *ct[MAX_SEEN];
    enum tcp_conntrack tcp[MAX_SEEN];
    bool confirmed[MAX_SEEN];
    sim_time_t left[MAX_SEEN];      /* time until the entry expires */
    uint32_t status[MAX_SEEN];
};

static unsigned record_ct(void *priv, struct sk_buff *skb, const struct nf_hook_state *st)
{
    struct ct_seen *s = priv;
    if (s->n == MAX_SEEN)
        return NF_ACCEPT;
    int i = s->n++;
    struct nf_conn *ct = nf_ct_get(skb, &s->info[i]);
    s->state[i] = nf_ct_state_name(skb);
    s->ct[i] = ct;
    if (ct) {
        s->tcp[i] = nf_ct_tcp_state(ct);
        s->confirmed[i] = nf_ct_is_confirmed(ct);
        s->left[i] = nf_ct_expires(ct) - net_now(st->net);
        s->status[i] = nf_ct_status(ct);
    }
    return NF_ACCEPT;
}

static struct nf_hook_ops recorder(struct ct_seen *s, unsigned hook)
{
    return (struct nf_hook_ops){ .hook = record_ct, .name = "ct_recorder", .owner = "test",
                                 .priv = s, .pf = NFPROTO_IPV4, .hooknum = hook, .priority = 0 };
}

static void sink(struct net *net, struct sk_buff *skb, void *ctx)
{
    if (ctx)
        (*(int *)ctx)++;
    consume_skb(net, skb);
}

/* topo3 with conntrack loaded on the router (of the given era) and TCP, UDP and
 * ICMP swallowed on both ends. */
static void setup(struct topo3 *t, const char *era)
{
    topo3_init(t);
    if (era)
        host_net(t->router)->prof = kernel_profile_find(era);
    CU_ASSERT_EQUAL(nf_ct_netns_get(host_net(t->router), NFPROTO_IPV4), 0);
    struct host *ends[] = { t->client, t->server };
    for (int i = 0; i < 2; i++) {
        sock_bind(host_net(ends[i]), IPPROTO_TCP, 0, sink, NULL);
        sock_bind(host_net(ends[i]), IPPROTO_ICMP, 0, sink, NULL);
    }
}

static int send_tcp(struct host *h, const char *daddr, uint16_t sport, uint16_t dport,
                    uint8_t flags, uint32_t seq, uint32_t ack, uint32_t payload)
{
    struct net *net = host_net(h);
    be32 d = topo_ip(daddr);
    struct rtable *rt = ip_route_output(net, d);
    struct ip4_spec ip = { .saddr = rt->prefsrc, .daddr = d, .id = htons(net->ip_id++) };
    struct tcp_spec tcp = { .sport = htons(sport), .dport = htons(dport), .seq = seq, .ack = ack,
                            .flags = flags, .window = 65535 };
    struct sk_buff *skb = skb_alloc(net_pool(net), net_now(net));
    if (!pkt_build_tcp(skb, &ip, &tcp, payload)) {
        skb_free(net_pool(net), skb);
        return -1;
    }
    skb->dst = rt;
    return ip_local_out(net, skb);
}

/* Let everything in flight arrive (links add about a millisecond). */
static void settle(struct topo3 *t)
{
    sim_run_until(&t->w.sim, t->w.sim.now + 10 * MSEC);
}

static struct nf_conntrack_tuple tuple_of(const char *s, uint16_t sp, const char *d, uint16_t dp,
                                          uint8_t proto)
{
    return (struct nf_conntrack_tuple){ .src = topo_ip(s), .dst = topo_ip(d), .sport = htons(sp),
                                        .dport = htons(dp), .protonum = proto };
}

/* ---- TCP through a whole connection --------------------------------------------------- */

struct tcp_step {
    bool from_client;
    uint8_t flags;
    uint32_t seq, ack, len;
    enum ip_conntrack_info info;
    enum tcp_conntrack state;
    sim_time_t timeout;
};

static void run_tcp_steps(struct topo3 *t, struct ct_seen *s, const struct tcp_step *steps, int n)
{
    for (int i = 0; i < n; i++) {
        const struct tcp_step *st = &steps[i];
        int before = s->n;
        if (st->from_client)
            send_tcp(t->client, "10.0.2.2", 40000, 80, st->flags, st->seq, st->ack, st->len);
        else
            send_tcp(t->server, "10.0.1.2", 80, 40000, st->flags, st->seq, st->ack, st->len);
        settle(t);
        CU_ASSERT_EQUAL_FATAL(s->n, before + 1);
        CU_ASSERT_EQUAL(s->info[before], st->info);
        CU_ASSERT_EQUAL(s->tcp[before], st->state);
        CU_ASSERT_EQUAL(s->left[before], st->timeout);
    }
}

static const sim_time_t FIVE_DAYS = 5 * 24 * 3600 * SEC;

static void test_tcp_states_through_a_connection(void)
{
    struct topo3 t;
    setup(&t, NULL);
    struct ct_seen s = {0};
    struct nf_hook_ops rec = recorder(&s, NF_INET_FORWARD);
    nf_register_net_hook(host_net(t.router), &rec);
    const struct tcp_step steps[] = {
        { true, TCPH_SYN, 1000, 0, 0, IP_CT_NEW, TCP_CONNTRACK_SYN_SENT, 120 * SEC },
        { false, TCPH_SYN | TCPH_ACK, 5000, 1001, 0, IP_CT_ESTABLISHED_REPLY,
          TCP_CONNTRACK_SYN_RECV, 60 * SEC },
        { true, TCPH_ACK, 1001, 5001, 0, IP_CT_ESTABLISHED, TCP_CONNTRACK_ESTABLISHED, FIVE_DAYS },
        /* Data not yet acknowledged caps the timeout at 5 minutes. */
        { true, TCPH_ACK | TCPH_PSH, 1001, 5001, 100, IP_CT_ESTABLISHED,
          TCP_CONNTRACK_ESTABLISHED, 300 * SEC },
        { false, TCPH_ACK, 5001, 1101, 0, IP_CT_ESTABLISHED_REPLY, TCP_CONNTRACK_ESTABLISHED,
          FIVE_DAYS },
        { true, TCPH_FIN | TCPH_ACK, 1101, 5001, 0, IP_CT_ESTABLISHED, TCP_CONNTRACK_FIN_WAIT,
          120 * SEC },
        { false, TCPH_ACK, 5001, 1102, 0, IP_CT_ESTABLISHED_REPLY, TCP_CONNTRACK_CLOSE_WAIT,
          60 * SEC },
        { false, TCPH_FIN | TCPH_ACK, 5001, 1102, 0, IP_CT_ESTABLISHED_REPLY,
          TCP_CONNTRACK_LAST_ACK, 30 * SEC },
        { true, TCPH_ACK, 1102, 5002, 0, IP_CT_ESTABLISHED, TCP_CONNTRACK_TIME_WAIT, 120 * SEC },
    };
    run_tcp_steps(&t, &s, steps, (int)G_N_ELEMENTS(steps));
    /* The SYN's entry was unconfirmed at FORWARD; the one entry lived throughout. */
    CU_ASSERT_FALSE(s.confirmed[0]);
    CU_ASSERT_TRUE(s.confirmed[1]);
    for (int i = 1; i < s.n; i++)
        CU_ASSERT_PTR_EQUAL(s.ct[i], s.ct[0]);
    CU_ASSERT_FALSE(s.status[1] & IPS_ASSURED);
    CU_ASSERT_TRUE(s.status[2] & IPS_ASSURED);
    CU_ASSERT_EQUAL(nf_conntrack_count(host_net(t.router)), 1);
    /* TIME_WAIT's 2 minutes replace the 5 days the timer was first set for. */
    sim_run_until(&t.w.sim, t.w.sim.now + 119 * SEC);
    CU_ASSERT_EQUAL(nf_conntrack_count(host_net(t.router)), 1);
    sim_run_until(&t.w.sim, t.w.sim.now + 2 * SEC);
    CU_ASSERT_EQUAL(nf_conntrack_count(host_net(t.router)), 0);
    world_destroy(&t.w);
}

static void test_tcp_syn_reopens_time_wait(void)
{
    struct topo3 t;
    setup(&t, NULL);
    struct ct_seen s = {0};
    struct nf_hook_ops rec = recorder(&s, NF_INET_FORWARD);
    nf_register_net_hook(host_net(t.router), &rec);
    const struct tcp_step steps[] = {
        { true, TCPH_SYN, 1000, 0, 0, IP_CT_NEW, TCP_CONNTRACK_SYN_SENT, 120 * SEC },
        { false, TCPH_SYN | TCPH_ACK, 5000, 1001, 0, IP_CT_ESTABLISHED_REPLY,
          TCP_CONNTRACK_SYN_RECV, 60 * SEC },
        { true, TCPH_ACK, 1001, 5001, 0, IP_CT_ESTABLISHED, TCP_CONNTRACK_ESTABLISHED, FIVE_DAYS },
        { true, TCPH_FIN | TCPH_ACK, 1001, 5001, 0, IP_CT_ESTABLISHED, TCP_CONNTRACK_FIN_WAIT,
          120 * SEC },
        { false, TCPH_FIN | TCPH_ACK, 5001, 1002, 0, IP_CT_ESTABLISHED_REPLY,
          TCP_CONNTRACK_LAST_ACK, 30 * SEC },
        { true, TCPH_ACK, 1002, 5002, 0, IP_CT_ESTABLISHED, TCP_CONNTRACK_TIME_WAIT, 120 * SEC },
        /* The same ports again: the old entry goes, a new one starts. */
        { true, TCPH_SYN, 9000, 0, 0, IP_CT_NEW, TCP_CONNTRACK_SYN_SENT, 120 * SEC },
    };
    run_tcp_steps(&t, &s, steps, (int)G_N_ELEMENTS(steps));
    CU_ASSERT_EQUAL(nf_conntrack_count(host_net(t.router)), 1);
    CU_ASSERT_EQUAL(host_net(t.router)->ct->stat.killed, 1);
    world_destroy(&t.w);
}

static void test_tcp_reset_before_reply_kills(void)
{
    struct topo3 t;
    setup(&t, NULL);
    struct ct_seen s = {0};
    struct nf_hook_ops rec = recorder(&s, NF_INET_FORWARD);
    nf_register_net_hook(host_net(t.router), &rec);
    send_tcp(t.client, "10.0.2.2", 40000, 80, TCPH_SYN, 1000, 0, 0);
    settle(&t);
    CU_ASSERT_EQUAL(nf_conntrack_count(host_net(t.router)), 1);
    send_tcp(t.server, "10.0.1.2", 80, 40000, TCPH_RST | TCPH_ACK, 0, 1001, 0);
    settle(&t);
    /* The reset still carried its (now dying) entry through the router. */
    CU_ASSERT_EQUAL(s.n, 2);
    CU_ASSERT_EQUAL(s.info[1], IP_CT_ESTABLISHED_REPLY);
    CU_ASSERT_EQUAL(s.tcp[1], TCP_CONNTRACK_CLOSE);
    CU_ASSERT_EQUAL(nf_conntrack_count(host_net(t.router)), 0);
    world_destroy(&t.w);
}

static void test_tcp_invalid_and_pickup(void)
{
    struct topo3 t;
    setup(&t, NULL);
    struct ct_seen s = {0};
    struct nf_hook_ops rec = recorder(&s, NF_INET_FORWARD);
    nf_register_net_hook(host_net(t.router), &rec);
    /* A SYN/ACK nobody asked for, and a FIN without ACK: no entry. */
    send_tcp(t.server, "10.0.1.2", 80, 40000, TCPH_SYN | TCPH_ACK, 5000, 1001, 0);
    send_tcp(t.client, "10.0.2.2", 40001, 80, TCPH_FIN, 1000, 0, 0);
    settle(&t);
    CU_ASSERT_EQUAL(s.n, 2);
    CU_ASSERT_STRING_EQUAL(s.state[0], "INVALID");
    CU_ASSERT_STRING_EQUAL(s.state[1], "INVALID");
    CU_ASSERT_PTR_NULL(s.ct[0]);
    CU_ASSERT_EQUAL(nf_conntrack_count(host_net(t.router)), 0);
    /* A bare ACK is picked up mid-stream (nf_conntrack_tcp_loose=1), but without
     * an answer it gets 5 minutes, not 5 days. */
    send_tcp(t.client, "10.0.2.2", 40002, 80, TCPH_ACK, 1000, 7000, 0);
    settle(&t);
    CU_ASSERT_EQUAL(s.info[2], IP_CT_NEW);
    CU_ASSERT_EQUAL(s.tcp[2], TCP_CONNTRACK_ESTABLISHED);
    CU_ASSERT_EQUAL(s.left[2], 300 * SEC);
    CU_ASSERT_EQUAL(nf_conntrack_count(host_net(t.router)), 1);
    world_destroy(&t.w);
}

/* ---- UDP, ICMP ------------------------------------------------------------------------ */

static void test_udp_request_reply(void)
{
    struct topo3 t;
    setup(&t, NULL);
    struct ct_seen s = {0};
    struct nf_hook_ops rec = recorder(&s, NF_INET_FORWARD);
    nf_register_net_hook(host_net(t.router), &rec);
    int got = 0;
    sock_bind(host_net(t.server), IPPROTO_UDP, htons(53), sink, &got);
    sock_bind(host_net(t.client), IPPROTO_UDP, htons(40000), sink, &got);
    topo_send_udp(t.client, "10.0.2.2", 40000, 53, 20, 64);
    settle(&t);
    topo_send_udp(t.server, "10.0.1.2", 53, 40000, 20, 64);
    settle(&t);
    topo_send_udp(t.client, "10.0.2.2", 40000, 53, 20, 64);
    settle(&t);
    CU_ASSERT_EQUAL(got, 3);
    CU_ASSERT_EQUAL_FATAL(s.n, 3);
    CU_ASSERT_EQUAL(s.info[0], IP_CT_NEW);
    CU_ASSERT_EQUAL(s.info[1], IP_CT_ESTABLISHED_REPLY);
    CU_ASSERT_EQUAL(s.info[2], IP_CT_ESTABLISHED);
    CU_ASSERT_EQUAL(s.left[0], 30 * SEC);
    CU_ASSERT_EQUAL(s.left[1], 30 * SEC);          /* the first answer itself: still 30 s */
    CU_ASSERT_EQUAL(s.left[2], 120 * SEC);         /* then a stream */
    CU_ASSERT_FALSE(s.status[1] & IPS_ASSURED);
    CU_ASSERT_TRUE(s.status[2] & IPS_ASSURED);
    CU_ASSERT_TRUE(s.status[2] & IPS_SEEN_REPLY);
    enum ip_conntrack_dir dir;
    struct nf_conntrack_tuple rt = tuple_of("10.0.2.2", 53, "10.0.1.2", 40000, IPPROTO_UDP);
    CU_ASSERT_PTR_EQUAL(nf_conntrack_find(host_net(t.router), &rt, &dir), s.ct[0]);
    CU_ASSERT_EQUAL(dir, IP_CT_DIR_REPLY);
    world_destroy(&t.w);
}

/* Port unreachable from h to `to`, quoting a datagram from (qs:qsp) to (qd:qdp)
 * that never was. */
static void send_forged_error(struct host *h, const char *qs, uint16_t qsp, const char *qd,
                              uint16_t qdp)
{
    struct net *net = host_net(h);
    struct sk_buff *quote = skb_alloc(net_pool(net), net_now(net));
    struct ip4_spec qip = { .saddr = topo_ip(qs), .daddr = topo_ip(qd) };
    pkt_build_udp(quote, &qip, htons(qsp), htons(qdp), 0);
    struct rtable *rt = ip_route_output(net, topo_ip(qs));
    struct ip4_spec ip = { .saddr = rt->prefsrc, .daddr = topo_ip(qs), .id = htons(net->ip_id++) };
    struct sk_buff *skb = skb_alloc(net_pool(net), net_now(net));
    pkt_build_icmp(skb, &ip, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0, quote->data, quote->len);
    skb_free(net_pool(net), quote);
    skb->dst = rt;
    ip_local_out(net, skb);
}

static void test_icmp_error_is_related(void)
{
    struct topo3 t;
    setup(&t, NULL);
    struct ct_seen s = {0};
    struct nf_hook_ops rec = recorder(&s, NF_INET_FORWARD);
    nf_register_net_hook(host_net(t.router), &rec);
    /* No socket on port 9999: the server answers port unreachable. */
    topo_send_udp(t.client, "10.0.2.2", 40000, 9999, 20, 64);
    settle(&t);
    CU_ASSERT_EQUAL_FATAL(s.n, 2);
    CU_ASSERT_EQUAL(s.info[1], IP_CT_RELATED_REPLY);
    CU_ASSERT_STRING_EQUAL(s.state[1], "RELATED");
    CU_ASSERT_PTR_EQUAL(s.ct[1], s.ct[0]);
    CU_ASSERT_EQUAL(host_net(t.client)->socks->stats.icmp_in, 1);
    /* A flow the server starts: the client's error comes back as RELATED_REPLY. */
    topo_send_udp(t.server, "10.0.1.2", 41000, 9999, 20, 64);
    settle(&t);
    CU_ASSERT_EQUAL_FATAL(s.n, 4);
    CU_ASSERT_EQUAL(s.info[2], IP_CT_NEW);
    CU_ASSERT_EQUAL(s.info[3], IP_CT_RELATED_REPLY);
    /* An error about a flow the router never saw is INVALID. */
    send_forged_error(t.server, "10.0.1.2", 45000, "10.0.2.2", 53);
    settle(&t);
    CU_ASSERT_EQUAL_FATAL(s.n, 5);
    CU_ASSERT_STRING_EQUAL(s.state[4], "INVALID");
    world_destroy(&t.w);
}

static int send_icmp(struct host *h, const char *daddr, uint8_t type, uint16_t id)
{
    struct net *net = host_net(h);
    be32 d = topo_ip(daddr);
    struct rtable *rt = ip_route_output(net, d);
    struct ip4_spec ip = { .saddr = rt->prefsrc, .daddr = d, .id = htons(net->ip_id++) };
    struct sk_buff *skb = skb_alloc(net_pool(net), net_now(net));
    pkt_build_icmp(skb, &ip, type, 0, htonl((uint32_t)id << 16 | 1), NULL, 0);
    skb->dst = rt;
    return ip_local_out(net, skb);
}

static void test_icmp_echo(void)
{
    struct topo3 t;
    setup(&t, NULL);
    struct ct_seen s = {0};
    struct nf_hook_ops rec = recorder(&s, NF_INET_FORWARD);
    nf_register_net_hook(host_net(t.router), &rec);
    send_icmp(t.server, "10.0.1.2", ICMP_ECHOREPLY, 7);    /* a reply to nothing */
    send_icmp(t.client, "10.0.2.2", ICMP_ECHO, 7);
    settle(&t);
    send_icmp(t.server, "10.0.1.2", ICMP_ECHOREPLY, 7);
    settle(&t);
    CU_ASSERT_EQUAL_FATAL(s.n, 3);
    CU_ASSERT_STRING_EQUAL(s.state[0], "INVALID");
    CU_ASSERT_EQUAL(s.info[1], IP_CT_NEW);
    CU_ASSERT_EQUAL(s.left[1], 30 * SEC);
    CU_ASSERT_EQUAL(s.info[2], IP_CT_ESTABLISHED_REPLY);
    CU_ASSERT_PTR_EQUAL(s.ct[2], s.ct[1]);
    world_destroy(&t.w);
}

/* ---- confirmation, untracked ------------------------------------------------------------ */

static unsigned drop_first(void *priv, struct sk_buff *skb, const struct nf_hook_state *st)
{
    int *n = priv;
    return (*n)++ == 0 ? NF_DROP : NF_ACCEPT;
}

static void test_confirm_only_after_the_packet_survives(void)
{
    struct topo3 t;
    setup(&t, NULL);
    struct net *rnet = host_net(t.router);
    struct ct_seen s = {0};
    struct nf_hook_ops rec = recorder(&s, NF_INET_FORWARD);
    int calls = 0;
    struct nf_hook_ops drop = { .hook = drop_first, .name = "drop_first", .owner = "test",
                                .priv = &calls, .pf = NFPROTO_IPV4,
                                .hooknum = NF_INET_FORWARD, .priority = 10 };
    nf_register_net_hook(rnet, &rec);
    nf_register_net_hook(rnet, &drop);
    topo_send_udp(t.client, "10.0.2.2", 40000, 53, 20, 64);
    settle(&t);
    CU_ASSERT_EQUAL(s.n, 1);
    CU_ASSERT_FALSE(s.confirmed[0]);
    CU_ASSERT_EQUAL(nf_conntrack_count(rnet), 0);   /* dropped: no entry */
    struct nf_conntrack_tuple tu = tuple_of("10.0.1.2", 40000, "10.0.2.2", 53, IPPROTO_UDP);
    CU_ASSERT_PTR_NULL(nf_conntrack_find(rnet, &tu, NULL));
    topo_send_udp(t.client, "10.0.2.2", 40000, 53, 20, 64);
    settle(&t);
    CU_ASSERT_EQUAL(s.info[1], IP_CT_NEW);          /* new again */
    CU_ASSERT_FALSE(s.confirmed[1]);
    CU_ASSERT_EQUAL(nf_conntrack_count(rnet), 1);
    struct nf_conn *ct = nf_conntrack_find(rnet, &tu, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ct);
    CU_ASSERT_TRUE(nf_ct_is_confirmed(ct));
    /* The dropped packet's entry was reclaimed (its buffer was reused). */
    CU_ASSERT_PTR_NULL(rnet->ct->orphans);
    CU_ASSERT_EQUAL(rnet->ct->stat.new_, 2);
    world_destroy(&t.w);
}

static void test_local_delivery_confirms_at_local_in(void)
{
    struct topo3 t;
    setup(&t, NULL);
    struct net *rnet = host_net(t.router);
    struct ct_seen s = {0};
    struct nf_hook_ops rec = recorder(&s, NF_INET_LOCAL_IN);
    nf_register_net_hook(rnet, &rec);
    int got = 0;
    sock_bind(rnet, IPPROTO_UDP, htons(53), sink, &got);
    topo_send_udp(t.client, "10.0.1.1", 40000, 53, 20, 64);
    settle(&t);
    CU_ASSERT_EQUAL(got, 1);
    CU_ASSERT_FALSE(s.confirmed[0]);                /* LOCAL_IN 0 runs before INT_MAX */
    CU_ASSERT_EQUAL(nf_conntrack_count(rnet), 1);
    /* A locally generated packet is tracked at LOCAL_OUT, confirmed at POST. */
    topo_send_udp(t.router, "10.0.2.2", 41000, 53, 20, 64);
    CU_ASSERT_EQUAL(nf_conntrack_count(rnet), 2);
    world_destroy(&t.w);
}

static unsigned notrack(void *priv, struct sk_buff *skb, const struct nf_hook_state *st)
{
    nf_ct_set(skb, NULL, IP_CT_UNTRACKED);
    return NF_ACCEPT;
}

static void test_untracked_is_left_alone(void)
{
    struct topo3 t;
    setup(&t, NULL);
    struct net *rnet = host_net(t.router);
    struct ct_seen s = {0};
    struct nf_hook_ops rec = recorder(&s, NF_INET_FORWARD);
    struct nf_hook_ops raw = { .hook = notrack, .name = "notrack", .owner = "test",
                               .pf = NFPROTO_IPV4, .hooknum = NF_INET_PRE_ROUTING,
                               .priority = NF_IP_PRI_RAW };
    nf_register_net_hook(rnet, &rec);
    nf_register_net_hook(rnet, &raw);
    sock_bind(host_net(t.server), IPPROTO_UDP, htons(53), sink, NULL);
    topo_send_udp(t.client, "10.0.2.2", 40000, 53, 20, 64);
    settle(&t);
    CU_ASSERT_EQUAL(s.n, 1);
    CU_ASSERT_STRING_EQUAL(s.state[0], "UNTRACKED");
    CU_ASSERT_PTR_NULL(s.ct[0]);
    CU_ASSERT_EQUAL(s.info[0], IP_CT_UNTRACKED);
    CU_ASSERT_EQUAL(nf_conntrack_count(rnet), 0);
    world_destroy(&t.w);
}

/* A reset built in answer to a packet takes its entry, as RELATED the other way. */
static void test_attach(void)
{
    struct topo3 t;
    setup(&t, NULL);
    struct net *rnet = host_net(t.router);
    struct sk_buff *skb = skb_alloc(net_pool(rnet), 0), *rst = skb_alloc(net_pool(rnet), 0);
    struct nf_conn *fake = (struct nf_conn *)(uintptr_t)0x1000;
    nf_ct_set(skb, fake, IP_CT_ESTABLISHED);
    nf_ct_attach(rst, skb);
    enum ip_conntrack_info info;
    CU_ASSERT_PTR_EQUAL(nf_ct_get(rst, &info), fake);
    CU_ASSERT_EQUAL(info, IP_CT_RELATED_REPLY);
    CU_ASSERT_STRING_EQUAL(nf_ct_state_name(rst), "RELATED");
    nf_ct_set(skb, fake, IP_CT_ESTABLISHED_REPLY);
    nf_ct_attach(rst, skb);
    nf_ct_get(rst, &info);
    CU_ASSERT_EQUAL(info, IP_CT_RELATED);
    nf_ct_set(skb, NULL, 0);
    CU_ASSERT_STRING_EQUAL(nf_ct_state_name(skb), "INVALID");
    skb_free(net_pool(rnet), skb);
    skb_free(net_pool(rnet), rst);
    world_destroy(&t.w);
}

/* ---- timeouts ---------------------------------------------------------------------------- */

static void test_udp_entry_expires_and_is_rearmed(void)
{
    struct topo3 t;
    setup(&t, NULL);
    struct net *rnet = host_net(t.router);
    sock_bind(host_net(t.server), IPPROTO_UDP, htons(53), sink, NULL);
    topo_send_udp(t.client, "10.0.2.2", 40000, 53, 20, 64);
    settle(&t);
    struct nf_conntrack_tuple tu = tuple_of("10.0.1.2", 40000, "10.0.2.2", 53, IPPROTO_UDP);
    struct nf_conn *ct = nf_conntrack_find(rnet, &tu, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ct);
    sim_time_t first = nf_ct_expires(ct);           /* 30 s after the router saw it */
    CU_ASSERT(first > 30 * SEC && first < 30 * SEC + 5 * MSEC);
    CU_ASSERT_EQUAL(ct->timer_at, first);
    /* Traffic at 20 s moves the deadline to ~50 s; the timer stays where it was. */
    sim_run_until(&t.w.sim, 20 * SEC);
    topo_send_udp(t.client, "10.0.2.2", 40000, 53, 20, 64);
    settle(&t);
    CU_ASSERT_EQUAL(nf_ct_expires(ct) - first, 20 * SEC);
    CU_ASSERT_EQUAL(ct->timer_at, first);
    /* At the first deadline the timer re-arms itself at the new one. */
    sim_run_until(&t.w.sim, 45 * SEC);
    CU_ASSERT_EQUAL(nf_conntrack_count(rnet), 1);
    CU_ASSERT_EQUAL(ct->timer_at, first + 20 * SEC);
    sim_run_until(&t.w.sim, first + 20 * SEC - 1);
    CU_ASSERT_EQUAL(nf_conntrack_count(rnet), 1);
    sim_run_until(&t.w.sim, first + 20 * SEC);
    CU_ASSERT_EQUAL(nf_conntrack_count(rnet), 0);
    CU_ASSERT_PTR_NULL(nf_conntrack_find(rnet, &tu, NULL));
    CU_ASSERT_EQUAL(rnet->ct->stat.expired, 1);
    world_destroy(&t.w);
}

static void test_teardown_with_pending_timers(void)
{
    struct topo3 t;
    setup(&t, NULL);
    for (uint16_t p = 0; p < 50; p++)
        topo_send_udp(t.client, "10.0.2.2", (uint16_t)(40000 + p), 53, 20, 64);
    settle(&t);
    CU_ASSERT_EQUAL(nf_conntrack_count(host_net(t.router)), 50);
    /* Entries and their pending timers go with the world (ASan watches). */
    world_destroy(&t.w);
}

/* ---- registration per era ------------------------------------------------------------------ */

/* "name:prio name:prio" at a hook point. */
static char *hooks_at(struct net *net, unsigned hook)
{
    GString *s = g_string_new(NULL);
    const struct nf_hook_entries *e = nf_hook_entries_of(net, hook);
    for (unsigned i = 0; i < e->num; i++)
        g_string_append_printf(s, "%s%s:%d", i ? " " : "", e->ops[i]->name, e->ops[i]->priority);
    return g_string_free(s, FALSE);
}

static void expect_hooks(struct net *net, unsigned hook, const char *want)
{
    char *got = hooks_at(net, hook);
    CU_ASSERT_STRING_EQUAL(got, want);
    if (strcmp(got, want) != 0)
        fprintf(stderr, "\n  %s: got \"%s\", want \"%s\"\n", nf_hook_name(hook), got, want);
    g_free(got);
}

static struct net *era_host(struct world *w, const char *era)
{
    world_init(w, 1);
    struct host *h = host_new(w, "h");
    netdev_add_addr(host_add_dev(h, "eth0", 1500), topo_ip("10.0.0.1"), 24);
    return net_new(h, kernel_profile_find(era));
}

static void check_era(const char *era, bool helper, bool lazy)
{
    struct world w;
    struct net *net = era_host(&w, era);
    for (unsigned h = 0; h < NF_INET_NUMHOOKS; h++)
        CU_ASSERT_EQUAL(nf_hook_entries_of(net, h)->num, 0);
    CU_ASSERT_EQUAL(nf_ct_netns_get(net, NFPROTO_IPV4), 0);
    CU_ASSERT_EQUAL(nf_ct_netns_get(net, NFPROTO_IPV4), 0);       /* a second user changes nothing */
    expect_hooks(net, NF_INET_PRE_ROUTING, "ipv4_conntrack_defrag:-400 ipv4_conntrack_in:-200");
    expect_hooks(net, NF_INET_LOCAL_OUT, "ipv4_conntrack_defrag:-400 ipv4_conntrack_local:-200");
    expect_hooks(net, NF_INET_FORWARD, "");
    const char *confirm = helper ? "ipv4_helper:300 ipv4_confirm:2147483647"
                                 : "ipv4_confirm:2147483647";
    expect_hooks(net, NF_INET_POST_ROUTING, confirm);
    expect_hooks(net, NF_INET_LOCAL_IN, confirm);
    CU_ASSERT_STRING_EQUAL(nf_hook_entries_of(net, NF_INET_PRE_ROUTING)->ops[0]->owner,
                           "nf_defrag_ipv4");
    nf_ct_netns_put(net, NFPROTO_IPV4);
    CU_ASSERT_EQUAL(nf_hook_entries_of(net, NF_INET_PRE_ROUTING)->num, 2);
    nf_ct_netns_put(net, NFPROTO_IPV4);
    /* The last user gone: lazy eras take the hooks away, older ones keep them. */
    CU_ASSERT_EQUAL(nf_hook_entries_of(net, NF_INET_PRE_ROUTING)->num, lazy ? 0 : 2);
    CU_ASSERT_EQUAL(nf_hook_entries_of(net, NF_INET_POST_ROUTING)->num, lazy ? 0u : helper ? 2u : 1u);
    world_destroy(&w);
}

static void test_hooks_per_era(void)
{
    check_era("6.x", false, true);
    check_era("5.10", false, true);
    check_era("4.9", true, false);
    check_era("2.6.34", false, false);
}

/* Lazy registration decides the tie with a user hook at conntrack's priority. */
static void test_lazy_registration_and_ties(void)
{
    struct world w;
    struct nf_hook_ops user = { .hook = notrack, .name = "user200", .owner = "test",
                                .pf = NFPROTO_IPV4, .hooknum = NF_INET_PRE_ROUTING,
                                .priority = NF_IP_PRI_CONNTRACK };
    /* 6.x, user hook first: conntrack, registered on first use, comes later and
     * LIFO puts it in front. */
    struct net *net = era_host(&w, "6.x");
    nf_register_net_hook(net, &user);
    nf_ct_netns_get(net, NFPROTO_IPV4);
    expect_hooks(net, NF_INET_PRE_ROUTING,
                 "ipv4_conntrack_defrag:-400 ipv4_conntrack_in:-200 user200:-200");
    world_destroy(&w);
    /* 6.x, conntrack in use first: the user hook goes in front. */
    net = era_host(&w, "6.x");
    nf_ct_netns_get(net, NFPROTO_IPV4);
    nf_register_net_hook(net, &user);
    expect_hooks(net, NF_INET_PRE_ROUTING,
                 "ipv4_conntrack_defrag:-400 user200:-200 ipv4_conntrack_in:-200");
    world_destroy(&w);
    /* 4.9 is FIFO: the later registration goes behind. */
    net = era_host(&w, "4.9");
    nf_ct_netns_get(net, NFPROTO_IPV4);
    nf_register_net_hook(net, &user);
    expect_hooks(net, NF_INET_PRE_ROUTING,
                 "ipv4_conntrack_defrag:-400 ipv4_conntrack_in:-200 user200:-200");
    world_destroy(&w);
}

/* ---- traces --------------------------------------------------------------------------------- */

static void test_trace_notes(void)
{
    struct topo3 t;
    setup(&t, NULL);
    struct trace_text_sink ts;
    trace_text_sink_init(&ts);
    host_net(t.router)->trace = &ts.sink;
    sock_bind(host_net(t.server), IPPROTO_UDP, htons(53), sink, NULL);
    topo_send_udp(t.client, "10.0.2.2", 40000, 53, 20, 64);
    settle(&t);
    const char *txt = ts.text->str;
    CU_ASSERT_PTR_NOT_NULL(strstr(txt, "PRE_ROUTING -200 ipv4_conntrack_in [nf_conntrack] ACCEPT"));
    CU_ASSERT_PTR_NOT_NULL(strstr(txt, "nf_conntrack_in: NEW udp 10.0.1.2:40000 -> 10.0.2.2:53"));
    CU_ASSERT_PTR_NOT_NULL(strstr(txt, "__nf_conntrack_confirm: confirmed udp 10.0.1.2:40000 -> "
                                       "10.0.2.2:53, expires in 30s"));
    sim_run_until(&t.w.sim, 40 * SEC);
    CU_ASSERT_PTR_NOT_NULL(strstr(ts.text->str, "nf_ct_gc_expired: expired udp 10.0.1.2:40000"));
    host_net(t.router)->trace = NULL;
    trace_text_sink_free(&ts);
    world_destroy(&t.w);
}

IPVSIM_SUITE(conntrack)
{
    CU_pSuite s = CU_add_suite("conntrack", NULL, NULL);
    ADD_TEST(s, test_tcp_states_through_a_connection);
    ADD_TEST(s, test_tcp_syn_reopens_time_wait);
    ADD_TEST(s, test_tcp_reset_before_reply_kills);
    ADD_TEST(s, test_tcp_invalid_and_pickup);
    ADD_TEST(s, test_udp_request_reply);
    ADD_TEST(s, test_icmp_error_is_related);
    ADD_TEST(s, test_icmp_echo);
    ADD_TEST(s, test_confirm_only_after_the_packet_survives);
    ADD_TEST(s, test_local_delivery_confirms_at_local_in);
    ADD_TEST(s, test_untracked_is_left_alone);
    ADD_TEST(s, test_attach);
    ADD_TEST(s, test_udp_entry_expires_and_is_rearmed);
    ADD_TEST(s, test_teardown_with_pending_timers);
    ADD_TEST(s, test_hooks_per_era);
    ADD_TEST(s, test_lazy_registration_and_ties);
    ADD_TEST(s, test_trace_notes);
}
