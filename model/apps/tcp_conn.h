/* The applications' side of a host: a per-host demultiplexer (the "app stack") that
 * hands TCP segments, UDP datagrams and ICMP errors to the application endpoints by
 * 4-tuple, and a small TCP endpoint used by clients, servers and the health checker.
 *
 * The app stack binds the wildcard TCP, UDP and ICMP sockets of model/ipv4/sock.c once per
 * host, so any number of client groups, a server and a health checker can share a
 * host. What it cannot place is answered as the kernel answers: a TCP segment with
 * no connection and no listener gets a RST (tcp_v4_send_reset), a UDP datagram an
 * ICMP port unreachable.
 *
 * The TCP endpoint follows Linux where it matters to a load balancer and keeps the
 * rest simple. What it does:
 *   - the eleven states, three-way handshake, FIN close from either side (TIME_WAIT
 *     60 s, orphaned FIN_WAIT2 60 s: tcp_fin_timeout), RST rules of RFC 793 (a RST
 *     in SYN_SENT counts only when it acknowledges our SYN; otherwise it must fall in
 *     the receive window);
 *   - TIME_WAIT as the kernel keeps it (tcp_time_wait): the connection object is
 *     recycled and an 80-byte record holds the 4-tuple and its port, ACKs a
 *     retransmitted FIN (re-arming the 60 s) and ends on a RST (tcp_timewait.c);
 *   - the options of a 6.1 kernel (tcp_output.c: tcp_syn_options, tcp_synack_options,
 *     tcp_established_options, tcp_options_write): a SYN carries "mss 1460,sackOK,TS
 *     val X ecr 0,nop,wscale 7" (20 bytes), a SYN-ACK what the SYN offered and this host
 *     accepts, every later segment NOP, NOP, TS (12 bytes) once both sent timestamps;
 *     each option under its host's sysctl (net.ipv4.tcp_timestamps, tcp_sack,
 *     tcp_window_scaling); TSval in ms plus a per-connection offset; MSS the route's
 *     device MTU - 40, 536 when the peer sends none; segments carry at most min(ours,
 *     peer's) bytes less the timestamps (1448 on Ethernet);
 *   - window scaling: shift 7 advertised, the peer's applied to its windows; the
 *     initial window as tcp_select_initial_window rounds it (64240 in a SYN, 65160 in
 *     a SYN-ACK with timestamps), then that window >> 7; receive buffer auto-tuning
 *     (tcp_rcv_space_adjust, tcp_grow_window: tcp_input.c) opens it up to 3 MB;
 *   - congestion control (tcp_cong.c), CUBIC or Reno by net.ipv4.tcp_congestion_control:
 *     initial window 10 segments (TCP_INIT_CWND), slow start, congestion avoidance,
 *     fast recovery with PRR, the window after an RTO (tcp_enter_loss) and after idle
 *     (tcp_cwnd_restart, tcp_slow_start_after_idle);
 *   - SACK: the receiver's ACKs carry its out-of-order ranges (3 blocks beside the
 *     timestamps, the last created or extended first); the sender keeps them in a
 *     scoreboard, counts every hole below the highest SACKed byte lost in a recovery
 *     and retransmits the holes first;
 *   - SYN retransmission as Linux: initial RTO 1 s (TCP_TIMEOUT_INIT), doubling,
 *     tcp_syn_retries 6 (the connect fails 127 s after the first SYN); SYN-ACK
 *     retransmission with tcp_synack_retries 5;
 *   - data retransmission: RTO from the RTT (srtt + max(4 rttvar, 200 ms), Linux's
 *     __tcp_set_rto with TCP_RTO_MIN), 1 s before the first sample, Karn's rule, one
 *     segment timed at a time, doubling backoff up to 120 s (TCP_RTO_MAX), the
 *     connection given up after tcp_retries2 = 15 retransmissions of a segment;
 *   - listen backlog (SYN_RECV connections) with SYN cookies beyond it
 *     (tcp_syncookies = 1) or SYN drops when cookies are off.
 * What it simplifies (deliberately):
 *   - the application reads at once (the advertised window never shrinks);
 *     sender-side silly-window avoidance only; no HyStart, RACK, tail loss probe,
 *     undo (D-SACK, F-RTO), ECN or pacing (tcp_cong.c says what of each module);
 *   - timestamps feed neither RTT samples nor PAWS; a SYN cookie keeps the options in
 *     its TSval as Linux does;
 *   - loss recovery: the receiver keeps out-of-order data (up to TCP_OOO_MAX ranges)
 *     and answers each out-of-order segment with a duplicate ACK (with SACK blocks);
 *     a peer without SACK gets NewReno: the third duplicate ACK retransmits the head,
 *     each partial ACK the next;
 *   - ACK policy of tcp_input.c (__tcp_ack_snd_check, tcp_event_data_recv,
 *     tcp_incr_quickack): the first data of a connection (or data after a silence
 *     longer than the RTO) starts quick-ACK mode, up to 16 ACKs sent at once, one per
 *     segment; otherwise an ACK goes at once when more than one full segment is
 *     unacknowledged, for a duplicate or out-of-order segment or one that fills a
 *     hole, and after 40 ms (TCP_ATO_MIN, not adapted) else. Ping-pong mode (6.1:
 *     three replies within the ATO of the data they answer, or a FIN received in
 *     ESTABLISHED) suspends quick ACKs; a delayed ACK that fires ends it. The ACK is
 *     decided before the application hears of the data, as the softirq runs before
 *     it: a server's reply after its quick ACK, a client's FIN|ACK after a FIN;
 *   - a server may close right after its answer (close_after_response): its FIN goes
 *     first and the client reads to EOF; the handshake's third ACK is always sent on
 *     its own, as Linux does;
 *   - PSH is set on the last segment of each message the application sends;
 *   - ICMP: in SYN_SENT a destination unreachable (other than fragmentation needed)
 *     aborts the connect (port unreachable as ECONNREFUSED, the others as
 *     unreachable); later it is a soft error reported only if the connection then
 *     times out, as tcp_v4_err does;
 *   - path MTU discovery (tcp_v4_err / tcp_v6_err -> tcp_v4_mtu_reduced /
 *     tcp_v6_mtu_reduced, 6.1): fragmentation needed or a Packet Too Big quoting a
 *     sequence number in [snd_una, snd_nxt] and giving an MTU below the connection's
 *     path MTU lowers it (IPv4: not below 552, ip_rt_min_pmtu; IPv6: an MTU below 1280
 *     is ignored since 5.14, raised to 1280 before); tcp_sync_mss makes the new send
 *     MSS (1460 - 40 - 20 - 12 = 1388 over IPv6 with timestamps) and
 *     tcp_simple_retransmit resends what is in flight in segments of it, in Loss
 *     without touching the window (ssthresh = tcp_current_ssthresh). The path MTU is
 *     the connection's (no route cache shared with later connections, no MTU
 *     probing); what is in flight counts as one skb, as a GSO write is: all of it is
 *     lost when it is longer than the new MSS;
 *   - payload is virtual: only byte counts travel. */
