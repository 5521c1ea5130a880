/* Scenarios that cannot work (run_lint.h). The services and dests are read from the
 * ipvsadm lines of "ipvs" and of the ipvsadm events, as written: a service an event
 * adds later is still a target, and a dest an event adds is checked at its event. */
#include "app/run/run_lint.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include "model/ipvs/ip_vs.h"
#include "model/user/ipvsadm/ipvsadm.h"
#include "sim/in6_key.h"
#include "app/scenario/units.h"

/* One ipvsadm line of the scenario with where it stands. */
struct lint_line {
    const struct scn_line *line;
    char what[32];                      /* "ipvs", or an event's */
};

static void warn(GPtrArray *out, const struct scenario *s, struct scn_pos pos, const char *what,
                 const char *fmt, ...) G_GNUC_PRINTF(5, 6);
static void warn(GPtrArray *out, const struct scenario *s, struct scn_pos pos, const char *what,
                 const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    struct scn_error e;
    scn_error_at(&e, s, pos, "warning: %s: %s", what, msg);
    g_ptr_array_add(out, e.pos.line > 0 ? g_strdup_printf("%s:%d:%d: %s", e.file, e.pos.line,
                                                          e.pos.col, e.msg)
                                        : g_strdup_printf("%s: %s", e.file, e.msg));
    g_free(msg);
}

static GArray *lint_lines(const struct scenario *s)
{
    GArray *a = g_array_new(FALSE, FALSE, sizeof(struct lint_line));
    for (guint i = 0; i < s->ipvs->len; i++) {
        struct lint_line l = { .line = &g_array_index(s->ipvs, struct scn_line, i), .what = "ipvs" };
        g_array_append_val(a, l);
    }
    for (guint i = 0; i < s->events->len; i++) {
        const struct scn_event *e = &g_array_index(s->events, struct scn_event, i);
        struct lint_line l = { .line = &e->args };
        /* s->events is sorted by time: the place says which one */
        snprintf(l.what, sizeof l.what, "an ipvsadm event's args");
        if (e->kind == EV_IPVSADM)
            g_array_append_val(a, l);
    }
    return a;
}

static const char *proto_name(uint16_t p)
{
    return p == IPPROTO_TCP ? "TCP" : p == IPPROTO_UDP ? "UDP" : p == IPPROTO_SCTP ? "SCTP" : "?";
}

/* The port a dest's packets reach the server on: NAT (and FULLNAT) rewrite it to the
 * dest's; DR and TUN keep the client's, the service's (ipvsadm sets a DR or TUN
 * dest's port to the service's). 0: cannot be known (a firewall-mark service). */
static uint16_t arrival_port(const struct ipvsadm_cmd *c, const struct ip_vs_service_user *svc)
{
    unsigned fwd = c->dest.conn_flags & IP_VS_CONN_F_FWD_MASK;
    if (fwd == IP_VS_CONN_F_MASQ || fwd == IP_VS_CONN_F_FULLNAT)
        return ntohs(c->dest.port);
    return svc && !svc->fwmark ? ntohs(svc->port) : 0;
}

/* Does srv take proto (0: either) on port? A "port" server takes TCP and UDP there, a
 * "listen" one what its listeners say. */
static bool srv_listens(const struct scn_server *srv, uint8_t proto, uint16_t port)
{
    if (!srv->listeners || srv->listeners->len == 0)
        return port == srv->port;
    for (guint i = 0; i < srv->listeners->len; i++) {
        const struct scn_listener *l = &g_array_index(srv->listeners, struct scn_listener, i);
        if (l->port == port && (proto == 0 || l->protocol == proto))
            return true;
    }
    return false;
}

/* What srv listens on, for a message: "port 80 only", or "tcp:80, udp:53". */
static void srv_ports_text(const struct scn_server *srv, char *buf, size_t len)
{
    if (!srv->listeners || srv->listeners->len == 0) {
        snprintf(buf, len, "port %u only", srv->port);
        return;
    }
    size_t n = (size_t)snprintf(buf, len, "only");
    for (guint i = 0; i < srv->listeners->len && n < len; i++) {
        const struct scn_listener *l = &g_array_index(srv->listeners, struct scn_listener, i);
        n += (size_t)snprintf(buf + n, len - n, "%s %s:%u", i ? "," : "",
                              l->protocol == IPPROTO_UDP ? "udp" : "tcp", l->port);
    }
}

