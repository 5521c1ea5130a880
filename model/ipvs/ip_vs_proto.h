/* IPVS protocols (ip_vs_proto_{tcp,udp}.c): the state tables and timeouts, how a
 * packet's flags pick an event, and which states count as active. */
#ifndef IPVSIM_MODEL_IPVS_IP_VS_PROTO_H
#define IPVSIM_MODEL_IPVS_IP_VS_PROTO_H

#include <stdbool.h>
#include <stdint.h>

/* TCP states, in the kernel's order (the index into the tables). */
enum {
    IP_VS_TCP_S_NONE,
    IP_VS_TCP_S_ESTABLISHED,
    IP_VS_TCP_S_SYN_SENT,
    IP_VS_TCP_S_SYN_RECV,
    IP_VS_TCP_S_FIN_WAIT,
    IP_VS_TCP_S_TIME_WAIT,
    IP_VS_TCP_S_CLOSE,
    IP_VS_TCP_S_CLOSE_WAIT,
    IP_VS_TCP_S_LAST_ACK,
    IP_VS_TCP_S_LISTEN,
    IP_VS_TCP_S_SYNACK,
    IP_VS_TCP_S_LAST
};

#define IP_VS_UDP_S_NORMAL 0

/* Which way a packet goes relative to the connection. */
enum ip_vs_dir {
    IP_VS_DIR_INPUT,                 /* client -> real server */
    IP_VS_DIR_OUTPUT,                /* real server -> client (seen only with NAT) */
    IP_VS_DIR_INPUT_ONLY,            /* client -> real server while NOOUTPUT (DR/TUN) */
};

/* The next TCP state for a segment with these flags (TCPH_*) in direction dir, from
 * state; secure selects the secure_tcp ("dos") table. */
int ip_vs_tcp_next_state(int state, enum ip_vs_dir dir, uint8_t tcp_flags, bool secure);

const char *ip_vs_tcp_state_name(int state);
/* Default timeouts in seconds (tcp_timeouts[]). */
extern const unsigned ip_vs_tcp_default_timeouts[IP_VS_TCP_S_LAST + 1];
#define IP_VS_UDP_DEFAULT_TIMEOUT 300

/* Does a connection in this TCP state count in ActiveConn? */
bool ip_vs_tcp_state_active(int state);

#endif
