/* iptables in the kernel model (net/netfilter/x_tables.c, net/ipv4/netfilter/
 * ip_tables.c and the iptable_* modules): per-net tables of chains of rules, the
 * matches and targets rules use, and ipt_do_table, which walks a table for a packet
 * at one hook.
 *
 * The kernel keeps a table as one blob of entries with jump offsets; the model keeps
 * chains as arrays of rule pointers and jumps as chain pointers, which reads the
 * same and needs no relocation when rules are added. Matches and targets are the
 * kernel halves of the extensions (struct xt_match / xt_target, one file each under
 * xt/, registered in x_tables.c); a rule keeps a pointer to its extension's struct,
 * resolved once when the rule arrives, so a packet never looks a name up. Command
 * lines, the extensions' option parsers and the messages iptables prints are
 * userspace's (model/user/iptables/). */
#ifndef IPVSIM_MODEL_NETFILTER_X_TABLES_H
#define IPVSIM_MODEL_NETFILTER_X_TABLES_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "model/netfilter/core.h"
#include "model/netfilter/nf_nat.h"
#include "sim/netdev.h"
#include "sim/proto.h"
#include "sim/proto6.h"

struct net;

#define XT_EXTENSION_MAXNAMELEN 29      /* chain and target names hold 28 characters */
#define XT_JUMP_STACK 256               /* nested jumps ipt_do_table follows; deeper drops */
#define XT_MAX_COMMENT_LEN 256
#define XT_LOG_PREFIX_LEN 30            /* 29 characters */

/* The verdicts a standard target stores besides NF_ACCEPT / NF_DROP / NF_QUEUE. */
#define XT_RETURN (-NF_REPEAT - 1)
#define XT_CONTINUE 0xFFFFFFFFu         /* a target's "go on with the next rule" */

enum xt_table_id {
    XT_TABLE_RAW,
    XT_TABLE_MANGLE,
    XT_TABLE_NAT,
    XT_TABLE_FILTER,
    XT_TABLE_SECURITY,
    XT_TABLE_MAX
};

struct xt_counters {
    uint64_t pcnt, bcnt;
};

/* ---- the IP part of a rule (struct ipt_ip) ------------------------------------ */

#define IPT_F_FRAG 0x01                 /* -f: second and further fragments only */
#define IPT_F_GOTO 0x02                 /* -g: jump without return */
#define IP6T_F_PROTO 0x01               /* IPv6 rules: -p given (ip6tables has no -f) */

#define IPT_INV_VIA_IN  0x01
#define IPT_INV_VIA_OUT 0x02
#define IPT_INV_SRCIP   0x08
#define IPT_INV_DSTIP   0x10
#define IPT_INV_FRAG    0x20
#define XT_INV_PROTO    0x40

/* One struct for both families' rules: an IPv4 rule uses the be32 fields, an IPv6
 * rule (struct ip6t_ip6, in a table whose af is NFPROTO_IPV6) the in6_addr ones.
 * Rules are few, so the 64 bytes an IPv4 rule carries unused cost nothing that
 * matters; packets never see them. */
struct ipt_ip {
    be32 src, dst, smsk, dmsk;          /* src/dst are stored masked */
    struct in6_addr src6, dst6, smsk6, dmsk6;   /* IPv6: src6/dst6 stored masked */
    char iniface[IFNAMSIZ], outiface[IFNAMSIZ];
    uint8_t iniface_mask[IFNAMSIZ], outiface_mask[IFNAMSIZ];  /* 0xff: byte compared */
    uint16_t proto;                     /* 0: any */
    uint8_t flags, invflags;
    uint8_t af;                         /* 0: an IPv4 rule; NFPROTO_IPV6: an ip6tables one */
};

/* ---- match data --------------------------------------------------------------- */

#define XT_TCP_INV_SRCPT 0x01
#define XT_TCP_INV_DSTPT 0x02
#define XT_TCP_INV_FLAGS 0x04
struct xt_tcp {
    uint16_t spts[2], dpts[2];          /* host order, inclusive ranges */
    uint8_t flg_mask, flg_cmp;
    uint8_t invflags;
};

#define XT_UDP_INV_SRCPT 0x01
#define XT_UDP_INV_DSTPT 0x02
struct xt_udp {
    uint16_t spts[2], dpts[2];
    uint8_t invflags;
};

