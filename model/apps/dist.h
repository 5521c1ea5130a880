/* Distributions of durations and sizes, as scenarios write them:
 * const(v), exp(mean), uniform(a,b), lognormal(mean,sigma), pareto(scale,shape),
 * trace(file.csv) (replay recorded values in order). Values are in base units
 * (nanoseconds or bytes); draws come from the caller's named stream. */
#ifndef IPVSIM_MODEL_APPS_DIST_H
#define IPVSIM_MODEL_APPS_DIST_H

#include <stdint.h>
#include "sim/rng.h"

enum dist_kind {
    DIST_CONST,
    DIST_EXP,
    DIST_UNIFORM,
    DIST_LOGNORMAL,                 /* a = mean of the distribution, b = sigma of the log */
    DIST_PARETO,                    /* a = scale (minimum), b = shape */
    DIST_TRACE,
    DIST_BURST,                     /* a = N connections at once, every b (an arrival process):
                                     * the gaps are b, then N-1 zeros, repeated */
};

struct dist {
    enum dist_kind kind;
    double a, b;
    double *trace;                  /* DIST_TRACE: the values (owned by the scenario) */
    uint32_t ntrace;
};

/* One draw, rounded to an integer >= 0. A trace replays its values in order and
 * then repeats from the start (*cursor is the caller's position in it, start at 0);
 * a burst counts its place in the burst in *cursor too. cursor may be NULL for the
 * other kinds (a trace or burst then always gives its first value). */
int64_t dist_draw(const struct dist *d, struct rng *r, uint32_t *cursor);
/* The mean, for reports ("exp(10ms)" -> 1e7); INFINITY for a pareto of shape <= 1. */
double dist_mean(const struct dist *d);

#endif
