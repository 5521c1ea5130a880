/* Limits (README, "Robustness"): the pending-event limit and the packet-buffer limit
 * stop a run; the IPVS connection table refuses new connections when full, as the
 * kernel does when it cannot allocate one (dropped from 2.6.37, answered with port
 * unreachable by 2.6.34), and counts them; a capture stops at its size and its file
 * stays valid. The scenario's "limits" key, and whole runs that hit each limit:
 * "complete": false and "stopped_by" in summary.json, exit status 1. The same limits
 * in every command (check, trace) and on both directors (director.backup), and a
 * signal that stops a run. */
#include <cjson/cJSON.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include "app/cli/cmd_check.h"
#include "app/cli/cmd_run.h"
#include "app/cli/cmd_trace.h"
#include "app/run/run_limits.h"
#include "app/report/run_output.h"
#include "app/scenario/scenario.h"
#include "app/run/signals.h"
#include "model/ipvs/ip_vs_conn.h"
#include "model/ipvs/ip_vs_core.h"
#include "model/ipvs/ip_vs_ctl.h"
#include "model/ipv4/sock.h"
#include "sim/pcap_tap.h"
#include "tests/testutil.h"
#include "tests/topo_lvs.h"

static char *tmp_dir;

static int suite_init(void)
{
    tmp_dir = g_dir_make_tmp("ipvsim-limits-XXXXXX", NULL);
    return tmp_dir ? 0 : 1;
}

static int rm_entry(const char *path)
{
    if (g_file_test(path, G_FILE_TEST_IS_DIR) && !g_file_test(path, G_FILE_TEST_IS_SYMLINK)) {
        GDir *d = g_dir_open(path, 0, NULL);
        const char *name;
        while (d && (name = g_dir_read_name(d))) {
            char *sub = g_build_filename(path, name, NULL);
            rm_entry(sub);
            g_free(sub);
        }
        if (d)
            g_dir_close(d);
        return g_rmdir(path);
    }
    return g_unlink(path);
}

static int suite_clean(void)
{
    rm_entry(tmp_dir);
    g_free(tmp_dir);
    return 0;
}

/* ---- the pending-event limit ------------------------------------------------------- */

static void fan_out(struct sim *sim, void *obj, uint64_t arg)
{
    int *ran = obj;
    (*ran)++;
    sim_after(sim, 1000, fan_out, obj, 0);
    sim_after(sim, 1000, fan_out, obj, 0);
}

static void test_event_limit(void)
{
    struct sim s;
    sim_init(&s, 1);
    s.q.limit = 100;
    int ran = 0;
    sim_at(&s, 0, fan_out, &ran, 0);
    uint64_t n = sim_run_until(&s, 1 * SEC);
    /* the queue doubles each generation: full after about 100 events, then the run
     * stops after the event whose push was refused */
    CU_ASSERT_TRUE(s.stop);
    CU_ASSERT(s.q.refused >= 1);
    CU_ASSERT(evq_count(&s.q) <= 100);
    CU_ASSERT(s.now < 1 * SEC);
    CU_ASSERT_EQUAL(n, (uint64_t)ran);
    CU_ASSERT(ran < 200);
    sim_destroy(&s);

    /* no limit: the same chain would run to the end (cut short here by time) */
    sim_init(&s, 1);
    ran = 0;
    sim_at(&s, 0, fan_out, &ran, 0);
    sim_run_until(&s, 8000);
    CU_ASSERT_FALSE(s.stop);
    CU_ASSERT_EQUAL(s.q.refused, 0);
    CU_ASSERT_EQUAL(s.now, 8000);
    CU_ASSERT_EQUAL(ran, 511);      /* 9 generations */
    sim_destroy(&s);
}

/* ---- the packet-buffer limit -------------------------------------------------------- */

static void send_burst(struct sim *sim, void *obj, uint64_t arg)
{
    struct topo3 *t = obj;
    for (uint64_t i = 0; i < arg; i++)
        topo_send_udp(t->client, "10.0.2.2", (uint16_t)(1000 + i), 9, 100, 64);
}

