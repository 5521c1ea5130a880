/* The defense strategies (net/netfilter/ipvs/ip_vs_ctl.c update_defense_level,
 * defense_work_handler; ip_vs_conn.c ip_vs_random_dropentry; include/net/ip_vs.h
 * ip_vs_todrop). See ip_vs_defense.h. */
#include "model/ipvs/ip_vs_defense.h"

#include <glib.h>
#include "model/ipvs/ip_vs_conn.h"
#include "model/ipvs/ip_vs_proto.h"
#include "model/net.h"
#include "sim/sim.h"

#define CONN_TAB_BITS 12                /* the table drop_entry scans: 4096 buckets */
#define DROPENTRY_BUCKETS ((1 << CONN_TAB_BITS) >> 5)

int64_t ip_vs_defense_availmem(const struct netns_ipvs *ipvs)
{
    const struct ip_vs_defense *d = ipvs->defense;
    if (!d || d->mem_bytes == 0)
        return INT64_MAX / 2;
    int64_t used = (int64_t)ip_vs_conn_count(ipvs) * IP_VS_CONN_MEM;
    int64_t left = (int64_t)d->mem_bytes - used;
    return left > 0 ? left / IP_VS_PAGE_SIZE : 0;
}

/* The mode machine shared by drop_entry and secure_tcp: 1 = automatic and off,
 * 2 = automatic and on, 3 = always on. Returns whether the strategy is on. */
static bool auto_mode(int *mode, bool nomem)
{
    switch (*mode) {
    case 1:
        if (nomem)
            *mode = 2;
        return nomem;
    case 2:
        if (!nomem)
            *mode = 1;
        return nomem;
    case 3:
        return true;
    default:
        return false;
    }
}

static int drop_rate_for(int amemthresh, int64_t availmem)
{
    int64_t gap = amemthresh - availmem;
    return gap > 0 ? (int)(amemthresh / gap) : 0;
}

static void update_drop_packet(struct netns_ipvs *ipvs, bool nomem, int64_t availmem)
{
    struct ip_vs_defense *d = ipvs->defense;
    int *mode = &ipvs->sysctl.drop_packet;
    int amem = ipvs->sysctl.amemthresh;
    switch (*mode) {
    case 1:
    case 2:
        if (nomem) {
            d->drop_rate = d->drop_counter = drop_rate_for(amem, availmem);
            *mode = 2;
        } else {
            d->drop_rate = 0;
            *mode = 1;
        }
        break;
    case 3:
        d->drop_rate = ipvs->sysctl.am_droprate;
        break;
    default:
        d->drop_rate = 0;
    }
}

/* todrop_entry: an entry untouched for 60 s with n <= 8 incoming packets goes at
 * its n-th chance (the rate for n is n, one countdown per n; 0 packets never). The
 * table is the same in every era read (2.6.34 to 6.x). */
static bool todrop_entry(struct ip_vs_defense *d, const struct ip_vs_conn *cp, sim_time_t now)
{
    static const int todrop_rate[9] = { 0, 1, 2, 3, 4, 5, 6, 7, 8 };
    if (now + cp->timeout < cp->expires + 60 * SEC)
        return false;
    if (cp->in_pkts > 8 || !todrop_rate[cp->in_pkts])
        return false;
    if (--d->todrop_counter[cp->in_pkts] > 0)
        return false;
    d->todrop_counter[cp->in_pkts] = todrop_rate[cp->in_pkts];
    return true;
}

static uint32_t conn_bucket(const struct ip_vs_defense *d, const struct ip_vs_conn *cp)
{
    uint64_t h = ((uint64_t)cp->caddr << 32 | (uint64_t)cp->cport << 16 | cp->protocol) ^ d->hash_rnd;
    h *= 0x9e3779b97f4a7c15ull;
    return (uint32_t)(h >> (64 - CONN_TAB_BITS));
}

struct dropentry_ctx {
    struct ip_vs_defense *d;
    uint8_t chosen[1 << CONN_TAB_BITS];
    sim_time_t now;
};

/* ip_vs_conn_ops_mode: the template belongs to a one-packet (ops) service. */
static bool conn_ops_mode(const struct ip_vs_conn *cp)
{
    return cp->dest && cp->dest->svc && (cp->dest->svc->flags & IP_VS_SVC_F_ONEPACKET);
}

/* A TCP or SCTP connection: in its handshake it always goes, established it goes
 * by todrop_entry, in any other state never. */
static bool drop_by_state(struct dropentry_ctx *c, const struct ip_vs_conn *cp, int open1,
                          int open2, int established)
{
    if (cp->state == open1 || cp->state == open2)
        return true;
    return cp->state == established && todrop_entry(c->d, cp, c->now);
}

/* ip_vs_random_dropentry's rule for a template. Before 4.19 only an ops
 * service's template is a candidate (2.6.34 has no ops: none is); from 4.19 an
 * unused template that never saw an established connection goes too. */
