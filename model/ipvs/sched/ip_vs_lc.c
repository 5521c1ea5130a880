/* lc: least connection. The dest with the smallest overhead (active * 256 +
 * inactive); weights only matter in that weight 0 (quiesced) and OVERLOADed dests
 * are skipped. Ties keep the earlier dest in list order, i.e. the newest one. */
#include "model/ipvs/sched/sched_util.h"

static struct ip_vs_dest *ip_vs_lc_schedule(struct ip_vs_service *svc, const struct sk_buff *skb,
                                            const struct ip_vs_iphdr *iph)
{
    struct ip_vs_dest *least = NULL;
    unsigned loh = 0;
    struct list_head *head = &svc->destinations;

    for (struct list_head *p = head->next; p != head; p = p->next) {
        struct ip_vs_dest *d = ip_vs_dest_of(p);
        if (ip_vs_dest_overloaded(d) || d->weight == 0)
            continue;
        unsigned doh = (unsigned)ip_vs_dest_conn_overhead(d);
        if (!least || doh < loh) {
            least = d;
            loh = doh;
        }
    }
    return least;
}

const struct ip_vs_scheduler ip_vs_lc_scheduler = {
    .name = "lc",
    .schedule = ip_vs_lc_schedule,
};
