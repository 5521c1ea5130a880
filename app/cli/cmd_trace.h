/* `ipvsim trace SCENARIO [--conn N [--packet K]] [--host NAME] [--format text|jsonl|html]
 * [-o FILE] [--kernel VERSION[,VERSION]] [--seed N] [--set KEY=VALUE]... [--limit KEY=VALUE]...`: run a
 * scenario and show, for each packet on each host, the stack functions it passes,
 * every hook function called at every hook point (priority, owner, verdict, the
 * header fields it changed) and the decisions taken (IPVS: connection hit or miss,
 * the scheduler and the dest it chose, the state transition and timeout, the
 * transmitter). Text (coloured on a terminal, app/report/trace_text.h), JSON lines
 * (app/report/trace_json.h) or one HTML page (app/report/trace_html.h; two eras side
 * by side with --kernel A,B). */
#ifndef IPVSIM_APP_CLI_CMD_TRACE_H
#define IPVSIM_APP_CLI_CMD_TRACE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "app/cli/cli_args.h"         /* cmdline_overrides */
#include "app/report/trace_html.h"
#include "app/scenario/scenario.h"

struct trace_opts {
    uint64_t conn;                  /* only this conversation's packets; 0: everything */
    uint32_t packet;                /* only its K-th packet on each host (numbered in the
                                     * order the host first saw them); 0: all. Needs conn */
    const char *host;               /* only this host; NULL: every host */
    bool jsonl;                     /* JSON lines instead of text */
    bool colour;                    /* ANSI colours (text) */
    struct trace_page *page;        /* --format html: the events go to this page (its
                                     * walk begun), and the hook tables and summary after
                                     * the run; nothing is written to out */
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
