/* The five iptables tables (net/ipv4/netfilter/iptable_{raw,mangle,nat,filter,
 * security}.c): their built-in chains, priorities and hook functions per era, and
 * their registration when a command first names them (the kernel loads the module
 * then; from 4.x on the table is instantiated per netns on first use).
 *
 * Hook function names per era, as a trace and `ipvsim hooks` show them:
 *   2.6.34 .. 5.x   iptable_{raw,filter,security}_hook: thin wrappers around
 *                   ipt_do_table (from the xt_hook_link rework on; 5.10 has them)
 *   ≈5.16+ ("6.x")  ipt_do_table itself is the hook function (6.1 has it so)
 *   every era       iptable_mangle_hook (its LOCAL_OUT re-routes when the rules
 *                   changed the mark, TOS or an address)
 * The nat table's chains register through nf_nat_ipv4_register_fn; the name is of
 * the function that runs the table for the NAT core: nf_nat_rule_find in 2.6.34,
 * iptable_nat_do_chain up to 5.x, ipt_do_table in 6.x.
 *
 * ip6_tables' tables (net/ipv6/netfilter/ip6table_{raw,mangle,filter,security}.c)
 * are the same tables on the IPv6 hooks at the NF_IP6_PRI_* priorities (the same
 * numbers; the raw table at NF_IP6_PRI_FIRST before 3.10), their hook functions named
 * ip6table_*_hook / ip6t_do_table by the same era rule (the 5.16 rework changed both
 * families). ip6table_nat (3.7+) registers its chains with the NAT66 core
 * (nf_nat_ipv6_register_fn) at NF_IP6_PRI_NAT_DST/SRC, through
 * ip6table_nat_do_chain (ip6t_do_table in 6.x). */
#include "model/netfilter/x_tables.h"

#include <string.h>
#include "model/ipv4/ip.h"
#include "model/net.h"
#include "model/netfilter/nf_conntrack.h"
#include "model/netfilter/netfilter_ipv6.h"
#include "model/netfilter/nf_nat.h"
#include "model/ipv4/route.h"

#define HOOK(h) (1u << (h))

#define PRE HOOK(NF_INET_PRE_ROUTING)
#define IN HOOK(NF_INET_LOCAL_IN)
#define FWD HOOK(NF_INET_FORWARD)
#define OUT HOOK(NF_INET_LOCAL_OUT)
#define POST HOOK(NF_INET_POST_ROUTING)

static const struct xt_table_def table_defs[XT_TABLE_MAX] = {
    [XT_TABLE_RAW] = { "raw", "iptable_raw", "ip6table_raw", PRE | OUT, NF_IP_PRI_RAW, false },
    [XT_TABLE_MANGLE] = { "mangle", "iptable_mangle", "ip6table_mangle",
                          PRE | IN | FWD | OUT | POST, NF_IP_PRI_MANGLE, false },
    /* INPUT is added in eras with a nat INPUT chain; priorities are per hook */
    [XT_TABLE_NAT] = { "nat", "iptable_nat", "ip6table_nat", PRE | OUT | POST,
                       NF_IP_PRI_NAT_DST, true },
    [XT_TABLE_FILTER] = { "filter", "iptable_filter", "ip6table_filter", IN | FWD | OUT,
                          NF_IP_PRI_FILTER, false },
    [XT_TABLE_SECURITY] = { "security", "iptable_security", "ip6table_security",
                            IN | FWD | OUT, NF_IP_PRI_SECURITY, false },
};

#undef PRE
#undef IN
#undef FWD
#undef OUT
#undef POST

const struct xt_table_def *xt_table_def_of(enum xt_table_id id)
{
    return &table_defs[id];
}

int xt_table_id_by_name(const char *name)
{
    for (int i = 0; i < XT_TABLE_MAX; i++)
        if (strcmp(table_defs[i].name, name) == 0)
            return i;
    return -1;
}

unsigned xt_table_valid_hooks(const struct xt_table_def *def, const struct net *net)
{
    unsigned hooks = def->valid_hooks;
    if (def->nat && net->prof->nat_input_chain)
        hooks |= HOOK(NF_INET_LOCAL_IN);
    return hooks;
}

/* ---- hook function names per era ------------------------------------------------ */

/* The era's facts are in the profile (ipt_hook_wrappers, nat_table_fn). */
static const char *const wrapper_names[XT_TABLE_MAX] = {
    [XT_TABLE_RAW] = "iptable_raw_hook", [XT_TABLE_MANGLE] = "iptable_mangle_hook",
    [XT_TABLE_FILTER] = "iptable_filter_hook", [XT_TABLE_SECURITY] = "iptable_security_hook",
};

