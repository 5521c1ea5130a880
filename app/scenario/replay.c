/* A client group's recorded traffic (replay.h): the CSV reader and the pcap reader.
 * Userspace, no kernel file: what a pcap holds is read the way tcpdump shows it. */
#include "app/scenario/replay.h"

#include <arpa/inet.h>
#include <pcap/pcap.h>
#include <stdarg.h>
#include <string.h>
#include "app/scenario/units.h"
#include "sim/in6_key.h"

#define REPLAY_MAX_REQUESTS 1000000

static bool fault(struct replay_fault *f, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static bool fault(struct replay_fault *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->why, sizeof f->why, fmt, ap);
    va_end(ap);
    return false;
}

bool replay_is_pcap(const void *head, size_t n)
{
    static const uint32_t magics[] = { 0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1,
                                       0x0a0d0d0a };
    uint32_t m;
    if (n < 4)
        return false;
    memcpy(&m, head, 4);
    for (size_t i = 0; i < G_N_ELEMENTS(magics); i++)
        if (m == magics[i] || m == GUINT32_SWAP_LE_BE(magics[i]))
            return true;
    return false;
}

/* ---- CSV ------------------------------------------------------------------------------ */

enum col { C_TIME, C_CLIENT, C_PORT, C_PROTOCOL, C_REQUEST, C_RESPONSE, C_DESTINATION,
           C_REQUESTS, C_COUNT };
static const char *const col_names[C_COUNT] = {
    "time", "client", "port", "protocol", "request", "response", "destination", "requests",
};
#define COLS_EXPECTED "time, client, port, protocol, request, response and optionally " \
                      "destination and requests"


/* A time: seconds as a decimal number (an epoch time too, to the nanosecond), or a
 * duration with its unit ("10ms"). */
static bool parse_time(const char *s, sim_time_t *out, char *why, size_t n)
{
    const char *p = s;
    int64_t sec = 0, frac = 0;
    int digits = 0, fdigits = 0;
    while (*p >= '0' && *p <= '9') {
        if (sec > (SIM_TIME_MAX / SEC - 9) / 10) {
            snprintf(why, n, "the time is too large (at most %lld s)",
                     (long long)(SIM_TIME_MAX / SEC - 10));
            return false;
        }
        sec = sec * 10 + (*p++ - '0');
        digits++;
    }
    if (digits > 0 && *p == '.') {
        p++;
        while (*p >= '0' && *p <= '9') {
            if (++fdigits > 9) {
                snprintf(why, n, "more than 9 decimals (a time is kept to the nanosecond)");
                return false;
            }
            frac = frac * 10 + (*p++ - '0');
        }
    }
    if (digits > 0 && *p == '\0') {
        while (fdigits++ < 9)
            frac *= 10;
        *out = sec * SEC + frac;
        return true;
    }
    if (!units_duration(s, out, why, n))
        return false;
    return true;
}

/* A byte count: an integer, or a size with its unit. */
static bool parse_bytes(const char *s, uint64_t *out, char *why, size_t n)
{
    if (*s >= '0' && *s <= '9') {
        char *end;
        unsigned long long v = g_ascii_strtoull(s, &end, 10);
        if (*end == '\0' && v <= (1ull << 40)) {
            *out = v;
            return true;
        }
    }
    return units_size(s, out, why, n);
}

/* An integer in [lo, hi]. */
static bool parse_uint(const char *s, uint64_t lo, uint64_t hi, uint64_t *out, const char *what,
                       char *why, size_t n)
{
    char *end;
    if (*s >= '0' && *s <= '9') {
        unsigned long long v = g_ascii_strtoull(s, &end, 10);
        if (*end == '\0' && v >= lo && v <= hi) {
            *out = v;
            return true;
        }
    }
    snprintf(why, n, "expected %s: an integer from %llu to %llu, not '%.20s'", what,
             (unsigned long long)lo, (unsigned long long)hi, s);
    return false;
}

