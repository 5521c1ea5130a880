/* ipvsadm's output formats and the kernel's /proc files, byte for byte against
 * golden files written out by hand from the formats (ipvsadm 1.31
 * and the kernel's seq_show functions) for one configuration with counters set here: numbers past 10^8 for
 * the K/M/G/T printer, and addresses more than 2^31 apart for the sorting quirk
 * (10.0.0.1 < 100.0.0.1 < 192.168.0.1 < 10.0.0.1 under ipvsadm's comparator, so
 * the order is the merge sort's; 200.1.1.1 sorts before 10.0.0.100). */
#include <string.h>
#include "model/ipvs/ip_vs_conn.h"
#include "model/user/ipvsadm/ipvsadm.h"
#include "model/user/ipvsadm/ipvsadm_print.h"
#include "model/net.h"
#include "sim/world.h"
#include "tests/golden.h"
#include "tests/testutil.h"
#include "tests/topo.h"

struct fx {
    struct world w;
    struct net *net;
    struct netns_ipvs *ipvs;
};

static const char config[] =
    "-A -t 10.0.0.100:80 -s wlc\n"
    "-a -t 10.0.0.100:80 -r 10.0.0.1:80 -m -w 1\n"
    "-a -t 10.0.0.100:80 -r 100.0.0.1:8080 -m -w 2\n"
    "-a -t 10.0.0.100:80 -r 192.168.0.1:80 -g -w 3\n"
    "-A -t 200.1.1.1:443 -s rr -p 600 -M 255.255.255.0\n"
    "-a -t 200.1.1.1:443 -r 10.0.1.1 -i -w 5 --tun-type gue --tun-port 6080 --tun-csum\n"
    "-a -t 200.1.1.1:443 -r 10.0.1.2 -i -w 0\n"
    "-A -u 10.0.0.100:53 -s sh -b sh-port -o\n"
    "-a -u 10.0.0.100:53 -r 10.0.0.3 -m -x 100 -y 50\n"
    "-A -f 7 -s mh -p -b mh-fallback\n"
    "-a -f 7 -r 10.0.0.4 -i --tun-type gre --tun-csum";

static struct ip_vs_dest *dest_of(struct fx *f, uint16_t proto, const char *vaddr, uint16_t vport,
                                  uint32_t fwmark, const char *addr, uint16_t port)
{
    struct ip_vs_service *svc = ip_vs_service_get(f->ipvs, proto, topo_ip(vaddr), htons(vport),
                                                  fwmark);
    CU_ASSERT_PTR_NOT_NULL_FATAL(svc);
    struct ip_vs_dest *d = ip_vs_lookup_dest(svc, topo_ip(addr), htons(port));
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    return d;
}

static void set_counters(struct fx *f)
{
    struct ip_vs_service *a = ip_vs_service_get(f->ipvs, IPPROTO_TCP, topo_ip("10.0.0.100"),
                                                htons(80), 0);
    a->stats.c = (struct ip_vs_counters){ 1234, 150000000, 98765432, 123456789012ull, 2500000000ull };
    a->stats.cps = 10240;                    /* shown 10 */
    a->stats.inpps = 1024000;                /* 1000 */
    a->stats.inbps = 4800000000ll;           /* 150000000 -> 150000K */
    a->stats.outbps = 3200;                  /* 100 */
    struct ip_vs_dest *d1 = dest_of(f, IPPROTO_TCP, "10.0.0.100", 80, 0, "10.0.0.1", 80);
    d1->stats.c = (struct ip_vs_counters){ 700, 99999999, 100000000, 123456789012345ull, 0 };
    d1->stats.cps = 5120;                    /* 5 */
    d1->stats.inpps = 512000;                /* 500 */
    d1->stats.outpps = 2048;                 /* 2 */
    d1->stats.inbps = 32000;                 /* 1000 */
    d1->stats.outbps = 6400000000ll;         /* 200000000 -> 200000K */
    d1->activeconns = 3;
    d1->inactconns = 12;
    struct ip_vs_dest *d2 = dest_of(f, IPPROTO_TCP, "10.0.0.100", 80, 0, "100.0.0.1", 8080);
    d2->stats.c.conns = 50;
    d2->stats.zero.conns = 20;               /* -Z was run at 20: shown 30 */
    struct ip_vs_dest *d3 = dest_of(f, IPPROTO_TCP, "10.0.0.100", 80, 0, "192.168.0.1", 80);
    d3->inactconns = 1;
    struct ip_vs_dest *t1 = dest_of(f, IPPROTO_TCP, "200.1.1.1", 443, 0, "10.0.1.1", 443);
    t1->persistconns = 4;
    t1->activeconns = 2;
    t1->inactconns = 1;
    f->ipvs->tot_stats.c = (struct ip_vs_counters){ 0x1234, 0xabcdef, 0, 0x123456789ull, 7 };
    f->ipvs->tot_stats.cps = 3 << 10;
    /* as the estimator's last pass summed them: what a 6.x listing shows */
    a->stats.kstats = a->stats.c;
    d1->stats.kstats = d1->stats.c;
    d2->stats.kstats = d2->stats.c;
    f->ipvs->tot_stats.kstats = f->ipvs->tot_stats.c;
}

