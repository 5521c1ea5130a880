/* Building a run's world from a scenario. */
#include "app/run/run_world.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include "app/run/run_ha.h"
#include "app/run/run_world6.h"
#include "app/scenario/sysctl.h"
#include "model/ipv4/ip.h"
#include "model/ipv4/ipip.h"
#include "model/ipvs/ip_vs_ctl.h"
#include "model/ipvs/ip_vs_defense.h"
#include "model/user/ipvsadm/ipvsadm.h"
#include "model/net.h"
#include "model/user/iptables/iptables_parse.h"
#include "model/netfilter/user_hook.h"
#include "sim/pcap_tap.h"
#include "sim/in6_key.h"

#define CLIENT_SIDE_NET 0x64400000u     /* 100.64.0.0/16: gw .1, client hosts .2 on */
#define CLIENT_SIDE_LEN 16
#define LAN_LEN 24
#define LAN_DEFAULT 0x0affff00u         /* 10.255.255.0/24: the LAN's IPv4 when every server is IPv6 */

/* Where the capture list stands, for errors about a capture point. */
static struct scn_pos capture_pos(const struct scenario *s)
{
    return scn_pos_of(s, cJSON_GetObjectItemCaseSensitive(s->root, "capture"));
}

static be32 lan_addr(const struct run_world *rw, uint32_t host)
{
    return htonl(ntohl(rw->lan_net) | host);
}

static bool lan_taken(const struct run_world *rw, be32 a)
{
    for (guint i = 0; i < rw->s->servers->len; i++)
        if (g_array_index(rw->s->servers, struct scn_server, i).ip == a)
            return true;
    return a == rw->s->director.vip || (a == rw->s->backup.dip && rw->s->backup.enabled);
}

/* The addresses a scenario puts on the LAN, in its order: every server's, an explicit
 * director.dip, and the real servers of its "ipvs" lines. */
static GArray *lan_addresses(const struct scenario *s)
{
    GArray *a = g_array_new(FALSE, FALSE, sizeof(be32));
    for (guint i = 0; i < s->servers->len; i++)
        g_array_append_val(a, g_array_index(s->servers, struct scn_server, i).ip);
    if (s->director.dip)
        g_array_append_val(a, s->director.dip);
    for (guint i = 0; i < s->ipvs->len; i++) {
        struct ipvsadm_cmd cmd;
        struct ipvsadm_error e;
        if (ipvsadm_parse(g_array_index(s->ipvs, struct scn_line, i).text, &cmd, &e) == 0 &&
            (cmd.cmd == IPVSADM_CMD_ADDDEST || cmd.cmd == IPVSADM_CMD_EDITDEST))
            g_array_append_val(a, cmd.dest.addr);
    }
    return a;
}

/* Of the servers' /24s (one, in a good scenario), the one most of those addresses
 * are on (the first server's on a tie), so that the address out of line is the one
 * blamed: a typo in the first server's address is not the other servers' fault.
 * *votes: how many are on it. */
static be32 lan_of_most(const GArray *addrs, guint nservers, guint *votes)
{
    /* counted by lookup, chosen in server order: linear in the addresses (a scan per
     * server made 100000 servers take seconds), and no table order decides */
    GHashTable *count = g_hash_table_new(g_direct_hash, g_direct_equal);
    for (guint k = 0; k < addrs->len; k++) {
        if (in6_is_key(g_array_index(addrs, be32, k)))
            continue;               /* IPv6: run_world6.c's /64 */
        gpointer net = GUINT_TO_POINTER(g_array_index(addrs, be32, k) & inet_mask(LAN_LEN));
        g_hash_table_insert(count, net,
                            GUINT_TO_POINTER(GPOINTER_TO_UINT(g_hash_table_lookup(count, net)) + 1));
    }
    be32 best = 0;
    *votes = 0;
    for (guint i = 0; i < nservers; i++) {
        if (in6_is_key(g_array_index(addrs, be32, i)))
            continue;
        be32 net = g_array_index(addrs, be32, i) & inet_mask(LAN_LEN);
        guint n = GPOINTER_TO_UINT(g_hash_table_lookup(count, GUINT_TO_POINTER(net)));
        if (n > *votes) {
            best = net;
            *votes = n;
        }
    }
    g_hash_table_destroy(count);
    return best;
}

/* Where key of the i-th entry of the scenario's list (servers, clients) stands. */
static struct scn_pos entry_key_pos(const struct scenario *s, const char *list, guint i,
                                    const char *key)
{
    const cJSON *entries = cJSON_GetObjectItemCaseSensitive(s->root, list);
    return scn_pos_of_key(s, cJSON_GetArrayItem(entries, (int)i), key);
}

