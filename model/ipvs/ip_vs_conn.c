/* The IPVS connection table (net/netfilter/ipvs/ip_vs_conn.c): entries in chunks,
 * one hash chain per bucket keyed by the client side as in the kernel
 * (ip_vs_conn_hashkey), and the creation-order list listings walk. */
#include "model/ipvs/ip_vs_conn.h"

#include <glib.h>
#include <string.h>
#include "model/ipvs/ip_vs_conn_tab.h"
#include "model/ipvs/ip_vs_core.h"
#include "model/ipvs/ip_vs_ctl.h"
#include "model/ipvs/ip_vs_sync.h"
#include "model/net.h"
#include "sim/host.h"
#include "sim/proto.h"
#include "sim/sim.h"

#define INITIAL_BUCKETS 256u

/* ---- FULLNAT reply index: the conn itself is the key ---------------------------- */

static guint fnat_hash(gconstpointer p)
{
    const struct ip_vs_conn *cp = p;
    uint64_t h = ((uint64_t)cp->laddr << 32 | cp->daddr) * 0x9e3779b97f4a7c15ull;
    h ^= ((uint64_t)cp->lport << 32 | (uint64_t)cp->dport << 16 | cp->protocol) *
         0xc2b2ae3d27d4eb4full;
    return (guint)(h ^ (h >> 32));
}

static gboolean fnat_equal(gconstpointer a, gconstpointer b)
{
    const struct ip_vs_conn *x = a, *y = b;
    return x->laddr == y->laddr && x->daddr == y->daddr && x->lport == y->lport &&
           x->dport == y->dport && x->protocol == y->protocol;
}

static bool fnat_indexed(const struct ip_vs_conn *cp)
{
    return (cp->flags & IP_VS_CONN_F_FWD_MASK) == IP_VS_CONN_F_FULLNAT &&
           !(cp->flags & IP_VS_CONN_F_TEMPLATE);
}

/* ---- storage ------------------------------------------------------------------- */

static void ip_vs_conn_prefetch(struct net *net, const struct sk_buff *skb);
static void ip_vs_conn_hint(const struct host *h, const struct sk_buff *skb);

void ip_vs_conn_tab_init(struct netns_ipvs *ipvs)
{
    struct ip_vs_conn_tab *t = g_new0(struct ip_vs_conn_tab, 1);
    t->ipvs = ipvs;
    t->n_buckets = INITIAL_BUCKETS;
    t->buckets = g_new0(struct conn_link, t->n_buckets);
    t->next_id = 1;
    ipvs->conn_tab = t;
    ipvs->net->rx_prefetch = ip_vs_conn_prefetch;
    ipvs->net->host->rx_hint = ip_vs_conn_hint;
}

void ip_vs_conn_tab_exit(struct netns_ipvs *ipvs)
{
    struct ip_vs_conn_tab *t = ipvs->conn_tab;
    if (!t)
        return;
    ipvs->net->rx_prefetch = NULL;
    ipvs->net->host->rx_hint = NULL;
    if (t->fnat_out)
        g_hash_table_destroy(t->fnat_out);
    for (uint32_t i = 0; i < t->n_chunks; i++) {
        g_free(t->chunks[i]);
        g_free(t->next_chunks[i]);
    }
    g_free(t->chunks);
    g_free(t->next_chunks);
    g_free(t->buckets);
    conn_timers_free(t);
    g_free(t);
    ipvs->conn_tab = NULL;
}

static void conn_chunk_add(struct ip_vs_conn_tab *t)
{
    if (t->n_chunks == t->cap_chunks) {
        t->cap_chunks = t->cap_chunks ? t->cap_chunks * 2 : 16;
        t->chunks = g_renew(struct ip_vs_conn *, t->chunks, t->cap_chunks);
        t->next_chunks = g_renew(struct conn_link *, t->next_chunks, t->cap_chunks);
    }
    struct ip_vs_conn *chunk = g_new(struct ip_vs_conn, CONN_CHUNK);
    struct conn_link *next = g_new0(struct conn_link, CONN_CHUNK);
    uint32_t base = t->n_chunks++ << CONN_CHUNK_BITS;
    t->chunks[t->n_chunks - 1] = chunk;
    t->next_chunks[t->n_chunks - 1] = next;
    for (uint32_t i = CONN_CHUNK; i-- > 0;) {
        chunk[i].ref = base + i + 1;
        next[i].ref = t->free;
        t->free = chunk[i].ref;
    }
}

