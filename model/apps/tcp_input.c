/* The receiving side of a TCP connection: parsing a segment, the states of RFC 793
 * as Linux walks them, ACK processing with the RTT estimate and fast retransmit,
 * out-of-order data, the ACK policy, and ICMP errors. The RTT estimator lives here,
 * as in Linux's tcp_input.c, because only arriving ACKs feed it. Kernel:
 * net/ipv4/tcp_input.c (tcp_rcv_state_process, tcp_rcv_synsent_state_process,
 * tcp_ack, tcp_rtt_estimator, tcp_data_queue), tcp_ipv4.c (tcp_v4_err). */
#include "model/apps/tcp_conn_internal.h"

#include <glib.h>
#include <string.h>
#include "model/ipv4/icmp.h"
#include "model/ipv4/ip.h"
#include "model/net.h"
#include "sim/host.h"
#include "sim/in6_key.h"
#include "sim/pkt.h"
#include "sim/proto6.h"


/* ---- the RTT estimate -------------------------------------------------------------------- */

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

/* ---- receiving ------------------------------------------------------------------------- */

void tcp_parse_seg(const struct sk_buff *skb, struct seg *s)
{
    const struct tcphdr *th = (const struct tcphdr *)skb->data;
    unsigned hl = tcp_hdrlen(th);
    s->seq = ntohl(th->seq);
    s->ack = ntohl(th->ack_seq);
    s->flags = th->flags;
    s->win = ntohs(th->window);
    uint32_t l4;
    if (skb->protocol == ETH_P_IPV6) {
        l4 = skb_wire_len(skb);     /* trimmed to the payload length by ipv6_rcv */
    } else {
        const struct iphdr *iph = ip_hdr(skb);
        l4 = ntohs(iph->tot_len) - ip_hdrlen(iph);
    }
    s->len = l4 > hl ? l4 - hl : 0;
    s->mss = 0;
    s->saw_tstamp = s->sack_ok = s->wscale_ok = false;
    s->wscale = 0;
    s->tsval = s->tsecr = 0;
    s->num_sacks = 0;
    /* Options: in the real bytes (tcp_parse_options; the SYN-only ones count on a SYN). */
    bool syn = (th->flags & TCPH_SYN) != 0;
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
        if (o[0] == TCPOPT_MSS && o[1] == 4 && syn) {
            s->mss = (uint16_t)(o[2] << 8 | o[3]);
        } else if (o[0] == TCPOPT_WINDOW && o[1] == 3 && syn) {
            s->wscale_ok = true;
            s->wscale = MIN(o[2], TCP_MAX_WSCALE);     /* larger: clamped, as Linux */
        } else if (o[0] == TCPOPT_SACK_PERM && o[1] == 2 && syn) {
            s->sack_ok = true;
        } else if (o[0] == TCPOPT_TIMESTAMP && o[1] == 10) {
            s->saw_tstamp = true;
            s->tsval = (uint32_t)o[2] << 24 | (uint32_t)o[3] << 16 | (uint32_t)o[4] << 8 | o[5];
            s->tsecr = (uint32_t)o[6] << 24 | (uint32_t)o[7] << 16 | (uint32_t)o[8] << 8 | o[9];
        } else if (o[0] == TCPOPT_SACK && o[1] >= 10 && (o[1] - 2) % 8 == 0 && !syn) {
            for (const uint8_t *b = o + 2; b < o + o[1] && s->num_sacks < 4; b += 8) {
                struct tcp_sack_block *k = &s->sacks[s->num_sacks++];
                k->start = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
                k->end = (uint32_t)b[4] << 24 | (uint32_t)b[5] << 16 | (uint32_t)b[6] << 8 | b[7];
            }
        }
        o += o[1];
    }
}

/* The send MSS (tcp_sync_mss / tcp_current_mss): the smaller of ours and the peer's,
 * less the timestamps every segment then carries (1460 - 12 = 1448 on Ethernet). The
 * path MTU it is made for is the route's, ours plus the headers (tcp_connect_init's
 * tcp_sync_mss(sk, dst_mtu(dst))). */
