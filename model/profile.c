/* Kernel versions as data. One table lists every change ipvsim models, each keyed by
 * the version that made it, with what that rests on (commit and subject where known;
 * "≈" and the bracket read where the exact release is not pinned: then the change is
 * keyed at the version of the kernel source it was read in, see the README's era
 * table). The profile of a version is the 2.6.34 profile with every change up to that
 * version applied; the era names 2.6.34, 4.9, 5.10 and 6.x are versions with their
 * own names. Facts: the kernel sources cited row by row.
 *
 * To model a new change: add its field to struct kernel_profile, its value in 2.6.34
 * to base_2_6_34, the field to fields[] and a row to changes[] (rows stay in version
 * order; test_profile checks that each row's "before" is what the table gives just
 * below its version). */
#include "model/profile.h"

#include <glib.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the fields and their values as text --------------------------------------- */

enum pf_type { PF_BOOL, PF_U32, PF_ENUM, PF_STR };

struct pf_field {
    const char *name;
    size_t off;
    enum pf_type type;
    const char *const *names;       /* PF_ENUM: the text of each value */
};

static const char *const tie_names[] = { "FIFO", "LIFO" };
static const char *const ipvs_names[] = {
    "ip_vs_in/ip_vs_out/ip_vs_post_routing, no LOCAL_OUT hooks",
    "ip_vs_reply4/ip_vs_remote_request4, LOCAL_OUT hooks",
    "ip_vs_in_hook/ip_vs_out_hook",
};
static const char *const sh_names[] = {
    "one bucket per dest, (addr * 2654435761) & 255",
    "weight-filled, (offset + (port + addr) * 2654435761) & 255",
    "weight-filled, hash_32(port + addr, 8)",
};
static const char *const ident_names[] = { "inet_peer counter", "ip_idents buckets" };
static const char *const tw_reuse_names[] = { "0 (never)", "1 (always)", "2 (loopback only)" };

/* A member's offset, checked at compile time to have the size its type needs (a row
 * of the wrong type would write past the member). */
#define PF_OFF(f, size) (offsetof(struct kernel_profile, f) + \
                         0 * sizeof(char[sizeof(((struct kernel_profile *)0)->f) == (size) ? 1 : -1]))
#define PF_BOOL_(f) { #f, PF_OFF(f, sizeof(bool)), PF_BOOL, NULL }
#define PF_U32_(f) { #f, PF_OFF(f, sizeof(uint32_t)), PF_U32, NULL }
#define PF_ENUM_(f, n) { #f, PF_OFF(f, sizeof(int)), PF_ENUM, n }
#define PF_STR_(f) { #f, PF_OFF(f, sizeof(const char *)), PF_STR, NULL }

static const struct pf_field fields[] = {
    PF_ENUM_(tie, tie_names),
    PF_U32_(verdict_mask),
    PF_BOOL_(stop_accepts),
    PF_BOOL_(repeat_loops),
    PF_BOOL_(drop_errno),
    PF_BOOL_(queue_bypass),
    PF_BOOL_(lazy_conntrack),
    PF_BOOL_(conntrack_helper_hook),
    PF_BOOL_(nat_input_chain),
    PF_BOOL_(nat_core_private_list),
    PF_BOOL_(nat_edemux_hooks),
    PF_BOOL_(postrouting_has_indev),
    PF_BOOL_(ipv4_route_cache),
    PF_BOOL_(icmp_global_limit),
    PF_BOOL_(icmp_global_random_cost),
    PF_BOOL_(ipt_hook_wrappers),
    PF_BOOL_(ip6table_raw_first),
    PF_BOOL_(nat66),
    PF_STR_(nat_table_fn),
    PF_ENUM_(ipvs, ipvs_names),
    PF_BOOL_(ipvs_lazy_hooks),
    PF_BOOL_(ipvs_decrement_ttl),
    PF_BOOL_(ipvs_conn_reuse),
    PF_BOOL_(ipvs_assured_templates),
    PF_BOOL_(ipvs_tcp_active_handshake),
    PF_BOOL_(ipvs_dropentry_sctp),
    PF_BOOL_(ipvs_tun_types),
    PF_BOOL_(ipvs_tun_gre),
    PF_BOOL_(ipvs_expire_nodest_work),
    PF_ENUM_(ipvs_sh, sh_names),
    PF_BOOL_(ipvs_wrr_gcd_start),
    PF_BOOL_(ipvs_tcp_none_ack_es),
    PF_BOOL_(ipvs_tun_pmtu_disc),
    PF_BOOL_(ipvs_notrack),
    PF_ENUM_(ip_ident, ident_names),
    PF_ENUM_(tcp_tw_reuse_default, tw_reuse_names),
    PF_BOOL_(ipvs_sctp_old_states),
    PF_BOOL_(ipvs_rs_table_all),
    PF_BOOL_(ipvs_stats_percpu),
    PF_BOOL_(ipvs_est_kthreads),
    PF_BOOL_(ipvs_mixed_af_tun),
    PF_BOOL_(ipvs_icmp_tunnel),
};
#define N_FIELDS (sizeof fields / sizeof fields[0])

