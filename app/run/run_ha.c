/* Director high availability in a run: the backup director, VRRP, the sync daemons,
 * the director events and the failover metrics (see run_ha.h). */
#include "app/run/run_ha.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "model/apps/vrrp.h"
#include "model/apps/workload.h"
#include "model/ipvs/ip_vs_conn.h"
#include "model/ipvs/ip_vs_ctl.h"
#include "model/ipvs/ip_vs_sync.h"
#include "model/net.h"
#include "sim/sim.h"
#include "sim/in6_key.h"

#define LAN_LEN 24

struct ha_director {
    struct host *host;
    struct vrrp *vrrp;
    bool crashed;                       /* the host is down */
    bool stopped;                       /* keepalived stopped (graceful) */
};

struct ha_failover {
    sim_time_t at;
    int director;
    bool graceful;
    sim_time_t served_at;               /* the VIP answered again; -1 not yet */
};

struct ha_interval {
    sim_time_t from, to;
};

struct ha_sample {
    sim_time_t t;
    int director;
    int state;                          /* enum vrrp_state, -1 without VRRP */
    bool down;                          /* the host */
    bool vip;
    uint64_t conns;
    int active, inactive;
    uint64_t msgs_sent, msgs_rcvd, bytes_sent;
};

struct run_ha {
    struct run_world *rw;
    struct ha_director d[2];
    int n;
    struct healthcheck *hc_backup;
    bool served;
    sim_time_t dark_since;
    GArray *dark;                       /* struct ha_interval */
    GArray *failovers;                  /* struct ha_failover */
    GArray *samples;                    /* struct ha_sample */
};

/* ---- helpers --------------------------------------------------------------------------- */

static char *ip_str(be32 a, char *buf)
{
    inet_key_ntop(a, buf);
    return buf;
}

static sim_time_t now_of(const struct run_ha *ha)
{
    return ha->rw->w.sim.now;
}

