/* Command-line values more than one command reads the same way. */
#ifndef IPVSIM_APP_CLI_CLI_ARGS_H
#define IPVSIM_APP_CLI_CLI_ARGS_H

#include <glib.h>

/* --seed N: a decimal integer from 0 to 2^64 - 1 (the range of a scenario's "seed")
 * into *seed; FALSE with a GOptionError that says the range otherwise. */
gboolean cli_seed_value(const char *value, guint64 *seed, GError **error);

/* The options of every command that loads a scenario (run, check, trace, compare,
 * validate, hooks), defined here once: --kernel VERSION (-k; a version or an era)
 * replaces the scenario's "kernel" as --set kernel=VERSION would, after the --set
 * ones. */
struct cli_scenario_opts {
    char *kernel;                   /* --kernel VERSION, or NULL */
    char *kernel_help;              /* its help line (names the eras) */
};

/* Add them to the command's main group (g_option_context_get_main_group). */
void cli_scenario_options(GOptionGroup *grp, struct cli_scenario_opts *o);
/* After parsing: FALSE with a GOptionError ("--kernel: expected a kernel version
 * ... got 'X'") when the kernel is neither a version in range nor an era. */
gboolean cli_scenario_options_check(const struct cli_scenario_opts *o, GError **error);
/* The same check for any option naming a kernel (OPTION: the message's prefix). */
gboolean cli_kernel_value(const char *option, const char *value, GError **error);
void cli_scenario_options_free(struct cli_scenario_opts *o);

#endif
