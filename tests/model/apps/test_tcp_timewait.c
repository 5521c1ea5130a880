/* TIME_WAIT as compact records (model/apps/tcp_timewait.c): one connection between
 * topo3's client (10.0.1.2) and a listener on the server (10.0.2.2:80); the client
 * closes first, the server closes when it sees the client's FIN, so the client ends in
 * TIME_WAIT. */
#include <string.h>
#include "model/apps/tcp_conn_internal.h"
#include "model/net.h"
#include "sim/sim.h"
#include "tests/testutil.h"
#include "tests/topo.h"

struct seen {
    int n;
    uint8_t flags[64];
    uint32_t seq[64], ack[64];
    bool conn[64];                  /* the hook was given a tcp_conn (not a record) */
    sim_time_t at[64];
    struct net *net;
};

static void hook(void *ctx, const struct tcp_conn *c, bool out, uint8_t flags, uint32_t seq,
                 uint32_t ack, uint32_t len)
{
    (void)len;
    struct seen *s = ctx;
    if (!out || s->n == 64)
        return;
    s->flags[s->n] = flags;
    s->seq[s->n] = seq;
    s->ack[s->n] = ack;
    s->conn[s->n] = c != NULL;
    s->at[s->n] = net_now(s->net);
    s->n++;
}

struct tw_world {
    struct topo3 t;
    struct app_stack *cst, *sst;
    struct tcp_listener l;
    struct tcp_conn *cc;
    be16 cport;
    sim_time_t done_at;             /* the client's done: TIME_WAIT entered */
    int done;
    struct seen cseen, sseen;
};

static void c_established(struct tcp_conn *c)
{
    tcp_conn_close(c);
}

static void c_done(struct tcp_conn *c, enum tcp_done why)
{
    struct tw_world *w = c->ctx;
    CU_ASSERT_EQUAL(why, TCP_DONE_OK);
    CU_ASSERT_EQUAL(c->state, TCPS_TIME_WAIT);     /* the owner still sees it whole */
    w->done_at = net_now(c->st->net);
    w->done++;
    w->cc = NULL;
}

static const struct tcp_conn_ops client_ops = { .established = c_established, .done = c_done };

static void s_peer_fin(struct tcp_conn *c)
{
    tcp_conn_close(c);
}

static void s_done(struct tcp_conn *c, enum tcp_done why)
{
    (void)c;
    (void)why;
}

static const struct tcp_conn_ops server_ops = { .peer_fin = s_peer_fin, .done = s_done };

static bool l_syn(struct tcp_listener *l, const struct sk_buff *skb)
{
    (void)l;
    (void)skb;
    return true;
}

static void l_accept(struct tcp_listener *l, struct tcp_conn *c)
{
    (void)l;
    tcp_conn_set_owner(c, &server_ops, NULL);
}

static const struct tcp_listen_ops listen_ops = { .syn = l_syn, .accept = l_accept };

/* client_ts: the client host's net.ipv4.tcp_timestamps. */
static void tw_world_init_ts(struct tw_world *w, int client_ts)
{
    memset(w, 0, sizeof *w);
    topo3_init(&w->t);
    host_net(w->t.client)->ipv4.tcp_timestamps = client_ts;
    w->cst = app_stack_get(host_net(w->t.client));
    w->sst = app_stack_get(host_net(w->t.server));
    w->cseen.net = host_net(w->t.client);
    w->sseen.net = host_net(w->t.server);
    app_stack_set_seg_hook(w->cst, hook, &w->cseen);
    app_stack_set_seg_hook(w->sst, hook, &w->sseen);
    w->l.port = htons(80);
    w->l.ops = &listen_ops;
    CU_ASSERT_FATAL(tcp_listen(w->sst, &w->l));
    struct rng r;
    rng_init(&r, 7, "tw");
    w->cport = app_port_alloc(w->cst, IPPROTO_TCP, topo_ip("10.0.1.2"), &r);
    w->cc = tcp_connect(w->cst, topo_ip("10.0.1.2"), w->cport, topo_ip("10.0.2.2"), htons(80),
                        1000, 42, &client_ops, w);
    CU_ASSERT_FATAL(w->cc != NULL);
    sim_run_until(&w->t.w.sim, 1 * SEC);
    CU_ASSERT_EQUAL_FATAL(w->done, 1);
}

