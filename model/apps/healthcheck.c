/* A keepalived-like health checker on the director: a TCP connect check of every
 * dest of every IPVS service; dests that fail are taken out and put back when they
 * answer again. Userspace, no kernel file (keepalived's check/check_tcp.c TCP_CHECK,
 * check/ipwrapper.c). Below it, keepalived's own checkers per virtual server and real
 * server (keepalived 2.x: check_tcp.c, check_http.c, check_misc.c, check_api.c,
 * ipwrapper.c), each on a timer of its own. */
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
#include "model/ipv6/ipv6.h"
#include "model/ipv6/transp_v6.h"
#include "sim/in6_key.h"

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

struct kc_vs;

struct healthcheck {
    struct net *net;
    struct kc_vs *vs;               /* cfg.n_vs of them */
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
    enum hc_action a = hc->cfg.quiesce ? (up ? HC_WEIGHT_RESTORED : HC_WEIGHT_ZERO)
                                       : (up ? HC_DEST_ADDED : HC_DEST_REMOVED);
    struct healthcheck_event ev = {
        .at = now_of(hc), .protocol = t->protocol, .vaddr = t->vaddr, .vport = t->vport,
        .fwmark = t->fwmark, .daddr = t->daddr, .dport = t->dport, .up = up, .action = (uint8_t)a,
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

/* The source address of a probe to daddr, as connect() picks it: the route's
 * preferred source, or over IPv6 ipv6_dev_get_saddr's. False when there is no route,
 * or (not_local) daddr is one of this host's own addresses. */
static bool probe_saddr(struct net *net, be32 daddr, bool not_local, be32 *saddr)
{
    if (in6_is_key(daddr)) {
        if (not_local && ipv6_chk_addr(net, in6_key_addr(daddr), NULL))
            return false;
        return ip6_route_saddr(net, daddr, saddr);
    }
    struct rtable *rt = ip_route_output(net, daddr);
    if (!rt || (not_local && rt->type == RTN_LOCAL))
        return false;
    *saddr = rt->prefsrc;
    return true;
}

static void check_start(struct hc_target *t)
{
    struct healthcheck *hc = t->hc;
    be32 saddr;
    if (!probe_saddr(hc->net, t->daddr, true, &saddr))
        return;
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

static bool owned_by_vs(const struct healthcheck *hc, const struct ip_vs_service *svc)
{
    for (size_t i = 0; i < hc->cfg.n_vs; i++) {
        const struct hc_vs_cfg *v = &hc->cfg.vs[i];
        if (v->protocol == svc->protocol && v->vaddr == svc->addr && v->vport == svc->port &&
            v->fwmark == svc->fwmark)
            return true;
    }
    return false;
}

static void sync_targets(struct healthcheck *hc)
{
    for (guint i = 0; i < hc->targets->len; i++)
        ((struct hc_target *)g_ptr_array_index(hc->targets, i))->seen = false;
    struct netns_ipvs *ipvs = hc->net->ipvs;
    if (ipvs) {
        struct ip_vs_service *svc;
        list_for_each_entry(svc, &ipvs->services, s_list) {
            if (owned_by_vs(hc, svc))
                continue;
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

/* ---- keepalived's checkers ------------------------------------------------------------------
 * One state machine per checker (keepalived 2.x check_api.c checker_t: is_up, has_run,
 * retry_it), per real server (real_server_t: alive, num_failed_checkers) and per virtual
 * server (virtual_server_t: quorum_state_up, the sorry server's state). */

struct kc_rs;

struct kc_checker {
    struct kc_rs *rs;
    const struct hc_checker_cfg *cfg;
    bool is_up, has_run;
    int retry_it;
    sim_event_id timer, timeout;
    struct tcp_conn *tc;
    size_t url;                     /* HTTP: the url being asked for */
    char why[64];                   /* the last verdict */
};

struct kc_rs {
    struct kc_vs *vs;
    const struct hc_rs_cfg *cfg;
    struct ip_vs_dest_user saved;   /* the dest as configured at the start */
    bool checked;                   /* it was a dest of the service at the start */
    bool alive;
    size_t num_failed;
    struct kc_checker *ck;
};

struct kc_vs {
    struct healthcheck *hc;
    const struct hc_vs_cfg *cfg;
    struct kc_rs *rs;
    bool quorum_up;
    bool sorry_alive;
    struct ip_vs_dest_user sorry;
};

static const char *const check_names[] = { "TCP_CHECK", "HTTP_GET", "SSL_GET", "MISC_CHECK" };

static struct ip_vs_service *vs_svc(const struct kc_vs *v)
{
    struct netns_ipvs *ipvs = v->hc->net->ipvs;
    return ipvs ? ip_vs_service_get(ipvs, v->cfg->protocol, v->cfg->vaddr, v->cfg->vport,
                                    v->cfg->fwmark)
                : NULL;
}

static void kc_log(const struct kc_vs *v, be32 daddr, be16 dport, enum hc_action a, bool up,
                   int weight, const char *why)
{
    struct healthcheck_event ev = {
        .at = now_of(v->hc), .protocol = v->cfg->protocol, .vaddr = v->cfg->vaddr,
        .vport = v->cfg->vport, .fwmark = v->cfg->fwmark, .daddr = daddr, .dport = dport,
        .up = up, .action = (uint8_t)a, .weight = weight,
    };
    if (why)
        g_strlcpy(ev.why, why, sizeof ev.why);
    g_array_append_val(v->hc->log, ev);
    if (v->hc->cfg.notify)
        v->hc->cfg.notify(v->hc->cfg.ctx, v->hc, &ev);
}

/* Put a real server in or out of IPVS: removed, or weight 0 with inhibit_on_failure
 * (ipwrapper.c perform_svr_state's LVS_CMD_DEL_DEST / LVS_CMD_EDIT_DEST). */
static void rs_ipvs(struct kc_rs *r, bool up, const char *why)
{
    struct ip_vs_service *svc = vs_svc(r->vs);
    if (!svc)
        return;
    struct ip_vs_dest *d = ip_vs_lookup_dest(svc, r->saved.addr, r->saved.port);
    enum hc_action a;
    if (r->cfg->inhibit_on_failure) {
        struct ip_vs_dest_user u = r->saved;
        if (!up)
            u.weight = 0;
        if (d)
            ip_vs_edit_dest(svc, &u);
        else
            ip_vs_add_dest(svc, &u);
        a = up ? HC_WEIGHT_RESTORED : HC_WEIGHT_ZERO;
    } else {
        if (up && !d)
            ip_vs_add_dest(svc, &r->saved);
        else if (!up && d)
            ip_vs_del_dest(svc, r->saved.addr, r->saved.port);
        a = up ? HC_DEST_ADDED : HC_DEST_REMOVED;
    }
    kc_log(r->vs, r->saved.addr, r->saved.port, a, up, 0, why);
}

static void sorry_ipvs(struct kc_vs *v, bool add)
{
    struct ip_vs_service *svc = vs_svc(v);
    v->sorry_alive = add;
    if (!svc)
        return;
    struct ip_vs_dest *d = ip_vs_lookup_dest(svc, v->sorry.addr, v->sorry.port);
    struct ip_vs_dest_user u = v->sorry;
    if (add && !d)
        ip_vs_add_dest(svc, &u);
    else if (add || v->cfg->sorry_inhibit) {
        u.weight = add ? u.weight : 0;
        if (d)
            ip_vs_edit_dest(svc, &u);
    } else if (d) {
        ip_vs_del_dest(svc, u.addr, u.port);
    }
    kc_log(v, u.addr, u.port, add ? HC_SORRY_ADDED : HC_SORRY_REMOVED, add, 0, NULL);
}

/* weigh_live_realservers: the configured weights of the live real servers. */
static uint64_t live_weight(const struct kc_vs *v)
{
    uint64_t w = 0;
    for (size_t i = 0; i < v->cfg->n_rs; i++)
        if (v->rs[i].checked && v->rs[i].alive && v->rs[i].saved.weight > 0)
            w += (uint64_t)v->rs[i].saved.weight;
    return w;
}

/* ipwrapper.c update_quorum_state: gained at quorum + hysteresis, lost below
 * quorum - hysteresis or at no live weight at all; the sorry server stands in for the
 * live real servers while the quorum is lost. */
static void update_quorum(struct kc_vs *v)
{
    uint64_t w = live_weight(v), q = v->cfg->quorum, h = v->cfg->hysteresis;
    be32 va = v->cfg->vaddr;
    be16 vp = v->cfg->vport;
    if (!v->quorum_up && w && w >= q + h) {
        v->quorum_up = true;
        kc_log(v, va, vp, HC_QUORUM_GAINED, true, 0, NULL);
        if (v->sorry_alive) {
            for (size_t i = 0; i < v->cfg->n_rs; i++)
                if (v->rs[i].checked && v->rs[i].alive)
                    rs_ipvs(&v->rs[i], true, "quorum gained");
            sorry_ipvs(v, false);
        }
    } else if (v->quorum_up && (!w || w + h < q)) {
        v->quorum_up = false;
        kc_log(v, va, vp, HC_QUORUM_LOST, false, 0, NULL);
        if (v->cfg->sorry_addr && !v->sorry_alive) {
            sorry_ipvs(v, true);
            for (size_t i = 0; i < v->cfg->n_rs; i++)
                if (v->rs[i].checked && v->rs[i].alive)
                    rs_ipvs(&v->rs[i], false, "quorum lost");
        }
    }
}

/* perform_svr_state: IPVS follows unless the sorry server stands in. */
static void perform_svr_state(struct kc_rs *r, bool alive, const char *why)
{
    struct kc_vs *v = r->vs;
    if (r->alive == alive)
        return;
    if (v->quorum_up || !v->sorry_alive)
        rs_ipvs(r, alive, why);
    else
        kc_log(v, r->saved.addr, r->saved.port, HC_MARKED, alive, 0, why);
    r->alive = alive;
    update_quorum(v);
}

/* update_svr_checker_state: a real server is alive while none of its checkers is down. */
static void checker_state(struct kc_checker *k, bool up)
{
    struct kc_rs *r = k->rs;
    if (k->is_up == up)
        return;
    k->is_up = up;
    if (up) {
        if (--r->num_failed == 0)
            perform_svr_state(r, true, k->why);
    } else if (r->num_failed++ == 0) {
        perform_svr_state(r, false, k->why);
    }
}

static void kc_check(struct sim *sim, void *obj, uint64_t arg);

static void kc_schedule(struct kc_checker *k, sim_time_t delay)
{
    struct healthcheck *hc = k->rs->vs->hc;
    k->timer = host_timer(hc->net->host, sim_time_add(now_of(hc), delay), kc_check, k, 0);
}

static void kc_stop(struct kc_checker *k)
{
    struct healthcheck *hc = k->rs->vs->hc;
    cancel(hc, &k->timeout);
    if (k->tc)
        tcp_conn_abort(k->tc, false);
    k->tc = NULL;
}

/* tcp_epilog (check_tcp.c; http_get_retry and misc_check_child_thread act alike): a
 * failure while up is retried retry times delay_before_retry apart, the next one takes
 * the checker down; a success takes it up and clears the retries. */
static void kc_epilog(struct kc_checker *k, bool ok)
{
    struct healthcheck *hc = k->rs->vs->hc;
    const struct hc_checker_cfg *cfg = k->cfg;
    kc_stop(k);
    if (!ok)
        hc->failures++;
    sim_time_t delay = cfg->delay_loop > 0 ? cfg->delay_loop : k->rs->vs->cfg->delay_loop;
    if (ok || k->retry_it >= cfg->retry) {
        k->retry_it = 0;
        if (!ok && cfg->retry > 0) {
            char why[sizeof k->why + 32];
            snprintf(why, sizeof why, "%s after %d retr%s", k->why, cfg->retry,
                     cfg->retry == 1 ? "y" : "ies");
            g_strlcpy(k->why, why, sizeof k->why);
        }
        checker_state(k, ok);
    } else if (k->is_up) {
        delay = cfg->delay_before_retry;
        k->retry_it++;
    }
    k->has_run = true;
    kc_schedule(k, delay);
}

static void kc_fail(struct kc_checker *k, const char *what)
{
    snprintf(k->why, sizeof k->why, "%s %s", check_names[k->cfg->type], what);
    kc_epilog(k, false);
}

/* HTTP_GET's status_code list; none given: 2xx (check_http.c). */
static bool status_ok(const struct hc_url *u, int status)
{
    if (!u->n_codes)
        return status >= 200 && status <= 299;
    for (size_t i = 0; i < u->n_codes; i++)
        if (status >= u->codes[i][0] && status <= u->codes[i][1])
            return true;
    return false;
}

static void kc_connect(struct kc_checker *k);

static void kc_established(struct tcp_conn *c)
{
    struct kc_checker *k = c->ctx;
    if (k->cfg->type == HC_TCP_CHECK) {
        tcp_conn_set_owner(c, &closing_ops, NULL);
        tcp_conn_close(c);          /* tcp_check_thread closes the socket: a FIN */
        k->tc = NULL;
        snprintf(k->why, sizeof k->why, "TCP_CHECK connected");
        kc_epilog(k, true);
        return;
    }
    /* http_request_thread: "GET path HTTP/1.0", User-Agent and Host lines */
    const struct hc_url *u = &k->cfg->urls[k->url];
    tcp_conn_send(c, strlen(u->path) + 64);
}

static void kc_data(struct tcp_conn *c, uint32_t bytes, bool psh)
{
    struct kc_checker *k = c->ctx;
    if (!psh)
        return;
    /* The answer is in: its status is the one the server serves for the path. */
    struct healthcheck *hc = k->rs->vs->hc;
    const struct hc_url *u = &k->cfg->urls[k->url];
    be32 addr = k->cfg->connect_ip ? k->cfg->connect_ip : k->rs->saved.addr;
    int status = hc->cfg.http_status ? hc->cfg.http_status(hc->cfg.ctx, addr, u->path, now_of(hc))
                                     : 200;
    tcp_conn_set_owner(c, &closing_ops, NULL);
    tcp_conn_close(c);
    k->tc = NULL;
    cancel(hc, &k->timeout);
    snprintf(k->why, sizeof k->why, "%s %.16s status %d", check_names[k->cfg->type], u->path,
             status);
    if (!status_ok(u, status)) {
        kc_epilog(k, false);
    } else if (++k->url < k->cfg->n_urls) {
        kc_connect(k);              /* the next url, on a connection of its own */
    } else {
        kc_epilog(k, true);
    }
}

static void kc_done(struct tcp_conn *c, enum tcp_done why)
{
    struct kc_checker *k = c->ctx;
    k->tc = NULL;
    kc_fail(k, "connection failed");
}

static const struct tcp_conn_ops kc_ops = {
    .established = kc_established,
    .data = kc_data,
    .done = kc_done,
};

static void kc_timeout(struct sim *sim, void *obj, uint64_t arg)
{
    struct kc_checker *k = obj;
    k->timeout = 0;
    kc_fail(k, "timeout");
}

static void kc_connect(struct kc_checker *k)
{
    struct healthcheck *hc = k->rs->vs->hc;
    be32 daddr = k->cfg->connect_ip ? k->cfg->connect_ip : k->rs->saved.addr;
    be16 dport = k->cfg->connect_port ? k->cfg->connect_port : k->rs->saved.port;
    be32 saddr = 0;
    bool routed = probe_saddr(hc->net, daddr, false, &saddr);
    if (!routed || !dport) {
        kc_fail(k, !dport ? "no port" : "no route");
        return;
    }
    k->timeout = host_timer(hc->net->host, sim_time_add(now_of(hc), k->cfg->connect_timeout),
                            kc_timeout, k, 0);
    be16 lport = app_port_alloc(hc->st, IPPROTO_TCP, saddr, &hc->r_port);
    if (lport)
        k->tc = tcp_connect(hc->st, saddr, lport, daddr, dport, (uint32_t)rng_u64(&hc->r_isn), 0,
                            &kc_ops, k);
    if (!k->tc)
        kc_fail(k, "no socket");
}

/* The exit code MISC_CHECK's script gives at now: the last scheduled before it. */
static int misc_code(const struct hc_checker_cfg *cfg, sim_time_t now)
{
    int code = 0;
    for (size_t i = 0; i < cfg->n_exits && cfg->exits[i].at <= now; i++)
        code = cfg->exits[i].code;
    return code;
}

/* misc_dynamic: exit 2..255 sets the weight to code - 2 (update_svr_wgt). */
static void misc_weight(struct kc_rs *r, int weight)
{
    if (r->saved.weight == weight)
        return;
    r->saved.weight = weight;
    struct ip_vs_service *svc = vs_svc(r->vs);
    if (r->alive && svc && ip_vs_lookup_dest(svc, r->saved.addr, r->saved.port) &&
        (r->vs->quorum_up || !r->vs->sorry_alive))
        ip_vs_edit_dest(svc, &r->saved);
    kc_log(r->vs, r->saved.addr, r->saved.port, HC_WEIGHT_SET, true, weight, "MISC_CHECK dynamic");
    update_quorum(r->vs);
}

static void kc_check(struct sim *sim, void *obj, uint64_t arg)
{
    struct kc_checker *k = obj;
    struct healthcheck *hc = k->rs->vs->hc;
    k->timer = 0;
    hc->checks++;
    if (k->cfg->type != HC_MISC_CHECK) {
        k->url = 0;
        kc_connect(k);
        return;
    }
    int code = misc_code(k->cfg, now_of(hc));
    bool dyn = k->cfg->misc_dynamic && code >= 2 && code <= 255;
    snprintf(k->why, sizeof k->why, "MISC_CHECK exit %d", code);
    if (dyn)
        misc_weight(k->rs, code - 2);
    kc_epilog(k, code == 0 || dyn);
}

static struct ip_vs_dest_user dest_user_of(const struct ip_vs_dest *d)
{
    return (struct ip_vs_dest_user){
        .addr = d->addr, .port = d->port,
        .conn_flags = d->conn_flags & IP_VS_CONN_F_FWD_MASK,
        .weight = d->weight, .u_threshold = d->u_threshold, .l_threshold = d->l_threshold,
        .tun_type = d->tun_type, .tun_port = d->tun_port, .tun_flags = d->tun_flags,
    };
}

static void kc_vs_start(struct healthcheck *hc, struct kc_vs *v, const struct hc_vs_cfg *cfg)
{
    v->hc = hc;
    v->cfg = cfg;
    v->rs = g_new0(struct kc_rs, cfg->n_rs ? cfg->n_rs : 1);
    struct ip_vs_service *svc = vs_svc(v);
    unsigned first_fwd = ~0u;
    for (size_t i = 0; i < cfg->n_rs; i++) {
        struct kc_rs *r = &v->rs[i];
        r->vs = v;
        r->cfg = &cfg->rs[i];
        r->ck = g_new0(struct kc_checker, r->cfg->n_checkers ? r->cfg->n_checkers : 1);
        struct ip_vs_dest *d = svc ? ip_vs_lookup_dest(svc, r->cfg->addr, r->cfg->port) : NULL;
        r->checked = d != NULL;
        if (d)
            r->saved = dest_user_of(d);
        if (d && first_fwd == ~0u)
            first_fwd = r->saved.conn_flags;
        bool start_down = cfg->alpha && r->cfg->n_checkers;
        for (size_t j = 0; j < r->cfg->n_checkers; j++)
            r->ck[j] = (struct kc_checker){ .rs = r, .cfg = &r->cfg->checkers[j], .is_up = !start_down };
        r->num_failed = start_down ? r->cfg->n_checkers : 0;
        r->alive = r->checked && !start_down;
        if (r->checked && start_down)
            rs_ipvs(r, false, "alpha");
    }
    if (cfg->sorry_addr)
        v->sorry = (struct ip_vs_dest_user){
            .addr = cfg->sorry_addr, .port = cfg->sorry_port, .weight = 1,
            .conn_flags = cfg->sorry_fwd != ~0u ? cfg->sorry_fwd
                          : first_fwd != ~0u   ? first_fwd : IP_VS_CONN_F_MASQ,
        };
    /* The quorum as the start finds it; lost at once, the sorry server comes in. */
    v->quorum_up = true;
    update_quorum(v);
    for (size_t i = 0; i < cfg->n_rs; i++)
        for (size_t j = 0; v->rs[i].checked && j < v->rs[i].cfg->n_checkers; j++)
            kc_schedule(&v->rs[i].ck[j], 0);
}

static void kc_free(struct healthcheck *hc)
{
    for (size_t i = 0; hc->vs && i < hc->cfg.n_vs; i++) {
        struct kc_vs *v = &hc->vs[i];
        for (size_t j = 0; j < v->cfg->n_rs; j++) {
            for (size_t k = 0; k < v->rs[j].cfg->n_checkers; k++) {
                kc_stop(&v->rs[j].ck[k]);
                cancel(hc, &v->rs[j].ck[k].timer);
            }
            g_free(v->rs[j].ck);
        }
        g_free(v->rs);
    }
    g_free(hc->vs);
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
    if (!hc->cfg.vs_only)
        hc->tick = host_timer(director->host, net_now(director), tick, hc, 0);
    if (hc->cfg.n_vs) {
        hc->vs = g_new0(struct kc_vs, hc->cfg.n_vs);
        for (size_t i = 0; i < hc->cfg.n_vs; i++)
            kc_vs_start(hc, &hc->vs[i], &hc->cfg.vs[i]);
    }
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

/* An address to print before ":port": an IPv6 one in brackets, as ipvsadm does. */
static void addr_for_port(be32 a, char buf[INET_KEY_STRLEN + 2])
{
    char t[INET_KEY_STRLEN];
    inet_key_ntop(a, t);
    snprintf(buf, INET_KEY_STRLEN + 2, in6_is_key(a) ? "[%s]" : "%s", t);
}

void healthcheck_event_line(const struct healthcheck *hc, const struct healthcheck_event *e,
                            GString *out)
{
    char pb[24], va[INET_KEY_STRLEN + 2], da[INET_KEY_STRLEN + 2];
    addr_for_port(e->vaddr, va);
    addr_for_port(e->daddr, da);
    char wb[24];
    const char *what = "";
    switch ((enum hc_action)e->action) {
    case HC_DEST_REMOVED: what = "down, dest removed"; break;
    case HC_DEST_ADDED: what = "up, dest added back"; break;
    case HC_WEIGHT_ZERO: what = "down, weight 0"; break;
    case HC_WEIGHT_RESTORED: what = "up, weight restored"; break;
    case HC_WEIGHT_SET:
        snprintf(wb, sizeof wb, "weight %d", e->weight);
        what = wb;
        break;
    case HC_SORRY_ADDED: what = "sorry server added"; break;
    case HC_SORRY_REMOVED: what = "sorry server removed"; break;
    case HC_QUORUM_LOST: what = "quorum lost"; break;
    case HC_QUORUM_GAINED: what = "quorum gained"; break;
    case HC_MARKED: what = e->up ? "up, the sorry server stays" : "down, the sorry server stays"; break;
    }
    char at[SIM_TIME_AT_LEN];
    sim_time_at(at, e->at);
    g_string_append_printf(out, "%shealthcheck %s %s %s:%u %s:%u: %s", at,
                           hc->net->host->name, proto_name(e->protocol, e->fwmark, pb, sizeof pb),
                           va, ntohs(e->vport), da, ntohs(e->dport), what);
    if (e->why[0])
        g_string_append_printf(out, " (%s)", e->why);
    g_string_append_c(out, '\n');
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
    kc_free(hc);
    for (guint i = 0; i < hc->targets->len; i++)
        target_free(g_ptr_array_index(hc->targets, i));
    g_ptr_array_free(hc->targets, TRUE);
    g_hash_table_destroy(hc->by_key);
    g_array_free(hc->log, TRUE);
    app_stack_put(hc->st);
    g_free(hc);
}
