/* The protocol trackers: tuples from headers, and the per-protocol states and
 * timeouts for TCP, UDP, ICMP and everything else (net/netfilter/
 * nf_conntrack_proto_{tcp,udp,icmp,generic}.c).
 *
 * TCP follows the kernel's transition table (the 6.x one), its reopen and
 * "ignore" rules, ASSURED and the timeout choice. Window tracking is not modelled:
 * every segment counts as in window, as with nf_conntrack_tcp_be_liberal=1; only
 * the highest sequence end per side is kept, so that unacknowledged data still
 * caps the timeout at the "unacknowledged" value. Retransmission counting, the
 * zero-window rule and the RFC 5961 challenge-ACK case are left out. */
#include "model/netfilter/nf_conntrack_internal.h"

#include "model/ipv4/ip.h"
#include "model/net.h"

/* ---- tuples -------------------------------------------------------------------- */

static inline uint8_t icmp_type_of(const struct nf_conntrack_tuple *t)
{
    return (uint8_t)(ntohs(t->dport) >> 8);
}

bool nf_ct_get_tuple(const uint8_t *l3, uint32_t avail, struct nf_conntrack_tuple *t,
                     unsigned *l4off)
{
    if (avail < sizeof(struct iphdr))
        return false;
    const struct iphdr *iph = (const struct iphdr *)l3;
    unsigned ihl = ip_hdrlen(iph);
    if (ihl < sizeof(struct iphdr) || avail < ihl || (ntohs(iph->frag_off) & IP_OFFSET))
        return false;
    memset(t, 0, sizeof *t);
    t->src = iph->saddr;
    t->dst = iph->daddr;
    t->protonum = iph->protocol;
    *l4off = ihl;
    const uint8_t *l4 = l3 + ihl;
    uint32_t l4avail = avail - ihl;
    switch (iph->protocol) {
    case IPPROTO_TCP:
    case IPPROTO_UDP:
        /* The ports are the first 4 bytes; an ICMP quote carries at least 8. */
        if (l4avail < 8)
            return false;
        memcpy(&t->sport, l4, 2);
        memcpy(&t->dport, l4 + 2, 2);
        return true;
    case IPPROTO_ICMP:
        if (l4avail < 8)
            return false;
        memcpy(&t->sport, l4 + 4, 2);                  /* echo id */
        t->dport = htons((uint16_t)(l4[0] << 8 | l4[1])); /* type, code */
        return true;
    default:
        return true;
    }
}

/* The reply type of each ICMP query type, + 1 (0: none). */
static uint8_t icmp_reply_type(uint8_t type)
{
    switch (type) {
    case ICMP_ECHO: return ICMP_ECHOREPLY + 1;
    case ICMP_ECHOREPLY: return ICMP_ECHO + 1;
    case 13: return 14 + 1;                  /* timestamp */
    case 14: return 13 + 1;
    case 15: return 16 + 1;                  /* information request */
    case 16: return 15 + 1;
    case 17: return 18 + 1;                  /* address mask */
    case 18: return 17 + 1;
    default: return 0;
    }
}

bool nf_ct_invert_tuple(struct nf_conntrack_tuple *inverse, const struct nf_conntrack_tuple *orig)
{
    memset(inverse, 0, sizeof *inverse);
    inverse->src = orig->dst;
    inverse->dst = orig->src;
    inverse->protonum = orig->protonum;
    switch (orig->protonum) {
    case IPPROTO_TCP:
    case IPPROTO_UDP:
        inverse->sport = orig->dport;
        inverse->dport = orig->sport;
        return true;
    case IPPROTO_ICMP: {
        uint8_t inv = icmp_reply_type(icmp_type_of(orig));
        if (!inv)
            return false;
        inverse->sport = orig->sport;        /* the id is the same both ways */
        inverse->dport = htons((uint16_t)((inv - 1) << 8 | (ntohs(orig->dport) & 0xff)));
        return true;
    }
    default:
        return true;
    }
}

bool nf_ct_icmp_is_error(uint8_t type)
{
    return type == ICMP_DEST_UNREACH || type == 4 /* source quench */ || type == 5 /* redirect */ ||
           type == ICMP_TIME_EXCEEDED || type == 12 /* parameter problem */;
}

/* The quoted packet's tuple, inverted, names the entry the error is about. The
 * error must be addressed where that entry's direction goes (an error whose outer
 * destination differs is a forgery: INVALID, as in 5.x+). */
