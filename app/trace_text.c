/* Trace events as text lines. */
#include "app/trace_text.h"

#include <arpa/inet.h>
#include "model/netfilter/core.h"

static void addr(GString *out, be32 a)
{
    char buf[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &a, buf, sizeof buf);
    g_string_append(out, buf);
}

static const char *proto_name(uint8_t p)
{
    switch (p) {
    case IPPROTO_TCP: return "tcp";
    case IPPROTO_UDP: return "udp";
    case IPPROTO_ICMP: return "icmp";
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

/* "10.0.1.2:40000 > 10.0.2.2:53 udp ttl 64" */
static void headers(GString *out, const struct trace_hdr *h)
{
    if (h->outer_saddr) {
        g_string_append(out, "ipip(");
        addr(out, h->outer_saddr);
        g_string_append(out, " > ");
        addr(out, h->outer_daddr);
        g_string_append(out, ") ");
    }
    bool ports = h->proto == IPPROTO_TCP || h->proto == IPPROTO_UDP;
    addr(out, h->saddr);
    if (ports)
        g_string_append_printf(out, ":%u", ntohs(h->sport));
    g_string_append(out, " > ");
    addr(out, h->daddr);
    if (ports)
        g_string_append_printf(out, ":%u", ntohs(h->dport));
    g_string_append_printf(out, " %s", proto_name(h->proto));
    if (h->proto == IPPROTO_TCP)
        tcp_flags(out, h->tcp_flags);
    if (h->proto == IPPROTO_ICMP)
        g_string_append_printf(out, " type %u code %u", h->sport, h->dport);
    g_string_append_printf(out, " ttl %u", h->ttl);
    if (h->mark)
        g_string_append_printf(out, " mark 0x%x", h->mark);
}

/* The fields a hook changed: " {daddr 10.0.2.2 -> 10.0.1.1}" */
static void changes(GString *out, const struct trace_hdr *a, const struct trace_hdr *b)
{
    if (memcmp(a, b, sizeof *a) == 0)
        return;
    g_string_append(out, " {");
    if (a->saddr != b->saddr || a->sport != b->sport || a->daddr != b->daddr ||
        a->dport != b->dport || a->outer_saddr != b->outer_saddr) {
        headers(out, a);
        g_string_append(out, " => ");
        headers(out, b);
    } else {
        if (a->ttl != b->ttl)
            g_string_append_printf(out, "ttl %u -> %u ", a->ttl, b->ttl);
        if (a->mark != b->mark)
            g_string_append_printf(out, "mark 0x%x -> 0x%x ", a->mark, b->mark);
        if (a->tot_len != b->tot_len)
            g_string_append_printf(out, "len %u -> %u ", a->tot_len, b->tot_len);
        g_string_truncate(out, out->len - 1);
    }
    g_string_append_c(out, '}');
}

void trace_text_line(GString *out, const struct trace_event *ev)
{
    g_string_append_printf(out, "%lld.%09lld %s #%llu ", (long long)(ev->time / 1000000000),
                           (long long)(ev->time % 1000000000), ev->host,
                           (unsigned long long)ev->pkt);
    switch (ev->kind) {
    case TRACE_FUNC:
        g_string_append_printf(out, "%s ", ev->func);
        headers(out, &ev->before);
        break;
    case TRACE_HOOK:
        g_string_append_printf(out, "  %s %d %s [%s] %s", nf_hook_name((unsigned)ev->hook),
                               ev->priority, ev->func, ev->owner, nf_verdict_name(ev->verdict));
        if (ev->verdict >> 16)
            g_string_append_printf(out, "(0x%x)", ev->verdict);
        changes(out, &ev->before, &ev->after);
        break;
    case TRACE_DROP:
        g_string_append_printf(out, "DROP %s: %s", ev->func, ev->detail ? ev->detail : "");
        break;
    case TRACE_NOTE:
        g_string_append_printf(out, "  %s: %s", ev->func, ev->detail ? ev->detail : "");
        break;
    }
    g_string_append_c(out, '\n');
}

static void text_emit(void *ctx, const struct trace_event *ev)
{
    struct trace_text_sink *s = ctx;
    trace_text_line(s->text, ev);
}

void trace_text_sink_init(struct trace_text_sink *s)
{
    s->text = g_string_new(NULL);
    s->sink.emit = text_emit;
    s->sink.ctx = s;
}

void trace_text_sink_free(struct trace_text_sink *s)
{
    g_string_free(s->text, TRUE);
    s->text = NULL;
}

static void file_emit(void *ctx, const struct trace_event *ev)
{
    struct trace_file_sink *s = ctx;
    g_string_truncate(s->line, 0);
    trace_text_line(s->line, ev);
    fwrite(s->line->str, 1, s->line->len, s->f);
}

void trace_file_sink_init(struct trace_file_sink *s, FILE *f)
{
    s->f = f;
    s->line = g_string_sized_new(256);
    s->sink.emit = file_emit;
    s->sink.ctx = s;
}

void trace_file_sink_free(struct trace_file_sink *s)
{
    g_string_free(s->line, TRUE);
    s->line = NULL;
}
