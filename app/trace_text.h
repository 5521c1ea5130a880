/* Trace events as text lines: one line per event, stable and diff-friendly, used
 * by golden tests and by `ipvsim trace`. */
#ifndef IPVSIM_APP_TRACE_TEXT_H
#define IPVSIM_APP_TRACE_TEXT_H

#include <glib.h>
#include <stdio.h>
#include "model/trace.h"

/* Append one line (with '\n') for ev to out. */
void trace_text_line(GString *out, const struct trace_event *ev);

/* A sink that appends every event's line to a GString (tests, small traces). */
struct trace_text_sink {
    struct trace_sink sink;
    GString *text;
};
void trace_text_sink_init(struct trace_text_sink *s);
void trace_text_sink_free(struct trace_text_sink *s);

/* A sink that writes every event's line to a file as it happens. */
struct trace_file_sink {
    struct trace_sink sink;
    FILE *f;
    GString *line;
};
void trace_file_sink_init(struct trace_file_sink *s, FILE *f);
void trace_file_sink_free(struct trace_file_sink *s);

#endif
