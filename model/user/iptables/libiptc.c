/* libiptc's part of an iptables command: the chain and rule edits of -A -I -R -D -C
 * -F -Z -N -X -E -P on a table, the table loaded first (iptables -t nat makes the
 * kernel load iptable_nat), the kernel's checks on commit (ipt_translate_table), and
 * what iptables prints when either refuses (libiptc's iptc_strerror and iptables'
 * own messages). The model edits the kernel's table in place and undoes the edit
 * when the checks refuse it, where libiptc edits a copy and the kernel refuses the
 * replacement: the same tables and the same words either way. */
#include "model/user/iptables/iptables_parse.h"

#include <errno.h>
#include <string.h>

static gint chain_cmp(gconstpointer a, gconstpointer b)
{
    const struct xt_chain *x = *(const struct xt_chain *const *)a;
    const struct xt_chain *y = *(const struct xt_chain *const *)b;
    return strcmp(x->name, y->name);
}

/* ---- rules ------------------------------------------------------------------------ */

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
    e->ip.src6 = s->addr6;
    e->ip.smsk6 = s->mask6;
    e->ip.dst6 = d->addr6;
    e->ip.dmsk6 = d->mask6;
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

/* A rule taken out of its chain leaves for good. */
static void entry_destroy(struct xt_table *t, struct ipt_entry *e)
{
    ipt_entry_unlink(e);
    ipt_cleanup_entry(t, e);
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
        if (a->matches[i].match != b->matches[i].match ||
            memcmp(&a->matches[i].data, &b->matches[i].data, sizeof a->matches[i].data) != 0)
            return false;
    const struct xt_entry_target *x = &a->target, *y = &b->target;
    if (x->target != y->target || x->chain != y->chain)
        return false;
    if (x->target == &xt_standard_target)
        return x->chain || x->verdict == y->verdict;
    return !x->target || memcmp(&x->data, &y->data, sizeof x->data) == 0;
}

static int find_entry(const struct xt_chain *c, const struct ipt_entry *e)
{
    for (unsigned i = 0; i < c->rules->len; i++)
        if (entry_equal(g_ptr_array_index(c->rules, i), e))
            return (int)i;
    return -1;
}

/* ---- the kernel's checks on commit, in iptables' words ---------------------------- */

static int table_check(struct xt_table *t, struct xt_error *err, size_t off)
{
    char log[256];
    int r = ipt_translate_table(t, log, sizeof log);
    if (r == -ELOOP)
        return xt_error_set(err, off, "iptables: Too many levels of symbolic links.");
    if (r < 0)
        return xt_error_set(err, off, "iptables: Invalid argument. Run `dmesg' for more "
                            "information. [dmesg: %s]", log);
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
        ipt_entry_unlink(*replaced);
        ch->rules->pdata[at] = news[0];
        ipt_entry_link(news[0]);
    } else {
        /* -I puts each at the same place, so several addresses end up reversed */
        for (unsigned i = 0; i < n; i++) {
            g_ptr_array_insert(ch->rules, c->command == CMD_APPEND ? -1 : (gint)at, news[i]);
            ipt_entry_link(news[i]);
        }
    }
    int r = table_check(t, err, rule_err_off(c));
    if (r == 0)
        r = load_table(t, c, err);
    if (r == 0)
        return 0;
    for (unsigned i = 0; i < n; i++) {
        ipt_entry_unlink(news[i]);
        g_ptr_array_remove(ch->rules, news[i]);
    }
    if (*replaced) {
        ipt_entry_link(*replaced);
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
        ipt_entry_hold(t, news[i]);
    if (replaced)
        ipt_cleanup_entry(t, replaced);     /* place_rules unlinked it */
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
            xt_chain_flush(t, ch);
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
    g_ptr_array_add(t->user_chains, xt_chain_new(c->chain, -1));
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
            xt_chain_free(ch);
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
    /* A rule's drop reason names its chain: written again at its next drop. */
    for (unsigned i = 0; i < ch->rules->len; i++)
        ((struct ipt_entry *)g_ptr_array_index(ch->rules, i))->drop_reason[0] = '\0';
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
    struct xt_table *t = xt_table_get_af(net, c->af, c->table);
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

