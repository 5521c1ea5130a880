/* wrr: weighted round robin (the current kernel algorithm). Passes walk the list
 * with a required weight cw that starts at mw and drops by di (the gcd of the
 * positive weights) after each pass; a dest is taken when its weight >= cw. mw is
 * the largest weight minus (di - 1), so the last pass asks for weight >= 1 and also
 * catches dests whose weight was lowered below di.
 *
 * add/del/upd all run dest_changed, which moves the position back to the head and
 * keeps cw unless it no longer fits: building a service with successive adds thus
 * leaves cw small, and the first cycle is not the canonical one. Binding the
 * scheduler after the dests exist (init_service) starts with cw = mw. */
#include <glib.h>
#include "model/ipvs/sched/sched_util.h"

struct ip_vs_wrr_mark {
    struct list_head *cl;            /* current entry, or the list head */
    int cw;                          /* current required weight */
    int mw;                          /* max weight - (di - 1) */
    int di;                          /* gcd of the positive weights */
};

static int ip_vs_wrr_gcd_weight(const struct ip_vs_service *svc)
{
    int g = 0;
    const struct list_head *head = &svc->destinations;
    for (const struct list_head *p = head->next; p != head; p = p->next) {
        int w = ip_vs_dest_of(p)->weight;
        if (w > 0)
            g = g > 0 ? ip_vs_sched_gcd(w, g) : w;
    }
    return g ? g : 1;
}

static int ip_vs_wrr_max_weight(const struct ip_vs_service *svc)
{
    int m = 0;
    const struct list_head *head = &svc->destinations;
    for (const struct list_head *p = head->next; p != head; p = p->next)
        if (ip_vs_dest_of(p)->weight > m)
            m = ip_vs_dest_of(p)->weight;
    return m;
}

static int ip_vs_wrr_init_svc(struct ip_vs_service *svc)
{
    struct ip_vs_wrr_mark *mark = g_new0(struct ip_vs_wrr_mark, 1);
    mark->cl = &svc->destinations;
    mark->di = ip_vs_wrr_gcd_weight(svc);
    mark->mw = ip_vs_wrr_max_weight(svc) - (mark->di - 1);
    mark->cw = mark->mw;
    svc->sched_data = mark;
    return 0;
}

static void ip_vs_wrr_done_svc(struct ip_vs_service *svc)
{
    g_free(svc->sched_data);
    svc->sched_data = NULL;
}

static int ip_vs_wrr_dest_changed(struct ip_vs_service *svc, struct ip_vs_dest *dest)
{
    struct ip_vs_wrr_mark *mark = svc->sched_data;
    mark->cl = &svc->destinations;
    mark->di = ip_vs_wrr_gcd_weight(svc);
    mark->mw = ip_vs_wrr_max_weight(svc) - (mark->di - 1);
    if (mark->cw > mark->mw || mark->cw == 0)
        mark->cw = mark->mw;
    else if (mark->di > 1)
        mark->cw = (mark->cw / mark->di) * mark->di + 1;
    return 0;
}

static struct ip_vs_dest *ip_vs_wrr_schedule(struct ip_vs_service *svc, const struct sk_buff *skb,
                                             const struct ip_vs_iphdr *iph)
{
    struct ip_vs_wrr_mark *mark = svc->sched_data;
    struct list_head *head = &svc->destinations;
    struct list_head *cur = mark->cl;
    struct list_head *last, *stop = NULL;
    bool last_pass = false, restarted = false;

    if (mark->mw == 0)
        return NULL;                 /* no dest with a positive weight; cl stays */
    last = cur;
    for (;;) {
        for (cur = cur->next; cur != head; cur = cur->next) {
            struct ip_vs_dest *d = ip_vs_dest_of(cur);
            if (!ip_vs_dest_overloaded(d) && d->weight >= mark->cw) {
                mark->cl = cur;
                return d;
            }
            if (cur == stop) {
                mark->cl = cur;
                return NULL;
            }
        }
        /* One pass done: lower the required weight. */
        mark->cw -= mark->di;
        if (mark->cw <= 0) {
            mark->cw = mark->mw;
            /* Every dest has been asked for weight >= 1: either the last pass ran
             * over the whole list already, or the walk started at the head. */
            if (last_pass || last == head) {
                mark->cl = head;
                return NULL;
            }
            restarted = true;
        }
        last_pass = mark->cw <= mark->di;
        /* The first weight >= 1 pass only covered the dests after 'last'; finish the
         * ones up to it. */
        if (last_pass && restarted && last != head)
            stop = last;
    }
}

const struct ip_vs_scheduler ip_vs_wrr_scheduler = {
    .name = "wrr",
    .init_service = ip_vs_wrr_init_svc,
    .done_service = ip_vs_wrr_done_svc,
    .add_dest = ip_vs_wrr_dest_changed,
    .del_dest = ip_vs_wrr_dest_changed,
    .upd_dest = ip_vs_wrr_dest_changed,
    .schedule = ip_vs_wrr_schedule,
};
