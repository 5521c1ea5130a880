/* Kernel profiles built from the version table (model/profile.c): the four era names
 * keep the behaviour they had as hand-written profiles, any version in range builds,
 * and versions are parsed and refused as the scenario loader and --kernel need. */
#include <string.h>
#include "tests/testutil.h"
#include "model/profile.h"

/* The four era profiles as they were written by hand before the version table: every
 * field must come out of the table the same. */
static const struct kernel_profile era_snapshot[] = {
    {
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
        .conntrack_helper_hook = false,
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
    },
    {
        .name = "4.9",
        .version = KERNEL_VERSION(4, 9, 0),
        .description = "per-netns singly linked hook lists, FIFO ties, NF_STOP/NF_REPEAT still honoured",
        .tie = NF_TIE_FIFO,
        .verdict_mask = 0xff,
        .stop_accepts = true,
        .repeat_loops = true,
        .drop_errno = true,
        .queue_bypass = true,
        .lazy_conntrack = false,
        .conntrack_helper_hook = true,
        .nat_input_chain = true,
        .nat_core_private_list = false,
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
        .ipvs_assured_templates = false,
        .ipvs_tcp_active_handshake = true,
        .ipvs_dropentry_sctp = true,
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
    },
    {
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
        .conntrack_helper_hook = false,
        .nat_input_chain = true,
        .nat_core_private_list = true,
        .nat_edemux_hooks = false,
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
    },
    {
        .name = "6.x",
        .version = KERNEL_VERSION(6, 2, 0),
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
    },};

static void assert_same_profile(const struct kernel_profile *got, const struct kernel_profile *exp)
{
    CU_ASSERT_STRING_EQUAL(got->name, exp->name);
    CU_ASSERT_STRING_EQUAL(got->description, exp->description);
    CU_ASSERT_EQUAL(got->version, exp->version);
#define SAME(f) CU_ASSERT_EQUAL(got->f, exp->f)
    SAME(tie);
    SAME(verdict_mask);
    SAME(stop_accepts);
    SAME(repeat_loops);
    SAME(drop_errno);
    SAME(queue_bypass);
    SAME(lazy_conntrack);
    SAME(conntrack_helper_hook);
    SAME(nat_input_chain);
    SAME(nat_core_private_list);
    SAME(nat_edemux_hooks);
    SAME(postrouting_has_indev);
    SAME(ipv4_route_cache);
    SAME(icmp_global_limit);
    SAME(icmp_global_random_cost);
    SAME(ipt_hook_wrappers);
    CU_ASSERT_STRING_EQUAL(got->nat_table_fn, exp->nat_table_fn);
    SAME(ipvs);
    SAME(ipvs_lazy_hooks);
    SAME(ipvs_decrement_ttl);
    SAME(ipvs_conn_reuse);
    SAME(ipvs_assured_templates);
    SAME(ipvs_tcp_active_handshake);
    SAME(ipvs_dropentry_sctp);
    SAME(ipvs_tun_types);
    SAME(ipvs_expire_nodest_work);
    SAME(ipvs_sh);
    SAME(ipvs_wrr_gcd_start);
    SAME(ipvs_tcp_none_ack_es);
    SAME(ipvs_tun_pmtu_disc);
    SAME(ipvs_notrack);
    SAME(ip_ident);
    SAME(ipvs_rs_table_all);
    SAME(ipvs_sctp_old_states);
#undef SAME
}

static void test_era_aliases_unchanged(void)
{
    for (size_t i = 0; i < sizeof era_snapshot / sizeof era_snapshot[0]; i++) {
        const struct kernel_profile *p = kernel_profile_find(era_snapshot[i].name);
        CU_ASSERT_PTR_NOT_NULL_FATAL(p);
        assert_same_profile(p, &era_snapshot[i]);
        CU_ASSERT_PTR_EQUAL(kernel_profiles()[i], p);
    }
    CU_ASSERT_PTR_NULL(kernel_profiles()[4]);
    CU_ASSERT_STRING_EQUAL(kernel_profile_default()->name, "6.x");
}

IPVSIM_SUITE(profile)
{
    CU_pSuite s = CU_add_suite("profile", NULL, NULL);
    ADD_TEST(s, test_era_aliases_unchanged);
}
