/* The IPVS control plane (ip_vs_ctl.c): services and destinations as ipvsadm
 * manages them, the dest trash, sysctls and timeouts. Every function returns 0 or a
 * negative errno, as the kernel's setsockopt handlers do; ipvsadm turns those
 * into its messages. */
#ifndef IPVSIM_MODEL_IPVS_IP_VS_CTL_H
#define IPVSIM_MODEL_IPVS_IP_VS_CTL_H

#include "model/ipvs/ip_vs.h"
#include "model/net.h"

struct net;

/* The unit of the raw ticks /proc/net/ip_vs shows, and of the one-jiffy delay of
 * deferred work: CONFIG_HZ (model/net.h). */
#define IP_VS_HZ KERNEL_HZ
#define IP_VS_JIFFY KERNEL_JIFFY
/* A deleted dest with no more references is freed this long after the trash
 * timer (which runs every half period while the trash is not empty) saw it idle. */
#define IP_VS_DEST_TRASH_PERIOD (120 * SEC)

/* What ipvsadm passes for a service (struct ip_vs_service_user). */
struct ip_vs_service_user {
    uint16_t af;                     /* AF_INET (0 means it too) or AF_INET6 (ipvsadm -6,
                                        or an address in brackets) */
    uint16_t protocol;               /* IPPROTO_TCP, IPPROTO_UDP, IPPROTO_SCTP; 0 with fwmark */
    be32 addr;
    be16 port;
    uint32_t fwmark;
    char sched_name[IP_VS_SCHEDNAME_MAXLEN];
    unsigned flags;                  /* IP_VS_SVC_F_PERSISTENT, ONEPACKET, SCHED1..3 */
    unsigned timeout;                /* persistence, seconds */
    be32 netmask;                    /* AF_INET6: the prefix length, as the kernel keeps it */
};

/* What ipvsadm passes for a destination (struct ip_vs_dest_user). */
struct ip_vs_dest_user {
    be32 addr;
    be16 port;
    unsigned conn_flags;             /* forwarding method */
    int weight;
    uint32_t u_threshold, l_threshold;
    uint16_t tun_type;
    be16 tun_port;
    uint16_t tun_flags;
};

/* The host's IPVS state, created on first use (loading ip_vs): sysctl and timeout
 * defaults, the IPVS core and connection table (ip_vs_core_init,
 * ip_vs_conn_tab_init), and, in eras without lazy registration, the hooks. */
struct netns_ipvs *ip_vs_net(struct net *net);
/* Free everything at teardown (net_destroy). */
void ip_vs_net_exit(struct net *net);

/* -EEXIST when the service exists, -ENOENT for an unknown scheduler ("none" binds
 * no scheduler: svc->scheduler stays NULL), -EFAULT for a protocol other than
 * TCP/UDP/SCTP on a non-fwmark service. svc_out may be NULL. */
int ip_vs_add_service(struct netns_ipvs *ipvs, const struct ip_vs_service_user *u,
                      struct ip_vs_service **svc_out);
int ip_vs_edit_service(struct ip_vs_service *svc, const struct ip_vs_service_user *u);
int ip_vs_del_service(struct ip_vs_service *svc);
/* The service with exactly this key (fwmark != 0: by fwmark and family; af 0 is
 * AF_INET), or NULL. */
struct ip_vs_service *ip_vs_service_get_af(struct netns_ipvs *ipvs, int af, uint16_t protocol,
                                         be32 addr, be16 port, uint32_t fwmark);
/* ip_vs_service_get_af with the family of addr (AF_INET for a fwmark with addr 0). */
struct ip_vs_service *ip_vs_service_get(struct netns_ipvs *ipvs, uint16_t protocol, be32 addr,
                                        be16 port, uint32_t fwmark);
int ip_vs_flush(struct netns_ipvs *ipvs);

/* -EEXIST, -ERANGE (weight < 0, l_threshold > u_threshold), -EINVAL (GUE without
 * a port; an address that is not unicast). A deleted dest of the same service and
 * addr:port still in the trash is revived with its counters. */
int ip_vs_add_dest(struct ip_vs_service *svc, const struct ip_vs_dest_user *u);
int ip_vs_edit_dest(struct ip_vs_service *svc, const struct ip_vs_dest_user *u);
int ip_vs_del_dest(struct ip_vs_service *svc, be32 addr, be16 port);
struct ip_vs_dest *ip_vs_lookup_dest(const struct ip_vs_service *svc, be32 addr, be16 port);

/* -Z: one service, or everything when svc is NULL. */
void ip_vs_zero_service(struct ip_vs_service *svc);
void ip_vs_zero_all(struct netns_ipvs *ipvs);

/* --set tcp tcpfin udp (seconds; 0 keeps the current value). */
int ip_vs_set_timeout(struct netns_ipvs *ipvs, unsigned tcp, unsigned tcpfin, unsigned udp);

/* Connection accounting, called by the connection table when a connection binds
 * to / leaves a dest: counters, OVERLOAD by the thresholds, trash reference. */
void ip_vs_dest_bind_conn(struct ip_vs_dest *dest, unsigned conn_flags);
void ip_vs_dest_unbind_conn(struct ip_vs_dest *dest, unsigned conn_flags);

/* Provided by the IPVS core (ip_vs_core.c): hook (un)registration as the era does
 * it — the control plane calls these for af when the first service of af appears /
 * the last one goes (lazy eras: ip_vs_ops4 and ip_vs_ops6 apart), or with af 0, for
 * both families at once, at ip_vs_net creation (older eras' one ip_vs_ops). */
void ip_vs_register_hooks(struct netns_ipvs *ipvs, int af);
void ip_vs_unregister_hooks(struct netns_ipvs *ipvs, int af);

#endif
