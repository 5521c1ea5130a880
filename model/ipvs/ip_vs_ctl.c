/* The IPVS control plane (ip_vs_ctl.c): the per-net state, services and dests as
 * the setsockopt/netlink handlers change them, the dest trash, the connection
 * accounting that drives OVERLOAD, -Z and --set.
 * Kernel: net/netfilter/ipvs/ip_vs_ctl.c (and ip_vs_core.c for the hook registration). */
#include "model/ipvs/ip_vs_ctl.h"

#include <errno.h>
#include <glib.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include "model/ipvs/ip_vs_conn.h"
#include "model/ipvs/ip_vs_core.h"
#include "model/ipvs/ip_vs_est.h"
#include "model/ipvs/ip_vs_proto.h"
#include "model/ipvs/ip_vs_sync.h"
#include "model/net.h"
#include "sim/in6.h"
#include "sim/in6_key.h"
#include "sim/sim.h"

/* ---- per-net state ----------------------------------------------------------------- */

static void ip_vs_sysctl_defaults(struct ipvs_sysctl *s)
{
    memset(s, 0, sizeof *s);
    s->amemthresh = 1024;
    s->am_droprate = 10;
    s->snat_reroute = 1;
    s->pmtu_disc = 1;
    s->conn_reuse_mode = 1;
    s->sync_threshold[0] = 3;
    s->sync_threshold[1] = 50;
    s->sync_version = 1;
    s->lblc_expiration = 24 * 60 * 60;
    s->lblcr_expiration = 24 * 60 * 60;
}

static void ip_vs_timeouts_defaults(struct netns_ipvs *ipvs)
{
    for (int i = 0; i <= IP_VS_TCP_S_LAST; i++)
        ipvs->tcp_timeouts[i] = ip_vs_tcp_default_timeouts[i];
    ipvs->udp_timeout = IP_VS_UDP_DEFAULT_TIMEOUT;
}

/* Registration before any service exists is what every era before lazy hooks
 * did at module load. */
static bool hooks_with_services(const struct netns_ipvs *ipvs)
{
    return ipvs->net->prof->ipvs_lazy_hooks;
}

struct netns_ipvs *ip_vs_net(struct net *net)
{
    if (net->ipvs)
        return net->ipvs;
    struct netns_ipvs *ipvs = g_new0(struct netns_ipvs, 1);
    ipvs->net = net;
    INIT_LIST_HEAD(&ipvs->services);
    INIT_LIST_HEAD(&ipvs->dest_trash);
    ip_vs_sysctl_defaults(&ipvs->sysctl);
    ip_vs_timeouts_defaults(ipvs);
    net->ipvs = ipvs;
    ip_vs_core_init(ipvs);
    ip_vs_conn_tab_init(ipvs);
    if (!hooks_with_services(ipvs))
        ip_vs_register_hooks(ipvs, 0);
    return ipvs;
}

static void cancel_timer(struct netns_ipvs *ipvs, uint64_t *id)
{
    if (*id)
        sim_cancel(host_sim(ipvs->net->host), *id);
    *id = 0;
}

static int __ip_vs_flush(struct netns_ipvs *ipvs, bool cleanup);
static void ip_vs_trash_cleanup(struct netns_ipvs *ipvs);

void ip_vs_net_exit(struct net *net)
{
    struct netns_ipvs *ipvs = net->ipvs;
    if (!ipvs)
        return;
    ip_vs_est_stop(ipvs);
    ip_vs_sync_net_cleanup(ipvs);
    cancel_timer(ipvs, &ipvs->dest_trash_timer);
    cancel_timer(ipvs, &ipvs->expire_nodest_timer);
    /* Connections go first: they point at dests, the dests at services. */
    ip_vs_conn_tab_exit(ipvs);
    __ip_vs_flush(ipvs, true);
    ip_vs_trash_cleanup(ipvs);
    ip_vs_core_exit(ipvs);          /* unregisters the hooks still registered */
    g_free(ipvs);
    net->ipvs = NULL;
}

/* ---- service references -------------------------------------------------------------- */

