/* Trace events as text lines. */
#include "app/report/trace_text.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include "model/netfilter/core.h"
#include "sim/in6_key.h"

/* ---- nesting ------------------------------------------------------------------------ */

void trace_nest_init(struct trace_nest *n, trace_nest_fn out, void *ctx)
{
    memset(n, 0, sizeof *n);
    n->out = out;
    n->ctx = ctx;
}

static bool same_call(const struct trace_event *enter, const struct trace_event *ev)
{
    return enter->host == ev->host && enter->pkt == ev->pkt && enter->hook == ev->hook &&
           enter->priority == ev->priority && enter->func == ev->func;
}

void trace_nest_flush(struct trace_nest *n)
{
    if (!n->has_pending)
        return;
    n->has_pending = false;
    n->out(n->ctx, &n->pending, n->depth, TRACE_ROLE_OPEN);
    n->depth++;
}

void trace_nest_feed(struct trace_nest *n, const struct trace_event *ev)
{
    if (n->has_pending) {
        if (ev->kind == TRACE_HOOK && same_call(&n->pending, ev)) {
            n->has_pending = false;
            n->out(n->ctx, ev, n->depth, TRACE_ROLE_LINE);
            return;
        }
        trace_nest_flush(n);
    }
    switch (ev->kind) {
    case TRACE_HOOK_ENTER:
        n->pending = *ev;
        n->has_pending = true;
        return;
    case TRACE_HOOK:
        if (n->depth > 0) {
            n->depth--;
            n->out(n->ctx, ev, n->depth, TRACE_ROLE_CLOSE);
        } else {
            n->out(n->ctx, ev, 0, TRACE_ROLE_LINE);     /* its enter was not seen */
        }
        return;
    default:
        n->out(n->ctx, ev, n->depth, TRACE_ROLE_LINE);
        return;
    }
}

/* ---- colours ------------------------------------------------------------------------ */

#define C_RESET "\033[0m"
#define C_DIM "\033[2m"
#define C_BOLD "\033[1m"
#define C_HOST "\033[1;34m"
#define C_HOOK "\033[35m"
#define C_NOTE "\033[36m"
#define C_OK "\033[32m"
#define C_BAD "\033[1;31m"
#define C_OTHER "\033[33m"
#define C_CHANGE "\033[33m"

static void on(GString *out, bool colour, const char *code)
{
    if (colour)
        g_string_append(out, code);
}

static void off(GString *out, bool colour)
{
    if (colour)
        g_string_append(out, C_RESET);
}

/* ---- header fields ------------------------------------------------------------------ */

static void addr(GString *out, be32 a)
{
    char buf[INET_KEY_STRLEN];
    inet_key_ntop(a, buf);
    g_string_append(out, buf);
}

