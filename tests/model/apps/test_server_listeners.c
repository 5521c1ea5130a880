/* A real server with several listeners (ports and protocols, each with its own
 * service time or workers, or the server's), and brownouts: the service time, the
 * workers and a slowdown changed while it runs. On topo3 (client 10.0.1.2 -- router --
 * server 10.0.2.2, about 2.1 ms of round trip). */
#include <string.h>
#include "model/apps/workload.h"
#include "model/net.h"
#include "sim/sim.h"
#include "tests/testutil.h"
#include "tests/topo.h"

#define DCONST(v) ((struct dist){ .kind = DIST_CONST, .a = (double)(v) })

struct lw {
    struct topo3 t;
    struct conv_log log;
    struct server_app *srv;
    struct client_group *cg[6];
    struct client_script_conn *scripts[6];
    int ncg;
    be32 caddr;
};

static void lw_init(struct lw *w)
{
    memset(w, 0, sizeof *w);
    topo3_init(&w->t);
    conv_log_init(&w->log);
    w->caddr = topo_ip("10.0.1.2");
}

/* tcp:80 and tcp:443 on the server's workers (443 with its own service time of 20 ms),
 * udp:53 with one worker of its own and no service time; the server: workers, 10 ms. */
static void lw_server(struct lw *w, int workers)
{
    static const struct server_listener_cfg ls[] = {
        { .proto = IPPROTO_TCP, .port = 80 },
        { .proto = IPPROTO_TCP, .port = 443, .has_service_time = true,
          .service_time = DCONST(20 * MSEC) },
        { .proto = IPPROTO_UDP, .port = 53, .workers = 1, .queue_limit = 16,
          .has_service_time = true, .service_time = DCONST(0) },
    };
    struct server_app_cfg c = { .name = "rs1", .index = 0, .listeners = ls, .nlisteners = 3,
                                .workers = workers, .service_time = DCONST(10 * MSEC),
                                .queue_limit = 16 };
    w->srv = server_app_start(host_net(w->t.server), &c, &w->log);
}

/* n conversations of proto to port, one every gap from start: a script, each from
 * its own port. */
static void lw_client(struct lw *w, uint8_t proto, uint16_t port, sim_time_t start,
                      sim_time_t gap, int n)
{
    char *name = g_strdup_printf("c%d", w->ncg);
    struct client_script_conn *sc = g_new0(struct client_script_conn, (gsize)n);
    for (int i = 0; i < n; i++)
        sc[i] = (struct client_script_conn){
            .at = start + gap * i, .saddr = w->caddr, .proto = proto, .request = 100,
            .response = 1000, .sport = htons((uint16_t)(40000 + w->ncg * 100 + i)),
        };
    struct client_group_cfg c = {
        .name = name, .index = (uint32_t)w->ncg, .addrs = &w->caddr, .naddrs = 1,
        .target = topo_ip("10.0.2.2"), .target_port = htons(port), .proto = proto,
        .requests_per_conn = 1, .script = sc, .nscript = (uint32_t)n,
    };
    w->scripts[w->ncg] = sc;
    w->cg[w->ncg++] = client_group_start(host_net(w->t.client), &c, &w->log);
    g_free(name);
}

static void lw_run(struct lw *w, sim_time_t until)
{
    sim_run_until(&w->t.w.sim, until);
    conv_log_close(&w->log, w->t.w.sim.now);
}

static void lw_free(struct lw *w)
{
    for (int i = 0; i < w->ncg; i++) {
        client_group_free(w->cg[i]);
        g_free(w->scripts[i]);
    }
    server_app_free(w->srv);
    world_destroy(&w->t.w);
    conv_log_free(&w->log);
}

/* The conversation of group g that started first. */
static const struct conv *first_of(struct lw *w, uint32_t g)
{
    for (guint i = 0; i < w->log.convs->len; i++) {
        const struct conv *k = &g_array_index(w->log.convs, struct conv, i);
        if (k->group == g)
            return k;
    }
    return NULL;
}

static bool within(sim_time_t v, sim_time_t lo, sim_time_t hi)
{
    if (v >= lo && v <= hi)
        return true;
    fprintf(stderr, "\n  %lld ns not in [%lld, %lld]\n", (long long)v, (long long)lo, (long long)hi);
    return false;
}

/* Each listener answers its own protocol and port with its own service time; a port
 * or protocol no listener has is refused as by a host without the socket: a reset
 * (TCP) or ICMP port unreachable (UDP), both REFUSED. */
