/* A plain binary min-heap of events, the baseline the event queue is measured
 * against. Items are stored by value and ordered by (time, seq), where seq is an
 * insertion counter, so equal times leave in insertion order as in the evq. */
#ifndef IPVSIM_BENCH_BHEAP_H
#define IPVSIM_BENCH_BHEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sim/event.h"

struct bheap_item {
    sim_time_t time;
    uint64_t seq;
    sim_event_fn fn;
    void *obj;
    uint64_t arg;
};

struct bheap {
    struct bheap_item *a;
    size_t n, cap;
    uint64_t next_seq;
};

void bheap_init(struct bheap *h);
void bheap_destroy(struct bheap *h);
void bheap_push(struct bheap *h, sim_time_t t, sim_event_fn fn, void *obj, uint64_t arg);
/* Pop the earliest item; false when empty. */
bool bheap_pop(struct bheap *h, struct bheap_item *out);

#endif
