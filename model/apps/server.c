/* Real-server applications: listeners (TCP, UDP, or both on one port) in front of
 * queueing stations (workers in parallel, a FIFO queue with a limit, service times
 * from a dist): the server's, shared by the listeners that have none of their own.
 * Userspace servers, no kernel file; their TCP is tcp_conn.c and beside it. */
#include <glib.h>
#include <math.h>
#include <string.h>
#include "model/apps/tcp_conn.h"
#include "model/apps/workload.h"
#include "model/ipv4/icmp.h"
#include "model/ipv4/ip.h"
#include "model/ipv4/sock.h"
#include "model/ipv6/ipv6.h"
#include "model/net.h"
#include "sim/sim.h"

struct listener;

/* A request in a station: an open TCP connection's, or a UDP one. */
struct job {
    GList link;                     /* in the FIFO queue (data = the job) */
    sim_event_id timer;             /* service end, while a worker has it */
    struct listener *l;             /* where it came in */
    bool udp;
    bool queued, serving;
};

/* Workers and a FIFO queue: the server's, or a listener's own. */
struct station {
    uint32_t workers;
    uint32_t queue_limit;
    struct dist service_time;       /* of the listeners without their own */
    uint32_t cursor;                /* in service_time (a trace) */
    struct rng r_service;
    GQueue queue;                   /* struct job, FIFO */
    uint32_t busy, queued;
};

struct listener {
    struct server_app *s;
    struct station *st;             /* the server's, or own */
    struct station own;
    uint8_t proto;                  /* 0: TCP and UDP */
    uint16_t port;
    bool has_service_time;
    struct dist service_time;       /* its own */
    uint32_t cursor;
    double slow;                    /* service times multiplied by it (1: none) */
    struct tcp_listener tl;
    struct udp_listener ul;
    bool tcp, udp;                  /* which of tl, ul listen */
    struct server_stats stats;
};

struct sconn {
    struct job job;                 /* first: a job is its connection */
    struct server_app *s;
    struct tcp_conn *tc;
    uint64_t req_got;
    bool peer_closed;
    struct sconn *next, *prev;
};

struct ureq {
    struct job job;
    struct server_app *s;
    gint64 key;                     /* the conversation (0: not in the table) */
    be32 laddr, raddr;
    be16 lport, rport;
    uint64_t flow;
    uint64_t got, need, resp;
    struct ureq *next, *prev;
};

struct server_app {
    struct net *net;
    struct app_stack *st;
    struct server_app_cfg cfg;
    char *name;
    struct conv_log *log;
    enum server_mode mode;
    struct station main;            /* the server's workers and queue */
    struct listener *ls;
    uint32_t nls;
    struct sconn *conns;
    struct ureq *ureqs;
    struct ureq *ureq_pool;         /* freed requests, reused (through next): a UDP
                                       request is one allocation per datagram otherwise */
    GHashTable *pending;            /* conversation id -> ureq still arriving */
    struct server_stats stats;
};

static sim_time_t now_of(const struct server_app *s)
{
    return net_now(s->net);
}

static bool station_full(const struct station *st)
{
    return st->busy >= st->workers && st->queued >= st->queue_limit;
}

/* ---- list helpers -------------------------------------------------------------------- */

static void sconn_unlink(struct server_app *s, struct sconn *c)
{
    if (c->prev)
        c->prev->next = c->next;
    else
        s->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
}

static void ureq_unlink(struct server_app *s, struct ureq *u)
{
    if (u->prev)
        u->prev->next = u->next;
    else
        s->ureqs = u->next;
    if (u->next)
        u->next->prev = u->prev;
    if (u->key)
        g_hash_table_remove(s->pending, &u->key);
    u->key = 0;
}

/* ---- the station ---------------------------------------------------------------------- */

static void job_done(struct sim *sim, void *obj, uint64_t arg);

/* The service time of a request of l: the listener's own distribution or its
 * station's, drawn from the station's stream, times the slowdown. */
static sim_time_t service_draw(struct listener *l)
{
    struct station *st = l->st;
    sim_time_t t = l->has_service_time ? dist_draw(&l->service_time, &st->r_service, &l->cursor)
                                       : dist_draw(&st->service_time, &st->r_service, &st->cursor);
    if (l->slow != 1.0) {
        /* a product past any run's end never ends within it: keep it in range */
        double x = nearbyint((double)t * l->slow);
        t = x >= (double)(SIM_TIME_MAX / 2) ? SIM_TIME_MAX / 2 : (sim_time_t)x;
    }
    return t;
}