static const char *const wrapper_names6[XT_TABLE_MAX] = {
    [XT_TABLE_RAW] = "ip6table_raw_hook", [XT_TABLE_MANGLE] = "ip6table_mangle_hook",
    [XT_TABLE_FILTER] = "ip6table_filter_hook", [XT_TABLE_SECURITY] = "ip6table_security_hook",
};

static const char *hook_fn_name(const struct kernel_profile *prof, enum xt_table_id id)
{
    if (id == XT_TABLE_NAT)
        return prof->nat_table_fn;
    if (id == XT_TABLE_MANGLE || prof->ipt_hook_wrappers)
        return wrapper_names[id];
    return "ipt_do_table";
}

static const char *hook_fn_name6(const struct kernel_profile *prof, enum xt_table_id id)
{
    /* ip6table_nat's do_chain callback, then ip6t_do_table as IPv4's (5.16) */
    if (id == XT_TABLE_NAT)
        return strcmp(prof->nat_table_fn, "ipt_do_table") == 0 ? "ip6t_do_table"
                                                                : "ip6table_nat_do_chain";
    if (id == XT_TABLE_MANGLE || prof->ipt_hook_wrappers)
        return wrapper_names6[id];
    return "ip6t_do_table";
}

/* ---- the hook functions --------------------------------------------------------- */

static unsigned iptable_hook(void *priv, struct sk_buff *skb, const struct nf_hook_state *state)
{
    return ipt_do_table(priv, skb, state);
}

/* Whatever could change the route of a local packet is saved before the table and
 * compared after: the kernel routes the packet again when any of it changed. */
static unsigned ipt_mangle_out(struct xt_table *t, struct sk_buff *skb,
                               const struct nf_hook_state *state)
{
    const struct iphdr *iph = ip_hdr(skb);
    uint32_t mark = skb->mark;
    be32 saddr = iph->saddr, daddr = iph->daddr;
    uint8_t tos = iph->tos;
    unsigned ret = ipt_do_table(t, skb, state);
    if (ret == NF_DROP || ret == NF_STOLEN)
        return ret;
    iph = ip_hdr(skb);
    if (iph->saddr != saddr || iph->daddr != daddr || skb->mark != mark || iph->tos != tos) {
        int err = ip_route_me_harder(state->net, skb);
        /* eras before NF_DROP_ERR (2.6.34) drop without an errno */
        if (err < 0)
            ret = nf_drop_reason(skb, state->net->prof->drop_errno ? NF_DROP_ERR(err) : NF_DROP,
                                 "ip_route_me_harder: no route");
    }
    return ret;
}

static unsigned iptable_mangle_hook(void *priv, struct sk_buff *skb,
                                    const struct nf_hook_state *state)
{
    if (state->hook == NF_INET_LOCAL_OUT)
        return ipt_mangle_out(priv, skb, state);
    return ipt_do_table(priv, skb, state);
}

/* The nat table runs for a connection's first packet only, before its binding for
 * this direction exists. The NAT core calls it only then; the check here keeps the
 * table honest should anything else call it. */
static unsigned iptable_nat_do_chain(void *priv, struct sk_buff *skb,
                                     const struct nf_hook_state *state)
{
    enum ip_conntrack_info ctinfo = IP_CT_ESTABLISHED;
    struct nf_conn *ct = nf_ct_get(skb, &ctinfo);
    if (!ct || (ctinfo != IP_CT_NEW && ctinfo != IP_CT_RELATED && ctinfo != IP_CT_RELATED_REPLY))
        return NF_ACCEPT;
    bool dst = state->hook == NF_INET_PRE_ROUTING || state->hook == NF_INET_LOCAL_OUT;
    if (nf_nat_initialized(ct, dst ? NF_NAT_MANIP_DST : NF_NAT_MANIP_SRC))
        return NF_ACCEPT;
    return ipt_do_table(priv, skb, state);
}

/* ip6table_mangle_hook: ip6t_mangle_out in the kernel re-routes a local packet
 * whose addresses, mark, hop limit or flow label the rules changed
 * (ip6_route_me_harder); the model has no IPv6 target that changes any of them but
 * MARK, and no mark-based IPv6 routing, so a re-route could not change the route. */
static unsigned ip6table_hook(void *priv, struct sk_buff *skb, const struct nf_hook_state *state)
{
    return ip6t_do_table(priv, skb, state);
}

