/* ICMPv6 (net/ipv6/icmp.c): errors sent about a packet (icmp6_send, here
 * icmpv6_send) with the kernel's rules and rate limits, and the messages received
 * (icmpv6_rcv: echo answered, neighbour discovery to ndisc.c, errors noted).
 *
 * Rate limits, in the kernel's order: informational messages and Packet Too Big
 * are never limited (icmpv6_mask_allow; from 5.x net.ipv6.icmp.ratemask says the
 * same by default), nor errors about packets on the loopback; then the host-wide
 * credit shared with ICMP (icmp_global_allow, from 3.18); then a token bucket per
 * destination (icmpv6_xrlim_allow -> inet_peer_xrlim_allow) of
 * net.ipv6.icmp.ratelimit (1 s), bursts of 6. From 4.2 the route used is the
 * prefix route itself, and the kernel gives wider prefixes more bandwidth:
 * tmo >>= (128 - plen) >> 5 (a /64 route: 250 ms, the default route: 62 ms); before,
 * the route was a /128 clone (rt6_alloc_clone) and tmo stayed whole. */
#include <glib.h>
#include <stdio.h>
#include "model/ipv4/icmp.h"
#include "model/ipv4/sock.h"
#include "model/ipv6/ipv6.h"
#include "model/net.h"
#include "sim/csum.h"
#include "sim/pkt.h"

#define XRLIM_BURST_FACTOR 6
/* The per-route cache clones (and their whole tmo) went with 4.2's percpu routes
 * (45e4fd26683c "ipv6: Only create RTF_CACHE routes after encountering pmtu
 * exception"). */
#define ICMPV6_PREFIX_TMO_SINCE KERNEL_VERSION(4, 2, 0)

struct icmpv6_peer {
    sim_time_t tokens, last;
};

static guint in6_hash(gconstpointer p)
{
    const uint8_t *b = p;
    guint h = 2166136261u;
    for (int i = 0; i < 16; i++)
        h = (h ^ b[i]) * 16777619u;
    return h;
}

static gboolean in6_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, 16) == 0;
}

/* inet_peer_xrlim_allow on the destination's peer: a new peer starts full. */
static bool icmpv6_peer_allow(struct net *net, const struct in6_addr *daddr, sim_time_t timeout)
{
    struct icmpv6_state *g = &net->ipv6->icmp;
    if (timeout <= 0)
        return true;
    if (!g->peers)
        g->peers = g_hash_table_new_full(in6_hash, in6_equal, g_free, g_free);
    struct icmpv6_peer *p = g_hash_table_lookup(g->peers, daddr);
    sim_time_t now = net_now(net);
    if (!p) {
        p = g_new0(struct icmpv6_peer, 1);
        p->tokens = XRLIM_BURST_FACTOR * timeout;
        p->last = now;
        g_hash_table_insert(g->peers, g_memdup2(daddr, sizeof *daddr), p);
    }
    p->tokens = MIN(p->tokens + (now - p->last), XRLIM_BURST_FACTOR * timeout);
    p->last = now;
    if (p->tokens < timeout)
        return false;
    p->tokens -= timeout;
    return true;
}

/* icmpv6_global_allow, then icmpv6_xrlim_allow. */
static bool icmpv6_allow(struct net *net, uint8_t type, const struct rt6_info *rt,
                         const struct in6_addr *daddr)
{
    if ((type & ICMPV6_INFOMSG_MASK) || type == ICMPV6_PKT_TOOBIG)
        return true;
    if (rt->dev && rt->dev->loopback)
        return true;
    if (!icmp_global_allow(net))
        return false;
    sim_time_t tmo = (sim_time_t)net->ipv6->icmp.icmpv6_time_ms * MSEC;
    unsigned plen = net->prof->version >= ICMPV6_PREFIX_TMO_SINCE ? rt->dst_len : 128;
    if (plen < 128)
        tmo >>= (128 - plen) >> 5;
    return icmpv6_peer_allow(net, daddr, tmo);
}

