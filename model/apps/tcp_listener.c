/* Listening sockets: registration, the backlog of half-open (SYN_RECV) connections,
 * SYN cookies beyond it (tcp_syncookies = 1) or dropped SYNs when cookies are off, and
 * the RST for what a listener cannot take. A connection a listener creates is an
 * ordinary tcp_conn from then on. Kernel: net/ipv4/tcp_input.c (tcp_conn_request),
 * tcp_minisocks.c (tcp_check_req), syncookies.c, inet_connection_sock.c
 * (inet_csk_listen_start, the request queue). */
#include "model/apps/tcp_conn_internal.h"

#include <glib.h>
#include "model/ipv4/ip.h"
#include "model/net.h"
#include "model/ipv4/sock.h"
#include "model/ipv4/tcp_reset.h"
#include "model/ipv6/transp_v6.h"
#include "sim/in6_key.h"

/* ---- listeners ------------------------------------------------------------------------- */

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

static const uint16_t cookie_mss[] = { 536, 1300, 1440, 1460 };

/* The options a cookie carries in the low bits of its SYN-ACK's TSval
 * (cookie_init_timestamp, syncookies.c): the peer's window scale (0xf: none) and
 * SACK-permitted; without timestamps a cookie keeps neither. */
#define TSBITS              6
#define TS_OPT_WSCALE_MASK  0xfu
#define TS_OPT_SACK         0x10u

static uint32_t cookie_tsval(const struct net *net, const struct seg *s)
{
    uint32_t opt = s->wscale_ok && net->ipv4.tcp_window_scaling ? s->wscale : TS_OPT_WSCALE_MASK;
    if (s->sack_ok && net->ipv4.tcp_sack)
        opt |= TS_OPT_SACK;
    uint32_t now = (uint32_t)(net_now(net) / MSEC);
    uint32_t ts = (now >> TSBITS << TSBITS) | opt;
    return ts > now ? ts - (1u << TSBITS) : ts;
}

/* A SYN-ACK carrying a cookie (tcp_conn_request with want_cookie): the MSS, and the
 * other options only when the SYN had timestamps. */
static void send_cookie_synack(struct app_stack *st, const struct sk_buff *skb,
                               const struct seg *s, uint32_t cookie)
{
    struct net *net = st->net;
    be32 saddr, daddr;
    sock_skb_addrs(skb, &saddr, &daddr);
    const struct tcphdr *th = (const struct tcphdr *)skb->data;
    uint16_t mss = route_mss(net, saddr);
    uint8_t opts[16];
    unsigned olen = 0, seg = mss;
    if (s->saw_tstamp && net->ipv4.tcp_timestamps) {
        bool ws = s->wscale_ok && net->ipv4.tcp_window_scaling;
        olen = tcp_syn_options(true, s->sack_ok && net->ipv4.tcp_sack, ws,
                               ws ? TCP_RCV_WSCALE : 0, cookie_tsval(net, s), s->tsval, opts);
        seg -= TCPOLEN_TSTAMP_ALIGNED;
    }
    struct tcp_spec t = { .sport = th->dest, .dport = th->source, .seq = cookie, .ack = s->seq + 1,
                          .flags = TCPH_SYN | TCPH_ACK, .window = (uint16_t)(TCP_RCV_WND / seg * seg),
                          .mss = mss, .opts = opts, .opt_len = (uint8_t)olen };
    tcp_xmit_spec(st, daddr, saddr, &t, 0, skb->flow);
}

/* A SYN cookie: a keyed hash of the 4-tuple and the client's ISN, the MSS index in
 * its low two bits (the time counter of Linux's cookies is left out). Over IPv6 the
 * addresses' 16 bytes are hashed (cookie_v6_init_sequence), not their keys. */
static uint32_t cookie_hash(const struct tcp_listener *l, be32 laddr, be16 lport, be32 raddr,
                            be16 rport, uint32_t irs)
{
    uint64_t la = laddr, ra = raddr;
    if (in6_is_key(raddr)) {
        la = ipv6_addr_digest(in6_key_addr(laddr));
        ra = ipv6_addr_digest(in6_key_addr(raddr));
    }
    uint64_t x = l->cookie_secret ^ (la << 32 | ra);
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x ^= (uint64_t)lport << 48 | (uint64_t)rport << 32 | irs;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    x ^= x >> 31;
    return (uint32_t)x & ~3u;
}

