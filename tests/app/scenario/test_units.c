/* Values with units (app/scenario/units.c) and distributions (model/apps/dist.c). */
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "tests/testutil.h"
#include "app/scenario/units.h"
#include "sim/in6_key.h"
#include "model/apps/dist.h"

static char why[UNITS_WHY];

static bool dur(const char *s, sim_time_t want)
{
    sim_time_t t = -1;
    return units_duration(s, &t, why, sizeof why) && t == want;
}

static bool dur_bad(const char *s)
{
    sim_time_t t;
    return !units_duration(s, &t, why, sizeof why);
}

static void test_durations(void)
{
    CU_ASSERT(dur("0", 0));
    CU_ASSERT(dur("7ns", 7));
    CU_ASSERT(dur("50us", 50000));
    CU_ASSERT(dur("1.5ms", 1500000));
    CU_ASSERT(dur("2s", 2 * SEC));
    CU_ASSERT(dur("5m", 300 * SEC));
    CU_ASSERT(dur("1h", 3600 * SEC));
    CU_ASSERT(dur("0.25s", 250 * MSEC));
    CU_ASSERT(dur("0ms", 0));
    CU_ASSERT(dur("007s", 7 * SEC));
    /* below a nanosecond: rounded to the nearest */
    CU_ASSERT(dur("0.5ns", 1));
    CU_ASSERT(dur("0.4ns", 0));
    CU_ASSERT(dur("1.0000000004s", SEC));
    /* the largest that fits, and one more */
    CU_ASSERT(dur("9223372036854775807ns", INT64_MAX));
    CU_ASSERT(dur_bad("9223372036854775808ns"));
    CU_ASSERT(strstr(why, "too large") != NULL);
    CU_ASSERT(dur("2562047h", 2562047LL * 3600 * SEC));
    CU_ASSERT(dur_bad("2562048h"));
    CU_ASSERT(dur_bad("99999999999999999999s"));
    CU_ASSERT(strstr(why, "too large") != NULL);
    /* not durations */
    const char *bad[] = { "", "5", "5 s", "-5s", ".5s", "5.s", "5sec", "1e3s", "s", "5S", "5ms ",
                          " 5ms", "5Ms", "µs", "5us5", "0x10s", "+1s", NULL };
    for (int i = 0; bad[i]; i++)
        CU_ASSERT(dur_bad(bad[i]));
    dur_bad("5 sec");
    CU_ASSERT_STRING_EQUAL(why, "expected a duration like \"50us\" (units ns, us, ms, s, m, h), "
                                "not \"5 sec\"");
}

static bool size(const char *s, uint64_t want)
{
    uint64_t v = 0;
    return units_size(s, &v, why, sizeof why) && v == want;
}

static void test_sizes(void)
{
    uint64_t v;
    CU_ASSERT(size("0", 0));
    CU_ASSERT(size("300B", 300));
    CU_ASSERT(size("20KB", 20000));
    CU_ASSERT(size("1.5MB", 1500000));
    CU_ASSERT(size("2GB", 2000000000));
    CU_ASSERT(size("4KiB", 4096));
    CU_ASSERT(size("1MiB", 1048576));
    CU_ASSERT(size("1GiB", 1073741824));
    CU_ASSERT(size("0.5KiB", 512));
    CU_ASSERT(size("9007199254740992B", 1ull << 53));
    CU_ASSERT_FALSE(units_size("9007199254740993B", &v, why, sizeof why));
    CU_ASSERT(strstr(why, "too large") != NULL);
    CU_ASSERT_FALSE(units_size("10000000GB", &v, why, sizeof why));
    const char *bad[] = { "300", "20kb", "20Kb", "20 KB", "1TB", "KB", "-1B", "1.B", NULL };
    for (int i = 0; bad[i]; i++)
        CU_ASSERT_FALSE(units_size(bad[i], &v, why, sizeof why));
}

static void test_rates(void)
{
    double r;
    CU_ASSERT(units_rate("400/s", &r, why, sizeof why) && r == 400);
    CU_ASSERT(units_rate("10/ms", &r, why, sizeof why) && r == 10000);
    CU_ASSERT(units_rate("1/ns", &r, why, sizeof why) && r == 1e9);
    CU_ASSERT(units_rate("3/us", &r, why, sizeof why) && r == 3e6);
    CU_ASSERT(units_rate("6/m", &r, why, sizeof why) && fabs(r - 0.1) < 1e-12);
    CU_ASSERT(units_rate("36/h", &r, why, sizeof why) && fabs(r - 0.01) < 1e-12);
    CU_ASSERT(units_rate("2.5/s", &r, why, sizeof why) && r == 2.5);
    CU_ASSERT_FALSE(units_rate("0/s", &r, why, sizeof why));
    CU_ASSERT_STRING_EQUAL(why, "a rate must be more than 0, not \"0/s\"");
    CU_ASSERT_FALSE(units_rate("2/ns", &r, why, sizeof why));
    CU_ASSERT(strstr(why, "more than one per nanosecond") != NULL);
    const char *bad[] = { "400", "400/sec", "/s", "400 /s", "400/", "400/S", "-1/s", NULL };
    for (int i = 0; bad[i]; i++)
        CU_ASSERT_FALSE(units_rate(bad[i], &r, why, sizeof why));
}

