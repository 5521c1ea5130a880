/* New connections: what the protocols' conn_schedule share (service lookup, the
 * scheduler call, persistence templates and ip_vs_leave; ip_vs_core.c,
 * ip_vs_proto_{tcp,udp,sctp}.c, ip_vs_ctl.c). Each protocol's own test is in its
 * ip_vs_proto_*.c. */
#include <glib.h>
#include "model/ipv4/icmp.h"
#include "model/ipv4/ip.h"
#include "model/ipv6/ipv6.h"
#include "model/ipvs/ip_vs_conn.h"
#include "model/ipvs/ip_vs_core.h"
#include "model/ipvs/ip_vs_ctl.h"
#include "model/ipvs/ip_vs_defense.h"
#include "model/net.h"
#include "sim/pkt.h"

#define FTPPORT htons(21)
#define FTPDATA htons(20)

struct ip_vs_service *ip_vs_service_find(struct netns_ipvs *ipvs, uint32_t fwmark,
                                         uint16_t protocol, be32 vaddr, be16 vport)
{
    struct ip_vs_service *svc = NULL;
    /* a fwmark service of the packet's family (__ip_vs_svc_fwm_find(ipvs, af, mark)) */
    if (fwmark)
        svc = ip_vs_service_get_af(ipvs, inet_key_family(vaddr), 0, 0, 0, fwmark);
    if (!svc)
        svc = ip_vs_service_get(ipvs, protocol, vaddr, vport, 0);
    /* Services on port 0 take every port of their address. */
    if (!svc && vport)
        svc = ip_vs_service_get(ipvs, protocol, vaddr, 0, 0);
    return svc;
}

/* ipv6_addr_prefix: the client's address cut to the service's prefix length (an
 * IPv6 service's netmask), as the key of the template's caddr. */
static be32 ip_vs_addr_prefix_v6(be32 key, unsigned plen)
{
    struct in6_addr a = *in6_key_addr(key);
    for (unsigned i = 0; i < 16; i++) {
        unsigned bits = plen > i * 8 ? plen - i * 8 : 0;
        a.s6_addr[i] &= bits >= 8 ? 0xff : (uint8_t)(0xff00u >> bits);
    }
    return in6_key_get(&a);
}

/* Where a persistence template is keyed (ip_vs_sched_persist): the client's network,
 * snet = caddr & netmask for IPv4, the first netmask bits for IPv6. */
static struct ip_vs_conn_param template_param(const struct ip_vs_service *svc,
                                              const struct ip_vs_iphdr *iph, be16 dport,
                                              uint32_t mark)
{
    be32 snet = svc->af == AF_INET6 ? ip_vs_addr_prefix_v6(iph->saddr, svc->netmask)
                                    : iph->saddr & svc->netmask;
    struct ip_vs_conn_param p = {
        .protocol = iph->protocol, .caddr = snet, .cport = 0,
        .vaddr = iph->daddr, .vport = svc->port,
    };
    if (dport == svc->port && svc->port != FTPPORT)
        return p;
    p.vport = 0;
    if (svc->fwmark) {
        p.protocol = 0;             /* IPPROTO_IP */
        p.vaddr = htonl(svc->fwmark);
    }
    return p;
}

/* One-packet scheduling (--ops) applies to UDP alone (ip_vs_schedule). */
static unsigned one_packet_flags(const struct ip_vs_service *svc, const struct ip_vs_iphdr *iph)
{
    return (svc->flags & IP_VS_SVC_F_ONEPACKET && iph->protocol == IPPROTO_UDP)
               ? IP_VS_CONN_F_ONE_PACKET : 0;
}

/* Is the dest a template points at still good (ip_vs_check_template)? */
static bool ip_vs_check_template(struct ip_vs_conn *ct, struct netns_ipvs *ipvs)
{
    struct ip_vs_dest *d = ct->dest;
    if (d && (d->flags & IP_VS_DEST_F_AVAILABLE) &&
        !(ipvs->sysctl.expire_quiescent_template && d->weight == 0))
        return true;
    ip_vs_conn_invalidate_template(ct);
    return false;
}

