/* lblc: locality-based least connection, keyed on the packet's destination address
 * (meant for cache clusters in front of many origin addresses). A per-service cache
 * maps an address to the dest that served it last. A cached dest is used again while
 * it is still in the service (AVAILABLE), has weight > 0 and is not "overloaded" in
 * lblc's sense (more active conns than its weight while some dest has
 * active * 2 < weight; its OVERLOAD flag is not checked). Otherwise the wlc pick
 * decides and replaces the cache entry.
 *
 * The cache is the kernel's: 1024 buckets (CONFIG_IP_VS_LBLC_TAB_BITS 10) indexed by
 * hash_32 of the address, new entries at the bucket head; the buckets are an array
 * of lists, so the garbage collector's scan order is the kernel's and never depends
 * on a hash table's iteration order. Entries hold a reference on their dest, which
 * keeps a deleted dest in the trash while it is cached (a re-added dest is found
 * again, as in the kernel).
 *
 * Garbage collection, every 60 s from binding: every 30th run a full scan drops the
 * entries idle for lblc_expiration (sysctl, default 24 h); the other runs act only
 * when the table holds more than 16384 entries, dropping entries idle for over
 * 6 minutes, bucket by bucket from a rover, until (entries - 16384) * 4/3 (at most
 * 8192) are gone. Time is simulated nanoseconds rather than jiffies.
 *
 * Kernel quirk kept: replacing an entry (the cached dest became unusable) unlinks
 * the old one without decrementing the entry count, so the count drifts upward and
 * the size-triggered collection can start earlier than the real number of entries
 * would warrant. */
#include <glib.h>
#include "model/ipvs/sched/sched_util.h"
#include "model/net.h"
#include "sim/sim.h"

#define IP_VS_LBLC_TAB_BITS 10
#define IP_VS_LBLC_TAB_SIZE (1 << IP_VS_LBLC_TAB_BITS)
#define IP_VS_LBLC_TAB_MASK (IP_VS_LBLC_TAB_SIZE - 1)

#define CHECK_EXPIRE_INTERVAL (60 * SEC)
#define ENTRY_TIMEOUT (6 * 60 * SEC)
#define DEFAULT_EXPIRATION (24 * 60 * 60)       /* seconds */
#define COUNT_FOR_FULL_EXPIRATION 30

struct ip_vs_lblc_entry {
    struct ip_vs_lblc_entry *next;   /* in its bucket, newest first */
    be32 addr;                       /* packet destination address */
    struct ip_vs_dest *dest;         /* held */
    sim_time_t lastuse;
};

struct ip_vs_lblc_table {
    struct ip_vs_lblc_entry *bucket[IP_VS_LBLC_TAB_SIZE];
    struct ip_vs_lblc_entry *spare;  /* freed entries, reused before allocating */
    int entries;                     /* as the kernel counts them (see the quirk) */
    int max_size;
    int rover;                       /* last bucket the collector scanned */
    int counter;                     /* collector runs since the last full scan */
    bool dead;
    struct ip_vs_service *svc;
    struct host *host;               /* for the collection timer; NULL: no timer */
    sim_event_id timer;
};

static inline unsigned ip_vs_lblc_hashkey(be32 addr)
{
    return hash_32(ip_vs_addr_fold(addr), IP_VS_LBLC_TAB_BITS);
}

static sim_time_t sysctl_lblc_expiration(const struct ip_vs_service *svc)
{
    int secs = svc->ipvs ? svc->ipvs->sysctl.lblc_expiration : DEFAULT_EXPIRATION;
    return ip_vs_sched_secs(secs);
}

/* Unlink *link's entry, drop its dest reference and keep it for reuse. */
static void ip_vs_lblc_del(struct ip_vs_lblc_table *tbl, struct ip_vs_lblc_entry **link)
{
    struct ip_vs_lblc_entry *en = *link;
    *link = en->next;
    ip_vs_sched_dest_put(en->dest);
    en->dest = NULL;
    en->next = tbl->spare;
    tbl->spare = en;
}

static struct ip_vs_lblc_entry **ip_vs_lblc_find(struct ip_vs_lblc_table *tbl, be32 addr)
{
    struct ip_vs_lblc_entry **link = &tbl->bucket[ip_vs_lblc_hashkey(addr)];
    for (; *link; link = &(*link)->next)
        if ((*link)->addr == addr)
            return link;
    return NULL;
}

/* Create or update the entry for addr so that it points at dest. */
static void ip_vs_lblc_new(struct ip_vs_lblc_table *tbl, be32 addr, struct ip_vs_dest *dest,
                           sim_time_t now)
{
    struct ip_vs_lblc_entry **link = ip_vs_lblc_find(tbl, addr);
    if (link) {
        if ((*link)->dest == dest)
            return;
        ip_vs_lblc_del(tbl, link);   /* the kernel does not decrement entries here */
    }
    struct ip_vs_lblc_entry *en = tbl->spare;
    if (en)
        tbl->spare = en->next;
    else
        en = g_new0(struct ip_vs_lblc_entry, 1);
    en->addr = addr;
    en->lastuse = now;
    ip_vs_sched_dest_hold(dest);
    en->dest = dest;
    unsigned h = ip_vs_lblc_hashkey(addr);
    en->next = tbl->bucket[h];
    tbl->bucket[h] = en;
    tbl->entries++;
}

