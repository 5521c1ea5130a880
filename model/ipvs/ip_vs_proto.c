/* The IPVS protocol registry and what every protocol shares. Kernel:
 * net/netfilter/ipvs/ip_vs_proto.c (ip_vs_proto_get, ip_vs_state_name). The kernel
 * hashes protocols into a 32-bucket table and walks the chain; a table indexed by
 * the protocol number gives the same answer in one load. */
#include "model/ipvs/ip_vs_proto.h"

#include <netinet/in.h>
#include <string.h>
#include "model/ipvs/ip_vs.h"
#include "model/net.h"
#include "sim/csum.h"
#include "sim/in6_key.h"

const struct ip_vs_protocol *const ip_vs_proto_table[256] = {
    [IPPROTO_TCP] = &ip_vs_protocol_tcp,
    [IPPROTO_UDP] = &ip_vs_protocol_udp,
    [IPPROTO_SCTP] = &ip_vs_protocol_sctp,
};

/* ip_vs_ctpl_state_name_table */
static const char *const ctpl_state_names[] = {
    [IP_VS_CTPL_S_NONE] = "NONE",
    [IP_VS_CTPL_S_ASSURED] = "ASSURED",
};

const char *ip_vs_state_name(const struct ip_vs_conn *cp)
{
    if (cp->flags & IP_VS_CONN_F_TEMPLATE)
        return ctpl_state_names[cp->state & IP_VS_CTPL_S_ASSURED];
    const struct ip_vs_protocol *pp = ip_vs_proto_get(cp->protocol);
    if (!pp)
        return cp->protocol == 0 ? "NONE" : "ERR!";     /* IPPROTO_IP: a fwmark template */
    const struct ip_vs_proto_states *st = pp->states(cp->ipvs->net->prof);
    return cp->state < st->num_states ? st->names[cp->state] : "BUG!";
}

bool ip_vs_proto_mangle(struct sk_buff *skb, const struct ip_vs_iphdr *iph, int check_off,
                        bool udp, be32 oldaddr, be32 newaddr, unsigned port_off, be16 newport)
{
    uint8_t *l4 = skb->data + iph->len;
    be16 oldport;
    memcpy(&oldport, l4 + port_off, 2);
    memcpy(l4 + port_off, &newport, 2);
    bool changed = oldport != newport;
    if (check_off < 0 || skb->len < iph->len + (unsigned)check_off + 2)
        return changed;
    uint16_t check;
    memcpy(&check, l4 + check_off, 2);
    if (udp && check == 0)
        return changed;             /* no checksum to keep */
    if (in6_is_key(newaddr)) {
        /* inet_proto_csum_replace16: the IPv6 pseudo-header's address, word by word */
        const struct in6_addr *from = in6_key_addr(oldaddr), *to = in6_key_addr(newaddr);
        for (int i = 0; i < 4; i++) {
            be32 f, t;
            memcpy(&f, &from->s6_addr[4 * i], 4);
            memcpy(&t, &to->s6_addr[4 * i], 4);
            inet_proto_csum_replace4(&check, f, t, 1);
        }
    } else {
        inet_proto_csum_replace4(&check, oldaddr, newaddr, 1);
    }
    inet_proto_csum_replace2(&check, oldport, newport, 0);
    if (udp && check == 0)
        check = CSUM_MANGLED_0;
    memcpy(l4 + check_off, &check, 2);
    return changed;
}
