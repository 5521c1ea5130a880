/* Client groups: open-loop arrivals, closed-loop users or a script, each conversation
 * a real TCP connection (connect, requests, responses, FIN) or a UDP request/response.
 * Userspace load generators, no kernel file; their TCP is tcp_conn.c and beside it. */
#include <errno.h>
#include <glib.h>
#include <string.h>
#include "model/apps/tcp_conn.h"
#include "model/apps/workload.h"
#include "model/ipv4/icmp.h"
#include "model/ipv4/ip.h"
#include "model/net.h"
#include "sim/sim.h"

#define MAX_MESSAGE ((uint64_t)1 << 30)
#define UDP_RESPONSE_TIMEOUT (5 * SEC)

struct client_group;

/* One conversation in progress. */
struct cconv {
    struct app_ep uep;              /* UDP: the connected socket (first: the ep callbacks
                                       find the conversation from it) */
    struct client_group *g;
    uint64_t id;
    int user;                       /* closed loop: the user; -1 in open loop */
    uint8_t proto;                  /* IPPROTO_TCP / IPPROTO_UDP */
    const struct client_script_conn *row;   /* a script's connection: its sizes */
    struct tcp_conn *tc;
    uint32_t requests_left;
    uint64_t resp_need, resp_got;
    bool awaiting;                  /* a request is out, its response incomplete */
    sim_time_t first_req;
    sim_event_id timer;             /* connect timeout (TCP), response timeout (UDP) */
    struct rng sizes;               /* later requests of the conversation */
    struct cconv *next, *prev;
};

struct client_group {
    struct net *net;
    struct app_stack *st;
    struct client_group_cfg cfg;
    char *name;
    be32 *addrs;
    struct conv_log *log;
    struct rng r_arrival, r_think, r_addr, r_port, r_req, r_resp, r_isn, r_sizes;
    uint32_t cur_arrival, cur_think, cur_req, cur_resp;
    sim_event_id arrival_timer;
    sim_event_id *user_timers;
    struct client_script_conn *script;      /* the cfg's, copied */
    uint64_t script_next;                   /* the next connection to start, counted
                                               over every loop (index % nscript) */
    struct cconv *live, *free;
    struct client_group_stats stats;
};

static sim_time_t now_of(const struct client_group *g)
{
    return net_now(g->net);
}

static sim_time_t stop_of(const struct client_group *g)
{
    return g->cfg.stop > 0 ? g->cfg.stop : SIM_TIME_MAX;
}

static uint64_t clamp_size(int64_t v, bool tcp)
{
    uint64_t x = v < 0 ? 0 : (uint64_t)v;
    if (tcp && x == 0)
        x = 1;
    return x > MAX_MESSAGE ? MAX_MESSAGE : x;
}

/* ---- users and arrivals ------------------------------------------------------------ */

static void start_conv(struct client_group *g, int user);

static void user_fire(struct sim *sim, void *obj, uint64_t arg)
{
    struct client_group *g = obj;
    g->user_timers[arg] = 0;
    if (now_of(g) < stop_of(g))
        start_conv(g, (int)arg);
}

static void user_think(struct client_group *g, int user)
{
    sim_time_t t = sim_time_add(now_of(g), dist_draw(&g->cfg.think, &g->r_think, &g->cur_think));
    if (t >= stop_of(g))
        return;
    g->user_timers[user] = host_timer(g->net->host, t, user_fire, g, (uint64_t)user);
}

static void arrival_fire(struct sim *sim, void *obj, uint64_t arg)
{
    struct client_group *g = obj;
    g->arrival_timer = 0;
    sim_time_t now = now_of(g);
    if (now >= stop_of(g))
        return;
    start_conv(g, -1);
    /* An arrival trace whose values are all used (its cursor back at the first)
     * ends the group unless it loops. */
    if (g->cfg.arrival.kind == DIST_TRACE && !g->cfg.loop && g->cur_arrival == 0)
        return;
    sim_time_t next = sim_time_add(now, dist_draw(&g->cfg.arrival, &g->r_arrival, &g->cur_arrival));
    if (next < stop_of(g))
        g->arrival_timer = host_timer(g->net->host, next, arrival_fire, g, 0);
}

