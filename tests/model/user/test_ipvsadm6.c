/* ipvsadm with IPv6 services and dests (ipvsadm 1.31): "[ADDR6]:port", bare IPv6
 * addresses, -6 after -f, -M as a prefix length; the listings -Ln, --stats and -Sn
 * as ipvsadm prints them (expected texts written out by hand from ipvsadm's
 * formats: IPv6 names in brackets and never cut, "FWM  n IPv6", "-f n -6", the
 * mask as a prefix length, libipvs's comparators, whose int differences of
 * address words put 2001:db8:aaaa:... before 2001:db8::10); round trips; bad IPv6
 * input with ipvsadm's message and the column of the faulty character; the
 * control plane's family rules per era. */
#include <string.h>
#include "model/ipvs/ip_vs_conn.h"
#include "model/ipvs/ip_vs_ctl.h"
#include "model/ipvs/ip_vs_proto.h"
#include "model/user/ipvsadm/ipvsadm.h"
#include "model/user/ipvsadm/ipvsadm_print.h"
#include "model/net.h"
#include "sim/in6.h"
#include "sim/in6_key.h"
#include "sim/world.h"
#include "tests/testutil.h"
#include "tests/topo.h"

struct fx {
    struct world w;
    struct net *net;
};

static void fx_init(struct fx *f, const char *era)
{
    world_init(&f->w, 1);
    struct host *h = host_new(&f->w, "lvs");
    netdev_add_addr(host_add_dev(h, "eth0", 1500), topo_ip("10.0.0.1"), 24);
    f->net = net_new(h, era ? kernel_profile_find(era) : NULL);
}

static int apply(struct fx *f, const char *line, struct ipvsadm_error *err)
{
    int ret = ipvsadm_apply(f->net, line, err);
    if (ret)
        fprintf(stderr, "\n  line: %s\n  error: %d: %s\n", line, err->column, err->message);
    return ret;
}

static void apply_lines(struct fx *f, const char *text)
{
    char **lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l; l++) {
        struct ipvsadm_error err = { 0 };
        CU_ASSERT_EQUAL(apply(f, *l, &err), 0);
    }
    g_strfreev(lines);
}

static be32 key6(const char *s)
{
    struct in6_addr a;
    size_t off;
    CU_ASSERT_FATAL(in6_pton(s, &a, &off, NULL));
    return in6_key_get(&a);
}

/* ---- parsing ------------------------------------------------------------------------- */

static struct ipvsadm_cmd parse_ok(const char *line)
{
    struct ipvsadm_cmd cmd;
    struct ipvsadm_error err = { 0 };
    CU_ASSERT_EQUAL(ipvsadm_parse(line, &cmd, &err), 0);
    return cmd;
}

