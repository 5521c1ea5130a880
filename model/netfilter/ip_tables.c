/* iptables tables in a net (net/ipv4/netfilter/ip_tables.c): chains and rules and
 * the primitives libiptc's commands edit them with, the checks the kernel makes when
 * a table is replaced (translate_table: loops, targets allowed in the table and from
 * the hooks that reach them), the built-in extensions (the standard target, the icmp
 * match), and ipt_do_table, the walk of a table for one packet at one hook. What
 * iptables prints about a refused command is userspace's (model/user/iptables/). */
#include "model/netfilter/x_tables.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "model/ipv4/ip.h"
#include "model/net.h"
#include "model/netfilter/nf_conntrack.h"
#include "model/trace.h"

static const char *const builtin_names[NF_INET_NUMHOOKS] = {
    "PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING",
};

/* ---- tables and chains -------------------------------------------------------- */

struct xt_chain *xt_chain_new(const char *name, int hook)
{
    struct xt_chain *c = g_new0(struct xt_chain, 1);
    g_strlcpy(c->name, name, sizeof c->name);
    c->hook = hook;
    c->policy = NF_ACCEPT;
    c->rules = g_ptr_array_new();
    return c;
}

struct xt_table *xt_table_get(struct net *net, enum xt_table_id id)
{
    return xt_table_get_af(net, NFPROTO_IPV4, id);
}

struct xt_table *xt_table_get_af(struct net *net, uint8_t af, enum xt_table_id id)
{
    if (!net->xt)
        net->xt = g_new0(struct xt_net, 1);
    struct xt_table **slot = af == NFPROTO_IPV6 ? &net->xt->tables6[id] : &net->xt->tables[id];
    struct xt_table *t = *slot;
    if (t)
        return t;
    t = g_new0(struct xt_table, 1);
    t->af = af == NFPROTO_IPV6 ? NFPROTO_IPV6 : NFPROTO_IPV4;
    t->def = xt_table_def_of(id);
    t->net = net;
    t->valid_hooks = xt_table_valid_hooks(t->def, net);
    for (unsigned h = 0; h < NF_INET_NUMHOOKS; h++)
        if (t->valid_hooks & (1u << h))
            t->builtin[h] = xt_chain_new(builtin_names[h], (int)h);
    t->user_chains = g_ptr_array_new();
    *slot = t;
    return t;
}

struct xt_table *xt_table_find(const struct net *net, const char *name)
{
    return xt_table_find_af(net, NFPROTO_IPV4, name);
}

struct xt_table *xt_table_find_af(const struct net *net, uint8_t af, const char *name)
{
    int id = xt_table_id_by_name(name);
    if (id < 0 || !net->xt)
        return NULL;
    return af == NFPROTO_IPV6 ? net->xt->tables6[id] : net->xt->tables[id];
}

struct xt_chain *xt_chain_find(const struct xt_table *t, const char *name)
{
    for (unsigned h = 0; h < NF_INET_NUMHOOKS; h++)
        if (t->builtin[h] && strcmp(t->builtin[h]->name, name) == 0)
            return t->builtin[h];
    for (unsigned i = 0; i < t->user_chains->len; i++) {
        struct xt_chain *c = g_ptr_array_index(t->user_chains, i);
        if (strcmp(c->name, name) == 0)
            return c;
    }
    return NULL;
}

struct ipt_entry *xt_chain_rule(const struct xt_chain *c, unsigned n)
{
    return n >= 1 && n <= c->rules->len ? g_ptr_array_index(c->rules, n - 1) : NULL;
}

void xt_chain_free(struct xt_chain *c)
{
    g_ptr_array_free(c->rules, TRUE);
    g_free(c);
}

/* ---- rules ------------------------------------------------------------------------ */

/* Extensions of a rule that hold a conntrack reference (one each, as the kernel's
 * checkentry functions take them). */
static unsigned entry_ct_users(const struct ipt_entry *e)
{
    unsigned n = e->target.target && e->target.target->conntrack;
    for (unsigned i = 0; i < e->nmatches; i++)
        n += e->matches[i].match->conntrack;
    return n;
}

