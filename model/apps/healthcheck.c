/* A keepalived-like health checker on the director: a TCP connect check of every
 * dest of every IPVS service; dests that fail are taken out and put back when they
 * answer again. Userspace, no kernel file (keepalived's check/check_tcp.c TCP_CHECK,
 * check/ipwrapper.c). */
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include "model/apps/tcp_conn.h"
#include "model/apps/workload.h"
#include "model/ipvs/ip_vs.h"
#include "model/ipvs/ip_vs_ctl.h"
#include "model/net.h"
#include "sim/sim.h"
#include "model/ipv4/route.h"

struct healthcheck;

/* One dest of one service, as the checker follows it. */
struct hc_target {
    struct healthcheck *hc;
    uint16_t protocol;
    be32 vaddr;
    be16 vport;
    uint32_t fwmark;
    be32 daddr;
    be16 dport;
    be16 check_port;                /* 0: not checked */
    char *key;
    struct ip_vs_dest_user saved;   /* the configuration to restore */
    bool down;                      /* taken out by us */
    bool seen;
    int fails;
    struct tcp_conn *tc;            /* check in progress */
    bool checking;
    sim_event_id timeout;
};

struct healthcheck {
    struct net *net;
    struct app_stack *st;
    struct healthcheck_cfg cfg;
    struct rng r_isn, r_port;
    GPtrArray *targets;             /* struct hc_target *, discovery order */
    GHashTable *by_key;             /* key -> target (lookups only) */
    GArray *log;                    /* struct healthcheck_event */
    sim_event_id tick;
    uint64_t checks, failures;
};

static sim_time_t now_of(const struct healthcheck *hc)
{
    return net_now(hc->net);
}

static char *target_key(uint16_t protocol, be32 vaddr, be16 vport, uint32_t fwmark, be32 daddr,
                        be16 dport)
{
    return g_strdup_printf("%u/%08x/%u/%u/%08x/%u", protocol, ntohl(vaddr), ntohs(vport), fwmark,
                           ntohl(daddr), ntohs(dport));
}

static struct ip_vs_service *target_svc(const struct hc_target *t)
{
    struct netns_ipvs *ipvs = t->hc->net->ipvs;
    if (!ipvs)
        return NULL;
    return ip_vs_service_get(ipvs, t->protocol, t->vaddr, t->vport, t->fwmark);
}

static void save_config(struct hc_target *t, const struct ip_vs_dest *d)
{
    t->saved = (struct ip_vs_dest_user){
        .addr = d->addr, .port = d->port,
        .conn_flags = d->conn_flags & IP_VS_CONN_F_FWD_MASK,
        .weight = d->weight, .u_threshold = d->u_threshold, .l_threshold = d->l_threshold,
        .tun_type = d->tun_type, .tun_port = d->tun_port, .tun_flags = d->tun_flags,
    };
}

static void log_transition(struct healthcheck *hc, const struct hc_target *t, bool up)
{
    struct healthcheck_event ev = {
        .at = now_of(hc), .protocol = t->protocol, .vaddr = t->vaddr, .vport = t->vport,
        .fwmark = t->fwmark, .daddr = t->daddr, .dport = t->dport, .up = up,
    };
    g_array_append_val(hc->log, ev);
    if (hc->cfg.notify)
        hc->cfg.notify(hc->cfg.ctx, hc, &ev);
}

static void cancel(struct healthcheck *hc, sim_event_id *id)
{
    if (*id)
        sim_cancel(host_sim(hc->net->host), *id);
    *id = 0;
}

/* Stop a check in progress without a verdict. */
static void check_stop(struct hc_target *t)
{
    cancel(t->hc, &t->timeout);
    if (t->tc)
        tcp_conn_abort(t->tc, false);
    t->tc = NULL;
    t->checking = false;
}

/* ---- verdicts ------------------------------------------------------------------------- */

static void take_out(struct hc_target *t)
{
    struct ip_vs_service *svc = target_svc(t);
    if (!svc || !ip_vs_lookup_dest(svc, t->daddr, t->dport))
        return;
    if (t->hc->cfg.quiesce) {
        struct ip_vs_dest_user u = t->saved;
        u.weight = 0;
        ip_vs_edit_dest(svc, &u);
    } else {
        ip_vs_del_dest(svc, t->daddr, t->dport);
    }
    t->down = true;
    log_transition(t->hc, t, false);
}

static void put_back(struct hc_target *t)
{
    struct ip_vs_service *svc = target_svc(t);
    if (!svc)
        return;
    if (t->hc->cfg.quiesce) {
        if (ip_vs_lookup_dest(svc, t->daddr, t->dport))
            ip_vs_edit_dest(svc, &t->saved);
    } else if (!ip_vs_lookup_dest(svc, t->daddr, t->dport)) {
        ip_vs_add_dest(svc, &t->saved);
    }
    t->down = false;
    log_transition(t->hc, t, true);
}

