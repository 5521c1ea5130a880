/* IPVS's TCP (ip_vs_proto_tcp.c): the state machine with its tables as data, as
 * net/netfilter/ipvs/ip_vs_proto_tcp.c has them (tcp_states, tcp_states_dos,
 * tcp_timeouts), set_tcp_state, tcp_conn_schedule and the NAT handlers. */
#include "model/ipvs/ip_vs_proto.h"

#include <glib.h>
#include <netinet/in.h>
#include "model/ipvs/ip_vs_conn.h"
#include "model/ipvs/ip_vs_core.h"
#include "model/net.h"
#include "model/profile.h"
#include "sim/pkt.h"
#include "sim/proto.h"

/* Short names for the table cells. */
#define NO IP_VS_TCP_S_NONE
#define ES IP_VS_TCP_S_ESTABLISHED
#define SS IP_VS_TCP_S_SYN_SENT
#define SR IP_VS_TCP_S_SYN_RECV
#define FW IP_VS_TCP_S_FIN_WAIT
#define TW IP_VS_TCP_S_TIME_WAIT
#define CL IP_VS_TCP_S_CLOSE
#define CW IP_VS_TCP_S_CLOSE_WAIT
#define LA IP_VS_TCP_S_LAST_ACK
#define LI IP_VS_TCP_S_LISTEN
#define SA IP_VS_TCP_S_SYNACK

enum { EV_SYN, EV_FIN, EV_ACK, EV_RST, EV_COUNT };

/* [direction][event][current state] -> next state */
static const unsigned char tcp_states[3][EV_COUNT][IP_VS_TCP_S_LAST] = {
    [IP_VS_DIR_INPUT] = {
        /*          NO  ES  SS  SR  FW  TW  CL  CW  LA  LI  SA */
        [EV_SYN] = { SR, ES, ES, SR, SR, SR, SR, SR, SR, SR, SR },
        [EV_FIN] = { CL, CW, SS, TW, TW, TW, CL, CW, LA, LI, TW },
        [EV_ACK] = { ES, ES, SS, ES, FW, TW, CL, CW, CL, LI, ES },
        [EV_RST] = { CL, CL, CL, SR, CL, CL, CL, CL, LA, LI, SR },
    },
    [IP_VS_DIR_OUTPUT] = {
        [EV_SYN] = { SS, ES, SS, SR, SS, SS, SS, SS, SS, LI, SR },
        [EV_FIN] = { TW, FW, SS, TW, FW, TW, CL, TW, LA, LI, TW },
        [EV_ACK] = { ES, ES, SS, ES, FW, TW, CL, CW, LA, ES, ES },
        [EV_RST] = { CL, CL, SS, CL, CL, TW, CL, CL, CL, CL, CL },
    },
    [IP_VS_DIR_INPUT_ONLY] = {
        [EV_SYN] = { SR, ES, ES, SR, SR, SR, SR, SR, SR, SR, SR },
        [EV_FIN] = { CL, FW, SS, TW, FW, TW, CL, CW, LA, LI, TW },
        [EV_ACK] = { ES, ES, SS, ES, FW, TW, CL, CW, CL, LI, ES },
        [EV_RST] = { CL, CL, CL, SR, CL, CL, CL, CL, LA, LI, CL },
    },
};

