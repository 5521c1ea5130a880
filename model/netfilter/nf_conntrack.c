/* Connection tracking: the table, entries and their timers, the packet's entry in
 * skb->nfct, nf_conntrack_in, confirmation, and the IPv4 hook functions with
 * their per-era registration (net/netfilter/nf_conntrack_core.c,
 * nf_conntrack_proto.c, and net/ipv4/netfilter/nf_conntrack_l3proto_ipv4.c in
 * older kernels). The protocol trackers are in nf_conntrack_proto_*.c, found
 * once per packet (nf_ct_l4proto_find) and passed along.
 *
 * Lifetimes. A confirmed entry belongs to the table and leaves it when its timer
 * finds the deadline passed (or a tracker kills it). An unconfirmed entry, and a
 * killed one a packet still carries, belong to that packet, as the kernel's skb
 * reference would keep them: they sit on the orphan list with the packet's id and
 * are freed once the packet no longer carries them (checked when the next entry is
 * allocated; packet buffers come from the pool and outlive the net). */
#include "model/netfilter/nf_conntrack_internal.h"

#include <stdio.h>
#include "model/ipv4/ip.h"
#include "model/net.h"
#include "model/netfilter/netfilter_ipv6.h"
#include "model/trace.h"
#include "sim/in6_key.h"
#include "sim/sim.h"

#define NFCT_INFOMASK ((uintptr_t)7)

/* ---- the packet's entry ------------------------------------------------------ */

struct nf_conn *nf_ct_get(const struct sk_buff *skb, enum ip_conntrack_info *ctinfo)
{
    uintptr_t v = (uintptr_t)skb->nfct;
    if (ctinfo)
        *ctinfo = (enum ip_conntrack_info)(v & NFCT_INFOMASK);
    return (struct nf_conn *)(v & ~NFCT_INFOMASK);
}

void nf_ct_set(struct sk_buff *skb, struct nf_conn *ct, enum ip_conntrack_info ctinfo)
{
    skb->nfct = (void *)((uintptr_t)ct | ((uintptr_t)ctinfo & NFCT_INFOMASK));
}

const char *nf_ct_state_name(const struct sk_buff *skb)
{
    enum ip_conntrack_info ctinfo;
    if (!nf_ct_get(skb, &ctinfo))
        return ctinfo == IP_CT_UNTRACKED ? "UNTRACKED" : "INVALID";
    switch (ctinfo) {
    case IP_CT_NEW: return "NEW";
    case IP_CT_RELATED:
    case IP_CT_RELATED_REPLY: return "RELATED";
    default: return "ESTABLISHED";
    }
}

static const char *ctinfo_name(enum ip_conntrack_info ctinfo)
{
    static const char *const names[] = {
        "ESTABLISHED", "RELATED", "NEW", "ESTABLISHED_REPLY", "RELATED_REPLY",
    };
    return ctinfo <= IP_CT_RELATED_REPLY ? names[ctinfo] : "UNTRACKED";
}

void nf_ct_attach(struct sk_buff *nskb, const struct sk_buff *skb)
{
    enum ip_conntrack_info ctinfo;
    struct nf_conn *ct = nf_ct_get(skb, &ctinfo);
    if (!ct)
        return;
    nf_ct_set(nskb, ct, CTINFO2DIR(ctinfo) == IP_CT_DIR_ORIGINAL ? IP_CT_RELATED_REPLY
                                                                 : IP_CT_RELATED);
}

/* ---- accessors ----------------------------------------------------------------- */

const struct nf_conntrack_tuple *nf_ct_tuple(const struct nf_conn *ct, enum ip_conntrack_dir dir)
{
    return &ct->tuplehash[dir].tuple;
}

uint32_t nf_ct_status(const struct nf_conn *ct) { return ct->status; }
void nf_ct_set_status(struct nf_conn *ct, uint32_t bits) { ct->status |= bits; }
bool nf_ct_is_confirmed(const struct nf_conn *ct) { return ct->status & IPS_CONFIRMED; }

sim_time_t nf_ct_expires(const struct nf_conn *ct)
{
    return nf_ct_is_confirmed(ct) ? ct->timeout : net_now(ct->net) + ct->timeout;
}

unsigned nf_conntrack_count(const struct net *net)
{
    return net->ct ? net->ct->count : 0;
}

/* ---- text for traces ------------------------------------------------------------ */

/* An address of the tuple as text: IPv6 in brackets when a port follows. */
static void nf_ct_addr_str(be32 a, bool ports, char *buf)
{
    if (!in6_is_key(a)) {
        inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
        return;
    }
    char t[INET_KEY_STRLEN];
    inet_key_ntop(a, t);
    snprintf(buf, INET_KEY_STRLEN + 2, ports ? "[%s]" : "%s", t);
}

