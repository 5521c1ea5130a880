/* Command-line values more than one command reads the same way. */
#ifndef IPVSIM_APP_CLI_ARGS_H
#define IPVSIM_APP_CLI_ARGS_H

#include <glib.h>

/* --seed N: a non-negative decimal integer into *seed; FALSE with a GOptionError
 * ("--seed: expected a non-negative integer, got '...'") otherwise. */
gboolean cli_seed_value(const char *value, gint64 *seed, GError **error);

#endif