static void test_bandwidth_and_loss(void)
{
    uint64_t b;
    double p;
    /* 0 is refused, saying how to ask for no limit: "unlimited" */
    b = 7;
    CU_ASSERT(units_bandwidth("unlimited", &b, why, sizeof why) && b == 0);
    const char *zeros[] = { "0", "0bps", "0.0Gbps", "0.4bps" };
    for (size_t i = 0; i < G_N_ELEMENTS(zeros); i++) {
        CU_ASSERT_FALSE(units_bandwidth(zeros[i], &b, why, sizeof why));
        CU_ASSERT_PTR_NOT_NULL(strstr(why, "carries nothing: write \"unlimited\""));
    }
    CU_ASSERT(units_bandwidth("9600bps", &b, why, sizeof why) && b == 9600);
    CU_ASSERT(units_bandwidth("64Kbps", &b, why, sizeof why) && b == 64000);
    CU_ASSERT(units_bandwidth("100Mbps", &b, why, sizeof why) && b == 100000000);
    CU_ASSERT(units_bandwidth("1.5Gbps", &b, why, sizeof why) && b == 1500000000);
    CU_ASSERT_FALSE(units_bandwidth("1GB", &b, why, sizeof why));
    CU_ASSERT_FALSE(units_bandwidth("1gbps", &b, why, sizeof why));
    CU_ASSERT_FALSE(units_bandwidth("99999999999Gbps", &b, why, sizeof why));
    CU_ASSERT(units_loss_percent("1%", &p, why, sizeof why) && fabs(p - 0.01) < 1e-15);
    CU_ASSERT(units_loss_percent("0.5%", &p, why, sizeof why) && fabs(p - 0.005) < 1e-15);
    CU_ASSERT(units_loss_percent("100%", &p, why, sizeof why) && p == 1);
    CU_ASSERT_FALSE(units_loss_percent("101%", &p, why, sizeof why));
    CU_ASSERT_FALSE(units_loss_percent("1", &p, why, sizeof why));
    CU_ASSERT_FALSE(units_loss_percent("1 %", &p, why, sizeof why));
}

static void test_addresses(void)
{
    be32 a;
    uint8_t len;
    uint16_t port;
    CU_ASSERT(units_ipv4("192.0.2.1", &a) && a == htonl(0xc0000201));
    CU_ASSERT(units_ipv4("0.0.0.0", &a) && a == 0);
    CU_ASSERT(units_ipv4("255.255.255.255", &a) && a == 0xffffffff);
    const char *bad[] = { "256.0.0.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.4 ", "a.b.c.d",
                          "1..2.3", "", "1.2.3.-4", NULL };
    for (int i = 0; bad[i]; i++)
        CU_ASSERT_FALSE(units_ipv4(bad[i], &a));
    CU_ASSERT(units_cidr("198.51.100.0/24", &a, &len, why, sizeof why) && len == 24 &&
              a == htonl(0xc6336400));
    CU_ASSERT(units_cidr("0.0.0.0/0", &a, &len, why, sizeof why) && len == 0);
    CU_ASSERT(units_cidr("10.0.0.1/32", &a, &len, why, sizeof why) && len == 32);
    CU_ASSERT_FALSE(units_cidr("198.51.100.5/24", &a, &len, why, sizeof why));
    CU_ASSERT_STRING_EQUAL(why, "\"198.51.100.5/24\" has host bits set (the network is "
                                "198.51.100.0/24)");
    CU_ASSERT_FALSE(units_cidr("10.0.0.0/33", &a, &len, why, sizeof why));
    CU_ASSERT_FALSE(units_cidr("10.0.0.0/08", &a, &len, why, sizeof why));
    CU_ASSERT_FALSE(units_cidr("10.0.0.0", &a, &len, why, sizeof why));
    CU_ASSERT(units_endpoint("203.0.113.10:80", &a, &port, why, sizeof why) && port == 80);
    CU_ASSERT(units_endpoint("203.0.113.10:65535", &a, &port, why, sizeof why) && port == 65535);
    CU_ASSERT_FALSE(units_endpoint("203.0.113.10:0", &a, &port, why, sizeof why));
    CU_ASSERT_FALSE(units_endpoint("203.0.113.10:65536", &a, &port, why, sizeof why));
    CU_ASSERT_FALSE(units_endpoint("203.0.113.10", &a, &port, why, sizeof why));
    CU_ASSERT_FALSE(units_endpoint("203.0.113.10:080", &a, &port, why, sizeof why));
}

