/* Values with units: exact conversion of "1.5ms", "20KB", "400/s", "1Gbps", "1%",
 * addresses, and the distributions written with them. */
#include "app/scenario/units.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "sim/in6.h"
#include "sim/in6_key.h"

struct unit {
    const char *name;
    uint64_t mult;                  /* base units per unit */
};

static const struct unit time_units[] = {
    { "ns", 1 }, { "us", 1000 }, { "ms", 1000000 }, { "s", 1000000000 },
    { "m", 60ull * 1000000000 }, { "h", 3600ull * 1000000000 }, { NULL, 0 },
};
static const struct unit size_units[] = {
    { "B", 1 }, { "KB", 1000 }, { "MB", 1000000 }, { "GB", 1000000000 },
    { "KiB", 1024 }, { "MiB", 1024 * 1024 }, { "GiB", 1024 * 1024 * 1024 }, { NULL, 0 },
};
static const struct unit bw_units[] = {
    { "bps", 1 }, { "Kbps", 1000 }, { "Mbps", 1000000 }, { "Gbps", 1000000000 }, { NULL, 0 },
};

#define TIME_EXPECT "a duration like \"50us\" (units ns, us, ms, s, m, h)"
#define SIZE_EXPECT "a size like \"20KB\" (units B, KB, MB, GB, KiB, MiB, GiB)"
#define RATE_EXPECT "a rate like \"400/s\" (per ns, us, ms, s, m, h)"
#define BW_EXPECT "a bandwidth like \"1Gbps\" (units bps, Kbps, Mbps, Gbps) or \"unlimited\""

/* The value as a message quotes it: at most 40 characters. */
static const char *quoted(const char *s, char *buf, size_t n)
{
    if (strlen(s) <= 40)
        snprintf(buf, n, "\"%s\"", s);
    else
        snprintf(buf, n, "\"%.37s...\"", s);
    return buf;
}

static bool fail_expected(char *why, size_t n, const char *expected, const char *s)
{
    char q[64];
    snprintf(why, n, "expected %s, not %s", expected, quoted(s, q, sizeof q));
    return false;
}

/* ---- exact decimals ---------------------------------------------------------------- */

struct decimal {
    uint64_t mant;                  /* the digits without the point */
    int frac;                       /* digits after the point */
};

enum { DEC_NONE, DEC_OK, DEC_TOO_LONG };

/* digits[.digits] at the start of s; *len is how much it took. */
static int scan_decimal(const char *s, struct decimal *d, size_t *len)
{
    const char *p = s;
    int sig = 0;
    bool too_long = false;
    d->mant = 0;
    d->frac = 0;
    if (!g_ascii_isdigit(*p))
        return DEC_NONE;
    for (; g_ascii_isdigit(*p); p++) {
        if (d->mant == 0 && *p == '0')
            continue;
        if (++sig > 19)
            too_long = true;
        else
            d->mant = d->mant * 10 + (uint64_t)(*p - '0');
    }
    if (*p == '.' && g_ascii_isdigit(p[1])) {
        for (p++; g_ascii_isdigit(*p); p++) {
            if (d->mant != 0 || *p != '0')
                sig++;
            if (sig > 19 || d->frac >= 18)
                too_long = true;
            else {
                d->mant = d->mant * 10 + (uint64_t)(*p - '0');
                d->frac++;
            }
        }
    }
    *len = (size_t)(p - s);
    return too_long ? DEC_TOO_LONG : DEC_OK;
}

static uint64_t pow10u(int e)
{
    uint64_t p = 1;
    while (e-- > 0)
        p *= 10;
    return p;
}

/* d * mult, rounded to the nearest integer; false past max. */
static bool dec_scale(struct decimal d, uint64_t mult, uint64_t max, uint64_t *out)
{
    unsigned __int128 v = (unsigned __int128)d.mant * mult;
    uint64_t p = pow10u(d.frac);
    v = (v + p / 2) / p;
    if (v > max)
        return false;
    *out = (uint64_t)v;
    return true;
}

static double dec_double(struct decimal d)
{
    return (double)d.mant / (double)pow10u(d.frac);
}

static const struct unit *find_unit(const struct unit *units, const char *name)
{
    for (const struct unit *u = units; u->name; u++)
        if (strcmp(u->name, name) == 0)
            return u;
    return NULL;
}

enum { VAL_OK, VAL_SYNTAX, VAL_RANGE };

/* fail_expected, with a hint when the value is a number, spaces and a good unit
 * ("10 ms"): the unit follows the number without a space. */
static bool fail_unit(char *why, size_t n, const char *expected, const char *s,
                      const struct unit *units)
{
    struct decimal d;
    size_t len;
    fail_expected(why, n, expected, s);
    if (scan_decimal(s, &d, &len) == DEC_NONE || s[len] != ' ')
        return false;
    while (s[len] == ' ')
        len++;
    if (find_unit(units, s + len)) {
        size_t used = strlen(why);
        snprintf(why + used, n - used, " (no space between the number and its unit)");
    }
    return false;
}

