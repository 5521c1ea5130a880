/* ip6tables command lines: the IPv6 tables apart from IPv4's, addresses and prefixes,
 * -p icmpv6 / ipv6-icmp with --icmpv6-type, `ip6tables -S` output and its round
 * trip, and the refusals with ip6tables' messages (or ipvsim's, for what the model
 * does not have for IPv6) and the offset of the token at fault. */
#include <string.h>
#include "model/net.h"
#include "model/netfilter/x_tables.h"
#include "model/user/iptables/iptables_parse.h"
#include "sim/in6.h"
#include "tests/testutil.h"
#include "tests/topo.h"

static struct net *fw6_new(struct world *w)
{
    world_init(w, 1);
    struct host *h = host_new(w, "fw");
    host_add_dev(h, "eth0", 1500);
    host_add_dev(h, "eth1", 1500);
    return net_new(h, NULL);
}

static int apply6(struct net *net, const char *line)
{
    struct xt_error err;
    int r = iptables_apply(net, line, &err);
    if (r != 0)
        fprintf(stderr, "\n  %s: %s (at %zu)\n", line, err.msg, err.offset);
    return r;
}

static char *save6(struct net *net)
{
    GString *s = g_string_new(NULL);
    ip6tables_save(net, s);
    return g_string_free(s, FALSE);
}

/* ---- rules as `ip6tables -S` prints them ---------------------------------------------- */

struct rule6_case {
    const char *line, *saved;
};

static const struct rule6_case rule6_cases[] = {
    { "ip6tables -A INPUT -s 2001:db8:1::5/64 -d 2001:DB8::10 -p tcp --dport 80 -j ACCEPT",
      "-t filter -A INPUT -s 2001:db8:1::/64 -d 2001:db8::10/128 -p tcp -m tcp --dport 80 "
      "-j ACCEPT" },
    { "ip6tables -A INPUT -p icmpv6 --icmpv6-type echo-request -j ACCEPT",
      "-t filter -A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 128 -j ACCEPT" },
    { "ip6tables -A INPUT -p ipv6-icmp -m icmp6 ! --icmpv6-type port-unreachable -j DROP",
      "-t filter -A INPUT -p ipv6-icmp -m icmp6 ! --icmpv6-type 1/4 -j DROP" },
    { "ip6tables -A INPUT -p 58 --icmpv6-type neighbor-solicitation",
      "-t filter -A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 135" },
    { "/sbin/ip6tables -A FORWARD -i eth0 ! -s 2001:db8::/32 -o eth1 -j DROP",
      "-t filter -A FORWARD ! -s 2001:db8::/32 -i eth0 -o eth1 -j DROP" },
    { "ip6tables -A OUTPUT -d ::/0 -p udp --dport 53 -j ACCEPT",
      "-t filter -A OUTPUT -p udp -m udp --dport 53 -j ACCEPT" },
    { "ip6tables -A INPUT -s 2001:db8::/ffff:ffff:: -j ACCEPT",
      "-t filter -A INPUT -s 2001:db8::/32 -j ACCEPT" },
    { "ip6tables -A INPUT -s 2001:db8::/ffff::ffff -j ACCEPT",
      "-t filter -A INPUT -s 2001::/ffff::ffff -j ACCEPT" },
    { "ip6tables -t raw -A PREROUTING -d fe80::/10 -j ACCEPT",
      "-t raw -A PREROUTING -d fe80::/10 -j ACCEPT" },
    { "ip6tables -t security -A INPUT -p tcp -m multiport --dports 80,443 -m comment "
      "--comment web6", "-t security -A INPUT -p tcp -m multiport --dports 80,443 "
      "-m comment --comment web6" },
};

/* The last "-A" line of the IPv6 tables' save text. */
static char *last_rule(const char *all)
{
    const char *a = NULL;
    for (const char *p = all; (p = strstr(p, "-A ")) != NULL; p++)
        a = p;
    if (!a)
        return g_strdup("");
    while (a > all && a[-1] != '\n')
        a--;
    char *r = g_strdup(a);
    char *nl = strchr(r, '\n');
    if (nl)
        *nl = '\0';
    return r;
}