/* Either family: an IPv6 address stands as its key; 240.0.0.0/4 (the keys' space)
 * is refused as an IPv4 address; a bad IPv6 address says where it goes wrong. */
static void test_addresses6(void)
{
    be32 a, b;
    uint8_t len;
    uint16_t port;
    size_t at;
    char buf[UNITS_HOST_STRLEN];
    CU_ASSERT_FATAL(units_inet("2001:db8::10", &a, &at, why, sizeof why));
    CU_ASSERT_TRUE(in6_is_key(a));
    CU_ASSERT_STRING_EQUAL(inet_key_ntop(a, buf), "2001:db8::10");
    CU_ASSERT(units_inet("2001:DB8:0::10", &b, &at, why, sizeof why) && b == a);  /* same key */
    CU_ASSERT(units_inet("192.0.2.1", &b, &at, why, sizeof why) && b == htonl(0xc0000201));
    CU_ASSERT(units_inet("239.255.255.255", &b, &at, why, sizeof why));
    CU_ASSERT_FALSE(units_inet("240.0.0.1", &b, &at, why, sizeof why));
    CU_ASSERT_STRING_EQUAL(why, "\"240.0.0.1\" is in 240.0.0.0/4, which is reserved (class E): "
                                "use another IPv4 address");
    CU_ASSERT_FALSE(units_inet("255.255.255.255", &b, &at, why, sizeof why));
    CU_ASSERT_FALSE(units_inet("2001:db8::g", &b, &at, why, sizeof why));
    CU_ASSERT_EQUAL(at, 10);
    CU_ASSERT_STRING_EQUAL(why, "bad IPv6 address \"2001:db8::g\": expected a hexadecimal group "
                                "(1 to 4 digits)");
    CU_ASSERT_FALSE(units_inet("1::2::3", &b, &at, why, sizeof why));
    CU_ASSERT_EQUAL(at, 4);
    CU_ASSERT_FALSE(units_inet("192.0.2", &b, &at, why, sizeof why));
    CU_ASSERT_EQUAL(at, 0);
    CU_ASSERT_STRING_EQUAL(why, "expected an IPv4 address like \"192.0.2.1\", not \"192.0.2\"");
    /* networks */
    CU_ASSERT_FATAL(units_inet_cidr("2001:db8:c::/64", &a, &len, &at, why, sizeof why));
    CU_ASSERT(in6_is_key(a) && len == 64);
    CU_ASSERT_STRING_EQUAL(inet_key_ntop(a, buf), "2001:db8:c::");
    CU_ASSERT(units_inet_cidr("::/0", &a, &len, &at, why, sizeof why) && len == 0);
    CU_ASSERT_FALSE(units_inet_cidr("2001:db8:c::1/64", &a, &len, &at, why, sizeof why));
    CU_ASSERT_STRING_EQUAL(why, "\"2001:db8:c::1/64\" has host bits set (the network is "
                                "2001:db8:c::/64)");
    CU_ASSERT_FALSE(units_inet_cidr("2001:db8::/129", &a, &len, &at, why, sizeof why));
    CU_ASSERT_EQUAL(at, 11);                    /* the length, past the '/' */
    CU_ASSERT_FALSE(units_inet_cidr("2001:db8:x::/48", &a, &len, &at, why, sizeof why));
    CU_ASSERT_EQUAL(at, 9);
    CU_ASSERT_FALSE(units_inet_cidr("240.0.0.0/8", &a, &len, &at, why, sizeof why));
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "reserved"));
    /* endpoints: brackets around an IPv6 address */
    CU_ASSERT_FATAL(units_inet_endpoint("[2001:db8::10]:443", &a, &port, &at, why, sizeof why));
    CU_ASSERT(in6_is_key(a) && port == 443);
    CU_ASSERT_STRING_EQUAL(units_format_host(a, buf), "[2001:db8::10]");
    CU_ASSERT_STRING_EQUAL(units_format_host(htonl(0xc0000201), buf), "192.0.2.1");
    CU_ASSERT_FALSE(units_inet_endpoint("2001:db8::10:80", &a, &port, &at, why, sizeof why));
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "in brackets"));
    CU_ASSERT_FALSE(units_inet_endpoint("[2001:db8::10:80", &a, &port, &at, why, sizeof why));
    CU_ASSERT_STRING_EQUAL(why, "missing ']' after the IPv6 address of \"[2001:db8::10:80\"");
    CU_ASSERT_FALSE(units_inet_endpoint("[2001:db8::1x]:80", &a, &port, &at, why, sizeof why));
    CU_ASSERT_EQUAL(at, 12);                    /* the 'x', past the bracket */
    CU_ASSERT_FALSE(units_inet_endpoint("[2001:db8::10]:65536", &a, &port, &at, why, sizeof why));
    CU_ASSERT_EQUAL(at, 15);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "out of range"));
    CU_ASSERT_FALSE(units_inet_endpoint("[2001:db8::10]", &a, &port, &at, why, sizeof why));
    CU_ASSERT_FALSE(units_endpoint("240.1.2.3:80", &a, &port, why, sizeof why));
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "reserved"));
}

