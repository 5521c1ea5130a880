/* The x_tables extensions the model has, one file each as the kernel has them
 * (net/netfilter/xt_*.c, net/ipv4/netfilter/ipt_*.c); x_tables.c registers them.
 * Their match and target data are declared in x_tables.h (the rules hold them). */
#ifndef IPVSIM_MODEL_NETFILTER_XT_XT_H
#define IPVSIM_MODEL_NETFILTER_XT_XT_H

#include "model/netfilter/x_tables.h"

extern const struct xt_match xt_tcp_match, xt_udp_match;        /* xt_tcpudp.c */
extern const struct xt_match xt_mark_match;                     /* xt_mark.c */
extern const struct xt_target xt_mark_target;
extern const struct xt_match xt_state_match;                    /* xt_state.c */
extern const struct xt_match xt_conntrack_match;                /* xt_conntrack.c */
extern const struct xt_match xt_comment_match;                  /* xt_comment.c */
extern const struct xt_match xt_multiport_match;                /* xt_multiport.c */
extern const struct xt_target ipt_reject_target;                /* ipt_REJECT.c */
extern const struct xt_target xt_log_target;                    /* xt_LOG.c */
extern const struct xt_target xt_snat_target, xt_dnat_target;   /* xt_nat.c */
extern const struct xt_target xt_masquerade_target;             /* xt_MASQUERADE.c */
extern const struct xt_target xt_ct_target;                     /* xt_CT.c */

#endif
