/* `ipvsim run`. */
#include "app/cli/cli_args.h"
#include "app/cli/cmd_run.h"

#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "app/cli/cmd_trace.h"
#include "app/report/outdir.h"
#include "app/report/plots.h"
#include "app/run/run_limits.h"
#include "app/report/run_output.h"
#include "app/run/run_world.h"
#include "app/scenario/scenario.h"
#include "app/run/signals.h"
#include "app/report/trace_text.h"
#include "model/net.h"
#include "sim/world.h"

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

/* Whether two paths name the same scenario file (by their real paths when both
 * resolve: "a.json" and "./a.json" are one file). */
static bool same_file(const char *a, const char *b)
{
    char *ra = realpath(a, NULL), *rb = realpath(b, NULL);
    bool same = ra && rb ? strcmp(ra, rb) == 0 : strcmp(a, b) == 0;
    free(ra);
    free(rb);
    return same;
}

/* Two scenario files with one name share results/<name>: say so when the result
 * about to be replaced came from another file (its summary.json records it). */
static void warn_other_scenario(const char *dir, const struct scenario *s)
{
    char *path = g_build_filename(dir, "summary.json", NULL), *text = NULL;
    if (g_file_get_contents(path, &text, NULL, NULL)) {
        cJSON *sum = cJSON_Parse(text);
        const cJSON *file = cJSON_GetObjectItemCaseSensitive(sum, "file");
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(sum, "scenario");
        if (cJSON_IsString(file) && !same_file(file->valuestring, s->path))
            fprintf(stderr, "ipvsim run: warning: %s holds the results of %s (scenario '%s'); "
                    "replacing them with those of %s (-o DIR to keep both)\n", dir,
                    file->valuestring, cJSON_IsString(name) ? name->valuestring : "?", s->path);
        cJSON_Delete(sum);
    }
    g_free(text);
    g_free(path);
}

/* The result directory is committed only when all went well. */
int run_scenario(const struct scenario *s, const struct run_opts *opt, const char *dir)
{
    struct outdir o;
    char err[600];
    int orc = outdir_begin(&o, dir, err, sizeof err);
    if (orc != 0) {
        fprintf(stderr, "ipvsim run: %s\n", err);
        return orc;
    }
    warn_other_scenario(o.final, s);
    char *pcap_dir = outdir_path(&o, "pcap");
    struct run_world rw;
    struct scn_error serr;
    if (!run_world_build(&rw, s, pcap_dir, &serr)) {
        int rc = 2;
        if (serr.environment) {                /* a pcap file could not be created */
            g_strlcpy(err, serr.msg, sizeof err);
            outdir_show_final(&o, err);
            fprintf(stderr, "ipvsim run: %s\n", err);
            rc = 1;
        } else {
            scn_error_print(&serr);
        }
        outdir_abort(&o);
        g_free(pcap_dir);
        return rc;
    }
    for (int i = 0; opt->pcaps && opt->pcaps[i]; i++) {
        bool env = false;
        if (!run_world_capture(&rw, opt->pcaps[i], pcap_dir, err, sizeof err, &env)) {
            /* a point that names nothing is bad input; a file that cannot be created
             * is the environment's failure */
            if (env)
                outdir_show_final(&o, err);
            fprintf(stderr, "ipvsim run: %s%s\n", env ? "" : "--pcap: ", err);
            run_world_free(&rw);
            outdir_abort(&o);
            g_free(pcap_dir);
            return env ? 1 : 2;
        }
    }
    g_free(pcap_dir);
    run_limits_apply(&rw);
    struct trace_file_sink tf = {0};
    FILE *tfile = NULL;
    if (opt->trace) {
        char *path = outdir_path(&o, "trace.txt");
        tfile = fopen(path, "w");
        if (!tfile) {
            snprintf(err, sizeof err, "%s: cannot create: %s", path, g_strerror(errno));
            outdir_show_final(&o, err);
            fprintf(stderr, "ipvsim run: %s\n", err);
            g_free(path);
            run_world_free(&rw);
            outdir_abort(&o);
            return 1;
        }
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
    /* A capture cut short by a failed write (a full disk, a file size limit) fails
     * the run: summary.json cannot vouch for it, so nothing is committed. */
    if (rc == 0 && world_close_taps(&rw.w, err, sizeof err) != 0)
        rc = 1;
    if (tfile) {
        trace_all_hosts(&rw, NULL);
        trace_file_sink_free(&tf);
        int e = tf.write_errno;
        if (fclose(tfile) != 0 && !e)
            e = errno;
        if (e && rc == 0) {
            char *path = outdir_path(&o, "trace.txt");
            snprintf(err, sizeof err, "%s: write failed: %s", path, g_strerror(e));
            g_free(path);
        }
        if (e)
            rc = 1;
    }
    run_sampler_free(&rs);
    uint64_t convs = rw.log.convs->len;
    char *outcomes = run_outcome_text(&rw.log);
    const char *hint;
    char *stopped = run_stopped_text(&rw, &hint);
    run_world_free(&rw);                       /* closes the pcap files */
    if (rc == 0 && !outdir_commit(&o, err, sizeof err))
        rc = 1;
    if (rc != 0) {
        outdir_show_final(&o, err);
        fprintf(stderr, "ipvsim run: writing the results failed: %s\n", err);
    } else if (stopped) {                      /* partial results: exit status 1 */
        fprintf(stderr, "ipvsim run: %s; partial results (\"complete\": false) in %s/%s\n", stopped,
                dir, hint);
        rc = 1;
    } else if (!opt->quiet) {
        printf("%s: %llu conversations in %.3f s simulated%s%s; results in %s/\n", s->name,
               (unsigned long long)convs, (double)s->duration / SEC, convs ? ": " : "",
               convs ? outcomes : "", dir);
    }
    g_free(outcomes);
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
    cli_scenario_options(grp, &opt.scn);
    g_option_context_set_main_group(ctx, grp);
    GError *gerr = NULL;
    bool ok = g_option_context_parse(ctx, &argc, &argv, &gerr) &&
              cli_scenario_options_check(&opt.scn, &gerr);
    g_option_context_free(ctx);
    int rc = 2;
    if (!ok)
        fprintf(stderr, "ipvsim run: %s\n", gerr->message);
    else if (argc != 2)
        fprintf(stderr, "ipvsim run: expected exactly one SCENARIO file\n");
    else if (run_limits_args_ok("run", opt.limits)) {
        /* --limit KEY=VALUE is --set limits.KEY=VALUE, after the --set ones, then
         * --kernel VERSION; --seed N is one more --set seed=N, applied last */
        GPtrArray *ov = cmdline_overrides(opt.sets, opt.limits, opt.scn.kernel,
                                          opt.seed_given ? &opt.seed : NULL);
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
    cli_scenario_options_free(&opt.scn);
    return rc;
}
