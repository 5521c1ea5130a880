/* keepalived's VRRP instance and its lvs_sync_daemon (see vrrp.h): userspace, no
 * kernel file (keepalived's vrrp/vrrp.c, vrrp_arp.c). Its adverts leave through the
 * kernel's multicast output (model/ipv4/route.c ip_mc_route_init, ip_mc_output). */
#include "model/apps/vrrp.h"

#include <glib.h>
#include <string.h>
#include "model/ipv4/ip.h"
#include "model/ipvs/ip_vs_ctl.h"
#include "model/ipvs/ip_vs_sync.h"
#include "model/net.h"
#include "model/netfilter/core.h"
#include "model/ipv4/route.h"
#include "sim/csum.h"
#include "sim/pkt.h"
#include "sim/sim.h"

#define VRRP_VERSION 2
#define VRRP_TYPE_ADVERT 1
#define VRRP_HLEN 8u                    /* version/type .. checksum */
#define VRRP_AUTH_LEN 8u
#define VRRP_TTL 255
#define ARP_LEN 28u

struct vrrp {
    struct net *net;
    struct vrrp_cfg cfg;
    struct net_device *dev, *vip_dev;
    enum vrrp_state state;
    sim_event_id timer;                 /* advert timer (MASTER) or master down (BACKUP) */
    sim_event_id garp_timer;
    struct rtable mc_rt;
    struct nf_hook_ops ops;
    vrrp_notify_fn notify;
    void *ctx;
    struct vrrp_stats stats;
};

/* ---- helpers ------------------------------------------------------------------------ */

const char *vrrp_state_name(enum vrrp_state s)
{
    switch (s) {
    case VRRP_STATE_DOWN: return "DOWN";
    case VRRP_STATE_BACKUP: return "BACKUP";
    case VRRP_STATE_MASTER: return "MASTER";
    }
    return "?";
}

enum vrrp_state vrrp_state_of(const struct vrrp *v)
{
    return v->state;
}

const struct vrrp_stats *vrrp_stats(const struct vrrp *v)
{
    return &v->stats;
}

struct net *vrrp_net(const struct vrrp *v)
{
    return v->net;
}

static sim_time_t now_of(const struct vrrp *v)
{
    return net_now(v->net);
}

/* skew_time = (256 - priority) * advert_int / 256 */
static sim_time_t skew_time(const struct vrrp *v)
{
    return (256 - (sim_time_t)v->cfg.priority) * v->cfg.advert_int / 256;
}

sim_time_t vrrp_master_down_interval(const struct vrrp *v)
{
    return 3 * v->cfg.advert_int + skew_time(v);
}

static void cancel(struct vrrp *v, sim_event_id *id)
{
    if (*id)
        sim_cancel(host_sim(v->net->host), *id);
    *id = 0;
}

static void set_state(struct vrrp *v, enum vrrp_state to, const char *why)
{
    enum vrrp_state from = v->state;
    v->state = to;
    if (to == VRRP_STATE_MASTER)
        v->stats.became_master++;
    else if (to == VRRP_STATE_BACKUP)
        v->stats.became_backup++;
    if (v->notify)
        v->notify(v->ctx, v, from, to, why);
}

static void add_addrs(struct vrrp *v)
{
    for (unsigned i = 0; i < v->cfg.nvaddrs; i++)
        netdev_add_addr(v->vip_dev, v->cfg.vaddrs[i], 32);
}

static void del_addrs(struct vrrp *v)
{
    for (unsigned i = 0; i < v->cfg.nvaddrs; i++)
        netdev_del_addr(v->vip_dev, v->cfg.vaddrs[i]);
}

