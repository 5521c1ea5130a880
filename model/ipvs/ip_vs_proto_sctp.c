/* IPVS's SCTP (ip_vs_proto_sctp.c): the state machine with its tables as data, the
 * event a packet stands for, names and timeouts, set_sctp_state,
 * sctp_conn_schedule and the NAT handlers. Checked against the kernel's net/netfilter/ipvs/ip_vs_proto_sctp.c: the 14-state
 * table of current kernels (3.11 on), and at the end 2.6.34's machine (13 states,
 * events split by client and server side, no input-only table), as data too. */
#include "model/ipvs/ip_vs_proto.h"

#include <netinet/in.h>
#include "model/ipvs/ip_vs_conn.h"
#include "model/ipvs/ip_vs_core.h"
#include "model/net.h"
#include "sim/pkt.h"
#include "sim/proto6.h"

/* Short names for the table cells. */
#define NO IP_VS_SCTP_S_NONE
#define I1 IP_VS_SCTP_S_INIT1
#define IN IP_VS_SCTP_S_INIT
#define CS IP_VS_SCTP_S_COOKIE_SENT
#define CR IP_VS_SCTP_S_COOKIE_REPLIED
#define CW IP_VS_SCTP_S_COOKIE_WAIT
#define CO IP_VS_SCTP_S_COOKIE
#define CE IP_VS_SCTP_S_COOKIE_ECHOED
#define ES IP_VS_SCTP_S_ESTABLISHED
#define SS IP_VS_SCTP_S_SHUTDOWN_SENT
#define SR IP_VS_SCTP_S_SHUTDOWN_RECEIVED
#define SA IP_VS_SCTP_S_SHUTDOWN_ACK_SENT
#define RJ IP_VS_SCTP_S_REJECTED
#define CL IP_VS_SCTP_S_CLOSED

#define D_  IP_VS_SCTP_DATA
#define I_  IP_VS_SCTP_INIT
#define IA_ IP_VS_SCTP_INIT_ACK
#define CE_ IP_VS_SCTP_COOKIE_ECHO
#define CA_ IP_VS_SCTP_COOKIE_ACK
#define S_  IP_VS_SCTP_SHUTDOWN
#define SA_ IP_VS_SCTP_SHUTDOWN_ACK
#define SC_ IP_VS_SCTP_SHUTDOWN_COMPLETE
#define ER_ IP_VS_SCTP_ERROR
#define AB_ IP_VS_SCTP_ABORT

