/* The LOG target (net/netfilter/xt_LOG.c, logging through nf_log_ipv4.c's
 * nf_log_ip_packet): counted, and the line the kernel would log written as a trace
 * note. */
#include "model/netfilter/xt/xt.h"

#include <stdio.h>
#include "model/ipv4/ip.h"
#include "model/net.h"
#include "model/trace.h"

/* The line nf_log_ip would write (without MAC and options): dump_ipv4_packet
 * (net/netfilter/nf_log_syslog.c, 6.1; nf_log_ipv4.c before) prints the TOS bits and
 * the precedence apart (IPTOS_TOS_MASK 0x1e, IPTOS_PREC_MASK 0xe0). */
static void log_line(const struct xt_log_info *info, const struct xt_action_param *par,
                     char *buf, size_t size)
{
    const struct iphdr *iph = par->iph;
    const struct nf_hook_state *st = par->state;
    char src[INET_ADDRSTRLEN], dst[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &iph->saddr, src, sizeof src);
    inet_ntop(AF_INET, &iph->daddr, dst, sizeof dst);
    int n = snprintf(buf, size, "<%u>%sIN=%s OUT=%s SRC=%s DST=%s LEN=%u TOS=0x%02X PREC=0x%02X "
                     "TTL=%u ID=%u ", info->level, info->prefix, st->in ? st->in->name : "",
                     st->out ? st->out->name : "", src, dst, ntohs(iph->tot_len),
                     iph->tos & 0x1e, iph->tos & 0xe0, iph->ttl, ntohs(iph->id));
    if (n < 0 || (size_t)n >= size)
        return;
    const uint8_t *l4 = par->l4;
    bool ports = par->fragoff == 0 && par->l4_len >= 4;
    if (iph->protocol == IPPROTO_TCP && ports)
        snprintf(buf + n, size - (size_t)n, "PROTO=TCP SPT=%u DPT=%u", (l4[0] << 8) | l4[1],
                 (l4[2] << 8) | l4[3]);
    else if (iph->protocol == IPPROTO_UDP && ports)
        snprintf(buf + n, size - (size_t)n, "PROTO=UDP SPT=%u DPT=%u", (l4[0] << 8) | l4[1],
                 (l4[2] << 8) | l4[3]);
    else if (iph->protocol == IPPROTO_ICMP && par->l4_len >= 2)
        snprintf(buf + n, size - (size_t)n, "PROTO=ICMP TYPE=%u CODE=%u", l4[0], l4[1]);
    else
        snprintf(buf + n, size - (size_t)n, "PROTO=%u", iph->protocol);
}

static unsigned log_tg(struct sk_buff *skb, const struct xt_action_param *par)
{
    struct net *net = par->state->net;
    net->xt->log_packets++;
    if (net->trace) {
        char line[256];
        log_line(par->targinfo, par, line, sizeof line);
        trace_note(net, skb, "nf_log_ip_packet", line);
    }
    return XT_CONTINUE;
}

const struct xt_target xt_log_target = {
    .name = "LOG", .target = log_tg,
};
