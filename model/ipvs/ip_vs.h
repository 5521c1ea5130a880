/* IPVS: the structures every part of the load balancer shares (include/net/ip_vs.h
 * and uapi/linux/ip_vs.h in the kernel): services, destinations (real servers),
 * connections, schedulers, protocols, statistics and the per-net state. */
#ifndef IPVSIM_MODEL_IPVS_IP_VS_H
#define IPVSIM_MODEL_IPVS_IP_VS_H

#include <stdbool.h>
#include <stdint.h>
#include "model/list.h"
#include "model/ipv4/route.h"
#include "model/ipv6/route.h"
#include "sim/proto.h"
#include "sim/rng.h"
#include "sim/skb.h"
#include "sim/time.h"

struct net;
struct ip_vs_conn;

/* ---- flags (uapi) ------------------------------------------------------------- */

#define IP_VS_SVC_F_PERSISTENT  0x0001
#define IP_VS_SVC_F_HASHED      0x0002
#define IP_VS_SVC_F_ONEPACKET   0x0004
#define IP_VS_SVC_F_SCHED1      0x0008      /* sh-fallback / mh-fallback */
#define IP_VS_SVC_F_SCHED2      0x0010      /* sh-port / mh-port */
#define IP_VS_SVC_F_SCHED3      0x0020

#define IP_VS_DEST_F_AVAILABLE  0x0001
#define IP_VS_DEST_F_OVERLOAD   0x0002

#define IP_VS_CONN_F_FWD_MASK   0x0007
#define IP_VS_CONN_F_MASQ       0x0000
#define IP_VS_CONN_F_LOCALNODE  0x0001
#define IP_VS_CONN_F_TUNNEL     0x0002
#define IP_VS_CONN_F_DROUTE     0x0003
#define IP_VS_CONN_F_BYPASS     0x0004
#define IP_VS_CONN_F_FULLNAT    0x0007      /* ipvsim extra: not in mainline Linux (as DPVS) */
#define IP_VS_CONN_F_SYNC       0x0020
#define IP_VS_CONN_F_HASHED     0x0040
#define IP_VS_CONN_F_NOOUTPUT   0x0080
#define IP_VS_CONN_F_INACTIVE   0x0100
#define IP_VS_CONN_F_NO_CPORT   0x0800
#define IP_VS_CONN_F_TEMPLATE   0x1000
#define IP_VS_CONN_F_ONE_PACKET 0x2000

enum { IP_VS_CONN_F_TUNNEL_TYPE_IPIP, IP_VS_CONN_F_TUNNEL_TYPE_GUE, IP_VS_CONN_F_TUNNEL_TYPE_GRE };

/* dest->tun_flags (uapi): GUE/GRE checksums */
#define IP_VS_TUNNEL_ENCAP_FLAG_NOCSUM  0
#define IP_VS_TUNNEL_ENCAP_FLAG_CSUM    (1 << 0)
#define IP_VS_TUNNEL_ENCAP_FLAG_REMCSUM (1 << 1)

#define IP_VS_SCHEDNAME_MAXLEN 16
#define IP_VS_FNAT_MAX_LADDRS 16     /* FULLNAT local addresses per service (ipvsim extra) */
#define IP_VS_PERSISTENT_TIMEOUT_DEFAULT 360   /* seconds: ipvsadm's -p without a value */

/* ---- statistics ---------------------------------------------------------------- */

struct ip_vs_counters {
    uint64_t conns, inpkts, outpkts, inbytes, outbytes;
};

/* Counters, the estimator's state (2 s period, EWMA 1/4, fixed point) and the -Z
 * baseline. */
struct ip_vs_stats {
    struct ip_vs_counters c;         /* since creation, counted by every packet (the
                                        kernel's locked ustats, later the per-CPU
                                        cpustats) */
    struct ip_vs_counters kstats;    /* c as the last estimator pass summed it: what a
                                        listing shows where the profile has per-CPU
                                        counters (ip_vs_read_cpu_stats) */
    struct ip_vs_counters zero;      /* baseline stored by -Z */
    struct ip_vs_counters last;      /* at the previous estimator tick */
    int64_t cps, inpps, outpps, inbps, outbps;  /* estimator fixed-point rates */
};

/* ---- destinations and services --------------------------------------------------- */

struct ip_vs_service;

struct ip_vs_dest {
    struct list_head n_list;         /* in svc->destinations, newest first */
    be32 addr;
    be16 port;
    unsigned flags;                  /* IP_VS_DEST_F_* */
    unsigned conn_flags;             /* forwarding method | INACTIVE (| NOOUTPUT) */
    int weight;
    int last_weight;                 /* last non-zero weight (mh) */
    uint32_t u_threshold, l_threshold;
    int activeconns, inactconns, persistconns;
    uint16_t tun_type;
    be16 tun_port;
    uint16_t tun_flags;
    struct ip_vs_stats stats;
    struct ip_vs_service *svc;
    unsigned refcnt;                 /* connections bound to it, and scheduler tables
                                        pointing at it (sh, dh, mh, lblc, lblcr), as the
                                        kernel's ip_vs_dest_hold: the trash keeps it */
    sim_time_t idle_start;           /* in the trash: when it became unreferenced */
    struct list_head t_list;         /* in the trash */
    bool in_rs_table;                /* hashed in rs_table (ip_vs_rs_hash): up to 4.x only
                                        when made or edited NAT, and left there by an
                                        edit to another method */
    union {                          /* cached route to the real server (ip_vs_xmit), */
        struct rtable dest_dst;      /* by the dest's family */
        struct rt6_info dest_dst6;
    };
    bool dest_dst_ok;
    /* The service it was made for, kept so a deleted dest in the trash can still be
     * matched after its service is gone (ip_vs_trash_get_dest). */
    uint16_t protocol;
    be32 vaddr;
    be16 vport;
    uint32_t vfwmark;
};

