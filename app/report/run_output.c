/* The files of a run. */
#include "app/report/run_output.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "app/report/plots.h"
#include "app/report/stats.h"
#include "app/run/run_ha.h"
#include "model/ipvs/ip_vs_conn.h"
#include "model/ipvs/ip_vs_ctl.h"
#include "model/ipvs/ip_vs_est.h"
#include "model/user/ipvsadm/ipvsadm_print.h"
#include "model/net.h"
#include "model/profile.h"
#include "sim/pcap_tap.h"
#include "sim/in6_key.h"
#include "app/scenario/units.h"

/* ---- sampling --------------------------------------------------------------------- */

static void add_dest(const struct ip_vs_dest *d, int *act, int *inact, uint64_t *conns)
{
    *act += d->activeconns;
    *inact += d->inactconns;
    *conns += d->stats.c.conns;
}

/* Is a dest at addr this server (its ip, or a dual-stack server's ip6)? */
static bool is_server_addr(const struct scn_server *sv, be32 addr)
{
    return addr == sv->ip || (sv->ip6 && addr == sv->ip6);
}

/* Active and inactive connections of every dest that is this server (either of its
 * addresses), over all services, and the connections scheduled to it so far. A
 * deleted dest waits in the trash with its counters (and comes back with them when
 * re-added), so it is counted there too: the series stays continuous across a removal. */
static void dest_counters(struct run_world *rw, const struct scn_server *sv, int *act, int *inact,
                          uint64_t *conns)
{
    *act = *inact = 0;
    *conns = 0;
    struct net *net = host_net(rw->director);
    if (!net->ipvs)
        return;
    struct ip_vs_service *svc;
    list_for_each_entry(svc, &net->ipvs->services, s_list) {
        struct ip_vs_dest *d;
        list_for_each_entry(d, &svc->destinations, n_list)
            if (is_server_addr(sv, d->addr))
                add_dest(d, act, inact, conns);
    }
    struct ip_vs_dest *t;
    list_for_each_entry(t, &net->ipvs->dest_trash, t_list)
        if (is_server_addr(sv, t->addr))
            add_dest(t, act, inact, conns);
}

static void sample(struct sim *sim, void *obj, uint64_t arg)
{
    struct run_sampler *rs = obj;
    struct run_world *rw = rs->rw;
    for (guint i = 0; i < rw->servers->len; i++) {
        const struct scn_server *sv = &g_array_index(rw->s->servers, struct scn_server, i);
        struct host *h = g_ptr_array_index(rw->servers, i);
        const struct server_stats *st = server_app_stats(g_ptr_array_index(rw->server_apps, i));
        struct ts_sample x = { .t = sim->now, .server = i, .queued = st->queued, .busy = st->busy };
        uint64_t conns;
        dest_counters(rw, sv, &x.active, &x.inactive, &conns);
        uint64_t tx = host_dev(h, "eth0")->stats.tx_bytes;
        /* A dest removed and added again starts counting from zero. */
        x.new_conns = conns >= rs->last_conns[i] ? conns - rs->last_conns[i] : conns;
        x.tx_bytes = tx - rs->last_tx[i];
        rs->last_conns[i] = conns;
        rs->last_tx[i] = tx;
        g_array_append_val(rs->samples, x);
    }
    if (sim->now + rs->interval <= rw->s->duration)
        sim_after(sim, rs->interval, sample, rs, 0);
}

void run_sampler_start(struct run_sampler *rs, struct run_world *rw, sim_time_t interval)
{
    rs->rw = rw;
    rs->interval = interval;
    rs->samples = g_array_new(FALSE, FALSE, sizeof(struct ts_sample));
    rs->last_conns = g_new0(uint64_t, rw->servers->len + 1);
    rs->last_tx = g_new0(uint64_t, rw->servers->len + 1);
    sim_at(&rw->w.sim, interval, sample, rs, 0);
}

void run_sampler_free(struct run_sampler *rs)
{
    if (rs->samples)
        g_array_free(rs->samples, TRUE);
    g_free(rs->last_conns);
    g_free(rs->last_tx);
    memset(rs, 0, sizeof *rs);
}

/* ---- small helpers ------------------------------------------------------------------ */

