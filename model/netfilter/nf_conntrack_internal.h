/* What conntrack's files share and nobody else needs: the entry itself, the
 * per-net state, tuples (the trackers' ops are in nf_conntrack_l4proto.h),
 * defrag's registration and the helpers the NAT core builds on. */
#ifndef IPVSIM_MODEL_NF_CONNTRACK_INTERNAL_H
#define IPVSIM_MODEL_NF_CONNTRACK_INTERNAL_H

#include <glib.h>
#include <stddef.h>
#include "model/netfilter/core.h"
#include "model/netfilter/nf_conntrack.h"
#include "model/netfilter/nf_conntrack_l4proto.h"
#include "model/netfilter/nf_nat.h"
#include "model/profile.h"
#include "sim/rng.h"
#include "sim/event.h"

/* One direction of an entry; the table's key. The tuple comes first so a pointer
 * to it is a pointer to the whole (the table is searched with a bare tuple). */
struct nf_conntrack_tuple_hash {
    struct nf_conntrack_tuple tuple;
    uint8_t dir;                        /* enum ip_conntrack_dir */
};

/* What the TCP tracker remembers of one direction. Window tracking is not modelled
 * (as with nf_conntrack_tcp_be_liberal=1); only the highest sequence end is kept,
 * so that unacknowledged data can shorten the timeout as in the kernel. */
struct ip_ct_tcp_state {
    uint32_t td_end;                    /* highest seq + len seen from this side */
    uint8_t flags;                      /* IP_CT_TCP_FLAG_* */
};

#define IP_CT_TCP_FLAG_CLOSE_INIT         0x04  /* this side sent the first FIN */
#define IP_CT_TCP_FLAG_DATA_UNACKNOWLEDGED 0x10
#define IP_CT_TCP_FLAG_SEEN               0x80  /* td_end is set (td_maxwin != 0) */
#define IP_CT_TCP_SIMULTANEOUS_OPEN       0x04  /* in last_flags */

struct ip_ct_tcp {
    struct ip_ct_tcp_state seen[IP_CT_DIR_MAX];
    uint8_t state;                      /* enum tcp_conntrack */
    uint8_t last_dir, last_index;       /* the last in-window or ignored segment */
    uint8_t last_flags;
    uint32_t last_end;
};

struct nf_conn {
    struct nf_conntrack_tuple_hash tuplehash[IP_CT_DIR_MAX];
    uint32_t status;                    /* IPS_* */
    /* Unconfirmed: the timeout to start with (a duration). Confirmed: the absolute
     * deadline, moved by every packet. One timer is pending per confirmed entry;
     * when it fires before the deadline it re-arms itself there. */
    sim_time_t timeout;
    sim_time_t timer_at;                /* when the pending timer fires, 0: none */
    sim_event_id timer;
    struct net *net;
    uint64_t id;                        /* creation order in this net, for traces */
    struct ip_ct_tcp tcp;
    int masq_index;                     /* MASQUERADE's output device, 0: none */
    /* Unconfirmed and dying entries belong to a packet, as the kernel's skb
     * reference: they are freed once that packet no longer carries them. */
    const struct sk_buff *owner;
    uint64_t owner_id;
    struct nf_conn *prev, *next;        /* the list the entry is on */
    uint8_t list;                       /* enum nf_ct_list */
};

enum nf_ct_list {
    NF_CT_LIST_NONE,
    NF_CT_LIST_CONFIRMED,
    NF_CT_LIST_ORPHANS,                 /* unconfirmed or dying: owned by a packet */
};

static inline bool nf_ct_tuple_equal(const struct nf_conntrack_tuple *a,
                                     const struct nf_conntrack_tuple *b)
{
    return a->src == b->src && a->dst == b->dst && a->sport == b->sport &&
           a->dport == b->dport && a->protonum == b->protonum;
}

static inline struct nf_conn *nf_ct_tuplehash_to_ctrack(const struct nf_conntrack_tuple_hash *h)
{
    return (struct nf_conn *)(void *)((char *)(h - h->dir) - offsetof(struct nf_conn, tuplehash));
}

/* The entry's protocol (nf_conntrack.h, nf_ct_protonum). */
static inline uint8_t nf_ct_protonum(const struct nf_conn *ct)
{
    return ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple.protonum;
}

/* The sysctls of net.netfilter.nf_conntrack_*, in simulated time. */
struct nf_ct_timeouts {
    sim_time_t tcp[TCP_CONNTRACK_TIMEOUT_MAX];
    sim_time_t udp_unreplied, udp_replied, icmp, icmpv6, generic;
};