/* skb->flags bit: the packet was produced or handled by IPVS (skb->ipvs_property). */
#define SKB_F_IPVS_PROPERTY SKB_F_MODEL0

struct ip_vs_iphdr;

/* A scheduler: an ops struct registered by name (one file each under sched/).
 * schedule() returns the chosen dest or NULL. The control plane calls add_dest after
 * linking the new dest at the head of svc->destinations, del_dest after unlinking it
 * (it is then no longer in the list), upd_dest after an edit took effect; all three
 * are skipped while the service is being deleted (done_service runs first). The
 * registry and ip_vs_bind_scheduler live in ip_vs_sched.c. */
struct ip_vs_scheduler {
    const char *name;
    int (*init_service)(struct ip_vs_service *svc);
    void (*done_service)(struct ip_vs_service *svc);
    int (*add_dest)(struct ip_vs_service *svc, struct ip_vs_dest *dest);
    int (*del_dest)(struct ip_vs_service *svc, struct ip_vs_dest *dest);
    int (*upd_dest)(struct ip_vs_service *svc, struct ip_vs_dest *dest);
    struct ip_vs_dest *(*schedule)(struct ip_vs_service *svc, const struct sk_buff *skb,
                                   const struct ip_vs_iphdr *iph);
};

struct netns_ipvs;

struct ip_vs_service {
    struct list_head s_list;         /* in ipvs->services, creation order */
    uint16_t af;                     /* AF_INET or AF_INET6; addresses of either family
                                        are stored as 32 bits (sim/in6_key.h) */
    uint16_t protocol;               /* IPPROTO_TCP/UDP/SCTP, 0 for fwmark */
    be32 addr;
    be16 port;
    uint32_t fwmark;
    unsigned flags;                  /* IP_VS_SVC_F_* */
    unsigned timeout;                /* persistence, seconds */
    be32 netmask;                    /* AF_INET6: the prefix length (1..128), as the
                                        kernel's svc->netmask holds it */
    struct list_head destinations;
    int num_dests;
    const struct ip_vs_scheduler *scheduler;
    void *sched_data;
    struct rng rng;                  /* for schedulers that draw (twos): "ipvs:<svc>" */
    struct ip_vs_stats stats;
    struct netns_ipvs *ipvs;
    /* 1 while listed in ipvs->services, +1 per dest bound to it (trashed ones too):
     * a deleted service lives on until its last trashed dest is freed. */
    unsigned refcnt;
    /* FULLNAT (ipvsim extra, not mainline): the local addresses its connections
     * take as source towards the real servers (ipvsadm -P/--add-laddr -z ADDR),
     * used round robin; none: the director's source address for the route to the
     * real server (its DIP). Local ports are taken from lport_next on. */
    be32 laddrs[IP_VS_FNAT_MAX_LADDRS];
    unsigned n_laddrs, laddr_next;
    uint16_t lport_next;
};

/* The parts of a packet's IP header IPVS works from (struct ip_vs_iphdr). */
struct ip_vs_iphdr {
    uint32_t len;                    /* offset of the transport header from skb->data */
    uint8_t protocol;
    be32 saddr, daddr;
};

/* ---- connections ------------------------------------------------------------------- */

/* Template states (IP_VS_CTPL_S_*): a template's cp->state. */
#define IP_VS_CTPL_S_NONE    0x0000
#define IP_VS_CTPL_S_ASSURED 0x0001

struct ip_vs_conn;
struct ip_vs_protocol;
/* packet_xmit: with the packet's protocol and IP header, as the kernel passes them. */
typedef int (*ip_vs_xmit_fn)(struct sk_buff *skb, struct ip_vs_conn *cp,
                             const struct ip_vs_protocol *pp, const struct ip_vs_iphdr *iph,
                             unsigned hooknum);

/* A link of a list of connection entries (refs, 0 = none; ip_vs_conn_tab.h). */
struct ip_vs_conn_link {
    uint32_t prev, next;
};

