/* Checksums, packet builders and the frame parser, against byte vectors computed
 * independently (a few lines of Python summing big-endian 16-bit words), plus an
 * independent reference sum written here, random incremental-vs-full checks, parse
 * errors for every enum value and truncation/mutation runs under ASan. */
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include "sim/csum.h"
#include "sim/pkt.h"
#include "sim/skb.h"
#include "tests/testutil.h"

/* ---- helpers ------------------------------------------------------------------- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
    /* xorshift64*: deterministic, local to these tests */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1DULL;
}

static uint32_t rnd_below(uint32_t n)
{
    return (uint32_t)(rnd() % n);
}

/* Reference RFC 1071 checksum, written independently of csum.c: big-endian words,
 * byte by byte, result in host order. */
static uint16_t ref_csum(const uint8_t *b, size_t n, uint32_t start)
{
    uint64_t s = start;
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)b[i] << 8 | b[i + 1];
    if (n & 1)
        s += (uint32_t)b[n - 1] << 8;
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

/* Pseudo-header sum (host-order words) for ref_csum's start. */
static uint32_t ref_pseudo(const uint8_t *saddr, const uint8_t *daddr, uint8_t proto, uint32_t len)
{
    return ((uint32_t)saddr[0] << 8 | saddr[1]) + ((uint32_t)saddr[2] << 8 | saddr[3]) +
           ((uint32_t)daddr[0] << 8 | daddr[1]) + ((uint32_t)daddr[2] << 8 | daddr[3]) +
           proto + len;
}

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static be32 ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
    const uint8_t x[4] = { a, b, c, d };
    be32 v;
    memcpy(&v, x, sizeof v);
    return v;
}

static const uint8_t mac_a[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0x0a };
static const uint8_t mac_b[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0x0b };

/* Frame = Ethernet header (IPv4) + the given IP packet bytes. Returns the length. */
static uint32_t make_frame(uint8_t *out, const uint8_t *ip, uint32_t n)
{
    memcpy(out, mac_b, ETH_ALEN);
    memcpy(out + ETH_ALEN, mac_a, ETH_ALEN);
    out[12] = 0x08;
    out[13] = 0x00;
    memcpy(out + ETH_HLEN, ip, n);
    return ETH_HLEN + n;
}

/* Recompute the IP header checksum of a frame's IPv4 header after editing it. */
static void fix_ip(uint8_t *frame)
{
    ip_send_check((struct iphdr *)(frame + ETH_HLEN));
}

/* Parse a copy in a heap block of exactly len bytes, so ASan sees any overread. */
static enum pkt_err parse_exact(const uint8_t *frame, uint32_t len, uint32_t wire, struct pkt_info *out)
{
    uint8_t *copy = g_malloc(len ? len : 1);
    if (len)
        memcpy(copy, frame, len);
    enum pkt_err e = pkt_parse(len ? copy : NULL, len, wire, out);
    g_free(copy);
    return e;
}

/* ---- known vectors (from Python, see the header comment) ------------------------ */

/* The classic example: 45 00 00 73 00 00 40 00 40 11 [b8 61] c0 a8 00 01 c0 a8 00 c7 */
static const uint8_t classic_ip[20] = {
    0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0xb8, 0x61,
    0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7,
};

/* 10.0.0.1:40000 -> 10.0.0.100:80 SYN, seq 0x01020304, win 65535, MSS 1460,
 * id 0x1234, DF, ttl 64. */
static const uint8_t vec_syn[44] = {
    0x45, 0x00, 0x00, 0x2c, 0x12, 0x34, 0x40, 0x00, 0x40, 0x06, 0x14, 0x34,
    0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x64,
    0x9c, 0x40, 0x00, 0x50, 0x01, 0x02, 0x03, 0x04, 0x00, 0x00, 0x00, 0x00,
    0x60, 0x02, 0xff, 0xff, 0xe3, 0x2b, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4,
};

/* 192.168.1.10:5353 -> 192.168.1.20:53 "hello" (odd length), tos 0x10, id 7, ttl 64. */
static const uint8_t vec_udp[33] = {
    0x45, 0x10, 0x00, 0x21, 0x00, 0x07, 0x00, 0x00, 0x40, 0x11, 0xf7, 0x46,
    0xc0, 0xa8, 0x01, 0x0a, 0xc0, 0xa8, 0x01, 0x14,
    0x14, 0xe9, 0x00, 0x35, 0x00, 0x0d, 0x23, 0x75, 0x68, 0x65, 0x6c, 0x6c, 0x6f,
};

/* 172.16.0.5:443 -> 172.16.0.9:51000 ACK|PSH, seq 0xdeadbeef, ack 0x11223344, win 502,
 * id 0xabcd, DF, ttl 63, then 1000 zero payload bytes (tot_len 1040). */
static const uint8_t vec_tcp_data[40] = {
    0x45, 0x00, 0x04, 0x10, 0xab, 0xcd, 0x40, 0x00, 0x3f, 0x06, 0x33, 0xec,
    0xac, 0x10, 0x00, 0x05, 0xac, 0x10, 0x00, 0x09,
    0x01, 0xbb, 0xc7, 0x38, 0xde, 0xad, 0xbe, 0xef, 0x11, 0x22, 0x33, 0x44,
    0x50, 0x18, 0x01, 0xf6, 0xa6, 0xc8, 0x00, 0x00,
};

/* 192.168.1.20 -> 192.168.1.10 port unreachable quoting vec_udp's first 28 bytes,
 * id 0x0100, ttl 64. */
static const uint8_t vec_icmp[56] = {
    0x45, 0x00, 0x00, 0x38, 0x01, 0x00, 0x00, 0x00, 0x40, 0x01, 0xf6, 0x56,
    0xc0, 0xa8, 0x01, 0x14, 0xc0, 0xa8, 0x01, 0x0a,
    0x03, 0x03, 0xc4, 0x5c, 0x00, 0x00, 0x00, 0x00,
    0x45, 0x10, 0x00, 0x21, 0x00, 0x07, 0x00, 0x00, 0x40, 0x11, 0xf7, 0x46,
    0xc0, 0xa8, 0x01, 0x0a, 0xc0, 0xa8, 0x01, 0x14,
    0x14, 0xe9, 0x00, 0x35, 0x00, 0x0d, 0x23, 0x75,
};

static struct skb_pool pool;

