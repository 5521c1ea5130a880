/* `ipvsim hooks`. */
#include "app/cli/cmd_hooks.h"

#include <stdio.h>
#include <string.h>
#include "app/cli/cli_args.h"
#include "app/cli/cmd_trace.h"
#include "app/run/run_world.h"
#include "app/scenario/scenario.h"
#include "model/ipvs/ip_vs_ctl.h"
#include "model/net.h"
#include "model/netfilter/nf_conntrack.h"
#include "model/netfilter/nf_nat.h"
#include "model/netfilter/x_tables.h"
#include "sim/in6_key.h"
#include "sim/world.h"

static void print_priority(GString *out, int prio)
{
    if (prio == INT_MIN)
        g_string_append_printf(out, "%11s", "INT_MIN");
    else if (prio == INT_MAX)
        g_string_append_printf(out, "%11s", "INT_MAX");
    else
        g_string_append_printf(out, "%11d", prio);
}

/* The NAT core's private chains, under the NAT hook that walks them. */
static void print_nat_chains(GString *out, const struct nf_hook_entries *e)
{
    for (unsigned i = 0; i < e->num; i++) {
        const struct nf_hook_ops *o = e->ops[i];
        g_string_append_printf(out, "%15s nat chain %d: %s %s\n", "->", o->priority, o->name,
                               o->owner);
    }
}

/* The hook points of family pf's table. */
static void hooks_print_pf(const struct net *net, uint8_t pf, GString *out)
{
    for (unsigned h = 0; h < NF_INET_NUMHOOKS; h++) {
        const struct nf_hook_entries *e = nf_hook_entries_of_pf(net, pf, h);
        g_string_append_printf(out, "%s (%u)\n", nf_hook_name(h), e->num);
        for (unsigned i = 0; i < e->num; i++) {
            const struct nf_hook_ops *o = e->ops[i];
            g_string_append(out, "  ");
            print_priority(out, o->priority);
            g_string_append_printf(out, "  %-28s %s\n", o->name, o->owner);
            /* The NAT core's own hook consults its private list of nat chains. */
            const struct nf_hook_entries *chains = nf_nat_chains_of_pf(net, pf, h);
            if (chains && chains->num && strcmp(o->owner, "nf_nat") == 0)
                print_nat_chains(out, chains);
        }
    }
}

void hooks_print(const struct net *net, GString *out)
{
    hooks_print_pf(net, NFPROTO_IPV4, out);
}

/* The IPv6 table, after IPv4's, with what of IPv6 the model has so far. */
static void hooks_print_ipv6(const struct net *net, GString *out)
{
    g_string_append(out, "\nIPv6 (NFPROTO_IPV6: a table of its own at the same five hook points)\n"
                         "modelled: the IPv6 path (ipv6_rcv to ip6_finish_output2), neighbour discovery, ICMPv6,\n"
                         "ip6tables' raw, mangle, filter and security tables\n"
                         "modelled: IPVS for IPv6 (its hooks: with the first IPv6 service from 5.9, at load before)\n"
                         "modelled: IPv6 conntrack (ipv6_conntrack_ops, nf_defrag_ipv6), NAT66 (ip6table_nat, 3.7+)\n"
                         "not yet: ip6t_REJECT and LOG for IPv6\n\n");
    hooks_print_pf(net, NFPROTO_IPV6, out);
}

void hooks_load_everything(struct net *net)
{
    nf_ct_netns_get(net, NFPROTO_IPV4);
    nf_ct_netns_get(net, NFPROTO_IPV6);
    for (int t = 0; t < XT_TABLE_MAX; t++)
        xt_table_load(xt_table_get(net, (enum xt_table_id)t));
    for (int t = 0; t < XT_TABLE_MAX; t++)       /* ip6_tables: no nat table before 3.7 */
        if (t != XT_TABLE_NAT || net->prof->nat66)
            xt_table_load(xt_table_get_af(net, NFPROTO_IPV6, (enum xt_table_id)t));
    struct netns_ipvs *ipvs = ip_vs_net(net);
    struct ip_vs_service_user u = { .protocol = IPPROTO_TCP, .addr = htonl(0xc0000201),
                                    .port = htons(80), .netmask = 0xffffffff };
    g_strlcpy(u.sched_name, "rr", sizeof u.sched_name);
    ip_vs_add_service(ipvs, &u, NULL);
    /* and an IPv6 one, [2001:db8::10]:80, for ip_vs_ops6 (registered apart since 5.9) */
    struct in6_addr vip6 = { .s6_addr = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x10 } };
    struct ip_vs_service_user u6 = { .af = AF_INET6, .protocol = IPPROTO_TCP,
                                     .addr = in6_key_get(&vip6), .port = htons(80), .netmask = 128 };
    g_strlcpy(u6.sched_name, "rr", sizeof u6.sched_name);
    ip_vs_add_service(ipvs, &u6, NULL);
}