void tcp_set_peer_mss(struct tcp_conn *c, uint16_t peer)
{
    uint16_t p = peer ? peer : TCP_DEFAULT_MSS;
    c->mss_clamp = p;
    c->pmtu_cookie = c->adv_mss + tcp_net_header_len(c) + (uint32_t)sizeof(struct tcphdr);
    c->mss = MIN(c->adv_mss, p);
    if (c->tstamp_ok && c->mss > TCPOLEN_TSTAMP_ALIGNED + 64)
        c->mss -= TCPOLEN_TSTAMP_ALIGNED;
}

/* TIME_WAIT: the owner hears OK now; a compact record keeps the 4-tuple taken for
 * 60 s (tcp_timewait.c) and c is gone. */
static void enter_time_wait(struct tcp_conn *c)
{
    tcp_time_wait(c);
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
            tcp_conn_finish(c, TCP_DONE_REFUSED);
            return;
        }
    } else if (s->flags & TCPH_RST) {
        return;                     /* a RST in SYN_SENT must acknowledge our SYN */
    }
    if (!(s->flags & TCPH_SYN) || !(s->flags & TCPH_ACK))
        return;                     /* simultaneous open: not modelled */
    c->irs = s->seq;
    c->rcv_nxt = c->rcv_wup = s->seq + 1;
    c->snd_una = s->ack;
    c->snd_wnd = s->win;            /* a SYN-ACK's window is never scaled */
    /* tcp_rcv_synsent_state_process: what we offered stays only if the SYN-ACK has it. */
    c->tstamp_ok = c->tstamp_ok && s->saw_tstamp;
    c->sack_ok = c->sack_ok && s->sack_ok;
    c->wscale_ok = c->wscale_ok && s->wscale_ok;
    c->snd_wscale = c->wscale_ok ? s->wscale : 0;
    if (!c->wscale_ok)
        c->rcv_wscale = 0;
    if (c->tstamp_ok)
        c->ts_recent = s->tsval;
    tcp_set_peer_mss(c, s->mss);
    tcp_timer_stop(c, &c->rtx_timer);
    if (c->syn_retrans == 0)
        rtt_sample(c, net_now(c->st->net) - c->rtt_sent);
    else
        c->rto = TCP_TIMEOUT_FALLBACK;  /* RFC 6298 5.7: no sample after a lost SYN */
    c->retries = 0;
    c->state = TCPS_ESTABLISHED;
    tcp_send_ack(c);
    if (c->ops && c->ops->established)
        c->ops->established(c);
}

static bool seq_in_window(const struct tcp_conn *c, uint32_t seq)
{
    return !before(seq, c->rcv_nxt) && before(seq, c->rcv_nxt + c->rcv_wnd);
}

/* tcp_sacktag_write_queue: the SACK blocks of an ACK into the scoreboard (sorted,
 * disjoint, above snd_una). Blocks below snd_una (D-SACK) or beyond what was sent
 * are ignored; when the scoreboard is full the highest range is forgotten (its
 * bytes may be sent again). Returns the bytes newly SACKed. */
static uint32_t sacktag(struct tcp_conn *c, const struct seg *s)
{
    uint32_t newly = 0;
    for (unsigned k = 0; k < s->num_sacks; k++) {
        uint32_t a = s->sacks[k].start, b = s->sacks[k].end;
        if (!after(b, a) || !after(b, c->snd_una) || after(b, c->snd_max))
            continue;
        if (before(a, c->snd_una))
            a = c->snd_una;
        newly += b - a - tcp_sacked_in(c, a, b);
        struct tcp_sack_block nb[TCP_SACK_SB_MAX + 1];
        unsigned n = 0;
        bool placed = false;
        for (unsigned i = 0; i < c->n_sacked; i++) {
            struct tcp_sack_block r = c->sacked[i];
            if (before(r.end, a)) {
                nb[n++] = r;
            } else if (before(b, r.start)) {
                if (!placed)
                    nb[n++] = (struct tcp_sack_block){ a, b }, placed = true;
                nb[n++] = r;
            } else {
                a = before(r.start, a) ? r.start : a;
                b = after(r.end, b) ? r.end : b;
            }
        }
        if (!placed)
            nb[n++] = (struct tcp_sack_block){ a, b };
        c->n_sacked = (uint8_t)MIN(n, (unsigned)TCP_SACK_SB_MAX);
        memcpy(c->sacked, nb, c->n_sacked * sizeof nb[0]);
    }
    return newly;
}

