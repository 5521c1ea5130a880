/* Command-line values shared by the commands. */
#include "app/cli_args.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

gboolean cli_seed_value(const char *value, guint64 *seed, GError **error)
{
    /* Digits only (no sign, no blanks), and strtoull's range error checked: a seed
     * past the range is refused, never clamped to another run's seed. */
    size_t n = strspn(value, "0123456789");
    errno = 0;
    unsigned long long v = n > 0 && value[n] == '\0' ? strtoull(value, NULL, 10) : 0;
    if (n == 0 || value[n] != '\0' || errno == ERANGE) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "--seed: expected an integer from 0 to %" G_GUINT64_FORMAT ", got '%s'",
                    G_MAXUINT64, value);
        return FALSE;
    }
    *seed = v;
    return TRUE;
}
