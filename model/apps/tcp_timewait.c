/* TIME_WAIT as compact records. When a connection enters TIME_WAIT the kernel frees
 * the full socket and keeps a timewait socket in its place in the established hash
 * (tcp_time_wait, net/ipv4/tcp_minisocks.c; inet_twsk_alloc and inet_twsk_hashdance,
 * net/ipv4/inet_timewait_sock.c). So does the model: struct tcp_tw (tcp_conn_internal.h)
 * takes the connection's 4-tuple, ephemeral port and sequence numbers, and the
 * tcp_conn is recycled at once.
 *
 * Expiry: Linux 4.3 and later give each timewait socket a timer (inet_twsk_schedule);
 * older kernels kept them on a shared "death row" (inet_timewait_death_row). A queue
 * event per record would cost a queue node per TIME_WAIT socket, and every record
 * lives TCP_TIMEWAIT_LEN, so the records sit on one FIFO list, oldest first, and the
 * list has one queue event, for its head, as model/ipvs/ip_vs_conn_timer.c does for
 * IPVS connections (that code works on the IPVS table's own references, so the
 * pattern is repeated here, not shared). A record still expires at exactly 60 s after
 * it entered TIME_WAIT, or after the last FIN retransmission that re-armed it.
 *
 * Re-arming (inet_twsk_reschedule) must move a record to the tail; the list is singly
 * linked, so the record is replaced instead: a new one takes its place in the
 * endpoint table and at the tail, and the old one, unhashed, is reclaimed when the
 * list reaches it. A RST that kills a record unhashes it the same way. Both are rare
 * (a lost last ACK, a peer's RST), and the 4-tuple and port are free at once. */
#include "model/apps/tcp_conn_internal.h"

#include <glib.h>
#include <string.h>
#include "model/net.h"
#include "sim/host.h"
#include "sim/sim.h"

#define TW_CHUNK 1024               /* records per pool chunk */

static inline struct tcp_tw *tw_at(const struct tcp_tw_pool *p, uint32_t idx)
{
    return &p->chunks[idx / TW_CHUNK][idx % TW_CHUNK];
}

/* A record from the pool, returned with its index. Chunks are never freed before
 * the stack is: the endpoint table points into them. */
static struct tcp_tw *tw_alloc(struct app_stack *st, uint32_t *idx)
{
    struct tcp_tw_pool *p = &st->tw;
    uint32_t i = p->free;
    if (i) {
        p->free = tw_at(p, i)->next;
    } else {
        if (p->next_new == 0)
            p->next_new = 1;        /* index 0 means none */
        i = p->next_new++;
        if (i / TW_CHUNK >= p->nchunks) {
            p->chunks = g_renew(struct tcp_tw *, p->chunks, p->nchunks + 1);
            p->chunks[p->nchunks++] = g_new(struct tcp_tw, TW_CHUNK);
        }
    }
    struct tcp_tw *tw = tw_at(p, i);
    memset(tw, 0, sizeof *tw);
    st->stats.tcp_tw_records++;
    *idx = i;
    return tw;
}

static void tw_free(struct app_stack *st, uint32_t idx)
{
    tw_at(&st->tw, idx)->next = st->tw.free;
    st->tw.free = idx;
    st->stats.tcp_tw_records--;
}

/* The 4-tuple is free again: inet_twsk_kill (unhash, release the bind bucket). */
static void tw_kill(struct app_stack *st, struct tcp_tw *tw)
{
    if (!tw->hashed)
        return;
    app_tw_unhash(st, tw);
    if (tw->own_port)
        app_port_release(st, IPPROTO_TCP, tw->laddr, tw->lport);
    tw->own_port = false;
    st->stats.tcp_tw--;
}

static void tw_timer_fire(struct sim *s, void *obj, uint64_t arg);

/* What the expiry of tw will read, and the record after it (the next head): at 10^7
 * connections the records expiring are a minute old and the table holds millions,
 * so each is a DRAM read, started here, an expiry (at 10^5 per second, ~10 us) early. */
static void tw_prefetch_expiry(const struct app_stack *st, const struct tcp_tw *tw)
{
    if (tw->hashed)
        app_tw_prefetch(st, tw);
    if (tw->own_port)
        app_port_prefetch(st, IPPROTO_TCP, tw->laddr);
    if (tw->next) {
        const char *next = (const char *)tw_at(&st->tw, tw->next);
        __builtin_prefetch(next);
        __builtin_prefetch(next + sizeof *tw - 1);       /* records straddle lines */
    }
}

