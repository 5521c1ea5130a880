/* Queueing theory as a check of the whole run: an M/M/1 queue behind the director.
 *
 * tests/scenarios/mm1-udp.json: Poisson arrivals of UDP conversations (one 1-byte
 * request datagram, one 1-byte response), one real server with one worker and
 * exponential service of mean 10 ms (mu = 100/s), an unbounded queue, and links with
 * latency 0 and bandwidth "unlimited": the network adds nothing, so a
 * conversation's response_ns (first request byte sent -> last response byte
 * received, model/apps/workload.h) is its time in the system. First a check that
 * the network really adds nothing (constant service time, sparse arrivals: every
 * response_ns is exactly the service time); then the mean response time at loads
 * rho = lambda/mu of 0.5 and 0.8 must be 1/(mu - lambda) (20 ms and 50 ms) within 5%.
 *
 * How many conversations: successive response times are strongly correlated near
 * saturation. The time-average number in an M/M/1 system has an asymptotic variance
 * of 2 rho (1 + rho) / (mu (1 - rho)^4) per second of run, so over T seconds the
 * mean's relative standard deviation is about sqrt(2 (1 + rho) / (mu rho T)) / (1 - rho):
 * 1.2% for rho = 0.5 over 1600 s (80 000 conversations), 1.1% for rho = 0.8 over
 * 10 000 s (800 000 conversations); over 20 seeds the measured spread was a little
 * wider at 0.8 (1.9% over 5000 s, so about 1.35% here). The 5% tolerance is then
 * about 4 standard deviations, and the seed is fixed, so the test is deterministic.
 * Arrivals stop 5 s before the end, so every conversation finishes.
 *
 * IPVSIM_MM1_VERBOSE=1 prints the measured and expected means. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "app/run/run_world.h"
#include "app/scenario/scenario.h"
#include "model/apps/workload.h"
#include "sim/sim.h"
#include "tests/testutil.h"

#define MM1_SCENARIO "tests/scenarios/mm1-udp.json"
#define MU 100.0                    /* 1 / exp(10ms) */

struct mm1_result {
    uint64_t convs, ok;
    double mean_s;                  /* mean response time of the OK conversations */
    sim_time_t min_ns, max_ns;
};

/* Load the scenario with overrides, run it to the end, summarise the conversations. */
static bool run_mm1(const char *const *sets, struct mm1_result *r)
{
    struct scn_error err;
    struct scenario *s = scenario_load(MM1_SCENARIO, sets, &err);
    if (!s) {
        fprintf(stderr, "\n  %s:%d:%d: %s\n", err.file, err.pos.line, err.pos.col, err.msg);
        return false;
    }
    struct run_world rw;
    if (!run_world_build(&rw, s, NULL, &err)) {
        fprintf(stderr, "\n  %s:%d:%d: %s\n", err.file, err.pos.line, err.pos.col, err.msg);
        scenario_free(s);
        return false;
    }
    sim_run_until(&rw.w.sim, s->duration);
    conv_log_close(&rw.log, rw.w.sim.now);
    *r = (struct mm1_result){ .min_ns = SIM_TIME_MAX, .max_ns = 0 };
    double sum = 0;
    for (guint i = 0; i < rw.log.convs->len; i++) {
        const struct conv *c = &g_array_index(rw.log.convs, struct conv, i);
        r->convs++;
        if (c->outcome != CONV_OK)
            continue;
        r->ok++;
        sum += (double)c->response_ns;
        r->min_ns = c->response_ns < r->min_ns ? c->response_ns : r->min_ns;
        r->max_ns = c->response_ns > r->max_ns ? c->response_ns : r->max_ns;
    }
    r->mean_s = r->ok ? sum / (double)r->ok / 1e9 : 0.0;
    run_world_free(&rw);
    scenario_free(s);
    return true;
}

/* With a constant service time and arrivals far apart nobody waits: response_ns
 * is the service time to the nanosecond, so the network adds nothing. */
static void test_mm1_no_network_delay(void)
{
    const char *sets[] = { "servers.0.service_time=const(10ms)", "clients.0.arrival=const(2/s)",
                           "duration=20s", "clients.0.stop=15s", NULL };
    struct mm1_result r;
    CU_ASSERT_FATAL(run_mm1(sets, &r));
    CU_ASSERT(r.convs >= 25);
    CU_ASSERT_EQUAL(r.ok, r.convs);
    CU_ASSERT_EQUAL(r.min_ns, 10 * MSEC);
    CU_ASSERT_EQUAL(r.max_ns, 10 * MSEC);
}

static void check_load(double rho, const char *duration, const char *stop, const char *seed,
                       uint64_t min_convs)
{
    double lambda = rho * MU;
    char arrival[64];
    snprintf(arrival, sizeof arrival, "clients.0.arrival=poisson(%g/s)", lambda);
    char dur[64], stp[64], sd[64];
    snprintf(dur, sizeof dur, "duration=%s", duration);
    snprintf(stp, sizeof stp, "clients.0.stop=%s", stop);
    snprintf(sd, sizeof sd, "seed=%s", seed);
    const char *sets[] = { arrival, dur, stp, sd, NULL };
    struct mm1_result r;
    CU_ASSERT_FATAL(run_mm1(sets, &r));
    double want = 1.0 / (MU - lambda);
    double rel = r.mean_s / want - 1.0;
    if (getenv("IPVSIM_MM1_VERBOSE"))
        printf("\n    M/M/1 rho=%.1f lambda=%g/s mu=%g/s: %llu conversations, mean response "
               "%.3f ms, 1/(mu-lambda) = %.3f ms, %+.2f%%\n", rho, lambda, MU,
               (unsigned long long)r.ok, r.mean_s * 1e3, want * 1e3, rel * 100.0);
    CU_ASSERT(r.convs >= min_convs);
    CU_ASSERT_EQUAL(r.ok, r.convs);            /* nothing lost, nothing refused, all done */
    CU_ASSERT(fabs(rel) <= 0.05);
}

static void test_mm1_rho_05(void)
{
    check_load(0.5, "1605s", "1600s", "11", 78000);
}

static void test_mm1_rho_08(void)
{
    check_load(0.8, "10005s", "10000s", "11", 790000);
}

IPVSIM_SUITE(mm1)
{
    CU_pSuite s = CU_add_suite("mm1", NULL, NULL);
    ADD_TEST(s, test_mm1_no_network_delay);
    ADD_TEST(s, test_mm1_rho_05);
    ADD_TEST(s, test_mm1_rho_08);
}
