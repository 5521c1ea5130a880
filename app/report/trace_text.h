/* Trace events as text lines: one line per event, stable and diff-friendly, used
 * by golden tests and by `ipvsim trace`.
 *
 * A hook call is reported twice by the model (TRACE_HOOK_ENTER, then TRACE_HOOK with
 * the verdict). The nesting layer below (struct trace_nest) turns that into lines:
 * a call with nothing inside is one line,
 *
 *   0.001101376 lvs1 #1   LOCAL_IN 98 ip_vs_out_hook [ip_vs] ACCEPT
 *
 * and a call with events inside (IPVS re-injecting the packet at LOCAL_OUT, the 2.6
 * POST_ROUTING shortcut calling the output path) opens with "...", shows what
 * happened inside indented two more columns, and closes with its verdict line:
 *
 *   0.001101376 lvs1 #1   LOCAL_IN 99 ip_vs_in_hook [ip_vs] ...
 *   0.001101376 lvs1 #1     ip_vs_nat_xmit: DNAT to 192.0.2.11:8080, re-injected at LOCAL_OUT
 *   ...
 *   0.001101376 lvs1 #1   LOCAL_IN 99 ip_vs_in_hook [ip_vs] STOLEN
 *
 * Line shapes ("TIME HOST #PKT " in front of each, TIME in seconds with 9 decimals):
 *   FUNC  "ip_rcv 10.0.1.2:40000 > 203.0.113.10:80 tcp[S] ttl 63"   (ip_rcv adds the
 *         frame's "mac SRC > DST")
 *   HOOK  "  POINT PRIORITY FUNCTION [OWNER] VERDICT {changes}"   (changes only when a
 *         header field changed: "{OLD => NEW}" for addresses/ports, "{ttl 64 -> 63}"...)
 *   NOTE  "  FUNCTION: DETAIL"   (dev_queue_xmit adds the frame's "mac SRC > DST")
 *   DROP  "DROP FUNCTION: REASON" */
#ifndef IPVSIM_APP_REPORT_TRACE_TEXT_H
#define IPVSIM_APP_REPORT_TRACE_TEXT_H

#include <glib.h>
#include <stdbool.h>
#include <stdio.h>
#include "app/run/out_budget.h"
#include "model/trace.h"

/* ---- nesting ------------------------------------------------------------------------ */

enum trace_role {
    TRACE_ROLE_LINE,                /* an event on its own line (a hook call with nothing
                                     * inside it: its one line, with the verdict) */
    TRACE_ROLE_OPEN,                /* a hook call with events inside: its first line (the
                                     * TRACE_HOOK_ENTER event); the events inside follow
                                     * one level deeper */
    TRACE_ROLE_CLOSE,               /* that call's verdict (the TRACE_HOOK event) */
};

typedef void (*trace_nest_fn)(void *ctx, const struct trace_event *ev, int depth,
                              enum trace_role role);

/* Holds a hook's enter event until the next event says whether anything happens
 * inside the call. depth: hook calls open (shown as OPEN, not yet closed). */
struct trace_nest {
    trace_nest_fn out;
    void *ctx;
    struct trace_event pending;
    bool has_pending;
    int depth;
};

void trace_nest_init(struct trace_nest *n, trace_nest_fn out, void *ctx);
void trace_nest_feed(struct trace_nest *n, const struct trace_event *ev);
/* Show a held enter event (as OPEN): at the end of a trace. */
void trace_nest_flush(struct trace_nest *n);

/* ---- lines -------------------------------------------------------------------------- */

/* Does this event show the Ethernet addresses (a frame received: ip_rcv; a frame
 * sent: dev_queue_xmit)? */
bool trace_event_shows_mac(const struct trace_event *ev);

/* Append ev's line (with '\n'); colour: ANSI colours for a terminal. */
void trace_text_format(GString *out, const struct trace_event *ev, int depth,
                       enum trace_role role, bool colour);

/* One event alone, depth 0, no colour (a TRACE_HOOK_ENTER shows as an OPEN line). */
void trace_text_line(GString *out, const struct trace_event *ev);

/* ---- sinks -------------------------------------------------------------------------- */

/* A sink that appends every event's line to a GString (tests, small traces). */
struct trace_text_sink {
    struct trace_sink sink;
    GString *text;
    struct trace_nest nest;
};
void trace_text_sink_init(struct trace_text_sink *s);
void trace_text_sink_free(struct trace_text_sink *s);

/* A sink that writes every event's line to a file as it happens. */
struct trace_file_sink {
    struct trace_sink sink;
    FILE *f;
    GString *line;
    struct trace_nest nest;
    int write_errno;                /* errno of the first failed write, 0 if none */
    struct out_budget *budget;      /* what the file may still take, or NULL */
};
void trace_file_sink_init(struct trace_file_sink *s, FILE *f);
void trace_file_sink_free(struct trace_file_sink *s);    /* flushes what is held */

#endif
