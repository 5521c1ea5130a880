/* A trace as one self-contained HTML page (`ipvsim trace --format html`): the
 * conversation's ladder diagram and, for the selected packet on each host, its walk
 * through the five hook points. The page is the template app/report/trace_page.html
 * (HTML, CSS and the script that draws everything, compiled into the program) with
 * the data spliced in as one JSON object:
 *
 *   {"scenario": NAME, "seed": N, "conn": N (0: every conversation),
 *    "walks": [ one per kernel era, in the order given:
 *      {"kernel": ERA, "summary": "conversation 1: ... outcome OK" (or ""),
 *       "hooks": {HOST: {POINT: [[PRIORITY, FUNCTION, OWNER], ...] (traversal order),
 *                        ...every point, empty ones as []}, ...every host},
 *       "events": [the objects of `--format jsonl` (app/report/trace_json.h), in order]}]}
 *
 * No network, no external script, font or style: it works opened from disk. */
#ifndef IPVSIM_APP_REPORT_TRACE_HTML_H
#define IPVSIM_APP_REPORT_TRACE_HTML_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "app/report/trace_text.h"

struct net;

/* What the page shows at most: beyond, the browser gets slow and the ladder
 * unreadable, and the command refuses (the user narrows with --conn). */
#define TRACE_PAGE_MAX_PACKETS 1000u   /* distinct packets, per era */
#define TRACE_PAGE_MAX_EVENTS 60000u   /* trace events, per era */

struct trace_page;

struct trace_page *trace_page_new(const char *scenario, uint64_t seed, uint64_t conn);
void trace_page_free(struct trace_page *p);

/* Start the walk of one era; the events, hook tables and summary that follow are its. */
void trace_page_walk(struct trace_page *p, const char *kernel);
/* One event of the nesting layer (struct trace_nest's output). Past the limits the
 * event is counted, not kept. */
void trace_page_event(struct trace_page *p, const struct trace_event *ev, int depth,
                      enum trace_role role);
/* The hook table of one host, as it stands (call once per host, after the run). */
void trace_page_host(struct trace_page *p, const char *host, const struct net *net);
void trace_page_summary(struct trace_page *p, const char *summary);

/* Does the selection fit (every walk within the limits)? If not, why (for the
 * message) in why. */
bool trace_page_fits(const struct trace_page *p, char *why, size_t len);

/* The whole page. */
void trace_page_format(const struct trace_page *p, GString *out);

#endif
