/* TCP and UDP over IPv6 (include/net/transp_v6.h; net/ipv6/tcp_ipv6.c, udp.c): the
 * receive functions ip6_input_finish hands segments to, and the sending side the
 * applications' stack (model/apps/) uses when a peer's address is an IPv6 key
 * (sim/in6_key.h). Sockets are the host's socket table (model/ipv4/sock.h), shared
 * by both families: a binding is by protocol and port, as a socket bound to the
 * unspecified address (the kernel's dual-stack default) hears both. */
#ifndef IPVSIM_MODEL_IPV6_TRANSP_V6_H
#define IPVSIM_MODEL_IPV6_TRANSP_V6_H

#include <stdbool.h>
#include <stdint.h>
#include "sim/pkt.h"
#include "sim/proto6.h"
#include "sim/skb.h"

struct net;

/* tcp_v6_rcv / udpv6_rcv (__udp6_lib_rcv): skb->data at the L4 header, the IPv6
 * header at network_header. Verify the checksum over the IPv6 pseudo-header (a UDP
 * checksum of 0 is an error over IPv6: RFC 8200 8.1), put the addresses as keys in
 * the socket control block (sock_skb_addrs) and hand the segment to the socket of
 * its port; with none, TCP answers with a reset (tcp_v6_send_reset) and UDP with a
 * port unreachable. Consume skb. */
int tcp_v6_rcv(struct net *net, struct sk_buff *skb);
int udpv6_rcv(struct net *net, struct sk_buff *skb);

/* What both do first: the length and checksum checks (false: skb freed, the error
 * counted under fn's name), then the addresses as keys into the control block. */
bool transp_v6_rcv_check(struct net *net, struct sk_buff *skb, uint8_t proto, uint32_t hlen,
                         const char *fn);

/* tcp_v6_send_reset: the RST answering oldskb (data at its TCP header), through the
 * host's control socket; nothing for a RST or when there is no route back. */
void tcp_v6_send_reset(struct net *net, const struct sk_buff *oldskb);

/* Send a TCP segment (inet6_csk_xmit -> ip6_xmit) or a UDP datagram
 * (udpv6_sendmsg) from the address key saddr to the key daddr: routed with
 * ip6_route_output, hop limit of the host, checksums over the pseudo-header (UDP's
 * mandatory), never fragmented (a larger packet is refused: ip6_local_out drops
 * what exceeds the MTU). tcp_v6_xmit: false when it could not be sent (no route:
 * OutNoRoutes counted). udp_v6_send: 0 or -ENETUNREACH, -ENOBUFS, -EMSGSIZE. */
bool tcp_v6_xmit(struct net *net, be32 saddr, be32 daddr, const struct tcp_spec *t, uint32_t len,
                 uint64_t flow);
int udp_v6_send(struct net *net, be32 saddr, be16 sport, be32 daddr, be16 dport, uint32_t payload,
                uint64_t flow);

/* Is the key daddr routable from this host (ip6_route_output finds a route)? */
bool ip6_route_ok(struct net *net, be32 daddr);
/* The MSS this host advertises towards the key daddr (tcp_v6_syn_recv_sock /
 * tcp_connect's tcp_mss_clamp of dst_metric_advmss: ip6_default_advmss): the route's
 * MTU less the IPv6 and TCP headers (60 bytes: 1440 on Ethernet), at least
 * IPV6_MIN_MTU - 60. */
uint16_t tcp_v6_route_mss(struct net *net, be32 daddr);
/* The source address (as a key) this host uses towards the key daddr
 * (ip6_route_output then ipv6_dev_get_saddr); false when there is none. */
bool ip6_route_saddr(struct net *net, be32 daddr, be32 *saddr);

/* A 32-bit digest of an IPv6 address for the model's keyed hashes (TSval offsets,
 * SYN cookies), as secure_tcpv6_ts_off / secure_tcpv6_seq and cookie_v6_init_sequence
 * hash the 16 bytes of the addresses (net/core/secure_seq.c): the digest depends
 * only on the address, never on its key. */
uint32_t ipv6_addr_digest(const struct in6_addr *a);

#endif