static struct ip_vs_conn *conn_alloc(struct ip_vs_conn_tab *t)
{
    if (!t->free)
        conn_chunk_add(t);
    uint32_t ref = t->free;
    struct ip_vs_conn *cp = conn_at(t, ref);
    t->free = conn_next(t, ref)->ref;
    *conn_next(t, ref) = (struct conn_link){ 0 };
    /* The next connection will be written there: while entries are not recycled
     * (connections outlive the run), that memory has never been touched. Start
     * loading it now, some microseconds before it is needed. */
    if (t->free) {
        struct ip_vs_conn *next = conn_at(t, t->free);
        __builtin_prefetch(next, 1);
        __builtin_prefetch((char *)next + 64, 1);
        __builtin_prefetch(conn_next(t, t->free), 1);
    }
    memset(cp, 0, sizeof *cp);
    cp->ref = ref;
    cp->timer_list = IP_VS_CONN_NO_TIMER;
    conn_list_append(t, &t->all, offsetof(struct ip_vs_conn, c_list), cp);
    t->count++;
    return cp;
}

static void conn_release(struct ip_vs_conn_tab *t, struct ip_vs_conn *cp)
{
    conn_list_del(t, &t->all, offsetof(struct ip_vs_conn, c_list), cp);
    t->count--;
    cp->ipvs = NULL;                /* marks it free for walks that delete (conn_live) */
    conn_next(t, cp->ref)->ref = t->free;
    t->free = cp->ref;
}

/* ---- hashing ------------------------------------------------------------------- */

/* ip_vs_conn_hashkey: the client side only, so that both directions find a
 * connection in the same chain. */
static inline uint32_t conn_hashkey(uint8_t protocol, be32 addr, be16 port)
{
    /* Every input bit reaches the low bits that index the buckets (the kernel uses
     * jhash with a seed drawn at boot; this is fixed). */
    uint64_t h = (uint64_t)addr << 24 | (uint64_t)port << 8 | protocol;
    h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
    h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
    return (uint32_t)(h ^ (h >> 31));
}

static inline struct conn_link *bucket_of(const struct ip_vs_conn_tab *t, uint32_t hash)
{
    return &t->buckets[hash & (t->n_buckets - 1)];
}

/* Double the buckets. Bucket i splits into i and i + old size; walking each chain
 * in order and appending keeps every chain newest first, so no lookup changes. */
static void conn_tab_grow(struct ip_vs_conn_tab *t)
{
    uint32_t old = t->n_buckets;
    struct conn_link *b = g_new0(struct conn_link, (size_t)old * 2);
    for (uint32_t i = 0; i < old; i++) {
        struct conn_link *tail[2] = { &b[i], &b[i + old] };
        for (struct conn_link l = t->buckets[i]; l.ref;) {
            struct conn_link *next = conn_next(t, l.ref);
            struct conn_link after = *next;
            unsigned half = (l.hash & old) != 0;
            *tail[half] = l;
            tail[half] = next;
            *next = (struct conn_link){ 0 };
            l = after;
        }
    }
    g_free(t->buckets);
    t->buckets = b;
    t->n_buckets = old * 2;
}

/* The two hash keys an IPv4 TCP or UDP packet may be looked up by, a request by its
 * source, a reply by its destination; false for other packets. Headers not checked
 * yet (ip_rcv does that) are only used to pick what to load early. */
static bool conn_hint_keys(const uint8_t *iph, uint32_t len, uint32_t h[2])
{
    const struct iphdr *ip = (const struct iphdr *)iph;
    if (len < sizeof *ip)
        return false;
    unsigned ihl = ip_hdrlen(ip);
    if (len < ihl + 4 || ihl < 20 || (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP))
        return false;
    const be16 *ports = (const be16 *)(iph + ihl);
    h[0] = conn_hashkey(ip->protocol, ip->saddr, ports[0]);
    h[1] = conn_hashkey(ip->protocol, ip->daddr, ports[1]);
    return true;
}

/* Lookups of a new connection's packet read two lines at random in tables that
 * outgrow the cache (at 10^7 connections, 128 MB of buckets and 80 MB of links):
 * the bucket, then the link after it, as the chain is walked to its end. Both
 * loads are started early, in two stages. First, as the frame is put on the wire
 * to this host (a link latency before it arrives): its buckets. */
