/* Command-line values shared by the commands. */
#include "app/cli/cli_args.h"

#include "model/profile.h"

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

/* "2.6.34, 4.9, 5.10, 6.x": the eras model/profile.c names. */
static GString *era_names(void)
{
    GString *g = g_string_new(NULL);
    for (const struct kernel_profile *const *p = kernel_profiles(); *p; p++)
        g_string_append_printf(g, "%s%s", g->len ? ", " : "", (*p)->name);
    return g;
}

void cli_scenario_options(GOptionGroup *grp, struct cli_scenario_opts *o)
{
    GString *eras = era_names();
    o->kernel = NULL;
    o->kernel_help = g_strdup_printf("kernel version from 2.6.34 to %u.%u (5.15, 4.18.3) or era "
                                     "(%s), instead of the scenario's kernel, as --set kernel=VERSION",
                                     KERNEL_VERSION_NEWEST >> 16, (KERNEL_VERSION_NEWEST >> 8) & 0xff,
                                     eras->str);
    g_string_free(eras, TRUE);
    GOptionEntry entries[] = {
        { "kernel", 'k', 0, G_OPTION_ARG_STRING, &o->kernel, o->kernel_help, "VERSION" },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    g_option_group_add_entries(grp, entries);          /* copies the table */
}

gboolean cli_kernel_value(const char *option, const char *value, GError **error)
{
    char why[320];
    if (kernel_profile_parse(value, why, sizeof why))
        return TRUE;
    g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "%s: %s", option, why);
    return FALSE;
}

gboolean cli_scenario_options_check(const struct cli_scenario_opts *o, GError **error)
{
    return !o->kernel || cli_kernel_value("--kernel", o->kernel, error);
}

void cli_scenario_options_free(struct cli_scenario_opts *o)
{
    g_free(o->kernel);
    g_free(o->kernel_help);
    o->kernel = o->kernel_help = NULL;
}
