/* lblcr: locality-based least connection with replication. Like lblc, keyed on the
 * packet's destination address, but the cache maps an address to a *set* of dests:
 *  - the set's weighted-least-connection member serves (first candidate must have
 *    weight > 0 and be AVAILABLE; later ones must be AVAILABLE; OVERLOADed members
 *    skipped);
 *  - when that member is missing or "overloaded" (lblc's sense), the wlc pick over the
 *    whole service serves and joins the set (at its head);
 *  - a set of more than one member that has not changed for lblcr_expiration (sysctl,
 *    default 24 h) loses its weighted-most-connection member (weight > 0 ones only).
 * Members hold a reference on their dest. The cache table, its hashing and its
 * garbage collection are lblc's (1024 buckets, 60 s timer, full scan every 30th run,
 * 6-minute idle timeout when over 16384 entries); see ip_vs_lblc.c. */
#include <glib.h>
#include "model/ipvs/sched/sched_util.h"
#include "model/net.h"
#include "sim/sim.h"

#define IP_VS_LBLCR_TAB_BITS 10
#define IP_VS_LBLCR_TAB_SIZE (1 << IP_VS_LBLCR_TAB_BITS)
#define IP_VS_LBLCR_TAB_MASK (IP_VS_LBLCR_TAB_SIZE - 1)

#define CHECK_EXPIRE_INTERVAL (60 * SEC)
#define ENTRY_TIMEOUT (6 * 60 * SEC)
#define DEFAULT_EXPIRATION (24 * 60 * 60)       /* seconds */
#define COUNT_FOR_FULL_EXPIRATION 30

struct ip_vs_dest_set_elem {
    struct ip_vs_dest_set_elem *next;
    struct ip_vs_dest *dest;         /* held */
};

struct ip_vs_dest_set {
    int size;
    sim_time_t lastmod;
    struct ip_vs_dest_set_elem *list;   /* newest member first */
};

struct ip_vs_lblcr_entry {
    struct ip_vs_lblcr_entry *next;  /* in its bucket, newest first */
    be32 addr;
    struct ip_vs_dest_set set;
    sim_time_t lastuse;
};

struct ip_vs_lblcr_table {
    struct ip_vs_lblcr_entry *bucket[IP_VS_LBLCR_TAB_SIZE];
    struct ip_vs_lblcr_entry *spare_entries;
    struct ip_vs_dest_set_elem *spare_elems;
    int entries;
    int max_size;
    int rover;
    int counter;
    bool dead;
    struct ip_vs_service *svc;
    struct host *host;
    sim_event_id timer;
};

static inline unsigned ip_vs_lblcr_hashkey(be32 addr)
{
    return hash_32(ip_vs_addr_fold(addr), IP_VS_LBLCR_TAB_BITS);
}

static sim_time_t sysctl_lblcr_expiration(const struct ip_vs_service *svc)
{
    int secs = svc->ipvs ? svc->ipvs->sysctl.lblcr_expiration : DEFAULT_EXPIRATION;
    return ip_vs_sched_secs(secs);
}

/* ---- dest sets ------------------------------------------------------------------- */

static void ip_vs_dest_set_insert(struct ip_vs_lblcr_table *tbl, struct ip_vs_dest_set *set,
                                  struct ip_vs_dest *dest, bool check, sim_time_t now)
{
    if (check)
        for (struct ip_vs_dest_set_elem *e = set->list; e; e = e->next)
            if (e->dest == dest)
                return;
    struct ip_vs_dest_set_elem *e = tbl->spare_elems;
    if (e)
        tbl->spare_elems = e->next;
    else
        e = g_new0(struct ip_vs_dest_set_elem, 1);
    ip_vs_sched_dest_hold(dest);
    e->dest = dest;
    e->next = set->list;
    set->list = e;
    set->size++;
    set->lastmod = now;
}

static void ip_vs_dest_set_elem_free(struct ip_vs_lblcr_table *tbl, struct ip_vs_dest_set_elem *e)
{
    ip_vs_sched_dest_put(e->dest);
    e->dest = NULL;
    e->next = tbl->spare_elems;
    tbl->spare_elems = e;
}

static void ip_vs_dest_set_erase(struct ip_vs_lblcr_table *tbl, struct ip_vs_dest_set *set,
                                 struct ip_vs_dest *dest, sim_time_t now)
{
    for (struct ip_vs_dest_set_elem **link = &set->list; *link; link = &(*link)->next) {
        if ((*link)->dest == dest) {
            struct ip_vs_dest_set_elem *e = *link;
            set->size--;
            set->lastmod = now;
            *link = e->next;
            ip_vs_dest_set_elem_free(tbl, e);
            return;
        }
    }
}

static void ip_vs_dest_set_eraseall(struct ip_vs_lblcr_table *tbl, struct ip_vs_dest_set *set)
{
    while (set->list) {
        struct ip_vs_dest_set_elem *e = set->list;
        set->list = e->next;
        ip_vs_dest_set_elem_free(tbl, e);
    }
}