/* ---- conversation bookkeeping -------------------------------------------------------- */

/* "conv:ID", the name of a conversation's random stream. Written by hand: a
 * formatted print per connection cost as much as a packet's checksums. */
static void conv_stream_name(char buf[32], uint64_t id)
{
    char digits[20];
    int n = 0;
    do {
        digits[n++] = (char)('0' + id % 10);
        id /= 10;
    } while (id);
    memcpy(buf, "conv:", 5);
    for (int i = 0; i < n; i++)
        buf[5 + i] = digits[n - 1 - i];
    buf[5 + n] = '\0';
}

static struct cconv *cconv_alloc(struct client_group *g)
{
    struct cconv *cc = g->free;
    if (cc)
        g->free = cc->next;
    else
        cc = g_new(struct cconv, 1);
    memset(cc, 0, sizeof *cc);
    cc->g = g;
    cc->next = g->live;
    if (g->live)
        g->live->prev = cc;
    g->live = cc;
    return cc;
}

static void cconv_release(struct cconv *cc)
{
    struct client_group *g = cc->g;
    if (cc->prev)
        cc->prev->next = cc->next;
    else
        g->live = cc->next;
    if (cc->next)
        cc->next->prev = cc->prev;
    cc->prev = NULL;
    cc->next = g->free;
    g->free = cc;
}

static void cancel_timer(struct client_group *g, sim_event_id *id)
{
    if (*id)
        sim_cancel(host_sim(g->net->host), *id);
    *id = 0;
}

/* The conversation ends with this outcome: record it, let its user think. */
static void finish(struct cconv *cc, enum conv_outcome outcome)
{
    struct client_group *g = cc->g;
    struct conv *conv = conv_get(g->log, cc->id);
    conv->outcome = outcome;
    conv->end = now_of(g);
    if (cc->tc)
        conv->syn_retries = cc->tc->syn_retrans;
    cancel_timer(g, &cc->timer);
    cc->tc = NULL;                  /* gone, or in TIME_WAIT: no longer ours */
    if (cc->uep.hashed) {
        app_ep_del(g->st, &cc->uep);
        app_port_release(g->st, IPPROTO_UDP, cc->uep.laddr, cc->uep.lport);
    }
    int user = cc->user;
    cconv_release(cc);
    g->stats.active--;
    g->stats.finished++;
    if (user >= 0)
        user_think(g, user);
}

/* Draw the sizes of the next exchange. The first comes from the group's streams, in
 * conversation order; later ones from the conversation's own stream. */
static void draw_sizes(struct cconv *cc, bool first)
{
    struct client_group *g = cc->g;
    bool tcp = cc->proto == IPPROTO_TCP;
    struct conv *conv = conv_get(g->log, cc->id);
    if (cc->row && cc->row->requests > 0) {
        /* a replay's: the conversation's bytes shared by its requests, the last
         * one taking the remainder, so that the totals are the recorded ones */
        uint32_t k = cc->row->requests;
        bool last = cc->requests_left <= 1;
        uint64_t rq = cc->row->request / k, rs = cc->row->response / k;
        conv->req_size = clamp_size((int64_t)(rq + (last ? cc->row->request % k : 0)), tcp);
        conv->resp_size = clamp_size((int64_t)(rs + (last ? cc->row->response % k : 0)), tcp);
        return;
    }
    if (cc->row) {                  /* a script's: its own, for every request */
        conv->req_size = clamp_size((int64_t)cc->row->request, tcp);
        conv->resp_size = clamp_size((int64_t)cc->row->response, tcp);
        return;
    }
    struct rng *rq = first ? &g->r_req : &cc->sizes, *rs = first ? &g->r_resp : &cc->sizes;
    conv->req_size = clamp_size(dist_draw(&g->cfg.request, rq, &g->cur_req), tcp);
    conv->resp_size = clamp_size(dist_draw(&g->cfg.response, rs, &g->cur_resp), tcp);
}

/* ---- TCP ------------------------------------------------------------------------------- */

static void response_timeout(struct sim *sim, void *obj, uint64_t arg);

