/* The IPVS connection synchronisation daemon (net/netfilter/ipvs/ip_vs_sync.c): a
 * master director multicasts what it knows of its connections, a backup director
 * creates or updates the same entries, so established connections survive a
 * failover. Kernel: net/netfilter/ipvs/ip_vs_sync.c (sync_threshold,
 * sync_refresh_period, sync_version, backup_only).
 *
 * When a connection is sent (ip_vs_sync_conn_needed, kernels since 3.4):
 *  - TCP only in ESTABLISHED, FIN_WAIT, CLOSE, CLOSE_WAIT, TIME_WAIT (SCTP: ESTABLISHED,
 *    the three SHUTDOWN states, CLOSED); UDP in its one state; templates always;
 *  - a change of state other than into ESTABLISHED is sent at once (forced);
 *  - otherwise when the packet count pkts (the connection's in_pkts, counted by
 *    ip_vs_in) satisfies pkts % sync_period == sync_threshold (sysctl sync_threshold
 *    "3 50"); with a period of 0, only when pkts == sync_threshold, and not at all
 *    when sync_refresh_period is set;
 *  - sync_refresh_period > 0 also holds a connection back while the deadline the
 *    backup knows (sync_endtime) is less than min(refresh, max(timeout/2, 10 s))
 *    away from the new one (sync_retries, not a model sysctl, is 0);
 *  - ONE_PACKET connections are never sent; the controlling template follows its
 *    connection (its own in_pkts counted up).
 * 2.6.34 (IPVS_ERA_OLD) had the older rule: sent when (not TCP, or TCP ESTABLISHED)
 * and pkts % period == threshold, or a TCP change into FIN_WAIT, CLOSE, CLOSE_WAIT or
 * TIME_WAIT; old_state follows every packet; the template goes along unconditionally.
 *
 * Messages (UDP to 224.0.0.81:8848, TTL 1, from the mcast interface's address):
 *  - version 1 (sync_version 1, the default since 2.6.39): an 8-byte header
 *    (reserved 0, syncid, size, nr_conns, version 1, spare 0) and 36-byte IPv4 entries
 *    (type 0, protocol, version/size, flags, state, cport, vport, dport, fwmark,
 *    timeout in seconds, caddr, vaddr, daddr), 4-byte aligned; an IPv6 connection
 *    takes a 72-byte entry (type STYPE_F_INET6, the three addresses in 16 bytes); the message holds at
 *    most sync_maxlen = 1500 - 28 = 1472 bytes: 40 entries;
 *  - version 0 (sync_version 0, and the only one of 2.6.34): a 4-byte header
 *    (nr_conns, syncid, size) and 24-byte entries (no fwmark, no timeout: the backup
 *    takes the state's timeout); 61 entries in 1472 bytes (2.6.34: at most
 *    4 + 24 * (MTU - 52) / 24 bytes, a message queued once a full entry no longer fits).
 *  Version 0 carries no IPv6 connection: ip_vs_sync_conn_v0 returns for cp->af !=
 *  AF_INET, and 2.6.34's ip_vs_in calls the daemon for AF_INET only. No sequence
 *  options (the model has no application helper that adjusts sequence numbers), no
 *  persistence-engine data. FULLNAT connections (an ipvsim
 *  extra) are not sent: the format has no field for the local address.
 *
 * Sending (sync_thread_master): entries go into the current buffer; a full buffer is
 * queued; the first queued buffer wakes the master thread after IPVS_SYNC_SEND_DELAY
 * (HZ/50), the 8th at once; the thread sends every queued buffer, then the current
 * one if it is at least IPVS_SYNC_FLUSH_TIME (2 s) old, then sleeps
 * IPVS_SYNC_CHECK_PERIOD (1 s). 2.6.34 had no wake-ups: the thread looked every second
 * and sent the current buffer whenever it was younger than 2 s (time_before: a quirk,
 * so in practice every second). The queue holds at most sync_qlen_max buffers.
 *
 * Receiving (sync_thread_backup, ip_vs_process_message, ip_vs_proc_conn): the backup
 * joins 224.0.0.81 on its mcast interface and binds UDP 8848; a message whose size
 * field differs from its length, or another syncid (when the backup's is not 0), is
 * dropped; each entry creates the connection (flags masked to the backup mask, SYNC
 * set, bound to the dest with that address and port when the service has it: the
 * forwarding method then comes from the dest, the activity from the message) or
 * updates the existing one (only INACTIVE and the sequence flags; a connection to
 * another server is expired and replaced unless the entry is inactive); then state,
 * old_state = state, in_pkts = sync_threshold, timeout = the message's (v1; 0 or v0:
 * the protocol's timeout for the state, 3 minutes for templates), and the timer
 * restarts.
 *
 * Where the kernel's jiffies appear, they are simulated nanoseconds / IP_VS_JIFFY
 * (HZ 250), from 0 at the start of the run. */
