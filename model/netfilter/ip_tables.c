/* iptables tables in a net: chains and rules (what libiptc edits), the checks the
 * kernel makes when a table is replaced (translate_table: loops, targets allowed in
 * the table and from the hooks that reach them), and ipt_do_table, the walk of a
 * table for one packet at one hook. */
#include "model/netfilter/x_tables.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "model/ipv4/ip.h"
#include "model/net.h"
#include "model/user/iptables/iptables_parse.h"
#include "model/netfilter/nf_conntrack.h"
#include "model/trace.h"

static const char *const builtin_names[NF_INET_NUMHOOKS] = {
    "PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING",
};

/* ---- tables and chains -------------------------------------------------------- */

static struct xt_chain *chain_new(const char *name, int hook)
{
    struct xt_chain *c = g_new0(struct xt_chain, 1);
    g_strlcpy(c->name, name, sizeof c->name);
    c->hook = hook;
    c->policy = NF_ACCEPT;
    c->rules = g_ptr_array_new();
    return c;
}

struct xt_table *xt_table_get(struct net *net, enum xt_table_id id)
{
    if (!net->xt)
        net->xt = g_new0(struct xt_net, 1);
    struct xt_table *t = net->xt->tables[id];
    if (t)
        return t;
    t = g_new0(struct xt_table, 1);
    t->def = xt_table_def_of(id);
    t->net = net;
    t->valid_hooks = xt_table_valid_hooks(t->def, net);
    for (unsigned h = 0; h < NF_INET_NUMHOOKS; h++)
        if (t->valid_hooks & (1u << h))
            t->builtin[h] = chain_new(builtin_names[h], (int)h);
    t->user_chains = g_ptr_array_new();
    net->xt->tables[id] = t;
    return t;
}

struct xt_table *xt_table_find(const struct net *net, const char *name)
{
    int id = xt_table_id_by_name(name);
    return id >= 0 && net->xt ? net->xt->tables[id] : NULL;
}

struct xt_chain *xt_chain_find(const struct xt_table *t, const char *name)
{
    for (unsigned h = 0; h < NF_INET_NUMHOOKS; h++)
        if (t->builtin[h] && strcmp(t->builtin[h]->name, name) == 0)
            return t->builtin[h];
    for (unsigned i = 0; i < t->user_chains->len; i++) {
        struct xt_chain *c = g_ptr_array_index(t->user_chains, i);
        if (strcmp(c->name, name) == 0)
            return c;
    }
    return NULL;
}

struct ipt_entry *xt_chain_rule(const struct xt_chain *c, unsigned n)
{
    return n >= 1 && n <= c->rules->len ? g_ptr_array_index(c->rules, n - 1) : NULL;
}

static gint chain_cmp(gconstpointer a, gconstpointer b)
{
    const struct xt_chain *x = *(const struct xt_chain *const *)a;
    const struct xt_chain *y = *(const struct xt_chain *const *)b;
    return strcmp(x->name, y->name);
}

/* ---- rules ------------------------------------------------------------------------ */

/* Extensions of a rule that hold a conntrack reference (one each, as the kernel's
 * checkentry functions take them). */
static unsigned entry_ct_users(const struct ipt_entry *e)
{
    unsigned n = e->target.ops && e->target.ops->conntrack;
    for (unsigned i = 0; i < e->nmatches; i++)
        n += e->matches[i].ops->conntrack;
    return n;
}

static struct ipt_entry *entry_new(const struct xt_command *c, const struct xt_addr *s,
                                   const struct xt_addr *d, struct xt_chain *jump)
{
    struct ipt_entry *e = g_new(struct ipt_entry, 1);
    *e = c->rule;
    size_t n = c->rule.nmatches ? c->rule.nmatches : 1;
    e->matches = g_memdup2(c->rule.matches, n * sizeof *e->matches);
    e->ip.src = s->addr;
    e->ip.smsk = s->mask;
    e->ip.dst = d->addr;
    e->ip.dmsk = d->mask;
    e->target.chain = jump;
    e->ct_held = 0;
    if (!c->set_counters)
        memset(&e->counters, 0, sizeof e->counters);
    return e;
}

static void entry_free(struct ipt_entry *e)
{
    g_free(e->matches);
    g_free(e);
}