static void test_rules_saved(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(rule6_cases); i++) {
        struct world w;
        struct net *net = fw6_new(&w);
        CU_ASSERT_EQUAL(apply6(net, rule6_cases[i].line), 0);
        char *all = save6(net);
        char *got = last_rule(all);
        if (strcmp(got, rule6_cases[i].saved) != 0)
            fprintf(stderr, "\n  %s\n  got      %s\n  expected %s\n", rule6_cases[i].line, got,
                    rule6_cases[i].saved);
        CU_ASSERT_STRING_EQUAL(got, rule6_cases[i].saved);
        g_free(got);
        g_free(all);
        world_destroy(&w);
    }
}

/* The families keep their own tables: an ip6tables line leaves iptables' filter table
 * alone, and iptables-save / ip6tables-save each print their own. */
static void test_tables_per_family(void)
{
    struct world w;
    struct net *net = fw6_new(&w);
    CU_ASSERT_EQUAL(apply6(net, "ip6tables -A INPUT -s 2001:db8::1 -j DROP"), 0);
    CU_ASSERT_PTR_NULL(xt_table_find(net, "filter"));
    const struct xt_table *f6 = xt_table_find_af(net, NFPROTO_IPV6, "filter");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f6);
    CU_ASSERT_EQUAL(f6->af, NFPROTO_IPV6);
    CU_ASSERT_TRUE(f6->registered);
    CU_ASSERT_EQUAL(apply6(net, "iptables -A INPUT -s 10.0.0.1 -j DROP"), 0);
    GString *v4 = g_string_new(NULL);
    iptables_save(net, v4);
    CU_ASSERT_PTR_NOT_NULL(strstr(v4->str, "-A INPUT -s 10.0.0.1/32 -j DROP"));
    CU_ASSERT_PTR_NULL(strstr(v4->str, "2001:db8"));
    char *v6 = save6(net);
    CU_ASSERT_PTR_NOT_NULL(strstr(v6, "-A INPUT -s 2001:db8::1/128 -j DROP"));
    CU_ASSERT_PTR_NULL(strstr(v6, "10.0.0.1"));
    /* -D with the same rule finds it in the IPv6 table only */
    CU_ASSERT_EQUAL(apply6(net, "ip6tables -D INPUT -s 2001:db8::1 -j DROP"), 0);
    CU_ASSERT_EQUAL(xt_chain_find(f6, "INPUT")->rules->len, 0);
    CU_ASSERT_EQUAL(xt_chain_find(xt_table_find(net, "filter"), "INPUT")->rules->len, 1);
    g_string_free(v4, TRUE);
    g_free(v6);
    world_destroy(&w);
}

/* -s a,b -d c: one rule per pair, as for iptables. */
static void test_several_addresses(void)
{
    struct world w;
    struct net *net = fw6_new(&w);
    CU_ASSERT_EQUAL(apply6(net, "ip6tables -A INPUT -s 2001:db8::1,2001:db8::2/127 -d ::1 "
                                "-j ACCEPT"), 0);
    char *all = save6(net);
    CU_ASSERT_PTR_NOT_NULL(strstr(all, "-A INPUT -s 2001:db8::1/128 -d ::1/128 -j ACCEPT\n"
                                       "-t filter -A INPUT -s 2001:db8::2/127 -d ::1/128 "
                                       "-j ACCEPT\n"));
    g_free(all);
    world_destroy(&w);
}

/* What ip6tables_save prints reads back (through ip6tables_apply, which takes the
 * lines without a program name) to the same tables. */
