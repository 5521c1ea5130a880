/* The hashing schedulers with IPv6 addresses: sh, dh, mh, lblc and lblcr hash the
 * XOR of the address's four 32-bit words (ip_vs_*_hashkey, addr_fold, for
 * AF_INET6), never the 32-bit key ipvsim stores. Expected values are computed here
 * from the address text: the fold by hand, then the kernel's formula. The tables
 * are pinned by equivalence with the IPv4 tests (test_sched_algos.c, whose
 * sequences were derived by hand or with an independent model): an IPv6 service
 * whose dests' folds are 10.0.0.1, 10.0.0.2, ... and whose clients' folds are
 * 192.168.0.1, ... must pick the same letters as the IPv4 one. */
#include <arpa/inet.h>
#include <glib.h>
#include <string.h>
#include "tests/testutil.h"
#include "model/ipvs/ip_vs.h"
#include "model/ipvs/ip_vs_ctl.h"
#include "model/ipvs/sched/sched_util.h"
#include "model/net.h"
#include "sim/in6_key.h"
#include "sim/pkt.h"
#include "sim/world.h"

/* The fold, from the address bytes (big-endian words XORed). */
static uint32_t fold_of(const struct in6_addr *a)
{
    uint32_t f = 0;
    for (int i = 0; i < 16; i += 4)
        f ^= (uint32_t)a->s6_addr[i] << 24 | (uint32_t)a->s6_addr[i + 1] << 16 |
             (uint32_t)a->s6_addr[i + 2] << 8 | a->s6_addr[i + 3];
    return f;
}

static be32 key_of(const char *s)
{
    struct in6_addr a;
    CU_ASSERT_FATAL(inet_pton(AF_INET6, s, &a) == 1);
    return in6_key_get(&a);
}

/* An address of prefix w0:w1::, its last word chosen so that the fold is want. */
static be32 key_with_fold(uint32_t w0, uint32_t w1, uint32_t want)
{
    struct in6_addr a;
    memset(&a, 0, sizeof a);
    uint32_t w[4] = { w0, w1, 0, w0 ^ w1 ^ want };
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++)
            a.s6_addr[4 * i + j] = (uint8_t)(w[i] >> (24 - 8 * j));
    CU_ASSERT_EQUAL(fold_of(&a), want);
    return in6_key_get(&a);
}

static void test_sh_hashkey_ipv6(void)
{
    /* 2001:db8::1: fold 0x20010db9; hash_32: top byte of fold * 0x61C88647 = 63;
     * the multiplicative eras: low byte of fold * 2654435761 = 233. */
    be32 k = key_of("2001:db8::1");
    CU_ASSERT_EQUAL(ip_vs_sh_hashkey(IP_VS_SH_HASH_32, k, 0, 0), 63);
    CU_ASSERT_EQUAL(ip_vs_sh_hashkey(IP_VS_SH_2_6, k, 0, 0), 233);
    CU_ASSERT_EQUAL(ip_vs_sh_hashkey(IP_VS_SH_MULT, k, 0, 0), 233);
    /* 2001:db8:1:2:3:4:5:6: fold 0x20060db8 -> 124, 56; with sh-port 1024 and
     * offset 5 in 4.9: (5 + (1024 + fold) * 2654435761) & 255 = 61 */
    k = key_of("2001:db8:1:2:3:4:5:6");
    struct in6_addr a;
    inet_pton(AF_INET6, "2001:db8:1:2:3:4:5:6", &a);
    CU_ASSERT_EQUAL(fold_of(&a), 0x20060db8u);
    CU_ASSERT_EQUAL(ip_vs_sh_hashkey(IP_VS_SH_HASH_32, k, 0, 0), 124);
    CU_ASSERT_EQUAL(ip_vs_sh_hashkey(IP_VS_SH_2_6, k, 0, 0), 56);
    CU_ASSERT_EQUAL(ip_vs_sh_hashkey(IP_VS_SH_MULT, k, htons(1024), 5), 61);
    /* the formulas in general, over addresses of one prefix */
    for (uint32_t i = 1; i <= 64; i++) {
        be32 key = key_with_fold(0x20010db8u, 0x00010000u, 0xc0a80000u + i * 7919u);
        uint32_t f = 0xc0a80000u + i * 7919u;
        CU_ASSERT_EQUAL(ip_vs_sh_hashkey(IP_VS_SH_HASH_32, key, 0, 0),
                        (uint32_t)(f * 0x61C88647u) >> 24);
        CU_ASSERT_EQUAL(ip_vs_sh_hashkey(IP_VS_SH_2_6, key, 0, 0), (f * 2654435761u) & 255);
    }
}

/* ---- an IPv6 service with letter dests ------------------------------------------------ */

struct fx {
    struct world w;
    struct net *net;
    struct netns_ipvs *ipvs;
    struct ip_vs_service *svc;
    be32 caddr, daddr;
    char buf[64];
};

/* Dest A's fold is 10.0.0.1, B's 10.0.0.2, ... (2001:db8::/64). */
static be32 letter6(char c)
{
    return key_with_fold(0x20010db8u, 0, 0x0a000000u + (uint32_t)(c - 'A' + 1));
}

static char letter_of(const struct ip_vs_dest *d)
{
    return d ? (char)('A' + (fold_of(in6_key_addr(d->addr)) & 0xff) - 1) : '-';
}

