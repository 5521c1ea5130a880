/* `ipvsim sweep SWEEP.json [-o DIR] [--jobs J] [--engine local|slurm] [--chunk N]
 * [--slurm-opt OPT]... [--no-wait] [--dry-run] [--quiet]`, `ipvsim sweep --collect DIR`,
 * and the one a Slurm array task runs, `ipvsim sweep --run-chunk DIR --chunk N --task K
 * [--jobs J]`.
 *
 * A sweep (app/scenario/sweep.h) runs its base scenario at every point (a combination
 * of its parameters' values, each given as --set would give it) under every scheduler
 * on every seed. Each run is compare's (app/cli/cmd_compare.h, compare_run_row): the
 * scheduler set on every virtual service, common random numbers per seed.
 *
 * DIR (default results/<sweep file's name>) holds:
 *   sweep.json          a copy of the sweep file: what DIR's runs are runs of;
 *   .ipvsim-sweep       the directory the sweep's "scenario" is relative to (absolute);
 *                       written last when DIR is set up, so that DIR is a sweep's;
 *   runs/PPP-SCHED/SEED/  one run: summary.json, connections.csv, timeseries.csv,
 *                       ipvsadm.txt, events.txt (pcap/ when the sweep says "pcap": true),
 *                       metrics.csv (compare's row of the run), .ipvsim-build (the
 *                       SHA-256 of the ipvsim binary that made it) and the result marker,
 *                       the whole directory renamed into place when the run is complete
 *                       (app/report/outdir.h): a run is finished when its directory is
 *                       there and this binary made it, and a sweep started again skips
 *                       it (a run of another build is run again: a sweep never mixes
 *                       two versions of the model);
 *   runs.csv            one row per run, in plan order (point, scheduler, seed):
 *                       point, each parameter's value, scheduler, seed, each metric;
 *   summary.csv         one row per point and scheduler: the parameters, scheduler, runs,
 *                       and per metric the mean over the seeds and its 95 % Student t
 *                       interval (app/report/stats.h; empty with one seed);
 *   summary.txt         the table printed at the end;
 *   plots/METRIC.*      each metric against the first parameter's values, one line per
 *                       scheduler (and combination of the other parameters), its interval
 *                       a band (plots_write_ci);
 *   slurm/              with --engine slurm: the job script, the job's id, each task's log.
 * Every file but slurm/ is the same bytes whatever the engine and --jobs: each run is a
 * pure function of its point, scheduler and seed, and the files are written from the
 * runs' directories in plan order.
 *
 * --engine local (the default) runs the unfinished runs in child processes, --jobs at a
 * time (app/run/run_pool.h), then collects. --engine slurm writes slurm/sweep.sbatch, a
 * job array with one task per chunk of --chunk runs (default: as many as keep the tasks
 * at 100 or fewer), the chunks with unfinished runs only; each task runs --run-chunk,
 * --jobs runs at once (default 1; the script asks for as many CPUs per task).
 * It submits the script with `sbatch --parsable --wait` (each --slurm-opt added before
 * the script, one argument each), which returns when the job has ended, then collects;
 * with --no-wait it submits and returns, and `ipvsim sweep --collect DIR` collects
 * later. sbatch is found in PATH and reads SLURM_CONF from the environment, as every
 * Slurm command does. The task runs the ipvsim binary that wrote the script (its
 * absolute path) and reads the sweep from DIR: DIR, the base scenario and the binary
 * must be at the same paths on the nodes.
 *
 * Exit status: 0; 2 for a bad sweep file or option (FILE:LINE:COL, nothing written); 1
 * when a run did not finish (a limit, a signal), a file could not be written, or
 * Slurm failed. */
#ifndef IPVSIM_APP_CLI_CMD_SWEEP_H
#define IPVSIM_APP_CLI_CMD_SWEEP_H

int cmd_sweep(int argc, char **argv);

#endif