static void test_parse_forms(void)
{
    struct ipvsadm_cmd c = parse_ok("-A -t [2001:db8::10]:80 -s rr");
    CU_ASSERT_EQUAL(c.svc.af, AF_INET6);
    CU_ASSERT_EQUAL(c.svc.addr, key6("2001:db8::10"));
    CU_ASSERT_EQUAL(c.svc.port, htons(80));
    CU_ASSERT_EQUAL(c.svc.netmask, 128);              /* parse_service sets it */
    c = parse_ok("-A -t [2001:DB8:0::10]:http -p -M 64");
    CU_ASSERT_EQUAL(c.svc.addr, key6("2001:db8::10"));
    CU_ASSERT_EQUAL(c.svc.port, htons(80));
    CU_ASSERT_EQUAL(c.svc.netmask, 64);
    c = parse_ok("-A -t [::ffff:10.0.0.1]:80 -p -M 96x");    /* atoi: 96 */
    CU_ASSERT_EQUAL(c.svc.af, AF_INET6);
    CU_ASSERT_EQUAL(c.svc.netmask, 96);
    /* -M before the address is read as a dotted mask, then the address sets 128 */
    c = parse_ok("-A -p -M 64 -t [2001:db8::10]:80");
    CU_ASSERT_EQUAL(c.svc.netmask, 128);
    /* a bare IPv6 address takes no port: "2001:db8::1:80" is an address */
    c = parse_ok("-A -t 2001:db8::1:80 -p");
    CU_ASSERT_EQUAL(c.svc.addr, key6("2001:db8::1:80"));
    CU_ASSERT_EQUAL(c.svc.port, 0);
    /* ipvsadm's quirk: the brackets hide the port of an IPv4 address */
    c = parse_ok("-A -t [10.0.0.5]:80 -p");
    CU_ASSERT_EQUAL(c.svc.af, AF_INET);
    CU_ASSERT_EQUAL(c.svc.addr, topo_ip("10.0.0.5"));
    CU_ASSERT_EQUAL(c.svc.port, 0);
    c = parse_ok("-A -f 7 -6 -p -M 48");
    CU_ASSERT_EQUAL(c.svc.af, AF_INET6);
    CU_ASSERT_EQUAL(c.svc.fwmark, 7);
    CU_ASSERT_EQUAL(c.svc.netmask, 48);
    c = parse_ok("-A -f 7 -6 -6");                     /* -6 is not a counted option */
    CU_ASSERT_EQUAL(c.svc.af, AF_INET6);
    c = parse_ok("-A -f 7");
    CU_ASSERT_EQUAL(c.svc.af, AF_INET);
    CU_ASSERT_EQUAL(c.svc.netmask, 0xffffffffu);
    /* a dest without a port takes the service's */
    c = parse_ok("-a -t [2001:db8::10]:80 -r 2001:db8::2 -m");
    CU_ASSERT_EQUAL(c.dest.addr, key6("2001:db8::2"));
    CU_ASSERT_EQUAL(c.dest.port, htons(80));
    c = parse_ok("-a -u [2001:db8::10]:53 -r [2001:db8::2]:5353 -m");
    CU_ASSERT_EQUAL(c.dest.port, htons(5353));
}

struct bad_case {
    const char *line, *marker, *message;
};

static const struct bad_case bad_lines[] = {
    { "-A -t [2001:db8::g]:80", "g]",
      "illegal virtual server address[:port] specified (IPv6 address: expected a hexadecimal "
      "group (1 to 4 digits))" },
    { "-A -t [2001:db8:::1]:80", ":1]",
      "illegal virtual server address[:port] specified (IPv6 address: expected a hexadecimal "
      "group (1 to 4 digits))" },
    { "-A -t [2001:db8::1:80 -s rr", " -s",
      "illegal virtual server address[:port] specified (expected ']' after the IPv6 address)" },
    { "-A -t [2001:db8::1]80", "80",
      "illegal virtual server address[:port] specified (expected ':' and a port after ']')" },
    { "-A -t [2001:db8::1]:", "[2001", "illegal virtual server address[:port] specified" },
    { "-A -t [2001:db8::1]:65536", "[2001", "illegal virtual server address[:port] specified" },
    { "-A -t 2001:db8::12345:80", "5:80",
      "illegal virtual server address[:port] specified (IPv6 address: expected ':' (a group "
      "has at most 4 hexadecimal digits))" },
    { "-a -t [2001:db8::10]:80 -r [2001:db8::x]:80", "x]",
      "illegal real server address[:port] specified (IPv6 address: expected a hexadecimal group "
      "(1 to 4 digits))" },
    { "-A -t [2001:db8::1]:80 -p -M 129", "129", "illegal ipv6 netmask specified" },
    { "-A -t [2001:db8::1]:80 -p -M abc", "abc", "illegal ipv6 netmask specified" },
    { "-A -f 7 -6 -M 0", "0", "illegal ipv6 netmask specified" },
    { "-A -6 -f 7", "-6", "-6 used before -f" },
    { "-A -t 240.0.0.1:80", "240",
      "illegal virtual server address[:port] specified (240.0.0.0/4 is reserved: ipvsim keeps "
      "IPv6 addresses there)" },
};

static void expect_error(const char *line, const char *marker, const char *message)
{
    struct ipvsadm_cmd cmd;
    struct ipvsadm_error err = { 0 };
    CU_ASSERT_EQUAL(ipvsadm_parse(line, &cmd, &err), -1);
    const char *at = strstr(line, marker);
    CU_ASSERT_PTR_NOT_NULL_FATAL(at);
    int col = (int)(at - line) + 1;
    CU_ASSERT_STRING_EQUAL(err.message, message);
    CU_ASSERT_EQUAL(err.column, col);
    if (strcmp(err.message, message) != 0 || err.column != col)
        fprintf(stderr, "\n  line: %s\n  got:  %d: %s\n", line, err.column, err.message);
}