/* The servers' /24, the director's address on it and the router's. */
static bool plan_lan(struct run_world *rw, struct scn_error *err)
{
    const struct scenario *s = rw->s;
    GArray *addrs = lan_addresses(s);
    guint votes;
    rw->lan_net = lan_of_most(addrs, s->servers->len, &votes);
    if (votes == 0)
        rw->lan_net = htonl(LAN_DEFAULT);
    for (guint i = 0; i < s->servers->len; i++) {
        const struct scn_server *sv = &g_array_index(s->servers, struct scn_server, i);
        if (!in6_is_key(sv->ip) && (sv->ip & inet_mask(LAN_LEN)) != rw->lan_net) {
            char a[INET_KEY_STRLEN], net[INET_KEY_STRLEN];
            inet_key_ntop(sv->ip, a);
            inet_key_ntop(rw->lan_net, net);
            scn_error_at(err, s, entry_key_pos(s, "servers", i, "ip"),
                         "servers[%u].ip: %s is not on the LAN %s/24, which %u of the %u LAN "
                         "addresses are on (the servers', director.dip, the ipvs real servers'; a "
                         "tie goes to the first server): every real server shares the /24 of the "
                         "director and the router", i, a, net, votes, addrs->len);
            g_array_free(addrs, TRUE);
            return false;
        }
    }
    g_array_free(addrs, TRUE);
    rw->dip = s->director.dip;
    for (uint32_t h = 1; !rw->dip && h < 254; h++)
        if (!lan_taken(rw, lan_addr(rw, h)))
            rw->dip = lan_addr(rw, h);
    rw->nat_gw = rw->dip;
    if (s->backup.enabled) {
        /* The backup's address, then the floating gateway of the NAT real servers. */
        rw->backup_dip = s->backup.dip;
        rw->nat_gw = 0;
        for (uint32_t h = 1; h < 254 && (!rw->backup_dip || !rw->nat_gw); h++) {
            be32 a = lan_addr(rw, h);
            if (lan_taken(rw, a) || a == rw->dip || a == rw->backup_dip)
                continue;
            if (!rw->backup_dip)
                rw->backup_dip = a;
            else
                rw->nat_gw = a;
        }
    }
    for (uint32_t h = 254; !rw->gw_lan && h > 1; h--)
        if (!lan_taken(rw, lan_addr(rw, h)) && lan_addr(rw, h) != rw->dip &&
            lan_addr(rw, h) != rw->backup_dip && lan_addr(rw, h) != rw->nat_gw)
            rw->gw_lan = lan_addr(rw, h);
    return rw->dip && rw->gw_lan && rw->nat_gw;
}

/* Interfaces, then the kernel (connected routes come from the addresses). */
static struct host *add_host(struct run_world *rw, const char *name, const char *dev, be32 addr,
                             uint8_t len, const struct kernel_profile *prof)
{
    struct host *h = host_new(&rw->w, name);
    if (!h)
        return NULL;
    struct net_device *d = host_add_dev(h, dev, 1500);
    if (!in6_is_key(addr))          /* an IPv6-only server: run_world6_server's */
        netdev_add_addr(d, addr, len);
    net_new(h, prof);
    return h;
}

static struct link *add_link(struct run_world *rw, const char *name, const struct scn_link *l)
{
    struct link_params p = { .latency = l->latency, .bandwidth_bps = l->bandwidth,
                             .loss = l->loss, .queue_limit = l->queue };
    return link_new(&rw->w, name, &p);
}

static bool build_core_hosts(struct run_world *rw, const struct kernel_profile *prof,
                             struct scn_error *err)
{
    const struct scenario *s = rw->s;
    rw->gw = host_new(&rw->w, "gw");
    netdev_add_addr(host_add_dev(rw->gw, "eth0", 1500), htonl(CLIENT_SIDE_NET | 1), CLIENT_SIDE_LEN);
    netdev_add_addr(host_add_dev(rw->gw, "eth1", 1500), rw->gw_lan, LAN_LEN);
    net_new(rw->gw, prof);
    host_net(rw->gw)->ipv4.ip_forward = 1;
    rw->director = host_new(&rw->w, s->director.name);
    if (!rw->director) {
        scn_error_at(err, s, scn_pos_of_key(s, cJSON_GetObjectItemCaseSensitive(s->root, "director"),
                                            "name"),
                     "director.name: the name '%s' is already taken (host names are unique; "
                     "the router is 'gw')", s->director.name);
        return false;
    }
    struct net_device *eth0 = host_add_dev(rw->director, "eth0", 1500);
    netdev_add_addr(eth0, rw->dip, LAN_LEN);
    if (!in6_is_key(s->director.vip))
        netdev_add_addr(eth0, s->director.vip, 32);
    struct net *dnet = net_new(rw->director, prof);
    dnet->ipv4.ip_forward = s->director.ip_forward;
    /* One arm: NAT replies leave by the interface they came in on, which makes the
     * kernel send every real server redirects to gw. LVS guides turn that off, and
     * so does the world (the scenario's sysctl can turn it back on). */
    dnet->ipv4.send_redirects = 0;
    fib_add(dnet, 0, 0, rw->gw_lan, NULL);
    if (in6_is_key(s->director.vip))
        ;                       /* an IPv6 VIP: run_world6_core routes it */
    else if (s->backup.enabled) /* on-link: resolution finds whichever director holds it */
        fib_add(host_net(rw->gw), s->director.vip, 32, 0, host_dev(rw->gw, "eth1"));
    else
        fib_add(host_net(rw->gw), s->director.vip, 32, rw->dip, NULL);
    if (!run_world6_core(rw)) {
        scn_error_at(err, s, scn_pos_of(s, cJSON_GetObjectItemCaseSensitive(s->root, "director")),
                     "director: the IPv6 addresses and routes of the director and the router "
                     "could not be set up");
        return false;
    }
    return true;
}