/* The sync daemon as keepalived's ipvswrapper drives it. */
static void sync_daemon(struct vrrp *v, int state)
{
    if (!v->cfg.lvs_sync)
        return;
    struct netns_ipvs *ipvs = ip_vs_net(v->net);
    int other = state == IP_VS_STATE_MASTER ? IP_VS_STATE_BACKUP : IP_VS_STATE_MASTER;
    ip_vs_stop_sync_thread(ipvs, other);
    if (state == IP_VS_STATE_NONE) {
        ip_vs_stop_sync_thread(ipvs, IP_VS_STATE_MASTER);
        ip_vs_stop_sync_thread(ipvs, IP_VS_STATE_BACKUP);
        return;
    }
    struct ip_vs_sync_daemon_cfg c = { .syncid = v->cfg.syncid };
    g_strlcpy(c.mcast_ifn, v->cfg.sync_interface, sizeof c.mcast_ifn);
    ip_vs_start_sync_thread(ipvs, &c, state);
}

/* ---- sending ------------------------------------------------------------------------- */

static void send_advert(struct vrrp *v, uint8_t priority)
{
    struct net *net = v->net;
    uint32_t vlen = VRRP_HLEN + 4 * v->cfg.nvaddrs + VRRP_AUTH_LEN;
    uint32_t real = sizeof(struct iphdr) + vlen;
    struct sk_buff *skb = skb_alloc(net_pool(net), net_now(net));
    if (!skb)
        return;
    uint8_t *p = skb_put(skb, real);
    if (!p) {
        skb_free(net_pool(net), skb);
        return;
    }
    memset(p, 0, real);
    struct iphdr *iph = (struct iphdr *)p;
    iph->ihl_version = 0x45;
    iph->tot_len = htons((uint16_t)real);
    iph->id = htons(net->ip_id++);
    iph->ttl = VRRP_TTL;
    iph->protocol = IPPROTO_VRRP;
    iph->saddr = v->mc_rt.prefsrc;
    iph->daddr = htonl(VRRP_GROUP);
    ip_send_check(iph);
    uint8_t *m = p + sizeof(struct iphdr);
    m[0] = VRRP_VERSION << 4 | VRRP_TYPE_ADVERT;
    m[1] = v->cfg.vrid;
    m[2] = priority;
    m[3] = (uint8_t)v->cfg.nvaddrs;
    m[4] = 0;                           /* no authentication */
    m[5] = (uint8_t)(v->cfg.advert_int / SEC);
    for (unsigned i = 0; i < v->cfg.nvaddrs; i++)
        memcpy(m + VRRP_HLEN + 4 * i, &v->cfg.vaddrs[i], 4);
    sum16 c = csum_fold(csum_partial(m, vlen, 0));
    memcpy(m + 6, &c, 2);
    skb_reset_network_header(skb);
    skb->transport_header = (uint16_t)(skb->network_header + sizeof(struct iphdr));
    skb->protocol = ETH_P_IP;
    skb->dst = &v->mc_rt;
    v->stats.adverts_sent++;
    ip_local_out(net, skb);
}

