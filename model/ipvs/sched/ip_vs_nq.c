/* nq: never queue. The first eligible dest (not OVERLOADed, weight != 0) with no
 * active connection wins at once; when every one is busy, the sed rule decides.
 * Inactive connections are ignored, so for UDP (never active) nq always returns the
 * first eligible dest in list order. */
#include "model/ipvs/sched/sched_util.h"

static struct ip_vs_dest *ip_vs_nq_schedule(struct ip_vs_service *svc, const struct sk_buff *skb,
                                            const struct ip_vs_iphdr *iph)
{
    struct list_head *head = &svc->destinations;
    struct ip_vs_dest *least = NULL;
    int64_t loh = 0;

    for (struct list_head *p = head->next; p != head; p = p->next) {
        struct ip_vs_dest *d = ip_vs_dest_of(p);
        if (ip_vs_dest_overloaded(d) || d->weight == 0)
            continue;
        int64_t doh = (int64_t)d->activeconns + 1;
        if (d->activeconns == 0)
            return d;                /* idle: no need to look further */
        if (!least || loh * d->weight > doh * least->weight) {
            least = d;
            loh = doh;
        }
    }
    return least;
}

const struct ip_vs_scheduler ip_vs_nq_scheduler = {
    .name = "nq",
    .schedule = ip_vs_nq_schedule,
};
