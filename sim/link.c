/* Links: per-port FIFO transmitters with drop-tail queues, serialisation, latency,
 * Bernoulli loss and MAC-based delivery. One event per delivered frame. */
#include "sim/link.h"

#include <assert.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include "sim/host.h"
#include "sim/pcap_tap.h"
#include "sim/world.h"

__extension__ typedef unsigned __int128 link_u128;

static sim_time_t link_now(const struct link *l)
{
    return l->world->sim.now;
}

static struct skb_pool *link_pool(const struct link *l)
{
    return &l->world->pool;
}

static void link_store_params(struct link *l, const struct link_params *p)
{
    uint32_t qlimit = l->p.queue_limit;
    l->p = *p;
    if (l->p.latency < 0)
        l->p.latency = 0;
    l->p.queue_limit = qlimit;
}

static void link_fly_arrive(struct sim *s, void *obj, uint64_t arg);
static void link_arrive_prefetch(const void *obj, uint64_t arg);

struct link *link_new(struct world *w, const char *name, const struct link_params *p)
{
    if (!name || !*name || strlen(name) >= LINK_NAMSIZ || world_link(w, name))
        return NULL;
    struct link *l = g_new0(struct link, 1);
    g_strlcpy(l->name, name, sizeof l->name);
    l->world = w;
    static const struct link_params none;
    l->p.queue_limit = (p && p->queue_limit) ? p->queue_limit : LINK_DEFAULT_QUEUE;
    link_store_params(l, p ? p : &none);
    l->qcap = l->p.queue_limit;
    l->addr_gen = 1;
    char stream[LINK_NAMSIZ + 8];
    snprintf(stream, sizeof stream, "link:%s", name);
    rng_init(&l->rng, w->sim.seed, stream);
    g_ptr_array_add(w->links, l);
    g_hash_table_insert(w->link_by_name, l->name, l);
    sim_set_prefetch(&w->sim, link_fly_arrive, link_arrive_prefetch);
    return l;
}

void link_free(struct link *l)
{
    if (!l)
        return;
    for (unsigned i = 0; i < l->nports; i++) {
        struct link_port *port = &l->ports[i];
        if (port->dev && port->dev->link == l)
            port->dev->link = NULL;
        g_free(port->departs);
    }
    if (l->world) {
        g_hash_table_remove(l->world->link_by_name, l->name);
        g_ptr_array_remove(l->world->links, l);
    }
    g_free(l);
}

bool link_attach(struct link *l, struct net_device *dev)
{
    if (l->nports >= LINK_MAX_PORTS || dev->link || dev->loopback)
        return false;
    struct link_port *port = &l->ports[l->nports];
    memset(port, 0, sizeof *port);
    port->dev = dev;
    port->departs = g_new(sim_time_t, l->qcap);
    port->lane = (struct evq_lane){ .fn = link_fly_arrive, .obj = l, .arg = l->nports };
    dev->link = l;
    dev->link_port = l->nports++;
    link_addrs_changed(l);
    return true;
}

void link_detach(struct link *l, struct net_device *dev)
{
    if (dev->link != l || dev->link_port >= l->nports || l->ports[dev->link_port].dev != dev)
        return;
    l->ports[dev->link_port].dev = NULL;
    dev->link = NULL;
    dev->link_port = 0;
    link_addrs_changed(l);
}

void link_set_params(struct link *l, const struct link_params *p)
{
    link_store_params(l, p);
}

sim_time_t link_tx_time(uint32_t wire_len, uint64_t bw)
{
    if (bw == 0)
        return 0;
    uint64_t bytes = (uint64_t)(wire_len < ETH_ZLEN ? ETH_ZLEN : wire_len) + ETH_WIRE_OVERHEAD;
    /* Every real frame: the exact same quotient in 64 bits (bytes < 2^30 and bw < 2^62
     * keep num + bw - 1 below 2^64), without the 128-bit division's library call. */
    if (bytes < (1u << 30) && bw < (UINT64_C(1) << 62))
        return (sim_time_t)((bytes * 8000000000u + bw - 1) / bw);
    link_u128 num = (link_u128)bytes * 8u * 1000000000u;
    link_u128 t = (num + bw - 1) / bw;
    return t > (link_u128)SIM_TIME_MAX ? SIM_TIME_MAX : (sim_time_t)t;
}

/* Forget the frames of a port whose transmission has started by now. */
static void port_prune(struct link *l, struct link_port *port, sim_time_t now)
{
    while (port->qcount && port->departs[port->qhead] <= now) {
        port->qhead = port->qhead + 1 == l->qcap ? 0 : port->qhead + 1;
        port->qcount--;
    }
}