static void job_start(struct server_app *s, struct job *j)
{
    j->l->st->busy++;
    j->serving = true;
    sim_time_t t = service_draw(j->l);
    j->timer = host_timer(s->net->host, sim_time_add(now_of(s), t), job_done, j, 0);
}

static void station_next(struct server_app *s, struct station *st)
{
    while (st->busy < st->workers && st->queue.head) {
        GList *l = st->queue.head;
        g_queue_unlink(&st->queue, l);
        struct job *j = l->data;
        j->queued = false;
        st->queued--;
        job_start(s, j);
    }
}

/* Take a complete request: false when the station is full. */
static bool station_submit(struct server_app *s, struct job *j)
{
    struct station *st = j->l->st;
    if (st->busy < st->workers) {
        job_start(s, j);
        return true;
    }
    if (st->queued < st->queue_limit) {
        j->link.data = j;
        g_queue_push_tail_link(&st->queue, &j->link);
        j->queued = true;
        st->queued++;
        return true;
    }
    s->stats.queue_drops++;
    j->l->stats.queue_drops++;
    return false;
}

/* The job's owner is gone: take it out of the station. */
static void station_remove(struct server_app *s, struct job *j)
{
    struct station *st = j->l->st;
    if (j->queued) {
        g_queue_unlink(&st->queue, &j->link);
        j->queued = false;
        st->queued--;
    }
    if (j->serving) {
        if (j->timer)
            sim_cancel(host_sim(s->net->host), j->timer);
        j->timer = 0;
        j->serving = false;
        st->busy--;
        station_next(s, st);
    }
}

/* ---- TCP -------------------------------------------------------------------------------- */

static void sconn_free(struct server_app *s, struct sconn *c)
{
    station_remove(s, &c->job);
    sconn_unlink(s, c);
    g_free(c);
}

static bool l_syn(struct tcp_listener *tl, const struct sk_buff *skb)
{
    struct listener *l = tl->ctx;
    struct server_app *s = l->s;
    struct conv *conv = conv_get(s->log, skb->flow);
    if (conv && conv->proto == IPPROTO_TCP)
        conv->server = s->cfg.index;
    if (s->mode == SERVER_REFUSE || station_full(l->st)) {
        s->stats.refused++;
        l->stats.refused++;
        return false;
    }
    return true;
}

static const struct tcp_conn_ops server_tcp_ops;

static void l_accept(struct tcp_listener *tl, struct tcp_conn *tc)
{
    struct listener *l = tl->ctx;
    struct server_app *s = l->s;
    struct sconn *c = g_new0(struct sconn, 1);
    c->s = s;
    c->job.l = l;
    c->tc = tc;
    c->next = s->conns;
    if (s->conns)
        s->conns->prev = c;
    s->conns = c;
    s->stats.accepted++;
    l->stats.accepted++;
    tcp_conn_set_owner(tc, &server_tcp_ops, c);
}

static void s_data(struct tcp_conn *tc, uint32_t bytes, bool psh)
{
    struct sconn *c = tc->ctx;
    struct server_app *s = c->s;
    if (c->job.queued || c->job.serving)
        return;                     /* no pipelining: the client waits for the response */
    c->req_got += bytes;
    struct conv *conv = conv_get(s->log, tc->flow);
    uint64_t need = conv ? conv->req_size : 0;
    bool complete = need ? c->req_got >= need : psh;
    if (!complete)
        return;
    c->req_got = 0;
    if (conv && s->cfg.close_after_response)
        conv->server_closes = true;
    if (!station_submit(s, &c->job)) {
        /* The queue is full: the connection is refused (reset). */
        sconn_unlink(s, c);
        tcp_conn_abort(tc, true);
        g_free(c);
    }
}

static void s_peer_fin(struct tcp_conn *tc)
{
    struct sconn *c = tc->ctx;
    c->peer_closed = true;
    if (!c->job.queued && !c->job.serving)
        tcp_conn_close(tc);
}

static void s_done(struct tcp_conn *tc, enum tcp_done why)
{
    struct sconn *c = tc->ctx;
    sconn_free(c->s, c);
}

