/* The 14 IPVS schedulers against sequences derived by hand from the kernel's
 * scheduler sources (net/netfilter/ipvs/ip_vs_*.c).
 *
 * Every test builds a director (a host with the kernel model), one service on
 * 10.0.0.100:80 through the control plane, and dests named by letter: dest A is
 * 10.0.0.1:80, B 10.0.0.2:80, ... Dests are added with ip_vs_add_dest, so each goes
 * to the head of the list: adding A, B, C gives the list C, B, A. A pick builds a
 * real packet (TCP SYN or UDP datagram) from the current client and hands it to the
 * scheduler; "hold" then binds it to the chosen dest as an active (TCP) or inactive
 * (UDP) connection, which is what the least-connection family counts:
 * overhead = active * 256 + inactive. */
#include <arpa/inet.h>
#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include "tests/testutil.h"
#include "model/ipvs/ip_vs.h"
#include "model/ipvs/ip_vs_ctl.h"
#include "model/net.h"
#include "sim/pkt.h"
#include "sim/sim.h"
#include "sim/world.h"

enum { HOLD_NONE, HOLD_ACTIVE, HOLD_INACTIVE };

struct held {
    struct ip_vs_dest *dest;
    unsigned flags;
};

struct fx {
    struct world w;
    struct net *net;
    struct netns_ipvs *ipvs;
    struct ip_vs_service *svc;
    struct ip_vs_service_user su;
    be32 caddr;
    uint16_t cport;
    be32 daddr;                      /* packet destination (the VIP unless a test says) */
    int hold;
    GArray *held;
    char buf[256];
};

static be32 ip4(const char *s)
{
    struct in_addr a;
    inet_pton(AF_INET, s, &a);
    return a.s_addr;
}

static be32 letter_addr(char c)
{
    return htonl(0x0a000000u + (uint32_t)(c - 'A' + 1));
}

static char dest_letter(const struct ip_vs_dest *d)
{
    return d ? (char)('A' + (ntohl(d->addr) & 0xff) - 1) : '-';
}

/* sched "none" binds nothing: fx_bind binds later (as ipvsadm -E does). */
static void fx_init_seed(struct fx *f, const char *sched, uint16_t proto, unsigned flags,
                         uint64_t seed)
{
    memset(f, 0, sizeof *f);
    world_init(&f->w, seed);
    struct host *h = host_new(&f->w, "director");
    f->net = net_new(h, NULL);
    f->ipvs = ip_vs_net(f->net);
    f->su.protocol = proto;
    f->su.addr = ip4("10.0.0.100");
    f->su.port = htons(80);
    f->su.flags = flags;
    g_strlcpy(f->su.sched_name, sched, sizeof f->su.sched_name);
    CU_ASSERT_EQUAL_FATAL(ip_vs_add_service(f->ipvs, &f->su, &f->svc), 0);
    f->caddr = ip4("192.168.0.1");
    f->cport = 1024;
    f->daddr = f->su.addr;
    f->hold = proto == IPPROTO_UDP ? HOLD_INACTIVE : HOLD_ACTIVE;
    f->held = g_array_new(FALSE, FALSE, sizeof(struct held));
}

static void fx_init(struct fx *f, const char *sched, uint16_t proto, unsigned flags)
{
    fx_init_seed(f, sched, proto, flags, 1);
}

static void fx_bind(struct fx *f, const char *sched)
{
    g_strlcpy(f->su.sched_name, sched, sizeof f->su.sched_name);
    CU_ASSERT_EQUAL(ip_vs_edit_service(f->svc, &f->su), 0);
}

static void fx_destroy(struct fx *f)
{
    for (guint i = f->held->len; i-- > 0;) {
        struct held *h = &g_array_index(f->held, struct held, i);
        ip_vs_dest_unbind_conn(h->dest, h->flags);
    }
    g_array_free(f->held, TRUE);
    world_destroy(&f->w);
}

static struct ip_vs_dest *fx_dest(struct fx *f, char c)
{
    return ip_vs_lookup_dest(f->svc, letter_addr(c), htons(80));
}

static struct ip_vs_dest *fx_add(struct fx *f, char c, int weight)
{
    struct ip_vs_dest_user u = { .addr = letter_addr(c), .port = htons(80), .weight = weight };
    CU_ASSERT_EQUAL(ip_vs_add_dest(f->svc, &u), 0);
    return fx_dest(f, c);
}

/* A dest with connection counters preset (as if older connections were there). */
static void fx_add_counts(struct fx *f, char c, int weight, int active, int inactive)
{
    struct ip_vs_dest *d = fx_add(f, c, weight);
    d->activeconns = active;
    d->inactconns = inactive;
}

static void fx_edit(struct fx *f, char c, int weight)
{
    struct ip_vs_dest_user u = { .addr = letter_addr(c), .port = htons(80), .weight = weight };
    CU_ASSERT_EQUAL(ip_vs_edit_dest(f->svc, &u), 0);
}

static void fx_del(struct fx *f, char c)
{
    CU_ASSERT_EQUAL(ip_vs_del_dest(f->svc, letter_addr(c), htons(80)), 0);
}

static char fx_pick(struct fx *f)
{
    struct skb_pool *pool = net_pool(f->net);
    struct sk_buff *skb = skb_alloc(pool, net_now(f->net));
    struct ip4_spec ip = { .saddr = f->caddr, .daddr = f->daddr };
    bool ok;
    if (f->su.protocol == IPPROTO_TCP) {
        struct tcp_spec t = { .sport = htons(f->cport), .dport = htons(80), .flags = TCPH_SYN,
                              .window = 1000 };
        ok = pkt_build_tcp(skb, &ip, &t, 0);
    } else {
        ok = pkt_build_udp(skb, &ip, htons(f->cport), htons(80), 0);
    }
    CU_ASSERT_FATAL(ok);
    f->cport++;
    struct ip_vs_iphdr iph = { .len = 20, .protocol = (uint8_t)f->su.protocol,
                               .saddr = f->caddr, .daddr = f->daddr };
    struct ip_vs_dest *d = f->svc->scheduler ? f->svc->scheduler->schedule(f->svc, skb, &iph) : NULL;
    skb_free(pool, skb);
    if (d && f->hold != HOLD_NONE) {
        unsigned flags = d->conn_flags & ~IP_VS_CONN_F_INACTIVE;
        if (f->hold == HOLD_INACTIVE)
            flags |= IP_VS_CONN_F_INACTIVE;
        ip_vs_dest_bind_conn(d, flags);
        struct held h = { d, flags };
        g_array_append_val(f->held, h);
    }
    return dest_letter(d);
}

