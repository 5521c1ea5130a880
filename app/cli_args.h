/* Command-line values more than one command reads the same way. */
#ifndef IPVSIM_APP_CLI_ARGS_H
#define IPVSIM_APP_CLI_ARGS_H

#include <glib.h>

/* --seed N: a decimal integer from 0 to 2^64 - 1 (the range of a scenario's "seed")
 * into *seed; FALSE with a GOptionError that says the range otherwise. */
gboolean cli_seed_value(const char *value, guint64 *seed, GError **error);

#endif