/* ip6table_nat_do_chain: as iptable_nat_do_chain, for the IPv6 nat table. */
static unsigned ip6table_nat_do_chain(void *priv, struct sk_buff *skb,
                                      const struct nf_hook_state *state)
{
    enum ip_conntrack_info ctinfo = IP_CT_ESTABLISHED;
    struct nf_conn *ct = nf_ct_get(skb, &ctinfo);
    if (!ct || (ctinfo != IP_CT_NEW && ctinfo != IP_CT_RELATED && ctinfo != IP_CT_RELATED_REPLY))
        return NF_ACCEPT;
    bool dst = state->hook == NF_INET_PRE_ROUTING || state->hook == NF_INET_LOCAL_OUT;
    if (nf_nat_initialized(ct, dst ? NF_NAT_MANIP_DST : NF_NAT_MANIP_SRC))
        return NF_ACCEPT;
    return ip6t_do_table(priv, skb, state);
}

/* ---- registration -------------------------------------------------------------- */

static nf_hookfn table_hookfn(enum xt_table_id id)
{
    switch (id) {
    case XT_TABLE_MANGLE: return iptable_mangle_hook;
    case XT_TABLE_NAT: return iptable_nat_do_chain;
    default: return iptable_hook;
    }
}

/* The priorities of enum nf_ip6_hook_priorities: the same numbers as IPv4's; the raw
 * table's was NF_IP6_PRI_FIRST before 3.10 (profile: ip6table_raw_first). */
static int hook_priority6(const struct kernel_profile *prof, enum xt_table_id id)
{
    if (id == XT_TABLE_RAW && prof->ip6table_raw_first)
        return NF_IP6_PRI_FIRST;
    static const int prio[XT_TABLE_MAX] = {
        [XT_TABLE_RAW] = NF_IP6_PRI_RAW, [XT_TABLE_MANGLE] = NF_IP6_PRI_MANGLE,
        [XT_TABLE_NAT] = NF_IP6_PRI_NAT_DST, [XT_TABLE_FILTER] = NF_IP6_PRI_FILTER,
        [XT_TABLE_SECURITY] = NF_IP6_PRI_SECURITY,
    };
    return prio[id];
}

static int hook_priority(const struct xt_table_def *def, unsigned hook)
{
    if (!def->nat)
        return def->priority;
    return hook == NF_INET_PRE_ROUTING || hook == NF_INET_LOCAL_OUT ? NF_IP_PRI_NAT_DST
                                                                    : NF_IP_PRI_NAT_SRC;
}

static void build_ops(struct xt_table *t)
{
    enum xt_table_id id = (enum xt_table_id)(t->def - table_defs);
    t->nops = 0;
    for (unsigned h = 0; h < NF_INET_NUMHOOKS; h++) {
        if (!(t->valid_hooks & HOOK(h)))
            continue;
        if (t->af == NFPROTO_IPV6) {
            t->ops[t->nops++] = (struct nf_hook_ops){
                .hook = t->def->nat ? ip6table_nat_do_chain : ip6table_hook,
                .name = hook_fn_name6(t->net->prof, id),
                .owner = t->def->module6, .priv = t, .pf = NFPROTO_IPV6, .hooknum = h,
                .priority = t->def->nat ? hook_priority(t->def, h) : hook_priority6(t->net->prof, id),
            };
            continue;
        }
        t->ops[t->nops++] = (struct nf_hook_ops){
            .hook = table_hookfn(id), .name = hook_fn_name(t->net->prof, id),
            .owner = t->def->module, .priv = t, .pf = NFPROTO_IPV4, .hooknum = h,
            .priority = hook_priority(t->def, h),
        };
    }
}

static int register_one(struct xt_table *t, const struct nf_hook_ops *ops)
{
    if (t->def->nat)
        return t->af == NFPROTO_IPV6 ? nf_nat_ipv6_register_fn(t->net, ops)
                                     : nf_nat_ipv4_register_fn(t->net, ops);
    return nf_register_net_hook(t->net, ops);
}

static void unregister_one(struct xt_table *t, const struct nf_hook_ops *ops)
{
    if (t->def->nat && t->af == NFPROTO_IPV6)
        nf_nat_ipv6_unregister_fn(t->net, ops);
    else if (t->def->nat)
        nf_nat_ipv4_unregister_fn(t->net, ops);
    else
        nf_unregister_net_hook(t->net, ops);
}

int xt_table_load(struct xt_table *t)
{
    if (t->registered)
        return 0;
    build_ops(t);
    for (unsigned i = 0; i < t->nops; i++) {
        int err = register_one(t, &t->ops[i]);
        if (err < 0) {
            while (i-- > 0)
                unregister_one(t, &t->ops[i]);
            return err;
        }
    }
    t->registered = true;
    return 0;
}

void xt_table_unload(struct xt_table *t)
{
    if (!t->registered)
        return;
    for (unsigned i = t->nops; i-- > 0;)
        unregister_one(t, &t->ops[i]);
    t->registered = false;
}