static void __ip_vs_svc_put(struct ip_vs_service *svc)
{
    if (--svc->refcnt == 0)
        g_free(svc);
}

static void __ip_vs_bind_svc(struct ip_vs_dest *dest, struct ip_vs_service *svc)
{
    svc->refcnt++;
    dest->svc = svc;
}

/* ---- services ------------------------------------------------------------------------ */

/* __ip_vs_service_find / __ip_vs_svc_fwm_find: a service is keyed by its family
 * too. An address key already says its family (sim/in6_key.h), so the family only
 * tells fwmark services apart: "-f 1" and "-f 1 -6" are two services. */
static bool svc_matches(const struct ip_vs_service *svc, int af, uint16_t protocol, be32 addr,
                        be16 port, uint32_t fwmark)
{
    if (fwmark)
        return svc->fwmark == fwmark && svc->af == af;
    return !svc->fwmark && svc->protocol == protocol && svc->addr == addr && svc->port == port;
}

struct ip_vs_service *ip_vs_service_get_af(struct netns_ipvs *ipvs, int af, uint16_t protocol,
                                         be32 addr, be16 port, uint32_t fwmark)
{
    struct ip_vs_service *svc;
    if (af == 0)
        af = AF_INET;
    list_for_each_entry(svc, &ipvs->services, s_list)
        if (svc_matches(svc, af, protocol, addr, port, fwmark))
            return svc;
    return NULL;
}

struct ip_vs_service *ip_vs_service_get(struct netns_ipvs *ipvs, uint16_t protocol, be32 addr,
                                        be16 port, uint32_t fwmark)
{
    return ip_vs_service_get_af(ipvs, inet_key_family(addr), protocol, addr, port, fwmark);
}

/* "none" is the kernel's name for no scheduler at all. A scheduler younger than the
 * era's kernel is not there to load (ip_vs_scheduler_get finds no module). */
static int scheduler_by_name(const struct netns_ipvs *ipvs, const char *name,
                             const struct ip_vs_scheduler **out)
{
    *out = NULL;
    if (strcmp(name, "none") == 0)
        return 0;
    if (!kernel_profile_has_scheduler(ipvs->net->prof, name))
        return -ENOENT;
    *out = ip_vs_scheduler_find(name);
    return *out ? 0 : -ENOENT;
}

static bool protocol_ok(const struct ip_vs_service_user *u)
{
    if (u->fwmark)
        return true;
    return ip_vs_proto_get(u->protocol) != NULL;     /* TCP, UDP or SCTP */
}

/* A stream name that says which service draws: "ipvs:<host>:TCP:10.0.0.1:80", the
 * real address for IPv6 (a key must decide nothing), ":6" after an IPv6 fwmark. */
static void svc_rng_init(struct ip_vs_service *svc)
{
    struct host *h = svc->ipvs->net->host;
    char addr[INET_KEY_STRLEN], name[128];
    inet_key_ntop(svc->addr, addr);
    if (svc->fwmark)
        snprintf(name, sizeof name, "ipvs:%s:FWM:%u%s", h->name, svc->fwmark,
                 svc->af == AF_INET6 ? ":6" : "");
    else
        snprintf(name, sizeof name, "ipvs:%s:%u:%s:%u", h->name, svc->protocol, addr,
                 ntohs(svc->port));
    rng_init(&svc->rng, host_sim(h)->seed, name);
}

static struct ip_vs_service *svc_alloc(struct netns_ipvs *ipvs, const struct ip_vs_service_user *u)
{
    struct ip_vs_service *svc = g_new0(struct ip_vs_service, 1);
    svc->ipvs = ipvs;
    svc->af = u->af ? u->af : AF_INET;
    svc->protocol = u->fwmark ? 0 : u->protocol;
    svc->addr = u->fwmark ? 0 : u->addr;
    svc->port = u->fwmark ? 0 : u->port;
    svc->fwmark = u->fwmark;
    svc->flags = u->flags & ~IP_VS_SVC_F_HASHED;
    svc->timeout = u->timeout;
    svc->netmask = u->netmask;
    INIT_LIST_HEAD(&svc->destinations);
    svc->refcnt = 1;
    svc_rng_init(svc);
    return svc;
}

