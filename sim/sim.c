/* The event loop: pop events in (time, insertion) order and run them. */
#include "sim/sim.h"

#include <assert.h>

void sim_init(struct sim *s, uint64_t seed)
{
    s->now = 0;
    s->seed = seed;
    s->events_run = 0;
    s->stop = false;
    s->rate_limit = s->rate_count = s->rate_peak = 0;
    s->rate_end = 0;
    s->rate_refused = false;
    s->prefetch_fn = NULL;
    s->prefetch = NULL;
    evq_init(&s->q);
}

void sim_set_prefetch(struct sim *s, sim_event_fn fn, void (*prefetch)(const void *obj, uint64_t arg))
{
    s->prefetch_fn = fn;
    s->prefetch = prefetch;
}

void sim_destroy(struct sim *s)
{
    evq_destroy(&s->q);
}

/* Scheduling into the past would break the queue's ordering: it is a bug in the
 * caller, so it is clamped in release builds and caught in debug ones. */
static inline sim_time_t not_in_past(const struct sim *s, sim_time_t t)
{
    assert(t >= s->now);
    return t < s->now ? s->now : t;
}

sim_event_id sim_at(struct sim *s, sim_time_t t, sim_event_fn fn, void *obj, uint64_t arg)
{
    sim_event_id id = evq_push(&s->q, not_in_past(s, t), fn, obj, arg);
    if (!id)
        s->stop = true;         /* the pending-event limit: the run ends after this event */
    return id;
}

uint64_t sim_hold(struct sim *s)
{
    uint64_t seq = evq_hold(&s->q);
    if (!seq)
        s->stop = true;
    return seq;
}

sim_event_id sim_at_held(struct sim *s, sim_time_t t, sim_event_fn fn, void *obj, uint64_t arg,
                         uint64_t seq)
{
    return evq_push_held(&s->q, not_in_past(s, t), fn, obj, arg, seq);
}

void sim_lane_push(struct sim *s, struct evq_lane *lane, sim_time_t t, uint64_t seq)
{
    evq_lane_push(&s->q, lane, not_in_past(s, t), seq);
}

sim_event_id sim_after(struct sim *s, sim_time_t dt, sim_event_fn fn, void *obj, uint64_t arg)
{
    return sim_at(s, sim_time_add(s->now, dt), fn, obj, arg);
}

bool sim_cancel(struct sim *s, sim_event_id id)
{
    return evq_cancel(&s->q, id);
}

/* One more event in the current simulated second (a compare per event; the division
 * only when the second changes). */
static inline void count_rate(struct sim *s)
{
    if (s->now >= s->rate_end) {
        sim_time_t k = s->now / SEC;
        s->rate_end = k < SIM_TIME_MAX / SEC ? (k + 1) * SEC : SIM_TIME_MAX;
        s->rate_count = 0;
    }
    if (++s->rate_count > s->rate_peak)
        s->rate_peak = s->rate_count;
    if (s->rate_limit && s->rate_count > s->rate_limit) {
        s->rate_refused = true;
        s->stop = true;
    }
}

uint64_t sim_run_until(struct sim *s, sim_time_t end)
{
    struct evq_item it;
    uint64_t n = 0;
    s->stop = false;
    while (!s->stop && evq_pop(&s->q, end, &it)) {
        struct evq_item next;
        if (s->prefetch_fn && evq_peek(&s->q, &next) && next.fn == s->prefetch_fn)
            s->prefetch(next.obj, next.arg);
        s->now = it.time;
        it.fn(s, it.obj, it.arg);
        n++;
        count_rate(s);
    }
    if (!s->stop && end > s->now)
        s->now = end;
    s->events_run += n;
    return n;
}
