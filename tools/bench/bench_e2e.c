/* End-to-end sections: simulated packets per second of wall time, scaling with the
 * number of connections, and the director's bytes per live IPVS connection.
 *
 * Each measured run builds its scenario from a JSON file written to /tmp (the same
 * loader and world builder as `ipvsim run`, no capture, no result files), then
 * times sim_run_until alone. Simulated packets are the frames delivered by all
 * links (struct link_stats.delivered summed over w.links). Every run happens in a
 * forked child, so the peak resident size (VmHWM) is that run's own.
 *
 * The workload: one client group of 4096 addresses (10.1.0.0/16) opening TCP
 * connections to a VIP at a Poisson rate of RATE per second, 300 B request, 1 KB
 * response, four real servers with 1000 workers and a 100 us service time. With
 * NAT every packet of both directions crosses the director; with DR only the
 * requests do. A connection lives on in the director's table for TIME_WAIT (2 min),
 * longer than every run, so live connections = connections made.
 *
 * Sizes (environment, so that `make bench` stays short; defaults in brackets):
 *   IPVSIM_BENCH_CONNS      connections of the NAT and DR throughput runs [1000000]
 *   IPVSIM_BENCH_SCALE_MAX  largest size of the scaling rows, a power of ten [10000000;
 *                           the 10^7 row runs twice, a few minutes, about 3 GB]
 *
 * Bytes per live connection held by the director: a world with the director only
 * (no clients), then N connections made through ip_vs_conn_new (as the scheduler
 * path does, each with its timer armed), measuring malloc's bytes in use
 * (mallinfo2) and VmRSS before and after; the struct sizes give the formula. */
#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <arpa/inet.h>
#include "app/run/run_world.h"
#include "app/scenario/scenario.h"
#include "model/ipvs/ip_vs.h"
#include "model/ipvs/ip_vs_conn.h"
#include "model/net.h"
#include "sim/world.h"
#include "tools/bench/bench.h"

int bench_e2e(cJSON *out);
int bench_scaling(cJSON *out);
int bench_conn_memory(cJSON *out);

#define RATE 100000.0            /* new connections per simulated second */
#define E2E_REPEATS 3
#define SCALE_REPEAT_MAX 1000000       /* larger scaling rows run SCALE_BIG_REPEATS times */
#define SCALE_BIG_REPEATS 2            /* minutes each; one run of a minute and more swings
                                          by 15-30 % with the other guests of a shared
                                          machine, while the small rows are best of 3 */
#define PROCESS_BYTES_PER_CONN 500     /* measured: about 325-350 at 10^5..10^6 */

struct run_result {
    int ok;
    uint64_t conns, live, packets, events;
    uint64_t wall_ns;
    uint64_t hwm_kb, rss_kb;         /* at the end of the run */
    uint64_t heap_used;              /* malloc bytes in use at the end of the run */
};

static uint64_t env_size(const char *name, uint64_t dflt)
{
    const char *v = getenv(name);
    if (!v || !*v)
        return dflt;
    char *end;
    double d = strtod(v, &end);
    return (end != v && d >= 1) ? (uint64_t)d : dflt;
}

/* A "Key: N kB" line of a /proc file (0 if unknown). */
static uint64_t proc_kb(const char *path, const char *key)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    char line[256];
    size_t klen = strlen(key);
    uint64_t kb = 0;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
            kb = strtoull(line + klen + 1, NULL, 10);
            break;
        }
    fclose(f);
    return kb;
}

static uint64_t proc_status_kb(const char *key)
{
    return proc_kb("/proc/self/status", key);
}

static uint64_t heap_in_use(void)
{
    struct mallinfo2 mi = mallinfo2();
    return (uint64_t)mi.uordblks + (uint64_t)mi.hblkhd;
}