/* The scoreboard after snd_una moved: ranges it passed go. */
static void sack_clean(struct tcp_conn *c)
{
    unsigned k = 0;
    while (k < c->n_sacked && !after(c->sacked[k].end, c->snd_una))
        k++;
    if (k) {
        memmove(c->sacked, c->sacked + k, (c->n_sacked - k) * sizeof c->sacked[0]);
        c->n_sacked = (uint8_t)(c->n_sacked - k);
    }
    if (c->n_sacked && before(c->sacked[0].start, c->snd_una))
        c->sacked[0].start = c->snd_una;
}

/* tcp_fastretrans_alert, the states it walks: the end of a recovery (snd_una passed
 * high_seq), the start of one (tcp_time_to_recover: SACKed segments, or duplicate ACKs
 * from a peer without SACK, reaching tcp_reordering = 3), Disorder while some are
 * seen. */
static void fastretrans_alert(struct tcp_conn *c)
{
    if (c->ca_state == TCP_CA_Recovery && !before(c->snd_una, c->high_seq))
        tcp_end_cwnd_reduction(c);
    else if (c->ca_state == TCP_CA_Loss && !before(c->snd_una, c->high_seq))
        c->ca_state = TCP_CA_Open;
    if (c->ca_state > TCP_CA_Disorder || c->snd_una == c->snd_max)
        return;
    uint32_t seen = c->sack_ok ? (tcp_sacked_in(c, c->snd_una, c->snd_max) + c->mss - 1) / c->mss
                               : c->dupacks;
    if (seen >= TCP_DUPACK_THRESH)
        tcp_enter_recovery(c);
    else
        c->ca_state = seen || c->dupacks ? TCP_CA_Disorder : TCP_CA_Open;
}

/* The ACK part of a segment in a synchronized state (tcp_ack): SACK blocks, the
 * cumulative ACK with the RTT sample, the loss state machine, then the window:
 * PRR during a recovery, the congestion control's growth otherwise. */
static void rcv_ack(struct tcp_conn *c, const struct seg *s)
{
    sim_time_t now = net_now(c->st->net);
    uint32_t prior_out = c->snd_max - c->snd_una;
    bool cwnd_limited = c->snd_cwnd < c->snd_ssthresh
                            ? c->snd_cwnd < 2 * ((prior_out + c->mss - 1) / c->mss)
                            : c->cwnd_limited;      /* tcp_is_cwnd_limited */
    uint32_t delivered = c->sack_ok ? sacktag(c, s) : 0;
    bool advanced = after(s->ack, c->snd_una);
    if (advanced) {
        sim_time_t sample = -1;
        if (c->rtt_timing && after(s->ack, c->rtt_seq)) {
            c->rtt_timing = false;
            sample = now - c->rtt_sent;
            rtt_sample(c, sample);
        } else {
            rto_from_rtt(c);        /* new data acknowledged: the backoff ends */
        }
        tcp_ca_rtt_sample(c, sample);
        uint32_t acked = s->ack - c->snd_una;
        c->bytes_acked += acked;
        delivered += acked - tcp_sacked_in(c, c->snd_una, s->ack);
        c->snd_una = s->ack;
        if (before(c->snd_nxt, c->snd_una))
            c->snd_nxt = c->snd_una;
        sack_clean(c);
        if (before(c->high_rxt, c->snd_una))
            c->high_rxt = c->snd_una;
        c->retries = 0;
        /* tcp_remove_reno_sacks: a partial ACK takes back the duplicates it covers. */
        uint32_t acked_segs = (acked + c->mss - 1) / c->mss;
        c->dupacks = c->ca_state == TCP_CA_Recovery && c->dupacks > acked_segs
                         ? (uint8_t)(c->dupacks - acked_segs) : 0;
        c->snd_wnd = s->win;
        if (c->snd_una == c->snd_max)
            tcp_timer_stop(c, &c->rtx_timer);
        else
            tcp_rtx_arm(c, c->rto);
    } else if (s->ack == c->snd_una && s->len == 0 && !(s->flags & TCPH_FIN) &&
               c->snd_una != c->snd_max && s->win == c->snd_wnd) {
        if (c->dupacks < UINT8_MAX)
            c->dupacks++;
        if (!c->sack_ok)
            delivered += c->mss;            /* tcp_add_reno_sack */
    } else if (s->ack == c->snd_una) {
        c->snd_wnd = s->win;
    }
    uint32_t delivered_segs = (delivered + c->mss - 1) / c->mss;
    fastretrans_alert(c);
    if (c->ca_state == TCP_CA_Recovery)
        tcp_cwnd_reduction(c, delivered_segs, advanced, tcp_packets_in_flight(c));
    else if (delivered_segs)
        tcp_cong_avoid(c, delivered_segs, cwnd_limited);
}

