/* The NAT core (net/netfilter/nf_nat_core.c, nf_nat_masquerade.c): choosing the
 * new tuple of a binding, null bindings, applying bindings to packets, the walk of
 * the nat chains on a connection's first packet, and the registration of nat
 * chains per era.
 *
 * A binding is kept the kernel's way: the entry's reply tuple is changed to what
 * replies will look like, and each packet is rewritten to look like the inverse of
 * the other direction's tuple (nf_nat_proto.c). What a protocol adds to this
 * (its ports or ICMP id, their range and search) is its struct nf_nat_l4proto,
 * looked up once per binding. */
#include "model/netfilter/nf_conntrack_internal.h"
#include "model/netfilter/nf_nat_l4proto.h"

#include <errno.h>
#include <stdio.h>
#include "model/ipv4/ip.h"
#include "model/net.h"
#include "model/ipv4/route.h"
#include "model/ipv6/ipv6.h"
#include "sim/in6_key.h"
#include "sim/sim.h"

bool nf_nat_initialized(const struct nf_conn *ct, enum nf_nat_manip_type maniptype)
{
    return ct->status & (maniptype == NF_NAT_MANIP_SRC ? IPS_SRC_NAT_DONE : IPS_DST_NAT_DONE);
}

/* ---- choosing a tuple -------------------------------------------------------- */

/* Only replies are looked up, so the reply the tuple would have is searched. */
bool nf_nat_used_tuple(const struct nf_conntrack_tuple *tuple, const struct nf_conn *ct)
{
    struct nf_conntrack_tuple reply;
    if (!nf_ct_invert_tuple(&reply, tuple))
        return false;
    return nf_conntrack_tuple_taken(ct->net, &reply, ct);
}

/* IPv6 addresses compare as the kernel's nf_inet_addr_cmp / ipv6_addr_cmp do:
 * the real addresses, never their keys. */
static bool addr_in_range(be32 a, const struct nf_nat_range *r)
{
    if (in6_is_key(r->min_addr))
        return in6_is_key(a) &&
               memcmp(in6_key_addr(a), in6_key_addr(r->min_addr), sizeof(struct in6_addr)) >= 0 &&
               memcmp(in6_key_addr(a), in6_key_addr(r->max_addr), sizeof(struct in6_addr)) <= 0;
    return ntohl(a) >= ntohl(r->min_addr) && ntohl(a) <= ntohl(r->max_addr);
}

/* An address out of an IPv6 range (find_best_ips_proto for NFPROTO_IPV6): the
 * words the range's ends share stay, the first that differs is picked within its
 * span by the hash, the rest follow the minimum. */
static be32 find_best_ip6(const struct nf_nat_range *r, uint32_t h)
{
    struct in6_addr a = *in6_key_addr(r->min_addr);
    const struct in6_addr *max = in6_key_addr(r->max_addr);
    for (int i = 0; i < 4; i++) {
        uint32_t lo = ntohl(a.s6_addr32[i]), hi = ntohl(max->s6_addr32[i]);
        if (lo == hi)
            continue;
        uint32_t dist = hi - lo + 1;
        a.s6_addr32[i] = htonl(lo + (dist ? (uint32_t)(((uint64_t)h * dist) >> 32) : h));
        break;
    }
    return in6_key_get(&a);
}

/* Would a source mapping to t satisfy the range? */
static bool in_range(const struct nf_conntrack_tuple *t, const struct nf_nat_range *r,
                     const struct nf_nat_l4proto *l4proto)
{
    if ((r->flags & NF_NAT_RANGE_MAP_IPS) && !addr_in_range(t->src, r))
        return false;
    if (!(r->flags & NF_NAT_RANGE_PROTO_SPECIFIED))
        return true;
    return l4proto->in_range(t, NF_NAT_MANIP_SRC, r);
}

/* The address out of a range: a hash of source and destination, so a client keeps
 * its address across connections (the kernel's jhash; any fixed mixing does). */
