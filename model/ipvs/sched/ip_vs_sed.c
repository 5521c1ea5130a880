/* sed: shortest expected delay. As wlc, but the overhead is activeconns + 1 (the
 * new connection counted in, inactive ones ignored): (active + 1) / weight smallest
 * wins, ties keep the earlier dest. */
#include "model/ipvs/sched/sched_util.h"

static inline int64_t ip_vs_sed_dest_overhead(const struct ip_vs_dest *d)
{
    return (int64_t)d->activeconns + 1;
}

static struct ip_vs_dest *ip_vs_sed_schedule(struct ip_vs_service *svc, const struct sk_buff *skb,
                                             const struct ip_vs_iphdr *iph)
{
    struct list_head *head = &svc->destinations;
    struct list_head *p;
    struct ip_vs_dest *least = NULL;
    int64_t loh = 0;

    for (p = head->next; p != head; p = p->next) {
        struct ip_vs_dest *d = ip_vs_dest_of(p);
        if (!ip_vs_dest_overloaded(d) && d->weight > 0) {
            least = d;
            loh = ip_vs_sed_dest_overhead(d);
            break;
        }
    }
    if (!least)
        return NULL;
    for (p = p->next; p != head; p = p->next) {
        struct ip_vs_dest *d = ip_vs_dest_of(p);
        if (ip_vs_dest_overloaded(d))
            continue;
        int64_t doh = ip_vs_sed_dest_overhead(d);
        if (loh * d->weight > doh * least->weight) {
            least = d;
            loh = doh;
        }
    }
    return least;
}

const struct ip_vs_scheduler ip_vs_sed_scheduler = {
    .name = "sed",
    .schedule = ip_vs_sed_schedule,
};
