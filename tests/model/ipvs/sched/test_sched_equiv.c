/* The same scheduler decides the same in `ipvsim sched` (app/cli/cmd_sched.c) and inside
 * a full scenario run (app/run/run_world.c): for rr, wrr, wlc, sh and mh (and sh/mh with
 * port hashing), the dest sequence the playground prints is the sequence of real
 * servers the run's conversations got, conversation by conversation.
 *
 * Identical scheduler inputs on both sides:
 *  - the service: 10.0.0.100:80 in both (the playground's VIP), with the same
 *    scheduler flags (ipvsadm -b / --flags);
 *  - the dests: the same addresses, ports and weights, added in the same order
 *    (`ipvsadm -a` lines / --dests), the scheduler bound before the first add
 *    (no --init), so add_dest runs after each one on both sides;
 *  - the clients: a run's client group draws its source addresses and ports from its
 *    own random streams, so the playground is given the run's sequence: a
 *    `client ADDR:PORT; pick` step per conversation, in conversation order (which is
 *    the order the director scheduled them: one path, one latency);
 *  - the counters (wlc): in the run every IPVS connection starts inactive and, for
 *    UDP, stays so; no connection expires before the run ends (UDP timeout 300 s, the
 *    shortest TCP state timeout 10 s, runs of 6 s). The playground's --hold udp keeps
 *    each pick as one inactive connection: the same inactconns at every pick.
 *    * UDP scenario: open-loop Poisson arrivals, conversations may overlap (each
 *      creates one inactive connection whatever the timing).
 *    * TCP scenario: one user, closed loop: one conversation at a time, each
 *      finished (so its director connection has left ESTABLISHED: inactive) before
 *      the next SYN. The playground's packets are then UDP datagrams with the same
 *      addresses and ports; none of these schedulers reads the protocol.
 *  - nothing else changes the dests: no health checker, no events, no thresholds.
 * The test also checks the premises: every conversation OK and served, no
 * (address, port) used twice (a reused one would not be a new connection), for TCP
 * no overlap, and at the end of the run each dest's counters are exactly its
 * conversations, all inactive (nothing expired). */
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include "app/cli/cmd_sched.h"
#include "app/run/run_world.h"
#include "app/scenario/scenario.h"
#include "model/apps/workload.h"
#include "model/ipvs/ip_vs.h"
#include "model/net.h"
#include "sim/sim.h"
#include "tests/testutil.h"

#define EQ_VIP "10.0.0.100:80"

/* The dests, in add order: the playground's NAME=ADDR:PORT:WEIGHT and the scenario's
 * server name and address. */
static const struct {
    const char *name, *ip;
    int weight;
} eq_dests[] = {
    { "s1", "10.0.0.1", 4 },
    { "s2", "10.0.0.2", 3 },
    { "s3", "10.0.0.3", 2 },
    { "s4", "10.0.0.4", 1 },
};
#define N_DESTS (sizeof eq_dests / sizeof eq_dests[0])

static char *eq_dir;

static int eq_init(void)
{
    eq_dir = g_dir_make_tmp("ipvsim-sched-equiv-XXXXXX", NULL);
    return eq_dir ? 0 : 1;
}

static int eq_cleanup(void)
{
    if (eq_dir) {
        GDir *d = g_dir_open(eq_dir, 0, NULL);
        const char *n;
        while (d && (n = g_dir_read_name(d))) {
            char *p = g_build_filename(eq_dir, n, NULL);
            g_unlink(p);
            g_free(p);
        }
        if (d)
            g_dir_close(d);
        g_rmdir(eq_dir);
        g_free(eq_dir);
        eq_dir = NULL;
    }
    return 0;
}