/* The forwarding method of the dests that point at addr, over every ipvsadm line of
 * the scenario (configuration and events); -1 when none does. */
/* How the first ipvsadm line naming a server (in the lines, then the events)
 * forwards to it: the method (-1: none names it) and, for TUN, the tunnel. */
struct server_fwd {
    int method;
    uint16_t tun_type;
    be16 tun_port;
};

/* af: only the lines whose service is of that family (0: any). */
static struct server_fwd fwd_in_lines(const struct scenario *s, be32 addr, unsigned af)
{
    struct server_fwd f = { .method = -1 };
    GArray *lists[2] = { s->ipvs, NULL };
    GPtrArray *evlines = g_ptr_array_new();
    for (guint i = 0; i < s->events->len; i++) {
        const struct scn_event *e = &g_array_index(s->events, struct scn_event, i);
        if (e->kind == EV_IPVSADM)
            g_ptr_array_add(evlines, e->args.text);
    }
    for (guint i = 0; i < lists[0]->len + evlines->len; i++) {
        const char *text = i < lists[0]->len ? g_array_index(lists[0], struct scn_line, i).text
                                             : g_ptr_array_index(evlines, i - lists[0]->len);
        struct ipvsadm_cmd cmd;
        struct ipvsadm_error e;
        if (ipvsadm_parse(text, &cmd, &e) == 0 &&
            (cmd.cmd == IPVSADM_CMD_ADDDEST || cmd.cmd == IPVSADM_CMD_EDITDEST) &&
            cmd.dest.addr == addr && f.method < 0 &&
            (!af || (cmd.svc.af == AF_INET6 ? AF_INET6 : AF_INET) == af)) {
            f.method = (int)(cmd.dest.conn_flags & IP_VS_CONN_F_FWD_MASK);
            f.tun_type = cmd.dest.tun_type;
            f.tun_port = cmd.dest.tun_port;
        }
    }
    g_ptr_array_free(evlines, TRUE);
    return f;
}

static struct server_fwd fwd_of_server(const struct scenario *s, be32 addr, unsigned af)
{
    struct server_fwd f = fwd_in_lines(s, addr, af);
    /* A sorry server no line names: as the health checker will add it (its
     * sorry_server_lvs_method, else as its service's first real server). */
    for (size_t i = 0; f.method < 0 && i < s->healthcheck.n_vs; i++) {
        const struct hc_vs_cfg *v = &s->healthcheck.vs[i];
        if (v->sorry_addr != addr)
            continue;
        if (v->sorry_fwd != ~0u)
            f.method = (int)v->sorry_fwd;
        else if (v->n_rs)
            f.method = fwd_in_lines(s, v->rs[0].addr, 0).method;
    }
    return f;
}

/* The real server's end of the tunnel, as its admin sets it up: the VIP on tunl0
 * (IPIP, and GUE with `ip fou add port N gue`), or on the fallback gre0 (GRE). */
static void add_tunnel_end(struct host *h, be32 vip, const struct server_fwd *f)
{
    if (f->tun_type == IP_VS_CONN_F_TUNNEL_TYPE_GRE) {
        netdev_add_addr(host_add_dev(h, GRE_DEVICE, 1476), vip, 32);
        return;
    }
    netdev_add_addr(host_add_dev(h, IPIP_DEVICE, 1480), vip, 32);
    if (f->tun_type == IP_VS_CONN_F_TUNNEL_TYPE_GUE)
        host_net(h)->fou_gue_port = f->tun_port;
}

/* A mixed-family LVS-TUN real server (3.18+: a dest of the other family than its
 * service's): an IPv6 service tunnelling to its IPv4 address sends IPv6-in-IPv4 to
 * sit0, an IPv4 service tunnelling to its IPv6 address IPv4-in-IPv6 to ip6tnl0. It
 * answers the client directly in the service's family, so it needs an address of
 * that family too: a dual-stack server (ip and ip6). */
