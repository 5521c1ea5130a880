/* Links: an Ethernet segment joining two or more interfaces (a cable or a switch).
 *
 * Each attached interface has its own transmitter toward the segment: a drop-tail
 * queue of at most queue_limit waiting frames, serialisation at the link's
 * bandwidth (frame + FCS + preamble + inter-frame gap, padded to the Ethernet
 * minimum), then propagation latency to the receiver. A frame goes to the port whose
 * MAC is its destination; broadcast and multicast go to every other port. Loss is
 * decided per frame on the link's own random stream; a lost frame still uses the
 * wire. Queue occupancy is tracked from the departure times already computed, so a
 * frame costs one event (its arrival), not three.
 *
 * Timing of a frame of W wire bytes (skb_wire_len, without FCS) sent at time now
 * from a port:
 *     start   = max(now, port.busy_until)       (FIFO behind the port's earlier frames)
 *     tx      = link_tx_time(W, bandwidth)
 *     port.busy_until = start + tx
 *     arrival = start + tx + latency            (the one event: delivery to the receiver)
 * A frame "waits" while start > now; frames whose start has come are on the wire and
 * no longer count against the queue. When queue_limit frames wait, a new frame is
 * dropped (drop-tail): counted in queue_drops and the device's tx_dropped, not
 * captured, freed. An accepted frame is counted (device tx and link tx), captured on
 * the sender's tap, then makes exactly one loss draw on the stream "link:<name>"
 * (none when loss is 0 or 1), so the k-th accepted frame always uses the k-th draw.
 * A lost frame still occupies the transmitter, is counted in lost and freed at once.
 *
 * On arrival the receiving device is skb->dev, pkt_type is HOST, BROADCAST or
 * MULTICAST, and the model's per-host metadata (dst, nfct, mark, priority, flags, cb,
 * in_dev, header offsets) is cleared as the kernel's skb_scrub_packet does between
 * namespaces: a receiver never sees the sender's pointers. id, flow and born are kept
 * (one packet keeps its number along its path; a broadcast copy gets a new id). */
#ifndef IPVSIM_SIM_LINK_H
#define IPVSIM_SIM_LINK_H

#include <stdbool.h>
#include <stdint.h>
#include "sim/event.h"
#include "sim/netdev.h"
#include "sim/rng.h"
#include "sim/skb.h"
#include "sim/time.h"

#define LINK_NAMSIZ 32
#define LINK_MAX_PORTS 64
#define LINK_DEFAULT_QUEUE 1000     /* frames, the classic txqueuelen */
#define ETH_WIRE_OVERHEAD 24        /* preamble 8 + FCS 4 + inter-frame gap 12 bytes */

struct world;

struct link_params {
    sim_time_t latency;             /* one-way propagation, ns (< 0 is taken as 0) */
    uint64_t bandwidth_bps;         /* 0 = infinite (no serialisation delay) */
    double loss;                    /* probability a frame is lost, 0..1 */
    uint32_t queue_limit;           /* waiting frames per port; 0 = LINK_DEFAULT_QUEUE */
};

struct link_stats {
    uint64_t tx_frames, tx_bytes;   /* accepted for transmission */
    uint64_t delivered;             /* handed to a receiver (counted at arrival) */
    uint64_t lost;                  /* lost on the wire (loss probability) */
    uint64_t queue_drops;           /* drop-tail */
    uint64_t unknown_dst;           /* no port has the destination MAC (or a runt) */
};

struct link_port {
    struct net_device *dev;         /* NULL once detached (port numbers never move) */
    sim_time_t busy_until;          /* when the transmitter is free again */
    sim_time_t *departs;            /* ring: start times of frames not yet on the wire */
    uint32_t qhead, qcount;
    uint32_t last_to;               /* the port this one last sent unicast to */
    /* Frames in flight from this port, in arrival order, through skb->next: only the
     * first has an event in the queue (link.c, link_schedule). */
    struct sk_buff *fly_head, *fly_tail;
    sim_time_t fly_tail_arrival;
    struct evq_lane lane;           /* fly_head's arrival (link_fly_arrive) */
    struct link_stats stats;        /* what this port sent */
};

/* A remembered answer of link_resolve: addr is owned by the device on port. Valid
 * while gen equals the link's addr_gen (0 never does). */
struct link_neigh {
    be32 addr;
    uint32_t gen;
    uint32_t port;
};

#define LINK_NEIGH_CACHE 8          /* entries, a power of two: a link has few next hops */

struct link {
    char name[LINK_NAMSIZ];
    struct world *world;
    struct link_params p;
    struct link_port ports[LINK_MAX_PORTS];
    unsigned nports;
    uint32_t qcap;                  /* ring size of every port (queue_limit) */
    struct rng rng;                 /* stream "link:<name>" */
    struct link_stats stats;        /* totals over all ports */
    uint32_t addr_gen;              /* bumped when a port or an address comes or goes */
    struct link_neigh neigh[LINK_NEIGH_CACHE];
};

/* A new link registered in the world; NULL if the name is empty, taken or too long. */
struct link *link_new(struct world *w, const char *name, const struct link_params *p);
/* Unplug every device, unregister from the world and free. Frames in flight on the
 * link must not arrive afterwards (teardown only; world_destroy does it). */
void link_free(struct link *l);

/* Plug dev into the link; false when the link is full, dev is a loopback, or dev is
 * already plugged (here or elsewhere). */
bool link_attach(struct link *l, struct net_device *dev);
/* Unplug dev: its port stays, empty, and receives nothing more. Frames already in
 * flight toward dev still arrive. */
void link_detach(struct link *l, struct net_device *dev);

/* Change latency, bandwidth or loss from now on (frames already sent keep theirs).
 * The queue limit is fixed at creation. */
void link_set_params(struct link *l, const struct link_params *p);

/* Send a frame from dev's port (called by host_xmit). Takes the skb. */
void link_transmit(struct link *l, struct net_device *from, struct sk_buff *skb);

/* Static neighbour resolution: the MAC of the interface on this link that owns addr
 * (addresses on other devices, like a VIP on a real server's lo, never answer).
 * First match in port order. Answers are remembered per link (the neighbour cache
 * every packet would otherwise rebuild by a walk of the ports' addresses) until a
 * port or an address of the link changes. */
bool link_resolve(struct link *l, be32 addr, uint8_t mac[ETH_ALEN]);
/* Forget the remembered answers (netdev_add_addr / netdev_del_addr call it). */
void link_addrs_changed(struct link *l);

/* Serialisation time of a frame of wire_len bytes (without FCS) at bw bit/s:
 *     ceil((max(wire_len, ETH_ZLEN) + ETH_WIRE_OVERHEAD) * 8 * 10^9 / bw)  ns,
 * and 0 when bw == 0 (infinite). E.g. 1514 bytes at 1 Gbit/s: 12304 ns; a minimum
 * frame at 1 Gbit/s: 672 ns. Rounded up per frame, so at rates where a frame is not
 * a whole number of ns a busy port runs up to 1 ns per frame slow. */
sim_time_t link_tx_time(uint32_t wire_len, uint64_t bw);

/* Frames waiting in a port's queue at the current time (0 if dev is not plugged
 * here). */
uint32_t link_queue_len(struct link *l, const struct net_device *dev);

#endif