static void test_format_duration(void)
{
    char buf[32];
    CU_ASSERT_STRING_EQUAL(units_format_duration(0, buf, sizeof buf), "0");
    CU_ASSERT_STRING_EQUAL(units_format_duration(60 * SEC, buf, sizeof buf), "1m");
    CU_ASSERT_STRING_EQUAL(units_format_duration(90 * SEC, buf, sizeof buf), "90s");
    CU_ASSERT_STRING_EQUAL(units_format_duration(1500 * USEC, buf, sizeof buf), "1500us");
    CU_ASSERT_STRING_EQUAL(units_format_duration(7, buf, sizeof buf), "7ns");
}

/* ---- distributions: parsing ----------------------------------------------------------- */

static bool dist_is(const char *s, enum unit_kind kind, enum dist_kind k, double a, double b)
{
    struct dist_spec sp;
    bool ok = units_dist(s, kind, &sp, why, sizeof why);
    g_free(sp.trace_file);
    return ok && sp.d.kind == k && sp.d.a == a && sp.d.b == b;
}

static bool dist_bad(const char *s, enum unit_kind kind)
{
    struct dist_spec sp;
    bool ok = units_dist(s, kind, &sp, why, sizeof why);
    if (ok)
        g_free(sp.trace_file);
    return !ok;
}

static void test_dist_parse(void)
{
    CU_ASSERT(dist_is("10ms", UNIT_TIME, DIST_CONST, 1e7, 0));
    CU_ASSERT(dist_is("0", UNIT_TIME, DIST_CONST, 0, 0));
    CU_ASSERT(dist_is("const(10ms)", UNIT_TIME, DIST_CONST, 1e7, 0));
    CU_ASSERT(dist_is("exp(10ms)", UNIT_TIME, DIST_EXP, 1e7, 0));
    CU_ASSERT(dist_is("uniform(5ms,15ms)", UNIT_TIME, DIST_UNIFORM, 5e6, 15e6));
    CU_ASSERT(dist_is("uniform(5ms, 15ms)", UNIT_TIME, DIST_UNIFORM, 5e6, 15e6));
    CU_ASSERT(dist_is("lognormal(20KB,1.0)", UNIT_SIZE, DIST_LOGNORMAL, 20000, 1.0));
    CU_ASSERT(dist_is("lognormal(20KB,0)", UNIT_SIZE, DIST_LOGNORMAL, 20000, 0));
    CU_ASSERT(dist_is("pareto(1KiB,1.5)", UNIT_SIZE, DIST_PARETO, 1024, 1.5));
    CU_ASSERT(dist_is("300B", UNIT_SIZE, DIST_CONST, 300, 0));

    struct dist_spec sp;
    CU_ASSERT(units_dist("trace(sizes.csv,KB)", UNIT_SIZE, &sp, why, sizeof why));
    CU_ASSERT_EQUAL(sp.d.kind, DIST_TRACE);
    CU_ASSERT_STRING_EQUAL(sp.trace_file, "sizes.csv");
    CU_ASSERT_EQUAL(sp.trace_scale, 1000);
    g_free(sp.trace_file);
    CU_ASSERT(units_dist("trace(dir/t.csv)", UNIT_TIME, &sp, why, sizeof why));
    CU_ASSERT_EQUAL(sp.trace_scale, 1e9);
    CU_ASSERT_FALSE(sp.arrival_times);
    g_free(sp.trace_file);

    CU_ASSERT(dist_bad("exp(10)", UNIT_TIME));
    CU_ASSERT_STRING_EQUAL(why, "exp: expected a duration like \"50us\" (units ns, us, ms, s, m, h), "
                                "not \"10\"");
    CU_ASSERT(dist_bad("expo(10ms)", UNIT_TIME));
    CU_ASSERT_STRING_EQUAL(why, "unknown distribution 'expo' (expected const, exp, uniform, "
                                "lognormal, pareto or trace)");
    CU_ASSERT(dist_bad("exp(10ms", UNIT_TIME));
    CU_ASSERT(dist_bad("exp(10ms,1)", UNIT_TIME));
    CU_ASSERT_STRING_EQUAL(why, "exp takes 1 argument, e.g. \"exp(10ms)\"");
    CU_ASSERT(dist_bad("uniform(15ms,5ms)", UNIT_TIME));
    CU_ASSERT(dist_bad("uniform(5ms)", UNIT_TIME));
    CU_ASSERT(dist_bad("uniform( 5ms,15ms)", UNIT_TIME));
    CU_ASSERT(dist_bad("lognormal(0,1)", UNIT_SIZE));
    CU_ASSERT(dist_bad("lognormal(20KB,-1)", UNIT_SIZE));
    CU_ASSERT(dist_bad("pareto(1KB,0)", UNIT_SIZE));
    CU_ASSERT(dist_bad("exp(10KB)", UNIT_TIME));
    CU_ASSERT(dist_bad("exp(10ms)", UNIT_SIZE));
    CU_ASSERT(dist_bad("trace()", UNIT_TIME));
    CU_ASSERT(dist_bad("trace(a.csv,KB)", UNIT_TIME));
    CU_ASSERT(dist_bad("trace(a b.csv)", UNIT_TIME));
    CU_ASSERT(dist_bad("exp(10ms) ", UNIT_TIME));
    CU_ASSERT(dist_bad("", UNIT_TIME));
    CU_ASSERT(dist_bad("poisson(400/s)", UNIT_TIME));
}

