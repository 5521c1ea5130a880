/* Scenario files: the loader (scenario_load: JSON with positions, --set overrides,
 * every section, units, cross-references), then, for a scenario that loads, the
 * world builder (run_world_build: hosts, links, routes, sysctls, iptables and
 * ipvsadm lines, hooks, workload, events) and the first simulated moments of the
 * run, with limits on pending events and packets so that every input stays small.
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
#include "app/run_world.h"
#include "app/scenario.h"
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

/* Build the world and run its first moments. */
static void run(const struct scenario *s)
{
    struct run_world rw;
    struct scn_error err;
    if (!run_world_build(&rw, s, NULL, &err)) {
        if (err.msg[0] == '\0') {
            fprintf(stderr, "world refused without a message\n");
            abort();
        }
        return;
    }
    struct sim *sim = &rw.w.sim;
    sim->q.limit = 200000;
    rw.w.pool.limit = 20000;
    sim_time_t end = s->duration < 2 * SEC ? s->duration : 2 * SEC;
    while (sim->now < end && sim->events_run < 20000) {
        sim_time_t next = sim->now + 10 * MSEC;
        sim_run_until(sim, next < end ? next : end);
        if (sim->stop)
            break;
    }
    conv_log_close(&rw.log, sim->now);
    run_world_free(&rw);
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