/* [direction][event][current state] -> next state */
static const unsigned char sctp_states[3][IP_VS_SCTP_EVENT_LAST][IP_VS_SCTP_S_LAST] = {
    [IP_VS_DIR_INPUT] = {
        /*       NO  I1  IN  CS  CR  CW  CO  CE  ES  SS  SR  SA  RJ  CL */
        [D_]  = { ES, I1, IN, CS, CR, CW, CO, CE, ES, SS, SR, SA, RJ, CL },
        [I_]  = { I1, IN, IN, CS, CR, CW, CO, CE, ES, SS, SR, SA, IN, IN },
        [IA_] = { CW, CW, CW, CS, CR, CO, CO, CE, ES, SS, SR, SA, RJ, CL },
        [CE_] = { CR, IN, IN, CR, CR, CW, CO, CE, ES, SS, SR, SA, RJ, CL },
        [CA_] = { ES, I1, IN, CS, CR, CW, CO, ES, ES, SS, SR, SA, RJ, CL },
        [S_]  = { SR, I1, IN, CS, CR, CW, CO, CE, SR, SS, SR, SA, RJ, CL },
        [SA_] = { CL, IN, IN, CS, CR, CW, CO, CE, ES, CL, SR, CL, RJ, CL },
        [SC_] = { CL, CL, CL, CS, CR, CW, CO, CE, ES, SS, SR, CL, RJ, CL },
        [ER_] = { CL, I1, IN, CS, CR, CW, CO, CL, ES, SS, SR, SA, RJ, CL },
        [AB_] = { CL, CL, CL, CL, CL, RJ, CL, CL, CL, CL, CL, CL, CL, CL },
    },
    [IP_VS_DIR_OUTPUT] = {
        /*       NO  I1  IN  CS  CR  CW  CO  CE  ES  SS  SR  SA  RJ  CL */
        [D_]  = { ES, I1, IN, CS, CR, CW, CO, CE, ES, SS, SR, SA, RJ, CL },
        [I_]  = { CW, CW, CW, CW, CW, CW, CW, CW, ES, CW, CW, CW, CW, CW },
        [IA_] = { CS, CS, CS, CS, CR, CW, CO, CE, ES, SS, SR, SA, RJ, CL },
        [CE_] = { CE, CE, CE, CE, CE, CE, CE, CE, ES, SS, SR, SA, RJ, CL },
        [CA_] = { ES, ES, ES, ES, ES, ES, ES, ES, ES, SS, SR, SA, RJ, CL },
        [S_]  = { SS, SS, SS, SS, SS, SS, SS, SS, SS, SS, SR, SA, RJ, CL },
        [SA_] = { SA, SA, SA, SA, SA, CW, CO, CE, ES, SA, SA, SA, RJ, CL },
        [SC_] = { CL, I1, IN, CS, CR, CW, CO, CE, ES, SS, SR, SA, RJ, CL },
        [ER_] = { CL, CL, CL, CL, CL, CW, CO, CE, ES, SS, SR, SA, RJ, CL },
        [AB_] = { CL, RJ, CL, CL, CL, CL, CL, CL, CL, CL, CL, CL, CL, CL },
    },
    [IP_VS_DIR_INPUT_ONLY] = {
        /*       NO  I1  IN  CS  CR  CW  CO  CE  ES  SS  SR  SA  RJ  CL */
        [D_]  = { ES, I1, IN, CS, CR, ES, CO, CE, ES, SS, SR, SA, RJ, CL },
        [I_]  = { I1, IN, IN, IN, IN, IN, CO, CE, ES, SS, SR, SA, IN, IN },
        [IA_] = { CE, CE, CE, CE, CE, CE, CO, CE, ES, SS, SR, SA, RJ, CL },
        [CE_] = { ES, ES, ES, ES, ES, ES, CO, CE, ES, SS, SR, SA, RJ, CL },
        [CA_] = { ES, I1, IN, ES, ES, CW, ES, ES, ES, SS, SR, SA, RJ, CL },
        [S_]  = { SR, I1, IN, CS, CR, CW, CO, CE, SR, SS, SR, SA, RJ, CL },
        [SA_] = { CL, IN, IN, CS, CR, CW, CO, CE, CL, CL, SR, CL, RJ, CL },
        [SC_] = { CL, CL, CL, CL, CL, CW, CO, CE, ES, SS, CL, CL, RJ, CL },
        [ER_] = { CL, I1, IN, CS, CR, CW, CO, CE, ES, SS, SR, SA, RJ, CL },
        [AB_] = { CL, CL, CL, CL, CL, RJ, CL, CL, CL, CL, CL, CL, CL, CL },
    },
};

/* The kernel's maximum RTO plus one second. */
#define SCTP_MAX_RTO_S (60 + 1)