/* n picks as a string of dest letters. */
static const char *fx_picks(struct fx *f, int n)
{
    CU_ASSERT_FATAL(n < (int)sizeof f->buf);
    for (int i = 0; i < n; i++)
        f->buf[i] = fx_pick(f);
    f->buf[n] = '\0';
    return f->buf;
}

/* One pick each from clients 192.168.0.1 .. 192.168.0.n (same source port). */
static const char *fx_clients(struct fx *f, int n)
{
    uint16_t port = f->cport;
    for (int i = 0; i < n; i++) {
        f->caddr = htonl(0xc0a80000u + (uint32_t)(i + 1));
        f->cport = port;
        f->buf[i] = fx_pick(f);
    }
    f->buf[n] = '\0';
    f->cport = port;
    return f->buf;
}

static void fx_run_until(struct fx *f, sim_time_t t)
{
    sim_run_until(&f->w.sim, t);
}

/* ==== rr ============================================================================ */

/* A, B, C weight 1 -> list C B A, position at the head.
 *   pick 2: C B (position B)
 *   add D -> list D C B A; pick 2: after B comes A, then wrap to D: A D
 *   pick 1: C (position C)
 *   del C: the position moves to C's predecessor, D -> list D B A; pick 3: B A D
 *     (were the position reset to the head, this would read D B A)
 *   edit B 0 (quiesced, skipped): pick 3 from D: A D A
 *   edit B 2: pick 2 from A: wrap D, then B: D B */
static void test_rr_add_del_edit(void)
{
    struct fx f;
    fx_init(&f, "rr", IPPROTO_TCP, 0);
    fx_add(&f, 'A', 1);
    fx_add(&f, 'B', 1);
    fx_add(&f, 'C', 1);
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 2), "CB");
    fx_add(&f, 'D', 1);
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 2), "AD");
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 1), "C");
    fx_del(&f, 'C');
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 3), "BAD");
    fx_edit(&f, 'B', 0);
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 3), "ADA");
    fx_edit(&f, 'B', 2);
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 2), "DB");
    fx_destroy(&f);
}

/* Nothing eligible: weight 0 everywhere, or OVERLOAD -> no dest, position kept. */
static void test_rr_none_eligible(void)
{
    struct fx f;
    fx_init(&f, "rr", IPPROTO_UDP, 0);
    fx_add(&f, 'A', 0);
    fx_add(&f, 'B', 0);
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 2), "--");
    fx_edit(&f, 'A', 1);
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 2), "AA");
    fx_edit(&f, 'B', 1);                  /* list B A, position A: wrap to B */
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 3), "BAB");
    fx_dest(&f, 'A')->flags |= IP_VS_DEST_F_OVERLOAD;
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 2), "BB");
    fx_destroy(&f);
}

/* The only dest deleted while it is the position: back to the head, empty list ->
 * no dest; a new dest is found from the head. */
static void test_rr_delete_last(void)
{
    struct fx f;
    fx_init(&f, "rr", IPPROTO_TCP, 0);
    fx_add(&f, 'A', 1);
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 3), "AAA");
    fx_del(&f, 'A');
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 1), "-");
    fx_add(&f, 'B', 1);
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 2), "BB");
    fx_destroy(&f);
}

/* ==== wrr =========================================================================== */

/* Bound after the dests (init_service): list C(2) B(3) A(4), di = 1, mw = 4, cw = 4.
 *   cw 4: A | cw 3: B A | cw 2: C B A | cw 1: C B A  -> A B A C B A C B A, again. */
static void test_wrr_init_canonical(void)
{
    struct fx f;
    fx_init(&f, "none", IPPROTO_TCP, 0);
    fx_add(&f, 'A', 4);
    fx_add(&f, 'B', 3);
    fx_add(&f, 'C', 2);
    fx_bind(&f, "wrr");
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 18), "ABACBACBAABACBACBA");
    fx_destroy(&f);
}

/* Bound before the dests: init with no dests (di 1, mw 0, cw 0); add A(4): di 4,
 * mw 1, cw 0 -> 1; add B(3): di 1, mw 4, cw 1 kept; add C(2): cw 1 kept. So the
 * first pass asks weight >= 1: C B A; then cw wraps to 4: A | 3: B A | 2: C B A |
 * 1: C B A | 4: A ... */
static void test_wrr_sequential_adds(void)
{
    struct fx f;
    fx_init(&f, "wrr", IPPROTO_TCP, 0);
    fx_add(&f, 'A', 4);
    fx_add(&f, 'B', 3);
    fx_add(&f, 'C', 2);
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 15), "CBAABACBACBAABA");
    fx_destroy(&f);
}

/* Edits in the middle (init binding, list C B A as above):
 *   pick 3: A B A (cw 3, position A)
 *   edit C 6: position to the head, di 1, mw 6, cw 3 kept -> list C(6) B(3) A(4)
 *     pick 6: cw 3: C B A | cw 2: C B A        (ends cw 2, position A)
 *   del B: di = gcd(6,4) = 2, mw = 6 - 1 = 5, cw 2 -> (2/2)*2 + 1 = 3; list C(6) A(4)
 *     pick 9: cw 3: C A | cw 1: C A | cw 5: C | cw 3: C A | cw 1: C A
 *   add D:2: list D(2) C(6) A(4), di 2, mw 5, cw 1 -> (1/2)*2 + 1 = 1
 *     pick 9: cw 1: D C A | cw 5: C | cw 3: C A | cw 1: D C A */
static void test_wrr_edit_del_add(void)
{
    struct fx f;
    fx_init(&f, "none", IPPROTO_TCP, 0);
    fx_add(&f, 'A', 4);
    fx_add(&f, 'B', 3);
    fx_add(&f, 'C', 2);
    fx_bind(&f, "wrr");
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 3), "ABA");
    fx_edit(&f, 'C', 6);
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 6), "CBACBA");
    fx_del(&f, 'B');
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 9), "CACACCACA");
    fx_add(&f, 'D', 2);
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 9), "DCACCADCA");
    fx_destroy(&f);
}

