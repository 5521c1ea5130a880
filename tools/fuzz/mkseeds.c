/* Seed frames for the pkt target, built the way the tests build them (pkt_build_*,
 * eth_push) for the LVS topology of common.c, written in fuzz_pkt.c's record format.
 *   tools/fuzz/mkseeds DIR      (tools/fuzz/make-corpus.sh builds and runs it) */
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include "sim/csum.h"
#include "sim/in6.h"
#include "sim/pkt.h"
#include "tools/fuzz/fuzz.h"

enum { D_LVS, D_RS1, D_RS2, D_RS3, D_GW1, D_GW0, D_CLIENT, D_LO };

static struct fuzz_lvs T;
static GByteArray *seed;

/* The MAC of the device a frame comes from (the other end of its link). */
static const uint8_t *peer_mac(int to)
{
    switch (to) {
    case D_GW0: return host_dev(T.client, "eth0")->dev_addr;
    case D_CLIENT: return host_dev(T.gw, "eth0")->dev_addr;
    case D_LVS: return host_dev(T.gw, "eth1")->dev_addr;
    case D_LO: return host_dev(T.lvs, "lo")->dev_addr;
    default: return host_dev(T.lvs, "eth0")->dev_addr;
    }
}

static void record(int to, unsigned wait, struct sk_buff *skb)
{
    uint8_t hdr[4] = { (uint8_t)(to | wait << 3), (uint8_t)skb->len, (uint8_t)(skb->data_len >> 8),
                       (uint8_t)skb->data_len };
    g_byte_array_append(seed, hdr, 4);
    g_byte_array_append(seed, skb->data, skb->len);
    skb_free(&T.w.pool, skb);
}

static struct sk_buff *eth(struct sk_buff *skb, int to)
{
    if (!eth_push(skb, peer_mac(to), T.devs[to]->dev_addr, ETH_P_IP))
        g_error("eth_push");
    return skb;
}

/* IPv6 (common.c: 2001:db8:1::/64 on the clients' link, 2001:db8:2::/64 on the LAN):
 * the frame to device to from the other end of its link, or to a group's address. */
static struct sk_buff *eth6(struct sk_buff *skb, int to, const uint8_t *group_mac)
{
    if (!eth_push(skb, peer_mac(to), group_mac ? group_mac : T.devs[to]->dev_addr, ETH_P_IPV6))
        g_error("eth_push");
    return skb;
}

static struct ip6_spec spec6(const char *s, const char *d, uint8_t hop_limit)
{
    struct ip6_spec ip = { .hop_limit = hop_limit };
    if (!in6_pton(s, &ip.saddr, NULL, NULL) || !in6_pton(d, &ip.daddr, NULL, NULL))
        g_error("in6_pton");
    return ip;
}

static struct sk_buff *udp6(const char *s, const char *d, uint8_t hop_limit, uint32_t payload)
{
    struct sk_buff *skb = skb_alloc(&T.w.pool, 0);
    struct ip6_spec ip = spec6(s, d, hop_limit);
    if (!pkt_build_udp6(skb, &ip, htons(40000), htons(53), payload))
        g_error("pkt_build_udp6");
    return skb;
}

/* An NS for target (a multicast one to its solicited-node group, whose Ethernet
 * address goes in *mac) or an NA, with our link-layer address option. */
static struct sk_buff *nd6(const char *s, const char *d, uint8_t type, const char *target,
                           const uint8_t *lladdr)
{
    struct sk_buff *skb = skb_alloc(&T.w.pool, 0);
    struct ip6_spec ip = spec6(s, d, ND_HOPLIMIT);
    uint8_t body[24];
    struct in6_addr t;
    if (!in6_pton(target, &t, NULL, NULL))
        g_error("in6_pton");
    memcpy(body, &t, 16);
    body[16] = type == NDISC_NEIGHBOUR_SOLICITATION ? ND_OPT_SOURCE_LL_ADDR : ND_OPT_TARGET_LL_ADDR;
    body[17] = 1;
    memcpy(body + 18, lladdr, ETH_ALEN);
    be32 flags = type == NDISC_NEIGHBOUR_ADVERTISEMENT ? htonl(0x60u << 24) : 0;
    if (!pkt_build_icmp6(skb, &ip, type, 0, flags, body, sizeof body, 0))
        g_error("pkt_build_icmp6");
    return skb;
}

