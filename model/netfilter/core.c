/* The netfilter hook core. */
#include "model/netfilter/core.h"

#include "model/net.h"

static const char *const hook_names[NF_INET_NUMHOOKS] = {
    "PRE_ROUTING", "LOCAL_IN", "FORWARD", "LOCAL_OUT", "POST_ROUTING",
};

const char *nf_hook_name(unsigned hook)
{
    return hook < NF_INET_NUMHOOKS ? hook_names[hook] : "?";
}

/* No hook function is registered anywhere yet: every point lets the packet through,
 * which is what the kernel's nf_hook does for a point with an empty list. */
int nf_hook(unsigned hook, struct net *net, struct sk_buff *skb, struct net_device *in,
            struct net_device *out, nf_okfn okfn)
{
    return 1;
}