int ip_vs_add_service(struct netns_ipvs *ipvs, const struct ip_vs_service_user *u,
                      struct ip_vs_service **svc_out)
{
    if (!protocol_ok(u))
        return -EFAULT;
    if (ip_vs_service_get_af(ipvs, u->af, u->protocol, u->addr, u->port, u->fwmark))
        return -EEXIST;
    const struct ip_vs_scheduler *sched;
    int ret = scheduler_by_name(ipvs, u->sched_name, &sched);
    if (ret)
        return ret;
    /* ip_vs_register_hooks(ipvs, af) with the first service of its family */
    int af = u->af == AF_INET6 ? AF_INET6 : AF_INET;
    int of_af = af == AF_INET6 ? ipvs->num_services6 : ipvs->num_services - ipvs->num_services6;
    bool hooked_here = hooks_with_services(ipvs) && of_af == 0;
    if (hooked_here)
        ip_vs_register_hooks(ipvs, af);
    struct ip_vs_service *svc = svc_alloc(ipvs, u);
    if (sched && (ret = ip_vs_bind_scheduler(svc, sched)) != 0) {
        if (hooked_here)
            ip_vs_unregister_hooks(ipvs, af);
        g_free(svc);
        return ret;
    }
    svc->scheduler = sched;
    ipvs->num_services++;
    if (af == AF_INET6)
        ipvs->num_services6++;
    list_add_tail(&svc->s_list, &ipvs->services);
    svc->flags |= IP_VS_SVC_F_HASHED;
    if (!ipvs->enable) {
        /* Now there is a service: estimation starts. */
        ipvs->enable = true;
        ip_vs_est_start(ipvs);
    }
    if (svc_out)
        *svc_out = svc;
    return 0;
}

static void svc_unbind_scheduler(struct ip_vs_service *svc)
{
    if (svc->scheduler)
        ip_vs_unbind_scheduler(svc);
    svc->scheduler = NULL;
    svc->sched_data = NULL;
}

int ip_vs_edit_service(struct ip_vs_service *svc, const struct ip_vs_service_user *u)
{
    const struct ip_vs_scheduler *sched;
    int ret = scheduler_by_name(svc->ipvs, u->sched_name, &sched);
    if (ret)
        return ret;
    /* The same scheduler keeps its state; another one starts from scratch. If
     * binding the new one fails, the service is left with none, as in the kernel. */
    if (sched != svc->scheduler) {
        svc_unbind_scheduler(svc);
        if (sched) {
            ret = ip_vs_bind_scheduler(svc, sched);
            if (ret)
                return ret;
            svc->scheduler = sched;
        }
    }
    svc->flags = u->flags | IP_VS_SVC_F_HASHED;
    svc->timeout = u->timeout;
    svc->netmask = u->netmask;
    return 0;
}

static void __ip_vs_unlink_dest(struct ip_vs_service *svc, struct ip_vs_dest *dest, bool svcupd);
static void __ip_vs_del_dest(struct netns_ipvs *ipvs, struct ip_vs_dest *dest, bool cleanup);

/* Unlink and delete a service; its dests go to the trash. cleanup: netns exit,
 * no timers. */
static void __ip_vs_del_service(struct ip_vs_service *svc, bool cleanup)
{
    struct netns_ipvs *ipvs = svc->ipvs;
    list_del(&svc->s_list);
    svc->flags &= ~IP_VS_SVC_F_HASHED;
    ipvs->num_services--;
    int of_af = svc->af == AF_INET6 ? --ipvs->num_services6
                                    : ipvs->num_services - ipvs->num_services6;
    if (of_af == 0 && hooks_with_services(ipvs))
        ip_vs_unregister_hooks(ipvs, svc->af);
    svc_unbind_scheduler(svc);
    while (!list_empty(&svc->destinations)) {
        struct ip_vs_dest *dest = list_entry(svc->destinations.next, struct ip_vs_dest, n_list);
        __ip_vs_unlink_dest(svc, dest, false);
        __ip_vs_del_dest(ipvs, dest, cleanup);
    }
    __ip_vs_svc_put(svc);
}