static const struct pf_field *field_find(const char *name)
{
    for (size_t i = 0; i < N_FIELDS; i++)
        if (strcmp(fields[i].name, name) == 0)
            return &fields[i];
    return NULL;
}

static long field_get(const struct kernel_profile *p, const struct pf_field *f)
{
    const char *at = (const char *)p + f->off;
    switch (f->type) {
    case PF_BOOL: return *(const bool *)at;
    case PF_U32: return (long)*(const uint32_t *)at;
    case PF_ENUM: return *(const int *)at;
    case PF_STR: break;
    }
    return 0;
}

static void field_set(struct kernel_profile *p, const struct pf_field *f, long v, const char *s)
{
    char *at = (char *)p + f->off;
    switch (f->type) {
    case PF_BOOL: *(bool *)at = v != 0; break;
    case PF_U32: *(uint32_t *)at = (uint32_t)v; break;
    case PF_ENUM: *(int *)at = (int)v; break;
    case PF_STR: *(const char **)at = s; break;
    }
}

static void value_text(const struct pf_field *f, long v, const char *s, char *buf, size_t len)
{
    switch (f->type) {
    case PF_BOOL: snprintf(buf, len, "%s", v ? "yes" : "no"); break;
    case PF_U32: snprintf(buf, len, "0x%lx", (unsigned long)v); break;
    case PF_ENUM: snprintf(buf, len, "%s", f->names[v]); break;
    case PF_STR: snprintf(buf, len, "%s", s); break;
    }
}

/* ---- 2.6.34, and every change after it ----------------------------------------- */

static const struct kernel_profile base_2_6_34 = {
    .version = KERNEL_VERSION(2, 6, 34),
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
    .ip6table_raw_first = true,
    .nat66 = false,
    .nat_table_fn = "nf_nat_rule_find",
    .ipvs = IPVS_ERA_OLD,
    .ipvs_lazy_hooks = false,
    .ipvs_decrement_ttl = false,
    .ipvs_conn_reuse = false,
    .ipvs_assured_templates = false,
    .ipvs_tcp_active_handshake = false,
    .ipvs_dropentry_sctp = false,
    .ipvs_tun_types = false,
    .ipvs_tun_gre = false,
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
};

struct pf_change {
    const char *field;
    unsigned since;
    const char *rests_on;
    long before, after;             /* PF_BOOL, PF_U32, PF_ENUM */
    const char *sbefore, *safter;   /* PF_STR */
};

#define KV KERNEL_VERSION
#define CH(f, since, why, b, a) { #f, since, why, (long)(b), (long)(a), NULL, NULL }
#define CH_S(f, since, why, b, a) { #f, since, why, 0, 0, b, a }