/* The scenario for n connections with forwarding method fwd ('m' NAT, 'g' DR). */
static int write_scenario(const char *path, char fwd, uint64_t n)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    double stop = (double)n / RATE;
    fprintf(f, "{\n \"name\": \"bench-%s\", \"seed\": 1, \"duration\": \"%.6fs\",\n",
            fwd == 'm' ? "nat" : "dr", stop + 0.1);
    fprintf(f, " \"director\": { \"name\": \"lvs1\", \"vip\": \"203.0.113.10\" },\n \"servers\": [\n");
    for (int i = 1; i <= 4; i++)
        fprintf(f, "  { \"name\": \"rs%d\", \"ip\": \"192.0.2.%d\", \"port\": 80, \"workers\": 1000,"
                " \"service_time\": \"const(100us)\", \"queue_limit\": 100000 }%s\n",
                i, 10 + i, i < 4 ? "," : "");
    fprintf(f, " ],\n \"clients\": [ { \"name\": \"web\", \"count\": 4096, \"net\": \"10.1.0.0/16\","
            " \"target\": \"203.0.113.10:80\", \"protocol\": \"tcp\", \"arrival\": \"poisson(%.0f/s)\","
            " \"request\": \"300B\", \"response\": \"1KB\", \"stop\": \"%.6fs\" } ],\n", RATE, stop);
    fprintf(f, " \"links\": { \"clients\": { \"latency\": \"1ms\", \"bandwidth\": \"100Gbps\" },"
            " \"servers\": { \"latency\": \"20us\", \"bandwidth\": \"100Gbps\" } },\n");
    fprintf(f, " \"ipvs\": [ \"-A -t 203.0.113.10:80 -s rr\"");
    for (int i = 1; i <= 4; i++)
        fprintf(f, ", \"-a -t 203.0.113.10:80 -r 192.0.2.%d:80 -%c -w 1\"", 10 + i, fwd);
    fprintf(f, " ]\n}\n");
    return fclose(f) == 0 ? 0 : -1;
}

/* In the child: build, time the run, fill r. */
static void run_child(const char *path, struct run_result *r)
{
    struct scn_error err;
    memset(&err, 0, sizeof err);
    struct scenario *s = scenario_load(path, NULL, &err);
    if (!s) {
        fprintf(stderr, "bench: %s: cannot load the scenario\n", path);
        return;
    }
    struct run_world rw;
    if (!run_world_build(&rw, s, NULL, &err)) {
        fprintf(stderr, "bench: %s: cannot build the world\n", path);
        scenario_free(s);
        return;
    }
    uint64_t t0 = bench_now_ns();
    r->events = sim_run_until(&rw.w.sim, s->duration);
    r->wall_ns = bench_now_ns() - t0;
    for (guint i = 0; i < rw.w.links->len; i++) {
        const struct link *l = g_ptr_array_index(rw.w.links, i);
        r->packets += l->stats.delivered;
    }
    r->conns = rw.log.convs->len;
    const struct net *net = host_net(rw.director);
    r->live = net->ipvs ? ip_vs_conn_count(net->ipvs) : 0;
    r->heap_used = heap_in_use();
    r->rss_kb = proc_status_kb("VmRSS");
    r->hwm_kb = proc_status_kb("VmHWM");
    r->ok = 1;
    run_world_free(&rw);
    scenario_free(s);
}

