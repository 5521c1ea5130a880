/* iptables rules on packets (topo3: client -- router -- server, the rules on the
 * router): where the tables sit among the hooks, verdicts, chains, counters, MARK,
 * REJECT, LOG, NAT targets, conntrack states, and each era's registrations. */
#include <string.h>
#include "model/ipv4/ip.h"
#include "model/net.h"
#include "model/user/iptables/iptables_parse.h"
#include "model/netfilter/user_hook.h"
#include "model/netfilter/x_tables.h"
#include "model/ipv4/sock.h"
#include "sim/pkt.h"
#include "tests/testutil.h"
#include "tests/topo.h"

#define UDP_LEN 128u                    /* 20 + 8 + 100: the bytes a rule counts */

static void setup(struct topo3 *t, const char *era)
{
    topo3_init(t);
    if (era)
        host_net(t->router)->prof = kernel_profile_find(era);
}

static void rules(struct net *net, const char *const *lines)
{
    for (; *lines; lines++) {
        struct xt_error err;
        int r = iptables_apply(net, *lines, &err);
        if (r)
            fprintf(stderr, "\n  %s: %s\n", *lines, err.msg);
        CU_ASSERT_EQUAL_FATAL(r, 0);
    }
}

static void settle(struct topo3 *t)
{
    sim_run_until(&t->w.sim, t->w.sim.now + 10 * MSEC);
}

/* What a test socket saw. */
struct rx {
    int count;
    be32 saddr, daddr;
    be16 sport, dport;
    uint8_t icmp_type, icmp_code, tcp_flags;
};

static void rx_fn(struct net *net, struct sk_buff *skb, void *ctx)
{
    struct rx *r = ctx;
    const struct iphdr *iph = ip_hdr(skb);
    r->count++;
    r->saddr = iph->saddr;
    r->daddr = iph->daddr;
    if (iph->protocol == IPPROTO_ICMP) {
        r->icmp_type = skb->data[0];
        r->icmp_code = skb->data[1];
    } else {
        memcpy(&r->sport, skb->data, 2);
        memcpy(&r->dport, skb->data + 2, 2);
        if (iph->protocol == IPPROTO_TCP)
            r->tcp_flags = ((const struct tcphdr *)skb->data)->flags;
    }
    consume_skb(net, skb);
}

static int send_tcp_syn(struct host *h, const char *daddr, uint16_t sport, uint16_t dport)
{
    struct net *net = host_net(h);
    be32 d = topo_ip(daddr);
    struct rtable *rt = ip_route_output(net, d);
    struct ip4_spec ip = { .saddr = rt->prefsrc, .daddr = d, .id = htons(net->ip_id++) };
    struct tcp_spec tcp = { .sport = htons(sport), .dport = htons(dport), .seq = 1000,
                            .flags = TCPH_SYN, .window = 65535 };
    struct sk_buff *skb = skb_alloc(net_pool(net), net_now(net));
    pkt_build_tcp(skb, &ip, &tcp, 0);
    skb->dst = rt;
    return ip_local_out(net, skb);
}

static const struct ipt_entry *rule_of(struct net *net, const char *table, const char *chain,
                                       unsigned n)
{
    return xt_chain_rule(xt_chain_find(xt_table_find(net, table), chain), n);
}

static const struct xt_chain *chain_of(struct net *net, const char *table, const char *chain)
{
    return xt_chain_find(xt_table_find(net, table), chain);
}

/* ---- the filter table among the hooks -------------------------------------------- */

/* filter sits at LOCAL_IN priority 0: a DROP there is never seen by a hook at 10,
 * and always after one at -10. */
