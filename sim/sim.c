/* The event loop: pop events in (time, insertion) order and run them. */
#include "sim/sim.h"

#include <assert.h>

void sim_init(struct sim *s, uint64_t seed)
{
    s->now = 0;
    s->seed = seed;
    s->events_run = 0;
    s->stop = false;
    evq_init(&s->q);
}

void sim_destroy(struct sim *s)
{
    evq_destroy(&s->q);
}

sim_event_id sim_at(struct sim *s, sim_time_t t, sim_event_fn fn, void *obj, uint64_t arg)
{
    /* Scheduling into the past would break the queue's ordering: it is a bug in the
     * caller, so it is clamped in release builds and caught in debug ones. */
    assert(t >= s->now);
    if (t < s->now)
        t = s->now;
    sim_event_id id = evq_push(&s->q, t, fn, obj, arg);
    if (!id)
        s->stop = true;         /* the pending-event limit: the run ends after this event */
    return id;
}

sim_event_id sim_after(struct sim *s, sim_time_t dt, sim_event_fn fn, void *obj, uint64_t arg)
{
    return sim_at(s, sim_time_add(s->now, dt), fn, obj, arg);
}

bool sim_cancel(struct sim *s, sim_event_id id)
{
    return evq_cancel(&s->q, id);
}

uint64_t sim_run_until(struct sim *s, sim_time_t end)
{
    struct evq_item it;
    uint64_t n = 0;
    s->stop = false;
    while (!s->stop && evq_pop(&s->q, end, &it)) {
        s->now = it.time;
        it.fn(s, it.obj, it.arg);
        n++;
    }
    if (!s->stop && end > s->now)
        s->now = end;
    s->events_run += n;
    return n;
}