static void test_roundtrip(void)
{
    struct world w, w2;
    struct net *net = fw6_new(&w), *net2 = fw6_new(&w2);
    for (size_t i = 0; i < G_N_ELEMENTS(rule6_cases); i++)
        CU_ASSERT_EQUAL(apply6(net, rule6_cases[i].line), 0);
    CU_ASSERT_EQUAL(apply6(net, "ip6tables -N web"), 0);
    CU_ASSERT_EQUAL(apply6(net, "ip6tables -A web -j RETURN"), 0);
    CU_ASSERT_EQUAL(apply6(net, "ip6tables -I INPUT 2 -p tcp -j web"), 0);
    CU_ASSERT_EQUAL(apply6(net, "ip6tables -P FORWARD DROP"), 0);
    char *first = save6(net);
    gchar **lines = g_strsplit(first, "\n", -1);
    for (gchar **l = lines; *l; l++) {
        if (!**l)
            continue;
        struct xt_error err;
        int r = ip6tables_apply(net2, *l, &err);
        if (r)
            fprintf(stderr, "\n  %s: %s\n", *l, err.msg);
        CU_ASSERT_EQUAL(r, 0);
    }
    char *second = save6(net2);
    CU_ASSERT_STRING_EQUAL(first, second);
    g_strfreev(lines);
    g_free(first);
    g_free(second);
    world_destroy(&w);
    world_destroy(&w2);
}

/* ---- refusals --------------------------------------------------------------------------- */

struct bad6_case {
    const char *line, *msg;
    const char *at;                     /* the first occurrence of this text, at its '|' */
};

static const struct bad6_case bad6_cases[] = {
    { "ip6tables -A INPUT -s 2001:db8::zz -j DROP",
      "host/network `2001:db8::zz' not found: expected a hexadecimal group (1 to 4 digits)",
      "::|zz" },
    { "ip6tables -A INPUT -s 2001:db8::1,2001:db8:::2", "host/network `2001:db8:::2' not found: "
      "expected a hexadecimal group (1 to 4 digits)", "2001:db8::|:2" },
    { "ip6tables -A INPUT -d 2001:db8::/129", "invalid mask `129' specified", "129" },
    { "ip6tables -A INPUT -s 10.0.0.1 -j ACCEPT", "host/network `10.0.0.1' not found: expected "
      "a hexadecimal group (an IPv4 tail fills the last 32 bits)", "10.0.0.1" },
    { "ip6tables -A INPUT -f -j DROP", "`-f' is not supported in IPv6, use -m frag instead",
      "-f" },
    { "ip6tables -A INPUT -p icmp --icmp-type 8 -j DROP", "unknown option \"--icmp-type\"",
      "--icmp-type" },
    { "ip6tables -A INPUT -p icmp -m icmp --icmp-type 8",
      "Couldn't load match `icmp':No such file or directory", "icmp --" },
    { "ip6tables -A INPUT -p icmpv6 --icmpv6-type bogus", "Invalid ICMPv6 type `bogus'",
      "bogus" },
    { "ip6tables -A INPUT -p icmpv6 --icmpv6-type 128/300", "Invalid ICMPv6 code `300'",
      "128/300" },
    { "ip6tables -A INPUT -p icmpv6 --icmpv6-type neighbo",
      "Ambiguous ICMPv6 type `neighbo': `neighbour-solicitation' or "
      "`neighbour-advertisement'?", "neighbo" },
    { "ip6tables -A INPUT -p icmpv6 -m icmp6 -j ACCEPT",
      "icmp6: option \"--icmpv6-type\" must be specified", "icmp6" },
    { "ip6tables -A INPUT -m icmp6 --icmpv6-type 128 -j ACCEPT",
      "ip6tables: Invalid argument. Run `dmesg' for more information. [dmesg: x_tables: "
      "ip6_tables: icmp6 match: only valid for protocol 58]", "ACCEPT" },
    /* NAT66: libip6t_DNAT/SNAT's parse_to */
    { "ip6tables -t nat -A PREROUTING -p tcp -j DNAT --to-destination [2001:db8::1:80",
      "Invalid address format", "[2001" },
    { "ip6tables -t nat -A PREROUTING -p tcp -j DNAT --to-destination [2001:db8::g]:80",
      "Bad IP address \"2001:db8::g\"", "[2001" },
    { "ip6tables -t nat -A PREROUTING -j DNAT --to-destination [2001:db8::1]:80",
      "Need TCP, UDP, SCTP or DCCP with port specification", "[2001" },
    { "ip6tables -t nat -A POSTROUTING -p udp -j SNAT --to-source [2001:db8::1-2001:db8::x]:5-7",
      "Bad IP address \"2001:db8::x\"", "[2001" },
    { "ip6tables -t nat -A POSTROUTING -p tcp -j SNAT --to-source [2001:db8::1]:7-5",
      "Port range `7-5' funky", "[2001" },
    { "ip6tables -A FORWARD -j MASQUERADE",
      "ip6tables: Invalid argument. Run `dmesg' for more information. [dmesg: x_tables: "
      "ip6_tables: MASQUERADE target: only valid in nat table, not filter]", "MASQUERADE" },
    { "ip6tables -A INPUT -m conntrack --ctstate NEWISH", "Bad ctstate \"NEWISH\"", "NEWISH" },
    { "ip6tables -A INPUT -j REJECT", "target `REJECT' is ip6t_REJECT for IPv6 (ICMPv6 errors), "
      "which ipvsim does not model", "REJECT" },
    { "ip6tables -A INPUT -j LOG", "target `LOG' logs through nf_log_ipv6 for IPv6, which "
      "ipvsim does not model", "LOG" },
    { "ip6tables -4 -A INPUT -j ACCEPT",
      "Try `ip6tables -h' or 'ip6tables --help' for more information.", "-4" },
    { "ip6tables -A NOPE -j ACCEPT", "ip6tables: No chain/target/match by that name.", "NOPE" },
    { "ip6tables -t foo -A INPUT", "can't initialize ip6tables table `foo': Table does not "
      "exist (do you need to insmod?)", "foo" },
    { "ip6tables -A INPUT -p tcp --dport 70000", "invalid port/service `70000' specified",
      "70000" },
    /* and iptables has no icmp6 match, nor an IPv6 mode */
    { "iptables -A INPUT -p 58 -m icmp6 --icmpv6-type 128",
      "Couldn't load match `icmp6':No such file or directory", "icmp6" },
    { "iptables -6 -A INPUT -j ACCEPT", "-6: this is iptables (IPv4); write an ip6tables line",
      "-6" },
    { "iptables -A INPUT -p icmpv6", "unknown protocol \"icmpv6\" specified", "icmpv6" },
};

