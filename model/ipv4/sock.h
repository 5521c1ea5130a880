/* Local delivery of transport segments to the host's applications: a minimal
 * socket layer. An application binds (protocol, local port) to a handler; the
 * L4 receive functions (tcp_v4_rcv, udp_rcv, icmp_rcv, sctp_rcv) verify the checksum
 * (SCTP: the CRC32c) and hand the segment over. What finds no socket is answered as
 * the kernel does (UDP: ICMP port unreachable; TCP: a reset; SCTP: nothing, the
 * out-of-the-blue ABORT is not modelled), counted and dropped. */
#ifndef IPVSIM_MODEL_IPV4_SOCK_H
#define IPVSIM_MODEL_IPV4_SOCK_H

#include <stdint.h>
#include <string.h>
#include "sim/proto.h"
#include "sim/proto6.h"
#include "sim/skb.h"

struct net;

/* skb->data is at the L4 header; network_header still points at the IP header.
 * The handler owns skb. */
typedef void (*sock_rcv_fn)(struct net *net, struct sk_buff *skb, void *ctx);

#define SOCK_MAX_BINDS 64

struct sock_bind {
    uint8_t proto;
    be16 port;                      /* 0 = every port of that protocol */
    sock_rcv_fn fn;
    void *ctx;
};

struct sock_stats {
    uint64_t tcp_in, udp_in, icmp_in, sctp_in;
    uint64_t csum_errors, no_socket, unknown_proto;
};

struct sock_table {
    struct sock_bind binds[SOCK_MAX_BINDS];
    unsigned n;
    struct sock_stats stats;
};

/* The host's table, made empty and freed with the host (pernet_list). */
void sock_net_init(struct net *net);
void sock_net_exit(struct net *net);

/* Bind a handler; false when the table is full or (proto, port) is taken. */
bool sock_bind(struct net *net, uint8_t proto, be16 port, sock_rcv_fn fn, void *ctx);

/* ip_local_deliver_finish's hand-off: dispatch by protocol. */
int sock_deliver(struct net *net, struct sk_buff *skb);

/* The socket of (proto, port): an exact binding, else the protocol's wildcard one,
 * else NULL (tcp_v6_rcv and udpv6_rcv look up the same table). */
const struct sock_bind *sock_lookup_port(const struct net *net, uint8_t proto, be16 port);

/* The addresses of a segment handed to a socket, as the model stores addresses: an
 * IPv4 packet's from its header, an IPv6 packet's as keys (sim/in6_key.h), which
 * tcp_v6_rcv / udpv6_rcv leave at the end of skb->cb (behind the IPv6 control block,
 * as the kernel's tcp_skb_cb keeps its header copy) so that they are interned once
 * per packet. */
#define SOCK_CB_ADDRS_OFF (SKB_CB_SIZE - 2 * sizeof(be32))

static inline void sock_skb_set_addrs(struct sk_buff *skb, be32 saddr, be32 daddr)
{
    memcpy(skb->cb + SOCK_CB_ADDRS_OFF, &saddr, sizeof saddr);
    memcpy(skb->cb + SOCK_CB_ADDRS_OFF + sizeof saddr, &daddr, sizeof daddr);
}

static inline void sock_skb_addrs(const struct sk_buff *skb, be32 *saddr, be32 *daddr)
{
    if (skb->protocol == ETH_P_IPV6) {
        memcpy(saddr, skb->cb + SOCK_CB_ADDRS_OFF, sizeof *saddr);
        memcpy(daddr, skb->cb + SOCK_CB_ADDRS_OFF + sizeof *saddr, sizeof *daddr);
        return;
    }
    const struct iphdr *iph = (const struct iphdr *)skb_network_header(skb);
    *saddr = iph->saddr;
    *daddr = iph->daddr;
}

#endif
