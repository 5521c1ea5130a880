/* A client group's "script": the connections it makes, each at its time from its own
 * address:port with its sizes, instead of an arrival process. Written in the scenario
 * as an array of objects, or as the name of a CSV file next to it (a header naming
 * the columns at, src, request, response and optionally protocol, in any order).
 * Every entry is checked the same way however it was written; a fault in the file
 * names the scenario's place and the file's line and column. */
#include "app/scenario/scenario_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include "app/scenario/units.h"
#include "app/scenario/replay.h"
#include "sim/in6.h"
#include "sim/in6_key.h"

/* The client's cap on a message (model/apps/client.c, MAX_MESSAGE). */
#define SCRIPT_MAX_BYTES (1ull << 30)

/* The keys that say how a group makes connections, which a script says itself. */
static const char *const not_with_script[] = {
    "arrival", "users", "think", "request", "response", "start", "stop", "count",
};

enum script_field { F_AT, F_SRC, F_REQUEST, F_RESPONSE, F_PROTOCOL, F_COUNT };
static const char *const field_names[F_COUNT] = {
    "at", "src", "request", "response", "protocol",
};

/* Where entry i was written: "script[i]", "line L" of the file, or "packet P" of a
 * pcap. */
struct script_src {
    bool file;
    bool pcap;
    GArray *where;                  /* int: the entry's index, or its file line, or its
                                       first packet */
};

static void where_str(const struct script_src *src, guint i, char *buf, size_t n)
{
    int w = g_array_index(src->where, int, i);
    if (src->pcap)
        snprintf(buf, n, "packet %d", w);
    else if (src->file)
        snprintf(buf, n, "line %d", w);
    else
        snprintf(buf, n, "script[%d]", w);
}

static const char *proto_name(uint8_t proto)
{
    return proto == IPPROTO_UDP ? "udp" : "tcp";
}

/* The checks of one entry against the group, the run and the entries before it
 * (done, in time order). On a fault: false, why says it and *field names the
 * value at fault. */

/* An IPv6 source of a group with an IPv6 net: in the prefix, and below a /127 not its
 * subnet-router anycast address (the prefix itself, RFC 4291 2.6.1), as the group's own
 * addresses start at prefix::1. *ends: it is that address. */
static bool in6_script_src(const struct scn_client *cl, be32 saddr, bool *ends)
{
    *ends = false;
    if (!in6_is_key(cl->net) || !in6_is_key(saddr))
        return false;
    const struct in6_addr *a = in6_key_addr(saddr), *net = in6_key_addr(cl->net);
    if (!ipv6_prefix_equal(a, net, cl->prefix))
        return false;
    *ends = cl->prefix <= 126 && ipv6_addr_equal(a, net);
    return true;
}
static bool check_conn(const struct scn_client *cl, sim_time_t duration, const GArray *done,
                       const struct script_src *src, const struct client_script_conn *e,
                       enum script_field *field, char *why, size_t n)
{
    char a[INET_KEY_STRLEN], b[INET_KEY_STRLEN], t1[32], t2[32], w[32];
    if (e->at >= duration) {
        *field = F_AT;
        snprintf(why, n, "%s is not before the end of the run (%s)",
                 units_format_duration(e->at, t1, sizeof t1),
                 units_format_duration(duration, t2, sizeof t2));
        return false;
    }
    if (done->len > 0) {
        const struct client_script_conn *last =
            &g_array_index(done, struct client_script_conn, done->len - 1);
        if (e->at < last->at) {
            *field = F_AT;
            where_str(src, done->len - 1, w, sizeof w);
            snprintf(why, n, "the script's times must not decrease: %s comes after %s (%s)",
                     units_format_duration(e->at, t1, sizeof t1),
                     units_format_duration(last->at, t2, sizeof t2), w);
            return false;
        }
    }
    /* A host address of the group's net: its host owns the net as a local route
     * (app/run/run_world.c), network and broadcast addresses excluded below a /31. */
    bool outside, ends;
    if (in6_is_key(cl->net) || in6_is_key(e->saddr))
        outside = !in6_script_src(cl, e->saddr, &ends);
    else {
        uint32_t net = ntohl(cl->net), mask = cl->prefix ? ~0u << (32 - cl->prefix) : 0;
        uint32_t h = ntohl(e->saddr);
        ends = cl->prefix <= 30 && ((h & ~mask) == 0 || (h & ~mask) == ~mask);
        outside = (h & mask) != net;
    }
    if (outside || ends) {
        *field = F_SRC;
        inet_key_ntop(e->saddr, a);
        inet_key_ntop(cl->net, b);
        snprintf(why, n, "%s is %s the group's net %s/%u", a,
                 ends ? "not a host address of" : "outside", b, cl->prefix);
        return false;
    }
    for (int k = 0; k < 2; k++) {
        uint64_t v = k == 0 ? e->request : e->response;
        const char *what = k == 0 ? "request" : "response";
        *field = k == 0 ? F_REQUEST : F_RESPONSE;
        if (v > SCRIPT_MAX_BYTES) {
            snprintf(why, n, "a %s is at most 1GB (%llu bytes)", what,
                     (unsigned long long)SCRIPT_MAX_BYTES);
            return false;
        }
        if (v == 0 && e->proto == IPPROTO_TCP) {
            snprintf(why, n, "a TCP %s is at least 1 byte (a UDP one may be empty)", what);
            return false;
        }
    }
    /* One address:port makes one connection at a time: two starting together is a
     * mistake in the script (a reuse later is the kernel's to refuse or not). Port 0
     * (a replay's ephemeral port) is a fresh one each time. */
    for (guint k = done->len; k-- > 0;) {
        const struct client_script_conn *o = &g_array_index(done, struct client_script_conn, k);
        if (o->at != e->at)
            break;
        if (o->saddr == e->saddr && o->sport == e->sport && e->sport && o->proto == e->proto) {
            *field = F_SRC;
            inet_key_ntop(e->saddr, a);
            where_str(src, k, w, sizeof w);
            snprintf(why, n, "%s:%u (%s) already starts a connection at %s (%s): an "
                     "address:port makes one connection at a time", a, ntohs(e->sport),
                     proto_name(e->proto), units_format_duration(e->at, t1, sizeof t1), w);
            return false;
        }
    }
    return true;
}

