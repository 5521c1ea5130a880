/* ovf: weighted overflow. Among the dests that are not OVERLOADed, have a non-zero
 * weight and no more active connections than their weight, the highest weight wins
 * (ties: the earlier dest). A dest thus takes new connections until it holds
 * weight + 1 active ones, then the next weight takes over. Inactive connections do
 * not count, so UDP never overflows. */
#include "model/ipvs/sched/sched_util.h"

static struct ip_vs_dest *ip_vs_ovf_schedule(struct ip_vs_service *svc, const struct sk_buff *skb,
                                             const struct ip_vs_iphdr *iph)
{
    struct list_head *head = &svc->destinations;
    struct ip_vs_dest *h = NULL;
    int hw = 0;

    for (struct list_head *p = head->next; p != head; p = p->next) {
        struct ip_vs_dest *d = ip_vs_dest_of(p);
        int w = d->weight;
        if (ip_vs_dest_overloaded(d) || d->activeconns > w || w == 0)
            continue;
        if (!h || w > hw) {
            h = d;
            hw = w;
        }
    }
    return h;
}

const struct ip_vs_scheduler ip_vs_ovf_scheduler = {
    .name = "ovf",
    .schedule = ip_vs_ovf_schedule,
};