void nf_ct_tuple_str(const struct nf_conntrack_tuple *t, char *buf, size_t len)
{
    char s[INET_KEY_STRLEN + 2], d[INET_KEY_STRLEN + 2];
    const struct nf_conntrack_l4proto *l4proto = nf_ct_l4proto_find(t->protonum);
    bool ports = nf_ct_l4proto_has_ports(l4proto);
    nf_ct_addr_str(t->src, ports, s);
    nf_ct_addr_str(t->dst, ports, d);
    l4proto->print_tuple(buf, len, t, s, d);
}

void nf_ct_note(struct net *net, const char *func, const char *detail)
{
    if (!net->trace)
        return;
    struct trace_event ev = {
        .time = net_now(net), .host = net->host->name, .kind = TRACE_NOTE, .func = func,
        .hook = -1, .detail = detail,
    };
    net->trace->emit(net->trace->ctx, &ev);
}

/* ---- tuples: the IPv4 part here, the rest by the tracker ------------------------ */

/* nf_conntrack_core.c, get_l4proto (4.x: ipv4_get_l4proto in
 * nf_conntrack_l3proto_ipv4.c). */
int ipv4_get_l4proto(const uint8_t *l3, uint32_t avail, uint8_t *protonum)
{
    if (avail < sizeof(struct iphdr))
        return -1;
    const struct iphdr *iph = (const struct iphdr *)l3;
    unsigned ihl = ip_hdrlen(iph);
    if (ihl < sizeof(struct iphdr) || avail < ihl || (ntohs(iph->frag_off) & IP_OFFSET))
        return -1;
    *protonum = iph->protocol;
    return (int)ihl;
}

/* nf_conntrack_core.c, get_l4proto_ipv6 (4.x: ipv6_get_l4proto in
 * nf_conntrack_l3proto_ipv6.c): past the extension headers (ipv6_skip_exthdr);
 * a first fragment has its transport header, a later one none. */
int ipv6_get_l4proto(const uint8_t *l3, uint32_t avail, uint8_t *protonum)
{
    if (avail < sizeof(struct ipv6hdr))
        return -1;
    uint8_t nexthdr = ((const struct ipv6hdr *)l3)->nexthdr;
    uint32_t off = sizeof(struct ipv6hdr);
    for (;;) {
        if (nexthdr == NEXTHDR_HOP || nexthdr == NEXTHDR_ROUTING || nexthdr == NEXTHDR_DEST) {
            if (avail < off + 8)
                return -1;
            nexthdr = l3[off];
            off += (l3[off + 1] + 1u) * 8;
        } else if (nexthdr == NEXTHDR_FRAGMENT) {
            if (avail < off + sizeof(struct frag_hdr))
                return -1;
            const struct frag_hdr *fh = (const struct frag_hdr *)(l3 + off);
            if (ntohs(fh->frag_off) & IP6_OFFSET)
                return -1;
            nexthdr = fh->nexthdr;
            off += sizeof(struct frag_hdr);
        } else {
            break;
        }
    }
    if (nexthdr == NEXTHDR_NONE || avail < off)
        return -1;
    *protonum = nexthdr;
    return (int)off;
}

/* nf_conntrack_core.c, nf_ct_get_tuple: the addresses here, the rest by the
 * protocol (ipv4_pkt_to_tuple / ipv6_pkt_to_tuple then l4proto->pkt_to_tuple in
 * 4.x). An IPv6 address goes into the tuple as its key (sim/in6_key.h). */
bool nf_ct_get_tuple(const uint8_t *l3, uint32_t avail, unsigned dataoff,
                     const struct nf_conntrack_l4proto *l4proto, struct nf_conntrack_tuple *t)
{
    memset(t, 0, sizeof *t);
    if ((l3[0] >> 4) == 6) {
        struct in6_addr a;              /* copied: the packed header's fields may be unaligned */
        memcpy(&a, l3 + offsetof(struct ipv6hdr, saddr), sizeof a);
        t->src = in6_key_get(&a);
        memcpy(&a, l3 + offsetof(struct ipv6hdr, daddr), sizeof a);
        t->dst = in6_key_get(&a);
        /* the tracker names the protocol, but for the generic one's packets */
        t->protonum = l4proto->l4proto;
        if (l4proto == &nf_conntrack_l4proto_generic && ipv6_get_l4proto(l3, avail, &t->protonum) < 0)
            return false;
    } else {
        const struct iphdr *iph = (const struct iphdr *)l3;
        t->src = iph->saddr;
        t->dst = iph->daddr;
        t->protonum = iph->protocol;
    }
    return l4proto->pkt_to_tuple(l3 + dataoff, avail - dataoff, t);
}

/* 4.x nf_ct_invert_tuple, which took the tracker as an argument; the callers
 * that have it (the packet's own lookup) pass it on. */
bool nf_ct_invert_tuple_l4proto(struct nf_conntrack_tuple *inverse,
                                const struct nf_conntrack_tuple *orig,
                                const struct nf_conntrack_l4proto *l4proto)
{
    memset(inverse, 0, sizeof *inverse);
    inverse->src = orig->dst;
    inverse->dst = orig->src;
    inverse->protonum = orig->protonum;
    return l4proto->invert_tuple(inverse, orig);
}