/* The header, when the first line is one: which column each field is. */
static bool read_header(const struct csv_cell *cells, int n, int cols[C_COUNT], struct replay_fault *f)
{
    for (int k = 0; k < C_COUNT; k++)
        cols[k] = -1;
    for (int i = 0; i < n; i++) {
        int k = 0;
        while (k < C_COUNT && strcmp(cells[i].text, col_names[k]) != 0)
            k++;
        f->col = cells[i].col;
        if (k == C_COUNT)
            return fault(f, "unknown column '%.40s' (expected %s)", cells[i].text, COLS_EXPECTED);
        if (cols[k] >= 0)
            return fault(f, "the column '%s' is there twice", col_names[k]);
        cols[k] = i;
    }
    static const enum col required[] = { C_TIME, C_CLIENT, C_REQUEST, C_RESPONSE };
    for (size_t r = 0; r < G_N_ELEMENTS(required); r++)
        if (cols[required[r]] < 0) {
            f->col = 1;
            return fault(f, "the header has no column '%s' (expected %s)", col_names[required[r]],
                         COLS_EXPECTED);
        }
    return true;
}

/* One cell into e. */
static bool read_cell(enum col k, const char *s, struct client_script_conn *e, char *why, size_t n)
{
    uint64_t v = 0;
    uint16_t port = 0;
    switch (k) {
    case C_TIME:
        return parse_time(s, &e->at, why, n);
    case C_CLIENT:
        if (units_ipv4(s, &e->saddr) && in6_is_key(e->saddr)) {
            /* the space of IPv6 keys (sim/in6_key.h) */
            snprintf(why, n, "%.40s is in 240.0.0.0/4, which is reserved (class E)", s);
            return false;
        }
        if (units_ipv4(s, &e->saddr))
            return true;
        snprintf(why, n, "expected the client's IPv4 address like \"198.51.100.7\", not '%.40s'", s);
        return false;
    case C_PORT:
        if (!parse_uint(s, 0, 65535, &v, "a port (0: an ephemeral one)", why, n))
            return false;
        e->sport = htons((uint16_t)v);
        return true;
    case C_PROTOCOL:
        if (strcmp(s, "tcp") == 0 || strcmp(s, "6") == 0)
            e->proto = IPPROTO_TCP;
        else if (strcmp(s, "udp") == 0 || strcmp(s, "17") == 0)
            e->proto = IPPROTO_UDP;
        else if (*s != '\0') {
            snprintf(why, n, "unknown protocol '%.20s' (expected tcp or udp)", s);
            return false;
        }
        return true;
    case C_REQUEST:
        return parse_bytes(s, &e->request, why, n);
    case C_RESPONSE:
        return parse_bytes(s, &e->response, why, n);
    case C_DESTINATION:
        if (*s == '\0')
            return true;
        if (!units_endpoint(s, &e->daddr, &port, why, n))
            return false;
        if (in6_is_key(e->daddr)) {     /* a replay's clients are IPv4 (their CSV column) */
            snprintf(why, n, "a replayed conversation is IPv4: expected an IPv4 destination, "
                     "not '%.50s'", s);
            return false;
        }
        e->dport = htons(port);
        return true;
    case C_REQUESTS:
        if (!parse_uint(s, 1, REPLAY_MAX_REQUESTS, &v, "the requests of the conversation", why, n))
            return false;
        e->requests = (uint32_t)v;
        return true;
    default:
        return true;
    }
}

/* Is the first line a header (its first cell not a time)? */
static bool is_header(const struct csv_cell *c)
{
    sim_time_t t;
    char why[UNITS_WHY];
    return !parse_time(c->text, &t, why, sizeof why);
}