const unsigned ip_vs_sctp_default_timeouts[IP_VS_SCTP_S_LAST + 1] = {
    [IP_VS_SCTP_S_NONE] = 2,
    [IP_VS_SCTP_S_INIT1] = 0 + 3 + 1,
    [IP_VS_SCTP_S_INIT] = SCTP_MAX_RTO_S,
    [IP_VS_SCTP_S_COOKIE_SENT] = SCTP_MAX_RTO_S,
    [IP_VS_SCTP_S_COOKIE_REPLIED] = SCTP_MAX_RTO_S,
    [IP_VS_SCTP_S_COOKIE_WAIT] = SCTP_MAX_RTO_S,
    [IP_VS_SCTP_S_COOKIE] = SCTP_MAX_RTO_S,
    [IP_VS_SCTP_S_COOKIE_ECHOED] = SCTP_MAX_RTO_S,
    [IP_VS_SCTP_S_ESTABLISHED] = 15 * 60,
    [IP_VS_SCTP_S_SHUTDOWN_SENT] = SCTP_MAX_RTO_S,
    [IP_VS_SCTP_S_SHUTDOWN_RECEIVED] = SCTP_MAX_RTO_S,
    [IP_VS_SCTP_S_SHUTDOWN_ACK_SENT] = SCTP_MAX_RTO_S,
    [IP_VS_SCTP_S_REJECTED] = 0 + 3 + 1,
    [IP_VS_SCTP_S_CLOSED] = SCTP_MAX_RTO_S,
    [IP_VS_SCTP_S_LAST] = 2,
};

static const char *const sctp_state_names[IP_VS_SCTP_S_LAST] = {
    "NONE", "INIT1", "INIT", "C-SENT", "C-REPLIED", "C-WAIT", "COOKIE", "C-ECHOED",
    "ESTABLISHED", "S-SENT", "S-RECEIVED", "S-ACK-SENT", "REJECTED", "CLOSED",
};

const char *ip_vs_sctp_state_name(int state)
{
    return state >= 0 && state < IP_VS_SCTP_S_LAST ? sctp_state_names[state] : "BUG!";
}

/* Chunk type -> event; types past the table are DATA. */
static const unsigned char sctp_events[SCTP_CID_SHUTDOWN_COMPLETE + 1] = {
    [SCTP_CID_DATA] = D_,
    [SCTP_CID_INIT] = I_,
    [SCTP_CID_INIT_ACK] = IA_,
    [SCTP_CID_SACK] = D_,
    [SCTP_CID_HEARTBEAT] = D_,
    [SCTP_CID_HEARTBEAT_ACK] = D_,
    [SCTP_CID_ABORT] = AB_,
    [SCTP_CID_SHUTDOWN] = S_,
    [SCTP_CID_SHUTDOWN_ACK] = SA_,
    [SCTP_CID_ERROR] = ER_,
    [SCTP_CID_COOKIE_ECHO] = CE_,
    [SCTP_CID_COOKIE_ACK] = CA_,
    [SCTP_CID_ECN_ECNE] = D_,
    [SCTP_CID_ECN_CWR] = D_,
    [SCTP_CID_SHUTDOWN_COMPLETE] = SC_,
};

enum ip_vs_sctp_event ip_vs_sctp_chunk_event(uint8_t chunk_type)
{
    if (chunk_type < sizeof sctp_events)
        return (enum ip_vs_sctp_event)sctp_events[chunk_type];
    return IP_VS_SCTP_DATA;
}

int ip_vs_sctp_packet_event(const uint8_t *sctp, uint32_t len)
{
    if (len < SCTP_HLEN + SCTP_CHUNK_HLEN)
        return -1;
    const uint8_t *ch = sctp + SCTP_HLEN;
    uint8_t type = ch[0];
    /* An ABORT may only follow control chunks; after a COOKIE-ECHO or COOKIE-ACK
     * it decides the event (the chunk after is at the first one's padded length). */
    if (type == SCTP_CID_COOKIE_ECHO || type == SCTP_CID_COOKIE_ACK) {
        uint32_t clen = (uint32_t)ch[2] << 8 | ch[3];
        if (clen >= SCTP_CHUNK_HLEN) {
            uint32_t next = SCTP_HLEN + ((clen + 3) & ~3u);
            if (next + SCTP_CHUNK_HLEN <= len && sctp[next] == SCTP_CID_ABORT)
                type = SCTP_CID_ABORT;
        }
    }
    return (int)ip_vs_sctp_chunk_event(type);
}