static void ip_vs_conn_hint(const struct host *h, const struct sk_buff *skb)
{
    const struct ip_vs_conn_tab *t = host_net(h)->ipvs->conn_tab;
    const struct ethhdr *eth = (const struct ethhdr *)skb->data;
    uint32_t k[2];
    if (eth->h_proto != htons(ETH_P_IP) ||
        !conn_hint_keys(skb->data + ETH_HLEN, skb->len - ETH_HLEN, k))
        return;
    __builtin_prefetch(bucket_of(t, k[0]));
    __builtin_prefetch(bucket_of(t, k[1]));
}

/* Then, as it arrives (before ip_rcv and the hooks that come before ip_vs_in and
 * ip_vs_out): read each bucket, in cache by now, and load what the walk reads next,
 * the entry if the first key hash matches, else the following link. */
static void prefetch_chain(const struct ip_vs_conn_tab *t, uint32_t h)
{
    struct conn_link l = *bucket_of(t, h);
    if (!l.ref)
        return;
    if (l.hash == h)
        __builtin_prefetch(conn_at(t, l.ref));
    else
        __builtin_prefetch(conn_next(t, l.ref));
}

static void ip_vs_conn_prefetch(struct net *net, const struct sk_buff *skb)
{
    const struct ip_vs_conn_tab *t = net->ipvs->conn_tab;
    uint32_t k[2];
    if (!conn_hint_keys(skb->data, skb->len, k))
        return;
    prefetch_chain(t, k[0]);
    prefetch_chain(t, k[1]);
}

static void conn_hash(struct ip_vs_conn *cp)
{
    struct ip_vs_conn_tab *t = cp->ipvs->conn_tab;
    if (cp->flags & IP_VS_CONN_F_ONE_PACKET)
        return;
    /* At the head, as hlist_add_head: the newest of equal keys is found first. */
    uint32_t hash = conn_hashkey(cp->protocol, cp->caddr, cp->cport);
    struct conn_link *head = bucket_of(t, hash);
    *conn_next(t, cp->ref) = *head;
    *head = (struct conn_link){ .ref = cp->ref, .hash = hash };
    cp->flags |= IP_VS_CONN_F_HASHED;
    if (fnat_indexed(cp)) {
        if (!t->fnat_out)
            t->fnat_out = g_hash_table_new(fnat_hash, fnat_equal);
        g_hash_table_replace(t->fnat_out, cp, cp);
    }
    if (++t->hashed > t->n_buckets)
        conn_tab_grow(t);
}

static void conn_unhash(struct ip_vs_conn *cp)
{
    struct ip_vs_conn_tab *t = cp->ipvs->conn_tab;
    if (!(cp->flags & IP_VS_CONN_F_HASHED))
        return;
    struct conn_link *link = bucket_of(t, conn_hashkey(cp->protocol, cp->caddr, cp->cport));
    while (link->ref != cp->ref)
        link = conn_next(t, link->ref);
    struct conn_link *mine = conn_next(t, cp->ref);
    *link = *mine;
    *mine = (struct conn_link){ 0 };
    /* Only if still mine: a newer conn with the same reply key replaced it. */
    if (fnat_indexed(cp) && g_hash_table_lookup(t->fnat_out, cp) == cp)
        g_hash_table_remove(t->fnat_out, cp);
    cp->flags &= ~IP_VS_CONN_F_HASHED;
    t->hashed--;
}

/* ---- lookups ------------------------------------------------------------------- */

/* Every entry of the chain of (protocol, caddr, cport) whose key hash is that of the
 * key, newest first (the others are passed by their links alone). */
#define for_each_in_chain(t, cp, protocol, caddr, cport)                                   \
    for (uint32_t h_ = conn_hashkey(protocol, caddr, cport), r_ = chain_first(t, h_);      \
         r_ && ((cp) = conn_at(t, r_), 1); r_ = chain_next(t, r_, h_))

/* The first entry from link l on whose key hash is h, or 0. */
static inline uint32_t chain_from(const struct ip_vs_conn_tab *t, struct conn_link l, uint32_t h)
{
    while (l.ref && l.hash != h)
        l = *conn_next(t, l.ref);
    return l.ref;
}

static inline uint32_t chain_first(const struct ip_vs_conn_tab *t, uint32_t h)
{
    return chain_from(t, *bucket_of(t, h), h);
}

static inline uint32_t chain_next(const struct ip_vs_conn_tab *t, uint32_t ref, uint32_t h)
{
    return chain_from(t, *conn_next(t, ref), h);
}

