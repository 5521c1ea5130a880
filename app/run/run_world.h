/* Building a run's world from a loaded scenario: the hosts, the two links, the
 * routes, the director's configuration (ipvsadm and iptables lines, sysctls, user
 * hooks), the workload, the events and the capture taps.
 *
 * The topology, the same for every scenario:
 *
 *   client hosts ==[clients link]== gw ==[servers link: the LAN]== director, real servers
 *
 * One host per client group carries the group's addresses; the router "gw" joins
 * the clients to the LAN; the director holds its DIP and the VIP on eth0. Real
 * servers of NAT dests route through the director; of DR dests hold the VIP on lo
 * and route through gw; of TUN dests hold the VIP on tunl0 and route through gw.
 * With director.backup, a second director and the "sync" link join (app/run/run_ha.h). */
#ifndef IPVSIM_APP_RUN_RUN_WORLD_H
#define IPVSIM_APP_RUN_RUN_WORLD_H

#include <glib.h>
#include "app/run/out_budget.h"
#include "app/scenario/scenario.h"
#include "model/apps/workload.h"
#include "sim/proto6.h"
#include "sim/world.h"

struct run_world {
    const struct scenario *s;
    struct world w;
    struct host *director, *gw;
    struct host *backup;            /* director.backup (app/run/run_ha.h), or NULL */
    struct run_ha *ha;              /* VRRP, sync daemons, failover metrics, or NULL */
    GPtrArray *servers;             /* struct host *, scenario order */
    GPtrArray *client_hosts;        /* struct host *, scenario order (director for local groups) */
    GPtrArray *server_apps;         /* struct server_app * */
    GPtrArray *client_groups;       /* struct client_group * */
    GPtrArray *floods;              /* struct synflood * */
    struct healthcheck *hc;
    struct conv_log log;
    be32 lan_net;                   /* the servers' /24 */
    be32 dip, gw_lan;
    be32 backup_dip;                /* the backup's address on the LAN (with a backup) */
    be32 nat_gw;                    /* NAT real servers' gateway: the DIP, or with a backup
                                     * the floating address the MASTER holds */
    /* The IPv6 side (app/run/run_world6.c), when the scenario has an IPv6 address:
     * the servers' /64 and the addresses on it, as keys (sim/in6_key.h). */
    bool ipv6;
    struct in6_addr lan6;           /* the servers' /64 */
    be32 dip6, gw_lan6;
    GPtrArray *taps;                /* struct net_device * with a tap */
    struct out_budget output;       /* limits.output_bytes: captures and trace together */
    uint64_t events_applied;
    GString *event_log;             /* what each scenario event did, in order */
    const char *stopped_by;         /* why the run ended early ("SIGINT", "limits.events"),
                                     * NULL when it ran to its end (summary.json) */
    const char *sched;              /* run_world_cfg.sched, or NULL */
};

/* How a command builds a world beyond the scenario itself. */
struct run_world_cfg {
    const char *pcap_dir;           /* where the scenario's capture points write (NULL: no
                                     * capture, the points are checked) */
    const char *sched;              /* every -A and -E line (of "ipvs" and of ipvsadm events)
                                     * read as if its -s said this scheduler: a typed value on
                                     * the parsed line (ipvsadm_parse_sched), as compare runs
                                     * each scheduler; NULL: as written. Not copied */
};

/* Build everything (nothing runs yet). On error: false with err set (file, line,
 * column of the scenario value at fault); the world is destroyed. pcap_dir: where
 * the scenario's capture points write (NULL: no capture, the points are checked). */
bool run_world_build(struct run_world *rw, const struct scenario *s, const char *pcap_dir,
                     struct scn_error *err);
/* The same with cfg (run_world_build: cfg = { .pcap_dir = pcap_dir }). */
bool run_world_build_cfg(struct run_world *rw, const struct scenario *s,
                         const struct run_world_cfg *cfg, struct scn_error *err);
/* One more capture point from the command line ("all" or "HOST:IFACE"), after
 * run_world_build: false with why set ("no host 'x' (expected one of: ...)", a
 * host's wired interfaces, or why its tap could not be opened: then *environment). */
bool run_world_capture(struct run_world *rw, const char *point, const char *pcap_dir, char *why,
                       size_t len, bool *environment);
void run_world_free(struct run_world *rw);

/* A scenario event at its time (scheduled by run_world_build; app/run/run_events.c). */
void run_world_event(struct sim *sim, void *obj, uint64_t index);
/* The health checker's configuration from the scenario (both directors'). */
struct healthcheck_cfg run_world_healthcheck_cfg(const struct run_world *rw);
/* healthcheck_cfg.notify: a health checker's transition into the event log, as it
 * happens (ctx: the run_world). */
void run_world_log_healthcheck(void *ctx, const struct healthcheck *hc,
                               const struct healthcheck_event *e);

struct ipvsadm_cmd;
struct ipvsadm_error;
/* An ipvsadm line of the scenario (its "ipvs" or an event) as this run reads it:
 * ipvsadm_parse, with rw->sched when set. */
int run_world_ipvsadm_parse(const struct run_world *rw, const char *line, struct ipvsadm_cmd *cmd,
                            struct ipvsadm_error *err);

/* Every host's name, in creation order, ", "-separated (for "expected one of"). */
void run_world_host_names(const struct run_world *rw, GString *out);

/* The real server's index whose address is addr, or -1. */
int run_world_server_index(const struct run_world *rw, be32 addr);

#endif