/* All weights 0: mw = 0, no dest. OVERLOAD skipped: with A overloaded only B and C
 * take turns (list C(1) B(1) A(1), all weight 1: one pass per cycle). */
static void test_wrr_zero_and_overload(void)
{
    struct fx f;
    fx_init(&f, "wrr", IPPROTO_UDP, 0);
    fx_add(&f, 'A', 0);
    fx_add(&f, 'B', 0);
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 2), "--");
    fx_edit(&f, 'A', 1);
    fx_edit(&f, 'B', 1);
    fx_add(&f, 'C', 1);
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 6), "CBACBA");
    fx_dest(&f, 'A')->flags |= IP_VS_DEST_F_OVERLOAD;
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 4), "CBCB");
    fx_destroy(&f);
}

/* ==== lc ============================================================================ */

/* TCP (each pick becomes active, +256): list D(0) C(1) B(5) A(1). D is quiesced;
 * all others at 0: C, then B, then A, then C again (256 each, first wins ties). */
static void test_lc_tcp(void)
{
    struct fx f;
    fx_init(&f, "lc", IPPROTO_TCP, 0);
    fx_add(&f, 'A', 1);
    fx_add(&f, 'B', 5);
    fx_add(&f, 'C', 1);
    fx_add(&f, 'D', 0);
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 7), "CBACBAC");
    fx_destroy(&f);
}

/* UDP (inactive, +1): list C(1/0 -> 256) B(0/3 -> 3) A(0/5 -> 5).
 *   B(3) B(4) B(5: tie with A, B is earlier) A(5) B(6 tie) A(6) ... */
static void test_lc_udp(void)
{
    struct fx f;
    fx_init(&f, "lc", IPPROTO_UDP, 0);
    fx_add_counts(&f, 'A', 1, 0, 5);
    fx_add_counts(&f, 'B', 1, 0, 3);
    fx_add_counts(&f, 'C', 1, 1, 0);
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 8), "BBBABABA");
    fx_destroy(&f);
}

/* OVERLOAD and weight 0 are skipped: list C B A (weight 1), B overloaded, TCP:
 * C, A (0 < 256), C (tie 256: C first), A. Then A quiesced: only C. */
static void test_lc_overload_quiesce(void)
{
    struct fx f;
    fx_init(&f, "lc", IPPROTO_TCP, 0);
    fx_add(&f, 'A', 1);
    fx_add(&f, 'B', 1);
    fx_add(&f, 'C', 1);
    fx_dest(&f, 'B')->flags |= IP_VS_DEST_F_OVERLOAD;
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 4), "CACA");
    fx_edit(&f, 'A', 0);
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 2), "CC");
    fx_destroy(&f);
}

/* ==== wlc =========================================================================== */

/* TCP: list B(1) A(3) Z(0). least starts at B; A wins when ohB*3 > ohA*1; Z (weight
 * 0) never wins (ohB * 0 > ... is false).
 *   B=0,A=0 -> B | B=256: 768 > 0 -> A | 768 > 256 -> A | 768 > 512 -> A |
 *   768 > 768 no -> B | 1536 > 768,1024,1280 -> A A A | 1536 > 1536 no -> B */
static void test_wlc_tcp(void)
{
    struct fx f;
    fx_init(&f, "wlc", IPPROTO_TCP, 0);
    fx_add(&f, 'Z', 0);
    fx_add(&f, 'A', 3);
    fx_add(&f, 'B', 1);
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 9), "BAAABAAAB");
    fx_destroy(&f);
}

/* UDP (+1 per pick), A starting with 4 inactive: list B(1) A(3).
 *   0*3 > 4 no -> B | 3 > 4 no -> B | 6 > 4 -> A | 6 > 5 -> A | 6 > 6 no -> B |
 *   9 > 6,7,8 -> A A A | 9 > 9 no -> B */
static void test_wlc_udp(void)
{
    struct fx f;
    fx_init(&f, "wlc", IPPROTO_UDP, 0);
    fx_add_counts(&f, 'A', 3, 0, 4);
    fx_add(&f, 'B', 1);
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 9), "BBAABAAAB");
    fx_destroy(&f);
}

/* OVERLOAD is skipped, even for the first candidate. */
static void test_wlc_overload(void)
{
    struct fx f;
    fx_init(&f, "wlc", IPPROTO_TCP, 0);
    fx_add(&f, 'A', 1);
    fx_add(&f, 'B', 1);
    fx_dest(&f, 'B')->flags |= IP_VS_DEST_F_OVERLOAD;
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 3), "AAA");
    fx_dest(&f, 'A')->flags |= IP_VS_DEST_F_OVERLOAD;
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 1), "-");
    fx_destroy(&f);
}

/* ==== sed =========================================================================== */

/* TCP: list B(1) A(3), overhead active + 1.
 *   1*3 > 1 -> A | 3 > 2 -> A | 3 > 3 no -> B | 2*3=6 > 3,4,5 -> A A A | 6 > 6 -> B
 *   | 9 > 6 -> A */
static void test_sed_tcp(void)
{
    struct fx f;
    fx_init(&f, "sed", IPPROTO_TCP, 0);
    fx_add(&f, 'A', 3);
    fx_add(&f, 'B', 1);
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 8), "AABAAABA");
    fx_destroy(&f);
}

/* UDP: inactive conns do not count; overheads stay 1 and 1*3 > 1*1: always A (wlc
 * would alternate). */
static void test_sed_udp(void)
{
    struct fx f;
    fx_init(&f, "sed", IPPROTO_UDP, 0);
    fx_add(&f, 'A', 3);
    fx_add(&f, 'B', 1);
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 5), "AAAAA");
    fx_destroy(&f);
}

/* Ties keep the earlier dest: B(2) A(2) at equal active counts. */
static void test_sed_tie(void)
{
    struct fx f;
    fx_init(&f, "sed", IPPROTO_TCP, 0);
    fx_add(&f, 'A', 2);
    fx_add(&f, 'B', 2);
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 6), "BABABA");
    fx_destroy(&f);
}

/* ==== nq ============================================================================ */

/* TCP: list B(1) A(3). B idle -> B | B busy, A idle -> A | then sed's rule with
 * least starting at B (loh 2): 2*3 > 2,3,4,5 -> A A A A | 6 > 6 no -> B | 9 > 6 -> A */