static void lint_dest(const struct run_world *rw, const struct lint_line *l,
                      const struct ipvsadm_cmd *c, GArray *services, GPtrArray *out)
{
    const struct scenario *s = rw->s;
    const struct ip_vs_service_user *svc = NULL;
    for (guint k = 0; k < services->len; k++) {
        const struct ip_vs_service_user *x = &g_array_index(services, struct ip_vs_service_user, k);
        if (x->fwmark == c->svc.fwmark && (c->svc.fwmark ||
            (x->addr == c->svc.addr && x->port == c->svc.port && x->protocol == c->svc.protocol)))
            svc = x;
    }
    char a[UNITS_HOST_STRLEN];
    units_format_host(c->dest.addr, a);
    struct scn_pos pos = scn_line_pos(s, l->line, c->col_dest > 0 ? (size_t)(c->col_dest - 1) : 0);
    int k = run_world_server_index(rw, c->dest.addr);
    if (k < 0) {
        warn(out, s, pos, l->what, "dest %s is no server of the scenario: nothing answers there, "
             "the connections IPVS sends to it fail", a);
        return;
    }
    const struct scn_server *srv = &g_array_index(s->servers, struct scn_server, k);
    uint16_t port = arrival_port(c, svc);
    char ports[128];
    srv_ports_text(srv, ports, sizeof ports);
    if (port != 0 && !srv_listens(srv, c->svc.fwmark ? 0 : (uint8_t)c->svc.protocol, port))
        warn(out, s, pos, l->what, "dest %s:%u: server %s listens on %s: the connections IPVS "
             "sends to it are refused", a, port, srv->name, ports);
}

/* Does some service take proto target:port (a port-0 service takes every port)? */
static bool has_service(GArray *services, uint16_t proto, be32 addr, uint16_t port, bool *fwmark)
{
    for (guint k = 0; k < services->len; k++) {
        const struct ip_vs_service_user *x = &g_array_index(services, struct ip_vs_service_user, k);
        *fwmark |= x->fwmark != 0;
        if (!x->fwmark && x->addr == addr && x->protocol == proto &&
            (x->port == 0 || ntohs(x->port) == port))
            return true;
    }
    return false;
}

static void lint_client(const struct run_world *rw, guint i, GArray *services, GPtrArray *out)
{
    const struct scenario *s = rw->s;
    const struct scn_client *cl = &g_array_index(s->clients, struct scn_client, i);
    const cJSON *node = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(s->root, "clients"),
                                           (int)i);
    struct scn_pos pos = node ? scn_pos_of_key(s, node, "target") : cl->pos;
    char what[64], a[UNITS_HOST_STRLEN];
    snprintf(what, sizeof what, "clients[%u].target", i);
    units_format_host(cl->target_ip, a);
    int k = run_world_server_index(rw, cl->target_ip);
    if (k >= 0) {
        const struct scn_server *srv = &g_array_index(s->servers, struct scn_server, k);
        char ports[128];
        srv_ports_text(srv, ports, sizeof ports);
        if (!srv_listens(srv, cl->script ? 0 : cl->protocol, cl->target_port))
            warn(out, s, pos, what, "server %s listens on %s, not %u: its connections are "
                 "refused", srv->name, ports, cl->target_port);
        return;
    }
    const uint16_t protos[2] = { IPPROTO_TCP, IPPROTO_UDP };
    bool used[2] = { cl->protocol == IPPROTO_TCP, cl->protocol == IPPROTO_UDP };
    if (cl->script)                     /* a script's rows name their protocols */
        used[0] = used[1] = false;
    for (guint c = 0; cl->script && c < cl->script->len; c++) {
        uint8_t p = g_array_index(cl->script, struct client_script_conn, c).proto;
        used[0] |= p == IPPROTO_TCP;
        used[1] |= p == IPPROTO_UDP;
    }
    for (int p = 0; p < 2; p++) {
        bool fwmark = false;
        if (!used[p] || has_service(services, protos[p], cl->target_ip, cl->target_port, &fwmark) ||
            fwmark)                     /* a MARK rule may send it to a firewall-mark service */
            continue;
        bool local = cl->target_ip == rw->dip || cl->target_ip == s->director.vip ||
                     (cl->target_ip && (cl->target_ip == s->director.vip6 ||
                                        cl->target_ip == rw->dip6));
        warn(out, s, pos, what, "%s %s:%u is no virtual service of \"ipvs\" and no server%s",
             proto_name(protos[p]), a, cl->target_port,
             local ? ": the director answers it itself (refused)"
                   : ": nothing answers there (connections time out)");
    }
}

void run_world_lint(const struct run_world *rw, GPtrArray *out)
{
    GArray *lines = lint_lines(rw->s);
    GArray *services = g_array_new(FALSE, FALSE, sizeof(struct ip_vs_service_user));
    for (guint i = 0; i < lines->len; i++) {
        const struct lint_line *l = &g_array_index(lines, struct lint_line, i);
        struct ipvsadm_cmd c;
        struct ipvsadm_error e;
        if (ipvsadm_parse(l->line->text, &c, &e) != 0)
            continue;
        if (c.cmd == IPVSADM_CMD_ADD)
            g_array_append_val(services, c.svc);
        else if (c.cmd == IPVSADM_CMD_ADDDEST || c.cmd == IPVSADM_CMD_EDITDEST)
            lint_dest(rw, l, &c, services, out);
    }
    for (guint i = 0; i < rw->s->clients->len; i++)
        lint_client(rw, i, services, out);
    g_array_free(services, TRUE);
    g_array_free(lines, TRUE);
}
