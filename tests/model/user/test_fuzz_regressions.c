/* Inputs the fuzzers of tools/fuzz/ found, each fed again the way its harness fed it
 * (scenario files that crashed the loader or the world builder are in
 * tests/bad-scenarios/ instead, with their messages). */
#include <string.h>
#include "model/net.h"
#include "model/user/iptables/iptables_parse.h"
#include "tests/testutil.h"
#include "tests/topo.h"

/* fuzz_iptables: `iptables -S` read back must give the same -S. */
static char *save(const struct net *net)
{
    GString *s = g_string_new(NULL);
    iptables_save(net, s);
    return g_string_free(s, FALSE);
}

/* Apply lines ("\n"-separated), save, apply the saved lines on a fresh host, save again. */
static void roundtrip(const char *text)
{
    struct world w1, w2;
    world_init(&w1, 1);
    world_init(&w2, 1);
    static const char *const ifs[] = { "eth0=192.0.2.1/24", NULL };
    struct net *a = host_net(topo_host(&w1, "lvs", ifs));
    struct net *b = host_net(topo_host(&w2, "lvs", ifs));
    struct xt_error err;
    char **in = g_strsplit(text, "\n", -1);
    for (int i = 0; in[i]; i++)
        CU_ASSERT_EQUAL(iptables_apply(a, in[i], &err), 0);
    g_strfreev(in);
    char *saved = save(a);
    char **lines = g_strsplit(saved, "\n", -1);
    for (int i = 0; lines[i]; i++)
        if (lines[i][0])
            CU_ASSERT_EQUAL(iptables_apply(b, lines[i], &err), 0);
    char *again = save(b);
    CU_ASSERT_STRING_EQUAL(saved, again);
    g_free(again);
    g_strfreev(lines);
    g_free(saved);
    world_destroy(&w2);
    world_destroy(&w1);
}

/* crash-iptables-0a289a92: a comment holding ' is saved as \' inside "..." (as
 * iptables -S does); the reader kept the backslash, so each round trip added one. */
static void test_iptables_quote_roundtrip(void)
{
    roundtrip("-A INPUT -m comment --comment \"alloh0 -o et'1 -p udp --dpow ssh\" -j ACCEPT");
    roundtrip("-A INPUT -m comment --comment \"a\\\\b \\\"c\\\" 'd'\" -j ACCEPT");
    /* and what -S printed is read as iptables-restore reads it */
    struct world w;
    world_init(&w, 1);
    static const char *const ifs[] = { "eth0=192.0.2.1/24", NULL };
    struct net *net = host_net(topo_host(&w, "fw", ifs));
    struct xt_error err;
    CU_ASSERT_EQUAL(iptables_apply(net, "-A INPUT -m comment --comment \"it\\'s\" -j ACCEPT", &err), 0);
    char *s = save(net);
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "--comment \"it\\'s\""));
    g_free(s);
    world_destroy(&w);
}

/* crash-iptables-a6c9fe03: a user chain named FQUE"web (iptables takes any name without
 * blanks) was printed bare by -S: reading it back was an unterminated quote. */
static void test_iptables_chain_name_roundtrip(void)
{
    roundtrip("-N 'FQUE\"web'\n-A 'FQUE\"web' -s 10.0.0.0/8 -j ACCEPT\n"
              "-A INPUT -j 'FQUE\"web'\n-A INPUT -g 'FQUE\"web'");
    roundtrip("-N \"it's\"\n-N 'back\\slash'\n-A INPUT -j \"it's\"\n-A \"it's\" -j 'back\\slash'");
    /* ordinary names stay bare, as iptables prints them */
    struct world w;
    world_init(&w, 1);
    static const char *const ifs[] = { "eth0=192.0.2.1/24", NULL };
    struct net *net = host_net(topo_host(&w, "fw", ifs));
    struct xt_error err;
    CU_ASSERT_EQUAL(iptables_apply(net, "-N web.v2", &err), 0);
    CU_ASSERT_EQUAL(iptables_apply(net, "-A INPUT -j web.v2", &err), 0);
    char *s = save(net);
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "-t filter -N web.v2\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "-t filter -A INPUT -j web.v2\n"));
    g_free(s);
    world_destroy(&w);
}

/* crash-iptables-0fd3ed84: an interface named \3 was printed bare (-o \3) and read back
 * as 3. */
static void test_iptables_iface_roundtrip(void)
{
    roundtrip("-A FORWARD -i eth0 -o '\\3'");
    roundtrip("-A FORWARD -i 'a\"b+' ! -o \"it's\"");
    roundtrip("-A FORWARD -i eth+ -o ppp0");
    /* crash-iptables-28272a12: a blank at the end of an interface name was lost */
    roundtrip("-t nat -A POSTROUTING -o ejta%\\ ");
    roundtrip("-A FORWARD -i 'a b'");
}

/* crash-iptables-622206ba: -N "" made a chain that -S printed as "-N " */
static void test_iptables_empty_chain_name(void)
{
    struct world w;
    world_init(&w, 1);
    static const char *const ifs[] = { "eth0=192.0.2.1/24", NULL };
    struct net *net = host_net(topo_host(&w, "fw", ifs));
    struct xt_error err;
    CU_ASSERT_NOT_EQUAL(iptables_apply(net, "-N \"\"", &err), 0);
    CU_ASSERT_STRING_EQUAL(err.msg, "Invalid chain name `'");
    CU_ASSERT_EQUAL(err.offset, 3);
    CU_ASSERT_EQUAL(iptables_apply(net, "-N x", &err), 0);
    CU_ASSERT_NOT_EQUAL(iptables_apply(net, "-E x ''", &err), 0);
    char *s = save(net);
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "-N x\n"));
    g_free(s);
    world_destroy(&w);
}

IPVSIM_SUITE(fuzz_regressions)
{
    CU_pSuite s = CU_add_suite("fuzz_regressions", NULL, NULL);
    ADD_TEST(s, test_iptables_quote_roundtrip);
    ADD_TEST(s, test_iptables_chain_name_roundtrip);
    ADD_TEST(s, test_iptables_iface_roundtrip);
    ADD_TEST(s, test_iptables_empty_chain_name);
}
