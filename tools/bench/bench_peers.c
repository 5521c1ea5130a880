/* Peers section: ipvsim next to ns-3 on the same workloads, when ns-3 is there.
 *
 * `make bench` builds tools/bench/ns3/ns3_peer.cc into build/release/ipvsim-ns3-peer
 * when pkg-config finds ns-3 (Debian: apt-get install libns3-dev); without it this
 * section says so and is skipped. The program is looked for next to ipvsim-bench, or
 * at $IPVSIM_BENCH_NS3.
 *
 * 1. The UDP request/response workload (ns3_peer.cc says it in full): a client host,
 *    the router gw, the director (LVS-NAT, rr) and three real servers; Poisson
 *    queries at 100,000/s, each from a fresh source port, 100 B query, 500 B answer,
 *    100 us of service; links 1 ms (clients) and 20 us (servers), 100 Gb/s, drop-tail
 *    queues of 1000 frames on both sides (ns-3's queue discs uninstalled). ipvsim
 *    runs its own scenario of that (below); ns-3 a UDP relay on the middle box, as
 *    it has no IPVS. Only the event loop is timed on both sides (sim_run_until,
 *    Simulator::Run). The runs alternate, ipvsim then ns-3, best of 3 each.
 * 2. The hold model of the event-queue section (bench_evq.c) with the same
 *    increments on ns-3's Map, Heap and Calendar schedulers, used directly
 *    (Insert/RemoveNext), at 10^3, 10^5 and 10^6 pending; each round runs the four
 *    queues one after the other, best of 3; the checksums of the popped sequence
 *    must agree.
 *
 * Both wall and CPU time are kept: on a shared machine the ratio of CPU times is the
 * steadier one. Debian's ns-3 is not ns-3's optimized build (its build profile
 * "optimized" compiles with -O3 -march=native, Debian's packages are built with
 * Debian's -O2 and no -march, as shared libraries): an optimized ns-3 would be
 * somewhat faster than measured here.
 *
 * Sizes (environment): IPVSIM_BENCH_PEER_REQUESTS queries of the UDP workload
 * [100000]. */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tools/bench/bench.h"

int bench_peers(cJSON *out);

#define PEER_RATE 100000.0
#define PEER_REPEATS 3

/* The ns-3 program: $IPVSIM_BENCH_NS3, else ipvsim-ns3-peer next to this program. */
static bool peer_path(char *buf, size_t len)
{
    const char *env = getenv("IPVSIM_BENCH_NS3");
    if (env && *env) {
        snprintf(buf, len, "%s", env);
        return access(buf, X_OK) == 0;
    }
    char self[PATH_MAX - 32];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return false;
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    if (!slash)
        return false;
    *slash = '\0';
    snprintf(buf, len, "%s/ipvsim-ns3-peer", self);
    return access(buf, X_OK) == 0;
}

/* The peer's "key value" lines; false when it failed or printed none of them. */
struct peer_out {
    uint64_t ns, cpu_ns, requests, answers, packets, events;
    char checksum[64];
};

static bool run_peer(const char *cmd, struct peer_out *o)
{
    memset(o, 0, sizeof *o);
    fflush(NULL);
    FILE *p = popen(cmd, "r");
    if (!p)
        return false;
    char line[256], key[64], val[64];
    while (fgets(line, sizeof line, p))
        if (sscanf(line, "%63s %63s", key, val) == 2) {
            uint64_t v = strtoull(val, NULL, 10);
            if (!strcmp(key, "ns"))
                o->ns = v;
            else if (!strcmp(key, "cpu_ns"))
                o->cpu_ns = v;
            else if (!strcmp(key, "requests"))
                o->requests = v;
            else if (!strcmp(key, "answers"))
                o->answers = v;
            else if (!strcmp(key, "packets"))
                o->packets = v;
            else if (!strcmp(key, "events"))
                o->events = v;
            else if (!strcmp(key, "checksum"))
                snprintf(o->checksum, sizeof o->checksum, "%s", val);
        }
    return pclose(p) == 0 && o->ns > 0;
}

