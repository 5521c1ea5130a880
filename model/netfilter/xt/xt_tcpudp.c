/* The tcp and udp matches (net/netfilter/xt_tcpudp.c: tcp_mt, udp_mt): port ranges,
 * and for tcp the flags. */
#include "model/netfilter/xt/xt.h"

static bool port_match(uint16_t min, uint16_t max, uint16_t port, bool invert)
{
    return (port >= min && port <= max) ^ invert;
}

static bool tcp_mt(const struct sk_buff *skb, struct xt_action_param *par)
{
    const struct xt_tcp *tcpinfo = par->matchinfo;
    if (par->fragoff != 0) {
        /* A TCP fragment at offset 8 bytes could rewrite the flags: the kernel
         * drops it outright. Other fragments simply do not match. */
        if (par->fragoff == 1)
            par->hotdrop = true;
        return false;
    }
    if (par->l4_len < sizeof(struct tcphdr)) {
        par->hotdrop = true;            /* asked to look and cannot: drop */
        return false;
    }
    const struct tcphdr *th = (const struct tcphdr *)par->l4;
    uint8_t inv = tcpinfo->invflags;
    if (!port_match(tcpinfo->spts[0], tcpinfo->spts[1], ntohs(th->source),
                    inv & XT_TCP_INV_SRCPT) ||
        !port_match(tcpinfo->dpts[0], tcpinfo->dpts[1], ntohs(th->dest), inv & XT_TCP_INV_DSTPT))
        return false;
    return ((th->flags & tcpinfo->flg_mask) == tcpinfo->flg_cmp) ^ !!(inv & XT_TCP_INV_FLAGS);
}

static bool udp_mt(const struct sk_buff *skb, struct xt_action_param *par)
{
    const struct xt_udp *udpinfo = par->matchinfo;
    if (par->fragoff != 0)
        return false;
    if (par->l4_len < sizeof(struct udphdr)) {
        par->hotdrop = true;
        return false;
    }
    const struct udphdr *uh = (const struct udphdr *)par->l4;
    uint8_t inv = udpinfo->invflags;
    return port_match(udpinfo->spts[0], udpinfo->spts[1], ntohs(uh->source),
                      inv & XT_UDP_INV_SRCPT) &&
           port_match(udpinfo->dpts[0], udpinfo->dpts[1], ntohs(uh->dest), inv & XT_UDP_INV_DSTPT);
}

const struct xt_match xt_tcp_match = {
    .name = "tcp", .proto = IPPROTO_TCP, .match = tcp_mt,
};

const struct xt_match xt_udp_match = {
    .name = "udp", .proto = IPPROTO_UDP, .match = udp_mt,
};