static bool build_mixed_tun_end(struct run_world *rw, struct host *h, guint i,
                                struct scn_error *err)
{
    const struct scenario *s = rw->s;
    const struct scn_server *sv = &g_array_index(s->servers, struct scn_server, i);
    be32 a4 = in6_is_key(sv->ip) ? 0 : sv->ip;
    be32 a6 = in6_is_key(sv->ip) ? sv->ip : sv->ip6;
    bool sit = a4 && fwd_in_lines(s, a4, AF_INET6).method == IP_VS_CONN_F_TUNNEL;
    bool ip4ip6 = a6 && fwd_in_lines(s, a6, AF_INET).method == IP_VS_CONN_F_TUNNEL;
    if ((sit && !a6) || (ip4ip6 && !a4)) {
        char t[INET_KEY_STRLEN];
        scn_error_at(err, s, entry_key_pos(s, "servers", i, "ip"),
                     "servers[%u].ip: %s is an LVS-TUN real server of an %s service: it "
                     "answers the client over %s directly, so it needs an address of that "
                     "family too (a dual-stack server: an IPv4 ip and an IPv6 ip6)",
                     i, inet_key_ntop(sit ? a4 : a6, t), sit ? "IPv6" : "IPv4",
                     sit ? "IPv6" : "IPv4");
        return false;
    }
    if (!run_world6_mixed_tun(rw, h, sit, ip4ip6)) {
        scn_error_at(err, s, entry_key_pos(s, "servers", i, "ip"),
                     "servers[%u]: its mixed-family tunnel could not be set up", i);
        return false;
    }
    return true;
}

static bool build_servers(struct run_world *rw, const struct kernel_profile *prof,
                          struct scn_error *err)
{
    const struct scenario *s = rw->s;
    for (guint i = 0; i < s->servers->len; i++) {
        const struct scn_server *sv = &g_array_index(s->servers, struct scn_server, i);
        struct host *h = add_host(rw, sv->name, "eth0", sv->ip, LAN_LEN, prof);
        if (!h) {
            scn_error_at(err, s, entry_key_pos(s, "servers", i, "name"), "servers[%u].name: the "
                         "name '%s' is already taken (host names are unique; the router is 'gw')",
                         i, sv->name);
            return false;
        }
        bool v4 = !in6_is_key(sv->ip), vip4 = s->director.vip && !in6_is_key(s->director.vip);
        /* each address as the first line of a service of its own family names it */
        struct server_fwd f = fwd_of_server(s, sv->ip, v4 ? AF_INET : AF_INET6);
        int method = f.method;
        bool via_director = method == IP_VS_CONN_F_MASQ;
        if (v4)
            fib_add(host_net(h), 0, 0, via_director ? rw->nat_gw : rw->gw_lan, NULL);
        /* DR: the VIP on lo (never answered for on the wire); TUN: on the tunnel. */
        if (v4 && vip4 && method == IP_VS_CONN_F_DROUTE)
            netdev_add_addr(host_dev(h, "lo"), s->director.vip, 32);
        if (v4 && vip4 && method == IP_VS_CONN_F_TUNNEL)
            add_tunnel_end(h, s->director.vip, &f);
        /* its IPv6 address, forwarded to as the first line naming it says */
        int method6 = v4 && sv->ip6 ? fwd_of_server(s, sv->ip6, AF_INET6).method : method;
        if (rw->ipv6 && !run_world6_server(rw, h, sv, method6)) {
            scn_error_at(err, s, entry_key_pos(s, "servers", i, v4 ? "ip6" : "ip"),
                         "servers[%u]: its IPv6 addresses and routes could not be set up", i);
            return false;
        }
        if (rw->ipv6 && !build_mixed_tun_end(rw, h, i, err))
            return false;
        g_ptr_array_add(rw->servers, h);
        /* "listen": its listeners in the scenario's order (events name them by index) */
        guint nl = sv->listeners->len;
        struct server_listener_cfg *ls = g_new0(struct server_listener_cfg, nl ? nl : 1);
        for (guint k = 0; k < nl; k++) {
            const struct scn_listener *l = &g_array_index(sv->listeners, struct scn_listener, k);
            ls[k] = (struct server_listener_cfg){
                .proto = l->protocol, .port = l->port, .workers = l->workers,
                .queue_limit = l->queue_limit, .has_service_time = l->has_service_time,
                .service_time = l->service_time,
            };
        }
        struct server_app_cfg cfg = {
            .name = sv->name, .index = (int)i, .port = sv->port, .workers = sv->workers,
            .listeners = ls, .nlisteners = nl,
            .service_time = sv->service_time, .queue_limit = sv->queue_limit,
            .close_after_response = sv->close_after_response,
        };
        g_ptr_array_add(rw->server_apps, server_app_start(host_net(h), &cfg, &rw->log));
        g_free(ls);
    }
    return true;
}

/* The group's source addresses: net+1 .. net+count (the director's DIP for a
 * group running on the director). */