#ifndef IPVSIM_MODEL_APPS_TCP_CONN_H
#define IPVSIM_MODEL_APPS_TCP_CONN_H

#include <stdbool.h>
#include <stdint.h>
#include "sim/event.h"
#include "sim/proto.h"
#include "sim/rng.h"
#include "sim/skb.h"
#include "sim/time.h"

struct net;
struct app_stack;

/* Linux's net.ipv4.ip_local_port_range */
#define EPHEMERAL_PORT_LOW  32768
#define EPHEMERAL_PORT_HIGH 60999

#define TCP_TIMEOUT_INIT    (1 * SEC)
#define TCP_TIMEOUT_FALLBACK (3 * SEC)  /* RTO after a handshake that needed a retransmission */
#define TCP_RTO_MIN         (200 * MSEC)
#define TCP_RTO_MAX         (120 * SEC)
#define TCP_DELACK_MIN      (40 * MSEC)
#define TCP_TIMEWAIT_LEN    (60 * SEC)
#define TCP_FIN_TIMEOUT     (60 * SEC)
#define TCP_SYN_RETRIES     6
#define TCP_SYNACK_RETRIES  5
#define TCP_RETRIES2        15
#define TCP_RCV_WND         65535u
#define TCP_DEFAULT_MSS     536         /* when the peer sends no MSS option */
#define TCP_LISTEN_BACKLOG  511         /* nginx's and Apache's listen(): min(511, somaxconn) */
#define UDP_MAX_PAYLOAD     1472        /* a 1500-byte IPv4 packet */
#define TCP_OOO_MAX         8           /* out-of-order ranges a receiver keeps */
#define TCP_DUPACK_THRESH   3           /* tcp_reordering */
#define TCP_INIT_CWND       10          /* include/net/tcp.h (since 3.0) */
#define TCP_MAX_QUICKACKS   16          /* include/net/tcp.h */
#define TCP_PINGPONG_THRESH 3           /* include/net/inet_connection_sock.h, 5.1 to 6.5 */
#define TCP_ATO_MIN         (40 * MSEC) /* HZ / 25 */
#define TCP_MAX_WSCALE      14
#define TCP_RCV_WSCALE      7           /* tcp_select_initial_window: ilog2(tcp_rmem[2] = 6 MB) - 15 */
#define TCPOLEN_TSTAMP_ALIGNED 12       /* NOP, NOP, kind 8, length 10, TSval, TSecr */
#define TCPOLEN_SACK_BASE_ALIGNED 4     /* NOP, NOP, kind 5, length */
#define TCPOLEN_SACK_PERBLOCK 8
#define TCP_SACK_SB_MAX     8           /* SACKed ranges a sender keeps */
#define TCP_INFINITE_SSTHRESH 0x7fffffffu
#define TCP_RMEM_DEFAULT    131072      /* tcp_rmem[1] */
#define TCP_RMEM_MAX        6291456     /* tcp_rmem[2] */
#define TCP_MIN_SND_MSS     48          /* net.ipv4.tcp_min_snd_mss (TCP_MIN_SND_MSS) */
#define IP_RT_MIN_PMTU      552         /* ip_rt_min_pmtu: 512 + 20 + 20 (route.c) */

