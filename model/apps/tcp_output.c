/* The sending side of a TCP connection and its timers: building and routing a segment,
 * the send loop bounded by the peer's window, the retransmission timer (which also
 * times the SYN and SYN-ACK retries and the orphaned FIN_WAIT2; TIME_WAIT is
 * tcp_timewait.c's) and the
 * delayed ACK. Everything that sends goes through here: the receive path, the
 * listeners, the owner's calls and the timers. Kernel: net/ipv4/tcp_output.c
 * (tcp_transmit_skb, tcp_write_xmit, tcp_send_ack, tcp_send_delayed_ack),
 * tcp_timer.c (tcp_retransmit_timer, tcp_delack_timer). */
#include "model/apps/tcp_conn_internal.h"

#include <glib.h>
#include "model/ipv4/icmp.h"
#include "model/ipv4/ip.h"
#include "model/net.h"
#include "model/ipv4/route.h"
#include "model/ipv6/transp_v6.h"
#include "sim/in6_key.h"
#include "sim/host.h"
#include "sim/pkt.h"
#include "sim/proto6.h"
#include "sim/sim.h"

/* ---- sending TCP segments -------------------------------------------------------------- */

/* A segment as t describes it, routed from laddr to raddr. */
bool tcp_xmit_spec(struct app_stack *st, be32 laddr, be32 raddr, const struct tcp_spec *t,
                   uint32_t len, uint64_t flow)
{
    struct net *net = st->net;
    if (in6_is_key(raddr))
        return tcp_v6_xmit(net, laddr, raddr, t, len, flow);
    struct rtable *rt = ip_route_output(net, raddr);
    if (!rt) {
        net->mib.out_no_routes++;
        return false;
    }
    struct ip4_spec ip = { .saddr = laddr, .daddr = raddr, .ttl = (uint8_t)net->ipv4.default_ttl,
                           .id = htons(net->ip_id++), .df = true };
    struct sk_buff *skb = skb_alloc(net_pool(net), net_now(net));
    if (!skb)
        return false;
    if (!pkt_build_tcp(skb, &ip, t, len)) {
        skb_free(net_pool(net), skb);
        return false;
    }
    skb->dst = rt;
    skb->flow = flow;
    ip_local_out(net, skb);
    return true;
}

/* A segment from laddr:lport to raddr:rport without options but the MSS (no
 * connection needed: the RSTs of tcp_v4_send_reset). */
bool tcp_xmit_raw(struct app_stack *st, be32 laddr, be16 lport, be32 raddr, be16 rport,
                  uint32_t seq, uint32_t ack, uint8_t flags, uint16_t mss, uint32_t len,
                  uint64_t flow)
{
    struct tcp_spec t = { .sport = lport, .dport = rport, .seq = seq, .ack = ack, .flags = flags,
                          .window = TCP_RCV_WND, .mss = mss };
    return tcp_xmit_spec(st, laddr, raddr, &t, len, flow);
}

uint16_t route_mss(struct net *net, be32 raddr)
{
    if (in6_is_key(raddr))
        return tcp_v6_route_mss(net, raddr);
    struct rtable *rt = ip_route_output(net, raddr);
    uint32_t mtu = rt && rt->dev ? rt->dev->mtu : ETH_DATA_LEN;
    uint32_t mss = mtu > 40 ? mtu - 40 : TCP_DEFAULT_MSS;
    return (uint16_t)MIN(mss, 65495u);
}

uint32_t tcp_net_header_len(const struct tcp_conn *c)
{
    return in6_is_key(c->ep.raddr) ? sizeof(struct ipv6hdr) : sizeof(struct iphdr);
}

/* tcp_mtu_to_mss and __tcp_mtu_to_mss (net/ipv4/tcp_output.c, 6.1): the path MTU less
 * the IP and TCP headers, at most the peer's MSS (mss_clamp), at least
 * tcp_min_snd_mss, less the options every segment carries (the timestamps; SACK
 * blocks are not counted). 1460 over IPv6 with timestamps: 1460 - 40 - 20 - 12 = 1388. */
