/* One host's kernel: the per-host (per network namespace) state of the model.
 *
 * Every host of a scenario, client, director or real server, runs its own
 * instance, like a network namespace. The instance plugs into sim/ through
 * host_ops: frames arrive in netif_receive_skb and leave through host_xmit. */
#ifndef IPVSIM_MODEL_NET_H
#define IPVSIM_MODEL_NET_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "model/ipv4/icmp.h"
#include "model/ipv4/ip_redirect.h"
#include "model/netfilter/core.h"
#include "model/profile.h"
#include "model/ipv4/route.h"
#include "model/trace.h"
#include "sim/host.h"
#include "sim/skb.h"

struct sock_table;
struct nf_conntrack_net;
struct nf_nat_net;
struct xt_net;
struct nf_user_hook;
struct netns_ipvs;
struct ip_redirect_state;
struct ip_ident_state;
struct netns_ipv6;

/* The counters of /proc/net/snmp's Ip: line that the model keeps. */
struct ipstats_mib {
    uint64_t in_receives, in_hdr_errors, in_addr_errors, in_discards, in_delivers;
    uint64_t forw_datagrams, out_requests, out_no_routes, out_discards;
    uint64_t in_unknown_protos, in_no_routes, frag_fails, neigh_failed;
    uint64_t in_truncated_pkts, in_csum_errors;
};

struct ipv4_devconf {
    int ip_forward;                 /* net.ipv4.ip_forward */
    int default_ttl;                /* net.ipv4.ip_default_ttl */
    /* net.ipv4.conf.all.*: redirects sent when forwarding back out of the input
     * interface; accepted (by a host that does not forward), and then only
     * towards one of its default gateways (secure) */
    int send_redirects, accept_redirects, secure_redirects;
    int shared_media;               /* on (default): redirects to any unicast gateway */
    /* The endpoints' TCP (model/apps/tcp_*.c), net/ipv4/sysctl_net_ipv4.c: options offered
     * in a SYN and accepted in a SYN-ACK (tcp_timestamps 1: with a random offset per
     * connection, 2: without), the orphaned FIN_WAIT2's lifetime in seconds, whether
     * connect() may take over a TIME_WAIT 4-tuple (tcp_port_alloc); the congestion
     * control new connections take (enum tcp_ca_algo: 0 cubic, 1 reno) and whether an
     * idle sender restarts from the initial window. */
    int tcp_timestamps, tcp_sack, tcp_window_scaling, tcp_fin_timeout, tcp_tw_reuse;
    int tcp_congestion_control, tcp_slow_start_after_idle;
};

struct net {
    struct host *host;
    const struct kernel_profile *prof;          /* the kernel era this host runs */
    struct netns_nf nf;                         /* the hook tables, one per family */
    struct trace_sink *trace;                   /* NULL: tracing off, nothing built */
    /* Hook calls per hook point and verdict code (NF_DROP..NF_STOP, then "other"),
     * and packets the kernel would have leaked (a verdict its core does not handle:
     * the model frees them and counts them here). */
    uint64_t nf_verdicts[NF_INET_NUMHOOKS][NF_STOP + 2];
    uint64_t nf_leaked;
    /* NF_DROP verdicts by hook point, hook function and reason (struct
     * nf_drop_stat), in the order first seen; NULL until the first drop. */
    GArray *nf_drops;
    struct nf_conntrack_net *ct;                /* conntrack, once loaded */
    struct nf_nat_net *nat;                     /* the NAT core, once loaded */
    struct xt_net *xt;                          /* iptables tables, once loaded */
    struct nf_user_hook *user_hooks;            /* scenario hooks, creation order */
    struct netns_ipvs *ipvs;                    /* IPVS, once loaded (ip_vs_net) */
    /* Not kernel state: called with each IPv4 packet as it arrives, before ip_rcv, by a
     * module that will look the packet up later in a table too large for the cache, to
     * start loading that line now (IPVS: ip_vs_conn_prefetch). Changes only timing. */
    void (*rx_prefetch)(struct net *net, const struct sk_buff *skb);
    struct fib_table fib;
    struct ipv4_devconf ipv4;
    struct netns_ipv6 *ipv6;        /* model/ipv6/: NULL until the host has an IPv6
                                       address (ipv6_add_addr); every IPv6 frame is
                                       dropped before that (no inet6_dev) */
    struct ipstats_mib mib;
    struct sock_table *socks;       /* local delivery: model/ipv4/sock.c */
    struct icmp_state icmp;
    struct ip_redirect_state *redir;            /* peers and route exceptions, once used */
    struct ip_redirect_stats redirect_stats;
    be16 fou_gue_port;                          /* `ip fou add port N gue`: 0 = none */
    bool ip6tnl0_mode_any;          /* `ip -6 tunnel change ip6tnl0 mode any`: the
                                       fallback takes IPv4-in-IPv6 too (else ip6ip6) */
    uint16_t ip_id;                 /* next IP id for locally generated packets */
    struct ip_ident_state *ident;   /* ip_select_ident's generators, once used */
    bool down;                      /* crashed (server_down): every frame in is dropped,
                                       nothing goes out */
};

