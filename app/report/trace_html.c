/* A trace as one HTML page: the template with the run's data spliced in. */
#include "app/report/trace_html.h"

#include <string.h>
#include "app/report/trace_json.h"
#include "model/netfilter/core.h"

/* The template, one string per line (build/gen/trace_page.inc is made from
 * app/report/trace_page.html by the Makefile). */
static const char *const page_lines[] = {
#include "trace_page.inc"
};

/* The line of the template the data replaces. */
#define DATA_MARK "<!-- ipvsim:data -->\n"

struct walk {
    char *kernel;
    char *summary;
    GString *hooks;                 /* "HOST":{...},... */
    GString *events;                /* {...},\n{...}... */
    GHashTable *pkts;               /* packet ids seen (gint64 *), up to the limit */
    guint n_events;                 /* every event, kept or not */
    bool over;                      /* past a limit: events no longer kept */
};

struct trace_page {
    char *scenario;
    uint64_t seed, conn;
    GPtrArray *walks;               /* struct walk * */
    GString *line;
};

static void walk_free(gpointer x)
{
    struct walk *w = x;
    g_free(w->kernel);
    g_free(w->summary);
    g_string_free(w->hooks, TRUE);
    g_string_free(w->events, TRUE);
    g_hash_table_destroy(w->pkts);
    g_free(w);
}

struct trace_page *trace_page_new(const char *scenario, uint64_t seed, uint64_t conn)
{
    struct trace_page *p = g_new0(struct trace_page, 1);
    p->scenario = g_strdup(scenario);
    p->seed = seed;
    p->conn = conn;
    p->walks = g_ptr_array_new_with_free_func(walk_free);
    p->line = g_string_sized_new(512);
    return p;
}

void trace_page_free(struct trace_page *p)
{
    if (!p)
        return;
    g_free(p->scenario);
    g_ptr_array_free(p->walks, TRUE);
    g_string_free(p->line, TRUE);
    g_free(p);
}

static struct walk *cur(struct trace_page *p)
{
    g_assert(p->walks->len > 0);
    return g_ptr_array_index(p->walks, p->walks->len - 1);
}

void trace_page_walk(struct trace_page *p, const char *kernel)
{
    struct walk *w = g_new0(struct walk, 1);
    w->kernel = g_strdup(kernel);
    w->hooks = g_string_new(NULL);
    w->events = g_string_new(NULL);
    w->pkts = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    g_ptr_array_add(p->walks, w);
}

void trace_page_event(struct trace_page *p, const struct trace_event *ev, int depth,
                      enum trace_role role)
{
    struct walk *w = cur(p);
    w->n_events++;
    if (w->over)
        return;
    gint64 id = (gint64)ev->pkt;
    if (ev->pkt && !g_hash_table_contains(w->pkts, &id))
        g_hash_table_add(w->pkts, g_memdup2(&id, sizeof id));
    if (w->n_events > TRACE_PAGE_MAX_EVENTS ||
        g_hash_table_size(w->pkts) > TRACE_PAGE_MAX_PACKETS) {
        w->over = true;             /* the page will be refused: keep no more */
        g_string_truncate(w->events, 0);
        return;
    }
    g_string_truncate(p->line, 0);
    trace_json_format(p->line, ev, depth, role);
    if (w->events->len)
        g_string_append_c(w->events, ',');
    g_string_append_len(w->events, p->line->str, (gssize)p->line->len);
}

void trace_page_host(struct trace_page *p, const char *host, const struct net *net)
{
    GString *g = cur(p)->hooks;
    if (g->len)
        g_string_append_c(g, ',');
    json_append_string(g, host);
    g_string_append(g, ":{");
    for (unsigned h = 0; h < NF_INET_NUMHOOKS; h++) {
        const struct nf_hook_entries *e = nf_hook_entries_of(net, h);
        g_string_append_printf(g, "%s\"%s\":[", h ? "," : "", nf_hook_name(h));
        for (unsigned i = 0; i < e->num; i++) {
            const struct nf_hook_ops *o = e->ops[i];
            g_string_append_printf(g, "%s[%d,", i ? "," : "", o->priority);
            json_append_string(g, o->name);
            g_string_append_c(g, ',');
            json_append_string(g, o->owner);
            g_string_append_c(g, ']');
        }
        g_string_append_c(g, ']');
    }
    g_string_append_c(g, '}');
}

void trace_page_summary(struct trace_page *p, const char *summary)
{
    struct walk *w = cur(p);
    g_free(w->summary);
    w->summary = g_strdup(summary);
}

bool trace_page_fits(const struct trace_page *p, char *why, size_t len)
{
    for (guint i = 0; i < p->walks->len; i++) {
        const struct walk *w = g_ptr_array_index(p->walks, i);
        if (!w->over)
            continue;
        if (w->n_events > TRACE_PAGE_MAX_EVENTS)
            g_snprintf(why, len, "kernel %s: %u trace events (a page shows at most %u)",
                       w->kernel, w->n_events, TRACE_PAGE_MAX_EVENTS);
        else
            g_snprintf(why, len, "kernel %s: more than %u packets (a page shows at most %u)",
                       w->kernel, TRACE_PAGE_MAX_PACKETS, TRACE_PAGE_MAX_PACKETS);
        return false;
    }
    return true;
}

/* JSON text inside <script>: '<' only occurs in strings there, and as \u003c it can
 * neither close the element ("</script>") nor open a comment. */
static void append_script_safe(GString *out, const char *s, gsize n)
{
    for (gsize i = 0; i < n; i++) {
        if (s[i] == '<')
            g_string_append(out, "\\u003c");
        else
            g_string_append_c(out, s[i]);
    }
}

static void format_data(const struct trace_page *p, GString *out)
{
    GString *j = g_string_new("{\"scenario\":");
    json_append_string(j, p->scenario);
    g_string_append_printf(j, ",\"seed\":%llu,\"conn\":%llu,\"walks\":[",
                           (unsigned long long)p->seed, (unsigned long long)p->conn);
    for (guint i = 0; i < p->walks->len; i++) {
        const struct walk *w = g_ptr_array_index(p->walks, i);
        g_string_append(j, i ? ",\n{\"kernel\":" : "\n{\"kernel\":");
        json_append_string(j, w->kernel);
        g_string_append(j, ",\"summary\":");
        json_append_string(j, w->summary ? w->summary : "");
        g_string_append_printf(j, ",\"hooks\":{%s},\n\"events\":[\n", w->hooks->str);
        g_string_append_len(j, w->events->str, (gssize)w->events->len);
        g_string_append(j, "]}");
    }
    g_string_append(j, "]}\n");
    g_string_append(out, "<script type=\"application/json\" id=\"ipvsim-data\">\n");
    append_script_safe(out, j->str, j->len);
    g_string_append(out, "</script>\n");
    g_string_free(j, TRUE);
}

void trace_page_format(const struct trace_page *p, GString *out)
{
    for (size_t i = 0; i < G_N_ELEMENTS(page_lines); i++) {
        if (strcmp(page_lines[i], DATA_MARK) == 0)
            format_data(p, out);
        else
            g_string_append(out, page_lines[i]);
    }
}