void ipt_entry_link(struct ipt_entry *e)
{
    if (e->target.chain)
        e->target.chain->references++;
}

void ipt_entry_unlink(struct ipt_entry *e)
{
    if (e->target.chain)
        e->target.chain->references--;
}

void ipt_entry_hold(struct xt_table *t, struct ipt_entry *e)
{
    unsigned n = entry_ct_users(e);
    for (unsigned i = 0; i < n; i++)
        if (nf_ct_netns_get(t->net, t->af) == 0)
            e->ct_held++;
    t->ct_refs += e->ct_held;
}

void ipt_cleanup_entry(struct xt_table *t, struct ipt_entry *e)
{
    for (unsigned i = 0; i < e->ct_held; i++)
        nf_ct_netns_put(t->net, t->af);
    t->ct_refs -= e->ct_held;
    g_free(e->matches);
    g_free(e);
}

void xt_chain_flush(struct xt_table *t, struct xt_chain *ch)
{
    while (ch->rules->len) {
        struct ipt_entry *e = g_ptr_array_index(ch->rules, ch->rules->len - 1);
        g_ptr_array_remove_index(ch->rules, ch->rules->len - 1);
        ipt_entry_unlink(e);
        ipt_cleanup_entry(t, e);
    }
}

/* ---- the kernel's checks when a table is replaced ------------------------------------ */

static void hook_names(unsigned mask, char *buf, size_t size)
{
    buf[0] = '\0';
    for (unsigned h = 0; h < NF_INET_NUMHOOKS; h++)
        if (mask & (1u << h)) {
            if (buf[0])
                g_strlcat(buf, "/", size);
            g_strlcat(buf, builtin_names[h], size);
        }
}

/* mark_source_chains: which hooks reach each chain; false on a loop. */
static bool mark_chain(struct xt_chain *c, unsigned hookbit)
{
    if (c->visiting)
        return false;
    c->comefrom |= hookbit;
    c->visiting = 1;
    for (unsigned i = 0; i < c->rules->len; i++) {
        const struct ipt_entry *e = g_ptr_array_index(c->rules, i);
        if (e->target.chain && !mark_chain(e->target.chain, hookbit))
            return false;
    }
    c->visiting = 0;
    return true;
}

static void table_chains_reset(struct xt_table *t)
{
    for (unsigned h = 0; h < NF_INET_NUMHOOKS; h++)
        if (t->builtin[h])
            t->builtin[h]->comefrom = t->builtin[h]->visiting = 0;
    for (unsigned i = 0; i < t->user_chains->len; i++) {
        struct xt_chain *c = g_ptr_array_index(t->user_chains, i);
        c->comefrom = c->visiting = 0;
    }
}

static bool mark_source_chains(struct xt_table *t)
{
    table_chains_reset(t);
    for (unsigned h = 0; h < NF_INET_NUMHOOKS; h++)
        if (t->builtin[h] && !mark_chain(t->builtin[h], 1u << h)) {
            table_chains_reset(t);
            return false;
        }
    return true;
}

/* xt_check_match / xt_check_target for one rule of chain c: the line the kernel
 * logs, or NULL. */
static const char *check_entry(const struct xt_table *t, const struct xt_chain *c,
                               const struct ipt_entry *e, char *buf, size_t size)
{
    const char *xt = t->af == NFPROTO_IPV6 ? "ip6_tables" : "ip_tables";   /* xt_prefix[] */
    for (unsigned i = 0; i < e->nmatches; i++) {
        const struct xt_match *m = e->matches[i].match;
        if (m->proto && (e->ip.proto != m->proto || (e->ip.invflags & XT_INV_PROTO))) {
            snprintf(buf, size, "x_tables: %s: %s match: only valid for protocol %u",
                     xt, m->name, m->proto);
            return buf;
        }
    }
    const struct xt_target *tg = e->target.target;
    if (!tg || tg == &xt_standard_target)
        return NULL;
    if (tg->table && strcmp(tg->table, t->def->name) != 0) {
        snprintf(buf, size, "x_tables: %s: %s target: only valid in %s table, not %s",
                 xt, tg->name, tg->table, t->def->name);
        return buf;
    }
    if (tg->hooks && (c->comefrom & ~tg->hooks)) {
        char used[64], allow[64];
        hook_names(c->comefrom, used, sizeof used);
        hook_names(tg->hooks, allow, sizeof allow);
        snprintf(buf, size, "x_tables: %s: %s target: used from hooks %s, but only "
                 "usable from %s", xt, tg->name, used, allow);
        return buf;
    }
    return tg->checkentry ? tg->checkentry(e) : NULL;
}

