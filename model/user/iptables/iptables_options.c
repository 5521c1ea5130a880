/* What each option of an iptables line does to the command being built: the
 * generic ones (iptables' set_option and add_command, the commands, -s -d -p -i -o
 * -j -g -m -t -c and the flags) and the hand-over of an extension's option to its
 * match or target. The getopt loop in iptables_parse.c finds the option; this file
 * applies it, with iptables' own checks and messages. */
#include "model/user/iptables/iptables_parse_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
        return xt_perr_at(p, off, "multiple -%c flags not allowed", opt2char(option));
    p->options |= option;
    if (!invert)
        return 0;
    unsigned i = 0;
    while ((1u << i) != option)
        i++;
    if (!inverse_for_options[i])
        return xt_perr_at(p, off, "cannot have ! before -%c", opt2char(option));
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
        return xt_perr_at(p, off, "unexpected '!' flag");
    if (p->cmd->command & ~othercmds)
        return xt_perr_at(p, off, "Cannot use -%c with -%c", cmd2char(newcmd),
                       cmd2char(p->cmd->command & ~othercmds));
    p->cmd->command |= newcmd;
    p->cmd->cmd_off = off;
    return 0;
}

static int parse_rulenumber(struct xt_parse *p, unsigned *out)
{
    const struct xt_token *t = xt_tok(p, p->pos++);
    uint32_t n;
    if (!xt_strtoui(t->s, 1, INT32_MAX, &n))
        return xt_perr_at(p, t->off, "Invalid rule number `%s'", t->s);
    *out = n;
    p->cmd->rulenum_off = t->off;
    return 0;
}

static int parse_chain_name(struct xt_parse *p, const char *name, size_t off)
{
    /* iptables' own check lets "" through, and then neither -S nor iptables-restore can
     * name the chain again: refused here (found by fuzzing: -N "" could not be read back). */
    if (!*name)
        return xt_perr_at(p, off, "Invalid chain name `%s'", name);
    if (strlen(name) >= XT_EXTENSION_MAXNAMELEN)
        return xt_perr_at(p, off, "chain name `%s' too long (must be under %u chars)", name,
                       XT_EXTENSION_MAXNAMELEN);
    if (name[0] == '-' || name[0] == '!')
        return xt_perr_at(p, off, "chain name not allowed to start with `%c'", name[0]);
    if (xtables_find_target(name) || xt_known_unmodelled(name, true))
        return xt_perr_at(p, off, "chain name may not clash with target name");
    for (const char *c = name; *c; c++)
        if (isspace((unsigned char)*c))
            return xt_perr_at(p, off, "Invalid chain name `%s'", name);
    return 0;
}

static int parse_target_name(struct xt_parse *p, const char *name, size_t off)
{
    if (!*name)
        return xt_perr_at(p, off, "Invalid target name (too short)");
    if (strlen(name) >= XT_EXTENSION_MAXNAMELEN)
        return xt_perr_at(p, off, "Invalid target name `%s' (%u chars max)", name,
                       XT_EXTENSION_MAXNAMELEN - 1);
    for (const char *c = name; *c; c++)
        if (isspace((unsigned char)*c))
            return xt_perr_at(p, off, "Invalid target name `%s'", name);
    return 0;
}

/* xtables_parse_interface: an exact name compares its NUL too; "eth+" compares the
 * bytes before the '+'. */