static const struct pf_change changes[] = {
    CH(verdict_mask, KV(2, 6, 36), "≈2.6.36: NF_DROP_ERR and the 8-bit verdict mask (absent from 2.6.35)",
       0xffff, 0xff),
    CH(drop_errno, KV(2, 6, 36), "≈2.6.36: NF_DROP_ERR (absent from 2.6.35)", false, true),
    CH(nat_input_chain, KV(2, 6, 36),
       "≈2.6.36: the nat table's INPUT chain (2.6.34's nf_nat_rule.c has PRE, POST and OUT only)",
       false, true),
    CH(ipvs, KV(2, 6, 37),
       "≈2.6.37: the local real server changes (LOCAL_OUT hooks, ip_vs_reply4/ip_vs_remote_request4; "
       "absent from 2.6.35, with ip_vs_notrack in 2.6.37)", IPVS_ERA_OLD, IPVS_ERA_MIDDLE),
    CH(ipvs_notrack, KV(2, 6, 37), "2.6.37: ip_vs_notrack, ip_vs_send_or_cont, ip_vs_nat_send_or_cont",
       false, true),
    CH(ipvs_stats_percpu, KV(2, 6, 38), "≈2.6.38: per-CPU counters that listings read as the "
       "estimator last summed them (\"IPVS: netns, ip_vs_stats and its procfs\"; absent from "
       "2.6.34, present in 3.10)", false, true),
    CH(queue_bypass, KV(2, 6, 39), "≈2.6.39: NF_VERDICT_FLAG_QUEUE_BYPASS", false, true),
    CH(conntrack_helper_hook, KV(3, 4, 0),
       "≈3.4: the ipv4_helper hook at CONNTRACK_HELPER (300), absent from 2.6.35, present in 3.4",
       false, true),
    CH(ipv4_route_cache, KV(3, 6, 0), "3.6: the IPv4 routing cache removed", true, false),
    CH(ipvs_tun_pmtu_disc, KV(3, 7, 0), "3.7: the pmtu_disc sysctl decides the tunnel's DF", false, true),
    CH(nat66, KV(3, 7, 0), "3.7: 58a317f10 \"netfilter: ipv6: add IPv6 NAT support\" (nf_nat_ipv6, "
       "ip6table_nat, IPv6 MASQUERADE)", false, true),
    CH(ipvs_wrr_gcd_start, KV(3, 10, 0), "3.10: \"ipvs: fix WRR counters on dest changes\"", false, true),
    CH(ipvs_icmp_tunnel, KV(3, 10, 0), "≈3.10: ip_vs_in_icmp takes ICMP errors about the "
       "director's own IPIP packets (absent from 2.6.34, present in 3.10; keyed at the first "
       "version read with it)", false, true),
    CH(ip6table_raw_first, KV(3, 10, 0), "3.10: \"netfilter: ip6table_raw: fix table priority\" "
       "(ip6table_raw from NF_IP6_PRI_FIRST to NF_IP6_PRI_RAW)", true, false),
    CH(ipvs_sh, KV(3, 11, 0),
       "3.11: \"ipvs: SH fallback and L4 hashing\" (sh-port, sh-fallback, the offset and port in the "
       "hash); the weight-filled table is older (3.6 has it) and is modelled from 3.11 only",
       IP_VS_SH_2_6, IP_VS_SH_MULT),
    CH(ipvs_tcp_none_ack_es, KV(3, 11, 0),
       "≈3.11: with sloppy_tcp (absent from 3.10, present in 3.11)", false, true),
    CH(ipvs_sctp_old_states, KV(3, 11, 0),
       "3.11: the 14-state SCTP table with an input-only direction, with sloppy_sctp (3.11's "
       "ip_vs_proto_sctp.c; 3.10 has neither)", true, false),
    CH(ipvs_dropentry_sctp, KV(3, 11, 0),
       "≈3.11: drop_entry by SCTP state, with the 14-state table (absent from 3.10)",
       false, true),
    CH(ip_ident, KV(3, 16, 0), "3.16: 04ca6973f7c1 \"ip: make IP identifiers less predictable\"",
       IP_IDENT_INETPEER, IP_IDENT_IDENTS),
    CH_S(nat_table_fn, KV(3, 18, 0), "3.18: iptable_nat.c's do_chain callback (3.17's iptable_nat.c "
         "has its own static nf_nat_rule_find, 3.18's iptable_nat_do_chain; the table's hook "
         "functions of 2.6.36-3.17 are not modelled by name)", "nf_nat_rule_find", "iptable_nat_do_chain"),
    CH(icmp_global_limit, KV(3, 18, 0), "3.18: icmp_msgs_per_sec and icmp_msgs_burst", false, true),
    CH(ipvs_mixed_af_tun, KV(3, 18, 0), "3.18: a tunnel dest may be of the other family than "
       "its service (\"ipvs: Supply destination address family\")", false, true),
    CH(ipvs_conn_reuse, KV(4, 2, 0), "4.2: the conn_reuse_mode sysctl", false, true),
    CH(ipvs_tcp_active_handshake, KV(4, 8, 0), "4.8: \"ipvs: count pre-established TCP states as active\"",
       false, true),
    CH(stop_accepts, KV(4, 10, 0), "≈4.10: NF_STOP deprecated", true, false),
    CH(repeat_loops, KV(4, 10, 0), "≈4.10: the core no longer loops on NF_REPEAT", true, false),
    CH(lazy_conntrack, KV(4, 10, 0), "≈4.10: 0c66dc1ea3f0 \"netfilter: conntrack: register hooks in "
       "netns when needed by ruleset\" (absent from 4.9.0)", false, true),
    CH(tie, KV(4, 14, 0), "4.14: hook arrays (nf_hook_entries_grow): a new hook goes before equal "
       "priorities", NF_TIE_FIFO, NF_TIE_LIFO),
    CH(nat_core_private_list, KV(4, 18, 0), "4.18: \"netfilter: nf_nat: add nat type hooks to nat "
       "core\" (nf-next, May 2018): nat chains in the NAT core's lists", false, true),
    CH(tcp_tw_reuse_default, KV(4, 18, 0), "4.18: 79e9fed46038 \"net-tcp: extend tcp_tw_reuse sysctl "
       "to enable loopback only optimization\" (tcp_sk_init: 0 before, 2 since)", 0, 2),
    CH(ipvs_sh, KV(4, 19, 0), "≈4.19: hash_32 (4.14 multiplies; a 4.19.71 tree and 5.10.7 hash with "
       "hash_32; the change lies between, keyed at the first version read with it)", IP_VS_SH_MULT,
       IP_VS_SH_HASH_32),
    CH(ipvs_assured_templates, KV(4, 19, 0), "4.19: \"ipvs: add assured state for conn templates\" and "
       "762c40076684 \"ipvs: drop conn templates under attack\"", false, true),
    CH(conntrack_helper_hook, KV(5, 1, 0), "5.1: 827318feb69c \"netfilter: conntrack: remove helper "
       "hook again\"", true, false),
    CH(ipvs_tun_types, KV(5, 2, 0), "5.2: GUE tunnels (\"ipvs: allow tunneling with gue "
       "encapsulation\")", false, true),
    CH(ipvs_rs_table_all, KV(5, 2, 0), "≈5.2: every dest in rs_table, the method checked at lookup "
       "(with the tunnel lookups; 4.9 lacks it, 5.10 has it)", false, true),
    CH(ipvs_tun_gre, KV(5, 3, 0), "5.3: GRE tunnels (\"ipvs: allow tunneling with gre encapsulation\")",
       false, true),
    CH(ipvs_decrement_ttl, KV(5, 3, 0), "5.3: \"ipvs: decrement ttl\"", false, true),
    CH(postrouting_has_indev, KV(5, 5, 0), "5.5: \"netfilter: Support iif matches in POSTROUTING\"",
       false, true),
    CH(ipvs_lazy_hooks, KV(5, 9, 0), "5.9: 857ca89711de \"ipvs: register hooks only with services\" "
       "(nf-next, July 2020)", false, true),
    CH(ipvs_expire_nodest_work, KV(5, 9, 0), "5.9: expire_nodest_conn deletes a dest's connections "
       "from queued work", false, true),
    CH(icmp_global_random_cost, KV(5, 10, 0), "5.10: \"icmp: randomize the global rate limiter\"",
       false, true),
    CH(nat_edemux_hooks, KV(5, 12, 0), "5.12: 03a3ca37e4c6, nf_nat_ipv4_pre_routing and "
       "nf_nat_ipv4_local_in (later backported to 5.10.y, not modelled: 5.10.N is 5.10.0 here)",
       false, true),
    CH(ipvs, KV(5, 16, 0), "5.16: 9dd43a5f4b11 \"netfilter: ipvs: prepare for hook function reduction\", "
       "8a9941b42de5 and 540ff44b28f0 (the wrappers removed)", IPVS_ERA_MIDDLE, IPVS_ERA_NEW),
    CH(ipt_hook_wrappers, KV(5, 16, 0), "5.16: 8844e01062dd \"netfilter: iptables: allow use of "
       "ipt_do_table as hookfn\" (mangle keeps iptable_mangle_hook)", true, false),
    CH_S(nat_table_fn, KV(5, 16, 0), "5.16: 8844e01062dd, ipt_do_table runs the nat table too",
         "iptable_nat_do_chain", "ipt_do_table"),
    CH(ipvs_est_kthreads, KV(6, 2, 0), "6.2: \"ipvs: use kthreads for stats estimation\" (the first "
       "pass 49 rows of 40 ms after the first service)", false, true),
};
#define N_CHANGES (sizeof changes / sizeof changes[0])

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
    /* absent from 3.10, present in 3.11 (3.11's ip_vs_proto_sctp.c reads sysctl_sloppy_sctp) */
    { FEAT_SYSCTL, "sloppy_tcp", KERNEL_VERSION(3, 11, 0), "3.11" },
    { FEAT_SYSCTL, "sloppy_sctp", KERNEL_VERSION(3, 11, 0), "3.11" },
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