static void test_parse_errors(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(bad_lines); i++)
        expect_error(bad_lines[i].line, bad_lines[i].marker, bad_lines[i].message);
    /* a bare address has no port: a port-less service must be persistent */
    expect_error("-A -t 2001:db8::1", "2001", "Zero port specified for non-persistent service");
}

/* ---- the control plane ------------------------------------------------------------------ */

static void expect_apply_error(struct fx *f, const char *line, const char *marker,
                               const char *message)
{
    struct ipvsadm_error err = { 0 };
    CU_ASSERT_EQUAL(ipvsadm_apply(f->net, line, &err), -1);
    CU_ASSERT_STRING_EQUAL(err.message, message);
    CU_ASSERT_EQUAL(err.column, (int)(strstr(line, marker) - line) + 1);
}

#define EINVAL_MSG "Invalid operation.  Possibly wrong module version, address not unicast, ..."
/* a dest refused for its family: ipvsadm's words, then why */
#define MIXED_MSG(why) EINVAL_MSG " (a real server of the other family than its service's: " why ")"

static void test_families(void)
{
    struct fx f;
    fx_init(&f, NULL);
    apply_lines(&f, "-A -f 7 -s rr\n"
                    "-A -f 7 -6 -s rr\n"
                    "-A -t [2001:db8::10]:80\n"
                    "-a -t [2001:db8::10]:80 -r 10.0.0.2 -i\n"       /* mixed: TUN, 3.18+ */
                    "-a -f 7 -6 -r [2001:db8::3]:0 -m");
    struct netns_ipvs *ipvs = f.net->ipvs;
    struct ip_vs_service *s4 = ip_vs_service_get_af(ipvs, AF_INET, 0, 0, 0, 7);
    struct ip_vs_service *s6 = ip_vs_service_get_af(ipvs, AF_INET6, 0, 0, 0, 7);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s4);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s6);
    CU_ASSERT_PTR_NOT_EQUAL(s4, s6);
    CU_ASSERT_EQUAL(s6->af, AF_INET6);
    CU_ASSERT_EQUAL(s6->netmask, 128);
    CU_ASSERT_TRUE(list_empty(&s4->destinations));
    CU_ASSERT_PTR_NOT_NULL(ip_vs_lookup_dest(s6, key6("2001:db8::3"), 0));
    expect_apply_error(&f, "-A -f 7 -6", "7", "Service already exists");
    expect_apply_error(&f, "-a -t [2001:db8::10]:80 -r 10.0.0.3 -m", "10.0.0.3",
                       MIXED_MSG("only LVS-TUN (-i) carries it (IPv6-in-IPv4 or IPv4-in-IPv6); "
                                 "NAT (-m) and DR (-g) need the service's family"));
    expect_apply_error(&f, "-a -t [2001:db8::10]:80 -r [fe80::1]:80 -m", "[fe80", EINVAL_MSG);
    expect_apply_error(&f, "-a -t [2001:db8::10]:80 -r [ff02::1]:80 -m", "[ff02", EINVAL_MSG);
    expect_apply_error(&f, "-a -t [2001:db8::11]:80 -r [2001:db8::1]:80 -m", "[2001:db8::11]",
                       "Service not defined");
    /* deleting the IPv6 fwmark service leaves the IPv4 one */
    struct ipvsadm_error err = { 0 };
    CU_ASSERT_EQUAL(apply(&f, "-D -f 7 -6", &err), 0);
    CU_ASSERT_PTR_NULL(ip_vs_service_get_af(ipvs, AF_INET6, 0, 0, 0, 7));
    CU_ASSERT_PTR_EQUAL(ip_vs_service_get_af(ipvs, AF_INET, 0, 0, 0, 7), s4);
    world_destroy(&f.w);

    /* before 3.18 a dest takes its service's family: no mixing even for TUN */
    fx_init(&f, "2.6.34");
    apply_lines(&f, "-A -t [2001:db8::10]:80");
    expect_apply_error(&f, "-a -t [2001:db8::10]:80 -r 10.0.0.2 -i", "10.0.0.2",
                       MIXED_MSG("kernel 2.6.34 has none (LVS-TUN to one came in 3.18)"));
    world_destroy(&f.w);
}

