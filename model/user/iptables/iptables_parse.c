/* iptables command lines (iptables/xshared.c's do_parse, reduced to IPv4 and the
 * extensions the model has): splitting the line into words, getopt's walk over them
 * (long options by exact name or unambiguous abbreviation, as getopt_long allows),
 * the checks after the last word, and the entry point. What each option does is in
 * iptables_options.c, the value parsers in iptables_values.c, the `iptables -S`
 * printer in iptables_save.c. Messages are iptables' own; each error carries the
 * offset of its token. */
#include "model/user/iptables/iptables_parse_internal.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "model/net.h"
#include "model/profile.h"

/* ---- errors ------------------------------------------------------------------ */

int xt_error_set(struct xt_error *err, size_t offset, const char *fmt, ...)
{
    if (!err)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    err->offset = offset;
    return -1;
}

/* ---- tokens: the shell's word splitting and quoting ----------------------------- */

/* Split line into words as a shell would: blanks separate, '...' is literal, "..."
 * and a backslash escape. One difference: inside "...", \' is a ' (as iptables-restore
 * reads it), so that what xt_save_string prints reads back the same (found by
 * fuzzing: a comment holding ' came back with a backslash). Returns 0, or -1 on an
 * unterminated quote. */
static int tokenize(const char *line, GArray *toks, struct xt_error *err)
{
    size_t i = 0, n = strlen(line);
    for (;;) {
        while (i < n && isspace((unsigned char)line[i]))
            i++;
        if (i == n)
            return 0;
        struct xt_token t = { .off = i };
        GString *w = g_string_new(NULL);
        char quote = 0;
        size_t quote_off = 0;
        for (; i < n && (quote || !isspace((unsigned char)line[i])); i++) {
            char ch = line[i];
            if (quote == '\'' && ch != '\'') {
                g_string_append_c(w, ch);
            } else if (quote == '"' && ch == '\\' && i + 1 < n && strchr("\"\\$`'", line[i + 1])) {
                g_string_append_c(w, line[++i]);
            } else if (quote && ch == quote) {
                quote = 0;
            } else if (quote) {
                g_string_append_c(w, ch);
            } else if (ch == '\'' || ch == '"') {
                quote = ch;
                quote_off = i;
            } else if (ch == '\\' && i + 1 < n) {
                g_string_append_c(w, line[++i]);
            } else {
                g_string_append_c(w, ch);
            }
        }
        t.s = g_string_free(w, FALSE);
        g_array_append_val(toks, t);
        if (quote)
            return xt_error_set(err, quote_off, "unterminated quote");
    }
}

static void free_tokens(GArray *toks)
{
    for (unsigned i = 0; i < toks->len; i++)
        g_free(g_array_index(toks, struct xt_token, i).s);
    g_array_free(toks, TRUE);
}

/* ---- the parse state ---------------------------------------------------------- */

const char optflags[] = "nsdpjvxio0cf";   /* '0' stands for --line-numbers */

const struct xt_token *xt_tok(const struct xt_parse *p, unsigned i)
{
    return &g_array_index(p->toks, struct xt_token, i);
}

int xt_parse_error(struct xt_parse *p, const char *fmt, ...)
{
    if (!p->err)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err->msg, sizeof p->err->msg, fmt, ap);
    va_end(ap);
    p->err->offset = p->cur_off;
    return -1;
}

int xt_perr_at(struct xt_parse *p, size_t off, const char *fmt, ...)
{
    if (!p->err)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err->msg, sizeof p->err->msg, fmt, ap);
    va_end(ap);
    p->err->offset = off;
    return -1;
}

bool xt_has_arg(const struct xt_parse *p)
{
    if (p->pos >= p->toks->len)
        return false;
    const char *s = xt_tok(p, p->pos)->s;
    return s[0] != '-' && s[0] != '!';
}

const char *xt_parse_next_arg(struct xt_parse *p)
{
    if (!xt_has_arg(p))
        return NULL;
    p->cur_off = xt_tok(p, p->pos)->off;
    return xt_tok(p, p->pos++)->s;
}

const struct ipt_entry *xt_parse_entry(const struct xt_parse *p)
{
    return &p->cmd->rule;
}

/* ---- the option table ----------------------------------------------------------- */

