/* The value parsers of iptables lines: numbers in C syntax, dotted addresses and
 * masks, ports and service names, values with masks, protocol names and numbers, and
 * the -s/-d address lists. The xt_* ones serve the extensions too (iptables_parse.h);
 * the service and protocol names are built in, not read from the machine. */
#include "model/user/iptables/iptables_parse_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "sim/in6.h"

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

bool xt_parse_protocol(const char *s, uint16_t *out)
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

bool xt_parse_protocol6(const struct xt_parse *p, const char *s, uint16_t *out)
{
    if (p->cmd->af != NFPROTO_IPV6 || (strcmp(s, "icmpv6") != 0 && strcmp(s, "ipv6-icmp") != 0))
        return false;
    *out = NEXTHDR_ICMP;
    return true;
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
            r = xt_perr_at(p, off, "invalid mask `%s' specified", slash + 1);
        else if (x->mask == 0)
            x->addr = 0;                /* "/0" matches everything, whatever the address */
        else if (!xt_numeric_to_ipaddr(a, &x->addr))
            r = xt_perr_at(p, off, "host/network `%s' not found", a);
        x->addr &= x->mask;
    }
    g_strfreev(parts);
    return r;
}

/* A prefix length 0..128 (ip6tables also takes a mask written as an address). */
static bool parse_mask6(const char *s, struct in6_addr *mask)
{
    memset(mask, 0, sizeof *mask);
    uint32_t bits = 128;
    if (s && !xt_strtoui(s, 0, 128, &bits)) {
        size_t eo;
        return strchr(s, ':') && in6_pton(s, mask, &eo, NULL);
    }
    for (uint32_t i = 0; i < bits; i++)
        mask->s6_addr[i / 8] |= (uint8_t)(0x80u >> (i % 8));
    return true;
}

/* xtables_ip6parse_multiple: "addr[/len]" items separated by commas; an address is
 * numeric (no names: the model resolves none). The error points at the item, at the
 * character in6_pton could not take. */
static int parse_addresses6(struct xt_parse *p, const char *spec, size_t off, struct xt_addr **out,
                            unsigned *n)
{
    gchar **parts = g_strsplit(spec, ",", -1);
    unsigned count = g_strv_length(parts);
    *out = g_new0(struct xt_addr, count ? count : 1);
    *n = 0;
    int r = 0;
    size_t item_off = off;
    for (unsigned i = 0; i < count && r == 0; i++) {
        size_t raw_len = strlen(parts[i]);
        char *a = parts[i];
        while (*a == ' ' || *a == '\t')
            a++;
        size_t lead = (size_t)(a - parts[i]);
        g_strchomp(a);
        char *slash = strrchr(a, '/');
        if (slash)
            *slash = '\0';
        struct xt_addr *x = &(*out)[(*n)++];
        size_t eo = 0;
        const char *what = NULL;
        if (!parse_mask6(slash ? slash + 1 : NULL, &x->mask6))
            r = xt_perr_at(p, item_off + lead + (size_t)(slash + 1 - a),
                           "invalid mask `%s' specified", slash + 1);
        else if (!in6_pton(a, &x->addr6, &eo, &what))
            r = xt_perr_at(p, item_off + lead + eo, "host/network `%s' not found: expected %s", a,
                           what ? what : "an IPv6 address");
        for (unsigned b = 0; b < 16; b++)
            x->addr6.s6_addr[b] &= x->mask6.s6_addr[b];
        item_off += raw_len + 1;
    }
    g_strfreev(parts);
    return r;
}

static int parse_host_list(struct xt_parse *p, const char *spec, size_t off, struct xt_addr **out,
                           unsigned *n)
{
    if (p->cmd->af == NFPROTO_IPV6)
        return parse_addresses6(p, spec, off, out, n);
    return parse_addresses(p, spec, off, out, n);
}

int xt_parse_all_addresses(struct xt_parse *p)
{
    struct xt_command *c = p->cmd;
    static const struct xt_addr any;
    if (p->shost) {
        if (parse_host_list(p, p->shost, p->shost_off, &c->saddrs, &c->nsaddrs) < 0)
            return -1;
    } else {
        c->saddrs = g_memdup2(&any, sizeof any);
        c->nsaddrs = 1;
    }
    if (p->dhost) {
        if (parse_host_list(p, p->dhost, p->dhost_off, &c->daddrs, &c->ndaddrs) < 0)
            return -1;
    } else {
        c->daddrs = g_memdup2(&any, sizeof any);
        c->ndaddrs = 1;
    }
    if (c->command == CMD_REPLACE && (c->nsaddrs != 1 || c->ndaddrs != 1))
        return xt_perr_at(p, c->cmd_off, "Replacement rule does not specify a unique address");
    return 0;
}
