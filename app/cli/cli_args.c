/* Command-line values shared by the commands. */
#include "app/cli/cli_args.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app/run/run_limits.h"
#include "model/profile.h"

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

void cli_scenario_options(GOptionGroup *grp, struct cli_scenario_opts *o, unsigned which)
{
    memset(o, 0, sizeof *o);
    GString *eras = era_names();
    o->kernel_help = g_strdup_printf("kernel version from 2.6.34 to %u.%u (5.15, 4.18.3) or era "
                                     "(%s), instead of the scenario's kernel, as --set kernel=VERSION",
                                     KERNEL_VERSION_NEWEST >> 16, (KERNEL_VERSION_NEWEST >> 8) & 0xff,
                                     eras->str);
    g_string_free(eras, TRUE);
    const struct {
        unsigned opt;
        GOptionEntry entry;
    } table[] = {
        { CLI_OPT_SEED, { "seed", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->seed_texts,
                          "the run's seed (overrides the scenario's)", "N" } },
        { CLI_OPT_SET, { "set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->sets,
                         "override a scenario value (dotted path)", "KEY=VALUE" } },
        { CLI_OPT_LIMIT, { "limit", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->limits,
                           "a limit: " RUN_LIMIT_KEYS " (as --set limits.KEY=VALUE)", "KEY=VALUE" } },
        { CLI_OPT_KERNEL, { "kernel", 'k', 0, G_OPTION_ARG_STRING, &o->kernel, o->kernel_help,
                            "VERSION" } },
    };
    GOptionEntry entries[G_N_ELEMENTS(table) + 1];
    size_t n = 0;
    for (size_t i = 0; i < G_N_ELEMENTS(table); i++)
        if (which & table[i].opt)
            entries[n++] = table[i].entry;
    entries[n] = (GOptionEntry){ NULL, 0, 0, 0, NULL, NULL, NULL };
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

/* One --seed, and not a list: the runs of several seeds are compare's --seeds. */
static gboolean one_seed(struct cli_scenario_opts *o, GError **error)
{
    guint n = o->seed_texts ? g_strv_length(o->seed_texts) : 0;
    if (n > 1) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "--seed given %u times ('%s', then '%s'): a run has one seed; to run "
                    "several, use compare --seeds LIST|A-B or --replications N", n,
                    o->seed_texts[0], o->seed_texts[1]);
        return FALSE;
    }
    if (n == 1 && o->seed_texts[0][0] && strspn(o->seed_texts[0], "0123456789") > 0 &&
        strspn(o->seed_texts[0], "0123456789,- ") == strlen(o->seed_texts[0]) &&
        strpbrk(o->seed_texts[0], ",-")) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "--seed takes one seed, got the list '%s': to run several, use compare "
                    "--seeds %s", o->seed_texts[0], o->seed_texts[0]);
        return FALSE;
    }
    g_free(o->seed_text);
    o->seed_text = n ? g_strdup(o->seed_texts[0]) : NULL;
    return TRUE;
}

/* --kernel A,B where the command takes a list: each one checked. */
static gboolean kernel_list_value(const char *value, GError **error)
{
    char **eras = g_strsplit(value, ",", -1);
    gboolean ok = TRUE;
    for (int i = 0; ok && eras[i]; i++)
        ok = cli_kernel_value("--kernel", eras[i], error);
    g_strfreev(eras);
    return ok;
}

gboolean cli_scenario_options_check(struct cli_scenario_opts *o, GError **error)
{
    return (!o->kernel || (o->kernel_list && strchr(o->kernel, ',')
                               ? kernel_list_value(o->kernel, error)
                               : cli_kernel_value("--kernel", o->kernel, error))) &&
           one_seed(o, error) &&
           (!o->seed_text || cli_seed_value(o->seed_text, &o->seed, error));
}

bool cli_scenario_options_parse(GOptionContext *ctx, int *argc, char ***argv,
                                struct cli_scenario_opts *o, const char *cmd)
{
    GError *gerr = NULL;
    if (!g_option_context_parse(ctx, argc, argv, &gerr) || !cli_scenario_options_check(o, &gerr)) {
        fprintf(stderr, "ipvsim %s: %s\n", cmd, gerr->message);
        g_error_free(gerr);
        return false;
    }
    return run_limits_args_ok(cmd, o->limits);
}

GPtrArray *cmdline_overrides(char **sets, char **limits, const char *era, const guint64 *seed)
{
    GPtrArray *ov = g_ptr_array_new_with_free_func(g_free);
    for (int i = 0; sets && sets[i]; i++)
        g_ptr_array_add(ov, g_strdup(sets[i]));
    for (int i = 0; limits && limits[i]; i++)
        g_ptr_array_add(ov, g_strconcat("limits.", limits[i], NULL));
    if (era)
        g_ptr_array_add(ov, g_strdup_printf("kernel=\"%s\"", era));
    if (seed)
        g_ptr_array_add(ov, g_strdup_printf("seed=%" G_GUINT64_FORMAT, *seed));
    g_ptr_array_add(ov, NULL);
    return ov;
}

GPtrArray *cli_scenario_overrides(const struct cli_scenario_opts *o)
{
    return cmdline_overrides(o->sets, o->limits, o->kernel, o->seed_text ? &o->seed : NULL);
}

void cli_scenario_options_free(struct cli_scenario_opts *o)
{
    g_free(o->seed_text);
    g_strfreev(o->seed_texts);
    g_strfreev(o->sets);
    g_strfreev(o->limits);
    g_free(o->kernel);
    g_free(o->kernel_help);
    memset(o, 0, sizeof *o);
}
