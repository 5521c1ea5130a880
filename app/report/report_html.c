/* A results directory as one page (report_html.h). */
#include "app/report/report_html.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* ---- escaping and the frame --------------------------------------------------------- */

void report_escape(GString *g, const char *text)
{
    char *valid = g_utf8_make_valid(text ? text : "", -1);
    for (const char *p = valid; *p; p++) {
        switch (*p) {
        case '&': g_string_append(g, "&amp;"); break;
        case '<': g_string_append(g, "&lt;"); break;
        case '>': g_string_append(g, "&gt;"); break;
        case '"': g_string_append(g, "&quot;"); break;
        case '\'': g_string_append(g, "&#39;"); break;
        default: g_string_append_c(g, *p);
        }
    }
    g_free(valid);
}

static void esc_printf(GString *g, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void esc_printf(GString *g, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *t = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    report_escape(g, t);
    g_free(t);
}

/* The whole style: plain, printable, no font to fetch (the system's sans and mono). */
static const char STYLE[] =
    "body{font:14px/1.45 sans-serif;margin:0 auto;max-width:1100px;padding:0 16px 40px;color:#1d1d1f}\n"
    "h1{font-size:22px;margin:18px 0 2px}h2{font-size:18px;border-bottom:1px solid #ccc;margin-top:28px}\n"
    "h3{font-size:14px;margin:14px 0 4px}.sub{color:#555;margin:0 0 8px}\n"
    "nav a{margin-right:12px}table{border-collapse:collapse;margin:6px 0}\n"
    "th,td{border:1px solid #ddd;padding:2px 8px;text-align:right;white-space:nowrap}\n"
    "th{background:#f3f3f3}td.l,th.l{text-align:left}.wide{overflow-x:auto}\n"
    "pre{background:#f7f7f7;border:1px solid #e3e3e3;padding:6px 8px;overflow-x:auto;font-size:12px}\n"
    ".warn{background:#fff3cd;border:1px solid #e0c36c;padding:6px 10px}\n"
    ".ci{color:#555;font-size:12px}.better{background:#dff3df}.worse{background:#f8dcdc}\n"
    ".higher,.lower{background:#e3ecf7}\n"
    "figure{margin:12px 0}figure svg{width:100%;height:auto;max-width:1000px;display:block}\n"
    "figcaption{color:#555;font-size:12px}\n"
    ".timeline{position:relative;height:34px;border-bottom:2px solid #888;margin:8px 0 22px}\n"
    ".timeline .mark{position:absolute;bottom:-6px;width:2px;height:30px;background:#c0392b}\n"
    ".timeline .tick{position:absolute;bottom:-20px;font-size:11px;color:#555;white-space:nowrap}\n"
    ".bar{display:inline-block;height:10px;background:#4a7ebb;vertical-align:middle}\n"
    ".bar.w{background:none;border:1px solid #4a7ebb;height:8px}\n";

void report_page_open(GString *g, const char *kind, const char *title, const char *subtitle)
{
    g_string_append(g, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                       "<meta name=\"viewport\" content=\"width=device-width\">\n<title>");
    report_escape(g, title);
    g_string_append_printf(g, "</title>\n<style>\n%s</style>\n</head>\n<body data-kind=\"", STYLE);
    report_escape(g, kind);
    g_string_append(g, "\">\n<header>\n<h1>");
    report_escape(g, title);
    g_string_append(g, "</h1>\n");
    if (subtitle) {
        g_string_append(g, "<p class=\"sub\">");
        report_escape(g, subtitle);
        g_string_append(g, "</p>\n");
    }
    g_string_append(g, "</header>\n");
}

void report_page_close(GString *g)
{
    g_string_append(g, "<footer><p class=\"sub\">Written by ipvsim report from the files of this "
                       "directory.</p></footer>\n</body>\n</html>\n");
}

void report_section_open(GString *g, const char *id, const char *heading)
{
    g_string_append(g, "<section id=\"");
    report_escape(g, id);
    g_string_append(g, "\">\n<h2>");
    report_escape(g, heading);
    g_string_append(g, "</h2>\n");
}

void report_section_close(GString *g)
{
    g_string_append(g, "</section>\n");
}

/* ---- files ---------------------------------------------------------------------------- */

static char *read_in(const char *dir, const char *name, gsize *len)
{
    char *path = g_build_filename(dir, name, NULL), *text = NULL;
    if (!g_file_get_contents(path, &text, len, NULL))
        text = NULL;
    g_free(path);
    return text;
}

static bool exists_in(const char *dir, const char *name)
{
    char *path = g_build_filename(dir, name, NULL);
    bool ok = g_file_test(path, G_FILE_TEST_IS_REGULAR);
    g_free(path);
    return ok;
}

static int cmp_str(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in dir/sub (sub may be ""), regular files only, ending with suffix (NULL:
 * any), hidden ones and the page left out, sorted by strcmp: directory order is the
 * file system's, never the page's. */
static GPtrArray *list_files(const char *dir, const char *sub, const char *suffix)
{
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    char *path = g_build_filename(dir, sub, NULL);
    GDir *d = g_dir_open(path, 0, NULL);
    for (const char *n; d && (n = g_dir_read_name(d));) {
        char *full = g_build_filename(path, n, NULL);
        if (n[0] != '.' && strcmp(n, REPORT_PAGE) != 0 && g_file_test(full, G_FILE_TEST_IS_REGULAR) &&
            !g_file_test(full, G_FILE_TEST_IS_SYMLINK) && (!suffix || g_str_has_suffix(n, suffix)))
            g_ptr_array_add(names, g_strdup(n));
        g_free(full);
    }
    if (d)
        g_dir_close(d);
    g_free(path);
    g_ptr_array_sort(names, cmp_str);
    return names;
}

static void human_size(GString *g, guint64 n)
{
    if (n < 10000)
        g_string_append_printf(g, "%" G_GUINT64_FORMAT " B", n);
    else if (n < 10000000)
        g_string_append_printf(g, "%.0f kB", n / 1e3);
    else
        g_string_append_printf(g, "%.1f MB", n / 1e6);
}

/* <a href="REL">REL</a>: a relative link (the names are the directory's own). */
static void link_to(GString *g, const char *rel, const char *text)
{
    g_string_append(g, "<a href=\"");
    report_escape(g, rel);
    g_string_append(g, "\">");
    report_escape(g, text ? text : rel);
    g_string_append(g, "</a>");
}

void report_files(GString *g, const char *dir)
{
    static const char *const subs[] = { "", "pcap" };
    report_section_open(g, "files", "Files");
    g_string_append(g, "<table class=\"files\">\n<tr><th class=\"l\">file</th><th>size</th></tr>\n");
    for (size_t s = 0; s < G_N_ELEMENTS(subs); s++) {
        GPtrArray *names = list_files(dir, subs[s], NULL);
        for (guint i = 0; i < names->len; i++) {
            char *rel = subs[s][0] ? g_strdup_printf("%s/%s", subs[s], (char *)names->pdata[i])
                                   : g_strdup(names->pdata[i]);
            char *full = g_build_filename(dir, rel, NULL);
            struct stat st;
            g_string_append(g, "<tr><td class=\"l\">");
            link_to(g, rel, NULL);
            g_string_append(g, "</td><td>");
            if (stat(full, &st) == 0)
                human_size(g, (guint64)st.st_size);
            g_string_append(g, "</td></tr>\n");
            g_free(full);
            g_free(rel);
        }
        g_ptr_array_free(names, TRUE);
    }
    g_string_append(g, "</table>\n");
    report_section_close(g);
}

/* ---- figures ------------------------------------------------------------------------- */

/* Copy one attribute value (between its quotes) with an id prefix where it names or
 * references an id; false when it references something out of the figure. */
static bool svg_value(GString *g, const char *name, size_t nlen, const char *v, size_t vlen,
                      const char *prefix)
{
    bool is_id = nlen == 2 && strncmp(name, "id", 2) == 0;
    bool is_href = nlen >= 4 && strncmp(name + nlen - 4, "href", 4) == 0;
    if (is_href && (vlen == 0 || v[0] != '#'))
        return false;
    if (is_id)
        g_string_append_printf(g, "%s-", prefix);
    for (size_t i = 0; i < vlen; i++) {
        g_string_append_c(g, v[i]);
        if ((is_href && i == 0) || (i >= 4 && strncmp(v + i - 4, "url(#", 5) == 0))
            g_string_append_printf(g, "%s-", prefix);
    }
    return true;
}

/* One tag, "<" to ">" (s at "<"): copied with its ids prefixed. Returns the position
 * after it, or NULL with why set when it is not allowed. */
static const char *svg_tag(GString *g, const char *s, const char *prefix, const char **why)
{
    const char *p = s + 1;
    size_t n = strcspn(p, " \t\r\n/>");
    if ((n == 6 && g_ascii_strncasecmp(p, "script", 6) == 0) ||
        (n == 13 && g_ascii_strncasecmp(p, "foreignObject", 13) == 0)) {
        *why = "a script or a foreignObject";
        return NULL;
    }
    g_string_append_len(g, s, (gssize)(p + n - s));
    p += n;
    while (*p && *p != '>') {
        if (!g_ascii_isalpha(*p)) {         /* blanks, "/", and what is not an attribute */
            g_string_append_c(g, *p++);
            continue;
        }
        const char *name = p;
        size_t nlen = strcspn(p, " \t\r\n=/>");
        p += nlen;
        if (nlen >= 2 && g_ascii_strncasecmp(name, "on", 2) == 0) {
            *why = "an event handler attribute";
            return NULL;
        }
        g_string_append_len(g, name, (gssize)nlen);
        if (*p != '=')
            continue;
        char q = p[1];
        if (q != '"' && q != '\'') {
            *why = "an unquoted attribute";
            return NULL;
        }
        const char *v = p + 2, *end = strchr(v, q);
        if (!end) {
            *why = "an unterminated attribute";
            return NULL;
        }
        g_string_append_c(g, '=');
        g_string_append_c(g, q);
        if (!svg_value(g, name, nlen, v, (size_t)(end - v), prefix)) {
            *why = "a reference out of the figure";
            return NULL;
        }
        g_string_append_c(g, q);
        p = end + 1;
    }
    if (*p != '>') {
        *why = "an unterminated tag";
        return NULL;
    }
    g_string_append_c(g, '>');
    return p + 1;
}

bool report_inline_svg(GString *g, const char *svg, const char *prefix, char *err, size_t errlen)
{
    const char *s = strstr(svg, "<svg");
    if (!s) {
        snprintf(err, errlen, "has no <svg> element: not put in the page");
        return false;
    }
    gsize start = g->len;
    const char *why = NULL;
    while (*s) {
        if (strncmp(s, "<!--", 4) == 0) {       /* comments are dropped */
            const char *e = strstr(s, "-->");
            s = e ? e + 3 : s + strlen(s);
        } else if (*s == '<') {
            s = svg_tag(g, s, prefix, &why);
            if (!s)
                break;
        } else {
            g_string_append_c(g, *s++);
        }
    }
    if (why) {
        g_string_truncate(g, start);
        snprintf(err, errlen, "holds %s: not put in the page", why);
        return false;
    }
    return true;
}

/* One figure: its SVG inline, links to its other files (png, gp, dat). */
static void figure(GString *g, const char *dir, const char *base, const char *svg)
{
    char err[128];
    g_string_append(g, "<figure data-figure=\"");
    report_escape(g, base);
    g_string_append(g, "\" id=\"fig-");
    report_escape(g, base);
    g_string_append(g, "\">\n");
    char *prefix = g_strdup_printf("fig-%s", base);
    bool ok = report_inline_svg(g, svg, prefix, err, sizeof err);
    g_free(prefix);
    if (!ok) {
        g_string_append(g, "<p class=\"warn\">plots/");
        esc_printf(g, "%s.svg %s", base, err);
        g_string_append(g, "</p>");
    }
    g_string_append(g, "\n<figcaption>");
    report_escape(g, base);
    g_string_append(g, ": ");
    bool first = true;
    static const char *const exts[] = { "png", "svg", "gp", "dat" };
    for (size_t i = 0; i < G_N_ELEMENTS(exts); i++) {
        char *rel = g_strdup_printf("plots/%s.%s", base, exts[i]);
        if (exists_in(dir, rel)) {
            g_string_append(g, first ? "" : ", ");
            link_to(g, rel, exts[i]);
            first = false;
        }
        g_free(rel);
    }
    g_string_append(g, "</figcaption>\n</figure>\n");
}

/* The figures in the order a reader wants them (a run's, then a replicated
 * comparison's); any other after them, by name. */
static int figure_rank(const char *name)
{
    static const char *const order[] = { "active.svg", "response_cdf.svg", "response.svg",
                                         "share.svg", "hooks.svg" };
    for (size_t i = 0; i < G_N_ELEMENTS(order); i++)
        if (strcmp(name, order[i]) == 0)
            return (int)i;
    return (int)G_N_ELEMENTS(order);
}

static int cmp_figure(gconstpointer a, gconstpointer b)
{
    const char *x = *(char *const *)a, *y = *(char *const *)b;
    int rx = figure_rank(x), ry = figure_rank(y);
    return rx != ry ? rx - ry : strcmp(x, y);
}

void report_figures(GString *g, const char *dir)
{
    GPtrArray *svgs = list_files(dir, "plots", ".svg");
    g_ptr_array_sort(svgs, cmp_figure);
    gsize nlen = 0;
    char *notes = read_in(dir, "plots/notes.txt", &nlen);
    if (svgs->len || notes) {
        report_section_open(g, "figures", "Figures");
        for (guint i = 0; i < svgs->len; i++) {
            const char *n = svgs->pdata[i];
            char *rel = g_strdup_printf("plots/%s", n), *base = g_strndup(n, strlen(n) - 4);
            char *svg = read_in(dir, rel, NULL);
            if (svg)
                figure(g, dir, base, svg);
            g_free(svg);
            g_free(base);
            g_free(rel);
        }
        if (notes) {
            g_string_append(g, "<h3>Figures not drawn (plots/notes.txt)</h3>\n<pre>");
            report_escape(g, notes);
            g_string_append(g, "</pre>\n");
        }
        report_section_close(g);
    }
    g_free(notes);
    g_ptr_array_free(svgs, TRUE);
}

/* ---- CSV ------------------------------------------------------------------------------- */

struct csv {
    char **lines;                   /* the file's lines, the header first */
    char **head;                    /* the header's fields */
    guint nlines, ncols;
};

static bool csv_read(struct csv *c, const char *dir, const char *name)
{
    memset(c, 0, sizeof *c);
    char *text = read_in(dir, name, NULL);
    if (!text)
        return false;
    g_strchomp(text);
    c->lines = g_strsplit(text, "\n", -1);
    g_free(text);
    c->nlines = g_strv_length(c->lines);
    c->head = g_strsplit(c->nlines ? c->lines[0] : "", ",", -1);
    c->ncols = g_strv_length(c->head);
    return c->ncols > 0;
}

static void csv_free(struct csv *c)
{
    g_strfreev(c->lines);
    g_strfreev(c->head);
}

static int csv_col(const struct csv *c, const char *name)
{
    for (guint i = 0; i < c->ncols; i++)
        if (strcmp(c->head[i], name) == 0)
            return (int)i;
    return -1;
}

/* Field k of a row's fields, "" past the end. */
static const char *field(char **f, int k)
{
    for (int i = 0; k >= 0 && f[i]; i++)
        if (i == k)
            return f[i];
    return "";
}

bool report_csv_table(GString *g, const char *dir, const char *name)
{
    struct csv c;
    if (!csv_read(&c, dir, name)) {
        csv_free(&c);
        return false;
    }
    g_string_append(g, "<div class=\"wide\"><table class=\"csv\" data-file=\"");
    report_escape(g, name);
    g_string_append(g, "\">\n<tr>");
    for (guint i = 0; i < c.ncols; i++) {
        g_string_append(g, i ? "<th>" : "<th class=\"l\">");
        report_escape(g, c.head[i]);
        g_string_append(g, "</th>");
    }
    g_string_append(g, "</tr>\n");
    guint rows = MIN(c.nlines - 1, REPORT_MAX_CSV_ROWS);
    for (guint r = 1; r <= rows; r++) {
        char **f = g_strsplit(c.lines[r], ",", -1);
        g_string_append(g, "<tr>");
        for (guint i = 0; i < c.ncols; i++) {
            g_string_append(g, i ? "<td>" : "<td class=\"l\">");
            report_escape(g, field(f, (int)i));
            g_string_append(g, "</td>");
        }
        g_string_append(g, "</tr>\n");
        g_strfreev(f);
    }
    g_string_append(g, "</table></div>\n<p class=\"sub\">");
    if (c.nlines - 1 > rows)
        g_string_append_printf(g, "the first %u of %u rows; ", rows, c.nlines - 1);
    g_string_append(g, "the file: ");
    link_to(g, name, NULL);
    g_string_append(g, "</p>\n");
    csv_free(&c);
    return true;
}

/* ---- a run ------------------------------------------------------------------------------- */

/* A number of summary.json as shown: whole numbers as integers, others with two
 * decimals (milliseconds, seconds). */
static void num(GString *g, double v)
{
    if (v == floor(v) && fabs(v) < 9007199254740992.0)
        g_string_append_printf(g, "%.0f", v);
    else
        g_string_append_printf(g, "%.2f", v);
}

/* A table cell showing summary.json's number at path (a JSON array of keys and
 * indexes, in data-json, so that a test can look each one up). */
static void json_cell(GString *g, const cJSON *item, const char *path_json)
{
    g_string_append(g, "<td data-json=\"");
    report_escape(g, path_json);
    g_string_append(g, "\">");
    if (cJSON_IsNumber(item))
        num(g, item->valuedouble);
    g_string_append(g, "</td>");
}

static double jnum(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static const char *jstr(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : "";
}

/* A JSON array of strings, printed (the data-json path of a cell). */
static char *json_path(const char *a, const char *b)
{
    cJSON *arr = cJSON_CreateArray();
    cJSON_AddItemToArray(arr, cJSON_CreateString(a));
    if (b)
        cJSON_AddItemToArray(arr, cJSON_CreateString(b));
    char *t = cJSON_PrintUnformatted(arr);
    cJSON_Delete(arr);
    return t;
}

static void run_outcomes(GString *g, const cJSON *sum)
{
    const cJSON *conns = cJSON_GetObjectItemCaseSensitive(sum, "connections");
    double total = jnum(conns, "total");
    report_section_open(g, "outcomes", "Outcomes");
    g_string_append(g, "<table>\n<tr><th class=\"l\">outcome</th><th>conversations</th><th>%</th></tr>\n");
    const cJSON *o;
    cJSON_ArrayForEach(o, conns) {
        char *path = json_path("connections", o->string);
        g_string_append(g, "<tr><td class=\"l\">");
        report_escape(g, o->string);
        g_string_append(g, "</td>");
        json_cell(g, o, path);
        if (total > 0 && cJSON_IsNumber(o))
            g_string_append_printf(g, "<td>%.1f</td></tr>\n", 100 * o->valuedouble / total);
        else
            g_string_append(g, "<td></td></tr>\n");
        cJSON_free(path);
    }
    g_string_append(g, "</table>\n");
    const cJSON *rt = cJSON_GetObjectItemCaseSensitive(sum, "response_time");
    g_string_append(g, "<h3 id=\"response\">Response time of the completed conversations "
                       "(ms, nearest rank)</h3>\n<table>\n<tr>");
    cJSON_ArrayForEach(o, rt) {
        g_string_append(g, "<th>");
        report_escape(g, o->string);
        g_string_append(g, "</th>");
    }
    g_string_append(g, "</tr>\n<tr>");
    cJSON_ArrayForEach(o, rt) {
        char *path = json_path("response_time", o->string);
        json_cell(g, o, path);
        cJSON_free(path);
    }
    g_string_append(g, "</tr>\n</table>\n");
    report_section_close(g);
}

/* A percentage with a bar of its width (100 % = 120 px). */
static void pct_bar(GString *g, double pct, bool hollow)
{
    g_string_append_printf(g, "<td class=\"l\"><span class=\"bar%s\" style=\"width:%.0fpx\"></span> "
                              "%.1f</td>", hollow ? " w" : "", 1.2 * pct, pct);
}

static void run_servers(GString *g, const cJSON *sum)
{
    const cJSON *servers = cJSON_GetObjectItemCaseSensitive(sum, "servers"), *sv;
    double sched = 0, weight = 0;
    cJSON_ArrayForEach(sv, servers) {
        sched += jnum(sv, "scheduled");
        weight += jnum(sv, "weight");
    }
    report_section_open(g, "servers", "Real servers");
    g_string_append(g, "<p class=\"sub\">share: of the conversations IPVS scheduled to a real server, "
                       "failed ones included; weight share: of the configured weights (the "
                       "scenario's ipvsadm -a lines); ok %: of those scheduled to it, the share "
                       "that completed; served: requests its workers served, refused: connections "
                       "it refused; active, inactive: IPVS's ActiveConn and InActConn for it at "
                       "the end.</p>\n<div class=\"wide\"><table class=\"servers\">\n<tr><th class=\"l\">server</th>"
                       "<th class=\"l\">address</th><th class=\"l\">fwd</th><th>scheduled</th>"
                       "<th class=\"l\">share %</th><th class=\"l\">weight share %</th><th>weight</th>"
                       "<th>completed</th><th>ok %</th><th>served</th><th>refused</th>"
                       "<th>active</th><th>inactive</th></tr>\n");
    int i = 0;
    cJSON_ArrayForEach(sv, servers) {
        char idx[16];
        g_snprintf(idx, sizeof idx, "%d", i++);
        g_string_append(g, "<tr data-server=\"");
        report_escape(g, jstr(sv, "name"));
        g_string_append(g, "\"><td class=\"l\">");
        report_escape(g, jstr(sv, "name"));
        g_string_append(g, "</td><td class=\"l\">");
        report_escape(g, jstr(sv, "ip"));
        g_string_append(g, "</td><td class=\"l\">");
        report_escape(g, jstr(sv, "fwd"));
        g_string_append(g, "</td>");
        static const char *const cols[] = { "scheduled", NULL, NULL, "weight", "completed", NULL,
                                            "requests_served", "refused", "active_end",
                                            "inactive_end" };
        for (size_t k = 0; k < G_N_ELEMENTS(cols); k++) {
            if (k == 1) {
                pct_bar(g, sched > 0 ? 100 * jnum(sv, "scheduled") / sched : 0, false);
            } else if (k == 2) {
                if (weight > 0)
                    pct_bar(g, 100 * jnum(sv, "weight") / weight, true);
                else
                    g_string_append(g, "<td class=\"l\">-</td>");
            } else if (k == 5) {
                double s = jnum(sv, "scheduled");
                g_string_append_printf(g, "<td>%.1f</td>", s > 0 ? 100 * jnum(sv, "completed") / s : 0);
            } else if (!cJSON_GetObjectItemCaseSensitive(sv, cols[k])) {
                g_string_append(g, "<td>-</td>");  /* an earlier result without the key */
            } else {
                cJSON *arr = cJSON_CreateArray();
                cJSON_AddItemToArray(arr, cJSON_CreateString("servers"));
                cJSON_AddItemToArray(arr, cJSON_CreateNumber(i - 1));
                cJSON_AddItemToArray(arr, cJSON_CreateString(cols[k]));
                char *path = cJSON_PrintUnformatted(arr);
                json_cell(g, cJSON_GetObjectItemCaseSensitive(sv, cols[k]), path);
                cJSON_free(path);
                cJSON_Delete(arr);
            }
        }
        g_string_append(g, "</tr>\n");
    }
    g_string_append(g, "</table></div>\n");
    const cJSON *services = cJSON_GetObjectItemCaseSensitive(sum, "services");
    if (cJSON_GetArraySize(services) > 0) {
        g_string_append(g, "<h3>Virtual services (as IPVS counted them)</h3>\n<table>\n<tr>"
                           "<th class=\"l\">service</th><th class=\"l\">scheduler</th><th>conns</th>"
                           "<th>inpkts</th><th>outpkts</th><th>inbytes</th><th>outbytes</th></tr>\n");
        cJSON_ArrayForEach(sv, services) {
            g_string_append(g, "<tr><td class=\"l\">");
            report_escape(g, jstr(sv, "service"));
            g_string_append(g, "</td><td class=\"l\">");
            report_escape(g, jstr(sv, "scheduler"));
            g_string_append(g, "</td>");
            static const char *const cols[] = { "conns", "inpkts", "outpkts", "inbytes", "outbytes" };
            for (size_t k = 0; k < G_N_ELEMENTS(cols); k++) {
                g_string_append(g, "<td>");
                num(g, jnum(sv, cols[k]));
                g_string_append(g, "</td>");
            }
            g_string_append(g, "</tr>\n");
        }
        g_string_append(g, "</table>\n");
    }
    report_section_close(g);
}

/* The hook points, to split a netfilter drop's key "HOST: HOOK FUNCTION: REASON". */
static const char *const HOOKS[] = { "PRE_ROUTING ", "LOCAL_IN ", "FORWARD ", "LOCAL_OUT ",
                                     "POST_ROUTING " };

static void run_drops(GString *g, const cJSON *sum)
{
    const cJSON *drops = cJSON_GetObjectItemCaseSensitive(sum, "drops"), *d;
    report_section_open(g, "drops", "Drops");
    if (!cJSON_GetArraySize(drops)) {
        g_string_append(g, "<p>No packet was dropped.</p>\n");
        report_section_close(g);
        return;
    }
    g_string_append(g, "<p class=\"sub\">netfilter drops by host, hook point, hook function and "
                       "reason; link and IP-layer losses by where and what.</p>\n<table>\n<tr>"
                       "<th class=\"l\">where</th><th class=\"l\">hook</th><th class=\"l\">function</th>"
                       "<th class=\"l\">reason</th><th>packets</th></tr>\n");
    cJSON_ArrayForEach(d, drops) {
        const char *key = d->string, *sep = strstr(key, ": ");
        char *where = sep ? g_strndup(key, (gsize)(sep - key)) : g_strdup(key);
        const char *rest = sep ? sep + 2 : "", *hook = NULL;
        for (size_t k = 0; k < G_N_ELEMENTS(HOOKS); k++)
            if (g_str_has_prefix(rest, HOOKS[k]))
                hook = HOOKS[k];
        char *hk = g_strdup(hook ? hook : ""), *fn = g_strdup(""), *why = g_strdup(rest);
        const char *fsep = hook ? strstr(rest, ": ") : NULL;
        if (fsep) {                 /* HOOK FUNCTION: REASON */
            g_free(fn);
            g_free(why);
            fn = g_strndup(rest + strlen(hook), (gsize)(fsep - rest - (ptrdiff_t)strlen(hook)));
            why = g_strdup(fsep + 2);
            g_strchomp(hk);
        }
        g_string_append(g, "<tr><td class=\"l\">");
        report_escape(g, where);
        g_string_append(g, "</td><td class=\"l\">");
        report_escape(g, fsep ? hk : "");
        g_string_append(g, "</td><td class=\"l\">");
        report_escape(g, fn);
        g_string_append(g, "</td><td class=\"l\">");
        report_escape(g, why);
        g_string_append(g, "</td>");
        char *path = json_path("drops", key);
        json_cell(g, d, path);
        cJSON_free(path);
        g_string_append(g, "</tr>\n");
        g_free(where);
        g_free(hk);
        g_free(fn);
        g_free(why);
    }
    g_string_append(g, "</table>\n");
    report_section_close(g);
}

/* events.txt ("at TIME WHAT: RESULT", a listing's lines indented under its event) as a
 * time line over the run and a table. */
static void run_events(GString *g, const char *dir, double duration_s)
{
    char *text = read_in(dir, "events.txt", NULL);
    report_section_open(g, "events", "Events");
    if (!text || !*text) {
        g_string_append(g, "<p>No scenario event, health-check action or failover.</p>\n");
        report_section_close(g);
        g_free(text);
        return;
    }
    char **lines = g_strsplit(text, "\n", -1);
    g_free(text);
    g_string_append(g, "<div class=\"timeline\">");
    for (int i = 0; i <= 4 && duration_s > 0; i++)      /* the last one ends at the right */
        g_string_append_printf(g, "<span class=\"tick\" style=\"%s:%d%%\">%.3g s</span>",
                               i < 4 ? "left" : "right", i < 4 ? i * 25 : 0, duration_s * i / 4);
    guint marks = 0;
    for (char **l = lines; *l; l++) {
        double t;
        if (duration_s > 0 && sscanf(*l, "at %lfs", &t) == 1 && marks++ < REPORT_MAX_EVENTS) {
            g_string_append_printf(g, "<span class=\"mark\" style=\"left:%.2f%%\" title=\"",
                                   100 * CLAMP(t / duration_s, 0, 1));
            report_escape(g, *l);
            g_string_append(g, "\"></span>");
        }
    }
    g_string_append(g, "</div>\n<table class=\"events\">\n<tr><th>time</th>"
                       "<th class=\"l\">what: result</th></tr>\n");
    GString *listing = g_string_new(NULL);
    guint nev = 0;
    for (char **l = lines; *l; l++) {
        bool cont = g_str_has_prefix(*l, "  ");
        nev += !cont && **l;
        bool keep = nev <= REPORT_MAX_EVENTS;
        if (cont && keep) {
            g_string_append(listing, *l + 2);
            g_string_append_c(listing, '\n');
        }
        if (listing->len && (!cont || !l[1])) {      /* a listing ends */
            g_string_append(g, "<tr><td></td><td class=\"l\"><pre>");
            report_escape(g, listing->str);
            g_string_append(g, "</pre></td></tr>\n");
            g_string_truncate(listing, 0);
        }
        if (cont || !**l || !keep)
            continue;
        const char *sp = g_str_has_prefix(*l, "at ") ? strchr(*l + 3, ' ') : NULL;
        g_string_append(g, "<tr class=\"event\"><td>");
        if (sp) {
            char *t = g_strndup(*l + 3, (gsize)(sp - *l - 3));
            report_escape(g, t);
            g_free(t);
        }
        g_string_append(g, "</td><td class=\"l\">");
        report_escape(g, sp ? sp + 1 : *l);
        g_string_append(g, "</td></tr>\n");
    }
    g_string_free(listing, TRUE);
    g_strfreev(lines);
    g_string_append(g, "</table>\n<p class=\"sub\">");
    if (nev > REPORT_MAX_EVENTS)
        g_string_append_printf(g, "the first %u of %u events; ", REPORT_MAX_EVENTS, nev);
    g_string_append(g, "the file: ");
    link_to(g, "events.txt", NULL);
    g_string_append(g, "</p>\n");
    report_section_close(g);
}

/* ipvsadm.txt: one block per "# COMMAND" line, each cut at REPORT_MAX_LISTING_LINES. */
static void run_listings(GString *g, const char *dir)
{
    char *text = read_in(dir, "ipvsadm.txt", NULL);
    if (!text)
        return;
    report_section_open(g, "listings", "ipvsadm listings at the end of the run");
    char **lines = g_strsplit(text, "\n", -1);
    g_free(text);
    guint shown = 0, more = 0;
    bool open = false;
    for (char **l = lines;; l++) {
        if (!*l || g_str_has_prefix(*l, "# ")) {
            if (open) {
                g_string_append(g, "</pre>\n");
                if (more) {
                    g_string_append_printf(g, "<p class=\"sub\">%u more lines in ", more);
                    link_to(g, "ipvsadm.txt", NULL);
                    g_string_append(g, "</p>\n");
                }
                g_string_append(g, "</div>\n");
            }
            if (!*l)
                break;
            g_string_append(g, "<div class=\"listing\" data-cmd=\"");
            report_escape(g, *l + 2);
            g_string_append(g, "\">\n<h3>");
            report_escape(g, *l + 2);
            g_string_append(g, "</h3>\n<pre>");
            open = true;
            shown = more = 0;
        } else if (open && (**l || l[1])) {
            if (shown++ < REPORT_MAX_LISTING_LINES) {
                report_escape(g, *l);
                g_string_append_c(g, '\n');
            } else {
                more++;
            }
        }
    }
    g_strfreev(lines);
    g_string_append(g, "<p class=\"sub\">the file: ");
    link_to(g, "ipvsadm.txt", NULL);
    g_string_append(g, "</p>\n");
    report_section_close(g);
}

static int report_run_body(GString *g, const char *dir, char *err, size_t errlen)
{
    char *text = read_in(dir, "summary.json", NULL);
    cJSON *sum = text ? cJSON_Parse(text) : NULL;
    g_free(text);
    if (!cJSON_IsObject(sum) || !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(sum, "connections"))) {
        snprintf(err, errlen, "%s/summary.json: not the summary ipvsim run writes (a JSON object "
                 "with \"connections\")", dir);
        cJSON_Delete(sum);
        return 2;
    }
    char *title = g_strdup_printf("ipvsim run: %s", jstr(sum, "scenario"));
    char *sub = g_strdup_printf("%s, seed %.0f, kernel %s (%s), %.3f s simulated, %.0f events",
                                jstr(sum, "file"), jnum(sum, "seed"), jstr(sum, "kernel"),
                                jstr(sum, "kernel_version"), jnum(sum, "duration_s"),
                                jnum(sum, "events_processed"));
    report_page_open(g, "run", title, sub);
    g_free(title);
    g_free(sub);
    g_string_append(g, "<nav><a href=\"#outcomes\">outcomes</a><a href=\"#servers\">servers</a>"
                       "<a href=\"#drops\">drops</a><a href=\"#events\">events</a>"
                       "<a href=\"#figures\">figures</a><a href=\"#listings\">ipvsadm</a>"
                       "<a href=\"#files\">files</a></nav>\n");
    if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(sum, "complete"))) {
        g_string_append(g, "<p class=\"warn\" id=\"incomplete\">This run did not complete (");
        report_escape(g, jstr(sum, "stopped_by"));
        g_string_append_printf(g, ", at %.3f s): partial results.</p>\n", jnum(sum, "end_s"));
    }
    run_outcomes(g, sum);
    run_servers(g, sum);
    run_drops(g, sum);
    run_events(g, dir, jnum(sum, "duration_s"));
    report_figures(g, dir);
    run_listings(g, dir);
    report_files(g, dir);
    report_page_close(g);
    cJSON_Delete(sum);
    return 0;
}