bool kernel_feature_at(size_t i, const char **kind, const char **name)
{
    static const char *const kinds[] = { [FEAT_SCHED] = "scheduler", [FEAT_SYSCTL] = "sysctl",
                                         [FEAT_FLAG] = "service flag" };
    if (i >= sizeof features / sizeof features[0])
        return false;
    *kind = kinds[features[i].kind];
    *name = features[i].name;
    return true;
}

static void profile_build(struct kernel_profile *p, unsigned version)
{
    *p = base_2_6_34;
    p->version = version;
    for (size_t i = 0; i < N_CHANGES; i++)
        if (changes[i].since <= version)
            field_set(p, field_find(changes[i].field), changes[i].after, changes[i].safter);
}

/* ---- the eras and the other names users write ---------------------------------- */

/* "5.10" is 5.10.0 as released: the later 5.10.y stable releases took some of 5.12's
 * NAT changes (5.10.44 names its NAT hooks as 5.12 does), which the table does not
 * model. "6.x" is 6.2.0, the first release with everything 6.x had before versions
 * (twos came in 6.2; 6.1 is the same without it). */
static const struct era {
    const char *name;
    unsigned version;
    const char *description;
} eras[] = {
    { "2.6.34", KV(2, 6, 34),
      "global hook lists, FIFO ties, NF_STOP and NF_REPEAT honoured, IPVS without LOCAL_OUT hooks" },
    { "4.9", KV(4, 9, 0), "per-netns singly linked hook lists, FIFO ties, NF_STOP/NF_REPEAT still honoured" },
    { "5.10", KV(5, 10, 0), "hook arrays, LIFO ties, conntrack and NAT on demand, nat chains inside the NAT core" },
    { "6.x", KV(6, 2, 0), "hook arrays, LIFO ties, everything on demand, IPVS ip_vs_in_hook/ip_vs_out_hook" },
};
#define N_ERAS (sizeof eras / sizeof eras[0])

