/* The generic tracker (net/netfilter/nf_conntrack_proto_generic.c): any protocol
 * without a tracker of its own. Addresses only, one timeout, no state. */
#include "model/netfilter/nf_conntrack_internal.h"

#include <stdio.h>
#include "model/net.h"

/* Nothing of the packet beyond the addresses is part of the tuple. */
static bool generic_pkt_to_tuple(const uint8_t *l4, uint32_t avail, struct nf_conntrack_tuple *tuple)
{
    return true;
}

static bool generic_invert_tuple(struct nf_conntrack_tuple *inverse,
                                 const struct nf_conntrack_tuple *orig)
{
    return true;
}

/* nf_conntrack_core.c, generic_packet (4.x generic_packet in this file). */
static int generic_packet(struct nf_conn *ct, struct sk_buff *skb, unsigned dataoff,
                          enum ip_conntrack_info ctinfo)
{
    nf_ct_refresh(ct, ct->net->ct->timeouts.generic);
    return NF_ACCEPT;
}

static void generic_print_tuple(char *buf, size_t len, const struct nf_conntrack_tuple *t,
                                const char *src, const char *dst)
{
    snprintf(buf, len, "proto %u %s -> %s", t->protonum, src, dst);
}

/* nf_ct_generic_timeout (nf_conntrack_generic_timeout). */
void nf_conntrack_generic_init_net(struct nf_ct_timeouts *t)
{
    t->generic = 600 * SEC;
}

/* .l4proto 255, as the kernel's. */
const struct nf_conntrack_l4proto nf_conntrack_l4proto_generic = {
    .l4proto = 255,
    .pkt_to_tuple = generic_pkt_to_tuple,
    .invert_tuple = generic_invert_tuple,
    .packet = generic_packet,
    .print_tuple = generic_print_tuple,
};
