/* iptables command lines: every option and target, `iptables -S` output, round
 * trips through iptables_save, the commands, and a corpus of bad lines, each with
 * iptables' message and the offset of the token at fault. */
#include <string.h>
#include "model/net.h"
#include "model/user/iptables/iptables_parse.h"
#include "model/netfilter/x_tables.h"
#include "tests/testutil.h"
#include "tests/topo.h"

/* A host "fw" with two interfaces and a kernel of the given era (NULL: default). */
static struct net *fw_new(struct world *w, const char *era)
{
    world_init(w, 1);
    struct host *h = host_new(w, "fw");
    netdev_add_addr(host_add_dev(h, "eth0", 1500), topo_ip("10.0.0.1"), 24);
    netdev_add_addr(host_add_dev(h, "eth1", 1500), topo_ip("10.0.1.1"), 24);
    return net_new(h, era ? kernel_profile_find(era) : NULL);
}

static int apply(struct net *net, const char *line)
{
    struct xt_error err;
    int r = iptables_apply(net, line, &err);
    if (r != 0)
        fprintf(stderr, "\n  %s: %s (at %zu)\n", line, err.msg, err.offset);
    return r;
}

static char *save_table(struct net *net, const char *table, bool counters)
{
    GString *s = g_string_new(NULL);
    const struct xt_table *t = xt_table_find(net, table);
    if (t)
        iptables_save_table(t, s, counters);
    return g_string_free(s, FALSE);
}

/* The first "-A" line of a table's -S output, without its newline. */
static char *first_rule(struct net *net, const char *table)
{
    char *all = save_table(net, table, false);
    char *a = strstr(all, "-A ");
    char *rule = g_strdup(a ? a : "");
    char *nl = strchr(rule, '\n');
    if (nl)
        *nl = '\0';
    g_free(all);
    return rule;
}

/* ---- every option, as -S prints it -------------------------------------------------- */

struct rule_case {
    const char *table, *setup, *line, *saved;
};