static void tw_list_arm(struct app_stack *st)
{
    struct tcp_tw_pool *p = &st->tw;
    if (p->head && !p->event) {
        const struct tcp_tw *tw = tw_at(p, p->head);
        p->event = host_timer(st->net->host, tw->expires, tw_timer_fire, st, 0);
        tw_prefetch_expiry(st, tw);
    }
}

/* Expire every head whose time has come, oldest first, then wait for the next. */
static void tw_timer_fire(struct sim *s, void *obj, uint64_t arg)
{
    (void)arg;
    struct app_stack *st = obj;
    struct tcp_tw_pool *p = &st->tw;
    p->event = 0;
    while (p->head && tw_at(p, p->head)->expires <= s->now) {
        uint32_t i = p->head;
        struct tcp_tw *tw = tw_at(p, i);
        p->head = tw->next;
        if (!p->head)
            p->tail = 0;
        tw_kill(st, tw);
        tw_free(st, i);
    }
    tw_list_arm(st);
}

/* A record at the tail, expiring TCP_TIMEWAIT_LEN from now. */
static struct tcp_tw *tw_new(struct app_stack *st)
{
    uint32_t i;
    struct tcp_tw *tw = tw_alloc(st, &i);
    struct tcp_tw_pool *p = &st->tw;
    tw->expires = sim_time_add(net_now(st->net), TCP_TIMEWAIT_LEN);
    if (p->tail)
        tw_at(p, p->tail)->next = i;
    else
        p->head = i;
    p->tail = i;
    tw_list_arm(st);
    return tw;
}

/* inet_twsk_reschedule: a new record at the tail takes tw's place (records never
 * move: the pool grows by chunks). Returns the record that holds the 4-tuple now. */
static struct tcp_tw *tw_reschedule(struct app_stack *st, struct tcp_tw *tw)
{
    struct tcp_tw *n = tw_new(st);
    uint32_t next = n->next;        /* the new record's own place on the list */
    sim_time_t expires = n->expires;
    *n = *tw;                       /* the rest is tw's (app_tw_rehash moves the hash) */
    n->next = next;
    n->expires = expires;
    tw->own_port = false;
    app_tw_rehash(st, tw, n);       /* the 4-tuple goes with it */
    return n;
}

static void tw_send_ack(struct app_stack *st, const struct tcp_tw *tw)
{
    if (st->hook)
        st->hook(st->hook_ctx, NULL, true, TCPH_ACK, tw->snd_nxt, tw->rcv_nxt, 0);
    /* tcp_v4_timewait_ack: the window the connection last advertised, and with
     * timestamps TSval = now (ms) + the connection's offset, TSecr = tw_ts_recent. */
    uint8_t opts[TCPOLEN_TSTAMP_ALIGNED];
    if (tw->tstamp_ok)
        tcp_put_ts_option(opts, tcp_ts_at(st->net, tw->ts_off), tw->ts_recent);
    struct tcp_spec t = { .sport = tw->lport, .dport = tw->rport, .seq = tw->snd_nxt,
                          .ack = tw->rcv_nxt, .flags = TCPH_ACK, .window = tw->rcv_wnd_field,
                          .opts = tw->tstamp_ok ? opts : NULL,
                          .opt_len = tw->tstamp_ok ? TCPOLEN_TSTAMP_ALIGNED : 0 };
    tcp_xmit_spec(st, tw->laddr, tw->raddr, &t, 0, tw->flow);
}

/* What tcp_timewait_state_process tells tcp_v4_rcv to do (include/net/tcp.h). */
enum tcp_tw_status { TCP_TW_SUCCESS, TCP_TW_ACK, TCP_TW_SYN };

/* tcp_invalid_ratelimit (HZ / 2): out-of-window ACKs of a TIME_WAIT socket to a SYN or
 * a segment without data, at most one per half second (__tcp_oow_rate_limited). Data
 * and FINs are always answered (tcp_oow_rate_limited). */
#define TCP_INVALID_RATELIMIT (KERNEL_HZ / 2)
static enum tcp_tw_status tw_oow_ack(struct app_stack *st, struct tcp_tw *tw, const struct seg *s,
                                     uint32_t end_seq)
{
    if (s->seq != end_seq && !(s->flags & TCPH_SYN))
        return TCP_TW_ACK;
    uint32_t now = (uint32_t)net_jiffies(st->net);
    if (tw->last_oow_ack) {
        int32_t elapsed = (int32_t)(now - tw->last_oow_ack);
        if (elapsed >= 0 && elapsed < TCP_INVALID_RATELIMIT)
            return TCP_TW_SUCCESS;
    }
    tw->last_oow_ack = now;
    return TCP_TW_ACK;
}

