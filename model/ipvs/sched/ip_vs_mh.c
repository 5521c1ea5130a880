/* mh: Maglev hashing (Eisenbud et al., NSDI 2016, section 3.4), as the kernel builds
 * it. M = 4093 slots (CONFIG_IP_VS_MH_TAB_INDEX 12 -> primes[4]). Each dest gets a
 * permutation of the slots from two hsiphash values of its address and port
 * (offset, skip), and the dests take turns claiming their next free preferred slot
 * until every slot is owned. A dest claims `turns` slots in a row per round, turns
 * being its last non-zero weight divided by the gcd of those weights and shifted
 * right so the largest fits in IP_VS_MH_TAB_BITS (6) bits; weight 0 at add time
 * (last_weight 0) means no slot at all. A dest edited to weight 0 keeps last_weight,
 * hence its slots: it is quiesced, and without mh-fallback its clients get no dest.
 *
 * The hash keys are fixed constants, so every director (and ipvsim) builds the same
 * table. hsiphash is SipHash-1-3 on a 64-bit kernel (see model/ipvs/siphash.h).
 *
 * Lookup: slot = hsiphash(ntohs(port) + ntohl(saddr), hash1) % M, port 0 unless
 * mh-port (IP_VS_SVC_F_SCHED2). With mh-fallback (IP_VS_SVC_F_SCHED1) an unusable
 * dest leads to probes with the offsets ro = (off + slot) % M, each a fresh hash of
 * ro + port + addr, until a usable dest or an empty slot.
 *
 * More than M dests: the rebuild is refused (-EINVAL); binding fails, and a later
 * add/edit keeps the previous table. */
#include <errno.h>
#include <glib.h>
#include "model/ipvs/siphash.h"
#include "model/ipvs/sched/sched_util.h"

#define IP_VS_MH_TAB_INDEX_CONFIG 12
#define IP_VS_MH_TAB_BITS (IP_VS_MH_TAB_INDEX_CONFIG / 2)
#define IP_VS_MH_TAB_SIZE 4093       /* primes[12 - 8] of 251, 509, 1021, 2039, 4093, ... */

struct ip_vs_mh_dest_setup {
    unsigned offset;                 /* first preferred slot */
    unsigned skip;                   /* step through the preferences */
    unsigned perm;                   /* next preference to try */
    int turns;                       /* slots claimed in a row per round */
};

struct ip_vs_mh_state {
    struct ip_vs_dest *lookup[IP_VS_MH_TAB_SIZE];
    hsiphash_key_t hash1, hash2;
    int gcd;
    int rshift;
    /* Scratch for rebuilds, kept between them (grown, never shrunk). */
    struct ip_vs_mh_dest_setup *dest_setup;
    int setup_cap;
    uint8_t used[IP_VS_MH_TAB_SIZE];
};

static void ip_vs_mh_generate_hash_secret(hsiphash_key_t *hash1, hsiphash_key_t *hash2)
{
    hash1->key[0] = 2654435761ULL;
    hash1->key[1] = 2654435761ULL;
    hash2->key[0] = 2654446892ULL;
    hash2->key[1] = 2654446892ULL;
}

static inline bool ip_vs_mh_unavailable(const struct ip_vs_dest *d)
{
    return d->weight <= 0 || ip_vs_dest_overloaded(d);
}

/* af: the service's (ip_vs_mh_permutate hashes every dest with svc->af). */
static inline unsigned ip_vs_mh_hashkey(int af, be32 addr, be16 port, const hsiphash_key_t *key,
                                        unsigned offset)
{
    uint32_t v = offset + ntohs(port) + ip_vs_addr_fold_af(af, addr);
    return hsiphash_u32(v, key);
}

/* A packet's address is of the service's family. */
static inline unsigned ip_vs_mh_hashkey_pkt(be32 addr, be16 port, const hsiphash_key_t *key,
                                            unsigned offset)
{
    return ip_vs_mh_hashkey(inet_key_family(addr), addr, port, key, offset);
}

static void ip_vs_mh_reset(struct ip_vs_mh_state *s)
{
    for (int i = 0; i < IP_VS_MH_TAB_SIZE; i++) {
        if (s->lookup[i]) {
            ip_vs_sched_dest_put(s->lookup[i]);
            s->lookup[i] = NULL;
        }
    }
}