/* NUMBER UNIT (or a bare "0" when zero_ok) into base units, at most max. */
static int value_with_unit(const char *s, const struct unit *units, bool zero_ok, uint64_t max,
                           uint64_t *out)
{
    struct decimal d;
    size_t len;
    if (zero_ok && strcmp(s, "0") == 0) {
        *out = 0;
        return VAL_OK;
    }
    int r = scan_decimal(s, &d, &len);
    if (r == DEC_NONE)
        return VAL_SYNTAX;
    const struct unit *u = find_unit(units, s + len);
    if (!u)
        return VAL_SYNTAX;
    if (r == DEC_TOO_LONG || !dec_scale(d, u->mult, max, out))
        return VAL_RANGE;
    return VAL_OK;
}

static bool range_error(char *why, size_t n, const char *what, const char *s)
{
    char q[64];
    snprintf(why, n, "%s %s is too large", what, quoted(s, q, sizeof q));
    return false;
}

bool units_duration(const char *s, sim_time_t *out, char *why, size_t n)
{
    uint64_t v;
    switch (value_with_unit(s, time_units, true, INT64_MAX, &v)) {
    case VAL_OK:
        *out = (sim_time_t)v;
        return true;
    case VAL_RANGE:
        return range_error(why, n, "duration", s);
    default:
        return fail_unit(why, n, TIME_EXPECT, s, time_units);
    }
}

bool units_size(const char *s, uint64_t *out, char *why, size_t n)
{
    /* Sizes feed doubles and byte counters: keep them below 2^53, exact in both. */
    switch (value_with_unit(s, size_units, true, 1ull << 53, out)) {
    case VAL_OK:
        return true;
    case VAL_RANGE:
        return range_error(why, n, "size", s);
    default:
        return fail_unit(why, n, SIZE_EXPECT, s, size_units);
    }
}

bool units_bandwidth(const char *s, uint64_t *bps, char *why, size_t n)
{
    if (strcmp(s, "unlimited") == 0) {
        *bps = 0;                   /* the links' "no serialisation delay" */
        return true;
    }
    /* 0 bps would carry nothing, yet it used to mean no limit: neither reading is
     * what a user could expect from it, so it is refused and the message says how to
     * ask for no limit. */
    int r = strcmp(s, "0") == 0 ? VAL_OK : value_with_unit(s, bw_units, false, UINT64_MAX / 2, bps);
    if (r == VAL_OK && (strcmp(s, "0") == 0 || *bps == 0)) {
        char q[64];
        snprintf(why, n, "bandwidth %s carries nothing: write \"unlimited\" for a link without a "
                 "bandwidth limit", quoted(s, q, sizeof q));
        return false;
    }
    switch (r) {
    case VAL_OK:
        return true;
    case VAL_RANGE:
        return range_error(why, n, "bandwidth", s);
    default:
        return fail_unit(why, n, BW_EXPECT, s, bw_units);
    }
}

bool units_rate(const char *s, double *per_sec, char *why, size_t n)
{
    struct decimal d;
    size_t len;
    int r = scan_decimal(s, &d, &len);
    const struct unit *u = r != DEC_NONE && s[len] == '/' ? find_unit(time_units, s + len + 1) : NULL;
    if (!u)
        return fail_expected(why, n, RATE_EXPECT, s);
    char q[64];
    if (r == DEC_TOO_LONG)
        return range_error(why, n, "rate", s);
    if (d.mant == 0) {
        snprintf(why, n, "a rate must be more than 0, not %s", quoted(s, q, sizeof q));
        return false;
    }
    double v = dec_double(d) * 1e9 / (double)u->mult;
    if (v > 1e9) {
        snprintf(why, n, "rate %s is more than one per nanosecond", quoted(s, q, sizeof q));
        return false;
    }
    *per_sec = v;
    return true;
}

bool units_loss_percent(const char *s, double *p, char *why, size_t n)
{
    struct decimal d;
    size_t len;
    int r = scan_decimal(s, &d, &len);
    if (r == DEC_NONE || strcmp(s + len, "%") != 0)
        return fail_expected(why, n, "a loss like \"1%\" or a number from 0 to 1", s);
    double v = r == DEC_OK ? dec_double(d) : 1e300;
    if (v > 100) {
        char q[64];
        snprintf(why, n, "a loss is at most 100%%, not %s", quoted(s, q, sizeof q));
        return false;
    }
    *p = v / 100;
    return true;
}

const char *units_format_duration(sim_time_t t, char *buf, size_t n)
{
    if (t == 0) {
        snprintf(buf, n, "0");
        return buf;
    }
    const struct unit *best = &time_units[0];
    for (const struct unit *u = time_units; u->name; u++)
        if (t > 0 && (uint64_t)t % u->mult == 0)
            best = u;
    snprintf(buf, n, "%lld%s", (long long)((uint64_t)t / best->mult), best->name);
    return buf;
}