/* A scenario's registrations: every host's hook points once the scenario's
 * configuration is applied (iptables tables its rules load, IPVS, user hooks),
 * before anything runs. Hosts with no hook at all are left out. */
static int hooks_of_scenario(const char *path, const char *era)
{
    GPtrArray *ov = cmdline_overrides(NULL, NULL, era, NULL);
    struct scn_error err;
    struct scenario *s = scenario_load(path, (const char *const *)ov->pdata, &err);
    g_ptr_array_free(ov, TRUE);
    if (!s) {
        scn_error_print(&err);
        return 2;
    }
    struct run_world rw;
    if (!run_world_build(&rw, s, NULL, &err)) {
        scn_error_print(&err);
        scenario_free(s);
        return 2;
    }
    GString *out = g_string_new(NULL);
    const struct kernel_profile *prof = host_net(rw.director)->prof;
    g_string_append_printf(out, "scenario %s, kernel %s: %s\n", s->name, prof->name, prof->description);
    for (guint i = 0; i < rw.w.hosts->len; i++) {
        struct host *h = g_ptr_array_index(rw.w.hosts, i);
        struct net *net = host_net(h);
        unsigned total = 0, total6 = 0;
        for (unsigned k = 0; k < NF_INET_NUMHOOKS; k++) {
            total += nf_hook_entries_of(net, k)->num;
            total6 += nf_hook_entries_of_pf(net, NFPROTO_IPV6, k)->num;
        }
        if (total + total6 == 0)
            continue;
        g_string_append_printf(out, "\nhost %s\n", h->name);
        hooks_print(net, out);
        if (total6) {                   /* only then: IPv4 scenarios print as before */
            g_string_append(out, "\nIPv6\n");
            hooks_print_pf(net, NFPROTO_IPV6, out);
        }
    }
    fputs(out->str, stdout);
    g_string_free(out, TRUE);
    run_world_free(&rw);
    scenario_free(s);
    return 0;
}

/* Every built-in loaded on one host of the era. */
static int hooks_of_era(const struct kernel_profile *prof)
{
    struct world w;
    world_init(&w, 1);
    struct host *h = host_new(&w, "director");
    struct net *net = net_new(h, prof);
    hooks_load_everything(net);
    GString *out = g_string_new(NULL);
    g_string_append_printf(out, "kernel %s: %s\n", prof->name, prof->description);
    g_string_append(out, "every built-in loaded (defrag, conntrack, NAT, raw/mangle/nat/filter/security, IPVS with one service per family)\n\n");
    hooks_print(net, out);
    hooks_print_ipv6(net, out);
    fputs(out->str, stdout);
    g_string_free(out, TRUE);
    world_destroy(&w);
    return 0;
}

/* ---- hooks --kernel A --diff B ----------------------------------------------- */

/* A hook point's lines of family pf's table as hooks_print writes them, without its
 * header. */
static GPtrArray *hook_point_lines(struct net *net, uint8_t pf, unsigned h)
{
    GString *all = g_string_new(NULL);
    hooks_print_pf(net, pf, all);
    GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
    char **v = g_strsplit(all->str, "\n", -1);
    const char *name = nf_hook_name(h);
    bool in = false;
    for (char **l = v; *l; l++) {
        if ((*l)[0] != ' ' && (*l)[0] != '\0')
            in = g_str_has_prefix(*l, name) && (*l)[strlen(name)] == ' ';
        else if (in && (*l)[0])
            g_ptr_array_add(lines, g_strdup(*l));
    }
    g_strfreev(v);
    g_string_free(all, TRUE);
    return lines;
}

