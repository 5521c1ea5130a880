/* The IPVS TCP state machine (ip_vs_proto_tcp.c): tables as data, as
 * net/netfilter/ipvs/ip_vs_proto_tcp.c has them (tcp_states, tcp_states_dos, tcp_timeouts). */
#include "model/ipvs/ip_vs_proto.h"

#include "model/profile.h"
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
