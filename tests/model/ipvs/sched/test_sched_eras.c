/* Schedulers whose algorithm changed between kernel eras (profile ipvs_sh and
 * ipvs_wrr_gcd_start): the exact buckets and picks of sh and wrr in 2.6.34, 4.9 and
 * 6.x. Sequences were worked out from the eras' sources (ip_vs_sh.c, ip_vs_wrr.c).
 *
 * As in test_sched_algos.c: a director of the given era, one service on
 * 10.0.0.100:80, dests named by letter (A is 10.0.0.1:80, ...), each added at the
 * head of the list (adding A, B, C gives the list C, B, A). */
#include <arpa/inet.h>
#include <glib.h>
#include <string.h>
#include "tests/testutil.h"
#include "model/ipvs/ip_vs.h"
#include "model/ipvs/ip_vs_ctl.h"
#include "model/ipvs/sched/sched_util.h"
#include "model/net.h"
#include "model/profile.h"
#include "sim/pkt.h"
#include "sim/world.h"

struct efx {
    struct world w;
    struct net *net;
    struct ip_vs_service *svc;
    struct ip_vs_service_user su;
    be32 caddr;
    uint16_t cport;
    char buf[64];
};

static be32 letter_addr(char c)
{
    return htonl(0x0a000000u + (uint32_t)(c - 'A' + 1));
}

static void efx_init(struct efx *f, const char *era, const char *sched, unsigned flags)
{
    memset(f, 0, sizeof *f);
    world_init(&f->w, 1);
    const struct kernel_profile *prof = kernel_profile_find(era);
    CU_ASSERT_PTR_NOT_NULL_FATAL(prof);
    f->net = net_new(host_new(&f->w, "director"), prof);
    f->su.protocol = IPPROTO_TCP;
    f->su.addr = htonl(0x0a000064u);
    f->su.port = htons(80);
    f->su.flags = flags;
    g_strlcpy(f->su.sched_name, sched, sizeof f->su.sched_name);
    CU_ASSERT_EQUAL_FATAL(ip_vs_add_service(ip_vs_net(f->net), &f->su, &f->svc), 0);
    f->caddr = htonl(0xc0a80001u);
    f->cport = 1024;
}

static void efx_bind(struct efx *f, const char *sched)
{
    g_strlcpy(f->su.sched_name, sched, sizeof f->su.sched_name);
    CU_ASSERT_EQUAL(ip_vs_edit_service(f->svc, &f->su), 0);
}

static void efx_add(struct efx *f, char c, int weight)
{
    struct ip_vs_dest_user u = { .addr = letter_addr(c), .port = htons(80), .weight = weight };
    CU_ASSERT_EQUAL(ip_vs_add_dest(f->svc, &u), 0);
}

static void efx_edit(struct efx *f, char c, int weight)
{
    struct ip_vs_dest_user u = { .addr = letter_addr(c), .port = htons(80), .weight = weight };
    CU_ASSERT_EQUAL(ip_vs_edit_dest(f->svc, &u), 0);
}

static void efx_del(struct efx *f, char c)
{
    CU_ASSERT_EQUAL(ip_vs_del_dest(f->svc, letter_addr(c), htons(80)), 0);
}

static void efx_overload(struct efx *f, char c, bool on)
{
    struct ip_vs_dest *d = ip_vs_lookup_dest(f->svc, letter_addr(c), htons(80));
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    if (on)
        d->flags |= IP_VS_DEST_F_OVERLOAD;
    else
        d->flags &= ~IP_VS_DEST_F_OVERLOAD;
}

/* One SYN from the current client and port through the scheduler (nothing held). */
static char efx_pick(struct efx *f)
{
    struct skb_pool *pool = net_pool(f->net);
    struct sk_buff *skb = skb_alloc(pool, net_now(f->net));
    struct ip4_spec ip = { .saddr = f->caddr, .daddr = f->su.addr };
    struct tcp_spec t = { .sport = htons(f->cport), .dport = htons(80), .flags = TCPH_SYN,
                          .window = 1000 };
    CU_ASSERT_FATAL(pkt_build_tcp(skb, &ip, &t, 0));
    struct ip_vs_iphdr iph = { .len = 20, .protocol = IPPROTO_TCP, .saddr = f->caddr,
                               .daddr = f->su.addr };
    struct ip_vs_dest *d = f->svc->scheduler ? f->svc->scheduler->schedule(f->svc, skb, &iph) : NULL;
    skb_free(pool, skb);
    return d ? (char)('A' + (ntohl(d->addr) & 0xff) - 1) : '-';
}