/* ---- listings ------------------------------------------------------------------------------ */

static const char config6[] =
    "-A -t 10.0.0.100:80 -s wlc\n"
    "-a -t 10.0.0.100:80 -r 10.0.0.1:80 -m\n"
    "-A -f 7 -6 -s sh -p 600 -M 64\n"
    "-a -f 7 -6 -r 2001:db8::3 -g\n"
    "-A -u [2001:db8::10]:53 -s rr\n"
    "-a -u [2001:db8::10]:53 -r [2001:db8::4]:53 -m\n"
    "-A -t [2001:db8::10]:80 -s rr\n"
    "-a -t [2001:db8::10]:80 -r [2001:db8::2]:80 -m -w 1\n"
    "-a -t [2001:db8::10]:80 -r [2001:db8:aaaa:bbbb:cccc:dddd:eeee:1]:8080 -m -w 2\n"
    "-A -t [2001:db8:aaaa:bbbb:cccc:dddd:eeee:10]:443 -s rr\n"
    "-A -f 7 -s rr";

static const char list6[] =
    "IP Virtual Server version 1.2.1 (size=4096)\n"
    "Prot LocalAddress:Port Scheduler Flags\n"
    "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
    "TCP  10.0.0.100:80 wlc\n"
    "  -> 10.0.0.1:80                  Masq    1      0          0         \n"
    "TCP  [2001:db8:aaaa:bbbb:cccc:dddd:eeee:10]:443 rr\n"
    "TCP  [2001:db8::10]:80 rr\n"
    "  -> [2001:db8:aaaa:bbbb:cccc:dddd:eeee:1]:8080 Masq    2      0          0         \n"
    "  -> [2001:db8::2]:80             Masq    1      0          0         \n"
    "UDP  [2001:db8::10]:53 rr\n"
    "  -> [2001:db8::4]:53             Masq    1      0          0         \n"
    "FWM  7 rr\n"
    "FWM  7 IPv6 sh persistent 600 mask 64\n"
    "  -> [2001:db8::3]:0              Route   1      0          0         \n";

static const char save6[] =
    "-A -t 10.0.0.100:80 -s wlc\n"
    "-a -t 10.0.0.100:80 -r 10.0.0.1:80 -m -w 1\n"
    "-A -t [2001:db8:aaaa:bbbb:cccc:dddd:eeee:10]:443 -s rr\n"
    "-A -t [2001:db8::10]:80 -s rr\n"
    "-a -t [2001:db8::10]:80 -r [2001:db8:aaaa:bbbb:cccc:dddd:eeee:1]:8080 -m -w 2\n"
    "-a -t [2001:db8::10]:80 -r [2001:db8::2]:80 -m -w 1\n"
    "-A -u [2001:db8::10]:53 -s rr\n"
    "-a -u [2001:db8::10]:53 -r [2001:db8::4]:53 -m -w 1\n"
    "-A -f 7 -s rr\n"
    "-A -f 7 -6 -s sh -p 600 -M 64\n"
    "-a -f 7 -6 -r [2001:db8::3]:0 -g -w 1\n";

static char *listing(struct fx *f, const char *line)
{
    struct ipvsadm_cmd cmd;
    struct ipvsadm_error err = { 0 };
    GString *out = g_string_new(NULL);
    CU_ASSERT_EQUAL(ipvsadm_parse(line, &cmd, &err), 0);
    CU_ASSERT_EQUAL(ipvsadm_list_cmd(out, f->net, &cmd, &err), 0);
    return g_string_free(out, FALSE);
}