/* The secure_tcp table (tcp_states_dos). */
static const unsigned char tcp_states_dos[3][EV_COUNT][IP_VS_TCP_S_LAST] = {
    [IP_VS_DIR_INPUT] = {
        /*          NO  ES  SS  SR  FW  TW  CL  CW  LA  LI  SA */
        [EV_SYN] = { SR, ES, ES, SR, SR, SR, SR, SR, SR, SR, SA },
        [EV_FIN] = { CL, CW, SS, TW, TW, TW, CL, CW, LA, LI, SA },
        [EV_ACK] = { ES, ES, SS, SR, FW, TW, CL, CW, CL, LI, SA },
        [EV_RST] = { CL, CL, CL, SR, CL, CL, CL, CL, LA, LI, CL },
    },
    [IP_VS_DIR_OUTPUT] = {
        [EV_SYN] = { SS, ES, SS, SA, SS, SS, SS, SS, SS, LI, SA },
        [EV_FIN] = { TW, FW, SS, TW, FW, TW, CL, TW, LA, LI, TW },
        [EV_ACK] = { ES, ES, SS, ES, FW, TW, CL, CW, LA, ES, ES },
        [EV_RST] = { CL, CL, SS, CL, CL, TW, CL, CL, CL, CL, CL },
    },
    [IP_VS_DIR_INPUT_ONLY] = {
        [EV_SYN] = { SA, ES, ES, SR, SA, SA, SA, SA, SA, SA, SA },
        [EV_FIN] = { CL, FW, SS, TW, FW, TW, CL, CW, LA, LI, TW },
        [EV_ACK] = { ES, ES, SS, ES, FW, TW, CL, CW, CL, LI, ES },
        [EV_RST] = { CL, CL, CL, SR, CL, CL, CL, CL, LA, LI, CL },
    },
};

const unsigned ip_vs_tcp_default_timeouts[IP_VS_TCP_S_LAST + 1] = {
    [IP_VS_TCP_S_NONE] = 2,
    [IP_VS_TCP_S_ESTABLISHED] = 15 * 60,
    [IP_VS_TCP_S_SYN_SENT] = 2 * 60,
    [IP_VS_TCP_S_SYN_RECV] = 1 * 60,
    [IP_VS_TCP_S_FIN_WAIT] = 2 * 60,
    [IP_VS_TCP_S_TIME_WAIT] = 2 * 60,
    [IP_VS_TCP_S_CLOSE] = 10,
    [IP_VS_TCP_S_CLOSE_WAIT] = 60,
    [IP_VS_TCP_S_LAST_ACK] = 30,
    [IP_VS_TCP_S_LISTEN] = 2 * 60,
    [IP_VS_TCP_S_SYNACK] = 2 * 60,
    [IP_VS_TCP_S_LAST] = 2,
};

static const char *const tcp_state_names[IP_VS_TCP_S_LAST + 1] = {
    "NONE", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT", "TIME_WAIT", "CLOSE",
    "CLOSE_WAIT", "LAST_ACK", "LISTEN", "SYNACK", "BUG!",
};

const char *ip_vs_tcp_state_name(int state)
{
    return state >= 0 && state < IP_VS_TCP_S_LAST ? tcp_state_names[state] : "BUG!";
}

/* The event a segment stands for: RST over SYN over FIN over ACK. */
static int tcp_state_idx(uint8_t flags)
{
    if (flags & TCPH_RST)
        return EV_RST;
    if (flags & TCPH_SYN)
        return EV_SYN;
    if (flags & TCPH_FIN)
        return EV_FIN;
    if (flags & TCPH_ACK)
        return EV_ACK;
    return -1;
}

int ip_vs_tcp_next_state(int state, enum ip_vs_dir dir, uint8_t tcp_flags, bool secure)
{
    int ev = tcp_state_idx(tcp_flags);
    if (ev < 0)
        return IP_VS_TCP_S_CLOSE;   /* no SYN, FIN, ACK or RST: straight to CLOSE */
    if (state < 0 || state >= IP_VS_TCP_S_LAST)
        return state;
    return (secure ? tcp_states_dos : tcp_states)[dir][ev][state];
}

/* The cells of 2.6.34's tables (tcp_states and tcp_states_dos alike) that differ
 * from the later ones: an ACK with no state yet closed the connection there; the
 * change that brought sloppy_tcp (~3.11) made it ESTABLISHED, so that a connection
 * picked up in the middle is counted as one. */
static const struct {
    unsigned char dir, ev, state, next;
} tcp_cells_2_6_34[] = {
    { IP_VS_DIR_INPUT, EV_ACK, NO, CL },
    { IP_VS_DIR_INPUT_ONLY, EV_ACK, NO, CL },
};

