/* A scenario from a keepalived.conf (import_keepalived.h). */
#include "app/import/import_keepalived.h"

#include <arpa/inet.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "model/ipvs/ip_vs.h"

#define MAX_PORTS 8                 /* distinct ports a server listens on */

struct server {
    be32 ip;
    int port;                       /* the first; ports[] all of them, first-seen order */
    int ports[MAX_PORTS], nports;
    char *name;
    struct kconf_pos pos;           /* where it first appears */
};

struct importer {
    const struct kconf *k;
    const char *file;
    GPtrArray *warnings;
    GArray *servers;                /* struct server, in order of appearance */
    int n_rs, n_sorry;
};

static G_GNUC_PRINTF(3, 4) void warn(struct importer *im, struct kconf_pos pos, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_ptr_array_add(im->warnings, g_strdup_printf("%s:%d:%d: warning: %s", im->file, pos.line,
                                                  pos.col, msg));
    g_free(msg);
}

static const char *ip_str(be32 a, char buf[INET_ADDRSTRLEN])
{
    return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

/* keepalived's seconds as a scenario duration: "6s", "500ms", "1500us". */
static char *duration(double secs)
{
    double us = round(secs * 1e6);
    if (fmod(us, 1e6) == 0)
        return g_strdup_printf("%.0fs", us / 1e6);
    if (fmod(us, 1e3) == 0)
        return g_strdup_printf("%.0fms", us / 1e3);
    return g_strdup_printf("%.0fus", us);
}

static void add_duration(cJSON *o, const char *key, double secs)
{
    if (secs < 0)
        return;
    char *d = duration(secs);
    cJSON_AddStringToObject(o, key, d);
    g_free(d);
}

/* The first given of a checker's, its real server's and its virtual server's value. */
static double first_secs(double a, double b, double c)
{
    return a >= 0 ? a : b >= 0 ? b : c;
}

static const char *const fwd_flag[] = { "-m", "-g", "-i" };
static const char *const fwd_name[] = { "NAT", "DR", "TUN" };

static char *service_spec(const struct kconf_vs *v, const struct kconf_vs_addr *a)
{
    char b[INET_ADDRSTRLEN];
    if (a->fwmark)
        return g_strdup_printf("-f %u", a->fwmark);
    const char *flag = v->protocol == IPPROTO_UDP ? "-u" : v->protocol == IPPROTO_SCTP ? "--sctp-service" : "-t";
    return g_strdup_printf("%s %s:%d", flag, ip_str(a->addr, b), a->port);
}

/* The port a real server gets: its own, else the service's (a fwmark service's
 * port-less real server: none). */
static int rs_port(const struct kconf_rs *rs, const struct kconf_vs_addr *a)
{
    return rs->port ? rs->port : a->port;
}

/* Another port of a real server: it gets a listener there too (servers[].listen). */
static void add_port(struct importer *im, struct server *s, int port, struct kconf_pos pos)
{
    if (!port)
        return;
    for (int i = 0; i < s->nports; i++)
        if (s->ports[i] == port)
            return;
    if (s->nports == MAX_PORTS) {
        char b[INET_ADDRSTRLEN];
        warn(im, pos, "%s: more than %d ports: traffic to %d is refused", ip_str(s->ip, b),
             MAX_PORTS, port);
        return;
    }
    s->ports[s->nports++] = port;
    if (!s->port)
        s->port = port;
}

static const char *server_named(struct importer *im, be32 ip, int port, bool sorry,
                                struct kconf_pos pos)
{
    for (guint i = 0; i < im->servers->len; i++) {
        struct server *s = &g_array_index(im->servers, struct server, i);
        if (s->ip != ip)
            continue;
        add_port(im, s, port, pos);
        return s->name;
    }
    struct server s = { .ip = ip, .pos = pos,
                        .name = sorry ? g_strdup_printf("sorry%d", ++im->n_sorry)
                                      : g_strdup_printf("rs%d", ++im->n_rs) };
    add_port(im, &s, port, pos);
    g_array_append_val(im->servers, s);
    return g_array_index(im->servers, struct server, im->servers->len - 1).name;
}

static cJSON *check_json(struct importer *im, const struct kconf_vs *v, const struct kconf_rs *rs,
                         const struct kconf_check *c)
{
    static const char *const types[] = { "TCP_CHECK", "HTTP_GET", "SSL_GET", "MISC_CHECK" };
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "type", types[c->type]);
    add_duration(o, "delay_loop", first_secs(c->delay_loop, rs->delay_loop, -1));
    add_duration(o, "connect_timeout", first_secs(c->connect_timeout, rs->connect_timeout, v->connect_timeout));
    long retry = c->retry >= 0 ? c->retry : rs->retry >= 0 ? rs->retry : v->retry;
    if (retry >= 0)
        cJSON_AddNumberToObject(o, "retry", (double)retry);
    add_duration(o, "delay_before_retry",
                 first_secs(c->delay_before_retry, rs->delay_before_retry, v->delay_before_retry));
    char b[INET_ADDRSTRLEN];
    if (c->connect_ip)
        cJSON_AddStringToObject(o, "connect_ip", ip_str(c->connect_ip, b));
    if (c->connect_port)
        cJSON_AddNumberToObject(o, "connect_port", c->connect_port);
    if (c->urls->len) {
        cJSON *urls = cJSON_AddArrayToObject(o, "url");
        for (guint i = 0; i < c->urls->len; i++) {
            const struct kconf_url *u = &g_array_index(c->urls, struct kconf_url, i);
            cJSON *uo = cJSON_CreateObject();
            cJSON_AddStringToObject(uo, "path", u->path);
            if (u->status_code)
                cJSON_AddStringToObject(uo, "status_code", u->status_code);
            cJSON_AddItemToArray(urls, uo);
        }
    }
    if (c->type == KCONF_SSL_GET)
        warn(im, c->pos, "SSL_GET: no TLS is modelled: an HTTP_GET on its port");
    if (c->type == KCONF_MISC_CHECK) {
        if (c->misc_path)
            cJSON_AddStringToObject(o, "misc_path", c->misc_path);
        if (c->misc_dynamic)
            cJSON_AddBoolToObject(o, "misc_dynamic", true);
        cJSON_AddItemToObject(o, "exit_codes", cJSON_CreateArray());
        warn(im, c->pos, "MISC_CHECK: its script is not run: it passes (exit 0) until you give "
             "exit_codes (a time and a code each)");
    }
    return o;
}

