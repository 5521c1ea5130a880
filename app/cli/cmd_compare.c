/* `ipvsim compare`. */
#include "app/cli/cli_args.h"
#include "app/cli/cmd_compare.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "app/report/outdir.h"
#include "app/report/plots.h"
#include "app/run/run_session.h"
#include "app/run/signals.h"
#include "model/ipvs/ip_vs.h"
#include "model/user/ipvsadm/ipvsadm.h"
#include "model/net.h"

/* ---- the parts that tests call ---------------------------------------------------------- */

unsigned compare_services(const struct scenario *s)
{
    unsigned n = 0;
    for (guint i = 0; i < s->ipvs->len; i++) {
        struct ipvsadm_cmd cmd;
        struct ipvsadm_error err;
        if (ipvsadm_parse(g_array_index(s->ipvs, struct scn_line, i).text, &cmd, &err) == 0 &&
            (cmd.cmd == IPVSADM_CMD_ADD || cmd.cmd == IPVSADM_CMD_EDIT))
            n++;
    }
    return n;
}

/* A failure (+1), a recovery (-1) or neither (0). */
static int event_sense(const struct scn_event *e)
{
    struct ipvsadm_cmd cmd;
    struct ipvsadm_error err;
    switch (e->kind) {
    case EV_SERVER_DOWN:
    case EV_SERVER_REFUSE:
        return 1;
    case EV_SERVER_UP:
        return -1;
    case EV_IPVSADM:
        if (ipvsadm_parse(e->args.text, &cmd, &err) != 0)
            return 0;
        if (cmd.cmd == IPVSADM_CMD_DELDEST || (cmd.cmd == IPVSADM_CMD_EDITDEST && cmd.dest.weight == 0))
            return 1;
        if (cmd.cmd == IPVSADM_CMD_ADDDEST || cmd.cmd == IPVSADM_CMD_EDITDEST)
            return -1;
        return 0;
    default:
        return 0;
    }
}

bool compare_failure_window(const struct scenario *s, sim_time_t *t_fail, sim_time_t *t_next)
{
    bool found = false;
    *t_next = INT64_MAX;
    for (guint i = 0; i < s->events->len; i++) {
        const struct scn_event *e = &g_array_index(s->events, struct scn_event, i);
        int sense = event_sense(e);
        if (!found && sense > 0) {
            found = true;
            *t_fail = e->at;
        } else if (found && sense < 0 && e->at > *t_fail) {
            *t_next = e->at;
            break;
        }
    }
    return found;
}

struct client_map {
    sim_time_t t_before, t_after;
    int before, after;
};

void compare_remap(const struct conv_log *log, sim_time_t t_fail, sim_time_t t_next,
                   uint64_t *moved, uint64_t *base)
{
    GHashTable *clients = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    for (guint i = 0; i < log->convs->len; i++) {
        const struct conv *c = &g_array_index(log->convs, struct conv, i);
        if (c->server < 0 || c->start >= t_next)
            continue;
        struct client_map *m = g_hash_table_lookup(clients, GUINT_TO_POINTER(c->caddr));
        if (!m) {
            m = g_new(struct client_map, 1);
            *m = (struct client_map){ INT64_MIN, INT64_MIN, -1, -1 };
            g_hash_table_insert(clients, GUINT_TO_POINTER(c->caddr), m);
        }
        if (c->start < t_fail && c->start >= m->t_before) {
            m->t_before = c->start;
            m->before = c->server;
        } else if (c->start >= t_fail && c->start >= m->t_after) {
            m->t_after = c->start;
            m->after = c->server;
        }
    }
    *moved = *base = 0;
    GHashTableIter it;
    gpointer key, val;
    g_hash_table_iter_init(&it, clients);
    while (g_hash_table_iter_next(&it, &key, &val)) {
        const struct client_map *m = val;
        if (m->before < 0 || m->after < 0)
            continue;
        (*base)++;
        *moved += m->before != m->after;
    }
    g_hash_table_destroy(clients);
}

