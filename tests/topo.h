/* Small topologies for model tests: hosts with a kernel model, links, routes. */
#ifndef IPVSIM_TESTS_TOPO_H
#define IPVSIM_TESTS_TOPO_H

#include "model/net.h"
#include "sim/pkt.h"
#include "sim/world.h"

be32 topo_ip(const char *dotted);
/* A host with a kernel; ifaces like "eth0=10.0.1.2/24", NULL-terminated. */
struct host *topo_host(struct world *w, const char *name, const char *const *ifaces);
/* A link between two interfaces "host:dev". */
struct link *topo_link(struct world *w, const char *name, const char *a, const char *b,
                       sim_time_t latency, uint64_t bps);

/* client 10.0.1.2 -- eth0 10.0.1.1 router eth1 10.0.2.1 -- 10.0.2.2 server, with
 * default routes on both ends and forwarding on in the router. */
struct topo3 {
    struct world w;
    struct host *client, *router, *server;
};
void topo3_init(struct topo3 *t);
/* topo3 with IPv6 too: 2001:db8:1::2/64 -- ::1 router ::1 -- 2001:db8:2::2/64 (the router
 * 2001:db8:1::1 on eth0, 2001:db8:2::1 on eth1), default routes on both ends, IPv6
 * forwarding on in the router; every host of era's profile (NULL: the default). */
void topo3_init6(struct topo3 *t, const char *era);
/* An IPv6 address from its text (the test fails at once on a bad one). */
struct in6_addr topo_in6(const char *s);

/* Build and send a UDP datagram from a host (route looked up, saddr from it). */
int topo_send_udp(struct host *h, const char *daddr, uint16_t sport, uint16_t dport,
                  uint32_t payload, uint8_t ttl);

#endif
