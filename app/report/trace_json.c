/* Trace events as JSON lines. */
#include "app/report/trace_json.h"

#include <arpa/inet.h>
#include <string.h>
#include "model/netfilter/core.h"
#include "sim/in6_key.h"

void json_append_string(GString *out, const char *s)
{
    g_string_append_c(out, '"');
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        switch (*p) {
        case '"': g_string_append(out, "\\\""); break;
        case '\\': g_string_append(out, "\\\\"); break;
        case '\n': g_string_append(out, "\\n"); break;
        case '\r': g_string_append(out, "\\r"); break;
        case '\t': g_string_append(out, "\\t"); break;
        default:
            if (*p < 0x20)
                g_string_append_printf(out, "\\u%04x", *p);
            else
                g_string_append_c(out, (char)*p);
        }
    }
    g_string_append_c(out, '"');
}

static void key(GString *out, const char *k)
{
    g_string_append_printf(out, ",\"%s\":", k);
}

static void kstr(GString *out, const char *k, const char *v)
{
    key(out, k);
    json_append_string(out, v);
}

static void kint(GString *out, const char *k, long long v)
{
    key(out, k);
    g_string_append_printf(out, "%lld", v);
}

static const char *ip_text(be32 a, char *buf)
{
    inet_key_ntop(a, buf);
    return buf;
}

static const char *mac_text(const uint8_t *m, char *buf)
{
    g_snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
    return buf;
}

static const char *proto_text(uint8_t p)
{
    switch (p) {
    case IPPROTO_TCP: return "tcp";
    case IPPROTO_UDP: return "udp";
    case IPPROTO_ICMP: return "icmp";
    default: return "ip";
    }
}

static const char *flags_text(uint8_t f, char *buf)
{
    static const char names[] = "FSRPAU";
    int n = 0;
    for (int i = 0; i < 6; i++)
        if (f & (1 << i))
            buf[n++] = names[i];
    buf[n] = '\0';
    return buf;
}

static bool has_ip(const struct trace_hdr *h)
{
    return h->saddr || h->daddr || h->proto;
}

static void ip_object(GString *out, const struct trace_hdr *h, bool show_mac)
{
    char a[INET_KEY_STRLEN], m[18];
    key(out, "ip");
    g_string_append(out, "{\"src\":");
    json_append_string(out, ip_text(h->saddr, a));
    kstr(out, "dst", ip_text(h->daddr, a));
    bool v6 = in6_is_key(h->saddr);
    bool icmp = v6 ? h->proto == 58 : h->proto == IPPROTO_ICMP;     /* ICMPv6 or ICMP */
    kstr(out, "proto", v6 && icmp ? "icmp6" : proto_text(h->proto));
    if (h->proto == IPPROTO_TCP || h->proto == IPPROTO_UDP) {
        kint(out, "sport", ntohs(h->sport));
        kint(out, "dport", ntohs(h->dport));
    } else if (icmp) {
        kint(out, "icmp_type", h->sport);
        kint(out, "icmp_code", h->dport);
    }
    if (h->proto == IPPROTO_TCP)
        kstr(out, "flags", flags_text(h->tcp_flags, m));
    kint(out, "ttl", h->ttl);
    kint(out, "len", h->tot_len);
    if (h->mark)
        kint(out, "mark", h->mark);
    if (h->outer_saddr || h->outer_daddr) {
        kstr(out, "outer_src", ip_text(h->outer_saddr, a));
        kstr(out, "outer_dst", ip_text(h->outer_daddr, a));
    }
    if (show_mac && h->has_mac) {
        kstr(out, "mac_src", mac_text(h->h_source, m));
        kstr(out, "mac_dst", mac_text(h->h_dest, m));
    }
    g_string_append_c(out, '}');
}

/* ---- "changed" ---------------------------------------------------------------------- */

static void change_sep(GString *out, bool *first, const char *k)
{
    g_string_append_printf(out, "%s\"%s\":[", *first ? "" : ",", k);
    *first = false;
}

static void change_str(GString *out, bool *first, const char *k, const char *a, const char *b)
{
    change_sep(out, first, k);
    json_append_string(out, a);
    g_string_append_c(out, ',');
    json_append_string(out, b);
    g_string_append_c(out, ']');
}

static void change_int(GString *out, bool *first, const char *k, long long a, long long b)
{
    change_sep(out, first, k);
    g_string_append_printf(out, "%lld,%lld]", a, b);
}