/* ---- endpoints and the per-host stack ----------------------------------------------- */

/* A 4-tuple from this host's side, which is also the stack's hash key: fields and
 * key share their bytes, so an endpoint or a TIME_WAIT record stores its 4-tuple once
 * (the stack zeroes key_pad). Both begin with it: the endpoint table keys either by
 * its first 16 bytes. */
#define APP_TUPLE                                                                       \
    union {                                                                             \
        struct {                                                                        \
            be32 laddr, raddr;                                                          \
            be16 lport, rport;                                                          \
            uint8_t proto;                                                              \
            uint8_t key_pad[3];                                                         \
        };                                                                              \
        uint64_t key[2];            /* private: the stack's hash key */                 \
    }

/* A 4-tuple endpoint, from this host's side. */
struct app_ep {
    APP_TUPLE;                      /* set before app_ep_add, unchanged while added */
    /* A segment or datagram for this 4-tuple: skb->data at the L4 header (network
     * header set); the callee owns skb. */
    void (*rcv)(struct app_ep *ep, struct sk_buff *skb);
    /* An ICMP error quoting one of our packets (optional), in ICMP's terms (an
     * ICMPv6 error as icmpv6_err_convert maps it; a Packet Too Big is fragmentation
     * needed); info is the error's 32-bit field in host order: the next-hop MTU of
     * fragmentation needed or Packet Too Big (the kernel's err handlers' info). */
    void (*err)(struct app_ep *ep, uint8_t type, uint8_t code, uint32_t info);
    bool hashed;
};

/* The host's stack, created on first use (binding the wildcard sockets); one
 * reference per caller. */
struct app_stack *app_stack_get(struct net *net);
/* Drop a reference; the last one unbinds the wildcard sockets, cancels the timers of
 * the connections and TIME_WAIT records it still holds and frees everything. The host and
 * the world must still exist: free the applications before world_destroy. */
void app_stack_put(struct app_stack *st);
struct net *app_stack_net(const struct app_stack *st);