int ip_vs_sctp_next_state(int state, enum ip_vs_dir dir, enum ip_vs_sctp_event ev)
{
    if (state < 0 || state >= IP_VS_SCTP_S_LAST || (unsigned)ev >= IP_VS_SCTP_EVENT_LAST)
        return state;
    return sctp_states[dir][ev][state];
}

/* As for TCP, the kernel moves a connection to ActiveConn only on entering
 * ESTABLISHED and back to InActConn on leaving it. */
bool ip_vs_sctp_state_active(int state)
{
    return state == IP_VS_SCTP_S_ESTABLISHED;
}

/* ---- 2.6.34's machine (profile ipvs_sctp_old_states) ------------------------------ */

#define ST_NO IP_VS_SCTP_OLD_S_NONE
#define ST_IC IP_VS_SCTP_OLD_S_INIT_CLI
#define ST_IS IP_VS_SCTP_OLD_S_INIT_SER
#define ST_AC IP_VS_SCTP_OLD_S_INIT_ACK_CLI
#define ST_AS IP_VS_SCTP_OLD_S_INIT_ACK_SER
#define ST_EC IP_VS_SCTP_OLD_S_ECHO_CLI
#define ST_ES IP_VS_SCTP_OLD_S_ECHO_SER
#define ST_ST IP_VS_SCTP_OLD_S_ESTABLISHED
#define ST_SC IP_VS_SCTP_OLD_S_SHUT_CLI
#define ST_SS IP_VS_SCTP_OLD_S_SHUT_SER
#define ST_KC IP_VS_SCTP_OLD_S_SHUT_ACK_CLI
#define ST_KS IP_VS_SCTP_OLD_S_SHUT_ACK_SER
#define ST_CL IP_VS_SCTP_OLD_S_CLOSED

/* Its events: a chunk event seen from the client (input) or from the server
 * (output); ERROR, SACK, HEARTBEAT(-ACK), ECNE, CWR and unknown chunks are DATA. */
enum { OE_DATA, OE_INIT, OE_INIT_ACK, OE_COOKIE_ECHO, OE_COOKIE_ACK, OE_ABORT, OE_SHUT,
       OE_SHUT_ACK, OE_SHUT_COM, OE_LAST };

static const unsigned char sctp_old_events[SCTP_CID_SHUTDOWN_COMPLETE + 1] = {
    [SCTP_CID_INIT] = OE_INIT,
    [SCTP_CID_INIT_ACK] = OE_INIT_ACK,
    [SCTP_CID_ABORT] = OE_ABORT,
    [SCTP_CID_SHUTDOWN] = OE_SHUT,
    [SCTP_CID_SHUTDOWN_ACK] = OE_SHUT_ACK,
    [SCTP_CID_COOKIE_ECHO] = OE_COOKIE_ECHO,
    [SCTP_CID_COOKIE_ACK] = OE_COOKIE_ACK,
    [SCTP_CID_SHUTDOWN_COMPLETE] = OE_SHUT_COM,
};

/* [from the server][state][event] -> next state. Columns: DATA INIT INIT_ACK
 * COOKIE_ECHO COOKIE_ACK ABORT SHUTDOWN SHUTDOWN_ACK SHUTDOWN_COMPLETE. */
