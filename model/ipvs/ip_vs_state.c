/* Per-packet bookkeeping of a connection: the protocol state machine step and the
 * statistics (ip_vs_set_state, ip_vs_{in,out,conn}_stats). */
#include <glib.h>
#include "model/ipvs/ip_vs_conn.h"
#include "model/ipvs/ip_vs_core.h"
#include "model/net.h"
#include "sim/pkt.h"

static void tcp_state_transition(struct ip_vs_conn *cp, enum ip_vs_dir dir,
                                 const struct sk_buff *skb, const struct ip_vs_iphdr *iph)
{
    struct netns_ipvs *ipvs = cp->ipvs;
    if (skb->len < iph->len + sizeof(struct tcphdr))
        return;
    const struct tcphdr *th = (const struct tcphdr *)(skb->data + iph->len);
    /* DR and TUN never see replies: their connections use the input-only row
     * until an output packet shows up. */
    if (cp->flags & IP_VS_CONN_F_NOOUTPUT) {
        if (dir == IP_VS_DIR_OUTPUT)
            cp->flags &= ~IP_VS_CONN_F_NOOUTPUT;
        else
            dir = IP_VS_DIR_INPUT_ONLY;
    }
    bool secure = ipvs->sysctl.secure_tcp > 1;
    int next = ip_vs_tcp_next_state_era(ipvs->net->prof->ipvs_tcp_none_ack_es, cp->state, dir,
                                        th->flags, secure);
    if (next != cp->state) {
        if (ipvs->net->trace) {
            char note[64];
            g_snprintf(note, sizeof note, "%s -> %s, timeout %u s", ip_vs_tcp_state_name(cp->state),
                       ip_vs_tcp_state_name(next), ipvs->tcp_timeouts[next]);
            trace_note(ipvs->net, skb, "set_tcp_state", note);
        }
        ip_vs_conn_set_state(cp, next, ip_vs_tcp_state_active(ipvs->net->prof, next));
        /* the move into ESTABLISHED assures the template, not every later
         * ESTABLISHED packet (set_tcp_state) */
        if (next == IP_VS_TCP_S_ESTABLISHED)
            ip_vs_control_assure_ct(cp);
    }
    cp->timeout = (sim_time_t)ipvs->tcp_timeouts[next] * SEC;
}

/* set_sctp_state: the event comes from the first chunk (ip_vs_proto_sctp.c); the
 * timeouts are the defaults (no ipvsadm option changes them). 2.6.34 ran another
 * machine (profile ipvs_sctp_old_states) without an input-only table. */
static void sctp_state_transition(struct ip_vs_conn *cp, enum ip_vs_dir dir,
                                  const struct sk_buff *skb, const struct ip_vs_iphdr *iph)
{
    struct netns_ipvs *ipvs = cp->ipvs;
    bool old = ipvs->net->prof->ipvs_sctp_old_states;
    if (skb->len < iph->len)
        return;
    const uint8_t *sctp = skb->data + iph->len;
    uint32_t len = skb->len - iph->len;
    int next;
    if (old) {
        if (len < SCTP_HLEN + SCTP_CHUNK_HLEN)
            return;
        next = ip_vs_sctp_old_next_state(cp->state, dir, sctp, len);
    } else {
        int ev = ip_vs_sctp_packet_event(sctp, len);
        if (ev < 0)
            return;
        if (cp->flags & IP_VS_CONN_F_NOOUTPUT) {
            if (dir == IP_VS_DIR_OUTPUT)
                cp->flags &= ~IP_VS_CONN_F_NOOUTPUT;
            else
                dir = IP_VS_DIR_INPUT_ONLY;
        }
        next = ip_vs_sctp_next_state(cp->state, dir, (enum ip_vs_sctp_event)ev);
    }
    int established = ip_vs_sctp_established_era(old);
    if (next != cp->state) {
        if (ipvs->net->trace)
            trace_notef(ipvs->net, skb, "set_sctp_state", "%s -> %s, timeout %u s",
                        ip_vs_sctp_state_name_era(old, cp->state),
                        ip_vs_sctp_state_name_era(old, next), ip_vs_sctp_timeout_era(old, next));
        ip_vs_conn_set_state(cp, next, next == established);
        if (next == established)
            ip_vs_control_assure_ct(cp);
    }
    cp->timeout = (sim_time_t)ip_vs_sctp_timeout_era(old, next) * SEC;
}

void ip_vs_set_state(struct ip_vs_conn *cp, enum ip_vs_dir dir, const struct sk_buff *skb,
                     const struct ip_vs_iphdr *iph)
{
    if (cp->protocol == IPPROTO_TCP) {
        tcp_state_transition(cp, dir, skb, iph);
        return;
    }
    if (cp->protocol == IPPROTO_SCTP) {
        sctp_state_transition(cp, dir, skb, iph);
        return;
    }
    /* UDP: one state, refreshed by every packet; never active. */
    cp->state = IP_VS_UDP_S_NORMAL;
    cp->timeout = (sim_time_t)cp->ipvs->udp_timeout * SEC;
    if (cp->ipvs->net->trace)
        trace_notef(cp->ipvs->net, skb, "udp_state_transition", "UDP, timeout %u s", cp->ipvs->udp_timeout);
    if (dir == IP_VS_DIR_OUTPUT)
        ip_vs_control_assure_ct(cp);
}

static uint64_t skb_ip_len(const struct sk_buff *skb)
{
    return ntohs(((const struct iphdr *)skb->data)->tot_len);
}

static void count_in(struct ip_vs_stats *s, uint64_t bytes)
{
    s->c.inpkts++;
    s->c.inbytes += bytes;
}

static void count_out(struct ip_vs_stats *s, uint64_t bytes)
{
    s->c.outpkts++;
    s->c.outbytes += bytes;
}

/* Counted only while the connection's dest is still in its service. */
void ip_vs_in_stats(struct ip_vs_conn *cp, const struct sk_buff *skb)
{
    struct ip_vs_dest *d = cp->dest;
    if (!d || !(d->flags & IP_VS_DEST_F_AVAILABLE))
        return;
    uint64_t len = skb_ip_len(skb);
    count_in(&d->stats, len);
    count_in(&d->svc->stats, len);
    count_in(&cp->ipvs->tot_stats, len);
}

void ip_vs_out_stats(struct ip_vs_conn *cp, const struct sk_buff *skb)
{
    struct ip_vs_dest *d = cp->dest;
    if (!d || !(d->flags & IP_VS_DEST_F_AVAILABLE))
        return;
    uint64_t len = skb_ip_len(skb);
    count_out(&d->stats, len);
    count_out(&d->svc->stats, len);
    count_out(&cp->ipvs->tot_stats, len);
}

void ip_vs_conn_stats(struct ip_vs_conn *cp, struct ip_vs_service *svc)
{
    if (cp->dest)
        cp->dest->stats.c.conns++;
    svc->stats.c.conns++;
    cp->ipvs->tot_stats.c.conns++;
}
