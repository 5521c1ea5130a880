/* The IPv6 hook priorities (include/uapi/linux/netfilter_ipv6.h enum
 * nf_ip6_hook_priorities): the same numbers as IPv4's but one, the conntrack
 * confirmation, which IPv6 registers at NF_IP6_PRI_LAST (there is no
 * NF_IP6_PRI_CONNTRACK_CONFIRM). The hook points are the five of enum nf_inet_hooks. */
#ifndef IPVSIM_MODEL_NETFILTER_NETFILTER_IPV6_H
#define IPVSIM_MODEL_NETFILTER_NETFILTER_IPV6_H

#include <limits.h>

#define NF_IP6_PRI_FIRST INT_MIN
#define NF_IP6_PRI_RAW_BEFORE_DEFRAG (-450)
#define NF_IP6_PRI_CONNTRACK_DEFRAG (-400)
#define NF_IP6_PRI_RAW (-300)
#define NF_IP6_PRI_SELINUX_FIRST (-225)
#define NF_IP6_PRI_CONNTRACK (-200)
#define NF_IP6_PRI_MANGLE (-150)
#define NF_IP6_PRI_NAT_DST (-100)
#define NF_IP6_PRI_FILTER 0
#define NF_IP6_PRI_SECURITY 50
#define NF_IP6_PRI_NAT_SRC 100
#define NF_IP6_PRI_SELINUX_LAST 225
#define NF_IP6_PRI_CONNTRACK_HELPER 300
#define NF_IP6_PRI_LAST INT_MAX

#endif
