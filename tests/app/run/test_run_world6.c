/* The IPv6 side of a run's world (app/run/run_world6.c): a dual-stack scenario gets
 * on each host the addresses and routes `ip -6` would set; an IPv4 scenario gets no
 * IPv6 at all; an IPv6-only server gets no IPv4 address; scenario parsing of the IPv6
 * forms (client addresses from an IPv6 prefix, overlaps, families of vip6/ip6). */
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include "app/run/run_world.h"
#include "app/run/run_world6.h"
#include "app/scenario/scenario.h"
#include "model/ipv6/ipv6.h"
#include "model/ipv6/route.h"
#include "model/ipvs/ip_vs.h"
#include "model/net.h"
#include "model/profile.h"
#include "sim/in6.h"
#include "sim/in6_key.h"
#include "tests/testutil.h"

static char *tmp_dir;

static int suite_init(void)
{
    tmp_dir = g_dir_make_tmp("ipvsim-world6-XXXXXX", NULL);
    return tmp_dir ? 0 : 1;
}

static int suite_clean(void)
{
    char *p = g_build_filename(tmp_dir, "s.json", NULL);
    g_unlink(p);
    g_free(p);
    g_rmdir(tmp_dir);
    g_free(tmp_dir);
    return 0;
}

/* The scenario of text; NULL with err set when it does not load. */
static struct scenario *load_text(const char *text, struct scn_error *err)
{
    char *p = g_build_filename(tmp_dir, "s.json", NULL);
    CU_ASSERT_FATAL(g_file_set_contents(p, text, -1, NULL));
    struct scenario *s = scenario_load(p, NULL, err);
    g_free(p);
    return s;
}

static struct in6_addr A(const char *text)
{
    struct in6_addr a;
    CU_ASSERT_FATAL(in6_pton(text, &a, NULL, NULL));
    return a;
}

static be32 K(const char *text)
{
    struct in6_addr a = A(text);
    return in6_key_get(&a);
}

static bool has6(struct host *h, const char *dev, const char *addr)
{
    struct in6_addr a = A(addr);
    return ipv6_chk_addr(host_net(h), &a, dev ? host_dev(h, dev) : NULL);
}

/* The route h takes to addr: its gateway as text ("" on-link), its type. */
static const char *route_via(struct host *h, const char *addr, enum rt6_type *type, char *buf)
{
    struct in6_addr a = A(addr);
    struct rt6_info *rt = ip6_route_output(host_net(h), &a);
    if (!rt)
        return "none";
    *type = rt->type;
    return ipv6_addr_any(&rt->gateway) ? "" : in6_ntop(&rt->gateway, buf);
}

static const char dual[] =
    "{ \"director\": { \"vip\": \"203.0.113.10\", \"vip6\": \"2001:db8::10\" },\n"
    "  \"servers\": [ { \"name\": \"rs1\", \"ip\": \"192.0.2.11\", \"ip6\": \"2001:db8:1::11\" },\n"
    "               { \"name\": \"rs2\", \"ip\": \"2001:db8:1::12\" } ],\n"
    "  \"clients\": [ { \"name\": \"web\", \"net\": \"198.51.100.0/24\", \"count\": 5,\n"
    "                   \"target\": \"203.0.113.10:80\" },\n"
    "                 { \"name\": \"web6\", \"net\": \"2001:db8:c::/64\", \"count\": 5,\n"
    "                   \"target\": \"[2001:db8::10]:80\" } ],\n"
    "  \"ipvs\": [ \"-A -t 203.0.113.10:80 -s rr\", \"-a -t 203.0.113.10:80 -r 192.0.2.11:80 -m\" ] }\n";

