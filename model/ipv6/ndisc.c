/* Neighbour discovery (net/ipv6/ndisc.c: ndisc_rcv, ndisc_recv_ns, ndisc_recv_na,
 * ndisc_send_ns, ndisc_send_na, ndisc_solicit, ndisc_error_report) and the part of
 * the neighbour layer it needs (net/core/neighbour.c: __neigh_event_send,
 * neigh_update, neigh_timer_handler, neigh_invalidate).
 *
 * What is modelled: a packet for an unknown next hop waits in the neighbour's
 * queue while multicast NS go to the target's solicited-node group, one per
 * retrans_time (1 s); an NA (solicited) makes the neighbour REACHABLE and sends the
 * queue; after mcast_solicit (3) unanswered NS the neighbour FAILS and every queued
 * packet gets ICMPv6 address unreachable. A received NS for one of our addresses
 * records its sender STALE (from its source link-layer option) and is answered
 * with a solicited NA carrying our MAC (override set when the NS was multicast).
 * Eras: before 3.3 the first NS leaves a jiffy after the packet and the queue holds
 * 3 packets (unres_qlen); from 3.3 (cd28ca0a3dd1 "neigh: reduce arp latency",
 * 8b5c171bb3dc "neigh: new unresolved queue limits") the first NS leaves at once and
 * the queue is bounded in bytes (unres_qlen_bytes, 212992 of truesize: about 101
 * full-size frames, the figure the kernel shows as unres_qlen), modelled as 101
 * packets.
 * Not modelled: reachability aging (REACHABLE -> STALE -> DELAY -> PROBE with
 * unicast NS): a resolved neighbour stays usable; DAD; router discovery; redirects;
 * proxy ND. */
#include <errno.h>
#include "model/ipv6/ipv6.h"
#include "model/net.h"
#include "model/netfilter/core.h"
#include "sim/pkt.h"
#include "sim/sim.h"

#define NDISC_RETRANS_TIME (1 * SEC)        /* retrans_time_ms 1000 */
#define NDISC_MCAST_SOLICIT 3               /* mcast_solicit */
#define NEIGH_IMMEDIATE_PROBE_SINCE KERNEL_VERSION(3, 3, 0)

struct neighbour {
    struct net *net;
    struct net_device *dev;
    struct in6_addr primary_key;
    uint8_t ha[ETH_ALEN];
    unsigned nud_state;
    unsigned probes;                /* NS sent for this resolution */
    struct sk_buff *queue_head, *queue_tail;    /* arp_queue, linked by skb->next */
    unsigned queue_len;
    sim_event_id timer;
    bool timer_armed;
};

static unsigned neigh_unres_qlen(const struct net *net)
{
    return net->prof->version >= NEIGH_IMMEDIATE_PROBE_SINCE ? 101 : 3;
}

static struct neighbour *neigh_lookup(const struct net *net, const struct net_device *dev,
                                      const struct in6_addr *addr)
{
    const GPtrArray *e = net->ipv6->nd_tbl.entries;
    for (guint i = 0; e && i < e->len; i++) {
        struct neighbour *n = g_ptr_array_index(e, i);
        if (n->dev == dev && ipv6_addr_equal(&n->primary_key, addr))
            return n;
    }
    return NULL;
}

static struct neighbour *neigh_create(struct net *net, struct net_device *dev,
                                      const struct in6_addr *addr)
{
    struct neigh_table *t = &net->ipv6->nd_tbl;
    if (!t->entries)
        t->entries = g_ptr_array_new();
    struct neighbour *n = g_new0(struct neighbour, 1);
    n->net = net;
    n->dev = dev;
    n->primary_key = *addr;
    g_ptr_array_add(t->entries, n);
    return n;
}

unsigned ndisc_neigh_state(const struct net *net, const struct net_device *dev,
                           const struct in6_addr *addr, uint8_t mac[ETH_ALEN])
{
    if (!net->ipv6)
        return 0;
    const struct neighbour *n = neigh_lookup(net, dev, addr);
    if (!n)
        return 0;
    if (mac)
        memcpy(mac, n->ha, ETH_ALEN);
    return n->nud_state;
}

/* ---- sending --------------------------------------------------------------------- */

/* An ND message of ours (ndisc_alloc_skb, then ndisc_send_skb): hop limit 255,
 * our MAC in a link-layer option when opt_type is not 0. */
