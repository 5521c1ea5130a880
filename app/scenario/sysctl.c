/* Scenario sysctls: one table of every sysctl a scenario may set. */
#include "app/scenario/sysctl.h"

#include <glib.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "model/ipvs/ip_vs_ctl.h"
#include "model/net.h"
#include "model/profile.h"

#define BIG (1L << 30)

/* The IPVS ones: vs_vars[] of net/netfilter/ipvs/ip_vs_ctl.c (6.1), defaults from
 * ip_vs_control_net_init_sysctl; lblc(r)_expiration from ip_vs_lblc(r).c. The kernel
 * takes any int where its handler is proc_dointvec; ipvsim takes what the code reads
 * (0/1 for a switch, the bitmap of conn_reuse_mode) and refuses the rest. */
#define VS(field, d, lo, hi, h, ...)                                                        \
    { .name = #field, .home = SYSCTL_IPVS, .offset = offsetof(struct ipvs_sysctl, field),   \
      .size = sizeof(((struct ipvs_sysctl *)0)->field), .def = d, .min = lo, .max = hi,     \
      .handler = h, __VA_ARGS__ }
/* A host's own net.ipv4 ones (net/ipv4/devinet.c, sysctl_net_ipv4.c). */
#define V4(name, field, d, lo, hi, h)                                                       \
    { "net.ipv4." name, SYSCTL_IPV4, offsetof(struct ipv4_devconf, field),                   \
      sizeof(((struct ipv4_devconf *)0)->field), d, lo, hi, h, NULL, NULL, NULL, NULL, NULL, NULL }
/* ICMP's (net/ipv4/icmp.c, icmp_sk_init). */
#define ICMP(field, d, lo, hi, h, exists, since)                                            \
    { "net.ipv4.icmp_" #field, SYSCTL_ICMP, offsetof(struct icmp_state, field),             \
      sizeof(((struct icmp_state *)0)->field), d, lo, hi, h, exists, since, NULL, NULL, NULL, NULL }

static bool has_icmp_global_limit(const struct kernel_profile *p)
{
    return p->icmp_global_limit;
}

/* tcp_tw_reuse took 0 and 1 (default 0) until 4.18 added 2, its new default */
static long tw_reuse_def(const struct kernel_profile *p)
{
    return p->tcp_tw_reuse_default;
}

static long tw_reuse_max(const struct kernel_profile *p)
{
    return p->tcp_tw_reuse_default == 2 ? 2 : 1;
}

/* net.ipv4.tcp_congestion_control: the modules ipvsim has, in enum tcp_ca_algo's
 * order (model/apps/tcp_cong.c); Linux takes any loaded module's name. */
static const char *const tcp_ca_names[] = { "cubic", "reno", NULL };

