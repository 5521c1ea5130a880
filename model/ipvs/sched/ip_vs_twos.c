/* twos: power of two choices. Two weighted random draws r1, r2 in [0, total]
 * (inclusive: total = the sum of the positive weights of the dests that are not
 * OVERLOADed) each pick the first eligible dest at which the running sum of weights
 * reaches the draw; of the two, the one with the smaller overhead / weight wins
 * (choice 2 only when strictly better). r = 0 selects the first eligible dest, which
 * thus has probability (w1 + 1) / (total + 1).
 *
 * The kernel draws from its own RNG, which no simulator can reproduce; ipvsim draws
 * from the service's seeded stream (svc->rng), so a run is reproducible for a seed
 * and the distribution is the kernel's, but the individual picks are not a real
 * director's. The products are computed in 32-bit arithmetic that wraps, as the
 * kernel's int multiplication does. */
#include "model/ipvs/sched/sched_util.h"

static inline int32_t mul32(int32_t a, int32_t b)
{
    return (int32_t)((uint32_t)a * (uint32_t)b);
}

static struct ip_vs_dest *ip_vs_twos_schedule(struct ip_vs_service *svc, const struct sk_buff *skb,
                                              const struct ip_vs_iphdr *iph)
{
    struct list_head *head = &svc->destinations;
    struct ip_vs_dest *choice1 = NULL, *choice2 = NULL;
    int32_t weight1 = -1, weight2 = -1, overhead1 = 0, overhead2 = 0;
    int64_t total = 0;

    for (struct list_head *p = head->next; p != head; p = p->next) {
        struct ip_vs_dest *d = ip_vs_dest_of(p);
        if (!ip_vs_dest_overloaded(d) && d->weight > 0) {
            total += d->weight;
            choice1 = d;
        }
    }
    if (!choice1)
        return NULL;

    int64_t r1 = (int64_t)rng_below(&svc->rng, (uint64_t)total + 1);
    int64_t r2 = (int64_t)rng_below(&svc->rng, (uint64_t)total + 1);

    for (struct list_head *p = head->next; p != head; p = p->next) {
        struct ip_vs_dest *d = ip_vs_dest_of(p);
        if (ip_vs_dest_overloaded(d) || d->weight <= 0)
            continue;
        r1 -= d->weight;
        r2 -= d->weight;
        if (r1 <= 0 && weight1 == -1) {
            choice1 = d;
            weight1 = d->weight;
            overhead1 = ip_vs_dest_conn_overhead(d);
        }
        if (r2 <= 0 && weight2 == -1) {
            choice2 = d;
            weight2 = d->weight;
            overhead2 = ip_vs_dest_conn_overhead(d);
        }
        if (weight1 != -1 && weight2 != -1)
            break;
    }
    if (choice2 && mul32(weight2, overhead1) > mul32(weight1, overhead2))
        choice1 = choice2;
    return choice1;
}

const struct ip_vs_scheduler ip_vs_twos_scheduler = {
    .name = "twos",
    .schedule = ip_vs_twos_schedule,
};