uint32_t tcp_mtu_to_mss(const struct tcp_conn *c, uint32_t pmtu)
{
    uint32_t hdrs = tcp_net_header_len(c) + sizeof(struct tcphdr);
    uint32_t mss = pmtu > hdrs ? pmtu - hdrs : 0;
    if (mss > c->mss_clamp)
        mss = c->mss_clamp;
    if (mss < TCP_MIN_SND_MSS)
        mss = TCP_MIN_SND_MSS;
    return mss - (c->tstamp_ok ? TCPOLEN_TSTAMP_ALIGNED : 0);
}

/* tcp_sync_mss (tcp_output.c, 6.1): the send MSS for pmtu, kept as icsk_pmtu_cookie.
 * Without MTU probing and with windows far above two segments, tcp_bound_to_half_wnd
 * and the probe's search_low change nothing. */
void tcp_sync_mss(struct tcp_conn *c, uint32_t pmtu)
{
    c->pmtu_cookie = pmtu;
    c->mss = (uint16_t)tcp_mtu_to_mss(c, pmtu);
}

/* ---- options ------------------------------------------------------------------------------ */


static uint8_t *put_be32(uint8_t *o, uint32_t v)
{
    o[0] = (uint8_t)(v >> 24);
    o[1] = (uint8_t)(v >> 16);
    o[2] = (uint8_t)(v >> 8);
    o[3] = (uint8_t)v;
    return o + 4;
}

/* The options of a SYN or SYN-ACK after the MSS, in the order and alignment of
 * tcp_options_write (net/ipv4/tcp_output.c, 6.1): SACK-permitted shares the timestamps'
 * word when both are on ("sackOK,TS"), otherwise NOPs pad; window scale follows a NOP;
 * SACK-permitted without timestamps comes last after two NOPs. A 6.1 SYN thus carries
 * "mss,sackOK,TS,nop,wscale": 4 + 16 = 20 bytes. Returns the bytes written at o (at
 * most 16). */
unsigned tcp_syn_options(bool tstamp, bool sack, bool wscale, uint8_t rcv_wscale,
                         uint32_t tsval, uint32_t tsecr, uint8_t *o)
{
    uint8_t *p = o;
    if (tstamp) {
        if (sack) {
            *p++ = TCPOPT_SACK_PERM;
            *p++ = 2;
        } else {
            *p++ = TCPOPT_NOP;
            *p++ = TCPOPT_NOP;
        }
        *p++ = TCPOPT_TIMESTAMP;
        *p++ = 10;
        p = put_be32(p, tsval);
        p = put_be32(p, tsecr);
    }
    if (wscale) {
        *p++ = TCPOPT_NOP;
        *p++ = TCPOPT_WINDOW;
        *p++ = 3;
        *p++ = rcv_wscale;
    }
    if (sack && !tstamp) {
        *p++ = TCPOPT_NOP;
        *p++ = TCPOPT_NOP;
        *p++ = TCPOPT_SACK_PERM;
        *p++ = 2;
    }
    return (unsigned)(p - o);
}

/* The TSval now: milliseconds (tcp_time_stamp_raw, TCP_TS_HZ 1000) plus the
 * connection's offset. */
uint32_t tcp_ts_at(const struct net *net, uint32_t ts_off)
{
    return (uint32_t)(net_now(net) / MSEC) + ts_off;
}

uint32_t tcp_ts_now(const struct tcp_conn *c)
{
    return tcp_ts_at(c->st->net, c->ts_off);
}

/* What this host offers (an active open) or accepts (a passive one, after the
 * SYN's options are in c): tcp_syn_options / tcp_openreq_init (tcp_input.c), each
 * under its sysctl; the receive window of tcp_select_initial_window, rounded down to
 * the segment size it expects (its own MSS less the timestamps when a SYN-ACK
 * carries them, as tcp_openreq_init_rwin does); the TSval offset of secure_tcp_ts_off
 * (a keyed hash of the addresses: here of the 4-tuple and our ISN; over IPv6 of the
 * addresses' 16 bytes, as secure_tcpv6_ts_off, never of their keys) unless
 * tcp_timestamps is 2; the initial congestion window of tcp_init_sock. */