static const struct {
    const char *alias, *era;
} aliases[] = {
    { "2.6", "2.6.34" }, { "4", "4.9" }, { "4.9.x", "4.9" }, { "5", "5.10" }, { "5.10.x", "5.10" },
    { "6", "6.x" }, { "latest", "6.x" },
};

static char *version_description(const struct kernel_profile *p);

/* Profiles built so far, kept for the whole process: callers hold the pointers (each
 * struct net keeps its own) and a version is built once. An era brings its own
 * description; a version gets one from its fields. */
static GPtrArray *built;

static const struct kernel_profile *intern(const char *name, unsigned version, const char *description)
{
    if (!built)
        built = g_ptr_array_new();
    for (guint i = 0; i < built->len; i++) {
        const struct kernel_profile *p = g_ptr_array_index(built, i);
        if (p->version == version && strcmp(p->name, name) == 0)
            return p;
    }
    struct kernel_profile *p = g_new(struct kernel_profile, 1);
    profile_build(p, version);
    p->name = g_strdup(name);
    p->description = description ? g_strdup(description) : version_description(p);
    g_ptr_array_add(built, p);
    return p;
}

/* A version's own description, in the eras' words, from the fields that show in
 * `ipvsim hooks` (hook storage in net/netfilter/core.c: the global nf_hooks lists
 * until 4.3, lists in struct net from 4.3, singly linked struct nf_hook_entry from 4.9,
 * struct nf_hook_entries arrays from 4.14). */