static struct sk_buff *new_skb(void)
{
    struct sk_buff *skb = skb_alloc(&pool, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(skb);
    return skb;
}

static struct sk_buff *build_vec_syn(void)
{
    struct sk_buff *skb = new_skb();
    struct ip4_spec ip = { .saddr = ip4(10, 0, 0, 1), .daddr = ip4(10, 0, 0, 100),
                           .ttl = 64, .id = htons(0x1234), .df = true };
    struct tcp_spec tcp = { .sport = htons(40000), .dport = htons(80), .seq = 0x01020304,
                            .flags = TCPH_SYN, .window = 65535, .mss = 1460 };
    CU_ASSERT_FATAL(pkt_build_tcp(skb, &ip, &tcp, 0));
    return skb;
}

static struct sk_buff *build_vec_udp(void)
{
    struct sk_buff *skb = new_skb();
    struct ip4_spec ip = { .saddr = ip4(192, 168, 1, 10), .daddr = ip4(192, 168, 1, 20),
                           .tos = 0x10, .id = htons(7) };
    CU_ASSERT_FATAL(pkt_build_udp_data(skb, &ip, htons(5353), htons(53), "hello", 5));
    return skb;
}

/* ---- checksum primitives ------------------------------------------------------- */

static void test_struct_sizes(void)
{
    CU_ASSERT_EQUAL(sizeof(struct ethhdr), 14);
    CU_ASSERT_EQUAL(sizeof(struct iphdr), 20);
    CU_ASSERT_EQUAL(sizeof(struct tcphdr), 20);
    CU_ASSERT_EQUAL(sizeof(struct udphdr), 8);
    CU_ASSERT_EQUAL(sizeof(struct icmphdr), 8);
}

static void test_csum_classic_ip(void)
{
    uint8_t h[20];
    memcpy(h, classic_ip, sizeof h);
    CU_ASSERT_EQUAL(ip_fast_csum(h, 5), 0);          /* valid header verifies to 0 */
    h[10] = h[11] = 0;
    sum16 c = ip_fast_csum(h, 5);
    memcpy(h + 10, &c, 2);                           /* stored as it lies */
    CU_ASSERT_EQUAL(h[10], 0xb8);
    CU_ASSERT_EQUAL(h[11], 0x61);
    CU_ASSERT_EQUAL(ntohs(c), 0xb861);

    /* ip_send_check on a header at an odd address */
    uint8_t buf[21];
    memcpy(buf + 1, classic_ip, 20);
    buf[11] = 0x12;
    buf[12] = 0x34;
    ip_send_check((struct iphdr *)(buf + 1));
    CU_ASSERT_EQUAL(memcmp(buf + 1, classic_ip, 20), 0);
    CU_ASSERT_EQUAL(ntohs(((struct iphdr *)(buf + 1))->check), 0xb861);
}

/* The inline 20-byte form gives the generic routine's result bit for bit, carries
 * included: all ones, all zeros, and a spread of pseudo-random headers (an LCG). */
static void test_csum_ip_20_byte_form(void)
{
    uint8_t h[20];
    memset(h, 0xff, sizeof h);
    CU_ASSERT_EQUAL(ip_fast_csum(h, 5), ip_fast_csum_slow(h, 5));
    memset(h, 0, sizeof h);
    CU_ASSERT_EQUAL(ip_fast_csum(h, 5), ip_fast_csum_slow(h, 5));
    CU_ASSERT_EQUAL(ip_fast_csum(h, 5), 0xffff);
    uint32_t x = 12345;
    unsigned differ = 0;
    for (int k = 0; k < 10000; k++) {
        for (size_t i = 0; i < sizeof h; i++) {
            x = x * 1103515245u + 12345u;
            h[i] = (uint8_t)(x >> 16);
        }
        if (k % 3 == 0)
            memset(h + 8, 0xff, 8);     /* near-overflow sums */
        differ += ip_fast_csum(h, 5) != ip_fast_csum_slow(h, 5);
    }
    CU_ASSERT_EQUAL(differ, 0);
}

static void test_csum_rfc1071_example(void)
{
    /* RFC 1071 section 3: the words 0001 f203 f4f5 f6f7 sum to ddf2 after folding,
     * and in swapped order to f2dd: byte order independence. */
    static const uint8_t b[8] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
    sum16 folded = (sum16)~csum_fold(csum_partial(b, 8, 0));
    uint8_t out[2];
    memcpy(out, &folded, 2);
    CU_ASSERT_EQUAL(out[0], 0xdd);
    CU_ASSERT_EQUAL(out[1], 0xf2);
    CU_ASSERT_EQUAL(ntohs(csum_fold(csum_partial(b, 8, 0))), (uint16_t)~0xddf2);

    static const uint8_t sw[8] = { 0x01, 0x00, 0x03, 0xf2, 0xf5, 0xf4, 0xf7, 0xf6 };
    folded = (sum16)~csum_fold(csum_partial(sw, 8, 0));
    memcpy(out, &folded, 2);
    CU_ASSERT_EQUAL(out[0], 0xf2);
    CU_ASSERT_EQUAL(out[1], 0xdd);

    /* pieces: even-length pieces chain; the unaligned tail counts the same */
    wsum s = csum_partial(b, 2, 0);
    s = csum_partial(b + 2, 4, s);
    s = csum_partial(b + 6, 2, s);
    CU_ASSERT_EQUAL(csum_fold(s), csum_fold(csum_partial(b, 8, 0)));
    uint8_t mis[9];
    memcpy(mis + 1, b, 8);
    CU_ASSERT_EQUAL(csum_fold(csum_partial(mis + 1, 8, 0)), csum_fold(csum_partial(b, 8, 0)));
}

static void test_csum_odd_lengths(void)
{
    /* 00 01 f2: the trailing f2 is the high byte of f200: 0x0001 + 0xf200 = 0xf201 */
    static const uint8_t b[3] = { 0x00, 0x01, 0xf2 };
    CU_ASSERT_EQUAL(ntohs(csum_fold(csum_partial(b, 3, 0))), (uint16_t)~0xf201);
    CU_ASSERT_EQUAL(ntohs(csum_fold(csum_partial(b, 1, 0))), 0xffff);      /* sum 0 */
    CU_ASSERT_EQUAL(ntohs(csum_fold(csum_partial(b + 2, 1, 0))), (uint16_t)~0xf200);
    CU_ASSERT_EQUAL(csum_fold(csum_partial(NULL, 0, 0)), 0xffff);

    /* every length 0..300 at every alignment 0..7 against ref_csum */
    uint8_t buf[320];
    rng_state = 0x1071;
    for (unsigned i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)rnd();
    for (uint32_t n = 0; n <= 300; n++)
        for (uint32_t a = 0; a < 8; a++)
            CU_ASSERT_EQUAL(ntohs(csum_fold(csum_partial(buf + a, n, 0))), ref_csum(buf + a, n, 0));

    /* carries: many all-ones words, including odd lengths, from a non-zero start (a
     * start whose bytes read the same in either order, since csum_partial takes it in
     * memory order and ref_csum in host order) */
    memset(buf, 0xff, sizeof buf);
    for (uint32_t n = 0; n <= 300; n += 7)
        CU_ASSERT_EQUAL(ntohs(csum_fold(csum_partial(buf, n, 0xfefefefeu))),
                        ref_csum(buf, n, 0xfefefefeu));
}

static void test_csum_add_sub(void)
{
    rng_state = 42;
    for (int i = 0; i < 1000; i++) {
        wsum a = (wsum)rnd(), b = (wsum)rnd();
        /* (a + b) - b == a modulo 0xffff, seen through the fold (a sum congruent to 0
         * has two forms, +0 and -0, that fold differently: skip those) */
        if (a % 0xffffu)
            CU_ASSERT_EQUAL(csum_fold(csum_sub(csum_add(a, b), b)), csum_fold(a));
        CU_ASSERT_EQUAL(csum_fold(csum_add(a, b)), csum_fold(csum_add(b, a)));
    }
    CU_ASSERT_EQUAL(csum_add(0xffffffffu, 1), 1);
    CU_ASSERT_EQUAL(csum_unfold(0x1234), 0x1234);
}

static void test_csum_pseudo(void)
{
    rng_state = 7;
    for (int i = 0; i < 2000; i++) {
        uint8_t buf[12 + 64];
        for (unsigned k = 0; k < sizeof buf; k++)
            buf[k] = (uint8_t)rnd();
        uint32_t n = rnd_below(65);
        uint8_t proto = (uint8_t)rnd();
        uint32_t len = rnd_below(65536);
        be32 s, d;
        memcpy(&s, buf, 4);
        memcpy(&d, buf + 4, 4);
        sum16 got = csum_tcpudp_magic(s, d, len, proto, csum_partial(buf + 12, n, 0));
        uint16_t want = ref_csum(buf + 12, n, ref_pseudo(buf, buf + 4, proto, len));
        CU_ASSERT_EQUAL(ntohs(got), want);
        CU_ASSERT_EQUAL(csum_fold(csum_tcpudp_nofold(s, d, len, proto, 0)),
                        csum_tcpudp_magic(s, d, len, proto, 0));
    }
}

static void test_csum_replace_basic(void)
{
    /* RFC 1624 section 4's example: HC 0xdd2f, m 0x5555 -> m' 0x3285 gives 0x0000. */
    uint8_t hc[3] = { 0, 0xdd, 0x2f };               /* odd address on purpose */
    csum_replace2(hc + 1, htons(0x5555), htons(0x3285));
    CU_ASSERT_EQUAL(get16(hc + 1), 0x0000);

    /* TTL decrement on the classic header, through a packed member's address */
    uint8_t h[20];
    memcpy(h, classic_ip, 20);
    struct iphdr *iph = (struct iphdr *)h;
    be16 old, new;
    memcpy(&old, h + 8, 2);
    iph->ttl--;
    memcpy(&new, h + 8, 2);
    csum_replace2(&iph->check, old, new);
    CU_ASSERT_EQUAL(ip_fast_csum(h, 5), 0);
    CU_ASSERT_EQUAL(get16(h + 10), 0xb961);

    /* address change */
    be32 from = iph->daddr, to = ip4(10, 9, 8, 7);
    iph->daddr = to;
    csum_replace4(&iph->check, from, to);
    CU_ASSERT_EQUAL(ip_fast_csum(h, 5), 0);
    uint16_t inc = iph->check;
    ip_send_check(iph);
    CU_ASSERT_EQUAL(inc, iph->check);
}

/* ---- builders against the vectors --------------------------------------------- */

static void test_build_tcp_syn_vector(void)
{
    struct sk_buff *skb = build_vec_syn();
    CU_ASSERT_EQUAL(skb->len, sizeof vec_syn);
    CU_ASSERT_EQUAL(skb->data_len, 0);
    CU_ASSERT_EQUAL(memcmp(skb->data, vec_syn, sizeof vec_syn), 0);
    CU_ASSERT_EQUAL(skb->network_header, SKB_HEADROOM);
    CU_ASSERT_EQUAL(skb->transport_header, SKB_HEADROOM + 20);
    CU_ASSERT_EQUAL(skb->mac_header, SKB_NO_HDR);
    CU_ASSERT_EQUAL(skb->protocol, ETH_P_IP);
    CU_ASSERT_EQUAL(tcp_hdrlen((const struct tcphdr *)skb_transport_header(skb)), 24);
    /* the stored checksum also matches ref_csum */
    const uint8_t *p = skb->data;
    uint8_t l4[24];
    memcpy(l4, p + 20, 24);
    l4[16] = l4[17] = 0;
    CU_ASSERT_EQUAL(get16(p + 36), ref_csum(l4, 24, ref_pseudo(p + 12, p + 16, 6, 24)));
    skb_free(&pool, skb);
}

static void test_build_udp_vector(void)
{
    struct sk_buff *skb = build_vec_udp();
    CU_ASSERT_EQUAL(skb->len, sizeof vec_udp);
    CU_ASSERT_EQUAL(memcmp(skb->data, vec_udp, sizeof vec_udp), 0);
    CU_ASSERT_EQUAL(skb->transport_header, SKB_HEADROOM + 20);
    skb_free(&pool, skb);
}

static void test_build_tcp_virtual_vector(void)
{
    struct sk_buff *skb = new_skb();
    struct ip4_spec ip = { .saddr = ip4(172, 16, 0, 5), .daddr = ip4(172, 16, 0, 9),
                           .ttl = 63, .id = htons(0xabcd), .df = true };
    struct tcp_spec tcp = { .sport = htons(443), .dport = htons(51000), .seq = 0xdeadbeef,
                            .ack = 0x11223344, .flags = TCPH_ACK | TCPH_PSH, .window = 502 };
    CU_ASSERT_FATAL(pkt_build_tcp(skb, &ip, &tcp, 1000));
    CU_ASSERT_EQUAL(skb->len, 40);
    CU_ASSERT_EQUAL(skb->data_len, 1000);
    CU_ASSERT_EQUAL(skb_wire_len(skb), 1040);
    CU_ASSERT_EQUAL(memcmp(skb->data, vec_tcp_data, sizeof vec_tcp_data), 0);

    /* the same segment with 1000 real zero bytes parses, and so does the virtual one */
    CU_ASSERT_FATAL(eth_push(skb, mac_a, mac_b, ETH_P_IP));
    uint8_t *wire = g_malloc(1054);
    CU_ASSERT_EQUAL(skb_copy_wire(skb, wire, 1054), 1054);
    struct pkt_info info;
    CU_ASSERT_EQUAL(pkt_parse(wire, 1054, 1054, &info), PKT_OK);
    CU_ASSERT_EQUAL(info.l4_len, 1020);
    CU_ASSERT_EQUAL(pkt_parse_skb(skb, &info), PKT_OK);
    CU_ASSERT_EQUAL(info.ip_len, 1040);
    /* one non-zero payload byte breaks it */
    wire[1053] = 1;
    CU_ASSERT_EQUAL(pkt_parse(wire, 1054, 1054, &info), PKT_L4_CSUM);
    g_free(wire);
    skb_free(&pool, skb);
}

static void test_build_icmp_vector(void)
{
    struct sk_buff *skb = new_skb();
    struct ip4_spec ip = { .saddr = ip4(192, 168, 1, 20), .daddr = ip4(192, 168, 1, 10),
                           .id = htons(0x0100) };
    CU_ASSERT_FATAL(pkt_build_icmp(skb, &ip, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0,
                                   vec_udp, 28));
    CU_ASSERT_EQUAL(skb->len, sizeof vec_icmp);
    CU_ASSERT_EQUAL(skb->data_len, 0);
    CU_ASSERT_EQUAL(memcmp(skb->data, vec_icmp, sizeof vec_icmp), 0);
    CU_ASSERT_EQUAL(skb->transport_header, SKB_HEADROOM + 20);
    skb_free(&pool, skb);
}

static void test_udp_zero_checksum_sent_as_ones(void)
{
    /* 10.1.1.1:1000 -> 10.2.2.2:2000 with payload dd 1c sums to exactly 0xffff, so the
     * checksum computes to 0 and is sent as ffff (Python: 0x0 after inserting dd1c). */
    struct sk_buff *skb = new_skb();
    struct ip4_spec ip = { .saddr = ip4(10, 1, 1, 1), .daddr = ip4(10, 2, 2, 2) };
    static const uint8_t pl[2] = { 0xdd, 0x1c };
    CU_ASSERT_FATAL(pkt_build_udp_data(skb, &ip, htons(1000), htons(2000), pl, 2));
    uint8_t *uh = skb_transport_header(skb);
    CU_ASSERT_EQUAL(get16(uh + 6), 0xffff);
    CU_ASSERT(pkt_l4_checksum(skb));
    CU_ASSERT_EQUAL(get16(uh + 6), 0xffff);
    struct pkt_info info;
    CU_ASSERT_FATAL(eth_push(skb, mac_a, mac_b, ETH_P_IP));
    CU_ASSERT_EQUAL(pkt_parse_skb(skb, &info), PKT_OK);

    /* incremental: port away and back returns to 0 -> mangled to ffff */
    csum_replace2(uh + 6, htons(1000), htons(1001));
    put16(uh, 1001);
    CU_ASSERT_EQUAL(pkt_parse_skb(skb, &info), PKT_OK);
    inet_proto_csum_replace2(uh + 6, htons(1001), htons(1000), 0);
    put16(uh, 1000);
    uint16_t c;
    memcpy(&c, uh + 6, 2);
    if (c == 0)
        c = CSUM_MANGLED_0;
    memcpy(uh + 6, &c, 2);
    CU_ASSERT_EQUAL(get16(uh + 6), 0xffff);
    CU_ASSERT_EQUAL(pkt_parse_skb(skb, &info), PKT_OK);
    skb_free(&pool, skb);
}

static void test_virtual_equals_real_zeros(void)
{
    struct ip4_spec ip = { .saddr = ip4(1, 2, 3, 4), .daddr = ip4(5, 6, 7, 8), .id = htons(99) };
    static const uint8_t zeros[151];
    for (uint32_t n = 0; n <= 150; n++) {
        struct sk_buff *v = new_skb(), *r = new_skb();
        CU_ASSERT_FATAL(pkt_build_udp(v, &ip, htons(7), htons(9), n));
        CU_ASSERT_FATAL(pkt_build_udp_data(r, &ip, htons(7), htons(9), zeros, n));
        CU_ASSERT_EQUAL(v->len, 28);
        CU_ASSERT_EQUAL(v->data_len, n);
        CU_ASSERT_EQUAL(r->len, 28 + n);
        CU_ASSERT_EQUAL(r->data_len, 0);
        CU_ASSERT_EQUAL(memcmp(v->data, r->data, 28), 0);   /* same headers, same sums */
        /* recomputing from scratch changes nothing on either */
        uint8_t before[28];
        memcpy(before, v->data, 28);
        CU_ASSERT(pkt_l4_checksum(v));
        CU_ASSERT(pkt_l4_checksum(r));
        CU_ASSERT_EQUAL(memcmp(v->data, before, 28), 0);
        CU_ASSERT_EQUAL(memcmp(r->data, before, 28), 0);
        skb_free(&pool, v);
        skb_free(&pool, r);
    }
}

static void test_odd_payloads(void)
{
    rng_state = 0x0dd;
    struct ip4_spec ip = { .saddr = ip4(10, 0, 0, 1), .daddr = ip4(10, 0, 0, 2), .df = true };
    uint8_t pl[190];
    for (uint32_t n = 0; n <= sizeof pl; n++) {
        for (uint32_t k = 0; k < n; k++)
            pl[k] = (uint8_t)rnd();
        struct sk_buff *skb = new_skb();
        CU_ASSERT_FATAL(pkt_build_udp_data(skb, &ip, htons(1234), htons(4321), pl, n));
        const uint8_t *p = skb->data;
        CU_ASSERT_EQUAL(get16(p + 2), 28 + n);
        CU_ASSERT_EQUAL(get16(p + 24), 8 + n);
        CU_ASSERT_EQUAL(memcmp(p + 28, pl, n), 0);
        uint8_t l4[8 + sizeof pl];
        memcpy(l4, p + 20, 8 + n);
        l4[6] = l4[7] = 0;
        uint16_t want = ref_csum(l4, 8 + n, ref_pseudo(p + 12, p + 16, 17, 8 + n));
        if (want == 0)
            want = 0xffff;
        CU_ASSERT_EQUAL(get16(p + 26), want);

        CU_ASSERT_FATAL(eth_push(skb, mac_a, mac_b, ETH_P_IP));
        struct pkt_info info;
        CU_ASSERT_EQUAL(pkt_parse_skb(skb, &info), PKT_OK);
        if (n) {
            skb->data[ETH_HLEN + 28 + rnd_below(n)] ^= (uint8_t)(1u << rnd_below(8));
            CU_ASSERT_EQUAL(pkt_parse_skb(skb, &info), PKT_L4_CSUM);
        }
        skb_free(&pool, skb);
    }
}

/* ---- incremental updates vs full recompute ------------------------------------- */

static void udp_mangle(uint8_t *check)
{
    if (check[0] == 0 && check[1] == 0)
        check[0] = check[1] = 0xff;
}

static void test_incremental_equals_full(void)
{
    rng_state = 0x1624;
    for (int iter = 0; iter < 4000; iter++) {
        struct sk_buff *skb = new_skb();
        struct ip4_spec ip = { .saddr = (be32)rnd(), .daddr = (be32)rnd(),
                               .ttl = (uint8_t)(2 + rnd_below(254)), .tos = (uint8_t)rnd(),
                               .id = (be16)rnd(), .df = rnd() & 1 };
        bool udp = rnd() & 1;
        if (udp) {
            uint8_t pl[64];
            uint32_t n = rnd_below(sizeof pl + 1);
            bool zero = rnd_below(4) == 0;
            for (uint32_t k = 0; k < n; k++)
                pl[k] = zero ? 0 : (uint8_t)rnd();
            CU_ASSERT_FATAL(pkt_build_udp_data(skb, &ip, (be16)rnd(), (be16)rnd(), pl, n));
        } else {
            struct tcp_spec tcp = { .sport = (be16)rnd(), .dport = (be16)rnd(),
                                    .seq = (uint32_t)rnd(), .ack = (uint32_t)rnd(),
                                    .flags = (uint8_t)rnd() & 0x3f, .window = (uint16_t)rnd(),
                                    .mss = rnd() & 1 ? (uint16_t)rnd() : 0 };
            CU_ASSERT_FATAL(pkt_build_tcp(skb, &ip, &tcp, rnd_below(1461)));
        }
        struct iphdr *iph = (struct iphdr *)skb_network_header(skb);
        uint8_t *l4 = skb_transport_header(skb);
        uint8_t *l4check = l4 + (udp ? 6 : 16);

        for (int step = 0; step < 6; step++) {
            switch (rnd_below(5)) {
            case 0: {                                     /* source address (SNAT) */
                be32 from = iph->saddr, to = (be32)rnd();
                iph->saddr = to;
                csum_replace4(&iph->check, from, to);
                inet_proto_csum_replace4(l4check, from, to, 1);
                break;
            }
            case 1: {                                     /* destination address (DNAT) */
                be32 from = iph->daddr, to = (be32)rnd();
                iph->daddr = to;
                csum_replace4(&iph->check, from, to);
                inet_proto_csum_replace4(l4check, from, to, 1);
                break;
            }
            case 2: {                                     /* a port */
                uint8_t *port = l4 + 2 * rnd_below(2);
                be16 from, to = (be16)rnd();
                memcpy(&from, port, 2);
                memcpy(port, &to, 2);
                inet_proto_csum_replace2(l4check, from, to, 0);
                break;
            }
            case 3: {                                     /* TTL decrement */
                be16 from, to;
                uint8_t *word = (uint8_t *)iph + 8;       /* ttl, protocol */
                memcpy(&from, word, 2);
                if (iph->ttl > 1)
                    iph->ttl--;
                memcpy(&to, word, 2);
                csum_replace2(&iph->check, from, to);
                break;
            }
            default: {                                    /* TOS rewrite (first word) */
                be16 from, to;
                memcpy(&from, iph, 2);
                iph->tos = (uint8_t)rnd();
                memcpy(&to, iph, 2);
                csum_replace2(&iph->check, from, to);
                break;
            }
            }
            if (udp)
                udp_mangle(l4check);
        }

        struct sk_buff *full = skb_clone(&pool, skb, 0);
        CU_ASSERT_FATAL(full != NULL);
        ip_send_check((struct iphdr *)skb_network_header(full));
        CU_ASSERT(pkt_l4_checksum(full));
        CU_ASSERT_EQUAL(memcmp(skb->data, full->data, skb->len), 0);
        CU_ASSERT_EQUAL(ip_fast_csum(iph, 5), 0);
        CU_ASSERT_FATAL(eth_push(skb, mac_a, mac_b, ETH_P_IP));
        CU_ASSERT_EQUAL(pkt_parse_skb(skb, NULL), PKT_OK);
        skb_free(&pool, full);
        skb_free(&pool, skb);
    }
}

/* ---- round trips --------------------------------------------------------------- */

static void test_roundtrip(void)
{
    struct pkt_info info;

    struct sk_buff *skb = build_vec_syn();
    CU_ASSERT_FATAL(eth_push(skb, mac_a, mac_b, ETH_P_IP));
    CU_ASSERT_EQUAL(skb->mac_header, SKB_HEADROOM - ETH_HLEN);
    CU_ASSERT_EQUAL(skb->protocol, ETH_P_IP);
    CU_ASSERT_EQUAL(memcmp(skb->data, mac_b, ETH_ALEN), 0);
    CU_ASSERT_EQUAL(memcmp(skb->data + ETH_ALEN, mac_a, ETH_ALEN), 0);
    CU_ASSERT_EQUAL(get16(skb->data + 12), ETH_P_IP);
    CU_ASSERT_EQUAL(pkt_parse_skb(skb, &info), PKT_OK);
    CU_ASSERT_EQUAL(info.ethertype, ETH_P_IP);
    CU_ASSERT_EQUAL(info.l3_off, 14);
    CU_ASSERT_EQUAL(info.l4_off, 34);
    CU_ASSERT_EQUAL(info.proto, IPPROTO_TCP);
    CU_ASSERT_FALSE(info.fragment);
    CU_ASSERT_EQUAL(info.ip_len, 44);
    CU_ASSERT_EQUAL(info.l4_len, 24);
    CU_ASSERT_EQUAL(info.saddr, ip4(10, 0, 0, 1));
    CU_ASSERT_EQUAL(info.daddr, ip4(10, 0, 0, 100));
    CU_ASSERT_EQUAL(info.sport, htons(40000));
    CU_ASSERT_EQUAL(info.dport, htons(80));
    CU_ASSERT_EQUAL(info.tcp_flags, TCPH_SYN);
    /* the L4 sum recomputed on a pushed frame is the same */
    CU_ASSERT(pkt_l4_checksum(skb));
    CU_ASSERT_EQUAL(memcmp(skb->data + ETH_HLEN, vec_syn, sizeof vec_syn), 0);
    skb_free(&pool, skb);

    skb = build_vec_udp();
    CU_ASSERT_FATAL(eth_push(skb, mac_a, mac_b, ETH_P_IP));
    CU_ASSERT_EQUAL(pkt_parse_skb(skb, &info), PKT_OK);
    CU_ASSERT_EQUAL(info.proto, IPPROTO_UDP);
    CU_ASSERT_EQUAL(info.sport, htons(5353));
    CU_ASSERT_EQUAL(info.dport, htons(53));
    CU_ASSERT_EQUAL(info.l4_len, 13);
    skb_free(&pool, skb);

    /* ICMP echo: id in sport */
    skb = new_skb();
    struct ip4_spec ip = { .saddr = ip4(10, 0, 0, 1), .daddr = ip4(10, 0, 0, 2) };
    const uint8_t rest_b[4] = { 0x12, 0x34, 0x00, 0x07 };
    be32 rest;
    memcpy(&rest, rest_b, 4);
    CU_ASSERT_FATAL(pkt_build_icmp(skb, &ip, ICMP_ECHO, 0, rest, "ping!", 5));
    CU_ASSERT_FATAL(eth_push(skb, mac_a, mac_b, ETH_P_IP));
    CU_ASSERT_EQUAL(pkt_parse_skb(skb, &info), PKT_OK);
    CU_ASSERT_EQUAL(info.proto, IPPROTO_ICMP);
    CU_ASSERT_EQUAL(info.sport, htons(0x1234));
    CU_ASSERT_EQUAL(info.l4_len, 13);
    const uint8_t *ic = skb->data + 34;
    CU_ASSERT_EQUAL(ref_csum(ic, 13, 0), 0);                 /* valid: sums to all ones */
    skb_free(&pool, skb);

    /* a big virtual UDP payload round-trips too */
    skb = new_skb();
    CU_ASSERT_FATAL(pkt_build_udp(skb, &ip, htons(1), htons(2), 1472));
    CU_ASSERT_FATAL(eth_push(skb, mac_a, mac_b, ETH_P_IP));
    CU_ASSERT_EQUAL(skb_wire_len(skb), 1514);
    CU_ASSERT_EQUAL(pkt_parse_skb(skb, &info), PKT_OK);
    CU_ASSERT_EQUAL(info.ip_len, 1500);
    skb_free(&pool, skb);
}

/* ---- parse errors -------------------------------------------------------------- */

static void test_parse_errors(void)
{
    uint8_t f[128];
    struct pkt_info info;
    uint32_t n;

    /* baseline */
    n = make_frame(f, vec_udp, sizeof vec_udp);
    CU_ASSERT_EQUAL(parse_exact(f, n, n, &info), PKT_OK);

    CU_ASSERT_EQUAL(parse_exact(f, 13, 13, &info), PKT_ETH_SHORT);
    CU_ASSERT_EQUAL(parse_exact(f, 0, 0, &info), PKT_ETH_SHORT);

    f[12] = 0x08;
    f[13] = 0x06;
    CU_ASSERT_EQUAL(parse_exact(f, n, n, &info), PKT_NOT_IP);
    CU_ASSERT_EQUAL(info.ethertype, ETH_P_ARP);
    f[13] = 0x00;

    CU_ASSERT_EQUAL(parse_exact(f, 33, 33, &info), PKT_IP_SHORT);

    f[14] = 0x65;
    CU_ASSERT_EQUAL(parse_exact(f, n, n, &info), PKT_IP_VERSION);
    f[14] = 0x44;
    CU_ASSERT_EQUAL(parse_exact(f, n, n, &info), PKT_IP_IHL);
    f[14] = 0x4f;                                          /* 60 > 33 bytes there */
    CU_ASSERT_EQUAL(parse_exact(f, n, n, &info), PKT_IP_IHL);
    f[14] = 0x45;

    put16(f + 16, 19);
    fix_ip(f);
    CU_ASSERT_EQUAL(parse_exact(f, n, n, &info), PKT_IP_TOTLEN);
    put16(f + 16, 34);
    fix_ip(f);
    CU_ASSERT_EQUAL(parse_exact(f, n, n, &info), PKT_IP_TOTLEN);
    put16(f + 16, 33);
    fix_ip(f);
    CU_ASSERT_EQUAL(parse_exact(f, n, n, &info), PKT_OK);

    f[14 + 8]--;                                           /* ttl without fixing */
    CU_ASSERT_EQUAL(parse_exact(f, n, n, &info), PKT_IP_CSUM);
    f[14 + 8]++;
    f[14 + 11] ^= 0x80;
    CU_ASSERT_EQUAL(parse_exact(f, n, n, &info), PKT_IP_CSUM);
    f[14 + 11] ^= 0x80;

    /* UDP: IP length leaves less than a UDP header; bad UDP lengths */
    put16(f + 16, 27);
    fix_ip(f);
    CU_ASSERT_EQUAL(parse_exact(f, n, n, &info), PKT_L4_SHORT);
    put16(f + 16, 33);
    fix_ip(f);
    put16(f + 38, 7);
    CU_ASSERT_EQUAL(parse_exact(f, n, n, &info), PKT_L4_SHORT);
    put16(f + 38, 14);
    CU_ASSERT_EQUAL(parse_exact(f, n, n, &info), PKT_L4_SHORT);
    put16(f + 38, 13);
    CU_ASSERT_EQUAL(parse_exact(f, n, n, &info), PKT_OK);

    f[n - 1] ^= 0x20;                                      /* "hellO" */
    CU_ASSERT_EQUAL(parse_exact(f, n, n, &info), PKT_L4_CSUM);
    put16(f + 40, 0);                                      /* no checksum: accepted */
    CU_ASSERT_EQUAL(parse_exact(f, n, n, &info), PKT_OK);
    CU_ASSERT_EQUAL(info.sport, htons(5353));

    /* TCP */
    n = make_frame(f, vec_syn, sizeof vec_syn);
    CU_ASSERT_EQUAL(parse_exact(f, n, n, &info), PKT_OK);
    f[34 + 12] = 0x40;                                     /* doff 4 */
    CU_ASSERT_EQUAL(parse_exact(f, n, n, &info), PKT_L4_SHORT);
    f[34 + 12] = 0x70;                                     /* 28 > 24 */
    CU_ASSERT_EQUAL(parse_exact(f, n, n, &info), PKT_L4_SHORT);
    f[34 + 12] = 0x60;
    put16(f + 16, 39);                                     /* 19 bytes of TCP */
    fix_ip(f);
    CU_ASSERT_EQUAL(parse_exact(f, n, n, &info), PKT_L4_SHORT);
    put16(f + 16, 44);
    fix_ip(f);
    f[n - 1] ^= 1;                                         /* MSS option byte */
    CU_ASSERT_EQUAL(parse_exact(f, n, n, &info), PKT_L4_CSUM);
    f[n - 1] ^= 1;
    CU_ASSERT_EQUAL(parse_exact(f, n, n, &info), PKT_OK);

    /* ICMP */
    n = make_frame(f, vec_icmp, sizeof vec_icmp);
    CU_ASSERT_EQUAL(parse_exact(f, n, n, &info), PKT_OK);
    CU_ASSERT_EQUAL(info.sport, 0);                        /* not an echo */
    f[n - 3] ^= 4;
    CU_ASSERT_EQUAL(parse_exact(f, n, n, &info), PKT_L4_CSUM);
    f[n - 3] ^= 4;
    put16(f + 16, 27);
    fix_ip(f);
    CU_ASSERT_EQUAL(parse_exact(f, n, n, &info), PKT_L4_SHORT);

    /* strings: all there and all different */
    for (int a = 0; a < PKT_ERR_COUNT; a++) {
        CU_ASSERT_PTR_NOT_NULL(pkt_err_str((enum pkt_err)a));
        for (int b = 0; b < a; b++)
            CU_ASSERT_STRING_NOT_EQUAL(pkt_err_str((enum pkt_err)a), pkt_err_str((enum pkt_err)b));
    }
    CU_ASSERT_STRING_EQUAL(pkt_err_str(PKT_OK), "ok");
    CU_ASSERT_PTR_NOT_NULL(pkt_err_str((enum pkt_err)99));
}

static void test_parse_fragments_padding_other(void)
{
    uint8_t f[128];
    struct pkt_info info;
    uint32_t n = make_frame(f, vec_udp, sizeof vec_udp);

    /* MF: L4 is not parsed, a bad L4 checksum goes unnoticed */
    f[n - 1] ^= 0x20;
    put16(f + 20, IP_MF);
    fix_ip(f);
    CU_ASSERT_EQUAL(parse_exact(f, n, n, &info), PKT_OK);
    CU_ASSERT(info.fragment);
    CU_ASSERT_EQUAL(info.sport, 0);
    CU_ASSERT_EQUAL(info.l4_off, 34);
    /* a non-zero offset too, with DF set alongside */
    put16(f + 20, IP_DF | 3);
    fix_ip(f);
    CU_ASSERT_EQUAL(parse_exact(f, n, n, &info), PKT_OK);
    CU_ASSERT(info.fragment);
    /* DF alone is not a fragment */
    put16(f + 20, IP_DF);
    fix_ip(f);
    CU_ASSERT_EQUAL(parse_exact(f, n, n, &info), PKT_L4_CSUM);
    CU_ASSERT_FALSE(info.fragment);
    f[n - 1] ^= 0x20;
    CU_ASSERT_EQUAL(parse_exact(f, n, n, &info), PKT_OK);

    /* Ethernet padding to 60 bytes with garbage after tot_len */
    memset(f + n, 0xaa, ETH_ZLEN - n);
    CU_ASSERT_EQUAL(parse_exact(f, ETH_ZLEN, ETH_ZLEN, &info), PKT_OK);
    CU_ASSERT_EQUAL(info.ip_len, 33);

    /* UDP length below the IP payload (trailing byte inside IP): the UDP sum covers
     * the UDP length only */
    put16(f + 16, 34);
    fix_ip(f);
    CU_ASSERT_EQUAL(parse_exact(f, n + 1, n + 1, &info), PKT_OK);
    CU_ASSERT_EQUAL(info.l4_len, 14);

    /* another protocol (IPIP) is left alone */
    n = make_frame(f, vec_udp, sizeof vec_udp);
    f[14 + 9] = 4;
    fix_ip(f);
    CU_ASSERT_EQUAL(parse_exact(f, n, n, &info), PKT_OK);
    CU_ASSERT_EQUAL(info.proto, 4);
    CU_ASSERT_EQUAL(info.sport, 0);

    /* NULL info and a NULL frame are fine */
    n = make_frame(f, vec_udp, sizeof vec_udp);
    CU_ASSERT_EQUAL(pkt_parse(f, n, n, NULL), PKT_OK);
    CU_ASSERT_EQUAL(pkt_parse(NULL, 0, 100, &info), PKT_NOT_IP);
    /* wire_len below len counts as len */
    CU_ASSERT_EQUAL(parse_exact(f, n, 0, &info), PKT_OK);
}

static void test_parse_truncations(void)
{
    uint8_t f[128];
    struct pkt_info info;
    uint32_t n = make_frame(f, vec_udp, sizeof vec_udp);
    for (uint32_t k = 0; k <= n; k++) {
        enum pkt_err e = parse_exact(f, k, k, &info);
        enum pkt_err want = k < 14 ? PKT_ETH_SHORT : k < 34 ? PKT_IP_SHORT
                            : k < n ? PKT_IP_TOTLEN : PKT_OK;
        CU_ASSERT_EQUAL(e, want);
        /* the rest as virtual zeros: whatever the answer, never an overread */
        (void)parse_exact(f, k, n, &info);
    }

    /* real headers + virtual payload, and every truncation of that */
    struct sk_buff *skb = new_skb();
    struct ip4_spec ip = { .saddr = ip4(10, 0, 0, 1), .daddr = ip4(10, 0, 0, 2) };
    struct tcp_spec tcp = { .sport = htons(1), .dport = htons(2), .flags = TCPH_ACK, .mss = 536 };
    CU_ASSERT_FATAL(pkt_build_tcp(skb, &ip, &tcp, 333));
    CU_ASSERT_FATAL(eth_push(skb, mac_a, mac_b, ETH_P_IP));
    uint32_t w = skb_wire_len(skb);
    CU_ASSERT_EQUAL(w, 14 + 44 + 333);
    for (uint32_t k = 0; k <= skb->len; k++)
        (void)parse_exact(skb->data, k, w, &info);
    CU_ASSERT_EQUAL(parse_exact(skb->data, skb->len, w, &info), PKT_OK);
    CU_ASSERT_EQUAL(parse_exact(skb->data, skb->len, w - 1, &info), PKT_IP_TOTLEN);
    skb_free(&pool, skb);
}

static void test_parse_mutations(void)
{
    /* a small fuzz run: mutated and truncated valid frames, under ASan */
    rng_state = 0xf022;
    uint8_t base[3][128];
    uint32_t blen[3] = {
        make_frame(base[0], vec_syn, sizeof vec_syn),
        make_frame(base[1], vec_udp, sizeof vec_udp),
        make_frame(base[2], vec_icmp, sizeof vec_icmp),
    };
    unsigned ok = 0;
    for (int iter = 0; iter < 20000; iter++) {
        unsigned which = rnd_below(3);
        uint8_t f[128];
        memcpy(f, base[which], blen[which]);
        uint32_t n = blen[which];
        unsigned muts = 1 + rnd_below(4);
        for (unsigned m = 0; m < muts; m++)
            f[rnd_below(n)] = (uint8_t)rnd();
        if (rnd_below(2))
            fix_ip(f);
        uint32_t len = rnd_below(4) ? n : rnd_below(n + 1);
        uint32_t wire = len + (rnd_below(4) ? 0 : rnd_below(2000));
        struct pkt_info info;
        enum pkt_err e = parse_exact(f, len, wire, &info);
        CU_ASSERT((unsigned)e < PKT_ERR_COUNT);
        if (e == PKT_OK) {
            ok++;
            CU_ASSERT(info.ethertype == ETH_P_IP);
            CU_ASSERT(info.l3_off + info.ip_len <= (wire > len ? wire : len));
            CU_ASSERT(info.l4_off == info.l3_off + info.ip_len - info.l4_len);
        }
    }
    CU_ASSERT(ok > 0);
}

/* ---- limits, pkt_l4_checksum refusals ------------------------------------------ */

static void test_build_limits(void)
{
    struct ip4_spec ip = { .saddr = ip4(10, 0, 0, 1), .daddr = ip4(10, 0, 0, 2) };
    static const uint8_t big[300];
    struct sk_buff *skb = new_skb();
    uint32_t room = SKB_BUF_SIZE - SKB_HEADROOM;

    CU_ASSERT_FALSE(pkt_build_udp_data(skb, &ip, 1, 2, big, room - 28 + 1));
    CU_ASSERT_EQUAL(skb->len, 0);
    CU_ASSERT_EQUAL(skb->network_header, SKB_NO_HDR);
    CU_ASSERT_EQUAL(skb->protocol, 0);
    CU_ASSERT_FALSE(pkt_build_icmp(skb, &ip, ICMP_ECHO, 0, 0, big, room - 28 + 1));
    CU_ASSERT_EQUAL(skb->len, 0);
    CU_ASSERT(pkt_build_udp_data(skb, &ip, 1, 2, big, room - 28));
    CU_ASSERT_EQUAL(skb_tailroom(skb), 0);

    /* the 16-bit total length */
    CU_ASSERT(pkt_build_udp(skb, &ip, 1, 2, 65535 - 28));
    CU_ASSERT_FALSE(pkt_build_udp(skb, &ip, 1, 2, 65535 - 28 + 1));
    CU_ASSERT_FALSE(pkt_build_udp(skb, &ip, 1, 2, UINT32_MAX));
    CU_ASSERT_EQUAL(skb->data_len, 65535 - 28);
    struct tcp_spec tcp = { .flags = TCPH_ACK };
    CU_ASSERT(pkt_build_tcp(skb, &ip, &tcp, 65535 - 40));
    tcp.mss = 1460;
    CU_ASSERT_FALSE(pkt_build_tcp(skb, &ip, &tcp, 65535 - 40));
    CU_ASSERT(pkt_build_tcp(skb, &ip, &tcp, 65535 - 44));
    CU_ASSERT_FATAL(eth_push(skb, mac_a, mac_b, ETH_P_IP));
    CU_ASSERT_EQUAL(pkt_parse_skb(skb, NULL), PKT_OK);
    skb_free(&pool, skb);

    /* no headroom for Ethernet */
    skb = new_skb();
    CU_ASSERT_PTR_NOT_NULL(skb_push(skb, SKB_HEADROOM - 10));
    CU_ASSERT_PTR_NOT_NULL(skb_pull(skb, SKB_HEADROOM - 10));    /* back, len 0 */
    CU_ASSERT_PTR_NOT_NULL(skb_push(skb, SKB_HEADROOM - 10));
    CU_ASSERT_FALSE(eth_push(skb, mac_a, mac_b, ETH_P_IP));
    CU_ASSERT_EQUAL(skb->mac_header, SKB_NO_HDR);
    CU_ASSERT_EQUAL(skb->len, SKB_HEADROOM - 10);
    skb_free(&pool, skb);
}

static void test_l4_checksum_refusals(void)
{
    struct pkt_info info;
    struct sk_buff *skb = new_skb();
    CU_ASSERT_FALSE(pkt_l4_checksum(skb));                /* no network header */
    skb_free(&pool, skb);

    skb = build_vec_udp();
    uint8_t *p = skb->data;
    /* fragment: untouched */
    put16(p + 6, IP_MF);
    ip_send_check((struct iphdr *)p);
    p[26] ^= 0xff;
    CU_ASSERT_FALSE(pkt_l4_checksum(skb));
    CU_ASSERT_EQUAL(p[26], 0x23 ^ 0xff);
    put16(p + 6, 0);
    ip_send_check((struct iphdr *)p);
    CU_ASSERT(pkt_l4_checksum(skb));
    CU_ASSERT_EQUAL(memcmp(p, vec_udp, sizeof vec_udp), 0);
    /* tot_len beyond the packet, or a non-L4 protocol */
    put16(p + 2, 200);
    CU_ASSERT_FALSE(pkt_l4_checksum(skb));
    put16(p + 2, 33);
    p[9] = 4;
    CU_ASSERT_FALSE(pkt_l4_checksum(skb));
    p[9] = 17;
    ip_send_check((struct iphdr *)p);
    CU_ASSERT_FATAL(eth_push(skb, mac_a, mac_b, ETH_P_IP));
    CU_ASSERT_EQUAL(pkt_parse_skb(skb, &info), PKT_OK);
    skb_free(&pool, skb);
}

/* ---- skb byte helpers ---------------------------------------------------------- */

static void test_skb_ops(void)
{
    struct skb_pool p;
    skb_pool_init(&p);
    struct sk_buff *skb = skb_alloc(&p, 5);
    CU_ASSERT_PTR_NOT_NULL_FATAL(skb);
    CU_ASSERT_EQUAL(p.in_use, 1);
    CU_ASSERT_EQUAL(skb->born, 5);
    CU_ASSERT_EQUAL(skb_headroom(skb), SKB_HEADROOM);
    CU_ASSERT_EQUAL(skb_tailroom(skb), SKB_BUF_SIZE - SKB_HEADROOM);
    CU_ASSERT_EQUAL(skb->len, 0);
    CU_ASSERT_EQUAL(skb->data_len, 0);
    CU_ASSERT_EQUAL(skb->mac_header, SKB_NO_HDR);
    CU_ASSERT_EQUAL(skb->network_header, SKB_NO_HDR);
    CU_ASSERT_EQUAL(skb->transport_header, SKB_NO_HDR);

    /* headroom */
    CU_ASSERT_PTR_NULL(skb_push(skb, SKB_HEADROOM + 1));
    CU_ASSERT_EQUAL(skb->len, 0);
    uint8_t *h = skb_push(skb, SKB_HEADROOM);
    CU_ASSERT_PTR_EQUAL(h, skb->head);
    CU_ASSERT_EQUAL(skb->len, SKB_HEADROOM);
    CU_ASSERT_EQUAL(skb_headroom(skb), 0);
    CU_ASSERT_PTR_NULL(skb_push(skb, 1));
    CU_ASSERT_PTR_NULL(skb_pull(skb, SKB_HEADROOM + 1));
    CU_ASSERT_PTR_EQUAL(skb_pull(skb, SKB_HEADROOM), skb->head + SKB_HEADROOM);
    CU_ASSERT_EQUAL(skb->len, 0);
    CU_ASSERT_PTR_EQUAL(skb_pull(skb, 0), skb->data);

    /* tailroom */
    uint32_t room = skb_tailroom(skb);
    CU_ASSERT_PTR_NULL(skb_put(skb, room + 1));
    uint8_t *t = skb_put(skb, 4);
    CU_ASSERT_PTR_EQUAL(t, skb->data);
    memcpy(t, "\x01\x02\x03\x04", 4);
    CU_ASSERT_EQUAL(skb_tailroom(skb), room - 4);
    CU_ASSERT_PTR_EQUAL(skb_put(skb, room - 4), skb->data + 4);
    CU_ASSERT_EQUAL(skb_tailroom(skb), 0);
    CU_ASSERT_PTR_NULL(skb_put(skb, 1));
    CU_ASSERT_PTR_NOT_NULL(skb_pull(skb, room - 4));      /* drop from the front ... */
    skb->data = skb->head + SKB_HEADROOM;                  /* ... and rewind for the rest */
    skb->len = 4;

    /* copy_wire: real bytes, then zeros for the virtual ones, capped */
    skb->data_len = 6;
    CU_ASSERT_EQUAL(skb_wire_len(skb), 10);
    uint8_t out[16];
    memset(out, 0xee, sizeof out);
    CU_ASSERT_EQUAL(skb_copy_wire(skb, out, sizeof out), 10);
    static const uint8_t want[11] = { 1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0xee };
    CU_ASSERT_EQUAL(memcmp(out, want, sizeof want), 0);
    memset(out, 0xee, sizeof out);
    CU_ASSERT_EQUAL(skb_copy_wire(skb, out, 2), 2);
    CU_ASSERT_EQUAL(out[1], 2);
    CU_ASSERT_EQUAL(out[2], 0xee);
    memset(out, 0xee, sizeof out);
    CU_ASSERT_EQUAL(skb_copy_wire(skb, out, 7), 7);
    CU_ASSERT_EQUAL(out[6], 0);
    CU_ASSERT_EQUAL(out[7], 0xee);
    CU_ASSERT_EQUAL(skb_copy_wire(skb, out, 0), 0);

    /* clone: same bytes and offsets, new id */
    skb->network_header = SKB_HEADROOM;
    struct sk_buff *c = skb_clone(&p, skb, 9);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_NOT_EQUAL(c->id, skb->id);
    CU_ASSERT_EQUAL(c->born, 9);
    CU_ASSERT_EQUAL(skb_headroom(c), skb_headroom(skb));
    CU_ASSERT_EQUAL(c->len, 4);
    CU_ASSERT_EQUAL(c->data_len, 6);
    CU_ASSERT_EQUAL(memcmp(c->data, skb->data, 4), 0);
    CU_ASSERT_PTR_EQUAL(skb_network_header(c), c->data);
    CU_ASSERT_EQUAL(p.in_use, 2);
    skb_free(&p, c);
    skb_free(&p, skb);
    CU_ASSERT_EQUAL(p.in_use, 0);

    /* the pool limit */
    p.limit = 1;
    skb = skb_alloc(&p, 0);
    CU_ASSERT_PTR_NOT_NULL(skb);
    CU_ASSERT_PTR_NULL(skb_alloc(&p, 0));
    skb_free(&p, skb);
    skb_pool_destroy(&p);
}

/* ---- registration -------------------------------------------------------------- */

static int pkt_suite_init(void)
{
    skb_pool_init(&pool);
    return 0;
}

static int pkt_suite_clean(void)
{
    int leaked = pool.in_use != 0;
    skb_pool_destroy(&pool);
    return leaked;
}

IPVSIM_SUITE(pkt)
{
    CU_pSuite s = CU_add_suite("pkt", pkt_suite_init, pkt_suite_clean);
    ADD_TEST(s, test_struct_sizes);
    ADD_TEST(s, test_csum_classic_ip);
    ADD_TEST(s, test_csum_ip_20_byte_form);
    ADD_TEST(s, test_csum_rfc1071_example);
    ADD_TEST(s, test_csum_odd_lengths);
    ADD_TEST(s, test_csum_add_sub);
    ADD_TEST(s, test_csum_pseudo);
    ADD_TEST(s, test_csum_replace_basic);
    ADD_TEST(s, test_build_tcp_syn_vector);
    ADD_TEST(s, test_build_udp_vector);
    ADD_TEST(s, test_build_tcp_virtual_vector);
    ADD_TEST(s, test_build_icmp_vector);
    ADD_TEST(s, test_udp_zero_checksum_sent_as_ones);
    ADD_TEST(s, test_virtual_equals_real_zeros);
    ADD_TEST(s, test_odd_payloads);
    ADD_TEST(s, test_incremental_equals_full);
    ADD_TEST(s, test_roundtrip);
    ADD_TEST(s, test_parse_errors);
    ADD_TEST(s, test_parse_fragments_padding_other);
    ADD_TEST(s, test_parse_truncations);
    ADD_TEST(s, test_parse_mutations);
    ADD_TEST(s, test_build_limits);
    ADD_TEST(s, test_l4_checksum_refusals);
    ADD_TEST(s, test_skb_ops);
}
