/* `ipvsim sched`, the scheduler playground (app/cli/cmd_sched.c): the examples of the
 * command's contract and its errors. Expected picks are derived in
 * tests/model/ipvs/sched/test_sched_algos.c (same dests, same order). */
#include <glib.h>
#include <stdarg.h>
#include <string.h>
#include "tests/testutil.h"
#include "app/cli/cmd_sched.h"

struct run {
    int status;
    GString *out, *err;
};

/* Run `ipvsim sched ARGS...` (NULL-terminated). */
static struct run run_sched(const char *first, ...)
{
    const char *argv[32];
    int argc = 0;
    argv[argc++] = "sched";
    va_list ap;
    va_start(ap, first);
    for (const char *a = first; a && argc < 31; a = va_arg(ap, const char *))
        argv[argc++] = a;
    va_end(ap);
    argv[argc] = NULL;
    struct run r = { 0, g_string_new(NULL), g_string_new(NULL) };
    r.status = cmd_sched_run(argc, (char **)argv, r.out, r.err);
    return r;
}

static void run_free(struct run *r)
{
    g_string_free(r->out, TRUE);
    g_string_free(r->err, TRUE);
}

static void expect_out(struct run r, const char *want)
{
    CU_ASSERT_EQUAL(r.status, 0);
    CU_ASSERT_STRING_EQUAL(r.out->str, want);
    CU_ASSERT_STRING_EQUAL(r.err->str, "");
    run_free(&r);
}

/* The message must name the option and column, nothing goes to the output. */
static void expect_err(struct run r, const char *fragment)
{
    CU_ASSERT_EQUAL(r.status, 2);
    CU_ASSERT_STRING_EQUAL(r.out->str, "");
    CU_ASSERT_PTR_NOT_NULL(strstr(r.err->str, fragment));
    run_free(&r);
}

static void test_cmd_wrr(void)
{
    expect_out(run_sched("wrr", "--dests", "A:4,B:3,C:2", "--picks", "9", "--init", NULL),
               "A B A C B A C B A\n");
    /* Without --init each add ran dest_changed: the first cycle starts small. */
    expect_out(run_sched("wrr", "--dests", "A:4,B:3,C:2", "--picks", "9", NULL),
               "C B A A B A C B A\n");
}

static void test_cmd_rr_script(void)
{
    /* a line per pick step, labelled with the step */
    expect_out(run_sched("rr", "--dests", "A:1,B:1,C:1", "--script",
                         "pick 2; add D:1; pick 2; pick 1; del C; pick 3; edit B 0; pick 3", NULL),
               "step 1, pick 2: C B\n"
               "step 3, pick 2: A D\n"
               "step 4, pick 1: C\n"
               "step 6, pick 3: B A D\n"
               "step 8, pick 3: A D A\n");
    /* --picks first, then the script; explicit addresses; labels padded to one width */
    expect_out(run_sched("rr", "--dests", "A=10.1.1.1:8080:1,B=10.1.1.2:8080:1", "--picks", "3",
                         "--script", "del A; pick 2; add A:5; pick 0;; pick", NULL),
               "--picks 3:      B A B\n"
               "step 2, pick 2: B B\n"
               "step 4, pick 0:\n"
               "step 6, pick:   A\n");
    /* without --script, one line as before */
    expect_out(run_sched("rr", "--dests", "A:1,B:1", "--picks", "3", NULL), "B A B\n");
}

static void test_cmd_counters(void)
{
    expect_out(run_sched("lc", "--dests", "A:1:0:5,B:1:0:3,C:1:1:0", "--hold", "udp", "--picks", "8",
                         NULL),
               "B B B A B A B A\n");
    expect_out(run_sched("ovf", "--dests", "A:2,B:1", "--picks", "7", NULL), "A A A B B - -\n");
    expect_out(run_sched("ovf", "--dests", "A:2,B:1", "--hold", "none", "--picks", "3", NULL),
               "A A A\n");
}

static void test_cmd_hashing(void)
{
    expect_out(run_sched("sh", "--dests", "A:1,B:2,C:1", "--flags", "sh-port", "--hold", "udp",
                         "--picks", "12", NULL),
               "B C B A B A B B C B C B\n");
    expect_out(run_sched("sh", "--dests", "A:1,B:2,C:1", "--script",
                         "client 192.168.0.2:5000; pick; client 192.168.0.3; pick 2", NULL),
               "step 2, pick:   B\nstep 4, pick 2: A A\n");
    expect_out(run_sched("mh", "--dests", "A:4,B:3,C:2", "--script",
                         "edit B 0; client 192.168.0.3; pick; client 192.168.0.4; pick", NULL),
               "step 3, pick: -\nstep 5, pick: -\n");
    expect_out(run_sched("mh", "--dests", "A:4,B:3,C:2", "--flags", "mh-fallback", "--script",
                         "edit B 0; client 192.168.0.3; pick; client 192.168.0.4; pick", NULL),
               "step 3, pick: A\nstep 5, pick: C\n");
}

