/* The IPVS packet path (ip_vs_core.c and friends): the hook functions, new
 * connection scheduling, state and statistics updates, and the transmitters. */
#ifndef IPVSIM_MODEL_IPVS_IP_VS_CORE_H
#define IPVSIM_MODEL_IPVS_IP_VS_CORE_H

#include "model/ipvs/ip_vs.h"
#include "model/ipvs/ip_vs_proto.h"
#include "model/netfilter/core.h"

#define IP_VS_MAX_HOOK_OPS 6

struct ip_vs_core {
    struct nf_hook_ops ops[IP_VS_MAX_HOOK_OPS];     /* NFPROTO_IPV4 (ip_vs_ops4) */
    unsigned nops;
    struct nf_hook_ops ops6[IP_VS_MAX_HOOK_OPS];    /* NFPROTO_IPV6 (ip_vs_ops6) */
    unsigned nops6;
    bool registered;                 /* the IPv4 ops (hooks_afmask & 1) */
    bool registered6;                /* the IPv6 ops (hooks_afmask & 2) */
    uint64_t registrations;          /* how many times hooks were registered */
    uint64_t leave_icmp;             /* no dest: port unreachable sent */
    uint64_t drops_nodest;           /* packets of a conn whose dest was deleted */
};

void ip_vs_core_init(struct netns_ipvs *ipvs);
void ip_vs_core_exit(struct netns_ipvs *ipvs);

/* Fill iph from the IPv4 header at skb->data; false if it is not readable. */
bool ip_vs_fill_iph(const struct sk_buff *skb, struct ip_vs_iphdr *iph);
/* The same from the IPv6 header at skb->data (ip_vs_fill_iph_skb with AF_INET6):
 * the extension headers before the transport header are skipped (hop-by-hop,
 * routing, destination options, a first fragment's header); saddr and daddr are
 * the addresses' keys (sim/in6_key.h). False when the header is short or the packet
 * is a later fragment (no transport header: IPVS leaves it alone). */
bool ip_vs_fill_iph_v6(const struct sk_buff *skb, struct ip_vs_iphdr *iph);

/* ip_vs_notrack: what IPVS sends or rewrites is untracked (2.6.37+, profile
 * ipvs_notrack); 2.6.34 left the packet its conntrack entry. */
void ip_vs_notrack(const struct net *net, struct sk_buff *skb);
/* The source and destination ports (TCP/UDP/SCTP) at iph->len; false if short. */
bool ip_vs_get_ports(const struct sk_buff *skb, const struct ip_vs_iphdr *iph, be16 ports[2]);

/* ip_vs_service_find: by fwmark, then (protocol, vaddr, vport), then port 0. */
struct ip_vs_service *ip_vs_service_find(struct netns_ipvs *ipvs, uint32_t fwmark,
                                         uint16_t protocol, be32 vaddr, be16 vport);

/* The part of conn_schedule every protocol shares, after its own test (each
 * kernel proto file repeats it): the service lookup, the drop_packet defense,
 * ip_vs_schedule, and ip_vs_leave when no dest takes the packet. Returns as
 * pp->conn_schedule does. */
bool ip_vs_conn_schedule(struct netns_ipvs *ipvs, struct sk_buff *skb,
                         const struct ip_vs_protocol *pp, const struct ip_vs_iphdr *iph,
                         unsigned *verdict, struct ip_vs_conn **cpp);

/* ip_vs_set_state: the protocol's state machine step for a packet in direction dir;
 * sets cp->timeout. */
static inline void ip_vs_set_state(struct ip_vs_conn *cp, enum ip_vs_dir dir,
                                   const struct sk_buff *skb, const struct ip_vs_protocol *pp,
                                   const struct ip_vs_iphdr *iph)
{
    pp->state_transition(cp, dir, skb, iph);
}
void ip_vs_in_stats(struct ip_vs_conn *cp, const struct sk_buff *skb);
void ip_vs_out_stats(struct ip_vs_conn *cp, const struct sk_buff *skb);
void ip_vs_conn_stats(struct ip_vs_conn *cp, struct ip_vs_service *svc);

/* Transmitters; each returns a verdict for the hook that called it. pp and iph are
 * the packet's protocol and IP header as ip_vs_in found them (pp NULL for an ICMP
 * error about the connection). */