static const struct rule_case rule_cases[] = {
    { "filter", NULL, "-A INPUT -s 10.1.2.3/8 -d 192.168.0.1 -j ACCEPT",
      "-A INPUT -s 10.0.0.0/8 -d 192.168.0.1/32 -j ACCEPT" },
    { "filter", NULL, "-A INPUT ! -s 10.0.0.0/255.255.0.0 -j DROP",
      "-A INPUT ! -s 10.0.0.0/16 -j DROP" },
    { "filter", NULL, "-A INPUT -s 10.0.0.0/255.0.255.0 -j DROP",
      "-A INPUT -s 10.0.0.0/255.0.255.0 -j DROP" },
    { "filter", NULL, "-A INPUT -s 10.1 -j DROP", "-A INPUT -s 10.1.0.0/32 -j DROP" },
    { "filter", NULL, "-A INPUT -s 0/0 -j DROP", "-A INPUT -j DROP" },
    { "filter", NULL, "-A FORWARD -i eth+ ! -o eth1 -j ACCEPT",
      "-A FORWARD -i eth+ ! -o eth1 -j ACCEPT" },
    { "filter", NULL, "-A INPUT -p TCP --sport 1024: --dport 22 -j ACCEPT",
      "-A INPUT -p tcp -m tcp --sport 1024:65535 --dport 22 -j ACCEPT" },
    { "filter", NULL, "-A INPUT -p tcp ! --dport ssh -j REJECT --reject-with tcp-reset",
      "-A INPUT -p tcp -m tcp ! --dport 22 -j REJECT --reject-with tcp-reset" },
    { "filter", NULL, "-A INPUT -p tcp --syn -j ACCEPT",
      "-A INPUT -p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -j ACCEPT" },
    { "filter", NULL, "-A INPUT -p tcp -m tcp ! --tcp-flags ALL NONE -j DROP",
      "-A INPUT -p tcp -m tcp ! --tcp-flags FIN,SYN,RST,PSH,ACK,URG NONE -j DROP" },
    { "filter", NULL, "-A INPUT -p udp -m udp --dport 53:54 --sport :1023 -j ACCEPT",
      "-A INPUT -p udp -m udp --sport 0:1023 --dport 53:54 -j ACCEPT" },
    { "filter", NULL, "-A INPUT -p icmp --icmp-type echo-request -j ACCEPT",
      "-A INPUT -p icmp -m icmp --icmp-type 8 -j ACCEPT" },
    { "filter", NULL, "-A INPUT -p tcp -m multiport --destination-ports http,443,8000:8080 -j ACCEPT",
      "-A INPUT -p tcp -m multiport --dports 80,443,8000:8080 -j ACCEPT" },
    { "filter", NULL, "-A INPUT -p udp -m multiport ! --source-ports 53 -j DROP",
      "-A INPUT -p udp -m multiport ! --sports 53 -j DROP" },
    { "filter", NULL, "-A INPUT -p tcp -m multiport --ports 1:2,3,4,5,6,7,8,9,10,11,12,13,14,15 "
      "-j DROP", "-A INPUT -p tcp -m multiport --ports 1:2,3,4,5,6,7,8,9,10,11,12,13,14,15 -j DROP" },
    { "filter", NULL, "-A INPUT -m comment --comment \"web ports: in\" -j LOG --log-prefix \"in: \"",
      "-A INPUT -m comment --comment \"web ports: in\" -j LOG --log-prefix \"in: \"" },
    { "filter", NULL, "-A INPUT -p icmp ! --icmp-type port-unreach -j ACCEPT",
      "-A INPUT -p icmp -m icmp ! --icmp-type 3/3 -j ACCEPT" },
    { "filter", NULL, "-A INPUT -p icmp --icmp-type any -j ACCEPT",
      "-A INPUT -p icmp -m icmp --icmp-type any -j ACCEPT" },
    { "filter", NULL, "-A INPUT -p 47 -j ACCEPT", "-A INPUT -p gre -j ACCEPT" },
    { "filter", NULL, "-A INPUT ! -p 99 -j ACCEPT", "-A INPUT ! -p 99 -j ACCEPT" },
    { "filter", NULL, "-A INPUT -p all -j ACCEPT", "-A INPUT -j ACCEPT" },
    { "filter", NULL, "-A INPUT ! -f -j DROP", "-A INPUT ! -f -j DROP" },
    { "filter", NULL, "-A INPUT -m mark --mark 0x10/0xf0 -j ACCEPT",
      "-A INPUT -m mark --mark 0x10/0xf0 -j ACCEPT" },
    { "filter", NULL, "-A INPUT -m mark ! --mark 5 -j ACCEPT",
      "-A INPUT -m mark ! --mark 0x5 -j ACCEPT" },
    { "filter", NULL, "-A INPUT -m state --state established,REL -j ACCEPT",
      "-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT" },
    { "filter", NULL, "-A INPUT -m conntrack ! --ctstate NEW,INVALID,UNTRACKED -j ACCEPT",
      "-A INPUT -m conntrack ! --ctstate INVALID,NEW,UNTRACKED -j ACCEPT" },
    { "filter", NULL, "-A INPUT -m conntrack --ctstate DNAT,SNAT -j ACCEPT",
      "-A INPUT -m conntrack --ctstate SNAT,DNAT -j ACCEPT" },
    { "filter", NULL, "-A INPUT -m comment --comment \"allow ssh\" -j ACCEPT",
      "-A INPUT -m comment --comment \"allow ssh\" -j ACCEPT" },
    { "filter", NULL, "-A INPUT -m comment --comment plain_word",
      "-A INPUT -m comment --comment plain_word" },
    { "filter", NULL, "-A INPUT -j LOG --log-prefix \"in: \" --log-level info --log-uid",
      "-A INPUT -j LOG --log-prefix \"in: \" --log-level 6 --log-uid" },
    { "filter", NULL, "-A INPUT -j LOG --log-level warning", "-A INPUT -j LOG" },
    { "filter", NULL, "-A INPUT -j REJECT",
      "-A INPUT -j REJECT --reject-with icmp-port-unreachable" },
    { "filter", NULL, "-A INPUT -j REJECT --reject-with host-prohib",
      "-A INPUT -j REJECT --reject-with icmp-host-prohibited" },
    { "filter", NULL, "-A INPUT -j REJECT --reject-with icmp-admin",
      "-A INPUT -j REJECT --reject-with icmp-admin-prohibited" },
    { "filter", NULL, "-A INPUT -j QUEUE", "-A INPUT -j QUEUE" },
    { "filter", NULL, "-A INPUT -p tcp", "-A INPUT -p tcp" },
    { "filter", NULL, "iptables --append INPUT --protocol tcp --destination-port 22 --jump ACCEPT",
      "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT" },
    { "filter", NULL, "/sbin/iptables -A INPUT -p tcp --dport=22 --jump=ACCEPT",
      "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT" },
    { "filter", NULL, "-A INPUT --proto udp --dp 53 --in-int eth0 -j ACCEPT",
      "-A INPUT -i eth0 -p udp -m udp --dport 53 -j ACCEPT" },
    { "filter", NULL, "-j ACCEPT -p tcp -A INPUT", "-A INPUT -p tcp -j ACCEPT" },
    { "filter", "-N LOGDROP", "-A INPUT -j LOGDROP", "-A INPUT -j LOGDROP" },
    { "filter", "-N LOGDROP", "-A INPUT -g LOGDROP", "-A INPUT -g LOGDROP" },
    { "filter", NULL, "-w 5 -A INPUT -v -j ACCEPT", "-A INPUT -j ACCEPT" },
    { "mangle", NULL, "-t mangle -A PREROUTING -j MARK --set-mark 0x1",
      "-A PREROUTING -j MARK --set-xmark 0x1/0xffffffff" },
    { "mangle", NULL, "-t mangle -A PREROUTING -j MARK --set-mark 1/3",
      "-A PREROUTING -j MARK --set-xmark 0x1/0x3" },
    { "mangle", NULL, "-t mangle -A PREROUTING -j MARK --and-mark 0xff",
      "-A PREROUTING -j MARK --set-xmark 0x0/0xffffff00" },
    { "mangle", NULL, "-t mangle -A PREROUTING -j MARK --or-mark 4",
      "-A PREROUTING -j MARK --set-xmark 0x4/0x4" },
    { "mangle", NULL, "-t mangle -A PREROUTING -j MARK --xor-mark 1",
      "-A PREROUTING -j MARK --set-xmark 0x1/0x0" },
    { "mangle", NULL, "-t mangle -A OUTPUT -j MARK --set-xmark 0x2/0x6",
      "-A OUTPUT -j MARK --set-xmark 0x2/0x6" },
    { "nat", NULL,
      "-t nat -A PREROUTING -d 1.2.3.4 -p tcp --dport 80 -j DNAT --to-destination 10.0.0.2:8080",
      "-A PREROUTING -d 1.2.3.4/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination "
          "10.0.0.2:8080" },
    { "nat", NULL,
      "-t nat -A OUTPUT -p udp -j DNAT --to-destination 10.0.0.2-10.0.0.3:53-54 --random",
      "-A OUTPUT -p udp -j DNAT --to-destination 10.0.0.2-10.0.0.3:53-54 --random" },
    { "nat", NULL, "-t nat -A POSTROUTING -o eth1 -j SNAT --to-source 10.0.0.1-10.0.0.5",
      "-A POSTROUTING -o eth1 -j SNAT --to-source 10.0.0.1-10.0.0.5" },
    { "nat", NULL, "-t nat -A INPUT -p tcp -j SNAT --to 10.0.0.1:1000 --persistent",
      "-A INPUT -p tcp -j SNAT --to-source 10.0.0.1:1000 --persistent" },
    { "nat", NULL, "-t nat -A POSTROUTING -p udp -j MASQUERADE --to-ports 1000-2000 --random",
      "-A POSTROUTING -p udp -j MASQUERADE --to-ports 1000-2000 --random" },
    { "nat", NULL, "-t nat -A POSTROUTING -o eth0 -j MASQUERADE",
      "-A POSTROUTING -o eth0 -j MASQUERADE" },
    { "raw", NULL, "-t raw -A PREROUTING -j NOTRACK", "-A PREROUTING -j CT --notrack" },
    { "raw", NULL, "-t raw -A OUTPUT -p udp -j CT --notrack", "-A OUTPUT -p udp -j CT --notrack" },
    { "security", NULL, "-t security -A FORWARD -j ACCEPT", "-A FORWARD -j ACCEPT" },
};