static const struct tcp_conn_ops server_tcp_ops = {
    .data = s_data,
    .peer_fin = s_peer_fin,
    .done = s_done,
};

static void respond_tcp(struct server_app *s, struct sconn *c)
{
    struct conv *conv = conv_get(s->log, c->tc->flow);
    uint64_t resp = conv ? conv->resp_size : 1;
    tcp_conn_send(c->tc, resp ? resp : 1);
    /* close() right after write(): the FIN follows the answer at once (tcp_send_fin) */
    if (c->peer_closed || (s->cfg.close_after_response && (!conv || conv->last_request)))
        tcp_conn_close(c->tc);
}

/* ---- UDP --------------------------------------------------------------------------------- */

static void ureq_free(struct server_app *s, struct ureq *u)
{
    station_remove(s, &u->job);
    ureq_unlink(s, u);
    u->next = s->ureq_pool;
    s->ureq_pool = u;
}

static void respond_udp(struct server_app *s, struct ureq *u)
{
    uint64_t left = u->resp;
    do {
        uint32_t n = left > UDP_MAX_PAYLOAD ? UDP_MAX_PAYLOAD : (uint32_t)left;
        app_udp_send(s->net, u->laddr, u->lport, u->raddr, u->rport, n, u->flow);
        left -= n;
    } while (left > 0);
}

static void u_listen_rcv(struct udp_listener *ul, struct sk_buff *skb)
{
    struct listener *l = ul->ctx;
    struct server_app *s = l->s;
    struct net *net = s->net;
    if (s->mode == SERVER_REFUSE) {
        bool v6 = skb->protocol == ETH_P_IPV6;
        if (v6)
            icmpv6_send(net, skb, ICMPV6_DEST_UNREACH, ICMPV6_PORT_UNREACH, 0);
        else
            icmp_send(net, skb, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0);
        kfree_skb_reason(net, skb, v6 ? "udpv6_rcv" : "udp_rcv", "no socket");
        return;
    }
    be32 saddr, daddr;
    sock_skb_addrs(skb, &saddr, &daddr);
    const struct udphdr *uh = (const struct udphdr *)skb->data;
    uint32_t len = ntohs(uh->len);
    uint32_t payload = len > sizeof *uh ? len - (uint32_t)sizeof *uh : 0;
    uint64_t flow = skb->flow;
    struct conv *conv = conv_get(s->log, flow);
    if (conv && conv->proto != IPPROTO_UDP)
        conv = NULL;
    gint64 key = (gint64)flow;
    struct ureq *u = conv ? g_hash_table_lookup(s->pending, &key) : NULL;
    if (!u) {
        if (s->ureq_pool) {
            u = s->ureq_pool;
            s->ureq_pool = u->next;
            memset(u, 0, sizeof *u);
        } else {
            u = g_new0(struct ureq, 1);
        }
        u->s = s;
        u->job.l = l;
        u->job.udp = true;
        u->laddr = daddr;
        u->lport = uh->dest;
        u->raddr = saddr;
        u->rport = uh->source;
        u->flow = flow;
        u->need = conv ? conv->req_size : payload;
        u->resp = conv ? conv->resp_size : payload;   /* unknown: echo */
        u->next = s->ureqs;
        if (s->ureqs)
            s->ureqs->prev = u;
        s->ureqs = u;
        if (conv)
            conv->server = s->cfg.index;
        s->stats.accepted++;
        l->stats.accepted++;
    }
    consume_skb(net, skb);
    u->got += payload;
    if (u->got < u->need) {
        /* More datagrams to come: findable by conversation (a request in one datagram,
         * the usual case, never needs it). */
        if (conv && !u->key) {
            u->key = key;
            g_hash_table_insert(s->pending, &u->key, u);
        }
        return;
    }
    if (u->key) {
        g_hash_table_remove(s->pending, &u->key);
        u->key = 0;
    }
    if (!station_submit(s, &u->job))
        ureq_free(s, u);            /* dropped: the client times out */
}

/* ---- service end -------------------------------------------------------------------------- */