/* The scenario's text: servers, one client group, the service and its dests. */
static char *scenario_text(const char *sched, const char *bflags, bool tcp)
{
    GString *t = g_string_new(NULL);
    g_string_append_printf(t, "{\n  \"name\": \"sched-equiv-%s\",\n  \"seed\": %d,\n"
                              "  \"duration\": \"6s\",\n  \"director\": { \"vip\": \"10.0.0.100\" },\n"
                              "  \"servers\": [\n", tcp ? "tcp" : "udp", tcp ? 6 : 5);
    for (size_t i = 0; i < N_DESTS; i++)
        g_string_append_printf(t, "    { \"name\": \"%s\", \"ip\": \"%s\", \"port\": 80, "
                                  "\"service_time\": \"exp(2ms)\" }%s\n",
                               eq_dests[i].name, eq_dests[i].ip, i + 1 < N_DESTS ? "," : "");
    g_string_append(t, "  ],\n  \"clients\": [\n");
    if (tcp)
        g_string_append(t, "    { \"name\": \"c\", \"count\": 50, \"net\": \"192.168.0.0/24\", "
                           "\"target\": \"" EQ_VIP "\", \"protocol\": \"tcp\", \"users\": 1, "
                           "\"think\": \"exp(20ms)\", \"request\": \"100B\", \"response\": \"2KB\", "
                           "\"stop\": \"5s\" }\n");
    else
        g_string_append(t, "    { \"name\": \"c\", \"count\": 50, \"net\": \"192.168.0.0/24\", "
                           "\"target\": \"" EQ_VIP "\", \"protocol\": \"udp\", "
                           "\"arrival\": \"poisson(40/s)\", \"request\": \"100B\", "
                           "\"response\": \"200B\", \"stop\": \"5s\" }\n");
    const char *p = tcp ? "-t" : "-u";
    g_string_append_printf(t, "  ],\n  \"ipvs\": [\n    \"-A %s " EQ_VIP " -s %s%s%s\"", p, sched,
                           bflags ? " -b " : "", bflags ? bflags : "");
    for (size_t i = 0; i < N_DESTS; i++)
        g_string_append_printf(t, ",\n    \"-a %s " EQ_VIP " -r %s:80 -m -w %d\"", p, eq_dests[i].ip,
                               eq_dests[i].weight);
    g_string_append(t, "\n  ]\n}\n");
    return g_string_free(t, FALSE);
}

/* What the run gave: the playground script (client + pick per conversation) and
 * the names of the servers, space separated, as the playground prints them. */
struct run_seq {
    GString *script, *names;
    guint convs;
    guint per_server[N_DESTS];
};

static bool run_scenario_seq(const char *sched, const char *bflags, bool tcp, struct run_seq *rs)
{
    char *text = scenario_text(sched, bflags, tcp);
    char *file = g_strdup_printf("sched-equiv-%s-%s%s.json", sched, bflags ? bflags : "",
                                 tcp ? "tcp" : "udp");
    char *path = g_build_filename(eq_dir, file, NULL);
    bool ok = g_file_set_contents(path, text, -1, NULL);
    g_free(text);
    g_free(file);
    CU_ASSERT_FATAL(ok);

    struct scn_error err;
    struct scenario *s = scenario_load(path, NULL, &err);
    g_free(path);
    if (!s) {
        fprintf(stderr, "\n  %s:%d:%d: %s\n", err.file, err.pos.line, err.pos.col, err.msg);
        return false;
    }
    struct run_world rw;
    if (!run_world_build(&rw, s, NULL, &err)) {
        fprintf(stderr, "\n  %s:%d:%d: %s\n", err.file, err.pos.line, err.pos.col, err.msg);
        scenario_free(s);
        return false;
    }
    sim_run_until(&rw.w.sim, s->duration);
    conv_log_close(&rw.log, rw.w.sim.now);

    memset(rs, 0, sizeof *rs);
    rs->script = g_string_new(NULL);
    rs->names = g_string_new(NULL);
    GHashTable *seen = g_hash_table_new(g_int64_hash, g_int64_equal);
    gint64 *keys = g_new(gint64, rw.log.convs->len ? rw.log.convs->len : 1);
    bool premises = true;
    for (guint i = 0; i < rw.log.convs->len; i++) {
        const struct conv *c = &g_array_index(rw.log.convs, struct conv, i);
        /* every conversation served, in order, each (address, port) new */
        if (c->outcome != CONV_OK || c->server < 0 || c->server >= (int)N_DESTS)
            premises = false;
        keys[i] = ((gint64)ntohl(c->caddr) << 16) | ntohs(c->cport);
        if (!g_hash_table_add(seen, &keys[i]))
            premises = false;
        if (tcp && i > 0 && g_array_index(rw.log.convs, struct conv, i - 1).end > c->start)
            premises = false;
        if (c->server < 0 || c->server >= (int)N_DESTS)
            continue;
        char a[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &c->caddr, a, sizeof a);
        g_string_append_printf(rs->script, "%sclient %s:%u; pick", i ? "; " : "", a, ntohs(c->cport));
        g_string_append_printf(rs->names, "%s%s", i ? " " : "", eq_dests[c->server].name);
        rs->per_server[c->server]++;
        rs->convs++;
    }
    g_string_append_c(rs->names, '\n');
    /* No connection expired and none is active: each dest holds exactly its
     * conversations as inactive connections, as --hold udp keeps the picks. */
    struct netns_ipvs *ipvs = host_net(rw.director)->ipvs;
    struct ip_vs_service *svc;
    guint nsvc = 0;
    list_for_each_entry(svc, &ipvs->services, s_list) {
        nsvc++;
        struct ip_vs_dest *d;
        list_for_each_entry(d, &svc->destinations, n_list) {
            int idx = run_world_server_index(&rw, d->addr);
            if (idx < 0 || d->activeconns != 0 || d->inactconns != (int)rs->per_server[idx])
                premises = false;
        }
    }
    if (nsvc != 1)
        premises = false;
    CU_ASSERT(premises);
    g_hash_table_destroy(seen);
    g_free(keys);
    run_world_free(&rw);
    scenario_free(s);
    return premises;
}

