/* The run session every command runs a scenario through (app/run/run_session.h):
 * limits armed and signals caught by run_session_open, the stop reason said by
 * run_session_run, nested signal handlers, the typed scheduler. */
#include <arpa/inet.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include "app/run/run_session.h"
#include "app/run/signals.h"
#include "model/ipvs/ip_vs.h"
#include "model/ipvs/ip_vs_ctl.h"
#include "model/net.h"
#include "tests/testutil.h"

static struct scenario *load(const char *const *sets)
{
    struct scn_error err;
    struct scenario *s = scenario_load("scenarios/quickstart.json", sets, &err);
    if (!s)
        fprintf(stderr, "\n  quickstart: %d:%d: %s\n", err.pos.line, err.pos.col, err.msg);
    return s;
}

/* open arms the scenario's limits: the run stops at one and says which, with the
 * same words as every command (run_stopped_text). */
static void test_session_limit(void)
{
    const char *const sets[] = { "duration=5s", "events=[]", "limits.events=100", NULL };
    struct scenario *s = load(sets);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    struct run_session rs;
    char err[200];
    const struct run_session_cfg cfg = { .cmd = "test" };
    CU_ASSERT_EQUAL_FATAL(run_session_open(&rs, s, &cfg, err, sizeof err), 0);
    CU_ASSERT_EQUAL(rs.rw.w.sim.q.limit, 100);
    CU_ASSERT_FALSE(run_session_run(&rs));
    CU_ASSERT_STRING_EQUAL(rs.rw.stopped_by, "limits.events");
    CU_ASSERT_PTR_NOT_NULL(rs.stopped);
    CU_ASSERT(g_str_has_prefix(rs.stopped, "the pending-event limit (limits.events = 100) was "
                               "reached at "));
    CU_ASSERT_STRING_EQUAL(rs.hint, "; raise it with --limit events=N");
    run_session_close(&rs);
    CU_ASSERT_PTR_NULL(rs.stopped);
    run_session_close(&rs);                     /* a second close does nothing */
    scenario_free(s);
}

/* A complete run: no stop reason; the conversation log closed. */
static void test_session_complete(void)
{
    const char *const sets[] = { "duration=2s", "events=[]", NULL };
    struct scenario *s = load(sets);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    struct run_session rs;
    char err[200];
    const struct run_session_cfg cfg = { .cmd = "test" };
    CU_ASSERT_EQUAL_FATAL(run_session_open(&rs, s, &cfg, err, sizeof err), 0);
    CU_ASSERT_TRUE(run_session_run(&rs));
    CU_ASSERT_PTR_NULL(rs.stopped);
    CU_ASSERT_STRING_EQUAL(rs.hint, "");
    CU_ASSERT(rs.rw.log.convs->len > 0);
    CU_ASSERT_EQUAL(rs.rw.w.sim.now, s->duration);
    run_session_close(&rs);
    scenario_free(s);
}

/* Signals caught around several sessions (check, compare): one caught between two
 * runs stops the next before its first event, and the sessions' own install and
 * restore neither forget it nor put the old handlers back. */
static void test_session_nested_signals(void)
{
    const char *const sets[] = { "duration=5s", "events=[]", NULL };
    struct scenario *s = load(sets);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    signals_install();
    raise(SIGINT);
    CU_ASSERT_EQUAL(signals_caught(), SIGINT);
    struct run_session rs;
    char err[200];
    const struct run_session_cfg cfg = { .cmd = "test" };
    CU_ASSERT_EQUAL_FATAL(run_session_open(&rs, s, &cfg, err, sizeof err), 0);
    CU_ASSERT_EQUAL(signals_caught(), SIGINT);  /* the nested install keeps it */
    CU_ASSERT_FALSE(run_session_run(&rs));
    CU_ASSERT_EQUAL(rs.rw.w.sim.events_run, 0);
    CU_ASSERT_STRING_EQUAL(rs.stopped, "SIGINT: stopped at 0.000000 s of 5 s simulated");
    run_session_close(&rs);
    CU_ASSERT_EQUAL(signals_caught(), SIGINT);  /* still caught outside */
    struct sigaction now;
    sigaction(SIGINT, NULL, &now);
    CU_ASSERT(now.sa_handler != SIG_DFL);       /* the outer handler stays */
    signals_restore();
    CU_ASSERT_EQUAL(signals_caught(), 0);
    sigaction(SIGINT, NULL, &now);
    CU_ASSERT(now.sa_handler == SIG_DFL);
    scenario_free(s);
}

/* Bad input at open: 2, nothing left open; a bad capture point names the command. */
static void test_session_bad_input(void)
{
    const char *const sets[] = { "ipvs.0=-A -t 203.0.113.10:80 -s nosuch", NULL };
    struct scenario *s = load(sets);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    struct run_session rs;
    char err[200];
    const struct run_session_cfg cfg = { .cmd = "test" };
    fprintf(stderr, "\n  (an ipvsadm error expected:) ");
    CU_ASSERT_EQUAL(run_session_open(&rs, s, &cfg, err, sizeof err), 2);
    CU_ASSERT_FALSE(rs.open);
    run_session_close(&rs);                     /* does nothing */
    scenario_free(s);
    s = load(NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    char *const pcaps[] = { "nosuch:eth0", NULL };
    char *dir = g_dir_make_tmp("ipvsim-session-XXXXXX", NULL);
    const struct run_session_cfg pc = { .cmd = "test", .world = { .pcap_dir = dir },
                                        .pcaps = pcaps };
    fprintf(stderr, "\n  (a --pcap error expected:) ");
    CU_ASSERT_EQUAL(run_session_open(&rs, s, &pc, err, sizeof err), 2);
    CU_ASSERT_FALSE(rs.open);
    CU_ASSERT_EQUAL(signals_caught(), 0);
    g_rmdir(dir);
    g_free(dir);
    scenario_free(s);
}

/* The typed scheduler: the director's service has it, the scenario's text is as it was. */
static void test_session_sched(void)
{
    struct scenario *s = load(NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    struct run_session rs;
    char err[200];
    const struct run_session_cfg cfg = { .cmd = "test", .world = { .sched = "mh" } };
    CU_ASSERT_EQUAL_FATAL(run_session_open(&rs, s, &cfg, err, sizeof err), 0);
    const struct ip_vs_service *svc =
        ip_vs_service_get(ip_vs_net(host_net(rs.rw.director)), IPPROTO_TCP, htonl(0xcb00710a),
                          htons(80), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(svc);
    CU_ASSERT_STRING_EQUAL(svc->scheduler->name, "mh");
    CU_ASSERT_STRING_EQUAL(g_array_index(s->ipvs, struct scn_line, 0).text,
                           "-A -t 203.0.113.10:80 -s wlc");
    run_session_close(&rs);
    scenario_free(s);
}

IPVSIM_SUITE(session)
{
    CU_pSuite s = CU_add_suite("session", NULL, NULL);
    ADD_TEST(s, test_session_limit);
    ADD_TEST(s, test_session_complete);
    ADD_TEST(s, test_session_nested_signals);
    ADD_TEST(s, test_session_bad_input);
    ADD_TEST(s, test_session_sched);
}
