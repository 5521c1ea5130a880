/* Values with units (app/scenario/units.h): durations, sizes, rates, bandwidths, loss,
 * addresses, distributions, arrival processes, trace values and trace files.
 *
 * Input: byte 0 picks the parser, the rest is the text (a trace file's contents for
 * the trace reader). Checks beyond the sanitizers: a refused value always says why;
 * a duration printed by units_format_duration reads back as itself; a distribution
 * that parses can be drawn from (draws are >= 0) and has a mean. */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "app/scenario/units.h"
#include "tools/fuzz/fuzz.h"
#include "sim/in6.h"
#include "sim/in6_key.h"

static int trace_fd = -1;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    trace_fd = memfd_create("ipvsim-fuzz-trace", 0);
    return 0;
}

static void why_given(bool ok, const char *why, const char *what, const char *s)
{
    if (!ok && why[0] == '\0') {
        fprintf(stderr, "%s: '%s' refused without a reason\n", what, s);
        abort();
    }
}

static void draw_some(const struct dist *d, const char *s)
{
    if (d->kind == DIST_TRACE)
        return;
    struct rng r;
    rng_init(&r, 1, "fuzz");
    uint32_t cursor = 0;
    for (int i = 0; i < 16; i++) {
        int64_t v = dist_draw(d, &r, &cursor);
        if (v < 0) {
            fprintf(stderr, "dist '%s': draw %lld < 0\n", s, (long long)v);
            abort();
        }
    }
    (void)dist_mean(d);
}

static void one_dist(const char *s, int which)
{
    struct dist_spec spec;
    char why[UNITS_WHY] = "";
    memset(&spec, 0, sizeof spec);
    bool ok = which == 0   ? units_dist(s, UNIT_TIME, &spec, why, sizeof why)
              : which == 1 ? units_dist(s, UNIT_SIZE, &spec, why, sizeof why)
                           : units_arrival(s, &spec, why, sizeof why);
    why_given(ok, why, "dist", s);
    if (ok)
        draw_some(&spec.d, s);
    g_free(spec.trace_file);
}

static void trace_file(const uint8_t *data, size_t size, uint8_t sel)
{
    if (trace_fd < 0 || ftruncate(trace_fd, 0) != 0 || pwrite(trace_fd, data, size, 0) != (ssize_t)size)
        return;
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", trace_fd);
    double *values = NULL;
    uint32_t n = 0;
    int line = 0;
    char why[UNITS_WHY] = "";
    enum unit_kind kind = sel & 1 ? UNIT_SIZE : UNIT_TIME;
    bool ok = units_read_trace(path, kind, sel & 2 ? 1e-3 : 1.0, sel & 4, &values, &n, &line, why,
                               sizeof why);
    why_given(ok, why, "trace file", "");
    if (ok) {
        struct dist d = { .kind = DIST_TRACE, .trace = values, .ntrace = n };
        struct rng r;
        rng_init(&r, 1, "fuzz");
        uint32_t cursor = 0;
        for (int i = 0; i < 4; i++)
            dist_draw(&d, &r, &cursor);
        (void)dist_mean(&d);
    }
    g_free(values);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 4096)
        return 0;
    uint8_t sel = data[0];
    if (sel >= 0xf0) {
        trace_file(data + 1, size - 1, sel);
        return 0;
    }
    char *s = fuzz_cstr(data + 1, size - 1);
    char why[UNITS_WHY] = "";
    bool ok;
    switch (sel % 14) {
    case 0: {
        sim_time_t t;
        ok = units_duration(s, &t, why, sizeof why);
        why_given(ok, why, "duration", s);
        if (ok) {
            char buf[64];
            sim_time_t back;
            units_format_duration(t, buf, sizeof buf);
            if (!units_duration(buf, &back, why, sizeof why) || back != t) {
                fprintf(stderr, "duration '%s' = %lld prints as '%s', which reads back as %lld\n", s,
                        (long long)t, buf, (long long)back);
                abort();
            }
        }
        break;
    }
    case 1: {
        uint64_t v;
        ok = units_size(s, &v, why, sizeof why);
        why_given(ok, why, "size", s);
        break;
    }
    case 2: {
        double r;
        ok = units_rate(s, &r, why, sizeof why);
        why_given(ok, why, "rate", s);
        if (ok && !(r > 0)) {
            fprintf(stderr, "rate '%s' = %g is not more than 0\n", s, r);
            abort();
        }
        break;
    }
    case 3: {
        uint64_t bps;
        ok = units_bandwidth(s, &bps, why, sizeof why);
        why_given(ok, why, "bandwidth", s);
        break;
    }
    case 4: {
        double p;
        ok = units_loss_percent(s, &p, why, sizeof why);
        why_given(ok, why, "loss", s);
        if (ok && !(p >= 0 && p <= 1)) {
            fprintf(stderr, "loss '%s' = %g is not a probability\n", s, p);
            abort();
        }
        break;
    }
    case 5: {
        be32 a, back;
        size_t at = 0;
        units_ipv4(s, &a);
        ok = units_inet(s, &a, &at, why, sizeof why);
        why_given(ok, why, "address", s);
        /* the error's offset is in the text; an address prints and reads back as itself */
        char buf[INET_KEY_STRLEN];
        if ((!ok && at > strlen(s)) ||
            (ok && (!units_inet(inet_key_ntop(a, buf), &back, &at, why, sizeof why) || back != a))) {
            fprintf(stderr, "address '%s': offset %zu or no round trip\n", s, at);
            abort();
        }
        break;
    }
    case 6: {
        be32 net;
        uint8_t prefix;
        ok = units_cidr(s, &net, &prefix, why, sizeof why);
        why_given(ok, why, "cidr", s);
        bool v6 = ok && in6_is_key(net);
        struct in6_addr masked;
        if (v6)
            ipv6_addr_prefix(&masked, in6_key_addr(net), prefix);
        if (ok && (v6 ? prefix > 128 || !ipv6_addr_equal(&masked, in6_key_addr(net))
                      : prefix > 32 || (net & ~inet_mask(prefix)) != 0)) {
            fprintf(stderr, "cidr '%s': host bits set or prefix %u\n", s, prefix);
            abort();
        }
        break;
    }
    case 7: {
        be32 a;
        uint16_t port;
        ok = units_endpoint(s, &a, &port, why, sizeof why);
        why_given(ok, why, "endpoint", s);
        if (ok && port == 0) {
            fprintf(stderr, "endpoint '%s': port 0\n", s);
            abort();
        }
        break;
    }
    case 8: case 9: case 10:
        one_dist(s, sel % 14 - 8);
        break;
    case 11: case 12: {
        double v;
        ok = units_trace_value(s, sel % 14 == 11 ? UNIT_TIME : UNIT_SIZE, 1.0, &v, why, sizeof why);
        why_given(ok, why, "trace value", s);
        break;
    }
    default: {
        /* every parser on the same text */
        sim_time_t t;
        uint64_t u;
        double d;
        be32 a;
        uint8_t p;
        uint16_t port;
        units_duration(s, &t, why, sizeof why);
        units_size(s, &u, why, sizeof why);
        units_rate(s, &d, why, sizeof why);
        units_bandwidth(s, &u, why, sizeof why);
        units_loss_percent(s, &d, why, sizeof why);
        units_cidr(s, &a, &p, why, sizeof why);
        units_endpoint(s, &a, &port, why, sizeof why);
        for (int k = 0; k < 3; k++)
            one_dist(s, k);
        break;
    }
    }
    g_free(s);
    return 0;
}