/* tcp_timewait_state_process (tcp_minisocks.c, 6.1), the TIME_WAIT substate:
 *   - PAWS: with timestamps on, a segment whose TSval is older than tw_ts_recent is
 *     rejected (tcp_paws_reject; the TCP_PAWS_MSL leave for an old RST and the 24-day
 *     rule are not modelled: a record lives 60 s);
 *   - in window (seq == rcv_nxt, no data): a RST kills the socket (tcp_rfc1337 = 0), a
 *     bare ACK re-arms TCP_TIMEWAIT_LEN and refreshes tw_ts_recent;
 *   - a SYN (no ACK, no RST) past rcv_nxt or with a newer TSval opens a new
 *     connection through the listener, its ISN 65537 past our snd_nxt (TCP_TW_SYN,
 *     RFC 1122 4.2.2.13);
 *   - anything else but a RST is out of window: re-arms when it carries an ACK (a
 *     retransmitted FIN does) or was rejected by PAWS, and is answered with our ACK,
 *     rate-limited for SYNs and empty segments; an out-of-window RST is ignored. */
static enum tcp_tw_status tcp_timewait_state_process(struct app_stack *st, struct tcp_tw **twp,
                                                     const struct seg *s, uint32_t *isn)
{
    struct tcp_tw *tw = *twp;
    bool ts = tw->tstamp_ok && s->saw_tstamp;   /* parsed only when TS were on */
    bool paws_reject = ts && tw->ts_recent && (int32_t)(tw->ts_recent - s->tsval) > 0;
    uint32_t end_seq = s->seq + s->len + !!(s->flags & TCPH_SYN) + !!(s->flags & TCPH_FIN);
    if (!paws_reject && s->seq == tw->rcv_nxt && (s->seq == end_seq || (s->flags & TCPH_RST))) {
        if (s->flags & TCPH_RST) {
            tw_kill(st, tw);
            return TCP_TW_SUCCESS;
        }
        if (ts)
            tw->ts_recent = s->tsval;
        *twp = tw_reschedule(st, tw);
        return TCP_TW_SUCCESS;
    }
    if ((s->flags & (TCPH_SYN | TCPH_RST | TCPH_ACK)) == TCPH_SYN && !paws_reject &&
        (after(s->seq, tw->rcv_nxt) || (ts && (int32_t)(tw->ts_recent - s->tsval) < 0))) {
        *isn = tw->snd_nxt + 65535 + 2;
        if (*isn == 0)
            *isn = 1;
        return TCP_TW_SYN;
    }
    if (s->flags & TCPH_RST)
        return TCP_TW_SUCCESS;
    if (paws_reject || (s->flags & TCPH_ACK))
        *twp = tw = tw_reschedule(st, tw);
    return tw_oow_ack(st, tw, s, end_seq);
}

/* A segment for a TIME_WAIT socket (tcp_v4_rcv's do_time_wait). True when it is
 * taken; false for a SYN that opens a new connection: the caller hands it to the
 * listener with *isn, the record gone. */
bool tcp_tw_rcv(struct app_stack *st, struct tcp_tw *tw, struct sk_buff *skb, uint32_t *isn)
{
    struct seg s;
    tcp_parse_seg(skb, &s);
    if (st->hook)
        st->hook(st->hook_ctx, NULL, false, s.flags, s.seq, s.ack, s.len);
    switch (tcp_timewait_state_process(st, &tw, &s, isn)) {
    case TCP_TW_SYN:
        if (tcp_listener_for(st, tw->lport)) {
            tw_kill(st, tw);        /* inet_twsk_deschedule_put */
            return false;
        }
        tw_send_ack(st, tw);        /* no listener: "to ACK" */
        break;
    case TCP_TW_ACK:
        tw_send_ack(st, tw);        /* tcp_v4_timewait_ack */
        break;
    case TCP_TW_SUCCESS:
        break;
    }
    consume_skb(st->net, skb);
    return true;
}

/* tcp_twsk_unique's takeover: the new connection starts 65537 past the old snd_nxt
 * and the record goes (inet_twsk_deschedule_put: reclaimed at its expiry). */
static void tw_takeover(struct app_stack *st, struct tcp_tw *tw, uint32_t *isn)
{
    *isn = tw->snd_nxt + 65535 + 2;
    if (*isn == 0)
        *isn = 1;
    tw_kill(st, tw);
}

/* A bound connect() meeting this 4-tuple (tcp_conn.h): a record in TIME_WAIT is taken
 * over when it holds a peer timestamp (tcp_twsk_unique, tcp_ipv4.c, twp NULL); a live
 * connection keeps the tuple. */
