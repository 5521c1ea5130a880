/* Hosts: a name, interfaces, and a model that receives frames.
 *
 * A host is what the kernel model plugs into: the model installs host_ops and gets
 * every frame that arrives on one of the host's interfaces; it sends frames with
 * host_xmit and arms timers with host_timer. sim/ knows nothing else of it. Every
 * host starts with a loopback device "lo" (ifindex 1, 127.0.0.1/8, MTU 65536, MAC
 * 00:00:00:00:00:00 as in Linux). */
#ifndef IPVSIM_SIM_HOST_H
#define IPVSIM_SIM_HOST_H

#include <stdint.h>
#include "sim/event.h"
#include "sim/netdev.h"
#include "sim/skb.h"

#define HOST_NAMSIZ 32
#define HOST_MAX_DEVS 8
#define HOST_MAX_HOSTS 65536        /* the host index must fit the MAC's two bytes */
#define LOOPBACK_MTU 65536

struct world;
struct host;

struct host_ops {
    const char *kind;               /* "ipv4-forwarder", "kernel", ... for messages */
    /* A frame arrived on dev; the callee owns skb (frees or passes it on). */
    void (*rx)(struct host *h, struct net_device *dev, struct sk_buff *skb);
    /* Release the model's state (optional). */
    void (*destroy)(struct host *h);
};

struct host {
    char name[HOST_NAMSIZ];
    unsigned index;                 /* creation order in the world */
    struct world *world;
    struct net_device *devs[HOST_MAX_DEVS];
    unsigned ndevs;
    const struct host_ops *ops;
    void *model;                    /* the model's state for this host */
    uint64_t rx_no_model;           /* frames that arrived with no model installed */
    /* One bit per address of the host's devices (host_addr_bit), kept by
     * host_addrs_changed: most packets ask about an address the host does not
     * have (every forwarded packet, every reply sent), and a clear bit answers
     * that without a walk of every device's addresses. */
    uint64_t addr_bloom;
    /* Not a model's state: called with each frame for this host as a link puts it on
     * the wire (skb->data at its Ethernet header, never a runt), by a model that will look it up
     * on arrival in a table too large for the cache, to start loading that line now,
     * a link latency early (IPVS: ip_vs_conn_hint). Changes only timing. */
    void (*rx_hint)(const struct host *h, const struct sk_buff *skb);
};

/* A new host (with "lo", 127.0.0.1/8) registered in the world; NULL if the name
 * is empty, taken or too long, or the world already has HOST_MAX_HOSTS hosts. */
struct host *host_new(struct world *w, const char *name);
/* Call the model's destroy, close the devices' taps, unplug them from their links,
 * unregister from the world and free. Frames or timers still pending for this host
 * must not run afterwards (in practice: only at teardown; world_destroy does it). */
void host_free(struct host *h);

/* Add an interface (up, no address) with a deterministic MAC 02:00:00:HH:HH:II
 * (HH:HH = host index, big-endian; II = ifindex). NULL when the name is empty, too
 * long or taken, or the host has HOST_MAX_DEVS devices. */
struct net_device *host_add_dev(struct host *h, const char *name, uint32_t mtu);
struct net_device *host_dev(const struct host *h, const char *name);
static inline uint64_t host_addr_bit(be32 addr)
{
    return (uint64_t)1 << ((uint32_t)(addr * 0x9e3779b9u) >> 26);
}

/* Recompute h->addr_bloom (netdev_add_addr / netdev_del_addr call it). */
void host_addrs_changed(struct host *h);

/* The device that owns addr exactly, or NULL (first in ifindex order). */
static inline struct net_device *host_dev_by_addr(const struct host *h, be32 addr)
{
    if (!(h->addr_bloom & host_addr_bit(addr)))
        return NULL;
    for (unsigned i = 0; i < h->ndevs; i++)
        if (netdev_has_addr(h->devs[i], addr))
            return h->devs[i];
    return NULL;
}

/* Send a frame (data at its Ethernet header) out of dev; takes the skb.
 *  - lo: counted as sent, captured, and delivered back to this host by an event at
 *    the current time (never re-entrantly), as a received frame on lo.
 *  - a device plugged into a link: handed to link_transmit, which counts, captures
 *    and applies the link's queue (a frame refused by the drop-tail queue is counted
 *    in tx_dropped and is not captured: a capture sees frames after the qdisc).
 *  - a device that is down or not plugged in: tx_dropped, freed. */
void host_xmit(struct host *h, struct net_device *dev, struct sk_buff *skb);

/* Called by links (and the loopback) when a frame arrives on dev: counts rx,
 * captures, sets skb->dev and hands it to the host's model. A device that is down
 * counts rx_dropped; a host without a model counts rx_no_model (and rx_dropped). */
void host_deliver(struct net_device *dev, struct sk_buff *skb);

/* Timers for the model. */
sim_event_id host_timer(struct host *h, sim_time_t at, sim_event_fn fn, void *obj, uint64_t arg);

struct sim *host_sim(const struct host *h);
struct skb_pool *host_pool(const struct host *h);
sim_time_t host_now(const struct host *h);

/* skb->pkt_type for a frame received with this destination MAC (HOST, BROADCAST or
 * MULTICAST: the simulator delivers unicast only to its owner). */
uint8_t eth_pkt_type(const uint8_t dst[ETH_ALEN]);

#endif
