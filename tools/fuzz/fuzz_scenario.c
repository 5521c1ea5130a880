/* Scenario files: the loader (scenario_load: JSON with positions, --set overrides,
 * every section, units, cross-references), then, for a scenario that loads, the
 * world builder (run_world_build: hosts, links, routes, sysctls, iptables and
 * ipvsadm lines, hooks, workload, events), the run up to the scenario's end or
 * RUN_EVENTS events (so that services complete, timers and timeouts fire), and the
 * writing of its results into a temporary directory, with limits on pending events
 * and packets so that every input stays small.
 *
 * Input: the file's text; after a NUL byte, one --set override per line. The file is
 * written to a private directory under /tmp (scenario_load reads a path; trace files
 * are relative to it). Checks beyond the sanitizers: a refused scenario always says
 * why, at a position inside the text. */
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "app/report/outdir.h"
#include "app/run/run_limits.h"
#include "app/report/run_output.h"
#include "app/run/run_world.h"
#include "app/scenario/scenario.h"
#include "tools/fuzz/fuzz.h"

static char *dir, *path;

static void cleanup(void)
{
    if (path)
        g_unlink(path);
    if (dir)
        g_rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    dir = g_dir_make_tmp("ipvsim-fuzz-XXXXXX", NULL);
    if (!dir)
        abort();
    path = g_build_filename(dir, "fuzz.json", NULL);
    atexit(cleanup);
    return 0;
}

static void check_error(const struct scn_error *err, const char *text, size_t len)
{
    if (err->msg[0] == '\0') {
        fprintf(stderr, "scenario refused without a message\n");
        abort();
    }
    if (err->pos.line < 0 || err->pos.col < 0 || (size_t)err->pos.line > len + 1) {
        fprintf(stderr, "scenario error at %d:%d outside the text: %s\n", err->pos.line,
                err->pos.col, err->msg);
        abort();
    }
}

/* At most this many events per input: the run goes on to the scenario's end (its
 * clock jumps over idle time, so requests are served and their completions, timers
 * and timeouts run even when they are hours away), unless it needs more. */
#define RUN_EVENTS 30000

/* Build the world, run it, and write its results (summary.json, connections.csv,
 * timeseries, the scenario's captures) as `ipvsim run` does, into a result directory
 * under the private one, removed afterwards. No figures (gnuplot per input would be
 * far too slow; app/report/plots.c writes from the same data). */
static void run(const struct scenario *s)
{
    struct outdir o;
    char err[600];
    char *final = g_build_filename(dir, "result", NULL);
    if (outdir_begin(&o, final, err, sizeof err) != 0) {
        fprintf(stderr, "cannot create the result directory: %s\n", err);
        abort();
    }
    g_free(final);
    char *pcap_dir = outdir_path(&o, "pcap");
    struct run_world rw;
    struct scn_error serr;
    bool built = run_world_build(&rw, s, pcap_dir, &serr);
    g_free(pcap_dir);
    if (!built) {
        if (serr.msg[0] == '\0') {
            fprintf(stderr, "world refused without a message\n");
            abort();
        }
        outdir_abort(&o);
        return;
    }
    run_limits_apply(&rw);
    struct sim *sim = &rw.w.sim;
    sim->q.limit = 200000;              /* every input stays small */
    rw.w.pool.limit = 20000;
    struct run_sampler rs;
    /* at most about 100 samples, so that a long scenario's events are its own */
    sim_time_t every = s->duration / 100 > SEC ? s->duration / 100 : SEC;
    run_sampler_start(&rs, &rw, every);
    /* From event to event (never through empty simulated time), 10 ms at a time. */
    while (!sim->stop && sim->events_run < RUN_EVENTS) {
        sim_time_t next = evq_peek_time(&sim->q);
        if (next > s->duration)
            break;
        sim_run_until(sim, next > s->duration - 10 * MSEC ? s->duration : next + 10 * MSEC);
    }
    if (!sim->stop && sim->now < s->duration && evq_peek_time(&sim->q) > s->duration)
        sim->now = s->duration;
    conv_log_close(&rw.log, sim->now);
    bool complete = sim->now >= s->duration && !sim->stop;
    rw.stopped_by = complete ? NULL : "limits.events";
    if (!run_write_outputs(&rw, &rs, &o, -1, complete, err, sizeof err)) {
        fprintf(stderr, "writing the results failed: %s\n", err);
        abort();
    }
    run_sampler_free(&rs);
    run_world_free(&rw);
    outdir_abort(&o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536)
        return 0;
    const uint8_t *nul = memchr(data, 0, size);
    size_t len = nul ? (size_t)(nul - data) : size;
    if (!g_file_set_contents(path, (const char *)data, (gssize)len, NULL))
        abort();
    char **sets = NULL;
    if (nul) {
        char *rest = fuzz_cstr(nul + 1, size - len - 1);
        sets = g_strsplit(rest, "\n", 16);
        g_free(rest);
    }
    struct scn_error err;
    struct scenario *s = scenario_load(path, (const char *const *)sets, &err);
    if (!s)
        check_error(&err, (const char *)data, len);
    else
        run(s);
    scenario_free(s);
    g_strfreev(sets);
    return 0;
}
