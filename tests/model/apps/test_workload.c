/* The workload: TCP conversations, UDP request/response, server queueing stations,
 * closed and open loops, the health checker and the SYN flood, on topo3
 * (client 10.0.1.2 -- router -- server 10.0.2.2). */
#include <math.h>
#include <string.h>
#include "model/apps/tcp_conn.h"
#include "model/apps/workload.h"
#include "model/ipv4/ip.h"
#include "model/ipvs/ip_vs_ctl.h"
#include "model/net.h"
#include "sim/sim.h"
#include "tests/testutil.h"
#include "tests/topo.h"

#define DCONST(v) ((struct dist){ .kind = DIST_CONST, .a = (double)(v) })
#define DEXP(m) ((struct dist){ .kind = DIST_EXP, .a = (double)(m) })

/* ---- fixture ---------------------------------------------------------------------- */

struct seglog {
    int n;
    char flags[256][4];
    sim_time_t at[256];
    uint32_t len[256];
    struct net *net;
};

static void seg_hook(void *ctx, const struct tcp_conn *c, bool out, uint8_t flags, uint32_t seq,
                     uint32_t ack, uint32_t len)
{
    struct seglog *l = ctx;
    if (!out || l->n == 256)
        return;
    char *f = l->flags[l->n];
    int k = 0;
    if (flags & TCPH_FIN) f[k++] = 'F';
    if (flags & TCPH_SYN) f[k++] = 'S';
    if (flags & TCPH_RST) f[k++] = 'R';
    if (flags & TCPH_PSH) f[k++] = 'P';
    if ((flags & TCPH_ACK) && k < 3) f[k++] = 'A';
    f[k] = 0;
    l->at[l->n] = net_now(l->net);
    l->len[l->n] = len;
    l->n++;
}

struct wl {
    struct topo3 t;
    struct conv_log log;
    struct server_app *srv;
    struct client_group *cg;
    struct app_stack *cst, *sst;    /* held for the segment hooks */
    struct seglog cseg, sseg;
    be32 caddrs[8];
};

static void wl_init(struct wl *w)
{
    memset(w, 0, sizeof *w);
    topo3_init(&w->t);
    conv_log_init(&w->log);
    w->caddrs[0] = topo_ip("10.0.1.2");
}

static void wl_hooks(struct wl *w)
{
    w->cst = app_stack_get(host_net(w->t.client));
    w->sst = app_stack_get(host_net(w->t.server));
    w->cseg.net = host_net(w->t.client);
    w->sseg.net = host_net(w->t.server);
    app_stack_set_seg_hook(w->cst, seg_hook, &w->cseg);
    app_stack_set_seg_hook(w->sst, seg_hook, &w->sseg);
}

static struct server_app *wl_server(struct wl *w, int workers, struct dist svc, uint32_t qlimit)
{
    struct server_app_cfg c = { .name = "rs1", .index = 0, .port = 80, .workers = workers,
                                .service_time = svc, .queue_limit = qlimit };
    w->srv = server_app_start(host_net(w->t.server), &c, &w->log);
    return w->srv;
}

/* One TCP conversation at t = 1 ms unless changed. */
static struct client_group_cfg wl_client_cfg(struct wl *w)
{
    struct client_group_cfg c = {
        .name = "web", .index = 0, .addrs = w->caddrs, .naddrs = 1,
        .target = topo_ip("10.0.2.2"), .target_port = htons(80), .proto = IPPROTO_TCP,
        .arrival = DCONST(1 * MSEC), .request = DCONST(300), .response = DCONST(10000),
        .requests_per_conn = 1, .start = 0, .stop = 1500 * USEC,
    };
    return c;
}

static void wl_start(struct wl *w, const struct client_group_cfg *c)
{
    w->cg = client_group_start(host_net(w->t.client), c, &w->log);
}

static void wl_run(struct wl *w, sim_time_t until)
{
    sim_run_until(&w->t.w.sim, until);
    conv_log_close(&w->log, w->t.w.sim.now);
}

static void wl_free(struct wl *w)
{
    client_group_free(w->cg);
    server_app_free(w->srv);
    app_stack_put(w->cst);
    app_stack_put(w->sst);
    world_destroy(&w->t.w);
    conv_log_free(&w->log);
}

static uint32_t nconvs(struct wl *w)
{
    return w->log.convs->len;
}

static struct conv *cv(struct wl *w, uint64_t id)
{
    return conv_get(&w->log, id);
}

static bool flags_are(const struct seglog *l, const char *const *want, int n)
{
    if (l->n != n)
        return false;
    for (int i = 0; i < n; i++)
        if (strcmp(l->flags[i], want[i]) != 0)
            return false;
    return true;
}

static void dump_flags(const char *who, const struct seglog *l)
{
    fprintf(stderr, "%s:", who);
    for (int i = 0; i < l->n; i++)
        fprintf(stderr, " %s(%u)", l->flags[i], l->len[i]);
    fprintf(stderr, "\n");
}

/* ---- TCP ---------------------------------------------------------------------------- */

/* 10000 bytes with timestamps on every segment (MSS 1460 - 12): six full segments of
 * 1448 and one of 1312, the last with PSH. As a 6.1 kernel does: the server ACKs the
 * request at once (the first data of a connection: quick ACK) before its answer; the
 * client, in quick-ACK mode too, ACKs every segment of the answer and closes right
 * after it; the server's FIN (after its delayed ACK: ping-pong on the FIN) carries the
 * ACK of the client's, and the client's last ACK ends it. */
