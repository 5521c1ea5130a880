/* -m icmp (iptables' extensions/libipt_icmp.c): --icmp-type by name or number,
 * filling ip_tables.c's struct ipt_icmp. */
#include "model/user/iptables/xtables.h"

#include <string.h>
#include <strings.h>
#include "model/user/iptables/iptables_parse.h"

static const struct xt_option_entry icmp_opts[] = {
    { "icmp-type", 0, true, true, NULL },
    { NULL, 0, false, false, NULL },
};

static const struct {
    const char *name;
    uint8_t type, code_min, code_max;
} icmp_codes[] = {
    { "any", 0xff, 0, 0xff },
    { "echo-reply", 0, 0, 0xff },
    { "destination-unreachable", 3, 0, 0xff },
    { "network-unreachable", 3, 0, 0 },
    { "host-unreachable", 3, 1, 1 },
    { "protocol-unreachable", 3, 2, 2 },
    { "port-unreachable", 3, 3, 3 },
    { "fragmentation-needed", 3, 4, 4 },
    { "source-route-failed", 3, 5, 5 },
    { "network-unknown", 3, 6, 6 },
    { "host-unknown", 3, 7, 7 },
    { "network-prohibited", 3, 9, 9 },
    { "host-prohibited", 3, 10, 10 },
    { "TOS-network-unreachable", 3, 11, 11 },
    { "TOS-host-unreachable", 3, 12, 12 },
    { "communication-prohibited", 3, 13, 13 },
    { "host-precedence-violation", 3, 14, 14 },
    { "precedence-cutoff", 3, 15, 15 },
    { "source-quench", 4, 0, 0xff },
    { "redirect", 5, 0, 0xff },
    { "network-redirect", 5, 0, 0 },
    { "host-redirect", 5, 1, 1 },
    { "TOS-network-redirect", 5, 2, 2 },
    { "TOS-host-redirect", 5, 3, 3 },
    { "echo-request", 8, 0, 0xff },
    { "router-advertisement", 9, 0, 0xff },
    { "router-solicitation", 10, 0, 0xff },
    { "time-exceeded", 11, 0, 0xff },
    { "ttl-zero-during-transit", 11, 0, 0 },
    { "ttl-zero-during-reassembly", 11, 1, 1 },
    { "parameter-problem", 12, 0, 0xff },
    { "ip-header-bad", 12, 0, 0 },
    { "required-option-missing", 12, 1, 1 },
    { "timestamp-request", 13, 0, 0xff },
    { "timestamp-reply", 14, 0, 0xff },
    { "address-mask-request", 17, 0, 0xff },
    { "address-mask-reply", 18, 0, 0xff },
};

static void icmp_init(struct xt_entry_match *m)
{
    m->data.icmp.code[1] = 0xff;
}

/* A name (or an unambiguous start of one), or "type[/code]". */
static int icmp_parse(struct xt_parse *p, struct xt_entry_match *m, const struct xt_option_entry *o,
                      const char *arg, bool invert)
{
    struct ipt_icmp *icmp = &m->data.icmp;
    icmp->invflags = invert ? IPT_ICMP_INV : 0;
    int found = -1;
    size_t len = strlen(arg);
    for (size_t i = 0; i < G_N_ELEMENTS(icmp_codes); i++)
        if (strncasecmp(icmp_codes[i].name, arg, len) == 0) {
            if (found >= 0)
                return xt_parse_error(p, "Ambiguous ICMP type `%s': `%s' or `%s'?", arg,
                                      icmp_codes[found].name, icmp_codes[i].name);
            found = (int)i;
        }
    if (found >= 0) {
        icmp->type = icmp_codes[found].type;
        icmp->code[0] = icmp_codes[found].code_min;
        icmp->code[1] = icmp_codes[found].code_max;
        return 0;
    }
    char buf[32];
    g_strlcpy(buf, arg, sizeof buf);
    char *slash = strchr(buf, '/');
    uint32_t v;
    if (slash)
        *slash = '\0';
    if (!xt_strtoui(buf, 0, 255, &v))
        return xt_parse_error(p, "Invalid ICMP type `%s'", buf);
    icmp->type = (uint8_t)v;
    if (slash) {
        if (!xt_strtoui(slash + 1, 0, 255, &v))
            return xt_parse_error(p, "Invalid ICMP code `%s'", slash + 1);
        icmp->code[0] = icmp->code[1] = (uint8_t)v;
    }
    return 0;
}

static int icmp_check(struct xt_parse *p, struct xt_entry_match *m, unsigned xflags)
{
    if (!xflags)
        return xt_parse_error(p, "icmp: option \"--icmp-type\" must be specified");
    return 0;
}

static void icmp_save(const struct xt_entry_match *m, GString *out)
{
    const struct ipt_icmp *icmp = &m->data.icmp;
    if (icmp->invflags & IPT_ICMP_INV)
        g_string_append(out, " !");
    if (icmp->type == 0xff) {
        g_string_append(out, " --icmp-type any");
        return;
    }
    g_string_append_printf(out, " --icmp-type %u", icmp->type);
    if (icmp->code[0] != 0 || icmp->code[1] != 0xff)
        g_string_append_printf(out, "/%u", icmp->code[0]);
}

const struct xtables_match libipt_icmp_match = {
    .name = "icmp", .opts = icmp_opts, .init = icmp_init, .parse = icmp_parse,
    .family = NFPROTO_IPV4,
    .final_check = icmp_check, .save = icmp_save,
};