/* Keep [seq, end) beyond rcv_nxt for later; false when there is no room. The range
 * it lands in becomes the most recent (age 0) and the others age, which is the order
 * the SACK blocks go in (tcp_sack_new_ofo_skb moves the block it extends, or a new
 * one, to the front; tcp_sack_maybe_coalesce merges blocks that now touch). */
static bool ooo_insert(struct tcp_conn *c, uint32_t seq, uint32_t end)
{
    uint32_t ns[TCP_OOO_MAX + 1], ne[TCP_OOO_MAX + 1];
    uint8_t na[TCP_OOO_MAX + 1];
    unsigned n = 0;
    bool placed = false;
    for (unsigned i = 0; i < c->n_ooo; i++) {
        uint32_t a = c->ooo_start[i], b = c->ooo_end[i];
        uint8_t age = (uint8_t)MIN(c->ooo_age[i] + 1, UINT8_MAX);
        if (before(b, seq)) {                       /* entirely before */
            ns[n] = a, ne[n] = b, na[n++] = age;
        } else if (before(end, a)) {                /* entirely after */
            if (!placed)
                ns[n] = seq, ne[n] = end, na[n++] = 0, placed = true;
            ns[n] = a, ne[n] = b, na[n++] = age;
        } else {                                    /* overlaps or touches: merge */
            seq = before(a, seq) ? a : seq;
            end = after(b, end) ? b : end;
        }
    }
    if (!placed)
        ns[n] = seq, ne[n] = end, na[n++] = 0;
    if (n > TCP_OOO_MAX)
        return false;
    memcpy(c->ooo_start, ns, n * sizeof ns[0]);
    memcpy(c->ooo_end, ne, n * sizeof ne[0]);
    memcpy(c->ooo_age, na, n * sizeof na[0]);
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
        unsigned left = c->n_ooo - k;
        memmove(c->ooo_start, c->ooo_start + k, left * sizeof c->ooo_start[0]);
        memmove(c->ooo_end, c->ooo_end + k, left * sizeof c->ooo_end[0]);
        memmove(c->ooo_age, c->ooo_age + k, left * sizeof c->ooo_age[0]);
        c->n_ooo = (uint8_t)left;
    }
    return gained;
}

/* The peer's FIN is now in order: what tcp_fin does before any ACK goes out (it
 * schedules one; ESTABLISHED enters ping-pong mode, so the ACK waits for the
 * application's own FIN; FIN_WAIT1 and FIN_WAIT2 ACK at once). */
static void fin_arrived(struct tcp_conn *c)
{
    c->rcv_nxt++;
    c->ooo_fin = false;
    c->ack_pending = true;
    if (c->state == TCPS_ESTABLISHED)
        c->pingpong = TCP_PINGPONG_THRESH;      /* inet_csk_enter_pingpong_mode */
    else if (c->state == TCPS_FIN_WAIT1 || c->state == TCPS_FIN_WAIT2)
        c->ack_now = true;
}

/* Then the state change and the owner (after the ACK decision, as the application
 * runs after the softirq). Returns false when c is gone or done with. */
static bool rcv_fin(struct tcp_conn *c)
{
    switch (c->state) {
    case TCPS_ESTABLISHED:
        c->state = TCPS_CLOSE_WAIT;
        if (c->ops && c->ops->peer_fin)
            c->ops->peer_fin(c);
        return !c->dead;
    case TCPS_FIN_WAIT1:
        if (c->snd_una == c->snd_end + 1) {
            enter_time_wait(c);
            return false;
        }
        c->state = TCPS_CLOSING;
        return true;
    case TCPS_FIN_WAIT2:
        enter_time_wait(c);
        return false;
    default:
        return true;
    }
}