static void find_best_ips_proto(struct nf_conntrack_tuple *t, const struct nf_nat_range *r,
                                enum nf_nat_manip_type m)
{
    if (!(r->flags & NF_NAT_RANGE_MAP_IPS))
        return;
    be32 *var = m == NF_NAT_MANIP_SRC ? &t->src : &t->dst;
    if (r->min_addr == r->max_addr) {
        *var = r->min_addr;
        return;
    }
    if (in6_is_key(r->min_addr)) {
        /* the hash of the real addresses' last words (keys decide nothing) */
        uint64_t j = ((uint64_t)ntohl(in6_key_addr(t->src)->s6_addr32[3]) * 0x9e3779b97f4a7c15ull) ^
                     ntohl(in6_key_addr(t->dst)->s6_addr32[3]);
        j = (j ^ (j >> 31)) * 0xbf58476d1ce4e5b9ull;
        *var = find_best_ip6(r, (uint32_t)(j >> 32));
        return;
    }
    uint32_t minip = ntohl(r->min_addr);
    uint32_t dist = ntohl(r->max_addr) - minip + 1;  /* 0: the whole space */
    uint64_t j = ((uint64_t)ntohl(t->src) * 0x9e3779b97f4a7c15ull) ^ ntohl(t->dst);
    j = (j ^ (j >> 31)) * 0xbf58476d1ce4e5b9ull;
    uint32_t h = (uint32_t)(j >> 32);
    *var = htonl(minip + (dist ? (uint32_t)(((uint64_t)h * dist) >> 32) : h));
}

static void get_unique_tuple(struct nf_conntrack_tuple *tuple, const struct nf_conntrack_tuple *orig,
                             const struct nf_nat_range *r, const struct nf_conn *ct,
                             enum nf_nat_manip_type m)
{
    const struct nf_nat_l4proto *l4proto = __nf_nat_l4proto_find(orig->protonum);
    /* Source NAT keeps the packet as it is when that already fits and is free.
     * (The kernel also reuses the mapping of another connection from the same
     * source; that table is not modelled.) */
    if (m == NF_NAT_MANIP_SRC && in_range(orig, r, l4proto) && !nf_nat_used_tuple(orig, ct)) {
        *tuple = *orig;
        return;
    }
    *tuple = *orig;
    find_best_ips_proto(tuple, r, m);
    if (r->flags & NF_NAT_RANGE_PROTO_SPECIFIED) {
        if (l4proto->in_range(tuple, m, r) &&
            (r->min_proto == r->max_proto || !nf_nat_used_tuple(tuple, ct)))
            return;
    } else if (!nf_nat_used_tuple(tuple, ct)) {
        return;
    }
    l4proto->unique_tuple(tuple, r, m, ct);
}

/* ---- bindings ------------------------------------------------------------------- */

unsigned nf_nat_setup_info(struct nf_conn *ct, const struct nf_nat_range *range,
                           enum nf_nat_manip_type maniptype)
{
    /* Bindings are made on the first packet only, before the entry is confirmed. */
    if (nf_ct_is_confirmed(ct))
        return NF_ACCEPT;
    if (nf_nat_initialized(ct, maniptype))
        return NF_DROP;             /* the caller's rule gives the reason */
    struct nf_conntrack_tuple curr, new_tuple;
    /* What the packet looks like now: the inverse of the reply (earlier manips
     * included). */
    nf_ct_invert_tuple(&curr, &ct->tuplehash[IP_CT_DIR_REPLY].tuple);
    get_unique_tuple(&new_tuple, &curr, range, ct, maniptype);
    if (!nf_ct_tuple_equal(&new_tuple, &curr)) {
        struct nf_conntrack_tuple reply;
        nf_ct_invert_tuple(&reply, &new_tuple);
        nf_conntrack_alter_reply(ct, &reply);
        ct->status |= maniptype == NF_NAT_MANIP_SRC ? IPS_SRC_NAT : IPS_DST_NAT;
    }
    ct->status |= maniptype == NF_NAT_MANIP_SRC ? IPS_SRC_NAT_DONE : IPS_DST_NAT_DONE;
    return NF_ACCEPT;
}

/* No chain bound the connection for this hook's manip: bind it to itself, so that
 * later chains are not asked and the port still moves if it would clash. */