/* ---- addresses --------------------------------------------------------------------- */

/* A decimal without leading zeros, at most max; *len is how much it took. */
static bool small_number(const char *s, unsigned max, unsigned *v, size_t *len)
{
    size_t i = 0;
    unsigned x = 0;
    if (!g_ascii_isdigit(s[0]))
        return false;
    if (s[0] == '0' && g_ascii_isdigit(s[1]))
        return false;
    for (; g_ascii_isdigit(s[i]); i++) {
        x = x * 10 + (unsigned)(s[i] - '0');
        if (x > max || i > 9)
            return false;
    }
    *v = x;
    *len = i;
    return true;
}

/* a.b.c.d at the start of s; *len is how much it took. */
static bool scan_ipv4(const char *s, be32 *addr, size_t *len)
{
    uint32_t a = 0;
    size_t pos = 0;
    for (int i = 0; i < 4; i++) {
        unsigned v;
        size_t l;
        if (i > 0 && s[pos++] != '.')
            return false;
        if (!small_number(s + pos, 255, &v, &l))
            return false;
        a = a << 8 | v;
        pos += l;
    }
    *addr = htonl(a);
    *len = pos;
    return true;
}

bool units_ipv4(const char *s, be32 *addr)
{
    size_t len;
    return scan_ipv4(s, addr, &len) && s[len] == '\0';
}

/* 240.0.0.0/4 (class E, "reserved for future use", RFC 1112 section 4) holds the
 * keys that stand for IPv6 addresses in the model's records (sim/in6_key.h): no
 * scenario may use one as an IPv4 address. */
static bool reserved_ipv4(const char *s, be32 a, char *why, size_t n)
{
    char q[64];
    if (!in6_is_key(a))
        return false;
    snprintf(why, n, "%s is in 240.0.0.0/4, which is reserved (class E): use another IPv4 "
             "address", quoted(s, q, sizeof q));
    return true;
}

/* An IPv6 address in s[0..len) (copied: in6_pton wants the whole text), its error
 * at *err_at. */
static bool scan_ipv6(const char *s, size_t len, struct in6_addr *a, size_t *err_at, char *why,
                      size_t n)
{
    char buf[64], q[64];
    size_t off = 0;
    const char *what = NULL;
    if (len >= sizeof buf) {
        *err_at = 0;
        snprintf(why, n, "%s is too long for an IPv6 address", quoted(s, q, sizeof q));
        return false;
    }
    memcpy(buf, s, len);
    buf[len] = '\0';
    if (in6_pton(buf, a, &off, &what))
        return true;
    *err_at = off;
    snprintf(why, n, "bad IPv6 address %s: expected %s", quoted(buf, q, sizeof q), what);
    return false;
}

bool units_inet(const char *s, be32 *addr, size_t *err_at, char *why, size_t n)
{
    size_t len, at = 0;
    *err_at = 0;
    if (strchr(s, ':')) {
        struct in6_addr a;
        if (!scan_ipv6(s, strlen(s), &a, &at, why, n)) {
            *err_at = at;
            return false;
        }
        *addr = in6_key_get(&a);
        return true;
    }
    if (!scan_ipv4(s, addr, &len) || s[len] != '\0') {
        char q[48];
        g_strlcpy(q, s, sizeof q);
        snprintf(why, n, "expected an IPv4 address like \"192.0.2.1\", not \"%s\"", q);
        return false;
    }
    return !reserved_ipv4(s, *addr, why, n);
}

/* An IPv6 prefix: its network address stands as its key. Host bits must be 0, as
 * for IPv4. */
static bool inet6_cidr(const char *s, be32 *net, uint8_t *prefix, size_t *err_at, char *why,
                       size_t n)
{
    struct in6_addr a, b, masked;
    uint8_t plen;
    size_t off = 0;
    const char *what = NULL;
    char q[64], buf[IN6_ADDRSTRLEN];
    const char *slash = strchr(s, '/');
    if (slash && !scan_ipv6(s, (size_t)(slash - s), &a, err_at, why, n))
        return false;
    if (!in6_pton_prefix(s, &b, &plen, false, &off, &what)) {
        *err_at = off;
        snprintf(why, n, "bad IPv6 network %s: expected %s", quoted(s, q, sizeof q), what);
        return false;
    }
    ipv6_addr_prefix(&masked, &a, plen);
    if (!ipv6_addr_equal(&masked, &a)) {
        snprintf(why, n, "%s has host bits set (the network is %s/%u)", quoted(s, q, sizeof q),
                 in6_ntop(&masked, buf), plen);
        return false;
    }
    *net = in6_key_get(&a);
    *prefix = plen;
    return true;
}

