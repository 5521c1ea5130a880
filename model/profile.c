/* The kernel eras ipvsim knows. Facts: shared/reference/netfilter.md §5 and
 * ipvs.md §1; where the reference brackets a change between two versions, the
 * profile follows the bracket (noted beside the field). */
#include "model/profile.h"

#include <string.h>

static const struct kernel_profile era_2_6_34 = {
    .name = "2.6.34",
    .description = "global hook lists, FIFO ties, NF_STOP and NF_REPEAT honoured, IPVS without LOCAL_OUT hooks",
    .tie = NF_TIE_FIFO,
    .verdict_mask = 0xffff,
    .stop_accepts = true,
    .repeat_loops = true,
    .drop_errno = false,
    .queue_bypass = false,
    .lazy_conntrack = false,
    .conntrack_helper_hook = false,      /* the helper ran inside ipv4_confirm */
    .nat_input_chain = false,
    .nat_core_private_list = false,
    .postrouting_has_indev = false,
    .ipv4_route_cache = true,
    .icmp_global_limit = false,
    .icmp_global_random_cost = false,
    .ipt_hook_wrappers = true,
    .nat_table_fn = "nf_nat_rule_find",
    .ipvs = IPVS_ERA_OLD,
    .ipvs_lazy_hooks = false,
    .ipvs_decrement_ttl = false,
    .ipvs_conn_reuse = false,
    .ipvs_assured_templates = false,
    .ipvs_tun_types = false,
    .ipvs_expire_nodest_work = false,
    .ipvs_sh = IP_VS_SH_2_6,
    .ipvs_wrr_gcd_start = false,
    .ipvs_tcp_none_ack_es = false,
    .ipvs_tun_pmtu_disc = false,
    .ipvs_notrack = false,
    .ip_ident = IP_IDENT_INETPEER,
    .ipvs_rs_table_all = false,
    .ipvs_sctp_old_states = true,
};

static const struct kernel_profile era_4_9 = {
    .name = "4.9",
    .description = "per-netns singly linked hook lists, FIFO ties, NF_STOP/NF_REPEAT still honoured",
    .tie = NF_TIE_FIFO,
    .verdict_mask = 0xff,
    .stop_accepts = true,                /* deprecated in ~4.10 */
    .repeat_loops = true,                /* the core stopped looping in ~4.10 */
    .drop_errno = true,
    .queue_bypass = true,
    .lazy_conntrack = false,             /* on-demand registration came in ~4.10 */
    .conntrack_helper_hook = true,
    .nat_input_chain = true,
    .nat_core_private_list = false,      /* ~4.18 */
    .postrouting_has_indev = false,
    .ipv4_route_cache = false,
    .icmp_global_limit = true,
    .icmp_global_random_cost = false,
    .ipt_hook_wrappers = true,
    .nat_table_fn = "iptable_nat_do_chain",
    .ipvs = IPVS_ERA_MIDDLE,
    .ipvs_lazy_hooks = false,
    .ipvs_decrement_ttl = false,
    .ipvs_conn_reuse = true,
    .ipvs_assured_templates = true,
    .ipvs_tun_types = false,
    .ipvs_expire_nodest_work = false,
    .ipvs_sh = IP_VS_SH_MULT,
    .ipvs_wrr_gcd_start = true,
    .ipvs_tcp_none_ack_es = true,
    .ipvs_tun_pmtu_disc = true,
    .ipvs_notrack = true,
    .ip_ident = IP_IDENT_IDENTS,
    .ipvs_rs_table_all = false,
    .ipvs_sctp_old_states = false,
};