/* ---- the array form ------------------------------------------------------------------- */

static bool load_entry(struct scn_ctx *c, const cJSON *e, const struct scn_client *cl,
                       sim_time_t duration, GArray *out, struct script_src *src)
{
    struct client_script_conn conn = { .proto = cl->protocol };
    be32 addr = 0;
    uint16_t port = 0;
    int proto = cl->protocol == IPPROTO_UDP ? 1 : 0;     /* "tcp|udp" */
    if (!scn_check_object(c, e, &scn_script) ||
        !scn_get_duration(c, e, &scn_script, "at", &conn.at) ||
        !scn_get_endpoint(c, e, &scn_script, "src", &addr, &port) ||
        !scn_get_bytes(c, e, &scn_script, "request", &conn.request) ||
        !scn_get_bytes(c, e, &scn_script, "response", &conn.response) ||
        !scn_get_choice(c, e, &scn_script, "protocol", &proto))
        return false;
    conn.saddr = addr;
    conn.sport = htons(port);
    conn.proto = proto == 1 ? IPPROTO_UDP : IPPROTO_TCP;
    enum script_field f;
    char why[UNITS_WHY + 64];
    if (!check_conn(cl, duration, out, src, &conn, &f, why, sizeof why))
        return scn_fail_key(c, e, field_names[f], "%s", why);
    g_array_append_val(out, conn);
    return true;
}

static bool load_array(struct scn_ctx *c, const cJSON *v, const struct scn_client *cl,
                       sim_time_t duration, GArray *out, struct script_src *src)
{
    int i = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, v) {
        size_t saved = scn_path_push_index(c, i);
        bool ok = load_entry(c, e, cl, duration, out, src);
        scn_path_pop(c, saved);
        if (!ok)
            return false;
        g_array_append_val(src->where, i);
        i++;
    }
    return true;
}

/* ---- the CSV form ----------------------------------------------------------------------- */


static const char *field_at(const void *ctx, size_t i)
{
    (void)ctx;
    return i < F_COUNT ? field_names[i] : NULL;
}