static bool services(struct importer *im, cJSON *ipvs, cJSON *hc_services,
                     cJSON *clients, struct kconf_error *err)
{
    char b[INET_ADDRSTRLEN];
    int nclient = 0;
    for (guint i = 0; i < im->k->vs->len; i++) {
        const struct kconf_vs *v = &g_array_index(im->k->vs, struct kconf_vs, i);
        if (v->sched && !ip_vs_scheduler_find(v->sched)) {
            err->pos = v->sched_pos;
            GString *names = g_string_new(NULL);
            for (const char *const *n = ip_vs_scheduler_names(); *n; n++)
                g_string_append_printf(names, "%s%s", n == ip_vs_scheduler_names() ? "" : ", ", *n);
            snprintf(err->msg, sizeof err->msg, "unknown scheduler '%s' (expected one of: %s)",
                     v->sched, names->str);
            g_string_free(names, TRUE);
            return false;
        }
        if (!v->rs->len)
            warn(im, v->pos, "virtual_server without a real_server: a service with no dest");
        int fwd = v->fwd == KCONF_FWD_UNSET ? KCONF_NAT : v->fwd;
        for (guint j = 0; j < v->addrs->len; j++) {
            const struct kconf_vs_addr *a = &g_array_index(v->addrs, struct kconf_vs_addr, j);
            char *spec = service_spec(v, a);
            GString *line = g_string_new(NULL);
            g_string_printf(line, "-A %s", spec);
            if (v->sched)
                g_string_append_printf(line, " -s %s", v->sched);
            if (v->persistence_timeout >= 0) {
                g_string_append_printf(line, " -p %ld", v->persistence_timeout);
                if (v->persistence_granularity)
                    g_string_append_printf(line, " -M %s", ip_str(v->persistence_granularity, b));
            } else if (v->persistence_granularity) {
                warn(im, v->pos, "persistence_granularity without persistence_timeout: ignored");
            }
            cJSON_AddItemToArray(ipvs, cJSON_CreateString(line->str));
            cJSON *hs = cJSON_CreateObject();
            cJSON_AddStringToObject(hs, "service", spec);
            add_duration(hs, "delay_loop", v->delay_loop);
            if (v->alpha)
                cJSON_AddBoolToObject(hs, "alpha", true);
            if (v->omega)
                cJSON_AddBoolToObject(hs, "omega", true);
            if (v->quorum >= 0)
                cJSON_AddNumberToObject(hs, "quorum", (double)v->quorum);
            if (v->hysteresis >= 0)
                cJSON_AddNumberToObject(hs, "hysteresis", (double)v->hysteresis);
            if (v->inhibit > 0)
                cJSON_AddBoolToObject(hs, "inhibit_on_failure", true);
            if (v->has_sorry) {
                int port = v->sorry_port ? v->sorry_port : a->port;
                char *ep = g_strdup_printf("%s:%d", ip_str(v->sorry_addr, b), port);
                cJSON_AddStringToObject(hs, "sorry_server", ep);
                g_free(ep);
                if (v->sorry_fwd != KCONF_FWD_UNSET)
                    cJSON_AddStringToObject(hs, "sorry_server_lvs_method", fwd_name[v->sorry_fwd]);
                if (v->sorry_inhibit)
                    cJSON_AddBoolToObject(hs, "sorry_server_inhibit", true);
            }
            cJSON *hrs = cJSON_AddArrayToObject(hs, "real_servers");
            for (guint r = 0; r < v->rs->len; r++) {
                const struct kconf_rs *rs = &g_array_index(v->rs, struct kconf_rs, r);
                int port = rs_port(rs, a);
                server_named(im, rs->addr, port, false, rs->pos);
                g_string_printf(line, "-a %s -r %s", spec, ip_str(rs->addr, b));
                if (port)
                    g_string_append_printf(line, ":%d", port);
                g_string_append_printf(line, " %s -w %ld", fwd_flag[fwd], rs->weight);
                if (rs->uthreshold >= 0)
                    g_string_append_printf(line, " -x %ld", rs->uthreshold);
                if (rs->lthreshold >= 0)
                    g_string_append_printf(line, " -y %ld", rs->lthreshold);
                cJSON_AddItemToArray(ipvs, cJSON_CreateString(line->str));
                cJSON *ro = cJSON_CreateObject();
                char *ep = g_strdup_printf("%s:%d", ip_str(rs->addr, b), port);
                cJSON_AddStringToObject(ro, "server", ep);
                g_free(ep);
                if (rs->inhibit > 0)
                    cJSON_AddBoolToObject(ro, "inhibit_on_failure", true);
                cJSON *checks = cJSON_AddArrayToObject(ro, "checks");
                for (guint c = 0; c < rs->checks->len; c++)
                    cJSON_AddItemToArray(checks, check_json(im, v, rs,
                                         &g_array_index(rs->checks, struct kconf_check, c)));
                cJSON_AddItemToArray(hrs, ro);
            }
            /* the sorry server after the real servers: rs1, rs2, ... come first */
            if (v->has_sorry)
                server_named(im, v->sorry_addr, v->sorry_port ? v->sorry_port : a->port, true, v->pos);
            cJSON_AddItemToArray(hc_services, hs);
            g_string_free(line, TRUE);
            /* a default client group per service address */
            if (a->fwmark) {
                warn(im, v->pos, "fwmark %u: no client group made (mark the traffic with a netfilter "
                     "rule, -t mangle -A PREROUTING ... -j MARK --set-mark %u, and add clients)",
                     a->fwmark, a->fwmark);
            } else if (v->protocol == IPPROTO_SCTP) {
                warn(im, v->pos, "SCTP: no client group made (clients speak TCP or UDP)");
            } else {
                cJSON *cl = cJSON_CreateObject();
                char *name = g_strdup_printf("vs%d", ++nclient);
                char *target = g_strdup_printf("%s:%d", ip_str(a->addr, b), a->port);
                bool udp = v->protocol == IPPROTO_UDP;
                cJSON_AddStringToObject(cl, "name", name);
                cJSON_AddNumberToObject(cl, "count", 50);
                cJSON_AddStringToObject(cl, "target", target);
                cJSON_AddStringToObject(cl, "protocol", udp ? "udp" : "tcp");
                cJSON_AddStringToObject(cl, "arrival", udp ? "poisson(50/s)" : "poisson(20/s)");
                cJSON_AddStringToObject(cl, "request", udp ? "64B" : "300B");
                cJSON_AddStringToObject(cl, "response", udp ? "512B" : "10KB");
                cJSON_AddItemToArray(clients, cl);
                g_free(name);
                g_free(target);
            }
            g_free(spec);
        }
    }
    return true;
}