static void test_nq_tcp(void)
{
    struct fx f;
    fx_init(&f, "nq", IPPROTO_TCP, 0);
    fx_add(&f, 'A', 3);
    fx_add(&f, 'B', 1);
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 8), "BAAAAABA");
    fx_destroy(&f);
}

/* UDP: never active, so the first eligible dest always wins; quiesce it and the
 * next one does. */
static void test_nq_udp(void)
{
    struct fx f;
    fx_init(&f, "nq", IPPROTO_UDP, 0);
    fx_add(&f, 'A', 3);
    fx_add(&f, 'B', 1);
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 3), "BBB");
    fx_edit(&f, 'B', 0);
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 2), "AA");
    fx_destroy(&f);
}

/* An idle dest wins even with a poor ratio: B has 5 active, A (weight 1) 0. */
static void test_nq_idle_first(void)
{
    struct fx f;
    fx_init(&f, "nq", IPPROTO_TCP, 0);
    fx_add(&f, 'A', 1);
    fx_add_counts(&f, 'B', 100, 5, 0);
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 1), "A");
    /* Both busy now: B (6*1) vs A (2*100): 6*1 > 2*100 false -> B stays. */
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 2), "BB");
    fx_destroy(&f);
}

/* ==== fo ============================================================================ */

/* list C(3) B(3) A(1): the strictly highest weight, first in list on ties: C, no
 * matter the connections. C quiesced -> B; B overloaded -> A; A quiesced -> none. */
static void test_fo(void)
{
    struct fx f;
    fx_init(&f, "fo", IPPROTO_TCP, 0);
    fx_add(&f, 'A', 1);
    fx_add(&f, 'B', 3);
    fx_add(&f, 'C', 3);
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 3), "CCC");
    fx_edit(&f, 'C', 0);
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 2), "BB");
    fx_dest(&f, 'B')->flags |= IP_VS_DEST_F_OVERLOAD;
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 2), "AA");
    fx_edit(&f, 'A', 0);
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 1), "-");
    fx_destroy(&f);
}

/* An edit raising a weight moves the traffic at once. */
static void test_fo_edit(void)
{
    struct fx f;
    fx_init(&f, "fo", IPPROTO_UDP, 0);
    fx_add(&f, 'A', 2);
    fx_add(&f, 'B', 1);
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 2), "AA");
    fx_edit(&f, 'B', 5);
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 2), "BB");
    fx_destroy(&f);
}

/* A new dest with a higher weight takes over at once; deleted, the old one is back. */
static void test_fo_add_del(void)
{
    struct fx f;
    fx_init(&f, "fo", IPPROTO_TCP, 0);
    fx_add(&f, 'A', 2);
    fx_add(&f, 'B', 1);
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 2), "AA");
    fx_add(&f, 'C', 5);
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 2), "CC");
    fx_del(&f, 'C');
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 2), "AA");
    fx_destroy(&f);
}

/* ==== ovf =========================================================================== */

/* TCP: list B(1) A(2). A takes conns while active <= 2 (3 conns), then B while
 * active <= 1 (2 conns), then nothing. */
static void test_ovf_tcp(void)
{
    struct fx f;
    fx_init(&f, "ovf", IPPROTO_TCP, 0);
    fx_add(&f, 'A', 2);
    fx_add(&f, 'B', 1);
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 7), "AAABB--");
    fx_destroy(&f);
}

/* UDP: inactive conns never overflow a dest. */
static void test_ovf_udp(void)
{
    struct fx f;
    fx_init(&f, "ovf", IPPROTO_UDP, 0);
    fx_add(&f, 'A', 2);
    fx_add(&f, 'B', 1);
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 6), "AAAAAA");
    fx_destroy(&f);
}

/* Equal weights: the earlier (newer) dest first; weight 0 never. */
static void test_ovf_ties(void)
{
    struct fx f;
    fx_init(&f, "ovf", IPPROTO_TCP, 0);
    fx_add(&f, 'Z', 0);
    fx_add(&f, 'A', 1);
    fx_add(&f, 'B', 1);
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 5), "BBAA-");
    fx_destroy(&f);
}

/* ==== lblc ========================================================================== */

/* Keyed on the packet's destination address. list B(1) A(1), TCP.
 *   to X: no entry, wlc -> B (tie, first); cached X -> B
 *   to X: B has 1 active, not > weight 1 -> B
 *   to X: B has 2 > 1 and A has 0*2 < 1: "overloaded" -> wlc: 512*1 > 0 -> A, X -> A
 *   to Y: no entry, wlc: B 512 vs A 256 -> A
 *   to X: A (1 active, cached) */
static void test_lblc_cache(void)
{
    struct fx f;
    fx_init(&f, "lblc", IPPROTO_TCP, 0);
    fx_add(&f, 'A', 1);
    fx_add(&f, 'B', 1);
    be32 x = ip4("10.9.0.1"), y = ip4("10.9.0.2");
    f.daddr = x;
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 3), "BBA");
    f.daddr = y;
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 1), "A");
    f.daddr = x;
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 1), "A");
    fx_destroy(&f);
}

/* The cached dest's OVERLOAD flag is not looked at; a quiesced or deleted cached
 * dest is replaced by the wlc pick. A deleted dest stays alive (in the trash) while
 * the cache points at it. */
static void test_lblc_invalid_entry(void)
{
    struct fx f;
    fx_init(&f, "lblc", IPPROTO_UDP, 0);
    f.hold = HOLD_NONE;
    fx_add(&f, 'A', 1);
    fx_add(&f, 'B', 1);
    be32 x = ip4("10.9.0.1"), y = ip4("10.9.0.2");
    f.daddr = x;
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 1), "B");
    fx_dest(&f, 'B')->flags |= IP_VS_DEST_F_OVERLOAD;
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 1), "B");   /* cache hit, flag ignored */
    f.daddr = y;
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 1), "A");   /* wlc skips the OVERLOADed B */
    fx_dest(&f, 'B')->flags &= ~IP_VS_DEST_F_OVERLOAD;
    f.daddr = x;
    fx_edit(&f, 'B', 0);
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 1), "A");   /* quiesced: X -> A now */
    fx_edit(&f, 'B', 1);
    struct ip_vs_dest *a = fx_dest(&f, 'A');
    unsigned refs = a->refcnt;                      /* X and Y hold A */
    CU_ASSERT_EQUAL(refs, 2);
    fx_del(&f, 'A');
    CU_ASSERT_EQUAL(a->refcnt, 2);                  /* still cached: kept in the trash */
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 1), "B");   /* not AVAILABLE: X -> B */
    CU_ASSERT_EQUAL(a->refcnt, 1);
    fx_destroy(&f);
}

