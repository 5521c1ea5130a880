/* Interface address helpers. */
#include "sim/netdev.h"

#include <string.h>
#include "sim/host.h"
#include "sim/link.h"

bool netdev_add_addr(struct net_device *dev, be32 addr, uint8_t prefixlen)
{
    if (prefixlen > 32)
        return false;
    for (unsigned i = 0; i < dev->naddrs; i++)
        if (dev->addrs[i].addr == addr)
            return dev->addrs[i].prefixlen == prefixlen;
    if (dev->naddrs >= NETDEV_MAX_ADDRS)
        return false;
    dev->addrs[dev->naddrs].addr = addr;
    dev->addrs[dev->naddrs].prefixlen = prefixlen;
    dev->naddrs++;
    if (dev->host)
        host_addrs_changed(dev->host);
    if (dev->link)
        link_addrs_changed(dev->link);
    return true;
}

bool netdev_del_addr(struct net_device *dev, be32 addr)
{
    for (unsigned i = 0; i < dev->naddrs; i++)
        if (dev->addrs[i].addr == addr) {
            memmove(&dev->addrs[i], &dev->addrs[i + 1], (dev->naddrs - i - 1) * sizeof dev->addrs[0]);
            dev->naddrs--;
            if (dev->host)
                host_addrs_changed(dev->host);
            if (dev->link)
                link_addrs_changed(dev->link);
            return true;
        }
    return false;
}

bool netdev_on_subnet(const struct net_device *dev, be32 addr)
{
    for (unsigned i = 0; i < dev->naddrs; i++) {
        be32 mask = inet_mask(dev->addrs[i].prefixlen);
        if ((dev->addrs[i].addr & mask) == (addr & mask))
            return true;
    }
    return false;
}