/* A rule enters a chain: the chain it jumps to gains a reference. */
static void entry_link(struct ipt_entry *e)
{
    if (e->target.chain)
        e->target.chain->references++;
}

static void entry_unlink(struct ipt_entry *e)
{
    if (e->target.chain)
        e->target.chain->references--;
}

/* A rule is committed: its extensions take their conntrack references (after the
 * table is loaded, as the kernel loads the module before it checks the rules). */
static void entry_get_refs(struct xt_table *t, struct ipt_entry *e)
{
    unsigned n = entry_ct_users(e);
    for (unsigned i = 0; i < n; i++)
        if (nf_ct_netns_get(t->net) == 0)
            e->ct_held++;
    t->ct_refs += e->ct_held;
}

/* A rule already out of its chain leaves for good. */
static void entry_release(struct xt_table *t, struct ipt_entry *e)
{
    for (unsigned i = 0; i < e->ct_held; i++)
        nf_ct_netns_put(t->net);
    t->ct_refs -= e->ct_held;
    entry_free(e);
}

/* A rule taken out of its chain leaves for good. */
static void entry_destroy(struct xt_table *t, struct ipt_entry *e)
{
    entry_unlink(e);
    entry_release(t, e);
}

static int load_table(struct xt_table *t, const struct xt_command *c, struct xt_error *err)
{
    if (xt_table_load(t) < 0)
        return xt_error_set(err, c->table_off, "x_tables: could not register the %s table's hooks",
                            t->def->name);
    return 0;
}

/* Same rule, as -D and -C compare them: everything but the counters. */
static bool entry_equal(const struct ipt_entry *a, const struct ipt_entry *b)
{
    if (memcmp(&a->ip, &b->ip, sizeof a->ip) != 0 || a->nmatches != b->nmatches)
        return false;
    for (unsigned i = 0; i < a->nmatches; i++)
        if (a->matches[i].ops != b->matches[i].ops ||
            memcmp(&a->matches[i].u, &b->matches[i].u, sizeof a->matches[i].u) != 0)
            return false;
    const struct xt_entry_target *x = &a->target, *y = &b->target;
    if (x->ops != y->ops || x->chain != y->chain)
        return false;
    if (x->ops == &xt_standard_target)
        return x->chain || x->verdict == y->verdict;
    return !x->ops || memcmp(&x->u, &y->u, sizeof x->u) == 0;
}

static int find_entry(const struct xt_chain *c, const struct ipt_entry *e)
{
    for (unsigned i = 0; i < c->rules->len; i++)
        if (entry_equal(g_ptr_array_index(c->rules, i), e))
            return (int)i;
    return -1;
}

/* ---- the kernel's checks when a table is replaced ------------------------------------ */

static void hook_names(unsigned mask, char *buf, size_t size)
{
    buf[0] = '\0';
    for (unsigned h = 0; h < NF_INET_NUMHOOKS; h++)
        if (mask & (1u << h)) {
            if (buf[0])
                g_strlcat(buf, "/", size);
            g_strlcat(buf, builtin_names[h], size);
        }
}

/* mark_source_chains: which hooks reach each chain; false on a loop. */
static bool mark_chain(struct xt_chain *c, unsigned hookbit)
{
    if (c->visiting)
        return false;
    c->comefrom |= hookbit;
    c->visiting = 1;
    for (unsigned i = 0; i < c->rules->len; i++) {
        const struct ipt_entry *e = g_ptr_array_index(c->rules, i);
        if (e->target.chain && !mark_chain(e->target.chain, hookbit))
            return false;
    }
    c->visiting = 0;
    return true;
}

static void table_chains_reset(struct xt_table *t)
{
    for (unsigned h = 0; h < NF_INET_NUMHOOKS; h++)
        if (t->builtin[h])
            t->builtin[h]->comefrom = t->builtin[h]->visiting = 0;
    for (unsigned i = 0; i < t->user_chains->len; i++) {
        struct xt_chain *c = g_ptr_array_index(t->user_chains, i);
        c->comefrom = c->visiting = 0;
    }
}

static bool mark_source_chains(struct xt_table *t)
{
    table_chains_reset(t);
    for (unsigned h = 0; h < NF_INET_NUMHOOKS; h++)
        if (t->builtin[h] && !mark_chain(t->builtin[h], 1u << h)) {
            table_chains_reset(t);
            return false;
        }
    return true;
}

