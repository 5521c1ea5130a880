/* ICMP redirects (net/ipv4/route.c): sending (ip_rt_send_redirect), receiving
 * (ip_rt_redirect; __ip_do_redirect since 3.6) and the route exceptions they leave
 * (fib_nh_exception). */
#include "model/ipv4/ip_redirect.h"

#include <glib.h>
#include "model/ipv4/icmp.h"
#include "model/ipv4/ip.h"
#include "model/net.h"
#include "model/ipv4/route.h"

/* ip_rt_redirect_number, _load and _silence: at most 9 redirects, the n-th waiting
 * load << n jiffies after the previous; 20 s of quiet from the sender starts over. */
#define REDIRECT_NUMBER 9
#define REDIRECT_LOAD (KERNEL_HZ / 50)
#define REDIRECT_SILENCE ((uint64_t)REDIRECT_LOAD << (REDIRECT_NUMBER + 1))
#define EXCEPTION_TIMEOUT (300 * SEC)       /* ip_rt_gc_timeout */

struct redirect_peer {
    uint32_t n_redirects;
    uint64_t rate_last;                      /* jiffies */
};

/* A learned next hop for one destination (the kernel's fib_nh_exception). Never
 * freed before the host: a packet may still carry its rtable as dst. */
struct route_exception {
    struct rtable rt;
    sim_time_t expires;
};

struct ip_redirect_state {
    GHashTable *peers;                       /* sender key -> redirect_peer (lookups only) */
    GHashTable *exceptions;                  /* daddr -> route_exception (lookups only) */
    GHashTable *neigh;                       /* gateways resolved (a set, lookups only) */
};

static struct ip_redirect_state *state(struct net *net)
{
    if (!net->redir) {
        net->redir = g_new0(struct ip_redirect_state, 1);
        net->redir->peers = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
        net->redir->exceptions = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
        net->redir->neigh = g_hash_table_new(g_direct_hash, g_direct_equal);
    }
    return net->redir;
}

void ip_redirect_exit(struct net *net)
{
    if (!net->redir)
        return;
    g_hash_table_destroy(net->redir->peers);
    g_hash_table_destroy(net->redir->exceptions);
    g_hash_table_destroy(net->redir->neigh);
    g_free(net->redir);
    net->redir = NULL;
}

/* inet_addr_onlink: a and b (b may be 0) inside one subnet of dev. */
static bool addrs_onlink(const struct net_device *dev, be32 a, be32 b)
{
    for (unsigned i = 0; i < dev->naddrs; i++) {
        be32 mask = inet_mask(dev->addrs[i].prefixlen);
        be32 net = dev->addrs[i].addr & mask;
        if ((a & mask) == net && (!b || (b & mask) == net))
            return true;
    }
    return false;
}

/* ---- sending ------------------------------------------------------------------------ */

void ip_route_mark_redirect(struct net *net, struct sk_buff *skb, const struct rtable *rt,
                            be32 saddr)
{
    IPCB(skb)->flags &= (uint16_t)~IPSKB_DOREDIRECT;
    if (rt->type != RTN_UNICAST || rt->dev != skb->dev || !net->ipv4.send_redirects)
        return;
    /* The sender must be on the link; on a link that is not shared media, the next
     * hop must also be on the sender's subnet. */
    if (addrs_onlink(rt->dev, saddr, 0) &&
        (net->ipv4.shared_media || addrs_onlink(rt->dev, saddr, rt->gateway)))
        IPCB(skb)->flags |= IPSKB_DOREDIRECT;
}

/* Whose budget a redirect draws on: the sender (inet_peer, 3.6+), or in 2.6 the
 * input route cache entry, i.e. the sender and the destination together. */
static gint64 peer_key(const struct net *net, const struct iphdr *iph)
{
    if (net->prof->ipv4_route_cache)
        return (gint64)((uint64_t)iph->saddr << 32 | iph->daddr);
    return (gint64)iph->saddr;
}

static struct redirect_peer *peer_get(struct net *net, const struct iphdr *iph)
{
    struct ip_redirect_state *st = state(net);
    gint64 key = peer_key(net, iph);
    struct redirect_peer *p = g_hash_table_lookup(st->peers, &key);
    if (!p) {
        p = g_new0(struct redirect_peer, 1);
        g_hash_table_insert(st->peers, g_memdup2(&key, sizeof key), p);
    }
    return p;
}

void ip_rt_send_redirect(struct net *net, struct sk_buff *skb)
{
    const struct iphdr *iph = ip_hdr(skb);
    const struct rtable *rt = skb_rtable(skb);
    struct redirect_peer *p = peer_get(net, iph);
    uint64_t now = net_jiffies(net);
    if (now > p->rate_last + REDIRECT_SILENCE)
        p->n_redirects = 0;
    if (p->n_redirects >= REDIRECT_NUMBER) {
        /* Ignored too often: silent until the sender pauses. */
        p->rate_last = now;
        net->redirect_stats.suppressed++;
        return;
    }
    if (p->n_redirects && now <= p->rate_last + ((uint64_t)REDIRECT_LOAD << p->n_redirects)) {
        net->redirect_stats.suppressed++;
        return;
    }
    be32 gw = rt->gateway ? rt->gateway : iph->daddr;
    trace_note(net, skb, __func__, "ICMP redirect to the sender: use the next hop directly");
    icmp_send(net, skb, ICMP_REDIRECT, ICMP_REDIR_HOST, gw);
    p->rate_last = now;
    p->n_redirects++;
    net->redirect_stats.sent++;
}

