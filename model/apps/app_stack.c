/* The per-host app stack: the endpoint table keyed by 4-tuple, UDP listeners and
 * sending, and the wildcard TCP/UDP/ICMP sockets that hand what arrives to an
 * endpoint or a listener, or answer it as the kernel would. There is one per host,
 * shared by reference, so that client groups, a server and a health checker can live
 * on the same host; the TCP endpoint is in tcp_conn.c and beside it, the ephemeral
 * ports in app_port.c. Kernel: net/ipv4/inet_hashtables.c
 * (__inet_lookup_established), udp.c (__udp4_lib_lookup, udp_sendmsg), tcp_ipv4.c
 * (tcp_v4_rcv's no-socket path). */
#include "model/apps/tcp_conn_internal.h"

#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model/ipv4/icmp.h"
#include "model/ipv4/ip.h"
#include "model/net.h"
#include "model/ipv4/route.h"
#include "model/ipv4/sock.h"
#include "model/ipv6/ipv6.h"
#include "model/ipv6/transp_v6.h"
#include "sim/in6_key.h"
#include "sim/pkt.h"

/* ---- keys ------------------------------------------------------------------------------ */

_Static_assert(offsetof(struct app_ep, raddr) == 4 && offsetof(struct app_ep, lport) == 8 &&
               offsetof(struct app_ep, rport) == 10 && offsetof(struct app_ep, proto) == 12,
               "ep_key composes the words of struct app_ep's 4-tuple");

/* The key of a 4-tuple: the bytes of struct app_ep's 4-tuple, padding zeroed, as
 * two words composed in registers (mem_u64: sim/proto.h says why). */
static void ep_key(uint8_t proto, be32 laddr, be16 lport, be32 raddr, be16 rport, uint64_t k[2])
{
    k[0] = mem_u64(laddr, raddr);
    k[1] = mem_u64(mem_u32(lport, rport), mem_u32(mem_u16(proto, 0), 0));
}

static inline uint64_t key_hash(const uint64_t *k)
{
    uint64_t x = k[0] * 0x9e3779b97f4a7c15ull ^ (k[1] + 0x632be59bd9b4e019ull);
    x ^= x >> 31;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 29;
    return x;
}

static inline bool key_same(const uint64_t *x, const uint64_t *y)
{
    return x[0] == y[0] && x[1] == y[1];
}

/* ---- the endpoint table (ep_slot: tcp_conn_internal.h) ------------------------------- */

#define EP_TABLE_MIN 64
#define SLOT_TW      1ull
#define SLOT_ADDR    0x0000fffffffffff8ull
#define SLOT_TAG(h)  ((h) & 0xffff000000000000ull)

static inline uint32_t slot_home(uint64_t h, uint32_t mask)
{
    return (uint32_t)(h ^ (h >> 32)) & mask;
}

static inline const uint64_t *slot_key(ep_slot s)
{
    return (const uint64_t *)(uintptr_t)(s & SLOT_ADDR);
}

static ep_slot slot_make(const void *obj, bool tw, uint64_t h)
{
    uintptr_t a = (uintptr_t)obj;
    if ((a & ~SLOT_ADDR) != 0) {    /* above 2^48 or not 8-byte aligned */
        fprintf(stderr, "ipvsim: endpoint at %p does not fit the endpoint table's slot\n", obj);
        abort();
    }
    return (ep_slot)a | (tw ? SLOT_TW : 0) | SLOT_TAG(h);
}

static void ep_table_init(struct ep_table *t)
{
    t->slots = g_new0(ep_slot, EP_TABLE_MIN);
    t->mask = EP_TABLE_MIN - 1;
    t->count = 0;
}

/* The slot holding key, or the empty slot where it would go. */
static inline ep_slot *ep_table_find(const struct ep_table *t, const uint64_t *key, uint64_t h)
{
    for (uint32_t i = slot_home(h, t->mask);; i = (i + 1) & t->mask) {
        ep_slot *sl = &t->slots[i];
        if (!*sl || (SLOT_TAG(*sl) == SLOT_TAG(h) && key_same(slot_key(*sl), key)))
            return sl;
    }
}