static void log_line(struct run_ha *ha, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void log_line(struct run_ha *ha, const char *fmt, ...)
{
    sim_time_t t = now_of(ha);
    char at[SIM_TIME_AT_LEN];
    sim_time_at(at, t);
    g_string_append(ha->rw->event_log, at);
    va_list ap;
    va_start(ap, fmt);
    g_string_append_vprintf(ha->rw->event_log, fmt, ap);
    va_end(ap);
    g_string_append_c(ha->rw->event_log, '\n');
}

/* The director named name (its index), or -1 with the message for the event. */
static int director_index(const struct run_ha *ha, const char *name, char *msg, size_t n)
{
    for (int i = 0; ha && i < ha->n; i++)
        if (strcmp(ha->d[i].host->name, name) == 0)
            return i;
    snprintf(msg, n, "no director '%s'", name);
    return -1;
}

/* Is the VIP answered: a director that is up holds it on eth0? */
static bool vip_served(const struct run_ha *ha)
{
    be32 vip = ha->rw->s->director.vip;
    for (int i = 0; i < ha->n; i++) {
        struct host *h = ha->d[i].host;
        if (!host_net(h)->down && netdev_has_addr(host_dev(h, "eth0"), vip))
            return true;
    }
    return false;
}

static void update_served(struct run_ha *ha)
{
    bool now_served = vip_served(ha);
    sim_time_t now = now_of(ha);
    if (ha->served && !now_served) {
        ha->dark_since = now;
    } else if (!ha->served && now_served) {
        struct ha_interval iv = { ha->dark_since, now };
        g_array_append_val(ha->dark, iv);
        for (guint i = 0; i < ha->failovers->len; i++) {
            struct ha_failover *f = &g_array_index(ha->failovers, struct ha_failover, i);
            if (f->served_at < 0)
                f->served_at = now;
        }
    }
    ha->served = now_served;
}

static struct healthcheck *start_checker(const struct run_world *rw, struct host *h)
{
    const struct scenario *s = rw->s;
    if (!s->healthcheck.enabled)
        return NULL;
    struct healthcheck_cfg hc = run_world_healthcheck_cfg(rw);
    return healthcheck_start(host_net(h), &hc);
}

/* A checker goes with keepalived (what it detected is in events.txt already). */
static void stop_checker(struct run_ha *ha, int i)
{
    struct run_world *rw = ha->rw;
    struct healthcheck **hc = i == 0 ? &rw->hc : &ha->hc_backup;
    if (!*hc)
        return;
    healthcheck_free(*hc);
    *hc = NULL;
}

/* ---- building -------------------------------------------------------------------------- */

static be32 sync_addr(int i)
{
    return htonl(HA_SYNC_NET | (uint32_t)(i + 1));
}

static bool overlaps(be32 a, uint8_t alen, be32 b, uint8_t blen)
{
    uint8_t len = alen < blen ? alen : blen;
    return ((a ^ b) & inet_mask(len)) == 0;
}

bool run_ha_build(struct run_world *rw, const struct kernel_profile *prof, struct link *lan,
                  struct scn_error *err)
{
    const struct scenario *s = rw->s;
    const struct scn_backup *b = &s->backup;
    if (!s->director.vip) {
        scn_error_at(err, s, b->pos, "director.backup: the directors share the VIP, so "
                     "director.vip must be set");
        return false;
    }
    be32 sync_net = htonl(HA_SYNC_NET);
    bool clash = overlaps(sync_net, HA_SYNC_LEN, rw->lan_net, LAN_LEN);
    for (guint i = 0; !clash && i < s->clients->len; i++) {
        const struct scn_client *c = &g_array_index(s->clients, struct scn_client, i);
        clash = !c->host && overlaps(sync_net, HA_SYNC_LEN, c->net, c->prefix);
    }
    if (clash) {
        scn_error_at(err, s, b->pos, "director.backup: the sync link uses 169.254.81.0/24, which "
                     "overlaps the servers' LAN or a client group");
        return false;
    }
    struct host *h = host_new(&rw->w, b->name);
    if (!h) {
        const cJSON *d = cJSON_GetObjectItemCaseSensitive(s->root, "director");
        scn_error_at(err, s, scn_pos_of_key(s, cJSON_GetObjectItemCaseSensitive(d, "backup"), "name"),
                     "director.backup.name: the name '%s' is already taken (host names are "
                     "unique; the router is 'gw')", b->name);
        return false;
    }
    rw->backup = h;
    struct net_device *eth0 = host_add_dev(h, "eth0", 1500);
    netdev_add_addr(eth0, rw->backup_dip, LAN_LEN);
    struct net_device *eth1 = host_add_dev(h, "eth1", 1500);
    netdev_add_addr(eth1, sync_addr(1), HA_SYNC_LEN);
    struct net *bnet = net_new(h, prof);
    bnet->ipv4.ip_forward = s->director.ip_forward;
    bnet->ipv4.send_redirects = 0;          /* as the director (run_world.c) */
    fib_add(bnet, 0, 0, rw->gw_lan, NULL);
    link_attach(lan, eth0);
    /* The director: its end of the sync link, and the floating gateway of the NAT
     * real servers (it starts as the MASTER). */
    struct net *dnet = host_net(rw->director);
    struct net_device *deth1 = host_add_dev(rw->director, "eth1", 1500);
    netdev_add_addr(deth1, sync_addr(0), HA_SYNC_LEN);
    fib_add(dnet, sync_net, HA_SYNC_LEN, 0, deth1);
    netdev_add_addr(host_dev(rw->director, "eth0"), rw->nat_gw, 32);
    struct link_params p = { .latency = b->link.latency, .bandwidth_bps = b->link.bandwidth,
                             .loss = b->link.loss, .queue_limit = b->link.queue };
    struct link *l = link_new(&rw->w, "sync", &p);
    link_attach(l, deth1);
    link_attach(l, eth1);
    return true;
}

void run_ha_configure(struct run_world *rw)
{
    const struct scn_backup *b = &rw->s->backup;
    struct host *hs[2] = { rw->director, rw->backup };
    for (int i = 0; i < 2 && b->enabled; i++) {
        struct netns_ipvs *ipvs = ip_vs_net(host_net(hs[i]));
        ipvs->sysctl.sync_threshold[0] = b->sync_threshold[0];
        ipvs->sysctl.sync_threshold[1] = b->sync_threshold[1];
    }
}

static void vrrp_changed(void *ctx, struct vrrp *v, enum vrrp_state from, enum vrrp_state to,
                         const char *why)
{
    struct run_ha *ha = ctx;
    struct net *net = vrrp_net(v);
    char a[INET_KEY_STRLEN], g[INET_KEY_STRLEN];
    const char *sync = "";
    if (ha->rw->s->backup.sync)
        sync = to == VRRP_STATE_MASTER ? "; ipvs sync daemon: master"
             : to == VRRP_STATE_BACKUP ? "; ipvs sync daemon: backup" : "; ipvs sync daemon: stopped";
    if (to == VRRP_STATE_MASTER)
        log_line(ha, "vrrp %s: %s -> MASTER (%s): takes %s, %s, gratuitous ARPs%s", net->host->name,
                 vrrp_state_name(from), why, ip_str(ha->rw->s->director.vip, a),
                 ip_str(ha->rw->nat_gw, g), sync);
    else
        log_line(ha, "vrrp %s: %s -> %s (%s)%s", net->host->name, vrrp_state_name(from),
                 vrrp_state_name(to), why, sync);
    update_served(ha);
}

static void sample(struct sim *sim, void *obj, uint64_t arg)
{
    struct run_ha *ha = obj;
    for (int i = 0; i < ha->n; i++) {
        struct host *h = ha->d[i].host;
        struct net *net = host_net(h);
        struct ha_sample x = { .t = sim->now, .director = i,
                               .state = ha->d[i].vrrp ? (int)vrrp_state_of(ha->d[i].vrrp) : -1,
                               .down = net->down,
                               .vip = !net->down &&
                                      netdev_has_addr(host_dev(h, "eth0"), ha->rw->s->director.vip) };
        const struct netns_ipvs *ipvs = net->ipvs;
        if (ipvs) {
            x.conns = ip_vs_conn_count(ipvs);
            const struct ip_vs_service *svc;
            list_for_each_entry(svc, &ipvs->services, s_list) {
                const struct ip_vs_dest *d;
                list_for_each_entry(d, &svc->destinations, n_list) {
                    x.active += d->activeconns;
                    x.inactive += d->inactconns;
                }
            }
            const struct ip_vs_sync_stats *st = ip_vs_sync_stats(ipvs);
            x.msgs_sent = st->msgs_sent;
            x.msgs_rcvd = st->msgs_rcvd;
            x.bytes_sent = st->bytes_sent;
        }
        g_array_append_val(ha->samples, x);
    }
    if (sim->now + HA_SAMPLE <= ha->rw->s->duration)
        sim_after(sim, HA_SAMPLE, sample, ha, 0);
}

static bool has_director_events(const struct scenario *s)
{
    for (guint i = 0; i < s->events->len; i++) {
        enum scn_event_kind k = g_array_index(s->events, struct scn_event, i).kind;
        if (k == EV_DIRECTOR_DOWN || k == EV_DIRECTOR_UP)
            return true;
    }
    return false;
}

void run_ha_start(struct run_world *rw)
{
    const struct scenario *s = rw->s;
    if (!s->backup.enabled && !has_director_events(s))
        return;
    struct run_ha *ha = g_new0(struct run_ha, 1);
    rw->ha = ha;
    ha->rw = rw;
    ha->dark = g_array_new(FALSE, FALSE, sizeof(struct ha_interval));
    ha->failovers = g_array_new(FALSE, FALSE, sizeof(struct ha_failover));
    ha->samples = g_array_new(FALSE, FALSE, sizeof(struct ha_sample));
    ha->d[0].host = rw->director;
    ha->n = 1;
    if (s->backup.enabled) {
        ha->d[1].host = rw->backup;
        ha->n = 2;
        for (int i = 0; i < 2; i++) {
            struct vrrp_cfg cfg = {
                .interface = "eth1", .vip_interface = "eth0", .vrid = VRRP_DEFAULT_VRID,
                .priority = i == 0 ? HA_PRIO_DIRECTOR : HA_PRIO_BACKUP,
                .advert_int = s->backup.advert_int, .preempt = s->backup.preempt,
                .start_master = i == 0, .vaddrs = { s->director.vip, rw->nat_gw }, .nvaddrs = 2,
                .garp_repeat = 5, .garp_delay = 5 * SEC,    /* keepalived's defaults */
                .lvs_sync = s->backup.sync, .sync_interface = "eth1", .syncid = s->backup.syncid,
            };
            ha->d[i].vrrp = vrrp_start(host_net(ha->d[i].host), &cfg, vrrp_changed, ha);
        }
        ha->hc_backup = start_checker(rw, rw->backup);
    }
    ha->served = vip_served(ha);
    sim_at(&rw->w.sim, 0, sample, ha, 0);
}

void run_ha_free(struct run_world *rw)
{
    struct run_ha *ha = rw->ha;
    if (!ha)
        return;
    for (int i = 0; i < ha->n; i++)
        vrrp_free(ha->d[i].vrrp);
    healthcheck_free(ha->hc_backup);
    g_array_free(ha->dark, TRUE);
    g_array_free(ha->failovers, TRUE);
    g_array_free(ha->samples, TRUE);
    g_free(ha);
    rw->ha = NULL;
}

/* ---- the events ------------------------------------------------------------------------- */

bool run_ha_director_down(struct run_world *rw, const char *name, bool graceful, char *msg,
                          size_t n)
{
    struct run_ha *ha = rw->ha;
    int i = director_index(ha, name, msg, n);
    if (i < 0)
        return false;
    struct ha_director *d = &ha->d[i];
    if (d->crashed || (graceful && d->stopped)) {
        snprintf(msg, n, "%s is down already", name);
        return false;
    }
    struct ha_failover f = { .at = now_of(ha), .director = i, .graceful = graceful, .served_at = -1 };
    g_array_append_val(ha->failovers, f);
    struct net *net = host_net(d->host);
    if (graceful) {
        d->stopped = true;
        if (d->vrrp)
            vrrp_stop(d->vrrp);
    } else {
        d->crashed = true;
        if (d->vrrp)
            vrrp_crash(d->vrrp);
        net->down = true;
        if (net->ipvs) {
            ip_vs_stop_sync_thread(net->ipvs, IP_VS_STATE_MASTER);
            ip_vs_stop_sync_thread(net->ipvs, IP_VS_STATE_BACKUP);
            ip_vs_conn_flush(net->ipvs);        /* the connection table was in memory */
        }
    }
    stop_checker(ha, i);
    update_served(ha);
    return true;
}

bool run_ha_director_up(struct run_world *rw, const char *name, char *msg, size_t n)
{
    struct run_ha *ha = rw->ha;
    int i = director_index(ha, name, msg, n);
    if (i < 0)
        return false;
    struct ha_director *d = &ha->d[i];
    if (!d->crashed && !d->stopped) {
        snprintf(msg, n, "%s is up already", name);
        return false;
    }
    d->crashed = d->stopped = false;
    host_net(d->host)->down = false;
    if (d->vrrp)
        vrrp_restart(d->vrrp);
    struct healthcheck *hc = start_checker(rw, d->host);
    if (i == 0)
        rw->hc = hc;
    else
        ha->hc_backup = hc;
    update_served(ha);
    return true;
}

/* ---- metrics ------------------------------------------------------------------------------ */

static double secs(sim_time_t t)
{
    return (double)t / SEC;
}

static cJSON *sync_json(const struct ip_vs_sync_stats *st)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "conns_queued", (double)st->conns_queued);
    cJSON_AddNumberToObject(o, "msgs_sent", (double)st->msgs_sent);
    cJSON_AddNumberToObject(o, "conns_sent", (double)st->conns_sent);
    cJSON_AddNumberToObject(o, "bytes_sent", (double)st->bytes_sent);
    cJSON_AddNumberToObject(o, "wire_bytes_sent", (double)st->wire_bytes_sent);
    cJSON_AddNumberToObject(o, "msgs_dropped", (double)st->msgs_dropped);
    cJSON_AddNumberToObject(o, "msgs_rcvd", (double)st->msgs_rcvd);
    cJSON_AddNumberToObject(o, "bytes_rcvd", (double)st->bytes_rcvd);
    cJSON_AddNumberToObject(o, "msgs_bad", (double)st->msgs_bad);
    cJSON_AddNumberToObject(o, "conns_rcvd", (double)st->conns_rcvd);
    cJSON_AddNumberToObject(o, "conns_created", (double)st->conns_created);
    cJSON_AddNumberToObject(o, "conns_updated", (double)st->conns_updated);
    return o;
}

