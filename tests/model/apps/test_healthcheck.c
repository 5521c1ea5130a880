/* keepalived's checkers on a real director (tests/topo_lvs.h): retry counts and their
 * timing, inhibit_on_failure, the sorry server, quorum with hysteresis, alpha, HTTP_GET
 * status codes, MISC_CHECK's scripted exit codes and misc_dynamic
 * (model/apps/healthcheck.c). */
#include <string.h>
#include "model/apps/workload.h"
#include "model/ipvs/ip_vs.h"
#include "model/ipvs/ip_vs_ctl.h"
#include "model/net.h"
#include "sim/sim.h"
#include "tests/testutil.h"
#include "tests/topo_lvs.h"

struct kc {
    struct topo_lvs t;
    struct conv_log log;
    struct server_app *srv[2];
    struct healthcheck *hc;
    int status_after;               /* the HTTP status rs1 answers from 3 s on */
};

static void kc_init(struct kc *k, const char *const *ipvs)
{
    memset(k, 0, sizeof *k);
    topo_lvs_init(&k->t, TOPO_NAT, "6.x");
    topo_lvs_ipvsadm(&k->t, ipvs);
    conv_log_init(&k->log);
    for (int i = 0; i < 2; i++) {
        struct server_app_cfg c = { .name = i ? "rs2" : "rs1", .index = i, .port = 80,
                                    .workers = 4, .queue_limit = 64,
                                    .service_time = { .kind = DIST_CONST, .a = 2e6 } };
        k->srv[i] = server_app_start(host_net(k->t.rs[i]), &c, &k->log);
    }
}

static void kc_free(struct kc *k)
{

    healthcheck_free(k->hc);
    server_app_free(k->srv[0]);
    server_app_free(k->srv[1]);
    world_destroy(&k->t.w);
    conv_log_free(&k->log);
}

static const char *const two_rs[] = {
    "-A -t 203.0.113.10:80 -s wrr",
    "-a -t 203.0.113.10:80 -r 192.0.2.11:80 -m -w 2",
    "-a -t 203.0.113.10:80 -r 192.0.2.12:80 -m -w 2",
    NULL,
};