static void change_ip(GString *out, bool *first, const char *k, be32 a, be32 b)
{
    char x[INET_KEY_STRLEN], y[INET_KEY_STRLEN];
    if (a != b)
        change_str(out, first, k, ip_text(a, x), ip_text(b, y));
}

static void changed_object(GString *out, const struct trace_hdr *a, const struct trace_hdr *b)
{
    if (memcmp(a, b, sizeof *a) == 0)
        return;
    char x[18], y[18];
    bool first = true;
    key(out, "changed");
    g_string_append_c(out, '{');
    change_ip(out, &first, "src", a->saddr, b->saddr);
    change_ip(out, &first, "dst", a->daddr, b->daddr);
    if (a->proto != b->proto)
        change_str(out, &first, "proto", proto_text(a->proto), proto_text(b->proto));
    if (a->sport != b->sport)
        change_int(out, &first, a->proto == IPPROTO_ICMP ? "icmp_type" : "sport", ntohs(a->sport),
                   ntohs(b->sport));
    if (a->dport != b->dport)
        change_int(out, &first, a->proto == IPPROTO_ICMP ? "icmp_code" : "dport", ntohs(a->dport),
                   ntohs(b->dport));
    if (a->tcp_flags != b->tcp_flags)
        change_str(out, &first, "flags", flags_text(a->tcp_flags, x), flags_text(b->tcp_flags, y));
    if (a->ttl != b->ttl)
        change_int(out, &first, "ttl", a->ttl, b->ttl);
    if (a->tot_len != b->tot_len)
        change_int(out, &first, "len", a->tot_len, b->tot_len);
    if (a->mark != b->mark)
        change_int(out, &first, "mark", a->mark, b->mark);
    change_ip(out, &first, "outer_src", a->outer_saddr, b->outer_saddr);
    change_ip(out, &first, "outer_dst", a->outer_daddr, b->outer_daddr);
    if (memcmp(a->h_source, b->h_source, ETH_ALEN) != 0)
        change_str(out, &first, "mac_src", mac_text(a->h_source, x), mac_text(b->h_source, y));
    if (memcmp(a->h_dest, b->h_dest, ETH_ALEN) != 0)
        change_str(out, &first, "mac_dst", mac_text(a->h_dest, x), mac_text(b->h_dest, y));
    g_string_append_c(out, '}');
}

/* ---- one event ---------------------------------------------------------------------- */

static const char *kind_text(const struct trace_event *ev, enum trace_role role)
{
    switch (ev->kind) {
    case TRACE_FUNC: return "func";
    case TRACE_HOOK_ENTER: return "hook_enter";
    case TRACE_HOOK: return role == TRACE_ROLE_OPEN ? "hook_enter" : "hook";
    case TRACE_HOOK_EMPTY: return "hook_empty";
    case TRACE_DROP: return "drop";
    case TRACE_NOTE: return "note";
    }
    return "?";
}

void trace_json_format(GString *out, const struct trace_event *ev, int depth, enum trace_role role)
{
    g_string_append_printf(out, "{\"t\":%lld", (long long)ev->time);
    kstr(out, "host", ev->host);
    kint(out, "conn", (long long)ev->flow);
    kint(out, "pkt", (long long)ev->pkt);
    kint(out, "depth", depth);
    const char *kind = kind_text(ev, role);
    kstr(out, "kind", kind);
    kstr(out, "func", ev->func);
    bool hook = ev->kind == TRACE_HOOK || ev->kind == TRACE_HOOK_ENTER;
    if (hook) {
        kstr(out, "hook", nf_hook_name((unsigned)ev->hook));
        kint(out, "priority", ev->priority);
        kstr(out, "owner", ev->owner);
        if (strcmp(kind, "hook") == 0) {
            kstr(out, "verdict", nf_verdict_name(ev->verdict));
            kint(out, "verdict_raw", ev->verdict);
        }
    }
    if (ev->kind == TRACE_HOOK_EMPTY)
        kstr(out, "hook", nf_hook_name((unsigned)ev->hook));
    if (ev->kind == TRACE_NOTE || ev->kind == TRACE_DROP)
        kstr(out, "detail", ev->detail ? ev->detail : "");
    if (has_ip(&ev->before))
        ip_object(out, &ev->before, trace_event_shows_mac(ev));
    if (ev->kind == TRACE_HOOK && role != TRACE_ROLE_OPEN)
        changed_object(out, &ev->before, &ev->after);
    g_string_append(out, "}\n");
}
