/* The statistics module against known values: each constant names where it comes
 * from (SciPy 1.10.1 and NumPy on Debian 12, mpmath 1.3.0, R's documented output). */
#include <math.h>
#include <stdint.h>
#include "app/report/stats.h"
#include "tests/testutil.h"

/* Nearest rank is NumPy's percentile(method='inverted_cdf'), R's quantile(type = 1). */
static void test_nearest_rank(void)
{
    int64_t v[100];
    for (int i = 0; i < 100; i++)
        v[i] = i + 1;
    /* numpy.percentile(numpy.arange(1, 101), 99, method='inverted_cdf') = 99: 0.99 * 100
     * is 99.00000000000001 in binary, still rank 99 */
    CU_ASSERT_DOUBLE_EQUAL(stats_nearest_rank(v, 100, 0.99), 99, 0);
    CU_ASSERT_DOUBLE_EQUAL(stats_nearest_rank(v, 100, 0.50), 50, 0);
    CU_ASSERT_DOUBLE_EQUAL(stats_nearest_rank(v, 100, 1.0), 100, 0);
    CU_ASSERT_DOUBLE_EQUAL(stats_nearest_rank(v, 100, 0.001), 1, 0);
    const int64_t odd[] = { 1, 3, 5, 7, 9 };
    /* numpy.percentile([1, 3, 5, 7, 9], q, method='inverted_cdf') for q = 50, 95, 20,
     * 21: 5, 9, 1, 3 (no interpolation: always one of the samples) */
    CU_ASSERT_DOUBLE_EQUAL(stats_nearest_rank(odd, 5, 0.50), 5, 0);
    CU_ASSERT_DOUBLE_EQUAL(stats_nearest_rank(odd, 5, 0.95), 9, 0);
    CU_ASSERT_DOUBLE_EQUAL(stats_nearest_rank(odd, 5, 0.20), 1, 0);
    CU_ASSERT_DOUBLE_EQUAL(stats_nearest_rank(odd, 5, 0.21), 3, 0);
    CU_ASSERT_DOUBLE_EQUAL(stats_nearest_rank(odd, 0, 0.5), 0, 0);
}

/* Five p99s (ms) of one scheduler over seeds 1..5 (issue 18's numbers). */
static const double p99s[] = { 102.4, 100.1, 103.3, 99.8, 101.7 };