static const unsigned char sctp_old_states[2][IP_VS_SCTP_OLD_S_LAST][OE_LAST] = {
    /* from the client */
    {
        /* NONE         */ { ST_CL, ST_IC, ST_CL, ST_CL, ST_CL, ST_CL, ST_CL, ST_CL, ST_CL },
        /* INIT_CLI     */ { ST_CL, ST_IC, ST_CL, ST_CL, ST_CL, ST_CL, ST_CL, ST_CL, ST_CL },
        /* INIT_SER     */ { ST_CL, ST_IC, ST_AC, ST_IS, ST_IS, ST_CL, ST_CL, ST_CL, ST_CL },
        /* INIT_ACK_CLI */ { ST_CL, ST_IC, ST_AC, ST_CL, ST_CL, ST_CL, ST_CL, ST_CL, ST_CL },
        /* INIT_ACK_SER */ { ST_CL, ST_IC, ST_CL, ST_EC, ST_AS, ST_CL, ST_CL, ST_CL, ST_CL },
        /* ECHO_CLI     */ { ST_CL, ST_IC, ST_CL, ST_EC, ST_CL, ST_CL, ST_CL, ST_CL, ST_CL },
        /* ECHO_SER     */ { ST_CL, ST_IC, ST_ES, ST_CL, ST_ST, ST_CL, ST_CL, ST_CL, ST_CL },
        /* ESTABLISHED  */ { ST_ST, ST_IC, ST_ST, ST_ST, ST_ST, ST_CL, ST_SC, ST_CL, ST_CL },
        /* SHUT_CLI     */ { ST_SC, ST_IC, ST_SC, ST_ST, ST_SC, ST_CL, ST_SC, ST_CL, ST_CL },
        /* SHUT_SER     */ { ST_SS, ST_IC, ST_SS, ST_ST, ST_SS, ST_CL, ST_SC, ST_KC, ST_CL },
        /* SHUT_ACK_CLI */ { ST_KC, ST_IC, ST_KC, ST_ST, ST_KC, ST_CL, ST_SC, ST_KC, ST_CL },
        /* SHUT_ACK_SER */ { ST_KS, ST_IC, ST_KS, ST_ST, ST_KS, ST_CL, ST_SC, ST_CL, ST_CL },
        /* CLOSED       */ { ST_CL, ST_IC, ST_CL, ST_CL, ST_CL, ST_CL, ST_CL, ST_CL, ST_CL },
    },
    /* from the server */
    {
        /* NONE         */ { ST_CL, ST_IS, ST_CL, ST_CL, ST_CL, ST_CL, ST_CL, ST_CL, ST_CL },
        /* INIT_CLI     */ { ST_CL, ST_IS, ST_AS, ST_IC, ST_IC, ST_CL, ST_CL, ST_CL, ST_CL },
        /* INIT_SER     */ { ST_CL, ST_IS, ST_CL, ST_CL, ST_CL, ST_CL, ST_CL, ST_CL, ST_CL },
        /* INIT_ACK_CLI */ { ST_CL, ST_IS, ST_CL, ST_ES, ST_AC, ST_CL, ST_CL, ST_CL, ST_CL },
        /* INIT_ACK_SER */ { ST_CL, ST_IS, ST_AS, ST_CL, ST_CL, ST_CL, ST_CL, ST_CL, ST_CL },
        /* ECHO_CLI     */ { ST_CL, ST_IS, ST_EC, ST_CL, ST_ST, ST_CL, ST_CL, ST_CL, ST_CL },
        /* ECHO_SER     */ { ST_CL, ST_IS, ST_CL, ST_ES, ST_CL, ST_CL, ST_CL, ST_CL, ST_CL },
        /* ESTABLISHED  */ { ST_ST, ST_IS, ST_ST, ST_ST, ST_ST, ST_CL, ST_SS, ST_CL, ST_CL },
        /* SHUT_CLI     */ { ST_SC, ST_IS, ST_SC, ST_ST, ST_SC, ST_CL, ST_SS, ST_KS, ST_CL },
        /* SHUT_SER     */ { ST_SS, ST_IS, ST_SS, ST_ST, ST_SS, ST_CL, ST_SS, ST_CL, ST_CL },
        /* SHUT_ACK_CLI */ { ST_KC, ST_IS, ST_KC, ST_ST, ST_KC, ST_CL, ST_SS, ST_CL, ST_CL },
        /* SHUT_ACK_SER */ { ST_KS, ST_IS, ST_KS, ST_ST, ST_KS, ST_CL, ST_SS, ST_KS, ST_CL },
        /* CLOSED       */ { ST_CL, ST_IS, ST_CL, ST_CL, ST_CL, ST_CL, ST_CL, ST_CL, ST_CL },
    },
};

