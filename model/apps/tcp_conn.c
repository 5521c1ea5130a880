/* A TCP connection's life: allocating and recycling the objects (timers carry a
 * generation so that a recycled object ignores its predecessor's), the ways a
 * connection ends, and the calls its owner makes. The rest of the endpoint is split
 * by what it does: tcp_input.c, tcp_output.c, tcp_listener.c, and the per-host
 * stack in app_stack.c; tcp_conn.h says what is modelled and what is not.
 * Kernel: net/ipv4/tcp.c (tcp_close, tcp_done, tcp_set_state), tcp_ipv4.c
 * (tcp_v4_connect). */
#include "model/apps/tcp_conn_internal.h"

#include <glib.h>
#include <string.h>
#include "model/net.h"
#include "model/ipv4/route.h"
#include "model/ipv6/ipv6.h"
#include "model/ipv6/transp_v6.h"
#include "sim/in6_key.h"

/* ---- connection objects ------------------------------------------------------------------ */

struct tcp_conn *tcp_conn_alloc(struct app_stack *st)
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
    c->ep.rcv = tcp_conn_rcv;
    c->ep.err = tcp_conn_err;
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

void tcp_conn_release(struct tcp_conn *c)
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

void tcp_leave_synq(struct tcp_conn *c)
{
    if (c->in_synq) {
        c->in_synq = false;
        c->listener->qlen--;
    }
}

/* The connection is gone: no more packets reach it, no timer runs. The object is
 * recycled once no handler is running on it. */
void tcp_conn_kill(struct tcp_conn *c)
{
    if (c->dead)
        return;
    c->dead = true;
    c->ops = NULL;
    tcp_leave_synq(c);
    c->state = TCPS_CLOSED;
    tcp_conn_cancel_timers(c);
    app_ep_del(c->st, &c->ep);
    if (c->own_port)
        app_port_release(c->st, IPPROTO_TCP, c->ep.laddr, c->ep.lport);
    if (!c->busy)
        tcp_conn_release(c);
}

void tcp_conn_unbusy(struct tcp_conn *c)
{
    if (--c->busy == 0 && c->dead)
        tcp_conn_release(c);
}

/* Tell the owner (once) and forget the connection. */
void tcp_conn_finish(struct tcp_conn *c, enum tcp_done why)
{
    const struct tcp_conn_ops *ops = c->ops;
    c->ops = NULL;
    c->busy++;
    if (ops && ops->done)
        ops->done(c, why);
    tcp_conn_kill(c);
    tcp_conn_unbusy(c);
}

/* ---- the owner's calls ------------------------------------------------------------------ */

/* Does raddr have a route (ip_route_connect; ip6_dst_lookup_flow for an IPv6 key)?
 * When not, OutNoRoutes of the family is counted, as connect() failing does. */
static bool connect_route_ok(struct net *net, be32 raddr)
{
    if (in6_is_key(raddr)) {
        if (ip6_route_ok(net, raddr))
            return true;
        if (net->ipv6)
            net->ipv6->mib.out_no_routes++;
        return false;
    }
    if (ip_route_output(net, raddr))
        return true;
    net->mib.out_no_routes++;
    return false;
}

struct tcp_conn *tcp_connect(struct app_stack *st, be32 laddr, be16 lport, be32 raddr,
                             be16 rport, uint32_t isn, uint64_t flow,
                             const struct tcp_conn_ops *ops, void *ctx)
{
    if (!connect_route_ok(st->net, raddr)) {
        app_port_release(st, IPPROTO_TCP, laddr, lport);
        return NULL;
    }
    struct tcp_conn *c = tcp_conn_alloc(st);
    c->ep.laddr = laddr;
    c->ep.lport = lport;
    c->ep.raddr = raddr;
    c->ep.rport = rport;
    if (!app_ep_add(st, &c->ep)) {
        app_port_release(st, IPPROTO_TCP, laddr, lport);
        c->dead = true;
        tcp_conn_release(c);
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
    tcp_init_options(c);
    c->rtt_sent = net_now(st->net);
    tcp_transmit_seg(c, c->iss, TCPH_SYN, 0);
    tcp_rtx_arm(c, c->rto);
    return c;
}

void tcp_conn_send(struct tcp_conn *c, uint64_t bytes)
{
    if (c->dead || c->fin_queued || bytes == 0)
        return;
    tcp_cwnd_restart_check(c);
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
        tcp_conn_kill(c);
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
        tcp_transmit_seg(c, c->snd_nxt, TCPH_RST | TCPH_ACK, 0);
    tcp_conn_kill(c);
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