static void ep_table_grow(struct ep_table *t)
{
    ep_slot *old = t->slots;
    uint32_t n = t->mask + 1;
    t->slots = g_new0(ep_slot, (gsize)n * 2);
    t->mask = n * 2 - 1;
    for (uint32_t i = 0; i < n; i++)
        if (old[i]) {
            const uint64_t *k = slot_key(old[i]);
            *ep_table_find(t, k, key_hash(k)) = old[i];
        }
    g_free(old);
}

static void ep_table_remove(struct ep_table *t, ep_slot *sl)
{
    uint32_t i = (uint32_t)(sl - t->slots);
    *sl = 0;
    t->count--;
    /* Backward shift: move each following entry into the hole unless its home slot
     * lies cyclically after the hole (then it is already as close as it can be). */
    for (uint32_t j = (i + 1) & t->mask; t->slots[j]; j = (j + 1) & t->mask) {
        uint32_t home = slot_home(key_hash(slot_key(t->slots[j])), t->mask);
        if (((j - home) & t->mask) >= ((j - i) & t->mask)) {
            t->slots[i] = t->slots[j];
            t->slots[j] = 0;
            i = j;
        }
    }
}

/* The slot of a 4-tuple in the table (it must be there). */
static ep_slot *ep_table_slot(const struct ep_table *t, const uint64_t *key)
{
    ep_slot *sl = ep_table_find(t, key, key_hash(key));
    g_assert(*sl);
    return sl;
}

/* ---- the stack --------------------------------------------------------------------------- */

static void stack_tcp_rcv(struct net *net, struct sk_buff *skb, void *ctx);
static void stack_udp_rcv(struct net *net, struct sk_buff *skb, void *ctx);
static void stack_icmp_rcv(struct net *net, struct sk_buff *skb, void *ctx);
static void stack_icmp6_rcv(struct net *net, struct sk_buff *skb, void *ctx);

struct app_stack *app_stack_get(struct net *net)
{
    struct sock_table *t = net->socks;
    for (unsigned i = 0; i < t->n; i++)
        if (t->binds[i].fn == stack_tcp_rcv) {
            struct app_stack *st = t->binds[i].ctx;
            st->refs++;
            return st;
        }
    struct app_stack *st = g_new0(struct app_stack, 1);
    st->net = net;
    st->refs = 1;
    ep_table_init(&st->eps);
    ep_table_init(&st->tws);
    port_tab_init(&st->ports);
    st->tcp_listeners = g_ptr_array_new();
    st->udp_listeners = g_ptr_array_new();
    sock_bind(net, IPPROTO_TCP, 0, stack_tcp_rcv, st);
    /* UDP and ICMP: only if nobody else took the wildcard (the stack then still
     * sends, and TCP works). */
    sock_bind(net, IPPROTO_UDP, 0, stack_udp_rcv, st);
    sock_bind(net, IPPROTO_ICMP, 0, stack_icmp_rcv, st);
    sock_bind(net, IPPROTO_ICMPV6, 0, stack_icmp6_rcv, st);
    return st;
}

struct net *app_stack_net(const struct app_stack *st)
{
    return st->net;
}

const struct app_stack_stats *app_stack_stats(const struct app_stack *st)
{
    return &st->stats;
}

void app_stack_set_seg_hook(struct app_stack *st, tcp_seg_hook fn, void *ctx)
{
    st->hook = fn;
    st->hook_ctx = ctx;
}

