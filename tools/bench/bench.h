/* ipvsim-bench: shared helpers and the list of benchmark sections.
 *
 * Each section runs its measurements, prints a table to stdout and fills a cJSON
 * object that bench_main.c stores under the section's name in the results file. */
#ifndef IPVSIM_BENCH_BENCH_H
#define IPVSIM_BENCH_BENCH_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <cJSON.h>

/* Monotonic wall-clock time in nanoseconds. */
uint64_t bench_now_ns(void);

/* A small fixed-seed generator (splitmix64), independent of sim/rng.c so that the
 * benchmark's draws never change when the simulator's streams do. */
struct bench_rng {
    uint64_t state;
};

static inline uint64_t bench_rng_next(struct bench_rng *r)
{
    uint64_t z = (r->state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* CPU time of the whole process in nanoseconds. */
uint64_t bench_cpu_ns(void);
/* The 1-minute load average of the machine (-1 if unknown): said next to timings. */
double bench_loadavg(void);

/* A scenario file run in a forked child (bench_child.c): sim_run_until alone timed. */
struct bench_run {
    int ok;
    uint64_t conns, packets, events;
    uint64_t wall_ns, cpu_ns;        /* of sim_run_until */
    uint64_t hwm_kb;                 /* the child's peak resident size */
};

/* Start a run (returns its pid, -1 on failure; *fd: its result pipe) and gather it
 * (ok = 0 when it failed); bench_run_file does both. */
pid_t bench_run_start(const char *path, int *fd);
struct bench_run bench_run_wait(pid_t pid, int fd);
struct bench_run bench_run_file(const char *path);

/* The end-to-end workload's scenario (bench_e2e.c): n connections, fwd 'm' (NAT) or
 * 'g' (DR). 0, or -1 when the file could not be written. */
int bench_e2e_scenario(const char *path, char fwd, uint64_t n);

/* The hold model of the event-queue section (bench_evq.c), for the peers section. */
struct hold_cfg {
    size_t pending;
    uint64_t warmup;          /* untimed hold operations first */
    uint64_t ops;             /* timed hold operations */
};

struct hold_result {
    uint64_t ns, cpu_ns;      /* of the timed operations */
    uint64_t checksum;        /* over the popped (time, arg) */
};

/* The increments of pending + warmup + ops operations (malloc'ed), and one hold run
 * of the simulator's event queue over them. */
uint32_t *bench_hold_increments(size_t n);
struct hold_result bench_hold_evq(const struct hold_cfg *c, const uint32_t *inc);

/* Sections: each returns 0, or non-zero when a consistency check failed. */
int bench_event_queue(cJSON *out);

#endif