static void test_input_drop_stops_later_hooks(void)
{
    struct topo3 t;
    setup(&t, NULL);
    struct net *r = host_net(t.router);
    int err;
    struct nf_user_hook *before = nf_user_hook_add(r, "before", NF_INET_LOCAL_IN, -10, NF_ACCEPT,
        &err);
    struct nf_user_hook *after = nf_user_hook_add(r, "after", NF_INET_LOCAL_IN, 10, NF_ACCEPT,
        &err);
    struct rx local = {0};
    sock_bind(r, IPPROTO_UDP, htons(53), rx_fn, &local);
    rules(r, (const char *const[]){ "-A INPUT -p udp --dport 53 -j DROP", NULL });
    topo_send_udp(t.client, "10.0.1.1", 40000, 53, 100, 64);
    topo_send_udp(t.client, "10.0.1.1", 40000, 54, 100, 64);   /* no socket, passes */
    settle(&t);
    CU_ASSERT_EQUAL(before->calls, 2);
    CU_ASSERT_EQUAL(after->calls, 1);
    CU_ASSERT_EQUAL(local.count, 0);
    CU_ASSERT_EQUAL(rule_of(r, "filter", "INPUT", 1)->counters.pcnt, 1);
    CU_ASSERT_EQUAL(chain_of(r, "filter", "INPUT")->policy_counters.pcnt, 1);
    CU_ASSERT_EQUAL(t.w.pool.in_use, 0);
    world_destroy(&t.w);
}

static void test_forward_interfaces_and_ports(void)
{
    struct topo3 t;
    setup(&t, NULL);
    struct net *r = host_net(t.router);
    rules(r, (const char *const[]){ "-A FORWARD -i eth0 -o eth1 -p udp --dport 53 -j DROP",
                                    "-A FORWARD -i eth+ ! -o eth0 -p udp --dport 60:70 -j DROP",
                                        NULL });
    struct rx server = {0}, client = {0};
    sock_bind(host_net(t.server), IPPROTO_UDP, 0, rx_fn, &server);
    sock_bind(host_net(t.client), IPPROTO_UDP, 0, rx_fn, &client);
    topo_send_udp(t.client, "10.0.2.2", 40000, 53, 100, 64);   /* dropped */
    topo_send_udp(t.client, "10.0.2.2", 40000, 54, 100, 64);
    topo_send_udp(t.client, "10.0.2.2", 40000, 65, 100, 64);   /* dropped */
    topo_send_udp(t.server, "10.0.1.2", 40000, 53, 100, 64);   /* eth1 -> eth0: passes */
    topo_send_udp(t.server, "10.0.1.2", 40000, 65, 100, 64);   /* -o eth0: passes */
    settle(&t);
    CU_ASSERT_EQUAL(server.count, 1);
    CU_ASSERT_EQUAL(ntohs(server.dport), 54);
    CU_ASSERT_EQUAL(client.count, 2);
    CU_ASSERT_EQUAL(rule_of(r, "filter", "FORWARD", 1)->counters.pcnt, 1);
    CU_ASSERT_EQUAL(rule_of(r, "filter", "FORWARD", 2)->counters.pcnt, 1);
    world_destroy(&t.w);
}

/* A mark set in mangle PREROUTING (-150) is what filter FORWARD (0) matches. */
static void test_mark_seen_by_filter(void)
{
    struct topo3 t;
    setup(&t, NULL);
    struct net *r = host_net(t.router);
    rules(r, (const char *const[]){ "-t mangle -A PREROUTING -p udp --dport 53 -j MARK --set-mark "
        "7",
                                    "-t mangle -A PREROUTING -p udp --dport 54 -j MARK --set-mark "
                                        "0x17",
                                    "-A FORWARD -m mark --mark 7 -j DROP",
                                    "-A FORWARD -m mark --mark 0x7/0xf -j ACCEPT", NULL });
    struct rx server = {0};
    sock_bind(host_net(t.server), IPPROTO_UDP, 0, rx_fn, &server);
    topo_send_udp(t.client, "10.0.2.2", 40000, 53, 100, 64);
    topo_send_udp(t.client, "10.0.2.2", 40000, 54, 100, 64);
    settle(&t);
    CU_ASSERT_EQUAL(server.count, 1);
    CU_ASSERT_EQUAL(ntohs(server.dport), 54);
    CU_ASSERT_EQUAL(rule_of(r, "filter", "FORWARD", 1)->counters.pcnt, 1);
    CU_ASSERT_EQUAL(rule_of(r, "filter", "FORWARD", 2)->counters.pcnt, 1);
    world_destroy(&t.w);
}

/* ---- chains, RETURN, policies, goto, counters ----------------------------------------- */

