/* New connections: service lookup, the protocols' conn_schedule rules, the
 * scheduler call, persistence templates and ip_vs_leave (ip_vs_core.c,
 * ip_vs_proto_{tcp,udp}.c, ip_vs_ctl.c). Facts: shared/reference/ipvs.md §4.2-4.4, §6. */
#include <glib.h>
#include "model/icmp.h"
#include "model/ip.h"
#include "model/ipvs/ip_vs_conn.h"
#include "model/ipvs/ip_vs_core.h"
#include "model/ipvs/ip_vs_ctl.h"
#include "model/ipvs/ip_vs_defense.h"
#include "model/net.h"

#define FTPPORT htons(21)
#define FTPDATA htons(20)

struct ip_vs_service *ip_vs_service_find(struct netns_ipvs *ipvs, uint32_t fwmark,
                                         uint16_t protocol, be32 vaddr, be16 vport)
{
    struct ip_vs_service *svc = NULL;
    if (fwmark)
        svc = ip_vs_service_get(ipvs, 0, 0, 0, fwmark);
    if (!svc)
        svc = ip_vs_service_get(ipvs, protocol, vaddr, vport, 0);
    /* Services on port 0 take every port of their address. */
    if (!svc && vport)
        svc = ip_vs_service_get(ipvs, protocol, vaddr, 0, 0);
    return svc;
}

/* Where a persistence template is keyed (ip_vs_sched_persist). */
static struct ip_vs_conn_param template_param(const struct ip_vs_service *svc,
                                              const struct ip_vs_iphdr *iph, be16 dport,
                                              uint32_t mark)
{
    struct ip_vs_conn_param p = {
        .protocol = iph->protocol, .caddr = iph->saddr & svc->netmask, .cport = 0,
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

static struct ip_vs_conn *ip_vs_sched_persist(struct ip_vs_service *svc, struct sk_buff *skb,
                                              const struct ip_vs_iphdr *iph, be16 ports[2])
{
    struct netns_ipvs *ipvs = svc->ipvs;
    struct ip_vs_conn_param tp = template_param(svc, iph, ports[1], skb->mark);
    struct ip_vs_conn *ct = ip_vs_ct_in_get(ipvs, &tp);
    struct ip_vs_dest *dest;
    if (ct && ip_vs_check_template(ct, ipvs)) {
        dest = ct->dest;
        trace_note(ipvs->net, skb, "ip_vs_sched_persist", "template hit: same real server");
    } else {
        dest = svc->scheduler ? svc->scheduler->schedule(svc, skb, iph) : NULL;
        if (!dest)
            return NULL;
        be16 tdport = (ports[1] == svc->port) ? dest->port : 0;
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
    unsigned flags = (svc->flags & IP_VS_SVC_F_ONEPACKET && iph->protocol == IPPROTO_UDP)
                         ? IP_VS_CONN_F_ONE_PACKET : 0;
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
        *ignored = -1;
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
        *ignored = -1;
        return NULL;
    }
    *ignored = 0;
    if (svc->flags & IP_VS_SVC_F_PERSISTENT)
        return ip_vs_sched_persist(svc, skb, iph, ports);
    if (!svc->fwmark && ports[1] != svc->port)
        return NULL;
    struct ip_vs_dest *dest = svc->scheduler ? svc->scheduler->schedule(svc, skb, iph) : NULL;
    if (!dest)
        return NULL;
    unsigned flags = (svc->flags & IP_VS_SVC_F_ONEPACKET && iph->protocol == IPPROTO_UDP)
                         ? IP_VS_CONN_F_ONE_PACKET : 0;
    struct ip_vs_conn_param p = { .protocol = iph->protocol, .caddr = iph->saddr,
                                  .cport = ports[0], .vaddr = iph->daddr, .vport = ports[1] };
    struct ip_vs_conn *cp = ip_vs_conn_new(svc->ipvs, &p, dest->addr,
                                           dest->port ? dest->port : ports[1], flags, dest,
                                           skb->mark);
    if (cp)
        ip_vs_conn_stats(cp, svc);
    return cp;
}

/* No dest for a packet of a service: answer port unreachable, for TCP too. */
static unsigned ip_vs_leave(struct ip_vs_service *svc, struct sk_buff *skb,
                            const struct ip_vs_iphdr *iph)
{
    be16 ports[2];
    if (svc->port == FTPPORT && ip_vs_get_ports(skb, iph, ports) && ports[1] != FTPPORT)
        return NF_ACCEPT;
    /* icmp_send reads the IP header at the network header. */
    skb->network_header = skb_offset(skb, skb->data);
    icmp_send(svc->ipvs->net, skb, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0);
    svc->ipvs->core->leave_icmp++;
    trace_note(svc->ipvs->net, skb, "ip_vs_leave", "no destination: ICMP port unreachable");
    return NF_DROP;
}

bool ip_vs_conn_schedule(struct netns_ipvs *ipvs, struct sk_buff *skb,
                         const struct ip_vs_iphdr *iph, unsigned *verdict,
                         struct ip_vs_conn **cpp)
{
    be16 ports[2];
    *cpp = NULL;
    if (!ip_vs_get_ports(skb, iph, ports))
        return true;
    if (iph->protocol == IPPROTO_TCP) {
        const struct tcphdr *th = (const struct tcphdr *)(skb->data + iph->len);
        /* Only a SYN opens a connection (any segment with sloppy_tcp), never a RST. */
        if ((th->flags & TCPH_RST) || !(ipvs->sysctl.sloppy_tcp || (th->flags & TCPH_SYN)))
            return true;
    }
    struct ip_vs_service *svc = ip_vs_service_find(ipvs, skb->mark, iph->protocol, iph->daddr,
                                                   ports[1]);
    if (!svc)
        return true;
    if (ip_vs_todrop(ipvs)) {
        trace_note(ipvs->net, skb, "ip_vs_todrop", "drop_packet defense");
        *verdict = NF_DROP;
        return false;
    }
    int ignored;
    *cpp = ip_vs_schedule(svc, skb, iph, &ignored);
    if (*cpp) {
        trace_note(ipvs->net, skb, "ip_vs_schedule", svc->scheduler ? svc->scheduler->name : "none");
        return true;
    }
    if (ignored > 0)
        return true;
    *verdict = ignored < 0 ? NF_DROP : ip_vs_leave(svc, skb, iph);
    return false;
}