bool units_inet_cidr(const char *s, be32 *net, uint8_t *prefix, size_t *err_at, char *why,
                     size_t n)
{
    size_t len, l2;
    unsigned p;
    be32 a;
    char q[64];
    *err_at = 0;
    if (strchr(s, ':'))
        return inet6_cidr(s, net, prefix, err_at, why, n);
    if (!scan_ipv4(s, &a, &len) || s[len] != '/' || !small_number(s + len + 1, 32, &p, &l2) ||
        s[len + 1 + l2] != '\0')
        return fail_expected(why, n, "a network like \"198.51.100.0/24\"", s);
    uint32_t mask = p == 0 ? 0 : 0xffffffffu << (32 - p);
    if (ntohl(a) & ~mask) {
        struct in_addr in = { .s_addr = htonl(ntohl(a) & mask) };
        char buf[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &in, buf, sizeof buf);
        snprintf(why, n, "%s has host bits set (the network is %s/%u)", quoted(s, q, sizeof q),
                 buf, p);
        return false;
    }
    /* (a network reaching into 240.0.0.0/4 from below is for its user to check: what
     * matters is which of its addresses are used) */
    if (reserved_ipv4(s, a, why, n))
        return false;
    *net = a;
    *prefix = (uint8_t)p;
    return true;
}

bool units_cidr(const char *s, be32 *net, uint8_t *prefix, char *why, size_t n)
{
    size_t at;
    return units_inet_cidr(s, net, prefix, &at, why, n);
}

/* ":N" at s: the port of an endpoint, 1..65535. */
static bool endpoint_port(const char *s, const char *whole, uint16_t *port, size_t *err_at,
                          size_t at, const char *expected, char *why, size_t n)
{
    unsigned p;
    size_t l2;
    if (*s == ':' && small_number(s + 1, 65535, &p, &l2) && s[1 + l2] == '\0' && p != 0) {
        *port = (uint16_t)p;
        return true;
    }
    /* "ADDR:N" with N all digits: say it is the port */
    const char *digits = *s == ':' ? s + 1 : "";
    if (*digits && strspn(digits, "0123456789") == strlen(digits) && strlen(digits) <= 12) {
        *err_at = at + 1;
        snprintf(why, n, "port %s of \"%.60s\" is out of range (expected 1 to 65535)", digits,
                 whole);
        return false;
    }
    return fail_expected(why, n, expected, whole);
}

/* "[ADDR6]:port", as ipvsadm and ss write an IPv6 endpoint. */
static bool inet6_endpoint(const char *s, be32 *addr, uint16_t *port, size_t *err_at, char *why,
                           size_t n)
{
    static const char expected[] = "an IPv6 address and port like \"[2001:db8::10]:80\"";
    struct in6_addr a;
    const char *close = strchr(s, ']');
    if (s[0] != '[') {
        /* "2001:db8::10:80" cannot be told from an address: brackets are required */
        char q[64];
        snprintf(why, n, "expected an IPv6 address in brackets and a port like \"[2001:db8::10]:80\", "
                 "not %s", quoted(s, q, sizeof q));
        return false;
    }
    if (!close) {
        *err_at = strlen(s);
        snprintf(why, n, "missing ']' after the IPv6 address of \"%.60s\"", s);
        return false;
    }
    if (!scan_ipv6(s + 1, (size_t)(close - s - 1), &a, err_at, why, n)) {
        *err_at += 1;
        return false;
    }
    if (!endpoint_port(close + 1, s, port, err_at, (size_t)(close + 1 - s), expected, why, n))
        return false;
    *addr = in6_key_get(&a);
    return true;
}

bool units_inet_endpoint(const char *s, be32 *addr, uint16_t *port, size_t *err_at, char *why,
                         size_t n)
{
    size_t len;
    *err_at = 0;
    if (s[0] == '[' || strchr(s, ']') || strchr(s, ':') != strrchr(s, ':'))
        return inet6_endpoint(s, addr, port, err_at, why, n);
    bool addr_ok = scan_ipv4(s, addr, &len);
    if (!addr_ok || s[len] != ':')
        return fail_expected(why, n, "an address and port like \"203.0.113.10:80\"", s);
    if (!endpoint_port(s + len, s, port, err_at, len, "an address and port like \"203.0.113.10:80\"",
                       why, n)) {
        *err_at = 0;                /* an IPv4 endpoint's message is about the whole value */
        return false;
    }
    return !reserved_ipv4(s, *addr, why, n);
}

const char *units_format_host(be32 a, char *buf)
{
    char t[INET_KEY_STRLEN];
    inet_key_ntop(a, t);
    snprintf(buf, UNITS_HOST_STRLEN, in6_is_key(a) ? "[%s]" : "%s", t);
    return buf;
}

bool units_endpoint(const char *s, be32 *addr, uint16_t *port, char *why, size_t n)
{
    size_t at;
    return units_inet_endpoint(s, addr, port, &at, why, n);
}

/* ---- distributions ------------------------------------------------------------------ */

#define MAX_ARGS 3

