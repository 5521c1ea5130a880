/* Kernel profiles built from the version table (model/profile.c): the four era names
 * keep the behaviour they had as hand-written profiles, any version in range builds,
 * and versions are parsed and refused as the scenario loader and --kernel need. */
#include <glib.h>
#include <stdio.h>
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
        .ip6table_raw_first = true,
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
        .ipvs_stats_percpu = false,
        .ipvs_est_kthreads = false,
        .ipvs_mixed_af_tun = false,
        .ipvs_icmp_tunnel = false,
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
        .ip6table_raw_first = false,
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
        .ipvs_stats_percpu = true,
        .ipvs_est_kthreads = false,
        .ipvs_mixed_af_tun = true,
        .ipvs_icmp_tunnel = true,
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
        .ip6table_raw_first = false,
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
        .ipvs_est_kthreads = false,
        .ipvs_mixed_af_tun = true,
        .ipvs_icmp_tunnel = true,
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
        .ip6table_raw_first = false,
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
        .ipvs_mixed_af_tun = true,
        .ipvs_icmp_tunnel = true,
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
    SAME(ip6table_raw_first);
    CU_ASSERT_STRING_EQUAL(got->nat_table_fn, exp->nat_table_fn);
    SAME(ipvs);
    SAME(ipvs_lazy_hooks);
    SAME(ipvs_decrement_ttl);
    SAME(ipvs_conn_reuse);
    SAME(ipvs_assured_templates);
    SAME(ipvs_tcp_active_handshake);
    SAME(ipvs_dropentry_sctp);
    SAME(ipvs_tun_types);
    CU_ASSERT_EQUAL(got->ipvs_tun_gre, exp->ipvs_tun_types);   /* GRE wherever tunnel types were */
    SAME(ipvs_expire_nodest_work);
    SAME(ipvs_sh);
    SAME(ipvs_wrr_gcd_start);
    SAME(ipvs_tcp_none_ack_es);
    SAME(ipvs_tun_pmtu_disc);
    SAME(ipvs_notrack);
    SAME(ip_ident);
    SAME(ipvs_rs_table_all);
    SAME(ipvs_sctp_old_states);
    SAME(ipvs_stats_percpu);
    SAME(ipvs_est_kthreads);
    SAME(ipvs_mixed_af_tun);
    SAME(ipvs_icmp_tunnel);
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

static const struct kernel_profile *at(unsigned v)
{
    return kernel_profile_for_version(v >> 16, (v >> 8) & 0xff, v & 0xff);
}

/* Each change of the table: its field exists, rows are in version order, and its
 * "before" is what the table gives just below its version, its "after" at it. */
static void test_table_consistent(void)
{
    struct kernel_profile_change c;
    unsigned last = 0;
    size_t n = 0;
    for (size_t i = 0; kernel_profile_change_at(i, &c); i++, n++) {
        char below[96], here[96];
        CU_ASSERT(c.since > KERNEL_VERSION_OLDEST && c.since <= KERNEL_VERSION_NEWEST);
        CU_ASSERT(c.since >= last);
        last = c.since;
        CU_ASSERT_PTR_NOT_NULL(c.rests_on);
        CU_ASSERT_TRUE_FATAL(kernel_profile_field_text(at(c.since - 1), c.field, below, sizeof below));
        CU_ASSERT_TRUE_FATAL(kernel_profile_field_text(at(c.since), c.field, here, sizeof here));
        if (strcmp(below, c.before) != 0 || strcmp(here, c.after) != 0)
            fprintf(stderr, "  %s at %x: table says %s -> %s, built %s -> %s\n", c.field, c.since,
                    c.before, c.after, below, here);
        CU_ASSERT_STRING_EQUAL(below, c.before);
        CU_ASSERT_STRING_EQUAL(here, c.after);
        CU_ASSERT_STRING_NOT_EQUAL(c.before, c.after);
    }
    CU_ASSERT(n > 30);
    char buf[96];
    CU_ASSERT_FALSE(kernel_profile_field_text(kernel_profile_default(), "no_such_field", buf, sizeof buf));
}

