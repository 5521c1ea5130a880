/* Distributions of durations and sizes: one draw from the caller's stream. ipvsim's
 * own, no kernel file. */
#include "model/apps/dist.h"

#include <math.h>

/* Round to the nearest integer, never below 0 nor past INT64_MAX (a NaN is 0). */
static int64_t to_base_units(double x)
{
    if (!(x > 0))
        return 0;
    if (x >= 9.2e18)
        return INT64_MAX;
    return (int64_t)floor(x + 0.5);
}

/* Uniform over the integers a..b: values are base units, so the ends are as likely
 * as any other value and the draw is exact integer arithmetic. */
static int64_t draw_uniform(const struct dist *d, struct rng *r)
{
    int64_t lo = to_base_units(d->a), hi = to_base_units(d->b);
    if (hi <= lo)
        return lo;
    return lo + (int64_t)rng_below(r, (uint64_t)(hi - lo) + 1);
}

/* lognormal(mean, sigma): the log is normal with mu chosen so that the mean of the
 * distribution itself is a (E[X] = exp(mu + sigma^2 / 2)). */
static double draw_lognormal(const struct dist *d, struct rng *r)
{
    if (d->a <= 0)
        return 0;
    double mu = log(d->a) - d->b * d->b / 2;
    return exp(mu + d->b * rng_normal(r));
}

/* pareto(scale, shape): inverse transform, scale / U^(1/shape), U in (0, 1]. */
static double draw_pareto(const struct dist *d, struct rng *r)
{
    if (d->b <= 0)
        return d->a;
    return d->a / pow(rng_unit_open0(r), 1.0 / d->b);
}

static double draw_trace(const struct dist *d, uint32_t *cursor)
{
    if (d->ntrace == 0)
        return 0;
    if (!cursor)
        return d->trace[0];
    uint32_t i = *cursor % d->ntrace;
    *cursor = i + 1 == d->ntrace ? 0 : i + 1;
    return d->trace[i];
}

/* The gaps of a burst: the interval before its first connection, 0 before the others. */
static double draw_burst(const struct dist *d, uint32_t *cursor)
{
    uint32_t n = d->a >= 1 ? (uint32_t)d->a : 1;
    if (!cursor)
        return d->b;
    uint32_t i = *cursor % n;
    *cursor = i + 1 == n ? 0 : i + 1;
    return i == 0 ? d->b : 0;
}

int64_t dist_draw(const struct dist *d, struct rng *r, uint32_t *cursor)
{
    switch (d->kind) {
    case DIST_CONST:
        return to_base_units(d->a);
    case DIST_EXP:
        return to_base_units(rng_exp(r, d->a));
    case DIST_UNIFORM:
        return draw_uniform(d, r);
    case DIST_LOGNORMAL:
        return to_base_units(draw_lognormal(d, r));
    case DIST_PARETO:
        return to_base_units(draw_pareto(d, r));
    case DIST_TRACE:
        return to_base_units(draw_trace(d, cursor));
    case DIST_BURST:
        return to_base_units(draw_burst(d, cursor));
    }
    return 0;
}

double dist_mean(const struct dist *d)
{
    switch (d->kind) {
    case DIST_CONST:
    case DIST_EXP:
    case DIST_LOGNORMAL:
        return d->a;
    case DIST_UNIFORM:
        return (d->a + d->b) / 2;
    case DIST_PARETO:
        return d->b > 1 ? d->b * d->a / (d->b - 1) : INFINITY;
    case DIST_TRACE: {
        if (d->ntrace == 0)
            return 0;
        double sum = 0;
        for (uint32_t i = 0; i < d->ntrace; i++)
            sum += d->trace[i];
        return sum / d->ntrace;
    }
    case DIST_BURST:
        return d->a >= 1 ? d->b / d->a : d->b;
    }
    return 0;
}
