/* Simulated time: signed 64-bit nanoseconds since the start of a run.
 * No floating point ever decides the order of events. */
#ifndef IPVSIM_SIM_TIME_H
#define IPVSIM_SIM_TIME_H

#include <stdint.h>

typedef int64_t sim_time_t;

#define NSEC ((sim_time_t)1)
#define USEC ((sim_time_t)1000)
#define MSEC ((sim_time_t)1000000)
#define SEC  ((sim_time_t)1000000000)

#define SIM_TIME_MAX INT64_MAX

#endif