struct tcp_listener *tcp_listener_for(struct app_stack *st, be16 port)
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
    be32 saddr, daddr;
    sock_skb_addrs(skb, &saddr, &daddr);
    const struct tcphdr *th = (const struct tcphdr *)skb->data;
    struct tcp_conn *c = tcp_conn_alloc(st);
    c->ep.laddr = daddr;
    c->ep.lport = th->dest;
    c->ep.raddr = saddr;
    c->ep.rport = th->source;
    if (!app_ep_add(st, &c->ep)) {
        c->dead = true;
        tcp_conn_release(c);
        return NULL;
    }
    c->listener = l;
    c->flow = skb->flow;
    c->adv_mss = route_mss(st->net, saddr);
    c->iss = iss;
    c->snd_una = iss;
    c->snd_nxt = c->snd_max = c->snd_end = iss + 1;
    c->irs = s->seq;
    c->rcv_nxt = c->rcv_wup = s->seq + 1;
    c->snd_wnd = s->win;
    c->state = TCPS_SYN_RECV;
    /* tcp_openreq_init: the options the SYN offered, then each under our sysctl */
    c->tstamp_ok = s->saw_tstamp;
    c->sack_ok = s->sack_ok;
    c->wscale_ok = s->wscale_ok;
    c->snd_wscale = s->wscale;
    c->ts_recent = s->tsval;
    tcp_init_options(c);
    if (!c->wscale_ok)
        c->snd_wscale = 0;
    tcp_set_peer_mss(c, s->mss);
    return c;
}

void tcp_send_reset(struct app_stack *st, struct sk_buff *skb)
{
    st->stats.tcp_rst_sent++;
    if (skb->protocol == ETH_P_IPV6)
        tcp_v6_send_reset(st->net, skb);
    else
        tcp_v4_send_reset(st->net, skb);
}

void tcp_listener_rcv(struct app_stack *st, struct tcp_listener *l, struct sk_buff *skb,
                      uint32_t tw_isn)
{
    struct net *net = st->net;
    be32 saddr, daddr;
    sock_skb_addrs(skb, &saddr, &daddr);
    const struct tcphdr *th = (const struct tcphdr *)skb->data;
    struct seg s;
    tcp_parse_seg(skb, &s);
    uint8_t f = s.flags;
    if (f & TCPH_RST) {
        consume_skb(net, skb);
        return;
    }
    if ((f & TCPH_ACK) && !(f & TCPH_SYN)) {
        /* The third ACK of a handshake we answered with a cookie? */
        uint32_t iss = s.ack - 1, irs = s.seq - 1;
        if (l->syncookies &&
            (iss & ~3u) == cookie_hash(l, daddr, th->dest, saddr, th->source, irs)) {
            struct seg syn = { .seq = irs, .win = s.win, .mss = cookie_mss[iss & 3] };
            if (s.saw_tstamp) {         /* cookie_timestamp_decode: the options back */
                syn.saw_tstamp = true;
                syn.tsval = s.tsval;
                syn.wscale_ok = (s.tsecr & TS_OPT_WSCALE_MASK) != TS_OPT_WSCALE_MASK;
                syn.wscale = syn.wscale_ok ? (uint8_t)(s.tsecr & TS_OPT_WSCALE_MASK) : 0;
                syn.sack_ok = (s.tsecr & TS_OPT_SACK) != 0;
            }
            struct tcp_conn *c = passive_conn(st, l, skb, &syn, iss);
            if (c) {
                c->ts_off = 0;          /* its SYN-ACK's TSval had none */
                l->cookies_ok++;
                c->rtt_sent = 0;
                tcp_conn_rcv(&c->ep, skb);      /* completes the handshake, takes the data */
                return;
            }
        }
        tcp_send_reset(st, skb);
        consume_skb(net, skb);
        return;
    }
    if (!(f & TCPH_SYN) || (f & TCPH_ACK)) {
        tcp_send_reset(st, skb);
        consume_skb(net, skb);
        return;
    }
    l->syns++;
    if (l->ops && l->ops->syn && !l->ops->syn(l, skb)) {
        tcp_send_reset(st, skb);
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
            uint32_t cookie = cookie_hash(l, daddr, th->dest, saddr, th->source, s.seq) | idx;
            l->cookies_sent++;
            send_cookie_synack(st, skb, &s, cookie);
        } else {
            l->syn_drops++;
        }
        consume_skb(net, skb);
        return;
    }
    /* tcp_conn_request: the TIME_WAIT socket's ISN, else a fresh one */
    uint32_t isn = tw_isn ? tw_isn : (uint32_t)rng_u64(&l->isn);
    struct tcp_conn *c = passive_conn(st, l, skb, &s, isn);
    consume_skb(net, skb);
    if (!c)
        return;
    l->qlen++;
    c->in_synq = true;
    c->rtt_sent = net_now(net);
    tcp_transmit_seg(c, c->iss, TCPH_SYN | TCPH_ACK, 0);
    tcp_rtx_arm(c, c->rto);
}

void tcp_listener_purge(struct app_stack *st, struct tcp_listener *l)
{
    for (struct tcp_conn *c = st->live, *n; c; c = n) {
        n = c->next;
        if (c->listener == l && !c->dead)
            tcp_conn_kill(c);
    }
    tcp_tw_purge_listener(st, l);
}
