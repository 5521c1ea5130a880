/* The userspace halves of the x_tables extensions, as iptables has them
 * (include/xtables.h: struct xtables_match / xtables_target; extensions/libxt_*.c
 * and libipt_*.c, one file each here): the options an extension takes, its parser,
 * which fills the kernel half's match or target data (model/netfilter/x_tables.h),
 * its final check, and its printer for `iptables -S`. The registry (xtables.c) finds
 * an extension by the name a command line gives, and the extension that prints a
 * rule's kernel match or target. */
#ifndef IPVSIM_MODEL_USER_IPTABLES_XTABLES_H
#define IPVSIM_MODEL_USER_IPTABLES_XTABLES_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include "model/netfilter/x_tables.h"

struct xt_parse;

/* An option of an extension, as getopt_long sees it (iptables' struct
 * xt_option_entry, reduced to what the model's extensions use). */
struct xt_option_entry {
    const char *name;                   /* without the leading "--" */
    uint8_t id;                         /* aliases share an id */
    bool has_arg;
    bool invert;                        /* may follow a "!" */
    const char *dup;                    /* message when given twice (NULL: the xtopt one) */
};

struct xtables_match {
    const char *name;                   /* what -m names */
    uint8_t family;                     /* NFPROTO_IPV4 / NFPROTO_IPV6 only; 0: both */
    const char *no_ipv6;                /* why ipvsim refuses it in ip6tables (NULL: works) */
    const char *real_name;              /* the kernel match it fills, when not name */
    const struct xt_option_entry *opts; /* NULL-name terminated */
    void (*init)(struct xt_entry_match *m);
    /* arg is NULL for an option without argument. Returns 0 or xt_parse_error's -1. */
    int (*parse)(struct xt_parse *p, struct xt_entry_match *m, const struct xt_option_entry *o,
                 const char *arg, bool invert);
    /* after the last word; xflags has bit id set for each option given */
    int (*final_check)(struct xt_parse *p, struct xt_entry_match *m, unsigned xflags);
    void (*save)(const struct xt_entry_match *m, GString *out);
};

struct xtables_target {
    const char *name;                   /* what -j names */
    const char *no_ipv6;                /* why ipvsim refuses it in ip6tables (NULL: works) */
    const char *real_name;              /* the kernel target it fills, when not name */
    const struct xt_option_entry *opts;
    void (*init)(struct xt_entry_target *t);
    int (*parse)(struct xt_parse *p, struct xt_entry_target *t, const struct xt_option_entry *o,
                 const char *arg, bool invert);
    /* with the whole rule (e.g. ports need -p tcp/udp) */
    int (*final_check)(struct xt_parse *p, struct xt_entry_target *t, const struct ipt_entry *e,
                       unsigned xflags);
    void (*save)(const struct xt_entry_target *t, GString *out);
};

/* ACCEPT, DROP, QUEUE and RETURN (libxt_standard.c): no options. */
extern const struct xtables_target xtables_standard_target;

/* By the name a command line gives; NULL when userspace has none. "ACCEPT",
 * "DROP", "QUEUE" and "RETURN" give the standard target. */
const struct xtables_match *xtables_find_match(const char *name);
const struct xtables_target *xtables_find_target(const char *name);
/* The kernel name an extension fills (real_name, else name). */
const char *xtables_match_kernel_name(const struct xtables_match *m);
const char *xtables_target_kernel_name(const struct xtables_target *t);
/* The extension that prints a rule's kernel match or target (iptables-save finds
 * it by the kernel's name); NULL when none. */
const struct xtables_match *xtables_match_of(const struct xt_match *m);
const struct xtables_target *xtables_target_of(const struct xt_target *t);
/* Every userspace extension but the standard target, for the registry's tests. */
const struct xtables_match *const *xtables_registered_matches(size_t *n);
const struct xtables_target *const *xtables_registered_targets(size_t *n);
/* A real iptables match (target: a target) the model does not have, for a clearer
 * message than "Couldn't load". */
bool xt_known_unmodelled(const char *name, bool target);

/* Why an extension's ip6tables form is refused (its no_ipv6). */
#define XT_NO_IPV6_REJECT "is ip6t_REJECT for IPv6 (ICMPv6 errors), which ipvsim does not model"
#define XT_NO_IPV6_LOG "logs through nf_log_ipv6 for IPv6, which ipvsim does not model"

/* The extensions (libxt_*.c, libipt_*.c, libip6t_*.c). */
extern const struct xtables_match libxt_tcp_match, libxt_udp_match, libipt_icmp_match,
    libip6t_icmp6_match,
    libxt_mark_match, libxt_state_match, libxt_conntrack_match, libxt_comment_match,
    libxt_multiport_match;
extern const struct xtables_target libipt_reject_target, libxt_mark_target, libxt_log_target,
    libxt_dnat_target, libxt_snat_target, libxt_masquerade_target, libxt_ct_target,
    libxt_notrack_target;

/* ---- helpers the extensions share (iptables' libxtables does the same work) ---- */

/* " --NAME lo:hi" or " --NAME port", "!" first when inverted; nothing for 0:65535. */
void xtables_save_ports(GString *out, const char *name, const uint16_t *pts, bool invert);
/* -m state's and -m conntrack's state lists (libxt_conntrack.c): a comma list whose
 * words may be cut short and in any case; -m state knows the first five states. */
int xtables_parse_states(struct xt_parse *p, const char *arg, unsigned *mask, bool ctstate);
void xtables_save_states(GString *out, unsigned mask);
/* NAT ranges (libxt_DNAT.c): "[ip[-ip]][:port[-port]]", and ports alone. */
int xtables_parse_nat_to(struct xt_parse *p, const char *arg, struct nf_nat_range *range);
int xtables_parse_nat_ports(struct xt_parse *p, const char *s, struct nf_nat_range *range);
/* Ports in a NAT range need a protocol that has them. */
bool xtables_nat_ports_ok(const struct ipt_entry *e);
void xtables_save_nat_range(GString *out, const struct nf_nat_range *r);
void xtables_save_nat_flags(GString *out, uint8_t flags);
/* The NAT targets' option ids (libxt_DNAT.c, libxt_SNAT.c, libxt_MASQUERADE.c). */
enum { XT_NAT_O_TO, XT_NAT_O_RANDOM, XT_NAT_O_PERSISTENT, XT_NAT_O_RANDOM_FULLY };
int xtables_nat_parse(struct xt_parse *p, struct xt_entry_target *t,
                      const struct xt_option_entry *o, const char *arg, bool invert);

#endif
