/* `ipvsim validate`. */
#include "app/cli/cmd_validate.h"

#include <glib.h>
#include <stdbool.h>
#include <stdio.h>
#include "app/cli/cli_args.h"
#include "app/cli/cmd_check.h"
#include "app/report/expect.h"
#include "app/report/run_output.h"
#include "app/run/run_lint.h"
#include "app/run/run_session.h"
#include "app/scenario/scenario.h"

int cmd_validate(int argc, char **argv)
{
    struct cli_scenario_opts scn;
    GOptionContext *ctx = g_option_context_new("SCENARIO... - parse and check scenario files, run nothing");
    GOptionGroup *grp = g_option_group_new("validate", "", "", NULL, NULL);
    cli_scenario_options(grp, &scn, CLI_OPT_SET | CLI_OPT_KERNEL);
    g_option_context_set_main_group(ctx, grp);
    bool ok = cli_scenario_options_parse(ctx, &argc, &argv, &scn, "validate");
    g_option_context_free(ctx);
    if (!ok || argc < 2) {
        if (ok)
            fprintf(stderr, "usage: ipvsim validate [--set KEY=VALUE]... [--kernel VERSION] SCENARIO...\n");
        cli_scenario_options_free(&scn);
        return 2;
    }
    GPtrArray *ov = cli_scenario_overrides(&scn);
    int failed = 0;
    for (int i = 1; i < argc; i++) {
        struct scenario *s = run_session_load(argv[i], (const char *const *)ov->pdata);
        if (!s) {
            failed++;
            continue;
        }
        /* Everything check would refuse before running: the world is built (its
         * ipvsadm and iptables lines applied), never run. */
        struct run_session rs;
        fflush(stdout);
        struct expect_set *es = check_prepare(s, &rs, false);
        if (es) {
            /* what cannot work: warnings, the exit status stays 0 */
            GPtrArray *warn = g_ptr_array_new_with_free_func(g_free);
            run_world_lint(&rs.rw, warn);
            cJSON *summary = run_summary_json(&rs.rw, -1, true);
            expect_lint(es, summary, warn);
            cJSON_Delete(summary);
            for (guint k = 0; k < warn->len; k++)
                fprintf(stderr, "%s\n", (const char *)g_ptr_array_index(warn, k));
            if (warn->len)
                printf("%s: ok, %u warning%s\n", argv[i], warn->len, warn->len == 1 ? "" : "s");
            else
                printf("%s: ok\n", argv[i]);
            g_ptr_array_free(warn, TRUE);
            expect_detach(es, &rs.rw);
            run_session_close(&rs);
            expect_set_free(es);
        } else {
            failed++;
        }
        scenario_free(s);
    }
    g_ptr_array_free(ov, TRUE);
    cli_scenario_options_free(&scn);
    return failed ? 2 : 0;
}