void tcp_init_options(struct tcp_conn *c)
{
    const struct ipv4_devconf *cf = &c->st->net->ipv4;
    bool passive = c->state == TCPS_SYN_RECV;
    if (!passive) {
        c->tstamp_ok = cf->tcp_timestamps != 0;
        c->sack_ok = cf->tcp_sack != 0;
        c->wscale_ok = cf->tcp_window_scaling != 0;
    } else {
        c->tstamp_ok = c->tstamp_ok && cf->tcp_timestamps;
        c->sack_ok = c->sack_ok && cf->tcp_sack;
        c->wscale_ok = c->wscale_ok && cf->tcp_window_scaling;
    }
    c->rcv_wscale = c->wscale_ok ? TCP_RCV_WSCALE : 0;
    uint32_t seg = c->adv_mss - (passive && c->tstamp_ok ? TCPOLEN_TSTAMP_ALIGNED : 0);
    c->rcv_wnd = TCP_RCV_WND / seg * seg;
    /* tcp_init_buffer_space: auto-tuning measures from here (a window's worth or ten
     * segments); the window may grow when it does (see tcp_rcv_space_adjust). */
    c->window_clamp = c->rcv_wnd;
    c->rcvq_space = MIN(c->rcv_wnd, (uint32_t)TCP_INIT_CWND * c->adv_mss);
    if (cf->tcp_timestamps == 1) {
        uint64_t la = c->ep.laddr, ra = c->ep.raddr;
        if (in6_is_key(c->ep.raddr)) {
            la = ipv6_addr_digest(in6_key_addr(c->ep.laddr));
            ra = ipv6_addr_digest(in6_key_addr(c->ep.raddr));
        }
        uint64_t x = la << 32 ^ ra ^ (uint64_t)c->iss << 16 ^
                     (uint64_t)c->ep.lport << 48 ^ c->ep.rport;
        x = (x ^ (x >> 31)) * 0x9e3779b97f4a7c15ull;
        c->ts_off = (uint32_t)(x >> 32);
    }
    tcp_ca_init(c);
    c->lsndtime = c->rcvq_time = (uint32_t)(net_now(c->st->net) / MSEC);
    c->rcv_mss = TCP_DEFAULT_MSS;           /* tcp_initialize_rcv_mss: min(mss, 536) */
}

void tcp_put_ts_option(uint8_t *opts, uint32_t tsval, uint32_t tsecr)
{
    opts[0] = TCPOPT_NOP;
    opts[1] = TCPOPT_NOP;
    opts[2] = TCPOPT_TIMESTAMP;
    opts[3] = 10;
    put_be32(put_be32(opts + 4, tsval), tsecr);
}

/* The window field: SYNs never scaled (RFC 7323 2.2), later segments shifted by ours. */
static uint16_t window_field(const struct tcp_conn *c, uint8_t flags)
{
    uint32_t w = (flags & TCPH_SYN) ? MIN(c->rcv_wnd, 65535u) : c->rcv_wnd >> c->rcv_wscale;
    return (uint16_t)MIN(w, 65535u);
}

/* The SACK blocks of an ACK (tcp_established_options, tcp_options_write): the
 * out-of-order ranges held, the one last created or extended first (the order
 * tcp_sack_new_ofo_skb keeps), as many as the option space leaves: 3 beside the
 * timestamps, 4 without. Returns the bytes written at o. */
static unsigned sack_blocks(const struct tcp_conn *c, uint8_t *o)
{
    unsigned room = c->tstamp_ok ? 3 : 4, n = MIN(room, (unsigned)c->n_ooo);
    o[0] = TCPOPT_NOP;
    o[1] = TCPOPT_NOP;
    o[2] = TCPOPT_SACK;
    o[3] = (uint8_t)(2 + n * TCPOLEN_SACK_PERBLOCK);
    uint8_t *p = o + TCPOLEN_SACK_BASE_ALIGNED;
    bool used[TCP_OOO_MAX] = { false };
    for (unsigned k = 0; k < n; k++) {
        unsigned best = TCP_OOO_MAX;
        for (unsigned i = 0; i < c->n_ooo; i++)
            if (!used[i] && (best == TCP_OOO_MAX || c->ooo_age[i] < c->ooo_age[best]))
                best = i;
        used[best] = true;
        p = put_be32(put_be32(p, c->ooo_start[best]), c->ooo_end[best]);
    }
    return (unsigned)(p - o);
}