/* "name(a, b)" split into its name and arguments (copies in buf). 0: not a call
 * (no "name(" at the start); 1: a call; -1: a malformed one (why says so). An
 * argument is checked by what reads it, so that "exp(10 ms)" gets the duration's own
 * message; err_at then says where in the value that argument starts. */
struct call {
    char name[16];
    int nargs;
    char *args[MAX_ARGS];
    size_t at[MAX_ARGS];            /* each argument's offset in the value */
    size_t err_at;                  /* the offending argument's offset, 0: the whole value */
    char buf[256];
};

static int split_call(const char *s, struct call *c, char *why, size_t n)
{
    size_t i = 0;
    char q[64];
    while (g_ascii_islower(s[i]))
        i++;
    if (i == 0 || s[i] != '(' || i >= sizeof c->name)
        return 0;
    memcpy(c->name, s, i);
    c->name[i] = '\0';
    size_t len = strlen(s);
    if (s[len - 1] != ')') {
        snprintf(why, n, "missing ')' at the end of %s", quoted(s, q, sizeof q));
        return -1;
    }
    size_t inner = len - i - 2;
    if (inner >= sizeof c->buf) {
        snprintf(why, n, "%s is too long", quoted(s, q, sizeof q));
        return -1;
    }
    memcpy(c->buf, s + i + 1, inner);
    c->buf[inner] = '\0';
    c->nargs = 0;
    c->err_at = 0;
    if (inner == 0)
        return 1;                   /* "exp()": no arguments (want_args says how many) */
    char *p = c->buf;
    for (;;) {
        if (c->nargs == MAX_ARGS) {
            snprintf(why, n, "too many arguments in %s", quoted(s, q, sizeof q));
            return -1;
        }
        c->at[c->nargs] = i + 1 + (size_t)(p - c->buf);
        c->args[c->nargs++] = p;
        char *comma = strchr(p, ',');
        if (!comma)
            break;
        *comma = '\0';
        p = comma + 1;
        while (*p == ' ')
            p++;
    }
    for (int k = 0; k < c->nargs; k++)
        if (c->args[k][0] == '\0' || strchr(c->args[k], '(') || strchr(c->args[k], ')')) {
            snprintf(why, n, "malformed argument list in %s", quoted(s, q, sizeof q));
            return -1;
        }
    return 1;
}

static bool want_args(const struct call *c, int nargs, const char *example, char *why, size_t n)
{
    if (c->nargs == nargs)
        return true;
    snprintf(why, n, "%s takes %d argument%s, e.g. \"%s\"", c->name, nargs, nargs == 1 ? "" : "s",
             example);
    return false;
}

/* Argument k is at fault (for the caller's position); false. */
static bool arg_fault(struct call *c, int k)
{
    c->err_at = c->at[k];
    return false;
}

/* Argument k of a distribution: a value of kind, with the function's name in front
 * of any complaint. */
static bool dist_value(struct call *c, int k, enum unit_kind kind, double *v, char *why, size_t n)
{
    const char *arg = c->args[k];
    char inner[UNITS_WHY];
    bool ok;
    if (kind == UNIT_TIME) {
        sim_time_t t;
        ok = units_duration(arg, &t, inner, sizeof inner);
        *v = (double)t;
    } else {
        uint64_t b;
        ok = units_size(arg, &b, inner, sizeof inner);
        *v = (double)b;
    }
    if (!ok) {
        snprintf(why, n, "%s: %s", c->name, inner);
        return arg_fault(c, k);
    }
    return true;
}

/* Argument k, a plain decimal (sigma, shape): more than 0 unless zero_ok. */
static bool dist_number(struct call *c, int k, const char *what, bool zero_ok, double *v,
                        char *why, size_t n)
{
    const char *arg = c->args[k];
    struct decimal d;
    size_t len;
    char q[64];
    if (scan_decimal(arg, &d, &len) != DEC_OK || arg[len] != '\0') {
        snprintf(why, n, "%s: expected a number like \"1.5\" for the %s, not %s", c->name, what,
                 quoted(arg, q, sizeof q));
        return arg_fault(c, k);
    }
    *v = dec_double(d);
    if (!zero_ok && *v == 0) {
        snprintf(why, n, "%s: the %s must be more than 0", c->name, what);
        return arg_fault(c, k);
    }
    return true;
}

/* Argument k's value v: more than 0. */
static bool positive(struct call *c, int k, double v, const char *what, char *why, size_t n)
{
    if (v > 0)
        return true;
    snprintf(why, n, "%s: the %s must be more than 0", c->name, what);
    return arg_fault(c, k);
}