/* Expiry: the collector runs every 60 s; every 30th run (t = 1800 s, 3600 s, 5400 s)
 * a full scan drops entries idle for lblc_expiration (here 120 s). Between full
 * scans an idle entry survives however old it is (the table is far below 16384
 * entries, so the other runs do nothing).
 *   t=0: X -> B (cached); B then gets 5 inactive conns, so wlc would now pick A
 *   t=1700: X -> B (hit, lastuse 1700)
 *   t=1801: the scan at 1800 kept it (1700 + 120 > 1800): X -> B (lastuse 1801)
 *   t=3599: the scan at 3600 has not run yet: X -> B (lastuse 3599)
 *   t=5401: kept at 3600 (3599 + 120 > 3600), dropped at 5400: X -> wlc -> A */
static void test_lblc_expiry(void)
{
    struct fx f;
    fx_init(&f, "lblc", IPPROTO_UDP, 0);
    f.hold = HOLD_NONE;
    f.ipvs->sysctl.lblc_expiration = 120;
    fx_add(&f, 'A', 1);
    fx_add(&f, 'B', 1);
    f.daddr = ip4("10.9.0.1");
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 1), "B");
    fx_dest(&f, 'B')->inactconns = 5;
    fx_run_until(&f, 1700 * SEC);
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 1), "B");
    fx_run_until(&f, 1801 * SEC);
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 1), "B");
    fx_run_until(&f, 3599 * SEC);
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 1), "B");   /* lastuse 3599 now */
    fx_run_until(&f, 5401 * SEC);                   /* full scan at 5400: 3599+120 <= 5400 */
    CU_ASSERT_EQUAL(fx_dest(&f, 'B')->refcnt, 0);   /* the entry let go of B */
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 1), "A");
    fx_destroy(&f);
}

/* ==== lblcr ========================================================================= */

/* list B(1) A(1), TCP, all to X.
 *   no entry: wlc -> B, set {B}
 *   set min B (1 active, not > 1) -> B
 *   B 2 > 1 and A 0*2 < 1 -> wlc -> A, set {A, B}
 *   set min: A (256) vs B (512) -> A (1 active) -> A
 *   set min: A 512 vs B 512 -> A (tie); A 2 > 1 but no dest has active*2 < 1 -> A */
static void test_lblcr_replication(void)
{
    struct fx f;
    fx_init(&f, "lblcr", IPPROTO_TCP, 0);
    fx_add(&f, 'A', 1);
    fx_add(&f, 'B', 1);
    f.daddr = ip4("10.9.0.1");
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 5), "BBAAA");
    /* Each set member holds its dest once (plus the 5 held connections). */
    CU_ASSERT_EQUAL(fx_dest(&f, 'A')->refcnt, 1 + 3);
    CU_ASSERT_EQUAL(fx_dest(&f, 'B')->refcnt, 1 + 2);
    fx_destroy(&f);
}

/* A set unchanged for lblcr_expiration (60 s here) sheds its most loaded member.
 *   t=0: X -> B, set {B}
 *   B gets 5 active (overloaded, A idle): X -> wlc -> A, set {A, B}, lastmod 0
 *   t=61: set min A; size 2 and 61 > 0 + 60: set max (A 0 vs B 1280) = B removed;
 *         A serves
 *   now A has 5 active, B none: X -> set {A}: A overloaded -> wlc -> B joins: {B, A} */
static void test_lblcr_shrink(void)
{
    struct fx f;
    fx_init(&f, "lblcr", IPPROTO_TCP, 0);
    f.hold = HOLD_NONE;
    f.ipvs->sysctl.lblcr_expiration = 60;
    struct ip_vs_dest *a = fx_add(&f, 'A', 1);
    struct ip_vs_dest *b = fx_add(&f, 'B', 1);
    f.daddr = ip4("10.9.0.1");
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 1), "B");
    b->activeconns = 5;
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 1), "A");
    CU_ASSERT_EQUAL(a->refcnt, 1);
    CU_ASSERT_EQUAL(b->refcnt, 1);
    fx_run_until(&f, 61 * SEC);
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 1), "A");
    CU_ASSERT_EQUAL(b->refcnt, 0);                  /* B left the set */
    b->activeconns = 0;
    a->activeconns = 5;
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 1), "B");
    CU_ASSERT_EQUAL(b->refcnt, 1);
    a->activeconns = 0;
    fx_destroy(&f);
}

/* Entries expire like lblc's: lblcr_expiration 120 s, full scan at 1800 s. */
static void test_lblcr_expiry(void)
{
    struct fx f;
    fx_init(&f, "lblcr", IPPROTO_UDP, 0);
    f.hold = HOLD_NONE;
    f.ipvs->sysctl.lblcr_expiration = 120;
    fx_add(&f, 'A', 1);
    struct ip_vs_dest *b = fx_add(&f, 'B', 1);
    f.daddr = ip4("10.9.0.1");
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 1), "B");
    b->inactconns = 5;
    fx_run_until(&f, 1799 * SEC);
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 1), "B");   /* still cached (hit) */
    fx_run_until(&f, 3601 * SEC);
    CU_ASSERT_EQUAL(b->refcnt, 0);
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 1), "A");   /* gone: wlc */
    b->inactconns = 0;
    fx_destroy(&f);
}

/* ==== dh ============================================================================ */

/* 256 buckets = the list repeated from bucket 0: list C B A -> bucket i holds
 * "CBA"[i % 3]. Buckets of 10.1.0.1..6 (hash_32(ntohl(daddr), 8)):
 * 174 15 113 211 53 150 -> %3 = 0 0 2 1 2 0 -> C C A B A C.
 * del B -> list C A: %2 = 0 1 1 1 1 0 -> C A A A A C. Weights are ignored (no
 * upd hook); weight 0 or OVERLOAD on the bucket's dest -> no dest (no fallback). */
static const char *dh_run(struct fx *f)
{
    for (int i = 0; i < 6; i++) {
        f->daddr = htonl(0x0a010000u + (uint32_t)(i + 1));
        f->buf[i] = fx_pick(f);
    }
    f->buf[6] = '\0';
    return f->buf;
}

