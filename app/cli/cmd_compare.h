/* `ipvsim compare SCENARIO --schedulers rr,wlc,mh [-o DIR] [--seed N] [--set KEY=VALUE]...
 * [--limit KEY=VALUE]... [--kernel VERSION] [--quiet] [--replications N | --seeds LIST|A-B]
 * [--baseline SCHED] [--jobs J]`: the scenario once per scheduler,
 * with the same seed (every random stream is named after its entity, so the arrivals,
 * sizes and service times are the same draws: common random numbers). Each run sets
 * the scheduler of every virtual service (the `-A`/`-E` lines of "ipvs" and of ipvsadm
 * events) as a value on the parsed lines, as if each said `-s SCHED`
 * (run_world_cfg.sched): the scenario is loaded once.
 *
 * Prints a table and writes DIR/comparison.csv, DIR/comparison.txt (the table) and
 * DIR/plots/ (default DIR: results/<name>-compare), one row per scheduler:
 *   connections, ok, failed (refused + reset + timeout + unreachable + addrnotavail),
 *   each outcome, unfinished;
 *   mean, p50, p95, p99 response time of the completed connections (ms, nearest rank);
 *   scheduled_<server>: the conversations sent to the server (IPVS scheduled them to
 *     it, the last time when it scheduled one again; failed ones included);
 *   completed_<server>: of those, the ones that completed (OK);
 *   share_<server>: scheduled_<server> / the sum of scheduled_* (the table's
 *     "<server> %"; "<server> ok%" is completed_<server> / scheduled_<server>);
 *   load_<server>: connections open on it, time-averaged over the run, per worker;
 *   imbalance: max / mean of the servers' load (1 = even);
 *   drops by reason, summed over every host and link (link queue full, link loss,
 *   IP header errors, address errors, IP in/out discards, netfilter NF_DROP verdicts);
 *   remapped (sh, mh and dh only, when the scenario has a failure event): of the client
 *   addresses served both before the first failure event (server_down, server_refuse,
 *   an ipvsadm -d, or -e to weight 0) and after it (until the next server_up or
 *   ipvsadm -a / -e to a positive weight), the share whose server changed: the last
 *   server before against the last one after.
 *
 * The table ends with a line saying that one seed is one sample.
 *
 * With several seeds (--replications N: the seed and the N - 1 after it; --seeds LIST|A-B)
 * every (scheduler, seed) run is a child process (app/run/run_pool.h, --jobs J at a time,
 * default the cores) that sends its row back; the rows are gathered by (scheduler, seed),
 * so any J writes the same bytes. The table and DIR/comparison.csv then give per
 * scheduler and metric (mean, p50, p95, p99, failed, imbalance, share_<server>) the mean
 * over the seeds with its 95 % Student t interval, and the paired difference against
 * --baseline (default the first scheduler) with its interval and verdict (better / worse /
 * no significant difference; higher / lower for shares) (app/report/stats.h);
 * DIR/runs.csv holds every run's row (the single-seed columns, seed after scheduler);
 * DIR/plots/ holds response and share, the means with error bars.
 *
 * Every row compares whole runs: when a limit or a signal stops one (app/run/run_limits.h),
 * compare stops there, says which scheduler's run was cut short (and its seed), writes
 * nothing (DIR is left as it was) and exits 1. */
#ifndef IPVSIM_APP_CLI_CMD_COMPARE_H
#define IPVSIM_APP_CLI_CMD_COMPARE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include "app/scenario/scenario.h"
#include "model/apps/workload.h"

int cmd_compare(int argc, char **argv);

/* The virtual services whose scheduler each run sets: the -A and -E lines of the
 * scenario's "ipvs" (0: compare has nothing to compare). */
unsigned compare_services(const struct scenario *s);

/* The first failure event and the next recovery after it (INT64_MAX when none);
 * false when the scenario has no failure event. */
bool compare_failure_window(const struct scenario *s, sim_time_t *t_fail, sim_time_t *t_next);

/* Client addresses served before t_fail and in [t_fail, t_next): how many (*base), and
 * how many of them changed server (*moved), last server against last server. */
void compare_remap(const struct conv_log *log, sim_time_t t_fail, sim_time_t t_next,
                   uint64_t *moved, uint64_t *base);

/* One run of a replicated comparison, in the calling process (a child of run_pool):
 * s under sched with the seed, its row of metrics appended to out (the bytes the
 * parent unpacks). 0; 1 when a limit or a signal stopped it (out: why, a NUL, the
 * hint); 2 when it does not build (said). s->seed is changed: call it in a child. */
int compare_run_metrics(struct scenario *s, const char *sched, guint64 seed, bool window,
                        sim_time_t t_fail, sim_time_t t_next, GByteArray *out);

/* One run of a sweep (ipvsim sweep), in the calling process: s under sched with its
 * seed, to its end; its row appended to csv as two lines, the header and the values,
 * with the columns of a replicated comparison's runs.csv (scheduler, seed, connections,
 * ...); its usual result files (summary.json, connections.csv, timeseries.csv,
 * ipvsadm.txt, events.txt; the scenario's captures when pcap) into o's temporary
 * directory. 0; 1 when a limit or a signal stopped it (*stopped, *hint say why; g_free
 * *stopped); 2 when it does not build (said); 3 when a file could not be written (err). */
struct outdir;
int compare_run_row(const struct scenario *s, const char *sched, const struct outdir *o, bool pcap,
                    GString *csv, char **stopped, const char **hint, char *err, size_t errlen);

/* The columns of that row for s (NULL-terminated; g_strfreev). */
char **compare_row_columns(const struct scenario *s);

/* --seeds: "1-10", "1,5,9", "1-3,7" appended to seeds (guint64); false with a
 * GOptionError on a bad item, a range A-B with B < A, a seed listed twice or more
 * than 10000 seeds. */
bool compare_seed_list(const char *text, GArray *seeds, GError **error);

/* max / mean of n loads; 0 when they are all 0. */
double compare_imbalance(const double *load, guint n);

#endif
