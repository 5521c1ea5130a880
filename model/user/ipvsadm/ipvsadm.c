/* ipvsadm's command line (ipvsadm.c), the reading part: the option table, the
 * words of the line, popt's way of handing options over (clusters, attached and
 * optional values, "--"), the command that must come first, and the checks
 * ipvsadm's process_options makes once every option is read, in ipvsadm's order
 * with its messages. What each option's value means is in ipvsadm_options.c;
 * applying the parsed command is in ipvsadm_exec.c. The syntax
 * and messages are ipvsadm 1.31's (ipvsadm.c parse_options). */
#include "model/user/ipvsadm/ipvsadm_internal.h"
#include "model/user/ipvsadm/ipvsadm_print.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define DEF_SCHED "wlc"

/* ---- options: the names ipvsadm's messages use, what each command takes, the table --- */

const char *const adm_optnames[NUMBER_OF_OPT] = {
    "numeric", "connection", "service-address", "scheduler", "persistent", "netmask",
    "real-server", "forwarding-method", "weight", "u-threshold", "l-threshold",
    "mcast-interface", "timeout", "daemon", "stats", "rate", "thresholds", "persistent-conn",
    "nosort", "syncid", "exact", "ops", "pe", "sched-flags", "mcast-group", "mcast-port",
    "mcast-ttl", "sync-maxlen", "tun-info", "tun-type", "tun-port", "tun-nocsum", "tun-csum",
    "tun-remcsum", "laddr",
};

/* What each configuration command requires and allows; any other option is
 * illegal with it (ipvsadm's commands_v_options, for the commands accepted here). */
static const struct cmd_rule {
    const char *name;
    uint64_t required, allowed;
} cmd_rules[] = {
    [IPVSADM_CMD_ADD] = { "add-service", OPT(OPTC_SERVICE),
                          OPT(OPTC_SCHEDULER) | OPT(OPTC_PERSISTENT) | OPT(OPTC_NETMASK) |
                          OPT(OPTC_ONEPACKET) | OPT(OPTC_PE) | OPT(OPTC_SCHED_FLAGS) },
    [IPVSADM_CMD_EDIT] = { "edit-service", OPT(OPTC_SERVICE),
                           OPT(OPTC_SCHEDULER) | OPT(OPTC_PERSISTENT) | OPT(OPTC_NETMASK) |
                           OPT(OPTC_ONEPACKET) | OPT(OPTC_PE) | OPT(OPTC_SCHED_FLAGS) },
    [IPVSADM_CMD_DEL] = { "delete-service", OPT(OPTC_SERVICE), 0 },
    [IPVSADM_CMD_FLUSH] = { "flush", 0, 0 },
    [IPVSADM_CMD_ADDDEST] = { "add-server", OPT(OPTC_SERVICE) | OPT(OPTC_SERVER),
                              OPT(OPTC_FORWARD) | OPT(OPTC_WEIGHT) | OPT(OPTC_UTHRESHOLD) |
                              OPT(OPTC_LTHRESHOLD) | OPT(OPTC_TUN_TYPE) | OPT(OPTC_TUN_PORT) |
                              OPT(OPTC_TUN_NOCSUM) | OPT(OPTC_TUN_CSUM) | OPT(OPTC_TUN_REMCSUM) },
    [IPVSADM_CMD_DELDEST] = { "delete-server", OPT(OPTC_SERVICE) | OPT(OPTC_SERVER), 0 },
    [IPVSADM_CMD_EDITDEST] = { "edit-server", OPT(OPTC_SERVICE) | OPT(OPTC_SERVER),
                               OPT(OPTC_FORWARD) | OPT(OPTC_WEIGHT) | OPT(OPTC_UTHRESHOLD) |
                               OPT(OPTC_LTHRESHOLD) | OPT(OPTC_TUN_TYPE) | OPT(OPTC_TUN_PORT) |
                               OPT(OPTC_TUN_NOCSUM) | OPT(OPTC_TUN_CSUM) | OPT(OPTC_TUN_REMCSUM) },
    [IPVSADM_CMD_TIMEOUT] = { "set", 0, 0 },
    [IPVSADM_CMD_ZERO] = { "zero", 0, OPT(OPTC_SERVICE) },
    [IPVSADM_CMD_LIST] = { "list", 0,
                           OPT(OPTC_NUMERIC) | OPT(OPTC_CONNECTION) | OPT(OPTC_SERVICE) |
                           OPT(OPTC_TIMEOUT) | OPT(OPTC_STATS) | OPT(OPTC_RATE) |
                           OPT(OPTC_THRESHOLDS) | OPT(OPTC_PERSISTENTCONN) | OPT(OPTC_NOSORT) |
                           OPT(OPTC_EXACT) | OPT(OPTC_TUN_INFO) },
    [IPVSADM_CMD_ADDLADDR] = { "add-laddr", OPT(OPTC_SERVICE) | OPT(OPTC_LADDR), 0 },
    [IPVSADM_CMD_DELLADDR] = { "del-laddr", OPT(OPTC_SERVICE) | OPT(OPTC_LADDR), 0 },
};

