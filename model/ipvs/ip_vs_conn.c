/* The IPVS connection table. */
#include "model/ipvs/ip_vs_conn.h"

#include <glib.h>
#include <string.h>
#include "model/ipvs/ip_vs_core.h"
#include "model/ipvs/ip_vs_ctl.h"
#include "model/ipvs/ip_vs_sync.h"
#include "model/net.h"
#include "sim/sim.h"

#define CONN_CHUNK 1024                 /* connections allocated at a time */

struct ip_vs_conn_tab {
    GHashTable *in, *out, *tmpl;        /* indexes only: never iterated */
    struct list_head all;               /* creation order */
    struct ip_vs_conn *free;            /* recycled, linked through control */
    GPtrArray *chunks;
    uint64_t count, next_id;
    uint64_t limit;                     /* 0 = unlimited */
    uint64_t refused;                   /* new connections refused at the limit */
};

static guint key_hash(gconstpointer p)
{
    const struct ip_vs_conn_key *k = p;
    uint64_t h = ((uint64_t)k->caddr << 32 | k->xaddr) * 0x9e3779b97f4a7c15ull;
    h ^= ((uint64_t)k->cport << 32 | (uint64_t)k->xport << 16 | k->protocol) * 0xc2b2ae3d27d4eb4full;
    return (guint)(h ^ (h >> 32));
}

static gboolean key_equal(gconstpointer a, gconstpointer b)
{
    const struct ip_vs_conn_key *x = a, *y = b;
    return x->caddr == y->caddr && x->xaddr == y->xaddr && x->cport == y->cport &&
           x->xport == y->xport && x->protocol == y->protocol;
}

static struct ip_vs_conn_key make_key(uint16_t protocol, be32 caddr, be16 cport, be32 xaddr,
                                      be16 xport)
{
    struct ip_vs_conn_key k;
    memset(&k, 0, sizeof k);        /* no padding garbage */
    k.protocol = protocol;
    k.caddr = caddr;
    k.cport = cport;
    k.xaddr = xaddr;
    k.xport = xport;
    return k;
}

void ip_vs_conn_tab_init(struct netns_ipvs *ipvs)
{
    struct ip_vs_conn_tab *t = g_new0(struct ip_vs_conn_tab, 1);
    t->in = g_hash_table_new(key_hash, key_equal);
    t->out = g_hash_table_new(key_hash, key_equal);
    t->tmpl = g_hash_table_new(key_hash, key_equal);
    INIT_LIST_HEAD(&t->all);
    t->chunks = g_ptr_array_new_with_free_func(g_free);
    t->next_id = 1;
    ipvs->conn_tab = t;
}

void ip_vs_conn_tab_exit(struct netns_ipvs *ipvs)
{
    struct ip_vs_conn_tab *t = ipvs->conn_tab;
    if (!t)
        return;
    g_hash_table_destroy(t->in);
    g_hash_table_destroy(t->out);
    g_hash_table_destroy(t->tmpl);
    g_ptr_array_free(t->chunks, TRUE);
    g_free(t);
    ipvs->conn_tab = NULL;
}

static struct ip_vs_conn *conn_alloc(struct ip_vs_conn_tab *t)
{
    if (!t->free) {
        struct ip_vs_conn *chunk = g_new(struct ip_vs_conn, CONN_CHUNK);
        g_ptr_array_add(t->chunks, chunk);
        for (int i = CONN_CHUNK - 1; i >= 0; i--) {
            chunk[i].control = t->free;
            t->free = &chunk[i];
        }
    }
    struct ip_vs_conn *cp = t->free;
    t->free = cp->control;
    memset(cp, 0, sizeof *cp);
    return cp;
}

/* ---- lookups ------------------------------------------------------------------- */

struct ip_vs_conn *ip_vs_conn_in_get(struct netns_ipvs *ipvs, uint16_t protocol, be32 caddr,
                                     be16 cport, be32 vaddr, be16 vport)
{
    struct ip_vs_conn_key k = make_key(protocol, caddr, cport, vaddr, vport);
    return g_hash_table_lookup(ipvs->conn_tab->in, &k);
}

