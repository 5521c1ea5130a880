/* Values with units, as scenario files write them, converted exactly to base units:
 *
 *   duration    "50us", "1.5ms", "2s", "5m", "1h" (ns us ms s m h), or a bare 0
 *   size        "300B", "20KB", "1.5MB", "1GB" (decimal: 1KB = 1000B), "4KiB", "1MiB",
 *               "1GiB" (powers of 1024), or a bare 0
 *   rate        "400/s", "10/ms", "3/m" (events per ns us ms s m h), more than 0
 *   bandwidth   "1Gbps", "100Mbps", "64Kbps", "9600bps", or "unlimited" (no serialisation
 *               delay); 0 is refused
 *   loss        "1%", "0.5%" (the number form 0..1 is the JSON number itself)
 *   address     "192.0.2.1" (no leading zeros), "192.0.2.0/24", "192.0.2.1:80"
 *
 * A number is digits with an optional fraction ("1.5"); no sign, no exponent, no
 * space before the unit. Conversions are exact integer arithmetic, rounded to the
 * nearest base unit; a value that does not fit is refused.
 *
 * Distributions (model/apps/dist.h), of durations or of sizes:
 *   VALUE                  const(VALUE)
 *   const(v)  exp(mean)  uniform(a,b)  lognormal(mean,sigma)  pareto(scale,shape)
 *   trace(FILE) / trace(FILE,UNIT)   values from a file, replayed in order
 * Arrivals (the time between new connections of a client group) also take
 *   poisson(RATE)          exponential gaps of mean 1/RATE
 *   const(RATE)            fixed gaps of 1/RATE
 *   burst(N,INTERVAL)      N connections at once, every INTERVAL
 * and every distribution of durations (the gaps themselves); an arrival trace holds
 * arrival times (non-decreasing), not gaps. Spaces may follow a comma.
 *
 * Every parser returns false with a message ("expected a duration like \"50us\"
 * (units ns, us, ms, s, m, h), not \"5 sec\"") in why; an argument of a distribution
 * gets its own value's message, after the distribution's name ("exp: expected a
 * duration ..., not \"10 ms\" (no space between the number and its unit)"). */
#ifndef IPVSIM_APP_SCENARIO_UNITS_H
#define IPVSIM_APP_SCENARIO_UNITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "model/apps/dist.h"
#include "sim/proto.h"
#include "sim/time.h"

#define UNITS_WHY 256

/* What a distribution's values are. */
enum unit_kind {
    UNIT_TIME,                      /* nanoseconds */
    UNIT_SIZE,                      /* bytes */
};

bool units_duration(const char *s, sim_time_t *out, char *why, size_t n);
bool units_size(const char *s, uint64_t *out, char *why, size_t n);
bool units_rate(const char *s, double *per_sec, char *why, size_t n);
bool units_bandwidth(const char *s, uint64_t *bps, char *why, size_t n);
/* "N%" with N from 0 to 100, as a probability. */
bool units_loss_percent(const char *s, double *p, char *why, size_t n);

/* A duration the way a scenario writes it, in the largest unit that keeps it exact
 * ("60s", "1500us", "0"). */
const char *units_format_duration(sim_time_t t, char *buf, size_t n);

bool units_ipv4(const char *s, be32 *addr);
/* An address of either family: a.b.c.d (not in 240.0.0.0/4, the keys' space) or an
 * IPv6 address, stored as its key (sim/in6_key.h). On failure *err_at is the offset
 * in s of what is wrong (0: the whole value). */
bool units_inet(const char *s, be32 *addr, size_t *err_at, char *why, size_t n);
/* "a.b.c.d/len" or "ADDR6/len" (the network's key in *net, len up to 128); the host
 * bits must be 0. */
bool units_inet_cidr(const char *s, be32 *net, uint8_t *prefix, size_t *err_at, char *why,
                     size_t n);
bool units_cidr(const char *s, be32 *net, uint8_t *prefix, char *why, size_t n);
/* "a.b.c.d:port" or "[ADDR6]:port", port 1..65535. */
bool units_inet_endpoint(const char *s, be32 *addr, uint16_t *port, size_t *err_at, char *why,
                         size_t n);
bool units_endpoint(const char *s, be32 *addr, uint16_t *port, char *why, size_t n);
/* An address as an endpoint writes it before ":port": dotted, or an IPv6 one (a key)
 * in brackets, "[2001:db8::10]". buf needs UNITS_HOST_STRLEN bytes; returns buf. */
#define UNITS_HOST_STRLEN 48
const char *units_format_host(be32 a, char *buf);

/* A parsed distribution. For trace(FILE[,UNIT]), d.kind is DIST_TRACE with no values
 * yet: trace_file (allocated, the caller frees it with g_free) names the file and
 * trace_scale is what a bare number in it is worth in base units (s or B by
 * default). */
struct dist_spec {
    struct dist d;
    char *trace_file;
    double trace_scale;
    bool arrival_times;             /* an arrival trace: times, to turn into gaps */
    size_t err_at;                  /* on an error in an argument: where that argument
                                     * starts in the value (0: the value as a whole) */
};

bool units_dist(const char *s, enum unit_kind kind, struct dist_spec *out, char *why, size_t n);
/* An arrival process, as the distribution of the time between arrivals. Its mean is
 * more than 0 (a trace is checked when read). */
bool units_arrival(const char *s, struct dist_spec *out, char *why, size_t n);

/* One value of a trace file's line: a number with an optional unit of kind (a bare
 * number is worth scale base units). */
bool units_trace_value(const char *s, enum unit_kind kind, double scale, double *out,
                       char *why, size_t n);

/* The whole of a text file (NUL-terminated, *len without the NUL; at most 256 MB).
 * False with the reason ("No such file or directory") in why. */
bool units_read_file(const char *path, char **text, size_t *len, char *why, size_t n);

/* Read a trace file: one value per line, the first column of a CSV; a first line
 * that is not a value is a header; empty lines and lines starting with '#' are
 * skipped. Arrival times become the gaps between them. On failure: false, *line
 * is the line of the file at fault (0 when the file could not be read). */
bool units_read_trace(const char *path, enum unit_kind kind, double scale, bool arrival_times,
                      double **values, uint32_t *nvalues, int *line, char *why, size_t n);

/* A cell of a CSV line: trimmed text inside the line, and its 1-based column. */
struct csv_cell {
    char *text;
    int col;
};

/* Split line at commas in place, each cell trimmed of spaces, tabs and a CR. Returns
 * the count of cells (those beyond max are counted, not kept). Scripts and replays. */
int csv_split(char *line, struct csv_cell *cells, int max);

#endif