static const char *ip_str(be32 a, char *buf)
{
    inet_key_ntop(a, buf);
    return buf;
}

static bool write_file(const struct outdir *o, const char *name, const GString *text, char *err,
                       size_t errlen)
{
    return outdir_write(o, name, text->str, text->len, err, errlen);
}

static const char *fwd_name(int method)
{
    switch (method) {
    case IP_VS_CONN_F_MASQ: return "NAT";
    case IP_VS_CONN_F_DROUTE: return "DR";
    case IP_VS_CONN_F_TUNNEL: return "TUN";
    case IP_VS_CONN_F_LOCALNODE: return "LOCAL";
    default: return "";
    }
}

/* The forwarding method of the director's dest that is this server (first service
 * that has it, by its ip, else by a dual-stack server's ip6), -1 when none. */
static int dest_method_at(struct run_world *rw, be32 addr);

static int dest_method(struct run_world *rw, const struct scn_server *sv)
{
    int m = dest_method_at(rw, sv->ip);
    return m < 0 && sv->ip6 ? dest_method_at(rw, sv->ip6) : m;
}

static int dest_method_at(struct run_world *rw, be32 addr)
{
    struct net *net = host_net(rw->director);
    if (!net->ipvs)
        return -1;
    struct ip_vs_service *svc;
    list_for_each_entry(svc, &net->ipvs->services, s_list) {
        struct ip_vs_dest *d;
        list_for_each_entry(d, &svc->destinations, n_list)
            if (d->addr == addr)
                return (int)(d->conn_flags & IP_VS_CONN_F_FWD_MASK);
    }
    return -1;
}

/* ---- connections.csv ---------------------------------------------------------------- */

static void write_connections(struct run_world *rw, GString *out)
{
    g_string_append(out, "id,start_ns,end_ns,client,vip,proto,server,fwd,outcome,bytes_in,bytes_out,response_ns\n");
    for (guint i = 0; i < rw->log.convs->len; i++) {
        const struct conv *c = &g_array_index(rw->log.convs, struct conv, i);
        char a[UNITS_HOST_STRLEN], b[UNITS_HOST_STRLEN];
        const char *server = "", *fwd = "";
        if (c->server >= 0) {
            const struct scn_server *sv = &g_array_index(rw->s->servers, struct scn_server, c->server);
            server = sv->name;
            fwd = fwd_name(c->fwd >= 0 ? c->fwd : dest_method(rw, sv));
        }
        g_string_append_printf(out, "%llu,%lld,%lld,%s:%u,%s:%u,%s,%s,%s,%s,%llu,%llu,%lld\n",
                               (unsigned long long)conv_id(&rw->log, c), (long long)c->start, (long long)c->end,
                               units_format_host(c->caddr, a), ntohs(c->cport),
                               units_format_host(c->vaddr, b),
                               ntohs(c->vport), c->proto == IPPROTO_UDP ? "udp" : "tcp", server,
                               fwd, conv_outcome_name(c->outcome),
                               (unsigned long long)c->bytes_in, (unsigned long long)c->bytes_out,
                               (long long)c->response_ns);
    }
}

/* ---- timeseries.csv ------------------------------------------------------------------ */

static void write_timeseries(struct run_world *rw, const struct run_sampler *rs, GString *out)
{
    g_string_append(out, "time_s,server,active,inactive,new_conns,queued,busy,throughput_bps\n");
    double secs = (double)rs->interval / SEC;
    for (guint i = 0; i < rs->samples->len; i++) {
        const struct ts_sample *x = &g_array_index(rs->samples, struct ts_sample, i);
        const struct scn_server *sv = &g_array_index(rw->s->servers, struct scn_server, x->server);
        g_string_append_printf(out, "%.3f,%s,%d,%d,%llu,%u,%u,%.0f\n", (double)x->t / SEC, sv->name,
                               x->active, x->inactive, (unsigned long long)x->new_conns, x->queued,
                               x->busy, (double)x->tx_bytes * 8 / secs);
    }
}

/* ---- ipvsadm.txt ------------------------------------------------------------------------ */