static void test_user_chain_return_and_policy(void)
{
    struct topo3 t;
    setup(&t, NULL);
    struct net *r = host_net(t.router);
    rules(r, (const char *const[]){
        "-P FORWARD DROP", "-N check",
        "-A check -p udp --dport 53 -j RETURN",
        "-A check -p udp --dport 55 -j RETURN",
        "-A check -j DROP",
        "-A FORWARD -j check",
        "-A FORWARD -p udp --dport 53 -j ACCEPT", NULL });
    struct rx server = {0};
    sock_bind(host_net(t.server), IPPROTO_UDP, 0, rx_fn, &server);
    topo_send_udp(t.client, "10.0.2.2", 40000, 53, 100, 64);   /* back from check, accepted */
    topo_send_udp(t.client, "10.0.2.2", 40000, 54, 100, 64);   /* dropped in check */
    topo_send_udp(t.client, "10.0.2.2", 40000, 55, 100, 64);   /* back, then the policy */
    settle(&t);
    CU_ASSERT_EQUAL(server.count, 1);
    CU_ASSERT_EQUAL(ntohs(server.dport), 53);
    CU_ASSERT_EQUAL(rule_of(r, "filter", "FORWARD", 1)->counters.pcnt, 3);
    CU_ASSERT_EQUAL(rule_of(r, "filter", "check", 3)->counters.pcnt, 1);
    CU_ASSERT_EQUAL(chain_of(r, "filter", "FORWARD")->policy_counters.pcnt, 1);
    CU_ASSERT_EQUAL(chain_of(r, "filter", "FORWARD")->policy_counters.bcnt, UDP_LEN);
    world_destroy(&t.w);
}

/* A rule's drop reason names its chain: after -E the drops count under the new name. */
static void test_renamed_chain_drop_reason(void)
{
    struct topo3 t;
    setup(&t, NULL);
    struct net *r = host_net(t.router);
    rules(r, (const char *const[]){ "-N old", "-A old -j DROP", "-A FORWARD -j old", NULL });
    topo_send_udp(t.client, "10.0.2.2", 40000, 53, 100, 64);
    settle(&t);
    rules(r, (const char *const[]){ "-E old new", NULL });
    topo_send_udp(t.client, "10.0.2.2", 40000, 53, 100, 64);
    settle(&t);
    guint n;
    const struct nf_drop_stat **d = nf_drop_stats_sorted(r, &n);
    CU_ASSERT_EQUAL_FATAL(n, 2);
    bool seen_old = false, seen_new = false;
    for (guint i = 0; i < n; i++) {
        seen_old |= strstr(d[i]->reason, "filter old: -j DROP") != NULL && d[i]->count == 1;
        seen_new |= strstr(d[i]->reason, "filter new: -j DROP") != NULL && d[i]->count == 1;
    }
    g_free(d);
    CU_ASSERT_TRUE(seen_old);
    CU_ASSERT_TRUE(seen_new);
    world_destroy(&t.w);
}

/* -g does not come back: the end of the chain it went to is the hook's policy. */
static void test_goto_ends_at_policy(void)
{
    struct topo3 t;
    setup(&t, NULL);
    struct net *r = host_net(t.router);
    rules(r, (const char *const[]){
        "-P FORWARD DROP", "-N later",
        "-A later -p udp --dport 54 -j ACCEPT",
        "-A FORWARD -g later",
        "-A FORWARD -j ACCEPT", NULL });
    struct rx server = {0};
    sock_bind(host_net(t.server), IPPROTO_UDP, 0, rx_fn, &server);
    topo_send_udp(t.client, "10.0.2.2", 40000, 53, 100, 64);
    topo_send_udp(t.client, "10.0.2.2", 40000, 54, 100, 64);
    settle(&t);
    CU_ASSERT_EQUAL(server.count, 1);
    CU_ASSERT_EQUAL(rule_of(r, "filter", "FORWARD", 2)->counters.pcnt, 0);
    CU_ASSERT_EQUAL(chain_of(r, "filter", "FORWARD")->policy_counters.pcnt, 1);
    world_destroy(&t.w);
}