static const char *check_chain(const struct xt_table *t, const struct xt_chain *c, char *buf,
                               size_t size)
{
    for (unsigned i = 0; i < c->rules->len; i++) {
        const char *why = check_entry(t, c, g_ptr_array_index(c->rules, i), buf, size);
        if (why)
            return why;
    }
    return NULL;
}

/* The whole table as the kernel would check it on replace. */
int ipt_translate_table(struct xt_table *t, char *log, size_t size)
{
    if (!mark_source_chains(t))
        return -ELOOP;
    const char *why = NULL;
    for (unsigned h = 0; h < NF_INET_NUMHOOKS && !why; h++)
        if (t->builtin[h])
            why = check_chain(t, t->builtin[h], log, size);
    for (unsigned i = 0; i < t->user_chains->len && !why; i++)
        why = check_chain(t, g_ptr_array_index(t->user_chains, i), log, size);
    if (!why)
        return 0;
    if (why != log)
        g_strlcpy(log, why, size);
    return -EINVAL;
}

/* ---- the built-in extensions (ipt_builtin_tg, ipt_builtin_mt) ------------------------ */

/* ACCEPT, DROP, QUEUE, RETURN and jumps: ipt_do_table itself acts on them. */
const struct xt_target xt_standard_target = {
    .name = "standard",
};

/* icmp_match: the type, and the code within a range (icmp_type_code_match). */
static bool icmp_match(const struct sk_buff *skb, struct xt_action_param *par)
{
    const struct ipt_icmp *icmpinfo = par->matchinfo;
    if (par->fragoff != 0)
        return false;
    if (par->l4_len < sizeof(struct icmphdr)) {
        par->hotdrop = true;            /* skb_header_pointer of an icmphdr failed: drop */
        return false;
    }
    uint8_t type = par->l4[0], code = par->l4[1];
    bool hit = icmpinfo->type == 0xff ||
               (type == icmpinfo->type && code >= icmpinfo->code[0] && code <= icmpinfo->code[1]);
    return hit ^ !!(icmpinfo->invflags & IPT_ICMP_INV);
}

const struct xt_match ipt_icmp_match = {
    .name = "icmp", .proto = IPPROTO_ICMP, .match = icmp_match,
};

/* icmp6_match (net/ipv6/netfilter/ip6_tables.c): the type and the code within a
 * range, as icmp_match but without a wildcard type. */
static bool icmp6_match(const struct sk_buff *skb, struct xt_action_param *par)
{
    (void)skb;
    const struct ipt_icmp *icmpinfo = par->matchinfo;
    if (par->fragoff != 0)
        return false;
    if (par->l4_len < ICMPV6_HLEN) {
        par->hotdrop = true;            /* skb_header_pointer of an icmp6hdr failed: drop */
        return false;
    }
    uint8_t type = par->l4[0], code = par->l4[1];
    bool hit = type == icmpinfo->type && code >= icmpinfo->code[0] && code <= icmpinfo->code[1];
    return hit ^ !!(icmpinfo->invflags & IPT_ICMP_INV);
}

const struct xt_match ip6t_icmp6_match = {
    .name = "icmp6", .proto = NEXTHDR_ICMP, .match = icmp6_match,
};

/* ---- ipt_do_table ------------------------------------------------------------------ */

/* Compare a device name with a rule's, byte by byte under its mask, as the kernel
 * does (an exact name includes its NUL; "eth+" stops before the '+'). */