static const struct sysctl_def sysctls[] = {
    VS(am_droprate, 10, 0, BIG, "proc_dointvec"),
    VS(amemthresh, 1024, 0, BIG, "proc_dointvec"),
    VS(backup_only, 0, 0, 1, "proc_dointvec"),
    VS(cache_bypass, 0, 0, 1, "proc_dointvec"),
    VS(conn_reuse_mode, 1, 0, 3, "proc_dointvec"),
    VS(conntrack, 0, 0, 1, "proc_dointvec", .unmodelled =
       "IPVS keeping conntrack entries for its connections (ip_vs_update_conntrack, "
       "ip_vs_nfct.c, 2.6.37+): its packets always go untracked"),
    VS(drop_entry, 0, 0, 3, "proc_do_defense_mode"),
    VS(drop_packet, 0, 0, 3, "proc_do_defense_mode"),
    VS(expire_nodest_conn, 0, 0, 1, "proc_dointvec"),
    VS(expire_quiescent_template, 0, 0, 1, "proc_dointvec"),
    VS(ignore_tunneled, 0, 0, 1, "proc_dointvec"),
    VS(lblc_expiration, 24 * 60 * 60, 0, BIG, "proc_dointvec_jiffies"),
    VS(lblcr_expiration, 24 * 60 * 60, 0, BIG, "proc_dointvec_jiffies"),
    VS(nat_icmp_send, 0, 0, 1, "proc_dointvec"),
    VS(pmtu_disc, 1, 0, 1, "proc_dointvec"),
    VS(schedule_icmp, 0, 0, 1, "proc_dointvec", .unmodelled =
       "scheduling a new connection from an ICMP error that matches none "
       "(ip_vs_try_to_schedule in ip_vs_in_icmp, 4.3+)"),
    VS(secure_tcp, 0, 0, 3, "proc_do_defense_mode"),
    VS(sloppy_sctp, 0, 0, 1, "proc_dointvec"),
    VS(sloppy_tcp, 0, 0, 1, "proc_dointvec"),
    VS(snat_reroute, 1, 0, 1, "proc_dointvec"),
    VS(sync_refresh_period, 0, 0, BIG, "proc_dointvec_jiffies"),
    VS(sync_version, 1, 0, 1, "proc_do_sync_mode"),
    V4("ip_forward", ip_forward, 0, 0, 1, "devinet_sysctl_forward"),
    V4("conf.all.send_redirects", send_redirects, 1, 0, 1, "devinet_conf_proc"),
    V4("conf.all.accept_redirects", accept_redirects, 1, 0, 1, "devinet_conf_proc"),
    V4("conf.all.secure_redirects", secure_redirects, 1, 0, 1, "devinet_conf_proc"),
    V4("conf.all.shared_media", shared_media, 1, 0, 1, "devinet_conf_proc"),
    /* ip_ttl_min, ip_ttl_max */
    V4("ip_default_ttl", default_ttl, 64, 1, 255, "proc_dointvec_minmax"),
    /* The endpoints' TCP (net/ipv4/sysctl_net_ipv4.c); tcp_timestamps takes 0, 1 (a random
     * offset per connection) or 2 (none), as tcp_syn_options and secure_tcp_ts_off read it */
    V4("tcp_timestamps", tcp_timestamps, 1, 0, 2, "proc_dou8vec_minmax"),
    V4("tcp_sack", tcp_sack, 1, 0, 1, "proc_dou8vec_minmax"),
    V4("tcp_window_scaling", tcp_window_scaling, 1, 0, 1, "proc_dou8vec_minmax"),
    /* seconds; ipvsim keeps it at most a day */
    V4("tcp_fin_timeout", tcp_fin_timeout, 60, 1, 86400, "proc_dointvec_jiffies"),
    /* 0 never, 1 always, 2 (the default since 4.18) only for loopback 4-tuples */
    { "net.ipv4.tcp_tw_reuse", SYSCTL_IPV4, offsetof(struct ipv4_devconf, tcp_tw_reuse),
      sizeof(((struct ipv4_devconf *)0)->tcp_tw_reuse), 2, 0, 2, "proc_dou8vec_minmax", NULL,
      "4.18", NULL, tw_reuse_def, tw_reuse_max, NULL },
    { "net.ipv4.tcp_congestion_control", SYSCTL_IPV4,
      offsetof(struct ipv4_devconf, tcp_congestion_control),
      sizeof(((struct ipv4_devconf *)0)->tcp_congestion_control), 0, 0, 1,
      "proc_tcp_congestion_control", NULL, NULL, NULL, NULL, NULL, tcp_ca_names },
    V4("tcp_slow_start_after_idle", tcp_slow_start_after_idle, 1, 0, 1, "proc_dou8vec_minmax"),
    { "net.ipv4.icmp_ratelimit", SYSCTL_ICMP, offsetof(struct icmp_state, ratelimit_ms),
      sizeof(((struct icmp_state *)0)->ratelimit_ms), 1000, 0, BIG, "proc_dointvec_ms_jiffies",
      NULL, NULL, NULL, NULL, NULL, NULL },
    ICMP(ratemask, 0x1818, 0, BIG, "proc_dointvec", NULL, NULL),
    /* extra1 = SYSCTL_ZERO */
    ICMP(msgs_per_sec, 1000, 0, INT_MAX, "proc_dointvec_minmax", has_icmp_global_limit, "3.18"),
    ICMP(msgs_burst, 50, 0, INT_MAX, "proc_dointvec_minmax", has_icmp_global_limit, "3.18"),
};

size_t sysctl_count(void)
{
    return G_N_ELEMENTS(sysctls);
}