/* The header: which field each column is. On a fault: false, *col and why. */
static bool read_header(struct csv_cell *cells, int n, int cols[F_COUNT], int *col, char *why,
                        size_t wn)
{
    for (int f = 0; f < F_COUNT; f++)
        cols[f] = -1;
    for (int i = 0; i < n; i++) {
        int f = 0;
        while (f < F_COUNT && strcmp(cells[i].text, field_names[f]) != 0)
            f++;
        *col = cells[i].col;
        if (f == F_COUNT) {
            const char *near = scn_nearest(cells[i].text, field_at, NULL);
            snprintf(why, wn, "unknown column '%.40s' (%s%s%sexpected at, src, request, response "
                     "and optionally protocol)", cells[i].text, near ? "did you mean '" : "",
                     near ? near : "", near ? "'? " : "");
            return false;
        }
        if (cols[f] >= 0) {
            snprintf(why, wn, "the column '%s' is there twice", field_names[f]);
            return false;
        }
        cols[f] = i;
    }
    for (int f = 0; f < F_PROTOCOL; f++)
        if (cols[f] < 0) {
            *col = 1;
            snprintf(why, wn, "the header has no column '%s' (expected at, src, request, response "
                     "and optionally protocol)", field_names[f]);
            return false;
        }
    return true;
}

/* A size: a bare integer of bytes, or a size with its unit ("4KB"). */
static bool csv_bytes(const char *s, uint64_t *out, char *why, size_t n)
{
    char *end;
    if (*s >= '0' && *s <= '9') {
        unsigned long long v = g_ascii_strtoull(s, &end, 10);
        if (*end == '\0') {
            *out = v;
            return true;
        }
    }
    return units_size(s, out, why, n);
}

/* One row into *e (the group's protocol unless the row has its own). On a fault:
 * false, *field and why. */
static bool read_row(struct csv_cell *cells, const int cols[F_COUNT], uint8_t group_proto,
                     struct client_script_conn *e, enum script_field *field, char *why, size_t n)
{
    uint16_t port = 0;
    e->proto = group_proto;
    for (int f = 0; f < F_COUNT; f++) {
        if (cols[f] < 0)
            continue;
        const char *s = cells[cols[f]].text;
        *field = (enum script_field)f;
        bool ok = true;
        switch (f) {
        case F_AT:
            ok = units_duration(s, &e->at, why, n);
            break;
        case F_SRC:
            ok = units_endpoint(s, &e->saddr, &port, why, n);
            e->sport = htons(port);
            break;
        case F_REQUEST:
            ok = csv_bytes(s, &e->request, why, n);
            break;
        case F_RESPONSE:
            ok = csv_bytes(s, &e->response, why, n);
            break;
        default:
            ok = strcmp(s, "tcp") == 0 || strcmp(s, "udp") == 0;
            if (!ok)
                snprintf(why, n, "unknown protocol '%.20s' (expected tcp or udp)", s);
            else
                e->proto = strcmp(s, "udp") == 0 ? IPPROTO_UDP : IPPROTO_TCP;
        }
        if (!ok)
            return false;
    }
    return true;
}

#define CSV_MAX_COLS F_COUNT

static bool load_csv(struct scn_ctx *c, const cJSON *v, const char *name,
                     const struct scn_client *cl, sim_time_t duration, GArray *out,
                     struct script_src *src)
{
    char *path = g_path_is_absolute(name) || strcmp(c->dir, ".") == 0
                     ? g_strdup(name) : g_build_filename(c->dir, name, NULL);
    char why[UNITS_WHY + 64];
    char *text = NULL;
    size_t len = 0;
    if (g_file_test(path, G_FILE_TEST_EXISTS) && !g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
        scn_fail(c, v, false, "cannot read the script file '%s': not a regular file", path);
        g_free(path);
        return false;
    }
    if (!units_read_file(path, &text, &len, why, sizeof why)) {
        scn_fail(c, v, false, "cannot read the script file '%s': %s", path, why);
        g_free(path);
        return false;
    }
    char **lines = g_strsplit(text, "\n", -1);
    int cols[F_COUNT];
    bool header = false, ok = true;
    int at_col = 0, lineno = 0;
    for (char **l = lines; ok && *l; l++) {
        lineno++;
        char *s = *l;
        while (*s == ' ' || *s == '\t' || *s == '\r')
            s++;
        if (*s == '\0' || *s == '#')
            continue;
        struct csv_cell cells[CSV_MAX_COLS];
        int n = csv_split(*l, cells, CSV_MAX_COLS);
        if (!header) {
            ok = n <= CSV_MAX_COLS ? read_header(cells, n, cols, &at_col, why, sizeof why)
                                   : (at_col = 1, snprintf(why, sizeof why, "the header has %d "
                                      "columns, at most %d are known", n, CSV_MAX_COLS), false);
            header = true;
            continue;
        }
        int want = 0;
        for (int f = 0; f < F_COUNT; f++)
            want += cols[f] >= 0;
        struct client_script_conn e = { 0 };
        enum script_field f = F_AT;
        if (n != want) {
            at_col = 1;
            snprintf(why, sizeof why, "expected %d columns (as the header), found %d", want, n);
            ok = false;
        } else if (!read_row(cells, cols, cl->protocol, &e, &f, why, sizeof why) ||
                   !check_conn(cl, duration, out, src, &e, &f, why, sizeof why)) {
            at_col = cells[cols[f]].col;
            ok = false;
        } else {
            g_array_append_val(out, e);
            g_array_append_val(src->where, lineno);
        }
    }
    if (!ok)
        scn_fail(c, v, false, "%s:%d:%d: %s", path, lineno, at_col, why);
    g_strfreev(lines);
    g_free(text);
    g_free(path);
    return ok;
}

