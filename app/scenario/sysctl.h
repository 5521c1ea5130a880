/* The sysctls a scenario may set, by their /proc/sys names: net.ipv4.vs.* (or the
 * bare IPVS name, as scenarios write "expire_nodest_conn"), net.ipv4.ip_forward,
 * net.ipv4.ip_default_ttl, net.ipv4.icmp_ratelimit, net.ipv4.icmp_ratemask,
 * net.ipv4.icmp_msgs_per_sec, net.ipv4.icmp_msgs_burst. */
#ifndef IPVSIM_APP_SCENARIO_SYSCTL_H
#define IPVSIM_APP_SCENARIO_SYSCTL_H

#include <stdbool.h>
#include <stddef.h>

struct net;

/* Set key to value on net (IPVS is loaded if the key is one of its). false with a
 * message naming the key and what was expected. */
bool sysctl_set(struct net *net, const char *key, long value, char *err, size_t errlen);
/* Is key known (for validation without a net)? */
bool sysctl_known(const char *key);

#endif