static void test_rule_options_saved(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(rule_cases); i++) {
        const struct rule_case *c = &rule_cases[i];
        struct world w;
        struct net *net = fw_new(&w, NULL);
        if (c->setup)
            CU_ASSERT_EQUAL(apply(net, c->setup), 0);
        CU_ASSERT_EQUAL_FATAL(apply(net, c->line), 0);
        char *got = first_rule(net, c->table);
        if (strcmp(got, c->saved) != 0)
            fprintf(stderr, "\n  %s\n  got      %s\n  expected %s\n", c->line, got, c->saved);
        CU_ASSERT_STRING_EQUAL(got, c->saved);
        g_free(got);
        world_destroy(&w);
    }
}

static void test_save_whole_table(void)
{
    struct world w;
    struct net *net = fw_new(&w, NULL);
    apply(net, "-N zeta");
    apply(net, "-N alpha");
    apply(net, "-P FORWARD DROP");
    apply(net, "-A alpha -j RETURN");
    apply(net, "-A INPUT -j alpha");
    apply(net, "-A OUTPUT -c 5 300 -j ACCEPT");
    char *s = save_table(net, "filter", false);
    CU_ASSERT_STRING_EQUAL(s,
        "-P INPUT ACCEPT\n-P FORWARD DROP\n-P OUTPUT ACCEPT\n-N alpha\n-N zeta\n"
                              "-A INPUT -j alpha\n-A OUTPUT -j ACCEPT\n-A alpha -j RETURN\n");
    g_free(s);
    s = save_table(net, "filter", true);
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "-A OUTPUT -c 5 300 -j ACCEPT\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "-P INPUT ACCEPT -c 0 0\n"));
    g_free(s);
    world_destroy(&w);
}

/* ---- round trips ------------------------------------------------------------------- */

static const char *const roundtrip_lines[] = {
    "-t raw -A PREROUTING -p udp --dport 53 -j CT --notrack",
    "-t mangle -A PREROUTING -i eth0 -j MARK --set-mark 0x10/0xf0",
    "-t mangle -A OUTPUT -p tcp --sport 80 -j MARK --or-mark 1",
    "-t nat -A PREROUTING -d 10.0.0.1 -p tcp --dport 80 -j DNAT --to-destination 10.0.1.5:8080",
    "-t nat -A POSTROUTING -o eth1 -j MASQUERADE",
    "-N web",
    "-N logdrop",
    "-A logdrop -j LOG --log-prefix \"dropped \\\"x\\\" \" --log-level debug",
    "-A logdrop -j DROP",
    "-A web -p tcp -m multiport ! --dports 80,443,8000:8080 -j ACCEPT",
    "-A web -p udp -m multiport --ports 53,1024:65535 -j ACCEPT",
    "-A web -p tcp -m tcp --dport 80 -m comment --comment \"the web\" -j ACCEPT",
    "-A web -j RETURN",
    "-P INPUT DROP",
    "-A INPUT -i lo -j ACCEPT",
    "-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT",
    "-A INPUT -s 10.0.0.0/8,192.168.1.1 -p tcp -j web",
    "-A INPUT -p icmp --icmp-type echo-request -m mark ! --mark 0x4/0x4 -j ACCEPT",
    "-A INPUT -p tcp --tcp-flags SYN,ACK SYN -g logdrop",
    "-A FORWARD -m conntrack --ctstate INVALID -j DROP",
    "-A FORWARD -i eth0 -o eth1 -p udp ! --sport 1:1023 -j REJECT --reject-with "
        "icmp-net-prohibited",
    "-A OUTPUT -p tcp -j REJECT --reject-with tcp-reset",
    "-t security -A INPUT -f -j DROP",
};

static char *save_all(const struct net *net)
{
    GString *s = g_string_new(NULL);
    iptables_save(net, s);
    return g_string_free(s, FALSE);
}

