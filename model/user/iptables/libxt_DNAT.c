/* -j DNAT (iptables' extensions/libxt_DNAT.c, libipt_DNAT.c before 1.8): --to-destination
 * [ip[-ip]][:port[-port]], --random, --persistent, filling xt_nat.c's struct
 * xt_nat_info; and the range parser and printer -j SNAT and -j MASQUERADE share. */
#include "model/user/iptables/xtables.h"

#include <string.h>
#include "model/user/iptables/iptables_parse.h"
#include "sim/in6.h"
#include "sim/in6_key.h"

bool xtables_nat_ports_ok(const struct ipt_entry *e)
{
    uint16_t p = e->ip.proto;
    return !(e->ip.invflags & XT_INV_PROTO) &&
           (p == IPPROTO_TCP || p == IPPROTO_UDP || p == 132 /* sctp */ || p == 33 /* dccp */);
}

/* "port[-port]" into range's proto fields. */
int xtables_parse_nat_ports(struct xt_parse *p, const char *s, struct nf_nat_range *range)
{
    char buf[32];
    g_strlcpy(buf, s, sizeof buf);
    if (strchr(buf, ':'))
        return xt_parse_error(p, "Invalid port:port syntax - use dash");
    char *dash = strchr(buf, '-');
    if (dash)
        *dash = '\0';
    uint32_t lo, hi;
    if (!xt_strtoui(buf, 1, 65535, &lo))
        return xt_parse_error(p, "Port `%s' not valid", s);
    hi = lo;
    if (dash && !xt_strtoui(dash + 1, 1, 65535, &hi))
        return xt_parse_error(p, "Port `%s' not valid", dash + 1);
    if (hi < lo)
        return xt_parse_error(p, "Port range `%s' funky", s);
    range->flags |= NF_NAT_RANGE_PROTO_SPECIFIED;
    range->min_proto = (be16)lo;
    range->max_proto = (be16)hi;
    return 0;
}

/* An IPv6 address of a range, as its key (xtables_numeric_to_ip6addr). */
static bool nat_ip6addr(const char *s, be32 *out)
{
    struct in6_addr a;
    if (!in6_pton(s, &a, NULL, NULL))
        return false;
    *out = in6_key_get(&a);
    return true;
}

/* ip6tables' "[ip[-ip]]:port[-port]" or "ip[-ip]" (libip6t_DNAT.c parse_to, the
 * IPv6 case of libxt_DNAT.c's): brackets when ports follow; without them, one
 * colon alone is taken for ports, more for an address. */
static int parse_nat_to6(struct xt_parse *p, const char *arg, struct nf_nat_range *range)
{
    char buf[128];
    g_strlcpy(buf, arg, sizeof buf);
    char *start = strchr(buf, '['), *colon;
    if (!start) {
        start = buf;
        colon = strchr(buf, ':');
        if (colon && strchr(colon + 1, ':'))
            colon = NULL;
    } else {
        start++;
        char *end = strchr(start, ']');
        if (!end)
            return xt_parse_error(p, "Invalid address format");
        *end = '\0';
        colon = strchr(end + 1, ':');
    }
    if (colon) {
        if (!xtables_nat_ports_ok(xt_parse_entry(p)))
            return xt_parse_error(p, "Need TCP, UDP, SCTP or DCCP with port specification");
        if (xtables_parse_nat_ports(p, colon + 1, range) < 0)
            return -1;
        if (colon == buf || colon == buf + 2)
            return 0;                   /* ports only: ":80" or "[]:80" */
        *colon = '\0';
    }
    char *dash = strchr(start, '-');
    if (dash)
        *dash = '\0';
    if (!nat_ip6addr(start, &range->min_addr))
        return xt_parse_error(p, "Bad IP address \"%s\"", start);
    range->max_addr = range->min_addr;
    if (dash && !nat_ip6addr(dash + 1, &range->max_addr))
        return xt_parse_error(p, "Bad IP address \"%s\"", dash + 1);
    range->flags |= NF_NAT_RANGE_MAP_IPS;
    return 0;
}