void app_stack_put(struct app_stack *st)
{
    if (!st || --st->refs > 0)
        return;
    /* Unbind our wildcard sockets. */
    struct sock_table *t = st->net->socks;
    unsigned j = 0;
    for (unsigned i = 0; i < t->n; i++)
        if (t->binds[i].ctx != st)
            t->binds[j++] = t->binds[i];
    t->n = j;
    for (struct tcp_conn *c = st->live, *n; c; c = n) {
        n = c->next;
        tcp_conn_cancel_timers(c);
        g_free(c);
    }
    tcp_tw_free_all(st);
    for (struct tcp_conn *c = st->free, *n; c; c = n) {
        n = c->next;
        g_free(c);
    }
    g_free(st->eps.slots);
    g_free(st->tws.slots);
    port_tab_free(&st->ports);
    g_ptr_array_free(st->tcp_listeners, TRUE);
    g_ptr_array_free(st->udp_listeners, TRUE);
    g_free(st);
}

/* Put the record of key into t (where it is not). */
static void ep_table_add(struct ep_table *t, const void *obj, bool tw, const uint64_t *key,
                         uint64_t h)
{
    if ((t->count + 1) * 2 > t->mask + 1)
        ep_table_grow(t);
    *ep_table_find(t, key, h) = slot_make(obj, tw, h);
    t->count++;
}

bool app_ep_add(struct app_stack *st, struct app_ep *ep)
{
    memset(ep->key_pad, 0, sizeof ep->key_pad);
    uint64_t h = key_hash(ep->key);
    if (*ep_table_find(&st->eps, ep->key, h) || *ep_table_find(&st->tws, ep->key, h))
        return false;
    ep_table_add(&st->eps, ep, false, ep->key, h);
    ep->hashed = true;
    return true;
}

void app_ep_del(struct app_stack *st, struct app_ep *ep)
{
    if (!ep->hashed)
        return;
    ep_table_remove(&st->eps, ep_table_slot(&st->eps, ep->key));
    ep->hashed = false;
}

void app_tw_hash(struct app_stack *st, struct app_ep *ep, struct tcp_tw *tw)
{
    ep_table_remove(&st->eps, ep_table_slot(&st->eps, ep->key));
    memcpy(tw->key, ep->key, sizeof tw->key);       /* the 4-tuple */
    ep_table_add(&st->tws, tw, true, tw->key, key_hash(tw->key));
    tw->hashed = true;
    ep->hashed = false;
}

void app_tw_rehash(struct app_stack *st, struct tcp_tw *from, struct tcp_tw *to)
{
    ep_slot *sl = ep_table_slot(&st->tws, from->key);
    memcpy(to->key, from->key, sizeof to->key);
    *sl = slot_make(to, true, key_hash(to->key));
    to->hashed = true;
    from->hashed = false;
}

void app_tw_unhash(struct app_stack *st, struct tcp_tw *tw)
{
    ep_table_remove(&st->tws, ep_table_slot(&st->tws, tw->key));
    tw->hashed = false;
}

void app_tw_prefetch(const struct app_stack *st, const struct tcp_tw *tw)
{
    __builtin_prefetch(&st->tws.slots[slot_home(key_hash(tw->key), st->tws.mask)]);
}

/* The live endpoint of a 4-tuple first (its table is small, and most segments are
 * for one), then the TIME_WAIT record. A 4-tuple is in one table at most, so the
 * order finds what the kernel's one established hash would. */
static ep_slot ep_lookup(struct app_stack *st, uint8_t proto, be32 laddr, be16 lport, be32 raddr,
                         be16 rport)
{
    uint64_t k[2];
    ep_key(proto, laddr, lport, raddr, rport, k);
    uint64_t h = key_hash(k);
    ep_slot s = *ep_table_find(&st->eps, k, h);
    return s ? s : *ep_table_find(&st->tws, k, h);
}

void app_tuple_prefetch(const struct app_stack *st, uint8_t proto, be32 laddr, be16 lport,
                        be32 raddr, be16 rport)
{
    uint64_t k[2];
    ep_key(proto, laddr, lport, raddr, rport, k);
    uint64_t h = key_hash(k);
    __builtin_prefetch(&st->eps.slots[slot_home(h, st->eps.mask)]);
    __builtin_prefetch(&st->tws.slots[slot_home(h, st->tws.mask)]);
}