/* One family's registration: conntrack's hooks and defragmentation's. */
struct nf_ct_pf {
    unsigned users;                     /* nf_ct_netns_get minus put */
    bool hooks_registered;
    unsigned defrag_users;
    bool defrag_registered;
    struct nf_hook_ops ct_ops[6];
    unsigned n_ct_ops;
    struct nf_hook_ops defrag_ops[2];
};

enum { NF_CT_PF_IPV4, NF_CT_PF_IPV6, NF_CT_PF_MAX };

static inline unsigned nf_ct_pf_index(uint8_t nfproto)
{
    return nfproto == NFPROTO_IPV6 ? NF_CT_PF_IPV6 : NF_CT_PF_IPV4;
}

/* Counters in the spirit of /proc/net/stat/nf_conntrack. */
struct nf_conntrack_stat {
    uint64_t found, new_, invalid, ignore, insert, insert_failed, drop, expired, killed;
};

struct nf_conntrack_net {
    GHashTable *hash;                   /* tuple -> tuplehash, both directions */
    unsigned count;                     /* confirmed entries */
    struct nf_conn *confirmed;          /* every confirmed entry (teardown) */
    struct nf_conn *orphans;            /* unconfirmed and dying entries */
    struct nf_conn *free_list;          /* recycled entries */
    uint64_t next_id;
    /* Each family's users and hooks ([NF_CT_PF_IPV4], [NF_CT_PF_IPV6]): one table,
     * two sets of hooks (nf_conntrack_proto.c, nf_ct_netns_do_get: users4, users6). */
    struct nf_ct_pf pf[NF_CT_PF_MAX];
    struct nf_ct_timeouts timeouts;
    int tcp_loose;                      /* nf_conntrack_tcp_loose: pick up mid-stream */
    struct nf_conntrack_stat stat;
};

/* ---- nf_conntrack.c ---------------------------------------------------------- */

/* The entry for tuple in the table (expired ones are reaped first), or NULL. */
struct nf_conntrack_tuple_hash *nf_conntrack_find_hash(struct net *net,
                                                       const struct nf_conntrack_tuple *tuple);
/* Is tuple used by a confirmed entry other than ignored (either direction)? */
bool nf_conntrack_tuple_taken(struct net *net, const struct nf_conntrack_tuple *tuple,
                              const struct nf_conn *ignored);
/* Replace the reply tuple of an unconfirmed entry (NAT). */
void nf_conntrack_alter_reply(struct nf_conn *ct, const struct nf_conntrack_tuple *reply);
/* Keep the entry alive for extra more from now (nf_ct_refresh). */
void nf_ct_refresh(struct nf_conn *ct, sim_time_t extra);
/* "udp 10.0.1.2:40000 -> 10.0.2.2:53" */
void nf_ct_tuple_str(const struct nf_conntrack_tuple *t, char *buf, size_t len);
/* A trace note about a connection when no packet is at hand (expiry). */
void nf_ct_note(struct net *net, const char *func, const char *detail);

/* ---- nf_conntrack.c: tuples --------------------------------------------------- */

/* The IPv4 header at l3 (avail readable bytes): the offset of the transport
 * header, and its protocol in *protonum; -1 when the header is not all there, or
 * for a later fragment, which has no transport header. */
int ipv4_get_l4proto(const uint8_t *l3, uint32_t avail, uint8_t *protonum);
/* The tuple of the IPv4 packet at l3 whose transport header is at dataoff, by
 * its protocol's tracker. False when that header is too short. */
bool nf_ct_get_tuple(const uint8_t *l3, uint32_t avail, unsigned dataoff,
                     const struct nf_conntrack_l4proto *l4proto, struct nf_conntrack_tuple *t);
/* The tuple a reply would have, by the tracker given or (nf_ct_invert_tuple) the
 * tuple's own; false when the protocol has no reply (an ICMP type without a
 * response type). */
bool nf_ct_invert_tuple_l4proto(struct nf_conntrack_tuple *inverse,
                                const struct nf_conntrack_tuple *orig,
                                const struct nf_conntrack_l4proto *l4proto);
bool nf_ct_invert_tuple(struct nf_conntrack_tuple *inverse, const struct nf_conntrack_tuple *orig);

/* ---- nf_conntrack_proto.c ------------------------------------------------------ */

/* The kernel's default timeouts, each tracker's own. */
void nf_conntrack_proto_pernet_init(struct nf_ct_timeouts *t);

/* The IPv6 header at l3: the offset of the transport header past the extension
 * headers (ipv6_skip_exthdr), its protocol in *protonum; -1 when not all there,
 * for a later fragment, or with no next header. */
int ipv6_get_l4proto(const uint8_t *l3, uint32_t avail, uint8_t *protonum);

/* ---- nf_defrag_ipv4.c, nf_defrag_ipv6.c ---------------------------------------- */