bool replay_read_csv(const char *text, GArray *convs, GArray *lines, struct replay_fault *f)
{
    memset(f, 0, sizeof *f);
    f->offset = -1;
    char **all = g_strsplit(text, "\n", -1);
    int cols[C_COUNT];
    bool seen = false, ok = true;
    int want = 0;
    for (char **l = all; ok && *l; l++) {
        f->line++;
        const char *s = *l;
        while (*s == ' ' || *s == '\t' || *s == '\r')
            s++;
        if (*s == '\0' || *s == '#')
            continue;
        struct csv_cell cells[C_COUNT];
        int n = csv_split(*l, cells, C_COUNT);
        f->col = 1;
        if (!seen) {
            seen = true;
            if (n > C_COUNT) {
                ok = fault(f, "%d columns, at most %d are known (%s)", n, C_COUNT, COLS_EXPECTED);
                break;
            }
            if (is_header(&cells[0])) {
                ok = read_header(cells, n, cols, f);
                for (int k = 0; k < C_COUNT; k++)
                    want += cols[k] >= 0;
                continue;
            }
            /* no header: the columns in their documented order, the last two optional */
            if (n < C_DESTINATION) {
                ok = fault(f, "expected a header or at least %d columns (%s), found %d",
                           C_DESTINATION, COLS_EXPECTED, n);
                break;
            }
            for (int k = 0; k < C_COUNT; k++)
                cols[k] = k < n ? k : -1;
            want = n;
        }
        if (n != want) {
            ok = fault(f, "expected %d columns (as the %s), found %d", want,
                       f->line == 1 ? "first line" : "header or first line", n);
            break;
        }
        struct client_script_conn e = { .requests = 1 };
        for (int k = 0; ok && k < C_COUNT; k++) {
            if (cols[k] < 0)
                continue;
            f->col = cells[cols[k]].col;
            ok = read_cell((enum col)k, cells[cols[k]].text, &e, f->why, sizeof f->why);
        }
        if (ok) {
            g_array_append_val(convs, e);
            g_array_append_val(lines, f->line);
        }
    }
    g_strfreev(all);
    if (ok && convs->len == 0) {
        f->line = f->col = 1;
        ok = fault(f, "the file holds no conversations");
    }
    return ok;
}

/* ---- pcap ------------------------------------------------------------------------------- */

/* A conversation being read, beside its entry in the output. */
struct track {
    guint conv;                     /* its index in convs */
    bool udp;
    bool answered;                  /* UDP: the server has sent */
    bool have_sbase;                /* TCP: the server's first sequence number is known */
    bool client_last;               /* TCP: the last new data came from the client */
    uint32_t cisn, cbase, sbase;    /* TCP: the client's ISN; the first data byte each way */
    uint32_t cmax, smax;            /* TCP: the end of new data each way, from its base */
    sim_time_t last;                /* UDP: its last datagram */
};

/* The key of a 4-tuple and protocol, from the client's side. */
struct tuple {
    be32 saddr, daddr;
    be16 sport, dport;
    uint32_t proto;
};

static guint tuple_hash(gconstpointer p)
{
    const struct tuple *t = p;
    return (guint)(t->saddr * 2654435761u) ^ (guint)t->daddr ^ ((guint)t->sport << 16) ^
           (guint)t->dport ^ t->proto;
}

static gboolean tuple_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, sizeof(struct tuple)) == 0;
}

struct pcap_reader {
    GArray *convs, *packets;
    GHashTable *flows;              /* struct tuple * -> struct track * */
    struct replay_pcap_stats *st;
    uint64_t packet;
};

static struct track *flow_new(struct pcap_reader *r, const struct tuple *t, sim_time_t now,
                              uint8_t proto)
{
    struct client_script_conn e = {
        .at = now, .saddr = t->saddr, .sport = t->sport, .daddr = t->daddr, .dport = t->dport,
        .proto = proto, .requests = proto == IPPROTO_TCP ? 0 : 1,
    };
    g_array_append_val(r->convs, e);
    g_array_append_val(r->packets, r->packet);
    struct track *k = g_new0(struct track, 1);
    k->conv = r->convs->len - 1;
    k->udp = proto == IPPROTO_UDP;
    k->last = now;
    struct tuple *key = g_memdup2(t, sizeof *t);
    g_hash_table_replace(r->flows, key, k);
    return k;
}

static struct client_script_conn *conv_of(struct pcap_reader *r, const struct track *k)
{
    return &g_array_index(r->convs, struct client_script_conn, k->conv);
}