static const char *const sctp_old_state_names[IP_VS_SCTP_OLD_S_LAST] = {
    "NONE", "INIT_CLI", "INIT_SER", "INIT_ACK_CLI", "INIT_ACK_SER", "COOKIE_ECHO_CLI",
    "COOKIE_ECHO_SER", "ESTABISHED", "SHUTDOWN_CLI", "SHUTDOWN_SER", "SHUTDOWN_ACK_CLI",
    "SHUTDOWN_ACK_SER", "CLOSED",
};

/* NONE 2 s, the handshake and shutdown states 60 s, ESTABLISHED 15 min, CLOSED 10 s. */
static const unsigned sctp_old_timeouts[IP_VS_SCTP_OLD_S_LAST + 1] = {
    [ST_NO] = 2, [ST_IC] = 60, [ST_IS] = 60, [ST_AC] = 60, [ST_AS] = 60, [ST_EC] = 60,
    [ST_ES] = 60, [ST_ST] = 15 * 60, [ST_SC] = 60, [ST_SS] = 60, [ST_KC] = 60, [ST_KS] = 60,
    [ST_CL] = 10, [IP_VS_SCTP_OLD_S_LAST] = 2,
};

/* The event chunk of a packet as 2.6.34's set_sctp_state finds it: the first
 * chunk, unless it is a COOKIE-ECHO or COOKIE-ACK followed by an ABORT. That
 * second chunk is looked for at the first one's length field read without
 * ntohs, i.e. byte-swapped on a little-endian director: in practice far past the
 * packet, so the ABORT is not seen. */
static int sctp_old_packet_chunk(const uint8_t *sctp, uint32_t len)
{
    if (len < SCTP_HLEN + SCTP_CHUNK_HLEN)
        return -1;
    const uint8_t *ch = sctp + SCTP_HLEN;
    uint8_t type = ch[0];
    if (type == SCTP_CID_COOKIE_ECHO || type == SCTP_CID_COOKIE_ACK) {
        uint32_t raw = (uint32_t)ch[3] << 8 | ch[2];        /* be16 read as little-endian */
        uint32_t next = SCTP_HLEN + raw;
        if (next + SCTP_CHUNK_HLEN <= len && sctp[next] == SCTP_CID_ABORT)
            type = SCTP_CID_ABORT;
    }
    return type;
}

int ip_vs_sctp_old_next_state(int state, enum ip_vs_dir dir, const uint8_t *sctp, uint32_t len)
{
    int type = sctp_old_packet_chunk(sctp, len);
    if (type < 0 || state < 0 || state >= IP_VS_SCTP_OLD_S_LAST)
        return state;
    unsigned ev = (unsigned)type < sizeof sctp_old_events ? sctp_old_events[type] : OE_DATA;
    return sctp_old_states[dir == IP_VS_DIR_OUTPUT][state][ev];
}

const char *ip_vs_sctp_state_name_era(bool old, int state)
{
    if (!old)
        return ip_vs_sctp_state_name(state);
    return state >= 0 && state < IP_VS_SCTP_OLD_S_LAST ? sctp_old_state_names[state] : "BUG!";
}

unsigned ip_vs_sctp_timeout_era(bool old, int state)
{
    if (state < 0)
        return 0;
    if (old)
        return state <= IP_VS_SCTP_OLD_S_LAST ? sctp_old_timeouts[state] : 0;
    return state <= IP_VS_SCTP_S_LAST ? ip_vs_sctp_default_timeouts[state] : 0;
}