static unsigned nf_nat_alloc_null_binding(struct nf_conn *ct, unsigned hooknum)
{
    enum nf_nat_manip_type m = HOOK2MANIP(hooknum);
    const struct nf_conntrack_tuple *reply = &ct->tuplehash[IP_CT_DIR_REPLY].tuple;
    be32 ip = m == NF_NAT_MANIP_SRC ? reply->dst : reply->src;
    struct nf_nat_range range = { .flags = NF_NAT_RANGE_MAP_IPS, .min_addr = ip, .max_addr = ip };
    return nf_nat_setup_info(ct, &range, m);
}

unsigned nf_nat_packet(struct nf_conn *ct, enum ip_conntrack_info ctinfo, unsigned hooknum,
                       struct sk_buff *skb)
{
    enum nf_nat_manip_type m = HOOK2MANIP(hooknum);
    enum ip_conntrack_dir dir = CTINFO2DIR(ctinfo);
    uint32_t statusbit = m == NF_NAT_MANIP_SRC ? IPS_SRC_NAT : IPS_DST_NAT;
    /* A reply gets the inverse manip: its destination is un-SNATed, its source
     * un-DNATed. */
    if (dir == IP_CT_DIR_REPLY)
        statusbit ^= IPS_NAT_MASK;
    if (!(ct->status & statusbit))
        return NF_ACCEPT;
    return nf_nat_manip_pkt(skb, ct, m, dir) ? NF_ACCEPT
                                             : nf_drop_reason(skb, NF_DROP, "nf_nat_manip_pkt: header not writable");
}

/* ---- the first packet: chains, then a null binding ----------------------------------- */

static void endpoint_str(const struct nf_conntrack_tuple *t, bool src, char *buf, size_t len)
{
    char a[INET_KEY_STRLEN];
    be32 addr = src ? t->src : t->dst;
    bool v6 = in6_is_key(addr);
    if (v6)
        inet_key_ntop(addr, a);
    else
        inet_ntop(AF_INET, &addr, a, sizeof a);
    be16 port = src ? t->sport : t->dport;
    if (nf_ct_l4proto_has_ports(nf_ct_l4proto_find(t->protonum)))
        snprintf(buf, len, v6 ? "[%s]:%u" : "%s:%u", a, ntohs(port));
    else
        snprintf(buf, len, "%s", a);
}

/* "DNAT 203.0.113.10:80 -> 10.0.2.2:8080", or "null binding (SNAT)". */
static void nat_binding_note(struct net *net, const struct sk_buff *skb, const struct nf_conn *ct,
                             enum nf_nat_manip_type m, const struct nf_conntrack_tuple *old_reply)
{
    if (!net->trace)
        return;
    const char *kind = m == NF_NAT_MANIP_SRC ? "SNAT" : "DNAT";
    char msg[224], from[64], to[64];
    if (nf_ct_tuple_equal(old_reply, &ct->tuplehash[IP_CT_DIR_REPLY].tuple)) {
        snprintf(msg, sizeof msg, "null binding (%s)", kind);
    } else {
        struct nf_conntrack_tuple before, after;
        nf_ct_invert_tuple(&before, old_reply);
        nf_ct_invert_tuple(&after, &ct->tuplehash[IP_CT_DIR_REPLY].tuple);
        endpoint_str(&before, m == NF_NAT_MANIP_SRC, from, sizeof from);
        endpoint_str(&after, m == NF_NAT_MANIP_SRC, to, sizeof to);
        snprintf(msg, sizeof msg, "%s %s -> %s", kind, from, to);
    }
    trace_note(net, skb, "nf_nat_setup_info", msg);
}