static struct sk_buff *tcp(const char *s, const char *d, uint16_t sp, uint16_t dp, uint8_t flags,
                           uint32_t seq, uint32_t ack, uint32_t payload)
{
    struct sk_buff *skb = skb_alloc(&T.w.pool, 0);
    struct ip4_spec ip = { .saddr = fuzz_ip(s), .daddr = fuzz_ip(d), .id = htons(1), .df = true };
    struct tcp_spec t = { .sport = htons(sp), .dport = htons(dp), .seq = seq, .ack = ack,
                          .flags = flags, .window = 64240, .mss = flags & TCPH_SYN ? 1460 : 0 };
    if (!pkt_build_tcp(skb, &ip, &t, payload))
        g_error("tcp");
    return skb;
}

static struct sk_buff *udp(const char *s, const char *d, uint16_t sp, uint16_t dp, uint32_t payload)
{
    struct sk_buff *skb = skb_alloc(&T.w.pool, 0);
    struct ip4_spec ip = { .saddr = fuzz_ip(s), .daddr = fuzz_ip(d), .id = htons(2) };
    if (!pkt_build_udp(skb, &ip, htons(sp), htons(dp), payload))
        g_error("udp");
    return skb;
}

static struct sk_buff *icmp(const char *s, const char *d, uint8_t type, uint8_t code,
                            const struct sk_buff *quote)
{
    struct sk_buff *skb = skb_alloc(&T.w.pool, 0);
    struct ip4_spec ip = { .saddr = fuzz_ip(s), .daddr = fuzz_ip(d), .id = htons(3) };
    static const uint8_t echo[16] = "ipvsim-echo-body";
    const void *body = quote ? quote->data : echo;
    uint32_t blen = quote ? (quote->len < 28 ? quote->len : 28) : sizeof echo;
    be32 rest = type == 8 ? htonl(0x00010001) : type == 5 ? fuzz_ip("192.0.2.254") : 0;
    if (!pkt_build_icmp(skb, &ip, type, code, rest, body, blen))
        g_error("icmp");
    return skb;
}

/* A tunnel packet: pre (the GRE or UDP+GUE header, or nothing for IPIP) and an outer
 * header of protocol proto pushed in front of inner. */
static struct sk_buff *tunnel(const char *s, const char *d, uint8_t proto, const uint8_t *pre,
                              uint32_t prelen, struct sk_buff *inner)
{
    if (prelen)
        memcpy(skb_push(inner, prelen), pre, prelen);
    uint16_t tot = (uint16_t)(skb_wire_len(inner) + 20);
    if (proto == 17) {                              /* UDP length; checksum 0 (none) */
        inner->data[4] = (uint8_t)((tot - 20) >> 8);
        inner->data[5] = (uint8_t)(tot - 20);
    }
    uint8_t *h = skb_push(inner, 20);
    memset(h, 0, 20);
    h[0] = 0x45;
    h[2] = (uint8_t)(tot >> 8);
    h[3] = (uint8_t)tot;
    h[8] = 64;
    h[9] = proto;
    be32 sa = fuzz_ip(s), da = fuzz_ip(d);
    memcpy(h + 12, &sa, 4);
    memcpy(h + 16, &da, 4);
    uint16_t c = ip_fast_csum(h, 5);
    memcpy(h + 10, &c, 2);
    return inner;
}

static struct sk_buff *ipip(const char *s, const char *d, struct sk_buff *inner)
{
    return tunnel(s, d, 4, NULL, 0, inner);
}