double compare_imbalance(const double *load, guint n)
{
    double max = 0, sum = 0;
    for (guint i = 0; i < n; i++) {
        sum += load[i];
        max = load[i] > max ? load[i] : max;
    }
    return sum > 0 ? max / (sum / n) : 0;
}

/* ---- one row per scheduler ------------------------------------------------------------------ */

enum { DROP_LINK_QUEUE, DROP_LINK_LOST, DROP_HDR, DROP_ADDR, DROP_IN_DISCARD, DROP_OUT_DISCARD,
       DROP_NF, NDROPS };
static const char *const drop_cols[NDROPS] = {
    "drops_link_queue_full", "drops_link_lost", "drops_ip_in_hdr_errors", "drops_ip_in_addr_errors",
    "drops_ip_in_discards", "drops_ip_out_discards", "drops_netfilter",
};

#define NOUTCOMES (CONV_ADDRNOTAVAIL + 1)

struct row {
    const char *sched;
    uint64_t outcome[NOUTCOMES], total, failed;
    double mean, p50, p95, p99;     /* ms */
    double *share, *load, imbalance;
    uint64_t *scheduled, *completed;    /* per server (struct plot_run's) */
    uint64_t drops[NDROPS];
    bool remap;
    uint64_t moved, base;
};

static bool hashing(const char *sched)
{
    return strcmp(sched, "sh") == 0 || strcmp(sched, "mh") == 0 || strcmp(sched, "dh") == 0;
}

static void count_drops(const struct run_world *rw, uint64_t *d)
{
    for (guint i = 0; i < rw->w.links->len; i++) {
        const struct link *l = g_ptr_array_index(rw->w.links, i);
        d[DROP_LINK_QUEUE] += l->stats.queue_drops;
        d[DROP_LINK_LOST] += l->stats.lost;
    }
    for (guint i = 0; i < rw->w.hosts->len; i++) {
        const struct net *net = host_net(g_ptr_array_index(rw->w.hosts, i));
        d[DROP_HDR] += net->mib.in_hdr_errors;
        d[DROP_ADDR] += net->mib.in_addr_errors;
        d[DROP_IN_DISCARD] += net->mib.in_discards;
        d[DROP_OUT_DISCARD] += net->mib.out_discards;
        for (int h = 0; h < NF_INET_NUMHOOKS; h++)
            d[DROP_NF] += net->nf_verdicts[h][NF_DROP];
    }
}

static void fill_row(struct row *r, const struct run_world *rw, const struct plot_set *ps,
                     const struct plot_run *pr, bool window, sim_time_t t_fail, sim_time_t t_next)
{
    guint n = ps->nservers;
    for (guint i = 0; i < rw->log.convs->len; i++) {
        const struct conv *c = &g_array_index(rw->log.convs, struct conv, i);
        if ((int)c->outcome < NOUTCOMES)
            r->outcome[c->outcome]++;
        r->total++;
    }
    r->failed = r->outcome[CONV_REFUSED] + r->outcome[CONV_RESET] + r->outcome[CONV_TIMEOUT] +
                r->outcome[CONV_UNREACHABLE] + r->outcome[CONV_ADDRNOTAVAIL];
    double sum = 0;
    for (guint i = 0; i < pr->resp_ns->len; i++)
        sum += (double)g_array_index(pr->resp_ns, int64_t, i);
    r->mean = pr->resp_ns->len ? sum / pr->resp_ns->len / 1e6 : 0;
    r->p50 = plot_percentile(pr->resp_ns, 0.50) / 1e6;
    r->p95 = plot_percentile(pr->resp_ns, 0.95) / 1e6;
    r->p99 = plot_percentile(pr->resp_ns, 0.99) / 1e6;
    r->share = g_new0(double, n + 1);
    r->load = g_new0(double, n + 1);
    r->scheduled = pr->scheduled;
    r->completed = pr->completed;
    uint64_t scheduled = 0;
    for (guint k = 0; k < n; k++)
        scheduled += pr->scheduled[k];
    for (guint k = 0; k < n; k++) {
        r->share[k] = scheduled ? (double)pr->scheduled[k] / (double)scheduled : 0;
        double open_ns = 0;
        for (guint b = 0; b < ps->nbins; b++) {
            sim_time_t len = ps->duration - (sim_time_t)b * ps->bin;
            open_ns += pr->open[b * n + k] * (double)(len < ps->bin ? len : ps->bin);
        }
        int workers = g_array_index(rw->s->servers, struct scn_server, k).workers;
        r->load[k] = open_ns / (double)ps->duration / (workers > 0 ? workers : 1);
    }
    r->imbalance = compare_imbalance(r->load, n);
    count_drops(rw, r->drops);
    r->remap = window && hashing(r->sched);
    if (r->remap)
        compare_remap(&rw->log, t_fail, t_next, &r->moved, &r->base);
}

