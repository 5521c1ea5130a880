/* Before/after section: an older ipvsim binary against the new one, side by side.
 *
 * `ipvsim-bench --before OLD [--after NEW]` (NEW defaults to build/release/ipvsim;
 * `make bench BEFORE=OLD`) runs both binaries on the NAT workload of the end-to-end
 * section (TCP) and on the same with "protocol": "udp", each through `ipvsim run -q
 * --timing`, which records the wall time of the event loop alone (wall_time_s in
 * summary.json: no loading, no result writing). The runs are interleaved (old NAT,
 * new NAT, old UDP, new UDP, then again with new before old), best of BEFORE_REPEATS,
 * so a slow spell of the machine costs both binaries alike.
 *
 * Packets: the two binaries need not send the same packets (a later TCP model may send
 * more or fewer segments for the same connections), so each one's packets are counted
 * from one more, untimed run with --pcap all: every frame is captured when it is handed
 * to a link and again when it arrives (no losses, no queue drops in this workload), so
 * the packets delivered are half the frames captured. The ratio is the new binary's
 * packets per second over the old one's; the connections made are the same.
 *
 * Size: IPVSIM_BENCH_BEFORE_CONNS connections [100000]. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <dirent.h>
#include "tools/bench/bench.h"

int bench_before_after(cJSON *out);

#define BEFORE_REPEATS 5
#define BEFORE_RATE 100000.0     /* new connections per simulated second, as bench_e2e.c */

const char *bench_before_bin;   /* --before */
const char *bench_after_bin;    /* --after */

/* The end-to-end NAT scenario of bench_e2e.c for n connections, over TCP or UDP. */
static int write_scenario(const char *path, const char *proto, uint64_t n)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    double stop = (double)n / BEFORE_RATE;
    char pf = proto[0];                          /* ipvsadm's -t or -u */
    fprintf(f, "{\n \"name\": \"bench-%s\", \"seed\": 1, \"duration\": \"%.6fs\",\n", proto,
            stop + 0.1);
    fprintf(f, " \"director\": { \"name\": \"lvs1\", \"vip\": \"203.0.113.10\" },\n \"servers\": [\n");
    for (int i = 1; i <= 4; i++)
        fprintf(f, "  { \"name\": \"rs%d\", \"ip\": \"192.0.2.%d\", \"port\": 80, \"workers\": 1000,"
                " \"service_time\": \"const(100us)\", \"queue_limit\": 100000 }%s\n",
                i, 10 + i, i < 4 ? "," : "");
    fprintf(f, " ],\n \"clients\": [ { \"name\": \"web\", \"count\": 4096, \"net\": \"10.1.0.0/16\","
            " \"target\": \"203.0.113.10:80\", \"protocol\": \"%s\", \"arrival\": \"poisson(%.0f/s)\","
            " \"request\": \"300B\", \"response\": \"1KB\", \"stop\": \"%.6fs\" } ],\n", proto,
            BEFORE_RATE, stop);
    fprintf(f, " \"links\": { \"clients\": { \"latency\": \"1ms\", \"bandwidth\": \"100Gbps\" },"
            " \"servers\": { \"latency\": \"20us\", \"bandwidth\": \"100Gbps\" } },\n");
    fprintf(f, " \"ipvs\": [ \"-A -%c 203.0.113.10:80 -s rr\"", pf);
    for (int i = 1; i <= 4; i++)
        fprintf(f, ", \"-a -%c 203.0.113.10:80 -r 192.0.2.%d:80 -m -w 1\"", pf, 10 + i);
    fprintf(f, " ]\n}\n");
    return fclose(f) == 0 ? 0 : -1;
}

/* bin run -q [--timing | --pcap all] -o outdir scenario, its output discarded.
 * Returns the exit status, or -1 when it could not be run. */
