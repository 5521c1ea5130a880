/* Network interfaces of a host: name, MAC, IPv4 addresses, counters, the link it
 * is plugged into and an optional capture tap. */
#ifndef IPVSIM_SIM_NETDEV_H
#define IPVSIM_SIM_NETDEV_H

#include <stdbool.h>
#include <stdint.h>
#include "sim/proto.h"

#define IFNAMSIZ 16
#define NETDEV_MAX_ADDRS 8

struct host;
struct link;
struct pcap_tap;

struct in_ifaddr {
    be32 addr;                      /* network order */
    uint8_t prefixlen;
};

struct netdev_stats {
    uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes;
    uint64_t rx_dropped, tx_dropped;
    uint64_t rx_errors, rx_crc_errors;  /* a tunnel's checksum-flag mismatches */
};

struct net_device {
    char name[IFNAMSIZ];
    int ifindex;                    /* 1 = lo, then in creation order */
    uint8_t dev_addr[ETH_ALEN];
    uint32_t mtu;
    bool loopback;
    bool up;
    struct host *host;
    struct link *link;              /* NULL until attached (always NULL for lo) */
    unsigned link_port;             /* our port number on that link */
    struct in_ifaddr addrs[NETDEV_MAX_ADDRS];
    unsigned naddrs;
    struct pcap_tap *tap;           /* capture of both directions, or NULL */
    struct netdev_stats stats;
    void *priv;                     /* the model's per-device state */
};

/* Add an address; the first one is the primary. Adding one the device already has
 * with the same prefix succeeds without a duplicate; false when the table is full,
 * prefixlen > 32, or the address is there with another prefix. */
bool netdev_add_addr(struct net_device *dev, be32 addr, uint8_t prefixlen);
/* Does dev own addr exactly? Inline: every received and every sent packet asks
 * (ip_route_input, ip_route_output, link_resolve). */
static inline bool netdev_has_addr(const struct net_device *dev, be32 addr)
{
    for (unsigned i = 0; i < dev->naddrs; i++)
        if (dev->addrs[i].addr == addr)
            return true;
    return false;
}
/* ip addr del: take addr off dev, keeping the other addresses in order; false when
 * dev does not have it. */
bool netdev_del_addr(struct net_device *dev, be32 addr);
/* Is addr inside one of dev's subnets? */
bool netdev_on_subnet(const struct net_device *dev, be32 addr);

static inline be32 inet_mask(uint8_t prefixlen)
{
    return prefixlen == 0 ? 0 : htonl(~0u << (32 - prefixlen));
}

#endif