static be32 *group_addrs(const struct scn_client *c, const struct run_world *rw, uint32_t *n)
{
    if (c->host && strcmp(c->host, "director") == 0) {
        *n = 1;
        be32 *a = g_new(be32, 1);
        a[0] = in6_is_key(c->target_ip) ? rw->dip6 : rw->dip;
        return a;
    }
    /* The first count host addresses: from net+1, except in a /31 or /32 (IPv6: /127
     * or /128), where every address is a host address. */
    *n = c->count;
    be32 *a = g_new(be32, c->count);
    for (uint32_t i = 0; i < c->count; i++)
        a[i] = scn_client_addr(c, i);
    return a;
}

static bool apply_sysctl_list(struct run_world *rw, struct host *h, const GArray *list,
                              struct scn_error *err)
{
    const struct scenario *s = rw->s;
    for (guint i = 0; list && i < list->len; i++) {
        const struct scn_sysctl *sc = &g_array_index(list, struct scn_sysctl, i);
        char msg[256];
        if (!sysctl_set(host_net(h), sc->key, sc->value, msg, sizeof msg)) {
            scn_error_at(err, s, sc->pos, "%s", msg);
            return false;
        }
    }
    return true;
}

static bool build_clients(struct run_world *rw, const struct kernel_profile *prof,
                          struct link *clients_link, struct scn_error *err)
{
    const struct scenario *s = rw->s;
    for (guint i = 0; i < s->clients->len; i++) {
        const struct scn_client *c = &g_array_index(s->clients, struct scn_client, i);
        struct host *h = rw->director;
        if (!c->host || strcmp(c->host, "director") != 0) {
            be32 side = htonl(CLIENT_SIDE_NET | (2 + i));
            h = add_host(rw, c->name, "eth0", side, CLIENT_SIDE_LEN, prof);
            if (!h) {
                scn_error_at(err, s, entry_key_pos(s, "clients", i, "name"), "clients[%u].name: "
                             "the name '%s' is already taken (host names are unique; the router "
                             "is 'gw')", i, c->name);
                return false;
            }
            if (!in6_is_key(c->net)) {
                fib_add_local_prefix(host_net(h), c->net, c->prefix);
                fib_add(host_net(rw->gw), c->net, c->prefix, side, NULL);
            }
            fib_add(host_net(h), 0, 0, htonl(CLIENT_SIDE_NET | 1), NULL);
            if (!run_world6_client(rw, h, c, i)) {
                scn_error_at(err, s, entry_key_pos(s, "clients", i, "net"), "clients[%u].net: "
                             "its IPv6 addresses and routes could not be set up", i);
                return false;
            }
            link_attach(clients_link, host_dev(h, "eth0"));
        }
        g_ptr_array_add(rw->client_hosts, h);
        if (!apply_sysctl_list(rw, h, c->sysctls, err))
            return false;
        uint32_t n;
        be32 *addrs = group_addrs(c, rw, &n);
        struct client_group_cfg cfg = {
            .name = c->name, .index = i, .addrs = addrs, .naddrs = n, .target = c->target_ip,
            .target_port = htons(c->target_port), .proto = c->protocol, .arrival = c->arrival,
            .users = c->users, .think = c->think, .request = c->request, .response = c->response,
            .requests_per_conn = c->requests_per_conn, .connect_timeout = c->connect_timeout,
            .response_timeout = c->response_timeout,
            .start = c->start, .stop = c->stop,
            .script = c->script ? (const struct client_script_conn *)c->script->data : NULL,
            .nscript = c->script ? c->script->len : 0,
            .loop_period = c->loop_period, .loop = c->loop,
        };
        g_ptr_array_add(rw->client_groups, client_group_start(host_net(h), &cfg, &rw->log));
        g_free(addrs);
    }
    return true;
}

/* ---- the director's configuration ------------------------------------------------ */

/* ipvs->sched_notify: the conversation of the packet (skb->flow) was scheduled to
 * cp's real server. Recorded at once, so that a conversation whose server never
 * answers (crashed) still counts as sent to it; a later scheduling (the entry
 * dropped and the SYN scheduled again) replaces it. */
static void conv_scheduled(void *ctx, const struct sk_buff *skb, const struct ip_vs_conn *cp)
{
    struct run_world *rw = ctx;
    struct conv *conv = conv_get(&rw->log, skb->flow);
    int k = cp->dest ? run_world_server_index(rw, cp->daddr) : -1;
    if (!conv || k < 0)
        return;
    conv->server = k;
    conv->fwd = (int)(cp->flags & IP_VS_CONN_F_FWD_MASK);
}

