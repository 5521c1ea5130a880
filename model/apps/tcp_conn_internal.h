/* What the files of the applications' TCP/UDP stack share and the callers of
 * tcp_conn.h need not see: the per-host stack, an arriving segment as parsed, and the
 * functions one part calls in another. The parts: app_stack.c (endpoints, ports, UDP,
 * the wildcard sockets), tcp_conn.c (connection objects, the owner's calls),
 * tcp_input.c (the state machine), tcp_output.c (sending, timers) and tcp_listener.c
 * (backlog, SYN cookies). */
#ifndef IPVSIM_MODEL_APPS_TCP_CONN_INTERNAL_H
#define IPVSIM_MODEL_APPS_TCP_CONN_INTERNAL_H

#include <glib.h>
#include "model/apps/tcp_conn.h"
#include "sim/pkt.h"

#define MAX_DROP_NETS 8

/* The endpoints, or the TIME_WAIT records, by 4-tuple (a stack has one table of
 * each): open addressing with linear probing, at most half full; deletion shifts the following entries back, so there
 * are no tombstones. Never iterated: its order cannot leak into a run. A slot is one
 * word, so that at 10^6 records (2^21 slots) the table costs 16 MB, not 24:
 *   bits 0..47   the object's address (user-space addresses of x86-64 and arm64 Linux
 *                fit in 47 bits; app_stack.c refuses one that does not), bit 0 set for
 *                a struct tcp_tw (objects are 8-byte aligned, so bit 0 is free);
 *   bits 48..63  the top 16 bits of the 4-tuple's 64-bit hash, so that a probe rarely
 *                touches an object that is not the one sought (1 in 65536).
 * 0 is an empty slot. */
typedef uint64_t ep_slot;

struct ep_table {
    ep_slot *slots;
    uint32_t mask;                  /* capacity - 1 (capacity a power of two) */
    uint32_t count;
};

/* A connection in TIME_WAIT, kept as the kernel keeps it: not the full socket but a
 * struct tcp_timewait_sock (include/linux/tcp.h; inet_timewait_sock.h), made by
 * tcp_time_wait (net/ipv4/tcp_minisocks.c) when the socket enters TIME_WAIT. It holds
 * what a segment arriving for the 4-tuple needs (tcp_timewait_state_process): the
 * 4-tuple (registered in the connection's place), snd_nxt and rcv_nxt for the
 * ACK of a retransmitted FIN, and when it expires. Records come from a pool in
 * chunks (tcp_timewait.c); next links them on the TIME_WAIT list (one FIFO for the
 * stack: every record lives TCP_TIMEWAIT_LEN) or on the pool's free list. The model
 * has only the TIME_WAIT substate: an orphaned FIN_WAIT2 stays a full connection. */
struct tcp_tw {
    APP_TUPLE;                      /* the connection's, in its place in the table */
    sim_time_t expires;
    uint32_t flow;                  /* skb->flow of the ACKs it sends (a conversation id:
                                       below 2^32, tcp_time_wait checks) */
    uint32_t last_oow_ack;          /* tw_last_oow_ack_time, jiffies; 0: none */
    uint32_t snd_nxt, rcv_nxt;      /* tw_snd_nxt, tw_rcv_nxt */
    uint32_t next;                  /* pool index of the next record; 0: none */
    uint32_t ts_recent, ts_off;     /* tw_ts_recent (the TSval it echoes), tw_ts_offset */
    uint16_t rcv_wnd_field;         /* tw_rcv_wnd >> tw_rcv_wscale: its ACKs' window */
    bool hashed : 1;                /* false: killed (a RST) or replaced (a retransmitted
                                       FIN re-arms by a new record); the record is
                                       reclaimed when the list reaches it */
    bool own_port : 1;              /* releases lport on expiry (the connection's) */
    bool tstamp_ok : 1;             /* its ACKs carry timestamps (tcp_v4_timewait_ack) */
};                                  /* 56 bytes: at 10^6 connections, most of them */

/* The ephemeral ports in use by (protocol, local address): app_port.c. */
struct port_map;
struct port_tab {
    struct port_map *slots;
    uint32_t mask, count;
};

void port_tab_init(struct port_tab *t);
void port_tab_free(struct port_tab *t);

struct tcp_tw_pool {
    struct tcp_tw **chunks;         /* TW_CHUNK records each; index i at chunk i / TW_CHUNK */
    uint32_t nchunks;
    uint32_t next_new;              /* indices below it have been handed out; 0 is none */
    uint32_t free;                  /* free list (through next) */
    uint32_t head, tail;            /* the TIME_WAIT list, oldest first */
    sim_event_id event;             /* the list's one queue event: the head's expiry */
};

