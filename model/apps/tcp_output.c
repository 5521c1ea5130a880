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
#include "sim/host.h"
#include "sim/pkt.h"
#include "sim/sim.h"

/* ---- sending TCP segments -------------------------------------------------------------- */

/* A segment from laddr:lport to raddr:rport (no connection needed: SYN cookies). */
bool tcp_xmit_raw(struct app_stack *st, be32 laddr, be16 lport, be32 raddr, be16 rport,
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

uint16_t route_mss(struct net *net, be32 raddr)
{
    struct rtable *rt = ip_route_output(net, raddr);
    uint32_t mtu = rt && rt->dev ? rt->dev->mtu : ETH_DATA_LEN;
    uint32_t mss = mtu > 40 ? mtu - 40 : TCP_DEFAULT_MSS;
    return (uint16_t)MIN(mss, 65495u);
}

void tcp_transmit_seg(struct tcp_conn *c, uint32_t seq, uint8_t flags, uint32_t len)
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

void tcp_output(struct tcp_conn *c)
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
        tcp_transmit_seg(c, c->snd_nxt, flags, len);
        c->snd_nxt += len + fin;
        if (after(c->snd_nxt, c->snd_max))
            c->snd_max = c->snd_nxt;
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
        c->retries++;
        c->rto = backoff(c->rto);
        c->rtt_timing = false;             /* Karn: never time a retransmission */
        c->snd_nxt = c->snd_una;           /* go back to the first unacknowledged byte */
        c->in_recovery = true;
        c->fast_recovery = false;
        c->dupacks = 0;
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
    if (c->ack_pending)
        tcp_send_ack(c);
}