int ip_vs_del_service(struct ip_vs_service *svc)
{
    if (!svc)
        return -EEXIST;
    __ip_vs_del_service(svc, false);
    return 0;
}

static int __ip_vs_flush(struct netns_ipvs *ipvs, bool cleanup)
{
    while (!list_empty(&ipvs->services))
        __ip_vs_del_service(list_entry(ipvs->services.next, struct ip_vs_service, s_list),
                            cleanup);
    return 0;
}

int ip_vs_flush(struct netns_ipvs *ipvs)
{
    return __ip_vs_flush(ipvs, false);
}

/* ---- destinations ---------------------------------------------------------------------- */

struct ip_vs_dest *ip_vs_lookup_dest(const struct ip_vs_service *svc, be32 addr, be16 port)
{
    struct ip_vs_dest *dest;
    list_for_each_entry(dest, &svc->destinations, n_list)
        if (dest->addr == addr && dest->port == port)
            return dest;
    return NULL;
}

/* A dest of the same service (by its key, the service may have been deleted and
 * added again) and addr:port waiting in the trash; taken out of it. */
static struct ip_vs_dest *ip_vs_trash_get_dest(struct ip_vs_service *svc, be32 addr, be16 port)
{
    struct ip_vs_dest *dest;
    list_for_each_entry(dest, &svc->ipvs->dest_trash, t_list) {
        if (dest->addr != addr || dest->port != port || dest->vfwmark != svc->fwmark ||
            dest->protocol != svc->protocol)
            continue;
        if (!svc->fwmark && (dest->vaddr != svc->addr || dest->vport != svc->port))
            continue;
        list_del(&dest->t_list);
        return dest;
    }
    return NULL;
}

static void dest_set_flags(struct ip_vs_dest *dest, const struct ip_vs_dest_user *u)
{
    /* Every new connection starts inactive; replies never pass the director
     * except with NAT (and the full-NAT extra). */
    unsigned fwd = u->conn_flags & IP_VS_CONN_F_FWD_MASK;
    unsigned flags = fwd | IP_VS_CONN_F_INACTIVE;
    if (fwd != IP_VS_CONN_F_MASQ && fwd != IP_VS_CONN_F_FULLNAT)
        flags |= IP_VS_CONN_F_NOOUTPUT;
    if (fwd == IP_VS_CONN_F_MASQ)
        dest->in_rs_table = true;   /* ip_vs_rs_hash; only deletion unhashes it */
    dest->conn_flags = flags;
}

/* Bind to the service; a dest revived into another service than the one it was
 * made for starts its statistics again. */
static void dest_bind_svc(struct ip_vs_dest *dest, struct ip_vs_service *svc)
{
    struct ip_vs_service *old = dest->svc;
    if (!old) {
        __ip_vs_bind_svc(dest, svc);
    } else if (old != svc) {
        ip_vs_zero_stats(svc->ipvs, &dest->stats);
        __ip_vs_bind_svc(dest, svc);
        __ip_vs_svc_put(old);
    }
}

static void __ip_vs_update_dest(struct ip_vs_service *svc, struct ip_vs_dest *dest,
                                const struct ip_vs_dest_user *u, bool add)
{
    /* last_weight keeps the latest non-zero weight (mh builds from it) */
    if (add || u->weight != 0)
        dest->last_weight = u->weight;
    dest->weight = u->weight;
    dest_set_flags(dest, u);
    dest->tun_type = u->tun_type;
    dest->tun_port = u->tun_port;
    dest->tun_flags = u->tun_flags;
    dest->dest_dst_ok = false;      /* the cached route may be for another method */
    dest_bind_svc(dest, svc);
    dest->flags |= IP_VS_DEST_F_AVAILABLE;
    if (u->u_threshold == 0 || u->u_threshold > dest->u_threshold)
        dest->flags &= ~IP_VS_DEST_F_OVERLOAD;
    dest->u_threshold = u->u_threshold;
    dest->l_threshold = u->l_threshold;
    const struct ip_vs_scheduler *sched = svc->scheduler;
    if (add) {
        list_add(&dest->n_list, &svc->destinations);        /* the head: newest first */
        svc->num_dests++;
        if (sched && sched->add_dest)
            sched->add_dest(svc, dest);
    } else if (sched && sched->upd_dest) {
        sched->upd_dest(svc, dest);
    }
}