/* 198.18.N.0/24 (RFC 2544's benchmarking range), the first N no server, VIP or
 * service address is in. */
static bool taken(const struct importer *im, uint32_t net, const GArray *vips)
{
    for (guint i = 0; i < im->servers->len; i++)
        if ((ntohl(g_array_index(im->servers, struct server, i).ip) & ~0xffu) == net)
            return true;
    for (guint i = 0; vips && i < vips->len; i++)
        if ((ntohl(g_array_index(vips, be32, i)) & ~0xffu) == net)
            return true;
    for (guint i = 0; i < im->k->vs->len; i++) {
        const GArray *addrs = g_array_index(im->k->vs, struct kconf_vs, i).addrs;
        for (guint j = 0; j < addrs->len; j++)
            if ((ntohl(g_array_index(addrs, struct kconf_vs_addr, j).addr) & ~0xffu) == net)
                return true;
    }
    return false;
}

static void client_nets(struct importer *im, cJSON *clients, const GArray *vips)
{
    int n = 0;
    cJSON *cl;
    cJSON_ArrayForEach(cl, clients) {
        do
            n++;
        while (n < 255 && taken(im, (198u << 24) | (18u << 16) | ((uint32_t)n << 8), vips));
        char *c = g_strdup_printf("198.18.%d.0/24", n);
        cJSON_AddStringToObject(cl, "net", c);
        g_free(c);
    }
}