enum { NO_ARG, REQ_ARG, OPT_ARG };

struct core_opt {
    const char *name;
    char val;
    uint8_t has_arg;
};

static const struct core_opt core_opts[] = {
    { "append", 'A', REQ_ARG }, { "delete", 'D', REQ_ARG }, { "check", 'C', REQ_ARG },
    { "insert", 'I', REQ_ARG }, { "replace", 'R', REQ_ARG }, { "list", 'L', OPT_ARG },
    { "list-rules", 'S', OPT_ARG }, { "flush", 'F', OPT_ARG }, { "zero", 'Z', OPT_ARG },
    { "new-chain", 'N', REQ_ARG }, { "new", 'N', REQ_ARG }, { "delete-chain", 'X', OPT_ARG },
    { "rename-chain", 'E', REQ_ARG }, { "policy", 'P', REQ_ARG }, { "source", 's', REQ_ARG },
    { "src", 's', REQ_ARG }, { "destination", 'd', REQ_ARG }, { "dst", 'd', REQ_ARG },
    { "protocol", 'p', REQ_ARG }, { "in-interface", 'i', REQ_ARG }, { "jump", 'j', REQ_ARG },
    { "table", 't', REQ_ARG }, { "match", 'm', REQ_ARG }, { "numeric", 'n', NO_ARG },
    { "out-interface", 'o', REQ_ARG }, { "verbose", 'v', NO_ARG }, { "wait", 'w', OPT_ARG },
    { "wait-interval", 'W', OPT_ARG }, { "exact", 'x', NO_ARG }, { "fragments", 'f', NO_ARG },
    { "fragment", 'f', NO_ARG }, { "version", 'V', NO_ARG }, { "help", 'h', OPT_ARG },
    { "line-numbers", '0', NO_ARG }, { "modprobe", 'M', REQ_ARG },
    { "set-counters", 'c', REQ_ARG }, { "goto", 'g', REQ_ARG }, { "ipv4", '4', NO_ARG },
    { "ipv6", '6', NO_ARG },
};

/* Short options and whether they take an argument (iptables' optstring). */
static int short_opt(char c)
{
    switch (c) {
    case 'A': case 'C': case 'D': case 'R': case 'I': case 'N': case 'E': case 'P':
    case 'o': case 'p': case 's': case 'd': case 'j': case 'i': case 't': case 'm':
    case 'c': case 'g': case 'M':
        return REQ_ARG;
    case 'L': case 'S': case 'F': case 'Z': case 'X': case 'h': case 'w': case 'W':
        return OPT_ARG;
    case 'V': case 'f': case 'b': case 'v': case 'n': case 'x': case '4': case '6':
        return NO_ARG;
    default:
        return -1;
    }
}

static bool same_ref(const struct opt_ref *a, const struct opt_ref *b)
{
    if (a->core || b->core)
        return a->core && b->core && a->core->val == b->core->val;
    return a->match == b->match && a->ext->id == b->ext->id;
}

struct opt_search {
    const char *name;
    size_t len;
    bool exact;
    unsigned n;                         /* distinct options found */
    struct opt_ref found;               /* the first one */
};

static void consider(struct opt_search *q, const char *optname, struct opt_ref r)
{
    if (strncmp(optname, q->name, q->len) != 0 || (q->exact && optname[q->len] != '\0'))
        return;
    if (q->n == 0)
        q->found = r;
    if (q->n == 0 || !same_ref(&q->found, &r))
        q->n++;
}

/* Visit every option getopt_long would know now, in its array order: the generic
 * ones, then the target's, then the matches' (the newest extension first). */
static void lookup_long(const struct xt_parse *p, struct opt_search *q)
{
    for (size_t i = 0; i < G_N_ELEMENTS(core_opts); i++)
        consider(q, core_opts[i].name, (struct opt_ref){ .core = &core_opts[i], .match = -1 });
    if (p->target && p->target->opts)
        for (const struct xt_option_entry *o = p->target->opts; o->name; o++)
            consider(q, o->name, (struct opt_ref){ .ext = o, .match = -1 });
    for (int m = (int)p->matches->len - 1; m >= 0; m--) {
        const struct xtables_match *ext = g_array_index(p->matches, struct loaded_match, m).ext;
        for (const struct xt_option_entry *o = ext->opts; o && o->name; o++)
            consider(q, o->name, (struct opt_ref){ .ext = o, .match = m });
    }
}

