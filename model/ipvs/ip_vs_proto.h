/* IPVS protocols: struct ip_vs_protocol and its registry (ip_vs_proto.c), one file
 * per protocol (ip_vs_proto_{tcp,udp,sctp}.c) with its state tables and timeouts,
 * how a packet picks an event, which states count as active, its conn_schedule
 * rule and its NAT handlers. */
#ifndef IPVSIM_MODEL_IPVS_IP_VS_PROTO_H
#define IPVSIM_MODEL_IPVS_IP_VS_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sim/proto.h"

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

/* ---- struct ip_vs_protocol (include/net/ip_vs.h) -------------------------------- */

struct ip_vs_conn;
struct ip_vs_iphdr;
struct netns_ipvs;
struct sk_buff;

/* One era's state machine as data: the number of states, their names as
 * /proc/net/ip_vs_conn (ipvsadm -lc) prints them, and their default timeouts in
 * seconds. names has num_states entries; timeouts num_states + 1, the kernel's
 * tables having a [LAST] cell too. */
struct ip_vs_proto_states {
    unsigned num_states;
    const char *const *names;
    const unsigned *timeouts;
};

/* A protocol IPVS balances (struct ip_vs_protocol, include/net/ip_vs.h). Looked up
 * once per packet by ip_vs_in/ip_vs_out (ip_vs_proto_get) and passed along to
 * conn_schedule, ip_vs_set_state and the transmitters. Of the kernel's members,
 * conn_in_get/conn_out_get are left out (TCP, UDP and SCTP all use the generic
 * lookups; only AH/ESP differ), as are csum_check (ipvsim checks no L4
 * checksum: only application helpers need it, and none is modelled), the app
 * hooks (no ip_vs_app) and timeout_change (secure_tcp picks its table at each
 * transition). */
struct ip_vs_protocol {
    const char *name;                /* "TCP", "UDP", "SCTP" */
    uint8_t protocol;                /* IPPROTO_* */
    /* The state machine of the era's kernel (num_states and state_name, plus the
     * default timeout_table): eras are data, picked by the profile. */
    const struct ip_vs_proto_states *(*states)(const struct kernel_profile *prof);
    /* The net's current timeout of a state, in seconds (pd->timeout_table[state],
     * which ipvsadm --set changes for TCP and UDP); 0 past the table. */
    unsigned (*timeout)(const struct netns_ipvs *ipvs, int state);
    /* May this packet open a connection, and which? true to go on (with *cpp,
     * possibly NULL: the packet is not IPVS's); false with *verdict set when the
     * packet's fate is decided here. The protocol's own test comes first, then
     * the part every protocol shares (ip_vs_conn_schedule). */
    bool (*conn_schedule)(struct netns_ipvs *ipvs, struct sk_buff *skb,
                          const struct ip_vs_protocol *pp, const struct ip_vs_iphdr *iph,
                          unsigned *verdict, struct ip_vs_conn **cpp);
    /* ip_vs_core.c's is_new_conn and is_new_conn_expected, per protocol: does the
     * packet open a connection (TCP SYN, SCTP INIT), and does an old connection on
     * its key expect one (conn_reuse_mode)? NULL: never (UDP). */
    bool (*is_new_conn)(const struct sk_buff *skb, const struct ip_vs_iphdr *iph);
    bool (*conn_expected)(const struct ip_vs_conn *cp, int conn_reuse_mode);
    /* The state machine step for a packet in direction dir; sets cp->timeout. */
    void (*state_transition)(struct ip_vs_conn *cp, enum ip_vs_dir dir,
                             const struct sk_buff *skb, const struct ip_vs_iphdr *iph);
    /* NAT: rewrite the L4 header (port and checksum) of a reply to come from
     * VIP:vport, of a request to go to RS:dport; the caller rewrites the IP header
     * after. false: the packet cannot be rewritten (drop it). */
    bool (*snat_handler)(struct sk_buff *skb, const struct ip_vs_protocol *pp,
                         struct ip_vs_conn *cp, const struct ip_vs_iphdr *iph);
    bool (*dnat_handler)(struct sk_buff *skb, const struct ip_vs_protocol *pp,
                         struct ip_vs_conn *cp, const struct ip_vs_iphdr *iph);
    /* FULLNAT (ipvsim extra, NOT mainline Linux): both ends of the L4 header at
     * once, source first; the caller rewrites the IP header after. */
    void (*fnat_handler)(struct sk_buff *skb, const struct ip_vs_iphdr *iph, be32 saddr,
                         be16 sport, be32 daddr, be16 dport);
};

extern const struct ip_vs_protocol ip_vs_protocol_tcp;
extern const struct ip_vs_protocol ip_vs_protocol_udp;
extern const struct ip_vs_protocol ip_vs_protocol_sctp;

/* The registry, indexed by protocol number (ip_vs_proto.c). */
extern const struct ip_vs_protocol *const ip_vs_proto_table[256];

/* ip_vs_proto_get: the protocol's ops, NULL when IPVS does not balance it. */
static inline const struct ip_vs_protocol *ip_vs_proto_get(unsigned proto)
{
    return proto < 256 ? ip_vs_proto_table[proto] : NULL;
}

/* ip_vs_state_name: a connection's state as /proc/net/ip_vs_conn prints it;
 * templates are NONE or ASSURED. */
const char *ip_vs_state_name(const struct ip_vs_conn *cp);

/* Shared by the protocols' NAT handlers (ip_vs_proto.c): write newport at port_off
 * of the L4 header (0: source, 2: destination) and fold the address and port change
 * into the checksum at check_off, as tcp_fast_csum_update / udp_fast_csum_update
 * do; with udp, a checksum of 0 means none and a result of 0 is sent as
 * CSUM_MANGLED_0. check_off < 0: no checksum. Returns whether the port changed. */
bool ip_vs_proto_mangle(struct sk_buff *skb, const struct ip_vs_iphdr *iph, int check_off,
                        bool udp, be32 oldaddr, be32 newaddr, unsigned port_off, be16 newport);

#endif