/* The address of the first virtual server that is not a firewall mark. */
static bool first_vs_addr(const struct importer *im, be32 *addr)
{
    for (guint i = 0; i < im->k->vs->len; i++) {
        const GArray *as = g_array_index(im->k->vs, struct kconf_vs, i).addrs;
        for (guint j = 0; j < as->len; j++)
            if (!g_array_index(as, struct kconf_vs_addr, j).fwmark) {
                *addr = g_array_index(as, struct kconf_vs_addr, j).addr;
                return true;
            }
    }
    return false;
}

static cJSON *director(struct importer *im)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "name", "lvs1");
    const GArray *vr = im->k->vrrp;
    be32 first;
    if ((!vr->len || !g_array_index(vr, struct kconf_vrrp, 0).vips->len) && first_vs_addr(im, &first)) {
        char b[INET_ADDRSTRLEN];    /* no VRRP address: the director holds the first service's */
        cJSON_AddStringToObject(d, "vip", ip_str(first, b));
    }
    if (!vr->len)
        return d;
    const struct kconf_vrrp *v = &g_array_index(vr, struct kconf_vrrp, 0);
    char b[INET_ADDRSTRLEN];
    if (v->vips->len)
        cJSON_AddStringToObject(d, "vip", ip_str(g_array_index(v->vips, be32, 0), b));
    for (guint i = 1; i < v->vips->len; i++)
        warn(im, v->pos, "vrrp_instance %s: virtual_ipaddress %s: the director holds one VIP "
             "(the first) and the addresses of its services", v->name,
             ip_str(g_array_index(v->vips, be32, i), b));
    for (guint i = 1; i < vr->len; i++)
        warn(im, g_array_index(vr, struct kconf_vrrp, i).pos, "vrrp_instance %s: one VRRP pair "
             "is modelled (the first instance's): ignored", g_array_index(vr, struct kconf_vrrp, i).name);
    if (v->backup)
        warn(im, v->pos, "vrrp_instance %s: state BACKUP: the scenario's director is the pair's "
             "MASTER and director.backup its BACKUP", v->name);
    cJSON *bk = cJSON_AddObjectToObject(d, "backup");
    cJSON_AddStringToObject(bk, "name", "lvs2");
    if (v->advert_int >= 0) {
        /* VRRP version 2 advertises whole seconds, 1 to 255 */
        double s = ceil(v->advert_int);
        s = s < 1 ? 1 : s > 255 ? 255 : s;
        if (s != v->advert_int)
            warn(im, v->pos, "vrrp_instance %s: advert_int %g: VRRP version 2 advertises whole "
                 "seconds: %.0fs", v->name, v->advert_int, s);
        add_duration(bk, "advert_int", s);
    }
    cJSON_AddBoolToObject(bk, "preempt", !v->nopreempt);
    cJSON_AddBoolToObject(bk, "sync", im->k->sync_daemon);
    if (im->k->sync_daemon && im->k->syncid >= 0)
        cJSON_AddNumberToObject(bk, "syncid", im->k->syncid);
    return d;
}

