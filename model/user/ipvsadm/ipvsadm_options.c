/* What each option of an ipvsadm line does to the command being built: the value
 * parsers (numbers, inet_aton's address forms, host[:port] with a small built-in
 * table of port names) and the per-option handlers of ipvsadm's parse_options,
 * with ipvsadm's messages, including the options only listings and the sync daemon
 * take, so that misusing them reads as it does with ipvsadm. The option reading
 * in ipvsadm.c finds each option; this file applies it. */
#include "model/user/ipvsadm/ipvsadm_internal.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sim/in6.h"
#include "sim/in6_key.h"

/* ---- value parsers (ipvsadm's helpers, on numbers only) -------------------------------- */

/* strtol over the whole string, within [min, max]; -1 otherwise. */
long adm_string_to_number(const char *s, long min, long max)
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

/* Was the text meant as an IPv6 address: in brackets, or with two colons or more? */
static bool looks_ipv6(const char *h, bool bracketed)
{
    const char *c = strchr(h, ':');
    return bracketed || (c && strchr(c + 1, ':'));
}

/* host[:port] as parse_service reads it (ipvsadm 1.31): "[ADDR6]:port" (the port is
 * then compulsory), a bare IPv6 address (no port), or a dotted IPv4 address with an
 * optional ":port". An IPv6 address sets af and the netmask to 128 (the prefix
 * length) and is stored as its key (sim/in6_key.h). ipvsadm's own quirk is kept: in
 * "[1.2.3.4]:80" the brackets hide the port, so the address alone is read. On
 * failure, *why may say why in words ipvsadm would not need (it resolves names;
 * ipvsim does not) and *off is where in buf the fault is. */
static int parse_service(const char *buf, struct ip_vs_service_user *svc, char *why,
                         size_t whylen, int *off)
{
    why[0] = '\0';
    *off = 0;
    if (str_is_digit(buf))
        return SERVICE_NONE;
    char host[256];
    g_strlcpy(host, buf, sizeof host);
    char *h = host, *portp = NULL;
    bool bracketed = h[0] == '[';
    if (bracketed) {
        h++;
        portp = strchr(h, ']');
        if (!portp) {
            *off = (int)strlen(host);
            snprintf(why, whylen, " (expected ']' after the IPv6 address)");
            return SERVICE_NONE;
        }
        *portp++ = '\0';
        if (*portp != ':') {
            *off = (int)(portp - host);
            snprintf(why, whylen, " (expected ':' and a port after ']')");
            return SERVICE_NONE;
        }
        *portp = '\0';
    }
    struct in6_addr a6;
    size_t eoff;
    const char *what = NULL;
    if (in6_pton(h, &a6, &eoff, &what)) {
        svc->addr = in6_key_get(&a6);
        svc->af = AF_INET6;
        svc->netmask = 128;
    } else {
        bool v6 = looks_ipv6(h, bracketed);
        portp = strrchr(h, ':');
        if (portp)
            *portp = '\0';
        be32 a;
        if (!inet_aton_numeric(h, &a)) {
            if (v6) {
                *off = (int)(h - host) + (int)eoff;
                snprintf(why, whylen, " (IPv6 address: expected %s)", what);
            } else {
                snprintf(why, whylen, " (host names are not resolved: give the address in "
                                      "numbers)");
            }
            return SERVICE_NONE;
        }
        if (in6_is_key(a)) {
            snprintf(why, whylen, " (240.0.0.0/4 is reserved: ipvsim keeps IPv6 addresses "
                                  "there)");
            return SERVICE_NONE;
        }
        svc->addr = a;
        svc->af = AF_INET;
    }
    if (!portp)
        return SERVICE_ADDR;
    long n = adm_string_to_number(portp + 1, 0, 65535);
    if (n == -1)
        n = service_to_port(portp + 1, svc->protocol);
    if (n == -1) {
        if (!str_is_digit(portp + 1))
            snprintf(why, whylen, " (unknown port name `%s': give the port in numbers)",
                     portp + 1);
        return SERVICE_NONE;
    }
    svc->port = htons((uint16_t)n);
    return SERVICE_ADDR | SERVICE_PORT;
}

/* ---- handling one option (ipvsadm's parse_options) --------------------------------------- */