static void test_tcp_conversation_segments(void)
{
    struct wl w;
    wl_init(&w);
    wl_hooks(&w);
    wl_server(&w, 4, DCONST(1 * MSEC), 16);
    struct client_group_cfg c = wl_client_cfg(&w);
    wl_start(&w, &c);
    wl_run(&w, 2 * SEC);
    CU_ASSERT_EQUAL_FATAL(nconvs(&w), 1);
    struct conv *k = cv(&w, 1);
    CU_ASSERT_EQUAL(k->outcome, CONV_OK);
    CU_ASSERT_EQUAL(k->bytes_out, 300);
    CU_ASSERT_EQUAL(k->bytes_in, 10000);
    CU_ASSERT_EQUAL(k->server, 0);
    CU_ASSERT_EQUAL(k->requests, 1);
    CU_ASSERT_EQUAL(k->syn_retries, 0);
    CU_ASSERT_EQUAL(k->start, 1 * MSEC);
    CU_ASSERT(k->end > k->start);
    /* RTT ~2.1 ms, then 1 ms of service, then the response */
    CU_ASSERT(k->response_ns > 3 * MSEC && k->response_ns < 4 * MSEC);
    CU_ASSERT(ntohs(k->cport) >= EPHEMERAL_PORT_LOW && ntohs(k->cport) <= EPHEMERAL_PORT_HIGH);

    static const char *const cl[] = { "S", "A", "PA", "A", "A", "A", "A", "A", "A", "A", "FA",
                                      "A" };
    static const char *const sv[] = { "SA", "A", "A", "A", "A", "A", "A", "A", "PA", "FA" };
    if (!flags_are(&w.cseg, cl, 12))
        dump_flags("client", &w.cseg);
    if (!flags_are(&w.sseg, sv, 10))
        dump_flags("server", &w.sseg);
    CU_ASSERT(flags_are(&w.cseg, cl, 12));
    CU_ASSERT(flags_are(&w.sseg, sv, 10));
    CU_ASSERT_EQUAL(w.sseg.len[1], 0);      /* the quick ACK of the request */
    int data = 0;
    uint32_t bytes = 0;
    for (int i = 0; i < w.sseg.n; i++)
        if (w.sseg.len[i]) {
            data++;
            bytes += w.sseg.len[i];
            CU_ASSERT(w.sseg.len[i] == 1448 || (i == 8 && w.sseg.len[i] == 1312));
        }
    CU_ASSERT_EQUAL(data, 7);
    CU_ASSERT_EQUAL(bytes, 10000);
    CU_ASSERT_EQUAL(w.cseg.len[2], 300);
    const struct server_stats *ss = server_app_stats(w.srv);
    CU_ASSERT_EQUAL(ss->accepted, 1);
    CU_ASSERT_EQUAL(ss->served, 1);
    CU_ASSERT_EQUAL(ss->busy, 0);
    /* the client keeps the 4-tuple in TIME_WAIT (a record, not a connection), the
     * server has forgotten it */
    CU_ASSERT_EQUAL(app_stack_stats(w.cst)->tcp_conns, 0);
    CU_ASSERT_EQUAL(app_stack_stats(w.cst)->tcp_tw, 1);
    CU_ASSERT_EQUAL(app_stack_stats(w.sst)->tcp_conns, 0);
    CU_ASSERT_EQUAL(app_stack_stats(w.sst)->tcp_tw, 0);
    CU_ASSERT(app_port_in_use(w.cst, IPPROTO_TCP, k->caddr, k->cport));
    sim_run_until(&w.t.w.sim, 70 * SEC);
    CU_ASSERT_EQUAL(app_stack_stats(w.cst)->tcp_conns, 0);
    CU_ASSERT_EQUAL(app_stack_stats(w.cst)->tcp_tw, 0);
    CU_ASSERT_EQUAL(app_stack_stats(w.cst)->tcp_tw_records, 0);
    CU_ASSERT(!app_port_in_use(w.cst, IPPROTO_TCP, cv(&w, 1)->caddr, cv(&w, 1)->cport));
    wl_free(&w);
}

/* requests_per_conn 3: three request/response exchanges on one connection. */
static void test_tcp_keepalive_requests(void)
{
    struct wl w;
    wl_init(&w);
    wl_hooks(&w);
    wl_server(&w, 4, DCONST(1 * MSEC), 16);
    struct client_group_cfg c = wl_client_cfg(&w);
    c.requests_per_conn = 3;
    c.response = DCONST(2000);
    wl_start(&w, &c);
    wl_run(&w, 2 * SEC);
    struct conv *k = cv(&w, 1);
    CU_ASSERT_EQUAL(k->outcome, CONV_OK);
    CU_ASSERT_EQUAL(k->requests, 3);
    CU_ASSERT_EQUAL(k->bytes_out, 900);
    CU_ASSERT_EQUAL(k->bytes_in, 6000);
    CU_ASSERT_EQUAL(server_app_stats(w.srv)->served, 3);
    int syns = 0;
    for (int i = 0; i < w.cseg.n; i++)
        syns += strchr(w.cseg.flags[i], 'S') != NULL;
    CU_ASSERT_EQUAL(syns, 1);
    wl_free(&w);
}

/* A crashed server answers nothing: SYNs at 0, 1, 3, 7, 15, 31, 63 s (Linux's
 * backoff from 1 s, tcp_syn_retries 6) and the connect fails at 127 s. */
static void test_syn_backoff_down_server(void)
{
    struct wl w;
    wl_init(&w);
    wl_hooks(&w);
    wl_server(&w, 4, DCONST(1 * MSEC), 16);
    server_app_set_mode(w.srv, SERVER_DOWN);
    struct client_group_cfg c = wl_client_cfg(&w);
    wl_start(&w, &c);
    wl_run(&w, 200 * SEC);
    struct conv *k = cv(&w, 1);
    CU_ASSERT_EQUAL(k->outcome, CONV_TIMEOUT);
    CU_ASSERT_EQUAL(k->syn_retries, 6);
    CU_ASSERT_EQUAL(k->end - k->start, 127 * SEC);
    CU_ASSERT_EQUAL(k->server, -1);
    CU_ASSERT_EQUAL_FATAL(w.cseg.n, 7);
    static const sim_time_t at[] = { 0, 1, 3, 7, 15, 31, 63 };
    for (int i = 0; i < 7; i++) {
        CU_ASSERT_STRING_EQUAL(w.cseg.flags[i], "S");
        CU_ASSERT_EQUAL(w.cseg.at[i] - k->start, at[i] * SEC);
    }
    CU_ASSERT_EQUAL(w.sseg.n, 0);
    wl_free(&w);
}

/* The scenario's connect timeout ends it sooner: 10 s, after retransmissions at 1, 3
 * and 7 s. */