static int run_binary(const char *bin, const char *scenario, const char *outdir, bool pcap)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0) {
            dup2(null, STDOUT_FILENO);
            dup2(null, STDERR_FILENO);
        }
        if (pcap)
            execl(bin, bin, "run", "-q", "--pcap", "all", "-o", outdir, scenario, (char *)NULL);
        else
            execl(bin, bin, "run", "-q", "--timing", "-o", outdir, scenario, (char *)NULL);
        _exit(127);
    }
    if (pid < 0)
        return -1;
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

static void rm_tree(const char *path)
{
    nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* wall_time_s of outdir/summary.json, or -1. */
static double summary_wall(const char *outdir)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/summary.json", outdir);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    static char text[1 << 20];
    size_t len = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[len] = '\0';
    cJSON *j = cJSON_Parse(text);
    const cJSON *w = cJSON_GetObjectItem(j, "wall_time_s");
    double wall = cJSON_IsNumber(w) ? w->valuedouble : -1;
    cJSON_Delete(j);
    return wall;
}

/* Frames in one classic pcap file (either byte order), or -1 if it is not one. */
static int64_t pcap_frames(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    unsigned char gh[24], rh[16];
    int64_t n = -1;
    if (fread(gh, 1, sizeof gh, f) == sizeof gh) {
        uint32_t magic = (uint32_t)gh[0] | (uint32_t)gh[1] << 8 | (uint32_t)gh[2] << 16 |
                         (uint32_t)gh[3] << 24;
        bool le = magic == 0xa1b2c3d4u || magic == 0xa1b23c4du;
        bool be = magic == 0xd4c3b2a1u || magic == 0x4d3cb2a1u;
        if (le || be) {
            n = 0;
            while (fread(rh, 1, sizeof rh, f) == sizeof rh) {
                const unsigned char *p = rh + 8;             /* incl_len */
                uint32_t incl = le ? (uint32_t)p[0] | (uint32_t)p[1] << 8 |
                                     (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24
                                   : (uint32_t)p[3] | (uint32_t)p[2] << 8 |
                                     (uint32_t)p[1] << 16 | (uint32_t)p[0] << 24;
                if (fseek(f, (long)incl, SEEK_CUR) != 0)
                    break;
                n++;
            }
        }
    }
    fclose(f);
    return n;
}

/* Packets delivered in a run of bin: half the frames of every capture point. */
static int64_t count_packets(const char *bin, const char *scenario, const char *outdir)
{
    if (run_binary(bin, scenario, outdir, true) != 0)
        return -1;
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/pcap", outdir);
    DIR *d = opendir(dir);
    int64_t frames = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        int64_t k = pcap_frames(path);
        if (k < 0) {
            frames = -1;
            break;
        }
        frames += k;
    }
    if (d)
        closedir(d);
    rm_tree(outdir);
    return d && frames > 0 ? frames / 2 : -1;
}

struct side {
    const char *bin;
    int64_t packets;
    double best;                 /* seconds, < 0 until a run succeeded */
    cJSON *runs;
};

static cJSON *side_json(const struct side *s)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "binary", s->bin);
    cJSON_AddNumberToObject(o, "packets", (double)s->packets);
    cJSON_AddNumberToObject(o, "run_wall_s", s->best);
    cJSON_AddNumberToObject(o, "packets_per_s", s->best > 0 ? (double)s->packets / s->best : 0);
    cJSON_AddItemToObject(o, "wall_s_of_each_run", s->runs);
    return o;
}

static uint64_t env_conns(void)
{
    const char *v = getenv("IPVSIM_BENCH_BEFORE_CONNS");
    char *end;
    double d = v ? strtod(v, &end) : 0;
    return v && end != v && d >= 1 ? (uint64_t)d : 100000;
}

