/* Cores section: does the same work finish sooner with two jobs than with one?
 *
 * 1. The machine first, with work that shares nothing: a compute loop that stays in
 *    the registers, and a chase of dependent loads through 256 MB (every load misses
 *    the caches), each run alone then two at once. If the compute loop does not run
 *    twice as fast in pairs, the two CPUs are not two free cores (other jobs, or the
 *    host); the chase shows what memory does when both ask at once.
 * 2. The bench's replications: K runs of the end-to-end NAT workload (bench_e2e.c)
 *    one at a time, then two at a time (forked children, as ipvsim's run pool),
 *    alternating, at 10^4, 10^5 and 10^6 connections (IPVSIM_BENCH_CORES_MAX: the
 *    largest, 1000000). Wall time of the K runs, and
 *    each run's CPU time alone and in a pair (a run that costs more CPU in a pair
 *    is sharing something: caches, memory); with its peak resident size per
 *    connection, the run's working set.
 * 3. `ipvsim compare --jobs` and `ipvsim sweep --jobs` as a user runs them (the
 *    ipvsim binary next to ipvsim-bench), 1 against 2 jobs on the same runs.
 *
 * With other jobs on the machine, the wall ratio says what a user saw and the load
 * average (kept) says how much else ran; the CPU times say what the runs cost. */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "tools/bench/bench.h"

int bench_cores(cJSON *out);

/* ---- the machine --------------------------------------------------------------- */

#define SPIN_ITERS 400000000ULL
#define CHASE_BYTES (128u << 20)
#define CHASE_LOADS 5000000ULL

