/* The subsystems of a host's kernel, in registration order: the model's pernet_list
 * (net/core/net_namespace.c; each kernel subsystem calls register_pernet_subsys
 * from its initcall or module init).
 *
 * The kernel's list is filled at boot in initcall order. The model keeps it as one
 * constant table here instead of registration calls from constructors: the order is
 * written down in one place, does not depend on the order the linker lays the
 * objects out, and no global is mutated. net.c runs the inits first to last and the
 * exits last to first, as setup_net and cleanup_net do, and names no subsystem.
 *
 * The order is the kernel's: the netfilter core (core_initcall), then IPv4
 * (fs_initcall inet_init: sockets, the FIB, ICMP, the IP ID and redirect state),
 * then what loads as modules (conntrack, NAT, the iptables tables, the scenario's own
 * hook functions, IPVS). So IPVS goes first at teardown, the netfilter core last. */
#include "model/net.h"

#include "model/ipv4/icmp.h"
#include "model/ipv4/ip_ident.h"
#include "model/ipv4/ip_redirect.h"
#include "model/ipv4/route.h"
#include "model/ipv4/sock.h"
#include "model/ipv6/ipv6.h"
#include "model/ipvs/ip_vs_ctl.h"
#include "model/netfilter/core.h"
#include "model/netfilter/nf_conntrack.h"
#include "model/netfilter/nf_nat.h"
#include "model/netfilter/user_hook.h"
#include "model/netfilter/x_tables.h"

const struct pernet_operations pernet_list[] = {
    { NULL, netfilter_net_exit },               /* net/netfilter/core.c netfilter_net_ops */
    { sock_net_init, sock_net_exit },           /* the sockets (tcp_init, udp_init) */
    { fib_net_init, NULL },                     /* net/ipv4/fib_frontend.c fib_net_ops */
    { icmp_init, icmp_exit },                   /* net/ipv4/icmp.c icmp_sk_ops */
    { NULL, ip_ident_exit },                    /* net/ipv4/route.c ip_idents */
    { NULL, ip_redirect_exit },                 /* net/ipv4/route.c ipv4_inetpeer_ops */
    { NULL, ipv6_net_exit },                    /* net/ipv6/af_inet6.c inet6_net_ops (up
                                                   with the first address: addrconf.c) */
    { NULL, nf_conntrack_net_exit },            /* nf_conntrack_standalone.c nf_conntrack_net_ops */
    { NULL, nf_nat_net_exit },                  /* nf_nat_core.c nat_net_ops */
    { NULL, xt_net_exit },                      /* ip_tables.c ip_tables_net_ops */
    { NULL, nf_user_hooks_exit },               /* the scenario's hook functions */
    { NULL, ip_vs_net_exit },                   /* ipvs/ip_vs_core.c ipvs_core_ops */
};

const size_t pernet_list_len = sizeof pernet_list / sizeof pernet_list[0];
