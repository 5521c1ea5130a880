/* Transport receive and the socket lookup (net/ipv4/{tcp_ipv4,udp,icmp}.c and
 * net/sctp/input.c, reduced to what the simulated applications need). */
#include "model/ipv4/sock.h"

#include <errno.h>
#include <glib.h>
#include <netinet/in.h>
#include "model/ipv4/icmp.h"
#include "model/ipv4/ip.h"
#include "model/ipv4/ipip.h"
#include "model/ipv4/tcp_reset.h"
#include "model/ipv6/ipv6.h"
#include "model/net.h"
#include "sim/csum.h"
#include "sim/pkt.h"

void sock_net_init(struct net *net)
{
    net->socks = g_new0(struct sock_table, 1);
}

void sock_net_exit(struct net *net)
{
    g_free(net->socks);
    net->socks = NULL;
}

bool sock_bind(struct net *net, uint8_t proto, be16 port, sock_rcv_fn fn, void *ctx)
{
    struct sock_table *t = net->socks;
    if (t->n == SOCK_MAX_BINDS)
        return false;
    for (unsigned i = 0; i < t->n; i++)
        if (t->binds[i].proto == proto && t->binds[i].port == port)
            return false;
    t->binds[t->n++] = (struct sock_bind){ proto, port, fn, ctx };
    return true;
}

/* An exact port binding wins over a wildcard one. */
static const struct sock_bind *sock_lookup(const struct sock_table *t, uint8_t proto, be16 port)
{
    const struct sock_bind *wild = NULL;
    for (unsigned i = 0; i < t->n; i++) {
        const struct sock_bind *b = &t->binds[i];
        if (b->proto != proto)
            continue;
        if (b->port == port)
            return b;
        if (b->port == 0 && !wild)
            wild = b;
    }
    return wild;
}

const struct sock_bind *sock_lookup_port(const struct net *net, uint8_t proto, be16 port)
{
    return sock_lookup(net->socks, proto, port);
}

/* Verify the L4 checksum over pseudo-header + segment (virtual bytes are zeros);
 * SCTP's CRC32c covers the packet alone. */
static bool l4_csum_ok(const struct sk_buff *skb, uint8_t proto)
{
    const struct iphdr *iph = ip_hdr(skb);
    uint32_t l4len = ntohs(iph->tot_len) - ip_hdrlen(iph);
    if (proto == IPPROTO_SCTP)
        return sctp_crc32c(skb->data, skb->len, l4len) == sctp_get_checksum(skb->data);
    wsum sum = csum_partial(skb->data, skb->len, 0);
    if (proto == IPPROTO_ICMP)
        return csum_fold(sum) == 0;
    if (proto == IPPROTO_UDP && ((const struct udphdr *)skb->data)->check == 0)
        return true;                /* UDP without a checksum */
    return csum_tcpudp_magic(iph->saddr, iph->daddr, l4len, proto, sum) == 0;
}

static int l4_header_len(uint8_t proto)
{
    switch (proto) {
    case IPPROTO_TCP: return sizeof(struct tcphdr);
    case IPPROTO_UDP: return sizeof(struct udphdr);
    case IPPROTO_ICMP: return sizeof(struct icmphdr);
    case IPPROTO_SCTP: return sizeof(struct sctphdr);
    default: return -1;
    }
}

int sock_deliver(struct net *net, struct sk_buff *skb)
{
    struct sock_table *t = net->socks;
    uint8_t proto = ip_hdr(skb)->protocol;
    int hlen = l4_header_len(proto);
    if (proto == IPPROTO_IPIP_ && ipip_rcv(net, skb))
        return 0;
    if (proto == IPPROTO_GRE && gre_rcv(net, skb))
        return 0;
    if (proto == NEXTHDR_IPV6 && ipip6_rcv(net, skb))
        return 0;
    if (hlen < 0) {
        /* No handler for the protocol: protocol unreachable, as
         * ip_local_deliver_finish answers. */
        t->stats.unknown_proto++;
        net->mib.in_unknown_protos++;
        icmp_send(net, skb, ICMP_DEST_UNREACH, ICMP_PROT_UNREACH, 0);
        kfree_skb_reason(net, skb, __func__, "unknown protocol");
        return -ENOENT;
    }
    if (skb->len < (uint32_t)hlen || !l4_csum_ok(skb, proto)) {
        t->stats.csum_errors++;
        kfree_skb_reason(net, skb, __func__, "L4 checksum error");
        return -EINVAL;
    }
    be16 port = 0;
    if (proto == IPPROTO_TCP) {
        t->stats.tcp_in++;
        port = ((const struct tcphdr *)skb->data)->dest;
    } else if (proto == IPPROTO_UDP) {
        t->stats.udp_in++;
        port = ((const struct udphdr *)skb->data)->dest;
        if (net->fou_gue_port && port == net->fou_gue_port) {
            gue_rcv(net, skb);          /* the fou socket's encap_rcv */
            return 0;
        }
    } else if (proto == IPPROTO_SCTP) {
        t->stats.sctp_in++;
        port = ((const struct sctphdr *)skb->data)->dest;
    } else {
        t->stats.icmp_in++;
        if (((const struct icmphdr *)skb->data)->type == ICMP_REDIRECT)
            icmp_redirect(net, skb);    /* the IP layer's part; sockets see it too */
    }
    const struct sock_bind *b = sock_lookup(t, proto, port);
    if (!b) {
        /* What the kernel answers when nobody listens: udp_rcv sends port
         * unreachable, tcp_v4_rcv a reset. */
        t->stats.no_socket++;
        if (proto == IPPROTO_UDP)
            icmp_send(net, skb, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0);
        else if (proto == IPPROTO_TCP)
            tcp_v4_send_reset(net, skb);
        kfree_skb_reason(net, skb, __func__, "no socket");
        return -ENOENT;
    }
    b->fn(net, skb, b->ctx);
    return 0;
}