static void ndisc_send(struct net *net, struct net_device *dev, const struct in6_addr *saddr,
                       const struct in6_addr *daddr, uint8_t type, be32 flags,
                       const struct in6_addr *target, uint8_t opt_type)
{
    uint8_t body[sizeof(struct in6_addr) + ND_OPT_LLADDR_LEN];
    memcpy(body, target, sizeof *target);
    uint32_t body_len = sizeof *target;
    if (opt_type) {
        body[body_len] = opt_type;
        body[body_len + 1] = 1;     /* length in units of 8 bytes */
        memcpy(body + body_len + 2, dev->dev_addr, ETH_ALEN);
        body_len += ND_OPT_LLADDR_LEN;
    }
    struct ip6_spec ip = { .saddr = *saddr, .daddr = *daddr, .hop_limit = ND_HOPLIMIT };
    struct sk_buff *skb = skb_alloc(net_pool(net), net_now(net));
    if (!skb || !pkt_build_icmp6(skb, &ip, type, 0, flags, body, body_len, 0)) {
        skb_free(net_pool(net), skb);
        return;
    }
    /* ndisc_send_skb: LOCAL_OUT, then dst_output, on ND's route out of dev. */
    skb->dst = &net->ipv6->nd_route[dev->ifindex];
    skb->dev = dev;
    net->ipv6->mib.icmp6_out_msgs++;
    trace_func(net, skb, "ndisc_send_skb");
    int r = nf_hook_pf(NFPROTO_IPV6, NF_INET_LOCAL_OUT, net, skb, NULL, dev, ip6_output);
    if (r == 1)
        ip6_output(net, skb);
}

/* ndisc_send_ns: to the target's solicited-node group, with our MAC. The source is
 * the waiting packet's when it is ours on dev, else dev's link-local address. */
static void ndisc_send_ns(struct net *net, struct neighbour *neigh)
{
    struct in6_addr mcaddr, saddr;
    addrconf_addr_solict_mult(&neigh->primary_key, &mcaddr);
    const struct sk_buff *skb = neigh->queue_head;
    bool ours = false;
    if (skb) {
        saddr = ipv6_hdr(skb)->saddr;
        ours = ipv6_chk_addr(net, &saddr, neigh->dev);
    }
    if (!ours && !ipv6_dev_get_saddr(net, neigh->dev, &mcaddr, &saddr))
        return;
    net->ipv6->mib.ndisc_ns_out++;
    ndisc_send(net, neigh->dev, &saddr, &mcaddr, NDISC_NEIGHBOUR_SOLICITATION, 0,
               &neigh->primary_key, ND_OPT_SOURCE_LL_ADDR);
}

/* ndisc_send_na: solicited, to the solicitor, from the target. */
static void ndisc_send_na(struct net *net, struct net_device *dev, const struct in6_addr *daddr,
                          const struct in6_addr *target, bool override, bool inc_opt)
{
    uint8_t flags = ND_NA_SOLICITED;
    if (net->ipv6->devconf_all.forwarding)
        flags |= ND_NA_ROUTER;
    if (override)
        flags |= ND_NA_OVERRIDE;
    net->ipv6->mib.ndisc_na_out++;
    ndisc_send(net, dev, target, daddr, NDISC_NEIGHBOUR_ADVERTISEMENT,
               htonl((uint32_t)flags << 24), target, inc_opt ? ND_OPT_TARGET_LL_ADDR : 0);
}

/* ---- resolution -------------------------------------------------------------------- */

static void neigh_timer_handler(struct sim *s, void *obj, uint64_t arg);

static void neigh_add_timer(struct neighbour *n, sim_time_t when)
{
    n->timer = host_timer(n->net->host, when, neigh_timer_handler, n, 0);
    n->timer_armed = true;
}

/* neigh_probe -> ndisc_solicit: one more multicast NS. */
static void neigh_probe(struct neighbour *n)
{
    n->probes++;
    ndisc_send_ns(n->net, n);
}

/* neigh_invalidate: the queued packets get ICMPv6 address unreachable
 * (ndisc_error_report) and are dropped. */
static void neigh_invalidate(struct neighbour *n)
{
    struct net *net = n->net;
    while (n->queue_head) {
        struct sk_buff *skb = n->queue_head;
        n->queue_head = skb->next;
        skb->next = NULL;
        net->ipv6->mib.neigh_failed++;
        icmpv6_send(net, skb, ICMPV6_DEST_UNREACH, ICMPV6_ADDR_UNREACH, 0);
        kfree_skb_reason(net, skb, "neigh_invalidate", "neighbour unresolved (no NA)");
    }
    n->queue_tail = NULL;
    n->queue_len = 0;
}

