/* ipvsim: the command line. Exit status: 0 success, 1 an expectation failed (or a
 * run could not write its results, or a limit or a signal stopped a run), 2 bad input
 * or usage. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include "app/cli/cmd_compare.h"
#include "app/cli/cmd_sched.h"
#include "app/cli/cmd_sweep.h"
#include "app/cli/cmd_validate.h"
#include "app/cli/cmd_check.h"
#include "app/cli/cmd_hooks.h"
#include "app/cli/cmd_import.h"
#include "app/cli/cmd_kernel_check.h"
#include "app/cli/cmd_report.h"
#include "app/cli/cmd_run.h"
#include "app/cli/cmd_trace.h"
#include "app/run/demo.h"

#define IPVSIM_VERSION "0.1.0"

struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *help;
};

static const struct command commands[] = {
    { "run", cmd_run, "run a scenario and write its results (results/<name>/)" },
    { "compare", cmd_compare, "the same arrivals under each scheduler: table, comparison.csv, plots" },
    { "report", cmd_report, "write RESULTS_DIR/index.html: a run's or a comparison's results as one page" },
    { "sweep", cmd_sweep, "a scenario over parameter values x schedulers x seeds, locally or on Slurm" },
    { "demo", cmd_demo, "client -> router -> server example with pcap on every interface" },
    { "trace", cmd_trace, "every packet's walk: stack functions, hook calls and verdicts, IPVS decisions" },
    { "check", cmd_check, "run scenarios and check their expectations (exit 1 if one fails)" },
    { "hooks", cmd_hooks, "hook functions at each hook point in traversal order (--kernel VERSION, --diff VERSION)" },
    { "sched", cmd_sched, "scheduler playground: the dest each new connection gets" },
    { "validate", cmd_validate, "parse and check scenario files (FILE: ok, or FILE:LINE:COL: error)" },
    { "import", cmd_import, "a scenario made of a keepalived.conf (import keepalived FILE [-o SCENARIO.json])" },
    { "kernel-check", cmd_kernel_check, "replay a scenario on the real 6.1 kernel in QEMU and compare (tools/kernel-check)" },
};

static void usage(FILE *f)
{
    fprintf(f, "usage: ipvsim COMMAND [OPTIONS]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].help);
    fprintf(f, "\n'ipvsim COMMAND --help' for a command's options; 'ipvsim --version'.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("ipvsim %s\n", IPVSIM_VERSION);
        return 0;
    }
    /* Past a file size limit (ulimit -f) a write fails with EFBIG and is reported
     * with the file's name, instead of the default SIGXFSZ killing the run and
     * leaving its temporary directory behind. */
    signal(SIGXFSZ, SIG_IGN);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "ipvsim: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
