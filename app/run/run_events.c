/* Scenario events at their simulated times: failures, recoveries, ipvsadm and
 * iptables lines, sysctl and link changes, SYN floods, hook (un)registration. Each
 * one leaves a line in the run's event log, in the one format of events.txt:
 * "at TIME WHAT: RESULT", WHAT being the event as given ("server_down rs2",
 * "ipvsadm -d -t 203.0.113.10:80 -r 192.0.2.12:80") and RESULT "ok" or
 * "failed: WHY". */
#include <stdio.h>
#include <string.h>
#include "app/run/run_ha.h"
#include "app/run/run_world.h"
#include "app/scenario/sysctl.h"
#include "model/user/ipvsadm/ipvsadm.h"
#include "model/net.h"
#include "model/user/iptables/iptables_parse.h"
#include "model/netfilter/user_hook.h"
#include "sim/in6_key.h"

static const char *const kind_names[] = {
    [EV_SERVER_DOWN] = "server_down", [EV_SERVER_REFUSE] = "server_refuse",
    [EV_SERVER_UP] = "server_up", [EV_IPVSADM] = "ipvsadm", [EV_IPTABLES] = "iptables",
    [EV_SYSCTL] = "sysctl", [EV_LINK] = "link", [EV_SYN_FLOOD] = "syn_flood",
    [EV_HOOK_REGISTER] = "hook_register", [EV_HOOK_UNREGISTER] = "hook_unregister",
    [EV_DIRECTOR_DOWN] = "director_down", [EV_DIRECTOR_UP] = "director_up",
    [EV_SERVER_SLOW] = "server_slow", [EV_SERVER_SET] = "server_set",
};

static int server_index(const struct run_world *rw, const char *name)
{
    for (guint i = 0; i < rw->s->servers->len; i++)
        if (strcmp(g_array_index(rw->s->servers, struct scn_server, i).name, name) == 0)
            return (int)i;
    return -1;
}

static bool ev_server(struct run_world *rw, const struct scn_event *e, char *msg, size_t n)
{
    int i = server_index(rw, e->server);
    if (i < 0) {
        snprintf(msg, n, "no server '%s'", e->server);
        return false;
    }
    enum server_mode m = e->kind == EV_SERVER_DOWN ? SERVER_DOWN
                       : e->kind == EV_SERVER_REFUSE ? SERVER_REFUSE : SERVER_UP;
    server_app_set_mode(g_ptr_array_index(rw->server_apps, i), m);
    return true;
}

/* A brownout: the listener the scenario named is the server's listener of the same
 * index (run_world builds them in the scenario's order). */
static bool ev_brownout(struct run_world *rw, const struct scn_event *e, char *msg, size_t n)
{
    int i = server_index(rw, e->server);
    if (i < 0) {
        snprintf(msg, n, "no server '%s'", e->server);
        return false;
    }
    struct server_app *sa = g_ptr_array_index(rw->server_apps, i);
    if (e->kind == EV_SERVER_SLOW) {
        server_app_set_slow(sa, e->listener, e->rate);
        return true;
    }
    if (e->has_service_time)
        server_app_set_service_time(sa, e->listener, &e->service_time);
    if (e->workers && !server_app_set_workers(sa, e->listener, e->workers)) {
        snprintf(msg, n, "listener %s shares the server's workers", e->key);
        return false;
    }
    return true;
}

static bool ev_link(struct run_world *rw, const struct scn_event *e, char *msg, size_t n)
{
    struct link *l = world_link(&rw->w, e->key);
    if (!l) {
        snprintf(msg, n, "no link '%s'", e->key);
        return false;
    }
    struct link_params p = l->p;
    if (e->link_has[0])
        p.latency = e->link.latency;
    if (e->link_has[1])
        p.bandwidth_bps = e->link.bandwidth;
    if (e->link_has[2])
        p.loss = e->link.loss;
    link_set_params(l, &p);
    return true;
}