/* ---- a comparison --------------------------------------------------------------------- */

/* One cell of a CSV row: the field of column name ("" when there is none). */
static void csv_cell(GString *g, const struct csv *c, char **f, const char *fmt, const char *metric)
{
    char *col = g_strdup_printf(fmt, metric);
    report_escape(g, field(f, csv_col(c, col)));
    g_free(col);
}

/* A replicated comparison's tables: per metric (each M_mean column) and scheduler the
 * mean with its interval, then each scheduler's paired differences from the baseline
 * (the row whose verdicts say "baseline") with their intervals and verdicts. The
 * numbers are comparison.csv's, as written. */
static void compare_intervals(GString *g, const struct csv *c)
{
    GPtrArray *metrics = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < c->ncols; i++)
        if (g_str_has_suffix(c->head[i], "_mean"))
            g_ptr_array_add(metrics, g_strndup(c->head[i], strlen(c->head[i]) - 5));
    guint nrows = c->nlines - 1;
    char ***rows = g_new0(char **, nrows + 1);
    int base = -1, sc = csv_col(c, "scheduler"), rc = csv_col(c, "replications");
    for (guint r = 0; r < nrows; r++) {
        rows[r] = g_strsplit(c->lines[r + 1], ",", -1);
        for (guint m = 0; base < 0 && m < metrics->len; m++) {
            char *col = g_strdup_printf("%s_verdict", (char *)metrics->pdata[m]);
            if (strcmp(field(rows[r], csv_col(c, col)), "baseline") == 0)
                base = (int)r;
            g_free(col);
        }
    }
    g_string_append(g, "<h3>Means over the seeds, with their 95 % confidence intervals</h3>\n"
                       "<div class=\"wide\"><table class=\"means\">\n<tr><th class=\"l\">metric</th>");
    for (guint r = 0; r < nrows; r++) {
        g_string_append(g, "<th data-scheduler=\"");
        report_escape(g, field(rows[r], sc));
        g_string_append(g, "\">");
        report_escape(g, field(rows[r], sc));
        g_string_append(g, " <span class=\"ci\">(");
        report_escape(g, field(rows[r], rc));
        g_string_append(g, " seeds)</span></th>");
    }
    g_string_append(g, "</tr>\n");
    for (guint m = 0; m < metrics->len; m++) {
        const char *name = metrics->pdata[m];
        g_string_append(g, "<tr><td class=\"l\">");
        report_escape(g, name);
        g_string_append(g, "</td>");
        for (guint r = 0; r < nrows; r++) {
            g_string_append(g, "<td data-scheduler=\"");
            report_escape(g, field(rows[r], sc));
            g_string_append(g, "\" data-metric=\"");
            report_escape(g, name);
            g_string_append(g, "\"><span class=\"mean\">");
            csv_cell(g, c, rows[r], "%s_mean", name);
            g_string_append(g, "</span> <span class=\"ci\">[");
            csv_cell(g, c, rows[r], "%s_ci_low", name);
            g_string_append(g, ", ");
            csv_cell(g, c, rows[r], "%s_ci_high", name);
            g_string_append(g, "]</span></td>");
        }
        g_string_append(g, "</tr>\n");
    }
    g_string_append(g, "</table></div>\n<h3>Against the baseline");
    if (base >= 0) {
        g_string_append(g, ", ");
        report_escape(g, field(rows[base], sc));
    }
    g_string_append(g, ", paired by seed: each run minus the baseline's on the same seed, the "
                       "mean difference, its 95 % interval, the verdict</h3>\n<table class=\"diffs\">\n"
                       "<tr><th class=\"l\">scheduler</th><th class=\"l\">metric</th><th>baseline</th>"
                       "<th>diff</th><th>95 % CI</th><th class=\"l\">verdict</th></tr>\n");
    for (guint r = 0; r < nrows; r++) {
        for (guint m = 0; (int)r != base && m < metrics->len; m++) {
            const char *name = metrics->pdata[m];
            char *vcol = g_strdup_printf("%s_verdict", name);
            const char *verdict = field(rows[r], csv_col(c, vcol));
            g_free(vcol);
            g_string_append(g, "<tr data-scheduler=\"");
            report_escape(g, field(rows[r], sc));
            g_string_append(g, "\" data-metric=\"");
            report_escape(g, name);
            g_string_append(g, "\"><td class=\"l\">");
            report_escape(g, field(rows[r], sc));
            g_string_append(g, "</td><td class=\"l\">");
            report_escape(g, name);
            g_string_append(g, "</td><td>");
            if (base >= 0)
                csv_cell(g, c, rows[base], "%s_mean", name);
            g_string_append(g, "</td><td class=\"diff\">");
            csv_cell(g, c, rows[r], "%s_diff", name);
            g_string_append(g, "</td><td>[");
            csv_cell(g, c, rows[r], "%s_diff_ci_low", name);
            g_string_append(g, ", ");
            csv_cell(g, c, rows[r], "%s_diff_ci_high", name);
            /* better / worse (higher / lower for shares) coloured, no difference plain */
            g_string_append(g, "]</td><td class=\"l verdict");
            if (!g_str_has_prefix(verdict, "no ") && !strchr(verdict, ' ')) {
                g_string_append_c(g, ' ');
                report_escape(g, verdict);
            }
            g_string_append(g, "\">");
            report_escape(g, verdict);
            g_string_append(g, "</td></tr>\n");
        }
    }
    g_string_append(g, "</table>\n");
    for (guint r = 0; r < nrows; r++)
        g_strfreev(rows[r]);
    g_free(rows);
    g_ptr_array_free(metrics, TRUE);
}