static void test_packet_limit(void)
{
    struct topo3 t;
    topo3_init(&t);
    t.w.pool.limit = 3;
    sim_at(&t.w.sim, 5 * MSEC, send_burst, &t, 10);
    sim_run_until(&t.w.sim, 1 * SEC);
    /* three frames wait on the link; the fourth cannot be allocated: the run stops
     * at the end of that event */
    CU_ASSERT_TRUE(t.w.sim.stop);
    CU_ASSERT(t.w.pool.refused >= 1);
    CU_ASSERT(t.w.pool.in_use <= 3);
    CU_ASSERT_EQUAL(t.w.sim.now, 5 * MSEC);
    world_destroy(&t.w);

    /* the same burst with room for it: nothing refused, the run goes to its end */
    topo3_init(&t);
    t.w.pool.limit = 100;
    sim_at(&t.w.sim, 5 * MSEC, send_burst, &t, 10);
    sim_run_until(&t.w.sim, 1 * SEC);
    CU_ASSERT_FALSE(t.w.sim.stop);
    CU_ASSERT_EQUAL(t.w.pool.refused, 0);
    CU_ASSERT_EQUAL(t.w.sim.now, 1 * SEC);
    world_destroy(&t.w);
}

/* ---- the IPVS connection table ------------------------------------------------------ */

static void count_rx(struct net *net, struct sk_buff *skb, void *ctx)
{
    (*(int *)ctx)++;
    consume_skb(net, skb);
}

/* Five UDP flows to a service of a director whose table holds two entries. */
static void conn_limit_case(const char *era, int *served, uint64_t *refused, uint64_t *icmp,
                            uint64_t *conns)
{
    static const char *const cfg[] = {
        "-A -u " TOPO_VIP ":53 -s rr",
        "-a -u " TOPO_VIP ":53 -r 192.0.2.11 -m",
        "-a -u " TOPO_VIP ":53 -r 192.0.2.12 -m",
        NULL,
    };
    struct topo_lvs t;
    topo_lvs_init(&t, TOPO_NAT, era);
    topo_lvs_ipvsadm(&t, cfg);
    *served = 0;
    for (int i = 0; i < 2; i++)
        sock_bind(host_net(t.rs[i]), IPPROTO_UDP, htons(53), count_rx, served);
    struct netns_ipvs *ipvs = host_net(t.lvs)->ipvs;
    ip_vs_conn_set_limit(ipvs, 2);
    for (int i = 0; i < 5; i++)
        topo_send_udp(t.client, TOPO_VIP, (uint16_t)(40000 + i), 53, 20, 64);
    sim_run_until(&t.w.sim, 1 * SEC);
    *refused = ip_vs_conn_refused(ipvs);
    *icmp = ipvs->core->leave_icmp;
    *conns = ip_vs_conn_count(ipvs);
    CU_ASSERT_FALSE(t.w.sim.stop);          /* not a limit that stops the run */
    world_destroy(&t.w);
}

static void test_conn_limit(void)
{
    int served;
    uint64_t refused, icmp, conns;
    conn_limit_case("6.x", &served, &refused, &icmp, &conns);
    CU_ASSERT_EQUAL(served, 2);
    CU_ASSERT_EQUAL(conns, 2);
    CU_ASSERT_EQUAL(refused, 3);
    CU_ASSERT_EQUAL(icmp, 0);               /* dropped, as ip_vs_schedule does since 2.6.37 */
    conn_limit_case("5.10", &served, &refused, &icmp, &conns);
    CU_ASSERT_EQUAL(served, 2);
    CU_ASSERT_EQUAL(refused, 3);
    CU_ASSERT_EQUAL(icmp, 0);
    conn_limit_case("2.6.34", &served, &refused, &icmp, &conns);
    CU_ASSERT_EQUAL(served, 2);
    CU_ASSERT_EQUAL(refused, 3);
    CU_ASSERT_EQUAL(icmp, 3);               /* 2.6.34: tcp/udp_conn_schedule -> ip_vs_leave */
}

