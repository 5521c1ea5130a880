/* `ipvsim check`. */
#include "app/cmd_check.h"

#include <stdio.h>
#include "app/cmd_trace.h"
#include "app/expect.h"
#include "app/fingerprint.h"
#include "app/run_limits.h"
#include "app/run_world.h"
#include "app/signals.h"
#include "model/net.h"
#include "model/profile.h"

struct expect_set *check_prepare(const struct scenario *s, struct run_world *rw,
                                 bool all_fingerprints)
{
    struct scn_error err;
    struct expect_set *es = expect_parse(s, &err);
    if (!es) {
        scn_error_print(&err);
        return NULL;
    }
    if (!run_world_build(rw, s, NULL, NULL, &err)) {
        scn_error_print(&err);
        expect_set_free(es);
        return NULL;
    }
    if (!expect_attach(es, rw, all_fingerprints, &err)) {
        scn_error_print(&err);
        expect_detach(es, rw);
        run_world_free(rw);
        expect_set_free(es);
        return NULL;
    }
    return es;
}

int check_scenario(const struct scenario *s, bool print_fingerprint, bool colour, GString *out)
{
    struct run_world rw;
    struct expect_set *es = check_prepare(s, &rw, print_fingerprint);
    if (!es)
        return 2;
    run_limits_apply(&rw);
    run_world_run(&rw);
    conv_log_close(&rw.log, rw.w.sim.now);
    expect_detach(es, &rw);
    int rc = 0;
    const char *hint;
    char *stopped = run_stopped_text(&rw, &hint);
    if (stopped && print_fingerprint) {
        /* a part of the run's fingerprint is not one to pin */
        fprintf(stderr, "ipvsim check: %s: run incomplete: %s; no fingerprint printed%s\n",
                s->path, stopped, hint);
        rc = 1;
    } else if (print_fingerprint) {
        for (guint i = 0; i < rw.w.hosts->len; i++) {
            const struct host *h = g_ptr_array_index(rw.w.hosts, i);
            uint64_t v, calls;
            char buf[17];
            if (expect_fingerprint_of(es, h, &v, &calls) && calls > 0)
                g_string_append_printf(out, "{ \"fingerprint\": \"%s\", \"host\": \"%s\" }\n",
                                       fp_format(v, buf), h->name);
        }
    } else {
        unsigned n = expect_count(es);
        g_string_append_printf(out, "%s: %s, kernel %s, seed %llu, %u expectation%s\n", s->path,
                               s->name, host_net(rw.director)->prof->name,
                               (unsigned long long)s->seed, n, n == 1 ? "" : "s");
        if (stopped) {                          /* never a pass on a part of the run */
            g_string_append_printf(out, "%s: run incomplete: %s; %u expectation%s not checked%s\n",
                                   s->path, stopped, n, n == 1 ? "" : "s", hint);
            rc = 1;
        } else {
            unsigned failed = expect_evaluate(es, &rw, out, colour);
            g_string_append_printf(out, "%s: %u passed, %u failed\n", s->path, n - failed, failed);
            rc = failed ? 1 : 0;
        }
    }
    g_free(stopped);
    run_world_free(&rw);
    expect_set_free(es);
    return rc;
}

int cmd_check(int argc, char **argv)
{
    gboolean print_fp = FALSE;
    gint64 seed = -1;
    char **sets = NULL, **limits = NULL;
    GOptionEntry entries[] = {
        { "print-fingerprint", 0, 0, G_OPTION_ARG_NONE, &print_fp,
          "print each host's traversal fingerprint (to pin in the expect array) instead of checking", NULL },
        { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "the run's seed (overrides the scenario's)", "N" },
        { "set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &sets, "override a scenario value (dotted path)", "KEY=VALUE" },
        { "limit", 0, 0, G_OPTION_ARG_STRING_ARRAY, &limits, "a limit: " RUN_LIMIT_KEYS " (as --set limits.KEY=VALUE)", "KEY=VALUE" },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    GOptionContext *ctx = g_option_context_new("SCENARIO... - run scenarios and check their expectations");
    g_option_context_add_main_entries(ctx, entries, NULL);
    GError *gerr = NULL;
    bool ok = g_option_context_parse(ctx, &argc, &argv, &gerr);
    g_option_context_free(ctx);
    if (!ok || argc < 2 || seed < -1 || !run_limits_args_ok("check", limits)) {
        if (!ok)
            fprintf(stderr, "ipvsim check: %s\n", gerr->message);
        else if (argc < 2)
            fprintf(stderr, "usage: ipvsim check [--print-fingerprint] [--seed N] [--set KEY=VALUE]... [--limit KEY=VALUE]... SCENARIO...\n");
        else if (seed < -1)
            fprintf(stderr, "ipvsim check: --seed: expected a non-negative integer\n");
        g_clear_error(&gerr);
        g_strfreev(sets);
        g_strfreev(limits);
        return 2;
    }
    bool colour = stdout_wants_colour();
    GPtrArray *ov = cmdline_overrides(sets, limits, NULL, seed);
    int worst = 0;
    signals_install();
    for (int i = 1; i < argc; i++) {
        struct scn_error serr;
        struct scenario *s = scenario_load(argv[i], (const char *const *)ov->pdata, &serr);
        int rc = 2;
        if (!s) {
            fflush(stdout);
            scn_error_print(&serr);
        } else {
            GString *out = g_string_new(NULL);
            fflush(stdout);
            scenario_print_warnings(s);
            rc = check_scenario(s, print_fp, colour, out);
            fputs(out->str, stdout);
            g_string_free(out, TRUE);
        }
        scenario_free(s);
        if (rc > worst)
            worst = rc;
        if (signals_caught()) {                 /* the run under way said it stopped */
            if (i + 1 < argc)
                fprintf(stderr, "ipvsim check: %s: %d scenario%s not checked\n",
                        signals_name(signals_caught()), argc - 1 - i, argc - 1 - i == 1 ? "" : "s");
            if (worst < 1)
                worst = 1;
            break;
        }
    }
    signals_restore();
    g_ptr_array_free(ov, TRUE);
    g_strfreev(sets);
    g_strfreev(limits);
    if (fflush(stdout) != 0 && worst == 0)
        worst = 1;
    return worst;
}