/* "[ip[-ip]][:port[-port]]" (parse_to). */
int xtables_parse_nat_to(struct xt_parse *p, const char *arg, struct nf_nat_range *range)
{
    if (xt_parse_is_ipv6(p))
        return parse_nat_to6(p, arg, range);
    char buf[64];
    g_strlcpy(buf, arg, sizeof buf);
    char *colon = strchr(buf, ':');
    if (colon) {
        if (!xtables_nat_ports_ok(xt_parse_entry(p)))
            return xt_parse_error(p, "Need TCP, UDP, SCTP or DCCP with port specification");
        if (xtables_parse_nat_ports(p, colon + 1, range) < 0)
            return -1;
        if (colon == buf)
            return 0;                   /* ports only */
        *colon = '\0';
    }
    char *dash = strchr(buf, '-');
    if (dash)
        *dash = '\0';
    if (!xt_numeric_to_ipaddr(buf, &range->min_addr))
        return xt_parse_error(p, "Bad IP address \"%s\"", buf);
    range->max_addr = range->min_addr;
    if (dash && !xt_numeric_to_ipaddr(dash + 1, &range->max_addr))
        return xt_parse_error(p, "Bad IP address \"%s\"", dash + 1);
    range->flags |= NF_NAT_RANGE_MAP_IPS;
    return 0;
}

int xtables_nat_parse(struct xt_parse *p, struct xt_entry_target *t,
                      const struct xt_option_entry *o, const char *arg, bool invert)
{
    struct xt_nat_info *info = &t->data.nat;
    switch (o->id) {
    case XT_NAT_O_TO:
        return xtables_parse_nat_to(p, arg, &info->range);
    case XT_NAT_O_RANDOM:
        info->flags |= XT_NAT_RANDOM;
        return 0;
    case XT_NAT_O_PERSISTENT:
        info->flags |= XT_NAT_PERSISTENT;
        return 0;
    default:
        info->flags |= XT_NAT_RANDOM_FULLY;
        return 0;
    }
}

/* ip6tables-save: the addresses in brackets when ports follow (print_range). */
static void save_nat_range6(GString *out, const struct nf_nat_range *r)
{
    char a[INET_KEY_STRLEN];
    bool ports = r->flags & NF_NAT_RANGE_PROTO_SPECIFIED;
    if (r->flags & NF_NAT_RANGE_MAP_IPS) {
        if (ports)
            g_string_append_c(out, '[');
        g_string_append(out, inet_key_ntop(r->min_addr, a));
        if (r->max_addr != r->min_addr)
            g_string_append_printf(out, "-%s", inet_key_ntop(r->max_addr, a));
        if (ports)
            g_string_append_c(out, ']');
    }
    if (ports) {
        g_string_append_printf(out, ":%u", r->min_proto);
        if (r->max_proto != r->min_proto)
            g_string_append_printf(out, "-%u", r->max_proto);
    }
}

void xtables_save_nat_range(GString *out, const struct nf_nat_range *r)
{
    char a[INET_ADDRSTRLEN];
    if ((r->flags & NF_NAT_RANGE_MAP_IPS) && in6_is_key(r->min_addr)) {
        save_nat_range6(out, r);
        return;
    }
    if (r->flags & NF_NAT_RANGE_MAP_IPS) {
        g_string_append(out, inet_ntop(AF_INET, &r->min_addr, a, sizeof a));
        if (r->max_addr != r->min_addr)
            g_string_append_printf(out, "-%s", inet_ntop(AF_INET, &r->max_addr, a, sizeof a));
    }
    if (r->flags & NF_NAT_RANGE_PROTO_SPECIFIED) {
        g_string_append_printf(out, ":%u", r->min_proto);
        if (r->max_proto != r->min_proto)
            g_string_append_printf(out, "-%u", r->max_proto);
    }
}

void xtables_save_nat_flags(GString *out, uint8_t flags)
{
    if (flags & XT_NAT_RANDOM)
        g_string_append(out, " --random");
    if (flags & XT_NAT_RANDOM_FULLY)
        g_string_append(out, " --random-fully");
    if (flags & XT_NAT_PERSISTENT)
        g_string_append(out, " --persistent");
}

static const struct xt_option_entry dnat_opts[] = {
    { "to-destination", XT_NAT_O_TO, true, false, NULL },
    { "random", XT_NAT_O_RANDOM, false, false, NULL },
    { "persistent", XT_NAT_O_PERSISTENT, false, false, NULL },
    { NULL, 0, false, false, NULL },
};

static int dnat_check(struct xt_parse *p, struct xt_entry_target *t, const struct ipt_entry *e,
                      unsigned xflags)
{
    if (!(xflags & (1u << XT_NAT_O_TO)))
        return xt_parse_error(p, "DNAT: option \"--to-destination\" must be specified");
    return 0;
}

static void dnat_save(const struct xt_entry_target *t, GString *out)
{
    g_string_append(out, " --to-destination ");
    xtables_save_nat_range(out, &t->data.nat.range);
    xtables_save_nat_flags(out, t->data.nat.flags);
}

const struct xtables_target libxt_dnat_target = {
    .name = "DNAT", .opts = dnat_opts, .parse = xtables_nat_parse, .final_check = dnat_check,
    .save = dnat_save,
};
