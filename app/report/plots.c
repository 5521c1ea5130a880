/* gnuplot figures of runs and comparisons. */
#include "app/report/plots.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "app/report/stats.h"
#include "model/ipvs/ip_vs_ctl.h"
#include "model/user/ipvsadm/ipvsadm.h"
#include "model/net.h"

#define MAX_BINS 250
#define CDF_POINTS 1000
/* What one figure receives, whatever the run: gnuplot draws a few thousand points in
 * well under a second, but 100,000 labelled marks took it more than 12 minutes. */
#define MAX_MARKS 40                /* labelled event marks; more are merged by time */
#define MAX_SAMPLE_ROWS 2000        /* IPVS counter samples; more are thinned evenly */
/* gnuplot's time per figure (IPVSIM_PLOT_TIMEOUT=SECONDS changes it): past it, gnuplot
 * is stopped and the figure is missing, which the run says and plots/notes.txt records. */
#define PLOT_TIMEOUT_S 60
#define FIG_W 1000
#define FIG_H 560

/* ---- data of a run ----------------------------------------------------------------- */

/* A bin of 1, 2 or 5 times a power of ten nanoseconds, at least 1 ms, so that the run
 * takes at most MAX_BINS of them. */
static sim_time_t pick_bin(sim_time_t duration)
{
    sim_time_t want = duration / MAX_BINS + 1;
    for (sim_time_t p = MSEC;; p *= 10)
        for (int m = 1; m <= 5; m += m == 1 ? 1 : 3)
            if (p * m >= want)
                return p * m;
}

static void add_mark(struct plot_set *ps, double t_s, char *label)
{
    struct plot_mark m = { t_s, label };
    guint i = ps->marks->len;
    while (i > 0 && g_array_index(ps->marks, struct plot_mark, i - 1).t_s > t_s)
        i--;
    g_array_insert_val(ps->marks, i, m);
}

static char *shorten(const char *text, size_t max)
{
    size_t n = strlen(text);
    return n <= max ? g_strdup(text) : g_strdup_printf("%.*s...", (int)(max - 3), text);
}

static char *event_label(const struct scn_event *e)
{
    char *args, *lbl;
    switch (e->kind) {
    case EV_SERVER_DOWN: return g_strdup_printf("%s down", e->server);
    case EV_SERVER_REFUSE: return g_strdup_printf("%s refuses", e->server);
    case EV_SERVER_UP: return g_strdup_printf("%s up", e->server);
    case EV_IPVSADM:
    case EV_IPTABLES:
        args = shorten(e->args.text, 34);
        lbl = g_strdup_printf("%s %s", e->kind == EV_IPVSADM ? "ipvsadm" : "iptables", args);
        g_free(args);
        return lbl;
    case EV_SYSCTL: return g_strdup_printf("%s=%ld", e->key, e->value);
    case EV_LINK: return g_strdup_printf("link %s changes", e->key);
    case EV_SYN_FLOOD: return g_strdup_printf("SYN flood %.0f/s", e->rate);
    case EV_HOOK_REGISTER: return g_strdup_printf("hook %s on", e->key);
    case EV_HOOK_UNREGISTER: return g_strdup_printf("hook %s off", e->key);
    case EV_DIRECTOR_DOWN: return g_strdup_printf("%s %s", e->server, e->value ? "stops" : "down");
    case EV_DIRECTOR_UP: return g_strdup_printf("%s up", e->server);
    case EV_SERVER_SLOW:
        return g_strdup_printf("%s%s%s slow x%g", e->server, e->key ? " " : "", e->key ? e->key : "",
                               e->rate);
    case EV_SERVER_SET:
        return g_strdup_printf("%s%s%s changes", e->server, e->key ? " " : "", e->key ? e->key : "");
    }
    return g_strdup("event");
}

/* The server a dest address is (its ip, or a dual-stack server's ip6), -1: none. */
static int server_of_addr(const struct scenario *s, be32 addr)
{
    for (guint i = 0; i < s->servers->len; i++) {
        const struct scn_server *sv = &g_array_index(s->servers, struct scn_server, i);
        if (sv->ip == addr || (sv->ip6 && sv->ip6 == addr))
            return (int)i;
    }
    return -1;
}

double *plot_config_weights(const struct scenario *s)
{
    double *w = g_new0(double, s->servers->len + 1);
    bool any = false;
    for (guint i = 0; i < s->ipvs->len; i++) {
        struct ipvsadm_cmd cmd;
        struct ipvsadm_error err;
        if (ipvsadm_parse(g_array_index(s->ipvs, struct scn_line, i).text, &cmd, &err) != 0 ||
            cmd.cmd != IPVSADM_CMD_ADDDEST)
            continue;
        int k = server_of_addr(s, cmd.dest.addr);
        if (k >= 0 && cmd.dest.weight > 0) {
            w[k] += cmd.dest.weight;
            any = true;
        }
    }
    if (!any) {
        g_free(w);
        return NULL;
    }
    return w;
}