static void verdict(struct hc_target *t, bool ok)
{
    struct healthcheck *hc = t->hc;
    cancel(hc, &t->timeout);
    t->checking = false;
    t->tc = NULL;
    int retries = hc->cfg.retries > 0 ? hc->cfg.retries : 1;
    if (ok) {
        t->fails = 0;
        if (t->down)
            put_back(t);
        return;
    }
    hc->failures++;
    t->fails++;
    if (!t->down && t->fails >= retries)
        take_out(t);
}

/* ---- the check's connection -------------------------------------------------------------- */

static const struct tcp_conn_ops closing_ops = { 0 };

static void hc_established(struct tcp_conn *c)
{
    struct hc_target *t = c->ctx;
    tcp_conn_set_owner(c, &closing_ops, NULL);
    tcp_conn_close(c);              /* keepalived closes the socket: a FIN */
    t->tc = NULL;
    verdict(t, true);
}

static void hc_done(struct tcp_conn *c, enum tcp_done why)
{
    struct hc_target *t = c->ctx;
    t->tc = NULL;
    verdict(t, false);
}

static const struct tcp_conn_ops check_ops = {
    .established = hc_established,
    .done = hc_done,
};

static void check_timeout(struct sim *sim, void *obj, uint64_t arg)
{
    struct hc_target *t = obj;
    t->timeout = 0;
    if (t->tc)
        tcp_conn_abort(t->tc, false);
    t->tc = NULL;
    verdict(t, false);
}

static void check_start(struct hc_target *t)
{
    struct healthcheck *hc = t->hc;
    struct rtable *rt = ip_route_output(hc->net, t->daddr);
    if (!rt || rt->type == RTN_LOCAL)
        return;
    be32 saddr = rt->prefsrc;
    hc->checks++;
    t->checking = true;
    t->timeout = host_timer(hc->net->host, sim_time_add(now_of(hc), hc->cfg.timeout), check_timeout, t, 0);
    be16 lport = app_port_alloc(hc->st, IPPROTO_TCP, saddr, &hc->r_port);
    if (lport)
        t->tc = tcp_connect(hc->st, saddr, lport, t->daddr, t->check_port,
                            (uint32_t)rng_u64(&hc->r_isn), 0, &check_ops, t);
    if (!t->tc)
        verdict(t, false);
}

/* ---- following IPVS's dest list ----------------------------------------------------------- */

static void target_free(struct hc_target *t)
{
    check_stop(t);
    g_free(t->key);
    g_free(t);
}

static be16 check_port_of(const struct ip_vs_service *svc, const struct ip_vs_dest *d)
{
    unsigned fwd = d->conn_flags & IP_VS_CONN_F_FWD_MASK;
    if (fwd == IP_VS_CONN_F_LOCALNODE)
        return 0;
    if ((fwd == IP_VS_CONN_F_DROUTE || fwd == IP_VS_CONN_F_TUNNEL) && svc->port)
        return svc->port;
    return d->port ? d->port : svc->port;
}

static void sync_targets(struct healthcheck *hc)
{
    for (guint i = 0; i < hc->targets->len; i++)
        ((struct hc_target *)g_ptr_array_index(hc->targets, i))->seen = false;
    struct netns_ipvs *ipvs = hc->net->ipvs;
    if (ipvs) {
        struct ip_vs_service *svc;
        list_for_each_entry(svc, &ipvs->services, s_list) {
            struct ip_vs_dest *d;
            list_for_each_entry(d, &svc->destinations, n_list) {
                char *key = target_key(svc->protocol, svc->addr, svc->port, svc->fwmark, d->addr,
                                       d->port);
                struct hc_target *t = g_hash_table_lookup(hc->by_key, key);
                if (!t) {
                    t = g_new0(struct hc_target, 1);
                    t->hc = hc;
                    t->protocol = svc->protocol;
                    t->vaddr = svc->addr;
                    t->vport = svc->port;
                    t->fwmark = svc->fwmark;
                    t->daddr = d->addr;
                    t->dport = d->port;
                    t->key = key;
                    g_hash_table_insert(hc->by_key, t->key, t);
                    g_ptr_array_add(hc->targets, t);
                    save_config(t, d);
                } else {
                    g_free(key);
                    if (!t->down)
                        save_config(t, d);
                    else if (!hc->cfg.quiesce) {
                        /* ipvsadm put it back while it was out: follow. */
                        t->down = false;
                        t->fails = 0;
                        save_config(t, d);
                    }
                }
                t->seen = true;
                t->check_port = check_port_of(svc, d);
            }
        }
    }
    /* Dests gone from IPVS: ours (taken out, service still there) stay; those
     * ipvsadm removed are forgotten. */
    guint j = 0;
    for (guint i = 0; i < hc->targets->len; i++) {
        struct hc_target *t = g_ptr_array_index(hc->targets, i);
        bool keep = t->seen || (t->down && !hc->cfg.quiesce && target_svc(t));
        if (keep) {
            hc->targets->pdata[j++] = t;
        } else {
            g_hash_table_remove(hc->by_key, t->key);
            target_free(t);
        }
    }
    g_ptr_array_set_size(hc->targets, j);
}

