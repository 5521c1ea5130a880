/* The workload through a real director (tests/topo_lvs.h): conversations to the VIP
 * under NAT, DR and TUN, and the health checker taking a crashed real server out of
 * the service while traffic runs. */
#include <string.h>
#include "model/apps/tcp_conn.h"
#include "model/apps/workload.h"
#include "model/ipvs/ip_vs_ctl.h"
#include "model/net.h"
#include "sim/sim.h"
#include "tests/testutil.h"
#include "tests/topo_lvs.h"

struct lvs_wl {
    struct topo_lvs t;
    struct conv_log log;
    struct server_app *srv[2];
    struct client_group *cg;
    be32 caddr;
};

static void lvs_wl_init(struct lvs_wl *w, enum topo_fwd fwd, const char *const *ipvs)
{
    memset(w, 0, sizeof *w);
    topo_lvs_init(&w->t, fwd, "6.x");
    topo_lvs_ipvsadm(&w->t, ipvs);
    conv_log_init(&w->log);
    for (int i = 0; i < 2; i++) {
        struct server_app_cfg c = { .name = i ? "rs2" : "rs1", .index = i, .port = 80,
                                    .workers = 4, .queue_limit = 64,
                                    .service_time = { .kind = DIST_CONST, .a = 2e6 } };
        w->srv[i] = server_app_start(host_net(w->t.rs[i]), &c, &w->log);
    }
    w->caddr = topo_ip("10.0.1.2");
}

static void lvs_wl_clients(struct lvs_wl *w, uint8_t proto, sim_time_t gap, sim_time_t stop)
{
    struct client_group_cfg c = {
        .name = "web", .addrs = &w->caddr, .naddrs = 1, .target = topo_ip(TOPO_VIP),
        .target_port = htons(80), .proto = proto,
        .arrival = { .kind = DIST_CONST, .a = (double)gap },
        .request = { .kind = DIST_CONST, .a = 400 },
        .response = { .kind = DIST_CONST, .a = 8000 }, .requests_per_conn = 1,
        .connect_timeout = 3 * SEC, .stop = stop,
    };
    w->cg = client_group_start(host_net(w->t.client), &c, &w->log);
}

static void lvs_wl_free(struct lvs_wl *w)
{
    client_group_free(w->cg);
    server_app_free(w->srv[0]);
    server_app_free(w->srv[1]);
    world_destroy(&w->t.w);
    conv_log_free(&w->log);
}

/* rr over two servers: every conversation completes, alternately on each. */
static void rr_case(enum topo_fwd fwd, const char *flag, uint8_t proto)
{
    char svc[64], d1[80], d2[80];
    char p = proto == IPPROTO_TCP ? 't' : 'u';
    snprintf(svc, sizeof svc, "-A -%c 203.0.113.10:80 -s rr", p);
    snprintf(d1, sizeof d1, "-a -%c 203.0.113.10:80 -r 192.0.2.11:80 %s", p, flag);
    snprintf(d2, sizeof d2, "-a -%c 203.0.113.10:80 -r 192.0.2.12:80 %s", p, flag);
    const char *const cfg[] = { svc, d1, d2, NULL };
    struct lvs_wl w;
    lvs_wl_init(&w, fwd, cfg);
    lvs_wl_clients(&w, proto, 10 * MSEC, 1 * SEC + 5 * MSEC);
    sim_run_until(&w.t.w.sim, 5 * SEC);
    conv_log_close(&w.log, w.t.w.sim.now);
    uint32_t n = w.log.convs->len, ok = 0, on[2] = { 0 };
    for (uint32_t i = 1; i <= n; i++) {
        struct conv *k = conv_get(&w.log, i);
        ok += k->outcome == CONV_OK && k->bytes_in == 8000;
        if (k->server >= 0)
            on[k->server]++;
    }
    CU_ASSERT_EQUAL(n, 100);
    CU_ASSERT_EQUAL(ok, n);
    CU_ASSERT_EQUAL(on[0], 50);
    CU_ASSERT_EQUAL(on[1], 50);
    if (ok != n)
        fprintf(stderr, "fwd %s proto %u: %u of %u OK (rs1 %u rs2 %u)\n", flag, proto, ok, n,
                on[0], on[1]);
    lvs_wl_free(&w);
}

static void test_lvs_nat_tcp(void) { rr_case(TOPO_NAT, "-m", IPPROTO_TCP); }
static void test_lvs_dr_tcp(void) { rr_case(TOPO_DR, "-g", IPPROTO_TCP); }
static void test_lvs_tun_tcp(void) { rr_case(TOPO_TUN, "-i", IPPROTO_TCP); }
static void test_lvs_nat_udp(void) { rr_case(TOPO_NAT, "-m", IPPROTO_UDP); }
static void test_lvs_dr_udp(void) { rr_case(TOPO_DR, "-g", IPPROTO_UDP); }