static void write_ipvsadm(struct run_world *rw, GString *out)
{
    const struct netns_ipvs *ipvs = host_net(rw->director)->ipvs;
    static const struct { const char *title; unsigned fmt; } lists[] = {
        { "ipvsadm -Ln", 0 },
        { "ipvsadm -Ln --stats", IPVSADM_FMT_STATS },
        { "ipvsadm -Ln --rate", IPVSADM_FMT_RATE },
        { "ipvsadm -Ln --thresholds", IPVSADM_FMT_THRESHOLDS },
        { "ipvsadm -Ln --persistent-conn", IPVSADM_FMT_PERSISTENTCONN },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(lists); i++) {
        g_string_append_printf(out, "# %s\n", lists[i].title);
        ipvsadm_list(out, ipvs, lists[i].fmt);
        g_string_append_c(out, '\n');
    }
    g_string_append(out, "# ipvsadm -Ln --timeout\n");
    ipvsadm_list_timeout(out, ipvs);
    g_string_append(out, "\n# ipvsadm -Sn\n");
    ipvsadm_save(out, ipvs, 0);
    g_string_append(out, "\n# cat /proc/net/ip_vs\n");
    ip_vs_proc_info(out, ipvs);
    g_string_append(out, "\n# ipvsadm -Lnc\n");
    ipvsadm_list_conns(out, ipvs, 0);
}

/* ---- summary.json ---------------------------------------------------------------------- */

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}


static cJSON *response_json(struct run_world *rw)
{
    GArray *v = g_array_new(FALSE, FALSE, sizeof(int64_t));
    for (guint i = 0; i < rw->log.convs->len; i++) {
        const struct conv *c = &g_array_index(rw->log.convs, struct conv, i);
        if (c->outcome == CONV_OK)
            g_array_append_val(v, c->response_ns);
    }
    if (v->len)                     /* qsort(NULL, 0) is undefined */
        qsort(v->data, v->len, sizeof(int64_t), cmp_i64);
    const int64_t *x = (const int64_t *)v->data;
    double sum = 0;
    for (guint i = 0; i < v->len; i++)
        sum += (double)x[i];
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "count", v->len);
    cJSON_AddNumberToObject(o, "mean_ms", v->len ? sum / v->len / 1e6 : 0);
    cJSON_AddNumberToObject(o, "p50_ms", stats_nearest_rank(x, v->len, 0.50) / 1e6);
    cJSON_AddNumberToObject(o, "p95_ms", stats_nearest_rank(x, v->len, 0.95) / 1e6);
    cJSON_AddNumberToObject(o, "p99_ms", stats_nearest_rank(x, v->len, 0.99) / 1e6);
    cJSON_AddNumberToObject(o, "max_ms", v->len ? (double)x[v->len - 1] / 1e6 : 0);
    g_array_free(v, TRUE);
    return o;
}

char *run_outcome_text(const struct conv_log *log)
{
    guint total = log->convs->len;
    if (total == 0)
        return g_strdup("no conversation");
    uint64_t n[CONV_ADDRNOTAVAIL + 1] = {0};
    GArray *v = g_array_new(FALSE, FALSE, sizeof(int64_t));
    for (guint i = 0; i < total; i++) {
        const struct conv *c = &g_array_index(log->convs, struct conv, i);
        n[c->outcome]++;
        if (c->outcome == CONV_OK)
            g_array_append_val(v, c->response_ns);
    }
    if (v->len)
        qsort(v->data, v->len, sizeof(int64_t), cmp_i64);
    GString *g = g_string_new(NULL);
    g_string_append_printf(g, "%.1f%% OK", floor(1000.0 * (double)n[CONV_OK] / total) / 10);
    if (v->len)
        g_string_append_printf(g, " (p99 %.1f ms)", stats_nearest_rank((const int64_t *)v->data, v->len, 0.99) / 1e6);
    static const enum conv_outcome others[] = { CONV_REFUSED, CONV_RESET, CONV_TIMEOUT,
                                                CONV_UNREACHABLE, CONV_ADDRNOTAVAIL,
                                                CONV_UNFINISHED, CONV_RUNNING };
    const char *sep = "; ";
    for (size_t k = 0; k < G_N_ELEMENTS(others); k++) {
        if (!n[others[k]])
            continue;
        g_string_append_printf(g, "%s%llu %s", sep, (unsigned long long)n[others[k]],
                               conv_outcome_name(others[k]));
        sep = ", ";
    }
    g_array_free(v, TRUE);
    return g_string_free(g, FALSE);
}

