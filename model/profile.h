/* Kernel versions as data. One binary simulates every version from 2.6.34 to the
 * newest modelled: a profile says how hooks tie at equal priority, what the core
 * does with each verdict, which built-in hook functions exist where, and how they
 * register. model/profile.c builds the profile of a version from one table of
 * changes, each keyed by the version (and commit) that made it; the era names
 * 2.6.34, 4.9, 5.10 and 6.x are aliases of versions. A scenario chooses with
 * "kernel". */
#ifndef IPVSIM_MODEL_PROFILE_H
#define IPVSIM_MODEL_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum nf_tie_rule {
    NF_TIE_FIFO,                    /* <= 4.13: a new hook goes after equal priorities */
    NF_TIE_LIFO,                    /* >= 4.14: before them */
};

/* Which IPVS hook table an era has (the functions, points and priorities are in
 * the IPVS model). */
/* How the sh scheduler fills its 256 buckets and hashes a client into them. */
enum ip_vs_sh_variant {
    IP_VS_SH_2_6,                   /* 2.6.34: one bucket per dest in turn (weights
                                       ignored), (addr * 2654435761) & 255, no
                                       sh-port/sh-fallback */
    IP_VS_SH_MULT,                  /* weight-filled table (3.6 has it), sh-port and
                                       sh-fallback (~3.15), bucket (offset + (port +
                                       addr) * 2654435761) & 255 (4.9) */
    IP_VS_SH_HASH_32,               /* the same with hash_32(port + addr, 8) (between
                                       4.14 and 4.19; a 4.19.71 tree has it) */
};

/* How a locally built packet without a connected socket gets its IP id when it
 * may be fragmented (__ip_select_ident); with DF set and no connected socket the
 * id is 0 in every era (ip_select_ident). */
enum ip_ident_gen {
    IP_IDENT_INETPEER,              /* 2.6.34: one counter per destination address
                                       (inet_peer ip_id_count), from a secret start */
    IP_IDENT_IDENTS,                /* 3.16+ (04ca6973f7c1): 2048 counters picked by a
                                       keyed hash of (daddr, saddr, protocol), random
                                       start, and a random jump below the jiffies
                                       since the counter was last used */
};

enum ipvs_era {
    IPVS_ERA_OLD,                   /* 2.6.x: ip_vs_in LOCAL_IN 100, ip_vs_post_routing, no LOCAL_OUT */
    IPVS_ERA_MIDDLE,                /* ~2.6.37 .. 5.15: ip_vs_reply4, ip_vs_remote_request4, ... */
    IPVS_ERA_NEW,                   /* 5.16+: ip_vs_in_hook / ip_vs_out_hook */
};

/* A kernel version as one number, for "since" tables (the kernel's KERNEL_VERSION). */
#define KERNEL_VERSION(a, b, c) (((a) << 16) + ((b) << 8) + (c))

