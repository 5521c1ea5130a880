/* The TCP tracker (net/netfilter/nf_conntrack_proto_tcp.c): the kernel's
 * transition table (the 6.x one), its reopen and "ignore" rules, ASSURED and the
 * timeout choice, the flag checks of tcp_error, and the state names.
 *
 * Window tracking is not modelled: every segment counts as in window, as with
 * nf_conntrack_tcp_be_liberal=1; only the highest sequence end per side is kept,
 * so that unacknowledged data still caps the timeout at the "unacknowledged"
 * value. Retransmission counting, the zero-window rule and the RFC 5961
 * challenge-ACK case are left out. */
#include "model/netfilter/nf_conntrack_internal.h"

#include <stdio.h>
#include "model/ipv4/ip.h"
#include "model/net.h"

enum tcp_bit_set { TCP_SYN_SET, TCP_SYNACK_SET, TCP_FIN_SET, TCP_ACK_SET, TCP_RST_SET, TCP_NONE_SET };

#define NO_ TCP_CONNTRACK_NONE
#define SS TCP_CONNTRACK_SYN_SENT
#define SR TCP_CONNTRACK_SYN_RECV
#define ES TCP_CONNTRACK_ESTABLISHED
#define FW TCP_CONNTRACK_FIN_WAIT
#define CW TCP_CONNTRACK_CLOSE_WAIT
#define LA TCP_CONNTRACK_LAST_ACK
#define TW TCP_CONNTRACK_TIME_WAIT
#define CL TCP_CONNTRACK_CLOSE
#define S2 TCP_CONNTRACK_SYN_SENT2
#define IV TCP_CONNTRACK_MAX
#define IG TCP_CONNTRACK_IGNORE

/* [direction][segment kind][current state] -> next state (IV: invalid, IG:
 * ignored). Columns: NONE SYN_SENT SYN_RECV ESTABLISHED FIN_WAIT CLOSE_WAIT
 * LAST_ACK TIME_WAIT CLOSE SYN_SENT2. */
static const uint8_t tcp_conntracks[2][6][TCP_CONNTRACK_MAX] = {
    {   /* original direction */
        { SS, SS, IG, IG, IG, IG, IG, SS, SS, S2 },     /* SYN */
        { IV, IV, SR, IV, IV, IV, IV, IV, IV, SR },     /* SYN+ACK */
        { IV, IV, FW, FW, LA, LA, LA, TW, CL, IV },     /* FIN */
        { ES, IV, ES, ES, CW, CW, TW, TW, CL, IV },     /* ACK */
        { IV, CL, CL, CL, CL, CL, CL, CL, CL, CL },     /* RST */
        { IV, IV, IV, IV, IV, IV, IV, IV, IV, IV },     /* none of these */
    },
    {   /* reply direction */
        { IV, S2, IV, IV, IV, IV, IV, SS, IV, S2 },
        { IV, SR, IG, IG, IG, IG, IG, IG, IG, SR },
        { IV, IV, FW, FW, LA, LA, LA, TW, CL, IV },
        { IV, IG, SR, ES, CW, CW, TW, TW, CL, IG },
        { IV, CL, CL, CL, CL, CL, CL, CL, CL, CL },
        { IV, IV, IV, IV, IV, IV, IV, IV, IV, IV },
    },
};

static unsigned tcp_index(uint8_t flags)
{
    if (flags & TCPH_RST)
        return TCP_RST_SET;
    if (flags & TCPH_SYN)
        return flags & TCPH_ACK ? TCP_SYNACK_SET : TCP_SYN_SET;
    if (flags & TCPH_FIN)
        return TCP_FIN_SET;
    return flags & TCPH_ACK ? TCP_ACK_SET : TCP_NONE_SET;
}

static inline bool seq_after(uint32_t a, uint32_t b) { return (int32_t)(a - b) > 0; }

/* tcp_special's "no verdict yet: go on with the transition" (never a verdict). */
#define TCP_GO_ON 0x100

struct tcp_seg {
    const struct tcphdr *th;
    uint8_t flags;
    uint32_t seq, ack, end;             /* end: seq + payload + SYN + FIN */
};