struct ip_vs_conn *ip_vs_conn_out_get(struct netns_ipvs *ipvs, uint16_t protocol, be32 saddr,
                                      be16 sport, be32 daddr, be16 dport)
{
    struct ip_vs_conn_key k = make_key(protocol, daddr, dport, saddr, sport);
    return g_hash_table_lookup(ipvs->conn_tab->out, &k);
}

struct ip_vs_conn *ip_vs_ct_in_get(struct netns_ipvs *ipvs, const struct ip_vs_conn_param *p)
{
    struct ip_vs_conn_key k = make_key(p->protocol, p->caddr, p->cport, p->vaddr, p->vport);
    return g_hash_table_lookup(ipvs->conn_tab->tmpl, &k);
}

/* ---- hashing ------------------------------------------------------------------- */

/* Replies of NAT connections come from the real server; of the others (whose
 * replies never pass us, or keep the VIP as source) from the VIP. FULLNAT replies
 * come from the real server to the local address and port. */
static void conn_set_keys(struct ip_vs_conn *cp)
{
    unsigned fwd = cp->flags & IP_VS_CONN_F_FWD_MASK;
    bool masq = fwd == IP_VS_CONN_F_MASQ;
    cp->in_key = make_key(cp->protocol, cp->caddr, cp->cport, cp->vaddr, cp->vport);
    if (fwd == IP_VS_CONN_F_FULLNAT && !(cp->flags & IP_VS_CONN_F_TEMPLATE))
        cp->out_key = make_key(cp->protocol, cp->laddr, cp->lport, cp->daddr, cp->dport);
    else
        cp->out_key = make_key(cp->protocol, cp->caddr, cp->cport,
                               masq ? cp->daddr : cp->vaddr, masq ? cp->dport : cp->vport);
}

static void conn_hash(struct ip_vs_conn *cp)
{
    struct ip_vs_conn_tab *t = cp->ipvs->conn_tab;
    if (cp->flags & IP_VS_CONN_F_ONE_PACKET)
        return;
    conn_set_keys(cp);
    if (cp->flags & IP_VS_CONN_F_TEMPLATE) {
        g_hash_table_replace(t->tmpl, &cp->in_key, cp);
    } else {
        g_hash_table_replace(t->in, &cp->in_key, cp);
        g_hash_table_replace(t->out, &cp->out_key, cp);
    }
    cp->hashed = true;
    cp->flags |= IP_VS_CONN_F_HASHED;
}

/* Remove only what still points at cp: a newer conn with the same key may have
 * replaced it in an index. */
static void remove_if_mine(GHashTable *h, struct ip_vs_conn_key *k, struct ip_vs_conn *cp)
{
    if (g_hash_table_lookup(h, k) == cp)
        g_hash_table_remove(h, k);
}

static void conn_unhash(struct ip_vs_conn *cp)
{
    struct ip_vs_conn_tab *t = cp->ipvs->conn_tab;
    if (!cp->hashed)
        return;
    if (cp->flags & IP_VS_CONN_F_TEMPLATE) {
        remove_if_mine(t->tmpl, &cp->in_key, cp);
    } else {
        remove_if_mine(t->in, &cp->in_key, cp);
        remove_if_mine(t->out, &cp->out_key, cp);
    }
    cp->hashed = false;
    cp->flags &= ~IP_VS_CONN_F_HASHED;
}

/* ---- timers ---------------------------------------------------------------------- */

static void ip_vs_conn_expire(struct sim *s, void *obj, uint64_t arg);

static void conn_arm(struct ip_vs_conn *cp, sim_time_t at)
{
    struct host *h = cp->ipvs->net->host;
    cp->timer = host_timer(h, at, ip_vs_conn_expire, cp, 0);
    cp->expires = at;
}

static void conn_free(struct ip_vs_conn *cp)
{
    struct ip_vs_conn_tab *t = cp->ipvs->conn_tab;
    conn_unhash(cp);
    if (cp->control) {
        cp->control->n_control--;
        cp->control = NULL;
    }
    if (cp->dest) {
        ip_vs_dest_unbind_conn(cp->dest, cp->flags);
        cp->dest = NULL;
    }
    list_del(&cp->c_list);
    t->count--;
    cp->control = t->free;
    t->free = cp;
}