static void test_roundtrip(void)
{
    struct world w1, w2;
    struct net *a = fw_new(&w1, NULL);
    struct xt_error err;
    for (size_t i = 0; i < G_N_ELEMENTS(roundtrip_lines); i++)
        iptables_apply(a, roundtrip_lines[i], &err);
    char *first = save_all(a);
    struct net *b = fw_new(&w2, NULL);
    gchar **lines = g_strsplit(first, "\n", -1);
    for (gchar **l = lines; *l; l++)
        if (**l)
            CU_ASSERT_EQUAL(apply(b, *l), 0);
    char *second = save_all(b);
    CU_ASSERT_STRING_EQUAL(first, second);
    CU_ASSERT_PTR_NOT_NULL(strstr(first, "-t filter -A INPUT -s 192.168.1.1/32 -p tcp -j web\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(first,
        "-t filter -A logdrop -j LOG --log-prefix \"dropped \\\"x\\\" \" "
                                         "--log-level 7\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(first,
        "-t raw -A PREROUTING -p udp -m udp --dport 53 -j CT --notrack\n"));
    g_strfreev(lines);
    g_free(first);
    g_free(second);
    world_destroy(&w1);
    world_destroy(&w2);
}

/* ---- commands ------------------------------------------------------------------------- */

static void test_insert_delete_replace(void)
{
    struct world w;
    struct net *net = fw_new(&w, NULL);
    apply(net, "-A INPUT -p tcp -j ACCEPT");
    apply(net, "-A INPUT -p udp -j ACCEPT");
    apply(net, "-I INPUT -p icmp -j ACCEPT");
    apply(net, "-I INPUT 3 -p 47 -j ACCEPT");
    apply(net, "-I INPUT 5 -p 50 -j ACCEPT");
    char *s = save_table(net, "filter", false);
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "-A INPUT -p icmp -j ACCEPT\n-A INPUT -p tcp -j ACCEPT\n"
                                     "-A INPUT -p gre -j ACCEPT\n-A INPUT -p udp -j ACCEPT\n"
                                     "-A INPUT -p esp -j ACCEPT\n"));
    g_free(s);
    CU_ASSERT_EQUAL(apply(net, "-D INPUT 1"), 0);
    CU_ASSERT_EQUAL(apply(net, "-D INPUT -p udp -j ACCEPT"), 0);
    CU_ASSERT_EQUAL(apply(net, "-R INPUT 2 -p ah -j DROP"), 0);
    CU_ASSERT_EQUAL(apply(net, "-C INPUT -p ah -j DROP"), 0);
    CU_ASSERT_NOT_EQUAL(iptables_apply(net, "-C INPUT -p ah -j ACCEPT", NULL), 0);
    s = save_table(net, "filter", false);
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "-A INPUT -p tcp -j ACCEPT\n-A INPUT -p ah -j DROP\n"
                                     "-A INPUT -p esp -j ACCEPT\n"));
    g_free(s);
    world_destroy(&w);
}

static void test_several_addresses(void)
{
    struct world w;
    struct net *net = fw_new(&w, NULL);
    apply(net, "-A INPUT -s 1.1.1.1,2.2.2.2 -d 3.3.3.3,4.4.4.4 -j DROP");
    const struct xt_chain *in = xt_chain_find(xt_table_find(net, "filter"), "INPUT");
    CU_ASSERT_EQUAL(in->rules->len, 4);
    CU_ASSERT_EQUAL(xt_chain_rule(in, 2)->ip.dst, topo_ip("4.4.4.4"));
    /* -I puts each at the same place: they end up in the reverse order */
    apply(net, "-I INPUT -s 5.5.5.5,6.6.6.6 -j ACCEPT");
    CU_ASSERT_EQUAL(xt_chain_rule(in, 1)->ip.src, topo_ip("6.6.6.6"));
    CU_ASSERT_EQUAL(apply(net, "-D INPUT -s 1.1.1.1,2.2.2.2 -d 3.3.3.3,4.4.4.4 -j DROP"), 0);
    CU_ASSERT_EQUAL(in->rules->len, 2);
    world_destroy(&w);
}

static void test_chains_flush_delete_rename(void)
{
    struct world w;
    struct net *net = fw_new(&w, NULL);
    apply(net, "-N a");
    apply(net, "-N b");
    apply(net, "-A a -j b");
    apply(net, "-A INPUT -j a");
    struct xt_table *t = xt_table_find(net, "filter");
    CU_ASSERT_EQUAL(xt_chain_find(t, "b")->references, 1);
    CU_ASSERT_EQUAL(apply(net, "-E b bee"), 0);
    char *s = save_table(net, "filter", false);
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "-N a\n-N bee\n-A INPUT -j a\n-A a -j bee\n"));
    g_free(s);
    CU_ASSERT_NOT_EQUAL(iptables_apply(net, "-X", NULL), 0);      /* a is referenced */
    CU_ASSERT_EQUAL(apply(net, "-I INPUT -j a"), 0);
    CU_ASSERT_EQUAL(apply(net, "-R INPUT 1 -j ACCEPT"), 0);        /* one reference less */
    CU_ASSERT_EQUAL(xt_chain_find(t, "a")->references, 1);
    CU_ASSERT_EQUAL(apply(net, "-F"), 0);
    CU_ASSERT_EQUAL(xt_chain_find(t, "bee")->references, 0);
    CU_ASSERT_EQUAL(apply(net, "-X bee"), 0);
    CU_ASSERT_EQUAL(apply(net, "-X"), 0);
    CU_ASSERT_EQUAL(t->user_chains->len, 0);
    world_destroy(&w);
}