/* An argument's own message, and where it starts (for the error's column). */
static void test_dist_argument_errors(void)
{
    struct dist_spec sp;
    CU_ASSERT_FALSE(units_dist("exp(10 ms)", UNIT_TIME, &sp, why, sizeof why));
    CU_ASSERT_STRING_EQUAL(why, "exp: expected a duration like \"50us\" (units ns, us, ms, s, m, h), "
                                "not \"10 ms\" (no space between the number and its unit)");
    CU_ASSERT_EQUAL(sp.err_at, 4);
    CU_ASSERT_FALSE(units_dist("uniform(5ms, 15 ms)", UNIT_TIME, &sp, why, sizeof why));
    CU_ASSERT_EQUAL(sp.err_at, 13);
    CU_ASSERT_FALSE(units_dist("lognormal(20KB,x)", UNIT_SIZE, &sp, why, sizeof why));
    CU_ASSERT_STRING_EQUAL(why, "lognormal: expected a number like \"1.5\" for the sigma, not \"x\"");
    CU_ASSERT_EQUAL(sp.err_at, 15);
    /* the plain value says the same about the space */
    CU_ASSERT_FALSE(units_dist("3 s", UNIT_TIME, &sp, why, sizeof why));
    CU_ASSERT_STRING_EQUAL(why, "expected a duration like \"10ms\" or a distribution like "
                                "\"exp(10ms)\", not \"3 s\" (no space between the number and its unit)");
    CU_ASSERT_EQUAL(sp.err_at, 0);
    /* a fault of the whole call has no argument's place */
    CU_ASSERT_FALSE(units_dist("uniform(15ms,5ms)", UNIT_TIME, &sp, why, sizeof why));
    CU_ASSERT_EQUAL(sp.err_at, 0);
    CU_ASSERT_FALSE(units_dist("exp()", UNIT_TIME, &sp, why, sizeof why));
    CU_ASSERT_STRING_EQUAL(why, "exp takes 1 argument, e.g. \"exp(10ms)\"");
    CU_ASSERT_FALSE(units_arrival("burst(10, 1 s)", &sp, why, sizeof why));
    CU_ASSERT_EQUAL(sp.err_at, 10);
    CU_ASSERT_FALSE(units_arrival("poisson(400 /s)", &sp, why, sizeof why));
    CU_ASSERT_EQUAL(sp.err_at, 8);
    /* a size's space, and a wrong unit gets no hint */
    CU_ASSERT_FALSE(units_dist("20 KB", UNIT_SIZE, &sp, why, sizeof why));
    CU_ASSERT(strstr(why, "(no space between the number and its unit)") != NULL);
    CU_ASSERT_FALSE(units_dist("exp(5 sec)", UNIT_TIME, &sp, why, sizeof why));
    CU_ASSERT(strstr(why, "no space") == NULL);
}

static bool arrival_is(const char *s, enum dist_kind k, double a, double b)
{
    struct dist_spec sp;
    bool ok = units_arrival(s, &sp, why, sizeof why);
    if (ok)
        g_free(sp.trace_file);
    return ok && sp.d.kind == k && fabs(sp.d.a - a) < 1e-6 && sp.d.b == b;
}

