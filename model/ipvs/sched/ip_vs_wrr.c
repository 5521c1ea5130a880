/* wrr: weighted round robin, in the algorithm of the era (profile
 * ipvs_wrr_gcd_start).
 *
 * 3.10 and later. Passes walk the list
 * with a required weight cw that starts at mw and drops by di (the gcd of the
 * positive weights) after each pass; a dest is taken when its weight >= cw. mw is
 * the largest weight minus (di - 1), so the last pass asks for weight >= 1 and also
 * catches dests whose weight was lowered below di.
 *
 * add/del/upd all run dest_changed, which moves the position back to the head and
 * keeps cw unless it no longer fits: building a service with successive adds thus
 * leaves cw small, and the first cycle is not the canonical one. Binding the
 * scheduler after the dests exist (init_service) starts with cw = mw.
 *
 * 2.6.34 (until "fix WRR counters on dest changes", 3.10). cw starts at 0 and mw is
 * the largest weight itself. The position steps one entry at a time; stepping off
 * the list head starts a pass and lowers cw by di, and when cw reaches 0 or less it
 * becomes mw. So a fresh service begins with a pass at mw. update_service (after
 * every add, edit and delete) moves the position to the head and resets cw to 0
 * only when it exceeds the new mw; otherwise the passes go on from the old cw.
 * When every dest is OVERLOADed the walk gives up once it is back where it started
 * during the pass at cw == di. */
#include <glib.h>
#include "model/ipvs/sched/sched_util.h"

struct ip_vs_wrr_mark {
    struct list_head *cl;            /* current entry, or the list head */
    int cw;                          /* current required weight */
    int mw;                          /* max weight - (di - 1); 2.6.34: max weight */
    int di;                          /* gcd of the positive weights */
    bool old;                        /* the 2.6.34 algorithm */
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
    mark->old = !ip_vs_sched_profile(svc)->ipvs_wrr_gcd_start;
    mark->cl = &svc->destinations;
    mark->di = ip_vs_wrr_gcd_weight(svc);
    if (mark->old) {
        mark->mw = ip_vs_wrr_max_weight(svc);
        mark->cw = 0;
    } else {
        mark->mw = ip_vs_wrr_max_weight(svc) - (mark->di - 1);
        mark->cw = mark->mw;
    }
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
    if (mark->old) {
        /* 2.6.34's ip_vs_wrr_update_svc */
        mark->mw = ip_vs_wrr_max_weight(svc);
        if (mark->cw > mark->mw)
            mark->cw = 0;
        return 0;
    }
    mark->mw = ip_vs_wrr_max_weight(svc) - (mark->di - 1);
    if (mark->cw > mark->mw || mark->cw == 0)
        mark->cw = mark->mw;
    else if (mark->di > 1)
        mark->cw = (mark->cw / mark->di) * mark->di + 1;
    return 0;
}

/* 2.6.34's ip_vs_wrr_schedule. */
static struct ip_vs_dest *ip_vs_wrr_schedule_old(struct ip_vs_service *svc)
{
    struct ip_vs_wrr_mark *mark = svc->sched_data;
    struct list_head *head = &svc->destinations;
    struct list_head *start = mark->cl;

    for (;;) {
        if (mark->cl == head) {
            if (list_empty(head))
                return NULL;
            /* A new pass. */
            mark->cl = head->next;
            mark->cw -= mark->di;
            if (mark->cw <= 0) {
                mark->cw = mark->mw;
                if (mark->cw == 0) {        /* every weight is 0 */
                    mark->cl = head;
                    return NULL;
                }
            }
        } else {
            mark->cl = mark->cl->next;
        }
        if (mark->cl != head) {
            struct ip_vs_dest *d = ip_vs_dest_of(mark->cl);
            if (!ip_vs_dest_overloaded(d) && d->weight >= mark->cw)
                return d;
        }
        /* Back at the start during the last pass: all OVERLOADed. */
        if (mark->cl == start && mark->cw == mark->di)
            return NULL;
    }
}

static struct ip_vs_dest *ip_vs_wrr_schedule(struct ip_vs_service *svc, const struct sk_buff *skb,
                                             const struct ip_vs_iphdr *iph)
{
    struct ip_vs_wrr_mark *mark = svc->sched_data;
    if (mark->old)
        return ip_vs_wrr_schedule_old(svc);
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
