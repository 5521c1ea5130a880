/* Reporting to the trace sink. No kernel file: it stands for what the kernel's
 * tracing shows of a packet (ftrace's function tracer, the kfree_skb tracepoint with
 * its drop reason, include/trace/events/skb.h; iptables' TRACE target). */
#include "model/trace.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "model/net.h"
#include "sim/proto6.h"
#include "sim/skb.h"


/* Read the L4 fields after an IPv4 header at ip (avail bytes readable). */
static void l4_fields(const uint8_t *ip, uint32_t avail, struct trace_hdr *h)
{
    const struct iphdr *iph = (const struct iphdr *)ip;
    unsigned ihl = ip_hdrlen(iph);
    if (ihl < 20 || avail < ihl)
        return;
    const uint8_t *l4 = ip + ihl;
    avail -= ihl;
    if ((h->proto == IPPROTO_TCP && avail >= sizeof(struct tcphdr)) ||
        (h->proto == IPPROTO_UDP && avail >= sizeof(struct udphdr))) {
        memcpy(&h->sport, l4, 2);
        memcpy(&h->dport, l4 + 2, 2);
        if (h->proto == IPPROTO_TCP)
            h->tcp_flags = ((const struct tcphdr *)l4)->flags;
    } else if (h->proto == IPPROTO_ICMP && avail >= 2) {
        h->sport = l4[0];           /* type */
        h->dport = l4[1];           /* code */
    }
}

/* An IPv6 packet: its hop limit, length and upper-layer fields (behind the fixed
 * header; extension headers are not walked). The addresses do not fit struct
 * trace_hdr's IPv4 fields and stay 0. */
static void ipv6_fields(const uint8_t *ip, uint32_t avail, struct trace_hdr *h)
{
    if (avail < sizeof(struct ipv6hdr))
        return;
    const struct ipv6hdr *h6 = (const struct ipv6hdr *)ip;
    h->proto = h6->nexthdr;
    h->ttl = h6->hop_limit;
    h->tot_len = (uint16_t)(sizeof *h6 + ntohs(h6->payload_len));
    const uint8_t *l4 = ip + sizeof *h6;
    avail -= (uint32_t)sizeof *h6;
    if ((h->proto == IPPROTO_TCP && avail >= sizeof(struct tcphdr)) ||
        (h->proto == IPPROTO_UDP && avail >= sizeof(struct udphdr))) {
        memcpy(&h->sport, l4, 2);
        memcpy(&h->dport, l4 + 2, 2);
        if (h->proto == IPPROTO_TCP)
            h->tcp_flags = ((const struct tcphdr *)l4)->flags;
    } else if (h->proto == NEXTHDR_ICMP && avail >= 2) {
        h->sport = l4[0];           /* type */
        h->dport = l4[1];           /* code */
    }
}

void trace_hdr_of(const struct sk_buff *skb, struct trace_hdr *out)
{
    memset(out, 0, sizeof *out);
    out->mark = skb->mark;
    if (skb->network_header == SKB_NO_HDR)
        return;
    const uint8_t *ip = skb_network_header(skb);
    const uint8_t *end = skb->data + skb->len;
    if (ip < skb->head || ip + sizeof(struct iphdr) > end)
        return;
    const struct iphdr *iph = (const struct iphdr *)ip;
    if (skb->mac_header != SKB_NO_HDR && skb->mac_header + ETH_HLEN == skb->network_header) {
        const struct ethhdr *eth = (const struct ethhdr *)skb_mac_header(skb);
        out->has_mac = 1;
        memcpy(out->h_source, eth->h_source, ETH_ALEN);
        memcpy(out->h_dest, eth->h_dest, ETH_ALEN);
    }
    if (ip_version(iph) == 6) {
        ipv6_fields(ip, (uint32_t)(end - ip), out);
        return;
    }
    /* IPIP: show the inner packet, with the outer addresses beside it. */
    if (iph->protocol == IPPROTO_IPIP_ && ip + ip_hdrlen(iph) + sizeof(struct iphdr) <= end) {
        out->outer_saddr = iph->saddr;
        out->outer_daddr = iph->daddr;
        ip += ip_hdrlen(iph);
        iph = (const struct iphdr *)ip;
    }
    out->saddr = iph->saddr;
    out->daddr = iph->daddr;
    out->proto = iph->protocol;
    out->ttl = iph->ttl;
    out->tot_len = ntohs(iph->tot_len);
    l4_fields(ip, (uint32_t)(end - ip), out);
}

static void emit(struct net *net, const struct sk_buff *skb, enum trace_kind kind,
                 const char *func, const char *detail)
{
    struct trace_event ev = {
        .time = net_now(net), .host = net->host->name, .pkt = skb->id, .flow = skb->flow,
        .kind = kind, .func = func, .hook = -1, .detail = detail,
    };
    trace_hdr_of(skb, &ev.before);
    ev.after = ev.before;
    net->trace->emit(net->trace->ctx, &ev);
}

void (trace_func)(struct net *net, const struct sk_buff *skb, const char *func)
{
    if (net->trace)
        emit(net, skb, TRACE_FUNC, func, NULL);
}

void (trace_drop)(struct net *net, const struct sk_buff *skb, const char *func, const char *reason)
{
    if (net->trace)
        emit(net, skb, TRACE_DROP, func, reason);
}

void (trace_note)(struct net *net, const struct sk_buff *skb, const char *func, const char *detail)
{
    if (net->trace)
        emit(net, skb, TRACE_NOTE, func, detail);
}

void (trace_hook_empty)(struct net *net, const struct sk_buff *skb, unsigned hook)
{
    if (!net->trace)
        return;
    struct trace_event ev = {
        .time = net_now(net), .host = net->host->name, .pkt = skb->id, .flow = skb->flow,
        .kind = TRACE_HOOK_EMPTY, .func = "nf_hook", .hook = (int)hook,
    };
    trace_hdr_of(skb, &ev.before);
    ev.after = ev.before;
    net->trace->emit(net->trace->ctx, &ev);
}

void trace_notef(struct net *net, const struct sk_buff *skb, const char *func, const char *fmt, ...)
{
    if (!net->trace)
        return;
    char buf[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    emit(net, skb, TRACE_NOTE, func, buf);
}

const char *trace_ip(be32 a, char *buf)
{
    return inet_key_ntop(a, buf);
}