/* An exact name, else an abbreviation that fits one option only. */
static bool resolve_long(const struct xt_parse *p, const char *name, size_t len,
                         struct opt_ref *found)
{
    struct opt_search exact = { .name = name, .len = len, .exact = true };
    lookup_long(p, &exact);
    struct opt_search prefix = { .name = name, .len = len };
    if (!exact.n)
        lookup_long(p, &prefix);
    *found = exact.n ? exact.found : prefix.found;
    return exact.n || prefix.n == 1;
}

/* ---- the getopt loop -------------------------------------------------------------- */

/* The argument of an option: attached ("--x=v", "-Ax") or the next word. For
 * optional arguments only an attached one or a next word that is no option. */
static const char *take_arg(struct xt_parse *p, int kind, const char *attached,
                            size_t attached_off, size_t *arg_off)
{
    *arg_off = attached_off;
    if (attached)
        return attached;
    if ((kind == REQ_ARG && p->pos < p->toks->len) || (kind == OPT_ARG && xt_has_arg(p))) {
        *arg_off = xt_tok(p, p->pos)->off;
        return xt_tok(p, p->pos++)->s;
    }
    return NULL;
}

/* "--name[=value]": a generic option or an extension's, by exact name or by an
 * unambiguous abbreviation as getopt_long allows. */
static int parse_long(struct xt_parse *p, const struct xt_token *t, bool invert)
{
    const char *s = t->s, *name = s + 2, *eq = strchr(name, '=');
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    struct opt_ref r;
    bool known = resolve_long(p, name, len, &r);
    if (!known && xt_load_proto(p, t->off))
        known = resolve_long(p, name, len, &r);
    if (!known)
        return xt_perr_at(p, t->off, "unknown option \"%s\"", s);
    int kind = r.core ? r.core->has_arg : r.ext->has_arg ? REQ_ARG : NO_ARG;
    struct opt_call o = { .off = t->off, .invert = invert };
    o.arg = take_arg(p, kind, eq ? eq + 1 : NULL, t->off + (size_t)(eq ? eq + 1 - s : 0),
                     &o.arg_off);
    if (kind == REQ_ARG && !o.arg)
        return xt_perr_at(p, t->off, "option \"%s\" requires an argument", s);
    if (r.core) {
        o.c = r.core->val;
        return xt_opt_generic(p, &o);
    }
    return xt_ext_option(p, &r, &o);
}

static int parse_short(struct xt_parse *p, const struct xt_token *t, bool invert)
{
    const char *s = t->s;
    int kind = s[1] != '-' ? short_opt(s[1]) : -1;
    if (kind < 0 || (kind == NO_ARG && s[2]))
        return xt_perr_at(p, t->off, "unknown option \"%s\"", s);
    struct opt_call o = { .c = s[1], .off = t->off, .invert = invert };
    o.arg = take_arg(p, kind, s[2] ? s + 2 : NULL, t->off + 2, &o.arg_off);
    if (kind == REQ_ARG && !o.arg)
        return xt_perr_at(p, t->off, "option \"%s\" requires an argument", s);
    return xt_opt_generic(p, &o);
}

static int do_parse(struct xt_parse *p)
{
    bool invert = false;
    size_t invert_off = 0;
    while (p->pos < p->toks->len) {
        const struct xt_token *t = xt_tok(p, p->pos++);
        if (strcmp(t->s, "!") == 0) {
            if (invert)
                return xt_perr_at(p, t->off, "multiple consecutive ! not allowed");
            invert = true;
            invert_off = t->off;
            continue;
        }
        if (t->s[0] != '-' || !t->s[1])
            return xt_perr_at(p, t->off, "Bad argument `%s'", t->s);
        int r = t->s[1] == '-' && t->s[2] ? parse_long(p, t, invert) : parse_short(p, t, invert);
        if (r < 0)
            return -1;
        invert = false;
    }
    if (invert)
        return xt_perr_at(p, invert_off, "nothing appropriate following !");
    return 0;
}

/* ---- checks after the last word (the rest of do_parse) ----------------------------- */

