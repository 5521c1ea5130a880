/* `ipvsim compare`. */
#include "app/cli/cli_args.h"
#include "app/cli/cmd_compare.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "app/report/outdir.h"
#include "app/report/report_html.h"
#include "app/report/plots.h"
#include "app/report/run_output.h"
#include "app/report/stats.h"
#include "app/run/run_pool.h"
#include "app/run/run_session.h"
#include "app/run/signals.h"
#include "model/ipvs/ip_vs.h"
#include "model/user/ipvsadm/ipvsadm.h"
#include "model/net.h"
#include "sim/world.h"

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
    bool owns;                      /* scheduled, completed its own (a replication's row,
                                     * unpacked), not its plot_run's */
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

/* One row per run; with seeds (a replicated comparison's runs.csv), a seed column after
 * the scheduler, seeds[i] the seed of rows[i]. */
static void write_csv(GString *g, const struct plot_set *ps, const struct row *rows, guint nrows,
                      const guint64 *seeds)
{
    g_string_append(g, seeds ? "scheduler,seed," : "scheduler,");
    g_string_append(g, "connections,ok,failed,refused,reset,timeout,unreachable,"
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
        g_string_append_printf(g, "%s,", r->sched);
        if (seeds)
            g_string_append_printf(g, "%" G_GUINT64_FORMAT ",", seeds[i]);
        g_string_append_printf(g, "%llu,%llu,%llu", (unsigned long long)r->total,
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
    g_string_append(g, "one seed: each row is one sample, and a gap between two rows may be the "
                    "seed's; --replications N gives means over N seeds with 95 % confidence "
                    "intervals and paired differences.\n");
}

/* ---- the command ------------------------------------------------------------------------------ */

struct cmp_opts {
    char *outdir, *schedulers, *seeds, *baseline;
    gint replications, jobs;        /* -1: not given */
    gboolean quiet, report;
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
/* Where a run also writes the usual result files (a sweep's runs): o's temporary
 * directory, with the scenario's captures when pcap. */
struct run_files {
    const struct outdir *o;
    bool pcap;
    char *err;                      /* why writing failed (status 3) */
    size_t errlen;
};

static int run_one_files(const struct scenario *s, const char *sched, struct plot_set *ps,
                         struct row *row, bool window, sim_time_t t_fail, sim_time_t t_next,
                         char **stopped, const char **hint, const struct run_files *files)
{
    /* the scheduler a typed value on the parsed -A/-E lines (ipvsadm_parse_sched) */
    char *pcap_dir = files && files->pcap ? outdir_path(files->o, "pcap") : NULL;
    const struct run_session_cfg cfg = { .cmd = "compare",
                                         .world = { .sched = sched, .pcap_dir = pcap_dir } };
    struct run_session rs;
    char why[600];
    int orc = run_session_open(&rs, s, &cfg, why, sizeof why);
    g_free(pcap_dir);
    if (orc == 1) {                 /* a capture file could not be created */
        outdir_show_final(files->o, why);
        snprintf(files->err, files->errlen, "%s", why);
        return 3;
    }
    if (orc != 0) {
        /* (bad input, printed) */
        fprintf(stderr, "ipvsim compare: the run under %s (every -A and -E line with -s %s) "
                "does not build: the error above\n", sched, sched);
        return 2;
    }
    struct run_sampler smp;
    if (files)
        run_sampler_start(&smp, &rs.rw, SEC);
    int rc = 0;
    if (run_session_run(&rs)) {
        row->sched = sched;
        struct plot_run *pr = plot_set_add_run(ps, &rs.rw, sched, false);
        fill_row(row, &rs.rw, ps, pr, window, t_fail, t_next);
        if (files && (!run_write_outputs(&rs.rw, &smp, files->o, -1, true, files->err,
                                         files->errlen) ||
                      world_close_taps(&rs.rw.w, files->err, files->errlen) != 0)) {
            outdir_show_final(files->o, files->err);
            rc = 3;
        }
    } else {
        *stopped = g_strdup(rs.stopped);
        *hint = rs.hint;
        rc = 1;
    }
    if (files)
        run_sampler_free(&smp);
    run_session_close(&rs);
    return rc;
}

static int run_one(const struct scenario *s, const char *sched, struct plot_set *ps,
                   struct row *row, bool window, sim_time_t t_fail, sim_time_t t_next,
                   char **stopped, const char **hint)
{
    return run_one_files(s, sched, ps, row, window, t_fail, t_next, stopped, hint, NULL);
}

static bool put(const struct outdir *o, const char *name, const GString *text, char *err,
                size_t errlen)
{
    return outdir_write(o, name, text->str, text->len, err, errlen);
}

/* ---- replications: N seeds per scheduler, means, intervals, paired differences ----------- */

/* A row through a pipe: the struct, then its n shares, loads, scheduled and completed
 * counts (a child of the same binary reads it back: no byte order to agree on). */
static void row_pack(GByteArray *out, const struct row *r, guint n)
{
    g_byte_array_append(out, (const guint8 *)r, sizeof *r);
    g_byte_array_append(out, (const guint8 *)r->share, n * sizeof(double));
    g_byte_array_append(out, (const guint8 *)r->load, n * sizeof(double));
    g_byte_array_append(out, (const guint8 *)r->scheduled, n * sizeof(uint64_t));
    g_byte_array_append(out, (const guint8 *)r->completed, n * sizeof(uint64_t));
}

static bool row_unpack(struct row *r, const GByteArray *in, guint n, const char *sched)
{
    if (in->len != sizeof *r + 2 * n * (sizeof(double) + sizeof(uint64_t)))
        return false;
    const guint8 *p = in->data;
    memcpy(r, p, sizeof *r);
    p += sizeof *r;
    r->sched = sched;
    r->owns = true;
    r->share = g_memdup2(p, n * sizeof(double));
    r->load = g_memdup2(p + n * sizeof(double), n * sizeof(double));
    r->scheduled = g_memdup2(p + 2 * n * sizeof(double), n * sizeof(uint64_t));
    r->completed = g_memdup2(p + 2 * n * sizeof(double) + n * sizeof(uint64_t), n * sizeof(uint64_t));
    return true;
}

struct rep_ctx {
    struct scenario *s;
    char **scheds;
    const guint64 *seeds;
    guint nseeds;
    bool window;
    sim_time_t t_fail, t_next;
};

int compare_run_metrics(struct scenario *s, const char *sched, guint64 seed, bool window,
                        sim_time_t t_fail, sim_time_t t_next, GByteArray *out)
{
    s->seed = seed;                 /* every stream is seeded from it when the world is built */
    struct plot_set ps;
    plot_set_init(&ps, s);
    struct row row = {0};
    char *stopped = NULL;
    const char *hint = "";
    int rc = run_one(s, sched, &ps, &row, window, t_fail, t_next, &stopped, &hint);
    if (rc == 0) {
        row_pack(out, &row, ps.nservers);
    } else if (rc == 1) {           /* why it stopped, then the hint */
        g_byte_array_append(out, (const guint8 *)stopped, (guint)strlen(stopped) + 1);
        g_byte_array_append(out, (const guint8 *)hint, (guint)strlen(hint));
    }
    g_free(stopped);
    g_free(row.share);
    g_free(row.load);
    plot_set_free(&ps);
    return rc;
}

int compare_run_row(const struct scenario *s, const char *sched, const struct outdir *o, bool pcap,
                    GString *csv, char **stopped, const char **hint, char *err, size_t errlen)
{
    sim_time_t t_fail = 0, t_next = INT64_MAX;
    bool window = compare_failure_window(s, &t_fail, &t_next);
    struct plot_set ps;
    plot_set_init(&ps, s);
    struct row row = {0};
    const struct run_files files = { o, pcap, err, errlen };
    int rc = run_one_files(s, sched, &ps, &row, window, t_fail, t_next, stopped, hint, &files);
    if (rc == 0) {
        guint64 seed = s->seed;
        write_csv(csv, &ps, &row, 1, &seed);
    }
    g_free(row.share);
    g_free(row.load);
    plot_set_free(&ps);
    return rc;
}

char **compare_row_columns(const struct scenario *s)
{
    struct plot_set ps;
    plot_set_init(&ps, s);
    GString *g = g_string_new(NULL);
    static const guint64 no_seed;
    write_csv(g, &ps, NULL, 0, &no_seed);       /* the header only, a seed column in it */
    plot_set_free(&ps);
    g_strchomp(g->str);
    char **cols = g_strsplit(g->str, ",", -1);
    g_string_free(g, TRUE);
    return cols;
}

/* Task t: scheduler t / nseeds, seed t % nseeds (a child's). */
static int rep_task(guint t, void *ctx, GByteArray *out)
{
    const struct rep_ctx *c = ctx;
    return compare_run_metrics(c->s, c->scheds[t / c->nseeds], c->seeds[t % c->nseeds], c->window,
                               c->t_fail, c->t_next, out);
}

/* The metrics a replicated comparison summarises: a value of a row. */
enum { M_MEAN, M_P50, M_P95, M_P99, M_FAILED, M_IMBAL, M_SHARE };

static guint n_metrics(const struct plot_set *ps)
{
    return M_SHARE + ps->nservers;
}

static double metric(const struct row *r, guint m)
{
    switch (m) {
    case M_MEAN: return r->mean;
    case M_P50: return r->p50;
    case M_P95: return r->p95;
    case M_P99: return r->p99;
    case M_FAILED: return (double)r->failed;
    case M_IMBAL: return r->imbalance;
    default: return r->share[m - M_SHARE];
    }
}

static char *metric_csv_name(const struct plot_set *ps, guint m)
{
    static const char *const names[] = { "mean_ms", "p50_ms", "p95_ms", "p99_ms", "failed",
                                         "imbalance" };
    return m < M_SHARE ? g_strdup(names[m]) : g_strdup_printf("share_%s", ps->servers[m - M_SHARE]);
}

static char *metric_label(const struct plot_set *ps, guint m)
{
    static const char *const names[] = { "mean ms", "p50 ms", "p95 ms", "p99 ms", "failed",
                                         "imbal" };
    return m < M_SHARE ? g_strdup(names[m]) : g_strdup_printf("%s %%", ps->servers[m - M_SHARE]);
}

/* The verdict on a difference scheduler - baseline: lower is better for every ranked
 * metric (response times, failures, imbalance); a share is neither. */
static const char *verdict_text(guint m, enum stats_verdict v)
{
    switch (v) {
    case STATS_LOWER: return m < M_SHARE ? "better" : "lower";
    case STATS_HIGHER: return m < M_SHARE ? "worse" : "higher";
    case STATS_NO_DIFFERENCE: return "no significant difference";
    default: return "one sample";
    }
}

/* The summary of one scheduler: per metric, the interval of its mean over the seeds and
 * the interval of its paired difference against the baseline. */
struct rep_summary {
    struct stats_ci *ci, *diff;     /* n_metrics each */
};

static void summarise(struct rep_summary *sum, const struct row *rows, guint nsched, guint nseeds,
                      guint baseline, guint nm)
{
    double *x = g_new(double, nseeds), *b = g_new(double, nseeds);
    for (guint i = 0; i < nsched; i++) {
        sum[i].ci = g_new0(struct stats_ci, nm);
        sum[i].diff = g_new0(struct stats_ci, nm);
        for (guint m = 0; m < nm; m++) {
            for (guint j = 0; j < nseeds; j++) {
                x[j] = metric(&rows[i * nseeds + j], m);
                b[j] = metric(&rows[baseline * nseeds + j], m);
            }
            sum[i].ci[m] = stats_t_interval(x, nseeds);
            sum[i].diff[m] = stats_paired(x, b, nseeds);
        }
    }
    g_free(x);
    g_free(b);
}

/* "42 to 51" for consecutive seeds, else "1, 5, 9". */
static char *seeds_text(const guint64 *seeds, guint n)
{
    bool run = n > 2;
    for (guint j = 1; run && j < n; j++)
        run = seeds[j] == seeds[j - 1] + 1;
    if (run)
        return g_strdup_printf("%" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT, seeds[0], seeds[n - 1]);
    GString *g = g_string_new(NULL);
    for (guint j = 0; j < n; j++)
        g_string_append_printf(g, "%s%" G_GUINT64_FORMAT, j ? ", " : "", seeds[j]);
    return g_string_free(g, FALSE);
}

static void write_rep_table(GString *g, const struct scenario *s, const struct plot_set *ps,
                            char **scheds, guint nsched, const guint64 *seeds, guint nseeds,
                            guint baseline, const struct rep_summary *sum, bool window,
                            sim_time_t t_fail)
{
    guint nm = n_metrics(ps);
    char *st = seeds_text(seeds, nseeds);
    g_string_append_printf(g, "compare %s: %u seeds (%s), %.3f s simulated, kernel %s; for each "
                           "seed, the same arrivals under each scheduler\n\n", s->name, nseeds,
                           st, (double)s->duration / SEC, s->kernel);
    g_free(st);
    /* the cells first ("14.40 ±0.12"; a share in %), then each column's width */
    GPtrArray *cells = g_ptr_array_new_with_free_func(g_free);
    guint *w = g_new0(guint, nm);
    for (guint m = 0; m < nm; m++) {
        char *h = metric_label(ps, m);
        w[m] = (guint)strlen(h);
        g_ptr_array_add(cells, h);
    }
    for (guint i = 0; i < nsched; i++)
        for (guint m = 0; m < nm; m++) {
            const struct stats_ci *c = &sum[i].ci[m];
            double k = m >= M_SHARE ? 100 : 1;
            char *t = g_strdup_printf(m >= M_SHARE ? "%.1f ±%.1f" : "%.2f ±%.2f", k * c->mean,
                                      k * c->half);
            w[m] = MAX(w[m], (guint)strlen(t) - 1);     /* ± is two bytes, one column */
            g_ptr_array_add(cells, t);
        }
    for (guint r = 0; r <= nsched; r++) {
        g_string_append_printf(g, "%-6s", r ? scheds[r - 1] : "sched");
        for (guint m = 0; m < nm; m++) {
            const char *t = g_ptr_array_index(cells, r * nm + m);
            int pad = (int)w[m] - (int)g_utf8_strlen(t, -1);
            g_string_append_printf(g, "  %*s%s", pad > 0 ? pad : 0, "", t);
        }
        g_string_append_c(g, '\n');
    }
    g_ptr_array_free(cells, TRUE);
    g_free(w);
    g_string_append_printf(g, "\nmean over the %u seeds ± the half-width of its 95 %% confidence "
                           "interval (Student t, %u degrees of freedom); response times: completed "
                           "connections (nearest rank) of each run; failed: connections per run; "
                           "imbal: max/mean of the servers' load; server %%: its share of the "
                           "connections IPVS scheduled to a real server", nseeds, nseeds - 1);
    if (window)
        g_string_append_printf(g, " (runs.csv has each run's row, remapped clients across the "
                               "failure at %.3f s included)", (double)t_fail / SEC);
    g_string_append(g, ".\n\n");
    g_string_append_printf(g, "against %s, paired by seed (each run minus %s's run on the same "
                           "seed: mean difference and its 95 %% confidence interval):\n",
                           scheds[baseline], scheds[baseline]);
    g_string_append_printf(g, "%-6s  %-7s  %9s  %9s  %21s  %s\n", "sched", "metric", scheds[baseline],
                           "diff", "95 % CI", "verdict");
    for (guint i = 0; i < nsched; i++) {
        if (i == baseline)
            continue;
        for (guint m = 0; m < M_SHARE; m++) {
            const struct stats_ci *d = &sum[i].diff[m];
            char *label = metric_label(ps, m);
            char *iv = g_strdup_printf("[%+.2f, %+.2f]", d->lo, d->hi);
            g_string_append_printf(g, "%-6s  %-7s  %9.2f  %+9.2f  %21s  %s\n", scheds[i], label,
                                   sum[baseline].ci[m].mean, d->mean, iv,
                                   verdict_text(m, stats_verdict(d)));
            g_free(iv);
            g_free(label);
        }
    }
    g_string_append_printf(g, "better or worse: the interval excludes 0 (lower is better for each "
                           "of these); comparison.csv has every metric, the shares included, "
                           "runs.csv every run.\n");
}

static void write_rep_csv(GString *g, const struct plot_set *ps, char **scheds, guint nsched,
                          guint nseeds, guint baseline, const struct rep_summary *sum)
{
    guint nm = n_metrics(ps);
    g_string_append(g, "scheduler,replications");
    for (guint m = 0; m < nm; m++) {
        char *n = metric_csv_name(ps, m);
        g_string_append_printf(g, ",%s_mean,%s_ci_low,%s_ci_high", n, n, n);
        g_free(n);
    }
    for (guint m = 0; m < nm; m++) {
        char *n = metric_csv_name(ps, m);
        g_string_append_printf(g, ",%s_diff,%s_diff_ci_low,%s_diff_ci_high,%s_verdict", n, n, n, n);
        g_free(n);
    }
    g_string_append_c(g, '\n');
    for (guint i = 0; i < nsched; i++) {
        g_string_append_printf(g, "%s,%u", scheds[i], nseeds);
        for (guint m = 0; m < nm; m++) {
            csv_num(g, "%.4f", sum[i].ci[m].mean);
            csv_num(g, "%.4f", sum[i].ci[m].lo);
            csv_num(g, "%.4f", sum[i].ci[m].hi);
        }
        for (guint m = 0; m < nm; m++) {
            if (i == baseline) {
                g_string_append(g, ",,,,baseline");
                continue;
            }
            csv_num(g, "%.4f", sum[i].diff[m].mean);
            csv_num(g, "%.4f", sum[i].diff[m].lo);
            csv_num(g, "%.4f", sum[i].diff[m].hi);
            g_string_append_printf(g, ",%s", verdict_text(m, stats_verdict(&sum[i].diff[m])));
        }
        g_string_append_c(g, '\n');
    }
}

#define MAX_REPLICATIONS 10000

/* The figures of a replicated comparison, with error bars: response times (mean, p50,
 * p95, p99) and each server's share, per scheduler. */
static enum plots_status write_rep_figures(struct plot_set *ps, const char *kernel, char **scheds,
                                           guint nsched,
                                           const guint64 *seeds, guint nseeds,
                                           const struct rep_summary *sum, const char *dir,
                                           char *err, size_t errlen)
{
    char *st = seeds_text(seeds, nseeds);
    g_free(ps->subtitle);
    ps->subtitle = g_strdup_printf("kernel %s, %u seeds: %s", kernel, nseeds, st);
    g_free(st);
    static const char *const resp[] = { "mean", "p50", "p95", "p99", NULL };
    struct plot_ci_fig f[2] = {
        { .base = "response", .what = "Response times of the completed connections (ms) per "
          "scheduler: the mean over the seeds of each run's value, with its 95 % confidence "
          "interval (Student t).", .title = "response times, mean over the seeds and 95 % CI",
          .ylabel = "response time (ms)", .nrows = 4, .rows = (char **)resp },
        { .base = "share", .what = "Share of the conversations scheduled to each real server (%) "
          "per scheduler: the mean over the seeds, with its 95 % confidence interval.",
          .title = "share of the conversations scheduled to each real server, mean and 95 % CI",
          .ylabel = "share of scheduled conversations (%)", .nrows = ps->nservers,
          .rows = ps->servers },
    };
    for (guint i = 0; i < 2; i++) {
        guint nv = f[i].nrows * nsched;
        f[i].ncols = nsched;
        f[i].cols = scheds;
        f[i].mean = g_new(double, nv);
        f[i].lo = g_new(double, nv);
        f[i].hi = g_new(double, nv);
        for (guint r = 0; r < f[i].nrows; r++)
            for (guint k = 0; k < nsched; k++) {
                guint m = i == 0 ? M_MEAN + r : M_SHARE + r;
                double scale = i == 0 ? 1 : 100;
                const struct stats_ci *c = &sum[k].ci[m];
                f[i].mean[r * nsched + k] = scale * c->mean;
                f[i].lo[r * nsched + k] = scale * c->lo;
                f[i].hi[r * nsched + k] = scale * c->hi;
            }
    }
    enum plots_status rc = plots_write_ci(ps, f, 2, dir, err, errlen);
    for (guint i = 0; i < 2; i++) {
        g_free(f[i].mean);
        g_free(f[i].lo);
        g_free(f[i].hi);
    }
    return rc;
}

/* "1-10", "1,2,5", "1-3,7": a seed or a range A-B (A <= B), comma-separated, no seed
 * twice (a repeated seed is the same run, not a replication), at most
 * MAX_REPLICATIONS in all. */
bool compare_seed_list(const char *text, GArray *seeds, GError **error)
{
    char **items = g_strsplit(text, ",", -1);
    bool ok = items[0] != NULL;
    for (guint i = 0; ok && items[i]; i++) {
        char *it = g_strstrip(items[i]), *dash = strchr(it, '-');
        guint64 a, b;
        if (dash)
            *dash = '\0';
        ok = cli_seed_value(it, &a, NULL) && (!dash || cli_seed_value(dash + 1, &b, NULL));
        if (!ok || (dash && b < a)) {
            if (dash)
                *dash = '-';
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "--seeds: expected seeds (integers from 0 to %" G_GUINT64_FORMAT ") or "
                        "ranges A-B with A <= B, comma-separated (e.g. 1-10 or 1,5,9), got '%s'",
                        G_MAXUINT64, it);
            ok = false;
            break;
        }
        if (!dash)
            b = a;
        for (guint64 v = a; ok; v++) {
            for (guint j = 0; j < seeds->len; j++)
                if (g_array_index(seeds, guint64, j) == v) {
                    g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                                "--seeds: seed %" G_GUINT64_FORMAT " is listed twice (a "
                                "replication needs a seed of its own)", v);
                    ok = false;
                }
            if (ok && seeds->len >= MAX_REPLICATIONS) {
                g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                            "--seeds: more than %d seeds", MAX_REPLICATIONS);
                ok = false;
            }
            if (ok)
                g_array_append_val(seeds, v);
            if (v == b)
                break;
        }
    }
    if (items[0] == NULL)
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "--seeds: expected a list of seeds (e.g. 1-10 or 1,5,9)");
    g_strfreev(items);
    return ok;
}

