/* iptables lines: the parser and the tables behind it (iptables_apply on a fresh
 * host), then the rules at work. The input is lines, applied in order on the
 * director of a fresh LVS topology (common.c, without its configuration; the
 * first line may name an era: "#era 2.6.34"). Then:
 *   - `iptables -S` of every table is applied to a second fresh host, whose -S must
 *     be the same (the documented round trip); ip6tables' tables (lines starting
 *     with "ip6tables") the same way through ip6tables_apply;
 *   - a few frames cross the director (to it, through it, from it) so that the
 *     fuzzed rules' matches and targets run (IPv6 frames too: ip6t_do_table at the
 *     IPv6 PRE_ROUTING); every packet must come back to the pool.
 * Checks beyond the sanitizers: an error's offset lies within its line. */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model/ipv4/ip.h"
#include "model/user/iptables/iptables_parse.h"
#include "sim/in6.h"
#include "sim/pkt.h"
#include "tools/fuzz/fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    return 0;
}

static char *save(const struct net *net, bool v6)
{
    GString *s = g_string_new(NULL);
    if (v6)
        ip6tables_save(net, s);
    else
        iptables_save(net, s);
    return g_string_free(s, FALSE);
}

/* An IPv6 UDP datagram to port 53, or an ICMPv6 echo request, to to's MAC. */
static void send_ipv6(struct fuzz_lvs *t, struct net_device *to, bool icmp)
{
    struct sk_buff *skb = skb_alloc(&t->w.pool, t->w.sim.now);
    struct ip6_spec ip = { .hop_limit = 64 };
    if (!in6_pton("2001:db8:1::2", &ip.saddr, NULL, NULL) ||
        !in6_pton("2001:db8::1", &ip.daddr, NULL, NULL))
        abort();
    static const uint8_t src[ETH_ALEN] = { 0x02, 0, 0, 0xee, 0xee, 4 };
    static const uint8_t body[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    bool ok = icmp ? pkt_build_icmp6(skb, &ip, ICMPV6_ECHO_REQUEST, 0, htonl(0x12340001), body,
                                     sizeof body, 0)
                   : pkt_build_udp6(skb, &ip, htons(5353), htons(53), 20);
    if (!ok || !eth_push(skb, src, to->dev_addr, ETH_P_IPV6))
        abort();
    host_deliver(to, skb);
}

/* A frame from src's eth0 to dst_dev's MAC, as if sent by that host. */
static void send_tcp(struct fuzz_lvs *t, struct net_device *to, const char *saddr, const char *daddr,
                     uint16_t sport, uint16_t dport, uint8_t flags, uint32_t payload)
{
    struct sk_buff *skb = skb_alloc(&t->w.pool, t->w.sim.now);
    struct ip4_spec ip = { .saddr = fuzz_ip(saddr), .daddr = fuzz_ip(daddr), .id = htons(7) };
    struct tcp_spec tcp = { .sport = htons(sport), .dport = htons(dport), .seq = 1000,
                            .ack = flags & TCPH_ACK ? 1 : 0, .flags = flags, .window = 65535,
                            .mss = flags & TCPH_SYN ? 1460 : 0 };
    static const uint8_t src[ETH_ALEN] = { 0x02, 0, 0, 0xee, 0xee, 1 };
    if (!pkt_build_tcp(skb, &ip, &tcp, payload) || !eth_push(skb, src, to->dev_addr, ETH_P_IP))
        abort();
    host_deliver(to, skb);
}

static void send_udp(struct fuzz_lvs *t, struct net_device *to, const char *saddr, const char *daddr,
                     uint16_t sport, uint16_t dport)
{
    struct sk_buff *skb = skb_alloc(&t->w.pool, t->w.sim.now);
    struct ip4_spec ip = { .saddr = fuzz_ip(saddr), .daddr = fuzz_ip(daddr), .id = htons(8) };
    static const uint8_t src[ETH_ALEN] = { 0x02, 0, 0, 0xee, 0xee, 2 };
    if (!pkt_build_udp(skb, &ip, htons(sport), htons(dport), 20) ||
        !eth_push(skb, src, to->dev_addr, ETH_P_IP))
        abort();
    host_deliver(to, skb);
}

static void send_icmp(struct fuzz_lvs *t, struct net_device *to, const char *saddr, const char *daddr)
{
    struct sk_buff *skb = skb_alloc(&t->w.pool, t->w.sim.now);
    struct ip4_spec ip = { .saddr = fuzz_ip(saddr), .daddr = fuzz_ip(daddr), .id = htons(9) };
    static const uint8_t src[ETH_ALEN] = { 0x02, 0, 0, 0xee, 0xee, 3 };
    static const uint8_t body[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    if (!pkt_build_icmp(skb, &ip, 8, 0, htonl(0x12340001), body, sizeof body) ||
        !eth_push(skb, src, to->dev_addr, ETH_P_IP))
        abort();
    host_deliver(to, skb);
}

static void traffic(struct fuzz_lvs *t)
{
    struct net_device *d = host_dev(t->lvs, "eth0");
    struct sim *sim = &t->w.sim;
    send_tcp(t, d, "10.0.1.2", "192.0.2.1", 40000, 22, TCPH_SYN, 0);
    send_tcp(t, d, "10.0.1.2", "192.0.2.1", 40000, 22, TCPH_ACK, 100);
    send_tcp(t, d, "10.0.1.2", "192.0.2.11", 40001, 80, TCPH_SYN, 0);        /* forwarded */
    send_tcp(t, d, "192.0.2.11", "10.0.1.2", 80, 40001, TCPH_SYN | TCPH_ACK, 0);
    send_tcp(t, d, "10.0.1.2", FUZZ_VIP, 40002, 443, TCPH_RST, 0);
    send_udp(t, d, "10.0.1.2", "192.0.2.1", 5353, 53);
    send_udp(t, d, "10.0.1.2", "192.0.2.12", 5353, 69);
    send_icmp(t, d, "10.0.1.2", "192.0.2.1");
    send_icmp(t, d, "10.0.1.2", "192.0.2.13");
    send_ipv6(t, d, false);
    send_ipv6(t, d, true);
    sim_run_until(sim, sim->now + 5 * MSEC);
    /* from the director itself: through LOCAL_OUT and POST_ROUTING */
    send_tcp(t, host_dev(t->lvs, "lo"), "127.0.0.1", "127.0.0.1", 40003, 8080, TCPH_SYN, 0);
    send_udp(t, host_dev(t->gw, "eth1"), "192.0.2.254", "192.0.2.1", 123, 123);
    sim_run_until(sim, sim->now + 10 * SEC);
}

static void check_offset(const char *line, const struct xt_error *err)
{
    size_t n = strlen(line);
    if (err->offset > n || err->msg[0] == '\0') {
        fprintf(stderr, "iptables: '%s': offset %zu of %zu, message '%s'\n", line, err->offset, n,
                err->msg);
        abort();
    }
}

/* The tables' -S applied to a fresh host gives the same -S. */
static void round_trip(const struct net *net, const char *era, bool v6)
{
    char *saved = save(net, v6);
    struct world w2;
    world_init(&w2, 1);
    static const char *const ifs[] = { "eth0=192.0.2.1/24", NULL };
    struct net *net2 = net_new(fuzz_host(&w2, "lvs", ifs), era ? kernel_profile_find(era) : NULL);
    char **back = g_strsplit(saved, "\n", -1);
    for (int i = 0; back[i]; i++) {
        struct xt_error err;
        if (back[i][0] && (v6 ? ip6tables_apply(net2, back[i], &err)
                              : iptables_apply(net2, back[i], &err)) != 0) {
            fprintf(stderr, "%s: -S line '%s' does not read back: %s\n",
                    v6 ? "ip6tables" : "iptables", back[i], err.msg);
            abort();
        }
    }
    char *again = save(net2, v6);
    if (strcmp(saved, again) != 0) {
        fprintf(stderr, "%s: -S round trip differs:\n%s---\n%s", v6 ? "ip6tables" : "iptables",
                saved, again);
        abort();
    }
    g_free(again);
    g_strfreev(back);
    g_free(saved);
    world_destroy(&w2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *text = fuzz_cstr(data, size);
    char **lines = g_strsplit(text, "\n", 32);
    const char *era = NULL;
    int first = 0;
    if (lines[0] && strncmp(lines[0], "#era ", 5) == 0) {
        era = kernel_profile_find(lines[0] + 5) ? lines[0] + 5 : NULL;
        first = 1;
    }
    struct fuzz_lvs t;
    fuzz_lvs_init(&t, era, false);
    struct net *net = host_net(t.lvs);
    for (int i = first; lines[i]; i++) {
        struct xt_error err;
        memset(&err, 0, sizeof err);
        if (iptables_apply(net, lines[i], &err) != 0)
            check_offset(lines[i], &err);
    }
    /* -S read back gives the same -S, for either family's tables */
    for (int v6 = 0; v6 < 2; v6++)
        round_trip(net, era, v6);
    traffic(&t);
    if (t.w.pool.in_use != 0) {
        fprintf(stderr, "fuzz_iptables: %llu packets never freed\n",
                (unsigned long long)t.w.pool.in_use);
        abort();
    }
    fuzz_lvs_free(&t);
    g_strfreev(lines);
    g_free(text);
    return 0;
}