/* The option table: popt's, as ipvsadm declares it, and the FULLNAT extras. */
static const struct opt_spec opt_specs[] = {
    { "add-service", 'A', 'A', NOARG }, { "edit-service", 'E', 'E', NOARG },
    { "delete-service", 'D', 'D', NOARG }, { "clear", 'C', 'C', NOARG },
    { "list", 'L', 'L', NOARG }, { NULL, 'l', 'l', NOARG },
    { "zero", 'Z', 'Z', NOARG }, { "add-server", 'a', 'a', NOARG },
    { "edit-server", 'e', 'e', NOARG }, { "delete-server", 'd', 'd', NOARG },
    { "set", 0, TAG_SET, NOARG }, { "help", 'h', 'h', NOARG },
    { "version", 'v', 'v', NOARG }, { "restore", 'R', 'R', NOARG },
    { "save", 'S', 'S', NOARG }, { "start-daemon", 0, TAG_START_DAEMON, REQARG },
    { "stop-daemon", 0, TAG_STOP_DAEMON, REQARG }, { "tcp-service", 't', 't', REQARG },
    { "udp-service", 'u', 'u', REQARG }, { "sctp-service", 0, TAG_SCTP_SERVICE, REQARG },
    { "fwmark-service", 'f', 'f', REQARG }, { "scheduler", 's', 's', REQARG },
    { "persistent", 'p', 'p', OPTARG }, { "netmask", 'M', 'M', REQARG },
    { "real-server", 'r', 'r', REQARG }, { "masquerading", 'm', 'm', NOARG },
    { "ipip", 'i', 'i', NOARG }, { "gatewaying", 'g', 'g', NOARG },
    { "fullnat", 0, TAG_FULLNAT, NOARG }, { "weight", 'w', 'w', REQARG },
    { "u-threshold", 'x', 'x', REQARG }, { "l-threshold", 'y', 'y', REQARG },
    { "numeric", 'n', 'n', NOARG }, { "connection", 'c', 'c', NOARG },
    { "mcast-interface", 0, TAG_MCAST_INTERFACE, REQARG }, { "syncid", 0, 'I', REQARG },
    { "timeout", 0, TAG_TIMEOUT, NOARG }, { "daemon", 0, TAG_DAEMON, NOARG },
    { "stats", 0, TAG_STATS, NOARG }, { "rate", 0, TAG_RATE, NOARG },
    { "thresholds", 0, TAG_THRESHOLDS, NOARG }, { "persistent-conn", 0, TAG_PERSISTENTCONN, NOARG },
    { "nosort", 0, TAG_NO_SORT, NOARG }, { "sort", 0, TAG_SORT, NOARG },
    { "exact", 'X', 'X', NOARG }, { "ipv6", '6', '6', NOARG }, { "ops", 'o', 'o', NOARG },
    { "pe", 0, TAG_PERSISTENCE_ENGINE, REQARG }, { "sched-flags", 'b', 'b', REQARG },
    { "mcast-group", 0, TAG_MCAST_GROUP, REQARG }, { "mcast-port", 0, TAG_MCAST_PORT, REQARG },
    { "mcast-ttl", 0, TAG_MCAST_TTL, REQARG }, { "sync-maxlen", 0, TAG_SYNC_MAXLEN, REQARG },
    { "tun-info", 0, TAG_TUN_INFO, NOARG }, { "tun-type", 0, TAG_TUN_TYPE, REQARG },
    { "tun-port", 0, TAG_TUN_PORT, REQARG }, { "tun-nocsum", 0, TAG_TUN_NOCSUM, NOARG },
    { "tun-csum", 0, TAG_TUN_CSUM, NOARG }, { "tun-remcsum", 0, TAG_TUN_REMCSUM, NOARG },
    /* FULLNAT local addresses: ipvsim extras in DPVS's syntax */
    { "add-laddr", 'P', 'P', NOARG }, { "del-laddr", 'Q', 'Q', NOARG },
    { "laddr", 'z', 'z', REQARG },
};