static void test_counters_and_zero(void)
{
    struct topo3 t;
    setup(&t, NULL);
    struct net *r = host_net(t.router);
    rules(r, (const char *const[]){ "-A FORWARD -p udp", "-A FORWARD -p tcp -j ACCEPT", NULL });
    struct rx server = {0};             /* else its port unreachables cross FORWARD too */
    sock_bind(host_net(t.server), IPPROTO_UDP, 0, rx_fn, &server);
    for (int i = 0; i < 3; i++)
        topo_send_udp(t.client, "10.0.2.2", 40000, 53, 100, 64);
    settle(&t);
    const struct ipt_entry *count = rule_of(r, "filter", "FORWARD", 1);
    CU_ASSERT_EQUAL(count->counters.pcnt, 3);
    CU_ASSERT_EQUAL(count->counters.bcnt, 3 * UDP_LEN);
    CU_ASSERT_EQUAL(rule_of(r, "filter", "FORWARD", 2)->counters.pcnt, 0);
    CU_ASSERT_EQUAL(chain_of(r, "filter", "FORWARD")->policy_counters.pcnt, 3);
    GString *s = g_string_new(NULL);
    iptables_save_table(xt_table_find(r, "filter"), s, true);
    CU_ASSERT_PTR_NOT_NULL(strstr(s->str, "-A FORWARD -p udp -c 3 384\n"));
    g_string_free(s, TRUE);
    rules(r, (const char *const[]){ "-Z FORWARD", NULL });
    CU_ASSERT_EQUAL(count->counters.bcnt, 0);
    CU_ASSERT_EQUAL(chain_of(r, "filter", "FORWARD")->policy_counters.pcnt, 0);
    world_destroy(&t.w);
}

/* ---- REJECT, LOG, QUEUE ---------------------------------------------------------------- */

static void test_reject_port_unreachable(void)
{
    struct topo3 t;
    setup(&t, NULL);
    rules(host_net(t.router), (const char *const[]){
        "-A FORWARD -p udp --dport 53 -j REJECT",
        "-A FORWARD -p udp --dport 54 -j REJECT --reject-with icmp-admin-prohibited", NULL });
    struct rx icmp = {0}, server = {0};
    sock_bind(host_net(t.client), IPPROTO_ICMP, 0, rx_fn, &icmp);
    sock_bind(host_net(t.server), IPPROTO_UDP, 0, rx_fn, &server);
    topo_send_udp(t.client, "10.0.2.2", 40000, 53, 100, 64);
    settle(&t);
    CU_ASSERT_EQUAL(server.count, 0);
    CU_ASSERT_EQUAL(icmp.count, 1);
    CU_ASSERT_EQUAL(icmp.icmp_type, ICMP_DEST_UNREACH);
    CU_ASSERT_EQUAL(icmp.icmp_code, ICMP_PORT_UNREACH);
    CU_ASSERT_EQUAL(icmp.saddr, topo_ip("10.0.1.1"));
    topo_send_udp(t.client, "10.0.2.2", 40000, 54, 100, 64);
    settle(&t);
    CU_ASSERT_EQUAL(icmp.count, 2);
    CU_ASSERT_EQUAL(icmp.icmp_code, ICMP_PKT_FILTERED);
    CU_ASSERT_EQUAL(t.w.pool.in_use, 0);
    world_destroy(&t.w);
}

static void test_reject_tcp_reset(void)
{
    struct topo3 t;
    setup(&t, NULL);
    rules(host_net(t.router), (const char *const[]){
        "-A FORWARD -p tcp --dport 80 --syn -j REJECT --reject-with tcp-reset", NULL });
    struct rx client = {0}, server = {0};
    sock_bind(host_net(t.client), IPPROTO_TCP, htons(40000), rx_fn, &client);
    sock_bind(host_net(t.server), IPPROTO_TCP, 0, rx_fn, &server);
    send_tcp_syn(t.client, "10.0.2.2", 40000, 80);
    settle(&t);
    CU_ASSERT_EQUAL(server.count, 0);
    CU_ASSERT_EQUAL(client.count, 1);
    CU_ASSERT_TRUE(client.tcp_flags & TCPH_RST);
    CU_ASSERT_EQUAL(client.saddr, topo_ip("10.0.2.2"));     /* on the server's behalf */
    CU_ASSERT_EQUAL(ntohs(client.sport), 80);
    world_destroy(&t.w);
}