#define IPT_ICMP_INV 0x01
struct ipt_icmp {
    uint8_t type;                       /* 0xff: any */
    uint8_t code[2];
    uint8_t invflags;
};

struct xt_mark_mtinfo1 {
    uint32_t mark, mask;
    uint8_t invert;
};

/* Connection states as -m state and -m conntrack see them (xt_state.h). */
#define XT_STATE_BIT(ctinfo) (1u << ((ctinfo) % IP_CT_IS_REPLY + 1))
#define XT_STATE_INVALID   (1u << 0)
#define XT_STATE_UNTRACKED (1u << (IP_CT_IS_REPLY + 1))
#define XT_CONNTRACK_STATE_SNAT (1u << 5)
#define XT_CONNTRACK_STATE_DNAT (1u << 6)

struct xt_state_info {
    unsigned statemask;
    uint8_t invert;
};

struct xt_conntrack_mtinfo {
    unsigned state_mask;
    uint8_t has_state, invert;
};

struct xt_comment_info {
    char comment[XT_MAX_COMMENT_LEN];
};

/* -m multiport (include/uapi/linux/netfilter/xt_multiport.h, revision 1): up to 15
 * ports, a range taking two (pflags[i] set on its first). */
#define XT_MULTI_PORTS 15
enum xt_multiport_flags {
    XT_MULTIPORT_SOURCE,
    XT_MULTIPORT_DESTINATION,
    XT_MULTIPORT_EITHER,
};
struct xt_multiport_v1 {
    uint8_t flags;                      /* enum xt_multiport_flags */
    uint8_t count;                      /* ports used */
    uint16_t ports[XT_MULTI_PORTS];     /* host order */
    uint8_t pflags[XT_MULTI_PORTS];     /* 1: ports[i]..ports[i + 1] is a range */
    uint8_t invert;
};

struct xt_match;

/* A match on a rule: the kernel's u.kernel.match and its data. */
struct xt_entry_match {
    const struct xt_match *match;
    union {
        struct xt_tcp tcp;
        struct xt_udp udp;
        struct ipt_icmp icmp;
        struct xt_mark_mtinfo1 mark;
        struct xt_state_info state;
        struct xt_conntrack_mtinfo conntrack;
        struct xt_comment_info comment;
        struct xt_multiport_v1 multiport;
    } data;
};

/* ---- target data -------------------------------------------------------------- */

enum ipt_reject_with {
    IPT_ICMP_NET_UNREACHABLE,
    IPT_ICMP_HOST_UNREACHABLE,
    IPT_ICMP_PROT_UNREACHABLE,
    IPT_ICMP_PORT_UNREACHABLE,
    IPT_ICMP_ECHOREPLY,
    IPT_ICMP_NET_PROHIBITED,
    IPT_ICMP_HOST_PROHIBITED,
    IPT_TCP_RESET,
    IPT_ICMP_ADMIN_PROHIBITED,
};

struct ipt_reject_info {
    enum ipt_reject_with with;
};

/* MARK: skb->mark = (skb->mark & ~mask) ^ mark */
struct xt_mark_tginfo2 {
    uint32_t mark, mask;
};

#define XT_LOG_TCPSEQ   0x01
#define XT_LOG_TCPOPT   0x02
#define XT_LOG_IPOPT    0x04
#define XT_LOG_UID      0x08
#define XT_LOG_MACDECODE 0x20
struct xt_log_info {
    uint8_t level;
    uint8_t logflags;
    char prefix[XT_LOG_PREFIX_LEN];
};

#define XT_NAT_RANDOM     0x01
#define XT_NAT_PERSISTENT 0x02
#define XT_NAT_RANDOM_FULLY 0x04
struct xt_nat_info {
    struct nf_nat_range range;          /* ports in host order */
    uint8_t flags;                      /* XT_NAT_*: kept for -S, not modelled */
};

#define XT_CT_NOTRACK 0x01
struct xt_ct_target_info {
    uint16_t flags;
};

struct xt_chain;
struct xt_target;

/* target NULL: no -j (the rule only counts). For the standard target (target ==
 * &xt_standard_target), verdict is NF_ACCEPT, NF_DROP, NF_QUEUE or XT_RETURN, or
 * chain is set for a jump (a goto when the rule has IPT_F_GOTO). */