int ip_vs_tcp_next_state_era(bool none_ack_es, int state, enum ip_vs_dir dir, uint8_t tcp_flags,
                             bool secure)
{
    int next = ip_vs_tcp_next_state(state, dir, tcp_flags, secure);
    if (none_ack_es)
        return next;
    int ev = tcp_state_idx(tcp_flags);
    for (size_t i = 0; i < sizeof tcp_cells_2_6_34 / sizeof tcp_cells_2_6_34[0]; i++)
        if (tcp_cells_2_6_34[i].dir == dir && tcp_cells_2_6_34[i].ev == ev &&
            tcp_cells_2_6_34[i].state == state)
            return tcp_cells_2_6_34[i].next;
    return next;
}

/* tcp_state_active_table (4.8, "ipvs: count pre-established TCP states as active"):
 * a connection in its handshake (SYN_SENT, SYN_RECV, SYNACK) counts in ActiveConn
 * like an ESTABLISHED one, so that lc/wlc/sed/nq see it as load and a SYN flood
 * shows in ActiveConn. Before (2.6.34), set_tcp_state tested for ESTABLISHED alone. */
static const bool tcp_state_active_table[IP_VS_TCP_S_LAST] = {
    [IP_VS_TCP_S_ESTABLISHED] = true,
    [IP_VS_TCP_S_SYN_SENT] = true,
    [IP_VS_TCP_S_SYN_RECV] = true,
    [IP_VS_TCP_S_SYNACK] = true,
};

bool ip_vs_tcp_state_active(const struct kernel_profile *prof, int state)
{
    if (state < 0 || state >= IP_VS_TCP_S_LAST)
        return false;
    if (!prof->ipvs_tcp_active_handshake)
        return state == IP_VS_TCP_S_ESTABLISHED;
    return tcp_state_active_table[state];
}

/* ---- the ops (ip_vs_protocol_tcp) -------------------------------------------------- */

static const struct ip_vs_proto_states tcp_proto_states = {
    .num_states = IP_VS_TCP_S_LAST,
    .names = tcp_state_names,
    .timeouts = ip_vs_tcp_default_timeouts,
};

/* One machine in every era: 2.6.34's differences are single cells
 * (ip_vs_tcp_next_state_era), not other states. */
static const struct ip_vs_proto_states *tcp_states_of(const struct kernel_profile *prof)
{
    (void)prof;
    return &tcp_proto_states;
}

static unsigned tcp_timeout(const struct netns_ipvs *ipvs, int state)
{
    return state >= 0 && state <= IP_VS_TCP_S_LAST ? ipvs->tcp_timeouts[state] : 0;
}

/* set_tcp_state */
static void tcp_state_transition(struct ip_vs_conn *cp, enum ip_vs_dir dir,
                                 const struct sk_buff *skb, const struct ip_vs_iphdr *iph)
{
    struct netns_ipvs *ipvs = cp->ipvs;
    if (skb->len < iph->len + sizeof(struct tcphdr))
        return;
    const struct tcphdr *th = (const struct tcphdr *)(skb->data + iph->len);
    /* DR and TUN never see replies: their connections use the input-only row
     * until an output packet shows up. */
    if (cp->flags & IP_VS_CONN_F_NOOUTPUT) {
        if (dir == IP_VS_DIR_OUTPUT)
            cp->flags &= ~IP_VS_CONN_F_NOOUTPUT;
        else
            dir = IP_VS_DIR_INPUT_ONLY;
    }
    bool secure = ipvs->sysctl.secure_tcp > 1;
    int next = ip_vs_tcp_next_state_era(ipvs->net->prof->ipvs_tcp_none_ack_es, cp->state, dir,
                                        th->flags, secure);
    if (next != cp->state) {
        if (ipvs->net->trace) {
            char note[64];
            g_snprintf(note, sizeof note, "%s -> %s, timeout %u s", ip_vs_tcp_state_name(cp->state),
                       ip_vs_tcp_state_name(next), ipvs->tcp_timeouts[next]);
            trace_note(ipvs->net, skb, "set_tcp_state", note);
        }
        ip_vs_conn_set_state(cp, next, ip_vs_tcp_state_active(ipvs->net->prof, next));
        /* the move into ESTABLISHED assures the template, not every later
         * ESTABLISHED packet (set_tcp_state) */
        if (next == IP_VS_TCP_S_ESTABLISHED)
            ip_vs_control_assure_ct(cp);
    }
    cp->timeout = (sim_time_t)ipvs->tcp_timeouts[next] * SEC;
}