static bool parse_trace(struct call *c, enum unit_kind kind, struct dist_spec *out, char *why,
                        size_t n)
{
    if (c->nargs < 1 || c->nargs > 2) {
        snprintf(why, n, "trace takes a file name and an optional unit, e.g. \"trace(%s)\"",
                 kind == UNIT_TIME ? "times.csv,ms" : "sizes.csv,KB");
        return false;
    }
    const struct unit *units = kind == UNIT_TIME ? time_units : size_units;
    double scale = kind == UNIT_TIME ? 1e9 : 1;
    if (strchr(c->args[0], ' ')) {
        snprintf(why, n, "trace: expected a file name without spaces, not \"%s\"", c->args[0]);
        return arg_fault(c, 0);
    }
    if (c->nargs == 2) {
        const struct unit *u = find_unit(units, c->args[1]);
        if (!u) {
            snprintf(why, n, "trace: unknown unit \"%s\" (expected %s)", c->args[1],
                     kind == UNIT_TIME ? "ns, us, ms, s, m or h" : "B, KB, MB, GB, KiB, MiB or GiB");
            return arg_fault(c, 1);
        }
        scale = (double)u->mult;
    }
    out->d.kind = DIST_TRACE;
    out->trace_file = g_strdup(c->args[0]);
    out->trace_scale = scale;
    return true;
}

static bool parse_call(struct call *c, enum unit_kind kind, struct dist_spec *out,
                       char *why, size_t n)
{
    struct dist *d = &out->d;
    const char *u = kind == UNIT_TIME ? "10ms" : "20KB";
    char ex[64];
    if (strcmp(c->name, "const") == 0) {
        d->kind = DIST_CONST;
        snprintf(ex, sizeof ex, "const(%s)", u);
        return want_args(c, 1, ex, why, n) && dist_value(c, 0, kind, &d->a, why, n);
    }
    if (strcmp(c->name, "exp") == 0) {
        d->kind = DIST_EXP;
        snprintf(ex, sizeof ex, "exp(%s)", u);
        return want_args(c, 1, ex, why, n) && dist_value(c, 0, kind, &d->a, why, n);
    }
    if (strcmp(c->name, "uniform") == 0) {
        d->kind = DIST_UNIFORM;
        snprintf(ex, sizeof ex, kind == UNIT_TIME ? "uniform(5ms,15ms)" : "uniform(1KB,3KB)");
        if (!want_args(c, 2, ex, why, n) || !dist_value(c, 0, kind, &d->a, why, n) ||
            !dist_value(c, 1, kind, &d->b, why, n))
            return false;
        if (d->a > d->b) {
            snprintf(why, n, "uniform: the first bound is above the second");
            return false;
        }
        return true;
    }
    if (strcmp(c->name, "lognormal") == 0) {
        d->kind = DIST_LOGNORMAL;
        snprintf(ex, sizeof ex, "lognormal(%s,1.0)", u);
        return want_args(c, 2, ex, why, n) && dist_value(c, 0, kind, &d->a, why, n) &&
               positive(c, 0, d->a, "mean", why, n) &&
               dist_number(c, 1, "sigma", true, &d->b, why, n);
    }
    if (strcmp(c->name, "pareto") == 0) {
        d->kind = DIST_PARETO;
        snprintf(ex, sizeof ex, "pareto(%s,1.5)", u);
        return want_args(c, 2, ex, why, n) && dist_value(c, 0, kind, &d->a, why, n) &&
               positive(c, 0, d->a, "scale", why, n) &&
               dist_number(c, 1, "shape", false, &d->b, why, n);
    }
    if (strcmp(c->name, "trace") == 0)
        return parse_trace(c, kind, out, why, n);
    snprintf(why, n, "unknown distribution '%s' (expected const, exp, uniform, lognormal, pareto "
             "or trace)", c->name);
    return false;
}

bool units_dist(const char *s, enum unit_kind kind, struct dist_spec *out, char *why, size_t n)
{
    struct call c;
    memset(out, 0, sizeof *out);
    int r = split_call(s, &c, why, n);
    if (r < 0)
        return false;
    if (r > 0) {
        bool ok = parse_call(&c, kind, out, why, n);
        out->err_at = ok ? 0 : c.err_at;
        return ok;
    }
    /* A plain value is a constant. */
    out->d.kind = DIST_CONST;
    if (kind == UNIT_TIME) {
        sim_time_t t;
        if (units_duration(s, &t, why, n)) {
            out->d.a = (double)t;
            return true;
        }
        return fail_unit(why, n, "a duration like \"10ms\" or a distribution like \"exp(10ms)\"", s,
                         time_units);
    }
    uint64_t b;
    if (units_size(s, &b, why, n)) {
        out->d.a = (double)b;
        return true;
    }
    return fail_unit(why, n, "a size like \"20KB\" or a distribution like \"lognormal(20KB,1.0)\"", s,
                     size_units);
}

#define ARRIVAL_EXPECT "an arrival like \"poisson(400/s)\", \"const(100/s)\", \"burst(10,1s)\" " \
                       "or a distribution of the time between arrivals like \"exp(2.5ms)\""