/* nf_conntrack_core.c, nf_ct_invert_tuple (5.x+; 4.x nf_ct_invert_tuplepr). */
bool nf_ct_invert_tuple(struct nf_conntrack_tuple *inverse, const struct nf_conntrack_tuple *orig)
{
    return nf_ct_invert_tuple_l4proto(inverse, orig, nf_ct_l4proto_find(orig->protonum));
}

/* ---- the table ---------------------------------------------------------------- */

static guint tuple_hash(gconstpointer key)
{
    const struct nf_conntrack_tuple *t = key;
    uint64_t h = ((uint64_t)t->src << 32 | t->dst) * 0x9e3779b97f4a7c15ull;
    h ^= ((uint64_t)t->sport << 24 | (uint64_t)t->dport << 8 | t->protonum) * 0xc2b2ae3d27d4eb4full;
    return (guint)(h ^ (h >> 29));
}

static gboolean tuple_equal(gconstpointer a, gconstpointer b)
{
    return nf_ct_tuple_equal(a, b);
}

static void list_add(struct nf_conn **head, struct nf_conn *ct, enum nf_ct_list which)
{
    ct->prev = NULL;
    ct->next = *head;
    if (*head)
        (*head)->prev = ct;
    *head = ct;
    ct->list = (uint8_t)which;
}

static void list_del(struct nf_conntrack_net *cn, struct nf_conn *ct)
{
    struct nf_conn **head = ct->list == NF_CT_LIST_CONFIRMED ? &cn->confirmed : &cn->orphans;
    if (ct->prev)
        ct->prev->next = ct->next;
    else
        *head = ct->next;
    if (ct->next)
        ct->next->prev = ct->prev;
    ct->prev = ct->next = NULL;
    ct->list = NF_CT_LIST_NONE;
}

static void nf_conntrack_free(struct nf_conntrack_net *cn, struct nf_conn *ct)
{
    ct->next = cn->free_list;
    cn->free_list = ct;
}

/* Does the packet that owns this orphan still carry it? */
static bool owner_holds(const struct nf_conn *ct)
{
    const struct sk_buff *skb = ct->owner;
    return skb && skb->id == ct->owner_id && nf_ct_get(skb, NULL) == ct;
}

/* Free the orphans whose packet has moved on (dropped, or gone without being
 * confirmed). The list holds the entries of packets still in flight: a handful. */
static void nf_ct_gc_orphans(struct nf_conntrack_net *cn)
{
    struct nf_conn *ct = cn->orphans;
    while (ct) {
        struct nf_conn *next = ct->next;
        if (!owner_holds(ct)) {
            list_del(cn, ct);
            nf_conntrack_free(cn, ct);
        }
        ct = next;
    }
}

static void nf_ct_timer_cancel(struct nf_conn *ct)
{
    if (ct->timer)
        sim_cancel(host_sim(ct->net->host), ct->timer);
    ct->timer = 0;
    ct->timer_at = 0;
}

/* Out of the table: unhashed, timer cancelled; the caller decides who frees. */
static void nf_ct_unlink(struct nf_conn *ct)
{
    struct nf_conntrack_net *cn = ct->net->ct;
    if (ct->list == NF_CT_LIST_CONFIRMED) {
        g_hash_table_remove(cn->hash, &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple);
        g_hash_table_remove(cn->hash, &ct->tuplehash[IP_CT_DIR_REPLY].tuple);
        cn->count--;
        nf_ct_timer_cancel(ct);
    }
    if (ct->list != NF_CT_LIST_NONE)
        list_del(cn, ct);
}

void nf_ct_kill_acct(struct nf_conn *ct, enum ip_conntrack_info ctinfo,
                     const struct sk_buff *skb)
{
    struct nf_conntrack_net *cn = ct->net->ct;
    nf_ct_unlink(ct);
    ct->status |= IPS_DYING;
    cn->stat.killed++;
    if (skb && nf_ct_get(skb, NULL) == ct) {
        ct->owner = skb;
        ct->owner_id = skb->id;
        list_add(&cn->orphans, ct, NF_CT_LIST_ORPHANS);
    } else {
        nf_conntrack_free(cn, ct);
    }
}

void nf_ct_kill(struct nf_conn *ct)
{
    nf_ct_kill_acct(ct, IP_CT_NEW, NULL);
}

static bool nf_ct_is_expired(const struct nf_conn *ct)
{
    return nf_ct_is_confirmed(ct) && ct->timeout <= net_now(ct->net);
}

static void nf_ct_expire(struct nf_conn *ct, const char *func)
{
    struct net *net = ct->net;
    if (net->trace) {
        char t[96], msg[128];
        nf_ct_tuple_str(&ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple, t, sizeof t);
        snprintf(msg, sizeof msg, "expired %s", t);
        nf_ct_note(net, func, msg);
    }
    net->ct->stat.expired++;
    nf_ct_unlink(ct);
    nf_conntrack_free(net->ct, ct);
}