/* The runs of a replicated comparison: every (scheduler, seed) in child processes,
 * --jobs at a time, gathered into rows[scheduler * nseeds + seed]. 0; 1 or 2 (said). */
static int run_replications(struct scenario *base, char **scheds, guint nsched,
                            const guint64 *seeds, guint nseeds, guint jobs, const struct plot_set *ps,
                            bool window, sim_time_t t_fail, sim_time_t t_next, struct row *rows,
                            const char *dir)
{
    struct rep_ctx ctx = { base, scheds, seeds, nseeds, window, t_fail, t_next };
    guint ntasks = nsched * nseeds;
    struct run_pool_result *res = g_new0(struct run_pool_result, ntasks);
    char err[600];
    int rc = 0;
    if (!run_pool_map(ntasks, jobs, rep_task, &ctx, res, err, sizeof err)) {
        fprintf(stderr, "ipvsim compare: %s\n", err);
        rc = 1;
    }
    /* the first run (in scheduler, seed order) that did not give a row decides */
    for (guint t = 0; t < ntasks && rc == 0; t++) {
        const char *sched = scheds[t / nseeds];
        guint64 seed = seeds[t % nseeds];
        const struct run_pool_result *r = &res[t];
        if (!r->done) {
            fprintf(stderr, "ipvsim compare: the run under %s with seed %" G_GUINT64_FORMAT
                    " (%u of %u) did not run: the comparison stopped; nothing written to %s/\n",
                    sched, seed, t + 1, ntasks, dir);
            rc = 1;
        } else if (r->status == 0 && !row_unpack(&rows[t], r->bytes, ps->nservers, sched)) {
            r = NULL;
        } else if (r->status == 1) {
            const char *why = (const char *)r->bytes->data;
            size_t n = strnlen(why, r->bytes->len);
            char *hint = g_strndup(why + MIN(n + 1, r->bytes->len), r->bytes->len - MIN(n + 1, r->bytes->len));
            fprintf(stderr, "ipvsim compare: the run under %s with seed %" G_GUINT64_FORMAT
                    " (%u of %u) did not complete: %.*s; nothing written to %s/%s\n", sched, seed,
                    t + 1, ntasks, (int)n, why, dir, hint);
            g_free(hint);
            rc = 1;
        } else if (r->status == 2) {
            rc = 2;                 /* the child said why */
        }
        if (rc == 0 && (!r || r->status != 0)) {
            fprintf(stderr, "ipvsim compare: the run under %s with seed %" G_GUINT64_FORMAT
                    " ended without a result (status %d); nothing written to %s/\n", sched, seed,
                    r ? r->status : -1, dir);
            rc = 1;
        }
    }
    run_pool_results_free(res, ntasks);
    g_free(res);
    return rc;
}