/* New data of one direction: [seq, seq + len) from base; returns the bytes it adds. */
static uint32_t advance(uint32_t base, uint32_t *max, uint32_t seq, uint32_t len)
{
    uint32_t end = seq - base + len;
    if (len == 0 || (int32_t)(end - *max) <= 0 || end > (1u << 31))
        return 0;
    uint32_t added = end - *max;
    *max = end;
    return added;
}

static void tcp_segment(struct pcap_reader *r, const struct tuple *t, sim_time_t now,
                        const uint8_t *th, uint32_t len)
{
    uint32_t seq = (uint32_t)th[4] << 24 | (uint32_t)th[5] << 16 | (uint32_t)th[6] << 8 | th[7];
    uint8_t flags = th[13];
    bool syn = flags & 0x02, ack = flags & 0x10;
    struct tuple back = { t->daddr, t->saddr, t->dport, t->sport, t->proto };
    struct track *k = g_hash_table_lookup(r->flows, t);
    if (syn && !ack) {
        if (k && k->cisn == seq)
            return;                 /* the SYN again */
        k = flow_new(r, t, now, IPPROTO_TCP);
        k->cisn = seq;
        k->cbase = seq + 1;
        return;
    }
    if (k) {                        /* the client's */
        if (advance(k->cbase, &k->cmax, seq, len) > 0) {
            struct client_script_conn *e = conv_of(r, k);
            e->request = k->cmax;
            if (!k->client_last)
                e->requests++;
            k->client_last = true;
        }
        return;
    }
    k = g_hash_table_lookup(r->flows, &back);
    if (!k) {
        r->st->no_syn++;
        return;
    }
    if (!k->have_sbase) {
        k->have_sbase = true;
        k->sbase = syn ? seq + 1 : seq;
    }
    if (advance(k->sbase, &k->smax, seq, len) > 0) {
        conv_of(r, k)->response = k->smax;
        k->client_last = false;
    }
}

static void udp_datagram(struct pcap_reader *r, const struct tuple *t, sim_time_t now,
                         uint32_t len)
{
    struct tuple back = { t->daddr, t->saddr, t->dport, t->sport, t->proto };
    struct track *k = g_hash_table_lookup(r->flows, t);
    if (k && (k->answered || now - k->last > REPLAY_UDP_IDLE))
        k = NULL;                   /* a new request on the same 4-tuple */
    if (k) {
        conv_of(r, k)->request += len;
        k->last = now;
        return;
    }
    struct track *b = g_hash_table_lookup(r->flows, &back);
    if (b && now - b->last <= REPLAY_UDP_IDLE) {
        conv_of(r, b)->response += len;
        b->answered = true;
        b->last = now;
        return;
    }
    k = flow_new(r, t, now, IPPROTO_UDP);
    conv_of(r, k)->request = len;
}