/* ---- output ----------------------------------------------------------------------------------- */

static void csv_num(GString *g, const char *fmt, double v)
{
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    g_string_append_c(g, ',');
    g_string_append(g, g_ascii_formatd(buf, sizeof buf, fmt, v));
}

static void write_csv(GString *g, const struct plot_set *ps, const struct row *rows, guint nrows)
{
    g_string_append(g, "scheduler,connections,ok,failed,refused,reset,timeout,unreachable,"
                    "addrnotavail,unfinished,mean_ms,p50_ms,p95_ms,p99_ms,imbalance");
    for (guint k = 0; k < ps->nservers; k++)
        g_string_append_printf(g, ",scheduled_%s", ps->servers[k]);
    for (guint k = 0; k < ps->nservers; k++)
        g_string_append_printf(g, ",completed_%s", ps->servers[k]);
    for (guint k = 0; k < ps->nservers; k++)
        g_string_append_printf(g, ",share_%s", ps->servers[k]);
    for (guint k = 0; k < ps->nservers; k++)
        g_string_append_printf(g, ",load_%s", ps->servers[k]);
    for (int d = 0; d < NDROPS; d++)
        g_string_append_printf(g, ",%s", drop_cols[d]);
    g_string_append(g, ",remapped_share,remapped_clients,remap_base\n");
    for (guint i = 0; i < nrows; i++) {
        const struct row *r = &rows[i];
        g_string_append_printf(g, "%s,%llu,%llu,%llu", r->sched, (unsigned long long)r->total,
                               (unsigned long long)r->outcome[CONV_OK], (unsigned long long)r->failed);
        static const int oc[] = { CONV_REFUSED, CONV_RESET, CONV_TIMEOUT, CONV_UNREACHABLE,
                                  CONV_ADDRNOTAVAIL, CONV_UNFINISHED };
        for (size_t k = 0; k < G_N_ELEMENTS(oc); k++)
            g_string_append_printf(g, ",%llu", (unsigned long long)r->outcome[oc[k]]);
        csv_num(g, "%.3f", r->mean);
        csv_num(g, "%.3f", r->p50);
        csv_num(g, "%.3f", r->p95);
        csv_num(g, "%.3f", r->p99);
        csv_num(g, "%.3f", r->imbalance);
        for (guint k = 0; k < ps->nservers; k++)
            g_string_append_printf(g, ",%llu", (unsigned long long)r->scheduled[k]);
        for (guint k = 0; k < ps->nservers; k++)
            g_string_append_printf(g, ",%llu", (unsigned long long)r->completed[k]);
        for (guint k = 0; k < ps->nservers; k++)
            csv_num(g, "%.4f", r->share[k]);
        for (guint k = 0; k < ps->nservers; k++)
            csv_num(g, "%.4f", r->load[k]);
        for (int d = 0; d < NDROPS; d++)
            g_string_append_printf(g, ",%llu", (unsigned long long)r->drops[d]);
        if (r->remap && r->base) {
            csv_num(g, "%.4f", (double)r->moved / (double)r->base);
            g_string_append_printf(g, ",%llu,%llu\n", (unsigned long long)r->moved,
                                   (unsigned long long)r->base);
        } else {
            g_string_append(g, ",,,\n");
        }
    }
}