struct nf_conntrack_tuple_hash *nf_conntrack_find_hash(struct net *net,
                                                       const struct nf_conntrack_tuple *tuple)
{
    if (!net->ct)
        return NULL;
    struct nf_conntrack_tuple_hash *h = g_hash_table_lookup(net->ct->hash, tuple);
    /* An entry past its deadline whose timer has not run yet (same instant) is
     * reaped here, as the kernel's lookup does. */
    if (h && nf_ct_is_expired(nf_ct_tuplehash_to_ctrack(h))) {
        nf_ct_expire(nf_ct_tuplehash_to_ctrack(h), "nf_conntrack_find");
        return NULL;
    }
    return h;
}

struct nf_conn *nf_conntrack_find(struct net *net, const struct nf_conntrack_tuple *tuple,
                                  enum ip_conntrack_dir *dir)
{
    struct nf_conntrack_tuple_hash *h = nf_conntrack_find_hash(net, tuple);
    if (!h)
        return NULL;
    if (dir)
        *dir = (enum ip_conntrack_dir)h->dir;
    return nf_ct_tuplehash_to_ctrack(h);
}

bool nf_conntrack_tuple_taken(struct net *net, const struct nf_conntrack_tuple *tuple,
                              const struct nf_conn *ignored)
{
    struct nf_conntrack_tuple_hash *h = nf_conntrack_find_hash(net, tuple);
    return h && nf_ct_tuplehash_to_ctrack(h) != ignored;
}

void nf_conntrack_alter_reply(struct nf_conn *ct, const struct nf_conntrack_tuple *reply)
{
    if (!nf_ct_is_confirmed(ct))
        ct->tuplehash[IP_CT_DIR_REPLY].tuple = *reply;
}

/* ---- timers: one per confirmed entry, re-armed lazily --------------------------- */

static void nf_ct_timer_fn(struct sim *sim, void *obj, uint64_t arg);

static void nf_ct_timer_arm(struct nf_conn *ct, sim_time_t at)
{
    ct->timer = host_timer(ct->net->host, at, nf_ct_timer_fn, ct, 0);
    ct->timer_at = ct->timer ? at : 0;  /* queue full: the next refresh tries again */
}

/* The deadline moves with every packet without touching the event queue; the
 * timer, when it fires, follows it there. Only the rare move to an earlier
 * deadline (a TCP state with a shorter timeout) re-files the timer. */
static void nf_ct_timer_fn(struct sim *sim, void *obj, uint64_t arg)
{
    struct nf_conn *ct = obj;
    ct->timer = 0;
    ct->timer_at = 0;
    if (ct->timeout > net_now(ct->net))
        nf_ct_timer_arm(ct, ct->timeout);
    else
        nf_ct_expire(ct, "nf_ct_gc_expired");
}

void nf_ct_refresh(struct nf_conn *ct, sim_time_t extra)
{
    if (!nf_ct_is_confirmed(ct)) {
        ct->timeout = extra;        /* counted from confirmation */
        return;
    }
    if (ct->status & IPS_DYING)
        return;
    sim_time_t deadline = net_now(ct->net) + extra;
    ct->timeout = deadline;
    if (!ct->timer_at || deadline < ct->timer_at) {
        nf_ct_timer_cancel(ct);
        nf_ct_timer_arm(ct, deadline);
    }
}

/* ---- nf_conntrack_in ---------------------------------------------------------- */

static struct nf_conn *nf_conntrack_alloc(struct net *net, const struct nf_conntrack_tuple *orig,
                                          const struct nf_conntrack_tuple *repl)
{
    struct nf_conntrack_net *cn = net->ct;
    nf_ct_gc_orphans(cn);
    struct nf_conn *ct = cn->free_list;
    if (ct)
        cn->free_list = ct->next;
    else
        ct = g_new(struct nf_conn, 1);
    memset(ct, 0, sizeof *ct);
    ct->tuplehash[IP_CT_DIR_ORIGINAL] = (struct nf_conntrack_tuple_hash){ *orig, IP_CT_DIR_ORIGINAL };
    ct->tuplehash[IP_CT_DIR_REPLY] = (struct nf_conntrack_tuple_hash){ *repl, IP_CT_DIR_REPLY };
    ct->net = net;
    ct->id = ++cn->next_id;
    return ct;
}

/* A new, unconfirmed entry owned by skb; NULL when the tuple has no reply. */
static struct nf_conn *init_conntrack(struct net *net, struct sk_buff *skb,
                                      const struct nf_conntrack_tuple *tuple,
                                      const struct nf_conntrack_l4proto *l4proto)
{
    struct nf_conntrack_tuple repl;
    if (!nf_ct_invert_tuple_l4proto(&repl, tuple, l4proto))
        return NULL;
    struct nf_conn *ct = nf_conntrack_alloc(net, tuple, &repl);
    ct->owner = skb;
    ct->owner_id = skb->id;
    list_add(&net->ct->orphans, ct, NF_CT_LIST_ORPHANS);
    net->ct->stat.new_++;
    return ct;
}