unsigned nf_nat_inet_fn(void *priv, struct sk_buff *skb, const struct nf_hook_state *state,
                        nf_nat_do_chain_fn do_chain)
{
    enum ip_conntrack_info ctinfo;
    struct nf_conn *ct = nf_ct_get(skb, &ctinfo);
    /* Untracked or invalid: NAT cannot do anything for it. */
    if (!ct)
        return NF_ACCEPT;
    enum nf_nat_manip_type m = HOOK2MANIP(state->hook);
    bool first = ctinfo == IP_CT_NEW || ctinfo == IP_CT_RELATED || ctinfo == IP_CT_RELATED_REPLY;
    /* A NEW packet may find the binding made already: a looped-back local packet,
     * or a retransmitted first packet. */
    if (first && !nf_nat_initialized(ct, m)) {
        struct nf_conntrack_tuple old_reply = ct->tuplehash[IP_CT_DIR_REPLY].tuple;
        if (do_chain) {
            unsigned ret = do_chain(priv, skb, state, ct);
            if (ret != NF_ACCEPT)
                return ret;
        }
        if (nf_nat_initialized(ct, m)) {
            state->net->nat->bindings++;
        } else {
            unsigned ret = nf_nat_alloc_null_binding(ct, state->hook);
            if (ret != NF_ACCEPT)
                return ret;
            state->net->nat->null_bindings++;
        }
        nat_binding_note(state->net, skb, ct, m, &old_reply);
    }
    return nf_nat_packet(ct, ctinfo, state->hook, skb);
}

unsigned nf_nat_private_chains(void *priv, struct sk_buff *skb, const struct nf_hook_state *state,
                               struct nf_conn *ct)
{
    struct net *net = state->net;
    const struct nf_hook_entries *e = &net->nat->pf[nf_ct_pf_index(state->pf)].chains[state->hook];
    enum nf_nat_manip_type m = HOOK2MANIP(state->hook);
    for (unsigned i = 0; i < e->num; i++) {
        const struct nf_hook_ops *ops = e->ops[i];
        unsigned ret = ops->hook(ops->priv, skb, state);
        if (net->trace) {
            char msg[128];
            snprintf(msg, sizeof msg, "nat chain %s (%d) [%s]: %s%s", ops->name, ops->priority,
                     ops->owner, nf_verdict_name(ret),
                     nf_nat_initialized(ct, m) ? ", bound" : "");
            trace_note(net, skb, "nf_nat_inet_fn", msg);
        }
        if (ret != NF_ACCEPT)
            return ret;
        if (nf_nat_initialized(ct, m))
            break;
    }
    return NF_ACCEPT;
}

/* ---- MASQUERADE ------------------------------------------------------------------- */

/* The address of out to show the next hop: one on the next hop's subnet, else the
 * primary one (inet_select_addr). */
static be32 inet_select_addr(const struct net_device *out, be32 nexthop)
{
    for (unsigned i = 0; i < out->naddrs; i++)
        if (((nexthop ^ out->addrs[i].addr) & inet_mask(out->addrs[i].prefixlen)) == 0)
            return out->addrs[i].addr;
    return out->naddrs ? out->addrs[0].addr : 0;
}

unsigned nf_nat_masquerade_ipv4(struct sk_buff *skb, unsigned hooknum,
                                const struct nf_nat_range *range, const struct net_device *out)
{
    enum ip_conntrack_info ctinfo;
    struct nf_conn *ct = nf_ct_get(skb, &ctinfo);
    if (!ct || !out)
        return nf_drop_reason(skb, NF_DROP, "MASQUERADE: no conntrack entry");
    const struct rtable *rt = skb_rtable(skb);
    be32 nexthop = rt && rt->gateway ? rt->gateway : ip_hdr(skb)->daddr;
    be32 newsrc = inet_select_addr(out, nexthop);
    if (!newsrc)
        return nf_drop_reason(skb, NF_DROP, "MASQUERADE: no address on the output device");
    ct->masq_index = out->ifindex;
    struct nf_nat_range r = {
        .flags = (range ? range->flags : 0) | NF_NAT_RANGE_MAP_IPS,
        .min_addr = newsrc, .max_addr = newsrc,
        .min_proto = range ? range->min_proto : 0, .max_proto = range ? range->max_proto : 0,
    };
    return nf_nat_setup_info(ct, &r, NF_NAT_MANIP_SRC);
}