void plot_set_init(struct plot_set *ps, const struct scenario *s)
{
    memset(ps, 0, sizeof *ps);
    ps->name = g_strdup(s->name);
    ps->subtitle = g_strdup_printf("kernel %s, seed %llu", s->kernel, (unsigned long long)s->seed);
    ps->director = g_strdup(s->director.name);
    ps->nservers = s->servers->len;
    ps->servers = g_new0(char *, ps->nservers + 1);
    for (guint i = 0; i < ps->nservers; i++)
        ps->servers[i] = g_strdup(g_array_index(s->servers, struct scn_server, i).name);
    ps->weights = plot_config_weights(s);
    ps->duration = s->duration;
    ps->bin = pick_bin(s->duration);
    /* ceil(duration / bin) without duration + bin, which could overflow */
    ps->nbins = (guint)(s->duration / ps->bin + (s->duration % ps->bin != 0));
    ps->marks = g_array_new(FALSE, FALSE, sizeof(struct plot_mark));
    ps->runs = g_ptr_array_new();
    for (guint i = 0; i < s->events->len; i++) {
        const struct scn_event *e = &g_array_index(s->events, struct scn_event, i);
        add_mark(ps, (double)e->at / SEC, event_label(e));
        if (e->kind == EV_SYN_FLOOD && e->at + e->duration < s->duration)
            add_mark(ps, (double)(e->at + e->duration) / SEC, g_strdup("SYN flood ends"));
    }
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void add_open(struct plot_set *ps, struct plot_run *pr, const struct conv *c, sim_time_t now)
{
    sim_time_t end = c->end > c->start ? c->end : now;
    sim_time_t lim = (sim_time_t)ps->nbins > SIM_TIME_MAX / ps->bin ? SIM_TIME_MAX
                                                                    : (sim_time_t)ps->nbins * ps->bin;
    sim_time_t s0 = c->start < 0 ? 0 : c->start, e0 = end > lim ? lim : end;
    for (sim_time_t b = s0 / ps->bin; s0 < e0 && b < (sim_time_t)ps->nbins; b++) {
        sim_time_t lo = b * ps->bin, hi = sim_time_add(lo, ps->bin);
        sim_time_t a = s0 > lo ? s0 : lo, z = e0 < hi ? e0 : hi;
        if (z > a)
            pr->open[b * ps->nservers + (sim_time_t)c->server] += (double)(z - a);
    }
}

struct plot_run *plot_set_add_run(struct plot_set *ps, const struct run_world *rw,
                                  const char *label, bool health)
{
    struct plot_run *pr = g_new0(struct plot_run, 1);
    pr->label = g_strdup(label);
    pr->open = g_new0(double, (gsize)ps->nbins * ps->nservers + 1);
    pr->resp_ns = g_array_new(FALSE, FALSE, sizeof(int64_t));
    pr->scheduled = g_new0(uint64_t, ps->nservers + 1);
    pr->completed = g_new0(uint64_t, ps->nservers + 1);
    sim_time_t now = rw->w.sim.now;
    for (guint i = 0; i < rw->log.convs->len; i++) {
        const struct conv *c = &g_array_index(rw->log.convs, struct conv, i);
        if (c->outcome == CONV_OK)
            g_array_append_val(pr->resp_ns, c->response_ns);
        if (c->server < 0 || c->server >= (int)ps->nservers)
            continue;
        pr->scheduled[c->server]++;
        pr->completed[c->server] += c->outcome == CONV_OK;
        add_open(ps, pr, c, now);
    }
    if (pr->resp_ns->len > 1)
        qsort(pr->resp_ns->data, pr->resp_ns->len, sizeof(int64_t), cmp_i64);
    for (guint b = 0; b < ps->nbins; b++) {
        sim_time_t len = ps->duration - (sim_time_t)b * ps->bin;
        double width = (double)(len < ps->bin ? len : ps->bin);
        for (guint k = 0; k < ps->nservers; k++)
            pr->open[b * ps->nservers + k] /= width;
    }
    memcpy(pr->verdicts, host_net(rw->director)->nf_verdicts, sizeof pr->verdicts);
    pr->drop_what = g_ptr_array_new_with_free_func(g_free);
    pr->drop_count = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    guint nd;
    const struct nf_drop_stat **d = nf_drop_stats_sorted(host_net(rw->director), &nd);
    for (guint i = 0; i < nd; i++) {
        g_ptr_array_add(pr->drop_what, g_strdup_printf("%s %s: %s", nf_hook_name(d[i]->hook),
                                                       d[i]->func, d[i]->reason));
        g_array_append_val(pr->drop_count, d[i]->count);
    }
    g_free(d);
    if (health && rw->hc) {
        size_t n;
        const struct healthcheck_event *ev = healthcheck_events(rw->hc, &n);
        for (size_t i = 0; i < n; i++) {
            int k = run_world_server_index(rw, ev[i].daddr);
            /* a real server taken out or put back (not a sorry server, a weight, the quorum) */
            if (k >= 0 && ev[i].action <= HC_WEIGHT_RESTORED)
                add_mark(ps, (double)ev[i].at / SEC,
                         g_strdup_printf("health check: %s %s", ps->servers[k],
                                         ev[i].up ? "back" : "out"));
        }
    }
    g_ptr_array_add(ps->runs, pr);
    return pr;
}

void plot_set_add_samples(struct plot_set *ps, const struct run_sampler *rs)
{
    guint n = ps->nservers, rows = 0;
    if (!rs || !rs->samples || n == 0)
        return;
    guint all = rs->samples->len / n;
    guint step = all > MAX_SAMPLE_ROWS ? (all + MAX_SAMPLE_ROWS - 1) / MAX_SAMPLE_ROWS : 1;
    ps->ipvs_t = g_new0(double, all / step + 1);
    ps->ipvs_conns = g_new0(int, (all / step + 1) * 2 * n);
    /* the sampler writes every server at each sample time, in server order; a long
     * run keeps every step-th time */
    for (guint i = 0; i + n <= rs->samples->len; i += n * step, rows++) {
        const struct ts_sample *x = &g_array_index(rs->samples, struct ts_sample, i);
        ps->ipvs_t[rows] = (double)x->t / SEC;
        for (guint k = 0; k < n; k++) {
            const struct ts_sample *y = &g_array_index(rs->samples, struct ts_sample, i + k);
            guint srv = y->server < n ? y->server : k;
            ps->ipvs_conns[rows * 2 * n + 2 * srv] = y->active;
            ps->ipvs_conns[rows * 2 * n + 2 * srv + 1] = y->inactive;
        }
    }
    ps->nsamples = rows;
}

void plot_set_free(struct plot_set *ps)
{
    g_free(ps->ipvs_t);
    g_free(ps->ipvs_conns);
    for (guint i = 0; ps->runs && i < ps->runs->len; i++) {
        struct plot_run *pr = g_ptr_array_index(ps->runs, i);
        g_free(pr->label);
        g_free(pr->open);
        g_array_free(pr->resp_ns, TRUE);
        g_free(pr->scheduled);
        g_free(pr->completed);
        if (pr->drop_what)
            g_ptr_array_free(pr->drop_what, TRUE);
        if (pr->drop_count)
            g_array_free(pr->drop_count, TRUE);
        g_free(pr);
    }
    if (ps->runs)
        g_ptr_array_free(ps->runs, TRUE);
    for (guint i = 0; ps->marks && i < ps->marks->len; i++)
        g_free(g_array_index(ps->marks, struct plot_mark, i).label);
    if (ps->marks)
        g_array_free(ps->marks, TRUE);
    g_strfreev(ps->servers);
    g_free(ps->weights);
    g_free(ps->name);
    g_free(ps->subtitle);
    g_free(ps->director);
    memset(ps, 0, sizeof *ps);
}

double plot_percentile(const GArray *v, double q)
{
    return stats_nearest_rank((const int64_t *)v->data, v->len, q);
}

/* ---- gnuplot text -------------------------------------------------------------------- */

/* A gnuplot single-quoted string (no escapes inside; a quote is doubled). */
static void gp_str(GString *g, const char *text)
{
    g_string_append_c(g, '\'');
    for (const char *p = text; *p; p++) {
        if (*p == '\'')
            g_string_append_c(g, '\'');
        g_string_append_c(g, *p);
    }
    g_string_append_c(g, '\'');
}

/* A name for a data file's string column: double-quoted, no quote or blank inside. */
static void dat_str(GString *g, const char *text)
{
    g_string_append_c(g, '"');
    for (const char *p = text; *p; p++)
        g_string_append_c(g, *p == '"' || g_ascii_isspace(*p) ? '_' : *p);
    g_string_append_c(g, '"');
}

/* The script's head: what it draws, then a loop drawing it once per format. */
static void gp_begin_size(GString *g, const char *base, const char *what, const char *dat, int w, int h)
{
    g_string_append_printf(g, "# %s\n# Data: %s. Written by ipvsim; run `gnuplot %s.gp` in this "
                           "directory to draw %s.png and %s.svg again.\n", what, dat, base, base, base);
    g_string_append(g, "set encoding utf8\n");
    g_string_append_printf(g, "do for [fmt in \"png svg\"] {\n"
        "if (fmt eq \"png\") {\n"
        "  set terminal pngcairo size %d,%d noenhanced font \"DejaVu Sans,10\" background rgb 'white'\n"
        "  set output '%s.png'\n"
        "} else {\n"
        "  set terminal svg size %d,%d noenhanced font \"DejaVu Sans,10\" background rgb 'white'\n"
        "  set output '%s.svg'\n"
        "}\n"
        "reset\n", w, h, base, w, h, base);
}

static void gp_begin(GString *g, const char *base, const char *what, const char *dat)
{
    gp_begin_size(g, base, what, dat, FIG_W, FIG_H);
}

static void gp_end(GString *g)
{
    g_string_append(g, "unset output\n}\n");
}

static void gp_title(GString *g, const char *cmd, const struct plot_set *ps, const char *what)
{
    char *t = g_strdup_printf("%s: %s (%s)", ps->name, what, ps->subtitle);
    g_string_append_printf(g, "%s ", cmd);
    gp_str(g, t);
    g_string_append_c(g, '\n');
    g_free(t);
}

static void gp_set(GString *g, const char *what, const char *text, const char *rest)
{
    g_string_append_printf(g, "set %s ", what);
    gp_str(g, text);
    g_string_append_printf(g, "%s\n", rest ? rest : "");
}

static void fmt_num(char *buf, size_t n, double v)
{
    g_ascii_formatd(buf, (gint)n, "%.6g", v);
}

/* Curve and bar styles: a run (or a server) i gets colour i mod NPALETTE and, from the
 * second round of colours, a dash pattern (lines) or a hatch (bars), so that the 14
 * schedulers of a comparison never share a look. gnuplot's own line types repeat
 * after 8 colours. The colours are Okabe and Ito's (without the yellow, faint on white)
 * and three of Tol's, all distinct from the grey of the event marks. */
static const char *const palette[] = {
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00",
    "#56B4E9", "#000000", "#882255", "#999933", "#332288",
};
#define NPALETTE ((guint)G_N_ELEMENTS(palette))

static void gp_line_style(GString *g, guint i)
{
    static const unsigned dash[] = { 1, 2, 4, 5 };
    g_string_append_printf(g, "lc rgb '%s' dt %u", palette[i % NPALETTE],
                           dash[(i / NPALETTE) % (guint)G_N_ELEMENTS(dash)]);
}

static void gp_fill_style(GString *g, guint i)
{
    if (i < NPALETTE)
        g_string_append_printf(g, "fs solid 0.85 lc rgb '%s'", palette[i]);
    else
        g_string_append_printf(g, "fs pattern %u border lc rgb '%s'", 4 + (i / NPALETTE - 1) % 4,
                               palette[i % NPALETTE]);
}

/* ---- the figures ---------------------------------------------------------------------- */

/* The marks to draw: all of them up to MAX_MARKS; beyond, the run is cut into
 * MAX_MARKS equal windows and each window's marks become one, at its first mark,
 * labelled with it and how many more ("server_down rs1 (+41 more)"). */
static GArray *thin_marks(const struct plot_set *ps)
{
    GArray *out = g_array_new(FALSE, FALSE, sizeof(struct plot_mark));
    guint n = ps->marks->len;
    double width = (double)ps->duration / SEC / MAX_MARKS;
    for (guint i = 0; i < n;) {
        const struct plot_mark *m = &g_array_index(ps->marks, struct plot_mark, i);
        guint j = i + 1;
        if (n > MAX_MARKS) {
            double end = (floor(m->t_s / width) + 1) * width;
            while (j < n && g_array_index(ps->marks, struct plot_mark, j).t_s < end)
                j++;
        }
        struct plot_mark k = { m->t_s, j - i > 1 ? g_strdup_printf("%s (+%u more)", m->label, j - i - 1)
                                                 : g_strdup(m->label) };
        g_array_append_val(out, k);
        i = j;
    }
    return out;
}

static void free_marks(GArray *marks)
{
    for (guint i = 0; i < marks->len; i++)
        g_free(g_array_index(marks, struct plot_mark, i).label);
    g_array_free(marks, TRUE);
}

static void fig_active(const struct plot_set *ps, GString *dat, GString *gp)
{
    guint nr = ps->runs->len;
    double ymax = 0;
    char a[G_ASCII_DTOSTR_BUF_SIZE], b[G_ASCII_DTOSTR_BUF_SIZE];
    g_string_append(dat, "# time_s (bin centre)");
    for (guint k = 0; k < ps->nservers; k++)
        g_string_append_printf(dat, " %s", ps->servers[k]);
    g_string_append_printf(dat, ": connections open, time-averaged over %.3f s bins; one block "
                           "per run:", (double)ps->bin / SEC);
    for (guint r = 0; r < nr; r++)
        g_string_append_printf(dat, " %s", ((struct plot_run *)g_ptr_array_index(ps->runs, r))->label);
    g_string_append_c(dat, '\n');
    for (guint r = 0; r < nr; r++) {
        const struct plot_run *pr = g_ptr_array_index(ps->runs, r);
        if (r)
            g_string_append(dat, "\n\n");
        for (guint i = 0; i < ps->nbins; i++) {
            sim_time_t lo = (sim_time_t)i * ps->bin;
            sim_time_t hi = sim_time_add(lo, ps->bin);
            hi = hi > ps->duration ? ps->duration : hi;
            fmt_num(a, sizeof a, (double)(lo + hi) / 2 / SEC);
            g_string_append(dat, a);
            for (guint k = 0; k < ps->nservers; k++) {
                double v = pr->open[i * ps->nservers + k];
                ymax = v > ymax ? v : ymax;
                fmt_num(b, sizeof b, v);
                g_string_append_printf(dat, " %s", b);
            }
            g_string_append_c(dat, '\n');
        }
    }
    guint cols = nr > 3 ? 2 : 1, rows = (nr + cols - 1) / cols;
    bool ipvs = nr == 1 && ps->nsamples > 0;
    if (ipvs) {
        g_string_append(dat, "\n\n# time_s, then for each server: IPVS ActiveConn InActConn, "
                        "sampled (ipvsadm -Ln)\n");
        for (guint i = 0; i < ps->nsamples; i++) {
            fmt_num(a, sizeof a, ps->ipvs_t[i]);
            g_string_append(dat, a);
            for (guint k = 0; k < 2 * ps->nservers; k++)
                g_string_append_printf(dat, " %d", ps->ipvs_conns[i * 2 * ps->nservers + k]);
            g_string_append_c(dat, '\n');
        }
    }
    gp_begin_size(gp, "active", "Connections open per real server over time, events marked.",
                  "active.dat", FIG_W, nr > 1 ? 90 + (int)rows * 250 : ipvs ? 820 : FIG_H);
    char *yl = g_strdup_printf(nr > 1 ? "open (mean over %g s)" : "connections open (mean over %g s)",
                               (double)ps->bin / SEC);
    gp_set(gp, "xlabel", "simulated time (s)", NULL);
    gp_set(gp, "ylabel", yl, NULL);
    g_free(yl);
    fmt_num(a, sizeof a, (double)ps->duration / SEC);
    fmt_num(b, sizeof b, ymax > 0 ? ceil(ymax * 1.15) : 1);
    g_string_append_printf(gp, "set xrange [0:%s]\nset yrange [0:%s]\nset grid\n", a, b);
    if (nr > 1)
        g_string_append_printf(gp, "set key at screen 0.5, screen %.4f center top horizontal "
                               "font ',9'\n", 1 - 26.0 / (90 + rows * 250));
    else
        g_string_append(gp, "set key outside right top vertical\n");
    /* Marks closer than 2% of the run to the one before are labelled side by side. */
    GArray *marks = thin_marks(ps);
    double near = (double)ps->duration / SEC * 0.02, prev = -1e300;
    int side = 0;
    for (guint i = 0; i < marks->len; i++) {
        const struct plot_mark *m = &g_array_index(marks, struct plot_mark, i);
        side = m->t_s - prev < near ? side + 1 : 0;
        prev = m->t_s;
        fmt_num(a, sizeof a, m->t_s);
        g_string_append_printf(gp, "set arrow %u from %s, graph 0 to %s, graph 1 nohead dt 2 "
                               "lw 1.2 lc rgb '#7f7f7f'\n", i + 1, a, a);
        g_string_append_printf(gp, "set label %u ", i + 1);
        gp_str(gp, m->label);
        g_string_append_printf(gp, " at %s, graph 0.98 rotate by 90 right offset %.1f,0 "
                               "font ',8' tc rgb '#505050' front\n", a, -0.7 + 1.3 * side);
    }
    free_marks(marks);
    if (nr > 1) {
        char *t = g_strdup_printf("%s: connections open per real server under each scheduler, "
                                  "same arrivals; each panel on its own scale (%s)", ps->name,
                                  ps->subtitle);
        g_string_append_printf(gp, "set multiplot layout %u,%u title ", rows, cols);
        gp_str(gp, t);
        g_string_append_printf(gp, " font ',11' margins 0.07,0.98,%.4f,%.4f spacing 0.08,%.4f\n",
                               45.0 / (90 + rows * 250), 1 - 70.0 / (90 + rows * 250),
                               68.0 / (90 + rows * 250));
        g_free(t);
    } else if (ipvs) {
        char *t = g_strdup_printf("%s: connections per real server (%s)", ps->name, ps->subtitle);
        g_string_append(gp, "set multiplot layout 2,1 title ");
        gp_str(gp, t);
        g_string_append(gp, " font ',11' margins 0.08,0.77,0.07,0.92 spacing 0,0.1\n"
                        "set key at screen 0.845, graph 1 left top\n");
        g_free(t);
        gp_set(gp, "title", "connections open, as the clients see them (from SYN to close)",
               " font ',10'");
    } else {
        gp_title(gp, "set title", ps, "connections open per real server");
    }
    for (guint r = 0; r < nr; r++) {
        const struct plot_run *pr = g_ptr_array_index(ps->runs, r);
        if (nr > 1) {
            gp_set(gp, "title", pr->label, " font ',10'");
            if (r == 1)
                g_string_append(gp, "unset key\n");
            if (r < nr - cols)
                g_string_append(gp, "unset xlabel\n");
            else
                gp_set(gp, "xlabel", "simulated time (s)", NULL);
        }
        if (nr > 1) {                   /* each panel its own scale: a busy scheduler
                                         * must not flatten the others */
            double pmax = 0;
            for (guint i = 0; i < ps->nbins * ps->nservers; i++)
                pmax = pr->open[i] > pmax ? pr->open[i] : pmax;
            fmt_num(b, sizeof b, pmax > 0 ? ceil(pmax * 1.15) : 1);
            g_string_append_printf(gp, "set yrange [0:%s]\n", b);
        }
        g_string_append(gp, "plot ");
        for (guint k = 0; k < ps->nservers; k++) {
            g_string_append_printf(gp, "%s'active.dat' index %u using 1:%u with lines lw 1.6 ",
                                   k ? ", \\\n     " : "", r, k + 2);
            gp_line_style(gp, k);
            g_string_append(gp, " title ");
            gp_str(gp, ps->servers[k]);
        }
        g_string_append_c(gp, '\n');
    }
    if (ipvs) {
        double imax = 0, amax = 0;
        for (guint i = 0; i < ps->nsamples * ps->nservers; i++) {
            amax = ps->ipvs_conns[2 * i] > amax ? ps->ipvs_conns[2 * i] : amax;
            imax = ps->ipvs_conns[2 * i + 1] > imax ? ps->ipvs_conns[2 * i + 1] : imax;
        }
        gp_set(gp, "title", "IPVS entries as ipvsadm -Ln shows them, sampled each second: "
               "ActiveConn solid (left axis), InActConn dashed (right axis)", " font ',10'");
        gp_set(gp, "ylabel", "ActiveConn", NULL);
        gp_set(gp, "y2label", "InActConn", NULL);
        fmt_num(a, sizeof a, amax > 0 ? ceil(amax * 1.15) : 1);
        fmt_num(b, sizeof b, imax > 0 ? ceil(imax * 1.15) : 1);
        g_string_append_printf(gp, "set yrange [0:%s]\nset y2range [0:%s]\nset ytics nomirror\n"
                               "set y2tics\n", a, b);
        g_string_append(gp, "plot ");
        for (guint k = 0; k < ps->nservers; k++) {
            g_string_append_printf(gp, "%s'active.dat' index 1 using 1:%u axes x1y1 with lines lw 1.6 "
                                   "lc rgb '%s' dt 1 title ", k ? ", \\\n     " : "", 2 * k + 2,
                                   palette[k % NPALETTE]);
            char *t = g_strdup_printf("%s ActiveConn", ps->servers[k]);
            gp_str(gp, t);
            g_free(t);
            g_string_append_printf(gp, ", \\\n     'active.dat' index 1 using 1:%u axes x1y2 with lines "
                                   "lw 1.4 dt 2 lc rgb '%s' title ", 2 * k + 3, palette[k % NPALETTE]);
            t = g_strdup_printf("%s InActConn", ps->servers[k]);
            gp_str(gp, t);
            g_free(t);
        }
        g_string_append_c(gp, '\n');
    }
    if (nr > 1 || ipvs)
        g_string_append(gp, "unset multiplot\n");
    gp_end(gp);
}

static void fig_cdf(const struct plot_set *ps, GString *dat, GString *gp)
{
    guint nr = ps->runs->len;
    char a[G_ASCII_DTOSTR_BUF_SIZE], b[G_ASCII_DTOSTR_BUF_SIZE];
    double lo = 0, hi = 0;
    g_string_append(dat, "# response_ms fraction_of_completed_connections_at_or_below; one block per run:");
    for (guint r = 0; r < nr; r++)
        g_string_append_printf(dat, " %s", ((struct plot_run *)g_ptr_array_index(ps->runs, r))->label);
    g_string_append_c(dat, '\n');
    for (guint r = 0; r < nr; r++) {
        const struct plot_run *pr = g_ptr_array_index(ps->runs, r);
        guint n = pr->resp_ns->len;
        if (r)
            g_string_append(dat, "\n\n");
        if (n == 0) {
            g_string_append(dat, "# no completed connection (a line keeps the block's index)\nNaN NaN\n");
            continue;
        }
        double first = (double)g_array_index(pr->resp_ns, int64_t, 0) / 1e6;
        double last = (double)g_array_index(pr->resp_ns, int64_t, n - 1) / 1e6;
        lo = lo == 0 || first < lo ? first : lo;
        hi = last > hi ? last : hi;
        guint pts = n < CDF_POINTS ? n : CDF_POINTS;
        for (guint i = 1; i <= pts; i++) {
            double q = (double)i / pts;
            fmt_num(a, sizeof a, plot_percentile(pr->resp_ns, q) / 1e6);
            fmt_num(b, sizeof b, q);
            g_string_append_printf(dat, "%s %s\n", a, b);
        }
    }
    gp_begin(gp, "response_cdf", "Response-time CDF of the completed connections, one curve per run.",
             "response_cdf.dat");
    gp_title(gp, "set title", ps, "response time CDF of the completed connections");
    gp_set(gp, "xlabel", "response time (ms, log scale): first request byte sent to last response "
           "byte received", NULL);
    gp_set(gp, "ylabel", "fraction of completed connections", NULL);
    g_string_append(gp, "set logscale x\nset yrange [0:1.05]\nset grid xtics mxtics ytics\n"
                    "set key bottom right box opaque\n");
    if (hi > 0) {
        fmt_num(a, sizeof a, pow(10, floor(log10(lo))));
        fmt_num(b, sizeof b, pow(10, ceil(log10(hi * 1.01))));
        g_string_append_printf(gp, "set xrange [%s:%s]\n", a, b);
    } else {
        g_string_append(gp, "set xrange [0.1:1000]\n");
    }
    static const double qs[] = { 0.5, 0.95, 0.99 };
    static const char *const qn[] = { "p50", "p95", "p99" };
    for (int i = 0; i < 3; i++)
        g_string_append_printf(gp, "set arrow %d from graph 0, first %g to graph 1, first %g nohead "
                               "dt 3 lc rgb '#999999'\nset label %d '%s' at graph 0.005, first %g "
                               "offset 0,0.55 font ',8' tc rgb '#707070'\n",
                               i + 1, qs[i], qs[i], i + 1, qn[i], qs[i]);
    g_string_append(gp, "plot ");
    bool any = false;
    for (guint r = 0; r < nr; r++) {
        const struct plot_run *pr = g_ptr_array_index(ps->runs, r);
        if (pr->resp_ns->len == 0)
            continue;
        char *t = g_strdup_printf("%s (p50 %.1f ms, p99 %.1f ms, %u completed)", pr->label,
                                  plot_percentile(pr->resp_ns, 0.5) / 1e6,
                                  plot_percentile(pr->resp_ns, 0.99) / 1e6, pr->resp_ns->len);
        g_string_append_printf(gp, "%s'response_cdf.dat' index %u using 1:2 with steps lw 1.8 ",
                               any ? ", \\\n     " : "", r);
        gp_line_style(gp, r);
        g_string_append(gp, " title ");
        gp_str(gp, t);
        g_free(t);
        any = true;
    }
    if (!any)
        g_string_append(gp, "NaN title 'no completed connection'");
    g_string_append_c(gp, '\n');
    gp_end(gp);
}

/* A clustered bar chart: rows (categories on the x axis) by columns (bars). Values
 * of 0 are written '?' (missing) in log scale. Each bar gets its value above it
 * when there are at most 4 bars per cluster. */
struct bars {
    const char *base, *what, *title, *xlabel, *ylabel, *valfmt;
    guint nrows, ncols;
    char **rows, **cols;
    double *v;                      /* nrows x ncols */
    bool logy;
    int first_hollow;               /* columns before this one are drawn hollow (references) */
    GPtrArray *notes;               /* lines written under the chart, or NULL */
};

#define NOTE_PX 15                  /* the height of a line of notes */

static void fig_bars(const struct plot_set *ps, const struct bars *bc, GString *dat, GString *gp)
{
    char a[G_ASCII_DTOSTR_BUF_SIZE];
    double vmax = 0;
    g_string_append_printf(dat, "# %s\n# category", bc->what);
    for (guint c = 0; c < bc->ncols; c++)
        g_string_append_printf(dat, " %s", bc->cols[c]);
    g_string_append_c(dat, '\n');
    for (guint r = 0; r < bc->nrows; r++) {
        dat_str(dat, bc->rows[r]);
        for (guint c = 0; c < bc->ncols; c++) {
            double v = bc->v[r * bc->ncols + c];
            vmax = v > vmax ? v : vmax;
            fmt_num(a, sizeof a, v);
            g_string_append_printf(dat, " %s", bc->logy && v <= 0 ? "?" : a);
        }
        g_string_append_c(dat, '\n');
    }
    guint nnotes = bc->notes ? bc->notes->len : 0;
    for (guint i = 0; i < nnotes; i++)
        g_string_append_printf(dat, "# %s\n", (const char *)g_ptr_array_index(bc->notes, i));
    char *datname = g_strdup_printf("%s.dat", bc->base);
    int h = FIG_H + (nnotes ? (int)(nnotes + 1) * NOTE_PX : 0);
    gp_begin_size(gp, bc->base, bc->what, datname, FIG_W, h);
    if (nnotes)
        g_string_append_printf(gp, "set bmargin at screen %.4f\n",
                               (double)((nnotes + 1) * NOTE_PX + 60) / h);
    for (guint i = 0; i < nnotes; i++) {
        g_string_append_printf(gp, "set label %u ", 100 + i);
        gp_str(gp, g_ptr_array_index(bc->notes, i));
        g_string_append_printf(gp, " at screen 0.01, screen %.4f left font ',9' tc rgb '#303030'\n",
                               (double)((nnotes - i) * NOTE_PX) / h);
    }
    gp_title(gp, "set title", ps, bc->title);
    gp_set(gp, "xlabel", bc->xlabel, NULL);
    gp_set(gp, "ylabel", bc->ylabel, NULL);
    g_string_append(gp, "set datafile missing '?'\nset style data histogram\n"
                    "set style histogram clustered gap 1\nset style fill solid 0.85 border -1\n"
                    "set boxwidth 0.95\nset grid ytics\nset key outside right top vertical\n"
                    "set xtics nomirror\n");
    if (bc->logy) {
        fmt_num(a, sizeof a, vmax > 1 ? pow(10, ceil(log10(vmax)) + 0.6) : 10);
        g_string_append_printf(gp, "set logscale y\nset format y '%%.0f'\nset yrange [0.8:%s]\n", a);
    } else {
        fmt_num(a, sizeof a, vmax > 0 ? vmax * 1.15 : 1);
        g_string_append_printf(gp, "set yrange [0:%s]\n", a);
    }
    g_string_append_printf(gp, "set xrange [-0.5:%u.5]\n", bc->nrows ? bc->nrows - 1 : 0);
    if (bc->nrows > 6)
        g_string_append(gp, "set xtics rotate by -30\n");
    g_string_append(gp, "plot ");
    for (guint c = 0; c < bc->ncols; c++) {
        g_string_append_printf(gp, "%s'%s' using %u%s ", c ? ", \\\n     " : "", datname, c + 2,
                               c ? "" : ":xtic(1)");
        if ((int)c < bc->first_hollow)
            g_string_append(gp, "lc rgb 'black' fs empty border lc rgb 'black'");
        else
            gp_fill_style(gp, c - (guint)bc->first_hollow);
        g_string_append(gp, " title ");
        gp_str(gp, bc->cols[c]);
    }
    if (bc->ncols <= 4)
        for (guint c = 0; c < bc->ncols; c++)
            g_string_append_printf(gp, ", \\\n     '%s' using ($0 + (%d)/%u.0):%u:"
                                   "(sprintf('%s', column(%u))) with labels offset 0,0.6 font ',8' "
                                   "notitle", datname, (int)(2 * c + 1) - (int)bc->ncols,
                                   2 * (bc->ncols + 1), c + 2, bc->valfmt, c + 2);
    g_string_append_c(gp, '\n');
    gp_end(gp);
    g_free(datname);
}

static void fig_share(const struct plot_set *ps, GString *dat, GString *gp)
{
    guint nr = ps->runs->len, w = ps->weights ? 1 : 0;
    struct bars bc = {
        .base = "share", .what = "Share of the conversations scheduled to each real server (%), "
                                 "failed ones included, per run; hollow: its share of the "
                                 "configured weight.",
        .title = "share of the conversations scheduled to each real server", .xlabel = "real server",
        .ylabel = "share of scheduled conversations (%)", .valfmt = "%.1f", .nrows = ps->nservers,
        .ncols = nr + w, .rows = ps->servers, .first_hollow = (int)w,
    };
    bc.cols = g_new0(char *, bc.ncols + 1);
    bc.v = g_new0(double, (gsize)bc.nrows * bc.ncols + 1);
    if (w) {
        bc.cols[0] = g_strdup("configured weight");
        double sum = 0;
        for (guint k = 0; k < ps->nservers; k++)
            sum += ps->weights[k];
        for (guint k = 0; k < ps->nservers; k++)
            bc.v[k * bc.ncols] = sum > 0 ? 100 * ps->weights[k] / sum : 0;
    }
    for (guint r = 0; r < nr; r++) {
        const struct plot_run *pr = g_ptr_array_index(ps->runs, r);
        uint64_t sum = 0;
        for (guint k = 0; k < ps->nservers; k++)
            sum += pr->scheduled[k];
        bc.cols[w + r] = g_strdup(pr->label);
        for (guint k = 0; k < ps->nservers; k++)
            bc.v[k * bc.ncols + w + r] = sum ? 100.0 * (double)pr->scheduled[k] / (double)sum : 0;
    }
    fig_bars(ps, &bc, dat, gp);
    g_strfreev(bc.cols);
    g_free(bc.v);
}

static const char *const verdict_names[NF_STOP + 2] = {
    "DROP", "ACCEPT", "STOLEN", "QUEUE", "REPEAT", "STOP", "other",
};

#define MAX_DROP_NOTES 8

/* The lines under the hooks chart: each NF_DROP key of the director with its count
 * (per run in a comparison), at most MAX_DROP_NOTES of them; NULL when nothing was
 * dropped. */
static GPtrArray *drop_notes(const struct plot_set *ps)
{
    guint nr = ps->runs->len;
    GPtrArray *keys = g_ptr_array_new();            /* borrowed: the union, in order */
    for (guint r = 0; r < nr; r++) {
        const struct plot_run *pr = g_ptr_array_index(ps->runs, r);
        for (guint i = 0; i < pr->drop_what->len; i++) {
            const char *k = g_ptr_array_index(pr->drop_what, i);
            bool seen = false;
            for (guint j = 0; j < keys->len && !seen; j++)
                seen = strcmp(g_ptr_array_index(keys, j), k) == 0;
            if (!seen)
                g_ptr_array_add(keys, (gpointer)k);
        }
    }
    if (!keys->len) {
        g_ptr_array_free(keys, TRUE);
        return NULL;
    }
    GPtrArray *notes = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(notes, g_strdup_printf("NF_DROP verdicts on %s by hook point, hook function "
                                           "and reason (summary.json \"drops\"):", ps->director));
    for (guint j = 0; j < keys->len && j < MAX_DROP_NOTES; j++) {
        const char *k = g_ptr_array_index(keys, j);
        GString *line = g_string_new("    ");
        for (guint r = 0; r < nr; r++) {
            const struct plot_run *pr = g_ptr_array_index(ps->runs, r);
            uint64_t n = 0;
            for (guint i = 0; i < pr->drop_what->len; i++)
                if (strcmp(g_ptr_array_index(pr->drop_what, i), k) == 0)
                    n = g_array_index(pr->drop_count, uint64_t, i);
            if (nr > 1)
                g_string_append_printf(line, "%s%s %llu", r ? ", " : "", pr->label, (unsigned long long)n);
            else
                g_string_append_printf(line, "%llu", (unsigned long long)n);
        }
        g_string_append_printf(line, nr > 1 ? " -- %s" : "  %s", k);
        g_ptr_array_add(notes, g_string_free(line, FALSE));
    }
    if (keys->len > MAX_DROP_NOTES)
        g_ptr_array_add(notes, g_strdup_printf("    and %u more (summary.json lists them all)",
                                               keys->len - MAX_DROP_NOTES));
    g_ptr_array_free(keys, TRUE);
    return notes;
}

/* One run: hook points by verdict. Several: (hook point, verdict) pairs by run. The
 * drops' reasons go under the chart. */
static void fig_hooks(const struct plot_set *ps, GString *dat, GString *gp)
{
    guint nr = ps->runs->len;
    bool used[NF_INET_NUMHOOKS][NF_STOP + 2] = {{false}}, vused[NF_STOP + 2] = {false};
    guint npairs = 0, nverdicts = 0;
    for (guint r = 0; r < nr; r++) {
        const struct plot_run *pr = g_ptr_array_index(ps->runs, r);
        for (int h = 0; h < NF_INET_NUMHOOKS; h++)
            for (int v = 0; v < NF_STOP + 2; v++)
                if (pr->verdicts[h][v]) {
                    npairs += !used[h][v];
                    nverdicts += !vused[v];
                    used[h][v] = vused[v] = true;
                }
    }
    char *title = g_strdup_printf("netfilter hook function calls on %s (the director) by hook "
                                  "point and verdict", ps->director);
    struct bars bc = {
        .base = "hooks", .title = title, .ylabel = "hook function calls (log scale)",
        .valfmt = "%.0f", .logy = true,
        .what = "Netfilter hook function calls on the director, by hook point and verdict "
                "(nf_verdicts: a packet counts once per hook function it meets); under it, "
                "the drops by hook point, hook function and reason.",
        .notes = drop_notes(ps),
    };
    if (nr == 1) {
        const struct plot_run *pr = g_ptr_array_index(ps->runs, 0);
        bc.xlabel = "hook point";
        bc.nrows = NF_INET_NUMHOOKS;
        bc.ncols = nverdicts ? nverdicts : 1;
        bc.rows = g_new0(char *, bc.nrows + 1);
        bc.cols = g_new0(char *, bc.ncols + 1);
        bc.v = g_new0(double, (gsize)bc.nrows * bc.ncols + 1);
        for (int h = 0; h < NF_INET_NUMHOOKS; h++)
            bc.rows[h] = g_strdup(nf_hook_name((unsigned)h));
        guint c = 0;
        for (int v = 0; v < NF_STOP + 2; v++) {
            if (!vused[v])
                continue;
            bc.cols[c] = g_strdup(verdict_names[v]);
            for (int h = 0; h < NF_INET_NUMHOOKS; h++)
                bc.v[(guint)h * bc.ncols + c] = (double)pr->verdicts[h][v];
            c++;
        }
        if (!nverdicts)
            bc.cols[0] = g_strdup("no hook call");
    } else {
        bc.xlabel = "hook point and verdict";
        bc.nrows = npairs ? npairs : 1;
        bc.ncols = nr;
        bc.rows = g_new0(char *, bc.nrows + 1);
        bc.cols = g_new0(char *, bc.ncols + 1);
        bc.v = g_new0(double, (gsize)bc.nrows * bc.ncols + 1);
        for (guint r = 0; r < nr; r++)
            bc.cols[r] = g_strdup(((struct plot_run *)g_ptr_array_index(ps->runs, r))->label);
        guint row = 0;
        for (int h = 0; h < NF_INET_NUMHOOKS; h++)
            for (int v = 0; v < NF_STOP + 2; v++) {
                if (!used[h][v])
                    continue;
                bc.rows[row] = g_strdup_printf("%s:%s", nf_hook_name((unsigned)h), verdict_names[v]);
                for (guint r = 0; r < nr; r++)
                    bc.v[row * nr + r] =
                        (double)((struct plot_run *)g_ptr_array_index(ps->runs, r))->verdicts[h][v];
                row++;
            }
        if (!npairs)
            bc.rows[0] = g_strdup("none");
    }
    fig_bars(ps, &bc, dat, gp);
    if (bc.notes)
        g_ptr_array_free(bc.notes, TRUE);
    g_strfreev(bc.rows);
    g_strfreev(bc.cols);
    g_free(bc.v);
    g_free(title);
}

/* ---- writing and drawing --------------------------------------------------------------- */

/* Write dir/name; on failure msg names the file and the error. */
static bool put(const char *dir, const char *name, const GString *text, char *msg, size_t msglen)
{
    char *path = g_build_filename(dir, name, NULL);
    GError *gerr = NULL;
    bool ok = g_file_set_contents(path, text->str, (gssize)text->len, &gerr);
    if (!ok)
        snprintf(msg, msglen, "cannot write %s: %s", path, gerr->message);
    g_clear_error(&gerr);
    g_free(path);
    return ok;
}

static int plot_timeout_s(void)
{
    const char *e = getenv("IPVSIM_PLOT_TIMEOUT");
    int v = e ? atoi(e) : 0;
    return v > 0 ? v : PLOT_TIMEOUT_S;
}

/* Read gnuplot's stderr (kept up to 4 KB) until it closes or the deadline passes. */
static bool read_until(int fd, gint64 deadline, GString *err)
{
    for (;;) {
        gint64 left = deadline - g_get_monotonic_time();
        if (left <= 0)
            return false;
        struct pollfd p = { .fd = fd, .events = POLLIN };
        int r = poll(&p, 1, (int)(left / 1000) + 1);
        if (r <= 0)
            continue;               /* EINTR or the time is up: the loop decides */
        char buf[4096];
        ssize_t got = read(fd, buf, sizeof buf);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return true;
        if (err->len < 4096)
            g_string_append_len(err, buf, got);
    }
}

/* Reap pid by the deadline, else kill it; true when it ended by itself. */
static bool reap_until(GPid pid, gint64 deadline, int *status)
{
    for (;;) {
        pid_t r = waitpid(pid, status, WNOHANG);
        if (r == pid || (r < 0 && errno != EINTR))
            return r == pid;
        if (g_get_monotonic_time() >= deadline) {
            kill(pid, SIGKILL);
            while (waitpid(pid, status, 0) < 0 && errno == EINTR)
                ;
            return false;
        }
        g_usleep(10000);
    }
}

/* gnuplot SCRIPT in dir, no shell, for at most plot_timeout_s(). false with msg on
 * failure (*late when it was stopped for its time). */
static bool draw(const char *gnuplot, const char *dir, const char *script, bool *late,
                 char *msg, size_t msglen)
{
    char *argv[] = { (char *)gnuplot, (char *)script, NULL };
    GPid pid;
    int err_fd = -1, status = 0, limit = plot_timeout_s();
    GError *ge = NULL;
    *late = false;
    if (!g_spawn_async_with_pipes(dir, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD |
                                  G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_CLOEXEC_PIPES, NULL, NULL,
                                  &pid, NULL, NULL, &err_fd, &ge)) {
        snprintf(msg, msglen, "cannot start %s: %s", gnuplot, ge->message);
        g_clear_error(&ge);
        return false;
    }
    gint64 deadline = g_get_monotonic_time() + (gint64)limit * G_USEC_PER_SEC;
    GString *err = g_string_new(NULL);
    bool ended = read_until(err_fd, deadline, err);
    close(err_fd);
    ended = reap_until(pid, ended ? deadline : 0, &status) && ended;
    g_spawn_close_pid(pid);
    bool ok = ended && g_spawn_check_wait_status(status, NULL);
    if (!ended) {
        *late = true;
        snprintf(msg, msglen, "gnuplot did not finish %s in %d s and was stopped (raise the time "
                 "with IPVSIM_PLOT_TIMEOUT=SECONDS)", script, limit);
    } else if (!ok) {
        snprintf(msg, msglen, "gnuplot failed on %s: %s", script, g_strstrip(err->str));
    }
    g_string_free(err, TRUE);
    return ok;
}

/* A figure's text, before it is written and drawn. */
struct fig_text {
    const char *base;
    GString *dat, *gp;
};

/* Write each figure's .dat and .gp into dir/plots/, then draw them with gnuplot. */
static enum plots_status emit(const char *dir, const struct fig_text *figs, size_t nfigs,
                              char *msg, size_t msglen)
{
    char *pdir = g_build_filename(dir, "plots", NULL);
    if (g_mkdir_with_parents(pdir, 0755) != 0) {
        snprintf(msg, msglen, "cannot create %s: %s", pdir, g_strerror(errno));
        g_free(pdir);
        return PLOTS_WRITE_FAILED;
    }
    enum plots_status st = PLOTS_DRAWN;
    for (size_t i = 0; i < nfigs && st == PLOTS_DRAWN; i++) {
        char *dn = g_strdup_printf("%s.dat", figs[i].base), *gn = g_strdup_printf("%s.gp", figs[i].base);
        if (!put(pdir, dn, figs[i].dat, msg, msglen) || !put(pdir, gn, figs[i].gp, msg, msglen))
            st = PLOTS_WRITE_FAILED;
        g_free(dn);
        g_free(gn);
    }
    char *gnuplot = st == PLOTS_DRAWN ? g_find_program_in_path("gnuplot") : NULL;
    if (st == PLOTS_DRAWN && !gnuplot) {
        snprintf(msg, msglen, "gnuplot not found: plots skipped (their scripts and data are in plots/)");
        st = PLOTS_SKIPPED;
    }
    /* A figure gnuplot could not draw in its time is noted and the next one drawn; a
     * failure of gnuplot itself would fail them all, so it ends the drawing. */
    GString *notes = g_string_new(NULL);
    bool broken = false;
    for (size_t i = 0; gnuplot && i < nfigs && st != PLOTS_WRITE_FAILED && !broken; i++) {
        char *gn = g_strdup_printf("%s.gp", figs[i].base), why[600];
        bool late;
        if (!draw(gnuplot, pdir, gn, &late, why, sizeof why)) {
            g_string_append_printf(notes, "%s.png, %s.svg: not drawn: %s\n", figs[i].base,
                                   figs[i].base, why);
            if (st == PLOTS_DRAWN)
                snprintf(msg, msglen, "%s; plots/notes.txt names the figures not drawn", why);
            st = PLOTS_GNUPLOT_FAILED;
            broken = !late;
        }
        g_free(gn);
    }
    if (notes->len && !put(pdir, "notes.txt", notes, msg, msglen))
        st = PLOTS_WRITE_FAILED;
    g_string_free(notes, TRUE);
    g_free(gnuplot);
    g_free(pdir);
    return st;
}

static void fig_texts_free(struct fig_text *figs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        g_string_free(figs[i].dat, TRUE);
        g_string_free(figs[i].gp, TRUE);
    }
}