static cJSON *outcomes_json(struct run_world *rw)
{
    uint64_t n[CONV_ADDRNOTAVAIL + 1] = {0};
    for (guint i = 0; i < rw->log.convs->len; i++)
        n[g_array_index(rw->log.convs, struct conv, i).outcome]++;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "total", rw->log.convs->len);
    for (int k = CONV_OK; k <= CONV_ADDRNOTAVAIL; k++)
        cJSON_AddNumberToObject(o, conv_outcome_name((enum conv_outcome)k), (double)n[k]);
    return o;
}

/* A server given "listen": each listener's counts, named "tcp:443" (expect entries
 * reach them as servers.rs1.listeners.tcp:443.served). */
static cJSON *listeners_json(const struct server_app *sa, const struct scn_server *sv)
{
    cJSON *arr = cJSON_CreateArray();
    for (guint k = 0; k < sv->listeners->len; k++) {
        const struct scn_listener *l = &g_array_index(sv->listeners, struct scn_listener, k);
        const struct server_stats *st = server_app_listener_stats(sa, k);
        char name[16];
        snprintf(name, sizeof name, "%s:%u", l->protocol == IPPROTO_TCP ? "tcp" : "udp", l->port);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", name);
        cJSON_AddNumberToObject(o, "accepted", (double)st->accepted);
        cJSON_AddNumberToObject(o, "requests_served", (double)st->served);
        cJSON_AddNumberToObject(o, "refused", (double)st->refused);
        cJSON_AddNumberToObject(o, "queue_drops", (double)st->queue_drops);
        cJSON_AddItemToArray(arr, o);
    }
    return arr;
}

/* Per client group: the payload its conversations received, the goodput from its
 * first conversation to the end of the run (or to now, for a run cut short), and
 * Jain's fairness index over its conversations' own goodputs (bytes over each one's
 * lifetime): (sum x)^2 / (n sum x^2), 1 when they are equal, 1/n when one takes all. */
static cJSON *clients_json(struct run_world *rw)
{
    cJSON *arr = cJSON_CreateArray();
    sim_time_t now = rw->w.sim.now;
    for (guint g = 0; g < rw->s->clients->len; g++) {
        const struct scn_client *sc = &g_array_index(rw->s->clients, struct scn_client, g);
        uint64_t n = 0, bytes = 0;
        sim_time_t first = now;
        double sum = 0, sum2 = 0;
        for (guint i = 0; i < rw->log.convs->len; i++) {
            const struct conv *cv = &g_array_index(rw->log.convs, struct conv, i);
            if (cv->group != g)
                continue;
            sim_time_t end = cv->end ? cv->end : now;
            double x = end > cv->start ? (double)cv->bytes_in * 8 / ((double)(end - cv->start) / SEC)
                                       : 0;
            n++;
            bytes += cv->bytes_in;
            sum += x;
            sum2 += x * x;
            if (cv->start < first)
                first = cv->start;
        }
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", sc->name);
        cJSON_AddNumberToObject(o, "conversations", (double)n);
        cJSON_AddNumberToObject(o, "bytes_in", (double)bytes);
        double span = (double)(now - first) / SEC;
        cJSON_AddNumberToObject(o, "goodput_mbps", span > 0 ? (double)bytes * 8 / span / 1e6 : 0);
        cJSON_AddNumberToObject(o, "fairness", sum2 > 0 ? sum * sum / ((double)n * sum2) : 1);
        cJSON_AddItemToArray(arr, o);
    }
    return arr;
}