static void neigh_timer_handler(struct sim *s, void *obj, uint64_t arg)
{
    (void)s;
    (void)arg;
    struct neighbour *n = obj;
    n->timer_armed = false;
    if (n->nud_state != NUD_INCOMPLETE)
        return;
    if (n->probes >= NDISC_MCAST_SOLICIT) {
        n->nud_state = NUD_FAILED;
        neigh_invalidate(n);
        return;
    }
    neigh_add_timer(n, net_now(n->net) + NDISC_RETRANS_TIME);
    neigh_probe(n);
}

/* Queue skb on an unresolved neighbour (__neigh_event_send): the oldest packet
 * goes when the queue is full. */
static void neigh_queue(struct neighbour *n, struct sk_buff *skb)
{
    struct net *net = n->net;
    if (n->queue_len >= neigh_unres_qlen(net)) {
        struct sk_buff *old = n->queue_head;
        n->queue_head = old->next;
        if (!n->queue_head)
            n->queue_tail = NULL;
        old->next = NULL;
        n->queue_len--;
        net->ipv6->mib.neigh_queue_drops++;
        kfree_skb_reason(net, old, "__neigh_event_send", "unresolved queue full");
    }
    skb->next = NULL;
    if (n->queue_tail)
        n->queue_tail->next = skb;
    else
        n->queue_head = skb;
    n->queue_tail = skb;
    n->queue_len++;
}

int ip6_neigh_resolve_output(struct net *net, struct sk_buff *skb, const struct in6_addr *nexthop)
{
    struct neighbour *n = neigh_lookup(net, skb->dev, nexthop);
    if (!n)
        n = neigh_create(net, skb->dev, nexthop);
    if (n->nud_state & (NUD_REACHABLE | NUD_STALE))
        return ip6_neigh_output(net, skb, n->ha);
    if (n->nud_state == NUD_INCOMPLETE) {
        neigh_queue(n, skb);
        return 0;
    }
    /* NONE or FAILED: a new resolution. */
    trace_note(net, skb, "__neigh_event_send", "neighbour unknown: solicitation");
    n->nud_state = NUD_INCOMPLETE;
    n->probes = 0;
    neigh_queue(n, skb);
    if (net->prof->version >= NEIGH_IMMEDIATE_PROBE_SINCE) {
        neigh_add_timer(n, net_now(net) + NDISC_RETRANS_TIME);
        neigh_probe(n);
    } else {
        neigh_add_timer(n, net_now(net) + KERNEL_JIFFY);
    }
    return 0;
}

/* neigh_update: the link-layer address is known; a neighbour that was waiting
 * sends its queue. */
static void neigh_update(struct neighbour *n, const uint8_t *lladdr, unsigned state)
{
    struct net *net = n->net;
    bool valid = n->nud_state & (NUD_REACHABLE | NUD_STALE);
    if (!lladdr && !valid)
        return;                     /* nothing to resolve with */
    /* A valid entry told the address it has keeps its state rather than going
     * STALE (__neigh_update: "if entry was valid and address is not changed"). */
    if (!(valid && state == NUD_STALE && lladdr && memcmp(lladdr, n->ha, ETH_ALEN) == 0))
        n->nud_state = state;
    if (lladdr)
        memcpy(n->ha, lladdr, ETH_ALEN);
    if (n->timer_armed) {
        sim_cancel(host_sim(net->host), n->timer);
        n->timer_armed = false;
    }
    while (n->queue_head) {
        struct sk_buff *skb = n->queue_head;
        n->queue_head = skb->next;
        skb->next = NULL;
        n->queue_len--;
        ip6_neigh_output(net, skb, n->ha);
    }
    n->queue_tail = NULL;
}

/* ---- receiving --------------------------------------------------------------------- */

/* The link-layer address option of type want, if the message has one. */
static const uint8_t *ndisc_lladdr(const struct sk_buff *skb, uint8_t want)
{
    uint32_t off = ICMPV6_HLEN + sizeof(struct in6_addr);
    while (off + 2 <= skb->len) {
        uint32_t olen = skb->data[off + 1] * 8u;
        if (olen == 0 || off + olen > skb->len)
            return NULL;
        if (skb->data[off] == want && olen >= ND_OPT_LLADDR_LEN)
            return skb->data + off + 2;
        off += olen;
    }
    return NULL;
}