/* ---- the key ------------------------------------------------------------------------------- */

bool scn_load_script(struct scn_ctx *c, const cJSON *item, struct scn_client *cl)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(item, "script");
    scn_row_of(&scn_clients, "script", SCN_SCRIPT);
    if (!v)
        return true;
    for (size_t i = 0; i < G_N_ELEMENTS(not_with_script); i++)
        if (cJSON_GetObjectItemCaseSensitive(item, not_with_script[i]))
            return scn_fail_key(c, item, not_with_script[i], "'%s' does not go with 'script' "
                                "(each connection of a script gives its own time, address:port "
                                "and sizes)", not_with_script[i]);
    if (cl->host)
        return scn_fail_key(c, item, "script", "a script needs a client group on a host of its "
                            "own (its connections come from addresses of the group's net), not "
                            "one on '%s'", cl->host);
    size_t saved = scn_path_push_key(c, "script");
    GArray *out = g_array_new(FALSE, TRUE, sizeof(struct client_script_conn));
    struct script_src src = { .where = g_array_new(FALSE, FALSE, sizeof(int)) };
    const char *name = scn_string_of(v);
    bool ok;
    if (cJSON_IsArray(v)) {
        ok = load_array(c, v, cl, c->s->duration, out, &src);
    } else if (name) {
        src.file = true;
        ok = load_csv(c, v, name, cl, c->s->duration, out, &src);
    } else {
        ok = scn_fail(c, v, false, "expected an array of connections (objects with at, src, "
                      "request, response) or the name of a CSV file of them");
    }
    if (ok && out->len == 0)
        ok = scn_fail(c, v, false, "the script holds no connections");
    scn_path_pop(c, saved);
    g_array_free(src.where, TRUE);
    if (!ok) {
        g_array_free(out, TRUE);
        return false;
    }
    cl->script = out;
    return true;
}

/* ---- a replay: recorded conversations ---------------------------------------------------- */

/* The keys a replay says itself (start, stop, protocol, target and net stay the
 * group's: when to replay, a default protocol, another destination, the net). */
static const char *const not_with_replay[] = {
    "arrival", "users", "think", "request", "response", "count", "script", "requests_per_conn",
};

/* The smallest net holding lo..hi (host order) with both as host addresses. */
static void covering_net(uint32_t lo, uint32_t hi, be32 *net, uint8_t *prefix)
{
    uint8_t len = 32;
    while (len > 0 && (lo >> (32 - len)) != (hi >> (32 - len)))
        len--;
    for (;;) {
        uint32_t mask = len ? ~0u << (32 - len) : 0;
        bool ends = len <= 30 && ((lo & ~mask) == 0 || (hi & ~mask) == ~mask);
        if (!ends || len == 0) {
            *net = htonl(lo & mask);
            *prefix = len;
            return;
        }
        len--;
    }
}

/* Read the file into out (times as recorded) and src->where; a fault names the file's
 * place: FILE:LINE:COL for a CSV, FILE: packet N (offset X) for a pcap. */
