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

static void footer(FILE *out, const struct run_world *rw, const struct conv *c)
{
    char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &c->caddr, a, sizeof a);
    inet_ntop(AF_INET, &c->vaddr, b, sizeof b);
    fprintf(out, "\n# conversation %llu: %s:%u > %s:%u %s, ", (unsigned long long)conv_id(&rw->log, c), a,
            ntohs(c->cport), b, ntohs(c->vport), c->proto == IPPROTO_UDP ? "udp" : "tcp");
    if (c->server >= 0)
        fprintf(out, "served by %s, ",
                g_array_index(rw->s->servers, struct scn_server, c->server).name);
    else
        fprintf(out, "no server, ");
    fprintf(out, "outcome %s\n", conv_outcome_name(c->outcome));
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
    if (!o->jsonl)
        out_budget_take(t.budget, header(out, s, rw, o));
    run_session_run(&rs);
    trace_nest_flush(&t.nest);
    for (guint i = 0; i < rw->w.hosts->len; i++)
        host_net(g_ptr_array_index(rw->w.hosts, i))->trace = NULL;
    int rc = 0;
    const struct conv *c = o->conn ? conv_get(&rw->log, o->conn) : NULL;
    if (c && !o->jsonl)
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

int cmd_trace(int argc, char **argv)
{
    gint64 conn = 0, packet = 0;
    char *host = NULL, *format = NULL;
    struct cli_scenario_opts scn;
    GOptionEntry entries[] = {
        { "conn", 'c', 0, G_OPTION_ARG_INT64, &conn, "only conversation N (1 = the first)", "N" },
        { "packet", 'p', 0, G_OPTION_ARG_INT64, &packet,
          "only its K-th packet on each host (with --conn)", "K" },
        { "host", 0, 0, G_OPTION_ARG_STRING, &host, "only this host", "NAME" },
        { "format", 'f', 0, G_OPTION_ARG_STRING, &format, "text (default) or jsonl", "FORMAT" },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    GOptionContext *ctx = g_option_context_new("SCENARIO - every packet's walk through every host's stack");
    g_option_context_add_main_entries(ctx, entries, NULL);
    cli_scenario_options(g_option_context_get_main_group(ctx), &scn, CLI_OPTS_RUN);
    bool ok = cli_scenario_options_parse(ctx, &argc, &argv, &scn, "trace");
    g_option_context_free(ctx);
    int rc = 2;
    struct trace_opts o = { .host = host };
    if (!ok) {
        /* the message is printed */
    } else if (argc != 2) {
        fprintf(stderr, "ipvsim trace: expected exactly one SCENARIO file\n");
    } else if (conn < 0 || packet < 0 || packet > UINT32_MAX) {
        fprintf(stderr, "ipvsim trace: --conn and --packet take a positive number\n");
    } else if (packet && !conn) {
        fprintf(stderr, "ipvsim trace: --packet needs --conn\n");
    } else if (format && strcmp(format, "text") != 0 && strcmp(format, "jsonl") != 0) {
        fprintf(stderr, "ipvsim trace: --format: expected text or jsonl, not '%s'\n", format);
    } else {
        o.conn = (uint64_t)conn;
        o.packet = (uint32_t)packet;
        o.jsonl = format && strcmp(format, "jsonl") == 0;
        o.colour = !o.jsonl && stdout_wants_colour();
        GPtrArray *ov = cli_scenario_overrides(&scn);
        struct scenario *s = run_session_load(argv[1], (const char *const *)ov->pdata);
        if (s)
            rc = trace_scenario(s, &o, stdout);
        scenario_free(s);
        g_ptr_array_free(ov, TRUE);
    }
    if (fflush(stdout) != 0 && rc == 0)
        rc = 1;
    g_free(host);
    g_free(format);
    cli_scenario_options_free(&scn);
    return rc;
}