static const struct kernel_profile era_5_10 = {
    .name = "5.10",
    .description = "hook arrays, LIFO ties, conntrack and NAT on demand, nat chains inside the NAT core",
    .tie = NF_TIE_LIFO,
    .verdict_mask = 0xff,
    .stop_accepts = false,
    .repeat_loops = false,
    .drop_errno = true,
    .queue_bypass = true,
    .lazy_conntrack = true,
    .conntrack_helper_hook = false,      /* folded back into confirm in ~5.1 */
    .nat_input_chain = true,
    .nat_core_private_list = true,
    .postrouting_has_indev = true,
    .ipv4_route_cache = false,
    .icmp_global_limit = true,
    .icmp_global_random_cost = true,
    .ipt_hook_wrappers = true,
    .nat_table_fn = "iptable_nat_do_chain",
    .ipvs = IPVS_ERA_MIDDLE,
    .ipvs_lazy_hooks = true,
    .ipvs_decrement_ttl = true,
    .ipvs_conn_reuse = true,
    .ipvs_assured_templates = true,
    .ipvs_tun_types = true,
    .ipvs_expire_nodest_work = true,
    .ipvs_sh = IP_VS_SH_HASH_32,
    .ipvs_wrr_gcd_start = true,
    .ipvs_tcp_none_ack_es = true,
    .ipvs_tun_pmtu_disc = true,
    .ipvs_notrack = true,
    .ip_ident = IP_IDENT_IDENTS,
    .ipvs_rs_table_all = true,
    .ipvs_sctp_old_states = false,
};

static const struct kernel_profile era_6_x = {
    .name = "6.x",
    .description = "hook arrays, LIFO ties, everything on demand, IPVS ip_vs_in_hook/ip_vs_out_hook",
    .tie = NF_TIE_LIFO,
    .verdict_mask = 0xff,
    .stop_accepts = false,
    .repeat_loops = false,
    .drop_errno = true,
    .queue_bypass = true,
    .lazy_conntrack = true,
    .conntrack_helper_hook = false,
    .nat_input_chain = true,
    .nat_core_private_list = true,
    .postrouting_has_indev = true,
    .ipv4_route_cache = false,
    .icmp_global_limit = true,
    .icmp_global_random_cost = true,
    .ipt_hook_wrappers = false,
    .nat_table_fn = "ipt_do_table",
    .ipvs = IPVS_ERA_NEW,
    .ipvs_lazy_hooks = true,
    .ipvs_decrement_ttl = true,
    .ipvs_conn_reuse = true,
    .ipvs_assured_templates = true,
    .ipvs_tun_types = true,
    .ipvs_expire_nodest_work = true,
    .ipvs_sh = IP_VS_SH_HASH_32,
    .ipvs_wrr_gcd_start = true,
    .ipvs_tcp_none_ack_es = true,
    .ipvs_tun_pmtu_disc = true,
    .ipvs_notrack = true,
    .ip_ident = IP_IDENT_IDENTS,
    .ipvs_rs_table_all = true,
    .ipvs_sctp_old_states = false,
};

static const struct kernel_profile *const all_profiles[] = {
    &era_2_6_34, &era_4_9, &era_5_10, &era_6_x, NULL,
};

/* Other spellings users write for the same era. */
static const struct {
    const char *alias;
    const struct kernel_profile *prof;
} aliases[] = {
    { "2.6", &era_2_6_34 }, { "2.6.35", &era_2_6_34 },
    { "4", &era_4_9 }, { "4.9.x", &era_4_9 },
    { "5", &era_5_10 }, { "5.10.x", &era_5_10 },
    { "6", &era_6_x }, { "6.1", &era_6_x }, { "latest", &era_6_x },
};

const struct kernel_profile *kernel_profile_find(const char *name)
{
    for (int i = 0; all_profiles[i]; i++)
        if (strcmp(all_profiles[i]->name, name) == 0)
            return all_profiles[i];
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (strcmp(aliases[i].alias, name) == 0)
            return aliases[i].prof;
    return NULL;
}

const struct kernel_profile *kernel_profile_default(void)
{
    return &era_6_x;
}

const struct kernel_profile *const *kernel_profiles(void)
{
    return all_profiles;
}
