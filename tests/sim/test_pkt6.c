/* IPv6 frames: the builders against byte vectors and checksums computed
 * independently (Python's ipaddress and an RFC 1071 sum over the RFC 8200 pseudo-
 * header), the parser's verdicts (good frames, every IPv6 error, extension headers),
 * and a pcap of every kind of IPv6 frame ipvsim builds, written where
 * IPVSIM_PCAP6_DIR says, which tests/cli/44-ipv6.sh has tshark decode. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sim/csum.h"
#include "sim/in6.h"
#include "sim/pcap_tap.h"
#include "sim/pkt.h"
#include "sim/skb.h"
#include "tests/testutil.h"

static struct skb_pool pool;

static int init(void)
{
    skb_pool_init(&pool);
    return 0;
}

static int clean(void)
{
    skb_pool_destroy(&pool);
    return 0;
}

static struct in6_addr A(const char *s)
{
    struct in6_addr a;
    CU_ASSERT_FATAL(in6_pton(s, &a, NULL, NULL));
    return a;
}

static const uint8_t mac_a[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0x0a };
static const uint8_t mac_b[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0x0b };

static struct ip6_spec spec(void)
{
    struct ip6_spec ip = { .saddr = A("2001:db8::1"), .daddr = A("2001:db8:1::2") };
    return ip;
}

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static struct sk_buff *framed(struct sk_buff *skb)
{
    CU_ASSERT_FATAL(eth_push(skb, mac_a, mac_b, ETH_P_IPV6));
    return skb;
}

static void test_csum_ipv6_magic_vector(void)
{
    /* A UDP header 1234 -> 53, length 12, four zero bytes after it, between the two
     * addresses: 0x9f59 (computed independently). */
    struct in6_addr s = A("2001:db8::1"), d = A("2001:db8:1::2");
    const uint8_t udp[12] = { 0x04, 0xd2, 0x00, 0x35, 0x00, 0x0c };
    sum16 c = csum_ipv6_magic(&s, &d, 12, IPPROTO_UDP, csum_partial(udp, sizeof udp, 0));
    CU_ASSERT_EQUAL(ntohs(c), 0x9f59);
}

static void test_build_udp6_vector(void)
{
    struct sk_buff *skb = skb_alloc(&pool, 0);
    struct ip6_spec ip = spec();
    CU_ASSERT_FATAL(pkt_build_udp6(skb, &ip, htons(1234), htons(53), 4));
    CU_ASSERT_EQUAL(skb->protocol, ETH_P_IPV6);
    CU_ASSERT_EQUAL(skb->len, 48);
    CU_ASSERT_EQUAL(skb->data_len, 4);
    CU_ASSERT_EQUAL(skb->transport_header, skb->network_header + 40);
    const uint8_t *p = skb->data;
    const uint8_t want_hdr[8] = { 0x60, 0, 0, 0, 0x00, 0x0c, 17, 64 };
    CU_ASSERT_EQUAL(memcmp(p, want_hdr, sizeof want_hdr), 0);
    CU_ASSERT_EQUAL(memcmp(p + 8, &ip.saddr, 16), 0);
    CU_ASSERT_EQUAL(memcmp(p + 24, &ip.daddr, 16), 0);
    CU_ASSERT_EQUAL(get16(p + 40 + 4), 12);
    CU_ASSERT_EQUAL(get16(p + 40 + 6), 0x9f59);
    struct pkt_info info;
    CU_ASSERT_EQUAL(pkt_parse_skb(framed(skb), &info), PKT_OK);
    CU_ASSERT_EQUAL(info.ethertype, ETH_P_IPV6);
    CU_ASSERT_EQUAL(info.proto, IPPROTO_UDP);
    CU_ASSERT_EQUAL(info.ip_len, 52);
    CU_ASSERT_EQUAL(info.l4_len, 12);
    CU_ASSERT_EQUAL(info.l4_off, 14 + 40);
    CU_ASSERT_EQUAL(info.hop_limit, 64);
    CU_ASSERT_EQUAL(ntohs(info.sport), 1234);
    CU_ASSERT_TRUE(ipv6_addr_equal(&info.daddr6, &ip.daddr));
    CU_ASSERT_EQUAL(info.saddr, 0);
    skb_free(&pool, skb);
}