static cJSON *servers_json(struct run_world *rw)
{
    cJSON *arr = cJSON_CreateArray();
    double *weights = plot_config_weights(rw->s);
    for (guint i = 0; i < rw->servers->len; i++) {
        const struct scn_server *sv = &g_array_index(rw->s->servers, struct scn_server, i);
        const struct server_stats *st = server_app_stats(g_ptr_array_index(rw->server_apps, i));
        char a[INET_KEY_STRLEN];
        int act, inact;
        uint64_t conns;
        dest_counters(rw, sv, &act, &inact, &conns);
        uint64_t scheduled = 0, completed = 0;
        for (guint c = 0; c < rw->log.convs->len; c++) {
            const struct conv *cv = &g_array_index(rw->log.convs, struct conv, c);
            scheduled += cv->server == (int)i;
            completed += cv->server == (int)i && cv->outcome == CONV_OK;
        }
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", sv->name);
        cJSON_AddStringToObject(o, "ip", ip_str(sv->ip, a));
        if (sv->ip6)                /* a dual-stack server's IPv6 address */
            cJSON_AddStringToObject(o, "ip6", ip_str(sv->ip6, a));
        cJSON_AddStringToObject(o, "fwd", fwd_name(dest_method(rw, sv)));
        /* as configured (the scenario's -a lines): the share the page compares with */
        cJSON_AddNumberToObject(o, "weight", weights ? weights[i] : 0);
        cJSON_AddNumberToObject(o, "scheduled", (double)scheduled);
        cJSON_AddNumberToObject(o, "completed", (double)completed);
        cJSON_AddNumberToObject(o, "ipvs_conns", (double)conns);
        cJSON_AddNumberToObject(o, "active_end", act);
        cJSON_AddNumberToObject(o, "inactive_end", inact);
        cJSON_AddNumberToObject(o, "requests_served", (double)st->served);
        cJSON_AddNumberToObject(o, "refused", (double)st->refused);
        if (sv->listeners->len > 0)
            cJSON_AddItemToObject(o, "listeners", listeners_json(g_ptr_array_index(rw->server_apps, i), sv));
        cJSON_AddItemToArray(arr, o);
    }
    g_free(weights);
    return arr;
}

/* What `ipvsadm -Ln --stats` shows at the end: since per-CPU counters (2.6.38),
 * the estimator's last pass and not the counts above (ip_vs_copy_stats). */
static cJSON *listed_json(const struct netns_ipvs *ipvs, const struct ip_vs_stats *s)
{
    struct ip_vs_kstats k;
    ip_vs_copy_stats(ipvs, &k, s);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "conns", (double)k.conns);
    cJSON_AddNumberToObject(o, "inpkts", (double)k.inpkts);
    cJSON_AddNumberToObject(o, "outpkts", (double)k.outpkts);
    cJSON_AddNumberToObject(o, "inbytes", (double)k.inbytes);
    cJSON_AddNumberToObject(o, "outbytes", (double)k.outbytes);
    return o;
}

static cJSON *services_json(struct run_world *rw)
{
    cJSON *arr = cJSON_CreateArray();
    const struct netns_ipvs *ipvs = host_net(rw->director)->ipvs;
    if (!ipvs)
        return arr;
    const struct ip_vs_service *svc;
    list_for_each_entry(svc, &ipvs->services, s_list) {
        char a[UNITS_HOST_STRLEN];
        char *key = svc->fwmark ? g_strdup_printf("FWM %u", svc->fwmark)
                                : g_strdup_printf("%s %s:%u", svc->protocol == IPPROTO_UDP ? "UDP" : "TCP",
                                                  units_format_host(svc->addr, a), ntohs(svc->port));
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "service", key);
        cJSON_AddStringToObject(o, "scheduler", svc->scheduler ? svc->scheduler->name : "none");
        cJSON_AddNumberToObject(o, "conns", (double)svc->stats.c.conns);
        cJSON_AddNumberToObject(o, "inpkts", (double)svc->stats.c.inpkts);
        cJSON_AddNumberToObject(o, "outpkts", (double)svc->stats.c.outpkts);
        cJSON_AddNumberToObject(o, "inbytes", (double)svc->stats.c.inbytes);
        cJSON_AddNumberToObject(o, "outbytes", (double)svc->stats.c.outbytes);
        cJSON_AddItemToObject(o, "listed", listed_json(ipvs, &svc->stats));
        cJSON_AddItemToArray(arr, o);
        g_free(key);
    }
    return arr;
}

static void add_drop(cJSON *o, const char *key, uint64_t n)
{
    if (n)
        cJSON_AddNumberToObject(o, key, (double)n);
}