/* The weighted-least-connection member. */
static struct ip_vs_dest *ip_vs_dest_set_min(const struct ip_vs_dest_set *set)
{
    const struct ip_vs_dest_set_elem *e;
    struct ip_vs_dest *least = NULL;
    int64_t loh = 0;

    for (e = set->list; e; e = e->next) {
        struct ip_vs_dest *d = e->dest;
        if (ip_vs_dest_overloaded(d))
            continue;
        if (d->weight > 0 && (d->flags & IP_VS_DEST_F_AVAILABLE)) {
            least = d;
            loh = ip_vs_dest_conn_overhead(d);
            break;
        }
    }
    if (!least)
        return NULL;
    for (e = e->next; e; e = e->next) {
        struct ip_vs_dest *d = e->dest;
        if (ip_vs_dest_overloaded(d))
            continue;
        int64_t doh = ip_vs_dest_conn_overhead(d);
        if (loh * d->weight > doh * least->weight && (d->flags & IP_VS_DEST_F_AVAILABLE)) {
            least = d;
            loh = doh;
        }
    }
    return least;
}

/* The weighted-most-connection member (weight > 0 only). */
static struct ip_vs_dest *ip_vs_dest_set_max(const struct ip_vs_dest_set *set)
{
    const struct ip_vs_dest_set_elem *e;
    struct ip_vs_dest *most = NULL;
    int64_t moh = 0;

    for (e = set->list; e; e = e->next) {
        if (e->dest->weight > 0) {
            most = e->dest;
            moh = ip_vs_dest_conn_overhead(most);
            break;
        }
    }
    if (!most)
        return NULL;
    for (e = e->next; e; e = e->next) {
        struct ip_vs_dest *d = e->dest;
        int64_t doh = ip_vs_dest_conn_overhead(d);
        if (moh * d->weight < doh * most->weight && d->weight > 0) {
            most = d;
            moh = doh;
        }
    }
    return most;
}

/* ---- the cache table ---------------------------------------------------------------- */

static void ip_vs_lblcr_free(struct ip_vs_lblcr_table *tbl, struct ip_vs_lblcr_entry **link)
{
    struct ip_vs_lblcr_entry *en = *link;
    *link = en->next;
    ip_vs_dest_set_eraseall(tbl, &en->set);
    en->next = tbl->spare_entries;
    tbl->spare_entries = en;
}

static struct ip_vs_lblcr_entry *ip_vs_lblcr_get(struct ip_vs_lblcr_table *tbl, be32 addr)
{
    for (struct ip_vs_lblcr_entry *en = tbl->bucket[ip_vs_lblcr_hashkey(addr)]; en; en = en->next)
        if (en->addr == addr)
            return en;
    return NULL;
}

static void ip_vs_lblcr_new(struct ip_vs_lblcr_table *tbl, be32 addr, struct ip_vs_dest *dest,
                            sim_time_t now)
{
    struct ip_vs_lblcr_entry *en = ip_vs_lblcr_get(tbl, addr);
    if (en) {
        ip_vs_dest_set_insert(tbl, &en->set, dest, true, now);
        return;
    }
    en = tbl->spare_entries;
    if (en)
        tbl->spare_entries = en->next;
    else
        en = g_new0(struct ip_vs_lblcr_entry, 1);
    en->addr = addr;
    en->lastuse = now;
    en->set.size = 0;
    en->set.list = NULL;
    ip_vs_dest_set_insert(tbl, &en->set, dest, false, now);
    unsigned h = ip_vs_lblcr_hashkey(addr);
    en->next = tbl->bucket[h];
    tbl->bucket[h] = en;
    tbl->entries++;
}

static void ip_vs_lblcr_flush(struct ip_vs_lblcr_table *tbl)
{
    tbl->dead = true;
    for (int i = 0; i < IP_VS_LBLCR_TAB_SIZE; i++)
        while (tbl->bucket[i])
            ip_vs_lblcr_free(tbl, &tbl->bucket[i]);
}

static int ip_vs_lblcr_expire_bucket(struct ip_vs_lblcr_table *tbl, int j, sim_time_t now,
                                     sim_time_t idle)
{
    int n = 0;
    struct ip_vs_lblcr_entry **link = &tbl->bucket[j];
    while (*link) {
        if (now < (*link)->lastuse + idle) {
            link = &(*link)->next;
            continue;
        }
        ip_vs_lblcr_free(tbl, link);
        tbl->entries--;
        n++;
    }
    return n;
}