static bool template_todrop(struct dropentry_ctx *c, const struct ip_vs_conn *cp)
{
    if (conn_ops_mode(cp))
        return todrop_entry(c->d, cp, c->now);
    return cp->ipvs->net->prof->ipvs_assured_templates && !(cp->state & IP_VS_CTPL_S_ASSURED);
}

/* ip_vs_random_dropentry's rule for one connection of a scanned bucket. SCTP has
 * its own states since 3.11-3.13 (ipvs_dropentry_sctp); before, and for UDP,
 * todrop_entry alone decides. */
static void dropentry_one(struct ip_vs_conn *cp, void *arg)
{
    struct dropentry_ctx *c = arg;
    if (!c->chosen[conn_bucket(c->d, cp)] || cp->n_control > 0 || cp->timeout == 0)
        return;
    const struct kernel_profile *prof = cp->ipvs->net->prof;
    bool drop;
    if (cp->flags & IP_VS_CONN_F_TEMPLATE)
        drop = template_todrop(c, cp);
    else if (cp->protocol == IPPROTO_TCP)
        drop = drop_by_state(c, cp, IP_VS_TCP_S_SYN_RECV, IP_VS_TCP_S_SYNACK,
                             IP_VS_TCP_S_ESTABLISHED);
    else if (cp->protocol == IPPROTO_SCTP && prof->ipvs_dropentry_sctp)
        drop = drop_by_state(c, cp, IP_VS_SCTP_S_INIT1, IP_VS_SCTP_S_INIT,
                             IP_VS_SCTP_S_ESTABLISHED);
    else
        drop = todrop_entry(c->d, cp, c->now);
    if (drop) {
        c->d->entries_dropped++;
        cp->timeout = 0;            /* deleted: a template it leaves unused goes too */
        ip_vs_conn_expire_now(cp);
        if (!prof->ipvs_assured_templates && cp->control)
            ip_vs_conn_expire_now(cp->control);     /* the old rule: its template too */
    }
}

static void ip_vs_random_dropentry(struct netns_ipvs *ipvs)
{
    struct dropentry_ctx *c = g_new0(struct dropentry_ctx, 1);
    c->d = ipvs->defense;
    c->now = ip_vs_now(ipvs);
    for (int i = 0; i < DROPENTRY_BUCKETS; i++)
        c->chosen[rng_below(&c->d->rng, 1u << CONN_TAB_BITS)] = 1;
    ip_vs_conn_for_each(ipvs, dropentry_one, c);
    g_free(c);
}

void ip_vs_update_defense_level(struct netns_ipvs *ipvs)
{
    int64_t availmem = ip_vs_defense_availmem(ipvs);
    int amem = ipvs->sysctl.amemthresh < 0 ? 0 : ipvs->sysctl.amemthresh;
    bool nomem = availmem < amem;
    bool drop_entry = auto_mode(&ipvs->sysctl.drop_entry, nomem);
    update_drop_packet(ipvs, nomem, availmem);
    /* secure_tcp's state tables follow the sysctl's value (> 1 means on). */
    auto_mode(&ipvs->sysctl.secure_tcp, nomem);
    if (drop_entry)
        ip_vs_random_dropentry(ipvs);
}

bool ip_vs_todrop(struct netns_ipvs *ipvs)
{
    struct ip_vs_defense *d = ipvs->defense;
    if (!d || !d->drop_rate)
        return false;
    if (--d->drop_counter > 0)
        return false;
    d->drop_counter = d->drop_rate;
    d->packets_dropped++;
    return true;
}

static void defense_work(struct sim *s, void *obj, uint64_t arg)
{
    struct netns_ipvs *ipvs = obj;
    ip_vs_update_defense_level(ipvs);
    host_timer(ipvs->net->host, s->now + IP_VS_DEFENSE_PERIOD, defense_work, ipvs, 0);
}

void ip_vs_defense_init(struct netns_ipvs *ipvs)
{
    struct ip_vs_defense *d = g_new0(struct ip_vs_defense, 1);
    char name[96];
    g_snprintf(name, sizeof name, "ipvs-defense:%s", ipvs->net->host->name);
    rng_init(&d->rng, host_sim(ipvs->net->host)->seed, name);
    d->hash_rnd = (uint32_t)rng_u64(&d->rng);
    ipvs->defense = d;
    host_timer(ipvs->net->host, host_now(ipvs->net->host) + IP_VS_DEFENSE_PERIOD, defense_work, ipvs, 0);
}

void ip_vs_defense_exit(struct netns_ipvs *ipvs)
{
    g_free(ipvs->defense);
    ipvs->defense = NULL;
}

void ip_vs_defense_set_memory(struct netns_ipvs *ipvs, uint64_t bytes)
{
    ipvs->defense->mem_bytes = bytes;
}
