/* ICMP errors (net/ipv4/icmp.c): when one may be sent, what it quotes, where it
 * comes from, and the rate limits that decide whether it is sent at all. */
#include "model/ipv4/icmp.h"

#include <glib.h>
#include <stdio.h>
#include "model/ipv4/ip.h"
#include "model/ipv4/ip_ident.h"
#include "model/net.h"
#include "sim/csum.h"
#include "sim/pkt.h"
#include "sim/sim.h"

#define ICMP_QUOTE_LIMIT 576            /* an error is at most this long (RFC 1812) */
#define IPTOS_PREC_INTERNETCONTROL 0xc0
#define IPTOS_TOS_MASK 0x1e
#define XRLIM_BURST_FACTOR 6

/* Per-destination token bucket (inet_peer_xrlim_allow): a new peer starts full, so
 * a burst of XRLIM_BURST_FACTOR errors passes, then one per icmp_ratelimit. */
struct icmp_peer {
    sim_time_t tokens;
    sim_time_t last;
};

static bool icmp_is_error(uint8_t type)
{
    return type == ICMP_DEST_UNREACH || type == 4 /* source quench */ || type == 5 /* redirect */ ||
           type == ICMP_TIME_EXCEEDED || type == 12 /* parameter problem */;
}

/* net.ipv4.icmp_ratemask (default 0x1818): which types the per-peer limit applies to. */
static bool icmp_ratemasked(const struct net *net, uint8_t type)
{
    return type < 32 && (net->icmp.ratemask >> type) & 1;
}

static int64_t icmp_credit_cost(struct net *net)
{
    struct icmp_state *g = &net->icmp;
    if (!net->prof->icmp_global_random_cost)
        return 1;
    if (!g->rng_ready) {
        char name[64];
        snprintf(name, sizeof name, "icmp/%s", net->host->name);
        rng_init(&g->rng, host_sim(net->host)->seed, name);
        g->rng_ready = true;
    }
    return (int64_t)rng_below(&g->rng, 3);
}

/* icmp_global_allow: the credit refills in whole jiffies, at most a second's worth,
 * and only once 20 ms have passed since the last refill; with credit left an error
 * passes and costs one credit (from 5.10 a random 0, 1 or 2, drawn here from the
 * host's own stream). ICMPv6 errors draw on the same credit (icmpv6_global_allow). */
bool icmp_global_allow(struct net *net)
{
    struct icmp_state *g = &net->icmp;
    if (!net->prof->icmp_global_limit)
        return true;                    /* 2.6: per-peer limits only */
    uint64_t now = net_jiffies(net);
    uint64_t delta = MIN(now - g->global_stamp, (uint64_t)KERNEL_HZ);
    if (!g->global_credit && delta < KERNEL_HZ / 50)
        return false;
    int64_t incr = 0;
    if (delta >= KERNEL_HZ / 50) {
        incr = g->msgs_per_sec * (int64_t)delta / KERNEL_HZ;
        if (incr)
            g->global_stamp = now;
    }
    int64_t credit = MIN(g->global_credit + incr, g->msgs_burst);
    bool ok = credit > 0;
    if (ok)
        credit = MAX(credit - icmp_credit_cost(net), 0);
    g->global_credit = credit;
    return ok;
}

static bool icmp_peer_allow(struct net *net, be32 daddr)
{
    struct icmp_state *g = &net->icmp;
    sim_time_t timeout = (sim_time_t)g->ratelimit_ms * MSEC;
    if (timeout == 0)
        return true;
    if (!g->peers)
        g->peers = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    struct icmp_peer *p = g_hash_table_lookup(g->peers, GUINT_TO_POINTER(daddr));
    sim_time_t now = net_now(net);
    if (!p) {
        p = g_new0(struct icmp_peer, 1);
        p->tokens = XRLIM_BURST_FACTOR * timeout;
        p->last = now;
        g_hash_table_insert(g->peers, GUINT_TO_POINTER(daddr), p);
    }
    p->tokens = MIN(p->tokens + (now - p->last), XRLIM_BURST_FACTOR * timeout);
    p->last = now;
    if (p->tokens < timeout)
        return false;
    p->tokens -= timeout;
    return true;
}

/* icmpv4_xrlim_allow plus the global limit, in the kernel's order. */
static bool icmp_allow(struct net *net, uint8_t type, uint8_t code, const struct rtable *rt,
                       be32 daddr)
{
    if (type == ICMP_DEST_UNREACH && code == ICMP_FRAG_NEEDED)
        return true;                    /* never limit path-MTU discovery */
    if (rt->dev && rt->dev->loopback)
        return true;
    if (!icmp_ratemasked(net, type))
        return true;
    return icmp_global_allow(net) && icmp_peer_allow(net, daddr);
}

