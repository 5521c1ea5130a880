/* The applications' side of a host: the per-host demultiplexer and a small TCP
 * endpoint (see tcp_conn.h for what it models and what it simplifies). */
#include "model/apps/tcp_conn.h"

#include <errno.h>
#include <glib.h>
#include <string.h>
#include "model/icmp.h"
#include "model/ip.h"
#include "model/net.h"
#include "sim/sim.h"
#include "model/route.h"
#include "model/sock.h"
#include "model/tcp_reset.h"
#include "sim/host.h"
#include "sim/pkt.h"

#define NPORTS (EPHEMERAL_PORT_HIGH - EPHEMERAL_PORT_LOW + 1)
#define PORT_WORDS ((NPORTS + 63) / 64)
#define TCPOPT_MSS 2
#define MAX_DROP_NETS 8

/* The used ephemeral ports of one (protocol, local address). */
struct port_map {
    gint64 key;                     /* protocol << 32 | laddr */
    uint32_t used;
    uint64_t bits[PORT_WORDS];
};

/* The endpoints by 4-tuple: open addressing with linear probing, the full hash kept
 * beside the pointer so a probe rarely touches an endpoint that is not the one
 * sought. At most half full; deletion shifts the following entries back, so there
 * are no tombstones. Never iterated: its order cannot leak into a run. */
struct ep_slot {
    uint32_t hash;
    struct app_ep *ep;              /* NULL: empty */
};

struct ep_table {
    struct ep_slot *slots;
    uint32_t mask;                  /* capacity - 1 (capacity a power of two) */
    uint32_t count;
};

struct app_stack {
    struct net *net;
    int refs;
    struct ep_table eps;            /* app_ep.key -> app_ep (lookups only) */
    GHashTable *ports;              /* port_map.key -> port_map (lookups only) */
    GPtrArray *tcp_listeners;       /* struct tcp_listener *, registration order */
    GPtrArray *udp_listeners;
    struct { be32 net, mask; } drops[MAX_DROP_NETS];
    unsigned ndrops;
    struct tcp_conn *live;          /* connections alive, oldest first */
    struct tcp_conn *live_tail;
    struct tcp_conn *free;          /* recycled connection objects */
    struct app_stack_stats stats;
    tcp_seg_hook hook;
    void *hook_ctx;
};

static inline bool before(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static inline bool after(uint32_t a, uint32_t b) { return before(b, a); }

/* ---- keys ------------------------------------------------------------------------------ */

static void ep_key(uint8_t proto, be32 laddr, be16 lport, be32 raddr, be16 rport, uint64_t k[2])
{
    k[0] = (uint64_t)laddr << 32 | raddr;
    k[1] = (uint64_t)proto << 32 | (uint64_t)lport << 16 | rport;
}

static inline uint32_t key_hash(const uint64_t *k)
{
    uint64_t x = k[0] * 0x9e3779b97f4a7c15ull ^ (k[1] + 0x632be59bd9b4e019ull);
    x ^= x >> 31;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 29;
    return (uint32_t)(x ^ (x >> 32));
}

static inline bool key_same(const uint64_t *x, const uint64_t *y)
{
    return x[0] == y[0] && x[1] == y[1];
}

#define EP_TABLE_MIN 64

static void ep_table_init(struct ep_table *t)
{
    t->slots = g_new0(struct ep_slot, EP_TABLE_MIN);
    t->mask = EP_TABLE_MIN - 1;
    t->count = 0;
}

/* The slot holding key, or the empty slot where it would go. */
static inline struct ep_slot *ep_table_find(const struct ep_table *t, const uint64_t *key,
                                            uint32_t hash)
{
    for (uint32_t i = hash & t->mask;; i = (i + 1) & t->mask) {
        struct ep_slot *sl = &t->slots[i];
        if (!sl->ep || (sl->hash == hash && key_same(sl->ep->key, key)))
            return sl;
    }
}

static void ep_table_grow(struct ep_table *t)
{
    struct ep_slot *old = t->slots;
    uint32_t n = t->mask + 1;
    t->slots = g_new0(struct ep_slot, (gsize)n * 2);
    t->mask = n * 2 - 1;
    for (uint32_t i = 0; i < n; i++)
        if (old[i].ep)
            *ep_table_find(t, old[i].ep->key, old[i].hash) = old[i];
    g_free(old);
}

static void ep_table_remove(struct ep_table *t, struct ep_slot *sl)
{
    uint32_t i = (uint32_t)(sl - t->slots);
    sl->ep = NULL;
    t->count--;
    /* Backward shift: move each following entry into the hole unless its home slot
     * lies cyclically after the hole (then it is already as close as it can be). */
    for (uint32_t j = (i + 1) & t->mask; t->slots[j].ep; j = (j + 1) & t->mask) {
        uint32_t home = t->slots[j].hash & t->mask;
        if (((j - home) & t->mask) >= ((j - i) & t->mask)) {
            t->slots[i] = t->slots[j];
            t->slots[j].ep = NULL;
            i = j;
        }
    }
}

/* ---- the stack --------------------------------------------------------------------------- */

static void stack_tcp_rcv(struct net *net, struct sk_buff *skb, void *ctx);
static void stack_udp_rcv(struct net *net, struct sk_buff *skb, void *ctx);
static void stack_icmp_rcv(struct net *net, struct sk_buff *skb, void *ctx);

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
    st->ports = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, g_free);
    st->tcp_listeners = g_ptr_array_new();
    st->udp_listeners = g_ptr_array_new();
    sock_bind(net, IPPROTO_TCP, 0, stack_tcp_rcv, st);
    /* UDP and ICMP: only if nobody else took the wildcard (the stack then still
     * sends, and TCP works). */
    sock_bind(net, IPPROTO_UDP, 0, stack_udp_rcv, st);
    sock_bind(net, IPPROTO_ICMP, 0, stack_icmp_rcv, st);
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

static void conn_cancel_timers(struct tcp_conn *c);

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
        conn_cancel_timers(c);
        g_free(c);
    }
    for (struct tcp_conn *c = st->free, *n; c; c = n) {
        n = c->next;
        g_free(c);
    }
    g_free(st->eps.slots);
    g_hash_table_destroy(st->ports);
    g_ptr_array_free(st->tcp_listeners, TRUE);
    g_ptr_array_free(st->udp_listeners, TRUE);
    g_free(st);
}

