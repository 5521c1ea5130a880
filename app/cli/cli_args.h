/* Command-line values more than one command reads the same way. */
#ifndef IPVSIM_APP_CLI_CLI_ARGS_H
#define IPVSIM_APP_CLI_CLI_ARGS_H

#include <glib.h>
#include <stdbool.h>

/* --seed N: a decimal integer from 0 to 2^64 - 1 (the range of a scenario's "seed")
 * into *seed; FALSE with a GOptionError that says the range otherwise. */
gboolean cli_seed_value(const char *value, guint64 *seed, GError **error);

/* The options of every command that runs a scenario (run, check, trace, compare),
 * defined here once, with one help text each:
 *   --seed N            the run's seed instead of the scenario's (--set seed=N, last);
 *   --set KEY=VALUE     a scenario value (dotted path), repeatable;
 *   --limit KEY=VALUE   a limit (app/run/run_limits.h), as --set limits.KEY=VALUE
 *                       after the --set ones;
 *   --kernel VERSION    (-k) a version or an era instead of the scenario's "kernel",
 *                       as --set kernel=VERSION after those.
 * A command that loads a scenario without running it takes some of them (validate:
 * --set and --kernel; hooks: --kernel). */
enum cli_scenario_option {
    CLI_OPT_SEED = 1 << 0,
    CLI_OPT_SET = 1 << 1,
    CLI_OPT_LIMIT = 1 << 2,
    CLI_OPT_KERNEL = 1 << 3,
    CLI_OPTS_RUN = CLI_OPT_SEED | CLI_OPT_SET | CLI_OPT_LIMIT | CLI_OPT_KERNEL,
};

struct cli_scenario_opts {
    char **seed_texts;              /* every --seed given (one is allowed) */
    char *seed_text;                /* --seed N as given, or NULL */
    guint64 seed;                   /* its value (cli_scenario_options_check) */
    char **sets;                    /* --set KEY=VALUE..., or NULL */
    char **limits;                  /* --limit KEY=VALUE..., or NULL */
    char *kernel;                   /* --kernel VERSION, or NULL */
    bool kernel_list;               /* set by the command before parsing: --kernel may
                                     * be VERSION,VERSION (each checked) */
    char *kernel_help;              /* its help line (names the eras) */
};

/* Add the options of which (CLI_OPT_*) to the command's main group
 * (g_option_context_get_main_group, or the group set as main), in the order above,
 * so that `ipvsim COMMAND --help` shows them. */
void cli_scenario_options(GOptionGroup *grp, struct cli_scenario_opts *o, unsigned which);
/* After parsing: FALSE with a GOptionError when --kernel is neither a version in
 * range nor an era ("--kernel: ..."), or --seed is not a seed ("--seed: expected an
 * integer from 0 to ..."), is a list (1,2,3 or 1-3), or is given twice (a run has one
 * seed: GLib would keep the last silently; compare --seeds runs several). */
gboolean cli_scenario_options_check(struct cli_scenario_opts *o, GError **error);
/* g_option_context_parse, then cli_scenario_options_check, then the --limit keys
 * (run_limits_args_ok): false with "ipvsim CMD: ..." printed on any error. */
bool cli_scenario_options_parse(GOptionContext *ctx, int *argc, char ***argv,
                                struct cli_scenario_opts *o, const char *cmd);
/* The scenario overrides they make (cmdline_overrides), NULL-terminated: free with
 * g_ptr_array_free(a, TRUE). */
GPtrArray *cli_scenario_overrides(const struct cli_scenario_opts *o);
/* The same check for any option naming a kernel (OPTION: the message's prefix). */
gboolean cli_kernel_value(const char *option, const char *value, GError **error);
void cli_scenario_options_free(struct cli_scenario_opts *o);

/* The scenario overrides of a command line: each --set, then limits.KEY=VALUE for
 * each --limit KEY=VALUE, then kernel="ERA" (when era is not NULL), then seed=N (when
 * seed is not NULL); NULL-terminated, free with g_ptr_array_free(a, TRUE). */
GPtrArray *cmdline_overrides(char **sets, char **limits, const char *era, const guint64 *seed);

#endif