enum plots_status plots_write(const struct plot_set *ps, const char *dir, char *msg, size_t msglen)
{
    static const struct {
        const char *base;
        void (*fn)(const struct plot_set *, GString *, GString *);
    } figs[] = {
        { "active", fig_active }, { "response_cdf", fig_cdf }, { "share", fig_share },
        { "hooks", fig_hooks },
    };
    struct fig_text t[G_N_ELEMENTS(figs)];
    for (size_t i = 0; i < G_N_ELEMENTS(figs); i++) {
        t[i] = (struct fig_text){ figs[i].base, g_string_new(NULL), g_string_new(NULL) };
        figs[i].fn(ps, t[i].dat, t[i].gp);
    }
    enum plots_status st = emit(dir, t, G_N_ELEMENTS(figs), msg, msglen);
    fig_texts_free(t, G_N_ELEMENTS(figs));
    return st;
}

/* A clustered bar chart of means with their 95 % confidence intervals as error bars:
 * categories on the x axis, one bar per scheduler. */
static void fig_ci(const struct plot_set *ps, const struct plot_ci_fig *f, GString *dat, GString *gp)
{
    char a[G_ASCII_DTOSTR_BUF_SIZE], b[G_ASCII_DTOSTR_BUF_SIZE], c[G_ASCII_DTOSTR_BUF_SIZE];
    double vmax = 0;
    g_string_append_printf(dat, "# %s\n# category, then per scheduler: mean, 95 %% CI low, "
                           "high:", f->what);
    for (guint k = 0; k < f->ncols; k++)
        g_string_append_printf(dat, " %s", f->cols[k]);
    g_string_append_c(dat, '\n');
    for (guint r = 0; r < f->nrows; r++) {
        dat_str(dat, f->rows[r]);
        for (guint k = 0; k < f->ncols; k++) {
            guint i = r * f->ncols + k;
            vmax = MAX(vmax, MAX(f->mean[i], f->hi[i]));
            fmt_num(a, sizeof a, f->mean[i]);
            fmt_num(b, sizeof b, f->lo[i]);
            fmt_num(c, sizeof c, f->hi[i]);
            g_string_append_printf(dat, " %s %s %s", a, b, c);
        }
        g_string_append_c(dat, '\n');
    }
    char *datname = g_strdup_printf("%s.dat", f->base);
    gp_begin(gp, f->base, f->what, datname);
    gp_title(gp, "set title", ps, f->title);
    gp_set(gp, "ylabel", f->ylabel, NULL);
    g_string_append(gp, "set style data histogram\nset style histogram errorbars gap 1 lw 1\n"
                    "set style fill solid 0.85 border -1\nset boxwidth 0.95\nset grid ytics\n"
                    "set key outside right top vertical\nset xtics nomirror\nset bars front\n");
    fmt_num(a, sizeof a, vmax > 0 ? vmax * 1.15 : 1);
    g_string_append_printf(gp, "set yrange [0:%s]\nset xrange [-0.5:%u.5]\nplot ", a,
                           f->nrows ? f->nrows - 1 : 0);
    for (guint k = 0; k < f->ncols; k++) {
        g_string_append_printf(gp, "%s'%s' using %u:%u:%u%s ", k ? ", \\\n     " : "", datname,
                               3 * k + 2, 3 * k + 3, 3 * k + 4, k ? "" : ":xtic(1)");
        gp_fill_style(gp, k);
        g_string_append(gp, " title ");
        gp_str(gp, f->cols[k]);
    }
    g_string_append_c(gp, '\n');
    gp_end(gp);
    g_free(datname);
}

