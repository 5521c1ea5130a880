/* dh: destination hashing. A 256-bucket table (IP_VS_DH_TAB_BITS 8, fixed at kernel
 * build time) is filled with the list's dests in turn, repeated cyclically from
 * bucket 0; weights play no part and there is no upd_dest hook. A packet's bucket is
 * hash_32 of its destination address; the dest there is used unless it is gone,
 * quiesced (weight <= 0) or OVERLOADed. No fallback. */
#include <glib.h>
#include "model/ipvs/sched/sched_util.h"

#define IP_VS_DH_TAB_BITS 8
#define IP_VS_DH_TAB_SIZE (1 << IP_VS_DH_TAB_BITS)

struct ip_vs_dh_state {
    struct ip_vs_dest *buckets[IP_VS_DH_TAB_SIZE];
};

static inline unsigned ip_vs_dh_hashkey(be32 addr)
{
    return hash_32(ip_vs_addr_fold(addr), IP_VS_DH_TAB_BITS);
}

static void ip_vs_dh_reassign(struct ip_vs_dh_state *s, struct ip_vs_service *svc)
{
    struct list_head *head = &svc->destinations;
    struct list_head *p = head;
    bool empty = list_empty(head);

    for (int i = 0; i < IP_VS_DH_TAB_SIZE; i++) {
        if (s->buckets[i])
            ip_vs_sched_dest_put(s->buckets[i]);
        if (empty) {
            s->buckets[i] = NULL;
            continue;
        }
        if (p == head)
            p = p->next;
        s->buckets[i] = ip_vs_dest_of(p);
        ip_vs_sched_dest_hold(s->buckets[i]);
        p = p->next;
    }
}

static void ip_vs_dh_flush(struct ip_vs_dh_state *s)
{
    for (int i = 0; i < IP_VS_DH_TAB_SIZE; i++) {
        if (s->buckets[i]) {
            ip_vs_sched_dest_put(s->buckets[i]);
            s->buckets[i] = NULL;
        }
    }
}

static int ip_vs_dh_init_svc(struct ip_vs_service *svc)
{
    struct ip_vs_dh_state *s = g_new0(struct ip_vs_dh_state, 1);
    svc->sched_data = s;
    ip_vs_dh_reassign(s, svc);
    return 0;
}

static void ip_vs_dh_done_svc(struct ip_vs_service *svc)
{
    ip_vs_dh_flush(svc->sched_data);
    g_free(svc->sched_data);
    svc->sched_data = NULL;
}

static int ip_vs_dh_dest_changed(struct ip_vs_service *svc, struct ip_vs_dest *dest)
{
    ip_vs_dh_reassign(svc->sched_data, svc);
    return 0;
}

static struct ip_vs_dest *ip_vs_dh_schedule(struct ip_vs_service *svc, const struct sk_buff *skb,
                                            const struct ip_vs_iphdr *iph)
{
    struct ip_vs_dh_state *s = svc->sched_data;
    struct ip_vs_dest *d = s->buckets[ip_vs_dh_hashkey(iph->daddr)];
    if (!d || !(d->flags & IP_VS_DEST_F_AVAILABLE) || d->weight <= 0 || ip_vs_dest_overloaded(d))
        return NULL;
    return d;
}

const struct ip_vs_scheduler ip_vs_dh_scheduler = {
    .name = "dh",
    .init_service = ip_vs_dh_init_svc,
    .done_service = ip_vs_dh_done_svc,
    .add_dest = ip_vs_dh_dest_changed,
    .del_dest = ip_vs_dh_dest_changed,
    .schedule = ip_vs_dh_schedule,
};
