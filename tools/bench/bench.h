/* ipvsim-bench: shared helpers and the list of benchmark sections.
 *
 * Each section runs its measurements, prints a table to stdout and fills a cJSON
 * object that bench_main.c stores under the section's name in the results file. */
#ifndef IPVSIM_BENCH_BENCH_H
#define IPVSIM_BENCH_BENCH_H

#include <stdint.h>
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

/* Sections: each returns 0, or non-zero when a consistency check failed. */
int bench_event_queue(cJSON *out);

#endif