static bool ifname_match(const char *dev, const char *name, const uint8_t *mask)
{
    for (unsigned i = 0; i < IFNAMSIZ; i++)
        if ((dev[i] ^ name[i]) & mask[i])
            return false;
    return true;
}

#define FWINV(cond, flag) ((cond) ^ !!(ip->invflags & (flag)))

static bool ip_packet_match(const struct ipt_ip *ip, const struct iphdr *iph, const char *indev,
                            const char *outdev, unsigned fragoff)
{
    if (FWINV((iph->saddr & ip->smsk) != ip->src, IPT_INV_SRCIP) ||
        FWINV((iph->daddr & ip->dmsk) != ip->dst, IPT_INV_DSTIP))
        return false;
    if (FWINV(!ifname_match(indev, ip->iniface, ip->iniface_mask), IPT_INV_VIA_IN) ||
        FWINV(!ifname_match(outdev, ip->outiface, ip->outiface_mask), IPT_INV_VIA_OUT))
        return false;
    if (ip->proto && FWINV(iph->protocol != ip->proto, XT_INV_PROTO))
        return false;
    return !FWINV((ip->flags & IPT_F_FRAG) && !fragoff, IPT_INV_FRAG);
}

#undef FWINV

static void devname(char *buf, const struct net_device *dev)
{
    memset(buf, 0, IFNAMSIZ);
    if (dev)
        memcpy(buf, dev->name, strnlen(dev->name, IFNAMSIZ));
}

/* What the matches read: the IP header, the fragment offset and the transport
 * header's real bytes (within the IP total length). */
static void action_param_init(struct xt_action_param *par, struct sk_buff *skb)
{
    const uint8_t *nh = skb_network_header(skb);
    const uint8_t *end = skb->data + skb->len;
    par->skb = skb;
    par->iph = (const struct iphdr *)nh;
    par->fragoff = ntohs(par->iph->frag_off) & IP_OFFSET;
    par->l4 = nh + ip_hdrlen(par->iph);
    const uint8_t *l4_end = nh + ntohs(par->iph->tot_len);
    if (l4_end > end)
        l4_end = end;
    par->l4_len = l4_end > par->l4 ? (uint32_t)(l4_end - par->l4) : 0;
    par->hotdrop = false;
}

/* ipv6_find_hdr(skb, &offset, -1, &fragoff, NULL) (net/ipv6/exthdrs_core.c): the
 * transport protocol past the extension headers, its offset in *off, the fragment
 * offset (bytes) in *fragoff. A later fragment stops at its fragment header and
 * gives the protocol that header names. -1 when there is no transport header
 * (NEXTHDR_NONE, or a header cut short). */
static int ipv6_find_hdr(const uint8_t *nh, uint32_t len, uint32_t *off, unsigned *fragoff)
{
    uint8_t nexthdr = ((const struct ipv6hdr *)nh)->nexthdr;
    uint32_t o = sizeof(struct ipv6hdr);
    *fragoff = 0;
    for (;;) {
        if (nexthdr == NEXTHDR_NONE)
            return -1;
        bool ext = nexthdr == NEXTHDR_HOP || nexthdr == NEXTHDR_ROUTING ||
                   nexthdr == NEXTHDR_DEST || nexthdr == NEXTHDR_FRAGMENT || nexthdr == 51;
        if (!ext)
            break;
        if (o + 8 > len)
            return -1;
        const uint8_t *hp = nh + o;
        uint32_t hdrlen;
        if (nexthdr == NEXTHDR_FRAGMENT) {
            unsigned foff = ntohs(((const struct frag_hdr *)hp)->frag_off) & IP6_OFFSET;
            if (foff) {
                *fragoff = foff;
                *off = o + 8;
                return hp[0];
            }
            hdrlen = 8;
        } else if (nexthdr == 51) {     /* NEXTHDR_AUTH: length in 4-byte units, minus 2 */
            hdrlen = ((uint32_t)hp[1] + 2) << 2;
        } else {
            hdrlen = ((uint32_t)hp[1] + 1) << 3;    /* ipv6_optlen */
        }
        nexthdr = hp[0];
        o += hdrlen;
    }
    *off = o;
    return nexthdr;
}