static int ndisc_recv_ns(struct net *net, struct sk_buff *skb)
{
    trace_func(net, skb, __func__);
    const struct nd_msg *msg = (const struct nd_msg *)skb->data;
    const struct ipv6hdr *hdr = ipv6_hdr(skb);
    struct in6_addr saddr = hdr->saddr, daddr = hdr->daddr, target = msg->target;
    net->ipv6->mib.ndisc_ns_in++;
    const uint8_t *lladdr = ndisc_lladdr(skb, ND_OPT_SOURCE_LL_ADDR);
    bool dad = ipv6_addr_any(&saddr);
    if (ipv6_addr_is_multicast(&target) || (dad && lladdr)) {
        net->ipv6->mib.ndisc_bad++;
        kfree_skb_reason(net, skb, __func__, "invalid neighbour solicitation");
        return -EINVAL;
    }
    if (!ipv6_chk_addr(net, &target, skb->dev) || dad) {
        /* not ours (no proxy ND), or a DAD probe (no DAD modelled) */
        consume_skb(net, skb);
        return 0;
    }
    bool inc = ipv6_addr_is_multicast(&daddr);
    struct neighbour *n = neigh_lookup(net, skb->dev, &saddr);
    if (!n && (!inc || lladdr))
        n = neigh_create(net, skb->dev, &saddr);
    if (n && lladdr)
        neigh_update(n, lladdr, NUD_STALE);
    struct net_device *dev = skb->dev;
    consume_skb(net, skb);
    ndisc_send_na(net, dev, &saddr, &target, inc, inc);
    return 0;
}

static int ndisc_recv_na(struct net *net, struct sk_buff *skb)
{
    trace_func(net, skb, __func__);
    const struct nd_msg *msg = (const struct nd_msg *)skb->data;
    const struct in6_addr target = msg->target;
    net->ipv6->mib.ndisc_na_in++;
    if (ipv6_addr_is_multicast(&target)) {
        net->ipv6->mib.ndisc_bad++;
        kfree_skb_reason(net, skb, __func__, "invalid neighbour advertisement");
        return -EINVAL;
    }
    struct neighbour *n = neigh_lookup(net, skb->dev, &target);
    if (n) {
        bool solicited = msg->icmph.icmp6_dataun.un_data8[0] & ND_NA_SOLICITED;
        neigh_update(n, ndisc_lladdr(skb, ND_OPT_TARGET_LL_ADDR),
                     solicited ? NUD_REACHABLE : NUD_STALE);
    }
    consume_skb(net, skb);
    return 0;
}

int ndisc_rcv(struct net *net, struct sk_buff *skb)
{
    trace_func(net, skb, __func__);
    const char *why = NULL;
    if (ipv6_hdr(skb)->hop_limit != ND_HOPLIMIT)
        why = "invalid hop limit (not 255)";        /* RFC 4861 7.1 */
    else if (skb->data[1] != 0)
        why = "invalid ICMPv6 code";
    else if (skb->len < sizeof(struct nd_msg) &&
             (skb->data[0] == NDISC_NEIGHBOUR_SOLICITATION ||
              skb->data[0] == NDISC_NEIGHBOUR_ADVERTISEMENT))
        why = "truncated neighbour message";
    if (why) {
        net->ipv6->mib.ndisc_bad++;
        kfree_skb_reason(net, skb, __func__, why);
        return -EINVAL;
    }
    switch (skb->data[0]) {
    case NDISC_NEIGHBOUR_SOLICITATION:
        return ndisc_recv_ns(net, skb);
    case NDISC_NEIGHBOUR_ADVERTISEMENT:
        return ndisc_recv_na(net, skb);
    default:
        /* router discovery and redirects are not modelled */
        consume_skb(net, skb);
        return 0;
    }
}

void ndisc_net_exit(struct net *net)
{
    GPtrArray *e = net->ipv6->nd_tbl.entries;
    for (guint i = 0; e && i < e->len; i++) {
        struct neighbour *n = g_ptr_array_index(e, i);
        if (n->timer_armed)
            sim_cancel(host_sim(net->host), n->timer);
        while (n->queue_head) {
            struct sk_buff *skb = n->queue_head;
            n->queue_head = skb->next;
            skb_free(net_pool(net), skb);
        }
        g_free(n);
    }
    if (e)
        g_ptr_array_free(e, TRUE);
    net->ipv6->nd_tbl.entries = NULL;
}