/* inet_addr_type() must say LOCAL or UNICAST: not 0.0.0.0/8, not the limited
 * broadcast, not multicast or class E. (Subnet broadcast addresses, which the
 * kernel finds in its local table, are not detected.) */
static bool dest_addr_unicast(be32 addr)
{
    uint32_t a = ntohl(addr);
    return (a >> 24) != 0 && a != 0xffffffffu && (a >> 28) < 0xe;
}

/* ip_vs_new_dest (6.1) for an IPv6 dest: ipv6_addr_type must say unicast (not
 * unspecified, not multicast; ::1 is unicast) and not link-local unless the address
 * is the director's own; ipvsim has no local IPv6 real servers, so link-local ones
 * are refused. */
static bool dest_addr6_unicast(be32 key)
{
    const struct in6_addr *a = in6_key_addr(key);
    return !ipv6_addr_any(a) && !ipv6_addr_is_multicast(a) && !ipv6_addr_linklocal(a);
}

static int ip_vs_new_dest(struct ip_vs_service *svc, const struct ip_vs_dest_user *u)
{
    if (in6_is_key(u->addr) ? !dest_addr6_unicast(u->addr) : !dest_addr_unicast(u->addr))
        return -EINVAL;
    struct ip_vs_dest *dest = g_new0(struct ip_vs_dest, 1);
    dest->protocol = svc->protocol;
    dest->vaddr = svc->addr;
    dest->vport = svc->port;
    dest->vfwmark = svc->fwmark;
    dest->addr = u->addr;
    dest->port = u->port;
    __ip_vs_update_dest(svc, dest, u, true);
    return 0;
}

static int dest_user_check(const struct ip_vs_dest_user *u)
{
    if (u->weight < 0)
        return -ERANGE;
    if (u->l_threshold > u->u_threshold)
        return -ERANGE;
    if (u->tun_type == IP_VS_CONN_F_TUNNEL_TYPE_GUE && u->tun_port == 0)
        return -EINVAL;
    return 0;
}

/* A dest of the other family than its service's (ip_vs_genl_set_cmd, 3.18, "ipvs:
 * Supply destination address family"): only a tunnel can carry it, and not while
 * a sync daemon runs (its messages have one family per connection); before 3.18 a
 * dest took the service's family, so ipvsim refuses the mix there. -EINVAL. */
static int dest_family_check(const struct ip_vs_service *svc, const struct ip_vs_dest_user *u)
{
    /* FULLNAT (an ipvsim extra) rewrites IPv4 headers only: refused for an IPv6
     * service, as the kernel refuses an operation its family lacks. */
    if (svc->af == AF_INET6 && (u->conn_flags & IP_VS_CONN_F_FWD_MASK) == IP_VS_CONN_F_FULLNAT)
        return -EAFNOSUPPORT;
    if (inet_key_family(u->addr) == svc->af)
        return 0;
    if (!svc->ipvs->net->prof->ipvs_mixed_af_tun)
        return -EINVAL;
    if (svc->ipvs->sync_state)
        return -EINVAL;
    return (u->conn_flags & IP_VS_CONN_F_FWD_MASK) == IP_VS_CONN_F_TUNNEL ? 0 : -EINVAL;
}

int ip_vs_add_dest(struct ip_vs_service *svc, const struct ip_vs_dest_user *u)
{
    int ret = dest_user_check(u);
    if (!ret)
        ret = dest_family_check(svc, u);
    if (ret)
        return ret;
    if (ip_vs_lookup_dest(svc, u->addr, u->port))
        return -EEXIST;
    struct ip_vs_dest *dest = ip_vs_trash_get_dest(svc, u->addr, u->port);
    if (!dest)
        return ip_vs_new_dest(svc, u);
    __ip_vs_update_dest(svc, dest, u, true);
    return 0;
}