static uint64_t spin(void)
{
    uint64_t x = 88172645463325252ULL;
    for (uint64_t i = 0; i < SPIN_ITERS; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    return x;
}

/* A random cycle through CHASE_BYTES of slots (Sattolo's shuffle), then dependent
 * loads along it: each waits for the previous, and almost none hits a cache. */
static uint64_t chase(uint64_t *cpu_ns)
{
    size_t n = CHASE_BYTES / sizeof(size_t);
    size_t *next = malloc(n * sizeof *next);
    if (!next)
        return 0;
    for (size_t i = 0; i < n; i++)
        next[i] = i;
    struct bench_rng r = { 42 };
    for (size_t i = n - 1; i > 0; i--) {
        size_t j = bench_rng_next(&r) % i, t = next[i];
        next[i] = next[j];
        next[j] = t;
    }
    uint64_t c0 = bench_cpu_ns();
    size_t p = 0;
    for (uint64_t i = 0; i < CHASE_LOADS; i++)
        p = next[p];
    *cpu_ns = bench_cpu_ns() - c0;
    free(next);
    return p;
}

struct probe {
    uint64_t wall_ns, cpu_ns;
};

/* kind 's' (spin), 'S' (spin, each child in a session of its own) or 'c' (chase) in
 * `width` children at once; each child's CPU time of the measured loop comes back
 * through a pipe, the mean into the result.
 *
 * Why 'S': with the kernel's autogroup scheduling (/proc/sys/kernel/sched_autogroup_enabled,
 * kernel/sched/autogroup.c), CFS shares the CPUs out equally between sessions first,
 * then between the processes of a session. On a machine busy with other sessions, a
 * second process of the same session only halves the session's share; a process in
 * a new session (setsid) gets a share of its own. */
static struct probe probe(char kind, int width)
{
    struct probe res = { 0, 0 };
    pid_t pid[2];
    int fd[2][2];
    uint64_t t0 = bench_now_ns();
    fflush(NULL);
    for (int k = 0; k < width; k++) {
        if (pipe(fd[k]) != 0)
            return res;
        pid[k] = fork();
        if (pid[k] == 0) {
            close(fd[k][0]);
            if (kind == 'S')
                setsid();
            uint64_t c0 = bench_cpu_ns(), cpu = 0, sink;
            if (kind != 'c') {
                sink = spin();
                cpu = bench_cpu_ns() - c0;
            } else {
                sink = chase(&cpu);
            }
            cpu += sink == 1;          /* keeps the loop */
            _exit(write(fd[k][1], &cpu, sizeof cpu) == sizeof cpu ? 0 : 1);
        }
        close(fd[k][1]);
    }
    for (int k = 0; k < width; k++) {
        uint64_t cpu = 0;
        if (read(fd[k][0], &cpu, sizeof cpu) != sizeof cpu)
            cpu = 0;
        close(fd[k][0]);
        waitpid(pid[k], NULL, 0);
        res.cpu_ns += cpu / (uint64_t)width;
    }
    res.wall_ns = bench_now_ns() - t0;
    return res;
}

static void machine_probes(cJSON *out)
{
    cJSON *m = cJSON_AddObjectToObject(out, "machine");
    static const struct { char kind; const char *name, *what; } kinds[] = {
        { 's', "compute", "a compute loop in registers (4e8 xorshift steps)" },
        { 'S', "compute_own_sessions", "the same, each process in a session of its own (setsid)" },
        { 'c', "memory_latency", "dependent loads through 128 MB (5e6 loads, cache misses)" },
    };
    int autogroup = -1;
    FILE *f = fopen("/proc/sys/kernel/sched_autogroup_enabled", "r");
    if (f) {
        if (fscanf(f, "%d", &autogroup) != 1)
            autogroup = -1;
        fclose(f);
    }
    printf("  the kernel's sched_autogroup_enabled: %d\n", autogroup);
    cJSON_AddNumberToObject(out, "sched_autogroup_enabled", autogroup);
    printf("  the machine: alone, then two at once (CPU time of each; wall of all)\n");
    printf("  %-28s %12s %12s %12s %12s %9s\n", "", "CPU alone", "CPU in pair", "wall alone",
           "wall pair", "speedup");
    for (size_t i = 0; i < 3; i++) {
        struct probe one = probe(kinds[i].kind, 1), two = probe(kinds[i].kind, 2);
        /* two at once did twice the work: speedup = 2 * alone / pair */
        double speedup = 2.0 * (double)one.wall_ns / (double)two.wall_ns;
        printf("  %-28s %11.3fs %11.3fs %11.3fs %11.3fs %8.2fx\n", kinds[i].name, one.cpu_ns / 1e9,
               two.cpu_ns / 1e9, one.wall_ns / 1e9, two.wall_ns / 1e9, speedup);
        cJSON *o = cJSON_AddObjectToObject(m, kinds[i].name);
        cJSON_AddStringToObject(o, "what", kinds[i].what);
        cJSON_AddNumberToObject(o, "cpu_s_alone", one.cpu_ns / 1e9);
        cJSON_AddNumberToObject(o, "cpu_s_each_in_pair", two.cpu_ns / 1e9);
        cJSON_AddNumberToObject(o, "wall_s_alone", one.wall_ns / 1e9);
        cJSON_AddNumberToObject(o, "wall_s_pair", two.wall_ns / 1e9);
        cJSON_AddNumberToObject(o, "pair_speedup", speedup);
        if (kinds[i].kind == 'c')
            cJSON_AddNumberToObject(o, "ns_per_load_alone", (double)one.cpu_ns / CHASE_LOADS);
    }
}

/* ---- the bench's replications --------------------------------------------------- */

struct batch {
    bool ok;
    uint64_t wall_ns, cpu_ns;        /* wall of all runs; CPU of the runs summed */
    uint64_t hwm_kb, conns;
};

/* k runs of the scenario at path, `jobs` at a time. */
static struct batch batch(const char *path, int k, int jobs)
{
    struct batch b = { true, 0, 0, 0, 0 };
    uint64_t t0 = bench_now_ns();
    for (int done = 0; done < k; done += jobs) {
        pid_t pid[2];
        int fd[2];
        int n = k - done < jobs ? k - done : jobs;
        for (int j = 0; j < n; j++)
            pid[j] = bench_run_start(path, &fd[j]);
        for (int j = 0; j < n; j++) {
            struct bench_run r = bench_run_wait(pid[j], fd[j]);
            b.ok = b.ok && r.ok;
            b.cpu_ns += r.cpu_ns;
            b.hwm_kb = r.hwm_kb;
            b.conns = r.conns;
        }
    }
    b.wall_ns = bench_now_ns() - t0;
    return b;
}

#define REPL_ROUNDS 2

static int replications(cJSON *out)
{
    static const struct { uint64_t conns; int runs; } sizes[] = {
        { 10000, 8 }, { 100000, 4 }, { 1000000, 2 },
    };
    printf("  the bench's replications (end-to-end NAT; best of %d rounds, alternating)\n",
           REPL_ROUNDS);
    printf("  %9s %5s %11s %11s %9s %12s %12s %9s %10s\n", "conns", "runs", "wall 1 job",
           "wall 2 jobs", "speedup", "CPU/run 1 j", "CPU/run 2 j", "CPU +", "peak B/conn");
    cJSON *rows = cJSON_AddArrayToObject(out, "replications");
    int failed = 0;
    const char *env = getenv("IPVSIM_BENCH_CORES_MAX");
    uint64_t max = env && strtoull(env, NULL, 10) ? strtoull(env, NULL, 10) : 1000000;
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0] && sizes[i].conns <= max; i++) {
        char path[128];
        snprintf(path, sizeof path, "/tmp/ipvsim-bench-%ld-cores.json", (long)getpid());
        if (bench_e2e_scenario(path, 'm', sizes[i].conns) != 0)
            return 1;
        struct batch one = { false, UINT64_MAX, UINT64_MAX, 0, 0 }, two = one;
        for (int round = 0; round < REPL_ROUNDS; round++) {
            struct batch a = batch(path, sizes[i].runs, 1), b = batch(path, sizes[i].runs, 2);
            if (!a.ok || !b.ok) {
                failed = 1;
                break;
            }
            if (a.wall_ns < one.wall_ns)
                one.wall_ns = a.wall_ns;
            if (b.wall_ns < two.wall_ns)
                two.wall_ns = b.wall_ns;
            one.cpu_ns = a.cpu_ns < one.cpu_ns ? a.cpu_ns : one.cpu_ns;
            two.cpu_ns = b.cpu_ns < two.cpu_ns ? b.cpu_ns : two.cpu_ns;
            one.hwm_kb = a.hwm_kb, one.conns = a.conns, one.ok = true;
        }
        unlink(path);
        if (!one.ok) {
            fprintf(stderr, "bench: cores: a run of %" PRIu64 " failed\n", sizes[i].conns);
            continue;
        }
        double c1 = one.cpu_ns / 1e9 / sizes[i].runs, c2 = two.cpu_ns / 1e9 / sizes[i].runs;
        double speedup = (double)one.wall_ns / (double)two.wall_ns;
        double per_conn = (double)one.hwm_kb * 1024.0 / (double)one.conns;
        printf("  %9" PRIu64 " %5d %10.2fs %10.2fs %8.2fx %11.3fs %11.3fs %8.0f%% %10.0f\n",
               sizes[i].conns, sizes[i].runs, one.wall_ns / 1e9, two.wall_ns / 1e9, speedup, c1, c2,
               (c2 / c1 - 1) * 100, per_conn);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "connections", (double)sizes[i].conns);
        cJSON_AddNumberToObject(o, "runs", sizes[i].runs);
        cJSON_AddNumberToObject(o, "wall_s_1_job", one.wall_ns / 1e9);
        cJSON_AddNumberToObject(o, "wall_s_2_jobs", two.wall_ns / 1e9);
        cJSON_AddNumberToObject(o, "speedup_2_jobs", speedup);
        cJSON_AddNumberToObject(o, "cpu_s_per_run_1_job", c1);
        cJSON_AddNumberToObject(o, "cpu_s_per_run_2_jobs", c2);
        cJSON_AddNumberToObject(o, "peak_rss_kb_per_run", (double)one.hwm_kb);
        cJSON_AddNumberToObject(o, "peak_rss_bytes_per_connection", per_conn);
        cJSON_AddItemToArray(rows, o);
    }
    return failed;
}

