/* gnuplot figures of a run or of a comparison, in <dir>/plots/:
 *
 *   active.*        connections open per real server over time (time-averaged per
 *                   bin), the scenario's events and the health checker's actions
 *                   marked; a comparison draws one panel per scheduler
 *   response_cdf.*  response-time CDF of the completed connections, one curve per run
 *   share.*         each real server's share of the conversations scheduled to a
 *                   real server (and of the configured weight), one bar per run
 *   hooks.*         the director's netfilter hook function calls per hook point and
 *                   verdict (nf_verdicts), and under it each NF_DROP's hook point,
 *                   hook function and reason with its count (net->nf_drops)
 *
 * A comparison on several seeds draws instead (plots_write_ci, its runs' metrics only):
 *
 *   response.*      mean, p50, p95, p99 response time per scheduler: the mean over the
 *                   seeds, its 95 % confidence interval as an error bar
 *   share.*         each real server's share per scheduler, the same way
 *
 * Each figure is a .png, an .svg, the .gp script that drew both and the .dat file it
 * reads ("gnuplot NAME.gp" in plots/ draws them again). gnuplot runs without a shell
 * (an argv) for at most 60 s per figure (IPVSIM_PLOT_TIMEOUT); when it is not
 * installed the scripts and data are still written and the figures are skipped; a
 * figure it fails on or does not finish is named in plots/notes.txt. Each figure's
 * data is bounded (event marks merged to at most 40, IPVS samples thinned to 2,000
 * rows), so that gnuplot's time does not grow with the run. Nothing time-dependent goes into any file:
 * the same run gives byte-identical plots. */
#ifndef IPVSIM_APP_REPORT_PLOTS_H
#define IPVSIM_APP_REPORT_PLOTS_H

#include <glib.h>
#include <stdbool.h>
#include "app/report/outdir.h"
#include "app/report/run_output.h"
#include "app/run/run_world.h"
#include "model/netfilter/core.h"

/* One run's data as the figures (and `compare`) need it, kept after its world is gone. */
struct plot_run {
    char *label;                    /* the scheduler, or the scenario's name */
    double *open;                   /* nbins x nservers, row-major: connections open */
    GArray *resp_ns;                /* int64_t, sorted: response times of OK conversations */
    uint64_t *scheduled;            /* conversations sent to each real server (conv->server) */
    uint64_t *completed;            /* of those, the ones that completed (OK) */
    uint64_t verdicts[NF_INET_NUMHOOKS][NF_STOP + 2];   /* the director's hook calls */
    GPtrArray *drop_what;           /* the director's NF_DROP keys, "HOOK FUNCTION: REASON" */
    GArray *drop_count;             /* uint64_t, one per key */
};

struct plot_mark {
    double t_s;
    char *label;
};

struct plot_set {
    char *name;                     /* the scenario's */
    char *subtitle;                 /* "kernel 6.x, seed 42" */
    char *director;                 /* the director's host name */
    guint nservers;
    char **servers;                 /* their names, scenario order */
    double *weights;                /* configured weight per server (the scenario's ipvs
                                     * lines), NULL when no dest has a weight */
    sim_time_t duration, bin;
    guint nbins;
    GArray *marks;                  /* struct plot_mark, by time */
    GPtrArray *runs;                /* struct plot_run * */
    /* IPVS's ActiveConn and InActConn per server, as sampled during a single run
     * (nsamples rows of 2 x nservers values), drawn under the open connections */
    double *ipvs_t;                 /* sample times, s */
    int *ipvs_conns;                /* per row: active, inactive of each server */
    guint nsamples;
};

/* Configured weight per server (scenario order): the sum over the scenario's `ipvsadm
 * -a` lines for its address; NULL when no dest has a weight (g_free it). */
double *plot_config_weights(const struct scenario *s);

/* The layout of a scenario's figures, and its events as marks. */
void plot_set_init(struct plot_set *ps, const struct scenario *s);
/* Add a finished run (conv_log closed). health: also mark the health checker's
 * actions of this run. */
struct plot_run *plot_set_add_run(struct plot_set *ps, const struct run_world *rw,
                                  const char *label, bool health);
/* Keep the sampler's IPVS counters for the connections figure (a single run). */
void plot_set_add_samples(struct plot_set *ps, const struct run_sampler *rs);
void plot_set_free(struct plot_set *ps);

/* Nearest-rank percentile (0 < q <= 1) of sorted values (stats_nearest_rank); 0 when empty. */
double plot_percentile(const GArray *sorted_ns, double q);

enum plots_status {
    PLOTS_DRAWN,                    /* every figure rendered */
    PLOTS_SKIPPED,                  /* no gnuplot: scripts and data only */
    PLOTS_GNUPLOT_FAILED,           /* gnuplot failed or ran out of time on a figure (msg
                                     * says on what; plots/notes.txt names each figure
                                     * not drawn) */
    PLOTS_WRITE_FAILED,             /* a file could not be written */
};

/* Write plots/ under dir: data, scripts, and the figures when gnuplot is there. */
enum plots_status plots_write(const struct plot_set *ps, const char *dir, char *msg, size_t msglen);

/* A figure of means with 95 % confidence intervals (a replicated comparison):
 * categories (rows) on the x axis, a bar per column with its interval as an error bar;
 * with lines (a sweep), the rows are a parameter's values in order and each column a
 * line through its means, its interval a band around it. */
struct plot_ci_fig {
    const char *base, *what, *title, *ylabel;
    const char *xlabel;             /* lines: the parameter */
    bool lines;
    guint nrows, ncols;
    char **rows, **cols;
    double *mean, *lo, *hi;         /* nrows x ncols, row-major */
};

/* Write plots/ under dir with these figures only (a replicated comparison's: its runs
 * are not kept, only their metrics), drawn as plots_write draws. */
enum plots_status plots_write_ci(const struct plot_set *ps, const struct plot_ci_fig *figs,
                                 guint nfigs, const char *dir, char *msg, size_t msglen);

/* A run's figures, into its result directory (the one call from run_scenario, after
 * run_write_outputs). A missing gnuplot or a gnuplot failure is reported on stderr
 * (without quiet for the former) and is not an error; false only when the files
 * could not be written (msg set). */
bool plots_write_run(struct run_world *rw, const struct run_sampler *rs, const struct outdir *o,
                     bool quiet, char *msg, size_t msglen);

#endif
