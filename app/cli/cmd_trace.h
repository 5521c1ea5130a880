/* `ipvsim trace SCENARIO [--conn N [--packet K]] [--host NAME] [--format text|jsonl]
 * [--kernel VERSION] [--seed N] [--set KEY=VALUE]... [--limit KEY=VALUE]...`: run a
 * scenario and show, for each packet on each host, the stack functions it passes,
 * every hook function called at every hook point (priority, owner, verdict, the
 * header fields it changed) and the decisions taken (IPVS: connection hit or miss,
 * the scheduler and the dest it chose, the state transition and timeout, the
 * transmitter). Text (coloured on a terminal, app/report/trace_text.h) or JSON lines
 * (app/report/trace_json.h). */
#ifndef IPVSIM_APP_CLI_CMD_TRACE_H
#define IPVSIM_APP_CLI_CMD_TRACE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "app/cli/cli_args.h"         /* cmdline_overrides */
#include "app/scenario/scenario.h"

struct trace_opts {
    uint64_t conn;                  /* only this conversation's packets; 0: everything */
    uint32_t packet;                /* only its K-th packet on each host (numbered in the
                                     * order the host first saw them); 0: all. Needs conn */
    const char *host;               /* only this host; NULL: every host */
    bool jsonl;                     /* JSON lines instead of text */
    bool colour;                    /* ANSI colours (text) */
};

int cmd_trace(int argc, char **argv);

/* Run s and write its trace to out. 0; 1 when a limit or a signal stopped the run
 * (app/run/run_limits.h: what was traced up to then is written, the message on stderr
 * says the trace is partial); 2 for bad input (an unknown host, a conversation the
 * complete run did not have), with the message printed on stderr. */
int trace_scenario(const struct scenario *s, const struct trace_opts *o, FILE *out);

/* Colours on stdout: a terminal, and NO_COLOR unset or empty. */
bool stdout_wants_colour(void);

#endif