static void test_arrival_parse(void)
{
    struct dist_spec sp;
    CU_ASSERT(arrival_is("poisson(400/s)", DIST_EXP, 2.5e6, 0));
    CU_ASSERT(arrival_is("const(100/s)", DIST_CONST, 1e7, 0));
    CU_ASSERT(arrival_is("const(10ms)", DIST_CONST, 1e7, 0));
    CU_ASSERT(arrival_is("burst(10,1s)", DIST_BURST, 10, 1e9));
    CU_ASSERT(arrival_is("burst(10, 1s)", DIST_BURST, 10, 1e9));
    CU_ASSERT(arrival_is("exp(2.5ms)", DIST_EXP, 2.5e6, 0));
    CU_ASSERT(arrival_is("uniform(1ms,3ms)", DIST_UNIFORM, 1e6, 3e6));
    CU_ASSERT(arrival_is("5ms", DIST_CONST, 5e6, 0));
    CU_ASSERT(units_arrival("trace(arrivals.csv)", &sp, why, sizeof why));
    CU_ASSERT(sp.arrival_times);
    g_free(sp.trace_file);

    const char *bad[] = { "poisson(400)", "poisson(0/s)", "400/s", "const(0)", "exp(0)",
                          "uniform(0,0)", "burst(0,1s)", "burst(10,0)", "burst(1.5,1s)", "0",
                          "poison(400/s)", "burst(10)", NULL };
    for (int i = 0; bad[i]; i++) {
        bool ok = units_arrival(bad[i], &sp, why, sizeof why);
        CU_ASSERT_FALSE(ok);
        if (ok) {
            fprintf(stderr, "accepted arrival '%s'\n", bad[i]);
            g_free(sp.trace_file);
        }
    }
    units_arrival("poison(400/s)", &sp, why, sizeof why);
    CU_ASSERT_STRING_EQUAL(why, "unknown arrival 'poison' (expected poisson, const, burst, exp, "
                                "uniform, lognormal, pareto or trace)");
    units_arrival("400/s", &sp, why, sizeof why);
    CU_ASSERT(strstr(why, "expected an arrival like \"poisson(400/s)\"") == why);
}

/* ---- distributions: draws -------------------------------------------------------------- */

static double sample_mean(const struct dist *d, int n, const char *stream)
{
    struct rng r;
    rng_init(&r, 42, stream);
    uint32_t cursor = 0;
    double sum = 0;
    for (int i = 0; i < n; i++) {
        int64_t x = dist_draw(d, &r, &cursor);
        CU_ASSERT(x >= 0);
        sum += (double)x;
    }
    return sum / n;
}

static void test_dist_means(void)
{
    const int n = 200000;
    struct dist c = { .kind = DIST_CONST, .a = 1e7 };
    CU_ASSERT_EQUAL(sample_mean(&c, 100, "c"), 1e7);
    CU_ASSERT_EQUAL(dist_mean(&c), 1e7);

    /* exp: sd = mean, so the sample mean's sd is mean / sqrt(n) = 0.22%; allow 1.5%. */
    struct dist e = { .kind = DIST_EXP, .a = 1e7 };
    CU_ASSERT_DOUBLE_EQUAL(sample_mean(&e, n, "e"), 1e7, 1.5e5);
    CU_ASSERT_EQUAL(dist_mean(&e), 1e7);

    struct dist u = { .kind = DIST_UNIFORM, .a = 5e6, .b = 15e6 };
    CU_ASSERT_DOUBLE_EQUAL(sample_mean(&u, n, "u"), 1e7, 0.5e5);
    CU_ASSERT_EQUAL(dist_mean(&u), 1e7);

    /* lognormal(20KB, 1.0): sd = mean * sqrt(e - 1) = 1.31 mean; sample sd 0.3%; allow 2%. */
    struct dist l = { .kind = DIST_LOGNORMAL, .a = 20000, .b = 1.0 };
    CU_ASSERT_DOUBLE_EQUAL(sample_mean(&l, n, "l"), 20000, 400);
    CU_ASSERT_EQUAL(dist_mean(&l), 20000);

    /* pareto(scale 1000, shape 3): mean 1500, finite variance. */
    struct dist p = { .kind = DIST_PARETO, .a = 1000, .b = 3 };
    CU_ASSERT_DOUBLE_EQUAL(sample_mean(&p, n, "p"), 1500, 30);
    CU_ASSERT_DOUBLE_EQUAL(dist_mean(&p), 1500, 1e-9);
    struct dist p1 = { .kind = DIST_PARETO, .a = 1000, .b = 1 };
    CU_ASSERT(isinf(dist_mean(&p1)));
}

