/* IPVS's UDP (ip_vs_proto_udp.c): one state, refreshed by every packet and never
 * active; any datagram may open a connection; the NAT handlers keep a checksum
 * only when the sender computed one. Kernel: net/netfilter/ipvs/ip_vs_proto_udp.c. */
#include "model/ipvs/ip_vs_proto.h"

#include <netinet/in.h>
#include "model/ipvs/ip_vs_conn.h"
#include "model/ipvs/ip_vs_core.h"
#include "model/net.h"
#include "sim/pkt.h"

/* udp_state_name_table, udp_timeouts */
static const char *const udp_state_names[] = { [IP_VS_UDP_S_NORMAL] = "UDP" };
static const unsigned udp_default_timeouts[] = {
    [IP_VS_UDP_S_NORMAL] = IP_VS_UDP_DEFAULT_TIMEOUT,
    [IP_VS_UDP_S_NORMAL + 1] = 2,
};

static const struct ip_vs_proto_states udp_proto_states = {
    .num_states = 1,
    .names = udp_state_names,
    .timeouts = udp_default_timeouts,
};

static const struct ip_vs_proto_states *udp_states_of(const struct kernel_profile *prof)
{
    (void)prof;
    return &udp_proto_states;
}

static unsigned udp_timeout(const struct netns_ipvs *ipvs, int state)
{
    (void)state;
    return ipvs->udp_timeout;
}

/* udp_state_transition: a reply assures the template. */
static void udp_state_transition(struct ip_vs_conn *cp, enum ip_vs_dir dir,
                                 const struct sk_buff *skb, const struct ip_vs_iphdr *iph)
{
    (void)iph;
    cp->state = IP_VS_UDP_S_NORMAL;
    cp->timeout = (sim_time_t)cp->ipvs->udp_timeout * SEC;
    if (cp->ipvs->net->trace)
        trace_notef(cp->ipvs->net, skb, "udp_state_transition", "UDP, timeout %u s", cp->ipvs->udp_timeout);
    if (dir == IP_VS_DIR_OUTPUT)
        ip_vs_control_assure_ct(cp);
}

#define UDP_CHECK_OFF 6             /* offsetof(struct udphdr, check) */

/* udp_snat_handler */
static bool udp_snat_handler(struct sk_buff *skb, const struct ip_vs_protocol *pp,
                             struct ip_vs_conn *cp, const struct ip_vs_iphdr *iph)
{
    (void)pp;
    if (skb->len < iph->len + 8)
        return false;
    ip_vs_proto_mangle(skb, iph, UDP_CHECK_OFF, true, iph->saddr, cp->vaddr, 0, cp->vport);
    return true;
}

/* udp_dnat_handler */
static bool udp_dnat_handler(struct sk_buff *skb, const struct ip_vs_protocol *pp,
                             struct ip_vs_conn *cp, const struct ip_vs_iphdr *iph)
{
    (void)pp;
    ip_vs_proto_mangle(skb, iph, UDP_CHECK_OFF, true, iph->daddr, cp->daddr, 2, cp->dport);
    return true;
}

static void udp_fnat_handler(struct sk_buff *skb, const struct ip_vs_iphdr *iph, be32 saddr,
                             be16 sport, be32 daddr, be16 dport)
{
    ip_vs_proto_mangle(skb, iph, UDP_CHECK_OFF, true, iph->saddr, saddr, 0, sport);
    ip_vs_proto_mangle(skb, iph, UDP_CHECK_OFF, true, iph->daddr, daddr, 2, dport);
}

/* udp_conn_schedule has no test of its own: any datagram for a service may open a
 * connection. No is_new_conn: UDP never reuses a connection's key afresh. */
const struct ip_vs_protocol ip_vs_protocol_udp = {
    .name = "UDP",
    .protocol = IPPROTO_UDP,
    .states = udp_states_of,
    .timeout = udp_timeout,
    .conn_schedule = ip_vs_conn_schedule,
    .state_transition = udp_state_transition,
    .snat_handler = udp_snat_handler,
    .dnat_handler = udp_dnat_handler,
    .fnat_handler = udp_fnat_handler,
};
