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
};

void sim_init(struct sim *s, uint64_t seed);
void sim_destroy(struct sim *s);

/* Schedule at an absolute time (>= now) or after a delay (>= 0). At the queue's
 * pending-event limit the event is refused (id 0) and the run stops after the event
 * being run (stop is set). */
sim_event_id sim_at(struct sim *s, sim_time_t t, sim_event_fn fn, void *obj, uint64_t arg);
sim_event_id sim_after(struct sim *s, sim_time_t dt, sim_event_fn fn, void *obj, uint64_t arg);
bool sim_cancel(struct sim *s, sim_event_id id);

/* Run every event whose time is <= end, in order; then the clock reads end (or the
 * time of the last event run, when stopped early). Returns the number of events run. */
uint64_t sim_run_until(struct sim *s, sim_time_t end);

#endif