/* tcp_incr_quickack: quick ACKs for half the receive window's worth of segments, at
 * most max. */
static void incr_quickack(struct tcp_conn *c, unsigned max)
{
    unsigned q = c->rcv_wnd / (2u * c->rcv_mss);
    if (q == 0)
        q = 2;
    q = MIN(q, max);
    if (q > c->quick)
        c->quick = (uint8_t)q;
}

/* Receive buffer auto-tuning (tcp_rcv_space_adjust, net.ipv4.tcp_moderate_rcvbuf 1):
 * once per RTT, when the application read more than in the last measured RTT, the
 * window may open to about twice that plus growth room: rcvwin = 2 copied + 16 advmss,
 * plus twice its relative growth (slow start doubles each RTT). The buffer that
 * holds rcvwin is at least 2 * rcvwin (a full segment's skb truesize is at least twice
 * advmss), of which tcp_win_from_space offers half (tcp_adv_win_scale 1): the clamp
 * is rcvwin, at most tcp_rmem[2] / 2 = 3 MB. The RTT is the connection's own
 * estimate (Linux's receiver measures it from the timestamps: tcp_rcv_rtt_measure_ts). */
static void rcv_space_adjust(struct tcp_conn *c)
{
    uint32_t now = (uint32_t)(net_now(c->st->net) / MSEC);
    uint32_t rtt_ms = (uint32_t)(c->srtt / MSEC);
    if (!c->have_rtt || now - c->rcvq_time < MAX(rtt_ms, 1u))
        return;
    uint32_t copied = (uint32_t)c->bytes_received - c->rcvq_seq;
    if (copied > c->rcvq_space) {
        uint64_t rcvwin = 2ull * copied + 16ull * c->adv_mss;
        rcvwin += 2 * (rcvwin * (copied - c->rcvq_space) / c->rcvq_space);
        uint32_t clamp = (uint32_t)MIN(rcvwin, (uint64_t)TCP_RMEM_MAX / 2);
        if (c->wscale_ok && clamp > c->window_clamp)
            c->window_clamp = clamp;
        c->rcvq_space = copied;
    }
    c->rcvq_seq = (uint32_t)c->bytes_received;
    c->rcvq_time = now;
}

/* tcp_grow_window: each full in-order segment opens the window by two segments, up
 * to the clamp auto-tuning set (with the initial clamp, the initial window, it stays). */
static void grow_window(struct tcp_conn *c, uint32_t len)
{
    if (len >= 128 && c->rcv_wnd < c->window_clamp)
        c->rcv_wnd = MIN(c->rcv_wnd + 2u * c->adv_mss, c->window_clamp);
}

/* In-order data arrived (tcp_event_data_recv): the peer's segment size is measured
 * (tcp_measure_rcv_mss, its main case); the first data of a connection starts quick
 * ACKs, as does data after a silence longer than the RTO. The ATO stays at its
 * minimum (its adaptation is not modelled). */
static void data_recv(struct tcp_conn *c, uint32_t len)
{
    sim_time_t now = net_now(c->st->net);
    c->ack_pending = true;
    grow_window(c, len);
    rcv_space_adjust(c);
    if (len >= c->rcv_mss)
        c->rcv_mss = (uint16_t)MIN(len, (uint32_t)c->adv_mss);
    if (!c->ato_set) {
        incr_quickack(c, TCP_MAX_QUICKACKS);
        c->ato_set = true;
    } else if (now - c->lrcvtime > c->rto) {
        incr_quickack(c, TCP_MAX_QUICKACKS);
    }
    c->lrcvtime = now;
}

/* __tcp_ack_snd_check: ACK now when more than one full segment is unacknowledged, in
 * quick-ACK mode (quick ACKs left and not ping-pong), or when the state demands it;
 * otherwise the delayed-ACK timer (or the application's reply) will. */
static void ack_snd_check(struct tcp_conn *c)
{
    if (!c->ack_pending && !c->ack_now)
        return;
    bool quickack = c->quick && c->pingpong < TCP_PINGPONG_THRESH;
    if (c->ack_now || c->rcv_nxt - c->rcv_wup > c->rcv_mss || quickack)
        tcp_send_ack(c);
}