static char *version_description(const struct kernel_profile *p)
{
    unsigned v = p->version;
    GString *d = g_string_new(v < KV(4, 3, 0) ? "global hook lists"
                              : v < KV(4, 9, 0) ? "per-netns hook lists"
                              : v < KV(4, 14, 0) ? "per-netns singly linked hook lists" : "hook arrays");
    g_string_append(d, p->tie == NF_TIE_FIFO ? ", FIFO ties" : ", LIFO ties");
    if (p->stop_accepts && p->repeat_loops)
        g_string_append(d, ", NF_STOP and NF_REPEAT honoured");
    if (p->lazy_conntrack)
        g_string_append(d, p->ipvs_lazy_hooks ? ", conntrack, NAT and IPVS hooks on demand"
                                              : ", conntrack and NAT on demand");
    if (p->nat_core_private_list)
        g_string_append(d, ", nat chains inside the NAT core");
    g_string_append(d, p->ipvs == IPVS_ERA_OLD ? ", IPVS without LOCAL_OUT hooks"
                       : p->ipvs == IPVS_ERA_NEW ? ", IPVS ip_vs_in_hook/ip_vs_out_hook" : "");
    return g_string_free(d, FALSE);
}

void kernel_version_string(unsigned version, char *buf, size_t len)
{
    snprintf(buf, len, "%u.%u.%u", version >> 16, (version >> 8) & 0xff, version & 0xff);
}

const struct kernel_profile *kernel_profile_for_version(unsigned major, unsigned minor, unsigned patch)
{
    char name[32];
    if (patch)
        snprintf(name, sizeof name, "%u.%u.%u", major, minor, patch);
    else
        snprintf(name, sizeof name, "%u.%u", major, minor);
    return intern(name, KV(major, minor, patch), NULL);
}

static const struct kernel_profile *era_profile(const struct era *e)
{
    return intern(e->name, e->version, e->description);
}

/* The last minor release of each major series (2.6 counts as a series). */
static unsigned last_minor(unsigned major)
{
    switch (major) {
    case 3: return 19;
    case 4: return 20;
    case 5: return 19;
    case 6: return (KERNEL_VERSION_NEWEST >> 8) & 0xff;
    default: return 0;
    }
}

/* "5.15" or "5.15.3": digits only, no sign, blanks or leading zeros, each part
 * below 256 (the kernel's KERNEL_VERSION packs 8 bits; later sublevels are clamped
 * to 255). docs/scenario.schema.json's pattern says the same. */
static bool split_version(const char *s, unsigned part[3], int *nparts)
{
    *nparts = 0;
    part[2] = 0;
    const char *c = s;
    while (*nparts < 3) {
        size_t n = strspn(c, "0123456789");
        if (n == 0 || n > 3 || (n > 1 && c[0] == '0'))
            return false;
        part[(*nparts)++] = (unsigned)strtoul(c, NULL, 10);
        if (part[*nparts - 1] > 255)
            return false;
        c += n;
        if (*c == '\0')
            return *nparts >= 2;
        if (*c != '.')
            return false;
        c++;
    }
    return false;
}

static void eras_text(char *buf, size_t len)
{
    size_t at = 0;
    for (size_t i = 0; i < N_ERAS && at < len; i++)
        at += (size_t)snprintf(buf + at, len - at, "%s%s", i ? ", " : "", eras[i].name);
}

