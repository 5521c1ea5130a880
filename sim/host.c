/* Hosts and their interfaces: sending, receiving, loopback, timers. */
#include "sim/host.h"

#include <assert.h>
#include <glib.h>
#include <string.h>
#include "sim/link.h"
#include "sim/pcap_tap.h"
#include "sim/world.h"

static struct net_device *dev_new(struct host *h, const char *name, uint32_t mtu)
{
    if (!name || !*name || strlen(name) >= IFNAMSIZ || h->ndevs >= HOST_MAX_DEVS ||
        host_dev(h, name))
        return NULL;
    struct net_device *dev = g_new0(struct net_device, 1);
    g_strlcpy(dev->name, name, sizeof dev->name);
    dev->ifindex = (int)h->ndevs + 1;
    dev->mtu = mtu;
    dev->up = true;
    dev->host = h;
    h->devs[h->ndevs++] = dev;
    return dev;
}

struct host *host_new(struct world *w, const char *name)
{
    if (!name || !*name || strlen(name) >= HOST_NAMSIZ || world_host(w, name) ||
        w->hosts->len >= HOST_MAX_HOSTS)
        return NULL;
    struct host *h = g_new0(struct host, 1);
    g_strlcpy(h->name, name, sizeof h->name);
    h->index = w->hosts->len;
    h->world = w;
    struct net_device *lo = dev_new(h, "lo", LOOPBACK_MTU);
    lo->loopback = true;                /* MAC stays 00:00:00:00:00:00 */
    netdev_add_addr(lo, htonl(0x7f000001), 8);
    g_ptr_array_add(w->hosts, h);
    g_hash_table_insert(w->host_by_name, h->name, h);
    return h;
}

void host_free(struct host *h)
{
    if (!h)
        return;
    if (h->ops && h->ops->destroy)
        h->ops->destroy(h);
    h->ops = NULL;
    h->model = NULL;
    for (unsigned i = 0; i < h->ndevs; i++) {
        struct net_device *dev = h->devs[i];
        if (dev->tap)
            pcap_tap_close(dev->tap);
        if (dev->link)
            link_detach(dev->link, dev);
        g_free(dev);
    }
    if (h->world) {
        g_hash_table_remove(h->world->host_by_name, h->name);
        g_ptr_array_remove(h->world->hosts, h);   /* keeps the order of the others */
    }
    g_free(h);
}

struct net_device *host_add_dev(struct host *h, const char *name, uint32_t mtu)
{
    struct net_device *dev = dev_new(h, name, mtu);
    if (!dev)
        return NULL;
    dev->dev_addr[0] = 0x02;            /* locally administered, unicast */
    dev->dev_addr[3] = (uint8_t)(h->index >> 8);
    dev->dev_addr[4] = (uint8_t)h->index;
    dev->dev_addr[5] = (uint8_t)dev->ifindex;
    return dev;
}

void host_addrs_changed(struct host *h)
{
    uint64_t bloom = 0;
    for (unsigned i = 0; i < h->ndevs; i++)
        for (unsigned k = 0; k < h->devs[i]->naddrs; k++)
            bloom |= host_addr_bit(h->devs[i]->addrs[k].addr);
    h->addr_bloom = bloom;
}

struct net_device *host_dev(const struct host *h, const char *name)
{
    for (unsigned i = 0; i < h->ndevs; i++)
        if (strcmp(h->devs[i]->name, name) == 0)
            return h->devs[i];
    return NULL;
}

uint8_t eth_pkt_type(const uint8_t dst[ETH_ALEN])
{
    static const uint8_t bcast[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    if (!(dst[0] & 1))
        return PACKET_HOST;
    return memcmp(dst, bcast, ETH_ALEN) == 0 ? PACKET_BROADCAST : PACKET_MULTICAST;
}

/* The loopback's receive half, one event after the send. */
static void loopback_rx(struct sim *s, void *obj, uint64_t arg)
{
    struct sk_buff *skb = obj;
    struct net_device *lo = (struct net_device *)(uintptr_t)arg;
    skb->pkt_type = skb->len >= ETH_HLEN ? eth_pkt_type(skb->data) : PACKET_HOST;
    host_deliver(lo, skb);
}

void host_xmit(struct host *h, struct net_device *dev, struct sk_buff *skb)
{
    assert(dev->host == h);
    if (!skb)
        return;
    if (!dev->up || (!dev->loopback && !dev->link)) {
        dev->stats.tx_dropped++;
        skb_free(host_pool(h), skb);
        return;
    }
    if (!dev->loopback) {
        link_transmit(dev->link, dev, skb);
        return;
    }
    dev->stats.tx_packets++;
    dev->stats.tx_bytes += skb_wire_len(skb);
    if (dev->tap)
        pcap_tap_write(dev->tap, host_now(h), skb);
    skb->dev = dev;
    if (!sim_after(host_sim(h), 0, loopback_rx, skb, (uint64_t)(uintptr_t)dev)) {
        dev->stats.tx_dropped++;        /* the event queue is at its limit */
        skb_free(host_pool(h), skb);
    }
}

void host_deliver(struct net_device *dev, struct sk_buff *skb)
{
    struct host *h = dev->host;
    if (!dev->up) {
        dev->stats.rx_dropped++;
        skb_free(host_pool(h), skb);
        return;
    }
    dev->stats.rx_packets++;
    dev->stats.rx_bytes += skb_wire_len(skb);
    if (dev->tap)
        pcap_tap_write(dev->tap, host_now(h), skb);
    skb->dev = dev;
    skb_reset_mac_header(skb);
    if (skb->len >= ETH_HLEN)
        skb->protocol = (uint16_t)(skb->data[12] << 8 | skb->data[13]);
    if (!h->ops || !h->ops->rx) {
        h->rx_no_model++;
        dev->stats.rx_dropped++;
        skb_free(host_pool(h), skb);
        return;
    }
    h->ops->rx(h, dev, skb);
}

sim_event_id host_timer(struct host *h, sim_time_t at, sim_event_fn fn, void *obj, uint64_t arg)
{
    return sim_at(host_sim(h), at, fn, obj, arg);
}

struct sim *host_sim(const struct host *h)
{
    return &h->world->sim;
}

struct skb_pool *host_pool(const struct host *h)
{
    return &h->world->pool;
}

sim_time_t host_now(const struct host *h)
{
    return h->world->sim.now;
}