/* Every segment of a connection: its options (tcp_syn_options, tcp_synack_options,
 * tcp_established_options: timestamps on every segment once negotiated, SACK blocks
 * while out-of-order data is held) and what sending an ACK means to the ACK policy (tcp_event_ack_sent:
 * the delayed ACK is cancelled, one quick ACK used up, tcp_dec_quickack_mode counting
 * each segment in 6.1) and sending data (tcp_event_data_sent: a reply within the ATO
 * of the last data received counts towards ping-pong mode). */
void tcp_transmit_seg(struct tcp_conn *c, uint32_t seq, uint8_t flags, uint32_t len)
{
    uint8_t opts[40];
    unsigned olen = 0;
    uint32_t ack = (flags & TCPH_ACK) ? c->rcv_nxt : 0;
    if (flags & TCPH_SYN) {
        bool synack = (flags & TCPH_ACK) != 0;
        olen = tcp_syn_options(c->tstamp_ok, c->sack_ok, c->wscale_ok, c->rcv_wscale,
                               tcp_ts_now(c), synack ? c->ts_recent : 0, opts);
    } else if (c->tstamp_ok) {
        tcp_put_ts_option(opts, tcp_ts_now(c), c->ts_recent);
        olen = TCPOLEN_TSTAMP_ALIGNED;
    }
    if (!(flags & (TCPH_SYN | TCPH_RST)) && c->sack_ok && c->n_ooo)
        olen += sack_blocks(c, opts + olen);
    if (c->st->hook)
        c->st->hook(c->st->hook_ctx, c, true, flags, seq, ack, len);
    c->segs_out++;
    if (flags & TCPH_ACK) {
        c->ack_now = false;
        c->ack_pending = false;
        c->rcv_wup = c->rcv_nxt;
        if (c->quick)
            c->quick--;
        if (c->delack_timer) {
            sim_cancel(host_sim(c->st->net->host), c->delack_timer);
            c->delack_timer = 0;
        }
    }
    if (len && c->ato_set && net_now(c->st->net) - c->lrcvtime < TCP_ATO_MIN &&
        c->pingpong < UINT8_MAX)
        c->pingpong++;
    struct tcp_spec t = { .sport = c->ep.lport, .dport = c->ep.rport, .seq = seq, .ack = ack,
                          .flags = flags, .window = window_field(c, flags),
                          .mss = (flags & TCPH_SYN) ? c->adv_mss : 0, .opts = opts,
                          .opt_len = (uint8_t)olen };
    tcp_xmit_spec(c->st, c->ep.laddr, c->ep.raddr, &t, len, c->flow);
}

void tcp_send_ack(struct tcp_conn *c)
{
    tcp_transmit_seg(c, c->snd_nxt, TCPH_ACK, 0);
}

/* ---- timers ------------------------------------------------------------------------------ */

static void rtx_timer_fn(struct sim *sim, void *obj, uint64_t arg);

void tcp_timer_stop(struct tcp_conn *c, sim_event_id *id)
{
    if (*id)
        sim_cancel(host_sim(c->st->net->host), *id);
    *id = 0;
}

void tcp_rtx_arm(struct tcp_conn *c, sim_time_t delay)
{
    struct host *h = c->st->net->host;
    tcp_timer_stop(c, &c->rtx_timer);
    c->rtx_timer = host_timer(h, sim_time_add(host_now(h), delay), rtx_timer_fn, c, c->gen);
}

