/* `ipvsim compare`'s parts (the scheduler as a typed value, the failure window, remapped
 * clients, imbalance) and the plots (data and scripts written, deterministic). */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include "app/cli/cmd_compare.h"
#include "app/report/plots.h"
#include "app/run/run_world.h"
#include "model/ipvs/ip_vs.h"
#include "model/ipvs/ip_vs_ctl.h"
#include "model/net.h"
#include "model/user/ipvsadm/ipvsadm.h"
#include "tests/testutil.h"

/* The scheduler of line as compare sets it (ipvsadm_parse_sched): the -A/-E line's
 * sched_name, or the line's own for any other line; NULL when it does not parse. */
static void expect_sched(const char *line, const char *sched, const char *want)
{
    struct ipvsadm_cmd cmd;
    struct ipvsadm_error err = {0};
    int rc = ipvsadm_parse_sched(line, sched, &cmd, &err);
    if (!want) {
        CU_ASSERT_NOT_EQUAL(rc, 0);
        return;
    }
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_STRING_EQUAL(cmd.svc.sched_name, want);
    if (strcmp(cmd.svc.sched_name, want) != 0)
        fprintf(stderr, "\n  '%s' under %s -> '%s', want '%s'\n", line, sched,
                cmd.svc.sched_name, want);
}

/* compare's scheduler is a value on the parsed line, whatever the line's -s says
 * (or does not: ipvsadm's wlc is replaced too). */
static void test_typed_scheduler(void)
{
    expect_sched("-A -t 203.0.113.10:80 -s wlc", "rr", "rr");
    expect_sched("-A -t 203.0.113.10:80 -s wlc -p 60", "mh", "mh");
    expect_sched("-A -t 10.0.0.1:80 --scheduler lblcr", "wrr", "wrr");
    expect_sched("-A -u 10.0.0.1:53 -swlc -o", "rr", "rr");
    expect_sched("-A -t 10.0.0.1:80  ", "sed", "sed");
    expect_sched("-E -f 5", "nq", "nq");
    expect_sched("-A -t 10.0.0.1:80", NULL, "wlc");         /* NULL: as written */
    /* the -b flags are checked against the scheduler set, as ipvsadm checks them */
    expect_sched("ipvsadm -A -t 10.0.0.1:80 --scheduler=sh -b sh-port", "mh", NULL);
    expect_sched("-A -t 10.0.0.1:80 -s mh -b mh-port", "mh", "mh");
    expect_sched("-A -t 10.0.0.1:80 -s sh -b flag-2", "rr", "rr");
    struct ipvsadm_cmd cmd;
    struct ipvsadm_error err = {0};
    CU_ASSERT_NOT_EQUAL(ipvsadm_parse_sched("-A -t 10.0.0.1:80 -s sh -b sh-fallback", "rr", &cmd,
                                            &err), 0);
    CU_ASSERT_STRING_EQUAL(err.message, "incompatible scheduler flag `sh-fallback'");
    CU_ASSERT_EQUAL(err.column, 28);           /* the -b value */
    /* dest lines and anything else are left alone */
    CU_ASSERT_EQUAL(ipvsadm_parse_sched("-a -t 10.0.0.1:80 -r 10.0.0.2:80 -m -w 3", "rr", &cmd,
                                        &err), 0);
    CU_ASSERT_EQUAL(cmd.cmd, IPVSADM_CMD_ADDDEST);
    CU_ASSERT_EQUAL(ipvsadm_parse_sched("-D -t 10.0.0.1:80", "rr", &cmd, &err), 0);
    CU_ASSERT_EQUAL(cmd.svc.sched_name[0], '\0');
    expect_sched("-A -t not-an-address -s rr", "wlc", NULL);
}

/* The scheduler of the director's service 203.0.113.10:80/tcp, or "". */
static const char *service_sched(struct run_world *rw)
{
    struct ip_vs_service *svc = ip_vs_service_get(ip_vs_net(host_net(rw->director)), IPPROTO_TCP,
                                                  htonl(0xcb00710a), htons(80), 0);
    return svc && svc->scheduler ? svc->scheduler->name : "";
}