/* The two lists as a diff: '-' only in a, '+' only in b, ' ' in both (their longest
 * common subsequence, so that a tie-rule swap shows as a move). */
static void print_line_diff(GString *out, GPtrArray *a, GPtrArray *b)
{
    guint n = a->len, m = b->len;
    guint *lcs = g_new0(guint, (n + 1) * (m + 1));
#define L(i, j) lcs[(i) * (m + 1) + (j)]
    for (guint i = n; i-- > 0;)
        for (guint j = m; j-- > 0;)
            L(i, j) = strcmp(a->pdata[i], b->pdata[j]) == 0 ? L(i + 1, j + 1) + 1
                      : MAX(L(i + 1, j), L(i, j + 1));
    guint i = 0, j = 0;
    while (i < n || j < m) {
        if (i < n && j < m && strcmp(a->pdata[i], b->pdata[j]) == 0) {
            g_string_append_printf(out, " %s\n", (char *)a->pdata[i]);
            i++, j++;
        } else if (i < n && (j == m || L(i + 1, j) >= L(i, j + 1))) {
            g_string_append_printf(out, "-%s\n", (char *)a->pdata[i++]);
        } else {
            g_string_append_printf(out, "+%s\n", (char *)b->pdata[j++]);
        }
    }
#undef L
    g_free(lcs);
}

static bool same_lines(GPtrArray *a, GPtrArray *b)
{
    if (a->len != b->len)
        return false;
    for (guint i = 0; i < a->len; i++)
        if (strcmp(a->pdata[i], b->pdata[i]) != 0)
            return false;
    return true;
}

/* Each profile field whose value differs, both values and the changes of the table
 * between the two versions it rests on. */
static unsigned diff_fields(GString *out, const struct kernel_profile *from,
                            const struct kernel_profile *to)
{
    unsigned lo = MIN(from->version, to->version), hi = MAX(from->version, to->version);
    unsigned n = 0;
    for (const char *const *f = kernel_profile_fields(); *f; f++) {
        char a[96], b[96];
        kernel_profile_field_text(from, *f, a, sizeof a);
        kernel_profile_field_text(to, *f, b, sizeof b);
        if (strcmp(a, b) == 0)
            continue;
        n++;
        g_string_append_printf(out, "%s: %s -> %s\n", *f, a, b);
        struct kernel_profile_change c;
        for (size_t i = 0; kernel_profile_change_at(i, &c); i++)
            if (strcmp(c.field, *f) == 0 && c.since > lo && c.since <= hi)
                g_string_append_printf(out, "    %s\n", c.rests_on);
    }
    return n;
}

/* Schedulers, IPVS sysctls and service flags one of the two has and the other not. */
static unsigned diff_features(GString *out, const struct kernel_profile *from,
                              const struct kernel_profile *to)
{
    unsigned n = 0;
    const char *kind, *nm;
    for (size_t i = 0; kernel_feature_at(i, &kind, &nm); i++) {
        bool (*has)(const struct kernel_profile *, const char *) =
            strcmp(kind, "scheduler") == 0 ? kernel_profile_has_scheduler
            : strcmp(kind, "sysctl") == 0  ? kernel_profile_has_ipvs_sysctl
                                           : kernel_profile_has_svc_flag;
        bool a = has(from, nm), b = has(to, nm);
        if (a == b)
            continue;
        n++;
        g_string_append_printf(out, "%s %s: %s -> %s\n    since %s\n", kind, nm, a ? "yes" : "no",
                               b ? "yes" : "no", kernel_feature_since(nm));
    }
    return n;
}

static unsigned diff_hook_tables(GString *out, const struct kernel_profile *from,
                                 const struct kernel_profile *to)
{
    struct world w;
    world_init(&w, 1);
    struct net *na = net_new(host_new(&w, "a"), from), *nb = net_new(host_new(&w, "b"), to);
    hooks_load_everything(na);
    hooks_load_everything(nb);
    unsigned n = 0;
    static const uint8_t pfs[] = { NFPROTO_IPV4, NFPROTO_IPV6 };
    for (unsigned f = 0; f < G_N_ELEMENTS(pfs); f++) {
        for (unsigned h = 0; h < NF_INET_NUMHOOKS; h++) {
            GPtrArray *a = hook_point_lines(na, pfs[f], h), *b = hook_point_lines(nb, pfs[f], h);
            if (!same_lines(a, b)) {
                n++;
                g_string_append_printf(out, "%s%s\n", pfs[f] == NFPROTO_IPV6 ? "IPv6 " : "",
                                       nf_hook_name(h));
                print_line_diff(out, a, b);
            }
            g_ptr_array_free(a, TRUE);
            g_ptr_array_free(b, TRUE);
        }
    }
    world_destroy(&w);
    return n;
}