static void test_ports_and_protocols(void)
{
    struct lw w;
    lw_init(&w);
    lw_server(&w, 4);
    lw_client(&w, IPPROTO_TCP, 80, 10 * MSEC, 100 * MSEC, 1);
    lw_client(&w, IPPROTO_TCP, 443, 10 * MSEC, 100 * MSEC, 1);
    lw_client(&w, IPPROTO_UDP, 53, 10 * MSEC, 100 * MSEC, 1);
    lw_client(&w, IPPROTO_TCP, 53, 10 * MSEC, 100 * MSEC, 1);
    lw_client(&w, IPPROTO_UDP, 80, 10 * MSEC, 100 * MSEC, 1);
    lw_run(&w, 2 * SEC);
    CU_ASSERT_EQUAL_FATAL(w.log.convs->len, 5);
    const struct conv *http = first_of(&w, 0), *https = first_of(&w, 1), *dns = first_of(&w, 2);
    CU_ASSERT_EQUAL(http->outcome, CONV_OK);
    CU_ASSERT_EQUAL(https->outcome, CONV_OK);
    CU_ASSERT_EQUAL(dns->outcome, CONV_OK);
    CU_ASSERT_EQUAL(first_of(&w, 3)->outcome, CONV_REFUSED);
    CU_ASSERT_EQUAL(first_of(&w, 4)->outcome, CONV_REFUSED);
    /* one round trip (and the request's) plus the service time */
    CU_ASSERT(within(http->response_ns, 12 * MSEC, 13 * MSEC));
    CU_ASSERT(within(https->response_ns, 22 * MSEC, 23 * MSEC));
    CU_ASSERT(within(dns->response_ns, 2 * MSEC, 3 * MSEC));
    CU_ASSERT_EQUAL(server_app_listeners(w.srv), 3);
    CU_ASSERT_EQUAL(server_app_listener_index(w.srv, IPPROTO_TCP, 443), 1);
    CU_ASSERT_EQUAL(server_app_listener_index(w.srv, IPPROTO_UDP, 53), 2);
    CU_ASSERT_EQUAL(server_app_listener_index(w.srv, IPPROTO_TCP, 53), -1);
    for (uint32_t i = 0; i < 3; i++) {
        CU_ASSERT_EQUAL(server_app_listener_stats(w.srv, i)->accepted, 1);
        CU_ASSERT_EQUAL(server_app_listener_stats(w.srv, i)->served, 1);
    }
    CU_ASSERT_EQUAL(server_app_stats(w.srv)->served, 3);
    lw_free(&w);
}

/* A server given a port listens on it with both protocols: one listener. */
static void test_port_is_tcp_and_udp(void)
{
    struct lw w;
    lw_init(&w);
    struct server_app_cfg c = { .name = "rs1", .port = 80, .workers = 2,
                                .service_time = DCONST(1 * MSEC), .queue_limit = 4 };
    w.srv = server_app_start(host_net(w.t.server), &c, &w.log);
    lw_client(&w, IPPROTO_TCP, 80, 10 * MSEC, 100 * MSEC, 1);
    lw_client(&w, IPPROTO_UDP, 80, 10 * MSEC, 100 * MSEC, 1);
    lw_run(&w, 2 * SEC);
    CU_ASSERT_EQUAL(first_of(&w, 0)->outcome, CONV_OK);
    CU_ASSERT_EQUAL(first_of(&w, 1)->outcome, CONV_OK);
    CU_ASSERT_EQUAL(server_app_listeners(w.srv), 1);
    CU_ASSERT_EQUAL(server_app_listener_index(w.srv, IPPROTO_UDP, 80), 0);
    CU_ASSERT_EQUAL(server_app_listener_index(w.srv, IPPROTO_TCP, 80), 0);
    CU_ASSERT_EQUAL(server_app_listener_stats(w.srv, 0)->served, 2);
    lw_free(&w);
}

/* udp:53's single worker of its own queues its requests (100 ms each here) while the web listeners' share the server's workers, untouched by it. */
static void test_own_workers(void)
{
    struct lw w;
    lw_init(&w);
    lw_server(&w, 4);
    struct dist d = DCONST(100 * MSEC);
    server_app_set_service_time(w.srv, 2, &d);
    lw_client(&w, IPPROTO_UDP, 53, 10 * MSEC, 1 * MSEC, 3);   /* 10, 11, 12 ms */
    lw_client(&w, IPPROTO_TCP, 80, 10 * MSEC, 1 * MSEC, 3);
    sim_run_until(&w.t.w.sim, 20 * MSEC);
    CU_ASSERT_EQUAL(server_app_listener_stats(w.srv, 2)->busy, 1);
    CU_ASSERT_EQUAL(server_app_listener_stats(w.srv, 2)->queued, 2);
    CU_ASSERT_EQUAL(server_app_stats(w.srv)->busy, 1 + 3);
    CU_ASSERT_EQUAL(server_app_stats(w.srv)->queued, 2);
    lw_run(&w, 2 * SEC);
    sim_time_t dns[3], web[3];
    int nd = 0, nw = 0;
    for (guint i = 0; i < w.log.convs->len; i++) {
        const struct conv *k = &g_array_index(w.log.convs, struct conv, i);
        CU_ASSERT_EQUAL(k->outcome, CONV_OK);
        if (k->group == 0 && nd < 3)
            dns[nd++] = k->response_ns;
        else if (k->group == 1 && nw < 3)
            web[nw++] = k->response_ns;
    }
    CU_ASSERT_EQUAL_FATAL(nd, 3);
    CU_ASSERT_EQUAL_FATAL(nw, 3);
    /* 100 ms each, one after the other (the second waited 99 ms, the third 198) */
    CU_ASSERT(within(dns[0], 102 * MSEC, 103 * MSEC));
    CU_ASSERT(within(dns[1], 201 * MSEC, 202 * MSEC));
    CU_ASSERT(within(dns[2], 300 * MSEC, 301 * MSEC));
    for (int i = 0; i < 3; i++)
        CU_ASSERT(within(web[i], 12 * MSEC, 13 * MSEC));
    lw_free(&w);
}