static void test_dist_uniform_integers(void)
{
    /* uniform over integers: both ends come up, nothing outside. */
    struct dist u = { .kind = DIST_UNIFORM, .a = 3, .b = 5 };
    struct rng r;
    rng_init(&r, 1, "ends");
    int seen[8] = { 0 };
    for (int i = 0; i < 3000; i++) {
        int64_t x = dist_draw(&u, &r, NULL);
        CU_ASSERT(x >= 3 && x <= 5);
        if (x >= 0 && x < 8)
            seen[x]++;
    }
    CU_ASSERT(seen[3] > 800 && seen[4] > 800 && seen[5] > 800);
}

static void test_dist_trace_and_burst(void)
{
    double vals[] = { 5, 1, 7.6, 0 };
    struct dist t = { .kind = DIST_TRACE, .trace = vals, .ntrace = 4 };
    struct rng r;
    rng_init(&r, 1, "trace");
    uint32_t cur = 0;
    int64_t want[] = { 5, 1, 8, 0, 5, 1, 8, 0, 5 };
    for (size_t i = 0; i < G_N_ELEMENTS(want); i++)
        CU_ASSERT_EQUAL(dist_draw(&t, &r, &cur), want[i]);
    CU_ASSERT_DOUBLE_EQUAL(dist_mean(&t), 13.6 / 4, 1e-12);
    CU_ASSERT_EQUAL(dist_draw(&t, &r, NULL), 5);

    struct dist b = { .kind = DIST_BURST, .a = 3, .b = 1e9 };
    cur = 0;
    int64_t gaps[] = { SEC, 0, 0, SEC, 0, 0, SEC };
    for (size_t i = 0; i < G_N_ELEMENTS(gaps); i++)
        CU_ASSERT_EQUAL(dist_draw(&b, &r, &cur), gaps[i]);
    CU_ASSERT_DOUBLE_EQUAL(dist_mean(&b), 1e9 / 3, 1e-3);
}

static void test_dist_determinism(void)
{
    struct dist l = { .kind = DIST_LOGNORMAL, .a = 20000, .b = 1.0 };
    struct rng a, b;
    rng_init(&a, 7, "same");
    rng_init(&b, 7, "same");
    for (int i = 0; i < 1000; i++)
        CU_ASSERT_EQUAL(dist_draw(&l, &a, NULL), dist_draw(&l, &b, NULL));
}

/* ---- trace files --------------------------------------------------------------------- */

static char *write_tmp(const char *dir, const char *name, const char *text)
{
    char *path = g_build_filename(dir, name, NULL);
    g_file_set_contents(path, text, -1, NULL);
    return path;
}