static int compare(const struct cmp_opts *opt, const char *path, char **scheds, const GArray *seeds,
                   guint baseline)
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
    /* --replications N: the scenario's seed (or --seed's) and the N - 1 after it */
    GArray *sd = g_array_new(FALSE, FALSE, sizeof(guint64));
    if (seeds)
        g_array_append_vals(sd, seeds->data, seeds->len);
    for (gint j = 0; !seeds && j < MAX(opt->replications, 1); j++) {
        guint64 v = base->seed + (guint64)j;
        g_array_append_val(sd, v);
    }
    guint nseeds = sd->len;
    if (nseeds == 1)
        base->seed = g_array_index(sd, guint64, 0);
    char *dir = opt->outdir ? g_strdup(opt->outdir)
                            : g_strdup_printf("results/%s-compare", base->name);
    struct outdir o;
    char err[600];
    int orc = outdir_begin(&o, dir, err, sizeof err);
    if (orc != 0) {
        fprintf(stderr, "ipvsim compare: %s\n", err);
        g_free(dir);
        g_array_free(sd, TRUE);
        scenario_free(base);
        return orc;
    }
    sim_time_t t_fail = 0, t_next = INT64_MAX;
    bool window = compare_failure_window(base, &t_fail, &t_next);
    struct plot_set ps;
    plot_set_init(&ps, base);
    guint n = g_strv_length(scheds), nrows = n * nseeds;
    struct row *rows = g_new0(struct row, nrows);
    bool show = !opt->quiet && isatty(STDERR_FILENO);
    int rc = 0;
    guint i = 0;
    char *stopped = NULL;
    const char *hint = "";
    signals_install();                      /* around the runs: each session's nest */
    if (nseeds > 1) {
        if (show)
            fprintf(stderr, "\r%u runs, %d at a time...", nrows, opt->jobs);
        rc = run_replications(base, scheds, n, (const guint64 *)sd->data, nseeds, (guint)opt->jobs,
                              &ps, window, t_fail, t_next, rows, dir);
    }
    for (i = 0; nseeds == 1 && i < n && rc == 0; i++) {
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
    GString *table = g_string_new(NULL), *csv = g_string_new(NULL), *runs = NULL;
    if (rc == 0) {
        enum plots_status st = PLOTS_DRAWN;
        bool ok = true;
        if (nseeds == 1) {
            write_table(table, base, &ps, rows, n, window, t_fail);
            write_csv(csv, &ps, rows, n, NULL);
            st = plots_write(&ps, o.tmp, err, sizeof err);
        } else {
            struct rep_summary *sum = g_new0(struct rep_summary, n);
            summarise(sum, rows, n, nseeds, baseline, n_metrics(&ps));
            write_rep_table(table, base, &ps, scheds, n, (const guint64 *)sd->data, nseeds, baseline,
                            sum, window, t_fail);
            write_rep_csv(csv, &ps, scheds, n, nseeds, baseline, sum);
            runs = g_string_new(NULL);
            guint64 *rs = g_new(guint64, nrows);
            for (guint t = 0; t < nrows; t++)
                rs[t] = g_array_index(sd, guint64, t % nseeds);
            write_csv(runs, &ps, rows, nrows, rs);
            g_free(rs);
            st = write_rep_figures(&ps, base->kernel, scheds, n, (const guint64 *)sd->data, nseeds, sum, o.tmp,
                                   err, sizeof err);
            for (guint k = 0; k < n; k++) {
                g_free(sum[k].ci);
                g_free(sum[k].diff);
            }
            g_free(sum);
            ok = put(&o, "runs.csv", runs, err, sizeof err);
        }
        char *pcap = outdir_path(&o, "pcap");
        g_rmdir(pcap);                      /* compare captures nothing */
        g_free(pcap);
        if (st == PLOTS_WRITE_FAILED || !ok || !put(&o, "comparison.csv", csv, err, sizeof err) ||
            !put(&o, "comparison.txt", table, err, sizeof err) ||
            (opt->report && report_write(o.tmp, err, sizeof err) != 0)) {
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
                printf("results in %s/ (%scomparison.csv,%s plots/)\n", dir,
                       opt->report ? "index.html, " : "", nseeds > 1 ? " runs.csv," : "");
        }
    }
    outdir_abort(&o);
    signals_restore();
    g_string_free(table, TRUE);
    g_string_free(csv, TRUE);
    if (runs)
        g_string_free(runs, TRUE);
    for (i = 0; i < nrows; i++) {
        g_free(rows[i].share);
        g_free(rows[i].load);
        if (rows[i].owns) {
            g_free(rows[i].scheduled);
            g_free(rows[i].completed);
        }
    }
    g_free(rows);
    plot_set_free(&ps);
    scenario_free(base);
    g_array_free(sd, TRUE);
    g_free(dir);
    return rc;
}