static bool ev_flood(struct run_world *rw, const struct scn_event *e)
{
    /* The flood comes from the clients' side: the router sends it on. */
    struct synflood_cfg cfg = {
        .net = e->flood_net, .prefix = e->flood_prefix, .target = rw->s->director.vip,
        .target_port = htons(g_array_index(rw->s->clients, struct scn_client, 0).target_port),
        .rate = e->rate, .start = e->at, .duration = e->duration,
    };
    g_ptr_array_add(rw->floods, synflood_start(host_net(rw->gw), &cfg));
    return true;
}

static bool ev_hook(struct run_world *rw, const struct scn_event *e, char *msg, size_t n)
{
    struct net *net = host_net(rw->director);
    if (!nf_user_hook_find(net, e->key)) {
        snprintf(msg, n, "no user hook '%s' on the director", e->key);
        return false;
    }
    /* a hook of family "both" is one registration per family: both go or come */
    static const uint8_t pfs[] = { NFPROTO_IPV4, NFPROTO_IPV6 };
    for (size_t i = 0; i < G_N_ELEMENTS(pfs); i++) {
        struct nf_user_hook *uh = nf_user_hook_find_pf(net, e->key, pfs[i]);
        if (!uh)
            continue;
        if (e->kind == EV_HOOK_UNREGISTER)
            nf_user_hook_unregister(net, uh);
        else if (nf_user_hook_register(net, uh) != 0) {
            snprintf(msg, n, "hook '%s' is registered already", e->key);
            return false;
        }
    }
    return true;
}

/* The backup director (app/run/run_ha.h) follows the director's configuration: ipvsadm,
 * iptables and sysctl lines go to it too; what the log says is the director's result. */
static void apply_to_backup(struct run_world *rw, const struct scn_event *e)
{
    if (!rw->backup)
        return;
    struct net *bnet = host_net(rw->backup);
    char msg[256];
    if (e->kind == EV_IPVSADM) {
        struct ipvsadm_cmd cmd;
        struct ipvsadm_error err = {0};
        if (run_world_ipvsadm_parse(rw, e->args.text, &cmd, &err) == 0)
            ipvsadm_exec(bnet, &cmd, &err);
    } else if (e->kind == EV_IPTABLES) {
        struct xt_error err = {0};
        iptables_apply(bnet, e->args.text, &err);
    } else if (e->kind == EV_SYSCTL) {
        sysctl_set(bnet, e->key, e->value, msg, sizeof msg);
    }
}

/* An ipvsadm line: a change, or a listing (-L) whose lines go to *listing, as
 * ipvsadm would print them at that moment. */
static bool ev_ipvsadm(const struct run_world *rw, struct net *dnet, const struct scn_event *e,
                       char *msg, size_t n, GString *listing)
{
    struct ipvsadm_cmd cmd;
    struct ipvsadm_error err = {0};
    int ret = run_world_ipvsadm_parse(rw, e->args.text, &cmd, &err);
    if (ret == 0)
        ret = cmd.cmd == IPVSADM_CMD_LIST ? ipvsadm_list_cmd(listing, dnet, &cmd, &err)
                                          : ipvsadm_exec(dnet, &cmd, &err);
    if (ret == 0)
        return true;
    g_strlcpy(msg, err.message, n);
    return false;
}

static bool apply_event(struct run_world *rw, const struct scn_event *e, char *msg, size_t n,
                        GString *listing)
{
    struct net *dnet = host_net(rw->director);
    switch (e->kind) {
    case EV_SERVER_DOWN:
    case EV_SERVER_REFUSE:
    case EV_SERVER_UP:
        return ev_server(rw, e, msg, n);
    case EV_IPVSADM:
        return ev_ipvsadm(rw, dnet, e, msg, n, listing);
    case EV_IPTABLES: {
        struct xt_error err = {0};
        if (iptables_apply(dnet, e->args.text, &err) == 0)
            return true;
        g_strlcpy(msg, err.msg, n);
        return false;
    }
    case EV_SYSCTL:
        return sysctl_set(dnet, e->key, e->value, msg, n);
    case EV_LINK:
        return ev_link(rw, e, msg, n);
    case EV_SYN_FLOOD:
        return ev_flood(rw, e);
    case EV_HOOK_REGISTER:
    case EV_HOOK_UNREGISTER:
        return ev_hook(rw, e, msg, n);
    case EV_DIRECTOR_DOWN:
        return run_ha_director_down(rw, e->server, e->value != 0, msg, n);
    case EV_DIRECTOR_UP:
        return run_ha_director_up(rw, e->server, msg, n);
    case EV_SERVER_SLOW:
    case EV_SERVER_SET:
        return ev_brownout(rw, e, msg, n);
    }
    return false;
}