static bool replay_read(struct scn_ctx *c, const cJSON *v, const char *path, GArray *out,
                        struct script_src *src, struct replay_pcap_stats *st)
{
    struct replay_fault f;
    char why[UNITS_WHY + 64];
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return scn_fail(c, v, false, "cannot read the replay file '%s': %s", path,
                        g_strerror(errno));
    unsigned char head[4];
    size_t got = fread(head, 1, sizeof head, fp);
    bool pcap = replay_is_pcap(head, got);
    bool ok;
    if (pcap) {
        rewind(fp);
        GArray *packets = g_array_new(FALSE, FALSE, sizeof(uint64_t));
        src->pcap = true;
        ok = replay_read_pcap(fp, out, packets, st, &f);
        for (guint i = 0; ok && i < packets->len; i++) {
            int w = (int)MIN(g_array_index(packets, uint64_t, i), (uint64_t)G_MAXINT);
            g_array_append_val(src->where, w);
        }
        g_array_free(packets, TRUE);
        if (!ok && f.packet > 0)
            return scn_fail(c, v, false, "%s: packet %llu (offset %ld): %s", path,
                            (unsigned long long)f.packet, f.offset, f.why);
        if (!ok)
            return scn_fail(c, v, false, "%s: %s", path, f.why);
        return true;
    }
    fclose(fp);
    char *text = NULL;
    size_t len = 0;
    if (!units_read_file(path, &text, &len, why, sizeof why))
        return scn_fail(c, v, false, "cannot read the replay file '%s': %s", path, why);
    if (memchr(text, '\0', len)) {
        g_free(text);
        return scn_fail(c, v, false, "%s: neither a pcap file nor a CSV text (it holds a NUL "
                        "byte)", path);
    }
    src->file = true;
    ok = replay_read_csv(text, out, src->where, &f);
    g_free(text);
    if (!ok)
        return scn_fail(c, v, false, "%s:%d:%d: %s", path, f.line, f.col, f.why);
    return true;
}

/* Times from the first conversation's, shifted by start; those at or after stop are
 * dropped (*late counts them). The group's protocol, target and sizes fill in. */
static bool replay_place(struct scn_ctx *c, const cJSON *v, const char *path,
                         const struct scn_client *cl, bool target_given, GArray *in,
                         struct script_src *src, GArray *out, uint64_t *late)
{
    sim_time_t t0 = g_array_index(in, struct client_script_conn, 0).at;
    char w[32];
    GArray *where = g_array_new(FALSE, FALSE, sizeof(int));
    for (guint i = 0; i < in->len; i++) {
        struct client_script_conn e = g_array_index(in, struct client_script_conn, i);
        if (e.at < t0) {
            where_str(src, i, w, sizeof w);
            g_array_free(where, TRUE);
            return scn_fail(c, v, false, "%s: %s: the times must not decrease: it comes before "
                            "the first conversation", path, w);
        }
        e.at = sim_time_add(cl->start, e.at - t0);
        if (e.at >= cl->stop) {
            (*late)++;
            continue;
        }
        if (!e.proto)
            e.proto = cl->protocol;
        if (target_given)
            e.daddr = 0, e.dport = 0;
        /* ipvsim's TCP client sends a request and reads a response of at least a
         * byte: a connection that carried none (refused, timed out) sends one */
        if (e.proto == IPPROTO_TCP) {
            e.request = MAX(e.request, 1);
            e.response = MAX(e.response, 1);
        }
        if (!e.daddr && !target_given) {
            where_str(src, i, w, sizeof w);
            g_array_free(where, TRUE);
            return scn_fail(c, v, false, "%s: %s: no destination: give the group a 'target', or "
                            "the file a 'destination' column", path, w);
        }
        g_array_append_val(out, e);
        g_array_append_val(where, g_array_index(src->where, int, i));
    }
    g_array_free(src->where, TRUE);
    src->where = where;
    return true;
}

/* What an address cannot be on the wire between hosts; NULL: it can be. */
static const char *special_addr(be32 a)
{
    uint32_t h = ntohl(a);
    if (h >> 24 == 0)
        return "\"this network\" (0.0.0.0/8)";
    if (h >> 24 == 127)
        return "a loopback address (127.0.0.0/8)";
    if (h >> 28 == 14)
        return "a multicast address";
    if (h >> 28 == 15)
        return "a reserved or broadcast address";
    return NULL;
}

/* Every conversation checked against the group as a script's connection is, and its
 * addresses: a capture of a host talking to itself cannot be replayed between two. */