static void test_build_tcp6_vector(void)
{
    struct sk_buff *skb = skb_alloc(&pool, 0);
    struct ip6_spec ip = spec();
    struct tcp_spec t = { .sport = htons(40000), .dport = htons(80), .seq = 1,
                          .flags = TCPH_SYN, .window = 64800, .mss = 1440 };
    CU_ASSERT_FATAL(pkt_build_tcp6(skb, &ip, &t, 0));
    const uint8_t *th = skb->data + 40;
    CU_ASSERT_EQUAL(get16(skb->data + 4), 24);
    CU_ASSERT_EQUAL(skb->data[6], IPPROTO_TCP);
    CU_ASSERT_EQUAL(th[12], 6 << 4);
    CU_ASSERT_EQUAL(get16(th + 16), 0xa312);
    CU_ASSERT_EQUAL(th[20], TCPOPT_MSS);
    CU_ASSERT_EQUAL(get16(th + 22), 1440);
    struct pkt_info info;
    CU_ASSERT_EQUAL(pkt_parse_skb(framed(skb), &info), PKT_OK);
    CU_ASSERT_EQUAL(info.tcp_flags, TCPH_SYN);
    skb_free(&pool, skb);
}

static void test_build_icmp6_vector(void)
{
    struct sk_buff *skb = skb_alloc(&pool, 0);
    struct ip6_spec ip = spec();
    CU_ASSERT_FATAL(pkt_build_icmp6(skb, &ip, ICMPV6_ECHO_REQUEST, 0, htonl(0x12340001), NULL, 0, 0));
    CU_ASSERT_EQUAL(skb->data[6], NEXTHDR_ICMP);
    CU_ASSERT_EQUAL(get16(skb->data + 40 + 2), 0x1212);  /* the pseudo-header counts */
    struct pkt_info info;
    CU_ASSERT_EQUAL(pkt_parse_skb(framed(skb), &info), PKT_OK);
    CU_ASSERT_EQUAL(ntohs(info.sport), 0x1234);
    skb_free(&pool, skb);
}

static void test_icmp6_virtual_quote(void)
{
    /* A Packet Too Big quoting 48 real bytes and 1184 virtual ones: the virtual
     * bytes count in the lengths and not in the sum, so the same message with them
     * real (zeros) has the same checksum. */
    uint8_t quote[48] = { 0x60, 0, 0, 0, 0x05, 0xb0, 17, 63 };
    struct sk_buff *a = skb_alloc_big(&pool, 0), *b = skb_alloc_big(&pool, 0);
    struct ip6_spec ip = spec();
    CU_ASSERT_FATAL(pkt_build_icmp6(a, &ip, ICMPV6_PKT_TOOBIG, 0, htonl(1400), quote, 48, 1184));
    uint8_t *big = calloc(1, 1232);
    memcpy(big, quote, sizeof quote);
    CU_ASSERT_FATAL(pkt_build_icmp6(b, &ip, ICMPV6_PKT_TOOBIG, 0, htonl(1400), big, 1232, 0));
    free(big);
    CU_ASSERT_EQUAL(skb_wire_len(a), skb_wire_len(b));
    CU_ASSERT_EQUAL(skb_wire_len(a), 1280);                   /* IPV6_MIN_MTU */
    CU_ASSERT_EQUAL(memcmp(a->data, b->data, 48 + 48), 0);
    struct pkt_info info;
    CU_ASSERT_EQUAL(pkt_parse_skb(framed(a), &info), PKT_OK);
    skb_free(&pool, a);
    skb_free(&pool, b);
}