static void flush(const char *dir, const char *name)
{
    char *path = g_strdup_printf("%s/%s", dir, name);
    if (!g_file_set_contents(path, (const char *)seed->data, seed->len, NULL))
        g_error("cannot write %s", path);
    g_free(path);
    g_byte_array_set_size(seed, 0);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: mkseeds DIR\n");
        return 2;
    }
    const char *dir = argv[1];
    fuzz_lvs_init(&T, NULL, true);
    seed = g_byte_array_new();
    const char *C = "10.0.1.2", *V = FUZZ_VIP;

    /* a TCP conversation to the VIP, as the director sees it, NAT replies included */
    record(D_LVS, 0, eth(tcp(C, V, 40000, 80, TCPH_SYN, 100, 0, 0), D_LVS));
    record(D_LVS, 2, eth(tcp(C, V, 40000, 80, TCPH_ACK, 101, 5001, 0), D_LVS));
    record(D_LVS, 0, eth(tcp(C, V, 40000, 80, TCPH_ACK | TCPH_PSH, 101, 5001, 300), D_LVS));
    record(D_LVS, 1, eth(tcp("192.0.2.11", C, 8080, 40000, TCPH_SYN | TCPH_ACK, 5000, 101, 0), D_LVS));
    record(D_LVS, 1, eth(tcp("192.0.2.11", C, 8080, 40000, TCPH_ACK | TCPH_FIN, 5001, 401, 1000), D_LVS));
    record(D_LVS, 0, eth(tcp(C, V, 40000, 80, TCPH_ACK | TCPH_FIN, 401, 6002, 0), D_LVS));
    flush(dir, "tcp-conversation");
    for (int i = 0; i < 6; i++)
        record(D_LVS, (unsigned)i, eth(tcp(C, V, (uint16_t)(41000 + i), 80, TCPH_SYN, 7, 0, 0), D_LVS));
    record(D_LVS, 0, eth(tcp(C, V, 41000, 80, TCPH_RST, 8, 0, 0), D_LVS));
    flush(dir, "tcp-syns-rst");
    record(D_LVS, 0, eth(udp(C, V, 5353, 53, 40), D_LVS));
    record(D_LVS, 0, eth(udp("10.0.1.3", V, 5353, 53, 1400), D_LVS));
    record(D_LVS, 0, eth(udp("192.0.2.11", C, 53, 5353, 200), D_LVS));
    flush(dir, "udp-persistent");
    record(D_LVS, 0, eth(tcp(C, V, 42000, 8050, TCPH_SYN, 1, 0, 0), D_LVS));
    record(D_LVS, 0, eth(icmp(C, V, 8, 0, NULL), D_LVS));
    flush(dir, "fwmark");
    record(D_LVS, 0, eth(tcp(C, V, 43000, 21, TCPH_SYN, 1, 0, 0), D_LVS));
    record(D_LVS, 0, eth(tcp(C, V, 20, 21, TCPH_SYN, 1, 0, 0), D_LVS));
    record(D_LVS, 0, eth(tcp(C, V, 43000, 443, TCPH_SYN, 1, 0, 0), D_LVS));
    flush(dir, "ftp-and-no-service");
    /* ICMP errors about a connection, both ways */
    struct sk_buff *q = tcp(V, C, 80, 40000, TCPH_SYN | TCPH_ACK, 5000, 101, 0);
    record(D_LVS, 0, eth(tcp(C, V, 40000, 80, TCPH_SYN, 100, 0, 0), D_LVS));
    record(D_LVS, 1, eth(icmp("10.0.1.1", V, 3, 4, q), D_LVS));
    skb_free(&T.w.pool, q);
    q = tcp(C, "192.0.2.11", 40000, 8080, TCPH_SYN, 100, 0, 0);
    record(D_LVS, 0, eth(icmp("192.0.2.11", C, 3, 3, q), D_LVS));
    skb_free(&T.w.pool, q);
    flush(dir, "icmp-errors");
    /* what the real servers receive: NAT, DR, IPIP */
    record(D_RS1, 0, eth(tcp(C, "192.0.2.11", 40000, 8080, TCPH_SYN, 1, 0, 0), D_RS1));
    record(D_RS2, 0, eth(tcp(C, V, 40001, 80, TCPH_SYN, 1, 0, 0), D_RS2));
    record(D_RS3, 0, eth(ipip("192.0.2.1", "192.0.2.13", tcp(C, V, 40002, 80, TCPH_SYN, 1, 0, 0)), D_RS3));
    record(D_RS3, 0, eth(ipip("192.0.2.1", "192.0.2.13", udp(C, V, 40002, 53, 30)), D_RS3));
    /* GRE (flags 0, IPv4) and GUE (UDP to the fou port 6080, version 0, IPIP) */
    static const uint8_t gre[4] = { 0, 0, 0x08, 0x00 };
    static const uint8_t gue[12] = { 0x9c, 0x40, 0x17, 0xc0, 0, 0, 0, 0, 0, 4, 0, 0 };
    record(D_RS3, 0, eth(tunnel("192.0.2.1", "192.0.2.13", 47, gre, 4, tcp(C, V, 40003, 80, TCPH_SYN, 1, 0, 0)), D_RS3));
    record(D_RS3, 0, eth(tunnel("192.0.2.1", "192.0.2.13", 17, gue, 12, udp(C, V, 40004, 53, 30)), D_RS3));
    /* an ICMP redirect to rs1 (which follows redirects) about the client */
    struct sk_buff *r = tcp("192.0.2.11", C, 8080, 40000, TCPH_SYN | TCPH_ACK, 1, 2, 0);
    record(D_RS1, 0, eth(icmp("192.0.2.1", "192.0.2.11", 5, 1, r), D_RS1));
    skb_free(&T.w.pool, r);
    flush(dir, "real-servers");
    /* the router and the client */
    record(D_GW0, 0, eth(tcp(C, V, 40000, 80, TCPH_SYN, 1, 0, 0), D_GW0));
    record(D_GW0, 0, eth(udp(C, "192.0.2.12", 1, 7, 10), D_GW0));
    record(D_CLIENT, 0, eth(tcp(V, C, 80, 40000, TCPH_SYN | TCPH_ACK, 9, 2, 0), D_CLIENT));
    record(D_GW1, 0, eth(icmp("192.0.2.11", C, 11, 0, NULL), D_GW1));
    flush(dir, "router-client");
    /* loopback of the director, and odd headers: TTL 1, a fragment, IP options */
    record(D_LO, 0, eth(udp("127.0.0.1", "127.0.0.1", 1000, 53, 4), D_LO));
    struct sk_buff *s = udp(C, "192.0.2.12", 1, 9, 10);
    s->data[8] = 1;                                 /* TTL 1: time exceeded */
    s->data[10] = s->data[11] = 0;
    uint16_t c = ip_fast_csum(s->data, 5);
    memcpy(s->data + 10, &c, 2);
    record(D_LVS, 0, eth(s, D_LVS));
    s = udp(C, V, 1, 53, 100);
    s->data[6] = 0x20;                              /* more fragments */
    s->data[10] = s->data[11] = 0;
    c = ip_fast_csum(s->data, 5);
    memcpy(s->data + 10, &c, 2);
    record(D_LVS, 0, eth(s, D_LVS));
    flush(dir, "odd-headers");
    /* IPv6 through the router: an NS for it, a datagram for rs1 (the router solicits
     * in turn), one with hop limit 1, an echo request, an NA, an error about nothing */
    const char *C6 = "2001:db8:1::2", *G6 = "2001:db8:1::1", *R6 = "2001:db8:2::11";
    const uint8_t *cmac = host_dev(T.client, "eth0")->dev_addr;
    struct in6_addr g6, sn;
    if (!in6_pton(G6, &g6, NULL, NULL))
        g_error("in6_pton");
    addrconf_addr_solict_mult(&g6, &sn);
    uint8_t snmac[ETH_ALEN];
    ipv6_eth_mc_map(&sn, snmac);
    record(D_GW0, 0, eth6(nd6(C6, "ff02::1:ff00:1", NDISC_NEIGHBOUR_SOLICITATION, G6, cmac), D_GW0, snmac));
    record(D_GW0, 1, eth6(udp6(C6, R6, 64, 100), D_GW0, NULL));
    record(D_GW0, 0, eth6(udp6(C6, R6, 1, 10), D_GW0, NULL));
    struct sk_buff *e = skb_alloc(&T.w.pool, 0);
    struct ip6_spec ip6 = spec6(C6, G6, 64);
    if (!pkt_build_icmp6(e, &ip6, ICMPV6_ECHO_REQUEST, 0, htonl(0x00010001), "ping", 4, 0))
        g_error("pkt_build_icmp6");
    record(D_GW0, 0, eth6(e, D_GW0, NULL));
    record(D_GW0, 0, eth6(nd6(C6, G6, NDISC_NEIGHBOUR_ADVERTISEMENT, C6, cmac), D_GW0, NULL));
    e = skb_alloc(&T.w.pool, 0);
    if (!pkt_build_icmp6(e, &ip6, ICMPV6_PKT_TOOBIG, 0, htonl(1280), NULL, 48, 1000))
        g_error("pkt_build_icmp6");
    record(D_GW0, 0, eth6(e, D_GW0, NULL));
    flush(dir, "ipv6");
    fuzz_lvs_free(&T);
    g_byte_array_free(seed, TRUE);
    return 0;
}