/* is_ineligible: never an error about an ICMPv6 error. */
static bool icmpv6_is_error_msg(const struct sk_buff *skb, const struct ipv6hdr *hdr)
{
    if (hdr->nexthdr != NEXTHDR_ICMP)
        return false;
    const uint8_t *l4 = (const uint8_t *)hdr + sizeof *hdr;
    if (l4 >= skb->data + skb->len)
        return true;                /* no type to read: treated as ineligible */
    return !(*l4 & ICMPV6_INFOMSG_MASK);
}

/* May an error be sent about this packet (icmp6_send's checks)? NULL or why not. */
static const char *icmpv6_forbidden(const struct sk_buff *skb, const struct ipv6hdr *hdr,
                                    uint8_t type, uint8_t code)
{
    const struct in6_addr hs = hdr->saddr, hd = hdr->daddr;
    if (ipv6_addr_is_multicast(&hd) || skb->pkt_type != PACKET_HOST) {
        if (type != ICMPV6_PKT_TOOBIG && !(type == ICMPV6_PARAMPROB && code == ICMPV6_UNK_OPTION))
            return "about a multicast packet";
    }
    if (ipv6_addr_any(&hs) || ipv6_addr_is_multicast(&hs))
        return "unspecified or multicast source";
    if (icmpv6_is_error_msg(skb, hdr))
        return "about an ICMPv6 error";
    return NULL;
}

/* Build and send one ICMPv6 message of ours (icmpv6_push_pending_frames ->
 * ip6_local_out): real bytes body, body_virt more virtual ones. */
static void icmpv6_xmit(struct net *net, struct rt6_info *rt, const struct in6_addr *saddr,
                        const struct in6_addr *daddr, uint8_t type, uint8_t code, be32 rest,
                        const void *body, uint32_t body_len, uint32_t body_virt, uint64_t flow)
{
    struct ip6_spec ip = { .saddr = *saddr, .daddr = *daddr,
                           .hop_limit = (uint8_t)net->ipv6->devconf_all.hop_limit };
    struct sk_buff *skb = skb_alloc(net_pool(net), net_now(net));
    if (!skb || !pkt_build_icmp6(skb, &ip, type, code, rest, body, body_len, body_virt)) {
        skb_free(net_pool(net), skb);
        return;
    }
    skb->dst = rt;
    skb->flow = flow;
    net->ipv6->mib.icmp6_out_msgs++;
    ip6_local_out(net, skb);
}

void icmpv6_send(struct net *net, const struct sk_buff *skb_in, uint8_t type, uint8_t code,
                 uint32_t info)
{
    if (skb_in->network_header == SKB_NO_HDR || !net->ipv6)
        return;
    const struct ipv6hdr *hdr = ipv6_hdr(skb_in);
    const struct in6_addr hs = hdr->saddr, hd = hdr->daddr;
    const char *why = icmpv6_forbidden(skb_in, hdr, type, code);
    if (why) {
        trace_note(net, skb_in, "icmp6_send", why);
        return;
    }
    struct rt6_info *rt = ip6_route_output(net, &hs);
    if (!rt) {
        net->ipv6->mib.out_no_routes++;
        return;
    }
    if (!icmpv6_allow(net, type, rt, &hs)) {
        net->ipv6->mib.icmp6_ratelimited++;
        trace_note(net, skb_in, "icmp6_send", "rate limited");
        return;
    }
    /* The source: the offending packet's destination when it is ours, else our
     * address towards its sender. */
    struct in6_addr saddr;
    if (!ipv6_addr_is_multicast(&hd) && ipv6_chk_addr(net, &hd, NULL))
        saddr = hdr->daddr;
    else if (!ipv6_dev_get_saddr(net, rt->dev, &hs, &saddr))
        return;
    /* Quote from the IPv6 header on, as much as keeps the error within the minimum
     * MTU: real bytes, then the virtual payload as virtual bytes. */
    uint32_t room = IPV6_MIN_MTU - IPV6_HLEN - ICMPV6_HLEN;
    uint32_t total = MIN((uint32_t)sizeof *hdr + ntohs(hdr->payload_len), room);
    uint32_t real = MIN((uint32_t)(skb_in->data + skb_in->len - (const uint8_t *)hdr), total);
    be32 rest = (type == ICMPV6_PKT_TOOBIG || type == ICMPV6_PARAMPROB) ? htonl(info) : 0;
    trace_note(net, skb_in, "icmp6_send", "ICMPv6 error sent");
    icmpv6_xmit(net, rt, &saddr, &hs, type, code, rest, hdr, real, total - real,
                skb_in->flow);
}