static void test_connect_timeout(void)
{
    struct wl w;
    wl_init(&w);
    wl_hooks(&w);
    wl_server(&w, 4, DCONST(1 * MSEC), 16);
    server_app_set_mode(w.srv, SERVER_DOWN);
    struct client_group_cfg c = wl_client_cfg(&w);
    c.connect_timeout = 10 * SEC;
    wl_start(&w, &c);
    wl_run(&w, 200 * SEC);
    struct conv *k = cv(&w, 1);
    CU_ASSERT_EQUAL(k->outcome, CONV_TIMEOUT);
    CU_ASSERT_EQUAL(k->end - k->start, 10 * SEC);
    CU_ASSERT_EQUAL(k->syn_retries, 3);
    CU_ASSERT_EQUAL(w.cseg.n, 4);
    CU_ASSERT_EQUAL(w.cseg.at[1] - w.cseg.at[0], 1 * SEC);
    CU_ASSERT_EQUAL(w.cseg.at[2] - w.cseg.at[1], 2 * SEC);
    CU_ASSERT_EQUAL(w.cseg.at[3] - w.cseg.at[2], 4 * SEC);
    wl_free(&w);
}

/* After a crash the server comes back: the SYN retransmitted at 3 s gets through. */
static void test_server_back_up(void)
{
    struct wl w;
    wl_init(&w);
    wl_server(&w, 4, DCONST(1 * MSEC), 16);
    server_app_set_mode(w.srv, SERVER_DOWN);
    struct client_group_cfg c = wl_client_cfg(&w);
    wl_start(&w, &c);
    sim_run_until(&w.t.w.sim, 2 * SEC);
    server_app_set_mode(w.srv, SERVER_UP);
    wl_run(&w, 10 * SEC);
    struct conv *k = cv(&w, 1);
    CU_ASSERT_EQUAL(k->outcome, CONV_OK);
    CU_ASSERT_EQUAL(k->syn_retries, 2);
    CU_ASSERT(k->end > 3 * SEC && k->end < 4 * SEC);
    wl_free(&w);
}

static void test_refuse_mode_rst(void)
{
    struct wl w;
    wl_init(&w);
    wl_hooks(&w);
    wl_server(&w, 4, DCONST(1 * MSEC), 16);
    server_app_set_mode(w.srv, SERVER_REFUSE);
    struct client_group_cfg c = wl_client_cfg(&w);
    wl_start(&w, &c);
    wl_run(&w, 2 * SEC);
    struct conv *k = cv(&w, 1);
    CU_ASSERT_EQUAL(k->outcome, CONV_REFUSED);
    CU_ASSERT_EQUAL(k->server, 0);
    CU_ASSERT_EQUAL(k->bytes_out, 0);
    CU_ASSERT(k->end - k->start > 2 * MSEC && k->end - k->start < 3 * MSEC);
    CU_ASSERT_EQUAL(server_app_stats(w.srv)->refused, 1);
    CU_ASSERT_EQUAL(app_stack_stats(w.sst)->tcp_rst_sent, 1);
    CU_ASSERT_EQUAL(app_stack_stats(w.cst)->tcp_conns, 0);
    wl_free(&w);
}

/* A port nobody listens on: the kernel's reset, REFUSED. */
static void test_closed_port_refused(void)
{
    struct wl w;
    wl_init(&w);
    struct client_group_cfg c = wl_client_cfg(&w);
    c.target_port = htons(81);
    wl_start(&w, &c);
    wl_run(&w, 2 * SEC);
    CU_ASSERT_EQUAL(cv(&w, 1)->outcome, CONV_REFUSED);
    wl_free(&w);
}

/* The router has no route to 10.9.9.9: ICMP net unreachable aborts the connect. */
static void test_icmp_unreachable(void)
{
    struct wl w;
    wl_init(&w);
    struct client_group_cfg c = wl_client_cfg(&w);
    c.target = topo_ip("10.9.9.9");
    wl_start(&w, &c);
    wl_run(&w, 2 * SEC);
    struct conv *k = cv(&w, 1);
    CU_ASSERT_EQUAL(k->outcome, CONV_UNREACHABLE);
    CU_ASSERT(k->end - k->start < 3 * MSEC);
    c.proto = IPPROTO_UDP;
    wl_free(&w);
    wl_init(&w);
    c.addrs = w.caddrs;
    wl_start(&w, &c);
    wl_run(&w, 2 * SEC);
    CU_ASSERT_EQUAL(cv(&w, 1)->outcome, CONV_UNREACHABLE);
    wl_free(&w);
}

/* ---- the queueing station ------------------------------------------------------------- */

/* One worker, 100 ms per request, five requests 1 ms apart: each waits for the ones
 * before it, so response times grow by 99 ms. */
static void test_queue_response_times(void)
{
    struct wl w;
    wl_init(&w);
    wl_server(&w, 1, DCONST(100 * MSEC), 16);
    struct client_group_cfg c = wl_client_cfg(&w);
    c.response = DCONST(500);
    c.stop = 5500 * USEC;
    wl_start(&w, &c);
    sim_run_until(&w.t.w.sim, 250 * MSEC);
    const struct server_stats *ss = server_app_stats(w.srv);
    CU_ASSERT_EQUAL(ss->busy, 1);
    CU_ASSERT_EQUAL(ss->queued, 2);
    wl_run(&w, 2 * SEC);
    CU_ASSERT_EQUAL_FATAL(nconvs(&w), 5);
    for (uint64_t i = 1; i <= 5; i++)
        CU_ASSERT_EQUAL(cv(&w, i)->outcome, CONV_OK);
    sim_time_t r1 = cv(&w, 1)->response_ns;
    CU_ASSERT(r1 > 101 * MSEC && r1 < 103 * MSEC);
    for (uint64_t i = 2; i <= 5; i++) {
        sim_time_t d = cv(&w, i)->response_ns - cv(&w, i - 1)->response_ns;
        CU_ASSERT(d > 98 * MSEC && d < 100 * MSEC);
    }
    CU_ASSERT_EQUAL(ss->served, 5);
    wl_free(&w);
}

/* queue_limit 1: the first request is served, the second waits, a third connection
 * finds the station full and is refused (RST to its SYN). */
static void test_queue_full_refuses(void)
{
    struct wl w;
    wl_init(&w);
    wl_server(&w, 1, DCONST(100 * MSEC), 1);
    struct client_group_cfg c = wl_client_cfg(&w);
    c.arrival = DCONST(10 * MSEC);
    c.stop = 45 * MSEC;
    wl_start(&w, &c);
    wl_run(&w, 2 * SEC);
    CU_ASSERT_EQUAL_FATAL(nconvs(&w), 4);
    CU_ASSERT_EQUAL(cv(&w, 1)->outcome, CONV_OK);
    CU_ASSERT_EQUAL(cv(&w, 2)->outcome, CONV_OK);
    CU_ASSERT_EQUAL(cv(&w, 3)->outcome, CONV_REFUSED);
    CU_ASSERT_EQUAL(cv(&w, 4)->outcome, CONV_REFUSED);
    CU_ASSERT_EQUAL(server_app_stats(w.srv)->refused, 2);
    wl_free(&w);
}