/* xt_check_match / xt_check_target for one rule of chain c: the line the kernel
 * logs, or NULL. */
static const char *check_entry(const struct xt_table *t, const struct xt_chain *c,
                               const struct ipt_entry *e, char *buf, size_t size)
{
    for (unsigned i = 0; i < e->nmatches; i++) {
        const struct xt_match_ops *m = e->matches[i].ops;
        if (m->proto && (e->ip.proto != m->proto || (e->ip.invflags & XT_INV_PROTO))) {
            snprintf(buf, size, "x_tables: ip_tables: %s match: only valid for protocol %u",
                     m->name, m->proto);
            return buf;
        }
    }
    const struct xt_target_ops *tg = e->target.ops;
    if (!tg || tg == &xt_standard_target)
        return NULL;
    if (tg->table && strcmp(tg->table, t->def->name) != 0) {
        snprintf(buf, size, "x_tables: ip_tables: %s target: only valid in %s table, not %s",
                 tg->name, tg->table, t->def->name);
        return buf;
    }
    if (tg->hooks && (c->comefrom & ~tg->hooks)) {
        char used[64], allow[64];
        hook_names(c->comefrom, used, sizeof used);
        hook_names(tg->hooks, allow, sizeof allow);
        snprintf(buf, size, "x_tables: ip_tables: %s target: used from hooks %s, but only "
                 "usable from %s", tg->name, used, allow);
        return buf;
    }
    return tg->checkentry ? tg->checkentry(e) : NULL;
}

static const char *check_chain(const struct xt_table *t, const struct xt_chain *c, char *buf,
                               size_t size)
{
    for (unsigned i = 0; i < c->rules->len; i++) {
        const char *why = check_entry(t, c, g_ptr_array_index(c->rules, i), buf, size);
        if (why)
            return why;
    }
    return NULL;
}

/* The whole table as the kernel would check it on replace. */
static int table_check(struct xt_table *t, struct xt_error *err, size_t off)
{
    if (!mark_source_chains(t))
        return xt_error_set(err, off, "iptables: Too many levels of symbolic links.");
    char buf[256];
    const char *why = NULL;
    for (unsigned h = 0; h < NF_INET_NUMHOOKS && !why; h++)
        if (t->builtin[h])
            why = check_chain(t, t->builtin[h], buf, sizeof buf);
    for (unsigned i = 0; i < t->user_chains->len && !why; i++)
        why = check_chain(t, g_ptr_array_index(t->user_chains, i), buf, sizeof buf);
    if (why)
        return xt_error_set(err, off, "iptables: Invalid argument. Run `dmesg' for more "
                            "information. [dmesg: %s]", why);
    return 0;
}

/* ---- commands (libiptc's part) -------------------------------------------------------- */

static int no_chain(const struct xt_command *c, struct xt_error *err)
{
    return xt_error_set(err, c->chain_off, "iptables: No chain/target/match by that name.");
}

/* The chain a -j/-g name stands for, or an error as iptables reports it. */
static int resolve_jump(struct xt_table *t, const struct xt_command *c, struct xt_chain **out,
                        struct xt_error *err)
{
    *out = NULL;
    if (!c->jumpto)
        return 0;
    struct xt_chain *dest = xt_chain_find(t, c->jumpto);
    if (dest && dest->hook >= 0)        /* libiptc: can't jump to a built-in chain */
        return xt_error_set(err, c->jump_off, "iptables: %s. Run `dmesg' for more information.",
                            c->command == CMD_INSERT ? "Target problem" : "Invalid argument");
    if (dest) {
        *out = dest;
        return 0;
    }
    if (c->rule.ip.flags & IPT_F_GOTO)
        return xt_error_set(err, c->jump_off, "goto '%s' is not a chain", c->jumpto);
    return xt_error_set(err, c->jump_off, "Couldn't load target `%s':No such file or directory",
                        c->jumpto);
}

static size_t rule_err_off(const struct xt_command *c)
{
    return c->jump_off != SIZE_MAX ? c->jump_off : c->cmd_off;
}