/* n picks, the source port counting up from 1024 (sh-port sees it). */
static const char *efx_picks(struct efx *f, int n)
{
    for (int i = 0; i < n; i++, f->cport++)
        f->buf[i] = efx_pick(f);
    f->buf[n] = '\0';
    return f->buf;
}

/* One pick each from clients 192.168.0.1 .. 192.168.0.n, port 1024. */
static const char *efx_clients(struct efx *f, int n)
{
    for (int i = 0; i < n; i++) {
        f->caddr = htonl(0xc0a80000u + (uint32_t)(i + 1));
        f->cport = 1024;
        f->buf[i] = efx_pick(f);
    }
    f->buf[n] = '\0';
    return f->buf;
}

static void efx_destroy(struct efx *f)
{
    world_destroy(&f->w);
}

/* ==== sh ============================================================================ */

/* The bucket of clients 192.168.0.1..12 (port 0). Only the low byte of the address
 * reaches the low 8 bits of a product, so the multiplicative eras give
 * (i * 0xB1) & 255; hash_32 keeps the top 8 bits of addr * 0x61C88647. */
static void test_sh_hashkey_per_era(void)
{
    static const unsigned mult[12] = { 177, 98, 19, 196, 117, 38, 215, 136, 57, 234, 155, 76 };
    static const unsigned h32[12] = { 192, 34, 131, 229, 71, 169, 11, 108, 206, 48, 146, 243 };
    for (unsigned i = 0; i < 12; i++) {
        be32 a = htonl(0xc0a80000u + i + 1);
        CU_ASSERT_EQUAL(ip_vs_sh_hashkey(IP_VS_SH_2_6, a, 0, 0), mult[i]);
        CU_ASSERT_EQUAL(ip_vs_sh_hashkey(IP_VS_SH_MULT, a, 0, 0), mult[i]);
        CU_ASSERT_EQUAL(ip_vs_sh_hashkey(IP_VS_SH_HASH_32, a, 0, 0), h32[i]);
    }
    /* 4.9 with sh-port and an offset: (offset + (port + addr) * 2654435761) & 255;
     * 2.6.34 takes neither. 192.168.0.1, port 1024: (1024 + 0xc0a80001) * 0x...B1
     * ends in 0xB1 + 0 (1024 has a zero low byte) -> 177, +5 -> 182. */
    be32 a = htonl(0xc0a80001u);
    CU_ASSERT_EQUAL(ip_vs_sh_hashkey(IP_VS_SH_MULT, a, htons(1024), 5), 182);
    CU_ASSERT_EQUAL(ip_vs_sh_hashkey(IP_VS_SH_2_6, a, htons(1024), 5), 177);
    CU_ASSERT_EQUAL(ip_vs_sh_hashkey(IP_VS_SH_MULT, a, htons(1025), 0), (177 + 177) & 255);
}

/* List C(1) B(2) A(1). 2.6.34 ignores weights: bucket i holds "CBA"[i % 3];
 * 4.9 and 6.x fill by weight: "CBBA"[i % 4]. Buckets as above:
 *   2.6.34: 177 98 19 ... % 3 -> C A B B C A A B C C A B
 *   4.9:    the same buckets % 4 -> B B A C B B A C B B A C
 *   6.x:    192 34 131 ... % 4 -> C B A B A B A C B C B A */