/* Find or create the entry and work out ctinfo (no expectations are modelled, so
 * an entry never starts as RELATED). */
static struct nf_conn *resolve_normal_ct(struct net *net, struct sk_buff *skb,
                                         const struct nf_conntrack_tuple *tuple,
                                         const struct nf_conntrack_l4proto *l4proto,
                                         enum ip_conntrack_info *ctinfo)
{
    struct nf_conntrack_tuple_hash *h = nf_conntrack_find_hash(net, tuple);
    struct nf_conn *ct;
    if (!h) {
        ct = init_conntrack(net, skb, tuple, l4proto);
        if (!ct)
            return NULL;
        *ctinfo = IP_CT_NEW;
    } else {
        ct = nf_ct_tuplehash_to_ctrack(h);
        net->ct->stat.found++;
        if (h->dir == IP_CT_DIR_REPLY)
            *ctinfo = IP_CT_ESTABLISHED_REPLY;
        else if (ct->status & IPS_SEEN_REPLY)
            *ctinfo = IP_CT_ESTABLISHED;
        else
            *ctinfo = IP_CT_NEW;
    }
    nf_ct_set(skb, ct, *ctinfo);
    return ct;
}

/* The packet lets go of its entry; an entry only it held is freed (nf_ct_put). */
static void nf_ct_put_skb(struct net *net, struct sk_buff *skb, struct nf_conn *ct)
{
    nf_ct_set(skb, NULL, 0);
    if (ct->list == NF_CT_LIST_ORPHANS && ct->owner == skb) {
        list_del(net->ct, ct);
        nf_conntrack_free(net->ct, ct);
    }
}

static void ct_note(struct net *net, const struct sk_buff *skb, const char *what,
                    const struct nf_conn *ct, enum ip_conntrack_info ctinfo, unsigned old_tcp)
{
    if (!net->trace)
        return;
    char t[96], msg[192];
    if (!ct) {
        trace_note(net, skb, "nf_conntrack_in", what);
        return;
    }
    nf_ct_tuple_str(&ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple, t, sizeof t);
    int n = snprintf(msg, sizeof msg, "%s %s", what ? what : ctinfo_name(ctinfo), t);
    /* The entry's tracker: for an ICMP error, that of the packet it quotes. */
    const struct nf_conntrack_l4proto *l4proto = nf_ct_l4proto_find(nf_ct_protonum(ct));
    if (l4proto->print_conntrack && n > 0 && (size_t)n < sizeof msg)
        l4proto->print_conntrack(msg + n, sizeof msg - (size_t)n, ct, old_tcp);
    trace_note(net, skb, "nf_conntrack_in", msg);
}

static unsigned nf_ct_invalid(struct net *net, struct sk_buff *skb, const char *why)
{
    nf_l4proto_log_invalid(net, skb, why);
    return NF_ACCEPT;
}

/* The tracker's checks before the lookup (the l4proto->error step of 4.x
 * nf_conntrack_in; 5.x+ nf_conntrack_handle_icmp, and tcp_error from the TCP
 * packet handler). True when the packet is done with: invalid (the tracker
 * noted why), or an ICMP error that now carries the entry it is about. */
static bool nf_conntrack_handle_error(struct net *net, struct sk_buff *skb, unsigned dataoff,
                                      const struct nf_conntrack_l4proto *l4proto)
{
    if (!l4proto->error)
        return false;
    if (l4proto->error(net, skb, dataoff) != NF_ACCEPT)
        return true;
    enum ip_conntrack_info ctinfo;
    struct nf_conn *ct = nf_ct_get(skb, &ctinfo);
    if (!ct)
        return false;
    ct_note(net, skb, ctinfo == IP_CT_RELATED ? "RELATED (ICMP error) to"
                                              : "RELATED_REPLY (ICMP error) to",
            ct, ctinfo, ct->tcp.state);
    return true;
}

/* The main entry (PRE_ROUTING and LOCAL_OUT): every packet leaves with its entry
 * and ctinfo, or with none (INVALID). Conntrack itself never drops here. */