static bool apply_ipvs(struct run_world *rw, struct host *dh, struct scn_error *err)
{
    const struct scenario *s = rw->s;
    struct netns_ipvs *ipvs = ip_vs_net(host_net(dh));
    ipvs->sched_notify = conv_scheduled;
    ipvs->sched_ctx = rw;
    ip_vs_defense_set_memory(ipvs, s->director.memory);
    for (guint i = 0; i < s->ipvs->len; i++) {
        const struct scn_line *l = &g_array_index(s->ipvs, struct scn_line, i);
        struct ipvsadm_cmd cmd;
        struct ipvsadm_error e = {0};
        if (run_world_ipvsadm_parse(rw, l->text, &cmd, &e) != 0 ||
            ipvsadm_exec(host_net(dh), &cmd, &e) != 0) {
            scn_line_error(err, s, l, e.column > 0 ? (size_t)(e.column - 1) : 0, "ipvsadm",
                           e.message);
            return false;
        }
    }
    return true;
}

/* "netfilter": iptables lines, or ip6tables' when their first word says so;
 * "netfilter6": ip6tables lines (an ip6tables-save text's). */
static bool apply_netfilter(struct run_world *rw, struct host *dh, struct scn_error *err)
{
    const struct scenario *s = rw->s;
    for (guint i = 0; i < s->netfilter->len; i++) {
        const struct scn_line *l = &g_array_index(s->netfilter, struct scn_line, i);
        struct xt_error e = {0};
        if (iptables_apply(host_net(dh), l->text, &e) != 0) {
            scn_line_error(err, s, l, e.offset, iptables_line_is_ip6tables(l->text) ? "ip6tables"
                                                                                  : "iptables",
                           e.msg);
            return false;
        }
    }
    for (guint i = 0; i < s->netfilter6->len; i++) {
        const struct scn_line *l = &g_array_index(s->netfilter6, struct scn_line, i);
        struct xt_error e = {0};
        if (ip6tables_apply(host_net(dh), l->text, &e) != 0) {
            scn_line_error(err, s, l, e.offset, "ip6tables", e.msg);
            return false;
        }
    }
    return true;
}

static struct host *host_named(struct run_world *rw, const char *name)
{
    return name ? world_host(&rw->w, name) : rw->director;
}

static bool apply_hooks(struct run_world *rw, struct scn_error *err)
{
    const struct scenario *s = rw->s;
    for (guint i = 0; i < s->hooks->len; i++) {
        const struct scn_hook *hk = &g_array_index(s->hooks, struct scn_hook, i);
        struct host *h = host_named(rw, hk->host);
        int rc = 0;
        if (!h) {
            scn_error_at(err, s, hk->pos, "hook: no host named '%s'", hk->host);
            return false;
        }
        /* family: 0 ipv4, 1 ipv6, 2 both (one registration per family) */
        for (int f = 0; f < 2; f++) {
            if (hk->family != 2 && hk->family != f)
                continue;
            if (!nf_user_hook_add_pf(host_net(h), hk->name, f ? NFPROTO_IPV6 : NFPROTO_IPV4,
                                     (unsigned)hk->hook, hk->priority, hk->verdict, &rc)) {
                scn_error_at(err, s, hk->pos, "hook '%s': cannot register it (a name used twice "
                        "on that host, or more than 1024 hooks at one point)", hk->name);
                return false;
            }
        }
    }
    return true;
}

static bool apply_sysctls(struct run_world *rw, struct host *dh, struct scn_error *err)
{
    return apply_sysctl_list(rw, dh, rw->s->sysctls, err);
}

/* Each server's own "sysctl" (rw->servers is in the scenario's order). */
static bool apply_server_sysctls(struct run_world *rw, struct scn_error *err)
{
    for (guint i = 0; i < rw->servers->len; i++) {
        const struct scn_server *sv = &g_array_index(rw->s->servers, struct scn_server, i);
        if (!apply_sysctl_list(rw, g_ptr_array_index(rw->servers, i), sv->sysctls, err))
            return false;
    }
    return true;
}

/* ---- capture --------------------------------------------------------------------- */

static bool open_tap(struct run_world *rw, struct net_device *dev, const char *pcap_dir,
                     struct scn_error *err)
{
    if (dev->tap)
        return true;
    char *name = g_strdup_printf("%s-%s.pcap", dev->host->name, dev->name);
    char *path = g_build_filename(pcap_dir, name, NULL);
    char msg[256];
    dev->tap = pcap_tap_open(path, rw->s->snaplen, msg, sizeof msg);
    g_free(path);
    g_free(name);
    if (!dev->tap) {
        scn_error_at(err, rw->s, capture_pos(rw->s), "capture: %s", msg);
        err->environment = true;    /* the file system refused (no descriptor, no space) */
        return false;
    }
    g_ptr_array_add(rw->taps, dev);
    return true;
}

void run_world_host_names(const struct run_world *rw, GString *out)
{
    for (guint i = 0; i < rw->w.hosts->len; i++) {
        const struct host *h = g_ptr_array_index(rw->w.hosts, i);
        g_string_append_printf(out, "%s%s", i ? ", " : "", h->name);
    }
}