/* Register / remove an endpoint; false when the 4-tuple is taken. */
bool app_ep_add(struct app_stack *st, struct app_ep *ep);
void app_ep_del(struct app_stack *st, struct app_ep *ep);
/* The endpoint of a 4-tuple (a connection open, a UDP one); NULL if none (free, or
 * held by a TIME_WAIT record: tcp_twsk_unique decides about those). */
struct app_ep *app_ep_find(struct app_stack *st, uint8_t proto, be32 laddr, be16 lport, be32 raddr,
                           be16 rport);

/* A free ephemeral port of laddr for proto: drawn uniformly in
 * EPHEMERAL_PORT_LOW..HIGH from r, then the next free one upwards (wrapping), as a
 * connect() with an unbound socket gets one. Marks it used. 0 when every port of the
 * range is in use (EADDRNOTAVAIL). */
be16 app_port_alloc(struct app_stack *st, uint8_t proto, be32 laddr, struct rng *r);
/* The same walk, offering each port in use to reuse (when not NULL), which may free it
 * for this caller (true: the port is taken). */
be16 app_port_alloc_reuse(struct app_stack *st, uint8_t proto, be32 laddr, struct rng *r,
                          bool (*reuse)(void *ctx, be16 port), void *ctx);
void app_port_release(struct app_stack *st, uint8_t proto, be32 laddr, be16 port);
/* Start loading the ports of laddr for proto, which a connection will soon take from
 * (a client's addresses are many, and each is rarely in cache). Changes nothing. */
void app_port_prefetch(const struct app_stack *st, uint8_t proto, be32 laddr);
/* The second stage, once laddr's ports are in cache: start loading what a connection
 * from laddr to raddr:rport will read if r draws what it would now (a copy of the
 * stream is drawn from): the port map kept apart from its slot (a list's first line, or
 * a bitmap's word at the walk's start), and the endpoint tables' slots of the 4-tuple
 * with that port (app_ep_add asks both). Changes nothing. */
void app_port_prefetch_walk(const struct app_stack *st, uint8_t proto, be32 laddr, struct rng r,
                            be32 raddr, be16 rport);
bool app_port_in_use(const struct app_stack *st, uint8_t proto, be32 laddr, be16 port);

/* Consume, silently, every TCP/UDP packet delivered here for an address in
 * net/prefix (a SYN flood host's spoofed sources). */
void app_stack_drop_net(struct app_stack *st, be32 net, uint8_t prefix);

/* A UDP listener: datagrams to port (any local address) that no endpoint wants. */
struct udp_listener {
    be16 port;
    void (*rcv)(struct udp_listener *l, struct sk_buff *skb);  /* owns skb */
    void *ctx;
};
bool udp_listen(struct app_stack *st, struct udp_listener *l);
void udp_unlisten(struct app_stack *st, struct udp_listener *l);

/* Send a UDP datagram of payload bytes (virtual) from saddr:sport; flow tags it.
 * Returns 0 or a negative errno (no route, no buffer). */
int app_udp_send(struct net *net, be32 saddr, be16 sport, be32 daddr, be16 dport,
                 uint32_t payload, uint64_t flow);

struct app_stack_stats {
    uint64_t tcp_rst_sent, udp_unreach_sent, dropped_net;
    uint64_t tcp_conns, tcp_conns_max;     /* tcp_conn objects alive (not TIME_WAIT) */
    uint64_t tcp_tw;                /* sockets in TIME_WAIT (compact records) */
    uint64_t tcp_tw_records;        /* records held: those of tcp_tw, and those killed by
                                       a RST or replaced, until their expiry time */
};
const struct app_stack_stats *app_stack_stats(const struct app_stack *st);

/* ---- TCP ------------------------------------------------------------------------------ */

enum tcp_state {
    TCPS_CLOSED,
    TCPS_LISTEN,
    TCPS_SYN_SENT,
    TCPS_SYN_RECV,
    TCPS_ESTABLISHED,
    TCPS_FIN_WAIT1,
    TCPS_FIN_WAIT2,
    TCPS_CLOSE_WAIT,
    TCPS_LAST_ACK,
    TCPS_TIME_WAIT,
    TCPS_CLOSING,
};
const char *tcp_state_name(enum tcp_state s);