static bool arrival_rate(struct call *c, enum dist_kind kind, struct dist_spec *out,
                         char *why, size_t n)
{
    char inner[UNITS_WHY];
    double rate;
    if (!want_args(c, 1, kind == DIST_EXP ? "poisson(400/s)" : "const(100/s)", why, n))
        return false;
    if (!units_rate(c->args[0], &rate, inner, sizeof inner)) {
        snprintf(why, n, "%s: %s", c->name, inner);
        return arg_fault(c, 0);
    }
    out->d.kind = kind;
    out->d.a = 1e9 / rate;
    return true;
}

static bool arrival_burst(struct call *c, struct dist_spec *out, char *why, size_t n)
{
    unsigned count;
    size_t len;
    double interval;
    if (!want_args(c, 2, "burst(10,1s)", why, n))
        return false;
    if (!small_number(c->args[0], 1000000, &count, &len) || c->args[0][len] != '\0' || count == 0) {
        snprintf(why, n, "burst: expected a number of connections from 1 to 1000000, not \"%s\"",
                 c->args[0]);
        return arg_fault(c, 0);
    }
    if (!dist_value(c, 1, UNIT_TIME, &interval, why, n) ||
        !positive(c, 1, interval, "interval", why, n))
        return false;
    out->d.kind = DIST_BURST;
    out->d.a = count;
    out->d.b = interval;
    return true;
}

/* Not a rate nor a burst: a distribution of the time between arrivals. */
static bool arrival_dist(const char *s, int r, const struct call *c, struct dist_spec *out,
                         char *why, size_t n)
{
    if (r == 0) {
        sim_time_t t;
        if (!units_duration(s, &t, why, n))
            return fail_unit(why, n, ARRIVAL_EXPECT, s, time_units);
    }
    if (!units_dist(s, UNIT_TIME, out, why, n)) {
        if (r > 0 && strstr(why, "unknown distribution"))
            snprintf(why, n, "unknown arrival '%s' (expected poisson, const, burst, exp, uniform, "
                     "lognormal, pareto or trace)", c->name);
        return false;
    }
    if (out->d.kind == DIST_TRACE) {
        out->arrival_times = true;
        return true;
    }
    if (!(dist_mean(&out->d) > 0)) {
        g_free(out->trace_file);
        out->trace_file = NULL;
        snprintf(why, n, "the time between arrivals must be more than 0 on average");
        return false;
    }
    return true;
}

bool units_arrival(const char *s, struct dist_spec *out, char *why, size_t n)
{
    struct call c;
    memset(out, 0, sizeof *out);
    int r = split_call(s, &c, why, n);
    if (r < 0)
        return false;
    bool ok = true;
    if (r > 0 && strcmp(c.name, "poisson") == 0)
        ok = arrival_rate(&c, DIST_EXP, out, why, n);
    else if (r > 0 && strcmp(c.name, "const") == 0 && c.nargs == 1 && strchr(c.args[0], '/'))
        ok = arrival_rate(&c, DIST_CONST, out, why, n);
    else if (r > 0 && strcmp(c.name, "burst") == 0)
        ok = arrival_burst(&c, out, why, n);
    else
        return arrival_dist(s, r, &c, out, why, n);
    out->err_at = ok ? 0 : c.err_at;
    return ok;
}

/* ---- trace files ---------------------------------------------------------------- */

bool units_read_file(const char *path, char **text, size_t *len, char *why, size_t n)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(why, n, "%s", g_strerror(errno));
        return false;
    }
    GString *buf = g_string_new(NULL);
    char chunk[65536];
    size_t got;
    bool ok = true;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        g_string_append_len(buf, chunk, (gssize)got);
        if (buf->len > (256u << 20)) {
            snprintf(why, n, "the file is larger than 256 MB");
            ok = false;
            break;
        }
    }
    if (ok && ferror(f)) {
        snprintf(why, n, "%s", g_strerror(errno));
        ok = false;
    }
    fclose(f);
    if (!ok) {
        g_string_free(buf, TRUE);
        return false;
    }
    *len = buf->len;
    *text = g_string_free(buf, FALSE);
    return true;
}

bool units_trace_value(const char *s, enum unit_kind kind, double scale, double *out,
                       char *why, size_t n)
{
    char *end;
    double v = g_ascii_strtod(s, &end);
    if (end != s && *end == '\0' && g_ascii_isdigit(s[0])) {
        if (!isfinite(v * scale)) {
            snprintf(why, n, "value \"%s\" is too large", s);
            return false;
        }
        *out = v * scale;
        return true;
    }
    if (kind == UNIT_TIME) {
        sim_time_t t;
        if (!units_duration(s, &t, why, n))
            return fail_expected(why, n, "a number or a duration like \"10ms\"", s);
        *out = (double)t;
    } else {
        uint64_t b;
        if (!units_size(s, &b, why, n))
            return fail_expected(why, n, "a number or a size like \"20KB\"", s);
        *out = (double)b;
    }
    return true;
}

/* The first column of a CSV line, without spaces and double quotes around it. */
static char *first_column(char *line)
{
    char *comma = strchr(line, ',');
    if (comma)
        *comma = '\0';
    g_strstrip(line);
    size_t len = strlen(line);
    if (len >= 2 && line[0] == '"' && line[len - 1] == '"') {
        line[len - 1] = '\0';
        line++;
    }
    return line;
}