int ip_vs_sctp_established_era(bool old)
{
    return old ? IP_VS_SCTP_OLD_S_ESTABLISHED : IP_VS_SCTP_S_ESTABLISHED;
}

/* ---- the ops (ip_vs_protocol_sctp) ------------------------------------------------- */

/* The two eras' machines (profile ipvs_sctp_old_states picks one). */
static const struct ip_vs_proto_states sctp_proto_states[2] = {
    { .num_states = IP_VS_SCTP_S_LAST, .names = sctp_state_names,
      .timeouts = ip_vs_sctp_default_timeouts },
    { .num_states = IP_VS_SCTP_OLD_S_LAST, .names = sctp_old_state_names,
      .timeouts = sctp_old_timeouts },
};

static const struct ip_vs_proto_states *sctp_states_of(const struct kernel_profile *prof)
{
    return &sctp_proto_states[prof->ipvs_sctp_old_states];
}

/* No ipvsadm option changes SCTP's timeouts: the era's defaults. */
static unsigned sctp_timeout(const struct netns_ipvs *ipvs, int state)
{
    return ip_vs_sctp_timeout_era(ipvs->net->prof->ipvs_sctp_old_states, state);
}

/* set_sctp_state: the event comes from the first chunk. 2.6.34 ran another machine
 * (profile ipvs_sctp_old_states) without an input-only table. */
static void sctp_state_transition(struct ip_vs_conn *cp, enum ip_vs_dir dir,
                                  const struct sk_buff *skb, const struct ip_vs_iphdr *iph)
{
    struct netns_ipvs *ipvs = cp->ipvs;
    bool old = ipvs->net->prof->ipvs_sctp_old_states;
    if (skb->len < iph->len)
        return;
    const uint8_t *sctp = skb->data + iph->len;
    uint32_t len = skb->len - iph->len;
    int next;
    if (old) {
        if (len < SCTP_HLEN + SCTP_CHUNK_HLEN)
            return;
        next = ip_vs_sctp_old_next_state(cp->state, dir, sctp, len);
    } else {
        int ev = ip_vs_sctp_packet_event(sctp, len);
        if (ev < 0)
            return;
        if (cp->flags & IP_VS_CONN_F_NOOUTPUT) {
            if (dir == IP_VS_DIR_OUTPUT)
                cp->flags &= ~IP_VS_CONN_F_NOOUTPUT;
            else
                dir = IP_VS_DIR_INPUT_ONLY;
        }
        next = ip_vs_sctp_next_state(cp->state, dir, (enum ip_vs_sctp_event)ev);
    }
    int established = ip_vs_sctp_established_era(old);
    if (next != cp->state) {
        if (ipvs->net->trace)
            trace_notef(ipvs->net, skb, "set_sctp_state", "%s -> %s, timeout %u s",
                        ip_vs_sctp_state_name_era(old, cp->state),
                        ip_vs_sctp_state_name_era(old, next), ip_vs_sctp_timeout_era(old, next));
        ip_vs_conn_set_state(cp, next, next == established);
        if (next == established)
            ip_vs_control_assure_ct(cp);
    }
    cp->timeout = (sim_time_t)ip_vs_sctp_timeout_era(old, next) * SEC;
}

/* sctp_conn_schedule: only a first chunk INIT opens an association (any chunk but
 * ABORT with sloppy_sctp); no chunk header at all: drop. */
static bool sctp_conn_schedule(struct netns_ipvs *ipvs, struct sk_buff *skb,
                               const struct ip_vs_protocol *pp, const struct ip_vs_iphdr *iph,
                               unsigned *verdict, struct ip_vs_conn **cpp)
{
    *cpp = NULL;
    if (skb->len < iph->len + SCTP_HLEN + SCTP_CHUNK_HLEN) {
        *verdict = nf_drop_reason(skb, NF_DROP, "sctp_conn_schedule: no chunk header");
        return false;
    }
    uint8_t chunk = skb->data[iph->len + SCTP_HLEN];
    if (chunk == SCTP_CID_ABORT || !(ipvs->sysctl.sloppy_sctp || chunk == SCTP_CID_INIT))
        return true;
    return ip_vs_conn_schedule(ipvs, skb, pp, iph, verdict, cpp);
}

