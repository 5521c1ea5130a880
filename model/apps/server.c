/* Real-server applications: a TCP and UDP listener in front of a queueing station
 * (workers in parallel, a FIFO queue with a limit, service times from a dist).
 * Userspace servers, no kernel file; their TCP is tcp_conn.c and beside it. */
#include <glib.h>
#include <string.h>
#include "model/apps/tcp_conn.h"
#include "model/apps/workload.h"
#include "model/ipv4/icmp.h"
#include "model/ipv4/ip.h"
#include "model/net.h"
#include "sim/sim.h"

/* A request in the station: an open TCP connection's, or a UDP one. */
struct job {
    GList link;                     /* in the FIFO queue (data = the job) */
    sim_event_id timer;             /* service end, while a worker has it */
    bool udp;
    bool queued, serving;
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
    struct tcp_listener tl;
    struct udp_listener ul;
    struct rng r_service;
    uint32_t cur_service;
    GQueue queue;                   /* struct job, FIFO */
    struct sconn *conns;
    struct ureq *ureqs;
    GHashTable *pending;            /* conversation id -> ureq still arriving */
    struct server_stats stats;
};

static sim_time_t now_of(const struct server_app *s)
{
    return net_now(s->net);
}

static bool station_full(const struct server_app *s)
{
    return s->stats.busy >= (uint32_t)(s->cfg.workers > 0 ? s->cfg.workers : 1) &&
           s->stats.queued >= s->cfg.queue_limit;
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

static void job_start(struct server_app *s, struct job *j)
{
    s->stats.busy++;
    j->serving = true;
    sim_time_t t = dist_draw(&s->cfg.service_time, &s->r_service, &s->cur_service);
    j->timer = host_timer(s->net->host, sim_time_add(now_of(s), t), job_done, j, 0);
}

static void station_next(struct server_app *s)
{
    uint32_t workers = (uint32_t)(s->cfg.workers > 0 ? s->cfg.workers : 1);
    while (s->stats.busy < workers && s->queue.head) {
        GList *l = s->queue.head;
        g_queue_unlink(&s->queue, l);
        struct job *j = l->data;
        j->queued = false;
        s->stats.queued--;
        job_start(s, j);
    }
}

/* Take a complete request: false when the station is full. */
static bool station_submit(struct server_app *s, struct job *j)
{
    uint32_t workers = (uint32_t)(s->cfg.workers > 0 ? s->cfg.workers : 1);
    if (s->stats.busy < workers) {
        job_start(s, j);
        return true;
    }
    if (s->stats.queued < s->cfg.queue_limit) {
        j->link.data = j;
        g_queue_push_tail_link(&s->queue, &j->link);
        j->queued = true;
        s->stats.queued++;
        return true;
    }
    s->stats.queue_drops++;
    return false;
}

/* The job's owner is gone: take it out of the station. */
static void station_remove(struct server_app *s, struct job *j)
{
    if (j->queued) {
        g_queue_unlink(&s->queue, &j->link);
        j->queued = false;
        s->stats.queued--;
    }
    if (j->serving) {
        if (j->timer)
            sim_cancel(host_sim(s->net->host), j->timer);
        j->timer = 0;
        j->serving = false;
        s->stats.busy--;
        station_next(s);
    }
}

/* ---- TCP -------------------------------------------------------------------------------- */

static void sconn_free(struct server_app *s, struct sconn *c)
{
    station_remove(s, &c->job);
    sconn_unlink(s, c);
    g_free(c);
}

static bool l_syn(struct tcp_listener *l, const struct sk_buff *skb)
{
    struct server_app *s = l->ctx;
    struct conv *conv = conv_get(s->log, skb->flow);
    if (conv && conv->proto == IPPROTO_TCP)
        conv->server = s->cfg.index;
    if (s->mode == SERVER_REFUSE || station_full(s)) {
        s->stats.refused++;
        return false;
    }
    return true;
}

static const struct tcp_conn_ops server_tcp_ops;

static void l_accept(struct tcp_listener *l, struct tcp_conn *tc)
{
    struct server_app *s = l->ctx;
    struct sconn *c = g_new0(struct sconn, 1);
    c->s = s;
    c->tc = tc;
    c->next = s->conns;
    if (s->conns)
        s->conns->prev = c;
    s->conns = c;
    s->stats.accepted++;
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
    g_free(u);
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

static void u_listen_rcv(struct udp_listener *l, struct sk_buff *skb)
{
    struct server_app *s = l->ctx;
    struct net *net = s->net;
    if (s->mode == SERVER_REFUSE) {
        icmp_send(net, skb, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0);
        kfree_skb_reason(net, skb, "udp_rcv", "no socket");
        return;
    }
    const struct iphdr *iph = ip_hdr(skb);
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
        u = g_new0(struct ureq, 1);
        u->s = s;
        u->job.udp = true;
        u->laddr = iph->daddr;
        u->lport = uh->dest;
        u->raddr = iph->saddr;
        u->rport = uh->source;
        u->flow = flow;
        u->need = conv ? conv->req_size : payload;
        u->resp = conv ? conv->resp_size : payload;   /* unknown: echo */
        u->next = s->ureqs;
        if (s->ureqs)
            s->ureqs->prev = u;
        s->ureqs = u;
        if (conv) {
            conv->server = s->cfg.index;
            u->key = key;
            g_hash_table_insert(s->pending, &u->key, u);
        }
        s->stats.accepted++;
    }
    consume_skb(net, skb);
    u->got += payload;
    if (u->got < u->need)
        return;
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
    j->timer = 0;
    j->serving = false;
    s->stats.busy--;
    s->stats.served++;
    if (j->udp) {
        struct ureq *u = (struct ureq *)j;
        respond_udp(s, u);
        ureq_free(s, u);
    } else {
        respond_tcp(s, (struct sconn *)j);
    }
    station_next(s);
}

/* ---- the application ---------------------------------------------------------------------- */

static const struct tcp_listen_ops listen_ops = {
    .syn = l_syn,
    .accept = l_accept,
};

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
    g_queue_init(&s->queue);
    s->pending = g_hash_table_new(g_int64_hash, g_int64_equal);
    uint64_t seed = host_sim(net->host)->seed;
    char *n = g_strdup_printf("server:%s:service", s->name);
    rng_init(&s->r_service, seed, n);
    g_free(n);
    n = g_strdup_printf("server:%s:isn", s->name);
    rng_init(&s->tl.isn, seed, n);
    g_free(n);
    s->tl.port = htons(cfg->port);
    s->tl.ops = &listen_ops;
    s->tl.ctx = s;
    s->tl.backlog = cfg->backlog;
    s->tl.syncookies = !cfg->no_syncookies;
    tcp_listen(s->st, &s->tl);
    s->ul.port = htons(cfg->port);
    s->ul.rcv = u_listen_rcv;
    s->ul.ctx = s;
    udp_listen(s->st, &s->ul);
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
    tcp_listener_purge(s->st, &s->tl);
}

void server_app_set_mode(struct server_app *s, enum server_mode mode)
{
    if (mode == SERVER_DOWN && s->mode != SERVER_DOWN)
        forget_everything(s);
    s->net->down = mode == SERVER_DOWN;
    s->mode = mode;
}

const struct server_stats *server_app_stats(const struct server_app *s)
{
    /* the listener's counters, read now */
    struct server_stats *st = (struct server_stats *)&s->stats;
    st->syn_cookies = s->tl.cookies_sent;
    st->syn_drops = s->tl.syn_drops;
    return &s->stats;
}

void server_app_free(struct server_app *s)
{
    if (!s)
        return;
    forget_everything(s);
    tcp_unlisten(s->st, &s->tl);
    udp_unlisten(s->st, &s->ul);
    app_stack_put(s->st);
    g_hash_table_destroy(s->pending);
    g_free(s->name);
    g_free(s);
}
