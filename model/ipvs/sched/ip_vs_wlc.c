/* wlc: weighted least connection, overhead / weight smallest wins (compared as
 * cross products, no division). See ip_vs_sched_wlc_pick for the exact rule: the
 * first eligible dest in list order starts, later ones must be strictly better. */
#include "model/ipvs/sched/sched_util.h"

static struct ip_vs_dest *ip_vs_wlc_schedule(struct ip_vs_service *svc, const struct sk_buff *skb,
                                             const struct ip_vs_iphdr *iph)
{
    return ip_vs_sched_wlc_pick(svc);
}

const struct ip_vs_scheduler ip_vs_wlc_scheduler = {
    .name = "wlc",
    .schedule = ip_vs_wlc_schedule,
};
