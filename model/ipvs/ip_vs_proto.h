/* IPVS protocols (ip_vs_proto_{tcp,udp,sctp}.c): the state tables and timeouts, how a
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
/* The same in the tables of an era: without ipvs_tcp_none_ack_es (2.6.34) an ACK in
 * NONE (input and input-only, both tables) leads to CLOSE. */
int ip_vs_tcp_next_state_era(bool none_ack_es, int state, enum ip_vs_dir dir, uint8_t tcp_flags,
                             bool secure);

const char *ip_vs_tcp_state_name(int state);
/* Default timeouts in seconds (tcp_timeouts[]). */
extern const unsigned ip_vs_tcp_default_timeouts[IP_VS_TCP_S_LAST + 1];
#define IP_VS_UDP_DEFAULT_TIMEOUT 300

struct kernel_profile;
/* Does a connection in this TCP state count in ActiveConn in the era's kernel? */
bool ip_vs_tcp_state_active(const struct kernel_profile *prof, int state);

/* ---- SCTP (ip_vs_proto_sctp.c) ------------------------------------------------- */

/* SCTP states, in the kernel's order (the index into the tables). */
enum {
    IP_VS_SCTP_S_NONE,
    IP_VS_SCTP_S_INIT1,
    IP_VS_SCTP_S_INIT,
    IP_VS_SCTP_S_COOKIE_SENT,
    IP_VS_SCTP_S_COOKIE_REPLIED,
    IP_VS_SCTP_S_COOKIE_WAIT,
    IP_VS_SCTP_S_COOKIE,
    IP_VS_SCTP_S_COOKIE_ECHOED,
    IP_VS_SCTP_S_ESTABLISHED,
    IP_VS_SCTP_S_SHUTDOWN_SENT,
    IP_VS_SCTP_S_SHUTDOWN_RECEIVED,
    IP_VS_SCTP_S_SHUTDOWN_ACK_SENT,
    IP_VS_SCTP_S_REJECTED,
    IP_VS_SCTP_S_CLOSED,
    IP_VS_SCTP_S_LAST
};

/* The events the SCTP table is indexed by, in the kernel's order. */
enum ip_vs_sctp_event {
    IP_VS_SCTP_DATA,                 /* DATA, SACK, HEARTBEAT(-ACK), ECNE, CWR, unknown */
    IP_VS_SCTP_INIT,
    IP_VS_SCTP_INIT_ACK,
    IP_VS_SCTP_COOKIE_ECHO,
    IP_VS_SCTP_COOKIE_ACK,
    IP_VS_SCTP_SHUTDOWN,
    IP_VS_SCTP_SHUTDOWN_ACK,
    IP_VS_SCTP_SHUTDOWN_COMPLETE,
    IP_VS_SCTP_ERROR,
    IP_VS_SCTP_ABORT,
    IP_VS_SCTP_EVENT_LAST
};

/* The event of an SCTP packet (common header at sctp, len bytes readable): the
 * first chunk's type, except that a COOKIE-ECHO or COOKIE-ACK followed by an ABORT
 * counts as ABORT. -1 when the first chunk header is not there. */
int ip_vs_sctp_packet_event(const uint8_t *sctp, uint32_t len);
/* The event of a chunk type alone. */
enum ip_vs_sctp_event ip_vs_sctp_chunk_event(uint8_t chunk_type);
/* The next SCTP state for an event in direction dir, from state. */
int ip_vs_sctp_next_state(int state, enum ip_vs_dir dir, enum ip_vs_sctp_event ev);

/* The kernel's names: "NONE", "INIT1", "C-SENT", ... "CLOSED"; "BUG!" beyond. */
const char *ip_vs_sctp_state_name(int state);
/* Default timeouts in seconds (sctp_timeouts[]; 61 s is the kernel's max RTO + 1). */
extern const unsigned ip_vs_sctp_default_timeouts[IP_VS_SCTP_S_LAST + 1];

/* 2.6.34's SCTP machine (until 3.11; profile ipvs_sctp_old_states): 13 states,
 * one table for packets from the client and one for packets from the server (no
 * input-only table: DR and TUN use the client's). */
enum {
    IP_VS_SCTP_OLD_S_NONE,
    IP_VS_SCTP_OLD_S_INIT_CLI,
    IP_VS_SCTP_OLD_S_INIT_SER,
    IP_VS_SCTP_OLD_S_INIT_ACK_CLI,
    IP_VS_SCTP_OLD_S_INIT_ACK_SER,
    IP_VS_SCTP_OLD_S_ECHO_CLI,
    IP_VS_SCTP_OLD_S_ECHO_SER,
    IP_VS_SCTP_OLD_S_ESTABLISHED,
    IP_VS_SCTP_OLD_S_SHUT_CLI,
    IP_VS_SCTP_OLD_S_SHUT_SER,
    IP_VS_SCTP_OLD_S_SHUT_ACK_CLI,
    IP_VS_SCTP_OLD_S_SHUT_ACK_SER,
    IP_VS_SCTP_OLD_S_CLOSED,
    IP_VS_SCTP_OLD_S_LAST
};
/* The next 2.6.34 state for a packet (SCTP common header at sctp, len bytes) going
 * in direction dir (OUTPUT: from the server; anything else: from the client). */
int ip_vs_sctp_old_next_state(int state, enum ip_vs_dir dir, const uint8_t *sctp, uint32_t len);
/* Names, timeouts (seconds) and the ESTABLISHED state of the era's machine. 2.6.34
 * spells its ESTABLISHED "ESTABISHED". */
const char *ip_vs_sctp_state_name_era(bool old, int state);
unsigned ip_vs_sctp_timeout_era(bool old, int state);
int ip_vs_sctp_established_era(bool old);

/* Only ESTABLISHED counts in ActiveConn. */
bool ip_vs_sctp_state_active(int state);

#endif