/* ipvsim's scenario of the UDP workload. */
static int write_udp_scenario(const char *path, uint64_t n)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    double stop = (double)n / PEER_RATE;
    fprintf(f, "{\n \"name\": \"bench-peer-udp\", \"seed\": 1, \"duration\": \"%.6fs\",\n", stop + 0.1);
    fprintf(f, " \"director\": { \"name\": \"lvs1\", \"vip\": \"203.0.113.10\" },\n \"servers\": [\n");
    for (int i = 1; i <= 3; i++)
        fprintf(f, "  { \"name\": \"rs%d\", \"ip\": \"192.0.2.%d\", \"port\": 53, \"workers\": 1000,"
                " \"service_time\": \"const(100us)\", \"queue_limit\": 100000 }%s\n",
                i, 10 + i, i < 3 ? "," : "");
    fprintf(f, " ],\n \"clients\": [ { \"name\": \"client\", \"count\": 1, \"net\": \"10.1.0.0/24\","
            " \"target\": \"203.0.113.10:53\", \"protocol\": \"udp\", \"arrival\": \"poisson(%.0f/s)\","
            " \"request\": \"100B\", \"response\": \"500B\", \"stop\": \"%.6fs\" } ],\n", PEER_RATE, stop);
    fprintf(f, " \"links\": { \"clients\": { \"latency\": \"1ms\", \"bandwidth\": \"100Gbps\","
            " \"queue\": 1000 }, \"servers\": { \"latency\": \"20us\", \"bandwidth\": \"100Gbps\","
            " \"queue\": 1000 } },\n");
    fprintf(f, " \"ipvs\": [ \"-A -u 203.0.113.10:53 -s rr\"");
    for (int i = 1; i <= 3; i++)
        fprintf(f, ", \"-a -u 203.0.113.10:53 -r 192.0.2.%d:53 -m -w 1\"", 10 + i);
    fprintf(f, " ]\n}\n");
    return fclose(f) == 0 ? 0 : -1;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
    return a && a < b ? a : b;
}

static cJSON *side_json(uint64_t requests, uint64_t packets, uint64_t events, uint64_t wall,
                        uint64_t cpu, cJSON *runs)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "requests", (double)requests);
    cJSON_AddNumberToObject(o, "packets", (double)packets);
    cJSON_AddNumberToObject(o, "events", (double)events);
    cJSON_AddNumberToObject(o, "run_wall_s", (double)wall / 1e9);
    cJSON_AddNumberToObject(o, "run_cpu_s", (double)cpu / 1e9);
    cJSON_AddNumberToObject(o, "cpu_ns_per_packet", packets ? (double)cpu / (double)packets : 0);
    cJSON_AddNumberToObject(o, "cpu_ns_per_request", requests ? (double)cpu / (double)requests : 0);
    cJSON_AddItemToObject(o, "wall_s_of_each_run", runs);
    return o;
}

