/* `ipvsim check [--print-fingerprint] [--seed N] [--set KEY=VALUE]... [--limit KEY=VALUE]...
 * [--kernel VERSION] SCENARIO...`: run each scenario, evaluate its "expect" entries (docs/expect.md) and
 * print one line per entry. Exit 0 when all passed, 1 when one failed or a run did not
 * complete (a limit or a signal stopped it: its entries are not evaluated; a signal
 * also leaves the scenarios after it unchecked), 2 for bad input (a malformed entry is
 * reported as FILE:LINE:COL: message, before anything runs). */
#ifndef IPVSIM_APP_CLI_CMD_CHECK_H
#define IPVSIM_APP_CLI_CMD_CHECK_H

#include <glib.h>
#include <stdbool.h>
#include "app/scenario/scenario.h"

int cmd_check(int argc, char **argv);

/* Check one loaded scenario, its report appended to out (errors go to stderr):
 *   FILE: NAME, kernel ERA, seed N, K expectations
 *     PASS  ...
 *   FILE: P passed, F failed
 * or, when a limit or a signal stopped the run (app/run/run_limits.h), instead of the
 * entries and the count:
 *   FILE: run incomplete: WHY; K expectations not checked[; raise it with --limit KEY=N]
 * print_fingerprint: instead, one line per host that called hook functions, ready to
 * paste into the expect array: { "fingerprint": "…", "host": "lvs1" } (none, and the
 * message on stderr, when the run did not complete).
 * Returns 0, 1 (an expectation failed, or the run did not complete) or 2 (bad input). */
int check_scenario(const struct scenario *s, bool print_fingerprint, bool colour, GString *out);

/* What check_scenario found, summed over the scenarios of one `ipvsim check`. */
struct check_tally {
    unsigned files;             /* scenario files named on the command line */
    unsigned expectations;      /* entries of the files that loaded */
    unsigned passed, failed;
    unsigned unchecked;         /* entries of runs that did not complete */
    unsigned bad_files;         /* files that did not load or build (bad input) */
};

/* check_scenario, adding what it found to *t (files is the caller's). */
int check_scenario_tally(const struct scenario *s, bool print_fingerprint, bool colour,
                         GString *out, struct check_tally *t);

/* The line that ends a check: "check: N files, K expectations: P passed, F failed"
 * and, when some were not, "; U not checked (...)". */
void check_tally_print(const struct check_tally *t, GString *out);

struct run_session;
struct expect_set;
/* What check does before running, and validate does instead of running: parse the
 * expect entries, open the run's session (the world built: ipvsadm, iptables, hooks,
 * their errors come out here; app/run/run_session.h), check the names the entries
 * use. NULL, the error printed, on bad input; else the entries attached to rs->rw
 * (expect_detach, run_session_close, expect_set_free). */
struct expect_set *check_prepare(const struct scenario *s, struct run_session *rs,
                                 bool all_fingerprints);

#endif