static void test_trace_files(void)
{
    char *dir = g_dir_make_tmp("ipvsim-trace-XXXXXX", NULL);
    double *v = NULL;
    uint32_t n = 0;
    int line;

    char *p = write_tmp(dir, "a.csv", "size,comment\n100,first\n\n# skipped\n2KB,second\r\n\"300\"\n");
    CU_ASSERT(units_read_trace(p, UNIT_SIZE, 1, false, &v, &n, &line, why, sizeof why));
    CU_ASSERT_EQUAL(n, 3);
    if (n == 3) {
        CU_ASSERT_EQUAL(v[0], 100);
        CU_ASSERT_EQUAL(v[1], 2000);
        CU_ASSERT_EQUAL(v[2], 300);
    }
    g_free(v);
    g_free(p);

    /* arrival times become gaps; bare numbers are seconds */
    p = write_tmp(dir, "t.csv", "0.5\n0.75\n2\n2\n");
    CU_ASSERT(units_read_trace(p, UNIT_TIME, 1e9, true, &v, &n, &line, why, sizeof why));
    CU_ASSERT_EQUAL(n, 4);
    if (n == 4) {
        CU_ASSERT_EQUAL(v[0], 5e8);
        CU_ASSERT_EQUAL(v[1], 2.5e8);
        CU_ASSERT_EQUAL(v[2], 1.25e9);
        CU_ASSERT_EQUAL(v[3], 0);
    }
    g_free(v);
    g_free(p);

    p = write_tmp(dir, "dec.csv", "1\n3\n2\n");
    CU_ASSERT_FALSE(units_read_trace(p, UNIT_TIME, 1e9, true, &v, &n, &line, why, sizeof why));
    CU_ASSERT_EQUAL(line, 3);
    g_free(p);

    p = write_tmp(dir, "bad.csv", "value\n1\nfoo\n");
    CU_ASSERT_FALSE(units_read_trace(p, UNIT_TIME, 1e9, false, &v, &n, &line, why, sizeof why));
    CU_ASSERT_EQUAL(line, 3);
    /* never the line itself: a trace may name any readable file */
    CU_ASSERT_STRING_EQUAL(why, "the first column is not a number or a duration like \"10ms\"");
    g_free(p);

    p = write_tmp(dir, "neg.csv", "1\n-1\n");
    CU_ASSERT_FALSE(units_read_trace(p, UNIT_TIME, 1e9, false, &v, &n, &line, why, sizeof why));
    CU_ASSERT_EQUAL(line, 2);
    g_free(p);

    p = write_tmp(dir, "empty.csv", "header only\n");
    CU_ASSERT_FALSE(units_read_trace(p, UNIT_TIME, 1e9, false, &v, &n, &line, why, sizeof why));
    CU_ASSERT_STRING_EQUAL(why, "the trace holds no values");
    g_free(p);

    p = g_build_filename(dir, "missing.csv", NULL);
    CU_ASSERT_FALSE(units_read_trace(p, UNIT_TIME, 1e9, false, &v, &n, &line, why, sizeof why));
    CU_ASSERT_EQUAL(line, 0);
    CU_ASSERT(strstr(why, "No such file or directory") != NULL);
    g_free(p);

    /* Only regular files are read: a FIFO would block the loader for ever (it is
     * opened without waiting for a writer, and refused), a device never ends. */
    p = g_build_filename(dir, "fifo.csv", NULL);
    CU_ASSERT_EQUAL_FATAL(mkfifo(p, 0600), 0);
    CU_ASSERT_FALSE(units_read_trace(p, UNIT_TIME, 1e9, false, &v, &n, &line, why, sizeof why));
    CU_ASSERT_EQUAL(line, 0);
    CU_ASSERT(strstr(why, "a FIFO, not a regular file") != NULL);
    g_free(p);
    CU_ASSERT_FALSE(units_read_trace("/dev/zero", UNIT_TIME, 1e9, false, &v, &n, &line, why,
                                     sizeof why));
    CU_ASSERT(strstr(why, "not a regular file") != NULL);
    CU_ASSERT_FALSE(units_read_trace(dir, UNIT_TIME, 1e9, false, &v, &n, &line, why, sizeof why));
    CU_ASSERT(strstr(why, "a directory, not a regular file") != NULL);

    /* a line of any length is read in bounded memory, and refused past 4096 bytes */
    char *longline = g_strnfill(5000, '1');
    char *text = g_strconcat("1\n", longline, "\n", NULL);
    p = write_tmp(dir, "long.csv", text);
    CU_ASSERT_FALSE(units_read_trace(p, UNIT_TIME, 1e9, false, &v, &n, &line, why, sizeof why));
    CU_ASSERT_EQUAL(line, 2);
    CU_ASSERT_STRING_EQUAL(why, "a line longer than 4096 bytes");
    g_free(p);
    g_free(text);
    g_free(longline);

    const char *names[] = { "a.csv", "t.csv", "dec.csv", "bad.csv", "neg.csv", "empty.csv",
                            "fifo.csv", "long.csv" };
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        char *f = g_build_filename(dir, names[i], NULL);
        g_remove(f);
        g_free(f);
    }
    g_rmdir(dir);
    g_free(dir);
}

/* csv_split: cells trimmed in place with their columns; cells beyond max counted only. */
static void test_csv_split(void)
{
    char line[] = " 10ms , 198.51.100.7:40001,\t300B,4KB\r";
    struct csv_cell c[3];
    CU_ASSERT_EQUAL(csv_split(line, c, 3), 4);
    CU_ASSERT_STRING_EQUAL(c[0].text, "10ms");
    CU_ASSERT_EQUAL(c[0].col, 2);
    CU_ASSERT_STRING_EQUAL(c[1].text, "198.51.100.7:40001");
    CU_ASSERT_EQUAL(c[1].col, 9);
    CU_ASSERT_STRING_EQUAL(c[2].text, "300B");
    CU_ASSERT_EQUAL(c[2].col, 29);
    char empty[] = "";
    CU_ASSERT_EQUAL(csv_split(empty, c, 3), 1);
    CU_ASSERT_STRING_EQUAL(c[0].text, "");
}

IPVSIM_SUITE(units)
{
    CU_pSuite s = CU_add_suite("units", NULL, NULL);
    ADD_TEST(s, test_durations);
    ADD_TEST(s, test_sizes);
    ADD_TEST(s, test_rates);
    ADD_TEST(s, test_bandwidth_and_loss);
    ADD_TEST(s, test_addresses);
    ADD_TEST(s, test_addresses6);
    ADD_TEST(s, test_format_duration);
    ADD_TEST(s, test_dist_parse);
    ADD_TEST(s, test_dist_argument_errors);
    ADD_TEST(s, test_arrival_parse);
    ADD_TEST(s, test_dist_means);
    ADD_TEST(s, test_dist_uniform_integers);
    ADD_TEST(s, test_dist_trace_and_burst);
    ADD_TEST(s, test_dist_determinism);
    ADD_TEST(s, test_trace_files);
    ADD_TEST(s, test_csv_split);
}
