/* Tasks in child processes, at most J at once, their results gathered by task index.
 *
 * Replications (compare --replications) and, later, sweeps run many independent runs
 * of a scenario; each run is a pure function of its scenario and seed, so they can run
 * side by side on the local cores. Each task runs in a child forked from the caller
 * (the loaded scenario is shared copy-on-write, never loaded again), writes its result
 * as bytes into a pipe and exits; the parent gathers every task's bytes and status
 * under its index. The caller reads them in index order, so what it writes never
 * depends on which child finished first: J = 1 and J = 8 give the same bytes.
 *
 * Signals: SIGINT and SIGTERM (app/run/signals.h) caught by the caller stop the
 * launching of tasks and are passed on to the children under way (SIGTERM), whose
 * runs then stop as a run does; their status says so. */
#ifndef IPVSIM_APP_RUN_POOL_H
#define IPVSIM_APP_RUN_POOL_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

/* One task, in the child: its result appended to out; the return value (0-125) is the
 * child's exit status. */
typedef int (*run_pool_fn)(guint task, void *ctx, GByteArray *out);

struct run_pool_result {
    bool done;                      /* the task ran (its child was started and reaped) */
    int status;                     /* its fn's return value; 126 when the child died of
                                     * a signal or its pipe broke */
    GByteArray *bytes;              /* what fn appended (NULL when not done) */
};

/* Run tasks 0..ntasks-1 with fn, at most jobs children at once, into res[0..ntasks-1].
 * Launching stops after the first task whose status is not 0 (the ones under way
 * finish) and after a caught signal. false when a pipe or a fork failed (why in err;
 * the children started are reaped). Free with run_pool_results_free. */
bool run_pool_map(guint ntasks, guint jobs, run_pool_fn fn, void *ctx,
                  struct run_pool_result *res, char *err, size_t errlen);
void run_pool_results_free(struct run_pool_result *res, guint ntasks);

/* The local cores (the default of --jobs): the processors online, at least 1. */
guint run_pool_cores(void);

#endif