static void tick(struct sim *sim, void *obj, uint64_t arg)
{
    struct healthcheck *hc = obj;
    hc->tick = 0;
    sync_targets(hc);
    for (guint i = 0; i < hc->targets->len; i++) {
        struct hc_target *t = g_ptr_array_index(hc->targets, i);
        if (!t->checking && t->check_port)
            check_start(t);
    }
    sim_time_t iv = hc->cfg.interval > 0 ? hc->cfg.interval : 1 * SEC;
    hc->tick = host_timer(hc->net->host, sim_time_add(now_of(hc), iv), tick, hc, 0);
}

struct healthcheck *healthcheck_start(struct net *director, const struct healthcheck_cfg *cfg)
{
    struct healthcheck *hc = g_new0(struct healthcheck, 1);
    hc->net = director;
    hc->st = app_stack_get(director);
    hc->cfg = *cfg;
    if (hc->cfg.timeout <= 0)
        hc->cfg.timeout = 1 * SEC;
    uint64_t seed = host_sim(director->host)->seed;
    rng_init(&hc->r_isn, seed, "healthcheck:isn");
    rng_init(&hc->r_port, seed, "healthcheck:port");
    hc->targets = g_ptr_array_new();
    hc->by_key = g_hash_table_new(g_str_hash, g_str_equal);
    hc->log = g_array_new(FALSE, TRUE, sizeof(struct healthcheck_event));
    hc->tick = host_timer(director->host, net_now(director), tick, hc, 0);
    return hc;
}

static const char *proto_name(uint16_t p, uint32_t fwmark, char *buf, size_t n)
{
    if (fwmark) {
        snprintf(buf, n, "FWM:%u", fwmark);
        return buf;
    }
    switch (p) {
    case IPPROTO_TCP: return "TCP";
    case IPPROTO_UDP: return "UDP";
    case 132: return "SCTP";
    default:
        snprintf(buf, n, "%u", p);
        return buf;
    }
}

void healthcheck_event_line(const struct healthcheck *hc, const struct healthcheck_event *e,
                            GString *out)
{
    char pb[24], va[INET_ADDRSTRLEN], da[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &e->vaddr, va, sizeof va);
    inet_ntop(AF_INET, &e->daddr, da, sizeof da);
    const char *what = hc->cfg.quiesce ? (e->up ? "up, weight restored" : "down, weight 0")
                                       : (e->up ? "up, dest added back" : "down, dest removed");
    char at[SIM_TIME_AT_LEN];
    sim_time_at(at, e->at);
    g_string_append_printf(out, "%shealthcheck %s %s %s:%u %s:%u: %s\n", at,
                           hc->net->host->name, proto_name(e->protocol, e->fwmark, pb, sizeof pb),
                           va, ntohs(e->vport), da, ntohs(e->dport), what);
}

void healthcheck_report(const struct healthcheck *hc, GString *out)
{
    for (guint i = 0; i < hc->log->len; i++)
        healthcheck_event_line(hc, &g_array_index(hc->log, struct healthcheck_event, i), out);
}

const struct healthcheck_event *healthcheck_events(const struct healthcheck *hc, size_t *n)
{
    *n = hc->log->len;
    return (const struct healthcheck_event *)(void *)hc->log->data;
}

uint64_t healthcheck_checks(const struct healthcheck *hc, uint64_t *failures)
{
    if (failures)
        *failures = hc->failures;
    return hc->checks;
}

void healthcheck_free(struct healthcheck *hc)
{
    if (!hc)
        return;
    cancel(hc, &hc->tick);
    for (guint i = 0; i < hc->targets->len; i++)
        target_free(g_ptr_array_index(hc->targets, i));
    g_ptr_array_free(hc->targets, TRUE);
    g_hash_table_destroy(hc->by_key);
    g_array_free(hc->log, TRUE);
    app_stack_put(hc->st);
    g_free(hc);
}