/* The playground's picks for the same dests and clients. */
static char *playground_seq(const char *sched, const char *flags, const char *hold,
                            const char *script)
{
    GString *dests = g_string_new(NULL);
    for (size_t i = 0; i < N_DESTS; i++)
        g_string_append_printf(dests, "%s%s=%s:80:%d", i ? "," : "", eq_dests[i].name,
                               eq_dests[i].ip, eq_dests[i].weight);
    const char *argv[16];
    int argc = 0;
    argv[argc++] = "sched";
    argv[argc++] = sched;
    argv[argc++] = "--dests";
    argv[argc++] = dests->str;
    argv[argc++] = "--hold";
    argv[argc++] = hold;
    if (flags) {
        argv[argc++] = "--flags";
        argv[argc++] = flags;
    }
    argv[argc++] = "--script";
    argv[argc++] = script;
    argv[argc] = NULL;
    GString *out = g_string_new(NULL), *err = g_string_new(NULL);
    int rc = cmd_sched_run(argc, (char **)argv, out, err);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_STRING_EQUAL(err->str, "");
    g_string_free(err, TRUE);
    g_string_free(dests, TRUE);
    /* a script's picks come a line per step ("step 2, pick: B"): one sequence */
    GString *seq = g_string_new(NULL);
    char **lines = g_strsplit(out->str, "\n", -1);
    for (char **l = lines; *l; l++) {
        const char *picks = strchr(*l, ':');
        if (!picks)
            continue;
        picks += strspn(picks + 1, " ") + 1;
        if (*picks)
            g_string_append_printf(seq, "%s%s", seq->len ? " " : "", picks);
    }
    g_string_append_c(seq, '\n');
    g_strfreev(lines);
    g_string_free(out, TRUE);
    return g_string_free(seq, FALSE);
}

/* First difference of two space-separated sequences, for the failure message. */
static void report_diff(const char *what, const char *want, const char *got)
{
    char **a = g_strsplit(want, " ", -1), **b = g_strsplit(got, " ", -1);
    guint i = 0;
    while (a[i] && b[i] && strcmp(a[i], b[i]) == 0)
        i++;
    fprintf(stderr, "\n  %s: pick %u differs: run '%s', playground '%s'\n", what, i + 1,
            a[i] ? g_strstrip(a[i]) : "(end)", b[i] ? g_strstrip(b[i]) : "(end)");
    g_strfreev(a);
    g_strfreev(b);
}

