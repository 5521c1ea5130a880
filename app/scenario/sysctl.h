/* The sysctls a scenario may set: one table (sysctl.c) that the loader (which names
 * it knows, "did you mean"), the setter (range, era, where the value lands) and the
 * tests walk. A scenario names them by their /proc/sys names: net.ipv4.vs.* (or the
 * bare IPVS name, as scenarios write "expire_nodest_conn"), and in full the host's
 * own net.ipv4.ip_forward, ip_default_ttl, icmp_ratelimit, icmp_ratemask,
 * icmp_msgs_per_sec, icmp_msgs_burst and conf.all.{send,accept,secure}_redirects,
 * conf.all.shared_media, the endpoints' tcp_* ones (tcp_congestion_control by name). */
#ifndef IPVSIM_APP_SCENARIO_SYSCTL_H
#define IPVSIM_APP_SCENARIO_SYSCTL_H

#include <stdbool.h>
#include <stddef.h>

struct net;
struct kernel_profile;

/* Where a sysctl's value lands in the model. */
enum sysctl_home {
    SYSCTL_IPVS,                    /* struct ipvs_sysctl (the director's IPVS) */
    SYSCTL_IPV4,                    /* struct ipv4_devconf (every host's net.ipv4) */
    SYSCTL_ICMP,                    /* struct icmp_state (every host's ICMP limits) */
};

struct sysctl_def {
    const char *name;               /* as stored: IPVS ones short ("sloppy_tcp"), the others
                                     * in full ("net.ipv4.ip_forward") */
    enum sysctl_home home;
    size_t offset, size;            /* of the field in its home struct (int or int64_t) */
    long def;                       /* the kernel's default in the newest era (the model's
                                     * pernet init sets it; era_def when it moved) */
    long min, max;                  /* what ipvsim accepts (see handler; era_max) */
    const char *handler;            /* the kernel's proc handler, for the range */
    /* Whether the era's kernel has it (NULL: every era). */
    bool (*exists)(const struct kernel_profile *p);
    const char *since;              /* the version that brought it, for messages */
    const char *unmodelled;         /* non-NULL: only 0 is modelled; what the kernel
                                     * would do otherwise */
    /* A default and a maximum that changed with the era (NULL: def and max). */
    long (*era_def)(const struct kernel_profile *p);
    long (*era_max)(const struct kernel_profile *p);
    /* A sysctl that takes a name (tcp_congestion_control): its values, NULL-ended;
     * the model stores the index. NULL: an integer. */
    const char *const *names;
};

/* d's default and largest value in the era of p. */
long sysctl_default(const struct sysctl_def *d, const struct kernel_profile *p);
long sysctl_max(const struct sysctl_def *d, const struct kernel_profile *p);

/* The table, in the order messages list it. */
size_t sysctl_count(void);
const struct sysctl_def *sysctl_at(size_t i);
/* key as a scenario writes it: an IPVS name, bare or under net.ipv4.vs., or another
 * one in full. NULL for a name the simulator does not know. */
const struct sysctl_def *sysctl_find(const char *key);

/* The value of name for a sysctl that takes names (d->names): false when d takes
 * none of that name. sysctl_names_list writes "a, b" into buf. */
bool sysctl_name_value(const struct sysctl_def *d, const char *name, long *value);
void sysctl_names_list(const struct sysctl_def *d, char *buf, size_t len);

/* Set key to value on net (IPVS is loaded if the key is one of its). false with a
 * message naming the key and what was expected. */
bool sysctl_set(struct net *net, const char *key, long value, char *err, size_t errlen);
/* The value of d on net now (loads IPVS for an IPVS one). */
long sysctl_get(struct net *net, const struct sysctl_def *d);

#endif