struct kernel_profile {
    const char *name;               /* as asked: "5.15", "4.18.3", or an era "2.6.34",
                                       "4.9", "5.10", "6.x" */
    const char *description;
    unsigned version;               /* the KERNEL_VERSION the profile was built for */
    enum nf_tie_rule tie;
    /* nf_hook_slow */
    uint32_t verdict_mask;          /* 0xffff in 2.6.34, 0xff later */
    bool stop_accepts;              /* NF_STOP: accept and skip the remaining hooks */
    bool repeat_loops;              /* NF_REPEAT: call the same hook again */
    bool drop_errno;                /* NF_DROP_ERR decoded; else every drop is -EPERM */
    bool queue_bypass;              /* NF_VERDICT_FLAG_QUEUE_BYPASS honoured */
    /* built-ins */
    bool lazy_conntrack;            /* conntrack/defrag/NAT hooks registered on first use */
    bool conntrack_helper_hook;     /* separate ipv4_helper at IN/POST 300 (3.x .. 5.0) */
    bool nat_input_chain;           /* the nat table has an INPUT chain (2.6.36+) */
    bool nat_core_private_list;     /* nat chains live inside the NAT core's hooks (4.18+) */
    int tcp_tw_reuse_default;       /* net.ipv4.tcp_tw_reuse at boot: 0, 2 since 4.18 */
    bool nat_edemux_hooks;          /* the NAT core's PRE_ROUTING/LOCAL_IN hooks are
                                       nf_nat_ipv4_pre_routing/_local_in (5.12,
                                       03a3ca37e4c6, also in later 5.10.y); before,
                                       nf_nat_ipv4_in/nf_nat_ipv4_fn */
    bool postrouting_has_indev;     /* POST_ROUTING's state->in is the input device */
    bool ipv4_route_cache;          /* the routing cache (until 3.6): redirect state per entry */
    /* ICMP: one rate limit for all errors of the host (icmp_msgs_per_sec/burst,
     * 3.18+), whose credit cost is random, 0 to 2 (5.10+), against side channels */
    bool icmp_global_limit;
    bool icmp_global_random_cost;
    /* iptables: each table registers a thin wrapper (iptable_filter_hook, ...) up to
     * 5.15; from 5.16 ipt_do_table itself (mangle keeps its own hook everywhere). */
    bool ipt_hook_wrappers;
    /* ip6table_raw registers at NF_IP6_PRI_FIRST (before defrag and conntrack) up to
     * 3.9; from 3.10 at NF_IP6_PRI_RAW (-300) as IPv4's raw table does. */
    bool ip6table_raw_first;
    bool nat66;                     /* the NAT66 core and ip6table_nat (3.7+) */
    const char *nat_table_fn;       /* runs the nat table for the NAT core: nf_nat_rule_find
                                       (2.6.34), iptable_nat_do_chain, ipt_do_table (6.x) */
    enum ipvs_era ipvs;
    bool ipvs_lazy_hooks;           /* hooks registered with the first service (5.9) */
    bool ipvs_decrement_ttl;        /* transmitters decrement TTL, send time exceeded (5.3+) */
    bool ipvs_conn_reuse;           /* the conn_reuse_mode sysctl and its rescheduling (4.2+) */
    bool ipvs_assured_templates;    /* templates become ASSURED; deleting a conn deletes
                                       its unused non-ASSURED template; drop_entry drops
                                       non-ASSURED templates (4.19: "ipvs: add assured
                                       state for conn templates" and "ipvs: drop conn
                                       templates under attack", 762c40076684) */
    bool ipvs_tcp_active_handshake; /* SYN_SENT, SYN_RECV and SYNACK count in ActiveConn
                                       (4.8: "ipvs: count pre-established TCP states as
                                       active"); before, ESTABLISHED alone */
    bool ipvs_dropentry_sctp;       /* drop_entry looks at SCTP states (INIT1/INIT always,
                                       ESTABLISHED by todrop_entry, others never), with the
                                       SCTP state machine (3.11); before, any SCTP
                                       conn goes through todrop_entry */
    bool ipvs_tun_types;            /* tunnel types: GUE (5.2); before, every tunnel is
                                       IPIP (the attributes are ignored) */
    bool ipvs_tun_gre;              /* GRE tunnels too (5.3); before, a GRE dest sends IPIP */
    bool ipvs_expire_nodest_work;   /* deleting a dest queues work that deletes its
                                       connections when expire_nodest_conn is set (5.9+);
                                       before, only a packet of the connection did */
    enum ip_vs_sh_variant ipvs_sh;
    bool ipvs_wrr_gcd_start;        /* wrr: cw starts at mw = max - (gcd - 1) and dest
                                       changes keep it (3.10, "fix WRR counters on dest
                                       changes"); before, cw starts at 0, mw is the
                                       max weight and an update resets cw only when it
                                       exceeds mw */
    bool ipvs_tcp_none_ack_es;      /* TCP table: an ACK in state NONE (input and
                                       input-only) leads to ESTABLISHED (with
                                       sloppy_tcp, ~3.11); 2.6.34 has CLOSE there */
    bool ipvs_tun_pmtu_disc;        /* the pmtu_disc sysctl decides the tunnel's DF
                                       (~3.7); 2.6.34 copies the inner frag_off
                                       (DF included) into the outer header */
    bool ipvs_notrack;              /* IPVS marks what it sends untracked and leaves
                                       through ip_vs_send_or_cont / ip_vs_nat_send_or_cont
                                       (2.6.37+); 2.6.34's IP_VS_XMIT calls LOCAL_OUT
                                       from the transmitter, the conntrack entry kept */
    enum ip_ident_gen ip_ident;
    bool ipvs_sctp_old_states;      /* 2.6.34's 13-state SCTP machine, events split by
                                       client and server side, no input-only table
                                       (until the 14-state table, 3.11) */
    bool ipvs_rs_table_all;         /* every dest is in rs_table and nat_icmp_send's
                                       lookup (ip_vs_has_real_service) checks that it
                                       is NAT now (5.10 has it; ~5.2, with the tunnel
                                       lookups); 2.6.34 and 4.9 hash only NAT dests and
                                       keep one edited to DR or TUN there */
    bool ipvs_stats_percpu;         /* packets count in per-CPU counters that only the
                                       estimator sums (into kstats): a listing shows the
                                       counters of its last pass, -Z takes that pass as
                                       its zero (2.6.38, "IPVS: netns, ip_vs_stats and
                                       its procfs"; absent from 2.6.34, in 3.10); 2.6.34
                                       counts under a lock, and a listing is live */
    bool ipvs_est_kthreads;         /* the estimators run in kthreads, 50 rows of 40 ms
                                       per 2 s; a new estimator waits in row 49, so every
                                       pass comes 1.96 s after the first service and
                                       every 2 s on (6.2, "ipvs: use kthreads for stats
                                       estimation"); before, one 2 s timer from 2 s */
    bool ipvs_mixed_af_tun;         /* a dest may be of the other family than its
                                       service when it is a tunnel (3.18, "ipvs: Supply
                                       destination address family"); before, a dest
                                       takes its service's family */
    bool ipvs_icmp_tunnel;          /* ip_vs_in_icmp takes an ICMP error about the
                                       director's own IPIP packet to a real server: it
                                       tells the client, with the MTU less the outer
                                       header for frag-needed (absent from 2.6.34, in
                                       3.10); with ipvs_tun_types also GUE and GRE, and
                                       only for a known tunnel dest (ip_vs_find_tunnel,
                                       5.2) */
};