static int set_option(struct parser *p, int optc, int col)
{
    if (p->options & OPT(optc))
        return adm_fail(p, col, "multiple '%s' options specified", adm_optnames[optc]);
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
    int off;
    if (!(parse_service(o->value, &c->svc, why, sizeof why, &off) & SERVICE_ADDR))
        return adm_fail(p, o->valcol + off, "illegal virtual server address[:port] specified%s",
                        why);
    return 0;
}

static int opt_fwmark(struct parser *p, const struct occurrence *o)
{
    struct ipvsadm_cmd *c = p->cmd;
    if (set_option(p, OPTC_SERVICE, o->col))
        return -1;
    c->col_svc = o->valcol;
    c->svc.af = AF_INET;             /* -6 after -f makes it AF_INET6 */
    c->svc.protocol = IPPROTO_TCP;   /* a sane value, even though it is not used */
    char *end;
    errno = 0;
    long l = strtol(o->value, &end, 10);
    if (*end != '\0' || end == o->value || errno == ERANGE || l <= 0 || l > (long)UINT_MAX)
        return adm_fail(p, o->valcol, "invalid fwmark value `%s' specified", o->value);
    c->svc.fwmark = (uint32_t)l;
    return 0;
}

static int opt_server(struct parser *p, const struct occurrence *o)
{
    struct ipvsadm_cmd *c = p->cmd;
    if (set_option(p, OPTC_SERVER, o->col))
        return -1;
    c->col_dest = o->valcol;
    struct ip_vs_service_user t_dest = c->svc;     /* ipvsadm parses into a copy */
    char why[128];
    int off;
    int r = parse_service(o->value, &t_dest, why, sizeof why, &off);
    if (!(r & SERVICE_ADDR))
        return adm_fail(p, o->valcol + off, "illegal real server address[:port] specified%s",
                        why);
    c->dest.addr = t_dest.addr;
    /* no port given: the service's port (as far as it is known at this point) */
    c->dest.port = (r == SERVICE_ADDR) ? c->svc.port : t_dest.port;
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
    long t = adm_string_to_number(o->value, 1, MAX_TIMEOUT);
    if (t == -1)
        return adm_fail(p, o->valcol, "invalid timeout value `%s' specified", o->value);
    c->svc.timeout = (unsigned)t;
    return 0;
}

/* -M: a dotted mask for an IPv4 service, a prefix length (atoi, 1..128) once the
 * service is known to be IPv6 (an address in brackets or -6 before -M). */
static int opt_netmask(struct parser *p, const struct occurrence *o)
{
    if (set_option(p, OPTC_NETMASK, o->col))
        return -1;
    struct ip_vs_service_user *s = &p->cmd->svc;
    if (s->af != AF_INET6) {
        if (!inet_aton_numeric(o->value, &s->netmask))
            return adm_fail(p, o->valcol, "illegal virtual server persistent mask specified");
        return 0;
    }
    long plen = atol(o->value);      /* ipvsadm's atoi: "64x" reads as 64 */
    if (plen < 1 || plen > 128)
        return adm_fail(p, o->valcol, "illegal ipv6 netmask specified");
    s->netmask = (be32)plen;
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
    *out = adm_string_to_number(o->value, min, max);
    if (*out == -1)
        return adm_fail(p, o->valcol, "illegal %s specified", what);
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
            return adm_fail(p, o->valcol, "illegal tunnel type specified");
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
            return adm_fail(p, o->valcol, "invalid IPv4 mcast-group `%s'", o->value);
        return 0;
    default:
        return adm_fail(p, o->col, "invalid option `%s'", o->text);
    }
}

int adm_handle_option(struct parser *p, const struct occurrence *o)
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
            return adm_fail(p, o->valcol, "illegal local address specified");
        return 0;
    case 'o':
        c->svc.flags |= IP_VS_SVC_F_ONEPACKET;
        return set_option(p, OPTC_ONEPACKET, o->col);
    case '6':
        /* not an option ipvsadm counts: it may come more than once */
        if (!c->svc.fwmark)
            return adm_fail(p, o->col, "-6 used before -f");
        c->svc.af = AF_INET6;
        c->svc.netmask = 128;
        return 0;
    case TAG_PERSISTENCE_ENGINE:
        return adm_fail(p, o->col, "persistence engines (--pe) are not modelled by ipvsim");
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