static bool replay_check(struct scn_ctx *c, const cJSON *v, const char *path,
                         const struct scn_client *cl, GArray *in, struct script_src *src,
                         GArray *out)
{
    char why[UNITS_WHY + 64], w[32];
    enum script_field f;
    for (guint i = 0; i < in->len; i++) {
        const struct client_script_conn *e = &g_array_index(in, struct client_script_conn, i);
        const char *sa = special_addr(e->saddr), *da = e->daddr ? special_addr(e->daddr) : NULL;
        bool ok = !sa && !da;
        if (!ok) {
            char x[INET_KEY_STRLEN];
            inet_key_ntop(sa ? e->saddr : e->daddr, x);
            snprintf(why, sizeof why, "the %s %s is %s: it cannot be replayed between two "
                     "hosts (rewrite the addresses, e.g. in a CSV%s)", sa ? "client" : "destination",
                     x, sa ? sa : da, sa ? "" : ", or give the group a 'target'");
        }
        if (!ok || !check_conn(cl, cl->stop, out, src, e, &f, why, sizeof why)) {
            where_str(src, i, w, sizeof w);
            if (src->pcap)
                return scn_fail(c, v, false, "%s: the conversation of %s: %s", path, w, why);
            return scn_fail(c, v, false, "%s:%d:1: %s", path, g_array_index(src->where, int, i),
                            why);
        }
        g_array_append_val(out, *e);
    }
    return true;
}

/* A replay repeats every span plus its mean gap, so that its last and first
 * conversations are as far apart as two neighbours on average. 0: it cannot. */
static sim_time_t replay_period(const GArray *convs)
{
    guint n = convs->len;
    if (n < 2)
        return 0;
    sim_time_t span = g_array_index(convs, struct client_script_conn, n - 1).at -
                      g_array_index(convs, struct client_script_conn, 0).at;
    return span > 0 ? span + span / (sim_time_t)(n - 1) : 0;
}

static void replay_warnings(struct scn_ctx *c, const cJSON *item, const char *path,
                            const struct scn_client *cl, const GArray *convs, uint64_t late,
                            const struct replay_pcap_stats *st)
{
    guint n = convs->len;
    sim_time_t period = replay_period(convs);
    sim_time_t last = g_array_index(convs, struct client_script_conn, n - 1).at;
    if (!cl->loop && (n < 2 || sim_time_add(cl->start, period) < cl->stop))
        scn_warn_key(c, item, "replay", "%s: its %u conversation%s start%s by %.3f s, and the "
                     "group stops at %.3f s: none after that (\"loop\": true repeats them; "
                     "README, \"Replay your own traffic\")", path, n, n == 1 ? "" : "s",
                     n == 1 ? "s" : "", (double)last / SEC, (double)cl->stop / SEC);
    if (late > 0)
        scn_warn_key(c, item, "replay", "%s: %llu of its %llu conversations start at or after "
                     "the group stops (%.3f s) and are not replayed", path,
                     (unsigned long long)late, (unsigned long long)(late + n),
                     (double)cl->stop / SEC);
    uint64_t skipped = st->not_ipv4 + st->other_proto + st->no_syn + st->fragments;
    if (skipped > 0)
        scn_warn_key(c, item, "replay", "%s: %llu of its %llu packets are not replayed: %llu not "
                     "IPv4, %llu neither TCP nor UDP, %llu of TCP connections whose SYN is not in "
                     "the capture, %llu IPv4 fragments after the first", path,
                     (unsigned long long)skipped, (unsigned long long)st->packets,
                     (unsigned long long)st->not_ipv4, (unsigned long long)st->other_proto,
                     (unsigned long long)st->no_syn, (unsigned long long)st->fragments);
}

/* The net of the recorded clients when the group gives none: the smallest holding
 * them, refused when it holds a destination (the host would take it for its own). */
static bool replay_net(struct scn_ctx *c, const cJSON *item, struct scn_client *cl,
                       const GArray *convs)
{
    uint32_t lo = UINT32_MAX, hi = 0;
    for (guint i = 0; i < convs->len; i++) {
        uint32_t a = ntohl(g_array_index(convs, struct client_script_conn, i).saddr);
        lo = MIN(lo, a);
        hi = MAX(hi, a);
    }
    covering_net(lo, hi, &cl->net, &cl->prefix);
    uint32_t mask = cl->prefix ? ~0u << (32 - cl->prefix) : 0;
    for (guint i = 0; i <= convs->len; i++) {
        be32 d = i < convs->len ? g_array_index(convs, struct client_script_conn, i).daddr
                                : cl->target_ip;
        if (d && (ntohl(d) & mask) == ntohl(cl->net)) {
            char a[INET_KEY_STRLEN], b[INET_KEY_STRLEN], x[INET_KEY_STRLEN];
            uint32_t l = htonl(lo), h = htonl(hi);
            inet_ntop(AF_INET, &l, a, sizeof a);
            inet_ntop(AF_INET, &h, b, sizeof b);
            inet_ntop(AF_INET, &d, x, sizeof x);
            return scn_fail_key(c, item, "replay", "the recorded clients span %s to %s, whose "
                                "smallest net (/%u) holds the destination %s: the group's host "
                                "owns its whole net (README, \"Replay your own traffic\")", a, b,
                                cl->prefix, x);
        }
    }
    return true;
}