static void test_parse_dual_stack(void)
{
    struct scn_error err;
    struct scenario *s = load_text(dual, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL(s->director.vip, htonl(0xcb00710a));
    CU_ASSERT_EQUAL(s->director.vip6, K("2001:db8::10"));
    const struct scn_server *rs1 = &g_array_index(s->servers, struct scn_server, 0);
    const struct scn_server *rs2 = &g_array_index(s->servers, struct scn_server, 1);
    CU_ASSERT_EQUAL(rs1->ip, htonl(0xc000020b));
    CU_ASSERT_EQUAL(rs1->ip6, K("2001:db8:1::11"));
    CU_ASSERT_EQUAL(rs2->ip, K("2001:db8:1::12"));
    CU_ASSERT_EQUAL(rs2->ip6, 0);
    const struct scn_client *c6 = &g_array_index(s->clients, struct scn_client, 1);
    CU_ASSERT_EQUAL(c6->net, K("2001:db8:c::"));
    CU_ASSERT_EQUAL(c6->prefix, 64);
    CU_ASSERT_EQUAL(c6->target_ip, K("2001:db8::10"));
    CU_ASSERT_EQUAL(c6->target_port, 80);
    /* the group's addresses: net+1 on, as IPv4's */
    CU_ASSERT_EQUAL(scn_client_addr(c6, 0), K("2001:db8:c::1"));
    CU_ASSERT_EQUAL(scn_client_addr(c6, 4), K("2001:db8:c::5"));
    const struct scn_client *c4 = &g_array_index(s->clients, struct scn_client, 0);
    CU_ASSERT_EQUAL(scn_client_addr(c4, 0), htonl(0xc6336401));
    scenario_free(s);
}

/* A carry across bytes, and /127 (every address a host's, RFC 6164). */
static void test_client_addr_arithmetic(void)
{
    struct scn_client c = { .net = K("2001:db8::ff00"), .prefix = 120, .count = 255 };
    CU_ASSERT_EQUAL(scn_client_addr(&c, 254), K("2001:db8::ffff"));
    c = (struct scn_client){ .net = K("2001:db8::"), .prefix = 112, .count = 300 };
    CU_ASSERT_EQUAL(scn_client_addr(&c, 255), K("2001:db8::100"));
    c = (struct scn_client){ .net = K("2001:db8::2"), .prefix = 127, .count = 2 };
    CU_ASSERT_EQUAL(scn_client_addr(&c, 0), K("2001:db8::2"));
    CU_ASSERT_EQUAL(scn_client_addr(&c, 1), K("2001:db8::3"));
}

struct bad {
    const char *from, *to;          /* replace in dual */
    int line, col;
    const char *msg;                /* a part of the message */
};

static void test_parse_errors(void)
{
    const struct bad bad[] = {
        { "\"2001:db8::10\" }", "\"2001:db8::1g\" }", 1, 60, "bad IPv6 address \"2001:db8::1g\": expected" },
        { "\"vip6\": \"2001:db8::10\"", "\"vip6\": \"192.0.2.99\"", 1, 48, "expected an IPv6 address, not an IPv4 one" },
        { "\"vip\": \"203.0.113.10\"", "\"vip\": \"240.0.113.10\"", 1, 24, "reserved" },
        { "\"ip6\": \"2001:db8:1::11\"", "\"ip6\": \"192.0.2.99\"", 2, 60, "expected an IPv6 address" },
        { "\"ip\": \"192.0.2.11\"", "\"ip\": \"2001:db8:1::10\"", 2, 64, "'ip' is IPv6 already" },
        { "\"2001:db8:c::/64\"", "\"2001:db8:c::1/64\"", 6, 43, "host bits set (the network is 2001:db8:c::/64)" },
        { "\"2001:db8:c::/64\"", "\"2001:db8:c::/129\"", 6, 57, "expected a prefix length 0 to 128" },
        { "\"[2001:db8::10]:80\"", "\"2001:db8::10:80\"", 7, 30, "in brackets" },
        { "\"[2001:db8::10]:80\"", "\"[2001:db8::10]:0\"", 7, 46, "port 0 of" },
        { "\"2001:db8:c::/64\", \"count\": 5", "\"2001:db8:1::/120\", \"count\": 20", 6, 43,
          "include server rs1's address 2001:db8:1::11" },
        { "\"198.51.100.0/24\"", "\"240.0.0.0/24\"", 4, 40, "reserved" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        char *text = g_strdup(dual);
        char *at = strstr(text, bad[i].from);
        CU_ASSERT_PTR_NOT_NULL_FATAL(at);
        GString *g = g_string_new_len(text, at - text);
        g_string_append(g, bad[i].to);
        g_string_append(g, at + strlen(bad[i].from));
        struct scn_error err;
        struct scenario *s = load_text(g->str, &err);
        CU_ASSERT_PTR_NULL(s);
        if (!s) {
            CU_ASSERT_EQUAL(err.pos.line, bad[i].line);
            CU_ASSERT_EQUAL(err.pos.col, bad[i].col);
            CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, bad[i].msg));
            if (err.pos.line != bad[i].line || err.pos.col != bad[i].col || !strstr(err.msg, bad[i].msg))
                fprintf(stderr, "\n  case %zu: %d:%d: %s\n", i, err.pos.line, err.pos.col, err.msg);
        } else {
            scenario_free(s);
        }
        g_string_free(g, TRUE);
        g_free(text);
    }
}