static void send_request(struct cconv *cc)
{
    struct client_group *g = cc->g;
    struct conv *conv = conv_get(g->log, cc->id);
    if (!cc->first_req)
        cc->first_req = now_of(g);
    if (g->cfg.response_timeout > 0)
        cc->timer = host_timer(g->net->host, sim_time_add(now_of(g), g->cfg.response_timeout),
                               response_timeout, cc, 0);
    cc->resp_need = conv->resp_size;
    cc->resp_got = 0;
    cc->awaiting = true;
    conv->last_request = cc->requests_left <= 1;
    conv->bytes_out += conv->req_size;
    tcp_conn_send(cc->tc, conv->req_size);
}

static void c_established(struct tcp_conn *c)
{
    struct cconv *cc = c->ctx;
    cancel_timer(cc->g, &cc->timer);
    send_request(cc);
}

static void c_data(struct tcp_conn *c, uint32_t bytes, bool psh)
{
    struct cconv *cc = c->ctx;
    struct client_group *g = cc->g;
    struct conv *conv = conv_get(g->log, cc->id);
    conv->bytes_in += bytes;
    if (!cc->awaiting)
        return;
    cc->resp_got += bytes;
    if (cc->resp_got < cc->resp_need)
        return;
    cc->awaiting = false;
    cancel_timer(g, &cc->timer);
    conv->requests++;
    conv->response_ns = now_of(g) - cc->first_req;
    if (--cc->requests_left > 0) {
        draw_sizes(cc, false);
        send_request(cc);
    } else if (!conv->server_closes) {
        tcp_conn_close(c);
    }                               /* else: read to EOF, close at the server's FIN */
}

static void c_peer_fin(struct tcp_conn *c)
{
    /* The server closed first (before every response): close too. */
    tcp_conn_close(c);
}

static void c_done(struct tcp_conn *c, enum tcp_done why)
{
    struct cconv *cc = c->ctx;
    enum conv_outcome o;
    switch (why) {
    case TCP_DONE_OK:
        o = cc->requests_left == 0 ? CONV_OK : CONV_RESET;
        break;
    case TCP_DONE_REFUSED: o = CONV_REFUSED; break;
    case TCP_DONE_RESET: o = CONV_RESET; break;
    case TCP_DONE_TIMEOUT: o = CONV_TIMEOUT; break;
    case TCP_DONE_UNREACH: o = CONV_UNREACHABLE; break;
    default: o = CONV_RESET; break;
    }
    finish(cc, o);
}

static const struct tcp_conn_ops client_tcp_ops = {
    .established = c_established,
    .data = c_data,
    .peer_fin = c_peer_fin,
    .done = c_done,
};

static void connect_timeout(struct sim *sim, void *obj, uint64_t arg)
{
    struct cconv *cc = obj;
    cc->timer = 0;
    struct tcp_conn *c = cc->tc;
    if (!c || c->state != TCPS_SYN_SENT)
        return;
    struct conv *conv = conv_get(cc->g->log, cc->id);
    conv->syn_retries = c->syn_retrans;
    tcp_conn_abort(c, false);       /* close() in SYN_SENT sends nothing */
    cc->tc = NULL;
    finish(cc, CONV_TIMEOUT);
}

/* The application gives up on a response (a client's read timeout): it aborts the
 * connection, which sends a RST. */
static void response_timeout(struct sim *sim, void *obj, uint64_t arg)
{
    struct cconv *cc = obj;
    cc->timer = 0;
    struct tcp_conn *c = cc->tc;
    if (!c || !cc->awaiting)
        return;
    tcp_conn_abort(c, true);
    cc->tc = NULL;
    finish(cc, CONV_TIMEOUT);
}

/* ---- UDP ------------------------------------------------------------------------------- */

static void u_rcv(struct app_ep *ep, struct sk_buff *skb)
{
    struct cconv *cc = (struct cconv *)ep;
    struct client_group *g = cc->g;
    const struct udphdr *uh = (const struct udphdr *)skb->data;
    uint32_t len = ntohs(uh->len);
    uint32_t payload = len > sizeof *uh ? len - (uint32_t)sizeof *uh : 0;
    consume_skb(g->net, skb);
    struct conv *conv = conv_get(g->log, cc->id);
    conv->bytes_in += payload;
    cc->resp_got += payload;
    if (cc->resp_got < cc->resp_need)
        return;
    conv->requests = 1;
    conv->response_ns = now_of(g) - cc->first_req;
    finish(cc, CONV_OK);
}