static void job_done(struct sim *sim, void *obj, uint64_t arg)
{
    struct job *j = obj;
    struct server_app *s = j->udp ? ((struct ureq *)j)->s : ((struct sconn *)j)->s;
    struct listener *l = j->l;
    j->timer = 0;
    j->serving = false;
    l->st->busy--;
    s->stats.served++;
    l->stats.served++;
    if (j->udp) {
        struct ureq *u = (struct ureq *)j;
        respond_udp(s, u);
        ureq_free(s, u);
    } else {
        respond_tcp(s, (struct sconn *)j);
    }
    station_next(s, l->st);
}

/* ---- the application ---------------------------------------------------------------------- */

static const struct tcp_listen_ops listen_ops = {
    .syn = l_syn,
    .accept = l_accept,
};

static const char *proto_word(uint8_t proto)
{
    return proto == IPPROTO_TCP ? "tcp" : "udp";
}

/* A station with its stream: "server:<name>:service" for the server's,
 * "server:<name>:service:<proto>:<port>" for a listener's own. */
static void station_init(struct station *st, uint64_t seed, const char *stream, int workers,
                         uint32_t queue_limit, const struct dist *service_time)
{
    st->workers = (uint32_t)(workers > 0 ? workers : 1);
    st->queue_limit = queue_limit;
    st->service_time = *service_time;
    g_queue_init(&st->queue);
    rng_init(&st->r_service, seed, stream);
}

/* A listener's sockets. Its ISN stream is "server:<name>:isn" for the server's first
 * listener (a server given a port has only that one), "server:<name>:isn:<proto>:<port>"
 * for the others. */
static void listener_start(struct server_app *s, struct listener *l, uint32_t i,
                           const struct server_listener_cfg *lc, uint64_t seed)
{
    l->s = s;
    l->proto = lc->proto;
    l->port = lc->port;
    l->has_service_time = lc->has_service_time;
    l->service_time = lc->service_time;
    l->slow = 1.0;
    l->st = &s->main;
    if (lc->workers > 0) {
        char *n = g_strdup_printf("server:%s:service:%s:%u", s->name, proto_word(lc->proto),
                                  lc->port);
        station_init(&l->own, seed, n, lc->workers, lc->queue_limit, &s->cfg.service_time);
        g_free(n);
        l->st = &l->own;
    }
    l->tcp = lc->proto != IPPROTO_UDP;
    l->udp = lc->proto != IPPROTO_TCP;
    if (l->tcp) {
        char *n = i == 0 ? g_strdup_printf("server:%s:isn", s->name)
                         : g_strdup_printf("server:%s:isn:tcp:%u", s->name, lc->port);
        rng_init(&l->tl.isn, seed, n);
        g_free(n);
        l->tl.port = htons(lc->port);
        l->tl.ops = &listen_ops;
        l->tl.ctx = l;
        l->tl.backlog = s->cfg.backlog;
        l->tl.syncookies = !s->cfg.no_syncookies;
        tcp_listen(s->st, &l->tl);
    }
    if (l->udp) {
        l->ul.port = htons(lc->port);
        l->ul.rcv = u_listen_rcv;
        l->ul.ctx = l;
        udp_listen(s->st, &l->ul);
    }
}

struct server_app *server_app_start(struct net *net, const struct server_app_cfg *cfg,
                                    struct conv_log *log)
{
    struct server_app *s = g_new0(struct server_app, 1);
    s->net = net;
    s->st = app_stack_get(net);
    s->cfg = *cfg;
    s->name = g_strdup(cfg->name ? cfg->name : "server");
    s->cfg.name = s->name;
    s->log = log;
    s->mode = SERVER_UP;
    s->pending = g_hash_table_new(g_int64_hash, g_int64_equal);
    uint64_t seed = host_sim(net->host)->seed;
    char *n = g_strdup_printf("server:%s:service", s->name);
    station_init(&s->main, seed, n, cfg->workers, cfg->queue_limit, &cfg->service_time);
    g_free(n);
    /* a server given a port: one listener of both protocols there */
    struct server_listener_cfg one = { .port = cfg->port };
    const struct server_listener_cfg *lcs = cfg->nlisteners ? cfg->listeners : &one;
    s->nls = cfg->nlisteners ? cfg->nlisteners : 1;
    s->cfg.listeners = NULL;
    s->ls = g_new0(struct listener, s->nls);
    for (uint32_t i = 0; i < s->nls; i++)
        listener_start(s, &s->ls[i], i, &lcs[i], seed);
    return s;
}