/* ---- the words of the line, and errors ------------------------------------------------ */

int adm_fail(struct parser *p, int col, const char *fmt, ...)
{
    if (p->err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(p->err->message, sizeof p->err->message, fmt, ap);
        va_end(ap);
        p->err->column = col;
    }
    return -1;
}

/* Split at blanks, argv-style; a leading "ipvsadm" (or a path to it) is dropped. */
static int tokenize(struct parser *p, const char *line)
{
    p->copy = g_strdup(line);
    for (char *s = p->copy; *s;) {
        while (*s && isspace((unsigned char)*s))
            s++;
        if (!*s)
            break;
        if (p->ntok == MAX_TOKENS)
            return adm_fail(p, (int)(s - p->copy) + 1, "too many arguments");
        p->tok[p->ntok++] = (struct token){ s, (int)(s - p->copy) + 1 };
        while (*s && !isspace((unsigned char)*s))
            s++;
        if (*s)
            *s++ = '\0';
    }
    if (p->ntok > 0) {
        const char *base = strrchr(p->tok[0].s, '/');
        if (strcmp(base ? base + 1 : p->tok[0].s, "ipvsadm") == 0)
            p->next = 1;
    }
    return 0;
}

/* ---- option reading (popt's rules) ------------------------------------------------------ */

static const struct opt_spec *find_long(const char *name, size_t len)
{
    for (size_t i = 0; i < G_N_ELEMENTS(opt_specs); i++)
        if (opt_specs[i].lname && strlen(opt_specs[i].lname) == len &&
            strncmp(opt_specs[i].lname, name, len) == 0)
            return &opt_specs[i];
    return NULL;
}

static const struct opt_spec *find_short(char c)
{
    for (size_t i = 0; i < G_N_ELEMENTS(opt_specs); i++)
        if (opt_specs[i].sname == c)
            return &opt_specs[i];
    return NULL;
}

/* A value from the next token: required ones take it whatever it looks like,
 * optional ones only when it does not start with '-'. */
static void value_from_next(struct parser *p, struct occurrence *o)
{
    if (p->next >= p->ntok)
        return;
    const struct token *t = &p->tok[p->next];
    if (o->spec->arg == OPTARG && t->s[0] == '-')
        return;
    o->value = t->s;
    o->valcol = t->col;
    p->next++;
}

static int read_long(struct parser *p, const struct token *t, struct occurrence *o)
{
    const char *name = t->s + 2;
    const char *eq = strchr(name, '=');
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    o->spec = find_long(name, len);
    o->text = t->s;
    o->col = t->col;
    if (!o->spec)
        return adm_fail(p, t->col, "%.*s: unknown option", (int)(len + 2), t->s);
    if (eq) {
        if (o->spec->arg == NOARG)
            return adm_fail(p, t->col, "%.*s: option does not take an argument", (int)(len + 2),
                            t->s);
        o->value = eq + 1;
        o->valcol = t->col + (int)(eq + 1 - t->s);
    } else if (o->spec->arg != NOARG) {
        value_from_next(p, o);
    }
    if (o->spec->arg == REQARG && !o->value)
        return adm_fail(p, t->col, "%s: missing argument", t->s);
    return 0;
}