static void test_versions_parse(void)
{
    static const struct {
        const char *in, *name;
        unsigned version;
    } ok[] = {
        { "5.15", "5.15", KERNEL_VERSION(5, 15, 0) },
        { "4.18", "4.18", KERNEL_VERSION(4, 18, 0) },
        { "5.4.0", "5.4", KERNEL_VERSION(5, 4, 0) },
        { "4.18.3", "4.18.3", KERNEL_VERSION(4, 18, 3) },
        { "2.6.39", "2.6.39", KERNEL_VERSION(2, 6, 39) },
        { "3.0", "3.0", KERNEL_VERSION(3, 0, 0) },
        { "6.6.255", "6.6.255", KERNEL_VERSION(6, 6, 255) },
        { "6.1", "6.1", KERNEL_VERSION(6, 1, 0) },
        { "latest", "6.x", KERNEL_VERSION(6, 2, 0) },
        { "2.6", "2.6.34", KERNEL_VERSION(2, 6, 34) },
        { "5.10.x", "5.10", KERNEL_VERSION(5, 10, 0) },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(ok); i++) {
        char why[320] = "";
        const struct kernel_profile *p = kernel_profile_parse(ok[i].in, why, sizeof why);
        CU_ASSERT_PTR_NOT_NULL_FATAL(p);
        CU_ASSERT_STRING_EQUAL(p->name, ok[i].name);
        CU_ASSERT_EQUAL(p->version, ok[i].version);
        CU_ASSERT_PTR_NOT_NULL(p->description);
        CU_ASSERT_PTR_EQUAL(kernel_profile_find(ok[i].in), p);      /* built once */
    }
    static const struct {
        const char *in, *starts;
    } bad[] = {
        { "2.6.33", "'2.6.33' is older than the oldest kernel ipvsim models, 2.6.34 (versions 2.6.34 to 6.6" },
        { "2.4.37", "'2.4.37' is older" },
        { "6.7", "'6.7' is newer than the newest kernel ipvsim models, 6.6" },
        { "7.0", "'7.0' is newer" },
        { "4.21", "there is no kernel '4.21' (2.6 ended with 2.6.39, 3.x with 3.19, 4.x with 4.20" },
        { "3.20", "there is no kernel '3.20'" },
        { "2.6.40", "there is no kernel '2.6.40'" },
        { "2.7.1", "there is no kernel '2.7.1'" },
        { "5.", "expected a kernel version MAJOR.MINOR or MAJOR.MINOR.PATCH from 2.6.34 to 6.6" },
        { ".5", "expected a kernel version" },
        { "5", NULL },                               /* an era's old spelling: 5.10 */
        { "5.15.0.1", "expected a kernel version" },
        { "5.15.0-91-generic", "expected a kernel version" },
        { "4.18.0-513.el8", "expected a kernel version" },
        { "+5.4", "expected a kernel version" },
        { " 5.4", "expected a kernel version" },
        { "5.04", "expected a kernel version" },
        { "5.4.256", "expected a kernel version" },
        { "", "expected a kernel version" },
        { "6.X", "expected a kernel version" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        char why[320] = "";
        const struct kernel_profile *p = kernel_profile_parse(bad[i].in, why, sizeof why);
        if (!bad[i].starts) {
            CU_ASSERT_PTR_NOT_NULL(p);
            continue;
        }
        CU_ASSERT_PTR_NULL(p);
        if (!g_str_has_prefix(why, bad[i].starts))
            fprintf(stderr, "  '%s': %s\n", bad[i].in, why);
        CU_ASSERT_TRUE(g_str_has_prefix(why, bad[i].starts));
        if (!g_str_has_prefix(why, "there is no kernel"))       /* the others name the eras */
            CU_ASSERT_PTR_NOT_NULL(strstr(why, "or an era") && strstr(why, "2.6.34, 4.9, 5.10, 6.x"));
    }
}

/* Versions between the eras get each change at its own version. */
static void test_intermediate_versions(void)
{
    const struct kernel_profile *v418 = kernel_profile_find("4.18"), *v419 = kernel_profile_find("4.19");
    CU_ASSERT_TRUE(kernel_profile_has_scheduler(v418, "mh"));
    CU_ASSERT_FALSE(v418->ipvs_assured_templates);
    CU_ASSERT_TRUE(kernel_profile_has_scheduler(v419, "mh"));
    CU_ASSERT_TRUE(v419->ipvs_assured_templates);
    CU_ASSERT_FALSE(kernel_profile_has_scheduler(kernel_profile_find("4.17.9"), "mh"));

    /* 3.11's ip_vs_proto_sctp.c has sloppy_sctp and the input-only SCTP table; 3.10 neither */
    CU_ASSERT_TRUE(kernel_profile_find("3.10")->ipvs_sctp_old_states);
    CU_ASSERT_FALSE(kernel_profile_has_ipvs_sysctl(kernel_profile_find("3.10"), "sloppy_sctp"));
    CU_ASSERT_FALSE(kernel_profile_find("3.11")->ipvs_sctp_old_states);
    CU_ASSERT_TRUE(kernel_profile_has_ipvs_sysctl(kernel_profile_find("3.11"), "sloppy_sctp"));
    /* 3.17's iptable_nat.c runs the nat table through nf_nat_rule_find, 3.18's through
     * iptable_nat_do_chain */
    CU_ASSERT_STRING_EQUAL(kernel_profile_find("3.17")->nat_table_fn, "nf_nat_rule_find");
    CU_ASSERT_STRING_EQUAL(kernel_profile_find("3.18")->nat_table_fn, "iptable_nat_do_chain");

    CU_ASSERT_EQUAL(kernel_profile_find("4.13")->tie, NF_TIE_FIFO);
    CU_ASSERT_EQUAL(kernel_profile_find("4.14")->tie, NF_TIE_LIFO);
    CU_ASSERT_FALSE(kernel_profile_find("4.7")->ipvs_tcp_active_handshake);
    CU_ASSERT_TRUE(kernel_profile_find("4.8")->ipvs_tcp_active_handshake);

    /* 5.2: GUE but not GRE; 5.3 both, and the TTL decrement */
    const struct kernel_profile *v52 = kernel_profile_find("5.2"), *v53 = kernel_profile_find("5.3");
    CU_ASSERT_TRUE(v52->ipvs_tun_types);
    CU_ASSERT_FALSE(v52->ipvs_tun_gre);
    CU_ASSERT_FALSE(v52->ipvs_decrement_ttl);
    CU_ASSERT_TRUE(v53->ipvs_tun_gre);
    CU_ASSERT_TRUE(v53->ipvs_decrement_ttl);

    /* RHEL 8's base, 5.4 and 5.15: between the eras */
    const struct kernel_profile *v54 = kernel_profile_find("5.4"), *v515 = kernel_profile_find("5.15");
    CU_ASSERT_FALSE(v54->ipvs_expire_nodest_work);
    CU_ASSERT_EQUAL(v54->ipvs_sh, IP_VS_SH_HASH_32);
    CU_ASSERT_EQUAL(v418->ipvs_sh, IP_VS_SH_MULT);       /* 4.14 multiplies, 4.19.71 hash_32 */
    CU_ASSERT_EQUAL(v419->ipvs_sh, IP_VS_SH_HASH_32);
    CU_ASSERT_EQUAL(v54->ipvs, IPVS_ERA_MIDDLE);
    CU_ASSERT_TRUE(v515->nat_edemux_hooks);
    CU_ASSERT_TRUE(v515->ipt_hook_wrappers);
    CU_ASSERT_EQUAL(v515->ipvs, IPVS_ERA_MIDDLE);
    CU_ASSERT_EQUAL(kernel_profile_find("5.16")->ipvs, IPVS_ERA_NEW);
    CU_ASSERT_FALSE(kernel_profile_find("5.16")->ipt_hook_wrappers);
    CU_ASSERT_FALSE(kernel_profile_find("5.8")->ipvs_lazy_hooks);    /* 857ca89711de: 5.9 */
    CU_ASSERT_TRUE(kernel_profile_find("5.9")->ipvs_lazy_hooks);

    /* 6.1 has no twos (6.2); "6.x" is 6.2 and the newest modelled is the same */
    CU_ASSERT_FALSE(kernel_profile_has_scheduler(kernel_profile_find("6.1"), "twos"));
    CU_ASSERT_TRUE(kernel_profile_has_scheduler(kernel_profile_find("6.x"), "twos"));
    const struct kernel_profile *v66 = kernel_profile_find("6.6");
    for (const char *const *f = kernel_profile_fields(); *f; f++) {
        char a[96], b[96];
        kernel_profile_field_text(v66, *f, a, sizeof a);
        kernel_profile_field_text(kernel_profile_default(), *f, b, sizeof b);
        CU_ASSERT_STRING_EQUAL(a, b);
    }
    /* a version's own description, in the eras' words */
    CU_ASSERT_STRING_EQUAL(v515->description, "hook arrays, LIFO ties, conntrack, NAT and IPVS hooks on "
                                              "demand, nat chains inside the NAT core");
    CU_ASSERT_STRING_EQUAL(kernel_profile_find("2.6.35")->description,
                           "global hook lists, FIFO ties, NF_STOP and NF_REPEAT honoured, IPVS without "
                           "LOCAL_OUT hooks");
    CU_ASSERT_TRUE(kernel_profile_has_svc_flag(kernel_profile_find("2.6.35"), "ops"));
    CU_ASSERT_FALSE(kernel_profile_has_svc_flag(kernel_profile_find("2.6.34"), "ops"));
}

IPVSIM_SUITE(profile)
{
    CU_pSuite s = CU_add_suite("profile", NULL, NULL);
    ADD_TEST(s, test_era_aliases_unchanged);
    ADD_TEST(s, test_table_consistent);
    ADD_TEST(s, test_versions_parse);
    ADD_TEST(s, test_intermediate_versions);
}