/* The IPv4 packet at ip (caplen bytes of it captured). */
static bool ipv4_packet(struct pcap_reader *r, sim_time_t now, const uint8_t *ip, uint32_t caplen,
                        struct replay_fault *f)
{
    if (caplen < 20)
        return fault(f, "truncated: %u bytes captured of an IPv4 header of 20", caplen);
    uint32_t ihl = (ip[0] & 0x0f) * 4u, tot = (uint32_t)ip[2] << 8 | ip[3];
    if (ihl < 20 || tot < ihl)
        return fault(f, "not a valid IPv4 header (header length %u, total length %u)", ihl, tot);
    uint16_t frag = (uint16_t)(ip[6] << 8 | ip[7]);
    if (frag & 0x1fff) {
        r->st->fragments++;
        return true;
    }
    uint8_t proto = ip[9];
    if (proto != IPPROTO_TCP && proto != IPPROTO_UDP) {
        r->st->other_proto++;
        return true;
    }
    uint32_t need = ihl + (proto == IPPROTO_TCP ? 20 : 8);
    if (caplen < need || tot < need)
        return fault(f, "truncated: %u bytes of %s captured, its IPv4 and %s headers take %u",
                     caplen < tot ? caplen : tot, proto == IPPROTO_TCP ? "a TCP segment"
                     : "a UDP datagram", proto == IPPROTO_TCP ? "TCP" : "UDP", need);
    const uint8_t *l4 = ip + ihl;
    struct tuple t = { .proto = proto };
    memcpy(&t.saddr, ip + 12, 4);
    memcpy(&t.daddr, ip + 16, 4);
    memcpy(&t.sport, l4, 2);
    memcpy(&t.dport, l4 + 2, 2);
    if (proto == IPPROTO_TCP) {
        uint32_t doff = (l4[12] >> 4) * 4u;
        if (doff < 20 || ihl + doff > tot)
            return fault(f, "not a valid TCP header (data offset %u, IPv4 total length %u)", doff,
                         tot);
        tcp_segment(r, &t, now, l4, tot - ihl - doff);
    } else {
        uint32_t ulen = (uint32_t)l4[4] << 8 | l4[5];
        if (ulen < 8)
            return fault(f, "not a valid UDP header (length %u)", ulen);
        udp_datagram(r, &t, now, ulen - 8);
    }
    return true;
}

/* Where the network layer starts in a frame of the link type, and its protocol
 * (an EtherType); false: the frame is too short. */
static bool link_payload(int dlt, const uint8_t *p, uint32_t caplen, uint32_t *off, uint16_t *type)
{
    switch (dlt) {
    case DLT_EN10MB:
        if (caplen < 14)
            return false;
        *off = 14;
        *type = (uint16_t)(p[12] << 8 | p[13]);
        for (int tags = 0; tags < 2 && (*type == 0x8100 || *type == 0x88a8); tags++) {
            if (caplen < *off + 4)
                return false;
            *type = (uint16_t)(p[*off + 2] << 8 | p[*off + 3]);
            *off += 4;
        }
        return true;
    case DLT_LINUX_SLL:
        if (caplen < 16)
            return false;
        *off = 16;
        *type = (uint16_t)(p[14] << 8 | p[15]);
        return true;
#ifdef DLT_LINUX_SLL2
    case DLT_LINUX_SLL2:
        if (caplen < 20)
            return false;
        *off = 20;
        *type = (uint16_t)(p[0] << 8 | p[1]);
        return true;
#endif
    default:                        /* raw IP: the version says */
        if (caplen < 1)
            return false;
        *off = 0;
        *type = (p[0] >> 4) == 4 ? 0x0800 : (p[0] >> 4) == 6 ? 0x86dd : 0;
        return true;
    }
}

static bool dlt_known(int dlt)
{
#ifdef DLT_LINUX_SLL2
    if (dlt == DLT_LINUX_SLL2)
        return true;
#endif
    return dlt == DLT_EN10MB || dlt == DLT_RAW || dlt == DLT_LINUX_SLL
#ifdef DLT_IPV4
           || dlt == DLT_IPV4
#endif
           || dlt == 14 /* DLT_RAW on OpenBSD */;
}

static int by_time(gconstpointer a, gconstpointer b, gpointer convs)
{
    const GArray *c = convs;
    sim_time_t x = g_array_index(c, struct client_script_conn, *(const guint *)a).at;
    sim_time_t y = g_array_index(c, struct client_script_conn, *(const guint *)b).at;
    if (x != y)
        return x < y ? -1 : 1;
    return *(const guint *)a < *(const guint *)b ? -1 : *(const guint *)a > *(const guint *)b;
}