/* The seeds and the parallelism, checked against each other: NULL seeds when the runs
 * are the scenario's seed and the ones after it (--replications, or one run); false
 * with the message printed. */
static bool replication_opts(struct cmp_opts *opt, GArray **seeds)
{
    GError *gerr = NULL;
    const char *clash = NULL;
    if (opt->seeds && opt->scn.seed_text)
        clash = "--seed and --seeds: give the seeds with --seeds only";
    else if (opt->seeds && opt->replications >= 0)
        clash = "--seeds and --replications: --seeds gives the seeds and so their number; "
                "give one of them";
    if (clash) {
        fprintf(stderr, "ipvsim compare: %s\n", clash);
        return false;
    }
    if (opt->replications == 0 || opt->replications < -1 || opt->replications > MAX_REPLICATIONS) {
        fprintf(stderr, "ipvsim compare: --replications: expected a number of seeds from 1 to %d, "
                "got %d\n", MAX_REPLICATIONS, opt->replications);
        return false;
    }
    if (opt->jobs == 0 || opt->jobs < -1 || opt->jobs > 1024) {
        fprintf(stderr, "ipvsim compare: --jobs: expected a number of runs at once from 1 to "
                "1024, got %d\n", opt->jobs);
        return false;
    }
    if (opt->jobs < 0)
        opt->jobs = (gint)MIN(run_pool_cores(), 1024);
    if (opt->seeds) {
        *seeds = g_array_new(FALSE, FALSE, sizeof(guint64));
        if (!compare_seed_list(opt->seeds, *seeds, &gerr)) {
            fprintf(stderr, "ipvsim compare: %s\n", gerr->message);
            g_error_free(gerr);
            g_array_free(*seeds, TRUE);
            *seeds = NULL;
            return false;
        }
    }
    return true;
}