/* A valid UDP frame in buf; returns its length. */
static uint32_t udp_frame(uint8_t *buf)
{
    struct sk_buff *skb = skb_alloc(&pool, 0);
    struct ip6_spec ip = spec();
    CU_ASSERT_FATAL(pkt_build_udp6(skb, &ip, htons(1), htons(2), 0));
    framed(skb);
    uint32_t n = skb_copy_wire(skb, buf, 256);
    skb_free(&pool, skb);
    return n;
}

static void test_parse_errors(void)
{
    uint8_t f[256];
    uint32_t n = udp_frame(f);
    CU_ASSERT_EQUAL(n, 14 + 48);
    CU_ASSERT_EQUAL(pkt_parse(f, n, n, NULL), PKT_OK);
    CU_ASSERT_EQUAL(pkt_parse(f, 14 + 39, 14 + 39, NULL), PKT_IP_SHORT);
    f[14] = 0x40;
    CU_ASSERT_EQUAL(pkt_parse(f, n, n, NULL), PKT_IP_VERSION);
    n = udp_frame(f);
    f[14 + 5] = 9;                                    /* payload length 9 > 8 */
    CU_ASSERT_EQUAL(pkt_parse(f, n, n, NULL), PKT_IP_TOTLEN);
    n = udp_frame(f);
    f[14 + 40 + 6] = f[14 + 40 + 7] = 0;              /* no UDP checksum: not over IPv6 */
    CU_ASSERT_EQUAL(pkt_parse(f, n, n, NULL), PKT_L4_CSUM);
    n = udp_frame(f);
    f[14 + 8] ^= 1;                                   /* the source is in the pseudo-header */
    CU_ASSERT_EQUAL(pkt_parse(f, n, n, NULL), PKT_L4_CSUM);
    n = udp_frame(f);
    f[14 + 7] = 1;                                    /* the hop limit is not */
    struct pkt_info info;
    CU_ASSERT_EQUAL(pkt_parse(f, n, n, &info), PKT_OK);
    CU_ASSERT_EQUAL(info.hop_limit, 1);
    f[12] = 0x08;
    f[13] = 0x06;                                     /* ARP */
    CU_ASSERT_EQUAL(pkt_parse(f, n, n, NULL), PKT_NOT_IP);
    CU_ASSERT_STRING_EQUAL(pkt_err_str(PKT_NOT_IP), "neither IPv4 nor IPv6");
    /* Every truncation is refused or parsed without reading past len (ASan). */
    n = udp_frame(f);
    for (uint32_t k = 0; k < n; k++)
        CU_ASSERT_NOT_EQUAL(pkt_parse(f, k, k, NULL), PKT_OK);
}

static void test_parse_extension_headers(void)
{
    /* Hop-by-hop (8 bytes of padding options), then a fragment header, then UDP:
     * the hop-by-hop header is skipped, the fragment seen. */
    uint8_t f[256];
    uint32_t n = udp_frame(f);
    uint8_t udp[8];
    memcpy(udp, f + 54, 8);
    const uint8_t hbh[8] = { NEXTHDR_FRAGMENT, 0, 1, 4, 0, 0, 0, 0 };
    uint8_t frag[8] = { IPPROTO_UDP, 0, 0, 0, 0, 0, 0, 7 };
    memcpy(f + 54, hbh, 8);
    memcpy(f + 62, frag, 8);
    memcpy(f + 70, udp, 8);
    f[14 + 6] = NEXTHDR_HOP;
    f[14 + 5] = 24;
    n += 16;
    struct pkt_info info;
    CU_ASSERT_EQUAL(pkt_parse(f, n, n, &info), PKT_OK);    /* an atomic fragment: parsed */
    CU_ASSERT_FALSE(info.fragment);
    CU_ASSERT_EQUAL(info.proto, IPPROTO_UDP);
    CU_ASSERT_EQUAL(info.l4_off, 70);
    CU_ASSERT_EQUAL(info.l4_len, 8);
    f[62 + 3] = IP6_MF;                                      /* a first fragment */
    CU_ASSERT_EQUAL(pkt_parse(f, n, n, &info), PKT_OK);
    CU_ASSERT_TRUE(info.fragment);
    CU_ASSERT_EQUAL(info.sport, 0);                          /* L4 not parsed */
    f[14 + 5] = 12;                                          /* the fragment header cut */
    CU_ASSERT_EQUAL(pkt_parse(f, n, n, &info), PKT_L4_SHORT);
}