/* Short options may be clustered ("-Ln"); one that takes a value ends the cluster,
 * taking the rest of it ("-w5") or the next token. *pos walks the cluster. */
static int read_short(struct parser *p, const struct token *t, int *pos, struct occurrence *o)
{
    char c = t->s[*pos];
    o->spec = find_short(c);
    o->text = t->s;
    /* the token's start for a lone option, the letter inside a longer cluster */
    o->col = *pos == 1 ? t->col : t->col + *pos;
    if (!o->spec)
        return adm_fail(p, o->col, "%s: unknown option", t->s);
    (*pos)++;
    if (o->spec->arg == NOARG)
        return 0;
    if (t->s[*pos]) {
        o->value = t->s + *pos;
        o->valcol = t->col + *pos;
        *pos = (int)strlen(t->s);
    } else {
        value_from_next(p, o);
    }
    if (o->spec->arg == REQARG && !o->value)
        return adm_fail(p, o->col, "%s: missing argument", t->s);
    return 0;
}

/* ---- the command (the first option) ------------------------------------------------------- */

static int set_command(struct parser *p, const struct occurrence *o)
{
    static const struct { int tag; enum ipvsadm_command cmd; } cmds[] = {
        { 'A', IPVSADM_CMD_ADD }, { 'E', IPVSADM_CMD_EDIT }, { 'D', IPVSADM_CMD_DEL },
        { 'C', IPVSADM_CMD_FLUSH }, { 'a', IPVSADM_CMD_ADDDEST }, { 'e', IPVSADM_CMD_EDITDEST },
        { 'd', IPVSADM_CMD_DELDEST }, { 'Z', IPVSADM_CMD_ZERO }, { TAG_SET, IPVSADM_CMD_TIMEOUT },
        { 'P', IPVSADM_CMD_ADDLADDR }, { 'Q', IPVSADM_CMD_DELLADDR },
        { 'L', IPVSADM_CMD_LIST }, { 'l', IPVSADM_CMD_LIST },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cmds); i++)
        if (cmds[i].tag == o->spec->tag) {
            p->cmd->cmd = cmds[i].cmd;
            p->cmd->col_cmd = o->col;
            return 0;
        }
    switch (o->spec->tag) {
    case 'S': case 'R': case 'h': case 'v':
        return adm_fail(p, o->col, "`%s' does not change the configuration: only -A, -E, -D, "
                        "-C, -a, -e, -d, -Z and --set are accepted here", o->text);
    case TAG_START_DAEMON: case TAG_STOP_DAEMON:
        return adm_fail(p, o->col, "the connection sync daemon is not modelled by ipvsim");
    default:
        return adm_fail(p, o->col, "a command must come first (-A, -E, -D, -C, -a, -e, -d, "
                        "-Z or --set)");
    }
}

/* One option or leftover from the token stream; *done when the line is used up. */
static int next_occurrence(struct parser *p, struct occurrence *o, bool *done)
{
    memset(o, 0, sizeof *o);
    *done = false;
    for (;;) {
        if (p->cpos > 0) {
            const struct token *t = &p->tok[p->ctok];
            if (t->s[p->cpos])
                return read_short(p, t, &p->cpos, o);
            p->cpos = 0;
        }
        if (p->next >= p->ntok) {
            *done = true;
            return 0;
        }
        int i = p->next++;
        const struct token *t = &p->tok[i];
        if (!p->no_more_options && strcmp(t->s, "--") == 0) {
            p->no_more_options = true;
            continue;
        }
        if (!p->no_more_options && t->s[0] == '-' && t->s[1] == '-')
            return read_long(p, t, o);
        if (!p->no_more_options && t->s[0] == '-' && t->s[1]) {
            p->ctok = i;
            p->cpos = 1;
            continue;
        }
        p->args[p->nargs++] = *t;   /* a leftover ("-" included) */
    }
}