/* ESTABLISHED and the closing states (and SYN_RECV once its ACK is in). */
static void rcv_synchronized(struct tcp_conn *c, const struct seg *s)
{
    if (s->flags & TCPH_RST) {
        if (seq_in_window(c, s->seq))
            tcp_conn_finish(c, TCP_DONE_RESET);
        return;
    }
    if (s->flags & TCPH_SYN) {
        tcp_send_ack(c);                /* challenge ACK (RFC 5961) */
        return;
    }
    if (!(s->flags & TCPH_ACK))
        return;
    if (after(s->ack, c->snd_max)) {
        tcp_send_ack(c);                /* acknowledges what we never sent */
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
            /* orphaned: tcp_fin_timeout (tcp_fin_time, tcp.h) */
            tcp_rtx_arm(c, (sim_time_t)c->st->net->ipv4.tcp_fin_timeout * SEC);
            break;
        case TCPS_CLOSING:
            enter_time_wait(c);
            return;
        case TCPS_LAST_ACK:
            tcp_conn_finish(c, TCP_DONE_OK);
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
            if (before(s->seq, c->rcv_nxt + c->rcv_wnd)) {
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
            if (s->len)
                data_recv(c, s->len);
        }
        if (fin)
            fin_arrived(c);
        /* The ACK goes out before the owner hears of the data or FIN: Linux decides
         * it in the softirq, the application reads (and replies) later. */
        ack_snd_check(c);
        if (take && c->ops && c->ops->data) {
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
        tcp_send_ack(c);
    } else if (c->ack_pending && !c->delack_timer) {
        /* tcp_send_delayed_ack, with the ATO at its minimum */
        struct host *h = c->st->net->host;
        c->delack_timer = host_timer(h, host_now(h) + TCP_ATO_MIN, tcp_delack_timer, c, c->gen);
    }
}

static void rcv_syn_recv(struct tcp_conn *c, const struct seg *s)
{
    if (s->flags & TCPH_RST) {
        if (seq_in_window(c, s->seq))
            tcp_conn_kill(c);
        return;
    }
    if ((s->flags & TCPH_SYN) && !(s->flags & TCPH_ACK)) {
        if (s->seq == c->irs)
            tcp_transmit_seg(c, c->iss, TCPH_SYN | TCPH_ACK, 0);   /* the SYN again: SYN-ACK again */
        return;
    }
    if (!(s->flags & TCPH_ACK))
        return;
    if (s->ack != c->iss + 1) {
        tcp_xmit_raw(c->st, c->ep.laddr, c->ep.lport, c->ep.raddr, c->ep.rport, s->ack, 0,
                     TCPH_RST, 0, 0, c->flow);
        return;
    }
    tcp_leave_synq(c);
    c->snd_una = s->ack;
    c->snd_wnd = s->win;
    tcp_timer_stop(c, &c->rtx_timer);
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

void tcp_conn_rcv(struct app_ep *ep, struct sk_buff *skb)
{
    struct tcp_conn *c = (struct tcp_conn *)ep;
    struct net *net = c->st->net;
    struct seg s;
    tcp_parse_seg(skb, &s);
    consume_skb(net, skb);
    if (c->st->hook)
        c->st->hook(c->st->hook_ctx, c, false, s.flags, s.seq, s.ack, s.len);
    c->segs_in++;
    c->busy++;
    if (c->wscale_ok && !(s.flags & TCPH_SYN))
        s.win <<= c->snd_wscale;            /* RFC 7323 2.3: never a SYN's */
    /* tcp_replace_ts_recent: echo the TSval of the segment that covers our last ACK
     * point (RFC 7323 4.3); PAWS is not modelled. */
    if (c->tstamp_ok && s.saw_tstamp && c->state >= TCPS_SYN_RECV && !after(s.seq, c->rcv_wup) &&
        !before(s.tsval, c->ts_recent))
        c->ts_recent = s.tsval;
    switch (c->state) {
    case TCPS_SYN_SENT:
        rcv_syn_sent(c, &s);
        break;
    case TCPS_SYN_RECV:
        rcv_syn_recv(c, &s);
        break;
    case TCPS_TIME_WAIT:                /* a record by now (tcp_timewait.c) */
    case TCPS_CLOSED:
    case TCPS_LISTEN:
        break;
    default:
        rcv_synchronized(c, &s);
        break;
    }
    tcp_conn_unbusy(c);
}

/* ---- path MTU discovery: tcp_ipv4.c, tcp_ipv6.c ---------------------------------------- */

/* The path MTU is the connection's own (its cookie): the model keeps no route cache of
 * learned MTUs, so the route's MTU that inet_csk_update_pmtu / inet6_csk_update_pmtu
 * lowers is the cookie. A lower one makes the segments smaller and resends what no
 * longer fits (tcp_sync_mss, tcp_simple_retransmit). */
static void tcp_mtu_reduced(struct tcp_conn *c, uint32_t dst_mtu)
{
    if (c->pmtu_cookie <= dst_mtu)
        return;                         /* else let the usual retransmit timer handle it */
    uint32_t old_mss = c->mss;
    tcp_sync_mss(c, dst_mtu);
    tcp_simple_retransmit(c, old_mss);
}

/* tcp_v4_mtu_reduced (net/ipv4/tcp_ipv4.c, 6.1) through __ip_rt_update_pmtu
 * (net/ipv4/route.c): an MTU above the path's changes nothing; one below
 * ip_rt_min_pmtu (552) makes the path's MTU 552, or leaves it if it is lower. */
static void tcp_v4_mtu_reduced(struct tcp_conn *c, uint32_t mtu)
{
    uint32_t dst_mtu = c->pmtu_cookie;
    if (mtu <= dst_mtu)
        dst_mtu = mtu < IP_RT_MIN_PMTU ? MIN(dst_mtu, (uint32_t)IP_RT_MIN_PMTU) : mtu;
    tcp_mtu_reduced(c, dst_mtu);
}

/* tcp_v6_err drops a Packet Too Big below IPV6_MIN_MTU since 5.14 ("ipv6: tcp: drop
 * silly ICMPv6 packet too big messages", also taken by the stable series of the
 * time); before, __ip6_rt_update_pmtu raised it to 1280. */
#define TCP_V6_DROP_SILLY_PTB_SINCE KERNEL_VERSION(5, 14, 0)

/* tcp_v6_err's Packet Too Big and tcp_v6_mtu_reduced (net/ipv6/tcp_ipv6.c, 6.1): an
 * MTU that would not lower the send MSS is dropped; one below the path's lowers it
 * (__ip6_rt_update_pmtu). */
static void tcp_v6_mtu_reduced(struct tcp_conn *c, uint32_t mtu)
{
    if (mtu < IPV6_MIN_MTU) {
        if (c->st->net->prof->version >= TCP_V6_DROP_SILLY_PTB_SINCE)
            return;
        mtu = IPV6_MIN_MTU;
    }
    if (tcp_mtu_to_mss(c, mtu) >= c->mss)
        return;                         /* "Drop requests trying to increase our current mss" */
    tcp_mtu_reduced(c, mtu < c->pmtu_cookie ? mtu : c->pmtu_cookie);
}

void tcp_conn_err(struct app_ep *ep, uint8_t type, uint8_t code, uint32_t info)
{
    struct tcp_conn *c = (struct tcp_conn *)ep;
    if (type == ICMP_DEST_UNREACH && code == ICMP_FRAG_NEEDED) {
        /* PMTU discovery (RFC 1191, RFC 8201). A connection in SYN_RECV is a request
         * socket to the kernel (tcp_req_err ignores this); tcp_v4_mtu_reduced and
         * tcp_v6_mtu_reduced return in LISTEN and CLOSE. */
        if (c->state == TCPS_SYN_RECV || c->state == TCPS_CLOSED || c->state == TCPS_LISTEN ||
            c->dead)
            return;
        if (in6_is_key(c->ep.raddr))
            tcp_v6_mtu_reduced(c, info);
        else
            tcp_v4_mtu_reduced(c, info);
        return;
    }
    if (type == ICMP_DEST_UNREACH && c->state == TCPS_SYN_SENT) {
        /* tcp_v4_err: a hard error aborts a connect in progress. */
        tcp_conn_finish(c, code == ICMP_PORT_UNREACH ? TCP_DONE_REFUSED : TCP_DONE_UNREACH);
        return;
    }
    if (type == ICMP_DEST_UNREACH || type == ICMP_TIME_EXCEEDED) {
        c->soft_err = true;
        c->soft_code = code;
    }
}