/* A crash: every connection and request is forgotten, nothing is sent. */
static void forget_everything(struct server_app *s)
{
    while (s->conns) {
        struct sconn *c = s->conns;
        tcp_conn_abort(c->tc, false);
        sconn_free(s, c);
    }
    while (s->ureqs)
        ureq_free(s, s->ureqs);
    for (uint32_t i = 0; i < s->nls; i++)
        if (s->ls[i].tcp)
            tcp_listener_purge(s->st, &s->ls[i].tl);
}

void server_app_set_mode(struct server_app *s, enum server_mode mode)
{
    if (mode == SERVER_DOWN && s->mode != SERVER_DOWN)
        forget_everything(s);
    s->net->down = mode == SERVER_DOWN;
    s->mode = mode;
    if (mode == SERVER_UP)
        server_app_set_slow(s, -1, 1.0);
}

const struct server_stats *server_app_stats(const struct server_app *s)
{
    /* the sockets' and stations' counters, read now */
    struct server_stats *st = (struct server_stats *)&s->stats;
    st->syn_cookies = st->syn_drops = 0;
    st->busy = s->main.busy;
    st->queued = s->main.queued;
    for (uint32_t i = 0; i < s->nls; i++) {
        const struct listener *l = &s->ls[i];
        st->syn_cookies += l->tl.cookies_sent;
        st->syn_drops += l->tl.syn_drops;
        if (l->st == &l->own) {
            st->busy += l->own.busy;
            st->queued += l->own.queued;
        }
    }
    return &s->stats;
}

uint32_t server_app_listeners(const struct server_app *s)
{
    return s->nls;
}

int server_app_listener_index(const struct server_app *s, uint8_t proto, uint16_t port)
{
    for (uint32_t i = 0; i < s->nls; i++)
        if (s->ls[i].port == port && (s->ls[i].proto == 0 || s->ls[i].proto == proto))
            return (int)i;
    return -1;
}

const struct server_stats *server_app_listener_stats(const struct server_app *s, uint32_t i)
{
    struct listener *l = &s->ls[i];
    l->stats.syn_cookies = l->tl.cookies_sent;
    l->stats.syn_drops = l->tl.syn_drops;
    l->stats.busy = l->st == &l->own ? l->own.busy : 0;
    l->stats.queued = l->st == &l->own ? l->own.queued : 0;
    return &l->stats;
}

/* ---- brownouts ------------------------------------------------------------------------------ */

void server_app_set_service_time(struct server_app *s, int listener, const struct dist *d)
{
    if (listener >= 0) {
        struct listener *l = &s->ls[listener];
        l->has_service_time = true;
        l->service_time = *d;
        l->cursor = 0;
        return;
    }
    /* the server's: its station's, and what listeners with stations of their own
     * took from it */
    s->cfg.service_time = *d;
    s->main.service_time = *d;
    s->main.cursor = 0;
    for (uint32_t i = 0; i < s->nls; i++)
        if (s->ls[i].st == &s->ls[i].own) {
            s->ls[i].own.service_time = *d;
            s->ls[i].own.cursor = 0;
        }
}

bool server_app_set_workers(struct server_app *s, int listener, int workers)
{
    struct station *st = &s->main;
    if (listener >= 0) {
        struct listener *l = &s->ls[listener];
        if (l->st != &l->own)
            return false;
        st = &l->own;
    }
    st->workers = (uint32_t)(workers > 0 ? workers : 1);
    station_next(s, st);
    return true;
}

void server_app_set_slow(struct server_app *s, int listener, double k)
{
    for (uint32_t i = 0; i < s->nls; i++)
        if (listener < 0 || (uint32_t)listener == i)
            s->ls[i].slow = k;
}

void server_app_free(struct server_app *s)
{
    if (!s)
        return;
    forget_everything(s);
    for (uint32_t i = 0; i < s->nls; i++) {
        if (s->ls[i].tcp)
            tcp_unlisten(s->st, &s->ls[i].tl);
        if (s->ls[i].udp)
            udp_unlisten(s->st, &s->ls[i].ul);
    }
    g_free(s->ls);
    app_stack_put(s->st);
    g_hash_table_destroy(s->pending);
    for (struct ureq *u = s->ureq_pool, *n; u; u = n) {
        n = u->next;
        g_free(u);
    }
    g_free(s->name);
    g_free(s);
}
