/* `ipvsim check [--print-fingerprint] [--seed N] [--set KEY=VALUE]... SCENARIO...`:
 * run each scenario, evaluate its "expect" entries (docs/expect.md) and print one
 * line per entry. Exit 0 when all passed, 1 when one failed, 2 for bad input (a
 * malformed entry is reported as FILE:LINE:COL: message, before anything runs). */
#ifndef IPVSIM_APP_CMD_CHECK_H
#define IPVSIM_APP_CMD_CHECK_H

#include <glib.h>
#include <stdbool.h>
#include "app/scenario.h"

int cmd_check(int argc, char **argv);

/* Check one loaded scenario, its report appended to out (errors go to stderr):
 *   FILE: NAME, kernel ERA, seed N, K expectations
 *     PASS  ...
 *   FILE: P passed, F failed
 * print_fingerprint: instead, one line per host that called hook functions, ready to
 * paste into the expect array: { "fingerprint": "…", "host": "lvs1" }.
 * Returns 0, 1 (an expectation failed) or 2 (bad input). */
int check_scenario(const struct scenario *s, bool print_fingerprint, bool colour, GString *out);

#endif