uint32_t link_queue_len(struct link *l, const struct net_device *dev)
{
    if (dev->link != l || dev->link_port >= l->nports || l->ports[dev->link_port].dev != dev)
        return 0;
    struct link_port *port = &l->ports[dev->link_port];
    port_prune(l, port, link_now(l));
    return port->qcount;
}

void link_addrs_changed(struct link *l)
{
    if (++l->addr_gen == 0) {       /* after 2^32 changes: start again from 1 */
        memset(l->neigh, 0, sizeof l->neigh);
        l->addr_gen = 1;
    }
}

bool link_resolve(struct link *l, be32 addr, uint8_t mac[ETH_ALEN])
{
    struct link_neigh *e = &l->neigh[(addr * 0x9e3779b9u) >> 29 & (LINK_NEIGH_CACHE - 1)];
    if (e->gen == l->addr_gen && e->addr == addr) {
        memcpy(mac, l->ports[e->port].dev->dev_addr, ETH_ALEN);
        return true;
    }
    for (unsigned i = 0; i < l->nports; i++) {
        const struct net_device *dev = l->ports[i].dev;
        if (dev && netdev_has_addr(dev, addr)) {
            memcpy(mac, dev->dev_addr, ETH_ALEN);
            *e = (struct link_neigh){ .addr = addr, .gen = l->addr_gen, .port = i };
            return true;
        }
    }
    return false;
}

/* The arrival of one frame: skb->dev is the receiver, skb->link_port the sender's
 * port (both set at send time). */
static void link_arrive(struct sim *s, void *obj, uint64_t arg)
{
    struct link *l = obj;
    struct sk_buff *skb = (struct sk_buff *)(uintptr_t)arg;
    uint32_t from = skb->link_port;
    if (from < l->nports)
        l->ports[from].stats.delivered++;
    l->stats.delivered++;
    host_deliver(skb->dev, skb);
}

/* The lines link_arrive and the receiver read first: the sk_buff's own fields, and its
 * headers, which start near SKB_HEADROOM less an Ethernet header (a frame waits on a
 * link for its latency, by then thousands of packets later, so it is rarely in cache).
 * Announced by the event loop while the event before the arrival runs. */
static void link_arrive_prefetch(const void *obj, uint64_t arg)
{
    const struct link *l = obj;
    const struct sk_buff *skb = l->ports[arg].fly_head;
    const uint8_t *hdr = skb->head + SKB_HEADROOM - ETH_HLEN;
    __builtin_prefetch(skb);
    __builtin_prefetch(hdr);
    __builtin_prefetch(hdr + 64);
}

/* What a receiving host must not inherit from the sender (the kernel's
 * skb_scrub_packet): skb_scrub, and the header offsets of the sender's stack. */
static void link_scrub(struct sk_buff *skb)
{
    skb_scrub(skb);
    skb->ip_summed = 0;
    skb->network_header = SKB_NO_HDR;
    skb->transport_header = SKB_NO_HDR;
}

/* The arrival of the first frame in flight from a port (arg): the next one's event
 * goes into the queue, then the frame is delivered. */
static void link_fly_arrive(struct sim *s, void *obj, uint64_t arg)
{
    struct link *l = obj;
    struct link_port *port = &l->ports[arg];
    struct sk_buff *skb = port->fly_head;
    port->fly_head = skb->next;
    skb->next = NULL;
    /* The next frame's time and place are kept in this one, which is in cache: the
     * next frame itself is read when it arrives (and prefetched just before). */
    if (port->fly_head)
        sim_lane_push(s, &port->lane, skb->link_next_arrival, skb->link_next_seq);
    else
        port->fly_tail = NULL;
    link_arrive(s, l, (uint64_t)(uintptr_t)skb);
}

/* Put a frame on its way. Why a list per port and not an event per frame: frames
 * wait a link's latency (1 ms to clients in the bench) and, with one event each,
 * passed through several levels of the queue on the way; the list's first frame is
 * scheduled when the one before it arrives, a few hundred nanoseconds ahead, in the
 * port's lane (evq_lane: a heap entry per busy port, not a wheel node). Each
 * frame takes its place among equal times now (sim_hold), so the order of events is
 * the same as with an event per frame. Arrivals from a port are in order unless the
 * latency was lowered meanwhile: such a frame gets an event of its own. */