static void write_table(GString *g, const struct scenario *s, const struct plot_set *ps,
                        const struct row *rows, guint nrows, bool window, sim_time_t t_fail)
{
    g_string_append_printf(g, "compare %s: seed %llu, %.3f s simulated, kernel %s; the same arrivals "
                           "under each scheduler\n\n", s->name, (unsigned long long)s->seed,
                           (double)s->duration / SEC, s->kernel);
    g_string_append_printf(g, "%-6s %7s %7s %6s %8s %8s %8s %8s %6s", "sched", "conns", "ok", "failed",
                           "mean ms", "p50 ms", "p95 ms", "p99 ms", "imbal");
    int *w = g_new(int, 2 * ps->nservers + 1);
    for (guint k = 0; k < 2 * ps->nservers; k++) {
        char *h = g_strdup_printf(k < ps->nservers ? "%s %%" : "%s ok%%", ps->servers[k % ps->nservers]);
        w[k] = (int)strlen(h) > 7 ? (int)strlen(h) : 7;
        g_string_append_printf(g, " %*s", w[k], h);
        g_free(h);
    }
    g_string_append_printf(g, " %7s %9s\n", "drops", "remapped");
    for (guint i = 0; i < nrows; i++) {
        const struct row *r = &rows[i];
        uint64_t drops = 0;
        for (int d = 0; d < NDROPS; d++)
            drops += r->drops[d];
        g_string_append_printf(g, "%-6s %7llu %7llu %6llu %8.2f %8.2f %8.2f %8.2f %6.2f", r->sched,
                               (unsigned long long)r->total, (unsigned long long)r->outcome[CONV_OK],
                               (unsigned long long)r->failed, r->mean, r->p50, r->p95, r->p99,
                               r->imbalance);
        for (guint k = 0; k < ps->nservers; k++)
            g_string_append_printf(g, " %*.1f", w[k], 100 * r->share[k]);
        for (guint k = 0; k < ps->nservers; k++) {
            if (r->scheduled[k])
                g_string_append_printf(g, " %*.1f", w[ps->nservers + k],
                                       100.0 * (double)r->completed[k] / (double)r->scheduled[k]);
            else
                g_string_append_printf(g, " %*s", w[ps->nservers + k], "-");
        }
        g_string_append_printf(g, " %7llu", (unsigned long long)drops);
        if (r->remap && r->base)
            g_string_append_printf(g, " %8.1f%%\n", 100.0 * (double)r->moved / (double)r->base);
        else
            g_string_append_printf(g, " %9s\n", "-");
    }
    g_free(w);
    g_string_append(g, "\nresponse times: completed connections (nearest rank); imbal: max/mean of "
                    "the servers' load (connections open per worker, time-averaged); server %: "
                    "its share of the connections IPVS scheduled to a real server, failed ones "
                    "included; server ok%: of those scheduled to it, the share that completed");
    if (window)
        g_string_append_printf(g, "; remapped (sh, mh, dh): client addresses whose server changed "
                               "across the failure at %.3f s", (double)t_fail / SEC);
    g_string_append(g, ".\n");
}

/* ---- the command ------------------------------------------------------------------------------ */

struct cmp_opts {
    char *outdir, *schedulers;
    gboolean quiet;
    struct cli_scenario_opts scn;   /* --seed, --set, --limit, --kernel: every run's */
};