/* queue_limit 0: a request that completes while the only worker is busy resets its
 * (already accepted) connection. */
static void test_queue_drop_resets(void)
{
    struct wl w;
    wl_init(&w);
    wl_server(&w, 1, DCONST(100 * MSEC), 0);
    struct client_group_cfg c = wl_client_cfg(&w);
    c.stop = 2500 * USEC;
    wl_start(&w, &c);
    wl_run(&w, 2 * SEC);
    CU_ASSERT_EQUAL_FATAL(nconvs(&w), 2);
    CU_ASSERT_EQUAL(cv(&w, 1)->outcome, CONV_OK);
    CU_ASSERT_EQUAL(cv(&w, 2)->outcome, CONV_RESET);
    CU_ASSERT_EQUAL(server_app_stats(w.srv)->queue_drops, 1);
    wl_free(&w);
}

/* ---- UDP -------------------------------------------------------------------------------- */

static void test_udp_request_response(void)
{
    struct wl w;
    wl_init(&w);
    wl_server(&w, 2, DCONST(1 * MSEC), 16);
    struct client_group_cfg c = wl_client_cfg(&w);
    c.proto = IPPROTO_UDP;
    c.request = DCONST(3000);        /* three datagrams */
    c.response = DCONST(3000);
    wl_start(&w, &c);
    wl_run(&w, 2 * SEC);
    struct conv *k = cv(&w, 1);
    CU_ASSERT_EQUAL(k->outcome, CONV_OK);
    CU_ASSERT_EQUAL(k->proto, IPPROTO_UDP);
    CU_ASSERT_EQUAL(k->bytes_out, 3000);
    CU_ASSERT_EQUAL(k->bytes_in, 3000);
    CU_ASSERT_EQUAL(k->server, 0);
    CU_ASSERT(k->response_ns > 3 * MSEC && k->response_ns < 4 * MSEC);
    CU_ASSERT_EQUAL(server_app_stats(w.srv)->served, 1);
    /* 3 datagrams each way */
    CU_ASSERT_EQUAL(host_dev(w.t.server, "eth0")->stats.rx_packets, 3);
    CU_ASSERT_EQUAL(host_dev(w.t.server, "eth0")->stats.tx_packets, 3);
    wl_free(&w);
}

/* A script: each connection at its time from its address:port with its sizes (every
 * request of a connection: its own), no address list needed. The same address:port
 * again while its connection is open fails at once (ADDRNOTAVAIL, no packet sent);
 * while the client holds the 4-tuple in TIME_WAIT it takes it over, as Linux does for
 * a bound port, its ISN past the old one; UDP's tuple is another. */