int bench_before_after(cJSON *out)
{
    if (!bench_before_bin) {
        printf("Before/after: skipped (ipvsim-bench --before OLD_IPVSIM; make bench BEFORE=...)\n\n");
        cJSON_AddStringToObject(out, "skipped", "no older binary given (--before)");
        return 0;
    }
    const char *after = bench_after_bin ? bench_after_bin : "build/release/ipvsim";
    uint64_t n = env_conns();
    char tmp[] = "/tmp/ipvsim-bench-before-XXXXXX";
    if (!mkdtemp(tmp)) {
        fprintf(stderr, "bench: cannot create a directory in /tmp\n");
        return 1;
    }
    printf("Before/after (%" PRIu64 " connections, NAT; IPVSIM_BENCH_BEFORE_CONNS; interleaved, "
           "best of %d)\n  before: %s\n  after:  %s\n", n, BEFORE_REPEATS, bench_before_bin, after);
    printf("  %-4s %11s %9s %12s %11s %9s %12s %7s\n", "load", "pkts before", "wall s",
           "packets/s", "pkts after", "wall s", "packets/s", "ratio");
    static const char *const protos[] = { "tcp", "udp" };
    struct side sides[2][2];
    char scn[2][256];
    int failed = 0;
    for (int w = 0; w < 2; w++) {
        snprintf(scn[w], sizeof scn[w], "%s/%s.json", tmp, protos[w]);
        if (write_scenario(scn[w], protos[w], n) != 0) {
            fprintf(stderr, "bench: cannot write %s\n", scn[w]);
            rm_tree(tmp);
            return 1;
        }
        for (int b = 0; b < 2; b++) {
            char dir[512];
            snprintf(dir, sizeof dir, "%s/count-%d-%d", tmp, w, b);
            sides[w][b] = (struct side){ .bin = b ? after : bench_before_bin, .best = -1,
                                         .runs = cJSON_CreateArray() };
            sides[w][b].packets = count_packets(sides[w][b].bin, scn[w], dir);
        }
    }
    /* Which binary goes first alternates by round (old, new; new, old; ...): on this
     * kind of machine the second of two back-to-back runs is measurably slower. */
    for (int round = 0; round < BEFORE_REPEATS; round++)
        for (int w = 0; w < 2; w++)
            for (int k = 0; k < 2; k++) {
                int b = round % 2 ? 1 - k : k;
                struct side *s = &sides[w][b];
                char dir[512];
                snprintf(dir, sizeof dir, "%s/run-%d-%d-%d", tmp, w, b, round);
                double wall = run_binary(s->bin, scn[w], dir, false) == 0 ? summary_wall(dir) : -1;
                rm_tree(dir);
                if (wall > 0) {
                    cJSON_AddItemToArray(s->runs, cJSON_CreateNumber(wall));
                    if (s->best < 0 || wall < s->best)
                        s->best = wall;
                }
            }
    for (int w = 0; w < 2; w++) {
        struct side *o = &sides[w][0], *a = &sides[w][1];
        const char *name = w ? "udp" : "nat";
        if (o->packets <= 0 || a->packets <= 0 || o->best <= 0 || a->best <= 0) {
            fprintf(stderr, "bench: before/after %s: a run failed\n", name);
            failed = 1;
            cJSON_Delete(o->runs);
            cJSON_Delete(a->runs);
            continue;
        }
        double po = (double)o->packets / o->best, pa = (double)a->packets / a->best;
        printf("  %-4s %11" PRId64 " %9.3f %12.0f %11" PRId64 " %9.3f %12.0f %6.2fx\n", name,
               o->packets, o->best, po, a->packets, a->best, pa, pa / po);
        cJSON *row = cJSON_CreateObject();
        cJSON_AddItemToObject(row, "before", side_json(o));
        cJSON_AddItemToObject(row, "after", side_json(a));
        cJSON_AddNumberToObject(row, "ratio_packets_per_s", pa / po);
        cJSON_AddNumberToObject(row, "ratio_wall", o->best / a->best);
        cJSON_AddItemToObject(out, name, row);
    }
    cJSON_AddNumberToObject(out, "connections", (double)n);
    cJSON_AddNumberToObject(out, "repeats_best_of", BEFORE_REPEATS);
    printf("  ratio: packets per second after / before; wall: the event loop (--timing)\n\n");
    rm_tree(tmp);
    return failed;
}
