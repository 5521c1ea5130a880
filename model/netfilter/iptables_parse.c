/* iptables command lines (iptables/xshared.c's do_parse, reduced to IPv4 and the
 * extensions the model has), the shared value parsers, and the `iptables -S`
 * printer. Messages are iptables' own; each error carries the offset of its token. */
#include "model/netfilter/iptables_parse.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model/net.h"

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

struct xt_token {
    char *s;
    size_t off;                         /* where the word starts in the line */
};

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

/* ---- value parsers shared with the extensions ------------------------------------ */

bool xt_strtoui(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
    if (!*s || isspace((unsigned char)*s) || *s == '-' || *s == '+')
        return false;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *end || v < min || v > max)
        return false;
    if (out)
        *out = (uint32_t)v;
    return true;
}

bool xt_numeric_to_ipaddr(const char *s, be32 *out)
{
    uint8_t b[4] = {0};
    const char *p = s;
    for (int i = 0; i < 4; i++) {
        const char *dot = strchr(p, '.');
        char part[16];
        size_t len = dot && i < 3 ? (size_t)(dot - p) : strlen(p);
        uint32_t v;
        if (len == 0 || len >= sizeof part)
            return false;
        memcpy(part, p, len);
        part[len] = '\0';
        if (!xt_strtoui(part, 0, 255, &v))
            return false;
        b[i] = (uint8_t)v;
        if (!dot || i == 3)
            break;                      /* "10.1" leaves the rest zero */
        p = dot + 1;
    }
    memcpy(out, b, 4);
    return true;
}

static const struct {
    const char *name;
    uint16_t port;
} services[] = {
    { "ftp-data", 20 }, { "ftp", 21 }, { "ssh", 22 }, { "telnet", 23 }, { "smtp", 25 },
    { "domain", 53 }, { "bootps", 67 }, { "bootpc", 68 }, { "tftp", 69 }, { "http", 80 },
    { "www", 80 }, { "pop3", 110 }, { "ntp", 123 }, { "imap", 143 }, { "snmp", 161 },
    { "ldap", 389 }, { "https", 443 }, { "syslog", 514 }, { "submission", 587 },
    { "imaps", 993 }, { "pop3s", 995 }, { "mysql", 3306 }, { "postgresql", 5432 },
    { "http-alt", 8080 },
};

bool xt_parse_port(const char *s, uint16_t *out)
{
    uint32_t v;
    if (xt_strtoui(s, 0, 65535, &v)) {
        *out = (uint16_t)v;
        return true;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(services); i++)
        if (strcmp(s, services[i].name) == 0) {
            *out = services[i].port;
            return true;
        }
    return false;
}

bool xt_parse_val_mask(const char *s, uint32_t *val, uint32_t *mask)
{
    const char *slash = strchr(s, '/');
    char head[32];
    size_t len = slash ? (size_t)(slash - s) : strlen(s);
    if (len >= sizeof head)
        return false;
    memcpy(head, s, len);
    head[len] = '\0';
    if (!xt_strtoui(head, 0, UINT32_MAX, val))
        return false;
    *mask = UINT32_MAX;
    return !slash || xt_strtoui(slash + 1, 0, UINT32_MAX, mask);
}

/* A chain or interface name as -S prints it: bare, as iptables does, unless it holds a
 * character that tokenize() takes as quoting (a double or a single quote, a
 * backslash) or a blank (an interface name may hold one); then it is quoted as xt_save_string quotes, so that the output reads back
 * (found by fuzzing: a chain named a"b was printed bare, an unterminated quote; an
 * interface named \3 came back as 3, one ending in a blank lost it). */
static void save_chain_name(GString *out, const char *name)
{
    if (strpbrk(name, "\"'\\ \t\n\v\f\r"))
        xt_save_string(out, name);
    else
        g_string_append_printf(out, " %s", name);
}

