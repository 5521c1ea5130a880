/* -m icmp6 (iptables' extensions/libip6t_icmp6.c): --icmpv6-type by name or number,
 * filling ip6_tables.c's struct ip6t_icmp (the model's struct ipt_icmp: the same
 * fields). ip6tables only: iptables has no icmp6 match. */
#include "model/user/iptables/xtables.h"

#include <string.h>
#include <strings.h>
#include "model/user/iptables/iptables_parse.h"

static const struct xt_option_entry icmp6_opts[] = {
    { "icmpv6-type", 0, true, true, NULL },
    { NULL, 0, false, false, NULL },
};

/* libip6t_icmp6.c's icmpv6_codes, in its order (no "any": the kernel's icmp6 match
 * has no wildcard type). */
static const struct {
    const char *name;
    uint8_t type, code_min, code_max;
} icmpv6_codes[] = {
    { "destination-unreachable", 1, 0, 0xff },
    { "no-route", 1, 0, 0 },
    { "communication-prohibited", 1, 1, 1 },
    { "beyond-scope", 1, 2, 2 },
    { "address-unreachable", 1, 3, 3 },
    { "port-unreachable", 1, 4, 4 },
    { "failed-policy", 1, 5, 5 },
    { "reject-route", 1, 6, 6 },
    { "packet-too-big", 2, 0, 0xff },
    { "time-exceeded", 3, 0, 0xff },
    { "ttl-zero-during-transit", 3, 0, 0 },
    { "ttl-zero-during-reassembly", 3, 1, 1 },
    { "parameter-problem", 4, 0, 0xff },
    { "bad-header", 4, 0, 0 },
    { "unknown-header-type", 4, 1, 1 },
    { "unknown-option", 4, 2, 2 },
    { "echo-request", 128, 0, 0xff },
    { "ping", 128, 0, 0xff },
    { "echo-reply", 129, 0, 0xff },
    { "pong", 129, 0, 0xff },
    { "router-solicitation", 133, 0, 0xff },
    { "router-advertisement", 134, 0, 0xff },
    { "neighbour-solicitation", 135, 0, 0xff },
    { "neighbor-solicitation", 135, 0, 0xff },
    { "neighbour-advertisement", 136, 0, 0xff },
    { "neighbor-advertisement", 136, 0, 0xff },
    { "redirect", 137, 0, 0xff },
};

static void icmp6_init(struct xt_entry_match *m)
{
    m->data.icmp.code[1] = 0xff;
}

/* A name (or an unambiguous start of one; aliases of one type are not ambiguous),
 * or "type[/code]". */
static int icmp6_parse(struct xt_parse *p, struct xt_entry_match *m,
                       const struct xt_option_entry *o, const char *arg, bool invert)
{
    (void)o;
    struct ipt_icmp *icmp = &m->data.icmp;
    icmp->invflags = invert ? IPT_ICMP_INV : 0;
    int found = -1;
    size_t len = strlen(arg);
    for (size_t i = 0; i < G_N_ELEMENTS(icmpv6_codes); i++)
        if (strncasecmp(icmpv6_codes[i].name, arg, len) == 0) {
            if (found >= 0 && (icmpv6_codes[found].type != icmpv6_codes[i].type ||
                               icmpv6_codes[found].code_min != icmpv6_codes[i].code_min ||
                               icmpv6_codes[found].code_max != icmpv6_codes[i].code_max))
                return xt_parse_error(p, "Ambiguous ICMPv6 type `%s': `%s' or `%s'?", arg,
                                      icmpv6_codes[found].name, icmpv6_codes[i].name);
            if (found < 0)
                found = (int)i;
        }
    if (found >= 0) {
        icmp->type = icmpv6_codes[found].type;
        icmp->code[0] = icmpv6_codes[found].code_min;
        icmp->code[1] = icmpv6_codes[found].code_max;
        return 0;
    }
    char buf[32];
    g_strlcpy(buf, arg, sizeof buf);
    char *slash = strchr(buf, '/');
    uint32_t v;
    if (slash)
        *slash = '\0';
    if (!xt_strtoui(buf, 0, 255, &v))
        return xt_parse_error(p, "Invalid ICMPv6 type `%s'", buf);
    icmp->type = (uint8_t)v;
    if (slash) {
        if (!xt_strtoui(slash + 1, 0, 255, &v))
            return xt_parse_error(p, "Invalid ICMPv6 code `%s'", slash + 1);
        icmp->code[0] = icmp->code[1] = (uint8_t)v;
    }
    return 0;
}

static int icmp6_check(struct xt_parse *p, struct xt_entry_match *m, unsigned xflags)
{
    (void)m;
    if (!xflags)
        return xt_parse_error(p, "icmp6: option \"--icmpv6-type\" must be specified");
    return 0;
}

/* ip6tables-save prints the number, and the code when the rule names one. */
static void icmp6_save(const struct xt_entry_match *m, GString *out)
{
    const struct ipt_icmp *icmp = &m->data.icmp;
    if (icmp->invflags & IPT_ICMP_INV)
        g_string_append(out, " !");
    g_string_append_printf(out, " --icmpv6-type %u", icmp->type);
    if (icmp->code[0] != 0 || icmp->code[1] != 0xff)
        g_string_append_printf(out, "/%u", icmp->code[0]);
}

const struct xtables_match libip6t_icmp6_match = {
    .name = "icmp6", .family = NFPROTO_IPV6, .opts = icmp6_opts, .init = icmp6_init,
    .parse = icmp6_parse, .final_check = icmp6_check, .save = icmp6_save,
};