static void u_err(struct app_ep *ep, uint8_t type, uint8_t code, uint32_t info)
{
    (void)info;
    struct cconv *cc = (struct cconv *)ep;
    if (type != ICMP_DEST_UNREACH || code == ICMP_FRAG_NEEDED)
        return;                     /* soft errors: a connected UDP socket ignores them */
    finish(cc, code == ICMP_PORT_UNREACH ? CONV_REFUSED : CONV_UNREACHABLE);
}

static void udp_timeout(struct sim *sim, void *obj, uint64_t arg)
{
    struct cconv *cc = obj;
    cc->timer = 0;
    finish(cc, CONV_TIMEOUT);
}

static void start_udp(struct client_group *g, struct cconv *cc, struct conv *conv)
{
    cc->uep.proto = IPPROTO_UDP;
    cc->uep.laddr = conv->caddr;
    cc->uep.lport = conv->cport;
    cc->uep.raddr = conv->vaddr;
    cc->uep.rport = conv->vport;
    cc->uep.rcv = u_rcv;
    cc->uep.err = u_err;
    app_ep_add(g->st, &cc->uep);    /* the port is fresh: the tuple is free */
    uint64_t req = conv->req_size;
    cc->resp_need = conv->resp_size;
    cc->first_req = now_of(g);
    conv->bytes_out = req;
    sim_time_t to = g->cfg.connect_timeout > 0 ? g->cfg.connect_timeout : UDP_RESPONSE_TIMEOUT;
    cc->timer = host_timer(g->net->host, sim_time_add(now_of(g), to), udp_timeout, cc, 0);
    uint64_t id = cc->id;
    be32 caddr = conv->caddr, vaddr = conv->vaddr;
    be16 cport = conv->cport, vport = conv->vport;
    do {
        uint32_t n = req > UDP_MAX_PAYLOAD ? UDP_MAX_PAYLOAD : (uint32_t)req;
        /* An ICMP error about a datagram sent here arrives later (even from this
         * host: loopback delivery is an event), so cc stays ours in this loop. */
        if (app_udp_send(g->net, caddr, cport, vaddr, vport, n, id) == -ENETUNREACH) {
            finish(cc, CONV_UNREACHABLE);      /* no route: sendto() fails at once */
            return;
        }
        req -= n;
    } while (req > 0);
}

/* ---- a new conversation ------------------------------------------------------------------- */

/* A conversation from laddr:lport (0: none was free) of proto; row: a script's
 * connection, else its sizes are drawn; tw_isn: the ISN a TIME_WAIT takeover gave
 * the port (0: none). */
static void open_conv(struct client_group *g, int user, uint8_t proto, be32 laddr, be16 lport,
                      const struct client_script_conn *row, uint32_t tw_isn)
{
    sim_time_t now = now_of(g);
    bool tcp = proto == IPPROTO_TCP;
    be32 daddr = row && row->daddr ? row->daddr : g->cfg.target;
    be16 dport = row && row->daddr ? row->dport : g->cfg.target_port;
    uint32_t isn = (uint32_t)rng_u64(&g->r_isn);    /* drawn always: the stream stays */
    if (tw_isn)
        isn = tw_isn;
    uint64_t sizes_seed = rng_u64(&g->r_sizes);
    struct conv *conv = conv_new(g->log);
    conv->group = g->cfg.index;
    conv->start = now;
    conv->caddr = laddr;
    conv->cport = lport;
    conv->vaddr = daddr;
    conv->vport = dport;
    conv->proto = proto;
    uint64_t id = conv_id(g->log, conv);
    g->stats.started++;
    /* A script's address:port, bound: connect() (TCP) fails while a connection uses
     * its 4-tuple and takes it over from a TIME_WAIT; bind() (UDP) fails while its
     * socket is open. */
    if (lport && row && (tcp ? !tcp_twsk_unique(g->st, laddr, lport, daddr, dport, &isn)
                             : app_ep_find(g->st, proto, laddr, lport, daddr, dport) != NULL))
        lport = 0;
    if (!lport) {
        conv->outcome = CONV_ADDRNOTAVAIL;
        conv->end = now;
        g->stats.no_port++;
        g->stats.finished++;
        if (user >= 0)
            user_think(g, user);
        return;
    }
    struct cconv *cc = cconv_alloc(g);
    cc->id = id;
    cc->user = user;
    cc->proto = proto;
    cc->row = row;
    uint32_t requests = row && row->requests > 0 ? row->requests : g->cfg.requests_per_conn;
    cc->requests_left = tcp && requests > 0 ? requests : 1;
    char name[32];
    conv_stream_name(name, id);
    rng_init(&cc->sizes, sizes_seed, name);
    g->stats.active++;
    if (g->stats.active > g->stats.max_active)
        g->stats.max_active = g->stats.active;
    draw_sizes(cc, true);
    conv = conv_get(g->log, id);
    if (!tcp) {
        start_udp(g, cc, conv);
        return;
    }
    cc->tc = tcp_connect(g->st, laddr, lport, daddr, dport, isn, id,
                         &client_tcp_ops, cc);
    if (!cc->tc) {
        finish(cc, CONV_UNREACHABLE);      /* no route: connect() fails at once */
        return;
    }
    if (g->cfg.connect_timeout > 0)
        cc->timer = host_timer(g->net->host, sim_time_add(now, g->cfg.connect_timeout), connect_timeout, cc, 0);
}

