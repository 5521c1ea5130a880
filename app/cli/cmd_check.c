/* `ipvsim check`. */
#include "app/cli/cmd_check.h"

#include <stdio.h>
#include "app/cli/cli_args.h"
#include "app/cli/cmd_trace.h"
#include "app/report/expect.h"
#include "app/report/fingerprint.h"
#include "app/run/run_session.h"
#include "app/run/signals.h"
#include "model/net.h"
#include "model/profile.h"

struct expect_set *check_prepare(const struct scenario *s, struct run_session *rs,
                                 bool all_fingerprints)
{
    struct scn_error err;
    struct expect_set *es = expect_parse(s, &err);
    if (!es) {
        scn_error_print(&err);
        return NULL;
    }
    char why[600];
    const struct run_session_cfg cfg = { .cmd = "check" };
    if (run_session_open(rs, s, &cfg, why, sizeof why) != 0) {
        expect_set_free(es);                /* (no capture: only bad input, printed) */
        return NULL;
    }
    if (!expect_attach(es, &rs->rw, all_fingerprints, &err)) {
        scn_error_print(&err);
        expect_detach(es, &rs->rw);
        run_session_close(rs);
        expect_set_free(es);
        return NULL;
    }
    return es;
}

int check_scenario(const struct scenario *s, bool print_fingerprint, bool colour, GString *out)
{
    struct check_tally t = { 0 };
    return check_scenario_tally(s, print_fingerprint, colour, out, &t);
}

int check_scenario_tally(const struct scenario *s, bool print_fingerprint, bool colour,
                         GString *out, struct check_tally *t)
{
    struct run_session rs;
    struct expect_set *es = check_prepare(s, &rs, print_fingerprint);
    if (!es) {
        t->bad_files++;
        return 2;
    }
    struct run_world *rw = &rs.rw;
    run_session_run(&rs);
    expect_detach(es, rw);
    int rc = 0;
    const char *stopped = rs.stopped, *hint = rs.hint;
    if (stopped && print_fingerprint) {
        /* a part of the run's fingerprint is not one to pin */
        fprintf(stderr, "ipvsim check: %s: run incomplete: %s; no fingerprint printed%s\n",
                s->path, stopped, hint);
        rc = 1;
    } else if (print_fingerprint) {
        for (guint i = 0; i < rw->w.hosts->len; i++) {
            const struct host *h = g_ptr_array_index(rw->w.hosts, i);
            const struct fp_sink *f = expect_fingerprint_sink(es, h);
            char buf[17];
            if (!f || f->calls == 0)
                continue;
            g_string_append_printf(out, "{ \"fingerprint\": \"%s\", \"host\": \"%s\", "
                                   "\"calls\": %llu, \"every\": %llu, \"marks\": \"",
                                   fp_format(fp_value(f), buf), h->name,
                                   (unsigned long long)f->calls, (unsigned long long)f->every);
            fp_marks_format(f, out);
            g_string_append(out, "\" }\n");
        }
    } else {
        unsigned n = expect_count(es);
        t->expectations += n;
        g_string_append_printf(out, "%s: %s, kernel %s, seed %llu, %u expectation%s\n", s->path,
                               s->name, host_net(rw->director)->prof->name,
                               (unsigned long long)s->seed, n, n == 1 ? "" : "s");
        if (stopped) {                          /* never a pass on a part of the run */
            g_string_append_printf(out, "%s: run incomplete: %s; %u expectation%s not checked%s\n",
                                   s->path, stopped, n, n == 1 ? "" : "s", hint);
            t->unchecked += n;
            rc = 1;
        } else {
            unsigned failed = expect_evaluate(es, rw, out, colour);
            t->passed += n - failed;
            t->failed += failed;
            g_string_append_printf(out, "%s: %u passed, %u failed\n", s->path, n - failed, failed);
            rc = failed ? 1 : 0;
        }
    }
    run_session_close(&rs);
    expect_set_free(es);
    return rc;
}

static const char *plural(unsigned n)
{
    return n == 1 ? "" : "s";
}

void check_tally_print(const struct check_tally *t, GString *out)
{
    g_string_append_printf(out, "check: %u file%s, %u expectation%s: %u passed, %u failed",
                           t->files, plural(t->files), t->expectations, plural(t->expectations),
                           t->passed, t->failed);
    if (t->unchecked)
        g_string_append_printf(out, "; %u not checked (a run did not complete)", t->unchecked);
    if (t->bad_files)
        g_string_append_printf(out, "; %u file%s not checked (bad input)", t->bad_files,
                               plural(t->bad_files));
    g_string_append_c(out, '\n');
}

int cmd_check(int argc, char **argv)
{
    gboolean print_fp = FALSE;
    struct cli_scenario_opts scn;
    GOptionEntry entries[] = {
        { "print-fingerprint", 0, 0, G_OPTION_ARG_NONE, &print_fp,
          "print each host's traversal fingerprint (to pin in the expect array) instead of checking", NULL },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    GOptionContext *ctx = g_option_context_new("SCENARIO... - run scenarios and check their expectations");
    g_option_context_add_main_entries(ctx, entries, NULL);
    cli_scenario_options(g_option_context_get_main_group(ctx), &scn, CLI_OPTS_RUN);
    bool ok = cli_scenario_options_parse(ctx, &argc, &argv, &scn, "check");
    g_option_context_free(ctx);
    if (!ok || argc < 2) {
        if (ok)
            fprintf(stderr, "usage: ipvsim check [--print-fingerprint] [--seed N] [--set KEY=VALUE]... [--limit KEY=VALUE]... [--kernel VERSION] SCENARIO...\n");
        cli_scenario_options_free(&scn);
        return 2;
    }
    bool colour = stdout_wants_colour();
    GPtrArray *ov = cli_scenario_overrides(&scn);
    int worst = 0;
    struct check_tally tally = { 0 };
    signals_install();                          /* around the runs: each session's nest */
    for (int i = 1; i < argc; i++) {
        struct scenario *s = run_session_load(argv[i], (const char *const *)ov->pdata);
        int rc = 2;
        tally.files++;
        if (!s) {
            tally.bad_files++;
        } else {
            GString *out = g_string_new(NULL);
            rc = check_scenario_tally(s, print_fp, colour, out, &tally);
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
    /* The total, after ~10 lines a file; none when no file got as far as running (bad
     * input alone prints nothing on stdout). */
    if (!print_fp && tally.files > tally.bad_files) {
        GString *out = g_string_new(NULL);
        check_tally_print(&tally, out);
        fflush(stderr);
        fputs(out->str, stdout);
        g_string_free(out, TRUE);
    }
    g_ptr_array_free(ov, TRUE);
    cli_scenario_options_free(&scn);
    if (fflush(stdout) != 0 && worst == 0)
        worst = 1;
    return worst;
}
