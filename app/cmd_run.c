/* `ipvsim run`. */
#include "app/cmd_run.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "app/outdir.h"
#include "app/plots.h"
#include "app/run_output.h"
#include "app/run_world.h"
#include "app/scenario.h"
#include "app/signals.h"
#include "app/trace_text.h"
#include "model/ipvs/ip_vs_conn.h"
#include "model/ipvs/ip_vs_ctl.h"
#include "model/net.h"
#include "sim/pcap_tap.h"

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

/* The scenario's limits (README, "Robustness"): the event queue and the packet pool
 * stop the run when they are full; the IPVS connection table refuses new
 * connections as the kernel does when it cannot allocate one; a capture stops at its
 * size. */
static void apply_limits(struct run_world *rw)
{
    const struct scenario *s = rw->s;
    rw->w.sim.q.limit = s->limits.events;
    rw->w.pool.limit = s->limits.packets;
    struct net *dnet = host_net(rw->director);
    if (s->limits.connections)
        ip_vs_conn_set_limit(ip_vs_net(dnet), s->limits.connections);
    for (guint i = 0; i < rw->taps->len; i++) {
        struct net_device *dev = g_ptr_array_index(rw->taps, i);
        pcap_tap_set_limit(dev->tap, s->limits.capture_bytes);
    }
}

/* Why the run ended before its end, or NULL. */
static const char *stop_reason(const struct run_world *rw)
{
    if (signals_caught())
        return signals_name(signals_caught());
    if (rw->w.sim.q.refused)
        return "limits.events";
    if (rw->w.pool.refused)
        return "limits.packets";
    return NULL;
}

/* What to say about a run that stopped early (g_free it). */
static char *stopped_message(const struct run_world *rw, const char *dir)
{
    const struct scenario *s = rw->s;
    double at = (double)rw->w.sim.now / SEC, of = (double)s->duration / SEC;
    if (signals_caught())
        return g_strdup_printf("ipvsim run: %s: stopped at %.6f s of %.6g s simulated; partial "
                               "results (\"complete\": false) in %s/\n", rw->stopped_by, at, of, dir);
    bool ev = rw->w.sim.q.refused > 0;
    return g_strdup_printf("ipvsim run: the %s limit (%s = %llu) was reached at %.6f s of %.6g s "
                           "simulated: the run stopped; partial results (\"complete\": false) in "
                           "%s/; raise it with --limit %s=N\n",
                           ev ? "pending-event" : "packet-buffer", rw->stopped_by,
                           (unsigned long long)(ev ? s->limits.events : s->limits.packets), at, of,
                           dir, ev ? "events" : "packets");
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
    apply_limits(&rw);
    struct trace_file_sink tf = {0};
    FILE *tfile = NULL;
    if (opt->trace) {
        char *path = outdir_path(&o, "trace.txt");
        tfile = fopen(path, "w");
        g_free(path);
        trace_file_sink_init(&tf, tfile);
        trace_all_hosts(&rw, &tf.sink);
    }
    struct run_sampler rs;
    run_sampler_start(&rs, &rw, SAMPLE_INTERVAL);
    struct progress prog = { .duration = s->duration, .shown = -1 };
    bool show = !opt->quiet && isatty(STDERR_FILENO);
    if (show)
        sim_at(&rw.w.sim, 0, progress_tick, &prog, 0);
    double t0 = monotonic_s();
    signals_install(&rw.w.sim.stop);
    sim_run_until(&rw.w.sim, s->duration);
    rw.stopped_by = stop_reason(&rw);
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
    char *stopped = rw.stopped_by ? stopped_message(&rw, dir) : NULL;
    run_world_free(&rw);                       /* closes the pcap files */
    if (rc == 0 && !outdir_commit(&o, err, sizeof err))
        rc = 1;
    if (rc != 0) {
        fprintf(stderr, "ipvsim run: writing the results failed: %s\n", err);
    } else if (stopped) {
        fprintf(stderr, "%s", stopped);        /* partial results: exit status 1 */
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

/* --limit KEY=VALUE is --set limits.KEY=VALUE; false with a message for an unknown KEY. */
static bool limits_ok(const struct run_opts *opt)
{
    static const char *const keys[] = { "connections", "events", "packets", "capture_bytes" };
    for (int i = 0; opt->limits && opt->limits[i]; i++) {
        const char *eq = strchr(opt->limits[i], '=');
        bool known = false;
        for (size_t k = 0; eq && k < G_N_ELEMENTS(keys) && !known; k++)
            known = strlen(keys[k]) == (size_t)(eq - opt->limits[i]) &&
                    strncmp(opt->limits[i], keys[k], strlen(keys[k])) == 0;
        if (!known) {
            fprintf(stderr, "ipvsim run: --limit '%s': expected KEY=VALUE with KEY one of: "
                    "connections, events, packets, capture_bytes\n", opt->limits[i]);
            return false;
        }
    }
    return true;
}

/* --limit KEY=VALUE becomes --set limits.KEY=VALUE, after the --set ones; --seed N
 * becomes one more --set seed=N, applied last. */
static GPtrArray *overrides_of(const struct run_opts *opt)
{
    GPtrArray *ov = g_ptr_array_new_with_free_func(g_free);
    for (int i = 0; opt->sets && opt->sets[i]; i++)
        g_ptr_array_add(ov, g_strdup(opt->sets[i]));
    for (int i = 0; opt->limits && opt->limits[i]; i++)
        g_ptr_array_add(ov, g_strconcat("limits.", opt->limits[i], NULL));
    if (opt->seed_given)
        g_ptr_array_add(ov, g_strdup_printf("seed=%lld", (long long)opt->seed));
    g_ptr_array_add(ov, NULL);
    return ov;
}

static gboolean seed_cb(const char *name, const char *value, gpointer data, GError **error)
{
    struct run_opts *opt = data;
    char *end;
    long long v = g_ascii_strtoll(value, &end, 10);
    if (*value == '\0' || *end != '\0' || v < 0) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "--seed: expected a non-negative integer, got '%s'", value);
        return FALSE;
    }
    opt->seed = v;
    opt->seed_given = TRUE;
    return TRUE;
}

int cmd_run(int argc, char **argv)
{
    struct run_opts opt = {0};
    GOptionEntry entries[] = {
        { "output", 'o', 0, G_OPTION_ARG_FILENAME, &opt.outdir, "result directory (default results/<name>)", "DIR" },
        { "seed", 0, 0, G_OPTION_ARG_CALLBACK, (gpointer)seed_cb, "the run's seed (overrides the scenario's)", "N" },
        { "set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt.sets, "override a scenario value (dotted path)", "KEY=VALUE" },
        { "pcap", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt.pcaps, "add a capture point (or 'all')", "HOST:IFACE" },
        { "limit", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt.limits, "a limit: connections, events, packets or capture_bytes (as --set limits.KEY=VALUE)", "KEY=VALUE" },
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
    else if (limits_ok(&opt)) {
        GPtrArray *ov = overrides_of(&opt);
        struct scn_error serr;
        struct scenario *s = scenario_load(argv[1], (const char *const *)ov->pdata, &serr);
        if (!s) {
            scn_error_print(&serr);
        } else {
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