/* What changed from kernel FROM to kernel TO: profile fields, features, hook table. */
static int hooks_diff(const struct kernel_profile *to, const struct kernel_profile *from)
{
    char va[24], vb[24];
    kernel_version_string(from->version, va, sizeof va);
    kernel_version_string(to->version, vb, sizeof vb);
    GString *out = g_string_new(NULL);
    g_string_append_printf(out, "kernel %s (%s) -> kernel %s (%s)\n\n", from->name, va, to->name, vb);
    GString *body = g_string_new(NULL);
    unsigned fields = diff_fields(body, from, to);
    unsigned feats = diff_features(body, from, to);
    g_string_append_printf(out, "profile: %u field%s, %u scheduler%s, sysctl%s or flag%s differ%s\n%s",
                           fields, fields == 1 ? "" : "s", feats, feats == 1 ? "" : "s",
                           feats == 1 ? "" : "s", feats == 1 ? "" : "s",
                           fields + feats ? ", each with what it rests on:" : "", body->str);
    g_string_truncate(body, 0);
    unsigned points = diff_hook_tables(body, from, to);
    g_string_append_printf(out, "\nhook table (every built-in loaded): %u hook point%s differ%s\n%s",
                           points, points == 1 ? "" : "s", points == 1 ? "s" : "", body->str);
    fputs(out->str, stdout);
    g_string_free(body, TRUE);
    g_string_free(out, TRUE);
    return 0;
}

int cmd_hooks(int argc, char **argv)
{
    struct cli_scenario_opts scn;
    char *diff = NULL;
    /* without a SCENARIO, --kernel VERSION chooses the kernel (default 6.x) */
    GOptionContext *ctx = g_option_context_new("[SCENARIO] - hook functions at each hook point, in traversal order");
    g_option_context_set_summary(ctx, "Without a SCENARIO: every built-in loaded on a host of "
                                 "--kernel's version (default 6.x).");
    GOptionGroup *grp = g_option_group_new("hooks", "", "", NULL, NULL);
    cli_scenario_options(grp, &scn, CLI_OPT_KERNEL);
    GOptionEntry entries[] = {
        { "diff", 'd', 0, G_OPTION_ARG_STRING, &diff,
          "what changed from kernel VERSION to --kernel's: profile fields with the version or "
          "commit each rests on, schedulers/sysctls/flags, hook table", "VERSION" },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    g_option_group_add_entries(grp, entries);
    g_option_context_set_main_group(ctx, grp);
    GError *gerr = NULL;
    bool ok = g_option_context_parse(ctx, &argc, &argv, &gerr) &&
              cli_scenario_options_check(&scn, &gerr) &&
              (!diff || cli_kernel_value("--diff", diff, &gerr));
    g_option_context_free(ctx);
    int rc = 2;
    const struct kernel_profile *prof = kernel_profile_find(scn.kernel ? scn.kernel : "6.x");
    if (!ok)
        fprintf(stderr, "ipvsim hooks: %s\n", gerr->message);
    else if (argc > 2)
        fprintf(stderr, "ipvsim hooks: expected at most one SCENARIO, got '%s' too\n", argv[2]);
    else if (argc == 2 && diff)
        fprintf(stderr, "ipvsim hooks: --diff compares two kernels, not a SCENARIO ('%s')\n", argv[1]);
    else if (argc == 2)
        rc = hooks_of_scenario(argv[1], scn.kernel);
    else if (diff)
        rc = hooks_diff(prof, kernel_profile_find(diff));
    else
        rc = hooks_of_era(prof);
    g_clear_error(&gerr);
    g_free(diff);
    cli_scenario_options_free(&scn);
    return rc;
}
