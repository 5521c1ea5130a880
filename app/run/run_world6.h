/* The IPv6 side of a run's world: the addresses and routes `ip -6 addr` and
 * `ip -6 route` would set on each host (model/ipv6/addrconf.c, route.c), beside the
 * IPv4 ones run_world.c sets. A scenario without an IPv6 address gets none of it:
 * its world is the IPv4 one, byte for byte.
 *
 *   clients' hosts  fd00:64::2, ::3 ... /64 on eth0 (CLIENT_SIDE_NET6), their group's
 *                   net as a local route (AnyIP), default via gw fd00:64::1
 *   gw              fd00:64::1/64 on eth0, an address on the servers' /64 on eth1
 *                   (the highest free one), forwarding; the VIPs via the DIP6, each
 *                   IPv6 group's net via its host
 *   director        DIP6/64 and the IPv6 VIPs (/128) on eth0, forwarding as
 *                   ip_forward, default via gw
 *   real servers    their IPv6 address /64 on eth0; default via the DIP6 (NAT) or gw;
 *                   DR: the IPv6 VIP on lo; TUN: the IPv6 VIP on ip6tnl0; a mixed-family
 *                   TUN dest: sit0 with the IPv6 VIPs (an IPv6 service, its IPv4
 *                   address) or ip6tnl0 in mode any with the IPv4 VIP (the reverse) */
#ifndef IPVSIM_APP_RUN_RUN_WORLD6_H
#define IPVSIM_APP_RUN_RUN_WORLD6_H

#include <stdbool.h>
#include "app/run/run_world.h"
#include "app/scenario/scenario.h"

/* The client side's IPv6 net (a ULA, as 100.64.0.0/16 is IPv4's shared space). */
#define CLIENT_SIDE_NET6 "fd00:64::"
/* The servers' /64 when no server, director.dip6 or VIP says which. */
#define LAN6_DEFAULT "fd00:ffff::"

/* Does the scenario have an IPv6 address anywhere (servers, VIPs, DIP6, clients' nets
 * and targets)? */
bool run_world6_wanted(const struct scenario *s);
/* The servers' /64, the DIP6 and the router's address on it; false (err set) when a
 * server's IPv6 address is off the /64 or a backup director is asked for. */
bool run_world6_plan(struct run_world *rw, struct scn_error *err);
/* gw's and the director's addresses and routes (after their net_new). */
bool run_world6_core(struct run_world *rw);
/* A real server's, forwarded to by method (IP_VS_CONN_F_*; -1: none names it). */
bool run_world6_server(struct run_world *rw, struct host *h, const struct scn_server *sv,
                       int method);
/* A mixed-family LVS-TUN real server's tunnel ends: sit: an IPv6 service tunnels to
 * its IPv4 address (sit0 with the IPv6 VIPs); ip4ip6: an IPv4 service tunnels to its
 * IPv6 address (ip6tnl0 in mode any, with the IPv4 VIP). */
bool run_world6_mixed_tun(struct run_world *rw, struct host *h, bool sit, bool ip4ip6);
/* An IPv6 group's host (index i of the groups): its side address, its net, routes. */
bool run_world6_client(struct run_world *rw, struct host *h, const struct scn_client *c,
                       unsigned i);
#endif