const struct sysctl_def *sysctl_at(size_t i)
{
    return i < G_N_ELEMENTS(sysctls) ? &sysctls[i] : NULL;
}

const struct sysctl_def *sysctl_find(const char *key)
{
    bool vs_prefix = strncmp(key, "net.ipv4.vs.", 12) == 0;
    for (size_t i = 0; i < G_N_ELEMENTS(sysctls); i++) {
        const struct sysctl_def *d = &sysctls[i];
        if (d->home == SYSCTL_IPVS && strcmp(vs_prefix ? key + 12 : key, d->name) == 0)
            return d;
        if (d->home != SYSCTL_IPVS && !vs_prefix && strcmp(key, d->name) == 0)
            return d;
    }
    return NULL;
}

bool sysctl_name_value(const struct sysctl_def *d, const char *name, long *value)
{
    for (long i = 0; d->names && d->names[i]; i++) {
        if (strcmp(d->names[i], name) == 0) {
            *value = i;
            return true;
        }
    }
    return false;
}

void sysctl_names_list(const struct sysctl_def *d, char *buf, size_t len)
{
    size_t at = 0;
    buf[0] = '\0';
    for (size_t i = 0; d->names && d->names[i] && at < len; i++)
        at += (size_t)snprintf(buf + at, len - at, "%s%s", i ? ", " : "", d->names[i]);
}

static bool exists_in(const struct sysctl_def *d, const struct kernel_profile *p)
{
    if (d->home == SYSCTL_IPVS)
        return kernel_profile_has_ipvs_sysctl(p, d->name);
    return !d->exists || d->exists(p);
}

static void *field_of(struct net *net, const struct sysctl_def *d)
{
    switch (d->home) {
    case SYSCTL_IPVS:
        return (char *)&ip_vs_net(net)->sysctl + d->offset;
    case SYSCTL_IPV4:
        return (char *)&net->ipv4 + d->offset;
    case SYSCTL_ICMP:
        return (char *)&net->icmp + d->offset;
    }
    return NULL;
}

long sysctl_default(const struct sysctl_def *d, const struct kernel_profile *p)
{
    return d->era_def ? d->era_def(p) : d->def;
}

long sysctl_max(const struct sysctl_def *d, const struct kernel_profile *p)
{
    return d->era_max ? d->era_max(p) : d->max;
}

long sysctl_get(struct net *net, const struct sysctl_def *d)
{
    void *f = field_of(net, d);
    if (d->size == sizeof(int64_t))
        return (long)*(int64_t *)f;
    return (long)*(int *)f;
}

bool sysctl_set(struct net *net, const char *key, long value, char *err, size_t errlen)
{
    const struct sysctl_def *d = sysctl_find(key);
    if (!d) {
        snprintf(err, errlen, "unknown sysctl '%s'", key);
        return false;
    }
    if (!exists_in(d, net->prof)) {
        bool vs = d->home == SYSCTL_IPVS;
        snprintf(err, errlen, "sysctl '%s' does not exist in kernel %s (%s%s came in %s)", key,
                 net->prof->name, vs ? "net.ipv4.vs." : "", d->name,
                 vs ? kernel_feature_since(d->name) : d->since);
        return false;
    }
    if (d->unmodelled && value != 0) {
        snprintf(err, errlen, "sysctl '%s': %ld is not modelled in kernel %s: %s; only 0 "
                 "is accepted", d->name, value, net->prof->name, d->unmodelled);
        return false;
    }
    long max = sysctl_max(d, net->prof);
    if (value < d->min || value > max) {
        if (value > max && value <= d->max)
            snprintf(err, errlen, "sysctl '%s': %ld is out of range in kernel %s (expected %ld "
                     "to %ld; up to %ld since %s)", key, value, net->prof->name, d->min, max,
                     d->max, d->since);
        else
            snprintf(err, errlen, "sysctl '%s': %ld is out of range (expected %ld to %ld)", key,
                     value, d->min, d->max);
        return false;
    }
    void *f = field_of(net, d);
    if (d->size == sizeof(int64_t))
        *(int64_t *)f = value;
    else
        *(int *)f = (int)value;
    return true;
}