/* The scheduler list: known names, no repeats. NULL with a message. */
static char **parse_schedulers(const char *list)
{
    char **names = g_strsplit(list ? list : "", ",", -1);
    guint n = g_strv_length(names);
    bool ok = n > 0;
    for (guint i = 0; ok && i < n; i++) {
        g_strstrip(names[i]);
        if (!*names[i] || strcmp(names[i], "none") == 0 || !ip_vs_scheduler_find(names[i])) {
            GString *known = g_string_new(NULL);
            for (const char *const *k = ip_vs_scheduler_names(); *k; k++)
                g_string_append_printf(known, "%s%s", known->len ? ", " : "", *k);
            fprintf(stderr, "ipvsim compare: --schedulers: unknown scheduler '%s' (known: %s)\n",
                    names[i], known->str);
            g_string_free(known, TRUE);
            ok = false;
        }
        for (guint j = 0; ok && j < i; j++)
            if (strcmp(names[i], names[j]) == 0) {
                fprintf(stderr, "ipvsim compare: --schedulers: '%s' is listed twice\n", names[i]);
                ok = false;
            }
    }
    if (n == 0)
        fprintf(stderr, "ipvsim compare: --schedulers LIST is required (e.g. --schedulers rr,wlc)\n");
    if (!ok) {
        g_strfreev(names);
        return NULL;
    }
    return names;
}

/* One run under sched: its row and its plot data. 0; 1 when a limit or a signal
 * stopped the run (*stopped says why, app/run/run_limits.h; nothing is added); 2 with the
 * message printed. */
static int run_one(const struct scenario *s, const char *sched, struct plot_set *ps,
                   struct row *row, bool window, sim_time_t t_fail, sim_time_t t_next,
                   char **stopped, const char **hint)
{
    /* the scheduler a typed value on the parsed -A/-E lines (ipvsadm_parse_sched) */
    const struct run_session_cfg cfg = { .cmd = "compare", .world = { .sched = sched } };
    struct run_session rs;
    char why[600];
    if (run_session_open(&rs, s, &cfg, why, sizeof why) != 0) {
        /* (no capture: only bad input, printed) */
        fprintf(stderr, "ipvsim compare: the run under %s (every -A and -E line with -s %s) "
                "does not build: the error above\n", sched, sched);
        return 2;
    }
    int rc = 0;
    if (run_session_run(&rs)) {
        row->sched = sched;
        struct plot_run *pr = plot_set_add_run(ps, &rs.rw, sched, false);
        fill_row(row, &rs.rw, ps, pr, window, t_fail, t_next);
    } else {
        *stopped = g_strdup(rs.stopped);
        *hint = rs.hint;
        rc = 1;
    }
    run_session_close(&rs);
    return rc;
}

static bool put(const struct outdir *o, const char *name, const GString *text, char *err,
                size_t errlen)
{
    return outdir_write(o, name, text->str, text->len, err, errlen);
}