static int report_compare_body(GString *g, const char *dir, char *err, size_t errlen)
{
    struct csv c;
    if (!csv_read(&c, dir, "comparison.csv") || csv_col(&c, "scheduler") != 0) {
        snprintf(err, errlen, "%s/comparison.csv: not the table ipvsim compare writes (its first "
                 "column is \"scheduler\")", dir);
        csv_free(&c);
        return 2;
    }
    char *table = read_in(dir, "comparison.txt", NULL);
    char *first = table ? g_strndup(table, strcspn(table, "\n")) : g_strdup("compare");
    bool replicated = csv_col(&c, "replications") >= 0;
    report_page_open(g, replicated ? "compare-replicated" : "compare", "ipvsim compare", first);
    g_string_append(g, "<nav><a href=\"#comparison\">comparison</a><a href=\"#figures\">figures</a>"
                       "<a href=\"#files\">files</a></nav>\n");
    report_section_open(g, "comparison", "Comparison");
    if (replicated)
        compare_intervals(g, &c);
    else
        report_csv_table(g, dir, "comparison.csv");
    if (table) {
        g_string_append(g, "<details><summary>The table as ipvsim compare printed it "
                           "(comparison.txt)</summary>\n<pre>");
        report_escape(g, table);
        g_string_append(g, "</pre></details>\n");
    }
    report_section_close(g);
    report_figures(g, dir);
    report_files(g, dir);
    report_page_close(g);
    g_free(first);
    g_free(table);
    csv_free(&c);
    return 0;
}

