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
#include "app/report/outdir.h"
#include "app/report/expect.h"
#include "app/report/plots.h"
#include "app/report/report_html.h"
#include "app/report/run_output.h"
#include "app/run/run_lint.h"
#include "app/run/run_session.h"
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

/* The trace.txt of --trace: every host's packets into it. false with err set when it
 * cannot be created. */
static bool trace_open(struct trace_file_sink *tf, FILE **f, struct run_world *rw,
                       const struct outdir *o, char *err, size_t errlen)
{
    char *path = outdir_path(o, "trace.txt");
    *f = fopen(path, "w");
    if (!*f)
        snprintf(err, errlen, "%s: cannot create: %s", path, g_strerror(errno));
    g_free(path);
    if (!*f)
        return false;
    trace_file_sink_init(tf, *f);
    tf->budget = &rw->output;
    trace_all_hosts(rw, &tf->sink);
    return true;
}

/* Close trace.txt: false when a write failed, with err set unless rc says it is
 * set already. */
static bool trace_close(struct trace_file_sink *tf, FILE *f, struct run_world *rw,
                        const struct outdir *o, int rc, char *err, size_t errlen)
{
    trace_all_hosts(rw, NULL);
    trace_file_sink_free(tf);
    int e = tf->write_errno;
    if (fclose(f) != 0 && !e)
        e = errno;
    if (e && rc == 0) {
        char *path = outdir_path(o, "trace.txt");
        snprintf(err, errlen, "%s: write failed: %s", path, g_strerror(e));
        g_free(path);
    }
    return !e;
}

/* What cannot work (run_lint.h), and expectations naming what summary.json does not
 * hold; a scenario whose expectations do not parse gets no word on them here (check
 * says what is wrong with them). */
static GPtrArray *run_warnings(struct run_world *rw)
{
    GPtrArray *warn = g_ptr_array_new_with_free_func(g_free);
    run_world_lint(rw, warn);
    struct scn_error err;
    struct expect_set *es = expect_parse(rw->s, &err);
    if (es) {
        cJSON *summary = run_summary_json(rw, -1, true);
        expect_lint(es, summary, warn);
        cJSON_Delete(summary);
        expect_set_free(es);
    }
    return warn;
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
    signals_install();                          /* until the commit (the session's nest) */
    char *pcap_dir = outdir_path(&o, "pcap");
    struct run_session rs;
    struct run_session_cfg cfg = { .cmd = "run", .world = { .pcap_dir = pcap_dir },
                                   .pcaps = opt->pcaps };
    int rc = run_session_open(&rs, s, &cfg, err, sizeof err);
    g_free(pcap_dir);
    struct trace_file_sink tf = {0};
    FILE *tfile = NULL;
    if (rc == 0 && opt->trace && !trace_open(&tf, &tfile, &rs.rw, &o, err, sizeof err)) {
        run_session_close(&rs);
        rc = 1;
    }
    if (rc != 0) {
        if (rc == 1) {                          /* a file could not be created */
            outdir_show_final(&o, err);
            fprintf(stderr, "ipvsim run: %s\n", err);
        }
        outdir_abort(&o);
        signals_restore();
        return rc;
    }
    struct run_world *rw = &rs.rw;
    struct run_sampler smp;
    run_sampler_start(&smp, rw, SAMPLE_INTERVAL);
    struct progress prog = { .duration = s->duration, .shown = -1 };
    bool show = !opt->quiet && isatty(STDERR_FILENO);
    if (show)
        sim_at(&rw->w.sim, 0, progress_tick, &prog, 0);
    double t0 = monotonic_s();
    run_session_run(&rs);
    double wall = monotonic_s() - t0;
    if (show)
        fprintf(stderr, "\r%60s\r", "");
    if (!run_write_outputs(rw, &smp, &o, opt->timing ? wall : -1, true, err, sizeof err) ||
        !plots_write_run(rw, &smp, &o, opt->quiet, err, sizeof err))
        rc = 1;
    /* A capture cut short by a failed write (a full disk, a file size limit) fails
     * the run: summary.json cannot vouch for it, so nothing is committed. */
    if (rc == 0 && world_close_taps(&rw->w, err, sizeof err) != 0)
        rc = 1;
    if (tfile && !trace_close(&tf, tfile, rw, &o, rc, err, sizeof err))
        rc = 1;
    run_sampler_free(&smp);
    GPtrArray *warn = run_warnings(rw);
    uint64_t convs = rw->log.convs->len;
    char *outcomes = run_outcome_text(&rw->log);
    char *stopped = g_strdup(rs.stopped);
    const char *hint = rs.hint;
    run_session_close(&rs);                     /* closes the pcap files */
    /* the page lists the files with their sizes: written once they are all closed */
    if (rc == 0 && opt->report && report_write(o.tmp, err, sizeof err) != 0)
        rc = 1;
    if (rc == 0 && !outdir_commit(&o, err, sizeof err))
        rc = 1;
    if (rc != 0) {
        outdir_show_final(&o, err);
        fprintf(stderr, "ipvsim run: writing the results failed: %s\n", err);
    } else if (stopped) {                      /* partial results: exit status 1 */
        fprintf(stderr, "ipvsim run: %s; partial results (\"complete\": false) in %s/%s\n", stopped,
                dir, hint);
        rc = 1;
    } else {
        for (guint k = 0; k < warn->len; k++)
            fprintf(stderr, "%s\n", (const char *)g_ptr_array_index(warn, k));
        fflush(stderr);
        if (!opt->quiet) {
            /* the loader's warnings (a replay that ends before the run...) scrolled by
             * above the progress: the last line points back at them */
            guint nw = s->warnings->len;
            char warned[48] = "";
            if (nw > 0)
                snprintf(warned, sizeof warned, " (%u warning%s on stderr)", nw, nw == 1 ? "" : "s");
            printf("%s: %llu conversations in %.3f s simulated%s%s; results in %s/%s%s", s->name,
                   (unsigned long long)convs, (double)s->duration / SEC, convs ? ": " : "",
                   convs ? outcomes : "", dir, opt->report ? " (index.html)" : "", warned);
            if (warn->len)
                printf("; %u warning%s (above): the scenario cannot work as written", warn->len,
                       warn->len == 1 ? "" : "s");
            printf("\n");
        }
    }
    g_ptr_array_free(warn, TRUE);
    g_free(outcomes);
    g_free(stopped);
    signals_restore();
    outdir_abort(&o);
    return rc;
}