/* The IPv6 walk's view: the header, the transport protocol found past the
 * extension headers (-1: none) and its bytes within the payload length. */
static int action_param_init6(struct xt_action_param *par, struct sk_buff *skb)
{
    const uint8_t *nh = skb_network_header(skb);
    const uint8_t *end = skb->data + skb->len;
    par->skb = skb;
    par->iph = NULL;
    par->ip6h = (const struct ipv6hdr *)nh;
    const uint8_t *l3_end = nh + sizeof(struct ipv6hdr) + ntohs(par->ip6h->payload_len);
    if (l3_end > end)
        l3_end = end;
    uint32_t off = 0;
    int proto = ipv6_find_hdr(nh, (uint32_t)(l3_end - nh), &off, &par->fragoff);
    par->l4 = proto < 0 ? l3_end : nh + off;
    par->l4_len = par->l4 < l3_end ? (uint32_t)(l3_end - par->l4) : 0;
    par->hotdrop = false;
    return proto;
}

static bool entry_matches_ext(const struct ipt_entry *e, struct xt_action_param *par)
{
    for (unsigned i = 0; i < e->nmatches; i++) {
        const struct xt_entry_match *m = &e->matches[i];
        par->matchinfo = &m->data;
        if (!m->match->match(par->skb, par))
            return false;
    }
    return true;
}

static bool entry_matches(const struct ipt_entry *e, struct xt_action_param *par,
                          const char *indev, const char *outdev)
{
    if (!ip_packet_match(&e->ip, par->iph, indev, outdev, par->fragoff))
        return false;
    return entry_matches_ext(e, par);
}

/* ipv6_masked_addr_cmp: does addr under mask differ from the rule's (masked) one? */
static bool ipv6_masked_addr_differs(const uint8_t *a, const struct in6_addr *m,
                                     const struct in6_addr *r)
{
    for (unsigned i = 0; i < 16; i++)
        if ((a[i] & m->s6_addr[i]) != r->s6_addr[i])
            return true;
    return false;
}

#define FWINV(cond, flag) ((cond) ^ !!(ip->invflags & (flag)))

/* ip6_packet_match (net/ipv6/netfilter/ip6_tables.c): addresses under their
 * prefixes, devices, and with -p (IP6T_F_PROTO) the protocol past the extension
 * headers; `-p all` wants a transport header to exist. */
static bool ip6_packet_match(const struct ipt_ip *ip, const struct ipv6hdr *ip6h, int proto,
                             const char *indev, const char *outdev)
{
    if (FWINV(ipv6_masked_addr_differs(ip6h->saddr.s6_addr, &ip->smsk6, &ip->src6),
              IPT_INV_SRCIP) ||
        FWINV(ipv6_masked_addr_differs(ip6h->daddr.s6_addr, &ip->dmsk6, &ip->dst6),
              IPT_INV_DSTIP))
        return false;
    if (FWINV(!ifname_match(indev, ip->iniface, ip->iniface_mask), IPT_INV_VIA_IN) ||
        FWINV(!ifname_match(outdev, ip->outiface, ip->outiface_mask), IPT_INV_VIA_OUT))
        return false;
    if (ip->flags & IP6T_F_PROTO) {
        if (proto < 0)
            return false;
        if (ip->proto == proto)
            return !(ip->invflags & XT_INV_PROTO);
        if (ip->proto != 0 && !(ip->invflags & XT_INV_PROTO))
            return false;
    }
    return true;
}

#undef FWINV

/* A target other than the standard one, with its data in par. */
static unsigned run_target(const struct xt_entry_target *tg, struct sk_buff *skb,
                           struct xt_action_param *par)
{
    par->targinfo = &tg->data;
    return tg->target->target(skb, par);
}