bool app_ep_add(struct app_stack *st, struct app_ep *ep)
{
    ep_key(ep->proto, ep->laddr, ep->lport, ep->raddr, ep->rport, ep->key);
    uint32_t h = key_hash(ep->key);
    struct ep_slot *sl = ep_table_find(&st->eps, ep->key, h);
    if (sl->ep)
        return false;
    if ((st->eps.count + 1) * 2 > st->eps.mask + 1) {
        ep_table_grow(&st->eps);
        sl = ep_table_find(&st->eps, ep->key, h);
    }
    sl->hash = h;
    sl->ep = ep;
    st->eps.count++;
    ep->hashed = true;
    return true;
}

void app_ep_del(struct app_stack *st, struct app_ep *ep)
{
    if (!ep->hashed)
        return;
    struct ep_slot *sl = ep_table_find(&st->eps, ep->key, key_hash(ep->key));
    if (sl->ep)
        ep_table_remove(&st->eps, sl);
    ep->hashed = false;
}

static struct app_ep *ep_lookup(struct app_stack *st, uint8_t proto, be32 laddr, be16 lport,
                                be32 raddr, be16 rport)
{
    uint64_t k[2];
    ep_key(proto, laddr, lport, raddr, rport, k);
    return ep_table_find(&st->eps, k, key_hash(k))->ep;
}

static struct port_map *port_map(const struct app_stack *st, uint8_t proto, be32 laddr, bool create)
{
    gint64 key = (gint64)proto << 32 | laddr;
    struct port_map *m = g_hash_table_lookup(st->ports, &key);
    if (!m && create) {
        m = g_new0(struct port_map, 1);
        m->key = key;
        g_hash_table_insert(st->ports, &m->key, m);
    }
    return m;
}

be16 app_port_alloc(struct app_stack *st, uint8_t proto, be32 laddr, struct rng *r)
{
    struct port_map *m = port_map(st, proto, laddr, true);
    uint32_t start = (uint32_t)rng_below(r, NPORTS);
    if (m->used == NPORTS)
        return 0;
    for (uint32_t k = 0; k < NPORTS; k++) {
        uint32_t i = (start + k) % NPORTS;
        if (!(m->bits[i / 64] >> (i % 64) & 1)) {
            m->bits[i / 64] |= 1ull << (i % 64);
            m->used++;
            return htons((uint16_t)(EPHEMERAL_PORT_LOW + i));
        }
    }
    return 0;
}

void app_port_release(struct app_stack *st, uint8_t proto, be32 laddr, be16 port)
{
    struct port_map *m = port_map(st, proto, laddr, false);
    uint32_t p = ntohs(port);
    if (!m || p < EPHEMERAL_PORT_LOW || p > EPHEMERAL_PORT_HIGH)
        return;
    uint32_t i = p - EPHEMERAL_PORT_LOW;
    if (m->bits[i / 64] >> (i % 64) & 1) {
        m->bits[i / 64] &= ~(1ull << (i % 64));
        m->used--;
    }
}