static void test_cmd_lblc_wait(void)
{
    /* lblc keys on the packet's destination, here always the VIP: one cache entry.
     * list B A: the first pick goes to B (tie) and is cached; UDP conns are inactive,
     * which lblc's "overloaded" test ignores, so B keeps them. A full scan drops the
     * entry once it has been idle for lblc_expiration (24 h by default): after
     * 'wait 25h' the wlc pick decides again, and B's 2 inactive conns lose to A. */
    expect_out(run_sched("lblc", "--dests", "A:1,B:1", "--hold", "udp", "--script",
                         "pick 2; wait 23h; pick", NULL),
               "step 1, pick 2: B B\nstep 3, pick:   B\n");
    expect_out(run_sched("lblc", "--dests", "A:1,B:1", "--hold", "udp", "--script",
                         "pick 2; wait 25h; pick", NULL),
               "step 1, pick 2: B B\nstep 3, pick:   A\n");
}

static void test_cmd_errors(void)
{
    expect_err(run_sched("foo", "--dests", "A:1", "--picks", "1", NULL), "unknown scheduler 'foo'");
    /* --seed takes what run's does: 0 to 2^64 - 1, and says so past it */
    expect_err(run_sched("twos", "--dests", "A:1,B:1", "--picks", "1", "--seed", "-1", NULL),
               "--seed: expected an integer from 0 to 18446744073709551615, got '-1'");
    expect_err(run_sched("twos", "--dests", "A:1,B:1", "--picks", "1", "--seed",
                         "18446744073709551616", NULL),
               "--seed: expected an integer from 0 to 18446744073709551615");
    struct run top = run_sched("twos", "--dests", "A:1,B:1", "--picks", "4", "--seed",
                               "18446744073709551615", NULL);
    CU_ASSERT_EQUAL(top.status, 0);
    CU_ASSERT_STRING_EQUAL(top.err->str, "");
    run_free(&top);
    expect_err(run_sched("rr", "--dests", "A:x", "--picks", "1", NULL), "--dests, column 3");
    expect_err(run_sched("rr", "--dests", "A:1,:2", "--picks", "1", NULL), "--dests, column 5");
    expect_err(run_sched("rr", "--dests", "A:1:2", "--picks", "1", NULL), "--dests, column 6");
    expect_err(run_sched("rr", "--dests", "A=10.0.0.300:80:1", "--picks", "1", NULL),
               "--dests, column 3");
    expect_err(run_sched("rr", "--dests", "A:1,A:2", "--picks", "1", NULL), "already");
    expect_err(run_sched("rr", "--dests", "A:1", "--script", "pick 2; jump", NULL),
               "--script, column 9");
    expect_err(run_sched("rr", "--dests", "A:1", "--script", "pick x", NULL), "--script, column 6");
    expect_err(run_sched("rr", "--dests", "A:1", "--script", "del Z", NULL), "--script, column 5");
    expect_err(run_sched("rr", "--dests", "A:1", "--script", "edit A", NULL), "--script, column 7");
    expect_err(run_sched("rr", "--dests", "A:1", "--hold", "tcpx", "--picks", "1", NULL), "--hold");
    expect_err(run_sched("sh", "--dests", "A:1", "--flags", "sh-port,sh-fallbak", "--picks", "1",
                         NULL),
               "--flags, column 9");
    expect_err(run_sched("rr", "--picks", "1", NULL), "--dests");
    expect_err(run_sched("rr", "--dests", "A:1", NULL), "--picks");
    expect_err(run_sched("--dests", "A:1", "--picks", "1", NULL), "scheduler name");
}

IPVSIM_SUITE(sched_cmd)
{
    CU_pSuite s = CU_add_suite("sched_cmd", NULL, NULL);
    ADD_TEST(s, test_cmd_wrr);
    ADD_TEST(s, test_cmd_rr_script);
    ADD_TEST(s, test_cmd_counters);
    ADD_TEST(s, test_cmd_hashing);
    ADD_TEST(s, test_cmd_lblc_wait);
    ADD_TEST(s, test_cmd_errors);
}