/* The conversations running when the first director failed, by outcome. */
static cJSON *at_failover_json(struct run_ha *ha)
{
    const struct ha_failover *f = &g_array_index(ha->failovers, struct ha_failover, 0);
    uint64_t n[CONV_ADDRNOTAVAIL + 1] = {0};
    uint64_t total = 0;
    for (guint i = 0; i < ha->rw->log.convs->len; i++) {
        const struct conv *c = &g_array_index(ha->rw->log.convs, struct conv, i);
        if (c->start >= f->at || (c->end != 0 && c->end <= f->at) || c->outcome > CONV_ADDRNOTAVAIL)
            continue;
        n[c->outcome]++;
        total++;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "at_s", secs(f->at));
    cJSON_AddNumberToObject(o, "running", (double)total);
    cJSON_AddNumberToObject(o, "survived", (double)n[CONV_OK]);
    cJSON_AddNumberToObject(o, "reset", (double)n[CONV_RESET]);
    cJSON_AddNumberToObject(o, "timed_out", (double)n[CONV_TIMEOUT]);
    cJSON_AddNumberToObject(o, "unfinished", (double)(n[CONV_UNFINISHED] + n[CONV_RUNNING]));
    cJSON_AddNumberToObject(o, "other", (double)(n[CONV_REFUSED] + n[CONV_UNREACHABLE] +
                                                 n[CONV_ADDRNOTAVAIL]));
    return o;
}

