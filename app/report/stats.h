/* The statistics of ipvsim's reports, done once: what a run's summary, its figures and
 * `compare` compute from samples.
 *
 *   stats_nearest_rank   a quantile of one run's sorted response times (p50, p95, p99):
 *                        the nearest-rank definition, the smallest value with at least
 *                        q n values at or below it (Hyndman & Fan's definition 1, R's
 *                        quantile(type = 1)), never an interpolation between two samples;
 *   stats_mean, stats_variance
 *                        the mean, and the sample variance (n - 1 in the denominator);
 *   stats_t975           Student's t quantile for a two-sided 95 % interval;
 *   stats_t_interval     the 95 % confidence interval of a mean over independent
 *                        replications (each replication's metric one sample);
 *   stats_paired         the same for the mean of paired differences a[i] - b[i] (two
 *                        schedulers on the same seed: common random numbers, so the
 *                        difference's spread is smaller than either's);
 *   stats_verdict        whether an interval excludes 0, and on which side.
 *
 * Replications of one scenario under different seeds are independent samples; the
 * interval assumes each metric's mean over them is about normal (the t interval),
 * which holds well enough for means of many connections and is the usual practice of
 * simulation output analysis (Law, "Simulation Modeling and Analysis", ch. 9-10). */
#ifndef IPVSIM_APP_REPORT_STATS_H
#define IPVSIM_APP_REPORT_STATS_H

#include <stddef.h>
#include <stdint.h>

/* The nearest-rank quantile (0 < q <= 1) of n sorted values: v[rank - 1] with rank
 * = ceil(q n), except that a q n at most 1e-6 above an integer k gives k (q n in
 * binary may land just above the integer it stands for); rank at least 1. 0 when n
 * is 0. */
double stats_nearest_rank(const int64_t *sorted, size_t n, double q);

/* The mean of n values (0 when n is 0). */
double stats_mean(const double *x, size_t n);

/* The sample variance (sum of squared deviations / (n - 1)), two passes; 0 when n < 2. */
double stats_variance(const double *x, size_t n);

/* t such that P(-t < T < t) = 0.95 for Student's T with df degrees of freedom
 * (scipy.stats.t.ppf(0.975, df)). df 1 to 30 from a table computed to 17 digits;
 * above, the Cornish-Fisher expansion in 1/df to the fourth order (Abramowitz and
 * Stegun 26.7.5), whose error is at most 2.7e-8 (at df 31, falling as 1/df^5).
 * NAN when df is 0. */
double stats_t975(unsigned df);

/* A mean and its 95 % confidence interval [lo, hi] = mean -+ half. With n < 2 there
 * is no interval: half is NAN (and lo, hi too). */
struct stats_ci {
    size_t n;
    double mean, sd, half, lo, hi;
};

/* The Student t interval of the mean of n samples: half = t975(n - 1) sd / sqrt(n). */
struct stats_ci stats_t_interval(const double *x, size_t n);

/* The t interval of the mean of the paired differences a[i] - b[i]. */
struct stats_ci stats_paired(const double *a, const double *b, size_t n);

enum stats_verdict {
    STATS_ONE_SAMPLE,               /* n < 2: no interval, no verdict */
    STATS_NO_DIFFERENCE,            /* the interval holds 0 */
    STATS_LOWER,                    /* the whole interval is below 0 */
    STATS_HIGHER,                   /* above 0 */
};

/* Where the interval of a difference lies against 0. An interval of width 0 (every
 * difference the same) excludes 0 unless that difference is 0. */
enum stats_verdict stats_verdict(const struct stats_ci *d);

#endif