struct xt_entry_target {
    const struct xt_target *target;
    int verdict;
    struct xt_chain *chain;
    union {
        struct ipt_reject_info reject;
        struct xt_mark_tginfo2 mark;
        struct xt_log_info log;
        struct xt_nat_info nat;
        struct xt_ct_target_info ct;
    } data;
};

/* One rule (struct ipt_entry). */
struct ipt_entry {
    struct ipt_ip ip;
    struct xt_entry_match *matches;
    unsigned nmatches;
    struct xt_entry_target target;
    struct xt_counters counters;
    unsigned ct_held;                   /* conntrack references taken for it */
    char drop_reason[64];               /* "filter INPUT: -j DROP", written at its first
                                         * drop (nf_drop_reason: no allocation) */
};

struct xt_chain {
    char name[XT_EXTENSION_MAXNAMELEN];
    int hook;                           /* built-in chain: its NF_INET_* hook; user chain: -1 */
    int policy;                         /* built-in chains: NF_ACCEPT or NF_DROP */
    struct xt_counters policy_counters;
    char policy_reason[64];             /* "filter INPUT: policy DROP", at its first drop */
    GPtrArray *rules;                   /* struct ipt_entry *, in order */
    unsigned references;                /* rules that jump here */
    unsigned comefrom;                  /* hooks whose packets can reach this chain */
    uint8_t visiting;                   /* scratch for the loop check */
};

struct xt_table_def;

struct xt_table {
    const struct xt_table_def *def;
    uint8_t af;                         /* NFPROTO_IPV4 (ip_tables) or NFPROTO_IPV6 (ip6_tables) */
    struct net *net;
    unsigned valid_hooks;               /* 1 << NF_INET_* of the built-in chains (era-dependent) */
    struct xt_chain *builtin[NF_INET_NUMHOOKS];
    GPtrArray *user_chains;             /* struct xt_chain *, by name as libiptc keeps them */
    bool registered;                    /* hooks registered (the module is loaded) */
    struct nf_hook_ops ops[NF_INET_NUMHOOKS];
    unsigned nops;
    unsigned ct_refs;                   /* nf_ct_netns_get references its rules hold */
};

/* Per-net state (net->xt). */
struct xt_net {
    struct xt_table *tables[XT_TABLE_MAX];
    struct xt_table *tables6[XT_TABLE_MAX];     /* ip6_tables' (net->ipv6.ip6table_*) */
    uint64_t log_packets;               /* packets the LOG target saw */
};

/* ---- extensions ----------------------------------------------------------------- */

/* What a match or target sees of the packet (struct xt_action_param). */
struct xt_action_param {
    struct sk_buff *skb;
    const struct nf_hook_state *state;
    const struct xt_table *table;
    union {                             /* the rule's match or target data */
        const void *matchinfo;
        const void *targinfo;
    };
    const struct iphdr *iph;            /* IPv4 tables */
    const struct ipv6hdr *ip6h;         /* IPv6 tables (iph is NULL there) */
    const uint8_t *l4;                  /* transport header, l4_len real bytes readable */
    uint32_t l4_len;
    unsigned fragoff;                   /* fragment offset, in 8-byte units */
    bool hotdrop;                       /* a match asks for the packet to be dropped */
};

/* A match's kernel half (include/linux/netfilter/x_tables.h, struct xt_match). */
struct xt_match {
    const char *name;
    uint16_t proto;                     /* valid only with -p proto (0: any) */
    bool conntrack;                     /* its checkentry takes nf_ct_netns_get */
    bool (*match)(const struct sk_buff *skb, struct xt_action_param *par);
};

/* A target's kernel half (struct xt_target). */
struct xt_target {
    const char *name;
    const char *table;                  /* only valid in this table (NULL: any) */
    unsigned hooks;                     /* only usable from these hooks (0: any) */
    bool conntrack;
    /* the rest of checkentry: NULL when the rule is fine, else the line it logs */
    const char *(*checkentry)(const struct ipt_entry *e);
    /* NULL for the standard target (ipt_do_table handles verdicts and jumps) */
    unsigned (*target)(struct sk_buff *skb, const struct xt_action_param *par);
};

/* ip_tables.c's built-in extensions (ipt_builtin_tg, ipt_builtin_mt). */
extern const struct xt_target xt_standard_target;
extern const struct xt_match ipt_icmp_match;
/* ip6_tables.c's built-in icmp6 match (for IPv6 rules only). */
extern const struct xt_match ip6t_icmp6_match;