static int read_options(struct parser *p)
{
    bool first = true, done;
    struct occurrence o;
    for (;;) {
        if (next_occurrence(p, &o, &done))
            return -1;
        if (done)
            break;
        if (first ? set_command(p, &o) : adm_handle_option(p, &o))
            return -1;
        first = false;
    }
    if (first && p->nargs > 0)
        return adm_fail(p, p->args[0].col, "a command must come first (-A, -E, -D, -C, -a, "
                        "-e, -d, -Z or --set)");
    return 0;
}

/* ---- after the options: ipvsadm's process_options checks ---------------------------------- */

static int read_set_values(struct parser *p)
{
    struct ipvsadm_cmd *c = p->cmd;
    if (p->nargs < 3)
        return adm_fail(p, c->col_cmd, "--set option requires 3 timeout values");
    unsigned *dst[3] = { &c->tcp_timeout, &c->tcpfin_timeout, &c->udp_timeout };
    for (int i = 0; i < 3; i++) {
        long t = adm_string_to_number(p->args[i].s, 0, MAX_TIMEOUT);
        if (t == -1)
            return adm_fail(p, p->args[i].col, "invalid timeout value `%s' specified",
                            p->args[i].s);
        *dst[i] = (unsigned)t;
    }
    memmove(p->args, p->args + 3, sizeof p->args[0] * (size_t)(p->nargs - 3));
    p->nargs -= 3;
    return 0;
}

static bool sched_is(const char *sched, const char *name)
{
    return strcmp(sched[0] ? sched : DEF_SCHED, name) == 0;
}

static int parse_sched_flags(struct parser *p)
{
    struct ipvsadm_cmd *c = p->cmd;
    static const struct { const char *name; unsigned flag; const char *sched; } known[] = {
        { "flag-1", IP_VS_SVC_F_SCHED1, NULL }, { "flag-2", IP_VS_SVC_F_SCHED2, NULL },
        { "flag-3", IP_VS_SVC_F_SCHED3, NULL }, { "sh-fallback", IP_VS_SVC_F_SCHED1, "sh" },
        { "sh-port", IP_VS_SVC_F_SCHED2, "sh" }, { "mh-fallback", IP_VS_SVC_F_SCHED1, "mh" },
        { "mh-port", IP_VS_SVC_F_SCHED2, "mh" },
    };
    unsigned flags = 0;
    char **names = g_strsplit(p->sched_flags, ",", -1);
    int ret = 0;
    for (char **n = names; *n && !ret; n++) {
        if (!**n)
            continue;                /* strtok skips empty fields */
        size_t i = 0;
        while (i < G_N_ELEMENTS(known) && strcmp(known[i].name, *n) != 0)
            i++;
        if (i == G_N_ELEMENTS(known))
            ret = adm_fail(p, p->sched_flags_col, "invalid scheduler flag `%s'", *n);
        else if (known[i].sched && !sched_is(c->svc.sched_name, known[i].sched))
            ret = adm_fail(p, p->sched_flags_col, "incompatible scheduler flag `%s'", *n);
        else
            flags |= known[i].flag;
    }
    g_strfreev(names);
    c->svc.flags = (c->svc.flags & ~(IP_VS_SVC_F_SCHED1 | IP_VS_SVC_F_SCHED2 |
                                     IP_VS_SVC_F_SCHED3)) | flags;
    return ret;
}