static bool tcp_seg_of(const struct sk_buff *skb, unsigned dataoff, struct tcp_seg *s)
{
    const uint8_t *l3 = skb_network_header(skb);
    if (nf_ct_l3_avail(skb) < dataoff + sizeof(struct tcphdr))
        return false;
    s->th = (const struct tcphdr *)(l3 + dataoff);
    s->flags = s->th->flags;
    s->seq = ntohl(s->th->seq);
    s->ack = ntohl(s->th->ack_seq);
    /* IPv6's payload length leaves out its fixed header */
    uint32_t tot_len = (l3[0] >> 4) == 6
                           ? ntohs(((const struct ipv6hdr *)l3)->payload_len) + sizeof(struct ipv6hdr)
                           : ntohs(((const struct iphdr *)l3)->tot_len);
    uint32_t payload = tot_len - dataoff - tcp_hdrlen(s->th);
    s->end = s->seq + payload + !!(s->flags & TCPH_SYN) + !!(s->flags & TCPH_FIN);
    return true;
}

/* The flag combinations a tracker accepts (PSH, ECE and CWR are always fine). */
static bool tcp_valid_flags(uint8_t flags)
{
    switch (flags & (TCPH_FIN | TCPH_SYN | TCPH_RST | TCPH_ACK | TCPH_URG)) {
    case TCPH_SYN:
    case TCPH_SYN | TCPH_URG:
    case TCPH_SYN | TCPH_ACK:
    case TCPH_RST:
    case TCPH_RST | TCPH_ACK:
    case TCPH_FIN | TCPH_ACK:
    case TCPH_FIN | TCPH_ACK | TCPH_URG:
    case TCPH_ACK:
    case TCPH_ACK | TCPH_URG:
        return true;
    default:
        return false;
    }
}

/* nf_conntrack_proto_tcp.c, tcp_error (5.x+: called from
 * nf_conntrack_tcp_packet): a truncated header or a flag combination no TCP
 * sends makes the packet invalid before any lookup. */
static int tcp_error(struct net *net, struct sk_buff *skb, unsigned dataoff)
{
    struct tcp_seg s;
    bool bad = !tcp_seg_of(skb, dataoff, &s);
    if (!bad) {
        unsigned doff = tcp_hdrlen(s.th);
        bad = doff < sizeof(struct tcphdr) || nf_ct_l3_avail(skb) < dataoff + doff ||
              !tcp_valid_flags(s.flags);
    }
    if (!bad)
        return NF_ACCEPT;
    nf_l4proto_log_invalid(net, skb, "INVALID: malformed for its protocol");
    return -NF_ACCEPT;
}

/* May this segment start an entry? A SYN always; anything else the table allows
 * from NONE (a bare ACK) only when picking up mid-stream is allowed. */
static bool tcp_new(struct nf_conn *ct, const struct tcp_seg *s)
{
    unsigned state = tcp_conntracks[0][tcp_index(s->flags)][TCP_CONNTRACK_NONE];
    if (state >= TCP_CONNTRACK_MAX)
        return false;
    if (state != TCP_CONNTRACK_SYN_SENT && !ct->net->ct->tcp_loose)
        return false;
    memset(&ct->tcp, 0, sizeof ct->tcp);
    ct->tcp.seen[0].td_end = s->end;
    ct->tcp.seen[0].flags = IP_CT_TCP_FLAG_SEEN;
    ct->tcp.last_index = TCP_NONE_SET;
    return true;
}

/* Sequence bookkeeping in place of window tracking: which side has data the other
 * has not acknowledged yet. */
static void tcp_track_data(struct ip_ct_tcp *t, unsigned dir, const struct tcp_seg *s)
{
    struct ip_ct_tcp_state *snd = &t->seen[dir], *rcv = &t->seen[!dir];
    if (!(snd->flags & IP_CT_TCP_FLAG_SEEN)) {
        snd->td_end = s->end;
        snd->flags |= IP_CT_TCP_FLAG_SEEN;
        /* Picked up mid-stream: the peer's end is what this side acknowledges. */
        if (!(s->flags & TCPH_SYN) && (s->flags & TCPH_ACK) && !(rcv->flags & IP_CT_TCP_FLAG_SEEN)) {
            rcv->td_end = s->ack;
            rcv->flags |= IP_CT_TCP_FLAG_SEEN;
        }
    } else if (seq_after(s->end, snd->td_end)) {
        snd->td_end = s->end;
        snd->flags |= IP_CT_TCP_FLAG_DATA_UNACKNOWLEDGED;
    }
    if ((s->flags & TCPH_ACK) && (rcv->flags & IP_CT_TCP_FLAG_SEEN) && s->ack == rcv->td_end)
        rcv->flags &= (uint8_t)~IP_CT_TCP_FLAG_DATA_UNACKNOWLEDGED;
}