/* Put the new rules in place, check the table, and undo on failure. */
static int place_rules(struct xt_table *t, struct xt_chain *ch, const struct xt_command *c,
                       struct ipt_entry **news, unsigned n, struct ipt_entry **replaced,
                       struct xt_error *err)
{
    unsigned at = c->command == CMD_APPEND ? ch->rules->len : c->rulenum - 1;
    if (c->command == CMD_REPLACE) {
        *replaced = g_ptr_array_index(ch->rules, at);
        entry_unlink(*replaced);
        ch->rules->pdata[at] = news[0];
        entry_link(news[0]);
    } else {
        /* -I puts each at the same place, so several addresses end up reversed */
        for (unsigned i = 0; i < n; i++) {
            g_ptr_array_insert(ch->rules, c->command == CMD_APPEND ? -1 : (gint)at, news[i]);
            entry_link(news[i]);
        }
    }
    int r = table_check(t, err, rule_err_off(c));
    if (r == 0)
        r = load_table(t, c, err);
    if (r == 0)
        return 0;
    for (unsigned i = 0; i < n; i++) {
        entry_unlink(news[i]);
        g_ptr_array_remove(ch->rules, news[i]);
    }
    if (*replaced) {
        entry_link(*replaced);
        g_ptr_array_insert(ch->rules, (gint)at, *replaced);
        *replaced = NULL;
    }
    table_check(t, NULL, 0);            /* restore comefrom */
    return -1;
}

static int add_rules(struct xt_table *t, struct xt_chain *ch, const struct xt_command *c,
                     struct ipt_entry **news, unsigned n, struct xt_error *err)
{
    if (c->command == CMD_INSERT && c->rulenum > ch->rules->len + 1)
        return xt_error_set(err, c->rulenum_off, "iptables: Index of insertion too big.");
    if (c->command == CMD_REPLACE && c->rulenum > ch->rules->len)
        return xt_error_set(err, c->rulenum_off, "iptables: Index of replacement too big.");
    struct ipt_entry *replaced = NULL;
    if (place_rules(t, ch, c, news, n, &replaced, err) < 0)
        return -1;
    for (unsigned i = 0; i < n; i++)
        entry_get_refs(t, news[i]);
    if (replaced)
        entry_release(t, replaced);     /* place_rules unlinked it */
    return 0;
}

/* -D with a rule spec, and -C: every rule must be there. */
static int find_rules(struct xt_table *t, struct xt_chain *ch, const struct xt_command *c,
                      struct ipt_entry **news, unsigned n, struct xt_error *err)
{
    for (unsigned i = 0; i < n; i++)
        if (find_entry(ch, news[i]) < 0)
            return xt_error_set(err, c->cmd_off,
                                "iptables: Bad rule (does a matching rule exist in that chain?).");
    if (load_table(t, c, err) < 0)
        return -1;
    if (c->command == CMD_DELETE)
        for (unsigned i = 0; i < n; i++) {
            int at = find_entry(ch, news[i]);
            struct ipt_entry *old = g_ptr_array_index(ch->rules, at);
            g_ptr_array_remove_index(ch->rules, (guint)at);
            entry_destroy(t, old);
        }
    return 0;
}

static int rule_command(struct xt_table *t, struct xt_command *c, struct xt_error *err)
{
    struct xt_chain *jump;
    if (resolve_jump(t, c, &jump, err) < 0)
        return -1;
    struct xt_chain *ch = xt_chain_find(t, c->chain);
    if (!ch)
        return no_chain(c, err);
    unsigned n = c->nsaddrs * c->ndaddrs;
    struct ipt_entry **news = g_new(struct ipt_entry *, n);
    for (unsigned i = 0; i < c->nsaddrs; i++)
        for (unsigned j = 0; j < c->ndaddrs; j++)
            news[i * c->ndaddrs + j] = entry_new(c, &c->saddrs[i], &c->daddrs[j], jump);
    bool adds = c->command & (CMD_APPEND | CMD_INSERT | CMD_REPLACE);
    int r = adds ? add_rules(t, ch, c, news, n, err) : find_rules(t, ch, c, news, n, err);
    if (r < 0 || !adds)
        for (unsigned i = 0; i < n; i++)
            entry_free(news[i]);
    g_free(news);
    return r;
}

