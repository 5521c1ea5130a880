/* `ipvsim run`. */
#include "app/cli_args.h"
#include "app/cmd_run.h"

#include <glib.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include "app/cmd_trace.h"
#include "app/outdir.h"
#include "app/plots.h"
#include "app/run_limits.h"
#include "app/run_output.h"
#include "app/run_world.h"
#include "app/scenario.h"
#include "app/signals.h"
#include "app/trace_text.h"
#include "model/net.h"

#define SAMPLE_INTERVAL SEC

/* ---- progress on a terminal ----------------------------------------------------- */

struct progress {
    sim_time_t duration;
    int shown;
};

static void progress_tick(struct sim *sim, void *obj, uint64_t arg)
{
    struct progress *p = obj;
    int pct = (int)(sim->now * 100 / p->duration);
    if (pct != p->shown) {
        fprintf(stderr, "\r[%-50.*s] %3d%%", pct / 2, "##################################################", pct);
        p->shown = pct;
    }
    if (sim->now + p->duration / 100 < p->duration)
        sim_after(sim, p->duration / 100, progress_tick, p, 0);
}

static double monotonic_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- the run ------------------------------------------------------------------------ */

static void trace_all_hosts(struct run_world *rw, struct trace_sink *sink)
{
    for (guint i = 0; i < rw->w.hosts->len; i++)
        host_net(g_ptr_array_index(rw->w.hosts, i))->trace = sink;
}

/* The result directory is committed only when all went well. */
int run_scenario(const struct scenario *s, const struct run_opts *opt, const char *dir)
{
    struct outdir o;
    char err[600];
    if (!outdir_begin(&o, dir, err, sizeof err)) {
        fprintf(stderr, "ipvsim run: %s\n", err);
        return 2;
    }
    char *pcap_dir = outdir_path(&o, "pcap");
    struct run_world rw;
    struct scn_error serr;
    if (!run_world_build(&rw, s, (const char *const *)opt->pcaps, pcap_dir, &serr)) {
        scn_error_print(&serr);
        outdir_abort(&o);
        g_free(pcap_dir);
        return 2;
    }
    g_free(pcap_dir);
    run_limits_apply(&rw);
    struct trace_file_sink tf = {0};
    FILE *tfile = NULL;
    if (opt->trace) {
        char *path = outdir_path(&o, "trace.txt");
        tfile = fopen(path, "w");
        g_free(path);
        trace_file_sink_init(&tf, tfile);
        tf.budget = &rw.output;
        trace_all_hosts(&rw, &tf.sink);
    }
    struct run_sampler rs;
    run_sampler_start(&rs, &rw, SAMPLE_INTERVAL);
    struct progress prog = { .duration = s->duration, .shown = -1 };
    bool show = !opt->quiet && isatty(STDERR_FILENO);
    if (show)
        sim_at(&rw.w.sim, 0, progress_tick, &prog, 0);
    double t0 = monotonic_s();
    signals_install();
    run_world_run(&rw);
    double wall = monotonic_s() - t0;
    if (show)
        fprintf(stderr, "\r%60s\r", "");
    conv_log_close(&rw.log, rw.w.sim.now);
    int rc = 0;
    if (!run_write_outputs(&rw, &rs, &o, opt->timing ? wall : -1, true, err, sizeof err) ||
        !plots_write_run(&rw, &rs, &o, opt->quiet, err, sizeof err))
        rc = 1;
    if (tfile) {
        trace_all_hosts(&rw, NULL);
        trace_file_sink_free(&tf);
        if (fclose(tfile) != 0)
            rc = 1;
    }
    run_sampler_free(&rs);
    uint64_t convs = rw.log.convs->len;
    const char *hint;
    char *stopped = run_stopped_text(&rw, &hint);
    run_world_free(&rw);                       /* closes the pcap files */
    if (rc == 0 && !outdir_commit(&o, err, sizeof err))
        rc = 1;
    if (rc != 0) {
        fprintf(stderr, "ipvsim run: writing the results failed: %s\n", err);
    } else if (stopped) {                      /* partial results: exit status 1 */
        fprintf(stderr, "ipvsim run: %s; partial results (\"complete\": false) in %s/%s\n", stopped,
                dir, hint);
        rc = 1;
    } else if (!opt->quiet) {
        printf("%s: %llu conversations in %.3f s simulated; results in %s/\n", s->name,
               (unsigned long long)convs, (double)s->duration / SEC, dir);
    }
    g_free(stopped);
    signals_restore();
    outdir_abort(&o);
    return rc;
}

static gboolean seed_cb(const char *name, const char *value, gpointer data, GError **error)
{
    struct run_opts *opt = data;
    opt->seed_given = cli_seed_value(value, &opt->seed, error);
    return opt->seed_given;
}

int cmd_run(int argc, char **argv)
{
    struct run_opts opt = {0};
    GOptionEntry entries[] = {
        { "output", 'o', 0, G_OPTION_ARG_FILENAME, &opt.outdir, "result directory (default results/<name>)", "DIR" },
        { "seed", 0, 0, G_OPTION_ARG_CALLBACK, (gpointer)seed_cb, "the run's seed (overrides the scenario's)", "N" },
        { "set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt.sets, "override a scenario value (dotted path)", "KEY=VALUE" },
        { "pcap", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt.pcaps, "add a capture point (or 'all')", "HOST:IFACE" },
        { "limit", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt.limits, "a limit: " RUN_LIMIT_KEYS " (as --set limits.KEY=VALUE)", "KEY=VALUE" },
        { "trace", 0, 0, G_OPTION_ARG_NONE, &opt.trace, "write trace.txt: every packet's walk", NULL },
        { "quiet", 'q', 0, G_OPTION_ARG_NONE, &opt.quiet, "no progress, no summary line", NULL },
        { "timing", 0, 0, G_OPTION_ARG_NONE, &opt.timing, "record the wall time in summary.json (runs then differ)", NULL },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    GOptionContext *ctx = g_option_context_new("SCENARIO - run a scenario and write its results");
    GOptionGroup *grp = g_option_group_new("run", "", "", &opt, NULL);
    g_option_group_add_entries(grp, entries);
    g_option_context_set_main_group(ctx, grp);
    GError *gerr = NULL;
    bool ok = g_option_context_parse(ctx, &argc, &argv, &gerr);
    g_option_context_free(ctx);
    int rc = 2;
    if (!ok)
        fprintf(stderr, "ipvsim run: %s\n", gerr->message);
    else if (argc != 2)
        fprintf(stderr, "ipvsim run: expected exactly one SCENARIO file\n");
    else if (run_limits_args_ok("run", opt.limits)) {
        /* --limit KEY=VALUE is --set limits.KEY=VALUE, after the --set ones; --seed N
         * is one more --set seed=N, applied last */
        GPtrArray *ov = cmdline_overrides(opt.sets, opt.limits, NULL, opt.seed_given ? opt.seed : -1);
        struct scn_error serr;
        struct scenario *s = scenario_load(argv[1], (const char *const *)ov->pdata, &serr);
        if (!s) {
            scn_error_print(&serr);
        } else {
            scenario_print_warnings(s);
            char *dir = opt.outdir ? g_strdup(opt.outdir) : g_build_filename("results", s->name, NULL);
            rc = run_scenario(s, &opt, dir);
            g_free(dir);
        }
        scenario_free(s);
        g_ptr_array_free(ov, TRUE);
    }
    g_clear_error(&gerr);
    g_free(opt.outdir);
    g_strfreev(opt.sets);
    g_strfreev(opt.pcaps);
    g_strfreev(opt.limits);
    return rc;
}