/* One run of n connections in a forked child. */
static struct run_result run_sized(char fwd, uint64_t n)
{
    struct run_result r;
    memset(&r, 0, sizeof r);
    char path[128];
    snprintf(path, sizeof path, "/tmp/ipvsim-bench-%ld-%c-%" PRIu64 ".json", (long)getpid(), fwd, n);
    if (write_scenario(path, fwd, n) != 0) {
        fprintf(stderr, "bench: cannot write %s\n", path);
        return r;
    }
    int fds[2];
    if (pipe(fds) != 0) {
        unlink(path);
        return r;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        struct run_result c;
        memset(&c, 0, sizeof c);
        run_child(path, &c);
        ssize_t w = write(fds[1], &c, sizeof c);
        _exit(w == (ssize_t)sizeof c ? 0 : 1);
    }
    close(fds[1]);
    if (pid > 0) {
        ssize_t got = 0, k;
        while (got < (ssize_t)sizeof r &&
               ((k = read(fds[0], (char *)&r + got, sizeof r - (size_t)got)) > 0 ||
                (k < 0 && errno == EINTR)))
            got += k > 0 ? k : 0;
        int st;
        waitpid(pid, &st, 0);
        if (got != (ssize_t)sizeof r)
            memset(&r, 0, sizeof r);
    }
    close(fds[0]);
    unlink(path);
    return r;
}

/* The same run `repeats` times: it is deterministic, only the wall time varies
 * (the machine's noise); the fastest is the figure, as for the event queue. The
 * wall time of each run goes to runs. Not ok if a run failed or differed. */
static struct run_result run_best(char fwd, uint64_t n, int repeats, cJSON *runs)
{
    struct run_result best = { 0 };
    for (int k = 0; k < repeats; k++) {
        struct run_result r = run_sized(fwd, n);
        if (!r.ok || r.conns == 0 || (best.ok && r.packets != best.packets)) {
            best.ok = 0;
            break;
        }
        cJSON_AddItemToArray(runs, cJSON_CreateNumber((double)r.wall_ns / 1e9));
        if (!best.ok || r.wall_ns < best.wall_ns)
            best = r;
    }
    return best;
}

static cJSON *result_json(const struct run_result *r)
{
    cJSON *o = cJSON_CreateObject();
    double wall = (double)r->wall_ns / 1e9;
    cJSON_AddNumberToObject(o, "connections", (double)r->conns);
    cJSON_AddNumberToObject(o, "live_ipvs_connections", (double)r->live);
    cJSON_AddNumberToObject(o, "packets", (double)r->packets);
    cJSON_AddNumberToObject(o, "events", (double)r->events);
    cJSON_AddNumberToObject(o, "run_wall_s", wall);
    cJSON_AddNumberToObject(o, "packets_per_s", wall > 0 ? (double)r->packets / wall : 0);
    cJSON_AddNumberToObject(o, "events_per_s", wall > 0 ? (double)r->events / wall : 0);
    cJSON_AddNumberToObject(o, "ns_per_connection", r->conns ? (double)r->wall_ns / (double)r->conns : 0);
    cJSON_AddNumberToObject(o, "peak_rss_kb", (double)r->hwm_kb);
    cJSON_AddNumberToObject(o, "heap_in_use_bytes", (double)r->heap_used);
    return o;
}

int bench_e2e(cJSON *out)
{
    uint64_t n = env_size("IPVSIM_BENCH_CONNS", 1000000);
    int failed = 0;
    printf("End to end (%" PRIu64 " connections at %.0f/s; IPVSIM_BENCH_CONNS; best of %d)\n", n,
           RATE, E2E_REPEATS);
    printf("  %-4s %11s %11s %11s %9s %12s %12s %10s\n", "fwd", "conns", "live", "packets",
           "wall s", "packets/s", "events/s", "peak MB");
    static const struct { char fwd; const char *name; } kinds[] = { { 'm', "nat" }, { 'g', "dr" } };
    for (size_t i = 0; i < 2; i++) {
        cJSON *runs = cJSON_CreateArray();
        struct run_result best = run_best(kinds[i].fwd, n, E2E_REPEATS, runs);
        if (!best.ok) {
            fprintf(stderr, "bench: e2e %s run failed\n", kinds[i].name);
            failed = 1;
            cJSON_Delete(runs);
            continue;
        }
        double wall = (double)best.wall_ns / 1e9;
        printf("  %-4s %11" PRIu64 " %11" PRIu64 " %11" PRIu64 " %9.2f %12.0f %12.0f %10.1f\n",
               kinds[i].name, best.conns, best.live, best.packets, wall, best.packets / wall,
               best.events / wall, best.hwm_kb / 1024.0);
        cJSON *o = result_json(&best);
        cJSON_AddNumberToObject(o, "repeats_best_of", E2E_REPEATS);
        cJSON_AddItemToObject(o, "wall_s_of_each_run", runs);
        cJSON_AddItemToObject(out, kinds[i].name, o);
    }
    cJSON_AddNumberToObject(out, "target_nat_packets_per_s", 2e6);
    printf("  target: NAT >= 2000000 packets/s\n\n");
    return failed;
}