static int delete_num(struct xt_table *t, const struct xt_command *c, struct xt_error *err)
{
    struct xt_chain *ch = xt_chain_find(t, c->chain);
    if (!ch)
        return no_chain(c, err);
    if (c->rulenum > ch->rules->len)
        return xt_error_set(err, c->rulenum_off, "iptables: Index of deletion too big.");
    if (load_table(t, c, err) < 0)
        return -1;
    struct ipt_entry *old = g_ptr_array_index(ch->rules, c->rulenum - 1);
    g_ptr_array_remove_index(ch->rules, c->rulenum - 1);
    entry_destroy(t, old);
    return 0;
}

static void flush_chain(struct xt_table *t, struct xt_chain *ch)
{
    while (ch->rules->len) {
        struct ipt_entry *e = g_ptr_array_index(ch->rules, ch->rules->len - 1);
        g_ptr_array_remove_index(ch->rules, ch->rules->len - 1);
        entry_destroy(t, e);
    }
}

/* Every chain (built-in first) or just the named one. */
static int each_chain(struct xt_table *t, const struct xt_command *c, struct xt_chain **v,
                      unsigned *n, struct xt_error *err)
{
    *n = 0;
    if (c->chain) {
        v[0] = xt_chain_find(t, c->chain);
        if (!v[0])
            return no_chain(c, err);
        *n = 1;
        return 0;
    }
    for (unsigned h = 0; h < NF_INET_NUMHOOKS; h++)
        if (t->builtin[h])
            v[(*n)++] = t->builtin[h];
    for (unsigned i = 0; i < t->user_chains->len; i++)
        v[(*n)++] = g_ptr_array_index(t->user_chains, i);
    return 0;
}

static int flush_or_zero(struct xt_table *t, const struct xt_command *c, struct xt_error *err)
{
    struct xt_chain **v = g_new(struct xt_chain *, NF_INET_NUMHOOKS + t->user_chains->len + 1);
    unsigned n;
    int r = each_chain(t, c, v, &n, err);
    if (r == 0 && c->command == CMD_ZERO_NUM && c->rulenum > v[0]->rules->len)
        r = xt_error_set(err, c->rulenum_off, "iptables: Index of counter too big.");
    if (r == 0)
        r = load_table(t, c, err);
    for (unsigned i = 0; r == 0 && i < n; i++) {
        struct xt_chain *ch = v[i];
        if (c->command == CMD_FLUSH) {
            flush_chain(t, ch);
        } else if (c->command == CMD_ZERO_NUM) {
            memset(&xt_chain_rule(ch, c->rulenum)->counters, 0, sizeof(struct xt_counters));
        } else {
            memset(&ch->policy_counters, 0, sizeof ch->policy_counters);
            for (unsigned k = 0; k < ch->rules->len; k++)
                memset(&((struct ipt_entry *)g_ptr_array_index(ch->rules, k))->counters, 0,
                       sizeof(struct xt_counters));
        }
    }
    g_free(v);
    return r;
}

static int new_chain(struct xt_table *t, const struct xt_command *c, struct xt_error *err)
{
    if (xt_chain_find(t, c->chain))
        return xt_error_set(err, c->chain_off, "iptables: Chain already exists.");
    if (load_table(t, c, err) < 0)
        return -1;
    g_ptr_array_add(t->user_chains, chain_new(c->chain, -1));
    g_ptr_array_sort(t->user_chains, chain_cmp);
    return 0;
}

static const char *cant_delete(const struct xt_chain *ch)
{
    if (ch->hook >= 0)
        return "iptables: Can't delete built-in chain. Run `dmesg' for more information.";
    if (ch->references)
        return "iptables: Can't delete chain with references left.";
    if (ch->rules->len)
        return "iptables: Chain is not empty.";
    return NULL;
}

static void chain_free(struct xt_chain *ch)
{
    g_ptr_array_free(ch->rules, TRUE);
    g_free(ch);
}

/* -X CHAIN, or -X alone: every user chain (all must be empty and unreferenced). */
static int delete_chain(struct xt_table *t, const struct xt_command *c, struct xt_error *err)
{
    if (c->chain) {
        struct xt_chain *ch = xt_chain_find(t, c->chain);
        if (!ch)
            return no_chain(c, err);
        if (cant_delete(ch))
            return xt_error_set(err, c->chain_off, "%s", cant_delete(ch));
    } else {
        for (unsigned i = 0; i < t->user_chains->len; i++)
            if (cant_delete(g_ptr_array_index(t->user_chains, i)))
                return xt_error_set(err, c->cmd_off, "%s",
                                    cant_delete(g_ptr_array_index(t->user_chains, i)));
    }
    if (load_table(t, c, err) < 0)
        return -1;
    for (unsigned i = t->user_chains->len; i-- > 0;) {
        struct xt_chain *ch = g_ptr_array_index(t->user_chains, i);
        if (!c->chain || strcmp(ch->name, c->chain) == 0) {
            g_ptr_array_remove_index(t->user_chains, i);
            chain_free(ch);
        }
    }
    return 0;
}