/* The one timer of a connection. A packet only moves cp->expires later; when the
 * timer finds the deadline moved it sleeps again until then. */
static void ip_vs_conn_expire(struct sim *s, void *obj, uint64_t arg)
{
    struct ip_vs_conn *cp = obj;
    cp->timer = 0;
    sim_time_t deadline = cp->expires;
    if (s->now < deadline) {
        conn_arm(cp, deadline);
        return;
    }
    /* A template (or control connection) outlives what it controls. */
    if (cp->n_control > 0) {
        /* expire_later: from now on every put re-arms it for 60 s, not its own
         * timeout (a template's persistence timeout is over). */
        cp->timeout = IP_VS_CONN_EXPIRE_RETRY;
        conn_arm(cp, s->now + IP_VS_CONN_EXPIRE_RETRY);
        if (cp->ipvs->sync_state & IP_VS_STATE_MASTER)      /* the backup keeps it too */
            ip_vs_sync_conn(cp->ipvs, cp, cp->ipvs->sysctl.sync_threshold[0]);
        return;
    }
    conn_free(cp);
}

/* ---- creation ---------------------------------------------------------------------- */

struct ip_vs_conn *ip_vs_conn_new(struct netns_ipvs *ipvs, const struct ip_vs_conn_param *p,
                                  be32 daddr, be16 dport, unsigned flags,
                                  struct ip_vs_dest *dest, uint32_t fwmark)
{
    struct ip_vs_conn_tab *t = ipvs->conn_tab;
    if (t->limit && t->count >= t->limit) {
        t->refused++;               /* as a failed allocation in the kernel */
        return NULL;
    }
    struct ip_vs_conn *cp = conn_alloc(t);
    cp->ipvs = ipvs;
    cp->id = t->next_id++;
    cp->protocol = p->protocol;
    cp->caddr = p->caddr;
    cp->cport = p->cport;
    cp->vaddr = p->vaddr;
    cp->vport = p->vport;
    cp->daddr = daddr;
    cp->dport = dport;
    cp->laddr = p->laddr;
    cp->lport = p->lport;
    cp->fwmark = fwmark;
    cp->flags = flags;
    cp->state = 0;
    cp->timeout = IP_VS_CONN_INITIAL_TIMEOUT;
    list_add_tail(&cp->c_list, &t->all);
    t->count++;
    if (dest) {
        /* ip_vs_bind_dest: the dest's flags (method, INACTIVE, NOOUTPUT) join ours. */
        unsigned df = dest->conn_flags;
        if (p->protocol != IPPROTO_UDP)
            df &= ~IP_VS_CONN_F_ONE_PACKET;
        if (cp->flags & IP_VS_CONN_F_SYNC) {
            /* Made by the sync daemon: a connection keeps the activity it was sent
             * with; the forwarding method is the dest's. */
            if (!(cp->flags & IP_VS_CONN_F_TEMPLATE))
                df &= ~IP_VS_CONN_F_INACTIVE;
            cp->flags &= ~(IP_VS_CONN_F_FWD_MASK | IP_VS_CONN_F_NOOUTPUT);
        }
        cp->flags |= df;
        cp->dest = dest;
        ip_vs_dest_bind_conn(dest, cp->flags);
    }
    /* ip_vs_bind_xmit: the transmitter follows the forwarding method. */
    if (!(cp->flags & IP_VS_CONN_F_TEMPLATE))
        cp->packet_xmit = ip_vs_xmit_for(cp->flags);
    conn_hash(cp);
    conn_arm(cp, ip_vs_now(ipvs) + cp->timeout);
    return cp;
}