/* A gratuitous ARP for addr on the virtual addresses' interface. */
static void send_garp(struct vrrp *v, be32 addr)
{
    struct net *net = v->net;
    struct net_device *dev = v->vip_dev;
    if (net->down || !dev->link)
        return;
    struct sk_buff *skb = skb_alloc(net_pool(net), net_now(net));
    if (!skb)
        return;
    uint8_t *a = skb_put(skb, ARP_LEN);
    memset(a, 0, ARP_LEN);
    a[1] = 1;                           /* hardware: Ethernet */
    a[2] = 0x08;                        /* protocol: IPv4 */
    a[4] = ETH_ALEN;
    a[5] = 4;
    a[7] = 1;                           /* request */
    memcpy(a + 8, dev->dev_addr, ETH_ALEN);
    memcpy(a + 14, &addr, 4);
    memcpy(a + 24, &addr, 4);
    static const uint8_t bcast[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    eth_push(skb, dev->dev_addr, bcast, ETH_P_ARP);
    v->stats.garps_sent++;
    host_xmit(net->host, dev, skb);
}

static void send_garps(struct vrrp *v)
{
    for (unsigned i = 0; i < v->cfg.nvaddrs; i++)
        for (int k = 0; k < v->cfg.garp_repeat; k++)
            send_garp(v, v->cfg.vaddrs[i]);
}

static void garp_again(struct sim *sim, void *obj, uint64_t arg)
{
    struct vrrp *v = obj;
    v->garp_timer = 0;
    if (v->state == VRRP_STATE_MASTER)
        send_garps(v);
}

/* ---- the state machine ------------------------------------------------------------------ */

static void timer_fire(struct sim *sim, void *obj, uint64_t arg);

static void arm(struct vrrp *v, sim_time_t after)
{
    cancel(v, &v->timer);
    v->timer = host_timer(v->net->host, sim_time_add(now_of(v), after), timer_fire, v, 0);
}

static void become_master(struct vrrp *v, const char *why)
{
    send_advert(v, v->cfg.priority);
    add_addrs(v);
    send_garps(v);
    cancel(v, &v->garp_timer);
    if (v->cfg.garp_delay > 0)
        v->garp_timer = host_timer(v->net->host, sim_time_add(now_of(v), v->cfg.garp_delay), garp_again, v, 0);
    sync_daemon(v, IP_VS_STATE_MASTER);
    arm(v, v->cfg.advert_int);
    set_state(v, VRRP_STATE_MASTER, why);
}

static void become_backup(struct vrrp *v, const char *why)
{
    del_addrs(v);
    cancel(v, &v->garp_timer);
    sync_daemon(v, IP_VS_STATE_BACKUP);
    arm(v, vrrp_master_down_interval(v));
    set_state(v, VRRP_STATE_BACKUP, why);
}

static void timer_fire(struct sim *sim, void *obj, uint64_t arg)
{
    struct vrrp *v = obj;
    v->timer = 0;
    if (v->state == VRRP_STATE_MASTER) {
        send_advert(v, v->cfg.priority);
        arm(v, v->cfg.advert_int);
    } else if (v->state == VRRP_STATE_BACKUP) {
        become_master(v, "master down timer");
    }
}

static void advert_in(struct vrrp *v, uint8_t prio, be32 saddr)
{
    v->stats.adverts_rcvd++;
    if (v->state == VRRP_STATE_BACKUP) {
        if (prio == 0)
            arm(v, skew_time(v));
        else if (!v->cfg.preempt || prio >= v->cfg.priority)
            arm(v, vrrp_master_down_interval(v));
        return;
    }
    if (v->state != VRRP_STATE_MASTER)
        return;
    if (prio == 0) {
        send_advert(v, v->cfg.priority);
        arm(v, v->cfg.advert_int);
        return;
    }
    if (prio > v->cfg.priority ||
        (prio == v->cfg.priority && ntohl(saddr) > ntohl(v->mc_rt.prefsrc)))
        become_backup(v, "higher priority advert");
}

/* ---- reception: the raw socket, after the LOCAL_IN hooks -------------------------------- */

static unsigned vrrp_rcv(void *priv, struct sk_buff *skb, const struct nf_hook_state *st)
{
    struct vrrp *v = priv;
    const struct iphdr *iph = ip_hdr(skb);
    if (iph->protocol != IPPROTO_VRRP || iph->daddr != htonl(VRRP_GROUP) ||
        v->state == VRRP_STATE_DOWN || skb->dev != v->dev)
        return NF_ACCEPT;
    uint32_t hl = ip_hdrlen(iph);
    uint32_t tot = ntohs(iph->tot_len);
    const uint8_t *m = (const uint8_t *)iph + hl;
    uint32_t vlen = tot > hl ? tot - hl : 0;
    uint32_t avail = (uint32_t)(skb->data + skb->len - m);
    bool ok = vlen >= VRRP_HLEN + VRRP_AUTH_LEN && vlen <= avail && iph->ttl == VRRP_TTL &&
              m[0] == (VRRP_VERSION << 4 | VRRP_TYPE_ADVERT) && m[1] == v->cfg.vrid &&
              vlen >= VRRP_HLEN + 4u * m[3] && csum_fold(csum_partial(m, vlen, 0)) == 0;
    if (!ok) {
        v->stats.adverts_bad++;
        trace_note(st->net, skb, "vrrp_rcv", "bad VRRP advert dropped");
    } else {
        trace_notef(st->net, skb, "vrrp_rcv", "VRRP advert, vrid %u, priority %u", m[1], m[2]);
        advert_in(v, m[2], iph->saddr);
    }
    consume_skb(st->net, skb);
    return NF_STOLEN;
}

/* ---- life cycle ------------------------------------------------------------------------- */

struct vrrp *vrrp_start(struct net *net, const struct vrrp_cfg *cfg, vrrp_notify_fn notify,
                        void *ctx)
{
    struct net_device *dev = host_dev(net->host, cfg->interface);
    struct net_device *vip_dev = host_dev(net->host, cfg->vip_interface);
    if (!dev || !vip_dev || (cfg->lvs_sync && !host_dev(net->host, cfg->sync_interface)))
        return NULL;
    struct vrrp *v = g_new0(struct vrrp, 1);
    v->net = net;
    v->cfg = *cfg;
    if (!v->cfg.vrid)
        v->cfg.vrid = VRRP_DEFAULT_VRID;
    if (v->cfg.advert_int <= 0)
        v->cfg.advert_int = SEC;
    if (v->cfg.nvaddrs > VRRP_MAX_ADDRS)
        v->cfg.nvaddrs = VRRP_MAX_ADDRS;
    v->dev = dev;
    v->vip_dev = vip_dev;
    v->notify = notify;
    v->ctx = ctx;
    ip_mc_route_init(net, &v->mc_rt, dev, htonl(VRRP_GROUP));
    fib_add_local_prefix(net, htonl(VRRP_GROUP), 32);      /* join 224.0.0.18 */
    v->ops = (struct nf_hook_ops){
        .hook = vrrp_rcv, .name = "vrrp_rcv", .owner = "keepalived", .priv = v,
        .pf = NFPROTO_IPV4, .hooknum = NF_INET_LOCAL_IN, .priority = NF_IP_PRI_LAST,
    };
    nf_register_net_hook(net, &v->ops);
    v->state = VRRP_STATE_DOWN;
    if (cfg->start_master) {
        /* Running for a while already: MASTER, holding the addresses, no takeover. */
        add_addrs(v);
        sync_daemon(v, IP_VS_STATE_MASTER);
        v->state = VRRP_STATE_MASTER;
        send_advert(v, v->cfg.priority);
        arm(v, v->cfg.advert_int);
    } else {
        sync_daemon(v, IP_VS_STATE_BACKUP);
        v->state = VRRP_STATE_BACKUP;
        arm(v, vrrp_master_down_interval(v));
    }
    return v;
}

void vrrp_crash(struct vrrp *v)
{
    if (v->state == VRRP_STATE_DOWN)
        return;
    cancel(v, &v->timer);
    cancel(v, &v->garp_timer);
    del_addrs(v);
    sync_daemon(v, IP_VS_STATE_NONE);
    set_state(v, VRRP_STATE_DOWN, "crash");
}

void vrrp_stop(struct vrrp *v)
{
    if (v->state == VRRP_STATE_DOWN)
        return;
    cancel(v, &v->timer);
    cancel(v, &v->garp_timer);
    if (v->state == VRRP_STATE_MASTER)
        send_advert(v, 0);              /* "I am leaving": the backup takes over after skew */
    del_addrs(v);
    sync_daemon(v, IP_VS_STATE_NONE);
    set_state(v, VRRP_STATE_DOWN, "stopped");
}

void vrrp_restart(struct vrrp *v)
{
    if (v->state != VRRP_STATE_DOWN)
        return;
    sync_daemon(v, IP_VS_STATE_BACKUP);
    arm(v, vrrp_master_down_interval(v));
    set_state(v, VRRP_STATE_BACKUP, "started");
}

void vrrp_free(struct vrrp *v)
{
    if (!v)
        return;
    cancel(v, &v->timer);
    cancel(v, &v->garp_timer);
    nf_unregister_net_hook(v->net, &v->ops);
    g_free(v);
}