/* The dest's weight, -1 when it is no dest of the service. */
static int dest_weight(struct kc *k, const char *addr)
{
    struct ip_vs_service *svc = ip_vs_service_get(host_net(k->t.lvs)->ipvs, IPPROTO_TCP,
                                                  topo_ip(TOPO_VIP), htons(80), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(svc);
    struct ip_vs_dest *d = ip_vs_lookup_dest(svc, topo_ip(addr), htons(80));
    return d ? d->weight : -1;
}

static void run_to(struct kc *k, sim_time_t t)
{
    sim_run_until(&k->t.w.sim, t);
}

static struct hc_vs_cfg vs_of(const struct hc_rs_cfg *rs, size_t n)
{
    return (struct hc_vs_cfg){ .protocol = IPPROTO_TCP, .vaddr = topo_ip(TOPO_VIP),
                               .vport = htons(80), .delay_loop = 5 * SEC, .quorum = 1,
                               .sorry_fwd = ~0u, .rs = rs, .n_rs = n };
}

static void start(struct kc *k, const struct hc_vs_cfg *vs)
{
    struct healthcheck_cfg cfg = { .vs_only = true, .vs = vs, .n_vs = 1 };
    k->hc = healthcheck_start(host_net(k->t.lvs), &cfg);
}

static const struct healthcheck_event *events(struct kc *k, size_t *n)
{
    return healthcheck_events(k->hc, n);
}

/* TCP_CHECK, retry 2, delay_before_retry 1 s, connect_timeout 500 ms, delay_loop 5 s
 * (each counted from the previous verdict, as keepalived's timer is; the check at 0
 * passes one round trip, 0.2 ms, later): rs2 crashes at 1 s; the check at 5 s times
 * out at 5.5 s, its retries at 6.5 s and 8 s: the third failure (8.5 s) removes it.
 * While down it is checked every delay_loop only (13.5, 19, 24.5 s); it is back at
 * 20 s, so the check at 24.5 s adds it. */
static void run_tcp_retry(bool inhibit)
{
    struct kc k;
    kc_init(&k, two_rs);
    struct hc_checker_cfg ck = { .type = HC_TCP_CHECK, .connect_timeout = 500 * MSEC,
                                 .retry = 2, .delay_before_retry = 1 * SEC };
    struct hc_rs_cfg rs[] = {
        { .addr = topo_ip("192.0.2.11"), .port = htons(80), .checkers = &ck, .n_checkers = 1 },
        { .addr = topo_ip("192.0.2.12"), .port = htons(80), .checkers = &ck, .n_checkers = 1,
          .inhibit_on_failure = inhibit },
    };
    struct hc_vs_cfg vs = vs_of(rs, 2);
    start(&k, &vs);
    run_to(&k, 1 * SEC);
    server_app_set_mode(k.srv[1], SERVER_DOWN);
    run_to(&k, 8 * SEC + 500 * MSEC);
    size_t n;
    events(&k, &n);
    CU_ASSERT_EQUAL(n, 0);          /* two failures and a retry pending: still in */
    CU_ASSERT_EQUAL(dest_weight(&k, "192.0.2.12"), 2);
    run_to(&k, 8 * SEC + 501 * MSEC);
    const struct healthcheck_event *ev = events(&k, &n);
    CU_ASSERT_EQUAL_FATAL(n, 1);
    CU_ASSERT(ev[0].at > 8 * SEC + 500 * MSEC && ev[0].at < 8 * SEC + 501 * MSEC);
    CU_ASSERT_EQUAL(ev[0].action, inhibit ? HC_WEIGHT_ZERO : HC_DEST_REMOVED);
    CU_ASSERT_EQUAL(dest_weight(&k, "192.0.2.12"), inhibit ? 0 : -1);
    CU_ASSERT_EQUAL(dest_weight(&k, "192.0.2.11"), 2);
    GString *s = g_string_new(NULL);
    healthcheck_report(k.hc, s);
    CU_ASSERT_STRING_EQUAL(s->str, inhibit
        ? "at 8.500s healthcheck lvs TCP 203.0.113.10:80 192.0.2.12:80: down, weight 0 "
          "(TCP_CHECK timeout after 2 retries)\n"
        : "at 8.500s healthcheck lvs TCP 203.0.113.10:80 192.0.2.12:80: down, dest removed "
          "(TCP_CHECK timeout after 2 retries)\n");
    g_string_free(s, TRUE);
    run_to(&k, 20 * SEC);
    server_app_set_mode(k.srv[1], SERVER_UP);
    run_to(&k, 24 * SEC);
    events(&k, &n);
    CU_ASSERT_EQUAL(n, 1);
    run_to(&k, 25 * SEC);
    ev = events(&k, &n);
    CU_ASSERT_EQUAL_FATAL(n, 2);
    CU_ASSERT(ev[1].up && ev[1].at > 24 * SEC + 500 * MSEC && ev[1].at < 24 * SEC + 510 * MSEC);
    CU_ASSERT_EQUAL(ev[1].action, inhibit ? HC_WEIGHT_RESTORED : HC_DEST_ADDED);
    CU_ASSERT_EQUAL(dest_weight(&k, "192.0.2.12"), 2);
    kc_free(&k);
}

static void test_tcp_retry(void) { run_tcp_retry(false); }
static void test_tcp_retry_inhibit(void) { run_tcp_retry(true); }

/* retry 0: the first failure takes the server down; the only real server down, the
 * live weight is 0: the quorum is lost (no sorry server: IPVS keeps what it has). */
static void test_tcp_no_retry(void)
{
    struct kc k;
    kc_init(&k, two_rs);
    struct hc_checker_cfg ck = { .type = HC_TCP_CHECK, .connect_timeout = 500 * MSEC };
    struct hc_rs_cfg rs[] = {
        { .addr = topo_ip("192.0.2.12"), .port = htons(80), .checkers = &ck, .n_checkers = 1 },
    };
    struct hc_vs_cfg vs = vs_of(rs, 1);
    start(&k, &vs);
    run_to(&k, 1 * SEC);
    server_app_set_mode(k.srv[1], SERVER_REFUSE);   /* a RST: no timeout to wait for */
    run_to(&k, 6 * SEC);
    size_t n;
    const struct healthcheck_event *ev = events(&k, &n);
    CU_ASSERT_EQUAL_FATAL(n, 2);
    CU_ASSERT(ev[0].at > 5 * SEC && ev[0].at < 5 * SEC + 5 * MSEC);
    CU_ASSERT_EQUAL(ev[1].action, HC_QUORUM_LOST);
    CU_ASSERT_STRING_EQUAL(ev[0].why, "TCP_CHECK connection failed");
    CU_ASSERT_EQUAL(dest_weight(&k, "192.0.2.12"), -1);
    kc_free(&k);
}

/* MISC_CHECK schedules: rs1 fails from 10 s to 30 s, rs2 from 20 s to 40 s; each
 * weighs 2. quorum 3, hysteresis 1: one down leaves 2, not below 3 - 1: the quorum
 * holds; both down: lost, the sorry server comes in. rs1 back at 30 s: 2 live, below
 * 3 + 1: the sorry server stays, rs1 stays out of IPVS. rs2 back: 4 live, gained: both
 * added back, the sorry server removed. */
static void test_quorum_hysteresis_sorry(void)
{
    struct kc k;
    kc_init(&k, two_rs);
    static const struct hc_exit e1[] = { { 10 * SEC, 1 }, { 30 * SEC, 0 } };
    static const struct hc_exit e2[] = { { 20 * SEC, 1 }, { 40 * SEC, 0 } };
    struct hc_checker_cfg c1 = { .type = HC_MISC_CHECK, .exits = e1, .n_exits = 2 };
    struct hc_checker_cfg c2 = { .type = HC_MISC_CHECK, .exits = e2, .n_exits = 2 };
    struct hc_rs_cfg rs[] = {
        { .addr = topo_ip("192.0.2.11"), .port = htons(80), .checkers = &c1, .n_checkers = 1 },
        { .addr = topo_ip("192.0.2.12"), .port = htons(80), .checkers = &c2, .n_checkers = 1 },
    };
    struct hc_vs_cfg vs = vs_of(rs, 2);
    vs.quorum = 3;
    vs.hysteresis = 1;
    vs.sorry_addr = topo_ip("192.0.2.99");
    vs.sorry_port = htons(80);
    start(&k, &vs);
    run_to(&k, 11 * SEC);
    CU_ASSERT_EQUAL(dest_weight(&k, "192.0.2.11"), -1);
    CU_ASSERT_EQUAL(dest_weight(&k, "192.0.2.99"), -1);     /* 2 live: the quorum holds */
    run_to(&k, 21 * SEC);
    CU_ASSERT_EQUAL(dest_weight(&k, "192.0.2.12"), -1);
    CU_ASSERT_EQUAL(dest_weight(&k, "192.0.2.99"), 1);
    run_to(&k, 31 * SEC);
    CU_ASSERT_EQUAL(dest_weight(&k, "192.0.2.11"), -1);     /* alive, the sorry server stays */
    CU_ASSERT_EQUAL(dest_weight(&k, "192.0.2.99"), 1);
    run_to(&k, 41 * SEC);
    CU_ASSERT_EQUAL(dest_weight(&k, "192.0.2.11"), 2);
    CU_ASSERT_EQUAL(dest_weight(&k, "192.0.2.12"), 2);
    CU_ASSERT_EQUAL(dest_weight(&k, "192.0.2.99"), -1);
    GString *s = g_string_new(NULL);
    healthcheck_report(k.hc, s);
    CU_ASSERT_STRING_EQUAL(s->str,
        "at 10.000s healthcheck lvs TCP 203.0.113.10:80 192.0.2.11:80: down, dest removed (MISC_CHECK exit 1)\n"
        "at 20.000s healthcheck lvs TCP 203.0.113.10:80 192.0.2.12:80: down, dest removed (MISC_CHECK exit 1)\n"
        "at 20.000s healthcheck lvs TCP 203.0.113.10:80 203.0.113.10:80: quorum lost\n"
        "at 20.000s healthcheck lvs TCP 203.0.113.10:80 192.0.2.99:80: sorry server added\n"
        "at 30.000s healthcheck lvs TCP 203.0.113.10:80 192.0.2.11:80: up, the sorry server stays (MISC_CHECK exit 0)\n"
        "at 40.000s healthcheck lvs TCP 203.0.113.10:80 192.0.2.12:80: up, the sorry server stays (MISC_CHECK exit 0)\n"
        "at 40.000s healthcheck lvs TCP 203.0.113.10:80 203.0.113.10:80: quorum gained\n"
        "at 40.000s healthcheck lvs TCP 203.0.113.10:80 192.0.2.11:80: up, dest added back (quorum gained)\n"
        "at 40.000s healthcheck lvs TCP 203.0.113.10:80 192.0.2.12:80: up, dest added back (quorum gained)\n"
        "at 40.000s healthcheck lvs TCP 203.0.113.10:80 192.0.2.99:80: sorry server removed\n");
    g_string_free(s, TRUE);
    kc_free(&k);
}

/* Without hysteresis the first failure (2 live < 3) loses the quorum; the live real
 * server is taken out for the sorry server. */
static void test_quorum_no_hysteresis(void)
{
    struct kc k;
    kc_init(&k, two_rs);
    static const struct hc_exit e1[] = { { 10 * SEC, 1 } };
    struct hc_checker_cfg c1 = { .type = HC_MISC_CHECK, .exits = e1, .n_exits = 1 };
    struct hc_rs_cfg rs[] = {
        { .addr = topo_ip("192.0.2.11"), .port = htons(80), .checkers = &c1, .n_checkers = 1 },
        { .addr = topo_ip("192.0.2.12"), .port = htons(80) },      /* no checker: alive */
    };
    struct hc_vs_cfg vs = vs_of(rs, 2);
    vs.quorum = 3;
    vs.sorry_addr = topo_ip("192.0.2.99");
    vs.sorry_port = htons(80);
    start(&k, &vs);
    run_to(&k, 11 * SEC);
    CU_ASSERT_EQUAL(dest_weight(&k, "192.0.2.11"), -1);
    CU_ASSERT_EQUAL(dest_weight(&k, "192.0.2.12"), -1);
    CU_ASSERT_EQUAL(dest_weight(&k, "192.0.2.99"), 1);
    kc_free(&k);
}

/* The default quorum (1): the sorry server comes in when no real server is alive;
 * alpha: real servers start out of IPVS, the sorry server with them, until the first
 * check passes (rs1's script passes from 5 s on). */
static void test_alpha_sorry(void)
{
    struct kc k;
    kc_init(&k, two_rs);
    static const struct hc_exit e1[] = { { 0, 1 }, { 5 * SEC, 0 } };
    struct hc_checker_cfg c1 = { .type = HC_MISC_CHECK, .exits = e1, .n_exits = 2 };
    struct hc_rs_cfg rs[] = {
        { .addr = topo_ip("192.0.2.11"), .port = htons(80), .checkers = &c1, .n_checkers = 1 },
    };
    struct hc_vs_cfg vs = vs_of(rs, 1);
    vs.alpha = true;
    vs.delay_loop = 1 * SEC;
    vs.sorry_addr = topo_ip("192.0.2.99");
    vs.sorry_port = htons(80);
    start(&k, &vs);
    run_to(&k, 1);
    CU_ASSERT_EQUAL(dest_weight(&k, "192.0.2.11"), -1);
    CU_ASSERT_EQUAL(dest_weight(&k, "192.0.2.99"), 1);
    run_to(&k, 4 * SEC + 1);
    CU_ASSERT_EQUAL(dest_weight(&k, "192.0.2.11"), -1);
    run_to(&k, 5 * SEC + 1);
    CU_ASSERT_EQUAL(dest_weight(&k, "192.0.2.11"), 2);
    CU_ASSERT_EQUAL(dest_weight(&k, "192.0.2.99"), -1);
    CU_ASSERT_EQUAL(dest_weight(&k, "192.0.2.12"), 2);     /* not checked: untouched */
    kc_free(&k);
}

/* misc_dynamic: exit 7 passes and sets the weight to 5. */
static void test_misc_dynamic(void)
{
    struct kc k;
    kc_init(&k, two_rs);
    static const struct hc_exit e1[] = { { 2 * SEC, 7 } };
    struct hc_checker_cfg c1 = { .type = HC_MISC_CHECK, .exits = e1, .n_exits = 1,
                                 .misc_dynamic = true };
    struct hc_rs_cfg rs[] = {
        { .addr = topo_ip("192.0.2.11"), .port = htons(80), .checkers = &c1, .n_checkers = 1 },
    };
    struct hc_vs_cfg vs = vs_of(rs, 1);
    vs.delay_loop = 1 * SEC;
    start(&k, &vs);
    run_to(&k, 3 * SEC);
    CU_ASSERT_EQUAL(dest_weight(&k, "192.0.2.11"), 5);
    size_t n;
    const struct healthcheck_event *ev = events(&k, &n);
    CU_ASSERT_EQUAL_FATAL(n, 1);
    CU_ASSERT_EQUAL(ev[0].action, HC_WEIGHT_SET);
    CU_ASSERT_EQUAL(ev[0].weight, 5);
    kc_free(&k);
}

static int http_status(void *ctx, be32 addr, const char *path, sim_time_t now)
{
    const struct kc *k = ctx;
    if (addr != topo_ip("192.0.2.11") || strcmp(path, "/health") != 0)
        return 404;
    return now >= 3 * SEC ? k->status_after : 200;
}

/* HTTP_GET, retry 1: rs1 answers /health with status_after from 3 s on. The real
 * server's events (the quorum's follow). */
static size_t run_http(int status_after, const char *want_why)
{
    struct kc k;
    kc_init(&k, two_rs);
    k.status_after = status_after;
    static const uint16_t codes[][2] = { { 200, 200 }, { 300, 399 } };
    struct hc_url url = { .path = "/health", .codes = (uint16_t (*)[2])codes, .n_codes = 2 };
    struct hc_checker_cfg ck = { .type = HC_HTTP_GET, .connect_timeout = 1 * SEC, .retry = 1,
                                 .delay_before_retry = 1 * SEC, .urls = &url, .n_urls = 1 };
    struct hc_rs_cfg rs[] = {
        { .addr = topo_ip("192.0.2.11"), .port = htons(80), .checkers = &ck, .n_checkers = 1 },
    };
    struct hc_vs_cfg vs = vs_of(rs, 1);
    vs.delay_loop = 2 * SEC;
    struct healthcheck_cfg cfg = { .vs_only = true, .vs = &vs, .n_vs = 1,
                                   .http_status = http_status, .ctx = &k };
    k.hc = healthcheck_start(host_net(k.t.lvs), &cfg);
    run_to(&k, 10 * SEC);
    size_t n, rs_events = 0;
    const struct healthcheck_event *ev = healthcheck_events(k.hc, &n);
    for (size_t i = 0; i < n; i++)
        rs_events += ev[i].daddr == topo_ip("192.0.2.11");
    if (n) {
        /* checks at 4 s (fails) and its retry at 5 s: down then */
        CU_ASSERT(ev[0].at > 5 * SEC && ev[0].at < 5 * SEC + 10 * MSEC);
        CU_ASSERT_STRING_EQUAL(ev[0].why, want_why);
        CU_ASSERT_EQUAL(dest_weight(&k, "192.0.2.11"), -1);
    }
    kc_free(&k);
    return rs_events;
}

static void test_http_status(void)
{
    CU_ASSERT_EQUAL(run_http(503, "HTTP_GET /health status 503 after 1 retry"), 1);
    CU_ASSERT_EQUAL(run_http(301, NULL), 0);    /* in 300-399 */
    CU_ASSERT_EQUAL(run_http(201, "HTTP_GET /health status 201 after 1 retry"), 1);
}

/* The checks keepalived's checkers start are counted with the default checker's. */
static void test_checks_counted(void)
{
    struct kc k;
    kc_init(&k, two_rs);
    struct hc_checker_cfg ck = { .type = HC_MISC_CHECK };
    struct hc_rs_cfg rs[] = {
        { .addr = topo_ip("192.0.2.11"), .port = htons(80), .checkers = &ck, .n_checkers = 1 },
    };
    struct hc_vs_cfg vs = vs_of(rs, 1);
    vs.delay_loop = 1 * SEC;
    start(&k, &vs);
    run_to(&k, 4 * SEC + 1);
    uint64_t failures = 9;
    CU_ASSERT_EQUAL(healthcheck_checks(k.hc, &failures), 5);   /* 0, 1, 2, 3, 4 s */
    CU_ASSERT_EQUAL(failures, 0);
    kc_free(&k);
}

/* The default TCP check goes on beside keepalived's checkers, for the services they do
 * not own only: rs2 is down, its service is listed (a MISC_CHECK that passes), so the
 * TCP check leaves it alone; the same down rs2 in a second, unlisted service is taken out. */
static void test_default_check_skips_listed(void)
{
    static const char *const two_svc[] = {
        "-A -t 203.0.113.10:80 -s rr",
        "-a -t 203.0.113.10:80 -r 192.0.2.12:80 -m",
        "-A -t 203.0.113.10:81 -s rr",
        "-a -t 203.0.113.10:81 -r 192.0.2.12:80 -m",
        NULL,
    };
    struct kc k;
    kc_init(&k, two_svc);
    server_app_set_mode(k.srv[1], SERVER_DOWN);
    struct hc_checker_cfg ck = { .type = HC_MISC_CHECK };
    struct hc_rs_cfg rs[] = {
        { .addr = topo_ip("192.0.2.12"), .port = htons(80), .checkers = &ck, .n_checkers = 1 },
    };
    struct hc_vs_cfg vs = vs_of(rs, 1);
    struct healthcheck_cfg cfg = { .interval = 1 * SEC, .timeout = 500 * MSEC, .retries = 1,
                                   .vs = &vs, .n_vs = 1 };
    k.hc = healthcheck_start(host_net(k.t.lvs), &cfg);
    run_to(&k, 3 * SEC);
    CU_ASSERT_EQUAL(dest_weight(&k, "192.0.2.12"), 1);
    struct ip_vs_service *svc81 = ip_vs_service_get(host_net(k.t.lvs)->ipvs, IPPROTO_TCP,
                                                    topo_ip(TOPO_VIP), htons(81), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(svc81);
    CU_ASSERT_PTR_NULL(ip_vs_lookup_dest(svc81, topo_ip("192.0.2.12"), htons(80)));
    size_t n;
    const struct healthcheck_event *ev = healthcheck_events(k.hc, &n);
    CU_ASSERT_EQUAL_FATAL(n, 1);
    CU_ASSERT_EQUAL(ntohs(ev[0].vport), 81);
    kc_free(&k);
}

IPVSIM_SUITE(healthcheck)
{
    CU_pSuite s = CU_add_suite("healthcheck", NULL, NULL);
    ADD_TEST(s, test_tcp_retry);
    ADD_TEST(s, test_tcp_retry_inhibit);
    ADD_TEST(s, test_tcp_no_retry);
    ADD_TEST(s, test_quorum_hysteresis_sorry);
    ADD_TEST(s, test_quorum_no_hysteresis);
    ADD_TEST(s, test_alpha_sorry);
    ADD_TEST(s, test_misc_dynamic);
    ADD_TEST(s, test_http_status);
    ADD_TEST(s, test_checks_counted);
    ADD_TEST(s, test_default_check_skips_listed);
}