static void tw_world_init(struct tw_world *w)
{
    tw_world_init_ts(w, 1);
}

static void tw_world_free(struct tw_world *w)
{
    tcp_unlisten(w->sst, &w->l);
    app_stack_put(w->cst);
    app_stack_put(w->sst);
    world_destroy(&w->t.w);
}

static bool port_taken(struct tw_world *w)
{
    return app_port_in_use(w->cst, IPPROTO_TCP, topo_ip("10.0.1.2"), w->cport);
}

/* The server's FIN again, as if the client's last ACK had been lost. */
static void resend_server_fin(struct tw_world *w)
{
    int k = -1;
    for (int i = 0; i < w->sseen.n; i++)
        if (w->sseen.flags[i] & TCPH_FIN)
            k = i;
    CU_ASSERT_FATAL(k >= 0);
    tcp_xmit_raw(w->sst, topo_ip("10.0.2.2"), htons(80), topo_ip("10.0.1.2"), w->cport,
                 w->sseen.seq[k], w->sseen.ack[k], TCPH_FIN | TCPH_ACK, 0, 0, 42);
}

/* Entering TIME_WAIT: the connection object goes back to the free list at once and a
 * record holds the 4-tuple and the port. */
static void test_time_wait_is_a_record(void)
{
    struct tw_world w;
    tw_world_init(&w);
    const struct app_stack_stats *st = app_stack_stats(w.cst);
    CU_ASSERT_EQUAL(st->tcp_conns, 0);
    CU_ASSERT_EQUAL(st->tcp_tw, 1);
    CU_ASSERT_EQUAL(st->tcp_tw_records, 1);
    CU_ASSERT(w.cst->live == NULL);
    CU_ASSERT(w.cst->free != NULL);                 /* the full connection, recycled */
    CU_ASSERT(port_taken(&w));
    CU_ASSERT(w.cst->tw.event != 0);                /* the list's one queue event */
    /* The same 4-tuple cannot be opened again while it is in TIME_WAIT. */
    CU_ASSERT(tcp_connect(w.cst, topo_ip("10.0.1.2"), w.cport, topo_ip("10.0.2.2"), htons(80),
                          5000, 43, &client_ops, &w) == NULL);
    CU_ASSERT_EQUAL(sizeof(struct tcp_tw), 56);  /* 16 (4-tuple) + 8 + 4 * 7 + 2 + 1 (bits) + 1 */
    tw_world_free(&w);
}

/* The record lives exactly TCP_TIMEWAIT_LEN, then the port is free and the pool
 * empty. */
static void test_time_wait_expires(void)
{
    struct tw_world w;
    tw_world_init(&w);
    sim_run_until(&w.t.w.sim, w.done_at + TCP_TIMEWAIT_LEN - 1);
    CU_ASSERT(port_taken(&w));
    CU_ASSERT_EQUAL(app_stack_stats(w.cst)->tcp_tw, 1);
    sim_run_until(&w.t.w.sim, w.done_at + TCP_TIMEWAIT_LEN);
    CU_ASSERT(!port_taken(&w));
    CU_ASSERT_EQUAL(app_stack_stats(w.cst)->tcp_tw, 0);
    CU_ASSERT_EQUAL(app_stack_stats(w.cst)->tcp_tw_records, 0);
    CU_ASSERT_EQUAL(w.cst->tw.event, 0);            /* nothing left to wait for */
    tw_world_free(&w);
}

/* A retransmitted FIN is ACKed with the connection's last sequence numbers and
 * re-arms TIME_WAIT for 60 s from then (tcp_timewait_state_process). */