static void test_dh_table(void)
{
    struct fx f;
    fx_init(&f, "dh", IPPROTO_UDP, 0);
    fx_add(&f, 'A', 1);
    fx_add(&f, 'B', 5);
    fx_add(&f, 'C', 1);
    CU_ASSERT_STRING_EQUAL(dh_run(&f), "CCABAC");
    CU_ASSERT_STRING_EQUAL(dh_run(&f), "CCABAC");   /* load plays no part */
    fx_edit(&f, 'A', 0);
    CU_ASSERT_STRING_EQUAL(dh_run(&f), "CC-B-C");
    fx_edit(&f, 'A', 1);
    fx_del(&f, 'B');
    CU_ASSERT_STRING_EQUAL(dh_run(&f), "CAAAAC");
    fx_dest(&f, 'C')->flags |= IP_VS_DEST_F_OVERLOAD;
    CU_ASSERT_STRING_EQUAL(dh_run(&f), "-AAAA-");
    fx_destroy(&f);
}

/* An add rebuilds the table: list D C B A -> "DCBA"[i % 4]; buckets 174 15 113 211
 * 53 150 -> %4 = 2 3 1 3 1 2 -> B A C A C B. */
static void test_dh_add_rebuild(void)
{
    struct fx f;
    fx_init(&f, "dh", IPPROTO_TCP, 0);
    fx_add(&f, 'A', 1);
    fx_add(&f, 'B', 1);
    fx_add(&f, 'C', 1);
    CU_ASSERT_STRING_EQUAL(dh_run(&f), "CCABAC");
    fx_add(&f, 'D', 1);
    CU_ASSERT_STRING_EQUAL(dh_run(&f), "BACACB");
    fx_destroy(&f);
}

/* Bound after the dests (init_service fills the same table); an empty service: no
 * dest at all. */
static void test_dh_init_and_empty(void)
{
    struct fx f;
    fx_init(&f, "dh", IPPROTO_TCP, 0);
    CU_ASSERT_STRING_EQUAL(dh_run(&f), "------");
    fx_destroy(&f);
    fx_init(&f, "none", IPPROTO_TCP, 0);
    fx_add(&f, 'A', 1);
    fx_add(&f, 'B', 1);
    fx_add(&f, 'C', 1);
    fx_bind(&f, "dh");
    CU_ASSERT_STRING_EQUAL(dh_run(&f), "CCABAC");
    fx_destroy(&f);
}

/* ==== sh ============================================================================ */

/* Weighted table: list C(1) B(2) A(1) -> per cycle C, B, B, A: bucket i holds
 * "CBBA"[i % 4]. Clients 192.168.0.1..12, port 0 (no sh-port): buckets
 * hash_32(ntohl(saddr), 8) = 192 34 131 229 71 169 11 108 206 48 146 243
 * -> %4 = 0 2 3 1 3 1 3 0 2 0 2 3 -> C B A B A B A C B C B A. */
static void test_sh_weighted(void)
{
    struct fx f;
    fx_init(&f, "sh", IPPROTO_TCP, 0);
    fx_add(&f, 'A', 1);
    fx_add(&f, 'B', 2);
    fx_add(&f, 'C', 1);
    CU_ASSERT_STRING_EQUAL(fx_clients(&f, 12), "CBABABACBCBA");
    CU_ASSERT_STRING_EQUAL(fx_clients(&f, 12), "CBABABACBCBA");   /* sticky */
    fx_destroy(&f);
}

/* B quiesced (edit to 0): the table is rebuilt with B taking 1 bucket: "CBA"[i % 3]:
 * %3 of the buckets above = 0 1 2 1 2 1 2 0 2 0 2 0 -> C B A B A B A C A C A C.
 * Without sh-fallback B's clients get no dest: C - A - A - A C A C A C. */
static void test_sh_quiesced_no_fallback(void)
{
    struct fx f;
    fx_init(&f, "sh", IPPROTO_TCP, 0);
    fx_add(&f, 'A', 1);
    fx_add(&f, 'B', 2);
    fx_add(&f, 'C', 1);
    fx_edit(&f, 'B', 0);
    CU_ASSERT_STRING_EQUAL(fx_clients(&f, 12), "C-A-A-ACACAC");
    fx_destroy(&f);
}

/* With sh-fallback a client whose bucket h holds an unusable dest probes buckets
 * (off + h + h) & 255 for off = 0, 1, ...: the probe starts at 2h, not h + 1.
 *   client 2, h = 34: bucket 68, 68 %3 = 2 -> A
 *   client 4, h = 229: bucket 458 & 255 = 202, %3 = 1 -> B (unusable); 203 %3 = 2 -> A
 *   client 6, h = 169: bucket 338 & 255 = 82, %3 = 1 -> B; 83 %3 = 2 -> A
 * So: C A A A A A A C A C A C. */
static void test_sh_quiesced_fallback(void)
{
    struct fx f;
    fx_init(&f, "sh", IPPROTO_TCP, IP_VS_SVC_F_SCHED1);
    fx_add(&f, 'A', 1);
    fx_add(&f, 'B', 2);
    fx_add(&f, 'C', 1);
    fx_edit(&f, 'B', 0);
    CU_ASSERT_STRING_EQUAL(fx_clients(&f, 12), "CAAAAAACACAC");
    fx_destroy(&f);
}

/* sh-port: the source port is added before hashing. Client 192.168.0.1, ports
 * 1024..1035: buckets 226 68 166 7 105 203 45 142 240 82 180 22 -> %4 = 2 0 2 3 1 3
 * 1 2 0 2 0 2 -> B C B A B A B B C B C B. */
static void test_sh_port(void)
{
    struct fx f;
    fx_init(&f, "sh", IPPROTO_UDP, IP_VS_SVC_F_SCHED2);
    fx_add(&f, 'A', 1);
    fx_add(&f, 'B', 2);
    fx_add(&f, 'C', 1);
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 12), "BCBABABBCBCB");
    fx_destroy(&f);
}

/* ==== mh ============================================================================ */

/* Maglev table, M = 4093, list C(2) B(3) A(4): gcd 1, rshift 0, turns 2/3/4. The
 * permutations come from hsiphash-1-3 of (port + addr) with the fixed keys: offset /
 * skip = C 1631/3453, B 1231/3544, A 3167/700. The populated table (computed with an
 * independent Python model of the Maglev paper's pseudocode, NSDI 2016) gives A 1818, B 1365, C 910
 * slots; clients 192.168.0.1..12 (port 0) hash to slots 1278 1806 1692 2261 2738 3006
 * 3293 972 783 2524 4011 962, owned by A A B B A A C B A C C B. */