static void test_zero_counters(void)
{
    struct world w;
    struct net *net = fw_new(&w, NULL);
    apply(net, "-A INPUT -c 3 100 -j ACCEPT");
    apply(net, "-A INPUT -c 4 200 -j ACCEPT");
    apply(net, "-P INPUT DROP -c 9 900");
    const struct xt_chain *in = xt_chain_find(xt_table_find(net, "filter"), "INPUT");
    CU_ASSERT_EQUAL(in->policy_counters.pcnt, 9);
    CU_ASSERT_EQUAL(apply(net, "-Z INPUT 2"), 0);
    CU_ASSERT_EQUAL(xt_chain_rule(in, 1)->counters.pcnt, 3);
    CU_ASSERT_EQUAL(xt_chain_rule(in, 2)->counters.bcnt, 0);
    CU_ASSERT_EQUAL(apply(net, "-Z"), 0);
    CU_ASSERT_EQUAL(xt_chain_rule(in, 1)->counters.pcnt, 0);
    CU_ASSERT_EQUAL(in->policy_counters.bcnt, 0);
    world_destroy(&w);
}

/* A failing line changes nothing: no rule, no chain, no table loaded. */
static void test_failure_changes_nothing(void)
{
    struct world w;
    struct net *net = fw_new(&w, NULL);
    CU_ASSERT_NOT_EQUAL(iptables_apply(net, "-t raw -A PREROUTING -j DNAT --to-destination 1.2.3.4",
        NULL), 0);
    CU_ASSERT_EQUAL(nf_hook_entries_of(net, NF_INET_PRE_ROUTING)->num, 0);
    const struct xt_table *raw = xt_table_find(net, "raw");
    CU_ASSERT_TRUE(raw == NULL ||
                   (!raw->registered && raw->builtin[NF_INET_PRE_ROUTING]->rules->len == 0));
    apply(net, "-N a");
    apply(net, "-A INPUT -j a");
    /* the loop is found after the rule went in: it comes out again */
    CU_ASSERT_NOT_EQUAL(iptables_apply(net, "-A a -j a", NULL), 0);
    CU_ASSERT_NOT_EQUAL(iptables_apply(net,
        "-A a -s 1.1.1.1,2.2.2.2 -j REJECT --reject-with tcp-reset", NULL), 0);
    const struct xt_chain *a = xt_chain_find(xt_table_find(net, "filter"), "a");
    CU_ASSERT_EQUAL(a->rules->len, 0);
    CU_ASSERT_EQUAL(a->references, 1);
    char *s = save_all(net);
    CU_ASSERT_STRING_EQUAL(s, "-t filter -P INPUT ACCEPT\n-t filter -P FORWARD ACCEPT\n"
                              "-t filter -P OUTPUT ACCEPT\n-t filter -N a\n-t filter -A INPUT -j "
                                  "a\n");
    g_free(s);
    world_destroy(&w);
}

/* ---- bad lines ------------------------------------------------------------------------- */

struct bad_case {
    const char *era;                    /* NULL: the default */
    const char *setup[4];
    const char *line;
    const char *msg;
    /* where the error points: the first occurrence of this text, at its '|' if it
     * has one, else at its start */
    const char *at;
};

#define EINVAL_DMESG "iptables: Invalid argument. Run `dmesg' for more information. [dmesg: "

