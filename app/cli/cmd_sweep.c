/* `ipvsim sweep` (app/cli/cmd_sweep.h). */
#include "app/cli/cli_args.h"
#include "app/cli/cmd_sweep.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "app/cli/cmd_compare.h"
#include "app/report/outdir.h"
#include "app/report/plots.h"
#include "app/report/report_html.h"
#include "app/report/stats.h"
#include "app/run/run_pool.h"
#include "app/run/signals.h"
#include "app/scenario/sweep.h"
#include "model/ipvs/ip_vs.h"

#define SWEEP_MARKER OUTDIR_SWEEP_MARKER
#define MAX_TASKS 100               /* the default chunk keeps a job array this small */
#define MAX_RUNS 1000000

/* What a compare row holds that a sweep summarises when the sweep file names none. */
static const char *const default_metrics[] = { "mean_ms", "p50_ms", "p95_ms", "p99_ms", "failed",
                                               "imbalance", NULL };

/* A sweep, checked and planned: run r is point r / (nsched nseeds), scheduler
 * (r / nseeds) % nsched, seed r % nseeds. */
struct plan {
    struct sweep sw;
    struct scenario **pts;          /* each point's scenario, loaded with its --set values */
    guint npoints, nsched, nseeds, nruns;
    GArray *seeds;                  /* guint64 */
    char **metrics;                 /* NULL-terminated */
    char *dir;                      /* the result directory */
    char *name;                     /* the sweep file as the user named it (a sweep read
                                     * back from DIR/sweep.json too) */
    int width;                      /* digits of a point's number */
    char *build;                    /* this binary's identity (build_identity) */
};

#define BUILD_FILE ".ipvsim-build"

/* The running binary's SHA-256: a run made by another build (a changed model) is not a
 * finished run of this sweep, so a resumed sweep never mixes the two. "unknown" when
 * the binary cannot be read (then every run carries it, and resuming still works). */
static char *build_identity(void)
{
    GMappedFile *f = g_mapped_file_new("/proc/self/exe", FALSE, NULL);
    char *id = f ? g_compute_checksum_for_data(G_CHECKSUM_SHA256,
                                               (const guchar *)g_mapped_file_get_contents(f),
                                               g_mapped_file_get_length(f))
                 : g_strdup("unknown");
    if (f)
        g_mapped_file_unref(f);
    return id;
}

static void plan_free(struct plan *pl)
{
    for (guint p = 0; pl->pts && p < pl->npoints; p++)
        scenario_free(pl->pts[p]);
    g_free(pl->pts);
    if (pl->seeds)
        g_array_free(pl->seeds, TRUE);
    g_strfreev(pl->metrics);
    g_free(pl->dir);
    g_free(pl->name);
    g_free(pl->build);
    sweep_free(&pl->sw);
}

static const char *sched_of(const struct plan *pl, guint r)
{
    return g_ptr_array_index(pl->sw.scheds, (r / pl->nseeds) % pl->nsched);
}

static guint point_of(const struct plan *pl, guint r)
{
    return r / (pl->nsched * pl->nseeds);
}

static guint64 seed_of(const struct plan *pl, guint r)
{
    return g_array_index(pl->seeds, guint64, r % pl->nseeds);
}

static const struct sweep_param *param(const struct plan *pl, guint k)
{
    return g_ptr_array_index(pl->sw.params, k);
}

static const char *label_of(const struct plan *pl, guint p, guint k)
{
    return g_ptr_array_index(param(pl, k)->labels, sweep_value_index(&pl->sw, p, k));
}

/* "runs/007-wlc/42": a run's directory under DIR. */
static char *run_rel(const struct plan *pl, guint r)
{
    return g_strdup_printf("runs/%0*u-%s/%" G_GUINT64_FORMAT, pl->width, point_of(pl, r),
                           sched_of(pl, r), seed_of(pl, r));
}

static char *run_path(const struct plan *pl, guint r, const char *name)
{
    char *rel = run_rel(pl, r), *path = g_build_filename(pl->dir, rel, name, NULL);
    g_free(rel);
    return path;
}

/* Finished: its directory is in place (the marker is written last, then the rename)
 * and was made by this build. */
static bool run_finished(const struct plan *pl, guint r)
{
    char *m = run_path(pl, r, OUTDIR_MARKER), *b = run_path(pl, r, BUILD_FILE), *id = NULL;
    bool done = g_file_test(m, G_FILE_TEST_EXISTS) && g_file_get_contents(b, &id, NULL, NULL) &&
                strcmp(g_strchomp(id), pl->build) == 0;
    g_free(id);
    g_free(b);
    g_free(m);
    return done;
}

/* ---- checking a sweep --------------------------------------------------------------- */

