/* The IP id of a packet the host builds (include/net/ip.h ip_select_ident,
 * net/ipv4/route.c __ip_select_ident, net/ipv4/inetpeer.c): with DF set and no
 * connected socket the id is 0 in every era; otherwise it comes from a generator
 * whose shape is the era's (profile ip_ident):
 *
 *   2.6.34  one counter per destination address (the inet_peer's ip_id_count),
 *           starting at secure_ip_id(daddr), a keyed hash; +1 per packet.
 *   3.16+   2048 counters (ip_idents) picked by a keyed hash of (daddr, saddr,
 *           protocol), each starting random; a counter not used during the current
 *           jiffy first jumps by a random amount below the jiffies elapsed since its
 *           last use (ip_idents_reserve), then counts +1.
 *
 * The secrets and the starting values are drawn from the host's own random stream
 * "ip_ident/<host>", so runs are reproducible. Jiffies are the model's (HZ 250);
 * the 5.x table may have more than 2048 counters, which only changes
 * which flows share one. */
#ifndef IPVSIM_MODEL_IPV4_IP_IDENT_H
#define IPVSIM_MODEL_IPV4_IP_IDENT_H

#include <stdbool.h>
#include <stdint.h>
#include "sim/proto.h"

struct net;

/* The id for a header with these fields; df: IP_DF is set (and the packet may not be
 * fragmented locally). Sockets that count their own ids are not modelled here. */
be16 ip_select_ident(struct net *net, be32 saddr, be32 daddr, uint8_t protocol, bool df);

void ip_ident_exit(struct net *net);

#endif