static int rename_chain(struct xt_table *t, const struct xt_command *c, struct xt_error *err)
{
    struct xt_chain *ch = xt_chain_find(t, c->chain);
    if (!ch)
        return no_chain(c, err);
    if (ch->hook >= 0)
        return xt_error_set(err, c->chain_off, "iptables: Invalid argument. Run `dmesg' for "
                            "more information.");
    if (xt_chain_find(t, c->arg2))
        return xt_error_set(err, c->arg2_off, "iptables: File exists.");
    if (load_table(t, c, err) < 0)
        return -1;
    g_strlcpy(ch->name, c->arg2, sizeof ch->name);
    g_ptr_array_sort(t->user_chains, chain_cmp);
    return 0;
}

static int set_policy(struct xt_table *t, const struct xt_command *c, struct xt_error *err)
{
    struct xt_chain *ch = xt_chain_find(t, c->chain);
    if (!ch || ch->hook < 0)
        return xt_error_set(err, c->chain_off, "iptables: Bad built-in chain name.");
    int policy = strcmp(c->arg2, "ACCEPT") == 0 ? NF_ACCEPT
               : strcmp(c->arg2, "DROP") == 0   ? NF_DROP
                                                : -1;
    if (policy < 0)
        return xt_error_set(err, c->arg2_off, "iptables: Bad policy name. Run `dmesg' for more "
                            "information.");
    if (load_table(t, c, err) < 0)
        return -1;
    ch->policy = policy;
    if (c->set_counters)
        ch->policy_counters = c->rule.counters;
    return 0;
}

int xt_do_command(struct net *net, struct xt_command *c, struct xt_error *err)
{
    struct xt_table *t = xt_table_get(net, c->table);
    switch (c->command) {
    case CMD_APPEND: case CMD_INSERT: case CMD_REPLACE: case CMD_DELETE: case CMD_CHECK:
        return rule_command(t, c, err);
    case CMD_DELETE_NUM:
        return delete_num(t, c, err);
    case CMD_FLUSH: case CMD_ZERO: case CMD_ZERO_NUM:
        return flush_or_zero(t, c, err);
    case CMD_NEW_CHAIN:
        return new_chain(t, c, err);
    case CMD_DELETE_CHAIN:
        return delete_chain(t, c, err);
    case CMD_RENAME_CHAIN:
        return rename_chain(t, c, err);
    case CMD_SET_POLICY:
        return set_policy(t, c, err);
    default:
        return xt_error_set(err, c->cmd_off, "command not supported");
    }
}

/* ---- ipt_do_table ------------------------------------------------------------------ */

/* Compare a device name with a rule's, byte by byte under its mask, as the kernel
 * does (an exact name includes its NUL; "eth+" stops before the '+'). */
static bool ifname_match(const char *dev, const char *name, const uint8_t *mask)
{
    for (unsigned i = 0; i < IFNAMSIZ; i++)
        if ((dev[i] ^ name[i]) & mask[i])
            return false;
    return true;
}

#define FWINV(cond, flag) ((cond) ^ !!(ip->invflags & (flag)))

static bool ip_packet_match(const struct ipt_ip *ip, const struct iphdr *iph, const char *indev,
                            const char *outdev, unsigned fragoff)
{
    if (FWINV((iph->saddr & ip->smsk) != ip->src, IPT_INV_SRCIP) ||
        FWINV((iph->daddr & ip->dmsk) != ip->dst, IPT_INV_DSTIP))
        return false;
    if (FWINV(!ifname_match(indev, ip->iniface, ip->iniface_mask), IPT_INV_VIA_IN) ||
        FWINV(!ifname_match(outdev, ip->outiface, ip->outiface_mask), IPT_INV_VIA_OUT))
        return false;
    if (ip->proto && FWINV(iph->protocol != ip->proto, XT_INV_PROTO))
        return false;
    return !FWINV((ip->flags & IPT_F_FRAG) && !fragoff, IPT_INV_FRAG);
}

