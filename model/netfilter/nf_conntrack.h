/* Connection tracking (nf_conntrack): tuples, the table, NEW/ESTABLISHED/RELATED,
 * untracked packets, per-protocol states and timeouts, and the four IPv4 hook
 * functions (ipv4_conntrack_defrag is in nf_defrag_ipv4). */
#ifndef IPVSIM_MODEL_NF_CONNTRACK_H
#define IPVSIM_MODEL_NF_CONNTRACK_H

#include <stdbool.h>
#include <stdint.h>
#include "sim/proto.h"
#include "sim/skb.h"
#include "sim/time.h"

struct net;

enum ip_conntrack_dir {
    IP_CT_DIR_ORIGINAL,
    IP_CT_DIR_REPLY,
    IP_CT_DIR_MAX
};

/* The packet's relation to its connection (skb's ctinfo). */
enum ip_conntrack_info {
    IP_CT_ESTABLISHED = 0,
    IP_CT_RELATED = 1,
    IP_CT_NEW = 2,
    IP_CT_IS_REPLY = 3,
    IP_CT_ESTABLISHED_REPLY = IP_CT_ESTABLISHED + IP_CT_IS_REPLY,
    IP_CT_RELATED_REPLY = IP_CT_RELATED + IP_CT_IS_REPLY,
    IP_CT_UNTRACKED = 7,
};

/* ct->status bits (enum ip_conntrack_status) */
#define IPS_EXPECTED      (1u << 0)
#define IPS_SEEN_REPLY    (1u << 1)
#define IPS_ASSURED       (1u << 2)
#define IPS_CONFIRMED     (1u << 3)
#define IPS_SRC_NAT       (1u << 4)
#define IPS_DST_NAT       (1u << 5)
#define IPS_SRC_NAT_DONE  (1u << 7)
#define IPS_DST_NAT_DONE  (1u << 8)
#define IPS_DYING         (1u << 9)

struct nf_conntrack_tuple {
    be32 src, dst;
    be16 sport, dport;              /* TCP/UDP ports; ICMP: id in sport, type/code in dport */
    uint8_t protonum;
};

struct nf_conn;                      /* defined in nf_conntrack_internal.h */

/* The direction of a packet with this ctinfo. */
#define CTINFO2DIR(ctinfo) \
    ((ctinfo) >= IP_CT_IS_REPLY ? IP_CT_DIR_REPLY : IP_CT_DIR_ORIGINAL)

/* The TCP tracker's states (enum tcp_conntrack). MAX doubles as "invalid" and
 * IGNORE as "ignored" in the transition table; RETRANS and UNACK only name two
 * more timeouts. */
enum tcp_conntrack {
    TCP_CONNTRACK_NONE,
    TCP_CONNTRACK_SYN_SENT,
    TCP_CONNTRACK_SYN_RECV,
    TCP_CONNTRACK_ESTABLISHED,
    TCP_CONNTRACK_FIN_WAIT,
    TCP_CONNTRACK_CLOSE_WAIT,
    TCP_CONNTRACK_LAST_ACK,
    TCP_CONNTRACK_TIME_WAIT,
    TCP_CONNTRACK_CLOSE,
    TCP_CONNTRACK_SYN_SENT2,
    TCP_CONNTRACK_MAX,
    TCP_CONNTRACK_IGNORE,
    TCP_CONNTRACK_RETRANS,
    TCP_CONNTRACK_UNACK,
    TCP_CONNTRACK_TIMEOUT_MAX
};

/* The conntrack of a packet, or NULL (not tracked yet, or untracked: then *ctinfo
 * is IP_CT_UNTRACKED). The ctinfo lives in the low bits of skb->nfct's owner side:
 * use these accessors only. */
struct nf_conn *nf_ct_get(const struct sk_buff *skb, enum ip_conntrack_info *ctinfo);
/* Attach (ct, ctinfo) to skb; ct NULL with IP_CT_UNTRACKED marks it untracked
 * (the raw table's NOTRACK / CT --notrack). */
void nf_ct_set(struct sk_buff *skb, struct nf_conn *ct, enum ip_conntrack_info ctinfo);

const struct nf_conntrack_tuple *nf_ct_tuple(const struct nf_conn *ct, enum ip_conntrack_dir dir);
uint32_t nf_ct_status(const struct nf_conn *ct);
void nf_ct_set_status(struct nf_conn *ct, uint32_t bits);
/* "NEW", "ESTABLISHED", "RELATED", "INVALID", "UNTRACKED" as -m conntrack --ctstate sees it. */
const char *nf_ct_state_name(const struct sk_buff *skb);

bool nf_ct_is_confirmed(const struct nf_conn *ct);
/* The TCP state (TCP_CONNTRACK_NONE for other protocols) and its name
 * ("ESTABLISHED"; "NONE" for anything out of range). */
enum tcp_conntrack nf_ct_tcp_state(const struct nf_conn *ct);
const char *tcp_conntrack_name(enum tcp_conntrack state);
/* When the entry expires (absolute simulated time); for an unconfirmed entry, the
 * timeout it will get at confirmation, counted from now. */
sim_time_t nf_ct_expires(const struct nf_conn *ct);

/* The confirmed entry with this tuple in either direction, or NULL; *dir (may be
 * NULL) says which direction matched. Expired entries are never returned. */
struct nf_conn *nf_conntrack_find(struct net *net, const struct nf_conntrack_tuple *tuple,
                                  enum ip_conntrack_dir *dir);
/* Entries in the table (confirmed ones); 0 when conntrack is not loaded. */
unsigned nf_conntrack_count(const struct net *net);
/* Take an entry out of the table now (conntrack -D) and free it: only for an entry
 * no packet in flight carries. */
void nf_ct_kill(struct nf_conn *ct);
/* The same for the entry of the packet being processed (skb, with its ctinfo): the
 * entry leaves the table now and is freed once skb no longer carries it. */
void nf_ct_kill_acct(struct nf_conn *ct, enum ip_conntrack_info ctinfo, const struct sk_buff *skb);
/* Give a packet the kernel builds in answer to skb (a TCP reset) skb's entry, as
 * RELATED in the other direction (nf_ct_attach). */
void nf_ct_attach(struct sk_buff *nskb, const struct sk_buff *skb);

/* A conntrack user of a family (NFPROTO_IPV4, NFPROTO_IPV6) appears in / leaves
 * this net (nf_ct_netns_get/put): the first user loads conntrack and that
 * family's hooks (ipv4_conntrack_ops, ipv6_conntrack_ops); in lazy eras its hooks are registered then and
 * removed with the last user, in older eras they stay once loaded. */
int nf_ct_netns_get(struct net *net, uint8_t nfproto);
void nf_ct_netns_put(struct net *net, uint8_t nfproto);

/* Free everything at teardown (called by net_destroy). */
void nf_conntrack_net_exit(struct net *net);

#endif