/* The wired interface a capture point "HOST:IFACE" names, or NULL with why saying
 * what the point should have been: the world's host names, or that host's wired
 * interfaces (a capture point is checked against the world built, not the file). */
static struct net_device *capture_dev(const struct run_world *rw, const char *point, char *why,
                                      size_t len)
{
    const char *colon = strchr(point, ':');
    char *name = colon ? g_strndup(point, (gsize)(colon - point)) : NULL;
    /* "director" names the director, as in the scenario's capture.points */
    struct host *h = !name ? NULL : strcmp(name, "director") == 0 ? rw->director
                                                                   : world_host(&rw->w, name);
    struct net_device *dev = h ? host_dev(h, colon + 1) : NULL;
    GString *list = g_string_new(NULL);
    if (!name) {
        snprintf(why, len, "expected HOST:IFACE or 'all', not '%s'", point);
    } else if (!h) {
        run_world_host_names(rw, list);
        snprintf(why, len, "no host '%s' (expected one of: %s)", name, list->str);
    } else if (!dev || !dev->link) {
        for (unsigned d = 0; d < h->ndevs; d++)
            if (h->devs[d]->link)
                g_string_append_printf(list, "%s%s", list->len ? ", " : "", h->devs[d]->name);
        snprintf(why, len, "host '%s' has no wired interface '%s' (expected one of: %s)", name,
                 colon + 1, list->str);
        dev = NULL;
    }
    g_string_free(list, TRUE);
    g_free(name);
    return dev;
}

/* "all" or HOST:IFACE: check it, and open its taps when pcap_dir is given. A tap that
 * cannot be opened is reported in err; a point that names nothing, in why. */
static bool open_point(struct run_world *rw, const char *point, const char *pcap_dir, char *why,
                       size_t len, struct scn_error *err)
{
    why[0] = '\0';
    if (strcmp(point, "all") == 0) {
        for (guint i = 0; pcap_dir && i < rw->w.hosts->len; i++) {
            struct host *h = g_ptr_array_index(rw->w.hosts, i);
            for (unsigned d = 0; d < h->ndevs; d++)
                if (h->devs[d]->link && !open_tap(rw, h->devs[d], pcap_dir, err))
                    return false;
        }
        return true;
    }
    struct net_device *dev = capture_dev(rw, point, why, len);
    return dev && (!pcap_dir || open_tap(rw, dev, pcap_dir, err));
}

/* The scenario's capture.points, at their place in the file (checked by validate
 * too: the interfaces exist only once the world is built). */
static bool open_captures(struct run_world *rw, const char *pcap_dir, struct scn_error *err)
{
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(rw->s->root, "capture");
    const cJSON *points = o ? cJSON_GetObjectItemCaseSensitive(o, "points") : NULL;
    for (guint i = 0; i < rw->s->capture_points->len; i++) {
        char why[400];
        if (!open_point(rw, g_ptr_array_index(rw->s->capture_points, i), pcap_dir, why,
                        sizeof why, err)) {
            if (why[0])
                scn_error_at(err, rw->s, scn_pos_of(rw->s, cJSON_GetArrayItem(points, (int)i)),
                             "capture.points[%u]: %s", i, why);
            return false;
        }
    }
    return true;
}

bool run_world_capture(struct run_world *rw, const char *point, const char *pcap_dir, char *why,
                       size_t len, bool *environment)
{
    struct scn_error err;
    if (open_point(rw, point, pcap_dir, why, len, &err))
        return true;
    *environment = !why[0];     /* the point was right, its file could not be created */
    if (!why[0])
        g_strlcpy(why, err.msg, len);
    return false;
}

int run_world_ipvsadm_parse(const struct run_world *rw, const char *line, struct ipvsadm_cmd *cmd,
                            struct ipvsadm_error *err)
{
    return ipvsadm_parse_sched(line, rw->sched, cmd, err);
}

bool run_world_build(struct run_world *rw, const struct scenario *s, const char *pcap_dir,
                     struct scn_error *err)
{
    return run_world_build_cfg(rw, s, &(struct run_world_cfg){ .pcap_dir = pcap_dir }, err);
}

