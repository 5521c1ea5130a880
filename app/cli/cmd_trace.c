/* `ipvsim trace`. */
#include "app/cli/cmd_trace.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "app/cli/cli_args.h"
#include "app/run/run_session.h"
#include "app/report/trace_json.h"
#include "app/report/trace_text.h"
#include "model/net.h"
#include "model/profile.h"
#include "sim/in6_key.h"
#include "app/scenario/units.h"

bool stdout_wants_colour(void)
{
    const char *nc = getenv("NO_COLOR");
    return isatty(STDOUT_FILENO) && !(nc && *nc);
}

/* ---- the sink ------------------------------------------------------------------------ */

struct trace_cmd {
    struct trace_sink sink;
    const struct trace_opts *o;
    FILE *out;
    GString *buf;
    struct trace_nest nest;
    GHashTable *numbers;            /* host name -> struct host_packets (--packet) */
    const char *last_host;          /* the block shown last (text: a blank line between) */
    uint64_t last_pkt;
    bool any;
    struct out_budget *budget;      /* limits.output_bytes */
};

/* The packets of the conversation one host saw, numbered in that order. */
struct host_packets {
    GHashTable *ids;                /* packet id (gint64 *) -> number */
    uint32_t count;
};

static void free_host_packets(gpointer p)
{
    struct host_packets *hp = p;
    g_hash_table_destroy(hp->ids);
    g_free(hp);
}

/* The packet's number among the conversation's packets on this host. */
static uint32_t packet_number(struct trace_cmd *t, const struct trace_event *ev)
{
    struct host_packets *hp = g_hash_table_lookup(t->numbers, ev->host);
    if (!hp) {
        hp = g_new0(struct host_packets, 1);
        hp->ids = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
        g_hash_table_insert(t->numbers, (gpointer)ev->host, hp);
    }
    gint64 id = (gint64)ev->pkt;
    gpointer n = g_hash_table_lookup(hp->ids, &id);
    if (n)
        return GPOINTER_TO_UINT(n);
    hp->count++;
    g_hash_table_insert(hp->ids, g_memdup2(&id, sizeof id), GUINT_TO_POINTER(hp->count));
    return hp->count;
}

static void cmd_out(void *ctx, const struct trace_event *ev, int depth, enum trace_role role)
{
    struct trace_cmd *t = ctx;
    if (t->o->page) {
        trace_page_event(t->o->page, ev, depth, role);
        return;
    }
    g_string_truncate(t->buf, 0);
    if (t->o->jsonl) {
        trace_json_format(t->buf, ev, depth, role);
    } else {
        if (depth == 0 && t->any && (ev->host != t->last_host || ev->pkt != t->last_pkt))
            g_string_append_c(t->buf, '\n');
        trace_text_format(t->buf, ev, depth, role, t->o->colour);
    }
    if (depth == 0) {
        t->last_host = ev->host;
        t->last_pkt = ev->pkt;
    }
    t->any = true;
    if (out_budget_take(t->budget, t->buf->len))
        fwrite(t->buf->str, 1, t->buf->len, t->out);
}

static void cmd_emit(void *ctx, const struct trace_event *ev)
{
    struct trace_cmd *t = ctx;
    if (t->o->conn && ev->flow != t->o->conn)
        return;
    if (t->o->packet && packet_number(t, ev) != t->o->packet)
        return;
    trace_nest_feed(&t->nest, ev);
}

/* ---- the run ------------------------------------------------------------------------- */

/* Returns the bytes written (they count in limits.output_bytes). */
static size_t header(FILE *out, const struct scenario *s, const struct run_world *rw,
                     const struct trace_opts *o)
{
    GString *h = g_string_new(NULL);
    g_string_printf(h, "# trace of %s, kernel %s, seed %llu", s->name,
                    host_net(rw->director)->prof->name, (unsigned long long)s->seed);
    if (o->conn)
        g_string_append_printf(h, ", conversation %llu", (unsigned long long)o->conn);
    if (o->packet)
        g_string_append_printf(h, ", packet %u", o->packet);
    if (o->host)
        g_string_append_printf(h, ", host %s", o->host);
    g_string_append_c(h, '\n');
    fwrite(h->str, 1, h->len, out);
    size_t n = h->len;
    g_string_free(h, TRUE);
    return n;
}

static void conv_summary(GString *out, const struct run_world *rw, const struct conv *c)
{
    char a[UNITS_HOST_STRLEN], b[UNITS_HOST_STRLEN];
    units_format_host(c->caddr, a);
    units_format_host(c->vaddr, b);
    g_string_append_printf(out, "conversation %llu: %s:%u > %s:%u %s, ",
                           (unsigned long long)conv_id(&rw->log, c), a, ntohs(c->cport), b,
                           ntohs(c->vport), c->proto == IPPROTO_UDP ? "udp" : "tcp");
    if (c->server >= 0)
        g_string_append_printf(out, "served by %s, ",
                               g_array_index(rw->s->servers, struct scn_server, c->server).name);
    else
        g_string_append(out, "no server, ");
    g_string_append_printf(out, "outcome %s", conv_outcome_name(c->outcome));
}