/* Means against a parameter's values: one line per column, its 95 % interval a
 * translucent band (a sweep's figure). The values are categories, evenly spaced in
 * the order given, since a parameter may be any scenario value (a rate, a line). */
static void fig_ci_lines(const struct plot_set *ps, const struct plot_ci_fig *f, GString *dat,
                         GString *gp)
{
    char a[G_ASCII_DTOSTR_BUF_SIZE], b[G_ASCII_DTOSTR_BUF_SIZE], c[G_ASCII_DTOSTR_BUF_SIZE];
    double vmax = 0;
    g_string_append_printf(dat, "# %s\n# index, value, then per line: mean, 95 %% CI low, high:",
                           f->what);
    for (guint k = 0; k < f->ncols; k++) {
        g_string_append(dat, " ");
        dat_str(dat, f->cols[k]);
    }
    g_string_append_c(dat, '\n');
    for (guint r = 0; r < f->nrows; r++) {
        g_string_append_printf(dat, "%u ", r);
        dat_str(dat, f->rows[r]);
        for (guint k = 0; k < f->ncols; k++) {
            guint i = r * f->ncols + k;
            vmax = MAX(vmax, MAX(f->mean[i], f->hi[i]));
            fmt_num(a, sizeof a, f->mean[i]);
            fmt_num(b, sizeof b, f->lo[i]);
            fmt_num(c, sizeof c, f->hi[i]);
            g_string_append_printf(dat, " %s %s %s", a, b, c);
        }
        g_string_append_c(dat, '\n');
    }
    char *datname = g_strdup_printf("%s.dat", f->base);
    gp_begin(gp, f->base, f->what, datname);
    gp_title(gp, "set title", ps, f->title);
    gp_set(gp, "ylabel", f->ylabel, NULL);
    gp_set(gp, "xlabel", f->xlabel ? f->xlabel : "", NULL);
    g_string_append(gp, "set grid ytics\nset key outside right top vertical\nset xtics nomirror\n");
    fmt_num(a, sizeof a, vmax > 0 ? vmax * 1.15 : 1);
    g_string_append_printf(gp, "set yrange [0:%s]\nset xrange [-0.3:%s]\nplot ", a,
                           f->nrows > 1 ? g_ascii_formatd(b, sizeof b, "%.1f", f->nrows - 0.7)
                                        : "0.3");
    for (guint k = 0; k < f->ncols; k++) {
        g_string_append_printf(gp, "%s'%s' using 1:%u:%u with filledcurves fs transparent solid "
                               "0.2 noborder lc rgb '%s' notitle, \\\n     '%s' using 1:%u%s with "
                               "linespoints pt 7 ps 0.6 lw 1.5 ", k ? ", \\\n     " : "", datname,
                               3 * k + 4, 3 * k + 5, palette[k % NPALETTE], datname, 3 * k + 3,
                               k ? "" : ":xtic(2)");
        gp_line_style(gp, k);
        g_string_append(gp, " title ");
        gp_str(gp, f->cols[k]);
    }
    g_string_append_c(gp, '\n');
    gp_end(gp);
    g_free(datname);
}