/* How a connection ended, for its owner. */
enum tcp_done {
    TCP_DONE_OK,                    /* closed with FIN both ways (or our FIN acked and
                                       the orphaned FIN_WAIT2 expired) */
    TCP_DONE_REFUSED,               /* RST answering our SYN, or ICMP port unreachable */
    TCP_DONE_RESET,                 /* RST after the handshake */
    TCP_DONE_TIMEOUT,               /* retransmissions exhausted */
    TCP_DONE_UNREACH,               /* ICMP destination unreachable */
};

/* The states of the sender's loss machine (include/net/inet_connection_sock.h, enum
 * tcp_ca_state); TCP_CA_CWR (ECN, local congestion) is not modelled. */
enum tcp_ca_state {
    TCP_CA_Open,
    TCP_CA_Disorder,                /* SACKs or duplicate ACKs seen, no loss yet */
    TCP_CA_Recovery,                /* fast retransmit and recovery (PRR) */
    TCP_CA_Loss,                    /* after an RTO */
};

/* net.ipv4.tcp_congestion_control, in the sysctl's value order. */
enum tcp_ca_algo {
    TCP_CA_CUBIC,                   /* the default since 2.6.19 */
    TCP_CA_RENO,
};

struct tcp_sack_block {
    uint32_t start, end;
};

/* CUBIC's per-connection state: struct bictcp of net/ipv4/tcp_cubic.c without its
 * HyStart fields (times in ms). */
struct bictcp {
    uint32_t cnt;                   /* segments ACKed per cwnd increment */
    uint32_t last_max_cwnd;         /* W_max */
    uint32_t last_cwnd, last_time;  /* at the last update */
    uint32_t bic_origin_point, bic_K;
    uint32_t delay_min;             /* the smallest RTT seen, us */
    uint32_t epoch_start;           /* ms; 0: no epoch */
    uint32_t ack_cnt, tcp_cwnd;     /* the TCP-friendly (Reno) estimate */
};

struct tcp_conn;

/* What the owner hears. Every callback may call tcp_conn_send, _close or _abort. */
struct tcp_conn_ops {
    void (*established)(struct tcp_conn *c);
    void (*data)(struct tcp_conn *c, uint32_t bytes, bool psh);    /* in-order payload */
    void (*peer_fin)(struct tcp_conn *c);                           /* the peer closed */
    /* The last call: the owner must forget c (it is recycled when done returns; a
     * TIME_WAIT lives on in a record, not in c). */
    void (*done)(struct tcp_conn *c, enum tcp_done why);
};