unsigned nf_nat_masquerade_ipv6(struct sk_buff *skb, const struct nf_nat_range *range,
                                const struct net_device *out)
{
    enum ip_conntrack_info ctinfo;
    struct nf_conn *ct = nf_ct_get(skb, &ctinfo);
    if (!ct || !out)
        return nf_drop_reason(skb, NF_DROP, "MASQUERADE: no conntrack entry");
    struct in6_addr daddr, src;
    memcpy(&daddr, skb_network_header(skb) + offsetof(struct ipv6hdr, daddr), sizeof daddr);
    if (!ipv6_dev_get_saddr(ct->net, out, &daddr, &src))
        return nf_drop_reason(skb, NF_DROP, "MASQUERADE: no address on the output device");
    ct->masq_index = out->ifindex;
    be32 newsrc = in6_key_get(&src);
    struct nf_nat_range r = {
        .flags = (range ? range->flags : 0) | NF_NAT_RANGE_MAP_IPS,
        .min_addr = newsrc, .max_addr = newsrc,
        .min_proto = range ? range->min_proto : 0, .max_proto = range ? range->max_proto : 0,
    };
    return nf_nat_setup_info(ct, &r, NF_NAT_MANIP_SRC);
}

/* ---- nat chains: registration per era ------------------------------------------------ */

static struct nf_nat_net *nf_nat_net_get(struct net *net)
{
    if (net->nat)
        return net->nat;
    struct nf_nat_net *nn = g_new0(struct nf_nat_net, 1);
    char name[64];
    snprintf(name, sizeof name, "nf_nat/%s", net->host->name);
    rng_init(&nn->rng, host_sim(net->host)->seed, name);
    nf_nat_core_ops(net->prof, nn->pf[NF_CT_PF_IPV4].core_ops);
    nf_nat_core_ops6(net->prof, nn->pf[NF_CT_PF_IPV6].core_ops);
    net->nat = nn;
    return nn;
}

static int nat_core_register(struct net *net, struct nf_nat_pf *np)
{
    for (unsigned i = 0; i < G_N_ELEMENTS(np->core_ops); i++) {
        int err = nf_register_net_hook(net, &np->core_ops[i]);
        if (err) {
            while (i-- > 0)
                nf_unregister_net_hook(net, &np->core_ops[i]);
            return err;
        }
    }
    np->core_registered = true;
    return 0;
}

static void nat_core_unregister(struct net *net, struct nf_nat_pf *np)
{
    for (unsigned i = G_N_ELEMENTS(np->core_ops); i-- > 0;)
        nf_unregister_net_hook(net, &np->core_ops[i]);
    np->core_registered = false;
}


static int nat_core_add(struct net *net, struct nf_nat_pf *np, const struct nf_hook_ops *ops)
{
    if (!np->core_registered) {
        int err = nat_core_register(net, np);
        if (err)
            return err;
    }
    int err = nf_hook_entries_insert(&np->chains[ops->hooknum], ops, net->prof->tie);
    if (err && np->users == 0 && net->prof->lazy_conntrack)
        nat_core_unregister(net, np);
    return err;
}

static int nat_wrap_add(struct net *net, struct nf_nat_net *nn, const struct nf_hook_ops *ops)
{
    for (struct nf_nat_wrap *w = nn->wraps; w; w = w->next)
        if (w->chain == ops)
            return -EEXIST;
    struct nf_nat_wrap *w = g_new0(struct nf_nat_wrap, 1);
    w->chain = ops;
    nf_nat_wrap_init(w);
    int err = nf_register_net_hook(net, &w->ops);
    if (err) {
        g_free(w);
        return err;
    }
    w->next = nn->wraps;
    nn->wraps = w;
    return 0;
}

static bool nat_wrap_remove(struct net *net, struct nf_nat_net *nn, const struct nf_hook_ops *ops)
{
    for (struct nf_nat_wrap **pw = &nn->wraps; *pw; pw = &(*pw)->next) {
        struct nf_nat_wrap *w = *pw;
        if (w->chain == ops) {
            nf_unregister_net_hook(net, &w->ops);
            *pw = w->next;
            g_free(w);
            return true;
        }
    }
    return false;
}