cJSON *run_ha_json(struct run_world *rw)
{
    struct run_ha *ha = rw->ha;
    if (!ha)
        return NULL;
    sim_time_t now = now_of(ha);
    cJSON *root = cJSON_CreateObject();
    cJSON *dirs = cJSON_AddArrayToObject(root, "directors");
    struct ip_vs_sync_stats tot = {0};
    for (int i = 0; i < ha->n; i++) {
        struct host *h = ha->d[i].host;
        const struct netns_ipvs *ipvs = host_net(h)->ipvs;
        const struct ip_vs_sync_stats *st = ip_vs_sync_stats(ipvs);
        tot.msgs_sent += st->msgs_sent;
        tot.conns_sent += st->conns_sent;
        tot.bytes_sent += st->bytes_sent;
        tot.wire_bytes_sent += st->wire_bytes_sent;
        tot.conns_created += st->conns_created;
        tot.conns_updated += st->conns_updated;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", h->name);
        cJSON_AddStringToObject(o, "role", i == 0 ? "director" : "backup");
        cJSON_AddBoolToObject(o, "up", !host_net(h)->down);
        if (ha->d[i].vrrp) {
            const struct vrrp_stats *vs = vrrp_stats(ha->d[i].vrrp);
            cJSON_AddStringToObject(o, "vrrp_state", vrrp_state_name(vrrp_state_of(ha->d[i].vrrp)));
            cJSON_AddNumberToObject(o, "became_master", (double)vs->became_master);
            cJSON_AddNumberToObject(o, "adverts_sent", (double)vs->adverts_sent);
            cJSON_AddNumberToObject(o, "adverts_rcvd", (double)vs->adverts_rcvd);
            cJSON_AddNumberToObject(o, "garps_sent", (double)vs->garps_sent);
        }
        cJSON_AddNumberToObject(o, "ipvs_conns_end", ipvs ? (double)ip_vs_conn_count(ipvs) : 0);
        cJSON_AddItemToObject(o, "sync", sync_json(st));
        cJSON_AddItemToArray(dirs, o);
    }
    sim_time_t dark = 0;
    cJSON *darr = cJSON_AddArrayToObject(root, "dark");
    for (guint i = 0; i <= ha->dark->len; i++) {
        struct ha_interval iv;
        if (i < ha->dark->len)
            iv = g_array_index(ha->dark, struct ha_interval, i);
        else if (!ha->served)
            iv = (struct ha_interval){ ha->dark_since, now };      /* still dark at the end */
        else
            break;
        dark += iv.to - iv.from;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "from_s", secs(iv.from));
        cJSON_AddNumberToObject(o, "to_s", secs(iv.to));
        cJSON_AddItemToArray(darr, o);
    }
    cJSON_AddNumberToObject(root, "vip_dark_s", secs(dark));
    cJSON *farr = cJSON_AddArrayToObject(root, "failovers");
    for (guint i = 0; i < ha->failovers->len; i++) {
        const struct ha_failover *f = &g_array_index(ha->failovers, struct ha_failover, i);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "at_s", secs(f->at));
        cJSON_AddStringToObject(o, "director", ha->d[f->director].host->name);
        cJSON_AddBoolToObject(o, "graceful", f->graceful);
        if (f->served_at >= 0) {
            cJSON_AddNumberToObject(o, "vip_back_s", secs(f->served_at));
            cJSON_AddNumberToObject(o, "dark_s", secs(f->served_at - f->at));
        } else {
            cJSON_AddNullToObject(o, "vip_back_s");
            cJSON_AddNumberToObject(o, "dark_s", secs(now - f->at));
        }
        cJSON_AddItemToArray(farr, o);
    }
    if (ha->failovers->len)
        cJSON_AddItemToObject(root, "connections", at_failover_json(ha));
    cJSON *sy = cJSON_AddObjectToObject(root, "sync");
    cJSON_AddBoolToObject(sy, "enabled", rw->s->backup.enabled && rw->s->backup.sync);
    cJSON *thr = cJSON_AddArrayToObject(sy, "threshold");
    cJSON_AddItemToArray(thr, cJSON_CreateNumber(rw->s->backup.enabled ? rw->s->backup.sync_threshold[0] : 3));
    cJSON_AddItemToArray(thr, cJSON_CreateNumber(rw->s->backup.enabled ? rw->s->backup.sync_threshold[1] : 50));
    cJSON_AddNumberToObject(sy, "messages", (double)tot.msgs_sent);
    cJSON_AddNumberToObject(sy, "conns", (double)tot.conns_sent);
    cJSON_AddNumberToObject(sy, "bytes", (double)tot.bytes_sent);
    cJSON_AddNumberToObject(sy, "wire_bytes", (double)tot.wire_bytes_sent);
    cJSON_AddNumberToObject(sy, "conns_created", (double)tot.conns_created);
    cJSON_AddNumberToObject(sy, "conns_updated", (double)tot.conns_updated);
    return root;
}

bool run_ha_directors_csv(struct run_world *rw, GString *out)
{
    struct run_ha *ha = rw->ha;
    if (!ha)
        return false;
    g_string_append(out, "time_s,director,state,vip,conns,active,inactive,sync_msgs_sent,"
                    "sync_msgs_rcvd,sync_bytes_sent\n");
    for (guint i = 0; i < ha->samples->len; i++) {
        const struct ha_sample *x = &g_array_index(ha->samples, struct ha_sample, i);
        const char *state = x->state >= 0 ? vrrp_state_name((enum vrrp_state)x->state)
                                          : x->down ? "DOWN" : "UP";
        g_string_append_printf(out, "%.3f,%s,%s,%d,%llu,%d,%d,%llu,%llu,%llu\n", secs(x->t),
                               ha->d[x->director].host->name, state, x->vip ? 1 : 0,
                               (unsigned long long)x->conns, x->active, x->inactive,
                               (unsigned long long)x->msgs_sent, (unsigned long long)x->msgs_rcvd,
                               (unsigned long long)x->bytes_sent);
    }
    return true;
}