static void test_fin_retransmission_acked(void)
{
    struct tw_world w;
    tw_world_init(&w);
    /* The server has forgotten the connection: keep it from answering our ACKs with
     * a RST (which would end TIME_WAIT), as a peer still in LAST_ACK would. */
    app_stack_drop_net(w.sst, topo_ip("10.0.2.2"), 32);
    int before = w.cseen.n;
    CU_ASSERT_FATAL(before >= 1);
    uint32_t last_seq = w.cseen.seq[before - 1], last_ack = w.cseen.ack[before - 1];
    CU_ASSERT_EQUAL(w.cseen.flags[before - 1], TCPH_ACK);
    sim_run_until(&w.t.w.sim, 10 * SEC);
    resend_server_fin(&w);
    sim_run_until(&w.t.w.sim, 11 * SEC);
    CU_ASSERT_EQUAL_FATAL(w.cseen.n, before + 1);
    CU_ASSERT_EQUAL(w.cseen.flags[before], TCPH_ACK);
    CU_ASSERT_EQUAL(w.cseen.seq[before], last_seq);
    CU_ASSERT_EQUAL(w.cseen.ack[before], last_ack);
    CU_ASSERT(!w.cseen.conn[before]);               /* sent by the record */
    sim_time_t rearmed = w.cseen.at[before];
    CU_ASSERT_EQUAL(app_stack_stats(w.cst)->tcp_tw, 1);
    CU_ASSERT_EQUAL(app_stack_stats(w.cst)->tcp_tw_records, 2);   /* the old one, unhashed */
    /* Past the first expiry: still in TIME_WAIT, the old record reclaimed. */
    sim_run_until(&w.t.w.sim, w.done_at + TCP_TIMEWAIT_LEN + 1);
    CU_ASSERT(port_taken(&w));
    CU_ASSERT_EQUAL(app_stack_stats(w.cst)->tcp_tw, 1);
    CU_ASSERT_EQUAL(app_stack_stats(w.cst)->tcp_tw_records, 1);
    /* A second retransmission is ACKed too (the replacement record answers). */
    resend_server_fin(&w);
    sim_run_until(&w.t.w.sim, w.done_at + TCP_TIMEWAIT_LEN + 1 * SEC);
    CU_ASSERT_EQUAL_FATAL(w.cseen.n, before + 2);
    rearmed = w.cseen.at[before + 1];
    sim_run_until(&w.t.w.sim, rearmed + TCP_TIMEWAIT_LEN - 1);
    CU_ASSERT(port_taken(&w));
    sim_run_until(&w.t.w.sim, rearmed + TCP_TIMEWAIT_LEN);
    CU_ASSERT(!port_taken(&w));
    CU_ASSERT_EQUAL(app_stack_stats(w.cst)->tcp_tw, 0);
    CU_ASSERT_EQUAL(app_stack_stats(w.cst)->tcp_tw_records, 0);
    tw_world_free(&w);
}

/* A RST ends TIME_WAIT at once (tcp_rfc1337 = 0); the record is reclaimed at its
 * expiry time. */
static void test_rst_kills(void)
{
    struct tw_world w;
    tw_world_init(&w);
    int before = w.cseen.n;
    tcp_xmit_raw(w.sst, topo_ip("10.0.2.2"), htons(80), topo_ip("10.0.1.2"), w.cport,
                 w.sseen.seq[w.sseen.n - 1] + 1, 0, TCPH_RST, 0, 0, 42);
    sim_run_until(&w.t.w.sim, 2 * SEC);
    CU_ASSERT_EQUAL(w.cseen.n, before);             /* nothing answers a RST */
    CU_ASSERT(!port_taken(&w));
    CU_ASSERT_EQUAL(app_stack_stats(w.cst)->tcp_tw, 0);
    CU_ASSERT_EQUAL(app_stack_stats(w.cst)->tcp_tw_records, 1);
    sim_run_until(&w.t.w.sim, w.done_at + TCP_TIMEWAIT_LEN);
    CU_ASSERT_EQUAL(app_stack_stats(w.cst)->tcp_tw_records, 0);
    tw_world_free(&w);
}