/* commands_v_options: 'x' illegal, ' ' optional. */
static const char commands_v_options[15][NUMBER_OF_OPT + 1] = {
    /*            nsdpjvxio0cf */
    /*INSERT*/   "x     x  x  ",
    /*DELETE*/   "x     x  xx ",
    /*DELETE_NUM*/"xxxxx xxxxxx",
    /*REPLACE*/  "x     x  x  ",
    /*APPEND*/   "x     x  x  ",
    /*LIST*/     " xxxx  xx xx",
    /*FLUSH*/    "xxxxx xxxxxx",
    /*ZERO*/     "xxxxx xxxxxx",
    /*NEW_CHAIN*/"xxxxx xxxxxx",
    /*DEL_CHAIN*/"xxxxx xxxxxx",
    /*SET_POLICY*/"xxxxx xxxx x",
    /*RENAME*/   "xxxxx xxxxxx",
    /*LIST_RULES*/"xxxxx xxxxxx",
    /*ZERO_NUM*/ "xxxxx xxxxxx",
    /*CHECK*/    "x     x  xx ",
};

static int generic_opt_check(struct xt_parse *p)
{
    for (unsigned i = 0; i < NUMBER_OF_OPT; i++) {
        if (!(p->options & (1u << i)))
            continue;
        int legal = 0;
        for (unsigned j = 0; j < 15; j++) {
            if (!(p->cmd->command & (1u << j)))
                continue;
            if (commands_v_options[j][i] != 'x')
                legal = 1;
            else if (legal == 0)
                legal = -1;
        }
        if (legal == -1)
            return xt_perr_at(p, p->cmd->cmd_off, "Illegal option `-%c' with this command",
                           optflags[i]);
    }
    return 0;
}

static int final_checks(struct xt_parse *p)
{
    struct xt_command *c = p->cmd;
    bool drop_policy = c->command == CMD_SET_POLICY && c->arg2 && strcmp(c->arg2, "DROP") == 0;
    bool drop_rule = c->rule.target.target == &xt_standard_target && !c->jumpto &&
                     c->rule.target.verdict == NF_DROP;
    if (c->table == XT_TABLE_NAT && (drop_policy || drop_rule))
        return xt_perr_at(p, c->command == CMD_SET_POLICY ? c->arg2_off : c->jump_off,
                       "The \"nat\" table is not intended for filtering, the use of DROP is "
                       "therefore inhibited.");
    for (unsigned i = 0; i < p->matches->len; i++) {
        struct loaded_match *lm = &g_array_index(p->matches, struct loaded_match, i);
        p->cur_off = lm->off;
        if (lm->ext->final_check && lm->ext->final_check(p, &lm->m, lm->xflags) < 0)
            return -1;
    }
    if (p->target && p->target->final_check) {
        p->cur_off = c->jump_off;
        if (p->target->final_check(p, &c->rule.target, &c->rule, p->target_xflags) < 0)
            return -1;
    }
    if (!c->command)
        return xt_perr_at(p, 0, "no command specified");
    if (generic_opt_check(p) < 0)
        return -1;
    if (c->chain && strlen(c->chain) >= XT_EXTENSION_MAXNAMELEN)
        return xt_perr_at(p, c->chain_off, "chain name `%s' too long (must be under %u chars)",
                       c->chain, XT_EXTENSION_MAXNAMELEN);
    unsigned rule_cmds = CMD_APPEND | CMD_DELETE | CMD_DELETE_NUM | CMD_CHECK | CMD_INSERT |
                         CMD_REPLACE;
    if (c->command & rule_cmds) {
        bool incoming = strcmp(c->chain, "PREROUTING") == 0 || strcmp(c->chain, "INPUT") == 0;
        bool outgoing = strcmp(c->chain, "POSTROUTING") == 0 || strcmp(c->chain, "OUTPUT") == 0;
        if (incoming && (p->options & OPT_VIANAMEOUT))
            return xt_perr_at(p, p->iface_off[1], "Can't use -o with %s", c->chain);
        if (outgoing && (p->options & OPT_VIANAMEIN))
            return xt_perr_at(p, p->iface_off[0], "Can't use -i with %s", c->chain);
    }
    return 0;
}

/* ---- the entry point ------------------------------------------------------------ */