void tcp_conn_cancel_timers(struct tcp_conn *c)
{
    tcp_timer_stop(c, &c->rtx_timer);
    tcp_timer_stop(c, &c->delack_timer);
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

/* ---- the retransmission queue ------------------------------------------------------------ */

uint32_t tcp_sacked_in(const struct tcp_conn *c, uint32_t a, uint32_t b)
{
    uint32_t n = 0;
    for (unsigned i = 0; i < c->n_sacked; i++) {
        uint32_t lo = after(c->sacked[i].start, a) ? c->sacked[i].start : a;
        uint32_t hi = before(c->sacked[i].end, b) ? c->sacked[i].end : b;
        if (after(hi, lo))
            n += hi - lo;
    }
    return n;
}

/* What counts as lost: in Recovery, with SACK, every hole below the highest SACKed
 * byte (a later segment arrived: RACK's rule with no reordering window), without SACK
 * the head segment (NewReno: each partial ACK exposes the next); in Loss everything
 * sent before the RTO; else nothing. */
uint32_t tcp_lost_end(const struct tcp_conn *c)
{
    uint32_t end = c->snd_una;
    if (c->ca_state == TCP_CA_Recovery) {
        if (c->n_sacked)
            end = c->sacked[c->n_sacked - 1].end;
        else if (!c->sack_ok)
            end = c->snd_una + c->mss;
    } else if (c->ca_state == TCP_CA_Loss) {
        end = c->high_seq;
    }
    if (after(end, c->snd_max))
        end = c->snd_max;
    return after(end, c->snd_una) ? end : c->snd_una;
}

static uint32_t segs(const struct tcp_conn *c, uint32_t bytes)
{
    return (bytes + c->mss - 1) / c->mss;
}

/* tcp_packets_in_flight: packets_out - (sacked_out + lost_out) + retrans_out. A peer
 * without SACK makes each duplicate ACK one segment delivered (tcp_add_reno_sack). */
uint32_t tcp_packets_in_flight(const struct tcp_conn *c)
{
    uint32_t out = c->snd_max - c->snd_una;
    if (c->ca_state == TCP_CA_Open && !c->n_sacked && !c->dupacks)
        return segs(c, out);                /* nothing SACKed, lost or resent */
    uint32_t lost_end = tcp_lost_end(c);
    uint32_t rx_end = after(c->high_rxt, c->snd_una) ? c->high_rxt : c->snd_una;
    if (after(rx_end, lost_end))
        rx_end = lost_end;
    uint32_t sacked = c->sack_ok ? tcp_sacked_in(c, c->snd_una, c->snd_max)
                                 : MIN((uint32_t)c->dupacks * c->mss, out);
    uint32_t lost = lost_end - c->snd_una - tcp_sacked_in(c, c->snd_una, lost_end);
    uint32_t retrans = rx_end - c->snd_una - tcp_sacked_in(c, c->snd_una, rx_end);
    uint64_t left = (uint64_t)sacked + lost;
    uint64_t flight = out > left ? out - left : 0;
    return segs(c, (uint32_t)(flight + retrans));
}

/* The next lost bytes not yet retransmitted in this episode: [*seq, *end) within one
 * hole, at most one segment (and the FIN after it). false when none is left. */
static bool next_lost(const struct tcp_conn *c, uint32_t *seq, uint32_t *end)
{
    uint32_t lost_end = tcp_lost_end(c);
    uint32_t s = after(c->high_rxt, c->snd_una) ? c->high_rxt : c->snd_una;
    for (unsigned i = 0; i < c->n_sacked; i++) {
        if (!after(c->sacked[i].end, s))
            continue;
        if (!after(c->sacked[i].start, s)) {
            s = c->sacked[i].end;           /* inside a SACKed range: skip it */
            continue;
        }
        if (before(c->sacked[i].start, lost_end))
            lost_end = c->sacked[i].start;  /* the hole ends at the next SACKed range */
        break;
    }
    if (!before(s, lost_end))
        return false;
    *seq = s;
    *end = lost_end - s > c->mss ? s + c->mss : lost_end;
    /* The FIN rides with the last data (or goes alone). */
    if (c->fin_queued && *end == c->snd_end && after(lost_end, c->snd_end))
        *end = c->snd_end + 1;
    return true;
}

/* Send [seq, end) of the sequence space (data, then the FIN if end passes snd_end). */
static void xmit_range(struct tcp_conn *c, uint32_t seq, uint32_t end)
{
    uint32_t data_end = c->fin_queued && after(end, c->snd_end) ? c->snd_end : end;
    uint32_t len = after(data_end, seq) ? data_end - seq : 0;
    bool fin = end != data_end;
    uint8_t flags = TCPH_ACK;
    if (len && seq + len == c->snd_end)
        flags |= TCPH_PSH;
    if (fin)
        flags |= TCPH_FIN;
    tcp_ca_data_sent(c, c->snd_una == c->snd_max);
    tcp_transmit_seg(c, seq, flags, len);
}

/* tcp_xmit_retransmit_queue, one segment: the first lost one not yet resent. The
 * head's retransmission restarts the RTO timer; Karn: none is timed. */
static bool retransmit_one(struct tcp_conn *c)
{
    uint32_t seq, end;
    if (c->ca_state < TCP_CA_Recovery || !next_lost(c, &seq, &end))
        return false;
    xmit_range(c, seq, end);
    c->high_rxt = end;
    c->retrans_segs++;
    c->rtt_timing = false;
    if (c->ca_state == TCP_CA_Recovery)
        c->prr_out++;
    if (seq == c->snd_una || !c->rtx_timer)
        tcp_rtx_arm(c, c->rto);
    return true;
}

/* The send loop (tcp_write_xmit after tcp_xmit_retransmit_queue): while fewer
 * segments are in flight than the congestion window allows, lost segments first,
 * then new data within the peer's window; no silly small segments. */
void tcp_output(struct tcp_conn *c)
{
    if (!can_send_data(c) || c->dead)
        return;
    for (;;) {
        if (tcp_packets_in_flight(c) >= c->snd_cwnd) {
            c->cwnd_limited = true;
            break;
        }
        if (retransmit_one(c))
            continue;
        uint32_t avail = after(c->snd_max, c->snd_end) ? 0 : c->snd_end - c->snd_max;
        uint32_t inflight = c->snd_max - c->snd_una;
        uint32_t wnd_left = c->snd_wnd > inflight ? c->snd_wnd - inflight : 0;
        uint32_t len, fin = 0;
        if (avail > 0) {
            len = MIN((uint32_t)c->mss, avail);
            if (len > wnd_left) {
                c->cwnd_limited = false;    /* the peer's window limits */
                break;
            }
            fin = c->fin_queued && c->snd_max + len == c->snd_end;
        } else if (c->fin_queued && c->snd_max == c->snd_end) {
            len = 0;
            fin = 1;
        } else {
            c->cwnd_limited = false;        /* application-limited */
            break;
        }
        if (!c->rtt_timing && len) {
            c->rtt_timing = true;
            c->rtt_seq = c->snd_max;
            c->rtt_sent = net_now(c->st->net);
        }
        xmit_range(c, c->snd_max, c->snd_max + len + fin);
        c->snd_max += len + fin;
        c->snd_nxt = c->snd_max;
        if (c->ca_state == TCP_CA_Recovery)
            c->prr_out++;
        if (!c->rtx_timer)
            tcp_rtx_arm(c, c->rto);
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
            tcp_conn_finish(c, timeout_reason(c));
            break;
        }
        c->syn_retrans++;
        c->retrans_segs++;
        c->rto = backoff(c->rto);
        tcp_transmit_seg(c, c->iss, TCPH_SYN, 0);
        tcp_rtx_arm(c, c->rto);
        break;
    case TCPS_SYN_RECV:
        if (c->syn_retrans >= TCP_SYNACK_RETRIES) {
            tcp_conn_kill(c);
            break;
        }
        c->syn_retrans++;
        c->retrans_segs++;
        c->rto = backoff(c->rto);
        tcp_transmit_seg(c, c->iss, TCPH_SYN | TCPH_ACK, 0);
        tcp_rtx_arm(c, c->rto);
        break;
    case TCPS_FIN_WAIT2:
        tcp_conn_finish(c, TCP_DONE_OK);       /* orphaned FIN_WAIT2 expired */
        break;
    default:
        if (c->snd_una == c->snd_max)
            break;
        if (c->retries >= TCP_RETRIES2) {
            tcp_conn_finish(c, timeout_reason(c));
            break;
        }
        tcp_enter_loss(c);
        c->retries++;
        c->rto = backoff(c->rto);
        c->rtt_timing = false;             /* Karn: never time a retransmission */
        tcp_output(c);
        if (!c->dead && !c->rtx_timer)
            tcp_rtx_arm(c, c->rto);
        break;
    }
    tcp_conn_unbusy(c);
}

void tcp_delack_timer(struct sim *sim, void *obj, uint64_t arg)
{
    struct tcp_conn *c = obj;
    if (c->gen != (uint32_t)arg || c->dead)
        return;
    c->delack_timer = 0;
    if (!c->ack_pending)
        return;
    /* tcp_delack_timer_handler: a delayed ACK that had to fire ends ping-pong mode. */
    if (c->pingpong >= TCP_PINGPONG_THRESH)
        c->pingpong = 0;
    tcp_send_ack(c);
}