const struct kernel_profile *kernel_profile_parse(const char *name, char *why, size_t why_len)
{
    for (size_t i = 0; i < N_ERAS; i++)
        if (strcmp(eras[i].name, name) == 0)
            return era_profile(&eras[i]);
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (strcmp(aliases[i].alias, name) == 0)
            return kernel_profile_parse(aliases[i].era, why, why_len);
    char era_list[64], newest[16];
    eras_text(era_list, sizeof era_list);
    snprintf(newest, sizeof newest, "%u.%u", KERNEL_VERSION_NEWEST >> 16, (KERNEL_VERSION_NEWEST >> 8) & 0xff);
    unsigned part[3];
    int n;
    if (!split_version(name, part, &n)) {
        if (why)
            snprintf(why, why_len, "expected a kernel version MAJOR.MINOR or MAJOR.MINOR.PATCH from "
                     "2.6.34 to %s (a distribution's kernel: its mainline base, e.g. 4.18 for "
                     "4.18.0-513.el8) or an era (%s), got '%s'", newest, era_list, name);
        return NULL;
    }
    unsigned v = KV(part[0], part[1], part[2]);
    bool exists = part[0] == 2 ? part[1] == 6 && n == 3 && part[2] <= 39
                               : part[0] >= 3 && part[0] <= 6 && part[1] <= last_minor(part[0]);
    if (v < KERNEL_VERSION_OLDEST) {
        if (why)
            snprintf(why, why_len, "'%s' is older than the oldest kernel ipvsim models, 2.6.34 "
                     "(versions 2.6.34 to %s, or an era: %s)", name, newest, era_list);
        return NULL;
    }
    if (part[0] > 6 || (part[0] == 6 && part[1] > last_minor(6))) {
        if (why)
            snprintf(why, why_len, "'%s' is newer than the newest kernel ipvsim models, %s "
                     "(versions 2.6.34 to %s, or an era: %s)", name, newest, newest, era_list);
        return NULL;
    }
    if (!exists) {
        if (why)
            snprintf(why, why_len, "there is no kernel '%s' (2.6 ended with 2.6.39, 3.x with 3.19, "
                     "4.x with 4.20, 5.x with 5.19)", name);
        return NULL;
    }
    return kernel_profile_for_version(part[0], part[1], part[2]);
}

const struct kernel_profile *kernel_profile_find(const char *name)
{
    return kernel_profile_parse(name, NULL, 0);
}

const struct kernel_profile *kernel_profile_default(void)
{
    return era_profile(&eras[N_ERAS - 1]);
}

const struct kernel_profile *const *kernel_profiles(void)
{
    static const struct kernel_profile *all[N_ERAS + 1];
    for (size_t i = 0; i < N_ERAS; i++)
        all[i] = era_profile(&eras[i]);
    return all;
}

/* ---- the table, for `ipvsim hooks --diff` and the tests ----------------------- */

bool kernel_profile_change_at(size_t i, struct kernel_profile_change *c)
{
    if (i >= N_CHANGES)
        return false;
    const struct pf_change *ch = &changes[i];
    const struct pf_field *f = field_find(ch->field);
    c->field = ch->field;
    c->since = ch->since;
    c->rests_on = ch->rests_on;
    value_text(f, ch->before, ch->sbefore, c->before, sizeof c->before);
    value_text(f, ch->after, ch->safter, c->after, sizeof c->after);
    return true;
}

bool kernel_profile_field_text(const struct kernel_profile *p, const char *field, char *buf, size_t len)
{
    const struct pf_field *f = field_find(field);
    if (!f)
        return false;
    const char *s = f->type == PF_STR ? *(const char *const *)((const char *)p + f->off) : NULL;
    value_text(f, field_get(p, f), s, buf, len);
    return true;
}

const char *const *kernel_profile_fields(void)
{
    static const char *names[N_FIELDS + 1];
    for (size_t i = 0; i < N_FIELDS; i++)
        names[i] = fields[i].name;
    return names;
}