/* FULLNAT (ipvsim extra, NOT mainline Linux; as DPVS's laddr): the local address
 * and port a new connection to dest takes. The address: the service's next local
 * address (round robin), or else the source address of the route to the real
 * server (the DIP). The port: the first one from the service's cursor (1024-65535)
 * whose reply key (RS:dport -> laddr:lport) is free. false when none is. */
#define FNAT_PORT_MIN 1024u
#define FNAT_PORTS (65536u - FNAT_PORT_MIN)

static bool ip_vs_fnat_bind_local(struct ip_vs_service *svc, const struct ip_vs_dest *dest,
                                  be16 dport, struct ip_vs_conn_param *p)
{
    if ((dest->conn_flags & IP_VS_CONN_F_FWD_MASK) != IP_VS_CONN_F_FULLNAT)
        return true;
    struct netns_ipvs *ipvs = svc->ipvs;
    be32 laddr;
    if (svc->n_laddrs) {
        laddr = svc->laddrs[svc->laddr_next % svc->n_laddrs];
        svc->laddr_next = (svc->laddr_next + 1) % svc->n_laddrs;
    } else {
        struct rtable *rt = ip_route_output(ipvs->net, dest->addr);
        if (!rt || !rt->prefsrc)
            return false;
        laddr = rt->prefsrc;
    }
    for (unsigned i = 0; i < FNAT_PORTS; i++) {
        unsigned k = (svc->lport_next + i) % FNAT_PORTS;
        be16 lport = htons((uint16_t)(FNAT_PORT_MIN + k));
        if (!ip_vs_conn_out_get(ipvs, p->protocol, dest->addr, dport, laddr, lport)) {
            svc->lport_next = (uint16_t)((k + 1) % FNAT_PORTS);
            p->laddr = laddr;
            p->lport = lport;
            return true;
        }
    }
    return false;
}

static struct ip_vs_conn *ip_vs_sched_persist(struct ip_vs_service *svc, struct sk_buff *skb,
                                              const struct ip_vs_iphdr *iph, be16 ports[2],
                                              int *ignored)
{
    struct netns_ipvs *ipvs = svc->ipvs;
    struct ip_vs_conn_param tp = template_param(svc, iph, ports[1], skb->mark);
    struct ip_vs_conn *ct = ip_vs_ct_in_get(ipvs, &tp);
    struct ip_vs_dest *dest;
    if (ct && ip_vs_check_template(ct, ipvs)) {
        dest = ct->dest;
        if (ipvs->net->trace) {
            char a[INET_KEY_STRLEN];
            trace_notef(ipvs->net, skb, "ip_vs_sched_persist", "template hit: same real server %s",
                        trace_ip(dest->addr, a));
        }
    } else {
        dest = svc->scheduler ? svc->scheduler->schedule(svc, skb, iph) : NULL;
        if (!dest)
            return NULL;
        be16 tdport = (ports[1] == svc->port && svc->port != FTPPORT) ? dest->port : 0;
        ct = ip_vs_conn_new(ipvs, &tp, dest->addr, tdport, IP_VS_CONN_F_TEMPLATE, dest, skb->mark);
        if (!ct)
            return NULL;
        ct->timeout = (sim_time_t)svc->timeout * SEC;
    }
    be16 dport = ports[1];
    if (dport == svc->port && dest->port)
        dport = dest->port;
    struct ip_vs_conn_param p = { .protocol = iph->protocol, .caddr = iph->saddr,
                                  .cport = ports[0], .vaddr = iph->daddr, .vport = ports[1] };
    unsigned flags = one_packet_flags(svc, iph);
    if (!ip_vs_fnat_bind_local(svc, dest, dport, &p)) {
        ip_vs_conn_put(ct);
        *ignored = -1;
        return NULL;
    }
    struct ip_vs_conn *cp = ip_vs_conn_new(ipvs, &p, dest->addr, dport, flags, dest, skb->mark);
    if (!cp) {
        ip_vs_conn_put(ct);
        return NULL;
    }
    ip_vs_control_add(cp, ct);
    ip_vs_conn_put(ct);             /* restarts the template's timer */
    ip_vs_conn_stats(cp, svc);
    return cp;
}

