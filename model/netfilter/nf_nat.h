/* The NAT core: bindings set up on a connection's first packet, applied to every
 * packet of both directions (addresses, ports, checksums), its four hook functions
 * at fixed priorities and, in 4.18+ eras, the private ordered list of nat chains
 * those hooks consult. */
#ifndef IPVSIM_MODEL_NF_NAT_H
#define IPVSIM_MODEL_NF_NAT_H

#include <stdbool.h>
#include <stdint.h>
#include "model/netfilter/core.h"
#include "model/netfilter/nf_conntrack.h"

struct net;

enum nf_nat_manip_type {
    NF_NAT_MANIP_SRC,
    NF_NAT_MANIP_DST,
};

#define NF_NAT_RANGE_MAP_IPS        (1u << 0)
#define NF_NAT_RANGE_PROTO_SPECIFIED (1u << 1)

/* What a DNAT/SNAT/MASQUERADE target asks for (host byte order for ports). IPv6
 * addresses are their keys (sim/in6_key.h). */
struct nf_nat_range {
    unsigned flags;
    be32 min_addr, max_addr;
    be16 min_proto, max_proto;
};

/* Bind ct for one manip type (a NAT target's work), on the connection's first
 * packet (a confirmed entry is left alone: NF_ACCEPT). Returns NF_ACCEPT, also when
 * no free tuple was found (as in the kernel, confirmation then refuses the clash
 * and drops the packet), or NF_DROP when that manip was bound already. */
unsigned nf_nat_setup_info(struct nf_conn *ct, const struct nf_nat_range *range,
                           enum nf_nat_manip_type maniptype);
/* Was the binding for that manip type already set up on ct? */
bool nf_nat_initialized(const struct nf_conn *ct, enum nf_nat_manip_type maniptype);

/* A nat chain (iptables nat table hook, user nat hook): in eras with the NAT core's
 * private lists it is ordered among the nat chains of its hook point (the era's
 * tie rule) and called only for connections not yet bound for that direction; in
 * older eras it is an ordinary hook at its own priority. Loads conntrack and the NAT
 * core (their hooks register as the era does). */
int nf_nat_ipv4_register_fn(struct net *net, const struct nf_hook_ops *ops);
void nf_nat_ipv4_unregister_fn(struct net *net, const struct nf_hook_ops *ops);
/* The same for an IPv6 nat chain (ip6table_nat: NAT66, 3.7+): the IPv6 table,
 * IPv6 conntrack, nf_nat_ipv6_ops. */
int nf_nat_ipv6_register_fn(struct net *net, const struct nf_hook_ops *ops);
void nf_nat_ipv6_unregister_fn(struct net *net, const struct nf_hook_ops *ops);

/* MASQUERADE's work (nf_nat_masquerade_ipv4): source NAT of a new connection to
 * the address of out that faces the packet's next hop (else out's primary
 * address), ports from range when it specifies them. NF_DROP when out has no
 * address or the packet has no conntrack. */
unsigned nf_nat_masquerade_ipv4(struct sk_buff *skb, unsigned hooknum,
                                const struct nf_nat_range *range, const struct net_device *out);
/* nf_nat_masquerade_ipv6: the source address out would use towards the packet's
 * destination (ipv6_dev_get_saddr). */
unsigned nf_nat_masquerade_ipv6(struct sk_buff *skb, const struct nf_nat_range *range,
                                const struct net_device *out);

/* The nat chains the NAT core's hook at this point consults, in order (eras with
 * private lists; NULL when NAT is not loaded or the era has none), of a family. */
const struct nf_hook_entries *nf_nat_chains_of(const struct net *net, unsigned hook);
const struct nf_hook_entries *nf_nat_chains_of_pf(const struct net *net, uint8_t pf,
                                                  unsigned hook);

void nf_nat_net_exit(struct net *net);

#endif