static void mh_setup(struct fx *f, unsigned flags, uint16_t proto)
{
    fx_init(f, "mh", proto, flags);
    fx_add(f, 'A', 4);
    fx_add(f, 'B', 3);
    fx_add(f, 'C', 2);
}

static void test_mh_table(void)
{
    struct fx f;
    mh_setup(&f, 0, IPPROTO_TCP);
    CU_ASSERT_STRING_EQUAL(fx_clients(&f, 12), "AABBAACBACCB");
    /* del B: the table of C(2) A(4) (gcd 2: turns 1 and 2): A 2728, C 1365 slots. */
    fx_del(&f, 'B');
    CU_ASSERT_STRING_EQUAL(fx_clients(&f, 12), "AAAAAACAACCA");
    fx_destroy(&f);
    /* Bound after the dests: the same table. */
    fx_init(&f, "none", IPPROTO_TCP, 0);
    fx_add(&f, 'A', 4);
    fx_add(&f, 'B', 3);
    fx_add(&f, 'C', 2);
    fx_bind(&f, "mh");
    CU_ASSERT_STRING_EQUAL(fx_clients(&f, 12), "AABBAACBACCB");
    fx_destroy(&f);
}

/* B edited to weight 0 keeps last_weight 3: the table does not change, B's clients
 * (3, 4, 8, 12) get no dest without mh-fallback. */
static void test_mh_quiesced_no_fallback(void)
{
    struct fx f;
    mh_setup(&f, 0, IPPROTO_TCP);
    fx_edit(&f, 'B', 0);
    CU_ASSERT_STRING_EQUAL(fx_clients(&f, 12), "AA--AAC-ACC-");
    fx_edit(&f, 'B', 3);
    CU_ASSERT_STRING_EQUAL(fx_clients(&f, 12), "AABBAACBACCB");
    fx_destroy(&f);
}

/* With mh-fallback they probe fresh hashes of (slot + off + addr): 3 -> A, 4 -> C,
 * 8 -> C, 12 -> C (from the Python model). */
static void test_mh_quiesced_fallback(void)
{
    struct fx f;
    mh_setup(&f, IP_VS_SVC_F_SCHED1, IPPROTO_TCP);
    fx_edit(&f, 'B', 0);
    CU_ASSERT_STRING_EQUAL(fx_clients(&f, 12), "AAACAACCACCC");
    fx_destroy(&f);
}

/* mh-port: client 192.168.0.1 with ports 1024..1035. */
static void test_mh_port(void)
{
    struct fx f;
    mh_setup(&f, IP_VS_SVC_F_SCHED2, IPPROTO_UDP);
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 12), "BBCBBACCACBA");
    fx_destroy(&f);
    /* Without the flag the port is ignored: client .1 always gets slot 1278 (A). */
    mh_setup(&f, 0, IPPROTO_UDP);
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 6), "AAAAAA");
    fx_destroy(&f);
}

/* A dest added with weight 0 has last_weight 0: no slot at all; with every dest at
 * last_weight 0 the table is empty (no dest even with fallback). */
static void test_mh_zero_weight_add(void)
{
    struct fx f;
    fx_init(&f, "mh", IPPROTO_TCP, IP_VS_SVC_F_SCHED1);
    fx_add(&f, 'A', 0);
    CU_ASSERT_STRING_EQUAL(fx_clients(&f, 3), "---");
    fx_add(&f, 'B', 1);
    CU_ASSERT_STRING_EQUAL(fx_clients(&f, 3), "BBB");
    fx_destroy(&f);
}

/* More dests than the M = 4093 slots: binding mh fails (-EINVAL) and the service is
 * left without a scheduler; with one dest fewer it binds. */
static void test_mh_too_many_dests(void)
{
    struct fx f;
    fx_init(&f, "none", IPPROTO_TCP, 0);
    for (uint32_t i = 0; i < 4094; i++) {
        struct ip_vs_dest_user u = { .addr = htonl(0x0a010000u + i + 1), .port = htons(80),
                                     .weight = 1 };
        CU_ASSERT_EQUAL_FATAL(ip_vs_add_dest(f.svc, &u), 0);
    }
    g_strlcpy(f.su.sched_name, "mh", sizeof f.su.sched_name);
    CU_ASSERT_EQUAL(ip_vs_edit_service(f.svc, &f.su), -EINVAL);
    CU_ASSERT_PTR_NULL(f.svc->scheduler);
    CU_ASSERT_EQUAL(ip_vs_del_dest(f.svc, htonl(0x0a010001u), htons(80)), 0);
    fx_bind(&f, "mh");
    CU_ASSERT_PTR_NOT_NULL(f.svc->scheduler);
    CU_ASSERT_NOT_EQUAL(fx_pick(&f), '-');
    fx_destroy(&f);
}

/* The tables of sh, dh, mh, lblc and lblcr hold their dests (as the kernel's
 * ip_vs_dest_hold); unbinding lets every reference go. */
static void test_sched_refs_released(void)
{
    static const char *const names[] = { "sh", "dh", "mh", "lblc", "lblcr" };
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        struct fx f;
        fx_init(&f, names[k], IPPROTO_TCP, 0);
        f.hold = HOLD_NONE;
        struct ip_vs_dest *a = fx_add(&f, 'A', 1);
        struct ip_vs_dest *b = fx_add(&f, 'B', 2);
        fx_clients(&f, 8);
        CU_ASSERT(a->refcnt + b->refcnt > 0);
        fx_bind(&f, "none");
        CU_ASSERT_EQUAL(a->refcnt, 0);
        CU_ASSERT_EQUAL(b->refcnt, 0);
        fx_destroy(&f);
    }
}

/* ==== twos ========================================================================== */

/* Without connections every overhead is 0, so choice 1 always wins: list B(3) A(1),
 * r1 uniform in 0..4, B when r1 - 3 <= 0 (r1 = 0..3): B with probability 4/5 (the
 * kernel's inclusive range gives the first dest the extra share). */