int ip_vs_edit_dest(struct ip_vs_service *svc, const struct ip_vs_dest_user *u)
{
    int ret = dest_user_check(u);
    if (!ret)
        ret = dest_family_check(svc, u);
    if (ret)
        return ret;
    struct ip_vs_dest *dest = ip_vs_lookup_dest(svc, u->addr, u->port);
    if (!dest)
        return -ENOENT;
    __ip_vs_update_dest(svc, dest, u, false);
    return 0;
}

static void __ip_vs_unlink_dest(struct ip_vs_service *svc, struct ip_vs_dest *dest, bool svcupd)
{
    dest->flags &= ~IP_VS_DEST_F_AVAILABLE;
    list_del(&dest->n_list);
    svc->num_dests--;
    if (svcupd && svc->scheduler && svc->scheduler->del_dest)
        svc->scheduler->del_dest(svc, dest);
}

static void ip_vs_dest_trash_expire(struct sim *sim, void *obj, uint64_t arg);
static void ip_vs_expire_nodest_conn_work(struct sim *sim, void *obj, uint64_t arg);

/* mod_timer: (re)arm at now + delay whether or not it is pending. */
static void mod_timer(struct netns_ipvs *ipvs, uint64_t *id, sim_time_t delay, sim_event_fn fn)
{
    struct host *h = ipvs->net->host;
    cancel_timer(ipvs, id);
    *id = host_timer(h, sim_time_add(host_now(h), delay), fn, ipvs, 0);
}

/* The connections of a deleted dest are deleted by deferred work one jiffy later,
 * when expire_nodest_conn asks for it (ip_vs_enqueue_expire_nodest_conns, 5.9+). */
static void ip_vs_enqueue_expire_nodest_conns(struct netns_ipvs *ipvs)
{
    if (ipvs->net->prof->ipvs_expire_nodest_work && ipvs->sysctl.expire_nodest_conn &&
        !ipvs->expire_nodest_timer)
        mod_timer(ipvs, &ipvs->expire_nodest_timer, IP_VS_JIFFY, ip_vs_expire_nodest_conn_work);
}

static void ip_vs_expire_nodest_conn_work(struct sim *sim, void *obj, uint64_t arg)
{
    struct netns_ipvs *ipvs = obj;
    ipvs->expire_nodest_timer = 0;
    ip_vs_conn_expire_nodest(ipvs);
}

/* Move an unlinked dest to the trash, where it waits for its last reference. */
static void __ip_vs_del_dest(struct netns_ipvs *ipvs, struct ip_vs_dest *dest, bool cleanup)
{
    if (list_empty(&ipvs->dest_trash) && !cleanup)
        mod_timer(ipvs, &ipvs->dest_trash_timer, IP_VS_DEST_TRASH_PERIOD / 2,
                  ip_vs_dest_trash_expire);
    list_add(&dest->t_list, &ipvs->dest_trash);
    dest->idle_start = 0;
    dest->in_rs_table = false;      /* ip_vs_rs_unhash */
    if (!cleanup)
        ip_vs_enqueue_expire_nodest_conns(ipvs);
}

int ip_vs_del_dest(struct ip_vs_service *svc, be32 addr, be16 port)
{
    struct ip_vs_dest *dest = ip_vs_lookup_dest(svc, addr, port);
    if (!dest)
        return -ENOENT;
    __ip_vs_unlink_dest(svc, dest, true);
    __ip_vs_del_dest(svc->ipvs, dest, false);
    return 0;
}

static void ip_vs_dest_free(struct ip_vs_dest *dest)
{
    __ip_vs_svc_put(dest->svc);
    g_free(dest);
}

/* Every half period: a dest nobody references is first marked idle, and freed
 * once it has been idle for a whole period (so 120 to 180 s after it went idle). */