/* Missing compulsory options, then illegal ones, in ipvsadm's option order. */
static int generic_opt_check(struct parser *p)
{
    const struct cmd_rule *r = &cmd_rules[p->cmd->cmd];
    for (int j = 0; j < NUMBER_OF_OPT; j++) {
        bool have = (p->options & OPT(j)) != 0;
        if (!have && (r->required & OPT(j)))
            return adm_fail(p, p->cmd->col_cmd, "You need to supply the '%s' option for the "
                            "'%s' command", adm_optnames[j], r->name);
        if (have && !((r->required | r->allowed) & OPT(j)))
            return adm_fail(p, p->optcol[j], "Illegal '%s' option with the '%s' command",
                            adm_optnames[j], r->name);
    }
    return 0;
}

static int check_service_cmd(struct parser *p)
{
    struct ip_vs_service_user *s = &p->cmd->svc;
    if (!s->fwmark && !s->port && !(s->flags & IP_VS_SVC_F_PERSISTENT))
        return adm_fail(p, p->cmd->col_svc, "Zero port specified for non-persistent service");
    if ((s->flags & IP_VS_SVC_F_ONEPACKET) && !s->fwmark && s->protocol != IPPROTO_UDP)
        return adm_fail(p, p->optcol[OPTC_ONEPACKET], "One-Packet Scheduling is only for "
                        "UDP virtual services");
    if (!s->sched_name[0])
        g_strlcpy(s->sched_name, DEF_SCHED, sizeof s->sched_name);
    return 0;
}

static const char *const tunnames[] = { "ipip", "gue", "gre" };

/* Which tunnel options each tunnel type takes: '+' compulsory, 'x' illegal, '1'
 * at most one of them. Columns: tun-port, tun-nocsum, tun-csum, tun-remcsum. */
static const int tunopts[4] = { OPTC_TUN_PORT, OPTC_TUN_NOCSUM, OPTC_TUN_CSUM, OPTC_TUN_REMCSUM };
static const char tunnel_rules[3][4] = {
    { 'x', 'x', 'x', 'x' },          /* ipip */
    { '+', '1', '1', '1' },          /* gue */
    { 'x', '1', '1', 'x' },          /* gre */
};

static int tunnel_opt_check(struct parser *p)
{
    int type = p->cmd->dest.tun_type, first_one = -1;
    for (int j = 0; j < 4; j++) {
        int k = tunopts[j];
        char rule = tunnel_rules[type][j];
        if (!(p->options & OPT(k))) {
            if (rule == '+')
                return adm_fail(p, p->cmd->col_cmd, "You need to supply the '%s' option for "
                                "the '%s' tunnel type", adm_optnames[k], tunnames[type]);
            continue;
        }
        if (rule == 'x')
            return adm_fail(p, p->optcol[k], "Illegal '%s' option with the '%s' tunnel type",
                            adm_optnames[k], tunnames[type]);
        if (rule == '1') {
            if (first_one < 0) {
                first_one = k;
                continue;
            }
            return adm_fail(p, p->optcol[k], "The option '%s' conflicts with the '%s' option "
                            "in the '%s' tunnel type", adm_optnames[k], adm_optnames[first_one],
                            tunnames[type]);
        }
    }
    return 0;
}

static int check_dest_cmd(struct parser *p)
{
    struct ipvsadm_cmd *c = p->cmd;
    unsigned fwd = c->dest.conn_flags & IP_VS_CONN_F_FWD_MASK;
    /* DR and tunnels cannot change the port: the dest takes the service's */
    if (!c->svc.fwmark && (fwd == IP_VS_CONN_F_TUNNEL || fwd == IP_VS_CONN_F_DROUTE))
        c->dest.port = c->svc.port;
    const uint64_t tun = OPT(OPTC_TUN_TYPE) | OPT(OPTC_TUN_PORT) | OPT(OPTC_TUN_NOCSUM) |
                         OPT(OPTC_TUN_CSUM) | OPT(OPTC_TUN_REMCSUM);
    if ((p->options & tun) && fwd != IP_VS_CONN_F_TUNNEL) {
        int col = 0;
        for (int j = OPTC_TUN_TYPE; j <= OPTC_TUN_REMCSUM && !col; j++)
            col = (p->options & OPT(j)) ? p->optcol[j] : 0;
        return adm_fail(p, col, "Tunnel options conflict with forward method");
    }
    return tunnel_opt_check(p);
}

