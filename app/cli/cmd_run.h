/* `ipvsim run SCENARIO [-o DIR] [--seed N] [--set KEY=VALUE]... [--kernel VERSION]
 * [--pcap all|HOST:IFACE]... [--limit KEY=VALUE]... [--trace] [--report] [--quiet]`: one run, its results under results/<name>/. */
#ifndef IPVSIM_APP_CLI_CMD_RUN_H
#define IPVSIM_APP_CLI_CMD_RUN_H

#include <glib.h>
#include "app/cli/cli_args.h"
#include "app/scenario/scenario.h"

struct run_opts {
    char *outdir;
    gboolean trace, quiet, timing, report;
    char **pcaps;
    struct cli_scenario_opts scn;   /* --seed, --set, --limit, --kernel */
};

int cmd_run(int argc, char **argv);

/* Build, run and write one scenario's results into dir (written to a temporary
 * directory and renamed into place). 0 success, 1 results could not be written or
 * the run stopped early (SIGINT/SIGTERM, a limit: the results are written, marked
 * "complete": false), 2 bad input (the message is printed). */
int run_scenario(const struct scenario *s, const struct run_opts *opt, const char *dir);

#endif