cJSON *import_keepalived(const struct kconf *k, const char *file, const char *name,
                         GPtrArray *warnings, struct kconf_error *err)
{
    struct importer im = { .k = k, .file = file, .warnings = warnings,
                           .servers = g_array_new(FALSE, FALSE, sizeof(struct server)) };
    memset(err, 0, sizeof *err);
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "name", name);
    char *desc = g_strdup_printf("Imported from %s by ipvsim import keepalived.", file);
    cJSON_AddStringToObject(root, "description", desc);
    g_free(desc);
    cJSON_AddStringToObject(root, "comment",
        "The clients are a default workload and the servers' service_time, workers and "
        "http_status ipvsim's defaults: edit them to match your traffic and servers. A "
        "MISC_CHECK's verdicts are its exit_codes.");
    cJSON_AddNumberToObject(root, "seed", 1);
    cJSON_AddStringToObject(root, "duration", "60s");
    cJSON_AddItemToObject(root, "director", director(&im));
    cJSON *servers = cJSON_AddArrayToObject(root, "servers");
    cJSON *clients = cJSON_AddArrayToObject(root, "clients");
    cJSON *ipvs = cJSON_AddArrayToObject(root, "ipvs");
    cJSON *hc = cJSON_AddObjectToObject(root, "healthcheck");
    cJSON_AddStringToObject(hc, "type", "none");
    cJSON *hcs = cJSON_AddArrayToObject(hc, "services");
    bool ok = services(&im, ipvs, hcs, clients, err);
    if (ok && !k->vs->len) {
        snprintf(err->msg, sizeof err->msg, "no virtual_server: nothing for IPVS to balance");
        ok = false;
    }
    if (ok && !im.servers->len) {
        snprintf(err->msg, sizeof err->msg, "no real_server: a scenario needs at least one server");
        ok = false;
    }
    /* run_world: the real servers share one LAN, a /24, with the director and the router */
    for (guint i = 1; ok && i < im.servers->len; i++) {
        const struct server *s0 = &g_array_index(im.servers, struct server, 0);
        const struct server *s = &g_array_index(im.servers, struct server, i);
        if ((ntohl(s->ip) & ~0xffu) != (ntohl(s0->ip) & ~0xffu)) {
            char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
            uint32_t lan = htonl(ntohl(s0->ip) & ~0xffu);
            err->pos = s->pos;
            snprintf(err->msg, sizeof err->msg, "%s: ipvsim puts the real servers on one LAN, a /24 "
                     "(here %s/24, %s's): real servers on several networks are not modelled",
                     ip_str(s->ip, a), ip_str(lan, b), s0->name);
            ok = false;
        }
    }
    if (ok) {
        const GArray *vips = k->vrrp->len ? g_array_index(k->vrrp, struct kconf_vrrp, 0).vips : NULL;
        client_nets(&im, clients, vips);
        char b[INET_ADDRSTRLEN];
        for (guint i = 0; i < im.servers->len; i++) {
            const struct server *s = &g_array_index(im.servers, struct server, i);
            cJSON *so = cJSON_CreateObject();
            cJSON_AddStringToObject(so, "name", s->name);
            cJSON_AddStringToObject(so, "ip", ip_str(s->ip, b));
            if (s->nports <= 1) {
                cJSON_AddNumberToObject(so, "port", s->port ? s->port : 80);
            } else {                /* TCP and UDP on each port, as "port" gives one */
                cJSON *ls = cJSON_AddArrayToObject(so, "listen");
                for (int p = 0; p < s->nports; p++)
                    for (int udp = 0; udp <= 1; udp++) {
                        char l[16];
                        snprintf(l, sizeof l, "%s:%d", udp ? "udp" : "tcp", s->ports[p]);
                        cJSON_AddItemToArray(ls, cJSON_CreateString(l));
                    }
            }
            cJSON_AddItemToArray(servers, so);
        }
    }
    for (guint i = 0; i < im.servers->len; i++)
        g_free(g_array_index(im.servers, struct server, i).name);
    g_array_free(im.servers, TRUE);
    if (!ok) {
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}