int ip_vs_nat_xmit(struct sk_buff *skb, struct ip_vs_conn *cp, const struct ip_vs_protocol *pp,
                   const struct ip_vs_iphdr *iph, unsigned hooknum);
int ip_vs_dr_xmit(struct sk_buff *skb, struct ip_vs_conn *cp, const struct ip_vs_protocol *pp,
                  const struct ip_vs_iphdr *iph, unsigned hooknum);
int ip_vs_tunnel_xmit(struct sk_buff *skb, struct ip_vs_conn *cp, const struct ip_vs_protocol *pp,
                      const struct ip_vs_iphdr *iph, unsigned hooknum);
int ip_vs_null_xmit(struct sk_buff *skb, struct ip_vs_conn *cp, const struct ip_vs_protocol *pp,
                    const struct ip_vs_iphdr *iph, unsigned hooknum);
int ip_vs_bypass_xmit(struct sk_buff *skb, struct ip_vs_conn *cp, const struct ip_vs_protocol *pp,
                      const struct ip_vs_iphdr *iph, unsigned hooknum);
/* FULLNAT (ipvsim extra, NOT mainline Linux): requests leave as laddr:lport ->
 * RS:dport; replies to laddr:lport leave as VIP:vport -> client (both re-injected
 * at LOCAL_OUT, NF_STOLEN). */
int ip_vs_fnat_xmit(struct sk_buff *skb, struct ip_vs_conn *cp, const struct ip_vs_protocol *pp,
                    const struct ip_vs_iphdr *iph, unsigned hooknum);
int ip_vs_fnat_response_xmit(struct sk_buff *skb, struct ip_vs_conn *cp,
                             const struct ip_vs_protocol *pp, const struct ip_vs_iphdr *iph,
                             unsigned hooknum);
/* The IPv6 transmitters (the connection's dest is IPv6: cp->daf); the tunnel one
 * carries an IPv6 packet as ip6ip6, an IPv4 one as IPv4-in-IPv6. */
int ip_vs_nat_xmit_v6(struct sk_buff *skb, struct ip_vs_conn *cp, const struct ip_vs_protocol *pp,
                      const struct ip_vs_iphdr *iph, unsigned hooknum);
int ip_vs_dr_xmit_v6(struct sk_buff *skb, struct ip_vs_conn *cp, const struct ip_vs_protocol *pp,
                     const struct ip_vs_iphdr *iph, unsigned hooknum);
int ip_vs_tunnel_xmit_v6(struct sk_buff *skb, struct ip_vs_conn *cp,
                         const struct ip_vs_protocol *pp, const struct ip_vs_iphdr *iph,
                         unsigned hooknum);
/* The transmitter of a connection's forwarding method (ip_vs_bind_xmit), and for a
 * connection whose dest is IPv6 (ip_vs_bind_xmit_v6). */
ip_vs_xmit_fn ip_vs_xmit_for(unsigned conn_flags);
ip_vs_xmit_fn ip_vs_xmit_for_v6(unsigned conn_flags);

/* ICMP errors about connections (ip_vs_icmp.c). */
unsigned ip_vs_out_icmp(struct netns_ipvs *ipvs, struct sk_buff *skb, const struct ip_vs_iphdr *iph);
unsigned ip_vs_in_icmp(struct netns_ipvs *ipvs, struct sk_buff *skb, const struct ip_vs_iphdr *iph,
                       unsigned hooknum, bool *related);
/* Send an ICMP error (already rewritten) to a NAT connection's real server. */
int ip_vs_icmp_xmit(struct sk_buff *skb, struct ip_vs_conn *cp, unsigned hooknum);
/* ICMPv6 errors about connections (ip_vs_icmp.c): the same for AF_INET6. */
unsigned ip_vs_out_icmp_v6(struct netns_ipvs *ipvs, struct sk_buff *skb,
                           const struct ip_vs_iphdr *iph);
unsigned ip_vs_in_icmp_v6(struct netns_ipvs *ipvs, struct sk_buff *skb,
                          const struct ip_vs_iphdr *iph, unsigned hooknum, bool *related);
int ip_vs_icmp_xmit_v6(struct sk_buff *skb, struct ip_vs_conn *cp, unsigned hooknum);

#endif