static void test_log_counts_and_goes_on(void)
{
    struct topo3 t;
    setup(&t, NULL);
    struct net *r = host_net(t.router);
    rules(r, (const char *const[]){ "-A FORWARD -j LOG --log-prefix \"fwd: \"", NULL });
    struct rx server = {0};
    sock_bind(host_net(t.server), IPPROTO_UDP, 0, rx_fn, &server);
    topo_send_udp(t.client, "10.0.2.2", 40000, 53, 100, 64);
    topo_send_udp(t.client, "10.0.2.2", 40000, 53, 100, 64);
    settle(&t);
    CU_ASSERT_EQUAL(server.count, 2);
    CU_ASSERT_EQUAL(r->xt->log_packets, 2);
    CU_ASSERT_EQUAL(chain_of(r, "filter", "FORWARD")->policy_counters.pcnt, 2);
    world_destroy(&t.w);
}

/* QUEUE with no listener: the packet is gone (the core drops it). */
static void test_queue_without_listener(void)
{
    struct topo3 t;
    setup(&t, NULL);
    rules(host_net(t.router), (const char *const[]){ "-A FORWARD -j QUEUE", NULL });
    struct rx server = {0};
    sock_bind(host_net(t.server), IPPROTO_UDP, 0, rx_fn, &server);
    topo_send_udp(t.client, "10.0.2.2", 40000, 53, 100, 64);
    settle(&t);
    CU_ASSERT_EQUAL(server.count, 0);
    CU_ASSERT_EQUAL(t.w.pool.in_use, 0);
    world_destroy(&t.w);
}

/* mangle OUTPUT marks a local packet; the route is taken again, filter OUTPUT sees the mark. */
static void test_mangle_output_mark(void)
{
    struct topo3 t;
    setup(&t, NULL);
    struct net *r = host_net(t.router);
    rules(r, (const char *const[]){ "-t mangle -A OUTPUT -p udp -j MARK --set-mark 1",
                                    "-A OUTPUT -m mark --mark 1 -j ACCEPT", NULL });
    struct rx server = {0};
    sock_bind(host_net(t.server), IPPROTO_UDP, 0, rx_fn, &server);
    topo_send_udp(t.router, "10.0.2.2", 41000, 53, 100, 64);
    settle(&t);
    CU_ASSERT_EQUAL(server.count, 1);
    CU_ASSERT_EQUAL(rule_of(r, "filter", "OUTPUT", 1)->counters.pcnt, 1);
    world_destroy(&t.w);
}

/* ---- NAT targets and conntrack states ----------------------------------------------- */

static void test_dnat_first_packet_only(void)
{
    struct topo3 t;
    setup(&t, NULL);
    struct net *r = host_net(t.router);
    rules(r, (const char *const[]){
        "-t nat -A PREROUTING -d 10.0.1.1 -p udp --dport 5353 -j DNAT --to-destination 10.0.2.2:53",
        NULL });
    struct rx server = {0};
    sock_bind(host_net(t.server), IPPROTO_UDP, htons(53), rx_fn, &server);
    topo_send_udp(t.client, "10.0.1.1", 40000, 5353, 100, 64);
    topo_send_udp(t.client, "10.0.1.1", 40000, 5353, 100, 64);
    settle(&t);
    CU_ASSERT_EQUAL(server.count, 2);
    CU_ASSERT_EQUAL(server.daddr, topo_ip("10.0.2.2"));
    CU_ASSERT_EQUAL(server.saddr, topo_ip("10.0.1.2"));
    /* the nat table saw the connection's first packet only */
    CU_ASSERT_EQUAL(rule_of(r, "nat", "PREROUTING", 1)->counters.pcnt, 1);
    world_destroy(&t.w);
}