/* Many records: one queue event for all of them, and the pool (more than one chunk)
 * empties when they have expired. */
static void test_many_share_one_event(void)
{
    struct tw_world w;
    tw_world_init(&w);
    struct app_stack *st = w.cst;
    /* Fake connections in TIME_WAIT straight from tcp_time_wait, 1 ms apart. */
    struct rng r;
    rng_init(&r, 9, "tw");
    uint64_t pending = evq_count(&w.t.w.sim.q);     /* the list's event among them */
    for (int i = 0; i < 3000; i++) {
        sim_run_until(&w.t.w.sim, w.t.w.sim.now + 1 * MSEC);
        struct tcp_conn *c = tcp_conn_alloc(st);
        c->ep.laddr = topo_ip("10.0.1.2");
        c->ep.lport = app_port_alloc(st, IPPROTO_TCP, c->ep.laddr, &r);
        c->ep.raddr = topo_ip("10.0.2.9");
        c->ep.rport = htons(80);
        CU_ASSERT_FATAL(app_ep_add(st, &c->ep));
        c->own_port = true;
        c->state = TCPS_FIN_WAIT2;
        c->busy++;
        tcp_time_wait(c);
        tcp_conn_unbusy(c);
    }
    CU_ASSERT_EQUAL(app_stack_stats(st)->tcp_tw, 3001);
    CU_ASSERT_EQUAL(app_stack_stats(st)->tcp_conns, 0);
    CU_ASSERT(st->tw.nchunks >= 3);
    CU_ASSERT_EQUAL(evq_count(&w.t.w.sim.q), pending);  /* no event per record */
    sim_run_until(&w.t.w.sim, 200 * SEC);
    CU_ASSERT_EQUAL(app_stack_stats(st)->tcp_tw, 0);
    CU_ASSERT_EQUAL(app_stack_stats(st)->tcp_tw_records, 0);
    CU_ASSERT(!app_port_in_use(st, IPPROTO_TCP, topo_ip("10.0.1.2"), w.cport));
    tw_world_free(&w);
}

/* A bound connect() onto the 4-tuple takes the TIME_WAIT over only when the record
 * holds a peer timestamp (tcp_twsk_unique, tcp_ipv4.c: tw_ts_recent_stamp), its ISN
 * past the old snd_nxt; without timestamps the tuple stays taken (EADDRNOTAVAIL). */
static void test_twsk_unique_needs_timestamps(void)
{
    for (int ts = 1; ts >= 0; ts--) {
        struct tw_world w;
        tw_world_init_ts(&w, ts);
        uint32_t isn = 7;
        bool taken = tcp_twsk_unique(w.cst, topo_ip("10.0.1.2"), w.cport, topo_ip("10.0.2.2"),
                                     htons(80), &isn);
        CU_ASSERT_EQUAL(taken, ts == 1);
        CU_ASSERT_EQUAL(app_stack_stats(w.cst)->tcp_tw, ts == 1 ? 0 : 1);
        CU_ASSERT_EQUAL(isn != 7, ts == 1);     /* a new ISN only when taken over */
        tw_world_free(&w);
    }
}

/* The sequence number the client's TIME_WAIT expects next: past the server's FIN. */
static uint32_t tw_rcv_nxt(const struct tw_world *w)
{
    for (int i = w->sseen.n - 1; i >= 0; i--)
        if (w->sseen.flags[i] & TCPH_FIN)
            return w->sseen.seq[i] + 1;
    CU_FAIL("no FIN from the server");
    return 0;
}