static void collect_matches(struct xt_parse *p)
{
    struct ipt_entry *e = &p->cmd->rule;
    e->nmatches = p->matches->len;
    e->matches = g_new0(struct xt_entry_match, e->nmatches ? e->nmatches : 1);
    for (unsigned i = 0; i < e->nmatches; i++)
        e->matches[i] = g_array_index(p->matches, struct loaded_match, i).m;
}

/* Skip a leading "iptables", "/sbin/iptables", "iptables-legacy"... or the same
 * of ip6tables, which makes the line ip6tables' (*af). */
static unsigned skip_program(GArray *toks, uint8_t *af)
{
    if (toks->len == 0)
        return 0;
    const char *s = g_array_index(toks, struct xt_token, 0).s;
    const char *base = strrchr(s, '/');
    base = base ? base + 1 : s;
    if (strncmp(base, "ip6tables", 9) == 0 && strncmp(base, "ip6tables-save", 14) != 0) {
        *af = NFPROTO_IPV6;
        return 1;
    }
    return strncmp(base, "iptables", 8) == 0 && strncmp(base, "iptables-save", 13) != 0 ? 1 : 0;
}

bool iptables_line_is_ip6tables(const char *line)
{
    GArray *toks = g_array_new(FALSE, FALSE, sizeof(struct xt_token));
    uint8_t af = NFPROTO_IPV4;
    tokenize(line, toks, NULL);
    skip_program(toks, &af);
    free_tokens(toks);
    return af == NFPROTO_IPV6;
}

bool xt_parse_is_ipv6(const struct xt_parse *p)
{
    return p->cmd->af == NFPROTO_IPV6;
}

/* libip6tc says what libiptc says, under its own name. */
static void name_ip6tables(struct xt_error *err)
{
    if (err && strncmp(err->msg, "iptables: ", 10) == 0) {
        char msg[XT_ERRMSG_MAX];
        snprintf(msg, sizeof msg, "ip6tables: %s", err->msg + 10);
        memcpy(err->msg, msg, sizeof msg);
    }
}

static int apply_line(struct net *net, const char *line, uint8_t af, struct xt_error *err);

int iptables_apply(struct net *net, const char *line, struct xt_error *err)
{
    return apply_line(net, line, NFPROTO_IPV4, err);
}

int ip6tables_apply(struct net *net, const char *line, struct xt_error *err)
{
    return apply_line(net, line, NFPROTO_IPV6, err);
}

static int apply_line(struct net *net, const char *line, uint8_t af, struct xt_error *err)
{
    if (err) {
        err->msg[0] = '\0';
        err->offset = 0;
    }
    struct xt_command cmd;
    memset(&cmd, 0, sizeof cmd);        /* -D compares rules bytewise */
    cmd.table = XT_TABLE_FILTER;
    cmd.jump_off = SIZE_MAX;
    struct xt_parse p = {
        .err = err, .cmd = &cmd,
        .toks = g_array_new(FALSE, FALSE, sizeof(struct xt_token)),
        .matches = g_array_new(FALSE, TRUE, sizeof(struct loaded_match)),
    };
    int r = tokenize(line, p.toks, err);
    cmd.af = af;
    p.pos = skip_program(p.toks, &cmd.af);
    if (cmd.af == NFPROTO_IPV6)
        cmd.rule.ip.af = NFPROTO_IPV6;
    if (r == 0)
        r = do_parse(&p);
    if (r == 0)
        r = final_checks(&p);
    if (r == 0)
        r = xt_parse_all_addresses(&p);
    /* Before 3.7 there is no ip6table_nat module to load. */
    if (r == 0 && cmd.af == NFPROTO_IPV6 && cmd.table == XT_TABLE_NAT && !net->prof->nat66)
        r = xt_perr_at(&p, cmd.table_off, "can't initialize ip6tables table `nat': Table does "
                       "not exist (do you need to insmod?)");
    collect_matches(&p);
    if (r == 0) {
        r = xt_do_command(net, &cmd, err);
        if (r < 0 && cmd.af == NFPROTO_IPV6)
            name_ip6tables(err);
    }
    g_free(cmd.rule.matches);
    g_free(cmd.saddrs);
    g_free(cmd.daddrs);
    g_array_free(p.matches, TRUE);
    free_tokens(p.toks);
    return r;
}