static void check_equiv(const char *sched, const char *flags, bool tcp)
{
    struct run_seq rs;
    if (!run_scenario_seq(sched, flags, tcp, &rs)) {
        CU_FAIL("the scenario did not run, or its conversations break the premises");
        if (rs.script) {
            g_string_free(rs.script, TRUE);
            g_string_free(rs.names, TRUE);
        }
        return;
    }
    /* Enough conversations, and more than one server used: not a trivial sequence. */
    CU_ASSERT(rs.convs >= (tcp ? 60u : 120u));
    guint used = 0;
    for (size_t i = 0; i < N_DESTS; i++)
        used += rs.per_server[i] > 0;
    CU_ASSERT(used >= 2);

    char *got = playground_seq(sched, flags, "udp", rs.script->str);
    char what[64];
    snprintf(what, sizeof what, "%s%s%s over %s", sched, flags ? " " : "", flags ? flags : "",
             tcp ? "TCP" : "UDP");
    if (strcmp(rs.names->str, got) != 0)
        report_diff(what, rs.names->str, got);
    CU_ASSERT_STRING_EQUAL(got, rs.names->str);
    g_free(got);
    g_string_free(rs.script, TRUE);
    g_string_free(rs.names, TRUE);
}

static void test_equiv_rr(void)
{
    check_equiv("rr", NULL, false);
    check_equiv("rr", NULL, true);
}

static void test_equiv_wrr(void)
{
    check_equiv("wrr", NULL, false);
    check_equiv("wrr", NULL, true);
}

static void test_equiv_wlc(void)
{
    check_equiv("wlc", NULL, false);
    check_equiv("wlc", NULL, true);
}

static void test_equiv_sh(void)
{
    check_equiv("sh", NULL, false);
    check_equiv("sh", NULL, true);
    check_equiv("sh", "sh-port", false);
    check_equiv("sh", "sh-port", true);
}

static void test_equiv_mh(void)
{
    check_equiv("mh", NULL, false);
    check_equiv("mh", NULL, true);
    check_equiv("mh", "mh-port", false);
    check_equiv("mh", "mh-port", true);
}

/* The comparison can fail: the playground's own client sequence (one address, the
 * ports counting up) gives sh another sequence than the run's clients. */
static void test_equiv_needs_same_clients(void)
{
    struct run_seq rs;
    CU_ASSERT_FATAL(run_scenario_seq("sh", "sh-port", false, &rs));
    char picks[32];
    snprintf(picks, sizeof picks, "pick %u", rs.convs);
    char *got = playground_seq("sh", "sh-port", "udp", picks);
    CU_ASSERT(strcmp(got, rs.names->str) != 0);
    g_free(got);
    g_string_free(rs.script, TRUE);
    g_string_free(rs.names, TRUE);
}

/* And the counters matter: wlc fed the run's clients but keeping no connection
 * (--hold none: every dest always at 0) decides otherwise. */
static void test_equiv_needs_same_counters(void)
{
    struct run_seq rs;
    CU_ASSERT_FATAL(run_scenario_seq("wlc", NULL, false, &rs));
    char *got = playground_seq("wlc", NULL, "none", rs.script->str);
    CU_ASSERT(strcmp(got, rs.names->str) != 0);
    g_free(got);
    g_string_free(rs.script, TRUE);
    g_string_free(rs.names, TRUE);
}

IPVSIM_SUITE(sched_equiv)
{
    CU_pSuite s = CU_add_suite("sched_equiv", eq_init, eq_cleanup);
    ADD_TEST(s, test_equiv_rr);
    ADD_TEST(s, test_equiv_wrr);
    ADD_TEST(s, test_equiv_wlc);
    ADD_TEST(s, test_equiv_sh);
    ADD_TEST(s, test_equiv_mh);
    ADD_TEST(s, test_equiv_needs_same_clients);
    ADD_TEST(s, test_equiv_needs_same_counters);
}