static void fx_init(struct fx *f, const char *sched, uint16_t proto)
{
    memset(f, 0, sizeof *f);
    world_init(&f->w, 1);
    f->net = net_new(host_new(&f->w, "director"), NULL);
    f->ipvs = ip_vs_net(f->net);
    struct ip_vs_service_user su = { .af = AF_INET6, .protocol = proto,
                                     .addr = key_of("2001:db8::100"), .port = htons(80),
                                     .netmask = 128 };
    g_strlcpy(su.sched_name, sched, sizeof su.sched_name);
    CU_ASSERT_EQUAL_FATAL(ip_vs_add_service(f->ipvs, &su, &f->svc), 0);
    CU_ASSERT_EQUAL(f->svc->af, AF_INET6);
    f->daddr = su.addr;
}

static void fx_add(struct fx *f, char c, int weight)
{
    struct ip_vs_dest_user u = { .addr = letter6(c), .port = htons(80), .weight = weight,
                                 .conn_flags = IP_VS_CONN_F_MASQ };
    CU_ASSERT_EQUAL(ip_vs_add_dest(f->svc, &u), 0);
}

/* One scheduling decision; the packet's bytes are never read (no -b *-port flag):
 * the scheduler sees the addresses in the ip_vs_iphdr. */
static char fx_pick(struct fx *f, bool hold)
{
    struct skb_pool *pool = net_pool(f->net);
    struct sk_buff *skb = skb_alloc(pool, net_now(f->net));
    struct ip_vs_iphdr iph = { .len = 40, .protocol = (uint8_t)f->svc->protocol,
                               .saddr = f->caddr, .daddr = f->daddr };
    struct ip_vs_dest *d = f->svc->scheduler->schedule(f->svc, skb, &iph);
    skb_free(pool, skb);
    if (d && hold)
        ip_vs_dest_bind_conn(d, d->conn_flags & ~IP_VS_CONN_F_INACTIVE);   /* active */
    return letter_of(d);
}

/* Clients whose folds are 192.168.0.1 .. n (2001:db8:1::/64). */
static const char *fx_clients(struct fx *f, int n)
{
    for (int i = 0; i < n; i++) {
        f->caddr = key_with_fold(0x20010db8u, 0x00010000u, 0xc0a80000u + (uint32_t)(i + 1));
        f->buf[i] = fx_pick(f, false);
    }
    f->buf[n] = '\0';
    return f->buf;
}

/* test_sh_weighted's table: list C(1) B(2) A(1), 6.x. */
static void test_sh_ipv6(void)
{
    struct fx f;
    fx_init(&f, "sh", IPPROTO_TCP);
    fx_add(&f, 'A', 1);
    fx_add(&f, 'B', 2);
    fx_add(&f, 'C', 1);
    CU_ASSERT_STRING_EQUAL(fx_clients(&f, 12), "CBABABACBCBA");
    world_destroy(&f.w);
}

/* test_mh_table's: the dests' permutations hash the folds 10.0.0.x too
 * (ip_vs_mh_permutate, svc->af). */
static void test_mh_ipv6(void)
{
    struct fx f;
    fx_init(&f, "mh", IPPROTO_TCP);
    fx_add(&f, 'A', 4);
    fx_add(&f, 'B', 3);
    fx_add(&f, 'C', 2);
    CU_ASSERT_STRING_EQUAL(fx_clients(&f, 12), "AABBAACBACCB");
    world_destroy(&f.w);
}

/* test_dh_table's: destinations whose folds are 10.1.0.1 .. 6. */
static void test_dh_ipv6(void)
{
    struct fx f;
    fx_init(&f, "dh", IPPROTO_UDP);
    fx_add(&f, 'A', 1);
    fx_add(&f, 'B', 5);
    fx_add(&f, 'C', 1);
    f.caddr = key_of("2001:db8:1::1");
    for (int i = 0; i < 6; i++) {
        f.daddr = key_with_fold(0x20010db8u, 0x00020000u, 0x0a010000u + (uint32_t)(i + 1));
        f.buf[i] = fx_pick(&f, false);
    }
    f.buf[6] = '\0';
    CU_ASSERT_STRING_EQUAL(f.buf, "CCABAC");
    world_destroy(&f.w);
}

/* lblc / lblcr: two destinations with the same fold share a bucket but are two
 * entries (an entry is the address itself): as test_lblc_cache with x and y. */
static void lblc_same_fold(const char *sched)
{
    struct fx f;
    fx_init(&f, sched, IPPROTO_TCP);
    fx_add(&f, 'A', 1);
    fx_add(&f, 'B', 1);
    f.caddr = key_of("2001:db8:1::1");
    be32 x = key_of("2001:db8::1"), y = key_of("2001:db8:0:1::");
    CU_ASSERT_EQUAL(fold_of(in6_key_addr(x)), fold_of(in6_key_addr(y)));
    char got[6];
    f.daddr = x;
    for (int i = 0; i < 3; i++)
        got[i] = fx_pick(&f, true);
    f.daddr = y;
    got[3] = fx_pick(&f, true);
    f.daddr = x;
    got[4] = fx_pick(&f, true);
    got[5] = '\0';
    CU_ASSERT_STRING_EQUAL(got, "BBAAA");
    if (strcmp(got, "BBAAA") != 0)
        fprintf(stderr, "\n  %s: %s\n", sched, got);
    world_destroy(&f.w);
}

static void test_lblc_ipv6(void)
{
    lblc_same_fold("lblc");
}

static void test_lblcr_ipv6(void)
{
    lblc_same_fold("lblcr");
}

IPVSIM_SUITE(sched6)
{
    CU_pSuite s = CU_add_suite("sched6", NULL, NULL);
    ADD_TEST(s, test_sh_hashkey_ipv6);
    ADD_TEST(s, test_sh_ipv6);
    ADD_TEST(s, test_mh_ipv6);
    ADD_TEST(s, test_dh_ipv6);
    ADD_TEST(s, test_lblc_ipv6);
    ADD_TEST(s, test_lblcr_ipv6);
}