enum plots_status plots_write_ci(const struct plot_set *ps, const struct plot_ci_fig *figs,
                                 guint nfigs, const char *dir, char *msg, size_t msglen)
{
    struct fig_text *t = g_new0(struct fig_text, nfigs ? nfigs : 1);
    for (guint i = 0; i < nfigs; i++) {
        t[i] = (struct fig_text){ figs[i].base, g_string_new(NULL), g_string_new(NULL) };
        (figs[i].lines ? fig_ci_lines : fig_ci)(ps, &figs[i], t[i].dat, t[i].gp);
    }
    enum plots_status st = emit(dir, t, nfigs, msg, msglen);
    fig_texts_free(t, nfigs);
    g_free(t);
    return st;
}

bool plots_write_run(struct run_world *rw, const struct run_sampler *rs, const struct outdir *o,
                     bool quiet, char *msg, size_t msglen)
{
    struct plot_set ps;
    plot_set_init(&ps, rw->s);
    struct net *dnet = host_net(rw->director);
    const char *label = rw->s->name;
    char *sched = NULL;
    if (dnet->ipvs) {
        /* the curves are named after the first service's scheduler */
        const struct ip_vs_service *svc;
        list_for_each_entry(svc, &dnet->ipvs->services, s_list) {
            sched = g_strdup(svc->scheduler ? svc->scheduler->name : "none");
            break;
        }
    }
    plot_set_add_run(&ps, rw, sched ? sched : label, true);
    plot_set_add_samples(&ps, rs);
    g_free(sched);
    char buf[600];
    enum plots_status st = plots_write(&ps, o->tmp, buf, sizeof buf);
    plot_set_free(&ps);
    if (st == PLOTS_WRITE_FAILED) {
        snprintf(msg, msglen, "%s", buf);
        return false;
    }
    if (st == PLOTS_GNUPLOT_FAILED)
        fprintf(stderr, "ipvsim: %s\n", buf);
    else if (st == PLOTS_SKIPPED && !quiet)
        fprintf(stderr, "ipvsim: %s\n", buf);
    return true;
}