static int peer_udp(const char *peer, cJSON *out)
{
    uint64_t n = 100000;
    const char *env = getenv("IPVSIM_BENCH_PEER_REQUESTS");
    if (env && strtoull(env, NULL, 10) > 0)
        n = strtoull(env, NULL, 10);
    char path[128], cmd[PATH_MAX + 64];
    snprintf(path, sizeof path, "/tmp/ipvsim-bench-%ld-peer-udp.json", (long)getpid());
    if (write_udp_scenario(path, n) != 0) {
        fprintf(stderr, "bench: cannot write %s\n", path);
        return 1;
    }
    snprintf(cmd, sizeof cmd, "'%s' udp %" PRIu64 " %.0f", peer, n, PEER_RATE);
    printf("UDP request/response, %" PRIu64 " queries at %.0f/s (IPVSIM_BENCH_PEER_REQUESTS;"
           " alternating, best of %d; load %.1f)\n", n, PEER_RATE, PEER_REPEATS, bench_loadavg());
    uint64_t iw = UINT64_MAX, ic = UINT64_MAX, nw = UINT64_MAX, nc = UINT64_MAX;
    struct bench_run ir = { 0 };
    struct peer_out po = { 0 };
    cJSON *iruns = cJSON_CreateArray(), *nruns = cJSON_CreateArray();
    int failed = 0;
    for (int k = 0; k < PEER_REPEATS && !failed; k++) {
        struct bench_run r = bench_run_file(path);
        struct peer_out o;
        bool pok = run_peer(cmd, &o);
        if (!r.ok || !pok || o.answers != n || (ir.ok && r.packets != ir.packets)) {
            fprintf(stderr, "bench: peers: a UDP run failed (ipvsim %s, ns-3 %s)\n",
                    r.ok ? "ok" : "failed", pok ? "ok" : "failed");
            failed = 1;
            break;
        }
        cJSON_AddItemToArray(iruns, cJSON_CreateNumber((double)r.wall_ns / 1e9));
        cJSON_AddItemToArray(nruns, cJSON_CreateNumber((double)o.ns / 1e9));
        ir = r;
        po = o;
        iw = min_u64(r.wall_ns, iw), ic = min_u64(r.cpu_ns, ic);
        nw = min_u64(o.ns, nw), nc = min_u64(o.cpu_ns, nc);
    }
    unlink(path);
    if (failed) {
        cJSON_Delete(iruns);
        cJSON_Delete(nruns);
        return 1;
    }
    double ipp = (double)ic / (double)ir.packets, npp = (double)nc / (double)po.packets;
    printf("  %-8s %9s %10s %10s %9s %9s %12s\n", "", "queries", "packets", "events", "wall s",
           "CPU s", "CPU ns/pkt");
    printf("  %-8s %9" PRIu64 " %10" PRIu64 " %10" PRIu64 " %9.3f %9.3f %12.0f\n", "ipvsim",
           ir.conns, ir.packets, ir.events, iw / 1e9, ic / 1e9, ipp);
    printf("  %-8s %9" PRIu64 " %10" PRIu64 " %10" PRIu64 " %9.3f %9.3f %12.0f\n", "ns-3",
           po.requests, po.packets, po.events, nw / 1e9, nc / 1e9, npp);
    /* ipvsim's Poisson arrivals stop at a time, ns-3's client after n queries: the
     * counts differ by a few per cent, so the ratios are per query and per packet */
    double cpu_q = ((double)nc / (double)po.requests) / ((double)ic / (double)ir.conns);
    double wall_q = ((double)nw / (double)po.requests) / ((double)iw / (double)ir.conns);
    printf("  ipvsim / ns-3: %.1fx the queries per CPU second, %.1fx per wall second;"
           " %.1fx the packets per CPU second\n\n", cpu_q, wall_q, npp / ipp);
    cJSON *u = cJSON_AddObjectToObject(out, "udp");
    cJSON_AddNumberToObject(u, "rate_per_s", PEER_RATE);
    cJSON_AddNumberToObject(u, "repeats_best_of", PEER_REPEATS);
    cJSON_AddNumberToObject(u, "loadavg_1min_at_end", bench_loadavg());
    cJSON_AddItemToObject(u, "ipvsim", side_json(ir.conns, ir.packets, ir.events, iw, ic, iruns));
    cJSON_AddItemToObject(u, "ns3", side_json(po.requests, po.packets, po.events, nw, nc, nruns));
    cJSON_AddNumberToObject(u, "speedup_cpu_per_request", cpu_q);
    cJSON_AddNumberToObject(u, "speedup_wall_per_request", wall_q);
    cJSON_AddNumberToObject(u, "speedup_cpu_per_packet", npp / ipp);
    return 0;
}

static const char *const ns3_scheds[] = { "ns3::MapScheduler", "ns3::HeapScheduler",
                                          "ns3::CalendarScheduler" };
#define N_NS3_SCHEDS 3

static const struct hold_cfg peer_sizes[] = {
    { 1000, 1000000, 2000000 },
    { 100000, 1000000, 2000000 },
    { 1000000, 2000000, 2000000 },
};

/* ns-3's CalendarScheduler at 10^6 pending: in a trial on this workload it took 41 s
 * of CPU to file the first 10^6 events and then about 94 us per hold operation (its
 * bucket width, from the spacing of the earliest events, is about 1 ns when 10^6
 * events are due within a few ms), so a measurement takes minutes: left out unless
 * IPVSIM_BENCH_PEER_CALENDAR_1E6=1. */
#define CALENDAR_TRIAL "trial: 41 s CPU to file 10^6 events, then ~94000 ns CPU per hold operation"

static bool calendar_skipped(int q, const struct hold_cfg *c)
{
    const char *env = getenv("IPVSIM_BENCH_PEER_CALENDAR_1E6");
    return q == 2 && c->pending >= 1000000 && !(env && *env == '1');
}