static sim_time_t tcp_timeout(const struct nf_conn *ct, unsigned index, unsigned state)
{
    const sim_time_t *to = ct->net->ct->timeouts.tcp;
    uint8_t flags = ct->tcp.seen[0].flags | ct->tcp.seen[1].flags;
    if (index == TCP_RST_SET)
        return to[TCP_CONNTRACK_CLOSE];
    if ((flags & IP_CT_TCP_FLAG_DATA_UNACKNOWLEDGED) && to[state] > to[TCP_CONNTRACK_UNACK])
        return to[TCP_CONNTRACK_UNACK];
    return to[state];
}

/* An ignored segment changes nothing but is remembered: a SYN/ACK answering a SYN
 * that was ignored puts the tracker back in step. */
static int tcp_ignore(struct ip_ct_tcp *t, unsigned dir, unsigned index, const struct tcp_seg *s,
                      unsigned *old, unsigned *new_state)
{
    if (index == TCP_SYNACK_SET && t->last_index == TCP_SYN_SET && t->last_dir != dir &&
        s->ack == t->last_end) {
        *old = TCP_CONNTRACK_SYN_SENT;
        *new_state = TCP_CONNTRACK_SYN_RECV;
        t->seen[t->last_dir].td_end = t->last_end;
        t->seen[t->last_dir].flags = IP_CT_TCP_FLAG_SEEN;
        memset(&t->seen[dir], 0, sizeof t->seen[dir]);
        return TCP_GO_ON;
    }
    t->last_index = (uint8_t)index;
    t->last_dir = (uint8_t)dir;
    t->last_end = s->end;
    return NF_ACCEPT;
}

/* The transition's special cases: reopening, ignoring, invalid, simultaneous
 * open. Returns TCP_GO_ON to carry on with *new_state, or the verdict. */
static int tcp_special(struct nf_conn *ct, struct sk_buff *skb, enum ip_conntrack_info ctinfo,
                       unsigned index, const struct tcp_seg *s, unsigned *old,
                       unsigned *new_state)
{
    struct ip_ct_tcp *t = &ct->tcp;
    unsigned dir = CTINFO2DIR(ctinfo);
    switch (*new_state) {
    case TCP_CONNTRACK_SYN_SENT:
        if (*old < TCP_CONNTRACK_TIME_WAIT)
            return TCP_GO_ON;
        /* A SYN on a closed or aborted connection: drop the old entry and look up
         * again, so the SYN starts a fresh one. */
        if (((t->seen[0].flags | t->seen[1].flags) & IP_CT_TCP_FLAG_CLOSE_INIT) ||
            (t->last_dir == dir && t->last_index == TCP_RST_SET)) {
            nf_ct_kill_acct(ct, ctinfo, skb);
            return -NF_REPEAT;
        }
        /* fall through */
    case TCP_CONNTRACK_IGNORE:
        ct->net->ct->stat.ignore++;
        return tcp_ignore(t, dir, index, s, old, new_state);
    case TCP_CONNTRACK_MAX:
        return -NF_ACCEPT;
    case TCP_CONNTRACK_SYN_SENT2:
        t->last_flags |= IP_CT_TCP_SIMULTANEOUS_OPEN;
        return TCP_GO_ON;
    case TCP_CONNTRACK_SYN_RECV:
        if (dir == IP_CT_DIR_REPLY && index == TCP_ACK_SET &&
            (t->last_flags & IP_CT_TCP_SIMULTANEOUS_OPEN))
            *new_state = TCP_CONNTRACK_ESTABLISHED;
        return TCP_GO_ON;
    default:
        return TCP_GO_ON;
    }
}