/* icmpv6_echo_reply: the request's identifier, sequence and data back. */
static void icmpv6_echo_reply(struct net *net, struct sk_buff *skb)
{
    const struct ipv6hdr *hdr = ipv6_hdr(skb);
    const struct in6_addr hs = hdr->saddr, hd = hdr->daddr;
    const struct icmp6hdr *ih = (const struct icmp6hdr *)skb->data;
    struct rt6_info *rt = ip6_route_output(net, &hs);
    struct in6_addr saddr = hdr->daddr;
    if (!rt || (ipv6_addr_is_multicast(&hd) &&
                !ipv6_dev_get_saddr(net, rt->dev, &hs, &saddr)))
        return;
    icmpv6_xmit(net, rt, &saddr, &hs, ICMPV6_ECHO_REPLY, 0, ih->icmp6_dataun.un_data32[0],
                skb->data + ICMPV6_HLEN, skb->len - ICMPV6_HLEN, skb->data_len, skb->flow);
}

bool icmpv6_notify(struct net *net, struct sk_buff *skb)
{
    const struct sock_bind *b = net->socks ? sock_lookup_port(net, IPPROTO_ICMPV6, 0) : NULL;
    if (!b)
        return false;
    b->fn(net, skb, b->ctx);
    return true;
}

int icmpv6_rcv(struct net *net, struct sk_buff *skb)
{
    trace_func(net, skb, __func__);
    struct netns_ipv6 *n = net->ipv6;
    const struct ipv6hdr *hdr = ipv6_hdr(skb);
    const struct in6_addr hs = hdr->saddr, hd = hdr->daddr;
    n->mib.icmp6_in_msgs++;
    uint32_t len = skb_wire_len(skb);
    if (len < ICMPV6_HLEN) {
        n->mib.icmp6_in_errors++;
        kfree_skb_reason(net, skb, __func__, "truncated ICMPv6 header");
        return -EINVAL;
    }
    if (csum_ipv6_magic(&hs, &hd, len, NEXTHDR_ICMP,
                        csum_partial(skb->data, skb->len, 0)) != 0) {
        n->mib.icmp6_in_csum_errors++;
        n->mib.icmp6_in_errors++;
        kfree_skb_reason(net, skb, __func__, "ICMPv6 checksum failed");
        return -EINVAL;
    }
    uint8_t type = skb->data[0];
    switch (type) {
    case ICMPV6_ECHO_REQUEST:
        icmpv6_echo_reply(net, skb);
        break;
    case NDISC_ROUTER_SOLICITATION:
    case NDISC_ROUTER_ADVERTISEMENT:
    case NDISC_NEIGHBOUR_SOLICITATION:
    case NDISC_NEIGHBOUR_ADVERTISEMENT:
    case NDISC_REDIRECT:
        return ndisc_rcv(net, skb);
    case ICMPV6_PKT_TOOBIG:
    case ICMPV6_DEST_UNREACH:
    case ICMPV6_TIME_EXCEED:
    case ICMPV6_PARAMPROB:
        /* icmpv6_notify: the upper layer's err handler (tcp_v6_err, udpv6_err),
         * reached through the socket bound to ICMPv6 (the applications' stack, which
         * finds the endpoint the quoted packet came from). There is no path MTU cache:
         * a Packet Too Big changes nothing. */
        if (icmpv6_notify(net, skb))
            return 0;
        trace_notef(net, skb, "icmpv6_notify", "ICMPv6 type %u code %u: no socket to tell",
                    type, skb->data[1]);
        break;
    default:
        break;                      /* echo replies and the rest: no socket */
    }
    consume_skb(net, skb);
    return 0;
}
