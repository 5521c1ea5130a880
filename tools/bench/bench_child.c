/* A scenario run in a forked child, for the sections that start runs side by side
 * (cores) or next to another program (peers): start returns at once, wait gathers.
 *
 * The child loads the scenario file (the same loader and world builder as `ipvsim
 * run`, no capture, no result files), times sim_run_until alone in wall and CPU
 * time, counts the frames delivered by all links, and writes its struct bench_run
 * back through a pipe. Being its own process, its peak resident size is its own. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>
#include "app/run/run_world.h"
#include "app/scenario/scenario.h"
#include "sim/world.h"
#include "tools/bench/bench.h"

uint64_t bench_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* VmHWM of this process in kB (0 if unknown). */
static uint64_t peak_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return 0;
    char line[256];
    uint64_t kb = 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %lu kB", &kb) == 1)
            break;
    fclose(f);
    return kb;
}

static void child_run(const char *path, struct bench_run *r)
{
    struct scn_error err;
    memset(&err, 0, sizeof err);
    struct scenario *s = scenario_load(path, NULL, &err);
    struct run_world rw;
    if (!s || !run_world_build(&rw, s, NULL, &err)) {
        fprintf(stderr, "bench: %s: cannot load or build the scenario\n", path);
        if (s)
            scenario_free(s);
        return;
    }
    uint64_t t0 = bench_now_ns(), c0 = bench_cpu_ns();
    r->events = sim_run_until(&rw.w.sim, s->duration);
    r->cpu_ns = bench_cpu_ns() - c0;
    r->wall_ns = bench_now_ns() - t0;
    for (guint i = 0; i < rw.w.links->len; i++) {
        const struct link *l = g_ptr_array_index(rw.w.links, i);
        r->packets += l->stats.delivered;
    }
    r->conns = rw.log.convs->len;
    r->hwm_kb = peak_kb();
    r->ok = 1;
    run_world_free(&rw);
    scenario_free(s);
}

pid_t bench_run_start(const char *path, int *fd)
{
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        struct bench_run c;
        memset(&c, 0, sizeof c);
        child_run(path, &c);
        ssize_t w = write(fds[1], &c, sizeof c);
        _exit(w == (ssize_t)sizeof c ? 0 : 1);
    }
    close(fds[1]);
    if (pid < 0)
        close(fds[0]);
    else
        *fd = fds[0];
    return pid;
}

struct bench_run bench_run_wait(pid_t pid, int fd)
{
    struct bench_run r;
    memset(&r, 0, sizeof r);
    if (pid < 0)
        return r;
    ssize_t got = 0, k;
    while (got < (ssize_t)sizeof r &&
           ((k = read(fd, (char *)&r + got, sizeof r - (size_t)got)) > 0 || (k < 0 && errno == EINTR)))
        got += k > 0 ? k : 0;
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    close(fd);
    if (got != (ssize_t)sizeof r)
        memset(&r, 0, sizeof r);
    return r;
}

struct bench_run bench_run_file(const char *path)
{
    int fd = -1;
    pid_t pid = bench_run_start(path, &fd);
    return bench_run_wait(pid, fd);
}

double bench_loadavg(void)
{
    double l = -1;
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        if (fscanf(f, "%lf", &l) != 1)
            l = -1;
        fclose(f);
    }
    return l;
}
