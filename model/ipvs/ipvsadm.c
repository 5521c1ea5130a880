/* ipvsadm's command line (ipvsadm.c): popt-style option reading, ipvsadm's
 * checks and messages in ipvsadm's order, and the libipvs error texts for what the
 * control plane refuses. Facts: shared/reference/ipvs.md §8.4. */
#include "model/ipvs/ipvsadm.h"

#include <ctype.h>
#include <errno.h>
#include <glib.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model/net.h"

#define MAX_TIMEOUT (86400 * 31)     /* ipvsadm's bound for -p and --set: 31 days */
#define DEF_SCHED "wlc"
#define MAX_TOKENS 64

/* ---- options: ipvsadm's option indices and the names its messages use --------------- */

enum {
    OPTC_NUMERIC, OPTC_CONNECTION, OPTC_SERVICE, OPTC_SCHEDULER, OPTC_PERSISTENT,
    OPTC_NETMASK, OPTC_SERVER, OPTC_FORWARD, OPTC_WEIGHT, OPTC_UTHRESHOLD, OPTC_LTHRESHOLD,
    OPTC_MCAST, OPTC_TIMEOUT, OPTC_DAEMON, OPTC_STATS, OPTC_RATE, OPTC_THRESHOLDS,
    OPTC_PERSISTENTCONN, OPTC_NOSORT, OPTC_SYNCID, OPTC_EXACT, OPTC_ONEPACKET, OPTC_PE,
    OPTC_SCHED_FLAGS, OPTC_MCAST_GROUP, OPTC_MCAST_PORT, OPTC_MCAST_TTL, OPTC_SYNC_MAXLEN,
    OPTC_TUN_INFO, OPTC_TUN_TYPE, OPTC_TUN_PORT, OPTC_TUN_NOCSUM, OPTC_TUN_CSUM,
    OPTC_TUN_REMCSUM, OPTC_LADDR, NUMBER_OF_OPT
};

static const char *const optnames[NUMBER_OF_OPT] = {
    "numeric", "connection", "service-address", "scheduler", "persistent", "netmask",
    "real-server", "forwarding-method", "weight", "u-threshold", "l-threshold",
    "mcast-interface", "timeout", "daemon", "stats", "rate", "thresholds", "persistent-conn",
    "nosort", "syncid", "exact", "ops", "pe", "sched-flags", "mcast-group", "mcast-port",
    "mcast-ttl", "sync-maxlen", "tun-info", "tun-type", "tun-port", "tun-nocsum", "tun-csum",
    "tun-remcsum", "laddr",
};

#define OPT(c) (1ull << (c))

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
    [IPVSADM_CMD_ADDLADDR] = { "add-laddr", OPT(OPTC_SERVICE) | OPT(OPTC_LADDR), 0 },
    [IPVSADM_CMD_DELLADDR] = { "del-laddr", OPT(OPTC_SERVICE) | OPT(OPTC_LADDR), 0 },
};

/* Option tags: a short option's letter, or one of these for long-only options. */
enum {
    TAG_SET = 128, TAG_START_DAEMON, TAG_STOP_DAEMON, TAG_MCAST_INTERFACE, TAG_TIMEOUT,
    TAG_DAEMON, TAG_STATS, TAG_RATE, TAG_THRESHOLDS, TAG_PERSISTENTCONN, TAG_SORT, TAG_NO_SORT,
    TAG_PERSISTENCE_ENGINE, TAG_SCTP_SERVICE, TAG_MCAST_GROUP, TAG_MCAST_PORT, TAG_MCAST_TTL,
    TAG_SYNC_MAXLEN, TAG_TUN_INFO, TAG_TUN_TYPE, TAG_TUN_PORT, TAG_TUN_NOCSUM, TAG_TUN_CSUM,
    TAG_TUN_REMCSUM, TAG_FULLNAT,
};

enum argkind { NOARG, REQARG, OPTARG };