/* ---- capture size --------------------------------------------------------------------- */

static void test_capture_limit(void)
{
    char *path = g_build_filename(tmp_dir, "cut.pcap", NULL);
    char err[256];
    struct pcap_tap *tap = pcap_tap_open(path, 0, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(tap);
    struct skb_pool pool;
    skb_pool_init(&pool);
    struct sk_buff *skb = skb_alloc(&pool, 0);
    struct ip4_spec ip = { .saddr = topo_ip("10.0.0.1"), .daddr = topo_ip("10.0.0.2") };
    static const uint8_t mac[ETH_ALEN] = { 2, 0, 0, 0, 0, 1 };
    CU_ASSERT_FATAL(pkt_build_udp(skb, &ip, htons(1), htons(2), 20) &&
                    eth_push(skb, mac, mac, ETH_P_IP));
    uint32_t wire = skb_wire_len(skb);                  /* 14 + 20 + 8 + 20 = 62 */
    CU_ASSERT_EQUAL(wire, 62);
    /* room for the file header and three records, and a little more */
    pcap_tap_set_limit(tap, 24 + 3 * (16 + wire) + 10);
    for (int i = 0; i < 5; i++)
        pcap_tap_write(tap, i * MSEC, skb);
    CU_ASSERT_EQUAL(pcap_tap_frames(tap), 3);
    CU_ASSERT_EQUAL(pcap_tap_skipped(tap), 2);
    CU_ASSERT_EQUAL(pcap_tap_bytes(tap), 24 + 3 * (16 + wire));
    CU_ASSERT_EQUAL(pcap_tap_close(tap), 0);
    skb_free(&pool, skb);
    skb_pool_destroy(&pool);
    /* the file is whole: libpcap reads three records and the end */
    char perr[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, perr);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    struct pcap_pkthdr *h;
    const u_char *data;
    int n = 0, rc;
    while ((rc = pcap_next_ex(p, &h, &data)) == 1)
        n++;
    CU_ASSERT_EQUAL(rc, PCAP_ERROR_BREAK);              /* a clean end, not a truncated record */
    CU_ASSERT_EQUAL(n, 3);
    pcap_close(p);
    GStatBuf st;
    CU_ASSERT_EQUAL(g_stat(path, &st), 0);
    CU_ASSERT_EQUAL((uint64_t)st.st_size, 24 + 3 * (16 + wire));
    g_free(path);
}

/* ---- the scenario's "limits" ---------------------------------------------------------- */

#define BASE "\"servers\": [ { \"ip\": \"192.0.2.11\" } ], \"clients\": [], \"ipvs\": []"

static struct scenario *load(const char *text, const char *const *sets, struct scn_error *err)
{
    char *path = g_build_filename(tmp_dir, "limits.json", NULL);
    g_file_set_contents(path, text, -1, NULL);
    struct scenario *s = scenario_load(path, sets, err);
    g_free(path);
    return s;
}

static void expect_error(const char *text, const char *const *sets, const char *want)
{
    struct scn_error err;
    struct scenario *s = load(text, sets, &err);
    CU_ASSERT_PTR_NULL(s);
    scenario_free(s);
    if (!s) {
        char *got = err.pos.line ? g_strdup_printf("%d:%d: %s", err.pos.line, err.pos.col, err.msg)
                                 : g_strdup(err.msg);
        CU_ASSERT_STRING_EQUAL(got, want);
        if (strcmp(got, want) != 0)
            fprintf(stderr, "\n  want: %s\n  got:  %s\n", want, got);
        g_free(got);
    }
}

static void test_scenario_limits(void)
{
    struct scn_error err;
    struct scenario *s = load("{ " BASE " }", NULL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL(s->limits.connections, 0);
    CU_ASSERT_EQUAL(s->limits.events, SCN_LIMIT_EVENTS);
    CU_ASSERT_EQUAL(s->limits.packets, SCN_LIMIT_PACKETS);
    CU_ASSERT_EQUAL(s->limits.capture_bytes, 1000000000ull);
    CU_ASSERT_EQUAL(s->limits.conversations, SCN_LIMIT_CONVERSATIONS);
    CU_ASSERT_EQUAL(s->limits.event_rate, SCN_LIMIT_EVENT_RATE);
    CU_ASSERT_EQUAL(s->limits.output_bytes, 4000000000ull);
    scenario_free(s);

    s = load("{ " BASE ", \"limits\": { \"connections\": 5, \"events\": 100, \"packets\": 0, "
             "\"capture_bytes\": \"1.5MiB\", \"conversations\": 9, \"event_rate\": 0, "
             "\"output_bytes\": \"2MB\", \"comment\": \"small\" } }", NULL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL(s->limits.connections, 5);
    CU_ASSERT_EQUAL(s->limits.events, 100);
    CU_ASSERT_EQUAL(s->limits.packets, 0);
    CU_ASSERT_EQUAL(s->limits.capture_bytes, 1572864);
    CU_ASSERT_EQUAL(s->limits.conversations, 9);
    CU_ASSERT_EQUAL(s->limits.event_rate, 0);
    CU_ASSERT_EQUAL(s->limits.output_bytes, 2000000);
    scenario_free(s);

    /* bytes as a plain integer; --set (what --limit KEY=VALUE becomes) */
    const char *const sets[] = { "limits.events=7", "limits.capture_bytes=100MB", NULL };
    s = load("{ " BASE ", \"limits\": { \"capture_bytes\": 4096 } }", NULL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL(s->limits.capture_bytes, 4096);
    scenario_free(s);
    s = load("{ " BASE " }", sets, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL(s->limits.events, 7);
    CU_ASSERT_EQUAL(s->limits.capture_bytes, 100000000);
    scenario_free(s);

    expect_error("{ " BASE ",\n  \"limits\": { \"events\": -1 } }", NULL,
                 "2:25: limits.events: expected an integer from 0 to 9007199254740992");
    expect_error("{ " BASE ",\n  \"limits\": { \"conections\": 5 } }", NULL,
                 "2:15: limits: unknown key 'conections' (did you mean 'connections'? expected one of: "
                 "connections, events, packets, capture_bytes, conversations, event_rate, "
                 "output_bytes, comment)");
    expect_error("{ " BASE ",\n  \"limits\": { \"capture_bytes\": \"100 MB\" } }", NULL,
                 "2:32: limits.capture_bytes: expected a size like \"20KB\" (units B, KB, MB, GB, "
                 "KiB, MiB, GiB), not \"100 MB\" (no space between the number and its unit)");
    expect_error("{ " BASE ",\n  \"limits\": 5 }", NULL,
                 "2:13: limits: expected an object, not a number");
    const char *const bad[] = { "limits.packets=many", NULL };
    expect_error("{ " BASE " }", bad,
                 "--set limits.packets: expected an integer from 0 to 9007199254740992, not a string");
}

/* ---- whole runs --------------------------------------------------------------------- */

/* Run scenarios/quickstart.json (shortened) with overrides into a fresh directory;
 * its summary.json (NULL if none). */
static cJSON *run_quickstart(const char *const *sets, int *rc, const char *name)
{
    struct scn_error err;
    struct scenario *s = scenario_load("scenarios/quickstart.json", sets, &err);
    if (!s)
        fprintf(stderr, "\n  quickstart: %d:%d: %s\n", err.pos.line, err.pos.col, err.msg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    char *dir = g_build_filename(tmp_dir, name, NULL);
    struct run_opts opt = { .quiet = TRUE };
    *rc = run_scenario(s, &opt, dir);
    char *path = g_build_filename(dir, "summary.json", NULL);
    char *text = NULL;
    cJSON *sum = g_file_get_contents(path, &text, NULL, NULL) ? cJSON_Parse(text) : NULL;
    g_free(text);
    g_free(path);
    g_free(dir);
    scenario_free(s);
    return sum;
}

static const char *str_of(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static double num_of(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

static void test_runs_hit_limits(void)
{
    int rc;
    /* events: the run stops, partial results, exit status 1 */
    const char *const ev[] = { "duration=5s", "events=[]", "limits.events=100", NULL };
    cJSON *sum = run_quickstart(ev, &rc, "events");
    CU_ASSERT_EQUAL(rc, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sum);
    CU_ASSERT_TRUE(cJSON_IsFalse(cJSON_GetObjectItem(sum, "complete")));
    CU_ASSERT_STRING_EQUAL(str_of(sum, "stopped_by"), "limits.events");
    CU_ASSERT(num_of(sum, "end_s") < 5);
    CU_ASSERT_EQUAL(num_of(cJSON_GetObjectItem(sum, "limits"), "events"), 100);
    cJSON_Delete(sum);

    /* packets */
    const char *const pk[] = { "duration=5s", "events=[]", "limits.packets=20", NULL };
    sum = run_quickstart(pk, &rc, "packets");
    CU_ASSERT_EQUAL(rc, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sum);
    CU_ASSERT_TRUE(cJSON_IsFalse(cJSON_GetObjectItem(sum, "complete")));
    CU_ASSERT_STRING_EQUAL(str_of(sum, "stopped_by"), "limits.packets");
    CU_ASSERT(num_of(sum, "end_s") < 5);
    cJSON_Delete(sum);

    /* connections: the kernel's behaviour, the run completes and reports the count */
    const char *const cn[] = { "duration=5s", "events=[]", "limits.connections=10", NULL };
    sum = run_quickstart(cn, &rc, "connections");
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sum);
    CU_ASSERT_TRUE(cJSON_IsTrue(cJSON_GetObjectItem(sum, "complete")));
    CU_ASSERT_PTR_NULL(cJSON_GetObjectItem(sum, "stopped_by"));
    CU_ASSERT(num_of(cJSON_GetObjectItem(sum, "limits"), "connections_refused") > 0);
    CU_ASSERT_EQUAL(num_of(sum, "end_s"), 5);
    cJSON_Delete(sum);

    /* capture: the pcap files stop at their size, the run completes and says so */
    const char *const cb[] = { "duration=5s", "events=[]", "limits.capture_bytes=2000", NULL };
    sum = run_quickstart(cb, &rc, "capture");
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sum);
    CU_ASSERT_TRUE(cJSON_IsTrue(cJSON_GetObjectItem(sum, "complete")));
    const cJSON *cut = cJSON_GetObjectItem(cJSON_GetObjectItem(sum, "limits"), "captures_cut");
    CU_ASSERT_EQUAL(cJSON_GetArraySize(cut), 3);        /* lvs1:eth0, rs1:eth0, web:eth0 */
    const cJSON *c;
    cJSON_ArrayForEach(c, cut) {
        CU_ASSERT(num_of(c, "bytes") <= 2000);
        CU_ASSERT(num_of(c, "frames_left_out") > 0);
        char *path = g_build_filename(tmp_dir, "capture", str_of(c, "file"), NULL);
        GStatBuf st;
        CU_ASSERT_EQUAL(g_stat(path, &st), 0);
        CU_ASSERT_EQUAL((double)st.st_size, num_of(c, "bytes"));
        g_free(path);
    }
    cJSON_Delete(sum);
}

/* ---- every command that runs a scenario (app/run/run_limits.h) ------------------------- */

static struct scenario *load_scenario(const char *path, const char *const *sets)
{
    struct scn_error err;
    struct scenario *s = scenario_load(path, sets, &err);
    if (!s)
        fprintf(stderr, "\n  %s: %d:%d: %s\n", path, err.pos.line, err.pos.col, err.msg);
    return s;
}

/* The world of path with sets, built with its limits in force, as each command does
 * (free both with run_world_free and scenario_free). */
static struct scenario *build_limited(const char *path, const char *const *sets,
                                      struct run_world *rw)
{
    struct scenario *s = load_scenario(path, sets);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    struct scn_error err;
    CU_ASSERT_TRUE_FATAL(run_world_build(rw, s, NULL, &err));
    run_limits_apply(rw);
    return s;
}

static void test_limit_args(void)
{
    char *good[] = { "events=5", "capture_bytes=1MB", "connections=0", "packets=x", NULL };
    CU_ASSERT_TRUE(run_limits_args_ok("check", good));  /* a bad value is scenario_load's */
    CU_ASSERT_TRUE(run_limits_args_ok("trace", NULL));
    char *bad[] = { "events=5", "event=5", NULL };
    CU_ASSERT_FALSE(run_limits_args_ok("compare", bad));
    char *noeq[] = { "events", NULL };
    CU_ASSERT_FALSE(run_limits_args_ok("check", noeq));
    char *comment[] = { "comment=x", NULL };               /* a key of limits, not a limit */
    CU_ASSERT_FALSE(run_limits_args_ok("run", comment));
    /* the help's list is the scenario's: every key in it is taken, and one more is not */
    char **keys = g_strsplit(RUN_LIMIT_KEYS, ", ", -1);
    for (char **k = keys; *k; k++) {
        char *one[] = { g_strconcat(*k, "=1", NULL), NULL };
        CU_ASSERT_TRUE(run_limits_args_ok("run", one));
        CU_ASSERT_TRUE(scenario_is_limit_key(*k, strlen(*k)));
        g_free(one[0]);
    }
    CU_ASSERT_EQUAL(g_strv_length(keys), 7);
    g_strfreev(keys);
    /* --set, then --limit as limits.KEY=VALUE, then the era and the seed */
    char *sets[] = { "duration=5s", NULL };
    char *limits[] = { "events=5", "packets=9", NULL };
    GPtrArray *ov = cmdline_overrides(sets, limits, "4.9", &(guint64){ 7 });
    const char *const want[] = { "duration=5s", "limits.events=5", "limits.packets=9",
                                 "kernel=\"4.9\"", "seed=7" };
    CU_ASSERT_EQUAL_FATAL(ov->len, G_N_ELEMENTS(want) + 1);
    for (guint i = 0; i < G_N_ELEMENTS(want); i++)
        CU_ASSERT_STRING_EQUAL(g_ptr_array_index(ov, i), want[i]);
    CU_ASSERT_PTR_NULL(g_ptr_array_index(ov, ov->len - 1));
    g_ptr_array_free(ov, TRUE);
}

/* director.backup: the backup's connection table has the limit too. In failover-sync
 * lvs1 crashes at 20 s and lvs2 serves from then on: with room for 20 entries, both
 * refuse connections, and summary.json counts both. */
static void test_backup_connection_limit(void)
{
    const char *const sets[] = { "duration=30s", "limits.connections=20", NULL };
    struct run_world rw;
    struct scenario *s = build_limited("scenarios/failover-sync.json", sets, &rw);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rw.backup);
    CU_ASSERT_TRUE(run_world_run(&rw));     /* not a limit that stops the run */
    CU_ASSERT_PTR_NULL(rw.stopped_by);
    struct netns_ipvs *d = host_net(rw.director)->ipvs, *b = host_net(rw.backup)->ipvs;
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    uint64_t refused_d = ip_vs_conn_refused(d), refused_b = ip_vs_conn_refused(b);
    CU_ASSERT(refused_d > 0);
    CU_ASSERT(refused_b > 0);
    CU_ASSERT(ip_vs_conn_count(b) <= 20);
    conv_log_close(&rw.log, rw.w.sim.now);
    cJSON *sum = run_summary_json(&rw, -1, true);
    CU_ASSERT_EQUAL(num_of(cJSON_GetObjectItem(sum, "limits"), "connections_refused"),
                    (double)(refused_d + refused_b));
    cJSON_Delete(sum);
    run_world_free(&rw);
    scenario_free(s);

    /* no limit: the backup's table refuses nothing */
    const char *const free_sets[] = { "duration=30s", NULL };
    s = build_limited("scenarios/failover-sync.json", free_sets, &rw);
    CU_ASSERT_TRUE(run_world_run(&rw));
    CU_ASSERT_EQUAL(ip_vs_conn_refused(host_net(rw.backup)->ipvs), 0);
    CU_ASSERT(ip_vs_conn_count(host_net(rw.backup)->ipvs) > 20);
    run_world_free(&rw);
    scenario_free(s);
}

/* check: a run a limit stopped is reported incomplete, its entries are not evaluated,
 * and the status is 1 (never a pass). */
static void test_check_incomplete(void)
{
    const char *const sets[] = { "limits.events=100", NULL };
    struct scenario *s = load_scenario("scenarios/quickstart.json", sets);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    GString *out = g_string_new(NULL);
    CU_ASSERT_EQUAL(check_scenario(s, false, false, out), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out->str, "scenarios/quickstart.json: run incomplete: the "
                                  "pending-event limit (limits.events = 100) was reached at "));
    CU_ASSERT_PTR_NOT_NULL(strstr(out->str, "; 5 expectations not checked; raise it with "
                                  "--limit events=N\n"));
    CU_ASSERT_PTR_NULL(strstr(out->str, "PASS"));
    CU_ASSERT_PTR_NULL(strstr(out->str, "passed"));
    g_string_truncate(out, 0);
    CU_ASSERT_EQUAL(check_scenario(s, true, false, out), 1);    /* no partial fingerprint */
    CU_ASSERT_EQUAL(out->len, 0);
    g_string_free(out, TRUE);
    scenario_free(s);
}

/* trace: the trace up to the stop is written, the status is 1. */
static void test_trace_incomplete(void)
{
    const char *const sets[] = { "limits.packets=10", NULL };
    struct scenario *s = load_scenario("scenarios/quickstart.json", sets);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    FILE *f = tmpfile();
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    struct trace_opts o = { .conn = 0 };
    CU_ASSERT_EQUAL(trace_scenario(s, &o, f), 1);
    CU_ASSERT(ftell(f) > 0);
    fclose(f);
    scenario_free(s);
}

/* A signal caught before the run (between two runs of a command) stops it before its
 * first event; the signal is forgotten once the handlers are restored. */
static void test_signal_before_run(void)
{
    const char *const sets[] = { "duration=5s", "events=[]", NULL };
    struct run_world rw;
    struct scenario *s = build_limited("scenarios/quickstart.json", sets, &rw);
    signals_install();
    raise(SIGTERM);
    CU_ASSERT_EQUAL(signals_caught(), SIGTERM);
    CU_ASSERT_FALSE(run_world_run(&rw));
    CU_ASSERT_STRING_EQUAL(rw.stopped_by, "SIGTERM");
    CU_ASSERT_EQUAL(rw.w.sim.events_run, 0);
    const char *hint;
    char *text = run_stopped_text(&rw, &hint);
    CU_ASSERT_STRING_EQUAL(text, "SIGTERM: stopped at 0.000000 s of 5 s simulated");
    CU_ASSERT_STRING_EQUAL(hint, "");
    g_free(text);
    signals_restore();
    CU_ASSERT_EQUAL(signals_caught(), 0);
    run_world_free(&rw);
    scenario_free(s);
}

IPVSIM_SUITE(limits)
{
    CU_pSuite s = CU_add_suite("limits", suite_init, suite_clean);
    ADD_TEST(s, test_event_limit);
    ADD_TEST(s, test_packet_limit);
    ADD_TEST(s, test_conn_limit);
    ADD_TEST(s, test_capture_limit);
    ADD_TEST(s, test_scenario_limits);
    ADD_TEST(s, test_runs_hit_limits);
    ADD_TEST(s, test_limit_args);
    ADD_TEST(s, test_backup_connection_limit);
    ADD_TEST(s, test_check_incomplete);
    ADD_TEST(s, test_trace_incomplete);
    ADD_TEST(s, test_signal_before_run);
}