/* Whether the machine can hold a run of n connections: a run holds about
 * PROCESS_BYTES_PER_CONN per connection (the director's entry, the conversation
 * record, the client's TIME_WAIT record and its endpoint table slot). A size it cannot hold is skipped,
 * not swapped or killed. */
static bool fits_in_memory(uint64_t n, cJSON *rows)
{
    uint64_t need_kb = n * PROCESS_BYTES_PER_CONN / 1024;
    uint64_t avail_kb = proc_kb("/proc/meminfo", "MemAvailable");
    if (!avail_kb || need_kb <= avail_kb)
        return true;
    printf("  %11" PRIu64 "  skipped: needs about %.1f GB, %.1f GB available\n", n,
           need_kb / 1048576.0, avail_kb / 1048576.0);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "connections", (double)n);
    cJSON_AddStringToObject(o, "skipped", "not enough memory available");
    cJSON_AddItemToArray(rows, o);
    return false;
}

#define SCALE_SIZES 8                  /* 10^4 .. 10^11, far beyond any machine */

int bench_scaling(cJSON *out)
{
    uint64_t max = env_size("IPVSIM_BENCH_SCALE_MAX", 10000000);
    printf("Scaling, NAT (up to %" PRIu64 " connections; IPVSIM_BENCH_SCALE_MAX)\n", max);
    printf("  %11s %11s %9s %10s %10s %12s %12s\n", "conns", "live", "wall s", "ns/conn",
           "vs 10^4", "peak MB", "B/live conn");
    cJSON *rows = cJSON_AddArrayToObject(out, "nat");
    uint64_t sizes[SCALE_SIZES];
    struct run_result best[SCALE_SIZES];
    cJSON *runs[SCALE_SIZES];
    int nsizes = 0;
    for (uint64_t n = 10000; n <= max && nsizes < SCALE_SIZES; n *= 10) {
        sizes[nsizes] = n;
        memset(&best[nsizes], 0, sizeof best[nsizes]);
        runs[nsizes++] = cJSON_CreateArray();
    }
    /* The small sizes run in rounds (10^4, 10^5, 10^6, then again): a slow spell of
     * the machine then costs one run of each, not every run of one size. */
    for (int round = 0; round < E2E_REPEATS; round++)
        for (int i = 0; i < nsizes; i++) {
            if (sizes[i] > SCALE_REPEAT_MAX && round >= SCALE_BIG_REPEATS)
                continue;
            if (round == 0 && sizes[i] > SCALE_REPEAT_MAX && !fits_in_memory(sizes[i], rows)) {
                sizes[i] = 0;
                continue;
            }
            if (!sizes[i])
                continue;
            struct run_result r = run_best('m', sizes[i], 1, runs[i]);
            if (r.ok && (!best[i].ok || r.wall_ns < best[i].wall_ns))
                best[i] = r;
        }
    int failed = 0;
    double base_ns = 0;
    struct run_result prev = { 0 };
    for (int i = 0; i < nsizes; i++) {
        if (!sizes[i]) {
            cJSON_Delete(runs[i]);
            continue;
        }
        struct run_result r = best[i];
        if (!r.ok) {
            fprintf(stderr, "bench: scaling run of %" PRIu64 " failed\n", sizes[i]);
            cJSON_Delete(runs[i]);
            failed = 1;
            continue;
        }
        double ns = (double)r.wall_ns / (double)r.conns;
        if (base_ns == 0)
            base_ns = ns;
        /* Whole-process bytes per extra live connection against the previous size:
         * everything a connection leaves behind (the director's entry, the
         * conversation record, the timers), an upper bound of the director's share. */
        double per = 0;
        if (prev.ok && r.live > prev.live)
            per = ((double)r.hwm_kb - (double)prev.hwm_kb) * 1024.0 / (double)(r.live - prev.live);
        printf("  %11" PRIu64 " %11" PRIu64 " %9.2f %10.0f %9.2fx %12.1f %12.0f\n", r.conns, r.live,
               (double)r.wall_ns / 1e9, ns, ns / base_ns, r.hwm_kb / 1024.0, per);
        cJSON *o = result_json(&r);
        cJSON_AddNumberToObject(o, "ns_per_connection_vs_smallest", ns / base_ns);
        cJSON_AddNumberToObject(o, "process_bytes_per_extra_live_connection", per);
        cJSON_AddNumberToObject(o, "repeats_best_of", cJSON_GetArraySize(runs[i]));
        cJSON_AddItemToObject(o, "wall_s_of_each_run", runs[i]);
        cJSON_AddItemToArray(rows, o);
        prev = r;
    }
    printf("  best of %d (in rounds) up to %d connections, of %d above\n", E2E_REPEATS,
           SCALE_REPEAT_MAX, SCALE_BIG_REPEATS);
    printf("  target: ns/conn within 25%% from 10^4 to 10^7\n\n");
    return failed;
}