/* Report the rule (or policy) that decided, as the kernel's TRACE target names it. */
static void trace_verdict(const struct xt_table *t, struct sk_buff *skb, const struct xt_chain *c,
                          unsigned rulenum, unsigned verdict)
{
    struct net *net = t->net;
    if (!net->trace)
        return;
    char detail[96];
    if (rulenum)
        snprintf(detail, sizeof detail, "%s:%s:rule:%u %s", t->def->name, c->name, rulenum,
                 nf_verdict_name(verdict));
    else
        snprintf(detail, sizeof detail, "%s:%s:policy %s", t->def->name, c->name,
                 nf_verdict_name(verdict));
    trace_note(net, skb, t->af == NFPROTO_IPV6 ? "ip6t_do_table" : "ipt_do_table", detail);
}

struct jump_frame {
    struct xt_chain *chain;
    unsigned next;
};

/* Where the walk of one table for one packet is. */
struct ipt_walk {
    struct xt_table *t;
    struct sk_buff *skb;
    unsigned hook;
    uint32_t len;                       /* what the counters add: the IP total length */
    struct xt_chain *c;
    unsigned i;                         /* next rule of c */
    unsigned sp;
    struct jump_frame stack[XT_JUMP_STACK];
};

/* The end of a chain or a RETURN: back to the rule after the jump, or, with
 * nothing to go back to, the hook's built-in chain's policy (the kernel's
 * underflow). A built-in chain is only ever walked with an empty stack, so its
 * end is its policy. Returns true with *v set when the walk ends. */
static bool walk_return(struct ipt_walk *w, unsigned *v)
{
    if (w->sp > 0) {
        w->sp--;
        w->c = w->stack[w->sp].chain;
        w->i = w->stack[w->sp].next;
        return false;
    }
    struct xt_chain *b = w->t->builtin[w->hook];
    b->policy_counters.pcnt++;
    b->policy_counters.bcnt += w->len;
    trace_verdict(w->t, w->skb, b, 0, (unsigned)b->policy);
    *v = (unsigned)b->policy;
    if (b->policy == NF_DROP) {
        if (!b->policy_reason[0])
            g_snprintf(b->policy_reason, sizeof b->policy_reason, "%s %s: policy DROP",
                       w->t->def->name, b->name);
        w->skb->drop_reason = b->policy_reason;
    }
    return true;
}

/* The standard target: a jump (which remembers where to come back to), a goto
 * (which does not), RETURN, or a verdict. Returns true with *v set when the walk
 * ends. */
static bool standard_target(struct ipt_walk *w, const struct ipt_entry *e, unsigned *v)
{
    const struct xt_entry_target *tg = &e->target;
    if (tg->chain) {
        if (!(e->ip.flags & IPT_F_GOTO)) {
            if (w->sp == XT_JUMP_STACK) {     /* the kernel's stacksize check */
                *v = nf_drop_reason(w->skb, NF_DROP, "ipt_do_table: jump stack full");
                return true;
            }
            w->stack[w->sp++] = (struct jump_frame){ w->c, w->i + 1 };
        }
        w->c = tg->chain;
        w->i = 0;
        return false;
    }
    if (tg->verdict == XT_RETURN)
        return walk_return(w, v);
    trace_verdict(w->t, w->skb, w->c, w->i + 1, (unsigned)tg->verdict);
    *v = (unsigned)tg->verdict;
    return true;
}

/* A rule's verdict: a drop carries "TABLE CHAIN: -j TARGET" as its reason (unless a
 * more precise one was set), written into the rule the first time. */
static unsigned rule_drop_reason(struct ipt_walk *w, struct ipt_entry *e, unsigned v)
{
    if ((v & NF_VERDICT_MASK) != NF_DROP || w->skb->drop_reason)
        return v;
    if (!e->drop_reason[0])
        g_snprintf(e->drop_reason, sizeof e->drop_reason, "%s %s: -j %s", w->t->def->name,
                   w->c->name, e->target.target == &xt_standard_target ? "DROP"
                                                                   : e->target.target->name);
    w->skb->drop_reason = e->drop_reason;
    return v;
}

/* The walk of both families: v6 is a constant in each caller, so the compiler
 * builds ipt_do_table without any IPv6 test in it. */