static void test_twos_distribution(void)
{
    struct fx f;
    fx_init_seed(&f, "twos", IPPROTO_TCP, 0, 42);
    f.hold = HOLD_NONE;
    fx_add(&f, 'A', 1);
    fx_add(&f, 'B', 3);
    int nb = 0, n = 40000;
    for (int i = 0; i < n; i++)
        nb += fx_pick(&f) == 'B';
    CU_ASSERT(nb > n * 79 / 100 && nb < n * 81 / 100);
    fx_destroy(&f);
}

/* With held connections the less loaded of the two draws wins, so load follows the
 * weights: B about three times A. */
static void test_twos_load(void)
{
    struct fx f;
    fx_init_seed(&f, "twos", IPPROTO_TCP, 0, 7);
    fx_add(&f, 'A', 1);
    fx_add(&f, 'B', 3);
    int nb = 0, n = 4000;
    for (int i = 0; i < n; i++)
        nb += fx_pick(&f) == 'B';
    int na = n - nb;
    CU_ASSERT(nb > 2 * na && nb < 4 * na);
    /* Quiesced and overloaded dests are never drawn. */
    fx_edit(&f, 'B', 0);
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 5), "AAAAA");
    fx_dest(&f, 'A')->flags |= IP_VS_DEST_F_OVERLOAD;
    CU_ASSERT_STRING_EQUAL(fx_picks(&f, 1), "-");
    fx_destroy(&f);
}

/* Same seed, same picks; another seed, other picks. */
static void test_twos_determinism(void)
{
    char first[128], second[128], other[128];
    uint64_t seeds[3] = { 42, 42, 43 };
    char *outs[3] = { first, second, other };
    for (int k = 0; k < 3; k++) {
        struct fx f;
        fx_init_seed(&f, "twos", IPPROTO_UDP, 0, seeds[k]);
        fx_add(&f, 'A', 1);
        fx_add(&f, 'B', 2);
        fx_add(&f, 'C', 3);
        g_strlcpy(outs[k], fx_picks(&f, 100), 128);
        fx_destroy(&f);
    }
    CU_ASSERT_STRING_EQUAL(first, second);
    CU_ASSERT_STRING_NOT_EQUAL(first, other);
}

/* ==== the registry ===================================================================== */

static void test_registry(void)
{
    const char *const *names = ip_vs_scheduler_names();
    int n = 0;
    for (; names[n]; n++) {
        const struct ip_vs_scheduler *s = ip_vs_scheduler_find(names[n]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(s);
        CU_ASSERT_STRING_EQUAL(s->name, names[n]);
        CU_ASSERT_PTR_NOT_NULL(s->schedule);
    }
    CU_ASSERT_EQUAL(n, 14);
    CU_ASSERT_PTR_NULL(ip_vs_scheduler_find("none"));
    CU_ASSERT_PTR_NULL(ip_vs_scheduler_find("wrr2"));
    CU_ASSERT_PTR_NULL(ip_vs_scheduler_find(NULL));
    /* Every scheduler binds, schedules and unbinds on an empty and a filled service. */
    for (int i = 0; names[i]; i++) {
        struct fx f;
        fx_init(&f, names[i], IPPROTO_TCP, 0);
        CU_ASSERT_STRING_EQUAL(fx_picks(&f, 1), "-");
        fx_add(&f, 'A', 1);
        CU_ASSERT_STRING_EQUAL(fx_picks(&f, 2), "AA");
        fx_del(&f, 'A');
        CU_ASSERT_STRING_EQUAL(fx_picks(&f, 1), "-");
        fx_bind(&f, "none");
        CU_ASSERT_PTR_NULL(f.svc->scheduler);
        fx_destroy(&f);
    }
}

IPVSIM_SUITE(sched)
{
    CU_pSuite s = CU_add_suite("sched", NULL, NULL);
    ADD_TEST(s, test_rr_add_del_edit);
    ADD_TEST(s, test_rr_none_eligible);
    ADD_TEST(s, test_rr_delete_last);
    ADD_TEST(s, test_wrr_init_canonical);
    ADD_TEST(s, test_wrr_sequential_adds);
    ADD_TEST(s, test_wrr_edit_del_add);
    ADD_TEST(s, test_wrr_zero_and_overload);
    ADD_TEST(s, test_lc_tcp);
    ADD_TEST(s, test_lc_udp);
    ADD_TEST(s, test_lc_overload_quiesce);
    ADD_TEST(s, test_wlc_tcp);
    ADD_TEST(s, test_wlc_udp);
    ADD_TEST(s, test_wlc_overload);
    ADD_TEST(s, test_sed_tcp);
    ADD_TEST(s, test_sed_udp);
    ADD_TEST(s, test_sed_tie);
    ADD_TEST(s, test_nq_tcp);
    ADD_TEST(s, test_nq_udp);
    ADD_TEST(s, test_nq_idle_first);
    ADD_TEST(s, test_fo);
    ADD_TEST(s, test_fo_edit);
    ADD_TEST(s, test_fo_add_del);
    ADD_TEST(s, test_ovf_tcp);
    ADD_TEST(s, test_ovf_udp);
    ADD_TEST(s, test_ovf_ties);
    ADD_TEST(s, test_lblc_cache);
    ADD_TEST(s, test_lblc_invalid_entry);
    ADD_TEST(s, test_lblc_expiry);
    ADD_TEST(s, test_lblcr_replication);
    ADD_TEST(s, test_lblcr_shrink);
    ADD_TEST(s, test_lblcr_expiry);
    ADD_TEST(s, test_dh_table);
    ADD_TEST(s, test_dh_init_and_empty);
    ADD_TEST(s, test_dh_add_rebuild);
    ADD_TEST(s, test_sh_weighted);
    ADD_TEST(s, test_sh_quiesced_no_fallback);
    ADD_TEST(s, test_sh_quiesced_fallback);
    ADD_TEST(s, test_sh_port);
    ADD_TEST(s, test_mh_table);
    ADD_TEST(s, test_mh_quiesced_no_fallback);
    ADD_TEST(s, test_mh_quiesced_fallback);
    ADD_TEST(s, test_mh_port);
    ADD_TEST(s, test_mh_zero_weight_add);
    ADD_TEST(s, test_mh_too_many_dests);
    ADD_TEST(s, test_sched_refs_released);
    ADD_TEST(s, test_twos_distribution);
    ADD_TEST(s, test_twos_load);
    ADD_TEST(s, test_twos_determinism);
    ADD_TEST(s, test_registry);
}