/* ---- compare --jobs and sweep --jobs --------------------------------------------- */

/* argv run with stdout and stderr to /dev/null: its wall time and its CPU time (its
 * children's too); false when it failed. */
static bool time_command(char *const argv[], uint64_t *wall_ns, uint64_t *cpu_ns)
{
    uint64_t t0 = bench_now_ns();
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr))
            _exit(127);
        execv(argv[0], argv);
        _exit(127);
    }
    int st = 0;
    struct rusage ru;
    if (pid < 0 || wait4(pid, &st, 0, &ru) < 0)
        return false;
    *wall_ns = bench_now_ns() - t0;
    *cpu_ns = (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000u +
              (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000u;
    return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

#define CLI_CONNS 50000
#define CLI_ROUNDS 2

static int cli_jobs(cJSON *out)
{
    char self[PATH_MAX], ipvsim[PATH_MAX + 16], dir[128], scen[160], sweep[160], outdir[192];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return 1;
    self[n] = '\0';
    *strrchr(self, '/') = '\0';
    snprintf(ipvsim, sizeof ipvsim, "%s/ipvsim", self);
    if (access(ipvsim, X_OK) != 0) {
        printf("  compare/sweep: %s not built: skipped\n", ipvsim);
        return 0;
    }
    snprintf(dir, sizeof dir, "/tmp/ipvsim-bench-%ld-cli", (long)getpid());
    snprintf(scen, sizeof scen, "%s/nat.json", dir);
    snprintf(sweep, sizeof sweep, "%s/sweep.json", dir);
    snprintf(outdir, sizeof outdir, "%s/out", dir);
    FILE *f = NULL;
    if (mkdir(dir, 0700) != 0 || bench_e2e_scenario(scen, 'm', CLI_CONNS) != 0 ||
        !(f = fopen(sweep, "w"))) {
        fprintf(stderr, "bench: cannot write in %s\n", dir);
        return 1;
    }
    /* the same eight runs as the comparison: two schedulers, four seeds */
    fprintf(f, "{ \"scenario\": \"nat.json\", \"parameters\": { \"clients.0.stop\": [\"%gs\"] },"
            " \"schedulers\": [\"rr\", \"wlc\"], \"replications\": 4 }\n", CLI_CONNS / 100000.0);
    fclose(f);
    char *cmp[2][12], *swp[2][8];
    char *jobs[2] = { "1", "2" };
    for (int j = 0; j < 2; j++) {
        char *c[] = { ipvsim, "compare", scen, "--schedulers", "rr,wlc", "--replications", "4",
                      "--jobs", jobs[j], "-o", outdir, NULL };
        char *s[] = { ipvsim, "sweep", sweep, "--jobs", jobs[j], "-o", outdir, NULL };
        memcpy(cmp[j], c, sizeof c);
        memcpy(swp[j], s, sizeof s);
    }
    printf("  ipvsim compare and sweep, 8 runs of %d connections (best of %d, alternating)\n",
           CLI_CONNS, CLI_ROUNDS);
    printf("  %-8s %11s %11s %9s %11s %11s\n", "", "wall 1 job", "wall 2 jobs", "speedup",
           "CPU 1 job", "CPU 2 jobs");
    int failed = 0;
    static const char *const names[2] = { "compare", "sweep" };
    for (int w = 0; w < 2; w++) {
        uint64_t wall[2] = { UINT64_MAX, UINT64_MAX }, cpu[2] = { UINT64_MAX, UINT64_MAX };
        for (int round = 0; round < CLI_ROUNDS && !failed; round++)
            for (int j = 0; j < 2; j++) {
                char rm[256];
                snprintf(rm, sizeof rm, "rm -rf '%s'", outdir);
                if (system(rm) != 0) {
                    failed = 1;
                    break;
                }
                uint64_t wn, cn;
                if (!time_command(w == 0 ? cmp[j] : swp[j], &wn, &cn)) {
                    fprintf(stderr, "bench: cores: ipvsim %s --jobs %s failed\n", names[w], jobs[j]);
                    failed = 1;
                    break;
                }
                wall[j] = wn < wall[j] ? wn : wall[j];
                cpu[j] = cn < cpu[j] ? cn : cpu[j];
            }
        if (failed)
            break;
        double speedup = (double)wall[0] / (double)wall[1];
        printf("  %-8s %10.2fs %10.2fs %8.2fx %10.2fs %10.2fs\n", names[w], wall[0] / 1e9,
               wall[1] / 1e9, speedup, cpu[0] / 1e9, cpu[1] / 1e9);
        cJSON *o = cJSON_AddObjectToObject(out, names[w]);
        cJSON_AddNumberToObject(o, "runs", 8);
        cJSON_AddNumberToObject(o, "connections_per_run", CLI_CONNS);
        cJSON_AddNumberToObject(o, "wall_s_1_job", wall[0] / 1e9);
        cJSON_AddNumberToObject(o, "wall_s_2_jobs", wall[1] / 1e9);
        cJSON_AddNumberToObject(o, "speedup_2_jobs", speedup);
        cJSON_AddNumberToObject(o, "cpu_s_1_job", cpu[0] / 1e9);
        cJSON_AddNumberToObject(o, "cpu_s_2_jobs", cpu[1] / 1e9);
    }
    char rm[256];
    snprintf(rm, sizeof rm, "rm -rf '%s'", dir);
    failed |= system(rm) != 0;
    return failed;
}

int bench_cores(cJSON *out)
{
    printf("Cores: 1 job against 2 on the same work (load %.1f at the start)\n", bench_loadavg());
    cJSON_AddNumberToObject(out, "online_cpus", (double)sysconf(_SC_NPROCESSORS_ONLN));
    cJSON_AddNumberToObject(out, "loadavg_1min_at_start", bench_loadavg());
    machine_probes(out);
    int failed = replications(out);
    failed |= cli_jobs(out);
    cJSON_AddNumberToObject(out, "loadavg_1min_at_end", bench_loadavg());
    printf("\n");
    return failed;
}