void xt_save_string(GString *out, const char *s)
{
    size_t plain = strspn(s, "_-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
    if (plain > 0 && s[plain] == '\0') {
        g_string_append_printf(out, " %s", s);
        return;
    }
    g_string_append(out, " \"");
    for (; *s; s++) {
        if (*s == '"' || *s == '\\' || *s == '\'')
            g_string_append_c(out, '\\');
        g_string_append_c(out, *s);
    }
    g_string_append_c(out, '"');
}

/* The names /etc/protocols gives (the model carries its own copy, so that a run
 * does not depend on the machine). */
static const struct {
    const char *name;
    uint16_t num;
} protos[] = {
    { "icmp", 1 }, { "igmp", 2 }, { "ipencap", 4 }, { "tcp", 6 }, { "udp", 17 },
    { "gre", 47 }, { "esp", 50 }, { "ah", 51 }, { "sctp", 132 }, { "udplite", 136 },
};

const char *xt_proto_name(uint16_t proto)
{
    for (size_t i = 0; i < G_N_ELEMENTS(protos); i++)
        if (protos[i].num == proto)
            return protos[i].name;
    return NULL;
}

static bool parse_protocol(const char *s, uint16_t *out)
{
    uint32_t v;
    if (xt_strtoui(s, 0, 255, &v)) {
        *out = (uint16_t)v;
        return true;
    }
    if (strcmp(s, "all") == 0) {
        *out = 0;
        return true;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(protos); i++)
        if (strcmp(s, protos[i].name) == 0) {
            *out = protos[i].num;
            return true;
        }
    return false;
}

/* ---- the parse state ---------------------------------------------------------- */

/* A match on the rule being built, with what the option parser knows of it. */
struct loaded_match {
    struct xt_entry_match m;
    unsigned xflags;                    /* option ids seen */
    size_t off;                         /* the -m token (or the option that loaded it) */
    bool implicit;                      /* loaded by -p tcp and a tcp option */
};

/* Bits of the generic options, in iptables' order (for its messages). */
enum {
    OPT_NUMERIC = 1 << 0, OPT_SOURCE = 1 << 1, OPT_DESTINATION = 1 << 2,
    OPT_PROTOCOL = 1 << 3, OPT_JUMP = 1 << 4, OPT_VERBOSE = 1 << 5, OPT_EXPANDED = 1 << 6,
    OPT_VIANAMEIN = 1 << 7, OPT_VIANAMEOUT = 1 << 8, OPT_LINENUMBERS = 1 << 9,
    OPT_COUNTERS = 1 << 10, OPT_FRAGMENT = 1 << 11, NUMBER_OF_OPT = 12,
};
static const char optflags[] = "nsdpjvxio0cf";   /* '0' stands for --line-numbers */

struct xt_parse {
    struct xt_error *err;
    GArray *toks;                       /* struct xt_token */
    unsigned pos;                       /* next token (getopt's optind) */
    size_t cur_off;                     /* the token an extension's error points at */
    struct xt_command *cmd;
    unsigned options;                   /* OPT_* */
    const char *protocol;
    const char *shost, *dhost;
    size_t shost_off, dhost_off, iface_off[2];
    GArray *matches;                    /* struct loaded_match */
    const struct xt_target_ops *target;
    unsigned target_xflags;
    size_t policy_off;
};

static const struct xt_token *tok(const struct xt_parse *p, unsigned i)
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

static int perr_at(struct xt_parse *p, size_t off, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static int perr_at(struct xt_parse *p, size_t off, const char *fmt, ...)
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

/* xs_has_arg: the next word exists and is not an option or a "!". */
static bool has_arg(const struct xt_parse *p)
{
    if (p->pos >= p->toks->len)
        return false;
    const char *s = tok(p, p->pos)->s;
    return s[0] != '-' && s[0] != '!';
}

const char *xt_parse_next_arg(struct xt_parse *p)
{
    if (!has_arg(p))
        return NULL;
    p->cur_off = tok(p, p->pos)->off;
    return tok(p, p->pos++)->s;
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

/* One option as getopt returned it. */
struct opt_call {
    char c;
    const char *arg;                    /* NULL when none */
    size_t off, arg_off;                /* the option's word, its argument's */
    bool invert;
};

/* What a long option name resolved to. */
struct opt_ref {
    const struct core_opt *core;
    const struct xt_option *ext;
    int match;                          /* index in p->matches, or -1 for the target */
};

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
        for (const struct xt_option *o = p->target->opts; o->name; o++)
            consider(q, o->name, (struct opt_ref){ .ext = o, .match = -1 });
    for (int m = (int)p->matches->len - 1; m >= 0; m--) {
        const struct xt_match_ops *ops = g_array_index(p->matches, struct loaded_match, m).m.ops;
        for (const struct xt_option *o = ops->opts; o && o->name; o++)
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

/* ---- generic option handling (set_option, add_command) --------------------------- */

static const unsigned inverse_for_options[NUMBER_OF_OPT] = {
    0, IPT_INV_SRCIP, IPT_INV_DSTIP, XT_INV_PROTO, 0, 0, 0, IPT_INV_VIA_IN, IPT_INV_VIA_OUT,
    0, 0, IPT_INV_FRAG,
};

static char opt2char(unsigned option)
{
    unsigned i = 0;
    while (option > 1) {
        option >>= 1;
        i++;
    }
    return optflags[i];
}

static int set_option(struct xt_parse *p, unsigned option, bool invert, size_t off)
{
    if (p->options & option)
        return perr_at(p, off, "multiple -%c flags not allowed", opt2char(option));
    p->options |= option;
    if (!invert)
        return 0;
    unsigned i = 0;
    while ((1u << i) != option)
        i++;
    if (!inverse_for_options[i])
        return perr_at(p, off, "cannot have ! before -%c", opt2char(option));
    p->cmd->rule.ip.invflags |= (uint8_t)inverse_for_options[i];
    return 0;
}

static char cmd2char(unsigned option)
{
    static const char cmdflags[] = { 'I', 'D', 'D', 'R', 'A', 'L', 'F', 'Z', 'N', 'X', 'P',
                                     'E', 'S', 'Z', 'C' };
    unsigned i = 0;
    while (option > 1) {
        option >>= 1;
        i++;
    }
    return i < sizeof cmdflags ? cmdflags[i] : '?';
}

static int add_command(struct xt_parse *p, unsigned newcmd, unsigned othercmds, bool invert,
                       size_t off)
{
    if (invert)
        return perr_at(p, off, "unexpected '!' flag");
    if (p->cmd->command & ~othercmds)
        return perr_at(p, off, "Cannot use -%c with -%c", cmd2char(newcmd),
                       cmd2char(p->cmd->command & ~othercmds));
    p->cmd->command |= newcmd;
    p->cmd->cmd_off = off;
    return 0;
}

static int parse_rulenumber(struct xt_parse *p, unsigned *out)
{
    const struct xt_token *t = tok(p, p->pos++);
    uint32_t n;
    if (!xt_strtoui(t->s, 1, INT32_MAX, &n))
        return perr_at(p, t->off, "Invalid rule number `%s'", t->s);
    *out = n;
    p->cmd->rulenum_off = t->off;
    return 0;
}

static int parse_chain_name(struct xt_parse *p, const char *name, size_t off)
{
    /* iptables' own check lets "" through, and then neither -S nor iptables-restore can
     * name the chain again: refused here (found by fuzzing: -N "" could not be read back). */
    if (!*name)
        return perr_at(p, off, "Invalid chain name `%s'", name);
    if (strlen(name) >= XT_EXTENSION_MAXNAMELEN)
        return perr_at(p, off, "chain name `%s' too long (must be under %u chars)", name,
                       XT_EXTENSION_MAXNAMELEN);
    if (name[0] == '-' || name[0] == '!')
        return perr_at(p, off, "chain name not allowed to start with `%c'", name[0]);
    if (xt_find_target(name) || xt_known_unmodelled(name, true))
        return perr_at(p, off, "chain name may not clash with target name");
    for (const char *c = name; *c; c++)
        if (isspace((unsigned char)*c))
            return perr_at(p, off, "Invalid chain name `%s'", name);
    return 0;
}

static int parse_target_name(struct xt_parse *p, const char *name, size_t off)
{
    if (!*name)
        return perr_at(p, off, "Invalid target name (too short)");
    if (strlen(name) >= XT_EXTENSION_MAXNAMELEN)
        return perr_at(p, off, "Invalid target name `%s' (%u chars max)", name,
                       XT_EXTENSION_MAXNAMELEN - 1);
    for (const char *c = name; *c; c++)
        if (isspace((unsigned char)*c))
            return perr_at(p, off, "Invalid target name `%s'", name);
    return 0;
}

/* xtables_parse_interface: an exact name compares its NUL too; "eth+" compares the
 * bytes before the '+'. */
static int parse_interface(struct xt_parse *p, const char *arg, size_t off, char *name,
                           uint8_t *mask)
{
    size_t len = strlen(arg);
    if (len + 1 > IFNAMSIZ)
        return perr_at(p, off, "interface name `%s' must be shorter than IFNAMSIZ (%i)", arg,
                       IFNAMSIZ - 1);
    memset(name, 0, IFNAMSIZ);
    memset(mask, 0, IFNAMSIZ);
    memcpy(name, arg, len);
    if (arg[len - 1] == '+')
        memset(mask, 0xff, len - 1);
    else
        memset(mask, 0xff, len + 1);
    return 0;
}

/* ---- matches and targets on the command line ------------------------------------- */

static struct loaded_match *add_match(struct xt_parse *p, const struct xt_match_ops *ops,
                                      size_t off, bool implicit)
{
    struct loaded_match lm;
    memset(&lm, 0, sizeof lm);          /* -D compares match data bytewise */
    lm.off = off;
    lm.implicit = implicit;
    lm.m.ops = ops;
    if (ops->init)
        ops->init(&lm.m);
    g_array_append_val(p->matches, lm);
    return &g_array_index(p->matches, struct loaded_match, p->matches->len - 1);
}

static int command_match(struct xt_parse *p, const char *name, size_t off, size_t opt_off,
                         bool invert)
{
    if (invert)
        return perr_at(p, opt_off, "unexpected ! flag before --match");
    const struct xt_match_ops *ops = xt_find_match(name);
    if (!ops) {
        if (xt_known_unmodelled(name, false))
            return perr_at(p, off, "match `%s' is not modelled by ipvsim", name);
        return perr_at(p, off, "Couldn't load match `%s':No such file or directory", name);
    }
    add_match(p, ops, off, false);
    return 0;
}

static int command_jump(struct xt_parse *p, const char *name, size_t off, bool is_goto)
{
    if (parse_target_name(p, name, off) < 0)
        return -1;
    struct xt_command *c = p->cmd;
    c->jump_off = off;
    c->rule.target.ops = &xt_standard_target;
    if (is_goto) {
        c->rule.ip.flags |= IPT_F_GOTO;
        c->jumpto = name;               /* -g only ever names a chain */
        return 0;
    }
    const struct xt_target_ops *ops = xt_find_target(name);
    if (ops == &xt_standard_target) {
        c->rule.target.verdict = strcmp(name, "ACCEPT") == 0 ? NF_ACCEPT
                               : strcmp(name, "DROP") == 0   ? NF_DROP
                               : strcmp(name, "QUEUE") == 0  ? NF_QUEUE
                                                             : XT_RETURN;
        return 0;
    }
    if (!ops) {
        if (xt_known_unmodelled(name, true))
            return perr_at(p, off, "target `%s' is not modelled by ipvsim", name);
        c->jumpto = name;               /* a chain, resolved against the table later */
        return 0;
    }
    p->target = ops;
    c->rule.target.ops = ops;
    if (ops->init)
        ops->init(&c->rule.target);
    xt_target_alias_init(name, &c->rule.target);
    return 0;
}

/* Hand an extension's option to its owner, with xtables_option_parse's checks. */
static int ext_option(struct xt_parse *p, const struct opt_ref *r, const struct opt_call *call)
{
    const struct xt_option *o = r->ext;
    struct loaded_match *lm = r->match >= 0
        ? &g_array_index(p->matches, struct loaded_match, r->match) : NULL;
    unsigned *xflags = lm ? &lm->xflags : &p->target_xflags;
    const char *ext_name = lm ? lm->m.ops->name : p->target->name;
    p->cur_off = call->off;
    if (*xflags & (1u << o->id)) {
        if (o->dup)
            return xt_parse_error(p, "%s", o->dup);
        return xt_parse_error(p, "%s: option \"--%s\" can only be used once.", ext_name, o->name);
    }
    if (call->invert && !o->invert)
        return xt_parse_error(p, "%s: option \"--%s\" cannot be inverted.", ext_name, o->name);
    *xflags |= 1u << o->id;
    const char *arg = o->has_arg ? call->arg : NULL;
    if (arg)
        p->cur_off = call->arg_off;
    if (lm)
        return lm->m.ops->parse(p, &lm->m, o, arg, call->invert);
    return p->target->parse(p, &p->cmd->rule.target, o, arg, call->invert);
}

/* -p tcp with --dport and no -m tcp: load the protocol's match (iptables does the
 * same on the first option nobody claims). */
static bool load_proto(struct xt_parse *p, size_t off)
{
    if (!p->protocol)
        return false;
    for (unsigned i = 0; i < p->matches->len; i++)
        if (g_array_index(p->matches, struct loaded_match, i).implicit)
            return false;
    uint16_t num;
    if (!parse_protocol(p->protocol, &num))
        return false;
    const char *name = xt_proto_name(num);
    const struct xt_match_ops *ops = name ? xt_find_match(name) : NULL;
    if (!ops)
        return false;
    add_match(p, ops, off, true);
    return true;
}

/* ---- the generic options ------------------------------------------------------------ */

/* The argument of an option: attached ("--x=v", "-Ax") or the next word. For
 * optional arguments only an attached one or a next word that is no option. */
static const char *take_arg(struct xt_parse *p, int kind, const char *attached,
                            size_t attached_off, size_t *arg_off)
{
    *arg_off = attached_off;
    if (attached)
        return attached;
    if ((kind == REQ_ARG && p->pos < p->toks->len) || (kind == OPT_ARG && has_arg(p))) {
        *arg_off = tok(p, p->pos)->off;
        return tok(p, p->pos++)->s;
    }
    return NULL;
}


/* -A -C -R -I -D: a chain, and for some a rule number. */
static int opt_rule_command(struct xt_parse *p, const struct opt_call *o)
{
    struct xt_command *cmd = p->cmd;
    char c = o->c;
    unsigned which = c == 'A' ? CMD_APPEND : c == 'C' ? CMD_CHECK : c == 'R' ? CMD_REPLACE
                   : c == 'I' ? CMD_INSERT : CMD_DELETE;
    if (add_command(p, which, CMD_NONE, o->invert, o->off) < 0)
        return -1;
    cmd->chain = o->arg;
    cmd->chain_off = o->arg_off;
    if (c == 'D' && has_arg(p)) {
        cmd->command = CMD_DELETE_NUM;
        return parse_rulenumber(p, &cmd->rulenum);
    }
    if (c == 'R') {
        if (!has_arg(p))
            return perr_at(p, o->off, "-%c requires a rule number", 'R');
        return parse_rulenumber(p, &cmd->rulenum);
    }
    if (c == 'I') {
        cmd->rulenum = 1;
        if (has_arg(p))
            return parse_rulenumber(p, &cmd->rulenum);
    }
    return 0;
}

/* -F -Z -X: an optional chain (-Z also an optional rule number). */
static int opt_all_chains_command(struct xt_parse *p, const struct opt_call *o)
{
    struct xt_command *cmd = p->cmd;
    char c = o->c;
    unsigned which = c == 'F' ? CMD_FLUSH : c == 'Z' ? CMD_ZERO : CMD_DELETE_CHAIN;
    unsigned others = c == 'Z' ? CMD_LIST | CMD_LIST_RULES : CMD_NONE;
    if (add_command(p, which, others, o->invert, o->off) < 0)
        return -1;
    if (o->arg) {
        cmd->chain = o->arg;
        cmd->chain_off = o->arg_off;
    }
    if (c == 'Z' && o->arg && has_arg(p)) {
        cmd->command = (cmd->command & ~(unsigned)CMD_ZERO) | CMD_ZERO_NUM;
        return parse_rulenumber(p, &cmd->rulenum);
    }
    return 0;
}

static int opt_command(struct xt_parse *p, const struct opt_call *o)
{
    struct xt_command *cmd = p->cmd;
    char c = o->c;
    switch (c) {
    case 'A': case 'C': case 'R': case 'I': case 'D':
        return opt_rule_command(p, o);
    case 'F': case 'Z': case 'X':
        return opt_all_chains_command(p, o);
    case 'N':
        if (parse_chain_name(p, o->arg, o->arg_off) < 0 ||
            add_command(p, CMD_NEW_CHAIN, CMD_NONE, o->invert, o->off) < 0)
            return -1;
        cmd->chain = o->arg;
        cmd->chain_off = o->arg_off;
        return 0;
    case 'E': case 'P':
        if (add_command(p, c == 'E' ? CMD_RENAME_CHAIN : CMD_SET_POLICY, CMD_NONE, o->invert,
                        o->off) < 0)
            return -1;
        cmd->chain = o->arg;
        cmd->chain_off = o->arg_off;
        if (!has_arg(p))
            return perr_at(p, o->off, c == 'E' ? "-E requires old-chain-name and new-chain-name"
                                               : "-P requires a chain and a policy");
        cmd->arg2_off = tok(p, p->pos)->off;
        cmd->arg2 = tok(p, p->pos++)->s;
        return c == 'E' ? parse_chain_name(p, cmd->arg2, cmd->arg2_off) : 0;
    case 'L': case 'S':
        return perr_at(p, o->off, "-%c lists and changes nothing: not supported in a scenario "
                       "(the results hold the rules)", c);
    default:
        return perr_at(p, o->off, "-%c is not supported in a scenario", c);
    }
}

static int opt_address(struct xt_parse *p, const struct opt_call *o)
{
    if (set_option(p, o->c == 's' ? OPT_SOURCE : OPT_DESTINATION, o->invert, o->off) < 0)
        return -1;
    if (o->c == 's') {
        p->shost = o->arg;
        p->shost_off = o->arg_off;
    } else {
        p->dhost = o->arg;
        p->dhost_off = o->arg_off;
    }
    return 0;
}

static int opt_protocol(struct xt_parse *p, const struct opt_call *o)
{
    if (set_option(p, OPT_PROTOCOL, o->invert, o->off) < 0)
        return -1;
    /* iptables lowercases the argument in place (the words are this parse's own) */
    char *lower = (char *)o->arg;
    for (char *s = lower; *s; s++)
        *s = (char)tolower((unsigned char)*s);
    uint16_t proto;
    if (!parse_protocol(lower, &proto))
        return perr_at(p, o->arg_off, "unknown protocol \"%s\" specified", lower);
    if (proto == 0 && o->invert)
        return perr_at(p, o->arg_off, "rule would never match protocol");
    p->protocol = lower;
    p->cmd->rule.ip.proto = proto;
    return 0;
}

static int opt_interface(struct xt_parse *p, const struct opt_call *o)
{
    if (!*o->arg)
        return perr_at(p, o->arg_off, "Empty interface is likely to be undesired");
    if (set_option(p, o->c == 'i' ? OPT_VIANAMEIN : OPT_VIANAMEOUT, o->invert, o->off) < 0)
        return -1;
    struct ipt_ip *ip = &p->cmd->rule.ip;
    p->iface_off[o->c == 'o'] = o->off;
    if (o->c == 'i')
        return parse_interface(p, o->arg, o->arg_off, ip->iniface, ip->iniface_mask);
    return parse_interface(p, o->arg, o->arg_off, ip->outiface, ip->outiface_mask);
}

static int opt_counters(struct xt_parse *p, const struct opt_call *o)
{
    if (set_option(p, OPT_COUNTERS, o->invert, o->off) < 0)
        return -1;
    const char *comma = strchr(o->arg, ',');
    const char *bytes = comma ? comma + 1 : xt_parse_next_arg(p);
    if (!bytes)
        return perr_at(p, o->off, "-c requires packet and byte counter");
    char pkts[32];
    size_t len = comma ? (size_t)(comma - o->arg) : strlen(o->arg);
    if (len >= sizeof pkts)
        len = sizeof pkts - 1;
    memcpy(pkts, o->arg, len);
    pkts[len] = '\0';
    struct xt_counters *ctr = &p->cmd->rule.counters;
    char *end;
    ctr->pcnt = strtoull(pkts, &end, 10);
    if (!*pkts || *end || !isdigit((unsigned char)pkts[0]))
        return perr_at(p, o->off, "-c packet counter not numeric");
    ctr->bcnt = strtoull(bytes, &end, 10);
    if (!*bytes || *end || !isdigit((unsigned char)bytes[0]))
        return perr_at(p, o->off, "-c byte counter not numeric");
    p->cmd->set_counters = true;
    return 0;
}

static int opt_table(struct xt_parse *p, const struct opt_call *o)
{
    if (o->invert)
        return perr_at(p, o->off, "unexpected ! flag before --table");
    int id = xt_table_id_by_name(o->arg);
    if (id < 0)
        return perr_at(p, o->arg_off, "can't initialize iptables table `%s': Table does not "
                       "exist (do you need to insmod?)", o->arg);
    p->cmd->table = (enum xt_table_id)id;
    p->cmd->table_off = o->arg_off;
    return 0;
}

static int opt_flag(struct xt_parse *p, const struct opt_call *o)
{
    switch (o->c) {
    case 'f':
        if (set_option(p, OPT_FRAGMENT, o->invert, o->off) < 0)
            return -1;
        p->cmd->rule.ip.flags |= IPT_F_FRAG;
        return 0;
    case 'v':
        if (p->options & OPT_VERBOSE)
            return 0;                   /* -v may repeat */
        return set_option(p, OPT_VERBOSE, o->invert, o->off);
    case 'n':
        return set_option(p, OPT_NUMERIC, o->invert, o->off);
    case 'x':
        return set_option(p, OPT_EXPANDED, o->invert, o->off);
    case '0':
        return set_option(p, OPT_LINENUMBERS, o->invert, o->off);
    case 'w': case 'W': {
        int wait;
        if (o->arg && sscanf(o->arg, "%i", &wait) != 1)
            return perr_at(p, o->arg_off, o->c == 'w' ? "wait seconds not numeric"
                                                      : "wait interval not numeric");
        return 0;                       /* there is no lock to wait for */
    }
    case '6':
        return perr_at(p, o->off, "-6: IPv6 is not modelled");
    default:                            /* -4, --modprobe */
        return 0;
    }
}

static int opt_generic(struct xt_parse *p, const struct opt_call *o)
{
    switch (o->c) {
    case 'p':
        return opt_protocol(p, o);
    case 's': case 'd':
        return opt_address(p, o);
    case 'i': case 'o':
        return opt_interface(p, o);
    case 'j': case 'g':
        if (set_option(p, OPT_JUMP, o->invert, o->off) < 0)
            return -1;
        return command_jump(p, o->arg, o->arg_off, o->c == 'g');
    case 'm':
        return command_match(p, o->arg, o->arg_off, o->off, o->invert);
    case 't':
        return opt_table(p, o);
    case 'c':
        return opt_counters(p, o);
    case 'f': case 'v': case 'n': case 'x': case '0': case 'w': case 'W': case 'M':
    case '4': case '6':
        return opt_flag(p, o);
    default:
        return opt_command(p, o);
    }
}

/* ---- the getopt loop -------------------------------------------------------------- */

/* "--name[=value]": a generic option or an extension's, by exact name or by an
 * unambiguous abbreviation as getopt_long allows. */
static int parse_long(struct xt_parse *p, const struct xt_token *t, bool invert)
{
    const char *s = t->s, *name = s + 2, *eq = strchr(name, '=');
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    struct opt_ref r;
    bool known = resolve_long(p, name, len, &r);
    if (!known && load_proto(p, t->off))
        known = resolve_long(p, name, len, &r);
    if (!known)
        return perr_at(p, t->off, "unknown option \"%s\"", s);
    int kind = r.core ? r.core->has_arg : r.ext->has_arg ? REQ_ARG : NO_ARG;
    struct opt_call o = { .off = t->off, .invert = invert };
    o.arg = take_arg(p, kind, eq ? eq + 1 : NULL, t->off + (size_t)(eq ? eq + 1 - s : 0),
                     &o.arg_off);
    if (kind == REQ_ARG && !o.arg)
        return perr_at(p, t->off, "option \"%s\" requires an argument", s);
    if (r.core) {
        o.c = r.core->val;
        return opt_generic(p, &o);
    }
    return ext_option(p, &r, &o);
}

static int parse_short(struct xt_parse *p, const struct xt_token *t, bool invert)
{
    const char *s = t->s;
    int kind = s[1] != '-' ? short_opt(s[1]) : -1;
    if (kind < 0 || (kind == NO_ARG && s[2]))
        return perr_at(p, t->off, "unknown option \"%s\"", s);
    struct opt_call o = { .c = s[1], .off = t->off, .invert = invert };
    o.arg = take_arg(p, kind, s[2] ? s + 2 : NULL, t->off + 2, &o.arg_off);
    if (kind == REQ_ARG && !o.arg)
        return perr_at(p, t->off, "option \"%s\" requires an argument", s);
    return opt_generic(p, &o);
}

static int do_parse(struct xt_parse *p)
{
    bool invert = false;
    size_t invert_off = 0;
    while (p->pos < p->toks->len) {
        const struct xt_token *t = tok(p, p->pos++);
        if (strcmp(t->s, "!") == 0) {
            if (invert)
                return perr_at(p, t->off, "multiple consecutive ! not allowed");
            invert = true;
            invert_off = t->off;
            continue;
        }
        if (t->s[0] != '-' || !t->s[1])
            return perr_at(p, t->off, "Bad argument `%s'", t->s);
        int r = t->s[1] == '-' && t->s[2] ? parse_long(p, t, invert) : parse_short(p, t, invert);
        if (r < 0)
            return -1;
        invert = false;
    }
    if (invert)
        return perr_at(p, invert_off, "nothing appropriate following !");
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
            return perr_at(p, p->cmd->cmd_off, "Illegal option `-%c' with this command",
                           optflags[i]);
    }
    return 0;
}

static int final_checks(struct xt_parse *p)
{
    struct xt_command *c = p->cmd;
    bool drop_policy = c->command == CMD_SET_POLICY && c->arg2 && strcmp(c->arg2, "DROP") == 0;
    bool drop_rule = c->rule.target.ops == &xt_standard_target && !c->jumpto &&
                     c->rule.target.verdict == NF_DROP;
    if (c->table == XT_TABLE_NAT && (drop_policy || drop_rule))
        return perr_at(p, c->command == CMD_SET_POLICY ? c->arg2_off : c->jump_off,
                       "The \"nat\" table is not intended for filtering, the use of DROP is "
                       "therefore inhibited.");
    for (unsigned i = 0; i < p->matches->len; i++) {
        struct loaded_match *lm = &g_array_index(p->matches, struct loaded_match, i);
        p->cur_off = lm->off;
        if (lm->m.ops->final_check && lm->m.ops->final_check(p, &lm->m, lm->xflags) < 0)
            return -1;
    }
    if (p->target && p->target->final_check) {
        p->cur_off = c->jump_off;
        if (p->target->final_check(p, &c->rule.target, &c->rule, p->target_xflags) < 0)
            return -1;
    }
    if (!c->command)
        return perr_at(p, 0, "no command specified");
    if (generic_opt_check(p) < 0)
        return -1;
    if (c->chain && strlen(c->chain) >= XT_EXTENSION_MAXNAMELEN)
        return perr_at(p, c->chain_off, "chain name `%s' too long (must be under %u chars)",
                       c->chain, XT_EXTENSION_MAXNAMELEN);
    unsigned rule_cmds = CMD_APPEND | CMD_DELETE | CMD_DELETE_NUM | CMD_CHECK | CMD_INSERT |
                         CMD_REPLACE;
    if (c->command & rule_cmds) {
        bool incoming = strcmp(c->chain, "PREROUTING") == 0 || strcmp(c->chain, "INPUT") == 0;
        bool outgoing = strcmp(c->chain, "POSTROUTING") == 0 || strcmp(c->chain, "OUTPUT") == 0;
        if (incoming && (p->options & OPT_VIANAMEOUT))
            return perr_at(p, p->iface_off[1], "Can't use -o with %s", c->chain);
        if (outgoing && (p->options & OPT_VIANAMEIN))
            return perr_at(p, p->iface_off[0], "Can't use -i with %s", c->chain);
    }
    return 0;
}

/* ---- addresses (xtables_ipparse_multiple) ------------------------------------------ */

static bool parse_mask(const char *s, be32 *mask)
{
    uint32_t bits;
    if (!s) {
        *mask = 0xffffffffu;
        return true;
    }
    if (strchr(s, '.')) {
        /* a dotted mask needs all four parts */
        int dots = 0;
        for (const char *c = s; *c; c++)
            dots += *c == '.';
        return dots == 3 && xt_numeric_to_ipaddr(s, mask);
    }
    if (!xt_strtoui(s, 0, 32, &bits))
        return false;
    *mask = bits ? htonl(0xffffffffu << (32 - bits)) : 0;
    return true;
}

static int parse_addresses(struct xt_parse *p, const char *spec, size_t off, struct xt_addr **out,
                           unsigned *n)
{
    gchar **parts = g_strsplit(spec, ",", -1);
    unsigned count = g_strv_length(parts);
    *out = g_new0(struct xt_addr, count ? count : 1);
    *n = 0;
    int r = 0;
    for (unsigned i = 0; i < count && r == 0; i++) {
        char *a = g_strstrip(parts[i]);
        char *slash = strrchr(a, '/');
        if (slash)
            *slash = '\0';
        struct xt_addr *x = &(*out)[(*n)++];
        if (!parse_mask(slash ? slash + 1 : NULL, &x->mask))
            r = perr_at(p, off, "invalid mask `%s' specified", slash + 1);
        else if (x->mask == 0)
            x->addr = 0;                /* "/0" matches everything, whatever the address */
        else if (!xt_numeric_to_ipaddr(a, &x->addr))
            r = perr_at(p, off, "host/network `%s' not found", a);
        x->addr &= x->mask;
    }
    g_strfreev(parts);
    return r;
}

static int parse_all_addresses(struct xt_parse *p)
{
    struct xt_command *c = p->cmd;
    static const struct xt_addr any = { 0, 0 };
    if (p->shost) {
        if (parse_addresses(p, p->shost, p->shost_off, &c->saddrs, &c->nsaddrs) < 0)
            return -1;
    } else {
        c->saddrs = g_memdup2(&any, sizeof any);
        c->nsaddrs = 1;
    }
    if (p->dhost) {
        if (parse_addresses(p, p->dhost, p->dhost_off, &c->daddrs, &c->ndaddrs) < 0)
            return -1;
    } else {
        c->daddrs = g_memdup2(&any, sizeof any);
        c->ndaddrs = 1;
    }
    if (c->command == CMD_REPLACE && (c->nsaddrs != 1 || c->ndaddrs != 1))
        return perr_at(p, c->cmd_off, "Replacement rule does not specify a unique address");
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

/* Skip a leading "iptables", "/sbin/iptables", "iptables-legacy"... */
static unsigned skip_program(GArray *toks)
{
    if (toks->len == 0)
        return 0;
    const char *s = g_array_index(toks, struct xt_token, 0).s;
    const char *base = strrchr(s, '/');
    base = base ? base + 1 : s;
    return strncmp(base, "iptables", 8) == 0 && strncmp(base, "iptables-save", 13) != 0 ? 1 : 0;
}

int iptables_apply(struct net *net, const char *line, struct xt_error *err)
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
    p.pos = skip_program(p.toks);
    if (r == 0)
        r = do_parse(&p);
    if (r == 0)
        r = final_checks(&p);
    if (r == 0)
        r = parse_all_addresses(&p);
    collect_matches(&p);
    if (r == 0)
        r = xt_do_command(net, &cmd, err);
    g_free(cmd.rule.matches);
    g_free(cmd.saddrs);
    g_free(cmd.daddrs);
    g_array_free(p.matches, TRUE);
    free_tokens(p.toks);
    return r;
}

/* ---- iptables -S ------------------------------------------------------------------ */

static void save_ipv4_addr(GString *out, char letter, be32 addr, be32 mask, bool invert)
{
    if (!mask && !invert && !addr)
        return;
    char a[INET_ADDRSTRLEN], m[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &addr, a, sizeof a);
    uint32_t h = ntohl(mask);
    int bits = 0;
    while (bits < 32 && (h & (0x80000000u >> bits)))
        bits++;
    bool cidr = bits == 32 || (h << bits) == 0;
    if (cidr)
        snprintf(m, sizeof m, "%d", bits);
    else
        inet_ntop(AF_INET, &mask, m, sizeof m);
    g_string_append_printf(out, "%s -%c %s/%s", invert ? " !" : "", letter, a, m);
}

static void save_iface(GString *out, char letter, const char *iface, const uint8_t *mask,
                       bool invert)
{
    if (mask[0] == 0)
        return;
    g_string_append_printf(out, "%s -%c", invert ? " !" : "", letter);
    char name[IFNAMSIZ + 2];
    size_t n = 0;
    for (unsigned i = 0; i < IFNAMSIZ; i++) {
        if (mask[i]) {
            if (iface[i])
                name[n++] = iface[i];
        } else {
            if (iface[i - 1])
                name[n++] = '+';
            break;
        }
    }
    name[n] = '\0';
    save_chain_name(out, name);
}

static void save_ip_part(GString *out, const struct ipt_ip *ip)
{
    save_ipv4_addr(out, 's', ip->src, ip->smsk, ip->invflags & IPT_INV_SRCIP);
    save_ipv4_addr(out, 'd', ip->dst, ip->dmsk, ip->invflags & IPT_INV_DSTIP);
    save_iface(out, 'i', ip->iniface, ip->iniface_mask, ip->invflags & IPT_INV_VIA_IN);
    save_iface(out, 'o', ip->outiface, ip->outiface_mask, ip->invflags & IPT_INV_VIA_OUT);
    if (ip->proto) {
        const char *name = xt_proto_name(ip->proto);
        if (ip->invflags & XT_INV_PROTO)
            g_string_append(out, " !");
        if (name)
            g_string_append_printf(out, " -p %s", name);
        else
            g_string_append_printf(out, " -p %u", ip->proto);
    }
    if (ip->flags & IPT_F_FRAG)
        g_string_append_printf(out, "%s -f", ip->invflags & IPT_INV_FRAG ? " !" : "");
}

static const char *standard_name(int verdict)
{
    switch (verdict) {
    case NF_ACCEPT: return "ACCEPT";
    case NF_DROP: return "DROP";
    case NF_QUEUE: return "QUEUE";
    default: return "RETURN";
    }
}

static void save_rule_body(GString *out, const struct ipt_entry *e, bool counters)
{
    save_ip_part(out, &e->ip);
    for (unsigned i = 0; i < e->nmatches; i++) {
        g_string_append_printf(out, " -m %s", e->matches[i].ops->name);
        if (e->matches[i].ops->save)
            e->matches[i].ops->save(&e->matches[i], out);
    }
    if (counters)
        g_string_append_printf(out, " -c %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT,
                               e->counters.pcnt, e->counters.bcnt);
    const struct xt_entry_target *t = &e->target;
    char jump = e->ip.flags & IPT_F_GOTO ? 'g' : 'j';
    if (!t->ops)
        return;
    if (t->ops == &xt_standard_target) {
        g_string_append_printf(out, " -%c", jump);
        if (t->chain)
            save_chain_name(out, t->chain->name);
        else
            g_string_append_printf(out, " %s", standard_name(t->verdict));
        return;
    }
    g_string_append_printf(out, " -j %s", t->ops->name);
    if (t->ops->save)
        t->ops->save(t, out);
}

void iptables_save_rule(const struct ipt_entry *e, GString *out)
{
    save_rule_body(out, e, false);
}

/* Built-in chains in hook order, then the user chains (kept sorted by name). */
static unsigned table_chains(const struct xt_table *t, const struct xt_chain **v, unsigned cap)
{
    unsigned n = 0;
    for (unsigned h = 0; h < NF_INET_NUMHOOKS && n < cap; h++)
        if (t->builtin[h])
            v[n++] = t->builtin[h];
    for (unsigned i = 0; i < t->user_chains->len && n < cap; i++)
        v[n++] = g_ptr_array_index(t->user_chains, i);
    return n;
}

static void save_table_prefixed(const struct xt_table *t, GString *out, bool counters,
                                const char *prefix)
{
    unsigned cap = NF_INET_NUMHOOKS + t->user_chains->len;
    const struct xt_chain **chains = g_new(const struct xt_chain *, cap);
    unsigned n = table_chains(t, chains, cap);
    for (unsigned i = 0; i < n; i++) {
        const struct xt_chain *c = chains[i];
        if (c->hook < 0) {
            g_string_append_printf(out, "%s-N", prefix);
            save_chain_name(out, c->name);
            g_string_append_c(out, '\n');
            continue;
        }
        g_string_append_printf(out, "%s-P %s %s", prefix, c->name, standard_name(c->policy));
        if (counters)
            g_string_append_printf(out, " -c %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT,
                                   c->policy_counters.pcnt, c->policy_counters.bcnt);
        g_string_append_c(out, '\n');
    }
    for (unsigned i = 0; i < n; i++)
        for (unsigned r = 0; r < chains[i]->rules->len; r++) {
            g_string_append_printf(out, "%s-A", prefix);
            save_chain_name(out, chains[i]->name);
            save_rule_body(out, g_ptr_array_index(chains[i]->rules, r), counters);
            g_string_append_c(out, '\n');
        }
    g_free(chains);
}

void iptables_save_table(const struct xt_table *t, GString *out, bool counters)
{
    save_table_prefixed(t, out, counters, "");
}

void iptables_save(const struct net *net, GString *out)
{
    if (!net->xt)
        return;
    for (unsigned id = 0; id < XT_TABLE_MAX; id++) {
        const struct xt_table *t = net->xt->tables[id];
        if (!t || !t->registered)
            continue;
        char prefix[32];
        snprintf(prefix, sizeof prefix, "-t %s ", t->def->name);
        save_table_prefixed(t, out, false, prefix);
    }
}
