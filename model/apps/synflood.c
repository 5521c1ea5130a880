/* A SYN flood: SYNs from spoofed sources that never complete a handshake. A userspace
 * raw-socket tool (as hping3 -S --flood --rand-source), no kernel file. */
#include <glib.h>
#include "model/apps/tcp_conn.h"
#include "model/apps/workload.h"
#include "model/ipv4/ip.h"
#include "model/net.h"
#include "sim/sim.h"
#include "model/ipv4/route.h"
#include "sim/pkt.h"

struct synflood {
    struct net *net;
    struct app_stack *st;
    struct synflood_cfg cfg;
    char *name;
    struct rng r_gap, r_src;
    sim_event_id timer;
    uint64_t sent;
};

static be32 random_source(struct synflood *f)
{
    uint8_t prefix = f->cfg.prefix > 32 ? 32 : f->cfg.prefix;
    uint32_t base = ntohl(f->cfg.net) & ntohl(inet_mask(prefix));
    uint64_t size = (uint64_t)1 << (32 - prefix);
    if (size <= 2)
        return htonl(base + (uint32_t)rng_below(&f->r_src, size));
    /* Neither the network nor the broadcast address. */
    return htonl(base + 1 + (uint32_t)rng_below(&f->r_src, size - 2));
}

static void send_syn(struct synflood *f)
{
    struct net *net = f->net;
    struct rtable *rt = ip_route_output(net, f->cfg.target);
    if (!rt)
        return;
    struct ip4_spec ip = { .saddr = random_source(f), .daddr = f->cfg.target,
                           .ttl = (uint8_t)net->ipv4.default_ttl, .id = htons(net->ip_id++),
                           .df = true };
    struct tcp_spec t = {
        .sport = htons((uint16_t)(1024 + rng_below(&f->r_src, 65536 - 1024))),
        .dport = f->cfg.target_port,
        .seq = (uint32_t)rng_u64(&f->r_src),
        .flags = TCPH_SYN, .window = 64240, .mss = 1460,
    };
    struct sk_buff *skb = skb_alloc(net_pool(net), net_now(net));
    if (!skb)
        return;
    if (!pkt_build_tcp(skb, &ip, &t, 0)) {
        skb_free(net_pool(net), skb);
        return;
    }
    skb->dst = rt;
    f->sent++;
    ip_local_out(net, skb);
}

/* The gap to the next SYN (Poisson at the flood's rate), truncated to whole ns; a
 * gap no run reaches (a tiny rate) is the end of time, never a wrapped cast. */
static sim_time_t gap(struct synflood *f)
{
    double ns = rng_exp(&f->r_gap, (double)SEC / f->cfg.rate);
    return ns < 9.2e18 ? (sim_time_t)ns : SIM_TIME_MAX;
}

static void flood_fire(struct sim *sim, void *obj, uint64_t arg)
{
    struct synflood *f = obj;
    f->timer = 0;
    sim_time_t now = net_now(f->net), end = f->cfg.start + f->cfg.duration;
    if (now >= end)
        return;
    send_syn(f);
    sim_time_t next = sim_time_add(now, gap(f));
    if (next < end)
        f->timer = host_timer(f->net->host, next, flood_fire, f, 0);
}

struct synflood *synflood_start(struct net *net, const struct synflood_cfg *cfg)
{
    struct synflood *f = g_new0(struct synflood, 1);
    f->net = net;
    f->cfg = *cfg;
    f->name = cfg->name ? g_strdup_printf("synflood:%s", cfg->name)
                        : g_strdup_printf("synflood@%lld", (long long)cfg->start);
    f->cfg.name = NULL;
    uint64_t seed = host_sim(net->host)->seed;
    char *n = g_strdup_printf("%s:arrivals", f->name);
    rng_init(&f->r_gap, seed, n);
    g_free(n);
    n = g_strdup_printf("%s:sources", f->name);
    rng_init(&f->r_src, seed, n);
    g_free(n);
    /* Answers to the spoofed sources that reach this host vanish. */
    f->st = app_stack_get(net);
    app_stack_drop_net(f->st, cfg->net, cfg->prefix);
    if (cfg->rate > 0 && cfg->duration > 0) {
        sim_time_t now = net_now(net);
        sim_time_t start = cfg->start > now ? cfg->start : now;
        sim_time_t first = sim_time_add(start, gap(f));
        if (first < cfg->start + cfg->duration)
            f->timer = host_timer(net->host, first, flood_fire, f, 0);
    }
    return f;
}

uint64_t synflood_sent(const struct synflood *f)
{
    return f->sent;
}

void synflood_free(struct synflood *f)
{
    if (!f)
        return;
    if (f->timer)
        sim_cancel(host_sim(f->net->host), f->timer);
    app_stack_put(f->st);
    g_free(f->name);
    g_free(f);
}