static int parse_interface(struct xt_parse *p, const char *arg, size_t off, char *name,
                           uint8_t *mask)
{
    size_t len = strlen(arg);
    if (len + 1 > IFNAMSIZ)
        return xt_perr_at(p, off, "interface name `%s' must be shorter than IFNAMSIZ (%i)", arg,
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

/* The extension's kernel half is found once, here, as the kernel finds it when the
 * rule arrives (xt_request_find_match); the rule keeps the pointer. */
static int add_match(struct xt_parse *p, const char *name, const struct xtables_match *ext,
                     size_t off, bool implicit)
{
    const struct xt_match *match = xt_find_match(xtables_match_kernel_name(ext));
    if (!match)
        return xt_perr_at(p, off, "Couldn't load match `%s':No such file or directory", name);
    struct loaded_match lm;
    memset(&lm, 0, sizeof lm);          /* -D compares match data bytewise */
    lm.off = off;
    lm.implicit = implicit;
    lm.ext = ext;
    lm.m.match = match;
    if (ext->init)
        ext->init(&lm.m);
    g_array_append_val(p->matches, lm);
    return 0;
}

static int command_match(struct xt_parse *p, const char *name, size_t off, size_t opt_off,
                         bool invert)
{
    if (invert)
        return xt_perr_at(p, opt_off, "unexpected ! flag before --match");
    const struct xtables_match *ext = xtables_find_match(name);
    uint8_t af = p->cmd->af;
    /* the other family's extension is not there for this program (libipt_icmp is
     * iptables', libip6t_icmp6 ip6tables') */
    if (ext && ext->family && ext->family != af)
        return xt_perr_at(p, off, "Couldn't load match `%s':No such file or directory", name);
    if (ext && af == NFPROTO_IPV6 && ext->no_ipv6)
        return xt_perr_at(p, off, "match `%s' %s", name, ext->no_ipv6);
    if (!ext) {
        if (strcmp(name, "set") == 0)
            return xt_perr_at(p, off, "match `set' (ipset) is out of scope: ipvsim models no "
                              "ipset sets (write the addresses as -s/-d lists or rules)");
        if (xt_known_unmodelled(name, false))
            return xt_perr_at(p, off, "match `%s' is not modelled by ipvsim", name);
        return xt_perr_at(p, off, "Couldn't load match `%s':No such file or directory", name);
    }
    return add_match(p, name, ext, off, false);
}

static int command_jump(struct xt_parse *p, const char *name, size_t off, bool is_goto)
{
    if (parse_target_name(p, name, off) < 0)
        return -1;
    struct xt_command *c = p->cmd;
    c->jump_off = off;
    c->rule.target.target = &xt_standard_target;
    if (is_goto) {
        c->rule.ip.flags |= IPT_F_GOTO;
        c->jumpto = name;               /* -g only ever names a chain */
        return 0;
    }
    const struct xtables_target *ext = xtables_find_target(name);
    if (ext == &xtables_standard_target) {
        c->rule.target.verdict = strcmp(name, "ACCEPT") == 0 ? NF_ACCEPT
                               : strcmp(name, "DROP") == 0   ? NF_DROP
                               : strcmp(name, "QUEUE") == 0  ? NF_QUEUE
                                                             : XT_RETURN;
        return 0;
    }
    if (!ext) {
        if (strcmp(name, "SET") == 0)
            return xt_perr_at(p, off, "target `SET' (ipset) is out of scope: ipvsim models no "
                              "ipset sets");
        if (xt_known_unmodelled(name, true))
            return xt_perr_at(p, off, "target `%s' is not modelled by ipvsim", name);
        c->jumpto = name;               /* a chain, resolved against the table later */
        return 0;
    }
    if (c->af == NFPROTO_IPV6 && ext->no_ipv6)
        return xt_perr_at(p, off, "target `%s' %s", name, ext->no_ipv6);
    /* found once, as the kernel's xt_request_find_target does for the new rule */
    const struct xt_target *target = xt_find_target(xtables_target_kernel_name(ext));
    if (!target)
        return xt_perr_at(p, off, "Couldn't load target `%s':No such file or directory", name);
    p->target = ext;
    c->rule.target.target = target;
    if (ext->init)
        ext->init(&c->rule.target);
    return 0;
}

/* Hand an extension's option to its owner, with xtables_option_parse's checks. */
int xt_ext_option(struct xt_parse *p, const struct opt_ref *r, const struct opt_call *call)
{
    const struct xt_option_entry *o = r->ext;
    struct loaded_match *lm = r->match >= 0
        ? &g_array_index(p->matches, struct loaded_match, r->match) : NULL;
    unsigned *xflags = lm ? &lm->xflags : &p->target_xflags;
    /* the messages name the kernel extension (-j NOTRACK's options are CT's) */
    const char *ext_name = lm ? lm->m.match->name : p->cmd->rule.target.target->name;
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
        return lm->ext->parse(p, &lm->m, o, arg, call->invert);
    return p->target->parse(p, &p->cmd->rule.target, o, arg, call->invert);
}

/* -p tcp with --dport and no -m tcp: load the protocol's match (iptables does the
 * same on the first option nobody claims). */
bool xt_load_proto(struct xt_parse *p, size_t off)
{
    if (!p->protocol)
        return false;
    for (unsigned i = 0; i < p->matches->len; i++)
        if (g_array_index(p->matches, struct loaded_match, i).implicit)
            return false;
    uint16_t num;
    if (!xt_parse_protocol(p->protocol, &num) && !xt_parse_protocol6(p, p->protocol, &num))
        return false;
    const char *name = xt_proto_name(num);
    if (p->cmd->af == NFPROTO_IPV6)     /* ip6tables: icmpv6's match; icmp has none */
        name = num == NEXTHDR_ICMP ? "icmp6" : num == IPPROTO_ICMP ? NULL : name;
    const struct xtables_match *ext = name ? xtables_find_match(name) : NULL;
    return ext && add_match(p, name, ext, off, true) == 0;
}

/* ---- the generic options ------------------------------------------------------------ */

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
    if (c == 'D' && xt_has_arg(p)) {
        cmd->command = CMD_DELETE_NUM;
        return parse_rulenumber(p, &cmd->rulenum);
    }
    if (c == 'R') {
        if (!xt_has_arg(p))
            return xt_perr_at(p, o->off, "-%c requires a rule number", 'R');
        return parse_rulenumber(p, &cmd->rulenum);
    }
    if (c == 'I') {
        cmd->rulenum = 1;
        if (xt_has_arg(p))
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
    if (c == 'Z' && o->arg && xt_has_arg(p)) {
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
        if (!xt_has_arg(p))
            return xt_perr_at(p, o->off, c == 'E' ? "-E requires old-chain-name and new-chain-name"
                                               : "-P requires a chain and a policy");
        cmd->arg2_off = xt_tok(p, p->pos)->off;
        cmd->arg2 = xt_tok(p, p->pos++)->s;
        return c == 'E' ? parse_chain_name(p, cmd->arg2, cmd->arg2_off) : 0;
    case 'L': case 'S':
        return xt_perr_at(p, o->off, "-%c lists and changes nothing: not supported in a scenario "
                       "(the results hold the rules)", c);
    default:
        return xt_perr_at(p, o->off, "-%c is not supported in a scenario", c);
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
    if (!xt_parse_protocol(lower, &proto) && !xt_parse_protocol6(p, lower, &proto))
        return xt_perr_at(p, o->arg_off, "unknown protocol \"%s\" specified", lower);
    if (proto == 0 && o->invert)
        return xt_perr_at(p, o->arg_off, "rule would never match protocol");
    p->protocol = lower;
    p->cmd->rule.ip.proto = proto;
    if (p->cmd->af == NFPROTO_IPV6)
        p->cmd->rule.ip.flags |= IP6T_F_PROTO;  /* ipv6_proto_parse: any -p, "all" too */
    return 0;
}

static int opt_interface(struct xt_parse *p, const struct opt_call *o)
{
    if (!*o->arg)
        return xt_perr_at(p, o->arg_off, "Empty interface is likely to be undesired");
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
        return xt_perr_at(p, o->off, "-c requires packet and byte counter");
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
        return xt_perr_at(p, o->off, "-c packet counter not numeric");
    ctr->bcnt = strtoull(bytes, &end, 10);
    if (!*bytes || *end || !isdigit((unsigned char)bytes[0]))
        return xt_perr_at(p, o->off, "-c byte counter not numeric");
    p->cmd->set_counters = true;
    return 0;
}

static int opt_table(struct xt_parse *p, const struct opt_call *o)
{
    if (o->invert)
        return xt_perr_at(p, o->off, "unexpected ! flag before --table");
    int id = xt_table_id_by_name(o->arg);
    bool v6 = p->cmd->af == NFPROTO_IPV6;
    if (id < 0)
        return xt_perr_at(p, o->arg_off, "can't initialize %s table `%s': Table does not "
                       "exist (do you need to insmod?)", v6 ? "ip6tables" : "iptables", o->arg);
    p->cmd->table = (enum xt_table_id)id;
    p->cmd->table_off = o->arg_off;
    return 0;
}

static int opt_flag(struct xt_parse *p, const struct opt_call *o)
{
    switch (o->c) {
    case 'f':
        if (p->cmd->af == NFPROTO_IPV6)
            return xt_perr_at(p, o->off, "`-f' is not supported in IPv6, use -m frag instead");
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
            return xt_perr_at(p, o->arg_off, o->c == 'w' ? "wait seconds not numeric"
                                                      : "wait interval not numeric");
        return 0;                       /* there is no lock to wait for */
    }
    case '6':                           /* iptables: write the line as ip6tables' */
        if (p->cmd->af == NFPROTO_IPV6)
            return 0;
        return xt_perr_at(p, o->off, "-6: this is iptables (IPv4); write an ip6tables line");
    case '4':                           /* ip6tables: exit_tryhelp */
        if (p->cmd->af == NFPROTO_IPV6)
            return xt_perr_at(p, o->off, "Try `ip6tables -h' or 'ip6tables --help' for more "
                              "information.");
        return 0;
    default:                            /* --modprobe */
        return 0;
    }
}

int xt_opt_generic(struct xt_parse *p, const struct opt_call *o)
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
