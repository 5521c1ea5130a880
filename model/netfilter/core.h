/* The netfilter hook core: registration of hook functions at the five hook points
 * of each family (IPv4, IPv6: a table per family, as struct netns_nf has), ordered
 * by priority with the kernel era's tie rule, and the traversal (nf_hook_slow) with
 * each era's verdict semantics.
 *
 * nf_hook returns 1 when the packet may continue (the caller then runs okfn),
 * anything else when the hooks consumed it: a negative errno for a drop, 0 for
 * stolen or queued. With no hook registered at a point it returns 1 at once. */
#ifndef IPVSIM_MODEL_NETFILTER_CORE_H
#define IPVSIM_MODEL_NETFILTER_CORE_H

#include <glib.h>
#include <limits.h>
#include <stdint.h>
#include <stdbool.h>
#include "model/profile.h"
#include "sim/skb.h"

struct net;
struct net_device;

enum nf_inet_hooks {
    NF_INET_PRE_ROUTING,
    NF_INET_LOCAL_IN,
    NF_INET_FORWARD,
    NF_INET_LOCAL_OUT,
    NF_INET_POST_ROUTING,
    NF_INET_NUMHOOKS
};

/* The families (include/uapi/linux/netfilter.h enum nfproto). A registration's pf
 * chooses the table; the model's IPv4 registrants written before IPv6 was modelled
 * leave pf 0 (NFPROTO_UNSPEC), which the core takes as IPv4. */
#define NFPROTO_UNSPEC 0
#define NFPROTO_IPV4 2
#define NFPROTO_IPV6 10

/* Verdicts: the code is the low byte (2.6.34: the low 16 bits), the upper 16 bits
 * carry the queue number or a negative errno, bit 15 the queue-bypass flag. */
enum {
    NF_DROP = 0,
    NF_ACCEPT = 1,
    NF_STOLEN = 2,
    NF_QUEUE = 3,
    NF_REPEAT = 4,
    NF_STOP = 5,
};
#define NF_VERDICT_MASK 0x000000ffu
#define NF_VERDICT_QMASK 0xffff0000u
#define NF_VERDICT_QBITS 16
#define NF_VERDICT_FLAG_QUEUE_BYPASS 0x00008000u
#define NF_QUEUE_NR(x) ((((unsigned)(x) << 16) & NF_VERDICT_QMASK) | NF_QUEUE)
#define NF_DROP_ERR(x) (((unsigned)(-(x))) << 16)   /* x is a negative errno */

/* A hook function's drop with its reason: why is a static string (no allocation per
 * packet) that nf_hook_slow counts under the hook point and the hook function
 * (net->nf_drops), as 6.x kernels pass an skb_drop_reason with NF_DROP_REASON.
 * Returns verdict (NF_DROP, or an NF_DROP_ERR value). */
static inline unsigned nf_drop_reason(struct sk_buff *skb, unsigned verdict, const char *why)
{
    skb->drop_reason = why;
    return verdict;
}

/* Drops counted by hook point, hook function and reason (net->nf_drops). */
struct nf_drop_stat {
    unsigned hook;
    char *func;                     /* the hook function's name (a copy) */
    char *reason;                   /* a copy; "NF_DROP" when the function gave none */
    uint64_t count;
};

/* enum nf_ip_hook_priorities */
#define NF_IP_PRI_FIRST INT_MIN
#define NF_IP_PRI_RAW_BEFORE_DEFRAG (-450)
#define NF_IP_PRI_CONNTRACK_DEFRAG (-400)
#define NF_IP_PRI_RAW (-300)
#define NF_IP_PRI_SELINUX_FIRST (-225)
#define NF_IP_PRI_CONNTRACK (-200)
#define NF_IP_PRI_MANGLE (-150)
#define NF_IP_PRI_NAT_DST (-100)
#define NF_IP_PRI_FILTER 0
#define NF_IP_PRI_SECURITY 50
#define NF_IP_PRI_NAT_SRC 100
#define NF_IP_PRI_SELINUX_LAST 225
#define NF_IP_PRI_CONNTRACK_HELPER 300
#define NF_IP_PRI_CONNTRACK_CONFIRM INT_MAX
#define NF_IP_PRI_LAST INT_MAX

#define NF_MAX_HOOK_ENTRIES 1024    /* MAX_HOOK_COUNT; one more is -E2BIG */

typedef int (*nf_okfn)(struct net *net, struct sk_buff *skb);

struct nf_hook_state {
    unsigned hook;
    uint8_t pf;
    struct net_device *in, *out;
    struct net *net;
    nf_okfn okfn;
};

typedef unsigned (*nf_hookfn)(void *priv, struct sk_buff *skb, const struct nf_hook_state *state);

/* One registration. name is the hook function's kernel name as a trace shows it
 * ("ipv4_conntrack_in", "ip_vs_in_hook"); owner the module ("nf_conntrack",
 * "iptable_filter", "ip_vs", "user"). The registrant keeps the struct alive while
 * it is registered. */