/* May an error be sent about this packet at all? */
static const char *icmp_forbidden(const struct sk_buff *skb_in)
{
    const struct iphdr *iph = ip_hdr(skb_in);
    /* Locally built packets are PACKET_HOST too (the zero value). */
    if (skb_in->pkt_type != PACKET_HOST)
        return "not unicast to us";
    if (ntohs(iph->frag_off) & IP_OFFSET)
        return "non-first fragment";
    uint32_t saddr = ntohl(iph->saddr);
    if (saddr == 0 || (saddr >> 28) == 0xe || saddr == 0xffffffffu)
        return "martian source";
    if (iph->protocol == IPPROTO_ICMP) {
        const uint8_t *l4 = (const uint8_t *)iph + ip_hdrlen(iph);
        if (l4 < skb_in->data + skb_in->len && icmp_is_error(*l4))
            return "about an ICMP error";
    }
    return NULL;
}

/* The error's source: the address the offending packet was sent to when it was
 * ours, else our address on the way back to its sender. */
static be32 icmp_source(struct net *net, const struct iphdr *iph, const struct rtable *back)
{
    if (inet_addr_local(net, iph->daddr))
        return iph->daddr;
    return back->prefsrc;
}

void icmp_send(struct net *net, const struct sk_buff *skb_in, uint8_t type, uint8_t code,
               uint32_t info)
{
    if (skb_in->network_header == SKB_NO_HDR)
        return;
    const char *why = icmp_forbidden(skb_in);
    if (why) {
        trace_note(net, skb_in, __func__, why);
        return;
    }
    const struct iphdr *iph = ip_hdr(skb_in);
    struct rtable *rt = ip_route_output(net, iph->saddr);
    if (!rt)
        return;
    if (!icmp_allow(net, type, code, rt, iph->saddr)) {
        net->icmp.ratelimited++;
        trace_note(net, skb_in, __func__, "rate limited");
        return;
    }
    /* Quote the offending packet from its IP header on: the real header bytes, and
     * its virtual payload as virtual bytes, up to 576 bytes in all. */
    uint32_t room = ICMP_QUOTE_LIMIT - sizeof(struct iphdr) - sizeof(struct icmphdr);
    uint32_t real = (uint32_t)(skb_in->data + skb_in->len - (const uint8_t *)iph);
    uint32_t total = MIN((uint32_t)ntohs(iph->tot_len), room);
    real = MIN(real, total);
    be32 saddr = icmp_source(net, iph, rt);
    struct ip4_spec ip = {
        .saddr = saddr, .daddr = iph->saddr,
        .ttl = (uint8_t)net->ipv4.default_ttl,
        .tos = (uint8_t)((iph->tos & IPTOS_TOS_MASK) | IPTOS_PREC_INTERNETCONTROL),
        /* The ICMP socket does no path MTU discovery (IP_PMTUDISC_DONT): no DF, so
         * ip_select_ident takes the id from the host's generator. */
        .id = ip_select_ident(net, saddr, iph->saddr, IPPROTO_ICMP, false),
    };
    be32 rest = 0;
    if (type == ICMP_DEST_UNREACH && code == ICMP_FRAG_NEEDED)
        rest = htonl(info & 0xffff);
    else if (type == ICMP_REDIRECT)
        rest = (be32)info;              /* the gateway, already in network order */
    struct sk_buff *skb = skb_alloc(net_pool(net), net_now(net));
    if (!skb || !pkt_build_icmp(skb, &ip, type, code, rest, iph, real)) {
        skb_free(net_pool(net), skb);
        return;
    }
    if (total > real) {
        /* Virtual quoted bytes are zeros: the ICMP checksum does not change, the
         * IP length does (__ip_local_out recomputes the header checksum). */
        skb->data_len = total - real;
    }
    skb->dst = rt;
    skb->flow = skb_in->flow;
    net->icmp.out_errors++;
    trace_note(net, skb_in, __func__, "ICMP error sent");
    ip_local_out(net, skb);
}

void icmp_init(struct net *net)
{
    struct icmp_state *g = &net->icmp;
    g->ratelimit_ms = 1000;             /* net.ipv4.icmp_ratelimit */
    g->ratemask = 0x1818;               /* net.ipv4.icmp_ratemask */
    g->msgs_per_sec = 1000;             /* net.ipv4.icmp_msgs_per_sec */
    g->msgs_burst = 50;                 /* net.ipv4.icmp_msgs_burst */
    g->global_credit = g->msgs_burst;
}

void icmp_exit(struct net *net)
{
    if (net->icmp.peers)
        g_hash_table_destroy(net->icmp.peers);
    net->icmp.peers = NULL;
}