static void test_listings(void)
{
    struct fx f;
    fx_init(&f, NULL);
    apply_lines(&f, config6);
    char *s = listing(&f, "-Ln");
    CU_ASSERT_STRING_EQUAL(s, list6);
    g_free(s);
    GString *g = g_string_new(NULL);
    ipvsadm_save(g, f.net->ipvs, 0);
    CU_ASSERT_STRING_EQUAL(g->str, save6);
    g_string_free(g, TRUE);
    /* one service, --stats: the name is not cut at 33 columns, nor the dest's at 28 */
    s = listing(&f, "-Ln --stats -t [2001:db8::10]:80");
    CU_ASSERT_STRING_EQUAL(s,
        "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n"
        "  -> RemoteAddress:Port\n"
        "TCP  [2001:db8::10]:80                   0        0        0        0        0\n"
        "  -> [2001:db8:aaaa:bbbb:cccc:dddd:eeee:1]:8080        0        0        0        0"
        "        0\n"
        "  -> [2001:db8::2]:80                    0        0        0        0        0\n");
    g_free(s);
    s = listing(&f, "-Ln --exact --rate -f 7 -6");
    CU_ASSERT_STRING_EQUAL(s,
        "Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS\n"
        "  -> RemoteAddress:Port\n"
        "FWM  7 IPv6                              0        0        0        0        0\n"
        "  -> [2001:db8::3]:0                     0        0        0        0        0\n");
    g_free(s);
    world_destroy(&f.w);
}

/* -Lnc and /proc/net/ip_vs_conn for an IPv6 connection: ipvsadm's [ADDR]:port by
 * inet_ntop in %-18s columns (a longer name pushes the rest right), the kernel's %pI6
 * (eight groups of four digits) in /proc. */
static void test_conn_listings(void)
{
    struct fx f;
    fx_init(&f, NULL);
    apply_lines(&f, "-A -t [2001:db8::10]:80 -s rr\n"
                    "-a -t [2001:db8::10]:80 -r [2001:db8:1::11]:8080 -m");
    struct netns_ipvs *ipvs = f.net->ipvs;
    struct ip_vs_conn_param p = { .protocol = IPPROTO_TCP, .caddr = key6("2001:db8:2::5"),
                                  .cport = htons(40000), .vaddr = key6("2001:db8::10"),
                                  .vport = htons(80) };
    struct ip_vs_conn *cp = ip_vs_conn_new(ipvs, &p, key6("2001:db8:1::11"), htons(8080), 0,
                                           NULL, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cp);
    unsigned secs = ip_vs_conn_expires_in(cp);
    char want[256];
    snprintf(want, sizeof want,
             "IPVS connection entries\n"
             "pro expire state       source             virtual            destination\n"
             "TCP %02u:%02u  %-11s [2001:db8:2::5]:40000 [2001:db8::10]:80  [2001:db8:1::11]:8080\n",
             secs / 60, secs % 60, ip_vs_state_name(cp));
    GString *out = g_string_new(NULL);
    ipvsadm_list_conns(out, ipvs, 0);
    CU_ASSERT_STRING_EQUAL(out->str, want);
    g_string_truncate(out, 0);
    ip_vs_proc_conn(out, ipvs);
    snprintf(want, sizeof want,
             "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\n"
             "TCP 2001:0db8:0002:0000:0000:0000:0000:0005 9C40 "
             "2001:0db8:0000:0000:0000:0000:0000:0010 0050 "
             "2001:0db8:0001:0000:0000:0000:0000:0011 1F90 %-11s %7u\n",
             ip_vs_state_name(cp), secs);
    CU_ASSERT_STRING_EQUAL(out->str, want);
    g_string_free(out, TRUE);
    world_destroy(&f.w);
}

/* -Sn read back gives the same -Sn (ipvsadm-save | ipvsadm-restore). */
static void test_round_trip(void)
{
    struct fx a, b;
    fx_init(&a, NULL);
    fx_init(&b, NULL);
    apply_lines(&a, config6);
    GString *first = g_string_new(NULL), *second = g_string_new(NULL);
    ipvsadm_save(first, a.net->ipvs, 0);
    g_string_truncate(first, first->len - 1);              /* no empty last line */
    apply_lines(&b, first->str);
    ipvsadm_save(second, b.net->ipvs, 0);
    g_string_append_c(first, '\n');
    CU_ASSERT_STRING_EQUAL(second->str, first->str);
    g_string_free(first, TRUE);
    g_string_free(second, TRUE);
    world_destroy(&a.w);
    world_destroy(&b.w);
}

IPVSIM_SUITE(ipvsadm6)
{
    CU_pSuite s = CU_add_suite("ipvsadm6", NULL, NULL);
    ADD_TEST(s, test_parse_forms);
    ADD_TEST(s, test_parse_errors);
    ADD_TEST(s, test_families);
    ADD_TEST(s, test_listings);
    ADD_TEST(s, test_conn_listings);
    ADD_TEST(s, test_round_trip);
}