/* Install a kernel model of the given era (NULL: the default) on a host: connected
 * routes for its addresses (call after the addresses are set), ip_forward off. Every
 * subsystem of pernet_list is set up (setup_net); the host's destruction tears them
 * down in reverse (cleanup_net). */
struct net *net_new(struct host *h, const struct kernel_profile *prof);

/* A subsystem's per-host set-up and teardown (include/net/net_namespace.h struct
 * pernet_operations). init runs when the host's kernel is created, exit when it is
 * destroyed; either may be NULL. The model's inits cannot fail (allocation aborts),
 * so init returns nothing. Subsystems loaded on first use (conntrack, NAT, the
 * tables, IPVS) have only an exit, which does nothing when they never loaded. */
struct pernet_operations {
    void (*init)(struct net *net);
    void (*exit)(struct net *net);
};

/* The subsystems in registration order (net/core/net_namespace.c pernet_list): set
 * up first to last, torn down last to first. Defined in model/subsys.c, so that this
 * file and net.c name no subsystem. */
extern const struct pernet_operations pernet_list[];
extern const size_t pernet_list_len;
/* A frame arrived on dev (host_ops.rx; net/core/dev.c netif_receive_skb). Defined in
 * model/ipv4/ip_input.c: the dispatch by EtherType (the kernel's ptype_base) is a
 * test there, IPv4 to ip_rcv, IPv6 to ipv6_rcv (model/ipv6/ip6_input.c). */
void netif_receive_skb(struct host *h, struct net_device *dev, struct sk_buff *skb);
static inline struct net *host_net(const struct host *h) { return (struct net *)h->model; }
static inline struct skb_pool *net_pool(const struct net *n) { return host_pool(n->host); }
static inline sim_time_t net_now(const struct net *n) { return host_now(n->host); }

/* CONFIG_HZ of the modelled kernels (Debian's default): where the kernel counts in
 * jiffies (rate limits, deferred work, raw ticks in /proc), so does the model. */
#define KERNEL_HZ 250
#define KERNEL_JIFFY (SEC / KERNEL_HZ)
static inline uint64_t net_jiffies(const struct net *n) { return (uint64_t)(net_now(n) / KERNEL_JIFFY); }

/* Free a packet that reached its end normally (consume_skb). */
void consume_skb(struct net *net, struct sk_buff *skb);
/* Free a packet the stack dropped, telling the trace where and why
 * (kfree_skb_reason). */
void kfree_skb_reason(struct net *net, struct sk_buff *skb, const char *func, const char *reason);
/* A drop without a reason worth reporting (the netfilter core reports its own). */
void kfree_skb(struct net *net, struct sk_buff *skb);

#endif