static void ip_vs_lblcr_full_check(struct ip_vs_lblcr_table *tbl, sim_time_t now)
{
    sim_time_t exp = sysctl_lblcr_expiration(tbl->svc);
    int j = tbl->rover;
    for (int i = 0; i < IP_VS_LBLCR_TAB_SIZE; i++) {
        j = (j + 1) & IP_VS_LBLCR_TAB_MASK;
        ip_vs_lblcr_expire_bucket(tbl, j, now, exp);
    }
    tbl->rover = j;
}

static void ip_vs_lblcr_check_expire(struct sim *sim, void *obj, uint64_t arg)
{
    struct ip_vs_lblcr_table *tbl = obj;
    sim_time_t now = ip_vs_sched_now(tbl->svc);

    tbl->timer = 0;
    if (tbl->counter % COUNT_FOR_FULL_EXPIRATION == 0) {
        ip_vs_lblcr_full_check(tbl, now);
        tbl->counter = 1;
    } else if (tbl->entries <= tbl->max_size) {
        tbl->counter++;
    } else {
        int goal = (tbl->entries - tbl->max_size) * 4 / 3;
        if (goal > tbl->max_size / 2)
            goal = tbl->max_size / 2;
        int j = tbl->rover;
        for (int i = 0; i < IP_VS_LBLCR_TAB_SIZE; i++) {
            j = (j + 1) & IP_VS_LBLCR_TAB_MASK;
            goal -= ip_vs_lblcr_expire_bucket(tbl, j, now, ENTRY_TIMEOUT);
            if (goal <= 0)
                break;
        }
        tbl->rover = j;
    }
    tbl->timer = host_timer(tbl->host, now + CHECK_EXPIRE_INTERVAL, ip_vs_lblcr_check_expire, tbl, 0);
}

static int ip_vs_lblcr_init_svc(struct ip_vs_service *svc)
{
    struct ip_vs_lblcr_table *tbl = g_new0(struct ip_vs_lblcr_table, 1);
    tbl->max_size = IP_VS_LBLCR_TAB_SIZE * 16;
    tbl->rover = 0;
    tbl->counter = 1;
    tbl->svc = svc;
    tbl->host = (svc->ipvs && svc->ipvs->net) ? svc->ipvs->net->host : NULL;
    svc->sched_data = tbl;
    if (tbl->host)
        tbl->timer = host_timer(tbl->host, ip_vs_sched_now(svc) + CHECK_EXPIRE_INTERVAL,
                                ip_vs_lblcr_check_expire, tbl, 0);
    return 0;
}

static void ip_vs_lblcr_done_svc(struct ip_vs_service *svc)
{
    struct ip_vs_lblcr_table *tbl = svc->sched_data;
    if (tbl->timer)
        sim_cancel(host_sim(tbl->host), tbl->timer);
    ip_vs_lblcr_flush(tbl);
    while (tbl->spare_entries) {
        struct ip_vs_lblcr_entry *en = tbl->spare_entries;
        tbl->spare_entries = en->next;
        g_free(en);
    }
    while (tbl->spare_elems) {
        struct ip_vs_dest_set_elem *e = tbl->spare_elems;
        tbl->spare_elems = e->next;
        g_free(e);
    }
    g_free(tbl);
    svc->sched_data = NULL;
}

static struct ip_vs_dest *ip_vs_lblcr_schedule(struct ip_vs_service *svc, const struct sk_buff *skb,
                                               const struct ip_vs_iphdr *iph)
{
    struct ip_vs_lblcr_table *tbl = svc->sched_data;
    sim_time_t now = ip_vs_sched_now(svc);
    struct ip_vs_lblcr_entry *en = ip_vs_lblcr_get(tbl, iph->daddr);
    struct ip_vs_dest *dest;

    if (en) {
        en->lastuse = now;
        dest = ip_vs_dest_set_min(&en->set);
        /* A set unchanged for lblcr_expiration sheds its busiest member (even if
         * that is the one just chosen, which still serves this connection). */
        if (en->set.size > 1 && now > en->set.lastmod + sysctl_lblcr_expiration(svc)) {
            struct ip_vs_dest *m = ip_vs_dest_set_max(&en->set);
            if (m)
                ip_vs_dest_set_erase(tbl, &en->set, m, now);
        }
        if (dest && !ip_vs_sched_lblc_overloaded(dest, svc))
            return dest;
        dest = ip_vs_sched_wlc_pick(svc);
        if (!dest)
            return NULL;
        if (!tbl->dead)
            ip_vs_dest_set_insert(tbl, &en->set, dest, true, now);
        return dest;
    }
    dest = ip_vs_sched_wlc_pick(svc);
    if (!dest)
        return NULL;
    if (!tbl->dead)
        ip_vs_lblcr_new(tbl, iph->daddr, dest, now);
    return dest;
}

const struct ip_vs_scheduler ip_vs_lblcr_scheduler = {
    .name = "lblcr",
    .init_service = ip_vs_lblcr_init_svc,
    .done_service = ip_vs_lblcr_done_svc,
    .schedule = ip_vs_lblcr_schedule,
};