/* A sweep's directory (ipvsim sweep): its summary table as printed and as summary.csv (per
 * point and scheduler, each metric's mean and 95 % interval), the figures (metric against
 * the first parameter, a band per scheduler), the files; runs.csv is linked, not drawn. */
static int report_sweep_body(GString *g, const char *dir, char *err, size_t errlen)
{
    char *table = read_in(dir, "summary.txt", NULL);
    if (!table) {
        snprintf(err, errlen, "%s/summary.txt: missing (ipvsim sweep writes it beside "
                 "summary.csv)", dir);
        return 2;
    }
    char *first = g_strndup(table, strcspn(table, "\n"));
    report_page_open(g, "sweep", "ipvsim sweep", first);
    g_string_append(g, "<nav><a href=\"#summary\">summary</a><a href=\"#figures\">figures</a>"
                       "<a href=\"#files\">files</a></nav>\n");
    report_section_open(g, "summary", "Summary");
    g_string_append(g, "<pre>");
    report_escape(g, table);
    g_string_append(g, "</pre>\n");
    report_csv_table(g, dir, "summary.csv");
    report_section_close(g);
    report_figures(g, dir);
    report_files(g, dir);
    report_page_close(g);
    g_free(first);
    g_free(table);
    return 0;
}

/* ---- the page ----------------------------------------------------------------------------- */