/* Packets lost anywhere, by where and why. */
static cJSON *drops_json(struct run_world *rw)
{
    cJSON *o = cJSON_CreateObject();
    for (guint i = 0; i < rw->w.links->len; i++) {
        struct link *l = g_ptr_array_index(rw->w.links, i);
        char key[96];
        g_snprintf(key, sizeof key, "link %s: queue full", l->name);
        add_drop(o, key, l->stats.queue_drops);
        g_snprintf(key, sizeof key, "link %s: lost", l->name);
        add_drop(o, key, l->stats.lost);
    }
    for (guint i = 0; i < rw->w.hosts->len; i++) {
        struct host *h = g_ptr_array_index(rw->w.hosts, i);
        const struct net *net = host_net(h);
        char key[96];
        static const char *const what[] = { "InHdrErrors", "InAddrErrors", "InDiscards",
                                            "OutDiscards", "InTruncatedPkts", "InCsumErrors" };
        const uint64_t vals[] = { net->mib.in_hdr_errors, net->mib.in_addr_errors,
                                  net->mib.in_discards, net->mib.out_discards,
                                  net->mib.in_truncated_pkts, net->mib.in_csum_errors };
        for (size_t k = 0; k < G_N_ELEMENTS(vals); k++) {
            g_snprintf(key, sizeof key, "%s: %s", h->name, what[k]);
            add_drop(o, key, vals[k]);
        }
        /* NF_DROP verdicts: "HOST: HOOK FUNCTION: REASON" */
        guint n;
        const struct nf_drop_stat **d = nf_drop_stats_sorted(net, &n);
        for (guint k = 0; k < n; k++) {
            char *dk = g_strdup_printf("%s: %s %s: %s", h->name, nf_hook_name(d[k]->hook),
                                       d[k]->func, d[k]->reason);
            add_drop(o, dk, d[k]->count);
            g_free(dk);
        }
        g_free(d);
        /* A tunnel device's CRC errors (`ip -s link` prints them as RX errors: crc):
         * ip_tunnel_rcv's checksum-flag mismatches, which no hook sees. */
        for (unsigned k = 0; k < h->ndevs; k++) {
            g_snprintf(key, sizeof key, "%s: %s rx_crc_errors", h->name, h->devs[k]->name);
            add_drop(o, key, h->devs[k]->stats.rx_crc_errors);
        }
    }
    return o;
}

/* New connections a director's full connection table refused (0 for no director). */
static uint64_t refused_by(struct host *director)
{
    const struct netns_ipvs *ipvs = director ? host_net(director)->ipvs : NULL;
    return ipvs ? ip_vs_conn_refused(ipvs) : 0;
}

/* The limits in force, and what they did (README, "Robustness"); connections_refused
 * counts both directors' (director.backup). */
static cJSON *limits_json(struct run_world *rw)
{
    const struct scenario *s = rw->s;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "connections", (double)s->limits.connections);
    cJSON_AddNumberToObject(o, "events", (double)s->limits.events);
    cJSON_AddNumberToObject(o, "packets", (double)s->limits.packets);
    cJSON_AddNumberToObject(o, "capture_bytes", (double)s->limits.capture_bytes);
    cJSON_AddNumberToObject(o, "conversations", (double)s->limits.conversations);
    cJSON_AddNumberToObject(o, "event_rate", (double)s->limits.event_rate);
    cJSON_AddNumberToObject(o, "output_bytes", (double)s->limits.output_bytes);
    cJSON_AddNumberToObject(o, "connections_refused", (double)refused_by(rw->director) +
                                                      (double)refused_by(rw->backup));
    cJSON *cut = cJSON_AddArrayToObject(o, "captures_cut");
    for (guint i = 0; i < rw->taps->len; i++) {
        const struct net_device *dev = g_ptr_array_index(rw->taps, i);
        if (!dev->tap || !pcap_tap_skipped(dev->tap))
            continue;
        char *file = g_strdup_printf("pcap/%s-%s.pcap", dev->host->name, dev->name);
        cJSON *c = cJSON_CreateObject();
        cJSON_AddStringToObject(c, "file", file);
        cJSON_AddNumberToObject(c, "bytes", (double)pcap_tap_bytes(dev->tap));
        cJSON_AddNumberToObject(c, "frames_left_out", (double)pcap_tap_skipped(dev->tap));
        cJSON_AddItemToArray(cut, c);
        g_free(file);
    }
    return o;
}