int nf_defrag_ipv4_enable(struct net *net);
void nf_defrag_ipv4_disable(struct net *net);
int nf_defrag_ipv6_enable(struct net *net);
void nf_defrag_ipv6_disable(struct net *net);

/* ---- the NAT core (nf_nat_core.c, nf_nat_proto.c) ------------------------------ */

#define IPS_NAT_MASK      (IPS_SRC_NAT | IPS_DST_NAT)
#define IPS_NAT_DONE_MASK (IPS_SRC_NAT_DONE | IPS_DST_NAT_DONE)

/* Which manip a hook does: source at POST_ROUTING and LOCAL_IN, destination at
 * PRE_ROUTING and LOCAL_OUT. */
static inline enum nf_nat_manip_type HOOK2MANIP(unsigned hooknum)
{
    return hooknum == NF_INET_POST_ROUTING || hooknum == NF_INET_LOCAL_IN ? NF_NAT_MANIP_SRC
                                                                          : NF_NAT_MANIP_DST;
}

/* A nat chain's work for the first packet of a connection (the kernel's do_chain):
 * the chain's verdict. */
typedef unsigned (*nf_nat_do_chain_fn)(void *priv, struct sk_buff *skb,
                                       const struct nf_hook_state *state, struct nf_conn *ct);

/* 4.9: a nat chain registered as a hook of its own, wrapped by the table's hook
 * function (iptable_nat_ipv4_in ...), which runs the chain then the NAT manip. */
struct nf_nat_wrap {
    struct nf_hook_ops ops;             /* what is registered */
    const struct nf_hook_ops *chain;    /* the chain it runs */
    struct nf_nat_wrap *next;
};

/* One family's part of the NAT core: nf_nat_ipv4_ops or nf_nat_ipv6_ops (NAT66). */
struct nf_nat_pf {
    /* Eras with the chains inside the NAT core: the chains of each hook point, in
     * the order they are consulted. */
    struct nf_hook_entries chains[NF_INET_NUMHOOKS];
    struct nf_hook_ops core_ops[4];     /* the NAT core's own hook functions */
    bool core_registered;
    unsigned users;                     /* registered nat chains */
};

struct nf_nat_net {
    struct nf_nat_pf pf[NF_CT_PF_MAX];  /* [NF_CT_PF_IPV4], [NF_CT_PF_IPV6] */
    struct nf_nat_wrap *wraps;          /* 4.9, either family */
    struct rng rng;                     /* port search offsets (the kernel draws them) */
    uint64_t bindings, null_bindings;
};

/* nf_nat_core.c */
unsigned nf_nat_packet(struct nf_conn *ct, enum ip_conntrack_info ctinfo, unsigned hooknum,
                       struct sk_buff *skb);
/* The common part of every NAT hook function: bind a new connection (the chain,
 * else a null binding), then apply the manip. do_chain NULL: null binding only. */
unsigned nf_nat_inet_fn(void *priv, struct sk_buff *skb, const struct nf_hook_state *state,
                        nf_nat_do_chain_fn do_chain);
/* The private-list walk of the NAT core's hooks: each chain of this hook point in
 * turn until one binds. */
unsigned nf_nat_private_chains(void *priv, struct sk_buff *skb, const struct nf_hook_state *state,
                               struct nf_conn *ct);

/* nf_nat_proto.c */
/* Rewrite the packet so it looks like the inverse of the other direction's tuple,
 * for the manip's half (addresses, ports, checksums). False: headers not there. */
bool nf_nat_manip_pkt(struct sk_buff *skb, struct nf_conn *ct, enum nf_nat_manip_type mtype,
                      enum ip_conntrack_dir dir);
/* The NAT core's hook functions of this era (nf_nat_ipv4_ops / nf_nat_ops), and
 * NAT66's (nf_nat_ipv6_ops). */
void nf_nat_core_ops(const struct kernel_profile *prof, struct nf_hook_ops ops[4]);
void nf_nat_core_ops6(const struct kernel_profile *prof, struct nf_hook_ops ops[4]);
/* Fill w->ops as the 4.9 table hook wrapping w->chain. */
void nf_nat_wrap_init(struct nf_nat_wrap *w);
/* Do the nat chains run inside the NAT core's hooks in this era (2.6.34, 4.18+),
 * or as hooks of their own (2.6.36 .. 4.17)? */
bool nf_nat_chains_in_core(const struct kernel_profile *prof);

/* The bytes readable from the packet's network header on. */
static inline uint32_t nf_ct_l3_avail(const struct sk_buff *skb)
{
    const uint8_t *nh = skb_network_header(skb);
    const uint8_t *end = skb->data + skb->len;
    return end > nh ? (uint32_t)(end - nh) : 0;
}

#endif