/* A kind of results directory: the file only it writes, and the body that draws it. The
 * sweep's row comes first: its directory has no summary.json or comparison.csv of its
 * own, but the first row whose file exists wins. */
struct report_kind {
    const char *file;
    int (*body)(GString *g, const char *dir, char *err, size_t errlen);
};

static const struct report_kind report_kinds[] = {
    { "summary.csv", report_sweep_body },
    { "summary.json", report_run_body },
    { "comparison.csv", report_compare_body },
};

int report_format(const char *dir, GString *out, char *err, size_t errlen)
{
    for (size_t k = 0; k < G_N_ELEMENTS(report_kinds); k++)
        if (exists_in(dir, report_kinds[k].file))
            return report_kinds[k].body(out, dir, err, errlen);
    GString *files = g_string_new(NULL);
    for (size_t k = 0; k < G_N_ELEMENTS(report_kinds); k++)
        g_string_append_printf(files, "%s%s", k ? " or " : "", report_kinds[k].file);
    snprintf(err, errlen, "%s: no results the report knows (no %s: what ipvsim run, compare "
             "and sweep write)", dir, files->str);
    g_string_free(files, TRUE);
    return 2;
}

int report_write(const char *dir, char *err, size_t errlen)
{
    GString *page = g_string_new(NULL);
    int rc = report_format(dir, page, err, errlen);
    if (rc == 0) {
        char *path = g_build_filename(dir, REPORT_PAGE, NULL);
        GError *gerr = NULL;
        /* a temporary file renamed over the page: never half a page */
        if (!g_file_set_contents(path, page->str, (gssize)page->len, &gerr)) {
            snprintf(err, errlen, "%s", gerr->message);
            g_error_free(gerr);
            rc = 1;
        }
        g_free(path);
    }
    g_string_free(page, TRUE);
    return rc;
}