static void test_mean_variance(void)
{
    /* numpy: x.mean() = 101.46000000000001, x.var(ddof=1) = 2.2330000000000068 */
    CU_ASSERT_DOUBLE_EQUAL(stats_mean(p99s, 5), 101.46, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(stats_variance(p99s, 5), 2.233, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(stats_variance(p99s, 1), 0, 0);
    CU_ASSERT_DOUBLE_EQUAL(stats_mean(p99s, 0), 0, 0);
    /* two passes: a spread of 1e-3 on 1e9 keeps its digits (the one-pass formula
     * sum(x^2) - n mean^2 gives 0 or a negative number here) */
    const double big[] = { 1e9 + 0.001, 1e9 + 0.002, 1e9 + 0.003 };
    CU_ASSERT_DOUBLE_EQUAL(stats_variance(big, 3), 1e-6, 1e-9);
}

static void test_t975(void)
{
    /* closed forms: df 1, tan(0.475 pi) = 12.706204736174704646; df 2,
     * 0.95 sqrt(2 / 0.0975) = 4.3026527297494638523 (mpmath, 40 digits) */
    CU_ASSERT_DOUBLE_EQUAL(stats_t975(1), 12.706204736174704646, 1e-13);
    CU_ASSERT_DOUBLE_EQUAL(stats_t975(2), 4.3026527297494638523, 1e-14);
    /* scipy.stats.t.ppf(0.975, df), SciPy 1.10.1, good to about 1e-10 relative */
    static const struct { unsigned df; double t; } scipy[] = {
        { 4, 2.7764451051977987 },  { 9, 2.2621571627409915 },   { 29, 2.045229642132703 },
        { 30, 2.0422724563012373 }, { 31, 2.0395134463964077 },  { 40, 2.0210753829953374 },
        { 100, 1.9839715184496334 }, { 1000, 1.9623390808264074 },
    };
    for (size_t i = 0; i < sizeof scipy / sizeof scipy[0]; i++)
        CU_ASSERT_DOUBLE_EQUAL(stats_t975(scipy[i].df), scipy[i].t, 3e-8);
    /* the table's side: exact to 1e-15 (mpmath: the t distribution function at
     * 2.2621571627982055 with 9 df is 0.975 to 1e-18) */
    CU_ASSERT_DOUBLE_EQUAL(stats_t975(9), 2.2621571627982055, 1e-15);
    /* the expansion's side, against mpmath's 2.0395134463964085 at df 31 (its worst):
     * 2.6e-8 */
    CU_ASSERT_DOUBLE_EQUAL(stats_t975(31), 2.0395134463964085, 3e-8);
    CU_ASSERT(stats_t975(31) < stats_t975(30));          /* decreasing across the seam */
    CU_ASSERT(stats_t975(1000000) > 1.959963984540054);  /* toward z from above */
    CU_ASSERT(isnan(stats_t975(0)));
}

static void test_t_interval(void)
{
    /* scipy.stats.ttest_1samp(x, 0).confidence_interval(0.95) =
     * (99.60455343953426, 103.31544656046576) */
    struct stats_ci ci = stats_t_interval(p99s, 5);
    CU_ASSERT_EQUAL(ci.n, 5);
    CU_ASSERT_DOUBLE_EQUAL(ci.lo, 99.60455343953426, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(ci.hi, 103.31544656046576, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(ci.half, (ci.hi - ci.lo) / 2, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(ci.sd, sqrt(2.233), 1e-12);
    ci = stats_t_interval(p99s, 1);                     /* one sample: no interval */
    CU_ASSERT_DOUBLE_EQUAL(ci.mean, 102.4, 0);
    CU_ASSERT(isnan(ci.half) && isnan(ci.lo) && isnan(ci.hi));
    CU_ASSERT_EQUAL(stats_verdict(&ci), STATS_ONE_SAMPLE);
}

/* Student's sleep data (Cushny and Peebles; R's datasets::sleep), the two drugs on
 * the same ten patients. R: t.test(extra ~ group, data = sleep, paired = TRUE) gives
 * mean difference -1.58, 95 percent confidence interval -2.4598858 -0.7001142;
 * scipy.stats.ttest_rel(g1, g2).confidence_interval(0.95) = (-2.459885763254729,
 * -0.7001142367452712). */
static void test_paired(void)
{
    const double g1[] = { 0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0 };
    const double g2[] = { 1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4 };
    struct stats_ci d = stats_paired(g1, g2, 10);
    CU_ASSERT_DOUBLE_EQUAL(d.mean, -1.58, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(d.lo, -2.459885763254729, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(d.hi, -0.7001142367452712, 1e-9);
    CU_ASSERT_EQUAL(stats_verdict(&d), STATS_LOWER);
    d = stats_paired(g2, g1, 10);
    CU_ASSERT_EQUAL(stats_verdict(&d), STATS_HIGHER);
    /* unpaired, the same data's intervals overlap: pairing is what finds the effect
     * (scipy.stats.ttest_1samp(g1, 0).confidence_interval() = (-0.5297804, 2.0297804),
     * g2's (0.8976775, 3.7623225)) */
    struct stats_ci a = stats_t_interval(g1, 10), b = stats_t_interval(g2, 10);
    CU_ASSERT_DOUBLE_EQUAL(a.lo, -0.5297804, 1e-7);
    CU_ASSERT_DOUBLE_EQUAL(b.hi, 3.7623225, 1e-7);
    CU_ASSERT(a.hi > b.lo);
}

static void test_verdict(void)
{
    const double a[] = { 1, 2, 3 }, same[] = { 1, 2, 3 }, up[] = { 2, 3, 4 };
    struct stats_ci d = stats_paired(a, same, 3);       /* every difference 0 */
    CU_ASSERT_EQUAL(stats_verdict(&d), STATS_NO_DIFFERENCE);
    d = stats_paired(a, up, 3);                         /* every difference -1: width 0 */
    CU_ASSERT_DOUBLE_EQUAL(d.half, 0, 0);
    CU_ASSERT_EQUAL(stats_verdict(&d), STATS_LOWER);
    const double noisy[] = { 1, -1, 2, -2 }, zero[] = { 0, 0, 0, 0 };
    d = stats_paired(noisy, zero, 4);
    CU_ASSERT_EQUAL(stats_verdict(&d), STATS_NO_DIFFERENCE);
}

IPVSIM_SUITE(stats)
{
    CU_pSuite s = CU_add_suite("stats", NULL, NULL);
    ADD_TEST(s, test_nearest_rank);
    ADD_TEST(s, test_mean_variance);
    ADD_TEST(s, test_t975);
    ADD_TEST(s, test_t_interval);
    ADD_TEST(s, test_paired);
    ADD_TEST(s, test_verdict);
}
