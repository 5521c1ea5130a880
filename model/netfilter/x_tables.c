/* The extension registry (net/netfilter/x_tables.c: xt_register_match /
 * xt_find_match and their target twins): every extension the model has, in a fixed
 * table, looked up by name when a rule arrives. The rule then keeps the extension's
 * pointer; a packet never looks a name up. The kernel loads an extension's module
 * on demand; here every extension is always there. */
#include "model/netfilter/x_tables.h"

#include <string.h>
#include "model/netfilter/xt/xt.h"

static const struct xt_match *const xt_matches[] = {
    &xt_tcp_match, &xt_udp_match, &ipt_icmp_match, &ip6t_icmp6_match, &xt_mark_match,
    &xt_state_match, &xt_conntrack_match, &xt_comment_match, &xt_multiport_match,
};

static const struct xt_target *const xt_targets[] = {
    &xt_standard_target, &ipt_reject_target, &xt_mark_target, &xt_log_target,
    &xt_dnat_target, &xt_snat_target, &xt_masquerade_target, &xt_ct_target,
};

const struct xt_match *xt_find_match(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(xt_matches); i++)
        if (strcmp(xt_matches[i]->name, name) == 0)
            return xt_matches[i];
    return NULL;
}

const struct xt_target *xt_find_target(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(xt_targets); i++)
        if (strcmp(xt_targets[i]->name, name) == 0)
            return xt_targets[i];
    return NULL;
}

const struct xt_match *const *xt_registered_matches(size_t *n)
{
    *n = G_N_ELEMENTS(xt_matches);
    return xt_matches;
}

const struct xt_target *const *xt_registered_targets(size_t *n)
{
    *n = G_N_ELEMENTS(xt_targets);
    return xt_targets;
}