/* What a -L line prints, from its options (ipvsadm's format flags). */
static void list_options(struct parser *p)
{
    static const struct { int opt; unsigned fmt; } fmts[] = {
        { OPTC_STATS, IPVSADM_FMT_STATS }, { OPTC_RATE, IPVSADM_FMT_RATE },
        { OPTC_THRESHOLDS, IPVSADM_FMT_THRESHOLDS },
        { OPTC_PERSISTENTCONN, IPVSADM_FMT_PERSISTENTCONN },
        { OPTC_TUN_INFO, IPVSADM_FMT_TUN_INFO }, { OPTC_EXACT, IPVSADM_FMT_EXACT },
        { OPTC_NOSORT, IPVSADM_FMT_NOSORT },
    };
    struct ipvsadm_cmd *c = p->cmd;
    for (size_t i = 0; i < G_N_ELEMENTS(fmts); i++)
        if (p->options & OPT(fmts[i].opt))
            c->list_fmt |= fmts[i].fmt;
    c->list_conns = p->options & OPT(OPTC_CONNECTION);
    c->list_timeout = p->options & OPT(OPTC_TIMEOUT);
    c->list_one = p->options & OPT(OPTC_SERVICE);
}

static void cmd_defaults(struct ipvsadm_cmd *c)
{
    memset(c, 0, sizeof *c);
    c->dest.weight = 1;
    c->dest.conn_flags = IP_VS_CONN_F_DROUTE;
    c->svc.netmask = 0xffffffffu;
}

static int parse_line(struct parser *p, const char *line)
{
    if (tokenize(p, line))
        return -1;
    if (p->next >= p->ntok || p->tok[p->next].s[0] == '#')
        return 0;                    /* blank, or a comment */
    if (read_options(p))
        return -1;
    if (p->cmd->cmd == IPVSADM_CMD_TIMEOUT && read_set_values(p))
        return -1;
    if (p->nargs > 0)
        return adm_fail(p, p->args[0].col, "unexpected argument %s", p->args[0].s);
    if (p->sched && (p->cmd->cmd == IPVSADM_CMD_ADD || p->cmd->cmd == IPVSADM_CMD_EDIT))
        g_strlcpy(p->cmd->svc.sched_name, p->sched, sizeof p->cmd->svc.sched_name);
    if (p->sched_flags && parse_sched_flags(p))
        return -1;
    p->cmd->col_sched_flags = p->sched_flags ? p->sched_flags_col : 0;
    p->cmd->col_ops = (p->options & OPT(OPTC_ONEPACKET)) ? p->optcol[OPTC_ONEPACKET] : 0;
    if (generic_opt_check(p))
        return -1;
    enum ipvsadm_command k = p->cmd->cmd;
    if ((k == IPVSADM_CMD_ADD || k == IPVSADM_CMD_EDIT) && check_service_cmd(p))
        return -1;
    if ((k == IPVSADM_CMD_ADDDEST || k == IPVSADM_CMD_EDITDEST) && check_dest_cmd(p))
        return -1;
    if (k == IPVSADM_CMD_LIST)
        list_options(p);
    return 0;
}

int ipvsadm_parse(const char *line, struct ipvsadm_cmd *cmd, struct ipvsadm_error *err)
{
    return ipvsadm_parse_sched(line, NULL, cmd, err);
}

int ipvsadm_parse_sched(const char *line, const char *sched, struct ipvsadm_cmd *cmd,
                        struct ipvsadm_error *err)
{
    struct parser *p = g_new0(struct parser, 1);
    p->cmd = cmd;
    p->err = err;
    p->sched = sched;
    cmd_defaults(cmd);
    int ret = parse_line(p, line);
    if (ret)
        cmd->cmd = IPVSADM_CMD_NONE;
    g_free(p->copy);
    g_free(p);
    return ret;
}