/* is_new_conn (ip_vs_core.c): a first chunk INIT. */
static bool sctp_is_new_conn(const struct sk_buff *skb, const struct ip_vs_iphdr *iph)
{
    return skb->len >= iph->len + SCTP_HLEN + SCTP_CHUNK_HLEN &&
           skb->data[iph->len + SCTP_HLEN] == SCTP_CID_INIT;
}

/* is_new_conn_expected (ip_vs_core.c): a CLOSED association. */
static bool sctp_conn_expected(const struct ip_vs_conn *cp, int conn_reuse_mode)
{
    (void)conn_reuse_mode;
    return !cp->control && cp->state == IP_VS_SCTP_S_CLOSED;
}

/* sctp_nat_csum: SCTP's CRC32c covers the whole packet (virtual bytes are zeros)
 * and no pseudo-header; the kernel computes it again only when a port changed. */
static void sctp_nat_csum(struct sk_buff *skb, const struct ip_vs_iphdr *iph, bool port_changed)
{
    if (!port_changed)
        return;
    const struct iphdr *ip = (const struct iphdr *)skb->data;
    uint32_t tot = skb->protocol == ETH_P_IPV6
                       ? sizeof(struct ipv6hdr) + ntohs(((const struct ipv6hdr *)ip)->payload_len)
                       : ntohs(ip->tot_len);
    if (tot < iph->len + SCTP_HLEN || skb->len < iph->len + SCTP_HLEN)
        return;
    uint8_t *sh = skb->data + iph->len;
    sctp_set_checksum(sh, sctp_crc32c(sh, skb->len - iph->len, tot - iph->len));
}

/* sctp_snat_handler */
static bool sctp_snat_handler(struct sk_buff *skb, const struct ip_vs_protocol *pp,
                              struct ip_vs_conn *cp, const struct ip_vs_iphdr *iph)
{
    (void)pp;
    if (skb->len < iph->len + 8)
        return false;
    sctp_nat_csum(skb, iph, ip_vs_proto_mangle(skb, iph, -1, false, iph->saddr, cp->vaddr, 0,
                                               cp->vport));
    return true;
}

/* sctp_dnat_handler */
static bool sctp_dnat_handler(struct sk_buff *skb, const struct ip_vs_protocol *pp,
                              struct ip_vs_conn *cp, const struct ip_vs_iphdr *iph)
{
    (void)pp;
    sctp_nat_csum(skb, iph, ip_vs_proto_mangle(skb, iph, -1, false, iph->daddr, cp->daddr, 2,
                                               cp->dport));
    return true;
}

static void sctp_fnat_handler(struct sk_buff *skb, const struct ip_vs_iphdr *iph, be32 saddr,
                              be16 sport, be32 daddr, be16 dport)
{
    bool changed = ip_vs_proto_mangle(skb, iph, -1, false, iph->saddr, saddr, 0, sport);
    changed |= ip_vs_proto_mangle(skb, iph, -1, false, iph->daddr, daddr, 2, dport);
    sctp_nat_csum(skb, iph, changed);
}

const struct ip_vs_protocol ip_vs_protocol_sctp = {
    .name = "SCTP",
    .protocol = IPPROTO_SCTP,
    .states = sctp_states_of,
    .timeout = sctp_timeout,
    .conn_schedule = sctp_conn_schedule,
    .is_new_conn = sctp_is_new_conn,
    .conn_expected = sctp_conn_expected,
    .state_transition = sctp_state_transition,
    .snat_handler = sctp_snat_handler,
    .dnat_handler = sctp_dnat_handler,
    .fnat_handler = sctp_fnat_handler,
};