/* ---- receiving ----------------------------------------------------------------------- */

/* ip_fib_check_default: is gw the gateway of one of our routes on dev? */
static bool is_gateway_on(const struct net *net, be32 gw, const struct net_device *dev)
{
    for (unsigned i = 0; i < net->fib.n; i++)
        if (net->fib.routes[i].dev == dev && net->fib.routes[i].gateway == gw)
            return true;
    return false;
}

/* Why a redirect from old_gw to new_gw for daddr is refused, or NULL (the checks
 * of __ip_do_redirect). */
static const char *redirect_refused(struct net *net, const struct rtable *rt, be32 old_gw,
                                    be32 new_gw)
{
    if (!rt || rt->gateway != old_gw)
        return "not from our gateway for that destination";
    if (!net->ipv4.accept_redirects || net->ipv4.ip_forward)
        return "redirects not accepted (accept_redirects, or forwarding on)";
    uint32_t h = ntohl(new_gw);
    if (new_gw == old_gw || (h >> 24) == 0 || (h >> 28) == 0xe || h == 0xffffffffu)
        return "bad new gateway";
    if (net->ipv4.shared_media) {
        /* The default: any unicast address will do, secure_redirects or not. */
        if (inet_addr_local(net, new_gw))
            return "new gateway is not unicast";
        return NULL;
    }
    if (!addrs_onlink(rt->dev, new_gw, old_gw))
        return "new gateway not on the link";
    if (net->ipv4.secure_redirects && !is_gateway_on(net, new_gw, rt->dev))
        return "secure_redirects: new gateway is not one of our gateways";
    return NULL;
}

/* The kernel acts only when the new gateway's neighbour entry is valid; else it
 * sends a probe and drops the advice. The model has no ARP: a gateway counts as
 * resolved once a redirect towards it has asked for it. */
static bool neighbour_resolved(struct net *net, be32 gw)
{
    GHashTable *neigh = state(net)->neigh;
    if (g_hash_table_contains(neigh, GUINT_TO_POINTER(gw)))
        return true;
    g_hash_table_add(neigh, GUINT_TO_POINTER(gw));
    return false;
}

/* __ip_do_redirect: apply a redirect (skb->data at the ICMP header) to the route
 * of the destination it quotes. */
static void do_redirect(struct net *net, const struct sk_buff *skb)
{
    const struct icmphdr *ic = (const struct icmphdr *)skb->data;
    if (ic->code > ICMP_REDIR_HOSTTOS || skb->len < sizeof *ic + sizeof(struct iphdr)) {
        net->redirect_stats.rejected++;
        return;
    }
    const struct iphdr *quoted = (const struct iphdr *)(skb->data + sizeof *ic);
    be32 daddr = quoted->daddr, old_gw = ip_hdr(skb)->saddr, new_gw = ic->un.gateway;
    struct rtable *rt = ip_route_output(net, daddr);
    const char *why = redirect_refused(net, rt, old_gw, new_gw);
    if (!why && !neighbour_resolved(net, new_gw))
        why = "new gateway not resolved yet: probed, advice dropped";
    if (why) {
        net->redirect_stats.rejected++;
        trace_note(net, skb, "__ip_do_redirect", why);
        return;
    }
    struct ip_redirect_state *st = state(net);
    struct route_exception *e = g_hash_table_lookup(st->exceptions, GUINT_TO_POINTER(daddr));
    if (!e) {
        e = g_new0(struct route_exception, 1);
        g_hash_table_insert(st->exceptions, GUINT_TO_POINTER(daddr), e);
    }
    e->rt = *rt;
    e->rt.dst = daddr;
    e->rt.dst_len = 32;
    e->rt.gateway = new_gw;
    e->expires = net_now(net) + EXCEPTION_TIMEOUT;
    net->redirect_stats.accepted++;
    trace_note(net, skb, "__ip_do_redirect", "accepted: a route exception for the destination");
}

void icmp_redirect(struct net *net, const struct sk_buff *skb)
{
    net->redirect_stats.received++;
    /* With the routing cache (2.6) the IP layer applies it; from 3.6 it goes to the
     * socket the quoted packet belongs to, which decides (ip_sk_redirect). */
    if (net->prof->ipv4_route_cache)
        do_redirect(net, skb);
}

void ip_sk_redirect(struct net *net, const struct sk_buff *skb)
{
    if (!net->prof->ipv4_route_cache)
        do_redirect(net, skb);
}

struct rtable *ip_route_redirected(struct net *net, be32 daddr)
{
    if (!net->redir)
        return NULL;
    struct route_exception *e = g_hash_table_lookup(net->redir->exceptions, GUINT_TO_POINTER(daddr));
    return e && net_now(net) < e->expires ? &e->rt : NULL;
}