/* The event as the scenario gives it: its kind and what it names or carries. */
static void describe(const struct scn_event *e, GString *out)
{
    g_string_append(out, kind_names[e->kind]);
    switch (e->kind) {
    case EV_IPVSADM:
    case EV_IPTABLES:
        g_string_append_printf(out, " %s", e->args.text);
        break;
    case EV_SYSCTL:
        g_string_append_printf(out, " %s=%ld", e->key, e->value);
        break;
    case EV_LINK:
        g_string_append_printf(out, " %s", e->key);
        if (e->link_has[0])
            g_string_append_printf(out, " latency %.3f ms", (double)e->link.latency / MSEC);
        if (e->link_has[1])
            g_string_append_printf(out, " bandwidth %llu bps", (unsigned long long)e->link.bandwidth);
        if (e->link_has[2])
            g_string_append_printf(out, " loss %g", e->link.loss);
        if (e->link_has[3])
            g_string_append_printf(out, " queue %u", e->link.queue);
        break;
    case EV_SYN_FLOOD: {
        char a[INET_KEY_STRLEN];
        inet_key_ntop(e->flood_net, a);
        g_string_append_printf(out, " %g/s from %s/%u", e->rate, a, e->flood_prefix);
        if (e->duration > 0)
            g_string_append_printf(out, " for %.3f s", (double)e->duration / SEC);
        break;
    }
    case EV_HOOK_REGISTER:
    case EV_HOOK_UNREGISTER:
        g_string_append_printf(out, " %s", e->key);
        break;
    case EV_DIRECTOR_DOWN:
        g_string_append_printf(out, " %s%s", e->server, e->value ? " (graceful)" : "");
        break;
    case EV_SERVER_SLOW:
    case EV_SERVER_SET:
        g_string_append_printf(out, " %s", e->server);
        if (e->key)
            g_string_append_printf(out, " %s", e->key);
        if (e->kind == EV_SERVER_SLOW)
            g_string_append_printf(out, " x%g", e->rate);
        if (e->has_service_time)
            g_string_append_printf(out, " service_time mean %.3f ms", dist_mean(&e->service_time) / MSEC);
        if (e->workers)
            g_string_append_printf(out, " workers %d", e->workers);
        break;
    default:
        if (e->server)
            g_string_append_printf(out, " %s", e->server);
        break;
    }
}

void run_world_log_healthcheck(void *ctx, const struct healthcheck *hc,
                               const struct healthcheck_event *e)
{
    struct run_world *rw = ctx;
    healthcheck_event_line(hc, e, rw->event_log);
}

void run_world_event(struct sim *sim, void *obj, uint64_t index)
{
    struct run_world *rw = obj;
    const struct scn_event *e = &g_array_index(rw->s->events, struct scn_event, index);
    char msg[600] = "";
    GString *listing = g_string_new(NULL);
    bool ok = apply_event(rw, e, msg, sizeof msg, listing);
    apply_to_backup(rw, e);
    rw->events_applied++;
    char at[SIM_TIME_AT_LEN];
    sim_time_at(at, e->at);
    g_string_append(rw->event_log, at);
    describe(e, rw->event_log);
    g_string_append_printf(rw->event_log, ": %s%s\n", ok ? "ok" : "failed: ", ok ? "" : msg);
    /* a listing follows its line, each of its lines indented by two spaces */
    for (const char *l = listing->str; *l;) {
        size_t len = strcspn(l, "\n");
        g_string_append_printf(rw->event_log, "  %.*s\n", (int)len, l);
        l += len + (l[len] == '\n');
    }
    g_string_free(listing, TRUE);
}