static inline __attribute__((always_inline)) unsigned
xt_do_table(struct xt_table *t, struct sk_buff *skb, const struct nf_hook_state *state, bool v6)
{
    if (!t->builtin[state->hook])
        return NF_ACCEPT;
    struct ipt_walk w = { .t = t, .skb = skb, .hook = state->hook, .c = t->builtin[state->hook] };
    struct xt_action_param par = { .state = state, .table = t };
    int proto = 0;
    if (v6) {
        proto = action_param_init6(&par, skb);
        w.len = sizeof(struct ipv6hdr) + ntohs(par.ip6h->payload_len);
    } else {
        action_param_init(&par, skb);
        w.len = ntohs(par.iph->tot_len);
    }
    char indev[IFNAMSIZ], outdev[IFNAMSIZ];
    devname(indev, state->in);
    devname(outdev, state->out);
    unsigned v;
    for (;;) {
        if (w.i >= w.c->rules->len) {
            if (walk_return(&w, &v))
                return v;
            continue;
        }
        struct ipt_entry *e = g_ptr_array_index(w.c->rules, w.i);
        bool hit = v6 ? ip6_packet_match(&e->ip, par.ip6h, proto, indev, outdev) &&
                            entry_matches_ext(e, &par)
                      : entry_matches(e, &par, indev, outdev);
        if (!hit) {
            if (par.hotdrop)
                return nf_drop_reason(skb, NF_DROP,
                                      v6 ? "ip6t_do_table: malformed packet (hotdrop)"
                                         : "ipt_do_table: malformed packet (hotdrop)");
            w.i++;
            continue;
        }
        e->counters.pcnt++;
        e->counters.bcnt += w.len;
        const struct xt_entry_target *tg = &e->target;
        if (!tg->target) {
            w.i++;                      /* a rule without -j only counts */
        } else if (tg->target == &xt_standard_target) {
            if (standard_target(&w, e, &v))
                return rule_drop_reason(&w, e, v);
        } else if ((v = run_target(tg, skb, &par)) != XT_CONTINUE) {
            trace_verdict(t, skb, w.c, w.i + 1, v);
            return rule_drop_reason(&w, e, v);
        } else {
            /* the target may have changed the packet */
            if (v6)
                proto = action_param_init6(&par, skb);
            else
                action_param_init(&par, skb);
            w.i++;
        }
    }
}

unsigned ipt_do_table(struct xt_table *t, struct sk_buff *skb, const struct nf_hook_state *state)
{
    return xt_do_table(t, skb, state, false);
}

unsigned ip6t_do_table(struct xt_table *t, struct sk_buff *skb, const struct nf_hook_state *state)
{
    return xt_do_table(t, skb, state, true);
}

/* ---- teardown ---------------------------------------------------------------------- */

static void table_free(struct xt_table *t)
{
    for (unsigned h = 0; h < NF_INET_NUMHOOKS; h++)
        if (t->builtin[h])
            xt_chain_flush(t, t->builtin[h]);
    for (unsigned i = 0; i < t->user_chains->len; i++)
        xt_chain_flush(t, g_ptr_array_index(t->user_chains, i));
    xt_table_unload(t);
    for (unsigned h = 0; h < NF_INET_NUMHOOKS; h++)
        if (t->builtin[h])
            xt_chain_free(t->builtin[h]);
    for (unsigned i = 0; i < t->user_chains->len; i++)
        xt_chain_free(g_ptr_array_index(t->user_chains, i));
    g_ptr_array_free(t->user_chains, TRUE);
    g_free(t);
}

void xt_net_exit(struct net *net)
{
    if (!net->xt)
        return;
    for (unsigned id = 0; id < XT_TABLE_MAX; id++)
        if (net->xt->tables[id])
            table_free(net->xt->tables[id]);
    for (unsigned id = 0; id < XT_TABLE_MAX; id++)
        if (net->xt->tables6[id])
            table_free(net->xt->tables6[id]);
    g_free(net->xt);
    net->xt = NULL;
}