/* A slowdown multiplies the service times drawn after it, on every listener or one;
 * server_up ends it. */
static void test_slow(void)
{
    struct lw w;
    lw_init(&w);
    lw_server(&w, 4);
    server_app_set_slow(w.srv, -1, 5);
    lw_client(&w, IPPROTO_TCP, 80, 10 * MSEC, 500 * MSEC, 3);     /* 10, 510, 1010 ms */
    lw_client(&w, IPPROTO_TCP, 443, 10 * MSEC, 500 * MSEC, 3);
    sim_run_until(&w.t.w.sim, 400 * MSEC);
    server_app_set_slow(w.srv, 1, 2);                             /* only 443: x2 */
    sim_run_until(&w.t.w.sim, 900 * MSEC);
    server_app_set_mode(w.srv, SERVER_UP);
    lw_run(&w, 3 * SEC);
    sim_time_t r[2][3];
    int n[2] = { 0, 0 };
    for (guint i = 0; i < w.log.convs->len; i++) {
        const struct conv *k = &g_array_index(w.log.convs, struct conv, i);
        CU_ASSERT_EQUAL(k->outcome, CONV_OK);
        if (n[k->group] < 3)
            r[k->group][n[k->group]++] = k->response_ns;
    }
    CU_ASSERT_EQUAL_FATAL(n[0], 3);
    CU_ASSERT_EQUAL_FATAL(n[1], 3);
    CU_ASSERT(within(r[0][0], 52 * MSEC, 53 * MSEC));     /* 10 ms x 5 */
    CU_ASSERT(within(r[1][0], 102 * MSEC, 103 * MSEC));   /* 20 ms x 5 */
    CU_ASSERT(within(r[0][1], 52 * MSEC, 53 * MSEC));     /* still x 5 */
    CU_ASSERT(within(r[1][1], 42 * MSEC, 43 * MSEC));     /* x 2 */
    CU_ASSERT(within(r[0][2], 12 * MSEC, 13 * MSEC));     /* up: x 1 */
    CU_ASSERT(within(r[1][2], 22 * MSEC, 23 * MSEC));
    lw_free(&w);
}

/* Fewer workers: the requests in service finish, the queue waits; more: the queue
 * starts at once. A new service time applies to the requests that start after it. */
static void test_workers_and_service_time(void)
{
    struct lw w;
    lw_init(&w);
    lw_server(&w, 1);
    struct dist d = DCONST(100 * MSEC);
    server_app_set_service_time(w.srv, -1, &d);
    lw_client(&w, IPPROTO_TCP, 80, 10 * MSEC, 1 * MSEC, 3);       /* 10, 11, 12 ms */
    sim_run_until(&w.t.w.sim, 50 * MSEC);
    CU_ASSERT_EQUAL(server_app_stats(w.srv)->busy, 1);
    CU_ASSERT_EQUAL(server_app_stats(w.srv)->queued, 2);
    CU_ASSERT(server_app_set_workers(w.srv, -1, 3));
    CU_ASSERT_EQUAL(server_app_stats(w.srv)->busy, 3);
    CU_ASSERT_EQUAL(server_app_stats(w.srv)->queued, 0);
    /* a listener on the server's workers has none of its own to change */
    CU_ASSERT_FALSE(server_app_set_workers(w.srv, 0, 2));
    CU_ASSERT(server_app_set_workers(w.srv, 2, 2));
    d = DCONST(1 * MSEC);
    server_app_set_service_time(w.srv, -1, &d);
    lw_client(&w, IPPROTO_TCP, 80, 500 * MSEC, 1 * MSEC, 1);
    lw_run(&w, 2 * SEC);
    const struct conv *k = &g_array_index(w.log.convs, struct conv, 0);
    CU_ASSERT(within(k->response_ns, 102 * MSEC, 103 * MSEC));
    /* the second's request (sent at 13 ms) waited for a worker until 50 ms */
    k = &g_array_index(w.log.convs, struct conv, 1);
    CU_ASSERT(within(k->response_ns, 137 * MSEC, 139 * MSEC));
    CU_ASSERT(within(first_of(&w, 1)->response_ns, 3 * MSEC, 4 * MSEC));
    lw_free(&w);
}

IPVSIM_SUITE(server_listeners)
{
    CU_pSuite s = CU_add_suite("server_listeners", NULL, NULL);
    ADD_TEST(s, test_ports_and_protocols);
    ADD_TEST(s, test_port_is_tcp_and_udp);
    ADD_TEST(s, test_own_workers);
    ADD_TEST(s, test_slow);
    ADD_TEST(s, test_workers_and_service_time);
}