/* Does the era's kernel have this scheduler ("mh"), IPVS sysctl ("sloppy_tcp", without
 * the net.ipv4.vs. prefix) or service flag ("sh-port", "ops", "pe")? Names the table
 * does not list exist in every era. */
bool kernel_profile_has_scheduler(const struct kernel_profile *p, const char *name);
bool kernel_profile_has_ipvs_sysctl(const struct kernel_profile *p, const char *name);
bool kernel_profile_has_svc_flag(const struct kernel_profile *p, const char *name);
/* The version that brought a scheduler, sysctl or flag, as "4.18" (for messages). */
const char *kernel_feature_since(const char *name);
/* The schedulers, sysctls and flags that came after 2.6.34, in table order: i from 0
 * until false; *kind is "scheduler", "sysctl" or "service flag". */
bool kernel_feature_at(size_t i, const char **kind, const char **name);

/* The oldest and newest versions ipvsim models: a version outside is refused. */
#define KERNEL_VERSION_OLDEST KERNEL_VERSION(2, 6, 34)
#define KERNEL_VERSION_NEWEST KERNEL_VERSION(6, 6, 255)

/* The profile of a version, built from the table of changes once and kept for the
 * whole process (the same pointer for the same version and name). The range is the
 * caller's to check (kernel_profile_parse does). */
const struct kernel_profile *kernel_profile_for_version(unsigned major, unsigned minor,
                                                        unsigned patch);
/* The profile named name: an era ("2.6.34", "4.9", "5.10", "6.x", and the spellings
 * "2.6", "4", "4.9.x", "5", "5.10.x", "6", "latest") or a version "MAJOR.MINOR" or
 * "MAJOR.MINOR.PATCH" in range. NULL otherwise, and then, when why is not NULL, what
 * was expected (a sentence without the name's origin, for FILE:LINE:COL or --kernel). */
const struct kernel_profile *kernel_profile_parse(const char *name, char *why, size_t why_len);
const struct kernel_profile *kernel_profile_find(const char *name);
const struct kernel_profile *kernel_profile_default(void);     /* "6.x" */
/* The four eras, NULL-terminated, oldest first. */
const struct kernel_profile *const *kernel_profiles(void);
/* "5.15.0": the version a profile was built for. */
void kernel_version_string(unsigned version, char *buf, size_t len);

/* One change of the table: a field of struct kernel_profile, the version that
 * changed it, what the change rests on (commit and subject, or the bracket read when
 * the exact version is not pinned) and the values before and after, as text. */
struct kernel_profile_change {
    const char *field;
    unsigned since;
    const char *rests_on;
    char before[96], after[96];
};
/* The changes, in table order, a profile field by field: i from 0 until false. */
bool kernel_profile_change_at(size_t i, struct kernel_profile_change *c);
/* A profile field's value as text (as the change table prints it), false when the
 * table has no such field. */
bool kernel_profile_field_text(const struct kernel_profile *p, const char *field, char *buf,
                               size_t len);
/* Every field the table knows, NULL-terminated, in struct order. */
const char *const *kernel_profile_fields(void);

#endif
