/* A keepalived-like VRRP instance on a director (RFC 3768, VRRP version 2, as
 * keepalived runs it), with keepalived's lvs_sync_daemon: the IPVS sync daemon runs
 * as master while the instance is MASTER and as backup while it is BACKUP.
 *
 *  - adverts: IP protocol 112 to 224.0.0.18, TTL 255, from the VRRP interface's
 *    address, every advert_int while MASTER: version 2, type 1, the router id, the
 *    priority, the virtual addresses, no authentication, a checksum over the message;
 *  - BACKUP: master_down_interval = 3 * advert_int + skew, skew = (256 - priority) *
 *    advert_int / 256 (1 s and priority 100: 3.609375 s). An advert of priority 0 (a
 *    master that stops) cuts the timer to the skew; an advert of priority >= ours (or
 *    any, without preempt) restarts it; a lower one is ignored, so a higher-priority
 *    backup with preempt takes over when the timer runs out. Expiry: MASTER;
 *  - MASTER: sends an advert at once, adds the virtual addresses to their interface,
 *    sends garp_repeat gratuitous ARPs per address there (an ARP request whose sender
 *    and target address are the virtual address, target MAC 0, to ff:ff:ff:ff:ff:ff)
 *    and as many again garp_delay later; an advert of a higher priority (or the same
 *    priority from a higher address) makes it BACKUP: addresses removed;
 *  - stop (keepalived stopped): an advert of priority 0, addresses removed, sync
 *    daemons stopped; crash: the same without the advert (the host went down);
 *    restart: BACKUP again.
 * Reception: keepalived reads adverts on a raw socket, which the kernel serves after
 * the LOCAL_IN hooks (raw_local_deliver); the model registers one LOCAL_IN hook
 * function at the last priority, "vrrp_rcv" (owner "keepalived"), that takes the
 * adverts for 224.0.0.18 arriving on the VRRP interface while keepalived runs, and
 * joins 224.0.0.18 there (the group's address becomes local). Adverts that fail a
 * check (TTL 255, version, type, checksum, router id, length) are counted and dropped.
 *
 * The model's neighbour resolution is static (a link answers for the addresses of the
 * devices plugged into it), so moving an address is what redirects the traffic; the
 * gratuitous ARP frames are there for the capture (every receiver drops them: ARP is
 * not otherwise on the wire). */
#ifndef IPVSIM_MODEL_APPS_VRRP_H
#define IPVSIM_MODEL_APPS_VRRP_H

#include <stdbool.h>
#include <stdint.h>
#include "sim/proto.h"
#include "sim/time.h"

struct net;
struct vrrp;

#define VRRP_GROUP       0xe0000012u        /* 224.0.0.18, host order */
#define IPPROTO_VRRP     112
#define VRRP_MAX_ADDRS   4
#define VRRP_DEFAULT_VRID 51

enum vrrp_state {
    VRRP_STATE_DOWN,                /* keepalived not running (crashed or stopped) */
    VRRP_STATE_BACKUP,
    VRRP_STATE_MASTER,
};

struct vrrp_cfg {
    const char *interface;          /* where adverts go ("eth1") */
    const char *vip_interface;      /* where the virtual addresses go ("eth0") */
    uint8_t vrid;                   /* 0: VRRP_DEFAULT_VRID */
    uint8_t priority;               /* 1..254 */
    sim_time_t advert_int;          /* 0: 1 s */
    bool preempt;
    bool start_master;              /* MASTER from the start (holding the addresses) */
    be32 vaddrs[VRRP_MAX_ADDRS];    /* the virtual addresses, /32 each */
    unsigned nvaddrs;
    int garp_repeat;                /* gratuitous ARPs per address at a takeover */
    sim_time_t garp_delay;          /* the second round; 0: none */
    /* lvs_sync_daemon: the IPVS sync daemon follows the state */
    bool lvs_sync;
    const char *sync_interface;
    uint8_t syncid;
};

struct vrrp_stats {
    uint64_t adverts_sent, adverts_rcvd, adverts_bad;
    uint64_t garps_sent;
    uint64_t became_master, became_backup;
};

/* Called on every state change, after it took effect; why is a short text
 * ("master down timer", "higher priority advert", "crash", ...). */
typedef void (*vrrp_notify_fn)(void *ctx, struct vrrp *v, enum vrrp_state from,
                               enum vrrp_state to, const char *why);

/* Start the instance on net's host (the interfaces must exist). NULL when an
 * interface is missing. */
struct vrrp *vrrp_start(struct net *net, const struct vrrp_cfg *cfg, vrrp_notify_fn notify,
                        void *ctx);
void vrrp_crash(struct vrrp *v);
void vrrp_stop(struct vrrp *v);
void vrrp_restart(struct vrrp *v);
void vrrp_free(struct vrrp *v);

enum vrrp_state vrrp_state_of(const struct vrrp *v);
const char *vrrp_state_name(enum vrrp_state s);
const struct vrrp_stats *vrrp_stats(const struct vrrp *v);
struct net *vrrp_net(const struct vrrp *v);
/* master_down_interval of this instance. */
sim_time_t vrrp_master_down_interval(const struct vrrp *v);

#endif