#undef FWINV

static void devname(char *buf, const struct net_device *dev)
{
    memset(buf, 0, IFNAMSIZ);
    if (dev)
        memcpy(buf, dev->name, strnlen(dev->name, IFNAMSIZ));
}

/* What the matches read: the IP header, the fragment offset and the transport
 * header's real bytes (within the IP total length). */
static void action_param_init(struct xt_action_param *par, struct sk_buff *skb)
{
    const uint8_t *nh = skb_network_header(skb);
    const uint8_t *end = skb->data + skb->len;
    par->skb = skb;
    par->iph = (const struct iphdr *)nh;
    par->fragoff = ntohs(par->iph->frag_off) & IP_OFFSET;
    par->l4 = nh + ip_hdrlen(par->iph);
    const uint8_t *l4_end = nh + ntohs(par->iph->tot_len);
    if (l4_end > end)
        l4_end = end;
    par->l4_len = l4_end > par->l4 ? (uint32_t)(l4_end - par->l4) : 0;
    par->hotdrop = false;
}

static bool entry_matches(const struct ipt_entry *e, struct xt_action_param *par,
                          const char *indev, const char *outdev)
{
    if (!ip_packet_match(&e->ip, par->iph, indev, outdev, par->fragoff))
        return false;
    for (unsigned i = 0; i < e->nmatches; i++)
        if (!e->matches[i].ops->match(&e->matches[i], par))
            return false;
    return true;
}

/* Report the rule (or policy) that decided, as the kernel's TRACE target names it. */
static void trace_verdict(const struct xt_table *t, struct sk_buff *skb, const struct xt_chain *c,
                          unsigned rulenum, unsigned verdict)
{
    struct net *net = t->net;
    if (!net->trace)
        return;
    char detail[96];
    if (rulenum)
        snprintf(detail, sizeof detail, "%s:%s:rule:%u %s", t->def->name, c->name, rulenum,
                 nf_verdict_name(verdict));
    else
        snprintf(detail, sizeof detail, "%s:%s:policy %s", t->def->name, c->name,
                 nf_verdict_name(verdict));
    trace_note(net, skb, "ipt_do_table", detail);
}

struct jump_frame {
    struct xt_chain *chain;
    unsigned next;
};

/* Where the walk of one table for one packet is. */
struct ipt_walk {
    struct xt_table *t;
    struct sk_buff *skb;
    unsigned hook;
    uint32_t len;                       /* what the counters add: the IP total length */
    struct xt_chain *c;
    unsigned i;                         /* next rule of c */
    unsigned sp;
    struct jump_frame stack[XT_JUMP_STACK];
};

/* The end of a chain or a RETURN: back to the rule after the jump, or, with
 * nothing to go back to, the hook's built-in chain's policy (the kernel's
 * underflow). A built-in chain is only ever walked with an empty stack, so its
 * end is its policy. Returns true with *v set when the walk ends. */
static bool walk_return(struct ipt_walk *w, unsigned *v)
{
    if (w->sp > 0) {
        w->sp--;
        w->c = w->stack[w->sp].chain;
        w->i = w->stack[w->sp].next;
        return false;
    }
    struct xt_chain *b = w->t->builtin[w->hook];
    b->policy_counters.pcnt++;
    b->policy_counters.bcnt += w->len;
    trace_verdict(w->t, w->skb, b, 0, (unsigned)b->policy);
    *v = (unsigned)b->policy;
    if (b->policy == NF_DROP) {
        if (!b->policy_reason[0])
            g_snprintf(b->policy_reason, sizeof b->policy_reason, "%s %s: policy DROP",
                       w->t->def->name, b->name);
        w->skb->drop_reason = b->policy_reason;
    }
    return true;
}

/* The standard target: a jump (which remembers where to come back to), a goto
 * (which does not), RETURN, or a verdict. Returns true with *v set when the walk
 * ends. */