/* The registry (x_tables.c: xt_find_match, xt_find_target): NULL when the kernel
 * has no extension of that name. */
const struct xt_match *xt_find_match(const char *name);
const struct xt_target *xt_find_target(const char *name);
/* Every registered extension, for the registry's tests; *n gets the count. */
const struct xt_match *const *xt_registered_matches(size_t *n);
const struct xt_target *const *xt_registered_targets(size_t *n);

/* ---- tables (ip_tables.c, iptable_tables.c) ------------------------------------- */

struct xt_table_def {
    const char *name;                   /* "filter" */
    const char *module;                 /* owner of its hooks: "iptable_filter" */
    const char *module6;                /* ip6_tables' module: "ip6table_filter" */
    unsigned valid_hooks;               /* nat: without LOCAL_IN, added per era */
    int priority;
    bool nat;                           /* chains register through nf_nat_ipv4_register_fn */
};

const struct xt_table_def *xt_table_def_of(enum xt_table_id id);
/* The table's built-in chains on net's era (the nat table's INPUT came in 2.6.36). */
unsigned xt_table_valid_hooks(const struct xt_table_def *def, const struct net *net);
int xt_table_id_by_name(const char *name);   /* -1 if unknown */

/* The table's state on net, created (chains built, nothing registered) on first
 * use; xt_table_find returns NULL instead of creating. */
struct xt_table *xt_table_get(struct net *net, enum xt_table_id id);
struct xt_table *xt_table_find(const struct net *net, const char *name);
/* The same for either family's tables (af NFPROTO_IPV4 or NFPROTO_IPV6). */
struct xt_table *xt_table_get_af(struct net *net, uint8_t af, enum xt_table_id id);
struct xt_table *xt_table_find_af(const struct net *net, uint8_t af, const char *name);
/* Register the table's hooks as the era's module does (idempotent). */
int xt_table_load(struct xt_table *t);
void xt_table_unload(struct xt_table *t);

struct xt_chain *xt_chain_find(const struct xt_table *t, const char *name);
/* Rule number n (1-based) of a chain, NULL past the end. */
struct ipt_entry *xt_chain_rule(const struct xt_chain *c, unsigned n);

/* ---- what libiptc's commands edit a table with (ip_tables.c) ------------------------
 * The model edits a table in place and then asks for the checks the kernel makes
 * when libiptc commits a replacement (translate_table); the commands undo their
 * edit when the checks refuse it. A rule handed to a chain belongs to the table. */

struct xt_chain *xt_chain_new(const char *name, int hook);
void xt_chain_free(struct xt_chain *c);
/* A rule enters or leaves a chain: the chain it jumps to gains or loses a reference. */
void ipt_entry_link(struct ipt_entry *e);
void ipt_entry_unlink(struct ipt_entry *e);
/* A rule is committed: its extensions take their conntrack references, as their
 * checkentry functions do (after the table is loaded, as the kernel loads the
 * module before it checks the rules). */
void ipt_entry_hold(struct xt_table *t, struct ipt_entry *e);
/* A rule already out of its chain leaves for good (cleanup_entry): references
 * dropped, memory freed. */
void ipt_cleanup_entry(struct xt_table *t, struct ipt_entry *e);
/* Every rule of a chain out and gone (unlinked, then cleaned up). */
void xt_chain_flush(struct xt_table *t, struct xt_chain *c);
/* translate_table's checks of the whole table: mark_source_chains (hooks reaching
 * each chain, loops) and xt_check_match / xt_check_target for every rule. Returns 0,
 * -ELOOP on a loop, or -EINVAL with the line the kernel logs in log. */
int ipt_translate_table(struct xt_table *t, char *log, size_t size);

/* The hook function (iptable_*_hook / ipt_do_table) and the walk itself. */
unsigned ipt_do_table(struct xt_table *t, struct sk_buff *skb, const struct nf_hook_state *state);
/* ip6_tables' walk (net/ipv6/netfilter/ip6_tables.c ip6t_do_table): the same walk
 * with ip6_packet_match, the transport header found past the extension headers. */
unsigned ip6t_do_table(struct xt_table *t, struct sk_buff *skb, const struct nf_hook_state *state);

/* Free everything at teardown (called by net_destroy). */
void xt_net_exit(struct net *net);

#endif
