/* The simulation clock and its event loop. */
#ifndef IPVSIM_SIM_SIM_H
#define IPVSIM_SIM_SIM_H

#include <stdbool.h>
#include <stdint.h>
#include "sim/event.h"
#include "sim/time.h"

struct sim {
    sim_time_t now;
    struct evq q;
    uint64_t seed;            /* the run's seed; named streams derive from it */
    uint64_t events_run;
    volatile bool stop;       /* set to end sim_run_until at the next event boundary */
    /* Events run per simulated second: a run whose clock cannot advance (a retry at
     * the same instant, a 1 ns period) runs events without end while simulating
     * nothing. The count is per whole second of the clock [k s, k+1 s). */
    uint64_t rate_limit;      /* max events in one simulated second, 0 = unlimited */
    uint64_t rate_count;      /* events run in the current second */
    uint64_t rate_peak;       /* the most in any second so far */
    sim_time_t rate_end;      /* end of the current second */
    bool rate_refused;        /* the run stopped at rate_limit */
    /* Events of prefetch_fn are announced to prefetch while the event before them runs
     * (sim_set_prefetch). */
    sim_event_fn prefetch_fn;
    void (*prefetch)(const void *obj, uint64_t arg);
};

void sim_init(struct sim *s, uint64_t seed);

/* While an event runs, the loop looks at the next one, if the queue knows it at once;
 * if it is an event of fn, prefetch(obj, arg) may start loading what it will read (a
 * frame's arrival reads a packet that has waited on a link for a while, and is
 * rarely still in cache: link.c). One kind of event; prefetch changes nothing but
 * timing. */
void sim_set_prefetch(struct sim *s, sim_event_fn fn, void (*prefetch)(const void *obj, uint64_t arg));
void sim_destroy(struct sim *s);

/* Schedule at an absolute time (>= now) or after a delay (>= 0). At the queue's
 * pending-event limit the event is refused (id 0) and the run stops after the event
 * being run (stop is set). */
sim_event_id sim_at(struct sim *s, sim_time_t t, sim_event_fn fn, void *obj, uint64_t arg);
/* An event's place in the order of equal times taken now, the event pushed later
 * (evq_hold): 0 at the pending-event limit (the run stops, as sim_at). */
uint64_t sim_hold(struct sim *s);
sim_event_id sim_at_held(struct sim *s, sim_time_t t, sim_event_fn fn, void *obj, uint64_t arg,
                         uint64_t seq);
/* Schedule a lane's next event at t in the place seq from sim_hold (evq_lane_push). */
void sim_lane_push(struct sim *s, struct evq_lane *lane, sim_time_t t, uint64_t seq);
sim_event_id sim_after(struct sim *s, sim_time_t dt, sim_event_fn fn, void *obj, uint64_t arg);
bool sim_cancel(struct sim *s, sim_event_id id);

/* Run every event whose time is <= end, in order; then the clock reads end (or the
 * time of the last event run, when stopped early). Returns the number of events run.
 * The run stops (rate_refused) after the event that takes one simulated second past
 * rate_limit events. */
uint64_t sim_run_until(struct sim *s, sim_time_t end);

#endif
