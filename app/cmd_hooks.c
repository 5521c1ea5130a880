/* `ipvsim hooks`. */
#include "app/cmd_hooks.h"

#include <stdio.h>
#include <string.h>
#include "app/cli_args.h"
#include "app/cmd_trace.h"
#include "app/run_world.h"
#include "app/scenario.h"
#include "model/ipvs/ip_vs_ctl.h"
#include "model/net.h"
#include "model/netfilter/nf_conntrack.h"
#include "model/netfilter/nf_nat.h"
#include "model/netfilter/x_tables.h"
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

void hooks_print(const struct net *net, GString *out)
{
    for (unsigned h = 0; h < NF_INET_NUMHOOKS; h++) {
        const struct nf_hook_entries *e = nf_hook_entries_of(net, h);
        g_string_append_printf(out, "%s (%u)\n", nf_hook_name(h), e->num);
        for (unsigned i = 0; i < e->num; i++) {
            const struct nf_hook_ops *o = e->ops[i];
            g_string_append(out, "  ");
            print_priority(out, o->priority);
            g_string_append_printf(out, "  %-28s %s\n", o->name, o->owner);
            /* The NAT core's own hook consults its private list of nat chains. */
            const struct nf_hook_entries *chains = nf_nat_chains_of(net, h);
            if (chains && chains->num && strcmp(o->owner, "nf_nat") == 0)
                print_nat_chains(out, chains);
        }
    }
}

void hooks_load_everything(struct net *net)
{
    nf_ct_netns_get(net);
    for (int t = 0; t < XT_TABLE_MAX; t++)
        xt_table_load(xt_table_get(net, (enum xt_table_id)t));
    struct netns_ipvs *ipvs = ip_vs_net(net);
    struct ip_vs_service_user u = { .protocol = IPPROTO_TCP, .addr = htonl(0xc0000201),
                                    .port = htons(80), .netmask = 0xffffffff };
    g_strlcpy(u.sched_name, "rr", sizeof u.sched_name);
    ip_vs_add_service(ipvs, &u, NULL);
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
        unsigned total = 0;
        for (unsigned k = 0; k < NF_INET_NUMHOOKS; k++)
            total += nf_hook_entries_of(net, k)->num;
        if (total == 0)
            continue;
        g_string_append_printf(out, "\nhost %s\n", h->name);
        hooks_print(net, out);
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
    g_string_append(out, "every built-in loaded (defrag, conntrack, NAT, raw/mangle/nat/filter/security, IPVS with one service)\n\n");
    hooks_print(net, out);
    fputs(out->str, stdout);
    g_string_free(out, TRUE);
    world_destroy(&w);
    return 0;
}

int cmd_hooks(int argc, char **argv)
{
    struct cli_scenario_opts scn;
    /* without a SCENARIO, --kernel ERA chooses the era (default 6.x) */
    GOptionContext *ctx = g_option_context_new("[SCENARIO] - hook functions at each hook point, in traversal order");
    GOptionGroup *grp = g_option_group_new("hooks", "", "", NULL, NULL);
    cli_scenario_options(grp, &scn);
    g_option_context_set_main_group(ctx, grp);
    GError *gerr = NULL;
    bool ok = g_option_context_parse(ctx, &argc, &argv, &gerr) &&
              cli_scenario_options_check(&scn, &gerr);
    g_option_context_free(ctx);
    int rc = 2;
    if (!ok)
        fprintf(stderr, "ipvsim hooks: %s\n", gerr->message);
    else if (argc > 2)
        fprintf(stderr, "ipvsim hooks: expected at most one SCENARIO, got '%s' too\n", argv[2]);
    else if (argc == 2)
        rc = hooks_of_scenario(argv[1], scn.kernel);
    else
        rc = hooks_of_era(kernel_profile_find(scn.kernel ? scn.kernel : "6.x"));
    g_clear_error(&gerr);
    cli_scenario_options_free(&scn);
    return rc;
}
