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
#include "sim/pkt.h"

#define TCPOPT_MSS 2

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

void tcp_set_peer_mss(struct tcp_conn *c, uint16_t peer)
{
    uint16_t p = peer ? peer : TCP_DEFAULT_MSS;
    c->mss = MIN(c->adv_mss, p);
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
    c->rcv_nxt = s->seq + 1;
    c->snd_una = s->ack;
    c->snd_wnd = s->win;
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
    return !before(seq, c->rcv_nxt) && before(seq, c->rcv_nxt + TCP_RCV_WND);
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
    tcp_transmit_seg(c, c->snd_una, flags, len);
    tcp_rtx_arm(c, c->rto);
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
            tcp_timer_stop(c, &c->rtx_timer);
        else
            tcp_rtx_arm(c, c->rto);
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
            tcp_send_ack(c);
            enter_time_wait(c);
            return false;
        }
        c->state = TCPS_CLOSING;
        return true;
    case TCPS_FIN_WAIT2:
        tcp_send_ack(c);
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
            tcp_rtx_arm(c, TCP_FIN_TIMEOUT);   /* orphaned: tcp_fin_timeout */
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
        tcp_send_ack(c);
    } else if (c->ack_pending && !c->delack_timer) {
        struct host *h = c->st->net->host;
        c->delack_timer = host_timer(h, host_now(h) + TCP_DELACK_MIN, tcp_delack_timer, c, c->gen);
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

void tcp_conn_err(struct app_ep *ep, uint8_t type, uint8_t code)
{
    struct tcp_conn *c = (struct tcp_conn *)ep;
    if (type == ICMP_DEST_UNREACH && code == ICMP_FRAG_NEEDED)
        return;
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