static inline bool client_is(const struct ip_vs_conn *cp, uint16_t protocol, be32 caddr,
                             be16 cport)
{
    return cp->caddr == caddr && cp->cport == cport && cp->protocol == protocol;
}

struct ip_vs_conn *ip_vs_conn_in_get(struct netns_ipvs *ipvs, uint16_t protocol, be32 caddr,
                                     be16 cport, be32 vaddr, be16 vport)
{
    struct ip_vs_conn *cp;
    for_each_in_chain(ipvs->conn_tab, cp, (uint8_t)protocol, caddr, cport) {
        if (client_is(cp, protocol, caddr, cport) && cp->vaddr == vaddr && cp->vport == vport &&
            !(cp->flags & IP_VS_CONN_F_TEMPLATE))
            return cp;
    }
    return NULL;
}

/* Replies of NAT connections come from the real server; of the others (whose
 * replies never pass us, or keep the VIP as source) from the VIP. */
static inline bool reply_from(const struct ip_vs_conn *cp, be32 saddr, be16 sport)
{
    if ((cp->flags & IP_VS_CONN_F_FWD_MASK) == IP_VS_CONN_F_MASQ)
        return cp->daddr == saddr && cp->dport == sport;
    return cp->vaddr == saddr && cp->vport == sport;
}

struct ip_vs_conn *ip_vs_conn_out_get(struct netns_ipvs *ipvs, uint16_t protocol, be32 saddr,
                                      be16 sport, be32 daddr, be16 dport)
{
    struct ip_vs_conn_tab *t = ipvs->conn_tab;
    struct ip_vs_conn *cp;
    for_each_in_chain(t, cp, (uint8_t)protocol, daddr, dport) {
        if (client_is(cp, protocol, daddr, dport) && reply_from(cp, saddr, sport) &&
            !(cp->flags & IP_VS_CONN_F_TEMPLATE) && !fnat_indexed(cp))
            return cp;
    }
    if (!t->fnat_out)
        return NULL;
    /* FULLNAT: the reply goes from the real server to the local address. */
    struct ip_vs_conn probe = { .protocol = (uint8_t)protocol, .laddr = daddr, .lport = dport,
                                .daddr = saddr, .dport = sport };
    return g_hash_table_lookup(t->fnat_out, &probe);
}

struct ip_vs_conn *ip_vs_ct_in_get(struct netns_ipvs *ipvs, const struct ip_vs_conn_param *p)
{
    struct ip_vs_conn *cp;
    for_each_in_chain(ipvs->conn_tab, cp, (uint8_t)p->protocol, p->caddr, p->cport) {
        if (client_is(cp, p->protocol, p->caddr, p->cport) && cp->vaddr == p->vaddr &&
            cp->vport == p->vport && (cp->flags & IP_VS_CONN_F_TEMPLATE))
            return cp;
    }
    return NULL;
}

/* ---- expiry ---------------------------------------------------------------------- */

static void conn_free(struct ip_vs_conn *cp)
{
    struct ip_vs_conn_tab *t = cp->ipvs->conn_tab;
    conn_unhash(cp);
    conn_timer_del(cp);
    if (cp->control) {
        cp->control->n_control--;
        cp->control = NULL;
    }
    if (cp->dest) {
        ip_vs_dest_unbind_conn(cp->dest, cp->flags);
        cp->dest = NULL;
    }
    conn_release(t, cp);
}

/* A controlling connection whose last controlled one was deleted (timeout 0) goes
 * too, unless it is a template that saw an established connection: ASSURED
 * templates keep their persistence (4.19, "ipvs: drop conn templates under
 * attack", 762c40076684; profile ipvs_assured_templates). */
static bool drop_controller(const struct ip_vs_conn *ct)
{
    return ct->n_control == 0 &&
           (!(ct->flags & IP_VS_CONN_F_TEMPLATE) || !(ct->state & IP_VS_CTPL_S_ASSURED));
}