bool app_port_in_use(const struct app_stack *st, uint8_t proto, be32 laddr, be16 port)
{
    struct port_map *m = port_map(st, proto, laddr, false);
    uint32_t p = ntohs(port);
    if (!m || p < EPHEMERAL_PORT_LOW || p > EPHEMERAL_PORT_HIGH)
        return false;
    uint32_t i = p - EPHEMERAL_PORT_LOW;
    return m->bits[i / 64] >> (i % 64) & 1;
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

bool tcp_listen(struct app_stack *st, struct tcp_listener *l)
{
    for (guint i = 0; i < st->tcp_listeners->len; i++)
        if (((struct tcp_listener *)g_ptr_array_index(st->tcp_listeners, i))->port == l->port)
            return false;
    if (!l->backlog)
        l->backlog = TCP_LISTEN_BACKLOG;
    l->cookie_secret = rng_u64(&l->isn);
    g_ptr_array_add(st->tcp_listeners, l);
    return true;
}

void tcp_unlisten(struct app_stack *st, struct tcp_listener *l)
{
    g_ptr_array_remove(st->tcp_listeners, l);
}

int app_udp_send(struct net *net, be32 saddr, be16 sport, be32 daddr, be16 dport,
                 uint32_t payload, uint64_t flow)
{
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

/* ---- sending TCP segments -------------------------------------------------------------- */

/* A segment from laddr:lport to raddr:rport (no connection needed: SYN cookies). */
static bool tcp_xmit_raw(struct app_stack *st, be32 laddr, be16 lport, be32 raddr, be16 rport,
                         uint32_t seq, uint32_t ack, uint8_t flags, uint16_t mss, uint32_t len,
                         uint64_t flow)
{
    struct net *net = st->net;
    struct rtable *rt = ip_route_output(net, raddr);
    if (!rt) {
        net->mib.out_no_routes++;
        return false;
    }
    struct ip4_spec ip = { .saddr = laddr, .daddr = raddr, .ttl = (uint8_t)net->ipv4.default_ttl,
                           .id = htons(net->ip_id++), .df = true };
    struct tcp_spec t = { .sport = lport, .dport = rport, .seq = seq, .ack = ack, .flags = flags,
                          .window = TCP_RCV_WND, .mss = mss };
    struct sk_buff *skb = skb_alloc(net_pool(net), net_now(net));
    if (!skb)
        return false;
    if (!pkt_build_tcp(skb, &ip, &t, len)) {
        skb_free(net_pool(net), skb);
        return false;
    }
    skb->dst = rt;
    skb->flow = flow;
    ip_local_out(net, skb);
    return true;
}

static uint16_t route_mss(struct net *net, be32 raddr)
{
    struct rtable *rt = ip_route_output(net, raddr);
    uint32_t mtu = rt && rt->dev ? rt->dev->mtu : ETH_DATA_LEN;
    uint32_t mss = mtu > 40 ? mtu - 40 : TCP_DEFAULT_MSS;
    return (uint16_t)MIN(mss, 65495u);
}

static void xmit(struct tcp_conn *c, uint32_t seq, uint8_t flags, uint32_t len)
{
    uint16_t mss = (flags & TCPH_SYN) ? c->adv_mss : 0;
    uint32_t ack = (flags & TCPH_ACK) ? c->rcv_nxt : 0;
    if (c->st->hook)
        c->st->hook(c->st->hook_ctx, c, true, flags, seq, ack, len);
    c->segs_out++;
    if (flags & TCPH_ACK) {
        c->ack_now = false;
        c->ack_pending = false;
        c->full_segs_unacked = 0;
        if (c->delack_timer) {
            sim_cancel(host_sim(c->st->net->host), c->delack_timer);
            c->delack_timer = 0;
        }
    }
    tcp_xmit_raw(c->st, c->ep.laddr, c->ep.lport, c->ep.raddr, c->ep.rport, seq, ack, flags, mss,
                 len, c->flow);
}

static void send_ack(struct tcp_conn *c)
{
    xmit(c, c->snd_nxt, TCPH_ACK, 0);
}

/* ---- timers ------------------------------------------------------------------------------ */

static void rtx_timer_fn(struct sim *sim, void *obj, uint64_t arg);
static void delack_timer_fn(struct sim *sim, void *obj, uint64_t arg);

static void timer_stop(struct tcp_conn *c, sim_event_id *id)
{
    if (*id)
        sim_cancel(host_sim(c->st->net->host), *id);
    *id = 0;
}

static void rtx_arm(struct tcp_conn *c, sim_time_t delay)
{
    struct host *h = c->st->net->host;
    timer_stop(c, &c->rtx_timer);
    c->rtx_timer = host_timer(h, host_now(h) + delay, rtx_timer_fn, c, c->gen);
}

static void conn_cancel_timers(struct tcp_conn *c)
{
    timer_stop(c, &c->rtx_timer);
    timer_stop(c, &c->delack_timer);
}

static void rto_from_rtt(struct tcp_conn *c)
{
    if (!c->have_rtt) {
        c->rto = c->syn_retrans ? TCP_TIMEOUT_FALLBACK : TCP_TIMEOUT_INIT;
        return;
    }
    sim_time_t var4 = 4 * c->rttvar;
    c->rto = c->srtt + (var4 > TCP_RTO_MIN ? var4 : TCP_RTO_MIN);
    if (c->rto > TCP_RTO_MAX)
        c->rto = TCP_RTO_MAX;
}

static void rtt_sample(struct tcp_conn *c, sim_time_t r)
{
    if (r < 0)
        return;
    if (!c->have_rtt) {
        c->srtt = r;
        c->rttvar = r / 2;
        c->have_rtt = true;
    } else {
        sim_time_t err = c->srtt > r ? c->srtt - r : r - c->srtt;
        c->rttvar = (3 * c->rttvar + err) / 4;
        c->srtt = (7 * c->srtt + r) / 8;
    }
    rto_from_rtt(c);
}

/* ---- connection objects ------------------------------------------------------------------ */

static void conn_rcv(struct app_ep *ep, struct sk_buff *skb);
static void conn_err(struct app_ep *ep, uint8_t type, uint8_t code);

static struct tcp_conn *conn_alloc(struct app_stack *st)
{
    struct tcp_conn *c = st->free;
    uint32_t gen = 1;
    if (c) {
        st->free = c->next;
        gen = c->gen + 1;
    } else {
        c = g_new(struct tcp_conn, 1);
    }
    memset(c, 0, sizeof *c);
    c->gen = gen;
    c->st = st;
    c->ep.proto = IPPROTO_TCP;
    c->ep.rcv = conn_rcv;
    c->ep.err = conn_err;
    c->rto = TCP_TIMEOUT_INIT;
    c->mss = TCP_DEFAULT_MSS;
    c->snd_wnd = TCP_RCV_WND;
    /* live list, at the tail */
    c->prev = st->live_tail;
    if (st->live_tail)
        st->live_tail->next = c;
    else
        st->live = c;
    st->live_tail = c;
    st->stats.tcp_conns++;
    if (st->stats.tcp_conns > st->stats.tcp_conns_max)
        st->stats.tcp_conns_max = st->stats.tcp_conns;
    return c;
}

static void conn_release(struct tcp_conn *c)
{
    struct app_stack *st = c->st;
    if (c->prev)
        c->prev->next = c->next;
    else
        st->live = c->next;
    if (c->next)
        c->next->prev = c->prev;
    else
        st->live_tail = c->prev;
    st->stats.tcp_conns--;
    c->prev = NULL;
    c->next = st->free;
    st->free = c;
}

static void leave_synq(struct tcp_conn *c)
{
    if (c->in_synq) {
        c->in_synq = false;
        c->listener->qlen--;
    }
}

/* The connection is gone: no more packets reach it, no timer runs. The object is
 * recycled once no handler is running on it. */
static void conn_kill(struct tcp_conn *c)
{
    if (c->dead)
        return;
    c->dead = true;
    c->ops = NULL;
    leave_synq(c);
    c->state = TCPS_CLOSED;
    conn_cancel_timers(c);
    app_ep_del(c->st, &c->ep);
    if (c->own_port)
        app_port_release(c->st, IPPROTO_TCP, c->ep.laddr, c->ep.lport);
    if (!c->busy)
        conn_release(c);
}

static void conn_unbusy(struct tcp_conn *c)
{
    if (--c->busy == 0 && c->dead)
        conn_release(c);
}

/* Tell the owner (once) and forget the connection. */
static void conn_finish(struct tcp_conn *c, enum tcp_done why)
{
    const struct tcp_conn_ops *ops = c->ops;
    c->ops = NULL;
    c->busy++;
    if (ops && ops->done)
        ops->done(c, why);
    conn_kill(c);
    conn_unbusy(c);
}


/* TIME_WAIT: the owner hears OK now; the 4-tuple stays taken for 60 s. */
static void enter_time_wait(struct tcp_conn *c)
{
    c->state = TCPS_TIME_WAIT;
    timer_stop(c, &c->delack_timer);
    rtx_arm(c, TCP_TIMEWAIT_LEN);
    const struct tcp_conn_ops *ops = c->ops;
    c->ops = NULL;
    if (ops && ops->done)
        ops->done(c, TCP_DONE_OK);
}

/* ---- output ----------------------------------------------------------------------------- */

static bool can_send_data(const struct tcp_conn *c)
{
    switch (c->state) {
    case TCPS_ESTABLISHED:
    case TCPS_CLOSE_WAIT:
    case TCPS_FIN_WAIT1:
    case TCPS_LAST_ACK:
    case TCPS_CLOSING:
        return true;
    default:
        return false;
    }
}

static void tcp_output(struct tcp_conn *c)
{
    if (!can_send_data(c) || c->dead)
        return;
    for (;;) {
        if (c->in_recovery && c->snd_nxt != c->snd_una)
            break;
        uint32_t avail = after(c->snd_nxt, c->snd_end) ? 0 : c->snd_end - c->snd_nxt;
        uint32_t inflight = c->snd_nxt - c->snd_una;
        uint32_t wnd_left = c->snd_wnd > inflight ? c->snd_wnd - inflight : 0;
        uint32_t len, fin = 0;
        if (avail > 0) {
            len = MIN((uint32_t)c->mss, avail);
            if (len > wnd_left)
                break;              /* window full; no silly small segments */
            fin = c->fin_queued && c->snd_nxt + len == c->snd_end;
        } else if (c->fin_queued && c->snd_nxt == c->snd_end) {
            len = 0;
            fin = 1;
        } else {
            break;
        }
        uint8_t flags = TCPH_ACK;
        if (len && c->snd_nxt + len == c->snd_end)
            flags |= TCPH_PSH;
        if (fin)
            flags |= TCPH_FIN;
        bool retrans = before(c->snd_nxt, c->snd_max);
        if (retrans)
            c->retrans_segs++;
        else if (!c->rtt_timing && len) {
            c->rtt_timing = true;
            c->rtt_seq = c->snd_nxt;
            c->rtt_sent = net_now(c->st->net);
        }
        xmit(c, c->snd_nxt, flags, len);
        c->snd_nxt += len + fin;
        if (after(c->snd_nxt, c->snd_max))
            c->snd_max = c->snd_nxt;
        if (!c->rtx_timer)
            rtx_arm(c, c->rto);
    }
}

/* ---- receiving ------------------------------------------------------------------------- */

struct seg {
    uint32_t seq, ack, len;
    uint8_t flags;
    uint16_t win;
    uint16_t mss;                   /* MSS option, 0 if none */
};

static void parse_seg(const struct sk_buff *skb, struct seg *s)
{
    const struct iphdr *iph = ip_hdr(skb);
    const struct tcphdr *th = (const struct tcphdr *)skb->data;
    unsigned hl = tcp_hdrlen(th);
    s->seq = ntohl(th->seq);
    s->ack = ntohl(th->ack_seq);
    s->flags = th->flags;
    s->win = ntohs(th->window);
    uint32_t l4 = ntohs(iph->tot_len) - ip_hdrlen(iph);
    s->len = l4 > hl ? l4 - hl : 0;
    s->mss = 0;
    /* Options: in the real bytes. */
    const uint8_t *o = skb->data + sizeof *th, *end = skb->data + MIN(hl, skb->len);
    while (o < end) {
        if (*o == 0)
            break;
        if (*o == 1) {
            o++;
            continue;
        }
        if (o + 1 >= end || o[1] < 2 || o + o[1] > end)
            break;
        if (o[0] == TCPOPT_MSS && o[1] == 4)
            s->mss = (uint16_t)(o[2] << 8 | o[3]);
        o += o[1];
    }
}

static void set_peer_mss(struct tcp_conn *c, uint16_t peer)
{
    uint16_t p = peer ? peer : TCP_DEFAULT_MSS;
    c->mss = MIN(c->adv_mss, p);
}

static void rcv_syn_sent(struct tcp_conn *c, const struct seg *s)
{
    if (s->flags & TCPH_ACK) {
        if (s->ack != c->iss + 1) {
            if (!(s->flags & TCPH_RST))
                tcp_xmit_raw(c->st, c->ep.laddr, c->ep.lport, c->ep.raddr, c->ep.rport, s->ack, 0,
                             TCPH_RST, 0, 0, c->flow);
            return;
        }
        if (s->flags & TCPH_RST) {
            conn_finish(c, TCP_DONE_REFUSED);
            return;
        }
    } else if (s->flags & TCPH_RST) {
        return;                     /* a RST in SYN_SENT must acknowledge our SYN */
    }
    if (!(s->flags & TCPH_SYN) || !(s->flags & TCPH_ACK))
        return;                     /* simultaneous open: not modelled */
    c->irs = s->seq;
    c->rcv_nxt = s->seq + 1;
    c->snd_una = s->ack;
    c->snd_wnd = s->win;
    set_peer_mss(c, s->mss);
    timer_stop(c, &c->rtx_timer);
    if (c->syn_retrans == 0)
        rtt_sample(c, net_now(c->st->net) - c->rtt_sent);
    else
        c->rto = TCP_TIMEOUT_FALLBACK;  /* RFC 6298 5.7: no sample after a lost SYN */
    c->retries = 0;
    c->state = TCPS_ESTABLISHED;
    send_ack(c);
    if (c->ops && c->ops->established)
        c->ops->established(c);
}

static bool seq_in_window(const struct tcp_conn *c, uint32_t seq)
{
    return !before(seq, c->rcv_nxt) && before(seq, c->rcv_nxt + TCP_RCV_WND);
}

static void rcv_time_wait(struct tcp_conn *c, const struct seg *s)
{
    if (s->flags & TCPH_RST) {
        conn_kill(c);               /* tcp_rfc1337 = 0: a RST ends TIME_WAIT */
        return;
    }
    if (s->flags & TCPH_FIN) {
        send_ack(c);                /* the peer missed our last ACK */
        rtx_arm(c, TCP_TIMEWAIT_LEN);
    }
}

/* Send the segment at snd_una again (fast retransmit, NewReno's partial ACK). */
static void retransmit_head(struct tcp_conn *c)
{
    uint32_t avail = after(c->snd_end, c->snd_una) ? c->snd_end - c->snd_una : 0;
    uint32_t len = MIN((uint32_t)c->mss, avail);
    bool fin = c->fin_queued && c->snd_una + len == c->snd_end;
    if (!len && !fin)
        return;
    uint8_t flags = TCPH_ACK;
    if (len && c->snd_una + len == c->snd_end)
        flags |= TCPH_PSH;
    if (fin)
        flags |= TCPH_FIN;
    c->retrans_segs++;
    c->rtt_timing = false;          /* Karn */
    xmit(c, c->snd_una, flags, len);
    rtx_arm(c, c->rto);
}

/* The ACK part of a segment in a synchronized state. */
static void rcv_ack(struct tcp_conn *c, const struct seg *s)
{
    sim_time_t now = net_now(c->st->net);
    if (after(s->ack, c->snd_una)) {
        if (c->rtt_timing && after(s->ack, c->rtt_seq)) {
            c->rtt_timing = false;
            rtt_sample(c, now - c->rtt_sent);
        } else {
            rto_from_rtt(c);        /* new data acknowledged: the backoff ends */
        }
        c->bytes_acked += s->ack - c->snd_una;
        c->snd_una = s->ack;
        if (before(c->snd_nxt, c->snd_una))
            c->snd_nxt = c->snd_una;
        c->retries = 0;
        c->dupacks = 0;
        c->in_recovery = false;
        c->snd_wnd = s->win;
        if (c->snd_una == c->snd_max)
            timer_stop(c, &c->rtx_timer);
        else
            rtx_arm(c, c->rto);
        if (c->fast_recovery) {
            if (!before(c->snd_una, c->recover))
                c->fast_recovery = false;
            else
                retransmit_head(c);         /* a partial ACK: the next hole */
        }
        return;
    }
    if (s->ack == c->snd_una && s->len == 0 && !(s->flags & TCPH_FIN) &&
        c->snd_una != c->snd_max && s->win == c->snd_wnd) {
        if (++c->dupacks == TCP_DUPACK_THRESH && !c->fast_recovery && !c->in_recovery) {
            c->fast_recovery = true;
            c->recover = c->snd_max;
            retransmit_head(c);
        }
        return;
    }
    if (s->ack == c->snd_una)
        c->snd_wnd = s->win;
}

/* Keep [seq, end) beyond rcv_nxt for later; false when there is no room. */
static bool ooo_insert(struct tcp_conn *c, uint32_t seq, uint32_t end)
{
    uint32_t ns[TCP_OOO_MAX + 1], ne[TCP_OOO_MAX + 1];
    unsigned n = 0;
    bool placed = false;
    for (unsigned i = 0; i < c->n_ooo; i++) {
        uint32_t a = c->ooo_start[i], b = c->ooo_end[i];
        if (before(b, seq)) {                       /* entirely before */
            ns[n] = a, ne[n++] = b;
        } else if (before(end, a)) {                /* entirely after */
            if (!placed)
                ns[n] = seq, ne[n++] = end, placed = true;
            ns[n] = a, ne[n++] = b;
        } else {                                    /* overlaps or touches: merge */
            seq = before(a, seq) ? a : seq;
            end = after(b, end) ? b : end;
        }
    }
    if (!placed)
        ns[n] = seq, ne[n++] = end;
    if (n > TCP_OOO_MAX)
        return false;
    memcpy(c->ooo_start, ns, n * sizeof ns[0]);
    memcpy(c->ooo_end, ne, n * sizeof ne[0]);
    c->n_ooo = (uint8_t)n;
    return true;
}

/* Ranges that rcv_nxt has reached: move it past them; returns the bytes gained. */
static uint32_t ooo_drain(struct tcp_conn *c)
{
    uint32_t gained = 0;
    unsigned k = 0;
    while (k < c->n_ooo && !after(c->ooo_start[k], c->rcv_nxt)) {
        if (after(c->ooo_end[k], c->rcv_nxt)) {
            gained += c->ooo_end[k] - c->rcv_nxt;
            c->rcv_nxt = c->ooo_end[k];
        }
        k++;
    }
    if (k) {
        memmove(c->ooo_start, c->ooo_start + k, (c->n_ooo - k) * sizeof c->ooo_start[0]);
        memmove(c->ooo_end, c->ooo_end + k, (c->n_ooo - k) * sizeof c->ooo_end[0]);
        c->n_ooo = (uint8_t)(c->n_ooo - k);
    }
    return gained;
}

/* The peer's FIN is now in order. Returns false when c is gone or done with. */
static bool rcv_fin(struct tcp_conn *c)
{
    c->rcv_nxt++;
    c->ack_now = true;
    c->ooo_fin = false;
    switch (c->state) {
    case TCPS_ESTABLISHED:
        c->state = TCPS_CLOSE_WAIT;
        if (c->ops && c->ops->peer_fin)
            c->ops->peer_fin(c);
        return !c->dead;
    case TCPS_FIN_WAIT1:
        if (c->snd_una == c->snd_end + 1) {
            send_ack(c);
            enter_time_wait(c);
            return false;
        }
        c->state = TCPS_CLOSING;
        return true;
    case TCPS_FIN_WAIT2:
        send_ack(c);
        enter_time_wait(c);
        return false;
    default:
        return true;
    }
}

/* ESTABLISHED and the closing states (and SYN_RECV once its ACK is in). */
static void rcv_synchronized(struct tcp_conn *c, const struct seg *s)
{
    if (s->flags & TCPH_RST) {
        if (seq_in_window(c, s->seq))
            conn_finish(c, TCP_DONE_RESET);
        return;
    }
    if (s->flags & TCPH_SYN) {
        send_ack(c);                /* challenge ACK (RFC 5961) */
        return;
    }
    if (!(s->flags & TCPH_ACK))
        return;
    if (after(s->ack, c->snd_max)) {
        send_ack(c);                /* acknowledges what we never sent */
        return;
    }
    rcv_ack(c, s);
    if (c->dead)
        return;
    bool fin_acked = c->fin_queued && c->snd_una == c->snd_end + 1;
    if (fin_acked) {
        switch (c->state) {
        case TCPS_FIN_WAIT1:
            c->state = TCPS_FIN_WAIT2;
            rtx_arm(c, TCP_FIN_TIMEOUT);   /* orphaned: tcp_fin_timeout */
            break;
        case TCPS_CLOSING:
            enter_time_wait(c);
            return;
        case TCPS_LAST_ACK:
            conn_finish(c, TCP_DONE_OK);
            return;
        default:
            break;
        }
    }
    bool may_receive = c->state == TCPS_ESTABLISHED || c->state == TCPS_FIN_WAIT1 ||
                       c->state == TCPS_FIN_WAIT2;
    uint32_t end = s->seq + s->len;             /* the FIN, if any, sits at end */
    bool fin = (s->flags & TCPH_FIN) != 0;
    if (may_receive && (s->len > 0 || fin)) {
        uint32_t take = 0;
        if (after(s->seq, c->rcv_nxt)) {
            /* Out of order: keep it, answer with a duplicate ACK at once. */
            if (before(s->seq, c->rcv_nxt + TCP_RCV_WND)) {
                if (s->len)
                    ooo_insert(c, s->seq, end);
                if (fin) {
                    c->ooo_fin = true;
                    c->ooo_fin_seq = end;
                }
            }
            c->ack_now = true;
            fin = false;
        } else {
            if (after(end, c->rcv_nxt)) {
                take = end - c->rcv_nxt;
                c->rcv_nxt = end;
            } else if (s->len) {
                c->ack_now = true;  /* a duplicate */
            }
            if (c->n_ooo) {
                take += ooo_drain(c);
                c->ack_now = true;  /* a hole filled (or still open) */
            }
            if (fin && end != c->rcv_nxt)
                fin = false;        /* data beyond it was kept: the FIN is later */
            if (!fin && c->ooo_fin && c->ooo_fin_seq == c->rcv_nxt)
                fin = true;
        }
        if (take) {
            c->bytes_received += take;
            if (s->len >= c->mss)
                c->full_segs_unacked++;
            if (c->full_segs_unacked >= 2 || (s->flags & (TCPH_PSH | TCPH_FIN)))
                c->ack_now = true;
            else
                c->ack_pending = true;
            if (c->ops && c->ops->data)
                c->ops->data(c, take, (s->flags & TCPH_PSH) != 0);
            if (c->dead)
                return;
        }
        if (fin && !rcv_fin(c))
            return;
    } else if (fin && before(end, c->rcv_nxt)) {
        c->ack_now = true;          /* a retransmitted FIN */
    } else if (s->len > 0 && !after(end, c->rcv_nxt)) {
        c->ack_now = true;          /* old data again */
    }
    tcp_output(c);
    if (c->dead)
        return;
    if (c->ack_now) {
        send_ack(c);
    } else if (c->ack_pending && !c->delack_timer) {
        struct host *h = c->st->net->host;
        c->delack_timer = host_timer(h, host_now(h) + TCP_DELACK_MIN, delack_timer_fn, c, c->gen);
    }
}

static void rcv_syn_recv(struct tcp_conn *c, const struct seg *s)
{
    if (s->flags & TCPH_RST) {
        if (seq_in_window(c, s->seq))
            conn_kill(c);
        return;
    }
    if ((s->flags & TCPH_SYN) && !(s->flags & TCPH_ACK)) {
        if (s->seq == c->irs)
            xmit(c, c->iss, TCPH_SYN | TCPH_ACK, 0);   /* the SYN again: SYN-ACK again */
        return;
    }
    if (!(s->flags & TCPH_ACK))
        return;
    if (s->ack != c->iss + 1) {
        tcp_xmit_raw(c->st, c->ep.laddr, c->ep.lport, c->ep.raddr, c->ep.rport, s->ack, 0,
                     TCPH_RST, 0, 0, c->flow);
        return;
    }
    leave_synq(c);
    c->snd_una = s->ack;
    c->snd_wnd = s->win;
    timer_stop(c, &c->rtx_timer);
    if (c->syn_retrans == 0 && c->rtt_sent)
        rtt_sample(c, net_now(c->st->net) - c->rtt_sent);
    else if (c->syn_retrans)
        c->rto = TCP_TIMEOUT_FALLBACK;
    else
        rto_from_rtt(c);
    c->retries = 0;
    c->state = TCPS_ESTABLISHED;
    struct tcp_listener *l = c->listener;
    if (l && l->ops && l->ops->accept)
        l->ops->accept(l, c);
    if (c->dead)
        return;
    rcv_synchronized(c, s);
}

static void conn_rcv(struct app_ep *ep, struct sk_buff *skb)
{
    struct tcp_conn *c = (struct tcp_conn *)ep;
    struct net *net = c->st->net;
    struct seg s;
    parse_seg(skb, &s);
    consume_skb(net, skb);
    if (c->st->hook)
        c->st->hook(c->st->hook_ctx, c, false, s.flags, s.seq, s.ack, s.len);
    c->segs_in++;
    c->busy++;
    switch (c->state) {
    case TCPS_SYN_SENT:
        rcv_syn_sent(c, &s);
        break;
    case TCPS_SYN_RECV:
        rcv_syn_recv(c, &s);
        break;
    case TCPS_TIME_WAIT:
        rcv_time_wait(c, &s);
        break;
    case TCPS_CLOSED:
    case TCPS_LISTEN:
        break;
    default:
        rcv_synchronized(c, &s);
        break;
    }
    conn_unbusy(c);
}

static void conn_err(struct app_ep *ep, uint8_t type, uint8_t code)
{
    struct tcp_conn *c = (struct tcp_conn *)ep;
    if (type == ICMP_DEST_UNREACH && code == ICMP_FRAG_NEEDED)
        return;
    if (type == ICMP_DEST_UNREACH && c->state == TCPS_SYN_SENT) {
        /* tcp_v4_err: a hard error aborts a connect in progress. */
        conn_finish(c, code == ICMP_PORT_UNREACH ? TCP_DONE_REFUSED : TCP_DONE_UNREACH);
        return;
    }
    if (type == ICMP_DEST_UNREACH || type == ICMP_TIME_EXCEEDED) {
        c->soft_err = true;
        c->soft_code = code;
    }
}

/* ---- timers' handlers ------------------------------------------------------------------ */

static enum tcp_done timeout_reason(const struct tcp_conn *c)
{
    if (!c->soft_err)
        return TCP_DONE_TIMEOUT;
    return c->soft_code == ICMP_PORT_UNREACH ? TCP_DONE_REFUSED : TCP_DONE_UNREACH;
}

static sim_time_t backoff(sim_time_t rto)
{
    return rto * 2 > TCP_RTO_MAX ? TCP_RTO_MAX : rto * 2;
}

static void rtx_timer_fn(struct sim *sim, void *obj, uint64_t arg)
{
    struct tcp_conn *c = obj;
    if (c->gen != (uint32_t)arg || c->dead)
        return;
    c->rtx_timer = 0;
    c->busy++;
    switch (c->state) {
    case TCPS_SYN_SENT:
        if (c->syn_retrans >= TCP_SYN_RETRIES) {
            conn_finish(c, timeout_reason(c));
            break;
        }
        c->syn_retrans++;
        c->retrans_segs++;
        c->rto = backoff(c->rto);
        xmit(c, c->iss, TCPH_SYN, 0);
        rtx_arm(c, c->rto);
        break;
    case TCPS_SYN_RECV:
        if (c->syn_retrans >= TCP_SYNACK_RETRIES) {
            conn_kill(c);
            break;
        }
        c->syn_retrans++;
        c->retrans_segs++;
        c->rto = backoff(c->rto);
        xmit(c, c->iss, TCPH_SYN | TCPH_ACK, 0);
        rtx_arm(c, c->rto);
        break;
    case TCPS_TIME_WAIT:
        conn_kill(c);
        break;
    case TCPS_FIN_WAIT2:
        conn_finish(c, TCP_DONE_OK);       /* orphaned FIN_WAIT2 expired */
        break;
    default:
        if (c->snd_una == c->snd_max)
            break;
        if (c->retries >= TCP_RETRIES2) {
            conn_finish(c, timeout_reason(c));
            break;
        }
        c->retries++;
        c->rto = backoff(c->rto);
        c->rtt_timing = false;             /* Karn: never time a retransmission */
        c->snd_nxt = c->snd_una;           /* go back to the first unacknowledged byte */
        c->in_recovery = true;
        c->fast_recovery = false;
        c->dupacks = 0;
        tcp_output(c);
        if (!c->dead && !c->rtx_timer)
            rtx_arm(c, c->rto);
        break;
    }
    conn_unbusy(c);
}

static void delack_timer_fn(struct sim *sim, void *obj, uint64_t arg)
{
    struct tcp_conn *c = obj;
    if (c->gen != (uint32_t)arg || c->dead)
        return;
    c->delack_timer = 0;
    if (c->ack_pending)
        send_ack(c);
}

/* ---- the owner's calls ------------------------------------------------------------------ */

struct tcp_conn *tcp_connect(struct app_stack *st, be32 laddr, be16 lport, be32 raddr,
                             be16 rport, uint32_t isn, uint64_t flow,
                             const struct tcp_conn_ops *ops, void *ctx)
{
    if (!ip_route_output(st->net, raddr)) {
        st->net->mib.out_no_routes++;
        app_port_release(st, IPPROTO_TCP, laddr, lport);
        return NULL;
    }
    struct tcp_conn *c = conn_alloc(st);
    c->ep.laddr = laddr;
    c->ep.lport = lport;
    c->ep.raddr = raddr;
    c->ep.rport = rport;
    if (!app_ep_add(st, &c->ep)) {
        app_port_release(st, IPPROTO_TCP, laddr, lport);
        c->dead = true;
        conn_release(c);
        return NULL;
    }
    c->own_port = true;
    c->ops = ops;
    c->ctx = ctx;
    c->flow = flow;
    c->adv_mss = route_mss(st->net, raddr);
    c->iss = isn;
    c->snd_una = isn;
    c->snd_nxt = c->snd_max = c->snd_end = isn + 1;
    c->state = TCPS_SYN_SENT;
    c->rtt_sent = net_now(st->net);
    xmit(c, c->iss, TCPH_SYN, 0);
    rtx_arm(c, c->rto);
    return c;
}

void tcp_conn_send(struct tcp_conn *c, uint64_t bytes)
{
    if (c->dead || c->fin_queued || bytes == 0)
        return;
    c->snd_end += (uint32_t)bytes;
    tcp_output(c);                  /* from a receive callback: the ACK rides along */
}

void tcp_conn_close(struct tcp_conn *c)
{
    if (c->dead || c->app_closed)
        return;
    c->app_closed = true;
    switch (c->state) {
    case TCPS_SYN_SENT:
    case TCPS_SYN_RECV:
        conn_kill(c);
        return;
    case TCPS_ESTABLISHED:
        c->state = TCPS_FIN_WAIT1;
        break;
    case TCPS_CLOSE_WAIT:
        c->state = TCPS_LAST_ACK;
        break;
    default:
        return;
    }
    c->fin_queued = true;
    tcp_output(c);
}

void tcp_conn_abort(struct tcp_conn *c, bool send_rst)
{
    if (c->dead)
        return;
    if (send_rst && c->state != TCPS_SYN_SENT && c->state != TCPS_TIME_WAIT)
        xmit(c, c->snd_nxt, TCPH_RST | TCPH_ACK, 0);
    conn_kill(c);
}

uint64_t tcp_conn_unacked(const struct tcp_conn *c)
{
    uint32_t end = c->snd_end;
    return after(end, c->snd_una) ? end - c->snd_una : 0;
}

const char *tcp_state_name(enum tcp_state s)
{
    static const char *const names[] = {
        "CLOSED", "LISTEN", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT1",
        "FIN_WAIT2", "CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSING",
    };
    return (unsigned)s < G_N_ELEMENTS(names) ? names[s] : "?";
}

/* ---- listeners ------------------------------------------------------------------------- */

static const uint16_t cookie_mss[] = { 536, 1300, 1440, 1460 };

/* A SYN cookie: a keyed hash of the 4-tuple and the client's ISN, the MSS index in
 * its low two bits (the time counter of Linux's cookies is left out). */
static uint32_t cookie_hash(const struct tcp_listener *l, be32 laddr, be16 lport, be32 raddr,
                            be16 rport, uint32_t irs)
{
    uint64_t x = l->cookie_secret ^ ((uint64_t)laddr << 32 | raddr);
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x ^= (uint64_t)lport << 48 | (uint64_t)rport << 32 | irs;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    x ^= x >> 31;
    return (uint32_t)x & ~3u;
}

static struct tcp_listener *listener_for(struct app_stack *st, be16 port)
{
    for (guint i = 0; i < st->tcp_listeners->len; i++) {
        struct tcp_listener *l = g_ptr_array_index(st->tcp_listeners, i);
        if (l->port == port)
            return l;
    }
    return NULL;
}

static struct tcp_conn *passive_conn(struct app_stack *st, struct tcp_listener *l,
                                     const struct sk_buff *skb, const struct seg *s, uint32_t iss)
{
    const struct iphdr *iph = ip_hdr(skb);
    const struct tcphdr *th = (const struct tcphdr *)skb->data;
    struct tcp_conn *c = conn_alloc(st);
    c->ep.laddr = iph->daddr;
    c->ep.lport = th->dest;
    c->ep.raddr = iph->saddr;
    c->ep.rport = th->source;
    if (!app_ep_add(st, &c->ep)) {
        c->dead = true;
        conn_release(c);
        return NULL;
    }
    c->listener = l;
    c->flow = skb->flow;
    c->adv_mss = route_mss(st->net, iph->saddr);
    c->iss = iss;
    c->snd_una = iss;
    c->snd_nxt = c->snd_max = c->snd_end = iss + 1;
    c->irs = s->seq;
    c->rcv_nxt = s->seq + 1;
    c->snd_wnd = s->win;
    set_peer_mss(c, s->mss);
    c->state = TCPS_SYN_RECV;
    return c;
}

static void send_reset(struct app_stack *st, struct sk_buff *skb)
{
    st->stats.tcp_rst_sent++;
    tcp_v4_send_reset(st->net, skb);
}

static void listener_rcv(struct app_stack *st, struct tcp_listener *l, struct sk_buff *skb)
{
    struct net *net = st->net;
    const struct iphdr *iph = ip_hdr(skb);
    const struct tcphdr *th = (const struct tcphdr *)skb->data;
    struct seg s;
    parse_seg(skb, &s);
    uint8_t f = s.flags;
    if (f & TCPH_RST) {
        consume_skb(net, skb);
        return;
    }
    if ((f & TCPH_ACK) && !(f & TCPH_SYN)) {
        /* The third ACK of a handshake we answered with a cookie? */
        uint32_t iss = s.ack - 1, irs = s.seq - 1;
        if (l->syncookies &&
            (iss & ~3u) == cookie_hash(l, iph->daddr, th->dest, iph->saddr, th->source, irs)) {
            struct seg syn = { .seq = irs, .win = s.win, .mss = cookie_mss[iss & 3] };
            struct tcp_conn *c = passive_conn(st, l, skb, &syn, iss);
            if (c) {
                l->cookies_ok++;
                c->rtt_sent = 0;
                conn_rcv(&c->ep, skb);      /* completes the handshake, takes the data */
                return;
            }
        }
        send_reset(st, skb);
        consume_skb(net, skb);
        return;
    }
    if (!(f & TCPH_SYN) || (f & TCPH_ACK)) {
        send_reset(st, skb);
        consume_skb(net, skb);
        return;
    }
    l->syns++;
    if (l->ops && l->ops->syn && !l->ops->syn(l, skb)) {
        send_reset(st, skb);
        consume_skb(net, skb);
        return;
    }
    if (l->qlen >= l->backlog) {
        if (l->syncookies) {
            uint16_t peer = s.mss ? s.mss : TCP_DEFAULT_MSS;
            unsigned idx = 0;
            for (unsigned i = 0; i < G_N_ELEMENTS(cookie_mss); i++)
                if (cookie_mss[i] <= peer)
                    idx = i;
            uint32_t cookie = cookie_hash(l, iph->daddr, th->dest, iph->saddr, th->source, s.seq) | idx;
            l->cookies_sent++;
            tcp_xmit_raw(st, iph->daddr, th->dest, iph->saddr, th->source, cookie, s.seq + 1,
                         TCPH_SYN | TCPH_ACK, route_mss(net, iph->saddr), 0, skb->flow);
        } else {
            l->syn_drops++;
        }
        consume_skb(net, skb);
        return;
    }
    struct tcp_conn *c = passive_conn(st, l, skb, &s, (uint32_t)rng_u64(&l->isn));
    consume_skb(net, skb);
    if (!c)
        return;
    l->qlen++;
    c->in_synq = true;
    c->rtt_sent = net_now(net);
    xmit(c, c->iss, TCPH_SYN | TCPH_ACK, 0);
    rtx_arm(c, c->rto);
}

void tcp_listener_purge(struct app_stack *st, struct tcp_listener *l)
{
    for (struct tcp_conn *c = st->live, *n; c; c = n) {
        n = c->next;
        if (c->listener == l && !c->dead)
            conn_kill(c);
    }
}

/* ---- the wildcard sockets ---------------------------------------------------------------- */

static void stack_tcp_rcv(struct net *net, struct sk_buff *skb, void *ctx)
{
    struct app_stack *st = ctx;
    const struct iphdr *iph = ip_hdr(skb);
    const struct tcphdr *th = (const struct tcphdr *)skb->data;
    struct app_ep *ep = ep_lookup(st, IPPROTO_TCP, iph->daddr, th->dest, iph->saddr, th->source);
    if (ep) {
        ep->rcv(ep, skb);
        return;
    }
    if (dropped_net(st, iph->daddr)) {
        consume_skb(net, skb);
        return;
    }
    struct tcp_listener *l = listener_for(st, th->dest);
    if (l) {
        listener_rcv(st, l, skb);
        return;
    }
    /* No socket: tcp_v4_rcv's no_tcp_socket answers with a reset. */
    net->socks->stats.no_socket++;
    if (!(th->flags & TCPH_RST))
        send_reset(st, skb);
    kfree_skb_reason(net, skb, "tcp_v4_rcv", "no socket");
}

static void stack_udp_rcv(struct net *net, struct sk_buff *skb, void *ctx)
{
    struct app_stack *st = ctx;
    const struct iphdr *iph = ip_hdr(skb);
    const struct udphdr *uh = (const struct udphdr *)skb->data;
    struct app_ep *ep = ep_lookup(st, IPPROTO_UDP, iph->daddr, uh->dest, iph->saddr, uh->source);
    if (ep) {
        ep->rcv(ep, skb);
        return;
    }
    if (dropped_net(st, iph->daddr)) {
        consume_skb(net, skb);
        return;
    }
    for (guint i = 0; i < st->udp_listeners->len; i++) {
        struct udp_listener *l = g_ptr_array_index(st->udp_listeners, i);
        if (l->port == uh->dest) {
            l->rcv(l, skb);
            return;
        }
    }
    net->socks->stats.no_socket++;
    st->stats.udp_unreach_sent++;
    icmp_send(net, skb, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0);
    kfree_skb_reason(net, skb, "udp_rcv", "no socket");
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
        if ((ic->type == ICMP_DEST_UNREACH || ic->type == ICMP_TIME_EXCEEDED) && ihl >= 20 &&
            avail >= sizeof *ic + ihl + 4 &&
            (in->protocol == IPPROTO_TCP || in->protocol == IPPROTO_UDP)) {
            const uint8_t *l4 = (const uint8_t *)in + ihl;
            be16 sport, dport;
            memcpy(&sport, l4, 2);
            memcpy(&dport, l4 + 2, 2);
            struct app_ep *ep = ep_lookup(st, in->protocol, in->saddr, sport, in->daddr, dport);
            uint8_t type = ic->type, code = ic->code;
            consume_skb(net, skb);
            if (ep && ep->err)
                ep->err(ep, type, code);
            return;
        }
    }
    consume_skb(net, skb);
}