/* A segment from the server to the client's TIME_WAIT 4-tuple, without options. */
static void to_client(struct tw_world *w, uint32_t seq, uint8_t flags)
{
    tcp_xmit_raw(w->sst, topo_ip("10.0.2.2"), htons(80), topo_ip("10.0.1.2"), w->cport, seq,
                 w->cseen.ack[w->cseen.n - 1] ? w->cseen.seq[w->cseen.n - 1] : 0, flags, 0, 0, 42);
}

/* A RST is taken only in window (seq == rcv_nxt); one elsewhere is ignored, and the
 * socket stays (tcp_timewait_state_process). */
static void test_out_of_window_rst_ignored(void)
{
    struct tw_world w;
    tw_world_init(&w);
    app_stack_drop_net(w.sst, topo_ip("10.0.2.2"), 32);
    int before = w.cseen.n;
    to_client(&w, tw_rcv_nxt(&w) + 1000, TCPH_RST);
    sim_run_until(&w.t.w.sim, 2 * SEC);
    CU_ASSERT_EQUAL(w.cseen.n, before);
    CU_ASSERT(port_taken(&w));
    CU_ASSERT_EQUAL(app_stack_stats(w.cst)->tcp_tw, 1);
    tw_world_free(&w);
}

/* A bare ACK in window re-arms TCP_TIMEWAIT_LEN and is not answered. */
static void test_in_window_ack_rearms(void)
{
    struct tw_world w;
    tw_world_init(&w);
    app_stack_drop_net(w.sst, topo_ip("10.0.2.2"), 32);
    int before = w.cseen.n;
    sim_run_until(&w.t.w.sim, 10 * SEC);
    to_client(&w, tw_rcv_nxt(&w), TCPH_ACK);
    sim_run_until(&w.t.w.sim, 11 * SEC);
    CU_ASSERT_EQUAL(w.cseen.n, before);
    CU_ASSERT_EQUAL(app_stack_stats(w.cst)->tcp_tw_records, 2);   /* re-armed: replaced */
    sim_run_until(&w.t.w.sim, w.done_at + TCP_TIMEWAIT_LEN + 1);
    CU_ASSERT(port_taken(&w));                      /* past the first expiry */
    sim_run_until(&w.t.w.sim, 10 * SEC + TCP_TIMEWAIT_LEN + 2 * SEC);
    CU_ASSERT(!port_taken(&w));
    tw_world_free(&w);
}

/* An old SYN (before rcv_nxt) is answered with our ACK, at most one per half second
 * (tcp_invalid_ratelimit); so is a new SYN when no listener has the port. */
static void test_old_syn_acked_rate_limited(void)
{
    struct tw_world w;
    tw_world_init(&w);
    app_stack_drop_net(w.sst, topo_ip("10.0.2.2"), 32);
    int before = w.cseen.n;
    uint32_t old = tw_rcv_nxt(&w) - 100;
    sim_time_t t0 = w.t.w.sim.now;
    to_client(&w, old, TCPH_SYN);
    sim_run_until(&w.t.w.sim, t0 + 100 * MSEC);
    CU_ASSERT_EQUAL(w.cseen.n, before + 1);
    CU_ASSERT_EQUAL(w.cseen.flags[before], TCPH_ACK);
    CU_ASSERT_EQUAL(w.cseen.ack[before], tw_rcv_nxt(&w));
    to_client(&w, old, TCPH_SYN);                   /* within 500 ms: silent */
    sim_run_until(&w.t.w.sim, t0 + 700 * MSEC);
    CU_ASSERT_EQUAL(w.cseen.n, before + 1);
    to_client(&w, old, TCPH_SYN);                   /* after it: answered */
    sim_run_until(&w.t.w.sim, t0 + 800 * MSEC);
    CU_ASSERT_EQUAL(w.cseen.n, before + 2);
    to_client(&w, tw_rcv_nxt(&w) + 5000, TCPH_SYN);    /* new, but nobody listens */
    sim_run_until(&w.t.w.sim, t0 + 900 * MSEC);
    CU_ASSERT_EQUAL(w.cseen.n, before + 3);
    CU_ASSERT_EQUAL(app_stack_stats(w.cst)->tcp_tw, 1);
    tw_world_free(&w);
}