bool tcp_twsk_unique(struct app_stack *st, be32 laddr, be16 lport, be32 raddr, be16 rport,
                     uint32_t *isn)
{
    struct tcp_tw *tw;
    if (app_tuple_find(st, IPPROTO_TCP, laddr, lport, raddr, rport, &tw))
        return false;               /* a live connection keeps it */
    if (!tw)
        return true;
    if (!tw->tstamp_ok)             /* tw_ts_recent_stamp: timestamps were on */
        return false;
    tw_takeover(st, tw, isn);
    return true;
}

struct port_reuse {
    struct app_stack *st;
    be32 laddr, raddr;
    be16 rport;
    uint32_t *isn;
};

static bool is_loopback(be32 a)
{
    return (ntohl(a) >> 24) == 127;
}

/* tcp_twsk_unique with twp set: during the ephemeral port walk. */
static bool tw_reusable_port(void *ctx, be16 port)
{
    struct port_reuse *pr = ctx;
    struct tcp_tw *tw;
    if (app_tuple_find(pr->st, IPPROTO_TCP, pr->laddr, port, pr->raddr, pr->rport, &tw) || !tw)
        return false;
    uint64_t now_s = (uint64_t)(net_now(pr->st->net) / SEC);
    uint64_t stamp_s = (uint64_t)((tw->expires - TCP_TIMEWAIT_LEN) / SEC);
    if (!tw->tstamp_ok || now_s <= stamp_s)
        return false;
    tw_takeover(pr->st, tw, pr->isn);
    return true;
}

be16 tcp_port_alloc(struct app_stack *st, be32 laddr, be32 raddr, be16 rport, struct rng *r,
                    uint32_t *isn)
{
    int reuse = st->net->ipv4.tcp_tw_reuse;
    if (reuse == 2 && !is_loopback(laddr) && !is_loopback(raddr))
        reuse = 0;
    struct port_reuse pr = { .st = st, .laddr = laddr, .raddr = raddr, .rport = rport, .isn = isn };
    return app_port_alloc_reuse(st, IPPROTO_TCP, laddr, r, reuse ? tw_reusable_port : NULL, &pr);
}

/* tcp_time_wait (tcp_minisocks.c): c enters TIME_WAIT. A record takes its 4-tuple,
 * its port and what an ACK needs; the owner hears done (c still intact, in
 * TIME_WAIT), then c is killed and recycled. Called from the receive path (c busy). */
void tcp_time_wait(struct tcp_conn *c)
{
    struct app_stack *st = c->st;
    c->state = TCPS_TIME_WAIT;
    tcp_conn_cancel_timers(c);
    struct tcp_tw *tw = tw_new(st);
    g_assert(c->flow <= UINT32_MAX);  /* a conversation id: 2^32 of them would not fit in memory */
    tw->flow = (uint32_t)c->flow;
    tw->snd_nxt = c->snd_nxt;
    tw->rcv_nxt = c->rcv_nxt;
    tw->tstamp_ok = c->tstamp_ok;
    tw->ts_recent = c->ts_recent;
    tw->ts_off = c->ts_off;
    tw->rcv_wnd_field = (uint16_t)MIN((uint32_t)c->rcv_wnd >> c->rcv_wscale, 65535u);
    if (c->ep.hashed) {             /* always, from the receive path */
        app_tw_hash(st, &c->ep, tw);    /* the stack calls tcp_tw_rcv for it now */
        tw->own_port = c->own_port;
        c->own_port = false;
        st->stats.tcp_tw++;
    }
    const struct tcp_conn_ops *ops = c->ops;
    c->ops = NULL;
    if (ops && ops->done)
        ops->done(c, TCP_DONE_OK);
    tcp_conn_kill(c);
}

/* tcp_listener_purge: the host forgets the TIME_WAIT sockets of what the listener
 * accepted too. Those are the records on its port that own no ephemeral port (a
 * connection this host opened owns one; listeners have distinct ports). */
void tcp_tw_purge_listener(struct app_stack *st, const struct tcp_listener *l)
{
    struct tcp_tw_pool *p = &st->tw;
    for (uint32_t i = p->head; i; i = tw_at(p, i)->next) {
        struct tcp_tw *tw = tw_at(p, i);
        if (tw->hashed && !tw->own_port && tw->lport == l->port)
            tw_kill(st, tw);
    }
}

/* app_stack_put: everything goes, with the list's event. */
void tcp_tw_free_all(struct app_stack *st)
{
    struct tcp_tw_pool *p = &st->tw;
    if (p->event)
        sim_cancel(host_sim(st->net->host), p->event);
    for (uint32_t k = 0; k < p->nchunks; k++)
        g_free(p->chunks[k]);
    g_free(p->chunks);
    memset(p, 0, sizeof *p);
}

_Static_assert(sizeof(struct tcp_tw) == 56, "a TIME_WAIT record is 56 bytes (tcp_conn_internal.h)");