/* nf_nat_register_fn: a family's nat chain, with that family's conntrack. */
static int nf_nat_register_fn(struct net *net, const struct nf_hook_ops *ops, uint8_t pf)
{
    unsigned h = ops->hooknum;
    if (!ops->hook || h >= NF_INET_NUMHOOKS || h == NF_INET_FORWARD)
        return -EINVAL;
    /* 2.6.34's nat table had no INPUT chain: LOCAL_IN only ever null-binds. */
    if (h == NF_INET_LOCAL_IN && !net->prof->nat_input_chain)
        return -EOPNOTSUPP;
    if (pf == NFPROTO_IPV6 && !net->prof->nat66)
        return -EOPNOTSUPP;
    int err = nf_ct_netns_get(net, pf);
    if (err)
        return err;
    struct nf_nat_net *nn = nf_nat_net_get(net);
    struct nf_nat_pf *np = &nn->pf[nf_ct_pf_index(pf)];
    err = nf_nat_chains_in_core(net->prof) ? nat_core_add(net, np, ops) : nat_wrap_add(net, nn, ops);
    if (err) {
        nf_ct_netns_put(net, pf);
        return err;
    }
    np->users++;
    return 0;
}

static void nf_nat_unregister_fn(struct net *net, const struct nf_hook_ops *ops, uint8_t pf)
{
    struct nf_nat_net *nn = net->nat;
    if (!nn || ops->hooknum >= NF_INET_NUMHOOKS)
        return;
    struct nf_nat_pf *np = &nn->pf[nf_ct_pf_index(pf)];
    bool found = nf_nat_chains_in_core(net->prof) ? nf_hook_entries_remove(&np->chains[ops->hooknum], ops)
                                                  : nat_wrap_remove(net, nn, ops);
    if (!found)
        return;
    /* Lazy eras take the NAT core's hooks away with the last nat chain. */
    if (--np->users == 0 && np->core_registered && net->prof->lazy_conntrack)
        nat_core_unregister(net, np);
    nf_ct_netns_put(net, pf);
}

int nf_nat_ipv4_register_fn(struct net *net, const struct nf_hook_ops *ops)
{
    return nf_nat_register_fn(net, ops, NFPROTO_IPV4);
}

void nf_nat_ipv4_unregister_fn(struct net *net, const struct nf_hook_ops *ops)
{
    nf_nat_unregister_fn(net, ops, NFPROTO_IPV4);
}

int nf_nat_ipv6_register_fn(struct net *net, const struct nf_hook_ops *ops)
{
    return nf_nat_register_fn(net, ops, NFPROTO_IPV6);
}

void nf_nat_ipv6_unregister_fn(struct net *net, const struct nf_hook_ops *ops)
{
    nf_nat_unregister_fn(net, ops, NFPROTO_IPV6);
}

void nf_nat_net_exit(struct net *net)
{
    struct nf_nat_net *nn = net->nat;
    if (!nn)
        return;
    for (unsigned pfi = 0; pfi < NF_CT_PF_MAX; pfi++)
        if (nn->pf[pfi].core_registered)
            nat_core_unregister(net, &nn->pf[pfi]);
    while (nn->wraps)
        nat_wrap_remove(net, nn, nn->wraps->chain);
    for (unsigned pfi = 0; pfi < NF_CT_PF_MAX; pfi++)
        for (unsigned i = 0; i < NF_INET_NUMHOOKS; i++)
            nf_hook_entries_free(&nn->pf[pfi].chains[i]);
    g_free(nn);
    net->nat = NULL;
}

const struct nf_hook_entries *nf_nat_chains_of_pf(const struct net *net, uint8_t pf, unsigned hook)
{
    if (!net->nat || !net->prof->nat_core_private_list || hook >= NF_INET_NUMHOOKS)
        return NULL;
    return &net->nat->pf[nf_ct_pf_index(pf)].chains[hook];
}

const struct nf_hook_entries *nf_nat_chains_of(const struct net *net, unsigned hook)
{
    return nf_nat_chains_of_pf(net, NFPROTO_IPV4, hook);
}