static unsigned nf_conntrack_in(struct sk_buff *skb, const struct nf_hook_state *state, uint8_t pf)
{
    struct net *net = state->net;
    enum ip_conntrack_info ctinfo;
    /* Seen before (looped back) or untracked (raw table NOTRACK): leave it. */
    if (nf_ct_get(skb, &ctinfo) || ctinfo == IP_CT_UNTRACKED)
        return NF_ACCEPT;
    /* The packet's tracker, looked up once and passed along (4.x nf_conntrack_in;
     * 5.x+ switch on the protocol number at each step instead). */
    const uint8_t *nh = skb_network_header(skb);
    uint32_t avail = nf_ct_l3_avail(skb);
    uint8_t protonum;
    int off = pf == NFPROTO_IPV6 ? ipv6_get_l4proto(nh, avail, &protonum)
                                 : ipv4_get_l4proto(nh, avail, &protonum);
    if (off < 0)
        return nf_ct_invalid(net, skb, "INVALID: no tuple (truncated or a later fragment)");
    unsigned dataoff = (unsigned)off;
    const struct nf_conntrack_l4proto *l4proto = nf_ct_l4proto_find(protonum);
    struct nf_conntrack_tuple tuple;
    if (!nf_ct_get_tuple(nh, avail, dataoff, l4proto, &tuple))
        return nf_ct_invalid(net, skb, "INVALID: no tuple (truncated or a later fragment)");
    if (nf_conntrack_handle_error(net, skb, dataoff, l4proto))
        return NF_ACCEPT;
    for (;;) {
        struct nf_conn *ct = resolve_normal_ct(net, skb, &tuple, l4proto, &ctinfo);
        if (!ct)
            return nf_ct_invalid(net, skb, "INVALID: no reply tuple for this packet");
        unsigned old_tcp = ct->tcp.state;
        int ret = l4proto->packet(ct, skb, dataoff, ctinfo);
        if (ret > 0) {
            if (ctinfo == IP_CT_ESTABLISHED_REPLY)
                ct->status |= IPS_SEEN_REPLY;
            ct_note(net, skb, NULL, ct, ctinfo, old_tcp);
            return (unsigned)ret;
        }
        nf_ct_put_skb(net, skb, ct);
        if (ret != -NF_REPEAT)
            return nf_ct_invalid(net, skb, "INVALID: refused by the protocol tracker");
        ct_note(net, skb, "reopened", ct, ctinfo, old_tcp);
    }
}

/* ---- confirmation ---------------------------------------------------------------- */

static unsigned nf_ct_confirm_fail(struct net *net, struct sk_buff *skb, const char *why)
{
    net->ct->stat.insert_failed++;
    net->ct->stat.drop++;
    trace_note(net, skb, "__nf_conntrack_confirm", why);
    return nf_drop_reason(skb, NF_DROP, "__nf_conntrack_confirm: insert failed");
}

/* The packet that created the entry made it through: the entry goes into the table
 * with both directions, and its timer starts. */
static unsigned __nf_conntrack_confirm(struct net *net, struct sk_buff *skb, struct nf_conn *ct,
                                       enum ip_conntrack_info ctinfo)
{
    struct nf_conntrack_net *cn = net->ct;
    /* Only the original direction confirms (a reply or an attached RST does not). */
    if (CTINFO2DIR(ctinfo) != IP_CT_DIR_ORIGINAL)
        return NF_ACCEPT;
    if (ct->status & IPS_DYING)
        return nf_ct_confirm_fail(net, skb, "entry dying before confirmation");
    if (g_hash_table_contains(cn->hash, &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple) ||
        g_hash_table_contains(cn->hash, &ct->tuplehash[IP_CT_DIR_REPLY].tuple))
        return nf_ct_confirm_fail(net, skb, "clash with an existing entry");
    list_del(cn, ct);
    ct->owner = NULL;
    ct->status |= IPS_CONFIRMED;
    ct->timeout += net_now(net);
    g_hash_table_add(cn->hash, &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple);
    g_hash_table_add(cn->hash, &ct->tuplehash[IP_CT_DIR_REPLY].tuple);
    list_add(&cn->confirmed, ct, NF_CT_LIST_CONFIRMED);
    cn->count++;
    cn->stat.insert++;
    nf_ct_timer_arm(ct, ct->timeout);
    if (net->trace) {
        char t[96], msg[160];
        nf_ct_tuple_str(&ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple, t, sizeof t);
        snprintf(msg, sizeof msg, "confirmed %s, expires in %llds", t,
                 (long long)((ct->timeout - net_now(net)) / SEC));
        trace_note(net, skb, "__nf_conntrack_confirm", msg);
    }
    return NF_ACCEPT;
}

/* ---- the IPv4 hook functions ------------------------------------------------------ */

static unsigned ipv4_conntrack_in(void *priv, struct sk_buff *skb, const struct nf_hook_state *state)
{
    return nf_conntrack_in(skb, state, NFPROTO_IPV4);
}

static unsigned ipv4_conntrack_local(void *priv, struct sk_buff *skb,
                                     const struct nf_hook_state *state)
{
    /* Too short for an IP header: a raw socket's business. */
    if (nf_ct_l3_avail(skb) < sizeof(struct iphdr))
        return NF_ACCEPT;
    /* A local fragment (the socket asked for IP_NODEFRAG) is not tracked. */
    if (ntohs(ip_hdr(skb)->frag_off) & (IP_MF | IP_OFFSET))
        return NF_ACCEPT;
    return nf_conntrack_in(skb, state, NFPROTO_IPV4);
}

/* 3.x .. 5.0 ran connection helpers in a hook of their own. No helper (ftp, sip...)
 * is modelled, so it has nothing to do: the kernel's too accepts an entry that
 * has none. */
static unsigned ipv4_helper(void *priv, struct sk_buff *skb, const struct nf_hook_state *state)
{
    return NF_ACCEPT;
}