bool scn_load_replay(struct scn_ctx *c, const cJSON *item, struct scn_client *cl)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(item, "replay");
    scn_row_of(&scn_clients, "replay", SCN_STRING);
    bool trace = cl->users == 0 && cl->arrival.kind == DIST_TRACE;
    if (!scn_get_bool(c, item, &scn_clients, "loop", &cl->loop))
        return false;
    if (!v) {
        if (cl->loop && !trace)
            return scn_fail_key(c, item, "loop", "'loop' repeats a 'replay' or an 'arrival' "
                                "trace, and this group has neither");
        return true;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(not_with_replay); i++)
        if (cJSON_GetObjectItemCaseSensitive(item, not_with_replay[i]))
            return scn_fail_key(c, item, not_with_replay[i], "'%s' does not go with 'replay' "
                                "(each recorded conversation gives its own time, address:port, "
                                "sizes and requests)", not_with_replay[i]);
    if (cl->host)
        return scn_fail_key(c, item, "replay", "a replay needs a client group on a host of its "
                            "own (its conversations come from the recorded addresses), not one "
                            "on '%s'", cl->host);
    size_t saved = scn_path_push_key(c, "replay");
    const char *name = scn_string_of(v);
    if (!name) {
        scn_fail(c, v, false, "expected the name of a pcap or CSV file");
        scn_path_pop(c, saved);
        return false;
    }
    char *path = g_path_is_absolute(name) || strcmp(c->dir, ".") == 0
                     ? g_strdup(name) : g_build_filename(c->dir, name, NULL);
    bool target_given = cJSON_GetObjectItemCaseSensitive(item, "target") != NULL;
    bool net_given = cJSON_GetObjectItemCaseSensitive(item, "net") != NULL;
    GArray *rec = g_array_new(FALSE, TRUE, sizeof(struct client_script_conn));
    GArray *placed = g_array_new(FALSE, TRUE, sizeof(struct client_script_conn));
    GArray *out = g_array_new(FALSE, TRUE, sizeof(struct client_script_conn));
    struct script_src src = { .where = g_array_new(FALSE, FALSE, sizeof(int)) };
    struct replay_pcap_stats st = { 0 };
    uint64_t late = 0;
    bool ok;
    if (g_file_test(path, G_FILE_TEST_EXISTS) && !g_file_test(path, G_FILE_TEST_IS_REGULAR))
        ok = scn_fail(c, v, false, "cannot read the replay file '%s': not a regular file", path);
    else
        ok = replay_read(c, v, path, rec, &src, &st) &&
             replay_place(c, v, path, cl, target_given, rec, &src, placed, &late);
    if (ok && placed->len == 0)
        ok = scn_fail(c, v, false, "%s: every conversation starts at or after the group stops",
                      path);
    if (ok && !target_given) {
        const struct client_script_conn *e0 = &g_array_index(placed, struct client_script_conn, 0);
        cl->target_ip = e0->daddr;
        cl->target_port = ntohs(e0->dport);
    }
    ok = ok && (net_given || replay_net(c, item, cl, placed)) &&
         replay_check(c, v, path, cl, placed, &src, out);
    if (ok && cl->loop) {
        cl->loop_period = replay_period(out);
        if (cl->loop_period == 0)
            ok = scn_fail_key(c, item, "loop", "a replay of %s cannot loop (it has no span "
                              "to repeat)", out->len == 1 ? "one conversation"
                                                          : "conversations at one instant");
    }
    scn_path_pop(c, saved);
    if (ok)
        replay_warnings(c, item, path, cl, out, late, &st);
    g_array_free(rec, TRUE);
    g_array_free(placed, TRUE);
    g_array_free(src.where, TRUE);
    g_free(path);
    if (!ok) {
        g_array_free(out, TRUE);
        return false;
    }
    cl->script = out;
    return true;
}