/* ip_vs_schedule. *ignored: 1 = not ours (accept), -1 = drop, 0 = no dest. */
static struct ip_vs_conn *ip_vs_schedule(struct ip_vs_service *svc, struct sk_buff *skb,
                                         const struct ip_vs_iphdr *iph, int *ignored)
{
    be16 ports[2];
    if (!ip_vs_get_ports(skb, iph, ports)) {
        *ignored = 1;
        return NULL;
    }
    /* Active FTP data connections are never scheduled. */
    if (ports[0] == FTPDATA) {
        *ignored = 1;
        return NULL;
    }
    /* Replies of a local real server must not be scheduled. */
    if ((!skb->dev || skb->dev->loopback) &&
        ip_vs_conn_in_get(svc->ipvs, iph->protocol, iph->daddr, ports[1], iph->saddr, ports[0])) {
        *ignored = 1;               /* not scheduled, the packet goes on */
        return NULL;
    }
    *ignored = 0;
    if (svc->flags & IP_VS_SVC_F_PERSISTENT)
        return ip_vs_sched_persist(svc, skb, iph, ports, ignored);
    if (!svc->fwmark && ports[1] != svc->port)
        return NULL;
    struct ip_vs_dest *dest = svc->scheduler ? svc->scheduler->schedule(svc, skb, iph) : NULL;
    if (!dest)
        return NULL;
    unsigned flags = one_packet_flags(svc, iph);
    struct ip_vs_conn_param p = { .protocol = iph->protocol, .caddr = iph->saddr,
                                  .cport = ports[0], .vaddr = iph->daddr, .vport = ports[1] };
    if (!ip_vs_fnat_bind_local(svc, dest, dest->port ? dest->port : ports[1], &p)) {
        *ignored = -1;
        return NULL;
    }
    struct ip_vs_conn *cp = ip_vs_conn_new(svc->ipvs, &p, dest->addr,
                                           dest->port ? dest->port : ports[1], flags, dest,
                                           skb->mark);
    if (cp)
        ip_vs_conn_stats(cp, svc);
    return cp;
}

/* ip_vs_addr_is_unicast: a unicast address that is not one of this host's. */
static bool addr_is_remote_unicast(struct net *net, be32 addr)
{
    uint32_t a = ntohl(addr);
    if ((a >> 24) == 0 || a == 0xffffffffu || (a >> 28) >= 0xe)
        return false;
    return !inet_addr_local(net, addr);
}

/* cache_bypass: a fwmark service without a usable dest forwards the packet to its
 * original destination through a BYPASS connection (no dest, daddr 0). */
static unsigned ip_vs_leave_bypass(struct ip_vs_service *svc, struct sk_buff *skb,
                                   const struct ip_vs_protocol *pp,
                                   const struct ip_vs_iphdr *iph, be16 ports[2])
{
    struct netns_ipvs *ipvs = svc->ipvs;
    unsigned flags = one_packet_flags(svc, iph);
    struct ip_vs_conn_param p = { .protocol = iph->protocol, .caddr = iph->saddr,
                                  .cport = ports[0], .vaddr = iph->daddr, .vport = ports[1] };
    struct ip_vs_conn *cp = ip_vs_conn_new(ipvs, &p, 0, 0, IP_VS_CONN_F_BYPASS | flags, NULL,
                                           skb->mark);
    if (!cp)
        return nf_drop_reason(skb, NF_DROP, "ip_vs_leave: connection table full (cache_bypass)");
    trace_note(ipvs->net, skb, "ip_vs_leave", "no destination: cache_bypass to the original destination");
    ip_vs_in_stats(cp, skb);
    ip_vs_set_state(cp, IP_VS_DIR_INPUT, skb, pp, iph);
    cp->in_pkts++;
    /* The transmitters do not look at the hook number. */
    unsigned ret = (unsigned)ip_vs_conn_xmit(cp)(skb, cp, pp, iph, 0);
    ip_vs_conn_put(cp);
    return ret;
}