static void test_script(void)
{
    struct wl w;
    wl_init(&w);
    wl_server(&w, 8, DCONST(1 * MSEC), 16);
    wl_hooks(&w);
    be32 a = topo_ip("10.0.1.2");
    const struct client_script_conn script[] = {
        { .at = 1 * MSEC, .saddr = a, .sport = htons(40001), .proto = IPPROTO_TCP, .request = 300, .response = 5000 },
        { .at = 1 * MSEC, .saddr = a, .sport = htons(40002), .proto = IPPROTO_TCP, .request = 100, .response = 200 },
        { .at = 2 * MSEC, .saddr = a, .sport = htons(40001), .proto = IPPROTO_TCP, .request = 1, .response = 1 },
        { .at = 100 * MSEC, .saddr = a, .sport = htons(40001), .proto = IPPROTO_TCP, .request = 7, .response = 9 },
        { .at = 100 * MSEC, .saddr = a, .sport = htons(40001), .proto = IPPROTO_UDP, .request = 10, .response = 20 },
    };
    struct client_group_cfg c = wl_client_cfg(&w);
    c.addrs = NULL;
    c.naddrs = 0;
    c.requests_per_conn = 2;
    c.script = script;
    c.nscript = G_N_ELEMENTS(script);
    wl_start(&w, &c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(w.cg);
    wl_run(&w, 99 * MSEC);
    CU_ASSERT_EQUAL(app_stack_stats(w.cst)->tcp_tw, 2);            /* both in TIME_WAIT */
    CU_ASSERT_EQUAL(app_stack_stats(w.cst)->tcp_conns, 0);
    wl_run(&w, 1 * SEC);
    CU_ASSERT_EQUAL_FATAL(nconvs(&w), 5);
    for (uint64_t i = 1; i <= 5; i++) {
        const struct client_script_conn *e = &script[i - 1];
        CU_ASSERT_EQUAL(cv(&w, i)->start, e->at);
        CU_ASSERT_EQUAL(cv(&w, i)->caddr, e->saddr);
        CU_ASSERT_EQUAL(cv(&w, i)->cport, e->sport);
        CU_ASSERT_EQUAL(cv(&w, i)->proto, e->proto);
    }
    CU_ASSERT_EQUAL(cv(&w, 1)->outcome, CONV_OK);
    CU_ASSERT_EQUAL(cv(&w, 1)->requests, 2);
    CU_ASSERT_EQUAL(cv(&w, 1)->bytes_out, 600);
    CU_ASSERT_EQUAL(cv(&w, 1)->bytes_in, 10000);
    CU_ASSERT_EQUAL(cv(&w, 2)->outcome, CONV_OK);
    CU_ASSERT_EQUAL(cv(&w, 2)->bytes_in, 400);
    CU_ASSERT_EQUAL(cv(&w, 3)->outcome, CONV_ADDRNOTAVAIL);      /* conn 1 still open */
    CU_ASSERT_EQUAL(cv(&w, 3)->end, 2 * MSEC);
    CU_ASSERT_EQUAL(cv(&w, 4)->outcome, CONV_OK);                /* conn 1's TIME_WAIT taken over */
    CU_ASSERT_EQUAL(cv(&w, 4)->bytes_out, 14);
    CU_ASSERT_EQUAL(cv(&w, 4)->bytes_in, 18);
    CU_ASSERT_EQUAL(cv(&w, 5)->outcome, CONV_OK);
    CU_ASSERT_EQUAL(cv(&w, 5)->bytes_in, 20);
    CU_ASSERT_EQUAL(client_group_stats(w.cg)->no_port, 1);
    CU_ASSERT_EQUAL(server_app_stats(w.srv)->served, 2 + 2 + 2 + 1);   /* requests */
    /* the taken-over connection's SYN: the first segment the client sent at 100 ms */
    int syn = -1;
    for (int k = 0; k < w.cseg.n && syn < 0; k++)
        if (w.cseg.at[k] == 100 * MSEC && strcmp(w.cseg.flags[k], "S") == 0)
            syn = k;
    CU_ASSERT(syn >= 0);
    CU_ASSERT_EQUAL(app_stack_stats(w.cst)->tcp_tw, 2);            /* conn 2's and conn 4's */
    wl_free(&w);
}

/* A script's times are absolute: a group started later starts the connections
 * already due at once, in order. */
static void test_script_late_start(void)
{
    struct wl w;
    wl_init(&w);
    wl_server(&w, 8, DCONST(1 * MSEC), 16);
    be32 a = topo_ip("10.0.1.2");
    const struct client_script_conn script[] = {
        { .at = 0, .saddr = a, .sport = htons(1), .proto = IPPROTO_TCP, .request = 1, .response = 1 },
        { .at = 2 * MSEC, .saddr = a, .sport = htons(2), .proto = IPPROTO_TCP, .request = 1, .response = 1 },
        { .at = 9 * MSEC, .saddr = a, .sport = htons(3), .proto = IPPROTO_TCP, .request = 1, .response = 1 },
    };
    struct client_group_cfg c = wl_client_cfg(&w);
    c.script = script;
    c.nscript = G_N_ELEMENTS(script);
    sim_run_until(&w.t.w.sim, 5 * MSEC);
    wl_start(&w, &c);
    wl_run(&w, 1 * SEC);
    CU_ASSERT_EQUAL_FATAL(nconvs(&w), 3);
    CU_ASSERT_EQUAL(cv(&w, 1)->start, 5 * MSEC);
    CU_ASSERT_EQUAL(cv(&w, 1)->cport, htons(1));
    CU_ASSERT_EQUAL(cv(&w, 2)->start, 5 * MSEC);
    CU_ASSERT_EQUAL(cv(&w, 2)->cport, htons(2));
    CU_ASSERT_EQUAL(cv(&w, 3)->start, 9 * MSEC);
    for (uint64_t i = 1; i <= 3; i++)
        CU_ASSERT_EQUAL(cv(&w, i)->outcome, CONV_OK);
    wl_free(&w);
}

/* A replay's connections: port 0 takes an ephemeral port, a destination of its own
 * replaces the target, its own requests share its bytes (the last request takes the
 * remainder); with loop_period the script starts again every period until stop. */
static void test_script_replay_rows(void)
{
    struct wl w;
    wl_init(&w);
    wl_server(&w, 8, DCONST(1 * MSEC), 16);
    be32 a = topo_ip("10.0.1.2");
    const struct client_script_conn script[] = {
        { .at = 0, .saddr = a, .sport = 0, .proto = IPPROTO_TCP, .request = 301, .response = 5002,
          .requests = 3, .daddr = topo_ip("10.0.2.2"), .dport = htons(80) },
        { .at = 10 * MSEC, .saddr = a, .sport = 0, .proto = IPPROTO_UDP, .request = 40,
          .response = 200, .requests = 1 },
    };
    struct client_group_cfg c = wl_client_cfg(&w);
    c.target = topo_ip("10.0.2.99");        /* no one there: row 0 goes elsewhere */
    c.script = script;
    c.nscript = G_N_ELEMENTS(script);
    c.loop_period = 100 * MSEC;
    c.stop = 250 * MSEC;
    wl_start(&w, &c);
    wl_run(&w, 2 * SEC);
    CU_ASSERT_EQUAL_FATAL(nconvs(&w), 6);   /* at 0, 10, 100, 110, 200, 210 ms */
    CU_ASSERT_EQUAL(cv(&w, 1)->vaddr, topo_ip("10.0.2.2"));
    CU_ASSERT(ntohs(cv(&w, 1)->cport) >= 32768);
    CU_ASSERT_EQUAL(cv(&w, 1)->outcome, CONV_OK);
    CU_ASSERT_EQUAL(cv(&w, 1)->requests, 3);
    CU_ASSERT_EQUAL(cv(&w, 1)->bytes_out, 301);
    CU_ASSERT_EQUAL(cv(&w, 1)->bytes_in, 5002);
    CU_ASSERT_EQUAL(cv(&w, 2)->vaddr, topo_ip("10.0.2.99"));   /* the target */
    CU_ASSERT_EQUAL(cv(&w, 3)->start, 100 * MSEC);
    CU_ASSERT_EQUAL(cv(&w, 6)->start, 210 * MSEC);
    CU_ASSERT_NOT_EQUAL(cv(&w, 3)->cport, cv(&w, 1)->cport);    /* drawn again */
    wl_free(&w);
}

/* An arrival trace ends with its last value unless the group loops. */
static void test_arrival_trace_ends(void)
{
    static const double gaps[] = { 1e6, 2e6, 3e6 };     /* ns */
    for (int loop = 0; loop < 2; loop++) {
        struct wl w;
        wl_init(&w);
        wl_server(&w, 8, DCONST(1 * MSEC), 16);
        struct client_group_cfg c = wl_client_cfg(&w);
        c.arrival = (struct dist){ .kind = DIST_TRACE, .trace = (double *)gaps, .ntrace = 3 };
        c.stop = 20 * MSEC;
        c.loop = loop;
        wl_start(&w, &c);
        wl_run(&w, 1 * SEC);
        /* 1, 3, 6 ms; looping: then 7, 9, 12, 13, 15, 18, 19 ms */
        CU_ASSERT_EQUAL(nconvs(&w), loop ? 10 : 3);
        wl_free(&w);
    }
}

static void test_udp_timeout_and_refused(void)
{
    struct wl w;
    wl_init(&w);
    wl_server(&w, 2, DCONST(1 * MSEC), 16);
    server_app_set_mode(w.srv, SERVER_DOWN);
    struct client_group_cfg c = wl_client_cfg(&w);
    c.proto = IPPROTO_UDP;
    wl_start(&w, &c);
    wl_run(&w, 20 * SEC);
    CU_ASSERT_EQUAL(cv(&w, 1)->outcome, CONV_TIMEOUT);
    CU_ASSERT_EQUAL(cv(&w, 1)->end - cv(&w, 1)->start, 5 * SEC);
    wl_free(&w);

    wl_init(&w);
    wl_server(&w, 2, DCONST(1 * MSEC), 16);
    server_app_set_mode(w.srv, SERVER_REFUSE);
    c.addrs = w.caddrs;
    c.connect_timeout = 1 * SEC;
    wl_start(&w, &c);
    wl_run(&w, 20 * SEC);
    CU_ASSERT_EQUAL(cv(&w, 1)->outcome, CONV_REFUSED);   /* ICMP port unreachable */
    CU_ASSERT(cv(&w, 1)->end - cv(&w, 1)->start < 3 * MSEC);
    wl_free(&w);
}

/* ---- arrivals -------------------------------------------------------------------------- */

static void test_open_loop_rate(void)
{
    struct wl w;
    wl_init(&w);
    wl_server(&w, 64, DEXP(1 * MSEC), 1000);
    struct client_group_cfg c = wl_client_cfg(&w);
    c.arrival = DEXP(10 * MSEC);    /* 100/s */
    c.response = DCONST(1000);
    c.stop = 60 * SEC;
    wl_start(&w, &c);
    wl_run(&w, 70 * SEC);
    uint32_t n = nconvs(&w);
    /* 6000 expected, sd ~77 */
    CU_ASSERT(n > 5700 && n < 6300);
    uint32_t ok = 0;
    for (uint32_t i = 1; i <= n; i++)
        ok += cv(&w, i)->outcome == CONV_OK;
    CU_ASSERT_EQUAL(ok, n);
    CU_ASSERT(cv(&w, n)->start < 60 * SEC);
    CU_ASSERT_EQUAL(client_group_stats(w.cg)->active, 0);
    wl_free(&w);
}

static void test_closed_loop_caps_concurrency(void)
{
    struct wl w;
    wl_init(&w);
    wl_server(&w, 2, DCONST(20 * MSEC), 1000);
    struct client_group_cfg c = wl_client_cfg(&w);
    c.users = 5;
    c.think = DEXP(10 * MSEC);
    c.stop = 10 * SEC;
    wl_start(&w, &c);
    wl_run(&w, 11 * SEC);
    const struct client_group_stats *gs = client_group_stats(w.cg);
    CU_ASSERT_EQUAL(gs->max_active, 5);
    /* From the log: never more than 5 conversations open at once. */
    uint32_t n = nconvs(&w), worst = 0;
    for (uint32_t i = 1; i <= n; i++) {
        uint32_t open = 0;
        sim_time_t t = cv(&w, i)->start;
        for (uint32_t j = 1; j <= n; j++) {
            struct conv *o = cv(&w, j);
            open += o->start <= t && (o->end > t || o->outcome == CONV_RUNNING);
        }
        worst = open > worst ? open : worst;
    }
    CU_ASSERT_EQUAL(worst, 5);
    /* Two workers for five users: the station is the bottleneck, about 100/s. */
    CU_ASSERT(n > 900 && n < 1010);
    wl_free(&w);
}

static void test_ports_and_addresses(void)
{
    struct wl w;
    wl_init(&w);
    struct net_device *dev = host_dev(w.t.client, "eth0");
    for (int i = 1; i < 8; i++) {
        char a[32];
        snprintf(a, sizeof a, "10.0.1.%d", 10 + i);
        w.caddrs[i] = topo_ip(a);
        netdev_add_addr(dev, w.caddrs[i], 24);
    }
    wl_server(&w, 64, DCONST(1 * MSEC), 1000);
    struct client_group_cfg c = wl_client_cfg(&w);
    c.naddrs = 8;
    c.arrival = DCONST(2 * MSEC);
    c.response = DCONST(100);
    c.stop = 1601 * MSEC;
    wl_start(&w, &c);
    wl_run(&w, 3 * SEC);
    uint32_t n = nconvs(&w), per[8] = { 0 };
    CU_ASSERT_EQUAL(n, 800);
    GHashTable *seen = g_hash_table_new(g_direct_hash, g_direct_equal);
    for (uint32_t i = 1; i <= n; i++) {
        struct conv *k = cv(&w, i);
        CU_ASSERT_EQUAL(k->outcome, CONV_OK);
        uint16_t p = ntohs(k->cport);
        CU_ASSERT(p >= EPHEMERAL_PORT_LOW && p <= EPHEMERAL_PORT_HIGH);
        for (int a = 0; a < 8; a++)
            per[a] += k->caddr == w.caddrs[a];
        g_hash_table_add(seen, GUINT_TO_POINTER((guint)p << 8 | (k->caddr >> 24)));
    }
    for (int a = 0; a < 8; a++)
        CU_ASSERT(per[a] > 60 && per[a] < 140);     /* 100 each expected */
    /* (addr, port) pairs: TIME_WAIT keeps each one taken, so no repeats */
    CU_ASSERT_EQUAL(g_hash_table_size(seen), n);
    g_hash_table_destroy(seen);
    wl_free(&w);
}

/* A port in use (TIME_WAIT) is never handed out again. */
static void test_port_alloc_avoids_used(void)
{
    struct topo3 t;
    topo3_init(&t);
    struct app_stack *st = app_stack_get(host_net(t.client));
    struct rng r;
    rng_init(&r, 1, "ports");
    be32 a = topo_ip("10.0.1.2");
    int n = EPHEMERAL_PORT_HIGH - EPHEMERAL_PORT_LOW + 1;
    for (int i = 0; i < n; i++) {
        be16 p = app_port_alloc(st, IPPROTO_TCP, a, &r);
        CU_ASSERT_FATAL(p != 0);
    }
    CU_ASSERT_EQUAL(app_port_alloc(st, IPPROTO_TCP, a, &r), 0);
    CU_ASSERT(app_port_alloc(st, IPPROTO_UDP, a, &r) != 0);
    app_port_release(st, IPPROTO_TCP, a, htons(40000));
    CU_ASSERT_EQUAL(app_port_alloc(st, IPPROTO_TCP, a, &r), htons(40000));
    app_stack_put(st);
    world_destroy(&t.w);
}

/* ---- determinism ------------------------------------------------------------------------ */

static GArray *run_mixed(uint64_t seed)
{
    struct wl w;
    memset(&w, 0, sizeof w);
    topo3_init(&w.t);
    w.t.w.sim.seed = seed;
    conv_log_init(&w.log);
    w.caddrs[0] = topo_ip("10.0.1.2");
    struct link_params lp = { .latency = 1 * MSEC, .bandwidth_bps = 100000000ull, .loss = 0.01 };
    link_set_params(world_link(&w.t.w, "clients"), &lp);
    wl_server(&w, 4, DEXP(5 * MSEC), 8);
    struct client_group_cfg c = wl_client_cfg(&w);
    c.arrival = DEXP(5 * MSEC);
    c.request = (struct dist){ .kind = DIST_UNIFORM, .a = 100, .b = 5000 };
    c.response = (struct dist){ .kind = DIST_LOGNORMAL, .a = 20000, .b = 1.0 };
    c.requests_per_conn = 2;
    c.stop = 5 * SEC;
    wl_start(&w, &c);
    wl_run(&w, 8 * SEC);
    GArray *copy = g_array_sized_new(FALSE, FALSE, sizeof(struct conv), w.log.convs->len);
    g_array_append_vals(copy, w.log.convs->data, w.log.convs->len);
    wl_free(&w);
    return copy;
}

static void test_determinism(void)
{
    GArray *a = run_mixed(42), *b = run_mixed(42), *c = run_mixed(43);
    CU_ASSERT(a->len > 800);
    CU_ASSERT_EQUAL_FATAL(a->len, b->len);
    CU_ASSERT(memcmp(a->data, b->data, a->len * sizeof(struct conv)) == 0);
    CU_ASSERT(c->len != a->len || memcmp(a->data, c->data, a->len * sizeof(struct conv)) != 0);
    g_array_free(a, TRUE);
    g_array_free(b, TRUE);
    g_array_free(c, TRUE);
}

/* 1 % loss on the client link: every conversation still completes (RTO and
 * go-back-N repair the losses). */
static void test_loss_recovered(void)
{
    struct wl w;
    wl_init(&w);
    struct link_params lp = { .latency = 1 * MSEC, .bandwidth_bps = 100000000ull, .loss = 0.02 };
    link_set_params(world_link(&w.t.w, "clients"), &lp);
    wl_server(&w, 8, DEXP(5 * MSEC), 64);
    struct client_group_cfg c = wl_client_cfg(&w);
    c.arrival = DEXP(20 * MSEC);
    c.response = DCONST(50000);
    c.stop = 10 * SEC;
    wl_start(&w, &c);
    wl_run(&w, 60 * SEC);
    uint32_t n = nconvs(&w), ok = 0, slow = 0;
    for (uint32_t i = 1; i <= n; i++) {
        struct conv *k = cv(&w, i);
        ok += k->outcome == CONV_OK && k->bytes_in == 50000;
        slow += k->response_ns > 200 * MSEC;
    }
    CU_ASSERT(n > 400);
    CU_ASSERT_EQUAL(ok, n);
    CU_ASSERT(slow > 0);            /* some needed a retransmission timeout */
    wl_free(&w);
}

/* ---- SYN flood ---------------------------------------------------------------------------- */

static void flood_case(bool cookies, enum conv_outcome want)
{
    struct wl w;
    wl_init(&w);
    struct server_app_cfg sc = { .name = "rs1", .port = 80, .workers = 4,
                                 .service_time = DCONST(1 * MSEC), .queue_limit = 16,
                                 .backlog = 16, .no_syncookies = !cookies };
    w.srv = server_app_start(host_net(w.t.server), &sc, &w.log);
    struct synflood_cfg fc = { .net = topo_ip("10.0.1.128"), .prefix = 25,
                               .target = topo_ip("10.0.2.2"), .target_port = htons(80),
                               .rate = 2000, .start = 0, .duration = 30 * SEC };
    struct synflood *f = synflood_start(host_net(w.t.client), &fc);
    struct client_group_cfg c = wl_client_cfg(&w);
    c.start = 1 * SEC;
    c.stop = 1 * SEC + 1500 * USEC;
    c.connect_timeout = 10 * SEC;
    wl_start(&w, &c);
    wl_run(&w, 15 * SEC);
    CU_ASSERT(synflood_sent(f) > 25000 && synflood_sent(f) < 35000);
    CU_ASSERT_EQUAL(cv(&w, 1)->outcome, want);
    const struct server_stats *ss = server_app_stats(w.srv);
    if (cookies) {
        CU_ASSERT(ss->syn_cookies > 1000);
    } else {
        CU_ASSERT(ss->syn_drops > 1000);
    }
    synflood_free(f);
    wl_free(&w);
}

static void test_synflood_cookies(void)
{
    flood_case(true, CONV_OK);
    flood_case(false, CONV_TIMEOUT);
}

/* ---- health checker ------------------------------------------------------------------------- */

/* The router plays the director: a service with the server as its one dest. */
static struct ip_vs_service *hc_setup(struct wl *w, struct netns_ipvs **ipvs_out)
{
    struct netns_ipvs *ipvs = ip_vs_net(host_net(w->t.router));
    struct ip_vs_service_user su = { .protocol = IPPROTO_TCP, .addr = topo_ip("10.0.1.1"),
                                     .port = htons(80), .netmask = 0xffffffff };
    strcpy(su.sched_name, "wlc");
    struct ip_vs_service *svc = NULL;
    CU_ASSERT_EQUAL(ip_vs_add_service(ipvs, &su, &svc), 0);
    struct ip_vs_dest_user du = { .addr = topo_ip("10.0.2.2"), .port = htons(80),
                                  .conn_flags = IP_VS_CONN_F_MASQ, .weight = 3 };
    CU_ASSERT_EQUAL(ip_vs_add_dest(svc, &du), 0);
    *ipvs_out = ipvs;
    return svc;
}

static void test_healthcheck_remove_restore(void)
{
    struct wl w;
    wl_init(&w);
    wl_server(&w, 4, DCONST(1 * MSEC), 16);
    struct netns_ipvs *ipvs;
    struct ip_vs_service *svc = hc_setup(&w, &ipvs);
    struct healthcheck_cfg hcfg = { .interval = 2 * SEC, .timeout = 1 * SEC, .retries = 3 };
    struct healthcheck *hc = healthcheck_start(host_net(w.t.router), &hcfg);
    be32 rip = topo_ip("10.0.2.2");
    sim_run_until(&w.t.w.sim, 9 * SEC);
    CU_ASSERT_PTR_NOT_NULL(ip_vs_lookup_dest(svc, rip, htons(80)));
    server_app_set_mode(w.srv, SERVER_DOWN);      /* at 9 s */
    sim_run_until(&w.t.w.sim, 30 * SEC);
    /* checks at 10, 12, 14 s fail (1 s timeout each): out at 15 s */
    CU_ASSERT_PTR_NULL(ip_vs_lookup_dest(svc, rip, htons(80)));
    server_app_set_mode(w.srv, SERVER_UP);        /* at 30 s */
    sim_run_until(&w.t.w.sim, 40 * SEC);
    struct ip_vs_dest *d = ip_vs_lookup_dest(svc, rip, htons(80));
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(d->weight, 3);
    CU_ASSERT_EQUAL(d->conn_flags & IP_VS_CONN_F_FWD_MASK, IP_VS_CONN_F_MASQ);
    size_t n;
    const struct healthcheck_event *ev = healthcheck_events(hc, &n);
    CU_ASSERT_EQUAL_FATAL(n, 2);
    CU_ASSERT(!ev[0].up);
    CU_ASSERT_EQUAL(ev[0].at, 15 * SEC);
    CU_ASSERT(ev[1].up);
    CU_ASSERT(ev[1].at > 30 * SEC && ev[1].at < 31 * SEC);    /* the check at 30 s */
    GString *s = g_string_new(NULL);
    healthcheck_report(hc, s);
    CU_ASSERT(strstr(s->str, "at 15.000s healthcheck router TCP 10.0.1.1:80 10.0.2.2:80: down, "
                             "dest removed\n") == s->str);
    CU_ASSERT(strstr(s->str, "10.0.2.2:80: up, dest added back\n") != NULL);
    g_string_free(s, TRUE);
    uint64_t fails, checks = healthcheck_checks(hc, &fails);
    CU_ASSERT(checks >= 20);
    CU_ASSERT(fails >= 3);
    healthcheck_free(hc);
    wl_free(&w);
}

/* healthcheck_cfg.notify: the transitions' lines, as they happen. */
static void hc_lines(void *ctx, const struct healthcheck *hc, const struct healthcheck_event *e)
{
    healthcheck_event_line(hc, e, ctx);
}

static void test_healthcheck_quiesce(void)
{
    struct wl w;
    wl_init(&w);
    wl_server(&w, 4, DCONST(1 * MSEC), 16);
    struct netns_ipvs *ipvs;
    struct ip_vs_service *svc = hc_setup(&w, &ipvs);
    GString *lines = g_string_new(NULL);
    struct healthcheck_cfg hcfg = { .interval = 1 * SEC, .timeout = 500 * MSEC, .retries = 2,
                                    .quiesce = true, .notify = hc_lines, .ctx = lines };
    struct healthcheck *hc = healthcheck_start(host_net(w.t.router), &hcfg);
    be32 rip = topo_ip("10.0.2.2");
    sim_run_until(&w.t.w.sim, 2500 * MSEC);
    server_app_set_mode(w.srv, SERVER_REFUSE);    /* RST: fails fast */
    sim_run_until(&w.t.w.sim, 6 * SEC);
    CU_ASSERT_STRING_EQUAL(lines->str, "at 4.000s healthcheck router TCP 10.0.1.1:80 10.0.2.2:80: "
                                       "down, weight 0\n");
    struct ip_vs_dest *d = ip_vs_lookup_dest(svc, rip, htons(80));
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(d->weight, 0);
    server_app_set_mode(w.srv, SERVER_UP);
    sim_run_until(&w.t.w.sim, 8 * SEC);
    CU_ASSERT_EQUAL(ip_vs_lookup_dest(svc, rip, htons(80))->weight, 3);
    size_t n;
    const struct healthcheck_event *ev = healthcheck_events(hc, &n);
    CU_ASSERT_EQUAL_FATAL(n, 2);
    /* checks at 3 s and 4 s are refused (RST after one RTT): out at 4 s + RTT */
    CU_ASSERT(!ev[0].up && ev[0].at > 4 * SEC && ev[0].at < 4 * SEC + 1 * MSEC);
    CU_ASSERT(g_str_has_suffix(lines->str, "10.0.2.2:80: up, weight restored\n"));
    g_string_free(lines, TRUE);
    healthcheck_free(hc);
    wl_free(&w);
}

IPVSIM_SUITE(workload)
{
    CU_pSuite s = CU_add_suite("workload", NULL, NULL);
    ADD_TEST(s, test_tcp_conversation_segments);
    ADD_TEST(s, test_tcp_keepalive_requests);
    ADD_TEST(s, test_syn_backoff_down_server);
    ADD_TEST(s, test_connect_timeout);
    ADD_TEST(s, test_server_back_up);
    ADD_TEST(s, test_refuse_mode_rst);
    ADD_TEST(s, test_closed_port_refused);
    ADD_TEST(s, test_icmp_unreachable);
    ADD_TEST(s, test_queue_response_times);
    ADD_TEST(s, test_queue_full_refuses);
    ADD_TEST(s, test_queue_drop_resets);
    ADD_TEST(s, test_udp_request_response);
    ADD_TEST(s, test_udp_timeout_and_refused);
    ADD_TEST(s, test_script);
    ADD_TEST(s, test_script_late_start);
    ADD_TEST(s, test_script_replay_rows);
    ADD_TEST(s, test_arrival_trace_ends);
    ADD_TEST(s, test_open_loop_rate);
    ADD_TEST(s, test_closed_loop_caps_concurrency);
    ADD_TEST(s, test_ports_and_addresses);
    ADD_TEST(s, test_port_alloc_avoids_used);
    ADD_TEST(s, test_determinism);
    ADD_TEST(s, test_loss_recovered);
    ADD_TEST(s, test_synflood_cookies);
    ADD_TEST(s, test_healthcheck_remove_restore);
    ADD_TEST(s, test_healthcheck_quiesce);
}