static struct host *host_named(struct run_world *rw, const char *name)
{
    return world_host(&rw->w, name);
}

static void test_world_dual_stack(void)
{
    struct scn_error err;
    struct scenario *s = load_text(dual, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    struct run_world rw;
    CU_ASSERT_TRUE_FATAL(run_world_build(&rw, s, NULL, &err));
    CU_ASSERT_TRUE(rw.ipv6);
    char buf[IN6_ADDRSTRLEN], t[INET_KEY_STRLEN];
    enum rt6_type type = 0;
    /* the servers' /64, the DIP6 its lowest free address, the router's the highest */
    CU_ASSERT_STRING_EQUAL(in6_ntop(&rw.lan6, buf), "2001:db8:1::");
    CU_ASSERT_STRING_EQUAL(inet_key_ntop(rw.dip6, t), "2001:db8:1::1");
    CU_ASSERT_STRING_EQUAL(inet_key_ntop(rw.gw_lan6, t), "2001:db8:1::ffff:fffe");
    /* director: DIP6 and the IPv6 VIP on eth0, forwarding, default via the router */
    struct host *d = rw.director;
    CU_ASSERT_TRUE(has6(d, "eth0", "2001:db8:1::1"));
    CU_ASSERT_TRUE(has6(d, "eth0", "2001:db8::10"));
    CU_ASSERT_EQUAL(net_ipv6(host_net(d))->devconf_all.forwarding, 1);
    CU_ASSERT_STRING_EQUAL(route_via(d, "2001:db8:c::1", &type, buf), "2001:db8:1::ffff:fffe");
    /* the IPv4 VIP stays as it was */
    CU_ASSERT_PTR_NOT_NULL(host_dev_by_addr(d, htonl(0xcb00710a)));
    /* router: the VIP6 via the DIP6, the IPv6 group's net via its host */
    CU_ASSERT_STRING_EQUAL(route_via(rw.gw, "2001:db8::10", &type, buf), "2001:db8:1::1");
    CU_ASSERT_STRING_EQUAL(route_via(rw.gw, "2001:db8:c::3", &type, buf), "fd00:64::3");
    CU_ASSERT_EQUAL(net_ipv6(host_net(rw.gw))->devconf_all.forwarding, 1);
    /* servers: rs1 dual-stack, rs2 IPv6 only (no IPv4 address at all) */
    struct host *rs1 = host_named(&rw, "rs1"), *rs2 = host_named(&rw, "rs2");
    CU_ASSERT_TRUE(has6(rs1, "eth0", "2001:db8:1::11"));
    CU_ASSERT_PTR_NOT_NULL(host_dev_by_addr(rs1, htonl(0xc000020b)));
    CU_ASSERT_TRUE(has6(rs2, "eth0", "2001:db8:1::12"));
    CU_ASSERT_EQUAL(host_dev(rs2, "eth0")->naddrs, 0);
    /* no line names their IPv6 addresses: default via the router */
    CU_ASSERT_STRING_EQUAL(route_via(rs2, "2001:db8:c::1", &type, buf), "2001:db8:1::ffff:fffe");
    /* the IPv6 group's host: its side address, its net local (AnyIP), default via gw */
    struct host *c6 = host_named(&rw, "web6");
    CU_ASSERT_TRUE(has6(c6, "eth0", "fd00:64::3"));
    CU_ASSERT_STRING_EQUAL(route_via(c6, "2001:db8:c::5", &type, buf), "");
    CU_ASSERT_EQUAL(type, RT6_LOCAL);
    CU_ASSERT_STRING_EQUAL(route_via(c6, "2001:db8::10", &type, buf), "fd00:64::1");
    /* DR: the VIP6 on the real server's lo */
    CU_ASSERT_TRUE(run_world6_server(&rw, rs2, &g_array_index(s->servers, struct scn_server, 1),
                                     IP_VS_CONN_F_DROUTE));
    CU_ASSERT_TRUE(has6(rs2, "lo", "2001:db8::10"));
    CU_ASSERT_FALSE(has6(rs1, "lo", "2001:db8::10"));
    run_world_free(&rw);
    scenario_free(s);
}

/* NAT real servers route back through the DIP6. */
static void test_world_nat_gateway(void)
{
    struct scn_error err;
    struct scenario *s = load_text(dual, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    struct run_world rw;
    CU_ASSERT_TRUE_FATAL(run_world_build(&rw, s, NULL, &err));
    struct host *h = host_named(&rw, "rs2");
    /* as a fresh host would be set up for NAT */
    struct host *n = host_new(&rw.w, "rs-nat");
    host_add_dev(n, "eth0", 1500);
    net_new(n, kernel_profile_find("6.x"));
    struct scn_server sv = { .ip = K("2001:db8:1::20") };
    CU_ASSERT_TRUE(run_world6_server(&rw, n, &sv, IP_VS_CONN_F_MASQ));
    char buf[IN6_ADDRSTRLEN];
    enum rt6_type type = 0;
    CU_ASSERT_STRING_EQUAL(route_via(n, "2001:db8:c::1", &type, buf), "2001:db8:1::1");
    CU_ASSERT_STRING_EQUAL(route_via(h, "2001:db8:c::1", &type, buf), "2001:db8:1::ffff:fffe");
    run_world_free(&rw);
    scenario_free(s);
}

/* An IPv4 scenario: no host has IPv6 (its world and outputs are as before). */
static void test_world_ipv4_untouched(void)
{
    struct scn_error err;
    struct scenario *s = scenario_load("scenarios/quickstart.json", NULL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_FALSE(run_world6_wanted(s));
    struct run_world rw;
    CU_ASSERT_TRUE_FATAL(run_world_build(&rw, s, NULL, &err));
    CU_ASSERT_FALSE(rw.ipv6);
    CU_ASSERT_PTR_NULL(net_ipv6(host_net(rw.director)));
    CU_ASSERT_PTR_NULL(net_ipv6(host_net(rw.gw)));
    for (guint i = 0; i < rw.servers->len; i++)
        CU_ASSERT_PTR_NULL(net_ipv6(host_net(g_ptr_array_index(rw.servers, i))));
    run_world_free(&rw);
    scenario_free(s);
}

/* A server's IPv6 address off the first one's /64; a backup director with IPv6. */
static void test_world_refusals(void)
{
    struct scn_error err;
    char *text = g_strdup(dual);
    char *at = strstr(text, "2001:db8:1::12");
    memcpy(at, "2001:db8:2::12", 14);
    struct scenario *s = load_text(text, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    struct run_world rw;
    CU_ASSERT_FALSE(run_world_build(&rw, s, NULL, &err));
    CU_ASSERT_EQUAL(err.pos.line, 3);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "servers[1].ip: 2001:db8:2::12 is not on the LAN "
                                           "2001:db8:1::/64"));
    scenario_free(s);
    g_free(text);
    GString *g = g_string_new(dual);
    g_string_replace(g, "\"vip6\": \"2001:db8::10\"", "\"vip6\": \"2001:db8::10\", \"backup\": {}", 1);
    s = load_text(g->str, &err);
    g_string_free(g, TRUE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_FALSE(run_world_build(&rw, s, NULL, &err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "backup director"));
    scenario_free(s);
}

IPVSIM_SUITE(world6)
{
    CU_pSuite s = CU_add_suite("world6", suite_init, suite_clean);
    ADD_TEST(s, test_parse_dual_stack);
    ADD_TEST(s, test_client_addr_arithmetic);
    ADD_TEST(s, test_parse_errors);
    ADD_TEST(s, test_world_dual_stack);
    ADD_TEST(s, test_world_nat_gateway);
    ADD_TEST(s, test_world_ipv4_untouched);
    ADD_TEST(s, test_world_refusals);
}