#ifndef IPVSIM_MODEL_IPVS_IP_VS_SYNC_H
#define IPVSIM_MODEL_IPVS_IP_VS_SYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "model/ipvs/ip_vs.h"
#include "model/ipvs/ip_vs_ctl.h"

struct net;
struct net_device;

/* ipvs->sync_state bits */
#define IP_VS_STATE_NONE    0x0000
#define IP_VS_STATE_MASTER  0x0001
#define IP_VS_STATE_BACKUP  0x0002

#define IP_VS_SYNC_GROUP    0xe0000051u     /* 224.0.0.81, host order */
#define IP_VS_SYNC_PORT     8848
#define IP_VS_SYNC_PROTO_VER 1              /* in a version 1 header */

/* Connection flags the sync daemon deals with (uapi/linux/ip_vs.h). */
#define IP_VS_CONN_F_OUT_SEQ    0x0200
#define IP_VS_CONN_F_IN_SEQ     0x0400
#define IP_VS_CONN_F_SEQ_MASK   (IP_VS_CONN_F_OUT_SEQ | IP_VS_CONN_F_IN_SEQ)
/* What a backup takes from a message when it creates a connection... */
#define IP_VS_CONN_F_BACKUP_MASK (IP_VS_CONN_F_FWD_MASK | IP_VS_CONN_F_NOOUTPUT | \
                                  IP_VS_CONN_F_INACTIVE | IP_VS_CONN_F_SEQ_MASK | \
                                  IP_VS_CONN_F_NO_CPORT | IP_VS_CONN_F_TEMPLATE)
/* ... and what it updates in one it has. */
#define IP_VS_CONN_F_BACKUP_UPD_MASK (IP_VS_CONN_F_INACTIVE | IP_VS_CONN_F_SEQ_MASK)

/* include/net/ip_vs.h, in jiffies */
#define IPVS_SYNC_WAKEUP_RATE   8
#define IPVS_SYNC_SEND_DELAY    (IP_VS_HZ / 50)
#define IPVS_SYNC_CHECK_PERIOD  IP_VS_HZ
#define IPVS_SYNC_FLUSH_TIME    (IP_VS_HZ * 2)
/* sync_qlen_max is nr_free_buffer_pages() / 32 in the kernel: a host with 4 GiB of
 * buffer pages, 32768 messages. */
#define IP_VS_SYNC_QLEN_MAX_DEFAULT 32768
/* The template states (IP_VS_CTPL_S_*) */
#define IP_VS_CTPL_S_LAST 2

/* Message layouts */
#define IP_VS_SYNC_MESG_V0_HLEN     4       /* struct ip_vs_sync_mesg_v0 */
#define IP_VS_SYNC_MESG_HLEN        8       /* struct ip_vs_sync_mesg */
#define IP_VS_SYNC_CONN_V0_SIZE     24      /* struct ip_vs_sync_conn_v0 (SIMPLE_CONN_SIZE) */
#define IP_VS_SYNC_CONN_OPTS_SIZE   24      /* struct ip_vs_sync_conn_options */
#define IP_VS_SYNC_V4_SIZE          36      /* struct ip_vs_sync_v4 */
#define IP_VS_SYNC_V6_SIZE          72      /* struct ip_vs_sync_v6 */
#define IP_VS_SYNC_STYPE_F_INET6    0x01    /* STYPE_F_INET6, in an entry's type */
#define IP_VS_SYNC_MAX_CONNS_V0_OLD 255     /* 2.6.34: MAX_CONNS_PER_SYNCBUFF */