static unsigned ipv4_confirm(void *priv, struct sk_buff *skb, const struct nf_hook_state *state)
{
    enum ip_conntrack_info ctinfo;
    struct nf_conn *ct = nf_ct_get(skb, &ctinfo);
    if (!ct || ctinfo == IP_CT_RELATED_REPLY || nf_ct_is_confirmed(ct))
        return NF_ACCEPT;
    /* 2.6.34 and 5.1+ run the helper here (no helper is modelled). */
    return __nf_conntrack_confirm(state->net, skb, ct, ctinfo);
}

/* ---- the IPv6 hook functions (nf_conntrack_proto.c; 4.x nf_conntrack_l3proto_ipv6.c) -- */

static unsigned ipv6_conntrack_in(void *priv, struct sk_buff *skb, const struct nf_hook_state *state)
{
    return nf_conntrack_in(skb, state, NFPROTO_IPV6);
}

/* Too short for an IPv6 header: a raw socket's business (ipv6_conntrack_local). */
static unsigned ipv6_conntrack_local(void *priv, struct sk_buff *skb,
                                     const struct nf_hook_state *state)
{
    if (nf_ct_l3_avail(skb) < sizeof(struct ipv6hdr))
        return NF_ACCEPT;
    return nf_conntrack_in(skb, state, NFPROTO_IPV6);
}

static unsigned ipv6_helper(void *priv, struct sk_buff *skb, const struct nf_hook_state *state)
{
    return NF_ACCEPT;                   /* as ipv4_helper: no helper is modelled */
}

static unsigned ipv6_confirm(void *priv, struct sk_buff *skb, const struct nf_hook_state *state)
{
    return ipv4_confirm(priv, skb, state);  /* the same work (nf_confirm in 5.1+) */
}

/* The kernel's ipv6_conntrack_ops: confirmation at NF_IP6_PRI_LAST on POST_ROUTING
 * and NF_IP6_PRI_LAST - 1 on LOCAL_IN (IPv6 has no CONNTRACK_CONFIRM priority),
 * the helper entries at NF_IP6_PRI_CONNTRACK_HELPER in the eras that had them. */
static const struct nf_hook_ops ipv6_conntrack_ops[] = {
    { ipv6_conntrack_in, "ipv6_conntrack_in", "nf_conntrack", NULL, NFPROTO_IPV6,
      NF_INET_PRE_ROUTING, NF_IP6_PRI_CONNTRACK },
    { ipv6_conntrack_local, "ipv6_conntrack_local", "nf_conntrack", NULL, NFPROTO_IPV6,
      NF_INET_LOCAL_OUT, NF_IP6_PRI_CONNTRACK },
    { ipv6_helper, "ipv6_helper", "nf_conntrack", NULL, NFPROTO_IPV6,
      NF_INET_POST_ROUTING, NF_IP6_PRI_CONNTRACK_HELPER },
    { ipv6_confirm, "ipv6_confirm", "nf_conntrack", NULL, NFPROTO_IPV6,
      NF_INET_POST_ROUTING, NF_IP6_PRI_LAST },
    { ipv6_helper, "ipv6_helper", "nf_conntrack", NULL, NFPROTO_IPV6,
      NF_INET_LOCAL_IN, NF_IP6_PRI_CONNTRACK_HELPER },
    { ipv6_confirm, "ipv6_confirm", "nf_conntrack", NULL, NFPROTO_IPV6,
      NF_INET_LOCAL_IN, NF_IP6_PRI_LAST - 1 },
};

/* The kernel's ipv4_conntrack_ops and ipv6_conntrack_ops, in its order; the helper
 * entries exist only in the eras that had them. */
static void nf_ct_build_ops(struct nf_conntrack_net *cn, const struct kernel_profile *prof)
{
    static const struct nf_hook_ops tmpl[] = {
        { ipv4_conntrack_in, "ipv4_conntrack_in", "nf_conntrack", NULL, NFPROTO_IPV4,
          NF_INET_PRE_ROUTING, NF_IP_PRI_CONNTRACK },
        { ipv4_conntrack_local, "ipv4_conntrack_local", "nf_conntrack", NULL, NFPROTO_IPV4,
          NF_INET_LOCAL_OUT, NF_IP_PRI_CONNTRACK },
        { ipv4_helper, "ipv4_helper", "nf_conntrack", NULL, NFPROTO_IPV4,
          NF_INET_POST_ROUTING, NF_IP_PRI_CONNTRACK_HELPER },
        { ipv4_confirm, "ipv4_confirm", "nf_conntrack", NULL, NFPROTO_IPV4,
          NF_INET_POST_ROUTING, NF_IP_PRI_CONNTRACK_CONFIRM },
        { ipv4_helper, "ipv4_helper", "nf_conntrack", NULL, NFPROTO_IPV4,
          NF_INET_LOCAL_IN, NF_IP_PRI_CONNTRACK_HELPER },
        { ipv4_confirm, "ipv4_confirm", "nf_conntrack", NULL, NFPROTO_IPV4,
          NF_INET_LOCAL_IN, NF_IP_PRI_CONNTRACK_CONFIRM },
    };
    struct nf_ct_pf *pf = &cn->pf[NF_CT_PF_IPV4];
    pf->n_ct_ops = 0;
    for (size_t i = 0; i < G_N_ELEMENTS(tmpl); i++)
        if (tmpl[i].hook != ipv4_helper || prof->conntrack_helper_hook)
            pf->ct_ops[pf->n_ct_ops++] = tmpl[i];
    pf = &cn->pf[NF_CT_PF_IPV6];
    pf->n_ct_ops = 0;
    for (size_t i = 0; i < G_N_ELEMENTS(ipv6_conntrack_ops); i++)
        if (ipv6_conntrack_ops[i].hook != ipv6_helper || prof->conntrack_helper_hook)
            pf->ct_ops[pf->n_ct_ops++] = ipv6_conntrack_ops[i];
}