/* tcp_conn_schedule: a packet too short for its TCP header is dropped; only a SYN
 * opens a connection (any segment with sloppy_tcp), never a RST. */
static bool tcp_conn_schedule(struct netns_ipvs *ipvs, struct sk_buff *skb,
                              const struct ip_vs_protocol *pp, const struct ip_vs_iphdr *iph,
                              unsigned *verdict, struct ip_vs_conn **cpp)
{
    *cpp = NULL;
    if (skb->len < iph->len + sizeof(struct tcphdr)) {
        *verdict = nf_drop_reason(skb, NF_DROP, "tcp_conn_schedule: truncated TCP header");
        return false;
    }
    const struct tcphdr *th = (const struct tcphdr *)(skb->data + iph->len);
    if ((th->flags & TCPH_RST) || !(ipvs->sysctl.sloppy_tcp || (th->flags & TCPH_SYN)))
        return true;
    return ip_vs_conn_schedule(ipvs, skb, pp, iph, verdict, cpp);
}

/* is_new_conn (ip_vs_core.c): a SYN. */
static bool tcp_is_new_conn(const struct sk_buff *skb, const struct ip_vs_iphdr *iph)
{
    if (skb->len < iph->len + sizeof(struct tcphdr))
        return false;
    const struct tcphdr *th = (const struct tcphdr *)(skb->data + iph->len);
    return th->flags & TCPH_SYN;
}

/* is_new_conn_expected (ip_vs_core.c): a closed connection, or with conn_reuse_mode
 * bit 2 a DR/TUN one the director saw only half closed. */
static bool tcp_conn_expected(const struct ip_vs_conn *cp, int conn_reuse_mode)
{
    if (cp->control)
        return false;
    return cp->state == IP_VS_TCP_S_TIME_WAIT || cp->state == IP_VS_TCP_S_CLOSE ||
           ((conn_reuse_mode & 2) && cp->state == IP_VS_TCP_S_FIN_WAIT &&
            (cp->flags & IP_VS_CONN_F_NOOUTPUT));
}

#define TCP_CHECK_OFF 16            /* offsetof(struct tcphdr, check) */

/* tcp_snat_handler */
static bool tcp_snat_handler(struct sk_buff *skb, const struct ip_vs_protocol *pp,
                             struct ip_vs_conn *cp, const struct ip_vs_iphdr *iph)
{
    (void)pp;
    if (skb->len < iph->len + 8)
        return false;
    ip_vs_proto_mangle(skb, iph, TCP_CHECK_OFF, false, iph->saddr, cp->vaddr, 0, cp->vport);
    return true;
}

/* tcp_dnat_handler */
static bool tcp_dnat_handler(struct sk_buff *skb, const struct ip_vs_protocol *pp,
                             struct ip_vs_conn *cp, const struct ip_vs_iphdr *iph)
{
    (void)pp;
    ip_vs_proto_mangle(skb, iph, TCP_CHECK_OFF, false, iph->daddr, cp->daddr, 2, cp->dport);
    return true;
}

static void tcp_fnat_handler(struct sk_buff *skb, const struct ip_vs_iphdr *iph, be32 saddr,
                             be16 sport, be32 daddr, be16 dport)
{
    ip_vs_proto_mangle(skb, iph, TCP_CHECK_OFF, false, iph->saddr, saddr, 0, sport);
    ip_vs_proto_mangle(skb, iph, TCP_CHECK_OFF, false, iph->daddr, daddr, 2, dport);
}

const struct ip_vs_protocol ip_vs_protocol_tcp = {
    .name = "TCP",
    .protocol = IPPROTO_TCP,
    .states = tcp_states_of,
    .timeout = tcp_timeout,
    .conn_schedule = tcp_conn_schedule,
    .is_new_conn = tcp_is_new_conn,
    .conn_expected = tcp_conn_expected,
    .state_transition = tcp_state_transition,
    .snat_handler = tcp_snat_handler,
    .dnat_handler = tcp_dnat_handler,
    .fnat_handler = tcp_fnat_handler,
};
