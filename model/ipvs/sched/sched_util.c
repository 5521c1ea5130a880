/* Helpers the schedulers share (include/linux/hash.h hash_32, lib/math/gcd.c,
 * ip_vs_wlc.c's pick as lblc and lblcr repeat it, ip_vs_dest_hold/put); see
 * sched_util.h. */
#include "model/ipvs/sched/sched_util.h"

#include <netinet/in.h>
#include "model/net.h"

#ifndef IPPROTO_SCTP
#define IPPROTO_SCTP 132
#endif

const struct kernel_profile *ip_vs_sched_profile(const struct ip_vs_service *svc)
{
    return svc->ipvs ? svc->ipvs->net->prof : kernel_profile_default();
}

int ip_vs_sched_gcd(int a, int b)
{
    while (b) {
        int r = a % b;
        a = b;
        b = r;
    }
    return a;
}

be16 ip_vs_sched_get_port(const struct sk_buff *skb, const struct ip_vs_iphdr *iph)
{
    switch (iph->protocol) {
    case IPPROTO_TCP:
    case IPPROTO_UDP:
    case IPPROTO_SCTP:
        break;
    default:
        return 0;
    }
    /* The ports lead the TCP, UDP and SCTP headers alike; the kernel reads both (four
     * bytes) and gives 0 when they are not there. */
    if (!skb || (uint64_t)iph->len + 4 > skb->len)
        return 0;
    const uint8_t *p = skb->data + iph->len;
    be16 port;
    memcpy(&port, p, sizeof port);
    return port;
}

be32 ip_vs_sched_hash_addr(const struct ip_vs_iphdr *iph)
{
    return iph->saddr;
}

struct ip_vs_dest *ip_vs_sched_wlc_pick(const struct ip_vs_service *svc)
{
    const struct list_head *head = &svc->destinations;
    const struct list_head *p;
    struct ip_vs_dest *least = NULL;
    int64_t loh = 0;

    for (p = head->next; p != head; p = p->next) {
        struct ip_vs_dest *d = ip_vs_dest_of(p);
        if (!ip_vs_dest_overloaded(d) && d->weight > 0) {
            least = d;
            loh = ip_vs_dest_conn_overhead(d);
            break;
        }
    }
    if (!least)
        return NULL;
    /* Later dests: weight 0 is not skipped, but loh * 0 > doh * w never holds. */
    for (p = p->next; p != head; p = p->next) {
        struct ip_vs_dest *d = ip_vs_dest_of(p);
        if (ip_vs_dest_overloaded(d))
            continue;
        int64_t doh = ip_vs_dest_conn_overhead(d);
        if (loh * d->weight > doh * least->weight) {
            least = d;
            loh = doh;
        }
    }
    return least;
}

bool ip_vs_sched_lblc_overloaded(const struct ip_vs_dest *dest, const struct ip_vs_service *svc)
{
    if (dest->activeconns <= dest->weight)
        return false;
    const struct list_head *head = &svc->destinations;
    for (const struct list_head *p = head->next; p != head; p = p->next) {
        const struct ip_vs_dest *d = ip_vs_dest_of(p);
        if (d->activeconns * 2 < d->weight)
            return true;
    }
    return false;
}