void ip_vs_conn_put(struct ip_vs_conn *cp)
{
    sim_time_t now = ip_vs_now(cp->ipvs);
    if ((cp->flags & IP_VS_CONN_F_ONE_PACKET) && !cp->hashed) {
        /* A one-packet connection dies with its packet. */
        if (cp->timer)
            sim_cancel(host_sim(cp->ipvs->net->host), cp->timer);
        conn_free(cp);
        return;
    }
    sim_time_t deadline = now + cp->timeout;
    /* The pending timer may fire later than the new, shorter deadline: move it. */
    if (cp->timer && deadline < cp->expires) {
        sim_cancel(host_sim(cp->ipvs->net->host), cp->timer);
        conn_arm(cp, deadline);
    }
    cp->expires = deadline;
}

void ip_vs_conn_expire_now(struct ip_vs_conn *cp)
{
    cp->timeout = 0;
    if (cp->timer)
        sim_cancel(host_sim(cp->ipvs->net->host), cp->timer);
    conn_arm(cp, ip_vs_now(cp->ipvs));
}

void ip_vs_control_add(struct ip_vs_conn *cp, struct ip_vs_conn *ctl)
{
    cp->control = ctl;
    ctl->n_control++;
}

void ip_vs_conn_invalidate_template(struct ip_vs_conn *ct)
{
    /* The kernel rehashes it with ports 0xffff and client port 0 so that no lookup
     * matches; taking it out of the index has the same effect. */
    conn_unhash(ct);
    ct->vport = htons(0xffff);
    ct->dport = htons(0xffff);
    ct->cport = 0;
}

void ip_vs_conn_set_state(struct ip_vs_conn *cp, int state, bool active)
{
    struct ip_vs_dest *dest = cp->dest;
    if (dest && !(cp->flags & IP_VS_CONN_F_TEMPLATE)) {
        if (!(cp->flags & IP_VS_CONN_F_INACTIVE) && !active) {
            dest->activeconns--;
            dest->inactconns++;
            cp->flags |= IP_VS_CONN_F_INACTIVE;
        } else if ((cp->flags & IP_VS_CONN_F_INACTIVE) && active) {
            dest->activeconns++;
            dest->inactconns--;
            cp->flags &= ~IP_VS_CONN_F_INACTIVE;
        }
    }
    cp->state = state;
}

/* ---- listings and bulk work ------------------------------------------------------- */

void ip_vs_conn_for_each(struct netns_ipvs *ipvs, void (*fn)(struct ip_vs_conn *cp, void *ctx),
                         void *ctx)
{
    struct ip_vs_conn *cp, *next;
    struct list_head *head = &ipvs->conn_tab->all;
    for (cp = list_entry(head->next, struct ip_vs_conn, c_list); &cp->c_list != head; cp = next) {
        next = list_entry(cp->c_list.next, struct ip_vs_conn, c_list);
        fn(cp, ctx);
    }
}

uint64_t ip_vs_conn_count(const struct netns_ipvs *ipvs)
{
    return ipvs->conn_tab ? ipvs->conn_tab->count : 0;
}

unsigned ip_vs_conn_expires_in(const struct ip_vs_conn *cp)
{
    sim_time_t left = cp->expires - ip_vs_now(cp->ipvs);
    return left > 0 ? (unsigned)(left / SEC) : 0;
}

static void expire_if_nodest(struct ip_vs_conn *cp, void *ctx)
{
    if (cp->dest && !(cp->dest->flags & IP_VS_DEST_F_AVAILABLE))
        ip_vs_conn_expire_now(cp);
}

void ip_vs_conn_expire_nodest(struct netns_ipvs *ipvs)
{
    ip_vs_conn_for_each(ipvs, expire_if_nodest, NULL);
}

static void expire_one(struct ip_vs_conn *cp, void *ctx)
{
    ip_vs_conn_expire_now(cp);
}

void ip_vs_conn_flush(struct netns_ipvs *ipvs)
{
    ip_vs_conn_for_each(ipvs, expire_one, NULL);
}

void ip_vs_conn_set_limit(struct netns_ipvs *ipvs, uint64_t limit)
{
    ipvs->conn_tab->limit = limit;
}

uint64_t ip_vs_conn_refused(const struct netns_ipvs *ipvs)
{
    return ipvs->conn_tab->refused;
}
