/* Command-line values more than one command reads the same way. */
#ifndef IPVSIM_APP_CLI_ARGS_H
#define IPVSIM_APP_CLI_ARGS_H

#include <glib.h>

/* --seed N: a decimal integer from 0 to 2^64 - 1 (the range of a scenario's "seed")
 * into *seed; FALSE with a GOptionError that says the range otherwise. */
gboolean cli_seed_value(const char *value, guint64 *seed, GError **error);

/* The options of every command that loads a scenario (run, check, trace, compare,
 * validate, hooks), defined here once: --kernel ERA (-k) replaces the scenario's
 * "kernel" as --set kernel=ERA would, after the --set ones. */
struct cli_scenario_opts {
    char *kernel;                   /* --kernel ERA, or NULL */
    char *kernel_help;              /* its help line (names the eras) */
};

/* Add them to the command's main group (g_option_context_get_main_group). */
void cli_scenario_options(GOptionGroup *grp, struct cli_scenario_opts *o);
/* After parsing: FALSE with a GOptionError ("--kernel: unknown era 'X' (expected one
 * of: 2.6.34, ...)") when a value is wrong. */
gboolean cli_scenario_options_check(const struct cli_scenario_opts *o, GError **error);
void cli_scenario_options_free(struct cli_scenario_opts *o);

#endif
