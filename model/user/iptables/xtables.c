/* The userspace extension registry (iptables' libxtables/xtables.c:
 * xtables_find_match, xtables_find_target): every libxt_* / libipt_* half the model
 * has, found by the name a command line gives, and the half that prints a rule's
 * kernel match or target (by the kernel's name, as iptables-save does); plus the
 * helpers the extensions share. */
#include "model/user/iptables/xtables.h"

#include <string.h>

const struct xtables_target xtables_standard_target = {
    .name = "standard",
};

static const struct xtables_match *const xtables_matches[] = {
    &libxt_tcp_match, &libxt_udp_match, &libipt_icmp_match, &libip6t_icmp6_match, &libxt_mark_match,
    &libxt_state_match, &libxt_conntrack_match, &libxt_comment_match, &libxt_multiport_match,
};

/* A kernel target's printer is the first entry with its name: CT before NOTRACK. */
static const struct xtables_target *const xtables_targets[] = {
    &libipt_reject_target, &libxt_mark_target, &libxt_log_target, &libxt_dnat_target,
    &libxt_snat_target, &libxt_masquerade_target, &libxt_ct_target, &libxt_notrack_target,
};

const struct xtables_match *xtables_find_match(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(xtables_matches); i++)
        if (strcmp(xtables_matches[i]->name, name) == 0)
            return xtables_matches[i];
    return NULL;
}

const struct xtables_target *xtables_find_target(const char *name)
{
    if (strcmp(name, "ACCEPT") == 0 || strcmp(name, "DROP") == 0 || strcmp(name, "RETURN") == 0 ||
        strcmp(name, "QUEUE") == 0)
        return &xtables_standard_target;
    for (size_t i = 0; i < G_N_ELEMENTS(xtables_targets); i++)
        if (strcmp(xtables_targets[i]->name, name) == 0)
            return xtables_targets[i];
    return NULL;
}

const char *xtables_match_kernel_name(const struct xtables_match *m)
{
    return m->real_name ? m->real_name : m->name;
}

const char *xtables_target_kernel_name(const struct xtables_target *t)
{
    return t->real_name ? t->real_name : t->name;
}

const struct xtables_match *xtables_match_of(const struct xt_match *m)
{
    for (size_t i = 0; i < G_N_ELEMENTS(xtables_matches); i++)
        if (strcmp(xtables_match_kernel_name(xtables_matches[i]), m->name) == 0)
            return xtables_matches[i];
    return NULL;
}

const struct xtables_target *xtables_target_of(const struct xt_target *t)
{
    if (t == &xt_standard_target)
        return &xtables_standard_target;
    for (size_t i = 0; i < G_N_ELEMENTS(xtables_targets); i++)
        if (strcmp(xtables_target_kernel_name(xtables_targets[i]), t->name) == 0)
            return xtables_targets[i];
    return NULL;
}

const struct xtables_match *const *xtables_registered_matches(size_t *n)
{
    *n = G_N_ELEMENTS(xtables_matches);
    return xtables_matches;
}

const struct xtables_target *const *xtables_registered_targets(size_t *n)
{
    *n = G_N_ELEMENTS(xtables_targets);
    return xtables_targets;
}

void xtables_save_ports(GString *out, const char *name, const uint16_t *pts, bool invert)
{
    if (pts[0] == 0 && pts[1] == 0xffff)
        return;
    if (invert)
        g_string_append(out, " !");
    if (pts[0] != pts[1])
        g_string_append_printf(out, " --%s %u:%u", name, pts[0], pts[1]);
    else
        g_string_append_printf(out, " --%s %u", name, pts[0]);
}

/* Extensions iptables has and the model does not: a clearer message than
 * "Couldn't load". */
bool xt_known_unmodelled(const char *name, bool target)
{
    static const char *const unmodelled_targets[] = {
        "AUDIT", "CHECKSUM", "CLASSIFY", "CLUSTERIP", "CONNMARK", "CONNSECMARK", "DSCP",
        "ECN", "HMARK", "IDLETIMER", "LED", "NETMAP", "NFLOG", "NFQUEUE", "RATEEST",
        "REDIRECT", "SECMARK", "SET", "SYNPROXY", "TCPMSS", "TCPOPTSTRIP", "TEE", "TOS",
        "TPROXY", "TRACE", "TTL", "ULOG",
    };
    static const char *const unmodelled_matches[] = {
        "addrtype", "ah", "bpf", "cgroup", "cluster", "connbytes", "connlabel", "connlimit",
        "connmark", "cpu", "dccp", "devgroup", "dscp", "ecn", "esp", "hashlimit", "helper",
        "iprange", "ipvs", "length", "limit", "mac", "nfacct", "osf", "owner",
        "physdev", "pkttype", "policy", "quota", "rateest", "realm", "recent", "rpfilter",
        "sctp", "set", "socket", "statistic", "string", "tcpmss", "time", "tos", "ttl", "u32",
    };
    const char *const *list = target ? unmodelled_targets : unmodelled_matches;
    size_t n = target ? G_N_ELEMENTS(unmodelled_targets) : G_N_ELEMENTS(unmodelled_matches);
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], name) == 0)
            return true;
    return false;
}
