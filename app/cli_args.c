/* Command-line values shared by the commands. */
#include "app/cli_args.h"

gboolean cli_seed_value(const char *value, gint64 *seed, GError **error)
{
    char *end;
    long long v = g_ascii_strtoll(value, &end, 10);
    if (*value == '\0' || *end != '\0' || v < 0) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "--seed: expected a non-negative integer, got '%s'", value);
        return FALSE;
    }
    *seed = v;
    return TRUE;
}
