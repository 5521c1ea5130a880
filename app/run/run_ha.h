/* Director high availability in a run (director.backup): the backup director, the
 * "sync" link, keepalived's VRRP with the IPVS sync daemon on both directors, the
 * director_down / director_up events, and what a failover cost (summary.json
 * "failover", directors.csv).
 *
 * The topology with a backup:
 *
 *   gw ==[servers: the LAN]== director (DIP, VIP, GWVIP), backup (its DIP), real servers
 *         director eth1 169.254.81.1/24 ==[sync]== backup eth1 169.254.81.2/24
 *
 *  - the backup applies the director's sysctl, netfilter and ipvs lines (and the
 *    ipvsadm, iptables and sysctl events), and runs its own health checker;
 *  - VRRP (model/apps/vrrp.h) runs on eth1 of both: the director MASTER at priority 150,
 *    the backup BACKUP at 100, advert_int and preempt from the scenario; the virtual
 *    addresses, on eth0 of the MASTER, are the VIP and GWVIP, a floating address on the
 *    LAN that the NAT real servers use as their default gateway (so their replies
 *    follow the MASTER; the first free LAN address after the two DIPs);
 *  - the router gw routes the VIP on-link (VIP/32 dev eth1, no gateway): its neighbour
 *    resolution then finds whichever director holds the VIP, so moving the address is
 *    what moves the traffic (without a backup, gw keeps VIP/32 via the DIP);
 *  - with sync, keepalived's lvs_sync_daemon on eth1: the IPVS sync daemon is master on
 *    the MASTER and backup on the BACKUP (model/ipvs/ip_vs_sync.h); the sync threshold
 *    of both is backup.sync_threshold.
 * A crash (director_down) stops the host (every frame in or out is dropped), loses its
 * connection table, its VRRP state and addresses, its sync daemons and its health
 * checker (whose detections so far go to events.txt); director_up brings the host back
 * with keepalived starting in BACKUP (the IPVS services as configured). A graceful
 * director_down stops keepalived only (a priority-0 advert, the addresses released).
 * Without a backup, director_down / director_up crash and restart the director alone. */
#ifndef IPVSIM_APP_RUN_RUN_HA_H
#define IPVSIM_APP_RUN_RUN_HA_H

#include <cjson/cJSON.h>
#include <glib.h>
#include "app/run/run_world.h"
#include "model/profile.h"
#include "sim/link.h"

#define HA_SYNC_NET 0xa9fe5100u     /* 169.254.81.0/24 */
#define HA_SYNC_LEN 24
#define HA_PRIO_DIRECTOR 150
#define HA_PRIO_BACKUP 100
#define HA_SAMPLE (SEC / 10)        /* directors.csv */

/* The backup host and the sync link (after the director exists and is on the LAN).
 * Only with director.backup. */
bool run_ha_build(struct run_world *rw, const struct kernel_profile *prof, struct link *lan,
                  struct scn_error *err);
/* After the configuration is applied: the sync threshold on both directors. */
void run_ha_configure(struct run_world *rw);
/* At the end of the build (captures open): VRRP and the sync daemons, the backup's
 * health checker, the sampler. Does nothing without a backup and director events. */
void run_ha_start(struct run_world *rw);
void run_ha_free(struct run_world *rw);

/* The events; name is a director's host name. */
bool run_ha_director_down(struct run_world *rw, const char *name, bool graceful, char *msg,
                          size_t n);
bool run_ha_director_up(struct run_world *rw, const char *name, char *msg, size_t n);

/* summary.json "failover" (NULL when the run has no backup and no director event). */
cJSON *run_ha_json(struct run_world *rw);
/* directors.csv: time_s,director,state,vip,conns,active,inactive,sync_msgs_sent,
 * sync_msgs_rcvd,sync_bytes_sent; false when there is nothing to write. */
bool run_ha_directors_csv(struct run_world *rw, GString *out);

#endif
