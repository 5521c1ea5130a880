/* A results directory as one self-contained page, DIR/index.html (`ipvsim report DIR`,
 * `run --report`, `compare --report`): HTML and CSS in the file, the figures gnuplot
 * drew (plots/NAME.svg) inline, no script, nothing fetched, relative links to the
 * directory's own files (pcaps, CSVs). It reads only what the run wrote, so it works
 * on any earlier result; it never names the directory itself, so the same results
 * give the same bytes wherever they are.
 *
 * A directory's kind is told by the file that only that kind writes, each kind one
 * body function (report_kinds in report_html.c):
 *
 *   run        summary.json     the summary (outcomes, response-time quantiles, each
 *                               server's share against its configured weight, drops
 *                               by hook function and reason, the events on a time
 *                               line), the figures, the ipvsadm listings, the files
 *   compare    comparison.csv   the comparison table (one seed: every column; several:
 *                               each metric's mean and 95 % interval, then the paired
 *                               differences against the baseline with their verdicts),
 *                               the figures, the files
 *
 * The pieces every body uses (escaping, the page's frame, a CSV as a table, the
 * figures, the file list) are below, for a future kind's body. */
#ifndef IPVSIM_APP_REPORT_REPORT_HTML_H
#define IPVSIM_APP_REPORT_REPORT_HTML_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

#define REPORT_PAGE "index.html"
/* Lines of one ipvsadm listing shown on the page (-Lnc holds a line per connection:
 * the rest stays in ipvsadm.txt, which the page links). */
#define REPORT_MAX_LISTING_LINES 400
/* Events shown (on the time line and in the table; events.txt is linked for the rest). */
#define REPORT_MAX_EVENTS 500
/* Rows of a CSV drawn as a table (the file is linked for the rest). */
#define REPORT_MAX_CSV_ROWS 500

/* Write DIR/index.html for the results in dir (atomically: a temporary file renamed
 * over it). 0; 2 when dir holds no results of a kind the page knows or a file it reads
 * is not what ipvsim writes (err says which; nothing written); 1 when the page cannot
 * be written (err names the file and the error). The caller checks that dir is an
 * ipvsim result at all (OUTDIR_MARKER) when it matters: run and compare call this on
 * their temporary directory, before the marker is there. */
int report_write(const char *dir, char *err, size_t errlen);

/* The page's bytes for dir (report_write without writing): same return values. */
int report_format(const char *dir, GString *out, char *err, size_t errlen);

/* ---- the pieces of a page -------------------------------------------------------- */

/* text with & < > " ' as character references (safe in text and in quoted
 * attributes); bytes that are not UTF-8 become U+FFFD. */
void report_escape(GString *g, const char *text);
/* The page up to its first section: kind goes to body[data-kind], title to the
 * <title> and <h1>, subtitle (may be NULL) under it. */
void report_page_open(GString *g, const char *kind, const char *title, const char *subtitle);
void report_page_close(GString *g);
/* <section id="ID"><h2>HEADING</h2> ... </section> */
void report_section_open(GString *g, const char *id, const char *heading);
void report_section_close(GString *g);

/* One gnuplot SVG made safe to put inside the page: the XML prolog dropped, every id
 * and every reference to one (href="#X", url(#X)) prefixed with "PREFIX-" (the
 * figures share gnuplot's ids), and refused (false, why in err) when it holds a
 * script, a foreignObject, an event handler attribute or a reference out of itself. */
bool report_inline_svg(GString *g, const char *svg, const char *prefix, char *err, size_t errlen);
/* Every plots/NAME.svg of dir, inline (the known figures in a fixed order, then any
 * other by name) (a <figure data-figure="NAME">
 * with links to its .png and .gp), and plots/notes.txt when there; nothing when dir
 * has no plots/. */
void report_figures(GString *g, const char *dir);
/* The CSV file dir/name as a table (its first REPORT_MAX_CSV_ROWS rows), with a link
 * to the file; false when it cannot be read. ipvsim's CSVs quote nothing. */
bool report_csv_table(GString *g, const char *dir, const char *name);
/* Links to the directory's files (the top level's, pcap/'s), name order, with sizes. */
void report_files(GString *g, const char *dir);

#endif