static void mac(GString *out, const uint8_t *m)
{
    g_string_append_printf(out, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static const char *proto_name(uint8_t p)
{
    switch (p) {
    case IPPROTO_TCP: return "tcp";
    case IPPROTO_UDP: return "udp";
    case IPPROTO_ICMP: return "icmp";
    case 58: return "icmp6";
    case 4: return "ipip";
    default: return "ip";
    }
}

static void tcp_flags(GString *out, uint8_t f)
{
    static const char names[] = "FSRPAU";
    g_string_append_c(out, '[');
    for (int i = 0; i < 6; i++)
        if (f & (1 << i))
            g_string_append_c(out, names[i]);
    g_string_append_c(out, ']');
}

/* An address with its port: "10.0.1.2:40000", "[2001:db8::2]:40000". */
static void addr_port(GString *out, be32 a, be16 port, bool ports)
{
    bool v6 = in6_is_key(a);
    if (v6 && ports)
        g_string_append_c(out, '[');
    addr(out, a);
    if (v6 && ports)
        g_string_append_c(out, ']');
    if (ports)
        g_string_append_printf(out, ":%u", ntohs(port));
}

/* The tunnel's name by its outer and inner families, as ip(8) names the devices'
 * modes: ipip, ip6ip6, ip4ip6 (IPv4 in IPv6), sit (IPv6 in IPv4). */
static const char *tunnel_name(be32 outer, be32 inner)
{
    bool o6 = in6_is_key(outer), i6 = in6_is_key(inner);
    return o6 ? (i6 ? "ip6ip6" : "ip4ip6") : (i6 ? "sit" : "ipip");
}

/* "10.0.1.2:40000 > 10.0.2.2:53 udp ttl 64"; IPv6: "[2001:db8::2]:40000 >
 * [2001:db8::10]:53 udp hlim 64", as tcpdump calls the hop limit. */
static void headers(GString *out, const struct trace_hdr *h)
{
    if (h->outer_saddr) {
        g_string_append_printf(out, "%s(", tunnel_name(h->outer_saddr, h->saddr));
        addr(out, h->outer_saddr);
        g_string_append(out, " > ");
        addr(out, h->outer_daddr);
        g_string_append(out, ") ");
    }
    bool ports = h->proto == IPPROTO_TCP || h->proto == IPPROTO_UDP;
    bool v6 = in6_is_key(h->saddr);
    addr_port(out, h->saddr, h->sport, ports);
    g_string_append(out, " > ");
    addr_port(out, h->daddr, h->dport, ports);
    g_string_append_printf(out, " %s", v6 && h->proto == 58 ? "icmp6" : proto_name(h->proto));
    if (h->proto == IPPROTO_TCP)
        tcp_flags(out, h->tcp_flags);
    if ((h->proto == IPPROTO_ICMP && !v6) || (h->proto == 58 && v6))
        g_string_append_printf(out, " type %u code %u", h->sport, h->dport);
    g_string_append_printf(out, v6 ? " hlim %u" : " ttl %u", h->ttl);
    if (h->mark)
        g_string_append_printf(out, " mark 0x%x", h->mark);
}

static void macs(GString *out, const struct trace_hdr *h)
{
    if (!h->has_mac)
        return;
    g_string_append(out, " mac ");
    mac(out, h->h_source);
    g_string_append(out, " > ");
    mac(out, h->h_dest);
}

bool trace_event_shows_mac(const struct trace_event *ev)
{
    return ev->before.has_mac && ev->func &&
           ((ev->kind == TRACE_FUNC && (strcmp(ev->func, "ip_rcv") == 0 ||
                                         strcmp(ev->func, "ipv6_rcv") == 0)) ||
            (ev->kind == TRACE_NOTE && strcmp(ev->func, "dev_queue_xmit") == 0));
}

/* The fields a hook changed: " {daddr 10.0.2.2 -> 10.0.1.1}" */
static void changes(GString *out, const struct trace_hdr *a, const struct trace_hdr *b, bool colour)
{
    if (memcmp(a, b, sizeof *a) == 0)
        return;
    g_string_append_c(out, ' ');
    on(out, colour, C_CHANGE);
    g_string_append_c(out, '{');
    if (a->saddr != b->saddr || a->sport != b->sport || a->daddr != b->daddr ||
        a->dport != b->dport || a->outer_saddr != b->outer_saddr ||
        a->outer_daddr != b->outer_daddr || a->proto != b->proto) {
        headers(out, a);
        g_string_append(out, " => ");
        headers(out, b);
    } else {
        size_t start = out->len;
        if (a->ttl != b->ttl)
            g_string_append_printf(out, in6_is_key(a->saddr) ? "hlim %u -> %u " : "ttl %u -> %u ",
                                   a->ttl, b->ttl);
        if (a->mark != b->mark)
            g_string_append_printf(out, "mark 0x%x -> 0x%x ", a->mark, b->mark);
        if (a->tot_len != b->tot_len)
            g_string_append_printf(out, "len %u -> %u ", a->tot_len, b->tot_len);
        if (a->tcp_flags != b->tcp_flags) {
            g_string_append(out, "flags ");
            tcp_flags(out, a->tcp_flags);
            g_string_append(out, " -> ");
            tcp_flags(out, b->tcp_flags);
            g_string_append_c(out, ' ');
        }
        if (a->has_mac != b->has_mac || memcmp(a->h_source, b->h_source, ETH_ALEN) != 0 ||
            memcmp(a->h_dest, b->h_dest, ETH_ALEN) != 0) {
            g_string_append(out, "mac ");
            mac(out, a->h_source);
            g_string_append(out, " > ");
            mac(out, a->h_dest);
            g_string_append(out, " -> ");
            mac(out, b->h_source);
            g_string_append(out, " > ");
            mac(out, b->h_dest);
            g_string_append_c(out, ' ');
        }
        if (out->len > start)
            g_string_truncate(out, out->len - 1);
    }
    g_string_append_c(out, '}');
    off(out, colour);
}

static const char *verdict_colour(unsigned v)
{
    switch (v & 0xff) {
    case NF_ACCEPT: return C_OK;
    case NF_DROP: return C_BAD;
    default: return C_OTHER;
    }
}

/* ---- lines ------------------------------------------------------------------------- */

static void indent(GString *out, int n)
{
    for (int i = 0; i < n; i++)
        g_string_append(out, "  ");
}

void trace_text_format(GString *out, const struct trace_event *ev, int depth,
                       enum trace_role role, bool colour)
{
    on(out, colour, C_DIM);
    g_string_append_printf(out, "%lld.%09lld", (long long)(ev->time / 1000000000),
                           (long long)(ev->time % 1000000000));
    off(out, colour);
    g_string_append_c(out, ' ');
    on(out, colour, C_HOST);
    g_string_append(out, ev->host);
    off(out, colour);
    g_string_append_c(out, ' ');
    on(out, colour, C_DIM);
    g_string_append_printf(out, "#%llu", (unsigned long long)ev->pkt);
    off(out, colour);
    g_string_append_c(out, ' ');
    indent(out, depth);
    switch (ev->kind) {
    case TRACE_FUNC:
        on(out, colour, C_BOLD);
        g_string_append(out, ev->func);
        off(out, colour);
        g_string_append_c(out, ' ');
        headers(out, &ev->before);
        if (trace_event_shows_mac(ev))
            macs(out, &ev->before);
        break;
    case TRACE_HOOK_ENTER:
    case TRACE_HOOK:
        g_string_append(out, "  ");
        on(out, colour, C_HOOK);
        g_string_append_printf(out, "%s %d", nf_hook_name((unsigned)ev->hook), ev->priority);
        off(out, colour);
        g_string_append_printf(out, " %s ", ev->func);
        on(out, colour, C_DIM);
        g_string_append_printf(out, "[%s]", ev->owner);
        off(out, colour);
        g_string_append_c(out, ' ');
        if (ev->kind == TRACE_HOOK_ENTER || role == TRACE_ROLE_OPEN) {
            g_string_append(out, "...");
            break;
        }
        on(out, colour, verdict_colour(ev->verdict));
        g_string_append(out, nf_verdict_name(ev->verdict));
        if (ev->verdict >> 16)
            g_string_append_printf(out, "(0x%x)", ev->verdict);
        off(out, colour);
        changes(out, &ev->before, &ev->after, colour);
        break;
    case TRACE_HOOK_EMPTY:
        g_string_append(out, "  ");
        on(out, colour, C_HOOK);
        g_string_append(out, nf_hook_name((unsigned)ev->hook));
        off(out, colour);
        on(out, colour, C_DIM);
        g_string_append(out, " (no hook function)");
        off(out, colour);
        break;
    case TRACE_DROP:
        on(out, colour, C_BAD);
        g_string_append_printf(out, "DROP %s:", ev->func);
        off(out, colour);
        g_string_append_printf(out, " %s", ev->detail ? ev->detail : "");
        break;
    case TRACE_NOTE:
        g_string_append(out, "  ");
        on(out, colour, C_NOTE);
        g_string_append_printf(out, "%s:", ev->func);
        off(out, colour);
        g_string_append_printf(out, " %s", ev->detail ? ev->detail : "");
        if (trace_event_shows_mac(ev))
            macs(out, &ev->before);
        break;
    }
    g_string_append_c(out, '\n');
}

void trace_text_line(GString *out, const struct trace_event *ev)
{
    trace_text_format(out, ev, 0, TRACE_ROLE_LINE, false);
}

/* ---- sinks -------------------------------------------------------------------------- */

static void text_out(void *ctx, const struct trace_event *ev, int depth, enum trace_role role)
{
    struct trace_text_sink *s = ctx;
    trace_text_format(s->text, ev, depth, role, false);
}

static void text_emit(void *ctx, const struct trace_event *ev)
{
    struct trace_text_sink *s = ctx;
    trace_nest_feed(&s->nest, ev);
}

void trace_text_sink_init(struct trace_text_sink *s)
{
    s->text = g_string_new(NULL);
    s->sink.emit = text_emit;
    s->sink.ctx = s;
    trace_nest_init(&s->nest, text_out, s);
}

void trace_text_sink_free(struct trace_text_sink *s)
{
    g_string_free(s->text, TRUE);
    s->text = NULL;
}

static void file_out(void *ctx, const struct trace_event *ev, int depth, enum trace_role role)
{
    struct trace_file_sink *s = ctx;
    g_string_truncate(s->line, 0);
    trace_text_format(s->line, ev, depth, role, false);
    if (out_budget_take(s->budget, s->line->len)) {
        errno = 0;
        if (fwrite(s->line->str, 1, s->line->len, s->f) != s->line->len && !s->write_errno)
            s->write_errno = errno ? errno : EIO;
    }
}

static void file_emit(void *ctx, const struct trace_event *ev)
{
    struct trace_file_sink *s = ctx;
    trace_nest_feed(&s->nest, ev);
}

void trace_file_sink_init(struct trace_file_sink *s, FILE *f)
{
    s->f = f;
    s->write_errno = 0;
    s->line = g_string_sized_new(256);
    s->sink.emit = file_emit;
    s->sink.ctx = s;
    trace_nest_init(&s->nest, file_out, s);
}

void trace_file_sink_free(struct trace_file_sink *s)
{
    if (s->line)
        trace_nest_flush(&s->nest);
    g_string_free(s->line, TRUE);
    s->line = NULL;
}