/* A connection entry. Entries live in chunks of the connection table and link to
 * each other by ref (index + 1 in the table, 0 = none) rather than by pointer: with
 * millions of entries every byte here is paid millions of times, and the layout
 * fills exactly two cache lines. What is not stored is derived: the lookup keys
 * from the addresses, the transmitter from the forwarding method in flags.
 *
 * Lookups (ip_vs_conn.c) go through one hash chain per bucket, keyed like the
 * kernel's by (protocol, client address, client port): in-lookups (client -> VIP)
 * then compare (vaddr, vport), out-lookups (server -> client) the server side:
 * daddr:dport for NAT, vaddr:vport for the methods whose replies keep the VIP as
 * source. FULLNAT replies go to the local address instead, so those connections
 * are also indexed by (laddr, lport, daddr, dport). */
struct ip_vs_conn {
    struct ip_vs_conn_link c_list;   /* every conn of the net, creation order */
    struct netns_ipvs *ipvs;
    struct ip_vs_dest *dest;
    struct ip_vs_conn *control;      /* persistence template, or NULL */
    sim_time_t timeout;              /* for the current state */
    sim_time_t expires;              /* deadline */
    uint64_t id;                     /* creation number */
    unsigned long sync_endtime;      /* jiffies: when the backup's copy expires; low 2
                                        bits: sync retries (ip_vs_sync_conn_needed) */
    be32 caddr, vaddr, daddr;
    be32 laddr;                      /* FULLNAT: the local address and port the */
    be16 cport, vport, dport;
    be16 lport;                      /* client is translated to (0 otherwise) */
    uint32_t fwmark;
    unsigned flags;                  /* IP_VS_CONN_F_* */
    uint32_t in_pkts;
    int n_control;                   /* connections this template controls */
    uint32_t ref;                    /* its own ref (its hash chain link: conn_next) */
    struct ip_vs_conn_link t_list;   /* in its timer list (ip_vs_conn_timer.c) */
    uint32_t timer_list;             /* which one, or IP_VS_CONN_NO_TIMER */
    uint8_t protocol;
    uint8_t state;                   /* protocol state (IP_VS_TCP_S_*, ...); templates:
                                        IP_VS_CTPL_S_* */
    uint8_t old_state;               /* state when last synced (ip_vs_sync.c) */
};

/* ---- per-net state --------------------------------------------------------------- */

struct ipvs_sysctl {
    int amemthresh, am_droprate, drop_entry, drop_packet, secure_tcp;
    int snat_reroute, cache_bypass, expire_nodest_conn, sloppy_tcp, sloppy_sctp;
    int expire_quiescent_template, nat_icmp_send, pmtu_disc, backup_only;
    int conn_reuse_mode, schedule_icmp, ignore_tunneled, conntrack;
    int sync_threshold[2], sync_refresh_period, sync_version;
    int lblc_expiration, lblcr_expiration;           /* seconds */
};

struct ip_vs_conn_tab;
struct ip_vs_core;
struct ip_vs_defense;
struct ip_vs_sync;

struct netns_ipvs {
    struct net *net;
    struct list_head services;       /* creation order; lookups never depend on hashing */
    int num_services;
    int num_services6;               /* of them AF_INET6 (their hooks come and go apart) */
    struct list_head dest_trash;
    struct ipvs_sysctl sysctl;
    struct ip_vs_stats tot_stats;
    unsigned tcp_timeouts[12];       /* seconds, per TCP state (--set changes some) */
    unsigned udp_timeout;
    struct ip_vs_conn_tab *conn_tab; /* ip_vs_conn.c */
    struct ip_vs_core *core;         /* hook registrations and counters (ip_vs_core.c) */
    struct ip_vs_defense *defense;   /* defense strategies (ip_vs_defense.c) */
    int sync_state;                  /* IP_VS_STATE_MASTER | IP_VS_STATE_BACKUP (ip_vs_sync.h) */
    struct ip_vs_sync *sync;         /* the sync daemons, once one started (ip_vs_sync.c) */
    /* ip_vs_ctl.c / ip_vs_est.c */
    bool enable;                     /* set with the first service: estimation runs */
    uint64_t est_timer;              /* pending sim event ids, 0 when none */
    uint64_t dest_trash_timer;
    uint64_t expire_nodest_timer;
    /* Not kernel state: an observer told of each connection ip_vs_conn_schedule
     * creates for a packet (never templates or synced entries), so that a run can
     * record which real server each conversation (skb->flow) was sent to. NULL: none. */
    void (*sched_notify)(void *ctx, const struct sk_buff *skb, const struct ip_vs_conn *cp);
    void *sched_ctx;
};

/* ---- helpers every part uses ------------------------------------------------------- */

/* The overhead the least-connection family compares: active * 256 + inactive. */
static inline int ip_vs_dest_conn_overhead(const struct ip_vs_dest *d)
{
    return (d->activeconns << 8) + d->inactconns;
}

sim_time_t ip_vs_now(const struct netns_ipvs *ipvs);

/* Scheduler registry. */
const struct ip_vs_scheduler *ip_vs_scheduler_find(const char *name);
/* Names of every registered scheduler, NULL-terminated, in a fixed order. */
const char *const *ip_vs_scheduler_names(void);

/* Bind / unbind a scheduler to a service (init_service / done_service). */
int ip_vs_bind_scheduler(struct ip_vs_service *svc, const struct ip_vs_scheduler *s);
void ip_vs_unbind_scheduler(struct ip_vs_service *svc);

#endif