static void test_l4_checksum6(void)
{
    /* Rewrite a field covered by each checksum, recompute: the builder's value. */
    struct ip6_spec ip = spec();
    struct tcp_spec t = { .sport = htons(40000), .dport = htons(80), .seq = 1,
                          .flags = TCPH_SYN, .window = 64800, .mss = 1440 };
    struct sk_buff *a = skb_alloc(&pool, 0), *b = skb_alloc(&pool, 0);
    CU_ASSERT_FATAL(pkt_build_tcp6(a, &ip, &t, 100));
    ip.daddr = A("2001:db8:1::99");
    CU_ASSERT_FATAL(pkt_build_tcp6(b, &ip, &t, 100));
    memcpy(a->data + 24, &ip.daddr, 16);              /* NAT66 would do this */
    CU_ASSERT_NOT_EQUAL(memcmp(a->data, b->data, a->len), 0);
    CU_ASSERT_TRUE(pkt_l4_checksum(a));
    CU_ASSERT_EQUAL(memcmp(a->data, b->data, a->len), 0);
    skb_free(&pool, a);
    skb_free(&pool, b);
    a = skb_alloc(&pool, 0);
    CU_ASSERT_FATAL(pkt_build_udp6(a, &ip, htons(1), htons(2), 10));
    a->data[40 + 6] ^= 0xff;
    CU_ASSERT_TRUE(pkt_l4_checksum(a));
    CU_ASSERT_EQUAL(pkt_parse_skb(framed(a), NULL), PKT_OK);
    skb_free(&pool, a);
    a = skb_alloc(&pool, 0);
    CU_ASSERT_FATAL(pkt_build_icmp6(a, &ip, ICMPV6_ECHO_REQUEST, 0, htonl(5), NULL, 0, 0));
    a->data[40 + 2] = 0;
    CU_ASSERT_TRUE(pkt_l4_checksum(a));
    CU_ASSERT_EQUAL(pkt_parse_skb(framed(a), NULL), PKT_OK);
    skb_free(&pool, a);
    /* An extension header in front: left alone. */
    a = skb_alloc(&pool, 0);
    CU_ASSERT_FATAL(pkt_build_udp6(a, &ip, htons(1), htons(2), 10));
    a->data[6] = NEXTHDR_FRAGMENT;
    CU_ASSERT_FALSE(pkt_l4_checksum(a));
    skb_free(&pool, a);
}

/* NS and NA as ndisc.c builds them, for the pcap. */
static struct sk_buff *nd_frame(uint8_t type)
{
    struct sk_buff *skb = skb_alloc(&pool, 0);
    struct in6_addr target = A("2001:db8::2"), sn;
    addrconf_addr_solict_mult(&target, &sn);
    struct ip6_spec ip = { .saddr = A("2001:db8::1"), .daddr = sn, .hop_limit = ND_HOPLIMIT };
    uint8_t body[24];
    memcpy(body, &target, 16);
    body[16] = type == NDISC_NEIGHBOUR_SOLICITATION ? ND_OPT_SOURCE_LL_ADDR : ND_OPT_TARGET_LL_ADDR;
    body[17] = 1;
    memcpy(body + 18, type == NDISC_NEIGHBOUR_SOLICITATION ? mac_a : mac_b, ETH_ALEN);
    be32 flags = 0;
    uint8_t dst[ETH_ALEN];
    if (type == NDISC_NEIGHBOUR_ADVERTISEMENT) {
        ip.saddr = target;
        ip.daddr = A("2001:db8::1");
        flags = htonl((uint32_t)(ND_NA_SOLICITED | ND_NA_OVERRIDE) << 24);
        memcpy(dst, mac_a, ETH_ALEN);
    } else {
        ipv6_eth_mc_map(&sn, dst);
    }
    CU_ASSERT_FATAL(pkt_build_icmp6(skb, &ip, type, 0, flags, body, sizeof body, 0));
    CU_ASSERT_FATAL(eth_push(skb, type == NDISC_NEIGHBOUR_SOLICITATION ? mac_a : mac_b, dst,
                             ETH_P_IPV6));
    return skb;
}