static void link_schedule(struct link *l, unsigned from, struct net_device *to,
                          struct sk_buff *skb, sim_time_t arrival, uint8_t pkt_type)
{
    skb->dev = to;
    skb->pkt_type = pkt_type;
    skb->link_port = (uint16_t)from;
    if (to->host->rx_hint)
        to->host->rx_hint(to->host, skb);
    struct sim *s = &l->world->sim;
    uint64_t seq = sim_hold(s);
    if (!seq) {
        to->stats.rx_dropped++;         /* the event queue is at its limit */
        skb_free(link_pool(l), skb);
        return;
    }
    struct link_port *port = &l->ports[from];
    if (port->fly_tail && arrival < port->fly_tail_arrival) {
        sim_at_held(s, arrival, link_arrive, l, (uint64_t)(uintptr_t)skb, seq);
        return;
    }
    skb->next = NULL;
    port->fly_tail_arrival = arrival;
    if (port->fly_tail) {
        port->fly_tail->next = skb;
        port->fly_tail->link_next_arrival = arrival;
        port->fly_tail->link_next_seq = seq;
        port->fly_tail = skb;
        return;
    }
    port->fly_head = port->fly_tail = skb;
    sim_lane_push(s, &port->lane, arrival, seq);
}

void link_transmit(struct link *l, struct net_device *from, struct sk_buff *skb)
{
    assert(from->link == l && from->link_port < l->nports &&
           l->ports[from->link_port].dev == from);
    struct skb_pool *pool = link_pool(l);
    sim_time_t now = link_now(l);
    unsigned pi = from->link_port;
    struct link_port *port = &l->ports[pi];

    /* The queue: frames whose transmission has not started yet. */
    port_prune(l, port, now);
    if (port->qcount >= l->qcap) {
        port->stats.queue_drops++;
        l->stats.queue_drops++;
        from->stats.tx_dropped++;
        skb_free(pool, skb);
        return;
    }
    uint32_t wire = skb_wire_len(skb);
    sim_time_t start = port->busy_until > now ? port->busy_until : now;
    sim_time_t tx = link_tx_time(wire, l->p.bandwidth_bps);
    port->busy_until = sim_time_add(start, tx);    /* tx saturates at a crawling bandwidth */
    if (start > now) {
        uint32_t tail = port->qhead + port->qcount;
        if (tail >= l->qcap)
            tail -= l->qcap;
        port->departs[tail] = start;
        port->qcount++;
    }

    port->stats.tx_frames++;
    port->stats.tx_bytes += wire;
    l->stats.tx_frames++;
    l->stats.tx_bytes += wire;
    from->stats.tx_packets++;
    from->stats.tx_bytes += wire;
    if (from->tap)
        pcap_tap_write(from->tap, now, skb);

    /* rng_bernoulli draws nothing at loss 0: the test spares the call per frame. */
    if (l->p.loss > 0.0 && rng_bernoulli(&l->rng, l->p.loss)) {
        port->stats.lost++;
        l->stats.lost++;
        skb_free(pool, skb);
        return;
    }

    sim_time_t arrival = sim_time_add(port->busy_until, l->p.latency);   /* start + tx */
    if (skb->len < ETH_HLEN) {
        port->stats.unknown_dst++;
        l->stats.unknown_dst++;
        skb_free(pool, skb);
        return;
    }
    const uint8_t *dst = skb->data;
    uint8_t type = eth_pkt_type(dst);
    link_scrub(skb);

    if (type == PACKET_HOST) {
        /* A port mostly talks to one peer: try the last one first. MACs are unique
         * (host_add_dev), so a match there is the one the walk would find. */
        struct net_device *peer = port->last_to != pi ? l->ports[port->last_to].dev : NULL;
        if (peer && memcmp(peer->dev_addr, dst, ETH_ALEN) == 0) {
            link_schedule(l, pi, peer, skb, arrival, type);
            return;
        }
        for (unsigned i = 0; i < l->nports; i++) {
            struct net_device *dev = l->ports[i].dev;
            if (i != pi && dev && memcmp(dev->dev_addr, dst, ETH_ALEN) == 0) {
                port->last_to = i;
                link_schedule(l, pi, dev, skb, arrival, type);
                return;
            }
        }
        port->stats.unknown_dst++;
        l->stats.unknown_dst++;
        skb_free(pool, skb);
        return;
    }

    /* Broadcast / multicast: every other port, in port order; the last receiver
     * gets the original, the others copies. */
    struct net_device *last = NULL;
    for (unsigned i = 0; i < l->nports; i++) {
        struct net_device *dev = l->ports[i].dev;
        if (i == pi || !dev)
            continue;
        if (last) {
            struct sk_buff *c = skb_clone(pool, skb, now);
            if (c)
                link_schedule(l, pi, last, c, arrival, type);
            else
                last->stats.rx_dropped++;   /* the packet pool is at its limit */
        }
        last = dev;
    }
    if (last)
        link_schedule(l, pi, last, skb, arrival, type);
    else
        skb_free(pool, skb);
}
