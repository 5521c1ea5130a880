/* An LVS topology for tests: a client behind a router, and a LAN holding the
 * router, the director (VIP 203.0.113.10) and two real servers.
 *
 *   client 10.0.1.2 -- 10.0.1.1 gw 192.0.2.254 --+-- 192.0.2.1 lvs (+ VIP)
 *                                                +-- 192.0.2.11 rs1
 *                                                +-- 192.0.2.12 rs2
 *
 * NAT: the real servers route through the director. DR: they hold the VIP on lo
 * and route through the router. TUN: they hold the VIP on tunl0. */
#ifndef IPVSIM_TESTS_TOPO_LVS_H
#define IPVSIM_TESTS_TOPO_LVS_H

#include "tests/topo.h"

enum topo_fwd { TOPO_NAT, TOPO_DR, TOPO_TUN };

struct topo_lvs {
    struct world w;
    struct host *client, *gw, *lvs, *rs[2];
};

#define TOPO_VIP "203.0.113.10"

void topo_lvs_init(struct topo_lvs *t, enum topo_fwd fwd, const char *era);
/* Apply ipvsadm lines on the director; CU-asserts each succeeds. */
void topo_lvs_ipvsadm(struct topo_lvs *t, const char *const *lines);

/* Scripted TCP for tests: a real server that answers SYN with SYN|ACK and FIN with
 * FIN|ACK (counting what it got), and a way to send one segment. */
struct rs_tcp {
    int syns, segs;
};
void send_tcp_from(struct net *net, be32 saddr, be32 daddr, be16 sport, be16 dport,
                   uint8_t flags);
void rs_tcp_rx(struct net *net, struct sk_buff *skb, void *ctx);

#endif
