/* rr: round robin. The state is a position in svc->destinations: the entry last
 * chosen, or the list head itself before the first pick. A pick walks on from there,
 * wrapping once, and takes the first dest that is not OVERLOADed and has weight > 0.
 * New dests join at the list head, so they come up after the walk wraps.
 *
 * Deleting the dest at the position moves the position to the entry before it (the
 * next pick continues with what followed the deleted dest). The kernel finds that
 * entry through the deleted dest's next pointer, which its list_del_rcu leaves in
 * place; ipvsim's list_del clears both pointers, so rr remembers the entry before
 * its position itself, refreshed whenever the list changes around it (add and del
 * hooks) or the position moves. The add hook only does that bookkeeping: the choices
 * are the kernel's. */
#include <glib.h>
#include "model/ipvs/sched/sched_util.h"

struct ip_vs_rr_state {
    struct list_head *pos;           /* last chosen entry, or the list head */
    struct list_head *pos_prev;      /* the entry before pos (when pos is an entry) */
};

static int ip_vs_rr_init_svc(struct ip_vs_service *svc)
{
    struct ip_vs_rr_state *st = g_new0(struct ip_vs_rr_state, 1);
    st->pos = &svc->destinations;
    st->pos_prev = st->pos->prev;
    svc->sched_data = st;
    return 0;
}

static void ip_vs_rr_done_svc(struct ip_vs_service *svc)
{
    g_free(svc->sched_data);
    svc->sched_data = NULL;
}

/* A dest was linked at the head: the entry before pos may have changed. */
static int ip_vs_rr_add_dest(struct ip_vs_service *svc, struct ip_vs_dest *dest)
{
    struct ip_vs_rr_state *st = svc->sched_data;
    st->pos_prev = st->pos->prev;
    return 0;
}

static int ip_vs_rr_del_dest(struct ip_vs_service *svc, struct ip_vs_dest *dest)
{
    struct ip_vs_rr_state *st = svc->sched_data;
    if (st->pos == &dest->n_list)
        st->pos = st->pos_prev;      /* back to the entry before the deleted one */
    st->pos_prev = st->pos->prev;
    /* (Called before the unlink, the dest would still sit before pos.) */
    if (st->pos_prev == &dest->n_list)
        st->pos_prev = dest->n_list.prev;
    return 0;
}

static struct ip_vs_dest *ip_vs_rr_schedule(struct ip_vs_service *svc, const struct sk_buff *skb,
                                            const struct ip_vs_iphdr *iph)
{
    struct ip_vs_rr_state *st = svc->sched_data;
    struct list_head *head = &svc->destinations;
    struct list_head *start = st->pos;
    struct list_head *cur = start;
    int pass = 0;

    do {
        /* Walk the entries after cur; stop when we come back to where we started. */
        for (cur = cur->next; cur != head; cur = cur->next) {
            struct ip_vs_dest *d = ip_vs_dest_of(cur);
            if (!ip_vs_dest_overloaded(d) && d->weight > 0) {
                st->pos = cur;
                st->pos_prev = cur->prev;
                return d;
            }
            if (cur == start)
                return NULL;
        }
        pass++;
        /* From the head a single pass has seen everything; otherwise wrap once. */
    } while (pass < 2 && start != head);
    return NULL;
}

const struct ip_vs_scheduler ip_vs_rr_scheduler = {
    .name = "rr",
    .init_service = ip_vs_rr_init_svc,
    .done_service = ip_vs_rr_done_svc,
    .add_dest = ip_vs_rr_add_dest,
    .del_dest = ip_vs_rr_del_dest,
    .schedule = ip_vs_rr_schedule,
};
