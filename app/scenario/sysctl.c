/* Scenario sysctls. */
#include "app/scenario/sysctl.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>
#include "model/ipvs/ip_vs_ctl.h"
#include "model/net.h"

/* An IPVS sysctl: its name under net.ipv4.vs. and the allowed range. */
struct vs_sysctl {
    const char *name;
    size_t offset;                      /* into struct ipvs_sysctl */
    long min, max;
};

#define VS(field, lo, hi) { #field, offsetof(struct ipvs_sysctl, field), lo, hi }

static const struct vs_sysctl vs_sysctls[] = {
    VS(amemthresh, 0, 1L << 30), VS(am_droprate, 0, 1L << 30), VS(drop_entry, 0, 3),
    VS(drop_packet, 0, 3), VS(secure_tcp, 0, 3), VS(snat_reroute, 0, 1), VS(cache_bypass, 0, 1),
    VS(expire_nodest_conn, 0, 1), VS(sloppy_tcp, 0, 1), VS(sloppy_sctp, 0, 1),
    VS(expire_quiescent_template, 0, 1), VS(nat_icmp_send, 0, 1), VS(pmtu_disc, 0, 1),
    VS(backup_only, 0, 1), VS(conn_reuse_mode, 0, 3), VS(schedule_icmp, 0, 1),
    VS(ignore_tunneled, 0, 1), VS(conntrack, 0, 1), VS(sync_refresh_period, 0, 1L << 30),
    VS(sync_version, 0, 1), VS(lblc_expiration, 0, 1L << 30), VS(lblcr_expiration, 0, 1L << 30),
};

static const char *strip_prefix(const char *key, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncmp(key, prefix, n) == 0 ? key + n : key;
}

static const struct vs_sysctl *vs_find(const char *key)
{
    const char *name = strip_prefix(key, "net.ipv4.vs.");
    for (size_t i = 0; i < G_N_ELEMENTS(vs_sysctls); i++)
        if (strcmp(vs_sysctls[i].name, name) == 0)
            return &vs_sysctls[i];
    return NULL;
}

/* The IPv4 ones: a pointer into net, the range. */
static int *ipv4_sysctl(struct net *net, const char *key, long *min, long *max)
{
    const char *name = strip_prefix(key, "net.ipv4.");
    *min = 0;
    *max = 1L << 30;
    if (strcmp(name, "ip_forward") == 0) {
        *max = 1;
        return &net->ipv4.ip_forward;
    }
    if (strcmp(name, "ip_default_ttl") == 0) {
        *min = 1;
        *max = 255;
        return &net->ipv4.default_ttl;
    }
    if (strcmp(name, "icmp_ratelimit") == 0)
        return (int *)&net->icmp.ratelimit_ms;
    if (strcmp(name, "icmp_ratemask") == 0)
        return (int *)&net->icmp.ratemask;
    *max = 1;
    if (strcmp(name, "conf.all.send_redirects") == 0)
        return &net->ipv4.send_redirects;
    if (strcmp(name, "conf.all.accept_redirects") == 0)
        return &net->ipv4.accept_redirects;
    if (strcmp(name, "conf.all.secure_redirects") == 0)
        return &net->ipv4.secure_redirects;
    if (strcmp(name, "conf.all.shared_media") == 0)
        return &net->ipv4.shared_media;
    return NULL;
}

bool sysctl_known(const char *key)
{
    static const char *const ipv4[] = { "ip_forward", "ip_default_ttl", "icmp_ratelimit", "icmp_ratemask",
                                        "conf.all.send_redirects", "conf.all.accept_redirects",
                                        "conf.all.secure_redirects", "conf.all.shared_media" };
    if (vs_find(key))
        return true;
    const char *name = strip_prefix(key, "net.ipv4.");
    for (size_t i = 0; i < G_N_ELEMENTS(ipv4); i++)
        if (strcmp(name, ipv4[i]) == 0)
            return true;
    return false;
}

/* IPVS sysctls whose non-zero values ipvsim does not model: what the kernel would
 * do that the model does not, so the refusal says what is missing. */
static const struct {
    const char *name;
    const char *missing;
} vs_unmodelled[] = {
    { "schedule_icmp", "scheduling a new connection from an ICMP error that matches none "
                       "(ip_vs_try_to_schedule in ip_vs_in_icmp, 4.3+)" },
    { "conntrack", "IPVS keeping conntrack entries for its connections "
                   "(ip_vs_update_conntrack, ip_vs_nfct.c, 2.6.37+): its packets always go "
                   "untracked" },
};

static bool vs_unmodelled_value(const struct net *net, const struct vs_sysctl *vs, long value,
                                char *err, size_t errlen)
{
    for (size_t i = 0; i < G_N_ELEMENTS(vs_unmodelled); i++)
        if (strcmp(vs->name, vs_unmodelled[i].name) == 0 && value != 0) {
            snprintf(err, errlen, "sysctl '%s': %ld is not modelled in kernel %s: %s; only 0 "
                     "is accepted", vs->name, value, net->prof->name, vs_unmodelled[i].missing);
            return true;
        }
    return false;
}

bool sysctl_set(struct net *net, const char *key, long value, char *err, size_t errlen)
{
    const struct vs_sysctl *vs = vs_find(key);
    long min, max;
    int *target;
    if (vs && !kernel_profile_has_ipvs_sysctl(net->prof, vs->name)) {
        snprintf(err, errlen, "sysctl '%s' does not exist in kernel %s (net.ipv4.vs.%s came "
                 "in %s)", key, net->prof->name, vs->name, kernel_feature_since(vs->name));
        return false;
    }
    if (vs && vs_unmodelled_value(net, vs, value, err, errlen))
        return false;
    if (vs) {
        min = vs->min;
        max = vs->max;
        target = (int *)((char *)&ip_vs_net(net)->sysctl + vs->offset);
    } else {
        target = ipv4_sysctl(net, key, &min, &max);
        if (!target) {
            snprintf(err, errlen, "unknown sysctl '%s' (expected an IPVS sysctl such as "
                     "expire_nodest_conn, or net.ipv4.ip_forward, ip_default_ttl, "
                     "icmp_ratelimit, icmp_ratemask, conf.all.send_redirects, "
                     "conf.all.accept_redirects, conf.all.secure_redirects, "
                     "conf.all.shared_media)", key);
            return false;
        }
    }
    if (value < min || value > max) {
        snprintf(err, errlen, "sysctl '%s': %ld is out of range (expected %ld to %ld)", key,
                 value, min, max);
        return false;
    }
    *target = (int)value;
    return true;
}