struct app_ep *app_tuple_find(struct app_stack *st, uint8_t proto, be32 laddr, be16 lport,
                              be32 raddr, be16 rport, struct tcp_tw **tw)
{
    ep_slot s = ep_lookup(st, proto, laddr, lport, raddr, rport);
    bool is_tw = s & SLOT_TW;
    if (tw)
        *tw = is_tw ? (struct tcp_tw *)(uintptr_t)(s & SLOT_ADDR) : NULL;
    return is_tw ? NULL : (struct app_ep *)(uintptr_t)(s & SLOT_ADDR);
}

struct app_ep *app_ep_find(struct app_stack *st, uint8_t proto, be32 laddr, be16 lport, be32 raddr,
                           be16 rport)
{
    return app_tuple_find(st, proto, laddr, lport, raddr, rport, NULL);
}

void app_stack_drop_net(struct app_stack *st, be32 net, uint8_t prefix)
{
    if (st->ndrops == MAX_DROP_NETS)
        return;
    be32 mask = inet_mask(prefix);
    st->drops[st->ndrops].net = net & mask;
    st->drops[st->ndrops].mask = mask;
    st->ndrops++;
}

static bool dropped_net(struct app_stack *st, be32 daddr)
{
    for (unsigned i = 0; i < st->ndrops; i++)
        if ((daddr & st->drops[i].mask) == st->drops[i].net) {
            st->stats.dropped_net++;
            return true;
        }
    return false;
}

bool udp_listen(struct app_stack *st, struct udp_listener *l)
{
    for (guint i = 0; i < st->udp_listeners->len; i++)
        if (((struct udp_listener *)g_ptr_array_index(st->udp_listeners, i))->port == l->port)
            return false;
    g_ptr_array_add(st->udp_listeners, l);
    return true;
}

void udp_unlisten(struct app_stack *st, struct udp_listener *l)
{
    g_ptr_array_remove(st->udp_listeners, l);
}

int app_udp_send(struct net *net, be32 saddr, be16 sport, be32 daddr, be16 dport,
                 uint32_t payload, uint64_t flow)
{
    if (in6_is_key(daddr))
        return udp_v6_send(net, saddr, sport, daddr, dport, payload, flow);
    struct rtable *rt = ip_route_output(net, daddr);
    if (!rt) {
        net->mib.out_no_routes++;
        return -ENETUNREACH;
    }
    struct ip4_spec ip = { .saddr = saddr, .daddr = daddr, .ttl = (uint8_t)net->ipv4.default_ttl,
                           .id = htons(net->ip_id++) };
    struct sk_buff *skb = skb_alloc(net_pool(net), net_now(net));
    if (!skb)
        return -ENOBUFS;
    if (!pkt_build_udp(skb, &ip, sport, dport, payload)) {
        skb_free(net_pool(net), skb);
        return -EMSGSIZE;
    }
    skb->dst = rt;
    skb->flow = flow;
    return ip_local_out(net, skb);
}

/* ---- the wildcard sockets ---------------------------------------------------------------- */

/* What both protocols do first: the 4-tuple's endpoint takes the packet, or it is
 * for a dropped network and vanishes. True when the packet was taken. The ports
 * lead TCP and UDP headers alike. A SYN that a TIME_WAIT socket lets through is not
 * taken: *tw_isn is then its ISN for the listener. */
static bool deliver_to_ep(struct app_stack *st, struct net *net, struct sk_buff *skb,
                          uint8_t proto, uint32_t *tw_isn)
{
    be32 saddr, daddr;
    sock_skb_addrs(skb, &saddr, &daddr);
    const struct udphdr *ports = (const struct udphdr *)skb->data;
    struct tcp_tw *tw;
    struct app_ep *ep = app_tuple_find(st, proto, daddr, ports->dest, saddr, ports->source, &tw);
    if (ep) {
        ep->rcv(ep, skb);
        return true;
    }
    if (tw)
        return tcp_tw_rcv(st, tw, skb, tw_isn);
    if (dropped_net(st, daddr)) {
        consume_skb(net, skb);
        return true;
    }
    return false;
}