/* ---- the director's bytes per live connection ----------------------------------- */

static const char DIRECTOR_ONLY[] =
    "{ \"name\": \"bench-conn-memory\", \"duration\": \"1s\",\n"
    "  \"director\": { \"name\": \"lvs1\", \"vip\": \"203.0.113.10\" },\n"
    "  \"servers\": [ { \"name\": \"rs1\", \"ip\": \"192.0.2.11\", \"port\": 80 } ],\n"
    "  \"clients\": [ { \"name\": \"idle\", \"net\": \"10.1.0.1/32\", \"target\": \"203.0.113.10:80\",\n"
    "                 \"arrival\": \"const(1/s)\", \"start\": \"900ms\" } ],\n"
    "  \"ipvs\": [ \"-A -t 203.0.113.10:80 -s rr\", \"-a -t 203.0.113.10:80 -r 192.0.2.11:80 -m\" ] }\n";

struct mem_result {
    int ok;
    uint64_t n, heap_delta, rss_delta_kb;
};

static void conn_memory_child(const char *path, uint64_t n, struct mem_result *m)
{
    struct scn_error err;
    memset(&err, 0, sizeof err);
    struct scenario *s = scenario_load(path, NULL, &err);
    struct run_world rw;
    if (!s || !run_world_build(&rw, s, NULL, &err)) {
        if (s)
            scenario_free(s);
        return;
    }
    struct netns_ipvs *ipvs = host_net(rw.director)->ipvs;
    struct ip_vs_dest *dest = NULL;
    struct ip_vs_service *svc;
    list_for_each_entry(svc, &ipvs->services, s_list) {
        if (!list_empty(&svc->destinations))
            dest = list_entry(svc->destinations.next, struct ip_vs_dest, n_list);
        break;
    }
    malloc_trim(0);
    uint64_t h0 = heap_in_use(), r0 = proc_status_kb("VmRSS");
    for (uint64_t i = 0; i < n; i++) {
        struct ip_vs_conn_param p;
        memset(&p, 0, sizeof p);
        p.protocol = IPPROTO_TCP;
        p.caddr = htonl(0x0a000000u + (uint32_t)(i >> 14));
        p.cport = htons((uint16_t)(1024 + (i & 0x3fff)));
        p.vaddr = htonl(0xcb00710au);
        p.vport = htons(80);
        if (!ip_vs_conn_new(ipvs, &p, htonl(0xc000020bu), htons(80), 0, dest, 0))
            break;
    }
    m->n = ip_vs_conn_count(ipvs);
    m->heap_delta = heap_in_use() - h0;
    m->rss_delta_kb = proc_status_kb("VmRSS") - r0;
    m->ok = 1;
    run_world_free(&rw);
    scenario_free(s);
}

