/* The trace sink: every stack function a packet enters, every hook function called
 * (with priority, owner and verdict, and the header fields before and after), and
 * the IPVS decisions are reported here. `ipvsim trace`, `check` and the metrics
 * consume it. With no sink installed (net->trace NULL) nothing is built or called. */
#ifndef IPVSIM_MODEL_TRACE_H
#define IPVSIM_MODEL_TRACE_H

#include <stdint.h>
#include "sim/in6_key.h"
#include "sim/proto.h"
#include "sim/time.h"

struct sk_buff;
struct net;

/* The header fields a trace line shows. */
struct trace_hdr {
    be32 saddr, daddr;
    be16 sport, dport;              /* TCP/UDP ports; ICMP: type, code */
    uint8_t proto, ttl;
    uint16_t tot_len;
    uint32_t mark;
    uint8_t tcp_flags;
    be32 outer_saddr, outer_daddr;  /* IPIP outer header, 0 when none */
    uint8_t has_mac;                /* an Ethernet header is in front of the IP header */
    uint8_t h_source[ETH_ALEN], h_dest[ETH_ALEN];
};

enum trace_kind {
    TRACE_FUNC,                     /* a stack function: ip_rcv, ip_forward, ... */
    TRACE_HOOK,                     /* a hook function call and its verdict */
    TRACE_DROP,                     /* a packet freed by the stack, with a reason */
    TRACE_NOTE,                     /* a decision: conntrack, NAT, IPVS, route */
    TRACE_HOOK_ENTER,               /* a hook function about to be called; its TRACE_HOOK
                                     * (the verdict) follows when it returns, and every
                                     * event in between happened inside the call (IPVS
                                     * re-injecting a packet at LOCAL_OUT, the 2.6
                                     * POST_ROUTING shortcut calling the output path) */
    TRACE_HOOK_EMPTY,               /* a hook point the packet passes (NF_HOOK) where no
                                     * hook function is registered: nothing is called, so
                                     * it is no call for the fingerprint either */
};

struct trace_event {
    sim_time_t time;
    const char *host;
    uint64_t pkt;                   /* skb->id */
    uint64_t flow;                  /* skb->flow: conversation tag */
    enum trace_kind kind;
    const char *func;               /* function name */
    const char *owner;              /* module, for hooks */
    int hook;                       /* NF_INET_*, or -1 */
    int priority;
    unsigned verdict;               /* raw verdict, for TRACE_HOOK */
    const char *detail;             /* a short text (drop reason, decision) or NULL */
    struct trace_hdr before, after; /* after == before when nothing changed (and for
                                     * every kind but TRACE_HOOK) */
};

struct trace_sink {
    void (*emit)(void *ctx, const struct trace_event *ev);
    void *ctx;
};

/* Snapshot the headers of the IPv4 packet at skb's network header (and the Ethernet
 * addresses when a MAC header sits right in front of it: a received frame, or one
 * about to leave). */
void trace_hdr_of(const struct sk_buff *skb, struct trace_hdr *out);

/* Helpers the model calls; each is a no-op when net has no sink. */
void trace_func(struct net *net, const struct sk_buff *skb, const char *func);
void trace_drop(struct net *net, const struct sk_buff *skb, const char *func, const char *reason);
void trace_note(struct net *net, const struct sk_buff *skb, const char *func, const char *detail);
/* The packet passes hook point hook (NF_INET_*) and finds no hook function there. */
void trace_hook_empty(struct net *net, const struct sk_buff *skb, unsigned hook);
/* The no-sink check inline at the call site (struct net is complete there: the
 * callers read net->trace through model/net.h), so a run without tracing makes no
 * call per stack function. The arguments are evaluated only with a sink: every
 * caller passes plain expressions. */
#define trace_func(n_, skb_, func_) \
    do { if ((n_)->trace) (trace_func)((n_), (skb_), (func_)); } while (0)
#define trace_drop(n_, skb_, func_, reason_) \
    do { if ((n_)->trace) (trace_drop)((n_), (skb_), (func_), (reason_)); } while (0)
#define trace_note(n_, skb_, func_, detail_) \
    do { if ((n_)->trace) (trace_note)((n_), (skb_), (func_), (detail_)); } while (0)
#define trace_hook_empty(n_, skb_, hook_) \
    do { if ((n_)->trace) (trace_hook_empty)((n_), (skb_), (hook_)); } while (0)
/* trace_note with a printf format (at most 160 characters are kept); the text is only
 * built when there is a sink. */
void trace_notef(struct net *net, const struct sk_buff *skb, const char *func, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* A stored address as text into buf (INET_KEY_STRLEN bytes), for notes: a dotted
 * quad, or an IPv6 address for a key of sim/in6_key.h; returns buf. */
const char *trace_ip(be32 a, char *buf);
/* An address and port (network order) as "10.0.2.2:80" or "[2001:db8::2]:80" into
 * buf (TRACE_IP_PORT_STRLEN bytes); returns buf. */
#define TRACE_IP_PORT_STRLEN (INET_KEY_STRLEN + 8)
const char *trace_ip_port(be32 a, be16 port, char *buf);

#endif