/* Sort convs (and packets beside them) by time, stably. */
static void sort_by_time(GArray *convs, GArray *packets)
{
    guint n = convs->len;
    guint *idx = g_new(guint, n ? n : 1);
    for (guint i = 0; i < n; i++)
        idx[i] = i;
    g_qsort_with_data(idx, (gint)n, sizeof *idx, by_time, convs);
    GArray *c2 = g_array_sized_new(FALSE, FALSE, sizeof(struct client_script_conn), n);
    GArray *p2 = g_array_sized_new(FALSE, FALSE, sizeof(uint64_t), n);
    for (guint i = 0; i < n; i++) {
        g_array_append_val(c2, g_array_index(convs, struct client_script_conn, idx[i]));
        g_array_append_val(p2, g_array_index(packets, uint64_t, idx[i]));
    }
    g_array_set_size(convs, 0);
    g_array_append_vals(convs, c2->data, n);
    g_array_set_size(packets, 0);
    g_array_append_vals(packets, p2->data, n);
    g_array_free(c2, TRUE);
    g_array_free(p2, TRUE);
    g_free(idx);
}

bool replay_read_pcap(FILE *fp, GArray *convs, GArray *packets, struct replay_pcap_stats *st,
                      struct replay_fault *f)
{
    memset(f, 0, sizeof *f);
    memset(st, 0, sizeof *st);
    f->offset = 0;
    char err[PCAP_ERRBUF_SIZE] = "";
    pcap_t *p = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, err);
    if (!p) {
        fclose(fp);
        return fault(f, "not a pcap file libpcap reads: %s", err);
    }
    int dlt = pcap_datalink(p);
    bool ok = true;
    if (!dlt_known(dlt)) {
        const char *name = pcap_datalink_val_to_name(dlt);
        ok = fault(f, "link type %d (%s) is not read (expected Ethernet, raw IP or Linux cooked)",
                   dlt, name ? name : "unknown");
    }
    struct pcap_reader r = {
        .convs = convs, .packets = packets, .st = st,
        .flows = g_hash_table_new_full(tuple_hash, tuple_equal, g_free, g_free),
    };
    while (ok) {
        struct pcap_pkthdr *h;
        const u_char *data;
        long at = ftell(fp);
        int rc = pcap_next_ex(p, &h, &data);
        if (rc == PCAP_ERROR_BREAK)
            break;
        r.packet++;
        f->packet = r.packet;
        f->offset = at;
        if (rc != 1) {
            ok = fault(f, "%s", pcap_geterr(p));
            break;
        }
        st->packets++;
        /* the record's fields are signed 32-bit: a broken file can give either sign */
        if (h->ts.tv_sec < 0 || h->ts.tv_sec > SIM_TIME_MAX / SEC - 1 || h->ts.tv_usec < 0 ||
            h->ts.tv_usec >= SEC) {
            ok = fault(f, "a time out of range (%lld s and %lld ns)", (long long)h->ts.tv_sec,
                       (long long)h->ts.tv_usec);
            break;
        }
        /* with nanosecond precision, tv_usec holds nanoseconds */
        sim_time_t now = (sim_time_t)h->ts.tv_sec * SEC + (sim_time_t)h->ts.tv_usec;
        uint32_t off;
        uint16_t type;
        if (!link_payload(dlt, data, h->caplen, &off, &type)) {
            ok = fault(f, "truncated: %u bytes captured, shorter than its link-layer header",
                       h->caplen);
            break;
        }
        if (type != 0x0800) {
            st->not_ipv4++;
            continue;
        }
        ok = ipv4_packet(&r, now, data + off, h->caplen - off, f);
    }
    g_hash_table_destroy(r.flows);
    pcap_close(p);                  /* closes fp */
    if (!ok)
        return false;
    f->packet = 0;
    f->offset = -1;
    sort_by_time(convs, packets);
    for (guint i = 0; i < convs->len; i++) {
        struct client_script_conn *e = &g_array_index(convs, struct client_script_conn, i);
        if (e->requests == 0)
            e->requests = 1;        /* a connection that carried no request */
    }
    if (convs->len == 0)
        return fault(f, "holds no TCP connection with its SYN and no UDP flow over IPv4 (%llu "
                     "packets: %llu not IPv4, %llu neither TCP nor UDP, %llu of connections "
                     "whose SYN is not there)", (unsigned long long)st->packets,
                     (unsigned long long)st->not_ipv4, (unsigned long long)st->other_proto,
                     (unsigned long long)st->no_syn);
    return true;
}