/* No dest for a packet of a service: cache_bypass for fwmark services, or answer
 * port unreachable, for TCP too. */
static unsigned ip_vs_leave(struct ip_vs_service *svc, struct sk_buff *skb,
                            const struct ip_vs_protocol *pp, const struct ip_vs_iphdr *iph)
{
    be16 ports[2];
    if (svc->ipvs->sysctl.cache_bypass && svc->fwmark &&
        addr_is_remote_unicast(svc->ipvs->net, iph->daddr) && ip_vs_get_ports(skb, iph, ports))
        return ip_vs_leave_bypass(svc, skb, pp, iph, ports);
    if (svc->port == FTPPORT && ip_vs_get_ports(skb, iph, ports) && ports[1] != FTPPORT)
        return NF_ACCEPT;
    /* icmp_send reads the IP header at the network header. */
    skb->network_header = skb_offset(skb, skb->data);
    if (svc->af == AF_INET6)
        icmpv6_send(svc->ipvs->net, skb, ICMPV6_DEST_UNREACH, ICMPV6_PORT_UNREACH, 0);
    else
        icmp_send(svc->ipvs->net, skb, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0);
    svc->ipvs->core->leave_icmp++;
    trace_note(svc->ipvs->net, skb, "ip_vs_leave", "no destination: ICMP port unreachable");
    return nf_drop_reason(skb, NF_DROP, "ip_vs_leave: no destination (port unreachable sent)");
}

bool ip_vs_conn_schedule(struct netns_ipvs *ipvs, struct sk_buff *skb,
                         const struct ip_vs_protocol *pp, const struct ip_vs_iphdr *iph,
                         unsigned *verdict, struct ip_vs_conn **cpp)
{
    be16 ports[2];
    *cpp = NULL;
    if (!ip_vs_get_ports(skb, iph, ports))
        return true;
    struct ip_vs_service *svc = ip_vs_service_find(ipvs, skb->mark, iph->protocol, iph->daddr,
                                                   ports[1]);
    if (!svc)
        return true;
    if (ip_vs_todrop(ipvs)) {
        trace_note(ipvs->net, skb, "ip_vs_todrop", "drop_packet defense");
        *verdict = nf_drop_reason(skb, NF_DROP, "ip_vs_todrop: drop_packet defense");
        return false;
    }
    int ignored;
    uint64_t refused = ip_vs_conn_refused(ipvs);
    *cpp = ip_vs_schedule(svc, skb, iph, &ignored);
    /* The connection table was full (the kernel's allocation failed): from 2.6.37 the
     * packet is dropped; 2.6.34's tcp_conn_schedule answered it through ip_vs_leave. */
    if (!*cpp && ip_vs_conn_refused(ipvs) != refused && ipvs->net->prof->ipvs != IPVS_ERA_OLD) {
        trace_note(ipvs->net, skb, "ip_vs_schedule", "connection table full: drop");
        skb->drop_reason = "ip_vs_schedule: connection table full";
        ignored = -1;
    }
    if (*cpp) {
        if (ipvs->sched_notify)
            ipvs->sched_notify(ipvs->sched_ctx, skb, *cpp);
        if (ipvs->net->trace) {
            char a[TRACE_IP_PORT_STRLEN];
            trace_notef(ipvs->net, skb, "ip_vs_schedule", "conn miss: %s -> %s",
                        svc->scheduler ? svc->scheduler->name : "none",
                        trace_ip_port((*cpp)->daddr, (*cpp)->dport, a));
        }
        return true;
    }
    if (ignored > 0)
        return true;
    if (ignored < 0 && !skb->drop_reason)
        skb->drop_reason = "ip_vs_schedule: no free FULLNAT local address and port";
    *verdict = ignored < 0 ? NF_DROP : ip_vs_leave(svc, skb, pp, iph);
    return false;
}