static const struct bad_case bad_cases[] = {
    { NULL, { NULL }, "-A INPUT foo", "Bad argument `foo'", "foo" },
    { NULL, { NULL }, "-A INPUT -p tcp --dprot 22", "unknown option \"--dprot\"", "--dprot" },
    { NULL, { NULL }, "-A INPUT -j FOO", "Couldn't load target `FOO':No such file or directory",
      "FOO" },
    { NULL, { NULL }, "-A NOPE -j ACCEPT", "iptables: No chain/target/match by that name.",
      "NOPE" },
    { NULL, { NULL }, "-A INPUT --dport 22 -j ACCEPT", "unknown option \"--dport\"", "--dport" },
    { NULL, { NULL }, "-A INPUT -p foo", "unknown protocol \"foo\" specified", "foo" },
    { NULL, { NULL }, "-A INPUT -s 10.0.0.300", "host/network `10.0.0.300' not found",
      "10.0.0.300" },
    { NULL, { NULL }, "-A INPUT -d 10.0.0.0/33", "invalid mask `33' specified", "10.0.0.0/33" },
    { NULL, { NULL }, "-A INPUT -p tcp --dport 70000", "invalid port/service `70000' specified",
      "70000" },
    { NULL, { NULL }, "-A INPUT -p tcp --dport 30:20", "invalid portrange (min > max)", "30:20" },
    { NULL, { NULL }, "-A INPUT -p udp --dport 1:2:3",
      "udp: Too many components for option \"--dport\" (max: 2)", "1:2:3" },
    { NULL, { NULL }, "-A INPUT -p udp --sport nope", "Port \"nope\" does not resolve to anything.",
      "nope" },
    { NULL, { NULL }, "-A INPUT -j DNAT --to-destination 1.2.3.4",
      EINVAL_DMESG "x_tables: ip_tables: DNAT target: only valid in nat table, not filter]",
          "DNAT" },
    { NULL, { NULL }, "-t nat -A POSTROUTING -j DNAT --to-destination 1.2.3.4",
      EINVAL_DMESG "x_tables: ip_tables: DNAT target: used from hooks POSTROUTING, but only usable "
      "from PREROUTING/OUTPUT]", "DNAT" },
    { NULL, { NULL }, "-t nat -A PREROUTING -j MASQUERADE",
      EINVAL_DMESG "x_tables: ip_tables: MASQUERADE target: used from hooks PREROUTING, but only "
      "usable from POSTROUTING]", "MASQUERADE" },
    { NULL, { NULL }, "-t nat -A PREROUTING -j SNAT --to-source 1.2.3.4",
      EINVAL_DMESG "x_tables: ip_tables: SNAT target: used from hooks PREROUTING, but only usable "
      "from INPUT/POSTROUTING]", "SNAT" },
    { NULL, { "-t nat -N x", "-t nat -A x -j DNAT --to-destination 1.2.3.4" },
      "-t nat -A POSTROUTING -p tcp -j x",
      EINVAL_DMESG "x_tables: ip_tables: DNAT target: used from hooks POSTROUTING, but only usable "
      "from PREROUTING/OUTPUT]", "x" },
    { NULL, { NULL }, "-A INPUT -j REJECT --reject-with tcp-reset",
      EINVAL_DMESG "ipt_REJECT: TCP_RESET invalid for non-tcp]", "REJECT" },
    { NULL, { NULL }, "-A INPUT ! -p tcp -j REJECT --reject-with tcp-reset",
      EINVAL_DMESG "ipt_REJECT: TCP_RESET invalid for non-tcp]", "REJECT" },
    { NULL, { NULL }, "-A INPUT -j REJECT --reject-with foo", "unknown reject type \"foo\"",
      "foo" },
    { NULL, { NULL }, "-t mangle -A PREROUTING -j REJECT",
      EINVAL_DMESG "x_tables: ip_tables: REJECT target: only valid in filter table, not mangle]",
          "REJECT" },
    { NULL, { NULL }, "-A INPUT -j CT --notrack",
      EINVAL_DMESG "x_tables: ip_tables: CT target: only valid in raw table, not filter]", "CT" },
    { NULL, { NULL }, "-A INPUT -m tcp --dport 22",
      EINVAL_DMESG "x_tables: ip_tables: tcp match: only valid for protocol 6]", "|-A" },
    { NULL, { NULL }, "-t nat -A PREROUTING -j DROP",
      "The \"nat\" table is not intended for filtering, the use of DROP is therefore inhibited.",
          "DROP" },
    { NULL, { NULL }, "-t nat -P PREROUTING DROP",
      "The \"nat\" table is not intended for filtering, the use of DROP is therefore inhibited.",
          "DROP" },
    { NULL, { NULL }, "-t foo -A INPUT",
      "can't initialize iptables table `foo': Table does not exist (do you need to insmod?)",
          "foo" },
    { NULL, { NULL }, "-P INPUT FOO",
      "iptables: Bad policy name. Run `dmesg' for more information.", "FOO" },
    { NULL, { "-N X" }, "-P X DROP", "iptables: Bad built-in chain name.", " |X" },
    { NULL, { NULL }, "-X INPUT",
      "iptables: Can't delete built-in chain. Run `dmesg' for more information.", "INPUT" },
    { NULL, { NULL }, "-N INPUT", "iptables: Chain already exists.", "INPUT" },
    { NULL, { "-A INPUT -j ACCEPT" }, "-I INPUT 3 -j ACCEPT",
      "iptables: Index of insertion too big.", "3" },
    { NULL, { NULL }, "-D INPUT 3", "iptables: Index of deletion too big.", "3" },
    { NULL, { NULL }, "-R INPUT 1 -j ACCEPT", "iptables: Index of replacement too big.", "1" },
    { NULL, { NULL }, "-Z INPUT 1", "iptables: Index of counter too big.", "1" },
    { NULL, { NULL }, "-D INPUT 0", "Invalid rule number `0'", "0" },
    { NULL, { NULL }, "-D INPUT -p tcp -j ACCEPT",
      "iptables: Bad rule (does a matching rule exist in that chain?).", "-D" },
    { NULL, { "-N A", "-A INPUT -j A" }, "-A A -j A",
      "iptables: Too many levels of symbolic links.", "-j |A" },
    { NULL, { "-N A", "-N B", "-A A -j B", "-A FORWARD -j A" }, "-A B -p udp -j A",
      "iptables: Too many levels of symbolic links.", "-j |A" },
    /* a loop no hook reaches is no loop to the kernel */
    { NULL, { "-N A", "-N B", "-A A -j B", "-A B -j A" }, "-A INPUT -j B",
      "iptables: Too many levels of symbolic links.", "-j |B" },
    { NULL, { "-N A" }, "-X A -X", "Cannot use -X with -X", "A |-X" },
    { NULL, { "-N A", "-A INPUT -j A" }, "-X A",
      "iptables: Can't delete chain with references left.", " |A" },
    { NULL, { "-N A", "-A A -j ACCEPT" }, "-X A", "iptables: Chain is not empty.", " |A" },
    { NULL, { NULL }, "-A INPUT -j INPUT",
      "iptables: Invalid argument. Run `dmesg' for more information.", "-j |INPUT" },
    { NULL, { NULL }, "-I INPUT -j INPUT",
      "iptables: Target problem. Run `dmesg' for more information.", "-j |INPUT" },
    { NULL, { NULL }, "-A INPUT -g NOPE", "goto 'NOPE' is not a chain", "NOPE" },
    { NULL, { NULL }, "-E INPUT X", "iptables: Invalid argument. Run `dmesg' for more information.",
      "INPUT" },
    { NULL, { "-N a", "-N b" }, "-E a b", "iptables: File exists.", "a |b" },
    { NULL, { NULL }, "-A INPUT -o eth0", "Can't use -o with INPUT", "-o" },
    { NULL, { NULL }, "-A OUTPUT -i eth0", "Can't use -i with OUTPUT", "-i" },
    { NULL, { NULL }, "-A INPUT -i \"\"", "Empty interface is likely to be undesired", "\"\"" },
    { NULL, { NULL }, "-A INPUT -i eth0123456789abcd",
      "interface name `eth0123456789abcd' must be shorter than IFNAMSIZ (15)",
          "eth0123456789abcd" },
    { NULL, { NULL }, "-A INPUT -p tcp -s 1.2.3.4 -p udp", "multiple -p flags not allowed",
      "-p udp" },
    { NULL, { NULL }, "-A INPUT ! -j ACCEPT", "cannot have ! before -j", "-j" },
    { NULL, { NULL }, "-A INPUT ! -p all", "rule would never match protocol", "all" },
    { NULL, { NULL }, "-A INPUT -m foo", "Couldn't load match `foo':No such file or directory",
      "foo" },
    { NULL, { NULL }, "-A INPUT ! -m mark --mark 1", "unexpected ! flag before --match", "-m" },
    { NULL, { NULL }, "-A INPUT -m iprange --src-range 1.1.1.1-1.1.1.2",
      "match `iprange' is not modelled by ipvsim", "iprange" },
    { NULL, { NULL }, "-A INPUT -m set --match-set blocked src -j DROP",
      "match `set' (ipset) is out of scope: ipvsim models no ipset sets (write the addresses as "
      "-s/-d lists or rules)", "set" },
    { NULL, { NULL }, "-A INPUT -j SET --add-set x src",
      "target `SET' (ipset) is out of scope: ipvsim models no ipset sets", "SET" },
    { NULL, { NULL }, "-A INPUT -m multiport --dports 1,2",
      "multiport needs `-p tcp', `-p udp', `-p udplite', `-p sctp' or `-p dccp'", "1,2" },
    { NULL, { NULL }, "-A INPUT -p icmp -m multiport --dports 1,2",
      "multiport only works with TCP, UDP, UDPLITE, SCTP and DCCP", "1,2" },
    { NULL, { NULL }, "-A INPUT ! -p tcp -m multiport --dports 1,2",
      "multiport only works with TCP, UDP, UDPLITE, SCTP and DCCP", "1,2" },
    { NULL, { NULL }, "-A INPUT -p tcp -m multiport --dports 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16",
      "too many ports specified", "1,2" },
    { NULL, { NULL }, "-A INPUT -p tcp -m multiport --dports 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15:20",
      "too many ports specified", "1,2" },
    { NULL, { NULL }, "-A INPUT -p tcp -m multiport --dports 80,90:90",
      "invalid portrange specified", "80,9" },
    { NULL, { NULL }, "-A INPUT -p tcp -m multiport --dports 80,nope",
      "invalid port/service `nope' specified", "80,n" },
    { NULL, { NULL }, "-A INPUT -p tcp -m multiport --sports 1 --dports 2",
      "multiport can only have one option", "--dports" },
    { NULL, { NULL }, "-A INPUT -p tcp -m multiport -j ACCEPT", "multiport expects an option",
      "multiport" },
    { NULL, { NULL }, "-A INPUT -j TPROXY", "target `TPROXY' is not modelled by ipvsim", "TPROXY" },
    { NULL, { NULL }, "-A INPUT -m mark --mark xyz", "mark: Bad value for \"mark\" option: \"xyz\"",
      "xyz" },
    { NULL, { NULL }, "-A INPUT -m mark", "mark: option \"--mark\" must be specified", "mark" },
    { NULL, { NULL }, "-A INPUT -m state --state FOO", "Bad state \"FOO\"", "FOO" },
    { NULL, { NULL }, "-A INPUT -m state --state SNAT", "Bad state \"SNAT\"", "SNAT" },
    { NULL, { NULL }, "-A INPUT -m state", "state: option \"--state\" must be specified", "state" },
    { NULL, { NULL }, "-A INPUT -m conntrack --ctstate NEW,FOO", "Bad ctstate \"FOO\"", "NEW,FOO" },
    { NULL, { NULL }, "-A INPUT -m conntrack --ctstate NEW --ctstate INVALID",
      "conntrack: option \"--ctstate\" can only be used once.", "--ctstate INVALID" },
    { NULL, { NULL }, "-A INPUT -m comment", "comment: option \"--comment\" must be specified",
      "comment" },
    { NULL, { NULL }, "-A INPUT -m comment ! --comment x",
      "comment: option \"--comment\" cannot be inverted.", "--comment" },
    { NULL, { NULL }, "-A INPUT -j MARK",
      "MARK: One of the --set-xmark, --{and,or,xor,set}-mark options is required", "MARK" },
    { NULL, { NULL }, "-A INPUT -j MARK --set-mark 1 --or-mark 2",
      "MARK: option \"--set-mark\" cannot be used together with \"--or-mark\".", "MARK" },
    { NULL, { NULL }, "-A INPUT -j MARK --and-mark 0x100000000",
      "MARK: bad value for option \"--and-mark\", or out of range (0-4294967295).", "0x100000000" },
    { NULL, { NULL }, "-A INPUT -j LOG --log-level foo", "log level \"foo\" unknown", "foo" },
    { NULL, { NULL }, "-A INPUT -j LOG --log-prefix 123456789012345678901234567890",
      "Maximum prefix length 29 for --log-prefix", "123" },
    { NULL, { NULL }, "-A INPUT -j LOG --log-prefix 'a b' --log-prefix c",
      "LOG: option \"--log-prefix\" can only be used once.", "--log-prefix c" },
    { NULL, { NULL }, "-t nat -A PREROUTING -j DNAT",
      "DNAT: option \"--to-destination\" must be specified", "DNAT" },
    { NULL, { NULL }, "-t nat -A PREROUTING -j DNAT --to-destination 1.2.3.4:80",
      "Need TCP, UDP, SCTP or DCCP with port specification", "1.2.3.4:80" },
    { NULL, { NULL }, "-t nat -A PREROUTING -p tcp -j DNAT --to-destination 1.2.3.x",
      "Bad IP address \"1.2.3.x\"", "1.2.3.x" },
    { NULL, { NULL }, "-t nat -A PREROUTING -p tcp -j DNAT --to-destination 1.2.3.4:90-80",
      "Port range `90-80' funky", "1.2.3.4:90-80" },
    { NULL, { NULL }, "-t nat -A POSTROUTING -j MASQUERADE --to-ports 1000",
      "Need TCP, UDP, SCTP or DCCP with port specification", "1000" },
    { NULL, { NULL }, "-A INPUT -p tcp --dport", "option \"--dport\" requires an argument",
      "--dport" },
    { NULL, { NULL }, "-A INPUT -p tcp --sport 1 --sport 2", "Only one `--source-port' allowed",
      "--sport 2" },
    { NULL, { NULL }, "-A INPUT -p tcp --tcp-flags SYN", "--tcp-flags requires two args.", "SYN" },
    { NULL, { NULL }, "-A INPUT -p tcp --tcp-flags SYN,FOO SYN", "Unknown TCP flag `FOO'",
      "SYN,FOO" },
    { NULL, { NULL }, "-A INPUT -p icmp --icmp-type foo", "Invalid ICMP type `foo'", "foo" },
    { NULL, { NULL }, "-A INPUT -p icmp --icmp-type host",
      "Ambiguous ICMP type `host': `host-unreachable' or `host-unknown'?", "host" },
    { NULL, { NULL }, "-A INPUT -j ACCEPT !", "nothing appropriate following !", "!" },
    { NULL, { NULL }, "-A INPUT ! ! -s 1.2.3.4", "multiple consecutive ! not allowed", "! -s" },
    { NULL, { NULL }, "-p tcp", "no command specified", "-p" },
    { NULL, { NULL }, "-A INPUT -D INPUT", "Cannot use -D with -A", "-D" },
    { NULL, { NULL }, "-F INPUT -p tcp", "Illegal option `-p' with this command", "-F" },
    { NULL, { NULL }, "-A INPUT -n -j ACCEPT", "Illegal option `-n' with this command", "-A" },
    { NULL, { NULL }, "-R INPUT", "-R requires a rule number", "-R" },
    { NULL, { NULL }, "-P INPUT", "-P requires a chain and a policy", "-P" },
    { NULL, { NULL }, "-N ACCEPT", "chain name may not clash with target name", "ACCEPT" },
    { NULL, { NULL }, "-N -x", "chain name not allowed to start with `-'", "-x" },
    { NULL, { NULL }, "-N abcdefghijklmnopqrstuvwxyz123",
      "chain name `abcdefghijklmnopqrstuvwxyz123' too long (must be under 29 chars)", "abc" },
    { NULL, { NULL }, "-A INPUT -j LOG --log-prefix \"unterminated", "unterminated quote",
      "\"unterminated" },
    { NULL, { NULL }, "-t raw -A INPUT -j ACCEPT", "iptables: No chain/target/match by that name.",
      "INPUT" },
    { NULL, { "-A INPUT -j ACCEPT" }, "-R INPUT 1 -s 1.2.3.4,5.6.7.8 -j ACCEPT",
      "Replacement rule does not specify a unique address", "-R" },
    { NULL, { NULL }, "-L",
      "-L lists and changes nothing: not supported in a scenario (the results hold the rules)",
      "-L" },
    { NULL, { NULL }, "-A INPUT -c 1", "-c requires packet and byte counter", "-c" },
    { NULL, { NULL }, "-A INPUT -y", "unknown option \"-y\"", "-y" },
    { "2.6.34", { NULL }, "-t nat -A INPUT -j SNAT --to-source 1.2.3.4",
      "iptables: No chain/target/match by that name.", "INPUT" },
};