/* One size: evq and the three ns-3 schedulers, a round at a time. */
static int peer_hold_size(const char *peer, const struct hold_cfg *c, cJSON *rows)
{
    uint32_t *inc = bench_hold_increments(c->pending + c->warmup + c->ops);
    uint64_t wall[1 + N_NS3_SCHEDS], cpu[1 + N_NS3_SCHEDS];
    for (int q = 0; q <= N_NS3_SCHEDS; q++)
        wall[q] = cpu[q] = UINT64_MAX;
    char sum[64] = "";
    bool same = true;
    for (int k = 0; k < PEER_REPEATS; k++) {
        struct hold_result e = bench_hold_evq(c, inc);
        snprintf(sum, sizeof sum, "%016" PRIx64, e.checksum);
        wall[0] = min_u64(e.ns, wall[0]), cpu[0] = min_u64(e.cpu_ns, cpu[0]);
        for (int q = 0; q < N_NS3_SCHEDS; q++) {
            char cmd[PATH_MAX + 128];
            struct peer_out o;
            if (calendar_skipped(q, c))
                continue;
            snprintf(cmd, sizeof cmd, "'%s' hold %s %zu %" PRIu64 " %" PRIu64, peer, ns3_scheds[q],
                     c->pending, c->warmup, c->ops);
            if (!run_peer(cmd, &o) || strcmp(o.checksum, sum) != 0) {
                same = false;
                continue;
            }
            wall[q + 1] = min_u64(o.ns, wall[q + 1]), cpu[q + 1] = min_u64(o.cpu_ns, cpu[q + 1]);
        }
    }
    free(inc);
    cJSON *row = cJSON_CreateObject();
    cJSON_AddNumberToObject(row, "pending", (double)c->pending);
    cJSON_AddNumberToObject(row, "ops", (double)c->ops);
    cJSON_AddStringToObject(row, "checksum", sum);
    cJSON_AddBoolToObject(row, "checksums_match", same);
    cJSON_AddNumberToObject(row, "evq_cpu_ns_per_op", (double)cpu[0] / (double)c->ops);
    printf("  %10zu %9.1f", c->pending, (double)cpu[0] / (double)c->ops);
    for (int q = 0; q < N_NS3_SCHEDS; q++) {
        const char *name = ns3_scheds[q] + 5;          /* "MapScheduler" */
        cJSON *s = cJSON_AddObjectToObject(row, name);
        if (calendar_skipped(q, c)) {
            cJSON_AddStringToObject(s, "skipped", CALENDAR_TRIAL);
            printf(" %17s", "(skipped)");
            continue;
        }
        cJSON_AddNumberToObject(s, "cpu_ns_per_op", (double)cpu[q + 1] / (double)c->ops);
        cJSON_AddNumberToObject(s, "wall_ns_per_op", (double)wall[q + 1] / (double)c->ops);
        cJSON_AddNumberToObject(s, "evq_speedup_cpu", (double)cpu[q + 1] / (double)cpu[0]);
        cJSON_AddNumberToObject(s, "evq_speedup_wall", (double)wall[q + 1] / (double)wall[0]);
        printf(" %9.1f %6.1fx", (double)cpu[q + 1] / (double)c->ops,
               (double)cpu[q + 1] / (double)cpu[0]);
    }
    printf("  %s\n", same ? "ok" : "CHECKSUM MISMATCH");
    fflush(stdout);
    cJSON_AddItemToArray(rows, row);
    return same ? 0 : 1;
}

int bench_peers(cJSON *out)
{
    char peer[PATH_MAX];
    printf("Peers: ns-3\n");
    if (!peer_path(peer, sizeof peer)) {
        printf("  ns-3 not found (install Debian's libns3-dev, then make bench): skipped\n\n");
        cJSON_AddStringToObject(out, "skipped", "ns-3 not installed (Debian: libns3-dev)");
        return 0;
    }
    cJSON_AddStringToObject(out, "ns3_build", "Debian's libns3-dev (shared libraries, Debian's "
                                              "-O2), not ns-3's optimized build profile");
    int failed = peer_udp(peer, out);

    printf("Event queue, hold model, against ns-3's schedulers (alternating, best of %d;"
           " CPU ns per hold operation, and how many times faster evq is)\n", PEER_REPEATS);
    printf("  %10s %9s %9s %7s %9s %7s %9s %7s\n", "pending", "evq", "Map", "", "Heap", "",
           "Calendar", "");
    cJSON *rows = cJSON_AddArrayToObject(out, "event_queue");
    for (size_t i = 0; i < sizeof peer_sizes / sizeof peer_sizes[0]; i++)
        failed |= peer_hold_size(peer, &peer_sizes[i], rows);
    cJSON_AddNumberToObject(out, "loadavg_1min_at_end", bench_loadavg());
    printf("  (Debian's ns-3 is not ns-3's optimized build)\n\n");
    return failed;
}