/* The baseline's index in the list (the first by default); -1 with a message. */
static int baseline_index(const char *name, char **scheds)
{
    for (int i = 0; scheds[i]; i++)
        if (!name || strcmp(name, scheds[i]) == 0)
            return i;
    fprintf(stderr, "ipvsim compare: --baseline: '%s' is not one of the schedulers compared "
            "(--schedulers)\n", name);
    return -1;
}

int cmd_compare(int argc, char **argv)
{
    struct cmp_opts opt = { .replications = -1, .jobs = -1 };
    GOptionEntry entries[] = {
        { "schedulers", 0, 0, G_OPTION_ARG_STRING, &opt.schedulers, "schedulers to compare, comma-separated", "LIST" },
        { "replications", 'r', 0, G_OPTION_ARG_INT, &opt.replications, "run each scheduler on N seeds (the scenario's seed, or --seed, and the N-1 after it): means, 95 % confidence intervals, paired differences", "N" },
        { "seeds", 0, 0, G_OPTION_ARG_STRING, &opt.seeds, "run each scheduler on these seeds instead (1-10, 1,5,9)", "LIST|A-B" },
        { "baseline", 0, 0, G_OPTION_ARG_STRING, &opt.baseline, "the scheduler the others are compared with, seed by seed (default the first)", "SCHED" },
        { "jobs", 'j', 0, G_OPTION_ARG_INT, &opt.jobs, "runs at once, each in a child process (default the number of cores)", "J" },
        { "output", 'o', 0, G_OPTION_ARG_FILENAME, &opt.outdir, "result directory (default results/<name>-compare)", "DIR" },
        { "quiet", 'q', 0, G_OPTION_ARG_NONE, &opt.quiet, "no progress, no closing line (the table is still printed)", NULL },
        { "report", 0, 0, G_OPTION_ARG_NONE, &opt.report, "also write index.html: the comparison as one page (ipvsim report)", NULL },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    GOptionContext *ctx = g_option_context_new("SCENARIO - the same arrivals under each scheduler: a table, comparison.csv, plots");
    g_option_context_add_main_entries(ctx, entries, NULL);
    cli_scenario_options(g_option_context_get_main_group(ctx), &opt.scn, CLI_OPTS_RUN);
    bool ok = cli_scenario_options_parse(ctx, &argc, &argv, &opt.scn, "compare");
    g_option_context_free(ctx);
    int rc = 2, b = -1;
    char **scheds = NULL;
    GArray *seeds = NULL;
    if (ok && argc != 2)
        fprintf(stderr, "ipvsim compare: expected exactly one SCENARIO file\n");
    else if (ok && (scheds = parse_schedulers(opt.schedulers)) != NULL &&
             (b = baseline_index(opt.baseline, scheds)) >= 0 && replication_opts(&opt, &seeds))
        rc = compare(&opt, argv[1], scheds, seeds, (guint)b);
    if (seeds)
        g_array_free(seeds, TRUE);
    g_strfreev(scheds);
    g_free(opt.outdir);
    g_free(opt.schedulers);
    g_free(opt.seeds);
    g_free(opt.baseline);
    cli_scenario_options_free(&opt.scn);
    return rc;
}