static struct mem_result conn_memory(const char *path, uint64_t n)
{
    struct mem_result m;
    memset(&m, 0, sizeof m);
    int fds[2];
    if (pipe(fds) != 0)
        return m;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        struct mem_result c;
        memset(&c, 0, sizeof c);
        conn_memory_child(path, n, &c);
        ssize_t w = write(fds[1], &c, sizeof c);
        _exit(w == (ssize_t)sizeof c ? 0 : 1);
    }
    close(fds[1]);
    if (pid > 0) {
        ssize_t got = read(fds[0], &m, sizeof m);
        int st;
        waitpid(pid, &st, 0);
        if (got != (ssize_t)sizeof m)
            memset(&m, 0, sizeof m);
    }
    close(fds[0]);
    return m;
}

int bench_conn_memory(cJSON *out)
{
    char path[128];
    snprintf(path, sizeof path, "/tmp/ipvsim-bench-%ld-mem.json", (long)getpid());
    FILE *f = fopen(path, "w");
    if (!f || fputs(DIRECTOR_ONLY, f) < 0 || fclose(f) != 0) {
        fprintf(stderr, "bench: cannot write %s\n", path);
        return 1;
    }
    /* The formula: the entry (allocated in chunks), its 8-byte link to the next entry
     * of its hash chain, and its hash bucket head (8 B, between one and two buckets per
     * entry). Timers cost nothing per entry: the
     * entry links itself into its timeout's list (ip_vs_conn_timer.c). */
    size_t conn = sizeof(struct ip_vs_conn);
    printf("Director bytes per live IPVS connection\n");
    printf("  formula: sizeof(struct ip_vs_conn) %zu + 8 B chain link + 8-16 B of hash bucket "
           "heads\n", conn);
    printf("  %11s %12s %12s\n", "conns", "heap B/conn", "RSS B/conn");
    cJSON_AddNumberToObject(out, "sizeof_ip_vs_conn", (double)conn);
    cJSON_AddStringToObject(out, "formula",
                            "sizeof(struct ip_vs_conn) + an 8-byte chain link + an 8-byte hash "
                            "bucket head per 1-2 entries; timers add nothing per entry");
    cJSON *rows = cJSON_AddArrayToObject(out, "measured");
    int failed = 0;
    static const uint64_t sizes[] = { 100000, 1000000 };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        struct mem_result m = conn_memory(path, sizes[i]);
        if (!m.ok || m.n != sizes[i]) {
            fprintf(stderr, "bench: conn memory run of %" PRIu64 " failed\n", sizes[i]);
            failed = 1;
            continue;
        }
        double hb = (double)m.heap_delta / (double)m.n, rb = (double)m.rss_delta_kb * 1024.0 / (double)m.n;
        printf("  %11" PRIu64 " %12.1f %12.1f\n", m.n, hb, rb);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "connections", (double)m.n);
        cJSON_AddNumberToObject(o, "heap_bytes_per_connection", hb);
        cJSON_AddNumberToObject(o, "rss_bytes_per_connection", rb);
        cJSON_AddItemToArray(rows, o);
    }
    cJSON_AddNumberToObject(out, "target_bytes_per_connection", 160);
    printf("  target: <= 160 B per live connection beyond a fixed base\n\n");
    unlink(path);
    return failed;
}

int bench_e2e_scenario(const char *path, char fwd, uint64_t n)
{
    return write_scenario(path, fwd, n);
}
