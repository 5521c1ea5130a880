/* The IPVS SCTP state machine (ip_vs_proto_sctp.c): tables as data, the event a
 * packet stands for, names and timeouts. Facts: shared/reference/ipvs.md §5.4,
 * checked against the kernel's net/netfilter/ipvs/ip_vs_proto_sctp.c: the 14-state
 * table of current kernels (~3.12 on). 2.6.34 had another machine (13 states, events
 * split by client and server side, no input-only table); it is not modelled, every
 * era uses this one, and the README's era table says what differs. */
#include "model/ipvs/ip_vs_proto.h"

#include "sim/pkt.h"

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