static cJSON *summary_json(struct run_world *rw, double wall_s, bool complete)
{
    const struct scenario *s = rw->s;
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "scenario", s->name);
    cJSON_AddStringToObject(root, "file", s->path);
    cJSON_AddNumberToObject(root, "seed", (double)s->seed);
    cJSON_AddStringToObject(root, "kernel", s->kernel);
    /* the version the kernel's name stands for: "5.10" is 5.10.0, "6.x" 6.2.0 */
    char version[24];
    kernel_version_string(host_net(rw->director)->prof->version, version, sizeof version);
    cJSON_AddStringToObject(root, "kernel_version", version);
    cJSON_AddNumberToObject(root, "duration_s", (double)s->duration / SEC);
    cJSON_AddBoolToObject(root, "complete", complete && !rw->stopped_by);
    if (rw->stopped_by)
        cJSON_AddStringToObject(root, "stopped_by", rw->stopped_by);
    cJSON_AddNumberToObject(root, "end_s", (double)rw->w.sim.now / SEC);
    cJSON_AddNumberToObject(root, "events_processed", (double)rw->w.sim.events_run);
    cJSON_AddNumberToObject(root, "scenario_events_applied", (double)rw->events_applied);
    if (wall_s >= 0)
        cJSON_AddNumberToObject(root, "wall_time_s", wall_s);
    cJSON_AddItemToObject(root, "connections", outcomes_json(rw));
    cJSON_AddItemToObject(root, "response_time", response_json(rw));
    cJSON_AddItemToObject(root, "clients", clients_json(rw));
    cJSON_AddItemToObject(root, "servers", servers_json(rw));
    cJSON_AddItemToObject(root, "services", services_json(rw));
    cJSON_AddItemToObject(root, "drops", drops_json(rw));
    cJSON_AddItemToObject(root, "limits", limits_json(rw));
    if (rw->ha)                     /* director.backup, director events (app/run/run_ha.c) */
        cJSON_AddItemToObject(root, "failover", run_ha_json(rw));
    return root;
}

cJSON *run_summary_json(struct run_world *rw, double wall_s, bool complete)
{
    return summary_json(rw, wall_s, complete);
}

bool run_write_outputs(struct run_world *rw, const struct run_sampler *rs, const struct outdir *o,
                       double wall_s, bool complete, char *err, size_t errlen)
{
    GString *buf = g_string_new(NULL);
    bool ok = true;
    cJSON *sum = summary_json(rw, wall_s, complete);
    /* The seed as the integer it is: a JSON number printed from a double rounds seeds
     * past 2^53, and the run could not be reproduced from its summary. (For seeds
     * below 2^53 the text is the one cJSON prints.) */
    char seed[24];
    g_snprintf(seed, sizeof seed, "%" G_GUINT64_FORMAT, (guint64)rw->s->seed);
    cJSON_ReplaceItemInObjectCaseSensitive(sum, "seed", cJSON_CreateRaw(seed));
    char *text = cJSON_Print(sum);
    g_string_assign(buf, text);
    g_string_append_c(buf, '\n');
    cJSON_free(text);
    cJSON_Delete(sum);
    ok = ok && write_file(o, "summary.json", buf, err, errlen);
    g_string_truncate(buf, 0);
    write_connections(rw, buf);
    ok = ok && write_file(o, "connections.csv", buf, err, errlen);
    g_string_truncate(buf, 0);
    write_timeseries(rw, rs, buf);
    ok = ok && write_file(o, "timeseries.csv", buf, err, errlen);
    g_string_truncate(buf, 0);
    write_ipvsadm(rw, buf);
    ok = ok && write_file(o, "ipvsadm.txt", buf, err, errlen);
    g_string_assign(buf, rw->event_log->str);
    ok = ok && write_file(o, "events.txt", buf, err, errlen);
    g_string_truncate(buf, 0);
    if (run_ha_directors_csv(rw, buf))
        ok = ok && write_file(o, "directors.csv", buf, err, errlen);
    g_string_free(buf, TRUE);
    return ok;
}