bool nf_conntrack_icmpv4_error(struct net *net, struct sk_buff *skb, unsigned l4off)
{
    const uint8_t *l3 = skb_network_header(skb);
    uint32_t avail = nf_ct_l3_avail(skb);
    unsigned inner_off = l4off + (unsigned)sizeof(struct icmphdr);
    struct nf_conntrack_tuple orig, inner;
    unsigned dummy;
    if (avail < inner_off ||
        !nf_ct_get_tuple(l3 + inner_off, avail - inner_off, &orig, &dummy) ||
        !nf_ct_invert_tuple(&inner, &orig))
        return false;
    struct nf_conntrack_tuple_hash *h = nf_conntrack_find_hash(net, &inner);
    if (!h)
        return false;
    struct nf_conn *ct = nf_ct_tuplehash_to_ctrack(h);
    if (ct->tuplehash[h->dir].tuple.dst != ip_hdr(skb)->daddr)
        return false;
    enum ip_conntrack_info ctinfo = IP_CT_RELATED;
    if (h->dir == IP_CT_DIR_REPLY)
        ctinfo = IP_CT_RELATED_REPLY;
    nf_ct_set(skb, ct, ctinfo);
    return true;
}

/* ---- TCP ------------------------------------------------------------------------ */

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

static bool tcp_seg_of(const struct sk_buff *skb, unsigned l4off, struct tcp_seg *s)
{
    const uint8_t *l3 = skb_network_header(skb);
    if (nf_ct_l3_avail(skb) < l4off + sizeof(struct tcphdr))
        return false;
    const struct iphdr *iph = (const struct iphdr *)l3;
    s->th = (const struct tcphdr *)(l3 + l4off);
    s->flags = s->th->flags;
    s->seq = ntohl(s->th->seq);
    s->ack = ntohl(s->th->ack_seq);
    uint32_t payload = ntohs(iph->tot_len) - l4off - tcp_hdrlen(s->th);
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

bool nf_ct_l4_error(const struct sk_buff *skb, unsigned l4off, uint8_t protonum)
{
    if (protonum != IPPROTO_TCP)
        return false;
    struct tcp_seg s;
    if (!tcp_seg_of(skb, l4off, &s))
        return true;
    unsigned doff = tcp_hdrlen(s.th);
    if (doff < sizeof(struct tcphdr) || nf_ct_l3_avail(skb) < l4off + doff)
        return true;
    return !tcp_valid_flags(s.flags);
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

static int tcp_packet(struct nf_conn *ct, struct sk_buff *skb, unsigned l4off,
                      enum ip_conntrack_info ctinfo)
{
    struct tcp_seg s;
    if (!tcp_seg_of(skb, l4off, &s))
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

/* ---- UDP, ICMP, the rest ----------------------------------------------------------- */

/* Unreplied: the short timeout. Once the other side has answered (a packet after
 * the first reply), a stream: the long one, and ASSURED. */
static int udp_packet(struct nf_conn *ct)
{
    const struct nf_ct_timeouts *to = &ct->net->ct->timeouts;
    if (ct->status & IPS_SEEN_REPLY) {
        nf_ct_refresh(ct, to->udp_replied);
        ct->status |= IPS_ASSURED;
    } else {
        nf_ct_refresh(ct, to->udp_unreplied);
    }
    return NF_ACCEPT;
}

/* Only a query (echo, timestamp, information, address mask) may start an entry. */
static int icmp_packet(struct nf_conn *ct)
{
    uint8_t type = icmp_type_of(&ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple);
    if (!nf_ct_is_confirmed(ct) &&
        !(type == ICMP_ECHO || type == 13 || type == 15 || type == 17))
        return -NF_ACCEPT;
    nf_ct_refresh(ct, ct->net->ct->timeouts.icmp);
    return NF_ACCEPT;
}

int nf_conntrack_handle_packet(struct nf_conn *ct, struct sk_buff *skb, unsigned l4off,
                               enum ip_conntrack_info ctinfo)
{
    switch (ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple.protonum) {
    case IPPROTO_TCP:
        return tcp_packet(ct, skb, l4off, ctinfo);
    case IPPROTO_UDP:
        return udp_packet(ct);
    case IPPROTO_ICMP:
        return icmp_packet(ct);
    default:
        nf_ct_refresh(ct, ct->net->ct->timeouts.generic);
        return NF_ACCEPT;
    }
}

/* The kernel's defaults (nf_conntrack_tcp_timeout_*, _udp_timeout[_stream],
 * _icmp_timeout, _generic_timeout). The stream timeout is 120 s as in 5.19+; 2.6
 * to 5.18 used 180 s, and 6.x only counts a flow as a stream once it has lived for
 * 2 s (neither is modelled). */
void nf_ct_timeouts_init(struct nf_ct_timeouts *t)
{
    memset(t, 0, sizeof *t);
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
    t->udp_unreplied = 30 * SEC;
    t->udp_replied = 120 * SEC;
    t->icmp = 30 * SEC;
    t->generic = 600 * SEC;
}