int cmd_run(int argc, char **argv)
{
    struct run_opts opt = {0};
    GOptionEntry entries[] = {
        { "output", 'o', 0, G_OPTION_ARG_FILENAME, &opt.outdir, "result directory (default results/<name>)", "DIR" },
        { "pcap", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt.pcaps, "add a capture point (or 'all')", "HOST:IFACE" },
        { "trace", 0, 0, G_OPTION_ARG_NONE, &opt.trace, "write trace.txt: every packet's walk", NULL },
        { "quiet", 'q', 0, G_OPTION_ARG_NONE, &opt.quiet, "no progress, no summary line", NULL },
        { "report", 0, 0, G_OPTION_ARG_NONE, &opt.report, "also write index.html: the results as one page (ipvsim report)", NULL },
        { "timing", 0, 0, G_OPTION_ARG_NONE, &opt.timing, "record the wall time in summary.json (runs then differ)", NULL },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    GOptionContext *ctx = g_option_context_new("SCENARIO - run a scenario and write its results");
    g_option_context_add_main_entries(ctx, entries, NULL);
    cli_scenario_options(g_option_context_get_main_group(ctx), &opt.scn, CLI_OPTS_RUN);
    bool ok = cli_scenario_options_parse(ctx, &argc, &argv, &opt.scn, "run");
    g_option_context_free(ctx);
    int rc = 2;
    if (ok && argc != 2) {
        fprintf(stderr, "ipvsim run: expected exactly one SCENARIO file\n");
    } else if (ok) {
        GPtrArray *ov = cli_scenario_overrides(&opt.scn);
        struct scenario *s = run_session_load(argv[1], (const char *const *)ov->pdata);
        if (s) {
            char *dir = opt.outdir ? g_strdup(opt.outdir) : g_build_filename("results", s->name, NULL);
            rc = run_scenario(s, &opt, dir);
            g_free(dir);
        }
        scenario_free(s);
        g_ptr_array_free(ov, TRUE);
    }
    g_free(opt.outdir);
    g_strfreev(opt.pcaps);
    cli_scenario_options_free(&opt.scn);
    return rc;
}