static void ip_vs_lblc_flush(struct ip_vs_lblc_table *tbl)
{
    tbl->dead = true;
    for (int i = 0; i < IP_VS_LBLC_TAB_SIZE; i++) {
        while (tbl->bucket[i]) {
            ip_vs_lblc_del(tbl, &tbl->bucket[i]);
            tbl->entries--;
        }
    }
}

/* Drop, in bucket j, the entries idle for at least `idle`; returns how many. */
static int ip_vs_lblc_expire_bucket(struct ip_vs_lblc_table *tbl, int j, sim_time_t now,
                                    sim_time_t idle)
{
    int n = 0;
    struct ip_vs_lblc_entry **link = &tbl->bucket[j];
    while (*link) {
        if (now < (*link)->lastuse + idle) {
            link = &(*link)->next;
            continue;
        }
        ip_vs_lblc_del(tbl, link);
        tbl->entries--;
        n++;
    }
    return n;
}

static void ip_vs_lblc_full_check(struct ip_vs_lblc_table *tbl, sim_time_t now)
{
    sim_time_t exp = sysctl_lblc_expiration(tbl->svc);
    int j = tbl->rover;
    for (int i = 0; i < IP_VS_LBLC_TAB_SIZE; i++) {
        j = (j + 1) & IP_VS_LBLC_TAB_MASK;
        ip_vs_lblc_expire_bucket(tbl, j, now, exp);
    }
    tbl->rover = j;
}

static void ip_vs_lblc_check_expire(struct sim *sim, void *obj, uint64_t arg)
{
    struct ip_vs_lblc_table *tbl = obj;
    sim_time_t now = ip_vs_sched_now(tbl->svc);

    tbl->timer = 0;
    if (tbl->counter % COUNT_FOR_FULL_EXPIRATION == 0) {
        ip_vs_lblc_full_check(tbl, now);
        tbl->counter = 1;
    } else if (tbl->entries <= tbl->max_size) {
        tbl->counter++;
    } else {
        int goal = (tbl->entries - tbl->max_size) * 4 / 3;
        if (goal > tbl->max_size / 2)
            goal = tbl->max_size / 2;
        int j = tbl->rover;
        for (int i = 0; i < IP_VS_LBLC_TAB_SIZE; i++) {
            j = (j + 1) & IP_VS_LBLC_TAB_MASK;
            goal -= ip_vs_lblc_expire_bucket(tbl, j, now, ENTRY_TIMEOUT);
            if (goal <= 0)
                break;
        }
        tbl->rover = j;
    }
    tbl->timer = host_timer(tbl->host, now + CHECK_EXPIRE_INTERVAL, ip_vs_lblc_check_expire, tbl, 0);
}

static int ip_vs_lblc_init_svc(struct ip_vs_service *svc)
{
    struct ip_vs_lblc_table *tbl = g_new0(struct ip_vs_lblc_table, 1);
    tbl->max_size = IP_VS_LBLC_TAB_SIZE * 16;
    tbl->rover = 0;
    tbl->counter = 1;
    tbl->svc = svc;
    tbl->host = (svc->ipvs && svc->ipvs->net) ? svc->ipvs->net->host : NULL;
    svc->sched_data = tbl;
    if (tbl->host)
        tbl->timer = host_timer(tbl->host, ip_vs_sched_now(svc) + CHECK_EXPIRE_INTERVAL,
                                ip_vs_lblc_check_expire, tbl, 0);
    return 0;
}

static void ip_vs_lblc_done_svc(struct ip_vs_service *svc)
{
    struct ip_vs_lblc_table *tbl = svc->sched_data;
    if (tbl->timer)
        sim_cancel(host_sim(tbl->host), tbl->timer);
    ip_vs_lblc_flush(tbl);
    while (tbl->spare) {
        struct ip_vs_lblc_entry *en = tbl->spare;
        tbl->spare = en->next;
        g_free(en);
    }
    g_free(tbl);
    svc->sched_data = NULL;
}

static struct ip_vs_dest *ip_vs_lblc_schedule(struct ip_vs_service *svc, const struct sk_buff *skb,
                                              const struct ip_vs_iphdr *iph)
{
    struct ip_vs_lblc_table *tbl = svc->sched_data;
    sim_time_t now = ip_vs_sched_now(svc);
    struct ip_vs_lblc_entry **link = ip_vs_lblc_find(tbl, iph->daddr);

    if (link) {
        struct ip_vs_lblc_entry *en = *link;
        en->lastuse = now;
        struct ip_vs_dest *d = en->dest;
        if ((d->flags & IP_VS_DEST_F_AVAILABLE) && d->weight > 0 &&
            !ip_vs_sched_lblc_overloaded(d, svc))
            return d;
    }
    /* No entry, or its dest is unusable: pick by weighted least connection. */
    struct ip_vs_dest *dest = ip_vs_sched_wlc_pick(svc);
    if (!dest)
        return NULL;
    if (!tbl->dead)
        ip_vs_lblc_new(tbl, iph->daddr, dest, now);
    return dest;
}

const struct ip_vs_scheduler ip_vs_lblc_scheduler = {
    .name = "lblc",
    .init_service = ip_vs_lblc_init_svc,
    .done_service = ip_vs_lblc_done_svc,
    .schedule = ip_vs_lblc_schedule,
};
