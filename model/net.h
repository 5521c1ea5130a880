/* One host's kernel: the per-host (per network namespace) state of the model.
 *
 * Every host of a scenario, client, director or real server, runs its own
 * instance, like a network namespace. The instance plugs into sim/ through
 * host_ops: frames arrive in netif_receive_skb and leave through host_xmit. */
#ifndef IPVSIM_MODEL_NET_H
#define IPVSIM_MODEL_NET_H

#include <stdint.h>
#include "model/route.h"
#include "sim/host.h"
#include "sim/skb.h"

struct sock_table;

/* The counters of /proc/net/snmp's Ip: line that the model keeps. */
struct ipstats_mib {
    uint64_t in_receives, in_hdr_errors, in_addr_errors, in_discards, in_delivers;
    uint64_t forw_datagrams, out_requests, out_no_routes, out_discards;
    uint64_t in_unknown_protos, neigh_failed;
};

struct ipv4_devconf {
    int ip_forward;                 /* net.ipv4.ip_forward */
    int default_ttl;                /* net.ipv4.ip_default_ttl */
};

struct net {
    struct host *host;
    struct fib_table fib;
    struct ipv4_devconf ipv4;
    struct ipstats_mib mib;
    struct sock_table *socks;       /* local delivery: model/sock.c */
    uint16_t ip_id;                 /* next IP id for locally generated packets */
};

/* Install a kernel model on a host: connected routes for its addresses (call after
 * the addresses are set), ip_forward off. */
struct net *net_new(struct host *h);
static inline struct net *host_net(const struct host *h) { return (struct net *)h->model; }
static inline struct skb_pool *net_pool(const struct net *n) { return host_pool(n->host); }
static inline sim_time_t net_now(const struct net *n) { return host_now(n->host); }

/* Free a packet the stack dropped (kfree_skb). */
void kfree_skb(struct net *net, struct sk_buff *skb);

#endif