/* An arrival's or a user's conversation: from a random address of the group, an
 * ephemeral port. */
static void start_conv(struct client_group *g, int user)
{
    be32 laddr = g->addrs[g->cfg.naddrs > 1 ? rng_below(&g->r_addr, g->cfg.naddrs) : 0];
    uint32_t tw_isn = 0;
    be16 lport = g->cfg.proto == IPPROTO_TCP
                     ? tcp_port_alloc(g->st, laddr, g->cfg.target, g->cfg.target_port, &g->r_port,
                                      &tw_isn)
                     : app_port_alloc(g->st, g->cfg.proto, laddr, &g->r_port);
    open_conv(g, user, g->cfg.proto, laddr, lport, NULL, tw_isn);
    /* What the next conversations' port walks will read, in two stages from copies
     * of the streams (only this draws from r_addr, and each walk draws once from
     * r_port first): the next but one's address's ports, and, as the next one's are
     * in cache by now, the word its walk starts at and its 4-tuple's table slots.
     * With 10^7 connections these are DRAM reads (a 3.5 KB map per address, the
     * TIME_WAIT table of millions), now started a conversation early. */
    if (g->cfg.naddrs > 1) {
        struct rng ahead = g->r_addr;
        be32 next = g->addrs[rng_below(&ahead, g->cfg.naddrs)];
        app_port_prefetch(g->st, g->cfg.proto, g->addrs[rng_below(&ahead, g->cfg.naddrs)]);
        app_port_prefetch_walk(g->st, g->cfg.proto, next, g->r_port, g->cfg.target,
                               g->cfg.target_port);
    }
}

/* ---- a script ------------------------------------------------------------------------------ */

/* When the k-th connection of the script (counted over its loops) starts;
 * SIM_TIME_MAX: never (past its end, or a loop's past stop). */
static sim_time_t script_at(const struct client_group *g, uint64_t k)
{
    uint64_t round = k / g->cfg.nscript;
    if (round > 0 && g->cfg.loop_period == 0)
        return SIM_TIME_MAX;
    sim_time_t at = g->script[k % g->cfg.nscript].at;
    if (round > 0) {
        if (round > (uint64_t)(SIM_TIME_MAX / g->cfg.loop_period))
            return SIM_TIME_MAX;
        at = sim_time_add(at, (sim_time_t)round * g->cfg.loop_period);
    }
    /* a script's rows are its own (stop is not used), a looping one ends at stop */
    return g->cfg.loop_period == 0 || at < stop_of(g) ? at : SIM_TIME_MAX;
}

/* Start every connection of the script due now, then wait for the next one. A
 * connection without a port of its own gets an ephemeral one, as connect() binds. */