/* What ipvsadm --start-daemon passes (struct ipvs_sync_daemon_cfg). */
struct ip_vs_sync_daemon_cfg {
    char mcast_ifn[16];
    uint8_t syncid;
    uint16_t sync_maxlen;           /* 0: from the MTU (master: 1500 - 28) */
    be32 mcast_group;               /* 0: 224.0.0.81 */
    uint16_t mcast_port;            /* host order; 0: 8848 */
    uint8_t mcast_ttl;              /* 0: 1 */
};

struct ip_vs_sync_stats {
    /* master */
    uint64_t conns_queued;          /* entries written into messages (connections and
                                       templates) */
    uint64_t msgs_sent, conns_sent; /* messages handed to the socket, their entries */
    uint64_t bytes_sent;            /* their UDP payload (the messages' size fields) */
    uint64_t wire_bytes_sent;       /* their Ethernet frames (without FCS) */
    uint64_t msgs_dropped;          /* queue full (sync_qlen_max), or daemon stopped */
    /* backup */
    uint64_t msgs_rcvd, bytes_rcvd; /* messages the backup daemon read */
    uint64_t msgs_bad;              /* dropped: bad size, bad entry, unknown version */
    uint64_t msgs_other_syncid;
    uint64_t msgs_no_daemon;        /* arrived while no backup daemon ran */
    uint64_t conns_rcvd, conns_created, conns_updated, conns_skipped;
};

/* Start / stop a daemon (start_sync_thread / stop_sync_thread): 0, -EEXIST (already
 * running), -ENODEV (no such interface on the host), -EINVAL (a dest of another family
 * than its service exists, 3.18+), -ESRCH (stop: not running).
 * Stopping the master discards what it had not sent. */
int ip_vs_start_sync_thread(struct netns_ipvs *ipvs, const struct ip_vs_sync_daemon_cfg *c,
                            int state);
int ip_vs_stop_sync_thread(struct netns_ipvs *ipvs, int state);

/* ip_vs_in's tail, after the packet was transmitted: count the packet for the sync
 * rule and send the connection when it says so (only while the master runs). */
void ip_vs_sync_in(struct netns_ipvs *ipvs, struct ip_vs_conn *cp);
/* Add a connection (and its controller) to the current message if the rule says so. */
void ip_vs_sync_conn(struct netns_ipvs *ipvs, struct ip_vs_conn *cp, int pkts);
/* The rule alone (updates cp->old_state and cp->sync_endtime when it says yes). */
bool ip_vs_sync_conn_needed(struct netns_ipvs *ipvs, struct ip_vs_conn *cp, int pkts);
/* backup_only set and the backup daemon running: ip_vs_in leaves packets alone. */
bool ip_vs_sync_backup_only(const struct netns_ipvs *ipvs);

/* A backup's processing of one message (ip_vs_process_message), as read from the
 * socket: both versions (2.6.34: version 0 only). */
void ip_vs_process_message(struct netns_ipvs *ipvs, const uint8_t *buf, size_t len);

/* Counters; all zero before a daemon ever started. */
const struct ip_vs_sync_stats *ip_vs_sync_stats(const struct netns_ipvs *ipvs);
/* The number of sync buffers waiting (queued and the current one). */
unsigned ip_vs_sync_pending(const struct netns_ipvs *ipvs);

/* Stop both daemons and free everything (ip_vs_sync_net_cleanup; ip_vs_net_exit). */
void ip_vs_sync_net_cleanup(struct netns_ipvs *ipvs);

#endif