struct app_stack {
    struct net *net;
    int refs;
    struct ep_table eps;            /* app_ep.key -> app_ep (lookups only) */
    struct ep_table tws;            /* the 4-tuples in TIME_WAIT -> struct tcp_tw: apart,
                                       so that the live connections' table, which most
                                       segments look up, stays small enough to be in
                                       cache (at 10^5 connections a client holds 10^5
                                       records and a few hundred live connections) */
    struct port_tab ports;          /* ephemeral ports in use (app_port.c) */
    GPtrArray *tcp_listeners;       /* struct tcp_listener *, registration order */
    GPtrArray *udp_listeners;
    struct { be32 net, mask; } drops[MAX_DROP_NETS];
    unsigned ndrops;
    struct tcp_conn *live;          /* connections alive, oldest first */
    struct tcp_conn *live_tail;
    struct tcp_conn *free;          /* recycled connection objects */
    struct tcp_tw_pool tw;          /* TIME_WAIT records */
    struct app_stack_stats stats;
    tcp_seg_hook hook;
    void *hook_ctx;
};

static inline bool before(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static inline bool after(uint32_t a, uint32_t b) { return before(b, a); }

/* An arriving segment's header fields, in host order (tcp_parse_seg). */
struct seg {
    uint32_t seq, ack, len;
    uint8_t flags;
    uint32_t win;                   /* as sent; tcp_conn_rcv scales it (wscale_ok) */
    uint16_t mss;                   /* MSS option, 0 if none */
    bool saw_tstamp, sack_ok, wscale_ok;
    uint8_t wscale;
    uint32_t tsval, tsecr;
    uint8_t num_sacks;              /* SACK blocks, as sent (not checked) */
    struct tcp_sack_block sacks[4];
};

/* ---- app_stack.c ---- */

/* The holder of a 4-tuple: its full endpoint, or NULL with *tw set to its TIME_WAIT
 * record (NULL when the 4-tuple is free). */
struct app_ep *app_tuple_find(struct app_stack *st, uint8_t proto, be32 laddr, be16 lport,
                              be32 raddr, be16 rport, struct tcp_tw **tw);
/* Start loading the slots where app_ep_add and app_tuple_find will look for a 4-tuple. */
void app_tuple_prefetch(const struct app_stack *st, uint8_t proto, be32 laddr, be16 lport,
                        be32 raddr, be16 rport);
/* The endpoint table's entries for TIME_WAIT: tw takes ep's 4-tuple and place (ep is
 * no longer hashed); to takes from's (a re-armed record); tw leaves the table. */
void app_tw_hash(struct app_stack *st, struct app_ep *ep, struct tcp_tw *tw);
void app_tw_rehash(struct app_stack *st, struct tcp_tw *from, struct tcp_tw *to);
void app_tw_unhash(struct app_stack *st, struct tcp_tw *tw);
/* Start loading tw's slot in the table (app_tw_unhash will need it). */
void app_tw_prefetch(const struct app_stack *st, const struct tcp_tw *tw);

/* ---- tcp_output.c: sending and timers ---- */

bool tcp_xmit_spec(struct app_stack *st, be32 laddr, be32 raddr, const struct tcp_spec *t,
                   uint32_t len, uint64_t flow);
/* The NOP, NOP, timestamp option (tcp_established_options) into opts[12]. */
void tcp_put_ts_option(uint8_t *opts, uint32_t tsval, uint32_t tsecr);
bool tcp_xmit_raw(struct app_stack *st, be32 laddr, be16 lport, be32 raddr, be16 rport,
                  uint32_t seq, uint32_t ack, uint8_t flags, uint16_t mss, uint32_t len,
                  uint64_t flow);
uint16_t route_mss(struct net *net, be32 raddr);
/* The IP header's length on c's path: 20, or 40 over IPv6 (icsk_af_ops->net_header_len). */
uint32_t tcp_net_header_len(const struct tcp_conn *c);
/* tcp_mtu_to_mss: the send MSS a path MTU gives c (options deducted). */
uint32_t tcp_mtu_to_mss(const struct tcp_conn *c, uint32_t pmtu);
/* tcp_sync_mss: c's send MSS from now on made for pmtu, which becomes its cookie. */
void tcp_sync_mss(struct tcp_conn *c, uint32_t pmtu);
unsigned tcp_syn_options(bool tstamp, bool sack, bool wscale, uint8_t rcv_wscale,
                         uint32_t tsval, uint32_t tsecr, uint8_t *o);
uint32_t tcp_ts_now(const struct tcp_conn *c);
/* The TSval a socket with offset ts_off sends now (ms; tcp_time_stamp_raw + ts_off). */
uint32_t tcp_ts_at(const struct net *net, uint32_t ts_off);
void tcp_init_options(struct tcp_conn *c);
void tcp_transmit_seg(struct tcp_conn *c, uint32_t seq, uint8_t flags, uint32_t len);
void tcp_send_ack(struct tcp_conn *c);
void tcp_output(struct tcp_conn *c);
/* The sender's view of its retransmission queue (tcp_output.c): bytes SACKed in
 * [a, b); where the lost bytes end (nothing lost: snd_una); segments in flight
 * (tcp_packets_in_flight: sent, less SACKed and lost, plus retransmitted). */
uint32_t tcp_sacked_in(const struct tcp_conn *c, uint32_t a, uint32_t b);
uint32_t tcp_lost_end(const struct tcp_conn *c);
uint32_t tcp_packets_in_flight(const struct tcp_conn *c);
void tcp_timer_stop(struct tcp_conn *c, sim_event_id *id);
void tcp_rtx_arm(struct tcp_conn *c, sim_time_t delay);
void tcp_conn_cancel_timers(struct tcp_conn *c);
void tcp_delack_timer(struct sim *sim, void *obj, uint64_t arg);

/* ---- tcp_cong.c: congestion control ---- */

uint32_t tcp_slow_start(struct tcp_conn *c, uint32_t acked);
void tcp_cong_avoid_ai(struct tcp_conn *c, uint32_t w, uint32_t acked);
uint32_t tcp_cubic_root(uint64_t a);
void tcp_ca_init(struct tcp_conn *c);
void tcp_cong_avoid(struct tcp_conn *c, uint32_t acked, bool cwnd_limited);
void tcp_ca_rtt_sample(struct tcp_conn *c, sim_time_t rtt);
void tcp_ca_data_sent(struct tcp_conn *c, bool pipe_empty);
void tcp_cwnd_restart_check(struct tcp_conn *c);
void tcp_enter_recovery(struct tcp_conn *c);
void tcp_cwnd_reduction(struct tcp_conn *c, uint32_t newly_acked_sacked, bool snd_una_advanced,
                        uint32_t in_flight);
void tcp_end_cwnd_reduction(struct tcp_conn *c);
void tcp_enter_loss(struct tcp_conn *c);
/* tcp_simple_retransmit: after tcp_sync_mss lowered the MSS, resend what no longer
 * fits (path MTU discovery). */
void tcp_simple_retransmit(struct tcp_conn *c, uint32_t old_mss);

/* ---- tcp_conn.c: connection objects ---- */

struct tcp_conn *tcp_conn_alloc(struct app_stack *st);
void tcp_conn_release(struct tcp_conn *c);
void tcp_leave_synq(struct tcp_conn *c);
void tcp_conn_kill(struct tcp_conn *c);
void tcp_conn_unbusy(struct tcp_conn *c);
void tcp_conn_finish(struct tcp_conn *c, enum tcp_done why);

/* ---- tcp_input.c: receiving ---- */

void tcp_parse_seg(const struct sk_buff *skb, struct seg *s);
void tcp_set_peer_mss(struct tcp_conn *c, uint16_t peer);
void tcp_conn_rcv(struct app_ep *ep, struct sk_buff *skb);
void tcp_conn_err(struct app_ep *ep, uint8_t type, uint8_t code, uint32_t info);

/* ---- tcp_timewait.c: TIME_WAIT records ---- */

void tcp_time_wait(struct tcp_conn *c);
bool tcp_tw_rcv(struct app_stack *st, struct tcp_tw *tw, struct sk_buff *skb, uint32_t *isn);
void tcp_tw_purge_listener(struct app_stack *st, const struct tcp_listener *l);
void tcp_tw_free_all(struct app_stack *st);

/* ---- tcp_listener.c: listeners ---- */

struct tcp_listener *tcp_listener_for(struct app_stack *st, be16 port);
void tcp_send_reset(struct app_stack *st, struct sk_buff *skb);
/* tw_isn: the ISN a TIME_WAIT socket chose for a SYN that reopens its 4-tuple (0: none). */
void tcp_listener_rcv(struct app_stack *st, struct tcp_listener *l, struct sk_buff *skb,
                      uint32_t tw_isn);

#endif