static int compare(const struct cmp_opts *opt, const char *path, char **scheds)
{
    GPtrArray *ov = cli_scenario_overrides(&opt->scn);
    struct scenario *base = run_session_load(path, (const char *const *)ov->pdata);
    g_ptr_array_free(ov, TRUE);
    if (!base)
        return 2;
    if (compare_services(base) == 0) {
        fprintf(stderr, "ipvsim compare: %s: the scenario adds no virtual service (no -A line in "
                "\"ipvs\"): there is no scheduler to change\n", path);
        scenario_free(base);
        return 2;
    }
    char *dir = opt->outdir ? g_strdup(opt->outdir)
                            : g_strdup_printf("results/%s-compare", base->name);
    struct outdir o;
    char err[600];
    int orc = outdir_begin(&o, dir, err, sizeof err);
    if (orc != 0) {
        fprintf(stderr, "ipvsim compare: %s\n", err);
        g_free(dir);
        scenario_free(base);
        return orc;
    }
    sim_time_t t_fail = 0, t_next = INT64_MAX;
    bool window = compare_failure_window(base, &t_fail, &t_next);
    struct plot_set ps;
    plot_set_init(&ps, base);
    guint n = g_strv_length(scheds);
    struct row *rows = g_new0(struct row, n);
    bool show = !opt->quiet && isatty(STDERR_FILENO);
    int rc = 0;
    guint i;
    char *stopped = NULL;
    const char *hint = "";
    signals_install();                      /* around the runs: each session's nest */
    for (i = 0; i < n && rc == 0; i++) {
        if (show)
            fprintf(stderr, "\r[%u/%u] %-8s", i + 1, n, scheds[i]);
        rc = run_one(base, scheds[i], &ps, &rows[i], window, t_fail, t_next, &stopped, &hint);
    }
    if (show)
        fprintf(stderr, "\r%30s\r", "");
    if (stopped)                            /* a table without every row is not written */
        fprintf(stderr, "ipvsim compare: the run under %s (%u of %u) did not complete: %s; "
                "nothing written to %s/%s\n", scheds[i - 1], i, n, stopped, dir, hint);
    g_free(stopped);
    GString *table = g_string_new(NULL), *csv = g_string_new(NULL);
    if (rc == 0) {
        write_table(table, base, &ps, rows, n, window, t_fail);
        write_csv(csv, &ps, rows, n);
        char *pcap = outdir_path(&o, "pcap");
        g_rmdir(pcap);                      /* compare captures nothing */
        g_free(pcap);
        enum plots_status st = plots_write(&ps, o.tmp, err, sizeof err);
        if (st == PLOTS_WRITE_FAILED || !put(&o, "comparison.csv", csv, err, sizeof err) ||
            !put(&o, "comparison.txt", table, err, sizeof err)) {
            outdir_show_final(&o, err);
            fprintf(stderr, "ipvsim compare: writing the results failed: %s\n", err);
            rc = 1;
        } else if (st == PLOTS_GNUPLOT_FAILED || (st == PLOTS_SKIPPED && !opt->quiet)) {
            fprintf(stderr, "ipvsim compare: %s\n", err);
        }
        if (rc == 0 && !outdir_commit(&o, err, sizeof err)) {
            fprintf(stderr, "ipvsim compare: writing the results failed: %s\n", err);
            rc = 1;
        }
        if (rc == 0) {
            fputs(table->str, stdout);
            if (!opt->quiet)
                printf("results in %s/ (comparison.csv, plots/)\n", dir);
        }
    }
    outdir_abort(&o);
    signals_restore();
    g_string_free(table, TRUE);
    g_string_free(csv, TRUE);
    for (i = 0; i < n; i++) {
        g_free(rows[i].share);
        g_free(rows[i].load);
    }
    g_free(rows);
    plot_set_free(&ps);
    scenario_free(base);
    g_free(dir);
    return rc;
}

int cmd_compare(int argc, char **argv)
{
    struct cmp_opts opt = {0};
    GOptionEntry entries[] = {
        { "schedulers", 0, 0, G_OPTION_ARG_STRING, &opt.schedulers, "schedulers to compare, comma-separated", "LIST" },
        { "output", 'o', 0, G_OPTION_ARG_FILENAME, &opt.outdir, "result directory (default results/<name>-compare)", "DIR" },
        { "quiet", 'q', 0, G_OPTION_ARG_NONE, &opt.quiet, "no progress, no closing line (the table is still printed)", NULL },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    GOptionContext *ctx = g_option_context_new("SCENARIO - the same arrivals under each scheduler: a table, comparison.csv, plots");
    g_option_context_add_main_entries(ctx, entries, NULL);
    cli_scenario_options(g_option_context_get_main_group(ctx), &opt.scn, CLI_OPTS_RUN);
    bool ok = cli_scenario_options_parse(ctx, &argc, &argv, &opt.scn, "compare");
    g_option_context_free(ctx);
    int rc = 2;
    char **scheds = NULL;
    if (ok && argc != 2)
        fprintf(stderr, "ipvsim compare: expected exactly one SCENARIO file\n");
    else if (ok && (scheds = parse_schedulers(opt.schedulers)) != NULL)
        rc = compare(&opt, argv[1], scheds);
    g_strfreev(scheds);
    g_free(opt.outdir);
    g_free(opt.schedulers);
    cli_scenario_options_free(&opt.scn);
    return rc;
}