/* nf_conntrack_proto_tcp.c, nf_conntrack_tcp_packet (4.x tcp_packet). */
static int tcp_packet(struct nf_conn *ct, struct sk_buff *skb, unsigned dataoff,
                      enum ip_conntrack_info ctinfo)
{
    struct tcp_seg s;
    if (!tcp_seg_of(skb, dataoff, &s))
        return -NF_ACCEPT;
    if (!nf_ct_is_confirmed(ct) && !tcp_new(ct, &s))
        return -NF_ACCEPT;
    struct ip_ct_tcp *t = &ct->tcp;
    unsigned dir = CTINFO2DIR(ctinfo), index = tcp_index(s.flags);
    unsigned old = t->state, new_state = tcp_conntracks[dir][index][old];
    int r = tcp_special(ct, skb, ctinfo, index, &s, &old, &new_state);
    if (r != TCP_GO_ON)
        return r;
    tcp_track_data(t, dir, &s);
    t->last_index = (uint8_t)index;
    t->last_dir = (uint8_t)dir;
    t->state = (uint8_t)new_state;
    if (old != new_state && new_state == TCP_CONNTRACK_FIN_WAIT)
        t->seen[dir].flags |= IP_CT_TCP_FLAG_CLOSE_INIT;
    sim_time_t timeout = tcp_timeout(ct, index, new_state);
    const sim_time_t *to = ct->net->ct->timeouts.tcp;
    if (!(ct->status & IPS_SEEN_REPLY)) {
        /* The only answer so far is a reset: no connection worth keeping. */
        if (s.flags & TCPH_RST) {
            nf_ct_kill_acct(ct, ctinfo, skb);
            return NF_ACCEPT;
        }
        /* Picked up mid-stream and never answered: not the 5-day timeout. */
        if (new_state == TCP_CONNTRACK_ESTABLISHED && timeout > to[TCP_CONNTRACK_UNACK])
            timeout = to[TCP_CONNTRACK_UNACK];
    } else if (!(ct->status & IPS_ASSURED) && new_state == TCP_CONNTRACK_ESTABLISHED &&
               (old == TCP_CONNTRACK_SYN_RECV || old == TCP_CONNTRACK_ESTABLISHED)) {
        ct->status |= IPS_ASSURED;
    }
    nf_ct_refresh(ct, timeout);
    return NF_ACCEPT;
}

#undef NO_
#undef SS
#undef SR
#undef ES
#undef FW
#undef CW
#undef LA
#undef TW
#undef CL
#undef S2
#undef IV
#undef IG

/* ---- state names, traces, timeouts ---------------------------------------------- */

enum tcp_conntrack nf_ct_tcp_state(const struct nf_conn *ct)
{
    return nf_ct_protonum(ct) == IPPROTO_TCP ? (enum tcp_conntrack)ct->tcp.state
                                             : TCP_CONNTRACK_NONE;
}

/* tcp_conntrack_names[] */
const char *tcp_conntrack_name(enum tcp_conntrack state)
{
    static const char *const names[] = {
        "NONE", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT", "CLOSE_WAIT",
        "LAST_ACK", "TIME_WAIT", "CLOSE", "SYN_SENT2",
    };
    return (unsigned)state < TCP_CONNTRACK_MAX ? names[state] : "NONE";
}

static void tcp_print_tuple(char *buf, size_t len, const struct nf_conntrack_tuple *t,
                            const char *src, const char *dst)
{
    snprintf(buf, len, "tcp %s:%u -> %s:%u", src, ntohs(t->sport), dst, ntohs(t->dport));
}

/* tcp_print_conntrack prints the state; a trace note shows the transition. */
static void tcp_print_conntrack(char *buf, size_t len, const struct nf_conn *ct, unsigned old_state)
{
    snprintf(buf, len, " [%s -> %s]", tcp_conntrack_name((enum tcp_conntrack)old_state),
             tcp_conntrack_name((enum tcp_conntrack)ct->tcp.state));
}

/* tcp_timeouts[] (nf_conntrack_tcp_timeout_* sysctls), set by
 * nf_conntrack_tcp_init_net. */
void nf_conntrack_tcp_init_net(struct nf_ct_timeouts *t)
{
    t->tcp[TCP_CONNTRACK_SYN_SENT] = 120 * SEC;
    t->tcp[TCP_CONNTRACK_SYN_RECV] = 60 * SEC;
    t->tcp[TCP_CONNTRACK_ESTABLISHED] = 5 * 24 * 3600 * SEC;
    t->tcp[TCP_CONNTRACK_FIN_WAIT] = 120 * SEC;
    t->tcp[TCP_CONNTRACK_CLOSE_WAIT] = 60 * SEC;
    t->tcp[TCP_CONNTRACK_LAST_ACK] = 30 * SEC;
    t->tcp[TCP_CONNTRACK_TIME_WAIT] = 120 * SEC;
    t->tcp[TCP_CONNTRACK_CLOSE] = 10 * SEC;
    t->tcp[TCP_CONNTRACK_SYN_SENT2] = 120 * SEC;
    t->tcp[TCP_CONNTRACK_RETRANS] = 300 * SEC;
    t->tcp[TCP_CONNTRACK_UNACK] = 300 * SEC;
}

const struct nf_conntrack_l4proto nf_conntrack_l4proto_tcp = {
    .l4proto = IPPROTO_TCP,
    .pkt_to_tuple = nf_ct_get_tuple_ports,
    .invert_tuple = nf_ct_invert_tuple_ports,
    .error = tcp_error,
    .packet = tcp_packet,
    .print_tuple = tcp_print_tuple,
    .print_conntrack = tcp_print_conntrack,
};