/* rs2 crashes at 5 s: conversations sent to it time out until the checker (every
 * 1 s, timeout 500 ms, 2 failures) takes it out; then all go to rs1. It comes back
 * at 12 s and is put back at the next check. */
static void test_lvs_healthcheck_failover(void)
{
    static const char *const cfg[] = {
        "-A -t 203.0.113.10:80 -s rr",
        "-a -t 203.0.113.10:80 -r 192.0.2.11:80 -m",
        "-a -t 203.0.113.10:80 -r 192.0.2.12:80 -m",
        NULL,
    };
    struct lvs_wl w;
    lvs_wl_init(&w, TOPO_NAT, cfg);
    struct healthcheck_cfg hcfg = { .interval = 1 * SEC, .timeout = 500 * MSEC, .retries = 2 };
    struct healthcheck *hc = healthcheck_start(host_net(w.t.lvs), &hcfg);
    lvs_wl_clients(&w, IPPROTO_TCP, 20 * MSEC, 20 * SEC);
    sim_run_until(&w.t.w.sim, 5 * SEC);
    server_app_set_mode(w.srv[1], SERVER_DOWN);
    sim_run_until(&w.t.w.sim, 12 * SEC);
    server_app_set_mode(w.srv[1], SERVER_UP);
    sim_run_until(&w.t.w.sim, 30 * SEC);
    conv_log_close(&w.log, w.t.w.sim.now);
    size_t nev;
    const struct healthcheck_event *ev = healthcheck_events(hc, &nev);
    CU_ASSERT_EQUAL_FATAL(nev, 2);
    CU_ASSERT(!ev[0].up && ev[0].daddr == topo_ip("192.0.2.12"));
    /* the round at 5 s sent its SYN just before the crash: it and the one at 6 s
     * time out at 5.5 s and 6.5 s */
    CU_ASSERT_EQUAL(ev[0].at, 6 * SEC + 500 * MSEC);
    CU_ASSERT(ev[1].up && ev[1].at > 12 * SEC && ev[1].at < 13 * SEC + 10 * MSEC);
    uint32_t n = w.log.convs->len, bad_before = 0, bad_out = 0, rs2_out = 0, rs2_after = 0;
    uint32_t lost_in_window = 0;
    for (uint32_t i = 1; i <= n; i++) {
        struct conv *k = conv_get(&w.log, i);
        bool ok = k->outcome == CONV_OK;
        if (k->start < 5 * SEC)
            bad_before += !ok;
        else if (k->start < ev[0].at)
            lost_in_window += k->outcome == CONV_TIMEOUT;
        else if (k->start > ev[0].at && k->start < 12 * SEC) {
            bad_out += !ok;
            rs2_out += k->server == 1;
        } else if (k->start > ev[1].at + 10 * MSEC) {
            rs2_after += k->server == 1;
            bad_out += !ok;
        }
    }
    CU_ASSERT_EQUAL(bad_before, 0);
    /* between the crash and the detection, rr sends every second one to rs2: ~37 */
    CU_ASSERT(lost_in_window >= 30 && lost_in_window <= 40);
    CU_ASSERT_EQUAL(bad_out, 0);
    CU_ASSERT_EQUAL(rs2_out, 0);
    CU_ASSERT(rs2_after >= 195 && rs2_after <= 200);     /* rr: half of ~400 */
    GString *s = g_string_new(NULL);
    healthcheck_report(hc, s);
    CU_ASSERT(g_str_has_prefix(s->str, "at 6.500s healthcheck lvs TCP 203.0.113.10:80 192.0.2.12:80: "
                                       "down, dest removed\nat 12."));
    CU_ASSERT(g_str_has_suffix(s->str, " TCP 203.0.113.10:80 192.0.2.12:80: up, dest added back\n"));
    g_string_free(s, TRUE);
    healthcheck_free(hc);
    lvs_wl_free(&w);
}

IPVSIM_SUITE(workload_lvs)
{
    CU_pSuite s = CU_add_suite("workload_lvs", NULL, NULL);
    ADD_TEST(s, test_lvs_nat_tcp);
    ADD_TEST(s, test_lvs_dr_tcp);
    ADD_TEST(s, test_lvs_tun_tcp);
    ADD_TEST(s, test_lvs_nat_udp);
    ADD_TEST(s, test_lvs_dr_udp);
    ADD_TEST(s, test_lvs_healthcheck_failover);
}
