/* fo: weighted fail-over. The non-OVERLOADed dest with the strictly highest weight
 * (the threshold starts at 0, so weight 0 never wins); ties keep the earlier dest. */
#include "model/ipvs/sched/sched_util.h"

static struct ip_vs_dest *ip_vs_fo_schedule(struct ip_vs_service *svc, const struct sk_buff *skb,
                                            const struct ip_vs_iphdr *iph)
{
    struct list_head *head = &svc->destinations;
    struct ip_vs_dest *hweight = NULL;
    int hw = 0;

    for (struct list_head *p = head->next; p != head; p = p->next) {
        struct ip_vs_dest *d = ip_vs_dest_of(p);
        if (!ip_vs_dest_overloaded(d) && d->weight > hw) {
            hweight = d;
            hw = d->weight;
        }
    }
    return hweight;
}

const struct ip_vs_scheduler ip_vs_fo_scheduler = {
    .name = "fo",
    .schedule = ip_vs_fo_schedule,
};