static void test_masquerade_and_snat(void)
{
    static const char *const variants[] = {
        "-t nat -A POSTROUTING -o eth1 -j MASQUERADE",
        "-t nat -A POSTROUTING -o eth1 -p udp -j SNAT --to-source 10.0.2.1:2000",
    };
    for (size_t v = 0; v < G_N_ELEMENTS(variants); v++) {
        struct topo3 t;
        setup(&t, NULL);
        struct net *r = host_net(t.router);
        rules(r, (const char *const[]){ variants[v], NULL });
        struct rx server = {0};
        sock_bind(host_net(t.server), IPPROTO_UDP, 0, rx_fn, &server);
        topo_send_udp(t.client, "10.0.2.2", 40000, 53, 100, 64);
        settle(&t);
        CU_ASSERT_EQUAL(server.count, 1);
        CU_ASSERT_EQUAL(server.saddr, topo_ip("10.0.2.1"));
        if (v == 1)
            CU_ASSERT_EQUAL(ntohs(server.sport), 2000);
        CU_ASSERT_EQUAL(rule_of(r, "nat", "POSTROUTING", 1)->counters.pcnt, 1);
        world_destroy(&t.w);
    }
}

/* A stateful FORWARD: replies pass, a connection the server opens does not. */
static void test_conntrack_states(void)
{
    struct topo3 t;
    setup(&t, NULL);
    struct net *r = host_net(t.router);
    rules(r, (const char *const[]){
        "-P FORWARD DROP",
        "-A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT",
        "-A FORWARD -i eth0 -m state --state NEW -j ACCEPT", NULL });
    struct rx server = {0}, client = {0};
    sock_bind(host_net(t.server), IPPROTO_UDP, htons(53), rx_fn, &server);
    sock_bind(host_net(t.client), IPPROTO_UDP, htons(40000), rx_fn, &client);
    topo_send_udp(t.server, "10.0.1.2", 53, 40000, 100, 64);    /* NEW from eth1: dropped */
    settle(&t);
    CU_ASSERT_EQUAL(client.count, 0);
    topo_send_udp(t.client, "10.0.2.2", 40000, 53, 100, 64);    /* NEW from eth0 */
    settle(&t);
    topo_send_udp(t.server, "10.0.1.2", 53, 40000, 100, 64);    /* the reply */
    settle(&t);
    CU_ASSERT_EQUAL(server.count, 1);
    CU_ASSERT_EQUAL(client.count, 1);
    CU_ASSERT_EQUAL(rule_of(r, "filter", "FORWARD", 1)->counters.pcnt, 1);
    CU_ASSERT_EQUAL(rule_of(r, "filter", "FORWARD", 2)->counters.pcnt, 1);
    CU_ASSERT_EQUAL(chain_of(r, "filter", "FORWARD")->policy_counters.pcnt, 1);
    world_destroy(&t.w);
}

static void test_notrack_is_untracked(void)
{
    struct topo3 t;
    setup(&t, NULL);
    struct net *r = host_net(t.router);
    rules(r, (const char *const[]){ "-t raw -A PREROUTING -p udp --dport 53 -j NOTRACK",
                                    "-A FORWARD -m state --state UNTRACKED -j DROP",
                                    "-A FORWARD -m conntrack --ctstate NEW -j ACCEPT", NULL });
    struct rx server = {0};
    sock_bind(host_net(t.server), IPPROTO_UDP, 0, rx_fn, &server);
    topo_send_udp(t.client, "10.0.2.2", 40000, 53, 100, 64);
    topo_send_udp(t.client, "10.0.2.2", 40000, 54, 100, 64);
    settle(&t);
    CU_ASSERT_EQUAL(server.count, 1);
    CU_ASSERT_EQUAL(ntohs(server.dport), 54);
    CU_ASSERT_EQUAL(rule_of(r, "filter", "FORWARD", 1)->counters.pcnt, 1);
    CU_ASSERT_EQUAL(rule_of(r, "filter", "FORWARD", 2)->counters.pcnt, 1);
    world_destroy(&t.w);
}

/* -m state takes a conntrack reference: in on-demand eras conntrack's hooks come
 * with the first such rule and go with the last. */