static bool standard_target(struct ipt_walk *w, const struct ipt_entry *e, unsigned *v)
{
    const struct xt_entry_target *tg = &e->target;
    if (tg->chain) {
        if (!(e->ip.flags & IPT_F_GOTO)) {
            if (w->sp == XT_JUMP_STACK) {     /* the kernel's stacksize check */
                *v = nf_drop_reason(w->skb, NF_DROP, "ipt_do_table: jump stack full");
                return true;
            }
            w->stack[w->sp++] = (struct jump_frame){ w->c, w->i + 1 };
        }
        w->c = tg->chain;
        w->i = 0;
        return false;
    }
    if (tg->verdict == XT_RETURN)
        return walk_return(w, v);
    trace_verdict(w->t, w->skb, w->c, w->i + 1, (unsigned)tg->verdict);
    *v = (unsigned)tg->verdict;
    return true;
}

/* A rule's verdict: a drop carries "TABLE CHAIN: -j TARGET" as its reason (unless a
 * more precise one was set), written into the rule the first time. */
static unsigned rule_drop_reason(struct ipt_walk *w, struct ipt_entry *e, unsigned v)
{
    if ((v & NF_VERDICT_MASK) != NF_DROP || w->skb->drop_reason)
        return v;
    if (!e->drop_reason[0])
        g_snprintf(e->drop_reason, sizeof e->drop_reason, "%s %s: -j %s", w->t->def->name,
                   w->c->name, e->target.ops == &xt_standard_target ? "DROP" : e->target.ops->name);
    w->skb->drop_reason = e->drop_reason;
    return v;
}

unsigned ipt_do_table(struct xt_table *t, struct sk_buff *skb, const struct nf_hook_state *state)
{
    if (!t->builtin[state->hook])
        return NF_ACCEPT;
    struct ipt_walk w = { .t = t, .skb = skb, .hook = state->hook, .c = t->builtin[state->hook] };
    struct xt_action_param par = { .state = state, .table = t };
    action_param_init(&par, skb);
    w.len = ntohs(par.iph->tot_len);
    char indev[IFNAMSIZ], outdev[IFNAMSIZ];
    devname(indev, state->in);
    devname(outdev, state->out);
    unsigned v;
    for (;;) {
        if (w.i >= w.c->rules->len) {
            if (walk_return(&w, &v))
                return v;
            continue;
        }
        struct ipt_entry *e = g_ptr_array_index(w.c->rules, w.i);
        if (!entry_matches(e, &par, indev, outdev)) {
            if (par.hotdrop)
                return nf_drop_reason(skb, NF_DROP, "ipt_do_table: malformed packet (hotdrop)");
            w.i++;
            continue;
        }
        e->counters.pcnt++;
        e->counters.bcnt += w.len;
        const struct xt_entry_target *tg = &e->target;
        if (!tg->ops) {
            w.i++;                      /* a rule without -j only counts */
        } else if (tg->ops == &xt_standard_target) {
            if (standard_target(&w, e, &v))
                return rule_drop_reason(&w, e, v);
        } else if ((v = tg->ops->target(tg, &par)) != XT_CONTINUE) {
            trace_verdict(t, skb, w.c, w.i + 1, v);
            return rule_drop_reason(&w, e, v);
        } else {
            action_param_init(&par, skb);   /* the target may have changed the packet */
            w.i++;
        }
    }
}

/* ---- teardown ---------------------------------------------------------------------- */

static void table_free(struct xt_table *t)
{
    for (unsigned h = 0; h < NF_INET_NUMHOOKS; h++)
        if (t->builtin[h])
            flush_chain(t, t->builtin[h]);
    for (unsigned i = 0; i < t->user_chains->len; i++)
        flush_chain(t, g_ptr_array_index(t->user_chains, i));
    xt_table_unload(t);
    for (unsigned h = 0; h < NF_INET_NUMHOOKS; h++)
        if (t->builtin[h])
            chain_free(t->builtin[h]);
    for (unsigned i = 0; i < t->user_chains->len; i++)
        chain_free(g_ptr_array_index(t->user_chains, i));
    g_ptr_array_free(t->user_chains, TRUE);
    g_free(t);
}

void xt_net_exit(struct net *net)
{
    if (!net->xt)
        return;
    for (unsigned id = 0; id < XT_TABLE_MAX; id++)
        if (net->xt->tables[id])
            table_free(net->xt->tables[id]);
    g_free(net->xt);
    net->xt = NULL;
}
