/* The kernel eras ipvsim knows. Facts: shared/reference/netfilter.md §5 and
 * ipvs.md §1; where the reference brackets a change between two versions, the
 * profile follows the bracket (noted beside the field). */
#include "model/profile.h"

#include <string.h>

static const struct kernel_profile era_2_6_34 = {
    .name = "2.6.34",
    .version = KERNEL_VERSION(2, 6, 34),
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
    .nat_edemux_hooks = false,
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
    .ipvs_tcp_active_handshake = false,
    .ipvs_dropentry_sctp = false,
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
    .ipvs_stats_percpu = false,          /* 2.6.38 */
    .ipvs_est_kthreads = false,          /* 6.2 */
    .ipvs_icmp_tunnel = false,           /* 3.10 has it */
};

static const struct kernel_profile era_4_9 = {
    .name = "4.9",
    .version = KERNEL_VERSION(4, 9, 0),
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
    .nat_edemux_hooks = false,
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
    .ipvs_assured_templates = false,     /* 4.19 */
    .ipvs_tcp_active_handshake = true,   /* 4.8 */
    .ipvs_dropentry_sctp = true,         /* 3.11-3.13 */
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
    .ipvs_stats_percpu = true,
    .ipvs_est_kthreads = false,          /* 6.2 */
    .ipvs_icmp_tunnel = true,
};

static const struct kernel_profile era_5_10 = {
    .name = "5.10",
    .version = KERNEL_VERSION(5, 10, 0),
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
    .nat_edemux_hooks = false,   /* 5.12; 5.10.0 has the first names */
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
    .ipvs_tcp_active_handshake = true,
    .ipvs_dropentry_sctp = true,
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
    .ipvs_stats_percpu = true,
    .ipvs_est_kthreads = false,          /* 6.2 */
    .ipvs_icmp_tunnel = true,
};

static const struct kernel_profile era_6_x = {
    .name = "6.x",
    .version = KERNEL_VERSION(6, 2, 0),  /* 6.2 or later: the newest feature in the tables */
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
    .nat_edemux_hooks = true,
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
    .ipvs_tcp_active_handshake = true,
    .ipvs_dropentry_sctp = true,
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
    .ipvs_stats_percpu = true,
    .ipvs_est_kthreads = true,
    .ipvs_icmp_tunnel = true,
};

/* Schedulers, IPVS sysctls and service flags that came after 2.6.34, with the
 * version that brought each; a name not listed exists in every era. Where only a
 * bracket was read (absent from one source, present in the next), the comment
 * gives it. */
enum feature_kind { FEAT_SCHED, FEAT_SYSCTL, FEAT_FLAG };

static const struct kernel_feature {
    enum feature_kind kind;
    const char *name;
    unsigned since;
    const char *since_name;
} features[] = {
    /* ip_vs_fo.c "ipvs: add weighted fail over scheduler" (3.18); ip_vs_ovf.c
     * "ipvs: add overflow-connection scheduler" (4.3): both absent from 3.13,
     * present in 4.7; ip_vs_mh.c (4.18: absent from 4.9, present in 4.19);
     * ip_vs_twos.c (6.2: absent from 5.10). */
    { FEAT_SCHED, "fo", KERNEL_VERSION(3, 18, 0), "3.18" },
    { FEAT_SCHED, "ovf", KERNEL_VERSION(4, 3, 0), "4.3" },
    { FEAT_SCHED, "mh", KERNEL_VERSION(4, 18, 0), "4.18" },
    { FEAT_SCHED, "twos", KERNEL_VERSION(6, 2, 0), "6.2" },
    /* vs_vars[] of ip_vs_ctl.c: absent from 2.6.34, present in 3.10 */
    { FEAT_SYSCTL, "conntrack", KERNEL_VERSION(2, 6, 37), "2.6.37" },
    { FEAT_SYSCTL, "snat_reroute", KERNEL_VERSION(2, 6, 37), "2.6.37" },
    { FEAT_SYSCTL, "sync_version", KERNEL_VERSION(2, 6, 39), "2.6.39" },
    { FEAT_SYSCTL, "sync_refresh_period", KERNEL_VERSION(3, 5, 0), "3.5" },
    { FEAT_SYSCTL, "pmtu_disc", KERNEL_VERSION(3, 7, 0), "3.7" },
    { FEAT_SYSCTL, "backup_only", KERNEL_VERSION(3, 9, 0), "3.9" },
    /* absent from 3.10, present in 3.13 */
    { FEAT_SYSCTL, "sloppy_tcp", KERNEL_VERSION(3, 12, 0), "3.12" },
    { FEAT_SYSCTL, "sloppy_sctp", KERNEL_VERSION(3, 12, 0), "3.12" },
    /* absent from 3.13, present in 4.7 */
    { FEAT_SYSCTL, "ignore_tunneled", KERNEL_VERSION(4, 0, 0), "4.0" },
    { FEAT_SYSCTL, "conn_reuse_mode", KERNEL_VERSION(4, 2, 0), "4.2" },
    { FEAT_SYSCTL, "schedule_icmp", KERNEL_VERSION(4, 3, 0), "4.3" },
    /* service flags (include/uapi/linux/ip_vs.h): IP_VS_SVC_F_ONEPACKET ("ops",
     * 2.6.35), persistence engines ("pe", 2.6.37), IP_VS_SVC_F_SCHED1..3 with the sh
     * names (absent from 3.10, present in 3.13), the mh names with mh */
    { FEAT_FLAG, "ops", KERNEL_VERSION(2, 6, 35), "2.6.35" },
    { FEAT_FLAG, "pe", KERNEL_VERSION(2, 6, 37), "2.6.37" },
    { FEAT_FLAG, "flag-1", KERNEL_VERSION(3, 11, 0), "3.11" },
    { FEAT_FLAG, "flag-2", KERNEL_VERSION(3, 11, 0), "3.11" },
    { FEAT_FLAG, "flag-3", KERNEL_VERSION(3, 11, 0), "3.11" },
    { FEAT_FLAG, "sh-fallback", KERNEL_VERSION(3, 11, 0), "3.11" },
    { FEAT_FLAG, "sh-port", KERNEL_VERSION(3, 11, 0), "3.11" },
    { FEAT_FLAG, "mh-fallback", KERNEL_VERSION(4, 18, 0), "4.18" },
    { FEAT_FLAG, "mh-port", KERNEL_VERSION(4, 18, 0), "4.18" },
};

static const struct kernel_feature *feature_find(enum feature_kind kind, const char *name)
{
    for (size_t i = 0; i < sizeof features / sizeof features[0]; i++)
        if (features[i].kind == kind && strcmp(features[i].name, name) == 0)
            return &features[i];
    return NULL;
}

static bool profile_has(const struct kernel_profile *p, enum feature_kind kind, const char *name)
{
    const struct kernel_feature *f = feature_find(kind, name);
    return !f || p->version >= f->since;
}

bool kernel_profile_has_scheduler(const struct kernel_profile *p, const char *name)
{
    return profile_has(p, FEAT_SCHED, name);
}

bool kernel_profile_has_ipvs_sysctl(const struct kernel_profile *p, const char *name)
{
    return profile_has(p, FEAT_SYSCTL, name);
}

bool kernel_profile_has_svc_flag(const struct kernel_profile *p, const char *name)
{
    return profile_has(p, FEAT_FLAG, name);
}

const char *kernel_feature_since(const char *name)
{
    for (size_t i = 0; i < sizeof features / sizeof features[0]; i++)
        if (strcmp(features[i].name, name) == 0)
            return features[i].since_name;
    return "2.6.34";
}

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
