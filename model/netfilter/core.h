/* The netfilter hook core: the five IPv4 hook points and the NF_HOOK wrappers the
 * IPv4 path calls. nf_hook returns 1 when the packet may continue (the caller then
 * runs okfn), anything else when the hooks consumed it: a negative errno for a
 * drop, 0 for stolen or queued. With no hook registered at a point it returns 1 at
 * once, as the kernel does. */
#ifndef IPVSIM_MODEL_NETFILTER_CORE_H
#define IPVSIM_MODEL_NETFILTER_CORE_H

#include "sim/skb.h"

struct net;
struct net_device;

enum nf_inet_hooks {
    NF_INET_PRE_ROUTING,
    NF_INET_LOCAL_IN,
    NF_INET_FORWARD,
    NF_INET_LOCAL_OUT,
    NF_INET_POST_ROUTING,
    NF_INET_NUMHOOKS
};

typedef int (*nf_okfn)(struct net *net, struct sk_buff *skb);

int nf_hook(unsigned hook, struct net *net, struct sk_buff *skb, struct net_device *in,
            struct net_device *out, nf_okfn okfn);

static inline int NF_HOOK(unsigned hook, struct net *net, struct sk_buff *skb,
                          struct net_device *in, struct net_device *out, nf_okfn okfn)
{
    int r = nf_hook(hook, net, skb, in, out, okfn);
    return r == 1 ? okfn(net, skb) : r;
}

static inline int NF_HOOK_COND(unsigned hook, struct net *net, struct sk_buff *skb,
                               struct net_device *in, struct net_device *out, nf_okfn okfn,
                               int cond)
{
    return cond ? NF_HOOK(hook, net, skb, in, out, okfn) : okfn(net, skb);
}

const char *nf_hook_name(unsigned hook);

#endif