/* ---- loading, users, registration ------------------------------------------------- */

/* Loading the module into this net: the table and the sysctls. */
static void nf_conntrack_net_init(struct net *net)
{
    struct nf_conntrack_net *cn = g_new0(struct nf_conntrack_net, 1);
    cn->hash = g_hash_table_new(tuple_hash, tuple_equal);
    nf_conntrack_proto_pernet_init(&cn->timeouts);
    cn->tcp_loose = 1;
    nf_ct_build_ops(cn, net->prof);
    net->ct = cn;
}

static int nf_defrag_enable(struct net *net, unsigned pfi)
{
    return pfi == NF_CT_PF_IPV6 ? nf_defrag_ipv6_enable(net) : nf_defrag_ipv4_enable(net);
}

static void nf_defrag_disable(struct net *net, unsigned pfi)
{
    if (pfi == NF_CT_PF_IPV6)
        nf_defrag_ipv6_disable(net);
    else
        nf_defrag_ipv4_disable(net);
}

static void nf_ct_unregister_hooks(struct net *net, unsigned pfi)
{
    struct nf_ct_pf *pf = &net->ct->pf[pfi];
    for (unsigned i = pf->n_ct_ops; i-- > 0;)
        nf_unregister_net_hook(net, &pf->ct_ops[i]);
    pf->hooks_registered = false;
}

static int nf_ct_register_hooks(struct net *net, unsigned pfi)
{
    struct nf_ct_pf *pf = &net->ct->pf[pfi];
    int err = nf_defrag_enable(net, pfi);
    if (err)
        return err;
    for (unsigned i = 0; i < pf->n_ct_ops; i++) {
        err = nf_register_net_hook(net, &pf->ct_ops[i]);
        if (err) {
            while (i-- > 0)
                nf_unregister_net_hook(net, &pf->ct_ops[i]);
            nf_defrag_disable(net, pfi);
            return err;
        }
    }
    pf->hooks_registered = true;
    return 0;
}

/* Lazy eras register a family's hooks with its first user and unregister them
 * with its last; older ones register when the module loads (nf_conntrack_ipv4 /
 * nf_conntrack_ipv6: the family's first user here) and keep the hooks. */
int nf_ct_netns_get(struct net *net, uint8_t nfproto)
{
    if (!net->ct)
        nf_conntrack_net_init(net);
    unsigned pfi = nf_ct_pf_index(nfproto);
    struct nf_ct_pf *pf = &net->ct->pf[pfi];
    if (!pf->hooks_registered) {
        int err = nf_ct_register_hooks(net, pfi);
        if (err)
            return err;
    }
    pf->users++;
    return 0;
}

void nf_ct_netns_put(struct net *net, uint8_t nfproto)
{
    struct nf_conntrack_net *cn = net->ct;
    unsigned pfi = nf_ct_pf_index(nfproto);
    if (!cn || cn->pf[pfi].users == 0)
        return;
    struct nf_ct_pf *pf = &cn->pf[pfi];
    if (--pf->users == 0 && net->prof->lazy_conntrack && pf->hooks_registered) {
        nf_ct_unregister_hooks(net, pfi);
        nf_defrag_disable(net, pfi);
    }
}

static void free_chain(struct nf_conn *ct, bool cancel)
{
    while (ct) {
        struct nf_conn *next = ct->next;
        if (cancel)
            nf_ct_timer_cancel(ct);
        g_free(ct);
        ct = next;
    }
}

void nf_conntrack_net_exit(struct net *net)
{
    struct nf_conntrack_net *cn = net->ct;
    if (!cn)
        return;
    for (unsigned pfi = 0; pfi < NF_CT_PF_MAX; pfi++) {
        if (cn->pf[pfi].hooks_registered)
            nf_ct_unregister_hooks(net, pfi);
        while (cn->pf[pfi].defrag_users)
            nf_defrag_disable(net, pfi);
    }
    /* Pending timers would fire into freed entries: cancel them first. */
    free_chain(cn->confirmed, true);
    free_chain(cn->orphans, false);
    free_chain(cn->free_list, false);
    g_hash_table_destroy(cn->hash);
    g_free(cn);
    net->ct = NULL;
}