static const struct opt_spec {
    const char *lname;
    char sname;
    int tag;
    enum argkind arg;
} opt_specs[] = {
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

/* ---- the parser's state -------------------------------------------------------------- */

struct token {
    char *s;                         /* NUL-terminated, inside the parser's copy */
    int col;                         /* 1-based */
};

struct parser {
    char *copy;
    struct token tok[MAX_TOKENS];
    int ntok, next;
    struct ipvsadm_cmd *cmd;
    struct ipvsadm_error *err;
    uint64_t options;
    int optcol[NUMBER_OF_OPT];
    int ctok, cpos;                  /* a cluster of short options being read ("-Ln") */
    bool no_more_options;            /* after "--" */
    struct token args[MAX_TOKENS];   /* leftovers, as popt keeps them */
    int nargs;
    const char *sched_flags;
    int sched_flags_col;
};

static int fail(struct parser *p, int col, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

static int fail(struct parser *p, int col, const char *fmt, ...)
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
            return fail(p, (int)(s - p->copy) + 1, "too many arguments");
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

/* ---- value parsers (ipvsadm's helpers, on numbers only) -------------------------------- */

/* strtol over the whole string, within [min, max]; -1 otherwise. */
static long string_to_number(const char *s, long min, long max)
{
    char *end;
    errno = 0;
    long n = strtol(s, &end, 10);
    if (*end == '\0' && end != s && errno != ERANGE && min <= n && n <= max)
        return n;
    return -1;
}

static bool str_is_digit(const char *s)
{
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return false;
    return true;
}

/* One part of a dotted address: decimal, 0x hex or 0 octal, as inet_aton reads it. */
static bool aton_part(const char **sp, unsigned long *v)
{
    const char *s = *sp;
    if (!isdigit((unsigned char)*s))
        return false;
    char *end;
    errno = 0;
    *v = strtoul(s, &end, 0);
    if (errno == ERANGE || *v > 0xffffffffUL)
        return false;
    *sp = end;
    return true;
}

/* inet_aton: "a", "a.b", "a.b.c" or "a.b.c.d"; the last part fills what is left. */
static bool inet_aton_numeric(const char *s, be32 *out)
{
    unsigned long part[4];
    int n = 0;
    for (;;) {
        if (n == 4 || !aton_part(&s, &part[n]))
            return false;
        n++;
        if (*s == '\0')
            break;
        if (*s++ != '.')
            return false;
    }
    static const unsigned long last_max[] = { 0xffffffffUL, 0xffffffUL, 0xffffUL, 0xffUL };
    uint32_t a = 0;
    for (int i = 0; i < n - 1; i++) {
        if (part[i] > 0xff)
            return false;
        a |= (uint32_t)part[i] << (24 - 8 * i);
    }
    if (part[n - 1] > last_max[n - 1])
        return false;
    *out = htonl(a | (uint32_t)part[n - 1]);
    return true;
}

/* Port names ipvsadm-save writes without -n, from a built-in table of well-known
 * services (the machine's /etc/services is not read: runs must not depend on it). */
static const struct { const char *name; uint16_t port; } well_known_ports[] = {
    { "ftp-data", 20 }, { "ftp", 21 }, { "ssh", 22 }, { "telnet", 23 }, { "smtp", 25 },
    { "domain", 53 }, { "tftp", 69 }, { "http", 80 }, { "www", 80 }, { "pop3", 110 },
    { "sunrpc", 111 }, { "nntp", 119 }, { "ntp", 123 }, { "imap2", 143 }, { "imap", 143 },
    { "snmp", 161 }, { "ldap", 389 }, { "https", 443 }, { "submission", 587 },
    { "ldaps", 636 }, { "imaps", 993 }, { "pop3s", 995 }, { "openvpn", 1194 },
    { "ms-sql-s", 1433 }, { "mysql", 3306 }, { "postgresql", 5432 }, { "http-alt", 8080 },
};

static long service_to_port(const char *name, uint16_t proto)
{
    if (proto != IPPROTO_TCP && proto != IPPROTO_UDP && proto != IPPROTO_SCTP)
        return -1;
    for (size_t i = 0; i < G_N_ELEMENTS(well_known_ports); i++)
        if (strcmp(well_known_ports[i].name, name) == 0)
            return well_known_ports[i].port;
    return -1;
}

enum { SERVICE_NONE = 0, SERVICE_ADDR = 1, SERVICE_PORT = 2 };

/* host[:port] as parse_service reads it. On failure, *why may say why in words
 * ipvsadm would not need (it resolves names; ipvsim does not). */
static int parse_service(const char *buf, uint16_t proto, be32 *addr, be16 *port,
                         char *why, size_t whylen)
{
    struct in6_addr a6;
    why[0] = '\0';
    if (str_is_digit(buf))
        return SERVICE_NONE;
    if (buf[0] == '[' || inet_pton(AF_INET6, buf, &a6) > 0) {
        snprintf(why, whylen, " (IPv6 is not modelled by ipvsim)");
        return SERVICE_NONE;
    }
    char host[256];
    g_strlcpy(host, buf, sizeof host);
    char *portp = strrchr(host, ':');
    if (portp)
        *portp++ = '\0';
    if (!inet_aton_numeric(host, addr)) {
        snprintf(why, whylen, " (host names are not resolved: give the address in numbers)");
        return SERVICE_NONE;
    }
    if (!portp)
        return SERVICE_ADDR;
    long n = string_to_number(portp, 0, 65535);
    if (n == -1)
        n = service_to_port(portp, proto);
    if (n == -1) {
        if (!str_is_digit(portp))
            snprintf(why, whylen, " (unknown port name `%s': give the port in numbers)", portp);
        return SERVICE_NONE;
    }
    *port = htons((uint16_t)n);
    return SERVICE_ADDR | SERVICE_PORT;
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

/* One option occurrence as popt hands it over. */
struct occurrence {
    const struct opt_spec *spec;
    const char *text;                /* the token, for messages */
    int col;                         /* where the option is */
    const char *value;               /* NULL: none */
    int valcol;
};

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
        return fail(p, t->col, "%.*s: unknown option", (int)(len + 2), t->s);
    if (eq) {
        if (o->spec->arg == NOARG)
            return fail(p, t->col, "%.*s: option does not take an argument", (int)(len + 2), t->s);
        o->value = eq + 1;
        o->valcol = t->col + (int)(eq + 1 - t->s);
    } else if (o->spec->arg != NOARG) {
        value_from_next(p, o);
    }
    if (o->spec->arg == REQARG && !o->value)
        return fail(p, t->col, "%s: missing argument", t->s);
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
        return fail(p, o->col, "%s: unknown option", t->s);
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
        return fail(p, o->col, "%s: missing argument", t->s);
    return 0;
}

/* ---- handling one option (ipvsadm's parse_options) --------------------------------------- */

static int set_option(struct parser *p, int optc, int col)
{
    if (p->options & OPT(optc))
        return fail(p, col, "multiple '%s' options specified", optnames[optc]);
    p->options |= OPT(optc);
    p->optcol[optc] = col;
    return 0;
}

static int opt_service(struct parser *p, const struct occurrence *o, uint16_t proto)
{
    struct ipvsadm_cmd *c = p->cmd;
    if (set_option(p, OPTC_SERVICE, o->col))
        return -1;
    c->svc.protocol = proto;
    c->col_svc = o->valcol;
    char why[128];
    if (!(parse_service(o->value, proto, &c->svc.addr, &c->svc.port, why, sizeof why) &
          SERVICE_ADDR))
        return fail(p, o->valcol, "illegal virtual server address[:port] specified%s", why);
    return 0;
}

static int opt_fwmark(struct parser *p, const struct occurrence *o)
{
    struct ipvsadm_cmd *c = p->cmd;
    if (set_option(p, OPTC_SERVICE, o->col))
        return -1;
    c->col_svc = o->valcol;
    c->svc.protocol = IPPROTO_TCP;   /* a sane value, even though it is not used */
    char *end;
    errno = 0;
    long l = strtol(o->value, &end, 10);
    if (*end != '\0' || end == o->value || errno == ERANGE || l <= 0 || l > (long)UINT_MAX)
        return fail(p, o->valcol, "invalid fwmark value `%s' specified", o->value);
    c->svc.fwmark = (uint32_t)l;
    return 0;
}

static int opt_server(struct parser *p, const struct occurrence *o)
{
    struct ipvsadm_cmd *c = p->cmd;
    if (set_option(p, OPTC_SERVER, o->col))
        return -1;
    c->col_dest = o->valcol;
    be32 addr = c->svc.addr;
    be16 port = c->svc.port;
    char why[128];
    int r = parse_service(o->value, c->svc.protocol, &addr, &port, why, sizeof why);
    if (!(r & SERVICE_ADDR))
        return fail(p, o->valcol, "illegal real server address[:port] specified%s", why);
    c->dest.addr = addr;
    /* no port given: the service's port (as far as it is known at this point) */
    c->dest.port = (r == SERVICE_ADDR) ? c->svc.port : port;
    return 0;
}

static int opt_persistent(struct parser *p, const struct occurrence *o)
{
    struct ipvsadm_cmd *c = p->cmd;
    if (set_option(p, OPTC_PERSISTENT, o->col))
        return -1;
    c->svc.flags |= IP_VS_SVC_F_PERSISTENT;
    if (!o->value) {
        c->svc.timeout = IP_VS_PERSISTENT_TIMEOUT_DEFAULT;
        return 0;
    }
    long t = string_to_number(o->value, 1, MAX_TIMEOUT);
    if (t == -1)
        return fail(p, o->valcol, "invalid timeout value `%s' specified", o->value);
    c->svc.timeout = (unsigned)t;
    return 0;
}

static int opt_netmask(struct parser *p, const struct occurrence *o)
{
    if (set_option(p, OPTC_NETMASK, o->col))
        return -1;
    if (!inet_aton_numeric(o->value, &p->cmd->svc.netmask))
        return fail(p, o->valcol, "illegal virtual server persistent mask specified");
    return 0;
}

static int opt_scheduler(struct parser *p, const struct occurrence *o)
{
    if (set_option(p, OPTC_SCHEDULER, o->col))
        return -1;
    /* ipvsadm copies at most IP_VS_SCHEDNAME_MAXLEN - 1 characters */
    g_strlcpy(p->cmd->svc.sched_name, o->value, sizeof p->cmd->svc.sched_name);
    p->cmd->col_sched = o->valcol;
    return 0;
}

static int opt_forward(struct parser *p, const struct occurrence *o, unsigned method)
{
    if (set_option(p, OPTC_FORWARD, o->col))
        return -1;
    p->cmd->dest.conn_flags = method;
    return 0;
}

/* -w, -x, -y and the daemon's numbers: a bounded integer or ipvsadm's message. */
static int opt_number(struct parser *p, const struct occurrence *o, int optc, long min,
                      long max, const char *what, long *out)
{
    if (set_option(p, optc, o->col))
        return -1;
    *out = string_to_number(o->value, min, max);
    if (*out == -1)
        return fail(p, o->valcol, "illegal %s specified", what);
    return 0;
}

static int opt_dest_numbers(struct parser *p, const struct occurrence *o)
{
    struct ipvsadm_cmd *c = p->cmd;
    long v;
    switch (o->spec->tag) {
    case 'w':
        c->col_weight = o->valcol;
        if (opt_number(p, o, OPTC_WEIGHT, 0, 65535, "weight", &v))
            return -1;
        c->dest.weight = (int)v;
        return 0;
    case 'x':
        c->col_uthresh = o->valcol;
        if (opt_number(p, o, OPTC_UTHRESHOLD, 0, INT_MAX, "u_threshold", &v))
            return -1;
        c->dest.u_threshold = (uint32_t)v;
        return 0;
    default:
        c->col_lthresh = o->valcol;
        if (opt_number(p, o, OPTC_LTHRESHOLD, 0, INT_MAX, "l_threshold", &v))
            return -1;
        c->dest.l_threshold = (uint32_t)v;
        return 0;
    }
}

static int opt_tunnel(struct parser *p, const struct occurrence *o)
{
    struct ip_vs_dest_user *d = &p->cmd->dest;
    long v;
    switch (o->spec->tag) {
    case TAG_TUN_TYPE:
        if (set_option(p, OPTC_TUN_TYPE, o->col))
            return -1;
        if (strcmp(o->value, "ipip") == 0)
            d->tun_type = IP_VS_CONN_F_TUNNEL_TYPE_IPIP;
        else if (strcmp(o->value, "gue") == 0)
            d->tun_type = IP_VS_CONN_F_TUNNEL_TYPE_GUE;
        else if (strcmp(o->value, "gre") == 0)
            d->tun_type = IP_VS_CONN_F_TUNNEL_TYPE_GRE;
        else
            return fail(p, o->valcol, "illegal tunnel type specified");
        return 0;
    case TAG_TUN_PORT:
        if (opt_number(p, o, OPTC_TUN_PORT, 1, 65535, "tunnel port", &v))
            return -1;
        d->tun_port = htons((uint16_t)v);
        return 0;
    case TAG_TUN_NOCSUM:
        return set_option(p, OPTC_TUN_NOCSUM, o->col);      /* flag value 0 */
    case TAG_TUN_CSUM:
        d->tun_flags |= IP_VS_TUNNEL_ENCAP_FLAG_CSUM;
        return set_option(p, OPTC_TUN_CSUM, o->col);
    default:
        d->tun_flags |= IP_VS_TUNNEL_ENCAP_FLAG_REMCSUM;
        return set_option(p, OPTC_TUN_REMCSUM, o->col);
    }
}

/* Options that only listings and the sync daemon take: checked as ipvsadm checks
 * them, so that their misuse gets ipvsadm's messages. */
static int opt_other(struct parser *p, const struct occurrence *o)
{
    long v;
    be32 group;
    switch (o->spec->tag) {
    case 'n': return set_option(p, OPTC_NUMERIC, o->col);
    case 'c': return set_option(p, OPTC_CONNECTION, o->col);
    case TAG_MCAST_INTERFACE: return set_option(p, OPTC_MCAST, o->col);
    case 'I': return opt_number(p, o, OPTC_SYNCID, 0, 255, "syncid", &v);
    case TAG_TIMEOUT: return set_option(p, OPTC_TIMEOUT, o->col);
    case TAG_DAEMON: return set_option(p, OPTC_DAEMON, o->col);
    case TAG_STATS: return set_option(p, OPTC_STATS, o->col);
    case TAG_RATE: return set_option(p, OPTC_RATE, o->col);
    case TAG_THRESHOLDS: return set_option(p, OPTC_THRESHOLDS, o->col);
    case TAG_PERSISTENTCONN: return set_option(p, OPTC_PERSISTENTCONN, o->col);
    case TAG_NO_SORT: return set_option(p, OPTC_NOSORT, o->col);
    case TAG_SORT: return 0;         /* the default; accepted for compatibility */
    case 'X': return set_option(p, OPTC_EXACT, o->col);
    case TAG_TUN_INFO: return set_option(p, OPTC_TUN_INFO, o->col);
    case TAG_MCAST_PORT: return opt_number(p, o, OPTC_MCAST_PORT, 1, 65535, "mcast-port", &v);
    case TAG_MCAST_TTL: return opt_number(p, o, OPTC_MCAST_TTL, 1, 255, "mcast-ttl", &v);
    case TAG_SYNC_MAXLEN:
        return opt_number(p, o, OPTC_SYNC_MAXLEN, 1, 65535 - 20 - 8, "sync-maxlen", &v);
    case TAG_MCAST_GROUP:
        if (set_option(p, OPTC_MCAST_GROUP, o->col))
            return -1;
        if (!inet_aton_numeric(o->value, &group) || (ntohl(group) >> 28) != 0xe)
            return fail(p, o->valcol, "invalid IPv4 mcast-group `%s'", o->value);
        return 0;
    default:
        return fail(p, o->col, "invalid option `%s'", o->text);
    }
}

static int handle_option(struct parser *p, const struct occurrence *o)
{
    struct ipvsadm_cmd *c = p->cmd;
    switch (o->spec->tag) {
    case 't': return opt_service(p, o, IPPROTO_TCP);
    case 'u': return opt_service(p, o, IPPROTO_UDP);
    case TAG_SCTP_SERVICE: return opt_service(p, o, IPPROTO_SCTP);
    case 'f': return opt_fwmark(p, o);
    case 's': return opt_scheduler(p, o);
    case 'p': return opt_persistent(p, o);
    case 'M': return opt_netmask(p, o);
    case 'r': return opt_server(p, o);
    case 'i': return opt_forward(p, o, IP_VS_CONN_F_TUNNEL);
    case 'g': return opt_forward(p, o, IP_VS_CONN_F_DROUTE);
    case 'm': return opt_forward(p, o, IP_VS_CONN_F_MASQ);
    case TAG_FULLNAT: return opt_forward(p, o, IP_VS_CONN_F_FULLNAT);
    case 'w': case 'x': case 'y': return opt_dest_numbers(p, o);
    case 'z':
        if (set_option(p, OPTC_LADDR, o->col))
            return -1;
        c->col_laddr = o->valcol;
        if (!inet_aton_numeric(o->value, &c->laddr))
            return fail(p, o->valcol, "illegal local address specified");
        return 0;
    case 'o':
        c->svc.flags |= IP_VS_SVC_F_ONEPACKET;
        return set_option(p, OPTC_ONEPACKET, o->col);
    case '6':
        if (!c->svc.fwmark)
            return fail(p, o->col, "-6 used before -f");
        return fail(p, o->col, "IPv6 is not modelled by ipvsim");
    case TAG_PERSISTENCE_ENGINE:
        return fail(p, o->col, "persistence engines (--pe) are not modelled by ipvsim");
    case 'b':
        if (set_option(p, OPTC_SCHED_FLAGS, o->col))
            return -1;
        p->sched_flags = o->value;
        p->sched_flags_col = o->valcol;
        return 0;
    case TAG_TUN_TYPE: case TAG_TUN_PORT: case TAG_TUN_NOCSUM: case TAG_TUN_CSUM:
    case TAG_TUN_REMCSUM:
        return opt_tunnel(p, o);
    default:
        return opt_other(p, o);
    }
}

/* ---- the command (the first option) ------------------------------------------------------- */

static int set_command(struct parser *p, const struct occurrence *o)
{
    static const struct { int tag; enum ipvsadm_command cmd; } cmds[] = {
        { 'A', IPVSADM_CMD_ADD }, { 'E', IPVSADM_CMD_EDIT }, { 'D', IPVSADM_CMD_DEL },
        { 'C', IPVSADM_CMD_FLUSH }, { 'a', IPVSADM_CMD_ADDDEST }, { 'e', IPVSADM_CMD_EDITDEST },
        { 'd', IPVSADM_CMD_DELDEST }, { 'Z', IPVSADM_CMD_ZERO }, { TAG_SET, IPVSADM_CMD_TIMEOUT },
        { 'P', IPVSADM_CMD_ADDLADDR }, { 'Q', IPVSADM_CMD_DELLADDR },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cmds); i++)
        if (cmds[i].tag == o->spec->tag) {
            p->cmd->cmd = cmds[i].cmd;
            p->cmd->col_cmd = o->col;
            return 0;
        }
    switch (o->spec->tag) {
    case 'L': case 'l': case 'S': case 'R': case 'h': case 'v':
        return fail(p, o->col, "`%s' does not change the configuration: only -A, -E, -D, -C, "
                    "-a, -e, -d, -Z and --set are accepted here", o->text);
    case TAG_START_DAEMON: case TAG_STOP_DAEMON:
        return fail(p, o->col, "the connection sync daemon is not modelled by ipvsim");
    default:
        return fail(p, o->col, "a command must come first (-A, -E, -D, -C, -a, -e, -d, -Z "
                    "or --set)");
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
        if (first ? set_command(p, &o) : handle_option(p, &o))
            return -1;
        first = false;
    }
    if (first && p->nargs > 0)
        return fail(p, p->args[0].col, "a command must come first (-A, -E, -D, -C, -a, -e, "
                    "-d, -Z or --set)");
    return 0;
}

/* ---- after the options: ipvsadm's process_options checks ---------------------------------- */

static int read_set_values(struct parser *p)
{
    struct ipvsadm_cmd *c = p->cmd;
    if (p->nargs < 3)
        return fail(p, c->col_cmd, "--set option requires 3 timeout values");
    unsigned *dst[3] = { &c->tcp_timeout, &c->tcpfin_timeout, &c->udp_timeout };
    for (int i = 0; i < 3; i++) {
        long t = string_to_number(p->args[i].s, 0, MAX_TIMEOUT);
        if (t == -1)
            return fail(p, p->args[i].col, "invalid timeout value `%s' specified", p->args[i].s);
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
            ret = fail(p, p->sched_flags_col, "invalid scheduler flag `%s'", *n);
        else if (known[i].sched && !sched_is(c->svc.sched_name, known[i].sched))
            ret = fail(p, p->sched_flags_col, "incompatible scheduler flag `%s'", *n);
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
            return fail(p, p->cmd->col_cmd, "You need to supply the '%s' option for the '%s' "
                        "command", optnames[j], r->name);
        if (have && !((r->required | r->allowed) & OPT(j)))
            return fail(p, p->optcol[j], "Illegal '%s' option with the '%s' command",
                        optnames[j], r->name);
    }
    return 0;
}

static int check_service_cmd(struct parser *p)
{
    struct ip_vs_service_user *s = &p->cmd->svc;
    if (!s->fwmark && !s->port && !(s->flags & IP_VS_SVC_F_PERSISTENT))
        return fail(p, p->cmd->col_svc, "Zero port specified for non-persistent service");
    if ((s->flags & IP_VS_SVC_F_ONEPACKET) && !s->fwmark && s->protocol != IPPROTO_UDP)
        return fail(p, p->optcol[OPTC_ONEPACKET], "One-Packet Scheduling is only for UDP "
                    "virtual services");
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
                return fail(p, p->cmd->col_cmd, "You need to supply the '%s' option for the "
                            "'%s' tunnel type", optnames[k], tunnames[type]);
            continue;
        }
        if (rule == 'x')
            return fail(p, p->optcol[k], "Illegal '%s' option with the '%s' tunnel type",
                        optnames[k], tunnames[type]);
        if (rule == '1') {
            if (first_one < 0) {
                first_one = k;
                continue;
            }
            return fail(p, p->optcol[k], "The option '%s' conflicts with the '%s' option in "
                        "the '%s' tunnel type", optnames[k], optnames[first_one],
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
        return fail(p, col, "Tunnel options conflict with forward method");
    }
    return tunnel_opt_check(p);
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
        return fail(p, p->args[0].col, "unexpected argument %s", p->args[0].s);
    if (p->sched_flags && parse_sched_flags(p))
        return -1;
    if (generic_opt_check(p))
        return -1;
    enum ipvsadm_command k = p->cmd->cmd;
    if ((k == IPVSADM_CMD_ADD || k == IPVSADM_CMD_EDIT) && check_service_cmd(p))
        return -1;
    if ((k == IPVSADM_CMD_ADDDEST || k == IPVSADM_CMD_EDITDEST) && check_dest_cmd(p))
        return -1;
    return 0;
}

int ipvsadm_parse(const char *line, struct ipvsadm_cmd *cmd, struct ipvsadm_error *err)
{
    struct parser *p = g_new0(struct parser, 1);
    p->cmd = cmd;
    p->err = err;
    cmd_defaults(cmd);
    int ret = parse_line(p, line);
    if (ret)
        cmd->cmd = IPVSADM_CMD_NONE;
    g_free(p->copy);
    g_free(p);
    return ret;
}

/* ---- applying: the control plane, and libipvs's words for its errors ---------------------- */

/* ipvs_strerror: a message per (operation, errno), then generic ones. */
static const char *ipvs_strerror(enum ipvsadm_command cmd, int err)
{
    static const struct { enum ipvsadm_command cmd; int err; const char *msg; } table[] = {
        { IPVSADM_CMD_ADD, EEXIST, "Service already exists" },
        { IPVSADM_CMD_ADD, ENOENT, "Scheduler or persistence engine not found" },
        { IPVSADM_CMD_EDIT, ESRCH, "No such service" },
        { IPVSADM_CMD_EDIT, ENOENT, "Scheduler or persistence engine not found" },
        { IPVSADM_CMD_DEL, ESRCH, "No such service" },
        { IPVSADM_CMD_ZERO, ESRCH, "No such service" },
        { IPVSADM_CMD_ADDDEST, ESRCH, "Service not defined" },
        { IPVSADM_CMD_ADDDEST, EEXIST, "Destination already exists" },
        { IPVSADM_CMD_EDITDEST, ESRCH, "Service not defined" },
        { IPVSADM_CMD_EDITDEST, ENOENT, "No such destination" },
        { IPVSADM_CMD_DELDEST, ESRCH, "Service not defined" },
        { IPVSADM_CMD_DELDEST, ENOENT, "No such destination" },
        { IPVSADM_CMD_ADDLADDR, ESRCH, "Service not defined" },
        { IPVSADM_CMD_ADDLADDR, EEXIST, "Local address already exists" },
        { IPVSADM_CMD_ADDLADDR, ENOSPC, "Too many local addresses" },
        { IPVSADM_CMD_ADDLADDR, EINVAL, "Not a local address of this host" },
        { IPVSADM_CMD_DELLADDR, ESRCH, "Service not defined" },
        { IPVSADM_CMD_DELLADDR, ENOENT, "No such local address" },
        { IPVSADM_CMD_NONE, EPERM, "Permission denied (you must be root)" },
        { IPVSADM_CMD_NONE, EINVAL, "Invalid operation.  Possibly wrong module version, "
                                    "address not unicast, ..." },
        { IPVSADM_CMD_NONE, ENOPROTOOPT, "Protocol not available" },
        { IPVSADM_CMD_NONE, ENOMEM, "Memory allocation problem" },
        { IPVSADM_CMD_NONE, EOPNOTSUPP, "Operation not supported with IPv6" },
        { IPVSADM_CMD_NONE, EAFNOSUPPORT, "Operation not supported with specified address family" },
        { IPVSADM_CMD_NONE, EMSGSIZE, "Module is wrong version" },
        /* strerror()'s words, fixed here so that no libc decides them */
        { IPVSADM_CMD_NONE, ERANGE, "Numerical result out of range" },
        { IPVSADM_CMD_NONE, EFAULT, "Bad address" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(table); i++)
        if ((table[i].cmd == IPVSADM_CMD_NONE || table[i].cmd == cmd) && table[i].err == err)
            return table[i].msg;
    return "Unknown error";
}

/* Where to point for an error the kernel returned. */
static int error_column(const struct ipvsadm_cmd *c, int err)
{
    int col = 0;
    switch (err) {
    case ESRCH: col = c->col_svc; break;
    case EEXIST: col = c->cmd == IPVSADM_CMD_ADD ? c->col_svc : c->col_dest; break;
    case ENOENT: col = c->cmd == IPVSADM_CMD_ADD || c->cmd == IPVSADM_CMD_EDIT
                           ? c->col_sched : c->col_dest; break;
    case ERANGE: col = c->col_lthresh ? c->col_lthresh : c->col_uthresh; break;
    case EINVAL: col = c->col_laddr ? c->col_laddr : c->col_dest; break;
    default: break;
    }
    if ((c->cmd == IPVSADM_CMD_ADDLADDR || c->cmd == IPVSADM_CMD_DELLADDR) &&
        (err == EEXIST || err == ENOENT || err == ENOSPC))
        col = c->col_laddr;
    return col ? col : c->col_cmd;
}

/* FULLNAT local addresses of a service (ipvsim extra): kept in the service, in the
 * order added; an address must be one of the director's. */
static int svc_add_laddr(struct netns_ipvs *ipvs, struct ip_vs_service *svc, be32 addr)
{
    for (unsigned i = 0; i < svc->n_laddrs; i++)
        if (svc->laddrs[i] == addr)
            return -EEXIST;
    if (svc->n_laddrs == IP_VS_FNAT_MAX_LADDRS)
        return -ENOSPC;
    if (!inet_addr_local(ipvs->net, addr))
        return -EINVAL;
    svc->laddrs[svc->n_laddrs++] = addr;
    return 0;
}

static int svc_del_laddr(struct ip_vs_service *svc, be32 addr)
{
    for (unsigned i = 0; i < svc->n_laddrs; i++) {
        if (svc->laddrs[i] != addr)
            continue;
        memmove(&svc->laddrs[i], &svc->laddrs[i + 1],
                sizeof svc->laddrs[0] * (svc->n_laddrs - i - 1));
        svc->n_laddrs--;
        svc->laddr_next = 0;
        return 0;
    }
    return -ENOENT;
}

static int exec_service(struct netns_ipvs *ipvs, const struct ipvsadm_cmd *c)
{
    const struct ip_vs_service_user *u = &c->svc;
    if (c->cmd == IPVSADM_CMD_ADD)
        return ip_vs_add_service(ipvs, u, NULL);
    struct ip_vs_service *svc = ip_vs_service_get(ipvs, u->protocol, u->addr, u->port, u->fwmark);
    if (!svc)
        return -ESRCH;
    switch (c->cmd) {
    case IPVSADM_CMD_EDIT: return ip_vs_edit_service(svc, u);
    case IPVSADM_CMD_DEL: return ip_vs_del_service(svc);
    case IPVSADM_CMD_ZERO: ip_vs_zero_service(svc); return 0;
    case IPVSADM_CMD_ADDDEST: return ip_vs_add_dest(svc, &c->dest);
    case IPVSADM_CMD_EDITDEST: return ip_vs_edit_dest(svc, &c->dest);
    case IPVSADM_CMD_ADDLADDR: return svc_add_laddr(ipvs, svc, c->laddr);
    case IPVSADM_CMD_DELLADDR: return svc_del_laddr(svc, c->laddr);
    default: return ip_vs_del_dest(svc, c->dest.addr, c->dest.port);
    }
}

static int exec_cmd(struct netns_ipvs *ipvs, const struct ipvsadm_cmd *c)
{
    switch (c->cmd) {
    case IPVSADM_CMD_NONE:
        return 0;
    case IPVSADM_CMD_FLUSH:
        return ip_vs_flush(ipvs);
    case IPVSADM_CMD_TIMEOUT:
        return ip_vs_set_timeout(ipvs, c->tcp_timeout, c->tcpfin_timeout, c->udp_timeout);
    case IPVSADM_CMD_ZERO:
        /* no service address: every counter */
        if (!c->svc.fwmark && !c->svc.addr && !c->svc.port) {
            ip_vs_zero_all(ipvs);
            return 0;
        }
        return exec_service(ipvs, c);
    default:
        return exec_service(ipvs, c);
    }
}

int ipvsadm_exec(struct net *net, const struct ipvsadm_cmd *cmd, struct ipvsadm_error *err)
{
    if (cmd->cmd == IPVSADM_CMD_NONE)
        return 0;
    int ret = exec_cmd(ip_vs_net(net), cmd);
    if (ret == 0)
        return 0;
    if (err) {
        g_strlcpy(err->message, ipvs_strerror(cmd->cmd, -ret), sizeof err->message);
        err->column = error_column(cmd, -ret);
    }
    return -1;
}

int ipvsadm_apply(struct net *net, const char *line, struct ipvsadm_error *err)
{
    struct ipvsadm_cmd cmd;
    if (ipvsadm_parse(line, &cmd, err))
        return -1;
    return ipvsadm_exec(net, &cmd, err);
}
