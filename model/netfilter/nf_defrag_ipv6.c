/* IPv6 defragmentation for conntrack (net/ipv6/netfilter/nf_defrag_ipv6_hooks.c):
 * ipv6_defrag at PRE_ROUTING and LOCAL_OUT, NF_IP6_PRI_CONNTRACK_DEFRAG (-400),
 * registered before conntrack's IPv6 hooks (nf_defrag_ipv6_enable). Its ops live
 * in the net's conntrack state, IPv6's part. */
#include "model/netfilter/nf_conntrack_internal.h"

#include "model/net.h"
#include "model/netfilter/netfilter_ipv6.h"

/* Nothing to gather: the simulated IPv6 stacks never fragment (local output drops
 * what exceeds the MTU, forwarding answers Packet Too Big), so no fragment
 * reaches this hook from a simulated host. The hook is there for its place in
 * the order; it accepts every packet unchanged. A stray later fragment would
 * reach conntrack whole and be INVALID there. */
static unsigned ipv6_defrag(void *priv, struct sk_buff *skb, const struct nf_hook_state *state)
{
    return NF_ACCEPT;
}

static const struct nf_hook_ops ipv6_defrag_ops[2] = {
    { ipv6_defrag, "ipv6_defrag", "nf_defrag_ipv6", NULL, NFPROTO_IPV6,
      NF_INET_PRE_ROUTING, NF_IP6_PRI_CONNTRACK_DEFRAG },
    { ipv6_defrag, "ipv6_defrag", "nf_defrag_ipv6", NULL, NFPROTO_IPV6,
      NF_INET_LOCAL_OUT, NF_IP6_PRI_CONNTRACK_DEFRAG },
};

/* Counted: the hooks are registered with the first user (conntrack) and removed
 * with the last. */
int nf_defrag_ipv6_enable(struct net *net)
{
    struct nf_ct_pf *pf = &net->ct->pf[NF_CT_PF_IPV6];
    if (pf->defrag_users++ > 0)
        return 0;
    for (unsigned i = 0; i < G_N_ELEMENTS(ipv6_defrag_ops); i++) {
        pf->defrag_ops[i] = ipv6_defrag_ops[i];
        int err = nf_register_net_hook(net, &pf->defrag_ops[i]);
        if (err) {
            while (i-- > 0)
                nf_unregister_net_hook(net, &pf->defrag_ops[i]);
            pf->defrag_users = 0;
            return err;
        }
    }
    pf->defrag_registered = true;
    return 0;
}

void nf_defrag_ipv6_disable(struct net *net)
{
    struct nf_conntrack_net *cn = net->ct;
    struct nf_ct_pf *pf = cn ? &cn->pf[NF_CT_PF_IPV6] : NULL;
    if (!pf || pf->defrag_users == 0 || --pf->defrag_users > 0)
        return;
    for (unsigned i = G_N_ELEMENTS(ipv6_defrag_ops); i-- > 0;)
        nf_unregister_net_hook(net, &pf->defrag_ops[i]);
    pf->defrag_registered = false;
}