bool run_world_build_cfg(struct run_world *rw, const struct scenario *s,
                         const struct run_world_cfg *cfg, struct scn_error *err)
{
    const char *pcap_dir = cfg->pcap_dir;
    memset(rw, 0, sizeof *rw);
    rw->s = s;
    rw->sched = cfg->sched;
    world_init(&rw->w, s->seed);
    rw->servers = g_ptr_array_new();
    rw->client_hosts = g_ptr_array_new();
    rw->server_apps = g_ptr_array_new();
    rw->client_groups = g_ptr_array_new();
    rw->floods = g_ptr_array_new();
    rw->taps = g_ptr_array_new();
    rw->event_log = g_string_new(NULL);
    conv_log_init(&rw->log);
    const struct kernel_profile *prof = kernel_profile_find(s->kernel);
    bool ok = plan_lan(rw, err) && run_world6_plan(rw, err) && build_core_hosts(rw, prof, err);
    struct link *lclients = ok ? add_link(rw, "clients", &s->link_clients) : NULL;
    struct link *lservers = ok ? add_link(rw, "servers", &s->link_servers) : NULL;
    if (ok) {
        link_attach(lclients, host_dev(rw->gw, "eth0"));
        link_attach(lservers, host_dev(rw->gw, "eth1"));
        link_attach(lservers, host_dev(rw->director, "eth0"));
    }
    ok = ok && (!s->backup.enabled || run_ha_build(rw, prof, lservers, err));
    /* The configuration order decides equal-priority ties: iptables tables, then
     * IPVS, then the scenario's hooks (after the servers exist: a hook may sit on one).
     * A backup director gets the same configuration. */
    ok = ok && apply_sysctls(rw, rw->director, err) && apply_netfilter(rw, rw->director, err) &&
         apply_ipvs(rw, rw->director, err);
    ok = ok && (!rw->backup || (apply_sysctls(rw, rw->backup, err) &&
                                apply_netfilter(rw, rw->backup, err) &&
                                apply_ipvs(rw, rw->backup, err)));
    if (ok && rw->backup)
        run_ha_configure(rw);
    ok = ok && build_servers(rw, prof, err) && apply_server_sysctls(rw, err) &&
         apply_hooks(rw, err);
    for (guint i = 0; ok && i < rw->servers->len; i++)
        link_attach(lservers, host_dev(g_ptr_array_index(rw->servers, i), "eth0"));
    ok = ok && build_clients(rw, prof, lclients, err) && open_captures(rw, pcap_dir, err);
    if (ok && s->healthcheck.enabled) {
        struct healthcheck_cfg hc = run_world_healthcheck_cfg(rw);
        rw->hc = healthcheck_start(host_net(rw->director), &hc);
    }
    if (ok)
        run_ha_start(rw);
    for (guint i = 0; ok && i < s->events->len; i++)
        sim_at(&rw->w.sim, g_array_index(s->events, struct scn_event, i).at, run_world_event, rw, i);
    if (!ok)
        run_world_free(rw);
    return ok;
}

/* healthcheck_cfg.http_status: the answer of the server at addr (scenario.h). */
static int server_http_status(void *ctx, be32 addr, const char *path, sim_time_t now)
{
    const struct run_world *rw = ctx;
    int k = run_world_server_index(rw, addr);
    return k < 0 ? 200
                 : scenario_http_status(&g_array_index(rw->s->servers, struct scn_server, k),
                                        path, now);
}

struct healthcheck_cfg run_world_healthcheck_cfg(const struct run_world *rw)
{
    const struct scn_healthcheck *h = &rw->s->healthcheck;
    return (struct healthcheck_cfg){
        .interval = h->interval, .timeout = h->timeout, .retries = h->retries,
        .quiesce = h->quiesce, .vs_only = !h->tcp, .vs = h->vs, .n_vs = h->n_vs,
        .http_status = server_http_status, .notify = run_world_log_healthcheck,
        .ctx = (void *)rw,
    };
}

int run_world_server_index(const struct run_world *rw, be32 addr)
{
    for (guint i = 0; i < rw->s->servers->len; i++)
        if (g_array_index(rw->s->servers, struct scn_server, i).ip == addr ||
            (addr && g_array_index(rw->s->servers, struct scn_server, i).ip6 == addr))
            return (int)i;
    return -1;
}

void run_world_free(struct run_world *rw)
{
    if (!rw->servers)
        return;
    for (guint i = 0; i < rw->taps->len; i++) {
        struct net_device *dev = g_ptr_array_index(rw->taps, i);
        pcap_tap_close(dev->tap);
        dev->tap = NULL;
    }
    for (guint i = 0; i < rw->client_groups->len; i++)
        client_group_free(g_ptr_array_index(rw->client_groups, i));
    for (guint i = 0; i < rw->server_apps->len; i++)
        server_app_free(g_ptr_array_index(rw->server_apps, i));
    for (guint i = 0; i < rw->floods->len; i++)
        synflood_free(g_ptr_array_index(rw->floods, i));
    if (rw->hc)
        healthcheck_free(rw->hc);
    run_ha_free(rw);
    world_destroy(&rw->w);
    conv_log_free(&rw->log);
    g_ptr_array_free(rw->servers, TRUE);
    g_ptr_array_free(rw->client_hosts, TRUE);
    g_ptr_array_free(rw->server_apps, TRUE);
    g_ptr_array_free(rw->client_groups, TRUE);
    g_ptr_array_free(rw->floods, TRUE);
    g_ptr_array_free(rw->taps, TRUE);
    g_string_free(rw->event_log, TRUE);
    memset(rw, 0, sizeof *rw);
}