static void fx_init(struct fx *f)
{
    world_init(&f->w, 1);
    struct host *h = host_new(&f->w, "lvs");
    netdev_add_addr(host_add_dev(h, "eth0", 1500), topo_ip("10.0.0.254"), 24);
    f->net = net_new(h, NULL);
    char **lines = g_strsplit(config, "\n", -1);
    for (char **l = lines; *l; l++) {
        struct ipvsadm_error err;
        CU_ASSERT_EQUAL(ipvsadm_apply(f->net, *l, &err), 0);
    }
    g_strfreev(lines);
    f->ipvs = f->net->ipvs;
    set_counters(f);
}

static void check_list(unsigned fmt, const char *golden)
{
    struct fx f;
    fx_init(&f);
    GString *s = g_string_new(NULL);
    ipvsadm_list(s, f.ipvs, fmt);
    CU_ASSERT_TRUE(golden_check(golden, s->str));
    g_string_free(s, TRUE);
    world_destroy(&f.w);
}

static void test_list(void)
{
    check_list(0, "ipvsadm_Ln.txt");
}

static void test_list_stats(void)
{
    check_list(IPVSADM_FMT_STATS, "ipvsadm_Ln_stats.txt");
}

static void test_list_stats_exact(void)
{
    check_list(IPVSADM_FMT_STATS | IPVSADM_FMT_EXACT, "ipvsadm_Ln_stats_exact.txt");
}

static void test_list_rate(void)
{
    check_list(IPVSADM_FMT_RATE, "ipvsadm_Ln_rate.txt");
}

static void test_list_thresholds(void)
{
    check_list(IPVSADM_FMT_THRESHOLDS, "ipvsadm_Ln_thresholds.txt");
}

static void test_list_persistent_conn(void)
{
    check_list(IPVSADM_FMT_PERSISTENTCONN, "ipvsadm_Ln_persistent_conn.txt");
}

static void test_list_tun_info(void)
{
    check_list(IPVSADM_FMT_TUN_INFO, "ipvsadm_Ln_tun_info.txt");
}

/* --nosort: the kernel's table order (buckets 50, 64, 189, then fwmark 7) and
 * list order (newest dest first). */
static void test_list_nosort(void)
{
    check_list(IPVSADM_FMT_NOSORT, "ipvsadm_Ln_nosort.txt");
}

static void test_save(void)
{
    struct fx f;
    fx_init(&f);
    GString *s = g_string_new(NULL);
    ipvsadm_save(s, f.ipvs, 0);
    CU_ASSERT_TRUE(golden_check("ipvsadm_Sn.txt", s->str));
    g_string_free(s, TRUE);
    world_destroy(&f.w);
}

static void test_timeout(void)
{
    struct fx f;
    fx_init(&f);
    GString *s = g_string_new(NULL);
    ipvsadm_list_timeout(s, f.ipvs);
    CU_ASSERT_STRING_EQUAL(s->str, "Timeout (tcp tcpfin udp): 900 120 300\n");
    g_string_truncate(s, 0);
    struct ipvsadm_error err;
    CU_ASSERT_EQUAL(ipvsadm_apply(f.net, "--set 3600 60 0", &err), 0);
    ipvsadm_list_timeout(s, f.ipvs);
    CU_ASSERT_STRING_EQUAL(s->str, "Timeout (tcp tcpfin udp): 3600 60 300\n");
    g_string_free(s, TRUE);
    world_destroy(&f.w);
}

static void test_proc_ip_vs(void)
{
    struct fx f;
    fx_init(&f);
    GString *s = g_string_new(NULL);
    ip_vs_proc_info(s, f.ipvs);
    CU_ASSERT_TRUE(golden_check("proc_net_ip_vs.txt", s->str));
    g_string_truncate(s, 0);
    ip_vs_proc_stats(s, f.ipvs);
    CU_ASSERT_TRUE(golden_check("proc_net_ip_vs_stats.txt", s->str));
    g_string_free(s, TRUE);
    world_destroy(&f.w);
}

static void test_list_one_service(void)
{
    struct fx f;
    fx_init(&f);
    GString *s = g_string_new(NULL);
    struct ip_vs_service *svc = ip_vs_service_get(f.ipvs, 0, 0, 0, 7);
    CU_ASSERT_TRUE(ipvsadm_list_service(s, svc, 0));
    CU_ASSERT_STRING_EQUAL(s->str,
                           "Prot LocalAddress:Port Scheduler Flags\n"
                           "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
                           "FWM  7 mh (mh-fallback) persistent 360\n"
                           "  -> 10.0.0.4:0                   Tunnel  1      0          0         \n");
    CU_ASSERT_FALSE(ipvsadm_list_service(s, NULL, 0));
    g_string_free(s, TRUE);
    world_destroy(&f.w);
}

