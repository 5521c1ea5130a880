/* The event queue: pending events ordered by time, equal times in scheduling order.
 *
 * It is a radix wheel (a radix heap whose buckets are 64-slot wheels): an event is
 * filed by the highest base-64 digit in which its time differs from the time of the
 * last event popped, so insertion is O(1) and each event moves down a level at most
 * a handful of times before it runs. Slots are FIFO lists, and events of equal time
 * always share a slot. Each event carries a sequence number, its place in the order
 * of scheduling, and equal times leave in that order (a level-0 slot holds one time
 * and is kept in seq order). An event may be scheduled late with the number it was
 * given earlier (evq_hold, evq_push_held): a link keeps its frames in flight in a
 * list and has only the next arrival in the queue, pushed when the one before it
 * leaves, yet every arrival keeps the place its transmission gave it; that next
 * arrival goes into the port's lane (struct evq_lane below), not the wheel. Times must
 * never be earlier than the last popped time (the simulation never schedules into
 * the past).
 *
 * Measured on the bench's end-to-end NAT workload (20,000 connections, 645,504 events
 * run): 827,059 pushes, 181,551 cancels, 1.67 re-filings per pop (mostly from level
 * 2, 4 us slots, into level 1, 64 ns slots), and 60 % of the pops take the lone node
 * of a level-1 slot without re-filing it. Wider digits (8 bits) cut the re-filings to
 * 1.21 per pop but cost more per filing (a bitmap of four words per level): 1.9 %
 * more instructions per NAT packet in all, so the digits stay at 6 bits.
 *
 * Nodes live in one growable array and are recycled through a free list: after
 * warm-up, scheduling allocates nothing. An id names one scheduling of a node
 * (index + generation), so cancelling a stale id is a harmless no-op. */
#ifndef IPVSIM_SIM_EVENT_H
#define IPVSIM_SIM_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sim/time.h"

struct sim;

/* An event handler: obj and arg are whatever the scheduler passed. */
typedef void (*sim_event_fn)(struct sim *sim, void *obj, uint64_t arg);

/* 0 is never a valid id. */
typedef uint64_t sim_event_id;

#define EVQ_LEVELS 11          /* 11 base-64 digits cover 64-bit times */
#define EVQ_SLOTS  64

struct evq_node;

/* A lane: a stream of events of one kind that leave in the order they are pushed,
 * at most one of them pending at a time (a link port's frames in flight: its first
 * frame's arrival; link.c). A lane's event is not filed in the wheel but in a binary
 * heap of lanes ordered by (time, seq), which the queue merges with the wheel. Why:
 * nearly every event of a simulated network is a frame's arrival, pushed when the
 * frame before it from the same port arrives, a few hundred nanoseconds ahead; the
 * heap holds one entry per busy port (tens), so a push and a pop take a handful of
 * compares instead of the wheel's node, slot and bitmap work. The place in the order
 * of scheduling comes from evq_hold, as for evq_push_held; lanes cannot be
 * cancelled. Measured on the bench's NAT workload (20,000 connections): 605,160 of
 * the 645,504 events run are lane events; 4.7 % fewer instructions per NAT packet and
 * 5.5 % fewer per UDP packet than with every arrival in the wheel. */
struct evq_lane {
    sim_event_fn fn;
    void *obj;
    uint64_t arg;
    bool pending;
};

struct evq_lane_ent {
    sim_time_t time;
    uint64_t seq;
    struct evq_lane *lane;
};

struct evq_slot {
    uint32_t head, tail;       /* node indices + 1; 0 = empty */
    sim_time_t min;            /* earliest time in the slot, or INT64_MIN if unknown */
    uint32_t anchor;           /* oldest node whose prefetch hint is not set yet */
    uint32_t gap;              /* nodes after the anchor */
};

struct evq {
    struct evq_node *nodes;    /* node storage (cap heads, then cap payloads), doubles */
    uint32_t cap;              /* nodes allocated */
    uint32_t used;             /* nodes ever handed out (high-water mark) */
    uint32_t free_head;        /* free list of recycled nodes (index + 1) */
    uint64_t count;            /* pending events */
    uint64_t limit;            /* max pending events, 0 = unlimited */
    uint64_t refused;          /* pushes refused at the limit */
    sim_time_t last;           /* time of the last popped event */
    uint64_t seq;              /* the last sequence number handed out */
    struct evq_lane_ent *lanes;               /* the lanes' heap: lanes[0] first */
    uint32_t nlanes, lane_cap;
    bool lane_ran;                            /* lanes[0] has just run (event.c) */
    sim_time_t wmin;                          /* the wheel's earliest time (SIM_TIME_MAX:
                                                 empty), when wmin_ok: what a pop compares
                                                 the first lane with */
    bool wmin_ok;
    uint32_t levels;                          /* bit k: level k has a non-empty slot */
    uint64_t bitmap[EVQ_LEVELS];              /* non-empty slots per level */
    struct evq_slot slot[EVQ_LEVELS][EVQ_SLOTS];
};

/* One popped event. */
struct evq_item {
    sim_time_t time;
    sim_event_fn fn;
    void *obj;
    uint64_t arg;
};

void evq_init(struct evq *q);
void evq_destroy(struct evq *q);

/* Schedule fn(obj, arg) at time t (t >= the last popped time). Returns its id, or 0
 * when the pending-event limit is reached (counted in refused). */
sim_event_id evq_push(struct evq *q, sim_time_t t, sim_event_fn fn, void *obj, uint64_t arg);

/* Take a place in the order of scheduling now for an event pushed later with
 * evq_push_held: counted as pending from now (the limit applies here). Returns its
 * sequence number, or 0 at the limit (counted in refused). */
uint64_t evq_hold(struct evq *q);

/* Schedule fn(obj, arg) at t in the place seq from evq_hold (once per hold). */
sim_event_id evq_push_held(struct evq *q, sim_time_t t, sim_event_fn fn, void *obj, uint64_t arg,
                           uint64_t seq);

/* Schedule the lane's next event at t in the place seq from evq_hold (once per hold).
 * The lane must have no event pending (lane->pending false); it runs as
 * lane->fn(lane->obj, lane->arg). */
void evq_lane_push(struct evq *q, struct evq_lane *lane, sim_time_t t, uint64_t seq);

/* Remove a pending event. Returns false when the id is stale (already ran or
 * cancelled). */
bool evq_cancel(struct evq *q, sim_event_id id);

/* Pop the earliest event if its time is <= limit. Returns false when the queue is
 * empty or its earliest event is later than limit (nothing is changed then). */
bool evq_pop(struct evq *q, sim_time_t limit, struct evq_item *out);

/* The earliest pending event, when the queue can tell without a search (it heads a
 * slot of level 0, or is alone in the lowest slot): what the loop prefetches for
 * while the event before it runs. False otherwise, or when empty. */
bool evq_peek(const struct evq *q, struct evq_item *out);

/* Time of the earliest pending event, or SIM_TIME_MAX when empty. */
sim_time_t evq_peek_time(const struct evq *q);

static inline uint64_t evq_count(const struct evq *q) { return q->count; }

#endif