static void test_pcap_for_tshark(void)
{
    /* Every frame parses here; tests/cli/44-ipv6.sh has tshark check the same file. */
    struct sk_buff *frames[6];
    struct ip6_spec ip = spec();
    frames[0] = nd_frame(NDISC_NEIGHBOUR_SOLICITATION);
    frames[1] = nd_frame(NDISC_NEIGHBOUR_ADVERTISEMENT);
    frames[2] = skb_alloc(&pool, 0);
    struct tcp_spec t = { .sport = htons(40000), .dport = htons(80), .seq = 1,
                          .flags = TCPH_SYN, .window = 64800, .mss = 1440 };
    CU_ASSERT_FATAL(pkt_build_tcp6(frames[2], &ip, &t, 0));
    frames[3] = skb_alloc(&pool, 0);
    CU_ASSERT_FATAL(pkt_build_udp6(frames[3], &ip, htons(5353), htons(53), 1000));
    frames[4] = skb_alloc(&pool, 0);
    CU_ASSERT_FATAL(pkt_build_icmp6(frames[4], &ip, ICMPV6_ECHO_REQUEST, 0, htonl(0x00070001),
                                    "ping", 4, 0));
    /* A Packet Too Big quoting frame 3 (its real bytes, then its payload virtually). */
    frames[5] = skb_alloc(&pool, 0);
    struct ip6_spec back = { .saddr = A("2001:db8:ff::1"), .daddr = ip.saddr };
    CU_ASSERT_FATAL(pkt_build_icmp6(frames[5], &back, ICMPV6_PKT_TOOBIG, 0, htonl(1280),
                                    frames[3]->data, frames[3]->len, 1000));
    for (int i = 2; i < 6; i++)
        framed(frames[i]);
    for (int i = 0; i < 6; i++) {
        struct pkt_info info;
        enum pkt_err e = pkt_parse_skb(frames[i], &info);
        if (e != PKT_OK)
            fprintf(stderr, "\nframe %d: %s\n", i, pkt_err_str(e));
        CU_ASSERT_EQUAL(e, PKT_OK);
    }
    const char *dir = getenv("IPVSIM_PCAP6_DIR");
    if (dir) {
        char path[512], err[256];
        snprintf(path, sizeof path, "%s/ipv6-frames.pcap", dir);
        struct pcap_tap *tap = pcap_tap_open(path, 0, err, sizeof err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(tap);
        for (int i = 0; i < 6; i++)
            pcap_tap_write(tap, (sim_time_t)i * 1000, frames[i]);
        CU_ASSERT_EQUAL(pcap_tap_close(tap), 0);
    }
    for (int i = 0; i < 6; i++)
        skb_free(&pool, frames[i]);
}

IPVSIM_SUITE(pkt6)
{
    CU_pSuite s = CU_add_suite("pkt6", init, clean);
    ADD_TEST(s, test_csum_ipv6_magic_vector);
    ADD_TEST(s, test_build_udp6_vector);
    ADD_TEST(s, test_build_tcp6_vector);
    ADD_TEST(s, test_build_icmp6_vector);
    ADD_TEST(s, test_icmp6_virtual_quote);
    ADD_TEST(s, test_parse_errors);
    ADD_TEST(s, test_parse_extension_headers);
    ADD_TEST(s, test_l4_checksum6);
    ADD_TEST(s, test_pcap_for_tshark);
}