static void test_conntrack_reference_follows_rules(void)
{
    struct topo3 t;
    setup(&t, "6.x");
    struct net *r = host_net(t.router);
    rules(r, (const char *const[]){ "-A INPUT -j ACCEPT", NULL });
    unsigned pre = nf_hook_entries_of(r, NF_INET_PRE_ROUTING)->num;
    rules(r, (const char *const[]){ "-A INPUT -m state --state NEW -j ACCEPT", NULL });
    CU_ASSERT_TRUE(nf_hook_entries_of(r, NF_INET_PRE_ROUTING)->num > pre);
    CU_ASSERT_EQUAL(xt_table_find(r, "filter")->ct_refs, 1);
    rules(r, (const char *const[]){ "-D INPUT 2", NULL });
    CU_ASSERT_EQUAL(nf_hook_entries_of(r, NF_INET_PRE_ROUTING)->num, pre);
    CU_ASSERT_EQUAL(xt_table_find(r, "filter")->ct_refs, 0);
    world_destroy(&t.w);
}

/* ---- registrations per era -------------------------------------------------------------- */

/* "name/owner/priority" of every entry at a hook, in traversal order. */
static char *hooks_at(struct net *net, unsigned hook)
{
    GString *s = g_string_new(NULL);
    const struct nf_hook_entries *e = nf_hook_entries_of(net, hook);
    for (unsigned i = 0; i < e->num; i++)
        g_string_append_printf(s, "%s%s/%s/%d", i ? " " : "", e->ops[i]->name, e->ops[i]->owner,
                                e->ops[i]->priority);
    return g_string_free(s, FALSE);
}

static void expect_hooks(struct net *net, unsigned hook, const char *expected)
{
    char *got = hooks_at(net, hook);
    if (strcmp(got, expected) != 0)
        fprintf(stderr, "\n  %s (%s)\n  got      %s\n  expected %s\n", nf_hook_name(hook),
                net->prof->name, got, expected);
    CU_ASSERT_STRING_EQUAL(got, expected);
    g_free(got);
}

static void load_four_tables(struct net *net)
{
    rules(net, (const char *const[]){ "-t raw -F", "-t mangle -F", "-F", "-t security -F", NULL });
}

static void test_registrations_6x(void)
{
    struct topo3 t;
    setup(&t, "6.x");
    struct net *r = host_net(t.router);
    load_four_tables(r);
    expect_hooks(r, NF_INET_PRE_ROUTING,
        "ipt_do_table/iptable_raw/-300 iptable_mangle_hook/iptable_mangle/-150");
    expect_hooks(r, NF_INET_LOCAL_IN,
        "iptable_mangle_hook/iptable_mangle/-150 ipt_do_table/iptable_filter/0 "
                                      "ipt_do_table/iptable_security/50");
    expect_hooks(r, NF_INET_FORWARD,
        "iptable_mangle_hook/iptable_mangle/-150 ipt_do_table/iptable_filter/0 "
                                     "ipt_do_table/iptable_security/50");
    expect_hooks(r, NF_INET_LOCAL_OUT,
        "ipt_do_table/iptable_raw/-300 iptable_mangle_hook/iptable_mangle/-150 "
                                       "ipt_do_table/iptable_filter/0 "
                                           "ipt_do_table/iptable_security/50");
    expect_hooks(r, NF_INET_POST_ROUTING, "iptable_mangle_hook/iptable_mangle/-150");
    /* the nat table's chains live inside the NAT core's hooks */
    rules(r, (const char *const[]){ "-t nat -F", NULL });
    char *pre = hooks_at(r, NF_INET_PRE_ROUTING);
    CU_ASSERT_PTR_NOT_NULL(strstr(pre, "iptable_mangle_hook/iptable_mangle/-150 "
                                       "nf_nat_ipv4_pre_routing/nf_nat/-100"));
    CU_ASSERT_PTR_NULL(strstr(pre, "iptable_nat"));
    g_free(pre);
    world_destroy(&t.w);
}

