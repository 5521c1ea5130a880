/* The bytes a run may still write (limits.output_bytes, README "Limits"), shared by
 * its capture taps (which take from left through pcap_tap_set_budget and stop
 * capturing when it is spent) and its trace (which stops the run instead: a trace
 * is asked for to see everything up to its end). */
#ifndef IPVSIM_APP_RUN_OUT_BUDGET_H
#define IPVSIM_APP_RUN_OUT_BUDGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct out_budget {
    uint64_t left;                  /* UINT64_MAX: no limit */
    bool refused;                   /* a trace write did not fit: the run stopped */
    volatile bool *stop;            /* the run's stop flag (struct sim) */
};

/* Take n bytes for a trace write: false (nothing may be written; the run is told
 * to stop) when they do not fit. b may be NULL (no budget). */
static inline bool out_budget_take(struct out_budget *b, size_t n)
{
    if (!b)
        return true;
    if (b->refused || n > b->left) {
        b->refused = true;
        if (b->stop)
            *b->stop = true;
        return false;
    }
    b->left -= n;
    return true;
}

#endif
