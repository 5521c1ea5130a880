/* Simulated time: signed 64-bit nanoseconds since the start of a run.
 * No floating point ever decides the order of events. */
#ifndef IPVSIM_SIM_TIME_H
#define IPVSIM_SIM_TIME_H

#include <stdint.h>
#include <stdio.h>

typedef int64_t sim_time_t;

#define NSEC ((sim_time_t)1)
#define USEC ((sim_time_t)1000)
#define MSEC ((sim_time_t)1000000)
#define SEC  ((sim_time_t)1000000000)

#define SIM_TIME_MAX INT64_MAX

/* t + dt, never past SIM_TIME_MAX: the end of time, which no run reaches, so an event
 * due then never runs. A drawn duration (a heavy-tailed service time, a value of a
 * trace file) may be anything up to INT64_MAX, and now + it must not wrap into the
 * past. A negative dt counts as 0. Every "now + a duration" that schedules goes
 * through here. */
static inline sim_time_t sim_time_add(sim_time_t t, sim_time_t dt)
{
    if (dt <= 0)
        return t;
    return t > SIM_TIME_MAX - dt ? SIM_TIME_MAX : t + dt;
}

/* "at 12.345s ": how every line of a run's event log (events.txt) begins, in
 * milliseconds. Returns what snprintf returns. */
#define SIM_TIME_AT_LEN 32
static inline int sim_time_at(char buf[SIM_TIME_AT_LEN], sim_time_t t)
{
    return snprintf(buf, SIM_TIME_AT_LEN, "at %lld.%03llds ", (long long)(t / SEC),
                    (long long)(t % SEC / MSEC));
}

#endif
