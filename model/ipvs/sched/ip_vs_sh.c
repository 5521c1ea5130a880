/* sh: source hashing. A 256-bucket table (CONFIG_IP_VS_SH_TAB_BITS default 8) is
 * rebuilt on init, add, del and upd (2.6.34: update_service, called at the same
 * moments). How the table is filled and how a client is hashed into it changed
 * with the eras (profile ipvs_sh):
 *
 *   2.6.34   each bucket takes the next dest of the list in turn, whatever the
 *            weights; bucket (ntohl(saddr) * 2654435761) & 255; the service flags
 *            are ignored (no sh-port, no sh-fallback).
 *   4.9      walking the list from its first entry, each dest takes `weight`
 *            consecutive buckets (at least one, so weight 0 keeps a bucket), cycling
 *            until the table is full; bucket
 *            (offset + (ntohs(port) + ntohl(saddr)) * 2654435761) & 255.
 *   5.10+    the same table; bucket (offset + hash_32(ntohs(port) + ntohl(saddr), 8)) & 255.
 *
 * The multiplications are in unsigned long (64 bits), but only the low 8 bits are
 * kept, which 32-bit arithmetic gives alike. offset is 0 and port 0 unless the
 * service has sh-port (IP_VS_SVC_F_SCHED2).
 *
 * Without sh-fallback (IP_VS_SVC_F_SCHED1) an unusable dest (weight <= 0 or
 * OVERLOADed) means no dest. With it, the probe re-hashes with offsets
 * ro = (off + h) % 256 for off = 0..255; since the offset is added to the hash once
 * more, the first probe lands on bucket 2h, not h + 1 (a faithful quirk). An empty
 * bucket ends the probe. */
#include <glib.h>
#include "model/ipvs/sched/sched_util.h"

#define IP_VS_SH_TAB_BITS 8
#define IP_VS_SH_TAB_SIZE (1 << IP_VS_SH_TAB_BITS)
#define IP_VS_SH_TAB_MASK (IP_VS_SH_TAB_SIZE - 1)

/* Knuth's multiplicative constant of the older kernels (2^32 / golden ratio). */
#define IP_VS_SH_KNUTH 2654435761u

struct ip_vs_sh_state {
    enum ip_vs_sh_variant variant;
    struct ip_vs_dest *buckets[IP_VS_SH_TAB_SIZE];
};

unsigned ip_vs_sh_hashkey(enum ip_vs_sh_variant v, be32 addr, be16 port, unsigned offset)
{
    uint32_t fold = ip_vs_addr_fold(addr);
    uint32_t key = ntohs(port) + fold;
    switch (v) {
    case IP_VS_SH_2_6:
        return (fold * IP_VS_SH_KNUTH) & IP_VS_SH_TAB_MASK;
    case IP_VS_SH_MULT:
        return (offset + key * IP_VS_SH_KNUTH) & IP_VS_SH_TAB_MASK;
    case IP_VS_SH_HASH_32:
    default:
        return (offset + hash_32(key, IP_VS_SH_TAB_BITS)) & IP_VS_SH_TAB_MASK;
    }
}

static inline bool ip_vs_sh_unavailable(const struct ip_vs_dest *d)
{
    return d->weight <= 0 || ip_vs_dest_overloaded(d);
}

static void ip_vs_sh_reassign(struct ip_vs_sh_state *s, struct ip_vs_service *svc)
{
    struct list_head *head = &svc->destinations;
    struct list_head *p = head;
    bool empty = list_empty(head);
    int count = 0;

    for (int i = 0; i < IP_VS_SH_TAB_SIZE; i++) {
        if (s->buckets[i])
            ip_vs_sched_dest_put(s->buckets[i]);
        if (empty) {
            s->buckets[i] = NULL;
            continue;
        }
        if (p == head)
            p = p->next;
        struct ip_vs_dest *d = ip_vs_dest_of(p);
        s->buckets[i] = d;
        ip_vs_sched_dest_hold(d);
        /* Stay on this dest until it has filled `weight` buckets (2.6.34: one). */
        if (s->variant == IP_VS_SH_2_6 || ++count >= d->weight) {
            p = p->next;
            count = 0;
        }
    }
}

static void ip_vs_sh_flush(struct ip_vs_sh_state *s)
{
    for (int i = 0; i < IP_VS_SH_TAB_SIZE; i++) {
        if (s->buckets[i]) {
            ip_vs_sched_dest_put(s->buckets[i]);
            s->buckets[i] = NULL;
        }
    }
}

static int ip_vs_sh_init_svc(struct ip_vs_service *svc)
{
    struct ip_vs_sh_state *s = g_new0(struct ip_vs_sh_state, 1);
    s->variant = ip_vs_sched_profile(svc)->ipvs_sh;
    svc->sched_data = s;
    ip_vs_sh_reassign(s, svc);
    return 0;
}

static void ip_vs_sh_done_svc(struct ip_vs_service *svc)
{
    ip_vs_sh_flush(svc->sched_data);
    g_free(svc->sched_data);
    svc->sched_data = NULL;
}

static int ip_vs_sh_dest_changed(struct ip_vs_service *svc, struct ip_vs_dest *dest)
{
    ip_vs_sh_reassign(svc->sched_data, svc);
    return 0;
}

static struct ip_vs_dest *ip_vs_sh_get(const struct ip_vs_sh_state *s, be32 addr, be16 port)
{
    struct ip_vs_dest *d = s->buckets[ip_vs_sh_hashkey(s->variant, addr, port, 0)];
    return (!d || ip_vs_sh_unavailable(d)) ? NULL : d;
}

static struct ip_vs_dest *ip_vs_sh_get_fallback(const struct ip_vs_sh_state *s, be32 addr, be16 port)
{
    unsigned ihash = ip_vs_sh_hashkey(s->variant, addr, port, 0);
    struct ip_vs_dest *d = s->buckets[ihash];
    if (!d)
        return NULL;
    if (!ip_vs_sh_unavailable(d))
        return d;
    for (unsigned off = 0; off < IP_VS_SH_TAB_SIZE; off++) {
        unsigned roffset = (off + ihash) % IP_VS_SH_TAB_SIZE;
        d = s->buckets[ip_vs_sh_hashkey(s->variant, addr, port, roffset)];
        if (!d)
            break;
        if (!ip_vs_sh_unavailable(d))
            return d;
    }
    return NULL;
}

static struct ip_vs_dest *ip_vs_sh_schedule(struct ip_vs_service *svc, const struct sk_buff *skb,
                                            const struct ip_vs_iphdr *iph)
{
    const struct ip_vs_sh_state *s = svc->sched_data;
    be32 addr = ip_vs_sched_hash_addr(iph);
    be16 port = 0;

    if (s->variant == IP_VS_SH_2_6)
        return ip_vs_sh_get(s, addr, 0);        /* the flags did not exist yet */
    if (svc->flags & IP_VS_SVC_F_SCHED2)
        port = ip_vs_sched_get_port(skb, iph);
    if (svc->flags & IP_VS_SVC_F_SCHED1)
        return ip_vs_sh_get_fallback(s, addr, port);
    return ip_vs_sh_get(s, addr, port);
}

const struct ip_vs_scheduler ip_vs_sh_scheduler = {
    .name = "sh",
    .init_service = ip_vs_sh_init_svc,
    .done_service = ip_vs_sh_done_svc,
    .add_dest = ip_vs_sh_dest_changed,
    .del_dest = ip_vs_sh_dest_changed,
    .upd_dest = ip_vs_sh_dest_changed,
    .schedule = ip_vs_sh_schedule,
};