void ip_vs_conn_expire(struct ip_vs_conn *cp)
{
    /* A template (or control connection) outlives what it controls. */
    if (cp->n_control > 0) {
        /* expire_later: from now on every put re-arms it for 60 s, not its own
         * timeout (a template's persistence timeout is over). */
        cp->timeout = IP_VS_CONN_EXPIRE_RETRY;
        conn_timer_arm(cp, cp->timeout);
        if (cp->ipvs->sync_state & IP_VS_STATE_MASTER)      /* the backup keeps it too */
            ip_vs_sync_conn(cp->ipvs, cp, cp->ipvs->sysctl.sync_threshold[0]);
        return;
    }
    struct ip_vs_conn *ct = cp->control;
    bool deleted = cp->timeout == 0 && cp->ipvs->net->prof->ipvs_assured_templates;
    conn_free(cp);
    if (ct && deleted && drop_controller(ct))
        ip_vs_conn_del(ct);
}

void ip_vs_conn_del(struct ip_vs_conn *cp)
{
    if (cp->control)
        cp->timeout = 0;            /* its controller may go with it */
    conn_timer_del(cp);
    ip_vs_conn_expire(cp);
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
    conn_hash(cp);
    conn_timer_arm(cp, cp->timeout);
    return cp;
}

void ip_vs_conn_put(struct ip_vs_conn *cp)
{
    if ((cp->flags & (IP_VS_CONN_F_ONE_PACKET | IP_VS_CONN_F_HASHED)) ==
        IP_VS_CONN_F_ONE_PACKET) {
        conn_free(cp);              /* a one-packet connection dies with its packet */
        return;
    }
    conn_timer_arm(cp, cp->timeout);
}

void ip_vs_conn_expire_now(struct ip_vs_conn *cp)
{
    conn_timer_arm(cp, 0);          /* its timeout stays: a later put restarts it */
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
    cp->state = (uint8_t)state;
}

void ip_vs_control_assure_ct(struct ip_vs_conn *cp)
{
    struct ip_vs_conn *ct = cp->control;
    if (ct && (ct->flags & IP_VS_CONN_F_TEMPLATE) && cp->ipvs->net->prof->ipvs_assured_templates)
        ct->state |= IP_VS_CTPL_S_ASSURED;
}

/* ---- listings and bulk work ------------------------------------------------------- */

void ip_vs_conn_for_each(struct netns_ipvs *ipvs, void (*fn)(struct ip_vs_conn *cp, void *ctx),
                         void *ctx)
{
    struct ip_vs_conn_tab *t = ipvs->conn_tab;
    for (uint32_t ref = t->all.head; ref;) {
        struct ip_vs_conn *cp = conn_at(t, ref);
        ref = cp->c_list.next;
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

/* Delete the connections that match (and, once they are gone, the connections
 * that controlled them), as the kernel's flushes do from 5.9 on: a controlling
 * connection is skipped while it still controls others. Deleting frees entries
 * at once, so the walk goes over a snapshot of the refs, in creation order. */
static void conn_del_matching(struct netns_ipvs *ipvs, bool (*match)(const struct ip_vs_conn *))
{
    struct ip_vs_conn_tab *t = ipvs->conn_tab;
    GArray *refs = g_array_sized_new(FALSE, FALSE, sizeof(uint32_t), (guint)t->count);
    for (uint32_t ref = t->all.head; ref; ref = conn_at(t, ref)->c_list.next)
        g_array_append_val(refs, ref);
    for (guint i = 0; i < refs->len; i++) {
        struct ip_vs_conn *cp = conn_at(t, g_array_index(refs, uint32_t, i));
        if (!cp->ipvs || cp->n_control > 0 || !match(cp))
            continue;
        struct ip_vs_conn *ctl = cp->control;
        ip_vs_conn_del(cp);
        if (ctl && ctl->ipvs && ctl->n_control == 0)
            ip_vs_conn_del(ctl);
    }
    g_array_free(refs, TRUE);
}

static bool dest_gone(const struct ip_vs_conn *cp)
{
    return cp->dest && !(cp->dest->flags & IP_VS_DEST_F_AVAILABLE);
}

void ip_vs_conn_expire_nodest(struct netns_ipvs *ipvs)
{
    conn_del_matching(ipvs, dest_gone);
}

static bool any_conn(const struct ip_vs_conn *cp)
{
    return true;
}

void ip_vs_conn_flush(struct netns_ipvs *ipvs)
{
    conn_del_matching(ipvs, any_conn);
}

void ip_vs_conn_set_limit(struct netns_ipvs *ipvs, uint64_t limit)
{
    ipvs->conn_tab->limit = limit;
}

uint64_t ip_vs_conn_refused(const struct netns_ipvs *ipvs)
{
    return ipvs->conn_tab->refused;
}
