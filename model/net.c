/* Creating a host's kernel instance and plugging it into the world. */
#include "model/net.h"

#include <glib.h>
#include "model/ipv4/icmp.h"
#include "model/ipv4/ip.h"
#include "model/ipv4/ip_ident.h"
#include "model/ipvs/ip_vs_ctl.h"
#include "model/netfilter/nf_conntrack.h"
#include "model/netfilter/nf_nat.h"
#include "model/netfilter/user_hook.h"
#include "model/netfilter/x_tables.h"
#include "model/ipv4/sock.h"

static void net_destroy(struct host *h)
{
    struct net *net = host_net(h);
    if (!net)
        return;
    ip_vs_net_exit(net);
    nf_user_hooks_exit(net);
    icmp_exit(net);
    ip_ident_exit(net);
    ip_redirect_exit(net);
    xt_net_exit(net);
    nf_nat_net_exit(net);
    nf_conntrack_net_exit(net);
    for (unsigned i = 0; i < NF_INET_NUMHOOKS; i++)
        nf_hook_entries_free(&net->hooks[i]);
    for (guint i = 0; net->nf_drops && i < net->nf_drops->len; i++) {
        struct nf_drop_stat *d = &g_array_index(net->nf_drops, struct nf_drop_stat, i);
        g_free(d->func);
        g_free(d->reason);
    }
    if (net->nf_drops)
        g_array_free(net->nf_drops, TRUE);
    g_free(net->socks);
    g_free(net);
    h->model = NULL;
}

static const struct host_ops kernel_ops = {
    .kind = "kernel",
    .rx = netif_receive_skb,
    .destroy = net_destroy,
};

struct net *net_new(struct host *h, const struct kernel_profile *prof)
{
    struct net *net = g_new0(struct net, 1);
    net->host = h;
    net->prof = prof ? prof : kernel_profile_default();
    net->ipv4.default_ttl = 64;
    net->ipv4.send_redirects = 1;       /* the kernel's defaults */
    net->ipv4.accept_redirects = 1;
    net->ipv4.secure_redirects = 1;
    net->ipv4.shared_media = 1;
    net->socks = g_new0(struct sock_table, 1);
    net->ip_id = 1;
    h->ops = &kernel_ops;
    h->model = net;
    icmp_init(net);
    fib_init(net);
    fib_add_connected(net);
    return net;
}

void consume_skb(struct net *net, struct sk_buff *skb)
{
    skb_free(net_pool(net), skb);
}

void kfree_skb_reason(struct net *net, struct sk_buff *skb, const char *func, const char *reason)
{
    trace_drop(net, skb, func, reason);
    skb_free(net_pool(net), skb);
}

void kfree_skb(struct net *net, struct sk_buff *skb)
{
    skb_free(net_pool(net), skb);
}
