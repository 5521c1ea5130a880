/* Creating a host's kernel instance and plugging it into the world
 * (net/core/net_namespace.c: setup_net, cleanup_net). The subsystems are not named
 * here: they are in pernet_list (model/subsys.c). */
#include "model/net.h"

#include <glib.h>

/* setup_net: every subsystem's init, in registration order. */
static void setup_net(struct net *net)
{
    for (size_t i = 0; i < pernet_list_len; i++)
        if (pernet_list[i].init)
            pernet_list[i].init(net);
}

/* cleanup_net: every subsystem's exit, in reverse registration order, so that a
 * subsystem goes before the ones it was built on. */
static void cleanup_net(struct net *net)
{
    for (size_t i = pernet_list_len; i-- > 0;)
        if (pernet_list[i].exit)
            pernet_list[i].exit(net);
}

static void net_destroy(struct host *h)
{
    struct net *net = host_net(h);
    if (!net)
        return;
    cleanup_net(net);
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
    net->ipv4.tcp_timestamps = 1;       /* tcp_sk_init */
    net->ipv4.tcp_sack = 1;
    net->ipv4.tcp_window_scaling = 1;
    net->ipv4.tcp_fin_timeout = 60;     /* TCP_FIN_TIMEOUT */
    net->ipv4.tcp_tw_reuse = net->prof->tcp_tw_reuse_default;
    net->ipv4.tcp_congestion_control = 0;       /* cubic (CONFIG_DEFAULT_TCP_CONG) */
    net->ipv4.tcp_slow_start_after_idle = 1;
    net->ip_id = 1;
    h->ops = &kernel_ops;
    h->model = net;
    setup_net(net);
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
