/* ICMP (net/ipv4/icmp.c): sending errors about a packet, and answering echo. */
#ifndef IPVSIM_MODEL_IPV4_ICMP_H
#define IPVSIM_MODEL_IPV4_ICMP_H

#include <stdbool.h>
#include <stdint.h>
#include "sim/rng.h"
#include "sim/proto.h"
#include "sim/skb.h"

struct net;

/* Per-net ICMP state: the rate-limit sysctls and buckets, counters. */
struct icmp_state {
    unsigned ratelimit_ms;              /* net.ipv4.icmp_ratelimit */
    uint32_t ratemask;                  /* net.ipv4.icmp_ratemask */
    int64_t msgs_per_sec, msgs_burst;   /* the global limit (icmp_global_allow) */
    int64_t global_credit;
    uint64_t global_stamp;              /* jiffies of the last refill */
    struct rng rng;                     /* the random credit cost (5.10+): "icmp/<host>" */
    bool rng_ready;
    struct _GHashTable *peers;          /* daddr -> token bucket */
    uint64_t out_errors, ratelimited;
};

void icmp_init(struct net *net);
void icmp_exit(struct net *net);

/* Send an ICMP error about skb_in (data anywhere; its network header is read):
 * type/code as in proto.h, info = the MTU for frag-needed (host order), the
 * gateway for a redirect (network order), else 0.
 * Follows the kernel's rules for when no error may be sent (about an ICMP error,
 * a non-first fragment, a broadcast/multicast, a martian source). skb_in is not
 * consumed. */
/* The host-wide error budget (net.ipv4.icmp_msgs_per_sec and _burst; none in
 * 2.6.34), shared by ICMP and ICMPv6: true when one more error may go. */
bool icmp_global_allow(struct net *net);

void icmp_send(struct net *net, const struct sk_buff *skb_in, uint8_t type, uint8_t code,
               uint32_t info);

#endif