/* ---- the text --------------------------------------------------------------------------- */

static void compact(const cJSON *v, GString *out)
{
    if (cJSON_IsObject(v) || cJSON_IsArray(v)) {
        bool obj = cJSON_IsObject(v);
        const cJSON *c;
        if (!v->child) {
            g_string_append(out, obj ? "{}" : "[]");
            return;
        }
        g_string_append(out, obj ? "{ " : "[");
        bool first = true;
        cJSON_ArrayForEach(c, v) {
            g_string_append(out, first ? "" : ", ");
            first = false;
            if (obj) {
                cJSON *key = cJSON_CreateString(c->string);
                char *k = cJSON_PrintUnformatted(key);
                g_string_append_printf(out, "%s: ", k);
                cJSON_free(k);
                cJSON_Delete(key);
            }
            compact(c, out);
        }
        g_string_append(out, obj ? " }" : "]");
        return;
    }
    char *t = cJSON_PrintUnformatted(v);
    g_string_append(out, t);
    cJSON_free(t);
}

static void pretty(const cJSON *v, int indent, GString *out)
{
    GString *one = g_string_new(NULL);
    compact(v, one);
    bool container = cJSON_IsObject(v) || cJSON_IsArray(v);
    if (!container || indent + (int)one->len <= 100 || !v->child) {
        g_string_append(out, one->str);
        g_string_free(one, TRUE);
        return;
    }
    g_string_free(one, TRUE);
    bool obj = cJSON_IsObject(v);
    g_string_append(out, obj ? "{\n" : "[\n");
    const cJSON *c;
    cJSON_ArrayForEach(c, v) {
        g_string_append_printf(out, "%*s", indent + 2, "");
        if (obj) {
            cJSON *key = cJSON_CreateString(c->string);
            char *k = cJSON_PrintUnformatted(key);
            g_string_append_printf(out, "%s: ", k);
            cJSON_free(k);
            cJSON_Delete(key);
        }
        pretty(c, indent + 2, out);
        g_string_append(out, c->next ? ",\n" : "\n");
    }
    g_string_append_printf(out, "%*s%s", indent, "", obj ? "}" : "]");
}

char *import_json_text(const cJSON *root)
{
    GString *out = g_string_new(NULL);
    pretty(root, 0, out);
    g_string_append_c(out, '\n');
    return g_string_free(out, FALSE);
}