static int ip_vs_mh_gcd_weight(const struct ip_vs_service *svc)
{
    int g = 0;
    const struct list_head *head = &svc->destinations;
    for (const struct list_head *p = head->next; p != head; p = p->next) {
        int w = ip_vs_dest_of(p)->last_weight;
        if (w > 0)
            g = g > 0 ? ip_vs_sched_gcd(w, g) : w;
    }
    return g;
}

/* How far to shift weight / gcd so that the largest one fits in IP_VS_MH_TAB_BITS
 * bits. */
static int ip_vs_mh_shift_weight(const struct ip_vs_service *svc, int gcd)
{
    if (gcd < 1)
        return 0;
    int weight = 0;
    const struct list_head *head = &svc->destinations;
    for (const struct list_head *p = head->next; p != head; p = p->next)
        if (ip_vs_dest_of(p)->last_weight > weight)
            weight = ip_vs_dest_of(p)->last_weight;
    int shift = ip_vs_fls((uint32_t)(weight / gcd)) - IP_VS_MH_TAB_BITS;
    return shift >= 0 ? shift : 0;
}

static void ip_vs_mh_permutate(struct ip_vs_mh_state *s, struct ip_vs_service *svc)
{
    if (s->gcd < 1)
        return;
    struct ip_vs_mh_dest_setup *ds = s->dest_setup;
    struct list_head *head = &svc->destinations;
    for (struct list_head *p = head->next; p != head; p = p->next, ds++) {
        struct ip_vs_dest *d = ip_vs_dest_of(p);
        ds->offset = ip_vs_mh_hashkey(svc->af, d->addr, d->port, &s->hash1, 0) %
                     IP_VS_MH_TAB_SIZE;
        ds->skip = ip_vs_mh_hashkey(svc->af, d->addr, d->port, &s->hash2, 0) %
                   (IP_VS_MH_TAB_SIZE - 1) + 1;
        ds->perm = ds->offset;
        int lw = d->last_weight;
        int turns = (lw / s->gcd) >> s->rshift;
        ds->turns = turns ? turns : (lw != 0);
    }
}

static void ip_vs_mh_populate(struct ip_vs_mh_state *s, struct ip_vs_service *svc)
{
    if (s->gcd < 1) {
        ip_vs_mh_reset(s);
        return;
    }
    memset(s->used, 0, sizeof s->used);
    struct list_head *head = &svc->destinations;
    int n = 0, dt_count = 0;
    while (n < IP_VS_MH_TAB_SIZE) {
        /* One round: every dest from the first, each claiming `turns` slots. */
        struct list_head *p = head->next;
        struct ip_vs_mh_dest_setup *ds = s->dest_setup;
        while (p != head) {
            if (ds->turns < 1) {         /* added with weight 0: no slot */
                p = p->next;
                ds++;
                continue;
            }
            unsigned c = ds->perm;
            while (s->used[c]) {
                ds->perm += ds->skip;
                if (ds->perm >= IP_VS_MH_TAB_SIZE)
                    ds->perm -= IP_VS_MH_TAB_SIZE;
                c = ds->perm;
            }
            s->used[c] = 1;
            struct ip_vs_dest *d = ip_vs_dest_of(p);
            if (s->lookup[c] != d) {
                if (s->lookup[c])
                    ip_vs_sched_dest_put(s->lookup[c]);
                ip_vs_sched_dest_hold(d);
                s->lookup[c] = d;
            }
            if (++n == IP_VS_MH_TAB_SIZE)
                return;
            if (++dt_count >= ds->turns) {
                dt_count = 0;
                p = p->next;
                ds++;
            }
        }
    }
}

static int ip_vs_mh_reassign(struct ip_vs_mh_state *s, struct ip_vs_service *svc)
{
    /* svc->num_dests, counted here so the scratch array always fits the list. */
    int num_dests = 0;
    const struct list_head *head = &svc->destinations;
    for (const struct list_head *p = head->next; p != head; p = p->next)
        num_dests++;
    if (num_dests > IP_VS_MH_TAB_SIZE)
        return -EINVAL;
    if (num_dests > s->setup_cap) {
        s->dest_setup = g_renew(struct ip_vs_mh_dest_setup, s->dest_setup, num_dests);
        s->setup_cap = num_dests;
    }
    ip_vs_mh_permutate(s, svc);
    ip_vs_mh_populate(s, svc);
    return 0;
}

