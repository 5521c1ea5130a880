/* Event-queue section: the radix wheel (sim/event.c) against a binary heap.
 *
 * The classic hold model: with N events pending, repeatedly pop the earliest and
 * push one at its time plus an exponential increment (mean 1 ms, integer ns). Both
 * queues see the same increments in the same order, so they must pop the same
 * sequence of (time, arg); a checksum over it proves the comparison is like for
 * like. The increments are drawn before the clock starts, so only queue work is
 * timed. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "sim/event.h"
#include "tools/bench/bench.h"
#include "tools/bench/bheap.h"

#define MEAN_NS   1000000.0
#define SEED      0x1b5e7c0ffee1234ULL
#define REPEATS   5           /* best of, alternating the two queues */

static const struct hold_cfg sizes[] = {
    { 1000, 1000000, 4000000 },
    { 100000, 1000000, 4000000 },
    { 1000000, 2000000, 4000000 },
};

static void noop_event(struct sim *s, void *obj, uint64_t arg)
{
}

/* Increments fit 32 bits: 2^32 ns is over 4000 times the mean. */
uint32_t *bench_hold_increments(size_t n)
{
    uint32_t *d = malloc(n * sizeof *d);
    if (!d) {
        fprintf(stderr, "bench: out of memory\n");
        exit(1);
    }
    struct bench_rng r = { SEED };
    for (size_t i = 0; i < n; i++) {
        double u = ((bench_rng_next(&r) >> 11) + 1) * 0x1p-53;   /* (0, 1] */
        d[i] = (uint32_t)llround(-MEAN_NS * log(u));
    }
    return d;
}

static inline uint64_t mix(uint64_t h, sim_time_t t, uint64_t arg)
{
    h = (h ^ (uint64_t)t) * 0x100000001b3ULL;
    return (h ^ arg) * 0x100000001b3ULL;
}

struct hold_result bench_hold_evq(const struct hold_cfg *c, const uint32_t *inc)
{
    struct evq q;
    struct evq_item it;
    struct hold_result r = { 0, 0, 0 };
    uint64_t id = 0;
    evq_init(&q);
    for (size_t i = 0; i < c->pending; i++)
        evq_push(&q, *inc++, noop_event, NULL, id++);
    for (uint64_t i = 0; i < c->warmup; i++) {
        evq_pop(&q, SIM_TIME_MAX, &it);
        evq_push(&q, it.time + *inc++, noop_event, NULL, id++);
    }
    uint64_t t0 = bench_now_ns(), c0 = bench_cpu_ns();
    for (uint64_t i = 0; i < c->ops; i++) {
        evq_pop(&q, SIM_TIME_MAX, &it);
        r.checksum = mix(r.checksum, it.time, it.arg);
        evq_push(&q, it.time + *inc++, noop_event, NULL, id++);
    }
    r.cpu_ns = bench_cpu_ns() - c0;
    r.ns = bench_now_ns() - t0;
    evq_destroy(&q);
    return r;
}

static struct hold_result hold_heap(const struct hold_cfg *c, const uint32_t *inc)
{
    struct bheap h;
    struct bheap_item it;
    struct hold_result r = { 0, 0, 0 };
    uint64_t id = 0;
    bheap_init(&h);
    for (size_t i = 0; i < c->pending; i++)
        bheap_push(&h, *inc++, noop_event, NULL, id++);
    for (uint64_t i = 0; i < c->warmup; i++) {
        bheap_pop(&h, &it);
        bheap_push(&h, it.time + *inc++, noop_event, NULL, id++);
    }
    uint64_t t0 = bench_now_ns();
    for (uint64_t i = 0; i < c->ops; i++) {
        bheap_pop(&h, &it);
        r.checksum = mix(r.checksum, it.time, it.arg);
        bheap_push(&h, it.time + *inc++, noop_event, NULL, id++);
    }
    r.ns = bench_now_ns() - t0;
    bheap_destroy(&h);
    return r;
}

static double per_sec(uint64_t ops, uint64_t ns)
{
    return ns ? (double)ops * 1e9 / (double)ns : 0.0;
}

/* Runs one size; returns false when the two queues disagreed. */
static bool run_size(const struct hold_cfg *c, cJSON *rows)
{
    uint32_t *inc = bench_hold_increments(c->pending + c->warmup + c->ops);
    uint64_t best_evq = UINT64_MAX, best_heap = UINT64_MAX;
    uint64_t sum = 0;
    bool same = true;
    for (int rep = 0; rep < REPEATS; rep++) {
        struct hold_result e = bench_hold_evq(c, inc);
        struct hold_result h = hold_heap(c, inc);
        if (rep == 0)
            sum = e.checksum;
        same = same && e.checksum == sum && h.checksum == sum;
        best_evq = e.ns < best_evq ? e.ns : best_evq;
        best_heap = h.ns < best_heap ? h.ns : best_heap;
    }
    free(inc);

    double evq_rate = per_sec(c->ops, best_evq), heap_rate = per_sec(c->ops, best_heap);
    double ratio = heap_rate > 0 ? evq_rate / heap_rate : 0.0;
    printf("%10zu %10" PRIu64 " %12.2f %12.2f %9.2fx  %s\n", c->pending, c->ops,
           evq_rate / 1e6, heap_rate / 1e6, ratio, same ? "ok" : "CHECKSUM MISMATCH");
    fflush(stdout);

    char hex[32];
    snprintf(hex, sizeof hex, "%016" PRIx64, sum);
    cJSON *row = cJSON_CreateObject();
    cJSON_AddNumberToObject(row, "pending", (double)c->pending);
    cJSON_AddNumberToObject(row, "warmup_ops", (double)c->warmup);
    cJSON_AddNumberToObject(row, "ops", (double)c->ops);
    cJSON_AddNumberToObject(row, "evq_ops_per_s", evq_rate);
    cJSON_AddNumberToObject(row, "heap_ops_per_s", heap_rate);
    cJSON_AddNumberToObject(row, "ratio", ratio);
    cJSON_AddStringToObject(row, "checksum", hex);
    cJSON_AddBoolToObject(row, "checksums_match", same);
    cJSON_AddItemToArray(rows, row);
    return same;
}

int bench_event_queue(cJSON *out)
{
    printf("Event queue, hold model: pop the earliest, push it again at its time +\n"
           "Exp(mean 1 ms) ns. Radix wheel (evq) vs binary heap; best of %d, ops/s.\n\n",
           REPEATS);
    printf("%10s %10s %12s %12s %10s  %s\n", "pending", "ops", "evq Mop/s", "heap Mop/s",
           "evq/heap", "check");

    cJSON_AddStringToObject(out, "model", "hold: pop one, push one at popped time + "
                                          "exponential increment");
    cJSON_AddNumberToObject(out, "increment_mean_ns", MEAN_NS);
    cJSON_AddNumberToObject(out, "repeats_best_of", REPEATS);
    cJSON_AddStringToObject(out, "baseline", "binary heap keyed by (time, seq), items by value");
    cJSON *rows = cJSON_AddArrayToObject(out, "sizes");
    bool ok = true;
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        ok = run_size(&sizes[i], rows) && ok;
    printf("\n");
    return ok ? 0 : 1;
}
