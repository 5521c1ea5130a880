/* Reporting to the trace sink. No kernel file: it stands for what the kernel's
 * tracing shows of a packet (ftrace's function tracer, the kfree_skb tracepoint with
 * its drop reason, include/trace/events/skb.h; iptables' TRACE target). */
#include "model/trace.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "model/net.h"
#include "sim/in6_key.h"
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

/* An IPv6 packet: its addresses (as keys, sim/in6_key.h), hop limit, length and
 * upper-layer fields (behind the fixed header; extension headers are not walked). */
static void ipv6_fields(const uint8_t *ip, uint32_t avail, struct trace_hdr *h)
{
    if (avail < sizeof(struct ipv6hdr))
        return;
    const struct ipv6hdr *h6 = (const struct ipv6hdr *)ip;
    struct in6_addr a;
    memcpy(&a, ip + offsetof(struct ipv6hdr, saddr), sizeof a);
    h->saddr = in6_key_get(&a);
    memcpy(&a, ip + offsetof(struct ipv6hdr, daddr), sizeof a);
    h->daddr = in6_key_get(&a);
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

/* The packet at ip of either version (avail bytes readable). */
static void ip_fields(const uint8_t *ip, uint32_t avail, struct trace_hdr *h)
{
    const struct iphdr *iph = (const struct iphdr *)ip;
    if (ip_version(iph) == 6) {
        ipv6_fields(ip, avail, h);
        return;
    }
    h->saddr = iph->saddr;
    h->daddr = iph->daddr;
    h->proto = iph->protocol;
    h->ttl = iph->ttl;
    h->tot_len = ntohs(iph->tot_len);
    l4_fields(ip, avail, h);
}

/* The length of the outer header when ip is a tunnel packet IPVS or a tunnel end
 * deals in (IPIP, ip6ip6, IPv4 in IPv6, IPv6 in IPv4) with an inner header behind
 * it; 0 otherwise. */
static uint32_t tunnel_outer_len(const uint8_t *ip, uint32_t avail)
{
    const struct iphdr *iph = (const struct iphdr *)ip;
    uint32_t outer;
    uint8_t inner_proto;
    if (ip_version(iph) == 6) {
        outer = (uint32_t)sizeof(struct ipv6hdr);
        inner_proto = avail >= outer ? ((const struct ipv6hdr *)ip)->nexthdr : 0;
    } else {
        outer = ip_hdrlen(iph);
        inner_proto = iph->protocol;
    }
    if (inner_proto != IPPROTO_IPIP_ && inner_proto != NEXTHDR_IPV6)
        return 0;
    uint32_t inner = inner_proto == NEXTHDR_IPV6 ? (uint32_t)sizeof(struct ipv6hdr)
                                                 : (uint32_t)sizeof(struct iphdr);
    return outer + inner <= avail ? outer : 0;
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
    if (skb->mac_header != SKB_NO_HDR && skb->mac_header + ETH_HLEN == skb->network_header) {
        const struct ethhdr *eth = (const struct ethhdr *)skb_mac_header(skb);
        out->has_mac = 1;
        memcpy(out->h_source, eth->h_source, ETH_ALEN);
        memcpy(out->h_dest, eth->h_dest, ETH_ALEN);
    }
    /* A tunnel packet: show the inner packet, with the outer addresses beside it. */
    uint32_t outer = tunnel_outer_len(ip, (uint32_t)(end - ip));
    if (outer) {
        struct trace_hdr o;
        memset(&o, 0, sizeof o);
        ip_fields(ip, outer, &o);
        out->outer_saddr = o.saddr;
        out->outer_daddr = o.daddr;
        ip += outer;
    }
    ip_fields(ip, (uint32_t)(end - ip), out);
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

const char *trace_ip_port(be32 a, be16 port, char *buf)
{
    char ip[INET_KEY_STRLEN];
    inet_key_ntop(a, ip);
    snprintf(buf, TRACE_IP_PORT_STRLEN, in6_is_key(a) ? "[%s]:%u" : "%s:%u", ip, ntohs(port));
    return buf;
}