static bool fail_at(const struct plan *pl, struct scn_pos pos, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

static bool fail_at(const struct plan *pl, struct scn_pos pos, const char *fmt, ...)
{
    struct scn_error err;
    char msg[sizeof err.msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    sweep_error_at(&err, &pl->sw, pos, "%s", msg);
    scn_error_print(&err);
    return false;
}

static bool check_schedulers(struct plan *pl)
{
    for (guint i = 0; i < pl->sw.scheds->len; i++) {
        const char *name = g_ptr_array_index(pl->sw.scheds, i);
        if (strcmp(name, "none") != 0 && ip_vs_scheduler_find(name))
            continue;
        GString *known = g_string_new(NULL);
        for (const char *const *k = ip_vs_scheduler_names(); *k; k++)
            g_string_append_printf(known, "%s%s", known->len ? ", " : "", *k);
        fail_at(pl, g_array_index(pl->sw.sched_pos, struct scn_pos, i),
                "schedulers: unknown scheduler '%s' (known: %s)", name, known->str);
        g_string_free(known, TRUE);
        return false;
    }
    pl->nsched = pl->sw.scheds->len;
    return true;
}

/* Every point's scenario: the base with the point's values as --set overrides. A value
 * the scenario refuses is placed at the value in the sweep file. */
static bool load_points(struct plan *pl)
{
    guint np = pl->sw.params->len;
    for (guint k = 0; k < np; k++)
        if (strcmp(param(pl, k)->path, "seed") == 0)
            return fail_at(pl, g_array_index(param(pl, k)->pos, struct scn_pos, 0),
                           "parameters: seed: the seeds are the sweep's own ('replications' or "
                           "'seeds'), not a parameter");
    pl->npoints = sweep_npoints(&pl->sw);
    if ((guint64)pl->npoints * pl->nsched > MAX_RUNS)
        return fail_at(pl, (struct scn_pos){ .line = 1, .col = 1 }, "more than %d runs", MAX_RUNS);
    pl->pts = g_new0(struct scenario *, pl->npoints);
    for (guint p = 0; p < pl->npoints; p++) {
        char **ov = g_new0(char *, np + 1);
        for (guint k = 0; k < np; k++)
            ov[k] = g_strdup_printf("%s=%s", param(pl, k)->path,
                                    (const char *)g_ptr_array_index(param(pl, k)->values,
                                                                    sweep_value_index(&pl->sw, p, k)));
        struct scn_error err;
        pl->pts[p] = scenario_load(pl->sw.scenario, (const char *const *)ov, &err);
        bool ok = pl->pts[p] != NULL;
        guint k = np;
        /* a value of an override is named "--set KEY: ..." (scn_error_at) */
        for (guint j = 0; !ok && err.pos.line == 0 && j < np && k == np; j++) {
            char *prefix = g_strdup_printf("--set %s: ", param(pl, j)->path);
            if (g_str_has_prefix(err.msg, prefix))
                k = j;
            g_free(prefix);
        }
        if (k < np) {
            fail_at(pl, g_array_index(param(pl, k)->pos, struct scn_pos,
                                      sweep_value_index(&pl->sw, p, k)),
                    "parameters: %s: the scenario %s refuses this value: %s", param(pl, k)->path,
                    pl->sw.scenario, err.msg + strlen("--set : ") + strlen(param(pl, k)->path));
        } else if (!ok && err.pos.line == 0 && !err.environment) {
            fail_at(pl, pl->sw.scenario_pos, "scenario: %s: %s", err.file, err.msg);
        } else if (!ok) {
            scn_error_print(&err);
        } else if (compare_services(pl->pts[p]) == 0) {
            ok = fail_at(pl, pl->sw.scenario_pos, "scenario: %s adds no virtual service (no -A "
                         "line in \"ipvs\"): there is no scheduler to set", pl->sw.scenario);
        }
        g_strfreev(ov);
        if (!ok)
            return false;
        if (p == 0)
            scenario_print_warnings(pl->pts[p]);
    }
    return true;
}

static bool check_seeds(struct plan *pl)
{
    pl->seeds = g_array_new(FALSE, FALSE, sizeof(guint64));
    if (pl->sw.seeds) {
        GError *gerr = NULL;
        if (!compare_seed_list(pl->sw.seeds, pl->seeds, &gerr)) {
            /* compare's message names its option: here it is the key */
            const char *m = gerr->message;
            fail_at(pl, pl->sw.seeds_pos, "%s", g_str_has_prefix(m, "--") ? m + 2 : m);
            g_error_free(gerr);
            return false;
        }
    }
    for (int j = 0; !pl->sw.seeds && j < pl->sw.replications; j++) {
        guint64 v = pl->pts[0]->seed + (guint64)j;
        g_array_append_val(pl->seeds, v);
    }
    pl->nseeds = pl->seeds->len;
    if ((guint64)pl->npoints * pl->nsched * pl->nseeds > MAX_RUNS)
        return fail_at(pl, pl->sw.seeds_pos, "%u points x %u schedulers x %u seeds: more than %d "
                       "runs", pl->npoints, pl->nsched, pl->nseeds, MAX_RUNS);
    pl->nruns = pl->npoints * pl->nsched * pl->nseeds;
    return true;
}

/* The metrics: columns of compare's row at every point (a parameter may change the
 * servers, and with them the share_ and load_ columns). */
static bool check_metrics(struct plan *pl)
{
    GPtrArray *m = g_ptr_array_new();
    if (pl->sw.metrics)
        for (guint i = 0; i < pl->sw.metrics->len; i++)
            g_ptr_array_add(m, g_strdup(g_ptr_array_index(pl->sw.metrics, i)));
    else
        for (const char *const *d = default_metrics; *d; d++)
            g_ptr_array_add(m, g_strdup(*d));
    g_ptr_array_add(m, NULL);
    pl->metrics = (char **)g_ptr_array_free(m, FALSE);
    for (guint p = 0; p < pl->npoints; p++) {
        char **cols = compare_row_columns(pl->pts[p]);
        for (guint i = 0; pl->metrics[i]; i++) {
            bool found = false;
            for (guint c = 2; cols[c] && !found; c++)  /* past scheduler, seed */
                found = strcmp(cols[c], pl->metrics[i]) == 0;
            if (!found) {
                char *list = g_strjoinv(", ", cols + 2);
                fail_at(pl, pl->sw.metrics ? g_array_index(pl->sw.metric_pos, struct scn_pos, i)
                                           : pl->sw.scenario_pos,
                        "metrics: '%s' is not a column of a run's row%s (expected one of: %s)",
                        pl->metrics[i], pl->npoints > 1 ? " at every point" : "", list);
                g_free(list);
                g_strfreev(cols);
                return false;
            }
        }
        g_strfreev(cols);
    }
    return true;
}

/* Load and check the sweep at path ("scenario" relative to base_dir, NULL: the file's
 * directory). false with the message printed: bad input. */
static bool plan_load(struct plan *pl, const char *path, const char *base_dir)
{
    memset(pl, 0, sizeof *pl);
    struct scn_error err;
    char *dir = base_dir ? g_strdup(base_dir) : g_path_get_dirname(path);
    bool ok = sweep_load(&pl->sw, path, dir, &err);
    g_free(dir);
    pl->name = g_strdup(path);
    if (!ok) {
        scn_error_print(&err);
        return false;
    }
    ok = check_schedulers(pl) && load_points(pl) && check_seeds(pl) && check_metrics(pl);
    pl->build = ok ? build_identity() : NULL;
    for (guint n = pl->npoints ? pl->npoints - 1 : 0, w = 1; ok; n /= 10, w++)
        if (n < 10) {
            pl->width = (int)MAX(w, 3);
            break;
        }
    return ok;
}

/* ---- the result directory ------------------------------------------------------------ */

static char *dir_file(const char *dir, const char *name)
{
    return g_build_filename(dir, name, NULL);
}

/* Whether dir may take this sweep: absent, empty, or this sweep's (its sweep.json the
 * same bytes: a resumed sweep). 0; 2 with the message printed. *fresh: set it up. */
static int dir_check(const struct plan *pl, bool *fresh)
{
    *fresh = true;
    if (!g_file_test(pl->dir, G_FILE_TEST_EXISTS))
        return 0;
    char *marker = dir_file(pl->dir, SWEEP_MARKER), *copy = dir_file(pl->dir, "sweep.json");
    char *text = NULL;
    gsize len = 0;
    int rc = 0;
    if (g_file_test(marker, G_FILE_TEST_EXISTS)) {
        *fresh = false;
        if (!g_file_get_contents(copy, &text, &len, NULL) || len != pl->sw.len ||
            memcmp(text, pl->sw.text, len) != 0) {
            fprintf(stderr, "ipvsim sweep: %s holds the runs of another sweep (its sweep.json "
                    "differs from %s): give another -o DIR, or remove it\n", pl->dir, pl->sw.file);
            rc = 2;
        }
    } else {
        GDir *d = g_dir_open(pl->dir, 0, NULL);
        if (!d || g_dir_read_name(d)) {
            fprintf(stderr, "ipvsim sweep: %s: exists and is not an ipvsim sweep; refusing to "
                    "write into it\n", pl->dir);
            rc = 2;
        }
        if (d)
            g_dir_close(d);
    }
    g_free(text);
    g_free(marker);
    g_free(copy);
    return rc;
}

static bool write_file(const char *dir, const char *name, const char *text, gssize len)
{
    char *path = dir_file(dir, name);
    GError *gerr = NULL;
    bool ok = g_file_set_contents(path, text, len, &gerr);
    if (!ok) {
        fprintf(stderr, "ipvsim sweep: writing the results failed: %s\n", gerr->message);
        g_error_free(gerr);
    }
    g_free(path);
    return ok;
}

/* A new sweep directory: the sweep file's copy, then the marker: the working directory
 * (absolute), the directory the scenario is relative to and the sweep file's name, as
 * given there, so that a task elsewhere reads the sweep as this process did and its
 * runs name their scenario as the local engine's do. 0; 1 (said). */
static int dir_setup(const struct plan *pl)
{
    if (g_mkdir_with_parents(pl->dir, 0755) != 0) {
        fprintf(stderr, "ipvsim sweep: %s: cannot create: %s\n", pl->dir, g_strerror(errno));
        return 1;
    }
    char *cwd = g_get_current_dir(), *base = g_path_get_dirname(pl->name);
    char *line = g_strdup_printf("%s\n%s\n%s\n", cwd, base, pl->name);
    g_free(cwd);
    g_free(base);
    bool ok = write_file(pl->dir, "sweep.json", pl->sw.text, (gssize)pl->sw.len) &&
              write_file(pl->dir, SWEEP_MARKER, line, -1);
    g_free(line);
    return ok ? 0 : 1;
}

/* ---- one run ------------------------------------------------------------------------- */

/* Remove what a run killed mid-way left (its FINAL.tmp-XXXXXX directory): the run is
 * this process's alone, so no one else writes there. */
static void remove_leftovers(const char *final)
{
    char *parent = g_path_get_dirname(final), *base = g_path_get_basename(final);
    char *prefix = g_strdup_printf("%s.tmp-", base);
    GDir *d = g_dir_open(parent, 0, NULL);
    GPtrArray *old = g_ptr_array_new();
    for (const char *n; d && (n = g_dir_read_name(d));)
        if (g_str_has_prefix(n, prefix))
            g_ptr_array_add(old, g_build_filename(parent, n, NULL));
    if (d)
        g_dir_close(d);
    for (guint i = 0; i < old->len; i++) {
        struct outdir o = { .final = g_strdup(final), .tmp = g_ptr_array_index(old, i) };
        outdir_abort(&o);           /* removes o.tmp, frees both */
    }
    g_ptr_array_free(old, TRUE);
    g_free(prefix);
    g_free(base);
    g_free(parent);
}

/* Run r into DIR/runs/...: its files, its row, then the marker and the rename. 0; 1 a
 * run that stopped or could not be written; 2 bad input (said). */
static int run_exec(struct plan *pl, guint r)
{
    char *final = run_path(pl, r, NULL), err[600] = "";
    remove_leftovers(final);
    struct outdir o;
    int rc = outdir_begin(&o, final, err, sizeof err) == 0 ? 0 : 3;   /* err says why */
    struct scenario *s = pl->pts[point_of(pl, r)];
    s->seed = seed_of(pl, r);       /* every stream is seeded from it when the world is built */
    char *stopped = NULL;
    const char *hint = "";
    GString *csv = g_string_new(NULL);
    if (rc == 0)
        rc = compare_run_row(s, sched_of(pl, r), &o, pl->sw.pcap, csv, &stopped, &hint, err,
                             sizeof err);
    if (rc == 0) {
        char *pcap = outdir_path(&o, "pcap");
        if (!pl->sw.pcap)
            g_rmdir(pcap);
        g_free(pcap);
        char *id = g_strdup_printf("%s\n", pl->build);
        bool ok = outdir_write(&o, BUILD_FILE, id, strlen(id), err, sizeof err);
        g_free(id);
        if (!ok || !outdir_write(&o, "metrics.csv", csv->str, csv->len, err, sizeof err) ||
            !outdir_commit(&o, err, sizeof err))
            rc = 3;
    }
    if (rc == 1)
        fprintf(stderr, "ipvsim sweep: the run %s did not complete: %s; it is left out (the "
                "sweep started again runs it again)%s\n", final, stopped ? stopped : err, hint);
    else if (rc == 3)
        fprintf(stderr, "ipvsim sweep: writing the run %s failed: %s\n", final, err);
    outdir_abort(&o);
    g_string_free(csv, TRUE);
    g_free(stopped);
    g_free(final);
    return rc == 3 ? 1 : rc;
}

struct pool_ctx {
    struct plan *pl;
    const guint *runs;              /* the runs to do, in plan order */
};

static int pool_task(guint t, void *ctx, GByteArray *out)
{
    (void)out;
    const struct pool_ctx *c = ctx;
    return run_exec(c->pl, c->runs[t]);
}

/* The unfinished runs among [from, to), jobs at a time. 0; 1 or 2 (said). */
static int run_range(struct plan *pl, guint from, guint to, guint jobs, bool show)
{
    GArray *todo = g_array_new(FALSE, FALSE, sizeof(guint));
    for (guint r = from; r < to; r++)
        if (!run_finished(pl, r))
            g_array_append_val(todo, r);
    if (show)
        fprintf(stderr, "%u runs to do (%u finished before), %u at a time...\n", todo->len,
                to - from - todo->len, jobs);
    struct pool_ctx ctx = { pl, (const guint *)todo->data };
    struct run_pool_result *res = g_new0(struct run_pool_result, MAX(todo->len, 1));
    char err[600];
    int rc = 0;
    signals_install();
    if (todo->len && !run_pool_map(todo->len, jobs, pool_task, &ctx, res, err, sizeof err)) {
        fprintf(stderr, "ipvsim sweep: %s\n", err);
        rc = 1;
    }
    guint left = 0;
    for (guint t = 0; t < todo->len; t++) {
        if (!res[t].done || res[t].status != 0)
            left++;
        if (res[t].done && res[t].status == 2)
            rc = 2;
        else if (rc == 0 && (!res[t].done || res[t].status != 0))
            rc = 1;
    }
    if (left && rc == 1)
        fprintf(stderr, "ipvsim sweep: %u of %u runs did not finish; the sweep started again "
                "runs them (the finished ones are kept)\n", left, to - from);
    signals_restore();
    run_pool_results_free(res, todo->len);
    g_free(res);
    g_array_free(todo, TRUE);
    return rc;
}

/* ---- collecting ------------------------------------------------------------------------ */

/* A CSV field: quoted when it holds a comma, a quote or a line break. */
static void csv_field(GString *g, const char *text)
{
    if (!strpbrk(text, ",\"\n\r")) {
        g_string_append(g, text);
        return;
    }
    g_string_append_c(g, '"');
    for (const char *p = text; *p; p++) {
        if (*p == '"')
            g_string_append_c(g, '"');
        g_string_append_c(g, *p);
    }
    g_string_append_c(g, '"');
}

/* The metrics of run r from its metrics.csv (two lines: header, values), as text,
 * into vals[0..nmetrics-1]. false when it cannot be read. */
static bool read_metrics(const struct plan *pl, guint r, char **vals)
{
    char *path = run_path(pl, r, "metrics.csv"), *text = NULL;
    bool ok = g_file_get_contents(path, &text, NULL, NULL);
    char **lines = ok ? g_strsplit(text, "\n", 3) : NULL;
    ok = ok && lines[0] && lines[1];
    char **hdr = ok ? g_strsplit(lines[0], ",", -1) : NULL, **row = ok ? g_strsplit(lines[1], ",", -1) : NULL;
    ok = ok && g_strv_length(hdr) == g_strv_length(row);
    for (guint i = 0; ok && pl->metrics[i]; i++) {
        vals[i] = NULL;
        for (guint c = 0; hdr[c] && !vals[i]; c++)
            if (strcmp(hdr[c], pl->metrics[i]) == 0)
                vals[i] = g_strdup(row[c]);
        ok = vals[i] != NULL;
    }
    if (!ok)
        fprintf(stderr, "ipvsim sweep: %s: cannot read the run's metrics\n", path);
    g_strfreev(hdr);
    g_strfreev(row);
    g_strfreev(lines);
    g_free(text);
    g_free(path);
    return ok;
}

static void csv_num(GString *g, const char *fmt, double v)
{
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    g_string_append_c(g, ',');
    if (!isnan(v))
        g_string_append(g, g_ascii_formatd(buf, sizeof buf, fmt, v));
}

/* The parameters of point p as CSV fields. */
static void csv_params(GString *g, const struct plan *pl, guint p)
{
    for (guint k = 0; k < pl->sw.params->len; k++) {
        csv_field(g, label_of(pl, p, k));
        g_string_append_c(g, ',');
    }
}

/* "clients.0.arrival=poisson(200/s), ipvs.1=..." of point p's parameters from k0 on
 * (varying: only those with more than one value). */
static char *point_text(const struct plan *pl, guint p, guint k0, const char *sep, bool varying)
{
    GString *g = g_string_new(NULL);
    for (guint k = k0; k < pl->sw.params->len; k++)
        if (!varying || param(pl, k)->values->len > 1)
            g_string_append_printf(g, "%s%s=%s", g->len ? sep : "", param(pl, k)->path,
                               label_of(pl, p, k));
    return g_string_free(g, FALSE);
}

struct collected {
    guint nm;
    struct stats_ci *ci;            /* per (point, scheduler) x metric */
};

static void summary_table(GString *g, const struct plan *pl, const struct collected *c)
{
    g_string_append_printf(g, "sweep %s: %u points x %u schedulers x %u seeds = %u runs of %s\n\n",
                           pl->name, pl->npoints, pl->nsched, pl->nseeds, pl->nruns,
                           pl->sw.scenario);
    GPtrArray *cells = g_ptr_array_new_with_free_func(g_free);
    guint ncol = 2 + c->nm, nrow = pl->npoints * pl->nsched + 1;
    g_ptr_array_add(cells, g_strdup("point"));
    g_ptr_array_add(cells, g_strdup("sched"));
    for (guint m = 0; m < c->nm; m++)
        g_ptr_array_add(cells, g_strdup(pl->metrics[m]));
    for (guint ps = 0; ps < pl->npoints * pl->nsched; ps++) {
        g_ptr_array_add(cells, g_strdup_printf("%0*u", pl->width, ps / pl->nsched));
        g_ptr_array_add(cells, g_strdup(g_ptr_array_index(pl->sw.scheds, ps % pl->nsched)));
        for (guint m = 0; m < c->nm; m++) {
            const struct stats_ci *ci = &c->ci[ps * c->nm + m];
            g_ptr_array_add(cells, isnan(ci->half) ? g_strdup_printf("%.2f", ci->mean)
                                                   : g_strdup_printf("%.2f ±%.2f", ci->mean, ci->half));
        }
    }
    guint *w = g_new0(guint, ncol);
    for (guint i = 0; i < cells->len; i++)
        w[i % ncol] = MAX(w[i % ncol], (guint)g_utf8_strlen(g_ptr_array_index(cells, i), -1));
    for (guint row = 0; row < nrow; row++) {
        for (guint col = 0; col < ncol; col++) {
            const char *t = g_ptr_array_index(cells, row * ncol + col);
            int pad = (int)w[col] - (int)g_utf8_strlen(t, -1);
            if (col < 2)
                g_string_append_printf(g, "%s%s%*s", col ? "  " : "", t, pad, "");
            else
                g_string_append_printf(g, "  %*s%s", pad, "", t);
        }
        g_string_append_c(g, '\n');
    }
    g_free(w);
    g_ptr_array_free(cells, TRUE);
    g_string_append(g, "\n");
    for (guint p = 0; p < pl->npoints && pl->sw.params->len; p++) {
        char *t = point_text(pl, p, 0, ", ", false);
        g_string_append_printf(g, "point %0*u: %s\n", pl->width, p, t);
        g_free(t);
    }
    char *ci = pl->nseeds > 1 ? g_strdup_printf(" ± the half-width of its 95 %% confidence "
                                                "interval (Student t, %u degrees of freedom)",
                                                pl->nseeds - 1)
                              : g_strdup(" (one seed: no interval)");
    g_string_append_printf(g, "%smean over the %u seeds%s; each run's metrics are compare's; "
                           "runs.csv has every run, summary.csv the intervals.\n",
                           pl->sw.params->len ? "\n" : "", pl->nseeds, ci);
    g_free(ci);
}

/* The figures: each metric against the first parameter's values, a line per scheduler
 * (and combination of the other parameters' values). */
static enum plots_status write_figures(const struct plan *pl, const struct collected *c, char *err,
                                       size_t errlen)
{
    const struct sweep_param *x = pl->sw.params->len ? param(pl, 0) : NULL;
    guint nx = x ? x->values->len : 1, nother = pl->npoints / nx, ncols = nother * pl->nsched;
    char **rows = g_new0(char *, nx + 1), **cols = g_new0(char *, ncols + 1);
    for (guint i = 0; i < nx; i++)
        rows[i] = g_strdup(x ? g_ptr_array_index(x->labels, i) : "base");
    for (guint o = 0; o < nother; o++)
        for (guint k = 0; k < pl->nsched; k++) {
            char *t = point_text(pl, o, 1, ", ", true);
            const char *sched = g_ptr_array_index(pl->sw.scheds, k);
            cols[o * pl->nsched + k] = *t ? g_strdup_printf("%s, %s", sched, t) : g_strdup(sched);
            g_free(t);
        }
    struct plot_set ps;
    plot_set_init(&ps, pl->pts[0]);
    g_free(ps.name);
    ps.name = g_path_get_basename(pl->name);
    if (g_str_has_suffix(ps.name, ".json"))
        ps.name[strlen(ps.name) - 5] = '\0';
    g_free(ps.subtitle);
    ps.subtitle = g_strdup_printf("%u seeds per point", pl->nseeds);
    struct plot_ci_fig *f = g_new0(struct plot_ci_fig, c->nm);
    char **whats = g_new0(char *, c->nm + 1), **titles = g_new0(char *, c->nm + 1);
    for (guint m = 0; m < c->nm; m++) {
        whats[m] = g_strdup_printf("%s per point of the sweep against %s, one line per "
                                   "scheduler: the mean over the seeds and its 95 %% confidence "
                                   "interval (Student t) as a band.", pl->metrics[m],
                                   x ? x->path : "the base scenario");
        titles[m] = g_strdup_printf("%s, mean and 95 %% CI", pl->metrics[m]);
        f[m] = (struct plot_ci_fig){ .base = pl->metrics[m], .what = whats[m], .title = titles[m],
                                     .ylabel = pl->metrics[m], .xlabel = x ? x->path : "",
                                     .lines = true, .nrows = nx, .ncols = ncols, .rows = rows,
                                     .cols = cols };
        f[m].mean = g_new(double, nx * ncols);
        f[m].lo = g_new(double, nx * ncols);
        f[m].hi = g_new(double, nx * ncols);
        for (guint i = 0; i < nx; i++)
            for (guint col = 0; col < ncols; col++) {
                /* point = x value i (slowest), then the others' combination */
                guint p = i * nother + col / pl->nsched, k = col % pl->nsched;
                const struct stats_ci *ci = &c->ci[(p * pl->nsched + k) * c->nm + m];
                guint at = i * ncols + col;
                f[m].mean[at] = ci->mean;
                f[m].lo[at] = isnan(ci->lo) ? ci->mean : ci->lo;
                f[m].hi[at] = isnan(ci->hi) ? ci->mean : ci->hi;
            }
    }
    enum plots_status st = plots_write_ci(&ps, f, c->nm, pl->dir, err, errlen);
    for (guint m = 0; m < c->nm; m++) {
        g_free(f[m].mean);
        g_free(f[m].lo);
        g_free(f[m].hi);
    }
    g_free(f);
    g_strfreev(whats);
    g_strfreev(titles);
    g_strfreev(rows);
    g_strfreev(cols);
    plot_set_free(&ps);
    return st;
}

/* runs.csv, summary.csv, summary.txt and the figures from the runs' directories, in
 * plan order. 0; 1 when a run is missing or a file cannot be written (said). */
static int collect(const struct plan *pl, bool quiet, bool report, const char *job_hint)
{
    guint missing = 0, first = 0;
    for (guint r = 0; r < pl->nruns; r++)
        if (!run_finished(pl, r) && missing++ == 0)
            first = r;
    if (missing) {
        char *rel = run_rel(pl, first);
        fprintf(stderr, "ipvsim sweep: %u of %u runs are not finished, or were made by another "
                "ipvsim build (the first: %s/%s)%s\n",
                missing, pl->nruns, pl->dir, rel, job_hint);
        g_free(rel);
        return 1;
    }
    guint nm = g_strv_length(pl->metrics);
    GString *runs = g_string_new("point,"), *sum = g_string_new("point,");
    for (guint k = 0; k < pl->sw.params->len; k++) {
        csv_field(runs, param(pl, k)->path);
        g_string_append_c(runs, ',');
        csv_field(sum, param(pl, k)->path);
        g_string_append_c(sum, ',');
    }
    g_string_append(runs, "scheduler,seed");
    g_string_append(sum, "scheduler,runs");
    for (guint m = 0; m < nm; m++) {
        g_string_append_printf(runs, ",%s", pl->metrics[m]);
        g_string_append_printf(sum, ",%s_mean,%s_ci_low,%s_ci_high", pl->metrics[m],
                               pl->metrics[m], pl->metrics[m]);
    }
    g_string_append_c(runs, '\n');
    g_string_append_c(sum, '\n');
    struct collected c = { nm, g_new0(struct stats_ci, (gsize)pl->npoints * pl->nsched * nm) };
    char **vals = g_new0(char *, nm + 1);
    double *x = g_new(double, (gsize)pl->nseeds * nm);
    guint *nx = g_new(guint, nm);
    int rc = 0;
    for (guint ps = 0; ps < pl->npoints * pl->nsched && rc == 0; ps++) {
        guint p = ps / pl->nsched;
        memset(nx, 0, nm * sizeof *nx);
        for (guint j = 0; j < pl->nseeds && rc == 0; j++) {
            guint r = ps * pl->nseeds + j;
            if (!read_metrics(pl, r, vals)) {
                rc = 1;
                break;
            }
            g_string_append_printf(runs, "%0*u,", pl->width, p);
            csv_params(runs, pl, p);
            g_string_append_printf(runs, "%s,%" G_GUINT64_FORMAT, sched_of(pl, r), seed_of(pl, r));
            for (guint m = 0; m < nm; m++) {
                g_string_append_printf(runs, ",%s", vals[m]);
                if (*vals[m])       /* an empty cell (remapped_share without a failure) */
                    x[m * pl->nseeds + nx[m]++] = g_ascii_strtod(vals[m], NULL);
                g_free(vals[m]);
                vals[m] = NULL;
            }
            g_string_append_c(runs, '\n');
        }
        g_string_append_printf(sum, "%0*u,", pl->width, p);
        csv_params(sum, pl, p);
        g_string_append_printf(sum, "%s,%u", sched_of(pl, ps * pl->nseeds), pl->nseeds);
        for (guint m = 0; m < nm && rc == 0; m++) {
            struct stats_ci *ci = &c.ci[ps * nm + m];
            *ci = stats_t_interval(x + m * pl->nseeds, nx[m]);
            if (nx[m] == 0)
                ci->mean = ci->lo = ci->hi = ci->half = NAN;
            csv_num(sum, "%.4f", ci->mean);
            csv_num(sum, "%.4f", ci->lo);
            csv_num(sum, "%.4f", ci->hi);
        }
        g_string_append_c(sum, '\n');
    }
    GString *table = g_string_new(NULL);
    char err[600];
    if (rc == 0) {
        summary_table(table, pl, &c);
        if (!write_file(pl->dir, "runs.csv", runs->str, (gssize)runs->len) ||
            !write_file(pl->dir, "summary.csv", sum->str, (gssize)sum->len) ||
            !write_file(pl->dir, "summary.txt", table->str, (gssize)table->len))
            rc = 1;
    }
    if (rc == 0) {
        enum plots_status st = write_figures(pl, &c, err, sizeof err);
        if (st == PLOTS_WRITE_FAILED) {
            fprintf(stderr, "ipvsim sweep: writing the results failed: %s\n", err);
            rc = 1;
        } else if (st == PLOTS_GNUPLOT_FAILED || (st == PLOTS_SKIPPED && !quiet)) {
            fprintf(stderr, "ipvsim sweep: %s\n", err);
        }
    }
    if (rc == 0 && report && report_write(pl->dir, err, sizeof err) != 0) {
        fprintf(stderr, "ipvsim sweep: %s\n", err);
        rc = 1;
    }
    if (rc == 0) {
        fputs(table->str, stdout);
        if (!quiet)
            printf("results in %s/ (runs.csv, summary.csv, plots/, runs/%s)\n", pl->dir,
                   report ? ", index.html" : "");
    }
    g_strfreev(vals);
    g_free(x);
    g_free(nx);
    g_free(c.ci);
    g_string_free(table, TRUE);
    g_string_free(runs, TRUE);
    g_string_free(sum, TRUE);
    return rc;
}

/* ---- Slurm ------------------------------------------------------------------------------- */

/* A word for sh, single-quoted. */
static void sh_word(GString *g, const char *w)
{
    g_string_append_c(g, '\'');
    for (const char *p = w; *p; p++) {
        if (*p == '\'')
            g_string_append(g, "'\\''");
        else
            g_string_append_c(g, *p);
    }
    g_string_append_c(g, '\'');
}

/* The chunks holding an unfinished run, as sbatch's --array list ("0-9,12"); NULL when
 * every run is finished. */
static char *pending_tasks(const struct plan *pl, guint chunk, guint *ntasks)
{
    GString *g = g_string_new(NULL);
    guint n = (pl->nruns + chunk - 1) / chunk, open_from = 0;
    bool open = false;
    *ntasks = 0;
    for (guint k = 0; k <= n; k++) {
        bool todo = false;
        for (guint r = k * chunk; k < n && r < MIN((k + 1) * chunk, pl->nruns) && !todo; r++)
            todo = !run_finished(pl, r);
        if (todo && !open) {
            open = true;
            open_from = k;
        } else if (!todo && open) {
            open = false;
            g_string_append_printf(g, "%s%u", g->len ? "," : "", open_from);
            if (k - 1 > open_from)
                g_string_append_printf(g, "-%u", k - 1);
        }
        *ntasks += todo;
    }
    if (!g->len) {
        g_string_free(g, TRUE);
        return NULL;
    }
    return g_string_free(g, FALSE);
}

/* DIR/slurm/sweep.sbatch: one array task per chunk, each running its chunk. */
static bool write_script(const struct plan *pl, const char *absdir, guint chunk, guint jobs,
                         const char *array, char **script)
{
    char *self = g_file_read_link("/proc/self/exe", NULL);
    if (!self) {
        fprintf(stderr, "ipvsim sweep: cannot find the ipvsim binary's path (/proc/self/exe)\n");
        return false;
    }
    char *sdir = g_build_filename(absdir, "slurm", NULL);
    GString *g = g_string_new("#!/bin/sh\n");
    g_string_append_printf(g, "# ipvsim sweep %s: %u runs, %u per array task. Written by ipvsim "
                           "sweep --engine slurm;\n# each task runs its chunk into this sweep's "
                           "directory (the finished runs are skipped).\n", pl->name, pl->nruns,
                           chunk);
    g_string_append_printf(g, "#SBATCH --job-name=ipvsim-sweep\n#SBATCH --array=%s\n"
                           "#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=%u\n"
                           "#SBATCH --output=%s/task-%%a.out\n", array, jobs, sdir);
    g_string_append(g, "exec ");
    sh_word(g, self);
    g_string_append(g, " sweep --quiet --run-chunk ");
    sh_word(g, absdir);
    g_string_append_printf(g, " --chunk %u --jobs %u --task \"$SLURM_ARRAY_TASK_ID\"\n", chunk,
                           jobs);
    bool ok = g_mkdir_with_parents(sdir, 0755) == 0;
    if (!ok)
        fprintf(stderr, "ipvsim sweep: %s: cannot create: %s\n", sdir, g_strerror(errno));
    ok = ok && write_file(sdir, "sweep.sbatch", g->str, (gssize)g->len);
    *script = g_build_filename(sdir, "sweep.sbatch", NULL);
    g_string_free(g, TRUE);
    g_free(sdir);
    g_free(self);
    return ok;
}

/* sbatch --parsable [--wait] OPTS SCRIPT: the job's id into *job. false (said) when it
 * cannot be started or fails. */
static bool submit(const char *script, char **opts, bool wait, char **job)
{
    GPtrArray *argv = g_ptr_array_new();
    g_ptr_array_add(argv, "sbatch");
    g_ptr_array_add(argv, "--parsable");
    if (wait)
        g_ptr_array_add(argv, "--wait");
    for (guint i = 0; opts && opts[i]; i++)
        g_ptr_array_add(argv, opts[i]);
    g_ptr_array_add(argv, (char *)script);
    g_ptr_array_add(argv, NULL);
    char *out = NULL;
    int status = 0;
    GError *gerr = NULL;
    fflush(stdout);
    fflush(stderr);
    bool ok = g_spawn_sync(NULL, (char **)argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out,
                           NULL, &status, &gerr);
    if (!ok) {
        fprintf(stderr, "ipvsim sweep: cannot run sbatch: %s\n", gerr->message);
        g_error_free(gerr);
    } else {
        /* "JOBID" or "JOBID;CLUSTER" on the first line, at submission */
        char *semi = strpbrk(out, ";\n");
        if (semi)
            *semi = '\0';
        *job = g_strdup(g_strstrip(out));
        if (!g_spawn_check_wait_status(status, &gerr)) {
            fprintf(stderr, "ipvsim sweep: sbatch%s failed: %s (%s%s)\n", wait ? " --wait" : "",
                    gerr->message, **job ? "job " : "the job was not submitted", *job);
            g_error_free(gerr);
            ok = **job != '\0';     /* a task failed: the collection says which runs */
        }
    }
    g_free(out);
    g_ptr_array_free(argv, TRUE);
    return ok;
}

/* ---- the command --------------------------------------------------------------------------- */

struct sweep_opts {
    char *outdir, *engine, *collect, *run_chunk;
    char **slurm_opts;
    gint jobs, chunk, task;
    gint task_jobs;                 /* slurm: runs at once in each array task (--jobs, else 1) */
    gboolean dry_run, no_wait, quiet, report;
};

static void print_plan(const struct plan *pl, const struct sweep_opts *opt, bool slurm, guint chunk)
{
    guint done = 0;
    for (guint r = 0; r < pl->nruns; r++)
        done += run_finished(pl, r);
    printf("sweep %s: %s\n", pl->name, pl->sw.scenario);
    for (guint k = 0; k < pl->sw.params->len; k++) {
        printf("  parameter %s:", param(pl, k)->path);
        for (guint i = 0; i < param(pl, k)->labels->len; i++)
            printf(" %s", (const char *)g_ptr_array_index(param(pl, k)->labels, i));
        printf("\n");
    }
    GString *sg = g_string_new(NULL);
    for (guint k = 0; k < pl->nsched; k++)
        g_string_append_printf(sg, "%s%s", k ? ", " : "", (const char *)g_ptr_array_index(pl->sw.scheds, k));
    char *scheds = g_string_free(sg, FALSE);
    char *metrics = g_strjoinv(", ", pl->metrics);
    printf("  schedulers: %s\n  seeds: %" G_GUINT64_FORMAT "%s", scheds,
           g_array_index(pl->seeds, guint64, 0), pl->nseeds > 1 ? " ..." : "");
    if (pl->nseeds > 1)
        printf(" %" G_GUINT64_FORMAT, g_array_index(pl->seeds, guint64, pl->nseeds - 1));
    printf(" (%u)\n  metrics: %s\n", pl->nseeds, metrics);
    printf("%u points x %u schedulers x %u seeds = %u runs into %s/ (%u finished)\n",
           pl->npoints, pl->nsched, pl->nseeds, pl->nruns, pl->dir, done);
    if (slurm)
        printf("engine slurm: %u array tasks of at most %u runs each, %d at a time in each "
               "(sbatch%s)\n", (pl->nruns + chunk - 1) / chunk, chunk, opt->task_jobs,
               opt->no_wait ? "" : " --wait");
    else
        printf("engine local: %d runs at a time\n", opt->jobs);
    for (guint p = 0; p < pl->npoints && pl->sw.params->len; p++) {
        char *t = point_text(pl, p, 0, " --set ", false);
        printf("  point %0*u: --set %s\n", pl->width, p, t);
        g_free(t);
    }
    g_free(scheds);
    g_free(metrics);
}

/* The default chunk: the fewest runs per task that keep the array at MAX_TASKS. */
static guint chunk_size(const struct plan *pl, gint given)
{
    return given > 0 ? (guint)given : MAX(1, (pl->nruns + MAX_TASKS - 1) / MAX_TASKS);
}

/* A sweep directory's plan: DIR/sweep.json read from the working directory the sweep
 * was started in (.ipvsim-sweep: it, the scenario's directory, the sweep file's name).
 * false (said, exit 2). */
static bool plan_of_dir(struct plan *pl, const char *dir)
{
    memset(pl, 0, sizeof *pl);
    char *absdir = g_canonicalize_filename(dir, NULL);
    char *marker = dir_file(absdir, SWEEP_MARKER), *text = NULL;
    char **lines = g_file_get_contents(marker, &text, NULL, NULL) ? g_strsplit(text, "\n", 4) : NULL;
    bool ok = lines && g_strv_length(lines) >= 3;
    if (!ok)
        fprintf(stderr, "ipvsim sweep: %s: not a sweep's directory (no %s)\n", dir, SWEEP_MARKER);
    if (ok && chdir(lines[0]) != 0) {
        fprintf(stderr, "ipvsim sweep: %s: cannot go to the sweep's working directory %s: %s\n",
                dir, lines[0], g_strerror(errno));
        ok = false;
    }
    char *copy = dir_file(absdir, "sweep.json");
    ok = ok && plan_load(pl, copy, lines[1]);
    if (ok) {
        pl->dir = g_strdup(absdir);
        g_free(pl->name);
        pl->name = g_strdup(lines[2]);
    }
    g_strfreev(lines);
    g_free(copy);
    g_free(text);
    g_free(marker);
    g_free(absdir);
    return ok;
}

static int sweep_main(const struct sweep_opts *opt, const char *path)
{
    bool slurm = strcmp(opt->engine, "slurm") == 0;
    struct plan pl;
    if (!plan_load(&pl, path, NULL)) {
        plan_free(&pl);
        return 2;
    }
    if (opt->outdir) {
        pl.dir = g_strdup(opt->outdir);
        for (size_t n = strlen(pl.dir); n > 1 && pl.dir[n - 1] == '/'; n--)
            pl.dir[n - 1] = '\0';
    } else {
        char *b = g_path_get_basename(path);
        if (g_str_has_suffix(b, ".json"))
            b[strlen(b) - 5] = '\0';
        pl.dir = g_build_filename("results", b, NULL);
        g_free(b);
    }
    guint chunk = chunk_size(&pl, opt->chunk);
    bool fresh;
    int rc = dir_check(&pl, &fresh);
    if (rc == 0 && opt->dry_run) {
        print_plan(&pl, opt, slurm, chunk);
        plan_free(&pl);
        return 0;
    }
    char *sbatch = slurm ? g_find_program_in_path("sbatch") : NULL;
    if (rc == 0 && slurm && !sbatch) {
        fprintf(stderr, "ipvsim sweep: --engine slurm: sbatch is not in PATH (Slurm's commands "
                "are needed, and SLURM_CONF when they do not find their configuration)\n");
        rc = 1;
    }
    g_free(sbatch);
    if (rc == 0 && fresh)
        rc = dir_setup(&pl);
    bool show = !opt->quiet && isatty(STDERR_FILENO);
    if (rc == 0 && !slurm)
        rc = run_range(&pl, 0, pl.nruns, (guint)opt->jobs, show);
    char *hint = g_strdup("");
    if (rc == 0 && slurm) {
        char *absdir = g_canonicalize_filename(pl.dir, NULL), *script = NULL, *job = NULL;
        guint ntasks = 0;
        char *array = pending_tasks(&pl, chunk, &ntasks);
        if (array && !write_script(&pl, absdir, chunk, (guint)opt->task_jobs, array, &script))
            rc = 1;
        if (rc == 0 && array) {
            if (!opt->quiet)
                fprintf(stderr, "ipvsim sweep: submitting %u array tasks (%u runs each at most) "
                        "with sbatch%s\n", ntasks, chunk, opt->no_wait ? "" : " --wait");
            if (!submit(script, opt->slurm_opts, !opt->no_wait, &job))
                rc = 1;
            if (job && *job) {
                char *line = g_strdup_printf("%s\n", job);
                char *sdir = g_build_filename(pl.dir, "slurm", NULL);
                write_file(sdir, "job", line, -1);
                g_free(sdir);
                g_free(line);
                g_free(hint);
                hint = g_strdup_printf("; the tasks' logs: %s/slurm/task-K.out (job %s)", pl.dir, job);
            }
        }
        if (rc == 0 && array && opt->no_wait) {
            printf("submitted job %s: %u array tasks; when it has ended (squeue -j %s shows "
                   "nothing): ipvsim sweep --collect %s\n", job, ntasks, job, pl.dir);
            rc = -1;                /* no collection now */
        }
        g_free(array);
        g_free(script);
        g_free(job);
        g_free(absdir);
    }
    if (rc == 0 || (slurm && rc == 1 && hint[0]))
        rc = collect(&pl, opt->quiet, opt->report, hint);
    g_free(hint);
    plan_free(&pl);
    return rc < 0 ? 0 : rc;
}

static int run_chunk(const struct sweep_opts *opt)
{
    struct plan pl;
    if (!plan_of_dir(&pl, opt->run_chunk)) {
        plan_free(&pl);
        return 2;
    }
    int rc = 0;
    guint chunk = chunk_size(&pl, opt->chunk), from = (guint)opt->task * chunk;
    if (opt->task < 0 || from >= pl.nruns) {
        fprintf(stderr, "ipvsim sweep: --task %d: the sweep in %s has %u chunks of %u runs (0 to "
                "%u)\n", opt->task, pl.dir, (pl.nruns + chunk - 1) / chunk, chunk,
                (pl.nruns + chunk - 1) / chunk - 1);
        rc = 2;
    }
    if (rc == 0)
        rc = run_range(&pl, from, MIN(from + chunk, pl.nruns), (guint)opt->jobs, !opt->quiet);
    plan_free(&pl);
    return rc;
}

static int collect_dir(const struct sweep_opts *opt)
{
    struct plan pl;
    if (!plan_of_dir(&pl, opt->collect)) {
        plan_free(&pl);
        return 2;
    }
    char *job = NULL, *jf = g_build_filename(pl.dir, "slurm", "job", NULL);
    char *hint = g_file_get_contents(jf, &job, NULL, NULL)
                 ? g_strdup_printf("; job %s may still be running (squeue -j %s), its tasks' logs "
                                   "are %s/slurm/task-K.out", g_strstrip(job), job, pl.dir)
                 : g_strdup("");
    int rc = collect(&pl, opt->quiet, opt->report, hint);
    g_free(hint);
    g_free(job);
    g_free(jf);
    plan_free(&pl);
    return rc;
}

/* The options against each other; false with the message printed. */
static bool opts_ok(struct sweep_opts *opt, int argc)
{
    const char *why = NULL;
    int modes = (opt->collect != NULL) + (opt->run_chunk != NULL) + (argc == 2);
    if (modes != 1 || argc > 2)
        why = "expected exactly one SWEEP.json file (or --collect DIR, or --run-chunk DIR)";
    else if (opt->engine && strcmp(opt->engine, "local") != 0 && strcmp(opt->engine, "slurm") != 0)
        why = "--engine: expected local or slurm";
    else if (opt->jobs == 0 || opt->jobs < -1 || opt->jobs > 1024)
        why = "--jobs: expected a number of runs at once from 1 to 1024";
    else if (opt->chunk == 0 || opt->chunk < -1)
        why = "--chunk: expected a number of runs per array task, at least 1";
    else if (opt->run_chunk && opt->task < 0)
        why = "--run-chunk: --task K (the array task's index) is required";
    else if (!opt->run_chunk && opt->task >= 0)
        why = "--task goes with --run-chunk";
    else if ((opt->collect || opt->run_chunk) && (opt->outdir || opt->engine || opt->dry_run ||
                                                  opt->no_wait || opt->slurm_opts))
        why = "--collect and --run-chunk read the sweep from DIR: -o, --engine, --dry-run, "
              "--no-wait and --slurm-opt go with SWEEP.json";
    else if ((!opt->engine || strcmp(opt->engine, "slurm") != 0) &&
             (opt->no_wait || opt->slurm_opts || (opt->chunk > 0 && !opt->run_chunk)))
        why = "--chunk, --slurm-opt and --no-wait go with --engine slurm";
    if (why) {
        fprintf(stderr, "ipvsim sweep: %s\n", why);
        return false;
    }
    if (!opt->engine)
        opt->engine = g_strdup("local");
    opt->task_jobs = opt->jobs > 0 ? opt->jobs : 1;
    if (opt->jobs < 0)
        opt->jobs = opt->run_chunk ? 1 : (gint)MIN(run_pool_cores(), 1024);
    return true;
}

int cmd_sweep(int argc, char **argv)
{
    struct sweep_opts opt = { .jobs = -1, .chunk = -1, .task = -1 };
    GOptionEntry entries[] = {
        { "output", 'o', 0, G_OPTION_ARG_FILENAME, &opt.outdir, "result directory (default results/<sweep file's name>); started again on it, the sweep skips its finished runs", "DIR" },
        { "jobs", 'j', 0, G_OPTION_ARG_INT, &opt.jobs, "runs at once, each in a child process (default the number of cores; with --engine slurm, in each array task, default 1, its --cpus-per-task)", "J" },
        { "engine", 0, 0, G_OPTION_ARG_STRING, &opt.engine, "where the runs run: local (default) or slurm (a job array submitted with sbatch)", "local|slurm" },
        { "chunk", 0, 0, G_OPTION_ARG_INT, &opt.chunk, "slurm: runs per array task (default: at most 100 tasks)", "N" },
        { "slurm-opt", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt.slurm_opts, "slurm: an option for sbatch (e.g. --slurm-opt=--partition=short), repeatable", "OPT" },
        { "no-wait", 0, 0, G_OPTION_ARG_NONE, &opt.no_wait, "slurm: submit and return; collect later with --collect DIR", NULL },
        { "collect", 0, 0, G_OPTION_ARG_FILENAME, &opt.collect, "write runs.csv, summary.csv and the figures of the sweep in DIR from its runs", "DIR" },
        { "run-chunk", 0, 0, G_OPTION_ARG_FILENAME, &opt.run_chunk, "(a Slurm array task's) run chunk --task of the sweep in DIR", "DIR" },
        { "task", 0, 0, G_OPTION_ARG_INT, &opt.task, "with --run-chunk: the chunk's index (the array task's)", "K" },
        { "dry-run", 'n', 0, G_OPTION_ARG_NONE, &opt.dry_run, "print the plan (points, runs, what is finished) and write nothing", NULL },
        { "report", 0, 0, G_OPTION_ARG_NONE, &opt.report, "also write DIR/index.html: the summary, the figures and the files as one page (ipvsim report)", NULL },
        { "quiet", 'q', 0, G_OPTION_ARG_NONE, &opt.quiet, "no progress, no closing line (the summary is still printed)", NULL },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    GOptionContext *ctx = g_option_context_new("SWEEP.json - a scenario over parameter values x schedulers x seeds: runs.csv, summary.csv, figures");
    g_option_context_add_main_entries(ctx, entries, NULL);
    GError *gerr = NULL;
    bool ok = g_option_context_parse(ctx, &argc, &argv, &gerr);
    g_option_context_free(ctx);
    if (!ok) {
        fprintf(stderr, "ipvsim sweep: %s\n", gerr->message);
        g_error_free(gerr);
    }
    int rc = 2;
    if (ok && opts_ok(&opt, argc)) {
        if (opt.run_chunk)
            rc = run_chunk(&opt);
        else if (opt.collect)
            rc = collect_dir(&opt);
        else
            rc = sweep_main(&opt, argv[1]);
    }
    g_free(opt.outdir);
    g_free(opt.engine);
    g_free(opt.collect);
    g_free(opt.run_chunk);
    g_strfreev(opt.slurm_opts);
    return rc;
}