/* A new SYN (past rcv_nxt) for a port with a listener reopens the 4-tuple: the
 * record goes and the listener answers with an ISN 65537 past the old snd_nxt
 * (TCP_TW_SYN, tcp_conn_request's tcp_tw_isn). */
static void test_new_syn_reopens(void)
{
    struct tw_world w;
    tw_world_init(&w);
    struct tcp_listener l = { .port = w.cport, .ops = &listen_ops };
    CU_ASSERT_FATAL(tcp_listen(w.cst, &l));
    int before = w.cseen.n;
    uint32_t old_snd_nxt = w.cseen.seq[before - 1];
    to_client(&w, tw_rcv_nxt(&w) + 100000, TCPH_SYN);
    sim_run_until(&w.t.w.sim, w.t.w.sim.now + 50 * MSEC);
    CU_ASSERT_FATAL(w.cseen.n > before);
    CU_ASSERT_EQUAL(w.cseen.flags[before], TCPH_SYN | TCPH_ACK);
    CU_ASSERT_EQUAL(w.cseen.seq[before], old_snd_nxt + 65535 + 2);
    CU_ASSERT_EQUAL(w.cseen.ack[before], tw_rcv_nxt(&w) + 100000 + 1);
    CU_ASSERT_EQUAL(app_stack_stats(w.cst)->tcp_tw, 0);
    tcp_unlisten(w.cst, &l);
    tw_world_free(&w);
}

/* connect()'s ephemeral port walk meets the TIME_WAIT port first (the same draw):
 * with tcp_tw_reuse 1 it takes the record over (ISN past its snd_nxt), with 0 or 2
 * (loopback only; these addresses are not) it moves on to the next free port. */
static void test_tw_reuse_in_port_walk(void)
{
    for (int reuse = 0; reuse <= 2; reuse++) {
        struct tw_world w;
        tw_world_init(&w);
        host_net(w.t.client)->ipv4.tcp_tw_reuse = reuse;
        struct rng r;
        rng_init(&r, 7, "tw");                      /* the draw that gave cport */
        uint32_t isn = 7;
        be16 p = tcp_port_alloc(w.cst, topo_ip("10.0.1.2"), topo_ip("10.0.2.2"), htons(80), &r,
                                &isn);
        if (reuse == 1) {
            CU_ASSERT_EQUAL(p, w.cport);
            CU_ASSERT_EQUAL(isn, w.cseen.seq[w.cseen.n - 1] + 65535 + 2);
            CU_ASSERT_EQUAL(app_stack_stats(w.cst)->tcp_tw, 0);
        } else {
            CU_ASSERT_EQUAL(ntohs(p), ntohs(w.cport) + 1);
            CU_ASSERT_EQUAL(isn, 7);
            CU_ASSERT_EQUAL(app_stack_stats(w.cst)->tcp_tw, 1);
        }
        CU_ASSERT(port_taken(&w));
        tw_world_free(&w);
    }
}

IPVSIM_SUITE(tcp_timewait)
{
    CU_pSuite s = CU_add_suite("tcp_timewait", NULL, NULL);
    ADD_TEST(s, test_time_wait_is_a_record);
    ADD_TEST(s, test_time_wait_expires);
    ADD_TEST(s, test_fin_retransmission_acked);
    ADD_TEST(s, test_rst_kills);
    ADD_TEST(s, test_many_share_one_event);
    ADD_TEST(s, test_twsk_unique_needs_timestamps);
    ADD_TEST(s, test_out_of_window_rst_ignored);
    ADD_TEST(s, test_in_window_ack_rearms);
    ADD_TEST(s, test_old_syn_acked_rate_limited);
    ADD_TEST(s, test_new_syn_reopens);
    ADD_TEST(s, test_tw_reuse_in_port_walk);
}