static void test_sh_table_per_era(void)
{
    static const struct { const char *era, *want; } cases[] = {
        { "2.6.34", "CABBCAABCCAB" }, { "4.9", "BBACBBACBBAC" }, { "6.x", "CBABABACBCBA" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        struct efx f;
        efx_init(&f, cases[i].era, "sh", 0);
        efx_add(&f, 'A', 1);
        efx_add(&f, 'B', 2);
        efx_add(&f, 'C', 1);
        CU_ASSERT_STRING_EQUAL(efx_clients(&f, 12), cases[i].want);
        efx_destroy(&f);
    }
}

/* sh-port (IP_VS_SVC_F_SCHED2) from 192.168.0.1, ports 1024..1035: 4.9 adds the port
 * (buckets 177 98 19 ..., "CBBA"[b % 4]); 2.6.34 has no such flag: every port lands
 * in bucket 177 -> C. */
static void test_sh_port_per_era(void)
{
    struct efx f;
    efx_init(&f, "4.9", "sh", IP_VS_SVC_F_SCHED2);
    efx_add(&f, 'A', 1);
    efx_add(&f, 'B', 2);
    efx_add(&f, 'C', 1);
    CU_ASSERT_STRING_EQUAL(efx_picks(&f, 12), "BBACBBACBBAC");
    efx_destroy(&f);

    efx_init(&f, "2.6.34", "sh", IP_VS_SVC_F_SCHED2);
    efx_add(&f, 'A', 1);
    efx_add(&f, 'B', 2);
    efx_add(&f, 'C', 1);
    CU_ASSERT_STRING_EQUAL(efx_picks(&f, 12), "CCCCCCCCCCCC");
    efx_destroy(&f);
}

/* 4.9 with sh-fallback and B quiesced (table "CBA"[i % 3]): clients in B's buckets
 * probe (ro + key * K) & 255 with ro = (off + h) % 256, i.e. bucket 2h + off:
 *   client 3, h = 19: 38 % 3 = 2 -> A;  client 4, h = 196: 392 & 255 = 136 -> 1 (B),
 *   137 % 3 = 2 -> A;  client 8, h = 136: 272 & 255 = 16 -> 1 (B), 17 -> 2 -> A;
 *   client 12, h = 76: 152 -> 2 -> A.
 * Without the flag those four get no dest. 2.6.34 ignores the flag. */
static void test_sh_fallback_per_era(void)
{
    static const struct { const char *era; unsigned flags; const char *want; } cases[] = {
        { "4.9", IP_VS_SVC_F_SCHED1, "CAAACAAACCAA" },
        { "4.9", 0, "CA--CAA-CCA-" },
        { "2.6.34", IP_VS_SVC_F_SCHED1, "CA--CAA-CCA-" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        struct efx f;
        efx_init(&f, cases[i].era, "sh", cases[i].flags);
        efx_add(&f, 'A', 1);
        efx_add(&f, 'B', 2);
        efx_add(&f, 'C', 1);
        efx_edit(&f, 'B', 0);
        CU_ASSERT_STRING_EQUAL(efx_clients(&f, 12), cases[i].want);
        efx_destroy(&f);
    }
}

/* ==== wrr =========================================================================== */

/* Bound after the dests (list C(2) B(3) A(4)): both algorithms start with a pass at
 * weight >= 4 (2.6.34: cw 0 - di wraps to mw = 4), so the canonical cycle is the
 * same. */
static void test_wrr_canonical_both_eras(void)
{
    static const char *const eras[] = { "2.6.34", "6.x" };
    for (size_t i = 0; i < G_N_ELEMENTS(eras); i++) {
        struct efx f;
        efx_init(&f, eras[i], "none", 0);
        efx_add(&f, 'A', 4);
        efx_add(&f, 'B', 3);
        efx_add(&f, 'C', 2);
        efx_bind(&f, "wrr");
        CU_ASSERT_STRING_EQUAL(efx_picks(&f, 18), "ABACBACBAABACBACBA");
        efx_destroy(&f);
    }
}

/* Bound before the dests. 2.6.34: cw stays 0 through the updates (0 never exceeds
 * mw), so the first pick wraps to mw = 4 and the cycle is canonical from the start.
 * 6.x: cw ends at 1 after the adds (see test_wrr_sequential_adds): C B A first. */
static void test_wrr_sequential_adds_per_era(void)
{
    static const struct { const char *era, *want; } cases[] = {
        { "2.6.34", "ABACBACBAABACBA" }, { "6.x", "CBAABACBACBAABA" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        struct efx f;
        efx_init(&f, cases[i].era, "wrr", 0);
        efx_add(&f, 'A', 4);
        efx_add(&f, 'B', 3);
        efx_add(&f, 'C', 2);
        CU_ASSERT_STRING_EQUAL(efx_picks(&f, 15), cases[i].want);
        efx_destroy(&f);
    }
}

/* 2.6.34, weight edits (list C(2) B(3) A(4), bound after the dests):
 *   pick 3: A B A (cw 3, position A)
 *   edit C 6: head, mw 6, di 1, cw 3 kept: cw 2: C B A | cw 1: C B A    -> C B A C B A
 *   del B (list C(6) A(4)): mw 6, di gcd(6,4) = 2, cw 1 kept (not above mw): the
 *     next pass lowers it to -1 -> 6: C | 4: C A | 2: C A | 6: C | 4: C A | 2: C
 *     -> C C A C A C C A C   (6.x: cw 1 becomes 3 and mw 5: C A C A C C A C A)
 *   add D(2) (list D C A): mw 6, di 2, cw 2 kept, the position at the head:
 *     0 -> 6: C | 4: C A | 2: D C A | 6: C | 4: C A   -> C C A D C A C C A */
static void test_wrr_edits_2_6_34(void)
{
    struct efx f;
    efx_init(&f, "2.6.34", "none", 0);
    efx_add(&f, 'A', 4);
    efx_add(&f, 'B', 3);
    efx_add(&f, 'C', 2);
    efx_bind(&f, "wrr");
    CU_ASSERT_STRING_EQUAL(efx_picks(&f, 3), "ABA");
    efx_edit(&f, 'C', 6);
    CU_ASSERT_STRING_EQUAL(efx_picks(&f, 6), "CBACBA");
    efx_del(&f, 'B');
    CU_ASSERT_STRING_EQUAL(efx_picks(&f, 9), "CCACACCAC");
    efx_add(&f, 'D', 2);
    CU_ASSERT_STRING_EQUAL(efx_picks(&f, 9), "CCADCACCA");
    efx_destroy(&f);
}

/* Lowering a weight below the gcd (list B(2) A(4), di 2): both eras give A B A A B A
 * first; then edit B 1 (di 1, cw 2 kept in both): B A | A | A | A | B A ... */
static void test_wrr_lowered_weight_both_eras(void)
{
    static const char *const eras[] = { "2.6.34", "6.x" };
    for (size_t i = 0; i < G_N_ELEMENTS(eras); i++) {
        struct efx f;
        efx_init(&f, eras[i], "none", 0);
        efx_add(&f, 'A', 4);
        efx_add(&f, 'B', 2);
        efx_bind(&f, "wrr");
        CU_ASSERT_STRING_EQUAL(efx_picks(&f, 6), "ABAABA");
        efx_edit(&f, 'B', 1);
        CU_ASSERT_STRING_EQUAL(efx_picks(&f, 10), "BAAAABAAAA");
        efx_destroy(&f);
    }
}

/* 2.6.34: all weights 0 -> no dest; OVERLOADed dests are skipped; with every dest
 * OVERLOADed the walk stops (back at its start during the cw == di pass) and the
 * next pick still finds nothing; clearing the flag resumes the rotation. */
static void test_wrr_zero_and_overload_2_6_34(void)
{
    struct efx f;
    efx_init(&f, "2.6.34", "wrr", 0);
    efx_add(&f, 'A', 0);
    efx_add(&f, 'B', 0);
    CU_ASSERT_STRING_EQUAL(efx_picks(&f, 2), "--");
    efx_edit(&f, 'A', 1);
    efx_edit(&f, 'B', 1);
    efx_add(&f, 'C', 1);
    CU_ASSERT_STRING_EQUAL(efx_picks(&f, 6), "CBACBA");
    efx_overload(&f, 'A', true);
    CU_ASSERT_STRING_EQUAL(efx_picks(&f, 4), "CBCB");
    efx_overload(&f, 'B', true);
    efx_overload(&f, 'C', true);
    CU_ASSERT_STRING_EQUAL(efx_picks(&f, 2), "--");
    efx_overload(&f, 'C', false);
    CU_ASSERT_STRING_EQUAL(efx_picks(&f, 2), "CC");
    efx_destroy(&f);
}

IPVSIM_SUITE(sched_eras)
{
    CU_pSuite s = CU_add_suite("sched_eras", NULL, NULL);
    ADD_TEST(s, test_sh_hashkey_per_era);
    ADD_TEST(s, test_sh_table_per_era);
    ADD_TEST(s, test_sh_port_per_era);
    ADD_TEST(s, test_sh_fallback_per_era);
    ADD_TEST(s, test_wrr_canonical_both_eras);
    ADD_TEST(s, test_wrr_sequential_adds_per_era);
    ADD_TEST(s, test_wrr_edits_2_6_34);
    ADD_TEST(s, test_wrr_lowered_weight_both_eras);
    ADD_TEST(s, test_wrr_zero_and_overload_2_6_34);
}