static void stack_tcp_rcv(struct net *net, struct sk_buff *skb, void *ctx)
{
    struct app_stack *st = ctx;
    uint32_t tw_isn = 0;
    if (deliver_to_ep(st, net, skb, IPPROTO_TCP, &tw_isn))
        return;
    const struct tcphdr *th = (const struct tcphdr *)skb->data;
    struct tcp_listener *l = tcp_listener_for(st, th->dest);
    if (l) {
        tcp_listener_rcv(st, l, skb, tw_isn);
        return;
    }
    /* No socket: tcp_v4_rcv's (tcp_v6_rcv's) no_tcp_socket answers with a reset. */
    bool v6 = skb->protocol == ETH_P_IPV6;
    net->socks->stats.no_socket++;
    if (!(th->flags & TCPH_RST))
        tcp_send_reset(st, skb);
    kfree_skb_reason(net, skb, v6 ? "tcp_v6_rcv" : "tcp_v4_rcv", "no socket");
}

static void stack_udp_rcv(struct net *net, struct sk_buff *skb, void *ctx)
{
    struct app_stack *st = ctx;
    uint32_t tw_isn = 0;            /* TCP only */
    if (deliver_to_ep(st, net, skb, IPPROTO_UDP, &tw_isn))
        return;
    const struct udphdr *uh = (const struct udphdr *)skb->data;
    for (guint i = 0; i < st->udp_listeners->len; i++) {
        struct udp_listener *l = g_ptr_array_index(st->udp_listeners, i);
        if (l->port == uh->dest) {
            l->rcv(l, skb);
            return;
        }
    }
    net->socks->stats.no_socket++;
    st->stats.udp_unreach_sent++;
    if (skb->protocol == ETH_P_IPV6) {
        icmpv6_send(net, skb, ICMPV6_DEST_UNREACH, ICMPV6_PORT_UNREACH, 0);
        kfree_skb_reason(net, skb, "udpv6_rcv", "no socket");
        return;
    }
    icmp_send(net, skb, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0);
    kfree_skb_reason(net, skb, "udp_rcv", "no socket");
}

/* tcp_v4_err / tcp_v6_err / udp_err on a redirect or a path MTU message: a full TCP
 * socket (not a request or TIME_WAIT one) takes it when the quoted sequence number is
 * in [snd_una, snd_nxt]; a UDP socket always. l4 holds at least 8 bytes. */
static bool ep_takes_err(const struct app_ep *ep, const uint8_t *l4)
{
    if (ep->proto != IPPROTO_TCP)
        return true;
    const struct tcp_conn *c = (const struct tcp_conn *)ep;
    if (c->state == TCPS_SYN_RECV || c->state == TCPS_TIME_WAIT || c->state == TCPS_CLOSED)
        return false;
    be32 seq;
    memcpy(&seq, l4 + 4, 4);
    return !before(ntohl(seq), c->snd_una) && !after(ntohl(seq), c->snd_nxt);
}

static void stack_icmp_rcv(struct net *net, struct sk_buff *skb, void *ctx)
{
    struct app_stack *st = ctx;
    const uint8_t *p = skb->data;
    uint32_t avail = skb->len;
    if (avail >= sizeof(struct icmphdr) + sizeof(struct iphdr) + 8) {
        const struct icmphdr *ic = (const struct icmphdr *)p;
        const struct iphdr *in = (const struct iphdr *)(p + sizeof *ic);
        unsigned ihl = ip_hdrlen(in);
        if ((ic->type == ICMP_DEST_UNREACH || ic->type == ICMP_TIME_EXCEEDED ||
             ic->type == ICMP_REDIRECT) && ihl >= 20 &&
            avail >= sizeof *ic + ihl + 4 &&
            (in->protocol == IPPROTO_TCP || in->protocol == IPPROTO_UDP)) {
            const uint8_t *l4 = (const uint8_t *)in + ihl;
            be16 sport, dport;
            memcpy(&sport, l4, 2);
            memcpy(&dport, l4 + 2, 2);
            /* ICMP errors for a TIME_WAIT socket are ignored (tcp_v4_err) */
            struct app_ep *ep = app_ep_find(st, in->protocol, in->saddr, sport, in->daddr, dport);
            uint8_t type = ic->type, code = ic->code;
            bool seq_ok = ep && avail >= sizeof *ic + ihl + 8 && ep_takes_err(ep, l4);
            if (type == ICMP_REDIRECT) {
                if (seq_ok)
                    ip_sk_redirect(net, skb);
                consume_skb(net, skb);
                return;
            }
            /* icmp_unreach: fragmentation needed's info is the next-hop MTU
             * (net.ipv4.ip_no_pmtu_disc 0). */
            bool pmtu = type == ICMP_DEST_UNREACH && code == ICMP_FRAG_NEEDED;
            uint32_t info = pmtu ? ntohs(ic->un.frag.mtu) : 0;
            consume_skb(net, skb);
            if (pmtu && !seq_ok)
                return;
            if (ep && ep->err)
                ep->err(ep, type, code, info);
            return;
        }
    }
    consume_skb(net, skb);
}