/* One short quickstart run built with cfg: the server each conversation went to. */
static GArray *servers_of_run(const struct scenario *s, const struct run_world_cfg *cfg,
                              const char *want_sched, const char *want_end)
{
    struct run_world rw;
    struct scn_error err;
    CU_ASSERT_TRUE_FATAL(run_world_build_cfg(&rw, s, cfg, &err));
    CU_ASSERT_STRING_EQUAL(service_sched(&rw), want_sched);
    sim_run_until(&rw.w.sim, s->duration);
    GArray *servers = g_array_new(FALSE, FALSE, sizeof(int));
    for (guint i = 0; i < rw.log.convs->len; i++)
        g_array_append_val(servers, g_array_index(rw.log.convs, struct conv, i).server);
    /* the -E events, with -s and without, get it too */
    CU_ASSERT_STRING_EQUAL(service_sched(&rw), want_end);
    run_world_free(&rw);
    return servers;
}

/* A world built with run_world_cfg.sched runs as the scenario with its lines
 * rewritten to say -s SCHED: the same conversations to the same servers. */
static void test_typed_scheduler_run(void)
{
    struct scn_error err;
    const char *base_ov[] = { "duration=3s",
        "events=[{\"at\": \"2s\", \"do\": \"ipvsadm\", \"args\": \"-E -t 203.0.113.10:80\"},"
        " {\"at\": \"2.5s\", \"do\": \"ipvsadm\", \"args\": \"-E -t 203.0.113.10:80 -s sh\"}]",
        NULL };
    struct scenario *s = scenario_load("scenarios/quickstart.json", base_ov, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL(compare_services(s), 1);
    const char *text_ov[] = { "duration=3s", "ipvs.0=-A -t 203.0.113.10:80 -s rr",
        "events=[{\"at\": \"2s\", \"do\": \"ipvsadm\", \"args\": \"-E -t 203.0.113.10:80 -s rr\"},"
        " {\"at\": \"2.5s\", \"do\": \"ipvsadm\", \"args\": \"-E -t 203.0.113.10:80 -s rr\"}]",
        NULL };
    struct scenario *t = scenario_load("scenarios/quickstart.json", text_ov, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    GArray *typed = servers_of_run(s, &(struct run_world_cfg){ .sched = "rr" }, "rr", "rr");
    GArray *text = servers_of_run(t, &(struct run_world_cfg){ .sched = NULL }, "rr", "rr");
    GArray *wlc = servers_of_run(s, &(struct run_world_cfg){ .sched = NULL }, "wlc", "sh");
    CU_ASSERT(typed->len > 20);
    CU_ASSERT_EQUAL_FATAL(typed->len, text->len);
    CU_ASSERT_EQUAL(memcmp(typed->data, text->data, typed->len * sizeof(int)), 0);
    /* and it is not what the scenario's own wlc does */
    CU_ASSERT(wlc->len != typed->len || memcmp(typed->data, wlc->data, typed->len * sizeof(int)) != 0);
    g_array_free(typed, TRUE);
    g_array_free(text, TRUE);
    g_array_free(wlc, TRUE);
    scenario_free(t);
    /* no -A line: nothing to compare */
    const char *none[] = { "ipvs=[]", NULL };
    t = scenario_load("scenarios/quickstart.json", none, &err);
    if (t)
        CU_ASSERT_EQUAL(compare_services(t), 0);
    scenario_free(t);
    scenario_free(s);
}

static void test_failure_window(void)
{
    struct scn_error err;
    struct scenario *s = scenario_load("scenarios/crash-recovery.json", NULL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    sim_time_t f = 0, n = 0;
    CU_ASSERT_TRUE(compare_failure_window(s, &f, &n));
    CU_ASSERT_EQUAL(f, 5 * SEC);
    CU_ASSERT_EQUAL(n, 12 * SEC);
    scenario_free(s);
    /* an ipvsadm -d is a failure; with no recovery the window runs to the end */
    const char *ov[] = {
        "events=[{\"at\": \"2s\", \"do\": \"ipvsadm\", \"args\": \"-e -t 203.0.113.10:80 -r 192.0.2.11:80 -m -w 2\"},"
        " {\"at\": \"3s\", \"do\": \"ipvsadm\", \"args\": \"-d -t 203.0.113.10:80 -r 192.0.2.12:80\"}]",
        NULL,
    };
    s = scenario_load("scenarios/crash-recovery.json", ov, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_TRUE(compare_failure_window(s, &f, &n));
    CU_ASSERT_EQUAL(f, 3 * SEC);
    CU_ASSERT_EQUAL(n, INT64_MAX);
    scenario_free(s);
    const char *none[] = { "events=[]", NULL };
    s = scenario_load("scenarios/crash-recovery.json", none, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_FALSE(compare_failure_window(s, &f, &n));
    scenario_free(s);
}

static void add_conv(struct conv_log *log, uint32_t caddr, sim_time_t start, int server)
{
    struct conv *c = conv_new(log);
    c->caddr = htonl(caddr);
    c->start = start;
    c->end = start + MSEC;
    c->server = server;
    c->outcome = server >= 0 ? CONV_OK : CONV_TIMEOUT;
}

static void test_remap(void)
{
    struct conv_log log;
    conv_log_init(&log);
    /* client 1 stays on 0; client 2 moves 1 -> 2 (its last before: 1; its last after: 2) */
    add_conv(&log, 1, 1 * SEC, 0);
    add_conv(&log, 2, 1 * SEC, 2);
    add_conv(&log, 2, 2 * SEC, 1);
    add_conv(&log, 1, 6 * SEC, 0);
    add_conv(&log, 2, 6 * SEC, 0);
    add_conv(&log, 2, 7 * SEC, 2);
    /* client 3: only before; client 4: only after; client 5: its after-conv failed */
    add_conv(&log, 3, 1 * SEC, 1);
    add_conv(&log, 4, 6 * SEC, 1);
    add_conv(&log, 5, 1 * SEC, 1);
    add_conv(&log, 5, 6 * SEC, -1);
    /* client 1 after the recovery (10 s) does not count */
    add_conv(&log, 1, 11 * SEC, 2);
    uint64_t moved = 99, base = 99;
    compare_remap(&log, 5 * SEC, 10 * SEC, &moved, &base);
    CU_ASSERT_EQUAL(base, 2);
    CU_ASSERT_EQUAL(moved, 1);
    /* without the recovery, client 1's last conversation (11 s, server 2) counts */
    compare_remap(&log, 5 * SEC, INT64_MAX, &moved, &base);
    CU_ASSERT_EQUAL(base, 2);
    CU_ASSERT_EQUAL(moved, 2);
    conv_log_free(&log);
}

static void test_imbalance(void)
{
    const double even[] = { 0.5, 0.5, 0.5 }, skew[] = { 0.9, 0.3, 0.3 }, zero[] = { 0, 0 };
    CU_ASSERT_DOUBLE_EQUAL(compare_imbalance(even, 3), 1.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(compare_imbalance(skew, 3), 1.8, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(compare_imbalance(zero, 2), 0.0, 1e-12);
    GArray *v = g_array_new(FALSE, FALSE, sizeof(int64_t));
    CU_ASSERT_DOUBLE_EQUAL(plot_percentile(v, 0.5), 0.0, 0);
    for (int64_t i = 1; i <= 100; i++)
        g_array_append_val(v, i);
    CU_ASSERT_DOUBLE_EQUAL(plot_percentile(v, 0.5), 50.0, 0);
    CU_ASSERT_DOUBLE_EQUAL(plot_percentile(v, 0.99), 99.0, 0);
    CU_ASSERT_DOUBLE_EQUAL(plot_percentile(v, 1.0), 100.0, 0);
    g_array_free(v, TRUE);
}

static char *read_file(const char *dir, const char *name)
{
    char *path = g_build_filename(dir, "plots", name, NULL), *text = NULL;
    g_file_get_contents(path, &text, NULL, NULL);
    g_free(path);
    return text;
}

static void rm_tree(const char *path)
{
    GDir *d = g_dir_open(path, 0, NULL);
    if (d) {
        const char *name;
        while ((name = g_dir_read_name(d)) != NULL) {
            char *p = g_build_filename(path, name, NULL);
            rm_tree(p);
            g_free(p);
        }
        g_dir_close(d);
        g_rmdir(path);
    } else {
        g_unlink(path);
    }
}

/* A small run's figures: the data and scripts are written whether or not gnuplot
 * is installed, twice the same, and the scripts name their outputs and units. */
static void test_plots_written(void)
{
    struct scn_error err;
    const char *ov[] = { "duration=2s", "events=[{\"at\": \"1s\", \"do\": \"server_down\", \"server\": \"rs2\"}]", NULL };
    struct scenario *s = scenario_load("scenarios/crash-recovery.json", ov, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    char *dirs[2];
    for (int k = 0; k < 2; k++) {
        struct run_world rw;
        CU_ASSERT_TRUE_FATAL(run_world_build(&rw, s, NULL, &err));
        sim_run_until(&rw.w.sim, s->duration);
        conv_log_close(&rw.log, rw.w.sim.now);
        struct plot_set ps;
        plot_set_init(&ps, s);
        struct plot_run *pr = plot_set_add_run(&ps, &rw, "wlc", true);
        uint64_t scheduled = 0;
        for (guint i = 0; i < ps.nservers; i++)
            scheduled += pr->scheduled[i];
        CU_ASSERT(scheduled > 0);
        /* the conversations IPVS sent to rs2 after its crash count as scheduled to it,
         * never completed */
        CU_ASSERT(pr->completed[1] < pr->scheduled[1]);
        CU_ASSERT(pr->completed[0] <= pr->scheduled[0]);
        CU_ASSERT(pr->resp_ns->len > 0);
        CU_ASSERT(ps.marks->len >= 1);      /* rs2 down */
        dirs[k] = g_dir_make_tmp("ipvsim-plots-XXXXXX", NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(dirs[k]);
        char msg[600];
        enum plots_status st = plots_write(&ps, dirs[k], msg, sizeof msg);
        CU_ASSERT(st == PLOTS_DRAWN || st == PLOTS_SKIPPED);
        if (st != PLOTS_DRAWN && st != PLOTS_SKIPPED)
            fprintf(stderr, "\n  plots: %s\n", msg);
        if (k == 1) {
            /* a file that cannot be written is named with the error */
            char *blocked = g_dir_make_tmp("ipvsim-plots-XXXXXX", NULL);
            CU_ASSERT_PTR_NOT_NULL_FATAL(blocked);
            char *dat = g_build_filename(blocked, "plots", "active.dat", NULL);
            CU_ASSERT_EQUAL(g_mkdir_with_parents(dat, 0755), 0);
            CU_ASSERT_EQUAL(plots_write(&ps, blocked, msg, sizeof msg), PLOTS_WRITE_FAILED);
            CU_ASSERT_PTR_NOT_NULL(strstr(msg, "active.dat: "));
            CU_ASSERT_PTR_NULL(strstr(msg, "active.gp"));
            g_free(dat);
            rm_tree(blocked);
            g_free(blocked);
        }
        plot_set_free(&ps);
        run_world_free(&rw);
    }
    static const char *const figs[] = { "active", "response_cdf", "share", "hooks" };
    for (size_t i = 0; i < G_N_ELEMENTS(figs); i++) {
        for (int ext = 0; ext < 2; ext++) {
            char *name = g_strdup_printf("%s.%s", figs[i], ext ? "dat" : "gp");
            char *a = read_file(dirs[0], name), *b = read_file(dirs[1], name);
            CU_ASSERT_PTR_NOT_NULL(a);
            CU_ASSERT(a && b && strcmp(a, b) == 0);
            if (a && !ext) {
                CU_ASSERT_PTR_NOT_NULL(strstr(a, "set terminal pngcairo"));
                CU_ASSERT_PTR_NOT_NULL(strstr(a, "set terminal svg"));
                CU_ASSERT_PTR_NOT_NULL(strstr(a, "set xlabel"));
                CU_ASSERT_PTR_NOT_NULL(strstr(a, "set ylabel"));
                CU_ASSERT_PTR_NOT_NULL(strstr(a, "title"));
                CU_ASSERT_PTR_NULL(strstr(a, "system("));
            }
            g_free(a);
            g_free(b);
            g_free(name);
        }
    }
    char *active = read_file(dirs[0], "active.gp");
    CU_ASSERT(active && strstr(active, "'rs2 down'") && strstr(active, "(s)"));
    g_free(active);
    for (int k = 0; k < 2; k++) {
        rm_tree(dirs[k]);
        g_free(dirs[k]);
    }
    scenario_free(s);
}

/* The closing line's outcomes: share OK rounded down, p99 of the completed ones,
 * the other outcomes failures first and UNFINISHED last; a run in which everything
 * failed says so. */
static void test_outcome_text(void)
{
    struct conv_log log;
    conv_log_init(&log);
    char *t = run_outcome_text(&log);
    CU_ASSERT_STRING_EQUAL(t, "no conversation");
    g_free(t);
    static const enum conv_outcome all_fail[] = { CONV_TIMEOUT, CONV_TIMEOUT, CONV_REFUSED };
    for (size_t i = 0; i < G_N_ELEMENTS(all_fail); i++)
        conv_new(&log)->outcome = all_fail[i];
    t = run_outcome_text(&log);
    CU_ASSERT_STRING_EQUAL(t, "0.0% OK; 1 REFUSED, 2 TIMEOUT");
    g_free(t);
    conv_log_free(&log);
    conv_log_init(&log);
    for (int i = 0; i < 2000; i++) {
        struct conv *c = conv_new(&log);
        c->outcome = i == 0 ? CONV_UNFINISHED : CONV_OK;
        c->response_ns = (i + 1) * MSEC;        /* p99 of 1999 values 2..2000 ms: 1981 ms */
    }
    t = run_outcome_text(&log);
    CU_ASSERT_STRING_EQUAL(t, "99.9% OK (p99 1981.0 ms); 1 UNFINISHED");     /* 99.95 is not 100 */
    g_free(t);
    conv_log_free(&log);
}

/* The bins of the longest duration a sim_time_t holds: at most MAX_BINS (250) and
 * covering the run, with no overflow on the way (a limit or a signal stopping such a
 * run once asked for 2^36 bytes here). The loader refuses such durations; the plots
 * do not rely on it. */
static void test_plots_extreme_duration(void)
{
    struct scn_error err;
    const char *ov[] = { "duration=2s", "events=[]", NULL };
    struct scenario *s = scenario_load("scenarios/crash-recovery.json", ov, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    struct run_world rw;
    CU_ASSERT_TRUE_FATAL(run_world_build(&rw, s, NULL, &err));
    sim_run_until(&rw.w.sim, s->duration);
    conv_log_close(&rw.log, rw.w.sim.now);
    for (int k = 0; k < 2; k++) {
        s->duration = k ? SIM_TIME_MAX : SCN_DURATION_MAX;
        struct plot_set ps;
        plot_set_init(&ps, s);
        CU_ASSERT(ps.nbins > 0 && ps.nbins <= 250);
        CU_ASSERT((double)ps.nbins * (double)ps.bin >= (double)s->duration);
        struct plot_run *pr = plot_set_add_run(&ps, &rw, "rr", false);
        uint64_t served = 0;
        for (guint i = 0; i < ps.nservers; i++)
            served += pr->completed[i];
        CU_ASSERT(served > 0);
        plot_set_free(&ps);
    }
    run_world_free(&rw);
    scenario_free(s);
}

/* --seeds: ranges and lists; a seed twice, a reversed range, junk and a list past the
 * limit are refused with the item named. */
static void expect_seeds(const char *text, const char *want)
{
    GArray *a = g_array_new(FALSE, FALSE, sizeof(guint64));
    GError *err = NULL;
    bool ok = compare_seed_list(text, a, &err);
    GString *got = g_string_new(NULL);
    for (guint i = 0; ok && i < a->len; i++)
        g_string_append_printf(got, "%s%" G_GUINT64_FORMAT, i ? " " : "", g_array_index(a, guint64, i));
    if (!ok)
        g_string_assign(got, err->message);
    if (!g_str_has_prefix(got->str, want))
        fprintf(stderr, "\n  --seeds %s: got '%s', want '%s'\n", text, got->str, want);
    CU_ASSERT(g_str_has_prefix(got->str, want));
    CU_ASSERT_EQUAL(ok, err == NULL);
    if (err)
        g_error_free(err);
    g_string_free(got, TRUE);
    g_array_free(a, TRUE);
}

static void test_seed_list(void)
{
    expect_seeds("1-5", "1 2 3 4 5");
    expect_seeds("7", "7");
    expect_seeds("1-3,10, 12", "1 2 3 10 12");
    expect_seeds("18446744073709551614-18446744073709551615", "18446744073709551614 18446744073709551615");
    expect_seeds("1-3,2", "--seeds: seed 2 is listed twice");
    expect_seeds("5-1", "--seeds: expected seeds");
    expect_seeds("1,,2", "--seeds: expected seeds");
    expect_seeds("a-3", "--seeds: expected seeds");
    expect_seeds("-3", "--seeds: expected seeds");
    expect_seeds("", "--seeds: expected a list");
    expect_seeds("1-10001", "--seeds: more than 10000 seeds");
}

IPVSIM_SUITE(compare)
{
    CU_pSuite s = CU_add_suite("compare", NULL, NULL);
    ADD_TEST(s, test_outcome_text);
    ADD_TEST(s, test_typed_scheduler);
    ADD_TEST(s, test_typed_scheduler_run);
    ADD_TEST(s, test_failure_window);
    ADD_TEST(s, test_remap);
    ADD_TEST(s, test_imbalance);
    ADD_TEST(s, test_seed_list);
    ADD_TEST(s, test_plots_written);
    ADD_TEST(s, test_plots_extreme_duration);
}