static void ip_vs_mh_state_free(struct ip_vs_mh_state *s)
{
    g_free(s->dest_setup);
    g_free(s);
}

static int ip_vs_mh_init_svc(struct ip_vs_service *svc)
{
    struct ip_vs_mh_state *s = g_new0(struct ip_vs_mh_state, 1);
    ip_vs_mh_generate_hash_secret(&s->hash1, &s->hash2);
    s->gcd = ip_vs_mh_gcd_weight(svc);
    s->rshift = ip_vs_mh_shift_weight(svc, s->gcd);
    int ret = ip_vs_mh_reassign(s, svc);
    if (ret < 0) {
        ip_vs_mh_reset(s);
        ip_vs_mh_state_free(s);
        return ret;
    }
    svc->sched_data = s;
    return 0;
}

static void ip_vs_mh_done_svc(struct ip_vs_service *svc)
{
    struct ip_vs_mh_state *s = svc->sched_data;
    ip_vs_mh_reset(s);
    ip_vs_mh_state_free(s);
    svc->sched_data = NULL;
}

static int ip_vs_mh_dest_changed(struct ip_vs_service *svc, struct ip_vs_dest *dest)
{
    struct ip_vs_mh_state *s = svc->sched_data;
    s->gcd = ip_vs_mh_gcd_weight(svc);
    s->rshift = ip_vs_mh_shift_weight(svc, s->gcd);
    return ip_vs_mh_reassign(s, svc);
}

static struct ip_vs_dest *ip_vs_mh_get(const struct ip_vs_mh_state *s, be32 addr, be16 port)
{
    unsigned hash = ip_vs_mh_hashkey_pkt(addr, port, &s->hash1, 0) % IP_VS_MH_TAB_SIZE;
    struct ip_vs_dest *d = s->lookup[hash];
    return (!d || ip_vs_mh_unavailable(d)) ? NULL : d;
}

static struct ip_vs_dest *ip_vs_mh_get_fallback(const struct ip_vs_mh_state *s, be32 addr, be16 port)
{
    unsigned ihash = ip_vs_mh_hashkey_pkt(addr, port, &s->hash1, 0) % IP_VS_MH_TAB_SIZE;
    struct ip_vs_dest *d = s->lookup[ihash];
    if (!d)
        return NULL;
    if (!ip_vs_mh_unavailable(d))
        return d;
    for (unsigned off = 0; off < IP_VS_MH_TAB_SIZE; off++) {
        unsigned roffset = (off + ihash) % IP_VS_MH_TAB_SIZE;
        unsigned hash = ip_vs_mh_hashkey_pkt(addr, port, &s->hash1, roffset) % IP_VS_MH_TAB_SIZE;
        d = s->lookup[hash];
        if (!d)
            break;
        if (!ip_vs_mh_unavailable(d))
            return d;
    }
    return NULL;
}

static struct ip_vs_dest *ip_vs_mh_schedule(struct ip_vs_service *svc, const struct sk_buff *skb,
                                            const struct ip_vs_iphdr *iph)
{
    const struct ip_vs_mh_state *s = svc->sched_data;
    be32 addr = ip_vs_sched_hash_addr(iph);
    be16 port = 0;

    if (svc->flags & IP_VS_SVC_F_SCHED2)
        port = ip_vs_sched_get_port(skb, iph);
    if (svc->flags & IP_VS_SVC_F_SCHED1)
        return ip_vs_mh_get_fallback(s, addr, port);
    return ip_vs_mh_get(s, addr, port);
}

const struct ip_vs_scheduler ip_vs_mh_scheduler = {
    .name = "mh",
    .init_service = ip_vs_mh_init_svc,
    .done_service = ip_vs_mh_done_svc,
    .add_dest = ip_vs_mh_dest_changed,
    .del_dest = ip_vs_mh_dest_changed,
    .upd_dest = ip_vs_mh_dest_changed,
    .schedule = ip_vs_mh_schedule,
};