struct nf_hook_ops {
    nf_hookfn hook;
    const char *name;
    const char *owner;
    void *priv;
    uint8_t pf;
    unsigned hooknum;
    int priority;
};

/* The ordered entries of one hook point. */
struct nf_hook_entries {
    uint16_t num, cap;
    const struct nf_hook_ops **ops;
};

/* A host's hook tables, one per family (include/net/netns/netfilter.h struct
 * netns_nf: hooks_ipv4, hooks_ipv6). */
struct netns_nf {
    struct nf_hook_entries hooks_ipv4[NF_INET_NUMHOOKS];
    struct nf_hook_entries hooks_ipv6[NF_INET_NUMHOOKS];
};

/* Register at ops->hooknum of ops->pf's table (NFPROTO_IPV6: the IPv6 one, else
 * IPv4) in traversal order: after every entry of lower priority,
 * and among equal priorities first (LIFO eras) or last (FIFO eras). Returns 0,
 * -E2BIG past NF_MAX_HOOK_ENTRIES, -EINVAL for a bad hook number, -EEXIST if these
 * very ops are already registered. */
int nf_register_net_hook(struct net *net, const struct nf_hook_ops *ops);
/* Unregistering never fails; unknown ops are ignored. */
void nf_unregister_net_hook(struct net *net, const struct nf_hook_ops *ops);

/* The IPv4 table's entries at hook; nf_hook_entries_of_pf: pf's (NULL for a bad
 * hook number). */
const struct nf_hook_entries *nf_hook_entries_of(const struct net *net, unsigned hook);
const struct nf_hook_entries *nf_hook_entries_of_pf(const struct net *net, uint8_t pf, unsigned hook);

/* The ordered insert and the removal behind registration, shared with the NAT
 * core's private chain lists (the kernel uses one routine for both). */
int nf_hook_entries_insert(struct nf_hook_entries *e, const struct nf_hook_ops *ops,
                           enum nf_tie_rule tie);
bool nf_hook_entries_remove(struct nf_hook_entries *e, const struct nf_hook_ops *ops);
void nf_hook_entries_free(struct nf_hook_entries *e);
/* The core's teardown of a host (net/netfilter/core.c netfilter_net_ops): the hook
 * arrays and the drop statistics. */
void netfilter_net_exit(struct net *net);

/* nf_hook: an IPv4 hook point; nf_hook_pf: the kernel's nf_hook(pf, hook, ...), the
 * table of family pf. NF_HOOK_PF and NF_HOOK_COND_PF are the kernel's NF_HOOK and
 * NF_HOOK_COND with their family; NF_HOOK and NF_HOOK_COND are IPv4's. */
int nf_hook(unsigned hook, struct net *net, struct sk_buff *skb, struct net_device *in,
            struct net_device *out, nf_okfn okfn);
int nf_hook_pf(uint8_t pf, unsigned hook, struct net *net, struct sk_buff *skb,
               struct net_device *in, struct net_device *out, nf_okfn okfn);

static inline int NF_HOOK_PF(uint8_t pf, unsigned hook, struct net *net, struct sk_buff *skb,
                             struct net_device *in, struct net_device *out, nf_okfn okfn)
{
    int r = nf_hook_pf(pf, hook, net, skb, in, out, okfn);
    return r == 1 ? okfn(net, skb) : r;
}

static inline int NF_HOOK_COND_PF(uint8_t pf, unsigned hook, struct net *net,
                                  struct sk_buff *skb, struct net_device *in,
                                  struct net_device *out, nf_okfn okfn, int cond)
{
    return cond ? NF_HOOK_PF(pf, hook, net, skb, in, out, okfn) : okfn(net, skb);
}

static inline int NF_HOOK(unsigned hook, struct net *net, struct sk_buff *skb,
                          struct net_device *in, struct net_device *out, nf_okfn okfn)
{
    int r = nf_hook(hook, net, skb, in, out, okfn);
    return r == 1 ? okfn(net, skb) : r;
}

static inline int NF_HOOK_COND(unsigned hook, struct net *net, struct sk_buff *skb,
                               struct net_device *in, struct net_device *out, nf_okfn okfn,
                               int cond)
{
    return cond ? NF_HOOK(hook, net, skb, in, out, okfn) : okfn(net, skb);
}

const char *nf_hook_name(unsigned hook);             /* "PRE_ROUTING" ... */
/* net->nf_drops ordered by hook point, hook function and reason (an order that does
 * not depend on which drop came first); *n of them; g_free the array. */
const struct nf_drop_stat **nf_drop_stats_sorted(const struct net *net, guint *n);
/* Parse "PRE_ROUTING", "prerouting", "NF_INET_PRE_ROUTING" ...; -1 if unknown. */
int nf_hook_parse(const char *s);
const char *nf_verdict_name(unsigned verdict);        /* "ACCEPT", "DROP", ... */

#endif
