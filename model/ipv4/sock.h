/* Local delivery of transport segments to the host's applications: a minimal
 * socket layer. An application binds (protocol, local port) to a handler; the
 * L4 receive functions (tcp_v4_rcv, udp_rcv, icmp_rcv, sctp_rcv) verify the checksum
 * (SCTP: the CRC32c) and hand the segment over. What finds no socket is answered as
 * the kernel does (UDP: ICMP port unreachable; TCP: a reset; SCTP: nothing, the
 * out-of-the-blue ABORT is not modelled), counted and dropped. */
#ifndef IPVSIM_MODEL_IPV4_SOCK_H
#define IPVSIM_MODEL_IPV4_SOCK_H

#include <stdint.h>
#include "sim/proto.h"
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

#endif