static size_t expected_offset(const char *line, const char *at)
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
    for (size_t i = 0; i < G_N_ELEMENTS(bad_cases); i++) {
        const struct bad_case *c = &bad_cases[i];
        struct world w;
        struct net *net = fw_new(&w, c->era);
        for (int k = 0; k < 4 && c->setup[k]; k++)
            CU_ASSERT_EQUAL(apply(net, c->setup[k]), 0);
        char *before = save_all(net);
        struct xt_error err;
        int r = iptables_apply(net, c->line, &err);
        size_t want = expected_offset(c->line, c->at);
        if (r == 0 || strcmp(err.msg, c->msg) != 0 || err.offset != want)
            fprintf(stderr, "\n  %s\n  got      %s (at %zu)\n  expected %s (at %zu)\n", c->line,
                    r == 0 ? "success" : err.msg, r == 0 ? 0 : err.offset, c->msg, want);
        CU_ASSERT_NOT_EQUAL(r, 0);
        CU_ASSERT_STRING_EQUAL(err.msg, c->msg);
        CU_ASSERT_EQUAL(err.offset, want);
        char *after = save_all(net);
        CU_ASSERT_STRING_EQUAL(before, after);
        g_free(before);
        g_free(after);
        world_destroy(&w);
    }
}

IPVSIM_SUITE(iptables_parse)
{
    CU_pSuite s = CU_add_suite("iptables_parse", NULL, NULL);
    ADD_TEST(s, test_rule_options_saved);
    ADD_TEST(s, test_save_whole_table);
    ADD_TEST(s, test_roundtrip);
    ADD_TEST(s, test_insert_delete_replace);
    ADD_TEST(s, test_several_addresses);
    ADD_TEST(s, test_chains_flush_delete_rename);
    ADD_TEST(s, test_zero_counters);
    ADD_TEST(s, test_failure_changes_nothing);
    ADD_TEST(s, test_bad_lines);
}