static void test_registrations_2634(void)
{
    struct topo3 t;
    setup(&t, "2.6.34");
    struct net *r = host_net(t.router);
    load_four_tables(r);
    expect_hooks(r, NF_INET_PRE_ROUTING, "iptable_raw_hook/iptable_raw/-300 "
                                         "iptable_mangle_hook/iptable_mangle/-150");
    expect_hooks(r, NF_INET_LOCAL_IN, "iptable_mangle_hook/iptable_mangle/-150 "
                                      "iptable_filter_hook/iptable_filter/0 "
                                      "iptable_security_hook/iptable_security/50");
    expect_hooks(r, NF_INET_FORWARD, "iptable_mangle_hook/iptable_mangle/-150 "
                                     "iptable_filter_hook/iptable_filter/0 "
                                     "iptable_security_hook/iptable_security/50");
    expect_hooks(r, NF_INET_LOCAL_OUT, "iptable_raw_hook/iptable_raw/-300 "
                                       "iptable_mangle_hook/iptable_mangle/-150 "
                                       "iptable_filter_hook/iptable_filter/0 "
                                       "iptable_security_hook/iptable_security/50");
    expect_hooks(r, NF_INET_POST_ROUTING, "iptable_mangle_hook/iptable_mangle/-150");
    rules(r, (const char *const[]){ "-t nat -F", NULL });
    CU_ASSERT_PTR_NULL(xt_table_find(r, "nat")->builtin[NF_INET_LOCAL_IN]);   /* no nat INPUT yet */
    char *pre = hooks_at(r, NF_INET_PRE_ROUTING);
    CU_ASSERT_PTR_NOT_NULL(strstr(pre, "iptable_mangle_hook/iptable_mangle/-150 nf_nat_in/"));
    g_free(pre);
    world_destroy(&t.w);
}

/* The same rules decide the same in every era. */
static void test_rules_in_every_era(void)
{
    static const char *const eras[] = { "2.6.34", "4.9", "5.10", "6.x" };
    for (size_t e = 0; e < G_N_ELEMENTS(eras); e++) {
        struct topo3 t;
        setup(&t, eras[e]);
        struct net *r = host_net(t.router);
        rules(r, (const char *const[]){
            "-t nat -A PREROUTING -d 10.0.1.1 -p udp --dport 5353 -j DNAT --to-destination "
                "10.0.2.2:53",
            "-t mangle -A FORWARD -j MARK --set-mark 3",
            "-A FORWARD -m mark --mark 3 -m conntrack --ctstate DNAT -j ACCEPT",
            "-A FORWARD -j DROP", NULL });
        struct rx server = {0};
        sock_bind(host_net(t.server), IPPROTO_UDP, 0, rx_fn, &server);
        topo_send_udp(t.client, "10.0.1.1", 40000, 5353, 100, 64);
        topo_send_udp(t.client, "10.0.2.2", 40000, 53, 100, 64);   /* not DNATed: dropped */
        settle(&t);
        CU_ASSERT_EQUAL(server.count, 1);
        CU_ASSERT_EQUAL(rule_of(r, "filter", "FORWARD", 2)->counters.pcnt, 1);
        world_destroy(&t.w);
    }
}

IPVSIM_SUITE(iptables)
{
    CU_pSuite s = CU_add_suite("iptables", NULL, NULL);
    ADD_TEST(s, test_input_drop_stops_later_hooks);
    ADD_TEST(s, test_forward_interfaces_and_ports);
    ADD_TEST(s, test_mark_seen_by_filter);
    ADD_TEST(s, test_user_chain_return_and_policy);
    ADD_TEST(s, test_renamed_chain_drop_reason);
    ADD_TEST(s, test_goto_ends_at_policy);
    ADD_TEST(s, test_counters_and_zero);
    ADD_TEST(s, test_reject_port_unreachable);
    ADD_TEST(s, test_reject_tcp_reset);
    ADD_TEST(s, test_log_counts_and_goes_on);
    ADD_TEST(s, test_queue_without_listener);
    ADD_TEST(s, test_mangle_output_mark);
    ADD_TEST(s, test_dnat_first_packet_only);
    ADD_TEST(s, test_masquerade_and_snat);
    ADD_TEST(s, test_conntrack_states);
    ADD_TEST(s, test_notrack_is_untracked);
    ADD_TEST(s, test_conntrack_reference_follows_rules);
    ADD_TEST(s, test_registrations_6x);
    ADD_TEST(s, test_registrations_2634);
    ADD_TEST(s, test_rules_in_every_era);
}