struct tcp_conn {
    struct app_ep ep;               /* 4-tuple; registered with the stack */
    struct app_stack *st;
    enum tcp_state state;
    const struct tcp_conn_ops *ops; /* NULL once the owner has been told done */
    void *ctx;
    uint64_t flow;                  /* skb->flow of every packet it sends */
    struct tcp_listener *listener;  /* the listener that accepted it (server side) */
    bool own_port;                  /* release ep.lport when freed */
    bool in_synq;                   /* counted in listener->qlen (SYN_RECV, not a cookie) */
    bool app_closed;                /* the owner called close */
    bool fin_queued;
    bool ack_now, ack_pending;
    bool rtt_timing;
    bool soft_err;
    uint8_t soft_code;
    uint16_t adv_mss, mss;          /* ours; effective send MSS (options deducted) */
    uint16_t mss_clamp;             /* the peer's MSS option, 536 without (rx_opt.mss_clamp) */
    uint32_t pmtu_cookie;           /* the path MTU mss was made for (icsk_pmtu_cookie) */
    /* Options negotiated in the handshake (offered by us, then kept when the peer's
     * SYN or SYN-ACK carries them too): tcp_output.c writes them, tcp_input.c reads. */
    bool tstamp_ok, sack_ok, wscale_ok;
    uint8_t snd_wscale, rcv_wscale; /* the peer's shift (its windows), ours */
    uint8_t quick;                  /* quick ACKs left (the ACK policy, below) */
    uint32_t ts_off, ts_recent;     /* our TSval offset; the TSval we echo */
    uint32_t rcv_wnd;               /* the window we advertise, in bytes (rcv_ssthresh) */
    /* send sequence space */
    uint32_t iss, snd_una, snd_nxt, snd_max, snd_end;   /* snd_end: after the queued data */
    uint32_t snd_wnd;
    /* receive */
    uint32_t irs, rcv_nxt;
    /* The ACK policy of tcp_input.c (Linux's icsk_ack): rcv_nxt at our last ACK, the
     * peer's segment size as measured, the ping-pong count, whether data has arrived
     * yet (Linux's ato != 0) and when the last data did. */
    uint32_t rcv_wup;
    uint16_t rcv_mss;
    uint8_t pingpong;
    bool ato_set;
    sim_time_t lrcvtime;
    uint32_t ooo_start[TCP_OOO_MAX], ooo_end[TCP_OOO_MAX];  /* sorted, disjoint */
    uint8_t ooo_age[TCP_OOO_MAX];   /* 0: the range last created or extended (SACK order) */
    uint8_t n_ooo;
    bool ooo_fin;                   /* a FIN arrived out of order, at ooo_fin_seq */
    uint32_t ooo_fin_seq;
    /* Receive buffer auto-tuning (tcp_rcv_space_adjust): the window's ceiling, the
     * bytes read in the last measured RTT, bytes_received and the time (ms) when that
     * measure began. */
    uint32_t window_clamp, rcvq_space, rcvq_seq, rcvq_time;
    /* Congestion control (tcp_cong.c): the window in segments, Linux's tcp_sock
     * fields of the same names; the loss state machine of tcp_input.c. */
    uint32_t snd_cwnd, snd_ssthresh, snd_cwnd_cnt;
    uint32_t prior_cwnd, prr_delivered, prr_out;    /* PRR (tcp_cwnd_reduction) */
    uint32_t high_seq;              /* snd_max when Recovery or Loss began */
    uint32_t high_rxt;              /* retransmitted up to here in this episode */
    uint32_t lsndtime;              /* ms: the last data sent (tcp_event_data_sent) */
    uint8_t ca_state;               /* enum tcp_ca_state */
    uint8_t ca;                     /* enum tcp_ca_algo: the host's sysctl at creation */
    bool cwnd_limited;              /* the last send loop stopped at the window */
    uint8_t dupacks;                /* duplicate ACKs in a row (a peer without SACK) */
    uint8_t n_sacked;
    struct tcp_sack_block sacked[TCP_SACK_SB_MAX];  /* the SACK scoreboard: sorted */
    struct bictcp cubic;            /* CUBIC's state (unused under Reno) */
    /* timers */
    sim_event_id rtx_timer, delack_timer;
    sim_time_t rto, srtt, rttvar;
    bool have_rtt;
    uint32_t rtt_seq;
    sim_time_t rtt_sent;
    uint32_t retries;               /* consecutive retransmissions of the head segment */
    /* counters */
    uint32_t syn_retrans;
    uint64_t segs_out, segs_in, retrans_segs;
    uint64_t bytes_acked, bytes_received;
    /* private */
    uint32_t gen;                   /* timers carry it: a stale event is ignored */
    int busy;                       /* inside a receive or timer handler */
    bool dead;
    struct tcp_conn *next, *prev;   /* the stack's list of live connections */
};

/* May a connect() from laddr:lport, bound by the application (bind() before
 * connect()), have the 4-tuple? Yes when it is free, or when a TIME_WAIT connection
 * holds it: Linux takes it over then, ending the TIME_WAIT, and starts the new ISN
 * past the old one (*isn = its snd_nxt + 65535 + 2; else *isn is left alone). That is
 * tcp_twsk_unique (net/ipv4/tcp_ipv4.c, 6.1) for a bound port, which
 * __inet_hash_connect checks with twp NULL: it needs the TIME_WAIT socket to hold a
 * peer timestamp, as Linux's own peers' (tcp_timestamps 1 by default) always give
 * it. No, EADDRNOTAVAIL, while a connection uses the tuple. */
bool tcp_twsk_unique(struct app_stack *st, be32 laddr, be16 lport, be32 raddr, be16 rport,
                     uint32_t *isn);