static void script_fire(struct sim *sim, void *obj, uint64_t arg)
{
    struct client_group *g = obj;
    g->arrival_timer = 0;
    sim_time_t now = now_of(g);
    sim_time_t at;
    while ((at = script_at(g, g->script_next)) <= now) {
        const struct client_script_conn *row = &g->script[g->script_next++ % g->cfg.nscript];
        be16 lport = row->sport ? row->sport
                                : app_port_alloc(g->st, row->proto, row->saddr, &g->r_port);
        open_conv(g, -1, row->proto, row->saddr, lport, row, 0);
    }
    if (at < SIM_TIME_MAX)
        g->arrival_timer = host_timer(g->net->host, at, script_fire, g, 0);
}

/* ---- the group ------------------------------------------------------------------------------- */

static void stream(struct rng *r, uint64_t seed, const char *group, const char *what)
{
    char *n = g_strdup_printf("client:%s:%s", group, what);
    rng_init(r, seed, n);
    g_free(n);
}

struct client_group *client_group_start(struct net *net, const struct client_group_cfg *cfg,
                                        struct conv_log *log)
{
    if ((!cfg->naddrs || !cfg->addrs) && !cfg->nscript)
        return NULL;
    struct client_group *g = g_new0(struct client_group, 1);
    g->net = net;
    g->st = app_stack_get(net);
    g->cfg = *cfg;
    g->name = g_strdup(cfg->name ? cfg->name : "clients");
    g->cfg.name = g->name;
    g->addrs = g_memdup2(cfg->addrs, cfg->naddrs * sizeof(be32));
    g->cfg.addrs = g->addrs;
    g->log = log;
    uint64_t seed = host_sim(net->host)->seed;
    stream(&g->r_arrival, seed, g->name, "arrivals");
    stream(&g->r_think, seed, g->name, "think");
    stream(&g->r_addr, seed, g->name, "addr");
    stream(&g->r_port, seed, g->name, "port");
    stream(&g->r_req, seed, g->name, "request");
    stream(&g->r_resp, seed, g->name, "response");
    stream(&g->r_isn, seed, g->name, "isn");
    stream(&g->r_sizes, seed, g->name, "sizes");
    sim_time_t now = net_now(net);
    sim_time_t start = cfg->start > now ? cfg->start : now;
    if (cfg->nscript > 0) {
        g->script = g_memdup2(cfg->script, cfg->nscript * sizeof *cfg->script);
        g->cfg.script = g->script;
        g->arrival_timer = host_timer(net->host, MAX(now, g->script[0].at), script_fire, g, 0);
    } else if (cfg->users > 0) {
        g->user_timers = g_new0(sim_event_id, cfg->users);
        for (uint32_t u = 0; u < cfg->users; u++) {
            sim_time_t t = sim_time_add(start, dist_draw(&g->cfg.think, &g->r_think, &g->cur_think));
            if (t < stop_of(g))
                g->user_timers[u] = host_timer(net->host, t, user_fire, g, u);
        }
    } else {
        sim_time_t t = sim_time_add(start, dist_draw(&g->cfg.arrival, &g->r_arrival, &g->cur_arrival));
        if (t < stop_of(g))
            g->arrival_timer = host_timer(net->host, t, arrival_fire, g, 0);
    }
    return g;
}

const struct client_group_stats *client_group_stats(const struct client_group *g)
{
    return &g->stats;
}

void client_group_free(struct client_group *g)
{
    if (!g)
        return;
    cancel_timer(g, &g->arrival_timer);
    for (uint32_t u = 0; g->user_timers && u < g->cfg.users; u++)
        cancel_timer(g, &g->user_timers[u]);
    while (g->live) {
        struct cconv *cc = g->live;
        cancel_timer(g, &cc->timer);
        if (cc->tc)
            tcp_conn_abort(cc->tc, false);
        if (cc->uep.hashed) {
            app_ep_del(g->st, &cc->uep);
            app_port_release(g->st, IPPROTO_UDP, cc->uep.laddr, cc->uep.lport);
        }
        cconv_release(cc);
    }
    while (g->free) {
        struct cconv *cc = g->free;
        g->free = cc->next;
        g_free(cc);
    }
    app_stack_put(g->st);
    g_free(g->user_timers);
    g_free(g->script);
    g_free(g->addrs);
    g_free(g->name);
    g_free(g);
}
