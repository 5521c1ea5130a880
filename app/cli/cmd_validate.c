/* `ipvsim validate`. */
#include "app/cli/cmd_validate.h"

#include <glib.h>
#include <stdbool.h>
#include <stdio.h>
#include "app/cli/cli_args.h"
#include "app/cli/cmd_check.h"
#include "app/cli/cmd_trace.h"
#include "app/report/expect.h"
#include "app/run/run_world.h"
#include "app/scenario/scenario.h"

int cmd_validate(int argc, char **argv)
{
    char **sets = NULL;
    struct cli_scenario_opts scn;
    GOptionEntry entries[] = {
        { "set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &sets,
          "change a value before checking (repeatable), e.g. --set clients.0.count=100", "KEY=VALUE" },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    GOptionContext *ctx = g_option_context_new("SCENARIO... - parse and check scenario files, run nothing");
    g_option_context_add_main_entries(ctx, entries, NULL);
    cli_scenario_options(g_option_context_get_main_group(ctx), &scn);
    GError *gerr = NULL;
    bool ok = g_option_context_parse(ctx, &argc, &argv, &gerr) &&
              cli_scenario_options_check(&scn, &gerr);
    g_option_context_free(ctx);
    if (!ok || argc < 2) {
        if (!ok)
            fprintf(stderr, "ipvsim validate: %s\n", gerr->message);
        else
            fprintf(stderr, "usage: ipvsim validate [--set KEY=VALUE]... [--kernel VERSION] SCENARIO...\n");
        g_clear_error(&gerr);
        g_strfreev(sets);
        cli_scenario_options_free(&scn);
        return 2;
    }
    GPtrArray *ov = cmdline_overrides(sets, NULL, scn.kernel, NULL);
    int failed = 0;
    for (int i = 1; i < argc; i++) {
        struct scn_error err;
        struct scenario *s = scenario_load(argv[i], (const char *const *)ov->pdata, &err);
        if (!s) {
            fflush(stdout);
            scn_error_print(&err);
            failed++;
            continue;
        }
        scenario_print_warnings(s);
        /* Everything check would refuse before running: the world is built (its
         * ipvsadm and iptables lines applied), never run. */
        struct run_world rw;
        fflush(stdout);
        struct expect_set *es = check_prepare(s, &rw, false);
        if (es) {
            printf("%s: ok\n", argv[i]);
            expect_detach(es, &rw);
            run_world_free(&rw);
            expect_set_free(es);
        } else {
            failed++;
        }
        scenario_free(s);
    }
    g_ptr_array_free(ov, TRUE);
    g_strfreev(sets);
    cli_scenario_options_free(&scn);
    return failed ? 2 : 0;
}