static void footer(FILE *out, const struct run_world *rw, const struct conv *c)
{
    GString *g = g_string_new("\n# ");
    conv_summary(g, rw, c);
    g_string_append_c(g, '\n');
    fputs(g->str, out);
    g_string_free(g, TRUE);
}

/* The page's part of the run: every host's hook table and the conversation. */
static void page_end(struct trace_page *page, const struct run_world *rw, const struct conv *c)
{
    for (guint i = 0; i < rw->w.hosts->len; i++) {
        struct host *h = g_ptr_array_index(rw->w.hosts, i);
        trace_page_host(page, h->name, host_net(h));
    }
    GString *g = g_string_new(NULL);
    if (c)
        conv_summary(g, rw, c);
    trace_page_summary(page, g->str);
    g_string_free(g, TRUE);
}

int trace_scenario(const struct scenario *s, const struct trace_opts *o, FILE *out)
{
    struct run_session rs;
    char why[600];
    const struct run_session_cfg cfg = { .cmd = "trace" };
    if (run_session_open(&rs, s, &cfg, why, sizeof why) != 0)
        return 2;                           /* (no capture: only bad input, printed) */
    struct run_world *rw = &rs.rw;
    struct host *only = NULL;
    if (o->host && !(only = world_host(&rw->w, o->host))) {
        GString *names = g_string_new(NULL);
        run_world_host_names(rw, names);
        fprintf(stderr, "ipvsim trace: --host: no host '%s' (expected one of: %s)\n", o->host,
                names->str);
        g_string_free(names, TRUE);
        run_session_close(&rs);
        return 2;
    }
    struct trace_cmd t = { .o = o, .out = out, .buf = g_string_sized_new(256) };
    t.sink.emit = cmd_emit;
    t.sink.ctx = &t;
    t.numbers = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, free_host_packets);
    trace_nest_init(&t.nest, cmd_out, &t);
    for (guint i = 0; i < rw->w.hosts->len; i++) {
        struct host *h = g_ptr_array_index(rw->w.hosts, i);
        if (!only || h == only)
            host_net(h)->trace = &t.sink;
    }
    t.budget = &rw->output;
    if (!o->jsonl && !o->page)
        out_budget_take(t.budget, header(out, s, rw, o));
    run_session_run(&rs);
    trace_nest_flush(&t.nest);
    for (guint i = 0; i < rw->w.hosts->len; i++)
        host_net(g_ptr_array_index(rw->w.hosts, i))->trace = NULL;
    int rc = 0;
    const struct conv *c = o->conn ? conv_get(&rw->log, o->conn) : NULL;
    if (o->page)
        page_end(o->page, rw, c);
    else if (c && !o->jsonl)
        footer(out, rw, c);
    if (rs.stopped) {
        /* what was traced up to then is written (--conn N may not have begun) */
        fflush(out);
        fprintf(stderr, "ipvsim trace: %s; the trace is partial%s\n", rs.stopped, rs.hint);
        rc = 1;
    } else if (o->conn && !c) {
        fflush(out);
        fprintf(stderr, "ipvsim trace: --conn: the run had no conversation %llu (it had %u)\n",
                (unsigned long long)o->conn, rw->log.convs->len);
        rc = 2;
    }
    g_hash_table_destroy(t.numbers);
    g_string_free(t.buf, TRUE);
    run_session_close(&rs);
    return rc;
}

/* ---- the command --------------------------------------------------------------------- */

/* --format html: run the scenario once per era of the list (NULL: the scenario's own
 * kernel) into one page, and write it to path ("-": stdout) if it fits. Nothing is
 * written otherwise. */