/* Open a trace file for reading only if it is a regular file: O_NONBLOCK so that
 * opening a FIFO does not wait for a writer (nor a device for its carrier), then
 * fstat; a FIFO, a device, a socket or a directory is refused unread. Symbolic links
 * are followed (a trace kept next to the scenario may be one), but what they lead to
 * must be a regular file too. */
static FILE *open_regular(const char *path, char *why, size_t n)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(why, n, "%s", g_strerror(errno));
        return NULL;
    }
    struct stat st = {0};
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(why, n, "%s", S_ISFIFO(st.st_mode) ? "a FIFO, not a regular file"
                               : S_ISDIR(st.st_mode) ? "a directory, not a regular file"
                               : "not a regular file");
        close(fd);
        return NULL;
    }
    /* A regular file never blocks; reading goes on in the ordinary mode. */
    (void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    FILE *f = fdopen(fd, "r");
    if (!f) {
        snprintf(why, n, "%s", g_strerror(errno));
        close(fd);
    }
    return f;
}

/* Why a line's value is refused, in words that never quote the file: a trace may
 * name any file the user can read, and an error message must not show its lines. */
static void trace_value_why(enum unit_kind kind, char *why, size_t n)
{
    snprintf(why, n, "the first column is not a number or a %s",
             kind == UNIT_TIME ? "duration like \"10ms\"" : "size like \"20KB\"");
}

#define TRACE_LINE_MAX 4096         /* longer lines are refused (no value needs them) */
#define TRACE_VALUES_MAX 100000000u

bool units_read_trace(const char *path, enum unit_kind kind, double scale, bool arrival_times,
                      double **values, uint32_t *nvalues, int *line, char *why, size_t n)
{
    char reason[128];
    *line = 0;
    FILE *f = open_regular(path, reason, sizeof reason);
    if (!f) {
        snprintf(why, n, "cannot read the trace file '%s': %s", path, reason);
        return false;
    }
    /* Line by line: memory holds the values (8 bytes each), never the whole file. */
    GArray *vals = g_array_new(FALSE, FALSE, sizeof(double));
    char buf[TRACE_LINE_MAX + 2];
    bool ok = true, first = true;
    double prev = 0;
    int at = 0;
    while (ok && fgets(buf, sizeof buf, f)) {
        at++;
        size_t len = strlen(buf);
        if (len > TRACE_LINE_MAX && buf[len - 1] != '\n') {
            snprintf(why, n, "a line longer than %d bytes", TRACE_LINE_MAX);
            ok = false;
            break;
        }
        char *l = g_strstrip(buf);
        if (*l == '\0' || *l == '#')
            continue;
        char *col = first_column(l);
        double v;
        bool header = first;
        first = false;
        if (!units_trace_value(col, kind, scale, &v, why, n)) {
            if (header)
                continue;       /* a header line */
            trace_value_why(kind, why, n);
            ok = false;
            break;
        }
        if (arrival_times) {
            if (v < prev) {
                snprintf(why, n, "arrival times must not decrease (this one is earlier than the "
                         "line before)");
                ok = false;
                break;
            }
            double gap = v - prev;
            prev = v;
            v = gap;
        }
        g_array_append_val(vals, v);
        if (vals->len > TRACE_VALUES_MAX) {
            snprintf(why, n, "more than %u values", TRACE_VALUES_MAX);
            ok = false;
        }
    }
    if (ok && ferror(f)) {
        snprintf(why, n, "cannot read the trace file '%s': %s", path, g_strerror(errno));
        at = 0;
        ok = false;
    }
    fclose(f);
    *line = ok ? 0 : at;
    if (ok && vals->len == 0) {
        snprintf(why, n, "the trace holds no values");
        *line = 1;
        ok = false;
    }
    if (ok && arrival_times && prev <= 0) {
        snprintf(why, n, "the arrival times of a trace must not all be 0");
        *line = 1;
        ok = false;
    }
    if (!ok) {
        g_array_free(vals, TRUE);
        return false;
    }
    *nvalues = vals->len;
    *values = (double *)(void *)g_array_free(vals, FALSE);
    return true;
}

int csv_split(char *line, struct csv_cell *cells, int max)
{
    int n = 0;
    char *p = line;
    for (;;) {
        char *end = strchr(p, ',');
        if (end)
            *end = '\0';
        char *s = p;
        while (*s == ' ' || *s == '\t')
            s++;
        char *t = s + strlen(s);
        while (t > s && (t[-1] == ' ' || t[-1] == '\t' || t[-1] == '\r'))
            *--t = '\0';
        if (n < max)
            cells[n] = (struct csv_cell){ .text = s, .col = (int)(s - line) + 1 };
        n++;
        if (!end)
            return n;
        p = end + 1;
    }
}