static size_t offset_of(const char *line, const char *at)
{
    char *pattern = g_strdup(at);
    char *bar = strchr(pattern, '|');
    size_t shift = 0;
    if (bar) {
        shift = (size_t)(bar - pattern);
        memmove(bar, bar + 1, strlen(bar));
    }
    const char *hit = strstr(line, pattern);
    g_free(pattern);
    return hit ? (size_t)(hit - line) + shift : 0;
}

static void test_bad_lines(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(bad6_cases); i++) {
        const struct bad6_case *c = &bad6_cases[i];
        struct world w;
        struct net *net = fw6_new(&w);
        CU_ASSERT_EQUAL(apply6(net, "ip6tables -A INPUT -s ::1 -j ACCEPT"), 0);
        char *before = save6(net);
        struct xt_error err;
        int r = iptables_apply(net, c->line, &err);
        size_t want = offset_of(c->line, c->at);
        if (r == 0 || strcmp(err.msg, c->msg) != 0 || err.offset != want)
            fprintf(stderr, "\n  %s\n  got      %s (at %zu)\n  expected %s (at %zu)\n", c->line,
                    r == 0 ? "success" : err.msg, r == 0 ? 0 : err.offset, c->msg, want);
        CU_ASSERT_NOT_EQUAL(r, 0);
        CU_ASSERT_STRING_EQUAL(err.msg, c->msg);
        CU_ASSERT_EQUAL(err.offset, want);
        char *after = save6(net);
        CU_ASSERT_STRING_EQUAL(before, after);
        g_free(before);
        g_free(after);
        world_destroy(&w);
    }
}

IPVSIM_SUITE(ip6tables_parse)
{
    CU_pSuite s = CU_add_suite("ip6tables_parse", NULL, NULL);
    ADD_TEST(s, test_rules_saved);
    ADD_TEST(s, test_tables_per_family);
    ADD_TEST(s, test_several_addresses);
    ADD_TEST(s, test_roundtrip);
    ADD_TEST(s, test_bad_lines);
}