static int trace_page_cmd(const char *file, struct cli_scenario_opts *scn, struct trace_opts *o,
                          const char *path)
{
    char **eras = scn->kernel ? g_strsplit(scn->kernel, ",", -1) : g_new0(char *, 1);
    char *given = scn->kernel;
    int rc = 0;
    struct trace_page *page = NULL;
    for (int i = 0; rc == 0 && (i == 0 || eras[i]); i++) {
        scn->kernel = eras[i];             /* the overrides take one era at a time */
        GPtrArray *ov = cli_scenario_overrides(scn);
        struct scenario *s = run_session_load(file, (const char *const *)ov->pdata);
        g_ptr_array_free(ov, TRUE);
        if (!s) {
            rc = 2;
            break;
        }
        if (!page)
            page = trace_page_new(s->name, s->seed, o->conn);
        const struct kernel_profile *prof = kernel_profile_parse(s->kernel, NULL, 0);
        trace_page_walk(page, prof ? prof->name : s->kernel);
        o->page = page;
        rc = trace_scenario(s, o, stdout);
        scenario_free(s);
    }
    scn->kernel = given;
    g_strfreev(eras);
    char why[200];
    if (rc == 0 && !trace_page_fits(page, why, sizeof why)) {
        fprintf(stderr, "ipvsim trace: --format html: the selection is too large to draw: %s; "
                "%s\n", why, o->conn ? "narrow it with --packet K or --host NAME"
                                      : "choose one conversation with --conn N");
        rc = 2;
    }
    if (rc == 0) {
        GString *html = g_string_new(NULL);
        trace_page_format(page, html);
        GError *err = NULL;
        if (strcmp(path, "-") == 0) {
            fwrite(html->str, 1, html->len, stdout);
        } else if (!g_file_set_contents(path, html->str, (gssize)html->len, &err)) {
            fprintf(stderr, "ipvsim trace: -o: %s\n", err->message);
            g_error_free(err);
            rc = 1;
        }
        g_string_free(html, TRUE);
    }
    trace_page_free(page);
    o->page = NULL;
    return rc;
}

int cmd_trace(int argc, char **argv)
{
    gint64 conn = 0, packet = 0;
    char *host = NULL, *format = NULL, *output = NULL;
    struct cli_scenario_opts scn;
    GOptionEntry entries[] = {
        { "conn", 'c', 0, G_OPTION_ARG_INT64, &conn, "only conversation N (1 = the first)", "N" },
        { "packet", 'p', 0, G_OPTION_ARG_INT64, &packet,
          "only its K-th packet on each host (with --conn)", "K" },
        { "host", 0, 0, G_OPTION_ARG_STRING, &host, "only this host", "NAME" },
        { "format", 'f', 0, G_OPTION_ARG_STRING, &format,
          "text (default), jsonl, or html (one page: the ladder and each packet's walk; "
          "two eras side by side with -k A,B)", "FORMAT" },
        { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "the page's file (--format html)",
          "FILE" },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    GOptionContext *ctx = g_option_context_new("SCENARIO - every packet's walk through every host's stack");
    g_option_context_add_main_entries(ctx, entries, NULL);
    cli_scenario_options(g_option_context_get_main_group(ctx), &scn, CLI_OPTS_RUN);
    scn.kernel_list = true;
    bool ok = cli_scenario_options_parse(ctx, &argc, &argv, &scn, "trace");
    g_option_context_free(ctx);
    int rc = 2;
    struct trace_opts o = { .host = host };
    bool html = format && strcmp(format, "html") == 0;
    char **eras = scn.kernel ? g_strsplit(scn.kernel, ",", -1) : NULL;
    guint n_eras = eras ? g_strv_length(eras) : 1;
    g_strfreev(eras);
    if (!ok) {
        /* the message is printed */
    } else if (argc != 2) {
        fprintf(stderr, "ipvsim trace: expected exactly one SCENARIO file\n");
    } else if (conn < 0 || packet < 0 || packet > UINT32_MAX) {
        fprintf(stderr, "ipvsim trace: --conn and --packet take a positive number\n");
    } else if (packet && !conn) {
        fprintf(stderr, "ipvsim trace: --packet needs --conn\n");
    } else if (format && !html && strcmp(format, "text") != 0 && strcmp(format, "jsonl") != 0) {
        fprintf(stderr, "ipvsim trace: --format: expected text, jsonl or html, not '%s'\n", format);
    } else if (n_eras > 1 && !html) {
        fprintf(stderr, "ipvsim trace: --kernel: one version (two, A,B, only with --format html)\n");
    } else if (n_eras > 2) {
        fprintf(stderr, "ipvsim trace: --kernel: at most two versions side by side, not %u\n", n_eras);
    } else if (output && !html) {
        fprintf(stderr, "ipvsim trace: -o: only with --format html (text and jsonl go to stdout)\n");
    } else if (html && !output) {
        fprintf(stderr, "ipvsim trace: --format html: expected -o FILE (- for stdout)\n");
    } else {
        o.conn = (uint64_t)conn;
        o.packet = (uint32_t)packet;
        o.jsonl = format && strcmp(format, "jsonl") == 0;
        o.colour = !o.jsonl && !html && stdout_wants_colour();
        if (html) {
            rc = trace_page_cmd(argv[1], &scn, &o, output);
        } else {
            GPtrArray *ov = cli_scenario_overrides(&scn);
            struct scenario *s = run_session_load(argv[1], (const char *const *)ov->pdata);
            if (s)
                rc = trace_scenario(s, &o, stdout);
            scenario_free(s);
            g_ptr_array_free(ov, TRUE);
        }
    }
    if (fflush(stdout) != 0 && rc == 0)
        rc = 1;
    g_free(host);
    g_free(format);
    g_free(output);
    cli_scenario_options_free(&scn);
    return rc;
}