/* A TCP connect()'s ephemeral port to raddr:rport: app_port_alloc's walk, in which a
 * port whose 4-tuple is in TIME_WAIT is taken over in its turn when
 * net.ipv4.tcp_tw_reuse allows it (1; 2, the default since 4.19: only to or from
 * 127.0.0.0/8; 0 never): __inet_hash_connect calling tcp_twsk_unique with twp set. The
 * record must hold a peer timestamp and be older than its second (time_after32 on
 * tw_ts_recent_stamp, which the model takes as the time the record was last armed).
 * *isn as tcp_twsk_unique sets it when a record is taken over, else left alone. */
be16 tcp_port_alloc(struct app_stack *st, be32 laddr, be32 raddr, be16 rport, struct rng *r,
                    uint32_t *isn);

/* Open a connection (sends the SYN at once). lport comes from app_port_alloc: the
 * connection owns it from now on and releases it when freed. NULL (port released)
 * when the 4-tuple is taken or there is no route. */
struct tcp_conn *tcp_connect(struct app_stack *st, be32 laddr, be16 lport, be32 raddr,
                             be16 rport, uint32_t isn, uint64_t flow,
                             const struct tcp_conn_ops *ops, void *ctx);
/* Queue bytes of (virtual) data; PSH goes on the segment that ends it. */
void tcp_conn_send(struct tcp_conn *c, uint64_t bytes);
/* close(): a FIN after the queued data. In SYN_SENT/SYN_RECV the connection is
 * dropped silently; the owner hears done later (or never, for those). */
void tcp_conn_close(struct tcp_conn *c);
/* Forget the connection now; with send_rst, a RST tells the peer (SO_LINGER 0).
 * The owner hears nothing more. */
void tcp_conn_abort(struct tcp_conn *c, bool send_rst);
/* Change the owner (a listener's accept callback takes the connection). */
static inline void tcp_conn_set_owner(struct tcp_conn *c, const struct tcp_conn_ops *ops, void *ctx)
{
    c->ops = ops;
    c->ctx = ctx;
}
/* Bytes queued and not yet acknowledged. */
uint64_t tcp_conn_unacked(const struct tcp_conn *c);

/* A listening socket on port (every local address). */
struct tcp_listen_ops {
    /* A SYN with no connection: accept it (true) or refuse with a RST (false). */
    bool (*syn)(struct tcp_listener *l, const struct sk_buff *skb);
    /* The handshake completed: c is ESTABLISHED; set its owner. */
    void (*accept)(struct tcp_listener *l, struct tcp_conn *c);
};

struct tcp_listener {
    be16 port;
    const struct tcp_listen_ops *ops;
    void *ctx;
    struct rng isn;                 /* ISNs of the SYN-ACKs */
    uint64_t cookie_secret;
    uint32_t backlog;               /* SYN_RECV connections at most; 0 = TCP_LISTEN_BACKLOG */
    bool syncookies;                /* beyond the backlog: cookies (else drop the SYN) */
    uint32_t qlen;                  /* SYN_RECV connections now */
    uint64_t syns, cookies_sent, cookies_ok, syn_drops;
};
/* The caller owns l (it must outlive the stack's use of it: until app_stack_put). */
bool tcp_listen(struct app_stack *st, struct tcp_listener *l);
/* Close the listener (no more SYNs accepted: they get a RST); connections stay. */
void tcp_unlisten(struct app_stack *st, struct tcp_listener *l);
/* Drop every connection the listener accepted or is accepting, silently (a crash:
 * the host forgets them). The owners hear nothing. */
void tcp_listener_purge(struct app_stack *st, struct tcp_listener *l);

/* Observe every segment a host's app stack sends or receives (tests, tracing); c is
 * NULL for a segment of a connection in TIME_WAIT (its record is no tcp_conn). */
typedef void (*tcp_seg_hook)(void *ctx, const struct tcp_conn *c, bool out, uint8_t flags,
                             uint32_t seq, uint32_t ack, uint32_t len);
void app_stack_set_seg_hook(struct app_stack *st, tcp_seg_hook fn, void *ctx);

#endif
