/* sk_buff-like packets: real header bytes in a buffer with headroom, metadata beside.
 *
 * The linear part [data, data+len) holds real bytes: Ethernet, IPv4, TCP/UDP/ICMP
 * headers, IPIP outer headers pushed into the headroom, and any payload that must be
 * real. Payload that need not exist is virtual: data_len more bytes that count on the
 * wire and in IP/TCP lengths but read as zeros (so checksums over them add nothing,
 * and a pcap writes zeros). Wire length = len + data_len.
 *
 * Buffers come from a pool with a free list: after warm-up no packet allocates. Most
 * packets need only SKB_BUF_SIZE bytes; a packet whose payload must be real and does
 * not fit (an IPVS sync message: up to an MTU of real bytes) takes a buffer of the
 * larger class, SKB_BIG_BUF_SIZE (skb_alloc_big), from a free list of its own. Every
 * other helper works on both classes alike. */
#ifndef IPVSIM_SIM_SKB_H
#define IPVSIM_SIM_SKB_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include "sim/time.h"

#define SKB_BUF_SIZE  320          /* whole buffer, headroom included */
#define SKB_BIG_BUF_SIZE 2048      /* the larger class: an Ethernet MTU frame, headroom included */
#define SKB_HEADROOM  96           /* room to push Ethernet + outer IPv4 (IPIP) and more */
#define SKB_CB_SIZE   48           /* private control buffer, as the kernel's skb->cb */
#define SKB_NO_HDR    0xffff       /* header offset not set */

/* skb->pkt_type, as in the kernel's if_packet.h */
enum {
    PACKET_HOST = 0,
    PACKET_BROADCAST = 1,
    PACKET_MULTICAST = 2,
    PACKET_OTHERHOST = 3,
    PACKET_OUTGOING = 4,
    PACKET_LOOPBACK = 5,
};

struct net_device;

struct sk_buff {
    struct sk_buff *next;          /* free list and simple queues */
    uint8_t *data;                 /* first byte of the current header */
    uint32_t len;                  /* real bytes from data */
    uint32_t data_len;             /* virtual payload bytes after the real ones */
    uint16_t mac_header;           /* offsets from head[], SKB_NO_HDR when unset */
    uint16_t network_header;
    uint16_t transport_header;
    uint16_t protocol;             /* ethertype, host byte order (ETH_P_IP...) */
    uint8_t pkt_type;
    uint8_t ip_summed;             /* reserved for checksum offload modelling */
    bool big;                      /* head[] holds SKB_BIG_BUF_SIZE bytes (skb_alloc_big):
                                      the allocation extends past the declared array */
    uint32_t mark;
    uint32_t priority;
    uint16_t link_port;            /* the sending port while the frame is on a link */
    sim_time_t link_next_arrival;  /* in flight on a link: when the frame behind it
                                      (next) arrives, */
    uint64_t link_next_seq;        /* and that frame's place among equal times (link.c) */
    uint32_t flags;                /* SKB_F_* below; meaning owned by the model */
    struct net_device *dev;        /* device it arrived on / leaves by */
    struct net_device *in_dev;     /* original input device (kept across output) */
    void *dst;                     /* the model's route entry */
    void *nfct;                    /* the model's conntrack entry */
    uint64_t id;                   /* simulation-wide packet number (trace, pcap comments) */
    uint64_t flow;                 /* conversation tag set by the traffic source */
    const char *drop_reason;       /* why a hook function returns NF_DROP (a static
                                      string, set through nf_drop_reason), NULL */
    sim_time_t born;               /* creation time */
    uint8_t cb[SKB_CB_SIZE] __attribute__((aligned(8)));
    uint8_t head[SKB_BUF_SIZE] __attribute__((aligned(8)));   /* must stay the last member */
};

/* Free bits for the model (sim never reads them). */
#define SKB_F_MODEL0 (1u << 0)

struct skb_pool {
    struct sk_buff *free;
    struct sk_buff *free_big;      /* the larger class */
    struct sk_buff **chunks;       /* allocation chunks, freed at destroy */
    uint32_t nchunks, chunk_cap;
    uint64_t allocated;            /* buffers ever created */
    uint64_t in_use;
    uint64_t next_id;
    uint64_t limit;                /* max buffers in use, 0 = unlimited */
    uint64_t refused;              /* allocations refused at the limit */
    volatile bool *stop;           /* set when one is refused (the world: its sim's stop) */
};

void skb_pool_init(struct skb_pool *p);
void skb_pool_destroy(struct skb_pool *p);

/* A fresh, zeroed packet with data at SKB_HEADROOM and len 0; NULL at the limit
 * (counted in refused, and *stop set). */
struct sk_buff *skb_alloc(struct skb_pool *p, sim_time_t now);
/* The same with a buffer of SKB_BIG_BUF_SIZE bytes (the same limit and counters). */
struct sk_buff *skb_alloc_big(struct skb_pool *p, sim_time_t now);
void skb_free(struct skb_pool *p, struct sk_buff *skb);
/* A full copy (bytes and metadata, new id), in a buffer of the same class. */
struct sk_buff *skb_clone(struct skb_pool *p, const struct sk_buff *skb, sim_time_t now);

static inline uint32_t skb_headroom(const struct sk_buff *skb) { return (uint32_t)(skb->data - skb->head); }
static inline uint32_t skb_buf_size(const struct sk_buff *skb) { return skb->big ? SKB_BIG_BUF_SIZE : SKB_BUF_SIZE; }
static inline uint32_t skb_tailroom(const struct sk_buff *skb) { return skb_buf_size(skb) - skb_headroom(skb) - skb->len; }
static inline uint32_t skb_wire_len(const struct sk_buff *skb) { return skb->len + skb->data_len; }

/* Prepend n bytes (into the headroom); returns the new data pointer, NULL if no room. */
uint8_t *skb_push(struct sk_buff *skb, uint32_t n);
/* Drop n bytes from the front; returns the new data pointer, NULL if len < n. */
uint8_t *skb_pull(struct sk_buff *skb, uint32_t n);
/* Append n real bytes at the tail; returns where they start, NULL if no room. */
uint8_t *skb_put(struct sk_buff *skb, uint32_t n);

static inline uint16_t skb_offset(const struct sk_buff *skb, const uint8_t *p) { return (uint16_t)(p - skb->head); }
static inline void skb_reset_mac_header(struct sk_buff *skb) { skb->mac_header = skb_offset(skb, skb->data); }
static inline void skb_reset_network_header(struct sk_buff *skb) { skb->network_header = skb_offset(skb, skb->data); }
static inline void skb_reset_transport_header(struct sk_buff *skb) { skb->transport_header = skb_offset(skb, skb->data); }
static inline uint8_t *skb_mac_header(const struct sk_buff *skb) { return (uint8_t *)skb->head + skb->mac_header; }
static inline uint8_t *skb_network_header(const struct sk_buff *skb) { return (uint8_t *)skb->head + skb->network_header; }
static inline uint8_t *skb_transport_header(const struct sk_buff *skb) { return (uint8_t *)skb->head + skb->transport_header; }

/* Copy the frame as it is on the wire into out (at most cap bytes: real bytes, then
 * zeros for the virtual payload). Returns the number of bytes written. */
uint32_t skb_copy_wire(const struct sk_buff *skb, uint8_t *out, uint32_t cap);

/* Forget what the previous host knew of the packet (mark, priority, flags, route,
 * conntrack, control buffer, input device), as a packet crossing a wire becomes a
 * new sk_buff on the receiving host. The bytes, id and flow tag stay. */
void skb_scrub(struct sk_buff *skb);

#endif