/* tcp_v6_err / udpv6_err: an ICMPv6 error (icmpv6_notify) for the endpoint its
 * quoted packet came from, told in ICMP's terms as icmpv6_err_convert maps them:
 * port unreachable is ECONNREFUSED (a hard error), the other destination
 * unreachable codes EHOSTUNREACH / EACCES (hard), hop limit exceeded EHOSTUNREACH
 * (soft); a Packet Too Big is fragmentation needed with its MTU (EMSGSIZE), taken by
 * a TCP socket when the quoted sequence number is in [snd_una, snd_nxt]. Errors for a
 * TIME_WAIT socket are ignored. */
static void stack_icmp6_rcv(struct net *net, struct sk_buff *skb, void *ctx)
{
    struct app_stack *st = ctx;
    const uint8_t *p = skb->data;
    const uint32_t qoff = 8;            /* the ICMPv6 header, then the quoted packet */
    if (skb->len < qoff + sizeof(struct ipv6hdr) + 4) {
        consume_skb(net, skb);
        return;
    }
    const struct ipv6hdr *in = (const struct ipv6hdr *)(p + qoff);
    const uint8_t *l4 = p + qoff + sizeof *in;
    uint8_t type = p[0], code = p[1];
    uint8_t t4 = ICMP_DEST_UNREACH, c4 = ICMP_HOST_UNREACH;
    if (type == ICMPV6_DEST_UNREACH && code == ICMPV6_PORT_UNREACH)
        c4 = ICMP_PORT_UNREACH;
    else if (type == ICMPV6_TIME_EXCEED)
        t4 = ICMP_TIME_EXCEEDED, c4 = 0;
    else if (type == ICMPV6_PKT_TOOBIG)
        c4 = ICMP_FRAG_NEEDED;
    else if (type != ICMPV6_DEST_UNREACH)
        t4 = 0;
    struct in6_addr qs, qd;
    memcpy(&qs, &in->saddr, sizeof qs);
    memcpy(&qd, &in->daddr, sizeof qd);
    be32 laddr, raddr;
    be16 sport, dport;
    memcpy(&sport, l4, 2);
    memcpy(&dport, l4 + 2, 2);
    struct app_ep *ep = NULL;
    if (t4 && (in->nexthdr == NEXTHDR_TCP || in->nexthdr == NEXTHDR_UDP) &&
        in6_key_find(&qs, &laddr) && in6_key_find(&qd, &raddr))
        ep = app_ep_find(st, in->nexthdr, laddr, sport, raddr, dport);
    uint32_t info = 0;
    if (ep && type == ICMPV6_PKT_TOOBIG) {
        be32 mtu;
        memcpy(&mtu, p + 4, 4);
        info = ntohl(mtu);
        if (skb->len < qoff + sizeof *in + 8 || !ep_takes_err(ep, l4))
            ep = NULL;
    }
    consume_skb(net, skb);
    if (ep && ep->err)
        ep->err(ep, t4, c4, info);
}