/* Nothing loaded: the headers alone. */
static void test_empty(void)
{
    GString *s = g_string_new(NULL);
    ipvsadm_list(s, NULL, 0);
    CU_ASSERT_STRING_EQUAL(s->str,
                           "IP Virtual Server version 1.2.1 (size=4096)\n"
                           "Prot LocalAddress:Port Scheduler Flags\n"
                           "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n");
    g_string_truncate(s, 0);
    ipvsadm_save(s, NULL, 0);
    CU_ASSERT_STRING_EQUAL(s->str, "");
    g_string_free(s, TRUE);
}

static void test_largenum(void)
{
    static const struct { uint64_t n; unsigned fmt; const char *text; } cases[] = {
        { 0, 0, "        0" },
        { 99999999ull, 0, " 99999999" },
        { 100000000ull, 0, "  100000K" },
        { 999999999ull, 0, "  999999K" },
        { 1000000000ull, 0, "    1000M" },
        { 99999999999ull, 0, "   99999M" },
        { 100000000000ull, 0, "     100G" },
        { 99999999999999ull, 0, "   99999G" },
        { 100000000000000ull, 0, "     100T" },
        { 12345678ull, IPVSADM_FMT_EXACT, " 12345678" },
        { 123456789ull, IPVSADM_FMT_EXACT, " 123456789" },
        { 18446744073709551615ull, IPVSADM_FMT_EXACT, " 18446744073709551615" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        GString *s = g_string_new(NULL);
        ipvsadm_print_largenum(s, cases[i].n, cases[i].fmt);
        CU_ASSERT_STRING_EQUAL(s->str, cases[i].text);
        g_string_free(s, TRUE);
    }
}

/* Connections, as /proc/net/ip_vs_conn and ipvsadm -Lnc show them. */
static void test_connections(void)
{
    struct fx f;
    fx_init(&f);
    struct ip_vs_dest *d1 = dest_of(&f, IPPROTO_TCP, "10.0.0.100", 80, 0, "10.0.0.1", 80);
    struct ip_vs_conn_param p = { .protocol = IPPROTO_TCP, .caddr = topo_ip("172.16.0.5"),
                                  .cport = htons(40000), .vaddr = topo_ip("10.0.0.100"),
                                  .vport = htons(80) };
    CU_ASSERT_PTR_NOT_NULL(ip_vs_conn_new(f.ipvs, &p, d1->addr, d1->port, 0, d1, 0));
    struct ip_vs_dest *d4 = dest_of(&f, 0, "0.0.0.0", 0, 7, "10.0.0.4", 0);
    struct ip_vs_conn_param t = { .protocol = 0, .caddr = topo_ip("172.16.0.0"),
                                  .vaddr = htonl(7) };
    CU_ASSERT_PTR_NOT_NULL(ip_vs_conn_new(f.ipvs, &t, d4->addr, 0, IP_VS_CONN_F_TEMPLATE, d4, 7));
    GString *s = g_string_new(NULL);
    ip_vs_proc_conn(s, f.ipvs);
    CU_ASSERT_STRING_EQUAL(s->str,
        "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\n"
        "TCP AC100005 9C40 0A000064 0050 0A000001 0050 NONE              3\n"
        "IP  AC100000 0000 00000007 0000 0A000004 0000 NONE              3\n");
    g_string_truncate(s, 0);
    ipvsadm_list_conns(s, f.ipvs, 0);
    CU_ASSERT_STRING_EQUAL(s->str,
        "IPVS connection entries\n"
        "pro expire state       source             virtual            destination\n"
        "TCP 00:03  NONE        172.16.0.5:40000   10.0.0.100:80      10.0.0.1:80\n"
        "IP  00:03  NONE        172.16.0.0:0       0.0.0.7:0          10.0.0.4:0\n");
    g_string_free(s, TRUE);
    world_destroy(&f.w);
}

IPVSIM_SUITE(ipvsadm_print)
{
    CU_pSuite s = CU_add_suite("ipvsadm_print", NULL, NULL);
    ADD_TEST(s, test_list);
    ADD_TEST(s, test_list_stats);
    ADD_TEST(s, test_list_stats_exact);
    ADD_TEST(s, test_list_rate);
    ADD_TEST(s, test_list_thresholds);
    ADD_TEST(s, test_list_persistent_conn);
    ADD_TEST(s, test_list_tun_info);
    ADD_TEST(s, test_list_nosort);
    ADD_TEST(s, test_save);
    ADD_TEST(s, test_timeout);
    ADD_TEST(s, test_proc_ip_vs);
    ADD_TEST(s, test_list_one_service);
    ADD_TEST(s, test_empty);
    ADD_TEST(s, test_largenum);
    ADD_TEST(s, test_connections);
}
