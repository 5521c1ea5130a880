/* IPv4 defragmentation for conntrack (net/ipv4/netfilter/nf_defrag_ipv4.c): the
 * hook at PRE_ROUTING and LOCAL_OUT, -400, registered before conntrack's own, so
 * that conntrack sees whole packets. Its ops live in the net's conntrack state. */
#include "model/netfilter/nf_conntrack_internal.h"

#include "model/net.h"

/* Nothing to gather: the simulated stacks never fragment (local output drops what
 * exceeds the MTU, forwarding answers DF packets with frag-needed and drops the
 * others too big), so no fragment reaches this hook from a simulated host. The
 * hook is there for its place in the order; it accepts every packet unchanged. A
 * stray later fragment would reach conntrack whole and be INVALID there. */
static unsigned ipv4_conntrack_defrag(void *priv, struct sk_buff *skb,
                                      const struct nf_hook_state *state)
{
    return NF_ACCEPT;
}

static const struct nf_hook_ops ipv4_defrag_ops[2] = {
    { ipv4_conntrack_defrag, "ipv4_conntrack_defrag", "nf_defrag_ipv4", NULL, NFPROTO_IPV4,
      NF_INET_PRE_ROUTING, NF_IP_PRI_CONNTRACK_DEFRAG },
    { ipv4_conntrack_defrag, "ipv4_conntrack_defrag", "nf_defrag_ipv4", NULL, NFPROTO_IPV4,
      NF_INET_LOCAL_OUT, NF_IP_PRI_CONNTRACK_DEFRAG },
};

/* Counted: the hooks are registered with the first user (conntrack) and removed
 * with the last. */
int nf_defrag_ipv4_enable(struct net *net)
{
    struct nf_ct_pf *pf = &net->ct->pf[NF_CT_PF_IPV4];
    if (pf->defrag_users++ > 0)
        return 0;
    for (unsigned i = 0; i < G_N_ELEMENTS(ipv4_defrag_ops); i++) {
        pf->defrag_ops[i] = ipv4_defrag_ops[i];
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

void nf_defrag_ipv4_disable(struct net *net)
{
    struct nf_conntrack_net *cn = net->ct;
    struct nf_ct_pf *pf = cn ? &cn->pf[NF_CT_PF_IPV4] : NULL;
    if (!pf || pf->defrag_users == 0 || --pf->defrag_users > 0)
        return;
    for (unsigned i = G_N_ELEMENTS(ipv4_defrag_ops); i-- > 0;)
        nf_unregister_net_hook(net, &pf->defrag_ops[i]);
    pf->defrag_registered = false;
}