static void ip_vs_dest_trash_expire(struct sim *sim, void *obj, uint64_t arg)
{
    struct netns_ipvs *ipvs = obj;
    sim_time_t now = sim->now;
    ipvs->dest_trash_timer = 0;
    struct list_head *p = ipvs->dest_trash.next;
    while (p != &ipvs->dest_trash) {
        struct ip_vs_dest *dest = list_entry(p, struct ip_vs_dest, t_list);
        p = p->next;
        if (dest->refcnt > 0)
            continue;
        if (!dest->idle_start) {
            dest->idle_start = now > 1 ? now : 1;
            continue;
        }
        if (now < dest->idle_start + IP_VS_DEST_TRASH_PERIOD)
            continue;
        list_del(&dest->t_list);
        ip_vs_dest_free(dest);
    }
    if (!list_empty(&ipvs->dest_trash))
        mod_timer(ipvs, &ipvs->dest_trash_timer, IP_VS_DEST_TRASH_PERIOD / 2,
                  ip_vs_dest_trash_expire);
}

static void ip_vs_trash_cleanup(struct netns_ipvs *ipvs)
{
    while (!list_empty(&ipvs->dest_trash)) {
        struct ip_vs_dest *dest = list_entry(ipvs->dest_trash.next, struct ip_vs_dest, t_list);
        list_del(&dest->t_list);
        ip_vs_dest_free(dest);
    }
}

/* ---- connection accounting -------------------------------------------------------------- */

static int dest_totalconns(const struct ip_vs_dest *dest)
{
    return dest->activeconns + dest->inactconns;
}

void ip_vs_dest_bind_conn(struct ip_vs_dest *dest, unsigned conn_flags)
{
    dest->refcnt++;
    if (conn_flags & IP_VS_CONN_F_TEMPLATE)
        dest->persistconns++;
    else if (conn_flags & IP_VS_CONN_F_INACTIVE)
        dest->inactconns++;
    else
        dest->activeconns++;
    if (dest->u_threshold != 0 && (uint32_t)dest_totalconns(dest) >= dest->u_threshold)
        dest->flags |= IP_VS_DEST_F_OVERLOAD;
}

/* With only an upper threshold, OVERLOAD clears below 3/4 of it (hysteresis). */
static bool overload_may_clear(const struct ip_vs_dest *dest)
{
    uint64_t total = (uint64_t)dest_totalconns(dest);
    if (dest->l_threshold != 0)
        return total < dest->l_threshold;
    if (dest->u_threshold != 0)
        return total * 4 < (uint64_t)dest->u_threshold * 3;
    return true;
}

void ip_vs_dest_unbind_conn(struct ip_vs_dest *dest, unsigned conn_flags)
{
    if (conn_flags & IP_VS_CONN_F_TEMPLATE)
        dest->persistconns--;
    else if (conn_flags & IP_VS_CONN_F_INACTIVE)
        dest->inactconns--;
    else
        dest->activeconns--;
    if (overload_may_clear(dest))
        dest->flags &= ~IP_VS_DEST_F_OVERLOAD;
    dest->refcnt--;
}

/* ---- -Z and --set ----------------------------------------------------------------------- */

void ip_vs_zero_service(struct ip_vs_service *svc)
{
    struct ip_vs_dest *dest;
    list_for_each_entry(dest, &svc->destinations, n_list)
        ip_vs_zero_stats(svc->ipvs, &dest->stats);
    ip_vs_zero_stats(svc->ipvs, &svc->stats);
}

void ip_vs_zero_all(struct netns_ipvs *ipvs)
{
    struct ip_vs_service *svc;
    list_for_each_entry(svc, &ipvs->services, s_list)
        ip_vs_zero_service(svc);
    ip_vs_zero_stats(ipvs, &ipvs->tot_stats);
}

int ip_vs_set_timeout(struct netns_ipvs *ipvs, unsigned tcp, unsigned tcpfin, unsigned udp)
{
    /* The kernel keeps jiffies in an int. */
    const unsigned max = INT_MAX / IP_VS_HZ;
    if (tcp > max || tcpfin > max || udp > max)
        return -EINVAL;
    if (tcp)
        ipvs->tcp_timeouts[IP_VS_TCP_S_ESTABLISHED] = tcp;
    if (tcpfin)
        ipvs->tcp_timeouts[IP_VS_TCP_S_FIN_WAIT] = tcpfin;
    if (udp)
        ipvs->udp_timeout = udp;
    return 0;
}
